//! Debug logging. Everything here is a no-op on nodes that do not enable debugging.

use std::sync::OnceLock;

use crate::sys;

static ENABLED: OnceLock<bool> = OnceLock::new();

/// Whether the node has debugging enabled. Asked once per call (`debug::enabled`), then
/// cached. The kernel answers 0 for enabled and -1 for disabled.
pub fn enabled() -> bool {
    *ENABLED.get_or_init(|| unsafe { sys::debug::enabled() }.expect("debug::enabled failed") >= 0)
}

/// Sends `msg` to the node's debug log (`debug::log`). The syscall is made even when
/// debugging is disabled; use [`crate::log!`] to skip formatting and the syscall in that case.
pub fn log(msg: &str) {
    unsafe { sys::debug::log(msg.as_ptr(), msg.len() as u32) }.expect("debug::log failed")
}

/// Saves a named artifact on the node (`debug::store_artifact`). Test setups only.
pub fn store_artifact(name: impl AsRef<str>, data: impl AsRef<[u8]>) {
    let (name, data) = (name.as_ref(), data.as_ref());
    unsafe {
        sys::debug::store_artifact(name.as_ptr(), name.len() as u32, data.as_ptr(), data.len() as u32)
    }
    .expect("debug::store_artifact failed")
}

/// Formats and logs a message through [`debug::log`](crate::debug::log), but only when
/// debugging is enabled (so disabled nodes pay for one cached `debug::enabled` check only).
///
/// ```ignore
/// fern_sdk::log!("balance is {}", balance);
/// ```
#[macro_export]
macro_rules! log {
    ($($arg:tt)*) => {
        if $crate::debug::enabled() {
            $crate::debug::log(&::std::format!($($arg)*));
        }
    };
}
