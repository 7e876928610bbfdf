//! The kernel of network version 17 (ref-fvm 2.x rules): the meaning of each of the
//! generation's 36 syscalls for one invocation on an [`Fvm2CallManager`].
//!
//! Charges come from the Skyr table ([`crate::gas::fvm2`]) and land on the message's single
//! signed gas account. Reading and writing actors costs nothing; blocks cost a flat open charge
//! plus a per-byte one, creation and linking per byte; hashing, signatures and proofs are flat
//! (PoSt and aggregates by type and count). Every method follows ref-fvm 2.12's
//! `kernel/default.rs` in the order of its checks and charges; the differences from later
//! generations are listed in FIPS/versions.md §7. Notably:
//!
//! - only DAG-CBOR blocks can be held ([`put_block`]); blocks are opened without a
//!   reachability check, and a block missing from the store is fatal;
//! - `verify_signature` resolves an ID or actor-address signer through its account state
//!   (charging a block open for it), and charges before;
//! - `hash` charges before checking the hash code;
//! - `self_destruct` charges `OnDeleteActor`, a *refund*, first;
//! - `batch_verify_seals` charges nothing and turns every error into "invalid";
//! - `gas::charge` accepts a negative amount, which refunds;
//! - `create_actor` takes the new actor's ID from the caller, and refuses non-built-in codes,
//!   singletons and existing IDs (`Forbidden`) before charging.

use std::panic::{catch_unwind, AssertUnwindSafe};

use anyhow::{anyhow, Context as _};
use cid::Cid;
use fern_shared::address::{Address, Protocol};
use fern_shared::consensus::ConsensusFault;
use fern_shared::consts::{empty_arr_cid, BLAKE2B_256};
use fern_shared::crypto::{SignatureType, SupportedHashes, SECP_PUB_LEN, SECP_SIG_LEN};
use fern_shared::econ::TokenAmount;
use fern_shared::error::ErrorNumber;
use fern_shared::piece::PieceInfo;
use fern_shared::sector::{
    AggregateSealVerifyProofAndInfos, RegisteredSealProof, ReplicaUpdateInfo, SealVerifyInfo,
    WindowPoStVerifyInfo,
};
use fern_shared::state::ActorState;
use fern_shared::{ActorID, ChainEpoch, MethodNum};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::DAG_CBOR;
use multihash_codetable::{Code, MultihashDigest};

use super::crypto::{digest, signatures};
use super::proof_types::{unknown_proof_type, FVM2 as KNOWN_PROOFS};
use super::{draw_randomness, BlockRegistry, BlockStat, CallResult};
use crate::call_manager::{
    syscall_error, Block, Classify, ExecutionError, Fvm2CallManager, Result, NO_DATA_BLOCK_ID,
};
use crate::gas::fvm2::{Fvm2GasCharge, SignedGas};
use crate::gas::limits::MAX_ARTIFACT_NAME_LEN;
use crate::machine::Externs;

/// The kernel of one nv17 invocation.
pub struct Fvm2Kernel<B: Blockstore + 'static, E: Externs + 'static> {
    /// The message's call manager, lent to this invocation.
    pub call_manager: Fvm2CallManager<B, E>,
    /// The invocation's blocks.
    pub blocks: BlockRegistry,
    /// Who called.
    pub caller: ActorID,
    /// The running actor.
    pub actor_id: ActorID,
    /// The method number.
    pub method: MethodNum,
    /// The value received with the call.
    pub value_received: TokenAmount,
}

/// Adds `block` to `blocks` under nv17 rules (ref-fvm 2.12 `BlockRegistry::put`): only DAG-CBOR
/// blocks are held (`IllegalCodec`), and at most `i32::MAX` of them (`LimitExceeded`).
pub fn put_block(blocks: &mut BlockRegistry, block: Block) -> Result<u32> {
    if blocks.is_full() {
        return Err(syscall_error(ErrorNumber::LimitExceeded, "too many blocks"));
    }
    if block.codec() != DAG_CBOR {
        return Err(syscall_error(
            ErrorNumber::IllegalCodec,
            format!("codec {} not allowed", block.codec()),
        ));
    }
    blocks.put_reachable(block)
}

fn err(number: ErrorNumber, message: impl Into<String>) -> ExecutionError {
    syscall_error(number, message)
}

/// Runs `f`, turning a panic into `IllegalArgument` (ref-fvm 2.x `catch_and_log_panic`).
fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(err(
            ErrorNumber::IllegalArgument,
            format!("panic when {what}"),
        ))
    })
}

