//! The corpus's network-version-17 vectors, written from ref-fvm 2.12 runs.
//!
//! Fern's own actors cannot run at nv17 (today's toolchains encode `call_indirect` the
//! reference-types way, which the generation's parser refuses), so these vectors use the
//! hand-written actors of [`crate::probes2`] and a few more on the layout-4 test state of
//! [`Genesis2`]. Each vector holds the whole state (a few dozen small blocks, the actors' code
//! included), one or more messages, and what ref-fvm 2.12 produced for them; it replays from the
//! file alone, with the runner's settings (`FIPS/conformance.md`: on-chain length with the
//! secp256k1 signature overhead, no events root at nv17).

use anyhow::{anyhow, Result};
use fern_conformance::runner::on_chain_length;
use fern_conformance::vector::{
    gzip, write_car, ApplyMessage, Base64, BigNum, CidJson, GenData, Meta, Postconditions,
    Preconditions, RandomnessKind, RandomnessOn, RandomnessRule, Receipt, StateTree as TreeJson,
    Variant,
};
use fern_conformance::TestVector;
use fern_shared::address::Address;
use fern_shared::econ::TokenAmount;
use fern_shared::message::Message;
use fvm2::executor::Executor as _;
use fvm_ipld_encoding::RawBytes;

use crate::harness::{randomness_digest, EPOCH};
use crate::probes2::probes;
use crate::ref_vm2::{ref2_executor, Genesis2, BASE_FEE2, CIRCULATING_SUPPLY};
use crate::vectorgen::{VectorFile, GENERATOR};

/// What produced the expected results of the nv17 vectors.
pub const ORACLE_FVM2: &str = "ref-fvm 2.12";

/// The epochs the probes draw randomness at (chain, beacon); the vectors carry a rule for each.
const DRAWS: [(RandomnessKind, i64); 2] =
    [(RandomnessKind::Chain, 900), (RandomnessKind::Beacon, 901)];

/// The test state: the probes, then actors that loop, trap, return a missing block, recurse
/// without end, or import a function no VM defines.
pub fn nv17_genesis() -> Result<Genesis2> {
    let invoke = |body: &str| {
        wat::parse_str(format!(
            r#"(module (memory (export "memory") 1)
                 (func (export "invoke") (param i32) (result i32) {body}))"#
        ))
    };
    let mut actors = probes();
    actors.push(("looper", invoke("(loop (br 0)) (i32.const 0)")?));
    actors.push(("trapper", invoke("(unreachable)")?));
    actors.push(("missing", invoke("(i32.const 7)")?));
    actors.push((
        "recurse",
        wat::parse_str(
            r#"(module (memory (export "memory") 1)
                 (func $r (param i32) (result i32) (call $r (i32.add (local.get 0) (i32.const 1))))
                 (func (export "invoke") (param i32) (result i32) (call $r (i32.const 0))))"#,
        )?,
    ));
    actors.push((
        "importer",
        wat::parse_str(
            r#"(module (import "env" "nope" (func))
                 (memory (export "memory") 1)
                 (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#,
        )?,
    ));
    Genesis2::build(3, &actors)
}

/// One message of a vector: sender index (into the genesis accounts), receiver, method, value
/// (attoFIL), parameters, gas limit; the sequence is filled in.
struct Step {
    from: usize,
    to: Address,
    method: u64,
    value: TokenAmount,
    params: Vec<u8>,
    gas_limit: u64,
    /// A sequence other than the sender's next one (a wrong nonce).
    sequence: Option<u64>,
    /// Replace the sender address (unknown or non-account senders).
    from_address: Option<Address>,
    /// A fee cap other than 200 attoFIL.
    fee_cap: Option<TokenAmount>,
}

fn step(from: usize, to: Address, method: u64, value: TokenAmount) -> Step {
    Step {
        from,
        to,
        method,
        value,
        params: Vec::new(),
        gas_limit: 100_000_000,
        sequence: None,
        from_address: None,
        fee_cap: None,
    }
}

