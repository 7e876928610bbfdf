//! Dev keys: deterministic secp256k1 and BLS keys derived from a seed, their addresses, and
//! Filecoin message signatures.
//!
//! A key is derived as `blake2b-256("fern devnet key" || kind || 0x00 || seed || index as 4
//! big-endian bytes)`; a secp256k1 candidate that is not a valid scalar (probability about
//! 2^-128) is rehashed with a counter. The same seed always gives the same keys, so a dev chain
//! can be rebuilt and its addresses written in scripts.
//!
//! Signatures follow Filecoin's rules (Lotus `sigs` package, `fvm_shared::crypto`): a
//! secp256k1 signature is the 65-byte recoverable ECDSA signature `r || s || v` over the
//! blake2b-256 digest of the signed bytes; a BLS signature is the 96-byte G2 signature of the
//! bytes themselves. For messages the signed bytes are the message CID's binary form.
//!
//! These keys are for local development only: they are printed, written to the chain's sidecar
//! file in the clear, and derived from a seed anyone can guess.

use anyhow::{anyhow, bail, Result};
use fern_shared::address::Address;
use fern_shared::crypto::Signature;
use k256::elliptic_curve::sec1::ToEncodedPoint;

/// Which signature scheme a dev key uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// secp256k1 (f1 addresses).
    Secp256k1,
    /// BLS12-381 (f3 addresses).
    Bls,
}

impl KeyType {
    /// `"secp256k1"` or `"bls"`, the names used in the sidecar file.
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Secp256k1 => "secp256k1",
            KeyType::Bls => "bls",
        }
    }

    /// The key type of a sidecar name.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "secp256k1" => Ok(KeyType::Secp256k1),
            "bls" => Ok(KeyType::Bls),
            other => bail!("unknown key type {other:?} (expected \"secp256k1\" or \"bls\")"),
        }
    }
}

/// A private key of a dev account.
#[derive(Clone, PartialEq, Eq)]
pub struct DevKey {
    /// The scheme.
    pub key_type: KeyType,
    /// The 32-byte private key (a secp256k1 scalar, or a BLS scalar in its serialised form).
    pub secret: [u8; 32],
}

impl std::fmt::Debug for DevKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret stays out of debug output.
        write!(f, "DevKey({})", self.key_type.name())
    }
}

