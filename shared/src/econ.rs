//! Token amounts.

use std::cmp::Ordering;
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, Zero};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::bigint::bigint_ser;

/// Number of attoFIL in one FIL (10^18).
pub const FILECOIN_PRECISION: u64 = 1_000_000_000_000_000_000;
/// Total FIL that will ever exist, in whole FIL.
pub const TOTAL_FILECOIN_BASE: u64 = 2_000_000_000;

/// An amount of FIL, held as a signed integer count of attoFIL (10^-18 FIL).
///
/// Serialized in the big-integer byte form of [`crate::bigint`]. Deliberately not convertible
/// to/from `BigInt` implicitly, so that atto and whole units are never confused.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct TokenAmount {
    atto: BigInt,
}

impl TokenAmount {
    /// Decimal places of one whole token.
    pub const DECIMALS: usize = 18;
    /// attoFIL per whole FIL.
    pub const PRECISION: u64 = FILECOIN_PRECISION;

    /// An amount of `atto` attoFIL.
    pub fn from_atto(atto: impl Into<BigInt>) -> Self {
        TokenAmount { atto: atto.into() }
    }

    /// An amount of `nano` nanoFIL (10^-9 FIL).
    pub fn from_nano(nano: impl Into<BigInt>) -> Self {
        TokenAmount {
            atto: nano.into() * 1_000_000_000u64,
        }
    }

    /// An amount of `whole` FIL.
    pub fn from_whole(whole: impl Into<BigInt>) -> Self {
        TokenAmount {
            atto: whole.into() * FILECOIN_PRECISION,
        }
    }

    /// The amount in attoFIL.
    pub fn atto(&self) -> &BigInt {
        &self.atto
    }

    /// Consumes the amount, returning attoFIL.
    pub fn into_atto(self) -> BigInt {
        self.atto
    }

    /// Zero FIL.
    pub fn zero() -> Self {
        TokenAmount::default()
    }

    /// True when the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.atto.is_zero()
    }

    /// True when the amount is above zero.
    pub fn is_positive(&self) -> bool {
        self.atto.is_positive()
    }

    /// True when the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.atto.is_negative()
    }

    /// Truncating division with remainder (quotient rounds toward zero).
    pub fn div_rem(&self, divisor: impl Into<BigInt>) -> (TokenAmount, TokenAmount) {
        let (q, r) = self.atto.div_rem(&divisor.into());
        (TokenAmount { atto: q }, TokenAmount { atto: r })
    }

    /// Division rounding toward positive infinity.
    pub fn div_ceil(&self, divisor: impl Into<BigInt>) -> TokenAmount {
        TokenAmount {
            atto: Integer::div_ceil(&self.atto, &divisor.into()),
        }
    }

    /// Division rounding toward negative infinity.
    pub fn div_floor(&self, divisor: impl Into<BigInt>) -> TokenAmount {
        TokenAmount {
            atto: self.atto.div_floor(&divisor.into()),
        }
    }
}

impl Zero for TokenAmount {
    fn zero() -> Self {
        TokenAmount::default()
    }
    fn is_zero(&self) -> bool {
        self.atto.is_zero()
    }
}

impl Ord for TokenAmount {
    fn cmp(&self, other: &Self) -> Ordering {
        self.atto.cmp(&other.atto)
    }
}

impl PartialOrd for TokenAmount {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for TokenAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenAmount({self})")
    }
}

/// Formats as a decimal number of whole FIL that always contains a point (`1.0`, `0.000001`).
///
/// Trailing fractional zeros are dropped. A precision (`{:.3}`) truncates or zero-extends the
/// fraction; width, fill, `+` and `0` flags behave as for integers.
impl fmt::Display for TokenAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let magnitude = self.atto.magnitude();
        let (whole, frac) = magnitude.div_rem(&num_bigint::BigUint::from(FILECOIN_PRECISION));
        let mut frac_digits = if frac.is_zero() {
            String::from("0")
        } else {
            let digits = frac.to_string();
            let padded = format!("{}{}", "0".repeat(Self::DECIMALS - digits.len()), digits);
            padded.trim_end_matches('0').to_owned()
        };
        if let Some(p) = f.precision() {
            if frac_digits.len() < p {
                frac_digits.extend(std::iter::repeat_n('0', p - frac_digits.len()));
            } else {
                frac_digits.truncate(p);
            }
        }
        let body = format!("{whole}.{frac_digits}");
        f.pad_integral(!self.atto.is_negative(), "", &body)
    }
}

impl Neg for TokenAmount {
    type Output = TokenAmount;
    fn neg(self) -> TokenAmount {
        TokenAmount { atto: -self.atto }
    }
}

impl Neg for &TokenAmount {
    type Output = TokenAmount;
    fn neg(self) -> TokenAmount {
        TokenAmount { atto: -&self.atto }
    }
}

macro_rules! binop {
    ($tr:ident, $m:ident, $op:tt) => {
        impl $tr<TokenAmount> for TokenAmount {
            type Output = TokenAmount;
            fn $m(self, rhs: TokenAmount) -> TokenAmount {
                TokenAmount { atto: self.atto $op rhs.atto }
            }
        }
        impl $tr<&TokenAmount> for TokenAmount {
            type Output = TokenAmount;
            fn $m(self, rhs: &TokenAmount) -> TokenAmount {
                TokenAmount { atto: self.atto $op &rhs.atto }
            }
        }
        impl $tr<TokenAmount> for &TokenAmount {
            type Output = TokenAmount;
            fn $m(self, rhs: TokenAmount) -> TokenAmount {
                TokenAmount { atto: &self.atto $op rhs.atto }
            }
        }
        impl $tr<&TokenAmount> for &TokenAmount {
            type Output = TokenAmount;
            fn $m(self, rhs: &TokenAmount) -> TokenAmount {
                TokenAmount { atto: &self.atto $op &rhs.atto }
            }
        }
    };
}
binop!(Add, add, +);
binop!(Sub, sub, -);

