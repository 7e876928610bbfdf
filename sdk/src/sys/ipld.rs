//! Import module `ipld`: opening, creating, reading and linking IPLD blocks.

#[doc(inline)]
pub use fern_shared::sys::out::ipld::{IpldOpen, IpldStat};

/// The block handle that stands for "no block" (empty parameters or return value).
pub const UNIT: u32 = 0;

super::wasm_imports! {
    module "ipld";

    /// Opens the block with the CID at `cid` (parsed from memory, no length needed) and yields
    /// its handle, codec and size.
    ///
    /// Errors: `NotFound` (block not reachable), `IllegalArgument` (bad CID).
    fn block_open(cid: *const u8) -> Result<IpldOpen>;

    /// Creates a block from `len` bytes at `data` with the given codec and yields its handle.
    ///
    /// Errors: `IllegalCodec`, `Serialization` (data does not parse), `LimitExceeded`.
    fn block_create(codec: u64, data: *const u8, len: u32) -> Result<u32>;

    /// Copies block bytes from `offset` into the buffer. Yields the bytes of the block left
    /// after the buffer is filled: positive if more remain, 0 if the rest fit exactly, negative
    /// when the buffer had that many bytes of spare room.
    fn block_read(id: u32, offset: u32, obuf: *mut u8, max_len: u32) -> Result<i32>;

    /// Yields a block's codec and size.
    fn block_stat(id: u32) -> Result<IpldStat>;

    /// Hashes block `id` into a CID (only 32-byte BLAKE2b-256 is accepted), stores the block,
    /// writes the CID into the buffer and yields its length.
    fn block_link(id: u32, hash_fun: u64, hash_len: u32, cid: *mut u8, cid_max_len: u32) -> Result<u32>;
}
