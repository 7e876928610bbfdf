//! The gas-metering overhead: pure Wasm compute inside an actor, run as a message on Fern (the
//! kernel's normal path: stack limiter and gas metering injected, gas charged per metered block)
//! and on ref-fvm, against the same module run without any instrumentation in plain Wasmtime
//! (the same Wasmtime 36 and the same engine configuration as Fern's, in this process).
//!
//! The actor is written in WAT below. Its `invoke` hashes a 64 KiB buffer of its linear memory
//! `PASSES` times (an FNV-style multiply, xor and rotate per 8-byte word), writing the running
//! hash back into the buffer so that every pass reads new data. Each call does milliseconds of
//! work, so instance set-up and the message's own costs are a small part of the time.
//!
//! Besides the three runs above, the same instrumented module (Fern's compiled code) is also run
//! directly in Wasmtime with a host-provided gas counter: the difference between that and the
//! plain run is the cost of the injected code alone, and the rest of Fern's time is the kernel
//! (message, state, instance set-up).

use std::sync::Arc;
use std::time::{Duration, Instant};

use cid::Cid;
use fern::engine::{Engine, EngineConfig, GAS_COUNTER_GLOBAL, GAS_MODULE};
use fern_testing::fern_vm::{to_fern_message, FernVm};
use fern_testing::genesis::{Genesis, InstalledActor, RecordingStore};
use fern_testing::ref_vm::RefVm;
use fern_testing::scenario::{differences, run, Scenario, ScenarioBuilder};
use fern_testing::scenarios::standard_genesis;
use fern_testing::vm::Vm;
use fvm::state_tree::{ActorState, StateTree};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::{CborStore, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::version::NetworkVersion;
use multihash_codetable::{Code, MultihashDigest};
use wasmtime::{Global, GlobalType, Instance, Linker, Module, Mutability, Store, Val, ValType};

use crate::{alternate, Plan};

/// How many times `invoke` hashes its 64 KiB buffer (8 192 words per pass).
const PASSES: u32 = 400;

/// Where the compute actor lives in the bench's genesis.
const COMPUTE_ACTOR_ID: u64 = 5000;

/// Gas limit of a compute message (the block gas limit; the call uses a fraction of it).
const COMPUTE_GAS_LIMIT: u64 = 10_000_000_000;

/// The compute actor. `invoke` takes the parameters' block id (unused) and returns block id 0
/// (no return value), so the call ends with exit code 0. It imports nothing: no syscalls.
fn compute_wat() -> String {
    compute_wat_with("", "")
}

/// The compute actor's text, with `import` added to the module and `charge` at the head of the
/// inner loop (for the hand-metered variant; both empty for the actor itself).
fn compute_wat_with(import: &str, charge: &str) -> String {
    format!(
        r#"(module
  {import}
  (memory (export "memory") 1)
  (func (export "invoke") (param $params i32) (result i32)
    (local $pass i32) (local $at i32) (local $h i64)
    (local.set $h (i64.const 0x6a09e667f3bcc908))
    (loop $passes
      (local.set $at (i32.const 0))
      (loop $words
        {charge}
        ;; h = rotl((h ^ mem[at]) * FNV prime, 29); mem[at] = h
        (local.set $h
          (i64.rotl
            (i64.mul
              (i64.xor (local.get $h) (i64.load (local.get $at)))
              (i64.const 0x100000001b3))
            (i64.const 29)))
        (i64.store (local.get $at) (local.get $h))
        (br_if $words
          (i32.lt_u
            (local.tee $at (i32.add (local.get $at) (i32.const 8)))
            (i32.const 65536))))
      (br_if $passes
        (i32.lt_u
          (local.tee $pass (i32.add (local.get $pass) (i32.const 1)))
          (i32.const {PASSES}))))
    ;; Keep the final hash observable: the first word of memory.
    (i64.store (i32.const 0) (local.get $h))
    (i32.const 0)))"#
    )
}

/// The compute actor with the metering of its inner loop written inline instead of as a call:
/// the same counter (the imported `gas.gas_counter`), the same subtraction and check, without
/// the call to the injected charging function (the amount charged does not change the speed).
/// Not something Fern runs: it only shows what the call costs.
fn hand_metered_wat(per_word: u64) -> String {
    compute_wat_with(
        r#"(import "gas" "gas_counter" (global $gas (mut i64)))"#,
        &format!(
            "(global.set $gas (i64.sub (global.get $gas) (i64.const {per_word})))
        (if (i64.lt_s (global.get $gas) (i64.const 0)) (then unreachable))"
        ),
    )
}

/// The standard genesis plus the compute actor at [`COMPUTE_ACTOR_ID`].
fn genesis_with_compute_actor(wasm: &[u8]) -> Arc<Genesis> {
    let mut genesis = (*standard_genesis()).clone();
    let store = RecordingStore::from_blocks(&genesis.blocks);
    let code = Cid::new_v1(0x55, Code::Blake2b256.digest(wasm));
    store.put_keyed(&code, wasm).unwrap();
    let mut tree = StateTree::new_from_root(store.clone(), &genesis.state_root).unwrap();
    let state = tree
        .store()
        .put_cbor(&Vec::<u8>::new(), Code::Blake2b256)
        .unwrap();
    tree.set_actor(
        COMPUTE_ACTOR_ID,
        ActorState::new(code, state, TokenAmount::default(), 0, None),
    );
    genesis.state_root = tree.flush().unwrap();
    genesis.blocks = store.blocks();
    genesis.test_actors.push(InstalledActor {
        name: "bench_compute".into(),
        id: COMPUTE_ACTOR_ID,
        code,
    });
    Arc::new(genesis)
}

