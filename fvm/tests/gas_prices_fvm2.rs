//! Fern's nv17 gas model (`fern::gas::fvm2`: signed gas, the Skyr table, the gas account)
//! against ref-fvm 2.12, charge by charge: name, compute gas and storage gas over sweeps of
//! sizes, values and proof types; then the account, over random charge sequences with refunds.

use cid::Cid;
use fern::gas::fvm2::{Fvm2GasCharge, Fvm2GasTracker, SignedGas, SKYR};
use fern_shared::crypto::SignatureType as FSig;
use fern_shared::sector::{RegisteredPoStProof as FPoSt, RegisteredSealProof as FSeal};

use fvm2::gas as og;
use fvm2_shared::crypto::signature::SignatureType as OSig;
use fvm2_shared::econ::TokenAmount;
use fvm2_shared::randomness::Randomness;
use fvm2_shared::sector::{
    AggregateSealVerifyInfo, AggregateSealVerifyProofAndInfos, PoStProof, RegisteredAggregateProof,
    RegisteredPoStProof as OPoSt, RegisteredSealProof as OSeal, RegisteredUpdateProof,
    ReplicaUpdateInfo, SealVerifyInfo, SectorID, SectorInfo, WindowPoStVerifyInfo,
};
use fvm2_shared::version::NetworkVersion as ONv;

/// ref-fvm 2.12's table at nv17 (its nv16 table is the same one).
fn oracle() -> &'static og::PriceList {
    let nv17 = og::price_list_by_network_version(ONv::V17);
    assert_eq!(nv17, og::price_list_by_network_version(ONv::V16));
    nv17
}

#[track_caller]
fn same(fern: Fvm2GasCharge, oracle: og::GasCharge, what: &str) {
    assert_eq!(fern.name.as_ref(), oracle.name.as_ref(), "name of {what}");
    assert_eq!(
        fern.compute_gas.as_milligas(),
        oracle.compute_gas.as_milligas(),
        "compute gas of {what} ({})",
        fern.name
    );
    assert_eq!(
        fern.storage_gas.as_milligas(),
        oracle.storage_gas.as_milligas(),
        "storage gas of {what} ({})",
        fern.name
    );
}

/// Byte lengths from empty to the casts' wrap-around.
const LENGTHS: &[usize] = &[
    0,
    1,
    2,
    31,
    32,
    33,
    255,
    1000,
    65_536,
    1 << 20,
    u32::MAX as usize,
    1 << 40,
    i64::MAX as usize,
    i64::MAX as usize + 1,
    usize::MAX / 1000,
    usize::MAX,
];

#[test]
fn message_send_and_actor_charges() {
    let o = oracle();
    for &len in LENGTHS {
        same(
            SKYR.on_chain_message(len),
            o.on_chain_message(len),
            "message",
        );
        same(
            SKYR.on_chain_return_value(len),
            o.on_chain_return_value(len),
            "return",
        );
    }
    for value in [0u64, 1, u64::MAX] {
        for method in [0u64, 1, 2, 3844450837, u64::MAX] {
            same(
                SKYR.on_method_invocation(value == 0, method),
                o.on_method_invocation(&TokenAmount::from_atto(value), method),
                &format!("send of {value} to method {method}"),
            );
        }
    }
    same(SKYR.on_syscall(), o.on_syscall(), "syscall");
    same(SKYR.on_create_actor(), o.on_create_actor(), "create");
    same(SKYR.on_delete_actor(), o.on_delete_actor(), "delete");
    assert!(
        SKYR.on_delete_actor().total() < SignedGas::ZERO,
        "deleting refunds"
    );
}

#[test]
fn block_and_chain_charges() {
    let o = oracle();
    same(
        SKYR.on_block_open_base(),
        o.on_block_open_base(),
        "open base",
    );
    same(SKYR.on_block_stat(), o.on_block_stat(), "stat");
    for &len in LENGTHS {
        let what = format!("{len} bytes");
        same(
            SKYR.on_block_open_per_byte(len),
            o.on_block_open_per_byte(len),
            &what,
        );
        same(SKYR.on_block_read(len), o.on_block_read(len), &what);
        same(SKYR.on_block_create(len), o.on_block_create(len), &what);
        same(SKYR.on_block_link(len), o.on_block_link(len), &what);
        same(SKYR.on_get_randomness(len), o.on_get_randomness(len), &what);
        same(SKYR.on_hashing(), o.on_hashing(len), &what);
    }
}

