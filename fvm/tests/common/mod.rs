//! Shared harness of the differential tests: one genesis, both VMs, message-by-message
//! comparison.

#![allow(dead_code)]

use cid::Cid;
use fvm::call_manager::DefaultCallManager;
use fvm::executor::{ApplyKind as RefKind, DefaultExecutor, Executor as _};
use fvm::kernel::filecoin::DefaultFilecoinKernel;
use fvm::machine::{DefaultMachine, Machine as _};
use fvm_integration_tests::tester::{BasicTester, Tester};
use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_ipld_encoding::{CborStore, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::state::StateTreeVersion;
use fvm_shared::version::NetworkVersion;
use fvm_shared::ActorID;
use k256::elliptic_curve::sec1::ToEncodedPoint;
use multihash_codetable::{Code, MultihashDigest};

use fern::engine::Engine;
use fern::executor::{ApplyKind, Executor};
use fern::machine::{ConsensusFaultCheck, Machine, MachineContext, NetworkConfig};

pub const NETWORK_VERSIONS: [NetworkVersion; 3] =
    [NetworkVersion::V21, NetworkVersion::V25, NetworkVersion::V28];
const REWARD_ACTOR_ID: ActorID = 2;
const EPOCH: i64 = 1000;
const BASE_FEE: u64 = 100;

/// Deterministic externs, one implementation for both VMs.
#[derive(Clone, Copy)]
pub struct TestExterns;

fn digest(kind: u8, epoch: i64) -> [u8; 32] {
    let mut out = [kind; 32];
    out[..8].copy_from_slice(&epoch.to_be_bytes());
    out
}

fn tipset(epoch: i64) -> Cid {
    Cid::new_v1(0x71, Code::Blake2b256.digest(&epoch.to_be_bytes()))
}

impl fvm::externs::Rand for TestExterns {
    fn get_chain_randomness(&self, epoch: i64) -> anyhow::Result<[u8; 32]> {
        Ok(digest(1, epoch))
    }
    fn get_beacon_randomness(&self, epoch: i64) -> anyhow::Result<[u8; 32]> {
        Ok(digest(2, epoch))
    }
}
impl fvm::externs::Consensus for TestExterns {
    fn verify_consensus_fault(
        &self,
        _: &[u8],
        _: &[u8],
        _: &[u8],
    ) -> anyhow::Result<(Option<fvm_shared::consensus::ConsensusFault>, i64)> {
        Ok((None, 0))
    }
}
impl fvm::externs::Chain for TestExterns {
    fn get_tipset_cid(&self, epoch: i64) -> anyhow::Result<Cid> {
        Ok(tipset(epoch))
    }
}
impl fvm::externs::Externs for TestExterns {}

impl fern::machine::Externs for TestExterns {
    fn chain_randomness(&self, epoch: i64) -> anyhow::Result<[u8; 32]> {
        Ok(digest(1, epoch))
    }
    fn beacon_randomness(&self, epoch: i64) -> anyhow::Result<[u8; 32]> {
        Ok(digest(2, epoch))
    }
    fn tipset_cid(&self, epoch: i64) -> anyhow::Result<Cid> {
        Ok(tipset(epoch))
    }
    fn verify_consensus_fault(&self, _: &[u8], _: &[u8], _: &[u8]) -> anyhow::Result<ConsensusFaultCheck> {
        Ok(ConsensusFaultCheck {
            fault: None,
            gas_used: 0,
        })
    }
}

pub type RefExecutor =
    DefaultExecutor<DefaultFilecoinKernel<DefaultCallManager<DefaultMachine<MemoryBlockstore, TestExterns>>>>;

/// Both VMs on one genesis.
pub struct Pair {
    pub nv: NetworkVersion,
    pub reference: RefExecutor,
    pub fern: Executor<MemoryBlockstore, TestExterns>,
    pub bundle: fern_bundle::Bundle,
    pub accounts: Vec<(ActorID, Address)>,
    pub step: usize,
}

pub fn secp_address(seed: u8) -> Address {
    let key = k256::SecretKey::from_slice(&[seed; 32]).unwrap();
    Address::new_secp256k1(key.public_key().to_encoded_point(false).as_bytes()).unwrap()
}

/// A genesis with the bundle's singletons (as ref-fvm's tester builds them), the reward actor,
/// and `n` funded secp256k1 accounts.
pub fn genesis(
    nv: NetworkVersion,
    n: u8,
    extra: &[(ActorID, &[u8])],
) -> (MemoryBlockstore, Cid, Cid, Vec<(ActorID, Address)>) {
    let store = MemoryBlockstore::default();
    let roots = fvm_ipld_car::load_car(&store, fern_bundle::BUNDLE_CAR).unwrap();
    let bundle_root = roots[0];
    let mut tester: BasicTester =
        Tester::new(nv, StateTreeVersion::V5, bundle_root, store).unwrap();
    let bundle = fern_bundle::Bundle::load(&MemoryBlockstore::default(), fern_bundle::BUNDLE_CAR).unwrap();
    let reward = bundle.code("reward").unwrap();
    let mut accounts = Vec::new();
    for seed in 1..=n {
        let key = k256::SecretKey::from_slice(&[seed; 32]).unwrap();
        accounts.push(
            tester
                .make_secp256k1_account(key, TokenAmount::from_whole(10_000))
                .unwrap(),
        );
    }
    for (id, wasm) in extra {
        let state = tester.set_state(&[(); 0]).unwrap();
        tester
            .set_actor_from_bin(wasm, state, Address::new_id(*id), TokenAmount::from_whole(100))
            .unwrap();
    }
    let mut tree = tester.state_tree.take().unwrap();
    let empty = tree.store().put_cbor(&[(); 0], Code::Blake2b256).unwrap();
    tree.set_actor(
        REWARD_ACTOR_ID,
        fvm::state_tree::ActorState::new(reward, empty, TokenAmount::from_atto(0), 0, None),
    );
    let root = tree.flush().unwrap();
    let store = tree.into_store();
    (store, root, bundle_root, accounts)
}

impl Pair {
    pub fn new(nv: NetworkVersion, accounts: u8) -> Self {
        Self::with_actors(nv, accounts, &[])
    }

    /// Like [`Pair::new`], with extra actors (id, Wasm) installed at genesis with 100 FIL.
    pub fn with_actors(nv: NetworkVersion, accounts: u8, extra: &[(ActorID, &[u8])]) -> Self {
        let (store, root, bundle_root, accounts) = genesis(nv, accounts, extra);

        let mut nc = fvm::machine::NetworkConfig::new(nv);
        nc.override_actors(bundle_root);
        let mut mc = nc.for_epoch(EPOCH, (EPOCH * 30) as u64, root);
        mc.set_base_fee(TokenAmount::from_atto(BASE_FEE));
        mc.enable_tracing();
        let engine = fvm::engine::EnginePool::new((&mc.network.clone()).into()).unwrap();
        let machine = DefaultMachine::new(&mc, store.clone(), TestExterns).unwrap();
        let reference = RefExecutor::new(engine, machine).unwrap();

        let fnv = fern_shared::version::NetworkVersion::new(u32::from(nv));
        let config = NetworkConfig::new(fnv).unwrap().with_builtin_actors(bundle_root);
        let ctx = MachineContext::new(EPOCH, (EPOCH * 30) as u64, root)
            .with_base_fee(fern_shared::econ::TokenAmount::from_atto(BASE_FEE))
            .with_tracing();
        let machine = Machine::new(config, ctx, store, TestExterns).unwrap();
        let fern = Executor::new(Engine::for_network(fnv).unwrap(), machine);
        assert!(fern.preload_builtin_actors().unwrap() > 0);

        let bundle = fern_bundle::Bundle::load(&MemoryBlockstore::default(), fern_bundle::BUNDLE_CAR).unwrap();
        Pair {
            nv,
            reference,
            fern,
            bundle,
            accounts,
            step: 0,
        }
    }

    pub fn account(&self, i: usize) -> Address {
        self.accounts[i].1
    }

    /// Applies `msg` on both VMs and checks that everything observable matches; returns
    /// ref-fvm's receipt.
    pub fn apply(&mut self, msg: Message) -> fvm_shared::receipt::Receipt {
        self.apply_kind(msg, RefKind::Explicit)
    }

    pub fn apply_kind(&mut self, msg: Message, kind: RefKind) -> fvm_shared::receipt::Receipt {
        self.step += 1;
        let bytes = fvm_ipld_encoding::to_vec(&msg).unwrap();
        let len = bytes.len() + if msg.from.protocol() == fvm_shared::address::Protocol::Secp256k1 { 69 } else { 0 };
        let fern_msg: fern_shared::message::Message = fvm_ipld_encoding::from_slice(&bytes).unwrap();
        let ours_kind = match kind {
            RefKind::Explicit => ApplyKind::Explicit,
            RefKind::Implicit => ApplyKind::Implicit,
        };
        let theirs = self.reference.execute_message(msg, kind, len).expect("ref-fvm: no fatal error");
        let ours = self.fern.apply_message(&fern_msg, ours_kind, len).expect("fern: no fatal error");
        let ctx = format!("nv{} step {}: ref failure {:?}, fern failure {:?}", self.nv, self.step, theirs.failure_info.as_ref().map(|f| f.to_string()), ours.failure_info);
        let r = &theirs.msg_receipt;
        assert_eq!(ours.receipt.exit_code.value(), r.exit_code.value(), "exit code; {ctx}");
        assert_eq!(ours.receipt.return_data.bytes(), r.return_data.bytes(), "return data; {ctx}");
        assert_eq!(ours.receipt.gas_used, r.gas_used, "gas used; {ctx}");
        assert_eq!(ours.receipt.events_root, r.events_root, "events root; {ctx}");
        assert_eq!(ours.events.len(), theirs.events.len(), "events; {ctx}");
        assert_eq!(ours.penalty.atto().to_string(), theirs.penalty.atto().to_string(), "penalty; {ctx}");
        assert_eq!(ours.miner_tip.atto().to_string(), theirs.miner_tip.atto().to_string(), "tip; {ctx}");
        assert_eq!(ours.refund.atto().to_string(), theirs.refund.atto().to_string(), "refund; {ctx}");
        assert_eq!(ours.gas_burned, theirs.gas_burned, "gas burned; {ctx}");
        assert_eq!(ours.return_codec, theirs.return_codec, "return codec; {ctx}");
        // The gas charges, in order, with their names and both parts.
        let theirs_charges: Vec<(String, u64, u64)> = theirs
            .exec_trace
            .iter()
            .filter_map(|e| match e {
                fvm::trace::ExecutionEvent::GasCharge(c) => Some((
                    c.name.to_string(),
                    c.compute_gas.as_milligas(),
                    c.other_gas.as_milligas(),
                )),
                _ => None,
            })
            .collect();
        let ours_charges: Vec<(String, u64, u64)> = ours
            .gas_trace
            .iter()
            .map(|c| (c.name.to_string(), c.compute_gas.as_milligas(), c.other_gas.as_milligas()))
            .collect();
        if std::env::var_os("FERN_TRACE").is_some() {
            eprintln!("charges: {} ref / {} fern; first {:?}", theirs_charges.len(), ours_charges.len(), theirs_charges.first());
        }
        if theirs_charges != ours_charges {
            let first = theirs_charges
                .iter()
                .zip(&ours_charges)
                .position(|(a, b)| a != b)
                .unwrap_or(theirs_charges.len().min(ours_charges.len()));
            panic!(
                "gas charges differ at #{first}: ref {:?} / fern {:?} (lengths {} / {}); {ctx}",
                theirs_charges.get(first),
                ours_charges.get(first),
                theirs_charges.len(),
                ours_charges.len()
            );
        }
        let ref_root = self.reference.flush().unwrap();
        let fern_root = self.fern.flush().unwrap();
        assert_eq!(fern_root, ref_root, "state root; {ctx}");
        if std::env::var_os("FERN_TRACE").is_some() {
            eprintln!("nv{} step {}: exit {} gas {} events {:?} ret {:02x?}", self.nv, self.step, r.exit_code, r.gas_used, r.events_root, &r.return_data.bytes()[..r.return_data.len().min(12)]);
        }
        theirs.msg_receipt
    }

    pub fn code(&self, name: &str) -> Cid {
        self.bundle.code(name).unwrap()
    }

    /// ref-fvm's record of actor `id`.
    pub fn actor(&self, id: ActorID) -> Option<fvm::state_tree::ActorState> {
        self.reference.state_tree().get_actor(id).unwrap()
    }

    pub fn lookup(&self, addr: &Address) -> Option<ActorID> {
        self.reference.state_tree().lookup_id(addr).unwrap()
    }
}


/// A message with the test defaults (gas limit 50M, fee cap 300, premium 20).
pub fn msg(from: Address, to: Address, seq: u64, value: TokenAmount, method: u64, params: RawBytes) -> Message {
    Message {
        version: 0,
        from,
        to,
        sequence: seq,
        value,
        method_num: method,
        params,
        gas_limit: 50_000_000,
        gas_fee_cap: TokenAmount::from_atto(300),
        gas_premium: TokenAmount::from_atto(20),
    }
}
