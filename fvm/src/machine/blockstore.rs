//! A write-buffering blockstore and the DAG-CBOR link walker its flush uses.
//!
//! While messages run, every block written (actor state, HAMT nodes, intermediate garbage) lands
//! in an in-memory buffer in front of the node's blockstore. At the end,
//! [`BufferedBlockstore::flush`] copies to the node's store only the buffered blocks reachable
//! from the new state root, so intermediate blocks never reach disk.
//!
//! Walking rules (those of the reference implementation):
//!
//! - every CID met (the root and each link found) must have codec raw, CBOR or DAG-CBOR, or be a
//!   Filecoin piece/sector commitment (codecs `0xf101`, `0xf102`), which is skipped; any other
//!   codec is an error, even for a block that is not in the buffer;
//! - its multihash must be a full-length (32-byte) blake2b-256 or an identity hash; anything else
//!   is an error;
//! - an identity-hash CID is never written; if its codec is DAG-CBOR its inline data is scanned for
//!   further links;
//! - a CID whose block is not in the buffer is assumed to be in the base store already, and its
//!   links are not followed;
//! - a buffered block is written once, and only DAG-CBOR blocks are scanned for links (raw and
//!   plain-CBOR blocks cannot link).
//!
//! Reads that reach the base store are checked (ref-fvm trusts its store): a block must hash to
//! its CID (every multihash the code table computes: blake2b, sha2, sha3, ripemd...; an identity
//! CID's block must equal its digest; other hash functions are trusted). A block that does not,
//! and a base-store error on `get`, on `has` or while a flush writes, is recorded as a
//! [`HostFault`] for the executor (see [`super::faults`]) besides failing the operation. Blocks
//! served from the buffer were hashed by Fern when they were written and are not checked again.

use super::fast_hash::{FastHashMap, FastHashSet};
use std::cell::RefCell;

use anyhow::anyhow;
use cid::Cid;
use fern_shared::consts::{BLAKE2B_256, BLAKE2B_256_LEN, CBOR, DAG_CBOR, IDENTITY_HASH, IPLD_RAW};
use fvm_ipld_blockstore::{Blockstore, Buffered};
use multihash_codetable::{Code, MultihashDigest};

use super::faults::{FaultSlot, HostFault};

/// Codec of an unsealed-sector (piece) commitment CID; such links are skipped by flushes.
pub const FIL_COMMITMENT_UNSEALED: u64 = 0xf101;
/// Codec of a sealed-sector commitment CID; such links are skipped by flushes.
pub const FIL_COMMITMENT_SEALED: u64 = 0xf102;

/// A blockstore whose writes stay in memory until flushed to the base store.
///
/// Reads see buffered blocks first, then the base store. Not thread-safe.
#[derive(Debug)]
pub struct BufferedBlockstore<B> {
    base: B,
    buffer: RefCell<FastHashMap<Cid, Vec<u8>>>,
    /// While a journal is open: the blocks added to the buffer since it opened.
    journal: RefCell<Option<Vec<Cid>>>,
    /// The first base-store failure met since the executor last looked.
    faults: FaultSlot,
}

impl<B: Blockstore> BufferedBlockstore<B> {
    /// An empty buffer in front of `base`.
    pub fn new(base: B) -> Self {
        BufferedBlockstore {
            base,
            buffer: RefCell::default(),
            journal: RefCell::default(),
            faults: FaultSlot::default(),
        }
    }

    /// The first base-store failure (read or existence-check error, block not matching its CID)
    /// met since the last call, leaving none recorded.
    pub fn take_fault(&self) -> Option<HostFault> {
        self.faults.take()
    }

    /// Starts noting which blocks enter the buffer (replacing any journal already open).
    pub fn begin_journal(&self) {
        *self.journal.borrow_mut() = Some(Vec::new());
    }

