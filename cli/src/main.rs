//! `fern`: Fern's command line.
//!
//! - `fern` alone runs the embedded default: the repository's vector corpus (`test-vectors/`,
//!   or the directory in `FERN_VECTORS`) on Fern's own actors;
//! - `fern vectors run [--bundle FILE]... [--jobs N] [--report FILE] [PATH...]` replays test
//!   vectors (the default corpus when no PATH is given);
//! - `fern exec --state STATE.car --messages MSGS [...]` applies messages to a state (with
//!   `--trace`, shows each message's sends, returns and gas);
//! - `fern bundle inspect FILE` describes an actor bundle (a CAR or a `.tar.zst` of CARs);
//! - `fern devnet new|install|create|send` runs a local dev chain, `fern state inspect` reads a
//!   state, `fern vectors extract` turns a vector into files `fern exec` reads ([`devnet`]);
//! - `fern help` prints usage.
//!
//! Every command takes `--cache DIR` / `--no-cache` (the compiled-module cache; on by default
//! in `~/.cache/fern/modules`, see [`default_cache_dir`]).

mod devnet;

use std::io::{IsTerminal, Write};
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use fern_conformance::runner::{parse_atto, NEWEST_NETWORK_VERSION};
use fern_conformance::vector::parse_randomness;
use fern_conformance::{
    bundle, collect_vector_files, exec, report, run_file, ApplyError, FileOutcome, MachineSettings,
    RunOptions,
};

/// Stack size of a worker thread (reserved lazily by the OS).
const WORKER_STACK: usize = 1 << 30;

/// The corpus directory of this source tree, fixed at compile time.
const CORPUS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../test-vectors");

/// The environment variable that overrides the default corpus directory.
const CORPUS_ENV: &str = "FERN_VECTORS";

const USAGE_HEAD: &str = "\
fern: the Fern Filecoin VM command line

USAGE:
    fern
        Run the embedded default: the repository's test-vector corpus
        (test-vectors/, or the directory named by FERN_VECTORS) on Fern's own
        actors. Same as `fern vectors run` with no PATH.

";

const HELP_VECTORS: &str = "    fern vectors run [--bundle FILE]... [--jobs N] [--report FILE] [PATH...]
        Replay message-class test vectors (JSON files, or directories searched
        recursively for *.json) on Fern; with no PATH, the default corpus. Prints
        one FAIL line per failure (in file order, whatever --jobs), one
        `SKIP N × REASON` line per reason anything was skipped, and a final line
        `N passed, M failed, K skipped` (counted per variant). Exits 0 only when nothing failed, 2 when no
        vector was found. Shows a progress bar when stderr is a terminal.
          --bundle FILE  add the blocks of an actor bundle to every vector's store:
                         a CAR (plain or gzip) or a lotus-style .tar.zst of CARs;
                         may be repeated
          --jobs N       worker threads (default: the number of cores)
          --report FILE  write a JSON-lines report, one line per variant sorted by
                         file and variant id, with the result and Fern's receipts
                         and state root; identical runs give identical bytes

";

