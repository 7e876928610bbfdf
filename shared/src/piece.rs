//! Piece sizes and piece descriptors used by deal making and sector sealing.
//!
//! Filecoin pads every 127 bytes of user data to 128 bytes (Fr32 padding), so a piece has an
//! unpadded size of `127 * 2^k` bytes and a padded size of `128 * 2^k` bytes.

use std::fmt;

use cid::Cid;
use fvm_ipld_encoding::tuple::*;
use serde::{Deserialize, Serialize};

/// Identifier of a storage deal.
pub type DealID = u64;

/// Why a piece size was rejected by [`UnpaddedPieceSize::validate`] or
/// [`PaddedPieceSize::validate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PieceSizeError {
    /// An unpadded size below 127 bytes.
    UnpaddedTooSmall,
    /// An unpadded size that is not 127 times a power of two.
    UnpaddedNotPow2Multiple,
    /// A padded size below 128 bytes.
    PaddedTooSmall,
    /// A padded size that is not a power of two.
    PaddedNotPow2,
}

impl fmt::Display for PieceSizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::UnpaddedTooSmall => "unpadded piece size is below 127 bytes",
            Self::UnpaddedNotPow2Multiple => "unpadded piece size is not 127 times a power of two",
            Self::PaddedTooSmall => "padded piece size is below 128 bytes",
            Self::PaddedNotPow2 => "padded piece size is not a power of two",
        })
    }
}

impl std::error::Error for PieceSizeError {}

/// The size of a piece's user data, before Fr32 padding. Not serialized on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnpaddedPieceSize(pub u64);

impl UnpaddedPieceSize {
    /// The size after padding: one extra byte for every 127 bytes.
    pub fn padded(self) -> PaddedPieceSize {
        PaddedPieceSize(self.0 + self.0 / 127)
    }

    /// Checks that the size is `127 * 2^k` with `k >= 0`.
    pub fn validate(self) -> Result<(), PieceSizeError> {
        if self.0 < 127 {
            return Err(PieceSizeError::UnpaddedTooSmall);
        }
        // Strip the power-of-two factor; what remains must be exactly 127.
        if self.0 >> self.0.trailing_zeros() != 127 {
            return Err(PieceSizeError::UnpaddedNotPow2Multiple);
        }
        Ok(())
    }
}

/// The size of a piece after Fr32 padding. Encodes as a plain CBOR integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PaddedPieceSize(pub u64);

impl PaddedPieceSize {
    /// The size before padding: one byte in 128 is padding.
    pub fn unpadded(self) -> UnpaddedPieceSize {
        UnpaddedPieceSize(self.0 - self.0 / 128)
    }

    /// Checks that the size is a power of two of at least 128.
    pub fn validate(self) -> Result<(), PieceSizeError> {
        if self.0 < 128 {
            return Err(PieceSizeError::PaddedTooSmall);
        }
        if !self.0.is_power_of_two() {
            return Err(PieceSizeError::PaddedNotPow2);
        }
        Ok(())
    }
}

/// A piece's padded size and commitment (CommP), as passed to `compute_unsealed_sector_cid`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct PieceInfo {
    /// Padded size of the piece.
    pub size: PaddedPieceSize,
    /// The piece commitment CID.
    pub cid: Cid,
}
