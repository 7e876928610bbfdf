//! Filecoin addresses.
//!
//! An address names an actor. Its binary form is one protocol byte followed by a
//! protocol-specific payload; its text form is a network letter (`f` or `t`), the protocol digit,
//! and either a decimal number (ID addresses) or lowercase unpadded base32 of the payload plus a
//! four-byte blake2b checksum.
//!
//! | protocol | payload bytes | text body |
//! |---|---|---|
//! | 0 ID | LEB128 varint actor id | decimal id |
//! | 1 secp256k1 | blake2b-160 of the 65-byte public key | base32(hash ‖ checksum) |
//! | 2 actor | blake2b-160 of arbitrary data | base32(hash ‖ checksum) |
//! | 3 BLS | the 48-byte public key | base32(key ‖ checksum) |
//! | 4 delegated | varint namespace ‖ subaddress (≤ 54 bytes) | `{namespace}f` base32(sub ‖ checksum) |
//!
//! The checksum is blake2b with a four-byte output over the protocol byte followed by the binary
//! payload (for delegated addresses: varint namespace, then subaddress).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use data_encoding::{DecodeError, Encoding, Specification};
use fvm_ipld_encoding::strict_bytes;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::ActorID;

/// Length of the blake2b hash carried by secp256k1 and actor addresses.
pub const PAYLOAD_HASH_LEN: usize = 20;
/// Length of an uncompressed secp256k1 public key.
pub const SECP_PUB_LEN: usize = 65;
/// Length of a compressed BLS12-381 G1 public key.
pub const BLS_PUB_LEN: usize = 48;
/// Longest subaddress a delegated (`f4`) address may carry.
pub const MAX_SUBADDRESS_LEN: usize = 54;
/// Length of the checksum appended to the payload in the text form.
pub const CHECKSUM_HASH_LEN: usize = 4;
/// Longest binary address: protocol byte, 10-byte namespace varint, 54-byte subaddress.
pub const MAX_ADDRESS_LEN: usize = 65;
/// Longest text address accepted by the parser (in bytes).
pub const MAX_ADDRESS_TEXT_LEN: usize = 138;
/// Longest decimal number accepted for an id or a delegated namespace in text form.
const MAX_DECIMAL_U64_LEN: usize = 20;
/// Most bytes a LEB128 varint holding a `u64` may use.
const MAX_VARINT_U64_LEN: usize = 10;

/// Id of the system actor.
pub const SYSTEM_ACTOR_ID: ActorID = 0;
/// Id of the init actor.
pub const INIT_ACTOR_ID: ActorID = 1;
/// Id of the reward actor.
pub const REWARD_ACTOR_ID: ActorID = 2;
/// Id of the cron actor.
pub const CRON_ACTOR_ID: ActorID = 3;
/// Id of the storage power actor.
pub const STORAGE_POWER_ACTOR_ID: ActorID = 4;
/// Id of the storage market actor.
pub const STORAGE_MARKET_ACTOR_ID: ActorID = 5;
/// Id of the verified registry actor.
pub const VERIFIED_REGISTRY_ACTOR_ID: ActorID = 6;
/// Id of the datacap token actor.
pub const DATACAP_TOKEN_ACTOR_ID: ActorID = 7;
/// Id of the Ethereum address manager actor (also the namespace of `f410` addresses).
pub const EAM_ACTOR_ID: ActorID = 10;
/// Id of the account that receives burnt funds.
pub const BURNT_FUNDS_ACTOR_ID: ActorID = 99;
/// The smallest id handed out to actors created after genesis singletons.
pub const FIRST_NON_SINGLETON_ADDR: ActorID = 100;

