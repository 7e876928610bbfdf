//! The gas model of network version 17 (ref-fvm 2.x, from before FIP-0057): signed gas, the
//! Skyr price table and its charge formulas, and the message's gas account.
//!
//! It is a model of its own, not a table for [`PriceList`](super::PriceList): amounts are signed
//! (deleting an actor refunds storage gas, so a charge can be negative), storage is priced by a
//! multiplier, sends pay a flat amount chosen by case, and there is no state-access pricing at
//! all. Kept apart so that the unsigned arithmetic of the later generations stays as it is.
//!
//! Sources: `fvm` 2.12.2 `gas/mod.rs` (the milligas quantity and its rounding), `gas/charge.rs`,
//! `gas/price_list.rs` (`SKYR_PRICES`, used for nv16 and nv17) and the gas tracker in
//! `gas/mod.rs`. FIPS/versions.md §7 describes the model; `fvm/tests/gas_prices_fvm2.rs` checks
//! every charge and the tracker against ref-fvm 2.12.

mod price_list;
mod signed;
mod tracker;

pub use price_list::{Fvm2PriceList, SealAggregatePrice, SKYR};
pub use signed::SignedGas;
pub use tracker::Fvm2GasTracker;

use std::borrow::Cow;

/// One named charge of the nv17 model: compute and storage parts, either of which may be
/// negative (only the storage part of `OnDeleteActor` is, in the Skyr table).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fvm2GasCharge {
    /// What is paid for; the names are those of ref-fvm 2.x traces (`"OnBlockOpenBase"`...).
    pub name: Cow<'static, str>,
    /// Gas for work done now.
    pub compute_gas: SignedGas,
    /// Gas for storage kept on chain (already multiplied by the storage multiplier).
    pub storage_gas: SignedGas,
}

impl Fvm2GasCharge {
    /// A charge with the given name and parts.
    pub fn new(
        name: impl Into<Cow<'static, str>>,
        compute_gas: SignedGas,
        storage_gas: SignedGas,
    ) -> Self {
        Fvm2GasCharge {
            name: name.into(),
            compute_gas,
            storage_gas,
        }
    }

    /// What the charge takes from the account: compute plus storage, saturating.
    pub fn total(&self) -> SignedGas {
        self.compute_gas + self.storage_gas
    }
}
