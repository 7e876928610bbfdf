//! Exit codes of message execution and error numbers of failed syscalls.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The numeric outcome of invoking an actor: zero for success, 1–15 reserved for the VM itself,
/// 16 and above chosen by actors.
///
/// On the wire it is a plain unsigned integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[repr(transparent)]
pub struct ExitCode {
    value: u32,
}

impl ExitCode {
    /// Wraps a raw exit code.
    pub const fn new(value: u32) -> Self {
        ExitCode { value }
    }

    /// The raw number.
    pub const fn value(self) -> u32 {
        self.value
    }

    /// True only for [`ExitCode::OK`].
    pub const fn is_success(self) -> bool {
        self.value == 0
    }

    /// True for codes below [`ExitCode::FIRST_USER_EXIT_CODE`] (the VM's range, `OK` included).
    pub const fn is_system_error(self) -> bool {
        self.value < Self::FIRST_USER_EXIT_CODE
    }

    /// Execution succeeded.
    pub const OK: ExitCode = ExitCode::new(0);
    /// The sending actor does not exist.
    pub const SYS_SENDER_INVALID: ExitCode = ExitCode::new(1);
    /// The sender's nonce or balance did not allow the message to run.
    pub const SYS_SENDER_STATE_INVALID: ExitCode = ExitCode::new(2);
    /// The called actor trapped.
    pub const SYS_ILLEGAL_INSTRUCTION: ExitCode = ExitCode::new(4);
    /// The receiver does not exist (and cannot be created implicitly) or has no entry point.
    pub const SYS_INVALID_RECEIVER: ExitCode = ExitCode::new(5);
    /// A value transfer lacked funds.
    pub const SYS_INSUFFICIENT_FUNDS: ExitCode = ExitCode::new(6);
    /// The gas limit was exhausted.
    pub const SYS_OUT_OF_GAS: ExitCode = ExitCode::new(7);
    /// An actor aborted with a code from the VM's reserved range.
    pub const SYS_ILLEGAL_EXIT_CODE: ExitCode = ExitCode::new(9);
    /// The VM detected a violated internal invariant.
    pub const SYS_ASSERTION_FAILED: ExitCode = ExitCode::new(10);
    /// The actor returned a block handle that does not exist.
    pub const SYS_MISSING_RETURN: ExitCode = ExitCode::new(11);

    /// Smallest code an actor may abort with.
    pub const FIRST_USER_EXIT_CODE: u32 = 16;

    /// Bad method parameters.
    pub const USR_ILLEGAL_ARGUMENT: ExitCode = ExitCode::new(16);
    /// A requested entity is absent.
    pub const USR_NOT_FOUND: ExitCode = ExitCode::new(17);
    /// The caller may not do this.
    pub const USR_FORBIDDEN: ExitCode = ExitCode::new(18);
    /// The actor lacks funds for the operation.
    pub const USR_INSUFFICIENT_FUNDS: ExitCode = ExitCode::new(19);
    /// The actor's state is inconsistent.
    pub const USR_ILLEGAL_STATE: ExitCode = ExitCode::new(20);
    /// Encoding or decoding failed inside the actor.
    pub const USR_SERIALIZATION: ExitCode = ExitCode::new(21);
    /// The method number is not handled.
    pub const USR_UNHANDLED_MESSAGE: ExitCode = ExitCode::new(22);
    /// An otherwise unclassified actor failure.
    pub const USR_UNSPECIFIED: ExitCode = ExitCode::new(23);
    /// An actor-level assertion failed.
    pub const USR_ASSERTION_FAILED: ExitCode = ExitCode::new(24);
    /// The operation would mutate state in a read-only call.
    pub const USR_READ_ONLY: ExitCode = ExitCode::new(25);
    /// The method does not accept value.
    pub const USR_NOT_PAYABLE: ExitCode = ExitCode::new(26);
}

impl From<u32> for ExitCode {
    fn from(value: u32) -> Self {
        ExitCode::new(value)
    }
}

impl From<ExitCode> for u32 {
    fn from(c: ExitCode) -> Self {
        c.value
    }
}

impl fmt::Display for ExitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value)
    }
}

