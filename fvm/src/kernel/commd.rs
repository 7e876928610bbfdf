//! The unsealed sector CID (CommD) of a sector holding given pieces, computed natively.
//!
//! The sector's data tree is a binary Merkle tree over 32-byte nodes whose hash is SHA-256 with
//! the two most significant bits of the last byte cleared ("sha2-256-trunc254-padded"). Pieces
//! are laid out in order, each preceded by the zero pieces needed to align it to its own size,
//! and the sector is filled up with zero pieces. The result is wrapped in a CID with codec
//! `fil-commitment-unsealed` (0xf101) and multihash 0x1012.
//!
//! Validation follows the proving library ref-fvm calls: every failure (bad proof type, a piece
//! CID that is not an unsealed commitment, piece sizes that are not powers of two or do not fit,
//! too many pieces) is an error the kernel reports as `IllegalArgument`.

use cid::Cid;
use fern_shared::piece::PieceInfo;
use fern_shared::sector::RegisteredSealProof;
use sha2::{Digest, Sha256};

/// Codec of unsealed (data/piece) commitments.
pub const FIL_COMMITMENT_UNSEALED: u64 = 0xf101;
/// Multihash code of SHA-256 truncated to 254 bits.
pub const SHA2_256_TRUNC254_PADDED: u64 = 0x1012;
/// Smallest piece (unpadded bytes) the proving library accounts for when counting pieces.
const MINIMUM_PIECE_SIZE: u64 = 127;
/// Sizes (padded, as powers of two) of the precomputed zero commitments: 2^7 ..= 2^41.
const MIN_ZERO_LEVEL: u32 = 7;
const MAX_ZERO_LEVEL: u32 = 41;

type Comm = [u8; 32];

/// SHA-256 of `a || b` with the top two bits of the last byte cleared.
pub fn node_hash(a: &Comm, b: &Comm) -> Comm {
    let mut h = Sha256::new();
    h.update(a);
    h.update(b);
    let mut out: Comm = h.finalize().into();
    out[31] &= 0x3f;
    out
}

/// Unpadded to padded bytes as the proving library computes it: bit offsets, 254 data bits per
/// 256-bit element, the final partial byte rounded up through an `f64` (with wrapping integer
/// arithmetic, as its release build does).
fn to_padded(unpadded: u64) -> u64 {
    let bits = unpadded.wrapping_mul(8);
    let t = (bits / 254).wrapping_mul(256).wrapping_add(bits % 254);
    (t as f64 / 8.0).ceil() as u64
}

/// Padded to unpadded bytes as fvm_shared computes it for piece sizes (`size - size/128`); for
/// the sizes the proving library converts itself (sector sizes, powers of two from 128 bytes)
/// its bit-level formula gives the same result.
fn to_unpadded(padded: u64) -> u64 {
    padded - padded / 128
}

/// Commitment of `padded` zero bytes, starting from the 64-byte level (what the proving
/// library's stack uses).
fn zero_padding_comm(padded: u64) -> Comm {
    let mut c = node_hash(&[0; 32], &[0; 32]);
    let mut size = 64u64;
    while size < padded {
        c = node_hash(&c, &c);
        size = size.saturating_mul(2);
    }
    c
}

/// The table lookup ref-fvm uses for alignment padding: only sizes whose lowest set bit is
/// between 2^7 and 2^41 have an entry (the level is taken from the trailing zeros).
fn zero_piece_commitment(padded: u64) -> Result<Comm, String> {
    let tz = padded.trailing_zeros();
    if !(MIN_ZERO_LEVEL..=MAX_ZERO_LEVEL).contains(&tz) {
        return Err(format!("no zero piece commitment for size {padded}"));
    }
    Ok(zero_padding_comm(1u64 << tz))
}

/// The power-of-two zero pieces that bring `old` up to a multiple of `new`, smallest first.
fn required_padding(old: u64, new: u64) -> Result<Vec<u64>, String> {
    if new == 0 {
        return Err("zero piece size".into());
    }
    let mut to_fill = 0u64.wrapping_sub(old) % new;
    let mut out = Vec::new();
    while to_fill != 0 {
        let p = 1u64 << to_fill.trailing_zeros();
        to_fill ^= p;
        out.push(p);
    }
    Ok(out)
}

fn piece_commitment(cid: &Cid) -> Result<Comm, String> {
    if cid.codec() != FIL_COMMITMENT_UNSEALED {
        return Err("data commitment codec must be unsealed".into());
    }
    if cid.hash().code() != SHA2_256_TRUNC254_PADDED {
        return Err("incorrect hash function for unsealed commitment".into());
    }
    cid.hash()
        .digest()
        .try_into()
        .map_err(|_| "commitments must be 32 bytes long".into())
}

