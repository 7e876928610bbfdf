//! Fern's actors, run by ref-fvm 4.8 (the oracle) from Fern's bundle: init Exec of the examples,
//! account creation and authentication, placeholders and eth accounts, the EAM.

use cid::Cid;
use fern_actor_runtime::builtin::eam::CreateDelegatedParams;
use fern_actor_runtime::builtin::init::{Exec4Params, ExecParams, ExecReturn};
use fern_actor_runtime::builtin::methods;
use fern_actor_runtime::method_number;
use fvm::executor::{ApplyKind, ApplyRet, Executor};
use fvm::machine::Machine;
use fvm::state_tree::ActorState;
use fvm_integration_tests::dummy::DummyExterns;
use fvm_integration_tests::tester::{BasicTester, Tester};
use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_ipld_encoding::{CborStore, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::bigint::Zero;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::message::Message;
use fvm_shared::state::StateTreeVersion;
use fvm_shared::version::NetworkVersion;
use fvm_shared::ActorID;
use k256::ecdsa::SigningKey;
use k256::elliptic_curve::sec1::ToEncodedPoint;
use multihash_codetable::{Code, MultihashDigest};
use serde::de::DeserializeOwned;
use serde::Serialize;

const INIT: ActorID = 1;
const REWARD: ActorID = 2;
const SYSTEM: ActorID = 0;
const EAM: ActorID = 10;

fn bundle() -> fern_bundle::Bundle {
    fern_bundle::Bundle::load(&MemoryBlockstore::default(), fern_bundle::BUNDLE_CAR).unwrap()
}

fn code(name: &str) -> Cid {
    bundle()
        .code(name)
        .unwrap_or_else(|| panic!("no {name} in the bundle"))
}

/// A network on Fern's bundle with the genesis actors of ref-fvm's tester plus the reward actor.
struct Net {
    t: BasicTester,
    nonces: std::collections::HashMap<Address, u64>,
}

impl Net {
    /// Sets up the network; `before_start` may add actors before the machine starts.
    fn new(before_start: impl FnOnce(&mut BasicTester)) -> Self {
        let store = MemoryBlockstore::default();
        let roots = fvm_ipld_car::load_car(&store, fern_bundle::BUNDLE_CAR).unwrap();
        let mut t =
            Tester::new(NetworkVersion::V25, StateTreeVersion::V5, roots[0], store).unwrap();
        let tree = t.state_tree.as_mut().unwrap();
        let empty = tree.store().put_cbor(&[(); 0], Code::Blake2b256).unwrap();
        tree.set_actor(
            REWARD,
            ActorState::new(code("reward"), empty, TokenAmount::zero(), 0, None),
        );
        before_start(&mut t);
        Net {
            t,
            nonces: Default::default(),
        }
    }

    fn start(&mut self) {
        self.t.instantiate_machine(DummyExterns).unwrap();
    }

    fn send_raw(
        &mut self,
        from: Address,
        to: Address,
        method: u64,
        params: RawBytes,
        value: TokenAmount,
    ) -> ApplyRet {
        let seq = self.nonces.entry(from).or_default();
        let msg = Message {
            version: 0,
            from,
            to,
            sequence: *seq,
            value,
            method_num: method,
            params,
            gas_limit: 1_000_000_000,
            gas_fee_cap: TokenAmount::from_atto(200),
            gas_premium: TokenAmount::from_atto(10),
        };
        *seq += 1;
        let len = fvm_ipld_encoding::to_vec(&msg).unwrap().len();
        self.t
            .executor
            .as_mut()
            .unwrap()
            .execute_message(msg, ApplyKind::Explicit, len)
            .expect("no fatal error")
    }

    fn send<P: Serialize>(
        &mut self,
        from: Address,
        to: Address,
        method: u64,
        params: &P,
    ) -> ApplyRet {
        let params = RawBytes::serialize(params).unwrap();
        self.send_raw(from, to, method, params, TokenAmount::zero())
    }

    /// Sends and expects success; decodes the return value.
    fn call<P: Serialize, R: DeserializeOwned>(
        &mut self,
        from: Address,
        to: Address,
        method: u64,
        params: &P,
    ) -> R {
        let ret = self.send(from, to, method, params);
        assert_ok(&ret);
        ret.msg_receipt
            .return_data
            .deserialize()
            .expect("return value decodes")
    }

    fn actor(&self, id: ActorID) -> ActorState {
        self.t
            .executor
            .as_ref()
            .unwrap()
            .state_tree()
            .get_actor(id)
            .unwrap()
            .expect("actor exists")
    }

    fn lookup(&self, addr: &Address) -> Option<ActorID> {
        self.t
            .executor
            .as_ref()
            .unwrap()
            .state_tree()
            .lookup_id(addr)
            .unwrap()
    }

    /// `init.Exec` of a bundle actor; returns the new actor's ID.
    fn exec<P: Serialize>(&mut self, from: Address, name: &str, params: Option<&P>) -> ActorID {
        let p = ExecParams {
            code_cid: code(name),
            constructor_params: match params {
                Some(p) => RawBytes::serialize(p).unwrap(),
                None => RawBytes::default(),
            },
        };
        let r: ExecReturn = self.call(from, Address::new_id(INIT), methods::INIT_EXEC, &p);
        let id = r.id_address.id().unwrap();
        // The robust address resolves to the same actor.
        let robust = Address::from_bytes(&r.robust_address.to_bytes()).unwrap();
        assert_eq!(self.lookup(&robust), Some(id));
        id
    }
}

fn assert_ok(ret: &ApplyRet) {
    assert_eq!(
        ret.msg_receipt.exit_code,
        ExitCode::OK,
        "{:?}",
        ret.failure_info
    );
}

fn assert_exit(ret: &ApplyRet, code: ExitCode) {
    assert_eq!(ret.msg_receipt.exit_code, code, "{:?}", ret.failure_info);
}

fn secp_account(t: &mut BasicTester, seed: u8) -> (ActorID, Address) {
    let key = k256::SecretKey::from_slice(&[seed; 32]).unwrap();
    t.make_secp256k1_account(key, TokenAmount::from_whole(1000))
        .unwrap()
}

/// A 65-byte recoverable secp256k1 signature over the BLAKE2b-256 digest of `msg`, the form
/// Filecoin uses for f1 signatures.
fn secp_sign(seed: u8, msg: &[u8]) -> Vec<u8> {
    let key = SigningKey::from_slice(&[seed; 32]).unwrap();
    let digest = Code::Blake2b256.digest(msg);
    let (sig, rec) = key.sign_prehash_recoverable(digest.digest()).unwrap();
    let mut out = sig.to_bytes().to_vec();
    out.push(rec.to_byte());
    out
}

#[test]
fn examples_are_created_through_init_and_work() {
    let mut net = Net::new(|_| {});
    let (alice_id, alice) = secp_account(&mut net.t, 1);
    let (bob_id, bob) = secp_account(&mut net.t, 2);
    net.start();

    // hello
    let hello = net.exec::<()>(alice, "hello", None);
    let hello_addr = Address::new_id(hello);
    let say = method_number("SayHello");
    let ret = net.send_raw(
        alice,
        hello_addr,
        say,
        RawBytes::default(),
        TokenAmount::zero(),
    );
    assert_ok(&ret);
    assert_eq!(
        ret.msg_receipt.return_data.deserialize::<String>().unwrap(),
        format!("Hello, f0{alice_id}!")
    );
    let g: String = net.call(alice, hello_addr, say, &"Fern");
    assert_eq!(g, "Hello, Fern!");
    let ret = net.send(alice, hello_addr, 77, &());
    assert_exit(&ret, ExitCode::USR_UNHANDLED_MESSAGE);

    // counter
    let counter = net.exec(alice, "counter", Some(&5u64));
    let counter_addr = Address::new_id(counter);
    let ret = net.send(alice, counter_addr, method_number("Increment"), &3u64);
    assert_ok(&ret);
    assert_eq!(ret.msg_receipt.return_data.deserialize::<u64>().unwrap(), 8);
    assert_eq!(ret.events.len(), 1);
    let keys: Vec<&str> = ret.events[0]
        .event
        .entries
        .iter()
        .map(|e| e.key.as_str())
        .collect();
    assert_eq!(keys, ["$type", "by", "value"]);
    assert_eq!(ret.events[0].emitter, counter);
    let ret = net.send_raw(
        alice,
        counter_addr,
        method_number("Get"),
        RawBytes::default(),
        TokenAmount::zero(),
    );
    assert_ok(&ret);
    assert_eq!(ret.msg_receipt.return_data.deserialize::<u64>().unwrap(), 8);
    let ret = net.send(alice, counter_addr, method_number("Increment"), &u64::MAX);
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    // The counter's state block is the bare integer.
    let st = net.actor(counter).state;
    let v: u64 = net
        .t
        .executor
        .as_ref()
        .unwrap()
        .blockstore()
        .get_cbor(&st)
        .unwrap()
        .unwrap();
    assert_eq!(v, 8);

    // token
    use fern_example_token::{ConstructorParams, TransferParams, TransferReturn};
    let whole = |n: u64| fern_shared::econ::TokenAmount::from_atto(n);
    let fern_addr = |a: Address| fern_shared::address::Address::from_bytes(&a.to_bytes()).unwrap();
    let token = net.exec(
        alice,
        "token",
        Some(&ConstructorParams {
            supply: whole(1000),
            owner: None,
        }),
    );
    let token_addr = Address::new_id(token);
    let tp = TransferParams {
        to: fern_addr(bob),
        amount: whole(300),
    };
    let ret = net.send(alice, token_addr, method_number("Transfer"), &tp);
    assert_ok(&ret);
    let r: TransferReturn = ret.msg_receipt.return_data.deserialize().unwrap();
    assert_eq!((r.from_balance, r.to_balance), (whole(700), whole(300)));
    assert_eq!(ret.events.len(), 1);
    let bal: fern_shared::econ::TokenAmount = net.call(
        bob,
        token_addr,
        method_number("BalanceOf"),
        &fern_addr(Address::new_id(bob_id)),
    );
    assert_eq!(bal, whole(300));
    let ret = net.send_raw(
        bob,
        token_addr,
        method_number("TotalSupply"),
        RawBytes::default(),
        TokenAmount::zero(),
    );
    assert_ok(&ret);
    let total: fern_shared::econ::TokenAmount = ret.msg_receipt.return_data.deserialize().unwrap();
    assert_eq!(total, whole(1000));
    let too_much = TransferParams {
        to: fern_addr(alice),
        amount: whole(301),
    };
    assert_exit(
        &net.send(bob, token_addr, method_number("Transfer"), &too_much),
        ExitCode::USR_INSUFFICIENT_FUNDS,
    );
    let nobody = Address::new_secp256k1(&[4u8; 65]).unwrap();
    let to_nobody = TransferParams {
        to: fern_addr(nobody),
        amount: whole(1),
    };
    assert_exit(
        &net.send(bob, token_addr, method_number("Transfer"), &to_nobody),
        ExitCode::USR_NOT_FOUND,
    );

    // init refuses protocol actors and foreign code.
    for name in [
        "account",
        "system",
        "placeholder",
        "eam",
        "reward",
        "ethaccount",
        "init",
    ] {
        let p = ExecParams {
            code_cid: code(name),
            constructor_params: RawBytes::default(),
        };
        let ret = net.send(alice, Address::new_id(INIT), methods::INIT_EXEC, &p);
        assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    }
    // Exec4 is for the EAM only.
    let p = Exec4Params {
        code_cid: code("hello"),
        constructor_params: RawBytes::default(),
        subaddress: RawBytes::new(vec![1; 20]),
    };
    assert_exit(
        &net.send(alice, Address::new_id(INIT), methods::INIT_EXEC4, &p),
        ExitCode::USR_FORBIDDEN,
    );

    // Constructors of singletons are for the system actor only.
    for id in [SYSTEM, REWARD, EAM] {
        let ret = net.send_raw(
            alice,
            Address::new_id(id),
            1,
            RawBytes::default(),
            TokenAmount::zero(),
        );
        assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    }
}

#[test]
fn accounts_authenticate_and_accept_hooks() {
    let mut net = Net::new(|_| {});
    let (_alice_id, alice) = secp_account(&mut net.t, 7);
    let (_, bob) = secp_account(&mut net.t, 8);
    net.start();

    let message = b"the message that alice signed".to_vec();
    let good = fern_actor_runtime::builtin::account::AuthenticateMessageParams {
        signature: secp_sign(7, &message),
        message: message.clone(),
    };
    let ok: bool = net.call(bob, alice, methods::AUTHENTICATE_MESSAGE, &good);
    assert!(ok);
    let forged = fern_actor_runtime::builtin::account::AuthenticateMessageParams {
        signature: secp_sign(8, &message),
        message,
    };
    assert_exit(
        &net.send(bob, alice, methods::AUTHENTICATE_MESSAGE, &forged),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );

    let ret = net.send_raw(bob, alice, 2, RawBytes::default(), TokenAmount::zero());
    assert_ok(&ret);
    assert_eq!(
        ret.msg_receipt
            .return_data
            .deserialize::<Address>()
            .unwrap(),
        alice
    );

    // The receiver hook and other exported methods are accepted; small unknown numbers are not.
    assert_ok(&net.send(
        bob,
        alice,
        methods::UNIVERSAL_RECEIVER_HOOK,
        &RawBytes::new(vec![1, 2]),
    ));
    assert_ok(&net.send_raw(
        bob,
        alice,
        1 << 24,
        RawBytes::default(),
        TokenAmount::zero(),
    ));
    assert_exit(
        &net.send_raw(bob, alice, 5, RawBytes::default(), TokenAmount::zero()),
        ExitCode::USR_UNHANDLED_MESSAGE,
    );
    // Only the system actor may run the constructor.
    assert_exit(&net.send(bob, alice, 1, &alice), ExitCode::USR_FORBIDDEN);

    // Value sent to an unknown key address: the VM creates an account and runs our constructor
    // as the system actor; the state is `[address]`.
    let key = k256::SecretKey::from_slice(&[9; 32]).unwrap();
    let fresh =
        Address::new_secp256k1(key.public_key().to_encoded_point(false).as_bytes()).unwrap();
    assert_ok(&net.send_raw(
        bob,
        fresh,
        0,
        RawBytes::default(),
        TokenAmount::from_atto(77),
    ));
    let id = net.lookup(&fresh).expect("account created");
    let created = net.actor(id);
    assert_eq!(created.code, code("account"));
    let st: (Address,) = net
        .t
        .executor
        .as_ref()
        .unwrap()
        .blockstore()
        .get_cbor(&created.state)
        .unwrap()
        .unwrap();
    assert_eq!(st.0, fresh);

    // Burnt funds (f099) is an account whose "key" is its own ID address.
    let ret = net.send_raw(
        bob,
        Address::new_id(99),
        2,
        RawBytes::default(),
        TokenAmount::zero(),
    );
    assert_ok(&ret);
    assert_eq!(
        ret.msg_receipt
            .return_data
            .deserialize::<Address>()
            .unwrap(),
        Address::new_id(99)
    );
    let ret = net.send(
        bob,
        Address::new_id(99),
        methods::AUTHENTICATE_MESSAGE,
        &good,
    );
    assert_exit(&ret, ExitCode::USR_ILLEGAL_STATE);
}

/// The Ethereum address of a secp256k1 key: the last 20 bytes of Keccak-256 of the 64 bytes of
/// its uncompressed point.
fn eth_address(seed: u8) -> [u8; 20] {
    let key = k256::SecretKey::from_slice(&[seed; 32]).unwrap();
    let point = key.public_key().to_encoded_point(false);
    let hash = Code::Keccak256.digest(&point.as_bytes()[1..]);
    hash.digest()[12..].try_into().unwrap()
}

#[test]
fn eam_creates_over_a_placeholder_and_eth_accounts_work() {
    let eth_seed = 21u8;
    let eth_f410 = Address::new_delegated(EAM, &eth_address(eth_seed)).unwrap();
    let mut net = Net::new(|t| {
        // A funded placeholder at the eth account's address (as if it had received FIL).
        t.create_placeholder(&eth_f410, TokenAmount::from_whole(10))
            .unwrap();
    });
    let (_, alice) = secp_account(&mut net.t, 1);
    net.start();

    // Value to a fresh f410 address makes the VM create a placeholder there.
    let sub = [0x42u8; 20];
    let target = Address::new_delegated(EAM, &sub).unwrap();
    assert_ok(&net.send_raw(
        alice,
        target,
        0,
        RawBytes::default(),
        TokenAmount::from_atto(1000),
    ));
    let ph = net.lookup(&target).expect("placeholder created");
    assert_eq!(net.actor(ph).code, code("placeholder"));
    // The placeholder accepts any call and returns nothing.
    let ret = net.send_raw(
        alice,
        target,
        12345,
        RawBytes::default(),
        TokenAmount::zero(),
    );
    assert_ok(&ret);
    assert!(ret.msg_receipt.return_data.is_empty());

    // The EAM deploys a counter over it; the ID and the funds are kept.
    let create = CreateDelegatedParams {
        code_cid: code("counter"),
        subaddress: sub.to_vec(),
        constructor_params: RawBytes::serialize(7u64).unwrap(),
    };
    let ret = net.send_raw(
        alice,
        Address::new_id(EAM),
        methods::EAM_CREATE_DELEGATED,
        RawBytes::serialize(&create).unwrap(),
        TokenAmount::from_atto(5),
    );
    assert_ok(&ret);
    let r: ExecReturn = ret.msg_receipt.return_data.deserialize().unwrap();
    assert_eq!(r.id_address.id().unwrap(), ph);
    let created = net.actor(ph);
    assert_eq!(created.code, code("counter"));
    assert_eq!(created.balance, TokenAmount::from_atto(1005));
    assert_eq!(created.delegated_address, Some(target));
    let ret = net.send_raw(
        alice,
        target,
        method_number("Get"),
        RawBytes::default(),
        TokenAmount::zero(),
    );
    assert_ok(&ret);
    assert_eq!(ret.msg_receipt.return_data.deserialize::<u64>().unwrap(), 7);
    // Get takes no parameters (a null block is still a block).
    assert_exit(
        &net.send(alice, target, method_number("Get"), &()),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );

    // Not over a real actor, not at reserved or malformed addresses.
    assert_exit(
        &net.send(
            alice,
            Address::new_id(EAM),
            methods::EAM_CREATE_DELEGATED,
            &create,
        ),
        ExitCode::USR_FORBIDDEN,
    );
    let mut reserved = create.clone();
    reserved.subaddress = vec![0; 20];
    assert_exit(
        &net.send(
            alice,
            Address::new_id(EAM),
            methods::EAM_CREATE_DELEGATED,
            &reserved,
        ),
        ExitCode::USR_FORBIDDEN,
    );
    let mut short = create.clone();
    short.subaddress = vec![9; 19];
    assert_exit(
        &net.send(
            alice,
            Address::new_id(EAM),
            methods::EAM_CREATE_DELEGATED,
            &short,
        ),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    // A fresh address works without a placeholder, with a new ID.
    let mut fresh = create.clone();
    fresh.subaddress = vec![0x43; 20];
    let r: ExecReturn = net.call(
        alice,
        Address::new_id(EAM),
        methods::EAM_CREATE_DELEGATED,
        &fresh,
    );
    assert_ne!(r.id_address.id().unwrap(), ph);

    // The funded placeholder sends a message: the VM turns it into an eth account.
    assert_ok(&net.send_raw(
        eth_f410,
        alice,
        0,
        RawBytes::default(),
        TokenAmount::from_atto(1),
    ));
    let eth_id = net.lookup(&eth_f410).unwrap();
    assert_eq!(net.actor(eth_id).code, code("ethaccount"));
    let message = b"signed by the eth key".to_vec();
    let good = fern_actor_runtime::builtin::account::AuthenticateMessageParams {
        signature: secp_sign(eth_seed, &message),
        message: message.clone(),
    };
    let ok: bool = net.call(alice, eth_f410, methods::AUTHENTICATE_MESSAGE, &good);
    assert!(ok);
    let forged = fern_actor_runtime::builtin::account::AuthenticateMessageParams {
        signature: secp_sign(1, &message),
        message,
    };
    assert_exit(
        &net.send(alice, eth_f410, methods::AUTHENTICATE_MESSAGE, &forged),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert_ok(&net.send(alice, eth_f410, methods::UNIVERSAL_RECEIVER_HOOK, &()));
    assert_exit(
        &net.send_raw(alice, eth_f410, 2, RawBytes::default(), TokenAmount::zero()),
        ExitCode::USR_UNHANDLED_MESSAGE,
    );
}
