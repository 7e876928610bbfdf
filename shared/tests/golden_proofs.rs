//! Golden tests: Fern's crypto, sector, piece, event, randomness, upgrade and syscall types must
//! encode to exactly the bytes `fvm_shared` 4.8 produces, decode what it produces, reject what it
//! rejects, and (for the syscall structs) have exactly its memory layout.
//!
//! Every expected value comes from the oracle crate in the same test.

use std::fmt::Debug;
use std::mem::{align_of, offset_of, size_of};

use cid::multihash::Multihash;
use cid::Cid;
use fvm_ipld_encoding::{from_slice, to_vec};
use num_bigint::BigInt;
use serde::de::DeserializeOwned;
use serde::Serialize;

use fern_shared as fern;
use fvm_shared as oracle;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Asserts identical bytes both ways: Fern and oracle encode `fern_v`/`oracle_v` identically,
/// each side decodes the other's bytes back to its own value.
fn same<F, O>(fern_v: &F, oracle_v: &O)
where
    F: Serialize + DeserializeOwned + PartialEq + Debug,
    O: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let fb = to_vec(fern_v).expect("fern encodes");
    let ob = to_vec(oracle_v).expect("oracle encodes");
    assert_eq!(
        hex::encode(&fb),
        hex::encode(&ob),
        "encodings differ for {fern_v:?}"
    );
    let f2: F = from_slice(&ob).expect("fern decodes oracle bytes");
    assert_eq!(&f2, fern_v);
    let o2: O = from_slice(&fb).expect("oracle decodes fern bytes");
    assert_eq!(&o2, oracle_v);
}

/// Asserts Fern and the oracle agree on whether `bytes` decode, and if they do, that both
/// re-encode to the same bytes.
fn same_decode<F, O>(bytes: &[u8])
where
    F: Serialize + DeserializeOwned + Debug,
    O: Serialize + DeserializeOwned + Debug,
{
    let f = from_slice::<F>(bytes);
    let o = from_slice::<O>(bytes);
    assert_eq!(
        f.is_ok(),
        o.is_ok(),
        "decode verdicts differ for {}: fern {f:?}, oracle {o:?}",
        hex::encode(bytes)
    );
    if let (Ok(f), Ok(o)) = (f, o) {
        assert_eq!(to_vec(&f).unwrap(), to_vec(&o).unwrap());
    }
}

fn cid(codec: u64, code: u64, digest: &[u8]) -> Cid {
    Cid::new_v1(codec, Multihash::wrap(code, digest).unwrap())
}

fn sample_cids() -> Vec<Cid> {
    vec![
        cid(0x71, 0xb220, &[7u8; 32]),
        cid(0x55, 0x00, b""),
        // Commitment-style CIDs (fil-commitment-sealed / unsealed codecs).
        cid(0xf102, 0x1012, &[0xab; 32]),
        cid(0xf101, 0x920b, &[0xcd; 32]),
        cid(0x71, 0xb240, &[0xff; 64]),
    ]
}

fn f_rand(b: &[u8]) -> fern::randomness::Randomness {
    fern::randomness::Randomness(b.to_vec())
}

fn o_rand(b: &[u8]) -> oracle::randomness::Randomness {
    oracle::randomness::Randomness(b.to_vec())
}

/// Proof numbers worth testing: every known one, the gaps, and the extremes.
fn proof_numbers() -> Vec<i64> {
    let mut v: Vec<i64> = (-3..=25).collect();
    v.extend([i64::MIN, i64::MIN + 1, i64::MAX, 1 << 40, -(1 << 40)]);
    v
}

// ---------------------------------------------------------------------------------------------
// crypto
// ---------------------------------------------------------------------------------------------

#[test]
fn crypto_constants_match() {
    use oracle::crypto::signature as o;
    assert_eq!(fern::crypto::BLS_SIG_LEN, o::BLS_SIG_LEN);
    assert_eq!(fern::crypto::BLS_PUB_LEN, o::BLS_PUB_LEN);
    assert_eq!(fern::crypto::SECP_SIG_LEN, o::SECP_SIG_LEN);
    assert_eq!(fern::crypto::SECP_PUB_LEN, o::SECP_PUB_LEN);
    assert_eq!(
        fern::crypto::SECP_SIG_MESSAGE_HASH_SIZE,
        o::SECP_SIG_MESSAGE_HASH_SIZE
    );
    assert_eq!(
        fern::crypto::SignatureType::Secp256k1 as u8,
        o::SignatureType::Secp256k1 as u8
    );
    assert_eq!(
        fern::crypto::SignatureType::BLS as u8,
        o::SignatureType::BLS as u8
    );
}

