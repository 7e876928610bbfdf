//! `fern`: Fern's command line.
//!
//! - `fern vectors run [--bundle CAR]... [--jobs N] PATH...` replays test vectors;
//! - `fern bundle inspect FILE` describes an actor bundle;
//! - `fern` alone (or `fern help`) prints usage.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use fern_conformance::{bundle, collect_vector_files, run_file, FileOutcome, RunOptions};

/// Stack size of a worker thread (reserved lazily by the OS).
const WORKER_STACK: usize = 1 << 30;

const USAGE: &str = "\
fern: the Fern Filecoin VM command line

USAGE:
    fern vectors run [--bundle CAR]... [--jobs N] PATH...
        Replay message-class test vectors (JSON files, or directories searched
        recursively for *.json) on Fern. Prints one line per failure and a final
        line `N passed, M failed, K skipped` (counted per variant). Exits 0 only
        when nothing failed. Shows a progress counter when stderr is a terminal.
          --bundle CAR   add an actor bundle's blocks (plain or gzip CAR) to every
                         vector's store; may be repeated
          --jobs N       worker threads (default: the number of cores)

    fern bundle inspect FILE
        Print a bundle's manifest version, root, and each actor's name, code CID
        and code size.

    fern help
        Print this text.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] | ["help"] | ["--help"] | ["-h"] => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        ["vectors", "run", rest @ ..] => vectors_run(rest),
        ["bundle", "inspect", file] => bundle_inspect(file),
        _ => {
            eprintln!("fern: unknown command: {}\n\n{USAGE}", args.join(" "));
            ExitCode::from(2)
        }
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("fern: {msg}\n\n{USAGE}");
    ExitCode::from(2)
}

fn vectors_run(args: &[&str]) -> ExitCode {
    let mut bundles = Vec::new();
    let mut paths = Vec::new();
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
            a if a.starts_with('-') => return usage_error(&format!("unknown option {a}")),
            a => paths.push(PathBuf::from(a)),
        }
    }
    if paths.is_empty() {
        return usage_error("vectors run needs at least one PATH");
    }
    let options = match RunOptions::with_bundles(&bundles) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("fern: bundle: {e}");
            return ExitCode::from(2);
        }
    };
    let files = match collect_vector_files(&paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("fern: {e}");
            return ExitCode::from(2);
        }
    };

    let next = AtomicUsize::new(0);
    let totals = Mutex::new((0usize, 0usize, 0usize));
    let stdout = Mutex::new(std::io::stdout());
    // A one-line progress counter on stderr, only when it is a terminal.
    let progress = std::io::stderr().is_terminal();
    let done = AtomicUsize::new(0);
    let report = |outcome: FileOutcome| {
        let (p, f, s) = outcome.counts();
        {
            let mut t = totals.lock().unwrap_or_else(|e| e.into_inner());
            t.0 += p;
            t.1 += f;
            t.2 += s;
        }
        let lines = outcome.failure_lines();
        let mut out = stdout.lock().unwrap_or_else(|e| e.into_inner());
        if progress {
            eprint!("\r\x1b[K"); // clear the counter before any failure line
        }
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
        let _ = out.flush();
        if progress {
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            eprint!("{n}/{} vector files", files.len());
        }
    };
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(path) = files.get(i) else { break };
        report(run_file(path, &options));
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
    let (passed, failed, skipped) = *totals.lock().unwrap_or_else(|e| e.into_inner());
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn bundle_inspect(file: &str) -> ExitCode {
    let data = match std::fs::read(file) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("fern: {file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match bundle::inspect(data) {
        Ok(info) => {
            println!("manifest version {}", info.version);
            println!("manifest root    {}", info.root);
            for a in &info.actors {
                let size = a
                    .size
                    .map_or_else(|| "missing".to_string(), |s| format!("{s} bytes"));
                println!("{:<16} {}  {size}", a.name, a.code);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("fern: {file}: {e}");
            ExitCode::FAILURE
        }
    }
}
