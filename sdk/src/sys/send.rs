//! Import module `send`: calling other actors.

#[doc(inline)]
pub use fern_shared::sys::out::send::Send;
#[doc(inline)]
pub use fern_shared::sys::SendFlags;

super::wasm_imports! {
    module "send";

    /// Calls `method` on the actor at the recipient address, passing the `params` block (0 for
    /// none), transferring `value_hi:value_lo` attoFIL, with at most `gas_limit` gas, and yields
    /// the callee's exit code and return block.
    ///
    /// Errors: `NotFound` (recipient missing and not creatable), `InsufficientFunds`,
    /// `LimitExceeded` (call depth), `InvalidHandle` (bad params block), `ReadOnly`.
    fn send(
        recipient_off: *const u8,
        recipient_len: u32,
        method: u64,
        params: u32,
        value_hi: u64,
        value_lo: u64,
        gas_limit: u64,
        flags: SendFlags,
    ) -> Result<Send>;
}
