//! The actor's state object, stored as one DAG-CBOR block named by the state root.
//!
//! An actor's state in the state tree is a single CID (its *state root*). By convention the root
//! is a DAG-CBOR block holding a state struct, which may link to further blocks (HAMTs, ...).
//! [`load`] reads and decodes that block; [`save`] encodes a new one, stores it and points the
//! root at it. Blocks are hashed with BLAKE2b-256, the only hash the FVM accepts for state.

use cid::Cid;
use fern_sdk::error::{StateReadError, StateUpdateError};
use fern_sdk::ActorError;
use fern_shared::error::ExitCode;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The current state root.
///
/// Fails with `USR_ILLEGAL_STATE` if the actor was deleted earlier in this call.
pub fn root() -> Result<Cid, ActorError> {
    fern_sdk::sself::root().map_err(|StateReadError| {
        ActorError::illegal_state("the actor has been deleted and has no state")
    })
}

/// Loads and decodes the state object.
pub fn load<T: DeserializeOwned>() -> Result<T, ActorError> {
    get_cbor(&root()?).map_err(|e| crate::error::wrap(e, "failed to load the actor state"))
}

/// Loads the block `cid` and decodes it from CBOR.
///
/// A missing block fails with `USR_NOT_FOUND`, another syscall failure with the matching user
/// code (see [`crate::error::exit_code_for`]), a decoding failure with `USR_SERIALIZATION`.
pub fn get_cbor<T: DeserializeOwned>(cid: &Cid) -> Result<T, ActorError> {
    let bytes = fern_sdk::ipld::get(cid).map_err(|e| {
        crate::error::syscall_error(e, &format!("failed to load block {}", crate::fmt::cid(cid)))
    })?;
    fvm_ipld_encoding::from_slice(&bytes)
        .map_err(|e| ActorError::serialization(format!("failed to decode a block: {e}")))
}

/// Encodes `state` as DAG-CBOR, stores it and makes it the new state root. Returns the root.
///
/// Fails with `USR_READ_ONLY` in a read-only call and `USR_ILLEGAL_STATE` if the actor was
/// deleted. Constructors use this to create the initial state.
pub fn save<T: Serialize + ?Sized>(state: &T) -> Result<Cid, ActorError> {
    let cid = fern_sdk::ipld::put_dag_cbor(state)
        .map_err(|e| crate::error::wrap(e, "failed to store the actor state"))?;
    set_root(&cid)?;
    Ok(cid)
}

/// Points the state root at an already-stored block.
pub fn set_root(cid: &Cid) -> Result<(), ActorError> {
    fern_sdk::sself::set_root(cid).map_err(|e| match e {
        StateUpdateError::ReadOnly => ActorError::new(
            ExitCode::USR_READ_ONLY,
            "cannot change state in a read-only call",
        ),
        StateUpdateError::ActorDeleted => {
            ActorError::illegal_state("cannot change the state of a deleted actor")
        }
    })
}

/// Loads the state, lets `f` modify it, and saves it if `f` succeeds.
///
/// If `f` fails nothing is written (and the whole invocation is rolled back anyway when the
/// error aborts it). The state is saved even if `f` left it unchanged.
pub fn transaction<T, R, F>(f: F) -> Result<R, ActorError>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce(&mut T) -> Result<R, ActorError>,
{
    let mut st: T = load()?;
    let out = f(&mut st)?;
    save(&st)?;
    Ok(out)
}
