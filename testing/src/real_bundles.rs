//! The real built-in actors of lotus-style bundle archives (`v16.tar.zst`, ..., kept outside the
//! repository and found through `FERN_BUNDLES_DIR` or `fern-bench --bundles DIR`): a genesis
//! on a bundle's mainnet CAR, and the pieces of the workloads run on them (an ERC-20-style
//! token contract, method numbers of the built-in actors).
//!
//! The genesis is laid out with ref-fvm's `Tester` (system, init, burnt funds, EAM from the
//! bundle's manifest), plus the reward actor and four secp256k1 accounts with 1 000 000 FIL each.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use cid::Cid;
use fern_conformance::bundle::{bundle_cars, inspect, read_car_blocks};
use fvm::state_tree::ActorState;
use fvm_integration_tests::dummy::DummyExterns;
use fvm_integration_tests::tester::Tester;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_shared::econ::TokenAmount;
use fvm_shared::state::StateTreeVersion;
use fvm_shared::version::NetworkVersion;
use multihash_codetable::Code;

use crate::genesis::{Genesis, KeyAccount, RecordingStore};

/// The network version a bundle's actors version runs at on mainnet (the first one, for v11:
/// nv19 and nv20 both ran it), for the versions Fern runs.
pub fn network_version(actors: u32) -> Option<NetworkVersion> {
    Some(match actors {
        10 => NetworkVersion::V18,
        11 => NetworkVersion::V19,
        12 => NetworkVersion::V21,
        13 => NetworkVersion::V22,
        14 => NetworkVersion::V23,
        15 => NetworkVersion::V24,
        16 => NetworkVersion::V25,
        17 => NetworkVersion::V27,
        18 => NetworkVersion::V28,
        19 => NetworkVersion::V29,
        _ => return None,
    })
}

/// The archives of `dir` named `v<N>.<anything>`, by actors version.
pub fn archives(dir: &Path) -> Result<Vec<(u32, PathBuf)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let version = name
            .strip_prefix('v')
            .and_then(|rest| rest.split('.').next())
            .and_then(|n| n.parse::<u32>().ok());
        if let (Some(v), true) = (version, path.is_file()) {
            out.push((v, path));
        }
    }
    out.sort();
    Ok(out)
}

/// Ethereum's ERC-20 `Transfer(address,address,uint256)` event topic (keccak-256 of that
/// signature).
pub const TRANSFER_TOPIC: [u8; 32] = [
    0xdd, 0xf2, 0x52, 0xad, 0x1b, 0xe2, 0xc8, 0x9b, 0x69, 0xc2, 0xb0, 0x68, 0xfc, 0x37, 0x8d, 0xaa,
    0x95, 0x2b, 0xa7, 0xf1, 0x63, 0xc4, 0xa1, 0x16, 0x28, 0xf5, 0x5a, 0x4d, 0xf5, 0x23, 0xb3, 0xef,
];

/// The token contract's deployed code: `transfer(address to, uint256 amount)` without selector
/// dispatch (any call data is read as that call). Storage slot `address` holds that address's
/// balance. Stack comments show the stack after each instruction, top last.
pub fn token_runtime() -> Vec<u8> {
    let mut code = vec![
        0x60, 0x04, // 00 PUSH1 4                    to-offset
        0x35, //       02 CALLDATALOAD               to
        0x60, 0x24, // 03 PUSH1 36
        0x35, //       05 CALLDATALOAD               to amount
        0x33, //       06 CALLER                     to amount caller
        0x54, //       07 SLOAD                      to amount balance
        0x81, //       08 DUP2                       to amount balance amount
        0x81, //       09 DUP2                       to amount balance amount balance
        0x10, //       0a LT                         to amount balance (balance < amount)
        0x60, 0x4d, // 0b PUSH1 0x4d (revert)
        0x57, //       0d JUMPI                      to amount balance
        0x81, //       0e DUP2                       to amount balance amount
        0x90, //       0f SWAP1                      to amount amount balance
        0x03, //       10 SUB                        to amount (balance - amount)
        0x33, //       11 CALLER
        0x55, //       12 SSTORE  balance[caller]    to amount
        0x81, //       13 DUP2                       to amount to
        0x54, //       14 SLOAD                      to amount balance_to
        0x81, //       15 DUP2                       to amount balance_to amount
        0x01, //       16 ADD                        to amount (balance_to + amount)
        0x82, //       17 DUP3                       to amount new to
        0x55, //       18 SSTORE  balance[to]        to amount
        0x60, 0x00, // 19 PUSH1 0
        0x52, //       1b MSTORE  memory[0] = amount to
        0x33, //       1c CALLER                     to caller
        0x7f, //       1d PUSH32 TRANSFER_TOPIC      to caller topic
    ];
    code.extend_from_slice(&TRANSFER_TOPIC);
    code.extend_from_slice(&[
        0x60, 0x20, // 3e PUSH1 32                   to caller topic 32
        0x60, 0x00, // 40 PUSH1 0                    to caller topic 32 0
        0xa3, //       42 LOG3 Transfer(caller, to) with data memory[0..32] = amount
        0x60, 0x01, // 43 PUSH1 1
        0x60, 0x00, // 45 PUSH1 0
        0x52, //       47 MSTORE  memory[0] = 1
        0x60, 0x20, // 48 PUSH1 32
        0x60, 0x00, // 4a PUSH1 0
        0xf3, //       4c RETURN  true
        0x5b, //       4d JUMPDEST (revert)
        0x60, 0x00, // 4e PUSH1 0
        0x80, //       50 DUP1
        0xfd, //       51 REVERT
    ]);
    assert_eq!(code.len(), 0x52);
    assert_eq!(code[0x4d], 0x5b, "the revert target is a JUMPDEST");
    code
}

