//! Fern's own actor bundle.
//!
//! The build script compiles every actor listed in `actors.in` to Wasm and packs them into a
//! bundle CAR in the layout Filecoin nodes use (manifest version 1 at the root, a list of
//! `(name, code CID)` pairs, raw code blocks hashed with blake2b-256). This crate embeds the result:
//!
//! - [`BUNDLE_CAR`]: the CAR bytes, loadable by any FVM (Fern or ref-fvm);
//! - [`ACTORS`]: each actor's manifest name and Wasm code;
//! - [`Bundle::load`]: the CAR parsed into a blockstore, with the root and code CIDs.

use anyhow::{anyhow, Context};
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;

include!(concat!(env!("OUT_DIR"), "/actors.rs"));

/// The bundle CAR: one root (the manifest), then the manifest data, then every actor's code.
pub const BUNDLE_CAR: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/bundle.car"));

/// The manifest format version this bundle uses.
pub const MANIFEST_VERSION: u32 = 1;

/// A bundle loaded into a blockstore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// The CAR's root: the manifest block `[version, data CID]`.
    pub root: Cid,
    /// The manifest version read from the root block.
    pub version: u32,
    /// The manifest entries in order: (actor name, code CID). An actor's builtin type number is
    /// its 1-based position in this list.
    pub actors: Vec<(String, Cid)>,
}

impl Bundle {
    /// Loads a bundle CAR (this crate's [`BUNDLE_CAR`] or any other) into `store` and reads its
    /// manifest. Fails with a clear error on a malformed CAR, several roots, a missing block or an
    /// unsupported manifest version.
    pub fn load(store: &impl Blockstore, car: &[u8]) -> anyhow::Result<Self> {
        let roots = fvm_ipld_car::load_car(store, car).context("reading the bundle CAR")?;
        let root = match roots.as_slice() {
            [root] => *root,
            other => return Err(anyhow!("a bundle has exactly one root, this CAR has {}", other.len())),
        };
        let (version, data): (u32, Cid) = store
            .get_cbor(&root)
            .context("decoding the manifest root")?
            .ok_or_else(|| anyhow!("the manifest root block {root} is missing"))?;
        if version != MANIFEST_VERSION {
            return Err(anyhow!("unsupported manifest version {version}"));
        }
        let actors: Vec<(String, Cid)> = store
            .get_cbor(&data)
            .context("decoding the manifest data")?
            .ok_or_else(|| anyhow!("the manifest data block {data} is missing"))?;
        Ok(Bundle { root, version, actors })
    }

    /// The code CID of the actor with this manifest name.
    pub fn code(&self, name: &str) -> Option<Cid> {
        self.actors.iter().find(|(n, _)| n == name).map(|(_, c)| *c)
    }
}

/// The Wasm code of the actor with this manifest name.
pub fn actor_wasm(name: &str) -> Option<&'static [u8]> {
    ACTORS.iter().find(|(n, _)| *n == name).map(|(_, w)| *w)
}
