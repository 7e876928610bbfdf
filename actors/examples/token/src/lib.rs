//! # Token: a fungible token with a HAMT of balances
//!
//! Read `hello` and `counter` first. This actor keeps a balance per holder, in a HAMT (a hash
//! map stored as a tree of IPLD blocks, so a transfer rewrites only a few small blocks however
//! many holders there are).
//!
//! | number | method | params | return | who may call |
//! |---|---|---|---|---|
//! | 1 | Constructor | `[supply, owner or null]` | none | the init actor (f01) |
//! | `method_number("Transfer")` | Transfer | `[to address, amount]` | `[from_balance, to_balance]` | any holder |
//! | `method_number("BalanceOf")` | BalanceOf | address | balance | anyone |
//! | `method_number("TotalSupply")` | TotalSupply | none | supply | anyone |
//!
//! Amounts are token amounts in "atto" units (18 decimals), encoded like FIL amounts.
//!
//! The method names follow FRC-0046 (Filecoin's fungible token standard), but this is a teaching
//! example, not a full implementation: `Transfer` takes no operator data and does not call a
//! receiver hook on the recipient, and there are no allowances.
//!
//! ## State
//!
//! `[total_supply, balances]`, where `balances` is the root CID of a HAMT (bit width 5) whose
//! keys are holder actor IDs (unsigned LEB128 varint bytes) and whose values are balances.
//! Holders with a zero balance are removed from the map.
//!
//! ## Events
//!
//! - constructor: `$type` = `"mint"`, `to` (actor ID), `amount`;
//! - transfer: `$type` = `"transfer"`, `from`, `to` (actor IDs), `amount`.
//!
//! ## Errors
//!
//! | situation | exit code |
//! |---|---|
//! | negative amount | `USR_ILLEGAL_ARGUMENT` |
//! | balance too low | `USR_INSUFFICIENT_FUNDS` |
//! | recipient address unknown to the VM | `USR_NOT_FOUND` |

use cid::Cid;
use fern_actor_runtime::builtin::INIT_ACTOR_ID;
use fern_actor_runtime::{
    caller, export_actor, method_number, params, state, ActorBlockstore, ActorError, ActorID,
    EventBuilder, IpldBlock, MethodNum, MethodResult,
};
use fern_shared::address::Address;
use fern_shared::econ::TokenAmount;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_hamt::{BytesKey, Hamt};

/// Bit width of the balances HAMT (the protocol's usual width).
pub const HAMT_BIT_WIDTH: u32 = 5;

/// Method numbers of this actor.
pub mod method {
    use super::*;
    /// Mints the whole supply to the owner.
    pub const CONSTRUCTOR: MethodNum = 1;
    /// Moves tokens from the caller to another holder.
    pub const TRANSFER: MethodNum = method_number("Transfer");
    /// Reads a holder's balance.
    pub const BALANCE_OF: MethodNum = method_number("BalanceOf");
    /// Reads the total supply.
    pub const TOTAL_SUPPLY: MethodNum = method_number("TotalSupply");
}

/// Constructor parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ConstructorParams {
    /// The number of tokens that will ever exist, all minted now.
    pub supply: TokenAmount,
    /// Who receives them; `None` means the account that sent the creating message.
    pub owner: Option<Address>,
}

/// `Transfer` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct TransferParams {
    /// The recipient; must be an address the VM can resolve to an actor.
    pub to: Address,
    /// How much to move (zero is allowed, negative is not).
    pub amount: TokenAmount,
}

/// `Transfer` return value: both balances after the transfer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct TransferReturn {
    /// The sender's new balance.
    pub from_balance: TokenAmount,
    /// The recipient's new balance.
    pub to_balance: TokenAmount,
}

/// The token's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    /// Sum of all balances.
    pub total_supply: TokenAmount,
    /// Root of the HAMT `holder ID -> balance`.
    pub balances: Cid,
}

/// The HAMT key of a holder: its actor ID as an unsigned LEB128 varint.
pub fn holder_key(id: ActorID) -> BytesKey {
    let mut out = Vec::with_capacity(10);
    let mut v = id;
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    BytesKey(out)
}

fn hamt_error(e: impl std::fmt::Display) -> ActorError {
    ActorError::illegal_state(format!("balances: {e}"))
}

/// The balances HAMT over some blockstore (the actor's, or a memory store in tests).
type Balances<BS> = Hamt<BS, TokenAmount, BytesKey>;

impl State {
    /// A token whose whole `supply` belongs to `owner`.
    pub fn new<BS: Blockstore>(
        store: BS,
        supply: TokenAmount,
        owner: ActorID,
    ) -> Result<Self, ActorError> {
        if supply.is_negative() {
            return Err(ActorError::illegal_argument(
                "the supply cannot be negative",
            ));
        }
        let mut balances = Balances::new_with_bit_width(store, HAMT_BIT_WIDTH);
        if !supply.is_zero() {
            balances
                .set(holder_key(owner), supply.clone())
                .map_err(hamt_error)?;
        }
        let balances = balances.flush().map_err(hamt_error)?;
        Ok(State {
            total_supply: supply,
            balances,
        })
    }