/// The token contract's init code: credit the deployer with 1 000 000 tokens, then return the
/// runtime code, which follows these 17 bytes.
pub fn token_initcode() -> Vec<u8> {
    let runtime = token_runtime();
    let mut code = vec![
        0x62,
        0x0f,
        0x42,
        0x40, // 00 PUSH3 1000000
        0x33, //                   04 CALLER
        0x55, //                   05 SSTORE  balance[deployer] = 1000000
        0x60,
        runtime.len() as u8, // 06 PUSH1 len
        0x80,                //                   08 DUP1                         len len
        0x60,
        0x11, //             09 PUSH1 0x11 (runtime offset)  len len 0x11
        0x60,
        0x00, //             0b PUSH1 0                      len len 0x11 0
        0x39, //                   0d CODECOPY memory[0..len] = code[0x11..]   len
        0x60,
        0x00, //             0e PUSH1 0                      len 0
        0xf3, //                   10 RETURN memory[0..len]
    ];
    assert_eq!(code.len(), 0x11);
    code.extend_from_slice(&runtime);
    code
}

/// Call data of `transfer(to, amount)` (the ERC-20 selector, then two 32-byte words).
pub fn transfer_calldata(to: [u8; 20], amount: u8) -> Vec<u8> {
    let mut data = vec![0xa9, 0x05, 0x9c, 0xbb];
    data.extend_from_slice(&[0; 12]);
    data.extend_from_slice(&to);
    data.extend_from_slice(&[0; 31]);
    data.push(amount);
    data
}

/// The init actor's `Exec`.
pub const INIT_EXEC: u64 = 2;
/// The EAM's `CreateExternal` (deploy EVM init code from an f1 or f3 account).
pub const EAM_CREATE_EXTERNAL: u64 = 4;
/// The account actor's `PubkeyAddress`.
pub const ACCOUNT_PUBKEY_ADDRESS: u64 = 2;
/// The multisig actor's `Propose`.
pub const MULTISIG_PROPOSE: u64 = 2;
/// The multisig actor's `Approve`.
pub const MULTISIG_APPROVE: u64 = 3;
/// The EVM actor's `InvokeContract` (FRC-0042 number).
pub const EVM_INVOKE_CONTRACT: u64 = 3_844_450_837;

/// The init actor's id.
pub const INIT_ACTOR: u64 = 1;
/// The Ethereum address manager's id.
pub const EAM_ACTOR: u64 = 10;
/// The reward actor's id.
pub const REWARD_ACTOR: u64 = 2;

/// A genesis on the real bundle in `car`: its manifest root, the system, init, burnt-funds and
/// EAM actors as ref-fvm's `Tester` lays them out, the reward actor, and four secp256k1 accounts
/// with 1 000 000 FIL each.
pub fn genesis(car: &[u8], nv: NetworkVersion) -> Result<Genesis> {
    let info = inspect(car.to_vec())?;
    let (_, blocks) = read_car_blocks(car)?;
    let store = RecordingStore::default();
    for (cid, data) in &blocks {
        store.put_keyed(cid, data)?;
    }
    let builtin: Vec<(String, Cid)> = info
        .actors
        .iter()
        .map(|a| (a.name.clone(), a.code))
        .collect();
    let code = |name: &str| {
        builtin
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| *c)
            .ok_or_else(|| anyhow!("the bundle has no {name} actor"))
    };
    let mut tester: Tester<RecordingStore, DummyExterns> =
        Tester::new(nv, StateTreeVersion::V5, info.root, store.clone())?;
    let tree = tester.state_tree.as_mut().unwrap();
    let empty = tree.store().put_cbor(&[(); 0], Code::Blake2b256)?;
    tree.set_actor(
        REWARD_ACTOR,
        ActorState::new(code("reward")?, empty, TokenAmount::default(), 0, None),
    );
    let mut accounts = Vec::new();
    for seed in 1..=4u8 {
        let key = k256::SecretKey::from_slice(&[seed; 32]).map_err(|e| anyhow!("key: {e}"))?;
        let (id, address) =
            tester.make_secp256k1_account(key, TokenAmount::from_whole(1_000_000))?;
        accounts.push(KeyAccount {
            id,
            address,
            secret: vec![seed; 32],
            bls: false,
        });
    }
    let mut tree = tester.state_tree.take().unwrap();
    let next_id = fvm::init_actor::State::load(&tree)?.0.next_id;
    let state_root = tree.flush()?;
    Ok(Genesis {
        blocks: store.blocks(),
        state_root,
        builtin_actors: info.root,
        builtin,
        accounts,
        poor: None,
        placeholders: Vec::new(),
        test_actors: Vec::new(),
        next_id,
    })
}

/// The `builtin-actors-mainnet.car` of a lotus bundle archive at `path`; `None` when the archive
/// has none.
pub fn mainnet_car(path: &Path) -> Result<Option<Vec<u8>>> {
    let data = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let cars = bundle_cars(data).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    Ok(cars
        .into_iter()
        .find(|c| {
            c.entry
                .as_deref()
                .is_some_and(|e| e.ends_with("builtin-actors-mainnet.car"))
        })
        .map(|c| c.car))
}
