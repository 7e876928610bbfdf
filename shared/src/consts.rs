//! Codec numbers, hash codes and other protocol-wide constants.

use std::sync::LazyLock;

use cid::multihash::Multihash;
use cid::Cid;

/// Multicodec of DAG-CBOR, the codec of almost all Filecoin state.
pub const DAG_CBOR: u64 = 0x71;
/// Multicodec of plain CBOR (blocks that may not contain links).
pub const CBOR: u64 = 0x51;
/// Multicodec of raw bytes.
pub const IPLD_RAW: u64 = 0x55;
/// Multihash code of blake2b with a 256-bit output.
pub const BLAKE2B_256: u64 = 0xb220;
/// Multihash code of the identity "hash" (the digest is the data itself).
pub const IDENTITY_HASH: u64 = 0x00;
/// Byte length of a blake2b-256 digest.
pub const BLAKE2B_256_LEN: usize = 32;
/// Longest CID, in bytes, that the VM accepts.
pub const MAX_CID_LEN: usize = 100;
/// Bit width of the HAMTs used by the protocol (state tree, init actor map, ...).
pub const HAMT_BIT_WIDTH: u32 = 5;
/// The DAG-CBOR encoding of an empty array.
pub const EMPTY_ARR_BYTES: [u8; 1] = [0x80];

/// CIDv1 (DAG-CBOR, blake2b-256) of `data`.
pub fn dag_cbor_blake2b_cid(data: &[u8]) -> Cid {
    let digest = blake2b_simd::Params::new()
        .hash_length(BLAKE2B_256_LEN)
        .hash(data);
    let mh = Multihash::wrap(BLAKE2B_256, digest.as_bytes())
        .expect("a 32-byte digest fits a 64-byte multihash");
    Cid::new_v1(DAG_CBOR, mh)
}

/// The CID of an empty DAG-CBOR array, the conventional "empty state" of new actors.
pub fn empty_arr_cid() -> Cid {
    *EMPTY_ARR_CID
}

/// The CID of an empty DAG-CBOR array, computed once on first use.
pub static EMPTY_ARR_CID: LazyLock<Cid> = LazyLock::new(|| dag_cbor_blake2b_cid(&EMPTY_ARR_BYTES));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_array_cid_matches_encoder_and_oracle() {
        let encoded = fvm_ipld_encoding::to_vec::<[(); 0]>(&[]).unwrap();
        assert_eq!(encoded, EMPTY_ARR_BYTES);
        assert_eq!(empty_arr_cid(), fvm_shared::EMPTY_ARR_CID);
    }

    #[test]
    fn codec_numbers_match_encoding_crate() {
        assert_eq!(DAG_CBOR, fvm_ipld_encoding::DAG_CBOR);
        assert_eq!(CBOR, fvm_ipld_encoding::CBOR);
        assert_eq!(IPLD_RAW, fvm_ipld_encoding::IPLD_RAW);
        assert_eq!(MAX_CID_LEN, fvm_shared::MAX_CID_LEN);
        assert_eq!(HAMT_BIT_WIDTH, fvm_shared::HAMT_BIT_WIDTH);
        assert_eq!(IDENTITY_HASH, fvm_shared::IDENTITY_HASH);
    }
}