impl<B: Blockstore + 'static, E: Externs + 'static> Fvm2Kernel<B, E> {
    fn charge(&mut self, charge: Fvm2GasCharge) -> Result<()> {
        self.call_manager.charge(charge)
    }

    fn prices(&self) -> &'static crate::gas::fvm2::Fvm2PriceList {
        self.call_manager.prices()
    }

    // ---------------- gas ----------------

    /// Gas still available (may be negative only if the limit was).
    pub fn gas_available(&self) -> SignedGas {
        self.call_manager.gas.gas_available()
    }

    /// A compute charge under `name` (Wasm execution gas, `OnSyscall`, and `gas::charge`, whose
    /// amount may be negative: a refund).
    pub fn charge_gas(&mut self, name: &str, amount: SignedGas) -> Result<()> {
        self.call_manager
            .gas
            .charge_gas(name, amount)
            .map_err(|_| ExecutionError::OutOfGas)
    }

    // ---------------- actors and addresses ----------------

    /// The key address behind `addr`: f1 and f3 addresses as they are; otherwise the actor must
    /// exist (`NotFound`) and be an account (`IllegalArgument`), and the address is read from its
    /// state, paying a block open when `charge` is set. A missing or undecodable account state
    /// is fatal.
    fn resolve_to_key_addr(&mut self, addr: &Address, charge: bool) -> Result<Address> {
        if matches!(addr.protocol(), Protocol::BLS | Protocol::Secp256k1) {
            return Ok(*addr);
        }
        let actor = self
            .get_actor_by_address(addr)?
            .ok_or_else(|| err(ErrorNumber::NotFound, "state tree doesn't contain actor"))?;
        if !self.call_manager.machine.manifest.is_account(&actor.code) {
            return Err(err(
                ErrorNumber::IllegalArgument,
                "target actor is not an account",
            ));
        }
        if charge {
            self.charge(self.prices().on_block_open_base())?;
        }
        let block = self
            .call_manager
            .machine
            .blockstore()
            .get(&actor.state)
            .context("failed to look up state")
            .or_fatal()?
            .context("account actor state not found")
            .or_fatal()?;
        if charge {
            self.charge(self.prices().on_block_open_per_byte(block.len()))?;
        }
        let (address,): (Address,) = fvm_ipld_encoding::from_slice(&block)
            .context("failed to decode actor state as an account")
            .or_fatal()?;
        Ok(address)
    }

    fn get_actor_by_address(&self, addr: &Address) -> Result<Option<ActorState>> {
        let tree = &self.call_manager.machine.state_tree;
        match tree.lookup_id(addr).or_fatal()? {
            Some(id) => tree.get_actor(id).or_fatal(),
            None => Ok(None),
        }
    }

    fn get_self(&self) -> Result<Option<ActorState>> {
        self.call_manager
            .machine
            .state_tree
            .get_actor(self.actor_id)
            .context("error when finding current actor")
            .or_fatal()
    }

    /// `actor::resolve_address`: the ID `address` resolves to, if any.
    pub fn resolve_address(&self, address: &Address) -> Result<Option<ActorID>> {
        self.call_manager
            .machine
            .state_tree
            .lookup_id(address)
            .or_fatal()
    }

    /// `actor::get_actor_code_cid`: the code of actor `id`, if it exists.
    pub fn get_actor_code_cid(&self, id: ActorID) -> Result<Option<Cid>> {
        Ok(self
            .call_manager
            .machine
            .state_tree
            .get_actor(id)
            .context("failed to lookup actor to get code CID")
            .or_fatal()?
            .map(|a| a.code))
    }

    /// `actor::new_actor_address`: an f2 address from the message's origin key address (any
    /// failure to find it is fatal), the message's nonce and the number of actors this message
    /// has created so far (which it raises).
    pub fn new_actor_address(&mut self) -> Result<Address> {
        let origin = self.call_manager.origin;
        let key = self
            .resolve_to_key_addr(&origin, false)
            .map_err(|e| match e {
                ExecutionError::Syscall(s) => ExecutionError::Fatal(anyhow!("{}", s.message)),
                other => other,
            })?;
        let mut bytes = fvm_ipld_encoding::to_vec(&key)
            .context("could not serialize address in new_actor_address")
            .or_fatal()?;
        bytes.extend_from_slice(&self.call_manager.nonce.to_be_bytes());
        let index = self.call_manager.actors_created;
        self.call_manager.actors_created = index.wrapping_add(1);
        bytes.extend_from_slice(&index.to_be_bytes());
        Ok(Address::new_actor(&bytes))
    }

    /// `actor::create_actor`: puts a new actor of built-in `code` at `actor_id`, with the empty
    /// state and no balance. Non-built-in codes, singleton codes and existing IDs are
    /// `Forbidden`, checked before `OnCreateActor` is charged.
    pub fn create_actor(&mut self, code: Cid, actor_id: ActorID) -> Result<()> {
        let manifest = &self.call_manager.machine.manifest;
        if manifest.type_of_code(&code) == 0 {
            return Err(err(
                ErrorNumber::Forbidden,
                "can only create built-in actors",
            ));
        }
        if manifest.is_singleton(&code) {
            return Err(err(
                ErrorNumber::Forbidden,
                "can only have one instance of singleton actors",
            ));
        }
        // ref-fvm 2.x ignores an error of this lookup.
        if let Ok(Some(_)) = self.call_manager.machine.state_tree.get_actor(actor_id) {
            return Err(err(ErrorNumber::Forbidden, "Actor address already exists"));
        }
        self.charge(self.prices().on_create_actor())?;
        self.call_manager.machine.state_tree.set_actor(
            actor_id,
            ActorState::new(code, empty_arr_cid(), TokenAmount::zero(), 0, None),
        );
        Ok(())
    }

    /// `actor::get_builtin_actor_type`: the manifest type of `code`, 0 if not built in.
    pub fn get_builtin_actor_type(&self, code: &Cid) -> u32 {
        self.call_manager.machine.manifest.type_of_code(code)
    }

    /// `actor::get_code_cid_for_type`: the code of built-in type `ty` (`IllegalArgument` if none).
    pub fn get_code_cid_for_type(&self, ty: u32) -> Result<Cid> {
        self.call_manager
            .machine
            .manifest
            .code_by_type(ty)
            .copied()
            .ok_or_else(|| {
                err(
                    ErrorNumber::IllegalArgument,
                    "tried to resolve CID of unrecognized actor type",
                )
            })
    }

    // ---------------- self ----------------

    /// `self::root`: the actor's state root (`IllegalOperation` once it was deleted).
    pub fn root(&self) -> Result<Cid> {
        Ok(self
            .get_self()?
            .ok_or_else(|| {
                err(
                    ErrorNumber::IllegalOperation,
                    "state root requested after actor deletion",
                )
            })?
            .state)
    }

    /// `self::set_root`: replaces the state root (`IllegalOperation` once deleted). Free, and
    /// the CID is not checked.
    pub fn set_root(&mut self, root: Cid) -> Result<()> {
        let tree = &mut self.call_manager.machine.state_tree;
        let found = tree
            .mutate_actor(self.actor_id, |a| {
                a.state = root;
                Ok(())
            })
            .context("failed to mutate self")
            .or_fatal()?;
        if found {
            Ok(())
        } else {
            Err(err(ErrorNumber::IllegalOperation, "actor deleted"))
        }
    }

    /// `self::current_balance`: the actor's balance (zero once deleted).
    pub fn current_balance(&self) -> Result<TokenAmount> {
        Ok(self.get_self()?.map(|a| a.balance).unwrap_or_default())
    }

    /// `self::self_destruct`: charges `OnDeleteActor` (a refund), moves any balance to
    /// `beneficiary` (which must exist, `NotFound`, and not be the actor itself, `Forbidden`),
    /// and deletes the actor.
    pub fn self_destruct(&mut self, beneficiary: &Address) -> Result<()> {
        self.charge(self.prices().on_delete_actor())?;
        let balance = self.current_balance()?;
        if !balance.is_zero() {
            let to = self
                .resolve_address(beneficiary)?
                .ok_or_else(|| err(ErrorNumber::NotFound, "beneficiary doesn't exist"))?;
            if to == self.actor_id {
                return Err(err(
                    ErrorNumber::Forbidden,
                    "benefactor cannot be beneficiary",
                ));
            }
            self.call_manager.transfer(self.actor_id, to, &balance)?;
        }
        self.call_manager
            .machine
            .state_tree
            .delete_actor(self.actor_id);
        Ok(())
    }

    // ---------------- ipld ----------------

    /// `ipld::block_open`: charges the flat open price, reads the block (missing: fatal),
    /// charges per byte, and holds it (DAG-CBOR only).
    pub fn block_open(&mut self, cid: &Cid) -> Result<(u32, BlockStat)> {
        self.charge(self.prices().on_block_open_base())?;
        let data = self
            .call_manager
            .machine
            .blockstore()
            .get(cid)
            .or_fatal()?
            .ok_or_else(|| anyhow!("missing state: {cid}"))
            .or_fatal()?;
        self.charge(self.prices().on_block_open_per_byte(data.len()))?;
        let block = Block::new(cid.codec(), data, Vec::new());
        let stat = BlockStat {
            codec: block.codec(),
            size: block.size(),
        };
        let id = put_block(&mut self.blocks, block)?;
        Ok((id, stat))
    }

    /// `ipld::block_create`: charges per byte, then holds the block (DAG-CBOR only).
    pub fn block_create(&mut self, codec: u64, data: &[u8]) -> Result<u32> {
        self.charge(self.prices().on_block_create(data.len()))?;
        put_block(&mut self.blocks, Block::new(codec, data, Vec::new()))
    }

    /// `ipld::block_link`: only 32-byte BLAKE2b-256 (`IllegalCid`); charges per byte of the
    /// block and writes it to the store.
    pub fn block_link(&mut self, id: u32, hash_fun: u64, hash_len: u32) -> Result<Cid> {
        if hash_fun != BLAKE2B_256 || hash_len != 32 {
            return Err(err(ErrorNumber::IllegalCid, "cids must be 32-byte blake2b"));
        }
        let block = self.blocks.get(id)?.clone();
        self.charge(self.prices().on_block_link(block.data().len()))?;
        let cid = Cid::new_v1(block.codec(), Code::Blake2b256.digest(block.data()));
        self.call_manager
            .machine
            .blockstore()
            .put_keyed(&cid, block.data())
            .or_fatal()?;
        Ok(cid)
    }

    /// `ipld::block_read`: copies from `offset` into `buf` (offset plus length must fit an
    /// `i32`: `IllegalArgument`), charging for the bytes copied; returns the block's length
    /// minus `offset + buf.len()`.
    pub fn block_read(&mut self, id: u32, offset: u32, buf: &mut [u8]) -> Result<i32> {
        let end = i32::try_from(u64::from(offset) + buf.len() as u64).map_err(|_| {
            err(
                ErrorNumber::IllegalArgument,
                "offset plus buffer length did not fit into an i32",
            )
        })?;
        let block = self.blocks.get(id)?.clone();
        let data = block.data();
        let start = offset as usize;
        let n = data.len().saturating_sub(start).min(buf.len());
        self.charge(self.prices().on_block_read(n))?;
        if n != 0 {
            buf[..n].copy_from_slice(&data[start..start + n]);
        }
        Ok((data.len() as i32).wrapping_sub(end))
    }

    /// `ipld::block_stat`: charges, then the codec and size of a held block.
    pub fn block_stat(&mut self, id: u32) -> Result<BlockStat> {
        self.charge(self.prices().on_block_stat())?;
        self.blocks.stat(id)
    }

    // ---------------- send ----------------

    /// `send::send`: calls `recipient` in a transaction of its own. The parameters handle must
    /// be valid and the registry must have room for a return block (`LimitExceeded`).
    pub fn send(
        &mut self,
        recipient: &Address,
        method: MethodNum,
        params_id: u32,
        value: &TokenAmount,
    ) -> Result<CallResult> {
        let from = self.actor_id;
        let params = if params_id == NO_DATA_BLOCK_ID {
            None
        } else {
            Some(self.blocks.get(params_id)?.clone())
        };
        if self.blocks.is_full() {
            return Err(err(ErrorNumber::LimitExceeded, "cannot store return block"));
        }
        let result = self
            .call_manager
            .with_transaction(|cm| cm.send(from, recipient, method, params, value))?;
        if !result.exit_code.is_success() {
            return Ok(CallResult {
                block_id: NO_DATA_BLOCK_ID,
                block_stat: BlockStat { codec: 0, size: 0 },
                exit_code: result.exit_code,
            });
        }
        Ok(match result.value {
            None => CallResult {
                block_id: NO_DATA_BLOCK_ID,
                block_stat: BlockStat { codec: 0, size: 0 },
                exit_code: result.exit_code,
            },
            Some(block) => {
                let stat = BlockStat {
                    codec: block.codec(),
                    size: block.size(),
                };
                let id = put_block(&mut self.blocks, block).map_err(|e| {
                    ExecutionError::Fatal(anyhow!("failed to store a valid return value: {e}"))
                })?;
                CallResult {
                    block_id: id,
                    block_stat: stat,
                    exit_code: result.exit_code,
                }
            }
        })
    }

    // ---------------- network and message ----------------

    /// The epoch being executed.
    pub fn network_epoch(&self) -> ChainEpoch {
        self.call_manager.machine.context.epoch
    }

    /// The base fee of the epoch.
    pub fn network_base_fee(&self) -> &TokenAmount {
        &self.call_manager.machine.context.base_fee
    }

    /// `network::total_fil_circ_supply`.
    pub fn total_fil_circ_supply(&self) -> TokenAmount {
        self.call_manager.machine.context.circulating_supply.clone()
    }

    // ---------------- crypto ----------------

    /// `crypto::verify_signature`: charges by type, resolves the signer to its key address
    /// (see the module docs), then checks the signature (a panic is `IllegalArgument`).
    pub fn verify_signature(
        &mut self,
        sig_type: SignatureType,
        signature: &[u8],
        signer: &Address,
        plaintext: &[u8],
    ) -> Result<bool> {
        self.charge(self.prices().on_verify_signature(sig_type))?;
        let key = self.resolve_to_key_addr(signer, true)?;
        guarded("verifying signature", || {
            Ok(match sig_type {
                SignatureType::Secp256k1 => {
                    signatures::verify_secp256k1(signature, plaintext, &key)
                }
                SignatureType::BLS => signatures::verify_bls(signature, plaintext, &key),
            })
        })
    }

    /// `crypto::recover_secp_public_key`.
    pub fn recover_secp_public_key(
        &mut self,
        hash: &[u8; 32],
        signature: &[u8; SECP_SIG_LEN],
    ) -> Result<[u8; SECP_PUB_LEN]> {
        self.charge(self.prices().on_recover_secp_public_key())?;
        signatures::recover_secp_public_key(hash, signature)
            .or_illegal_argument()
            .map_err(|e| match e {
                ExecutionError::Syscall(mut s) => {
                    s.message = format!("public key recovery failed: {}", s.message);
                    ExecutionError::Syscall(s)
                }
                other => other,
            })
    }

    /// `crypto::hash`: the flat charge first, then the hash code (`IllegalArgument` if not one
    /// of SHA2-256, BLAKE2b-256/512, Keccak-256, RIPEMD-160); the full digest.
    pub fn hash(&mut self, code: u64, data: &[u8]) -> Result<Vec<u8>> {
        self.charge(self.prices().on_hashing())?;
        let hasher = SupportedHashes::try_from(code).map_err(|_| {
            err(
                ErrorNumber::IllegalArgument,
                format!("unsupported hash code {code}"),
            )
        })?;
        Ok(digest(hasher, data))
    }

    /// `crypto::compute_unsealed_sector_cid` (the proof type was checked by the caller).
    pub fn compute_unsealed_sector_cid(
        &mut self,
        proof: RegisteredSealProof,
        pieces: &[PieceInfo],
    ) -> Result<Cid> {
        self.charge(self.prices().on_compute_unsealed_sector_cid())?;
        guarded("computing unsealed sector CID", || {
            super::commd::unsealed_sector_cid(proof, pieces)
                .map_err(|e| err(ErrorNumber::IllegalArgument, e))
        })
    }

    /// `crypto::verify_seal`: flat charge, then the host's verifier (an error is
    /// `IllegalArgument`).
    pub fn verify_seal(&mut self, info: &SealVerifyInfo) -> Result<bool> {
        self.charge(self.prices().on_verify_seal())?;
        if !KNOWN_PROOFS.seal_info(info) {
            return Err(unknown_proof_type());
        }
        let proofs = self.call_manager.proofs.clone();
        guarded("verifying seal", || {
            proofs.verify_seal(info).or_illegal_argument()
        })
    }

    /// `crypto::verify_post`: charged by the first proof's type and the challenged sectors.
    pub fn verify_post(&mut self, info: &WindowPoStVerifyInfo) -> Result<bool> {
        self.charge(self.prices().on_verify_post(
            info.proofs.first().map(|p| p.post_proof),
            info.challenged_sectors.len(),
        ))?;
        if !KNOWN_PROOFS.post_info(info) {
            return Err(unknown_proof_type());
        }
        let proofs = self.call_manager.proofs.clone();
        guarded("verifying post", || {
            proofs.verify_post(info).or_illegal_argument()
        })
    }

    /// `crypto::verify_consensus_fault`: flat charge, then the node's check (an error is
    /// `IllegalArgument`).
    pub fn verify_consensus_fault(
        &mut self,
        h1: &[u8],
        h2: &[u8],
        extra: &[u8],
    ) -> Result<Option<ConsensusFault>> {
        self.charge(self.prices().on_verify_consensus_fault())?;
        let check = self
            .call_manager
            .machine
            .externs
            .verify_consensus_fault(h1, h2, extra)
            .or_illegal_argument()?;
        Ok(check.fault)
    }

    /// `crypto::batch_verify_seals`: no charge; each seal is checked on its own, and an error
    /// or a panic of the verifier counts as "invalid".
    pub fn batch_verify_seals(&mut self, infos: &[SealVerifyInfo]) -> Vec<bool> {
        let proofs = self.call_manager.proofs.clone();
        infos
            .iter()
            .map(|info| {
                if !KNOWN_PROOFS.seal_info(info) {
                    return false;
                }
                catch_unwind(AssertUnwindSafe(|| proofs.verify_seal(info)))
                    .ok()
                    .and_then(|r| r.ok())
                    .unwrap_or(false)
            })
            .collect()
    }

    /// `crypto::verify_aggregate_seals`: charged by type and count; an empty aggregate is then
    /// `IllegalArgument`.
    pub fn verify_aggregate_seals(
        &mut self,
        agg: &AggregateSealVerifyProofAndInfos,
    ) -> Result<bool> {
        self.charge(
            self.prices()
                .on_verify_aggregate_seals(agg.seal_proof, agg.infos.len()),
        )?;
        let proofs = self.call_manager.proofs.clone();
        guarded("verifying aggregate seals", || {
            if agg.infos.is_empty() {
                return Err(err(ErrorNumber::IllegalArgument, "no seal verify infos"));
            }
            if !KNOWN_PROOFS.aggregate(agg) {
                return Err(unknown_proof_type());
            }
            proofs.verify_aggregate_seals(agg).or_illegal_argument()
        })
    }

    /// `crypto::verify_replica_update`.
    pub fn verify_replica_update(&mut self, info: &ReplicaUpdateInfo) -> Result<bool> {
        self.charge(self.prices().on_verify_replica_update())?;
        if !KNOWN_PROOFS.replica_update(info) {
            return Err(unknown_proof_type());
        }
        let proofs = self.call_manager.proofs.clone();
        guarded("verifying replica update", || {
            proofs.verify_replica_update(info).or_illegal_argument()
        })
    }

    // ---------------- randomness ----------------

    /// `rand::get_chain_randomness` (`beacon` false) and `rand::get_beacon_randomness`: charged
    /// by entropy length; the node's digest for `round` (an error is `IllegalArgument`), drawn
    /// with the personalization, round and entropy.
    pub fn get_randomness(
        &mut self,
        beacon: bool,
        personalization: i64,
        round: ChainEpoch,
        entropy: &[u8],
    ) -> Result<[u8; 32]> {
        self.charge(self.prices().on_get_randomness(entropy.len()))?;
        let externs = &self.call_manager.machine.externs;
        let digest = if beacon {
            externs.beacon_randomness(round)
        } else {
            externs.chain_randomness(round)
        }
        .or_illegal_argument()?;
        Ok(draw_randomness(&digest, personalization, round, entropy))
    }

    // ---------------- debug ----------------

    /// `debug::log` (called only with debugging on). Fern keeps no execution trace under nv17
    /// rules yet, so the message is dropped; ref-fvm 2.12 prints it.
    pub fn log(&mut self, _message: String) {}

    /// Whether actor debugging is on.
    pub fn debug_enabled(&self) -> bool {
        self.call_manager.machine.actor_debugging
    }

    /// `debug::store_artifact` (called only with debugging on): checks the name as ref-fvm 2.x
    /// does (at most 256 bytes, no path separator, not empty, not starting with `.`); Fern
    /// writes no file.
    pub fn store_artifact(&self, name: &str) -> Result<()> {
        let bad = if name.len() > MAX_ARTIFACT_NAME_LEN {
            Some("debug artifact name should not exceed 256 bytes")
        } else if name.chars().any(std::path::is_separator) {
            Some("debug artifact name should not include any path separators")
        } else {
            match name.chars().next() {
                None => Some("debug artifact name should be at least one character"),
                Some('.') => Some("debug artifact name should not start with a decimal '.'"),
                Some(_) => None,
            }
        };
        match bad {
            Some(why) => Err(err(ErrorNumber::IllegalArgument, why)),
            None => Ok(()),
        }
    }
}
