//! [`invoke`]: runs one actor call in a fresh Wasm instance.

use fern_shared::error::ExitCode;
use fvm_ipld_blockstore::Blockstore;
use wasmtime::{GlobalType, Mutability, Store, Val, ValType};

use super::{bindings, charge_for_exec, update_gas_available, Abort, InvocationData};
use crate::call_manager::backtrace::Frame;
use crate::call_manager::{
    CallManager, Entrypoint, ExecutionError, Invocation, InvocationResult, Result, NO_DATA_BLOCK_ID,
};
use crate::engine::MEMORY_EXPORT;
use crate::gas::{Gas, KernelGeneration};
use crate::kernel::{BlockRegistry, Kernel};
use crate::machine::Externs;

/// Runs `inv` (the [`InvokeFn`](crate::call_manager::InvokeFn) the executor installs):
/// instantiates the callee's module with the syscall imports, calls `invoke(params_id)`, and
/// turns the outcome into an exit code and return block, or an error.
pub fn invoke<B: Blockstore + 'static, E: Externs + 'static>(
    cm: CallManager<B, E>,
    inv: Invocation,
) -> (CallManager<B, E>, Result<InvocationResult>) {
    let mut blocks = BlockRegistry::new();
    let params_id = match inv.params {
        Some(block) => match blocks.put_reachable(block) {
            Ok(id) => id,
            Err(e) => return (cm, Err(e)),
        },
        None => NO_DATA_BLOCK_ID,
    };
    let engine = cm.engine.clone();
    let last_memory_bytes = cm.limiter.used();
    let kernel = Kernel {
        call_manager: cm,
        blocks,
        caller: inv.from,
        actor_id: inv.to,
        method: inv.entrypoint.method_num(),
        value_received: inv.value,
        read_only: inv.read_only,
    };
    let mut store = Store::new(
        engine.wasmtime(),
        InvocationData {
            kernel,
            gas_global: None,
            last_gas_available: Gas::ZERO,
            last_memory_bytes,
            memory: None,
            last_error: None,
        },
    );
    store.limiter(|d| &mut d.kernel.call_manager.limiter);

    // An upgrade also receives the upgrade information, as a CBOR block after the parameters.
    let extra = match inv.entrypoint {
        Entrypoint::Upgrade(info) => {
            let bytes = match fvm_ipld_encoding::to_vec(&info) {
                Ok(b) => b,
                Err(e) => {
                    let cm = store.into_data().kernel.call_manager;
                    return (cm, Err(ExecutionError::Fatal(anyhow::anyhow!("{e}"))));
                }
            };
            let block = crate::call_manager::Block::new(fvm_ipld_encoding::CBOR, bytes, Vec::new());
            match store.data_mut().kernel.blocks.put_reachable(block) {
                Ok(id) => Some(id),
                Err(e) => {
                    let cm = store.into_data().kernel.call_manager;
                    return (cm, Err(e));
                }
            }
        }
        _ => None,
    };
    let outcome = run(
        &mut store,
        &engine,
        &inv.code,
        inv.entrypoint.export_name(),
        params_id,
        extra,
    );

    let data = store.into_data();
    let last_error = data.last_error;
    let Kernel {
        call_manager: mut cm,
        blocks,
        ..
    } = data.kernel;

    let outcome = outcome.and_then(|ret_id| return_block(&blocks, ret_id));

    let result = match outcome {
        Ok(value) => Ok(InvocationResult {
            exit_code: ExitCode::OK,
            value,
        }),
        Err(abort) => {
            let (code, message, res) = match abort {
                Abort::Exit(code, message, NO_DATA_BLOCK_ID) => (
                    code,
                    message,
                    Ok(InvocationResult {
                        exit_code: code,
                        value: None,
                    }),
                ),
                Abort::Exit(code, message, id) => match blocks.get(id) {
                    Ok(b) => (
                        code,
                        message,
                        Ok(InvocationResult {
                            exit_code: code,
                            value: Some(b.clone()),
                        }),
                    ),
                    Err(e) => (
                        ExitCode::SYS_MISSING_RETURN,
                        "error getting exit data block".into(),
                        Err(ExecutionError::Fatal(anyhow::anyhow!("{e}"))),
                    ),
                },
                Abort::OutOfGas => (
                    ExitCode::SYS_OUT_OF_GAS,
                    "out of gas".into(),
                    Err(ExecutionError::OutOfGas),
                ),
                Abort::Fatal(e) => {
                    let msg = format!("{e:#}");
                    (
                        ExitCode::SYS_ASSERTION_FAILED,
                        msg,
                        Err(ExecutionError::Fatal(e)),
                    )
                }
            };
            if !code.is_success() {
                if let Entrypoint::Invoke(method) = inv.entrypoint {
                    if let Some(cause) = last_error {
                        cm.backtrace.begin(cause);
                    }
                    cm.backtrace.push_frame(Frame {
                        source: inv.to,
                        method,
                        code,
                        message,
                    });
                }
            }
            res
        }
    };
    (cm, result)
}

