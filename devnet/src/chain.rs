//! A dev chain on disk: its state, its keys, the code installed on it; installing code, creating
//! actors and sending signed messages.
//!
//! A dev chain is a directory:
//!
//! | file | what |
//! |---|---|
//! | `devnet.json` | the sidecar: format, network version, epoch, state root, bundle, accounts with their private keys, installed code, created actors |
//! | `state.car` | the state: a CAR whose root is the state root, holding every block reachable from it |
//! | `code/NAME.wasm` | each installed actor's Wasm (its block is unreachable until an actor uses it) |
//! | `messages.jsonl` | one line per message applied: epoch, CID, the signed message (base64), exit code, gas used, return (hex) |
//!
//! Every change runs at the next epoch (genesis is epoch 0) with the base fee 100 attoFIL and
//! the randomness fallback digest, through the vector runner's code path
//! (`fern_conformance::runner::apply_messages_as`). A change that fails fatally leaves the
//! chain as it was; files are written to a temporary name and renamed.
//!
//! **Dev-only path.** [`Devnet::create`] creates an actor from any installed code by writing it
//! into the state tree (a fresh id, an f2 address derived from the code and a counter, the
//! empty-array state) and then running its constructor as an implicit message from the init
//! actor, so the constructor sees the caller a real `Exec` gives it. A real network's executor
//! never does this: there, init's `Exec` creates actors, and only from the bundle's code.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use cid::Cid;
use fern::machine::StateTree;
use fern_conformance::exec::reachable_car;
use fern_conformance::runner::{MachineSettings, MessageActual};
use fern_shared::address::{Address, INIT_ACTOR_ID};
use fern_shared::consts::{dag_cbor_blake2b_cid, EMPTY_ARR_BYTES};
use fern_shared::econ::TokenAmount;
use fern_shared::message::Message;
use fern_shared::state::ActorState;
use fern_shared::ActorID;
use fvm_ipld_blockstore::{Blockstore, MemoryBlockstore};
use fvm_ipld_encoding::RawBytes;
use serde::{Deserialize, Serialize};

use crate::bundle::BundleSource;
use crate::genesis::{self, code_cid, GenesisSpec};
use crate::keys::{DevKey, KeyType};
use crate::message::SendSpec;

/// The sidecar's `format` value.
pub const FORMAT: &str = "fern-devnet/1";
/// The sidecar file's name.
pub const SIDECAR: &str = "devnet.json";
/// The state CAR's name.
pub const STATE_CAR: &str = "state.car";
/// The message log's name.
pub const MESSAGE_LOG: &str = "messages.jsonl";
/// The folder of installed code.
pub const CODE_DIR: &str = "code";

/// A dev account in the sidecar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountEntry {
    /// `a0`, `bls0`, `p0`, ...
    pub name: String,
    /// Actor id.
    pub id: ActorID,
    /// Key address, or f410 address for a placeholder.
    pub address: String,
    /// `secp256k1`, `bls`, or `placeholder` (no key).
    pub key_type: String,
    /// The private key in hex (absent for placeholders). Dev keys only: never real funds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<String>,
}

/// Installed code in the sidecar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeEntry {
    /// The name given at install.
    pub name: String,
    /// The code CID (raw codec, blake2b-256 of the Wasm).
    pub cid: String,
    /// Size of the Wasm, bytes.
    pub size: usize,
}

/// An actor created by [`Devnet::create`] in the sidecar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorEntry {
    /// Actor id.
    pub id: ActorID,
    /// Its f2 address.
    pub address: String,
    /// The installed code's name.
    pub code: String,
}

/// The sidecar file `devnet.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sidecar {
    /// Always [`FORMAT`].
    pub format: String,
    /// Network version the chain runs.
    pub network_version: u32,
    /// The init actor's network name.
    pub network_name: String,
    /// The epoch of the last change (0: genesis).
    pub epoch: i64,
    /// The state root.
    pub state_root: String,
    /// Where the bundle came from.
    pub bundle: String,
    /// The seed the keys were derived from.
    pub seed: String,
    /// Accounts and placeholders.
    pub accounts: Vec<AccountEntry>,
    /// Installed code.
    #[serde(default)]
    pub code: Vec<CodeEntry>,
    /// Actors created from installed code.
    #[serde(default)]
    pub actors: Vec<ActorEntry>,
}

