//! Storage and host faults through the callbacks (issue 11, section 4): `blockstore_get` failing
//! or answering wrong bytes at the Nth call of a message (every N the healthy message makes),
//! `blockstore_put` failing at the Nth block of a flush, and the chain callbacks failing with
//! `PANIC`. Every fault must end the call with `HOST_FAILURE` and no receipt; the host's store
//! must be untouched by a failed apply; a fresh executor over the same pre-state (an apply
//! failure poisons its executor) or the same executor (a failed flush does not) must reach the
//! healthy receipts and root.

mod support;

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use fern_ffi::*;
use support::*;

fn vector(name: &str) -> fern_conformance::TestVector {
    load_vector(&corpus_dir().join(name))
}

/// Message-heavy vectors: token transfers with events, blocks created and opened.
const VECTORS: &[&str] = &[
    "examples/token--nv26.json",
    "syscalls/ipld_link_open--nv22.json",
    "transfers/create_accounts--nv23.json",
];

struct Healthy {
    /// Per message: the result and the gets it made.
    messages: Vec<(Applied, u64)>,
    flush_puts: u64,
    root: cid::Cid,
}

fn messages(v: &fern_conformance::TestVector) -> Vec<Vec<u8>> {
    v.apply_messages.iter().map(|m| m.bytes.0.clone()).collect()
}

fn apply(exec: &Exec, m: &[u8]) -> Result<Applied, (FernStatus, String)> {
    exec.apply(m, FERN_APPLY_EXPLICIT, chain_len(m))
}

fn healthy(v: &fern_conformance::TestVector) -> Healthy {
    let (host, settings) = vector_setup(v, 0);
    let exec = Exec::new(&settings, &host).unwrap();
    let mut out = Vec::new();
    for m in messages(v) {
        host.gets.store(0, Ordering::Relaxed);
        let r = apply(&exec, &m).unwrap();
        out.push((r, host.gets.load(Ordering::Relaxed)));
    }
    host.puts.store(0, Ordering::Relaxed);
    let root = exec.flush().unwrap();
    Healthy {
        messages: out,
        flush_puts: host.puts.load(Ordering::Relaxed),
        root,
    }
}

fn snapshot(host: &TestHost) -> HashMap<Vec<u8>, Vec<u8>> {
    host.blocks.lock().unwrap().clone()
}

/// A fresh executor over the host's (pre-)state runs every message to its healthy result and
/// flushes to the healthy root.
fn replay_healthy(
    host: &TestHost,
    settings: &Settings,
    v: &fern_conformance::TestVector,
    good: &Healthy,
    what: &str,
) {
    let exec = Exec::new(settings, host).unwrap();
    for (k, m) in messages(v).iter().enumerate() {
        let r = apply(&exec, m).unwrap_or_else(|e| panic!("{what}: replay {k}: {e:?}"));
        assert_eq!(r, good.messages[k].0, "{what}: replay {k}");
    }
    assert_eq!(exec.flush().unwrap(), good.root, "{what}: root");
}

