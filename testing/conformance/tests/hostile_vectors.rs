//! Bad input gets a clear error and never a panic: corpus vectors mangled in many ways (broken
//! JSON, broken gzip and CAR bytes, blocks whose data no longer matches what the state needs,
//! garbled messages) must each end in a parse error, a skip, a failed variant or (when the
//! mutation touched nothing the run depends on, such as a CAR header root or a fee cap above
//! what the message pays) a pass, never a panic. Mutations that always matter (a CAR that is not
//! gzip, a message cut short or with trailing bytes) must fail. The mutations come from a
//! fixed-seed generator, so a failure reproduces.

use std::path::Path;

use fern_conformance::bundle::read_car_blocks;
use fern_conformance::vector::{gunzip, gzip, write_car, Base64};
use fern_conformance::{run_vector, RunOptions, TestVector, VariantResult};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A few corpus vectors of different kinds (transfers, syscalls, actor creation).
fn samples() -> Vec<(String, TestVector)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors");
    [
        "transfers/basic--nv21.json",
        "syscalls/ipld_create_read--nv21.json",
        "transfers/create_accounts--nv23.json",
        "examples/counter--nv22.json",
    ]
    .iter()
    .map(|name| {
        let text = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let v = TestVector::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        (name.to_string(), v)
    })
    .collect()
}

/// Runs a mangled vector: whatever the result, Fern must not panic. Returns whether it passed.
fn no_panic(what: &str, v: &TestVector) -> bool {
    let outcomes = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_vector(v, &RunOptions::default())
    }))
    .unwrap_or_else(|_| panic!("{what}: the runner panicked"));
    let mut passed = true;
    for o in outcomes {
        match &o.result {
            VariantResult::Passed => {}
            VariantResult::Failed(m) => {
                assert!(
                    m.iter().all(|m| m.field != "panic"),
                    "{what}: Fern panicked: {m:?}"
                );
                passed = false;
            }
            VariantResult::Skipped(_) => passed = false,
        }
    }
    passed
}

/// Runs a mangled vector: it may fail or be skipped, but must not panic and must not pass.
fn must_not_pass(what: &str, v: &TestVector) {
    let outcomes = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_vector(v, &RunOptions::default())
    }))
    .unwrap_or_else(|_| panic!("{what}: the runner panicked"));
    for o in outcomes {
        match &o.result {
            VariantResult::Passed => panic!("{what}: a mangled vector passed"),
            VariantResult::Failed(m) => {
                assert!(
                    m.iter().all(|m| m.field != "panic"),
                    "{what}: Fern panicked: {m:?}"
                )
            }
            VariantResult::Skipped(_) => {}
        }
    }
}

/// Runs on a deep stack, as the CLI's workers do.
fn deep(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

#[test]
fn mangled_json_is_an_error_not_a_panic() {
    deep(|| {
        let mut rng = Rng(0x5eed_0001);
        for (name, v) in samples() {
            let json = v.to_json().into_bytes();
            for i in 0..60 {
                let mut bad = json.clone();
                match i % 3 {
                    0 => bad.truncate(rng.below(json.len())),
                    1 => {
                        for _ in 0..1 + rng.below(4) {
                            let at = rng.below(bad.len());
                            bad[at] = rng.next() as u8;
                        }
                    }
                    _ => {
                        let at = rng.below(bad.len());
                        bad.insert(at, b"{}[]\",:0-e"[rng.below(10)]);
                    }
                }
                let parsed = std::panic::catch_unwind(|| TestVector::from_json(&bad))
                    .unwrap_or_else(|_| panic!("{name} #{i}: the parser panicked"));
                // Some mutations leave valid JSON (inside a base64 string, say): run those.
                if let Ok(v) = parsed {
                    if v.to_json().into_bytes() != json {
                        let outcomes =
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                run_vector(&v, &RunOptions::default())
                            }))
                            .unwrap_or_else(|_| panic!("{name} #{i}: the runner panicked"));
                        for o in outcomes {
                            if let VariantResult::Failed(m) = &o.result {
                                assert!(m.iter().all(|m| m.field != "panic"), "{m:?}");
                            }
                        }
                    }
                }
            }
        }
    });
}

