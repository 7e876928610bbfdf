//! The three ways an operation of the call manager or the kernel can fail.

use fern_shared::error::ErrorNumber;

/// A failure an actor may see and handle: a syscall returns its [`ErrorNumber`] to the actor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("syscall error {number:?}: {message}")]
pub struct SyscallError {
    /// Human-readable explanation (diagnostics only, never consensus).
    pub message: String,
    /// The error number the actor receives.
    pub number: ErrorNumber,
}

impl SyscallError {
    /// An error with the given number and message.
    pub fn new(number: ErrorNumber, message: impl Into<String>) -> Self {
        SyscallError {
            message: message.into(),
            number,
        }
    }
}

/// Why a call-manager or kernel operation did not complete.
#[derive(Debug, thiserror::Error)]
pub enum ExecutionError {
    /// The gas account ran out; the current call stack unwinds.
    #[error("out of gas")]
    OutOfGas,
    /// A recoverable error reported to the calling actor as an error number.
    #[error(transparent)]
    Syscall(#[from] SyscallError),
    /// An internal failure (missing state, blockstore error, kernel bug): the whole message fails
    /// with `SYS_ASSERTION_FAILED` and consumes its whole gas limit.
    #[error("fatal: {0:#}")]
    Fatal(anyhow::Error),
}

impl From<crate::gas::OutOfGas> for ExecutionError {
    fn from(_: crate::gas::OutOfGas) -> Self {
        ExecutionError::OutOfGas
    }
}

/// Result of call-manager and kernel operations.
pub type Result<T> = std::result::Result<T, ExecutionError>;

/// Shorthand for a [`SyscallError`] wrapped as an [`ExecutionError`].
pub fn syscall_error(number: ErrorNumber, message: impl Into<String>) -> ExecutionError {
    ExecutionError::Syscall(SyscallError::new(number, message))
}

/// Converts foreign errors into [`ExecutionError`]s of a chosen class.
pub trait Classify<T> {
    /// Any error is fatal.
    fn or_fatal(self) -> Result<T>;
    /// Any error becomes a syscall error with `number`.
    fn or_error(self, number: ErrorNumber) -> Result<T>;
    /// Any error becomes `IllegalArgument`.
    fn or_illegal_argument(self) -> Result<T>
    where
        Self: Sized,
    {
        self.or_error(ErrorNumber::IllegalArgument)
    }
}

impl<T, E: std::fmt::Display + std::fmt::Debug + Send + Sync + 'static> Classify<T>
    for std::result::Result<T, E>
{
    fn or_fatal(self) -> Result<T> {
        self.map_err(|e| ExecutionError::Fatal(anyhow::anyhow!("{e}")))
    }
    fn or_error(self, number: ErrorNumber) -> Result<T> {
        self.map_err(|e| syscall_error(number, e.to_string()))
    }
}