/// Best time of one call of `invoke` over `calls` calls, each on a fresh instance (as an actor
/// call is), for a module whose only import, if any, is the gas counter.
fn wasmtime_calls(engine: &wasmtime::Engine, module: &Module, calls: usize) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..calls {
        let start = Instant::now();
        let mut store = Store::new(engine, ());
        let mut linker = Linker::new(engine);
        let counter = Global::new(
            &mut store,
            GlobalType::new(ValType::I64, Mutability::Var),
            Val::I64(i64::MAX),
        )
        .unwrap();
        linker
            .define(&mut store, GAS_MODULE, GAS_COUNTER_GLOBAL, counter)
            .unwrap();
        let instance: Instance = linker.instantiate(&mut store, module).unwrap();
        let invoke = instance
            .get_typed_func::<u32, u32>(&mut store, "invoke")
            .unwrap();
        let ret = invoke.call(&mut store, 0).unwrap();
        std::hint::black_box(ret);
        best = best.min(start.elapsed());
    }
    best
}

pub fn bench(plan: &Plan) {
    let wasm = wat::parse_str(compute_wat()).expect("the compute actor's WAT parses");
    let genesis = genesis_with_compute_actor(&wasm);
    let sender = genesis.accounts[0].address;
    let mut b = ScenarioBuilder::new("bench/metering", &genesis);
    for _ in 0..plan.compute_calls {
        b.call(
            "compute",
            sender,
            Address::new_id(COMPUTE_ACTOR_ID),
            2,
            RawBytes::default(),
            TokenAmount::default(),
            ExitCode::OK,
        )
        .gas(COMPUTE_GAS_LIMIT);
    }
    let scenario: Scenario = b.build().at(NetworkVersion::V28);

    // Both VMs must agree on every receipt (and the final state) before anything is timed.
    let fern_run = run(&mut FernVm::new(&scenario).unwrap(), &scenario);
    let ref_run = run(&mut RefVm::new(&scenario).unwrap(), &scenario);
    let diff = differences(&scenario, &ref_run, &fern_run);
    assert!(
        diff.is_empty(),
        "metering: Fern and ref-fvm differ: {diff:#?}"
    );
    for o in &fern_run.outcomes {
        assert_eq!(o.exit_code, 0, "metering: the compute call failed: {o:?}");
    }
    let gas_used = fern_run.outcomes[0].gas_used;

    // One fresh machine and one message per sample: the best sample is one call's time.
    let fern_message = to_fern_message(&scenario.steps[0].msg);
    let raw_len = scenario.steps[0].raw_len;
    let fern_call = || {
        let mut vm = FernVm::new(&scenario).unwrap();
        let start = Instant::now();
        std::hint::black_box(vm.apply_fern(&fern_message, raw_len));
        start.elapsed()
    };
    let ref_call = || {
        let mut vm = RefVm::new(&scenario).unwrap();
        let start = Instant::now();
        std::hint::black_box(vm.apply(&scenario.steps[0].msg, raw_len));
        start.elapsed()
    };
    let (f, r) = alternate(plan.rounds * plan.compute_calls, fern_call, ref_call);

    // The same module in plain Wasmtime: uninstrumented, and as Fern instruments it.
    let config = EngineConfig::for_network(fern_shared::version::NetworkVersion::V28).unwrap();
    let engine = Engine::new(config).unwrap();
    let plain_module = Module::new(engine.wasmtime(), &wasm).unwrap();
    let instrumented = engine.compile(&wasm).unwrap();
    let hand = wat::parse_str(hand_metered_wat(7)).expect("the hand-metered WAT parses");
    let hand_module = Module::new(engine.wasmtime(), &hand).unwrap();
    // Warm up (first-touch page faults of the pooled slots).
    for m in [&plain_module, instrumented.module(), &hand_module] {
        wasmtime_calls(engine.wasmtime(), m, 2);
    }
    let samples = plan.rounds * plan.compute_calls;
    let (plain, metered_only) = alternate(
        samples,
        || wasmtime_calls(engine.wasmtime(), &plain_module, 1),
        || wasmtime_calls(engine.wasmtime(), instrumented.module(), 1),
    );
    let (_, hand_metered) = alternate(
        samples,
        || Duration::ZERO,
        || wasmtime_calls(engine.wasmtime(), &hand_module, 1),
    );

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let pct = |d: Duration| (d.as_secs_f64() / plain.as_secs_f64() - 1.0) * 100.0;
    println!(
        "metering fern={:.3}ms ref={:.3}ms ratio={:.2} plain={:.3}ms overhead={:.1}% \
         (one call hashing 64 KiB x {PASSES}, {gas_used} gas; instrumented module alone in \
         wasmtime {:.3}ms = {:+.1}%; its inner-loop charge written inline instead of called \
         {:.3}ms = {:+.1}%; best of {} calls)",
        ms(f),
        ms(r),
        r.as_secs_f64() / f.as_secs_f64(),
        ms(plain),
        pct(f),
        ms(metered_only),
        pct(metered_only),
        ms(hand_metered),
        pct(hand_metered),
        samples,
    );
}
