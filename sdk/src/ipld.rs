//! Reading and writing IPLD blocks.
//!
//! Blocks live in the kernel for the duration of the call and are named by a handle (a
//! `BlockId`). A block only becomes part of the state if it is linked (`put`) and then reachable
//! from the actor's root when the call ends.

use cid::multihash::Multihash;
use cid::Cid;
use fern_shared::consts::{BLAKE2B_256, DAG_CBOR, IDENTITY_HASH, MAX_CID_LEN};
use fern_shared::error::ErrorNumber;
use fern_shared::sys::{BlockId, Codec};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::ActorError;
use crate::{sys, SyscallResult};

/// The handle meaning "no block".
pub const UNIT: BlockId = sys::ipld::UNIT;

/// Buffer size used by [`get_block`] when the caller gives no size hint.
pub const DEFAULT_READ_BUFFER: u32 = 1024;

/// Encodes a CID into a fixed stack buffer for the syscalls that read a CID from memory.
pub(crate) fn cid_buffer(cid: &Cid) -> [u8; MAX_CID_LEN] {
    let mut buf = [0u8; MAX_CID_LEN];
    cid.write_bytes(&mut buf[..]).expect("a CID always fits in MAX_CID_LEN bytes");
    buf
}

/// Parses a CID the kernel wrote into `buf`.
pub(crate) fn cid_from_kernel(buf: &[u8]) -> Cid {
    Cid::read_bytes(buf).expect("kernel wrote an invalid CID")
}

/// Stores `data` as a block with the given codec and returns its CID, hashed with multihash
/// `mh_code` truncated to `mh_size` bytes.
///
/// With the identity hash no syscall is made: the CID embeds the data itself (`mh_size` must
/// then equal the data length, else `IllegalCid`). Otherwise this makes two syscalls:
/// `ipld::block_create` then `ipld::block_link` (the kernel only accepts 32-byte BLAKE2b-256).
pub fn put(mh_code: u64, mh_size: u32, codec: Codec, data: &[u8]) -> SyscallResult<Cid> {
    if mh_code == IDENTITY_HASH {
        if mh_size as usize != data.len() {
            return Err(ErrorNumber::IllegalCid);
        }
        let mh = Multihash::wrap(mh_code, data).map_err(|_| ErrorNumber::IllegalCid)?;
        return Ok(Cid::new_v1(codec, mh));
    }
    let id = put_block(codec, data)?;
    link(id, mh_code, mh_size)
}

/// Stores `data` with the network's standard hash (32-byte BLAKE2b-256).
pub fn put_blake2b(codec: Codec, data: &[u8]) -> SyscallResult<Cid> {
    put(BLAKE2B_256, 32, codec, data)
}

/// Hashes a block already created with [`put_block`] into a CID and marks it for storage
/// (`ipld::block_link`, with a `MAX_CID_LEN` output buffer).
pub fn link(id: BlockId, mh_code: u64, mh_size: u32) -> SyscallResult<Cid> {
    let mut buf = [0u8; MAX_CID_LEN];
    let len = unsafe {
        sys::ipld::block_link(id, mh_code, mh_size, buf.as_mut_ptr(), MAX_CID_LEN as u32)?
    };
    Ok(cid_from_kernel(&buf[..len as usize]))
}

/// Loads the block named by `cid`.
///
/// An identity-hashed CID is answered locally with its embedded data. Otherwise this makes two
/// syscalls: `ipld::block_open`, then one `ipld::block_read` of exactly the block's size.
pub fn get(cid: &Cid) -> SyscallResult<Vec<u8>> {
    if cid.hash().code() == IDENTITY_HASH {
        return Ok(cid.hash().digest().to_vec());
    }
    let cid_buf = cid_buffer(cid);
    let opened = unsafe { sys::ipld::block_open(cid_buf.as_ptr())? };
    let (id, size) = (opened.id, opened.size);
    let mut data = Vec::with_capacity(size as usize);
    unsafe {
        let left = sys::ipld::block_read(id, 0, data.as_mut_ptr(), size)?;
        assert_eq!(left, 0, "block changed size between open and read");
        data.set_len(size as usize);
    }
    Ok(data)
}

/// Reads the whole block behind a handle.
///
/// The first `ipld::block_read` uses a buffer of `size_hint` bytes (1024 without a hint); if
/// the block is larger, one more read fetches exactly the rest. Handle [`UNIT`] yields an empty
/// vector without any syscall.
pub fn get_block(id: BlockId, size_hint: Option<u32>) -> SyscallResult<Vec<u8>> {
    if id == UNIT {
        return Ok(Vec::new());
    }
    let first = size_hint.unwrap_or(DEFAULT_READ_BUFFER);
    let mut data: Vec<u8> = Vec::with_capacity(first as usize);
    unsafe {
        let left = sys::ipld::block_read(id, 0, data.as_mut_ptr(), first)?;
        if left > 0 {
            data.set_len(first as usize);
            data.reserve_exact(left as usize);
            let tail = data.as_mut_ptr().add(first as usize);
            let after = sys::ipld::block_read(id, first, tail, left as u32)?;
            assert_eq!(after, 0, "block changed size while reading");
            data.set_len(first as usize + left as usize);
        } else {
            // `left` is minus the unused part of the buffer.
            let len = first as i64 + left as i64;
            assert!(len >= 0, "kernel reported a negative block size");
            data.set_len(len as usize);
        }
    }
    Ok(data)
}

/// Creates a block from `data` with the given codec and returns its handle
/// (`ipld::block_create`).
pub fn put_block(codec: Codec, data: &[u8]) -> SyscallResult<BlockId> {
    unsafe { sys::ipld::block_create(codec, data.as_ptr(), data.len() as u32) }
}

/// The codec and size of the block behind a handle (`ipld::block_stat`).
pub fn stat(id: BlockId) -> SyscallResult<(Codec, u32)> {
    let s = unsafe { sys::ipld::block_stat(id)? };
    Ok((s.codec, s.size))
}

/// Encodes `value` as DAG-CBOR and stores it with BLAKE2b-256, returning its CID.
///
/// Encoding failures become `USR_SERIALIZATION`; syscall failures become
/// `USR_ILLEGAL_STATE`.
pub fn put_dag_cbor<T: Serialize + ?Sized>(value: &T) -> Result<Cid, ActorError> {
    let bytes = fvm_ipld_encoding::to_vec(value)?;
    put_blake2b(DAG_CBOR, &bytes)
        .map_err(|e| ActorError::illegal_state(format!("failed to store block: {e}")))
}

/// Loads the block `cid` and decodes it from CBOR.
///
/// A missing block becomes `USR_NOT_FOUND`, other syscall failures `USR_ILLEGAL_STATE`, and
/// decoding failures `USR_SERIALIZATION`.
pub fn get_dag_cbor<T: DeserializeOwned>(cid: &Cid) -> Result<T, ActorError> {
    let bytes = get(cid).map_err(|e| match e {
        ErrorNumber::NotFound => ActorError::not_found(format!("block {cid} not found")),
        e => ActorError::illegal_state(format!("failed to load block {cid}: {e}")),
    })?;
    Ok(fvm_ipld_encoding::from_slice(&bytes)?)
}
