//! Import module `debug`: logging and artifacts, active only when the node enables debugging.

super::wasm_imports! {
    module "debug";

    /// Yields 0 if debugging is enabled and -1 otherwise.
    fn enabled() -> Result<i32>;

    /// Logs the UTF-8 message; a no-op when debugging is disabled.
    fn log(message: *const u8, message_len: u32) -> Result<()>;

    /// Saves a named blob on the host; a no-op when debugging is disabled.
    fn store_artifact(name_off: *const u8, name_len: u32, data_off: *const u8, data_len: u32) -> Result<()>;
}
