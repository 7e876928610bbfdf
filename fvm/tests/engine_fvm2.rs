//! The engine at network version 17 against ref-fvm 2.12's: the same modules accepted and
//! refused, and for every accepted module the same compiled artifact, byte for byte (so the
//! same instrumentation, with `fvm-wasm-instrument` 0.2, and the same Wasmtime settings).
//!
//! Most of Fern's own actors are refused at nv17 by both: today's Rust toolchains encode
//! `call_indirect`'s table index in the reference-types form, which parity-wasm (MVP plus bulk
//! memory) does not read; the small ones without indirect calls pass. The mainnet actors of nv17 (bundle v9) are compared in
//! `testing/tests/real_bundles_fvm2.rs`.

use std::sync::atomic::{AtomicU64, Ordering};

use cid::multihash::Multihash;
use cid::Cid;
use fern::engine::{Engine, Stage};
use fern_shared::version::NetworkVersion;

/// ref-fvm 2.12's engine at nv17.
fn oracle() -> fvm2::machine::Engine {
    let nc = fvm2::machine::NetworkConfig::new(fvm2_shared::version::NetworkVersion::V17);
    fvm2::machine::Engine::new_default((&nc).into()).expect("ref-fvm 2.12 engine")
}

/// A CID never used before (ref-fvm's module cache is keyed by CID).
fn fresh_cid() -> Cid {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    Cid::new_v1(0x55, Multihash::wrap(0, &n.to_be_bytes()).unwrap())
}

fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap_or_else(|e| panic!("bad test WAT: {e}\n{text}"))
}

/// Hand-written modules: the instrumenters' special cases (branch tables, recursion, many
/// locals, bulk memory with a data-count section, memory growth, tables and indirect calls,
/// imports, a start function) and features nv17 refuses.
fn modules() -> Vec<(&'static str, Vec<u8>)> {
    let texts: &[(&str, &str)] = &[
        (
            "branch table",
            r#"(module (memory (export "memory") 1)
              (func (export "invoke") (param i32) (result i32)
                (block (block (block
                  (br_table 0 1 2 (local.get 0)))
                  (return (i32.const 10)))
                  (return (i32.const 20)))
                (i32.const 30)))"#,
        ),
        (
            "recursion with many locals",
            r#"(module (memory (export "memory") 1)
              (func $f (export "invoke") (param i32) (result i32)
                (local i64 i64 i64 i64 f64 f64 i32 i32 i32)
                (if (result i32) (i32.eqz (local.get 0))
                  (then (i32.const 0))
                  (else (call $f (i32.sub (local.get 0) (i32.const 1)))))))"#,
        ),
        (
            "bulk memory and passive data",
            r#"(module (memory (export "memory") 1)
              (data $d "hello fern")
              (func (export "invoke") (param i32) (result i32)
                (memory.init $d (i32.const 0) (i32.const 0) (i32.const 10))
                (data.drop $d)
                (memory.copy (i32.const 100) (i32.const 0) (i32.const 10))
                (memory.fill (i32.const 200) (i32.const 7) (i32.const 10))
                (i32.load8_u (i32.const 104))))"#,
        ),
        (
            "active data and memory growth",
            r#"(module (memory (export "memory") 1)
              (data (i32.const 16) "abc")
              (func (export "invoke") (param i32) (result i32)
                (drop (memory.grow (local.get 0)))
                (memory.size)))"#,
        ),
        (
            "tables and indirect calls",
            r#"(module (memory (export "memory") 1)
              (type $t (func (result i32)))
              (table 2 funcref)
              (elem (i32.const 0) $a $b)
              (func $a (result i32) (i32.const 1))
              (func $b (result i32) (i32.const 2))
              (func (export "invoke") (param i32) (result i32)
                (call_indirect (type $t) (local.get 0))))"#,
        ),
        (
            "imports and a start function",
            r#"(module
              (import "vm" "exit" (func $exit (param i32 i32 i32)))
              (memory (export "memory") 1)
              (global $g (mut i32) (i32.const 5))
              (func $init (global.set $g (i32.const 6)))
              (start $init)
              (func (export "invoke") (param i32) (result i32)
                (if (i32.eqz (local.get 0)) (then (call $exit (i32.const 0) (i32.const 0) (i32.const 0))))
                (global.get $g)))"#,
        ),
        (
            "sign extension (not in parity-wasm's MVP)",
            r#"(module (memory (export "memory") 1)
              (func (export "invoke") (param i32) (result i32) (i32.extend8_s (local.get 0))))"#,
        ),
        (
            "saturating float to int (not in parity-wasm's MVP)",
            r#"(module (memory (export "memory") 1)
              (func (export "invoke") (param i32) (result i32)
                (i32.trunc_sat_f64_s (f64.const 1e30))))"#,
        ),
        (
            "multi-value (disabled)",
            r#"(module (memory (export "memory") 1)
              (func (export "invoke") (param i32) (result i32 i32) (local.get 0) (local.get 0)))"#,
        ),
        (
            "a global import (refused by gas metering 0.2)",
            r#"(module (import "env" "g" (global i32)) (memory (export "memory") 1)
              (func (export "invoke") (param i32) (result i32) (global.get 0)))"#,
        ),
        ("no functions", "(module)"),
    ];
    texts.iter().map(|(n, t)| (*n, wat(t))).collect()
}

