//! Proof numbers a generation does not know, against each generation's oracle.
//!
//! ref-fvm converts every proof type of a verification request before verifying anything; a
//! number its `fvm_shared` decodes as `Invalid` ends the syscall with `IllegalArgument` (in a
//! batch, that seal is invalid). Fern's proof verifier belongs to the host, so its kernel must
//! refuse those numbers itself (`fern::kernel::proof_types`). Here Fern's host accepts every
//! proof, so a request the kernel wrongly passes on comes back valid and differs from the
//! oracle, which, with these placeholder proofs, never verifies anything. (Known proof types
//! cannot be compared this way: the oracle would try to verify the placeholders for real. The
//! mainnet vectors cover them.)
//!
//! - nv17 against ref-fvm 2.12 (`fern_testing::ref_vm2`), with `crypto::verify_seal` too;
//! - nv18 to nv20 against ref-fvm 3.14, nv21 and nv29 against ref-fvm 4.8, through [`Pair`].

use std::sync::{Arc, Mutex};

use cid::Cid;
use fern::machine::{AcceptAllProofs, ProofVerifier};
use fern_shared::randomness::Randomness;
use fern_shared::sector::{
    AggregateSealVerifyInfo, AggregateSealVerifyProofAndInfos, PoStProof, RegisteredAggregateProof,
    RegisteredPoStProof, RegisteredSealProof, RegisteredUpdateProof, ReplicaUpdateInfo,
    SealVerifyInfo, SectorID, SectorInfo, WindowPoStVerifyInfo,
};
use fern_testing::harness::*;
use fern_testing::ref_vm2::{
    apply_fern2, apply_ref2, fern2_executor_with_proofs, flush_fern2, flush_ref2, ref2_executor,
    Genesis2, BASE_FEE2,
};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::version::NetworkVersion;
use fvm_shared::ActorID;
use multihash_codetable::{Code, MultihashDigest};

/// Syscall selectors of the probe actor.
const VERIFY_POST: u32 = 0;
const VERIFY_AGGREGATE: u32 = 1;
const VERIFY_REPLICA_UPDATE: u32 = 2;
const BATCH_VERIFY_SEALS: u32 = 3;
const VERIFY_SEAL: u32 = 4;

/// An actor for every generation's ABI: its parameters block is `[op u32][len u32][count u32]`
/// then `len` bytes of CBOR; it performs syscall `op` on the CBOR and returns a raw block of
/// `[status u32][result i32]`, followed for a batch by `count` verdict bytes. `with_seal` adds
/// the nv17-only `crypto::verify_seal` (op 4); `codec` is the returned block's codec.
fn probe_actor(with_seal: bool, codec: u64) -> Vec<u8> {
    let (seal_import, seal_case) = if with_seal {
        (
            r#"(import "crypto" "verify_seal" (func $verify_seal (param i32 i32 i32) (result i32)))"#,
            "(if (i32.eq (local.get $op) (i32.const 4))
               (then (i32.store (i32.const 0x200) (call $verify_seal (i32.const 0x204) (i32.const 0x100c) (local.get $len)))))",
        )
    } else {
        ("", "")
    };
    let wat = format!(
        r#"(module
  (import "ipld" "block_read" (func $block_read (param i32 i32 i32 i32 i32) (result i32)))
  (import "ipld" "block_create" (func $block_create (param i32 i64 i32 i32) (result i32)))
  (import "crypto" "verify_post" (func $verify_post (param i32 i32 i32) (result i32)))
  (import "crypto" "verify_aggregate_seals" (func $verify_agg (param i32 i32 i32) (result i32)))
  (import "crypto" "verify_replica_update" (func $verify_ru (param i32 i32 i32) (result i32)))
  (import "crypto" "batch_verify_seals" (func $batch (param i32 i32 i32) (result i32)))
  {seal_import}
  (memory (export "memory") 1)
  (func (export "invoke") (param $p i32) (result i32)
    (local $op i32) (local $len i32) (local $count i32)
    (drop (call $block_read (i32.const 0x100) (local.get $p) (i32.const 0) (i32.const 0x1000) (i32.const 0x8000)))
    (local.set $op (i32.load (i32.const 0x1000)))
    (local.set $len (i32.load (i32.const 0x1004)))
    (local.set $count (i32.load (i32.const 0x1008)))
    (if (i32.eq (local.get $op) (i32.const 0))
      (then (i32.store (i32.const 0x200) (call $verify_post (i32.const 0x204) (i32.const 0x100c) (local.get $len)))))
    (if (i32.eq (local.get $op) (i32.const 1))
      (then (i32.store (i32.const 0x200) (call $verify_agg (i32.const 0x204) (i32.const 0x100c) (local.get $len)))))
    (if (i32.eq (local.get $op) (i32.const 2))
      (then (i32.store (i32.const 0x200) (call $verify_ru (i32.const 0x204) (i32.const 0x100c) (local.get $len)))))
    (if (i32.eq (local.get $op) (i32.const 3))
      (then (i32.store (i32.const 0x200) (call $batch (i32.const 0x100c) (local.get $len) (i32.const 0x208)))))
    {seal_case}
    (drop (call $block_create (i32.const 0x180) (i64.const {codec}) (i32.const 0x200) (i32.add (i32.const 8) (local.get $count))))
    (i32.load (i32.const 0x180))))"#
    );
    wat::parse_str(&wat).expect("the probe assembles")
}

