//! Consensus faults reported against block producers.

use crate::address::Address;
use crate::ChainEpoch;

/// The kinds of consensus fault the `crypto::verify_consensus_fault` syscall can detect. The
/// discriminant is the number the syscall reports (0 meaning "no fault").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ConsensusFaultType {
    /// Two different blocks at the same epoch by the same miner.
    DoubleForkMining = 1,
    /// A block that omits a sibling block from its parents to skew the randomness.
    ParentGrinding = 2,
    /// Two blocks with the same parents at different epochs by the same miner.
    TimeOffsetMining = 3,
}

impl ConsensusFaultType {
    /// Maps the number reported by the syscall to a fault type (`None` for 0 or unknown).
    pub const fn from_u32(n: u32) -> Option<Self> {
        match n {
            1 => Some(Self::DoubleForkMining),
            2 => Some(Self::ParentGrinding),
            3 => Some(Self::TimeOffsetMining),
            _ => None,
        }
    }
}

/// A proven consensus fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsensusFault {
    /// The faulty miner, as an ID address.
    pub target: Address,
    /// The epoch of the fault: the higher epoch of the two offending blocks.
    pub epoch: ChainEpoch,
    /// What kind of fault it is.
    pub fault_type: ConsensusFaultType,
}