/// An actor created by [`Devnet::create`].
#[derive(Debug, Clone)]
pub struct Created {
    /// Its id.
    pub id: ActorID,
    /// Its f2 address.
    pub address: Address,
    /// The constructor's receipt.
    pub receipt: MessageActual,
}

/// A message applied by [`Devnet::send`].
#[derive(Debug, Clone)]
pub struct Sent {
    /// The message.
    pub message: Message,
    /// Its CID (DAG-CBOR, blake2b-256 of its CBOR).
    pub cid: Cid,
    /// The signed message's CBOR (`[message, signature]`).
    pub signed: Vec<u8>,
    /// The epoch it ran at.
    pub epoch: i64,
    /// Its receipt, events, failure info and logs.
    pub receipt: MessageActual,
}

/// A dev chain loaded in memory (see the module docs).
#[derive(Debug)]
pub struct Devnet {
    /// The sidecar as it will be written.
    pub sidecar: Sidecar,
    store: MemoryBlockstore,
    /// Installed Wasm not yet written to `code/`: (name, bytes).
    new_code: Vec<(String, Vec<u8>)>,
    /// Message log lines not yet appended.
    new_log: Vec<String>,
    /// Whether actor debugging is on for the next changes (local only).
    debug: bool,
    /// Whether the next changes record their execution trace.
    tracing: bool,
}

fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, data).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

fn check_name(name: &str) -> Result<()> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        bail!("{name:?} is not a code name: use 1 to 64 letters, digits, '_' or '-'");
    }
    Ok(())
}

impl Devnet {
    /// A new chain: the genesis of `spec` on `bundle` (see [`genesis::build`]; deep stack
    /// needed).
    pub fn new(spec: &GenesisSpec, bundle: &BundleSource) -> Result<Self> {
        let built = genesis::build(spec, bundle)?;
        let accounts = built
            .accounts
            .iter()
            .map(|a| AccountEntry {
                name: a.name.clone(),
                id: a.id,
                address: a.address.to_string(),
                key_type: a
                    .key
                    .as_ref()
                    .map_or("placeholder", |k| k.key_type.name())
                    .to_string(),
                private_key: a
                    .key
                    .as_ref()
                    .map(|k| data_encoding::HEXLOWER.encode(&k.secret)),
            })
            .collect();
        Ok(Devnet {
            sidecar: Sidecar {
                format: FORMAT.into(),
                network_version: spec.network_version,
                network_name: spec.network_name.clone(),
                epoch: 0,
                state_root: built.state_root.to_string(),
                bundle: bundle.label.clone(),
                seed: spec.seed.clone(),
                accounts,
                code: Vec::new(),
                actors: Vec::new(),
            },
            store: built.store,
            new_code: Vec::new(),
            new_log: Vec::new(),
            debug: false,
            tracing: false,
        })
    }

    /// Loads the chain in `dir`. Errors: a missing or malformed sidecar or state CAR, a state
    /// CAR whose root differs from the sidecar's, installed code whose file is missing or whose
    /// bytes do not hash to the recorded CID.
    pub fn open(dir: &Path) -> Result<Self> {
        let sidecar_path = dir.join(SIDECAR);
        let text = std::fs::read_to_string(&sidecar_path).with_context(|| {
            format!(
                "{} is not a dev chain (no readable {SIDECAR}; make one with `fern devnet new`)",
                dir.display()
            )
        })?;
        let sidecar: Sidecar = serde_json::from_str(&text)
            .map_err(|e| anyhow!("{}: malformed: {e}", sidecar_path.display()))?;
        if sidecar.format != FORMAT {
            bail!(
                "{}: format {:?}, expected {FORMAT:?}",
                sidecar_path.display(),
                sidecar.format
            );
        }
        let car_path = dir.join(STATE_CAR);
        let car = std::fs::read(&car_path)
            .with_context(|| format!("cannot read {}", car_path.display()))?;
        let state = fern_conformance::exec::read_state_car(car)
            .map_err(|e| anyhow!("{}: {e}", car_path.display()))?;
        let devnet = Devnet {
            store: MemoryBlockstore::new(),
            sidecar,
            new_code: Vec::new(),
            new_log: Vec::new(),
            debug: false,
            tracing: false,
        };
        if state.root != devnet.root()? {
            bail!(
                "{}: root {} differs from the sidecar's {}",
                car_path.display(),
                state.root,
                devnet.sidecar.state_root
            );
        }
        for (cid, data) in &state.blocks {
            devnet.store.put_keyed(cid, data)?;
        }
        for code in &devnet.sidecar.code {
            let path = dir.join(CODE_DIR).join(format!("{}.wasm", code.name));
            let wasm =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let cid = code_cid(&wasm);
            if cid.to_string() != code.cid {
                bail!(
                    "{}: its CID is {cid}, the sidecar records {}",
                    path.display(),
                    code.cid
                );
            }
            devnet.store.put_keyed(&cid, &wasm)?;
        }
        Ok(devnet)
    }

