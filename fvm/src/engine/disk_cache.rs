//! The compiled-module cache on disk: native code kept across restarts, so a node compiles each
//! actor once per engine configuration instead of once per process.
//!
//! # Entries
//!
//! One file per module, named by the BLAKE2b-256 hash of its *key*. The key is a text naming
//! everything that decides the compiled code: the code CID, the engine configuration (Wasm
//! instruction prices, stack-height limit, memory and call-depth limits, all part of
//! [`EngineConfig`]'s `Debug` text, with the concurrency left out since it only sizes the
//! instance pool), Wasmtime's precompilation compatibility hash (its version, target and every
//! compiler setting), the target architecture and OS, and Fern's version (which fixes the
//! enabled Wasm features and the instrumentation code). A file holds
//!
//! ```text
//! magic "FERNMOD1" | key length u32 | key | instrumented length u64 | payload length u64 |
//! checksum [32] = BLAKE2b-256(key | instrumented length | payload) | payload
//! ```
//!
//! (integers little-endian), where the payload is Wasmtime's serialization of the module.
//!
//! # Trust
//!
//! Wasmtime's deserialization trusts its input: corrupt native code would run. An entry is
//! therefore used only when its magic, its full key and its checksum all match, and its length
//! is exact; anything else (a truncated write, a flipped bit, a file of another configuration or
//! version copied under this name) is treated as a miss: the module is compiled again and the
//! entry rewritten. The checksum guards against accidents, not attackers: the directory must be
//! writable only by the user running the node, like the node's own binary.
//!
//! # Writing
//!
//! An entry is written to a temporary file in the same directory and renamed into place, so a
//! reader never sees a partial entry and processes sharing the directory are safe (the last
//! rename wins; every version is complete). A failure to write (full disk, read-only directory)
//! is counted and otherwise ignored: the module compiled in memory is used.

use std::hash::Hasher;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use cid::Cid;

use super::config::EngineConfig;

const MAGIC: &[u8; 8] = b"FERNMOD1";

/// File extension of cache entries.
pub const ENTRY_EXTENSION: &str = "fmod";

/// What the cache did, for tests and diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiskCacheStats {
    /// Entries used instead of compiling.
    pub hits: u64,
    /// Modules not found in the cache.
    pub misses: u64,
    /// Entries found but refused (corrupt, truncated, foreign, or refused by Wasmtime).
    pub rejected: u64,
    /// Entries written.
    pub writes: u64,
    /// Entries that could not be written.
    pub write_failures: u64,
}

/// A directory of compiled modules for one engine configuration.
#[derive(Debug)]
pub struct DiskCache {
    dir: PathBuf,
    /// Everything in the key but the code CID.
    key_prefix: String,
    hits: AtomicU64,
    misses: AtomicU64,
    rejected: AtomicU64,
    writes: AtomicU64,
    write_failures: AtomicU64,
}

/// Feeds `Hash` output into BLAKE2b, so that a hash is the same in every build and process.
struct Blake2bHasher(blake2b_simd::State);