fn run<B: Blockstore + 'static, E: Externs + 'static>(
    store: &mut Store<InvocationData<B, E>>,
    engine: &crate::engine::Engine,
    code: &cid::Cid,
    export: &str,
    params_id: u32,
    extra: Option<u32>,
) -> std::result::Result<u32, Abort> {
    let global = wasmtime::Global::new(
        &mut *store,
        GlobalType::new(ValType::I64, Mutability::Var),
        Val::I64(0),
    )
    .map_err(Abort::Fatal)?;
    store.data_mut().gas_global = Some(global);

    let module = {
        let bs = store.data().kernel.call_manager.machine.blockstore();
        engine
            .load(code, bs)
            .map_err(|e| Abort::Fatal(anyhow::anyhow!("cannot load actor code {code}: {e}")))?
    };

    let syscalls = {
        let cm = &store.data().kernel.call_manager;
        SyscallSet {
            upgrade_actor: cm.machine.config.upgrade_actor,
            generation: cm.price_list().generation,
        }
    };
    let linker = cached_linker::<B, E>(engine, syscalls).map_err(Abort::Fatal)?;

    // Initial memory and table are paid for before instantiation.
    let min_memory = module
        .min_memory_bytes()
        .ok_or_else(|| Abort::Fatal(anyhow::anyhow!("actor has no memory export")))?;
    {
        let data = store.data_mut();
        data.last_memory_bytes += min_memory;
        let prices = data.kernel.call_manager.price_list();
        if let Some(elements) = module.min_table_elements() {
            data.kernel
                .call_manager
                .charge(prices.on_wasm_table_init(elements))
                .map_err(Abort::from_error_as_fatal)?;
        }
        data.kernel
            .call_manager
            .charge(prices.on_wasm_memory_init(min_memory as usize))
            .map_err(Abort::from_error_as_fatal)?;
    }

    // The gas counter global belongs to this store; it shadows the previous store's. A module
    // importing anything the linker does not define (`actor::install_actor` always,
    // `actor::upgrade_actor` unless the network links it) fails here, after the charges above:
    // a fatal error, as in ref-fvm.
    let pre = {
        let mut linker = linker.borrow_mut();
        linker
            .define(
                &*store,
                crate::engine::GAS_MODULE,
                crate::engine::GAS_COUNTER_GLOBAL,
                global,
            )
            .map_err(Abort::Fatal)?;
        linker
            .instantiate_pre(module.module())
            .map_err(|e| Abort::Fatal(e.context("failed to link actor module")))?
    };
    update_gas_available(&mut *store)?;
    let instance = pre.instantiate(&mut *store);
    charge_for_exec(&mut *store)?;
    let instance = instance.map_err(|e| {
        Abort::Exit(
            ExitCode::SYS_ILLEGAL_INSTRUCTION,
            format!("failed to instantiate module: {e}"),
            NO_DATA_BLOCK_ID,
        )
    })?;

    let memory = instance
        .get_memory(&mut *store, MEMORY_EXPORT)
        .ok_or_else(|| Abort::Fatal(anyhow::anyhow!("actor has no memory export")))?;
    store.data_mut().memory = Some(memory);

    if syscalls.generation == KernelGeneration::Fvm3 {
        // ref-fvm 3.x looks `invoke` up with its exact type, and a module without it is a fatal
        // error rather than an invalid receiver.
        instance
            .get_typed_func::<(u32,), u32>(&mut *store, export)
            .map_err(|e| Abort::Fatal(e.context(format!("no {export} export"))))?;
    }
    let func = instance.get_func(&mut *store, export).ok_or_else(|| {
        Abort::Exit(
            ExitCode::SYS_INVALID_RECEIVER,
            format!("cannot upgrade to {code}"),
            NO_DATA_BLOCK_ID,
        )
    })?;

    update_gas_available(&mut *store)?;
    let mut out = [Val::I32(0)];
    let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut args = vec![Val::I32(params_id as i32)];
        args.extend(extra.map(|id| Val::I32(id as i32)));
        func.call(&mut *store, &args, &mut out)
    }))
    .map_err(|_| Abort::Fatal(anyhow::anyhow!("panic within actor")))?;
    charge_for_exec(&mut *store)?;
    match res {
        Ok(()) => match out[0] {
            Val::I32(v) => Ok(v as u32),
            _ => Err(Abort::Fatal(anyhow::anyhow!("invoke returned a non-i32"))),
        },
        Err(e) => Err(Abort::from_wasm_error(e)),
    }
}