    fn load_balances<BS: Blockstore>(&self, store: BS) -> Result<Balances<BS>, ActorError> {
        Balances::load_with_bit_width(&self.balances, store, HAMT_BIT_WIDTH).map_err(hamt_error)
    }

    /// A holder's balance (zero for unknown holders).
    pub fn balance<BS: Blockstore>(
        &self,
        store: BS,
        id: ActorID,
    ) -> Result<TokenAmount, ActorError> {
        let map = self.load_balances(store)?;
        Ok(map
            .get(&holder_key(id))
            .map_err(hamt_error)?
            .cloned()
            .unwrap_or_default())
    }

    /// Moves `amount` from `from` to `to` and returns both new balances.
    pub fn transfer<BS: Blockstore>(
        &mut self,
        store: BS,
        from: ActorID,
        to: ActorID,
        amount: &TokenAmount,
    ) -> Result<TransferReturn, ActorError> {
        if amount.is_negative() {
            return Err(ActorError::illegal_argument(
                "cannot transfer a negative amount",
            ));
        }
        let mut map = self.load_balances(store)?;
        let get = |map: &Balances<BS>, id| -> Result<TokenAmount, ActorError> {
            Ok(map
                .get(&holder_key(id))
                .map_err(hamt_error)?
                .cloned()
                .unwrap_or_default())
        };

        let from_before = get(&map, from)?;
        if &from_before < amount {
            // (Amounts are not printed: formatting big integers would add several KB of code.)
            return Err(ActorError::insufficient_funds(format!(
                "f0{from} does not hold enough tokens for this transfer"
            )));
        }
        if from == to {
            // Nothing moves; report the unchanged balance twice.
            return Ok(TransferReturn {
                from_balance: from_before.clone(),
                to_balance: from_before,
            });
        }
        let from_balance = from_before - amount;
        let to_balance = get(&map, to)? + amount;

        // Keep the map small: holders with nothing are removed.
        for (id, balance) in [(from, &from_balance), (to, &to_balance)] {
            if balance.is_zero() {
                map.delete(&holder_key(id)).map_err(hamt_error)?;
            } else {
                map.set(holder_key(id), balance.clone())
                    .map_err(hamt_error)?;
            }
        }
        self.balances = map.flush().map_err(hamt_error)?;
        Ok(TransferReturn {
            from_balance,
            to_balance,
        })
    }
}

export_actor!(dispatch);

/// Routes a call to its method.
pub fn dispatch(method: MethodNum, p: Option<IpldBlock>) -> MethodResult {
    match method {
        method::CONSTRUCTOR => {
            constructor(params::decode(p)?)?;
            Ok(None)
        }
        method::TRANSFER => params::ret(&transfer(params::decode(p)?)?),
        method::BALANCE_OF => params::ret(&balance_of(params::decode(p)?)?),
        method::TOTAL_SUPPLY => {
            params::none(p)?;
            params::ret(&total_supply()?)
        }
        m => Err(params::unhandled(m)),
    }
}

/// Resolves an address to an actor ID through the VM, or fails with `USR_NOT_FOUND`.
fn resolve(addr: &Address) -> Result<ActorID, ActorError> {
    fern_sdk::actor::resolve_address(addr).ok_or_else(|| {
        ActorError::not_found(format!(
            "no actor has address {}",
            fern_actor_runtime::fmt::addr(addr)
        ))
    })
}

fn constructor(p: ConstructorParams) -> Result<(), ActorError> {
    caller::validate_caller_is(&[INIT_ACTOR_ID])?;
    // The caller is the init actor, so "who created me" is the message's origin: the account
    // that signed the message.
    let owner = match &p.owner {
        Some(addr) => resolve(addr)?,
        None => fern_sdk::message::origin(),
    };
    let st = State::new(ActorBlockstore, p.supply.clone(), owner)?;
    state::save(&st)?;
    EventBuilder::new("mint")
        .indexed("to", &owner)?
        .field("amount", &p.supply)?
        .emit()
}

fn transfer(p: TransferParams) -> Result<TransferReturn, ActorError> {
    let from = caller::validate_caller_any();
    let to = resolve(&p.to)?;
    let ret =
        state::transaction(|st: &mut State| st.transfer(ActorBlockstore, from, to, &p.amount))?;
    EventBuilder::new("transfer")
        .indexed("from", &from)?
        .indexed("to", &to)?
        .field("amount", &p.amount)?
        .emit()?;
    Ok(ret)
}

fn balance_of(holder: Address) -> Result<TokenAmount, ActorError> {
    caller::validate_caller_any();
    // An address the VM does not know cannot hold tokens.
    match fern_sdk::actor::resolve_address(&holder) {
        Some(id) => state::load::<State>()?.balance(ActorBlockstore, id),
        None => Ok(TokenAmount::default()),
    }
}

