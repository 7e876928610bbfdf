//! The state tree: every actor's record, keyed by actor id.
//!
//! On chain the tree is a versioned root `[version, actors, info]` whose `actors` field is a HAMT
//! (bit width 5, SHA-256 key hashing) from the byte form of an actor's *ID address* to its
//! [`ActorState`]; `info` is the CID of an empty CBOR array. Version 5 (network version 18 on)
//! stores five-field records with the delegated address; versions 3 and 4 (up to network
//! version 17, ref-fvm 2.x) store four-field records ([`ActorStateV4`]), read here as records
//! without a delegated address. Each layout decodes only its own records, so a record of the
//! other layout is as undecodable as on ref-fvm. Whether a network version accepts a layout is
//! the machine's decision.
//!
//! Reads and writes go through an in-memory cache in front of the HAMT. Writes stay in the cache,
//! marked dirty, until [`StateTree::flush`] applies them to the HAMT and stores a new root. While a
//! transaction is open every cache change is logged, so reverting a transaction just replays the
//! log backwards. Resolved non-ID addresses are cached the same way.

use std::cell::RefCell;

use anyhow::{anyhow, Context as _};
use cid::Cid;
use fern_shared::address::Address;
use fern_shared::consts::HAMT_BIT_WIDTH;
use fern_shared::state::{ActorState, ActorStateV4, StateInfo0, StateRoot, StateTreeVersion};
use fern_shared::ActorID;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_ipld_hamt::Hamt;
use multihash_codetable::Code;

use super::singletons::{InitState, INIT_ACTOR_ID};
use super::undo::UndoMap;

/// The HAMT key of an actor: the byte form of its ID address (protocol byte 0, then the id as an
/// unsigned LEB128 varint).
pub fn actor_key(id: ActorID) -> Vec<u8> {
    Address::new_id(id).to_bytes()
}

/// The committed actor HAMT, typed by the record layout of the tree's version.
enum ActorTable<B> {
    /// Versions 3 and 4: four-field records.
    V4(Hamt<B, ActorStateV4>),
    /// Version 5: five-field records.
    V5(Hamt<B, ActorState>),
}

impl<B: Blockstore> ActorTable<B> {
    /// An empty table for `version`; versions before 3 are refused (as ref-fvm 2.x and later
    /// refuse them).
    fn new(store: B, version: StateTreeVersion) -> anyhow::Result<Self> {
        Ok(match version {
            StateTreeVersion::V3 | StateTreeVersion::V4 => {
                ActorTable::V4(Hamt::new_with_bit_width(store, HAMT_BIT_WIDTH))
            }
            StateTreeVersion::V5 => ActorTable::V5(Hamt::new_with_bit_width(store, HAMT_BIT_WIDTH)),
            other => return Err(unsupported(other)),
        })
    }

    /// The table rooted at `actors` for `version`.
    fn load(actors: &Cid, store: B, version: StateTreeVersion) -> anyhow::Result<Self> {
        let context = || format!("cannot load the actor table {actors}");
        Ok(match version {
            StateTreeVersion::V3 | StateTreeVersion::V4 => ActorTable::V4(
                Hamt::load_with_bit_width(actors, store, HAMT_BIT_WIDTH).with_context(context)?,
            ),
            StateTreeVersion::V5 => ActorTable::V5(
                Hamt::load_with_bit_width(actors, store, HAMT_BIT_WIDTH).with_context(context)?,
            ),
            other => return Err(unsupported(other)),
        })
    }

    fn store(&self) -> &B {
        match self {
            ActorTable::V4(h) => h.store(),
            ActorTable::V5(h) => h.store(),
        }
    }

    fn into_store(self) -> B {
        match self {
            ActorTable::V4(h) => h.into_store(),
            ActorTable::V5(h) => h.into_store(),
        }
    }

    fn get(&self, id: ActorID) -> anyhow::Result<Option<ActorState>> {
        let key = actor_key(id);
        let context = || format!("cannot read actor {id} from the state tree");
        Ok(match self {
            ActorTable::V4(h) => h
                .get(key.as_slice())
                .with_context(context)?
                .cloned()
                .map(ActorState::from),
            ActorTable::V5(h) => h.get(key.as_slice()).with_context(context)?.cloned(),
        })
    }