const HELP_EXEC: &str = "    fern exec --state STATE.car --messages MSGS [OPTIONS]
        Apply messages to a state and print each receipt and the new state root.
        STATE.car: a CAR (plain or gzip) whose first root is the state root and
        which holds the blocks the messages need. MSGS: a JSON array of base64
        strings or {\"bytes\": base64} objects, or one base64 (or 0x-hex) CBOR
        message per line.
          --bundle FILE      add an actor bundle's blocks (CAR or .tar.zst)
          --nv N             network version (default: the newest Fern runs)
          --epoch E          epoch (default 0; timestamp = 30 * E)
          --base-fee ATTO    base fee (default 100)
          --circ-supply ATTO circulating supply (default 0)
          --out NEW.car      write a CAR of the new state (the blocks reachable
                             from the new root)
          --json             print JSON instead of text
          --randomness FILE  randomness digests: a JSON array of rules as in a
                             vector, [{\"on\": [\"chain\", EPOCH], \"ret\": base64}]
                             (other draws get the fallback digest)
          --trace            show each message's execution trace: sends,
                             returns, errors, invoked actors, blocks, logs,
                             and the gas charged per send
          --flamegraph F.svg draw the gas of every message as a flame graph:
                             message, nested sends (recipient and method),
                             charge name; widths in milligas
          --debug            turn actor debugging on and show the actors'
                             debug::log lines (local runs only: debugging
                             changes what some actors do and charge)
        Every receipt shows the message's events (key, value in hex and as
        text when printable) and, when it failed, why (the actors' error
        messages, innermost call first).
        Exits 0 when every message got a receipt, 1 on a fatal VM error, 2 on
        bad input.

";

const HELP_BUNDLE: &str = "    fern bundle inspect FILE
        Print a bundle's manifest version, root, and each actor's name, code CID
        and code size. FILE is a CAR (plain or gzip) or a .tar.zst of CARs (each
        one is described, under a `== NAME` line). Exits 2 when FILE cannot be
        read as a bundle.

";

const HELP_OTHER: &str = "    fern help [COMMAND]   (or: fern COMMAND --help)
        Print this text, or the help of one command (vectors, exec, bundle).

    fern --version
        Print Fern's version and the network versions it runs (17 on the ref-fvm 2.x rules).

";

const HELP_GLOBAL: &str = "\
GLOBAL OPTIONS (any command):
    --cache DIR   keep compiled actor code in DIR and reuse it in later runs
                  (default: $FERN_CACHE_DIR, else $XDG_CACHE_HOME/fern/modules,
                  else ~/.cache/fern/modules); entries are keyed by code and
                  engine configuration and checksummed, a bad one is recompiled
    --no-cache    compile in memory only
";

/// The whole usage text.
fn usage() -> String {
    [
        USAGE_HEAD,
        HELP_VECTORS,
        devnet::HELP_EXTRACT,
        HELP_EXEC,
        devnet::HELP_DEVNET,
        devnet::HELP_STATE,
        HELP_BUNDLE,
        HELP_OTHER,
        HELP_GLOBAL,
    ]
    .concat()
}

/// The help of one command (with the global options), or `None` for an unknown command.
fn command_help(command: &str) -> Option<String> {
    let text = match command {
        "vectors" => [HELP_VECTORS, devnet::HELP_EXTRACT].concat(),
        "exec" => HELP_EXEC.to_string(),
        "bundle" => HELP_BUNDLE.to_string(),
        "devnet" => devnet::HELP_DEVNET.to_string(),
        "state" => devnet::HELP_STATE.to_string(),
        _ => return None,
    };
    Some(format!("USAGE:\n{text}{HELP_GLOBAL}"))
}

/// The environment variable naming the compiled-module cache directory.
const CACHE_ENV: &str = "FERN_CACHE_DIR";

/// The default compiled-module cache: `FERN_CACHE_DIR`, else `$XDG_CACHE_HOME/fern/modules`,
/// else `$HOME/.cache/fern/modules`.
fn default_cache_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var(CACHE_ENV)
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("fern/modules")))
        .or_else(|| var("HOME").map(|d| d.join(".cache/fern/modules")))
}

/// Takes the global `--cache DIR` / `--no-cache` options out of `args` and sets the cache of
/// the engines every command uses. A directory that cannot be created turns the cache off with
/// a warning: compiling in memory is always possible.
fn configure_module_cache(args: &mut Vec<String>) -> Result<(), String> {
    let mut dir = default_cache_dir();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--no-cache" => {
                dir = None;
                args.remove(i);
            }
            "--cache" => {
                if i + 1 >= args.len() {
                    return Err("--cache needs a directory".into());
                }
                dir = Some(PathBuf::from(args.remove(i + 1)));
                args.remove(i);
            }
            _ => i += 1,
        }
    }
    if let Some(d) = &dir {
        if let Err(e) = std::fs::create_dir_all(d) {
            eprintln!(
                "fern: warning: no compiled-module cache ({}: {e}); compiling in memory",
                d.display()
            );
            dir = None;
        }
    }
    fern::engine::set_shared_module_cache(dir);
    Ok(())
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = configure_module_cache(&mut args) {
        return usage_error(&e);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let wants_help = |rest: &[&str]| rest.iter().any(|a| *a == "--help" || *a == "-h");
    match args.as_slice() {
        ["help"] | ["--help"] | ["-h"] => {
            print!("{}", usage());
            ExitCode::SUCCESS
        }
        ["--version"] | ["-V"] | ["version"] => {
            println!(
                "fern {} (network versions {} to {})",
                env!("CARGO_PKG_VERSION"),
                fern::machine::FVM2_NETWORK_VERSION.value(),
                fern::gas::MAX_NETWORK_VERSION.value()
            );
            ExitCode::SUCCESS
        }
        ["help", command] => match command_help(command) {
            Some(text) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            None => usage_error(&format!("no help for unknown command {command:?}")),
        },
        [command @ ("vectors" | "exec" | "bundle" | "devnet" | "state"), rest @ ..]
            if wants_help(rest) =>
        {
            print!("{}", command_help(command).unwrap_or_default());
            ExitCode::SUCCESS
        }
        [] => vectors_run(&[]),
        ["vectors", "run", rest @ ..] => vectors_run(rest),
        ["vectors", "extract", rest @ ..] => on_deep_stack(devnet::extract, rest),
        ["devnet", rest @ ..] => on_deep_stack(devnet::devnet, rest),
        ["state", rest @ ..] => on_deep_stack(devnet::state, rest),
        ["exec", rest @ ..] => exec_command(rest),
        ["bundle", "inspect", file] => bundle_inspect(file),
        _ => {
            eprintln!("fern: unknown command: {}\n\n{}", args.join(" "), usage());
            ExitCode::from(2)
        }
    }
}