/// The reason a syscall failed, as returned to the actor across the syscall ABI.
#[non_exhaustive]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum ErrorNumber {
    /// An argument was invalid.
    IllegalArgument = 1,
    /// The operation is not allowed in the actor's current state.
    IllegalOperation = 2,
    /// A system limit (memory, call depth, lookback, ...) would be exceeded.
    LimitExceeded = 3,
    /// A VM-level assertion failed; the whole message fails with it.
    AssertionFailed = 4,
    /// Not enough funds for the operation.
    InsufficientFunds = 5,
    /// A resource does not exist.
    NotFound = 6,
    /// A block handle is not valid.
    InvalidHandle = 7,
    /// A CID has an unsupported shape (hash function or length).
    IllegalCid = 8,
    /// An IPLD codec is not supported.
    IllegalCodec = 9,
    /// A block failed to decode with its stated codec.
    Serialization = 10,
    /// The operation is not permitted.
    Forbidden = 11,
    /// An output buffer was too small.
    BufferTooSmall = 12,
    /// The call is running in read-only mode.
    ReadOnly = 13,
}

impl ErrorNumber {
    /// Every error number, in numeric order.
    pub const ALL: [ErrorNumber; 13] = [
        ErrorNumber::IllegalArgument,
        ErrorNumber::IllegalOperation,
        ErrorNumber::LimitExceeded,
        ErrorNumber::AssertionFailed,
        ErrorNumber::InsufficientFunds,
        ErrorNumber::NotFound,
        ErrorNumber::InvalidHandle,
        ErrorNumber::IllegalCid,
        ErrorNumber::IllegalCodec,
        ErrorNumber::Serialization,
        ErrorNumber::Forbidden,
        ErrorNumber::BufferTooSmall,
        ErrorNumber::ReadOnly,
    ];

    /// The raw number passed across the syscall boundary.
    pub const fn value(self) -> u32 {
        self as u32
    }
}

/// A raw syscall error number that matches no [`ErrorNumber`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown syscall error number {0}")]
pub struct UnknownErrorNumber(pub u32);

impl TryFrom<u32> for ErrorNumber {
    type Error = UnknownErrorNumber;
    fn try_from(v: u32) -> Result<Self, UnknownErrorNumber> {
        match v {
            1..=13 => Ok(ErrorNumber::ALL[(v - 1) as usize]),
            _ => Err(UnknownErrorNumber(v)),
        }
    }
}

impl From<ErrorNumber> for u32 {
    fn from(e: ErrorNumber) -> Self {
        e as u32
    }
}

impl fmt::Display for ErrorNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorNumber::IllegalArgument => "illegal argument",
            ErrorNumber::IllegalOperation => "illegal operation",
            ErrorNumber::LimitExceeded => "limit exceeded",
            ErrorNumber::AssertionFailed => "system assertion failed",
            ErrorNumber::InsufficientFunds => "insufficient funds",
            ErrorNumber::NotFound => "not found",
            ErrorNumber::InvalidHandle => "invalid block handle",
            ErrorNumber::IllegalCid => "unsupported cid",
            ErrorNumber::IllegalCodec => "unsupported ipld codec",
            ErrorNumber::Serialization => "serialization failure",
            ErrorNumber::Forbidden => "forbidden",
            ErrorNumber::BufferTooSmall => "buffer too small",
            ErrorNumber::ReadOnly => "read-only context",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_number_table_is_dense_and_ordered() {
        for (i, e) in ErrorNumber::ALL.iter().enumerate() {
            assert_eq!(e.value() as usize, i + 1);
            assert_eq!(ErrorNumber::try_from(e.value()), Ok(*e));
        }
        assert!(ErrorNumber::try_from(0).is_err());
        assert!(ErrorNumber::try_from(14).is_err());
    }

    #[test]
    fn exit_code_ranges() {
        assert!(ExitCode::OK.is_success() && ExitCode::OK.is_system_error());
        assert!(ExitCode::SYS_MISSING_RETURN.is_system_error());
        assert!(!ExitCode::USR_ILLEGAL_ARGUMENT.is_system_error());
        assert!(!ExitCode::new(15).is_success());
    }
}
