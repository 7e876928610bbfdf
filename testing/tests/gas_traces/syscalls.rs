//! Every syscall and failure path: Fern's test actors (`syscalls`, `failures`, from
//! `testing/test-actors`) called with good and bad arguments, and under gas-limit sweeps.

use std::sync::{Arc, OnceLock};

use fern_testing::genesis::Genesis;
use fern_testing::harness::*;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::ActorID;

const SYSCALLS: ActorID = 1000;
const FAILURES: ActorID = 1001;
const SYSCALLS2: ActorID = 1002;

/// Two accounts, `syscalls` at f01000 and f01002, `failures` at f01001 (built once).
fn test_genesis() -> Arc<Genesis> {
    static GENESIS: OnceLock<Arc<Genesis>> = OnceLock::new();
    GENESIS
        .get_or_init(|| {
            let actors = [
                ("syscalls", SYSCALLS),
                ("failures", FAILURES),
                ("syscalls", SYSCALLS2),
            ];
            Arc::new(genesis(2, &actors, &[]).expect("genesis builds"))
        })
        .clone()
}

fn pair(nv: fvm_shared::version::NetworkVersion) -> Pair {
    Pair::on(nv, test_genesis())
}

fn args(nums: &[u64], bytes: &[u8]) -> RawBytes {
    RawBytes::new(
        fvm_ipld_encoding::to_vec(&(nums.to_vec(), RawBytes::new(bytes.to_vec()))).unwrap(),
    )
}

/// Runs `calls` (method, numbers, bytes) against actor `to` on both VMs.
fn run(to: ActorID, calls: &[(u64, &[u64], &[u8])]) {
    for nv in NETWORK_VERSIONS {
        let mut p = pair(nv);
        let from = p.account(0);
        for (seq, (method, nums, bytes)) in calls.iter().enumerate() {
            p.apply(msg(
                from,
                Address::new_id(to),
                seq as u64,
                TokenAmount::from_atto(0),
                *method,
                args(nums, bytes),
            ));
        }
    }
}

fn cid_bytes(c: &cid::Cid) -> Vec<u8> {
    c.to_bytes()
}

#[test]
fn ipld_syscalls_match() {
    on_deep_stack(|| {
        let dag = fvm_ipld_encoding::to_vec(&(1u64, "x")).unwrap();
        let bad_cbor = [0x82u8, 0x01];
        let link_to_unknown = {
            let c = cid::Cid::new_v1(
                0x71,
                multihash_codetable::Code::Blake2b256.digest_bytes(b"nope"),
            );
            fvm_ipld_encoding::to_vec(&(c,)).unwrap()
        };
        let empty_arr = fern_shared::consts::empty_arr_cid();
        run(
            SYSCALLS,
            &[
                (2, &[0x55], b"raw block"),
                (2, &[0x71], &dag),
                (2, &[0x71], &bad_cbor),
                (2, &[0x70], b"bad codec"),
                (2, &[0x71], &link_to_unknown),
                (3, &[0, 100], b"read me please"),
                (3, &[5, 3], b"read me please"),
                (3, &[50, 3], b"read me please"),
                (3, &[u32::MAX as u64, 3], b"read me"),
                (4, &[0], b""),
                (4, &[77], b""),
                (5, &[1, 0x71, 1], &dag),
                (5, &[9, 0, 0], b""),
                (6, &[0x55, 0xb220, 32, 100], b"link me"),
                (6, &[0x55, 0x12, 32, 100], b"wrong hash"),
                (6, &[0x55, 0xb220, 20, 100], b"short"),
                (6, &[0x55, 0xb220, 32, 10], b"small buffer"),
                (7, &[1], &cid_bytes(&empty_arr)),
                (7, &[0], &cid_bytes(&empty_arr)),
                (7, &[0], b"\x01\x02"),
                (8, &[1 << 20, 0x55], b""),
                (8, &[(1 << 20) + 1, 0x55], b""),
                (8, &[5000, 0x71], b""),
            ],
        );
    });
}

