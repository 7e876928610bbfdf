//! [`invoke_fvm2`]: runs one actor call under network version 17 rules (ref-fvm 2.x), the
//! [`Fvm2InvokeFn`](crate::call_manager::Fvm2InvokeFn) the nv17 executor installs.
//!
//! The steps and their outcomes, in ref-fvm 2.12's order (`call_manager/default.rs`
//! `send_resolved`, `machine/engine.rs` `get_instance`, `syscalls/mod.rs`):
//!
//! 1. The parameters enter the callee's block registry (DAG-CBOR only).
//! 2. The code must be a built-in actor's (in the manifest) and compiled by the engine; the
//!    module is linked and instantiated with the gas counter at **zero**, so a start function
//!    that runs any metered code traps. Every failure here (code not found, an import the
//!    linker does not define, a trap during instantiation, no `memory` export, no
//!    `invoke: [i32] -> [i32]` export) is a **fatal** error.
//! 3. The gas counter is loaded with the milligas available, `invoke(params)` runs, and the
//!    Wasm execution gas (counter before minus counter after, saturating) is charged as
//!    `wasm_exec` *before* the outcome is looked at: a trap caused by the counter going below
//!    zero therefore ends as out of gas. A panic inside Wasmtime is fatal.
//! 4. Traps of misbehaving code are `SYS_ILLEGAL_INSTRUCTION`; a return handle that is not in
//!    the registry is `SYS_MISSING_RETURN`.
//!
//! The linker holds the generation's 36 syscalls (`fvm2_bindings`) and the gas counter; a
//! module importing anything else fails at step 2.

use anyhow::anyhow;
use fern_shared::error::ExitCode;
use fvm_ipld_blockstore::Blockstore;
use wasmtime::{AsContextMut, Global, GlobalType, Linker, Mutability, Store, Val, ValType};

use super::Abort;
use crate::call_manager::backtrace::{Cause, Frame};
use crate::call_manager::{
    Entrypoint, ExecutionError, Fvm2CallManager, Invocation, InvocationResult, Result,
    INVOKE_EXPORT, NO_DATA_BLOCK_ID,
};
use crate::engine::{Engine, GAS_COUNTER_GLOBAL_FVM2, GAS_MODULE, MEMORY_EXPORT};
use crate::gas::fvm2::SignedGas;
use crate::kernel::fvm2::put_block;
use crate::kernel::{BlockRegistry, Fvm2Kernel};
use crate::machine::Externs;

/// The data of the Wasmtime store of one nv17 invocation.
pub struct Fvm2InvocationData<B: Blockstore + 'static, E: Externs + 'static> {
    /// The invocation's kernel.
    pub kernel: Fvm2Kernel<B, E>,
    /// The `gas.gas_couner` global of this store (set before the module is linked).
    pub gas_global: Option<Global>,
    /// Milligas the counter was last loaded with (or last read at).
    pub last_milligas_available: i64,
    /// The instance's exported memory.
    pub memory: Option<wasmtime::Memory>,
    /// The error of the last failed syscall (diagnostics).
    pub last_error: Option<Cause>,
}

type Data<B, E> = Fvm2InvocationData<B, E>;

/// Loads the gas counter with the milligas available now.
pub fn update_gas_available_fvm2<B: Blockstore + 'static, E: Externs + 'static>(
    mut ctx: impl AsContextMut<Data = Data<B, E>>,
) -> std::result::Result<(), Abort> {
    let mut ctx = ctx.as_context_mut();
    let milli = ctx.data().kernel.gas_available().as_milligas();
    let global = gas_global(ctx.data())?;
    global
        .set(&mut ctx, Val::I64(milli))
        .map_err(|e| Abort::Fatal(anyhow!("failed to set available gas global: {e}")))?;
    ctx.data_mut().last_milligas_available = milli;
    Ok(())
}

