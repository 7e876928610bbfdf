//! Addresses, code CIDs, actor creation and balances.

use cid::Cid;
use fern_shared::address::{Address, Payload, MAX_ADDRESS_LEN};
use fern_shared::consts::MAX_CID_LEN;
use fern_shared::econ::TokenAmount;
use fern_shared::error::ErrorNumber;
use fern_shared::ActorID;
use fvm_ipld_encoding::ipld_block::IpldBlock;

use crate::ipld::cid_from_kernel;
use crate::send::{response_from_send, Response};
use crate::{sys, SyscallResult, NO_DATA_BLOCK_ID};

/// Resolves an address to an actor ID, or `None` if no actor has it.
///
/// ID addresses are answered without a syscall (so the actor may not actually exist);
/// other addresses use `actor::resolve_address`.
pub fn resolve_address(addr: &Address) -> Option<ActorID> {
    if let Payload::ID(id) = addr.payload() {
        return Some(*id);
    }
    let bytes = addr.to_bytes();
    match unsafe { sys::actor::resolve_address(bytes.as_ptr(), bytes.len() as u32) } {
        Ok(id) => Some(id),
        Err(ErrorNumber::NotFound) => None,
        Err(e) => panic!("actor::resolve_address failed unexpectedly: {e}"),
    }
}

/// The delegated (`f4`) address of an actor, or `None` if the actor does not exist, has no
/// such address, or has one this SDK cannot parse (`actor::lookup_delegated_address`, with a
/// `MAX_ADDRESS_LEN` buffer).
pub fn lookup_delegated_address(actor_id: ActorID) -> Option<Address> {
    let mut buf = [0u8; MAX_ADDRESS_LEN];
    let res = unsafe {
        sys::actor::lookup_delegated_address(actor_id, buf.as_mut_ptr(), MAX_ADDRESS_LEN as u32)
    };
    match res {
        Ok(0) => None,
        // An address class newer than this SDK is treated as "no delegated address".
        Ok(len) => Address::from_bytes(&buf[..len as usize]).ok(),
        Err(ErrorNumber::NotFound) => None,
        Err(e) => panic!("actor::lookup_delegated_address failed unexpectedly: {e}"),
    }
}

/// The code CID of the actor at `addr`, or `None` if it does not exist.
///
/// Non-ID addresses are first resolved with [`resolve_address`]; then
/// `actor::get_actor_code_cid` is called with a `MAX_CID_LEN` buffer.
pub fn get_actor_code_cid(addr: &Address) -> Option<Cid> {
    let id = resolve_address(addr)?;
    let mut buf = [0u8; MAX_CID_LEN];
    match unsafe { sys::actor::get_actor_code_cid(id, buf.as_mut_ptr(), MAX_CID_LEN as u32) } {
        Ok(len) => Some(cid_from_kernel(&buf[..len as usize])),
        Err(ErrorNumber::NotFound) => None,
        Err(e) => panic!("actor::get_actor_code_cid failed unexpectedly: {e}"),
    }
}

/// The robust address the next actor created by the caller will get
/// (`actor::next_actor_address`, with a `MAX_ADDRESS_LEN` buffer). Init actor only.
pub fn next_actor_address() -> Address {
    let mut buf = [0u8; MAX_ADDRESS_LEN];
    let len = unsafe { sys::actor::next_actor_address(buf.as_mut_ptr(), MAX_ADDRESS_LEN as u32) }
        .expect("actor::next_actor_address failed");
    Address::from_bytes(&buf[..len as usize]).expect("kernel wrote an invalid address")
}

/// Creates actor `actor_id` running `code_cid`, optionally with a delegated address
/// (`actor::create_actor`). Init actor only.
pub fn create_actor(
    actor_id: ActorID,
    code_cid: &Cid,
    delegated_address: Option<Address>,
) -> SyscallResult<()> {
    let code = code_cid.to_bytes();
    let addr = delegated_address.map(|a| a.to_bytes());
    let (addr_ptr, addr_len) = match &addr {
        Some(bytes) => (bytes.as_ptr(), bytes.len() as u32),
        None => (std::ptr::null(), 0),
    };
    unsafe { sys::actor::create_actor(actor_id, code.as_ptr(), addr_ptr, addr_len) }
}

/// The built-in actor type number of a code CID, or `None` if it is not a built-in actor
/// (`actor::get_builtin_actor_type`).
pub fn get_builtin_actor_type(code_cid: &Cid) -> Option<i32> {
    let code = code_cid.to_bytes();
    let t = unsafe { sys::actor::get_builtin_actor_type(code.as_ptr()) }
        .expect("actor::get_builtin_actor_type failed");
    (t != 0).then_some(t)
}

/// The code CID of a built-in actor type (`actor::get_code_cid_for_type`, with a
/// `MAX_CID_LEN` buffer).
///
/// # Panics
///
/// If the type is unknown.
pub fn get_code_cid_for_type(typ: i32) -> Cid {
    let mut buf = [0u8; MAX_CID_LEN];
    let len = unsafe { sys::actor::get_code_cid_for_type(typ, buf.as_mut_ptr(), MAX_CID_LEN as u32) }
        .expect("actor::get_code_cid_for_type failed");
    cid_from_kernel(&buf[..len as usize])
}

/// The balance of an actor, or `None` if it does not exist (`actor::balance_of`).
pub fn balance_of(actor_id: ActorID) -> Option<TokenAmount> {
    match unsafe { sys::actor::balance_of(actor_id) } {
        Ok(v) => Some(v.into()),
        Err(ErrorNumber::NotFound) => None,
        Err(e) => panic!("actor::balance_of failed unexpectedly: {e}"),
    }
}

/// Upgrades the calling actor to `new_code_cid`, passing `params` to the new code's `upgrade`
/// entry point (`ipld::block_create` for the params, then `actor::upgrade_actor`). Returns only
/// when the upgrade did not happen. Not enabled on mainnet.
pub fn upgrade_actor(new_code_cid: &Cid, params: Option<IpldBlock>) -> SyscallResult<Response> {
    let code = new_code_cid.to_bytes();
    let params_id = match params {
        Some(p) => crate::ipld::put_block(p.codec, &p.data)?,
        None => NO_DATA_BLOCK_ID,
    };
    let out = unsafe { sys::actor::upgrade_actor(code.as_ptr(), params_id)? };
    response_from_send(out)
}

/// Loads and validates actor code (`actor::install_actor`). Test networks only.
pub fn install_actor(code_cid: &Cid) -> SyscallResult<()> {
    let code = code_cid.to_bytes();
    unsafe { sys::actor::install_actor(code.as_ptr()) }
}
