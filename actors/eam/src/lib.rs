//! A minimal Ethereum address manager (EAM), singleton at `f010`.
//!
//! Addresses of the form `f410…` belong to the EAM's namespace: the subaddress is a 20-byte
//! Ethereum address. Only the EAM may ask the init actor (`Exec4`) to create an actor with such
//! an address. Filecoin's built-in EAM creates EVM contracts; Fern has no EVM, so this EAM offers
//! one generic method instead: create an actor of any code the init actor accepts, at an
//! Ethereum address chosen by the caller.
//!
//! | # | method | params | return | caller |
//! |---|---|---|---|---|
//! | 1 | Constructor | none | none | system (f00) |
//! | `method_number("CreateDelegated")` | CreateDelegated | `[code_cid, subaddress (20 bytes), constructor_params]` | `[id_address, robust_address]` | anyone |
//!
//! `CreateDelegated` refuses reserved Ethereum addresses (all-zero, masked actor IDs
//! `0xff00…00<id>`, precompile ranges), forwards the received value to the new actor's
//! constructor, and returns init's `Exec4` result unchanged. If the address already belongs to
//! a placeholder (it received funds earlier), the placeholder's ID and funds are kept.
//!
//! The EAM has no state (its state root stays the empty-array CID).

use fern_actor_runtime::builtin::eam::{is_reserved, CreateDelegatedParams, ETH_ADDRESS_LEN};
use fern_actor_runtime::builtin::init::{Exec4Params, Exec4Return};
use fern_actor_runtime::builtin::{methods, EAM_ACTOR_ID, INIT_ACTOR_ID, SYSTEM_ACTOR_ID};
use fern_actor_runtime::{caller, export_actor, params, send, ActorError, MethodNum, MethodResult};
use fern_sdk::IpldBlock;
use fern_shared::address::Address;

/// Method numbers.
pub mod method {
    /// Checks that the EAM runs at its singleton ID.
    pub const CONSTRUCTOR: u64 = 1;
    /// Creates an actor at an f410 address (FRC-0042 number of `CreateDelegated`).
    pub const CREATE_DELEGATED: u64 = super::methods::EAM_CREATE_DELEGATED;
}

export_actor!(dispatch);

/// Routes a call to its method.
pub fn dispatch(method: MethodNum, p: Option<IpldBlock>) -> MethodResult {
    match method {
        method::CONSTRUCTOR => {
            params::none(p)?;
            constructor()?;
            Ok(None)
        }
        method::CREATE_DELEGATED => params::ret(&create_delegated(params::decode(p)?)?),
        m => Err(params::unhandled(m)),
    }
}

fn constructor() -> Result<(), ActorError> {
    caller::validate_caller_is(&[SYSTEM_ACTOR_ID])?;
    let me = fern_sdk::message::receiver();
    if me != EAM_ACTOR_ID {
        return Err(ActorError::forbidden(format!(
            "the EAM must run at f0{EAM_ACTOR_ID}, not f0{me}"
        )));
    }
    Ok(())
}

/// Validates the requested Ethereum address.
pub fn check_subaddress(subaddress: &[u8]) -> Result<[u8; ETH_ADDRESS_LEN], ActorError> {
    let eth: [u8; ETH_ADDRESS_LEN] = subaddress.try_into().map_err(|_| {
        ActorError::illegal_argument(format!(
            "an Ethereum address has {ETH_ADDRESS_LEN} bytes, got {}",
            subaddress.len()
        ))
    })?;
    if is_reserved(&eth) {
        return Err(ActorError::forbidden("this Ethereum address is reserved"));
    }
    Ok(eth)
}

fn create_delegated(p: CreateDelegatedParams) -> Result<Exec4Return, ActorError> {
    caller::validate_caller_any();
    let eth = check_subaddress(&p.subaddress)?;
    let exec4 = Exec4Params {
        code_cid: p.code_cid,
        constructor_params: p.constructor_params,
        subaddress: eth.to_vec().into(),
    };
    let ret = send::send(
        &Address::new_id(INIT_ACTOR_ID),
        fern_actor_runtime::builtin::methods::INIT_EXEC4,
        Some(params::encode(&exec4)?),
        fern_sdk::message::value_received(),
    )?;
    let block = ret.ok_or_else(|| ActorError::illegal_state("init returned nothing from Exec4"))?;
    params::decode_block(&block)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fern_sdk::ExitCode;

    #[test]
    fn subaddress_rules() {
        assert_eq!(check_subaddress(&[0x42; 20]).unwrap(), [0x42; 20]);
        let short = check_subaddress(&[0x42; 19]).unwrap_err();
        assert_eq!(short.exit_code, ExitCode::USR_ILLEGAL_ARGUMENT);
        let zero = check_subaddress(&[0; 20]).unwrap_err();
        assert_eq!(zero.exit_code, ExitCode::USR_FORBIDDEN);
    }
}