trait DigestBytes {
    fn digest_bytes(&self, b: &[u8]) -> multihash_codetable::Multihash;
}
impl DigestBytes for multihash_codetable::Code {
    fn digest_bytes(&self, b: &[u8]) -> multihash_codetable::Multihash {
        multihash_codetable::MultihashDigest::digest(self, b)
    }
}

#[test]
fn self_and_context_syscalls_match() {
    on_deep_stack(|| {
        run(
            SYSCALLS,
            &[
                (10, &[100], b""),
                (10, &[5], b""),
                (
                    11,
                    &[0x71],
                    &fvm_ipld_encoding::to_vec(&[1u8, 2, 3]).unwrap(),
                ),
                (10, &[100], b""),
                (11, &[0x55, 1], b"\x01\x55\x00\x03abc"),
                (12, &[], b""),
                (14, &[], b""),
                (15, &[], b""),
                (16, &[999, 100], b""),
                (16, &[1000, 100], b""),
                (16, &[2000, 100], b""),
                (16, &[u64::MAX, 100], b""),
                (16, &[10, 5], b""),
                (17, &[], b""),
                (13, &[0], b""),
                (13, &[1], b""),
                (12, &[], b""),
            ],
        );
    });
}

#[test]
fn actor_syscalls_match() {
    on_deep_stack(|| {
        let f4 = Address::new_delegated(10, &[1u8; 20]).unwrap();
        run(
            SYSCALLS,
            &[
                (20, &[], &Address::new_id(5).to_bytes()),
                (20, &[], &secp_address(1).to_bytes()),
                (20, &[], &secp_address(55).to_bytes()),
                (20, &[], b"\x09garbage"),
                (21, &[SYSCALLS, 65], b""),
                (21, &[424242, 65], b""),
                (22, &[SYSCALLS, 100], b""),
                (22, &[1, 100], b""),
                (22, &[1, 3], b""),
                (22, &[424242, 100], b""),
                (23, &[1], b""),
                (23, &[SYSCALLS], b""),
                (24, &[2, 100], b""),
                (24, &[0, 100], b""),
                (24, &[9999, 100], b""),
                (25, &[65], b""),
                (25, &[20], b""),
                (26, &[5000, 3], b""),
                (26, &[5000, 3], &f4.to_bytes()),
                (27, &[SYSCALLS], b""),
                (27, &[424242], b""),
            ],
        );
    });
}

#[test]
fn crypto_syscalls_match() {
    on_deep_stack(|| {
        let secp = secp_address(1);
        let mut sig_case = vec![];
        sig_case.extend([7u8; 65]);
        sig_case.extend(secp.to_bytes());
        sig_case.extend(b"hello");
        run(
            SYSCALLS,
            &[
                (30, &[0xb220, 32], b"hash me"),
                (30, &[0x12, 32], b"hash me"),
                (30, &[0xb240, 64], b"hash me"),
                (30, &[0x1b, 32], b"hash me"),
                (30, &[0x1053, 20], b"hash me"),
                (30, &[0x1053, 10], b"hash me"),
                (30, &[0x99, 32], b"hash me"),
                (31, &[1, 65, secp.to_bytes().len() as u64], &sig_case),
                (31, &[3, 65, secp.to_bytes().len() as u64], &sig_case),
                (32, &[], &[1u8; 97]),
                (32, &[], &[0u8; 10]),
                (33, &[2, 4], b"abcdefgh"),
                (
                    34,
                    &[3],
                    &fvm_ipld_encoding::to_vec(&Vec::<(u64, cid::Cid)>::new()).unwrap(),
                ),
                (34, &[99], b""),
                (34, &[0], b"\xff"),
                (35, &[0], b"\xff"),
                (35, &[1], b"\xff\x00"),
                (35, &[2], b""),
            ],
        );
    });
}

fn piece(size: u64, fill: u8) -> (u64, cid::Cid) {
    let mh = cid::multihash::Multihash::<64>::wrap(0x1012, &[fill; 32]).unwrap();
    (size, cid::Cid::new_v1(0xf101, mh))
}