    /// Stops noting; with `discard`, the blocks that entered the buffer since
    /// [`begin_journal`](Self::begin_journal) leave it again, so the buffer is as it was then.
    pub fn end_journal(&self, discard: bool) {
        let Some(added) = self.journal.borrow_mut().take() else {
            return;
        };
        if discard {
            let mut buffer = self.buffer.borrow_mut();
            for cid in &added {
                buffer.remove(cid);
            }
        }
    }

    fn record_write_fault(&self, e: &anyhow::Error) {
        self.faults.record(HostFault::Write {
            reason: format!("{e:#}"),
        });
    }

    fn insert(&self, k: Cid, data: Vec<u8>) {
        let fresh = self.buffer.borrow_mut().insert(k, data).is_none();
        if fresh {
            if let Some(added) = self.journal.borrow_mut().as_mut() {
                added.push(k);
            }
        }
    }

    /// The base store.
    pub fn base(&self) -> &B {
        &self.base
    }

    /// Drops the buffer and returns the base store.
    pub fn into_inner(self) -> B {
        self.base
    }

    /// Number of blocks waiting in the buffer.
    pub fn buffered_len(&self) -> usize {
        self.buffer.borrow().len()
    }

    /// Whether `cid` is waiting in the buffer.
    pub fn is_buffered(&self, cid: &Cid) -> bool {
        self.buffer.borrow().contains_key(cid)
    }

    /// Moves the buffered blocks reachable from `root` (see the module documentation for the
    /// walking rules) into the base store. Unreachable blocks stay buffered. On error the buffer
    /// is left as it was (the base store may have taken some of the blocks).
    pub fn flush(&self, root: &Cid) -> anyhow::Result<()> {
        let reachable = {
            let buffer = self.buffer.borrow();
            reachable_buffered(&buffer, root)?
        };
        {
            let buffer = self.buffer.borrow();
            let blocks = reachable
                .iter()
                .filter_map(|cid| buffer.get(cid).map(|data| (*cid, data.as_slice())));
            self.base
                .put_many_keyed(blocks)
                .inspect_err(|e| self.record_write_fault(e))?;
        }
        // Only once the base store has taken them do the blocks leave the buffer, so a failing
        // base store loses nothing and the flush can be retried.
        let mut buffer = self.buffer.borrow_mut();
        for cid in &reachable {
            buffer.remove(cid);
        }
        Ok(())
    }

    /// Moves every buffered block, reachable or not, into the base store. On error the buffer
    /// keeps every block.
    pub fn flush_all(&self) -> anyhow::Result<()> {
        {
            let buffer = self.buffer.borrow();
            self.base
                .put_many_keyed(buffer.iter().map(|(cid, data)| (*cid, data.as_slice())))
                .inspect_err(|e| self.record_write_fault(e))?;
        }
        self.buffer.borrow_mut().clear();
        Ok(())
    }
}

/// The CIDs of the buffered blocks reachable from `root`, in visiting order, each once.
fn reachable_buffered(buffer: &FastHashMap<Cid, Vec<u8>>, root: &Cid) -> anyhow::Result<Vec<Cid>> {
    let mut pending = vec![*root];
    let mut seen = FastHashSet::default();
    let mut found = Vec::new();
    let mut links = Vec::new();
    while let Some(cid) = pending.pop() {
        match cid.codec() {
            FIL_COMMITMENT_UNSEALED | FIL_COMMITMENT_SEALED => continue,
            IPLD_RAW | CBOR | DAG_CBOR => {}
            other => {
                return Err(anyhow!(
                    "cannot flush {cid}: codec {other:#x} is not allowed"
                ))
            }
        }
        let hash = cid.hash();
        let identity = match (hash.code(), hash.size() as usize) {
            (IDENTITY_HASH, _) => true,
            (BLAKE2B_256, BLAKE2B_256_LEN) => false,
            (code, size) => {
                return Err(anyhow!(
                    "cannot flush {cid}: multihash {code:#x} of {size} bytes is not allowed"
                ))
            }
        };
        if identity {
            // Inline block: nothing to write, but it may link onwards.
            if cid.codec() == DAG_CBOR {
                links.clear();
                scan_dag_cbor_links(hash.digest(), &mut links)
                    .map_err(|e| anyhow!("cannot scan inline block {cid}: {e}"))?;
                pending.extend_from_slice(&links);
            }
            continue;
        }
        let Some(data) = buffer.get(&cid) else {
            continue;
        };
        if !seen.insert(cid) {
            continue;
        }
        if cid.codec() == DAG_CBOR {
            links.clear();
            scan_dag_cbor_links(data, &mut links)
                .map_err(|e| anyhow!("cannot scan block {cid}: {e}"))?;
            pending.extend_from_slice(&links);
        }
        found.push(cid);
    }
    Ok(found)
}

