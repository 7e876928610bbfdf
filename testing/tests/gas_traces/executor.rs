//! The executor: transfers, pre-validation, account and placeholder creation, the example
//! actors, implicit messages and gas-limit sweeps.

use fern_testing::harness::*;
use fvm::executor::ApplyKind as RefKind;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::message::Message;
use fvm_shared::METHOD_SEND;

fn transfer(from: Address, to: Address, seq: u64, atto: u64) -> Message {
    msg(
        from,
        to,
        seq,
        TokenAmount::from_atto(atto),
        METHOD_SEND,
        RawBytes::default(),
    )
}

#[test]
fn value_transfers_match() {
    on_deep_stack(|| {
        for nv in NETWORK_VERSIONS {
            let mut p = Pair::new(nv, 3);
            let (a, b, c) = (p.account(0), p.account(1), p.account(2));
            assert!(p.apply(transfer(a, b, 0, 12_345)).exit_code.is_success());
            assert!(p.apply(transfer(a, c, 1, 1)).exit_code.is_success());
            // To an ID address, and back.
            let b_id = Address::new_id(p.accounts[1].0);
            assert!(p.apply(transfer(c, b_id, 0, 99)).exit_code.is_success());
            assert!(p.apply(transfer(b, a, 0, 0)).exit_code.is_success());
            // Self transfer.
            assert!(p.apply(transfer(a, a, 2, 5)).exit_code.is_success());
            // With params on method 0 (ignored, but part of the message size).
            let mut m = transfer(a, b, 3, 7);
            m.params = RawBytes::new(vec![1, 2, 3, 4]);
            assert!(p.apply(m).exit_code.is_success());
        }
    });
}

#[test]
fn prevalidation_failures_match() {
    on_deep_stack(|| {
        for nv in NETWORK_VERSIONS {
            let mut p = Pair::new(nv, 2);
            let (a, b) = (p.account(0), p.account(1));
            // Wrong nonce.
            assert_eq!(
                p.apply(transfer(a, b, 5, 1)).exit_code,
                ExitCode::SYS_SENDER_STATE_INVALID
            );
            // Gas limit below the inclusion cost.
            let mut m = transfer(a, b, 0, 1);
            m.gas_limit = 1000;
            assert_eq!(p.apply(m).exit_code, ExitCode::SYS_OUT_OF_GAS);
            // Not enough balance for the gas reservation.
            let mut m = transfer(a, b, 0, 1);
            m.gas_fee_cap = TokenAmount::from_whole(1);
            assert_eq!(p.apply(m).exit_code, ExitCode::SYS_SENDER_STATE_INVALID);
            // Unknown sender.
            assert_eq!(
                p.apply(transfer(secp_address(77), b, 0, 1)).exit_code,
                ExitCode::SYS_SENDER_INVALID
            );
            // A sender that is not an account (the burnt funds actor... an account? no: f099 is an account in the tester).
            assert_eq!(
                p.apply(transfer(Address::new_id(2), b, 0, 1)).exit_code,
                ExitCode::SYS_SENDER_INVALID
            );
            // Base fee above the fee cap (miner penalty).
            let mut m = transfer(a, b, 0, 1);
            m.gas_fee_cap = TokenAmount::from_atto(50);
            assert!(p.apply(m).exit_code.is_success());
        }
    });
}

#[test]
fn send_failures_match() {
    on_deep_stack(|| {
        for nv in NETWORK_VERSIONS {
            let mut p = Pair::new(nv, 2);
            let (a, b) = (p.account(0), p.account(1));
            // Missing ID receiver.
            assert_eq!(
                p.apply(transfer(a, Address::new_id(5555), 0, 1)).exit_code,
                ExitCode::SYS_INVALID_RECEIVER
            );
            // More value than the balance.
            let m = msg(
                a,
                b,
                1,
                TokenAmount::from_whole(1_000_000),
                METHOD_SEND,
                RawBytes::default(),
            );
            assert_eq!(p.apply(m).exit_code, ExitCode::SYS_INSUFFICIENT_FUNDS);
            // An f2 address that does not exist.
            let f2 = Address::new_actor(b"nobody");
            assert_eq!(
                p.apply(transfer(a, f2, 2, 1)).exit_code,
                ExitCode::SYS_INVALID_RECEIVER
            );
            // An unknown method of an account actor.
            let m = msg(
                a,
                b,
                3,
                TokenAmount::from_atto(0),
                12345,
                RawBytes::default(),
            );
            let r = p.apply(m);
            assert!(!r.exit_code.is_success());
            // Out of gas during execution (limit just above inclusion).
            let mut m = msg(
                a,
                b,
                4,
                TokenAmount::from_atto(0),
                12345,
                RawBytes::default(),
            );
            m.gas_limit = 1_200_000;
            assert_eq!(p.apply(m).exit_code, ExitCode::SYS_OUT_OF_GAS);
        }
    });
}

