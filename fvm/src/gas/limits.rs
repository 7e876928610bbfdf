//! Resource limits that are part of consensus (identical for network versions 21 to 29).
//!
//! Changing any of these changes which messages succeed, so each is fixed per network, like a
//! price.

/// Deepest nesting of actor calls in one message; the call that would exceed it fails with
/// `LimitExceeded`. The message's own call is depth 1.
pub const MAX_CALL_DEPTH: u32 = 1024;

/// Limit of the Wasm stack-height instrumentation, counted in value-stack slots (not bytes)
/// across all active frames of one instance.
pub const MAX_WASM_STACK_SLOTS: u32 = 2048;

/// Native stack, in bytes, the Wasm runtime may use for one instance; deliberately far above
/// what [`MAX_WASM_STACK_SLOTS`] allows so that only the instrumented limit ever triggers.
pub const NATIVE_WASM_STACK_BYTES: usize = 4 << 20;

/// Largest linear memory of one Wasm instance (512 MiB); a multiple of the page size.
pub const MAX_INSTANCE_MEMORY_BYTES: u64 = 512 << 20;

/// Largest total of Wasm memories and tables (8 bytes per element) across the whole call stack of
/// one message (2 GiB). Each call's growth is released when it returns.
pub const MAX_MESSAGE_MEMORY_BYTES: u64 = 2 << 30;

/// Bytes a table element counts for against [`MAX_MESSAGE_MEMORY_BYTES`].
pub const TABLE_ELEMENT_MEMORY_BYTES: u64 = 8;

/// Most elements a Wasm table may have (the instance allocator's per-table slot count).
pub const MAX_TABLE_ELEMENTS: usize = 20_000;

/// Largest IPLD block an actor may create (1 MiB); larger ones fail with `LimitExceeded`.
pub const MAX_BLOCK_SIZE: usize = 1 << 20;

/// Most blocks one actor invocation may hold open or create.
pub const MAX_BLOCKS_PER_CALL: u32 = i32::MAX as u32;

/// Longest CID, in bytes, the kernel reads from or writes to actor memory.
pub const MAX_CID_LEN: usize = 100;

/// Most entries in one actor event.
pub const MAX_EVENT_ENTRIES: usize = 255;

/// Longest key of one event entry, in bytes.
pub const MAX_EVENT_KEY_LEN: usize = 31;

/// Largest total of an event's values, in bytes (8 KiB); also the cap on any single value.
pub const MAX_EVENT_VALUES_LEN: usize = 8 << 10;

/// Most entries in one actor event under ref-fvm 3.x rules (nv18 to nv20).
pub const MAX_EVENT_ENTRIES_FVM3: usize = 256;

/// Longest key of one event entry under ref-fvm 3.x rules, in bytes.
pub const MAX_EVENT_KEY_LEN_FVM3: usize = 32;

/// Largest CBOR-encoded event ref-fvm 3.x attempts to decode (1 MiB), checked after the
/// validation charge.
pub const MAX_ENCODED_EVENT_LEN_FVM3: usize = 1 << 20;

/// Under ref-fvm 3.x rules, how far back `network::tipset_cid` may look, in epochs (chain
/// finality); an epoch this far back or further is `IllegalArgument`.
pub const TIPSET_CID_FINALITY_FVM3: i64 = 900;

/// Abort messages passed to `vm::exit` longer than this are shortened (first and last halves
/// kept) before being recorded; this only affects diagnostics.
pub const MAX_ABORT_MESSAGE_LEN: usize = 1024;

/// Longest artifact name accepted by `debug::store_artifact` (debug builds only).
pub const MAX_ARTIFACT_NAME_LEN: usize = 256;