#[test]
fn supported_hash_codes_match() {
    use fern::crypto::SupportedHashes as F;
    use oracle::crypto::hash::SupportedHashes as O;
    let pairs = [
        (F::Sha2_256, O::Sha2_256),
        (F::Blake2b256, O::Blake2b256),
        (F::Blake2b512, O::Blake2b512),
        (F::Keccak256, O::Keccak256),
        (F::Ripemd160, O::Ripemd160),
    ];
    for (f, o) in pairs {
        assert_eq!(u64::from(f), u64::from(o));
        assert_eq!(F::try_from(u64::from(o)), Ok(f));
    }
    assert_eq!(F::ALL.len(), pairs.len());
    assert!(F::try_from(0x13).is_err());
    assert!(F::try_from(0).is_err());
}

#[test]
fn signatures_encode_identically() {
    let payloads: Vec<Vec<u8>> = vec![
        vec![],
        vec![0],
        vec![0x5a; 65],
        vec![0xee; 96],
        (0..=255u8).collect(),
    ];
    for p in &payloads {
        same(
            &fern::crypto::Signature::new_secp256k1(p.clone()),
            &oracle::crypto::signature::Signature::new_secp256k1(p.clone()),
        );
        same(
            &fern::crypto::Signature::new_bls(p.clone()),
            &oracle::crypto::signature::Signature::new_bls(p.clone()),
        );
    }
    same(
        &fern::crypto::SignatureType::BLS,
        &oracle::crypto::signature::SignatureType::BLS,
    );
    same(
        &fern::crypto::SignatureType::Secp256k1,
        &oracle::crypto::signature::SignatureType::Secp256k1,
    );
}

#[test]
fn signature_decoding_rejects_what_oracle_rejects() {
    use fern::crypto::{Signature as F, SignatureType as FT};
    use oracle::crypto::signature::{Signature as O, SignatureType as OT};
    // Byte strings: empty, each type byte 0..=4 with and without payload, and a non-bytes item.
    let mut cases: Vec<Vec<u8>> = vec![vec![0x40], vec![0x01], vec![0x80]];
    for t in 0u8..=4 {
        cases.push(vec![0x41, t]);
        cases.push(vec![0x43, t, 9, 9]);
        cases.push(to_vec(&t).unwrap());
    }
    // A text string holding bytes.
    cases.push(vec![0x62, 0x01, 0x02]);
    for c in &cases {
        same_decode::<F, O>(c);
        same_decode::<FT, OT>(c);
    }
}

// ---------------------------------------------------------------------------------------------
// randomness, upgrade, consensus
// ---------------------------------------------------------------------------------------------

#[test]
fn randomness_matches() {
    assert_eq!(
        fern::randomness::RANDOMNESS_LENGTH,
        oracle::randomness::RANDOMNESS_LENGTH
    );
    for b in [&[][..], &[1, 2, 3][..], &[0xff; 32][..], &[0x11; 300][..]] {
        same(&f_rand(b), &o_rand(b));
    }
    // An array of integers is not a byte string: both must reject it.
    same_decode::<fern::randomness::Randomness, oracle::randomness::Randomness>(&[0x81, 0x01]);
}

#[test]
fn upgrade_info_matches() {
    for c in sample_cids() {
        same(
            &fern::upgrade::UpgradeInfo { old_code_cid: c },
            &oracle::upgrade::UpgradeInfo { old_code_cid: c },
        );
    }
}

#[test]
fn consensus_fault_numbers_match() {
    use fern::consensus::ConsensusFaultType as F;
    use oracle::consensus::ConsensusFaultType as O;
    let pairs = [
        (F::DoubleForkMining, O::DoubleForkMining),
        (F::ParentGrinding, O::ParentGrinding),
        (F::TimeOffsetMining, O::TimeOffsetMining),
    ];
    for (f, o) in pairs {
        assert_eq!(f as u8, o as u8);
        assert_eq!(F::from_u32(o as u32), Some(f));
    }
    assert_eq!(F::from_u32(0), None);
    assert_eq!(F::from_u32(4), None);
}

// ---------------------------------------------------------------------------------------------
// event
// ---------------------------------------------------------------------------------------------

fn entry_pair(
    flags: u64,
    key: &str,
    codec: u64,
    value: &[u8],
) -> (fern::event::Entry, oracle::event::Entry) {
    (
        fern::event::Entry {
            flags: fern::event::Flags::from_bits_retain(flags),
            key: key.into(),
            codec,
            value: value.to_vec(),
        },
        oracle::event::Entry {
            flags: oracle::event::Flags::from_bits_retain(flags),
            key: key.into(),
            codec,
            value: value.to_vec(),
        },
    )
}

