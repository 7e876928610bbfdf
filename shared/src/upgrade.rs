//! Parameters handed to an actor's `upgrade` entry point.

use cid::Cid;
use fvm_ipld_encoding::tuple::*;

/// Information the kernel passes to new code when an actor upgrades itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct UpgradeInfo {
    /// The code CID the actor ran before the upgrade.
    pub old_code_cid: Cid,
}
