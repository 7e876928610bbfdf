//! Filecoin's byte encoding of arbitrary-precision integers.
//!
//! A big integer travels as a CBOR byte string. Zero is the empty string. Any other value is a
//! sign byte (`0x00` for positive, `0x01` for negative) followed by the big-endian magnitude.
//! Decoders accept at most [`MAX_BIGINT_SIZE`] bytes in total (sign byte included), and encoders
//! refuse to produce more.
//!
//! Decoding is deliberately as lenient as the reference implementation in two respects: leading
//! zero bytes in the magnitude are accepted, and a lone sign byte (`[0x00]` or `[0x01]`) decodes to
//! zero. Such inputs do not re-encode to the same bytes.
//!
//! Use [`bigint_ser`] or [`biguint_ser`] with `#[serde(with = "...")]`.

pub use num_bigint::{BigInt, BigUint, ParseBigIntError, Sign, ToBigInt, ToBigUint};
pub use num_integer::{self, Integer};
pub use num_traits::{One, Signed, Zero};

/// Most bytes (sign byte included) a serialized big integer may occupy.
pub const MAX_BIGINT_SIZE: usize = 128;

/// Serde adapter for [`BigInt`] in Filecoin's signed byte form.
pub mod bigint_ser {
    use std::borrow::Cow;

    use fvm_ipld_encoding::strict_bytes;
    use num_bigint::{BigInt, Sign};
    use serde::{de, ser, Deserialize, Deserializer, Serialize, Serializer};

    use super::MAX_BIGINT_SIZE;

    /// Borrowing wrapper that serializes a [`BigInt`] in the Filecoin byte form.
    #[derive(Serialize)]
    #[serde(transparent)]
    pub struct BigIntSer<'a>(#[serde(with = "self")] pub &'a BigInt);

    /// Owning wrapper that (de)serializes a [`BigInt`] in the Filecoin byte form.
    #[derive(Serialize, Deserialize, Clone, Default, PartialEq, Eq, Debug)]
    #[serde(transparent)]
    pub struct BigIntDe(#[serde(with = "self")] pub BigInt);

    /// The Filecoin byte form of `v` (empty for zero), without any size check.
    pub fn to_bytes(v: &BigInt) -> Vec<u8> {
        let (sign, magnitude) = v.to_bytes_be();
        let sign_byte = match sign {
            Sign::NoSign => return Vec::new(),
            Sign::Plus => 0u8,
            Sign::Minus => 1u8,
        };
        let mut out = Vec::with_capacity(magnitude.len() + 1);
        out.push(sign_byte);
        out.extend_from_slice(&magnitude);
        out
    }

    /// Decodes the Filecoin byte form, applying the sign-byte and size rules.
    pub fn from_bytes(bytes: &[u8]) -> Result<BigInt, &'static str> {
        let Some((&sign_byte, magnitude)) = bytes.split_first() else {
            return Ok(BigInt::default());
        };
        let sign = match sign_byte {
            0 => Sign::Plus,
            1 => Sign::Minus,
            _ => return Err("big integer sign byte must be 0 or 1"),
        };
        if bytes.len() > MAX_BIGINT_SIZE {
            return Err("big integer exceeds 128 bytes");
        }
        Ok(BigInt::from_bytes_be(sign, magnitude))
    }

    /// Serializes `v` as a CBOR byte string in the Filecoin form.
    pub fn serialize<S: Serializer>(v: &BigInt, s: S) -> Result<S::Ok, S::Error> {
        let bytes = to_bytes(v);
        if bytes.len() > MAX_BIGINT_SIZE {
            return Err(ser::Error::custom("big integer exceeds 128 bytes"));
        }
        s.serialize_bytes(&bytes)
    }

    /// Deserializes a CBOR byte string in the Filecoin form.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BigInt, D::Error> {
        let bytes: Cow<'de, [u8]> = strict_bytes::Deserialize::deserialize(d)?;
        from_bytes(&bytes).map_err(de::Error::custom)
    }
}

/// Serde adapter for [`BigUint`] in Filecoin's byte form (sign byte always `0x00`).
pub mod biguint_ser {
    use std::borrow::Cow;