#[test]
fn event_flags_match() {
    use fern::event::Flags as F;
    use oracle::event::Flags as O;
    assert_eq!(F::FLAG_INDEXED_KEY.bits(), O::FLAG_INDEXED_KEY.bits());
    assert_eq!(F::FLAG_INDEXED_VALUE.bits(), O::FLAG_INDEXED_VALUE.bits());
    assert_eq!(F::FLAG_INDEXED_ALL.bits(), O::FLAG_INDEXED_ALL.bits());
    for bits in [0, 1, 2, 3, 4, 0xff, u64::MAX] {
        same(&F::from_bits_retain(bits), &O::from_bits_retain(bits));
    }
}

#[test]
fn events_encode_identically() {
    let raw = [
        entry_pair(0, "", 0x55, b""),
        entry_pair(3, "t1", 0x55, &[0xde, 0xad]),
        entry_pair(1, "ключ", 0x71, &[0xa0]),
        entry_pair(0xf0, "big", u64::MAX, &[0x42; 200]),
    ];
    for (f, o) in &raw {
        same(f, o);
    }
    let mut f_entries = vec![];
    let mut o_entries = vec![];
    for n in 0..=raw.len() {
        let fe = fern::event::ActorEvent {
            entries: f_entries.clone(),
        };
        let oe = oracle::event::ActorEvent {
            entries: o_entries.clone(),
        };
        same(&fe, &oe);
        for emitter in [0, 1000, u64::MAX] {
            same(
                &fern::event::StampedEvent::new(emitter, fe.clone()),
                &oracle::event::StampedEvent::new(emitter, oe.clone()),
            );
        }
        if n < raw.len() {
            f_entries.push(raw[n].0.clone());
            o_entries.push(raw[n].1.clone());
        }
    }
    // A list of stamped events, as stored in the receipt's events AMT values.
    let fl: Vec<_> = (0..3)
        .map(|i| {
            fern::event::StampedEvent::new(i, fern::event::ActorEvent::from(f_entries.clone()))
        })
        .collect();
    let ol: Vec<_> = (0..3)
        .map(|i| {
            oracle::event::StampedEvent::new(i, oracle::event::ActorEvent::from(o_entries.clone()))
        })
        .collect();
    same(&fl, &ol);
}

#[test]
fn event_decoding_rejects_what_oracle_rejects() {
    use fern::event::{ActorEvent as FA, Entry as FE};
    use oracle::event::{ActorEvent as OA, Entry as OE};
    let cases: Vec<Vec<u8>> = vec![
        // Entry with a text value instead of bytes.
        vec![0x84, 0x00, 0x61, b'k', 0x18, 0x55, 0x61, b'v'],
        // Entry with three fields.
        vec![0x83, 0x00, 0x61, b'k', 0x18, 0x55],
        // Entry with a negative flag word.
        vec![0x84, 0x20, 0x61, b'k', 0x18, 0x55, 0x40],
        // Well-formed entry.
        vec![0x84, 0x01, 0x61, b'k', 0x18, 0x55, 0x41, 0x00],
    ];
    for c in &cases {
        same_decode::<FE, OE>(c);
        let mut list = vec![0x81];
        list.extend_from_slice(c);
        same_decode::<FA, OA>(&list);
    }
}

// ---------------------------------------------------------------------------------------------
// piece
// ---------------------------------------------------------------------------------------------

#[test]
fn piece_sizes_match() {
    let values: Vec<u64> = (0..140)
        .chain([
            254,
            508,
            1016,
            1024,
            2032,
            2048,
            127 << 20,
            128 << 20,
            127 * 3,
            128 * 3,
        ])
        .chain([u64::MAX, u64::MAX - 1, 1 << 63])
        .collect();
    for v in values {
        let fu = fern::piece::UnpaddedPieceSize(v);
        let ou = oracle::piece::UnpaddedPieceSize(v);
        assert_eq!(fu.validate().is_ok(), ou.validate().is_ok(), "unpadded {v}");
        if v <= u64::MAX / 2 {
            assert_eq!(fu.padded().0, ou.padded().0, "padded({v})");
        }
        let fp = fern::piece::PaddedPieceSize(v);
        let op = oracle::piece::PaddedPieceSize(v);
        assert_eq!(fp.validate().is_ok(), op.validate().is_ok(), "padded {v}");
        assert_eq!(fp.unpadded().0, op.unpadded().0, "unpadded({v})");
        same(&fp, &op);
    }
}

