//! The machine layer against ref-fvm: state trees built by the same operations must flush to the
//! same roots, resolve addresses the same way and read each other's output; buffered blockstores
//! must write exactly the same blocks; manifests and machine construction must accept and reject
//! the same inputs.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use cid::multihash::Multihash;
use cid::Cid;
use fern::machine::blockstore::{scan_dag_cbor_links, LinkScanError};
use fern::machine::{
    BufferedBlockstore, ConsensusFaultCheck, Externs, InitState, Limits, Machine, MachineContext,
    Manifest, ManifestError, NetworkConfig, StateTree, SystemState,
};
use fern_shared::address::Address;
use fern_shared::consts::{dag_cbor_blake2b_cid, CBOR, DAG_CBOR, IDENTITY_HASH, IPLD_RAW};
use fern_shared::econ::TokenAmount;
use fern_shared::state::{ActorState, StateTreeVersion};
use fern_shared::version::NetworkVersion;
use fern_shared::ActorID;
use fvm::machine::Machine as _;
use fvm_ipld_blockstore::{Block, Blockstore, Buffered, MemoryBlockstore};
use fvm_ipld_encoding::CborStore;
use fvm_ipld_hamt::Hamt;
use multihash_codetable::{Code, MultihashDigest};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Deterministic xorshift generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    fn some_bytes(&mut self, max: u64) -> Vec<u8> {
        let n = self.below(max) as usize;
        self.bytes(n)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn identity_cid(codec: u64, data: &[u8]) -> Cid {
    Cid::new_v1(codec, Multihash::wrap(IDENTITY_HASH, data).unwrap())
}

fn to_ref_addr(a: &Address) -> fvm_shared::address::Address {
    fvm_shared::address::Address::from_bytes(&a.to_bytes()).unwrap()
}

fn to_ref_actor(a: &ActorState) -> fvm_shared::state::ActorState {
    fvm_ipld_encoding::from_slice(&fvm_ipld_encoding::to_vec(a).unwrap()).unwrap()
}

fn from_ref_actor(a: &fvm_shared::state::ActorState) -> ActorState {
    fvm_ipld_encoding::from_slice(&fvm_ipld_encoding::to_vec(a).unwrap()).unwrap()
}

fn random_actor(rng: &mut Rng) -> ActorState {
    let code = identity_cid(IPLD_RAW, format!("code-{}", rng.below(8)).as_bytes());
    let state = dag_cbor_blake2b_cid(&rng.bytes(8));
    let balance = match rng.below(4) {
        0 => TokenAmount::zero(),
        1 => TokenAmount::from_atto(rng.next()),
        2 => TokenAmount::from_whole(rng.below(1_000_000_000)),
        _ => TokenAmount::from_atto(u128::from(rng.next()) * u128::from(rng.next())),
    };
    let delegated = if rng.chance(30) {
        Some(Address::new_delegated(10, &rng.bytes(20)).unwrap())
    } else {
        None
    };
    ActorState::new(code, state, balance, rng.below(1000), delegated)
}

fn random_address(rng: &mut Rng) -> Address {
    match rng.below(5) {
        0 => Address::new_secp256k1(&rng.bytes(65)).unwrap(),
        1 => Address::new_actor(&rng.bytes(12)),
        2 => Address::new_bls(&rng.bytes(48)).unwrap(),
        3 => {
            let len = rng.below(55) as usize;
            Address::new_delegated(rng.below(2000), &rng.bytes(len)).unwrap()
        }
        _ => Address::new_id(rng.below(5000)),
    }
}

/// An init actor record (id 1) with an empty address table, written into `store`.
fn init_actor<B: Blockstore>(store: &B, next_id: ActorID) -> ActorState {
    let empty_map = Hamt::<_, ActorID>::new_with_bit_width(store, 5)
        .flush()
        .unwrap();
    let state = InitState {
        address_map: empty_map,
        next_id,
        network_name: "fern-test".into(),
    };
    let head = store.put_cbor(&state, Code::Blake2b256).unwrap();
    ActorState::new(
        identity_cid(IPLD_RAW, b"init"),
        head,
        TokenAmount::zero(),
        0,
        None,
    )
}

/// A Fern tree and a ref-fvm tree, each over its own memory store, both holding the same init
/// actor.
fn twin_trees(
    next_id: ActorID,
) -> (
    StateTree<MemoryBlockstore>,
    fvm::state_tree::StateTree<MemoryBlockstore>,
) {
    let mut fern = StateTree::new(MemoryBlockstore::new(), StateTreeVersion::V5).unwrap();
    let mut oracle = fvm::state_tree::StateTree::new(
        MemoryBlockstore::new(),
        fvm_shared::state::StateTreeVersion::V5,
    )
    .unwrap();
    let init_f = init_actor(fern.store(), next_id);
    let init_o = init_actor(oracle.store(), next_id);
    assert_eq!(init_f, init_o);
    fern.set_actor(1, init_f);
    oracle.set_actor(1, to_ref_actor(&init_o));
    (fern, oracle)
}

/// Both trees must see the same actor under `id`.
fn same_actor(
    fern: &StateTree<MemoryBlockstore>,
    oracle: &fvm::state_tree::StateTree<MemoryBlockstore>,
    id: ActorID,
) {
    let f = fern.get_actor(id).unwrap();
    let o = oracle.get_actor(id).unwrap().map(|a| from_ref_actor(&a));
    assert_eq!(f, o, "actor {id}");
    let seen = fern.with_actor(id, |a| a.cloned()).unwrap();
    assert_eq!(seen, f, "actor {id} seen without a copy");
}

fn same_lookup(
    fern: &StateTree<MemoryBlockstore>,
    oracle: &fvm::state_tree::StateTree<MemoryBlockstore>,
    addr: &Address,
) {
    let f = fern.lookup_id(addr).unwrap();
    let o = oracle.lookup_id(&to_ref_addr(addr)).unwrap();
    assert_eq!(f, o, "lookup of {addr:?}");
}

// ---------------------------------------------------------------------------------------------
// State tree
// ---------------------------------------------------------------------------------------------

#[test]
fn fresh_trees_flush_to_the_same_root() {
    let mut fern = StateTree::new(MemoryBlockstore::new(), StateTreeVersion::V5).unwrap();
    let mut oracle = fvm::state_tree::StateTree::new(
        MemoryBlockstore::new(),
        fvm_shared::state::StateTreeVersion::V5,
    )
    .unwrap();
    assert_eq!(fern.flush().unwrap(), oracle.flush().unwrap());
    // Layouts before 3 are refused by both. Fern's tree also takes versions 3 and 4 (nv17's,
    // checked against ref-fvm 2.12 in state_tree_v4.rs); ref-fvm 4.8's refuses them, and so
    // does Fern's machine (`machines_refuse_layouts_before_5`).
    use fvm_shared::state::StateTreeVersion as RefVersion;
    for (v, rv) in [
        (StateTreeVersion::V0, RefVersion::V0),
        (StateTreeVersion::V1, RefVersion::V1),
        (StateTreeVersion::V2, RefVersion::V2),
    ] {
        assert!(StateTree::new(MemoryBlockstore::new(), v).is_err());
        assert!(fvm::state_tree::StateTree::new(MemoryBlockstore::new(), rv).is_err());
    }
    for (v, rv) in [
        (StateTreeVersion::V3, RefVersion::V3),
        (StateTreeVersion::V4, RefVersion::V4),
    ] {
        assert!(StateTree::new(MemoryBlockstore::new(), v).is_ok());
        assert!(fvm::state_tree::StateTree::new(MemoryBlockstore::new(), rv).is_err());
    }
}

#[test]
fn random_operations_match_ref_fvm_at_every_step() {
    for seed in [1u64, 0xdead_beef, 42_4242, 7_777_777] {
        let mut rng = Rng(seed);
        let (mut fern, mut oracle) = twin_trees(100);
        let mut known: Vec<Address> = Vec::new();
        let mut depth = 0usize;
        let mut flushes = 0;
        for step in 0..1500 {
            match rng.below(100) {
                0..=29 => {
                    let id = 2 + rng.below(400); // the init actor (1) is left alone
                    let actor = random_actor(&mut rng);
                    fern.set_actor(id, actor.clone());
                    oracle.set_actor(id, to_ref_actor(&actor));
                }
                30..=39 => {
                    let id = 2 + rng.below(400); // the init actor (1) is left alone
                    fern.delete_actor(id);
                    oracle.delete_actor(id);
                }
                40..=54 => {
                    let addr = if !known.is_empty() && rng.chance(10) {
                        // Re-registering an address remaps it to a fresh id.
                        known[rng.below(known.len() as u64) as usize]
                    } else {
                        random_address(&mut rng)
                    };
                    let f = fern.register_new_address(&addr).unwrap();
                    let o = oracle.register_new_address(&to_ref_addr(&addr)).unwrap();
                    assert_eq!(f, o, "seed {seed} step {step}: id for {addr:?}");
                    known.push(addr);
                }
                55..=69 => {
                    let addr = if !known.is_empty() && rng.chance(70) {
                        known[rng.below(known.len() as u64) as usize]
                    } else {
                        random_address(&mut rng)
                    };
                    same_lookup(&fern, &oracle, &addr);
                }
                70..=77 => same_actor(&fern, &oracle, rng.below(400)),
                78..=84 if depth < 3 => {
                    fern.begin_transaction();
                    oracle.begin_transaction();
                    depth += 1;
                }
                85..=92 if depth > 0 => {
                    let revert = rng.chance(50);
                    fern.end_transaction(revert).unwrap();
                    oracle.end_transaction(revert).unwrap();
                    depth -= 1;
                }
                93..=99 if depth == 0 => {
                    let f = fern.flush().unwrap();
                    let o = oracle.flush().unwrap();
                    assert_eq!(f, o, "seed {seed} step {step}: roots differ");
                    flushes += 1;
                }
                _ => {
                    // Mutate an existing actor through the helper; one time in four the
                    // mutation changes the record and then fails, which must change nothing.
                    let id = 2 + rng.below(400); // the init actor (1) is left alone
                    let bump = rng.below(10);
                    let fail = rng.chance(25);
                    let mutation = |sequence: &mut u64| {
                        *sequence += bump;
                        if fail {
                            anyhow::bail!("refused after changing the record");
                        }
                        Ok(())
                    };
                    let found = fern.mutate_actor(id, |a| mutation(&mut a.sequence));
                    let found_o = oracle.maybe_mutate_actor_id(id, |a| {
                        mutation(&mut a.sequence).map_err(fvm::kernel::ExecutionError::Fatal)
                    });
                    match (found, found_o) {
                        (Ok(f), Ok(o)) => assert_eq!(f, o, "seed {seed} step {step}"),
                        (Err(_), Err(_)) => assert!(fail, "seed {seed} step {step}"),
                        (f, o) => panic!("seed {seed} step {step}: {f:?} vs {o:?}"),
                    }
                    same_actor(&fern, &oracle, id);
                }
            }
            assert_eq!(fern.in_transaction(), oracle.in_transaction());
        }
        while depth > 0 {
            let revert = rng.chance(50);
            fern.end_transaction(revert).unwrap();
            oracle.end_transaction(revert).unwrap();
            depth -= 1;
        }
        assert_eq!(fern.flush().unwrap(), oracle.flush().unwrap());
        assert!(
            flushes > 10,
            "the sequence should flush many times (flushed {flushes})"
        );
        for addr in &known {
            same_lookup(&fern, &oracle, addr);
        }
    }
}

#[test]
fn nested_transactions_revert_layer_by_layer() {
    let mut rng = Rng(99);
    let (mut fern, mut oracle) = twin_trees(1000);
    let a = random_actor(&mut rng);
    fern.set_actor(200, a.clone());
    oracle.set_actor(200, to_ref_actor(&a));

    let addr1 = Address::new_bls(&rng.bytes(48)).unwrap();
    let addr2 = Address::new_actor(b"nested");
    let addr3 = Address::new_delegated(10, &rng.bytes(20)).unwrap();

    fern.begin_transaction();
    oracle.begin_transaction();
    assert_eq!(fern.register_new_address(&addr1).unwrap(), 1000);
    oracle.register_new_address(&to_ref_addr(&addr1)).unwrap();
    {
        fern.begin_transaction();
        oracle.begin_transaction();
        assert_eq!(fern.transaction_depth(), 2);
        let b = random_actor(&mut rng);
        fern.set_actor(200, b.clone());
        oracle.set_actor(200, to_ref_actor(&b));
        fern.delete_actor(1); // even the init actor
        oracle.delete_actor(1);
        same_actor(&fern, &oracle, 1);
        assert!(
            fern.lookup_id(&addr2).is_err(),
            "no init actor, no resolution"
        );
        assert!(oracle.lookup_id(&to_ref_addr(&addr2)).is_err());
        same_lookup(&fern, &oracle, &addr1); // cached: still resolves
        fern.end_transaction(true).unwrap();
        oracle.end_transaction(true).unwrap();
    }
    same_actor(&fern, &oracle, 200);
    same_actor(&fern, &oracle, 1);
    assert_eq!(fern.get_actor(200).unwrap(), Some(a.clone()));
    {
        fern.begin_transaction();
        oracle.begin_transaction();
        assert_eq!(fern.register_new_address(&addr2).unwrap(), 1001);
        oracle.register_new_address(&to_ref_addr(&addr2)).unwrap();
        fern.end_transaction(false).unwrap();
        oracle.end_transaction(false).unwrap();
    }
    same_lookup(&fern, &oracle, &addr2);
    assert!(
        fern.flush().is_err(),
        "flush inside a transaction is refused"
    );
    assert!(oracle.flush().is_err());
    fern.end_transaction(true).unwrap();
    oracle.end_transaction(true).unwrap();
    // Everything from the outer transaction is gone, including the resolution caches.
    for addr in [&addr1, &addr2, &addr3] {
        same_lookup(&fern, &oracle, addr);
        assert_eq!(fern.lookup_id(addr).unwrap(), None);
    }
    assert!(fern.end_transaction(false).is_err());
    assert!(oracle.end_transaction(false).is_err());
    assert_eq!(fern.register_new_address(&addr3).unwrap(), 1000);
    oracle.register_new_address(&to_ref_addr(&addr3)).unwrap();
    assert_eq!(fern.flush().unwrap(), oracle.flush().unwrap());
}

#[test]
fn resolution_cache_outlives_init_state_changes_like_ref_fvm() {
    // A resolved address stays cached even if the init actor's table later changes behind the
    // tree's back (here: the init actor is reset to an empty table).
    let mut rng = Rng(5);
    let (mut fern, mut oracle) = twin_trees(100);
    let addr = Address::new_secp256k1(&rng.bytes(65)).unwrap();
    let fresh = Address::new_actor(b"fresh");
    fern.register_new_address(&addr).unwrap();
    oracle.register_new_address(&to_ref_addr(&addr)).unwrap();
    fern.flush().unwrap();
    oracle.flush().unwrap();

    // Reopen both trees so that the caches are empty, resolve once, then wipe the table.
    let root_f = fern.flush().unwrap();
    let mut fern = StateTree::new_from_root(fern.into_store(), &root_f).unwrap();
    let root_o = oracle.flush().unwrap();
    let mut oracle =
        fvm::state_tree::StateTree::new_from_root(oracle.into_store(), &root_o).unwrap();
    same_lookup(&fern, &oracle, &addr);
    let reset_f = init_actor(fern.store(), 500);
    let reset_o = init_actor(oracle.store(), 500);
    fern.set_actor(1, reset_f);
    oracle.set_actor(1, to_ref_actor(&reset_o));
    same_lookup(&fern, &oracle, &addr);
    assert_eq!(fern.lookup_id(&addr).unwrap(), Some(100));
    same_lookup(&fern, &oracle, &fresh);
    assert_eq!(fern.lookup_id(&fresh).unwrap(), None);
    assert_eq!(fern.flush().unwrap(), oracle.flush().unwrap());
}

#[test]
fn trees_read_each_others_output() {
    let mut rng = Rng(0x5eed);
    let (mut fern, mut oracle) = twin_trees(100);
    let mut addrs = Vec::new();
    for _ in 0..200 {
        let id = rng.below(3000);
        let actor = random_actor(&mut rng);
        fern.set_actor(id, actor.clone());
        oracle.set_actor(id, to_ref_actor(&actor));
        let addr = random_address(&mut rng);
        fern.register_new_address(&addr).unwrap();
        oracle.register_new_address(&to_ref_addr(&addr)).unwrap();
        addrs.push(addr);
    }
    let root_f = fern.flush().unwrap();
    let root_o = oracle.flush().unwrap();
    assert_eq!(root_f, root_o);

    // Fern's store read by ref-fvm, and the other way round.
    let oracle_reads_fern =
        fvm::state_tree::StateTree::new_from_root(fern.into_store(), &root_f).unwrap();
    let fern_reads_oracle = StateTree::new_from_root(oracle.into_store(), &root_o).unwrap();
    let mut seen_by_oracle = BTreeMap::new();
    oracle_reads_fern
        .for_each(|addr, actor| {
            seen_by_oracle.insert(addr.id().unwrap(), from_ref_actor(actor));
            Ok(())
        })
        .unwrap();
    let mut seen_by_fern = BTreeMap::new();
    fern_reads_oracle
        .for_each(|id, actor| {
            seen_by_fern.insert(id, actor.clone());
            Ok(())
        })
        .unwrap();
    assert_eq!(seen_by_fern, seen_by_oracle);
    assert!(seen_by_fern.len() > 150);
    for (&id, actor) in &seen_by_fern {
        assert_eq!(
            fern_reads_oracle.get_actor(id).unwrap().as_ref(),
            Some(actor)
        );
    }
    for addr in &addrs {
        let f = fern_reads_oracle.lookup_id(addr).unwrap();
        let o = oracle_reads_fern.lookup_id(&to_ref_addr(addr)).unwrap();
        assert_eq!(f, o);
        assert!(f.is_some());
    }
    // A callback error stops the walk and comes back unchanged.
    let mut calls = 0;
    let err = fern_reads_oracle
        .for_each(|_, _| {
            calls += 1;
            anyhow::bail!("stop here")
        })
        .unwrap_err();
    assert_eq!(calls, 1);
    assert_eq!(err.to_string(), "stop here");
}

#[test]
fn for_each_sees_the_committed_table_only() {
    let mut rng = Rng(3);
    let (mut fern, _) = twin_trees(100);
    let root = fern.flush().unwrap();
    let mut fern = StateTree::new_from_root(fern.into_store(), &root).unwrap();
    let mut oracle = fvm::state_tree::StateTree::new_from_root(
        {
            let s = MemoryBlockstore::new();
            fern.store().copy_to(&s).unwrap();
            s
        },
        &root,
    )
    .unwrap();
    let a = random_actor(&mut rng);
    fern.set_actor(500, a.clone());
    oracle.set_actor(500, to_ref_actor(&a));
    let count = |f: &StateTree<MemoryBlockstore>| {
        let mut n = 0;
        f.for_each(|_, _| {
            n += 1;
            Ok(())
        })
        .unwrap();
        n
    };
    let count_o = |o: &fvm::state_tree::StateTree<MemoryBlockstore>| {
        let mut n = 0;
        o.for_each(|_, _| {
            n += 1;
            Ok(())
        })
        .unwrap();
        n
    };
    assert_eq!(count(&fern), count_o(&oracle));
    assert_eq!(count(&fern), 1, "only the init actor is committed");
    fern.flush().unwrap();
    oracle.flush().unwrap();
    assert_eq!(count(&fern), count_o(&oracle));
    assert_eq!(count(&fern), 2);
}

#[test]
fn bad_roots_are_rejected_by_both() {
    let store = MemoryBlockstore::new();
    // Missing root.
    let missing = dag_cbor_blake2b_cid(b"nothing");
    assert!(StateTree::new_from_root(&store, &missing).is_err());
    assert!(fvm::state_tree::StateTree::new_from_root(&store, &missing).is_err());
    // Version 2 root and version 6 root (version 4 opens in Fern's tree, for nv17; the
    // machine refuses it, see `machines_refuse_layouts_before_5`).
    let hamt = Hamt::<_, ActorState>::new_with_bit_width(&store, 5)
        .flush()
        .unwrap();
    let info = store.put_cbor(&Vec::<u8>::new(), Code::Blake2b256).unwrap();
    for version in [2u64, 6] {
        let root = store
            .put_cbor(&(version, hamt, info), Code::Blake2b256)
            .unwrap();
        assert!(StateTree::new_from_root(&store, &root).is_err());
        assert!(fvm::state_tree::StateTree::new_from_root(&store, &root).is_err());
    }
    // Not a root at all.
    let junk = store.put_cbor(&"junk", Code::Blake2b256).unwrap();
    assert!(StateTree::new_from_root(&store, &junk).is_err());
    assert!(fvm::state_tree::StateTree::new_from_root(&store, &junk).is_err());
    // A good version 5 root opens.
    let root = store
        .put_cbor(&(5u64, hamt, info), Code::Blake2b256)
        .unwrap();
    assert!(StateTree::new_from_root(&store, &root).is_ok());
    assert!(fvm::state_tree::StateTree::new_from_root(&store, &root).is_ok());
}

#[test]
fn missing_init_actor_is_an_error_in_both() {
    let mut fern = StateTree::new(MemoryBlockstore::new(), StateTreeVersion::V5).unwrap();
    let mut oracle = fvm::state_tree::StateTree::new(
        MemoryBlockstore::new(),
        fvm_shared::state::StateTreeVersion::V5,
    )
    .unwrap();
    let addr = Address::new_actor(b"x");
    assert!(fern.lookup_id(&addr).is_err());
    assert!(oracle.lookup_id(&to_ref_addr(&addr)).is_err());
    assert!(fern.register_new_address(&addr).is_err());
    assert!(oracle.register_new_address(&to_ref_addr(&addr)).is_err());
    // ID addresses resolve without the init actor, whether or not the actor exists.
    assert_eq!(fern.lookup_id(&Address::new_id(77)).unwrap(), Some(77));
    assert_eq!(
        oracle
            .lookup_id(&fvm_shared::address::Address::new_id(77))
            .unwrap(),
        Some(77)
    );
    // Init actor whose state block is missing.
    let ghost = ActorState::new_empty(identity_cid(IPLD_RAW, b"init"), None);
    let ghost = ActorState {
        state: dag_cbor_blake2b_cid(b"absent"),
        ..ghost
    };
    fern.set_actor(1, ghost.clone());
    oracle.set_actor(1, to_ref_actor(&ghost));
    assert!(fern.lookup_id(&addr).is_err());
    assert!(oracle.lookup_id(&to_ref_addr(&addr)).is_err());
}

// ---------------------------------------------------------------------------------------------
// Buffered blockstore
// ---------------------------------------------------------------------------------------------

/// A base store whose whole content can be listed.
#[derive(Default)]
struct ListedStore(RefCell<BTreeMap<Cid, Vec<u8>>>);

impl Blockstore for ListedStore {
    fn get(&self, k: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self.0.borrow().get(k).cloned())
    }
    fn put_keyed(&self, k: &Cid, block: &[u8]) -> anyhow::Result<()> {
        self.0.borrow_mut().insert(*k, block.to_vec());
        Ok(())
    }
}

