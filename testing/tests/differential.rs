//! The differential suite: every scenario of the library runs on ref-fvm 4.8 and on Fern from the
//! same genesis, at network versions 21, 25 and 28. After every message the two must agree bit
//! for bit on the exit code, return bytes, gas used, events root, events and the state root.
//!
//! Scenarios on which Fern is known to diverge are listed in [`KNOWN_DIVERGENT`] with the reason;
//! the suite checks that each still diverges, so a fix must also shorten the list, and that
//! every other scenario matches exactly.

use cid::Cid;
use fern_testing::fern_vm::FernVm;
use fern_testing::ref_vm::RefVm;
use fern_testing::scenario::{differences, Run, Scenario};
use fern_testing::scenarios::{all, standard_genesis};
use fern_testing::vm::Vm;
use fvm_shared::version::NetworkVersion;

/// Scenarios (by name prefix) where Fern does not yet match ref-fvm, with the reason. Empty
/// when Fern matches on every message.
const KNOWN_DIVERGENT: &[(&str, &str)] = &[];

/// Applies every step and records the state root after each message.
fn run_with_roots(vm: &mut dyn Vm, scenario: &Scenario) -> (Run, Vec<Cid>) {
    let mut outcomes = Vec::with_capacity(scenario.steps.len());
    let mut roots = Vec::with_capacity(scenario.steps.len());
    for step in &scenario.steps {
        outcomes.push(vm.apply(&step.msg, step.raw_len));
        roots.push(vm.state_root());
    }
    let state_root = roots.last().copied().unwrap_or_else(|| vm.state_root());
    (
        Run {
            outcomes,
            state_root,
        },
        roots,
    )
}

/// Every difference between ref-fvm and Fern on one scenario, one line each.
fn compare(scenario: &Scenario) -> Vec<String> {
    let (expected, expected_roots) = run_with_roots(
        &mut RefVm::new(scenario).expect("ref-fvm machine"),
        scenario,
    );
    let mut fern = match FernVm::new(scenario) {
        Ok(vm) => vm,
        Err(e) => {
            return vec![format!(
                "{}: Fern cannot build the machine: {e:#}",
                scenario.name
            )]
        }
    };
    let (actual, actual_roots) = run_with_roots(&mut fern, scenario);
    let mut found = differences(scenario, &expected, &actual);
    for ((step, e), a) in scenario
        .steps
        .iter()
        .zip(&expected_roots)
        .zip(&actual_roots)
    {
        if e != a {
            found.push(format!(
                "{} / {}: state root {e} vs {a}",
                scenario.name, step.label
            ));
            break; // later roots differ too; the first one is the useful one
        }
    }
    found
}

fn known_divergent(name: &str) -> bool {
    KNOWN_DIVERGENT
        .iter()
        .any(|(prefix, _)| name.starts_with(prefix))
}

fn differential(nv: NetworkVersion) {
    fern_testing::on_deep_stack(move || differential_inner(nv));
}

fn differential_inner(nv: NetworkVersion) {
    let genesis = standard_genesis();
    let scenarios = all(&genesis);
    let mut compared = 0usize;
    let mut unexpected = Vec::new();
    let mut still_divergent = 0usize;
    let mut fixed = Vec::new();
    for s in scenarios.iter().map(|s| s.at(nv)) {
        let found = compare(&s);
        if known_divergent(&s.name) {
            if found.is_empty() {
                fixed.push(s.name.clone());
            } else {
                still_divergent += 1;
            }
            continue;
        }
        compared += s.len();
        unexpected.extend(found);
    }
    eprintln!(
        "nv{nv}: {compared} messages compared and identical, {still_divergent} scenarios known divergent"
    );
    assert!(compared >= 300, "only {compared} messages were compared");
    assert!(
        unexpected.is_empty(),
        "nv{nv}: Fern differs from ref-fvm ({} differences):\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(
        fixed.is_empty(),
        "nv{nv}: these scenarios now match; remove them from KNOWN_DIVERGENT: {fixed:?}"
    );
}

#[test]
fn fern_matches_ref_fvm_at_nv21() {
    differential(NetworkVersion::V21);
}

#[test]
fn fern_matches_ref_fvm_at_nv25() {
    differential(NetworkVersion::V25);
}

#[test]
fn fern_matches_ref_fvm_at_nv28() {
    differential(NetworkVersion::V28);
}

#[test]
fn fern_matches_ref_fvm_at_nv29() {
    differential(NetworkVersion::V29);
}

/// The development version (Fern: `NetworkConfig::development`; the oracle: ref-fvm's
/// `nv30-dev` feature).
#[test]
fn fern_matches_ref_fvm_at_nv30() {
    differential(NetworkVersion::V30);
}
