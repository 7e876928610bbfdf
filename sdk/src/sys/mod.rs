//! Raw syscall imports.
//!
//! Each submodule is one Wasm import module; each function is one imported function. The
//! declarations reproduce the Filecoin VM's syscall ABI exactly, so an actor built with this crate
//! links against any kernel that implements it.
//!
//! # Calling convention
//!
//! Every import returns an `i32` status: 0 for success, otherwise an [`ErrorNumber`]. The Rust
//! wrappers in these modules come in three shapes:
//!
//! * `-> Result<()>`: the import takes exactly the listed parameters.
//! * `-> Result<T>`: the import takes one extra *first* parameter, a pointer to where the kernel
//!   writes a `T` (see [`fern_shared::sys::SyscallSafe`]) when, and only when, the status is 0.
//! * `-> !`: the import never returns to the caller (only `vm::exit`).
//!
//! Pointers are offsets into the actor's own linear memory (`i32` on wasm32), `u32`/`i32`
//! parameters are `i32`, and `u64`/`i64` parameters (including 64-bit flag words) are `i64`.
//!
//! On targets other than `wasm32` there is no kernel: every function here panics, so that crates
//! built on the SDK still compile and can unit-test their pure logic on the host.

#[doc(inline)]
pub use fern_shared::error::ErrorNumber;
#[doc(inline)]
pub use fern_shared::sys::TokenAmount;

pub mod actor;
pub mod crypto;
pub mod debug;
pub mod event;
pub mod gas;
pub mod ipld;
pub mod network;
pub mod rand;
pub mod send;
pub mod sself;
pub mod vm;

/// Turns an import's status word into a `Result`.
#[cfg(target_arch = "wasm32")]
#[inline(always)]
pub(crate) fn status(code: u32) -> Result<(), ErrorNumber> {
    if code == 0 {
        Ok(())
    } else {
        Err(crate::error::error_number_from_status(code))
    }
}

/// What every syscall does when the SDK is built for a non-Wasm host.
#[cfg(not(target_arch = "wasm32"))]
#[cold]
#[inline(never)]
pub(crate) fn unavailable(name: &str) -> ! {
    panic!(
        "fern_sdk: syscall `{name}` needs the Fern VM; it is not available when built for the \
         host (target_arch != wasm32)"
    )
}

/// Declares the functions of one Wasm import module.
///
/// Each entry is a function signature ending in `-> Result<()>`, `-> Result<T>` or `-> !`; the
/// macro emits an `unsafe fn` with that Rust signature whose body calls the import (on wasm32)
/// or panics (elsewhere).
macro_rules! wasm_imports {
    (module $module:literal;) => {};

    // Status only.
    (module $module:literal;
     $(#[$doc:meta])* fn $name:ident($($arg:ident : $ty:ty),* $(,)?) -> Result<()>;
     $($rest:tt)*) => {
        $(#[$doc])*
        #[allow(clippy::missing_safety_doc, clippy::too_many_arguments, unused_variables)]
        #[inline(always)]
        pub unsafe fn $name($($arg: $ty),*) -> Result<(), $crate::sys::ErrorNumber> {
            #[cfg(target_arch = "wasm32")]
            {
                #[link(wasm_import_module = $module)]
                extern "C" {
                    #[link_name = stringify!($name)]
                    fn import($($arg: $ty),*) -> u32;
                }
                $crate::sys::status(import($($arg),*))
            }
            #[cfg(not(target_arch = "wasm32"))]
            {
                $crate::sys::unavailable(concat!($module, "::", stringify!($name)))
            }
        }
        $crate::sys::wasm_imports!(module $module; $($rest)*);
    };

    // Status plus a value written through a hidden leading pointer.
    (module $module:literal;
     $(#[$doc:meta])* fn $name:ident($($arg:ident : $ty:ty),* $(,)?) -> Result<$ret:ty>;
     $($rest:tt)*) => {
        $(#[$doc])*
        #[allow(clippy::missing_safety_doc, clippy::too_many_arguments, unused_variables)]
        #[inline(always)]
        pub unsafe fn $name($($arg: $ty),*) -> Result<$ret, $crate::sys::ErrorNumber> {
            #[cfg(target_arch = "wasm32")]
            {
                #[link(wasm_import_module = $module)]
                extern "C" {
                    #[link_name = stringify!($name)]
                    fn import(out: *mut $ret $(, $arg: $ty)*) -> u32;
                }
                let mut out = ::core::mem::MaybeUninit::<$ret>::uninit();
                $crate::sys::status(import(out.as_mut_ptr() $(, $arg)*))?;
                // The kernel fills `out` whenever it reports success.
                Ok(out.assume_init())
            }
            #[cfg(not(target_arch = "wasm32"))]
            {
                $crate::sys::unavailable(concat!($module, "::", stringify!($name)))
            }
        }
        $crate::sys::wasm_imports!(module $module; $($rest)*);
    };

    // Never returns.
    (module $module:literal;
     $(#[$doc:meta])* fn $name:ident($($arg:ident : $ty:ty),* $(,)?) -> !;
     $($rest:tt)*) => {
        $(#[$doc])*
        #[allow(clippy::missing_safety_doc, clippy::too_many_arguments, unused_variables)]
        #[inline(always)]
        pub unsafe fn $name($($arg: $ty),*) -> ! {
            #[cfg(target_arch = "wasm32")]
            {
                #[link(wasm_import_module = $module)]
                extern "C" {
                    #[link_name = stringify!($name)]
                    fn import($($arg: $ty),*) -> u32;
                }
                import($($arg),*);
                // A kernel never resumes the caller after this import; if one did, stop here.
                ::std::process::abort()
            }
            #[cfg(not(target_arch = "wasm32"))]
            {
                $crate::sys::unavailable(concat!($module, "::", stringify!($name)))
            }
        }
        $crate::sys::wasm_imports!(module $module; $($rest)*);
    };
}

pub(crate) use wasm_imports;
