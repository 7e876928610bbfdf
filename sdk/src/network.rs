//! Chain and network information.
//!
//! The network context is fetched with one `network::context` syscall on first use and then
//! cached for the rest of the call.

use std::sync::OnceLock;

use cid::Cid;
use fern_shared::consts::MAX_CID_LEN;
use fern_shared::econ::TokenAmount;
use fern_shared::error::ErrorNumber;
use fern_shared::sys::out::network::NetworkContext;
use fern_shared::version::NetworkVersion;
use fern_shared::ChainEpoch;

use crate::error::EpochBoundsError;
use crate::ipld::cid_from_kernel;
use crate::sys;

static CONTEXT: OnceLock<NetworkContext> = OnceLock::new();

/// The cached network context (fetched on first use).
pub fn context() -> NetworkContext {
    *CONTEXT.get_or_init(|| unsafe { sys::network::context() }.expect("network::context failed"))
}

/// The current epoch.
pub fn curr_epoch() -> ChainEpoch {
    context().epoch
}

/// The current tipset's timestamp, in seconds since the Unix epoch.
pub fn tipset_timestamp() -> u64 {
    context().timestamp
}

/// The current base fee.
pub fn base_fee() -> TokenAmount {
    context().base_fee.into()
}

/// The chain ID (314 on mainnet).
pub fn chain_id() -> u64 {
    context().chain_id
}

/// The network version.
pub fn version() -> NetworkVersion {
    context().network_version
}

/// The circulating FIL supply (`network::total_fil_circ_supply`; a syscall on every call).
pub fn total_fil_circ_supply() -> TokenAmount {
    unsafe { sys::network::total_fil_circ_supply() }
        .expect("network::total_fil_circ_supply failed")
        .into()
}

/// The CID of the tipset at `epoch` (`network::tipset_cid`, with a `MAX_CID_LEN` buffer).
/// Only epochs from now back to the lookback limit (finality) are available.
pub fn tipset_cid(epoch: ChainEpoch) -> Result<Cid, EpochBoundsError> {
    let mut buf = [0u8; MAX_CID_LEN];
    match unsafe { sys::network::tipset_cid(epoch, buf.as_mut_ptr(), MAX_CID_LEN as u32) } {
        Ok(len) => Ok(cid_from_kernel(&buf[..len as usize])),
        Err(ErrorNumber::IllegalArgument) => Err(EpochBoundsError::Invalid),
        Err(ErrorNumber::LimitExceeded) => Err(EpochBoundsError::ExceedsLookback),
        Err(e) => panic!("network::tipset_cid failed unexpectedly: {e}"),
    }
}
