//! The system actor, singleton at `f00`.
//!
//! It does nothing at run time: the VM uses its ID as the "caller" of implicit operations
//! (account creation, cron, ...), and its state points at the registry of built-in actor code
//! CIDs, which the kernel reads at start-up.
//!
//! | # | method | params | return | caller |
//! |---|---|---|---|---|
//! | 1 | Constructor | none | none | system (f00) |
//!
//! State (DAG-CBOR tuple, read by the kernel): `[builtin_actors: CID]`, the CID of a list of
//! `[name, code CID]` pairs. The constructor starts with an empty list; genesis tooling normally
//! writes the state directly with the bundle manifest's list.

use cid::Cid;
use fern_actor_runtime::builtin::SYSTEM_ACTOR_ID;
use fern_actor_runtime::{
    caller, export_actor, params, state, ActorError, MethodNum, MethodResult,
};
use fern_sdk::IpldBlock;
use fvm_ipld_encoding::tuple::*;

/// The system actor's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    /// CID of the DAG-CBOR list of `(manifest name, code CID)` pairs.
    pub builtin_actors: Cid,
}

/// Method numbers.
pub mod method {
    /// Creates the state.
    pub const CONSTRUCTOR: u64 = 1;
}

export_actor!(dispatch);

/// Routes a call to its method.
pub fn dispatch(method: MethodNum, p: Option<IpldBlock>) -> MethodResult {
    match method {
        method::CONSTRUCTOR => {
            params::none(p)?;
            constructor()?;
            Ok(None)
        }
        m => Err(params::unhandled(m)),
    }
}

fn constructor() -> Result<(), ActorError> {
    caller::validate_caller_is(&[SYSTEM_ACTOR_ID])?;
    let empty: Vec<(String, Cid)> = Vec::new();
    let registry = fern_sdk::ipld::put_dag_cbor(&empty)?;
    state::save(&State {
        builtin_actors: registry,
    })?;
    Ok(())
}
