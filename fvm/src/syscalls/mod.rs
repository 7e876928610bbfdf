//! Syscall bindings (layer 5): the Wasm imports of the ABI (FIPS/abi.md), their gas settlement,
//! and [`invoke`], the [`InvokeFn`](crate::call_manager::InvokeFn) that runs one actor call.
//!
//! Every import, on entry, settles the Wasm execution gas since the last settlement
//! (`wasm_exec`/`wasm_memory_grow`) and charges `OnSyscall`. A syscall that yields a value first
//! checks that its return pointer has room (if not it returns `IllegalArgument` at once, *without*
//! reloading the Wasm gas counter, exactly as ref-fvm does), then runs the kernel method, writes
//! the value, and reloads the counter with the gas now available. Kernel errors that are syscall
//! errors become the status; out-of-gas and fatal errors abort the call.

#![warn(missing_docs)]

/// Defines an import that yields no value: `unit!(linker, "module", "name", |kernel, memory,
/// arg: type, ...| { body })`. The body returns the kernel's `Result<()>`. Item names in the
/// expansion (`Data`, `enter`, `memory_and_data`, `status`, `update_gas_available`, `Result`)
/// resolve where the macro is used, so each syscall set's bindings module supplies its own
/// generation's versions of them.
macro_rules! unit {
    ($l:ident, $module:literal, $name:literal, |$k:ident, $m:ident $(, $a:ident : $t:ty)*| $body:block) => {
        $l.func_wrap(
            $module,
            $name,
            move |mut caller: Caller<'_, Data<B, E>> $(, $a: $t)*| -> anyhow::Result<u32> {
                enter(&mut caller)?;
                let out = {
                    let (mem, data) = memory_and_data(&mut caller)?;
                    #[allow(unused_variables, unused_mut, clippy::redundant_closure_call)]
                    let res: Result<()> = (|| {
                        let $k = &mut data.kernel;
                        let $m: &mut [u8] = &mut *mem;
                        $body
                    })();
                    status(&mut data.last_error, $module, $name, res)
                };
                update_gas_available(&mut caller)?;
                Ok(out?)
            },
        )?;
    };
}

/// Defines an import that writes a value of type `$ty` through a return pointer (its first
/// parameter), checking first that the pointer has room for it; otherwise like [`unit!`].
macro_rules! value {
    ($l:ident, $module:literal, $name:literal, $ty:ty, |$k:ident, $m:ident $(, $a:ident : $t:ty)*| $body:block) => {
        $l.func_wrap(
            $module,
            $name,
            move |mut caller: Caller<'_, Data<B, E>>, ret: u32 $(, $a: $t)*| -> anyhow::Result<u32> {
                enter(&mut caller)?;
                let out = {
                    let (mem, data) = memory_and_data(&mut caller)?;
                    if u64::from(ret) + std::mem::size_of::<$ty>() as u64 > mem.len() as u64 {
                        data.last_error = Some(Cause::Syscall {
                            module: $module,
                            function: $name,
                            number: ErrorNumber::IllegalArgument,
                            message: "no space for return value".into(),
                        });
                        // No counter reload here: ref-fvm returns before it.
                        return Ok(ErrorNumber::IllegalArgument as u32);
                    }
                    #[allow(unused_variables, unused_mut, clippy::redundant_closure_call)]
                    let res: Result<$ty> = (|| {
                        let $k = &mut data.kernel;
                        let $m: &mut [u8] = &mut *mem;
                        $body
                    })();
                    let res = res.map(|v| memory::write_value(mem, ret, v));
                    status(&mut data.last_error, $module, $name, res)
                };
                update_gas_available(&mut caller)?;
                Ok(out?)
            },
        )?;
    };
}

mod bindings;
mod crypto_bindings;
pub mod fvm2;
mod fvm2_bindings;
mod invoke;
pub mod memory;

use fern_shared::error::ExitCode;
use fvm_ipld_blockstore::Blockstore;
use wasmtime::{AsContextMut, Caller, Global, Val};

pub use fvm2::invoke_fvm2;
pub use invoke::invoke;

use crate::call_manager::backtrace::Cause;
use crate::call_manager::ExecutionError;
use crate::gas::wasm::settle_exec_gas;
use crate::gas::Gas;
use crate::kernel::Kernel;
use crate::machine::Externs;

/// How an invocation ended other than by returning from `invoke`.
#[derive(Debug, thiserror::Error)]
pub enum Abort {
    /// `vm::exit` (or a trap mapped to an exit code): code, message, return block handle.
    #[error("exit with code {0} ({1})")]
    Exit(ExitCode, String, u32),
    /// The gas account ran out.
    #[error("out of gas")]
    OutOfGas,
    /// A fatal error.
    #[error("fatal: {0:#}")]
    Fatal(anyhow::Error),
}

impl Abort {
    /// A kernel error in a place where only out-of-gas is expected: anything else is fatal.
    pub fn from_error_as_fatal(e: ExecutionError) -> Self {
        match e {
            ExecutionError::OutOfGas => Abort::OutOfGas,
            ExecutionError::Fatal(e) => Abort::Fatal(e),
            ExecutionError::Syscall(e) => {
                Abort::Fatal(anyhow::anyhow!("unexpected syscall error: {e}"))
            }
        }
    }