impl ListedStore {
    fn contents(&self) -> BTreeMap<Cid, Vec<u8>> {
        self.0.borrow().clone()
    }
}

/// A ref-fvm machine over `base` (which must hold `genesis`), to borrow its buffered blockstore.
fn ref_machine(
    base: Rc<ListedStore>,
    genesis: Cid,
) -> fvm::machine::DefaultMachine<Rc<ListedStore>, RefExterns> {
    let nc = fvm::machine::NetworkConfig::new(fvm_shared::version::NetworkVersion::V21);
    let ctx = nc.for_epoch(0, 0, genesis);
    fvm::machine::DefaultMachine::new(&ctx, base, RefExterns).unwrap()
}

struct RefExterns;
impl fvm::externs::Rand for RefExterns {
    fn get_chain_randomness(&self, _: i64) -> anyhow::Result<[u8; 32]> {
        Ok([1; 32])
    }
    fn get_beacon_randomness(&self, _: i64) -> anyhow::Result<[u8; 32]> {
        Ok([2; 32])
    }
}
impl fvm::externs::Consensus for RefExterns {
    fn verify_consensus_fault(
        &self,
        _: &[u8],
        _: &[u8],
        _: &[u8],
    ) -> anyhow::Result<(Option<fvm_shared::consensus::ConsensusFault>, i64)> {
        Ok((None, 0))
    }
}
impl fvm::externs::Chain for RefExterns {
    fn get_tipset_cid(&self, _: i64) -> anyhow::Result<Cid> {
        Ok(identity_cid(IPLD_RAW, b"tipset"))
    }
}
impl fvm::externs::Externs for RefExterns {}

