//! Prints Fern's embedded actor bundle: manifest version, root CID, and each actor's name, code
//! CID and Wasm size. With `--out FILE` it also writes the bundle CAR to FILE.

use fvm_ipld_blockstore::MemoryBlockstore;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = match args.as_slice() {
        [] => None,
        [flag, path] if flag == "--out" => Some(path.clone()),
        _ => {
            eprintln!("usage: fern-bundle [--out FILE]");
            std::process::exit(2);
        }
    };
    let store = MemoryBlockstore::default();
    let bundle = match fern_bundle::Bundle::load(&store, fern_bundle::BUNDLE_CAR) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: the embedded bundle does not load: {e:#}");
            std::process::exit(1);
        }
    };
    println!("Fern actor bundle: manifest v{}, root {}", bundle.version, bundle.root);
    println!("{:>4}  {:<12} {:>8}  code CID", "type", "name", "bytes");
    for (i, (name, cid)) in bundle.actors.iter().enumerate() {
        let size = fern_bundle::actor_wasm(name).map_or(0, <[u8]>::len);
        println!("{:>4}  {:<12} {:>8}  {}", i + 1, name, size, cid);
    }
    println!("{} actors, CAR {} bytes", bundle.actors.len(), fern_bundle::BUNDLE_CAR.len());
    if let Some(path) = out {
        if let Err(e) = std::fs::write(&path, fern_bundle::BUNDLE_CAR) {
            eprintln!("error: writing {path}: {e}");
            std::process::exit(1);
        }
        println!("wrote {path}");
    }
}