/// Address of the system actor (`f00`).
pub const SYSTEM_ACTOR_ADDR: Address = Address::new_id(SYSTEM_ACTOR_ID);
/// Address of the init actor (`f01`).
pub const INIT_ACTOR_ADDR: Address = Address::new_id(INIT_ACTOR_ID);
/// Address of the reward actor (`f02`).
pub const REWARD_ACTOR_ADDR: Address = Address::new_id(REWARD_ACTOR_ID);
/// Address of the cron actor (`f03`).
pub const CRON_ACTOR_ADDR: Address = Address::new_id(CRON_ACTOR_ID);
/// Address of the storage power actor (`f04`).
pub const STORAGE_POWER_ACTOR_ADDR: Address = Address::new_id(STORAGE_POWER_ACTOR_ID);
/// Address of the storage market actor (`f05`).
pub const STORAGE_MARKET_ACTOR_ADDR: Address = Address::new_id(STORAGE_MARKET_ACTOR_ID);
/// Address of the verified registry actor (`f06`).
pub const VERIFIED_REGISTRY_ACTOR_ADDR: Address = Address::new_id(VERIFIED_REGISTRY_ACTOR_ID);
/// Address of the datacap token actor (`f07`).
pub const DATACAP_TOKEN_ACTOR_ADDR: Address = Address::new_id(DATACAP_TOKEN_ACTOR_ID);
/// Address of the Ethereum address manager actor (`f010`).
pub const EAM_ACTOR_ADDR: Address = Address::new_id(EAM_ACTOR_ID);
/// Address of the burnt funds account (`f099`).
pub const BURNT_FUNDS_ACTOR_ADDR: Address = Address::new_id(BURNT_FUNDS_ACTOR_ID);

/// Why an address could not be built or parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// The text form does not start with a known network letter.
    #[error("unknown address network")]
    UnknownNetwork,
    /// The protocol byte or digit is not 0 through 4.
    #[error("unknown address protocol")]
    UnknownProtocol,
    /// The payload is malformed (bad varint, bad decimal, wrong hash length in text, ...).
    #[error("invalid address payload")]
    InvalidPayload,
    /// The whole address (binary or text) is too short or too long.
    #[error("invalid address length")]
    InvalidLength,
    /// The binary payload has the wrong length for its protocol.
    #[error("invalid address payload length {0}")]
    InvalidPayloadLength(usize),
    /// A BLS public key of the wrong length was supplied.
    #[error("BLS public key must be {BLS_PUB_LEN} bytes, got {0}")]
    InvalidBlsLength(usize),
    /// A secp256k1 public key of the wrong length was supplied.
    #[error("secp256k1 public key must be {SECP_PUB_LEN} bytes, got {0}")]
    InvalidSecpLength(usize),
    /// The checksum in the text form does not match the payload.
    #[error("address checksum mismatch")]
    InvalidChecksum,
    /// The base32 part of the text form is not valid lowercase unpadded base32.
    #[error("address base32 decoding failed: {0}")]
    Base32Decoding(DecodeError),
    /// An id was requested from an address that is not an ID address.
    #[error("not an ID address")]
    NonIdAddress,
    /// A delegated address was requested from an address of another protocol.
    #[error("not a delegated address")]
    NonDelegatedAddress,
}

/// The address protocols, numbered as in the protocol byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Protocol {
    /// `f0`: an actor id.
    ID = 0,
    /// `f1`: hash of a secp256k1 public key.
    Secp256k1 = 1,
    /// `f2`: hash identifying an actor created by another actor.
    Actor = 2,
    /// `f3`: a BLS public key.
    BLS = 3,
    /// `f4`: a namespace actor id plus a subaddress that actor manages.
    Delegated = 4,
}

impl Protocol {
    /// The protocol for a protocol byte, if it is one of the five known values.
    pub fn from_byte(b: u8) -> Option<Protocol> {
        Some(match b {
            0 => Protocol::ID,
            1 => Protocol::Secp256k1,
            2 => Protocol::Actor,
            3 => Protocol::BLS,
            4 => Protocol::Delegated,
            _ => return None,
        })
    }

    /// The protocol byte.
    pub fn as_byte(self) -> u8 {
        self as u8
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", *self as u8)
    }
}

