//! Hashing for `crypto::hash`: every [`SupportedHashes`] function, through `multihash-codetable`.

use fern_shared::crypto::SupportedHashes;
use multihash_codetable::{Code, MultihashDigest};

/// The full digest of `data` under `hash`.
pub fn digest(hash: SupportedHashes, data: &[u8]) -> Vec<u8> {
    let code = match hash {
        SupportedHashes::Sha2_256 => Code::Sha2_256,
        SupportedHashes::Blake2b256 => Code::Blake2b256,
        SupportedHashes::Blake2b512 => Code::Blake2b512,
        SupportedHashes::Keccak256 => Code::Keccak256,
        SupportedHashes::Ripemd160 => Code::Ripemd160,
    };
    code.digest(data).digest().to_vec()
}

/// Signature checks, as fvm_shared 4.8 performs them.
pub mod signatures {
    use fern_shared::address::{Address, Protocol};
    use fern_shared::crypto::{BLS_PUB_LEN, BLS_SIG_LEN, SECP_PUB_LEN, SECP_SIG_LEN};
    use k256::ecdsa::{RecoveryId, Signature as EcdsaSignature, VerifyingKey};

    /// Recovers the uncompressed public key that signed the 32-byte `hash`. The signature is
    /// `r || s || v`; a high `s` is normalized (flipping the recovery bit) before recovery.
    pub fn recover_secp_public_key(
        hash: &[u8; 32],
        signature: &[u8; SECP_SIG_LEN],
    ) -> Result<[u8; SECP_PUB_LEN], String> {
        let mut v = signature[64];
        let mut sig = EcdsaSignature::from_slice(&signature[..64])
            .map_err(|e| format!("invalid signature: {e}"))?;
        if let Some(normalized) = sig.normalize_s() {
            sig = normalized;
            v ^= 1;
        }
        let rec = RecoveryId::try_from(v).map_err(|e| format!("invalid recovery id: {e}"))?;
        let key = VerifyingKey::recover_from_prehash(hash, &sig, rec)
            .map_err(|e| format!("failed to recover key: {e}"))?;
        let point = key.to_encoded_point(false);
        point
            .as_bytes()
            .try_into()
            .map_err(|_| "recovered key is not 65 bytes".to_owned())
    }

    /// Whether `signature` over BLAKE2b-256(`data`) recovers to the f1 address `addr`.
    pub fn verify_secp256k1(signature: &[u8], data: &[u8], addr: &Address) -> bool {
        if addr.protocol() != Protocol::Secp256k1 {
            return false;
        }
        let Ok(sig) = <&[u8; SECP_SIG_LEN]>::try_from(signature) else {
            return false;
        };
        let hash = blake2b_simd::Params::new().hash_length(32).hash(data);
        let Ok(hash) = <[u8; 32]>::try_from(hash.as_bytes()) else {
            return false;
        };
        match recover_secp_public_key(&hash, sig) {
            Ok(key) => Address::new_secp256k1(&key).is_ok_and(|a| a == *addr),
            Err(_) => false,
        }
    }

    /// Whether `signature` is a BLS signature of `data` by the key of the f3 address `addr`.
    pub fn verify_bls(signature: &[u8], data: &[u8], addr: &Address) -> bool {
        use bls_signatures::Serialize as _;
        if addr.protocol() != Protocol::BLS {
            return false;
        }
        let Ok(pk) = bls_signatures::PublicKey::from_bytes(&addr.payload_bytes()) else {
            return false;
        };
        let Ok(sig) = bls_signatures::Signature::from_bytes(signature) else {
            return false;
        };
        bls_signatures::verify_messages(&sig, &[data], &[pk])
    }

    /// Verifies an aggregate BLS signature over one plaintext per key. Zero keys verify;
    /// undecodable points are an error.
    pub fn verify_bls_aggregate(
        sig: &[u8; BLS_SIG_LEN],
        keys: &[[u8; BLS_PUB_LEN]],
        plaintexts: &[&[u8]],
    ) -> Result<bool, String> {
        use bls_signatures::Serialize as _;
        if keys.len() != plaintexts.len() {
            return Err("unequal numbers of public keys and plaintexts".into());
        }
        if keys.is_empty() {
            return Ok(true);
        }
        let sig = bls_signatures::Signature::from_bytes(sig)
            .map_err(|_| "invalid aggregate signature".to_owned())?;
        let keys = keys
            .iter()
            .map(|k| bls_signatures::PublicKey::from_bytes(k))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| "invalid public key".to_owned())?;
        Ok(bls_signatures::verify_messages(&sig, plaintexts, &keys))
    }
}
