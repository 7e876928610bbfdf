//! Golden-byte and behaviour comparisons between Fern's core types and the reference
//! `fvm_shared` crate (the oracle). Every expected value is produced by the oracle in the same
//! test; nothing is hard-coded.

use std::cmp::Ordering;
use std::fmt::Debug;

use cid::Cid;
use fern_shared::address::{self as fa, Address, AddressError, Network, Protocol};
use fern_shared::bigint::{bigint_ser, biguint_ser, BigInt, Sign};
use fern_shared::econ::TokenAmount;
use fern_shared::error::{ErrorNumber, ExitCode};
use fern_shared::message::Message;
use fern_shared::receipt::Receipt;
use fern_shared::state::{ActorState, StateInfo0, StateRoot, StateTreeVersion};
use fern_shared::version::NetworkVersion;
use fvm_ipld_encoding::{from_slice, to_vec, RawBytes};
use fvm_shared as o;
use serde::de::DeserializeOwned;
use serde::Serialize;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Tiny deterministic xorshift64* generator.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
    fn bytes_upto(&mut self, max_exclusive: u64) -> Vec<u8> {
        let n = self.below(max_exclusive) as usize;
        self.bytes(n)
    }
    fn bool(&mut self) -> bool {
        self.next() & 1 == 1
    }
    /// A u64 biased towards edge values and every byte length.
    fn edgy_u64(&mut self) -> u64 {
        match self.below(6) {
            0 => self.below(256),
            1 => u64::MAX - self.below(4),
            2 => 1u64 << self.below(64),
            3 => (1u64 << self.below(64)).wrapping_sub(1),
            _ => self.next() >> self.below(64),
        }
    }
}

fn cbor<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
    to_vec(v).expect("encoding should succeed")
}

/// Serializes with both encoders and checks the bytes agree; returns them.
fn same_bytes<F: Serialize, O: Serialize>(fern: &F, oracle: &O) -> Vec<u8> {
    let a = cbor(fern);
    let b = cbor(oracle);
    assert_eq!(a, b, "Fern and oracle encodings differ");
    a
}

/// Decodes `bytes` with both decoders and checks they agree on acceptance; returns the results.
fn both_decode<F: DeserializeOwned, O: DeserializeOwned>(bytes: &[u8]) -> (Option<F>, Option<O>) {
    let f = from_slice::<F>(bytes).ok();
    let o = from_slice::<O>(bytes).ok();
    assert_eq!(
        f.is_some(),
        o.is_some(),
        "acceptance differs for {}",
        hex::encode(bytes)
    );
    (f, o)
}

/// Checks a full Fern ⇄ oracle round trip at the CBOR level.
fn cross_round_trip<F, O>(fern: &F, oracle: &O)
where
    F: Serialize + DeserializeOwned + PartialEq + Debug,
    O: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let bytes = same_bytes(fern, oracle);
    let f: F = from_slice(&bytes).expect("Fern decodes oracle bytes");
    let o: O = from_slice(&bytes).expect("oracle decodes Fern bytes");
    assert_eq!(&f, fern);
    assert_eq!(&o, oracle);
    assert_eq!(cbor(&f), bytes);
}

fn test_cid(rng: &mut Rng) -> Cid {
    let codec = [0x55u64, 0x71, 0x51][rng.below(3) as usize];
    let data = rng.bytes_upto(40);
    let digest = blake2b_simd::Params::new().hash_length(32).hash(&data);
    Cid::new_v1(
        codec,
        cid::multihash::Multihash::wrap(0xb220, digest.as_bytes()).unwrap(),
    )
}

// ---------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------

fn to_oracle_addr(a: &Address) -> o::address::Address {
    o::address::Address::from_bytes(&a.to_bytes()).expect("oracle accepts Fern address bytes")
}

fn fern_err_kind(e: &AddressError) -> String {
    match e {
        AddressError::UnknownNetwork => "UnknownNetwork".into(),
        AddressError::UnknownProtocol => "UnknownProtocol".into(),
        AddressError::InvalidPayload => "InvalidPayload".into(),
        AddressError::InvalidLength => "InvalidLength".into(),
        AddressError::InvalidPayloadLength(n) => format!("InvalidPayloadLength({n})"),
        AddressError::InvalidBlsLength(n) => format!("InvalidBLSLength({n})"),
        AddressError::InvalidSecpLength(n) => format!("InvalidSECPLength({n})"),
        AddressError::InvalidChecksum => "InvalidChecksum".into(),
        AddressError::Base32Decoding(d) => format!("Base32Decoding({d:?})"),
        AddressError::NonIdAddress => "NonIDAddress".into(),
        AddressError::NonDelegatedAddress => "NonDelegatedAddress".into(),
    }
}

fn oracle_err_kind(e: &o::address::Error) -> String {
    use o::address::Error as E;
    match e {
        E::UnknownNetwork => "UnknownNetwork".into(),
        E::UnknownProtocol => "UnknownProtocol".into(),
        E::InvalidPayload => "InvalidPayload".into(),
        E::InvalidLength => "InvalidLength".into(),
        E::InvalidPayloadLength(n) => format!("InvalidPayloadLength({n})"),
        E::InvalidBLSLength(n) => format!("InvalidBLSLength({n})"),
        E::InvalidSECPLength(n) => format!("InvalidSECPLength({n})"),
        E::InvalidChecksum => "InvalidChecksum".into(),
        E::Base32Decoding(d) => format!("Base32Decoding({d:?})"),
        E::NonIDAddress => "NonIDAddress".into(),
        E::NonDelegatedAddress => "NonDelegatedAddress".into(),
    }
}

/// Parses with the oracle, accepting either network letter (the oracle's `FromStr` only accepts
/// the process-global network, which tests must not change).
fn oracle_parse(s: &str) -> Result<o::address::Address, o::address::Error> {
    match o::address::Network::Mainnet.parse_address(s) {
        Err(o::address::Error::UnknownNetwork) => o::address::Network::Testnet.parse_address(s),
        r => r,
    }
}

/// Fern and oracle must agree on whether `s` parses, on the error kind, and on the result.
fn compare_parse(s: &str) -> bool {
    let f = s.parse::<Address>();
    let o = oracle_parse(s);
    match (&f, &o) {
        (Ok(fa), Ok(oa)) => {
            assert_eq!(
                fa.to_bytes(),
                oa.to_bytes(),
                "parse result differs for {s:?}"
            );
            true
        }
        (Err(fe), Err(oe)) => {
            assert_eq!(
                fern_err_kind(fe),
                oracle_err_kind(oe),
                "error differs for {s:?}"
            );
            false
        }
        _ => panic!("acceptance differs for {s:?}: fern {f:?}, oracle {o:?}"),
    }
}

