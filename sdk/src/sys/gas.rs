//! Import module `gas`: explicit gas charges and the remaining budget.

super::wasm_imports! {
    module "gas";

    /// Charges `amount` gas under the UTF-8 label `name` (the label only appears in traces).
    fn charge(name_off: *const u8, name_len: u32, amount: u64) -> Result<()>;

    /// Yields the gas still available to the current message.
    fn available() -> Result<u64>;
}
