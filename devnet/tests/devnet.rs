//! The dev chain end to end on Fern's bundle: genesis, transfers, installing and creating an
//! actor, calling it, events, saving and reopening, and the errors a developer meets.

use std::path::PathBuf;

use fern_devnet::inspect::{actor_state, list_actors};
use fern_devnet::message::{parse_method, parse_send_json};
use fern_devnet::{BundleSource, Devnet, GenesisSpec, SendSpec};
use fern_shared::address::Address;
use fern_shared::econ::TokenAmount;

fn deep<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fern-devnet-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn spec() -> GenesisSpec {
    GenesisSpec {
        secp_accounts: 2,
        bls_accounts: 1,
        placeholders: 1,
        ..GenesisSpec::default()
    }
}

fn send(from: &str, to: &str, method: &str, params: Vec<u8>, value: TokenAmount) -> SendSpec {
    SendSpec {
        from: from.into(),
        to: to.into(),
        method: parse_method(method).unwrap(),
        params,
        value,
        gas_limit: 1_000_000_000,
        gas_fee_cap: TokenAmount::from_atto(1000),
        gas_premium: TokenAmount::from_atto(100),
    }
}

#[test]
fn genesis_has_the_singletons_and_accounts_and_is_deterministic() {
    deep(|| {
        let bundle = BundleSource::embedded().unwrap();
        let a = Devnet::new(&spec(), &bundle).unwrap();
        let b = Devnet::new(&spec(), &bundle).unwrap();
        assert_eq!(a.root().unwrap(), b.root().unwrap());
        let other_seed = GenesisSpec {
            seed: "other".into(),
            ..spec()
        };
        assert_ne!(
            Devnet::new(&other_seed, &bundle).unwrap().root().unwrap(),
            a.root().unwrap()
        );

        let rows = list_actors(a.store(), &a.root().unwrap(), &[]).unwrap();
        let name_of = |id| {
            rows.iter()
                .find(|r| r.id == id)
                .and_then(|r| r.code_name.clone())
                .unwrap_or_else(|| panic!("no actor f0{id}"))
        };
        assert_eq!(name_of(0), "system");
        assert_eq!(name_of(1), "init");
        assert_eq!(name_of(2), "reward");
        assert_eq!(name_of(10), "eam");
        assert_eq!(name_of(99), "account");
        assert_eq!(name_of(100), "account");
        assert_eq!(name_of(102), "account");
        assert_eq!(name_of(103), "placeholder");
        assert_eq!(rows.len(), 9, "{rows:?}");
        let accounts = &a.sidecar.accounts;
        assert_eq!(
            accounts.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
            ["a0", "a1", "bls0", "p0"]
        );
        for acc in accounts {
            let row = rows.iter().find(|r| r.id == acc.id).unwrap();
            assert_eq!(row.balance, TokenAmount::from_whole(10_000));
            assert!(row.addresses.iter().any(|x| x.to_string() == acc.address));
        }
        assert!(accounts[2].address.starts_with("f3"));
        assert!(accounts[3].address.starts_with("f410f"));
        assert_eq!(
            rows.iter().find(|r| r.id == 103).unwrap().delegated_address,
            Some(accounts[3].address.parse().unwrap())
        );
    })
}

#[test]
fn transfers_create_accounts_and_survive_save_and_open() {
    deep(|| {
        let dir = temp_dir("transfers");
        let mut chain = Devnet::new(&spec(), &BundleSource::embedded().unwrap()).unwrap();
        chain.save(&dir).unwrap();

        let mut chain = Devnet::open(&dir).unwrap();
        let sent = chain
            .send(&send("a0", "a1", "0", vec![], TokenAmount::from_whole(5)))
            .unwrap();
        assert_eq!(sent.receipt.exit_code, 0);
        assert_eq!(sent.epoch, 1);
        assert_eq!(sent.message.sequence, 0);
        // A secp256k1 signature: the signed message is the message plus 69 bytes.
        assert_eq!(
            sent.signed.len(),
            fvm_ipld_encoding::to_vec(&sent.message).unwrap().len() + 69
        );
        // To an address nobody has: an account is created.
        let fresh = fern_devnet::keys::DevKey::derive(
            "elsewhere",
            fern_devnet::keys::KeyType::Secp256k1,
            0,
        )
        .address()
        .unwrap();
        let sent = chain
            .send(&send(
                "a0",
                &fresh.to_string(),
                "0",
                vec![],
                TokenAmount::from_whole(1),
            ))
            .unwrap();
        assert_eq!(sent.receipt.exit_code, 0);
        assert_eq!(sent.message.sequence, 1);
        chain.save(&dir).unwrap();

        let chain = Devnet::open(&dir).unwrap();
        assert_eq!(chain.sidecar.epoch, 2);
        let root = chain.root().unwrap();
        let (row, _) = actor_state(chain.store(), &root, &fresh, &[]).unwrap();
        assert_eq!(row.balance, TokenAmount::from_whole(1));
        assert_eq!(row.code_name.as_deref(), Some("account"));
        let (a1, _) = actor_state(chain.store(), &root, &Address::new_id(101), &[]).unwrap();
        assert_eq!(a1.balance, TokenAmount::from_whole(10_005));
        let (a0, _) = actor_state(chain.store(), &root, &Address::new_id(100), &[]).unwrap();
        assert_eq!(a0.sequence, 2);
        assert!(
            a0.balance < TokenAmount::from_whole(10_000 - 6),
            "gas was paid"
        );
        let log = std::fs::read_to_string(dir.join("messages.jsonl")).unwrap();
        assert_eq!(log.lines().count(), 2, "{log}");
        let _ = std::fs::remove_dir_all(&dir);
    })
}

