//! Compiles the test actors (see `ACTORS` below) with the workspace's reproducible Wasm build and
//! writes a table of `(name, Wasm)` pairs into `OUT_DIR` for the library to include.


use fern_wasm_build::{env_path, find_workspace, WasmBuild};

/// (name, cargo package) of every test actor, in table order.
const ACTORS: &[(&str, &str)] = &[
    ("syscalls", "fern_test_syscalls"),
    ("failures", "fern_test_failures"),
    ("fvm_sdk", "fvm_test_actor"),
];

fn main() {
    if let Err(e) = run() {
        eprintln!("error: building the test actors failed: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = env_path("CARGO_MANIFEST_DIR")?;
    let out_dir = env_path("OUT_DIR")?;
    let workspace = find_workspace(&manifest_dir)?;
    for dir in ["testing/test-actors", "sdk", "shared"] {
        println!("cargo:rerun-if-changed={}", workspace.join(dir).display());
    }
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("Cargo.lock").display()
    );
    println!("cargo:rerun-if-env-changed=FERN_TEST_ACTORS_TARGET_DIR");
    // Separate from the bundle's directory so the two nested builds never wait on each other.
    let target_dir =
        fern_wasm_build::nested_target_dir("FERN_TEST_ACTORS_TARGET_DIR", "fern-test-actors")?;
    let built = WasmBuild::new(&workspace, &target_dir)
        .packages(ACTORS.iter().map(|(_, p)| p))
        .run_and_read()?;

    let wasm_dir = out_dir.join("wasm");
    std::fs::create_dir_all(&wasm_dir)
        .map_err(|e| format!("creating {}: {e}", wasm_dir.display()))?;
    let mut table = String::from("/// Every test actor: (name, Wasm code).\n");
    table.push_str("pub const ACTORS: &[(&str, &[u8])] = &[\n");
    for ((name, package), (_, code)) in ACTORS.iter().zip(&built) {
        let path = wasm_dir.join(format!("{package}.wasm"));
        std::fs::write(&path, code).map_err(|e| format!("writing {}: {e}", path.display()))?;
        table.push_str(&format!(
            "    ({name:?}, include_bytes!(concat!(env!(\"OUT_DIR\"), \"/wasm/{package}.wasm\"))),\n"
        ));
    }
    table.push_str("];\n");
    let table_path = out_dir.join("actors.rs");
    std::fs::write(&table_path, table).map_err(|e| format!("writing {}: {e}", table_path.display()))
}