struct FernExterns;
impl Externs for FernExterns {
    fn chain_randomness(&self, _: i64) -> anyhow::Result<[u8; 32]> {
        Ok([1; 32])
    }
    fn beacon_randomness(&self, _: i64) -> anyhow::Result<[u8; 32]> {
        Ok([2; 32])
    }
    fn tipset_cid(&self, _: i64) -> anyhow::Result<Cid> {
        Ok(identity_cid(IPLD_RAW, b"tipset"))
    }
    fn verify_consensus_fault(
        &self,
        _: &[u8],
        _: &[u8],
        _: &[u8],
    ) -> anyhow::Result<ConsensusFaultCheck> {
        Ok(ConsensusFaultCheck {
            fault: None,
            gas_used: 0,
        })
    }
}

const TEST_ACTORS: [&str; 9] = [
    "system",
    "init",
    "cron",
    "account",
    "placeholder",
    "eam",
    "ethaccount",
    "reward",
    "evm",
];

fn test_codes() -> Vec<(String, Cid)> {
    TEST_ACTORS
        .iter()
        .map(|n| {
            (
                n.to_string(),
                identity_cid(IPLD_RAW, format!("fern/test/{n}").as_bytes()),
            )
        })
        .collect()
}

/// Writes a minimal genesis (system actor pointing at a manifest list, init actor) into `store`
/// and returns (state root, manifest data CID).
fn genesis<B: Blockstore>(store: &B, codes: &[(String, Cid)]) -> (Cid, Cid) {
    let data = store.put_cbor(&codes.to_vec(), Code::Blake2b256).unwrap();
    let mut tree = StateTree::new(store, StateTreeVersion::V5).unwrap();
    let system_state = store
        .put_cbor(
            &SystemState {
                builtin_actors: data,
            },
            Code::Blake2b256,
        )
        .unwrap();
    let code_of = |name: &str| {
        codes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| *c)
            .unwrap()
    };
    tree.set_actor(
        0,
        ActorState::new(
            code_of("system"),
            system_state,
            TokenAmount::zero(),
            0,
            None,
        ),
    );
    let mut init = init_actor(store, 100);
    init.code = code_of("init");
    tree.set_actor(1, init);
    (tree.flush().unwrap(), data)
}