#[test]
fn unsealed_sector_cids_match() {
    on_deep_stack(|| {
        let enc = |pieces: &[(u64, cid::Cid)]| fvm_ipld_encoding::to_vec(&pieces.to_vec()).unwrap();
        let bad_codec = {
            let mh = cid::multihash::Multihash::<64>::wrap(0x1012, &[1; 32]).unwrap();
            vec![(2048u64, cid::Cid::new_v1(0x55, mh))]
        };
        let bad_hash = {
            let mh = cid::multihash::Multihash::<64>::wrap(0x12, &[1; 32]).unwrap();
            vec![(2048u64, cid::Cid::new_v1(0xf101, mh))]
        };
        let cases: Vec<(u64, Vec<u8>)> = vec![
            (0, enc(&[])),
            (5, enc(&[])),
            (8, enc(&[])),
            (0, enc(&[piece(2048, 1)])),
            (0, enc(&[piece(1024, 1), piece(1024, 2)])),
            (0, enc(&[piece(512, 1), piece(1024, 2)])),
            (
                0,
                enc(&[piece(128, 1), piece(256, 2), piece(128, 3), piece(512, 4)]),
            ),
            (5, enc(&[piece(256, 7)])),
            (0, enc(&[piece(4096, 1)])),
            (0, enc(&[piece(1000, 1)])),
            (0, enc(&[piece(64, 1)])),
            (0, enc(&[piece(0, 1)])),
            (0, enc(&[piece(1024, 1), piece(2048, 2)])),
            (0, enc(&bad_codec)),
            (0, enc(&bad_hash)),
            (3, enc(&[piece(8 << 20, 1), piece(1 << 30, 2)])),
        ];
        let calls: Vec<(u64, [u64; 1], &[u8])> = cases
            .iter()
            .map(|(t, b)| (34u64, [*t], b.as_slice()))
            .collect();
        let calls: Vec<(u64, &[u64], &[u8])> = calls
            .iter()
            .map(|(m, n, b)| (*m, n.as_slice(), *b))
            .collect();
        run(SYSCALLS, &calls);
    });
}

#[test]
fn event_randomness_gas_debug_match() {
    on_deep_stack(|| {
        let ev = |entries: &[(u64, &[u8], u64, &[u8])]| {
            let list: Vec<(u64, RawBytes, u64, RawBytes)> = entries
                .iter()
                .map(|(f, k, c, v)| (*f, RawBytes::new(k.to_vec()), *c, RawBytes::new(v.to_vec())))
                .collect();
            fvm_ipld_encoding::to_vec(&list).unwrap()
        };
        let good = ev(&[(3, b"key", 0x55, b"value"), (1, b"k2", 0x51, b"\x01")]);
        let bad_codec = ev(&[(3, b"key", 0x71, b"value")]);
        let bad_flags = ev(&[(8, b"key", 0x55, b"value")]);
        let long_key = ev(&[(0, &[b'a'; 32], 0x55, b"v")]);
        let bad_utf8 = ev(&[(0, &[0xff, 0xfe], 0x55, b"v")]);
        let big = vec![0u8; 9000];
        let too_big = ev(&[(0, b"k", 0x55, &big)]);
        run(
            SYSCALLS,
            &[
                (40, &[0], &good),
                (40, &[1], &good),
                (40, &[2], &good),
                (40, &[3], &good),
                (40, &[0], &bad_codec),
                (40, &[0], &bad_flags),
                (40, &[0], &long_key),
                (40, &[0], &bad_utf8),
                (40, &[0], &too_big),
                (40, &[0], &ev(&[])),
                (45, &[900], b""),
                (45, &[1000], b""),
                (45, &[1001], b""),
                (46, &[0], b""),
                (46, &[u64::MAX], b""),
                (50, &[], b""),
                (51, &[12345], b"my charge"),
                (51, &[12345], b"\xff\xfe"),
                (51, &[u64::MAX / 1000], b"huge"),
                (52, &[], b"log line"),
                (53, &[3], b"abcdata"),
            ],
        );
    });
}

