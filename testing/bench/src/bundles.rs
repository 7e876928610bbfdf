//! `--bundles DIR`: the same kind of workloads on the real built-in actors of lotus-style bundle
//! archives (`v16.tar.zst`, ...), one genesis per bundle, on Fern and ref-fvm.
//!
//! For each archive whose actors version Fern runs (v12 and later), the mainnet CAR of the
//! archive is loaded, a genesis is laid out with ref-fvm's `Tester` (system, init, burnt funds,
//! EAM from the bundle's manifest), plus the reward actor and four secp256k1 accounts. Two set-up
//! messages (not timed) create a 2-of-2 multisig through the init actor and deploy the token
//! contract below through the EAM; the state after them is the starting point of every workload:
//!
//! - `account_pubkey`: the account actor's `PubkeyAddress`;
//! - `multisig`: propose a 1 attoFIL send, then the second signer approves it (which sends);
//! - `evm_deploy`: `CreateExternal` of the token contract from an f1 account;
//! - `erc20_transfer`: the token's `transfer(to, 1)`, two storage writes and a LOG3 event.
//!
//! Each workload first runs once on both VMs, which must agree on every receipt (exit code,
//! return, gas used, events) and the final state root, or the bench panics.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use cid::Cid;
use fern_conformance::bundle::{bundle_cars, inspect, read_car_blocks};
use fern_testing::genesis::{Genesis, KeyAccount, RecordingStore};
use fern_testing::scenario::{Scenario, ScenarioBuilder};
use fvm::state_tree::ActorState;
use fvm_integration_tests::dummy::DummyExterns;
use fvm_integration_tests::tester::Tester;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::{BytesDe, BytesSer, CborStore, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::state::StateTreeVersion;
use fvm_shared::version::NetworkVersion;
use multihash_codetable::Code;

use crate::{agree, throughput, Plan};

/// The network version a bundle's actors version runs at (Fern runs 21 to 29).
fn network_version(actors: u32) -> Option<NetworkVersion> {
    Some(match actors {
        12 => NetworkVersion::V21,
        13 => NetworkVersion::V22,
        14 => NetworkVersion::V23,
        15 => NetworkVersion::V24,
        16 => NetworkVersion::V25,
        17 => NetworkVersion::V27,
        18 => NetworkVersion::V28,
        19 => NetworkVersion::V29,
        _ => return None,
    })
}

/// The archives of `dir` named `v<N>.<anything>`, by actors version.
fn archives(dir: &Path) -> Result<Vec<(u32, PathBuf)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let version = name
            .strip_prefix('v')
            .and_then(|rest| rest.split('.').next())
            .and_then(|n| n.parse::<u32>().ok());
        if let (Some(v), true) = (version, path.is_file()) {
            out.push((v, path));
        }
    }
    out.sort();
    Ok(out)
}

/// Ethereum's ERC-20 `Transfer(address,address,uint256)` event topic (keccak-256 of that
/// signature).
const TRANSFER_TOPIC: [u8; 32] = [
    0xdd, 0xf2, 0x52, 0xad, 0x1b, 0xe2, 0xc8, 0x9b, 0x69, 0xc2, 0xb0, 0x68, 0xfc, 0x37, 0x8d, 0xaa,
    0x95, 0x2b, 0xa7, 0xf1, 0x63, 0xc4, 0xa1, 0x16, 0x28, 0xf5, 0x5a, 0x4d, 0xf5, 0x23, 0xb3, 0xef,
];

