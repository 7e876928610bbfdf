//! Network version 17: Fern's nv17 executor, call manager and Wasm invocation against ref-fvm
//! 2.12 on the same layout-4 state (`fern_testing::ref_vm2`).
//!
//! Every message is applied on both; exit code, return bytes, gas used, the five fee amounts and
//! the gas refunded and burned must be equal, and so must the state roots flushed after each
//! message. The actors are hand-written Wasm that import no syscall (the nv17 syscalls are not
//! written yet): they cover value transfers and account creation, every pre-validation
//! failure, send errors, Wasm execution gas, running out of gas, traps, the stack limiter,
//! memory growth, return values, missing return blocks, and the fatal cases of linking and
//! instantiation.

use fern_shared::address::Address;
use fern_shared::econ::TokenAmount;
use fern_shared::message::Message;
use fern_testing::ref_vm2::{
    apply_fern2, apply_ref2, fern2_executor, flush_fern2, flush_ref2, ref2_executor, Fern2Executor,
    Genesis2, Outcome2, Ref2Executor, BASE_FEE2,
};
use fvm_ipld_encoding::RawBytes;

fn wasm(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("test actor")
}

fn actors() -> Vec<(&'static str, Vec<u8>)> {
    let with_invoke = |body: &str| {
        wasm(&format!(
            r#"(module (memory (export "memory") 1)
                 (func (export "invoke") (param i32) (result i32) {body}))"#
        ))
    };
    vec![
        ("returner", with_invoke("(i32.const 0)")),
        ("echo", with_invoke("(local.get 0)")),
        ("looper", with_invoke("(loop (br 0)) (i32.const 0)")),
        ("trapper", with_invoke("(unreachable)")),
        ("missing", with_invoke("(i32.const 7)")),
        (
            "divzero",
            with_invoke("(i32.div_s (i32.const 1) (i32.const 0))"),
        ),
        (
            "counter",
            // Counts down from 10 000: a fixed amount of execution gas.
            with_invoke(
                "(local $n i32) (local.set $n (i32.const 10000))
                 (loop (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                       (br_if 0 (local.get $n)))
                 (i32.const 0)",
            ),
        ),
        (
            "grower",
            with_invoke("(drop (memory.grow (i32.const 100))) (i32.const 0)"),
        ),
        (
            "recurse",
            wasm(
                r#"(module (memory (export "memory") 1)
                     (func $r (param i32) (result i32)
                       (call $r (i32.add (local.get 0) (i32.const 1))))
                     (func (export "invoke") (param i32) (result i32) (call $r (i32.const 0))))"#,
            ),
        ),
        (
            "importer",
            wasm(
                r#"(module (import "env" "nope" (func))
                     (memory (export "memory") 1)
                     (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#,
            ),
        ),
        (
            "starter",
            wasm(
                r#"(module (memory (export "memory") 1)
                     (func $s (drop (i32.add (i32.const 1) (i32.const 2))))
                     (start $s)
                     (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#,
            ),
        ),
        (
            "nomemory",
            wasm(r#"(module (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#),
        ),
        (
            "noinvoke",
            wasm(r#"(module (memory (export "memory") 1) (func (export "run")))"#),
        ),
        (
            "badinvoke",
            wasm(
                r#"(module (memory (export "memory") 1)
                     (func (export "invoke") (param i64) (result i32) (i32.const 0)))"#,
            ),
        ),
    ]
}

struct Pair {
    fern: Fern2Executor,
    oracle: Ref2Executor,
    genesis: Genesis2,
    /// Next sequence number of each account, by index.
    nonces: Vec<u64>,
    applied: usize,
}

impl Pair {
    fn new(base_fee: u64) -> Pair {
        let genesis = Genesis2::build(3, &actors()).expect("genesis");
        Pair {
            fern: fern2_executor(&genesis, base_fee).expect("Fern's nv17 executor"),
            oracle: ref2_executor(&genesis, base_fee).expect("ref-fvm 2.12 executor"),
            nonces: vec![0; genesis.accounts.len()],
            genesis,
            applied: 0,
        }
    }

    fn account(&self, i: usize) -> Address {
        self.genesis.accounts[i].1
    }

    fn actor(&self, name: &str) -> Address {
        Address::new_id(self.genesis.actor(name).expect("actor"))
    }

    /// A message from account `from` with the next nonce, 10 M gas, fee cap 200 and premium 10.
    fn message(&mut self, from: usize, to: Address, method: u64, value: TokenAmount) -> Message {
        let sequence = self.nonces[from];
        Message {
            version: 0,
            from: self.account(from),
            to,
            sequence,
            value,
            method_num: method,
            params: RawBytes::default(),
            gas_limit: 10_000_000,
            gas_fee_cap: TokenAmount::from_atto(200),
            gas_premium: TokenAmount::from_atto(10),
        }
    }

    /// Applies `msg` on both, expecting both to refuse it with an error (no receipt), and then
    /// the same state root on both.
    fn apply_refused(&mut self, msg: &Message) {
        self.applied += 1;
        let ours = apply_fern2(&mut self.fern, msg, false);
        let theirs = apply_ref2(&mut self.oracle, msg, false);
        assert!(
            ours.is_err() && theirs.is_err(),
            "message {}: expected both to refuse it:\n fern: {ours:?}\n  ref: {theirs:?}",
            self.applied
        );
        assert_eq!(
            flush_fern2(&mut self.fern).expect("Fern flush"),
            flush_ref2(&mut self.oracle).expect("ref-fvm flush"),
            "message {}: state roots differ",
            self.applied
        );
    }

    /// Applies `msg` on both, checks they agree (outcome, then state root), and returns the
    /// outcome; the sender's nonce advances when the message got past validation.
    fn apply(&mut self, msg: &Message, implicit: bool) -> Outcome2 {
        self.applied += 1;
        let ours = apply_fern2(&mut self.fern, msg, implicit);
        let theirs = apply_ref2(&mut self.oracle, msg, implicit);
        let (ours, theirs) = match (ours, theirs) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => panic!(
                "message {} ({msg:?}): fatal outcome differs or unexpected:\n fern: {a:?}\n  ref: {b:?}",
                self.applied
            ),
        };
        assert_eq!(ours, theirs, "message {}: {msg:?}", self.applied);
        let root_fern = flush_fern2(&mut self.fern).expect("Fern flush");
        let root_ref = flush_ref2(&mut self.oracle).expect("ref-fvm flush");
        assert_eq!(
            root_fern, root_ref,
            "message {}: state roots differ",
            self.applied
        );
        if let Some(i) = self.genesis.accounts.iter().position(|a| a.1 == msg.from) {
            let rejected = ours.gas_used == 0 && ours.exit_code != 0 && ours.fees[4] == "0";
            if !rejected && !implicit {
                self.nonces[i] += 1;
            }
        }
        ours
    }
}

const SYS_SENDER_INVALID: u32 = 1;
const SYS_SENDER_STATE_INVALID: u32 = 2;
const SYS_ILLEGAL_INSTRUCTION: u32 = 4;
const SYS_INVALID_RECEIVER: u32 = 5;
const SYS_INSUFFICIENT_FUNDS: u32 = 6;
const SYS_OUT_OF_GAS: u32 = 7;
const SYS_ASSERTION_FAILED: u32 = 10;
const SYS_MISSING_RETURN: u32 = 11;

#[test]
fn transfers_and_validation_match_ref_fvm_2() {
    let mut p = Pair::new(BASE_FEE2);
    let fil = TokenAmount::from_whole;

    // A plain transfer between existing accounts.
    let to = p.account(1);
    let m = p.message(0, to, 0, fil(5));
    assert_eq!(p.apply(&m, false).exit_code, 0);

    // To a new secp256k1 and a new BLS address: an account actor is created and constructed.
    let fresh = Address::new_secp256k1(&[7u8; 65]).unwrap();
    let m = p.message(0, fresh, 0, fil(1));
    let created = p.apply(&m, false);
    assert_eq!(created.exit_code, 0);
    let bls = Address::new_bls(&[3u8; 48]).unwrap();
    let m = p.message(1, bls, 0, fil(1));
    assert_eq!(p.apply(&m, false).exit_code, 0);
    // Again to the now existing one: no creation charge this time.
    let m = p.message(0, fresh, 0, fil(1));
    let again = p.apply(&m, false);
    assert!(again.gas_used < created.gas_used);

    // The BLS zero address is refused after the creation charge.
    let zero = Address::new_bls(&[0u8; 48]).unwrap();
    let mut zero_bytes = vec![0xc0];
    zero_bytes.extend([0u8; 47]);
    let zero_bls = Address::new_bls(&zero_bytes).unwrap();
    for to in [zero, zero_bls] {
        let m = p.message(2, to, 0, fil(1));
        p.apply(&m, false);
    }

    // Unknown id and actor addresses are invalid receivers; more value than the balance is
    // insufficient funds; sending to oneself moves nothing.
    let m = p.message(0, Address::new_id(4242), 0, fil(1));
    assert_eq!(p.apply(&m, false).exit_code, SYS_INVALID_RECEIVER);
    let m = p.message(0, Address::new_actor(b"nobody"), 0, fil(1));
    assert_eq!(p.apply(&m, false).exit_code, SYS_INVALID_RECEIVER);
    let m = p.message(0, p.account(1), 0, fil(20_000));
    assert_eq!(p.apply(&m, false).exit_code, SYS_INSUFFICIENT_FUNDS);
    let me = p.account(2);
    let m = p.message(2, me, 0, fil(1));
    assert_eq!(p.apply(&m, false).exit_code, 0);
    let m = p.message(2, Address::new_id(0), 0, TokenAmount::zero());
    assert_eq!(p.apply(&m, false).exit_code, 0);

    // Pre-validation: wrong nonce, unknown sender, a sender that is not an account, a gas limit
    // below the inclusion cost, a balance below the gas reservation.
    let mut m = p.message(0, to, 0, fil(1));
    m.sequence += 5;
    assert_eq!(p.apply(&m, false).exit_code, SYS_SENDER_STATE_INVALID);
    let mut m = p.message(0, to, 0, fil(1));
    m.from = Address::new_secp256k1(&[9u8; 65]).unwrap();
    assert_eq!(p.apply(&m, false).exit_code, SYS_SENDER_INVALID);
    let mut m = p.message(0, to, 0, fil(1));
    m.from = p.actor("returner");
    m.sequence = 0;
    assert_eq!(p.apply(&m, false).exit_code, SYS_SENDER_INVALID);
    let mut m = p.message(0, to, 0, fil(1));
    m.gas_limit = 100;
    assert_eq!(p.apply(&m, false).exit_code, SYS_OUT_OF_GAS);
    let mut m = p.message(0, to, 0, fil(1));
    m.gas_fee_cap = fil(1);
    assert_eq!(p.apply(&m, false).exit_code, SYS_SENDER_STATE_INVALID);

    // Fees: a fee cap below the base fee (penalty), a premium above the cap, no premium.
    let mut m = p.message(1, to, 0, fil(1));
    m.gas_fee_cap = TokenAmount::from_atto(BASE_FEE2 / 2);
    assert_eq!(p.apply(&m, false).exit_code, 0);
    let mut m = p.message(1, to, 0, fil(1));
    m.gas_premium = TokenAmount::from_atto(1_000);
    assert_eq!(p.apply(&m, false).exit_code, 0);
    let mut m = p.message(1, to, 0, fil(1));
    m.gas_premium = TokenAmount::zero();
    m.gas_limit = 1_000_000_000;
    assert_eq!(p.apply(&m, false).exit_code, 0);

    // Messages ref-fvm 2.x cannot take: an f4 receiver or sender (its address type has no
    // protocol 4), a zero gas limit, a negative fee cap (the reservation credits the sender,
    // then the payment of a negative amount fails; the sender keeps the credit and the new
    // sequence on both).
    let f4 = Address::new_delegated(10, &[1u8; 20]).unwrap();
    let m = p.message(0, f4, 0, fil(1));
    p.apply_refused(&m);
    let mut m = p.message(0, to, 0, fil(1));
    m.from = f4;
    p.apply_refused(&m);
    let mut m = p.message(0, to, 0, fil(1));
    m.gas_limit = 0;
    p.apply_refused(&m);
    let mut m = p.message(1, to, 0, fil(1));
    m.gas_fee_cap = TokenAmount::from_atto(-5);
    p.apply_refused(&m);
    p.nonces[1] += 1;
    let m = p.message(1, to, 0, fil(1));
    assert_eq!(p.apply(&m, false).exit_code, 0);

    // An implicit message from the system actor: no validation, no payment.
    let m = Message {
        version: 0,
        from: Address::new_id(0),
        to: p.account(1),
        sequence: 0,
        value: TokenAmount::zero(),
        method_num: 0,
        params: RawBytes::default(),
        gas_limit: 1_000_000,
        gas_fee_cap: TokenAmount::zero(),
        gas_premium: TokenAmount::zero(),
    };
    assert_eq!(p.apply(&m, true).exit_code, 0);
    assert!(p.applied >= 20);
}

#[test]
fn wasm_execution_matches_ref_fvm_2() {
    let mut p = Pair::new(BASE_FEE2);
    let call = |p: &mut Pair, name: &str, params: &[u8], gas_limit: u64| {
        let to = p.actor(name);
        let mut m = p.message(0, to, 2, TokenAmount::from_atto(5));
        m.params = RawBytes::new(params.to_vec());
        m.gas_limit = gas_limit;
        p.apply(&m, false)
    };

    let ret = call(&mut p, "returner", &[], 10_000_000);
    assert_eq!((ret.exit_code, ret.return_data.len()), (0, 0));
    // The parameters come back as the return value, and pay the return charge.
    let ret = call(&mut p, "echo", &[0x83, 1, 2, 3], 10_000_000);
    assert_eq!(ret.exit_code, 0);
    assert_eq!(ret.return_data, vec![0x83, 1, 2, 3]);
    let cheap = call(&mut p, "returner", &[], 10_000_000).gas_used;
    let counted = call(&mut p, "counter", &[], 10_000_000);
    assert_eq!(counted.exit_code, 0);
    assert!(counted.gas_used > cheap + 10_000, "{counted:?} vs {cheap}");
    // Out of gas in the loop, at several limits; the receipt uses the whole limit.
    for limit in [1_000_000, 3_000_000, 10_000_000] {
        let r = call(&mut p, "looper", &[], limit);
        assert_eq!((r.exit_code, r.gas_used), (SYS_OUT_OF_GAS, limit));
    }
    // Enough for the inclusion charge but not for the call.
    let r = call(&mut p, "counter", &[], 200_000);
    assert_eq!(r.exit_code, SYS_OUT_OF_GAS);
    for name in ["trapper", "divzero", "recurse"] {
        assert_eq!(
            call(&mut p, name, &[], 10_000_000).exit_code,
            SYS_ILLEGAL_INSTRUCTION,
            "{name}"
        );
    }
    assert_eq!(
        call(&mut p, "missing", &[], 10_000_000).exit_code,
        SYS_MISSING_RETURN
    );
    assert_eq!(call(&mut p, "grower", &[], 10_000_000).exit_code, 0);
    // Linking, instantiation and the exports: fatal on both, the whole limit used.
    for name in ["importer", "starter", "nomemory", "noinvoke", "badinvoke"] {
        let r = call(&mut p, name, &[], 10_000_000);
        assert_eq!(
            (r.exit_code, r.gas_used),
            (SYS_ASSERTION_FAILED, 10_000_000),
            "{name}"
        );
    }
    // Method 0 to an actor runs no code.
    let to = p.actor("trapper");
    let m = p.message(0, to, 0, TokenAmount::from_atto(1));
    assert_eq!(p.apply(&m, false).exit_code, 0);
}

#[test]
fn the_nv17_machine_refuses_other_layouts_and_versions() {
    use fern::machine::{Fvm2Machine, MachineContext};
    use fern_shared::version::NetworkVersion;
    use fern_testing::harness::TestExterns;

    let genesis = Genesis2::build(1, &[]).expect("genesis");
    let context = |root| MachineContext::new(1000, 30_000, root);
    assert!(Fvm2Machine::new(
        NetworkVersion::V17,
        context(genesis.state_root),
        genesis.store().unwrap(),
        TestExterns,
        None
    )
    .is_ok());
    let err = Fvm2Machine::new(
        NetworkVersion::V18,
        context(genesis.state_root),
        genesis.store().unwrap(),
        TestExterns,
        None,
    )
    .err()
    .expect("nv18 refused");
    assert!(
        format!("{err:#}").contains("network version 17 only"),
        "{err:#}"
    );

    // A layout-5 root (Fern's own genesis for later versions) is refused at nv17.
    let later = fern_testing::genesis::GenesisSpec::standard()
        .build()
        .expect("layout-5 genesis");
    let store = fvm_ipld_blockstore::MemoryBlockstore::new();
    for (cid, data) in &later.blocks {
        fvm_ipld_blockstore::Blockstore::put_keyed(&store, cid, data).unwrap();
    }
    let err = Fvm2Machine::new(
        NetworkVersion::V17,
        context(later.state_root),
        store,
        TestExterns,
        None,
    )
    .err()
    .expect("layout 5 refused");
    assert!(
        format!("{err:#}").contains("state tree version 5"),
        "{err:#}"
    );
}