/// Whether `data` is the block `cid` names: its multihash recomputed over `data` (truncated to
/// the CID's digest length) equals the CID's. Identity CIDs hold their block as the digest.
/// Multihash functions the code table does not compute are trusted (`true`), as are digests
/// longer than the function's output, which no block can match and no healthy store holds.
pub fn block_matches_cid(cid: &Cid, data: &[u8]) -> bool {
    let hash = cid.hash();
    if hash.code() == IDENTITY_HASH {
        return hash.digest() == data;
    }
    let Ok(code) = Code::try_from(hash.code()) else {
        return true;
    };
    let computed = code.digest(data);
    let want = hash.digest();
    match computed.digest().get(..want.len()) {
        Some(prefix) => prefix == want,
        None => true,
    }
}

impl<B: Blockstore> Blockstore for BufferedBlockstore<B> {
    fn get(&self, k: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        if let Some(data) = self.buffer.borrow().get(k) {
            return Ok(Some(data.clone()));
        }
        match self.base.get(k) {
            Ok(Some(data)) if !block_matches_cid(k, &data) => {
                let fault = HostFault::Corrupt {
                    cid: *k,
                    len: data.len(),
                };
                let error = anyhow!("{fault}");
                self.faults.record(fault);
                Err(error)
            }
            Ok(found) => Ok(found),
            Err(e) => {
                self.faults.record(HostFault::Read {
                    cid: *k,
                    reason: format!("{e:#}"),
                });
                Err(e)
            }
        }
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> anyhow::Result<()> {
        self.insert(*k, block.to_vec());
        Ok(())
    }

    fn has(&self, k: &Cid) -> anyhow::Result<bool> {
        if self.buffer.borrow().contains_key(k) {
            return Ok(true);
        }
        self.base.has(k).inspect_err(|e| {
            self.faults.record(HostFault::Has {
                cid: *k,
                reason: format!("{e:#}"),
            })
        })
    }

    fn put_many_keyed<D, I>(&self, blocks: I) -> anyhow::Result<()>
    where
        Self: Sized,
        D: AsRef<[u8]>,
        I: IntoIterator<Item = (Cid, D)>,
    {
        for (k, data) in blocks {
            self.insert(k, data.as_ref().to_vec());
        }
        Ok(())
    }
}

impl<B: Blockstore> Buffered for BufferedBlockstore<B> {
    fn flush(&self, root: &Cid) -> anyhow::Result<()> {
        BufferedBlockstore::flush(self, root)
    }
}

/// Why a block could not be scanned for links.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkScanError {
    /// The data ended in the middle of an item.
    #[error("CBOR data ends unexpectedly")]
    Truncated,
    /// An item header uses a length encoding that DAG-CBOR forbids (reserved or indefinite).
    #[error("CBOR header byte {0:#04x} is not allowed")]
    BadHeader(u8),
    /// Tag 42 is not followed by a byte string.
    #[error("a CID tag must be followed by a byte string")]
    LinkNotBytes,
    /// The bytes of a CID tag do not start with the 0x00 multibase prefix.
    #[error("a CID byte string must start with a 0x00 byte")]
    MissingLinkPrefix,
    /// The bytes of a CID tag are not a valid CID.
    #[error("invalid CID in link: {0}")]
    BadCid(String),
}