/// The token contract's deployed code: `transfer(address to, uint256 amount)` without selector
/// dispatch (any call data is read as that call). Storage slot `address` holds that address's
/// balance. Stack comments show the stack after each instruction, top last.
fn token_runtime() -> Vec<u8> {
    let mut code = vec![
        0x60, 0x04, // 00 PUSH1 4                    to-offset
        0x35, //       02 CALLDATALOAD               to
        0x60, 0x24, // 03 PUSH1 36
        0x35, //       05 CALLDATALOAD               to amount
        0x33, //       06 CALLER                     to amount caller
        0x54, //       07 SLOAD                      to amount balance
        0x81, //       08 DUP2                       to amount balance amount
        0x81, //       09 DUP2                       to amount balance amount balance
        0x10, //       0a LT                         to amount balance (balance < amount)
        0x60, 0x4d, // 0b PUSH1 0x4d (revert)
        0x57, //       0d JUMPI                      to amount balance
        0x81, //       0e DUP2                       to amount balance amount
        0x90, //       0f SWAP1                      to amount amount balance
        0x03, //       10 SUB                        to amount (balance - amount)
        0x33, //       11 CALLER
        0x55, //       12 SSTORE  balance[caller]    to amount
        0x81, //       13 DUP2                       to amount to
        0x54, //       14 SLOAD                      to amount balance_to
        0x81, //       15 DUP2                       to amount balance_to amount
        0x01, //       16 ADD                        to amount (balance_to + amount)
        0x82, //       17 DUP3                       to amount new to
        0x55, //       18 SSTORE  balance[to]        to amount
        0x60, 0x00, // 19 PUSH1 0
        0x52, //       1b MSTORE  memory[0] = amount to
        0x33, //       1c CALLER                     to caller
        0x7f, //       1d PUSH32 TRANSFER_TOPIC      to caller topic
    ];
    code.extend_from_slice(&TRANSFER_TOPIC);
    code.extend_from_slice(&[
        0x60, 0x20, // 3e PUSH1 32                   to caller topic 32
        0x60, 0x00, // 40 PUSH1 0                    to caller topic 32 0
        0xa3, //       42 LOG3 Transfer(caller, to) with data memory[0..32] = amount
        0x60, 0x01, // 43 PUSH1 1
        0x60, 0x00, // 45 PUSH1 0
        0x52, //       47 MSTORE  memory[0] = 1
        0x60, 0x20, // 48 PUSH1 32
        0x60, 0x00, // 4a PUSH1 0
        0xf3, //       4c RETURN  true
        0x5b, //       4d JUMPDEST (revert)
        0x60, 0x00, // 4e PUSH1 0
        0x80, //       50 DUP1
        0xfd, //       51 REVERT
    ]);
    assert_eq!(code.len(), 0x52);
    assert_eq!(code[0x4d], 0x5b, "the revert target is a JUMPDEST");
    code
}

/// The token contract's init code: credit the deployer with 1 000 000 tokens, then return the
/// runtime code, which follows these 17 bytes.
fn token_initcode() -> Vec<u8> {
    let runtime = token_runtime();
    let mut code = vec![
        0x62,
        0x0f,
        0x42,
        0x40, // 00 PUSH3 1000000
        0x33, //                   04 CALLER
        0x55, //                   05 SSTORE  balance[deployer] = 1000000
        0x60,
        runtime.len() as u8, // 06 PUSH1 len
        0x80,                //                   08 DUP1                         len len
        0x60,
        0x11, //             09 PUSH1 0x11 (runtime offset)  len len 0x11
        0x60,
        0x00, //             0b PUSH1 0                      len len 0x11 0
        0x39, //                   0d CODECOPY memory[0..len] = code[0x11..]   len
        0x60,
        0x00, //             0e PUSH1 0                      len 0
        0xf3, //                   10 RETURN memory[0..len]
    ];
    assert_eq!(code.len(), 0x11);
    code.extend_from_slice(&runtime);
    code
}

/// Call data of `transfer(to, amount)` (the ERC-20 selector, then two 32-byte words).
fn transfer_calldata(to: [u8; 20], amount: u8) -> Vec<u8> {
    let mut data = vec![0xa9, 0x05, 0x9c, 0xbb];
    data.extend_from_slice(&[0; 12]);
    data.extend_from_slice(&to);
    data.extend_from_slice(&[0; 31]);
    data.push(amount);
    data
}

/// Method numbers of the built-in actors used here.
const INIT_EXEC: u64 = 2;
const EAM_CREATE_EXTERNAL: u64 = 4;
const ACCOUNT_PUBKEY_ADDRESS: u64 = 2;
const MULTISIG_PROPOSE: u64 = 2;
const MULTISIG_APPROVE: u64 = 3;
/// The EVM actor's `InvokeContract` (FRC-0042 number).
const EVM_INVOKE_CONTRACT: u64 = 3_844_450_837;

const INIT_ACTOR: u64 = 1;
const EAM_ACTOR: u64 = 10;
const REWARD_ACTOR: u64 = 2;

