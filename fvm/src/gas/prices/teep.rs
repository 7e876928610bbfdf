//! The price table introduced at network version 25 (Teep), in force through nv28: Watermelon's
//! table with new seal-verification prices (FIP-0092, non-interactive PoRep).

use super::super::{AggregateSealPrice, AggregateSealPrices, PriceList, StepCost};
use super::watermelon::{self, AGGREGATE_32GIB_V1P1, AGGREGATE_64GIB_V1P1};
use super::{gas, step};
use fern_shared::sector::RegisteredSealProof as Seal;

/// FIP-0092 writes the per-sector price of a non-interactive aggregate as a base price times
/// this factor.
const NI_POREP_CHALLENGE_FACTOR: u64 = 126;

/// Aggregates of non-interactive 32 GiB seals.
const AGGREGATE_32GIB_NI: AggregateSealPrice = AggregateSealPrice {
    seal_proof: Seal::StackedDRG32GiBV1P2_Feat_NiPoRep,
    per_sector: gas(44_990 * NI_POREP_CHALLENGE_FACTOR),
    by_count: StepCost {
        steps: &[
            step(1, 112_356_810),
            step(2, 122_912_610),
            step(3, 137_559_930),
            step(5, 162_039_100),
            step(9, 210_960_780),
            step(17, 318_351_180),
            step(33, 528_274_980),
        ],
    },
};

/// Aggregates of non-interactive 64 GiB seals.
const AGGREGATE_64GIB_NI: AggregateSealPrice = AggregateSealPrice {
    seal_proof: Seal::StackedDRG64GiBV1P2_Feat_NiPoRep,
    per_sector: gas(35_928 * NI_POREP_CHALLENGE_FACTOR),
    by_count: StepCost {
        steps: &[
            step(1, 110_803_030),
            step(2, 120_803_700),
            step(3, 134_642_130),
            step(5, 157_357_890),
            step(9, 203_017_690),
            step(17, 304_253_590),
            step(33, 509_880_640),
        ],
    },
};

/// The Teep table: Watermelon's with the changes listed.
pub(super) const TABLE: PriceList = PriceList {
    // Batch seal verification: 2,000 gas per seal before, 42,000,000 from Teep on.
    verify_seal: gas(42_000_000),
    verify_aggregate_seals: AggregateSealPrices {
        entries: &[
            AGGREGATE_32GIB_V1P1,
            AGGREGATE_64GIB_V1P1,
            AGGREGATE_32GIB_NI,
            AGGREGATE_64GIB_NI,
        ],
        fallback_seal_proof: Seal::StackedDRG32GiBV1P1,
    },
    ..watermelon::TABLE
};