#[test]
fn piece_infos_match() {
    let mut f_list = vec![];
    let mut o_list = vec![];
    for (i, c) in sample_cids().into_iter().enumerate() {
        let size = 128u64 << i;
        let f = fern::piece::PieceInfo {
            size: fern::piece::PaddedPieceSize(size),
            cid: c,
        };
        let o = oracle::piece::PieceInfo {
            size: oracle::piece::PaddedPieceSize(size),
            cid: c,
        };
        same(&f, &o);
        f_list.push(f);
        o_list.push(o);
    }
    // The list form is what `compute_unsealed_sector_cid` decodes.
    same(&f_list, &o_list);
}

// ---------------------------------------------------------------------------------------------
// sector: proof enums
// ---------------------------------------------------------------------------------------------

fn f_size(s: fern::sector::SectorSize) -> u64 {
    s as u64
}

fn o_size(s: oracle::sector::SectorSize) -> u64 {
    s as u64
}

#[test]
fn sector_sizes_match() {
    use fern::sector::SectorSize as F;
    use oracle::sector::SectorSize as O;
    let pairs = [
        (F::_2KiB, O::_2KiB),
        (F::_8MiB, O::_8MiB),
        (F::_512MiB, O::_512MiB),
        (F::_32GiB, O::_32GiB),
        (F::_64GiB, O::_64GiB),
    ];
    for (f, o) in pairs {
        assert_eq!(f_size(f), o_size(o));
        assert_eq!(f.to_string(), o.to_string());
        same(&f, &o);
    }
    for n in [0u64, 1, 2048 + 1, 1 << 40, u64::MAX] {
        same_decode::<F, O>(&to_vec(&n).unwrap());
    }
    same_decode::<F, O>(&to_vec(&-1i64).unwrap());
}

#[test]
fn seal_proofs_match() {
    use fern::sector::RegisteredSealProof as F;
    use oracle::sector::RegisteredSealProof as O;
    for n in proof_numbers() {
        let (f, o) = (F::from(n), O::from(n));
        assert_eq!(i64::from(f), i64::from(o));
        assert_eq!(
            matches!(f, F::Invalid(_)),
            matches!(o, O::Invalid(_)),
            "validity of {n}"
        );
        same(&f, &o);
        assert_eq!(
            f.sector_size().ok().map(f_size),
            o.sector_size().ok().map(o_size),
            "{n}"
        );
        assert_eq!(f.proof_size().ok(), o.proof_size().ok(), "proof size {n}");
        assert_eq!(
            f.window_post_partition_sectors().ok(),
            o.window_post_partition_sectors().ok(),
            "partition {n}"
        );
        assert_eq!(
            f.registered_window_post_proof().ok().map(i64::from),
            o.registered_window_post_proof().ok().map(i64::from),
            "window post of {n}"
        );
        assert_eq!(
            f.registered_update_proof().ok().map(i64::from),
            o.registered_update_proof().ok().map(i64::from),
            "update proof of {n}"
        );
        let (mut fu, mut ou) = (f, o);
        fu.update_to_v1();
        ou.update_to_v1();
        assert_eq!(i64::from(fu), i64::from(ou), "update_to_v1 of {n}");
    }
    // A hand-built Invalid holding a known number encodes as that number (and decodes back to
    // the known variant on both sides).
    assert_eq!(
        to_vec(&F::Invalid(5)).unwrap(),
        to_vec(&O::Invalid(5)).unwrap()
    );
    same_decode::<F, O>(&to_vec(&O::Invalid(5)).unwrap());
    assert_eq!(i64::from(F::default()), i64::from(O::default()));
}

#[test]
fn seal_proof_from_sector_size_matches() {
    use fern::sector::SectorSize as F;
    use oracle::sector::SectorSize as O;
    let sizes = [
        (F::_2KiB, O::_2KiB),
        (F::_8MiB, O::_8MiB),
        (F::_512MiB, O::_512MiB),
        (F::_32GiB, O::_32GiB),
        (F::_64GiB, O::_64GiB),
    ];
    for nv in [0u32, 6, 7, 8, 21, 28] {
        for (fs, os) in sizes {
            let f = fern::sector::RegisteredSealProof::from_sector_size(
                fs,
                fern::version::NetworkVersion::new(nv),
            );
            let o = oracle::sector::RegisteredSealProof::from_sector_size(
                os,
                oracle::version::NetworkVersion::new(nv),
            );
            assert_eq!(i64::from(f), i64::from(o), "size {fs:?} at nv {nv}");
        }
    }
}

#[test]
fn post_proofs_match() {
    use fern::sector::RegisteredPoStProof as F;
    use oracle::sector::RegisteredPoStProof as O;
    for n in proof_numbers() {
        let (f, o) = (F::from(n), O::from(n));
        assert_eq!(i64::from(f), i64::from(o));
        assert_eq!(
            matches!(f, F::Invalid(_)),
            matches!(o, O::Invalid(_)),
            "validity of {n}"
        );
        same(&f, &o);
        assert_eq!(
            f.sector_size().ok().map(f_size),
            o.sector_size().ok().map(o_size),
            "{n}"
        );
        assert_eq!(f.proof_size().ok(), o.proof_size().ok());
        assert_eq!(
            f.window_post_partition_sectors().ok(),
            o.window_post_partition_sectors().ok()
        );
    }
}

