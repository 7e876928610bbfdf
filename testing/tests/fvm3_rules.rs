//! Network versions 18 to 20 against their oracle, ref-fvm 3.14 (issue 12): every message runs
//! on both VMs through [`Pair`], which panics on any difference in exit code, return, gas (every
//! charge, by name and split), events, trace or state root.
//!
//! - Fern's own bundle at nv18, nv19 and nv20: transfers, account and placeholder creation,
//!   pre-validation failures, actors that link and actors that do not (the v4 `emit_event`).
//! - A hand-written actor importing the ref-fvm 3.x syscall set, driving each syscall whose
//!   meaning differs from 4.x with good and bad arguments: events as one CBOR buffer,
//!   randomness with personalisation and entropy, tipset CIDs within finality, self-destruct to
//!   a beneficiary, IPLD without reachability (any stored block opens, any root can be set,
//!   codecs checked after the charge), and sends at the call-depth limit with a gas limit (the
//!   gas-limit leak of 3.x).
//! - Modules the 3.x linker refuses (4.x-only imports) and one without `invoke`.

use fern_testing::harness::*;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::version::NetworkVersion;
use fvm_shared::ActorID;

/// The versions ref-fvm 3.14 runs.
const NVS: [NetworkVersion; 3] = [
    NetworkVersion::V18,
    NetworkVersion::V19,
    NetworkVersion::V20,
];

/// The ref-fvm 3.x syscall actor.
const V3: ActorID = 3000;
/// A second copy, to be a beneficiary and a send target.
const V3B: ActorID = 3001;

