//! [`PriceList`]: every gas price of one network version, and the charge each kernel operation
//! makes.
//!
//! The tables themselves live in [`super::prices`]; this file only defines their shape and the
//! formulas. Charge names are the ones that appear in execution traces and must not change.

use fern_shared::crypto::{SignatureType, SupportedHashes};
use fern_shared::sector::{RegisteredPoStProof, RegisteredSealProof};
use fern_shared::{ActorID, ChainEpoch};

use super::units::count_u64;
use super::{Gas, GasCharge, ScalingCost, StepCost, WasmGasPrices};

/// Upper bound, in bytes, of the CBOR framing of one stamped event (tuple header, emitter id and
/// entry-array header) used to estimate an event's stored size.
pub const EVENT_FRAMING_BYTES: u64 = 12;

/// Upper bound, in bytes, of the CBOR framing of one event entry (tuple header, flags, key
/// header, codec and value header).
pub const EVENT_ENTRY_FRAMING_BYTES: u64 = 9;

/// Per-hash-function price of hashing, by input byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashPrices {
    /// SHA2-256.
    pub sha2_256: ScalingCost,
    /// BLAKE2b-256 (also the CID hash of every stored block).
    pub blake2b_256: ScalingCost,
    /// BLAKE2b-512.
    pub blake2b_512: ScalingCost,
    /// Keccak-256.
    pub keccak_256: ScalingCost,
    /// RIPEMD-160.
    pub ripemd_160: ScalingCost,
}

impl HashPrices {
    /// The price shape of one hash function.
    pub fn of(&self, hash: SupportedHashes) -> ScalingCost {
        match hash {
            SupportedHashes::Sha2_256 => self.sha2_256,
            SupportedHashes::Blake2b256 => self.blake2b_256,
            SupportedHashes::Blake2b512 => self.blake2b_512,
            SupportedHashes::Keccak256 => self.keccak_256,
            SupportedHashes::Ripemd160 => self.ripemd_160,
        }
    }
}

/// Price of verifying an aggregate of seal proofs of one registered seal proof type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AggregateSealPrice {
    /// The seal proof type this entry prices.
    pub seal_proof: RegisteredSealProof,
    /// Paid for every sector in the aggregate.
    pub per_sector: Gas,
    /// Paid once, by how many sectors the aggregate holds.
    pub by_count: StepCost,
}

/// Prices of aggregate seal verification, by seal proof type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AggregateSealPrices {
    /// Priced proof types.
    pub entries: &'static [AggregateSealPrice],
    /// The proof type whose entry prices any proof type not listed.
    pub fallback_seal_proof: RegisteredSealProof,
}

impl AggregateSealPrices {
    /// The entry pricing `seal_proof`.
    pub fn for_proof(&self, seal_proof: RegisteredSealProof) -> &AggregateSealPrice {
        let find = |p: RegisteredSealProof| self.entries.iter().find(|e| e.seal_proof == p);
        find(seal_proof)
            .or_else(|| find(self.fallback_seal_proof))
            .expect("aggregate seal price table lacks its fallback entry")
    }
}

/// Prices of Window PoSt verification, by PoSt proof type: flat plus per challenged sector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PostPrices {
    /// `(PoSt proof type, price)` pairs.
    pub entries: &'static [(RegisteredPoStProof, ScalingCost)],
    /// The proof type whose price applies to unlisted types and to submissions without proofs.
    pub fallback_post_proof: RegisteredPoStProof,
}

impl PostPrices {
    /// The price shape for `post_proof`.
    pub fn for_proof(&self, post_proof: Option<RegisteredPoStProof>) -> ScalingCost {
        let find = |p: RegisteredPoStProof| self.entries.iter().find(|e| e.0 == p).map(|e| e.1);
        post_proof
            .and_then(find)
            .or_else(|| find(self.fallback_post_proof))
            .expect("PoSt price table lacks its fallback entry")
    }
}