#[test]
fn aggregate_and_update_proofs_match() {
    use fern::sector::{RegisteredAggregateProof as FA, RegisteredUpdateProof as FU};
    use oracle::sector::{RegisteredAggregateProof as OA, RegisteredUpdateProof as OU};
    for n in proof_numbers() {
        let (fa, oa) = (FA::from(n), OA::from(n));
        assert_eq!(
            matches!(fa, FA::Invalid(_)),
            matches!(oa, OA::Invalid(_)),
            "agg {n}"
        );
        same(&fa, &oa);
        let (fu, ou) = (FU::from(n), OU::from(n));
        assert_eq!(
            matches!(fu, FU::Invalid(_)),
            matches!(ou, OU::Invalid(_)),
            "update {n}"
        );
        same(&fu, &ou);
    }
}

#[test]
fn proof_enums_reject_what_oracle_rejects() {
    use fern::sector::RegisteredSealProof as F;
    use oracle::sector::RegisteredSealProof as O;
    let cases: Vec<Vec<u8>> = vec![
        to_vec(&u64::MAX).unwrap(),          // does not fit an i64
        to_vec(&(i64::MAX as u64)).unwrap(), // fits exactly
        to_vec(&"5").unwrap(),               // text
        vec![0xf6],                          // null
        vec![0xf9, 0x3c, 0x00],              // float 1.0
    ];
    for c in &cases {
        same_decode::<F, O>(c);
        same_decode::<fern::sector::RegisteredPoStProof, oracle::sector::RegisteredPoStProof>(c);
    }
}

// ---------------------------------------------------------------------------------------------
// sector: structs
// ---------------------------------------------------------------------------------------------

fn f_post(t: i64, b: &[u8]) -> fern::sector::PoStProof {
    fern::sector::PoStProof {
        post_proof: t.into(),
        proof_bytes: b.to_vec(),
    }
}

fn o_post(t: i64, b: &[u8]) -> oracle::sector::PoStProof {
    oracle::sector::PoStProof {
        post_proof: t.into(),
        proof_bytes: b.to_vec(),
    }
}

fn f_sinfo(p: i64, n: u64, c: Cid) -> fern::sector::SectorInfo {
    fern::sector::SectorInfo {
        proof: p.into(),
        sector_number: n,
        sealed_cid: c,
    }
}

fn o_sinfo(p: i64, n: u64, c: Cid) -> oracle::sector::SectorInfo {
    oracle::sector::SectorInfo {
        proof: p.into(),
        sector_number: n,
        sealed_cid: c,
    }
}

#[test]
fn sector_ids_and_infos_match() {
    for (miner, number) in [(0, 0), (1000, 7), (u64::MAX, u64::MAX)] {
        same(
            &fern::sector::SectorID { miner, number },
            &oracle::sector::SectorID { miner, number },
        );
    }
    for (i, c) in sample_cids().into_iter().enumerate() {
        for p in [8i64, 0, 19, -1, 999] {
            let n = (i as u64) * 1_000_003;
            same(&f_sinfo(p, n, c), &o_sinfo(p, n, c));
        }
    }
}

#[test]
fn extended_sector_info_is_the_four_tuple() {
    // fvm_shared 4.8 has no ExtendedSectorInfo; the miner actor's form is the tuple
    // (seal proof, sector number, optional sector key, sealed cid). Build that tuple from oracle
    // types and compare.
    let cids = sample_cids();
    for key in [None, Some(cids[2])] {
        let f = fern::sector::ExtendedSectorInfo {
            proof: 8.into(),
            sector_number: 42,
            sector_key: key,
            sealed_cid: cids[0],
        };
        let o = (
            oracle::sector::RegisteredSealProof::from(8),
            42u64,
            key,
            cids[0],
        );
        same(&f, &o);
        let short = fern::sector::SectorInfo::from(&f);
        same(&short, &o_sinfo(8, 42, cids[0]));
    }
}