    /// Classifies an error coming out of Wasm: traps of misbehaving code are
    /// `SYS_ILLEGAL_INSTRUCTION`, our own aborts pass through, anything else is fatal.
    pub fn from_wasm_error(e: anyhow::Error) -> Self {
        use wasmtime::Trap;
        if let Some(trap) = e.downcast_ref::<Trap>() {
            return match trap {
                Trap::MemoryOutOfBounds
                | Trap::TableOutOfBounds
                | Trap::IndirectCallToNull
                | Trap::BadSignature
                | Trap::IntegerOverflow
                | Trap::IntegerDivisionByZero
                | Trap::BadConversionToInteger
                | Trap::UnreachableCodeReached
                | Trap::HeapMisaligned
                | Trap::AtomicWaitNonSharedMemory
                | Trap::StackOverflow => {
                    Abort::Exit(ExitCode::SYS_ILLEGAL_INSTRUCTION, trap.to_string(), 0)
                }
                other => Abort::Fatal(anyhow::anyhow!("unexpected wasmtime trap: {other}")),
            };
        }
        match e.downcast::<Abort>() {
            Ok(abort) => abort,
            Err(e) => Abort::Fatal(e),
        }
    }
}

/// The data of the Wasmtime store of one invocation.
pub struct InvocationData<B: Blockstore + 'static, E: Externs + 'static> {
    /// The invocation's kernel.
    pub kernel: Kernel<B, E>,
    /// The `gas.gas_counter` global.
    pub gas_global: Option<Global>,
    /// Gas available when the counter was last loaded.
    pub last_gas_available: Gas,
    /// Message memory tally when the counter was last loaded.
    pub last_memory_bytes: u64,
    /// The instance's exported memory.
    pub memory: Option<wasmtime::Memory>,
    /// The error of the last failed syscall (diagnostics).
    pub last_error: Option<Cause>,
}

type Data<B, E> = InvocationData<B, E>;

/// Loads the Wasm gas counter with the gas available now.
pub fn update_gas_available<B: Blockstore + 'static, E: Externs + 'static>(
    mut ctx: impl AsContextMut<Data = Data<B, E>>,
) -> Result<(), Abort> {
    let mut ctx = ctx.as_context_mut();
    let avail = ctx.data().kernel.gas_available();
    let milli = i64::try_from(avail.as_milligas())
        .map_err(|_| Abort::Fatal(anyhow::anyhow!("available milligas exceeds i64::MAX")))?;
    let global = ctx
        .data()
        .gas_global
        .ok_or_else(|| Abort::Fatal(anyhow::anyhow!("gas global missing")))?;
    global
        .set(&mut ctx, Val::I64(milli))
        .map_err(|e| Abort::Fatal(anyhow::anyhow!("cannot set the gas global: {e}")))?;
    let data = ctx.data_mut();
    data.last_gas_available = avail;
    data.last_memory_bytes = data.kernel.call_manager.limiter.used();
    Ok(())
}

/// Charges the Wasm execution since the counter was last loaded.
pub fn charge_for_exec<B: Blockstore + 'static, E: Externs + 'static>(
    mut ctx: impl AsContextMut<Data = Data<B, E>>,
) -> Result<(), Abort> {
    let mut ctx = ctx.as_context_mut();
    let global = ctx
        .data()
        .gas_global
        .ok_or_else(|| Abort::Fatal(anyhow::anyhow!("gas global missing")))?;
    let counter = global
        .get(&mut ctx)
        .i64()
        .ok_or_else(|| Abort::Fatal(anyhow::anyhow!("gas global is not an i64")))?;
    let data = ctx.data_mut();
    let prices = &data.kernel.call_manager.price_list().wasm;
    let grown = data
        .kernel
        .call_manager
        .limiter
        .used()
        .saturating_sub(data.last_memory_bytes);
    let charges = settle_exec_gas(prices, data.last_gas_available, counter, grown);
    data.kernel
        .charge_gas("wasm_exec", charges.exec)
        .map_err(Abort::from_error_as_fatal)?;
    if !charges.memory_grow.is_zero() {
        data.kernel
            .charge_gas("wasm_memory_grow", charges.memory_grow)
            .map_err(Abort::from_error_as_fatal)?;
    }
    Ok(())
}

/// Settles execution gas and charges `OnSyscall`: the first thing every import does.
fn enter<B: Blockstore + 'static, E: Externs + 'static>(
    caller: &mut Caller<'_, Data<B, E>>,
) -> Result<(), Abort> {
    charge_for_exec(&mut *caller)?;
    let data = caller.data();
    let charge = data.kernel.call_manager.price_list().on_syscall();
    data.kernel
        .call_manager
        .charge(charge)
        .map_err(Abort::from_error_as_fatal)
}

/// The actor memory and the store data, borrowed together.
fn memory_and_data<'a, B: Blockstore + 'static, E: Externs + 'static>(
    caller: &'a mut Caller<'_, Data<B, E>>,
) -> Result<(&'a mut [u8], &'a mut Data<B, E>), Abort> {
    let memory = caller
        .data()
        .memory
        .ok_or_else(|| Abort::Fatal(anyhow::anyhow!("syscall before the memory was bound")))?;
    Ok(memory.data_and_store_mut(caller))
}

/// Turns a kernel result into the syscall status (0 or an error number) or an abort, recording
/// the error for the backtrace.
fn status(
    data_last_error: &mut Option<Cause>,
    module: &'static str,
    function: &'static str,
    res: Result<(), ExecutionError>,
) -> Result<u32, Abort> {
    match res {
        Ok(()) => {
            *data_last_error = None;
            Ok(0)
        }
        Err(ExecutionError::Syscall(e)) => {
            let n = e.number as u32;
            *data_last_error = Some(Cause::Syscall {
                module,
                function,
                number: e.number,
                message: e.message,
            });
            Ok(n)
        }
        Err(ExecutionError::OutOfGas) => Err(Abort::OutOfGas),
        Err(ExecutionError::Fatal(e)) => Err(Abort::Fatal(e)),
    }
}