#[test]
fn account_and_placeholder_creation_match() {
    on_deep_stack(|| {
        for nv in NETWORK_VERSIONS {
            let mut p = Pair::new(nv, 1);
            let a = p.account(0);
            // A new secp256k1 address: account created, constructor run.
            let fresh = secp_address(9);
            assert!(p.apply(transfer(a, fresh, 0, 777)).exit_code.is_success());
            let id = p.lookup(&fresh).expect("registered");
            assert_eq!(p.actor(id).unwrap().code, p.code("account"));
            // Again, now that it exists.
            assert!(p.apply(transfer(a, fresh, 1, 1)).exit_code.is_success());
            // A BLS address.
            let bls = Address::new_bls(&[7u8; 48]).unwrap();
            assert!(p.apply(transfer(a, bls, 2, 3)).exit_code.is_success());
            // The BLS zero address cannot be created.
            let mut zero = [0u8; 48];
            zero[0] = 0xc0;
            let bls0 = Address::new_bls(&zero).unwrap();
            assert_eq!(
                p.apply(transfer(a, bls0, 3, 3)).exit_code,
                ExitCode::SYS_ASSERTION_FAILED
            );
            // An f4 address in the EAM namespace: a placeholder.
            let f4 = Address::new_delegated(10, &[0xaa; 20]).unwrap();
            assert!(p.apply(transfer(a, f4, 4, 5)).exit_code.is_success());
            let id = p.lookup(&f4).unwrap();
            assert_eq!(p.actor(id).unwrap().code, p.code("placeholder"));
            // An f4 address in another namespace cannot be created.
            let other = Address::new_delegated(1234, &[0xbb; 20]).unwrap();
            assert_eq!(
                p.apply(transfer(a, other, 5, 5)).exit_code,
                ExitCode::SYS_INVALID_RECEIVER
            );
            // Zero-value send to a new key address still creates it.
            assert!(p
                .apply(transfer(a, secp_address(10), 6, 0))
                .exit_code
                .is_success());
        }
    });
}

/// Exec an actor through the init actor; returns the new actor's ID address.
fn exec(p: &mut Pair, from: Address, seq: u64, code: &str, ctor: RawBytes) -> Address {
    let params = fvm_ipld_encoding::to_vec(&(p.code(code), ctor)).unwrap();
    let r = p.apply(msg(
        from,
        Address::new_id(1),
        seq,
        TokenAmount::from_atto(0),
        2,
        RawBytes::new(params),
    ));
    assert!(r.exit_code.is_success(), "exec {code}: {:?}", r.exit_code);
    let (id, _robust): (Address, Address) = r.return_data.deserialize().unwrap();
    id
}

