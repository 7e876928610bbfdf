//! `ffi/include/fern.h` must be exactly what cbindgen generates from the crate's source, so the
//! header a node compiles against never drifts from the library. `FERN_BLESS=1` rewrites it.

use std::path::PathBuf;

#[test]
fn header_is_current() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut generated);
    let path = crate_dir.join("include/fern.h");
    if std::env::var_os("FERN_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write fern.h");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "ffi/include/fern.h is out of date: run `FERN_BLESS=1 cargo test --release -p fern_ffi --test header` and commit it"
    );
    // The header declares every exported function.
    let text = String::from_utf8(generated).unwrap();
    for f in [
        "fern_library_info",
        "fern_executor_new",
        "fern_executor_apply",
        "fern_executor_flush",
        "fern_executor_compilations",
        "fern_executor_free",
        "fern_apply_result_free",
        "fern_buffer_free",
        "fern_string_free",
    ] {
        assert!(
            text.contains(&format!("{f}(")),
            "{f} is missing from fern.h"
        );
    }
}
