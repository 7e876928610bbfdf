//! What the engine is configured with: the consensus limits of a network version and the exact
//! Wasmtime settings derived from them.
//!
//! Two engines built from equal [`EngineConfig`]s accept the same modules, instrument them to the
//! same bytes and enforce the same memory and table limits. Every setting that could change the
//! outcome of a message is fixed here; the remaining ones (compiler effort, debug metadata) only
//! affect speed and diagnostics but are still set as ref-fvm 4.8 sets them.

use fern_shared::version::NetworkVersion;
use wasmtime::{
    InstanceAllocationStrategy, OptLevel, PoolingAllocationConfig, WasmBacktraceDetails,
};

use super::error::EngineError;
use crate::gas::fvm2::{Fvm2PriceList, SKYR};
use crate::gas::limits::{
    MAX_CALL_DEPTH, MAX_INSTANCE_MEMORY_BYTES, MAX_TABLE_ELEMENTS, MAX_WASM_STACK_SLOTS,
    NATIVE_WASM_STACK_BYTES,
};
use crate::gas::wasm::WASM_PAGE_BYTES;
use crate::gas::{development_price_list_for, WasmGasPrices};

/// Instance slots reserved for every executor that may run concurrently, on top of one full call
/// stack: a typical call stack is assumed to be at most this deep.
pub const INSTANCES_PER_CONCURRENT_EXECUTOR: u32 = 20;

/// The concurrency of an engine shared by a process's threads: the number of cores (8 when it
/// cannot be read), at most 256. filecoin-ffi sizes its engines the same way.
pub fn default_concurrency() -> u32 {
    std::thread::available_parallelism()
        .map_or(8, |n| u32::try_from(n.get()).unwrap_or(u32::MAX))
        .clamp(1, 256)
}

/// Upper bound on pooled instance slots; hosts usually cannot reserve address space for more.
pub const MAX_POOLED_INSTANCES: u32 = 48 * 1024;

/// Which instrumenter an engine applies, with the instruction prices it injects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Instrumentation {
    /// `fvm-wasm-instrument` 0.4 (wasmparser) with these prices: network versions 18 on
    /// (ref-fvm 3.x and 4.x).
    Current(&'static WasmGasPrices),
    /// `fvm-wasm-instrument` 0.2 (parity-wasm, MVP plus bulk memory) with the nv17 table's
    /// instruction price: network version 17 (ref-fvm 2.x).
    Fvm2(&'static Fvm2PriceList),
}

/// The largest linear memory Wasm32 allows (65 536 pages of 64 KiB): the only memory limit at
/// network version 17, where ref-fvm 2.x limits neither memory nor tables.
pub const WASM32_MAX_MEMORY_BYTES: u64 = 1 << 32;

/// Limits and prices an [`Engine`](super::Engine) is built for.
///
/// Obtain one with [`EngineConfig::for_network`]; only `concurrency` is a local choice (how many
/// call stacks may run at once on one engine) and it affects nothing but the size of the instance
/// pool. The engine does not enforce it: whoever shares an engine between executors must admit at
/// most `concurrency` call stacks at a time so that instance slots never run out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EngineConfig {
    /// Limit of the stack-height instrumentation, in Wasm value-stack slots.
    pub max_wasm_stack_slots: u32,
    /// Largest linear memory one instance may have, in bytes; a multiple of the 64 KiB page.
    pub max_instance_memory_bytes: u64,
    /// Deepest actor call stack of one message.
    pub max_call_depth: u32,
    /// Call stacks that may execute at once (at least 1).
    pub concurrency: u32,
    /// The instrumenter and its instruction prices.
    pub instrumentation: Instrumentation,
}

impl EngineConfig {
    /// The configuration for `nv` with a concurrency of 1, or an error if Fern has no price list
    /// for that version (the development version has one; whether a machine runs it is the
    /// network configuration's decision).
    pub fn for_network(nv: NetworkVersion) -> Result<Self, EngineError> {
        if nv == NetworkVersion::V17 {
            // ref-fvm 2.12 `NetworkConfig::new` and `EngineConfig::from`: a 2 048-slot stack
            // limit and the Skyr instruction price; no memory or table limits.
            return Ok(Self {
                max_wasm_stack_slots: MAX_WASM_STACK_SLOTS,
                max_instance_memory_bytes: WASM32_MAX_MEMORY_BYTES,
                max_call_depth: MAX_CALL_DEPTH,
                concurrency: 1,
                instrumentation: Instrumentation::Fvm2(&SKYR),
            });
        }
        // The machine's network configuration decides which versions run; the engine also
        // serves the development version.
        let prices = development_price_list_for(nv)
            .ok_or(EngineError::UnsupportedNetworkVersion(nv.into()))?;
        Ok(Self {
            max_wasm_stack_slots: MAX_WASM_STACK_SLOTS,
            max_instance_memory_bytes: MAX_INSTANCE_MEMORY_BYTES,
            max_call_depth: MAX_CALL_DEPTH,
            concurrency: 1,
            instrumentation: Instrumentation::Current(&prices.wasm),
        })
    }

    /// The same configuration allowing `concurrency` simultaneous call stacks.
    pub fn with_concurrency(self, concurrency: u32) -> Self {
        Self {
            concurrency,
            ..self
        }
    }

    /// Number of instance slots the pooling allocator reserves: one full call stack plus
    /// [`INSTANCES_PER_CONCURRENT_EXECUTOR`] per concurrent executor, capped at
    /// [`MAX_POOLED_INSTANCES`]. Each slot holds one memory and one table.
    pub fn instance_pool_size(&self) -> u32 {
        self.max_call_depth
            .saturating_add(INSTANCES_PER_CONCURRENT_EXECUTOR.saturating_mul(self.concurrency))
            .min(MAX_POOLED_INSTANCES)
    }

