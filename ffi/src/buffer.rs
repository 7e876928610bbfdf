//! Byte buffers crossing the boundary: [`FernSlice`] (borrowed from the caller) and
//! [`FernBuffer`] (owned by Fern until freed).

/// Bytes the caller lends Fern for the duration of one call. `data` may be NULL only when `len`
/// is 0. Fern copies what it keeps.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FernSlice {
    /// First byte.
    pub data: *const u8,
    /// Number of bytes.
    pub len: usize,
}

impl FernSlice {
    /// An empty slice (NULL, 0).
    pub const EMPTY: FernSlice = FernSlice {
        data: std::ptr::null(),
        len: 0,
    };

    /// A slice over `bytes` (for Rust callers of the C interface).
    pub fn of(bytes: &[u8]) -> Self {
        FernSlice {
            data: bytes.as_ptr(),
            len: bytes.len(),
        }
    }

    /// The bytes, or `None` when `data` is NULL with a non-zero `len`.
    ///
    /// # Safety
    /// `data` points to `len` readable bytes that stay valid and unchanged for `'a`.
    pub unsafe fn bytes<'a>(self) -> Option<&'a [u8]> {
        if self.len == 0 {
            Some(&[])
        } else if self.data.is_null() {
            None
        } else {
            // SAFETY: by the caller's contract.
            Some(unsafe { std::slice::from_raw_parts(self.data, self.len) })
        }
    }
}

/// Bytes Fern allocated and the caller owns until it passes them to [`fern_buffer_free`] (or
/// frees the structure that holds them). An empty buffer is (NULL, 0).
#[repr(C)]
#[derive(Debug)]
pub struct FernBuffer {
    /// First byte (NULL when empty).
    pub data: *mut u8,
    /// Number of bytes.
    pub len: usize,
}

impl FernBuffer {
    /// An empty buffer.
    pub const EMPTY: FernBuffer = FernBuffer {
        data: std::ptr::null_mut(),
        len: 0,
    };

    /// Hands `bytes` over to the caller.
    pub fn new(bytes: Vec<u8>) -> Self {
        if bytes.is_empty() {
            return Self::EMPTY;
        }
        let boxed = bytes.into_boxed_slice();
        let len = boxed.len();
        FernBuffer {
            data: Box::into_raw(boxed).cast::<u8>(),
            len,
        }
    }

    /// The bytes (for Rust callers of the C interface).
    pub fn as_slice(&self) -> &[u8] {
        if self.data.is_null() {
            &[]
        } else {
            // SAFETY: a non-empty buffer was made by `new` from a boxed slice of `len` bytes.
            unsafe { std::slice::from_raw_parts(self.data, self.len) }
        }
    }

    /// Frees the bytes and leaves the buffer empty.
    ///
    /// # Safety
    /// The buffer was made by this library and not freed yet.
    pub(crate) unsafe fn release(&mut self) {
        if !self.data.is_null() {
            let slice = std::ptr::slice_from_raw_parts_mut(self.data, self.len);
            // SAFETY: `new` made it with `Box::into_raw` of a boxed slice of this length.
            drop(unsafe { Box::from_raw(slice) });
        }
        *self = Self::EMPTY;
    }
}

/// Frees a buffer Fern returned by value (a flushed state root). Freeing an empty buffer does
/// nothing.
///
/// # Safety
/// `buffer` came from this library and was not freed before.
#[no_mangle]
pub unsafe extern "C" fn fern_buffer_free(buffer: FernBuffer) {
    let mut buffer = buffer;
    // SAFETY: by the caller's contract.
    unsafe { buffer.release() };
}
