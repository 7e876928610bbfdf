//! `fern devnet`, `fern state inspect` and `fern vectors extract` through the binary: a session
//! a developer would type, JSON output, help, and every bad input with its exit code (0 success,
//! 1 something failed, 2 bad invocation or unreadable input).

use std::path::{Path, PathBuf};
use std::process::Command;

fn fern_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_fern"))
        .args(args)
        .arg("--no-cache")
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fern-cli-devnet-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn counter_wasm(dir: &Path) -> PathBuf {
    let path = dir.join("counter.wasm");
    std::fs::write(&path, fern_bundle::actor_wasm("counter").unwrap()).unwrap();
    path
}

#[test]
fn a_dev_session_from_new_to_inspect() {
    let dir = temp_dir("session");
    let (code, out, err) = fern_in(
        &dir,
        &["devnet", "new", "chain", "--accounts", "2", "--bls", "1"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("a0     f0100") && out.contains("bls0") && out.contains("p0"),
        "{out}"
    );
    // A second `new` on the same directory is refused unless forced.
    let (code, _, err) = fern_in(&dir, &["devnet", "new", "chain"]);
    assert_eq!(code, 2);
    assert!(err.contains("already holds a dev chain"), "{err}");

    counter_wasm(&dir);
    let (code, out, err) = fern_in(&dir, &["devnet", "install", "chain", "counter.wasm"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("installed counter bafk"), "{out}");
    let (code, out, err) = fern_in(
        &dir,
        &["devnet", "create", "chain", "counter", "--params-json", "7"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("created f0104"), "{out}");

    std::fs::write(
        dir.join("msg.json"),
        r#"{"from": "bls0", "to": "f0104", "method": "Increment", "params": {"json": 2}}"#,
    )
    .unwrap();
    let (code, out, err) = fern_in(&dir, &["devnet", "send", "chain", "msg.json", "--json"]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["receipts"][0]["exit_code"], 0);
    assert_eq!(doc["return_cbor"], "9");
    assert_eq!(doc["nonce"], 0);
    assert_eq!(doc["receipts"][0]["events"][0]["emitter"], 104);

    // A message that fails: exit 1, the actor's message shown, the chain moved on.
    let (code, out, _) = fern_in(
        &dir,
        &[
            "devnet", "send", "chain", "--from", "a0", "--to", "f0104", "--method", "99",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        out.contains("exit_code 22") && out.contains("failure:"),
        "{out}"
    );

    let (code, out, _) = fern_in(&dir, &["state", "inspect", "chain"]);
    assert_eq!(code, 0);
    assert!(out.contains("f0104    counter"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("f0100") && l.contains(" 1  f1")),
        "{out}"
    );
    let (code, out, _) = fern_in(
        &dir,
        &[
            "state",
            "inspect",
            "chain/state.car",
            "--actor",
            "f0104",
            "--json",
        ],
    );
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["state_cbor"], "9");
    // The CAR alone knows the bundle's names but not installed code's.
    assert_eq!(doc["actor"]["code_name"], "counter");
    let (code, out, _) = fern_in(&dir, &["state", "inspect", "chain", "--json"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    // Five singletons, three accounts, a placeholder, the counter.
    assert_eq!(doc["actors"].as_array().unwrap().len(), 10);
    let log = std::fs::read_to_string(dir.join("chain/messages.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_inputs_name_what_is_wrong() {
    let dir = temp_dir("bad");
    assert_eq!(
        fern_in(&dir, &["devnet", "new", "chain", "--accounts", "1"]).0,
        0
    );
    std::fs::write(dir.join("junk.wasm"), b"not wasm").unwrap();
    std::fs::write(dir.join("bad.json"), "{\"from\": \"a0\"").unwrap();
    counter_wasm(&dir);
    let cases: &[(&[&str], i32, &str)] = &[
        (&["devnet"], 2, "needs a subcommand"),
        (&["devnet", "frobnicate"], 2, "unknown devnet subcommand"),
        (&["devnet", "new"], 2, "exactly one DIR"),
        (
            &["devnet", "new", "x", "--accounts", "many"],
            2,
            "--accounts needs a number",
        ),
        (&["devnet", "new", "x", "--balance", "-1"], 2, "--balance"),
        (
            &["devnet", "new", "x", "--nv", "12"],
            2,
            "network version 12",
        ),
        (
            &["devnet", "new", "x", "--bundle", "missing.car"],
            2,
            "missing.car",
        ),
        (
            &["devnet", "new", "x", "--bundle", "junk.wasm"],
            2,
            "junk.wasm",
        ),
        (
            &["devnet", "new", "x", "--frob"],
            2,
            "unknown option --frob",
        ),
        (
            &["devnet", "install", "nochain", "counter.wasm"],
            2,
            "not a dev chain",
        ),
        (
            &["devnet", "install", "chain", "missing.wasm"],
            2,
            "missing.wasm",
        ),
        (
            &["devnet", "install", "chain", "junk.wasm"],
            2,
            "not an actor Fern can run",
        ),
        (
            &[
                "devnet",
                "install",
                "chain",
                "counter.wasm",
                "--name",
                "a b",
            ],
            2,
            "not a code name",
        ),
        (
            &["devnet", "create", "chain", "nothing"],
            2,
            "no installed code",
        ),
        (&["devnet", "create", "chain"], 2, "needs DIR and CODE"),
        (&["devnet", "send", "chain", "bad.json"], 2, "not JSON"),
        (
            &["devnet", "send", "chain", "missing.json"],
            2,
            "missing.json",
        ),
        (
            &["devnet", "send", "chain", "--from", "a0"],
            2,
            "needs --to",
        ),
        (
            &[
                "devnet", "send", "chain", "--from", "zz", "--to", "a0", "--method", "0",
            ],
            2,
            "no dev account \"zz\"",
        ),
        (
            &[
                "devnet", "send", "chain", "--from", "a0", "--to", "nowhere", "--method", "0",
            ],
            2,
            "neither an address",
        ),
        (
            &[
                "devnet", "send", "chain", "--from", "a0", "--to", "a0", "--method", "x y",
            ],
            2,
            "--method",
        ),
        (
            &[
                "devnet",
                "send",
                "chain",
                "--from",
                "a0",
                "--to",
                "a0",
                "--method",
                "0",
                "--params-hex",
                "zz",
            ],
            2,
            "bad hex",
        ),
        (
            &[
                "devnet",
                "send",
                "chain",
                "--from",
                "a0",
                "--to",
                "a0",
                "--method",
                "0",
                "--params-hex",
                "00",
                "--params-json",
                "1",
            ],
            2,
            "at most one",
        ),
        (
            &[
                "devnet", "send", "chain", "--from", "p0", "--to", "a0", "--method", "0",
            ],
            2,
            "placeholder",
        ),
        (&["state"], 2, "needs a subcommand"),
        (&["state", "inspect"], 2, "one STATE.car"),
        (&["state", "inspect", "counter.wasm"], 2, "counter.wasm"),
        (
            &["state", "inspect", "chain", "--actor", "f0999"],
            1,
            "no actor has the address f0999",
        ),
        (
            &["state", "inspect", "chain", "--actor", "nonsense"],
            2,
            "not an address",
        ),
        (
            &["vectors", "extract", "bad.json", "--out", "o"],
            2,
            "not a test vector",
        ),
        (&["vectors", "extract", "bad.json"], 2, "--out"),
    ];
    for (args, want, text) in cases {
        let (code, _, err) = fern_in(&dir, args);
        assert_eq!(code, *want, "{args:?}: {err}");
        assert!(err.contains(text), "{args:?}: expected {text:?} in {err}");
    }
    // Nothing above changed the chain.
    let (_, out, _) = fern_in(&dir, &["state", "inspect", "chain", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["actors"].as_array().unwrap().len(), 7, "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_new_command_has_help() {
    let dir = temp_dir("help");
    for command in ["devnet", "state"] {
        let (code, out, _) = fern_in(&dir, &["help", command]);
        assert_eq!(code, 0);
        assert!(out.contains(&format!("fern {command} ")), "{out}");
        let (code, again, _) = fern_in(&dir, &[command, "--help"]);
        assert_eq!(code, 0);
        assert_eq!(out, again);
    }
    let (_, out, _) = fern_in(&dir, &["help", "vectors"]);
    assert!(out.contains("fern vectors extract"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A corpus vector extracted and replayed by `fern exec` gives the vector's receipts.
#[test]
fn extracted_vectors_replay_with_exec() {
    let dir = temp_dir("extract");
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors");
    let vector = fern_conformance::collect_vector_files(&[corpus])
        .unwrap()
        .into_iter()
        .find(|p| p.to_string_lossy().contains("transfers"))
        .expect("a transfers vector");
    let v = fern_conformance::TestVector::from_json(&std::fs::read(&vector).unwrap()).unwrap();
    let (code, out, err) = fern_in(
        &dir,
        &[
            "vectors",
            "extract",
            &vector.to_string_lossy(),
            "--out",
            "x",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let command = out
        .lines()
        .find(|l| l.starts_with("fern exec"))
        .expect("an exec command line");
    let args: Vec<&str> = command
        .split("    #")
        .next()
        .unwrap()
        .split_whitespace()
        .skip(1)
        .collect();
    let (code, out, err) = fern_in(&dir, &[&args[..], &["--json"]].concat());
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let receipts = doc["receipts"].as_array().unwrap();
    assert_eq!(receipts.len(), v.postconditions.receipts.len());
    for (got, want) in receipts.iter().zip(&v.postconditions.receipts) {
        assert_eq!(got["exit_code"], want.exit_code);
        assert_eq!(got["gas_used"], want.gas_used);
    }
    assert_eq!(
        doc["state_root"],
        v.postconditions.state_tree.root_cid.0.to_string(),
        "{command}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
