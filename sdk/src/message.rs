//! The current call: who called, which method, with what value and parameters.
//!
//! The message context is fetched with one `vm::message_context` syscall the first time any
//! accessor here (or [`crate::vm::read_only`]) is used, then cached for the rest of the call.

use std::sync::OnceLock;

use fern_shared::econ::TokenAmount;
use fern_shared::sys::out::vm::{ContextFlags, MessageContext};
use fern_shared::sys::BlockId;
use fern_shared::{ActorID, MethodNum};
use fvm_ipld_encoding::ipld_block::IpldBlock;

use crate::{sys, SyscallResult, NO_DATA_BLOCK_ID};

static CONTEXT: OnceLock<MessageContext> = OnceLock::new();

/// The cached message context (fetched on first use).
pub fn context() -> MessageContext {
    *CONTEXT.get_or_init(|| {
        unsafe { sys::vm::message_context() }.expect("vm::message_context failed")
    })
}

/// The nonce of the top-level message.
pub fn nonce() -> u64 {
    context().nonce
}

/// The actor ID of the immediate caller.
pub fn caller() -> ActorID {
    context().caller
}

/// The actor ID of the account that signed the top-level message.
pub fn origin() -> ActorID {
    context().origin
}

/// The actor ID of the running actor.
pub fn receiver() -> ActorID {
    context().receiver
}

/// The method number being invoked.
pub fn method_number() -> MethodNum {
    context().method_number
}

/// The value transferred with this call.
pub fn value_received() -> TokenAmount {
    context().value_received.into()
}

/// The effective gas premium of the top-level message.
pub fn gas_premium() -> TokenAmount {
    context().gas_premium.into()
}

/// The invocation flags.
pub fn flags() -> ContextFlags {
    context().flags
}

/// Whether this call is read-only (no state changes, transfers, actor creation or events).
pub fn read_only() -> bool {
    flags().read_only()
}

/// Loads the parameters block passed to `invoke`.
///
/// Handle 0 means no parameters (`None`, no syscall). Otherwise `ipld::block_stat` gives codec
/// and size, then one `ipld::block_read` of exactly that size fetches the bytes.
pub fn params_raw(id: BlockId) -> SyscallResult<Option<IpldBlock>> {
    if id == NO_DATA_BLOCK_ID {
        return Ok(None);
    }
    let (codec, size) = crate::ipld::stat(id)?;
    let data = crate::ipld::get_block(id, Some(size))?;
    Ok(Some(IpldBlock { codec, data }))
}
