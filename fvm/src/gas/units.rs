//! The [`Gas`] quantity: an amount of gas kept in thousandths ("milligas").

use std::fmt;
use std::ops::{Add, AddAssign, Mul, Sub, SubAssign};

/// Number of milligas in one whole unit of gas.
pub const MILLIGAS_PER_GAS: u64 = 1000;

/// An amount of gas, stored as an unsigned count of milligas.
///
/// Messages, receipts and actors see whole gas units; the kernel keeps thousandths so that
/// per-byte prices below one gas (e.g. 0.4 gas per copied byte) add up exactly. Every arithmetic
/// operation saturates (at zero and at `u64::MAX` milligas) instead of overflowing, and there is
/// no gas-times-gas product, only gas times a count.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gas {
    milli: u64,
}

impl Gas {
    /// No gas at all.
    pub const ZERO: Gas = Gas { milli: 0 };

    /// The largest representable amount (`u64::MAX` milligas).
    pub const MAX: Gas = Gas { milli: u64::MAX };

    /// An amount of whole gas units; saturates at `u64::MAX` milligas.
    pub const fn new(gas: u64) -> Gas {
        Gas {
            milli: gas.saturating_mul(MILLIGAS_PER_GAS),
        }
    }

    /// An amount given in milligas.
    pub const fn from_milligas(milligas: u64) -> Gas {
        Gas { milli: milligas }
    }

    /// The exact amount in milligas.
    pub const fn as_milligas(self) -> u64 {
        self.milli
    }

    /// Whole gas units, counting any fraction as a full unit.
    pub const fn round_up(self) -> u64 {
        self.milli.div_ceil(MILLIGAS_PER_GAS)
    }

    /// Whole gas units, dropping any fraction.
    pub const fn round_down(self) -> u64 {
        self.milli / MILLIGAS_PER_GAS
    }

    /// Whether this is no gas at all.
    pub const fn is_zero(self) -> bool {
        self.milli == 0
    }

    /// `self + other`, saturating (usable in constant tables).
    pub const fn plus(self, other: Gas) -> Gas {
        Gas {
            milli: self.milli.saturating_add(other.milli),
        }
    }

    /// `self - other`, saturating at zero (usable in constant tables).
    pub const fn minus(self, other: Gas) -> Gas {
        Gas {
            milli: self.milli.saturating_sub(other.milli),
        }
    }

    /// `self * count`, saturating (usable in constant tables).
    pub const fn times(self, count: u64) -> Gas {
        Gas {
            milli: self.milli.saturating_mul(count),
        }
    }
}

/// Converts a host-sized count to `u64`, saturating on (hypothetical) wider platforms.
pub(crate) fn count_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl Add for Gas {
    type Output = Gas;
    fn add(self, rhs: Gas) -> Gas {
        self.plus(rhs)
    }
}

impl AddAssign for Gas {
    fn add_assign(&mut self, rhs: Gas) {
        *self = self.plus(rhs);
    }
}

impl Sub for Gas {
    type Output = Gas;
    fn sub(self, rhs: Gas) -> Gas {
        self.minus(rhs)
    }
}

impl SubAssign for Gas {
    fn sub_assign(&mut self, rhs: Gas) {
        *self = self.minus(rhs);
    }
}

impl Mul<u64> for Gas {
    type Output = Gas;
    fn mul(self, rhs: u64) -> Gas {
        self.times(rhs)
    }
}

impl Mul<u32> for Gas {
    type Output = Gas;
    fn mul(self, rhs: u32) -> Gas {
        self.times(rhs as u64)
    }
}

impl Mul<usize> for Gas {
    type Output = Gas;
    fn mul(self, rhs: usize) -> Gas {
        self.times(count_u64(rhs))
    }
}

impl std::iter::Sum for Gas {
    fn sum<I: Iterator<Item = Gas>>(iter: I) -> Gas {
        iter.fold(Gas::ZERO, Gas::plus)
    }
}

/// Prints whole gas with exactly three decimals (`12.345`), or a bare `0` for no gas.
impl fmt::Display for Gas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.milli == 0 {
            return f.write_str("0");
        }
        write!(
            f,
            "{}.{:03}",
            self.milli / MILLIGAS_PER_GAS,
            self.milli % MILLIGAS_PER_GAS
        )
    }
}

impl fmt::Debug for Gas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Gas({self})")
    }
}
