//! Storage and host faults (issue 11, section 4), on Fern's own executor.
//!
//! Scenarios of the library run over a blockstore that fails on purpose: a `get` that errs, a
//! `get` that answers bytes that are not the block's, a `put` or a `has` that errs, each at the
//! Nth call of one message (every N the healthy message makes) or of the flush, and externs and
//! proof verifiers that panic. Every fault must end the message (or the flush) with an error
//! carrying a `HostFault`, never with a receipt; the node's store must be untouched by the
//! failed message; and the same executor, once the fault is gone, must go on to the healthy
//! receipts and exactly the healthy state root and blocks. The counts printed at the end are the
//! table of FIPS/machine.md ("Storage and host faults").

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{anyhow, bail, Result};
use cid::Cid;
use fern::engine::Engine;
use fern::executor::{ApplyKind, ApplyRet, ExecutionFailure, Executor};
use fern::machine::{
    ConsensusFaultCheck, Externs, HostFault, Machine, MachineContext, NetworkConfig, ProofVerifier,
};
use fern_conformance::runner::VectorExterns;
use fern_shared::sector::{
    AggregateSealVerifyProofAndInfos, ReplicaUpdateInfo, SealVerifyInfo, WindowPoStVerifyInfo,
};
use fern_shared::version::NetworkVersion as FernNv;
use fern_testing::fern_vm::to_fern_message;
use fern_testing::genesis::RecordingStore;
use fern_testing::on_deep_stack;
use fern_testing::scenario::{Scenario, Step, FATAL};
use fern_testing::scenarios;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::RawBytes;

/// The fault a [`FaultyStore`] injects (each fires once, at the Nth call of its kind counted
/// since the counters were last reset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    /// `get` number N returns an error.
    FailGet(u64),
    /// `get` number N returns other bytes than the block's (one byte flipped; a block the store
    /// lacks comes back as an empty CBOR array).
    WrongBytes(u64),
    /// `put` number N returns an error.
    FailPut(u64),
    /// `has` number N returns an error.
    FailHas(u64),
}

#[derive(Debug)]
struct Counters {
    gets: u64,
    puts: u64,
    has: u64,
    fault: Fault,
    fired: bool,
}

/// The genesis store with call counters and a fault trigger. Clones share everything.
#[derive(Clone)]
struct FaultyStore {
    inner: RecordingStore,
    state: Rc<RefCell<Counters>>,
}

impl FaultyStore {
    fn new(inner: RecordingStore) -> Self {
        FaultyStore {
            inner,
            state: Rc::new(RefCell::new(Counters {
                gets: 0,
                puts: 0,
                has: 0,
                fault: Fault::None,
                fired: false,
            })),
        }
    }

    /// Zeroes the counters and arms `fault`.
    fn arm(&self, fault: Fault) {
        let mut s = self.state.borrow_mut();
        s.gets = 0;
        s.puts = 0;
        s.has = 0;
        s.fault = fault;
        s.fired = false;
    }

    /// (gets, puts, has) since the last [`arm`](Self::arm).
    fn counts(&self) -> (u64, u64, u64) {
        let s = self.state.borrow();
        (s.gets, s.puts, s.has)
    }

    fn fired(&self) -> bool {
        self.state.borrow().fired
    }

    fn blocks(&self) -> BTreeMap<Cid, Vec<u8>> {
        self.inner.blocks()
    }
}

impl Blockstore for FaultyStore {
    fn get(&self, k: &Cid) -> Result<Option<Vec<u8>>> {
        let mut s = self.state.borrow_mut();
        s.gets += 1;
        let n = s.gets;
        match s.fault {
            Fault::FailGet(m) if m == n => {
                s.fired = true;
                bail!("injected read failure (get #{n})")
            }
            Fault::WrongBytes(m) if m == n => {
                s.fired = true;
                let wrong = match self.inner.get(k)? {
                    Some(mut data) if !data.is_empty() => {
                        let last = data.len() - 1;
                        data[last] ^= 0x01;
                        data
                    }
                    Some(_) => vec![0x00],
                    None => vec![0x80],
                };
                Ok(Some(wrong))
            }
            _ => self.inner.get(k),
        }
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> Result<()> {
        let mut s = self.state.borrow_mut();
        s.puts += 1;
        if s.fault == Fault::FailPut(s.puts) {
            s.fired = true;
            bail!("injected write failure (put #{})", s.puts);
        }
        self.inner.put_keyed(k, block)
    }

    fn has(&self, k: &Cid) -> Result<bool> {
        let mut s = self.state.borrow_mut();
        s.has += 1;
        if s.fault == Fault::FailHas(s.has) {
            s.fired = true;
            bail!("injected failure (has #{})", s.has);
        }
        self.inner.has(k)
    }
}

/// Whether the host's services panic, and how often they were called.
#[derive(Default)]
struct HostSwitch {
    panic: AtomicBool,
    calls: std::sync::atomic::AtomicU64,
}

impl HostSwitch {
    fn call(&self, what: &str) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        if self.panic.load(Ordering::Relaxed) {
            panic!("injected panic in {what}");
        }
    }
}

