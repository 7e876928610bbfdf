//! The engine: turns actor Wasm into compiled, instrumented modules, and caches them by code CID.
//!
//! An [`Engine`] is built for one network version's limits and prices ([`EngineConfig`]). For
//! each module it
//!
//! 1. validates the raw bytes with Wasmtime under the enabled feature set,
//! 2. injects the stack-height limiter, then gas metering ([`instrument`]),
//! 3. compiles the result with Wasmtime, whose pooling allocator also refuses modules with more
//!    than one memory or table, a table of more than 20 000 elements, or an initial memory above
//!    the instance limit,
//! 4. records what instantiation will charge for ([`CompiledModule::min_memory_bytes`],
//!    [`CompiledModule::min_table_elements`]).
//!
//! Malformed or hostile input yields an [`EngineError`], never a panic (see [`instrument`] for
//! how third-party panics are contained).
//!
//! # Instantiating (done by the layers above)
//!
//! The engine stops at compiled code: linking needs the syscalls and the kernel. To run a module
//! the upper layer, with [`Engine::wasmtime`]:
//!
//! - creates a `wasmtime::Store` whose resource limiter is the message's [`MemoryLimiter`]
//!   (one instance, one memory per store; memories and tables counted against the message);
//! - creates a mutable `i64` global and defines it in its `wasmtime::Linker` as
//!   [`GAS_MODULE`]`.`[`GAS_COUNTER_GLOBAL`] (`gas.gas_counter`), the import gas metering added;
//!   it holds the available milligas while Wasm runs and is read back on every syscall;
//! - defines the syscall imports (module and function names of the ABI);
//! - before instantiating, fails fatally if [`CompiledModule::min_memory_bytes`] is `None` (no
//!   `memory` export), then charges `wasm_table_init` for [`CompiledModule::min_table_elements`]
//!   (if any) and `wasm_memory_init` for the memory, and counts that memory as already paid for
//!   when execution gas is later settled;
//! - loads the gas global, instantiates (a start function runs metered), and settles execution
//!   gas; a failed instantiation is an actor failure, a failed link is fatal.

#![warn(missing_docs)]

mod config;
pub mod disk_cache;
mod error;
pub mod instrument;
pub mod limiter;
mod module;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;

pub use config::{
    default_concurrency, EngineConfig, Instrumentation, INSTANCES_PER_CONCURRENT_EXECUTOR,
    MAX_POOLED_INSTANCES, WASM32_MAX_MEMORY_BYTES,
};
pub use disk_cache::{DiskCache, DiskCacheStats};
pub use error::{EngineError, Stage};
pub use instrument::{
    Fvm2Rules, GasRules, GAS_COUNTER_GLOBAL, GAS_COUNTER_GLOBAL_FVM2, GAS_MODULE,
};
pub use limiter::{MemoryLimiter, MemoryMark};
pub use module::{
    min_memory_bytes, min_table_elements, CompiledModule, MEMORY_EXPORT, TABLE_EXPORT,
};

use fern_shared::version::NetworkVersion;
use instrument::contained;

/// A compiling, caching Wasm engine for one configuration. Cloning is cheap and clones share the
/// Wasmtime engine and the module cache; it is safe to use from several threads.
#[derive(Clone)]
pub struct Engine(Arc<Inner>);

struct Inner {
    wasmtime: wasmtime::Engine,
    config: EngineConfig,
    /// Debugging aid: the code to run in place of a code CID (see [`Engine::with_redirects`]).
    redirects: HashMap<Cid, Cid>,
    /// Admission of call stacks, at most `config.concurrency` at a time (see [`Engine::admit`]).
    admission: Admission,
    /// Compiled modules kept on disk, if the engine was given a directory.
    disk: Option<DiskCache>,
    /// One slot per code CID ever requested. The map lock is held only to find or add a slot; the
    /// slot's own lock is held while its module compiles, so each CID compiles once while
    /// different CIDs compile in parallel. A slot stays empty after a failed compilation.
    cache: Mutex<HashMap<Cid, Arc<Mutex<Option<CompiledModule>>>>>,
    compilations: AtomicU64,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.0.config)
            .field("cached_modules", &self.cached_modules())
            .finish_non_exhaustive()
    }
}