#[test]
fn nth_get_failures_and_wrong_bytes_are_host_failures() {
    let (mut failing, mut wrong) = (0, 0);
    for name in VECTORS {
        let v = vector(name);
        healthy(&v); // compiles what the vector runs: later counts are without code loads
        let good = healthy(&v);
        let msgs = messages(&v);
        for (k, m) in msgs.iter().enumerate() {
            for n in 1..=good.messages[k].1 {
                for wrong_bytes in [false, true] {
                    let what = format!("{name} message {k} get #{n} wrong={wrong_bytes}");
                    let (host, settings) = vector_setup(&v, 0);
                    let exec = Exec::new(&settings, &host).unwrap();
                    for prior in &msgs[..k] {
                        apply(&exec, prior).unwrap();
                    }
                    let before = snapshot(&host);
                    host.gets.store(0, Ordering::Relaxed);
                    if wrong_bytes {
                        host.wrong_get_at.store(n, Ordering::Relaxed);
                    } else {
                        host.nth_status
                            .store(FernHostStatus::IoError as i32, Ordering::Relaxed);
                        host.fail_get_at.store(n, Ordering::Relaxed);
                    }
                    let (status, message) = apply(&exec, m).unwrap_err();
                    assert_eq!(status, FernStatus::HostFailure, "{what}: {message}");
                    if wrong_bytes {
                        assert!(
                            message.contains("do not hash to its CID"),
                            "{what}: {message}"
                        );
                        wrong += 1;
                    } else {
                        assert!(message.contains("blockstore_get"), "{what}: {message}");
                        failing += 1;
                    }
                    assert!(
                        snapshot(&host) == before,
                        "{what}: the host's store changed"
                    );
                    assert_eq!(apply(&exec, m).unwrap_err().0, FernStatus::Poisoned);
                    drop(exec);
                    if k == 0 {
                        // The pre-state is the vector's: a new executor reaches the healthy end.
                        replay_healthy(&host, &settings, &v, &good, &what);
                    }
                }
            }
        }
    }
    println!("FFI: {failing} failing gets, {wrong} wrong-bytes gets, all HOST_FAILURE");
    assert!(failing > 10 && wrong > 10);
}

#[test]
fn nth_put_failures_of_a_flush_can_be_retried() {
    let mut cases = 0;
    for name in VECTORS {
        let v = vector(name);
        let good = healthy(&v);
        for n in 1..=good.flush_puts {
            let what = format!("{name} flush put #{n}");
            let (host, settings) = vector_setup(&v, 0);
            let exec = Exec::new(&settings, &host).unwrap();
            for m in messages(&v) {
                apply(&exec, &m).unwrap();
            }
            host.puts.store(0, Ordering::Relaxed);
            host.nth_status
                .store(FernHostStatus::IoError as i32, Ordering::Relaxed);
            host.fail_put_at.store(n, Ordering::Relaxed);
            let (status, message) = exec.flush().unwrap_err();
            assert_eq!(status, FernStatus::HostFailure, "{what}: {message}");
            assert_eq!(exec.flush().unwrap(), good.root, "{what}: retry");
            cases += 1;
        }
    }
    println!("FFI: {cases} failing flush puts, all HOST_FAILURE then the healthy root");
    assert!(cases > 10);
}

#[test]
fn panicking_chain_callbacks_are_host_failures() {
    let mut failed = 0;
    for name in [
        "syscalls/randomness--nv25.json",
        "syscalls/context_default--nv24.json",
        "syscalls/proofs--nv21.json",
    ] {
        let Some(v) = std::fs::metadata(corpus_dir().join(name))
            .ok()
            .map(|_| vector(name))
        else {
            continue;
        };
        let good = healthy(&v);
        for (k, m) in messages(&v).iter().enumerate() {
            let what = format!("{name} message {k}");
            let (host, settings) = vector_setup(&v, 0);
            let exec = Exec::new(&settings, &host).unwrap();
            for prior in &messages(&v)[..k] {
                apply(&exec, prior).unwrap();
            }
            let queries = host.queries.lock().unwrap().len();
            host.chain_status
                .store(FernHostStatus::Panic as i32, Ordering::Relaxed);
            match apply(&exec, m) {
                Ok(r) => assert_eq!(r, good.messages[k].0, "{what}: a receipt must be healthy"),
                Err((status, message)) => {
                    assert_eq!(status, FernStatus::HostFailure, "{what}: {message}");
                    assert!(message.contains("status -5"), "{what}: {message}");
                    assert_eq!(host.queries.lock().unwrap().len(), queries);
                    failed += 1;
                }
            }
        }
    }
    println!("FFI: {failed} messages met a PANIC status from a chain callback, all HOST_FAILURE");
    assert!(failed >= 5, "{failed}");
}
