//! Signatures, hashing and proof verification, computed by the kernel.

use cid::Cid;
use fern_shared::address::Address;
use fern_shared::consensus::{ConsensusFault, ConsensusFaultType};
use fern_shared::consts::MAX_CID_LEN;
use fern_shared::crypto::{
    Signature, SupportedHashes, BLS_PUB_LEN, BLS_SIG_LEN, SECP_PUB_LEN, SECP_SIG_LEN,
    SECP_SIG_MESSAGE_HASH_SIZE,
};
use fern_shared::error::ErrorNumber;
use fern_shared::piece::PieceInfo;
use fern_shared::sector::{
    AggregateSealVerifyProofAndInfos, RegisteredSealProof, ReplicaUpdateInfo, SealVerifyInfo,
    WindowPoStVerifyInfo,
};

use crate::ipld::cid_from_kernel;
use crate::{is_ok_status, sys, SyscallResult};

/// Buffer size [`hash_owned`] offers the kernel (the longest supported digest).
pub const MAX_DIGEST_LEN: usize = 64;

fn encode<T: serde::Serialize + ?Sized>(value: &T, what: &str) -> Vec<u8> {
    fvm_ipld_encoding::to_vec(value).unwrap_or_else(|e| panic!("failed to encode {what}: {e}"))
}

/// Checks `signature` over `plaintext` against an `f1` or `f3` signer address
/// (`crypto::verify_signature`). `Ok(false)` means the signature is invalid.
pub fn verify_signature(
    signature: &Signature,
    signer: &Address,
    plaintext: &[u8],
) -> SyscallResult<bool> {
    let signer = signer.to_bytes();
    let sig = signature.bytes();
    unsafe {
        sys::crypto::verify_signature(
            signature.signature_type() as u32,
            sig.as_ptr(),
            sig.len() as u32,
            signer.as_ptr(),
            signer.len() as u32,
            plaintext.as_ptr(),
            plaintext.len() as u32,
        )
    }
    .map(is_ok_status)
}

/// Checks a BLS aggregate signature over one plaintext per public key
/// (`crypto::verify_bls_aggregate`). Not available on mainnet kernels.
pub fn verify_bls_aggregate(
    sig: &[u8; BLS_SIG_LEN],
    pub_keys: &[[u8; BLS_PUB_LEN]],
    plaintexts: &[&[u8]],
) -> SyscallResult<bool> {
    if pub_keys.len() != plaintexts.len() {
        return Err(ErrorNumber::IllegalArgument);
    }
    let count = u32::try_from(pub_keys.len()).map_err(|_| ErrorNumber::IllegalArgument)?;
    let lens = plaintexts
        .iter()
        .map(|p| u32::try_from(p.len()).map_err(|_| ErrorNumber::IllegalArgument))
        .collect::<SyscallResult<Vec<u32>>>()?;
    let joined = plaintexts.concat();
    unsafe {
        sys::crypto::verify_bls_aggregate(
            count,
            sig.as_ptr(),
            pub_keys.as_ptr(),
            joined.as_ptr(),
            lens.as_ptr(),
        )
    }
    .map(is_ok_status)
}

/// Recovers the uncompressed secp256k1 public key that produced `signature` over the 32-byte
/// digest `hash` (`crypto::recover_secp_public_key`).
pub fn recover_secp_public_key(
    hash: &[u8; SECP_SIG_MESSAGE_HASH_SIZE],
    signature: &[u8; SECP_SIG_LEN],
) -> SyscallResult<[u8; SECP_PUB_LEN]> {
    unsafe { sys::crypto::recover_secp_public_key(hash.as_ptr(), signature.as_ptr()) }
}

/// BLAKE2b-256 of `data` (`crypto::hash` with a 32-byte output buffer).
pub fn hash_blake2b(data: &[u8]) -> [u8; 32] {
    let mut digest = [0u8; 32];
    let n = hash_into(SupportedHashes::Blake2b256, data, &mut digest);
    debug_assert_eq!(n, 32);
    digest
}

