//! Emitting actor events.

use fern_shared::event::ActorEvent;
use fern_shared::sys::EventEntry;

use crate::{sys, SyscallResult};

/// Emits `event` (`event::emit_event`).
///
/// The event is not sent as CBOR: it is split into a table of fixed-size entry headers plus one
/// buffer of all keys and one of all values (each concatenated in entry order), which lets the
/// kernel charge gas and validate without decoding anything.
pub fn emit_event(event: &ActorEvent) -> SyscallResult<()> {
    let headers: Vec<EventEntry> = event
        .entries
        .iter()
        .map(|e| EventEntry {
            flags: e.flags,
            codec: e.codec,
            key_len: e.key.len() as u32,
            val_len: e.value.len() as u32,
        })
        .collect();
    let keys: Vec<u8> = event.entries.iter().flat_map(|e| e.key.bytes()).collect();
    let values: Vec<u8> = event.entries.iter().flat_map(|e| e.value.iter().copied()).collect();
    unsafe {
        sys::event::emit_event(
            headers.as_ptr(),
            headers.len() as u32,
            keys.as_ptr(),
            keys.len() as u32,
            values.as_ptr(),
            values.len() as u32,
        )
    }
}