/// Something that stores one block.
type PutBlock<'a> = dyn Fn(&Cid, &[u8]) + 'a;

/// A random DAG written the same way into two stores. Returns candidate roots.
fn random_dag(rng: &mut Rng, stores: &[&PutBlock<'_>], base_only: &[&PutBlock<'_>]) -> Vec<Cid> {
    let mut made: Vec<Cid> = Vec::new();
    let sealed = Cid::new_v1(0xf102, Multihash::wrap(0x1012, &[7u8; 32]).unwrap());
    let unsealed = Cid::new_v1(0xf101, Multihash::wrap(0x1012, &[5u8; 32]).unwrap());
    for i in 0..300 {
        let kind = rng.below(100);
        let mut links = Vec::new();
        for _ in 0..rng.below(5) {
            if !made.is_empty() {
                links.push(made[rng.below(made.len() as u64) as usize]);
            }
        }
        if rng.chance(10) {
            links.push(if rng.chance(50) { sealed } else { unsealed });
        }
        if rng.chance(10) {
            // A link to a block that was never stored anywhere.
            links.push(dag_cbor_blake2b_cid(&rng.bytes(16)));
        }
        let payload = (
            links.clone(),
            fvm_ipld_encoding::RawBytes::new(rng.some_bytes(40)),
            i as u64,
        );
        let (cid, data) = match kind {
            // Plain DAG-CBOR block.
            0..=59 => {
                let data = fvm_ipld_encoding::to_vec(&payload).unwrap();
                (dag_cbor_blake2b_cid(&data), data)
            }
            // A map with links as values, nested in a list.
            60..=69 => {
                let map: BTreeMap<String, Cid> = links
                    .iter()
                    .enumerate()
                    .map(|(j, c)| (format!("k{j}"), *c))
                    .collect();
                let data = fvm_ipld_encoding::to_vec(&vec![map]).unwrap();
                (dag_cbor_blake2b_cid(&data), data)
            }
            // Raw block (never scanned).
            70..=79 => {
                let data = rng.bytes(20);
                (Cid::new_v1(IPLD_RAW, Code::Blake2b256.digest(&data)), data)
            }
            // Plain CBOR codec: may contain tag-42 bytes, but is not scanned.
            80..=87 => {
                let data = fvm_ipld_encoding::to_vec(&payload).unwrap();
                (Cid::new_v1(CBOR, Code::Blake2b256.digest(&data)), data)
            }
            // An inline (identity) DAG-CBOR node: its links are followed, it is never stored.
            _ => {
                let data = fvm_ipld_encoding::to_vec(&links).unwrap();
                if data.len() <= 64 {
                    made.push(identity_cid(DAG_CBOR, &data));
                }
                continue;
            }
        };
        // Some blocks go only to the base store (already persisted before this block).
        if rng.chance(10) {
            for put in base_only {
                put(&cid, &data);
            }
        } else {
            for put in stores {
                put(&cid, &data);
            }
        }
        made.push(cid);
    }
    made
}