/// The generation of the reference FVM whose kernel rules a network version follows.
///
/// Network versions 18 to 20 ran on ref-fvm 3.x, 21 on on ref-fvm 4.x. The two differ in a few
/// syscall signatures (`event::emit_event`, `rand::*`, `self::self_destruct`), in IPLD
/// reachability (none in 3.x) and in how some operations are charged; FIPS/versions.md lists
/// every difference with its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KernelGeneration {
    /// ref-fvm 3.x rules (network versions 18 to 20, actor bundles v10 and v11).
    Fvm3,
    /// ref-fvm 4.x rules (network versions 21 on).
    Fvm4,
}

/// All prices of one network version. Every field is named after what it pays for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceList {
    /// The kernel rules these prices go with: which syscalls exist, and which charges are made
    /// at all (ref-fvm 3.x tracks no IPLD links and charges nothing for them).
    pub generation: KernelGeneration,

    // ---- Messages ----
    /// Compute part of including a message on chain, by serialized message byte.
    pub chain_message_compute: ScalingCost,
    /// Storage part of including a message on chain, by serialized message byte.
    pub chain_message_storage: ScalingCost,
    /// Compute part of storing a top-level return value on chain, by byte.
    pub chain_return_compute: ScalingCost,
    /// Storage part of storing a top-level return value on chain, by byte.
    pub chain_return_storage: ScalingCost,

    // ---- Sends ----
    /// Moving a non-zero value between actors.
    pub value_transfer: Gas,
    /// Invoking an actor method (any send that is not a bare transfer).
    pub method_invocation: Gas,

    // ---- State tree ----
    /// Loading an actor from the state tree.
    pub actor_lookup: Gas,
    /// Writing an updated actor to the state tree.
    pub actor_update: Gas,
    /// Storing a brand-new actor in the state tree.
    pub actor_create_storage: Gas,
    /// Looking an address up in the init actor's address map.
    pub address_lookup: Gas,
    /// Assigning an address in the init actor's address map.
    pub address_assignment: Gas,
    /// Actors whose first state-tree access in a message is free (preloaded by every node).
    pub preloaded_actors: &'static [ActorID],

    // ---- Cryptography ----
    /// Verifying a secp256k1 signature, by plaintext byte.
    pub secp256k1_signature_verify: ScalingCost,
    /// Verifying a BLS signature, by plaintext byte.
    pub bls_signature_verify: ScalingCost,
    /// Recovering a secp256k1 public key from a signature.
    pub secp256k1_public_key_recover: Gas,
    /// One BLS pairing (an aggregate over n signers costs n + 1 pairings).
    pub bls_pairing: Gas,
    /// Hashing plaintexts to the curve for a BLS aggregate, by plaintext byte.
    pub bls_aggregate_hashing: ScalingCost,
    /// Hashing, by function and input byte.
    pub hashing: HashPrices,

    // ---- Proofs ----
    /// Computing an unsealed sector CID from pieces.
    pub compute_unsealed_sector_cid: Gas,
    /// Verifying one seal in a batch.
    pub verify_seal: Gas,
    /// Verifying an aggregate of seals.
    pub verify_aggregate_seals: AggregateSealPrices,
    /// Verifying a Window PoSt.
    pub verify_post: PostPrices,
    /// Verifying a consensus fault (charged as "other" gas: it is an extern call).
    pub verify_consensus_fault: Gas,
    /// Verifying a replica (snap deal) update.
    pub verify_replica_update: Gas,

    // ---- Chain history ----
    /// Walking back the chain, by epoch of lookback (randomness, tipset CIDs). ref-fvm 4.x only.
    pub chain_lookback: ScalingCost,
    /// Fetching a randomness digest from the node before drawing from it (ref-fvm 3.x only: the
    /// kernel then hashes the draw, priced as BLAKE2b-256 of the entropy plus 48 bytes).
    pub randomness_base: Gas,
    /// The CID of the previous tipset (ref-fvm 3.x only).
    pub tipset_cid_latest: Gas,
    /// The CID of an older tipset within finality (ref-fvm 3.x only).
    pub tipset_cid_historical: Gas,

    // ---- Blocks and memory ----
    /// Copying block bytes, by byte.
    pub block_memcpy: ScalingCost,
    /// Allocating block bytes, by byte.
    pub block_allocate: ScalingCost,
    /// The least a block kept in memory must cost, by byte (bounds total memory per message).
    pub block_retention_minimum: ScalingCost,
    /// Fetching a block from the blockstore: flat per read, per byte.
    pub block_open: ScalingCost,
    /// Storing a linked block for good, by byte.
    pub block_persist_storage: ScalingCost,
    /// Flushing a linked block to the blockstore at the end.
    pub block_persist_compute: Gas,
    /// Scanning one CBOR header while looking for links.
    pub ipld_cbor_scan_per_field: Gas,
    /// Decoding one CID found while scanning CBOR.
    pub ipld_cbor_scan_per_cid: Gas,
    /// Recording one newly reachable link.
    pub ipld_link_tracked: Gas,
    /// Checking that one link is reachable.
    pub ipld_link_checked: Gas,

    // ---- Events ----
    /// Validating an event, by entry (ref-fvm 4.x).
    pub event_per_entry: ScalingCost,
    /// Validating UTF-8, by byte (ref-fvm 4.x).
    pub utf8_validation: ScalingCost,
    /// Decoding and validating a CBOR-encoded event, by encoded byte (ref-fvm 3.x).
    pub event_validation: ScalingCost,
    /// Indexing an event: flat per indexed key or value, per indexed byte (ref-fvm 3.x; zero on
    /// every network so far).
    pub event_index_element: ScalingCost,

    // ---- Context and manifest ----
    /// Looking up the builtin-actor manifest (by CID or by type).
    pub builtin_actor_manifest_lookup: Gas,
    /// Reading the network context.
    pub network_context: Gas,
    /// Reading the message context.
    pub message_context: Gas,
    /// Compiling an installed actor's Wasm, by byte.
    pub install_wasm_per_byte: Gas,

    // ---- Wasm execution ----
    /// Per-instruction and memory prices of Wasm execution.
    pub wasm: WasmGasPrices,
}