fn params(op: u32, count: u32, cbor: &[u8]) -> Vec<u8> {
    let mut p = Vec::new();
    p.extend(op.to_le_bytes());
    p.extend((cbor.len() as u32).to_le_bytes());
    p.extend(count.to_le_bytes());
    p.extend(cbor);
    p
}

fn commitment(codec: u64, mh: u64) -> Cid {
    let digest = Code::Sha2_256.digest(b"placeholder");
    Cid::new_v1(
        codec,
        cid::multihash::Multihash::wrap(mh, digest.digest()).unwrap(),
    )
}

fn sealed() -> Cid {
    commitment(0xf102, 0xb401)
}

fn unsealed() -> Cid {
    commitment(0xf101, 0x1012)
}

fn seal(n: i64) -> SealVerifyInfo {
    SealVerifyInfo {
        registered_proof: RegisteredSealProof::from(n),
        sector_id: SectorID {
            miner: 1000,
            number: 7,
        },
        deal_ids: vec![],
        randomness: Randomness(vec![1; 32]),
        interactive_randomness: Randomness(vec![2; 32]),
        proof: vec![3; 192],
        sealed_cid: sealed(),
        unsealed_cid: unsealed(),
    }
}

fn post(post_type: i64, seal_type: i64) -> WindowPoStVerifyInfo {
    WindowPoStVerifyInfo {
        randomness: Randomness(vec![4; 32]),
        proofs: vec![PoStProof {
            post_proof: RegisteredPoStProof::from(post_type),
            proof_bytes: vec![5; 192],
        }],
        challenged_sectors: vec![SectorInfo {
            proof: RegisteredSealProof::from(seal_type),
            sector_number: 7,
            sealed_cid: sealed(),
        }],
        prover: 1000,
    }
}

fn aggregate(seal_type: i64, scheme: i64) -> AggregateSealVerifyProofAndInfos {
    AggregateSealVerifyProofAndInfos {
        miner: 1000,
        seal_proof: RegisteredSealProof::from(seal_type),
        aggregate_proof: RegisteredAggregateProof::from(scheme),
        proof: vec![6; 64],
        infos: vec![AggregateSealVerifyInfo {
            sector_number: 7,
            randomness: Randomness(vec![1; 32]),
            interactive_randomness: Randomness(vec![2; 32]),
            sealed_cid: sealed(),
            unsealed_cid: unsealed(),
        }],
    }
}

fn update(n: i64) -> ReplicaUpdateInfo {
    ReplicaUpdateInfo {
        update_proof_type: RegisteredUpdateProof::from(n),
        old_sealed_cid: sealed(),
        new_sealed_cid: sealed(),
        new_unsealed_cid: unsealed(),
        proof: vec![7; 64],
    }
}

fn cbor<T: serde::Serialize>(v: &T) -> Vec<u8> {
    fvm_ipld_encoding::to_vec(v).expect("encodes")
}

/// The numbers one generation does not know (from each `fvm_shared`'s conversion tables),
/// as requests: (label, params of the probe, whether the verdict bytes follow).
struct Unknown {
    seal: &'static [i64],
    post: &'static [i64],
    aggregate_scheme: &'static [i64],
    update: &'static [i64],
}

