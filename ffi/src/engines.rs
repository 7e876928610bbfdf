//! The library-wide engines: executors of the same configuration share one engine and its
//! compiled modules.
//!
//! A node creates a new executor for every tipset; compiling the actors again each time would
//! cost seconds. Engines are kept for the life of the process, keyed by everything that affects
//! compilation and instantiation: the engine configuration of the network version (limits and
//! Wasm instruction prices, so versions with equal prices share one), the actor-code
//! redirects and the compiled-module cache directory. Each allows [`concurrency`] messages to run at once; further executors wait in
//! `fern_executor_apply` for a slot (ref-fvm's engine pool behaves the same way).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use cid::Cid;
use fern::engine::{Engine, EngineConfig, EngineOptions};
use fern_shared::version::NetworkVersion;

/// Environment variable setting [`concurrency`]: a whole number from 1 to 256.
pub const CONCURRENCY_VARIABLE: &str = "FERN_CONCURRENCY";

/// Highest accepted concurrency.
pub const FERN_MAX_CONCURRENCY: u32 = 256;

/// How many messages may execute at once on one engine: `FERN_CONCURRENCY` when it is a
/// number from 1 to 256, else [`fern::engine::default_concurrency`] (the number of cores, 8
/// when unknown). Read once per process.
pub fn concurrency() -> u32 {
    static VALUE: OnceLock<u32> = OnceLock::new();
    *VALUE.get_or_init(|| {
        std::env::var(CONCURRENCY_VARIABLE)
            .ok()
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|n| (1..=FERN_MAX_CONCURRENCY).contains(n))
            .unwrap_or_else(fern::engine::default_concurrency)
    })
}

type Key = (EngineConfig, EngineOptions);

/// The shared engine for `nv` with `redirects` and the compiled-module cache in
/// `module_cache`, built on first use.
pub fn shared_engine(
    nv: NetworkVersion,
    redirects: &[(Cid, Cid)],
    module_cache: Option<&std::path::Path>,
) -> anyhow::Result<Engine> {
    static ENGINES: OnceLock<Mutex<HashMap<Key, Engine>>> = OnceLock::new();
    let config = EngineConfig::for_network(nv)?.with_concurrency(concurrency());
    let options = EngineOptions {
        redirects: redirects.to_vec(),
        module_cache: module_cache.map(std::path::Path::to_path_buf),
    };
    let key = (config, options);
    let mut engines = ENGINES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(engine) = engines.get(&key) {
        return Ok(engine.clone());
    }
    let engine = Engine::with_options(config, key.1.clone())?;
    engines.insert(key, engine.clone());
    Ok(engine)
}
