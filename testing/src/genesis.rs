//! A deterministic genesis state for scenarios.
//!
//! [`GenesisSpec::standard`] describes the one chain state every scenario starts from;
//! [`GenesisSpec::build`] turns it into plain data ([`Genesis`]: every block, the state root and
//! the interesting ids/addresses) that any VM can load. The state is put together with
//! ref-fvm's `Tester` (so the system, init, EAM and burnt-funds actors are laid out exactly as
//! ref-fvm's own harness does it) on top of Fern's bundle, then extended with:
//!
//! - the reward actor at f02 (miner tips go there),
//! - secp256k1 and BLS accounts with known private keys,
//! - an f4 placeholder (a delegated address under the EAM namespace, never deployed),
//! - the test actors at fixed ids (code blocks put into the store),
//! - one account with almost no funds (for "cannot pay for gas" messages).
//!
//! Building twice gives the same blocks and root; nothing depends on time or randomness.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use anyhow::{anyhow, Context, Result};
use cid::Cid;
use fvm::state_tree::ActorState;
use fvm_integration_tests::tester::Tester;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::state::StateTreeVersion;
use fvm_shared::version::NetworkVersion;
use fvm_shared::ActorID;
use k256::elliptic_curve::sec1::ToEncodedPoint;
use multihash_codetable::{Code, MultihashDigest};

/// Id of the reward actor.
pub const REWARD_ACTOR_ID: ActorID = 2;
/// Id of the burnt-funds account.
pub const BURNT_FUNDS_ACTOR_ID: ActorID = 99;
/// Id of the init actor.
pub const INIT_ACTOR_ID: ActorID = 1;
/// Id of the Ethereum address manager.
pub const EAM_ACTOR_ID: ActorID = 10;
/// Id of the system actor.
pub const SYSTEM_ACTOR_ID: ActorID = 0;
/// The raw (0x55) codec, used for code blocks.
const IPLD_RAW: u64 = 0x55;

/// A blockstore that keeps its blocks in a sorted map and can list them. Clones share the map.
#[derive(Debug, Default, Clone)]
pub struct RecordingStore {
    blocks: Rc<RefCell<BTreeMap<Cid, Vec<u8>>>>,
}

impl RecordingStore {
    /// A store holding exactly `blocks`.
    pub fn from_blocks(blocks: &BTreeMap<Cid, Vec<u8>>) -> Self {
        RecordingStore {
            blocks: Rc::new(RefCell::new(blocks.clone())),
        }
    }

    /// A copy of every block.
    pub fn blocks(&self) -> BTreeMap<Cid, Vec<u8>> {
        self.blocks.borrow().clone()
    }
}

impl Blockstore for RecordingStore {
    fn get(&self, k: &Cid) -> Result<Option<Vec<u8>>> {
        Ok(self.blocks.borrow().get(k).cloned())
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> Result<()> {
        self.blocks.borrow_mut().insert(*k, block.to_vec());
        Ok(())
    }

    fn has(&self, k: &Cid) -> Result<bool> {
        Ok(self.blocks.borrow().contains_key(k))
    }
}

/// A key-holding account of the genesis.
#[derive(Debug, Clone)]
pub struct KeyAccount {
    /// The account's actor id.
    pub id: ActorID,
    /// Its key address (f1 or f3).
    pub address: Address,
    /// The private key: 32 bytes for secp256k1, 32 bytes (BLS scalar) for BLS.
    pub secret: Vec<u8>,
    /// Whether this is a BLS (f3) account.
    pub bls: bool,
}

/// A test actor installed at genesis.
#[derive(Debug, Clone)]
pub struct InstalledActor {
    /// Name in [`fern_test_actors::ACTORS`].
    pub name: String,
    /// Actor id.
    pub id: ActorID,
    /// Code CID (raw codec, blake2b-256 of the Wasm).
    pub code: Cid,
}

/// What to put into the genesis state.
#[derive(Debug, Clone)]
pub struct GenesisSpec {
    /// Seeds of the secp256k1 accounts (the private key is 32 copies of the seed byte), with
    /// balances in whole FIL.
    pub secp_accounts: Vec<(u8, u64)>,
    /// Seeds of the BLS accounts (the key is derived from `[seed; 32]`), balances in whole FIL.
    pub bls_accounts: Vec<(u8, u64)>,
    /// A secp256k1 account holding only this many attoFIL (seed 0xEE), if any.
    pub poor_account_atto: Option<u64>,
    /// f4 placeholders: the 20-byte EAM sub-address, balance in whole FIL.
    pub placeholders: Vec<([u8; 20], u64)>,
    /// Test actors: (name in `fern_test_actors::ACTORS`, id, balance in whole FIL, initial
    /// state as CBOR).
    pub test_actors: Vec<(String, ActorID, u64, Vec<u8>)>,
}

/// The first id used for test actors in the standard genesis.
pub const TEST_ACTOR_BASE_ID: ActorID = 1000;

impl GenesisSpec {
    /// The genesis every library scenario uses: four secp256k1 accounts, two BLS accounts, a
    /// poor account, one placeholder, and the test actors `syscalls` (f01000 and a spare
    /// instance at f01003), `failures` (f01001) and `fvm_sdk` (f01002).
    pub fn standard() -> Self {
        let empty_list = vec![0x80];
        GenesisSpec {
            secp_accounts: vec![(1, 10_000), (2, 10_000), (3, 10_000), (4, 10_000)],
            bls_accounts: vec![(5, 10_000), (6, 10_000)],
            poor_account_atto: Some(1_000),
            placeholders: vec![([0x42; 20], 5)],
            test_actors: vec![
                (
                    "syscalls".into(),
                    TEST_ACTOR_BASE_ID,
                    100,
                    empty_list.clone(),
                ),
                (
                    "failures".into(),
                    TEST_ACTOR_BASE_ID + 1,
                    100,
                    empty_list.clone(),
                ),
                ("fvm_sdk".into(), TEST_ACTOR_BASE_ID + 2, 100, vec![0x00]),
                ("syscalls".into(), TEST_ACTOR_BASE_ID + 3, 100, empty_list),
            ],
        }
    }