impl AddAssign<TokenAmount> for TokenAmount {
    fn add_assign(&mut self, rhs: TokenAmount) {
        self.atto += rhs.atto;
    }
}

impl AddAssign<&TokenAmount> for TokenAmount {
    fn add_assign(&mut self, rhs: &TokenAmount) {
        self.atto += &rhs.atto;
    }
}

impl SubAssign<TokenAmount> for TokenAmount {
    fn sub_assign(&mut self, rhs: TokenAmount) {
        self.atto -= rhs.atto;
    }
}

impl SubAssign<&TokenAmount> for TokenAmount {
    fn sub_assign(&mut self, rhs: &TokenAmount) {
        self.atto -= &rhs.atto;
    }
}

/// Scaling by any integer type `BigInt` can be multiplied with.
impl<T> Mul<T> for TokenAmount
where
    BigInt: Mul<T, Output = BigInt>,
{
    type Output = TokenAmount;
    fn mul(self, rhs: T) -> TokenAmount {
        TokenAmount {
            atto: self.atto * rhs,
        }
    }
}

/// Scaling a borrowed amount by any integer type `&BigInt` can be multiplied with.
impl<'a, T> Mul<T> for &'a TokenAmount
where
    &'a BigInt: Mul<T, Output = BigInt>,
{
    type Output = TokenAmount;
    fn mul(self, rhs: T) -> TokenAmount {
        TokenAmount {
            atto: &self.atto * rhs,
        }
    }
}

impl<T> MulAssign<T> for TokenAmount
where
    BigInt: MulAssign<T>,
{
    fn mul_assign(&mut self, rhs: T) {
        self.atto *= rhs;
    }
}

macro_rules! scalar_times_amount {
    ($($t:ty),*) => {$(
        impl Mul<TokenAmount> for $t {
            type Output = TokenAmount;
            fn mul(self, rhs: TokenAmount) -> TokenAmount { rhs * self }
        }
        impl Mul<&TokenAmount> for $t {
            type Output = TokenAmount;
            fn mul(self, rhs: &TokenAmount) -> TokenAmount { rhs * self }
        }
        impl Mul<TokenAmount> for &$t {
            type Output = TokenAmount;
            fn mul(self, rhs: TokenAmount) -> TokenAmount { rhs * self }
        }
        impl Mul<&TokenAmount> for &$t {
            type Output = TokenAmount;
            fn mul(self, rhs: &TokenAmount) -> TokenAmount { rhs * self }
        }
    )*};
}
scalar_times_amount!(u8, u16, u32, u64, u128, i8, i16, i32, i64, i128, BigInt);

impl Sum for TokenAmount {
    fn sum<I: Iterator<Item = TokenAmount>>(iter: I) -> Self {
        iter.fold(TokenAmount::default(), |acc, x| acc + x)
    }
}

impl<'a> Sum<&'a TokenAmount> for TokenAmount {
    fn sum<I: Iterator<Item = &'a TokenAmount>>(iter: I) -> Self {
        iter.fold(TokenAmount::default(), |acc, x| acc + x)
    }
}

impl Serialize for TokenAmount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        bigint_ser::serialize(&self.atto, s)
    }
}

impl<'de> Deserialize<'de> for TokenAmount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        bigint_ser::deserialize(d).map(|atto| TokenAmount { atto })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_constructors_agree() {
        assert_eq!(
            TokenAmount::from_whole(3),
            TokenAmount::from_nano(3_000_000_000u64)
        );
        assert_eq!(
            TokenAmount::from_nano(7),
            TokenAmount::from_atto(7_000_000_000u64)
        );
        assert_eq!(
            TokenAmount::from_whole(1).atto(),
            &BigInt::from(FILECOIN_PRECISION)
        );
    }

    #[test]
    fn arithmetic() {
        let a = TokenAmount::from_atto(10);
        let b = TokenAmount::from_atto(4);
        assert_eq!(&a + &b, TokenAmount::from_atto(14));
        assert_eq!(&a - &b, TokenAmount::from_atto(6));
        assert_eq!(&a * 3u8, 3i64 * a.clone());
        assert_eq!(-(&a), TokenAmount::from_atto(-10));
        assert!(b < a && (-a.clone()).is_negative() && a.is_positive());
        let mut c = a.clone();
        c += &b;
        c -= b.clone();
        c *= 2;
        assert_eq!(c, TokenAmount::from_atto(20));
        assert_eq!(
            a.div_rem(4),
            (TokenAmount::from_atto(2), TokenAmount::from_atto(2))
        );
        assert_eq!(a.div_ceil(4), TokenAmount::from_atto(3));
        assert_eq!((-a).div_floor(4), TokenAmount::from_atto(-3));
        assert_eq!(
            [b.clone(), b.clone()].iter().sum::<TokenAmount>(),
            TokenAmount::from_atto(8)
        );
    }
}
