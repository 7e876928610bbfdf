//! The compiled-module cache on disk: a second engine over the same directory compiles nothing;
//! corrupt, truncated and foreign entries are detected and recompiled, never trusted; a failing
//! write degrades to compiling in memory; processes racing on one directory are safe.

use std::path::{Path, PathBuf};

use cid::Cid;
use fern::engine::{Engine, EngineConfig, EngineOptions};
use fern_shared::version::NetworkVersion;
use fvm_ipld_blockstore::MemoryBlockstore;

/// Fern's bundle loaded into a store, and the code CIDs of its actors.
fn bundle() -> (MemoryBlockstore, Vec<Cid>) {
    let store = MemoryBlockstore::new();
    let bundle = fern_bundle::Bundle::load(&store, fern_bundle::BUNDLE_CAR).unwrap();
    let codes = bundle.actors.iter().map(|(_, code)| *code).collect();
    (store, codes)
}

fn config() -> EngineConfig {
    EngineConfig::for_network(NetworkVersion::V28).unwrap()
}

fn engine(dir: &Path, config: EngineConfig) -> Engine {
    let options = EngineOptions {
        redirects: Vec::new(),
        module_cache: Some(dir.to_path_buf()),
    };
    Engine::with_options(config, options).unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fern-disk-cache-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// (min memory, min table, instrumented length) of every module, as the kernel uses them.
fn facts(
    e: &Engine,
    store: &MemoryBlockstore,
    codes: &[Cid],
) -> Vec<(Option<u64>, Option<u64>, usize)> {
    codes
        .iter()
        .map(|c| {
            let m = e.load(c, store).unwrap();
            (
                m.min_memory_bytes(),
                m.min_table_elements(),
                m.instrumented_len(),
            )
        })
        .collect()
}

#[test]
fn a_second_engine_compiles_nothing() {
    let dir = temp_dir("warm");
    let (store, codes) = bundle();
    let cold = engine(&dir, config());
    let cold_facts = facts(&cold, &store, &codes);
    assert_eq!(cold.compilations(), codes.len() as u64);
    assert_eq!(cold.disk_cache_stats().unwrap().writes, codes.len() as u64);

    let warm = engine(&dir, config());
    // A warm engine needs no code block: it does not even read the blockstore.
    let empty = MemoryBlockstore::new();
    let warm_facts = facts(&warm, &empty, &codes);
    assert_eq!(warm.compilations(), 0);
    assert_eq!(warm.disk_cache_stats().unwrap().hits, codes.len() as u64);
    assert_eq!(warm_facts, cold_facts);
    // A configuration with another concurrency shares the entries (it only sizes the pool).
    let wider = engine(&dir, config().with_concurrency(4));
    facts(&wider, &empty, &codes);
    assert_eq!(wider.compilations(), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Damages the entry of `code` with `damage`, then checks that a new engine refuses it,
/// compiles the module again and rewrites the entry, which the next engine uses.
fn damaged_entry_is_recompiled(name: &str, damage: impl Fn(&Path)) {
    let dir = temp_dir(name);
    let (store, codes) = bundle();
    let first = engine(&dir, config());
    facts(&first, &store, &codes);
    let victim = codes[0];
    damage(&first.disk_cache().unwrap().entry_path(&victim));

    let second = engine(&dir, config());
    let want = facts(&first, &store, &codes[..1]);
    assert_eq!(facts(&second, &store, &codes[..1]), want);
    let stats = second.disk_cache_stats().unwrap();
    assert_eq!(
        (stats.rejected, stats.hits, stats.writes),
        (1, 0, 1),
        "{name}: {stats:?}"
    );
    assert_eq!(second.compilations(), 1);

    let third = engine(&dir, config());
    assert_eq!(facts(&third, &MemoryBlockstore::new(), &codes[..1]), want);
    assert_eq!(
        third.compilations(),
        0,
        "{name}: the rewritten entry is used"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_corrupt_entry_is_recompiled() {
    damaged_entry_is_recompiled("corrupt", |path| {
        let mut bytes = std::fs::read(path).unwrap();
        let at = bytes.len() - 100;
        bytes[at] ^= 0x40;
        std::fs::write(path, bytes).unwrap();
    });
}

#[test]
fn a_truncated_entry_is_recompiled() {
    damaged_entry_is_recompiled("truncated", |path| {
        let bytes = std::fs::read(path).unwrap();
        std::fs::write(path, &bytes[..bytes.len() / 2]).unwrap();
    });
}

#[test]
fn an_empty_or_garbage_entry_is_recompiled() {
    damaged_entry_is_recompiled("garbage", |path| {
        std::fs::write(path, b"FERNMOD1\xff\xff\xff\xff").unwrap()
    });
}

#[test]
fn an_entry_of_another_configuration_is_recompiled() {
    // The entry an engine with another stack limit wrote, copied under this configuration's name.
    let other_dir = temp_dir("foreign-source");
    let (store, codes) = bundle();
    let other_config = EngineConfig {
        max_wasm_stack_slots: 1024,
        ..config()
    };
    let other = engine(&other_dir, other_config);
    facts(&other, &store, &codes[..1]);
    let foreign = other.disk_cache().unwrap().entry_path(&codes[0]);
    damaged_entry_is_recompiled("foreign", |path| {
        assert_ne!(
            path.file_name(),
            foreign.file_name(),
            "names differ by configuration"
        );
        std::fs::copy(&foreign, path).unwrap();
    });
    std::fs::remove_dir_all(&other_dir).unwrap();
}

#[test]
fn a_failing_write_falls_back_to_memory() {
    let dir = temp_dir("unwritable");
    let (store, codes) = bundle();
    let e = engine(&dir, config());
    // A directory where the entry should go: the rename onto it fails.
    std::fs::create_dir_all(e.disk_cache().unwrap().entry_path(&codes[0])).unwrap();
    let m = e.load(&codes[0], &store).expect("compiled in memory");
    assert!(m.min_memory_bytes().is_some());
    let stats = e.disk_cache_stats().unwrap();
    assert_eq!((stats.write_failures, stats.writes), (1, 0));
    // No temporary file is left behind.
    let leftovers = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|f| {
            f.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".tmp.")
        })
        .count();
    assert_eq!(leftovers, 0);
    // A cache path that is a file cannot be opened at all.
    let file = dir.join("plain-file");
    std::fs::write(&file, b"x").unwrap();
    let options = EngineOptions {
        redirects: Vec::new(),
        module_cache: Some(file.join("sub")),
    };
    assert!(Engine::with_options(config(), options).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

const CHILD_DIR: &str = "FERN_DISK_CACHE_CHILD_DIR";

/// In a child process (see below): compile every bundle actor through a cache in the directory
/// the parent names. Does nothing in a normal test run.
#[test]
fn child_compiles_into_the_shared_directory() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let (store, codes) = bundle();
    let e = engine(Path::new(&dir), config());
    facts(&e, &store, &codes);
}

#[test]
fn processes_racing_on_one_directory_are_safe() {
    let dir = temp_dir("race");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..3)
        .map(|_| {
            std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "child_compiles_into_the_shared_directory",
                    "--test-threads=1",
                ])
                .env(CHILD_DIR, &dir)
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success(), "a racing process failed");
    }
    let (store, codes) = bundle();
    let e = engine(&dir, config());
    let empty = MemoryBlockstore::new();
    let got = facts(&e, &empty, &codes);
    assert_eq!(
        e.compilations(),
        0,
        "every entry written by the racers is complete and used"
    );
    assert_eq!(got, facts(&Engine::new(config()).unwrap(), &store, &codes));
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.len(),
        codes.len(),
        "one entry per module, no temporary files: {names:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
