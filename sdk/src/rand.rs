//! Randomness from the ticket chain and the drand beacon.

use fern_shared::randomness::RANDOMNESS_LENGTH;
use fern_shared::ChainEpoch;

use crate::{sys, SyscallResult};

/// 32 bytes of ticket-chain randomness for `epoch` (`rand::get_chain_randomness`).
pub fn get_chain_randomness(epoch: ChainEpoch) -> SyscallResult<[u8; RANDOMNESS_LENGTH]> {
    unsafe { sys::rand::get_chain_randomness(epoch) }
}

/// 32 bytes of beacon randomness for `epoch` (`rand::get_beacon_randomness`).
pub fn get_beacon_randomness(epoch: ChainEpoch) -> SyscallResult<[u8; RANDOMNESS_LENGTH]> {
    unsafe { sys::rand::get_beacon_randomness(epoch) }
}