/// Reads one CBOR item header at the start of `data`: major type, argument, and the rest.
fn read_header(data: &[u8]) -> Result<(u8, u64, &[u8]), LinkScanError> {
    let (&first, rest) = data.split_first().ok_or(LinkScanError::Truncated)?;
    let major = first >> 5;
    let info = first & 0x1f;
    let width = match info {
        0..=23 => return Ok((major, u64::from(info), rest)),
        24 => 1,
        25 => 2,
        26 => 4,
        27 => 8,
        _ => return Err(LinkScanError::BadHeader(first)),
    };
    if rest.len() < width {
        return Err(LinkScanError::Truncated);
    }
    let (arg, rest) = rest.split_at(width);
    let value = arg.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    Ok((major, value, rest))
}

/// Appends to `out`, in order of appearance, every CID linked (CBOR tag 42) from the first
/// DAG-CBOR item of `data`.
///
/// Only item headers are parsed: integers, floats and simple values are skipped, strings are
/// jumped over, arrays and maps add their items to the count still to read, and a tag other than
/// 42 counts as one more item. Like the reference implementation's flush, bytes after the first
/// complete item are ignored, and so are bytes after a CID inside a link's byte string. Malformed
/// input yields an error, never a panic.
pub fn scan_dag_cbor_links(data: &[u8], out: &mut Vec<Cid>) -> Result<(), LinkScanError> {
    let mut rest = data;
    let mut items_left: u64 = 1;
    while items_left > 0 {
        items_left -= 1;
        let (major, arg, after) = read_header(rest)?;
        rest = after;
        match major {
            // Unsigned and negative integers, floats and simple values carry nothing more.
            0 | 1 | 7 => {}
            // Byte and text strings: skip the content.
            2 | 3 => {
                if arg > rest.len() as u64 {
                    return Err(LinkScanError::Truncated);
                }
                rest = &rest[arg as usize..];
            }
            // Counts wrap around, as in the release builds of ref-fvm (3.14 and 4.8 add without
            // checks): an array of 2^64 - 1 items can end the scan early. Reachable only under
            // ref-fvm 3.x rules, where blocks are not scanned when created (FIPS/versions.md).
            4 => items_left = items_left.wrapping_add(arg),
            5 => items_left = arg.wrapping_mul(2).wrapping_add(items_left),
            6 if arg == 42 => {
                let (inner_major, len, after) = read_header(rest)?;
                if inner_major != 2 {
                    return Err(LinkScanError::LinkNotBytes);
                }
                if len > after.len() as u64 {
                    return Err(LinkScanError::Truncated);
                }
                let (bytes, after) = after.split_at(len as usize);
                rest = after;
                let Some((&0, cid_bytes)) = bytes.split_first() else {
                    return Err(LinkScanError::MissingLinkPrefix);
                };
                let cid =
                    Cid::try_from(cid_bytes).map_err(|e| LinkScanError::BadCid(e.to_string()))?;
                out.push(cid);
            }
            // Any other tag wraps exactly one item.
            6 => items_left = items_left.wrapping_add(1),
            _ => unreachable!("a CBOR major type has three bits"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_widths() {
        assert_eq!(read_header(&[0x17]).unwrap().1, 23);
        assert_eq!(read_header(&[0x18, 0xff]).unwrap().1, 255);
        assert_eq!(read_header(&[0x19, 0x01, 0x02]).unwrap().1, 0x0102);
        assert_eq!(read_header(&[0x1a, 0, 0, 1, 0]).unwrap().1, 256);
        assert_eq!(read_header(&[0x1b, 0, 0, 0, 0, 0, 0, 1, 0]).unwrap().1, 256);
        assert_eq!(read_header(&[0x1b, 0, 0]), Err(LinkScanError::Truncated));
        assert_eq!(read_header(&[0x9f]), Err(LinkScanError::BadHeader(0x9f)));
        assert_eq!(read_header(&[]), Err(LinkScanError::Truncated));
    }
}