    use fvm_ipld_encoding::strict_bytes;
    use num_bigint::BigUint;
    use num_traits::Zero;
    use serde::{de, ser, Deserialize, Deserializer, Serialize, Serializer};

    use super::MAX_BIGINT_SIZE;

    /// Borrowing wrapper that serializes a [`BigUint`] in the Filecoin byte form.
    #[derive(Serialize)]
    #[serde(transparent)]
    pub struct BigUintSer<'a>(#[serde(with = "self")] pub &'a BigUint);

    /// Owning wrapper that (de)serializes a [`BigUint`] in the Filecoin byte form.
    #[derive(Serialize, Deserialize, Clone, Default, PartialEq, Eq, Debug)]
    #[serde(transparent)]
    pub struct BigUintDe(#[serde(with = "self")] pub BigUint);

    /// The Filecoin byte form of `v` (empty for zero), without any size check.
    pub fn to_bytes(v: &BigUint) -> Vec<u8> {
        if v.is_zero() {
            return Vec::new();
        }
        let magnitude = v.to_bytes_be();
        let mut out = Vec::with_capacity(magnitude.len() + 1);
        out.push(0);
        out.extend_from_slice(&magnitude);
        out
    }

    /// Decodes the Filecoin byte form; a negative sign byte is an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<BigUint, &'static str> {
        let Some((&sign_byte, magnitude)) = bytes.split_first() else {
            return Ok(BigUint::default());
        };
        if sign_byte != 0 {
            return Err("unsigned big integer must start with sign byte 0");
        }
        if bytes.len() > MAX_BIGINT_SIZE {
            return Err("big integer exceeds 128 bytes");
        }
        Ok(BigUint::from_bytes_be(magnitude))
    }

    /// Serializes `v` as a CBOR byte string in the Filecoin form.
    pub fn serialize<S: Serializer>(v: &BigUint, s: S) -> Result<S::Ok, S::Error> {
        let bytes = to_bytes(v);
        if bytes.len() > MAX_BIGINT_SIZE {
            return Err(ser::Error::custom("big integer exceeds 128 bytes"));
        }
        s.serialize_bytes(&bytes)
    }

    /// Deserializes a CBOR byte string in the Filecoin form.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BigUint, D::Error> {
        let bytes: Cow<'de, [u8]> = strict_bytes::Deserialize::deserialize(d)?;
        from_bytes(&bytes).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_limit_is_inclusive_of_sign_byte() {
        // 127 magnitude bytes + sign = 128: allowed. 128 magnitude bytes: refused.
        let ok = BigInt::from_bytes_be(Sign::Minus, &[0xff; 127]);
        let bad = BigInt::from_bytes_be(Sign::Plus, &[0xff; 128]);
        let enc = fvm_ipld_encoding::to_vec(&bigint_ser::BigIntSer(&ok)).unwrap();
        let back: bigint_ser::BigIntDe = fvm_ipld_encoding::from_slice(&enc).unwrap();
        assert_eq!(back.0, ok);
        assert!(fvm_ipld_encoding::to_vec(&bigint_ser::BigIntSer(&bad)).is_err());
        let mut raw = vec![0u8];
        raw.extend_from_slice(&[0xff; 128]);
        assert!(bigint_ser::from_bytes(&raw).is_err());
        assert!(biguint_ser::from_bytes(&raw).is_err());
    }

    #[test]
    fn sign_bytes() {
        assert_eq!(bigint_ser::from_bytes(&[]).unwrap(), BigInt::zero());
        assert_eq!(bigint_ser::from_bytes(&[1, 5]).unwrap(), BigInt::from(-5));
        assert!(bigint_ser::from_bytes(&[2, 5]).is_err());
        assert!(biguint_ser::from_bytes(&[1, 5]).is_err());
        for v in [-256i64, -1, 1, 255, i64::MIN, i64::MAX] {
            let ours = fvm_ipld_encoding::to_vec(&bigint_ser::BigIntSer(&BigInt::from(v))).unwrap();
            let oracle = fvm_ipld_encoding::to_vec(&fvm_shared::bigint::bigint_ser::BigIntSer(
                &BigInt::from(v),
            ))
            .unwrap();
            assert_eq!(ours, oracle);
        }
    }
}