/// The network letter used in the text form of an address.
///
/// The network never appears in the binary form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Network {
    /// Mainnet, letter `f`.
    #[default]
    Mainnet,
    /// Any test network, letter `t`.
    Testnet,
}

impl Network {
    /// The letter that starts addresses on this network.
    pub fn prefix(self) -> char {
        match self {
            Network::Mainnet => 'f',
            Network::Testnet => 't',
        }
    }

    fn from_prefix(s: &str) -> Result<Self, AddressError> {
        match s {
            "f" => Ok(Network::Mainnet),
            "t" => Ok(Network::Testnet),
            _ => Err(AddressError::UnknownNetwork),
        }
    }

    /// Parses `s`, requiring it to carry this network's letter.
    pub fn parse_address(self, s: &str) -> Result<Address, AddressError> {
        let (addr, net) = Address::parse_with_network(s)?;
        if net != self {
            return Err(AddressError::UnknownNetwork);
        }
        Ok(addr)
    }
}

/// The subaddress part of a delegated (`f4`) address, with the namespace actor's id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DelegatedAddress {
    // Field order fixes the derived ordering: namespace, then length, then bytes.
    namespace: ActorID,
    len: usize,
    bytes: [u8; MAX_SUBADDRESS_LEN],
}

impl DelegatedAddress {
    /// Builds a delegated payload; fails if `subaddress` is longer than [`MAX_SUBADDRESS_LEN`].
    pub fn new(namespace: ActorID, subaddress: &[u8]) -> Result<Self, AddressError> {
        let len = subaddress.len();
        if len > MAX_SUBADDRESS_LEN {
            return Err(AddressError::InvalidPayloadLength(len));
        }
        let mut bytes = [0u8; MAX_SUBADDRESS_LEN];
        bytes[..len].copy_from_slice(subaddress);
        Ok(Self {
            namespace,
            len,
            bytes,
        })
    }

    /// The id of the actor that manages this address space.
    pub fn namespace(&self) -> ActorID {
        self.namespace
    }

    /// The subaddress bytes.
    pub fn subaddress(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl fmt::Debug for DelegatedAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DelegatedAddress")
            .field("namespace", &self.namespace)
            .field("subaddress", &self.subaddress())
            .finish()
    }
}

/// The decoded payload of an address, one variant per protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Payload {
    /// An actor id.
    ID(ActorID),
    /// blake2b-160 of an uncompressed secp256k1 public key.
    Secp256k1([u8; PAYLOAD_HASH_LEN]),
    /// blake2b-160 of actor-creation data.
    Actor([u8; PAYLOAD_HASH_LEN]),
    /// A BLS public key.
    BLS([u8; BLS_PUB_LEN]),
    /// A namespace and subaddress.
    Delegated(DelegatedAddress),
}

impl Payload {
    /// The protocol this payload belongs to.
    pub fn protocol(&self) -> Protocol {
        match self {
            Payload::ID(_) => Protocol::ID,
            Payload::Secp256k1(_) => Protocol::Secp256k1,
            Payload::Actor(_) => Protocol::Actor,
            Payload::BLS(_) => Protocol::BLS,
            Payload::Delegated(_) => Protocol::Delegated,
        }
    }

    /// Appends the binary payload (without the protocol byte) to `out`.
    fn write_raw(&self, out: &mut Vec<u8>) {
        match self {
            Payload::ID(id) => write_varint_u64(*id, out),
            Payload::Secp256k1(h) | Payload::Actor(h) => out.extend_from_slice(h),
            Payload::BLS(k) => out.extend_from_slice(k),
            Payload::Delegated(d) => {
                write_varint_u64(d.namespace, out);
                out.extend_from_slice(d.subaddress());
            }
        }
    }