/// Hashes `data` with `hasher`, writing at most `digest.len()` bytes of the digest into
/// `digest`, and returns the number of bytes written (`crypto::hash`).
pub fn hash_into(hasher: SupportedHashes, data: &[u8], digest: &mut [u8]) -> usize {
    unsafe {
        sys::crypto::hash(
            hasher as u64,
            data.as_ptr(),
            data.len() as u32,
            digest.as_mut_ptr(),
            digest.len() as u32,
        )
    }
    .unwrap_or_else(|e| panic!("crypto::hash with {hasher:?} failed: {e}")) as usize
}

/// Hashes `data` with `hasher` and returns the full digest (`crypto::hash` with a 64-byte
/// output buffer).
pub fn hash_owned(hasher: SupportedHashes, data: &[u8]) -> Vec<u8> {
    let mut digest = vec![0u8; MAX_DIGEST_LEN];
    let n = hash_into(hasher, data, &mut digest);
    digest.truncate(n);
    digest
}

/// Computes the unsealed sector CID (CommD) of a sector of type `proof_type` holding `pieces`
/// (`crypto::compute_unsealed_sector_cid`, with a `MAX_CID_LEN` output buffer).
pub fn compute_unsealed_sector_cid(
    proof_type: RegisteredSealProof,
    pieces: &[PieceInfo],
) -> SyscallResult<Cid> {
    let pieces = encode(pieces, "piece infos");
    let mut buf = [0u8; MAX_CID_LEN];
    let len = unsafe {
        sys::crypto::compute_unsealed_sector_cid(
            i64::from(proof_type),
            pieces.as_ptr(),
            pieces.len() as u32,
            buf.as_mut_ptr(),
            MAX_CID_LEN as u32,
        )?
    };
    Ok(cid_from_kernel(&buf[..len as usize]))
}

/// Verifies a window PoSt (`crypto::verify_post`).
pub fn verify_post(info: &WindowPoStVerifyInfo) -> SyscallResult<bool> {
    let info = encode(info, "window PoSt input");
    unsafe { sys::crypto::verify_post(info.as_ptr(), info.len() as u32) }.map(is_ok_status)
}

/// Checks whether the block headers `h1` and `h2` (plus `extra`, used for parent-grinding
/// faults) prove a consensus fault (`crypto::verify_consensus_fault`). `Ok(None)` means no
/// fault was proven.
pub fn verify_consensus_fault(
    h1: &[u8],
    h2: &[u8],
    extra: &[u8],
) -> SyscallResult<Option<ConsensusFault>> {
    let out = unsafe {
        sys::crypto::verify_consensus_fault(
            h1.as_ptr(),
            h1.len() as u32,
            h2.as_ptr(),
            h2.len() as u32,
            extra.as_ptr(),
            extra.len() as u32,
        )?
    };
    let (fault, epoch, target) = (out.fault, out.epoch, out.target);
    if fault == 0 {
        return Ok(None);
    }
    let fault_type = ConsensusFaultType::from_u32(fault)
        .unwrap_or_else(|| panic!("kernel reported unknown consensus fault type {fault}"));
    Ok(Some(ConsensusFault { target: Address::new_id(target), epoch, fault_type }))
}

/// Verifies an aggregate seal proof (`crypto::verify_aggregate_seals`).
pub fn verify_aggregate_seals(info: &AggregateSealVerifyProofAndInfos) -> SyscallResult<bool> {
    let info = encode(info, "aggregate seal input");
    unsafe { sys::crypto::verify_aggregate_seals(info.as_ptr(), info.len() as u32) }
        .map(is_ok_status)
}

/// Verifies a replica update proof (`crypto::verify_replica_update`).
pub fn verify_replica_update(info: &ReplicaUpdateInfo) -> SyscallResult<bool> {
    let info = encode(info, "replica update input");
    unsafe { sys::crypto::verify_replica_update(info.as_ptr(), info.len() as u32) }
        .map(is_ok_status)
}

/// Verifies many seal proofs at once (`crypto::batch_verify_seals`), returning one verdict per
/// input, in order.
pub fn batch_verify_seals(batch: &[SealVerifyInfo]) -> SyscallResult<Vec<bool>> {
    let encoded = encode(batch, "seal batch");
    let mut verdicts = vec![0u8; batch.len()];
    unsafe {
        sys::crypto::batch_verify_seals(
            encoded.as_ptr(),
            encoded.len() as u32,
            verdicts.as_mut_ptr(),
        )?
    };
    Ok(verdicts.into_iter().map(|b| b != 0).collect())
}