    fn set(&mut self, id: ActorID, actor: &ActorState) -> anyhow::Result<()> {
        let key = actor_key(id).into();
        let context = || format!("cannot write actor {id}");
        match self {
            ActorTable::V4(h) => {
                let record = ActorStateV4::try_from(actor.clone()).map_err(|addr| {
                    anyhow!(
                        "actor {id} has the delegated address {addr}, which a version 3 or 4 \
                         state tree cannot hold"
                    )
                })?;
                h.set(key, record).with_context(context)?;
            }
            ActorTable::V5(h) => {
                h.set(key, actor.clone()).with_context(context)?;
            }
        }
        Ok(())
    }

    fn delete(&mut self, id: ActorID) -> anyhow::Result<()> {
        let key = actor_key(id);
        let context = || format!("cannot delete actor {id}");
        match self {
            ActorTable::V4(h) => h.delete(key.as_slice()).with_context(context).map(drop),
            ActorTable::V5(h) => h.delete(key.as_slice()).with_context(context).map(drop),
        }
    }

    fn flush(&mut self) -> anyhow::Result<Cid> {
        let root = match self {
            ActorTable::V4(h) => h.flush(),
            ActorTable::V5(h) => h.flush(),
        };
        root.context("cannot flush the actor table")
    }

    fn for_each(
        &self,
        mut f: impl FnMut(ActorID, &ActorState) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        fn id_of(key: &[u8]) -> anyhow::Result<ActorID> {
            Address::from_bytes(key)
                .and_then(|a| a.id())
                .map_err(|e| anyhow!("state tree key is not an ID address: {e}"))
        }
        let result = match self {
            ActorTable::V4(h) => h.for_each(|key, actor: &ActorStateV4| {
                f(id_of(key)?, &ActorState::from(actor.clone()))
            }),
            ActorTable::V5(h) => h.for_each(|key, actor| f(id_of(key)?, actor)),
        };
        result.map_err(|e| match e {
            // The callback's own error (or a store error) passes through unchanged.
            fvm_ipld_hamt::Error::Dynamic(inner) => inner,
            other => anyhow!("state tree iteration failed: {other}"),
        })
    }
}

/// The error for a layout version no Fern network version uses.
fn unsupported(version: StateTreeVersion) -> anyhow::Error {
    anyhow!(
        "state tree version {} is not supported (versions 3, 4 and 5 are)",
        version as u64
    )
}

/// A cached view of one actor.
#[derive(Debug, Clone, PartialEq)]
struct CachedActor {
    /// The record, or `None` if the actor does not exist (never did, or was deleted).
    actor: Option<ActorState>,
    /// Whether this entry differs from the HAMT and must be written by the next flush.
    dirty: bool,
}

/// Where the caches stood when a transaction began.
#[derive(Debug, Clone, Copy)]
struct TransactionMark {
    actors: usize,
    addresses: usize,
}

/// The actor table of one state root, with uncommitted changes and nested transactions.
///
/// Not thread-safe: read caches use interior mutability so that lookups take `&self`.
pub struct StateTree<B> {
    /// The committed actor table (as of the last flush, or as loaded).
    hamt: ActorTable<B>,
    /// Layout version written into the root.
    version: StateTreeVersion,
    /// CID stored in the root's `info` field.
    info: Cid,
    /// Actors read or written since loading; dirty entries are pending writes.
    actors: RefCell<UndoMap<ActorID, CachedActor>>,
    /// Non-ID addresses resolved or registered since loading.
    addresses: RefCell<UndoMap<Address, ActorID>>,
    /// One mark per open transaction, innermost last.
    transactions: Vec<TransactionMark>,
}

impl<B: Blockstore> StateTree<B> {
    /// An empty tree of the given layout version (3, 4 or 5). Stores the empty info block right
    /// away.
    pub fn new(store: B, version: StateTreeVersion) -> anyhow::Result<Self> {
        if version < StateTreeVersion::V3 {
            return Err(unsupported(version));
        }
        let info = store
            .put_cbor(&StateInfo0::default(), Code::Blake2b256)
            .context("cannot store the state tree info block")?;
        let hamt = ActorTable::new(store, version)?;
        Ok(Self::assemble(hamt, version, info))
    }

    /// Opens the tree whose versioned root is `root` (layout version 3, 4 or 5).
    pub fn new_from_root(store: B, root: &Cid) -> anyhow::Result<Self> {
        Self::open(store, root, None)
    }

    /// Opens the tree whose versioned root is `root`, refusing any layout but `version` before
    /// reading anything but the root block (as ref-fvm 3.x and 4.x refuse older layouts).
    pub fn new_from_root_of_version(
        store: B,
        root: &Cid,
        version: StateTreeVersion,
    ) -> anyhow::Result<Self> {
        Self::open(store, root, Some(version))
    }

