//! Import module `event`: emitting actor events.

#[doc(inline)]
pub use fern_shared::sys::EventEntry;

super::wasm_imports! {
    module "event";

    /// Emits an event of `evt_len` entry headers at `evt_off`, with their keys and values
    /// concatenated in the two byte buffers (in entry order).
    ///
    /// Errors: `IllegalArgument` for malformed entries, `LimitExceeded` for oversized events.
    fn emit_event(
        evt_off: *const EventEntry,
        evt_len: u32,
        key_off: *const u8,
        key_len: u32,
        value_off: *const u8,
        value_len: u32,
    ) -> Result<()>;
}