const NV17: Unknown = Unknown {
    seal: &[10, 13, 19, -1],
    post: &[10, 14],
    aggregate_scheme: &[2],
    update: &[5],
};

const NV18_20: Unknown = Unknown {
    seal: &[15, 19, 20],
    post: &[15],
    aggregate_scheme: &[2],
    update: &[5, 10],
};

const NV21_ON: Unknown = Unknown {
    seal: &[20, -1],
    post: &[5, 9, 15],
    aggregate_scheme: &[2],
    update: &[5],
};

/// A known seal and PoSt type of every generation, to pair with an unknown one.
const KNOWN_SEAL: i64 = 8;
const KNOWN_WINNING_POST: i64 = 3;

fn requests(u: &Unknown, with_seal: bool) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for &n in u.seal {
        out.push((
            format!("batch of seal type {n}"),
            params(BATCH_VERIFY_SEALS, 2, &cbor(&vec![seal(n), seal(n)])),
        ));
        out.push((
            format!("PoSt with a sector of seal type {n}"),
            params(VERIFY_POST, 0, &cbor(&post(KNOWN_WINNING_POST, n))),
        ));
        out.push((
            format!("aggregate of seal type {n}"),
            params(VERIFY_AGGREGATE, 0, &cbor(&aggregate(n, 1))),
        ));
        if with_seal {
            out.push((
                format!("seal type {n}"),
                params(VERIFY_SEAL, 0, &cbor(&seal(n))),
            ));
        }
    }
    for &n in u.post {
        out.push((
            format!("PoSt type {n}"),
            params(VERIFY_POST, 0, &cbor(&post(n, KNOWN_SEAL))),
        ));
    }
    for &n in u.aggregate_scheme {
        out.push((
            format!("aggregation scheme {n}"),
            params(VERIFY_AGGREGATE, 0, &cbor(&aggregate(KNOWN_SEAL, n))),
        ));
    }
    for &n in u.update {
        out.push((
            format!("update type {n}"),
            params(VERIFY_REPLICA_UPDATE, 0, &cbor(&update(n))),
        ));
    }
    out
}

/// Status `IllegalArgument` (1), or status 0 with verdicts 0 for a batch: what the oracle
/// answers to every request here.
fn assert_refused(label: &str, ret: &[u8]) {
    let status = u32::from_le_bytes(ret[0..4].try_into().unwrap());
    if label.starts_with("batch") {
        assert_eq!(status, 0, "{label}");
        assert!(ret[8..].iter().all(|v| *v == 0), "{label}: {ret:?}");
    } else {
        assert_eq!(status, 1, "{label}");
    }
}

#[test]
fn nv17_refuses_what_ref_fvm_2_does_not_know() {
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| {
            let probes = vec![("proofs", probe_actor(true, 0x71))];
            let genesis = Genesis2::build(1, &probes).expect("genesis");
            let to = Address::new_id(genesis.actor("proofs").unwrap());
            let mut fern =
                fern2_executor_with_proofs(&genesis, BASE_FEE2, Arc::new(AcceptAllProofs))
                    .expect("Fern's nv17 executor");
            let mut oracle = ref2_executor(&genesis, BASE_FEE2).expect("ref-fvm 2.12 executor");
            let from = genesis.accounts[0].1;
            let reqs = requests(&NV17, true);
            for (seq, (label, p)) in reqs.iter().enumerate() {
                let m = fern_shared::message::Message {
                    version: 0,
                    from,
                    to: fern_shared::address::Address::new_id(to.id().unwrap()),
                    sequence: seq as u64,
                    value: fern_shared::econ::TokenAmount::zero(),
                    method_num: 2,
                    params: RawBytes::new(p.clone()),
                    gas_limit: 1_000_000_000,
                    gas_fee_cap: fern_shared::econ::TokenAmount::from_atto(200),
                    gas_premium: fern_shared::econ::TokenAmount::from_atto(10),
                };
                let ours = apply_fern2(&mut fern, &m, false).expect("Fern applies");
                let theirs = apply_ref2(&mut oracle, &m, false).expect("ref-fvm applies");
                assert_eq!(theirs.exit_code, 0, "{label}");
                assert_refused(label, &theirs.return_data);
                assert_eq!(ours, theirs, "{label}");
            }
            assert_eq!(
                flush_fern2(&mut fern).unwrap(),
                flush_ref2(&mut oracle).unwrap()
            );
            assert!(reqs.len() >= 20);
        })
        .unwrap()
        .join()
        .unwrap();
}

