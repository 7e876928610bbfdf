//! Proves that `fern_sdk` declares the syscall ABI exactly as `fvm_sdk` 4.8 does.
//!
//! Two probe actors (`testing/abi-probe/{fern,fvm}`) share one source file that calls every
//! function of `sdk::sys`; one is built against `fern_sdk`, the other against `fvm_sdk`. This test
//! compiles both to Wasm and compares their import sections: the sets of
//! (module, name, function type) must be identical, and must be exactly the syscall surface
//! listed in `/work/shared/ABI.md` (reproduced in [`ABI_FUNCTIONS`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use wasmparser::{CompositeInnerType, Parser, Payload, TypeRef, ValType};

/// Every (module, function) of the syscall surface, as listed in ABI.md.
const ABI_FUNCTIONS: &[(&str, &str)] = &[
    ("actor", "resolve_address"),
    ("actor", "lookup_delegated_address"),
    ("actor", "get_actor_code_cid"),
    ("actor", "get_builtin_actor_type"),
    ("actor", "get_code_cid_for_type"),
    ("actor", "next_actor_address"),
    ("actor", "create_actor"),
    ("actor", "balance_of"),
    ("actor", "upgrade_actor"),
    ("actor", "install_actor"),
    ("crypto", "verify_signature"),
    ("crypto", "verify_bls_aggregate"),
    ("crypto", "recover_secp_public_key"),
    ("crypto", "hash"),
    ("crypto", "compute_unsealed_sector_cid"),
    ("crypto", "verify_post"),
    ("crypto", "verify_consensus_fault"),
    ("crypto", "verify_aggregate_seals"),
    ("crypto", "verify_replica_update"),
    ("crypto", "batch_verify_seals"),
    ("debug", "enabled"),
    ("debug", "log"),
    ("debug", "store_artifact"),
    ("event", "emit_event"),
    ("gas", "charge"),
    ("gas", "available"),
    ("ipld", "block_open"),
    ("ipld", "block_create"),
    ("ipld", "block_read"),
    ("ipld", "block_stat"),
    ("ipld", "block_link"),
    ("network", "context"),
    ("network", "tipset_cid"),
    ("network", "total_fil_circ_supply"),
    ("rand", "get_chain_randomness"),
    ("rand", "get_beacon_randomness"),
    ("self", "root"),
    ("self", "set_root"),
    ("self", "current_balance"),
    ("self", "self_destruct"),
    ("send", "send"),
    ("vm", "exit"),
    ("vm", "message_context"),
];

/// One imported function: module, name and its signature rendered as `(params) -> (results)`.
type Import = (String, String, String);

fn workspace_root() -> PathBuf {
    // Overridable so the check can also run from a scratch crate outside the workspace.
    if let Ok(root) = std::env::var("FERN_WORKSPACE_ROOT") {
        return PathBuf::from(root);
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("testing/ lives inside the workspace")
        .to_path_buf()
}

/// Builds both probes for wasm32 with the `wasm` profile and returns the two module paths
/// (Fern first).
fn build_probes() -> (PathBuf, PathBuf) {
    let root = workspace_root();
    let target_dir = root.join("target").join("abi-probe");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(&root)
        .args([
            "build",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "wasm",
        ])
        .args(["-p", "fern_abi_probe", "-p", "fvm_abi_probe"])
        .arg("--target-dir")
        .arg(&target_dir)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .expect("failed to run cargo");
    assert!(status.success(), "building the ABI probes failed");
    let out = target_dir.join("wasm32-unknown-unknown").join("wasm");
    (
        out.join("fern_abi_probe.wasm"),
        out.join("fvm_abi_probe.wasm"),
    )
}

fn render(types: &[ValType]) -> String {
    types
        .iter()
        .map(|t| format!("{t}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads the function imports of a Wasm module.
fn function_imports(path: &Path) -> BTreeSet<Import> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut signatures: Vec<Option<String>> = Vec::new();
    let mut imports = BTreeSet::new();
    for payload in Parser::new(0).parse_all(&bytes) {
        match payload.expect("valid wasm") {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for sub in group.expect("valid type section").into_types() {
                        signatures.push(match sub.composite_type.inner {
                            CompositeInnerType::Func(f) => Some(format!(
                                "({}) -> ({})",
                                render(f.params()),
                                render(f.results())
                            )),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader {
                    let import = import.expect("valid import");
                    match import.ty {
                        TypeRef::Func(idx) => {
                            let sig = signatures
                                .get(idx as usize)
                                .cloned()
                                .flatten()
                                .expect("import refers to a function type");
                            imports.insert((import.module.to_owned(), import.name.to_owned(), sig));
                        }
                        other => panic!(
                            "{}: unexpected non-function import {}::{} ({other:?})",
                            path.display(),
                            import.module,
                            import.name
                        ),
                    }
                }
            }
            _ => {}
        }
    }
    imports
}

#[test]
fn fern_sdk_imports_match_fvm_sdk() {
    let (fern_wasm, fvm_wasm) = build_probes();
    let fern = function_imports(&fern_wasm);
    let fvm = function_imports(&fvm_wasm);

    let only_fern: Vec<_> = fern.difference(&fvm).collect();
    let only_fvm: Vec<_> = fvm.difference(&fern).collect();
    assert!(
        only_fern.is_empty() && only_fvm.is_empty(),
        "import sections differ\n  only in fern_sdk: {only_fern:#?}\n  only in fvm_sdk: {only_fvm:#?}"
    );

    let names: BTreeSet<(&str, &str)> = fern
        .iter()
        .map(|(m, n, _)| (m.as_str(), n.as_str()))
        .collect();
    let expected: BTreeSet<(&str, &str)> = ABI_FUNCTIONS.iter().copied().collect();
    assert_eq!(
        expected.len(),
        ABI_FUNCTIONS.len(),
        "duplicate entry in ABI_FUNCTIONS"
    );
    let missing: Vec<_> = expected.difference(&names).collect();
    let extra: Vec<_> = names.difference(&expected).collect();
    assert!(
        missing.is_empty(),
        "syscalls from ABI.md not imported: {missing:?}"
    );
    assert!(extra.is_empty(), "imports not listed in ABI.md: {extra:?}");
    // One signature per function.
    assert_eq!(
        fern.len(),
        names.len(),
        "a function is imported with two signatures"
    );
}

#[test]
fn every_import_returns_one_i32_status() {
    let (fern_wasm, _) = build_probes();
    for (module, name, sig) in function_imports(&fern_wasm) {
        assert!(
            sig.ends_with("-> (i32)"),
            "{module}::{name} has signature {sig}"
        );
    }
}
