//! [`VersionedExecutor`]: the executor of whichever kernel generation a network version needs,
//! behind one interface, for hosts that serve every version (node bindings, the conformance
//! runner).

use cid::Cid;
use fern_shared::message::Message;
use fvm_ipld_blockstore::Blockstore;

use super::{ApplyKind, ApplyRet, ExecutionFailure, Executor, Fvm2Executor};
use crate::machine::{Externs, MachineContext};

/// An [`Executor`] (network versions 18 and later) or an [`Fvm2Executor`] (network version 17,
/// ref-fvm 2.x rules). Every method does what the wrapped executor's method of the same name
/// does.
pub enum VersionedExecutor<B: Blockstore + 'static, E: Externs + 'static> {
    /// ref-fvm 3.x and 4.x rules.
    Current(Executor<B, E>),
    /// ref-fvm 2.x rules.
    Fvm2(Fvm2Executor<B, E>),
}

impl<B: Blockstore + 'static, E: Externs + 'static> VersionedExecutor<B, E> {
    /// Applies `msg`, whose serialized (signed, for explicit messages) length is `raw_length`.
    pub fn apply_message(
        &mut self,
        msg: &Message,
        kind: ApplyKind,
        raw_length: usize,
    ) -> Result<ApplyRet, ExecutionFailure> {
        match self {
            VersionedExecutor::Current(e) => e.apply_message(msg, kind, raw_length),
            VersionedExecutor::Fvm2(e) => e.apply_message(msg, kind, raw_length),
        }
    }

    /// Flushes the state tree: the new state root.
    pub fn flush(&mut self) -> Result<Cid, ExecutionFailure> {
        match self {
            VersionedExecutor::Current(e) => e.flush(),
            VersionedExecutor::Fvm2(e) => e.flush(),
        }
    }

    /// The machine's epoch settings (`None` once a fatal error poisoned the executor).
    pub fn context(&self) -> Option<&MachineContext> {
        match self {
            VersionedExecutor::Current(e) => e.machine().map(|m| &m.context),
            VersionedExecutor::Fvm2(e) => e.machine_ref().map(|m| &m.context),
        }
    }

    /// Consumes the executor, returning the node's blockstore (`None` if a fatal error took the
    /// machine).
    pub fn into_store(self) -> Option<B> {
        match self {
            VersionedExecutor::Current(e) => e.into_machine().map(|m| m.into_store()),
            VersionedExecutor::Fvm2(e) => e.into_machine().map(|m| m.into_store()),
        }
    }
}
