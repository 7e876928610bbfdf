//! Randomness values drawn from the ticket chain or the beacon.

use fvm_ipld_encoding::{BytesDe, BytesSer};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Number of bytes the randomness syscalls return.
pub const RANDOMNESS_LENGTH: usize = 32;

/// A string of random bytes, encoded in CBOR as a byte string.
///
/// It is a vector rather than a fixed array so that values of the wrong length can still be
/// decoded (and rejected later by whoever uses them), as other implementations do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Randomness(pub Vec<u8>);

impl From<[u8; RANDOMNESS_LENGTH]> for Randomness {
    fn from(bytes: [u8; RANDOMNESS_LENGTH]) -> Self {
        Randomness(bytes.to_vec())
    }
}

impl Serialize for Randomness {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        BytesSer(&self.0).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Randomness {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Randomness(BytesDe::deserialize(d)?.0))
    }
}
