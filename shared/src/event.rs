//! Actor events: what an actor emits and what the kernel records in the receipt's event list.

use bitflags::bitflags;
use fvm_ipld_encoding::strict_bytes;
use fvm_ipld_encoding::tuple::*;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ActorID;

bitflags! {
    /// Indexing hints attached to one event entry.
    ///
    /// The type is `repr(transparent)` over `u64` because it crosses the syscall boundary inside
    /// [`crate::sys::EventEntry`].
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    #[repr(transparent)]
    pub struct Flags: u64 {
        /// Clients should index the entry's key.
        const FLAG_INDEXED_KEY = 1;
        /// Clients should index the entry's value.
        const FLAG_INDEXED_VALUE = 1 << 1;
        /// Both the key and the value should be indexed.
        const FLAG_INDEXED_ALL = Self::FLAG_INDEXED_KEY.bits() | Self::FLAG_INDEXED_VALUE.bits();
    }
}

// On the wire the flags are the bare integer, including any bits without a name.
impl Serialize for Flags {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.bits().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Flags {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Flags::from_bits_retain(u64::deserialize(d)?))
    }
}

/// One key/value pair of an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Entry {
    /// Indexing hints.
    pub flags: Flags,
    /// The entry's key.
    pub key: String,
    /// The IPLD codec of `value` (FIP-0049 requires raw, 0x55).
    pub codec: u64,
    /// The entry's value, encoded as a CBOR byte string.
    #[serde(with = "strict_bytes")]
    pub value: Vec<u8>,
}

/// An event as the actor emitted it: an ordered list of entries.
///
/// It encodes as the bare CBOR list of its entries (no wrapping tuple).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ActorEvent {
    /// The entries, in emission order.
    pub entries: Vec<Entry>,
}

impl From<Vec<Entry>> for ActorEvent {
    fn from(entries: Vec<Entry>) -> Self {
        ActorEvent { entries }
    }
}

impl Serialize for ActorEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.entries.serialize(s)
    }
}

impl<'de> Deserialize<'de> for ActorEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(ActorEvent {
            entries: Vec::deserialize(d)?,
        })
    }
}

/// An event as recorded by the kernel: the emitting actor's ID plus the event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct StampedEvent {
    /// The actor that emitted the event.
    pub emitter: ActorID,
    /// The event itself.
    pub event: ActorEvent,
}

impl StampedEvent {
    /// Stamps `event` with the ID of the actor that emitted it.
    pub fn new(emitter: ActorID, event: ActorEvent) -> Self {
        StampedEvent { emitter, event }
    }
}