fn compute(name: &'static str, gas: Gas) -> GasCharge {
    GasCharge::named(name, gas, Gas::ZERO)
}

fn other(name: &'static str, gas: Gas) -> GasCharge {
    GasCharge::named(name, Gas::ZERO, gas)
}

fn free(name: &'static str) -> GasCharge {
    GasCharge::named(name, Gas::ZERO, Gas::ZERO)
}

impl PriceList {
    // ---------------- Messages ----------------

    /// `OnChainMessage`: including a message of `msg_len` serialized bytes, plus updating the
    /// sender (nonce and balance) in the state tree.
    pub fn on_chain_message(&self, msg_len: usize) -> GasCharge {
        let n = count_u64(msg_len);
        GasCharge::named(
            "OnChainMessage",
            self.chain_message_compute.apply(n),
            self.actor_update + self.chain_message_storage.apply(n),
        )
    }

    /// `OnChainReturnValue`: a top-level (depth 1) return value of `len` bytes stored on chain.
    pub fn on_chain_return_value(&self, len: usize) -> GasCharge {
        let n = count_u64(len);
        GasCharge::named(
            "OnChainReturnValue",
            self.chain_return_compute.apply(n),
            self.chain_return_storage.apply(n),
        )
    }

    /// `OnReturnValue`: a nested return value carrying `links` reachable links.
    pub fn on_return_value(&self, links: usize) -> GasCharge {
        compute("OnReturnValue", self.ipld_link_tracked * links)
    }

    /// The return-value charge for a call at `call_depth` (1 = the message's own call): the
    /// on-chain charge at depth 1, the link-tracking charge elsewhere (none at all under ref-fvm
    /// 3.x rules, which track no links).
    pub fn on_method_return(&self, call_depth: u32, len: usize, links: usize) -> Option<GasCharge> {
        if call_depth == 1 {
            Some(self.on_chain_return_value(len))
        } else {
            match self.generation {
                KernelGeneration::Fvm3 => None,
                KernelGeneration::Fvm4 => Some(self.on_return_value(links)),
            }
        }
    }

    // ---------------- Sends ----------------

    /// `OnValueTransfer`: a send moving a non-zero value.
    pub fn on_value_transfer(&self) -> GasCharge {
        compute("OnValueTransfer", self.value_transfer)
    }

