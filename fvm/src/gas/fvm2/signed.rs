//! [`SignedGas`]: the gas quantity of the nv17 model, a signed count of milligas.

use std::fmt;
use std::ops::{Add, AddAssign, Mul, Sub, SubAssign};

/// Milligas per whole gas unit.
const MILLI: i64 = 1000;

/// An amount of gas in milligas that may be negative (a refund).
///
/// All arithmetic saturates at the `i64` bounds, as ref-fvm 2.x's does; products are only ever
/// gas times a count.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SignedGas {
    milli: i64,
}

impl SignedGas {
    /// No gas.
    pub const ZERO: SignedGas = SignedGas { milli: 0 };

    /// `gas` whole units (saturating).
    pub const fn new(gas: i64) -> SignedGas {
        SignedGas {
            milli: gas.saturating_mul(MILLI),
        }
    }

    /// An amount given in milligas.
    pub const fn from_milligas(milli: i64) -> SignedGas {
        SignedGas { milli }
    }

    /// The exact amount in milligas.
    pub const fn as_milligas(self) -> i64 {
        self.milli
    }

    /// Whole units, rounded toward positive infinity (a fraction of a unit counts as one when
    /// charging; `-0.5` gas is `0`).
    pub const fn round_up(self) -> i64 {
        let whole = self.milli / MILLI; // toward zero
        if self.milli > 0 && self.milli % MILLI != 0 {
            whole.saturating_add(1)
        } else {
            whole
        }
    }

    /// Whole units, rounded toward negative infinity (`-0.5` gas is `-1`).
    pub const fn round_down(self) -> i64 {
        let whole = self.milli / MILLI;
        if self.milli < 0 && self.milli % MILLI != 0 {
            whole.saturating_sub(1)
        } else {
            whole
        }
    }

    /// Whether this is no gas.
    pub const fn is_zero(self) -> bool {
        self.milli == 0
    }

    /// `self + other`, saturating.
    pub const fn plus(self, other: SignedGas) -> SignedGas {
        SignedGas {
            milli: self.milli.saturating_add(other.milli),
        }
    }

    /// `self - other`, saturating.
    pub const fn minus(self, other: SignedGas) -> SignedGas {
        SignedGas {
            milli: self.milli.saturating_sub(other.milli),
        }
    }

    /// `self * n`, saturating.
    pub const fn times(self, n: i64) -> SignedGas {
        SignedGas {
            milli: self.milli.saturating_mul(n),
        }
    }
}

impl Add for SignedGas {
    type Output = SignedGas;
    fn add(self, rhs: SignedGas) -> SignedGas {
        self.plus(rhs)
    }
}

impl AddAssign for SignedGas {
    fn add_assign(&mut self, rhs: SignedGas) {
        *self = self.plus(rhs);
    }
}

impl Sub for SignedGas {
    type Output = SignedGas;
    fn sub(self, rhs: SignedGas) -> SignedGas {
        self.minus(rhs)
    }
}

impl SubAssign for SignedGas {
    fn sub_assign(&mut self, rhs: SignedGas) {
        *self = self.minus(rhs);
    }
}

impl Mul<i64> for SignedGas {
    type Output = SignedGas;
    fn mul(self, rhs: i64) -> SignedGas {
        self.times(rhs)
    }
}

/// Whole gas with three decimals and a sign (`-98800.000`), or `0`.
impl fmt::Display for SignedGas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.milli == 0 {
            return f.write_str("0");
        }
        let sign = if self.milli < 0 { "-" } else { "" };
        let abs = self.milli.unsigned_abs();
        write!(f, "{sign}{}.{:03}", abs / 1000, abs % 1000)
    }
}

impl fmt::Debug for SignedGas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignedGas({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_goes_up_and_down_across_zero() {
        let g = SignedGas::from_milligas;
        assert_eq!((g(1500).round_up(), g(1500).round_down()), (2, 1));
        assert_eq!((g(-1500).round_up(), g(-1500).round_down()), (-1, -2));
        assert_eq!((g(-500).round_up(), g(-500).round_down()), (0, -1));
        assert_eq!((g(3000).round_up(), g(-3000).round_down()), (3, -3));
        assert_eq!(g(i64::MAX).round_up(), i64::MAX / 1000 + 1);
        assert_eq!(g(i64::MIN).round_down(), i64::MIN / 1000 - 1);
    }

    #[test]
    fn arithmetic_saturates_at_both_ends() {
        let max = SignedGas::from_milligas(i64::MAX);
        let min = SignedGas::from_milligas(i64::MIN);
        assert_eq!(max + SignedGas::new(1), max);
        assert_eq!(min - SignedGas::new(1), min);
        assert_eq!(SignedGas::new(-2) * i64::MAX, min);
        assert_eq!(SignedGas::new(i64::MAX), max);
        assert_eq!(SignedGas::new(-76) * 1300, SignedGas::new(-98_800));
        assert_eq!(SignedGas::new(-98_800).to_string(), "-98800.000");
        assert_eq!(SignedGas::from_milligas(500).to_string(), "0.500");
    }
}
