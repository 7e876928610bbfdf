//! The price table of network versions 18 to 20 (Hygge, Lightning, Thunder): ref-fvm 3.14's
//! `HYGGE_PRICES`, the one table ref-fvm 3.x uses for all three.
//!
//! Written as Watermelon's (nv21) minus what came with ref-fvm 4.x, plus what 4.x removed
//! (source: `fvm` 3.14.2 `gas/price_list.rs`, diffed against 4.8.4; FIPS/versions.md §2):
//!
//! - no IPLD link tracking: the link, scan, get-root and set-root prices are zero and the
//!   kernel makes none of those charges ([`KernelGeneration::Fvm3`]);
//! - randomness costs a flat 21 000 plus the hashing of the draw, tipset CIDs a flat 50 000
//!   (the previous tipset) or 215 000 (older, within finality), instead of the lookback price;
//! - an event is charged by its encoded length (validation 1 750 + 25 per byte, plus copies),
//!   not per entry and key byte;
//! - there is no BLS aggregate verification syscall, so no pairing or hashing price for it.
//!
//! Everything else, the Wasm instruction prices included, is the same number.

use super::super::{Gas, KernelGeneration, PriceList, ScalingCost};
use super::watermelon;
use super::{flat_plus, gas};

/// The Hygge table.
pub(super) const TABLE: PriceList = PriceList {
    generation: KernelGeneration::Fvm3,

    bls_pairing: Gas::ZERO,
    bls_aggregate_hashing: ScalingCost::ZERO,

    chain_lookback: ScalingCost::ZERO,
    randomness_base: gas(21_000),
    tipset_cid_latest: gas(50_000),
    tipset_cid_historical: gas(215_000),

    ipld_cbor_scan_per_field: Gas::ZERO,
    ipld_cbor_scan_per_cid: Gas::ZERO,
    ipld_link_tracked: Gas::ZERO,
    ipld_link_checked: Gas::ZERO,

    event_per_entry: ScalingCost::ZERO,
    utf8_validation: ScalingCost::ZERO,
    event_validation: flat_plus(1_750, 25),
    event_index_element: ScalingCost::ZERO,

    ..watermelon::TABLE
};
