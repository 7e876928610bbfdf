//! A [`Blockstore`] backed by the actor's IPLD syscalls.
//!
//! Data structures such as `fvm_ipld_hamt::Hamt` read and write their nodes through the
//! `Blockstore` trait. [`ActorBlockstore`] forwards those calls to the kernel:
//!
//! - `get` opens the block by CID (`ipld::block_open` + `ipld::block_read`); a block the kernel
//!   does not know (or that is not reachable from this actor) reads as `None`;
//! - `put` creates the block and lets the *kernel* hash it (`ipld::block_create` +
//!   `ipld::block_link`), so no hash function is compiled into the actor;
//! - `put_keyed` does the same and checks that the kernel's CID equals the expected one.
//!
//! Only the hashes the kernel supports can be used (BLAKE2b-256, or identity which never
//! reaches the kernel).

use anyhow::{anyhow, bail};
use cid::Cid;
use fern_shared::consts::{BLAKE2B_256, BLAKE2B_256_LEN, IDENTITY_HASH};
use fern_shared::error::ErrorNumber;
use fvm_ipld_blockstore::{Block, Blockstore};

/// The actor's view of the IPLD store (a zero-sized handle; copy it freely).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ActorBlockstore;

/// The digest length the kernel expects for a multihash code, or why the code cannot be used.
pub fn digest_len_for(code: u64, data_len: usize) -> anyhow::Result<u32> {
    match code {
        BLAKE2B_256 => Ok(BLAKE2B_256_LEN as u32),
        IDENTITY_HASH => {
            u32::try_from(data_len).map_err(|_| anyhow!("block too large for an identity CID"))
        }
        other => bail!("multihash code {other:#x} is not supported by the actor blockstore"),
    }
}

impl Blockstore for ActorBlockstore {
    fn get(&self, k: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        match fern_sdk::ipld::get(k) {
            Ok(data) => Ok(Some(data)),
            Err(ErrorNumber::NotFound) => Ok(None),
            Err(e) => Err(anyhow!("failed to load block {}: {e}", crate::fmt::cid(k))),
        }
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> anyhow::Result<()> {
        let mh = k.hash();
        let stored = fern_sdk::ipld::put(mh.code(), u32::from(mh.size()), k.codec(), block)
            .map_err(|e| anyhow!("failed to store block {}: {e}", crate::fmt::cid(k)))?;
        if stored != *k {
            bail!(
                "stored block got {}, expected {}",
                crate::fmt::cid(&stored),
                crate::fmt::cid(k)
            );
        }
        Ok(())
    }

    fn put<D>(&self, mh_code: multihash_codetable::Code, block: &Block<D>) -> anyhow::Result<Cid>
    where
        D: AsRef<[u8]>,
    {
        let data = block.data.as_ref();
        let code: u64 = mh_code.into();
        let len = digest_len_for(code, data.len())?;
        fern_sdk::ipld::put(code, len, block.codec, data)
            .map_err(|e| anyhow!("failed to store a block: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_lengths() {
        let blake: u64 = multihash_codetable::Code::Blake2b256.into();
        assert_eq!(blake, BLAKE2B_256);
        assert_eq!(digest_len_for(blake, 1000).unwrap(), 32);
        assert_eq!(digest_len_for(IDENTITY_HASH, 7).unwrap(), 7);
        let sha: u64 = multihash_codetable::Code::Sha2_256.into();
        assert!(digest_len_for(sha, 1).is_err());
    }
}