/// Charges `wasm_exec` for the milligas the counter went down by since it was last loaded or
/// read (never negative), and remembers the counter.
pub fn charge_for_exec_fvm2<B: Blockstore + 'static, E: Externs + 'static>(
    mut ctx: impl AsContextMut<Data = Data<B, E>>,
) -> std::result::Result<(), Abort> {
    let mut ctx = ctx.as_context_mut();
    let global = gas_global(ctx.data())?;
    let available = global
        .get(&mut ctx)
        .i64()
        .ok_or_else(|| Abort::Fatal(anyhow!("failed to get wasm gas")))?;
    let data = ctx.data_mut();
    let last = std::mem::replace(&mut data.last_milligas_available, available);
    let used = last.saturating_sub(available);
    data.kernel
        .charge_gas("wasm_exec", SignedGas::from_milligas(used))
        .map_err(Abort::from_error_as_fatal)
}

fn gas_global<B: Blockstore + 'static, E: Externs + 'static>(
    data: &Data<B, E>,
) -> std::result::Result<Global, Abort> {
    data.gas_global
        .ok_or_else(|| Abort::Fatal(anyhow!("gas global missing")))
}

/// Runs `inv` on nv17 rules; see the [module docs](self).
pub fn invoke_fvm2<B: Blockstore + 'static, E: Externs + 'static>(
    cm: Fvm2CallManager<B, E>,
    inv: Invocation,
) -> (Fvm2CallManager<B, E>, Result<InvocationResult>) {
    let Entrypoint::Invoke(method) = inv.entrypoint else {
        return (
            cm,
            Err(ExecutionError::Fatal(anyhow!(
                "network version 17 has only ordinary method calls"
            ))),
        );
    };
    let mut blocks = BlockRegistry::new();
    let params_id = match inv.params {
        Some(block) => match put_block(&mut blocks, block) {
            Ok(id) => id,
            Err(e) => return (cm, Err(e)),
        },
        None => NO_DATA_BLOCK_ID,
    };
    let engine = cm.engine.clone();
    let kernel = Fvm2Kernel {
        call_manager: cm,
        blocks,
        caller: inv.from,
        actor_id: inv.to,
        method,
        value_received: inv.value,
    };
    let mut store = Store::new(
        engine.wasmtime(),
        Fvm2InvocationData {
            kernel,
            gas_global: None,
            last_milligas_available: 0,
            memory: None,
            last_error: None,
        },
    );
    let outcome = run(&mut store, &engine, &inv.code, params_id);

    let data = store.into_data();
    let last_error = data.last_error;
    let Fvm2Kernel {
        call_manager: mut cm,
        blocks,
        ..
    } = data.kernel;
    let outcome = outcome.and_then(|ret_id| super::invoke::return_block(&blocks, ret_id));
    let result = match outcome {
        Ok(value) => Ok(InvocationResult {
            exit_code: ExitCode::OK,
            value,
        }),
        Err(abort) => {
            if let Some(cause) = last_error {
                cm.backtrace.begin(cause);
            }
            let (code, message, res) = match abort {
                Abort::Exit(code, message, _) => (
                    code,
                    message,
                    Ok(InvocationResult {
                        exit_code: code,
                        value: None,
                    }),
                ),
                Abort::OutOfGas => (
                    ExitCode::SYS_OUT_OF_GAS,
                    "out of gas".to_owned(),
                    Err(ExecutionError::OutOfGas),
                ),
                Abort::Fatal(e) => (
                    ExitCode::SYS_ASSERTION_FAILED,
                    format!("fatal error: {e:#}"),
                    Err(ExecutionError::Fatal(e)),
                ),
            };
            cm.backtrace.push_frame(Frame {
                source: inv.to,
                method,
                code,
                message,
            });
            res
        }
    };
    (cm, result)
}

