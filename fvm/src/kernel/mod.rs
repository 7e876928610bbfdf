//! The kernel (layer 4): the semantics of every syscall for one actor invocation.
//!
//! A [`Kernel`] exists while one actor's code runs. It owns the message's
//! [`CallManager`] for that time, the invocation's [`BlockRegistry`] and the facts of the call
//! (caller, receiver, method, value, read-only). Each method is one syscall's meaning, with the
//! gas charges made in ref-fvm 4.8's order and amounts and the same error numbers; the syscall
//! layer above only moves bytes between Wasm memory and these methods.

#![warn(missing_docs)]

mod blocks;
pub mod commd;
pub mod crypto;
mod filecoin;
pub mod fvm2;
mod fvm3;
pub mod ipld;
pub mod proof_types;

use anyhow::anyhow;
use cid::Cid;
use fern_shared::address::{Address, BURNT_FUNDS_ACTOR_ID, INIT_ACTOR_ID};
use fern_shared::consts::{BLAKE2B_256, CBOR, IPLD_RAW};
use fern_shared::econ::TokenAmount;
use fern_shared::error::{ErrorNumber, ExitCode};
use fern_shared::event::{ActorEvent, Entry, Flags, StampedEvent};
use fern_shared::sys::{self, ContextFlags, EventEntry, MessageContext, NetworkContext, SendFlags};
use fern_shared::{ActorID, ChainEpoch, MethodNum};
use fvm_ipld_blockstore::Blockstore;
use multihash_codetable::MultihashDigest;

pub use blocks::{BlockRegistry, BlockStat, FIRST_BLOCK_ID};
pub use fvm2::Fvm2Kernel;
pub use fvm3::{draw_randomness, RandomnessSource};

use crate::call_manager::{
    syscall_error, Block, CallManager, Classify, Entrypoint, ExecutionError, InvocationResult,
    IpldOp, Result, NO_DATA_BLOCK_ID,
};
use crate::gas::limits::{MAX_EVENT_ENTRIES, MAX_EVENT_KEY_LEN, MAX_EVENT_VALUES_LEN};
use crate::gas::{Gas, KernelGeneration, PriceList};
use crate::machine::Externs;

/// What a send (or upgrade) hands back to the calling actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallResult {
    /// Handle of the return block in the caller's registry (0 for none).
    pub block_id: u32,
    /// Codec and size of the return block (zeros for none).
    pub block_stat: BlockStat,
    /// The callee's exit code.
    pub exit_code: ExitCode,
}

/// The kernel of one invocation. See the [module docs](self).
pub struct Kernel<B: Blockstore + 'static, E: Externs + 'static> {
    /// The message's call manager, lent to this invocation.
    pub call_manager: CallManager<B, E>,
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
    /// Whether state changes are forbidden.
    pub read_only: bool,
}

fn err(number: ErrorNumber, msg: impl Into<String>) -> ExecutionError {
    syscall_error(number, msg)
}