fn total_supply() -> Result<TokenAmount, ActorError> {
    caller::validate_caller_any();
    Ok(state::load::<State>()?.total_supply)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fern_actor_runtime::ExitCode;
    use fvm_ipld_blockstore::MemoryBlockstore;

    fn tokens(n: u64) -> TokenAmount {
        TokenAmount::from_atto(n)
    }

    #[test]
    fn varint_keys() {
        // LEB128: 7 bits per byte, low bits first, high bit set on all but the last byte.
        assert_eq!(holder_key(0).0, vec![0x00]);
        assert_eq!(holder_key(100).0, vec![100]);
        assert_eq!(holder_key(127).0, vec![0x7f]);
        assert_eq!(holder_key(128).0, vec![0x80, 0x01]);
        assert_eq!(holder_key(300).0, vec![0xac, 0x02]);
        assert_eq!(holder_key(u64::MAX).0.len(), 10);
    }

    #[test]
    fn mint_and_transfer() {
        let bs = MemoryBlockstore::new();
        let mut st = State::new(&bs, tokens(1000), 100).unwrap();
        assert_eq!(st.balance(&bs, 100).unwrap(), tokens(1000));
        assert_eq!(st.balance(&bs, 101).unwrap(), tokens(0));

        let r = st.transfer(&bs, 100, 101, &tokens(300)).unwrap();
        assert_eq!((r.from_balance, r.to_balance), (tokens(700), tokens(300)));
        assert_eq!(st.balance(&bs, 100).unwrap(), tokens(700));
        assert_eq!(st.balance(&bs, 101).unwrap(), tokens(300));
        assert_eq!(st.total_supply, tokens(1000));

        // Sending everything removes the holder from the map.
        st.transfer(&bs, 101, 102, &tokens(300)).unwrap();
        let map: Balances<_> = Balances::load_with_bit_width(&st.balances, &bs, 5).unwrap();
        assert_eq!(map.get(&holder_key(101)).unwrap(), None);
        assert_eq!(map.get(&holder_key(102)).unwrap(), Some(&tokens(300)));
    }

    #[test]
    fn failures() {
        let bs = MemoryBlockstore::new();
        let mut st = State::new(&bs, tokens(10), 100).unwrap();
        let before = st.clone();
        let e = st.transfer(&bs, 100, 101, &tokens(11)).unwrap_err();
        assert_eq!(e.exit_code, ExitCode::USR_INSUFFICIENT_FUNDS);
        let e = st
            .transfer(&bs, 100, 101, &TokenAmount::from_atto(-1))
            .unwrap_err();
        assert_eq!(e.exit_code, ExitCode::USR_ILLEGAL_ARGUMENT);
        let e = st.transfer(&bs, 105, 101, &tokens(1)).unwrap_err();
        assert_eq!(e.exit_code, ExitCode::USR_INSUFFICIENT_FUNDS);
        assert_eq!(st, before, "failed transfers change nothing");
        let e = State::new(&bs, TokenAmount::from_atto(-5), 100).unwrap_err();
        assert_eq!(e.exit_code, ExitCode::USR_ILLEGAL_ARGUMENT);
    }

    #[test]
    fn self_transfer_and_zero() {
        let bs = MemoryBlockstore::new();
        let mut st = State::new(&bs, tokens(10), 100).unwrap();
        let r = st.transfer(&bs, 100, 100, &tokens(4)).unwrap();
        assert_eq!((r.from_balance, r.to_balance), (tokens(10), tokens(10)));
        let r = st.transfer(&bs, 100, 101, &tokens(0)).unwrap();
        assert_eq!((r.from_balance, r.to_balance), (tokens(10), tokens(0)));
        // A zero balance is not stored.
        let map: Balances<_> = Balances::load_with_bit_width(&st.balances, &bs, 5).unwrap();
        assert_eq!(map.get(&holder_key(101)).unwrap(), None);
    }

    #[test]
    fn zero_supply_has_an_empty_map() {
        let bs = MemoryBlockstore::new();
        let st = State::new(&bs, tokens(0), 100).unwrap();
        let empty = Balances::new_with_bit_width(&bs, 5).flush().unwrap();
        assert_eq!(st.balances, empty);
    }

    #[test]
    fn parameter_shapes() {
        let p = TransferParams {
            to: Address::new_id(101),
            amount: tokens(5),
        };
        let back: TransferParams = params::decode(Some(params::encode(&p).unwrap())).unwrap();
        assert_eq!(back, p);
        let c = ConstructorParams {
            supply: tokens(5),
            owner: None,
        };
        // `owner: None` is CBOR null (0xf6) as the tuple's last item.
        let bytes = fvm_ipld_encoding::to_vec(&c).unwrap();
        assert_eq!(bytes.last(), Some(&0xf6));
    }
}
