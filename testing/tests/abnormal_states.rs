//! Abnormal states (issue 11, section 3): state trees with a piece missing or undecodable — a
//! singleton actor (f00, f01, f02, f099), a kind of built-in actor in the manifest, an actor's
//! code, an actor's state block, the init actor's state or its address map — run on ref-fvm
//! 4.8.4 and on Fern.
//!
//! Each case edits a small genesis, then builds a machine on both VMs (both must build it, or both
//! must refuse) and applies the same messages in order: transfers between existing accounts, to
//! new f1 and f4 addresses, with and without a miner tip, calls into a test actor that reads its
//! state, resolves an address, creates an account or burns its funds, and implicit messages.
//! Every message must end the same way on both: a fatal error (no receipt; Fern's error must name
//! what is missing), or the same receipt, fee split, gas charges and execution trace, and the same
//! state root after a flush. The expected outcome of each message is written in the case, so
//! the table in FIPS/execution.md ("Abnormal states") is what this file checks.

use std::collections::{BTreeMap, HashMap};

use cid::Cid;
use fvm::executor::{ApplyKind as RefKind, Executor as _};
use fvm::machine::{DefaultMachine, Machine as _};
use fvm::state_tree::{ActorState, StateTree};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::{CborStore, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;
use fvm_shared::ActorID;
use multihash_codetable::{Code, MultihashDigest};

use fern::engine::Engine;
use fern::executor::ApplyKind;
use fern::machine::{Machine, MachineContext, NetworkConfig};
use fern_test_syscalls::method as sys;
use fern_testing::genesis::{Genesis, RecordingStore};
use fern_testing::harness::{
    fern_nv, fern_observed, genesis, on_deep_stack, raw_len, ref_observed, secp_address,
    FernExecutor, Observed, RefExecutor, TestExterns, EPOCH,
};

/// The syscalls test actor whose code and state the cases break.
const SYS: ActorID = 1000;
/// A second syscalls test actor (burns its funds on self-destruct).
const SYS2: ActorID = 1001;
/// Gas limit of every message.
const GAS_LIMIT: u64 = 100_000_000;
const NV: NetworkVersion = NetworkVersion::V21;

/// How a message must end on both VMs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A receipt with this exit code.
    Exit(u32),
    /// A receipt with `SYS_ASSERTION_FAILED` and the whole gas limit used: a fatal error inside
    /// the call stack. Fern's failure info names the cause with this text.
    FatalInCall(&'static str),
    /// No receipt: the executor returns an error; Fern's error contains this text.
    Fatal(&'static str),
}

const OK: Expect = Expect::Exit(0);

/// The messages every case applies, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Msg {
    /// Account A (by id) sends 1 attoFIL to account B (by id), with a tip.
    SendIdToId,
    /// A (by its f1 address) sends to B's f1 address.
    SendF1ToF1,
    /// A sends to a new f1 address (an account is created and constructed).
    SendNewF1,
    /// A sends to a new f4 address in the EAM namespace (a placeholder is created).
    SendNewF4,
    /// A sends to B with fee cap = base fee and premium 0: no tip.
    SendNoTip,
    /// A calls the syscalls actor: `self::root` then `block_open` of its state.
    CallOpenState,
    /// A calls the syscalls actor, which sends to a new f1 address (internal account creation).
    CallSendNewF1,
    /// A calls the syscalls actor, which resolves B's f1 address.
    CallResolveF1,
    /// A calls B's `PubkeyAddress` (the account actor reads its state).
    CallPubkey,
    /// A calls the second syscalls actor, which self-destructs burning its 100 FIL (to f099).
    CallSelfDestruct,
    /// An implicit message from the system actor to B (method 0, no value).
    Implicit,
    /// An implicit message from the system actor to a new f1 address (creates an account).
    ImplicitNewF1,
}

const ALL_MESSAGES: [Msg; 12] = [
    Msg::SendIdToId,
    Msg::SendF1ToF1,
    Msg::SendNewF1,
    Msg::SendNewF4,
    Msg::SendNoTip,
    Msg::CallOpenState,
    Msg::CallSendNewF1,
    Msg::CallResolveF1,
    Msg::CallPubkey,
    Msg::CallSelfDestruct,
    Msg::Implicit,
    Msg::ImplicitNewF1,
];

/// A defective state: the blocks, the state root and the manifest override (if any).
struct Defect {
    blocks: BTreeMap<Cid, Vec<u8>>,
    root: Cid,
    manifest: Option<Cid>,
}

/// One case: how to break the genesis, whether the machine builds, how each message ends.
struct Case {
    name: &'static str,
    /// Base fee of the machine, attoFIL.
    base_fee: u64,
    /// `None` when both VMs build the machine; otherwise the text Fern's refusal must contain.
    refused: Option<&'static str>,
    /// `Some(text)` when compiling the manifest's code must fail on both (Fern's error naming
    /// `text`); the machine still runs.
    preload_fails: Option<&'static str>,
    /// Outcomes other than exit code 0.
    outcomes: Vec<(Msg, Expect)>,
    defect: Defect,
}

/// The base genesis: accounts A and B (secp256k1, seeds 1 and 2), the syscalls test actor at
/// f01000 and f01001; the system actor's state points at the bundle's actor list (as on chain),
/// so machines also build without a manifest override.
struct Base {
    genesis: Genesis,
    a: (ActorID, Address),
    b: (ActorID, Address),
    /// The manifest's actor list block.
    manifest_data: Cid,
}

impl Base {
    fn new() -> Self {
        let mut genesis =
            genesis(2, &[("syscalls", SYS), ("syscalls", SYS2)], &[]).expect("genesis builds");
        let store = genesis.store();
        let (_, data): (u32, Cid) = store
            .get_cbor(&genesis.builtin_actors)
            .unwrap()
            .expect("manifest root");
        let mut tree = StateTree::new_from_root(store.clone(), &genesis.state_root).unwrap();
        let system_state = store
            .put_cbor(
                &fvm::system_actor::State {
                    builtin_actors: data,
                },
                Code::Blake2b256,
            )
            .unwrap();
        let mut system = tree.get_actor(0).unwrap().expect("system actor");
        system.state = system_state;
        tree.set_actor(0, system);
        genesis.state_root = tree.flush().unwrap();
        genesis.blocks = store.blocks();
        let acct = |i: usize| (genesis.accounts[i].id, genesis.accounts[i].address);
        Base {
            a: acct(0),
            b: acct(1),
            manifest_data: data,
            genesis,
        }
    }

    /// The genesis edited by `edit` (on ref-fvm's state tree over a copy of the blocks), with
    /// the blocks `drop` names removed afterwards, and the bundle's manifest as override.
    fn defect(
        &self,
        edit: impl FnOnce(&mut StateTree<RecordingStore>, &RecordingStore),
        drop: &[Cid],
    ) -> Defect {
        let store = self.genesis.store();
        let mut tree = StateTree::new_from_root(store.clone(), &self.genesis.state_root).unwrap();
        edit(&mut tree, &store);
        let root = tree.flush().unwrap();
        let mut blocks = store.blocks();
        for c in drop {
            assert!(blocks.remove(c).is_some(), "block {c} to drop is absent");
        }
        Defect {
            blocks,
            root,
            manifest: Some(self.genesis.builtin_actors),
        }
    }

    /// The state of actor `id` in the base genesis.
    fn actor(&self, id: ActorID) -> ActorState {
        StateTree::new_from_root(self.genesis.store(), &self.genesis.state_root)
            .unwrap()
            .get_actor(id)
            .unwrap()
            .expect("actor exists")
    }

    /// A defect whose manifest override lists `code` for the actor named `name` (the state is
    /// the base genesis; `code_bytes`, if any, is stored under `code`).
    fn manifest_with_code(&self, name: &str, code_bytes: Option<&[u8]>) -> Defect {
        let mut d = self.defect(|_, _| {}, &[]);
        let store = RecordingStore::from_blocks(&d.blocks);
        let code = match code_bytes {
            Some(bytes) => {
                let c = Cid::new_v1(0x55, Code::Blake2b256.digest(bytes));
                store.put_keyed(&c, bytes).unwrap();
                c
            }
            None => Cid::new_v1(0x55, Code::Blake2b256.digest(b"no such code")),
        };
        let list: Vec<(String, Cid)> = self
            .genesis
            .builtin
            .iter()
            .map(|(n, c)| (n.clone(), if n == name { code } else { *c }))
            .collect();
        let data = store.put_cbor(&list, Code::Blake2b256).unwrap();
        d.manifest = Some(store.put_cbor(&(1u32, data), Code::Blake2b256).unwrap());
        d.blocks = store.blocks();
        d
    }

    /// A manifest (root and data) of the bundle without the actor named `name`.
    fn manifest_without(&self, store: &RecordingStore, name: &str) -> (Cid, Cid) {
        let list: Vec<(String, Cid)> = self
            .genesis
            .builtin
            .iter()
            .filter(|(n, _)| n != name)
            .cloned()
            .collect();
        assert_eq!(list.len() + 1, self.genesis.builtin.len(), "{name} listed");
        let data = store.put_cbor(&list, Code::Blake2b256).unwrap();
        let root = store.put_cbor(&(1u32, data), Code::Blake2b256).unwrap();
        (root, data)
    }
}

/// A DAG-CBOR CID of `data`, not stored anywhere.
fn unstored(data: &[u8]) -> Cid {
    Cid::new_v1(0x71, Code::Blake2b256.digest(data))
}

/// Stores `data` as a DAG-CBOR block and returns its CID.
fn stored(store: &RecordingStore, data: &[u8]) -> Cid {
    let cid = unstored(data);
    store.put_keyed(&cid, data).unwrap();
    cid
}

/// Replaces the state root of actor `id`.
fn set_state(tree: &mut StateTree<RecordingStore>, id: ActorID, state: Cid) {
    let mut actor = tree.get_actor(id).unwrap().expect("actor exists");
    actor.state = state;
    tree.set_actor(id, actor);
}

/// Replaces the init actor's state with `f` applied to it.
fn edit_init(
    tree: &mut StateTree<RecordingStore>,
    store: &RecordingStore,
    f: impl FnOnce(&mut fvm::init_actor::State),
) {
    let (mut state, _) = fvm::init_actor::State::load(tree).unwrap();
    f(&mut state);
    let cid = store.put_cbor(&state, Code::Blake2b256).unwrap();
    set_state(tree, 1, cid);
}

fn args(n: &[u64], b: &[u8]) -> RawBytes {
    RawBytes::serialize((n.to_vec(), RawBytes::new(b.to_vec()))).unwrap()
}

/// The message `which`, with A's next nonce `seq`; `sys_state` is the syscalls actor's state
/// root as the case left it.
fn message(base: &Base, which: Msg, seq: u64, sys_state: Cid) -> (Message, RefKind) {
    let (a, b) = (Address::new_id(base.a.0), Address::new_id(base.b.0));
    let mut m = Message {
        version: 0,
        from: a,
        to: b,
        sequence: seq,
        value: TokenAmount::from_atto(1),
        method_num: 0,
        params: RawBytes::default(),
        gas_limit: GAS_LIMIT,
        gas_fee_cap: TokenAmount::from_atto(1_000),
        gas_premium: TokenAmount::from_atto(10),
    };
    let call = |m: &mut Message, to: ActorID, method: u64, params: RawBytes| {
        m.to = Address::new_id(to);
        m.method_num = method;
        m.params = params;
        m.value = TokenAmount::from_atto(0);
    };
    let send_to = |to: &Address| {
        fvm_ipld_encoding::to_vec(&(RawBytes::new(to.to_bytes()), None::<RawBytes>)).unwrap()
    };
    let mut kind = RefKind::Explicit;
    match which {
        Msg::SendIdToId => {}
        Msg::SendF1ToF1 => {
            m.from = base.a.1;
            m.to = base.b.1;
        }
        Msg::SendNewF1 => m.to = secp_address(0x51),
        Msg::SendNewF4 => m.to = Address::new_delegated(10, &[0x44; 20]).unwrap(),
        Msg::SendNoTip => {
            m.gas_fee_cap = TokenAmount::from_atto(100);
            m.gas_premium = TokenAmount::from_atto(0);
        }
        Msg::CallOpenState => call(
            &mut m,
            SYS,
            sys::BLOCK_OPEN,
            args(&[1], &sys_state.to_bytes()),
        ),
        Msg::CallSendNewF1 => call(
            &mut m,
            SYS,
            sys::SEND,
            args(&[0, 0], &send_to(&secp_address(0x52))),
        ),
        Msg::CallResolveF1 => call(
            &mut m,
            SYS,
            sys::RESOLVE_ADDRESS,
            args(&[], &base.b.1.to_bytes()),
        ),
        Msg::CallPubkey => call(&mut m, base.b.0, 2, RawBytes::default()),
        Msg::CallSelfDestruct => call(&mut m, SYS2, sys::SELF_DESTRUCT, args(&[1], b"")),
        Msg::Implicit | Msg::ImplicitNewF1 => {
            if which == Msg::ImplicitNewF1 {
                m.to = secp_address(0x53);
            }
            m.from = Address::new_id(0);
            m.sequence = 0;
            m.value = TokenAmount::from_atto(0);
            kind = RefKind::Implicit;
        }
    }
    (m, kind)
}

/// What one VM did with a message.
#[derive(Debug)]
enum Ran {
    Receipt(Box<Observed>, String),
    Fatal(String),
}

fn ref_machine_context(case: &Case, nv: NetworkVersion) -> fvm::machine::MachineContext {
    let mut nc = fvm::machine::NetworkConfig::new(nv);
    if let Some(m) = case.defect.manifest {
        nc.override_actors(m);
    }
    let mut mc = nc.for_epoch(EPOCH, (EPOCH * 30) as u64, case.defect.root);
    mc.set_base_fee(TokenAmount::from_atto(case.base_fee));
    mc.enable_tracing();
    mc
}

fn fern_machine(
    case: &Case,
    nv: NetworkVersion,
) -> anyhow::Result<Machine<RecordingStore, TestExterns>> {
    let mut config = NetworkConfig::new(fern_nv(nv))?.with_upgrade_actor(true);
    if let Some(m) = case.defect.manifest {
        config = config.with_builtin_actors(m);
    }
    let ctx = MachineContext::new(EPOCH, (EPOCH * 30) as u64, case.defect.root)
        .with_base_fee(fern_shared::econ::TokenAmount::from_atto(case.base_fee))
        .with_tracing();
    Machine::new(
        config,
        ctx,
        RecordingStore::from_blocks(&case.defect.blocks),
        TestExterns,
    )
}

/// The engines every case of this file runs on.
struct Engines {
    reference: fvm::engine::EnginePool,
    fern: Engine,
}

impl Engines {
    /// The engines of `nv`, shared by the tests of this file (each code compiles once).
    fn get(nv: NetworkVersion) -> Self {
        static POOL: std::sync::OnceLock<fvm::engine::EnginePool> = std::sync::OnceLock::new();
        assert_eq!(nv, NV, "one network version");
        let reference = POOL
            .get_or_init(|| {
                let nc = fvm::machine::NetworkConfig::new(nv);
                fvm::engine::EnginePool::new((&nc).into()).unwrap()
            })
            .clone();
        Engines {
            reference,
            fern: Engine::shared(fern_nv(nv)).unwrap(),
        }
    }
}

/// Runs `case` on both VMs, checks that they agree and that the outcomes are the expected ones,
/// and returns one table row per message (`case | message | outcome`).
fn run_case(base: &Base, engines: &Engines, case: &Case) -> Vec<String> {
    let mut rows = Vec::new();
    let mc = ref_machine_context(case, NV);
    let ref_machine = DefaultMachine::new(
        &mc,
        RecordingStore::from_blocks(&case.defect.blocks),
        TestExterns,
    );
    let fern_machine = fern_machine(case, NV);
    match (ref_machine, fern_machine, case.refused) {
        (Err(r), Err(f), Some(why)) => {
            let f = format!("{f:#}");
            assert!(
                f.contains(why),
                "{}: Fern refuses the machine with {f:?}, expected it to name {why:?} (ref-fvm: {r:#})",
                case.name
            );
            rows.push(format!(
                "| {} | (machine construction) | both refuse: {f} |",
                case.name
            ));
            return rows;
        }
        (Ok(r), Ok(f), None) => run_messages(base, engines, case, r, f, &mut rows),
        (r, f, expected) => panic!(
            "{}: ref-fvm built the machine: {}, Fern: {}, expected refusal: {expected:?}",
            case.name,
            r.as_ref()
                .map(|_| "yes".to_string())
                .unwrap_or_else(|e| format!("no ({e:#})")),
            f.as_ref()
                .map(|_| "yes".to_string())
                .unwrap_or_else(|e| format!("no ({e:#})")),
        ),
    }
    rows
}

fn run_messages(
    base: &Base,
    engines: &Engines,
    case: &Case,
    ref_machine: DefaultMachine<RecordingStore, TestExterns>,
    fern_machine: Machine<RecordingStore, TestExterns>,
    rows: &mut Vec<String>,
) {
    // What ref-fvm's executor does when it is created outside its test configuration (the
    // oracle here has that configuration, so it is done by hand): compile every code the
    // manifest lists. Fern leaves it to `preload_builtin_actors`.
    let ref_preload = engines
        .reference
        .acquire()
        .preload_all(
            ref_machine.blockstore(),
            ref_machine.builtin_actors().builtin_actor_codes(),
        )
        .map(|_| ());
    let mut reference = RefExecutor::new(engines.reference.clone(), ref_machine).unwrap();
    let mut fern = FernExecutor::new(engines.fern.clone(), fern_machine);
    let fern_preload = fern.preload_builtin_actors().map(|_| ());
    match (&ref_preload, &fern_preload, case.preload_fails) {
        (Ok(()), Ok(()), None) => {}
        (Err(_), Err(f), Some(why)) => {
            let f = format!("{f:#}");
            assert!(f.contains(why), "{}: Fern's preload error {f:?} does not name {why:?}", case.name);
            rows.push(format!(
                "| {} | (preloading the manifest's code) | both fail: {f} |",
                case.name
            ));
        }
        _ => panic!(
            "{}: preloading the builtin actors: ref-fvm {ref_preload:?}, Fern {fern_preload:?}, expected failure {:?}",
            case.name, case.preload_fails
        ),
    }
    let expected: HashMap<Msg, Expect> = case.outcomes.iter().copied().collect();
    for which in ALL_MESSAGES {
        let at = format!("{} / {which:?}", case.name);
        let seq = reference
            .state_tree()
            .get_actor(base.a.0)
            .ok()
            .flatten()
            .map(|a| a.sequence)
            .unwrap_or(0);
        let sys_state = reference
            .state_tree()
            .get_actor(SYS)
            .ok()
            .flatten()
            .map(|a| a.state)
            .unwrap_or_else(|| unstored(b"none"));
        let (msg, kind) = message(base, which, seq, sys_state);
        let theirs = match reference.execute_message(msg.clone(), kind, raw_len(&msg)) {
            Ok(r) => Ran::Receipt(
                Box::new(ref_observed(&r)),
                r.failure_info.map(|f| f.to_string()).unwrap_or_default(),
            ),
            Err(e) => Ran::Fatal(format!("{e:#}")),
        };
        let fern_msg: fern_shared::message::Message =
            fvm_ipld_encoding::from_slice(&fvm_ipld_encoding::to_vec(&msg).unwrap()).unwrap();
        let fern_kind = match kind {
            RefKind::Explicit => ApplyKind::Explicit,
            RefKind::Implicit => ApplyKind::Implicit,
        };
        let ours = match fern.apply_message(&fern_msg, fern_kind, raw_len(&msg)) {
            Ok(r) => Ran::Receipt(
                Box::new(fern_observed(&r)),
                r.failure_info.map(|f| f.to_string()).unwrap_or_default(),
            ),
            Err(e) => Ran::Fatal(format!("{e:#}")),
        };
        let mut expect = expected.get(&which).copied().unwrap_or(OK);
        if std::env::var_os("ABNORMAL_DISCOVER").is_some() {
            // Writing a new case: take whatever both VMs agree on.
            expect = match (&theirs, &ours) {
                (Ran::Receipt(t, _), Ran::Receipt(_, w))
                    if t.exit_code == 10 && t.gas_used == GAS_LIMIT =>
                {
                    Expect::FatalInCall(leak(w.clone()))
                }
                (Ran::Receipt(t, _), _) => Expect::Exit(t.exit_code),
                (_, Ran::Fatal(f)) => Expect::Fatal(leak(f.clone())),
                _ => expect,
            };
        }
        let outcome = match (&theirs, &ours) {
            (Ran::Fatal(_), Ran::Fatal(f)) => {
                let Expect::Fatal(why) = expect else {
                    panic!("{at}: both fail fatally ({f}), expected {expect:?}");
                };
                assert!(
                    f.contains(why),
                    "{at}: Fern's error {f:?} does not name {why:?}"
                );
                format!("fatal error on both (Fern: {f})")
            }
            (Ran::Receipt(t, _), Ran::Receipt(o, fern_why)) => {
                if let Some(d) = t.first_difference(o) {
                    panic!("{at}: {d}");
                }
                if let Some(d) = t.first_trace_difference(o) {
                    panic!("{at}: {d}");
                }
                match expect {
                    Expect::Exit(code) => {
                        assert_eq!(t.exit_code, code, "{at}: exit code ({fern_why})");
                        format!("exit {code}, gas {}", t.gas_used)
                    }
                    Expect::FatalInCall(why) => {
                        assert_eq!(t.exit_code, 10, "{at}: exit code ({fern_why})");
                        assert_eq!(t.gas_used, GAS_LIMIT, "{at}: gas used");
                        assert!(
                            fern_why.contains(why),
                            "{at}: Fern's failure {fern_why:?} does not name {why:?}"
                        );
                        format!("exit 10, whole gas limit (fatal inside the call: {why})")
                    }
                    Expect::Fatal(_) => {
                        panic!("{at}: receipts (exit {}), expected {expect:?}", t.exit_code)
                    }
                }
            }
            _ => panic!("{at}: ref-fvm {theirs:?}, Fern {ours:?}"),
        };
        // After a fatal error too: both trees hold the same partial changes.
        let ref_root = reference.flush().expect("ref-fvm flushes");
        let fern_root = fern.flush().expect("Fern flushes");
        assert_eq!(fern_root, ref_root, "{at}: state root after the message");
        rows.push(format!("| {} | {which:?} | {outcome} |", case.name));
    }
}

/// Runs `cases`, printing the table rows (see `--nocapture`).
fn run_all(cases: impl FnOnce(&Base) -> Vec<Case> + Send + 'static) {
    on_deep_stack(move || {
        let base = Base::new();
        let engines = Engines::get(NV);
        for case in cases(&base) {
            for row in run_case(&base, &engines, &case) {
                println!("{row}");
            }
        }
    });
}

fn case(name: &'static str, defect: Defect, outcomes: Vec<(Msg, Expect)>) -> Case {
    Case {
        name,
        base_fee: 100,
        refused: None,
        preload_fails: None,
        outcomes,
        defect,
    }
}

fn refused(name: &'static str, defect: Defect, why: &'static str) -> Case {
    Case {
        name,
        base_fee: 100,
        refused: Some(why),
        preload_fails: None,
        outcomes: Vec::new(),
        defect,
    }
}

/// Everything the genesis needs to be a normal chain state: the control case.
#[test]
fn normal_state() {
    run_all(|base| {
        vec![case("normal", base.defect(|_, _| {}, &[]), vec![]), {
            let mut d = base.defect(|_, _| {}, &[]);
            d.manifest = None;
            case("normal, manifest from f00", d, vec![])
        }]
    });
}

#[test]
fn missing_singletons() {
    run_all(|base| {
        let without = |id: ActorID| base.defect(move |t, _| t.delete_actor(id), &[]);
        let init_gone = [
            (Msg::SendF1ToF1, Expect::Fatal("init actor")),
            (Msg::SendNewF1, Expect::Fatal("init actor")),
            (Msg::SendNewF4, Expect::Fatal("init actor")),
            (Msg::CallSendNewF1, Expect::FatalInCall("init actor")),
            (Msg::CallResolveF1, Expect::FatalInCall("init actor")),
            (Msg::ImplicitNewF1, Expect::Fatal("init actor")),
        ];
        let mut no_f00 = without(0);
        no_f00.manifest = None;
        vec![
            case("no f00 (manifest override)", without(0), vec![]),
            refused("no f00 (manifest from f00)", no_f00, "actor 0"),
            case("no f01", without(1), init_gone.to_vec()),
            case("no f010 (EAM)", without(10), vec![]),
            case(
                "account B deleted, its f1 still mapped",
                without(base.b.0),
                vec![
                    (Msg::SendIdToId, Expect::Exit(5)),
                    (Msg::SendF1ToF1, Expect::Exit(5)),
                    (Msg::SendNoTip, Expect::Exit(5)),
                    (Msg::CallPubkey, Expect::Exit(5)),
                    (Msg::Implicit, Expect::Exit(5)),
                ],
            ),
            case(
                "no f02",
                without(2),
                ALL_MESSAGES
                    .iter()
                    .filter(|m| !matches!(m, Msg::SendNoTip | Msg::Implicit | Msg::ImplicitNewF1))
                    .map(|m| (*m, Expect::Fatal("actor 2")))
                    .collect(),
            ),
            case(
                "no f099",
                without(99),
                ALL_MESSAGES
                    .iter()
                    .filter(|m| !matches!(m, Msg::Implicit | Msg::ImplicitNewF1))
                    .map(|m| (*m, Expect::Fatal("actor 99")))
                    .collect(),
            ),
            Case {
                base_fee: 0,
                ..case(
                    "no f099, base fee 0",
                    without(99),
                    vec![(Msg::CallSelfDestruct, Expect::FatalInCall("burning funds"))],
                )
            },
        ]
    });
}

/// The machine's construction: the state root, the actor table, the system actor's state and
/// the manifest it points at.
#[test]
fn broken_construction() {
    run_all(|base| {
        let no_override = |mut d: Defect| {
            d.manifest = None;
            d
        };
        let garbage = |bytes: &'static [u8]| {
            move |t: &mut StateTree<RecordingStore>, s: &RecordingStore| {
                set_state(t, 0, stored(s, bytes))
            }
        };
        let system_state = base.actor(0).state;
        let mut out = vec![
            {
                let mut d = base.defect(|_, _| {}, &[]);
                let root = d.root;
                d.blocks.remove(&root);
                refused("state root block missing", d, "initial state root")
            },
            {
                let d = base.defect(|_, _| {}, &[]);
                let (_, actors, _): (u64, Cid, Cid) = RecordingStore::from_blocks(&d.blocks)
                    .get_cbor(&d.root)
                    .unwrap()
                    .unwrap();
                let mut d = d;
                d.blocks.remove(&actors);
                refused("actor table root missing", d, "actor table")
            },
            refused(
                "f00 state block missing (manifest from f00)",
                no_override(base.defect(|_, _| {}, &[system_state])),
                "state",
            ),
            case(
                "f00 state block missing (manifest override)",
                base.defect(|_, _| {}, &[system_state]),
                vec![],
            ),
            refused(
                "f00 state undecodable (manifest from f00)",
                no_override(base.defect(garbage(b"\x64oops"), &[])),
                "system actor",
            ),
            case(
                "f00 state undecodable (manifest override)",
                base.defect(garbage(b"\x64oops"), &[]),
                vec![],
            ),
            refused(
                "f00 points at a missing manifest",
                no_override(base.defect(
                    |t, s| {
                        let st = fvm::system_actor::State {
                            builtin_actors: unstored(b"no manifest"),
                        };
                        set_state(t, 0, s.put_cbor(&st, Code::Blake2b256).unwrap())
                    },
                    &[],
                )),
                "manifest",
            ),
            refused(
                "f00 points at an undecodable manifest",
                no_override(base.defect(
                    |t, s| {
                        let st = fvm::system_actor::State {
                            builtin_actors: stored(s, b"\x82\x01\x02"),
                        };
                        set_state(t, 0, s.put_cbor(&st, Code::Blake2b256).unwrap())
                    },
                    &[],
                )),
                "manifest",
            ),
            refused(
                "manifest override missing",
                {
                    let mut d = base.defect(|_, _| {}, &[]);
                    d.manifest = Some(unstored(b"no manifest"));
                    d
                },
                "manifest",
            ),
            refused(
                "manifest override of version 2",
                {
                    let mut d = base.defect(|_, _| {}, &[]);
                    let s = RecordingStore::from_blocks(&d.blocks);
                    let root = s
                        .put_cbor(&(2u32, base.manifest_data), Code::Blake2b256)
                        .unwrap();
                    d.blocks = s.blocks();
                    d.manifest = Some(root);
                    d
                },
                "version 2",
            ),
        ];
        for name in [
            "account",
            "system",
            "init",
            "placeholder",
            "eam",
            "ethaccount",
        ] {
            let why: &'static str = match name {
                "account" => "no account actor",
                "system" => "no system actor",
                "init" => "no init actor",
                "placeholder" => "no placeholder actor",
                "eam" => "no eam actor",
                _ => "no ethaccount actor",
            };
            // Through the override, and through the system actor's state.
            let mut over = base.defect(|_, _| {}, &[]);
            let s = RecordingStore::from_blocks(&over.blocks);
            let (root, _) = base.manifest_without(&s, name);
            over.blocks = s.blocks();
            over.manifest = Some(root);
            out.push(refused(leak(format!("manifest without {name}")), over, why));
            let from_f00 = no_override(base.defect(
                |t, s| {
                    let (_, data) = base.manifest_without(s, name);
                    let st = fvm::system_actor::State {
                        builtin_actors: data,
                    };
                    set_state(t, 0, s.put_cbor(&st, Code::Blake2b256).unwrap())
                },
                &[],
            ));
            out.push(refused(
                leak(format!("manifest without {name} (from f00)")),
                from_f00,
                why,
            ));
        }
        // Codes the manifest lists but the store lacks (or that are not Wasm): the machine
        // builds; compiling the manifest up front fails on both.
        out.push(Case {
            preload_fails: Some("no Wasm code in the blockstore"),
            ..case(
                "manifest's reward code not in the store",
                base.manifest_with_code("reward", None),
                vec![],
            )
        });
        out.push(Case {
            preload_fails: Some("rejected during validation"),
            ..case(
                "manifest's reward code not Wasm",
                base.manifest_with_code("reward", Some(b"not wasm")),
                vec![],
            )
        });
        // The existing accounts are no longer accounts; new ones get the missing code.
        out.push(Case {
            preload_fails: Some("no Wasm code in the blockstore"),
            ..case(
                "manifest's account code not in the store",
                base.manifest_with_code("account", None),
                ALL_MESSAGES
                    .iter()
                    .filter(|m| !matches!(m, Msg::Implicit | Msg::ImplicitNewF1))
                    .map(|m| (*m, Expect::Exit(1)))
                    .chain([(
                        Msg::ImplicitNewF1,
                        Expect::FatalInCall("cannot load actor code"),
                    )])
                    .collect(),
            )
        });
        // Kinds the machine itself does not need: the machine builds and runs.
        for name in ["reward", "token"] {
            if !base.genesis.builtin.iter().any(|(n, _)| n == name) {
                continue;
            }
            let mut d = base.defect(|_, _| {}, &[]);
            let s = RecordingStore::from_blocks(&d.blocks);
            let (root, _) = base.manifest_without(&s, name);
            d.blocks = s.blocks();
            d.manifest = Some(root);
            out.push(case(leak(format!("manifest without {name}")), d, vec![]));
        }
        out
    });
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Actors whose code is not in the manifest and cannot be loaded.
#[test]
fn unloadable_code() {
    run_all(|base| {
        let with_code = |id: ActorID, code: Option<&'static [u8]>| {
            base.defect(
                move |t, s| {
                    let code = match code {
                        Some(bytes) => {
                            let c = Cid::new_v1(0x55, Code::Blake2b256.digest(bytes));
                            s.put_keyed(&c, bytes).unwrap();
                            c
                        }
                        None => Cid::new_v1(0x55, Code::Blake2b256.digest(b"no such code")),
                    };
                    let mut a = t.get_actor(id).unwrap().unwrap();
                    a.code = code;
                    t.set_actor(id, a);
                },
                &[],
            )
        };
        let calls_fail = |why: &'static str| {
            vec![
                (Msg::CallOpenState, Expect::FatalInCall(why)),
                (Msg::CallSendNewF1, Expect::FatalInCall(why)),
                (Msg::CallResolveF1, Expect::FatalInCall(why)),
            ]
        };
        vec![
            case(
                "f01000 code not in the store",
                with_code(SYS, None),
                calls_fail("actor code"),
            ),
            case(
                "f01000 code not Wasm",
                with_code(SYS, Some(b"not wasm at all")),
                calls_fail("actor code"),
            ),
            case(
                "account B code not in the store",
                with_code(base.b.0, None),
                vec![(Msg::CallPubkey, Expect::FatalInCall("actor code"))],
            ),
            case(
                "sender A code not in the manifest",
                with_code(base.a.0, None),
                ALL_MESSAGES
                    .iter()
                    .filter(|m| !matches!(m, Msg::Implicit | Msg::ImplicitNewF1))
                    .map(|m| (*m, Expect::Exit(1)))
                    .collect(),
            ),
        ]
    });
}

