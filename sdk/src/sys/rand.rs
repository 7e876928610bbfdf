//! Import module `rand`: randomness from the ticket chain and the beacon.

use fern_shared::randomness::RANDOMNESS_LENGTH;

super::wasm_imports! {
    module "rand";

    /// Yields 32 bytes of ticket-chain randomness for `epoch`.
    ///
    /// Errors: `IllegalArgument` (future epoch), `LimitExceeded` (beyond lookback).
    fn get_chain_randomness(epoch: i64) -> Result<[u8; RANDOMNESS_LENGTH]>;

    /// Yields 32 bytes of beacon (drand) randomness for `epoch`.
    ///
    /// Errors: `IllegalArgument` (future epoch), `LimitExceeded` (beyond lookback).
    fn get_beacon_randomness(epoch: i64) -> Result<[u8; RANDOMNESS_LENGTH]>;
}
