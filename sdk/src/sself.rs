//! The calling actor's own state root, balance and deletion.

use cid::Cid;
use fern_shared::consts::MAX_CID_LEN;
use fern_shared::econ::TokenAmount;
use fern_shared::error::ErrorNumber;

use crate::error::{ActorDeleteError, StateReadError, StateUpdateError};
use crate::ipld::{cid_buffer, cid_from_kernel};
use crate::sys;

/// The actor's current state root (`self::root`, with a `MAX_CID_LEN` buffer).
///
/// Fails only if the actor was deleted during this call.
pub fn root() -> Result<Cid, StateReadError> {
    let mut buf = [0u8; MAX_CID_LEN];
    let len = unsafe { sys::sself::root(buf.as_mut_ptr(), MAX_CID_LEN as u32) }.map_err(
        |e| match e {
            ErrorNumber::IllegalOperation => StateReadError,
            e => panic!("self::root failed unexpectedly: {e}"),
        },
    )?;
    Ok(cid_from_kernel(&buf[..len as usize]))
}

/// Replaces the actor's state root (`self::set_root`). The CID must be reachable: returned by
/// [`crate::ipld::put`], the current root, or linked from a block loaded in this call.
///
/// # Panics
///
/// On errors other than deletion and read-only mode (e.g. an unreachable CID).
pub fn set_root(cid: &Cid) -> Result<(), StateUpdateError> {
    let buf = cid_buffer(cid);
    unsafe { sys::sself::set_root(buf.as_ptr()) }.map_err(|e| match e {
        ErrorNumber::IllegalOperation => StateUpdateError::ActorDeleted,
        ErrorNumber::ReadOnly => StateUpdateError::ReadOnly,
        e => panic!("self::set_root failed unexpectedly: {e}"),
    })
}

/// The actor's balance (`self::current_balance`; a syscall on every call).
pub fn current_balance() -> TokenAmount {
    unsafe { sys::sself::current_balance() }
        .expect("self::current_balance failed")
        .into()
}

/// Deletes the actor (`self::self_destruct`). With `burn_funds` false, any remaining balance
/// makes this fail with [`ActorDeleteError::UnspentFunds`].
pub fn self_destruct(burn_funds: bool) -> Result<(), ActorDeleteError> {
    unsafe { sys::sself::self_destruct(burn_funds) }.map_err(|e| match e {
        ErrorNumber::IllegalOperation => ActorDeleteError::UnspentFunds,
        ErrorNumber::ReadOnly => ActorDeleteError::ReadOnly,
        e => panic!("self::self_destruct failed unexpectedly: {e}"),
    })
}
