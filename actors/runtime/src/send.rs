//! Calling another actor and treating its failure as ours.

use fern_sdk::{ActorError, IpldBlock};
use fern_shared::address::Address;
use fern_shared::econ::TokenAmount;
use fern_shared::sys::SendFlags;
use fern_shared::MethodNum;

use crate::error::{propagated_exit_code, syscall_error};

/// Calls `method` on `to` with `params` and `value`, using all remaining gas.
///
/// Returns the callee's return block on success. If the syscall itself fails (unknown
/// recipient, insufficient balance, ...) the error number becomes a user exit code (see
/// [`crate::error::exit_code_for`]); if the callee fails, its exit code is propagated (system
/// codes become `USR_UNSPECIFIED`) together with its return data.
pub fn send(
    to: &Address,
    method: MethodNum,
    params: Option<IpldBlock>,
    value: TokenAmount,
) -> Result<Option<IpldBlock>, ActorError> {
    send_with_flags(to, method, params, value, SendFlags::empty())
}

/// Like [`send`] but in read-only mode: the callee may not change any state.
pub fn send_read_only(
    to: &Address,
    method: MethodNum,
    params: Option<IpldBlock>,
) -> Result<Option<IpldBlock>, ActorError> {
    send_with_flags(
        to,
        method,
        params,
        TokenAmount::default(),
        SendFlags::READ_ONLY,
    )
}

fn send_with_flags(
    to: &Address,
    method: MethodNum,
    params: Option<IpldBlock>,
    value: TokenAmount,
    flags: SendFlags,
) -> Result<Option<IpldBlock>, ActorError> {
    let response = fern_sdk::send::send(to, method, params, value, None, flags).map_err(|e| {
        syscall_error(
            e,
            &format!("sending method {method} to {} failed", crate::fmt::addr(to)),
        )
    })?;
    if response.exit_code.is_success() {
        return Ok(response.return_data);
    }
    Err(ActorError {
        exit_code: propagated_exit_code(response.exit_code),
        message: format!(
            "method {method} on {} failed with exit code {}",
            crate::fmt::addr(to),
            response.exit_code
        ),
        data: response.return_data,
    })
}
