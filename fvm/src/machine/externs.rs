//! Services only the host node can provide: chain history and consensus-fault checks.
//!
//! The machine never computes these itself; the node implements [`Externs`] and the kernel calls
//! it from the corresponding syscalls. Errors returned here are the node's failures; the kernel
//! decides how each one surfaces to the actor.

use cid::Cid;
use fern_shared::consensus::ConsensusFault;
use fern_shared::ChainEpoch;

/// Outcome of checking a consensus-fault report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsensusFaultCheck {
    /// The proven fault, or `None` if the evidence does not prove one.
    pub fault: Option<ConsensusFault>,
    /// Gas the node says the check cost. The reference FVM ignores this number (the kernel charges
    /// the price list's flat consensus-fault fee instead), so it never affects consensus.
    pub gas_used: i64,
}

/// The host node's side of the machine boundary.
pub trait Externs {
    /// The 32-byte digest of the ticket chain at `epoch`. Domain separation and entropy mixing
    /// are not applied here: actors do that themselves with the digest they receive.
    fn chain_randomness(&self, epoch: ChainEpoch) -> anyhow::Result<[u8; 32]>;

    /// The 32-byte digest of the drand beacon entry in force at `epoch`.
    fn beacon_randomness(&self, epoch: ChainEpoch) -> anyhow::Result<[u8; 32]>;

    /// The CID of the tipset at `epoch` on the chain being executed.
    fn tipset_cid(&self, epoch: ChainEpoch) -> anyhow::Result<Cid>;

    /// Checks whether two block headers (`h1`, `h2`), with optional `extra` evidence, prove a
    /// consensus fault.
    fn verify_consensus_fault(
        &self,
        h1: &[u8],
        h2: &[u8],
        extra: &[u8],
    ) -> anyhow::Result<ConsensusFaultCheck>;
}

impl<E: Externs + ?Sized> Externs for &E {
    fn chain_randomness(&self, epoch: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        (**self).chain_randomness(epoch)
    }

    fn beacon_randomness(&self, epoch: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        (**self).beacon_randomness(epoch)
    }

    fn tipset_cid(&self, epoch: ChainEpoch) -> anyhow::Result<Cid> {
        (**self).tipset_cid(epoch)
    }

    fn verify_consensus_fault(
        &self,
        h1: &[u8],
        h2: &[u8],
        extra: &[u8],
    ) -> anyhow::Result<ConsensusFaultCheck> {
        (**self).verify_consensus_fault(h1, h2, extra)
    }
}