/// One entry of the combination stack: unpadded size and commitment.
#[derive(Clone, Copy)]
struct Piece {
    size: u64,
    comm: Comm,
}

fn push_reduce(stack: &mut Vec<Piece>, piece: Piece) {
    stack.push(piece);
    while stack.len() >= 2 && stack[stack.len() - 1].size == stack[stack.len() - 2].size {
        let right = stack.pop().expect("two entries");
        let left = stack.pop().expect("two entries");
        stack.push(Piece {
            size: left.size.wrapping_add(right.size),
            comm: node_hash(&left.comm, &right.comm),
        });
    }
}

fn zero_piece(unpadded: u64) -> Piece {
    Piece {
        size: unpadded,
        comm: zero_padding_comm(to_padded(unpadded)),
    }
}

fn comm_d(sector_size: u64, pieces: &[Piece]) -> Result<Comm, String> {
    let Some(first) = pieces.first() else {
        return Err("missing piece infos".into());
    };
    if pieces.len() as u64 > to_unpadded(sector_size) / MINIMUM_PIECE_SIZE {
        return Err("too many pieces".into());
    }
    let total = pieces
        .iter()
        .fold(0u64, |acc, p| acc.wrapping_add(to_padded(p.size)));
    if total > sector_size {
        return Err("pieces are larger than the sector".into());
    }
    if !to_padded(first.size).is_power_of_two() {
        return Err("piece size must be a power of two".into());
    }
    let mut stack = vec![*first];
    for p in &pieces[1..] {
        if !to_padded(p.size).is_power_of_two() {
            return Err("piece size must be a power of two".into());
        }
        while stack[stack.len() - 1].size < p.size {
            let pad = zero_piece(stack[stack.len() - 1].size);
            push_reduce(&mut stack, pad);
        }
        push_reduce(&mut stack, *p);
    }
    while stack.len() > 1 {
        let pad = zero_piece(stack[stack.len() - 1].size);
        push_reduce(&mut stack, pad);
    }
    Ok(stack[0].comm)
}

/// The unsealed sector CID of a sector of `proof`'s size holding `pieces` in order.
pub fn unsealed_sector_cid(
    proof: RegisteredSealProof,
    pieces: &[PieceInfo],
) -> Result<Cid, String> {
    let ssize = proof.sector_size()?.bytes();
    let mut all = Vec::with_capacity(pieces.len() * 2 + 1);
    if pieces.is_empty() {
        all.push(Piece {
            size: to_unpadded(ssize),
            comm: zero_piece_commitment(ssize)?,
        });
    } else {
        let mut sum = 0u64;
        let pad_to = |target: u64, all: &mut Vec<Piece>, sum: &mut u64| -> Result<(), String> {
            for pad in required_padding(*sum, target)? {
                all.push(Piece {
                    size: to_unpadded(pad),
                    comm: zero_piece_commitment(pad)?,
                });
                *sum = sum.wrapping_add(pad);
            }
            Ok(())
        };
        for p in pieces {
            pad_to(p.size.0, &mut all, &mut sum)?;
            all.push(Piece {
                size: to_unpadded(p.size.0),
                comm: piece_commitment(&p.cid)?,
            });
            sum = sum.wrapping_add(p.size.0);
        }
        pad_to(ssize, &mut all, &mut sum)?;
    }
    let comm = comm_d(ssize, &all)?;
    let mh = cid::multihash::Multihash::<64>::wrap(SHA2_256_TRUNC254_PADDED, &comm)
        .map_err(|e| e.to_string())?;
    Ok(Cid::new_v1(FIL_COMMITMENT_UNSEALED, mh))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_commitments_match_fvm_shared_table() {
        for level in MIN_ZERO_LEVEL..=MAX_ZERO_LEVEL {
            let size = 1u64 << level;
            let ours = zero_piece_commitment(size).unwrap();
            let theirs =
                fvm_shared::piece::zero_piece_commitment(fvm_shared::piece::PaddedPieceSize(size));
            assert_eq!(ours, theirs, "size 2^{level}");
        }
        assert!(zero_piece_commitment(64).is_err());
        assert!(zero_piece_commitment(1 << 42).is_err());
    }

    #[test]
    fn padding_pieces_fill_to_alignment() {
        // Sizes are powers of two, smallest first, and add up to the distance to the next
        // multiple.
        let pads = required_padding(128, 1024).unwrap();
        assert_eq!(pads.iter().sum::<u64>(), 1024 - 128);
        assert!(pads.windows(2).all(|w| w[0] < w[1]));
        assert!(pads.iter().all(|p| p.is_power_of_two()));
        assert!(required_padding(2048, 1024).unwrap().is_empty());
        assert!(required_padding(0, 0).is_err());
    }
}
