//! The README's "Your first actor on a dev chain", run exactly as written: every `sh` block
//! between the walkthrough markers is run, in order, by one `bash -e` script in an empty
//! directory, and every `toml`/`rust` block whose first line is `# file: PATH` or
//! `// file: PATH` is written to PATH at its place in the sequence. `/path/to/fern` becomes this
//! checkout and the `fern` under test is first on `PATH`. Then the output must show the `Put`
//! event and the `Get` return, and the state the stored pair.
//!
//! Needs the `wasm32-unknown-unknown` target (`./scripts/setup` adds it) and network access to
//! crates.io or a warm cargo registry; compiles the actor's dependencies once (about a minute).

use std::path::{Path, PathBuf};
use std::process::Command;

const START: &str = "<!-- walkthrough:start -->";
const END: &str = "<!-- walkthrough:end -->";

/// The walkthrough as one bash script.
fn script(readme: &str, checkout: &Path) -> String {
    let start = readme
        .find(START)
        .expect("README has the walkthrough start marker");
    let end = readme
        .find(END)
        .expect("README has the walkthrough end marker");
    let section = &readme[start..end];
    let mut out = String::from("set -ex\n");
    let mut lines = section.lines();
    let mut blocks = 0;
    while let Some(line) = lines.next() {
        let Some(lang) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
        let body = body
            .join("\n")
            .replace("/path/to/fern", &checkout.to_string_lossy());
        blocks += 1;
        match lang.trim() {
            "sh" => {
                out.push_str(&body);
                out.push('\n');
            }
            "toml" | "rust" => {
                let first = body.lines().next().unwrap_or_default();
                let path = first
                    .strip_prefix("# file: ")
                    .or_else(|| first.strip_prefix("// file: "))
                    .unwrap_or_else(|| panic!("a {lang} block must start with its file: {first}"));
                out.push_str(&format!(
                    "mkdir -p \"$(dirname {path})\"\ncat > {path} <<'FERN_WALKTHROUGH_EOF'\n{body}\nFERN_WALKTHROUGH_EOF\n"
                ));
            }
            other => panic!("unexpected block language {other:?} in the walkthrough"),
        }
    }
    assert!(blocks >= 5, "the walkthrough has only {blocks} blocks");
    out
}

#[test]
fn readme_walkthrough_builds_installs_and_calls_an_actor() {
    let checkout = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let checkout = checkout.canonicalize().unwrap();
    let readme = std::fs::read_to_string(checkout.join("README.md")).unwrap();
    let script = script(&readme, &checkout);
    let dir = std::env::temp_dir().join(format!("fern-walkthrough-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fern = PathBuf::from(env!("CARGO_BIN_EXE_fern"));
    let path = format!(
        "{}:{}",
        fern.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(&script)
        .current_dir(&dir)
        .env("PATH", path);
    // A newcomer's shell has none of the variables cargo sets for this test.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if key.starts_with("CARGO_") && key != "CARGO_HOME" || key.contains("RUSTFLAGS") {
            cmd.env_remove(&key);
        }
    }
    cmd.env("FERN_CACHE_DIR", dir.join("module-cache"));
    let started = std::time::Instant::now();
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the walkthrough failed:\n--- script\n{script}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    eprintln!("walkthrough took {:.0?}", started.elapsed());
    assert!(
        stdout.contains(
            "event from f0105: key=0x6772656574696e67 (\"greeting\"), value=0x68656c6c6f (\"hello\")"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("return (CBOR): \"hello\""), "{stdout}");
    assert!(stdout.contains("{\"greeting\": \"hello\"}"), "{stdout}");
    assert!(stdout.contains("created f0105"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}
