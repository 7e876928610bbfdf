//! The C interface with hostile arguments: executor settings with fuzzer-chosen network
//! versions, epochs, amounts, state roots, manifests and flags; then messages (a corpus
//! vector's, with byte edits, or arbitrary bytes) with fuzzer-chosen apply kinds and on-chain
//! lengths; then a flush. One input in four also makes the host fail: the Nth block read fails
//! or returns wrong bytes, the Nth block write fails (each once, with a fuzzer-chosen status),
//! or every chain callback fails. Every call must return a status (and free everything it
//! allocated; run under AddressSanitizer), never crash or hang.

#![no_main]

use std::sync::atomic::Ordering;
use std::sync::OnceLock;

use fern_conformance::TestVector;
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../ffi/tests/support/mod.rs"]
mod support;

/// A corpus vector with several messages (transfers that create accounts).
fn vector() -> &'static TestVector {
    static VECTOR: OnceLock<TestVector> = OnceLock::new();
    VECTOR.get_or_init(|| {
        let files = fern_conformance::collect_vector_files(&[support::corpus_dir()])
            .expect("the corpus");
        let path = files
            .iter()
            .find(|p| p.to_string_lossy().contains("transfers"))
            .expect("a transfers vector");
        support::load_vector(path)
    })
}

/// Compiles the actors once (engines are shared between executors) before the first input.
fn warm_up() {
    fern_fuzz::deep(|| {
        let (host, settings) = support::vector_setup(vector(), 0);
        let exec = support::Exec::new(&settings, &host).expect("an executor on the vector");
        let m = &vector().apply_messages[0].bytes.0;
        let _ = exec.apply(m, 0, support::chain_len(m));
    })
}

fuzz_target!(init: warm_up(), |data: &[u8]| {
    let data = data.to_vec();
    fern_fuzz::deep(move || {
        let mut u = Unstructured::new(&data);
        let vector = vector();
        let flags: u32 = if u.ratio(1, 4).unwrap_or(false) { u.arbitrary().unwrap_or(0) } else { 0 };
        let (host, mut settings) = support::vector_setup(vector, flags);
        if u.ratio(1, 3).unwrap_or(false) {
            match u.int_in_range(0..=5u8).unwrap_or(0) {
                0 => settings.nv = u.arbitrary().unwrap_or(0),
                1 => settings.epoch = u.arbitrary().unwrap_or(0),
                2 => settings.base_fee = u.arbitrary().unwrap_or_default(),
                3 => settings.circ_supply = u.arbitrary().unwrap_or_default(),
                4 => settings.root = u.arbitrary().unwrap_or_default(),
                _ => settings.manifest = u.arbitrary().unwrap_or_default(),
            }
        }
        if u.ratio(1, 4).unwrap_or(false) {
            let nth = u64::from(u.int_in_range(1..=400u16).unwrap_or(1));
            let status: i32 = u.arbitrary().unwrap_or(-1);
            host.nth_status.store(status, Ordering::Relaxed);
            match u.int_in_range(0..=3u8).unwrap_or(0) {
                0 => host.fail_get_at.store(nth, Ordering::Relaxed),
                1 => host.wrong_get_at.store(nth, Ordering::Relaxed),
                2 => host.fail_put_at.store(nth, Ordering::Relaxed),
                _ => host.chain_status.store(status, Ordering::Relaxed),
            }
        }
        let Ok(exec) = support::Exec::new(&settings, &host) else { return };
        for i in 0..4 {
            let mut msg: Vec<u8> = if u.ratio(1, 3).unwrap_or(true) {
                u.arbitrary().unwrap_or_default()
            } else {
                let m = &vector.apply_messages[i % vector.apply_messages.len()];
                m.bytes.0.clone()
            };
            // A few byte edits.
            for _ in 0..u.int_in_range(0..=3u8).unwrap_or(0) {
                if msg.is_empty() {
                    break;
                }
                let at = u.choose_index(msg.len()).unwrap_or(0);
                msg[at] = u.arbitrary().unwrap_or(0);
            }
            let kind: u32 = if u.ratio(1, 5).unwrap_or(false) { u.arbitrary().unwrap_or(7) } else { 0 };
            let len = if u.ratio(1, 5).unwrap_or(false) {
                u.arbitrary().unwrap_or(0)
            } else {
                msg.len() + 69
            };
            let _ = exec.apply(&msg, kind, len);
        }
        let _ = exec.flush();
    })
});
