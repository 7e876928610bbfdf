//! Fern's test actors, compiled to Wasm by the build script and embedded here.
//!
//! | name | package | SDK | purpose |
//! |---|---|---|---|
//! | `syscalls` | `fern_test_syscalls` | fern_sdk | every syscall and its error paths |
//! | `failures` | `fern_test_failures` | fern_sdk | traps, out of gas, stack/memory/call-depth limits |
//! | `fvm_sdk` | `fvm_test_actor` | fvm_sdk 4.8 | an actor built with ref-fvm's own SDK |

#![warn(missing_docs)]

include!(concat!(env!("OUT_DIR"), "/actors.rs"));

/// The Wasm code of the test actor with this name.
pub fn wasm(name: &str) -> Option<&'static [u8]> {
    ACTORS.iter().find(|(n, _)| *n == name).map(|(_, w)| *w)
}