/// The scenario's externs, counting calls and panicking when switched on.
struct TestExterns {
    inner: VectorExterns,
    switch: Arc<HostSwitch>,
}

impl Externs for TestExterns {
    fn chain_randomness(&self, epoch: i64) -> Result<[u8; 32]> {
        self.switch.call("chain_randomness");
        self.inner.chain_randomness(epoch)
    }

    fn beacon_randomness(&self, epoch: i64) -> Result<[u8; 32]> {
        self.switch.call("beacon_randomness");
        self.inner.beacon_randomness(epoch)
    }

    fn tipset_cid(&self, epoch: i64) -> Result<Cid> {
        self.switch.call("tipset_cid");
        self.inner.tipset_cid(epoch)
    }

    fn verify_consensus_fault(
        &self,
        h1: &[u8],
        h2: &[u8],
        e: &[u8],
    ) -> Result<ConsensusFaultCheck> {
        self.switch.call("verify_consensus_fault");
        self.inner.verify_consensus_fault(h1, h2, e)
    }
}

/// A proof verifier answering like `NoProofVerifier` (every check is an error), counting calls
/// and panicking when switched on.
struct TestProofs(Arc<HostSwitch>);

impl ProofVerifier for TestProofs {
    fn verify_post(&self, _: &WindowPoStVerifyInfo) -> Result<bool> {
        self.0.call("verify_post");
        Err(anyhow!("no proof verifier"))
    }

    fn verify_seal(&self, _: &SealVerifyInfo) -> Result<bool> {
        self.0.call("verify_seal");
        Err(anyhow!("no proof verifier"))
    }

    fn verify_seals(&self, infos: &[SealVerifyInfo]) -> Result<Vec<bool>> {
        self.0.call("verify_seals");
        Ok(vec![false; infos.len()])
    }

    fn verify_aggregate_seals(&self, _: &AggregateSealVerifyProofAndInfos) -> Result<bool> {
        self.0.call("verify_aggregate_seals");
        Err(anyhow!("no proof verifier"))
    }

    fn verify_replica_update(&self, _: &ReplicaUpdateInfo) -> Result<bool> {
        self.0.call("verify_replica_update");
        Err(anyhow!("no proof verifier"))
    }
}

type TestExecutor = Executor<FaultyStore, TestExterns>;

/// Fern's executor for `scenario` over `store` (the settings of `fern_testing::fern_vm`).
fn executor(scenario: &Scenario, store: FaultyStore, switch: &Arc<HostSwitch>) -> TestExecutor {
    let nv = FernNv::new(u32::from(scenario.network_version));
    executor_on(Engine::shared(nv).unwrap(), scenario, store, switch)
}

/// [`executor`] on a given engine.
fn executor_on(
    engine: Engine,
    scenario: &Scenario,
    store: FaultyStore,
    switch: &Arc<HostSwitch>,
) -> TestExecutor {
    let genesis = &scenario.genesis;
    let nv = FernNv::new(u32::from(scenario.network_version));
    let mut config = NetworkConfig::new(nv)
        .unwrap()
        .with_builtin_actors(genesis.builtin_actors)
        .with_upgrade_actor(true);
    if scenario.actor_debugging {
        config = config.with_actor_debugging();
    }
    let amount = |v: &fvm_shared::econ::TokenAmount| {
        fern_shared::econ::TokenAmount::from_atto(v.atto().clone())
    };
    let context = MachineContext::new(
        scenario.epoch,
        scenario.epoch as u64 * 30,
        genesis.state_root,
    )
    .with_base_fee(amount(&scenario.base_fee))
    .with_circulating_supply(amount(&scenario.circ_supply));
    let externs = TestExterns {
        inner: VectorExterns::from_maps(
            scenario.randomness.chain.clone(),
            scenario.randomness.beacon.clone(),
        ),
        switch: switch.clone(),
    };
    let machine = Machine::new(config, context, store, externs).unwrap();
    Executor::with_proof_verifier(engine, machine, Arc::new(TestProofs(switch.clone())))
}

