//! [`GasBudget`]: a private allowance for work that is metered in many tiny steps and then
//! charged to the tracker as one sum.

use super::{Gas, OutOfGas};

/// An allowance spent step by step, e.g. while scanning a DAG-CBOR block for links.
///
/// Start it with the tracker's available gas. When a step does not fit, the whole allowance is
/// considered spent, so [`used`](Self::used) then equals the starting allowance; the caller
/// charges `used()` to the tracker (which then lands exactly on the limit and succeeds) and
/// reports the step's [`OutOfGas`].
#[derive(Clone, Copy, Debug)]
pub struct GasBudget {
    allowance: Gas,
    remaining: Gas,
}

impl GasBudget {
    /// A budget of `allowance`.
    pub fn new(allowance: Gas) -> Self {
        GasBudget {
            allowance,
            remaining: allowance,
        }
    }

    /// Spends `amount`, or drains the budget and fails when less than `amount` remains.
    pub fn spend(&mut self, amount: Gas) -> Result<(), OutOfGas> {
        if self.remaining < amount {
            self.remaining = Gas::ZERO;
            Err(OutOfGas)
        } else {
            self.remaining -= amount;
            Ok(())
        }
    }

    /// Gas spent so far.
    pub fn used(&self) -> Gas {
        self.allowance - self.remaining
    }

    /// Gas left.
    pub fn remaining(&self) -> Gas {
        self.remaining
    }
}
