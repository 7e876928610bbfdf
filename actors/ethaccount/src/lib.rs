//! The eth account actor: an Ethereum-style externally owned account living at an `f410`
//! address (namespace 10, the Ethereum address manager; subaddress = the 20-byte Ethereum
//! address).
//!
//! The VM turns a placeholder into an eth account when the placeholder's address sends its first
//! message; it does so by swapping the code, without running the constructor. An eth account
//! therefore has no state of its own: its state root stays the empty-array CID the VM gives new
//! actors.
//!
//! | # | method | params | return | caller |
//! |---|---|---|---|---|
//! | 1 | Constructor | none | none | system (f00) |
//! | 2643134072 | AuthenticateMessage | `[signature (65 bytes), message bytes]` | `true` | anyone |
//! | ≥ 2^24 | any other FRC-0042 method | anything | none | anyone |
//!
//! `AuthenticateMessage` recovers the secp256k1 public key from the signature over the
//! BLAKE2b-256 digest of the message, hashes it with Keccak-256 and compares the last 20 bytes
//! with the account's own Ethereum address.

use fern_actor_runtime::builtin::account::AuthenticateMessageParams;
use fern_actor_runtime::builtin::{methods, EAM_ACTOR_ID, SYSTEM_ACTOR_ID};
use fern_actor_runtime::frc42::FIRST_EXPORTED_METHOD_NUMBER;
use fern_actor_runtime::{caller, export_actor, params, ActorError, MethodNum, MethodResult};
use fern_sdk::IpldBlock;
use fern_shared::address::{Address, Payload};
use fern_shared::crypto::{SupportedHashes, SECP_SIG_LEN};

/// Method numbers.
pub mod method {
    /// Checks that the actor sits at an Ethereum address.
    pub const CONSTRUCTOR: u64 = 1;
    /// Verifies a signature made by the account's key.
    pub const AUTHENTICATE_MESSAGE: u64 = super::methods::AUTHENTICATE_MESSAGE;
}

/// Length of an Ethereum address.
pub const ETH_ADDRESS_LEN: usize = 20;

export_actor!(dispatch);

/// Routes a call to its method.
pub fn dispatch(method: MethodNum, p: Option<IpldBlock>) -> MethodResult {
    match method {
        fern_actor_runtime::METHOD_SEND => Ok(None),
        method::CONSTRUCTOR => {
            params::none(p)?;
            constructor()?;
            Ok(None)
        }
        method::AUTHENTICATE_MESSAGE => params::ret(&authenticate_message(params::decode(p)?)?),
        // Every other exported method (the receiver hook, token notifications, ...) is accepted
        // and ignored, as a wallet would.
        m if m >= FIRST_EXPORTED_METHOD_NUMBER => {
            caller::validate_caller_any();
            Ok(None)
        }
        m => Err(params::unhandled(m)),
    }
}

/// The Ethereum address inside an `f410` address, if it is one.
pub fn eth_address_of(addr: &Address) -> Option<[u8; ETH_ADDRESS_LEN]> {
    match addr.payload() {
        Payload::Delegated(d) if d.namespace() == EAM_ACTOR_ID => d.subaddress().try_into().ok(),
        _ => None,
    }
}

/// The Ethereum address of the uncompressed secp256k1 public key `pubkey` (65 bytes starting
/// with 0x04), given its Keccak-256 digest of the 64 coordinate bytes.
pub fn eth_address_from_keccak(keccak_of_coordinates: &[u8]) -> Option<[u8; ETH_ADDRESS_LEN]> {
    let n = keccak_of_coordinates.len();
    if n < ETH_ADDRESS_LEN {
        return None;
    }
    keccak_of_coordinates[n - ETH_ADDRESS_LEN..].try_into().ok()
}

/// This actor's own Ethereum address.
fn own_eth_address() -> Result<[u8; ETH_ADDRESS_LEN], ActorError> {
    let me = fern_sdk::message::receiver();
    fern_sdk::actor::lookup_delegated_address(me)
        .as_ref()
        .and_then(eth_address_of)
        .ok_or_else(|| ActorError::illegal_state("an eth account must have an f410 address"))
}

fn constructor() -> Result<(), ActorError> {
    caller::validate_caller_is(&[SYSTEM_ACTOR_ID])?;
    own_eth_address().map_err(|_| {
        ActorError::illegal_argument("an eth account can only live at an f410 address")
    })?;
    Ok(())
}

fn authenticate_message(p: AuthenticateMessageParams) -> Result<bool, ActorError> {
    caller::validate_caller_any();
    let signature: [u8; SECP_SIG_LEN] = p.signature.as_slice().try_into().map_err(|_| {
        ActorError::illegal_argument(format!(
            "a signature must be {SECP_SIG_LEN} bytes, got {}",
            p.signature.len()
        ))
    })?;
    let digest = fern_sdk::crypto::hash_blake2b(&p.message);
    let pubkey = fern_sdk::crypto::recover_secp_public_key(&digest, &signature)
        .map_err(|e| ActorError::illegal_argument(format!("cannot recover the signer: {e}")))?;
    if pubkey[0] != 0x04 {
        return Err(ActorError::assertion_failed(
            "recovered key is not uncompressed",
        ));
    }
    let keccak = fern_sdk::crypto::hash_owned(SupportedHashes::Keccak256, &pubkey[1..]);
    let signer = eth_address_from_keccak(&keccak)
        .ok_or_else(|| ActorError::assertion_failed("short Keccak-256 digest"))?;
    if signer != own_eth_address()? {
        return Err(ActorError::illegal_argument(
            "the signature is not from this account",
        ));
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eth_addresses() {
        let f410 = Address::new_delegated(EAM_ACTOR_ID, &[7u8; 20]).unwrap();
        assert_eq!(eth_address_of(&f410), Some([7u8; 20]));
        let other_ns = Address::new_delegated(11, &[7u8; 20]).unwrap();
        assert_eq!(eth_address_of(&other_ns), None);
        let short = Address::new_delegated(EAM_ACTOR_ID, &[7u8; 19]).unwrap();
        assert_eq!(eth_address_of(&short), None);
        assert_eq!(eth_address_of(&Address::new_id(10)), None);
    }

    #[test]
    fn last_twenty_bytes() {
        let digest: Vec<u8> = (0u8..32).collect();
        let want: Vec<u8> = (12u8..32).collect();
        assert_eq!(eth_address_from_keccak(&digest).unwrap().to_vec(), want);
        assert_eq!(eth_address_from_keccak(&[0u8; 19]), None);
    }
}
