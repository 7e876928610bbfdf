//! # Hello: the smallest useful Fern actor
//!
//! Start here. This actor has no state and two methods:
//!
//! | number | method | params | return | who may call |
//! |---|---|---|---|---|
//! | 1 | Constructor | none | none | the init actor (f01) |
//! | `method_number("SayHello")` | SayHello | optional name (CBOR text) | greeting (CBOR text) | anyone |
//!
//! Things to notice:
//!
//! 1. **One entry point.** The VM calls the Wasm export `invoke` for every message;
//!    [`export_actor!`] defines it and hands us the method number and the parameters block.
//! 2. **Method numbers.** `1` is always the constructor. Other methods use FRC-0042 numbers,
//!    derived from their name by hashing; [`method_number`] computes them at compile time.
//! 3. **Encoding.** Parameters and return values are CBOR. [`params::decode`] and
//!    [`params::ret`] do the conversion; a `String` becomes a CBOR text string.
//! 4. **Errors.** Returning `Err(ActorError)` aborts the call with its exit code; nothing the
//!    call did is kept.
//! 5. **Debug logs.** [`fern_sdk::log!`] writes to the node's debug log, only when the node
//!    enables debugging (otherwise it costs one cached check).
//!
//! To deploy it, send the init actor's `Exec` method (2) the code CID of `hello` from the
//! bundle manifest; init calls our constructor with itself as the caller.

use fern_actor_runtime::builtin::INIT_ACTOR_ID;
use fern_actor_runtime::{
    caller, export_actor, method_number, params, ActorError, IpldBlock, MethodNum, MethodResult,
};

/// Method numbers of this actor.
pub mod method {
    use super::*;
    /// The constructor, called once by the init actor when the actor is created.
    pub const CONSTRUCTOR: MethodNum = 1;
    /// Returns a greeting.
    pub const SAY_HELLO: MethodNum = method_number("SayHello");
}

// Defines `invoke`, the function the VM calls, and routes every call to `dispatch`.
export_actor!(dispatch);

/// Decodes the parameters of each method, runs it, and encodes its result.
pub fn dispatch(method: MethodNum, p: Option<IpldBlock>) -> MethodResult {
    match method {
        method::CONSTRUCTOR => {
            params::none(p)?;
            constructor()?;
            Ok(None) // No return value.
        }
        method::SAY_HELLO => {
            let name: Option<String> = params::decode_optional(p)?;
            params::ret(&say_hello(name))
        }
        // Any other number: fail with USR_UNHANDLED_MESSAGE.
        m => Err(params::unhandled(m)),
    }
}

/// Only the init actor may construct us (it does so right after creating the actor).
fn constructor() -> Result<(), ActorError> {
    caller::validate_caller_is(&[INIT_ACTOR_ID])?;
    Ok(())
}

/// Greets `name`, or the caller's ID address when no name is given.
fn say_hello(name: Option<String>) -> String {
    let who = name.unwrap_or_else(|| format!("f0{}", caller::caller()));
    let text = greeting(&who);
    fern_sdk::log!("hello actor says: {text}");
    text
}

/// The greeting text (pure, so it can be unit-tested on the host).
pub fn greeting(who: &str) -> String {
    format!("Hello, {who}!")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greets() {
        assert_eq!(greeting("f0100"), "Hello, f0100!");
    }

    #[test]
    fn greets_by_name() {
        assert_eq!(greeting("Alice"), "Hello, Alice!");
    }

    // FRC-0042 numbers never collide with the fixed numbers below 2^24 (checked at compile time).
    const _: () = assert!(method::SAY_HELLO >= 1 << 24);

    #[test]
    fn unknown_methods_are_rejected() {
        let err = dispatch(12345, None).unwrap_err();
        assert_eq!(
            err.exit_code,
            fern_actor_runtime::ExitCode::USR_UNHANDLED_MESSAGE
        );
    }
}
