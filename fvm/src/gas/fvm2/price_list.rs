//! [`Fvm2PriceList`]: the prices of the nv17 model and the charge of each operation.

use fern_shared::crypto::SignatureType;
use fern_shared::sector::{RegisteredPoStProof, RegisteredSealProof};
use fern_shared::{MethodNum, METHOD_SEND};

use super::{Fvm2GasCharge, SignedGas};

/// A length or count as ref-fvm 2.x turns it into a factor: a plain `as i64` cast (a `usize`
/// above `i64::MAX`, impossible for real buffers, wraps to a negative number there too).
const fn factor(n: usize) -> i64 {
    n as i64
}

/// Price of verifying an aggregate of seal proofs of one proof type: `per_sector` times the
/// number of proofs, plus the stair of `by_count` (the cost of the highest `(start, cost)` entry
/// whose start is at most the count; nothing below the first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SealAggregatePrice {
    /// The seal proof type this entry prices.
    pub seal_proof: RegisteredSealProof,
    /// Paid per aggregated proof.
    pub per_sector: SignedGas,
    /// `(first count, price)` stairs, lowest first.
    pub by_count: &'static [(i64, SignedGas)],
}

/// Every price of the nv17 model. Storage amounts are in gas before the storage multiplier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fvm2PriceList {
    /// Multiplies every storage amount.
    pub storage_multiplier: i64,

    /// Compute part of including a message on chain.
    pub chain_message_compute: SignedGas,
    /// Storage part of including a message, flat.
    pub chain_message_storage_base: SignedGas,
    /// Storage part of including a message, per serialized byte.
    pub chain_message_storage_per_byte: SignedGas,
    /// Storage of a top-level return value, per byte.
    pub chain_return_per_byte: SignedGas,

    /// Every send (including the message's own).
    pub send_base: SignedGas,
    /// Added when the send carries a non-zero value.
    pub send_transfer_funds: SignedGas,
    /// Added when the send carries a non-zero value and is a bare transfer (method 0).
    pub send_transfer_only_premium: SignedGas,
    /// Added when the send invokes a method (not method 0); negative in the Skyr table.
    pub send_invoke_method: SignedGas,

    /// Compute part of creating an actor.
    pub create_actor_compute: SignedGas,
    /// Storage part of creating an actor.
    pub create_actor_storage: SignedGas,
    /// Storage part of deleting an actor: negative, a refund.
    pub delete_actor_storage: SignedGas,

    /// Verifying a BLS signature (flat).
    pub bls_signature_verify: SignedGas,
    /// Verifying a secp256k1 signature (flat).
    pub secp256k1_signature_verify: SignedGas,
    /// Recovering a secp256k1 public key.
    pub secp256k1_recover: SignedGas,
    /// Hashing, any function and length (flat).
    pub hashing: SignedGas,

    /// Computing an unsealed sector CID.
    pub compute_unsealed_sector_cid: SignedGas,
    /// Verifying a seal.
    pub verify_seal: SignedGas,
    /// Aggregate seal verification, by proof type.
    pub verify_aggregate_seals: &'static [SealAggregatePrice],
    /// The proof type whose entry prices unlisted types.
    pub verify_aggregate_seals_fallback: RegisteredSealProof,
    /// Window PoSt verification by proof type number: `(type, flat, per challenged sector)`.
    pub verify_post: &'static [(i64, SignedGas, SignedGas)],
    /// The proof type number whose price applies to unlisted types and to empty proof lists.
    pub verify_post_fallback: i64,
    /// Verifying a consensus fault (plus one extern call).
    pub verify_consensus_fault: SignedGas,
    /// Verifying a replica update.
    pub verify_replica_update: SignedGas,

    /// Drawing randomness, flat (plus one extern call).
    pub randomness_base: SignedGas,
    /// Drawing randomness, per entropy byte.
    pub randomness_per_byte: SignedGas,

    /// Copying one block byte across the actor boundary.
    pub block_memcpy_per_byte: SignedGas,
    /// Opening a block, flat (plus one extern call).
    pub block_open_base: SignedGas,
    /// Opening a block, per byte kept in memory.
    pub block_open_memret_per_byte: SignedGas,
    /// Linking (persisting) a block, flat.
    pub block_link_base: SignedGas,
    /// Linking a block, storage per byte.
    pub block_link_storage_per_byte: SignedGas,
    /// Creating a block, flat.
    pub block_create_base: SignedGas,
    /// Creating a block, per byte kept in memory.
    pub block_create_memret_per_byte: SignedGas,
    /// Reading a block, flat.
    pub block_read_base: SignedGas,
    /// Statting a block.
    pub block_stat_base: SignedGas,

    /// Every syscall.
    pub syscall: SignedGas,
    /// Every call out to the node (randomness, block open, consensus fault).
    pub extern_call: SignedGas,

    /// Every executed Wasm instruction except the free ones (`nop`, `drop`, `block`, `loop`,
    /// `unreachable`, `return`, `else`, `end`); growing memory is free.
    pub wasm_instruction: SignedGas,
}