#[test]
fn same_verdicts_and_same_compiled_code_as_ref_fvm_2() {
    let fern = Engine::for_network(NetworkVersion::V17).expect("Fern's nv17 engine");
    let oracle = oracle();
    let mut inputs: Vec<(String, Vec<u8>)> = fern_bundle::ACTORS
        .iter()
        .map(|(n, w)| (format!("actor {n}"), w.to_vec()))
        .collect();
    inputs.extend(modules().into_iter().map(|(n, w)| (n.to_string(), w)));
    inputs.push(("not Wasm".into(), b"\0asm\x01\0\0\0\x05junk".to_vec()));
    let (mut accepted, mut refused, mut actors_accepted) = (0, 0, 0);
    for (name, wasm) in &inputs {
        let ours = fern.compile(wasm);
        let theirs = oracle.load_bytecode(&fresh_cid(), wasm);
        match (&ours, &theirs) {
            (Ok(module), Ok(reference)) => {
                let a = module.module().serialize().unwrap();
                let b = reference.serialize().unwrap();
                assert!(
                    a == b,
                    "{name}: compiled code differs ({} vs {} bytes)",
                    a.len(),
                    b.len()
                );
                accepted += 1;
                if name.starts_with("actor ") {
                    actors_accepted += 1;
                }
            }
            (Err(_), Err(_)) => refused += 1,
            _ => panic!(
                "{name}: Fern {:?}, ref-fvm 2.12 {:?}",
                ours.as_ref().map(|_| "accepts"),
                theirs
                    .as_ref()
                    .map(|_| "accepts")
                    .map_err(|e| e.to_string())
            ),
        }
    }
    assert!(accepted >= 6, "only {accepted} accepted");
    assert!(actors_accepted >= 1, "none of Fern's actors accepted");
    assert!(refused >= 10, "only {refused} refused");
}

#[test]
fn refusals_name_the_stage() {
    let fern = Engine::for_network(NetworkVersion::V17).unwrap();
    let stage = |name: &str| {
        let (_, wasm) = modules().into_iter().find(|(n, _)| *n == name).unwrap();
        fern.compile(&wasm).unwrap_err().stage()
    };
    assert_eq!(
        stage("sign extension (not in parity-wasm's MVP)"),
        Some(Stage::Parsing)
    );
    assert_eq!(stage("multi-value (disabled)"), Some(Stage::Validation));
    assert_eq!(
        stage("a global import (refused by gas metering 0.2)"),
        Some(Stage::GasMetering)
    );
}

#[test]
fn instrumentation_differs_from_the_later_generations() {
    // The same actor instruments to other bytes at nv17 than at nv18: the two instrumenters
    // place charges and count the stack differently, so neither can stand in for the other.
    let nv17 = Engine::for_network(NetworkVersion::V17).unwrap();
    let nv18 = Engine::for_network(NetworkVersion::V18).unwrap();
    for (name, wasm) in modules().iter().take(6) {
        let old = nv17.instrument(wasm).unwrap();
        assert_ne!(old, nv18.instrument(wasm).unwrap(), "{name}");
    }
    // Fern's own actors all load at nv18; at nv17 those parity-wasm cannot read (most of
    // them) are refused while parsing, and the others instrument to other bytes.
    let mut refused = 0;
    for (name, wasm) in fern_bundle::ACTORS {
        let new = nv18.instrument(wasm).unwrap();
        match nv17.instrument(wasm) {
            Ok(old) => assert_ne!(old, new, "{name}"),
            Err(e) => {
                assert_eq!(e.stage(), Some(Stage::Parsing), "{name}: {e}");
                refused += 1;
            }
        }
    }
    assert!(refused * 2 > fern_bundle::ACTORS.len(), "{refused} refused");
}