#[test]
fn example_actors_match() {
    on_deep_stack(|| {
        use fern_actor_runtime::method_number;
        for nv in NETWORK_VERSIONS {
            let mut p = Pair::new(nv, 2);
            let (a, b) = (p.account(0), p.account(1));
            let hello = exec(&mut p, a, 0, "hello", RawBytes::default());
            let r = p.apply(msg(
                a,
                hello,
                1,
                TokenAmount::from_atto(0),
                method_number("SayHello"),
                RawBytes::default(),
            ));
            assert!(r.exit_code.is_success());

            let counter = exec(
                &mut p,
                a,
                2,
                "counter",
                RawBytes::new(fvm_ipld_encoding::to_vec(&5u64).unwrap()),
            );
            for (i, by) in [1u64, 10, 0].into_iter().enumerate() {
                let params = RawBytes::new(fvm_ipld_encoding::to_vec(&by).unwrap());
                let r = p.apply(msg(
                    b,
                    counter,
                    i as u64,
                    TokenAmount::from_atto(0),
                    method_number("Increment"),
                    params,
                ));
                assert!(r.exit_code.is_success());
            }
            let r = p.apply(msg(
                a,
                counter,
                3,
                TokenAmount::from_atto(0),
                method_number("Get"),
                RawBytes::default(),
            ));
            assert!(r.exit_code.is_success());
            // Bad parameters.
            let r = p.apply(msg(
                a,
                counter,
                4,
                TokenAmount::from_atto(0),
                method_number("Increment"),
                RawBytes::new(vec![0xff]),
            ));
            assert!(!r.exit_code.is_success());
            // Value to an actor method.
            let params = RawBytes::new(fvm_ipld_encoding::to_vec(&2u64).unwrap());
            p.apply(msg(
                a,
                counter,
                5,
                TokenAmount::from_atto(10),
                method_number("Increment"),
                params,
            ));
        }
    });
}

#[test]
fn implicit_messages_match() {
    on_deep_stack(|| {
        for nv in NETWORK_VERSIONS {
            let mut p = Pair::new(nv, 1);
            let a = p.account(0);
            let mut m = transfer(Address::new_id(0), a, 0, 0);
            m.gas_limit = 10_000_000_000;
            assert!(p.apply_kind(m, RefKind::Implicit).exit_code.is_success());
            let m = msg(
                Address::new_id(0),
                a,
                0,
                TokenAmount::from_atto(0),
                77,
                RawBytes::default(),
            );
            p.apply_kind(m, RefKind::Implicit);
        }
    });
}

#[test]
fn token_actor_matches() {
    on_deep_stack(|| {
        use fern_actor_runtime::method_number;
        for nv in NETWORK_VERSIONS {
            let mut p = Pair::new(nv, 2);
            let (a, b) = (p.account(0), p.account(1));
            let ctor = fvm_ipld_encoding::to_vec(&(
                TokenAmount::from_atto(1_000_000),
                Option::<Address>::None,
            ))
            .unwrap();
            let token = exec(&mut p, a, 0, "token", RawBytes::new(ctor));
            let tr = |to: Address, amount: i64| {
                RawBytes::new(
                    fvm_ipld_encoding::to_vec(&(to, TokenAmount::from_atto(amount))).unwrap(),
                )
            };
            let transfer_m = method_number("Transfer");
            assert!(p
                .apply(msg(
                    a,
                    token,
                    1,
                    TokenAmount::from_atto(0),
                    transfer_m,
                    tr(b, 500)
                ))
                .exit_code
                .is_success());
            // Too much, negative, to an unknown address, to a new key address (not created: the token
            // actor only resolves).
            assert!(!p
                .apply(msg(
                    b,
                    token,
                    0,
                    TokenAmount::from_atto(0),
                    transfer_m,
                    tr(a, 501)
                ))
                .exit_code
                .is_success());
            assert!(!p
                .apply(msg(
                    b,
                    token,
                    1,
                    TokenAmount::from_atto(0),
                    transfer_m,
                    tr(a, -1)
                ))
                .exit_code
                .is_success());
            p.apply(msg(
                b,
                token,
                2,
                TokenAmount::from_atto(0),
                transfer_m,
                tr(secp_address(42), 1),
            ));
            let q = RawBytes::new(fvm_ipld_encoding::to_vec(&b).unwrap());
            assert!(p
                .apply(msg(
                    a,
                    token,
                    2,
                    TokenAmount::from_atto(0),
                    method_number("BalanceOf"),
                    q
                ))
                .exit_code
                .is_success());
            p.apply(msg(
                a,
                token,
                3,
                TokenAmount::from_atto(0),
                method_number("TotalSupply"),
                RawBytes::default(),
            ));
        }
    });
}