impl Fvm2PriceList {
    /// The storage amount `gas` after the multiplier.
    fn storage(&self, gas: SignedGas) -> SignedGas {
        gas * self.storage_multiplier
    }

    /// Including a message of `len` serialized bytes.
    pub fn on_chain_message(&self, len: usize) -> Fvm2GasCharge {
        let storage =
            self.chain_message_storage_base + self.chain_message_storage_per_byte * factor(len);
        Fvm2GasCharge::new(
            "OnChainMessage",
            self.chain_message_compute,
            self.storage(storage),
        )
    }

    /// Storing a top-level return value of `len` bytes.
    pub fn on_chain_return_value(&self, len: usize) -> Fvm2GasCharge {
        let storage = self.chain_return_per_byte * factor(len) * self.storage_multiplier;
        Fvm2GasCharge::new("OnChainReturnValue", SignedGas::ZERO, storage)
    }

    /// A send of a value (`value_is_zero` or not) to `method`.
    pub fn on_method_invocation(&self, value_is_zero: bool, method: MethodNum) -> Fvm2GasCharge {
        let mut gas = self.send_base;
        if !value_is_zero {
            gas += self.send_transfer_funds;
            if method == METHOD_SEND {
                gas += self.send_transfer_only_premium;
            }
        }
        if method != METHOD_SEND {
            gas += self.send_invoke_method;
        }
        Fvm2GasCharge::new("OnMethodInvocation", gas, SignedGas::ZERO)
    }

    /// Entering any syscall.
    pub fn on_syscall(&self) -> Fvm2GasCharge {
        Fvm2GasCharge::new("OnSyscall", self.syscall, SignedGas::ZERO)
    }

    /// Creating an actor.
    pub fn on_create_actor(&self) -> Fvm2GasCharge {
        Fvm2GasCharge::new(
            "OnCreateActor",
            self.create_actor_compute,
            self.storage(self.create_actor_storage),
        )
    }

    /// Deleting an actor: a negative storage charge.
    pub fn on_delete_actor(&self) -> Fvm2GasCharge {
        Fvm2GasCharge::new(
            "OnDeleteActor",
            SignedGas::ZERO,
            self.storage(self.delete_actor_storage),
        )
    }

    /// Verifying a signature of type `sig_type`. Only BLS and secp256k1 exist at nv17.
    pub fn on_verify_signature(&self, sig_type: SignatureType) -> Fvm2GasCharge {
        let gas = match sig_type {
            SignatureType::BLS => self.bls_signature_verify,
            SignatureType::Secp256k1 => self.secp256k1_signature_verify,
        };
        Fvm2GasCharge::new("OnVerifySignature", gas, SignedGas::ZERO)
    }

    /// Recovering a secp256k1 public key.
    pub fn on_recover_secp_public_key(&self) -> Fvm2GasCharge {
        Fvm2GasCharge::new(
            "OnRecoverSecpPublicKey",
            self.secp256k1_recover,
            SignedGas::ZERO,
        )
    }

    /// Hashing (any function, any length: flat).
    pub fn on_hashing(&self) -> Fvm2GasCharge {
        Fvm2GasCharge::new("OnHashing", self.hashing, SignedGas::ZERO)
    }

    /// Computing an unsealed sector CID.
    pub fn on_compute_unsealed_sector_cid(&self) -> Fvm2GasCharge {
        Fvm2GasCharge::new(
            "OnComputeUnsealedSectorCid",
            self.compute_unsealed_sector_cid,
            SignedGas::ZERO,
        )
    }

    /// Verifying one seal.
    pub fn on_verify_seal(&self) -> Fvm2GasCharge {
        Fvm2GasCharge::new("OnVerifySeal", self.verify_seal, SignedGas::ZERO)
    }

