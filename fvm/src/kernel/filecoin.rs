//! Filecoin-specific syscalls of the kernel: signatures, proof verification (through the host's
//! [`ProofVerifier`](crate::machine::ProofVerifier)), consensus faults and unsealed sector CIDs.

use std::panic::{catch_unwind, AssertUnwindSafe};

use cid::Cid;
use fern_shared::address::{Address, Payload};
use fern_shared::consensus::ConsensusFault;
use fern_shared::crypto::{SignatureType, BLS_PUB_LEN, BLS_SIG_LEN, SECP_PUB_LEN, SECP_SIG_LEN};
use fern_shared::error::ErrorNumber;
use fern_shared::piece::PieceInfo;
use fern_shared::sector::{
    AggregateSealVerifyProofAndInfos, RegisteredSealProof, ReplicaUpdateInfo, SealVerifyInfo,
    WindowPoStVerifyInfo,
};
use fvm_ipld_blockstore::Blockstore;

use super::crypto::signatures;
use super::proof_types::{unknown_proof_type, KnownProofTypes};
use super::{err, Kernel};
use crate::call_manager::{Classify, Result};
use crate::machine::Externs;

fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => Err(err(
            ErrorNumber::IllegalArgument,
            format!("panic while {what}"),
        )),
    }
}

impl<B: Blockstore + 'static, E: Externs + 'static> Kernel<B, E> {
    /// `crypto::verify_signature`: charges by type and plaintext length; only f1/f3 signers.
    pub fn verify_signature(
        &self,
        sig_type: SignatureType,
        signature: &[u8],
        signer: &Address,
        plaintext: &[u8],
    ) -> Result<bool> {
        self.charge(self.prices().on_verify_signature(sig_type, plaintext.len()))?;
        if !matches!(signer.payload(), Payload::BLS(_) | Payload::Secp256k1(_)) {
            return Err(err(
                ErrorNumber::IllegalArgument,
                format!("address protocol {:?} not supported", signer.protocol()),
            ));
        }
        guarded("verifying a signature", || {
            Ok(match sig_type {
                SignatureType::Secp256k1 => {
                    signatures::verify_secp256k1(signature, plaintext, signer)
                }
                SignatureType::BLS => signatures::verify_bls(signature, plaintext, signer),
            })
        })
    }

    /// `crypto::verify_bls_aggregate`.
    pub fn verify_bls_aggregate(
        &self,
        sig: &[u8; BLS_SIG_LEN],
        keys: &[[u8; BLS_PUB_LEN]],
        plaintexts: &[u8],
        lens: &[u32],
    ) -> Result<bool> {
        if keys.len() != lens.len() {
            return Err(err(
                ErrorNumber::IllegalArgument,
                "unequal numbers of bls public keys and plaintexts",
            ));
        }
        self.charge(
            self.prices()
                .on_verify_aggregate_signature(keys.len(), plaintexts.len()),
        )?;
        let mut offset = 0usize;
        let mut parts = Vec::with_capacity(lens.len());
        for len in lens {
            let start = offset;
            offset = start
                .checked_add(*len as usize)
                .ok_or_else(|| err(ErrorNumber::IllegalArgument, "invalid bls plaintext length"))?;
            parts.push(plaintexts.get(start..offset).ok_or_else(|| {
                err(
                    ErrorNumber::IllegalArgument,
                    "bls signature plaintext out of bounds",
                )
            })?);
        }
        if offset != plaintexts.len() {
            return Err(err(
                ErrorNumber::IllegalArgument,
                "plaintexts buffer length doesn't match",
            ));
        }
        Ok(signatures::verify_bls_aggregate(sig, keys, &parts).unwrap_or(false))
    }

    /// `crypto::recover_secp_public_key`.
    pub fn recover_secp_public_key(
        &self,
        hash: &[u8; 32],
        signature: &[u8; SECP_SIG_LEN],
    ) -> Result<[u8; SECP_PUB_LEN]> {
        self.charge(self.prices().on_recover_secp_public_key())?;
        signatures::recover_secp_public_key(hash, signature).or_illegal_argument()
    }

    /// `crypto::verify_post`: charged by the first proof's type and the challenged sectors.
    pub fn verify_post(&self, info: &WindowPoStVerifyInfo) -> Result<bool> {
        self.charge(self.prices().on_verify_post(
            info.proofs.first().map(|p| p.post_proof),
            info.challenged_sectors.len(),
        ))?;
        if !self.known_proof_types().post_info(info) {
            return Err(unknown_proof_type());
        }
        let proofs = self.call_manager.proofs.clone();
        guarded("verifying a PoSt", || {
            proofs.verify_post(info).or_illegal_argument()
        })
    }