#[test]
fn post_structs_match() {
    let cids = sample_cids();
    let f_proofs = vec![f_post(13, &[1; 192]), f_post(3, b""), f_post(77, &[9])];
    let o_proofs = vec![o_post(13, &[1; 192]), o_post(3, b""), o_post(77, &[9])];
    for (f, o) in f_proofs.iter().zip(&o_proofs) {
        same(f, o);
    }
    let f_sectors: Vec<_> = cids
        .iter()
        .enumerate()
        .map(|(i, c)| f_sinfo(8, i as u64, *c))
        .collect();
    let o_sectors: Vec<_> = cids
        .iter()
        .enumerate()
        .map(|(i, c)| o_sinfo(8, i as u64, *c))
        .collect();

    for r in [&[][..], &[0xaa; 32][..]] {
        same(
            &fern::sector::WindowPoStVerifyInfo {
                randomness: f_rand(r),
                proofs: f_proofs.clone(),
                challenged_sectors: f_sectors.clone(),
                prover: 1234,
            },
            &oracle::sector::WindowPoStVerifyInfo {
                randomness: o_rand(r),
                proofs: o_proofs.clone(),
                challenged_sectors: o_sectors.clone(),
                prover: 1234,
            },
        );
        same(
            &fern::sector::WinningPoStVerifyInfo {
                randomness: f_rand(r),
                proofs: f_proofs.clone(),
                challenge_sectors: f_sectors.clone(),
                prover: u64::MAX,
            },
            &oracle::sector::WinningPoStVerifyInfo {
                randomness: o_rand(r),
                proofs: o_proofs.clone(),
                challenge_sectors: o_sectors.clone(),
                prover: u64::MAX,
            },
        );
    }
    same(
        &fern::sector::WindowPoStVerifyInfo::default(),
        &oracle::sector::WindowPoStVerifyInfo::default(),
    );
    same(
        &fern::sector::OnChainWindowPoStVerifyInfo {
            proofs: f_proofs.clone(),
        },
        &oracle::sector::OnChainWindowPoStVerifyInfo {
            proofs: o_proofs.clone(),
        },
    );
}

#[test]
fn seal_structs_match() {
    let cids = sample_cids();
    let deal_sets: [Vec<u64>; 3] = [vec![], vec![0, 1, u64::MAX], (0..40).collect()];
    let mut f_batch = vec![];
    let mut o_batch = vec![];
    for (i, deals) in deal_sets.iter().enumerate() {
        let proof = vec![i as u8; 1920 * i];
        let f = fern::sector::SealVerifyInfo {
            registered_proof: (8 + i as i64).into(),
            sector_id: fern::sector::SectorID {
                miner: 1000 + i as u64,
                number: 5,
            },
            deal_ids: deals.clone(),
            randomness: f_rand(&[1; 32]),
            interactive_randomness: f_rand(&[2; 32]),
            proof: proof.clone(),
            sealed_cid: cids[2],
            unsealed_cid: cids[3],
        };
        let o = oracle::sector::SealVerifyInfo {
            registered_proof: (8 + i as i64).into(),
            sector_id: oracle::sector::SectorID {
                miner: 1000 + i as u64,
                number: 5,
            },
            deal_ids: deals.clone(),
            randomness: o_rand(&[1; 32]),
            interactive_randomness: o_rand(&[2; 32]),
            proof: proof.clone(),
            sealed_cid: cids[2],
            unsealed_cid: cids[3],
        };
        same(&f, &o);
        f_batch.push(f);
        o_batch.push(o);

        same(
            &fern::sector::SealVerifyParams {
                sealed_cid: cids[2],
                interactive_epoch: -(i as i64),
                registered_seal_proof: 13.into(),
                proof: proof.clone(),
                deal_ids: deals.clone(),
                sector_num: i as u64,
                seal_rand_epoch: i64::MAX - i as i64,
            },
            &oracle::sector::SealVerifyParams {
                sealed_cid: cids[2],
                interactive_epoch: -(i as i64),
                registered_seal_proof: 13.into(),
                proof,
                deal_ids: deals.clone(),
                sector_num: i as u64,
                seal_rand_epoch: i64::MAX - i as i64,
            },
        );
    }
    // The list form is what `batch_verify_seals` decodes.
    same(&f_batch, &o_batch);
}

