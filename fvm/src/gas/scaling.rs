//! Price shapes: a flat amount plus a per-unit amount ([`ScalingCost`]), and a staircase of
//! amounts by quantity ([`StepCost`]).

use super::Gas;

/// `flat + scale × n`, saturating.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ScalingCost {
    /// Paid once.
    pub flat: Gas,
    /// Paid per unit (byte, entry, epoch, sector...).
    pub scale: Gas,
}

impl ScalingCost {
    /// Costs nothing.
    pub const ZERO: ScalingCost = ScalingCost {
        flat: Gas::ZERO,
        scale: Gas::ZERO,
    };

    /// Only a flat amount.
    pub const fn fixed(flat: Gas) -> Self {
        ScalingCost {
            flat,
            scale: Gas::ZERO,
        }
    }

    /// Only a per-unit amount.
    pub const fn per_unit(scale: Gas) -> Self {
        ScalingCost {
            flat: Gas::ZERO,
            scale,
        }
    }

    /// The price of `n` units.
    pub const fn apply(&self, n: u64) -> Gas {
        self.flat.plus(self.scale.times(n))
    }
}

/// One stair of a [`StepCost`]: from `start` units on, the price is `cost`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Step {
    /// The first quantity this stair applies to.
    pub start: u64,
    /// The price on this stair.
    pub cost: Gas,
}

/// A staircase: the price of `n` is the cost of the highest stair whose start is `<= n`, or zero
/// below the first stair. Stairs are listed in increasing `start` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StepCost {
    /// The stairs, lowest first.
    pub steps: &'static [Step],
}

impl StepCost {
    /// The price of `n` units.
    pub fn lookup(&self, n: u64) -> Gas {
        self.steps
            .iter()
            .rev()
            .find(|s| s.start <= n)
            .map_or(Gas::ZERO, |s| s.cost)
    }
}