#[test]
fn placeholder_sender_is_promoted() {
    on_deep_stack(|| {
        for nv in NETWORK_VERSIONS {
            // A placeholder with an EAM f4 address and funds, created by a transfer.
            let mut p = Pair::new(nv, 2);
            let a = p.account(0);
            let f4 = Address::new_delegated(10, &[0x11; 20]).unwrap();
            assert!(p
                .apply(transfer(a, f4, 0, 10_000_000_000_000_000))
                .exit_code
                .is_success());
            // It can send: it becomes an eth-account.
            assert!(p.apply(transfer(f4, a, 0, 1)).exit_code.is_success());
            let id = p.lookup(&f4).unwrap();
            assert_eq!(p.actor(id).unwrap().code, p.code("ethaccount"));
            // A placeholder outside the EAM namespace cannot exist, and a wrong nonce fails.
            assert_eq!(
                p.apply(transfer(f4, a, 5, 1)).exit_code,
                ExitCode::SYS_SENDER_STATE_INVALID
            );
            // An f2 sender (not an account) is invalid.
            assert_eq!(
                p.apply(transfer(Address::new_id(1), a, 0, 1)).exit_code,
                ExitCode::SYS_SENDER_INVALID
            );
        }
    });
}

#[test]
fn nested_creation_and_reverts_match() {
    on_deep_stack(|| {
        use fern_actor_runtime::method_number;
        for nv in NETWORK_VERSIONS {
            let mut p = Pair::new(nv, 1);
            let a = p.account(0);
            // Exec a counter, then call a missing method on it: the failed call reverts and the
            // next message pays first-access charges again.
            let counter = exec(&mut p, a, 0, "counter", RawBytes::default());
            assert!(!p
                .apply(msg(
                    a,
                    counter,
                    1,
                    TokenAmount::from_atto(0),
                    999,
                    RawBytes::default()
                ))
                .exit_code
                .is_success());
            let params = RawBytes::new(fvm_ipld_encoding::to_vec(&3u64).unwrap());
            assert!(p
                .apply(msg(
                    a,
                    counter,
                    2,
                    TokenAmount::from_atto(0),
                    method_number("Increment"),
                    params
                ))
                .exit_code
                .is_success());
            // Exec with an unknown code CID, and a non-execable one.
            let bogus = cid::Cid::new_v1(
                0x55,
                multihash_codetable::MultihashDigest::digest(
                    &multihash_codetable::Code::Blake2b256,
                    b"x",
                ),
            );
            let params = fvm_ipld_encoding::to_vec(&(bogus, RawBytes::default())).unwrap();
            assert!(!p
                .apply(msg(
                    a,
                    Address::new_id(1),
                    3,
                    TokenAmount::from_atto(0),
                    2,
                    RawBytes::new(params)
                ))
                .exit_code
                .is_success());
            let params =
                fvm_ipld_encoding::to_vec(&(p.code("account"), RawBytes::default())).unwrap();
            p.apply(msg(
                a,
                Address::new_id(1),
                4,
                TokenAmount::from_atto(0),
                2,
                RawBytes::new(params),
            ));
            // Value with the exec.
            let params =
                fvm_ipld_encoding::to_vec(&(p.code("hello"), RawBytes::default())).unwrap();
            p.apply(msg(
                a,
                Address::new_id(1),
                5,
                TokenAmount::from_atto(123),
                2,
                RawBytes::new(params),
            ));
        }
    });
}

/// Runs `make(seq, gas_limit)` with gas limits sweeping from below the inclusion cost up to the
/// full usage, so that every charge of the message is, at some limit, the one that runs out.
fn sweep(p: &mut Pair, seq: &mut u64, make: &dyn Fn(u64, u64) -> Message) {
    let full = p.apply(make(*seq, 50_000_000));
    *seq += 1;
    let used = full.gas_used;
    let steps = 40;
    for i in 0..=steps {
        let limit = used * i / steps + (i % 7) * 977;
        p.apply(make(*seq, limit.max(1)));
        *seq += 1;
    }
}

