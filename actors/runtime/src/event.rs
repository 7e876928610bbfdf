//! Building and emitting actor events.
//!
//! An event is an ordered list of `(flags, key, codec, value)` entries. By convention (FIP-0049,
//! FRC-0046) the first entry has key `$type` and names the event; the other entries carry its
//! fields. Values here are CBOR-encoded (codec `0x51`), which indexers decode.
//!
//! ```ignore
//! EventBuilder::new("transfer")
//!     .indexed("from", &from_id)?
//!     .indexed("to", &to_id)?
//!     .field("amount", &amount)?
//!     .emit()?;
//! ```

use fern_sdk::ActorError;
use fern_shared::consts::CBOR;
use fern_shared::event::{ActorEvent, Entry, Flags};
use serde::Serialize;

use crate::error::syscall_error;

/// The key of the entry that names an event.
pub const TYPE_KEY: &str = "$type";

/// Accumulates the entries of one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventBuilder {
    entries: Vec<Entry>,
}

impl EventBuilder {
    /// Starts an event whose `$type` entry (key and value indexed) is `event_type`.
    pub fn new(event_type: &str) -> Self {
        let mut b = EventBuilder {
            entries: Vec::new(),
        };
        b.push(Flags::FLAG_INDEXED_ALL, TYPE_KEY, &event_type)
            .expect("a string always encodes");
        b
    }

    fn push<T: Serialize + ?Sized>(
        &mut self,
        flags: Flags,
        key: &str,
        value: &T,
    ) -> Result<(), ActorError> {
        let value = fvm_ipld_encoding::to_vec(value).map_err(|e| {
            ActorError::serialization(format!("failed to encode event field {key}: {e}"))
        })?;
        self.entries.push(Entry {
            flags,
            key: key.to_string(),
            codec: CBOR,
            value,
        });
        Ok(())
    }

    /// Adds a field whose key and value should be indexed (searchable by value).
    pub fn indexed<T: Serialize + ?Sized>(
        mut self,
        key: &str,
        value: &T,
    ) -> Result<Self, ActorError> {
        self.push(Flags::FLAG_INDEXED_ALL, key, value)?;
        Ok(self)
    }

    /// Adds a field whose key only should be indexed.
    pub fn field<T: Serialize + ?Sized>(
        mut self,
        key: &str,
        value: &T,
    ) -> Result<Self, ActorError> {
        self.push(Flags::FLAG_INDEXED_KEY, key, value)?;
        Ok(self)
    }

    /// The event built so far.
    pub fn build(self) -> ActorEvent {
        ActorEvent {
            entries: self.entries,
        }
    }

    /// Emits the event (`event::emit_event`). A failure (too many or too large entries, or a
    /// read-only call) becomes the matching user exit code.
    pub fn emit(self) -> Result<(), ActorError> {
        fern_sdk::event::emit_event(&self.build())
            .map_err(|e| syscall_error(e, "failed to emit an event"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_in_order() {
        let ev = EventBuilder::new("transfer")
            .indexed("from", &100u64)
            .unwrap()
            .field("amount", &7u64)
            .unwrap()
            .build();
        let keys: Vec<&str> = ev.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["$type", "from", "amount"]);
        assert!(ev.entries.iter().all(|e| e.codec == CBOR));
        assert_eq!(ev.entries[0].flags, Flags::FLAG_INDEXED_ALL);
        assert_eq!(ev.entries[2].flags, Flags::FLAG_INDEXED_KEY);
        // Values are CBOR: the text "transfer" and the integers 100 and 7.
        assert_eq!(
            ev.entries[0].value,
            fvm_ipld_encoding::to_vec("transfer").unwrap()
        );
        assert_eq!(ev.entries[1].value, vec![0x18, 100]);
        assert_eq!(ev.entries[2].value, vec![0x07]);
    }
}
