//! The built-in actors manifest: which code CID implements which built-in actor.
//!
//! A bundle's manifest root is the CBOR array `[version, data]`; only version 1 exists, whose
//! `data` block is a CBOR list of `[name, code CID]` pairs. A built-in actor's *type* is its
//! 1-based position in that list (type 0 means "not a built-in actor"), which is what the
//! `actor::get_builtin_actor_type` and `actor::get_code_cid_for_type` syscalls report.
//!
//! On chain the system actor's state points straight at the `data` list (implicitly version 1);
//! a network configuration may instead name a manifest root to use.

use std::collections::HashMap;

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;

/// The only manifest layout version.
pub const MANIFEST_VERSION: u32 = 1;

/// Names of the actors every manifest must contain (the machine itself needs their codes).
pub const REQUIRED_ACTORS: [&str; 6] = [
    "account",
    "system",
    "init",
    "placeholder",
    "eam",
    "ethaccount",
];

/// Why a manifest could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The manifest declares a layout version other than 1.
    #[error("manifest version {0} is not supported (only version 1 is)")]
    UnsupportedVersion(u32),
    /// A manifest block is not in the blockstore.
    #[error("manifest block {0} is not in the blockstore")]
    NotFound(Cid),
    /// A manifest block could not be read or decoded.
    #[error("cannot load manifest block {cid}: {source}")]
    Load {
        /// The block.
        cid: Cid,
        /// What went wrong.
        source: anyhow::Error,
    },
    /// A required actor is missing from the list.
    #[error("the manifest has no {0} actor")]
    MissingActor(&'static str),
}

/// The codes of the built-in actors of one bundle.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// Entries in manifest order; the type of entry `i` is `i + 1`.
    entries: Vec<(String, Cid)>,
    /// Code CID → type. When a code appears twice the later position wins.
    types: HashMap<Cid, u32>,
    account: Cid,
    system: Cid,
    init: Cid,
    placeholder: Cid,
    eam: Cid,
    ethaccount: Cid,
}

impl Manifest {
    /// Builds a manifest from `(name, code)` pairs in manifest order. When a name appears twice the
    /// later entry is the one the named accessors return. Fails if a required actor is missing.
    pub fn new<S: Into<String>>(
        entries: impl IntoIterator<Item = (S, Cid)>,
    ) -> Result<Self, ManifestError> {
        let entries: Vec<(String, Cid)> = entries.into_iter().map(|(n, c)| (n.into(), c)).collect();
        let (types, by_name) = index_entries(&entries);
        let named = |name: &'static str| {
            by_name
                .get(name)
                .copied()
                .ok_or(ManifestError::MissingActor(name))
        };
        Ok(Manifest {
            account: named("account")?,
            system: named("system")?,
            init: named("init")?,
            placeholder: named("placeholder")?,
            eam: named("eam")?,
            ethaccount: named("ethaccount")?,
            types,
            entries,
        })
    }

    /// Loads a manifest from its root block `[version, data]`.
    pub fn load<B: Blockstore>(store: &B, root: &Cid) -> Result<Self, ManifestError> {
        let (version, data): (u32, Cid) = read_block(store, root)?;
        Self::load_data(store, &data, version)
    }

    /// Loads a manifest from its `data` list, given the layout version it was declared with.
    pub fn load_data<B: Blockstore>(
        store: &B,
        data: &Cid,
        version: u32,
    ) -> Result<Self, ManifestError> {
        if version != MANIFEST_VERSION {
            return Err(ManifestError::UnsupportedVersion(version));
        }
        let entries: Vec<(String, Cid)> = read_block(store, data)?;
        Self::new(entries)
    }

    /// The code of the built-in actor of type `ty` (1-based), if there is one.
    pub fn code_by_type(&self, ty: u32) -> Option<&Cid> {
        let index = usize::try_from(ty.checked_sub(1)?).ok()?;
        self.entries.get(index).map(|(_, code)| code)
    }

    /// The built-in type of `code`, or 0 if it is not a built-in actor's code.
    pub fn type_of_code(&self, code: &Cid) -> u32 {
        self.types.get(code).copied().unwrap_or(0)
    }

    /// Whether `code` is the account actor's code.
    pub fn is_account(&self, code: &Cid) -> bool {
        *code == self.account
    }

    /// Whether `code` is the placeholder actor's code.
    pub fn is_placeholder(&self, code: &Cid) -> bool {
        *code == self.placeholder
    }

    /// Whether `code` is the Ethereum account actor's code.
    pub fn is_ethaccount(&self, code: &Cid) -> bool {
        *code == self.ethaccount
    }

    /// The account actor's code.
    pub fn account_code(&self) -> &Cid {
        &self.account
    }

    /// The system actor's code.
    pub fn system_code(&self) -> &Cid {
        &self.system
    }

    /// The init actor's code.
    pub fn init_code(&self) -> &Cid {
        &self.init
    }

    /// The placeholder actor's code.
    pub fn placeholder_code(&self) -> &Cid {
        &self.placeholder
    }

    /// The Ethereum address manager's code.
    pub fn eam_code(&self) -> &Cid {
        &self.eam
    }

    /// The Ethereum account actor's code.
    pub fn ethaccount_code(&self) -> &Cid {
        &self.ethaccount
    }

    /// Every entry's code, in manifest order (type 1 first).
    pub fn codes(&self) -> impl Iterator<Item = &Cid> {
        self.entries.iter().map(|(_, code)| code)
    }

    /// Every `(name, code)` entry, in manifest order.
    pub fn entries(&self) -> &[(String, Cid)] {
        &self.entries
    }
}

/// The type of each code (its 1-based position; when a code appears twice the later position
/// wins) and the code of each name (the later entry wins).
pub(crate) fn index_entries(entries: &[(String, Cid)]) -> (HashMap<Cid, u32>, HashMap<&str, Cid>) {
    let mut types = HashMap::new();
    let mut by_name = HashMap::new();
    for ((name, code), ty) in entries.iter().zip(1u32..) {
        types.insert(*code, ty);
        by_name.insert(name.as_str(), *code);
    }
    (types, by_name)
}

/// Reads and decodes one manifest block.
pub(crate) fn read_block<B: Blockstore, T: serde::de::DeserializeOwned>(
    store: &B,
    cid: &Cid,
) -> Result<T, ManifestError> {
    store
        .get_cbor(cid)
        .map_err(|source| ManifestError::Load { cid: *cid, source })?
        .ok_or(ManifestError::NotFound(*cid))
}
