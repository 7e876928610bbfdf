//! The price tables and which network version uses which.
//!
//! Filecoin mainnet has had three tables in the versions Fern supports: Hygge's (nv18 to nv20,
//! ref-fvm 3.x), the one introduced by the Watermelon upgrade (nv21, ref-fvm 4.x) and the one
//! introduced by Teep (nv25), which differs only in seal-verification prices. Each network
//! version names its table here; a new table is added by deriving from another and listing what
//! changed.

mod hygge;
mod teep;
mod watermelon;

use fern_shared::version::NetworkVersion;

use super::{Gas, PriceList, ScalingCost, Step};

// Shorthands for writing the tables in whole gas.

/// `n` whole gas.
const fn gas(n: u64) -> Gas {
    Gas::new(n)
}

/// From `start` units on, a staircase price is `cost` gas.
const fn step(start: u64, cost: u64) -> Step {
    Step {
        start,
        cost: Gas::new(cost),
    }
}

/// `n` gas per unit, nothing flat.
const fn per_byte(n: u64) -> ScalingCost {
    ScalingCost::per_unit(Gas::new(n))
}

/// `flat` gas once plus `scale` gas per unit.
const fn flat_plus(flat: u64, scale: u64) -> ScalingCost {
    ScalingCost {
        flat: Gas::new(flat),
        scale: Gas::new(scale),
    }
}

/// The table of nv18 to nv20 (Hygge, ref-fvm 3.x rules).
pub static HYGGE: PriceList = hygge::TABLE;

/// The table introduced at nv21 (Watermelon).
pub static WATERMELON: PriceList = watermelon::TABLE;

/// The table introduced at nv25 (Teep): Watermelon's with new seal-verification prices.
pub static TEEP: PriceList = teep::TABLE;

/// The first network version Fern executes.
pub const MIN_NETWORK_VERSION: NetworkVersion = NetworkVersion::V18;

/// The last network version Fern executes.
pub const MAX_NETWORK_VERSION: NetworkVersion = NetworkVersion::V29;

/// The network version in development: run only when asked for
/// ([`NetworkConfig::development`](crate::machine::NetworkConfig::development)), as ref-fvm
/// 4.8.4 runs it only behind its `nv30-dev` cargo feature. Its prices are nv29's.
pub const DEVELOPMENT_NETWORK_VERSION: NetworkVersion = NetworkVersion::V30;

/// [`price_list_for`], also answering for [`DEVELOPMENT_NETWORK_VERSION`] (the Teep table, as
/// ref-fvm 4.8.4 with `nv30-dev`).
pub fn development_price_list_for(nv: NetworkVersion) -> Option<&'static PriceList> {
    price_list_for(nv).or_else(|| (nv == DEVELOPMENT_NETWORK_VERSION).then_some(&TEEP))
}

/// The price list in force at network version `nv`, or `None` if Fern does not support it.
pub fn price_list_for(nv: NetworkVersion) -> Option<&'static PriceList> {
    let table = match nv {
        NetworkVersion::V18 => &HYGGE,      // Hygge: ref-fvm 3.x (actors v10).
        NetworkVersion::V19 => &HYGGE,      // Lightning: unchanged (actors v11).
        NetworkVersion::V20 => &HYGGE,      // Thunder: unchanged (actors v11).
        NetworkVersion::V21 => &WATERMELON, // Watermelon: ref-fvm 4.x, introduces this table.
        NetworkVersion::V22 => &WATERMELON, // Dragon: unchanged.
        NetworkVersion::V23 => &WATERMELON, // Waffle: unchanged.
        NetworkVersion::V24 => &WATERMELON, // TukTuk: unchanged.
        NetworkVersion::V25 => &TEEP,       // Teep: new seal-verification prices (see `teep`).
        NetworkVersion::V26 => &TEEP,       // Tock: unchanged.
        NetworkVersion::V27 => &TEEP,       // GoldenWeek: unchanged.
        NetworkVersion::V28 => &TEEP,       // FireHorse: unchanged.
        NetworkVersion::V29 => &TEEP, // Solstice: unchanged (ref-fvm 4.8.4 runs it by default).
        _ => return None,
    };
    Some(table)
}