#[test]
fn sends_and_exits_match() {
    on_deep_stack(|| {
        let send = |to: Address, params: Option<&[u8]>| {
            fvm_ipld_encoding::to_vec(&(
                RawBytes::new(to.to_bytes()),
                params.map(|p| RawBytes::new(p.to_vec())),
            ))
            .unwrap()
        };
        let to2 = Address::new_id(SYSCALLS2);
        let inner =
            fvm_ipld_encoding::to_vec(&(vec![5u64], RawBytes::new(b"abc".to_vec()))).unwrap();
        run(
            SYSCALLS,
            &[
                // Bare transfer, method call with params, with value, read-only.
                (60, &[0, 10, 0, 0], &send(to2, None)),
                (60, &[12, 0, 0, 0], &send(to2, Some(&inner))),
                (60, &[30, 5, 0, 0], &send(to2, Some(&inner))),
                (60, &[12, 0, 0, 1], &send(to2, Some(&inner))),
                (60, &[12, 7, 0, 1], &send(to2, Some(&inner))),
                // To itself, with value.
                (
                    60,
                    &[12, 9, 0, 0],
                    &send(Address::new_id(SYSCALLS), Some(&inner)),
                ),
                (60, &[0, 9, 0, 0], &send(Address::new_id(SYSCALLS), None)),
                // With a gas limit too small, and a sufficient one.
                (60, &[12, 0, 1000, 0], &send(to2, Some(&inner))),
                (60, &[12, 0, 10_000_000, 0], &send(to2, Some(&inner))),
                // To a new key address, a missing actor, a new f4.
                (60, &[0, 1, 0, 0], &send(secp_address(99), None)),
                (60, &[0, 1, 0, 0], &send(Address::new_id(77777), None)),
                (
                    60,
                    &[0, 1, 0, 0],
                    &send(Address::new_delegated(10, &[3; 20]).unwrap(), None),
                ),
                (60, &[0, 1, 0, 1], &send(secp_address(98), None)),
                // Invalid flags, too much value.
                (60, &[0, 1, 0, 2], &send(to2, None)),
                (60, &[0, 0, 0, 0, 0x71, 1], &send(to2, None)),
                // Callee exits with data, with a system code, with a bad block.
                (
                    60,
                    &[70, 0, 0, 0],
                    &send(
                        to2,
                        Some(
                            &fvm_ipld_encoding::to_vec(&(
                                vec![20u64, 0x55],
                                RawBytes::new(b"data".to_vec()),
                            ))
                            .unwrap(),
                        ),
                    ),
                ),
                (
                    60,
                    &[70, 0, 0, 0],
                    &send(
                        to2,
                        Some(
                            &fvm_ipld_encoding::to_vec(&(vec![5u64], RawBytes::default())).unwrap(),
                        ),
                    ),
                ),
                (
                    60,
                    &[71, 0, 0, 0],
                    &send(
                        to2,
                        Some(
                            &fvm_ipld_encoding::to_vec(&(vec![20u64, 99], RawBytes::default()))
                                .unwrap(),
                        ),
                    ),
                ),
                (
                    60,
                    &[72, 0, 0, 0],
                    &send(
                        to2,
                        Some(
                            &fvm_ipld_encoding::to_vec(&(vec![42u64], RawBytes::default()))
                                .unwrap(),
                        ),
                    ),
                ),
                (
                    60,
                    &[73, 0, 0, 0],
                    &send(
                        to2,
                        Some(
                            &fvm_ipld_encoding::to_vec(&(
                                vec![0x55u64],
                                RawBytes::new(b"raw".to_vec()),
                            ))
                            .unwrap(),
                        ),
                    ),
                ),
                // Exits of the top-level call.
                (70, &[0], b""),
                (70, &[16, 0x55], b"payload"),
                (70, &[3], b""),
                (71, &[0, 1], b""),
                (71, &[17, 99], b""),
                (72, &[0], b""),
                (72, &[5], b""),
                (73, &[0x71], &fvm_ipld_encoding::to_vec(&7u8).unwrap()),
                (9999, &[], b""),
            ],
        );
    });
}

