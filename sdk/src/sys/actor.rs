//! Import module `actor`: addresses, code CIDs, actor creation and balances.

#[doc(inline)]
pub use fern_shared::sys::out::send::Send;

super::wasm_imports! {
    module "actor";

    /// Resolves the address bytes at `addr_off..addr_off+addr_len` to an actor ID.
    ///
    /// Errors: `NotFound` if no actor has that address; `IllegalArgument` if the bytes are out of
    /// bounds or not an address.
    fn resolve_address(addr_off: *const u8, addr_len: u32) -> Result<u64>;

    /// Writes the delegated (`f4`) address of `actor_id` into the buffer and returns its length,
    /// or 0 if the actor has none.
    ///
    /// Errors: `NotFound` (no such actor), `BufferTooSmall`, `IllegalArgument` (bad buffer).
    fn lookup_delegated_address(actor_id: u64, addr_buf_off: *mut u8, addr_buf_len: u32) -> Result<u32>;

    /// Writes the code CID of `actor_id` into the buffer and returns its length.
    ///
    /// Errors: `NotFound` (no such actor), `BufferTooSmall`, `IllegalArgument` (bad buffer).
    fn get_actor_code_cid(actor_id: u64, obuf_off: *mut u8, obuf_len: u32) -> Result<u32>;

    /// Returns the built-in actor type number of the code CID at `cid_off`, or 0 if the CID is
    /// not a built-in actor.
    ///
    /// Errors: `IllegalArgument` if the CID cannot be read.
    fn get_builtin_actor_type(cid_off: *const u8) -> Result<i32>;

    /// Writes the code CID of built-in actor type `typ` into the buffer and returns its length.
    ///
    /// Errors: `IllegalArgument` for an unknown type or a bad buffer, `BufferTooSmall`.
    fn get_code_cid_for_type(typ: i32, obuf_off: *mut u8, obuf_len: u32) -> Result<u32>;

    /// Computes the next robust (`f2`) address for an actor created by the caller, writes it into
    /// the buffer and returns its length. Reserved for the init actor.
    fn next_actor_address(obuf_off: *mut u8, obuf_len: u32) -> Result<u32>;

    /// Creates actor `actor_id` with the code CID at `typ_off`, recording the optional delegated
    /// address (`delegated_addr_len == 0` for none). Reserved for the init actor.
    ///
    /// Errors: `Forbidden` (caller not allowed), `IllegalArgument`, `ReadOnly`.
    fn create_actor(actor_id: u64, typ_off: *const u8, delegated_addr_off: *const u8, delegated_addr_len: u32) -> Result<()>;

    /// Switches the calling actor to the code CID at `new_code_cid_off`, invoking the new code's
    /// `upgrade` entry point with the `params` block. Returns only if the upgrade failed, with
    /// the callee's exit code and return block. Not enabled on mainnet.
    fn upgrade_actor(new_code_cid_off: *const u8, params: u32) -> Result<Send>;

    /// Loads and validates the actor code with the CID at `cid_off`. Test networks only.
    fn install_actor(cid_off: *const u8) -> Result<()>;

    /// Returns the balance of `actor_id`.
    ///
    /// Errors: `NotFound` if the actor does not exist.
    fn balance_of(actor_id: u64) -> Result<super::TokenAmount>;
}