impl Hasher for Blake2bHasher {
    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        u64::from_le_bytes(digest.as_bytes()[..8].try_into().expect("8 bytes"))
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

fn blake2b(parts: &[&[u8]]) -> [u8; 32] {
    let mut state = blake2b_simd::Params::new().hash_length(32).to_state();
    for p in parts {
        state.update(p);
    }
    state.finalize().as_bytes().try_into().expect("32 bytes")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl DiskCache {
    /// A cache in `dir` (created if missing) for modules compiled by `engine` with `config`.
    pub fn open(
        dir: &Path,
        engine: &wasmtime::Engine,
        config: &EngineConfig,
    ) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let mut compat = Blake2bHasher(blake2b_simd::Params::new().hash_length(32).to_state());
        std::hash::Hash::hash(&engine.precompile_compatibility_hash(), &mut compat);
        let compat = compat.0.finalize();
        let config = EngineConfig {
            concurrency: 1,
            ..*config
        };
        let key_prefix = format!(
            "fern {}; target {}-{}; wasmtime-compat {}; config {config:?}",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::ARCH,
            std::env::consts::OS,
            hex(compat.as_bytes()),
        );
        Ok(DiskCache {
            dir: dir.to_path_buf(),
            key_prefix,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            write_failures: AtomicU64::new(0),
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn key(&self, code: &Cid) -> String {
        format!("{}; code {code}", self.key_prefix)
    }

    /// Where the entry for `code` lives.
    pub fn entry_path(&self, code: &Cid) -> PathBuf {
        self.path_of(&self.key(code))
    }

    /// Where the entry with `key` lives.
    fn path_of(&self, key: &str) -> PathBuf {
        let name = hex(&blake2b(&[key.as_bytes()]));
        self.dir.join(format!("{name}.{ENTRY_EXTENSION}"))
    }

    /// Counters since the cache was opened.
    pub fn stats(&self) -> DiskCacheStats {
        DiskCacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            rejected: self.rejected.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            write_failures: self.write_failures.load(Ordering::Relaxed),
        }
    }

    /// The module for `code` and its instrumented length, when a valid entry exists.
    pub fn load(&self, engine: &wasmtime::Engine, code: &Cid) -> Option<(wasmtime::Module, usize)> {
        let key = self.key(code);
        let Ok(bytes) = std::fs::read(self.path_of(&key)) else {
            self.misses.fetch_add(1, Ordering::Relaxed);
            return None;
        };
        let found = check(&bytes, &key).and_then(|(payload, instrumented_len)| {
            // SAFETY: the payload is exactly what `store` wrote for this key (the checksum and
            // the full key match), i.e. Wasmtime's own serialization of a module compiled by an
            // engine with the same compatibility hash; Wasmtime checks its version and settings
            // once more.
            let module = unsafe { wasmtime::Module::deserialize(engine, payload) }.ok()?;
            Some((module, instrumented_len))
        });
        match found {
            Some(m) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                Some(m)
            }
            None => {
                self.rejected.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }
}

/// The payload and instrumented length of `bytes` when they are a well-formed entry with `key`.
fn check<'a>(bytes: &'a [u8], key: &str) -> Option<(&'a [u8], usize)> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (key_len, rest) = rest.split_first_chunk::<4>()?;
    let key_len = u32::from_le_bytes(*key_len) as usize;
    if rest.len() < key_len {
        return None;
    }
    let (stored_key, rest) = rest.split_at(key_len);
    if stored_key != key.as_bytes() {
        return None;
    }
    let (instrumented, rest) = rest.split_first_chunk::<8>()?;
    let (payload_len, rest) = rest.split_first_chunk::<8>()?;
    let (checksum, payload) = rest.split_first_chunk::<32>()?;
    if u64::try_from(payload.len()).ok()? != u64::from_le_bytes(*payload_len) {
        return None;
    }
    if blake2b(&[stored_key, instrumented, payload]) != *checksum {
        return None;
    }
    Some((
        payload,
        usize::try_from(u64::from_le_bytes(*instrumented)).ok()?,
    ))
}

impl DiskCache {
    /// Writes the entry for `code` (atomically; failures are counted, not returned).
    pub fn store(&self, code: &Cid, module: &wasmtime::Module, instrumented_len: usize) {
        let written = module.serialize().ok().and_then(|payload| {
            let key = self.key(code);
            let instrumented = (instrumented_len as u64).to_le_bytes();
            let mut entry = Vec::with_capacity(payload.len() + key.len() + 64);
            entry.extend_from_slice(MAGIC);
            entry.extend_from_slice(&(key.len() as u32).to_le_bytes());
            entry.extend_from_slice(key.as_bytes());
            entry.extend_from_slice(&instrumented);
            entry.extend_from_slice(&(payload.len() as u64).to_le_bytes());
            entry.extend_from_slice(&blake2b(&[key.as_bytes(), &instrumented, &payload]));
            entry.extend_from_slice(&payload);
            self.write_atomically(&self.path_of(&key), &entry).ok()
        });
        let counter = match written {
            Some(()) => &self.writes,
            None => &self.write_failures,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn write_atomically(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let tmp = path.with_extension(format!(
            "tmp.{}.{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let result = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}