    /// Writes the chain to `dir` (created if needed): new code files, the state CAR, the
    /// sidecar (last, so a crash leaves the previous consistent pair or a new CAR the old
    /// sidecar refuses), then appends the message log.
    pub fn save(&mut self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir.join(CODE_DIR))
            .with_context(|| format!("cannot create {}", dir.display()))?;
        for (name, wasm) in &self.new_code {
            write_atomic(&dir.join(CODE_DIR).join(format!("{name}.wasm")), wasm)?;
        }
        let car = reachable_car(&self.store, &self.root()?).map_err(|e| anyhow!("{e}"))?;
        write_atomic(&dir.join(STATE_CAR), &car)?;
        let json = serde_json::to_string_pretty(&self.sidecar)? + "\n";
        write_atomic(&dir.join(SIDECAR), json.as_bytes())?;
        if !self.new_log.is_empty() {
            use std::io::Write;
            let path = dir.join(MESSAGE_LOG);
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            for line in &self.new_log {
                writeln!(f, "{line}")
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
        self.new_code.clear();
        self.new_log.clear();
        Ok(())
    }

    /// The state root.
    pub fn root(&self) -> Result<Cid> {
        self.sidecar
            .state_root
            .parse()
            .map_err(|e| anyhow!("the sidecar's state root is not a CID: {e}"))
    }

    /// The store holding the state, the bundle and installed code.
    pub fn store(&self) -> &MemoryBlockstore {
        &self.store
    }

    /// Turns actor debugging on or off for later changes (debug logs in the receipts; local
    /// runs only: debugging is consensus-relevant).
    pub fn set_debug(&mut self, on: bool) {
        self.debug = on;
    }

    /// Records the execution trace of later changes in their receipts
    /// ([`MessageActual::trace`]).
    pub fn set_tracing(&mut self, on: bool) {
        self.tracing = on;
    }

    /// Names of installed code, then of the bundle's actors, by code CID, for display (an
    /// installed copy of a bundle actor shows its installed name).
    pub fn code_names(&self) -> Vec<(Cid, String)> {
        let mut names: Vec<(Cid, String)> = self
            .sidecar
            .code
            .iter()
            .filter_map(|c| Some((c.cid.parse().ok()?, c.name.clone())))
            .collect();
        names.extend(crate::inspect::manifest_names(
            &self.store,
            &self.root().ok(),
        ));
        names
    }

    /// Installs `wasm` under `name`: checks that Fern's engine compiles it for this chain's
    /// network version, stores it as a raw block and records it. Installing the same bytes
    /// again under the same name does nothing; a name already used for other code is refused.
    pub fn install(&mut self, name: &str, wasm: &[u8]) -> Result<Cid> {
        check_name(name)?;
        let cid = code_cid(wasm);
        if let Some(c) = self.sidecar.code.iter().find(|c| c.name == name) {
            if c.cid == cid.to_string() {
                return Ok(cid);
            }
            bail!("the name {name:?} is already used by code {}", c.cid);
        }
        let engine = fern::engine::Engine::shared(fern_shared::version::NetworkVersion::new(
            self.sidecar.network_version,
        ))
        .map_err(|e| anyhow!("cannot build an engine: {e}"))?;
        engine
            .compile(wasm)
            .map_err(|e| anyhow!("{name}: not an actor Fern can run: {e}"))?;
        self.store.put_keyed(&cid, wasm)?;
        self.sidecar.code.push(CodeEntry {
            name: name.to_string(),
            cid: cid.to_string(),
            size: wasm.len(),
        });
        self.new_code.push((name.to_string(), wasm.to_vec()));
        Ok(cid)
    }

    /// The installed code named `name`, or whose CID is `name`.
    pub fn code(&self, name: &str) -> Result<(String, Cid)> {
        let entry = self
            .sidecar
            .code
            .iter()
            .find(|c| c.name == name || c.cid == name)
            .ok_or_else(|| {
                let known: Vec<&str> = self.sidecar.code.iter().map(|c| c.name.as_str()).collect();
                anyhow!(
                    "no installed code named {name:?} (installed: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                )
            })?;
        Ok((entry.name.clone(), entry.cid.parse()?))
    }

    fn settings(&self, epoch: i64) -> MachineSettings {
        let mut s = MachineSettings::new(self.sidecar.network_version, epoch);
        s.debug = self.debug;
        s.trace = self.tracing;
        s
    }

    /// Applies one message to the state `root` in `store` at the next epoch: its receipt and
    /// the resulting root and store, not yet adopted (see [`Devnet::adopt`]).
    fn apply(
        &self,
        store: MemoryBlockstore,
        root: Cid,
        bytes: Vec<u8>,
        kind: fern::executor::ApplyKind,
    ) -> Result<(MessageActual, Cid, MemoryBlockstore)> {
        let settings = self.settings(self.sidecar.epoch + 1);
        let (receipts, root, store) = genesis::run(store, root, &settings, &[bytes], kind)?;
        let receipt = receipts
            .into_iter()
            .next()
            .ok_or_else(|| anyhow!("the run gave no receipt"))?;
        Ok((receipt, root, store))
    }

    /// Makes the state `root` in `store` the chain's, one epoch later.
    fn adopt(&mut self, root: Cid, store: MemoryBlockstore) {
        self.store = store;
        self.sidecar.state_root = root.to_string();
        self.sidecar.epoch += 1;
    }

    /// Creates an actor from installed code `code` (a name or CID) and runs its constructor
    /// (method 1) with `params` (CBOR, empty for none) as an implicit message from the init
    /// actor, at the next epoch. See the module docs: a dev-only path.
    ///
    /// Errors: unknown code; a constructor that exits non-zero (the chain is left as it was,
    /// the error carries the exit code and the actor's failure info); a fatal VM error.
    pub fn create(&mut self, code: &str, params: Vec<u8>) -> Result<Created> {
        let (name, code_cid) = self.code(code)?;
        let root = self.root()?;
        let counter = self.sidecar.actors.len() as u64;
        let scratch = self.store.clone();
        let mut tree = StateTree::new_from_root(&scratch, &root)?;
        let mut payload = b"fern devnet create".to_vec();
        payload.extend_from_slice(&code_cid.to_bytes());
        payload.extend_from_slice(&counter.to_be_bytes());
        payload.extend_from_slice(&self.sidecar.epoch.to_be_bytes());
        let address = Address::new_actor(&payload);
        let id = tree.register_new_address(&address)?;
        let empty_arr = dag_cbor_blake2b_cid(&EMPTY_ARR_BYTES);
        scratch.put_keyed(&empty_arr, &EMPTY_ARR_BYTES)?;
        tree.set_actor(
            id,
            ActorState::new(code_cid, empty_arr, TokenAmount::zero(), 0, None),
        );
        let placed = tree.flush()?;
        drop(tree);
        let bytes = genesis::constructor_message(INIT_ACTOR_ID, id, 0, params)?;
        // Runs on the copy placed with the new actor; adopted only if the constructor succeeds.
        let (receipt, new_root, store) =
            self.apply(scratch, placed, bytes, fern::executor::ApplyKind::Implicit)?;
        if receipt.exit_code != 0 {
            bail!(
                "the constructor of {name} failed: exit code {}{}",
                receipt.exit_code,
                receipt
                    .failure_info
                    .as_ref()
                    .map(|f| format!("\n{f}"))
                    .unwrap_or_default()
            );
        }
        self.adopt(new_root, store);
        self.sidecar.actors.push(ActorEntry {
            id,
            address: address.to_string(),
            code: name,
        });
        Ok(Created {
            id,
            address,
            receipt,
        })
    }

    /// The dev account named `name` (or with that address), with its key.
    pub fn account(&self, name: &str) -> Result<(&AccountEntry, Option<DevKey>)> {
        let entry = self
            .sidecar
            .accounts
            .iter()
            .find(|a| a.name == name || a.address == name || format!("f0{}", a.id) == name)
            .ok_or_else(|| {
                anyhow!(
                    "no dev account {name:?} (accounts: {})",
                    self.sidecar
                        .accounts
                        .iter()
                        .map(|a| a.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        let key = match &entry.private_key {
            Some(hex) => {
                let secret = data_encoding::HEXLOWER_PERMISSIVE
                    .decode(hex.as_bytes())
                    .map_err(|e| anyhow!("account {}: bad private key: {e}", entry.name))?;
                Some(DevKey::from_parts(
                    KeyType::from_name(&entry.key_type)?,
                    &secret,
                )?)
            }
            None => None,
        };
        Ok((entry, key))
    }

    /// An address from its text, or a dev account's name.
    pub fn resolve(&self, text: &str) -> Result<Address> {
        if let Ok((entry, _)) = self.account(text) {
            return Ok(Address::new_id(entry.id));
        }
        text.parse()
            .map_err(|e| anyhow!("{text:?} is neither an address nor a dev account's name: {e:?}"))
    }

    /// Signs `spec` with its sender's dev key (the sender's nonce read from the state) and
    /// applies it at the next epoch as a message from a block. The receipt may carry any exit
    /// code: the state still changes (gas paid, nonce bumped), as on a chain.
    ///
    /// Errors: a sender that is not a dev account with a key, an unknown recipient name, a
    /// fatal VM error (the chain is left as it was).
    pub fn send(&mut self, spec: &SendSpec) -> Result<Sent> {
        let (entry, key) = self.account(&spec.from)?;
        let key = key.ok_or_else(|| {
            anyhow!(
                "{} is a placeholder: it has no key to sign with",
                entry.name
            )
        })?;
        let from: Address = entry
            .address
            .parse()
            .map_err(|e| anyhow!("account {}: bad address: {e:?}", entry.name))?;
        let sender_id = entry.id;
        let to = self.resolve(&spec.to)?;
        let tree = StateTree::new_from_root(&self.store, &self.root()?)?;
        let sequence = tree.get_actor(sender_id)?.map_or(0, |a| a.sequence);
        drop(tree);
        let message = Message {
            version: 0,
            from,
            to,
            sequence,
            value: spec.value.clone(),
            method_num: spec.method,
            params: RawBytes::new(spec.params.clone()),
            gas_limit: spec.gas_limit,
            gas_fee_cap: spec.gas_fee_cap.clone(),
            gas_premium: spec.gas_premium.clone(),
        };
        let bytes = fvm_ipld_encoding::to_vec(&message)?;
        let cid = dag_cbor_blake2b_cid(&bytes);
        let signature = key.sign(&cid.to_bytes())?;
        let signed = fvm_ipld_encoding::to_vec(&(&message, &signature))?;
        let (receipt, root, store) = self.apply(
            self.store.clone(),
            self.root()?,
            bytes,
            fern::executor::ApplyKind::Explicit,
        )?;
        self.adopt(root, store);
        let epoch = self.sidecar.epoch;
        self.new_log.push(
            serde_json::json!({
                "epoch": epoch,
                "cid": cid.to_string(),
                "signed": data_encoding::BASE64.encode(&signed),
                "exit_code": receipt.exit_code,
                "gas_used": receipt.gas_used,
                "return": data_encoding::HEXLOWER.encode(&receipt.return_data),
            })
            .to_string(),
        );
        Ok(Sent {
            message,
            cid,
            signed,
            epoch,
            receipt,
        })
    }
}
