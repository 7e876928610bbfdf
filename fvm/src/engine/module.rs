//! A compiled actor module and the facts about it the kernel needs before instantiating it.

use std::sync::Arc;

use wasmtime::ExternType;

use crate::gas::wasm::WASM_PAGE_BYTES;

/// Export under which an actor must expose its linear memory.
pub const MEMORY_EXPORT: &str = "memory";

/// Export under which an actor may expose its table.
pub const TABLE_EXPORT: &str = "table";

/// An instrumented, compiled actor module. Cloning is cheap: clones share the compiled code.
#[derive(Clone)]
pub struct CompiledModule(Arc<Compiled>);

struct Compiled {
    module: wasmtime::Module,
    instrumented_len: usize,
    min_memory_bytes: Option<u64>,
    min_table_elements: Option<u64>,
}

impl std::fmt::Debug for CompiledModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledModule")
            .field("instrumented_len", &self.0.instrumented_len)
            .field("min_memory_bytes", &self.0.min_memory_bytes)
            .field("min_table_elements", &self.0.min_table_elements)
            .finish_non_exhaustive()
    }
}

impl CompiledModule {
    /// Wraps a module compiled from `instrumented_len` bytes of instrumented Wasm.
    pub(crate) fn new(module: wasmtime::Module, instrumented_len: usize) -> Self {
        Self(Arc::new(Compiled {
            min_memory_bytes: min_memory_bytes(&module),
            min_table_elements: min_table_elements(&module),
            module,
            instrumented_len,
        }))
    }

    /// The Wasmtime module, for linking and instantiation.
    pub fn module(&self) -> &wasmtime::Module {
        &self.0.module
    }

    /// Length in bytes of the instrumented Wasm the module was compiled from. This is the "code
    /// size" ref-fvm reports for a loaded module (and would price actor installation with).
    pub fn instrumented_len(&self) -> usize {
        self.0.instrumented_len
    }

    /// Bytes of linear memory the module starts with: the minimum page count of its
    /// [`MEMORY_EXPORT`] export times 64 KiB. `None` if there is no memory under that name; the
    /// kernel treats that as a fatal error, since every actor must export its memory.
    ///
    /// The kernel charges `wasm_memory_init` for this amount before instantiation; growth beyond
    /// it is paid by the instrumented code.
    pub fn min_memory_bytes(&self) -> Option<u64> {
        self.0.min_memory_bytes
    }

    /// Elements the module's [`TABLE_EXPORT`] export starts with, if the module exports a table
    /// under that name. The kernel charges `wasm_table_init` for these before the memory.
    pub fn min_table_elements(&self) -> Option<u64> {
        self.0.min_table_elements
    }

    /// Whether two handles are clones of one compilation.
    pub fn same_code(&self, other: &CompiledModule) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Initial bytes of the memory a module exports as [`MEMORY_EXPORT`] (whether that memory is
/// defined by the module or imported and re-exported), or `None` without such an export.
pub fn min_memory_bytes(module: &wasmtime::Module) -> Option<u64> {
    match module.get_export(MEMORY_EXPORT)? {
        ExternType::Memory(m) => Some(m.minimum().saturating_mul(WASM_PAGE_BYTES)),
        _ => None,
    }
}

/// Initial elements of the table a module exports as [`TABLE_EXPORT`], or `None` without such
/// an export.
pub fn min_table_elements(module: &wasmtime::Module) -> Option<u64> {
    match module.get_export(TABLE_EXPORT)? {
        ExternType::Table(t) => Some(t.minimum()),
        _ => None,
    }
}
