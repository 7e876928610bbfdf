//! From syscall failures and callee exit codes to the exit code an actor aborts with.
//!
//! An actor may only exit with a *user* exit code (16 and above); system codes are reserved for
//! the VM. Two conversions are therefore needed:
//!
//! - a failed syscall reports an [`ErrorNumber`]; [`exit_code_for`] picks the user exit code
//!   that says the same thing (e.g. `NotFound` → `USR_NOT_FOUND`);
//! - a failed call to another actor reports the callee's exit code; [`propagated_exit_code`]
//!   passes user codes through and replaces system codes with `USR_UNSPECIFIED`.

use fern_sdk::ActorError;
use fern_shared::error::{ErrorNumber, ExitCode};

/// The user exit code that best describes a failed syscall.
///
/// | error number | exit code |
/// |---|---|
/// | `IllegalArgument`, `LimitExceeded`, `IllegalCid`, `IllegalCodec` | `USR_ILLEGAL_ARGUMENT` |
/// | `NotFound` | `USR_NOT_FOUND` |
/// | `Forbidden` | `USR_FORBIDDEN` |
/// | `InsufficientFunds` | `USR_INSUFFICIENT_FUNDS` |
/// | `Serialization` | `USR_SERIALIZATION` |
/// | `ReadOnly` | `USR_READ_ONLY` |
/// | `IllegalOperation` | `USR_ILLEGAL_STATE` |
/// | anything else | `USR_ASSERTION_FAILED` |
pub fn exit_code_for(e: ErrorNumber) -> ExitCode {
    match e {
        ErrorNumber::IllegalArgument
        | ErrorNumber::LimitExceeded
        | ErrorNumber::IllegalCid
        | ErrorNumber::IllegalCodec => ExitCode::USR_ILLEGAL_ARGUMENT,
        ErrorNumber::NotFound => ExitCode::USR_NOT_FOUND,
        ErrorNumber::Forbidden => ExitCode::USR_FORBIDDEN,
        ErrorNumber::InsufficientFunds => ExitCode::USR_INSUFFICIENT_FUNDS,
        ErrorNumber::Serialization => ExitCode::USR_SERIALIZATION,
        ErrorNumber::ReadOnly => ExitCode::USR_READ_ONLY,
        ErrorNumber::IllegalOperation => ExitCode::USR_ILLEGAL_STATE,
        _ => ExitCode::USR_ASSERTION_FAILED,
    }
}

/// An [`ActorError`] for a failed syscall, with `what` describing the operation.
pub fn syscall_error(e: ErrorNumber, what: &str) -> ActorError {
    ActorError::new(exit_code_for(e), format!("{what}: {e}"))
}

/// The exit code an actor should abort with when a call it made failed with `callee`.
///
/// User codes pass through unchanged so the original reason reaches the top-level receipt;
/// system codes (out of gas, missing return, ...) cannot be used by an actor and become
/// `USR_UNSPECIFIED`. Success (0) also maps to `USR_UNSPECIFIED`: it is never a failure code.
pub fn propagated_exit_code(callee: ExitCode) -> ExitCode {
    if callee.value() >= ExitCode::FIRST_USER_EXIT_CODE {
        callee
    } else {
        ExitCode::USR_UNSPECIFIED
    }
}

/// Adds context to an error message, keeping its exit code and data.
pub fn wrap(mut err: ActorError, context: &str) -> ActorError {
    err.message = format!("{context}: {}", err.message);
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_number_maps_to_a_user_code() {
        for e in ErrorNumber::ALL {
            let code = exit_code_for(e);
            assert!(
                code.value() >= ExitCode::FIRST_USER_EXIT_CODE,
                "{e:?} -> {code}"
            );
        }
        assert_eq!(
            exit_code_for(ErrorNumber::NotFound),
            ExitCode::USR_NOT_FOUND
        );
        assert_eq!(
            exit_code_for(ErrorNumber::Forbidden),
            ExitCode::USR_FORBIDDEN
        );
        assert_eq!(
            exit_code_for(ErrorNumber::ReadOnly),
            ExitCode::USR_READ_ONLY
        );
        assert_eq!(
            exit_code_for(ErrorNumber::InsufficientFunds),
            ExitCode::USR_INSUFFICIENT_FUNDS
        );
        assert_eq!(
            exit_code_for(ErrorNumber::AssertionFailed),
            ExitCode::USR_ASSERTION_FAILED
        );
    }

    #[test]
    fn system_codes_are_not_propagated() {
        assert_eq!(
            propagated_exit_code(ExitCode::SYS_OUT_OF_GAS),
            ExitCode::USR_UNSPECIFIED
        );
        assert_eq!(
            propagated_exit_code(ExitCode::OK),
            ExitCode::USR_UNSPECIFIED
        );
        assert_eq!(
            propagated_exit_code(ExitCode::new(15)),
            ExitCode::USR_UNSPECIFIED
        );
        assert_eq!(
            propagated_exit_code(ExitCode::USR_FORBIDDEN),
            ExitCode::USR_FORBIDDEN
        );
        assert_eq!(
            propagated_exit_code(ExitCode::new(4000)),
            ExitCode::new(4000)
        );
    }

    #[test]
    fn wrap_keeps_code() {
        let e = wrap(ActorError::forbidden("no"), "constructor failed");
        assert_eq!(e.exit_code, ExitCode::USR_FORBIDDEN);
        assert_eq!(e.message, "constructor failed: no");
    }
}
