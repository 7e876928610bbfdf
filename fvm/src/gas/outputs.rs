//! [`GasOutputs`]: how the fee of a finished message is split between burning, the block miner
//! and the sender's refund.

use fern_shared::econ::TokenAmount;

/// Numerator of the over-estimation allowance: a gas limit up to 11/10 of the gas used burns
/// nothing extra.
pub const GAS_OVERUSE_NUM: u64 = 11;

/// Denominator of the over-estimation allowance (see [`GAS_OVERUSE_NUM`]).
pub const GAS_OVERUSE_DENOM: u64 = 10;

/// Where the fee of one message goes. Gas quantities are whole gas units.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GasOutputs {
    /// Base fee times gas used, burned.
    pub base_fee_burn: TokenAmount,
    /// Base fee times the over-estimation gas, burned.
    pub over_estimation_burn: TokenAmount,
    /// Paid by the miner (burned) when the base fee exceeded the sender's fee cap.
    pub miner_penalty: TokenAmount,
    /// Paid to the miner: the effective premium times the gas *limit*.
    pub miner_tip: TokenAmount,
    /// Returned to the sender: the reserved `fee_cap × gas_limit` minus everything above.
    pub refund: TokenAmount,
    /// Unused gas that is refunded.
    pub gas_refund: u64,
    /// Unused gas that is burned for over-estimation.
    pub gas_burned: u64,
}

impl GasOutputs {
    /// Splits the fee of a message that used `gas_used` of its `gas_limit`, given the block's
    /// base fee and the message's fee cap and premium.
    ///
    /// - The sender never pays more than `fee_cap` per gas: if the base fee is higher, only
    ///   `fee_cap` is burned per gas and the miner is penalized the difference.
    /// - The miner's per-gas tip is the premium, lowered so that base fee paid plus tip does not
    ///   exceed the fee cap; it is paid on the whole gas limit.
    /// - Part of the unused gas is burned ([`Self::overestimation`]).
    pub fn compute(
        gas_used: u64,
        gas_limit: u64,
        base_fee: &TokenAmount,
        fee_cap: &TokenAmount,
        gas_premium: &TokenAmount,
    ) -> Self {
        let capped = base_fee > fee_cap;
        let base_fee_paid = if capped { fee_cap } else { base_fee };
        // What the miner owes per gas because the base fee exceeded the cap.
        let shortfall = base_fee - base_fee_paid;

        let mut miner_penalty = if capped {
            &shortfall * gas_used
        } else {
            TokenAmount::zero()
        };
        let base_fee_burn = base_fee_paid * gas_used;

        let tip_per_gas = if &(base_fee_paid + gas_premium) > fee_cap {
            fee_cap - base_fee_paid
        } else {
            gas_premium.clone()
        };
        let miner_tip = tip_per_gas * gas_limit;

        let (gas_refund, gas_burned) = Self::overestimation(gas_used, gas_limit);
        let mut over_estimation_burn = TokenAmount::zero();
        if gas_burned != 0 {
            over_estimation_burn = base_fee_paid * gas_burned;
            miner_penalty += &shortfall * gas_burned;
        }

        let reserved = fee_cap * gas_limit;
        let refund = reserved - &base_fee_burn - &miner_tip - &over_estimation_burn;

        GasOutputs {
            base_fee_burn,
            over_estimation_burn,
            miner_penalty,
            miner_tip,
            refund,
            gas_refund,
            gas_burned,
        }
    }

    /// Splits the unused gas `gas_limit - gas_used` into `(refunded, burned)`.
    ///
    /// A message that used nothing burns its whole limit. Otherwise the allowance is
    /// `used × 11/10` (integer division); the excess of the limit over the allowance, capped at
    /// `used`, is the over-estimation, and the burned share of the unused gas is
    /// `unused × over-estimation / used` (integer division). All in 128-bit arithmetic.
    pub fn overestimation(gas_used: u64, gas_limit: u64) -> (u64, u64) {
        if gas_used == 0 {
            return (0, gas_limit);
        }
        let used = u128::from(gas_used);
        let limit = u128::from(gas_limit);
        let allowance = used * u128::from(GAS_OVERUSE_NUM) / u128::from(GAS_OVERUSE_DENOM);
        let over = limit.saturating_sub(allowance).min(used);
        let unused = limit.saturating_sub(used);
        let burned = unused * over / used;
        let refunded = unused.saturating_sub(burned);
        (refunded as u64, burned as u64)
    }
}
