//! Import module `network`: chain and network information.

#[doc(inline)]
pub use fern_shared::sys::out::network::NetworkContext;

super::wasm_imports! {
    module "network";

    /// Yields the circulating supply of FIL.
    fn total_fil_circ_supply() -> Result<super::TokenAmount>;

    /// Writes the CID of the tipset at `epoch` into the buffer and yields its length.
    ///
    /// Errors: `IllegalArgument` (epoch in the future or negative), `LimitExceeded` (beyond the
    /// lookback limit).
    fn tipset_cid(epoch: i64, ret_off: *mut u8, ret_len: u32) -> Result<u32>;

    /// Yields the epoch, timestamp, base fee, chain ID and network version.
    fn context() -> Result<NetworkContext>;
}