/// Which syscalls a linker defines: the generation's set, and whether `actor::upgrade_actor`
/// is among them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SyscallSet {
    upgrade_actor: bool,
    generation: KernelGeneration,
}

/// A cached linker: its engine, the store-data type it serves, its syscall set, and the linker
/// itself.
type LinkerEntry = (
    crate::engine::Engine,
    std::any::TypeId,
    SyscallSet,
    Box<dyn std::any::Any>,
);

type SharedLinker<B, E> = std::rc::Rc<std::cell::RefCell<wasmtime::Linker<InvocationData<B, E>>>>;

thread_local! {
    /// Linkers with every syscall defined, per engine, store-data type and set of optional
    /// syscalls (the network's `upgrade_actor` switch). Building one wraps
    /// every import anew, so they are kept for the thread's lifetime. The engine is kept alive
    /// alongside so that its address cannot be reused by another engine.
    static LINKERS: std::cell::RefCell<Vec<LinkerEntry>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The syscall linker for `engine`, this store-data type and `syscalls`, built on first use.
fn cached_linker<B: Blockstore + 'static, E: Externs + 'static>(
    engine: &crate::engine::Engine,
    syscalls: SyscallSet,
) -> anyhow::Result<SharedLinker<B, E>> {
    let ty = std::any::TypeId::of::<InvocationData<B, E>>();
    let found = LINKERS.with(|cache| {
        cache.borrow().iter().find_map(|(e, t, u, l)| {
            (*t == ty && *u == syscalls && wasmtime::Engine::same(e.wasmtime(), engine.wasmtime()))
                .then(|| l.downcast_ref::<SharedLinker<B, E>>().cloned())
                .flatten()
        })
    });
    if let Some(l) = found {
        return Ok(l);
    }
    let mut linker = wasmtime::Linker::new(engine.wasmtime());
    linker.allow_shadowing(true);
    bindings::link(&mut linker, syscalls.upgrade_actor, syscalls.generation)?;
    let shared: SharedLinker<B, E> = std::rc::Rc::new(std::cell::RefCell::new(linker));
    LINKERS.with(|cache| {
        cache
            .borrow_mut()
            .push((engine.clone(), ty, syscalls, Box::new(shared.clone())))
    });
    Ok(shared)
}

/// The block an invocation returned by handle: none for [`NO_DATA_BLOCK_ID`], and
/// `SYS_MISSING_RETURN` for a handle the registry does not hold (every generation alike).
pub(super) fn return_block(
    blocks: &BlockRegistry,
    ret_id: u32,
) -> std::result::Result<Option<crate::call_manager::Block>, Abort> {
    if ret_id == NO_DATA_BLOCK_ID {
        return Ok(None);
    }
    blocks.get(ret_id).map(|b| Some(b.clone())).map_err(|_| {
        Abort::Exit(
            ExitCode::SYS_MISSING_RETURN,
            "returned block does not exist".into(),
            NO_DATA_BLOCK_ID,
        )
    })
}