#[test]
fn aggregate_seal_structs_match() {
    let cids = sample_cids();
    let f_infos: Vec<_> = (0..4u64)
        .map(|n| fern::sector::AggregateSealVerifyInfo {
            sector_number: n * 99,
            randomness: f_rand(&[n as u8; 32]),
            interactive_randomness: f_rand(&[!(n as u8); 32]),
            sealed_cid: cids[(n % 5) as usize],
            unsealed_cid: cids[((n + 1) % 5) as usize],
        })
        .collect();
    let o_infos: Vec<_> = (0..4u64)
        .map(|n| oracle::sector::AggregateSealVerifyInfo {
            sector_number: n * 99,
            randomness: o_rand(&[n as u8; 32]),
            interactive_randomness: o_rand(&[!(n as u8); 32]),
            sealed_cid: cids[(n % 5) as usize],
            unsealed_cid: cids[((n + 1) % 5) as usize],
        })
        .collect();
    for (f, o) in f_infos.iter().zip(&o_infos) {
        same(f, o);
    }
    for agg in [0i64, 1, 2] {
        same(
            &fern::sector::AggregateSealVerifyProofAndInfos {
                miner: 1001,
                seal_proof: 8.into(),
                aggregate_proof: agg.into(),
                proof: vec![0x33; 500],
                infos: f_infos.clone(),
            },
            &oracle::sector::AggregateSealVerifyProofAndInfos {
                miner: 1001,
                seal_proof: 8.into(),
                aggregate_proof: agg.into(),
                proof: vec![0x33; 500],
                infos: o_infos.clone(),
            },
        );
    }
}

