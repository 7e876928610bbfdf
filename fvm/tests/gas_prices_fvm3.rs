//! Fern's prices for network versions 18 to 20 (the Hygge table, ref-fvm 3.x rules) against
//! ref-fvm 3.14, charge by charge: name, compute gas and other gas, over sweeps of sizes.
//! (nv21 on is compared with ref-fvm 4.8 in `gas_prices.rs`.)

use fern::gas as fg;
use fern_shared::crypto::{SignatureType as FSig, SupportedHashes as FHash};
use fern_shared::sector::RegisteredPoStProof as FPoSt;
use fern_shared::version::NetworkVersion as FNv;

use fvm3::gas as og;
use fvm3::kernel::SupportedHashes as OHash;
use fvm3_shared::crypto::signature::SignatureType as OSig;
use fvm3_shared::event::{ActorEvent, Entry, Flags};
use fvm3_shared::randomness::Randomness;
use fvm3_shared::sector::{
    AggregateSealVerifyInfo, AggregateSealVerifyProofAndInfos, PoStProof, RegisteredAggregateProof,
    RegisteredPoStProof as OPoSt, RegisteredSealProof as OSeal, SectorInfo, WindowPoStVerifyInfo,
};
use fvm3_shared::version::NetworkVersion as ONv;

fn versions() -> Vec<(u32, &'static fg::PriceList, &'static og::PriceList)> {
    (18u32..=20)
        .map(|v| {
            let fern = fg::price_list_for(FNv::new(v)).expect("fern supports nv18..nv20");
            let oracle = og::price_list_by_network_version(ONv::from(v));
            (v, fern, oracle)
        })
        .collect()
}

#[track_caller]
fn same(fern: fg::GasCharge, oracle: og::GasCharge, what: &str) {
    assert_eq!(fern.name.as_ref(), oracle.name.as_ref(), "name of {what}");
    assert_eq!(
        fern.compute_gas.as_milligas(),
        oracle.compute_gas.as_milligas(),
        "compute gas of {what} ({})",
        fern.name
    );
    assert_eq!(
        fern.other_gas.as_milligas(),
        oracle.other_gas.as_milligas(),
        "other gas of {what} ({})",
        fern.name
    );
}

/// Byte lengths from empty to saturation.
const LENGTHS: &[usize] = &[
    0,
    1,
    2,
    7,
    31,
    32,
    33,
    64,
    255,
    1000,
    8192,
    65_536,
    1 << 20,
    (1 << 20) + 1,
    u32::MAX as usize,
    u32::MAX as usize + 1,
    1 << 40,
    usize::MAX / 1000,
    usize::MAX,
];

fn oracle_hash(h: FHash) -> OHash {
    match h {
        FHash::Sha2_256 => OHash::Sha2_256,
        FHash::Blake2b256 => OHash::Blake2b256,
        FHash::Blake2b512 => OHash::Blake2b512,
        FHash::Keccak256 => OHash::Keccak256,
        FHash::Ripemd160 => OHash::Ripemd160,
    }
}

#[test]
fn one_table_for_nv18_to_nv20() {
    let vs = versions();
    for (v, f, _) in &vs {
        assert_eq!(f.generation, fg::KernelGeneration::Fvm3, "nv{v}");
        assert!(std::ptr::eq(*f, vs[0].1), "nv{v} shares nv18's table");
    }
}