    /// Checks the values Wasmtime cannot work with: zero concurrency and a memory limit that is
    /// not a whole number of pages (or does not fit the host's address size).
    pub fn check(&self) -> Result<(), EngineError> {
        if self.concurrency == 0 {
            return Err(EngineError::Config("concurrency must be at least 1".into()));
        }
        #[allow(clippy::manual_is_multiple_of)] // `is_multiple_of` is newer than the MSRV
        if self.max_instance_memory_bytes % WASM_PAGE_BYTES != 0 {
            return Err(EngineError::Config(format!(
                "instance memory limit {} is not a multiple of the {WASM_PAGE_BYTES}-byte page",
                self.max_instance_memory_bytes
            )));
        }
        if usize::try_from(self.max_instance_memory_bytes).is_err() {
            return Err(EngineError::Config(format!(
                "instance memory limit {} does not fit this host",
                self.max_instance_memory_bytes
            )));
        }
        Ok(())
    }

    /// The Wasmtime configuration for this engine, setting everything ref-fvm 4.8 sets (at
    /// network version 17, what ref-fvm 2.12 sets: see [`Instrumentation::Fvm2`]).
    ///
    /// Consensus-relevant: the enabled Wasm proposals, 64 KiB pages only, the pooling allocator's
    /// per-module limits (one memory of at most `max_instance_memory_bytes`, one table of at most
    /// [`MAX_TABLE_ELEMENTS`] elements), NaN canonicalisation, and a native stack large enough
    /// that only the instrumented stack limit can ever trigger. The rest is tuning.
    pub fn wasmtime_config(&self) -> Result<wasmtime::Config, EngineError> {
        self.check()?;
        if let Instrumentation::Fvm2(_) = self.instrumentation {
            return Ok(fvm2_wasmtime_config());
        }
        let slots = self.instance_pool_size();
        // `check` proved the conversion.
        let memory_bytes = self.max_instance_memory_bytes as usize;

        let mut pool = PoolingAllocationConfig::default();
        // One core instance, memory and table per slot; modules may define at most one of each.
        pool.total_core_instances(slots)
            .total_memories(slots)
            .total_tables(slots)
            .max_memories_per_module(1)
            .max_tables_per_module(1)
            .table_elements(MAX_TABLE_ELEMENTS)
            .max_memory_size(memory_bytes);
        // A freed table is zeroed with memset over its used size, never returned to the OS with
        // madvise: tables are small (8 bytes an element), and the madvise and the page faults
        // that followed it were a tenth of a trivial call (FIPS/engine.md, 1.2). Contents are
        // the same either way.
        pool.table_keep_resident(MAX_TABLE_ELEMENTS * 8);
        // No components are ever instantiated.
        pool.total_component_instances(0)
            .max_component_instance_size(0)
            .max_core_instances_per_component(0)
            .max_memories_per_component(0)
            .max_tables_per_component(0);

        let mut c = wasmtime::Config::default();
        c.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));

        shared_settings(&mut c);

        // Linear memory layout: memories never move and have a guard region in front. Initial
        // memory comes from a copy-on-write image of the module's data segments (ref-fvm copies
        // the segments instead): the same bytes, so not consensus, but a pooled slot that last
        // held the same module keeps the image mapped and resets only the pages that were
        // written, which made calls about 10% faster (FIPS/engine.md, 1.2).
        c.memory_init_cow(true).memory_may_move(false);

        Ok(c)
    }
}

/// The settings every network version's engine makes (ref-fvm 2.12, 3.14 and 4.8 make them all).
fn shared_settings(c: &mut wasmtime::Config) {
    // Wasm proposals. Only what the instrumenter understands and Filecoin has agreed to is on.
    // Reference types keep Wasmtime's default; their instructions are unpriced, so gas
    // instrumentation rejects modules using them.
    c.wasm_custom_page_sizes(false)
        .wasm_simd(false)
        .wasm_relaxed_simd(false)
        .relaxed_simd_deterministic(true)
        .wasm_wide_arithmetic(false)
        .wasm_tail_call(false)
        .wasm_multi_memory(false)
        .wasm_memory64(false)
        .wasm_bulk_memory(true)
        .wasm_multi_value(false)
        .wasm_extended_const(false);

    // Determinism and limits; a guard region before each linear memory.
    c.cranelift_nan_canonicalization(true)
        .max_wasm_stack(NATIVE_WASM_STACK_BYTES)
        .consume_fuel(false)
        .epoch_interruption(false)
        .guard_before_linear_memory(true);

    // No debug metadata or backtraces: instrumented code has no useful debug info.
    c.debug_info(false)
        .generate_address_map(false)
        .cranelift_debug_verifier(false)
        .native_unwind_info(false)
        .wasm_backtrace(false)
        .wasm_backtrace_details(WasmBacktraceDetails::Disable);

    // Compilation.
    c.parallel_compilation(true)
        .cranelift_opt_level(OptLevel::Speed)
        .macos_use_mach_ports(false);
}

/// The Wasmtime configuration of network version 17: every setting ref-fvm 2.12's
/// `default_wasmtime_config` makes, and nothing else. Instances are allocated on demand (no
/// pool, so no memory or table limits beyond Wasm32's), memories are initialised by copying the
/// data segments, and everything left at Wasmtime's default is left there too (notably
/// `memory_may_move`), so that compiled code is the same as ref-fvm 2.12's.
fn fvm2_wasmtime_config() -> wasmtime::Config {
    let mut c = wasmtime::Config::default();
    shared_settings(&mut c);
    c.memory_init_cow(false);
    c
}
