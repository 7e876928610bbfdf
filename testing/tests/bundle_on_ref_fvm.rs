//! Fern's actor bundle on the oracle: ref-fvm 4.8 must load the bundle's manifest and run
//! messages against Fern's own actors. The kernel's differential suite compares Fern with ref-fvm
//! on exactly this bundle, so this is the first thing that has to hold.

use cid::Cid;
use fvm::executor::{ApplyKind, ApplyRet, Executor};
use fvm::machine::{Machine, Manifest};
use fvm::state_tree::ActorState;
use fvm_integration_tests::dummy::DummyExterns;
use fvm_integration_tests::tester::{BasicTester, Tester};
use fvm_ipld_blockstore::{Blockstore, MemoryBlockstore};
use fvm_ipld_encoding::{CborStore, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::bigint::Zero;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::message::Message;
use fvm_shared::state::StateTreeVersion;
use fvm_shared::version::NetworkVersion;
use fvm_shared::{ActorID, METHOD_SEND};
use k256::elliptic_curve::sec1::ToEncodedPoint;
use multihash_codetable::{Code, MultihashDigest};

const REWARD_ACTOR_ID: ActorID = 2;
const BURNT_FUNDS_ACTOR_ID: ActorID = 99;
const NETWORK_VERSIONS: [NetworkVersion; 3] = [
    NetworkVersion::V21,
    NetworkVersion::V25,
    NetworkVersion::V28,
];

fn load_bundle(store: &MemoryBlockstore) -> Cid {
    let roots = fvm_ipld_car::load_car(store, fern_bundle::BUNDLE_CAR).expect("bundle CAR loads");
    assert_eq!(roots.len(), 1, "a bundle has exactly one root");
    roots[0]
}

/// A tester on our bundle with the genesis actors ref-fvm's harness sets up (system, init, eam,
/// burnt funds) plus the reward actor, so miner tips have somewhere to go.
fn tester(nv: NetworkVersion) -> BasicTester {
    let store = MemoryBlockstore::default();
    let root = load_bundle(&store);
    let mut tester =
        Tester::new(nv, StateTreeVersion::V5, root, store).expect("tester on our bundle");
    let reward_code =
        fern_bundle::Bundle::load(&MemoryBlockstore::default(), fern_bundle::BUNDLE_CAR)
            .unwrap()
            .code("reward")
            .expect("the bundle has a reward actor");
    let tree = tester.state_tree.as_mut().unwrap();
    let empty = tree.store().put_cbor(&[(); 0], Code::Blake2b256).unwrap();
    tree.set_actor(
        REWARD_ACTOR_ID,
        ActorState::new(reward_code, empty, TokenAmount::zero(), 0, None),
    );
    tester
}

fn secp_account(tester: &mut BasicTester, seed: u8, whole_fil: u64) -> (ActorID, Address) {
    let key = k256::SecretKey::from_slice(&[seed; 32]).expect("valid secret key");
    tester
        .make_secp256k1_account(key, TokenAmount::from_whole(whole_fil))
        .expect("account created")
}

fn message(from: Address, to: Address, sequence: u64, value: TokenAmount) -> Message {
    Message {
        version: 0,
        from,
        to,
        sequence,
        value,
        method_num: METHOD_SEND,
        params: RawBytes::default(),
        gas_limit: 10_000_000,
        gas_fee_cap: TokenAmount::from_atto(200),
        gas_premium: TokenAmount::from_atto(10),
    }
}

fn apply(tester: &mut BasicTester, msg: Message) -> ApplyRet {
    let len = fvm_ipld_encoding::to_vec(&msg).unwrap().len();
    tester
        .executor
        .as_mut()
        .unwrap()
        .execute_message(msg, ApplyKind::Explicit, len)
        .expect("no fatal error")
}

fn actor(tester: &BasicTester, id: ActorID) -> ActorState {
    tester
        .executor
        .as_ref()
        .unwrap()
        .state_tree()
        .get_actor(id)
        .unwrap()
        .unwrap_or_else(|| panic!("actor {id} exists"))
}

#[test]
fn manifest_lists_every_actor_with_its_code_cid() {
    let store = MemoryBlockstore::default();
    let root = load_bundle(&store);
    let (version, data): (u32, Cid) = store.get_cbor(&root).unwrap().unwrap();
    assert_eq!(version, 1);
    let entries: Vec<(String, Cid)> = store.get_cbor(&data).unwrap().unwrap();
    assert_eq!(entries.len(), fern_bundle::ACTORS.len());
    for ((name, cid), (built_name, wasm)) in entries.iter().zip(fern_bundle::ACTORS) {
        assert_eq!(name, built_name);
        let expected = Cid::new_v1(0x55, Code::Blake2b256.digest(wasm));
        assert_eq!(*cid, expected, "code CID of {name}");
        assert_eq!(
            store.get(cid).unwrap().as_deref(),
            Some(*wasm),
            "code block of {name}"
        );
    }
    // ref-fvm's own manifest reader accepts it and finds every actor a machine needs.
    let manifest = Manifest::load(&store, &data, version).expect("ref-fvm reads our manifest");
    let ours =
        fern_bundle::Bundle::load(&MemoryBlockstore::default(), fern_bundle::BUNDLE_CAR).unwrap();
    assert_eq!(ours.root, root);
    assert_eq!(*manifest.get_account_code(), ours.code("account").unwrap());
    assert_eq!(*manifest.get_init_code(), ours.code("init").unwrap());
    assert_eq!(*manifest.get_system_code(), ours.code("system").unwrap());
    assert_eq!(
        *manifest.get_placeholder_code(),
        ours.code("placeholder").unwrap()
    );
    assert_eq!(*manifest.get_eam_code(), ours.code("eam").unwrap());
    assert_eq!(
        *manifest.get_ethaccount_code(),
        ours.code("ethaccount").unwrap()
    );
    for (i, (name, cid)) in ours.actors.iter().enumerate() {
        assert_eq!(
            manifest.id_by_code(cid) as usize,
            i + 1,
            "builtin type of {name}"
        );
    }
}

#[test]
fn ref_fvm_runs_a_value_transfer_on_our_bundle() {
    for nv in NETWORK_VERSIONS {
        let mut t = tester(nv);
        let (alice_id, alice) = secp_account(&mut t, 1, 1000);
        let (bob_id, bob) = secp_account(&mut t, 2, 1000);
        t.instantiate_machine(DummyExterns).unwrap();

        let value = TokenAmount::from_atto(12_345);
        let ret = apply(&mut t, message(alice, bob, 0, value.clone()));
        assert_eq!(
            ret.msg_receipt.exit_code,
            ExitCode::OK,
            "nv{nv}: {:?}",
            ret.failure_info
        );
        assert!(ret.msg_receipt.gas_used > 0);

        let a = actor(&t, alice_id);
        let b = actor(&t, bob_id);
        assert_eq!(a.sequence, 1);
        assert_eq!(b.balance, TokenAmount::from_whole(1000) + &value);
        // Alice paid the value plus gas; the tip reached the reward actor and the burn f099.
        let paid = TokenAmount::from_whole(1000) - &a.balance - &value;
        assert_eq!(
            paid,
            &ret.base_fee_burn + &ret.over_estimation_burn + &ret.miner_tip
        );
        assert!(ret.miner_tip.is_positive());
        assert_eq!(actor(&t, REWARD_ACTOR_ID).balance, ret.miner_tip);
        assert_eq!(
            actor(&t, BURNT_FUNDS_ACTOR_ID).balance,
            &ret.base_fee_burn + &ret.over_estimation_burn
        );
    }
}

#[test]
fn sending_to_a_new_key_address_runs_our_account_constructor() {
    for nv in NETWORK_VERSIONS {
        let mut t = tester(nv);
        let (_, alice) = secp_account(&mut t, 3, 1000);
        t.instantiate_machine(DummyExterns).unwrap();

        // A fresh secp256k1 address that nobody has used: the VM creates an account actor for
        // it and runs our account actor's constructor with the address as its parameter.
        let key = k256::SecretKey::from_slice(&[9; 32]).unwrap();
        let point = key.public_key().to_encoded_point(false);
        let fresh = Address::new_secp256k1(point.as_bytes()).unwrap();
        let value = TokenAmount::from_atto(777);
        let ret = apply(&mut t, message(alice, fresh, 0, value.clone()));
        assert_eq!(
            ret.msg_receipt.exit_code,
            ExitCode::OK,
            "nv{nv}: {:?}",
            ret.failure_info
        );

        let exec = t.executor.as_ref().unwrap();
        let id = exec
            .state_tree()
            .lookup_id(&fresh)
            .unwrap()
            .expect("address registered");
        let created = actor(&t, id);
        let manifest_account = {
            let b =
                fern_bundle::Bundle::load(&MemoryBlockstore::default(), fern_bundle::BUNDLE_CAR)
                    .unwrap();
            b.code("account").unwrap()
        };
        assert_eq!(created.code, manifest_account);
        assert_eq!(created.balance, value);
        // The account's state is exactly `[address]`, as the built-in account actor stores it.
        let state: (Address,) = exec.blockstore().get_cbor(&created.state).unwrap().unwrap();
        assert_eq!(state.0, fresh);
    }
}