/// The nv17 vectors of the corpus, sorted by path.
pub fn nv17_corpus() -> Result<Vec<VectorFile>> {
    let genesis = nv17_genesis()?;
    let actor = |name: &str| -> Result<Address> { Ok(Address::new_id(genesis.actor(name)?)) };
    let fil = TokenAmount::from_whole;
    let mut files = Vec::new();

    // Every probe, and the exit paths of vm::abort and of the call depth limit.
    let mut probe_steps = Vec::new();
    for name in [
        "context",
        "ipld",
        "actors",
        "crypto",
        "gas",
        "sender",
        "destroyer",
    ] {
        probe_steps.push(step(0, actor(name)?, 2, TokenAmount::zero()));
    }
    for code in [16u32, 5, 0, 1 << 31] {
        let mut s = step(1, actor("aborter")?, 2, TokenAmount::zero());
        s.params = code.to_le_bytes().to_vec();
        probe_steps.push(s);
    }
    let mut deep = step(2, actor("deep")?, 2, TokenAmount::zero());
    deep.gas_limit = 10_000_000_000;
    probe_steps.push(deep);
    let mut shallow = step(2, actor("deep")?, 2, TokenAmount::zero());
    shallow.gas_limit = 30_000_000;
    probe_steps.push(shallow);
    files.push(vector(
        &genesis,
        "nv17/syscalls",
        "the 36 nv17 syscalls through probe actors",
        probe_steps,
    )?);

    // Transfers, account creation, send errors and pre-validation failures.
    let (a1, a2) = (genesis.accounts[1].1, genesis.accounts[2].1);
    let fresh_secp = Address::new_secp256k1(&[7u8; 65]).map_err(|e| anyhow!("{e}"))?;
    let fresh_bls = Address::new_bls(&[3u8; 48]).map_err(|e| anyhow!("{e}"))?;
    let mut zero_bls = vec![0xc0];
    zero_bls.extend([0u8; 47]);
    let zero_bls = Address::new_bls(&zero_bls).map_err(|e| anyhow!("{e}"))?;
    let mut transfers = vec![
        step(0, a1, 0, fil(5)),
        step(0, fresh_secp, 0, fil(1)),
        step(1, fresh_bls, 0, fil(1)),
        step(0, fresh_secp, 0, fil(1)),
        step(2, zero_bls, 0, fil(1)),
        step(0, Address::new_id(4242), 0, fil(1)),
        step(0, a1, 0, fil(20_000)),
        step(2, a2, 0, fil(1)),
    ];
    let mut wrong_nonce = step(0, a1, 0, fil(1));
    wrong_nonce.sequence = Some(99);
    transfers.push(wrong_nonce);
    let mut not_account = step(0, a1, 0, fil(1));
    not_account.from_address = Some(actor("returner")?);
    transfers.push(not_account);
    let mut too_little_gas = step(0, a1, 0, fil(1));
    too_little_gas.gas_limit = 100;
    transfers.push(too_little_gas);
    let mut too_poor = step(1, a2, 0, fil(1));
    too_poor.fee_cap = Some(fil(1));
    transfers.push(too_poor);
    let mut huge_limit = step(1, a2, 0, fil(1));
    huge_limit.gas_limit = 1 << 62;
    transfers.push(huge_limit);
    let mut capped = step(2, a1, 0, fil(1));
    capped.fee_cap = Some(TokenAmount::from_atto(BASE_FEE2 / 2));
    transfers.push(capped);
    files.push(vector(
        &genesis,
        "nv17/transfers",
        "transfers, account creation and validation at nv17",
        transfers,
    )?);

    // Wasm execution: running out of gas, traps, a missing return block, the stack limiter,
    // and a module that does not link.
    let mut wasm = Vec::new();
    for (name, gas) in [
        ("looper", 5_000_000),
        ("trapper", 10_000_000),
        ("missing", 10_000_000),
        ("recurse", 100_000_000),
        ("importer", 10_000_000),
        ("echo", 10_000_000),
    ] {
        let mut s = step(0, actor(name)?, 2, TokenAmount::from_atto(3));
        s.gas_limit = gas;
        s.params = vec![0x82, 0x01, 0x02];
        wasm.push(s);
    }
    files.push(vector(
        &genesis,
        "nv17/wasm",
        "Wasm execution outcomes at nv17",
        wasm,
    )?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Runs `steps` on ref-fvm 2.12 from `genesis` and writes the vector `<name>--nv17.json`.
fn vector(genesis: &Genesis2, name: &str, what: &str, steps: Vec<Step>) -> Result<VectorFile> {
    let mut exec = ref2_executor(genesis, BASE_FEE2)?;
    let mut nonces = vec![0u64; genesis.accounts.len()];
    let mut apply_messages = Vec::new();
    let mut receipts = Vec::new();
    for s in &steps {
        let msg = Message {
            version: 0,
            from: s.from_address.unwrap_or(genesis.accounts[s.from].1),
            to: s.to,
            sequence: s.sequence.unwrap_or(nonces[s.from]),
            value: s.value.clone(),
            method_num: s.method,
            params: RawBytes::new(s.params.clone()),
            gas_limit: s.gas_limit,
            gas_fee_cap: s
                .fee_cap
                .clone()
                .unwrap_or_else(|| TokenAmount::from_atto(200)),
            gas_premium: TokenAmount::from_atto(10),
        };
        let bytes = fvm_ipld_encoding::to_vec(&msg)?;
        let msg2: fvm2_shared::message::Message = fvm_ipld_encoding::from_slice(&bytes)?;
        let ret = exec
            .execute_message(
                msg2,
                fvm2::executor::ApplyKind::Explicit,
                on_chain_length(&msg, bytes.len()),
            )
            .map_err(|e| anyhow!("{name}: ref-fvm 2.12 refused a message: {e:#}"))?;
        let r = &ret.msg_receipt;
        // A message past validation (it used gas) raised its sender's sequence.
        if r.gas_used > 0 && s.from_address.is_none() && s.sequence.is_none() {
            nonces[s.from] += 1;
        }
        apply_messages.push(ApplyMessage {
            bytes: Base64(bytes),
            epoch_offset: Some(0),
        });
        receipts.push(Receipt {
            exit_code: r.exit_code.value(),
            return_data: Base64(r.return_data.to_vec()),
            gas_used: u64::try_from(r.gas_used)?,
            events_root: None,
        });
    }
    let post = exec.flush()?;
    let blocks: Vec<(&cid::Cid, &[u8])> = genesis
        .blocks
        .iter()
        .map(|(c, d)| (c, d.as_slice()))
        .collect();
    let car = write_car(vec![genesis.state_root], blocks)?;
    let randomness = DRAWS
        .iter()
        .map(|(kind, epoch)| {
            let digest = match kind {
                RandomnessKind::Chain => randomness_digest(1, *epoch),
                RandomnessKind::Beacon => randomness_digest(2, *epoch),
            };
            RandomnessRule {
                on: RandomnessOn {
                    kind: *kind,
                    epoch: *epoch,
                },
                ret: Base64(digest.to_vec()),
            }
        })
        .collect();
    let vector = TestVector {
        class: "message".into(),
        selector: Default::default(),
        meta: Some(Meta {
            id: Some(format!("{name}--nv17")),
            description: Some(format!("{} message(s) at nv17: {what}", steps.len())),
            gen: vec![
                GenData {
                    source: GENERATOR.into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                },
                GenData {
                    source: ORACLE_FVM2.into(),
                    version: "2.12".into(),
                },
            ],
        }),
        car: Base64(gzip(&car)),
        preconditions: Preconditions {
            variants: vec![Variant {
                id: "nv17".into(),
                epoch: EPOCH,
                nv: 17,
            }],
            state_tree: TreeJson {
                root_cid: CidJson(genesis.state_root),
            },
            basefee: Some(BigNum(BASE_FEE2.into())),
            circ_supply: Some(BigNum(CIRCULATING_SUPPLY.into())),
        },
        apply_messages,
        postconditions: Postconditions {
            state_tree: TreeJson {
                root_cid: CidJson(post),
            },
            receipts,
        },
        randomness,
    };
    let mut json = vector.to_json();
    json.push('\n');
    Ok(VectorFile {
        path: format!("{name}--nv17.json"),
        json,
        vector,
    })
}
