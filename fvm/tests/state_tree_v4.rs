//! State trees of layout versions 3 and 4 (network version 17 and before, four-field actor
//! records) against ref-fvm 2.12's state tree: the same operations flush to the same roots, each
//! reads the other's output, and records of the wrong layout are refused by both.

use cid::multihash::Multihash;
use cid::Cid;
use fern::machine::StateTree;
use fern_shared::address::Address;
use fern_shared::consts::{dag_cbor_blake2b_cid, IDENTITY_HASH, IPLD_RAW};
use fern_shared::econ::TokenAmount;
use fern_shared::state::{ActorState, ActorStateV4, StateTreeVersion};
use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_ipld_encoding::CborStore;
use fvm_ipld_hamt::Hamt;
use multihash_codetable::Code;

use fvm2::state_tree::{ActorState as RefActor, StateTree as RefTree};
use fvm2_shared::state::StateTreeVersion as RefVersion;

/// Deterministic xorshift generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn to_ref(a: &ActorState) -> RefActor {
    let v4 = ActorStateV4::try_from(a.clone()).expect("no delegated address");
    fvm_ipld_encoding::from_slice(&fvm_ipld_encoding::to_vec(&v4).unwrap()).unwrap()
}

fn from_ref(a: &RefActor) -> ActorState {
    let v4: ActorStateV4 =
        fvm_ipld_encoding::from_slice(&fvm_ipld_encoding::to_vec(a).unwrap()).unwrap();
    v4.into()
}

fn random_actor(rng: &mut Rng) -> ActorState {
    let code = Cid::new_v1(
        IPLD_RAW,
        Multihash::wrap(IDENTITY_HASH, format!("code-{}", rng.below(8)).as_bytes()).unwrap(),
    );
    let state = dag_cbor_blake2b_cid(&rng.next().to_le_bytes());
    let balance = match rng.below(3) {
        0 => TokenAmount::zero(),
        1 => TokenAmount::from_atto(rng.next()),
        _ => TokenAmount::from_atto(u128::from(rng.next()) * u128::from(rng.next())),
    };
    ActorState::new(code, state, balance, rng.below(1000), None)
}

fn pair(
    version: StateTreeVersion,
    ref_version: RefVersion,
) -> (StateTree<MemoryBlockstore>, RefTree<MemoryBlockstore>) {
    (
        StateTree::new(MemoryBlockstore::new(), version).unwrap(),
        RefTree::new(MemoryBlockstore::new(), ref_version).unwrap(),
    )
}

#[test]
fn empty_trees_flush_to_the_same_roots() {
    for (v, rv) in [
        (StateTreeVersion::V3, RefVersion::V3),
        (StateTreeVersion::V4, RefVersion::V4),
    ] {
        let (mut fern, mut oracle) = pair(v, rv);
        assert_eq!(
            fern.flush().unwrap(),
            oracle.flush().unwrap(),
            "version {}",
            v as u64
        );
        assert_eq!(fern.version(), v);
    }
}

#[test]
fn random_operations_flush_to_the_same_roots_and_cross_read() {
    for (seed, v, rv) in [
        (1u64, StateTreeVersion::V4, RefVersion::V4),
        (0xdead_beef, StateTreeVersion::V4, RefVersion::V4),
        (77, StateTreeVersion::V3, RefVersion::V3),
    ] {
        let mut rng = Rng(seed);
        let (mut fern, mut oracle) = pair(v, rv);
        for step in 0..600 {
            let id = rng.below(300);
            match rng.below(10) {
                0..=5 => {
                    let a = random_actor(&mut rng);
                    oracle.set_actor_id(id, to_ref(&a)).unwrap();
                    fern.set_actor(id, a);
                }
                6 | 7 => {
                    fern.delete_actor(id);
                    oracle.delete_actor_id(id).unwrap();
                }
                _ => {
                    let f = fern.get_actor(id).unwrap();
                    let o = oracle.get_actor_id(id).unwrap().map(|a| from_ref(&a));
                    assert_eq!(f, o, "seed {seed} step {step}: actor {id}");
                }
            }
            if step % 97 == 96 {
                let (rf, ro) = (fern.flush().unwrap(), oracle.flush().unwrap());
                assert_eq!(rf, ro, "seed {seed} step {step}: root");
            }
        }
        let root = fern.flush().unwrap();
        assert_eq!(root, oracle.flush().unwrap(), "seed {seed}: final root");

        // Each opens the other's output and sees the same actors.
        let fern_store = fern.into_store();
        let oracle_store = oracle.store().clone();
        let fern_reads = StateTree::new_from_root(oracle_store, &root).unwrap();
        let oracle_reads = RefTree::new_from_root(fern_store, &root).unwrap();
        assert_eq!(fern_reads.version(), v);
        let mut seen = 0;
        fern_reads
            .for_each(|id, actor| {
                let o = oracle_reads.get_actor_id(id).unwrap().map(|a| from_ref(&a));
                assert_eq!(Some(actor.clone()), o, "seed {seed}: actor {id}");
                seen += 1;
                Ok(())
            })
            .unwrap();
        assert!(seen > 50, "seed {seed}: only {seen} actors left");
    }
}