#[test]
fn gas_limit_sweeps_match() {
    on_deep_stack(|| {
        use fern_actor_runtime::method_number;
        for nv in NETWORK_VERSIONS {
            let mut p = Pair::new(nv, 2);
            let (a, b) = (p.account(0), p.account(1));
            let mut seq = 0;
            let counter = exec(&mut p, a, seq, "counter", RawBytes::default());
            seq += 1;
            sweep(&mut p, &mut seq, &|s, g| {
                let mut m = transfer(a, secp_address(100 + (s % 200) as u8), s, 5);
                m.gas_limit = g;
                m
            });
            sweep(&mut p, &mut seq, &|s, g| {
                let params = RawBytes::new(fvm_ipld_encoding::to_vec(&1u64).unwrap());
                let mut m = msg(
                    a,
                    counter,
                    s,
                    TokenAmount::from_atto(1),
                    method_number("Increment"),
                    params,
                );
                m.gas_limit = g;
                m
            });
            sweep(&mut p, &mut seq, &|s, g| {
                let params =
                    fvm_ipld_encoding::to_vec(&(p_code_hello(), RawBytes::default())).unwrap();
                let mut m = msg(
                    a,
                    Address::new_id(1),
                    s,
                    TokenAmount::from_atto(0),
                    2,
                    RawBytes::new(params),
                );
                m.gas_limit = g;
                m
            });
            let _ = b;
        }
    });
}

fn p_code_hello() -> cid::Cid {
    fern_bundle::Bundle::load(
        &fvm_ipld_blockstore::MemoryBlockstore::default(),
        fern_bundle::BUNDLE_CAR,
    )
    .unwrap()
    .code("hello")
    .unwrap()
}

#[test]
fn delegated_creation_and_authentication_match() {
    on_deep_stack(|| {
        use fern_actor_runtime::method_number;
        for nv in NETWORK_VERSIONS {
            let mut p = Pair::new(nv, 1);
            let a = p.account(0);
            let eam = Address::new_id(10);
            let create = |code: cid::Cid, sub: &[u8]| {
                RawBytes::new(
                    fvm_ipld_encoding::to_vec(&(
                        code,
                        RawBytes::new(sub.to_vec()),
                        RawBytes::default(),
                    ))
                    .unwrap(),
                )
            };
            let cd = method_number("CreateDelegated");
            // A fresh f410 actor.
            let r = p.apply(msg(
                a,
                eam,
                0,
                TokenAmount::from_atto(0),
                cd,
                create(p.code("hello"), &[0x42; 20]),
            ));
            assert!(r.exit_code.is_success(), "{:?}", r.exit_code);
            // A placeholder funded first, then deployed over.
            let f4 = Address::new_delegated(10, &[0x43; 20]).unwrap();
            assert!(p.apply(transfer(a, f4, 1, 1000)).exit_code.is_success());
            let r = p.apply(msg(
                a,
                eam,
                2,
                TokenAmount::from_atto(5),
                cd,
                create(p.code("hello"), &[0x43; 20]),
            ));
            assert!(r.exit_code.is_success(), "{:?}", r.exit_code);
            assert_eq!(
                p.actor(p.lookup(&f4).unwrap()).unwrap().code,
                p.code("hello")
            );
            // The same address again, a reserved one, a short one.
            for (nonce, sub) in [(3, &[0x43u8; 20][..]), (4, &[0; 20]), (5, &[1; 19])] {
                let zero = TokenAmount::from_atto(0);
                let r = p.apply(msg(a, eam, nonce, zero, cd, create(p.code("hello"), sub)));
                assert!(!r.exit_code.is_success(), "subaddress {sub:?} was accepted");
            }
            // AuthenticateMessage on the account with a good and a bad signature.
            let data = b"authenticate me".to_vec();
            let key = k256::ecdsa::SigningKey::from_slice(&[1; 32]).unwrap();
            let hash = blake2b256(&data);
            let (sig, rec) = key.sign_prehash_recoverable(&hash).unwrap();
            let mut sig = sig.to_bytes().to_vec();
            sig.push(rec.to_byte());
            let auth = |sig: &[u8]| {
                RawBytes::new(
                    fvm_ipld_encoding::to_vec(&(
                        RawBytes::new(sig.to_vec()),
                        RawBytes::new(data.clone()),
                    ))
                    .unwrap(),
                )
            };
            let am = method_number("AuthenticateMessage");
            p.apply(msg(a, a, 6, TokenAmount::from_atto(0), am, auth(&sig)));
            sig[3] ^= 1;
            p.apply(msg(a, a, 7, TokenAmount::from_atto(0), am, auth(&sig)));
        }
    });
}