/// Runs a command on a thread with a deep stack (nested actor calls recurse on the host
/// stack) and turns its result into the exit code: an error is printed (`fern: ...`, with the
/// usage hint for bad invocations) and exits with its code.
fn on_deep_stack(command: fn(&[&str]) -> devnet::CmdResult, args: &[&str]) -> ExitCode {
    let owned: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let worker = std::thread::Builder::new()
        .stack_size(WORKER_STACK)
        .spawn(move || {
            let args: Vec<&str> = owned.iter().map(String::as_str).collect();
            command(&args)
        });
    match worker.map(|h| h.join()) {
        Ok(Ok(Ok(code))) => ExitCode::from(code),
        Ok(Ok(Err(devnet::Failure::Usage(msg)))) => usage_error(&msg),
        Ok(Ok(Err(devnet::Failure::Input(msg)))) => input_error(msg),
        Ok(Ok(Err(devnet::Failure::Failed(msg)))) => {
            eprintln!("fern: {msg}");
            ExitCode::FAILURE
        }
        Ok(Err(_)) => ExitCode::FAILURE, // the panic message is already on stderr
        Err(e) => {
            eprintln!("fern: cannot start the worker thread: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Width of the progress bar, in cells.
const BAR_CELLS: usize = 30;

/// One progress line: `[=========>          ]  57/171 vector files`.
fn progress_bar(done: usize, total: usize) -> String {
    let filled = (done * BAR_CELLS).checked_div(total).unwrap_or(BAR_CELLS);
    let mut bar = "=".repeat(filled);
    if filled < BAR_CELLS {
        bar.push('>');
        bar.push_str(&" ".repeat(BAR_CELLS - filled - 1));
    }
    let width = total.to_string().len();
    format!("[{bar}] {done:>width$}/{total} vector files")
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("fern: {msg}\n\nRun `fern help` for usage.");
    ExitCode::from(2)
}

fn input_error(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("fern: {msg}");
    ExitCode::from(2)
}

/// `a/b/../c` becomes `a/c` (no file system access), so the compiled-in corpus path reads well.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// The default corpus: `FERN_VECTORS` when set (and not empty), else the repository's.
fn default_corpus() -> PathBuf {
    match std::env::var_os(CORPUS_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => normalize(Path::new(CORPUS_DIR)),
    }
}

/// `path` relative to the first directory of `roots` that contains it (unchanged when it was
/// named directly as a file).
fn relative_to_roots(path: &Path, roots: &[PathBuf]) -> PathBuf {
    roots
        .iter()
        .filter(|r| r.is_dir())
        .find_map(|r| path.strip_prefix(r).ok())
        .map_or_else(|| path.to_path_buf(), Path::to_path_buf)
}

fn vectors_run(args: &[&str]) -> ExitCode {
    let mut bundles = Vec::new();
    let mut paths = Vec::new();
    let mut report_file = None;
    let mut jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match *arg {
            "--bundle" => match it.next() {
                Some(p) => bundles.push(PathBuf::from(p)),
                None => return usage_error("--bundle needs a file"),
            },
            "--jobs" | "-j" => match it.next().and_then(|n| n.parse::<usize>().ok()) {
                Some(n) if n > 0 => jobs = n,
                _ => return usage_error("--jobs needs a positive number"),
            },
            "--report" => match it.next() {
                Some(p) => report_file = Some(PathBuf::from(p)),
                None => return usage_error("--report needs a file"),
            },
            a if a.starts_with('-') => return usage_error(&format!("unknown option {a}")),
            a => paths.push(PathBuf::from(a)),
        }
    }
    if paths.is_empty() {
        let dir = default_corpus();
        if !dir.is_dir() {
            return input_error(format!(
                "the default vector corpus {} is missing (set {CORPUS_ENV} to a corpus \
                 directory, or give PATHs to `fern vectors run`)",
                dir.display()
            ));
        }
        paths.push(dir);
    }
    let options = match RunOptions::with_bundles(&bundles) {
        Ok(o) => o,
        Err(e) => return input_error(format!("bundle: {e}")),
    };
    let files = match collect_vector_files(&paths) {
        Ok(f) => f,
        Err(e) => return input_error(e),
    };

    let next = AtomicUsize::new(0);
    let outcomes = Mutex::new(Vec::with_capacity(files.len()));
    let stdout = Mutex::new(std::io::stdout());
    // A one-line progress bar on stderr, only when it is a terminal.
    let progress = std::io::stderr().is_terminal();
    let done = AtomicUsize::new(0);
    let finish = |outcome: FileOutcome| {
        if progress {
            let _guard = stdout.lock().unwrap_or_else(|e| e.into_inner());
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            eprint!("\r\x1b[K{}", progress_bar(n, files.len()));
        }
        outcomes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(outcome);
    };
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(path) = files.get(i) else { break };
        finish(run_file(path, &options));
    };
    std::thread::scope(|scope| {
        let mut started = 0;
        for _ in 0..jobs.min(files.len().max(1)) {
            // Nested actor calls recurse on the host stack (up to depth 1024): give each worker
            // a deep one, as the test suites do.
            let worker = std::thread::Builder::new()
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, work);
            match worker {
                Ok(_) => started += 1,
                Err(e) => {
                    eprintln!("fern: cannot start a worker thread: {e}");
                    break;
                }
            }
        }
        if started == 0 {
            work(); // no worker could start: run everything on this thread
        }
    });
    if progress {
        eprint!("\r\x1b[K");
    }
    let mut outcomes = outcomes.into_inner().unwrap_or_else(|e| e.into_inner());
    // Failures in file order, whatever the number of workers; then the skips, grouped by
    // reason with their counts.
    outcomes.sort_by(|a, b| a.path.cmp(&b.path));
    for outcome in &outcomes {
        for line in outcome.failure_lines() {
            println!("{line}");
        }
    }
    let mut skips: std::collections::BTreeMap<String, usize> = Default::default();
    for reason in outcomes.iter().flat_map(FileOutcome::skip_reasons) {
        *skips.entry(reason).or_default() += 1;
    }
    for (reason, count) in &skips {
        println!("SKIP {count} × {reason}");
    }
    let (passed, failed, skipped) = outcomes
        .iter()
        .map(FileOutcome::counts)
        .fold((0, 0, 0), |(p, f, s), (a, b, c)| (p + a, f + b, s + c));
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    if let Some(file) = report_file {
        // Name files relative to the directory they were found in, so that reports of the
        // same corpus compare equal whatever its location.
        let named: Vec<FileOutcome> = outcomes
            .iter()
            .map(|o| FileOutcome {
                path: relative_to_roots(&o.path, &paths),
                ..o.clone()
            })
            .collect();
        if let Err(e) = std::fs::write(&file, report::report_text(&named)) {
            return input_error(format!("cannot write the report {}: {e}", file.display()));
        }
    }
    if files.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return input_error(format!("no vectors found in {}", names.join(", ")));
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The options of `fern exec`.
struct ExecArgs {
    state: PathBuf,
    messages: PathBuf,
    bundles: Vec<PathBuf>,
    settings: MachineSettings,
    out: Option<PathBuf>,
    json: bool,
    randomness: Option<PathBuf>,
    /// Where to draw the gas flame graph (`--flamegraph`).
    flamegraph: Option<PathBuf>,
    /// Whether the trace is shown (`--trace`), as opposed to recorded for the flame graph.
    show_trace: bool,
}

fn parse_exec_args(args: &[&str]) -> Result<ExecArgs, String> {
    let mut state = None;
    let mut messages = None;
    let mut bundles = Vec::new();
    let mut settings = MachineSettings::new(NEWEST_NETWORK_VERSION, 0);
    let mut out = None;
    let mut json = false;
    let mut randomness = None;
    let mut flamegraph = None;
    let mut show_trace = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .copied()
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        match *arg {
            "--state" => state = Some(PathBuf::from(value()?)),
            "--messages" => messages = Some(PathBuf::from(value()?)),
            "--bundle" => bundles.push(PathBuf::from(value()?)),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--nv" => {
                let v = value()?;
                settings.nv = v
                    .parse()
                    .map_err(|_| format!("--nv: {v:?} is not a network version"))?;
            }
            "--epoch" => {
                let v = value()?;
                settings.epoch = v
                    .parse()
                    .ok()
                    .filter(|e: &i64| *e >= 0)
                    .ok_or_else(|| format!("--epoch: {v:?} is not a non-negative epoch"))?;
            }
            "--base-fee" => {
                settings.base_fee = parse_atto(value()?).map_err(|e| format!("--base-fee: {e}"))?
            }
            "--circ-supply" => {
                settings.circ_supply =
                    parse_atto(value()?).map_err(|e| format!("--circ-supply: {e}"))?
            }
            "--json" => json = true,
            "--trace" => {
                settings.trace = true;
                show_trace = true;
            }
            "--flamegraph" => {
                flamegraph = Some(PathBuf::from(value()?));
                settings.trace = true;
            }
            "--debug" => settings.debug = true,
            "--randomness" => randomness = Some(PathBuf::from(value()?)),
            a => return Err(format!("exec: unexpected argument {a}")),
        }
    }
    Ok(ExecArgs {
        state: state.ok_or("exec needs --state STATE.car")?,
        messages: messages.ok_or("exec needs --messages MSGS")?,
        bundles,
        settings,
        out,
        json,
        randomness,
        flamegraph,
        show_trace,
    })
}

