//! Probe actors for network version 17: hand-written Wasm modules that import all 36 syscalls
//! of the ref-fvm 2.x ABI, call some of them with valid and invalid arguments, store every
//! status and output in a 2 KiB result area and return that area as a block.
//!
//! They drive `tests/fvm2_syscalls.rs` (Fern against ref-fvm 2.12, message by message) and the
//! nv17 vectors of the corpus ([`crate::vectorgen`]). Each probe is an entry of the test
//! genesis's manifest ([`crate::ref_vm2::Genesis2`]), installed at [`FIRST_ACTOR_ID`] plus its
//! index in [`probes`].

use std::fmt::Write as _;

use cid::Cid;
use fern_shared::address::Address;
use multihash_codetable::{Code, MultihashDigest};

use crate::ref_vm2::{inert_actor, FIRST_ACTOR_ID};

/// Every nv17 import (module, name, parameters), with the Wasm signature ref-fvm 2.12 links (return pointer first for
/// the syscalls that yield a value).
pub const IMPORTS: &[(&str, &str, &str)] = &[
    ("vm", "abort", "(param i32 i32 i32)"),
    ("vm", "context", "(param i32)"),
    ("network", "base_fee", "(param i32)"),
    ("network", "total_fil_circ_supply", "(param i32)"),
    ("ipld", "block_open", "(param i32 i32)"),
    ("ipld", "block_create", "(param i32 i64 i32 i32)"),
    ("ipld", "block_read", "(param i32 i32 i32 i32 i32)"),
    ("ipld", "block_stat", "(param i32 i32)"),
    ("ipld", "block_link", "(param i32 i32 i64 i32 i32 i32)"),
    ("self", "root", "(param i32 i32 i32)"),
    ("self", "set_root", "(param i32)"),
    ("self", "current_balance", "(param i32)"),
    ("self", "self_destruct", "(param i32 i32)"),
    ("actor", "resolve_address", "(param i32 i32 i32)"),
    ("actor", "get_actor_code_cid", "(param i32 i64 i32 i32)"),
    ("actor", "new_actor_address", "(param i32 i32 i32)"),
    ("actor", "create_actor", "(param i64 i32)"),
    ("actor", "get_builtin_actor_type", "(param i32 i32)"),
    ("actor", "get_code_cid_for_type", "(param i32 i32 i32 i32)"),
    (
        "crypto",
        "verify_signature",
        "(param i32 i32 i32 i32 i32 i32 i32 i32)",
    ),
    ("crypto", "recover_secp_public_key", "(param i32 i32 i32)"),
    ("crypto", "hash", "(param i32 i64 i32 i32 i32 i32)"),
    (
        "crypto",
        "compute_unsealed_sector_cid",
        "(param i32 i64 i32 i32 i32 i32)",
    ),
    ("crypto", "verify_seal", "(param i32 i32 i32)"),
    ("crypto", "verify_post", "(param i32 i32 i32)"),
    (
        "crypto",
        "verify_consensus_fault",
        "(param i32 i32 i32 i32 i32 i32 i32)",
    ),
    ("crypto", "verify_aggregate_seals", "(param i32 i32 i32)"),
    ("crypto", "verify_replica_update", "(param i32 i32 i32)"),
    ("crypto", "batch_verify_seals", "(param i32 i32 i32)"),
    (
        "rand",
        "get_chain_randomness",
        "(param i32 i64 i64 i32 i32)",
    ),
    (
        "rand",
        "get_beacon_randomness",
        "(param i32 i64 i64 i32 i32)",
    ),
    ("gas", "charge", "(param i32 i32 i64)"),
    ("send", "send", "(param i32 i32 i32 i64 i32 i64 i64)"),
    ("debug", "log", "(param i32 i32)"),
    ("debug", "enabled", "(param i32)"),
    ("debug", "store_artifact", "(param i32 i32 i32 i32)"),
];