    /// The binary payload without the protocol byte.
    pub fn to_raw_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MAX_ADDRESS_LEN);
        self.write_raw(&mut out);
        out
    }

    /// The binary payload preceded by the protocol byte (the full binary address).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MAX_ADDRESS_LEN);
        out.push(self.protocol() as u8);
        self.write_raw(&mut out);
        out
    }

    /// Decodes a binary payload for the given protocol, applying the length rules.
    pub fn new(protocol: Protocol, raw: &[u8]) -> Result<Self, AddressError> {
        fn fixed<const N: usize>(raw: &[u8]) -> Result<[u8; N], AddressError> {
            raw.try_into()
                .map_err(|_| AddressError::InvalidPayloadLength(raw.len()))
        }
        Ok(match protocol {
            Protocol::ID => {
                let (id, rest) = read_varint_u64(raw)?;
                if !rest.is_empty() {
                    return Err(AddressError::InvalidPayload);
                }
                Payload::ID(id)
            }
            Protocol::Secp256k1 => Payload::Secp256k1(fixed(raw)?),
            Protocol::Actor => Payload::Actor(fixed(raw)?),
            Protocol::BLS => Payload::BLS(fixed(raw)?),
            Protocol::Delegated => {
                let (ns, sub) = read_varint_u64(raw)?;
                Payload::Delegated(DelegatedAddress::new(ns, sub)?)
            }
        })
    }
}

impl From<Payload> for Protocol {
    fn from(p: Payload) -> Self {
        p.protocol()
    }
}

impl From<&Payload> for Protocol {
    fn from(p: &Payload) -> Self {
        p.protocol()
    }
}

impl TryFrom<&Payload> for DelegatedAddress {
    type Error = AddressError;
    fn try_from(p: &Payload) -> Result<Self, AddressError> {
        match p {
            Payload::Delegated(d) => Ok(*d),
            _ => Err(AddressError::NonDelegatedAddress),
        }
    }
}

/// A Filecoin address.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    payload: Payload,
}

impl Address {
    /// An ID address for `id`.
    pub const fn new_id(id: ActorID) -> Self {
        Address {
            payload: Payload::ID(id),
        }
    }

    /// A secp256k1 address from a 65-byte uncompressed public key.
    pub fn new_secp256k1(pubkey: &[u8]) -> Result<Self, AddressError> {
        if pubkey.len() != SECP_PUB_LEN {
            return Err(AddressError::InvalidSecpLength(pubkey.len()));
        }
        Ok(Address {
            payload: Payload::Secp256k1(hash160(pubkey)),
        })
    }

    /// An actor address: the blake2b-160 hash of `data`.
    pub fn new_actor(data: &[u8]) -> Self {
        Address {
            payload: Payload::Actor(hash160(data)),
        }
    }

    /// A BLS address from a 48-byte public key.
    pub fn new_bls(pubkey: &[u8]) -> Result<Self, AddressError> {
        let key: [u8; BLS_PUB_LEN] = pubkey
            .try_into()
            .map_err(|_| AddressError::InvalidBlsLength(pubkey.len()))?;
        Ok(Address {
            payload: Payload::BLS(key),
        })
    }

    /// A delegated address in the namespace of actor `namespace`.
    pub fn new_delegated(namespace: ActorID, subaddress: &[u8]) -> Result<Self, AddressError> {
        Ok(Address {
            payload: Payload::Delegated(DelegatedAddress::new(namespace, subaddress)?),
        })
    }

    /// Wraps an already-decoded payload.
    pub fn from_payload(payload: Payload) -> Self {
        Address { payload }
    }

