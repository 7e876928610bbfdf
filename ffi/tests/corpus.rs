//! The whole corpus (`test-vectors/`) replayed through the C interface: every receipt (exit
//! code, return bytes, gas used, events root) and every final state root must equal what the
//! conformance runner (`fern vectors run`'s code path, the Rust API) produces and what the
//! vector expects. The executor runs with tracing on, so the Lotus-shaped trace of every message
//! is built and encoded too.

mod support;

use std::path::PathBuf;

use fern_conformance::{run_variant_with_actuals, RunOptions, VariantResult};
use fern_ffi::{FERN_APPLY_EXPLICIT, FERN_FLAG_TRACING};
use support::*;

fn vector_files() -> Vec<PathBuf> {
    let files = fern_conformance::collect_vector_files(&[corpus_dir()]).expect("corpus");
    assert!(files.len() >= 150, "the corpus has {} files", files.len());
    files
}

/// Runs one vector's first variant through the FFI; returns receipts and root, or the reason.
fn through_ffi(path: &std::path::Path) -> Result<(Vec<Applied>, cid::Cid), String> {
    let vector = load_vector(path);
    let (host, settings) = vector_setup(&vector, FERN_FLAG_TRACING);
    let exec = Exec::new(&settings, &host).map_err(|e| format!("create: {e:?}"))?;
    let mut receipts = Vec::new();
    for (i, m) in vector.apply_messages.iter().enumerate() {
        let bytes = &m.bytes.0;
        let r = exec
            .apply(bytes, FERN_APPLY_EXPLICIT, chain_len(bytes))
            .map_err(|e| format!("message {i}: {e:?}"))?;
        receipts.push(r);
    }
    let root = exec.flush().map_err(|e| format!("flush: {e:?}"))?;
    // Everything the executor fetched was handed back to the host's free function.
    assert_eq!(
        host.outstanding.load(std::sync::atomic::Ordering::Relaxed),
        0
    );
    // The new root is in the host's store now.
    assert!(
        host.has_block(&root),
        "{}: flushed root not stored",
        path.display()
    );
    Ok((receipts, root))
}

#[test]
fn corpus_through_the_c_interface_matches_the_runner() {
    let files = vector_files();
    let mut compared_messages = 0usize;
    let mut traced = 0usize;
    let mut failures = Vec::new();
    for path in &files {
        let vector = load_vector(path);
        let variant = vector.preconditions.variants[0].clone();
        let nv = variant.nv;
        let runner_vector = vector.clone();
        let (verdict, actual) = std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn(move || {
                run_variant_with_actuals(&runner_vector, &variant, &RunOptions::default())
            })
            .unwrap()
            .join()
            .unwrap();
        assert!(
            matches!(verdict, VariantResult::Passed),
            "{}: the runner fails it",
            path.display()
        );
        match through_ffi(path) {
            Err(e) => failures.push(format!("{}: {e}", path.display())),
            Ok((receipts, root)) => {
                if receipts.len() != actual.receipts.len() {
                    failures.push(format!(
                        "{}: {} receipts, runner {}",
                        path.display(),
                        receipts.len(),
                        actual.receipts.len()
                    ));
                    continue;
                }
                for (i, (f, r)) in receipts.iter().zip(&actual.receipts).enumerate() {
                    let events_root = r.events_root.map(|c| c.to_bytes()).unwrap_or_default();
                    if (f.exit_code, &f.return_data, f.gas_used, &f.events_root)
                        != (r.exit_code, &r.return_data, r.gas_used, &events_root)
                    {
                        failures.push(format!(
                            "{} message {i}: ffi {f:?}, runner {r:?}",
                            path.display()
                        ));
                    }
                    // With tracing on, every executed message has a trace; a message rejected
                    // before execution (gas used 0) has none, and nv17 keeps no trace yet
                    // (FIPS/versions.md §7.6).
                    if f.gas_used > 0 && f.exec_trace.is_empty() && nv != 17 {
                        failures.push(format!("{} message {i}: no trace", path.display()));
                    }
                    traced += usize::from(!f.exec_trace.is_empty());
                    compared_messages += 1;
                }
                if Some(root) != actual.state_root {
                    failures.push(format!(
                        "{}: root {root}, runner {:?}",
                        path.display(),
                        actual.state_root
                    ));
                }
                if root != vector.postconditions.state_tree.root_cid.0 {
                    failures.push(format!(
                        "{}: root {root} differs from the vector's",
                        path.display()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!(
        "{} vectors, {compared_messages} messages identical through the C interface ({traced} traced)",
        files.len()
    );
    assert!(compared_messages > 1000);
}