#[test]
fn buffered_flush_writes_what_ref_fvm_writes() {
    for seed in [11u64, 12, 13, 14, 15] {
        let mut rng = Rng(seed * 0x9e37_79b9);
        // Identical genesis in both bases.
        let base_f = ListedStore::default();
        let base_o = Rc::new(ListedStore::default());
        let (root_f, _) = genesis(&base_f, &test_codes());
        let (root_o, _) = genesis(&*base_o, &test_codes());
        assert_eq!(root_f, root_o);
        let oracle = ref_machine(base_o.clone(), root_o);
        // ref-fvm's machine stores the empty array directly in the base; do the same for Fern.
        base_f
            .put_keyed(&fern_shared::consts::empty_arr_cid(), &[0x80])
            .unwrap();
        let fern = BufferedBlockstore::new(&base_f);
        assert_eq!(base_f.contents(), base_o.contents());

        let put_f = |c: &Cid, d: &[u8]| fern.put_keyed(c, d).unwrap();
        let put_o = |c: &Cid, d: &[u8]| oracle.blockstore().put_keyed(c, d).unwrap();
        let base_put_f = |c: &Cid, d: &[u8]| base_f.put_keyed(c, d).unwrap();
        let base_put_o = |c: &Cid, d: &[u8]| base_o.put_keyed(c, d).unwrap();
        let roots = random_dag(&mut rng, &[&put_f, &put_o], &[&base_put_f, &base_put_o]);
        assert_eq!(fern.buffered_len(), oracle.blockstore().buffer_len());

        let before = base_f.contents().len();
        for _ in 0..6 {
            let root = roots[rng.below(roots.len() as u64) as usize];
            fern.flush(&root).unwrap();
            Buffered::flush(oracle.blockstore(), &root).unwrap();
            assert_eq!(base_f.contents(), base_o.contents(), "seed {seed}");
            assert_eq!(fern.buffered_len(), oracle.blockstore().buffer_len());
        }
        assert!(base_f.contents().len() > before, "some blocks were written");
        assert!(fern.buffered_len() > 0, "some blocks stayed unreachable");
        // Flushing everything empties both buffers the same way.
        fern.flush_all().unwrap();
        oracle.blockstore().flush_all().unwrap();
        assert_eq!(base_f.contents(), base_o.contents());
        assert_eq!(fern.buffered_len(), 0);
    }
}

#[test]
fn buffered_reads_and_shared_blocks() {
    let base = ListedStore::default();
    let bs = BufferedBlockstore::new(&base);
    let leaf = bs.put_cbor(&"leaf", Code::Blake2b256).unwrap();
    let left = bs.put_cbor(&(leaf, 1u8), Code::Blake2b256).unwrap();
    let right = bs.put_cbor(&(leaf, 2u8), Code::Blake2b256).unwrap();
    let root = bs.put_cbor(&(left, right), Code::Blake2b256).unwrap();
    let stray = bs.put_cbor(&"stray", Code::Blake2b256).unwrap();
    assert!(bs.has(&leaf).unwrap() && !base.has(&leaf).unwrap());
    assert_eq!(
        bs.get_cbor::<String>(&leaf).unwrap().as_deref(),
        Some("leaf")
    );
    bs.flush(&root).unwrap();
    let written = base.contents();
    assert_eq!(written.len(), 4);
    for c in [leaf, left, right, root] {
        assert!(written.contains_key(&c));
        assert!(!bs.is_buffered(&c));
    }
    assert!(bs.is_buffered(&stray));
    // Still readable through the buffer after moving to the base.
    assert_eq!(
        bs.get_cbor::<String>(&leaf).unwrap().as_deref(),
        Some("leaf")
    );
    // Flushing a root that is not buffered (already in the base) writes nothing more.
    bs.flush(&root).unwrap();
    assert_eq!(base.contents().len(), 4);
}

#[test]
fn buffered_flush_rejects_the_same_links_as_ref_fvm() {
    let dag_pb = Cid::new_v1(0x70, Code::Blake2b256.digest(b"pb"));
    let sha = Cid::new_v1(DAG_CBOR, Code::Sha2_256.digest(b"sha"));
    let short_blake = Cid::new_v1(DAG_CBOR, Multihash::wrap(0xb220, &[1u8; 20]).unwrap());
    let fine = Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(b"fine"));
    for (bad, should_fail) in [
        (dag_pb, true),
        (sha, true),
        (short_blake, true),
        (fine, false),
    ] {
        let base_f = ListedStore::default();
        let base_o = Rc::new(ListedStore::default());
        let (root, _) = genesis(&base_f, &test_codes());
        genesis(&*base_o, &test_codes());
        let oracle = ref_machine(base_o.clone(), root);
        let fern = BufferedBlockstore::new(&base_f);
        // The bad link sits in a buffered block; the linked block itself is not buffered.
        let data = fvm_ipld_encoding::to_vec(&(bad, 1u8)).unwrap();
        let holder = dag_cbor_blake2b_cid(&data);
        fern.put_keyed(&holder, &data).unwrap();
        oracle.blockstore().put_keyed(&holder, &data).unwrap();
        let f = fern.flush(&holder);
        let o = Buffered::flush(oracle.blockstore(), &holder);
        assert_eq!(f.is_err(), o.is_err(), "link {bad}");
        assert_eq!(f.is_err(), should_fail, "link {bad}");
        if should_fail {
            assert!(
                fern.is_buffered(&holder),
                "a failed flush leaves the buffer alone"
            );
            assert!(!base_f.has(&holder).unwrap());
        }
        // The same link as the root itself.
        assert_eq!(fern.flush(&bad).is_err(), should_fail);
        assert_eq!(
            Buffered::flush(oracle.blockstore(), &bad).is_err(),
            should_fail
        );
    }
}

