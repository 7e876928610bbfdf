//! The memory budget of one message: linear memories and tables across its whole call stack.
//!
//! Wasmtime asks a store's resource limiter before creating or growing a memory or table
//! (including the initial size at instantiation). Fern answers with a [`MemoryLimiter`] shared by
//! every call of a message: growth succeeds while the message's total stays within its limit
//! ([`MAX_MESSAGE_MEMORY_BYTES`]), tables counting [`TABLE_ELEMENT_MEMORY_BYTES`] per element.
//! When a call returns, whatever it grew is released ([`MemoryLimiter::release_to`]).

use crate::gas::limits::{MAX_MESSAGE_MEMORY_BYTES, TABLE_ELEMENT_MEMORY_BYTES};

/// Tally of the memory held by a message's active calls, with its limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryLimiter {
    limit: u64,
    used: u64,
}

/// The tally at some point, to return to when a call ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryMark(u64);

impl MemoryLimiter {
    /// An empty tally allowing `limit` bytes.
    pub const fn new(limit: u64) -> Self {
        Self { limit, used: 0 }
    }

    /// An empty tally with the consensus per-message limit.
    pub const fn for_message() -> Self {
        Self::new(MAX_MESSAGE_MEMORY_BYTES)
    }

    /// Bytes currently held.
    pub const fn used(&self) -> u64 {
        self.used
    }

    /// The limit in bytes.
    pub const fn limit(&self) -> u64 {
        self.limit
    }

    /// Takes `bytes` more if the total stays within the limit (reaching it exactly is allowed);
    /// otherwise takes nothing and returns `false`.
    pub fn try_grow(&mut self, bytes: u64) -> bool {
        let total = self.used.saturating_add(bytes);
        if total > self.limit {
            return false;
        }
        self.used = total;
        true
    }

    /// Growth of a linear memory from `from` to `to` bytes (shrinking counts as zero).
    pub fn grow_memory(&mut self, from: u64, to: u64) -> bool {
        self.try_grow(to.saturating_sub(from))
    }

    /// Growth of a table from `from` to `to` elements (shrinking counts as zero).
    pub fn grow_table(&mut self, from: u64, to: u64) -> bool {
        self.try_grow(
            to.saturating_sub(from)
                .saturating_mul(TABLE_ELEMENT_MEMORY_BYTES),
        )
    }

    /// The current tally, to restore when the call about to start returns.
    pub const fn mark(&self) -> MemoryMark {
        MemoryMark(self.used)
    }

    /// Releases everything taken since `mark` (the call that took it has returned).
    pub fn release_to(&mut self, mark: MemoryMark) {
        self.used = mark.0;
    }
}

impl Default for MemoryLimiter {
    fn default() -> Self {
        Self::for_message()
    }
}

/// Converts a host size to bytes, saturating on (hypothetical) hosts wider than 64 bits.
fn bytes(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl wasmtime::ResourceLimiter for MemoryLimiter {
    /// Refuses growth past the memory's own maximum without touching the tally; otherwise
    /// charges the growth to the message.
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> anyhow::Result<bool> {
        if maximum.is_some_and(|max| desired > max) {
            return Ok(false);
        }
        Ok(self.grow_memory(bytes(current), bytes(desired)))
    }

    /// Like `memory_growing`, in table elements.
    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> anyhow::Result<bool> {
        if maximum.is_some_and(|max| desired > max) {
            return Ok(false);
        }
        Ok(self.grow_table(bytes(current), bytes(desired)))
    }

    /// A store runs exactly one actor instance.
    fn instances(&self) -> usize {
        1
    }

    /// ... with exactly one linear memory.
    fn memories(&self) -> usize {
        1
    }
}
