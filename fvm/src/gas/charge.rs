//! [`GasCharge`]: one named amount of gas taken from a message's budget.

use std::borrow::Cow;

use super::Gas;

/// A single named charge.
///
/// The name shows up in execution traces, so it must match the name other Filecoin
/// implementations use for the same operation. The amount is split in two parts that are always
/// charged together; the split only matters for traces and benchmarks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GasCharge {
    /// What is being paid for, e.g. `"OnBlockOpen"`.
    pub name: Cow<'static, str>,
    /// Gas for work done right now on the executing node.
    pub compute_gas: Gas,
    /// Gas for everything else: storage, memory kept alive, deferred work, extern calls.
    pub other_gas: Gas,
}

impl GasCharge {
    /// A charge with the given name and its two parts.
    pub fn new(name: impl Into<Cow<'static, str>>, compute_gas: Gas, other_gas: Gas) -> Self {
        GasCharge {
            name: name.into(),
            compute_gas,
            other_gas,
        }
    }

    /// A charge with a static name, usable in constant contexts.
    pub const fn named(name: &'static str, compute_gas: Gas, other_gas: Gas) -> Self {
        GasCharge {
            name: Cow::Borrowed(name),
            compute_gas,
            other_gas,
        }
    }

    /// The amount actually taken: compute plus other gas (saturating).
    pub fn total(&self) -> Gas {
        self.compute_gas + self.other_gas
    }
}
