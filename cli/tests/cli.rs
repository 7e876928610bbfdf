//! The `fern` binary's command-line contract: help, the summary line and the exit status.

use std::path::PathBuf;
use std::process::Command;

fn fern(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_fern"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

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
    std::fs::write(
        dir.join("nested/tipset.json"),
        r#"{"class":"tipset","car":"","preconditions":{"variants":[],"state_tree":{"root_cid":{"/":"bafkqaaa"}}},"postconditions":{"state_tree":{"root_cid":{"/":"bafkqaaa"}},"receipts":[]}}"#,
    )
    .unwrap();
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
    assert_eq!(code, 1);
    assert!(err.contains("invalid CAR"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