    /// `crypto::verify_aggregate_seals`.
    pub fn verify_aggregate_seals(&self, agg: &AggregateSealVerifyProofAndInfos) -> Result<bool> {
        self.charge(
            self.prices()
                .on_verify_aggregate_seals(agg.seal_proof, agg.infos.len()),
        )?;
        if agg.infos.is_empty() {
            return Err(err(ErrorNumber::IllegalArgument, "no seal verify infos"));
        }
        if !self.known_proof_types().aggregate(agg) {
            return Err(unknown_proof_type());
        }
        let proofs = self.call_manager.proofs.clone();
        guarded("verifying aggregate seals", || {
            proofs.verify_aggregate_seals(agg).or_illegal_argument()
        })
    }

    /// `crypto::verify_replica_update`.
    pub fn verify_replica_update(&self, info: &ReplicaUpdateInfo) -> Result<bool> {
        self.charge(self.prices().on_verify_replica_update())?;
        if !self.known_proof_types().replica_update(info) {
            return Err(unknown_proof_type());
        }
        let proofs = self.call_manager.proofs.clone();
        guarded("verifying a replica update", || {
            proofs.verify_replica_update(info).or_illegal_argument()
        })
    }

    /// `crypto::batch_verify_seals`: every seal is charged before any is verified; a failing or
    /// erroring check is "invalid", and so is a seal whose proof type the generation does not
    /// know (the host is not asked about it).
    pub fn batch_verify_seals(&self, infos: &[SealVerifyInfo]) -> Result<Vec<bool>> {
        for _ in infos {
            self.charge(self.prices().on_verify_seal())?;
        }
        let known = self.known_proof_types();
        if infos.iter().all(|i| known.seal_info(i)) {
            return self.host_verify_seals(infos);
        }
        let asked: Vec<SealVerifyInfo> = infos
            .iter()
            .filter(|i| known.seal_info(i))
            .cloned()
            .collect();
        let mut answers = if asked.is_empty() {
            Vec::new()
        } else {
            self.host_verify_seals(&asked)?
        }
        .into_iter();
        Ok(infos
            .iter()
            .map(|i| known.seal_info(i) && answers.next().unwrap_or(false))
            .collect())
    }

    /// The host's verdicts on a batch of seals, one per seal; a failing or panicking verifier,
    /// or a wrong number of verdicts, is fatal.
    fn host_verify_seals(&self, infos: &[SealVerifyInfo]) -> Result<Vec<bool>> {
        let proofs = self.call_manager.proofs.clone();
        let verdicts = catch_unwind(AssertUnwindSafe(|| proofs.verify_seals(infos)))
            .map_err(|_| anyhow::anyhow!("the proof verifier panicked on a seal batch"))
            .and_then(|r| r)
            .or_fatal()?;
        if verdicts.len() != infos.len() {
            return Err(anyhow::anyhow!(
                "the proof verifier returned {} verdicts for {} seals",
                verdicts.len(),
                infos.len()
            ))
            .or_fatal();
        }
        Ok(verdicts)
    }

    /// The proof numbers this kernel's generation knows.
    fn known_proof_types(&self) -> &'static KnownProofTypes {
        KnownProofTypes::of(self.prices().generation)
    }

    /// `crypto::verify_consensus_fault`: a flat charge, then the host's check.
    pub fn verify_consensus_fault(
        &self,
        h1: &[u8],
        h2: &[u8],
        extra: &[u8],
    ) -> Result<Option<ConsensusFault>> {
        self.charge(self.prices().on_verify_consensus_fault())?;
        let check = self
            .call_manager
            .machine
            .externs
            .verify_consensus_fault(h1, h2, extra)
            .or_illegal_argument()?;
        Ok(check.fault)
    }

    /// `crypto::compute_unsealed_sector_cid`.
    pub fn compute_unsealed_sector_cid(
        &self,
        proof: RegisteredSealProof,
        pieces: &[PieceInfo],
    ) -> Result<Cid> {
        self.charge(self.prices().on_compute_unsealed_sector_cid())?;
        guarded("computing an unsealed sector CID", || {
            super::commd::unsealed_sector_cid(proof, pieces)
                .map_err(|e| err(ErrorNumber::IllegalArgument, e))
        })
    }
}
