//! Execution traces, event by event: every scenario of the library runs on ref-fvm 4.8
//! (`RefVm::recorded`, tracing on) and on Fern (`FernVm::traced`) at network versions 21, 25 and
//! 28, and the two traces of every message must be identical: calls (caller, recipient address
//! bytes, method, parameters codec and bytes, value, gas limit, read-only flag), returns (exit
//! code, return codec and bytes), call errors (error number), invoked actors (id, code, state
//! root, nonce, balance, delegated address), gas charges (name, compute and other milligas),
//! block reads and writes (CID, size) and debug logs — same events, same order.
//!
//! Not compared: the text of a `CallError` (diagnostic; Fern's wording differs from ref-fvm's in
//! places). The test reports how many error texts differ, for information.

use fern_testing::fern_vm::FernVm;
use fern_testing::ref_vm::RefVm;
use fern_testing::scenario::Scenario;
use fern_testing::scenarios::{all, standard_genesis};
use fern_testing::vm::{TraceEvent, Vm};
use fvm_shared::version::NetworkVersion;

/// Counts of one network version's run.
#[derive(Default)]
struct Tally {
    messages: usize,
    events: usize,
    calls: usize,
    invokes: usize,
    ipld: usize,
    logs: usize,
    errors: usize,
    error_texts_differ: usize,
}

/// The comparable form of an event: a `CallError` without its message text.
fn comparable(e: &TraceEvent) -> TraceEvent {
    match e {
        TraceEvent::CallError { number, .. } => TraceEvent::CallError {
            number: *number,
            message: String::new(),
        },
        other => other.clone(),
    }
}

/// The first difference between two traces of one message, if any.
fn first_difference(expected: &[TraceEvent], actual: &[TraceEvent]) -> Option<String> {
    let n = expected.len().max(actual.len());
    for i in 0..n {
        let (e, a) = (
            expected.get(i).map(comparable),
            actual.get(i).map(comparable),
        );
        if e != a {
            let context: Vec<String> = expected[i.saturating_sub(3)..i]
                .iter()
                .map(|e| format!("      {e:?}"))
                .collect();
            return Some(format!(
                "event {i} of {}/{}:\n    before (both):\n{}\n    ref-fvm: {e:?}\n    Fern:    {a:?}",
                expected.len(),
                actual.len(),
                context.join("\n")
            ));
        }
    }
    None
}

fn compare(scenario: &Scenario, tally: &mut Tally) -> Vec<String> {
    let mut reference = RefVm::recorded(scenario).expect("ref-fvm machine");
    let mut fern = FernVm::traced(scenario).expect("Fern machine");
    let mut found = Vec::new();
    for step in &scenario.steps {
        let expected = reference.apply(&step.msg, step.raw_len);
        let actual = fern.apply(&step.msg, step.raw_len);
        tally.messages += 1;
        tally.events += expected.trace.len();
        for (e, a) in expected.trace.iter().zip(&actual.trace) {
            match (e, a) {
                (TraceEvent::Call { .. }, _) => tally.calls += 1,
                (TraceEvent::InvokeActor { .. }, _) => tally.invokes += 1,
                (TraceEvent::Ipld { .. }, _) => tally.ipld += 1,
                (TraceEvent::Log(_), _) => tally.logs += 1,
                (
                    TraceEvent::CallError { message: m1, .. },
                    TraceEvent::CallError { message: m2, .. },
                ) => {
                    tally.errors += 1;
                    if m1 != m2 {
                        tally.error_texts_differ += 1;
                    }
                }
                _ => {}
            }
        }
        if let Some(d) = first_difference(&expected.trace, &actual.trace) {
            found.push(format!("{} / {}: {d}", scenario.name, step.label));
        }
        // Keep both VMs on the same state even when a trace differs.
        assert_eq!(
            (expected.exit_code, expected.gas_used),
            (actual.exit_code, actual.gas_used),
            "{} / {}: receipts differ",
            scenario.name,
            step.label
        );
    }
    found
}

fn exec_traces(nv: NetworkVersion) {
    fern_testing::on_deep_stack(move || exec_traces_inner(nv));
}

fn exec_traces_inner(nv: NetworkVersion) {
    let genesis = standard_genesis();
    let mut tally = Tally::default();
    let mut differences = Vec::new();
    for s in all(&genesis).iter().map(|s| s.at(nv)) {
        differences.extend(compare(&s, &mut tally));
    }
    eprintln!(
        "nv{nv}: {} messages, {} trace events compared ({} calls, {} actors invoked, {} call \
         errors, {} IPLD, {} logs); {} traces differ; {} call-error texts differ (not compared)",
        tally.messages,
        tally.events,
        tally.calls,
        tally.invokes,
        tally.errors,
        tally.ipld,
        tally.logs,
        differences.len(),
        tally.error_texts_differ,
    );
    assert!(
        tally.messages >= 400,
        "only {} messages compared",
        tally.messages
    );
    assert!(tally.calls > 0 && tally.invokes > 0 && tally.ipld > 0 && tally.logs > 0);
    assert!(
        differences.is_empty(),
        "nv{nv}: Fern's execution trace differs from ref-fvm's on {} messages:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

#[test]
fn traces_match_ref_fvm_at_nv21() {
    exec_traces(NetworkVersion::V21);
}

#[test]
fn traces_match_ref_fvm_at_nv25() {
    exec_traces(NetworkVersion::V25);
}

#[test]
fn traces_match_ref_fvm_at_nv28() {
    exec_traces(NetworkVersion::V28);
}

/// Without tracing, Fern records nothing, while ref-fvm 4.8.4 still records its `Ipld` and `Log`
/// events (its call manager's `trace_ipld` and `log` do not look at the tracing flag) — and
/// nothing else. Fern does not copy that quirk: a trace is all or nothing.
#[test]
fn untraced_runs_record_nothing_on_fern_and_only_ipld_and_logs_on_ref_fvm() {
    fern_testing::on_deep_stack(|| {
        let genesis = standard_genesis();
        let (mut ref_events, mut fern_events) = (0usize, 0usize);
        for s in all(&genesis)
            .iter()
            .filter(|s| s.name.starts_with("syscalls/ipld") || s.name.contains("debugging"))
        {
            let s = s.at(NetworkVersion::V25);
            let mut reference = RefVm::new(&s).expect("ref-fvm machine");
            let mut fern = FernVm::new(&s).expect("Fern machine");
            for step in &s.steps {
                let r = reference.apply(&step.msg, step.raw_len);
                let f = fern.apply(&step.msg, step.raw_len);
                assert!(
                    r.trace
                        .iter()
                        .all(|e| matches!(e, TraceEvent::Ipld { .. } | TraceEvent::Log(_))),
                    "{} / {}: {:?}",
                    s.name,
                    step.label,
                    r.trace
                );
                ref_events += r.trace.len();
                fern_events += f.trace.len();
            }
        }
        assert!(ref_events > 0, "no untraced Ipld/Log event seen on ref-fvm");
        assert_eq!(fern_events, 0);
    });
}
