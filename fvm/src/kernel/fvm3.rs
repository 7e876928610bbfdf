//! The syscalls whose meaning differs under ref-fvm 3.x rules (network versions 18 to 20,
//! [`KernelGeneration::Fvm3`](crate::gas::KernelGeneration::Fvm3)): events handed over as one
//! CBOR buffer, randomness drawn by the kernel, tipset CIDs within finality and a self-destruct
//! that pays a beneficiary. Sources and the full list of differences: FIPS/versions.md.

use cid::Cid;
use fern_shared::address::Address;
use fern_shared::consts::IPLD_RAW;
use fern_shared::error::ErrorNumber;
use fern_shared::event::{ActorEvent, Flags, StampedEvent};
use fern_shared::ChainEpoch;
use fvm_ipld_blockstore::Blockstore;

use super::{err, Kernel};
use crate::call_manager::{Classify, ExecutionError, Result};
use crate::gas::limits::{
    MAX_ENCODED_EVENT_LEN_FVM3, MAX_EVENT_ENTRIES_FVM3, MAX_EVENT_KEY_LEN_FVM3,
    MAX_EVENT_VALUES_LEN, TIPSET_CID_FINALITY_FVM3,
};
use crate::machine::Externs;

/// Which randomness an actor draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RandomnessSource {
    /// The ticket chain.
    Chain,
    /// The drand beacon.
    Beacon,
}

/// BLAKE2b-256 of the personalisation (big-endian i64), the digest, the round (big-endian i64)
/// and the entropy: the draw ref-fvm 3.x (and Lotus before it) computes from a randomness digest.
pub fn draw_randomness(
    digest: &[u8; 32],
    personalization: i64,
    round: ChainEpoch,
    entropy: &[u8],
) -> [u8; 32] {
    let mut state = blake2b_simd::Params::new().hash_length(32).to_state();
    state.update(&personalization.to_be_bytes());
    state.update(digest);
    state.update(&round.to_be_bytes());
    state.update(entropy);
    let mut out = [0u8; 32];
    out.copy_from_slice(state.finalize().as_bytes());
    out
}

impl<B: Blockstore + 'static, E: Externs + 'static> Kernel<B, E> {
    /// `event::emit_event(event_off, event_len)` under ref-fvm 3.x rules: charges the
    /// validation by encoded length, decodes the CBOR `ActorEvent` (unknown flag bits are kept),
    /// checks at most 256 entries, keys of at most 32 bytes, raw values only (`IllegalCodec`)
    /// totalling at most 8 KiB, then charges the acceptance and keeps the event. Every other
    /// failure is `IllegalArgument`.
    pub fn emit_event_cbor(&mut self, raw: &[u8]) -> Result<()> {
        if self.read_only {
            return Err(err(
                ErrorNumber::ReadOnly,
                "cannot emit events while read-only",
            ));
        }
        self.charge(self.prices().on_actor_event_validate(raw.len()))?;
        if raw.len() > MAX_ENCODED_EVENT_LEN_FVM3 {
            return Err(err(ErrorNumber::IllegalArgument, "event WAY too large"));
        }
        // A panic in the decoder is the actor's bad input too (as ref-fvm 3.14 treats it).
        let decoded = std::panic::catch_unwind(|| fvm_ipld_encoding::from_slice::<ActorEvent>(raw))
            .map_err(|_| err(ErrorNumber::IllegalArgument, "panic decoding an event"))?;
        let event =
            decoded.map_err(|e| err(ErrorNumber::IllegalArgument, format!("bad event: {e}")))?;
        if event.entries.len() > MAX_EVENT_ENTRIES_FVM3 {
            return Err(err(
                ErrorNumber::IllegalArgument,
                "event exceeded max entries",
            ));
        }
        let mut values_len = 0usize;
        let (mut indexed_elements, mut indexed_bytes) = (0usize, 0usize);
        for entry in &event.entries {
            if entry.key.len() > MAX_EVENT_KEY_LEN_FVM3 {
                return Err(err(
                    ErrorNumber::IllegalArgument,
                    "event key exceeded max size",
                ));
            }
            if entry.codec != IPLD_RAW {
                return Err(err(
                    ErrorNumber::IllegalCodec,
                    "event codec must be IPLD_RAW",
                ));
            }
            values_len += entry.value.len();
            if entry.flags.contains(Flags::FLAG_INDEXED_KEY) {
                indexed_elements += 1;
                indexed_bytes += entry.key.len();
            }
            if entry.flags.contains(Flags::FLAG_INDEXED_VALUE) {
                indexed_elements += 1;
                indexed_bytes += entry.value.len();
            }
        }
        if values_len > MAX_EVENT_VALUES_LEN {
            return Err(err(
                ErrorNumber::IllegalArgument,
                "event total values exceeded max size",
            ));
        }
        self.charge(self.prices().on_actor_event_accept(
            indexed_elements,
            indexed_bytes,
            raw.len(),
        ))?;
        self.call_manager
            .append_event(StampedEvent::new(self.actor_id, event));
        Ok(())
    }

    /// `rand::get_chain_randomness` / `rand::get_beacon_randomness(pers, round, entropy)` under
    /// ref-fvm 3.x rules: charges, fetches the digest of `round` from the node (any failure is
    /// `IllegalArgument`) and returns [`draw_randomness`] of it.
    pub fn draw_randomness(
        &self,
        source: RandomnessSource,
        personalization: i64,
        round: ChainEpoch,
        entropy: &[u8],
    ) -> Result<[u8; 32]> {
        self.charge(self.prices().on_draw_randomness(entropy.len()))?;
        let externs = &self.call_manager.machine.externs;
        let digest = match source {
            RandomnessSource::Chain => externs.chain_randomness(round),
            RandomnessSource::Beacon => externs.beacon_randomness(round),
        }
        .or_illegal_argument()?;
        Ok(draw_randomness(&digest, personalization, round, entropy))
    }

    /// `network::tipset_cid` under ref-fvm 3.x rules: only strictly past, non-negative epochs
    /// less than [`TIPSET_CID_FINALITY_FVM3`] back; charged as the previous tipset or an older
    /// one.
    pub fn tipset_cid_within_finality(&self, epoch: ChainEpoch) -> Result<Cid> {
        let offset = self.tipset_offset(epoch)?;
        if offset >= TIPSET_CID_FINALITY_FVM3 {
            return Err(err(
                ErrorNumber::IllegalArgument,
                "epoch is too far in the past",
            ));
        }
        self.charge(self.prices().on_tipset_cid_within_finality(offset > 1))?;
        self.call_manager
            .machine
            .externs
            .tipset_cid(epoch)
            .map_err(ExecutionError::Fatal)
    }

    /// `self::self_destruct(beneficiary)` under ref-fvm 3.x rules: deletes the actor after
    /// moving its whole balance to `beneficiary`. With a non-zero balance the beneficiary must
    /// resolve (`NotFound`; no account is created), must not be the actor itself (`Forbidden`)
    /// and must exist (`NotFound`); the lookups and updates are charged as for any transfer.
    pub fn self_destruct_to(&mut self, beneficiary: &Address) -> Result<()> {
        let balance = self.begin_self_destruct()?;
        if !balance.is_zero() {
            let to = self.resolve_address(beneficiary)?;
            if to == self.actor_id {
                return Err(err(
                    ErrorNumber::Forbidden,
                    "benefactor cannot be beneficiary",
                ));
            }
            self.call_manager.transfer(self.actor_id, to, &balance)?;
        }
        self.call_manager.delete_actor(self.actor_id)
    }
}