fn run<B: Blockstore + 'static, E: Externs + 'static>(
    store: &mut Store<Data<B, E>>,
    engine: &Engine,
    code: &cid::Cid,
    params_id: u32,
) -> std::result::Result<u32, Abort> {
    let global = Global::new(
        &mut *store,
        GlobalType::new(ValType::I64, Mutability::Var),
        Val::I64(0),
    )
    .map_err(Abort::Fatal)?;
    store.data_mut().gas_global = Some(global);

    let module = {
        let machine = &store.data().kernel.call_manager.machine;
        if machine.manifest.type_of_code(code) == 0 {
            return Err(Abort::Fatal(anyhow!("actor code not found: {code}")));
        }
        engine
            .load(code, machine.blockstore())
            .map_err(|e| Abort::Fatal(anyhow!("cannot load actor code {code}: {e}")))?
    };
    let linker = cached_linker::<B, E>(engine).map_err(Abort::Fatal)?;
    let pre = {
        let mut linker = linker.borrow_mut();
        // The gas counter global belongs to this store; it shadows the previous store's.
        linker
            .define(&*store, GAS_MODULE, GAS_COUNTER_GLOBAL_FVM2, global)
            .map_err(|e| Abort::Fatal(e.context("failed to define gas counter")))?;
        linker
            .instantiate_pre(module.module())
            .map_err(|e| Abort::Fatal(e.context("failed to link actor module")))?
    };
    let instance = pre
        .instantiate(&mut *store)
        .map_err(|e| Abort::Fatal(e.context("failed to instantiate actor module")))?;
    let memory = instance
        .get_memory(&mut *store, MEMORY_EXPORT)
        .ok_or_else(|| Abort::Fatal(anyhow!("actor has no memory export")))?;
    store.data_mut().memory = Some(memory);
    let invoke = instance
        .get_typed_func::<(u32,), u32>(&mut *store, INVOKE_EXPORT)
        .map_err(Abort::Fatal)?;

    update_gas_available_fvm2(&mut *store)?;
    let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        invoke.call(&mut *store, (params_id,))
    }))
    .map_err(|_| Abort::Fatal(anyhow!("panic within actor")))?;
    charge_for_exec_fvm2(&mut *store)?;
    res.map_err(Abort::from_wasm_error)
}

type SharedLinker<B, E> = std::rc::Rc<std::cell::RefCell<Linker<Data<B, E>>>>;

/// A cached nv17 linker: its engine, the store-data type it serves, and the linker.
type LinkerEntry = (Engine, std::any::TypeId, Box<dyn std::any::Any>);

thread_local! {
    /// nv17 linkers with every syscall defined, per engine and store-data type, kept for the
    /// thread's lifetime (building one wraps all 36 imports anew). The engine is kept alive
    /// alongside so that its address cannot be reused by another engine.
    static LINKERS: std::cell::RefCell<Vec<LinkerEntry>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn cached_linker<B: Blockstore + 'static, E: Externs + 'static>(
    engine: &Engine,
) -> anyhow::Result<SharedLinker<B, E>> {
    let ty = std::any::TypeId::of::<Data<B, E>>();
    let found = LINKERS.with(|cache| {
        cache.borrow().iter().find_map(|(e, t, l)| {
            (*t == ty && wasmtime::Engine::same(e.wasmtime(), engine.wasmtime()))
                .then(|| l.downcast_ref::<SharedLinker<B, E>>().cloned())
                .flatten()
        })
    });
    if let Some(linker) = found {
        return Ok(linker);
    }
    let mut linker = Linker::new(engine.wasmtime());
    linker.allow_shadowing(true);
    super::fvm2_bindings::link_fvm2(&mut linker)?;
    let shared: SharedLinker<B, E> = std::rc::Rc::new(std::cell::RefCell::new(linker));
    LINKERS.with(|cache| {
        cache
            .borrow_mut()
            .push((engine.clone(), ty, Box::new(shared.clone())))
    });
    Ok(shared)
}
