//! Failures of the node's services, kept apart from the message's own outcome.
//!
//! ref-fvm trusts its host: a blockstore read that errs becomes a fatal error inside the call
//! stack, which the executor turns into a `SYS_ASSERTION_FAILED` receipt using the whole gas
//! limit, and a block returned with the wrong bytes is simply used. A node whose disk failed for
//! a moment would then write a receipt (and a state) that no healthy node agrees with.
//!
//! Fern records such failures as they happen, in a [`FaultSlot`] next to the service that met
//! them: the buffered blockstore (a base-store read or existence check that errs, a block whose
//! bytes do not hash to its CID, a write that errs while flushing), the externs ([`GuardedExterns`]: a panic in the host's code)
//! and the proof verifier ([`GuardedProofs`]: the same). The executor looks at the slots after
//! every message and flush; a recorded fault wins over whatever the message produced: the
//! message gets no receipt (an error instead) and everything it changed is undone (see
//! `Executor::apply_message`). Errors that the host *returns* from externs and proofs keep their
//! consensus meaning (see [`Externs`] and [`ProofVerifier`]); only panics are faults.

use std::ops::Deref;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::anyhow;
use cid::Cid;
use fern_shared::sector::{
    AggregateSealVerifyProofAndInfos, ReplicaUpdateInfo, SealVerifyInfo, WindowPoStVerifyInfo,
};
use fern_shared::ChainEpoch;

use super::externs::{ConsensusFaultCheck, Externs};
use super::proofs::ProofVerifier;

/// A failure of the node's services (not of the message): the message that met it gets no
/// receipt. Executor errors carry it, so `ExecutionFailure::0.downcast_ref::<HostFault>()`
/// tells a host failure from a kernel's fatal error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostFault {
    /// The node's blockstore returned an error reading a block.
    #[error("the blockstore failed to read block {cid}: {reason}")]
    Read {
        /// The block asked for.
        cid: Cid,
        /// The store's error.
        reason: String,
    },
    /// The node's blockstore returned an error telling whether it has a block.
    #[error("the blockstore failed to tell whether it has block {cid}: {reason}")]
    Has {
        /// The block asked about.
        cid: Cid,
        /// The store's error.
        reason: String,
    },
    /// The node's blockstore returned an error while a flush wrote blocks to it.
    #[error("the blockstore failed to store the flushed blocks: {reason}")]
    Write {
        /// The store's error.
        reason: String,
    },
    /// The node's blockstore returned bytes that do not hash to the CID asked for.
    #[error("the blockstore returned {len} bytes for block {cid} that do not hash to its CID")]
    Corrupt {
        /// The block asked for.
        cid: Cid,
        /// How many bytes came back.
        len: usize,
    },
    /// The host's code panicked in a service call.
    #[error("the host's {service} panicked: {message}")]
    Panic {
        /// The service (`externs.chain_randomness`, `proofs.verify_post`, ...).
        service: &'static str,
        /// The panic's message, when it has one.
        message: String,
    },
}

/// Where a service records the first [`HostFault`] it met, until the executor takes it.
#[derive(Debug, Default)]
pub struct FaultSlot(Mutex<Option<HostFault>>);

impl FaultSlot {
    /// Records `fault` unless an earlier one is waiting (the first cause is the one reported).
    pub fn record(&self, fault: HostFault) {
        let mut slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        slot.get_or_insert(fault);
    }

    /// The first fault recorded since the last call, leaving the slot empty.
    pub fn take(&self) -> Option<HostFault> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// The text of a panic's payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}

/// Runs a host service call; a panic becomes a recorded [`HostFault::Panic`] and an error.
fn contain<T>(
    slot: &FaultSlot,
    service: &'static str,
    f: impl FnOnce() -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let fault = HostFault::Panic {
                service,
                message: panic_message(payload.as_ref()),
            };
            let error = anyhow!("{fault}");
            slot.record(fault);
            Err(error)
        }
    }
}