/// Fern and oracle must agree on whether `b` is a valid binary address and on the result.
fn compare_from_bytes(b: &[u8]) -> bool {
    let f = Address::from_bytes(b);
    let o = o::address::Address::from_bytes(b);
    let accepted = match (&f, &o) {
        (Ok(fa), Ok(oa)) => {
            assert_eq!(
                fa.to_bytes(),
                oa.to_bytes(),
                "decode differs for {}",
                hex::encode(b)
            );
            assert_eq!(fa.to_string(), oa.to_string());
            true
        }
        (Err(fe), Err(oe)) => {
            assert_eq!(
                fern_err_kind(fe),
                oracle_err_kind(oe),
                "error differs for {}",
                hex::encode(b)
            );
            false
        }
        _ => panic!(
            "acceptance differs for {}: fern {f:?}, oracle {o:?}",
            hex::encode(b)
        ),
    };
    // The same through the CBOR wrapper.
    let wrapped = cbor(&serde_bytes_wrapper(b));
    let (fd, od) = both_decode::<Address, o::address::Address>(&wrapped);
    assert_eq!(fd.is_some(), accepted);
    if let (Some(fd), Some(od)) = (fd, od) {
        assert_eq!(fd.to_bytes(), od.to_bytes());
    }
    accepted
}

fn serde_bytes_wrapper(b: &[u8]) -> fvm_ipld_encoding::strict_bytes::ByteBuf {
    fvm_ipld_encoding::strict_bytes::ByteBuf(b.to_vec())
}

/// Everything observable about one address must match the oracle's equivalent.
fn check_address_pair(f: &Address, o: &o::address::Address) {
    assert_eq!(f.to_bytes(), o.to_bytes());
    assert_eq!(f.payload_bytes(), o.payload_bytes());
    assert_eq!(f.protocol() as u8, o.protocol() as u8);
    assert_eq!(f.id().ok(), o.id().ok());
    assert_eq!(f.is_bls_zero_address(), o.is_bls_zero_address());
    cross_round_trip(f, o);

    // Text: identical display, each parses the other's text.
    let fs = f.to_string();
    let os = o.to_string();
    assert_eq!(fs, os);
    assert_eq!(&fs.parse::<Address>().unwrap(), f);
    assert_eq!(&oracle_parse(&fs).unwrap(), o);
    // Testnet text: only the letter differs, and the oracle accepts it as a testnet address.
    let ts = f.to_string_with(Network::Testnet);
    assert_eq!(ts[1..], os[1..]);
    assert!(ts.starts_with('t'));
    assert_eq!(&o::address::Network::Testnet.parse_address(&ts).unwrap(), o);
    assert_eq!(&ts.parse::<Address>().unwrap(), f);
    assert_eq!(
        Address::parse_with_network(&ts).unwrap().1,
        Network::Testnet
    );
    assert_eq!(
        Network::Mainnet.parse_address(&ts).unwrap_err(),
        AddressError::UnknownNetwork
    );

    if let (fa::Payload::Delegated(fd), o::address::Payload::Delegated(od)) =
        (f.payload(), o.payload())
    {
        assert_eq!(fd.namespace(), od.namespace());
        assert_eq!(fd.subaddress(), od.subaddress());
    }
}

/// Builds the same address with both crates' constructors (`protocol` 5 or more: random).
fn build_pair(rng: &mut Rng, protocol: u8) -> (Address, o::address::Address) {
    let protocol = if protocol >= 5 {
        rng.below(5) as u8
    } else {
        protocol
    };
    match protocol {
        0 => {
            let id = rng.edgy_u64();
            (Address::new_id(id), o::address::Address::new_id(id))
        }
        1 => {
            let key = rng.bytes(fa::SECP_PUB_LEN);
            (
                Address::new_secp256k1(&key).unwrap(),
                o::address::Address::new_secp256k1(&key).unwrap(),
            )
        }
        2 => {
            let data = rng.bytes_upto(100);
            (
                Address::new_actor(&data),
                o::address::Address::new_actor(&data),
            )
        }
        3 => {
            let key = rng.bytes(fa::BLS_PUB_LEN);
            (
                Address::new_bls(&key).unwrap(),
                o::address::Address::new_bls(&key).unwrap(),
            )
        }
        _ => {
            let ns = rng.edgy_u64();
            let sub = rng.bytes_upto(fa::MAX_SUBADDRESS_LEN as u64 + 1);
            (
                Address::new_delegated(ns, &sub).unwrap(),
                o::address::Address::new_delegated(ns, &sub).unwrap(),
            )
        }
    }
}

#[test]
fn address_constants_match() {
    assert_eq!(fa::PAYLOAD_HASH_LEN, o::address::PAYLOAD_HASH_LEN);
    assert_eq!(fa::SECP_PUB_LEN, o::address::SECP_PUB_LEN);
    assert_eq!(fa::BLS_PUB_LEN, o::address::BLS_PUB_LEN);
    assert_eq!(fa::MAX_SUBADDRESS_LEN, o::address::MAX_SUBADDRESS_LEN);
    assert_eq!(fa::CHECKSUM_HASH_LEN, o::address::CHECKSUM_HASH_LEN);
    assert_eq!(fa::MAX_ADDRESS_LEN, o::address::MAX_ADDRESS_LEN);
    assert_eq!(
        fa::FIRST_NON_SINGLETON_ADDR,
        o::address::FIRST_NON_SINGLETON_ADDR
    );
    for (p, op) in [
        (Protocol::ID, o::address::Protocol::ID),
        (Protocol::Secp256k1, o::address::Protocol::Secp256k1),
        (Protocol::Actor, o::address::Protocol::Actor),
        (Protocol::BLS, o::address::Protocol::BLS),
        (Protocol::Delegated, o::address::Protocol::Delegated),
    ] {
        assert_eq!(p as u8, op as u8);
        assert_eq!(p.to_string(), op.to_string());
        assert_eq!(Protocol::from_byte(p as u8), Some(p));
    }
    assert_eq!(Protocol::from_byte(5), None);
}

#[test]
fn well_known_addresses() {
    for (a, id) in [
        (fa::SYSTEM_ACTOR_ADDR, 0u64),
        (fa::INIT_ACTOR_ADDR, 1),
        (fa::REWARD_ACTOR_ADDR, 2),
        (fa::CRON_ACTOR_ADDR, 3),
        (fa::STORAGE_POWER_ACTOR_ADDR, 4),
        (fa::STORAGE_MARKET_ACTOR_ADDR, 5),
        (fa::VERIFIED_REGISTRY_ACTOR_ADDR, 6),
        (fa::DATACAP_TOKEN_ACTOR_ADDR, 7),
        (fa::EAM_ACTOR_ADDR, 10),
        (fa::BURNT_FUNDS_ACTOR_ADDR, 99),
    ] {
        check_address_pair(&a, &o::address::Address::new_id(id));
    }
}