#[test]
fn replica_update_info_matches_including_integer_array_proof() {
    let cids = sample_cids();
    for proof in [vec![], vec![0u8, 1, 23, 24, 255], vec![0x80; 300]] {
        for t in [3i64, 4, 9] {
            same(
                &fern::sector::ReplicaUpdateInfo {
                    update_proof_type: t.into(),
                    old_sealed_cid: cids[0],
                    new_sealed_cid: cids[2],
                    new_unsealed_cid: cids[3],
                    proof: proof.clone(),
                },
                &oracle::sector::ReplicaUpdateInfo {
                    update_proof_type: t.into(),
                    old_sealed_cid: cids[0],
                    new_sealed_cid: cids[2],
                    new_unsealed_cid: cids[3],
                    proof: proof.clone(),
                },
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// sys: layouts
// ---------------------------------------------------------------------------------------------

/// Asserts equal size and alignment, and equal offsets for each listed field.
macro_rules! same_layout {
    ($f:ty, $o:ty $(, $field:ident)* $(,)?) => {{
        assert_eq!(size_of::<$f>(), size_of::<$o>(), "size of {}", stringify!($f));
        assert_eq!(align_of::<$f>(), align_of::<$o>(), "align of {}", stringify!($f));
        $(
            assert_eq!(
                offset_of!($f, $field),
                offset_of!($o, $field),
                "offset of {}.{}",
                stringify!($f),
                stringify!($field)
            );
        )*
    }};
}

/// The raw bytes of a value.
fn bytes_of<T>(v: &T) -> Vec<u8> {
    // SAFETY: `T` is one of the packed, padding-free syscall structs.
    unsafe { std::slice::from_raw_parts(v as *const T as *const u8, size_of::<T>()).to_vec() }
}

#[test]
fn sys_layouts_match() {
    use fern::sys as f;
    use oracle::sys as o;
    same_layout!(f::BlockId, o::BlockId);
    same_layout!(f::Codec, o::Codec);
    same_layout!(f::TokenAmount, o::TokenAmount, lo, hi);
    same_layout!(f::SendFlags, o::SendFlags);
    same_layout!(f::EventEntry, o::EventEntry, flags, codec, key_len, val_len);
    same_layout!(fern::event::Flags, oracle::event::Flags);
    same_layout!(
        f::out::ipld::IpldOpen,
        o::out::ipld::IpldOpen,
        codec,
        id,
        size
    );
    same_layout!(f::out::ipld::IpldStat, o::out::ipld::IpldStat, codec, size);
    same_layout!(
        f::out::send::Send,
        o::out::send::Send,
        exit_code,
        return_id,
        return_codec,
        return_size
    );
    same_layout!(
        f::out::crypto::VerifyConsensusFault,
        o::out::crypto::VerifyConsensusFault,
        epoch,
        target,
        fault
    );
    same_layout!(f::out::vm::ContextFlags, o::out::vm::ContextFlags);
    same_layout!(
        f::out::vm::MessageContext,
        o::out::vm::MessageContext,
        origin,
        nonce,
        caller,
        receiver,
        method_number,
        value_received,
        gas_premium,
        flags
    );
    same_layout!(
        f::out::network::NetworkContext,
        o::out::network::NetworkContext,
        epoch,
        timestamp,
        base_fee,
        chain_id,
        network_version
    );
    same_layout!(
        fern::version::NetworkVersion,
        oracle::version::NetworkVersion
    );
    assert_eq!(
        f::SendFlags::READ_ONLY.bits(),
        o::SendFlags::READ_ONLY.bits()
    );
    assert_eq!(
        f::out::vm::ContextFlags::READ_ONLY.bits(),
        o::out::vm::ContextFlags::READ_ONLY.bits()
    );
}

#[test]
fn sys_struct_bytes_match() {
    use fern::sys as f;
    use oracle::sys as o;
    let f_ta = |v: u128| f::TokenAmount::from_u128(v);
    let o_ta = |v: u128| o::TokenAmount {
        lo: v as u64,
        hi: (v >> 64) as u64,
    };

    let fm = f::out::vm::MessageContext {
        origin: 0x0101_0101_0101_0101,
        nonce: 2,
        caller: 3,
        receiver: u64::MAX,
        method_number: 0x1234_5678_9abc_def0,
        value_received: f_ta(u128::MAX - 5),
        gas_premium: f_ta(1 << 70),
        flags: f::out::vm::ContextFlags::READ_ONLY,
    };
    let om = o::out::vm::MessageContext {
        origin: 0x0101_0101_0101_0101,
        nonce: 2,
        caller: 3,
        receiver: u64::MAX,
        method_number: 0x1234_5678_9abc_def0,
        value_received: o_ta(u128::MAX - 5),
        gas_premium: o_ta(1 << 70),
        flags: o::out::vm::ContextFlags::READ_ONLY,
    };
    assert_eq!(bytes_of(&fm), bytes_of(&om));

    let fnc = f::out::network::NetworkContext {
        epoch: -7,
        timestamp: 1_700_000_000,
        base_fee: f_ta(100),
        chain_id: 314,
        network_version: fern::version::NetworkVersion::new(28),
    };
    let onc = o::out::network::NetworkContext {
        epoch: -7,
        timestamp: 1_700_000_000,
        base_fee: o_ta(100),
        chain_id: 314,
        network_version: oracle::version::NetworkVersion::new(28),
    };
    assert_eq!(bytes_of(&fnc), bytes_of(&onc));

    let fs = f::out::send::Send {
        exit_code: 16,
        return_id: 9,
        return_codec: 0x71,
        return_size: 77,
    };
    let os = o::out::send::Send {
        exit_code: 16,
        return_id: 9,
        return_codec: 0x71,
        return_size: 77,
    };
    assert_eq!(bytes_of(&fs), bytes_of(&os));

    let fo = f::out::ipld::IpldOpen {
        codec: 0x55,
        id: 3,
        size: 1 << 20,
    };
    let oo = o::out::ipld::IpldOpen {
        codec: 0x55,
        id: 3,
        size: 1 << 20,
    };
    assert_eq!(bytes_of(&fo), bytes_of(&oo));
    let fst = f::out::ipld::IpldStat {
        codec: 0x71,
        size: 12,
    };
    let ost = o::out::ipld::IpldStat {
        codec: 0x71,
        size: 12,
    };
    assert_eq!(bytes_of(&fst), bytes_of(&ost));

    let fv = f::out::crypto::VerifyConsensusFault {
        epoch: 100,
        target: 1001,
        fault: 2,
    };
    let ov = o::out::crypto::VerifyConsensusFault {
        epoch: 100,
        target: 1001,
        fault: 2,
    };
    assert_eq!(bytes_of(&fv), bytes_of(&ov));

    let fe = f::EventEntry {
        flags: fern::event::Flags::FLAG_INDEXED_ALL,
        codec: 0x55,
        key_len: 3,
        val_len: 70000,
    };
    let oe = o::EventEntry {
        flags: oracle::event::Flags::FLAG_INDEXED_ALL,
        codec: 0x55,
        key_len: 3,
        val_len: 70000,
    };
    assert_eq!(bytes_of(&fe), bytes_of(&oe));
}

#[test]
fn sys_token_amount_conversions_match() {
    use fern::sys::TokenAmount as F;
    use oracle::sys::TokenAmount as O;
    let big = |s: &str| s.parse::<BigInt>().unwrap();
    let cases = [
        big("0"),
        big("1"),
        big("18446744073709551615"),
        big("18446744073709551616"),
        big("340282366920938463463374607431768211455"), // 2^128 - 1
        big("340282366920938463463374607431768211456"), // 2^128
        big("-1"),
        big("-340282366920938463463374607431768211455"),
    ];
    for atto in cases {
        let fa = fern::econ::TokenAmount::from_atto(atto.clone());
        let oa = oracle::econ::TokenAmount::from_atto(atto.clone());
        let f = F::try_from(&fa);
        let o = O::try_from(&oa);
        assert_eq!(f.is_ok(), o.is_ok(), "range verdict for {atto}");
        if let (Ok(f), Ok(o)) = (f, o) {
            assert_eq!((f.lo, f.hi), (o.lo, o.hi), "halves of {atto}");
            let back_f: fern::econ::TokenAmount = f.into();
            let back_o: oracle::econ::TokenAmount = o.into();
            assert_eq!(back_f.atto(), back_o.atto());
            assert_eq!(back_f.atto(), &atto);
        }
    }
}
