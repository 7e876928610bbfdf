//! The genesis builder: a first state for any actor bundle.
//!
//! What is written directly (the machine needs these before any message can run):
//!
//! - **f00 system**: state `[builtin_actors]`, the CID of the manifest's *data* block (the
//!   `(name, code)` list), as on mainnet (ref-fvm reads the manifest from there when no override
//!   is given; FIPS/machine.md);
//! - **f01 init**: state `[address_map, next_id, network_name]` with every genesis address
//!   registered; ids are handed out from f0100 (`FIRST_NON_SINGLETON_ADDR`);
//! - **f099 burnt funds**: an account actor whose state names its own ID address (what Lotus'
//!   genesis writes: the account constructor only accepts key addresses);
//! - the **accounts** (state `[address]`, the given balance) and **placeholders** (an f410
//!   address in the EAM's namespace, state the empty array, as the VM creates them).
//!
//! Every other singleton the bundle has is placed at its id with the empty-array state and then
//! **constructed by its own code**, through an implicit message from f00 (method 1) with the
//! parameters its constructor takes, so the state layout is whatever that bundle's actor writes:
//!
//! | kind | id | constructor parameters |
//! |---|---|---|
//! | reward | f02 | current realized power: `0` (CBOR bytes `h''`) |
//! | cron | f03 | `[[]]`: no entries (a dev chain has no cron ticks) |
//! | storagepower | f04 | none |
//! | storagemarket | f05 | none |
//! | verifiedregistry | f06 | root key: the first account's ID address (else f00) |
//! | datacap | f07 | governor: f06 |
//! | eam | f010 | none |
//!
//! Kinds not in this list (miners, multisigs, the EVM, Fern's example actors) are not
//! singletons; they are created by messages. A constructor that fails stops the build with its
//! exit code and failure info.

use anyhow::{anyhow, bail, Context, Result};
use cid::Cid;
use fern::machine::manifest::Manifest;
use fern::machine::{InitState, StateTree, SystemState};
use fern_conformance::runner::{apply_messages_as, MachineSettings, MessageActual, VectorExterns};
use fern_shared::address::{
    Address, BURNT_FUNDS_ACTOR_ID, EAM_ACTOR_ID, FIRST_NON_SINGLETON_ADDR, INIT_ACTOR_ID,
    SYSTEM_ACTOR_ID, VERIFIED_REGISTRY_ACTOR_ID,
};
use fern_shared::consts::{HAMT_BIT_WIDTH, IPLD_RAW};
use fern_shared::econ::TokenAmount;
use fern_shared::message::Message;
use fern_shared::state::{ActorState, StateTreeVersion};
use fern_shared::ActorID;
use fvm_ipld_blockstore::{Blockstore, MemoryBlockstore};
use fvm_ipld_encoding::CborStore;
use fvm_ipld_encoding::RawBytes;
use multihash_codetable::{Code, MultihashDigest};

use crate::bundle::BundleSource;
use crate::keys::{DevKey, KeyType};

/// Gas limit of the implicit constructor messages (the block gas limit, 10^10).
pub const CONSTRUCTOR_GAS_LIMIT: u64 = 10_000_000_000;

/// What to put into a dev chain's first state.
#[derive(Debug, Clone)]
pub struct GenesisSpec {
    /// The network version the chain runs (Fern's released versions, 18 to 29).
    pub network_version: u32,
    /// The init actor's network name.
    pub network_name: String,
    /// The seed of the dev keys ([`DevKey::derive`]).
    pub seed: String,
    /// How many secp256k1 (f1) accounts, named `a0`, `a1`, ...
    pub secp_accounts: u32,
    /// How many BLS (f3) accounts, named `bls0`, `bls1`, ...
    pub bls_accounts: u32,
    /// How many f410 placeholders (never-deployed Ethereum-style addresses with a balance),
    /// named `p0`, `p1`, ...
    pub placeholders: u32,
    /// The balance of every account and placeholder, in attoFIL.
    pub balance: TokenAmount,
}

impl Default for GenesisSpec {
    /// Network version 29, network name `fern-devnet`, seed `fern`, four secp256k1 accounts,
    /// no BLS account, one placeholder, 10 000 FIL each.
    fn default() -> Self {
        GenesisSpec {
            network_version: fern::gas::MAX_NETWORK_VERSION.value(),
            network_name: "fern-devnet".into(),
            seed: "fern".into(),
            secp_accounts: 4,
            bls_accounts: 0,
            placeholders: 1,
            balance: TokenAmount::from_whole(10_000),
        }
    }
}

/// A dev account created at genesis.
#[derive(Debug, Clone)]
pub struct GenesisAccount {
    /// Its name (`a0`, `bls0`, `p0`).
    pub name: String,
    /// Its actor id.
    pub id: ActorID,
    /// Its key address (f1, f3) or, for a placeholder, its f410 address.
    pub address: Address,
    /// The key that signs for it (`None` for placeholders).
    pub key: Option<DevKey>,
}