    /// `OnMethodInvocation`: invoking a method with parameters carrying `param_links` links.
    pub fn on_method_invocation(&self, param_links: usize) -> GasCharge {
        compute(
            "OnMethodInvocation",
            self.method_invocation + self.ipld_link_tracked * param_links,
        )
    }

    // ---------------- Actors and the state tree ----------------

    /// `OnActorLookup`: loading an actor from the state tree.
    pub fn on_actor_lookup(&self) -> GasCharge {
        other("OnActorLookup", self.actor_lookup)
    }

    /// `OnActorUpdate`: writing an actor back (the lookup is charged separately).
    pub fn on_actor_update(&self) -> GasCharge {
        other("OnActorUpdate", self.actor_update)
    }

    /// `OnActorCreate`: storing a new actor (lookup and update are charged separately).
    pub fn on_actor_create(&self) -> GasCharge {
        other("OnActorCreate", self.actor_create_storage)
    }

    /// `OnCreateActor`: creating an actor; with `assigns_address` the init actor's address map is
    /// also read and written.
    pub fn on_create_actor(&self, assigns_address: bool) -> GasCharge {
        let mut gas = self.actor_create_storage;
        if assigns_address {
            gas += self.address_assignment + self.address_lookup;
        }
        other("OnCreateActor", gas)
    }

    /// `OnDeleteActor`: deleting the calling actor (free).
    pub fn on_delete_actor(&self) -> GasCharge {
        free("OnDeleteActor")
    }

    /// `OnResolveAddress`: resolving an address to an actor id (free; lookups are charged).
    pub fn on_resolve_address(&self) -> GasCharge {
        free("OnResolveAddress")
    }

    /// `OnLookupAddress`: looking up an actor's delegated address (free). Note the trace name
    /// differs from the operation's name.
    pub fn on_lookup_delegated_address(&self) -> GasCharge {
        free("OnLookupAddress")
    }

    /// `OnGetActorCodeCid`: reading an actor's code CID (free; the lookup is charged).
    pub fn on_get_actor_code_cid(&self) -> GasCharge {
        free("OnGetActorCodeCid")
    }

    /// `OnGetBuiltinActorType`: mapping a code CID to a builtin actor type.
    pub fn on_get_builtin_actor_type(&self) -> GasCharge {
        compute("OnGetBuiltinActorType", self.builtin_actor_manifest_lookup)
    }

    /// `OnGetCodeCidForType`: mapping a builtin actor type to its code CID.
    pub fn on_get_code_cid_for_type(&self) -> GasCharge {
        compute("OnGetCodeCidForType", self.builtin_actor_manifest_lookup)
    }

    /// `OnSelfBalance`: reading the calling actor's balance (free).
    pub fn on_self_balance(&self) -> GasCharge {
        free("OnSelfBalance")
    }

    /// `OnBalanceOf`: reading another actor's balance (free; the lookup is charged).
    pub fn on_balance_of(&self) -> GasCharge {
        free("OnBalanceOf")
    }

    /// `OnActorGetRoot`: reading the calling actor's state root (tracks one link).
    pub fn on_get_root(&self) -> GasCharge {
        compute("OnActorGetRoot", self.ipld_link_tracked)
    }

    /// `OnActorSetRoot`: setting the calling actor's state root (checks one link).
    pub fn on_set_root(&self) -> GasCharge {
        compute("OnActorSetRoot", self.ipld_link_checked)
    }

    /// `OnInstallActor`: compiling `wasm_len` bytes of actor code.
    pub fn on_install_actor(&self, wasm_len: usize) -> GasCharge {
        compute("OnInstallActor", self.install_wasm_per_byte * wasm_len)
    }

    // ---------------- Context ----------------

    /// `OnNetworkContext`: the `network::context` syscall.
    pub fn on_network_context(&self) -> GasCharge {
        compute("OnNetworkContext", self.network_context)
    }

    /// `OnMessageContext`: the `vm::message_context` syscall.
    pub fn on_message_context(&self) -> GasCharge {
        compute("OnMessageContext", self.message_context)
    }

    /// `OnGetRandomness`: chain or beacon randomness `lookback` epochs back.
    ///
    /// A negative lookback is reinterpreted as an unsigned number (two's complement) and thus
    /// saturates the charge.
    pub fn on_get_randomness(&self, lookback: ChainEpoch) -> GasCharge {
        other(
            "OnGetRandomness",
            self.chain_lookback.apply(lookback as u64),
        )
    }

