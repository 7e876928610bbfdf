//! Gas for executing Wasm: per-instruction prices ([`WasmGasPrices::instruction_cost`]), memory
//! and table growth, and how execution gas is settled with the tracker.
//!
//! Actor code is instrumented before compilation: each straight-line block of instructions
//! subtracts the sum of its instructions' fixed costs from a signed 64-bit milligas counter, and
//! instructions with a [`InstructionCost::Linear`] cost also subtract `per_unit × operand` at run
//! time (the operand being the length or page count on top of the stack). The counter is loaded
//! with the tracker's available gas when Wasm starts or resumes after a syscall, and read back
//! (see [`settle_exec_gas`]) when a syscall is entered or execution ends.
//!
//! Instructions are classified as the instrumenter sees them: operators of wasmparser 0.95, the
//! parser `fvm-wasm-instrument` 0.4 is built on (re-exported here as [`Operator`]). The engine
//! adapts [`WasmGasPrices::instruction_cost`] to the instrumenter's rule interface, so the prices
//! below are the only classification of instructions in the kernel.

/// The Wasm instruction type priced by [`WasmGasPrices::instruction_cost`] (wasmparser 0.95).
pub use wasmparser_095::Operator;

use super::Gas;

/// Bytes reserved per table element (a pointer), for pricing table growth.
pub const TABLE_ELEMENT_BYTES: u64 = 8;

/// Bytes in a Wasm linear-memory page (the unit of `memory.grow`).
pub const WASM_PAGE_BYTES: u64 = 65536;

/// Milligas the instrumentation adds for each call to its gas-charging routine (none).
pub const GAS_CHARGE_CALL_COST: u64 = 0;

/// Milligas the instrumentation adds for computing a linear cost at run time (none).
pub const LINEAR_COST_CALC_COST: u64 = 0;

/// The price of one Wasm instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InstructionCost {
    /// A constant amount.
    Fixed(Gas),
    /// `base`, plus `per_unit` times the unsigned operand on top of the stack (bytes or elements
    /// to copy/fill, pages to grow). `per_unit` is non-zero and at most `u32::MAX` milligas.
    Linear {
        /// Paid regardless of the operand.
        base: Gas,
        /// Paid per unit of the operand.
        per_unit: Gas,
    },
}

/// Why an instruction cannot be priced; modules containing it are rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnpricedInstruction {
    /// The instruction belongs to a proposal Filecoin does not allow (SIMD, atomics, exceptions,
    /// reference types, tail calls, GC...).
    Unsupported,
    /// Its per-unit price does not fit in 32 bits of milligas.
    PerUnitTooLarge,
}

impl std::fmt::Display for UnpricedInstruction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unsupported => f.write_str("unsupported Wasm instruction"),
            Self::PerUnitTooLarge => f.write_str("per-unit Wasm gas exceeds u32 milligas"),
        }
    }
}

impl std::error::Error for UnpricedInstruction {}

/// Per-instruction and memory prices of Wasm execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WasmGasPrices {
    /// Any ordinary instruction (constants, locals, globals, select, conversions, size queries).
    pub instruction_default: Gas,
    /// Integer and float arithmetic, comparisons, bit operations.
    pub math_default: Gas,
    /// `br` and the jump part of `call`.
    pub jump_unconditional: Gas,
    /// `br_if` and `if`.
    pub jump_conditional: Gas,
    /// `br_table` and the jump part of `call_indirect`.
    pub jump_indirect: Gas,
    /// Extra for any call, on top of its jump.
    pub call: Gas,
    /// Extra for any memory write or fill, once per instruction.
    pub memory_fill_base: Gas,
    /// Per byte written by a fill or grow.
    pub memory_fill_per_byte: Gas,
    /// Extra for any memory read or copy, once per instruction.
    pub memory_access: Gas,
    /// Per byte copied.
    pub memory_copy_per_byte: Gas,
    /// Entering the host (any syscall); charged as `OnSyscall`.
    pub host_call: Gas,
}

impl WasmGasPrices {
    /// Gas for filling (initializing or growing) `bytes` of linear memory.
    pub const fn memory_fill_gas(&self, bytes: u64) -> Gas {
        self.memory_fill_base
            .plus(self.memory_fill_per_byte.times(bytes))
    }

    /// Gas for filling (initializing) `elements` table entries.
    pub const fn table_fill_gas(&self, elements: u64) -> Gas {
        self.memory_fill_base.plus(
            self.memory_fill_per_byte
                .times(elements)
                .times(TABLE_ELEMENT_BYTES),
        )
    }