/// Start of the result area, returned as the invocation's block.
pub const RES: u32 = 0x1000;
/// Length of the result area.
pub const RES_LEN: u32 = 0x800;

fn escape(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "\\{b:02x}");
        s
    })
}

/// A probe actor: all imports, `data` segments (offset, bytes), and `body`, a list of WAT
/// instructions leaving nothing on the stack. `(st N <call>)` in the body stores a status at
/// result slot N (`RES + 4 N`). Outputs should point into `RES + 0x100 ..`.
pub fn probe(data: &[(u32, Vec<u8>)], body: &str) -> Vec<u8> {
    let mut wat = String::from("(module\n");
    for (m, n, sig) in IMPORTS {
        let _ = writeln!(
            wat,
            "  (import \"{m}\" \"{n}\" (func ${m}_{n} {sig} (result i32)))"
        );
    }
    wat.push_str("  (memory (export \"memory\") 1)\n");
    for (off, bytes) in data {
        let _ = writeln!(wat, "  (data (i32.const {off}) \"{}\")", escape(bytes));
    }
    let body = expand_st(body);
    let _ = write!(
        wat,
        "  (func (export \"invoke\") (param $p i32) (result i32)\n{body}\n    \
         (drop (call $ipld_block_create (i32.const 0x1f00) (i64.const 0x71) (i32.const {RES}) (i32.const {RES_LEN})))\n    \
         (i32.load (i32.const 0x1f00)))\n)"
    );
    wat::parse_str(&wat).unwrap_or_else(|e| panic!("probe does not assemble: {e}\n{wat}"))
}

