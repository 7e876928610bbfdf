//! The `fern` binary's command-line contract: help, the summary line, the exit status, the
//! default corpus, the report, `fern exec` and bundle archives.

use std::path::{Path, PathBuf};
use std::process::Command;

use fern_conformance::vector::gunzip;
use fern_conformance::{collect_vector_files, TestVector};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../test-vectors");

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fern(args: &[&str]) -> (i32, String, String) {
    run(Command::new(env!("CARGO_BIN_EXE_fern"))
        .args(args)
        .env_remove("FERN_VECTORS"))
}

/// `fern` with `FERN_VECTORS` set to `dir`.
fn fern_with_corpus(dir: &Path, args: &[&str]) -> (i32, String, String) {
    run(Command::new(env!("CARGO_BIN_EXE_fern"))
        .args(args)
        .env("FERN_VECTORS", dir))
}

const TIPSET_VECTOR: &str = r#"{"class":"tipset","car":"","preconditions":{"variants":[],"state_tree":{"root_cid":{"/":"bafkqaaa"}}},"postconditions":{"state_tree":{"root_cid":{"/":"bafkqaaa"}},"receipts":[]}}"#;

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fern-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    dir
}

#[test]
fn help_prints_usage() {
    for flag in ["help", "--help", "-h"] {
        let (code, out, _) = fern(&[flag]);
        assert_eq!(code, 0);
        assert!(out.contains("fern vectors run"));
        assert!(out.contains("fern exec --state"));
        assert!(out.contains("fern bundle inspect"));
        assert!(out.contains("--report FILE"));
    }
}

#[test]
fn unknown_command_is_a_usage_error() {
    let (code, _, err) = fern(&["frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown command"));
}