    /// Decodes the binary form (protocol byte followed by payload).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, AddressError> {
        if bytes.len() < 2 {
            return Err(AddressError::InvalidLength);
        }
        let protocol = Protocol::from_byte(bytes[0]).ok_or(AddressError::UnknownProtocol)?;
        Ok(Address {
            payload: Payload::new(protocol, &bytes[1..])?,
        })
    }

    /// The binary form (protocol byte followed by payload).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.payload.to_bytes()
    }

    /// The binary payload without the protocol byte.
    pub fn payload_bytes(&self) -> Vec<u8> {
        self.payload.to_raw_bytes()
    }

    /// The address protocol.
    pub fn protocol(&self) -> Protocol {
        self.payload.protocol()
    }

    /// The decoded payload.
    pub fn payload(&self) -> &Payload {
        &self.payload
    }

    /// Consumes the address, returning its payload.
    pub fn into_payload(self) -> Payload {
        self.payload
    }

    /// The actor id of an ID address.
    pub fn id(&self) -> Result<ActorID, AddressError> {
        match self.payload {
            Payload::ID(id) => Ok(id),
            _ => Err(AddressError::NonIdAddress),
        }
    }

    /// True for the BLS address whose key is the compressed point at infinity
    /// (first byte `0xc0`, the rest zero).
    pub fn is_bls_zero_address(&self) -> bool {
        match &self.payload {
            Payload::BLS(k) => k[0] == 0xc0 && k[1..].iter().all(|b| *b == 0),
            _ => false,
        }
    }

    /// The text form with the given network letter.
    pub fn to_string_with(&self, network: Network) -> String {
        let mut s = String::with_capacity(MAX_ADDRESS_TEXT_LEN);
        s.push(network.prefix());
        s.push(char::from(b'0' + self.protocol() as u8));
        match &self.payload {
            Payload::ID(id) => s.push_str(&id.to_string()),
            Payload::Secp256k1(h) | Payload::Actor(h) => {
                push_checksummed(&mut s, self.protocol(), &[], h)
            }
            Payload::BLS(k) => push_checksummed(&mut s, self.protocol(), &[], k),
            Payload::Delegated(d) => {
                s.push_str(&d.namespace.to_string());
                s.push('f');
                let mut ns = Vec::with_capacity(MAX_VARINT_U64_LEN);
                write_varint_u64(d.namespace, &mut ns);
                push_checksummed(&mut s, Protocol::Delegated, &ns, d.subaddress());
            }
        }
        s
    }

    /// Parses the text form and also reports which network letter it carried.
    pub fn parse_with_network(s: &str) -> Result<(Address, Network), AddressError> {
        if s.len() < 3 || s.len() > MAX_ADDRESS_TEXT_LEN {
            return Err(AddressError::InvalidLength);
        }
        let network = Network::from_prefix(s.get(..1).ok_or(AddressError::UnknownNetwork)?)?;
        let protocol = match s.get(1..2).ok_or(AddressError::UnknownProtocol)? {
            "0" => Protocol::ID,
            "1" => Protocol::Secp256k1,
            "2" => Protocol::Actor,
            "3" => Protocol::BLS,
            "4" => Protocol::Delegated,
            _ => return Err(AddressError::UnknownProtocol),
        };
        let body = s.get(2..).ok_or(AddressError::InvalidPayload)?;
        let payload = match protocol {
            Protocol::ID => Payload::ID(parse_decimal_u64(body)?),
            Protocol::Delegated => {
                let (ns_text, rest) = body.split_once('f').ok_or(AddressError::InvalidPayload)?;
                let ns = parse_decimal_u64(ns_text)?;
                let decoded = base32()
                    .decode(rest.as_bytes())
                    .map_err(AddressError::Base32Decoding)?;
                let mut ns_bytes = Vec::with_capacity(MAX_VARINT_U64_LEN);
                write_varint_u64(ns, &mut ns_bytes);
                let sub = strip_checksum(Protocol::Delegated, &ns_bytes, &decoded)?;
                Payload::Delegated(DelegatedAddress::new(ns, sub)?)
            }
            Protocol::Secp256k1 | Protocol::Actor | Protocol::BLS => {
                let decoded = base32()
                    .decode(body.as_bytes())
                    .map_err(AddressError::Base32Decoding)?;
                let raw = strip_checksum(protocol, &[], &decoded)?;
                let want = if protocol == Protocol::BLS {
                    BLS_PUB_LEN
                } else {
                    PAYLOAD_HASH_LEN
                };
                if raw.len() != want {
                    return Err(AddressError::InvalidPayload);
                }
                Payload::new(protocol, raw)?
            }
        };
        Ok((Address { payload }, network))
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_with(Network::Mainnet))
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({self})")
    }
}