    fn open(store: B, root: &Cid, required: Option<StateTreeVersion>) -> anyhow::Result<Self> {
        let state_root: StateRoot = store
            .get_cbor(root)
            .with_context(|| format!("cannot decode state root {root}"))?
            .ok_or_else(|| anyhow!("state root {root} is not in the blockstore"))?;
        if let Some(required) = required.filter(|&v| v != state_root.version) {
            return Err(anyhow!(
                "state tree version {} is not supported here (version {} is required)",
                state_root.version as u64,
                required as u64
            ));
        }
        let hamt = ActorTable::load(&state_root.actors, store, state_root.version)?;
        Ok(Self::assemble(hamt, state_root.version, state_root.info))
    }

    fn assemble(hamt: ActorTable<B>, version: StateTreeVersion, info: Cid) -> Self {
        StateTree {
            hamt,
            version,
            info,
            actors: RefCell::default(),
            addresses: RefCell::default(),
            transactions: Vec::new(),
        }
    }

    /// The blockstore under the tree.
    pub fn store(&self) -> &B {
        self.hamt.store()
    }

    /// Consumes the tree, returning its blockstore (unflushed changes are dropped).
    pub fn into_store(self) -> B {
        self.hamt.into_store()
    }

    /// The layout version.
    pub fn version(&self) -> StateTreeVersion {
        self.version
    }

    /// The actor with id `id` as currently seen (including uncommitted changes), or `None`.
    pub fn get_actor(&self, id: ActorID) -> anyhow::Result<Option<ActorState>> {
        if let Some(cached) = self.actors.borrow().get(&id) {
            return Ok(cached.actor.clone());
        }
        let actor = self.hamt.get(id)?;
        let record = self.in_transaction();
        self.actors.borrow_mut().insert(
            id,
            CachedActor {
                actor: actor.clone(),
                dirty: false,
            },
            record,
        );
        Ok(actor)
    }

    /// Calls `f` with the actor with id `id` as currently seen (`None` if it does not exist),
    /// without copying the record; `f` must not use the tree.
    pub fn with_actor<R>(
        &self,
        id: ActorID,
        f: impl FnOnce(Option<&ActorState>) -> R,
    ) -> anyhow::Result<R> {
        if let Some(cached) = self.actors.borrow().get(&id) {
            return Ok(f(cached.actor.as_ref()));
        }
        let actor = self.get_actor(id)?;
        Ok(f(actor.as_ref()))
    }

    /// Creates or replaces the actor with id `id`.
    pub fn set_actor(&mut self, id: ActorID, actor: ActorState) {
        self.write(id, Some(actor));
    }

    /// Removes the actor with id `id` (a no-op at flush time if it does not exist).
    pub fn delete_actor(&mut self, id: ActorID) {
        self.write(id, None);
    }

    fn write(&mut self, id: ActorID, actor: Option<ActorState>) {
        let record = self.in_transaction();
        self.actors
            .get_mut()
            .insert(id, CachedActor { actor, dirty: true }, record);
    }

    /// Applies `f` to the actor with id `id` and stores the result. Returns `false` (changing
    /// nothing) if the actor does not exist; an error from `f` leaves the actor unchanged.
    ///
    /// `f` works on a copy of the cached record, which replaces it only when `f` succeeds (inside
    /// a transaction the replaced record moves into the undo log).
    pub fn mutate_actor<F>(&mut self, id: ActorID, f: F) -> anyhow::Result<bool>
    where
        F: FnOnce(&mut ActorState) -> anyhow::Result<()>,
    {
        if self.actors.get_mut().get(&id).is_none() {
            // Loads the record (or its absence) into the cache.
            self.get_actor(id)?;
        }
        let record = self.in_transaction();
        let mut outcome = Ok(false);
        self.actors.get_mut().replace_with(&id, record, |entry| {
            let mut actor = entry.actor.clone()?;
            outcome = f(&mut actor).map(|()| true);
            outcome.is_ok().then_some(CachedActor {
                actor: Some(actor),
                dirty: true,
            })
        });
        outcome
    }

    /// Like [`StateTree::mutate_actor`], but an actor that does not exist is an error naming it
    /// (nothing is changed). ref-fvm's state tree refuses such a mutation with a fatal error,
    /// which is what the executor's payments of the gas outputs need.
    pub fn mutate_existing_actor<F>(&mut self, id: ActorID, f: F) -> anyhow::Result<()>
    where
        F: FnOnce(&mut ActorState) -> anyhow::Result<()>,
    {
        if self.mutate_actor(id, f)? {
            Ok(())
        } else {
            Err(anyhow!("actor {id} is not in the state tree"))
        }
    }

