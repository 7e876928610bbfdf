//! Messages on the standard genesis, on Fern and on its oracle (ref-fvm 4.8 at nv29, 3.14 at
//! nv18): every message of the input must
//! give the same receipt (exit code, return, gas, events, trace) and state root on both, or a
//! fatal error on both; a message's bytes must decode on both or on neither.
//!
//! Input: a network version, then up to four messages, each either raw CBOR bytes or built
//! field by field from known senders and recipients (`fern_fuzz::message`), explicit or
//! implicit.

#![no_main]

use fern_testing::harness::raw_len;
use fvm::executor::ApplyKind;
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: fern_fuzz::warm_up_for(&fern_fuzz::MESSAGE_VERSIONS), |data: &[u8]| {
    let data = data.to_vec();
    fern_fuzz::deep(move || {
        let mut u = Unstructured::new(&data);
        let Ok(mut pair) = fern_fuzz::pair_among(&mut u, &fern_fuzz::MESSAGE_VERSIONS) else {
            return;
        };
        for _ in 0..4 {
            let Ok(raw) = u.ratio(1, 4) else { return };
            let msg = if raw {
                let Ok(bytes) = u.arbitrary::<Vec<u8>>() else { return };
                let theirs = fvm_ipld_encoding::from_slice::<fvm_shared::message::Message>(&bytes);
                let ours = fvm_ipld_encoding::from_slice::<fern_shared::message::Message>(&bytes);
                assert_eq!(theirs.is_ok(), ours.is_ok(), "decoding {bytes:02x?}");
                match theirs {
                    Ok(m) => {
                        // Both sides must also agree on what the message says.
                        let back = fvm_ipld_encoding::to_vec(&ours.unwrap()).unwrap();
                        assert_eq!(back, fvm_ipld_encoding::to_vec(&m).unwrap());
                        m
                    }
                    Err(_) => continue,
                }
            } else {
                let method = match u.int_in_range(0..=3u8) {
                    Ok(0) => 0,
                    Ok(1) => u.int_in_range(1..=30).unwrap_or(2),
                    Ok(_) => u.arbitrary().unwrap_or(0),
                    Err(_) => return,
                };
                let Ok(params) = u.arbitrary::<Vec<u8>>() else { return };
                match fern_fuzz::message(&mut u, &pair, method, params) {
                    Ok(m) => m,
                    Err(_) => return,
                }
            };
            let kind = if u.ratio(1, 8).unwrap_or(false) {
                ApplyKind::Implicit
            } else {
                ApplyKind::Explicit
            };
            let _ = raw_len(&msg);
            if pair.try_apply_kind(msg, kind).is_err() {
                // Both failed fatally: the executors are done.
                return;
            }
        }
    })
});
