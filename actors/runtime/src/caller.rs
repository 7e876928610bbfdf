//! Who is calling? Checks on the immediate caller of the current invocation.
//!
//! Every failed check aborts with `USR_FORBIDDEN`, the code the built-in actors use for an
//! unauthorised caller.

use fern_sdk::ActorError;
use fern_shared::address::Address;
use fern_shared::ActorID;

/// The immediate caller's actor ID.
pub fn caller() -> ActorID {
    fern_sdk::message::caller()
}

/// Accepts only callers whose actor ID is in `allowed`.
pub fn validate_caller_is(allowed: &[ActorID]) -> Result<ActorID, ActorError> {
    let caller = caller();
    check_caller_is(caller, allowed)?;
    Ok(caller)
}

/// The pure part of [`validate_caller_is`].
pub fn check_caller_is(caller: ActorID, allowed: &[ActorID]) -> Result<(), ActorError> {
    if allowed.contains(&caller) {
        Ok(())
    } else {
        Err(ActorError::forbidden(format!(
            "caller f0{caller} is not allowed to call this method (allowed: {})",
            list_ids(allowed)
        )))
    }
}

/// Accepts any caller: documents that the method is public. Returns the caller (read from the
/// message context, which the SDK fetches once per call and caches).
pub fn validate_caller_any() -> ActorID {
    caller()
}

/// The built-in actor type of an actor (its position in the bundle manifest), or `None` if the
/// actor does not exist or runs code that is not part of the bundle.
pub fn builtin_type_of(actor: ActorID) -> Option<i32> {
    let code = fern_sdk::actor::get_actor_code_cid(&Address::new_id(actor))?;
    fern_sdk::actor::get_builtin_actor_type(&code)
}

/// Accepts only callers whose code is one of the built-in actor `types`
/// (see [`crate::builtin::types`]).
pub fn validate_caller_type(types: &[i32]) -> Result<ActorID, ActorError> {
    let caller = caller();
    match builtin_type_of(caller) {
        Some(t) if types.contains(&t) => Ok(caller),
        other => Err(ActorError::forbidden(format!(
            "caller f0{caller} has type {} which may not call this method",
            other.map_or_else(|| "none".to_string(), |t| t.to_string())
        ))),
    }
}

fn list_ids(ids: &[ActorID]) -> String {
    ids.iter()
        .map(|id| format!("f0{id}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use fern_shared::error::ExitCode;

    #[test]
    fn membership() {
        assert!(check_caller_is(0, &[0]).is_ok());
        assert!(check_caller_is(10, &[0, 10]).is_ok());
        let err = check_caller_is(100, &[0, 10]).unwrap_err();
        assert_eq!(err.exit_code, ExitCode::USR_FORBIDDEN);
        assert!(err.message.contains("f0100"));
        assert!(err.message.contains("f00, f010"));
        assert!(check_caller_is(0, &[]).is_err());
    }
}
