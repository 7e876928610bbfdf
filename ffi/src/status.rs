//! Status codes, error messages, and the guard that keeps panics on Fern's side of the boundary.
//!
//! Every exported function returns a [`FernStatus`]. When it is not [`FernStatus::Ok`] and the
//! caller passed a non-null `error` out-pointer, `*error` receives a NUL-terminated UTF-8 message
//! that the caller frees with [`fern_string_free`]. On success `*error` is set to NULL. Nothing is
//! kept in thread-local storage, so the message cannot be lost when a Go goroutine moves between
//! threads.

use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The outcome of a call into Fern.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FernStatus {
    /// The call succeeded.
    Ok = 0,
    /// A required pointer argument was NULL.
    NullPointer = 1,
    /// An argument was malformed: a CID, a token amount, a flag, an apply kind, a callback
    /// table without a required callback, a state root the blockstore does not have.
    InvalidArgument = 2,
    /// The network version is outside what this library executes (see `fern_library_info`).
    UnsupportedNetworkVersion = 3,
    /// The message bytes are not the CBOR of a Filecoin message, or the message is malformed
    /// (e.g. a negative value). No state changed.
    InvalidMessage = 4,
    /// A block Fern needed was not in the host's blockstore (the message names its CID). When
    /// returned by an apply, no receipt exists and the executor is poisoned.
    MissingBlock = 5,
    /// A host callback failed (I/O error, panic, an unusable answer, a callback the call needed
    /// but the table left NULL). When returned by an apply, no receipt exists and the executor
    /// is poisoned.
    HostFailure = 6,
    /// Fern failed fatally (the state is unusable); the executor is poisoned.
    Fatal = 7,
    /// Another thread is using this executor right now; nothing was done.
    Busy = 8,
    /// An earlier failure poisoned this executor; only `fern_executor_free` is useful now.
    Poisoned = 9,
    /// Fern panicked (a bug). The executor, if one was involved, is poisoned.
    Panic = 10,
}

/// A failure on its way to the caller: a status and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The status returned.
    pub status: FernStatus,
    /// The message written to `*error`.
    pub message: String,
}

impl Failure {
    /// A failure with `status` and `message`.
    pub fn new(status: FernStatus, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
        }
    }

    /// [`FernStatus::NullPointer`] naming the argument.
    pub fn null(argument: &str) -> Self {
        Self::new(FernStatus::NullPointer, format!("{argument} is NULL"))
    }

    /// [`FernStatus::InvalidArgument`].
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(FernStatus::InvalidArgument, message)
    }

    /// [`FernStatus::Panic`] with the panic's message.
    pub fn panic(payload: &(dyn std::any::Any + Send)) -> Self {
        Self::new(
            FernStatus::Panic,
            format!("Fern panicked: {}", panic_message(payload)),
        )
    }
}

/// The text of a panic payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// Runs `f` for an exported function: clears `*error`, turns a panic into
/// [`FernStatus::Panic`], and writes the message of a failure to `*error`.
pub(crate) fn guard(
    error: *mut *mut c_char,
    f: impl FnOnce() -> Result<(), Failure>,
) -> FernStatus {
    if !error.is_null() {
        // SAFETY: the caller passes either NULL or a writable pointer (documented contract).
        unsafe { *error = std::ptr::null_mut() };
    }
    let failure = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => return FernStatus::Ok,
        Ok(Err(failure)) => failure,
        Err(payload) => Failure::panic(payload.as_ref()),
    };
    if !error.is_null() {
        // SAFETY: as above.
        unsafe { *error = into_c_string(&failure.message) };
    }
    failure.status
}

/// A heap copy of `text` as a C string (interior NUL bytes become U+FFFD), owned by the caller
/// until [`fern_string_free`].
pub(crate) fn into_c_string(text: &str) -> *mut c_char {
    let clean = text.replace('\0', "\u{fffd}");
    CString::new(clean).map_or(std::ptr::null_mut(), CString::into_raw)
}

/// Frees a string Fern returned (an error message, a failure info). NULL is ignored.
///
/// # Safety
/// `s` is NULL or a string from this library, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn fern_string_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: by the contract, `s` came from `CString::into_raw` in this library.
        drop(unsafe { CString::from_raw(s) });
    }
}