    /// Builds the state on Fern's bundle. Network version only matters to ref-fvm's `Tester`
    /// constructor, which does not depend on it for layout; the state tree is version 5.
    pub fn build(&self) -> Result<Genesis> {
        let store = RecordingStore::default();
        let roots = fvm_ipld_car::load_car(&store, fern_bundle::BUNDLE_CAR)
            .context("loading the bundle")?;
        let builtin_actors = *roots
            .first()
            .ok_or_else(|| anyhow!("bundle without root"))?;
        let bundle = fern_bundle::Bundle::load(&store, fern_bundle::BUNDLE_CAR)?;
        let mut tester: Tester<RecordingStore, fvm_integration_tests::dummy::DummyExterns> =
            Tester::new(
                NetworkVersion::V21,
                StateTreeVersion::V5,
                builtin_actors,
                store.clone(),
            )?;

        let reward_code = bundle
            .code("reward")
            .ok_or_else(|| anyhow!("bundle has no reward actor"))?;
        let account_code = bundle
            .code("account")
            .ok_or_else(|| anyhow!("bundle has no account actor"))?;
        let tree = tester.state_tree.as_mut().unwrap();
        let empty = tree.store().put_cbor(&[(); 0], Code::Blake2b256)?;
        tree.set_actor(
            REWARD_ACTOR_ID,
            ActorState::new(reward_code, empty, TokenAmount::from_atto(0), 0, None),
        );

        let mut accounts = Vec::new();
        for (seed, fil) in &self.secp_accounts {
            let key = k256::SecretKey::from_slice(&[*seed; 32])
                .map_err(|e| anyhow!("bad secp256k1 key: {e}"))?;
            let (id, address) =
                tester.make_secp256k1_account(key, TokenAmount::from_whole(*fil))?;
            accounts.push(KeyAccount {
                id,
                address,
                secret: vec![*seed; 32],
                bls: false,
            });
        }
        for (seed, fil) in &self.bls_accounts {
            let key = bls_key(*seed);
            let address = Address::new_bls(&bls_public(&key))?;
            let tree = tester.state_tree.as_mut().unwrap();
            let id = tree.register_new_address(&address)?;
            let state = tree.store().put_cbor(&(address,), Code::Blake2b256)?;
            tree.set_actor(
                id,
                ActorState::new(account_code, state, TokenAmount::from_whole(*fil), 0, None),
            );
            accounts.push(KeyAccount {
                id,
                address,
                secret: bls_secret_bytes(&key),
                bls: true,
            });
        }
        let poor = match self.poor_account_atto {
            Some(atto) => {
                let key = k256::SecretKey::from_slice(&[0xEE; 32])
                    .map_err(|e| anyhow!("bad secp256k1 key: {e}"))?;
                let (id, address) =
                    tester.make_secp256k1_account(key, TokenAmount::from_atto(atto))?;
                Some(KeyAccount {
                    id,
                    address,
                    secret: vec![0xEE; 32],
                    bls: false,
                })
            }
            None => None,
        };
        let mut placeholders = Vec::new();
        for (sub, fil) in &self.placeholders {
            let address = Address::new_delegated(EAM_ACTOR_ID, sub)?;
            tester.create_placeholder(&address, TokenAmount::from_whole(*fil))?;
            let id = tester
                .state_tree
                .as_ref()
                .unwrap()
                .lookup_id(&address)?
                .ok_or_else(|| anyhow!("placeholder id"))?;
            placeholders.push((id, address));
        }
        let mut installed = Vec::new();
        for (name, id, fil, state) in &self.test_actors {
            let wasm =
                fern_test_actors::wasm(name).ok_or_else(|| anyhow!("no test actor {name}"))?;
            let tree = tester.state_tree.as_mut().unwrap();
            let code = Cid::new_v1(IPLD_RAW, Code::Blake2b256.digest(wasm));
            tree.store().put_keyed(&code, wasm)?;
            let state_cid = Cid::new_v1(0x71, Code::Blake2b256.digest(state));
            tree.store().put_keyed(&state_cid, state)?;
            tree.set_actor(
                *id,
                ActorState::new(code, state_cid, TokenAmount::from_whole(*fil), 0, None),
            );
            installed.push(InstalledActor {
                name: name.clone(),
                id: *id,
                code,
            });
        }

        let mut tree = tester.state_tree.take().unwrap();
        let next_id = {
            let (init, _) = fvm::init_actor::State::load(&tree)?;
            init.next_id
        };
        let state_root = tree.flush()?;
        let builtin: Vec<(String, Cid)> = bundle.actors.clone();
        Ok(Genesis {
            blocks: store.blocks(),
            state_root,
            builtin_actors,
            builtin,
            accounts,
            poor,
            placeholders,
            test_actors: installed,
            next_id,
        })
    }
}

/// A built genesis: plain data that any VM can load.
#[derive(Debug, Clone)]
pub struct Genesis {
    /// Every block of the state (and the bundle, and the test actors' code).
    pub blocks: BTreeMap<Cid, Vec<u8>>,
    /// The state tree root.
    pub state_root: Cid,
    /// The bundle manifest root (what ref-fvm calls the builtin-actors override).
    pub builtin_actors: Cid,
    /// The bundle's (name, code CID) pairs.
    pub builtin: Vec<(String, Cid)>,
    /// The key accounts, secp256k1 first, then BLS, in spec order.
    pub accounts: Vec<KeyAccount>,
    /// The account with almost no funds.
    pub poor: Option<KeyAccount>,
    /// The placeholders: (id, f4 address).
    pub placeholders: Vec<(ActorID, Address)>,
    /// The test actors.
    pub test_actors: Vec<InstalledActor>,
    /// The id the init actor assigns next.
    pub next_id: ActorID,
}

impl Genesis {
    /// The code CID of a bundle actor.
    pub fn code(&self, name: &str) -> Option<Cid> {
        self.builtin
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| *c)
    }