/// Locks `m`, ignoring poisoning (no code holding these locks can leave them inconsistent).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Engine {
    /// Builds the Wasmtime engine (and its instance pool) for `config`.
    pub fn new(config: EngineConfig) -> Result<Self, EngineError> {
        Self::with_redirects(config, Vec::new())
    }

    /// Like [`new`](Self::new), with actor-code redirects: every `(from, to)` pair makes an
    /// actor whose code CID is `from` run the Wasm of `to` (compiled and cached under `to`).
    /// This is ref-fvm's `actor_redirect` (its `EngineConfig` carries the same list), used by
    /// nodes to run debug builds of the built-in actors; a real network uses none. The actor's
    /// code CID in the state tree is unchanged. A later pair for the same `from` wins.
    pub fn with_redirects(
        config: EngineConfig,
        redirects: Vec<(Cid, Cid)>,
    ) -> Result<Self, EngineError> {
        Self::with_options(
            config,
            EngineOptions {
                redirects,
                module_cache: None,
            },
        )
    }

    /// An engine for `config` with `options` (redirects, a compiled-module cache on disk).
    /// A cache directory that cannot be created is an [`EngineError::Setup`].
    pub fn with_options(config: EngineConfig, options: EngineOptions) -> Result<Self, EngineError> {
        let wt_config = config.wasmtime_config()?;
        let wasmtime =
            wasmtime::Engine::new(&wt_config).map_err(|e| EngineError::Setup(format!("{e:#}")))?;
        let disk = match &options.module_cache {
            Some(dir) => Some(DiskCache::open(dir, &wasmtime, &config).map_err(|e| {
                EngineError::Setup(format!(
                    "cannot use {} as a module cache: {e}",
                    dir.display()
                ))
            })?),
            None => None,
        };
        Ok(Engine(Arc::new(Inner {
            wasmtime,
            admission: Admission::new(config.concurrency),
            config,
            redirects: options.redirects.into_iter().collect(),
            disk,
            cache: Mutex::new(HashMap::new()),
            compilations: AtomicU64::new(0),
        })))
    }

    /// What the engine's compiled-module cache on disk did, if it has one.
    pub fn disk_cache_stats(&self) -> Option<DiskCacheStats> {
        self.0.disk.as_ref().map(DiskCache::stats)
    }

    /// The engine's compiled-module cache on disk, if it has one.
    pub fn disk_cache(&self) -> Option<&DiskCache> {
        self.0.disk.as_ref()
    }

    /// The code actually run for an actor whose code CID is `code` (itself unless redirected).
    pub fn redirect<'a>(&'a self, code: &'a Cid) -> &'a Cid {
        self.0.redirects.get(code).unwrap_or(code)
    }

    /// Waits until fewer than [`EngineConfig::concurrency`] call stacks run on this engine, then
    /// admits one more until the returned guard is dropped. The executor holds one for each
    /// message it applies, so executors sharing an engine never exhaust its instance pool
    /// (sized for `concurrency` call stacks); ref-fvm's engine pool blocks the same way.
    pub fn admit(&self) -> AdmissionGuard<'_> {
        self.0.admission.enter()
    }

    /// An engine for network version `nv` with a concurrency of 1.
    pub fn for_network(nv: NetworkVersion) -> Result<Self, EngineError> {
        Self::new(EngineConfig::for_network(nv)?)
    }

    /// The process-wide engine for network version `nv`, built on first use, with the
    /// compiled-module cache set by [`set_shared_module_cache`] if any, and a concurrency of the
    /// number of cores (so that threads applying messages on it in parallel, as `fern vectors
    /// run` does, are not made to wait for one another by [`Engine::admit`]).
    ///
    /// Compiled code depends only on the engine configuration, which depends only on the
    /// network version, so every machine of a process running that version can share one
    /// engine and each actor compiles once. Callers that need another configuration build their
    /// own with [`Engine::new`].
    pub fn shared(nv: NetworkVersion) -> Result<Self, EngineError> {
        static SHARED: std::sync::OnceLock<Mutex<HashMap<u32, Engine>>> =
            std::sync::OnceLock::new();
        let mut engines = lock(SHARED.get_or_init(Default::default));
        if let Some(engine) = engines.get(&nv.value()) {
            return Ok(engine.clone());
        }
        let options = EngineOptions {
            redirects: Vec::new(),
            module_cache: lock(&SHARED_MODULE_CACHE).clone(),
        };
        let config = EngineConfig::for_network(nv)?.with_concurrency(default_concurrency());
        let engine = Self::with_options(config, options)?;
        engines.insert(nv.value(), engine.clone());
        Ok(engine)
    }

    /// The configuration the engine was built with.
    pub fn config(&self) -> &EngineConfig {
        &self.0.config
    }

    /// The underlying Wasmtime engine, for creating stores and linkers.
    pub fn wasmtime(&self) -> &wasmtime::Engine {
        &self.0.wasmtime
    }

    /// Checks raw actor Wasm against the engine's feature set.
    pub fn validate(&self, wasm: &[u8]) -> Result<(), EngineError> {
        instrument::validate(&self.0.wasmtime, wasm)
    }

    /// Validates raw actor Wasm and instruments it with this engine's stack limit and prices;
    /// returns the bytes [`compile`](Self::compile) would compile.
    pub fn instrument(&self, wasm: &[u8]) -> Result<Vec<u8>, EngineError> {
        self.validate(wasm)?;
        let c = &self.0.config;
        match c.instrumentation {
            Instrumentation::Current(prices) => {
                instrument::inject(wasm, c.max_wasm_stack_slots, prices)
            }
            Instrumentation::Fvm2(prices) => {
                instrument::inject_fvm2(wasm, c.max_wasm_stack_slots, prices)
            }
        }
    }

    /// Validates, instruments and compiles raw actor Wasm. Does not use or fill the cache.
    pub fn compile(&self, wasm: &[u8]) -> Result<CompiledModule, EngineError> {
        let instrumented = self.instrument(wasm)?;
        self.0.compilations.fetch_add(1, Ordering::Relaxed);
        let module = contained(Stage::Compilation, || {
            wasmtime::Module::from_binary(&self.0.wasmtime, &instrumented)
        })?
        .map_err(|e| EngineError::rejected(Stage::Compilation, e))?;
        Ok(CompiledModule::new(module, instrumented.len()))
    }

    /// The cached module for `code` (after [redirection](Self::redirect)), if it has been
    /// compiled.
    pub fn get(&self, code: &Cid) -> Option<CompiledModule> {
        let code = self.redirect(code);
        let slot = lock(&self.0.cache).get(code).cloned()?;
        let module = lock(&slot).clone();
        module
    }

    /// The cached module for `code` (after [redirection](Self::redirect)), or else the module
    /// compiled from the bytes `load` returns for that (redirected) CID, which is then cached.
    /// `load` is only called on a miss; concurrent callers asking for the same CID wait for a
    /// single compilation. Failures are returned and not cached.
    pub fn get_or_compile(
        &self,
        code: &Cid,
        load: impl FnOnce(&Cid) -> Result<Vec<u8>, EngineError>,
    ) -> Result<CompiledModule, EngineError> {
        let code = self.redirect(code);
        let slot = lock(&self.0.cache).entry(*code).or_default().clone();
        let mut cached = lock(&slot);
        if let Some(module) = &*cached {
            return Ok(module.clone());
        }
        if let Some(disk) = &self.0.disk {
            if let Some((module, instrumented_len)) = disk.load(&self.0.wasmtime, code) {
                let module = CompiledModule::new(module, instrumented_len);
                *cached = Some(module.clone());
                return Ok(module);
            }
        }
        let module = self.compile(&load(code)?)?;
        if let Some(disk) = &self.0.disk {
            disk.store(code, module.module(), module.instrumented_len());
        }
        *cached = Some(module.clone());
        Ok(module)
    }

    /// The module for `code`, from the cache or compiled from the blockstore's block (of the
    /// [redirected](Self::redirect) CID).
    pub fn load(
        &self,
        code: &Cid,
        blockstore: &impl Blockstore,
    ) -> Result<CompiledModule, EngineError> {
        self.get_or_compile(code, |code| {
            blockstore
                .get(code)
                .map_err(|e| EngineError::Blockstore {
                    cid: *code,
                    reason: format!("{e:#}"),
                })?
                .ok_or(EngineError::CodeNotFound(*code))
        })
    }

    /// Makes sure every code CID in `codes` is compiled and cached, stopping at the first
    /// failure. Returns the total instrumented size of the modules, as ref-fvm reports it.
    pub fn preload<'a>(
        &self,
        codes: impl IntoIterator<Item = &'a Cid>,
        blockstore: &impl Blockstore,
    ) -> Result<usize, EngineError> {
        codes.into_iter().try_fold(0usize, |total, code| {
            Ok(total.saturating_add(self.load(code, blockstore)?.instrumented_len()))
        })
    }

    /// Number of modules in the cache (waits for compilations in progress).
    pub fn cached_modules(&self) -> usize {
        let slots: Vec<_> = lock(&self.0.cache).values().cloned().collect();
        slots.iter().filter(|slot| lock(slot).is_some()).count()
    }

    /// Number of compilations this engine has started (cached or not, successful or not).
    pub fn compilations(&self) -> u64 {
        self.0.compilations.load(Ordering::Relaxed)
    }
}

