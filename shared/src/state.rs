//! Actor state records and the state-tree root.

use cid::Cid;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use serde_tuple::{Deserialize_tuple, Serialize_tuple};

use crate::address::Address;
use crate::consts::empty_arr_cid;
use crate::econ::TokenAmount;

/// Layout version of the state tree, encoded as an unsigned integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u64)]
pub enum StateTreeVersion {
    /// Actors v0/v1 (bare HAMT root, no version wrapper).
    V0 = 0,
    /// Actors v2.
    V1 = 1,
    /// Actors v3.
    V2 = 2,
    /// Actors v4.
    V3 = 3,
    /// Actors v5 through v9.
    V4 = 4,
    /// Actors v10 onward (actor records carry a delegated address).
    V5 = 5,
}

impl TryFrom<u64> for StateTreeVersion {
    type Error = u64;
    fn try_from(v: u64) -> Result<Self, u64> {
        Ok(match v {
            0 => StateTreeVersion::V0,
            1 => StateTreeVersion::V1,
            2 => StateTreeVersion::V2,
            3 => StateTreeVersion::V3,
            4 => StateTreeVersion::V4,
            5 => StateTreeVersion::V5,
            other => return Err(other),
        })
    }
}

impl Serialize for StateTreeVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(*self as u64)
    }
}

impl<'de> Deserialize<'de> for StateTreeVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = u64::deserialize(d)?;
        StateTreeVersion::try_from(v)
            .map_err(|v| de::Error::custom(format_args!("unknown state tree version {v}")))
    }
}

/// The versioned root of the state tree: CBOR array `[version, actors, info]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct StateRoot {
    /// Layout version.
    pub version: StateTreeVersion,
    /// Root of the HAMT mapping actor ids to [`ActorState`].
    pub actors: Cid,
    /// Link to extra tree information (an empty [`StateInfo0`] today).
    pub info: Cid,
}

/// Placeholder tree information, encoded as an empty CBOR array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StateInfo0([(); 0]);

/// One actor's record in the state tree: CBOR array
/// `[code, state, sequence, balance, delegated_address]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ActorState {
    /// CID of the actor's code.
    pub code: Cid,
    /// Root of the actor's own state.
    pub state: Cid,
    /// Nonce (for accounts, the number of messages sent).
    pub sequence: u64,
    /// Balance held by the actor.
    pub balance: TokenAmount,
    /// The actor's `f4` address, if it has one; fixed at creation (CBOR null when absent).
    pub delegated_address: Option<Address>,
}

/// One actor's record in state trees of versions 3 and 4 (network versions up to 17, before
/// FIP-0048's delegated addresses): CBOR array `[code, state, sequence, balance]`. Source:
/// `fvm` 2.12.2 `state_tree.rs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ActorStateV4 {
    /// CID of the actor's code.
    pub code: Cid,
    /// Root of the actor's own state.
    pub state: Cid,
    /// Nonce.
    pub sequence: u64,
    /// Balance held by the actor.
    pub balance: TokenAmount,
}

impl From<ActorStateV4> for ActorState {
    fn from(a: ActorStateV4) -> ActorState {
        ActorState {
            code: a.code,
            state: a.state,
            sequence: a.sequence,
            balance: a.balance,
            delegated_address: None,
        }
    }
}

impl TryFrom<ActorState> for ActorStateV4 {
    type Error = Address;

    /// The record without its delegated address; fails (returning that address) if it has one,
    /// since a version 4 tree cannot hold it.
    fn try_from(a: ActorState) -> Result<ActorStateV4, Address> {
        match a.delegated_address {
            Some(addr) => Err(addr),
            None => Ok(ActorStateV4 {
                code: a.code,
                state: a.state,
                sequence: a.sequence,
                balance: a.balance,
            }),
        }
    }
}

/// Why a balance change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidTransfer {
    /// Withdrawal larger than the balance.
    #[error("cannot deduct {amount} from balance {balance}")]
    InsufficientBalance {
        /// Requested amount.
        amount: TokenAmount,
        /// Balance at the time.
        balance: TokenAmount,
    },
    /// A negative amount was passed.
    #[error("transfer amount {0} is negative")]
    NegativeAmount(TokenAmount),
}

impl ActorState {
    /// A record from all of its parts.
    pub fn new(
        code: Cid,
        state: Cid,
        balance: TokenAmount,
        sequence: u64,
        delegated_address: Option<Address>,
    ) -> Self {
        ActorState {
            code,
            state,
            sequence,
            balance,
            delegated_address,
        }
    }

    /// A fresh record with empty-array state, zero nonce and zero balance.
    pub fn new_empty(code: Cid, delegated_address: Option<Address>) -> Self {
        ActorState::new(
            code,
            empty_arr_cid(),
            TokenAmount::zero(),
            0,
            delegated_address,
        )
    }

    /// Subtracts `amount` from the balance if it is non-negative and covered.
    pub fn deduct_funds(&mut self, amount: &TokenAmount) -> Result<(), InvalidTransfer> {
        if amount.is_negative() {
            return Err(InvalidTransfer::NegativeAmount(amount.clone()));
        }
        if &self.balance < amount {
            return Err(InvalidTransfer::InsufficientBalance {
                amount: amount.clone(),
                balance: self.balance.clone(),
            });
        }
        self.balance -= amount;
        Ok(())
    }

    /// Adds a non-negative `amount` to the balance.
    pub fn deposit_funds(&mut self, amount: &TokenAmount) -> Result<(), InvalidTransfer> {
        if amount.is_negative() {
            return Err(InvalidTransfer::NegativeAmount(amount.clone()));
        }
        self.balance += amount;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn funds_rules() {
        let mut a = ActorState::new_empty(empty_arr_cid(), None);
        assert!(a.deposit_funds(&TokenAmount::from_atto(-1)).is_err());
        a.deposit_funds(&TokenAmount::from_atto(5)).unwrap();
        assert!(a.deduct_funds(&TokenAmount::from_atto(6)).is_err());
        assert!(a.deduct_funds(&TokenAmount::from_atto(-1)).is_err());
        a.deduct_funds(&TokenAmount::from_atto(5)).unwrap();
        assert!(a.balance.is_zero());
    }

    #[test]
    fn state_tree_version_rejects_unknown() {
        let bytes = fvm_ipld_encoding::to_vec(&6u64).unwrap();
        assert!(fvm_ipld_encoding::from_slice::<StateTreeVersion>(&bytes).is_err());
        let bytes = fvm_ipld_encoding::to_vec(&StateTreeVersion::V5).unwrap();
        assert_eq!(
            fvm_ipld_encoding::from_slice::<StateTreeVersion>(&bytes).unwrap(),
            StateTreeVersion::V5
        );
    }
}