#[test]
fn summary_line_and_exit_status() {
    let dir = temp_dir("run");
    // A vector of a class the runner does not replay: skipped.
    std::fs::write(dir.join("nested/tipset.json"), TIPSET_VECTOR).unwrap();
    let (code, out, _) = fern(&["vectors", "run", dir.to_str().unwrap()]);
    assert_eq!(
        out.lines().last(),
        Some("0 passed, 0 failed, 1 skipped"),
        "{out}"
    );
    assert_eq!(code, 0);

    // A broken file: one failure line naming it, then the summary, exit status 1.
    std::fs::write(dir.join("broken.json"), "{").unwrap();
    let (code, out, _) = fern(&["vectors", "run", "--jobs", "2", dir.to_str().unwrap()]);
    assert_eq!(code, 1);
    let lines: Vec<_> = out.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("FAIL ") && l.contains("broken.json")),
        "{out}"
    );
    assert!(lines.last().unwrap().ends_with("skipped"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_path_and_bad_bundle_are_usage_errors() {
    let (code, _, err) = fern(&["vectors", "run", "/nonexistent/vectors"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/vectors"));
    let dir = temp_dir("bundle");
    let junk = dir.join("junk.car");
    std::fs::write(&junk, b"junk").unwrap();
    let (code, _, err) = fern(&["vectors", "run", "--bundle", junk.to_str().unwrap(), "."]);
    assert_eq!(code, 2);
    assert!(err.contains("bundle"), "{err}");
    let (code, _, err) = fern(&["bundle", "inspect", junk.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid CAR"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn empty_or_missing_default_corpus_is_an_error() {
    let dir = temp_dir("empty-corpus");
    std::fs::remove_dir_all(dir.join("nested")).unwrap();
    for args in [&[][..], &["vectors", "run"][..]] {
        let (code, out, err) = fern_with_corpus(&dir, args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert_eq!(out.lines().last(), Some("0 passed, 0 failed, 0 skipped"));
        assert!(
            err.contains(&format!("no vectors found in {}", dir.display())),
            "{err}"
        );
    }
    // An explicit empty directory is no better.
    let (code, _, err) = fern(&["vectors", "run", dir.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("no vectors found"), "{err}");
    let missing = dir.join("does-not-exist");
    let (code, out, err) = fern_with_corpus(&missing, &[]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("default vector corpus"), "{err}");
    assert!(err.contains(missing.to_str().unwrap()), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn fern_alone_runs_the_corpus_named_by_fern_vectors() {
    let dir = temp_dir("env-corpus");
    std::fs::write(dir.join("nested/tipset.json"), TIPSET_VECTOR).unwrap();
    let (code, out, err) = fern_with_corpus(&dir, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().last(), Some("0 passed, 0 failed, 1 skipped"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn report_is_sorted_json_lines_and_repeatable() {
    let dir = temp_dir("report");
    std::fs::write(dir.join("nested/tipset.json"), TIPSET_VECTOR).unwrap();
    std::fs::write(dir.join("broken.json"), "{").unwrap();
    std::fs::write(dir.join("a.json"), "[]").unwrap();
    let mut reports = Vec::new();
    for jobs in ["1", "3"] {
        let report = dir.join(format!("report-{jobs}.jsonl.out"));
        let (code, out, _) = fern(&[
            "vectors",
            "run",
            "--jobs",
            jobs,
            "--report",
            report.to_str().unwrap(),
            dir.to_str().unwrap(),
        ]);
        assert_eq!(code, 1);
        assert_eq!(out.lines().last(), Some("0 passed, 2 failed, 1 skipped"));
        reports.push(std::fs::read_to_string(&report).unwrap());
    }
    assert_eq!(reports[0], reports[1]);
    let lines: Vec<serde_json::Value> = reports[0]
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let files: Vec<&str> = lines.iter().map(|l| l["file"].as_str().unwrap()).collect();
    // Named relative to the directory given, so reports do not depend on where it is.
    assert_eq!(files, ["a.json", "broken.json", "nested/tipset.json"]);
    let results: Vec<&str> = lines
        .iter()
        .map(|l| l["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["failed", "failed", "skipped"]);
    assert!(lines[1]["reason"]
        .as_str()
        .unwrap()
        .contains("invalid vector JSON"));
    // A report that cannot be written is an error.
    let (code, _, err) = fern(&[
        "vectors",
        "run",
        "--report",
        "/nonexistent/dir/report",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot write the report"), "{err}");
    let (code, _, _) = fern(&["vectors", "run", "--report"]);
    assert_eq!(code, 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A lotus-style bundle archive holding Fern's bundle CAR twice (one gzip-compressed).
fn bundle_archive() -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let car = fern_bundle::BUNDLE_CAR;
    let gz = fern_conformance::vector::gzip(car);
    for (name, data) in [
        ("builtin-actors-mainnet.car", car),
        ("builtin-actors-devnet.car", gz.as_slice()),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, data).unwrap();
    }
    let tar = builder.into_inner().unwrap();
    ruzstd::encoding::compress_to_vec(tar.as_slice(), ruzstd::encoding::CompressionLevel::Fastest)
}

#[test]
fn tar_zst_bundles_for_inspect_and_run() {
    let dir = temp_dir("tar-zst");
    let car = dir.join("bundle.car");
    std::fs::write(&car, fern_bundle::BUNDLE_CAR).unwrap();
    let archive = dir.join("v1.tar.zst");
    std::fs::write(&archive, bundle_archive()).unwrap();
    let (code, single, _) = fern(&["bundle", "inspect", car.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(single.contains("account"), "{single}");
    let (code, both, err) = fern(&["bundle", "inspect", archive.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        both,
        format!("== builtin-actors-mainnet.car\n{single}\n== builtin-actors-devnet.car\n{single}")
    );
    // As --bundle for a run.
    std::fs::write(dir.join("nested/tipset.json"), TIPSET_VECTOR).unwrap();
    let vectors = dir.join("nested");
    let (code, out, err) = fern(&[
        "vectors",
        "run",
        "--bundle",
        archive.to_str().unwrap(),
        vectors.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().last(), Some("0 passed, 0 failed, 1 skipped"));
    // A truncated archive is refused, naming the file.
    let data = std::fs::read(&archive).unwrap();
    std::fs::write(&archive, &data[..data.len() / 2]).unwrap();
    let (code, _, err) = fern(&[
        "vectors",
        "run",
        "--bundle",
        archive.to_str().unwrap(),
        vectors.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("v1.tar.zst"), "{err}");
    let (code, _, err) = fern(&["bundle", "inspect", archive.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("zstd"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn exec_bad_inputs_exit_2() {
    let dir = temp_dir("exec-bad");
    let junk = dir.join("junk.car");
    std::fs::write(&junk, b"junk").unwrap();
    // A valid CAR whose root is not a state tree: Fern's bundle.
    let bundle = dir.join("bundle.car");
    std::fs::write(&bundle, fern_bundle::BUNDLE_CAR).unwrap();
    let good_msgs = dir.join("msgs.txt");
    std::fs::write(&good_msgs, "").unwrap();
    let bad_msgs = dir.join("bad.txt");
    std::fs::write(&bad_msgs, "gwECAw==\n").unwrap();
    let (junk, bundle, good_msgs, bad_msgs) = (
        junk.to_str().unwrap(),
        bundle.to_str().unwrap(),
        good_msgs.to_str().unwrap(),
        bad_msgs.to_str().unwrap(),
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["exec"], "--state"),
        (vec!["exec", "--state", bundle], "--messages"),
        (
            vec!["exec", "--state", bundle, "--messages"],
            "needs a value",
        ),
        (
            vec!["exec", "--state", bundle, "--messages", good_msgs, "--frob"],
            "unexpected argument",
        ),
        (
            vec![
                "exec",
                "--state",
                bundle,
                "--messages",
                good_msgs,
                "--nv",
                "x",
            ],
            "--nv",
        ),
        (
            vec![
                "exec",
                "--state",
                bundle,
                "--messages",
                good_msgs,
                "--epoch",
                "-1",
            ],
            "--epoch",
        ),
        (
            vec![
                "exec",
                "--state",
                bundle,
                "--messages",
                good_msgs,
                "--base-fee",
                "1.5",
            ],
            "--base-fee",
        ),
        (
            vec![
                "exec",
                "--state",
                bundle,
                "--messages",
                good_msgs,
                "--circ-supply",
                "-3",
            ],
            "--circ-supply",
        ),
        (
            vec![
                "exec",
                "--state",
                "/nonexistent.car",
                "--messages",
                good_msgs,
            ],
            "/nonexistent.car",
        ),
        (
            vec!["exec", "--state", junk, "--messages", good_msgs],
            "invalid CAR",
        ),
        (
            vec!["exec", "--state", bundle, "--messages", "/nonexistent.txt"],
            "/nonexistent.txt",
        ),
        (
            vec!["exec", "--state", bundle, "--messages", bad_msgs],
            "not a CBOR-encoded message",
        ),
        (
            vec![
                "exec",
                "--state",
                bundle,
                "--messages",
                good_msgs,
                "--bundle",
                junk,
            ],
            "bundle",
        ),
        (
            vec![
                "exec",
                "--state",
                bundle,
                "--messages",
                good_msgs,
                "--nv",
                "15",
            ],
            "network version 15",
        ),
        // The bundle's root is a manifest, not a state tree: no machine can be built.
        (
            vec!["exec", "--state", bundle, "--messages", good_msgs],
            "cannot build a machine",
        ),
    ];
    for (args, needle) in cases {
        let (code, out, err) = fern(&args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Corpus vectors `fern exec` can replay exactly: no randomness rules (exec serves the fallback
/// digest to every draw) and a network version Fern runs.
fn exec_vectors(n: usize) -> Vec<(PathBuf, TestVector)> {
    let files = collect_vector_files(&[PathBuf::from(CORPUS)]).expect("test-vectors/");
    files
        .into_iter()
        .filter_map(|f| {
            let v = TestVector::from_json(&std::fs::read(&f).ok()?).ok()?;
            let nv = v.preconditions.variants.first()?.nv;
            (v.randomness.is_empty() && (21..=29).contains(&nv) && !v.apply_messages.is_empty())
                .then_some((f, v))
        })
        .step_by(7)
        .take(n)
        .collect()
}

#[test]
fn exec_reproduces_corpus_vectors() {
    let vectors = exec_vectors(3);
    assert!(
        !vectors.is_empty(),
        "no usable vectors in {CORPUS}: the corpus has not been generated"
    );
    let dir = temp_dir("exec");
    for (i, (path, v)) in vectors.iter().enumerate() {
        let state_path = dir.join(format!("state-{i}.car"));
        std::fs::write(&state_path, v.pre_state_car().unwrap()).unwrap();
        // The messages, in the vector's own style.
        let msgs_path = dir.join(format!("msgs-{i}.json"));
        std::fs::write(
            &msgs_path,
            serde_json::to_string(&v.apply_messages).unwrap(),
        )
        .unwrap();
        let out_path = dir.join(format!("out-{i}.car"));
        let variant = &v.preconditions.variants[0];
        let (nv, epoch) = (variant.nv.to_string(), variant.epoch.to_string());
        let base_fee = v
            .preconditions
            .basefee
            .as_ref()
            .map_or("100".into(), |b| b.0.to_string());
        let circ = v
            .preconditions
            .circ_supply
            .as_ref()
            .map_or("0".into(), |b| b.0.to_string());
        let common = [
            "exec",
            "--state",
            state_path.to_str().unwrap(),
            "--messages",
            msgs_path.to_str().unwrap(),
            "--nv",
            &nv,
            "--epoch",
            &epoch,
            "--base-fee",
            &base_fee,
            "--circ-supply",
            &circ,
        ];
        let mut json_args = common.to_vec();
        json_args.extend(["--json", "--out", out_path.to_str().unwrap()]);
        let (code, out, err) = fern(&json_args);
        assert_eq!(code, 0, "{path:?}: {err}");
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        let want_root = v.postconditions.state_tree.root_cid.0.to_string();
        assert_eq!(doc["state_root"], want_root, "{path:?}");
        let receipts = doc["receipts"].as_array().unwrap();
        assert_eq!(receipts.len(), v.postconditions.receipts.len());
        for (j, (got, want)) in receipts.iter().zip(&v.postconditions.receipts).enumerate() {
            assert_eq!(got["index"], j);
            assert_eq!(got["exit_code"], want.exit_code, "{path:?} message {j}");
            let ret = data_encoding::HEXLOWER.encode(&want.return_data.0);
            assert_eq!(got["return"], ret, "{path:?} message {j}");
            assert_eq!(got["gas_used"], want.gas_used, "{path:?} message {j}");
            if let Some(events) = want.events_root {
                let e = events.map_or(serde_json::Value::Null, |c| c.0.to_string().into());
                assert_eq!(got["events_root"], e, "{path:?} message {j}");
            }
        }
        // The text form says the same.
        let (code, text, _) = fern(&common);
        assert_eq!(code, 0);
        // Receipt lines (events and failure details follow, indented).
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with("    ")).collect();
        assert_eq!(lines.len(), receipts.len() + 1);
        for (line, got) in lines.iter().zip(receipts) {
            let prefix = format!(
                "message {}: exit_code {}, gas_used {}, ",
                got["index"], got["exit_code"], got["gas_used"]
            );
            assert!(line.starts_with(&prefix), "{line}");
        }
        assert_eq!(lines.last().unwrap(), &format!("state_root {want_root}"));
        // Traced: the same receipts and root, each message followed by its indented trace,
        // which starts with the message's own send (every message that paid gas ran).
        let mut traced_args = common.to_vec();
        traced_args.push("--trace");
        let (code, traced, err) = fern(&traced_args);
        assert_eq!(code, 0, "{err}");
        let untraced: Vec<&str> = traced.lines().filter(|l| !l.starts_with("    ")).collect();
        assert_eq!(untraced, lines, "{path:?}: tracing changed a result");
        let all: Vec<&str> = traced.lines().collect();
        for (k, line) in all.iter().enumerate() {
            let Some(rest) = line.strip_prefix("message ") else {
                continue;
            };
            let gas: u64 = rest
                .split("gas_used ")
                .nth(1)
                .unwrap()
                .split(',')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let next = all.get(k + 1).copied().unwrap_or("");
            if gas > 0 {
                assert!(
                    next.starts_with("    call f0"),
                    "{path:?}: {line} then {next:?}"
                );
                assert!(traced.contains("    return ") || traced.contains("    error "));
            }
        }
        // The written state runs on: no messages leave its root as it is.
        let empty = dir.join("none.txt");
        std::fs::write(&empty, "").unwrap();
        let (code, out, err) = fern(&[
            "exec",
            "--state",
            out_path.to_str().unwrap(),
            "--messages",
            empty.to_str().unwrap(),
            "--nv",
            &nv,
        ]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(out, format!("state_root {want_root}\n"));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn exec_takes_randomness_rules() {
    let path = PathBuf::from(CORPUS).join("syscalls/randomness--nv23.json");
    let v = TestVector::from_json(&std::fs::read(&path).unwrap()).unwrap();
    assert!(!v.randomness.is_empty());
    let dir = temp_dir("exec-randomness");
    let car = gunzip(&v.car.0).unwrap();
    let state = dir.join("state.car");
    std::fs::write(&state, &car).unwrap();
    let msgs = dir.join("msgs.json");
    std::fs::write(&msgs, serde_json::to_string(&v.apply_messages).unwrap()).unwrap();
    let rules = dir.join("rules.json");
    std::fs::write(&rules, serde_json::to_string(&v.randomness).unwrap()).unwrap();
    let variant = &v.preconditions.variants[0];
    let (nv, epoch) = (variant.nv.to_string(), variant.epoch.to_string());
    let circ = v.preconditions.circ_supply.as_ref().unwrap().0.to_string();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "exec",
            "--state",
            state.to_str().unwrap(),
            "--messages",
            msgs.to_str().unwrap(),
            "--nv",
            &nv,
            "--epoch",
            &epoch,
            "--circ-supply",
            &circ,
            "--json",
        ];
        args.extend_from_slice(extra);
        fern(&args)
    };
    // With the vector's rules: exactly the vector's receipts and root.
    let (code, out, err) = run(&["--randomness", rules.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        doc["state_root"],
        v.postconditions.state_tree.root_cid.0.to_string()
    );
    for (got, want) in doc["receipts"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&v.postconditions.receipts)
    {
        assert_eq!(
            got["return"],
            data_encoding::HEXLOWER.encode(&want.return_data.0)
        );
    }
    // Without them every draw gets the fallback digest: some return differs.
    let (code, plain, _) = run(&[]);
    assert_eq!(code, 0);
    let plain: serde_json::Value = serde_json::from_str(&plain).unwrap();
    assert_ne!(plain["receipts"], doc["receipts"]);
    // A rules file that is not rules, or a digest that is not 32 bytes: exit 2.
    std::fs::write(&rules, "{\"on\": 1}").unwrap();
    assert_eq!(run(&["--randomness", rules.to_str().unwrap()]).0, 2);
    std::fs::write(&rules, "[{\"on\": [\"chain\", 1], \"ret\": \"AAAA\"}]").unwrap();
    let (code, _, err) = run(&["--randomness", rules.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("32"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--cache DIR` keeps compiled code in DIR (then reused, with identical results); `--no-cache`
/// writes nothing; a cache that cannot be created is a warning, not a failure.
#[test]
fn module_cache_options() {
    let dir = temp_dir("cache");
    let cache = dir.join("modules");
    let vector = format!("{CORPUS}/examples/token--nv26.json");
    let entries = |d: &Path| std::fs::read_dir(d).map(|r| r.count()).unwrap_or(0);

    let (code, cold, _) = fern(&[
        "vectors",
        "run",
        "--cache",
        cache.to_str().unwrap(),
        &vector,
    ]);
    assert_eq!(code, 0, "{cold}");
    assert!(entries(&cache) >= 2, "compiled modules were kept");
    let kept = entries(&cache);
    let (code, warm, _) = fern(&[
        "--cache",
        cache.to_str().unwrap(),
        "vectors",
        "run",
        &vector,
    ]);
    assert_eq!((code, warm.lines().last()), (0, cold.lines().last()));
    assert_eq!(entries(&cache), kept, "a warm run adds nothing");

    let unused = dir.join("unused");
    let (code, _, _) = fern(&[
        "vectors",
        "run",
        "--cache",
        unused.to_str().unwrap(),
        "--no-cache",
        &vector,
    ]);
    assert_eq!(code, 0);
    assert_eq!(entries(&unused), 0);

    let file = dir.join("file");
    std::fs::write(&file, b"x").unwrap();
    let (code, out, err) = fern(&[
        "vectors",
        "run",
        "--cache",
        file.join("sub").to_str().unwrap(),
        &vector,
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(err.contains("warning: no compiled-module cache"), "{err}");

    let (code, _, err) = fern(&["vectors", "run", "--cache"]);
    assert_eq!(code, 2);
    assert!(err.contains("--cache needs a directory"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--version`, `fern help COMMAND` and `COMMAND --help` for every command; unknown help topics
/// and unknown options exit 2 and point at `fern help`.
#[test]
fn version_and_per_command_help() {
    for flag in ["--version", "-V", "version"] {
        let (code, out, _) = fern(&[flag]);
        assert_eq!(code, 0);
        assert!(
            out.starts_with("fern 0.") && out.contains("network versions 17 to 29"),
            "{out}"
        );
    }
    for (command, flag_form, marker) in [
        (
            "vectors",
            vec!["vectors", "run", "--help"],
            "fern vectors run",
        ),
        ("exec", vec!["exec", "--help"], "fern exec --state"),
        (
            "bundle",
            vec!["bundle", "inspect", "-h"],
            "fern bundle inspect",
        ),
    ] {
        let (code, via_help, _) = fern(&["help", command]);
        assert_eq!(code, 0);
        assert!(
            via_help.contains(marker) && via_help.contains("--cache DIR"),
            "{via_help}"
        );
        let (code, via_flag, _) = fern(&flag_form);
        assert_eq!((code, &via_flag), (0, &via_help), "{command}");
        for other in [
            "fern vectors run",
            "fern exec --state",
            "fern bundle inspect",
        ] {
            if other != marker {
                assert!(!via_help.contains(other), "{command}'s help shows {other}");
            }
        }
    }
    let (code, _, err) = fern(&["help", "frobnicate"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("frobnicate") && err.contains("fern help"),
        "{err}"
    );
    let (code, _, err) = fern(&["exec", "--bogus"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--bogus") && err.contains("fern help"),
        "{err}"
    );
}

/// FAIL lines come in file order whatever the number of workers, and skips are listed once per
/// reason with their count.
#[test]
fn failures_sorted_and_skips_grouped() {
    let dir = temp_dir("order");
    for name in ["c.json", "a.json", "b.json"] {
        std::fs::write(dir.join(name), "{").unwrap();
    }
    std::fs::write(dir.join("nested/tipset1.json"), TIPSET_VECTOR).unwrap();
    std::fs::write(dir.join("nested/tipset2.json"), TIPSET_VECTOR).unwrap();
    let mut outputs = Vec::new();
    for jobs in ["1", "3"] {
        let (code, out, _) = fern(&["vectors", "run", "--jobs", jobs, dir.to_str().unwrap()]);
        assert_eq!(code, 1);
        outputs.push(out);
    }
    assert_eq!(outputs[0], outputs[1], "output depends on --jobs");
    let fails: Vec<&str> = outputs[0]
        .lines()
        .filter(|l| l.starts_with("FAIL "))
        .collect();
    assert_eq!(fails.len(), 3);
    assert!(
        fails[0].contains("a.json") && fails[1].contains("b.json") && fails[2].contains("c.json"),
        "{fails:?}"
    );
    let skips: Vec<&str> = outputs[0]
        .lines()
        .filter(|l| l.starts_with("SKIP "))
        .collect();
    assert_eq!(skips.len(), 1, "{skips:?}");
    assert!(skips[0].starts_with("SKIP 2 × "), "{skips:?}");
    assert_eq!(
        outputs[0].lines().last(),
        Some("0 passed, 3 failed, 2 skipped")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `fern exec --flamegraph F.svg` draws the gas of every message; the trace is not printed
/// unless asked for; a path that cannot be written is an input error.
#[test]
fn exec_flamegraph() {
    let dir = temp_dir("flame");
    let v: TestVector = serde_json::from_slice(
        &std::fs::read(format!("{CORPUS}/examples/token--nv26.json")).unwrap(),
    )
    .unwrap();
    let state = dir.join("state.car");
    std::fs::write(&state, v.pre_state_car().unwrap()).unwrap();
    let msgs = dir.join("msgs.json");
    std::fs::write(&msgs, serde_json::to_string(&v.apply_messages).unwrap()).unwrap();
    let svg = dir.join("gas.svg");
    let args = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = [
            "exec",
            "--state",
            state.to_str().unwrap(),
            "--messages",
            msgs.to_str().unwrap(),
            "--nv",
            "26",
            "--epoch",
            "1000",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let run_with = |extra: &[&str]| {
        let a = args(extra);
        fern(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let (code, plain, _) = run_with(&[]);
    assert_eq!(code, 0);
    let (code, out, err) = run_with(&["--flamegraph", svg.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, plain, "the flame graph changes nothing printed");
    let picture = std::fs::read_to_string(&svg).unwrap();
    assert!(picture.starts_with("<?xml") && picture.contains("</svg>"));
    for label in [
        "message 00",
        "message 13",
        "OnChainMessage",
        "f01 method 2",
        "milligas",
    ] {
        assert!(picture.contains(label), "the picture lacks {label}");
    }
    let (code, _, err) = run_with(&["--flamegraph", "/nonexistent/dir/gas.svg"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/dir/gas.svg"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