#[test]
fn buffered_flush_errors_on_malformed_reachable_blocks() {
    let cases: Vec<Vec<u8>> = vec![
        vec![0x82, 0x01],                         // array of 2 with one item
        vec![0x5a, 0, 0, 0, 9, 1],                // byte string longer than the data
        vec![0xd8, 0x2a, 0x01],                   // tag 42 on an integer
        vec![0xd8, 0x2a, 0x43, 0x01, 0x71, 0x00], // tag 42 bytes without the 0x00 prefix
        vec![0x9f, 0xff],                         // indefinite array
        vec![0xd8, 0x2a, 0x43, 0x00, 0x01, 0x71], // truncated CID
    ];
    for data in cases {
        let base = ListedStore::default();
        let bs = BufferedBlockstore::new(&base);
        let cid = dag_cbor_blake2b_cid(&data);
        bs.put_keyed(&cid, &data).unwrap();
        assert!(bs.flush(&cid).is_err(), "{data:02x?}");
        assert!(base.contents().is_empty());
        // Malformed data under another codec is not scanned, so it flushes.
        let raw = Cid::new_v1(IPLD_RAW, Code::Blake2b256.digest(&data));
        bs.put_keyed(&raw, &data).unwrap();
        bs.flush(&raw).unwrap();
        assert_eq!(base.contents().len(), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Link scanner
// ---------------------------------------------------------------------------------------------

#[test]
fn scanner_finds_links_in_order() {
    let mut rng = Rng(77);
    for _ in 0..300 {
        let links: Vec<Cid> = (0..rng.below(6))
            .map(|_| match rng.below(3) {
                0 => dag_cbor_blake2b_cid(&rng.bytes(4)),
                1 => identity_cid(IPLD_RAW, &rng.some_bytes(30)),
                _ => Cid::new_v1(0xf101, Multihash::wrap(0x1012, &rng.bytes(32)).unwrap()),
            })
            .collect();
        let map: BTreeMap<String, (i64, Option<Cid>)> = links
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("{i:03}"), (-(i as i64) - 1000, Some(*c))))
            .collect();
        let value = (
            1.5f64,
            "text",
            fvm_ipld_encoding::RawBytes::new(rng.bytes(300)),
            map,
            vec![u64::MAX; 3],
            Option::<Cid>::None,
            true,
        );
        let data = fvm_ipld_encoding::to_vec(&value).unwrap();
        let mut found = Vec::new();
        scan_dag_cbor_links(&data, &mut found).unwrap();
        assert_eq!(found, links);
    }
}

#[test]
fn scanner_handles_other_tags_and_trailing_bytes() {
    let link = dag_cbor_blake2b_cid(b"x");
    let mut link_item = vec![0xd8, 0x2a, 0x58];
    let cid_bytes = link.to_bytes();
    link_item.push(cid_bytes.len() as u8 + 1);
    link_item.push(0);
    link_item.extend_from_slice(&cid_bytes);

    // tag 55799 (self-described CBOR) around [link, tag 1 (int)]
    let mut data = vec![0xd9, 0xd9, 0xf7, 0x82];
    data.extend_from_slice(&link_item);
    data.extend_from_slice(&[0xc1, 0x1a, 0, 0, 0, 1]);
    let mut found = Vec::new();
    scan_dag_cbor_links(&data, &mut found).unwrap();
    assert_eq!(found, vec![link]);

    // Bytes after the first item are not looked at.
    let mut padded = link_item.clone();
    padded.extend_from_slice(&link_item);
    found.clear();
    scan_dag_cbor_links(&padded, &mut found).unwrap();
    assert_eq!(found, vec![link]);

    // Errors.
    let mut out = Vec::new();
    assert_eq!(
        scan_dag_cbor_links(&[], &mut out),
        Err(LinkScanError::Truncated)
    );
    assert_eq!(
        scan_dag_cbor_links(&[0xd8, 0x2a, 0x40], &mut out),
        Err(LinkScanError::MissingLinkPrefix)
    );
    assert_eq!(
        scan_dag_cbor_links(&[0xd8, 0x2a, 0x01], &mut out),
        Err(LinkScanError::LinkNotBytes)
    );
    assert_eq!(
        scan_dag_cbor_links(&[0x5f], &mut out),
        Err(LinkScanError::BadHeader(0x5f))
    );
    // Item counts wrap around as in ref-fvm's release builds: 1 + 2 + (2^64 - 1) - 2 items read
    // leaves none, so the scan ends there, and so does a map of 2^63 entries.
    assert_eq!(
        scan_dag_cbor_links(
            &[0x82, 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xd8, 0x2a],
            &mut out
        ),
        Ok(())
    );
    assert_eq!(
        scan_dag_cbor_links(&[0xbb, 0x80, 0, 0, 0, 0, 0, 0, 0, 0xd8, 0x2a], &mut out),
        Ok(())
    );
    assert!(matches!(
        scan_dag_cbor_links(&[0xd8, 0x2a, 0x42, 0x00, 0x05], &mut out),
        Err(LinkScanError::BadCid(_))
    ));
    assert!(out.is_empty());
}

#[test]
fn scanner_never_panics_on_garbage() {
    let mut rng = Rng(0xfeed);
    let seed_block = fvm_ipld_encoding::to_vec(&(
        vec![dag_cbor_blake2b_cid(b"a"), dag_cbor_blake2b_cid(b"b")],
        "hello",
        BTreeMap::from([("k".to_string(), 5u64)]),
    ))
    .unwrap();
    let mut out = Vec::new();
    for _ in 0..20_000 {
        let data = if rng.chance(50) {
            rng.some_bytes(64)
        } else {
            let mut d = seed_block.clone();
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(d.len() as u64) as usize;
                d[i] = rng.next() as u8;
            }
            d.truncate(rng.below(d.len() as u64 + 1) as usize);
            d
        };
        out.clear();
        let _ = scan_dag_cbor_links(&data, &mut out);
    }
}

// ---------------------------------------------------------------------------------------------
// Manifest
// ---------------------------------------------------------------------------------------------

#[test]
fn manifest_types_match_ref_fvm() {
    let mut codes = test_codes();
    // A duplicated code and a duplicated name: the later entry wins in both implementations.
    codes.push(("evm2".into(), codes[8].1));
    codes.push(("account".into(), identity_cid(IPLD_RAW, b"second account")));
    let fern = Manifest::new(codes.clone()).unwrap();
    let oracle = fvm::machine::Manifest::new(codes.clone()).unwrap();
    for ty in 0..(codes.len() as u32 + 3) {
        assert_eq!(fern.code_by_type(ty), oracle.code_by_id(ty), "type {ty}");
    }
    for (_, code) in &codes {
        assert_eq!(fern.type_of_code(code), oracle.id_by_code(code));
        assert_eq!(fern.is_account(code), oracle.is_account_actor(code));
        assert_eq!(fern.is_placeholder(code), oracle.is_placeholder_actor(code));
        assert_eq!(fern.is_ethaccount(code), oracle.is_ethaccount_actor(code));
    }
    let unknown = identity_cid(IPLD_RAW, b"unknown");
    assert_eq!(fern.type_of_code(&unknown), oracle.id_by_code(&unknown));
    assert_eq!(fern.type_of_code(&unknown), 0);
    assert_eq!(fern.account_code(), oracle.get_account_code());
    assert_eq!(fern.system_code(), oracle.get_system_code());
    assert_eq!(fern.init_code(), oracle.get_init_code());
    assert_eq!(fern.eam_code(), oracle.get_eam_code());
    assert_eq!(fern.placeholder_code(), oracle.get_placeholder_code());
    assert_eq!(fern.ethaccount_code(), oracle.get_ethaccount_code());
    let mut mine: Vec<Cid> = fern.codes().copied().collect();
    let mut theirs: Vec<Cid> = oracle.builtin_actor_codes().copied().collect();
    mine.sort();
    theirs.sort();
    assert_eq!(mine, theirs);
    assert_eq!(fern.entries(), codes.as_slice());
}

#[test]
fn manifest_requires_each_core_actor() {
    for missing in fern::machine::manifest::REQUIRED_ACTORS {
        let codes: Vec<(String, Cid)> = test_codes()
            .into_iter()
            .filter(|(n, _)| n != missing)
            .collect();
        match Manifest::new(codes.clone()) {
            Err(ManifestError::MissingActor(name)) => {
                assert_eq!(name, missing);
                assert!(ManifestError::MissingActor(name)
                    .to_string()
                    .contains(missing));
            }
            other => panic!("expected a missing-{missing} error, got {other:?}"),
        }
        assert!(fvm::machine::Manifest::new(codes).is_err());
    }
}

