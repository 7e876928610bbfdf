//! Errors raised by gas accounting.

use std::fmt;

/// A charge did not fit in the gas still available.
///
/// The kernel turns this into the `SYS_OUT_OF_GAS` exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfGas;

impl fmt::Display for OutOfGas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("out of gas")
    }
}

impl std::error::Error for OutOfGas {}

/// [`GasTracker::pop_limit`](super::GasTracker::pop_limit) was called without a matching
/// [`push_limit`](super::GasTracker::push_limit): a kernel bug, fatal to the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoPushedLimit;

impl fmt::Display for NoPushedLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no pushed gas limit to pop")
    }
}

impl std::error::Error for NoPushedLimit {}