    /// `OnTipsetCid`: the CID of the tipset `lookback` epochs back.
    pub fn on_tipset_cid(&self, lookback: ChainEpoch) -> GasCharge {
        other("OnTipsetCid", self.chain_lookback.apply(lookback as u64))
    }

    /// `OnGetRandomness` under ref-fvm 3.x rules: fetching the digest, then hashing the
    /// personalisation (8 bytes), the digest (32), the round (8) and `entropy_len` bytes of
    /// entropy.
    pub fn on_draw_randomness(&self, entropy_len: usize) -> GasCharge {
        const DRAW_PREFIX_BYTES: u64 = 8 + 32 + 8;
        other(
            "OnGetRandomness",
            self.randomness_base
                + self
                    .hashing
                    .blake2b_256
                    .apply(count_u64(entropy_len).saturating_add(DRAW_PREFIX_BYTES)),
        )
    }

    /// `OnTipsetCid` under ref-fvm 3.x rules: the previous tipset, or an older one.
    pub fn on_tipset_cid_within_finality(&self, historical: bool) -> GasCharge {
        other(
            "OnTipsetCid",
            if historical {
                self.tipset_cid_historical
            } else {
                self.tipset_cid_latest
            },
        )
    }

    // ---------------- IPLD blocks ----------------

    /// `OnBlockOpenBase`: the size-independent part of opening a block (checking the link and
    /// fetching it), charged before the block is read.
    pub fn on_block_open_base(&self) -> GasCharge {
        GasCharge::named(
            "OnBlockOpenBase",
            self.ipld_link_checked,
            self.block_open.flat,
        )
    }

    /// `OnBlockOpen`: the size-dependent part of opening a block of `len` bytes with `links`
    /// reachable children, topped up to the memory-retention minimum.
    ///
    /// Under ref-fvm 3.x rules (no links) it is `OnBlockOpenPerByte`, with the copy and
    /// allocation as compute gas and the rest as other gas; the total is the same.
    pub fn on_block_open(&self, len: usize, links: usize) -> GasCharge {
        let n = count_u64(len);
        if self.generation == KernelGeneration::Fvm3 {
            let work = self.block_allocate.apply(n) + self.block_memcpy.apply(n);
            let fetch = self.block_open.scale.times(n);
            let top_up = self.block_retention_minimum.apply(n) - (work + fetch);
            return GasCharge::named("OnBlockOpenPerByte", work, fetch + top_up);
        }
        let tracking = self.ipld_link_tracked * links;
        let loading = self.block_open.scale.times(n)
            + self.block_allocate.apply(n)
            + self.block_memcpy.apply(n);
        let top_up = self.block_retention_minimum.apply(n) - (tracking + loading);
        GasCharge::named("OnBlockOpen", tracking, loading + top_up)
    }

    /// `OnBlockRead`: copying `len` bytes of an open block into actor memory.
    pub fn on_block_read(&self, len: usize) -> GasCharge {
        compute("OnBlockRead", self.block_memcpy.apply(count_u64(len)))
    }

    /// `OnBlockCreate`: creating a block of `len` bytes with `links` children, topped up to the
    /// memory-retention minimum.
    pub fn on_block_create(&self, len: usize, links: usize) -> GasCharge {
        let n = count_u64(len);
        let work = self.block_memcpy.apply(n)
            + self.block_allocate.apply(n)
            + self.ipld_link_checked * links;
        let top_up = self.block_retention_minimum.apply(n) - work;
        GasCharge::named("OnBlockCreate", work, top_up)
    }

    /// `OnBlockLink`: hashing a block of `len` bytes with `hash` into a CID and persisting it.
    pub fn on_block_link(&self, hash: SupportedHashes, len: usize) -> GasCharge {
        let n = count_u64(len);
        let now = self.block_memcpy.apply(n)
            + self.block_allocate.apply(n)
            + self.hashing.of(hash).apply(n)
            + self.ipld_link_tracked;
        let later = self.block_persist_compute + self.block_persist_storage.apply(n);
        GasCharge::named("OnBlockLink", now, later)
    }