#[test]
fn failures_match() {
    on_deep_stack(|| {
        run(
            FAILURES,
            &[
                (2, &[], b""),
                (3, &[0], b""),
                (3, &[64], b""),
                (4, &[1], b""),
                (4, &[100_000], b""),
                (5, &[0], b""),
                (7, &[], b""),
                (8, &[], b""),
                (9, &[1 << 20], b""),
                (10, &[1000], b""),
                (11, &[2_000_000], b""),
            ],
        );
        let mut bad = Vec::new();
        for which in 0..=15u64 {
            bad.push((6u64, [which, 0xffff_fff0, 64], b"".as_slice()));
            bad.push((6u64, [which, 10, 0xffff_ffff], b"".as_slice()));
        }
        let calls: Vec<(u64, &[u64], &[u8])> =
            bad.iter().map(|(m, n, b)| (*m, n.as_slice(), *b)).collect();
        run(FAILURES, &calls);
    });
}

fn secp_sign(seed: u8, data: &[u8]) -> Vec<u8> {
    let key = k256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap();
    let hash = blake2b256(data);
    let (sig, rec) = key.sign_prehash_recoverable(&hash).unwrap();
    let mut out = sig.to_bytes().to_vec();
    out.push(rec.to_byte());
    out
}

fn bls_key(seed: u8) -> bls_signatures::PrivateKey {
    bls_signatures::PrivateKey::new([seed; 32])
}

#[test]
fn signatures_match() {
    on_deep_stack(|| {
        use bls_signatures::Serialize as _;
        let data = b"the plaintext";
        let secp = secp_address(1);
        let good = secp_sign(1, data);
        let mut high_s = good.clone();
        {
            // Flip s to n - s and the recovery bit: still valid after normalization.
            use k256::elliptic_curve::ops::Neg;
            let sig = k256::ecdsa::Signature::from_slice(&good[..64]).unwrap();
            let (r, s) = sig.split_scalars();
            let flipped = k256::ecdsa::Signature::from_scalars(r, s.neg()).unwrap();
            high_s[..64].copy_from_slice(&flipped.to_bytes());
            high_s[64] ^= 1;
        }
        let case = |t: u64, sig: &[u8], addr: &Address, data: &[u8]| {
            let a = addr.to_bytes();
            let mut b = sig.to_vec();
            b.extend(&a);
            b.extend(data);
            ([t, sig.len() as u64, a.len() as u64], b)
        };
        let bls = bls_key(3);
        let bls_addr = Address::new_bls(&bls.public_key().as_bytes()).unwrap();
        let bls_sig = bls.sign(data).as_bytes();
        let hash = blake2b256(data);
        let mut recover = hash.to_vec();
        recover.extend(&good);
        let mut recover_bad = hash.to_vec();
        recover_bad.extend(&good[..64]);
        recover_bad.push(7);
        let cases = vec![
            case(1, &good, &secp, data),
            case(1, &good, &secp, b"other"),
            case(1, &high_s, &secp, data),
            case(1, &good, &secp_address(2), data),
            case(1, &good[..64], &secp, data),
            case(1, &good, &bls_addr, data),
            case(2, &bls_sig, &bls_addr, data),
            case(2, &bls_sig, &bls_addr, b"other"),
            case(2, &bls_sig[..95], &bls_addr, data),
            case(2, &bls_sig, &secp, data),
            case(1, &good, &Address::new_id(5), data),
        ];
        let mut calls: Vec<(u64, Vec<u64>, Vec<u8>)> = cases
            .into_iter()
            .map(|(n, b)| (31u64, n.to_vec(), b))
            .collect();
        calls.push((32, vec![], recover));
        calls.push((32, vec![], recover_bad));
        let calls: Vec<(u64, &[u64], &[u8])> = calls
            .iter()
            .map(|(m, n, b)| (*m, n.as_slice(), b.as_slice()))
            .collect();
        run(SYSCALLS, &calls);
    });
}

