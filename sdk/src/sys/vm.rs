//! Import module `vm`: ending the invocation and reading the message context.

#[doc(inline)]
pub use fern_shared::sys::out::vm::MessageContext;

super::wasm_imports! {
    module "vm";

    /// Ends the invocation with exit `code`, return block `blk_id` (0 for none) and an optional
    /// UTF-8 message (`message_len == 0` for none). Never returns.
    fn exit(code: u32, blk_id: u32, message_off: *const u8, message_len: u32) -> !;

    /// Yields the caller, origin, receiver, method, value, gas premium, nonce and flags.
    fn message_context() -> Result<MessageContext>;
}