#[test]
fn install_create_and_call_an_actor_with_events() {
    deep(|| {
        let dir = temp_dir("actor");
        let mut chain = Devnet::new(&spec(), &BundleSource::embedded().unwrap()).unwrap();
        let wasm = fern_bundle::actor_wasm("counter").unwrap();
        let cid = chain.install("my-counter", wasm).unwrap();
        // The same again is a no-op; the name for other code is refused.
        assert_eq!(chain.install("my-counter", wasm).unwrap(), cid);
        let hello = fern_bundle::actor_wasm("hello").unwrap();
        let e = chain.install("my-counter", hello).unwrap_err();
        assert!(e.to_string().contains("already used"), "{e}");

        let created = chain.create("my-counter", vec![0x05]).unwrap();
        assert_eq!(created.receipt.exit_code, 0);
        assert!(created.address.to_string().starts_with("f2"));
        chain.save(&dir).unwrap();

        let mut chain = Devnet::open(&dir).unwrap();
        let to = format!("f0{}", created.id);
        let spec = parse_send_json(&format!(
            r#"{{"from": "a1", "to": "{to}", "method": "Increment", "params": {{"json": 3}}}}"#
        ))
        .unwrap();
        let sent = chain.send(&spec).unwrap();
        assert_eq!(sent.receipt.exit_code, 0, "{:?}", sent.receipt.failure_info);
        assert_eq!(sent.receipt.return_data, vec![0x08], "5 + 3");
        assert_eq!(sent.receipt.events.len(), 1);
        assert_eq!(sent.receipt.events[0].emitter, created.id);
        let rendered = fern_conformance::exec::render_events(&sent.receipt.events).join("\n");
        assert!(rendered.contains("\"incremented\""), "{rendered}");
        // By address, too.
        let by_address = SendSpec {
            to: created.address.to_string(),
            ..spec
        };
        let sent = chain.send(&by_address).unwrap();
        assert_eq!(sent.receipt.return_data, vec![0x0b]);
        chain.save(&dir).unwrap();

        let chain = Devnet::open(&dir).unwrap();
        let names = chain.code_names();
        let (row, state) = actor_state(
            chain.store(),
            &chain.root().unwrap(),
            &created.address,
            &names,
        )
        .unwrap();
        assert_eq!(row.code_name.as_deref(), Some("my-counter"));
        assert_eq!(state, vec![0x0b]);
        let _ = std::fs::remove_dir_all(&dir);
    })
}

#[test]
fn a_failing_constructor_or_bad_code_leaves_the_chain_as_it_was() {
    deep(|| {
        let mut chain = Devnet::new(&spec(), &BundleSource::embedded().unwrap()).unwrap();
        let before = (chain.root().unwrap(), chain.sidecar.clone());
        let e = chain.install("bad", b"\0asm\x01\0\0\0garbage").unwrap_err();
        assert!(e.to_string().contains("not an actor Fern can run"), "{e}");
        let e = chain.install("bad name!", b"").unwrap_err();
        assert!(e.to_string().contains("not a code name"), "{e}");
        let e = chain.create("nothing", vec![]).unwrap_err();
        assert!(e.to_string().contains("no installed code"), "{e}");
        // hello's constructor takes no parameters: giving some makes it fail.
        chain
            .install("hello", fern_bundle::actor_wasm("hello").unwrap())
            .unwrap();
        let before_create = chain.root().unwrap();
        let e = chain.create("hello", vec![0x01]).unwrap_err();
        assert!(e.to_string().contains("exit code"), "{e}");
        assert_eq!(chain.root().unwrap(), before_create);
        assert_eq!(before_create, before.0);
        assert!(chain.sidecar.actors.is_empty());
        assert_eq!(chain.sidecar.epoch, 0);

        let e = chain
            .send(&send("p0", "a0", "0", vec![], TokenAmount::zero()))
            .unwrap_err();
        assert!(e.to_string().contains("placeholder"), "{e}");
        let e = chain
            .send(&send("nobody", "a0", "0", vec![], TokenAmount::zero()))
            .unwrap_err();
        assert!(e.to_string().contains("no dev account"), "{e}");
        // A message that fails still gets a receipt and moves the chain (gas, nonce).
        let sent = chain
            .send(&send(
                "a0",
                "a1",
                "0",
                vec![],
                TokenAmount::from_whole(1_000_000),
            ))
            .unwrap();
        assert_ne!(sent.receipt.exit_code, 0);
        assert_eq!(chain.sidecar.epoch, 1);
    })
}

