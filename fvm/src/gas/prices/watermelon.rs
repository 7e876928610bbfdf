//! The price table introduced at network version 21 (Watermelon), in force through nv24.

use super::super::{
    AggregateSealPrice, AggregateSealPrices, Gas, HashPrices, KernelGeneration, PostPrices,
    PriceList, ScalingCost, StepCost, WasmGasPrices,
};
use super::{flat_plus, gas, per_byte, step};
use fern_shared::sector::{RegisteredPoStProof as PoSt, RegisteredSealProof as Seal};

/// Verification of interactive 32 GiB seal aggregates: the once-per-aggregate part by size.
pub(super) const AGGREGATE_32GIB_V1P1: AggregateSealPrice = AggregateSealPrice {
    seal_proof: Seal::StackedDRG32GiBV1P1,
    per_sector: gas(449_900),
    by_count: StepCost {
        steps: &[
            step(4, 103_994_170),
            step(7, 112_356_810),
            step(13, 122_912_610),
            step(26, 137_559_930),
            step(52, 162_039_100),
            step(103, 210_960_780),
            step(205, 318_351_180),
            step(410, 528_274_980),
        ],
    },
};

/// Verification of interactive 64 GiB seal aggregates.
pub(super) const AGGREGATE_64GIB_V1P1: AggregateSealPrice = AggregateSealPrice {
    seal_proof: Seal::StackedDRG64GiBV1P1,
    per_sector: gas(359_272),
    by_count: StepCost {
        steps: &[
            step(4, 102_581_240),
            step(7, 110_803_030),
            step(13, 120_803_700),
            step(26, 134_642_130),
            step(52, 157_357_890),
            step(103, 203_017_690),
            step(205, 304_253_590),
            step(410, 509_880_640),
        ],
    },
};

/// Window PoSt verification, the same for every sector size.
const WINDOW_POST: ScalingCost = flat_plus(117_680_921, 43_780);

/// The Watermelon table.
pub(super) const TABLE: PriceList = PriceList {
    generation: KernelGeneration::Fvm4,

    // A message's inclusion is priced as if it were 36 bytes longer than it is.
    chain_message_compute: ScalingCost::fixed(gas(38_863)),
    chain_message_storage: flat_plus(36 * 1300, 1300),
    chain_return_compute: ScalingCost::ZERO,
    chain_return_storage: per_byte(1300),

    value_transfer: gas(6_000),
    method_invocation: gas(75_000),

    actor_lookup: gas(500_000),
    actor_update: gas(475_000),
    actor_create_storage: gas(650_000),
    address_lookup: gas(1_050_000),
    address_assignment: gas(1_000_000),
    // System, init, reward, cron, power, market, verified registry, datacap, EAM, burnt funds.
    preloaded_actors: &[0, 1, 2, 3, 4, 5, 6, 7, 10, 99],

    secp256k1_signature_verify: flat_plus(1_637_292, 10),
    bls_signature_verify: flat_plus(16_598_605, 26),
    secp256k1_public_key_recover: gas(1_637_292),
    bls_pairing: gas(8_299_302),
    bls_aggregate_hashing: per_byte(7),
    hashing: HashPrices {
        sha2_256: per_byte(7),
        blake2b_256: per_byte(10),
        blake2b_512: per_byte(10),
        keccak_256: per_byte(33),
        ripemd_160: per_byte(35),
    },

    compute_unsealed_sector_cid: gas(98_647),
    verify_seal: gas(2_000),
    verify_aggregate_seals: AggregateSealPrices {
        entries: &[AGGREGATE_32GIB_V1P1, AGGREGATE_64GIB_V1P1],
        // Any other proof type (including non-interactive PoRep) pays the 32 GiB price.
        fallback_seal_proof: Seal::StackedDRG32GiBV1P1,
    },
    verify_post: PostPrices {
        entries: &[
            (PoSt::StackedDRGWindow512MiBV1P1, WINDOW_POST),
            (PoSt::StackedDRGWindow32GiBV1P1, WINDOW_POST),
            (PoSt::StackedDRGWindow64GiBV1P1, WINDOW_POST),
        ],
        fallback_post_proof: PoSt::StackedDRGWindow512MiBV1P1,
    },
    verify_consensus_fault: gas(516_422),
    verify_replica_update: gas(36_316_136),

    // Flat: 19 skip-list hops of 5800 gas, 15000 for the lookup itself, 21000 for the extern.
    chain_lookback: flat_plus(5_800 * 19 + 15_000 + 21_000, 75),
    // ref-fvm 3.x charges, absent from this table.
    randomness_base: Gas::ZERO,
    tipset_cid_latest: Gas::ZERO,
    tipset_cid_historical: Gas::ZERO,

    block_memcpy: ScalingCost::per_unit(Gas::from_milligas(400)),
    block_allocate: per_byte(2),
    block_retention_minimum: per_byte(10),
    // The per-byte read cost is zero: it is covered by the retention minimum.
    block_open: ScalingCost::fixed(gas(187_440)),
    block_persist_storage: flat_plus(334_000, 3_340),
    block_persist_compute: gas(172_000),
    ipld_cbor_scan_per_field: gas(35),
    ipld_cbor_scan_per_cid: gas(400),
    ipld_link_tracked: gas(300),
    ipld_link_checked: gas(300),

    event_per_entry: flat_plus(2_000, 1_400),
    utf8_validation: flat_plus(500, 16),
    // ref-fvm 3.x charges, absent from this table.
    event_validation: ScalingCost::ZERO,
    event_index_element: ScalingCost::ZERO,

    builtin_actor_manifest_lookup: Gas::ZERO,
    network_context: Gas::ZERO,
    message_context: Gas::ZERO,
    install_wasm_per_byte: Gas::ZERO,

    wasm: WasmGasPrices {
        instruction_default: gas(4),
        math_default: gas(4),
        jump_unconditional: gas(4),
        jump_conditional: gas(4),
        jump_indirect: gas(4),
        call: Gas::ZERO,
        memory_fill_base: Gas::ZERO,
        memory_fill_per_byte: Gas::from_milligas(400),
        memory_access: Gas::ZERO,
        memory_copy_per_byte: Gas::from_milligas(400),
        host_call: gas(14_000),
    },
};