    /// Verifying an aggregate of `count` seal proofs of type `seal_proof`.
    pub fn on_verify_aggregate_seals(
        &self,
        seal_proof: RegisteredSealProof,
        count: usize,
    ) -> Fvm2GasCharge {
        let find = |p| {
            self.verify_aggregate_seals
                .iter()
                .find(|e| e.seal_proof == p)
        };
        let entry = find(seal_proof)
            .or_else(|| find(self.verify_aggregate_seals_fallback))
            .expect("the Skyr aggregate table has its fallback entry");
        let n = factor(count);
        let stair = entry
            .by_count
            .iter()
            .rev()
            .find(|(start, _)| *start <= n)
            .map_or(SignedGas::ZERO, |(_, cost)| *cost);
        Fvm2GasCharge::new(
            "OnVerifyAggregateSeals",
            entry.per_sector * n + stair,
            SignedGas::ZERO,
        )
    }

    /// Verifying a replica update.
    pub fn on_verify_replica_update(&self) -> Fvm2GasCharge {
        Fvm2GasCharge::new(
            "OnVerifyReplicaUpdate",
            self.verify_replica_update,
            SignedGas::ZERO,
        )
    }

    /// Verifying a Window PoSt whose first proof has type `first_proof` (`None`: no proofs)
    /// over `challenged` sectors.
    pub fn on_verify_post(
        &self,
        first_proof: Option<RegisteredPoStProof>,
        challenged: usize,
    ) -> Fvm2GasCharge {
        let code = first_proof.map_or(self.verify_post_fallback, i64::from);
        let find = |c| self.verify_post.iter().find(|e| e.0 == c);
        let (_, flat, scale) = find(code)
            .or_else(|| find(self.verify_post_fallback))
            .expect("the Skyr PoSt table has its fallback entry");
        Fvm2GasCharge::new(
            "OnVerifyPost",
            *flat + *scale * factor(challenged),
            SignedGas::ZERO,
        )
    }

    /// Verifying a consensus fault.
    pub fn on_verify_consensus_fault(&self) -> Fvm2GasCharge {
        Fvm2GasCharge::new(
            "OnVerifyConsensusFault",
            self.extern_call + self.verify_consensus_fault,
            SignedGas::ZERO,
        )
    }

    /// Drawing randomness with `entropy_len` bytes of entropy.
    pub fn on_get_randomness(&self, entropy_len: usize) -> Fvm2GasCharge {
        Fvm2GasCharge::new(
            "OnGetRandomness",
            self.extern_call
                + self.randomness_base
                + self.randomness_per_byte * factor(entropy_len),
            SignedGas::ZERO,
        )
    }

    /// Opening a block, before its size is known.
    pub fn on_block_open_base(&self) -> Fvm2GasCharge {
        Fvm2GasCharge::new(
            "OnBlockOpenBase",
            self.extern_call + self.block_open_base,
            SignedGas::ZERO,
        )
    }

    /// Opening a block of `len` bytes.
    pub fn on_block_open_per_byte(&self, len: usize) -> Fvm2GasCharge {
        let n = factor(len);
        Fvm2GasCharge::new(
            "OnBlockOpenPerByte",
            self.block_open_memret_per_byte * n + self.block_memcpy_per_byte * n,
            SignedGas::ZERO,
        )
    }

    /// Reading `len` bytes of an open block.
    pub fn on_block_read(&self, len: usize) -> Fvm2GasCharge {
        Fvm2GasCharge::new(
            "OnBlockRead",
            self.block_read_base + self.block_memcpy_per_byte * factor(len),
            SignedGas::ZERO,
        )
    }

    /// Creating a block of `len` bytes.
    pub fn on_block_create(&self, len: usize) -> Fvm2GasCharge {
        let n = factor(len);
        let memory = self.block_create_memret_per_byte * n + self.block_memcpy_per_byte * n;
        Fvm2GasCharge::new(
            "OnBlockCreate",
            self.block_create_base + memory,
            SignedGas::ZERO,
        )
    }

    /// Linking a block of `len` bytes: two copies (to the buffered store, then to the node's)
    /// and its storage.
    pub fn on_block_link(&self, len: usize) -> Fvm2GasCharge {
        let n = factor(len);
        let copies = self.block_memcpy_per_byte * n * 2;
        Fvm2GasCharge::new(
            "OnBlockLink",
            self.block_link_base + copies,
            self.block_link_storage_per_byte * self.storage_multiplier * n,
        )
    }