#[test]
fn a_version_4_tree_cannot_hold_a_delegated_address() {
    let mut fern = StateTree::new(MemoryBlockstore::new(), StateTreeVersion::V4).unwrap();
    let mut a = random_actor(&mut Rng(5));
    a.delegated_address = Some(Address::new_delegated(10, &[7; 20]).unwrap());
    fern.set_actor(1000, a);
    let err = fern.flush().unwrap_err();
    assert!(err.to_string().contains("delegated address"), "{err}");
}

/// A root of `version` over a table holding `record` under actor 1000, in `store`.
fn root_with<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq>(
    store: &MemoryBlockstore,
    version: u64,
    record: T,
) -> Cid {
    let mut hamt = Hamt::<_, T>::new_with_bit_width(store, 5);
    hamt.set(Address::new_id(1000).to_bytes().into(), record)
        .unwrap();
    let actors = hamt.flush().unwrap();
    let info = store.put_cbor(&Vec::<u8>::new(), Code::Blake2b256).unwrap();
    store
        .put_cbor(&(version, actors, info), Code::Blake2b256)
        .unwrap()
}

/// Whether Fern fails to open `root` or to read actor 1000 from it.
fn fern_fails(store: &MemoryBlockstore, root: &Cid) -> bool {
    StateTree::new_from_root(store, root)
        .and_then(|t| t.get_actor(1000))
        .is_err()
}

#[test]
fn records_of_the_other_layout_are_refused_by_both() {
    // With one actor the record sits in the HAMT's root node, so opening the table already
    // decodes it: whether the open or the read fails, both VMs fail.
    let a = random_actor(&mut Rng(9));
    let v4 = ActorStateV4::try_from(a.clone()).unwrap();

    // A five-field record in a version 4 tree: ref-fvm 2.12 cannot decode it, nor can Fern.
    let store = MemoryBlockstore::new();
    let root = root_with(&store, 4, a.clone());
    assert!(fern_fails(&store, &root));
    let oracle = RefTree::new_from_root(&store, &root).map(|t| t.get_actor_id(1000).map(drop));
    assert!(!matches!(oracle, Ok(Ok(()))), "ref-fvm 2.12 reads it");

    // A four-field record in a version 5 tree: refused by Fern and by ref-fvm 4.8.
    let store = MemoryBlockstore::new();
    let root = root_with(&store, 5, v4.clone());
    assert!(fern_fails(&store, &root));
    let newer = fvm::state_tree::StateTree::new_from_root(&store, &root)
        .map(|t| t.get_actor(1000).map(drop));
    assert!(!matches!(newer, Ok(Ok(()))), "ref-fvm 4.8 reads it");

    // Each layout reads its own record.
    let store = MemoryBlockstore::new();
    let root = root_with(&store, 4, v4);
    let fern = StateTree::new_from_root(&store, &root).unwrap();
    let oracle = RefTree::new_from_root(&store, &root).unwrap();
    assert_eq!(fern.get_actor(1000).unwrap(), Some(a.clone()));
    assert_eq!(
        oracle.get_actor_id(1000).unwrap().map(|r| from_ref(&r)),
        Some(a)
    );
}