fn run_pair(nv: NetworkVersion, unknown: &Unknown) -> usize {
    const PROBE: ActorID = 3100;
    let wasm = probe_actor(false, 0x55);
    let genesis = Arc::new(genesis(1, &[], &[(PROBE, &wasm)]).expect("genesis"));
    let side = FernSide {
        proofs: Arc::new(AcceptAllProofs),
        ..FernSide::default()
    };
    let mut p = Pair::on_with(nv, genesis, side);
    let from = p.account(0);
    let reqs = requests(unknown, false);
    for (seq, (label, params)) in reqs.iter().enumerate() {
        let mut m = msg(
            from,
            Address::new_id(PROBE),
            seq as u64,
            TokenAmount::from_atto(0),
            2,
            RawBytes::new(params.clone()),
        );
        m.gas_limit = 1_000_000_000;
        let r = p.apply(m);
        assert_eq!(r.exit_code.value(), 0, "nv{} {label}", u32::from(nv));
        assert_refused(label, &r.return_data);
    }
    reqs.len()
}

#[test]
fn nv18_to_nv20_refuse_what_ref_fvm_3_does_not_know() {
    for nv in [NetworkVersion::V18, NetworkVersion::V20] {
        assert!(run_pair(nv, &NV18_20) >= 10);
    }
}

#[test]
fn nv21_on_refuse_what_ref_fvm_4_does_not_know() {
    for nv in [NetworkVersion::V21, NetworkVersion::V29] {
        assert!(run_pair(nv, &NV21_ON) >= 10);
    }
}

/// Records the seal types the host is asked about, and accepts them all.
#[derive(Default)]
struct Recorder(Mutex<Vec<i64>>);

impl ProofVerifier for Recorder {
    fn verify_post(&self, _: &WindowPoStVerifyInfo) -> anyhow::Result<bool> {
        Ok(true)
    }
    fn verify_seal(&self, info: &SealVerifyInfo) -> anyhow::Result<bool> {
        self.0.lock().unwrap().push(info.registered_proof.into());
        Ok(true)
    }
    fn verify_aggregate_seals(&self, _: &AggregateSealVerifyProofAndInfos) -> anyhow::Result<bool> {
        Ok(true)
    }
    fn verify_replica_update(&self, _: &ReplicaUpdateInfo) -> anyhow::Result<bool> {
        Ok(true)
    }
}

/// A batch mixing known and unknown seal types (Fern alone: the oracle would verify the known
/// placeholders for real): the host is asked about the known ones only, and each verdict lands
/// at its seal's place.
#[test]
fn a_mixed_batch_asks_the_host_about_known_seals_only() {
    const PROBE: ActorID = 3100;
    let wasm = probe_actor(false, 0x55);
    let genesis = genesis(1, &[], &[(PROBE, &wasm)]).expect("genesis");
    for (nv, types, asked) in [
        (NetworkVersion::V20, vec![15, 8, 14, -1], vec![8, 14]),
        (NetworkVersion::V29, vec![20, 8, 17, 99], vec![8, 17]),
    ] {
        let recorder = Arc::new(Recorder::default());
        let side = FernSide {
            proofs: recorder.clone(),
            ..FernSide::default()
        };
        let engine = fern::engine::Engine::for_network(fern_nv(nv)).expect("engine");
        let mut fern = side.executor_on(engine, nv, &genesis).expect("executor");
        let infos: Vec<SealVerifyInfo> = types.iter().map(|n| seal(*n)).collect();
        let mut m = msg(
            genesis.accounts[0].address,
            Address::new_id(PROBE),
            0,
            TokenAmount::from_atto(0),
            2,
            RawBytes::new(params(BATCH_VERIFY_SEALS, 4, &cbor(&infos))),
        );
        m.gas_limit = 1_000_000_000;
        let r = observe_fern(&mut fern, &m, fvm::executor::ApplyKind::Explicit);
        assert_eq!(r.exit_code, 0, "nv{}", u32::from(nv));
        let want: Vec<u8> = types.iter().map(|n| u8::from(asked.contains(n))).collect();
        assert_eq!(&r.return_data[8..], want.as_slice(), "nv{}", u32::from(nv));
        assert_eq!(*recorder.0.lock().unwrap(), asked, "nv{}", u32::from(nv));
    }
}
