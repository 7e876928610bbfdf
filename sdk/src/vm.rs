//! Ending the invocation: normal exit, abort, and the panic hook.

use fern_shared::error::ExitCode;
use fvm_ipld_encoding::ipld_block::IpldBlock;

use crate::sys;

/// The block handle meaning "no data" (re-exported for convenience).
pub use crate::NO_DATA_BLOCK_ID;

/// Whether this call is read-only; see [`crate::message::read_only`].
pub fn read_only() -> bool {
    crate::message::read_only()
}

/// Ends the invocation with `code`, optional return `data` and an optional message
/// (`vm::exit`). If `data` is given it first becomes a block (`ipld::block_create`), even when
/// empty.
pub fn exit(code: u32, data: Option<IpldBlock>, message: Option<&str>) -> ! {
    let block = match data {
        Some(d) => crate::ipld::put_block(d.codec, &d.data).expect("failed to create return block"),
        None => NO_DATA_BLOCK_ID,
    };
    let (msg_ptr, msg_len) = match message {
        Some(m) => (m.as_ptr(), m.len() as u32),
        None => (std::ptr::null(), 0),
    };
    unsafe { sys::vm::exit(code, block, msg_ptr, msg_len) }
}

/// Aborts the invocation with an error `code` and optional message. Code 0 (which would mean
/// success) is replaced by `USR_ASSERTION_FAILED`.
pub fn abort(code: u32, message: Option<&str>) -> ! {
    let code = if code == 0 { ExitCode::USR_ASSERTION_FAILED.value() } else { code };
    exit(code, None, message)
}

/// Installs a panic hook that aborts with `USR_ASSERTION_FAILED` and the panic's display text
/// (location and payload) as the message, so panics show up as a readable exit instead of a
/// Wasm trap.
pub fn set_panic_handler() {
    std::panic::set_hook(Box::new(|info| {
        let text = info.to_string();
        abort(ExitCode::USR_ASSERTION_FAILED.value(), Some(&text))
    }));
}
