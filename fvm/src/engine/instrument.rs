//! Validation and instrumentation of actor Wasm, in ref-fvm 4.8's order and with its rules.
//!
//! 1. The **raw** module is validated by Wasmtime with the engine's feature set
//!    ([`validate`]). Nothing else looks at a module that fails here.
//! 2. The stack-height limiter is injected (`fvm-wasm-instrument`'s `stack_limiter`): a mutable
//!    i32 global counts the value-stack slots of all active frames, every call adds the callee's
//!    cost before the call and removes it after, and exceeding the limit traps. This runs first
//!    so that the calls it adds are not themselves broken into metered blocks.
//! 3. Gas metering is injected (`gas_metering`) with [`GasRules`]: it imports a mutable i64
//!    global [`GAS_COUNTER_GLOBAL`] from module [`GAS_MODULE`], adds a charging function, and
//!    calls it at the start of every metered block with the block's total fixed cost (plus the
//!    run-time part of length-priced instructions). A module containing an unpriced instruction
//!    is refused here.
//!
//! Steps 2 and 3 ([`inject`]) are a pure function of the bytes, the stack limit and the prices;
//! the result is what gets compiled, so it must equal ref-fvm's byte for byte.
//!
//! Network version 17 instruments as ref-fvm 2.12 does ([`inject_fvm2`]): the module is parsed
//! with parity-wasm (MVP plus bulk memory: anything else is refused at [`Stage::Parsing`]), then
//! `fvm-wasm-instrument` 0.2 adds its stack limiter and gas metering with [`Fvm2Rules`], then the
//! data-count section is moved back where the binary format wants it.
//!
//! The instrumenter is third-party code that parses untrusted input. Besides returning errors, it
//! could panic on input its authors did not foresee; each step therefore runs under
//! [`std::panic::catch_unwind`] and a panic becomes [`EngineError::Panicked`]. This is a last
//! line of defence, not a substitute for validation: it only works when the host is built with
//! unwinding panics, and the process's panic hook still reports the panic.

use std::num::NonZeroU32;
use std::panic::{catch_unwind, AssertUnwindSafe};

use fvm_wasm_instrument::gas_metering::{self, InstructionCost as MeteringCost, Rules};
use fvm_wasm_instrument::stack_limiter;

use fvm_wasm_instrument_02::gas_metering::{self as gas_metering_02, MemoryGrowCost};
use fvm_wasm_instrument_02::parity_wasm::elements::{self as pw, Instruction};

use super::error::{EngineError, Stage};
use crate::gas::fvm2::Fvm2PriceList;
use crate::gas::wasm::{InstructionCost, Operator, GAS_CHARGE_CALL_COST, LINEAR_COST_CALC_COST};
use crate::gas::WasmGasPrices;

/// Module name of the gas counter import added by gas metering.
pub const GAS_MODULE: &str = "gas";

/// Field name of the gas counter import: a mutable `i64` global holding the milligas still
/// available. The instantiating layer must define `GAS_MODULE`.`GAS_COUNTER_GLOBAL`.
pub const GAS_COUNTER_GLOBAL: &str = gas_metering::GAS_COUNTER_NAME;

/// Field name of the gas counter import under nv17 instrumentation (`fvm-wasm-instrument` 0.2):
/// `gas_couner`, spelled as that crate spells it. Same type and meaning as
/// [`GAS_COUNTER_GLOBAL`].
pub const GAS_COUNTER_GLOBAL_FVM2: &str = gas_metering_02::GAS_COUNTER_NAME;

/// Adapter that lets the instrumenter price instructions with Fern's [`WasmGasPrices`].
#[derive(Clone, Copy, Debug)]
pub struct GasRules<'a>(pub &'a WasmGasPrices);

impl Rules for GasRules<'_> {
    fn instruction_cost(&self, op: &Operator<'_>) -> anyhow::Result<MeteringCost> {
        Ok(match self.0.instruction_cost(op)? {
            InstructionCost::Fixed(gas) => MeteringCost::Fixed(gas.as_milligas()),
            InstructionCost::Linear { base, per_unit } => {
                // `instruction_cost` guarantees a non-zero per-unit price within 32 bits.
                let per_unit = u32::try_from(per_unit.as_milligas())
                    .ok()
                    .and_then(NonZeroU32::new)
                    .ok_or_else(|| anyhow::anyhow!("per-unit gas out of range for {op:?}"))?;
                MeteringCost::Linear(base.as_milligas(), per_unit)
            }
        })
    }

    fn gas_charge_cost(&self) -> u64 {
        GAS_CHARGE_CALL_COST
    }

    fn linear_calc_cost(&self) -> u64 {
        LINEAR_COST_CALC_COST
    }
}

/// The nv17 pricing rules for `fvm-wasm-instrument` 0.2 (ref-fvm 2.12's `WasmGasPrices`): the
/// table's instruction price, in milligas, for every instruction except `nop`, `drop`, `block`,
/// `loop`, `unreachable`, `return`, `else` and `end`, which are free (FIP-0032); `memory.grow`
/// costs nothing more. A zero price makes every instruction free.
#[derive(Clone, Copy, Debug)]
pub struct Fvm2Rules<'a>(pub &'a Fvm2PriceList);

