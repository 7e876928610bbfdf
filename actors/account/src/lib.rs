//! The account actor: an `f1` (secp256k1) or `f3` (BLS) key-pair account.
//!
//! The VM creates an account automatically the first time an unknown `f1`/`f3` address receives
//! a message, by calling the constructor as the system actor with the key address. Accounts are
//! the only actors (with eth accounts) that may send top-level messages.
//!
//! | # | method | params | return | caller |
//! |---|---|---|---|---|
//! | 1 | Constructor | key address | none | system (f00) |
//! | 2 | PubkeyAddress | none | key address | anyone |
//! | 2643134072 | AuthenticateMessage | `[signature bytes, message bytes]` | `true` | anyone |
//! | 3726118371 | Receive (universal receiver hook) | anything | none | anyone |
//! | ≥ 2^24 | any other FRC-0042 method | anything | none | anyone |
//!
//! State (DAG-CBOR tuple, read by the kernel): `[address]`, the key address.
//!
//! Method 0 (plain value transfer) never reaches the actor: the VM handles it. If it is
//! invoked anyway it succeeds without doing anything.

use fern_actor_runtime::builtin::account::AuthenticateMessageParams;
use fern_actor_runtime::builtin::{methods, SYSTEM_ACTOR_ID};
use fern_actor_runtime::frc42::FIRST_EXPORTED_METHOD_NUMBER;
use fern_actor_runtime::{
    caller, export_actor, params, state, ActorError, MethodNum, MethodResult,
};
use fern_sdk::IpldBlock;
use fern_shared::address::{Address, Protocol};
use fern_shared::crypto::{Signature, SignatureType};
use fvm_ipld_encoding::tuple::*;

/// The account actor's state: its key address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    /// The `f1` or `f3` address whose key controls the account.
    pub address: Address,
}

/// Method numbers.
pub mod method {
    use super::methods;
    /// Stores the key address.
    pub const CONSTRUCTOR: u64 = 1;
    /// Returns the key address.
    pub const PUBKEY_ADDRESS: u64 = methods::ACCOUNT_PUBKEY_ADDRESS;
    /// Verifies a signature made by the account's key.
    pub const AUTHENTICATE_MESSAGE: u64 = methods::AUTHENTICATE_MESSAGE;
    /// Accepts token transfers and other notifications.
    pub const UNIVERSAL_RECEIVER_HOOK: u64 = methods::UNIVERSAL_RECEIVER_HOOK;
}

export_actor!(dispatch);

/// Routes a call to its method.
pub fn dispatch(method: MethodNum, p: Option<IpldBlock>) -> MethodResult {
    match method {
        fern_actor_runtime::METHOD_SEND => Ok(None),
        method::CONSTRUCTOR => {
            constructor(params::decode(p)?)?;
            Ok(None)
        }
        method::PUBKEY_ADDRESS => {
            params::none(p)?;
            params::ret(&pubkey_address()?)
        }
        method::AUTHENTICATE_MESSAGE => params::ret(&authenticate_message(params::decode(p)?)?),
        // The receiver hook and any other exported (FRC-0042) method: accept and do nothing,
        // so tokens and notifications can always be delivered to an account.
        m if m >= FIRST_EXPORTED_METHOD_NUMBER => {
            caller::validate_caller_any();
            Ok(None)
        }
        m => Err(params::unhandled(m)),
    }
}

/// The signature scheme of a key address, if it is one.
pub fn signature_type_of(address: &Address) -> Option<SignatureType> {
    match address.protocol() {
        Protocol::Secp256k1 => Some(SignatureType::Secp256k1),
        Protocol::BLS => Some(SignatureType::BLS),
        _ => None,
    }
}

fn constructor(address: Address) -> Result<(), ActorError> {
    caller::validate_caller_is(&[SYSTEM_ACTOR_ID])?;
    if signature_type_of(&address).is_none() {
        return Err(ActorError::illegal_argument(format!(
            "an account address must be secp256k1 or BLS, got protocol {}",
            address.protocol().as_byte()
        )));
    }
    state::save(&State { address })?;
    Ok(())
}

fn pubkey_address() -> Result<Address, ActorError> {
    caller::validate_caller_any();
    Ok(state::load::<State>()?.address)
}

/// Returns `true` if `signature` is the account key's signature over `message`; an invalid
/// signature aborts with `USR_ILLEGAL_ARGUMENT` (returning `true` rather than nothing lets a
/// caller tell a real check from an actor that accepts every method).
fn authenticate_message(p: AuthenticateMessageParams) -> Result<bool, ActorError> {
    caller::validate_caller_any();
    let address = state::load::<State>()?.address;
    let sig_type = signature_type_of(&address)
        .ok_or_else(|| ActorError::illegal_state("the account's address is not a key address"))?;
    let signature = Signature {
        sig_type,
        bytes: p.signature,
    };
    match fern_sdk::crypto::verify_signature(&signature, &address, &p.message) {
        Ok(true) => Ok(true),
        Ok(false) => Err(ActorError::illegal_argument("invalid signature")),
        Err(e) => Err(ActorError::illegal_argument(format!(
            "signature check failed: {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_addresses_only() {
        let secp = Address::new_secp256k1(&[4u8; 65]).unwrap();
        let bls = Address::new_bls(&[1u8; 48]).unwrap();
        assert_eq!(signature_type_of(&secp), Some(SignatureType::Secp256k1));
        assert_eq!(signature_type_of(&bls), Some(SignatureType::BLS));
        assert_eq!(signature_type_of(&Address::new_id(1)), None);
        assert_eq!(signature_type_of(&Address::new_actor(b"a")), None);
        assert_eq!(
            signature_type_of(&Address::new_delegated(10, &[0; 20]).unwrap()),
            None
        );
    }

    /// The state encodes like the kernel's view of it: a 1-tuple holding the address bytes.
    #[test]
    fn state_layout() {
        let address = Address::new_secp256k1(&[4u8; 65]).unwrap();
        let ours = fvm_ipld_encoding::to_vec(&State { address }).unwrap();
        let oracle_addr = fvm_shared::address::Address::from_bytes(&address.to_bytes()).unwrap();
        let oracle = fvm_ipld_encoding::to_vec(&(oracle_addr,)).unwrap();
        assert_eq!(ours, oracle);
    }

    #[test]
    fn method_numbers_are_distinct() {
        let all = [
            method::CONSTRUCTOR,
            method::PUBKEY_ADDRESS,
            method::AUTHENTICATE_MESSAGE,
            method::UNIVERSAL_RECEIVER_HOOK,
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