#[test]
fn message_send_and_actor_charges() {
    for (v, f, o) in versions() {
        for &len in LENGTHS {
            same(
                f.on_chain_message(len),
                o.on_chain_message(len),
                &format!("nv{v} message {len}"),
            );
            let len32 = u32::try_from(len).unwrap_or(u32::MAX);
            for depth in [0u32, 1, 2, 1024] {
                let ours = f.on_method_return(depth, len32 as usize, 0);
                let theirs = o.on_method_return(depth, len32);
                assert_eq!(
                    ours.is_some(),
                    theirs.is_some(),
                    "nv{v} return at depth {depth}"
                );
                if let (Some(a), Some(b)) = (ours, theirs) {
                    same(a, b, &format!("nv{v} return {len32} at depth {depth}"));
                }
            }
        }
        same(f.on_value_transfer(), o.on_value_transfer(), "transfer");
        // No links are tracked under these rules: the invocation is flat.
        same(
            f.on_method_invocation(0),
            o.on_method_invocation(),
            "invocation",
        );
        same(f.on_syscall(), o.on_syscall(), "syscall");
        for new_address in [false, true] {
            same(
                f.on_create_actor(new_address),
                o.on_create_actor(new_address),
                "create actor",
            );
        }
        same(f.on_delete_actor(), o.on_delete_actor(), "delete actor");
        same(f.on_actor_lookup(), o.on_actor_lookup(), "lookup");
        same(f.on_actor_update(), o.on_actor_update(), "update");
        same(f.on_actor_create(), o.on_actor_create(), "create");
        same(f.on_self_balance(), o.on_self_balance(), "self balance");
        same(f.on_balance_of(), o.on_balance_of(), "balance of");
        same(f.on_resolve_address(), o.on_resolve_address(), "resolve");
        same(
            f.on_lookup_delegated_address(),
            o.on_lookup_delegated_address(),
            "delegated address",
        );
        same(
            f.on_get_actor_code_cid(),
            o.on_get_actor_code_cid(),
            "code cid",
        );
        same(
            f.on_get_builtin_actor_type(),
            o.on_get_builtin_actor_type(),
            "builtin type",
        );
        same(
            f.on_get_code_cid_for_type(),
            o.on_get_code_cid_for_type(),
            "code for type",
        );
        same(
            f.on_network_context(),
            o.on_network_context(),
            "network context",
        );
        same(
            f.on_message_context(),
            o.on_message_context(),
            "message context",
        );
        let d = format!("{o:?}");
        let start = d.find("preloaded_actors: ").unwrap() + "preloaded_actors: ".len();
        let theirs = &d[start..start + d[start..].find(']').unwrap() + 1];
        assert_eq!(
            format!("{:?}", f.preloaded_actors),
            theirs,
            "nv{v} preloaded actors"
        );
    }
}

#[test]
fn chain_history_charges() {
    for (v, f, o) in versions() {
        for &len in LENGTHS {
            same(
                f.on_draw_randomness(len),
                o.on_get_randomness(len),
                &format!("nv{v} randomness with {len} bytes of entropy"),
            );
        }
        for historical in [false, true] {
            same(
                f.on_tipset_cid_within_finality(historical),
                o.on_tipset_cid(historical),
                &format!("nv{v} tipset cid {historical}"),
            );
        }
    }
}

#[test]
fn block_charges() {
    for (v, f, o) in versions() {
        same(f.on_block_open_base(), o.on_block_open_base(), "open base");
        same(f.on_block_stat(), o.on_block_stat(), "stat");
        for &len in LENGTHS {
            same(
                f.on_block_open(len, 0),
                o.on_block_open_per_byte(len),
                &format!("nv{v} open {len}"),
            );
            same(
                f.on_block_create(len, 0),
                o.on_block_create(len),
                &format!("nv{v} create {len}"),
            );
            same(
                f.on_block_read(len),
                o.on_block_read(len),
                &format!("nv{v} read {len}"),
            );
            for h in FHash::ALL {
                same(
                    f.on_block_link(h, len),
                    o.on_block_link(oracle_hash(h), len),
                    &format!("nv{v} link {h:?} {len}"),
                );
            }
        }
    }
}

