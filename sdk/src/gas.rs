//! Explicit gas charges and the remaining gas budget.

use crate::sys;

/// Charges `amount` gas, labelled `name` in execution traces (`gas::charge`).
///
/// # Panics
///
/// If the kernel rejects the charge for a reason other than running out of gas (running out
/// ends the invocation inside the kernel).
pub fn charge(name: &str, amount: u64) {
    unsafe { sys::gas::charge(name.as_ptr(), name.len() as u32, amount) }
        .expect("gas::charge failed")
}

/// The gas still available to this message (`gas::available`).
pub fn available() -> u64 {
    unsafe { sys::gas::available() }.expect("gas::available failed")
}
