//! [`ProofVerifier`]: the host's proof-checking service.
//!
//! Verifying seal, PoSt and replica-update proofs needs the Filecoin proving system, which Fern
//! does not contain. The kernel charges the chain's gas for every check itself (so gas never
//! depends on the verifier) and then asks the host's verifier for the verdict. An `Err` from the
//! verifier reaches the actor as `IllegalArgument`, as a verification error does in ref-fvm.

use fern_shared::sector::{
    AggregateSealVerifyProofAndInfos, ReplicaUpdateInfo, SealVerifyInfo, WindowPoStVerifyInfo,
};

/// Checks Filecoin proofs on behalf of the kernel. Shareable between threads, so an executor
/// can be moved to a thread with a large stack.
pub trait ProofVerifier: Send + Sync {
    /// A window PoSt.
    fn verify_post(&self, info: &WindowPoStVerifyInfo) -> anyhow::Result<bool>;
    /// One seal of a batch (`batch_verify_seals`); an error counts as "invalid".
    fn verify_seal(&self, info: &SealVerifyInfo) -> anyhow::Result<bool>;
    /// A whole `batch_verify_seals` batch: one verdict per seal, in order. An `Err` is a failure
    /// of the verifier itself (not of a proof): the syscall fails fatally. The default checks
    /// each seal with [`verify_seal`](Self::verify_seal), a failing check counting as invalid;
    /// a host with a batch verifier overrides it.
    fn verify_seals(&self, infos: &[SealVerifyInfo]) -> anyhow::Result<Vec<bool>> {
        Ok(infos
            .iter()
            .map(|i| {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.verify_seal(i)))
                    .ok()
                    .and_then(|r| r.ok())
                    .unwrap_or(false)
            })
            .collect())
    }
    /// An aggregate of seal proofs.
    fn verify_aggregate_seals(
        &self,
        agg: &AggregateSealVerifyProofAndInfos,
    ) -> anyhow::Result<bool>;
    /// A replica (sector) update.
    fn verify_replica_update(&self, info: &ReplicaUpdateInfo) -> anyhow::Result<bool>;
}

/// A verifier without a proving system: every check fails with an error (the actor sees
/// `IllegalArgument`). The default of an executor built without a verifier.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProofVerifier;

impl ProofVerifier for NoProofVerifier {
    fn verify_post(&self, _: &WindowPoStVerifyInfo) -> anyhow::Result<bool> {
        anyhow::bail!("no proof verifier configured")
    }
    fn verify_seal(&self, _: &SealVerifyInfo) -> anyhow::Result<bool> {
        anyhow::bail!("no proof verifier configured")
    }
    fn verify_aggregate_seals(&self, _: &AggregateSealVerifyProofAndInfos) -> anyhow::Result<bool> {
        anyhow::bail!("no proof verifier configured")
    }
    fn verify_replica_update(&self, _: &ReplicaUpdateInfo) -> anyhow::Result<bool> {
        anyhow::bail!("no proof verifier configured")
    }
}

/// A verifier that reports every proof valid. Only for tests and conformance vectors whose
/// proofs are placeholders (the kernel still charges the real gas).
#[derive(Debug, Clone, Copy, Default)]
pub struct AcceptAllProofs;

impl ProofVerifier for AcceptAllProofs {
    fn verify_post(&self, _: &WindowPoStVerifyInfo) -> anyhow::Result<bool> {
        Ok(true)
    }
    fn verify_seal(&self, _: &SealVerifyInfo) -> anyhow::Result<bool> {
        Ok(true)
    }
    fn verify_aggregate_seals(&self, _: &AggregateSealVerifyProofAndInfos) -> anyhow::Result<bool> {
        Ok(true)
    }
    fn verify_replica_update(&self, _: &ReplicaUpdateInfo) -> anyhow::Result<bool> {
        Ok(true)
    }
}