#[test]
fn address_edge_cases_match_oracle() {
    let mut cases: Vec<(Address, o::address::Address)> = Vec::new();
    for id in [
        0u64,
        1,
        127,
        128,
        16383,
        16384,
        1 << 56,
        (1 << 63) - 1,
        1 << 63,
        u64::MAX,
    ] {
        cases.push((Address::new_id(id), o::address::Address::new_id(id)));
    }
    for key in [[0u8; 65], [0xffu8; 65]] {
        cases.push((
            Address::new_secp256k1(&key).unwrap(),
            o::address::Address::new_secp256k1(&key).unwrap(),
        ));
    }
    for data in [&b""[..], &b"x"[..], &[0u8; 1000][..]] {
        cases.push((
            Address::new_actor(data),
            o::address::Address::new_actor(data),
        ));
    }
    let mut zero_bls = [0u8; 48];
    zero_bls[0] = 0xc0;
    for key in [[0u8; 48], [0xffu8; 48], zero_bls] {
        cases.push((
            Address::new_bls(&key).unwrap(),
            o::address::Address::new_bls(&key).unwrap(),
        ));
    }
    for ns in [0u64, 10, 127, 128, u64::MAX] {
        for len in [0usize, 1, 20, 32, 53, 54] {
            let sub: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
            cases.push((
                Address::new_delegated(ns, &sub).unwrap(),
                o::address::Address::new_delegated(ns, &sub).unwrap(),
            ));
        }
    }
    for (f, o) in &cases {
        check_address_pair(f, o);
    }
    // Only the BLS point-at-infinity key counts as the zero address.
    assert_eq!(
        cases
            .iter()
            .filter(|(f, _)| f.is_bls_zero_address())
            .count(),
        1
    );
}

#[test]
fn address_published_vectors() {
    // The reference crate's own published string vectors: both implementations must
    // produce the same bytes and re-display the same string.
    for s in [
        "f00",
        "f01",
        "f010",
        "f0150",
        "f0499",
        "f01024",
        "f01729",
        "f0999999",
        "f018446744073709551615",
        "f15ihq5ibzwki2b4ep2f46avlkrqzhpqgtga7pdrq",
        "f12fiakbhe2gwd5cnmrenekasyn6v5tnaxaqizq6a",
        "f24vg6ut43yw2h2jqydgbg2xq7x6f4kub3bg6as6i",
        "f25nml2cfbljvn4goqtclhifepvfnicv6g7mfmmvq",
        "f3vvmn62lofvhjd2ugzca6sof2j2ubwok6cj4xxbfzz4yuxfkgobpihhd2thlanmsh3w2ptld2gqkn2jvlss4a",
        "f3q22fijmmlckhl56rn5nkyamkph3mcfu5ed6dheq53c244hfmnq2i7efdma3cj5voxenwiummf2ajlsbxc65a",
    ] {
        let f: Address = s.parse().unwrap();
        let o = oracle_parse(s).unwrap();
        check_address_pair(&f, &o);
        assert_eq!(f.to_string(), s);
    }
}

#[test]
fn random_addresses_match_oracle() {
    let mut rng = Rng::new(0x5eed_0001);
    let mut pairs = Vec::new();
    for i in 0..3000 {
        let (f, o) = build_pair(&mut rng, (i % 5) as u8);
        check_address_pair(&f, &o);
        pairs.push((f, o));
    }
    // Ordering and equality agree with the oracle's.
    for w in pairs.windows(2) {
        let (a, oa) = &w[0];
        let (b, ob) = &w[1];
        assert_eq!(a.cmp(b), oa.cmp(ob));
        assert_eq!(a == b, oa == ob);
    }
    for _ in 0..3000 {
        let i = rng.below(pairs.len() as u64) as usize;
        let j = rng.below(pairs.len() as u64) as usize;
        assert_eq!(pairs[i].0.cmp(&pairs[j].0), pairs[i].1.cmp(&pairs[j].1));
    }
    // Same-protocol neighbours exercise the within-protocol ordering.
    let mut fs: Vec<_> = pairs.iter().map(|p| p.0).collect();
    let mut os: Vec<_> = pairs.iter().map(|p| p.1).collect();
    fs.sort();
    os.sort();
    let fb: Vec<_> = fs.iter().map(|a| a.to_bytes()).collect();
    let ob: Vec<_> = os.iter().map(|a| a.to_bytes()).collect();
    assert_eq!(fb, ob);
    assert_eq!(Address::new_id(5).cmp(&Address::new_id(5)), Ordering::Equal);
}

#[test]
fn constructor_errors_match_oracle() {
    for len in [0usize, 1, 47, 49, 64, 66, 100] {
        let data = vec![7u8; len];
        let (f, o) = (Address::new_bls(&data), o::address::Address::new_bls(&data));
        assert_eq!(f.is_ok(), o.is_ok(), "bls len {len}");
        if let (Err(fe), Err(oe)) = (&f, &o) {
            assert_eq!(fern_err_kind(fe), oracle_err_kind(oe));
        }
        let (f, o) = (
            Address::new_secp256k1(&data),
            o::address::Address::new_secp256k1(&data),
        );
        assert_eq!(f.is_ok(), o.is_ok(), "secp len {len}");
        if let (Err(fe), Err(oe)) = (&f, &o) {
            assert_eq!(fern_err_kind(fe), oracle_err_kind(oe));
        }
    }
    for len in [54usize, 55, 56, 200] {
        let data = vec![1u8; len];
        let f = Address::new_delegated(1, &data);
        let o = o::address::Address::new_delegated(1, &data);
        assert_eq!(f.is_ok(), o.is_ok());
        if let (Err(fe), Err(oe)) = (&f, &o) {
            assert_eq!(fern_err_kind(fe), oracle_err_kind(oe));
        }
    }
    let f = Address::new_actor(b"a");
    assert_eq!(
        fern_err_kind(&f.id().unwrap_err()),
        oracle_err_kind(&o::address::Address::new_actor(b"a").id().unwrap_err())
    );
}