fn derive_bytes(seed: &str, kind: &str, index: u32, attempt: u32) -> [u8; 32] {
    let mut h = blake2b_simd::Params::new().hash_length(32).to_state();
    h.update(b"fern devnet key");
    h.update(kind.as_bytes());
    h.update(&[0]);
    h.update(seed.as_bytes());
    h.update(&index.to_be_bytes());
    if attempt > 0 {
        h.update(&attempt.to_be_bytes());
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(h.finalize().as_bytes());
    out
}

impl DevKey {
    /// The `index`-th key of `key_type` for `seed`.
    pub fn derive(seed: &str, key_type: KeyType, index: u32) -> Self {
        match key_type {
            KeyType::Secp256k1 => {
                let mut attempt = 0;
                loop {
                    let secret = derive_bytes(seed, key_type.name(), index, attempt);
                    if k256::SecretKey::from_slice(&secret).is_ok() {
                        return DevKey { key_type, secret };
                    }
                    attempt += 1;
                }
            }
            KeyType::Bls => {
                use bls_signatures::Serialize;
                let ikm = derive_bytes(seed, key_type.name(), index, 0);
                let key = bls_signatures::PrivateKey::new(ikm);
                let mut secret = [0u8; 32];
                secret.copy_from_slice(&key.as_bytes());
                DevKey { key_type, secret }
            }
        }
    }

    /// A key from its sidecar form (type and 32 secret bytes), checked to be usable.
    pub fn from_parts(key_type: KeyType, secret: &[u8]) -> Result<Self> {
        let secret: [u8; 32] = secret
            .try_into()
            .map_err(|_| anyhow!("a private key is 32 bytes, not {}", secret.len()))?;
        let key = DevKey { key_type, secret };
        key.public_key()?;
        Ok(key)
    }

    /// The public key: 65 uncompressed bytes (secp256k1) or 48 compressed bytes (BLS).
    pub fn public_key(&self) -> Result<Vec<u8>> {
        match self.key_type {
            KeyType::Secp256k1 => {
                let key = k256::SecretKey::from_slice(&self.secret)
                    .map_err(|e| anyhow!("not a secp256k1 private key: {e}"))?;
                Ok(key.public_key().to_encoded_point(false).as_bytes().to_vec())
            }
            KeyType::Bls => {
                use bls_signatures::Serialize;
                let key = bls_signatures::PrivateKey::from_bytes(&self.secret)
                    .map_err(|e| anyhow!("not a BLS private key: {e}"))?;
                Ok(key.public_key().as_bytes())
            }
        }
    }

    /// The key's address: f1 (blake2b-160 of the uncompressed public key) or f3 (the public
    /// key itself).
    pub fn address(&self) -> Result<Address> {
        let public = self.public_key()?;
        let address = match self.key_type {
            KeyType::Secp256k1 => Address::new_secp256k1(&public),
            KeyType::Bls => Address::new_bls(&public),
        };
        address.map_err(|e| anyhow!("cannot make an address from the public key: {e}"))
    }

    /// Signs `data` the Filecoin way (see the module docs).
    pub fn sign(&self, data: &[u8]) -> Result<Signature> {
        match self.key_type {
            KeyType::Secp256k1 => {
                let key = k256::ecdsa::SigningKey::from_slice(&self.secret)
                    .map_err(|e| anyhow!("not a secp256k1 private key: {e}"))?;
                let digest = blake2b_simd::Params::new().hash_length(32).hash(data);
                let (sig, recovery) = key
                    .sign_prehash_recoverable(digest.as_bytes())
                    .map_err(|e| anyhow!("secp256k1 signing failed: {e}"))?;
                let mut bytes = sig.to_bytes().to_vec();
                bytes.push(recovery.to_byte());
                Ok(Signature::new_secp256k1(bytes))
            }
            KeyType::Bls => {
                use bls_signatures::Serialize;
                let key = bls_signatures::PrivateKey::from_bytes(&self.secret)
                    .map_err(|e| anyhow!("not a BLS private key: {e}"))?;
                Ok(Signature::new_bls(key.sign(data).as_bytes()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivation_is_deterministic_and_distinct() {
        let a = DevKey::derive("s", KeyType::Secp256k1, 0);
        assert_eq!(a, DevKey::derive("s", KeyType::Secp256k1, 0));
        assert_ne!(a, DevKey::derive("s", KeyType::Secp256k1, 1));
        assert_ne!(a, DevKey::derive("t", KeyType::Secp256k1, 0));
        assert_ne!(
            DevKey::derive("s", KeyType::Bls, 0).secret,
            DevKey::derive("s", KeyType::Bls, 1).secret
        );
    }

    #[test]
    fn secp_signature_recovers_to_the_address() {
        let key = DevKey::derive("seed", KeyType::Secp256k1, 3);
        let sig = key.sign(b"some message cid").unwrap();
        assert_eq!(sig.bytes().len(), 65);
        let digest = blake2b_simd::Params::new()
            .hash_length(32)
            .hash(b"some message cid");
        let rs = k256::ecdsa::Signature::from_slice(&sig.bytes()[..64]).unwrap();
        let v = k256::ecdsa::RecoveryId::from_byte(sig.bytes()[64]).unwrap();
        let public =
            k256::ecdsa::VerifyingKey::recover_from_prehash(digest.as_bytes(), &rs, v).unwrap();
        let address = Address::new_secp256k1(public.to_encoded_point(false).as_bytes()).unwrap();
        assert_eq!(address, key.address().unwrap());
    }

    #[test]
    fn bls_signature_verifies() {
        use bls_signatures::Serialize;
        let key = DevKey::derive("seed", KeyType::Bls, 0);
        let sig = key.sign(b"data").unwrap();
        assert_eq!(sig.bytes().len(), 96);
        let public = bls_signatures::PublicKey::from_bytes(&key.public_key().unwrap()).unwrap();
        let sig = bls_signatures::Signature::from_bytes(sig.bytes()).unwrap();
        assert!(bls_signatures::verify_messages(&sig, &[b"data"], &[public]));
        assert!(!bls_signatures::verify_messages(
            &sig,
            &[b"other"],
            &[public]
        ));
    }

    #[test]
    fn sidecar_round_trip_and_bad_keys() {
        let key = DevKey::derive("x", KeyType::Bls, 2);
        let back = DevKey::from_parts(KeyType::Bls, &key.secret).unwrap();
        assert_eq!(back.address().unwrap(), key.address().unwrap());
        assert!(DevKey::from_parts(KeyType::Secp256k1, &[0u8; 32]).is_err());
        assert!(DevKey::from_parts(KeyType::Secp256k1, &[1u8; 31]).is_err());
        assert!(KeyType::from_name("ed25519").is_err());
    }
}
