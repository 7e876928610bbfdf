//! Signatures and the hash functions exposed to actors.
//!
//! A [`Signature`] travels on chain as one CBOR byte string whose first byte is the
//! [`SignatureType`] and whose remaining bytes are the raw signature. [`SupportedHashes`] lists the
//! multihash codes the `crypto::hash` syscall (and `ipld::block_link`) understands.

use std::borrow::Cow;
use std::fmt;

use fvm_ipld_encoding::strict_bytes;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// Length in bytes of a BLS signature (a compressed G2 point).
pub const BLS_SIG_LEN: usize = 96;
/// Length in bytes of a BLS public key (a compressed G1 point).
pub const BLS_PUB_LEN: usize = 48;
/// Length in bytes of a secp256k1 signature: `r || s || recovery id`.
pub const SECP_SIG_LEN: usize = 65;
/// Length in bytes of an uncompressed secp256k1 public key.
pub const SECP_PUB_LEN: usize = 65;
/// Length in bytes of the message digest a secp256k1 signature signs.
pub const SECP_SIG_MESSAGE_HASH_SIZE: usize = 32;

/// The key scheme a [`Signature`] was made with.
///
/// Only the two schemes that Filecoin accounts can sign with exist; any other type byte is
/// rejected when decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum SignatureType {
    /// ECDSA over secp256k1, as used by `f1` addresses.
    Secp256k1 = 1,
    /// BLS12-381 signatures, as used by `f3` addresses.
    BLS = 2,
}

impl SignatureType {
    /// Maps a numeric type (as passed through the syscall ABI) to a signature type.
    pub const fn from_u8(value: u8) -> Option<Self> {
        match value {
            1 => Some(Self::Secp256k1),
            2 => Some(Self::BLS),
            _ => None,
        }
    }

    /// Maps a 32-bit number (the form the `verify_signature` syscall takes) to a signature type.
    pub const fn from_u32(value: u32) -> Option<Self> {
        if value > u8::MAX as u32 {
            None
        } else {
            Self::from_u8(value as u8)
        }
    }
}

impl TryFrom<u8> for SignatureType {
    type Error = u8;
    fn try_from(value: u8) -> Result<Self, u8> {
        Self::from_u8(value).ok_or(value)
    }
}

impl From<SignatureType> for u8 {
    fn from(t: SignatureType) -> u8 {
        t as u8
    }
}

impl Serialize for SignatureType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (*self as u8).serialize(s)
    }
}

impl<'de> Deserialize<'de> for SignatureType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = u8::deserialize(d)?;
        Self::from_u8(n).ok_or_else(|| de::Error::custom(format!("unknown signature type {n}")))
    }
}

/// A signature together with the scheme that produced it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Signature {
    /// The signing scheme.
    pub sig_type: SignatureType,
    /// The raw signature bytes, without the type byte.
    pub bytes: Vec<u8>,
}

impl Signature {
    /// Wraps raw secp256k1 signature bytes.
    pub fn new_secp256k1(bytes: Vec<u8>) -> Self {
        Self {
            sig_type: SignatureType::Secp256k1,
            bytes,
        }
    }

    /// Wraps raw BLS signature bytes.
    pub fn new_bls(bytes: Vec<u8>) -> Self {
        Self {
            sig_type: SignatureType::BLS,
            bytes,
        }
    }

    /// The raw signature bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The signing scheme.
    pub fn signature_type(&self) -> SignatureType {
        self.sig_type
    }
}

impl Serialize for Signature {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut wire = Vec::with_capacity(1 + self.bytes.len());
        wire.push(self.sig_type as u8);
        wire.extend_from_slice(&self.bytes);
        strict_bytes::Serialize::serialize(&wire, s)
    }
}

impl<'de> Deserialize<'de> for Signature {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let wire: Cow<'de, [u8]> = strict_bytes::Deserialize::deserialize(d)?;
        let (&type_byte, rest) = wire
            .split_first()
            .ok_or_else(|| de::Error::custom("signature bytes are empty"))?;
        let sig_type = SignatureType::from_u8(type_byte).ok_or_else(|| {
            de::Error::custom(format!("signature has unknown type byte {type_byte}"))
        })?;
        Ok(Signature {
            sig_type,
            bytes: rest.to_vec(),
        })
    }
}

/// The hash functions an actor may ask the kernel to compute, identified by multihash code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u64)]
pub enum SupportedHashes {
    /// SHA2-256 (multihash 0x12).
    Sha2_256 = 0x12,
    /// BLAKE2b with a 32-byte digest (multihash 0xb220).
    Blake2b256 = 0xb220,
    /// BLAKE2b with a 64-byte digest (multihash 0xb240).
    Blake2b512 = 0xb240,
    /// Keccak-256, the pre-standard SHA3 variant Ethereum uses (multihash 0x1b).
    Keccak256 = 0x1b,
    /// RIPEMD-160 (multihash 0x1053).
    Ripemd160 = 0x1053,
}

impl SupportedHashes {
    /// Every supported hash, in multihash-code order of declaration.
    pub const ALL: [SupportedHashes; 5] = [
        Self::Sha2_256,
        Self::Blake2b256,
        Self::Blake2b512,
        Self::Keccak256,
        Self::Ripemd160,
    ];

    /// The length in bytes of this function's full digest.
    pub const fn digest_len(self) -> usize {
        match self {
            Self::Sha2_256 | Self::Blake2b256 | Self::Keccak256 => 32,
            Self::Blake2b512 => 64,
            Self::Ripemd160 => 20,
        }
    }
}

impl From<SupportedHashes> for u64 {
    fn from(h: SupportedHashes) -> u64 {
        h as u64
    }
}

/// Returned when a multihash code is not one of [`SupportedHashes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnsupportedHash(pub u64);

impl fmt::Display for UnsupportedHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unsupported hash code {:#x}", self.0)
    }
}

impl std::error::Error for UnsupportedHash {}

impl TryFrom<u64> for SupportedHashes {
    type Error = UnsupportedHash;
    fn try_from(code: u64) -> Result<Self, UnsupportedHash> {
        Self::ALL
            .into_iter()
            .find(|h| *h as u64 == code)
            .ok_or(UnsupportedHash(code))
    }
}

/// Path-compatible alias module: the signature items under `crypto::signature`.
pub mod signature {
    pub use super::{
        Signature, SignatureType, BLS_PUB_LEN, BLS_SIG_LEN, SECP_PUB_LEN, SECP_SIG_LEN,
        SECP_SIG_MESSAGE_HASH_SIZE,
    };
}

/// Path-compatible alias module: the hash items under `crypto::hash`.
pub mod hash {
    pub use super::{SupportedHashes, UnsupportedHash};
}