    /// The actor id behind `addr`: ID addresses are answered as they are (without checking that the
    /// actor exists); other addresses are looked up in the init actor's address table.
    pub fn lookup_id(&self, addr: &Address) -> anyhow::Result<Option<ActorID>> {
        if let Ok(id) = addr.id() {
            return Ok(Some(id));
        }
        if let Some(&id) = self.addresses.borrow().get(addr) {
            return Ok(Some(id));
        }
        let (state, _) = self.init_state()?;
        let Some(id) = state.resolve(self.store(), addr)? else {
            return Ok(None);
        };
        let record = self.in_transaction();
        self.addresses.borrow_mut().insert(*addr, id, record);
        Ok(Some(id))
    }

    /// The actor record and decoded state of the init actor.
    pub fn init_state(&self) -> anyhow::Result<(InitState, ActorState)> {
        let actor = self
            .get_actor(INIT_ACTOR_ID)?
            .ok_or_else(|| anyhow!("the init actor is missing from the state tree"))?;
        let state: InitState = self
            .store()
            .get_cbor(&actor.state)
            .context("cannot decode the init actor's state")?
            .ok_or_else(|| anyhow!("the init actor's state {} is missing", actor.state))?;
        Ok((state, actor))
    }

    /// Assigns the init actor's next id to `addr` and records the mapping (overwriting any earlier
    /// mapping of the same address): the init actor's state is rewritten with the new address
    /// table and `next_id + 1`. Returns the new id.
    pub fn register_new_address(&mut self, addr: &Address) -> anyhow::Result<ActorID> {
        let (mut state, mut init_actor) = self.init_state()?;
        let id = state.assign_next_id(self.store(), addr)?;
        init_actor.state = self
            .store()
            .put_cbor(&state, Code::Blake2b256)
            .context("cannot store the init actor's state")?;
        self.set_actor(INIT_ACTOR_ID, init_actor);
        let record = self.in_transaction();
        self.addresses.get_mut().insert(*addr, id, record);
        Ok(id)
    }

    /// Opens a (possibly nested) transaction.
    pub fn begin_transaction(&mut self) {
        self.transactions.push(TransactionMark {
            actors: self.actors.get_mut().mark(),
            addresses: self.addresses.get_mut().mark(),
        });
    }

    /// Closes the innermost transaction, undoing its changes if `revert` is set. Closing the
    /// outermost transaction makes everything kept so far permanent (until the next flush).
    pub fn end_transaction(&mut self, revert: bool) -> anyhow::Result<()> {
        let mark = self
            .transactions
            .pop()
            .ok_or_else(|| anyhow!("no state tree transaction is open"))?;
        if revert {
            self.actors.get_mut().rewind(mark.actors);
            self.addresses.get_mut().rewind(mark.addresses);
        }
        if self.transactions.is_empty() {
            self.actors.get_mut().clear_log();
            self.addresses.get_mut().clear_log();
        }
        Ok(())
    }

    /// Whether a transaction is open.
    pub fn in_transaction(&self) -> bool {
        !self.transactions.is_empty()
    }

    /// How many transactions are open.
    pub fn transaction_depth(&self) -> usize {
        self.transactions.len()
    }

    /// Writes pending changes into the actor HAMT, stores the HAMT and a new versioned root, and
    /// returns the root's CID. Refused while a transaction is open.
    pub fn flush(&mut self) -> anyhow::Result<Cid> {
        if self.in_transaction() {
            return Err(anyhow!("cannot flush the state tree inside a transaction"));
        }
        for (&id, entry) in self.actors.get_mut().iter_mut() {
            if !entry.dirty {
                continue;
            }
            match &entry.actor {
                Some(actor) => self.hamt.set(id, actor)?,
                None => self.hamt.delete(id)?,
            }
            entry.dirty = false;
        }
        let actors = self.hamt.flush()?;
        let root = StateRoot {
            version: self.version,
            actors,
            info: self.info,
        };
        self.store()
            .put_cbor(&root, Code::Blake2b256)
            .context("cannot store the state root")
    }

    /// Calls `f` with every actor in the committed table, i.e. as of the last [`StateTree::flush`]
    /// (or as loaded): pending changes are not visible. Stops at the first error.
    pub fn for_each<F>(&self, f: F) -> anyhow::Result<()>
    where
        F: FnMut(ActorID, &ActorState) -> anyhow::Result<()>,
    {
        self.hamt.for_each(f)
    }
}