fn exec_command(args: &[&str]) -> ExitCode {
    let args = match parse_exec_args(args) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    // Nested actor calls recurse on the host stack: run on a thread with a deep one.
    let worker = std::thread::Builder::new()
        .stack_size(WORKER_STACK)
        .spawn(move || run_exec(&args));
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => ExitCode::from(code),
        Ok(Err(_)) => ExitCode::FAILURE, // the panic message is already on stderr
        Err(e) => {
            eprintln!("fern: cannot start the exec thread: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Draws the gas of every message as one flame graph (inferno): one frame per message, per
/// nested send, then per charge name, widths in milligas.
fn write_flamegraph(
    path: &Path,
    messages: &Path,
    actual: &fern_conformance::Actuals,
) -> Result<(), String> {
    let lines: Vec<String> = actual
        .receipts
        .iter()
        .enumerate()
        // Zero-padded so the renderer, which sorts frames by name, keeps message order.
        .flat_map(|(i, r)| {
            let width = actual.receipts.len().saturating_sub(1).to_string().len();
            exec::folded_gas(&format!("message {i:0width$}"), &r.trace)
        })
        .map(|(stack, milligas)| format!("{stack} {milligas}"))
        .collect();
    if lines.is_empty() {
        return Err("no message was executed: nothing to draw".into());
    }
    let mut options = inferno::flamegraph::Options::default();
    options.title = format!("Fern gas: {}", messages.display());
    options.count_name = "milligas".into();
    options.deterministic = true;
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut out = std::io::BufWriter::new(file);
    inferno::flamegraph::from_lines(&mut options, lines.iter().map(String::as_str), &mut out)
        .map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())
}

fn run_exec(args: &ExecArgs) -> u8 {
    let fail = |msg: String| {
        eprintln!("fern: {msg}");
        2
    };
    let state = match std::fs::read(&args.state) {
        Ok(d) => d,
        Err(e) => return fail(format!("{}: {e}", args.state.display())),
    };
    let state = match exec::read_state_car(state) {
        Ok(s) => s,
        Err(e) => return fail(format!("{}: {e}", args.state.display())),
    };
    let text = match std::fs::read(&args.messages) {
        Ok(d) => d,
        Err(e) => return fail(format!("{}: {e}", args.messages.display())),
    };
    let messages = match exec::parse_messages(&text) {
        Ok(m) => m,
        Err(e) => return fail(format!("{}: {e}", args.messages.display())),
    };
    let bundles = match RunOptions::with_bundles(&args.bundles) {
        Ok(o) => o.bundle_blocks,
        Err(e) => return fail(format!("bundle: {e}")),
    };
    let randomness = match &args.randomness {
        None => Vec::new(),
        Some(path) => match std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|t| parse_randomness(&t).map_err(|e| e.to_string()))
        {
            Ok(r) => r,
            Err(e) => return fail(format!("{}: {e}", path.display())),
        },
    };
    let applied = match exec::exec(&state, &bundles, &args.settings, &randomness, &messages) {
        Ok(a) => a,
        Err(e) => return fail(e.to_string()),
    };
    let code = match &applied.error {
        None => 0,
        // The inputs were unusable: nothing ran.
        Some(
            e @ (ApplyError::UnsupportedVersion { .. }
            | ApplyError::Setup { .. }
            | ApplyError::Undecodable { .. }),
        ) => return fail(e.to_string()),
        Some(e @ (ApplyError::Fatal { .. } | ApplyError::Flush(_))) => {
            eprintln!("fern: {e}");
            1
        }
    };
    if let Some(path) = &args.flamegraph {
        if let Err(e) = write_flamegraph(path, &args.messages, &applied.actual) {
            return fail(format!("{}: {e}", path.display()));
        }
    }
    let mut shown = applied.actual.clone();
    if !args.show_trace {
        for r in &mut shown.receipts {
            r.trace.clear();
        }
    }
    let rendered = if args.json {
        exec::render_json(&shown)
    } else {
        exec::render_text(&shown)
    };
    print!("{rendered}");
    let _ = std::io::stdout().flush();
    if let (Some(out), Some(root), Some(store)) =
        (&args.out, applied.actual.state_root, &applied.store)
    {
        let car = match exec::reachable_car(store, &root) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("fern: cannot build the output CAR: {e}");
                return 1;
            }
        };
        if let Err(e) = std::fs::write(out, car) {
            return fail(format!("{}: {e}", out.display()));
        }
    }
    code
}

