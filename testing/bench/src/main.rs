//! `fern-bench`: Fern against ref-fvm 4.8.4 measured in the same process, on the same bundle and
//! messages, in alternating rounds (best round of each VM).
//!
//! ```sh
//! cargo run --release -p fern_bench -- [--quick] [--bundles DIR] [--only TEXT]
//! ```
//!
//! Prints one line per workload, `WORKLOAD fern=<value> ref=<value> ratio=<x>`, where the ratio
//! is how many times faster Fern is (> 1: Fern faster):
//!
//! - `startup_cold`: compile every actor of Fern's bundle with a fresh engine (seconds);
//! - `startup_warm`: the same with Fern's compiled-module cache on disk already filled, against
//!   ref-fvm's cold start (ref-fvm has no such cache);
//! - `transfers`: plain value transfers between accounts (messages per second);
//! - `trivial_call`: an account actor's `PubkeyAddress` method (messages per second);
//! - `token_transfers`, `send_chain`, `ipld_blocks`: actor-heavy scenarios of the library
//!   (token transfers with events, nested sends, block creation and reads; messages per second).
//!
//! - `metering`: pure Wasm compute in an actor (milliseconds per call) on Fern and ref-fvm,
//!   against the same module unmetered in plain Wasmtime (`plain=`, `overhead=`); see
//!   [`metering`];
//! - with `--bundles DIR`, per lotus-style bundle archive (`v16.tar.zst`, ...) of actors v12 or
//!   later: account, multisig, EVM deploy and ERC-20-style transfers on the real built-in
//!   actors; see [`bundles`].
//!
//! Before a workload is timed it runs once on each VM, and the two must give the same receipts
//! (exit code, return, gas used, events) and final state root, or the bench panics.
//!
//! `--quick` (what CI runs) uses fewer messages and rounds and finishes in well under two
//! minutes. `--only TEXT` runs only the workloads whose names contain `TEXT` (for example
//! `--only transfers`, `--only startup`, `--only v16.`).

mod bundles;
mod metering;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use cid::Cid;
use fern::engine::{Engine, EngineConfig, EngineOptions};
use fern_testing::fern_vm::{to_fern_message, FernVm};
use fern_testing::ref_vm::RefVm;
use fern_testing::scenario::{differences, run, Run, Scenario, ScenarioBuilder};
use fern_testing::scenarios::{all, standard_genesis};
use fern_testing::vm::Vm;
use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::version::NetworkVersion;

struct Plan {
    rounds: usize,
    startup_rounds: usize,
    messages: usize,
    /// Timed compute calls per round of `metering`.
    compute_calls: usize,
    /// Messages of each real-bundle workload (EVM deploys: `bundle_deploys`).
    bundle_messages: usize,
    bundle_deploys: usize,
    bundle_rounds: usize,
    /// `--bundles DIR`.
    bundles: Option<PathBuf>,
}

fn line(name: &str, fern: f64, reference: f64, unit: &str, higher_is_better: bool, note: &str) {
    let ratio = if higher_is_better {
        fern / reference
    } else {
        reference / fern
    };
    let digits = if unit == "s" { 4 } else { 0 };
    println!(
        "{name} fern={fern:.digits$}{unit} ref={reference:.digits$}{unit} ratio={ratio:.2} ({note})"
    );
}

/// Best of `rounds` alternating runs of `fern` and `reference`.
pub(crate) fn alternate(
    rounds: usize,
    mut fern: impl FnMut() -> Duration,
    mut reference: impl FnMut() -> Duration,
) -> (Duration, Duration) {
    let (mut f, mut r) = (Duration::MAX, Duration::MAX);
    for round in 0..rounds {
        if round % 2 == 0 {
            f = f.min(fern());
            r = r.min(reference());
        } else {
            r = r.min(reference());
            f = f.min(fern());
        }
    }
    (f, r)
}