/// A genesis on the real bundle in `car`: its manifest root, the system, init, burnt-funds and
/// EAM actors as ref-fvm's `Tester` lays them out, the reward actor, and four secp256k1 accounts
/// with 1 000 000 FIL each.
fn genesis(car: &[u8], nv: NetworkVersion) -> Result<Genesis> {
    let info = inspect(car.to_vec())?;
    let (_, blocks) = read_car_blocks(car)?;
    let store = RecordingStore::default();
    for (cid, data) in &blocks {
        store.put_keyed(cid, data)?;
    }
    let builtin: Vec<(String, Cid)> = info
        .actors
        .iter()
        .map(|a| (a.name.clone(), a.code))
        .collect();
    let code = |name: &str| {
        builtin
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| *c)
            .ok_or_else(|| anyhow!("the bundle has no {name} actor"))
    };
    let mut tester: Tester<RecordingStore, DummyExterns> =
        Tester::new(nv, StateTreeVersion::V5, info.root, store.clone())?;
    let tree = tester.state_tree.as_mut().unwrap();
    let empty = tree.store().put_cbor(&[(); 0], Code::Blake2b256)?;
    tree.set_actor(
        REWARD_ACTOR,
        ActorState::new(code("reward")?, empty, TokenAmount::default(), 0, None),
    );
    let mut accounts = Vec::new();
    for seed in 1..=4u8 {
        let key = k256::SecretKey::from_slice(&[seed; 32]).map_err(|e| anyhow!("key: {e}"))?;
        let (id, address) =
            tester.make_secp256k1_account(key, TokenAmount::from_whole(1_000_000))?;
        accounts.push(KeyAccount {
            id,
            address,
            secret: vec![seed; 32],
            bls: false,
        });
    }
    let mut tree = tester.state_tree.take().unwrap();
    let next_id = fvm::init_actor::State::load(&tree)?.0.next_id;
    let state_root = tree.flush()?;
    Ok(Genesis {
        blocks: store.blocks(),
        state_root,
        builtin_actors: info.root,
        builtin,
        accounts,
        poor: None,
        placeholders: Vec::new(),
        test_actors: Vec::new(),
        next_id,
    })
}

/// The starting state of the workloads: `genesis` after the set-up messages, with the multisig's
/// and the token contract's ids.
struct Deployed {
    genesis: Arc<Genesis>,
    multisig: u64,
    token: u64,
}

fn deploy(genesis: Arc<Genesis>, nv: NetworkVersion, name: &str) -> Result<Deployed> {
    let a = &genesis.accounts;
    let multisig_code = genesis
        .code("multisig")
        .ok_or_else(|| anyhow!("no multisig actor"))?;
    let mut b = ScenarioBuilder::new(format!("{name}/setup"), &genesis)
        .settings(|s| s.network_version = nv);
    // Multisig constructor: signers, approvals threshold, unlock duration, start epoch.
    let constructor = RawBytes::serialize((vec![a[0].address, a[1].address], 2u64, 0i64, 0i64))?;
    b.call(
        "create multisig",
        a[3].address,
        Address::new_id(INIT_ACTOR),
        INIT_EXEC,
        RawBytes::serialize((multisig_code, constructor))?,
        TokenAmount::from_whole(1_000),
        ExitCode::OK,
    );
    b.call(
        "deploy token",
        a[3].address,
        Address::new_id(EAM_ACTOR),
        EAM_CREATE_EXTERNAL,
        RawBytes::serialize(BytesSer(&token_initcode()))?,
        TokenAmount::default(),
        ExitCode::OK,
    );
    let setup = b.build();
    let (ran, ref_vm) = agree(&setup)?;
    // init's Exec returns (id address, robust address); the EAM returns (actor id, robust
    // address, eth address).
    let (msig, _): (Address, Address) =
        fvm_ipld_encoding::from_slice(&ran.outcomes[0].return_data)?;
    let (token, _, _): (u64, Option<Address>, BytesDe) =
        fvm_ipld_encoding::from_slice(&ran.outcomes[1].return_data)?;
    // The state after set-up: everything ref-fvm flushed, on top of the genesis blocks.
    let mut next = (*genesis).clone();
    next.blocks.extend(ref_vm.recording().written);
    next.state_root = ran.state_root;
    Ok(Deployed {
        genesis: Arc::new(next),
        multisig: msig.id()?,
        token,
    })
}