    /// The price of `op`, or why it has none.
    #[rustfmt::skip]
    pub fn instruction_cost(&self, op: &Operator<'_>) -> Result<InstructionCost, UnpricedInstruction> {
        use InstructionCost::Fixed;
        use Operator as O;

        let ordinary = self.instruction_default;
        let read = self.instruction_default + self.memory_access;
        let write = self.instruction_default + self.memory_fill_base;

        let cost = match op {
            // Structure and no-ops are free.
            O::Nop | O::Block { .. } | O::Loop { .. } | O::Unreachable | O::Return | O::Else
            | O::End | O::Drop => Fixed(Gas::ZERO),

            // Control transfer.
            O::Br { .. } => Fixed(self.jump_unconditional),
            O::BrIf { .. } | O::If { .. } => Fixed(self.jump_conditional),
            O::BrTable { .. } => Fixed(self.jump_indirect + self.memory_access),
            O::Call { .. } => Fixed(self.jump_unconditional + self.call),
            O::CallIndirect { .. } => {
                Fixed(self.jump_indirect + self.memory_access + self.call)
            }

            // Constants, reinterpretations, plain widening/narrowing.
            O::I32Const { .. } | O::I64Const { .. } | O::F32Const { .. } | O::F64Const { .. }
            | O::I64ExtendI32U | O::I32WrapI64
            | O::I32ReinterpretF32 | O::I64ReinterpretF64
            | O::F32ReinterpretI32 | O::F64ReinterpretI64 => Fixed(ordinary),

            // Locals, globals, select.
            O::LocalGet { .. } | O::LocalSet { .. } | O::LocalTee { .. }
            | O::GlobalGet { .. } | O::GlobalSet { .. }
            | O::Select | O::TypedSelect { .. } => Fixed(ordinary),

            // Sign extension (note: the signed i32 -> i64 extension is "math", the unsigned one
            // is "ordinary").
            O::I32Extend8S | O::I32Extend16S
            | O::I64Extend8S | O::I64Extend16S | O::I64Extend32S | O::I64ExtendI32S => {
                Fixed(self.math_default)
            }

            // Integer bit operations, comparisons and arithmetic.
            O::I32And | O::I32Or | O::I32Xor | O::I32Shl | O::I32ShrS | O::I32ShrU
            | O::I32Rotl | O::I32Rotr
            | O::I64And | O::I64Or | O::I64Xor | O::I64Shl | O::I64ShrS | O::I64ShrU
            | O::I64Rotl | O::I64Rotr
            | O::I32Eqz | O::I32Eq | O::I32Ne | O::I32LtS | O::I32LtU | O::I32GtS | O::I32GtU
            | O::I32LeS | O::I32LeU | O::I32GeS | O::I32GeU
            | O::I64Eqz | O::I64Eq | O::I64Ne | O::I64LtS | O::I64LtU | O::I64GtS | O::I64GtU
            | O::I64LeS | O::I64LeU | O::I64GeS | O::I64GeU
            | O::I32Clz | O::I32Ctz | O::I32Popcnt | O::I32Add | O::I32Sub | O::I32Mul
            | O::I32DivS | O::I32DivU | O::I32RemS | O::I32RemU
            | O::I64Clz | O::I64Ctz | O::I64Popcnt | O::I64Add | O::I64Sub | O::I64Mul
            | O::I64DivS | O::I64DivU | O::I64RemS | O::I64RemU => Fixed(self.math_default),

            // Floating point, including truncations and conversions.
            O::I32TruncF32S | O::I32TruncF32U | O::I32TruncF64S | O::I32TruncF64U
            | O::I64TruncF32S | O::I64TruncF32U | O::I64TruncF64S | O::I64TruncF64U
            | O::I32TruncSatF32S | O::I32TruncSatF32U | O::I32TruncSatF64S | O::I32TruncSatF64U
            | O::I64TruncSatF32S | O::I64TruncSatF32U | O::I64TruncSatF64S | O::I64TruncSatF64U
            | O::F32Eq | O::F32Ne | O::F32Lt | O::F32Gt | O::F32Le | O::F32Ge
            | O::F64Eq | O::F64Ne | O::F64Lt | O::F64Gt | O::F64Le | O::F64Ge
            | O::F32Abs | O::F32Neg | O::F32Ceil | O::F32Floor | O::F32Trunc | O::F32Nearest
            | O::F32Add | O::F32Sub | O::F32Mul | O::F32Div | O::F32Min | O::F32Max
            | O::F64Abs | O::F64Neg | O::F64Ceil | O::F64Floor | O::F64Trunc | O::F64Nearest
            | O::F64Add | O::F64Sub | O::F64Mul | O::F64Div | O::F64Min | O::F64Max
            | O::F32Copysign | O::F64Copysign | O::F32DemoteF64 | O::F64PromoteF32
            | O::F32ConvertI32S | O::F32ConvertI32U | O::F32ConvertI64S | O::F32ConvertI64U
            | O::F64ConvertI32S | O::F64ConvertI32U | O::F64ConvertI64S | O::F64ConvertI64U
            | O::F32Sqrt | O::F64Sqrt => Fixed(self.math_default),

            // Memory and table reads.
            O::I32Load { .. } | O::I64Load { .. } | O::F32Load { .. } | O::F64Load { .. }
            | O::I32Load8U { .. } | O::I32Load16U { .. } | O::I32Load8S { .. }
            | O::I32Load16S { .. }
            | O::I64Load8U { .. } | O::I64Load16U { .. } | O::I64Load32U { .. }
            | O::I64Load8S { .. } | O::I64Load16S { .. } | O::I64Load32S { .. }
            | O::TableGet { .. } => Fixed(read),

            // Memory and table writes.
            O::I32Store { .. } | O::I64Store { .. } | O::F32Store { .. } | O::F64Store { .. }
            | O::I32Store8 { .. } | O::I32Store16 { .. }
            | O::I64Store8 { .. } | O::I64Store16 { .. } | O::I64Store32 { .. }
            | O::TableSet { .. } => Fixed(write),

            // Bulk operations, priced by their length operand.
            O::TableInit { .. } | O::TableCopy { .. } => {
                linear(read, self.memory_copy_per_byte, TABLE_ELEMENT_BYTES)?
            }
            O::TableFill { .. } | O::TableGrow { .. } => {
                linear(write, self.memory_fill_per_byte, TABLE_ELEMENT_BYTES)?
            }
            O::MemoryGrow { .. } => linear(write, self.memory_fill_per_byte, WASM_PAGE_BYTES)?,
            O::MemoryFill { .. } => linear(write, self.memory_fill_per_byte, 1)?,
            O::MemoryInit { .. } | O::MemoryCopy { .. } => {
                linear(read, self.memory_copy_per_byte, 1)?
            }

            // Segment drops and size queries.
            O::DataDrop { .. } | O::ElemDrop { .. } | O::MemorySize { .. } | O::TableSize { .. } => {
                Fixed(ordinary)
            }

            // Everything else: SIMD, atomics, exceptions, reference types, tail calls, GC, wide
            // arithmetic, multi-type select...
            _ => return Err(UnpricedInstruction::Unsupported),
        };
        Ok(cost)
    }
}

