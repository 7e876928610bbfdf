//! Glue for an actor's exported `invoke` function.
//!
//! The kernel calls the Wasm export `invoke(params: u32) -> u32` with the handle of the
//! parameters block (0 for none) and expects the handle of the return block (0 for none).
//!
//! ```ignore
//! #[no_mangle]
//! pub extern "C" fn invoke(params: u32) -> u32 {
//!     fern_sdk::invoke::entry(params, |params| {
//!         match fern_sdk::message::method_number() {
//!             1 => Ok(None),
//!             _ => Err(fern_sdk::ActorError::unhandled_message("no such method")),
//!         }
//!     })
//! }
//! ```

use fern_shared::error::ExitCode;
use fvm_ipld_encoding::ipld_block::IpldBlock;

use crate::error::ActorError;
use crate::{message, vm, NO_DATA_BLOCK_ID};

/// Runs one invocation.
///
/// 1. Installs the panic hook ([`vm::set_panic_handler`]).
/// 2. Loads the parameters ([`message::params_raw`]: `block_stat` then one `block_read`);
///    failure aborts with `USR_ASSERTION_FAILED`.
/// 3. Calls `method`.
/// 4. On `Ok(Some(block))` creates the return block and returns its handle; on `Ok(None)`
///    returns 0; on `Err(e)` exits with `e.exit_code`, `e.data` and `e.message`.
pub fn entry<F>(params_id: u32, method: F) -> u32
where
    F: FnOnce(Option<IpldBlock>) -> Result<Option<IpldBlock>, ActorError>,
{
    vm::set_panic_handler();
    let params = match message::params_raw(params_id) {
        Ok(p) => p,
        Err(e) => vm::abort(
            ExitCode::USR_ASSERTION_FAILED.value(),
            Some(&format!("failed to read the parameters block: {e}")),
        ),
    };
    match method(params) {
        Ok(None) => NO_DATA_BLOCK_ID,
        Ok(Some(ret)) => crate::ipld::put_block(ret.codec, &ret.data)
            .unwrap_or_else(|e| panic!("failed to create the return block: {e}")),
        Err(err) => vm::exit(err.exit_code.value(), err.data, Some(&err.message)),
    }
}

/// Defines the exported `invoke` function of an actor, forwarding to [`entry`] with the given
/// method handler (`FnOnce(Option<IpldBlock>) -> Result<Option<IpldBlock>, ActorError>`).
///
/// ```ignore
/// fern_sdk::actor_entry!(my_actor::dispatch);
/// ```
#[macro_export]
macro_rules! actor_entry {
    ($handler:expr) => {
        #[no_mangle]
        pub extern "C" fn invoke(params: u32) -> u32 {
            $crate::invoke::entry(params, $handler)
        }
    };
}