/// Options of an engine beyond its [`EngineConfig`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct EngineOptions {
    /// Actor-code redirects (see [`Engine::with_redirects`]).
    pub redirects: Vec<(Cid, Cid)>,
    /// A directory for compiled modules kept across processes (see [`disk_cache`]); `None`
    /// compiles in memory only.
    pub module_cache: Option<std::path::PathBuf>,
}

static SHARED_MODULE_CACHE: Mutex<Option<std::path::PathBuf>> = Mutex::new(None);

/// Sets the compiled-module cache directory of the engines [`Engine::shared`] builds from now
/// on (`None`: none, the default). Engines already built keep theirs; a program (the `fern`
/// command line) calls this once at start-up.
pub fn set_shared_module_cache(dir: Option<std::path::PathBuf>) {
    *lock(&SHARED_MODULE_CACHE) = dir;
}

/// A counting gate: at most `limit` holders at a time, the others wait.
#[derive(Debug)]
struct Admission {
    limit: u32,
    /// (holders, waiters).
    state: Mutex<(u32, u32)>,
    freed: Condvar,
}

impl Admission {
    fn new(limit: u32) -> Self {
        Admission {
            limit: limit.max(1),
            state: Mutex::new((0, 0)),
            freed: Condvar::new(),
        }
    }

    fn enter(&self) -> AdmissionGuard<'_> {
        let mut state = lock(&self.state);
        while state.0 >= self.limit {
            state.1 += 1;
            state = self
                .freed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
            state.1 -= 1;
        }
        state.0 += 1;
        AdmissionGuard(self)
    }
}

/// One call stack admitted to an engine ([`Engine::admit`]); dropping it lets the next one in.
#[must_use = "the admission ends when the guard is dropped"]
pub struct AdmissionGuard<'a>(&'a Admission);

impl Drop for AdmissionGuard<'_> {
    fn drop(&mut self) {
        let mut state = lock(&self.0.state);
        state.0 = state.0.saturating_sub(1);
        // Waking costs a system call: only when someone waits (a profile of plain transfers
        // spent 5% of its time in this wake-up).
        if state.1 > 0 {
            self.0.freed.notify_one();
        }
    }
}