#[test]
fn manifest_loading_from_blocks() {
    let store = MemoryBlockstore::new();
    let codes = test_codes();
    let data = store.put_cbor(&codes, Code::Blake2b256).unwrap();
    let root = store.put_cbor(&(1u32, data), Code::Blake2b256).unwrap();
    let fern = Manifest::load(&store, &root).unwrap();
    let oracle = fvm::machine::Manifest::load(&store, &data, 1).unwrap();
    for ty in 1..=codes.len() as u32 {
        assert_eq!(fern.code_by_type(ty), oracle.code_by_id(ty));
    }
    // Version 2 is refused by both.
    let v2 = store.put_cbor(&(2u32, data), Code::Blake2b256).unwrap();
    assert!(matches!(
        Manifest::load(&store, &v2),
        Err(ManifestError::UnsupportedVersion(2))
    ));
    assert!(fvm::machine::Manifest::load(&store, &data, 2).is_err());
    // Missing blocks.
    let absent = dag_cbor_blake2b_cid(b"absent");
    assert!(
        matches!(Manifest::load(&store, &absent), Err(ManifestError::NotFound(c)) if c == absent)
    );
    let dangling = store.put_cbor(&(1u32, absent), Code::Blake2b256).unwrap();
    assert!(matches!(
        Manifest::load(&store, &dangling),
        Err(ManifestError::NotFound(_))
    ));
    assert!(fvm::machine::Manifest::load(&store, &absent, 1).is_err());
    // Undecodable blocks.
    let junk = store.put_cbor(&"junk", Code::Blake2b256).unwrap();
    assert!(matches!(
        Manifest::load(&store, &junk),
        Err(ManifestError::Load { .. })
    ));
    assert!(matches!(
        Manifest::load_data(&store, &junk, 1),
        Err(ManifestError::Load { .. })
    ));
    assert!(fvm::machine::Manifest::load(&store, &junk, 1).is_err());
}

// ---------------------------------------------------------------------------------------------
// Configuration and machine
// ---------------------------------------------------------------------------------------------

#[test]
fn network_config_versions_and_limits() {
    for v in 0..40u32 {
        let nv = NetworkVersion::new(v);
        let supported = (18..=29).contains(&v);
        match NetworkConfig::new(nv) {
            Ok(cfg) => {
                assert!(supported, "{v}");
                assert!(std::ptr::eq(
                    cfg.price_list,
                    fern::gas::price_list_for(nv).unwrap()
                ));
                assert!(cfg.check().is_ok());
            }
            Err(e) => {
                assert!(!supported, "{v}");
                assert_eq!(e.0, nv);
                assert!(e.to_string().contains(&v.to_string()));
            }
        }
    }
    let oracle = fvm::machine::NetworkConfig::new(fvm_shared::version::NetworkVersion::V21);
    let l = Limits::CONSENSUS;
    assert_eq!(l.max_call_depth, oracle.max_call_depth);
    assert_eq!(l.max_wasm_stack_slots, oracle.max_wasm_stack);
    assert_eq!(l.max_instance_memory_bytes, oracle.max_inst_memory_bytes);
    assert_eq!(l.max_message_memory_bytes, oracle.max_memory_bytes);
    assert_eq!(l.max_block_size, oracle.max_block_size);
    let cfg = NetworkConfig::new(NetworkVersion::V25).unwrap();
    assert_eq!(cfg.limits, Limits::default());
    assert_eq!(cfg.chain_id, u64::from(oracle.chain_id));
    assert_eq!(cfg.actor_debugging, oracle.actor_debugging);
    assert_eq!(cfg.builtin_actors_override, oracle.builtin_actors_override);
    // `actor::upgrade_actor` is left out unless asked for, as on mainnet (ref-fvm's
    // `upgrade-actor` cargo feature is off there; FIPS/abi.md, section 2.1).
    assert!(!cfg.upgrade_actor);
    assert!(cfg.clone().with_upgrade_actor(true).upgrade_actor);
    assert!(
        !cfg.with_upgrade_actor(true)
            .with_upgrade_actor(false)
            .upgrade_actor
    );

    let ctx = MachineContext::new(5, 6, dag_cbor_blake2b_cid(b"r"));
    let octx = oracle.for_epoch(5, 6, dag_cbor_blake2b_cid(b"r"));
    assert_eq!(ctx.base_fee.is_zero(), octx.base_fee.is_zero());
    assert_eq!(ctx.circulating_supply.is_zero(), octx.circ_supply.is_zero());
    assert!(ctx.base_fee.is_zero() && ctx.circulating_supply.is_zero());
    assert_eq!(ctx.tracing, octx.tracing);
    assert_eq!(ctx.flush_all_blocks, octx.flush_all_blocks);
}

#[test]
fn machine_runs_like_ref_fvm_machine() {
    let base_f = Rc::new(ListedStore::default());
    let base_o = Rc::new(ListedStore::default());
    let (root, data) = genesis(&*base_f, &test_codes());
    genesis(&*base_o, &test_codes());
    let config = NetworkConfig::new(NetworkVersion::V21).unwrap();
    let context = MachineContext::new(0, 0, root);
    let mut fern = Machine::new(config, context, base_f.clone(), FernExterns).unwrap();
    let mut oracle = ref_machine(base_o.clone(), root);
    assert_eq!(
        base_f.contents(),
        base_o.contents(),
        "both store the empty array up front"
    );

    for ty in 0..12 {
        assert_eq!(
            fern.manifest.code_by_type(ty),
            oracle.builtin_actors().code_by_id(ty)
        );
    }
    let system: SystemState = fern::machine::load_actor_state(&fern.state_tree, 0).unwrap();
    assert_eq!(system.builtin_actors, data);

    let mut rng = Rng(2024);
    for round in 0..5 {
        for _ in 0..40 {
            let addr = random_address(&mut rng);
            let f = fern.state_tree.register_new_address(&addr).unwrap();
            let o = oracle
                .state_tree_mut()
                .register_new_address(&to_ref_addr(&addr))
                .unwrap();
            assert_eq!(f, o);
            let actor = random_actor(&mut rng);
            fern.state_tree.set_actor(f, actor.clone());
            oracle.state_tree_mut().set_actor(o, to_ref_actor(&actor));
            // Intermediate garbage that must not be flushed.
            let junk = rng.bytes(10);
            fern.blockstore().put_cbor(&junk, Code::Blake2b256).unwrap();
            oracle
                .blockstore()
                .put_cbor(&junk, Code::Blake2b256)
                .unwrap();
        }
        let rf = fern.flush().unwrap();
        let ro = fvm::machine::Machine::flush(&mut oracle).unwrap();
        assert_eq!(rf, ro, "round {round}");
        assert_eq!(base_f.contents(), base_o.contents(), "round {round}");
        assert_eq!(
            fern.blockstore().buffered_len(),
            oracle.blockstore().buffer_len()
        );
        assert!(fern.blockstore().buffered_len() > 0);
    }
    // The flushed state reopens in a new machine over the same base.
    let final_root = fern.flush().unwrap();
    let store = fern.into_store();
    let again = Machine::new(
        NetworkConfig::new(NetworkVersion::V28).unwrap(),
        MachineContext::new(1, 1, final_root),
        store,
        FernExterns,
    )
    .unwrap();
    assert!(again.state_tree.get_actor(150).unwrap().is_some());
}

#[test]
fn machine_manifest_override_and_flush_all() {
    let base = Rc::new(ListedStore::default());
    let (root, _) = genesis(&*base, &test_codes());
    // A different manifest, named by its versioned root.
    let mut other = test_codes();
    other.reverse();
    let data = base.put_cbor(&other, Code::Blake2b256).unwrap();
    let manifest_root = base.put_cbor(&(1u32, data), Code::Blake2b256).unwrap();
    let config = NetworkConfig::new(NetworkVersion::V23)
        .unwrap()
        .with_builtin_actors(manifest_root);
    let mut context = MachineContext::new(0, 0, root);
    context.flush_all_blocks = true;
    let mut fern = Machine::new(config, context, base.clone(), FernExterns).unwrap();

    let mut ref_cfg = fvm::machine::NetworkConfig::new(fvm_shared::version::NetworkVersion::V23);
    ref_cfg.override_actors(manifest_root);
    let ref_ctx = ref_cfg.for_epoch(0, 0, root);
    let oracle = fvm::machine::DefaultMachine::new(&ref_ctx, base.clone(), RefExterns).unwrap();
    for ty in 0..12 {
        assert_eq!(
            fern.manifest.code_by_type(ty),
            oracle.builtin_actors().code_by_id(ty)
        );
    }
    assert_eq!(fern.manifest.code_by_type(1), Some(&other[0].1));

    let stray = fern
        .blockstore()
        .put_cbor(&"stray", Code::Blake2b256)
        .unwrap();
    fern.flush().unwrap();
    assert!(
        base.has(&stray).unwrap(),
        "flush_all_blocks writes unreachable blocks too"
    );
    assert_eq!(fern.blockstore().buffered_len(), 0);
}

