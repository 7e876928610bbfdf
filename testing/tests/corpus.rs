//! The committed corpus in `test-vectors/` is exactly what the generator writes today, and it
//! covers what a conformance corpus must: every network version from 17 to 29, every scenario of
//! the library (which together reach every syscall and executor exit path), multi-message
//! vectors, events and randomness rules; and ref-fvm (2.12 at nv17, 3.14 at nv18 to nv20, 4.8
//! from nv21),
//! replaying each committed file on its own
//! (not the scenario it came from), agrees with every receipt and root in it. (Replaying it on
//! Fern is the CLI's test: `cli/tests/corpus.rs`.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use fern_conformance::TestVector;
use fern_testing::ref_replay::replay_variant;
use fern_testing::scenarios::{all, standard_genesis};
use fern_testing::vectorgen::{corpus, vector_ready, VectorFile, CORPUS_NETWORK_VERSIONS};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors")
}

/// The corpus as generated now (once per test process, on a deep-stack thread).
fn generated() -> &'static [VectorFile] {
    static CORPUS: OnceLock<Vec<VectorFile>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn(|| corpus().expect("the corpus generates"))
            .unwrap()
            .join()
            .unwrap()
    })
}

fn committed() -> BTreeMap<String, Vec<u8>> {
    let dir = corpus_dir();
    let mut out = BTreeMap::new();
    let mut pending = vec![dir.clone()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).expect("test-vectors/ is readable") {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let rel = path.strip_prefix(&dir).unwrap();
                let rel: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.insert(rel.join("/"), std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn generator_reproduces_the_committed_corpus_byte_for_byte() {
    let files = generated();
    let committed = committed();
    let made: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let have: BTreeSet<&str> = committed.keys().map(String::as_str).collect();
    let missing: Vec<_> = made.difference(&have).collect();
    let extra: Vec<_> = have.difference(&made).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "test-vectors/ is out of date (run `cargo run --release -p fern_testing --bin \
         fern-gen-vectors`): not committed {missing:?}, no longer generated {extra:?}"
    );
    let differing: Vec<&str> = files
        .iter()
        .filter(|f| committed[&f.path] != f.json.as_bytes())
        .map(|f| f.path.as_str())
        .collect();
    assert!(
        differing.is_empty(),
        "these vectors regenerate differently: {differing:?}"
    );
}

#[test]
fn corpus_covers_versions_scenarios_and_outcomes() {
    let files = generated();
    assert!(files.len() >= 150, "only {} vectors", files.len());

    // Every network version, and each one well represented.
    let mut per_nv = BTreeMap::new();
    for f in files {
        let variants = &f.vector.preconditions.variants;
        assert_eq!(variants.len(), 1, "{}", f.path);
        *per_nv.entry(variants[0].nv).or_insert(0usize) += 1;
    }
    // nv18 to nv20 keep only the scenarios that mean the same under ref-fvm 3.x (most test
    // actors import 4.x-only syscalls and cannot link there; `vectorgen::fvm3_version_for`).
    for nv in CORPUS_NETWORK_VERSIONS {
        let least = if nv <= 20 { 5 } else { 15 };
        assert!(
            per_nv.get(&nv).copied().unwrap_or(0) >= least,
            "nv{nv}: {per_nv:?}"
        );
    }

    // nv17: the probe, transfer and Wasm vectors written from ref-fvm 2.12 runs.
    assert!(
        per_nv.get(&17).copied().unwrap_or(0) >= 3,
        "nv17: {per_nv:?}"
    );

    // Every scenario of the library that a vector can express is in the corpus.
    let genesis = standard_genesis();
    let expressible: BTreeSet<String> = all(&genesis)
        .iter()
        .filter(|s| vector_ready(s).is_some())
        .map(|s| s.name.clone())
        .collect();
    let present: BTreeSet<String> = files
        .iter()
        .filter(|f| !f.path.starts_with("nv17/"))
        .map(|f| f.path.split("--nv").next().unwrap().to_string())
        .collect();
    assert_eq!(present, expressible);
    assert!(present.len() >= 50, "{} scenarios", present.len());

    let receipts = || files.iter().flat_map(|f| &f.vector.postconditions.receipts);
    // Multi-message vectors, events, randomness rules.
    assert!(
        files
            .iter()
            .filter(|f| f.vector.apply_messages.len() > 1)
            .count()
            >= 100
    );
    assert!(receipts().any(|r| matches!(r.events_root, Some(Some(_)))));
    assert!(files.iter().any(|f| !f.vector.randomness.is_empty()));
    // Executor exit paths: sender invalid (1), sender state invalid (2), insufficient funds (6),
    // out of gas (7), illegal argument (16), user exit codes; and successes.
    let codes: BTreeSet<u32> = receipts().map(|r| r.exit_code).collect();
    for code in [0, 1, 2, 6, 7, 16] {
        assert!(
            codes.contains(&code),
            "no receipt with exit code {code}: {codes:?}"
        );
    }
    assert!(
        codes.iter().any(|c| *c >= 32),
        "no user exit code: {codes:?}"
    );
    assert!(receipts().count() >= 1000);
}

#[test]
fn committed_corpus_replays_on_ref_fvm_from_the_files_alone() {
    fern_testing::on_deep_stack(|| {
        let mut vectors = Vec::new();
        for (path, bytes) in committed() {
            let v = TestVector::from_json(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
            vectors.push((path, v));
        }
        assert!(vectors.len() >= 150, "{} vectors", vectors.len());
        let mut failures = Vec::new();
        let mut messages = 0;
        for (path, v) in &vectors {
            for variant in &v.preconditions.variants {
                let replayed = if variant.nv == 17 {
                    fern_testing::ref_vm2::replay_variant(v, variant, &[])
                } else {
                    replay_variant(v, variant)
                };
                match replayed {
                    Ok(diffs) => failures.extend(diffs.into_iter().map(|d| format!("{path}: {d}"))),
                    Err(e) => failures.push(format!("{path}: {e:#}")),
                }
                messages += v.apply_messages.len();
            }
        }
        eprintln!(
            "ref-fvm replayed {} vectors, {messages} messages",
            vectors.len()
        );
        assert!(
            failures.is_empty(),
            "ref-fvm disagrees:\n{}",
            failures.join("\n")
        );

        // The replay can tell: one gas figure off by one is reported.
        let (path, v) = &vectors[0];
        let mut bad = v.clone();
        bad.postconditions.receipts[0].gas_used += 1;
        let diffs = replay_variant(&bad, &bad.preconditions.variants[0]).unwrap();
        assert_eq!(diffs.len(), 1, "{path}: {diffs:?}");
        assert!(diffs[0].contains("gas used"), "{diffs:?}");
    });
}