    /// Statting a block.
    pub fn on_block_stat(&self) -> Fvm2GasCharge {
        Fvm2GasCharge::new("OnBlockStat", self.block_stat_base, SignedGas::ZERO)
    }
}

const fn gas(n: i64) -> SignedGas {
    SignedGas::new(n)
}

/// The aggregate seal stairs of 32 GiB sectors.
const AGGREGATE_32GIB: &[(i64, SignedGas)] = &[
    (4, gas(103_994_170)),
    (7, gas(112_356_810)),
    (13, gas(122_912_610)),
    (26, gas(137_559_930)),
    (52, gas(162_039_100)),
    (103, gas(210_960_780)),
    (205, gas(318_351_180)),
    (410, gas(528_274_980)),
];

/// The aggregate seal stairs of 64 GiB sectors.
const AGGREGATE_64GIB: &[(i64, SignedGas)] = &[
    (4, gas(102_581_240)),
    (7, gas(110_803_030)),
    (13, gas(120_803_700)),
    (26, gas(134_642_130)),
    (52, gas(157_357_890)),
    (103, gas(203_017_690)),
    (205, gas(304_253_590)),
    (410, gas(509_880_640)),
];

/// Window PoSt types 7, 8 and 9 (512 MiB, 32 GiB and 64 GiB, version 1) all cost the same.
const POST_FLAT: SignedGas = gas(117_680_921);
/// Per challenged sector.
const POST_PER_SECTOR: SignedGas = gas(43_780);

/// The Skyr table (introduced at nv16, in force at nv17): `fvm` 2.12.2 `SKYR_PRICES`.
pub static SKYR: Fvm2PriceList = Fvm2PriceList {
    storage_multiplier: 1300,

    chain_message_compute: gas(38_863),
    chain_message_storage_base: gas(36),
    chain_message_storage_per_byte: gas(1),
    chain_return_per_byte: gas(1),

    send_base: gas(29_233),
    send_transfer_funds: gas(27_500),
    send_transfer_only_premium: gas(159_672),
    send_invoke_method: gas(-5_377),

    create_actor_compute: gas(1_108_454),
    // An actor record (36) and its address-map entry (40).
    create_actor_storage: gas(36 + 40),
    delete_actor_storage: gas(-(36 + 40)),

    bls_signature_verify: gas(16_598_605),
    secp256k1_signature_verify: gas(1_637_292),
    secp256k1_recover: gas(1_637_292),
    hashing: gas(31_355),

    compute_unsealed_sector_cid: gas(98_647),
    verify_seal: gas(2_000),
    verify_aggregate_seals: &[
        SealAggregatePrice {
            seal_proof: RegisteredSealProof::StackedDRG32GiBV1P1,
            per_sector: gas(449_900),
            by_count: AGGREGATE_32GIB,
        },
        SealAggregatePrice {
            seal_proof: RegisteredSealProof::StackedDRG64GiBV1P1,
            per_sector: gas(359_272),
            by_count: AGGREGATE_64GIB,
        },
    ],
    verify_aggregate_seals_fallback: RegisteredSealProof::StackedDRG32GiBV1P1,
    verify_post: &[
        (7, POST_FLAT, POST_PER_SECTOR),
        (8, POST_FLAT, POST_PER_SECTOR),
        (9, POST_FLAT, POST_PER_SECTOR),
    ],
    verify_post_fallback: 7,
    verify_consensus_fault: gas(495_422),
    verify_replica_update: gas(36_316_136),

    randomness_base: SignedGas::ZERO,
    randomness_per_byte: SignedGas::ZERO,

    block_memcpy_per_byte: SignedGas::from_milligas(500),
    block_open_base: gas(114_617),
    block_open_memret_per_byte: gas(10),
    block_link_base: gas(353_640),
    block_link_storage_per_byte: gas(1),
    block_create_base: SignedGas::ZERO,
    block_create_memret_per_byte: gas(10),
    block_read_base: SignedGas::ZERO,
    block_stat_base: SignedGas::ZERO,

    syscall: gas(14_000),
    extern_call: gas(21_000),

    wasm_instruction: gas(4),
};
