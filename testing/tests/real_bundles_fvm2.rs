//! Network version 17 on the real actors it ran: every actor of lotus's bundle v9 (the mainnet
//! CAR of `v9.tar.zst` in `FERN_BUNDLES_DIR`, a folder kept outside the repository) is compiled
//! by Fern's nv17 engine and by ref-fvm 2.12's, and the two compiled artifacts must be the same
//! bytes: the same validation, the same `fvm-wasm-instrument` 0.2 instrumentation and the same
//! Wasmtime settings. Without the archive the test says why it skipped.

use std::collections::HashMap;
use std::path::PathBuf;

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
