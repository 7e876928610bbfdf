//! Import module `self`: the calling actor's own state root and balance.

super::wasm_imports! {
    module "self";

    /// Writes the actor's state root CID into the buffer and yields its length.
    ///
    /// Errors: `IllegalOperation` (actor deleted), `BufferTooSmall`.
    fn root(cid: *mut u8, cid_max_len: u32) -> Result<u32>;

    /// Sets the actor's state root to the CID at `cid`, which must be reachable.
    ///
    /// Errors: `NotFound` (unreachable CID), `IllegalOperation` (actor deleted), `ReadOnly`.
    fn set_root(cid: *const u8) -> Result<()>;

    /// Yields the actor's balance.
    fn current_balance() -> Result<super::TokenAmount>;

    /// Deletes the actor. With `burn_funds` false, fails while the balance is non-zero.
    ///
    /// Errors: `IllegalOperation` (unspent funds), `ReadOnly`.
    fn self_destruct(burn_funds: bool) -> Result<()>;
}