    /// `OnBlockStat`: reading an open block's codec and size (free).
    pub fn on_block_stat(&self) -> GasCharge {
        free("OnBlockStat")
    }

    /// `OnScanIpldLinks`: the sum spent scanning a block for links (see
    /// [`GasBudget`](super::GasBudget), [`ipld_cbor_scan_per_field`](Self::ipld_cbor_scan_per_field)
    /// and [`ipld_cbor_scan_per_cid`](Self::ipld_cbor_scan_per_cid)).
    pub fn on_scan_ipld_links(&self, spent: Gas) -> GasCharge {
        compute("OnScanIpldLinks", spent)
    }

    // ---------------- Cryptography ----------------

    /// `OnVerifySignature`: verifying a signature over `plaintext_len` bytes.
    pub fn on_verify_signature(&self, sig_type: SignatureType, plaintext_len: usize) -> GasCharge {
        let shape = match sig_type {
            SignatureType::Secp256k1 => self.secp256k1_signature_verify,
            SignatureType::BLS => self.bls_signature_verify,
        };
        compute("OnVerifySignature", shape.apply(count_u64(plaintext_len)))
    }

    /// `OnVerifyBlsAggregateSignature`: verifying an aggregate BLS signature of `signers` signers
    /// over `plaintexts_len` bytes in total (`signers + 1` pairings).
    pub fn on_verify_aggregate_signature(
        &self,
        signers: usize,
        plaintexts_len: usize,
    ) -> GasCharge {
        let pairings = count_u64(signers).saturating_add(1);
        compute(
            "OnVerifyBlsAggregateSignature",
            self.bls_pairing * pairings
                + self.bls_aggregate_hashing.apply(count_u64(plaintexts_len)),
        )
    }

    /// `OnRecoverSecpPublicKey`: recovering a secp256k1 public key.
    pub fn on_recover_secp_public_key(&self) -> GasCharge {
        compute("OnRecoverSecpPublicKey", self.secp256k1_public_key_recover)
    }

    /// `OnHashing`: hashing `len` bytes with `hash`.
    pub fn on_hashing(&self, hash: SupportedHashes, len: usize) -> GasCharge {
        compute("OnHashing", self.hashing.of(hash).apply(count_u64(len)))
    }

    /// `OnUtf8Validation`: validating `len` bytes of UTF-8.
    pub fn on_utf8_validation(&self, len: usize) -> GasCharge {
        compute(
            "OnUtf8Validation",
            self.utf8_validation.apply(count_u64(len)),
        )
    }

    // ---------------- Proofs ----------------

    /// `OnComputeUnsealedSectorCid`: independent of the proof type and the pieces.
    pub fn on_compute_unsealed_sector_cid(&self) -> GasCharge {
        compute(
            "OnComputeUnsealedSectorCid",
            self.compute_unsealed_sector_cid,
        )
    }

    /// `OnVerifySeal`: one seal of a `batch_verify_seals` call (charged once per seal).
    pub fn on_verify_seal(&self) -> GasCharge {
        compute("OnVerifySeal", self.verify_seal)
    }

    /// `OnVerifyAggregateSeals`: an aggregate of `sectors` seals of proof type `seal_proof`.
    pub fn on_verify_aggregate_seals(
        &self,
        seal_proof: RegisteredSealProof,
        sectors: usize,
    ) -> GasCharge {
        let price = self.verify_aggregate_seals.for_proof(seal_proof);
        let n = count_u64(sectors);
        compute(
            "OnVerifyAggregateSeals",
            price.per_sector * n + price.by_count.lookup(n),
        )
    }

    /// `OnVerifyReplicaUpdate`: a replica update proof.
    pub fn on_verify_replica_update(&self) -> GasCharge {
        compute("OnVerifyReplicaUpdate", self.verify_replica_update)
    }

    /// `OnVerifyPost`: a Window PoSt whose first proof has type `first_post_proof` (`None` if it
    /// has no proofs) over `challenged_sectors` sectors.
    pub fn on_verify_post(
        &self,
        first_post_proof: Option<RegisteredPoStProof>,
        challenged_sectors: usize,
    ) -> GasCharge {
        let shape = self.verify_post.for_proof(first_post_proof);
        compute("OnVerifyPost", shape.apply(count_u64(challenged_sectors)))
    }