/// Everything a receipt and its fee split say, as text.
fn summary(ret: &ApplyRet) -> String {
    format!(
        "{:?} penalty={} tip={} burn={} over={} refund={} gas_refund={} gas_burned={} events={:?} codec={:?}",
        ret.receipt,
        ret.penalty.atto(),
        ret.miner_tip.atto(),
        ret.base_fee_burn.atto(),
        ret.over_estimation_burn.atto(),
        ret.refund.atto(),
        ret.gas_refund,
        ret.gas_burned,
        ret.events,
        ret.return_codec
    )
}

fn apply(ex: &mut TestExecutor, step: &Step) -> Result<ApplyRet, ExecutionFailure> {
    ex.apply_message(
        &to_fern_message(&step.msg),
        ApplyKind::Explicit,
        step.raw_len,
    )
}

/// What the healthy run of a scenario did.
struct Healthy {
    /// Per step: the receipt summary, and the gets and `has` calls the step made.
    steps: Vec<(String, u64, u64)>,
    /// Gets and puts of the final flush.
    flush: (u64, u64),
    root: Cid,
    blocks: BTreeMap<Cid, Vec<u8>>,
    /// Per step: how many extern and proof calls it made.
    host_calls: Vec<u64>,
}

/// The healthy run on the shared engine. Run twice: the first run may compile actor code (and
/// read it from the store), later ones find it compiled, so the second run's counts are those of
/// every faulted run.
fn healthy(scenario: &Scenario) -> Healthy {
    let nv = FernNv::new(u32::from(scenario.network_version));
    healthy_on(&Engine::shared(nv).unwrap(), scenario);
    healthy_on(&Engine::shared(nv).unwrap(), scenario)
}

fn healthy_on(engine: &Engine, scenario: &Scenario) -> Healthy {
    let store = FaultyStore::new(scenario.genesis.store());
    let switch = Arc::new(HostSwitch::default());
    let mut ex = executor_on(engine.clone(), scenario, store.clone(), &switch);
    let mut steps = Vec::new();
    let mut host_calls = Vec::new();
    for step in &scenario.steps {
        store.arm(Fault::None);
        let before = switch.calls.load(Ordering::Relaxed);
        let ret = apply(&mut ex, step).unwrap_or_else(|e| {
            panic!(
                "{} / {}: healthy run failed: {e}",
                scenario.name, step.label
            )
        });
        let (gets, puts, has) = store.counts();
        assert_eq!(puts, 0, "a message wrote to the node's store");
        steps.push((summary(&ret), gets, has));
        host_calls.push(switch.calls.load(Ordering::Relaxed) - before);
    }
    store.arm(Fault::None);
    let root = ex.flush().unwrap();
    let (gets, puts, _) = store.counts();
    Healthy {
        steps,
        flush: (gets, puts),
        root,
        blocks: store.blocks(),
        host_calls,
    }
}

/// Tallies of one kind of case.
#[derive(Default, Debug, Clone, Copy)]
struct Tally {
    cases: u64,
    errors: u64,
}

fn expect_host_fault(e: &ExecutionFailure, what: &str) -> HostFault {
    match e.0.downcast_ref::<HostFault>() {
        Some(f) => f.clone(),
        None => panic!("{what}: the error is not a host fault: {e}"),
    }
}

/// Finishes a faulted run on the same executor: the remaining steps (from `from`) must give the
/// healthy receipts, and the flush the healthy root and blocks.
fn finish_healthy(
    ex: &mut TestExecutor,
    store: &FaultyStore,
    scenario: &Scenario,
    good: &Healthy,
    from: usize,
    what: &str,
) {
    store.arm(Fault::None);
    for (k, step) in scenario.steps.iter().enumerate().skip(from) {
        let ret = apply(ex, step).unwrap_or_else(|e| panic!("{what}: step {k} after: {e}"));
        assert_eq!(
            summary(&ret),
            good.steps[k].0,
            "{what}: step {k} after the fault"
        );
    }
    let root = ex
        .flush()
        .unwrap_or_else(|e| panic!("{what}: flush after: {e}"));
    assert_eq!(root, good.root, "{what}: root after the fault");
    assert!(
        store.blocks() == good.blocks,
        "{what}: blocks after the fault"
    );
}