/// Parses either network's text form (`f…` or `t…`).
impl FromStr for Address {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, AddressError> {
        Address::parse_with_network(s).map(|(a, _)| a)
    }
}

impl Serialize for Address {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.to_bytes())
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bytes: Cow<'de, [u8]> = strict_bytes::Deserialize::deserialize(d)?;
        Address::from_bytes(&bytes).map_err(de::Error::custom)
    }
}

/// Lowercase RFC 4648 base32 without padding; non-zero trailing bits are rejected.
fn base32() -> &'static Encoding {
    static ENC: OnceLock<Encoding> = OnceLock::new();
    ENC.get_or_init(|| {
        let mut spec = Specification::new();
        spec.symbols.push_str("abcdefghijklmnopqrstuvwxyz234567");
        spec.check_trailing_bits = true;
        spec.encoding()
            .expect("static base32 specification is valid")
    })
}

/// blake2b with a 20-byte output.
fn hash160(data: &[u8]) -> [u8; PAYLOAD_HASH_LEN] {
    let h = blake2b_simd::Params::new()
        .hash_length(PAYLOAD_HASH_LEN)
        .hash(data);
    let mut out = [0u8; PAYLOAD_HASH_LEN];
    out.copy_from_slice(h.as_bytes());
    out
}

/// The text-form checksum over protocol byte, `prefix` and `data`.
fn checksum(protocol: Protocol, prefix: &[u8], data: &[u8]) -> [u8; CHECKSUM_HASH_LEN] {
    let mut st = blake2b_simd::Params::new()
        .hash_length(CHECKSUM_HASH_LEN)
        .to_state();
    st.update(&[protocol as u8]);
    st.update(prefix);
    st.update(data);
    let mut out = [0u8; CHECKSUM_HASH_LEN];
    out.copy_from_slice(st.finalize().as_bytes());
    out
}

fn push_checksummed(s: &mut String, protocol: Protocol, prefix: &[u8], data: &[u8]) {
    let mut buf = Vec::with_capacity(data.len() + CHECKSUM_HASH_LEN);
    buf.extend_from_slice(data);
    buf.extend_from_slice(&checksum(protocol, prefix, data));
    s.push_str(&base32().encode(&buf));
}

/// Splits off and verifies the trailing checksum, returning the payload before it.
fn strip_checksum<'a>(
    protocol: Protocol,
    prefix: &[u8],
    decoded: &'a [u8],
) -> Result<&'a [u8], AddressError> {
    if decoded.len() < CHECKSUM_HASH_LEN {
        return Err(AddressError::InvalidLength);
    }
    let (data, sum) = decoded.split_at(decoded.len() - CHECKSUM_HASH_LEN);
    if checksum(protocol, prefix, data) != sum {
        return Err(AddressError::InvalidChecksum);
    }
    Ok(data)
}

/// Parses a decimal `u64` as written in text addresses.
///
/// More than 20 characters is a length error; anything `str::parse::<u64>` rejects is a payload
/// error. (That parser tolerates a leading `+` and leading zeros, and so do we.)
fn parse_decimal_u64(s: &str) -> Result<u64, AddressError> {
    if s.len() > MAX_DECIMAL_U64_LEN {
        return Err(AddressError::InvalidLength);
    }
    s.parse::<u64>().map_err(|_| AddressError::InvalidPayload)
}

