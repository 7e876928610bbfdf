//! `fern-gen-vectors`: writes the test-vector corpus from ref-fvm runs of the scenario library.
//!
//! ```text
//! fern-gen-vectors [--check] [DIR]
//! ```
//!
//! Writes every vector under `DIR` (default: the repository's `test-vectors/`), deletes `.json`
//! files there that the corpus no longer has, replays each new vector on Fern and prints the
//! counts. With `--check` nothing is written: the command exits 1 when a file would change.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use fern_conformance::{run_vector, RunOptions, VariantResult};
use fern_testing::vectorgen::{corpus, count_by_version, VectorFile};

fn main() -> ExitCode {
    let mut check = false;
    let mut dir = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--check" => check = true,
            "-h" | "--help" => {
                println!("usage: fern-gen-vectors [--check] [DIR]");
                return ExitCode::SUCCESS;
            }
            a if a.starts_with('-') => {
                eprintln!("fern-gen-vectors: unknown option {a}");
                return ExitCode::from(2);
            }
            a => dir = Some(PathBuf::from(a)),
        }
    }
    let dir = dir.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors"));
    // Both VMs recurse on the host stack for nested calls.
    match fern_testing::on_deep_stack(move || generate(&dir, check)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fern-gen-vectors: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn generate(dir: &Path, check: bool) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let files = corpus()?;
    let generated = started.elapsed();
    let existing = json_files(dir)?;
    let wanted: BTreeSet<String> = files.iter().map(|f| f.path.clone()).collect();
    let mut changed = Vec::new();
    for f in &files {
        let path = dir.join(&f.path);
        if std::fs::read(&path).ok().as_deref() != Some(f.json.as_bytes()) {
            changed.push(f.path.clone());
            if !check {
                std::fs::create_dir_all(path.parent().expect("vector paths have a parent"))?;
                std::fs::write(&path, &f.json)?;
            }
        }
    }
    let stale: Vec<&String> = existing.difference(&wanted).collect();
    if !check {
        for s in &stale {
            std::fs::remove_file(dir.join(s))?;
        }
    }
    let bytes: usize = files.iter().map(|f| f.json.len()).sum();
    let messages: usize = files.iter().map(|f| f.vector.apply_messages.len()).sum();
    println!(
        "{} vectors, {messages} messages, {:.1} MiB, generated in {:.1}s; by network version: {:?}",
        files.len(),
        bytes as f64 / (1 << 20) as f64,
        generated.as_secs_f64(),
        count_by_version(&files)
    );
    if check {
        for c in &changed {
            println!("would change: {c}");
        }
        for s in &stale {
            println!("would delete: {s}");
        }
        let same = changed.is_empty() && stale.is_empty();
        println!(
            "{}",
            if same {
                "corpus up to date"
            } else {
                "corpus out of date"
            }
        );
        return Ok(if same {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    println!("{} written, {} deleted", changed.len(), stale.len());
    Ok(replay(&files))
}

/// Replays every vector on Fern; the corpus is only useful if Fern passes it.
fn replay(files: &[VectorFile]) -> ExitCode {
    let started = std::time::Instant::now();
    let mut failed = 0;
    for f in files {
        for outcome in run_vector(&f.vector, &RunOptions::default()) {
            if outcome.result != VariantResult::Passed {
                failed += 1;
                println!(
                    "FAIL {} [{}]: {:?}",
                    f.path, outcome.variant, outcome.result
                );
            }
        }
    }
    println!(
        "replayed on Fern in {:.1}s: {} passed, {failed} failed",
        started.elapsed().as_secs_f64(),
        files.len() - failed
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Every `.json` file under `dir`, relative and `/`-separated (none if `dir` does not exist).
fn json_files(dir: &Path) -> anyhow::Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let rel = path.strip_prefix(dir)?;
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.insert(parts.join("/"));
            }
        }
    }
    Ok(out)
}
