//! The init actor, singleton at `f01`: the factory of new actors and the registry that maps
//! robust and delegated addresses to actor IDs.
//!
//! | # | method | params | return | caller |
//! |---|---|---|---|---|
//! | 1 | Constructor | `[network_name]` | none | system (f00) |
//! | 2 | Exec | `[code_cid, constructor_params]` | `[id_address, robust_address]` | anyone |
//! | 3 | Exec4 | `[code_cid, constructor_params, subaddress]` | `[id_address, robust_address]` | EAM (f010) |
//!
//! State (DAG-CBOR tuple): `[address_map, next_id, network_name]`. `address_map` is a HAMT
//! (bit width 5, SHA-256 key hashing) from an address's byte form to the actor ID. The kernel
//! reads this map to resolve addresses and writes to it itself when it creates account and
//! placeholder actors on first transfer, so its layout is fixed by the protocol.
//!
//! Which code may be created: any actor of Fern's bundle except the protocol's own types
//! (system, init, account, placeholder, ethaccount, eam, reward), see
//! [`fern_actor_runtime::builtin::types::is_execable`]. Code outside the bundle is refused.

use cid::Cid;
use fern_actor_runtime::builtin::init::{
    ConstructorParams, Exec4Params, Exec4Return, ExecParams, ExecReturn,
};
use fern_actor_runtime::builtin::{types, EAM_ACTOR_ID, SYSTEM_ACTOR_ID};
use fern_actor_runtime::error::{syscall_error, wrap};
use fern_actor_runtime::{
    caller, export_actor, fmt, params, send, state, ActorBlockstore, ActorError, ActorID,
    MethodNum, MethodResult,
};
use fern_sdk::IpldBlock;
use fern_shared::address::{Address, FIRST_NON_SINGLETON_ADDR};
use fern_shared::consts::HAMT_BIT_WIDTH;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_hamt::{BytesKey, Hamt};

/// The init actor's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    /// Root of the HAMT `address bytes -> ActorID`.
    pub address_map: Cid,
    /// The ID the next new actor gets.
    pub next_id: ActorID,
    /// The network's name, set at genesis.
    pub network_name: String,
}

/// The address map: a HAMT from address bytes to actor ID over some blockstore.
type AddressMap<BS> = Hamt<BS, ActorID, BytesKey>;

fn hamt_error(e: impl std::fmt::Display) -> ActorError {
    ActorError::illegal_state(format!("address map: {e}"))
}

impl State {
    /// A fresh state with an empty address map; IDs start after the singleton range.
    pub fn new<BS: Blockstore>(store: BS, network_name: String) -> Result<Self, ActorError> {
        let address_map = AddressMap::new_with_bit_width(store, HAMT_BIT_WIDTH)
            .flush()
            .map_err(hamt_error)?;
        Ok(State {
            address_map,
            next_id: FIRST_NON_SINGLETON_ADDR,
            network_name,
        })
    }

    fn load_map<BS: Blockstore>(&self, store: BS) -> Result<AddressMap<BS>, ActorError> {
        AddressMap::load_with_bit_width(&self.address_map, store, HAMT_BIT_WIDTH)
            .map_err(hamt_error)
    }