/// A kind of fault swept: its name, how many calls to try, the fault at call N.
type SweepKind = (&'static str, u64, fn(u64) -> Fault);

/// Every get (failing, then wrong bytes) and every `has` of every step of `scenario`.
fn sweep_messages(
    scenario: &Scenario,
    good: &Healthy,
    tallies: &mut BTreeMap<&'static str, Tally>,
) {
    let genesis_blocks = scenario.genesis.blocks.clone();
    for (k, step) in scenario.steps.iter().enumerate() {
        let (_, gets, has) = &good.steps[k];
        let kinds: [SweepKind; 3] = [
            ("get fails", *gets, Fault::FailGet),
            ("get wrong bytes", *gets, Fault::WrongBytes),
            ("has fails", *has, Fault::FailHas),
        ];
        for (kind, count, make) in kinds {
            for n in 1..=count {
                let what = format!("{} / {} / {kind} #{n}", scenario.name, step.label);
                let store = FaultyStore::new(scenario.genesis.store());
                let switch = Arc::new(HostSwitch::default());
                let mut ex = executor(scenario, store.clone(), &switch);
                for prior in &scenario.steps[..k] {
                    apply(&mut ex, prior).unwrap();
                }
                store.arm(make(n));
                let outcome = apply(&mut ex, step);
                assert!(store.fired(), "{what}: the fault did not fire");
                let tally = tallies.entry(kind).or_default();
                tally.cases += 1;
                match outcome {
                    Ok(ret) => panic!("{what}: got a receipt: {}", summary(&ret)),
                    Err(e) => {
                        let fault = expect_host_fault(&e, &what);
                        if kind == "get wrong bytes" {
                            assert!(
                                matches!(fault, HostFault::Corrupt { .. }),
                                "{what}: {fault}"
                            );
                        }
                        tally.errors += 1;
                    }
                }
                assert!(
                    store.blocks() == genesis_blocks,
                    "{what}: the store changed"
                );
                // The executor is as before the message: the same message, then the rest.
                finish_healthy(&mut ex, &store, scenario, good, k, &what);
            }
        }
    }
}

/// Every get and put of the final flush.
fn sweep_flush(scenario: &Scenario, good: &Healthy, tallies: &mut BTreeMap<&'static str, Tally>) {
    let (gets, puts) = good.flush;
    let kinds: [SweepKind; 3] = [
        ("flush: get fails", gets, Fault::FailGet),
        ("flush: get wrong bytes", gets, Fault::WrongBytes),
        ("flush: put fails", puts, Fault::FailPut),
    ];
    for (kind, count, make) in kinds {
        for n in 1..=count {
            let what = format!("{} / {kind} #{n}", scenario.name);
            let store = FaultyStore::new(scenario.genesis.store());
            let switch = Arc::new(HostSwitch::default());
            let mut ex = executor(scenario, store.clone(), &switch);
            for step in &scenario.steps {
                apply(&mut ex, step).unwrap();
            }
            store.arm(make(n));
            let outcome = ex.flush();
            assert!(store.fired(), "{what}: the fault did not fire");
            let tally = tallies.entry(kind).or_default();
            tally.cases += 1;
            let e = outcome.expect_err(&what);
            expect_host_fault(&e, &what);
            tally.errors += 1;
            // Whatever was written is part of the new state; the old state is whole.
            let blocks = store.blocks();
            for (cid, data) in &scenario.genesis.blocks {
                assert_eq!(blocks.get(cid), Some(data), "{what}: pre-state block {cid}");
            }
            store.arm(Fault::None);
            let root = ex.flush().unwrap_or_else(|e| panic!("{what}: retry: {e}"));
            assert_eq!(root, good.root, "{what}: root after retry");
            assert!(store.blocks() == good.blocks, "{what}: blocks after retry");
        }
    }
}

/// Whether a scenario is swept: every one of the library whose messages all end in a receipt
/// on a healthy store (account creation, blocks created, linked and opened, state changes,
/// sends and send chains, tokens with events, self-destructs, upgrades...).
fn swept(s: &Scenario) -> bool {
    s.steps.iter().all(|step| step.expect != FATAL)
}

fn scenario(all: &[Scenario], name: &str) -> Scenario {
    all.iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no scenario {name}"))
        .clone()
}

#[test]
fn store_faults_never_become_receipts() {
    on_deep_stack(|| {
        let all = scenarios::all(&scenarios::standard_genesis());
        let mut tallies: BTreeMap<&'static str, Tally> = BTreeMap::new();
        let (mut messages, mut swept_count) = (0, 0);
        for s in all.iter().filter(|s| swept(s)) {
            swept_count += 1;
            let good = healthy(s);
            messages += s.steps.len();
            sweep_messages(s, &good, &mut tallies);
            sweep_flush(s, &good, &mut tallies);
        }
        println!("storage faults over {swept_count} scenarios, {messages} messages:");
        for (kind, t) in &tallies {
            println!(
                "  {kind}: {} cases, {} errors, 0 receipts",
                t.cases, t.errors
            );
            assert_eq!(t.cases, t.errors);
        }
        assert!(tallies["get fails"].cases > 100, "{tallies:?}");
        assert!(tallies["flush: put fails"].cases > 10, "{tallies:?}");
    });
}

/// Faults on the first message that runs an actor's code, on fresh engines (nothing compiled):
/// the reads include the code block, whose wrong bytes must never be compiled and cached.
#[test]
fn code_block_faults_on_a_cold_engine() {
    on_deep_stack(|| {
        let all = scenarios::all(&scenarios::standard_genesis());
        let s = scenario(&all, "transfers/create_accounts");
        let nv = FernNv::new(u32::from(s.network_version));
        let fresh = || Engine::for_network(nv).unwrap();
        let good = healthy_on(&fresh(), &s);
        let step = &s.steps[0];
        let (_, gets, _) = good.steps[0];
        let mut cases = 0;
        for make in [Fault::FailGet as fn(u64) -> Fault, Fault::WrongBytes] {
            for n in 1..=gets {
                let what = format!("{} / {} / cold {:?}", s.name, step.label, make(n));
                let store = FaultyStore::new(s.genesis.store());
                let switch = Arc::new(HostSwitch::default());
                let mut ex = executor_on(fresh(), &s, store.clone(), &switch);
                store.arm(make(n));
                let e = apply(&mut ex, step).expect_err(&what);
                assert!(store.fired(), "{what}: the fault did not fire");
                expect_host_fault(&e, &what);
                assert!(
                    store.blocks() == s.genesis.blocks,
                    "{what}: the store changed"
                );
                finish_healthy(&mut ex, &store, &s, &good, 0, &what);
                cases += 1;
            }
        }
        println!("cold engine: {cases} cases (gets of the first message: {gets}), all errors");
    });
}

/// The syscalls actor's `VERIFY_PROOF` with a decodable (empty) Window PoSt, so that the call
/// reaches the verifier.
fn verify_post_step(s: &Scenario) -> Step {
    let last = s.steps.last().expect("steps").clone();
    let info = fvm_shared::sector::WindowPoStVerifyInfo {
        randomness: fvm_shared::randomness::Randomness(vec![0; 32]),
        proofs: Vec::new(),
        challenged_sectors: Vec::new(),
        prover: 1000,
    };
    let bytes = fvm_ipld_encoding::to_vec(&info).unwrap();
    let mut msg = last.msg.clone();
    msg.sequence += 1;
    msg.method_num = fern_test_syscalls::method::VERIFY_PROOF;
    msg.params = RawBytes::serialize((vec![0u64], RawBytes::new(bytes))).unwrap();
    Step {
        label: "verify post (decodable)".into(),
        raw_len: fern_testing::scenario::raw_length(&msg),
        msg,
        expect: 0,
        expect_status: None,
    }
}

#[test]
fn host_panics_are_contained() {
    on_deep_stack(|| {
        let all = scenarios::all(&scenarios::standard_genesis());
        let randomness = scenario(&all, "syscalls/randomness");
        let mut proofs = scenario(&all, "syscalls/proofs");
        let extra = verify_post_step(&proofs);
        proofs.steps.push(extra);
        // The tipset CID syscall.
        let tipsets = scenario(&all, "syscalls/context_default");
        let (mut panicked, mut untouched) = (0, 0);
        for s in [&randomness, &proofs, &tipsets] {
            let good = healthy(s);
            for (k, step) in s.steps.iter().enumerate() {
                let what = format!("{} / {}", s.name, step.label);
                let store = FaultyStore::new(s.genesis.store());
                let switch = Arc::new(HostSwitch::default());
                let mut ex = executor(s, store.clone(), &switch);
                for prior in &s.steps[..k] {
                    apply(&mut ex, prior).unwrap();
                }
                switch.panic.store(true, Ordering::Relaxed);
                let outcome = apply(&mut ex, step);
                switch.panic.store(false, Ordering::Relaxed);
                if good.host_calls[k] == 0 {
                    let ret = outcome.unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_eq!(summary(&ret), good.steps[k].0, "{what}");
                    untouched += 1;
                    continue;
                }
                let e = outcome.expect_err(&what);
                match expect_host_fault(&e, &what) {
                    HostFault::Panic { .. } => {}
                    other => panic!("{what}: {other}"),
                }
                panicked += 1;
                assert!(
                    store.blocks() == s.genesis.blocks,
                    "{what}: the store changed"
                );
                finish_healthy(&mut ex, &store, s, &good, k, &what);
            }
        }
        println!(
            "host panics: {panicked} messages calling a panicking service ended in an error, \
             {untouched} not calling one kept their receipts"
        );
        assert!(panicked >= 5, "{panicked}");
    });
}
