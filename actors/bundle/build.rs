//! Compiles every actor listed in `actors.in` to `wasm32-unknown-unknown` and packs the results
//! into a bundle CAR in `OUT_DIR`.
//!
//! The bundle layout is the one Filecoin nodes and ref-fvm load:
//! - the CAR has one root: the manifest block `[1, <manifest data CID>]` (DAG-CBOR),
//! - the manifest data block is a DAG-CBOR list of `[name, code CID]` pairs, in `actors.in` order,
//! - each actor's code is a raw (0x55) block addressed by its blake2b-256 hash.
//!
//! Reproducibility: the nested cargo build is `fern_wasm_build` (`--locked`, the `wasm` profile,
//! the `mvp` CPU plus bulk memory, remapped source paths, a scrubbed environment), so the same
//! sources and toolchain give the same bytes (and so the same code CIDs) on every machine,
//! whatever directory the checkout lives in.

use std::path::Path;

use cid::Cid;
use fern_wasm_build::{env_path, WasmBuild};
use fvm_ipld_car::{Block, CarHeader, CarWriter};
use multihash_codetable::{Code, MultihashDigest};

const DAG_CBOR: u64 = 0x71;
const IPLD_RAW: u64 = 0x55;
const MANIFEST_VERSION: u32 = 1;

fn main() {
    if let Err(e) = run() {
        // A build script error must say what went wrong, not panic with a backtrace.
        eprintln!("error: building the actor bundle failed: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = env_path("CARGO_MANIFEST_DIR")?;
    let out_dir = env_path("OUT_DIR")?;
    let workspace = manifest_dir
        .parent()
        .and_then(Path::parent)
        .ok_or("actors/bundle is not inside the workspace")?
        .to_path_buf();

    let list_path = manifest_dir.join("actors.in");
    let list = std::fs::read_to_string(&list_path)
        .map_err(|e| format!("reading {}: {e}", list_path.display()))?;
    let actors = parse_actor_list(&list)?;

    println!("cargo:rerun-if-changed={}", list_path.display());
    for dir in ["actors", "sdk", "shared"] {
        println!("cargo:rerun-if-changed={}", workspace.join(dir).display());
    }
    println!("cargo:rerun-if-changed={}", workspace.join("Cargo.lock").display());
    println!("cargo:rerun-if-env-changed=FERN_ACTORS_TARGET_DIR");

    // A stable target directory outside OUT_DIR so the (slow) actor build is incremental.
    let target_dir = fern_wasm_build::nested_target_dir("FERN_ACTORS_TARGET_DIR", "fern-actors")?;
    let wasm_dir = WasmBuild::new(&workspace, &target_dir)
        .packages(actors.iter().map(|(_, package)| package))
        .run()?;
    let mut codes = Vec::with_capacity(actors.len());
    for (name, package) in &actors {
        let path = wasm_dir.join(format!("{package}.wasm"));
        let code = std::fs::read(&path)
            .map_err(|e| format!("reading the Wasm of actor {name} at {}: {e}", path.display()))?;
        codes.push((name.clone(), package.clone(), code));
    }

    write_bundle(&out_dir, &codes)
}

/// Parses `actors.in`: one `<name> <package>` pair per line; `#` starts a comment.
fn parse_actor_list(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut actors = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some(name), Some(package), None) => {
                actors.push((name.to_string(), package.replace('-', "_")))
            }
            _ => return Err(format!("actors.in line {}: expected `<name> <package>`", n + 1)),
        }
    }
    if actors.is_empty() {
        return Err("actors.in lists no actors".into());
    }
    Ok(actors)
}

fn cbor_block(value: &impl serde::Serialize) -> Result<(Cid, Vec<u8>), String> {
    let data = fvm_ipld_encoding::to_vec(value).map_err(|e| format!("encoding a block: {e}"))?;
    Ok((Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(&data)), data))
}

fn write_bundle(out_dir: &Path, codes: &[(String, String, Vec<u8>)]) -> Result<(), String> {
    let code_blocks: Vec<(Cid, &[u8])> = codes
        .iter()
        .map(|(_, _, wasm)| (Cid::new_v1(IPLD_RAW, Code::Blake2b256.digest(wasm)), wasm.as_slice()))
        .collect();
    let entries: Vec<(&str, Cid)> = codes
        .iter()
        .zip(&code_blocks)
        .map(|((name, _, _), (cid, _))| (name.as_str(), *cid))
        .collect();
    let (data_cid, data) = cbor_block(&entries)?;
    let (root_cid, root) = cbor_block(&(MANIFEST_VERSION, data_cid))?;

    let mut car = Vec::new();
    let mut writer = CarWriter::new(CarHeader::new(vec![root_cid], 1), &mut car)
        .map_err(|e| format!("writing the CAR header: {e}"))?;
    let mut blocks = vec![(root_cid, root), (data_cid, data)];
    blocks.extend(code_blocks.iter().map(|(cid, wasm)| (*cid, wasm.to_vec())));
    for (cid, data) in blocks {
        writer
            .write(Block { cid, data })
            .map_err(|e| format!("writing a CAR block: {e}"))?;
    }
    writer.flush().map_err(|e| format!("flushing the CAR: {e}"))?;

    let car_path = out_dir.join("bundle.car");
    std::fs::write(&car_path, &car).map_err(|e| format!("writing {}: {e}", car_path.display()))?;

    // The table of actors, as Rust source included by the library.
    let mut table = String::from("/// The bundle's actors in manifest order: (name, Wasm code).\n");
    table.push_str("pub const ACTORS: &[(&str, &[u8])] = &[\n");
    for (name, package, _) in codes {
        table.push_str(&format!(
            "    ({name:?}, include_bytes!(concat!(env!(\"FERN_ACTORS_WASM_DIR\"), \"/{package}.wasm\"))),\n"
        ));
    }
    table.push_str("];\n");
    let table_path = out_dir.join("actors.rs");
    std::fs::write(&table_path, table).map_err(|e| format!("writing {}: {e}", table_path.display()))?;

    let wasm_dir = out_dir.join("wasm");
    std::fs::create_dir_all(&wasm_dir).map_err(|e| format!("creating {}: {e}", wasm_dir.display()))?;
    for (_, package, wasm) in codes {
        let path = wasm_dir.join(format!("{package}.wasm"));
        std::fs::write(&path, wasm).map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    println!("cargo:rustc-env=FERN_ACTORS_WASM_DIR={}", wasm_dir.display());
    Ok(())
}
