//! # Counter: persistent state and events
//!
//! Read `hello` first. This actor adds state: a single number that survives between calls.
//!
//! | number | method | params | return | who may call |
//! |---|---|---|---|---|
//! | 1 | Constructor | optional start value (u64) | none | the init actor (f01) |
//! | `method_number("Increment")` | Increment | amount to add (u64) | new value (u64) | anyone |
//! | `method_number("Get")` | Get | none | current value (u64) | anyone |
//!
//! ## How state works
//!
//! Each actor has a *state root*: the CID of one IPLD block. Our block is simply the CBOR
//! encoding of the counter (`0x05` for 5). To change state an actor stores a new block and points
//! the root at it ([`state::save`]); [`state::load`] follows the root and decodes it. If the call
//! later fails, the VM discards the new root, so a failed call never leaves half-done changes.
//!
//! ## Events
//!
//! `Increment` emits an event (`$type` = `"incremented"`, fields `by` and `value`) that indexers
//! and clients can subscribe to. Events of failed calls are discarded too.
//!
//! ## Read-only calls
//!
//! `Get` only reads, so it also works in read-only calls (such as an `eth_call`-style query).
//! `Increment` fails there with `USR_READ_ONLY`, because saving state is not allowed.

use fern_actor_runtime::builtin::INIT_ACTOR_ID;
use fern_actor_runtime::{
    caller, export_actor, method_number, params, state, ActorError, EventBuilder, IpldBlock,
    MethodNum, MethodResult,
};

/// The whole state: the counter's value, stored as a bare CBOR integer.
pub type State = u64;

/// Method numbers of this actor.
pub mod method {
    use super::*;
    /// Sets the initial value (0 unless given).
    pub const CONSTRUCTOR: MethodNum = 1;
    /// Adds to the counter.
    pub const INCREMENT: MethodNum = method_number("Increment");
    /// Reads the counter.
    pub const GET: MethodNum = method_number("Get");
}

export_actor!(dispatch);

/// Routes a call to its method.
pub fn dispatch(method: MethodNum, p: Option<IpldBlock>) -> MethodResult {
    match method {
        method::CONSTRUCTOR => {
            let start: Option<u64> = params::decode_optional(p)?;
            constructor(start.unwrap_or(0))?;
            Ok(None)
        }
        method::INCREMENT => {
            let by: u64 = params::decode(p)?;
            params::ret(&increment(by)?)
        }
        method::GET => {
            params::none(p)?;
            params::ret(&get()?)
        }
        m => Err(params::unhandled(m)),
    }
}

fn constructor(start: u64) -> Result<(), ActorError> {
    caller::validate_caller_is(&[INIT_ACTOR_ID])?;
    // The first save creates the state.
    state::save(&start)?;
    Ok(())
}

fn increment(by: u64) -> Result<u64, ActorError> {
    caller::validate_caller_any();
    // Load, modify, save: `transaction` does the three steps and saves only on success.
    let value = state::transaction(|count: &mut State| {
        *count = add(*count, by)?;
        Ok(*count)
    })?;
    EventBuilder::new("incremented")
        .field("by", &by)?
        .indexed("value", &value)?
        .emit()?;
    Ok(value)
}

fn get() -> Result<u64, ActorError> {
    caller::validate_caller_any();
    state::load::<State>()
}

/// `count + by`, refusing to wrap around (pure, so it can be tested on the host).
pub fn add(count: u64, by: u64) -> Result<u64, ActorError> {
    count.checked_add(by).ok_or_else(|| {
        ActorError::illegal_argument(format!("adding {by} to {count} would overflow"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use fern_actor_runtime::ExitCode;

    #[test]
    fn adds_without_overflow() {
        assert_eq!(add(2, 3).unwrap(), 5);
        assert_eq!(add(u64::MAX - 1, 1).unwrap(), u64::MAX);
        assert_eq!(
            add(u64::MAX, 1).unwrap_err().exit_code,
            ExitCode::USR_ILLEGAL_ARGUMENT
        );
    }

    #[test]
    fn increment_needs_an_amount() {
        // Parameters are decoded before any syscall, so this runs on the host.
        let err = dispatch(method::INCREMENT, None).unwrap_err();
        assert_eq!(err.exit_code, ExitCode::USR_ILLEGAL_ARGUMENT);
        let bad = params::encode("five").unwrap();
        let err = dispatch(method::INCREMENT, Some(bad)).unwrap_err();
        assert_eq!(err.exit_code, ExitCode::USR_SERIALIZATION);
    }

    #[test]
    fn get_takes_no_parameters() {
        let err = dispatch(method::GET, Some(params::encode(&1u64).unwrap())).unwrap_err();
        assert_eq!(err.exit_code, ExitCode::USR_ILLEGAL_ARGUMENT);
    }

    #[test]
    fn the_state_block_is_a_bare_integer() {
        assert_eq!(
            fvm_ipld_encoding::to_vec(&(5 as State)).unwrap(),
            vec![0x05]
        );
    }
}
