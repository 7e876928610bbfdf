//! The committed corpus (`test-vectors/`) on the real `fern` binary: the embedded default passes
//! in full, and its report is the same for repeated runs and for any number of worker threads.
//!
//! Both tests fail while `test-vectors/` holds fewer than [`MIN_VECTORS`] passing variants.

use std::path::PathBuf;
use std::process::Command;

/// The repository's corpus directory.
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../test-vectors");

/// The corpus must hold at least this many variants.
const MIN_VECTORS: usize = 150;

fn fern(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_fern"))
        .args(args)
        .env_remove("FERN_VECTORS")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `N` of a `N passed, 0 failed, 0 skipped` summary line, or a panic describing the output.
fn all_passed(code: i32, out: &str, err: &str) -> usize {
    let last = out.lines().last().unwrap_or("");
    let passed = last
        .strip_suffix(" passed, 0 failed, 0 skipped")
        .and_then(|n| n.parse::<usize>().ok());
    match passed {
        Some(n) if code == 0 => n,
        _ => panic!("fern exited {code}; last line {last:?}\nstdout:\n{out}\nstderr:\n{err}"),
    }
}

#[test]
fn fern_alone_passes_the_whole_corpus() {
    // `fern` with no arguments is the embedded default: the corpus of this source tree.
    let (code, out, err) = fern(&[]);
    let passed = all_passed(code, &out, &err);
    assert!(
        passed >= MIN_VECTORS,
        "only {passed} vectors passed in {CORPUS}; the corpus needs at least {MIN_VECTORS}"
    );
}

#[test]
fn corpus_report_is_identical_across_runs_and_thread_counts() {
    let dir = std::env::temp_dir().join(format!("fern-determinism-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut reports = Vec::new();
    for (run, jobs) in [(1, "1"), (2, "1"), (3, "2")] {
        let report: PathBuf = dir.join(format!("run{run}-jobs{jobs}.jsonl"));
        let (code, out, err) = fern(&[
            "vectors",
            "run",
            "--jobs",
            jobs,
            "--report",
            report.to_str().unwrap(),
            CORPUS,
        ]);
        all_passed(code, &out, &err);
        reports.push((report.clone(), std::fs::read(&report).unwrap()));
    }
    let (first_path, first) = &reports[0];
    let lines = first
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert!(
        lines >= MIN_VECTORS,
        "the report has {lines} lines; the corpus needs at least {MIN_VECTORS} variants"
    );
    // Every line carries what Fern produced.
    let text = std::str::from_utf8(first).unwrap();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["result"], "passed", "{line}");
        assert!(v["receipts"].is_array(), "{line}");
        assert!(v["state_root"].is_string(), "{line}");
    }
    for (path, bytes) in &reports[1..] {
        assert!(
            bytes == first,
            "{} and {} differ",
            first_path.display(),
            path.display()
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
