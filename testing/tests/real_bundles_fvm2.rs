//! Network version 17 on the real actors it ran: every actor of lotus's bundle v9 (the mainnet
//! CAR of `v9.tar.zst` in `FERN_BUNDLES_DIR`, a folder kept outside the repository) is compiled
//! by Fern's nv17 engine and by ref-fvm 2.12's, and the two compiled artifacts must be the same
//! bytes: the same validation, the same `fvm-wasm-instrument` 0.2 instrumentation and the same
//! Wasmtime settings. Without the archive the test says why it skipped.
//!
//! With `FERN_FVM_TEST_VECTORS` (a checkout of filecoin-project/fvm-test-vectors) as well, the
//! corpus's nv17 vectors (mainnet messages on actors v9) run on Fern's nv17 kernel and on ref-fvm
//! 2.12, and the counts are printed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use fern_conformance::{run_vector, RunOptions, TestVector, VariantResult};
use fern_testing::harness::on_deep_stack;

use fern::engine::Engine;
use fern_conformance::bundle::{inspect, read_car_blocks};
use fern_shared::version::NetworkVersion;
use fern_testing::real_bundles::mainnet_car;

#[test]
fn bundle_v9_compiles_to_ref_fvm_2s_code() {
    let Some(dir) = std::env::var_os("FERN_BUNDLES_DIR").map(PathBuf::from) else {
        eprintln!("skipped: set FERN_BUNDLES_DIR to a folder with lotus's v9.tar.zst");
        return;
    };
    let path = dir.join("v9.tar.zst");
    if !path.exists() {
        eprintln!("skipped: {} is missing", path.display());
        return;
    }
    let car = mainnet_car(&path)
        .expect("the archive reads")
        .expect("the archive has a mainnet CAR");
    let info = inspect(car.clone()).expect("the bundle's manifest");
    let blocks: HashMap<_, _> = read_car_blocks(&car)
        .expect("the CAR's blocks")
        .1
        .into_iter()
        .collect();

    let fern = Engine::for_network(NetworkVersion::V17).expect("Fern's nv17 engine");
    let nc = fvm2::machine::NetworkConfig::new(fvm2_shared::version::NetworkVersion::V17);
    let oracle = fvm2::machine::Engine::new_default((&nc).into()).expect("ref-fvm 2.12 engine");
    for actor in &info.actors {
        let wasm = &blocks[&actor.code];
        let ours = fern
            .compile(wasm)
            .unwrap_or_else(|e| panic!("{}: Fern refuses it: {e}", actor.name));
        let theirs = oracle
            .load_bytecode(&actor.code, wasm)
            .unwrap_or_else(|e| panic!("{}: ref-fvm 2.12 refuses it: {e}", actor.name));
        let (a, b) = (
            ours.module().serialize().unwrap(),
            theirs.serialize().unwrap(),
        );
        assert!(a == b, "{}: compiled code differs", actor.name);
        eprintln!(
            "{}: {} bytes of Wasm, same compiled code",
            actor.name,
            wasm.len()
        );
    }
    assert_eq!(info.actors.len(), 12, "bundle v9 has 12 actors");
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn fvm_test_vectors_at_nv17_when_available() {
    let (Some(vectors), Some(bundles)) = (
        std::env::var_os("FERN_FVM_TEST_VECTORS"),
        std::env::var_os("FERN_BUNDLES_DIR").map(PathBuf::from),
    ) else {
        eprintln!(
            "skipped: set FERN_FVM_TEST_VECTORS to a checkout of filecoin-project/fvm-test-vectors \
             and FERN_BUNDLES_DIR to a folder with v9.tar.zst"
        );
        return;
    };
    let v9 = bundles.join("v9.tar.zst");
    if !v9.exists() {
        eprintln!("skipped: {} is missing", v9.display());
        return;
    }
    let options = RunOptions::with_bundles(std::slice::from_ref(&v9)).expect("the v9 bundle loads");
    let mut files = Vec::new();
    json_files(Path::new(&vectors), &mut files);
    assert!(!files.is_empty(), "no vectors under {vectors:?}");
    let (mut passed, mut failed, mut other_versions) = (0, 0, 0);
    let (mut oracle_passed, mut oracle_failed) = (0, 0);
    let mut lines = Vec::new();
    for file in &files {
        let vector = TestVector::from_json(&std::fs::read(file).unwrap()).unwrap();
        if vector.preconditions.variants.iter().all(|v| v.nv != 17) {
            other_versions += 1;
            continue;
        }
        let name = file
            .strip_prefix(&vectors)
            .unwrap_or(file)
            .display()
            .to_string();
        for (outcome, variant) in run_vector(&vector, &options)
            .into_iter()
            .zip(&vector.preconditions.variants)
        {
            if variant.nv != 17 {
                continue;
            }
            match &outcome.result {
                VariantResult::Passed => passed += 1,
                VariantResult::Failed(m) => {
                    failed += 1;
                    lines.push(format!("Fern FAIL {name}: {}", m[0]));
                }
                VariantResult::Skipped(why) => panic!("{name}: skipped at nv17: {why}"),
            }
            let (v, var, blocks) = (
                vector.clone(),
                variant.clone(),
                options.bundle_blocks.clone(),
            );
            let oracle = on_deep_stack(move || {
                fern_testing::ref_vm2::replay_variant(&v, &var, &blocks)
                    .map_err(|e| format!("{e:#}"))
            });
            match oracle {
                Ok(d) if d.is_empty() => oracle_passed += 1,
                Ok(d) => {
                    oracle_failed += 1;
                    lines.push(format!("ref-fvm 2.12 FAIL {name}: {}", d[0]));
                }
                Err(e) => {
                    oracle_failed += 1;
                    lines.push(format!("ref-fvm 2.12 ERROR {name}: {e}"));
                }
            }
        }
    }
    for l in &lines {
        eprintln!("{l}");
    }
    eprintln!(
        "nv17 vectors: Fern {passed} passed, {failed} failed; ref-fvm 2.12 {oracle_passed} passed, \
         {oracle_failed} failed ({other_versions} files at other versions left out)"
    );
    assert!(passed > 0, "nothing passed");
}
