//! The proof syscalls with a host verifier: Fern charges the chain's gas itself and returns the
//! verifier's verdict. (ref-fvm verifies real proofs, so these cannot be compared with it
//! directly; the charges are ref-fvm's price-list amounts, checked in `fvm/tests/gas_prices.rs`.)

use std::sync::{Arc, OnceLock};

use fern::executor::ApplyKind;
use fern::machine::{AcceptAllProofs, ProofVerifier};
use fern_shared::address::Address;
use fern_shared::econ::TokenAmount;
use fern_shared::message::Message;
use fern_shared::sector::{
    AggregateSealVerifyProofAndInfos, ReplicaUpdateInfo, SealVerifyInfo, WindowPoStVerifyInfo,
};
use fern_testing::genesis::Genesis;
use fern_testing::harness::*;
use fvm_ipld_encoding::RawBytes;

const SYSCALLS: u64 = 1000;

/// Rejects everything (verdict false), to see the verdict pass through.
struct RejectAll;
impl ProofVerifier for RejectAll {
    fn verify_post(&self, _: &WindowPoStVerifyInfo) -> anyhow::Result<bool> {
        Ok(false)
    }
    fn verify_seal(&self, _: &SealVerifyInfo) -> anyhow::Result<bool> {
        Ok(false)
    }
    fn verify_aggregate_seals(&self, _: &AggregateSealVerifyProofAndInfos) -> anyhow::Result<bool> {
        Ok(false)
    }
    fn verify_replica_update(&self, _: &ReplicaUpdateInfo) -> anyhow::Result<bool> {
        Ok(false)
    }
}

fn post_info() -> Vec<u8> {
    // [randomness, [[post_proof, proof_bytes]], [[seal_proof, number, sealed_cid]], prover]
    let sealed = cid::Cid::new_v1(
        0xf102,
        cid::multihash::Multihash::<64>::wrap(0xb401, &[5; 32]).unwrap(),
    );
    fvm_ipld_encoding::to_vec(&(
        RawBytes::new(vec![1; 32]),
        vec![(13i64, RawBytes::new(vec![2; 192]))],
        vec![(8i64, 1u64, sealed), (8i64, 2u64, sealed)],
        1000u64,
    ))
    .unwrap()
}

/// One account and `syscalls` at f01000 (built once).
fn test_genesis() -> &'static Genesis {
    static GENESIS: OnceLock<Genesis> = OnceLock::new();
    GENESIS.get_or_init(|| genesis(1, &[("syscalls", SYSCALLS)], &[]).expect("genesis builds"))
}

fn run(verifier: Arc<dyn ProofVerifier>) -> (Vec<u8>, Vec<(String, u64)>) {
    let nv = fvm_shared::version::NetworkVersion::V25;
    let genesis = test_genesis();
    let side = FernSide {
        proofs: verifier,
        ..FernSide::default()
    };
    let mut exec = side.executor(nv, genesis).expect("Fern executor");
    let accounts: Vec<_> = genesis.accounts.iter().map(|a| (a.id, a.address)).collect();
    let from = Address::from_bytes(&accounts[0].1.to_bytes()).unwrap();
    let params = fvm_ipld_encoding::to_vec(&(vec![0u64], RawBytes::new(post_info()))).unwrap();
    let m = Message {
        version: 0,
        from,
        to: Address::new_id(SYSCALLS),
        sequence: 0,
        value: TokenAmount::zero(),
        method_num: 35,
        params: RawBytes::new(params),
        gas_limit: 1_000_000_000,
        gas_fee_cap: TokenAmount::from_atto(200),
        gas_premium: TokenAmount::from_atto(1),
    };
    let ret = exec.apply_message(&m, ApplyKind::Explicit, 200).unwrap();
    assert!(ret.receipt.exit_code.is_success());
    let charges = ret
        .gas_charges()
        .map(|c| (c.name.to_string(), c.total().as_milligas()))
        .collect();
    (ret.receipt.return_data.to_vec(), charges)
}

#[test]
fn post_verdicts_come_from_the_verifier_and_gas_from_the_price_list() {
    on_deep_stack(|| {
        let (accepted, charges_a) = run(Arc::new(AcceptAllProofs));
        let (rejected, charges_r) = run(Arc::new(RejectAll));
        // [status 0, i32 verdict]: 0 = valid, -1 = invalid.
        let (sa, va): (u32, RawBytes) = fvm_ipld_encoding::from_slice(&accepted).unwrap();
        let (sr, vr): (u32, RawBytes) = fvm_ipld_encoding::from_slice(&rejected).unwrap();
        assert_eq!((sa, sr), (0, 0));
        assert_eq!(va.to_vec(), 0i32.to_be_bytes());
        assert_eq!(vr.to_vec(), (-1i32).to_be_bytes());
        // Same charges either way, including one OnVerifyPost priced for two sectors.
        assert_eq!(charges_a, charges_r);
        let prices =
            fern::gas::price_list_for(fern_shared::version::NetworkVersion::new(25)).unwrap();
        let expected = prices
            .on_verify_post(
                Some(fern_shared::sector::RegisteredPoStProof::from(13i64)),
                2,
            )
            .total()
            .as_milligas();
        let posts: Vec<_> = charges_a
            .iter()
            .filter(|(n, _)| n == "OnVerifyPost")
            .collect();
        assert_eq!(posts.len(), 1);
        assert_eq!(posts[0].1, expected);
        // The default verifier reports an error, which the actor sees as IllegalArgument (1).
        let (none, charges_n) = run(Arc::new(fern::machine::NoProofVerifier));
        let (sn, _): (u32, RawBytes) = fvm_ipld_encoding::from_slice(&none).unwrap();
        assert_eq!(sn, 1);
        assert!(charges_n.iter().any(|(n, _)| n == "OnVerifyPost"));
    });
}