    fn take_next_id(&mut self) -> ActorID {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Records the addresses of a new actor and returns `(id, existing)`.
    ///
    /// Without a delegated address a new ID is always allocated. With one, an ID already mapped
    /// to that delegated address is reused (`existing = true`, e.g. a placeholder that received
    /// funds earlier); otherwise a new ID is allocated and the delegated address mapped to it.
    /// The robust address is then mapped to the ID; if it was already mapped the call fails
    /// with `USR_FORBIDDEN` (an address is assigned once, forever).
    pub fn map_addresses_to_id<BS: Blockstore>(
        &mut self,
        store: BS,
        robust: &Address,
        delegated: Option<&Address>,
    ) -> Result<(ActorID, bool), ActorError> {
        let mut map = self.load_map(store)?;
        let (id, existing) = match delegated {
            Some(d) => {
                let key = BytesKey(d.to_bytes());
                match map.get(&key).map_err(hamt_error)? {
                    Some(id) => (*id, true),
                    None => {
                        let id = self.take_next_id();
                        map.set(key, id).map_err(hamt_error)?;
                        (id, false)
                    }
                }
            }
            None => (self.take_next_id(), false),
        };
        let fresh = map
            .set_if_absent(BytesKey(robust.to_bytes()), id)
            .map_err(hamt_error)?;
        if !fresh {
            return Err(ActorError::forbidden(format!(
                "robust address {} is already in the address map",
                fmt::addr(robust)
            )));
        }
        self.address_map = map.flush().map_err(hamt_error)?;
        Ok((id, existing))
    }

    /// The actor ID of an address: ID addresses as is, others through the map.
    pub fn resolve<BS: Blockstore>(
        &self,
        store: BS,
        addr: &Address,
    ) -> Result<Option<ActorID>, ActorError> {
        if let Ok(id) = addr.id() {
            return Ok(Some(id));
        }
        let map = self.load_map(store)?;
        Ok(map
            .get(&BytesKey(addr.to_bytes()))
            .map_err(hamt_error)?
            .copied())
    }
}

/// Method numbers.
pub mod method {
    /// Creates the state.
    pub const CONSTRUCTOR: u64 = 1;
    /// Creates an actor.
    pub const EXEC: u64 = 2;
    /// Creates an actor with a delegated address (EAM only).
    pub const EXEC4: u64 = 3;
}

export_actor!(dispatch);

/// Routes a call to its method.
pub fn dispatch(method: MethodNum, p: Option<IpldBlock>) -> MethodResult {
    match method {
        method::CONSTRUCTOR => {
            constructor(params::decode(p)?)?;
            Ok(None)
        }
        method::EXEC => params::ret(&exec(params::decode(p)?)?),
        method::EXEC4 => params::ret(&exec4(params::decode(p)?)?),
        m => Err(params::unhandled(m)),
    }
}

fn constructor(p: ConstructorParams) -> Result<(), ActorError> {
    caller::validate_caller_is(&[SYSTEM_ACTOR_ID])?;
    state::save(&State::new(ActorBlockstore, p.network_name)?)?;
    Ok(())
}

/// Refuses code that is not an exec-able actor of the bundle.
fn check_code(code: &Cid) -> Result<(), ActorError> {
    match fern_sdk::actor::get_builtin_actor_type(code) {
        Some(t) if types::is_execable(t) => Ok(()),
        Some(t) => Err(ActorError::forbidden(format!(
            "actors of type {} cannot be created through init",
            types::NAMES.get(t as usize - 1).copied().unwrap_or("?")
        ))),
        None => Err(ActorError::forbidden(format!(
            "code {} is not an actor of the bundle",
            fmt::cid(code)
        ))),
    }
}

fn exec(p: ExecParams) -> Result<ExecReturn, ActorError> {
    caller::validate_caller_any();
    check_code(&p.code_cid)?;

    // The robust (f2) address is derived by the VM from the message origin and nonce, so it
    // stays the same if a re-organisation gives the actor another ID.
    let robust_address = fern_sdk::actor::next_actor_address();
    let (id, existing) = state::transaction(|st: &mut State| {
        st.map_addresses_to_id(ActorBlockstore, &robust_address, None)
    })?;
    if existing {
        // Cannot happen without a delegated address; kept as a guard.
        return Err(ActorError::forbidden(format!(
            "actor f0{id} already exists"
        )));
    }

    construct(id, &p.code_cid, None, p.constructor_params)?;
    Ok(ExecReturn {
        id_address: Address::new_id(id),
        robust_address,
    })
}

fn exec4(p: Exec4Params) -> Result<Exec4Return, ActorError> {
    let manager = caller::validate_caller_is(&[EAM_ACTOR_ID])?;
    check_code(&p.code_cid)?;

    let delegated = Address::new_delegated(manager, p.subaddress.bytes())
        .map_err(|e| ActorError::illegal_argument(format!("invalid delegated address: {e}")))?;
    let robust_address = fern_sdk::actor::next_actor_address();
    let (id, existing) = state::transaction(|st: &mut State| {
        st.map_addresses_to_id(ActorBlockstore, &robust_address, Some(&delegated))
    })?;

    // The f4 address may already belong to an actor: only a placeholder (created when the
    // address received funds) may be replaced by real code.
    if existing {
        let current =
            fern_sdk::actor::get_actor_code_cid(&Address::new_id(id)).ok_or_else(|| {
                ActorError::forbidden(format!(
                    "actor f0{id} at {} was deleted",
                    fmt::addr(&delegated)
                ))
            })?;
        if current != fern_sdk::actor::get_code_cid_for_type(types::PLACEHOLDER) {
            return Err(ActorError::forbidden(format!(
                "{} already belongs to actor f0{id}, which is not a placeholder",
                fmt::addr(&delegated)
            )));
        }
    }

    construct(id, &p.code_cid, Some(delegated), p.constructor_params)?;
    Ok(Exec4Return {
        id_address: Address::new_id(id),
        robust_address,
    })
}

/// Creates the actor and runs its constructor with the value this call received.
fn construct(
    id: ActorID,
    code: &Cid,
    delegated: Option<Address>,
    constructor_params: fvm_ipld_encoding::RawBytes,
) -> Result<(), ActorError> {
    fern_sdk::actor::create_actor(id, code, delegated)
        .map_err(|e| syscall_error(e, "failed to create the actor"))?;
    send::send(
        &Address::new_id(id),
        fern_actor_runtime::METHOD_CONSTRUCTOR,
        params::from_raw_bytes(constructor_params),
        fern_sdk::message::value_received(),
    )
    .map_err(|e| wrap(e, "constructor failed"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use fvm_ipld_blockstore::MemoryBlockstore;
    use fvm_ipld_encoding::CborStore;

    fn oracle_bytes(addr: &Address) -> Vec<u8> {
        // The oracle's byte form of the same address.
        fvm_shared::address::Address::from_bytes(&addr.to_bytes())
            .unwrap()
            .to_bytes()
    }

    #[test]
    fn new_state_starts_after_singletons() {
        let bs = MemoryBlockstore::new();
        let st = State::new(&bs, "fernnet".into()).unwrap();
        assert_eq!(st.next_id, fvm_shared::address::FIRST_NON_SINGLETON_ADDR);
        assert_eq!(st.network_name, "fernnet");
        // The same empty map ref-fvm's test tooling builds for a fresh init actor.
        let empty = Hamt::<_, String>::new_with_bit_width(&bs, fvm_shared::HAMT_BIT_WIDTH)
            .flush()
            .unwrap();
        assert_eq!(st.address_map, empty);
    }

    #[test]
    fn mapping_is_readable_the_way_the_kernel_reads_it() {
        let bs = MemoryBlockstore::new();
        let mut st = State::new(&bs, "t".into()).unwrap();
        let robust = Address::new_actor(b"first");
        assert_eq!(
            st.map_addresses_to_id(&bs, &robust, None).unwrap(),
            (100, false)
        );
        let robust2 = Address::new_actor(b"second");
        let f4 = Address::new_delegated(10, &[7u8; 20]).unwrap();
        assert_eq!(
            st.map_addresses_to_id(&bs, &robust2, Some(&f4)).unwrap(),
            (101, false)
        );
        assert_eq!(st.next_id, 102);

        // The kernel's view: a bit-width-5 HAMT keyed by the address bytes, holding u64 IDs.
        let map: Hamt<_, u64, BytesKey> =
            Hamt::load_with_bit_width(&st.address_map, &bs, fvm_shared::HAMT_BIT_WIDTH).unwrap();
        assert_eq!(
            map.get(&BytesKey(oracle_bytes(&robust))).unwrap(),
            Some(&100)
        );
        assert_eq!(
            map.get(&BytesKey(oracle_bytes(&robust2))).unwrap(),
            Some(&101)
        );
        assert_eq!(map.get(&BytesKey(oracle_bytes(&f4))).unwrap(), Some(&101));

        // And the state block round-trips as a 3-tuple.
        let cid = bs
            .put_cbor(&st, multihash_codetable::Code::Blake2b256)
            .unwrap();
        let (map_cid, next, name): (Cid, u64, String) = bs.get_cbor(&cid).unwrap().unwrap();
        assert_eq!(
            (map_cid, next, name),
            (st.address_map, 102, "t".to_string())
        );
    }

    #[test]
    fn delegated_address_reuses_existing_id() {
        let bs = MemoryBlockstore::new();
        let mut st = State::new(&bs, "t".into()).unwrap();
        let f4 = Address::new_delegated(10, &[9u8; 20]).unwrap();
        // What the kernel does when funds are first sent to an unknown f4 address: map it.
        let mut map: Hamt<_, u64, BytesKey> =
            Hamt::load_with_bit_width(&st.address_map, &bs, HAMT_BIT_WIDTH).unwrap();
        map.set(BytesKey(f4.to_bytes()), 100).unwrap();
        st.address_map = map.flush().unwrap();
        st.next_id = 101;

        let robust = Address::new_actor(b"r");
        assert_eq!(
            st.map_addresses_to_id(&bs, &robust, Some(&f4)).unwrap(),
            (100, true)
        );
        assert_eq!(st.next_id, 101, "no new ID is allocated");
        assert_eq!(st.resolve(&bs, &robust).unwrap(), Some(100));
        assert_eq!(st.resolve(&bs, &Address::new_id(5)).unwrap(), Some(5));
        assert_eq!(
            st.resolve(&bs, &Address::new_actor(b"nobody")).unwrap(),
            None
        );
    }

    #[test]
    fn robust_address_is_assigned_once() {
        let bs = MemoryBlockstore::new();
        let mut st = State::new(&bs, "t".into()).unwrap();
        let robust = Address::new_actor(b"x");
        st.map_addresses_to_id(&bs, &robust, None).unwrap();
        let err = st.map_addresses_to_id(&bs, &robust, None).unwrap_err();
        assert_eq!(err.exit_code, fern_sdk::ExitCode::USR_FORBIDDEN);
    }
}