/// Actors whose state block is missing from the store (or undecodable).
#[test]
fn missing_state_blocks() {
    run_all(|base| {
        let a_state = base.actor(base.a.0).state;
        let b_state = base.actor(base.b.0).state;
        vec![
            case(
                "f01000 state block missing",
                base.defect(|t, _| set_state(t, SYS, unstored(b"\x81\x01")), &[]),
                vec![(
                    Msg::CallOpenState,
                    Expect::FatalInCall("missing reachable state"),
                )],
            ),
            case(
                "account B state block missing",
                base.defect(|_, _| {}, &[b_state]),
                vec![(
                    Msg::CallPubkey,
                    Expect::FatalInCall("missing reachable state"),
                )],
            ),
            case(
                "account A (sender) state block missing",
                base.defect(|_, _| {}, &[a_state]),
                vec![],
            ),
            case(
                "account B state undecodable",
                base.defect(|t, s| set_state(t, base.b.0, stored(s, b"\x64oops")), &[]),
                vec![(Msg::CallPubkey, Expect::Exit(21))],
            ),
        ]
    });
}

/// The init actor's state and address map.
#[test]
fn broken_init_actor() {
    run_all(|base| {
        let lookups_fail = |why: &'static str| {
            vec![
                (Msg::SendF1ToF1, Expect::Fatal(why)),
                (Msg::SendNewF1, Expect::Fatal(why)),
                (Msg::SendNewF4, Expect::Fatal(why)),
                (Msg::CallSendNewF1, Expect::FatalInCall(why)),
                (Msg::CallResolveF1, Expect::FatalInCall(why)),
                (Msg::ImplicitNewF1, Expect::Fatal(why)),
            ]
        };
        let init_state = base.actor(1).state;
        let a_id = base.a.0;
        let (map, _) = {
            let tree =
                StateTree::new_from_root(base.genesis.store(), &base.genesis.state_root).unwrap();
            let (s, _) = fvm::init_actor::State::load(&tree).unwrap();
            (s.address_map, s.next_id)
        };
        vec![
            case(
                "init state block missing",
                base.defect(|_, _| {}, &[init_state]),
                lookups_fail("init actor"),
            ),
            case(
                "init state undecodable",
                base.defect(|t, s| set_state(t, 1, stored(s, b"\x82\x01\x02")), &[]),
                lookups_fail("init actor"),
            ),
            case(
                "init address map missing",
                base.defect(
                    |t, s| edit_init(t, s, |i| i.address_map = unstored(b"gone")),
                    &[],
                ),
                lookups_fail("address map"),
            ),
            case(
                "init address map root block missing",
                base.defect(|_, _| {}, &[map]),
                lookups_fail("address map"),
            ),
            case(
                "init next_id is u64::MAX",
                base.defect(|t, s| edit_init(t, s, |i| i.next_id = u64::MAX), &[]),
                // Ids wrap: the new f1 account gets u64::MAX, the f4 placeholder 0 (replacing the
                // system actor), the actor's new account 1 (replacing the init actor, whose state
                // is then an account's); the last creation finds no init state.
                vec![(
                    Msg::ImplicitNewF1,
                    Expect::Fatal("cannot decode the init actor's state"),
                )],
            ),
            case(
                "init next_id is account A's id",
                base.defect(move |t, s| edit_init(t, s, |i| i.next_id = a_id), &[]),
                // Each new address takes A's id and overwrites A: the creating transfers fail
                // for want of funds (and are reverted) until the actor's internal send creates an
                // account with no value; A is then a fresh account with nothing to pay gas with.
                vec![
                    (Msg::SendNewF1, Expect::Exit(6)),
                    (Msg::SendNewF4, Expect::Exit(6)),
                    (Msg::CallResolveF1, Expect::Exit(2)),
                    (Msg::CallPubkey, Expect::Exit(2)),
                    (Msg::CallSelfDestruct, Expect::Exit(2)),
                ],
            ),
            case(
                "init address map corrupt",
                base.defect(
                    |t, s| edit_init(t, s, |i| i.address_map = stored(s, b"\x83\x01\x02\x03")),
                    &[],
                ),
                lookups_fail("address map"),
            ),
        ]
    });
}

/// Counters at their limit: the sender's nonce.
#[test]
fn extreme_counters() {
    run_all(|base| {
        let a = base.a.0;
        vec![case(
            "sender A nonce u64::MAX",
            base.defect(
                move |t, _| {
                    let mut actor = t.get_actor(a).unwrap().unwrap();
                    actor.sequence = u64::MAX;
                    t.set_actor(a, actor);
                },
                &[],
            ),
            vec![],
        )]
    });
}