/// Builds a length-dependent cost: `base` plus `per_unit_gas × unit_bytes` per operand unit.
/// A zero per-unit price degrades to a fixed cost.
fn linear(
    base: Gas,
    per_unit_gas: Gas,
    unit_bytes: u64,
) -> Result<InstructionCost, UnpricedInstruction> {
    let per_unit = per_unit_gas * unit_bytes;
    if per_unit.as_milligas() > u64::from(u32::MAX) {
        return Err(UnpricedInstruction::PerUnitTooLarge);
    }
    Ok(if per_unit.is_zero() {
        InstructionCost::Fixed(base)
    } else {
        InstructionCost::Linear { base, per_unit }
    })
}

/// The two charges that settle Wasm execution with the tracker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExecCharges {
    /// Charged as `wasm_exec`.
    pub exec: Gas,
    /// Charged as `wasm_memory_grow` after `exec`, only when non-zero.
    pub memory_grow: Gas,
}

/// Splits the gas Wasm consumed since the last accounting point into the `wasm_exec` and
/// `wasm_memory_grow` charges.
///
/// `available_before` is what the counter was loaded with, `counter_now` its current (possibly
/// negative) value, and `grown_bytes` how much memory grew meanwhile. Consumption is
/// `available_before - counter_now` (so a negative counter charges more than was available and
/// the charge runs out of gas); the memory-growth share is carved out of it, but never more than
/// the whole consumption.
pub fn settle_exec_gas(
    prices: &WasmGasPrices,
    available_before: Gas,
    counter_now: i64,
    grown_bytes: u64,
) -> ExecCharges {
    let magnitude = Gas::from_milligas(counter_now.unsigned_abs());
    let consumed = if counter_now < 0 {
        available_before + magnitude
    } else {
        available_before - magnitude
    };
    let memory = prices.memory_fill_gas(grown_bytes);
    if memory <= consumed {
        ExecCharges {
            exec: consumed - memory,
            memory_grow: memory,
        }
    } else {
        ExecCharges {
            exec: Gas::ZERO,
            memory_grow: consumed,
        }
    }
}