    /// The code CIDs of every installed test actor (deduplicated).
    pub fn test_codes(&self) -> Vec<Cid> {
        let mut codes: Vec<Cid> = self.test_actors.iter().map(|a| a.code).collect();
        codes.sort();
        codes.dedup();
        codes
    }

    /// A blockstore holding the genesis blocks.
    pub fn store(&self) -> RecordingStore {
        RecordingStore::from_blocks(&self.blocks)
    }
}

/// The BLS private key of a seed.
pub fn bls_key(seed: u8) -> bls_signatures::PrivateKey {
    bls_signatures::PrivateKey::new([seed; 32])
}

/// The 48-byte compressed public key of a BLS private key.
pub fn bls_public(key: &bls_signatures::PrivateKey) -> Vec<u8> {
    use bls_signatures::Serialize;
    key.public_key().as_bytes()
}

fn bls_secret_bytes(key: &bls_signatures::PrivateKey) -> Vec<u8> {
    use bls_signatures::Serialize;
    key.as_bytes()
}

/// The f1 address of a secp256k1 secret key.
pub fn secp_address(secret: &[u8]) -> Result<Address> {
    let key = k256::SecretKey::from_slice(secret).map_err(|e| anyhow!("bad secp256k1 key: {e}"))?;
    Ok(Address::new_secp256k1(
        key.public_key().to_encoded_point(false).as_bytes(),
    )?)
}