/// The node's [`Externs`] with panics contained: a panic in one of its calls is recorded as a
/// [`HostFault`] and answered with an error. Dereferences to the node's value.
#[derive(Debug, Default)]
pub struct GuardedExterns<E> {
    inner: E,
    faults: FaultSlot,
}

impl<E> GuardedExterns<E> {
    /// Guards `inner`.
    pub fn new(inner: E) -> Self {
        GuardedExterns {
            inner,
            faults: FaultSlot::default(),
        }
    }

    /// The node's externs.
    pub fn inner(&self) -> &E {
        &self.inner
    }

    /// Gives the node's externs back.
    pub fn into_inner(self) -> E {
        self.inner
    }

    /// The first fault recorded since the last call.
    pub fn take_fault(&self) -> Option<HostFault> {
        self.faults.take()
    }
}

impl<E> Deref for GuardedExterns<E> {
    type Target = E;

    fn deref(&self) -> &E {
        &self.inner
    }
}

impl<E: Externs> Externs for GuardedExterns<E> {
    fn chain_randomness(&self, epoch: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        contain(&self.faults, "externs.chain_randomness", || {
            self.inner.chain_randomness(epoch)
        })
    }

    fn beacon_randomness(&self, epoch: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        contain(&self.faults, "externs.beacon_randomness", || {
            self.inner.beacon_randomness(epoch)
        })
    }

    fn tipset_cid(&self, epoch: ChainEpoch) -> anyhow::Result<Cid> {
        contain(&self.faults, "externs.tipset_cid", || {
            self.inner.tipset_cid(epoch)
        })
    }

    fn verify_consensus_fault(
        &self,
        h1: &[u8],
        h2: &[u8],
        extra: &[u8],
    ) -> anyhow::Result<ConsensusFaultCheck> {
        contain(&self.faults, "externs.verify_consensus_fault", || {
            self.inner.verify_consensus_fault(h1, h2, extra)
        })
    }
}

/// The node's [`ProofVerifier`] with panics contained, like [`GuardedExterns`].
///
/// `verify_seals` is passed on whole: a verifier that keeps the trait's default batch (one
/// `verify_seal` per seal) has a panicking seal check counted as an invalid seal by that
/// default, as ref-fvm's batch verification does, and never reaches this guard.
pub struct GuardedProofs {
    inner: Arc<dyn ProofVerifier>,
    faults: FaultSlot,
}

impl GuardedProofs {
    /// Guards `inner`.
    pub fn new(inner: Arc<dyn ProofVerifier>) -> Self {
        GuardedProofs {
            inner,
            faults: FaultSlot::default(),
        }
    }

    /// The first fault recorded since the last call.
    pub fn take_fault(&self) -> Option<HostFault> {
        self.faults.take()
    }
}

impl ProofVerifier for GuardedProofs {
    fn verify_post(&self, info: &WindowPoStVerifyInfo) -> anyhow::Result<bool> {
        contain(&self.faults, "proofs.verify_post", || {
            self.inner.verify_post(info)
        })
    }

    fn verify_seal(&self, info: &SealVerifyInfo) -> anyhow::Result<bool> {
        contain(&self.faults, "proofs.verify_seal", || {
            self.inner.verify_seal(info)
        })
    }

    fn verify_seals(&self, infos: &[SealVerifyInfo]) -> anyhow::Result<Vec<bool>> {
        contain(&self.faults, "proofs.verify_seals", || {
            self.inner.verify_seals(infos)
        })
    }

    fn verify_aggregate_seals(
        &self,
        agg: &AggregateSealVerifyProofAndInfos,
    ) -> anyhow::Result<bool> {
        contain(&self.faults, "proofs.verify_aggregate_seals", || {
            self.inner.verify_aggregate_seals(agg)
        })
    }

    fn verify_replica_update(&self, info: &ReplicaUpdateInfo) -> anyhow::Result<bool> {
        contain(&self.faults, "proofs.verify_replica_update", || {
            self.inner.verify_replica_update(info)
        })
    }
}
