//! Error types of the SDK.

use fern_shared::error::{ErrorNumber, ExitCode};
use fvm_ipld_encoding::ipld_block::IpldBlock;

/// The result of a wrapper whose failure is a raw syscall error number.
pub type SyscallResult<T> = Result<T, ErrorNumber>;

/// Converts a non-zero syscall status to its [`ErrorNumber`].
///
/// # Panics
///
/// If the kernel returns a number this SDK does not know; that would be a kernel bug.
#[cfg(target_arch = "wasm32")]
pub(crate) fn error_number_from_status(code: u32) -> ErrorNumber {
    ErrorNumber::try_from(code)
        .unwrap_or_else(|_| panic!("kernel returned unknown syscall error number {code}"))
}

/// Why the state root could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the actor was deleted and has no state")]
pub struct StateReadError;

/// Why the state root could not be replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StateUpdateError {
    /// The actor was deleted earlier in this call.
    #[error("the actor was deleted")]
    ActorDeleted,
    /// The call runs in read-only mode.
    #[error("state cannot change in a read-only call")]
    ReadOnly,
}

/// Why the actor could not delete itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ActorDeleteError {
    /// The call runs in read-only mode.
    #[error("an actor cannot delete itself in a read-only call")]
    ReadOnly,
    /// The actor still holds funds and did not ask for them to be burnt.
    #[error("the actor still holds funds and burning was not requested")]
    UnspentFunds,
}

/// Why an epoch-indexed lookup (tipset CID) failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EpochBoundsError {
    /// The epoch is negative or in the future.
    #[error("the epoch is not valid")]
    Invalid,
    /// The epoch is older than the lookback limit.
    #[error("the epoch is beyond the lookback limit")]
    ExceedsLookback,
}

/// An error an actor method returns: the exit code to abort with, a message for traces, and
/// optionally a return block (carried back to the caller despite the failure).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("exit code {exit_code}: {message}")]
pub struct ActorError {
    /// The exit code the invocation ends with.
    pub exit_code: ExitCode,
    /// A human-readable explanation.
    pub message: String,
    /// Data returned along with the failure, if any.
    pub data: Option<IpldBlock>,
}

impl ActorError {
    /// An error with the given exit code and message and no data.
    pub fn new(exit_code: ExitCode, message: impl Into<String>) -> Self {
        ActorError { exit_code, message: message.into(), data: None }
    }

    /// An error that also returns a data block.
    pub fn with_data(exit_code: ExitCode, message: impl Into<String>, data: IpldBlock) -> Self {
        ActorError { exit_code, message: message.into(), data: Some(data) }
    }

    /// `USR_ILLEGAL_ARGUMENT` with a message.
    pub fn illegal_argument(message: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_ILLEGAL_ARGUMENT, message)
    }

    /// `USR_NOT_FOUND` with a message.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_NOT_FOUND, message)
    }

    /// `USR_FORBIDDEN` with a message.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_FORBIDDEN, message)
    }

    /// `USR_INSUFFICIENT_FUNDS` with a message.
    pub fn insufficient_funds(message: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_INSUFFICIENT_FUNDS, message)
    }

    /// `USR_ILLEGAL_STATE` with a message.
    pub fn illegal_state(message: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_ILLEGAL_STATE, message)
    }

    /// `USR_SERIALIZATION` with a message.
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_SERIALIZATION, message)
    }

    /// `USR_UNHANDLED_MESSAGE` with a message.
    pub fn unhandled_message(message: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_UNHANDLED_MESSAGE, message)
    }

    /// `USR_ASSERTION_FAILED` with a message.
    pub fn assertion_failed(message: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_ASSERTION_FAILED, message)
    }

    /// `USR_READ_ONLY` with a message.
    pub fn read_only(message: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_READ_ONLY, message)
    }
}

impl From<fvm_ipld_encoding::Error> for ActorError {
    fn from(e: fvm_ipld_encoding::Error) -> Self {
        ActorError::serialization(e.to_string())
    }
}
