//! Everything Fern parses from files: CARs, bundles (CAR, gzip, `.tar.zst`), test vectors,
//! `fern exec` message files and randomness rules, state CARs, dev-chain messages, and the
//! CBOR diagnostic printer. Each input must give a value or an error, never a panic.

#![no_main]

use fern_conformance::{bundle, exec, vector, TestVector};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    match which % 9 {
        0 => {
            let _ = bundle::read_car_blocks(rest);
        }
        1 => {
            let _ = bundle::bundle_cars(rest.to_vec());
        }
        2 => {
            let _ = bundle::inspect(rest.to_vec());
        }
        3 => {
            if let Ok(v) = TestVector::from_json(rest) {
                let _ = v.car_blocks();
                let _ = v.pre_state_car();
            }
        }
        4 => {
            let _ = exec::parse_messages(rest);
        }
        5 => {
            let _ = vector::parse_randomness(rest);
        }
        6 => {
            let _ = exec::read_state_car(rest.to_vec());
        }
        7 => {
            if let Ok(text) = std::str::from_utf8(rest) {
                let _ = fern_devnet::message::parse_send_json(text);
                let _ = fern_devnet::message::parse_amount(text);
                let _ = fern_devnet::message::parse_method(text);
            }
        }
        _ => {
            let _ = exec::cbor_diagnostic(rest);
        }
    }
});