impl gas_metering_02::Rules for Fvm2Rules<'_> {
    fn instruction_cost(&self, instruction: &Instruction) -> Option<u64> {
        let price = self.0.wasm_instruction.as_milligas();
        if price == 0 {
            return Some(0);
        }
        Some(match instruction {
            Instruction::Nop
            | Instruction::Drop
            | Instruction::Block(_)
            | Instruction::Loop(_)
            | Instruction::Unreachable
            | Instruction::Return
            | Instruction::Else
            | Instruction::End => 0,
            // The table's price is a positive constant.
            _ => price as u64,
        })
    }

    fn memory_grow_cost(&self) -> MemoryGrowCost {
        MemoryGrowCost::Free
    }
}

/// Instruments an already validated module for network version 17, as ref-fvm 2.12 does:
/// parity-wasm parsing, the 0.2 stack limiter (`max_stack_slots`), 0.2 gas metering with
/// `prices`, then the data-count section re-placed (removed, and inserted again if the module
/// has a data section, counting its segments). Returns the module to compile.
pub fn inject_fvm2(
    wasm: &[u8],
    max_stack_slots: u32,
    prices: &Fvm2PriceList,
) -> Result<Vec<u8>, EngineError> {
    let module = contained(Stage::Parsing, || {
        fvm_wasm_instrument_02::parity_wasm::deserialize_buffer::<pw::Module>(wasm)
    })?
    .map_err(|e| EngineError::rejected(Stage::Parsing, e))?;
    let limited = contained(Stage::StackLimiter, || {
        fvm_wasm_instrument_02::inject_stack_limiter(module, max_stack_slots)
    })?
    .map_err(|e| EngineError::rejected(Stage::StackLimiter, e))?;
    let mut metered = contained(Stage::GasMetering, || {
        gas_metering_02::inject(limited, &Fvm2Rules(prices), GAS_MODULE)
    })?
    .map_err(|_| EngineError::rejected(Stage::GasMetering, "injecting gas counter failed"))?;
    // parity-wasm writes a data-count section where it found it, which the binary format may
    // not accept after the other sections moved; ref-fvm 2.12 rebuilds it the same way.
    metered
        .sections_mut()
        .retain(|section| !matches!(section, pw::Section::DataCount(_)));
    if let Some(count) = metered.data_section().map(|data| data.entries().len()) {
        let count = u32::try_from(count)
            .map_err(|_| EngineError::rejected(Stage::GasMetering, "too many data segments"))?;
        metered
            .insert_section(pw::Section::DataCount(count))
            .map_err(|e| EngineError::rejected(Stage::GasMetering, e))?;
    }
    contained(Stage::GasMetering, || metered.to_bytes())?
        .map_err(|e| EngineError::rejected(Stage::GasMetering, e))
}

/// Runs `f`, turning a panic into [`EngineError::Panicked`] for `stage`.
pub(crate) fn contained<T>(stage: Stage, f: impl FnOnce() -> T) -> Result<T, EngineError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let reason = if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_owned()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "non-string panic payload".to_owned()
        };
        EngineError::Panicked { stage, reason }
    })
}

/// Checks the raw module with Wasmtime under `engine`'s feature set.
pub fn validate(engine: &wasmtime::Engine, wasm: &[u8]) -> Result<(), EngineError> {
    contained(Stage::Validation, || {
        wasmtime::Module::validate(engine, wasm)
    })?
    .map_err(|e| EngineError::rejected(Stage::Validation, e))
}

/// Adds the stack-height limiter (`max_stack_slots` value-stack slots), then gas metering with
/// `prices`, to an already validated module. Returns the module to compile.
pub fn inject(
    wasm: &[u8],
    max_stack_slots: u32,
    prices: &WasmGasPrices,
) -> Result<Vec<u8>, EngineError> {
    let limited = contained(Stage::StackLimiter, || {
        stack_limiter::inject(wasm, max_stack_slots)
    })?
    .map_err(|e| EngineError::rejected(Stage::StackLimiter, e))?;
    contained(Stage::GasMetering, || {
        gas_metering::inject(&limited, &GasRules(prices), GAS_MODULE)
    })?
    .map_err(|e| EngineError::rejected(Stage::GasMetering, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_errors() {
        let err = contained(Stage::GasMetering, || -> u32 { panic!("boom {}", 7) }).unwrap_err();
        assert_eq!(
            err,
            EngineError::Panicked {
                stage: Stage::GasMetering,
                reason: "boom 7".into()
            }
        );
        let err = contained(Stage::StackLimiter, || -> u32 { panic!("static") }).unwrap_err();
        assert_eq!(err.stage(), Some(Stage::StackLimiter));
        assert_eq!(contained(Stage::Compilation, || 5), Ok(5));
    }
}
