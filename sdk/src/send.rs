//! Calling other actors.

use fern_shared::address::Address;
use fern_shared::econ::TokenAmount;
use fern_shared::error::{ErrorNumber, ExitCode};
use fern_shared::sys::SendFlags;
use fern_shared::MethodNum;
use fvm_ipld_encoding::ipld_block::IpldBlock;

use crate::{sys, SyscallResult, NO_DATA_BLOCK_ID};

/// What a call to another actor produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The callee's exit code.
    pub exit_code: ExitCode,
    /// The callee's return block, if it returned one.
    pub return_data: Option<IpldBlock>,
}

/// Turns the raw `send` result into a [`Response`], reading the return block (if any) with one
/// `ipld::block_read` of exactly its size.
pub(crate) fn response_from_send(out: sys::send::Send) -> SyscallResult<Response> {
    let exit_code = ExitCode::new(out.exit_code);
    let (id, codec, size) = (out.return_id, out.return_codec, out.return_size);
    let return_data = if id == NO_DATA_BLOCK_ID {
        None
    } else {
        let mut data = vec![0u8; size as usize];
        let left = unsafe { sys::ipld::block_read(id, 0, data.as_mut_ptr(), size)? };
        assert_eq!(left, 0, "return block size mismatch");
        Some(IpldBlock { codec, data })
    };
    Ok(Response { exit_code, return_data })
}

/// Calls `method` on the actor at `to`.
///
/// Parameters, if any, are first turned into a block (`ipld::block_create`); then `send::send`
/// runs the call with `gas_limit` (no limit when `None`) and `flags`. A value that cannot be
/// represented in 128 bits (or is negative) fails with `InsufficientFunds` before any syscall.
/// A callee failure is not an `Err`: check [`Response::exit_code`].
pub fn send(
    to: &Address,
    method: MethodNum,
    params: Option<IpldBlock>,
    value: TokenAmount,
    gas_limit: Option<u64>,
    flags: SendFlags,
) -> SyscallResult<Response> {
    let recipient = to.to_bytes();
    let value =
        fern_shared::sys::TokenAmount::try_from(&value).map_err(|_| ErrorNumber::InsufficientFunds)?;
    let params_id = match params {
        Some(p) => crate::ipld::put_block(p.codec, &p.data)?,
        None => NO_DATA_BLOCK_ID,
    };
    let out = unsafe {
        sys::send::send(
            recipient.as_ptr(),
            recipient.len() as u32,
            method,
            params_id,
            value.hi,
            value.lo,
            gas_limit.unwrap_or(u64::MAX),
            flags,
        )?
    };
    response_from_send(out)
}