/// Rewrites `(st N` into `(i32.store (i32.const RES+4N)`.
fn expand_st(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(i) = rest.find("(st ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 4..];
        let end = after.find(' ').expect("slot number");
        let slot: u32 = after[..end].parse().expect("slot number");
        let _ = write!(out, "(i32.store (i32.const {})", RES + 4 * slot);
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn code_cid(wasm: &[u8]) -> Cid {
    Cid::new_v1(0x55, Code::Blake2b256.digest(wasm))
}

fn secp(seed: u8) -> Address {
    let a = crate::genesis::secp_address(&[seed; 32]).unwrap();
    Address::from_bytes(&a.to_bytes()).unwrap()
}

/// `[h'', []]`-style CBOR of an empty list.
const EMPTY_LIST: &[u8] = &[0x80];

/// The probes, by name, in installation order: `context`, `ipld`, `actors`, `crypto`, `gas`,
/// `sender`, `returner`, `echo` (returns its parameters), `aborter` (aborts with the code in its
/// parameters, 4 little-endian bytes), `destroyer` (self-destructs), `deep` (sends to itself
/// until the call depth limit).
pub fn probes() -> Vec<(&'static str, Vec<u8>)> {
    let account_code = code_cid(&inert_actor("account")).to_bytes();
    let reward_code = code_cid(&inert_actor("reward")).to_bytes();
    let unknown_code = code_cid(b"not an actor").to_bytes();
    let f1 = secp(1).to_bytes();
    let unknown_f1 = secp(77).to_bytes();
    let me = |i: u64| Address::new_id(FIRST_ACTOR_ID + i).to_bytes();
    vec![
        (
            "context",
            probe(
                &[(0x100, f1.clone())],
                "(st 0 (call $vm_context (i32.const 0x1100)))
                 (st 1 (call $network_base_fee (i32.const 0x1140)))
                 (st 2 (call $network_total_fil_circ_supply (i32.const 0x1160)))
                 (st 3 (call $self_current_balance (i32.const 0x1180)))
                 (st 4 (call $self_root (i32.const 0x11a0) (i32.const 0x11c0) (i32.const 100)))
                 (st 5 (call $self_root (i32.const 0x11a4) (i32.const 0x11c0) (i32.const 10)))
                 (st 6 (call $debug_enabled (i32.const 0x1230)))
                 (st 7 (call $debug_log (i32.const 0x100) (i32.const 3)))
                 (st 8 (call $debug_store_artifact (i32.const 0x100) (i32.const 3) (i32.const 0) (i32.const 1)))
                 ;; no room for the return value
                 (st 9 (call $vm_context (i32.const 65530)))
                 (st 10 (call $network_base_fee (i32.const 70000)))",
            ),
        ),
        (
            "ipld",
            probe(
                &[(0x100, vec![0x83, 1, 2, 3]), (0x110, vec![0x82, 0x41, 0x07, 0xf6])],
                "(st 0 (call $ipld_block_create (i32.const 0x1100) (i64.const 0x71) (i32.const 0x100) (i32.const 4)))
                 (st 1 (call $ipld_block_stat (i32.const 0x1104) (i32.load (i32.const 0x1100))))
                 (st 2 (call $ipld_block_read (i32.const 0x1110) (i32.load (i32.const 0x1100)) (i32.const 1) (i32.const 0x1114) (i32.const 8)))
                 (st 3 (call $ipld_block_read (i32.const 0x1120) (i32.load (i32.const 0x1100)) (i32.const 9) (i32.const 0x1124) (i32.const 8)))
                 (st 4 (call $ipld_block_link (i32.const 0x1130) (i32.load (i32.const 0x1100)) (i64.const 0xb220) (i32.const 32) (i32.const 0x1140) (i32.const 64)))
                 (st 5 (call $ipld_block_open (i32.const 0x1190) (i32.const 0x1140)))
                 (st 6 (call $ipld_block_create (i32.const 0x11a0) (i64.const 0x55) (i32.const 0x100) (i32.const 4)))
                 (st 7 (call $ipld_block_link (i32.const 0x11a4) (i32.load (i32.const 0x1100)) (i64.const 0x12) (i32.const 32) (i32.const 0x11b0) (i32.const 64)))
                 (st 8 (call $ipld_block_link (i32.const 0x11a8) (i32.load (i32.const 0x1100)) (i64.const 0xb220) (i32.const 32) (i32.const 0x11b0) (i32.const 10)))
                 (st 9 (call $ipld_block_stat (i32.const 0x11e0) (i32.const 99)))
                 (st 10 (call $ipld_block_stat (i32.const 0x11e0) (i32.const 0)))
                 (st 11 (call $ipld_block_read (i32.const 0x11f0) (i32.load (i32.const 0x1100)) (i32.const 0x7ffffffe) (i32.const 0x1114) (i32.const 8)))
                 (st 12 (call $ipld_block_create (i32.const 0x11f4) (i64.const 0x71) (i32.const 0x110) (i32.const 4)))
                 (st 13 (call $self_set_root (i32.const 0x1140)))
                 (st 14 (call $self_root (i32.const 0x1200) (i32.const 0x1210) (i32.const 64)))
                 (st 15 (call $ipld_block_open (i32.const 0x1260) (i32.const 65535)))
                 (st 16 (call $ipld_block_create (i32.const 0x1270) (i64.const 0x71) (i32.const 65000) (i32.const 1000)))",
            ),
        ),
        (
            "actors",
            probe(
                &[
                    (0x100, f1.clone()),
                    (0x140, unknown_f1.clone()),
                    (0x180, account_code.clone()),
                    (0x1c0, reward_code.clone()),
                    (0x200, unknown_code.clone()),
                    (0x240, vec![0x00]),
                    (0x280, Address::new_delegated(10, &[1u8; 20]).unwrap().to_bytes()),
                ],
                "(st 0 (call $actor_resolve_address (i32.const 0x1100) (i32.const 0x100) (i32.const 21)))
                 (st 1 (call $actor_resolve_address (i32.const 0x1108) (i32.const 0x140) (i32.const 21)))
                 (st 2 (call $actor_resolve_address (i32.const 0x1110) (i32.const 0x240) (i32.const 1)))
                 (st 3 (call $actor_get_actor_code_cid (i32.const 0x1118) (i64.const 100) (i32.const 0x1120) (i32.const 64)))
                 (st 4 (call $actor_get_actor_code_cid (i32.const 0x1160) (i64.const 99999) (i32.const 0x1120) (i32.const 64)))
                 (st 5 (call $actor_new_actor_address (i32.const 0x1164) (i32.const 0x1170) (i32.const 21)))
                 (st 6 (call $actor_new_actor_address (i32.const 0x1188) (i32.const 0x1190) (i32.const 30)))
                 (st 7 (call $actor_new_actor_address (i32.const 0x11b0) (i32.const 0x11b4) (i32.const 20)))
                 (st 8 (call $actor_get_builtin_actor_type (i32.const 0x11d0) (i32.const 0x180)))
                 (st 9 (call $actor_get_builtin_actor_type (i32.const 0x11d4) (i32.const 0x200)))
                 (st 10 (call $actor_get_code_cid_for_type (i32.const 0x11d8) (i32.const 4) (i32.const 0x11e0) (i32.const 64)))
                 (st 11 (call $actor_get_code_cid_for_type (i32.const 0x1220) (i32.const 999) (i32.const 0x11e0) (i32.const 64)))
                 (st 12 (call $actor_create_actor (i64.const 5000) (i32.const 0x180)))
                 (st 13 (call $actor_create_actor (i64.const 5000) (i32.const 0x180)))
                 (st 14 (call $actor_create_actor (i64.const 5001) (i32.const 0x1c0)))
                 (st 15 (call $actor_create_actor (i64.const 5002) (i32.const 0x200)))
                 (st 16 (call $actor_create_actor (i64.const 5003) (i32.const 65535)))
                 ;; an f4 address: unknown to the nv17 ABI
                 (st 17 (call $actor_resolve_address (i32.const 0x1230) (i32.const 0x280) (i32.const 22)))",
            ),
        ),
        (
            "crypto",
            probe(
                &[
                    (0x100, f1.clone()),
                    (0x140, b"plaintext".to_vec()),
                    (0x160, vec![7u8; 65]),
                    (0x200, Address::new_id(100).to_bytes()),
                    (0x210, me(0)),
                    (0x220, EMPTY_LIST.to_vec()),
                    (0x230, vec![0xa0]),
                ],
                "(st 0 (call $crypto_hash (i32.const 0x1100) (i64.const 0x12) (i32.const 0x140) (i32.const 9) (i32.const 0x1104) (i32.const 64)))
                 (st 1 (call $crypto_hash (i32.const 0x1144) (i64.const 0xb220) (i32.const 0x140) (i32.const 9) (i32.const 0x1148) (i32.const 64)))
                 (st 2 (call $crypto_hash (i32.const 0x1188) (i64.const 0xb240) (i32.const 0x140) (i32.const 9) (i32.const 0x118c) (i32.const 64)))
                 (st 3 (call $crypto_hash (i32.const 0x11cc) (i64.const 0x1b) (i32.const 0x140) (i32.const 9) (i32.const 0x11d0) (i32.const 16)))
                 (st 4 (call $crypto_hash (i32.const 0x11e0) (i64.const 0x1053) (i32.const 0x140) (i32.const 9) (i32.const 0x11e4) (i32.const 64)))
                 (st 5 (call $crypto_hash (i32.const 0x1224) (i64.const 0x99) (i32.const 0x140) (i32.const 9) (i32.const 0x1228) (i32.const 64)))
                 (st 6 (call $crypto_hash (i32.const 0x1224) (i64.const 0x12) (i32.const 0x140) (i32.const 9) (i32.const 65530) (i32.const 64)))
                 (st 7 (call $crypto_verify_signature (i32.const 0x1270) (i32.const 1) (i32.const 0x160) (i32.const 65) (i32.const 0x100) (i32.const 21) (i32.const 0x140) (i32.const 9)))
                 (st 8 (call $crypto_verify_signature (i32.const 0x1274) (i32.const 1) (i32.const 0x160) (i32.const 65) (i32.const 0x200) (i32.const 2) (i32.const 0x140) (i32.const 9)))
                 (st 9 (call $crypto_verify_signature (i32.const 0x1278) (i32.const 2) (i32.const 0x160) (i32.const 65) (i32.const 0x210) (i32.const 3) (i32.const 0x140) (i32.const 9)))
                 (st 10 (call $crypto_verify_signature (i32.const 0x127c) (i32.const 3) (i32.const 0x160) (i32.const 65) (i32.const 0x100) (i32.const 21) (i32.const 0x140) (i32.const 9)))
                 (st 11 (call $crypto_recover_secp_public_key (i32.const 0x1280) (i32.const 0x160) (i32.const 0x160)))
                 (st 12 (call $crypto_compute_unsealed_sector_cid (i32.const 0x12d0) (i64.const 3) (i32.const 0x220) (i32.const 1) (i32.const 0x12d4) (i32.const 64)))
                 (st 13 (call $crypto_compute_unsealed_sector_cid (i32.const 0x1320) (i64.const 12) (i32.const 0x220) (i32.const 1) (i32.const 0x12d4) (i32.const 64)))
                 (st 14 (call $crypto_compute_unsealed_sector_cid (i32.const 0x1320) (i64.const 3) (i32.const 0x230) (i32.const 1) (i32.const 0x12d4) (i32.const 64)))
                 (st 15 (call $crypto_verify_consensus_fault (i32.const 0x1330) (i32.const 0x140) (i32.const 9) (i32.const 0x140) (i32.const 9) (i32.const 0x140) (i32.const 0)))
                 (st 16 (call $crypto_verify_seal (i32.const 0x1350) (i32.const 0x230) (i32.const 1)))
                 (st 17 (call $crypto_batch_verify_seals (i32.const 0x220) (i32.const 1) (i32.const 0x1360)))
                 (st 18 (call $crypto_verify_aggregate_seals (i32.const 0x1364) (i32.const 0x230) (i32.const 1)))
                 (st 19 (call $crypto_verify_post (i32.const 0x1368) (i32.const 0x230) (i32.const 1)))
                 (st 20 (call $crypto_verify_replica_update (i32.const 0x136c) (i32.const 0x230) (i32.const 1)))
                 (st 21 (call $rand_get_chain_randomness (i32.const 0x1380) (i64.const 7) (i64.const 900) (i32.const 0x140) (i32.const 9)))
                 (st 22 (call $rand_get_beacon_randomness (i32.const 0x13a0) (i64.const -3) (i64.const 901) (i32.const 0x140) (i32.const 0)))
                 (st 23 (call $rand_get_chain_randomness (i32.const 0x13c0) (i64.const 7) (i64.const 900) (i32.const 65000) (i32.const 900)))",
            ),
        ),
        (
            "gas",
            probe(
                &[(0x100, b"probe".to_vec()), (0x110, vec![0xff, 0xfe])],
                "(st 0 (call $gas_charge (i32.const 0x100) (i32.const 5) (i64.const 123456)))
                 (st 1 (call $gas_charge (i32.const 0x100) (i32.const 5) (i64.const -50000)))
                 (st 2 (call $gas_charge (i32.const 0x110) (i32.const 2) (i64.const 1)))
                 (st 3 (call $gas_charge (i32.const 65535) (i32.const 5) (i64.const 1)))",
            ),
        ),
        (
            "sender",
            probe(
                &[
                    (0x100, f1.clone()),
                    (0x140, unknown_f1.clone()),
                    (0x180, Address::new_id(99999).to_bytes()),
                    (0x1a0, me(7)),
                    (0x1c0, vec![0x83, 1, 2, 3]),
                    (0x1e0, Address::new_actor(b"unknown").to_bytes()),
                ],
                ";; value to an existing account, and to a new f1 address (account created)
                 (st 0 (call $send_send (i32.const 0x1100) (i32.const 0x100) (i32.const 21) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 1000)))
                 (st 1 (call $send_send (i32.const 0x1120) (i32.const 0x140) (i32.const 21) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 7)))
                 ;; unknown id and actor addresses, more value than the balance
                 (st 2 (call $send_send (i32.const 0x1140) (i32.const 0x180) (i32.const 4) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 1)))
                 (st 3 (call $send_send (i32.const 0x1160) (i32.const 0x1e0) (i32.const 21) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 1)))
                 (st 4 (call $send_send (i32.const 0x1180) (i32.const 0x100) (i32.const 21) (i64.const 0) (i32.const 0) (i64.const 1000) (i64.const 0)))
                 ;; a call with a parameters block to the echo actor, which returns it
                 (st 5 (call $ipld_block_create (i32.const 0x11a0) (i64.const 0x71) (i32.const 0x1c0) (i32.const 4)))
                 (st 6 (call $send_send (i32.const 0x11b0) (i32.const 0x1a0) (i32.const 3) (i64.const 2) (i32.load (i32.const 0x11a0)) (i64.const 0) (i64.const 5)))
                 (st 7 (call $ipld_block_read (i32.const 0x11d0) (i32.load (i32.const 0x11b4)) (i32.const 0) (i32.const 0x11d4) (i32.const 8)))
                 ;; an invalid parameters handle
                 (st 8 (call $send_send (i32.const 0x11e0) (i32.const 0x1a0) (i32.const 3) (i64.const 2) (i32.const 77) (i64.const 0) (i64.const 0)))
                 ;; a bad recipient address
                 (st 9 (call $send_send (i32.const 0x1200) (i32.const 0x1c0) (i32.const 4) (i64.const 2) (i32.const 0) (i64.const 0) (i64.const 0)))",
            ),
        ),
        ("returner", probe(&[], "")),
        (
            "echo",
            wat::parse_str(
                r#"(module (memory (export "memory") 1)
                     (func (export "invoke") (param i32) (result i32) (local.get 0)))"#,
            )
            .unwrap(),
        ),
        (
            "aborter",
            probe(
                &[(0x100, b"why".to_vec())],
                "(drop (call $ipld_block_read (i32.const 0x1f10) (local.get $p) (i32.const 0) (i32.const 0x1f20) (i32.const 4)))
                 (drop (call $vm_abort (i32.load (i32.const 0x1f20)) (i32.const 0x100) (i32.const 3)))",
            ),
        ),
        (
            "destroyer",
            probe(
                &[(0x100, f1.clone()), (0x140, me(9)), (0x160, Address::new_id(99999).to_bytes())],
                "(st 0 (call $self_self_destruct (i32.const 0x160) (i32.const 4)))
                 (st 1 (call $self_self_destruct (i32.const 0x140) (i32.const 3)))
                 (st 2 (call $self_self_destruct (i32.const 0x100) (i32.const 21)))
                 (st 3 (call $self_root (i32.const 0x1100) (i32.const 0x1110) (i32.const 64)))
                 (st 4 (call $self_current_balance (i32.const 0x1150)))
                 (st 5 (call $self_set_root (i32.const 0x1110)))",
            ),
        ),
        (
            "deep",
            // Sends to itself (method 2) until a send fails; returns the status of the failing
            // send from the innermost frame, and each frame aborts with 16 + its status if
            // the inner call failed.
            probe(
                &[(0x100, me(10))],
                "(st 0 (call $send_send (i32.const 0x1100) (i32.const 0x100) (i32.const 3) (i64.const 2) (i32.const 0) (i64.const 0) (i64.const 0)))",
            ),
        ),
    ]
}