/// Appends `v` as an unsigned LEB128 varint (minimal form).
pub(crate) fn write_varint_u64(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let low = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

/// Reads an unsigned LEB128 varint from the front of `buf`, returning it and the rest.
///
/// The acceptance rules are those of the Filecoin reference implementation:
/// * at most 10 bytes; a 10th byte with its continuation bit set is rejected;
/// * a multi-byte varint whose final byte is `0x00` is rejected as non-minimal;
/// * running out of input is rejected;
/// * bits of the 10th byte above bit 63 of the result are *discarded*, not rejected. So
///   `ff ff ff ff ff ff ff ff ff 7f` reads as `u64::MAX` and `80 … 80 02` reads as 0; such
///   inputs do not re-encode to the same bytes.
pub(crate) fn read_varint_u64(buf: &[u8]) -> Result<(u64, &[u8]), AddressError> {
    let mut value: u64 = 0;
    for (i, &b) in buf.iter().enumerate() {
        // i <= 9 here, so the shift is at most 63; high bits fall off the top.
        value |= u64::from(b & 0x7f) << (7 * i as u32);
        if b & 0x80 == 0 {
            if b == 0 && i > 0 {
                return Err(AddressError::InvalidPayload);
            }
            return Ok((value, &buf[i + 1..]));
        }
        if i + 1 == MAX_VARINT_U64_LEN {
            return Err(AddressError::InvalidPayload);
        }
    }
    Err(AddressError::InvalidPayload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_round_trip_and_limits() {
        for v in [0u64, 1, 127, 128, 300, 1 << 35, u64::MAX - 1, u64::MAX] {
            let mut buf = Vec::new();
            write_varint_u64(v, &mut buf);
            assert!(buf.len() <= MAX_VARINT_U64_LEN);
            assert_eq!(read_varint_u64(&buf).unwrap(), (v, &[][..]));
        }
        // Non-minimal, truncated and over-long inputs.
        assert!(read_varint_u64(&[0x80, 0x00]).is_err());
        assert!(read_varint_u64(&[0x80]).is_err());
        assert!(read_varint_u64(&[]).is_err());
        assert!(read_varint_u64(&[0xff; 11]).is_err());
        let mut ten = vec![0xffu8; 9];
        ten.push(0x80);
        assert!(read_varint_u64(&ten).is_err());
    }

    #[test]
    fn well_known_ids() {
        assert_eq!(SYSTEM_ACTOR_ADDR.id().unwrap(), 0);
        assert_eq!(BURNT_FUNDS_ACTOR_ADDR.to_string(), "f099");
        assert_eq!(EAM_ACTOR_ADDR, Address::new_id(10));
    }

    #[test]
    fn text_round_trip_each_protocol() {
        let addrs = [
            Address::new_id(1234),
            Address::new_secp256k1(&[7u8; SECP_PUB_LEN]).unwrap(),
            Address::new_actor(b"data"),
            Address::new_bls(&[9u8; BLS_PUB_LEN]).unwrap(),
            Address::new_delegated(10, &[1u8; 20]).unwrap(),
            Address::new_delegated(u64::MAX, &[]).unwrap(),
        ];
        for a in addrs {
            let main = a.to_string();
            let test = a.to_string_with(Network::Testnet);
            assert!(main.starts_with('f') && test.starts_with('t'));
            assert_eq!(main[1..], test[1..]);
            assert_eq!(main.parse::<Address>().unwrap(), a);
            assert_eq!(test.parse::<Address>().unwrap(), a);
            assert_eq!(
                Network::Testnet.parse_address(&main),
                Err(AddressError::UnknownNetwork)
            );
            assert_eq!(Address::from_bytes(&a.to_bytes()).unwrap(), a);
        }
    }

    #[test]
    fn constructor_length_checks() {
        assert_eq!(
            Address::new_bls(&[0u8; 47]),
            Err(AddressError::InvalidBlsLength(47))
        );
        assert_eq!(
            Address::new_secp256k1(&[0u8; 64]),
            Err(AddressError::InvalidSecpLength(64))
        );
        assert_eq!(
            Address::new_delegated(1, &[0u8; 55]),
            Err(AddressError::InvalidPayloadLength(55))
        );
    }
}
