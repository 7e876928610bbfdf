//! Message receipts.

use cid::Cid;
use fvm_ipld_encoding::RawBytes;
use serde_tuple::{Deserialize_tuple, Serialize_tuple};

use crate::error::ExitCode;

/// The outcome of applying a message, encoded as the CBOR array
/// `[exit_code, return_data, gas_used, events_root]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Receipt {
    /// How execution ended.
    pub exit_code: ExitCode,
    /// The bytes returned by the invoked method (empty if none).
    pub return_data: RawBytes,
    /// Gas charged for the message.
    pub gas_used: u64,
    /// Root of the AMT of events emitted during execution; `None` (CBOR null) when there were
    /// none.
    pub events_root: Option<Cid>,
}