fn bundle_inspect(file: &str) -> ExitCode {
    let data = match std::fs::read(file) {
        Ok(d) => d,
        Err(e) => return input_error(format!("{file}: {e}")),
    };
    match bundle::inspect_file(data) {
        Ok(bundles) => {
            for (i, (entry, info)) in bundles.iter().enumerate() {
                if let Some(name) = entry {
                    if i > 0 {
                        println!();
                    }
                    println!("== {name}");
                }
                println!("manifest version {}", info.version);
                println!("manifest root    {}", info.root);
                for a in &info.actors {
                    let size = a
                        .size
                        .map_or_else(|| "missing".to_string(), |s| format!("{s} bytes"));
                    println!("{:<16} {}  {size}", a.name, a.code);
                }
            }
            ExitCode::SUCCESS
        }
        // An unreadable bundle is bad input (exit 2), as for every command.
        Err(e) => input_error(format!("{file}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::progress_bar;

    #[test]
    fn progress_bar_fills_in_proportion() {
        assert_eq!(
            progress_bar(0, 171),
            format!("[>{}]   0/171 vector files", " ".repeat(29))
        );
        let half = progress_bar(86, 172);
        assert!(half.starts_with(&format!("[{}>", "=".repeat(15))), "{half}");
        assert_eq!(
            progress_bar(171, 171),
            format!("[{}] 171/171 vector files", "=".repeat(30))
        );
        // Every line has the same width, so `\r` redraws cleanly.
        let widths: Vec<usize> = (0..=171).map(|n| progress_bar(n, 171).len()).collect();
        assert!(widths.iter().all(|w| *w == widths[0]));
        assert_eq!(
            progress_bar(0, 0),
            format!("[{}] 0/0 vector files", "=".repeat(30))
        );
    }
}
