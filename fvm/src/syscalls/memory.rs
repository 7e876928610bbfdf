//! Bounds-checked access to an actor's linear memory. Every out-of-range buffer is
//! `IllegalArgument`.

use cid::Cid;
use fern_shared::address::Address;
use fern_shared::error::ErrorNumber;
use fern_shared::sys::SyscallSafe;

use crate::call_manager::{syscall_error, Result};

fn oob(offset: u32, len: u32) -> crate::call_manager::ExecutionError {
    syscall_error(
        ErrorNumber::IllegalArgument,
        format!("buffer {offset} (length {len}) out of bounds"),
    )
}

/// Fails unless `[offset, offset + len)` lies inside `mem`.
pub fn check_bounds(mem: &[u8], offset: u32, len: u32) -> Result<()> {
    if u64::from(offset) + u64::from(len) <= mem.len() as u64 {
        Ok(())
    } else {
        Err(oob(offset, len))
    }
}

/// The bytes `[offset, offset + len)`.
pub fn slice(mem: &[u8], offset: u32, len: u32) -> Result<&[u8]> {
    mem.get(offset as usize..)
        .and_then(|m| m.get(..len as usize))
        .ok_or_else(|| oob(offset, len))
}

/// The bytes `[offset, offset + len)`, writable.
pub fn slice_mut(mem: &mut [u8], offset: u32, len: u32) -> Result<&mut [u8]> {
    mem.get_mut(offset as usize..)
        .and_then(|m| m.get_mut(..len as usize))
        .ok_or_else(|| oob(offset, len))
}

/// Parses a CID starting at `offset`, reading only as far as the CID extends.
pub fn read_cid(mem: &[u8], offset: u32) -> Result<Cid> {
    let rest = mem
        .get(offset as usize..)
        .ok_or_else(|| syscall_error(ErrorNumber::IllegalArgument, "cid out of bounds"))?;
    Cid::read_bytes(rest).map_err(|e| {
        syscall_error(
            ErrorNumber::IllegalArgument,
            format!("failed to parse cid: {e}"),
        )
    })
}

/// Writes `cid` into the buffer `[offset, offset + len)`, returning its length
/// (`BufferTooSmall` when it does not fit).
pub fn write_cid(mem: &mut [u8], cid: &Cid, offset: u32, len: u32) -> Result<u32> {
    let out = slice_mut(mem, offset, len)?;
    let bytes = cid.to_bytes();
    if bytes.len() > out.len() {
        return Err(syscall_error(
            ErrorNumber::BufferTooSmall,
            "cid output buffer is too small",
        ));
    }
    out[..bytes.len()].copy_from_slice(&bytes);
    Ok(bytes.len() as u32)
}

/// Decodes an address from `[offset, offset + len)`.
pub fn read_address(mem: &[u8], offset: u32, len: u32) -> Result<Address> {
    let bytes = slice(mem, offset, len)?;
    Address::from_bytes(bytes)
        .map_err(|e| syscall_error(ErrorNumber::IllegalArgument, e.to_string()))
}

/// Copies `value` verbatim to `offset` (the caller checked the room).
pub fn write_value<T: SyscallSafe>(mem: &mut [u8], offset: u32, value: T) {
    let size = std::mem::size_of::<T>();
    let dst = &mut mem[offset as usize..offset as usize + size];
    // SAFETY: `T: SyscallSafe` is plain data without padding or pointers, and `dst` has exactly
    // `size_of::<T>()` bytes; the write is unaligned-safe.
    unsafe { std::ptr::write_unaligned(dst.as_mut_ptr() as *mut T, value) }
}

/// Reads `count` values of `T` starting at `offset`.
pub fn read_values<T: SyscallSafe>(mem: &[u8], offset: u32, count: u32) -> Result<Vec<T>> {
    let size = (std::mem::size_of::<T>() as u32)
        .checked_mul(count)
        .ok_or_else(|| syscall_error(ErrorNumber::IllegalArgument, "buffer length overflow"))?;
    let bytes = slice(mem, offset, size)?;
    Ok(bytes
        .chunks_exact(std::mem::size_of::<T>())
        // SAFETY: every bit pattern of a `SyscallSafe` type is valid; reads are unaligned.
        .map(|c| unsafe { std::ptr::read_unaligned(c.as_ptr() as *const T) })
        .collect())
}