/// What [`build`] produced.
#[derive(Debug)]
pub struct BuiltGenesis {
    /// The store: the bundle's blocks and the state's.
    pub store: MemoryBlockstore,
    /// The state root.
    pub state_root: Cid,
    /// Accounts and placeholders, in creation order.
    pub accounts: Vec<GenesisAccount>,
    /// The singletons constructed by their own code: (kind, id).
    pub constructed: Vec<(String, ActorID)>,
}

/// The singletons constructed by their own code, in construction order: (manifest name, id).
pub const CONSTRUCTED_SINGLETONS: [(&str, ActorID); 7] = [
    ("reward", 2),
    ("cron", 3),
    ("storagepower", 4),
    ("storagemarket", 5),
    ("verifiedregistry", VERIFIED_REGISTRY_ACTOR_ID),
    ("datacap", 7),
    ("eam", EAM_ACTOR_ID),
];

/// The 20-byte EAM sub-address of the `index`-th placeholder of `seed`.
pub fn placeholder_subaddress(seed: &str, index: u32) -> [u8; 20] {
    let mut h = blake2b_simd::Params::new().hash_length(20).to_state();
    h.update(b"fern devnet placeholder");
    h.update(seed.as_bytes());
    h.update(&index.to_be_bytes());
    let mut out = [0u8; 20];
    out.copy_from_slice(h.finalize().as_bytes());
    out
}

fn put_cbor<S: serde::Serialize>(store: &MemoryBlockstore, value: &S) -> Result<Cid> {
    store
        .put_cbor(value, Code::Blake2b256)
        .map_err(|e| anyhow!("cannot store a block: {e}"))
}

/// The CIDs under which a code block is stored: raw codec, blake2b-256, as in every bundle.
pub fn code_cid(wasm: &[u8]) -> Cid {
    Cid::new_v1(IPLD_RAW, Code::Blake2b256.digest(wasm))
}

/// The CBOR of a constructor call (method 1) from `from` to `to` with `params`, to be applied
/// as an implicit message (gas limit [`CONSTRUCTOR_GAS_LIMIT`], no fees).
pub(crate) fn constructor_message(
    from: ActorID,
    to: ActorID,
    sequence: u64,
    params: Vec<u8>,
) -> Result<Vec<u8>> {
    let msg = Message {
        version: 0,
        from: Address::new_id(from),
        to: Address::new_id(to),
        sequence,
        value: TokenAmount::zero(),
        method_num: fern_shared::METHOD_CONSTRUCTOR,
        params: RawBytes::new(params),
        gas_limit: CONSTRUCTOR_GAS_LIMIT,
        gas_fee_cap: TokenAmount::zero(),
        gas_premium: TokenAmount::zero(),
    };
    Ok(fvm_ipld_encoding::to_vec(&msg)?)
}

/// Applies `messages` (CBOR) as `kind` to the state `root` in `store` with `settings`, through
/// the vector runner's code path (randomness: the fallback digest): every receipt, the flushed
/// root and the store holding it. Errors: a message that cannot be decoded or ends in a fatal
/// error, a failed flush.
pub(crate) fn run(
    store: MemoryBlockstore,
    root: Cid,
    settings: &MachineSettings,
    messages: &[Vec<u8>],
    kind: fern::executor::ApplyKind,
) -> Result<(Vec<MessageActual>, Cid, MemoryBlockstore)> {
    let applied = apply_messages_as(
        store,
        root,
        settings,
        VectorExterns::from_maps(Default::default(), Default::default()),
        messages,
        kind,
    );
    if let Some(e) = applied.error {
        bail!("{e}");
    }
    let root = applied
        .actual
        .state_root
        .ok_or_else(|| anyhow!("the run gave no state root"))?;
    let store = applied
        .store
        .ok_or_else(|| anyhow!("the run lost the store"))?;
    Ok((applied.actual.receipts, root, store))
}