#[test]
fn crypto_and_proof_charges() {
    let o = oracle();
    let cid = Cid::default();
    for (f, s) in [(FSig::Secp256k1, OSig::Secp256k1), (FSig::BLS, OSig::BLS)] {
        same(
            SKYR.on_verify_signature(f),
            o.on_verify_signature(s),
            "signature",
        );
    }
    same(
        SKYR.on_recover_secp_public_key(),
        o.on_recover_secp_public_key(),
        "recover",
    );
    same(
        SKYR.on_compute_unsealed_sector_cid(),
        o.on_compute_unsealed_sector_cid(OSeal::StackedDRG32GiBV1P1, &[]),
        "commd",
    );
    same(
        SKYR.on_verify_consensus_fault(),
        o.on_verify_consensus_fault(),
        "fault",
    );
    let seal = SealVerifyInfo {
        registered_proof: OSeal::StackedDRG32GiBV1P1,
        sector_id: SectorID {
            miner: 1000,
            number: 1,
        },
        deal_ids: vec![],
        randomness: Randomness(vec![0; 32]),
        interactive_randomness: Randomness(vec![0; 32]),
        proof: vec![],
        sealed_cid: cid,
        unsealed_cid: cid,
    };
    same(SKYR.on_verify_seal(), o.on_verify_seal(&seal), "seal");
    let update = ReplicaUpdateInfo {
        update_proof_type: RegisteredUpdateProof::StackedDRG32GiBV1,
        old_sealed_cid: cid,
        new_sealed_cid: cid,
        new_unsealed_cid: cid,
        proof: vec![],
    };
    same(
        SKYR.on_verify_replica_update(),
        o.on_verify_replica_update(&update),
        "update",
    );

    // Window PoSt: every proof type number, and no proof at all.
    for post in (-1i64..=16).map(Some).chain([None]) {
        for sectors in [0usize, 1, 2349, 100_000] {
            let info = WindowPoStVerifyInfo {
                randomness: Randomness(vec![0; 32]),
                proofs: post
                    .map(|p| PoStProof {
                        post_proof: OPoSt::from(p),
                        proof_bytes: vec![],
                    })
                    .into_iter()
                    .collect(),
                challenged_sectors: vec![
                    SectorInfo {
                        proof: OSeal::StackedDRG32GiBV1P1,
                        sector_number: 0,
                        sealed_cid: cid,
                    };
                    sectors
                ],
                prover: 1000,
            };
            same(
                SKYR.on_verify_post(post.map(FPoSt::from), sectors),
                o.on_verify_post(&info),
                &format!("post type {post:?} over {sectors}"),
            );
        }
    }
    // Aggregates: every seal type number, counts around every stair.
    for seal in -1i64..=20 {
        for n in [
            0usize, 1, 3, 4, 6, 7, 12, 13, 52, 65, 103, 409, 410, 411, 819,
        ] {
            let agg = AggregateSealVerifyProofAndInfos {
                miner: 1000,
                seal_proof: OSeal::from(seal),
                aggregate_proof: RegisteredAggregateProof::SnarkPackV1,
                proof: vec![],
                infos: vec![
                    AggregateSealVerifyInfo {
                        sector_number: 0,
                        randomness: Randomness(vec![0; 32]),
                        interactive_randomness: Randomness(vec![0; 32]),
                        sealed_cid: cid,
                        unsealed_cid: cid,
                    };
                    n
                ],
            };
            same(
                SKYR.on_verify_aggregate_seals(FSeal::from(seal), n),
                o.on_verify_aggregate_seals(&agg),
                &format!("aggregate of {n} type {seal}"),
            );
        }
    }
}

/// A small deterministic generator (xorshift), so the sequences are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Milligas amounts: small, typical, refunds, and the extremes.
    fn amount(&mut self) -> i64 {
        match self.next() % 8 {
            0 => -((self.next() % 200_000_000) as i64),
            1 => [i64::MAX, i64::MIN, i64::MAX / 2, -1, 0][self.next() as usize % 5],
            2 => (self.next() % 1000) as i64,
            _ => (self.next() % 3_000_000_000) as i64,
        }
    }
}

#[test]
fn the_account_runs_out_refunds_and_traces_as_ref_fvm_2() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..2_000 {
        let limit = match round % 4 {
            0 => 0,
            1 => i64::MAX,
            _ => (rng.next() % 20_000_000_000) as i64,
        };
        let used = if round % 3 == 0 { 0 } else { rng.amount() };
        let mut f = Fvm2GasTracker::new(
            SignedGas::from_milligas(limit),
            SignedGas::from_milligas(used),
        );
        let mut o =
            og::GasTracker::new(og::Gas::from_milligas(limit), og::Gas::from_milligas(used));
        f.enable_tracing();
        o.enable_tracing();
        for step in 0..12 {
            let (c, s) = (rng.amount(), rng.amount());
            let what = format!("round {round} step {step}: limit {limit}, charge {c}+{s}");
            let (fr, or) = if matches!(rng.next() % 3, 0) {
                (
                    f.charge_gas("wasm_exec", SignedGas::from_milligas(c)),
                    o.charge_gas("wasm_exec", og::Gas::from_milligas(c)),
                )
            } else {
                (
                    f.apply_charge(Fvm2GasCharge::new(
                        "OnTest",
                        SignedGas::from_milligas(c),
                        SignedGas::from_milligas(s),
                    )),
                    o.apply_charge(og::GasCharge::new(
                        "OnTest",
                        og::Gas::from_milligas(c),
                        og::Gas::from_milligas(s),
                    )),
                )
            };
            assert_eq!(fr.is_ok(), or.is_ok(), "{what}");
            assert_eq!(
                f.gas_used().as_milligas(),
                o.gas_used().as_milligas(),
                "{what}"
            );
            assert_eq!(
                f.gas_available().as_milligas(),
                o.gas_available().as_milligas(),
                "{what}"
            );
            assert_eq!(f.gas_used().round_up(), o.gas_used().round_up(), "{what}");
            assert_eq!(
                f.gas_used().round_down(),
                o.gas_used().round_down(),
                "{what}"
            );
        }
        let ours = f.drain_trace();
        let theirs: Vec<_> = o.drain_trace().collect();
        assert_eq!(
            ours.len(),
            theirs.len(),
            "round {round}: every charge is traced"
        );
        for (a, b) in ours.into_iter().zip(theirs) {
            same(a, b, &format!("round {round} trace"));
        }
    }
}
