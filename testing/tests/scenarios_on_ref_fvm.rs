//! Runs the whole scenario library on ref-fvm 4.8 at network versions 21, 25 and 28.
//!
//! For every message it checks the coarse outcome the scenario declares (exit code, and for
//! the test actors' `[status, bytes]` returns the syscall status), so the scenarios provably
//! exercise what their names claim. Every scenario runs twice on fresh machines: gas, return
//! bytes, events and the final state root must be identical (the oracle is deterministic, so a
//! difference would mean the harness leaks state between runs).

use fern_testing::ref_vm::RefVm;
use fern_testing::scenario::{differences, run, Scenario};
use fern_testing::scenarios::{all, standard_genesis};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::version::NetworkVersion;

/// Checks one scenario's outcomes against its declarations; returns one line per mismatch.
fn check(scenario: &Scenario) -> Vec<String> {
    let mut vm = RefVm::new(scenario).expect("machine");
    let first = run(&mut vm, scenario);
    let mut vm = RefVm::new(scenario).expect("machine");
    let second = run(&mut vm, scenario);
    // FERN_SCENARIO_TRACE=<name prefix> prints every outcome of matching scenarios.
    if let Ok(prefix) = std::env::var("FERN_SCENARIO_TRACE") {
        if scenario.name.starts_with(&prefix) {
            for (step, out) in scenario.steps.iter().zip(&first.outcomes) {
                eprintln!(
                    "{} / {}: exit {} gas {} ret {}",
                    scenario.name,
                    step.label,
                    out.exit_code,
                    out.gas_used,
                    hex(&out.return_data)
                );
            }
        }
    }
    let mut problems = differences(scenario, &first, &second);
    for (step, out) in scenario.steps.iter().zip(&first.outcomes) {
        let status = fvm_ipld_encoding::from_slice::<(u32, RawBytes)>(&out.return_data)
            .ok()
            .map(|(s, _)| s);
        let bad_exit = out.exit_code != step.expect;
        let bad_status = step.expect_status.is_some() && status != step.expect_status;
        if bad_exit || bad_status {
            problems.push(format!(
                "{} / {}: exit {} (expected {}), status {:?} (expected {:?}), gas {}",
                scenario.name,
                step.label,
                out.exit_code,
                step.expect,
                status,
                step.expect_status,
                out.gas_used
            ));
        }
    }
    problems
}

/// ref-fvm recurses on the host stack for nested calls (up to depth 1024), so scenarios run on a
/// thread with a large stack, as node implementations do.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn run_all(nv: NetworkVersion) {
    fern_testing::on_deep_stack(move || run_all_inner(nv));
}

fn run_all_inner(nv: NetworkVersion) {
    let genesis = standard_genesis();
    let scenarios = all(&genesis);
    let messages: usize = scenarios.iter().map(Scenario::len).sum();
    assert!(messages >= 300, "the library has {messages} messages");
    let mut names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), scenarios.len(), "scenario names are unique");

    let mut problems = Vec::new();
    for s in &scenarios {
        problems.extend(check(&s.at(nv)));
    }
    assert!(
        problems.is_empty(),
        "nv{nv}: {} of {messages} messages differ from their declaration:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn scenarios_at_nv21() {
    run_all(NetworkVersion::V21);
}

#[test]
fn scenarios_at_nv25() {
    run_all(NetworkVersion::V25);
}

#[test]
fn scenarios_at_nv28() {
    run_all(NetworkVersion::V28);
}

#[test]
fn differences_name_the_step_and_field() {
    let genesis = standard_genesis();
    let scenario = all(&genesis)
        .into_iter()
        .find(|s| s.name == "transfers/basic")
        .unwrap();
    let scenario = &scenario;
    let first = std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(1 << 28)
            .spawn_scoped(s, || run(&mut RefVm::new(scenario).unwrap(), scenario))
            .unwrap()
            .join()
            .unwrap()
    });
    assert!(differences(scenario, &first, &first).is_empty());
    let mut changed = first.clone();
    changed.outcomes[2].gas_used += 1;
    let found = differences(scenario, &first, &changed);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains(&scenario.steps[2].label) && found[0].contains("gas used"));
    let mut changed = first.clone();
    changed.state_root = genesis.state_root;
    assert_eq!(differences(scenario, &first, &changed).len(), 1);
}

#[test]
fn genesis_is_deterministic() {
    let a = fern_testing::genesis::GenesisSpec::standard()
        .build()
        .unwrap();
    let b = fern_testing::genesis::GenesisSpec::standard()
        .build()
        .unwrap();
    assert_eq!(a.state_root, b.state_root);
    assert_eq!(a.blocks, b.blocks);
    // Every test actor's code is in the store under its CID.
    for actor in &a.test_actors {
        let wasm = fern_test_actors::wasm(&actor.name).unwrap();
        assert_eq!(a.blocks.get(&actor.code).map(Vec::as_slice), Some(wasm));
    }
}