/// Builds the first state of a dev chain on `bundle` (see the module docs).
///
/// Must run on a thread with a deep stack (actors recurse on the native stack: 1 GiB is what
/// Fern's tools use). Errors: a bundle whose manifest cannot be read or lacks the system, init
/// or account actor (or placeholders are asked for without a placeholder actor), an unsupported
/// network version, and a singleton constructor that fails.
pub fn build(spec: &GenesisSpec, bundle: &BundleSource) -> Result<BuiltGenesis> {
    fern::machine::NetworkConfig::new(fern_shared::version::NetworkVersion::new(
        spec.network_version,
    ))
    .map_err(|e| anyhow!("network version {}: {e}", spec.network_version))?;
    let store = MemoryBlockstore::new();
    for (cid, data) in &bundle.blocks {
        store.put_keyed(cid, data)?;
    }
    let manifest = Manifest::load(&store, &bundle.root)
        .map_err(|e| anyhow!("{}: cannot read the manifest: {e}", bundle.label))?;
    let (_, data_cid): (u32, Cid) = store
        .get_cbor(&bundle.root)?
        .ok_or_else(|| anyhow!("{}: the manifest block is missing", bundle.label))?;
    let code_of = |name: &str| -> Option<Cid> {
        manifest
            .entries()
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| *c)
    };
    let need = |name: &str| {
        code_of(name).ok_or_else(|| anyhow!("{}: the bundle has no {name} actor", bundle.label))
    };
    let account_code = need("account")?;

    let empty_arr = put_cbor(&store, &[(); 0])?;
    let mut tree = StateTree::new(&store, StateTreeVersion::V5)?;
    let system_state = put_cbor(
        &store,
        &SystemState {
            builtin_actors: data_cid,
        },
    )?;
    tree.set_actor(
        SYSTEM_ACTOR_ID,
        ActorState::new(need("system")?, system_state, TokenAmount::zero(), 0, None),
    );
    let empty_map = fvm_ipld_hamt::Hamt::<_, ActorID>::new_with_bit_width(&store, HAMT_BIT_WIDTH)
        .flush()
        .map_err(|e| anyhow!("cannot store the empty address map: {e}"))?;
    let init_state = put_cbor(
        &store,
        &InitState {
            address_map: empty_map,
            next_id: FIRST_NON_SINGLETON_ADDR,
            network_name: spec.network_name.clone(),
        },
    )?;
    tree.set_actor(
        INIT_ACTOR_ID,
        ActorState::new(need("init")?, init_state, TokenAmount::zero(), 0, None),
    );
    let burnt_state = put_cbor(&store, &(Address::new_id(BURNT_FUNDS_ACTOR_ID),))?;
    tree.set_actor(
        BURNT_FUNDS_ACTOR_ID,
        ActorState::new(account_code, burnt_state, TokenAmount::zero(), 0, None),
    );

    let mut accounts = Vec::new();
    let key_accounts = (0..spec.secp_accounts)
        .map(|i| (format!("a{i}"), KeyType::Secp256k1, i))
        .chain((0..spec.bls_accounts).map(|i| (format!("bls{i}"), KeyType::Bls, i)));
    for (name, key_type, index) in key_accounts {
        let key = DevKey::derive(&spec.seed, key_type, index);
        let address = key.address()?;
        let id = tree.register_new_address(&address)?;
        let state = put_cbor(&store, &(address,))?;
        tree.set_actor(
            id,
            ActorState::new(account_code, state, spec.balance.clone(), 0, None),
        );
        accounts.push(GenesisAccount {
            name,
            id,
            address,
            key: Some(key),
        });
    }
    if spec.placeholders > 0 {
        let placeholder_code = need("placeholder")?;
        for i in 0..spec.placeholders {
            let sub = placeholder_subaddress(&spec.seed, i);
            let address = Address::new_delegated(EAM_ACTOR_ID, &sub)
                .map_err(|e| anyhow!("cannot make a placeholder address: {e}"))?;
            let id = tree.register_new_address(&address)?;
            tree.set_actor(
                id,
                ActorState::new(
                    placeholder_code,
                    empty_arr,
                    spec.balance.clone(),
                    0,
                    Some(address),
                ),
            );
            accounts.push(GenesisAccount {
                name: format!("p{i}"),
                id,
                address,
                key: None,
            });
        }
    }

    let root_key = accounts
        .first()
        .map_or(Address::new_id(SYSTEM_ACTOR_ID), |a| Address::new_id(a.id));
    let mut constructors = Vec::new();
    let mut constructed = Vec::new();
    for (kind, id) in CONSTRUCTED_SINGLETONS {
        let Some(code) = code_of(kind) else { continue };
        tree.set_actor(
            id,
            ActorState::new(code, empty_arr, TokenAmount::zero(), 0, None),
        );
        let params: Vec<u8> = match kind {
            // A StoragePower of zero: a big integer's empty byte string.
            "reward" => vec![0x40],
            "cron" => vec![0x81, 0x80],
            "verifiedregistry" => fvm_ipld_encoding::to_vec(&root_key)?,
            "datacap" => fvm_ipld_encoding::to_vec(&Address::new_id(VERIFIED_REGISTRY_ACTOR_ID))?,
            _ => Vec::new(),
        };
        constructors.push(constructor_message(
            SYSTEM_ACTOR_ID,
            id,
            constructors.len() as u64,
            params,
        )?);
        constructed.push((kind.to_string(), id));
    }
    let root = tree.flush().context("cannot flush the genesis state")?;
    drop(tree);
    if constructors.is_empty() {
        return Ok(BuiltGenesis {
            store,
            state_root: root,
            accounts,
            constructed,
        });
    }
    let settings = MachineSettings::new(spec.network_version, 0);
    let (receipts, state_root, store) = run(
        store,
        root,
        &settings,
        &constructors,
        fern::executor::ApplyKind::Implicit,
    )
    .context("constructing the singletons")?;
    for ((kind, id), receipt) in constructed.iter().zip(&receipts) {
        if receipt.exit_code != 0 {
            bail!(
                "the {kind} actor (f0{id}) refused its genesis constructor: exit code {}{}",
                receipt.exit_code,
                receipt
                    .failure_info
                    .as_ref()
                    .map(|f| format!(" ({f})"))
                    .unwrap_or_default()
            );
        }
    }
    Ok(BuiltGenesis {
        store,
        state_root,
        accounts,
        constructed,
    })
}