#[test]
fn mangled_car_bytes_never_panic() {
    deep(|| {
        let mut rng = Rng(0x5eed_0002);
        for (name, v) in samples() {
            let car = gunzip(&v.car.0).unwrap();
            for i in 0..25 {
                let mut bad_car = car.clone();
                match i % 3 {
                    // Cut the CAR short (never at its very end: that is the intact CAR).
                    0 => bad_car.truncate(rng.below(car.len() - 1)),
                    // Flip bytes in the header or the block framing.
                    1 => {
                        let at = rng.below(64.min(bad_car.len()));
                        bad_car[at] ^= 1 << rng.below(8);
                    }
                    // Flip a byte anywhere (block data included).
                    _ => {
                        let at = rng.below(bad_car.len());
                        bad_car[at] ^= 1 << rng.below(8);
                    }
                }
                let mut bad = v.clone();
                bad.car = Base64(gzip(&bad_car));
                no_panic(&format!("{name} car #{i}"), &bad);
            }
            // Not gzip at all.
            let mut bad = v.clone();
            bad.car = Base64(car.clone());
            must_not_pass(&format!("{name} plain car"), &bad);
        }
    });
}

#[test]
fn blocks_with_wrong_data_fail_the_vector() {
    // The CAR keeps every CID but one block's data is replaced: a state HAMT node, an actor
    // state, actor code. Whatever the machine reads it must reject cleanly.
    deep(|| {
        let mut rng = Rng(0x5eed_0003);
        let mut checked = 0;
        let mut failed = 0;
        for (name, v) in samples() {
            let car = gunzip(&v.car.0).unwrap();
            let (roots, blocks) = read_car_blocks(&car).unwrap();
            for (i, target) in blocks.iter().enumerate() {
                let replacement: Vec<u8> = match i % 4 {
                    0 => Vec::new(),
                    1 => (0..1 + rng.below(64)).map(|_| rng.next() as u8).collect(),
                    2 => vec![0x80], // an empty CBOR list
                    _ => {
                        let mut d = target.1.clone();
                        let at = rng.below(d.len());
                        d[at] ^= 0xff;
                        d
                    }
                };
                let mangled = blocks.iter().map(|(c, d)| {
                    if c == &target.0 {
                        (c, replacement.as_slice())
                    } else {
                        (c, d.as_slice())
                    }
                });
                let Ok(bad_car) = write_car(roots.clone(), mangled) else {
                    continue;
                };
                let mut bad = v.clone();
                bad.car = Base64(gzip(&bad_car));
                // A block the messages never read may be mangled harmlessly: then the vector
                // passes, which is right. Only a panic is wrong here.
                if !no_panic(&format!("{name} block #{i}"), &bad) {
                    failed += 1;
                }
                checked += 1;
            }
        }
        assert!(checked >= 40, "only {checked} blocks mangled");
        // Most blocks of a vector are ones its messages read.
        assert!(
            failed * 2 > checked,
            "only {failed} of {checked} mangled vectors failed"
        );
    });
}

#[test]
fn garbled_messages_end_in_receipts_or_errors() {
    deep(|| {
        let mut rng = Rng(0x5eed_0004);
        for (name, v) in samples() {
            for i in 0..20 {
                let mut bad = v.clone();
                let m = rng.below(bad.apply_messages.len());
                let bytes = &mut bad.apply_messages[m].bytes.0;
                match i % 3 {
                    0 => bytes.truncate(rng.below(bytes.len())),
                    1 => {
                        let at = rng.below(bytes.len());
                        bytes[at] ^= 1 << rng.below(8);
                    }
                    _ => bytes.extend_from_slice(&[0xff, 0x00]),
                }
                let what = format!("{name} message {m} #{i}");
                if i % 3 == 1 {
                    no_panic(&what, &bad); // a flipped bit may be harmless (a fee cap, say)
                } else {
                    must_not_pass(&what, &bad);
                }
            }
        }
    });
}