fn workloads(d: &Deployed, nv: NetworkVersion, name: &str, plan: &Plan) -> Vec<Scenario> {
    let g = &d.genesis;
    let a = &g.accounts;
    let n = plan.bundle_messages;
    let builder = |w: &str| {
        ScenarioBuilder::new(format!("{name}.{w}"), g).settings(|s| s.network_version = nv)
    };
    let none = RawBytes::default;
    let zero = TokenAmount::default;
    let mut out = Vec::new();

    let mut b = builder("account_pubkey");
    for _ in 0..n {
        b.call(
            "pubkey",
            a[0].address,
            Address::new_id(a[1].id),
            ACCOUNT_PUBKEY_ADDRESS,
            none(),
            zero(),
            ExitCode::OK,
        );
    }
    out.push(b.build());

    let mut b = builder("multisig");
    let msig = Address::new_id(d.multisig);
    for txn in 0..(n / 2) as i64 {
        // Propose: to, value, method, params.
        let propose = (
            Address::new_id(a[2].id),
            TokenAmount::from_atto(1),
            0u64,
            none(),
        );
        b.call(
            "propose",
            a[0].address,
            msig,
            MULTISIG_PROPOSE,
            RawBytes::serialize(propose).unwrap(),
            zero(),
            ExitCode::OK,
        );
        // Approve: transaction id, proposal hash (empty: not checked).
        b.call(
            "approve",
            a[1].address,
            msig,
            MULTISIG_APPROVE,
            RawBytes::serialize((txn, BytesSer(&[]))).unwrap(),
            zero(),
            ExitCode::OK,
        );
    }
    out.push(b.build());

    let mut b = builder("evm_deploy");
    let initcode = RawBytes::serialize(BytesSer(&token_initcode())).unwrap();
    for _ in 0..plan.bundle_deploys {
        b.call(
            "deploy",
            a[2].address,
            Address::new_id(EAM_ACTOR),
            EAM_CREATE_EXTERNAL,
            initcode.clone(),
            zero(),
            ExitCode::OK,
        );
    }
    out.push(b.build());

    let mut b = builder("erc20_transfer");
    // The deployer (a[3]) holds the tokens; its two set-up messages used nonces 0 and 1.
    b.bump(&a[3].address);
    b.bump(&a[3].address);
    for i in 0..n {
        let mut to = [0x22; 20];
        to[16..].copy_from_slice(&(i as u32).to_be_bytes());
        let params = RawBytes::serialize(BytesSer(&transfer_calldata(to, 1))).unwrap();
        b.call(
            "transfer",
            a[3].address,
            Address::new_id(d.token),
            EVM_INVOKE_CONTRACT,
            params,
            zero(),
            ExitCode::OK,
        );
    }
    out.push(b.build());
    out
}

/// Runs the real-bundle workloads for every archive in `dir`.
pub fn bench(dir: &Path, plan: &Plan) {
    let archives = archives(dir).unwrap_or_else(|e| panic!("--bundles: {e:#}"));
    if archives.is_empty() {
        println!("bundles: no v<N>.tar.zst archive in {}", dir.display());
    }
    for (version, path) in archives {
        let Some(nv) = network_version(version) else {
            println!("bundles: skipping v{version} (Fern runs actors v12 and later, nv21-29)");
            continue;
        };
        let name = format!("v{version}");
        let cars = bundle_cars(std::fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let Some(car) = cars.iter().find(|c| {
            c.entry
                .as_deref()
                .is_some_and(|e| e.ends_with("builtin-actors-mainnet.car"))
        }) else {
            println!("bundles: skipping {name}: no builtin-actors-mainnet.car");
            continue;
        };
        let genesis =
            Arc::new(genesis(&car.car, nv).unwrap_or_else(|e| panic!("{name}: genesis: {e:#}")));
        let deployed =
            deploy(genesis, nv, &name).unwrap_or_else(|e| panic!("{name}: set-up: {e:#}"));
        for scenario in workloads(&deployed, nv, &name, plan) {
            throughput(&scenario.name.clone(), &scenario, plan.bundle_rounds);
        }
    }
}