    /// `OnVerifyConsensusFault`: verifying a consensus fault (independent of the header sizes).
    pub fn on_verify_consensus_fault(&self) -> GasCharge {
        other("OnVerifyConsensusFault", self.verify_consensus_fault)
    }

    // ---------------- Events ----------------

    /// `OnActorEvent`: emitting an event of `entries` entries whose keys total `key_len` bytes and
    /// values total `value_len` bytes.
    ///
    /// The stored size is estimated from framing upper bounds; the event is copied three times
    /// (validation, storage, return to the client) and hashed once into the events AMT.
    pub fn on_actor_event(&self, entries: usize, key_len: usize, value_len: usize) -> GasCharge {
        let size = EVENT_FRAMING_BYTES
            .saturating_add(EVENT_ENTRY_FRAMING_BYTES.saturating_mul(count_u64(entries)))
            .saturating_add(count_u64(key_len))
            .saturating_add(count_u64(value_len));
        let one_copy = self.block_memcpy.apply(size) + self.block_allocate.apply(size);
        let validation = self.event_per_entry.apply(count_u64(entries))
            + self.utf8_validation.apply(count_u64(key_len));
        let hashing = self.hashing.blake2b_256.apply(size);
        GasCharge::named(
            "OnActorEvent",
            one_copy * 2u64 + validation,
            hashing + one_copy,
        )
    }

    /// `OnActorEventValidate` (ref-fvm 3.x): copying and decoding a CBOR-encoded event of
    /// `len` bytes, charged before it is decoded.
    pub fn on_actor_event_validate(&self, len: usize) -> GasCharge {
        let n = count_u64(len);
        compute(
            "OnActorEventValidate",
            self.block_memcpy.apply(n)
                + self.block_allocate.apply(n)
                + self.event_validation.apply(n),
        )
    }

    /// `OnActorEventAccept` (ref-fvm 3.x): keeping a valid event of `len` encoded bytes with
    /// `indexed_elements` indexed keys and values totalling `indexed_bytes`. The stamped event
    /// is estimated at [`EVENT_FRAMING_BYTES`] more than the event; it is copied three times,
    /// allocated twice and hashed once into the events AMT (all but one copy and one allocation
    /// as other gas).
    pub fn on_actor_event_accept(
        &self,
        indexed_elements: usize,
        indexed_bytes: usize,
        len: usize,
    ) -> GasCharge {
        let size = count_u64(len).saturating_add(EVENT_FRAMING_BYTES);
        let memcpy = self.block_memcpy.apply(size);
        let alloc = self.block_allocate.apply(size);
        let hash = self.hashing.blake2b_256.apply(size);
        let indexing = self.event_index_element.flat * count_u64(indexed_elements)
            + self.event_index_element.scale * count_u64(indexed_bytes);
        GasCharge::named(
            "OnActorEventAccept",
            memcpy + alloc,
            indexing + memcpy * 2u64 + alloc + hash,
        )
    }

    // ---------------- Wasm ----------------

    /// `OnSyscall`: the flat charge on entering any syscall.
    pub fn on_syscall(&self) -> GasCharge {
        compute("OnSyscall", self.wasm.host_call)
    }

    /// `wasm_memory_init`: the initial linear memory (`bytes`) of a new instance.
    pub fn on_wasm_memory_init(&self, bytes: usize) -> GasCharge {
        compute(
            "wasm_memory_init",
            self.wasm.memory_fill_gas(count_u64(bytes)),
        )
    }

    /// `wasm_table_init`: the initial table (`elements` entries) of a new instance.
    pub fn on_wasm_table_init(&self, elements: u64) -> GasCharge {
        compute("wasm_table_init", self.wasm.table_fill_gas(elements))
    }

    /// `wasm_memory_grow`: memory grown by `bytes` since the last accounting point.
    pub fn on_wasm_memory_grow(&self, bytes: usize) -> GasCharge {
        compute(
            "wasm_memory_grow",
            self.wasm.memory_fill_gas(count_u64(bytes)),
        )
    }
}