/// Fern's bundle loaded into a store, and the code CIDs of its actors.
fn bundle_codes() -> (MemoryBlockstore, Vec<Cid>) {
    let store = MemoryBlockstore::new();
    let bundle = fern_bundle::Bundle::load(&store, fern_bundle::BUNDLE_CAR).unwrap();
    let codes = bundle.actors.iter().map(|(_, code)| *code).collect();
    (store, codes)
}

fn startup(plan: &Plan) {
    let (store, codes) = bundle_codes();
    startup_of(
        "",
        "Fern's bundle",
        &store,
        &codes,
        NetworkVersion::V28,
        plan.startup_rounds,
    );
}

/// `{prefix}startup_cold` (every actor of `codes` compiled by a fresh engine on each VM) and
/// `{prefix}startup_warm` (Fern from its filled compiled-module cache against ref-fvm
/// compiling), best of `rounds` each, at `nv`.
pub(crate) fn startup_of(
    prefix: &str,
    what: &str,
    store: &impl fvm_ipld_blockstore::Blockstore,
    codes: &[Cid],
    nv: NetworkVersion,
    rounds: usize,
) {
    if !wanted(&format!("{prefix}startup")) {
        return;
    }
    let config =
        EngineConfig::for_network(fern_shared::version::NetworkVersion::new(u32::from(nv)))
            .unwrap();
    let fern_cold = || {
        let start = Instant::now();
        let engine = Engine::new(config).unwrap();
        engine.preload(codes, store).unwrap();
        start.elapsed()
    };
    let ref_cold = || {
        let start = Instant::now();
        let nc = fvm::machine::NetworkConfig::new(nv);
        let pool = fvm::engine::EnginePool::new((&nc).into()).unwrap();
        pool.acquire().preload_all(store, codes).unwrap();
        start.elapsed()
    };
    let (f, r) = alternate(rounds, fern_cold, ref_cold);
    let note = format!(
        "{} actors of {what}, seconds, best of {rounds}",
        codes.len()
    );
    line(
        &format!("{prefix}startup_cold"),
        f.as_secs_f64(),
        r.as_secs_f64(),
        "s",
        false,
        &note,
    );

    let dir: PathBuf = std::env::temp_dir().join(format!(
        "fern-bench-cache-{}-{}",
        std::process::id(),
        prefix.trim_end_matches('.')
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let cached = || {
        Engine::with_options(
            config,
            EngineOptions {
                redirects: Vec::new(),
                module_cache: Some(dir.clone()),
            },
        )
        .unwrap()
    };
    cached().preload(codes, store).unwrap(); // fills the cache
    let fern_warm = || {
        let start = Instant::now();
        let engine = cached();
        engine.preload(codes, store).unwrap();
        assert_eq!(
            engine.compilations(),
            0,
            "the warm start compiled something"
        );
        start.elapsed()
    };
    let (f, r) = alternate(rounds, fern_warm, ref_cold);
    let note = format!(
        "{what}: Fern from its module cache vs ref-fvm compiling, seconds, best of {rounds}"
    );
    line(
        &format!("{prefix}startup_warm"),
        f.as_secs_f64(),
        r.as_secs_f64(),
        "s",
        false,
        &note,
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--only TEXT`: the workloads to run are those whose names contain `TEXT` (all by default).
static ONLY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

/// Whether the workload `name` is selected by `--only`.
pub(crate) fn wanted(name: &str) -> bool {
    match ONLY.get() {
        Some(Some(only)) => name.contains(only.as_str()),
        _ => true,
    }
}

/// Whether `--only` can select a workload of the bundle `name` (`v16`): every bundle, unless the
/// text names another bundle's workloads (`v12.`, `v16.evm`).
pub(crate) fn wanted_bundle(name: &str) -> bool {
    match ONLY.get() {
        Some(Some(only)) if only.starts_with('v') && only.contains('.') => {
            only.starts_with(&format!("{name}."))
        }
        _ => true,
    }
}

/// `FERN_BENCH_PROFILE=WORKLOAD`: run only that throughput workload, on Fern only, many
/// times (for a profiler), and print nothing else (with `--bundles DIR`, a real bundle's workload
/// such as `v16.evm_deploy` too; pair it with `--only v16.` to skip the other bundles' set-up).
/// `FERN_BENCH_PROFILE_VM=ref` runs it on
/// ref-fvm instead; `FERN_BENCH_PROFILE_ROUNDS=N` sets how many fresh machines run the messages
/// (default: 20 times the plan's rounds).
fn profile_target() -> Option<String> {
    std::env::var("FERN_BENCH_PROFILE").ok()
}

/// Runs `scenario` once on each VM and fails unless they agree on every receipt (exit code,
/// return bytes, gas used, events) and the final state root, and every message ended with the
/// exit code the scenario expects. Returns ref-fvm's run and machine.
pub(crate) fn agree(scenario: &Scenario) -> anyhow::Result<(Run, RefVm)> {
    let mut ref_vm = RefVm::new(scenario)?;
    let ref_run = run(&mut ref_vm, scenario);
    let fern_run = run(&mut FernVm::new(scenario)?, scenario);
    let diff = differences(scenario, &ref_run, &fern_run);
    if !diff.is_empty() {
        anyhow::bail!("Fern and ref-fvm differ:\n{}", diff.join("\n"));
    }
    for (step, o) in scenario.steps.iter().zip(&ref_run.outcomes) {
        if o.exit_code != step.expect {
            anyhow::bail!(
                "{} / {}: exit code {} (expected {}), return {:02x?}",
                scenario.name,
                step.label,
                o.exit_code,
                step.expect,
                o.return_data
            );
        }
    }
    Ok((ref_run, ref_vm))
}

/// Messages per second of `scenario` on each VM (machines built outside the timing), after
/// checking that both VMs agree on it ([`agree`]).
pub(crate) fn throughput(name: &str, scenario: &Scenario, rounds: usize) {
    if !wanted(name) {
        return;
    }
    let messages = scenario.len();
    if let Some(target) = profile_target() {
        if target == name {
            let rounds = std::env::var("FERN_BENCH_PROFILE_ROUNDS")
                .ok()
                .and_then(|r| r.parse().ok())
                .unwrap_or(rounds * 20);
            if std::env::var("FERN_BENCH_PROFILE_VM").as_deref() == Ok("ref") {
                for _ in 0..rounds {
                    let mut vm = RefVm::new(scenario).unwrap();
                    for step in &scenario.steps {
                        std::hint::black_box(vm.apply(&step.msg, step.raw_len));
                    }
                }
                return;
            }
            let messages: Vec<_> = scenario
                .steps
                .iter()
                .map(|s| (to_fern_message(&s.msg), s.raw_len))
                .collect();
            for _ in 0..rounds {
                let mut vm = FernVm::new(scenario).unwrap();
                for (msg, len) in &messages {
                    std::hint::black_box(vm.apply_fern(msg, *len));
                }
            }
        }
        return;
    }
    // Each VM gets the messages in its own type, converted before timing.
    let fern_messages: Vec<(fern_shared::message::Message, usize)> = scenario
        .steps
        .iter()
        .map(|s| (to_fern_message(&s.msg), s.raw_len))
        .collect();
    let fern = || {
        let mut vm = FernVm::new(scenario).unwrap();
        let start = Instant::now();
        for (msg, len) in &fern_messages {
            std::hint::black_box(vm.apply_fern(msg, *len));
        }
        start.elapsed()
    };
    let reference = || {
        let mut vm = RefVm::new(scenario).unwrap();
        let start = Instant::now();
        for step in &scenario.steps {
            std::hint::black_box(vm.apply(&step.msg, step.raw_len));
        }
        start.elapsed()
    };
    // Warm-up (compiles every actor on both VMs) and the receipts check.
    if let Err(e) = agree(scenario) {
        panic!("{name}: {e:#}");
    }
    let (f, r) = alternate(rounds, fern, reference);
    let rate = |d: Duration| messages as f64 / d.as_secs_f64();
    let note = format!("messages/s, {messages} messages, best of {rounds}");
    line(name, rate(f), rate(r), "", true, &note);
}

fn bench(plan: Plan) {
    if profile_target().is_none() {
        startup(&plan);
    }
    let genesis = standard_genesis();
    let secp: Vec<_> = genesis.accounts.iter().filter(|a| !a.bls).collect();
    let at28 = |b: ScenarioBuilder| b.build().at(NetworkVersion::V28);

    let mut b = ScenarioBuilder::new("bench/transfers", &genesis);
    for i in 0..plan.messages {
        let (from, to) = (secp[i % 2].address, secp[(i + 1) % 2].address);
        b.call(
            "transfer",
            from,
            to,
            0,
            RawBytes::default(),
            TokenAmount::from_atto(1000 + i as u64),
            ExitCode::OK,
        );
    }
    throughput("transfers", &at28(b), plan.rounds);

    let mut b = ScenarioBuilder::new("bench/trivial_call", &genesis);
    let target = Address::new_id(secp[1].id);
    for _ in 0..plan.messages {
        b.call(
            "pubkey",
            secp[0].address,
            target,
            2,
            RawBytes::default(),
            TokenAmount::default(),
            ExitCode::OK,
        );
    }
    throughput("trivial_call", &at28(b), plan.rounds);

    let library = all(&genesis);
    for (name, scenario) in [
        ("token_transfers", "examples/token"),
        ("send_chain", "syscalls/send"),
        ("ipld_blocks", "syscalls/ipld_create_read"),
    ] {
        let s = library
            .iter()
            .find(|s| s.name == scenario)
            .unwrap_or_else(|| panic!("scenario {scenario}"));
        throughput(name, &s.at(NetworkVersion::V28), plan.rounds);
    }

    if profile_target().is_none() && wanted("metering") {
        metering::bench(&plan);
    }
    match &plan.bundles {
        Some(dir) => bundles::bench(dir, &plan),
        None if profile_target().is_none() => {
            println!("bundles: not run (pass --bundles DIR to measure real actor bundles)")
        }
        None => {}
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut quick = false;
    let mut bundles = None;
    let mut only = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--bundles" => match it.next() {
                Some(dir) => bundles = Some(PathBuf::from(dir)),
                None => usage("--bundles needs a directory"),
            },
            "--only" => match it.next() {
                Some(text) => only = Some(text.clone()),
                None => usage("--only needs a workload name (or part of one)"),
            },
            other => usage(&format!("unknown argument {other:?}")),
        }
    }
    ONLY.set(only).expect("set once");
    let plan = if quick {
        Plan {
            rounds: 3,
            startup_rounds: 2,
            messages: 200,
            // Compute calls are cheap (milliseconds); more samples steady the quick result.
            compute_calls: 10,
            bundle_messages: 100,
            bundle_deploys: 20,
            bundle_rounds: 3,
            bundles,
        }
    } else {
        Plan {
            rounds: 10,
            startup_rounds: 5,
            messages: 1000,
            compute_calls: 5,
            bundle_messages: 1000,
            bundle_deploys: 200,
            bundle_rounds: 10,
            bundles,
        }
    };
    println!(
        "fern-bench{}: Fern vs ref-fvm 4.8.4, same process, alternating rounds; ratio > 1 means Fern is faster",
        if quick { " --quick" } else { "" }
    );
    fern_testing::on_deep_stack(move || bench(plan));
}

fn usage(problem: &str) -> ! {
    eprintln!("fern-bench: {problem}\nusage: fern-bench [--quick] [--bundles DIR] [--only TEXT]");
    std::process::exit(2);
}