/// Reads its parameters as `[op: u32][a: i64][b: i64][payload]` (little-endian) and performs
/// one syscall of the ref-fvm 3.x set. Failures exit with 32 + the error number; successes exit
/// 0, returning a raw block with the syscall's output where it has one.
///
/// - 1: `event::emit_event(payload)`;
/// - 2 / 3: `rand::get_chain_randomness` / `get_beacon_randomness(pers a, round b, entropy
///   payload)`, returning the 32 bytes;
/// - 4: `network::tipset_cid(a)`, returning the CID bytes;
/// - 5: `self::self_destruct(payload as address)`;
/// - 6: `ipld::block_open(payload as CID)`, returning the opened block;
/// - 7: `ipld::block_create(codec a, payload)`, returning the block;
/// - 8: `self::set_root(payload as CID)`;  9: `self::root`, returning the CID bytes;
/// - 10: send itself `[10, a]` with gas limit `a` until the call depth is exhausted; exit with
///   16 + the callee's code, or 50 + the send's error number;
/// - 11: `vm::exit` with code `a`;
/// - 12: `crypto::compute_unsealed_sector_cid(seal proof a, payload as pieces)`, returning the CID;
/// - 13: `block_create(DAG-CBOR, payload)`, `block_link` it and make it the state root.
const V3_ACTOR: &str = r#"(module
  (import "vm" "exit" (func $exit (param i32 i32 i32 i32) (result i32)))
  (import "ipld" "block_read" (func $block_read (param i32 i32 i32 i32 i32) (result i32)))
  (import "ipld" "block_stat" (func $block_stat (param i32 i32) (result i32)))
  (import "ipld" "block_create" (func $block_create (param i32 i64 i32 i32) (result i32)))
  (import "ipld" "block_open" (func $block_open (param i32 i32) (result i32)))
  (import "event" "emit_event" (func $emit (param i32 i32) (result i32)))
  (import "rand" "get_chain_randomness" (func $chain_rand (param i32 i64 i64 i32 i32) (result i32)))
  (import "rand" "get_beacon_randomness" (func $beacon_rand (param i32 i64 i64 i32 i32) (result i32)))
  (import "network" "tipset_cid" (func $tipset_cid (param i32 i64 i32 i32) (result i32)))
  (import "self" "self_destruct" (func $self_destruct (param i32 i32) (result i32)))
  (import "self" "root" (func $root (param i32 i32 i32) (result i32)))
  (import "self" "set_root" (func $set_root (param i32) (result i32)))
  (import "send" "send" (func $send (param i32 i32 i32 i64 i32 i64 i64 i64 i64) (result i32)))
  (import "crypto" "compute_unsealed_sector_cid" (func $commd (param i32 i64 i32 i32 i32 i32) (result i32)))
  (import "ipld" "block_link" (func $block_link (param i32 i32 i64 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; Its own address (f03000) for op 10.
  (data (i32.const 0x80) "\00\b8\17")
  (func $fail (param $e i32)
    (drop (call $exit (i32.add (i32.const 32) (local.get $e)) (i32.const 0) (i32.const 0) (i32.const 0))))
  ;; Returns `len` bytes at `off` as a raw block.
  (func $give (param $off i32) (param $len i32)
    (local $e i32)
    (local.set $e (call $block_create (i32.const 0x10) (i64.const 0x55) (local.get $off) (local.get $len)))
    (if (local.get $e) (then (call $fail (local.get $e))))
    (drop (call $exit (i32.const 0) (i32.load (i32.const 0x10)) (i32.const 0) (i32.const 0))))
  (func (export "invoke") (param $p i32) (result i32)
    (local $op i32) (local $a i64) (local $b i64) (local $n i32) (local $e i32)
    (if (i32.eqz (local.get $p)) (then (return (i32.const 0))))
    (drop (call $block_stat (i32.const 0x20) (local.get $p)))
    (local.set $n (i32.load (i32.const 0x28)))
    (drop (call $block_read (i32.const 0x10) (local.get $p) (i32.const 0) (i32.const 0x1000) (local.get $n)))
    (local.set $op (i32.load (i32.const 0x1000)))
    (local.set $a (i64.load (i32.const 0x1004)))
    (local.set $b (i64.load (i32.const 0x100c)))
    ;; The payload: 0x1014, length n - 20 (zero when shorter).
    (local.set $n (select (i32.sub (local.get $n) (i32.const 20)) (i32.const 0) (i32.gt_u (local.get $n) (i32.const 20))))
    (if (i32.eq (local.get $op) (i32.const 1))
      (then (local.set $e (call $emit (i32.const 0x1014) (local.get $n)))))
    (if (i32.eq (local.get $op) (i32.const 2))
      (then
        (local.set $e (call $chain_rand (i32.const 0x3000) (local.get $a) (local.get $b) (i32.const 0x1014) (local.get $n)))
        (if (i32.eqz (local.get $e)) (then (call $give (i32.const 0x3000) (i32.const 32))))))
    (if (i32.eq (local.get $op) (i32.const 3))
      (then
        (local.set $e (call $beacon_rand (i32.const 0x3000) (local.get $a) (local.get $b) (i32.const 0x1014) (local.get $n)))
        (if (i32.eqz (local.get $e)) (then (call $give (i32.const 0x3000) (i32.const 32))))))
    (if (i32.eq (local.get $op) (i32.const 4))
      (then
        (local.set $e (call $tipset_cid (i32.const 0x30) (local.get $a) (i32.const 0x3000) (i32.const 100)))
        (if (i32.eqz (local.get $e)) (then (call $give (i32.const 0x3000) (i32.load (i32.const 0x30)))))))
    (if (i32.eq (local.get $op) (i32.const 5))
      (then (local.set $e (call $self_destruct (i32.const 0x1014) (local.get $n)))))
    (if (i32.eq (local.get $op) (i32.const 6))
      (then
        (local.set $e (call $block_open (i32.const 0x40) (i32.const 0x1014)))
        (if (i32.eqz (local.get $e))
          (then (drop (call $exit (i32.const 0) (i32.load (i32.const 0x48)) (i32.const 0) (i32.const 0)))))))
    (if (i32.eq (local.get $op) (i32.const 7))
      (then
        (local.set $e (call $block_create (i32.const 0x10) (local.get $a) (i32.const 0x1014) (local.get $n)))
        (if (i32.eqz (local.get $e))
          (then (drop (call $exit (i32.const 0) (i32.load (i32.const 0x10)) (i32.const 0) (i32.const 0)))))))
    (if (i32.eq (local.get $op) (i32.const 8))
      (then (local.set $e (call $set_root (i32.const 0x1014)))))
    (if (i32.eq (local.get $op) (i32.const 9))
      (then
        (local.set $e (call $root (i32.const 0x30) (i32.const 0x3000) (i32.const 100)))
        (if (i32.eqz (local.get $e)) (then (call $give (i32.const 0x3000) (i32.load (i32.const 0x30)))))))
    (if (i32.eq (local.get $op) (i32.const 10))
      (then
        ;; Params [10, a] as a raw block, then send to itself with gas limit a.
        (i32.store (i32.const 0x2000) (i32.const 10))
        (i64.store (i32.const 0x2004) (local.get $a))
        (i64.store (i32.const 0x200c) (i64.const 0))
        (local.set $e (call $block_create (i32.const 0x10) (i64.const 0x55) (i32.const 0x2000) (i32.const 20)))
        (if (local.get $e) (then (call $fail (local.get $e))))
        (local.set $e (call $send (i32.const 0x100) (i32.const 0x80) (i32.const 3) (i64.const 2)
          (i32.load (i32.const 0x10)) (i64.const 0) (i64.const 0) (local.get $a) (i64.const 0)))
        (if (local.get $e)
          (then (drop (call $exit (i32.add (i32.const 50) (local.get $e)) (i32.const 0) (i32.const 0) (i32.const 0)))))
        (drop (call $exit (i32.add (i32.const 16) (i32.load (i32.const 0x100))) (i32.const 0) (i32.const 0) (i32.const 0)))))
    (if (i32.eq (local.get $op) (i32.const 12))
      (then
        (local.set $e (call $commd (i32.const 0x30) (local.get $a) (i32.const 0x1014) (local.get $n) (i32.const 0x3000) (i32.const 100)))
        (if (i32.eqz (local.get $e)) (then (call $give (i32.const 0x3000) (i32.load (i32.const 0x30)))))))
    (if (i32.eq (local.get $op) (i32.const 13))
      (then
        (local.set $e (call $block_create (i32.const 0x10) (i64.const 0x71) (i32.const 0x1014) (local.get $n)))
        (if (local.get $e) (then (call $fail (local.get $e))))
        (local.set $e (call $block_link (i32.const 0x30) (i32.load (i32.const 0x10)) (i64.const 0xb220) (i32.const 32) (i32.const 0x3000) (i32.const 100)))
        (if (local.get $e) (then (call $fail (local.get $e))))
        (local.set $e (call $set_root (i32.const 0x3000)))))
    (if (i32.eq (local.get $op) (i32.const 11))
      (then (drop (call $exit (i32.wrap_i64 (local.get $a)) (i32.const 0) (i32.const 0) (i32.const 0)))))
    (if (local.get $e) (then (call $fail (local.get $e))))
    (i32.const 0))
)"#;

/// A module importing the 4.x `emit_event` (six arguments): it cannot link under 3.x rules.
const V4_EVENT_ACTOR: &str = r#"(module
  (import "event" "emit_event" (func $emit (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#;

/// A module importing `crypto::verify_bls_aggregate`, which 3.x does not have.
const BLS_AGGREGATE_ACTOR: &str = r#"(module
  (import "crypto" "verify_bls_aggregate" (func $v (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#;

/// A module without `invoke`.
const NO_INVOKE_ACTOR: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "run") (param i32) (result i32) (i32.const 0)))"#;

/// A module whose `invoke` has another type.
const BAD_INVOKE_ACTOR: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "invoke") (param i64) (result i32) (i32.const 0)))"#;

fn wasm(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).expect("valid WAT")
}

/// Parameters `[op][a][b][payload]`.
fn params(op: u32, a: i64, b: i64, payload: &[u8]) -> RawBytes {
    let mut out = op.to_le_bytes().to_vec();
    out.extend_from_slice(&a.to_le_bytes());
    out.extend_from_slice(&b.to_le_bytes());
    out.extend_from_slice(payload);
    RawBytes::new(out)
}

/// A pair at `nv` with three accounts and the 3.x actor installed twice.
fn pair(nv: NetworkVersion) -> Pair {
    let v3 = wasm(V3_ACTOR);
    Pair::with_actors(nv, 3, &[(V3, &v3), (V3B, &v3)])
}

/// Sends `params` to `to` from account 0, method 2, and returns the exit code.
fn call(p: &mut Pair, seq: &mut u64, to: ActorID, params: RawBytes) -> u32 {
    call_with(p, seq, to, params, 50_000_000)
}

fn call_with(p: &mut Pair, seq: &mut u64, to: ActorID, params: RawBytes, gas_limit: u64) -> u32 {
    let mut m = msg(
        p.account(0),
        Address::new_id(to),
        *seq,
        TokenAmount::from_atto(0),
        2,
        params,
    );
    m.gas_limit = gas_limit;
    *seq += 1;
    p.apply(m).exit_code.value()
}

/// CBOR of an event: `entries` of (flags, key, codec, value).
fn event(entries: &[(u64, &str, u64, &[u8])]) -> Vec<u8> {
    let entries: Vec<(u64, &str, u64, fvm_ipld_encoding::BytesSer)> = entries
        .iter()
        .map(|(f, k, c, v)| (*f, *k, *c, fvm_ipld_encoding::BytesSer(v)))
        .collect();
    fvm_ipld_encoding::to_vec(&entries).expect("events encode")
}

#[test]
fn transfers_and_account_creation_match_ref_fvm_3() {
    on_deep_stack(|| {
        for nv in NVS {
            let mut p = Pair::new(nv, 3);
            let (a0, a1) = (p.account(0), p.account(1));
            let value = |n: u64| TokenAmount::from_atto(n);
            // A plain transfer, one to a new f1 (auto-created account: the implicit constructor
            // shows in 3.x traces), one to a new f4 (placeholder), one over the balance.
            assert_eq!(
                p.apply(msg(a0, a1, 0, value(1000), 0, RawBytes::default()))
                    .exit_code
                    .value(),
                0
            );
            let fresh = secp_address(77);
            assert_eq!(
                p.apply(msg(a0, fresh, 1, value(5), 0, RawBytes::default()))
                    .exit_code
                    .value(),
                0
            );
            let f4 = Address::new_delegated(10, &[0xab; 20]).unwrap();
            assert_eq!(
                p.apply(msg(a0, f4, 2, value(7), 0, RawBytes::default()))
                    .exit_code
                    .value(),
                0
            );
            let over = msg(
                a0,
                a1,
                3,
                TokenAmount::from_whole(1_000_000),
                0,
                RawBytes::default(),
            );
            assert_ne!(p.apply(over).exit_code.value(), 0);
            // Pre-validation: a wrong nonce, a gas limit below the inclusion cost.
            assert_ne!(
                p.apply(msg(a0, a1, 9, value(1), 0, RawBytes::default()))
                    .exit_code
                    .value(),
                0
            );
            let mut low = msg(a0, a1, 4, value(1), 0, RawBytes::default());
            low.gas_limit = 1000;
            assert_ne!(p.apply(low).exit_code.value(), 0);
            // A call to a method the account actor does not have.
            assert_ne!(
                p.apply(msg(a1, a0, 0, value(1), 3, RawBytes::default()))
                    .exit_code
                    .value(),
                0
            );
        }
    });
}

#[test]
fn fvm3_syscalls_match_ref_fvm_3() {
    on_deep_stack(|| {
        for nv in NVS {
            let mut p = pair(nv);
            let mut seq = 0;
            let mut codes = Vec::new();
            // Events: valid (raw values, indexed flags, unknown flag bits kept), then each
            // refusal: bad CBOR, trailing bytes, 257 entries, a 33-byte key, a CBOR value,
            // values over 8 KiB, and an empty event.
            let raw = 0x55;
            let good = event(&[(3, "topic1", raw, b"abc"), (1, "k", raw, &[0; 32])]);
            codes.push(call(&mut p, &mut seq, V3, params(1, 0, 0, &good)));
            codes.push(call(
                &mut p,
                &mut seq,
                V3,
                params(1, 0, 0, &event(&[(0xff00, "x", raw, b"")])),
            ));
            codes.push(call(&mut p, &mut seq, V3, params(1, 0, 0, &[0x9f, 0x01])));
            let mut trailing = good.clone();
            trailing.push(0);
            codes.push(call(&mut p, &mut seq, V3, params(1, 0, 0, &trailing)));
            let many: Vec<(u64, &str, u64, &[u8])> =
                (0..257).map(|_| (0, "k", raw, &b""[..])).collect();
            codes.push(call(&mut p, &mut seq, V3, params(1, 0, 0, &event(&many))));
            let max: Vec<(u64, &str, u64, &[u8])> =
                (0..256).map(|_| (0, "k", raw, &b""[..])).collect();
            codes.push(call(&mut p, &mut seq, V3, params(1, 0, 0, &event(&max))));
            let long_key = "k".repeat(33);
            codes.push(call(
                &mut p,
                &mut seq,
                V3,
                params(1, 0, 0, &event(&[(0, &long_key, raw, b"")])),
            ));
            let key32 = "k".repeat(32);
            codes.push(call(
                &mut p,
                &mut seq,
                V3,
                params(1, 0, 0, &event(&[(0, &key32, raw, b"")])),
            ));
            codes.push(call(
                &mut p,
                &mut seq,
                V3,
                params(1, 0, 0, &event(&[(0, "k", 0x51, b"\x80")])),
            ));
            let big = vec![7u8; 4097];
            codes.push(call(
                &mut p,
                &mut seq,
                V3,
                params(1, 0, 0, &event(&[(0, "a", raw, &big), (0, "b", raw, &big)])),
            ));
            codes.push(call(&mut p, &mut seq, V3, params(1, 0, 0, &event(&[]))));
            // Randomness: both sources, with and without entropy, past, current and future
            // rounds, negative personalisation.
            for op in [2, 3] {
                codes.push(call(&mut p, &mut seq, V3, params(op, 7, EPOCH - 10, b"")));
                codes.push(call(&mut p, &mut seq, V3, params(op, -3, EPOCH, &[9; 40])));
                codes.push(call(&mut p, &mut seq, V3, params(op, 1, EPOCH + 5, b"e")));
                codes.push(call(&mut p, &mut seq, V3, params(op, 1, 0, b"")));
            }
            // Tipset CIDs: the previous one, older ones, the finality edge, bad epochs.
            for epoch in [
                EPOCH - 1,
                EPOCH - 2,
                EPOCH - 899,
                EPOCH - 900,
                EPOCH,
                EPOCH + 1,
                -1,
            ] {
                codes.push(call(&mut p, &mut seq, V3, params(4, epoch, 0, b"")));
            }
            // IPLD without reachability: open the actor's own state block by CID (reachable
            // in 4.x too) and a block in the store that nothing links (4.x: NotFound), create
            // blocks with allowed and refused codecs, set an unreachable root, read the root.
            let empty_list = cid::Cid::new_v1(
                0x71,
                multihash_codetable::MultihashDigest::digest(
                    &multihash_codetable::Code::Blake2b256,
                    &[0x80],
                ),
            );
            codes.push(call(
                &mut p,
                &mut seq,
                V3,
                params(6, 0, 0, &empty_list.to_bytes()),
            ));
            let bundle_code = p.code("account");
            codes.push(call(
                &mut p,
                &mut seq,
                V3,
                params(6, 0, 0, &bundle_code.to_bytes()),
            ));
            codes.push(call(&mut p, &mut seq, V3, params(6, 0, 0, &[1, 2, 3])));
            for codec in [0x55, 0x51, 0x71, 0x70, 0] {
                codes.push(call(
                    &mut p,
                    &mut seq,
                    V3,
                    params(7, codec, 0, b"\x82\x01\x02"),
                ));
            }
            codes.push(call(
                &mut p,
                &mut seq,
                V3,
                params(8, 0, 0, &bundle_code.to_bytes()),
            ));
            codes.push(call(&mut p, &mut seq, V3, params(9, 0, 0, b"")));
            codes.push(call(
                &mut p,
                &mut seq,
                V3,
                params(8, 0, 0, &empty_list.to_bytes()),
            ));
            // Unsealed-sector CIDs of no pieces: known proof types, a non-interactive PoRep type
            // (unknown to ref-fvm 3.x: refused before any charge), an invalid one.
            for proof in [0, 5, 15, 19, 20] {
                codes.push(call(&mut p, &mut seq, V3, params(12, proof, 0, &[0x80])));
            }
            // A DAG-CBOR state root whose item counts wrap around when the flush walks it for
            // links (an array of 2^64 - 1 items, then a map of 2^63 entries): ref-fvm adds
            // counts unchecked, so its release builds end the walk early and flush.
            let wrapping_array = [
                0x82, 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
            ];
            codes.push(call(
                &mut p,
                &mut seq,
                V3,
                params(13, 0, 0, &wrapping_array),
            ));
            let wrapping_map = [0xbb, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x01];
            codes.push(call(&mut p, &mut seq, V3, params(13, 0, 0, &wrapping_map)));
            // Self-destruct: a bad address, itself, an unknown f1, then the other copy.
            codes.push(call(&mut p, &mut seq, V3B, params(5, 0, 0, &[0xff, 1])));
            codes.push(call(
                &mut p,
                &mut seq,
                V3B,
                params(5, 0, 0, &Address::new_id(V3B).to_bytes()),
            ));
            codes.push(call(
                &mut p,
                &mut seq,
                V3B,
                params(5, 0, 0, &secp_address(99).to_bytes()),
            ));
            codes.push(call(
                &mut p,
                &mut seq,
                V3B,
                params(5, 0, 0, &Address::new_id(4242).to_bytes()),
            ));
            codes.push(call(
                &mut p,
                &mut seq,
                V3B,
                params(5, 0, 0, &Address::new_id(V3).to_bytes()),
            ));
            codes.push(call(&mut p, &mut seq, V3B, params(11, 0, 0, b"")));
            // Exit codes across the range.
            for code in [0, 1, 16, 17, 255, 1 << 20] {
                codes.push(call(&mut p, &mut seq, V3, params(11, code, 0, b"")));
            }
            assert!(codes.contains(&0) && codes.contains(&(32 + 1)));
            assert!(
                codes.contains(&(32 + 9)),
                "IllegalCodec somewhere: {codes:?}"
            );
            if trace_enabled() {
                eprintln!("nv{}: {codes:?}", u32::from(nv));
            }
        }
    });
}

#[test]
fn send_at_the_depth_limit_with_a_gas_limit_matches_ref_fvm_3() {
    // ref-fvm 3.x leaks the gas limit a send pushed when the call depth refuses it; the
    // receipt's gas then leaves out what was used before. Both VMs must agree on every number.
    on_deep_stack(|| {
        let nv = NetworkVersion::V18;
        let mut p = pair(nv);
        let mut seq = 0;
        for limit in [u64::MAX, 9_000_000_000, 5_000_000] {
            let code = call_with(
                &mut p,
                &mut seq,
                V3,
                params(10, limit as i64, 0, b""),
                10_000_000_000,
            );
            if trace_enabled() {
                eprintln!("gas limit {limit}: exit {code}");
            }
        }
    });
}

#[test]
fn modules_the_fvm3_linker_refuses_match_ref_fvm_3() {
    on_deep_stack(|| {
        for nv in NVS {
            let (ev, bls, none, bad) = (
                wasm(V4_EVENT_ACTOR),
                wasm(BLS_AGGREGATE_ACTOR),
                wasm(NO_INVOKE_ACTOR),
                wasm(BAD_INVOKE_ACTOR),
            );
            let mut p = Pair::with_actors(
                nv,
                2,
                &[(4000, &ev), (4001, &bls), (4002, &none), (4003, &bad)],
            );
            let mut seq = 0;
            for id in 4000..4004 {
                let code = call(&mut p, &mut seq, id, RawBytes::default());
                assert_ne!(code, 0, "actor {id} at nv{}", u32::from(nv));
            }
        }
    });
}
