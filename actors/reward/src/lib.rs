//! A minimal reward actor, singleton at `f02`.
//!
//! On Filecoin the reward actor pays block rewards to miners. Fern's networks have no storage
//! mining, so this actor only needs to exist: the VM pays each message's gas tip (the miner's
//! share of the fee) to `f02`, which is a plain balance transfer that never runs actor code.
//!
//! | # | method | params | return | caller |
//! |---|---|---|---|---|
//! | 1 | Constructor | anything (ignored) | none | system (f00) |
//!
//! Method 0 (value transfer) is handled by the VM; if it is invoked anyway it succeeds. Every
//! other method fails with `USR_UNHANDLED_MESSAGE`.
//!
//! State: the empty DAG-CBOR list `[]`.

use fern_actor_runtime::builtin::SYSTEM_ACTOR_ID;
use fern_actor_runtime::{
    caller, export_actor, params, state, ActorError, MethodNum, MethodResult,
};
use fern_sdk::IpldBlock;

/// Method numbers.
pub mod method {
    /// Creates the (empty) state.
    pub const CONSTRUCTOR: u64 = 1;
}

export_actor!(dispatch);

/// Routes a call to its method.
pub fn dispatch(method: MethodNum, _p: Option<IpldBlock>) -> MethodResult {
    match method {
        fern_actor_runtime::METHOD_SEND => Ok(None),
        // The built-in reward actor's constructor takes an optional initial network power;
        // Fern's has nothing to initialise, so it accepts and ignores any parameters.
        method::CONSTRUCTOR => {
            constructor()?;
            Ok(None)
        }
        m => Err(params::unhandled(m)),
    }
}

fn constructor() -> Result<(), ActorError> {
    caller::validate_caller_is(&[SYSTEM_ACTOR_ID])?;
    let empty: [u64; 0] = [];
    state::save(&empty)?;
    Ok(())
}
