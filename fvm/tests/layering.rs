//! The kernel's module graph is layered (FIPS/architecture.md): gas → engine → machine →
//! call_manager → kernel → syscalls → executor, and a module may only name modules of its own
//! layer or below. This test reads the sources and fails on any upward reference, so a cycle
//! cannot creep back in.

use std::path::{Path, PathBuf};

/// The layers, bottom first.
const LAYERS: &[&str] = &[
    "gas",
    "engine",
    "machine",
    "call_manager",
    "kernel",
    "syscalls",
    "executor",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The layer a source file belongs to (by its top-level module), if any.
fn layer_of(src: &Path, file: &Path) -> Option<usize> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let module = first.strip_suffix(".rs").unwrap_or(first);
    LAYERS.iter().position(|l| *l == module)
}

/// Every layer a piece of source names through a `crate::` path, including grouped imports
/// such as `use crate::{gas::Gas, machine::Machine}`.
fn referenced_layers(text: &str) -> Vec<usize> {
    let mut found = Vec::new();
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            group[..end].split(',').map(|s| s.trim()).collect()
        } else {
            vec![rest]
        };
        for name in names {
            let ident: String = name
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if let Some(layer) = LAYERS.iter().position(|l| *l == ident) {
                found.push(layer);
            }
        }
    }
    found
}

#[test]
fn no_module_references_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut checked = 0;
    let mut violations = Vec::new();
    for file in &files {
        let Some(own) = layer_of(&src, file) else {
            continue;
        };
        checked += 1;
        let text = std::fs::read_to_string(file).expect("readable source");
        for used in referenced_layers(&text) {
            if used > own {
                violations.push(format!(
                    "{} ({}) references {}",
                    file.strip_prefix(&src).unwrap().display(),
                    LAYERS[own],
                    LAYERS[used]
                ));
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} layered files found; did the layout change?"
    );
    violations.sort();
    violations.dedup();
    assert!(
        violations.is_empty(),
        "upward references:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_reference_scanner_sees_grouped_and_plain_paths() {
    assert_eq!(referenced_layers("use crate::gas::Gas;"), vec![0]);
    assert_eq!(
        referenced_layers("use crate::{machine::Machine, executor::X};"),
        vec![2, 6]
    );
    assert_eq!(
        referenced_layers("// use crate::executor::X;"),
        Vec::<usize>::new()
    );
    assert_eq!(referenced_layers("let x = crate::kernel::f();"), vec![4]);
}