#[test]
fn machine_construction_errors() {
    let base = Rc::new(ListedStore::default());
    let (root, _) = genesis(&*base, &test_codes());
    let mut oracle_cfg = fvm::machine::NetworkConfig::new(fvm_shared::version::NetworkVersion::V21);

    // Unsupported network version (a hand-built config bypassing NetworkConfig::new).
    let mut cfg = NetworkConfig::new(NetworkVersion::V21).unwrap();
    cfg.network_version = NetworkVersion::V17;
    assert!(Machine::new(
        cfg,
        MachineContext::new(0, 0, root),
        base.clone(),
        FernExterns
    )
    .is_err());
    // A supported version paired with the other generation's prices (nv18 follows ref-fvm 3.x
    // rules, Watermelon's table 4.x rules) is refused too.
    let mut cfg = NetworkConfig::new(NetworkVersion::V21).unwrap();
    cfg.network_version = NetworkVersion::V18;
    assert!(cfg.check().is_err());
    assert!(Machine::new(
        cfg,
        MachineContext::new(0, 0, root),
        base.clone(),
        FernExterns
    )
    .is_err());
    oracle_cfg.network_version = fvm_shared::version::NetworkVersion::V20;
    assert!(fvm::machine::DefaultMachine::new(
        &oracle_cfg.for_epoch(0, 0, root),
        base.clone(),
        RefExterns
    )
    .is_err());
    oracle_cfg.network_version = fvm_shared::version::NetworkVersion::V21;

    // Missing state root.
    let absent = dag_cbor_blake2b_cid(b"no such root");
    let cfg = NetworkConfig::new(NetworkVersion::V21).unwrap();
    assert!(Machine::new(
        cfg.clone(),
        MachineContext::new(0, 0, absent),
        base.clone(),
        FernExterns
    )
    .is_err());
    assert!(fvm::machine::DefaultMachine::new(
        &oracle_cfg.for_epoch(0, 0, absent),
        base.clone(),
        RefExterns
    )
    .is_err());

    // A manifest override that is missing, or misses a required actor.
    let bad_codes: Vec<(String, Cid)> = test_codes()
        .into_iter()
        .filter(|(n, _)| n != "eam")
        .collect();
    let bad_data = base.put_cbor(&bad_codes, Code::Blake2b256).unwrap();
    let bad_root = base.put_cbor(&(1u32, bad_data), Code::Blake2b256).unwrap();
    for manifest_root in [absent, bad_root] {
        let err = Machine::new(
            cfg.clone().with_builtin_actors(manifest_root),
            MachineContext::new(0, 0, root),
            base.clone(),
            FernExterns,
        )
        .err()
        .expect("must fail");
        if manifest_root == bad_root {
            assert!(err.to_string().contains("eam"), "{err}");
        }
        let mut oc = oracle_cfg.clone();
        oc.override_actors(manifest_root);
        assert!(fvm::machine::DefaultMachine::new(
            &oc.for_epoch(0, 0, root),
            base.clone(),
            RefExterns
        )
        .is_err());
    }

    // A genesis whose system actor lists an incomplete manifest.
    let base2 = Rc::new(ListedStore::default());
    let (root2, _) = genesis(&*base2, &bad_codes);
    assert!(Machine::new(
        cfg.clone(),
        MachineContext::new(0, 0, root2),
        base2.clone(),
        FernExterns
    )
    .is_err());
    assert!(fvm::machine::DefaultMachine::new(
        &oracle_cfg.for_epoch(0, 0, root2),
        base2.clone(),
        RefExterns
    )
    .is_err());

    // A genesis without a system actor.
    let base3 = Rc::new(ListedStore::default());
    let mut tree = StateTree::new(&*base3, StateTreeVersion::V5).unwrap();
    let init = init_actor(&*base3, 100);
    tree.set_actor(1, init);
    let root3 = tree.flush().unwrap();
    assert!(Machine::new(
        cfg,
        MachineContext::new(0, 0, root3),
        base3.clone(),
        FernExterns
    )
    .is_err());
    assert!(fvm::machine::DefaultMachine::new(
        &oracle_cfg.for_epoch(0, 0, root3),
        base3.clone(),
        RefExterns
    )
    .is_err());
}

#[test]
fn empty_state_is_the_empty_array_block() {
    // Fern's default actor state and the block the machine stores up front agree with ref-fvm.
    let store = MemoryBlockstore::new();
    let cid = store
        .put(Code::Blake2b256, &Block::new(DAG_CBOR, [0x80u8]))
        .unwrap();
    assert_eq!(cid, fern_shared::consts::empty_arr_cid());
    assert_eq!(cid, fvm_shared::EMPTY_ARR_CID);
}

/// nv30 runs only through `NetworkConfig::development`, with nv29's price list.
#[test]
fn the_development_version_runs_only_on_request() {
    let v30 = NetworkVersion::new(30);
    assert!(NetworkConfig::new(v30).is_err());
    let dev = NetworkConfig::development(v30).unwrap();
    assert_eq!(dev.network_version, v30);
    assert!(dev.development_versions);
    assert!(dev.check().is_ok());
    assert!(std::ptr::eq(
        dev.price_list,
        fern::gas::price_list_for(NetworkVersion::new(29)).unwrap()
    ));
    assert!(NetworkConfig::development(NetworkVersion::new(31)).is_err());
    assert!(NetworkConfig::development(NetworkVersion::new(17)).is_err());
    // Development configurations accept the released versions too.
    assert!(NetworkConfig::development(NetworkVersion::new(21))
        .unwrap()
        .check()
        .is_ok());
    // A released configuration switched to nv30 by hand is refused.
    let mut released = NetworkConfig::new(NetworkVersion::new(29)).unwrap();
    released.network_version = v30;
    assert!(released.check().is_err());
}

#[test]
fn machines_refuse_layouts_before_5() {
    // A genesis whose root says version 4: both refuse on the version alone, before reading the
    // actor table (whose root block is in neither store).
    let base_f = Rc::new(ListedStore::default());
    let base_o = Rc::new(ListedStore::default());
    for base in [&base_f, &base_o] {
        genesis(&**base, &test_codes());
    }
    let hamt = dag_cbor_blake2b_cid(b"an actor table nobody stored");
    let info = base_f
        .put_cbor(&Vec::<u8>::new(), Code::Blake2b256)
        .unwrap();
    let root = base_f
        .put_cbor(&(4u64, hamt, info), Code::Blake2b256)
        .unwrap();
    for (k, v) in base_f.contents() {
        base_o.put_keyed(&k, &v).unwrap();
    }
    let config = NetworkConfig::new(NetworkVersion::V21).unwrap();
    let err = Machine::new(config, MachineContext::new(0, 0, root), base_f, FernExterns)
        .err()
        .expect("Fern's machine refuses a version 4 root");
    assert!(
        format!("{err:#}").contains("state tree version 4"),
        "{err:#}"
    );
    let nc = fvm::machine::NetworkConfig::new(fvm_shared::version::NetworkVersion::V21);
    let ctx = nc.for_epoch(0, 0, root);
    assert!(fvm::machine::DefaultMachine::new(&ctx, base_o, RefExterns).is_err());
}