#[test]
fn open_refuses_damaged_chains() {
    deep(|| {
        let dir = temp_dir("damaged");
        let missing = Devnet::open(&dir).unwrap_err();
        assert!(missing.to_string().contains("not a dev chain"), "{missing}");
        let mut chain = Devnet::new(&spec(), &BundleSource::embedded().unwrap()).unwrap();
        chain
            .install("c", fern_bundle::actor_wasm("counter").unwrap())
            .unwrap();
        chain.save(&dir).unwrap();
        // Code whose bytes changed.
        std::fs::write(dir.join("code/c.wasm"), b"other").unwrap();
        let e = Devnet::open(&dir).unwrap_err();
        assert!(e.to_string().contains("CID"), "{e}");
        // A state CAR of another root.
        let other = Devnet::new(
            &GenesisSpec {
                seed: "x".into(),
                ..spec()
            },
            &BundleSource::embedded().unwrap(),
        )
        .unwrap();
        let car =
            fern_conformance::exec::reachable_car(other.store(), &other.root().unwrap()).unwrap();
        std::fs::write(dir.join("state.car"), car).unwrap();
        let e = Devnet::open(&dir).unwrap_err();
        assert!(e.to_string().contains("differs"), "{e}");
        std::fs::write(dir.join("devnet.json"), "{").unwrap();
        let e = Devnet::open(&dir).unwrap_err();
        assert!(e.to_string().contains("malformed"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    })
}

/// On the real mainnet bundles in `FERN_BUNDLES_DIR` (lotus `vNN.tar.zst` archives, kept
/// outside the repository): genesis, a transfer, and an account creation on each.
#[test]
fn real_bundles_when_available() {
    let Some(dir) = std::env::var_os("FERN_BUNDLES_DIR") else {
        eprintln!(
            "skipped: set FERN_BUNDLES_DIR to a folder of lotus bundle archives (v10.tar.zst ...)"
        );
        return;
    };
    let nv_of = |v: u32| match v {
        10 => Some(18),
        11 => Some(20),
        12 => Some(21),
        13 => Some(22),
        14 => Some(23),
        15 => Some(24),
        16 => Some(25),
        17 => Some(27),
        18 => Some(28),
        _ => None,
    };
    let mut tried = 0;
    for v in 10..=18 {
        let path = PathBuf::from(&dir).join(format!("v{v}.tar.zst"));
        if !path.exists() {
            continue;
        }
        let nv = nv_of(v).unwrap();
        tried += 1;
        deep(move || {
            let bundle = BundleSource::from_file(&path, None).unwrap();
            let spec = GenesisSpec {
                network_version: nv,
                ..spec()
            };
            let mut chain = Devnet::new(&spec, &bundle).unwrap_or_else(|e| panic!("v{v}: {e:#}"));
            let sent = chain
                .send(&send("a0", "a1", "0", vec![], TokenAmount::from_whole(1)))
                .unwrap();
            assert_eq!(
                sent.receipt.exit_code, 0,
                "v{v}: {:?}",
                sent.receipt.failure_info
            );
            let fresh =
                fern_devnet::keys::DevKey::derive("new", fern_devnet::keys::KeyType::Bls, 0)
                    .address()
                    .unwrap();
            let sent = chain
                .send(&send(
                    "a0",
                    &fresh.to_string(),
                    "0",
                    vec![],
                    TokenAmount::from_whole(1),
                ))
                .unwrap();
            assert_eq!(
                sent.receipt.exit_code, 0,
                "v{v}: {:?}",
                sent.receipt.failure_info
            );
            eprintln!(
                "v{v} (nv{nv}): genesis and transfers ok, root {}",
                chain.root().unwrap()
            );
        });
    }
    eprintln!("{tried} real bundles tried");
}