#[test]
fn malformed_address_bytes_match_oracle() {
    let mut vectors: Vec<Vec<u8>> = vec![
        vec![],
        vec![0],
        vec![1],
        vec![5, 4, 4],
        vec![6, 0],
        vec![0xff, 0],
        vec![0, 0],
        vec![0, 0x7f],
        vec![0, 0x80],
        vec![0, 0x80, 0x00],
        vec![0, 0x81, 0x00],
        vec![0, 0x80, 0x01],
        vec![0, 0x01, 0x00],
        vec![0, 0x01, 0x02],
        vec![4, 0xff],
        vec![4, 0x80, 0x00],
        vec![4, 0x80],
        vec![4],
    ];
    // Ten- and eleven-byte varints, including the ones whose top bits overflow 64 bits.
    for last in [0x00u8, 0x01, 0x02, 0x7f, 0x80, 0xff] {
        for fill in [0x80u8, 0xff] {
            let mut v = vec![0u8];
            v.extend(std::iter::repeat_n(fill, 9));
            v.push(last);
            vectors.push(v.clone());
            v.push(0x01);
            vectors.push(v.clone());
            v[0] = 4; // the same as a delegated namespace, followed by a subaddress byte
            vectors.push(v);
        }
    }
    let mut eleven = vec![0u8];
    eleven.extend(std::iter::repeat_n(0xffu8, 10));
    eleven.push(0x01);
    vectors.push(eleven);
    for p in [1u8, 2, 3] {
        for len in [0usize, 1, 19, 20, 21, 47, 48, 49, 64] {
            let mut v = vec![p];
            v.extend(std::iter::repeat_n(0xabu8, len));
            vectors.push(v);
        }
    }
    for ns in [
        vec![0u8],
        vec![0x0a],
        vec![0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
    ] {
        for len in [0usize, 1, 53, 54, 55, 60] {
            let mut v = vec![4u8];
            v.extend(&ns);
            v.extend(std::iter::repeat_n(0x11u8, len));
            vectors.push(v);
        }
    }
    let mut accepted = 0;
    for v in &vectors {
        if compare_from_bytes(v) {
            accepted += 1;
        }
    }
    assert!(accepted > 0 && accepted < vectors.len());

    // A lenient varint: bits beyond 64 are dropped by both, so re-encoding is shorter.
    let mut quirky = vec![0u8];
    quirky.extend(std::iter::repeat_n(0x80u8, 9));
    quirky.push(0x02);
    let f = Address::from_bytes(&quirky).unwrap();
    let o = o::address::Address::from_bytes(&quirky).unwrap();
    assert_eq!(f.to_bytes(), o.to_bytes());
    assert_ne!(f.to_bytes(), quirky);

    // Non-byte CBOR is refused by both.
    for bad in [cbor(&5u64), cbor("f01"), cbor(&vec![0u8, 1]), cbor(&())] {
        let (f, _) = both_decode::<Address, o::address::Address>(&bad);
        assert!(f.is_none());
    }
}

#[test]
fn random_address_bytes_match_oracle() {
    let mut rng = Rng::new(0xb17e5);
    let mut accepted = 0;
    for _ in 0..20000 {
        let len = rng.below(70) as usize;
        let mut v = rng.bytes(len);
        if let Some(first) = v.first_mut() {
            *first %= 7;
            // Bias the ID protocol towards short varints and delegated towards valid lengths.
            if *first == 0 && rng.bool() {
                v.truncate(1 + rng.below(11) as usize);
            }
        }
        if compare_from_bytes(&v) {
            accepted += 1;
        }
    }
    assert!(accepted > 100);
}

#[test]
fn malformed_address_strings_match_oracle() {
    let long_id = format!("f0{}", "1".repeat(21));
    let too_long = format!("f2{}", "a".repeat(137));
    let max_len_garbage = format!("f2{}", "a".repeat(136));
    let sub54 = fa::Address::new_delegated(10, &[0x42; 54])
        .unwrap()
        .to_string();
    let sub55_body = {
        // A correctly checksummed 55-byte subaddress.
        let mut sub = vec![0x42u8; 55];
        let mut h = blake2b_simd::Params::new().hash_length(4).to_state();
        h.update(&[4, 10]);
        h.update(&sub);
        sub.extend_from_slice(h.finalize().as_bytes());
        data_encoding::BASE32_NOPAD.encode(&sub).to_lowercase()
    };
    let vectors: Vec<String> = vec![
        "".into(),
        "f".into(),
        "f0".into(),
        "f2".into(),
        "f00".into(),
        "f000".into(),
        "f001".into(),
        "f0+1".into(),
        "f0-1".into(),
        "f0 1".into(),
        "f01 ".into(),
        "f0x1".into(),
        "f018446744073709551615".into(),
        "f018446744073709551616".into(),
        "f000000000000000000001".into(),
        long_id,
        too_long,
        max_len_garbage,
        "Q2gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23y".into(),
        "F01".into(),
        "T01".into(),
        "x01".into(),
        "t01".into(),
        "f5gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23y".into(),
        "f9gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23y".into(),
        "f2gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr24y".into(),
        "f2gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23y".into(),
        "f2GFVUYH7V2SX3PATM5K23WDZMHYHTMQCTASBR23Y".into(),
        "f2gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23y=".into(),
        "f2gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23z".into(),
        "f2gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23".into(),
        "f2gfvuyh7v2sx3patm1k23wdzmhyhtmqctasbr24y".into(),
        "f2gfvuyh7v2sx3paTm1k23wdzmhyhtmqctasbr24y".into(),
        "f0banananananannnnnnnnn".into(),
        "f0banananananannnnnnnn".into(),
        "f1mzxqu".into(),
        "f1".into(),
        "f1a".into(),
        "f1aaaaaaa".into(),
        "f3aaaaaaaa".into(),
        "fömk3zcefvlgpay4f32c5vmruk5gqig6dumc7pz6q".into(),
        "🗻∈🌏ömk3zcefvlgpay4f32c5vmruk5gqig6dumc7".into(),
        "ö".into(),
        "fö1".into(),
        "f1ö".into(),
        "f4".into(),
        "f41".into(),
        "f4f".into(),
        "f410".into(),
        "f410f".into(),
        "f410faaaa".into(),
        "f4+10f".into(),
        "f4010f".into(),
        "f4-1faaaaaaa".into(),
        "f418446744073709551616faaaaaaa".into(),
        format!("f4{}faaaaaaa", "1".repeat(21)),
        sub54.clone(),
        format!("f410f{sub55_body}"),
        sub54.replacen("f410f", "f4010f", 1),
        sub54.replacen("f410f", "f4+10f", 1),
        sub54.replacen("f410f", "t410f", 1),
        sub54.replacen("f410f", "f411f", 1),
    ];
    let mut accepted = 0;
    for s in &vectors {
        if compare_parse(s) {
            accepted += 1;
        }
    }
    assert!(accepted > 3 && accepted < vectors.len());
}

#[test]
fn mutated_address_strings_match_oracle() {
    let mut rng = Rng::new(0x7e57);
    let alphabet: Vec<char> = "abcdefghijklmnopqrstuvwxyz234567018f9t+-=AZ ö"
        .chars()
        .collect();
    let mut accepted = 0;
    let mut total = 0;
    for i in 0..1500 {
        let (f, _) = build_pair(&mut rng, (i % 5) as u8);
        let base = if rng.bool() {
            f.to_string()
        } else {
            f.to_string_with(Network::Testnet)
        };
        for _ in 0..8 {
            let mut chars: Vec<char> = base.chars().collect();
            let pos = rng.below(chars.len() as u64 + 1) as usize;
            let c = alphabet[rng.below(alphabet.len() as u64) as usize];
            match rng.below(4) {
                0 if pos < chars.len() => chars[pos] = c,
                1 if pos < chars.len() => {
                    chars.remove(pos);
                }
                2 => chars.insert(pos, c),
                _ => chars.truncate(pos),
            }
            let s: String = chars.into_iter().collect();
            total += 1;
            if compare_parse(&s) {
                accepted += 1;
            }
        }
    }
    assert!(accepted > 0 && accepted < total);
}

// ---------------------------------------------------------------------------------------------
// Big integers and token amounts
// ---------------------------------------------------------------------------------------------

fn edge_bigints() -> Vec<BigInt> {
    let two = BigInt::from(2);
    let mut v = vec![BigInt::from(0)];
    for e in [
        0u32, 7, 8, 63, 64, 127, 128, 255, 256, 512, 1015, 1016, 1017, 1024, 1100,
    ] {
        let p = two.pow(e);
        for d in [-1i32, 0, 1] {
            let x = &p + d;
            v.push(x.clone());
            v.push(-x);
        }
    }
    v.push(BigInt::from(i64::MIN));
    v.push(BigInt::from(u128::MAX));
    v.push(BigInt::from_bytes_be(Sign::Plus, &[0xff; 127]));
    v.push(BigInt::from_bytes_be(Sign::Minus, &[0xff; 127]));
    v.push(BigInt::from_bytes_be(Sign::Plus, &[0xff; 128]));
    v
}

fn random_bigint(rng: &mut Rng) -> BigInt {
    let len = rng.below(135) as usize;
    let sign = if rng.bool() { Sign::Plus } else { Sign::Minus };
    BigInt::from_bytes_be(sign, &rng.bytes(len))
}

fn compare_bigint_value(x: &BigInt) {
    let f = to_vec(&bigint_ser::BigIntSer(x));
    let o = to_vec(&o::bigint::bigint_ser::BigIntSer(x));
    assert_eq!(f.is_ok(), o.is_ok(), "serialize acceptance differs for {x}");
    let ft = to_vec(&TokenAmount::from_atto(x.clone()));
    let ot = to_vec(&o::econ::TokenAmount::from_atto(x.clone()));
    assert_eq!(ft.is_ok(), ot.is_ok());
    if let (Ok(f), Ok(o)) = (&f, &o) {
        assert_eq!(f, o);
        assert_eq!(ft.as_ref().unwrap(), o);
        assert_eq!(ot.as_ref().unwrap(), o);
        let back: bigint_ser::BigIntDe = from_slice(o).unwrap();
        assert_eq!(&back.0, x);
        let back: TokenAmount = from_slice(o).unwrap();
        assert_eq!(back.atto(), x);
        let oback: o::econ::TokenAmount = from_slice(f).unwrap();
        assert_eq!(oback.atto(), x);
    }
    // Unsigned form for non-negative values.
    if let Some(u) = x.to_biguint() {
        let f = to_vec(&biguint_ser::BigUintSer(&u));
        let o = to_vec(&o::bigint::biguint_ser::BigUintSer(&u));
        assert_eq!(f.is_ok(), o.is_ok());
        if let (Ok(f), Ok(o)) = (f, o) {
            assert_eq!(f, o);
            let back: biguint_ser::BigUintDe = from_slice(&o).unwrap();
            assert_eq!(back.0, u);
        }
    }
}

#[test]
fn bigint_encodings_match_oracle() {
    for x in edge_bigints() {
        compare_bigint_value(&x);
    }
    let mut rng = Rng::new(0xb16);
    for _ in 0..3000 {
        compare_bigint_value(&random_bigint(&mut rng));
    }
    // The size limit is exercised on both sides of it.
    assert!(to_vec(&bigint_ser::BigIntSer(&BigInt::from_bytes_be(
        Sign::Plus,
        &[1; 127]
    )))
    .is_ok());
    assert!(to_vec(&bigint_ser::BigIntSer(&BigInt::from_bytes_be(
        Sign::Plus,
        &[1; 128]
    )))
    .is_err());
}

fn compare_bigint_bytes(raw: &[u8]) {
    let wrapped = cbor(&serde_bytes_wrapper(raw));
    let (f, o) = both_decode::<bigint_ser::BigIntDe, o::bigint::bigint_ser::BigIntDe>(&wrapped);
    if let (Some(f), Some(o)) = (f, o) {
        assert_eq!(f.0, o.0);
    }
    let (f, o) = both_decode::<TokenAmount, o::econ::TokenAmount>(&wrapped);
    if let (Some(f), Some(o)) = (f, o) {
        assert_eq!(f.atto(), o.atto());
    }
    let (f, o) = both_decode::<biguint_ser::BigUintDe, o::bigint::biguint_ser::BigUintDe>(&wrapped);
    if let (Some(f), Some(o)) = (f, o) {
        assert_eq!(f.0, o.0);
    }
}

#[test]
fn malformed_bigint_bytes_match_oracle() {
    let mut vectors: Vec<Vec<u8>> = vec![
        vec![],
        vec![0],
        vec![1],
        vec![2],
        vec![0xff, 1],
        vec![2, 1],
        vec![0, 0],
        vec![0, 0, 5],
        vec![1, 0],
        vec![1, 0, 0, 7],
    ];
    for sign in [0u8, 1, 2, 0x80] {
        for len in [126usize, 127, 128, 129, 200] {
            let mut v = vec![sign];
            v.extend(std::iter::repeat_n(0x5au8, len));
            vectors.push(v);
        }
    }
    for v in &vectors {
        compare_bigint_bytes(v);
    }
    let mut rng = Rng::new(0xbad);
    for _ in 0..3000 {
        let len = rng.below(140) as usize;
        let mut v = rng.bytes(len);
        if let Some(s) = v.first_mut() {
            *s %= 3;
        }
        compare_bigint_bytes(&v);
    }
    // Non-byte CBOR items are rejected by both.
    for bad in [
        cbor(&5u64),
        cbor(&-5i64),
        cbor("00"),
        cbor(&vec![0u8, 5]),
        cbor(&()),
    ] {
        let (f, _) = both_decode::<TokenAmount, o::econ::TokenAmount>(&bad);
        assert!(f.is_none());
        let (f, _) = both_decode::<bigint_ser::BigIntDe, o::bigint::bigint_ser::BigIntDe>(&bad);
        assert!(f.is_none());
    }
}

fn compare_display(f: &TokenAmount, o: &o::econ::TokenAmount) {
    assert_eq!(format!("{f}"), format!("{o}"));
    assert_eq!(format!("{f:?}"), format!("{o:?}"));
    assert_eq!(format!("{f:.0}"), format!("{o:.0}"));
    assert_eq!(format!("{f:.3}"), format!("{o:.3}"));
    assert_eq!(format!("{f:.25}"), format!("{o:.25}"));
    assert_eq!(format!("{f:+}"), format!("{o:+}"));
    assert_eq!(format!("{f:030.5}"), format!("{o:030.5}"));
    assert_eq!(format!("{f:>45}"), format!("{o:>45}"));
    assert_eq!(format!("{f:*<45}"), format!("{o:*<45}"));
    assert_eq!(format!("{f:^45.2}"), format!("{o:^45.2}"));
}

#[test]
fn token_amount_display_matches_oracle() {
    let mut values = edge_bigints();
    for e in 0..40u32 {
        let p = BigInt::from(10).pow(e);
        values.push(p.clone());
        values.push(-p.clone());
        values.push(&p * 7 + 3);
        values.push(&p * 123_456_789);
    }
    let mut rng = Rng::new(0xd15);
    for _ in 0..2000 {
        values.push(random_bigint(&mut rng) >> (rng.below(1000) as usize));
    }
    for x in values {
        compare_display(
            &TokenAmount::from_atto(x.clone()),
            &o::econ::TokenAmount::from_atto(x),
        );
    }
}

#[test]
fn token_amount_arithmetic_matches_oracle() {
    let mut rng = Rng::new(0xa417);
    let small = |rng: &mut Rng| -> i64 { (rng.next() as i64) >> rng.below(63) };
    for _ in 0..2000 {
        let a = random_bigint(&mut rng) >> 400usize;
        let b = random_bigint(&mut rng) >> 400usize;
        let (fa_, fb) = (
            TokenAmount::from_atto(a.clone()),
            TokenAmount::from_atto(b.clone()),
        );
        let (oa, ob) = (
            o::econ::TokenAmount::from_atto(a.clone()),
            o::econ::TokenAmount::from_atto(b.clone()),
        );
        assert_eq!((&fa_ + &fb).atto(), (&oa + &ob).atto());
        assert_eq!((&fa_ - &fb).atto(), (&oa - &ob).atto());
        assert_eq!((-&fa_).atto(), (-&oa).atto());
        assert_eq!(fa_.cmp(&fb), oa.cmp(&ob));
        assert_eq!(
            (fa_.is_zero(), fa_.is_positive(), fa_.is_negative()),
            (oa.is_zero(), oa.is_positive(), oa.is_negative())
        );
        let k = small(&mut rng);
        assert_eq!((&fa_ * k).atto(), (&oa * k).atto());
        assert_eq!((k * fa_.clone()).atto(), (k * oa.clone()).atto());
        let mut fs = fa_.clone();
        let mut os = oa.clone();
        fs += &fb;
        os += &ob;
        fs -= fb.clone();
        os -= ob.clone();
        fs *= 3u32;
        os *= 3u32;
        assert_eq!(fs.atto(), os.atto());
        let d = small(&mut rng);
        if d != 0 {
            let (fq, fr) = fa_.div_rem(d);
            let (oq, or) = oa.div_rem(d);
            assert_eq!((fq.atto(), fr.atto()), (oq.atto(), or.atto()));
            assert_eq!(fa_.div_floor(d).atto(), oa.div_floor(d).atto());
            assert_eq!(fa_.div_ceil(d).atto(), oa.div_ceil(d).atto());
        }
        let n = small(&mut rng);
        assert_eq!(
            TokenAmount::from_nano(n).atto(),
            o::econ::TokenAmount::from_nano(n).atto()
        );
        assert_eq!(
            TokenAmount::from_whole(n).atto(),
            o::econ::TokenAmount::from_whole(n).atto()
        );
    }
    assert_eq!(TokenAmount::DECIMALS, o::econ::TokenAmount::DECIMALS);
    assert_eq!(TokenAmount::PRECISION, o::econ::TokenAmount::PRECISION);
    let fsum: TokenAmount = (1..50).map(TokenAmount::from_atto).sum();
    let osum: o::econ::TokenAmount = (1..50).map(o::econ::TokenAmount::from_atto).sum();
    assert_eq!(fsum.atto(), osum.atto());
}

// ---------------------------------------------------------------------------------------------
// Exit codes, error numbers, versions
// ---------------------------------------------------------------------------------------------

#[test]
fn exit_codes_match_oracle() {
    use o::error::ExitCode as OE;
    let pairs = [
        (ExitCode::OK, OE::OK),
        (ExitCode::SYS_SENDER_INVALID, OE::SYS_SENDER_INVALID),
        (
            ExitCode::SYS_SENDER_STATE_INVALID,
            OE::SYS_SENDER_STATE_INVALID,
        ),
        (
            ExitCode::SYS_ILLEGAL_INSTRUCTION,
            OE::SYS_ILLEGAL_INSTRUCTION,
        ),
        (ExitCode::SYS_INVALID_RECEIVER, OE::SYS_INVALID_RECEIVER),
        (ExitCode::SYS_INSUFFICIENT_FUNDS, OE::SYS_INSUFFICIENT_FUNDS),
        (ExitCode::SYS_OUT_OF_GAS, OE::SYS_OUT_OF_GAS),
        (ExitCode::SYS_ILLEGAL_EXIT_CODE, OE::SYS_ILLEGAL_EXIT_CODE),
        (ExitCode::SYS_ASSERTION_FAILED, OE::SYS_ASSERTION_FAILED),
        (ExitCode::SYS_MISSING_RETURN, OE::SYS_MISSING_RETURN),
        (ExitCode::USR_ILLEGAL_ARGUMENT, OE::USR_ILLEGAL_ARGUMENT),
        (ExitCode::USR_NOT_FOUND, OE::USR_NOT_FOUND),
        (ExitCode::USR_FORBIDDEN, OE::USR_FORBIDDEN),
        (ExitCode::USR_INSUFFICIENT_FUNDS, OE::USR_INSUFFICIENT_FUNDS),
        (ExitCode::USR_ILLEGAL_STATE, OE::USR_ILLEGAL_STATE),
        (ExitCode::USR_SERIALIZATION, OE::USR_SERIALIZATION),
        (ExitCode::USR_UNHANDLED_MESSAGE, OE::USR_UNHANDLED_MESSAGE),
        (ExitCode::USR_UNSPECIFIED, OE::USR_UNSPECIFIED),
        (ExitCode::USR_ASSERTION_FAILED, OE::USR_ASSERTION_FAILED),
        (ExitCode::USR_READ_ONLY, OE::USR_READ_ONLY),
        (ExitCode::USR_NOT_PAYABLE, OE::USR_NOT_PAYABLE),
    ];
    for (f, o) in pairs {
        assert_eq!(f.value(), o.value());
    }
    assert_eq!(ExitCode::FIRST_USER_EXIT_CODE, OE::FIRST_USER_EXIT_CODE);
    let mut rng = Rng::new(0xec);
    let mut values: Vec<u32> = (0..64).collect();
    values.extend([u32::MAX, u32::MAX - 1, 1 << 16, 1 << 31]);
    values.extend((0..500).map(|_| rng.next() as u32 >> rng.below(32)));
    for v in values {
        let (f, o) = (ExitCode::new(v), OE::new(v));
        cross_round_trip(&f, &o);
        assert_eq!(f.is_success(), o.is_success());
        assert_eq!(f.is_system_error(), o.is_system_error());
        assert_eq!(f.to_string(), o.to_string());
        assert_eq!(ExitCode::from(v), f);
    }
    // Not an unsigned integer: rejected by both.
    for bad in [
        cbor(&-1i64),
        cbor(&(u32::MAX as u64 + 1)),
        cbor("0"),
        cbor(&[0u8; 0]),
    ] {
        both_decode::<ExitCode, OE>(&bad);
    }
}

#[test]
fn error_numbers_match_oracle() {
    use num_traits::FromPrimitive;
    for v in 0..=40u32 {
        let f = ErrorNumber::try_from(v).ok();
        let o = o::error::ErrorNumber::from_u32(v);
        assert_eq!(f.map(|e| e as u32), o.map(|e| e as u32), "error number {v}");
        // Names agree too (the Debug form is the variant name).
        assert_eq!(f.map(|e| format!("{e:?}")), o.map(|e| format!("{e:?}")));
        if let Some(e) = f {
            assert!(!e.to_string().is_empty());
        }
    }
    assert!(ErrorNumber::try_from(u32::MAX).is_err());
}

#[test]
fn network_versions_match_oracle() {
    use o::version::NetworkVersion as ONV;
    let pairs = [
        (NetworkVersion::V0, ONV::V0),
        (NetworkVersion::V1, ONV::V1),
        (NetworkVersion::V2, ONV::V2),
        (NetworkVersion::V3, ONV::V3),
        (NetworkVersion::V4, ONV::V4),
        (NetworkVersion::V5, ONV::V5),
        (NetworkVersion::V6, ONV::V6),
        (NetworkVersion::V7, ONV::V7),
        (NetworkVersion::V8, ONV::V8),
        (NetworkVersion::V9, ONV::V9),
        (NetworkVersion::V10, ONV::V10),
        (NetworkVersion::V11, ONV::V11),
        (NetworkVersion::V12, ONV::V12),
        (NetworkVersion::V13, ONV::V13),
        (NetworkVersion::V14, ONV::V14),
        (NetworkVersion::V15, ONV::V15),
        (NetworkVersion::V16, ONV::V16),
        (NetworkVersion::V17, ONV::V17),
        (NetworkVersion::V18, ONV::V18),
        (NetworkVersion::V19, ONV::V19),
        (NetworkVersion::V20, ONV::V20),
        (NetworkVersion::V21, ONV::V21),
        (NetworkVersion::V22, ONV::V22),
        (NetworkVersion::V23, ONV::V23),
        (NetworkVersion::V24, ONV::V24),
        (NetworkVersion::V25, ONV::V25),
        (NetworkVersion::V26, ONV::V26),
        (NetworkVersion::V27, ONV::V27),
        (NetworkVersion::V28, ONV::V28),
        (NetworkVersion::V29, ONV::V29),
        (NetworkVersion::V30, ONV::V30),
        (NetworkVersion::MAX, ONV::MAX),
    ];
    for (f, o) in pairs {
        cross_round_trip(&f, &o);
        assert_eq!(f.to_string(), o.to_string());
        assert_eq!(u32::from(f), u32::from(o));
    }
    for w in pairs.windows(2) {
        assert_eq!(w[0].0.cmp(&w[1].0), w[0].1.cmp(&w[1].1));
    }
}

// ---------------------------------------------------------------------------------------------
// Messages, receipts, state
// ---------------------------------------------------------------------------------------------

fn random_amount_bigint(rng: &mut Rng) -> BigInt {
    match rng.below(4) {
        0 => BigInt::from(0),
        1 => BigInt::from(rng.next()),
        2 => -BigInt::from(rng.next()),
        _ => random_bigint(rng) >> 64usize,
    }
}

fn message_pair(rng: &mut Rng) -> (Message, o::message::Message) {
    let (to, oto) = build_pair(rng, 5);
    let (from, ofrom) = build_pair(rng, 5);
    let value = random_amount_bigint(rng);
    let fee_cap = random_amount_bigint(rng);
    let premium = random_amount_bigint(rng);
    let params = RawBytes::new(rng.bytes_upto(300));
    let version = rng.edgy_u64();
    let sequence = rng.edgy_u64();
    let method_num = rng.edgy_u64();
    let gas_limit = rng.edgy_u64();
    (
        Message {
            version,
            from,
            to,
            sequence,
            value: TokenAmount::from_atto(value.clone()),
            method_num,
            params: params.clone(),
            gas_limit,
            gas_fee_cap: TokenAmount::from_atto(fee_cap.clone()),
            gas_premium: TokenAmount::from_atto(premium.clone()),
        },
        o::message::Message {
            version,
            from: ofrom,
            to: oto,
            sequence,
            value: o::econ::TokenAmount::from_atto(value),
            method_num,
            params,
            gas_limit,
            gas_fee_cap: o::econ::TokenAmount::from_atto(fee_cap),
            gas_premium: o::econ::TokenAmount::from_atto(premium),
        },
    )
}

#[test]
fn messages_match_oracle() {
    let mut rng = Rng::new(0x3e55);
    for _ in 0..1500 {
        let (f, o) = message_pair(&mut rng);
        let bytes = same_bytes(&f, &o);
        let f2: Message = from_slice(&bytes).unwrap();
        let o2: o::message::Message = from_slice(&bytes).unwrap();
        assert_eq!(f2, f);
        assert_eq!(o2, o);
        assert_eq!(f.check().is_ok(), o.check().is_ok());
    }
    // Gas-limit checks agree at the boundaries.
    let (mut f, mut o) = message_pair(&mut rng);
    for g in [
        0u64,
        1,
        i64::MAX as u64 - 1,
        i64::MAX as u64,
        i64::MAX as u64 + 1,
        u64::MAX,
    ] {
        f.gas_limit = g;
        o.gas_limit = g;
        assert_eq!(f.check().is_ok(), o.check().is_ok(), "gas limit {g}");
    }
}

#[test]
fn malformed_messages_match_oracle() {
    let mut rng = Rng::new(0x3e56);
    let (_, o) = message_pair(&mut rng);
    let good = cbor(&o);
    // Truncations and single-byte corruptions of a valid message.
    for cut in 0..good.len() {
        both_decode::<Message, o::message::Message>(&good[..cut]);
    }
    for _ in 0..3000 {
        let mut bad = good.clone();
        let i = rng.below(bad.len() as u64) as usize;
        bad[i] = rng.next() as u8;
        let (f, o) = both_decode::<Message, o::message::Message>(&bad);
        if let (Some(f), Some(o)) = (f, o) {
            assert_eq!(cbor(&f), cbor(&o));
        }
    }
    // Wrong arity: nine and eleven elements.
    let nine = cbor(&(
        0u64,
        o.to,
        o.from,
        0u64,
        o.value.clone(),
        1u64,
        o.gas_fee_cap.clone(),
        o.gas_premium.clone(),
        0u64,
    ));
    let (f, _) = both_decode::<Message, o::message::Message>(&nine);
    assert!(f.is_none());
    let eleven = cbor(&(
        0u64,
        o.to,
        o.from,
        0u64,
        o.value.clone(),
        1u64,
        o.gas_fee_cap.clone(),
        o.gas_premium.clone(),
        0u64,
        RawBytes::default(),
        0u64,
    ));
    let (f, _) = both_decode::<Message, o::message::Message>(&eleven);
    assert!(f.is_none());
}

#[test]
fn receipts_match_oracle() {
    let mut rng = Rng::new(0x4ec);
    for i in 0..1000 {
        let code = rng.next() as u32 >> rng.below(32);
        let ret = RawBytes::new(rng.bytes_upto(200));
        let gas = rng.edgy_u64();
        let root = if i % 2 == 0 {
            Some(test_cid(&mut rng))
        } else {
            None
        };
        let f = Receipt {
            exit_code: ExitCode::new(code),
            return_data: ret.clone(),
            gas_used: gas,
            events_root: root,
        };
        let o = o::receipt::Receipt {
            exit_code: o::error::ExitCode::new(code),
            return_data: ret,
            gas_used: gas,
            events_root: root,
        };
        cross_round_trip(&f, &o);
    }
    // Three-element receipt (no events root slot) is rejected by both.
    let short = cbor(&(0u32, RawBytes::default(), 5u64));
    let (f, _) = both_decode::<Receipt, o::receipt::Receipt>(&short);
    assert!(f.is_none());
}

#[test]
fn actor_states_match_oracle() {
    let mut rng = Rng::new(0xac7);
    for i in 0..1500 {
        let code = test_cid(&mut rng);
        let state = test_cid(&mut rng);
        let seq = rng.edgy_u64();
        let bal = random_amount_bigint(&mut rng);
        let (da, oda) = if i % 2 == 0 {
            let (f, o) = build_pair(&mut rng, 5);
            (Some(f), Some(o))
        } else {
            (None, None)
        };
        let f = ActorState::new(code, state, TokenAmount::from_atto(bal.clone()), seq, da);
        let o =
            o::state::ActorState::new(code, state, o::econ::TokenAmount::from_atto(bal), seq, oda);
        let bytes = same_bytes(&f, &o);
        let f2: ActorState = from_slice(&bytes).unwrap();
        let o2: o::state::ActorState = from_slice(&bytes).unwrap();
        assert_eq!(f2, f);
        assert_eq!(o2, o);
    }
    // Empty actors agree, including the empty-array state CID.
    let code = test_cid(&mut rng);
    let addr = Address::new_delegated(10, &[0xee; 20]).unwrap();
    let f = ActorState::new_empty(code, Some(addr));
    let o = o::state::ActorState::new_empty(code, Some(to_oracle_addr(&addr)));
    same_bytes(&f, &o);
    assert_eq!(fern_shared::consts::empty_arr_cid(), o::EMPTY_ARR_CID);
    assert_eq!(*fern_shared::consts::EMPTY_ARR_CID, o::EMPTY_ARR_CID);
}

#[test]
fn state_roots_match_oracle() {
    use o::state::StateTreeVersion as OV;
    let mut rng = Rng::new(0x5007);
    for (f, ov) in [
        (StateTreeVersion::V0, OV::V0),
        (StateTreeVersion::V1, OV::V1),
        (StateTreeVersion::V2, OV::V2),
        (StateTreeVersion::V3, OV::V3),
        (StateTreeVersion::V4, OV::V4),
        (StateTreeVersion::V5, OV::V5),
    ] {
        let actors = test_cid(&mut rng);
        let info = test_cid(&mut rng);
        let fr = StateRoot {
            version: f,
            actors,
            info,
        };
        let or = o::state::StateRoot {
            version: ov,
            actors,
            info,
        };
        let bytes = same_bytes(&fr, &or);
        let back: StateRoot = from_slice(&bytes).unwrap();
        assert_eq!(back, fr);
        let oback: o::state::StateRoot = from_slice(&bytes).unwrap();
        assert_eq!(oback.version, ov);
        same_bytes(&f, &ov);
    }
    for v in [6u64, 7, 255, u64::MAX] {
        let bytes = cbor(&v);
        let (f, _) = both_decode::<StateTreeVersion, OV>(&bytes);
        assert!(f.is_none());
    }
    let info = same_bytes(&StateInfo0::default(), &o::state::StateInfo0::default());
    both_decode::<StateInfo0, o::state::StateInfo0>(&info);
    both_decode::<StateInfo0, o::state::StateInfo0>(&cbor(&[0u8]));
}
