//! [`BlockRegistry`]: the blocks an invocation holds, by handle, and the set of CIDs it may
//! reach.

use crate::machine::fast_hash::FastHashSet;

use cid::Cid;
use fern_shared::error::ErrorNumber;

use crate::call_manager::{syscall_error, Block, Result};
use crate::gas::limits::MAX_BLOCKS_PER_CALL;

/// Handle of the first block; 0 means "no block".
pub const FIRST_BLOCK_ID: u32 = 1;

/// Blocks of one invocation, numbered from [`FIRST_BLOCK_ID`], and the reachable CIDs.
#[derive(Debug, Default)]
pub struct BlockRegistry {
    blocks: Vec<Block>,
    reachable: FastHashSet<Cid>,
}

/// Codec and size of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockStat {
    /// IPLD codec.
    pub codec: u64,
    /// Length in bytes.
    pub size: u32,
}

impl BlockRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether no further block can be added.
    pub fn is_full(&self) -> bool {
        self.blocks.len() as u64 >= u64::from(MAX_BLOCKS_PER_CALL)
    }

    /// Adds a block whose links become reachable (parameters, return values, opened state).
    pub fn put_reachable(&mut self, block: Block) -> Result<u32> {
        self.put(block, false)
    }

    /// Adds a block created by the actor: every link must already be reachable (`NotFound`).
    pub fn put_check_reachable(&mut self, block: Block) -> Result<u32> {
        self.put(block, true)
    }

    fn put(&mut self, block: Block, check: bool) -> Result<u32> {
        if self.is_full() {
            return Err(syscall_error(ErrorNumber::LimitExceeded, "too many blocks"));
        }
        // Under ref-fvm 4.x rules every block arrives here with an allowed codec already; under
        // 3.x rules this is where a block opened or created with another codec is refused
        // (after its gas was charged).
        if !super::ipld::ALLOWED_CODECS.contains(&block.codec()) {
            return Err(syscall_error(
                ErrorNumber::IllegalCodec,
                format!("codec {} not allowed", block.codec()),
            ));
        }
        if check {
            if let Some(k) = block.links().iter().find(|k| !self.reachable.contains(k)) {
                return Err(syscall_error(
                    ErrorNumber::NotFound,
                    format!("cannot put block: {k} not reachable"),
                ));
            }
        } else {
            self.reachable.extend(block.links().iter().copied());
        }
        self.blocks.push(block);
        Ok(FIRST_BLOCK_ID + self.blocks.len() as u32 - 1)
    }

    /// Makes `cid` reachable.
    pub fn mark_reachable(&mut self, cid: &Cid) {
        self.reachable.insert(*cid);
    }

    /// Whether `cid` is reachable (identity CIDs are not implicitly reachable).
    pub fn is_reachable(&self, cid: &Cid) -> bool {
        self.reachable.contains(cid)
    }

    /// The block with handle `id` (`InvalidHandle` otherwise).
    pub fn get(&self, id: u32) -> Result<&Block> {
        id.checked_sub(FIRST_BLOCK_ID)
            .and_then(|i| self.blocks.get(i as usize))
            .ok_or_else(|| {
                syscall_error(
                    ErrorNumber::InvalidHandle,
                    format!("invalid block handle {id}"),
                )
            })
    }

    /// Codec and size of block `id`.
    pub fn stat(&self, id: u32) -> Result<BlockStat> {
        self.get(id).map(|b| BlockStat {
            codec: b.codec(),
            size: b.size(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call_manager::ExecutionError;

    fn number(e: ExecutionError) -> ErrorNumber {
        match e {
            ExecutionError::Syscall(s) => s.number,
            other => panic!("not a syscall error: {other}"),
        }
    }

    #[test]
    fn handles_start_at_one_and_zero_is_invalid() {
        let mut r = BlockRegistry::new();
        let id = r
            .put_reachable(Block::new(0x55, vec![1], Vec::new()))
            .unwrap();
        assert_eq!(id, FIRST_BLOCK_ID);
        assert_eq!(
            r.put_reachable(Block::new(0x55, vec![2], Vec::new()))
                .unwrap(),
            2
        );
        assert_eq!(number(r.get(0).unwrap_err()), ErrorNumber::InvalidHandle);
        assert_eq!(number(r.get(3).unwrap_err()), ErrorNumber::InvalidHandle);
        assert_eq!(
            r.stat(2).unwrap(),
            BlockStat {
                codec: 0x55,
                size: 1
            }
        );
    }

    #[test]
    fn created_blocks_may_only_link_reachable_cids() {
        let mut r = BlockRegistry::new();
        let cid = fern_shared::consts::empty_arr_cid();
        let linking = Block::new(0x71, vec![0], vec![cid]);
        assert_eq!(
            number(r.put_check_reachable(linking.clone()).unwrap_err()),
            ErrorNumber::NotFound
        );
        // A block put as reachable (e.g. parameters) makes its links reachable.
        r.put_reachable(linking.clone()).unwrap();
        assert!(r.is_reachable(&cid));
        r.put_check_reachable(linking).unwrap();
    }
}
