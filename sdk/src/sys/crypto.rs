//! Import module `crypto`: signatures, hashing and proof verification.

use fern_shared::crypto::{BLS_PUB_LEN, SECP_PUB_LEN};
#[doc(inline)]
pub use fern_shared::sys::out::crypto::VerifyConsensusFault;

super::wasm_imports! {
    module "crypto";

    /// Checks a `sig_type` signature over the plaintext against the signer address. Yields 0
    /// when valid and -1 when not.
    ///
    /// Errors: `IllegalArgument` for an unknown type or unreadable buffers.
    fn verify_signature(
        sig_type: u32,
        sig_off: *const u8,
        sig_len: u32,
        addr_off: *const u8,
        addr_len: u32,
        plaintext_off: *const u8,
        plaintext_len: u32,
    ) -> Result<i32>;

    /// Checks a 96-byte BLS aggregate signature over `num_signers` plaintexts (concatenated at
    /// `plaintexts_off`, with their `u32` lengths at `plaintext_lens_off`) and as many 48-byte
    /// public keys. Yields 0 when valid and -1 when not. Not available on mainnet.
    fn verify_bls_aggregate(
        num_signers: u32,
        sig_off: *const u8,
        pub_keys_off: *const [u8; BLS_PUB_LEN],
        plaintexts_off: *const u8,
        plaintext_lens_off: *const u32,
    ) -> Result<i32>;

    /// Recovers the uncompressed secp256k1 public key from a 32-byte digest at `hash_off` and a
    /// 65-byte signature at `sig_off`.
    fn recover_secp_public_key(hash_off: *const u8, sig_off: *const u8) -> Result<[u8; SECP_PUB_LEN]>;

    /// Hashes the data with multihash function `hash_code`, writes at most `digest_len` bytes of
    /// the digest and yields the number written. The buffers may overlap.
    ///
    /// Errors: `IllegalArgument` for an unknown hash or unreadable buffers.
    fn hash(hash_code: u64, data_off: *const u8, data_len: u32, digest_off: *mut u8, digest_len: u32) -> Result<u32>;

    /// Computes the unsealed sector CID (CommD) for seal proof `proof_type` from a CBOR list of
    /// piece infos, writes it into the buffer and yields its length.
    fn compute_unsealed_sector_cid(
        proof_type: i64,
        pieces_off: *const u8,
        pieces_len: u32,
        cid_off: *mut u8,
        cid_len: u32,
    ) -> Result<u32>;

    /// Verifies the CBOR-encoded window PoSt input. Yields 0 when valid and -1 when not.
    fn verify_post(info_off: *const u8, info_len: u32) -> Result<i32>;

    /// Checks whether two block headers (plus optional extra header) prove a consensus fault.
    /// A `fault` of 0 in the result means no fault was proven.
    fn verify_consensus_fault(
        h1_off: *const u8,
        h1_len: u32,
        h2_off: *const u8,
        h2_len: u32,
        extra_off: *const u8,
        extra_len: u32,
    ) -> Result<VerifyConsensusFault>;

    /// Verifies a CBOR-encoded aggregate seal proof. Yields 0 when valid and -1 when not.
    fn verify_aggregate_seals(agg_off: *const u8, agg_len: u32) -> Result<i32>;

    /// Verifies a CBOR-encoded replica update proof. Yields 0 when valid and -1 when not.
    fn verify_replica_update(rep_off: *const u8, rep_len: u32) -> Result<i32>;

    /// Verifies a CBOR list of seal proofs, writing one byte per proof (1 valid, 0 invalid) at
    /// `result_off`.
    fn batch_verify_seals(batch_off: *const u8, batch_len: u32, result_off: *const u8) -> Result<()>;
}
