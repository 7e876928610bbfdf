//! Fern's gas model: units, charges, the per-message gas account, the price tables of every
//! supported network version, Wasm instruction pricing, consensus limits and the fee split of a
//! finished message. The signed gas model of network version 17 (ref-fvm 2.x) is apart, in
//! [`fvm2`].
//!
//! This module is a leaf: it depends only on `fern_shared` and `wasmparser`, never on the rest of
//! the kernel, so that every other part of the kernel can use it. Every charge the kernel makes
//! comes from a [`PriceList`] method named after the operation, and every number comes from the
//! table of the network version in force ([`price_list_for`]).

#![warn(missing_docs)]

mod budget;
mod charge;
mod error;
pub mod fvm2;
pub mod limits;
mod outputs;
mod price_list;
pub mod prices;
mod scaling;
mod tracker;
mod units;
pub mod wasm;

pub use budget::GasBudget;
pub use charge::GasCharge;
pub use error::{NoPushedLimit, OutOfGas};
pub use outputs::{GasOutputs, GAS_OVERUSE_DENOM, GAS_OVERUSE_NUM};
pub use price_list::{
    AggregateSealPrice, AggregateSealPrices, HashPrices, KernelGeneration, PostPrices, PriceList,
    EVENT_ENTRY_FRAMING_BYTES, EVENT_FRAMING_BYTES,
};
pub use prices::{
    development_price_list_for, price_list_for, DEVELOPMENT_NETWORK_VERSION, MAX_NETWORK_VERSION,
    MIN_NETWORK_VERSION,
};
pub use scaling::{ScalingCost, Step, StepCost};
pub use tracker::GasTracker;
pub use units::{Gas, MILLIGAS_PER_GAS};
pub use wasm::{InstructionCost, UnpricedInstruction, WasmGasPrices};
