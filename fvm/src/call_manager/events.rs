//! [`EventsAccumulator`]: the events emitted during one message, layered by transaction so that a
//! reverted call drops its own events and those of its callees.

use cid::Cid;
use fern_shared::event::StampedEvent;
use fvm_ipld_blockstore::MemoryBlockstore;

/// Bit width of the AMT whose root goes into the receipt as `events_root`.
pub const EVENTS_AMT_BITWIDTH: u32 = 5;

/// Events of the current message.
#[derive(Debug, Default)]
pub struct EventsAccumulator {
    events: Vec<StampedEvent>,
    marks: Vec<usize>,
}

impl EventsAccumulator {
    /// Adds an event to the innermost layer.
    pub fn append(&mut self, event: StampedEvent) {
        self.events.push(event);
    }

    /// Opens a layer.
    pub fn begin_transaction(&mut self) {
        self.marks.push(self.events.len());
    }

    /// Closes the innermost layer, dropping its events when `revert`.
    pub fn end_transaction(&mut self, revert: bool) -> anyhow::Result<()> {
        let mark = self
            .marks
            .pop()
            .ok_or_else(|| anyhow::anyhow!("events accumulator not in a transaction"))?;
        if revert {
            self.events.truncate(mark);
        }
        Ok(())
    }

    /// The events and, if there are any, the root of the AMT (bit width 5) holding them in order.
    /// The AMT's blocks are not stored.
    pub fn finish(self) -> anyhow::Result<(Vec<StampedEvent>, Option<Cid>)> {
        if !self.marks.is_empty() {
            anyhow::bail!("events accumulator finished with open transactions");
        }
        if self.events.is_empty() {
            return Ok((self.events, None));
        }
        let store = MemoryBlockstore::default();
        let root = fvm_ipld_amt::Amt::new_from_iter_with_bit_width(
            &store,
            EVENTS_AMT_BITWIDTH,
            self.events.iter(),
        )?;
        Ok((self.events, Some(root)))
    }
}