impl<B: Blockstore + 'static, E: Externs + 'static> Kernel<B, E> {
    fn prices(&self) -> &'static PriceList {
        self.call_manager.price_list()
    }

    fn charge(&self, charge: crate::gas::GasCharge) -> Result<()> {
        self.call_manager.charge(charge)
    }

    /// Whether ref-fvm 4.x rules apply (IPLD reachability and link accounting); ref-fvm 3.x
    /// (network versions 18 to 20) has neither.
    fn tracks_links(&self) -> bool {
        self.prices().generation == KernelGeneration::Fvm4
    }

    // ---------------- gas ----------------

    /// Gas still available (milligas precision).
    pub fn gas_available(&self) -> Gas {
        self.call_manager.gas.available()
    }

    /// An actor- or runtime-requested compute charge under `name`.
    pub fn charge_gas(&self, name: &str, amount: Gas) -> Result<()> {
        self.call_manager
            .gas
            .charge_named(name, amount)
            .map_err(|_| ExecutionError::OutOfGas)
    }

    // ---------------- send ----------------

    /// The parameters of an outgoing call (send or upgrade): the block behind `params_id`, none
    /// for [`NO_DATA_BLOCK_ID`]. Fails with `LimitExceeded` when the block table has no room
    /// left for the call's return block (checked after the handle, as ref-fvm does).
    fn outgoing_params(&self, params_id: u32) -> Result<Option<Block>> {
        let params = if params_id == NO_DATA_BLOCK_ID {
            None
        } else {
            Some(self.blocks.get(params_id)?.clone())
        };
        if self.blocks.is_full() {
            return Err(err(ErrorNumber::LimitExceeded, "cannot store return block"));
        }
        Ok(params)
    }

    /// `send::send`: calls `recipient` in a transaction of its own.
    pub fn send(
        &mut self,
        recipient: &Address,
        method: MethodNum,
        params_id: u32,
        value: &TokenAmount,
        gas_limit: Option<Gas>,
        flags: SendFlags,
    ) -> Result<CallResult> {
        let from = self.actor_id;
        let read_only = self.read_only || flags.read_only();
        if read_only && !value.is_zero() {
            return Err(err(
                ErrorNumber::ReadOnly,
                "cannot transfer value when read-only",
            ));
        }
        let params = self.outgoing_params(params_id)?;
        let result = self.call_manager.with_transaction(|cm| {
            cm.call_actor(
                from,
                *recipient,
                Entrypoint::Invoke(method),
                params,
                value,
                gas_limit,
                read_only,
            )
        })?;
        Ok(match result {
            InvocationResult {
                exit_code,
                value: Some(block),
            } => {
                let block_stat = BlockStat {
                    codec: block.codec(),
                    size: block.size(),
                };
                let block_id = self.blocks.put_reachable(block).map_err(|e| {
                    ExecutionError::Fatal(anyhow!("failed to store a return value: {e}"))
                })?;
                CallResult {
                    block_id,
                    block_stat,
                    exit_code,
                }
            }
            InvocationResult {
                exit_code,
                value: None,
            } => CallResult {
                block_id: NO_DATA_BLOCK_ID,
                block_stat: BlockStat { codec: 0, size: 0 },
                exit_code,
            },
        })
    }

    /// `actor::upgrade_actor`: replaces the running actor's code with `new_code` and runs the new
    /// code's `upgrade` export (from this actor's caller), all in one transaction. Refused in
    /// read-only calls, and when the actor is already running further down the stack (except
    /// through nested upgrades of itself). The new record drops the delegated address.
    pub fn upgrade_actor(&mut self, new_code: Cid, params_id: u32) -> Result<CallResult> {
        if self.read_only {
            return Err(err(
                ErrorNumber::ReadOnly,
                "upgrade_actor cannot be called while read-only",
            ));
        }
        let stack = &self.call_manager.call_stack;
        if let Some(pos) = stack
            .iter()
            .position(|e| *e == (self.actor_id, crate::call_manager::INVOKE_EXPORT))
        {
            if stack[pos + 1..]
                .iter()
                .any(|e| *e != (self.actor_id, crate::call_manager::UPGRADE_EXPORT))
            {
                return Err(err(
                    ErrorNumber::Forbidden,
                    "calling upgrade on actor already on call stack is forbidden",
                ));
            }
        }
        let params = self.outgoing_params(params_id)?;
        let (actor_id, caller) = (self.actor_id, self.caller);
        let result = self.call_manager.with_transaction(|cm| {
            let state = cm
                .get_actor(actor_id)?
                .ok_or_else(|| err(ErrorNumber::IllegalOperation, "actor deleted"))?;
            let old_code = state.code;
            cm.set_actor(
                actor_id,
                fern_shared::state::ActorState::new(
                    new_code,
                    state.state,
                    state.balance,
                    state.sequence,
                    None,
                ),
            )?;
            cm.call_actor(
                caller,
                Address::new_id(actor_id),
                Entrypoint::Upgrade(fern_shared::upgrade::UpgradeInfo {
                    old_code_cid: old_code,
                }),
                params,
                &TokenAmount::zero(),
                None,
                false,
            )
        })?;
        let (block_stat, block_id) = match result.value {
            None => (BlockStat { codec: 0, size: 0 }, NO_DATA_BLOCK_ID),
            Some(block) => (
                BlockStat {
                    codec: block.codec(),
                    size: block.size(),
                },
                self.blocks.put_reachable(block)?,
            ),
        };
        Ok(CallResult {
            block_id,
            block_stat,
            exit_code: result.exit_code,
        })
    }

    // ---------------- self ----------------

    /// `self::root`: the actor's state root, made reachable.
    pub fn root(&mut self) -> Result<Cid> {
        if self.tracks_links() {
            self.charge(self.prices().on_get_root())?;
        }
        let cid = self
            .call_manager
            .get_actor(self.actor_id)?
            .ok_or_else(|| {
                err(
                    ErrorNumber::IllegalOperation,
                    "state root requested after actor deletion",
                )
            })?
            .state;
        self.blocks.mark_reachable(&cid);
        Ok(cid)
    }

    /// `self::set_root`.
    pub fn set_root(&mut self, new: Cid) -> Result<()> {
        if self.read_only {
            return Err(err(
                ErrorNumber::ReadOnly,
                "cannot update the state-root while read-only",
            ));
        }
        if self.tracks_links() {
            self.charge(self.prices().on_set_root())?;
            if !self.blocks.is_reachable(&new) {
                return Err(err(
                    ErrorNumber::NotFound,
                    format!("new root cid not reachable: {new}"),
                ));
            }
        }
        let mut state = self
            .call_manager
            .get_actor(self.actor_id)?
            .ok_or_else(|| err(ErrorNumber::IllegalOperation, "actor deleted"))?;
        state.state = new;
        self.call_manager.set_actor(self.actor_id, state)
    }

    /// `self::current_balance` (zero after deletion).
    pub fn current_balance(&self) -> Result<TokenAmount> {
        self.charge(self.prices().on_self_balance())?;
        Ok(self
            .call_manager
            .get_actor(self.actor_id)?
            .map(|a| a.balance)
            .unwrap_or_default())
    }

    /// The start of every self-destruct (both generations): refused in read-only calls, charged
    /// `OnDeleteActor`; the balance left to move.
    fn begin_self_destruct(&mut self) -> Result<TokenAmount> {
        if self.read_only {
            return Err(err(
                ErrorNumber::ReadOnly,
                "cannot self-destruct when read-only",
            ));
        }
        self.charge(self.prices().on_delete_actor())?;
        self.current_balance()
    }

    /// `self::self_destruct`: deletes the actor, burning its balance when `burn_unspent`
    /// (otherwise a non-zero balance is `IllegalOperation`).
    pub fn self_destruct(&mut self, burn_unspent: bool) -> Result<()> {
        let balance = self.begin_self_destruct()?;
        if !balance.is_zero() {
            if !burn_unspent {
                return Err(err(
                    ErrorNumber::IllegalOperation,
                    "self-destruct with unspent funds",
                ));
            }
            // Every failure of this transfer is fatal, running out of gas included (ref-fvm
            // classifies the whole result as fatal).
            self.call_manager
                .transfer(self.actor_id, BURNT_FUNDS_ACTOR_ID, &balance)
                .map_err(|e| {
                    ExecutionError::Fatal(anyhow!("burning funds on self-destruct: {e}"))
                })?;
        }
        self.call_manager.delete_actor(self.actor_id)
    }

    // ---------------- ipld ----------------

    /// `ipld::block_open`.
    pub fn block_open(&mut self, cid: &Cid) -> Result<(u32, BlockStat)> {
        self.charge(self.prices().on_block_open_base())?;
        if self.tracks_links() && !self.blocks.is_reachable(cid) {
            return Err(err(
                ErrorNumber::NotFound,
                format!("block not reachable: {cid}"),
            ));
        }
        let data = self
            .call_manager
            .machine
            .blockstore()
            .get(cid)
            .map_err(ExecutionError::Fatal)?
            .ok_or_else(|| ExecutionError::Fatal(anyhow!("missing reachable state: {cid}")))?;
        // Traced once the block is loaded, before its links are scanned (and charged).
        self.call_manager.trace_ipld(IpldOp::Get, *cid, data.len());
        let links = if self.tracks_links() {
            ipld::scan_links(cid.codec(), &data, self.prices(), &self.call_manager.gas)?
        } else {
            Vec::new()
        };
        self.charge(self.prices().on_block_open(data.len(), links.len()))?;
        let block = Block::new(cid.codec(), data, links);
        let stat = BlockStat {
            codec: block.codec(),
            size: block.size(),
        };
        let id = self.blocks.put_reachable(block)?;
        Ok((id, stat))
    }

    /// `ipld::block_create`.
    pub fn block_create(&mut self, codec: u64, data: &[u8]) -> Result<u32> {
        if data.len() > self.call_manager.machine.config.limits.max_block_size {
            return Err(err(
                ErrorNumber::LimitExceeded,
                "blocks may not be larger than 1MiB",
            ));
        }
        if !self.tracks_links() {
            // ref-fvm 3.x: charged first; the codec is checked when the block is stored.
            self.charge(self.prices().on_block_create(data.len(), 0))?;
            return self
                .blocks
                .put_reachable(Block::new(codec, data, Vec::new()));
        }
        if !ipld::ALLOWED_CODECS.contains(&codec) {
            return Err(err(
                ErrorNumber::IllegalCodec,
                format!("codec {codec} not allowed"),
            ));
        }
        let links = ipld::scan_links(codec, data, self.prices(), &self.call_manager.gas)?;
        self.charge(self.prices().on_block_create(data.len(), links.len()))?;
        self.blocks
            .put_check_reachable(Block::new(codec, data, links))
    }

    /// `ipld::block_link`: hashes block `id` (BLAKE2b-256 only), stores it and returns its CID.
    pub fn block_link(&mut self, id: u32, hash_fun: u64, hash_len: u32) -> Result<Cid> {
        if hash_fun != BLAKE2B_256 || hash_len != 32 {
            return Err(err(ErrorNumber::IllegalCid, "cids must be 32-byte blake2b"));
        }
        let block = self.blocks.get(id)?.clone();
        self.charge(self.prices().on_block_link(
            fern_shared::crypto::SupportedHashes::Blake2b256,
            block.size() as usize,
        ))?;
        let hash = multihash_codetable::Code::Blake2b256.digest(block.data());
        let cid = Cid::new_v1(block.codec(), hash);
        self.call_manager
            .machine
            .blockstore()
            .put_keyed(&cid, block.data())
            .map_err(ExecutionError::Fatal)?;
        self.blocks.mark_reachable(&cid);
        self.call_manager
            .trace_ipld(IpldOp::Put, cid, block.size() as usize);
        Ok(cid)
    }

    /// `ipld::block_read`: copies from `offset` into `buf`; returns block end − (offset + buf
    /// length).
    pub fn block_read(&self, id: u32, offset: u32, buf: &mut [u8]) -> Result<i32> {
        let end = i32::try_from(u64::from(offset) + buf.len() as u64).map_err(|_| {
            err(
                ErrorNumber::IllegalArgument,
                "offset plus buffer length did not fit into an i32",
            )
        })?;
        let block = self.blocks.get(id)?;
        let data = block.data();
        let start = offset as usize;
        let n = data.len().saturating_sub(start).min(buf.len());
        self.charge(self.prices().on_block_read(n))?;
        if n != 0 {
            buf[..n].copy_from_slice(&data[start..start + n]);
        }
        Ok(data.len() as i32 - end)
    }

    /// `ipld::block_stat`.
    pub fn block_stat(&self, id: u32) -> Result<BlockStat> {
        self.charge(self.prices().on_block_stat())?;
        self.blocks.stat(id)
    }

    // ---------------- context ----------------

    /// `vm::message_context`.
    pub fn message_context(&self) -> Result<MessageContext> {
        self.charge(self.prices().on_message_context())?;
        let cm = &self.call_manager;
        Ok(MessageContext {
            origin: cm.message.origin,
            nonce: cm.message.nonce,
            caller: self.caller,
            receiver: self.actor_id,
            method_number: self.method,
            value_received: sys::TokenAmount::try_from(&self.value_received).or_fatal()?,
            gas_premium: sys::TokenAmount::try_from(&cm.message.gas_premium).or_fatal()?,
            flags: if self.read_only {
                ContextFlags::READ_ONLY
            } else {
                ContextFlags::empty()
            },
        })
    }

    /// `network::context`.
    pub fn network_context(&self) -> Result<NetworkContext> {
        self.charge(self.prices().on_network_context())?;
        let m = &self.call_manager.machine;
        Ok(NetworkContext {
            epoch: m.context.epoch,
            timestamp: m.context.timestamp,
            base_fee: sys::TokenAmount::try_from(&m.context.base_fee).or_fatal()?,
            chain_id: m.config.chain_id,
            network_version: m.config.network_version,
        })
    }

    /// `network::total_fil_circ_supply` (free, no charge).
    pub fn total_fil_circ_supply(&self) -> Result<TokenAmount> {
        Ok(self.call_manager.machine.context.circulating_supply.clone())
    }

    /// How many epochs back `epoch` is, for `network::tipset_cid`: only strictly past,
    /// non-negative epochs (`IllegalArgument` otherwise).
    fn tipset_offset(&self, epoch: ChainEpoch) -> Result<ChainEpoch> {
        if epoch < 0 {
            return Err(err(ErrorNumber::IllegalArgument, "epoch is negative"));
        }
        let offset = self.call_manager.machine.context.epoch - epoch;
        if offset <= 0 {
            return Err(err(
                ErrorNumber::IllegalArgument,
                "epoch is not in the past",
            ));
        }
        Ok(offset)
    }

    /// `network::tipset_cid`: only strictly past, non-negative epochs.
    pub fn tipset_cid(&self, epoch: ChainEpoch) -> Result<Cid> {
        if self.prices().generation == KernelGeneration::Fvm3 {
            return self.tipset_cid_within_finality(epoch);
        }
        let offset = self.tipset_offset(epoch)?;
        self.charge(self.prices().on_tipset_cid(offset))?;
        self.call_manager
            .machine
            .externs
            .tipset_cid(epoch)
            .map_err(ExecutionError::Fatal)
    }

    // ---------------- randomness ----------------

    fn lookback(&self, epoch: ChainEpoch) -> Result<ChainEpoch> {
        self.call_manager
            .machine
            .context
            .epoch
            .checked_sub(epoch)
            .ok_or_else(|| {
                err(
                    ErrorNumber::IllegalArgument,
                    "randomness epoch is in the future",
                )
            })
    }

    /// `rand::get_chain_randomness`: the ticket digest at `epoch`.
    pub fn chain_randomness(&self, epoch: ChainEpoch) -> Result<[u8; 32]> {
        let lookback = self.lookback(epoch)?;
        self.charge(self.prices().on_get_randomness(lookback))?;
        self.call_manager
            .machine
            .externs
            .chain_randomness(epoch)
            .or_illegal_argument()
    }

    /// `rand::get_beacon_randomness`: the beacon digest at `epoch`.
    pub fn beacon_randomness(&self, epoch: ChainEpoch) -> Result<[u8; 32]> {
        let lookback = self.lookback(epoch)?;
        self.charge(self.prices().on_get_randomness(lookback))?;
        self.call_manager
            .machine
            .externs
            .beacon_randomness(epoch)
            .or_illegal_argument()
    }

    // ---------------- actors ----------------

    /// `actor::resolve_address`.
    pub fn resolve_address(&self, address: &Address) -> Result<ActorID> {
        self.charge(self.prices().on_resolve_address())?;
        self.call_manager
            .resolve_address(address)?
            .ok_or_else(|| err(ErrorNumber::NotFound, "actor not found"))
    }

    /// `actor::get_actor_code_cid`.
    pub fn get_actor_code_cid(&self, id: ActorID) -> Result<Cid> {
        self.charge(self.prices().on_get_actor_code_cid())?;
        Ok(self
            .call_manager
            .get_actor(id)?
            .ok_or_else(|| err(ErrorNumber::NotFound, "actor not found"))?
            .code)
    }

    /// `actor::next_actor_address` (free).
    pub fn next_actor_address(&self) -> Result<Address> {
        self.call_manager.next_actor_address()
    }

    /// `actor::create_actor`: only the init actor may call it, never read-only.
    pub fn create_actor(
        &mut self,
        code: Cid,
        actor_id: ActorID,
        delegated_address: Option<Address>,
    ) -> Result<()> {
        if self.actor_id != INIT_ACTOR_ID {
            return Err(err(
                ErrorNumber::Forbidden,
                format!(
                    "create_actor is restricted to the init actor (called by {})",
                    self.actor_id
                ),
            ));
        }
        if self.read_only {
            return Err(err(
                ErrorNumber::ReadOnly,
                "create_actor cannot be called while read-only",
            ));
        }
        self.call_manager
            .create_actor(code, actor_id, delegated_address)
    }

    /// `actor::get_builtin_actor_type` (0 when not built in).
    pub fn get_builtin_actor_type(&self, code: &Cid) -> Result<u32> {
        self.charge(self.prices().on_get_builtin_actor_type())?;
        Ok(self.call_manager.machine.manifest.type_of_code(code))
    }

    /// `actor::get_code_cid_for_type`.
    pub fn get_code_cid_for_type(&self, typ: u32) -> Result<Cid> {
        self.charge(self.prices().on_get_code_cid_for_type())?;
        self.call_manager
            .machine
            .manifest
            .code_by_type(typ)
            .copied()
            .ok_or_else(|| err(ErrorNumber::IllegalArgument, "unrecognized actor type"))
    }

    /// `actor::balance_of`.
    pub fn balance_of(&self, id: ActorID) -> Result<TokenAmount> {
        self.charge(self.prices().on_balance_of())?;
        Ok(self
            .call_manager
            .get_actor(id)?
            .ok_or_else(|| err(ErrorNumber::NotFound, "actor not found"))?
            .balance)
    }

    /// `actor::lookup_delegated_address`.
    pub fn lookup_delegated_address(&self, id: ActorID) -> Result<Option<Address>> {
        self.charge(self.prices().on_lookup_delegated_address())?;
        Ok(self
            .call_manager
            .get_actor(id)?
            .ok_or_else(|| err(ErrorNumber::NotFound, "actor not found"))?
            .delegated_address)
    }

    // ---------------- crypto ----------------

    /// `crypto::hash`: the full digest of `data` with the multihash `code`.
    pub fn hash(&self, code: u64, data: &[u8]) -> Result<Vec<u8>> {
        let hasher = fern_shared::crypto::SupportedHashes::try_from(code)
            .map_err(|e| err(ErrorNumber::IllegalArgument, e.to_string()))?;
        self.charge(self.prices().on_hashing(hasher, data.len()))?;
        Ok(crypto::digest(hasher, data))
    }

    // ---------------- debug ----------------

    /// Whether actor debugging is on.
    pub fn debug_enabled(&self) -> bool {
        self.call_manager.machine.config.actor_debugging
    }

    /// `debug::log` (with debugging on): records the message in the execution trace, when
    /// tracing. The message is only copied into a `String` when it is recorded.
    pub fn log(&mut self, message: &str) {
        self.call_manager.log(|| message.to_owned());
    }

    // ---------------- events ----------------

    /// `event::emit_event`: charges, then validates limits, flags, codecs and buffer lengths.
    pub fn emit_event(&mut self, headers: &[EventEntry], keys: &[u8], values: &[u8]) -> Result<()> {
        if self.read_only {
            return Err(err(
                ErrorNumber::ReadOnly,
                "cannot emit events while read-only",
            ));
        }
        self.charge(
            self.prices()
                .on_actor_event(headers.len(), keys.len(), values.len()),
        )?;
        if headers.len() > MAX_EVENT_ENTRIES {
            return Err(err(ErrorNumber::LimitExceeded, "too many event entries"));
        }
        if values.len() > MAX_EVENT_VALUES_LEN {
            return Err(err(ErrorNumber::LimitExceeded, "event values too large"));
        }
        let keys = std::str::from_utf8(keys)
            .map_err(|_| err(ErrorNumber::IllegalArgument, "invalid event key"))?;
        let mut key_off = 0usize;
        let mut val_off = 0usize;
        let mut entries = Vec::with_capacity(headers.len());
        for h in headers {
            let h = *h;
            let flags = h.flags;
            if Flags::from_bits(flags.bits()).is_none() {
                return Err(err(ErrorNumber::IllegalArgument, "invalid event flags"));
            }
            let (key_len, val_len, codec) = (h.key_len, h.val_len, h.codec);
            if key_len as usize > MAX_EVENT_KEY_LEN {
                return Err(err(ErrorNumber::LimitExceeded, "event key too long"));
            }
            if val_len as usize > MAX_EVENT_VALUES_LEN {
                return Err(err(
                    ErrorNumber::IllegalArgument,
                    "event entry value out of range",
                ));
            }
            let key = keys
                .get(key_off..key_off + key_len as usize)
                .ok_or_else(|| err(ErrorNumber::IllegalArgument, "event entry key out of range"))?;
            let value = values
                .get(val_off..val_off + val_len as usize)
                .ok_or_else(|| {
                    err(
                        ErrorNumber::IllegalArgument,
                        "event entry value out of range",
                    )
                })?;
            if codec != IPLD_RAW && codec != CBOR {
                return Err(err(
                    ErrorNumber::IllegalCodec,
                    "event codec must be IPLD_RAW or CBOR",
                ));
            }
            entries.push(Entry {
                flags,
                key: key.to_owned(),
                codec,
                value: value.to_vec(),
            });
            key_off += key_len as usize;
            val_off += val_len as usize;
        }
        if key_off != keys.len() {
            return Err(err(
                ErrorNumber::IllegalArgument,
                "event key buffer length is too large",
            ));
        }
        if val_off != values.len() {
            return Err(err(
                ErrorNumber::IllegalArgument,
                "event value buffer length is too large",
            ));
        }
        let event = StampedEvent::new(self.actor_id, ActorEvent::from(entries));
        self.call_manager.append_event(event);
        Ok(())
    }
}