/// Recursion to the call-depth limit (1 024) with plenty of gas. Like ref-fvm's own executor,
/// this needs a large native stack (the 1 GiB of `on_deep_stack`).
#[test]
fn call_depth_limit_matches() {
    on_deep_stack(|| {
        for nv in NETWORK_VERSIONS {
            let mut p = pair(nv);
            let from = p.account(0);
            let mut m = msg(
                from,
                Address::new_id(FAILURES),
                0,
                TokenAmount::from_atto(0),
                5,
                args(&[0], b""),
            );
            m.gas_limit = 9_000_000_000;
            m.gas_fee_cap = TokenAmount::from_atto(101);
            m.gas_premium = TokenAmount::from_atto(1);
            let r = p.apply(m);
            assert!(r.exit_code.is_success(), "{:?}", r.exit_code);
        }
    });
}

/// Self-destruct with burn under gas limits rising from "out of gas early" to "enough": somewhere
/// in between the burn transfer runs out of gas while paying for the actor's update, which
/// ref-fvm treats as fatal.
#[test]
fn self_destruct_gas_edges_match() {
    on_deep_stack(|| {
        for nv in NETWORK_VERSIONS {
            let mut p = pair(nv);
            let from = p.account(0);
            let mut seen = std::collections::BTreeSet::new();
            let mut seq = 0;
            let mut limit = 1_300_000;
            while limit < 3_000_000 {
                let mut m = msg(
                    from,
                    Address::new_id(SYSCALLS),
                    seq,
                    TokenAmount::from_atto(0),
                    13,
                    args(&[1], b""),
                );
                m.gas_limit = limit;
                let r = p.apply(m);
                seq += 1;
                seen.insert(r.exit_code.value());
                if r.exit_code.is_success() {
                    break;
                }
                limit += 10_000;
            }
            assert!(seen.contains(&0), "never succeeded: {seen:?}");
            assert!(seen.contains(&10), "never hit the fatal burn: {seen:?}");
        }
    });
}

/// Gas-limit sweeps over syscall-heavy calls: every charge is, at some limit, the one that runs
/// out (events, block creation and linking, nested sends with their own limits).
#[test]
fn syscall_gas_sweeps_match() {
    on_deep_stack(|| {
        let ev = fvm_ipld_encoding::to_vec(&vec![(
            3u64,
            RawBytes::new(b"key".to_vec()),
            0x55u64,
            RawBytes::new(vec![7; 100]),
        )])
        .unwrap();
        let to2 = Address::new_id(SYSCALLS2);
        let inner = fvm_ipld_encoding::to_vec(&(vec![40u64], RawBytes::new(ev.clone()))).unwrap();
        let send =
            fvm_ipld_encoding::to_vec(&(RawBytes::new(to2.to_bytes()), Some(RawBytes::new(inner))))
                .unwrap();
        let cases: Vec<(u64, Vec<u64>, Vec<u8>)> = vec![
            (40, vec![0], ev.clone()),
            (
                6,
                vec![0x71, 0xb220, 32, 100],
                fvm_ipld_encoding::to_vec(&(1u8, vec![2u8; 300])).unwrap(),
            ),
            (60, vec![40, 3, 0, 0], send.clone()),
            (60, vec![40, 0, 2_000_000, 0], send),
            (
                11,
                vec![0x71],
                fvm_ipld_encoding::to_vec(&vec![9u8; 50]).unwrap(),
            ),
        ];
        for nv in NETWORK_VERSIONS {
            let mut p = pair(nv);
            let from = p.account(0);
            let mut seq = 0;
            for (method, nums, bytes) in &cases {
                let full = p.apply(msg(
                    from,
                    Address::new_id(SYSCALLS),
                    seq,
                    TokenAmount::from_atto(0),
                    *method,
                    args(nums, bytes),
                ));
                seq += 1;
                let steps = 30;
                for i in 0..=steps {
                    let mut m = msg(
                        from,
                        Address::new_id(SYSCALLS),
                        seq,
                        TokenAmount::from_atto(0),
                        *method,
                        args(nums, bytes),
                    );
                    m.gas_limit = (full.gas_used * i / steps + (i % 5) * 1311).max(1);
                    p.apply(m);
                    seq += 1;
                }
            }
        }
    });
}