#[test]
fn crypto_and_proof_charges() {
    for (v, f, o) in versions() {
        for &len in LENGTHS {
            for (fs, os) in [(FSig::Secp256k1, OSig::Secp256k1), (FSig::BLS, OSig::BLS)] {
                same(
                    f.on_verify_signature(fs, len),
                    o.on_verify_signature(os, len),
                    &format!("nv{v} signature {len}"),
                );
            }
            for h in FHash::ALL {
                same(
                    f.on_hashing(h, len),
                    o.on_hashing(oracle_hash(h), len),
                    &format!("nv{v} hash {h:?} {len}"),
                );
            }
        }
        same(
            f.on_recover_secp_public_key(),
            o.on_recover_secp_public_key(),
            "recover",
        );
        same(
            f.on_compute_unsealed_sector_cid(),
            o.on_compute_unsealed_sector_cid(OSeal::StackedDRG32GiBV1P1, &[]),
            "commd",
        );
        same(
            f.on_verify_consensus_fault(),
            o.on_verify_consensus_fault(0, 0, 0),
            "consensus fault",
        );
        // Window PoSt: every proof type number, the retired V1 ones (5..9) included, which the
        // v10 miner actor still submits at nv18.
        for post in -1i64..=16 {
            for sectors in [0usize, 1, 2349, 100_000] {
                let info = WindowPoStVerifyInfo {
                    randomness: Randomness(vec![0; 32]),
                    proofs: vec![PoStProof {
                        post_proof: OPoSt::from(post),
                        proof_bytes: vec![],
                    }],
                    challenged_sectors: vec![
                        SectorInfo {
                            proof: OSeal::StackedDRG32GiBV1P1,
                            sector_number: 0,
                            sealed_cid: fvm_shared::EMPTY_ARR_CID,
                        };
                        sectors
                    ],
                    prover: 1000,
                };
                same(
                    f.on_verify_post(Some(FPoSt::from(post)), sectors),
                    o.on_verify_post(&info),
                    &format!("nv{v} post type {post} over {sectors}"),
                );
            }
        }
        for seal in -1i64..=20 {
            for n in [1usize, 3, 4, 7, 52, 65, 411] {
                let agg = AggregateSealVerifyProofAndInfos {
                    miner: 1000,
                    seal_proof: OSeal::from(seal),
                    aggregate_proof: RegisteredAggregateProof::SnarkPackV2,
                    proof: vec![],
                    infos: vec![
                        AggregateSealVerifyInfo {
                            sector_number: 0,
                            randomness: Randomness(vec![0; 32]),
                            interactive_randomness: Randomness(vec![0; 32]),
                            sealed_cid: fvm_shared::EMPTY_ARR_CID,
                            unsealed_cid: fvm_shared::EMPTY_ARR_CID,
                        };
                        n
                    ],
                };
                same(
                    f.on_verify_aggregate_seals(
                        fern_shared::sector::RegisteredSealProof::from(seal),
                        n,
                    ),
                    o.on_verify_aggregate_seals(&agg),
                    &format!("nv{v} aggregate of {n} type {seal}"),
                );
            }
        }
    }
}

#[test]
fn event_charges() {
    for (v, f, o) in versions() {
        for &len in LENGTHS {
            same(
                f.on_actor_event_validate(len),
                o.on_actor_event_validate(len),
                &format!("nv{v} validate {len}"),
            );
        }
        // Acceptance by encoded length and indexed entries (priced at zero so far).
        for (flags, entries) in [(0u64, 0usize), (1, 1), (2, 3), (3, 5), (3, 256), (0xff, 2)] {
            let event = ActorEvent::from(
                (0..entries)
                    .map(|i| Entry {
                        flags: Flags::from_bits_retain(flags),
                        key: "k".repeat(i % 33),
                        codec: 0x55,
                        value: vec![1; i * 3],
                    })
                    .collect::<Vec<_>>(),
            );
            let len = fvm_ipld_encoding::to_vec(&event).unwrap().len();
            let (mut elements, mut bytes) = (0, 0);
            for e in &event.entries {
                if e.flags.contains(Flags::FLAG_INDEXED_KEY) {
                    elements += 1;
                    bytes += e.key.len();
                }
                if e.flags.contains(Flags::FLAG_INDEXED_VALUE) {
                    elements += 1;
                    bytes += e.value.len();
                }
            }
            same(
                f.on_actor_event_accept(elements, bytes, len),
                o.on_actor_event_accept(&event, len),
                &format!("nv{v} accept {entries} entries, flags {flags}"),
            );
        }
    }
}

#[test]
fn wasm_prices_are_the_same_as_ref_fvm_3() {
    for (v, f, o) in versions() {
        let debug = format!("{o:?}");
        let rules = &debug[debug.find("wasm_rules").unwrap()..];
        for (name, ours) in [
            ("instruction_default", f.wasm.instruction_default),
            ("math_default", f.wasm.math_default),
            ("jump_unconditional", f.wasm.jump_unconditional),
            ("jump_conditional", f.wasm.jump_conditional),
            ("jump_indirect", f.wasm.jump_indirect),
            ("call", f.wasm.call),
            ("memory_fill_base_cost", f.wasm.memory_fill_base),
            ("memory_access_cost", f.wasm.memory_access),
            ("memory_copy_per_byte_cost", f.wasm.memory_copy_per_byte),
            ("memory_fill_per_byte_cost", f.wasm.memory_fill_per_byte),
        ] {
            let at = rules
                .find(&format!("{name}: "))
                .unwrap_or_else(|| panic!("{name}"));
            let text = &rules[at + name.len() + 2..];
            let text = &text[..text.find([',', ' ', '}']).unwrap()];
            assert_eq!(
                format!("{ours:?}").replace(' ', ""),
                text.replace(' ', ""),
                "nv{v} {name}"
            );
        }
    }
}
