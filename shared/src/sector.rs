//! Sectors and the proof types that seal and prove them.
//!
//! Each `Registered*Proof` enum travels on the wire as a CBOR signed integer. Numbers that name
//! no known proof still decode, into the `Invalid(n)` variant, and re-encode to the same number;
//! rejecting them is left to the code that uses the value.

use std::fmt;

use cid::Cid;
use fvm_ipld_encoding::strict_bytes;
use fvm_ipld_encoding::tuple::*;
use num_bigint::BigInt;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::randomness::Randomness;
use crate::version::NetworkVersion;
use crate::{ActorID, ChainEpoch};

pub use crate::piece::DealID;

/// A sector's number, unique within one miner.
pub type SectorNumber = u64;

/// An amount of storage power, in bytes.
pub type StoragePower = BigInt;

/// Randomness used to generate and check PoSt challenges.
pub type PoStRandomness = Randomness;
/// The ticket randomness a sector was sealed with.
pub type SealRandomness = Randomness;
/// The seed randomness used for the interactive part of a seal proof.
pub type InteractiveSealRandomness = Randomness;

/// The sector sizes the network supports, in bytes. Encodes as the CBOR integer byte count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u64)]
pub enum SectorSize {
    /// 2 KiB (test networks).
    _2KiB = 2 << 10,
    /// 8 MiB (test networks).
    _8MiB = 8 << 20,
    /// 512 MiB (test networks).
    _512MiB = 512 << 20,
    /// 32 GiB.
    _32GiB = 32 << 30,
    /// 64 GiB.
    _64GiB = 64 << 30,
}

impl SectorSize {
    /// All sizes, smallest first.
    pub const ALL: [SectorSize; 5] = [
        Self::_2KiB,
        Self::_8MiB,
        Self::_512MiB,
        Self::_32GiB,
        Self::_64GiB,
    ];

    /// The size for an exact byte count, if it is one of the supported sizes.
    pub fn from_bytes(bytes: u64) -> Option<Self> {
        Self::ALL.into_iter().find(|s| *s as u64 == bytes)
    }

    /// The size in bytes.
    pub const fn bytes(self) -> u64 {
        self as u64
    }
}

impl fmt::Display for SectorSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", *self as u64)
    }
}

impl Serialize for SectorSize {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (*self as u64).serialize(s)
    }
}

impl<'de> Deserialize<'de> for SectorSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = u64::deserialize(d)?;
        Self::from_bytes(n).ok_or_else(|| de::Error::custom(format!("unknown sector size {n}")))
    }
}

/// Defines a proof-type enum whose wire form is an `i64`, with an `Invalid(i64)` catch-all,
/// conversions both ways and the integer serde form.
macro_rules! proof_enum {
    ($(#[$meta:meta])* $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $num:literal, )* }) => {
        $(#[$meta])*
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A number that names no known proof type; kept so it round-trips unchanged.
            Invalid(i64),
        }

        impl $name {
            /// Every known (non-`Invalid`) variant, in ascending numeric order.
            pub const KNOWN: &'static [$name] = &[$( $name::$variant, )*];
        }

        impl From<i64> for $name {
            fn from(n: i64) -> Self {
                match n {
                    $( $num => $name::$variant, )*
                    other => $name::Invalid(other),
                }
            }
        }

        impl From<$name> for i64 {
            fn from(p: $name) -> i64 {
                match p {
                    $( $name::$variant => $num, )*
                    $name::Invalid(n) => n,
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                i64::from(*self).serialize(s)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                i64::deserialize(d).map($name::from)
            }
        }
    };
}

proof_enum! {
    /// The proof a sector is sealed with; fixes the sector size and the proof version.
    RegisteredSealProof {
        /// Original 2 KiB seal proof.
        StackedDRG2KiBV1 = 0,
        /// Original 8 MiB seal proof.
        StackedDRG8MiBV1 = 1,
        /// Original 512 MiB seal proof.
        StackedDRG512MiBV1 = 2,
        /// Original 32 GiB seal proof.
        StackedDRG32GiBV1 = 3,
        /// Original 64 GiB seal proof.
        StackedDRG64GiBV1 = 4,
        /// 2 KiB seal proof, version 1.1 (network version 7 on).
        StackedDRG2KiBV1P1 = 5,
        /// 8 MiB seal proof, version 1.1.
        StackedDRG8MiBV1P1 = 6,
        /// 512 MiB seal proof, version 1.1.
        StackedDRG512MiBV1P1 = 7,
        /// 32 GiB seal proof, version 1.1.
        StackedDRG32GiBV1P1 = 8,
        /// 64 GiB seal proof, version 1.1.
        StackedDRG64GiBV1P1 = 9,
        /// 2 KiB seal proof, version 1.1 with synthetic PoRep.
        StackedDRG2KiBV1P1_Feat_SyntheticPoRep = 10,
        /// 8 MiB seal proof, version 1.1 with synthetic PoRep.
        StackedDRG8MiBV1P1_Feat_SyntheticPoRep = 11,
        /// 512 MiB seal proof, version 1.1 with synthetic PoRep.
        StackedDRG512MiBV1P1_Feat_SyntheticPoRep = 12,
        /// 32 GiB seal proof, version 1.1 with synthetic PoRep.
        StackedDRG32GiBV1P1_Feat_SyntheticPoRep = 13,
        /// 64 GiB seal proof, version 1.1 with synthetic PoRep.
        StackedDRG64GiBV1P1_Feat_SyntheticPoRep = 14,
        /// 2 KiB non-interactive PoRep, version 1.2.
        StackedDRG2KiBV1P2_Feat_NiPoRep = 15,
        /// 8 MiB non-interactive PoRep, version 1.2.
        StackedDRG8MiBV1P2_Feat_NiPoRep = 16,
        /// 512 MiB non-interactive PoRep, version 1.2.
        StackedDRG512MiBV1P2_Feat_NiPoRep = 17,
        /// 32 GiB non-interactive PoRep, version 1.2.
        StackedDRG32GiBV1P2_Feat_NiPoRep = 18,
        /// 64 GiB non-interactive PoRep, version 1.2.
        StackedDRG64GiBV1P2_Feat_NiPoRep = 19,
    }
}

proof_enum! {
    /// A proof-of-spacetime type (winning or window), fixing the sector size.
    ///
    /// Numbers 5 to 9 belonged to retired window PoSt versions and now decode as `Invalid`.
    RegisteredPoStProof {
        /// Winning PoSt for 2 KiB sectors.
        StackedDRGWinning2KiBV1 = 0,
        /// Winning PoSt for 8 MiB sectors.
        StackedDRGWinning8MiBV1 = 1,
        /// Winning PoSt for 512 MiB sectors.
        StackedDRGWinning512MiBV1 = 2,
        /// Winning PoSt for 32 GiB sectors.
        StackedDRGWinning32GiBV1 = 3,
        /// Winning PoSt for 64 GiB sectors.
        StackedDRGWinning64GiBV1 = 4,
        /// Window PoSt (v1.1) for 2 KiB sectors.
        StackedDRGWindow2KiBV1P1 = 10,
        /// Window PoSt (v1.1) for 8 MiB sectors.
        StackedDRGWindow8MiBV1P1 = 11,
        /// Window PoSt (v1.1) for 512 MiB sectors.
        StackedDRGWindow512MiBV1P1 = 12,
        /// Window PoSt (v1.1) for 32 GiB sectors.
        StackedDRGWindow32GiBV1P1 = 13,
        /// Window PoSt (v1.1) for 64 GiB sectors.
        StackedDRGWindow64GiBV1P1 = 14,
    }
}

proof_enum! {
    /// The scheme used to aggregate many seal proofs into one.
    RegisteredAggregateProof {
        /// SnarkPack, first version.
        SnarkPackV1 = 0,
        /// SnarkPack, second version.
        SnarkPackV2 = 1,
    }
}

proof_enum! {
    /// The proof type of a replica update (Snap Deals), fixing the sector size.
    RegisteredUpdateProof {
        /// Replica update for 2 KiB sectors.
        StackedDRG2KiBV1 = 0,
        /// Replica update for 8 MiB sectors.
        StackedDRG8MiBV1 = 1,
        /// Replica update for 512 MiB sectors.
        StackedDRG512MiBV1 = 2,
        /// Replica update for 32 GiB sectors.
        StackedDRG32GiBV1 = 3,
        /// Replica update for 64 GiB sectors.
        StackedDRG64GiBV1 = 4,
    }
}

impl Default for RegisteredSealProof {
    fn default() -> Self {
        RegisteredSealProof::Invalid(-1)
    }
}

fn unsupported<T: fmt::Debug>(p: T) -> String {
    format!("unsupported proof type: {p:?}")
}

impl RegisteredSealProof {
    /// The sector size this seal proof applies to. Each numeric group of five variants covers the
    /// sizes 2 KiB, 8 MiB, 512 MiB, 32 GiB and 64 GiB in that order.
    pub fn sector_size(self) -> Result<SectorSize, String> {
        match i64::from(self) {
            n @ 0..=19 if !matches!(self, Self::Invalid(_)) => {
                Ok(SectorSize::ALL[(n % 5) as usize])
            }
            _ => Err(unsupported(self)),
        }
    }

    /// The seal proof (original version before network version 7, version 1.1 from then on) for
    /// a sector size.
    pub fn from_sector_size(size: SectorSize, network_version: NetworkVersion) -> Self {
        let base: i64 = if network_version < NetworkVersion::V7 {
            0
        } else {
            5
        };
        let idx = SectorSize::ALL
            .iter()
            .position(|s| *s == size)
            .expect("all sizes listed") as i64;
        Self::from(base + idx)
    }

    /// Rewrites an original (V1) proof to its version 1.1 counterpart; other values are left
    /// unchanged.
    pub fn update_to_v1(&mut self) {
        if let n @ 0..=4 = i64::from(*self) {
            *self = Self::from(n + 5);
        }
    }

    /// The byte length of one seal proof of this type.
    pub fn proof_size(self) -> Result<usize, String> {
        use SectorSize::*;
        let ni_porep = matches!(i64::from(self), 15..=19);
        match (self.sector_size()?, ni_porep) {
            (_2KiB | _8MiB | _512MiB, false) => Ok(192),
            (_32GiB | _64GiB, false) => Ok(1_920),
            (_2KiB | _8MiB | _512MiB, true) => Ok(14_164),
            (_32GiB | _64GiB, true) => Ok(23_092),
        }
    }

    /// The number of sectors one window PoSt partition covers for sectors of this type.
    pub fn window_post_partition_sectors(self) -> Result<u64, String> {
        Ok(partition_sectors(self.sector_size()?))
    }

    /// The window PoSt proof type used for sectors sealed with this proof.
    pub fn registered_window_post_proof(self) -> Result<RegisteredPoStProof, String> {
        use RegisteredPoStProof::*;
        Ok(match self.sector_size()? {
            SectorSize::_2KiB => StackedDRGWindow2KiBV1P1,
            SectorSize::_8MiB => StackedDRGWindow8MiBV1P1,
            SectorSize::_512MiB => StackedDRGWindow512MiBV1P1,
            SectorSize::_32GiB => StackedDRGWindow32GiBV1P1,
            SectorSize::_64GiB => StackedDRGWindow64GiBV1P1,
        })
    }

    /// The replica-update proof type used for sectors sealed with this proof.
    pub fn registered_update_proof(self) -> Result<RegisteredUpdateProof, String> {
        use RegisteredUpdateProof::*;
        Ok(match self.sector_size()? {
            SectorSize::_2KiB => StackedDRG2KiBV1,
            SectorSize::_8MiB => StackedDRG8MiBV1,
            SectorSize::_512MiB => StackedDRG512MiBV1,
            SectorSize::_32GiB => StackedDRG32GiBV1,
            SectorSize::_64GiB => StackedDRG64GiBV1,
        })
    }
}

fn partition_sectors(size: SectorSize) -> u64 {
    match size {
        SectorSize::_2KiB | SectorSize::_8MiB | SectorSize::_512MiB => 2,
        SectorSize::_32GiB => 2349,
        SectorSize::_64GiB => 2300,
    }
}

impl RegisteredPoStProof {
    /// The sector size this PoSt proof applies to.
    pub fn sector_size(self) -> Result<SectorSize, String> {
        match i64::from(self) {
            n @ (0..=4 | 10..=14) if !matches!(self, Self::Invalid(_)) => {
                Ok(SectorSize::ALL[(n % 5) as usize])
            }
            _ => Err(unsupported(self)),
        }
    }

    /// The byte length of one PoSt proof of this type (always 192 for known types).
    pub fn proof_size(self) -> Result<usize, String> {
        self.sector_size().map(|_| 192)
    }

    /// The number of sectors one window PoSt partition covers.
    pub fn window_post_partition_sectors(self) -> Result<u64, String> {
        Ok(partition_sectors(self.sector_size()?))
    }
}

impl RegisteredUpdateProof {
    /// The sector size this update proof applies to.
    pub fn sector_size(self) -> Result<SectorSize, String> {
        match self {
            Self::Invalid(_) => Err(unsupported(self)),
            known => Ok(SectorSize::ALL[i64::from(known) as usize]),
        }
    }
}

/// A sector's global identity: the miner's actor ID and the sector number.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize_tuple, Deserialize_tuple)]
pub struct SectorID {
    /// The miner that owns the sector.
    pub miner: ActorID,
    /// The sector's number within that miner.
    pub number: SectorNumber,
}

/// What PoSt verification needs to know about one challenged sector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorInfo {
    /// The seal proof the sector was sealed with (the PoSt type is derived from it).
    pub proof: RegisteredSealProof,
    /// The sector number.
    pub sector_number: SectorNumber,
    /// The sealed sector commitment (CommR).
    pub sealed_cid: Cid,
}

/// A [`SectorInfo`] that also carries the sector key CID of a sector updated by a replica
/// update. Used by the miner actor; encodes as a four-element tuple.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ExtendedSectorInfo {
    /// The seal proof the sector was sealed with.
    pub proof: RegisteredSealProof,
    /// The sector number.
    pub sector_number: SectorNumber,
    /// The sealed CID before the replica update, if the sector was updated.
    pub sector_key: Option<Cid>,
    /// The current sealed sector commitment (CommR).
    pub sealed_cid: Cid,
}

impl From<&ExtendedSectorInfo> for SectorInfo {
    fn from(x: &ExtendedSectorInfo) -> Self {
        SectorInfo {
            proof: x.proof,
            sector_number: x.sector_number,
            sealed_cid: x.sealed_cid,
        }
    }
}

/// One proof of spacetime, as stored on chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct PoStProof {
    /// The PoSt type.
    pub post_proof: RegisteredPoStProof,
    /// The proof bytes (a CBOR byte string).
    #[serde(with = "strict_bytes")]
    pub proof_bytes: Vec<u8>,
}

/// Input to winning PoSt verification (used by consensus, not by the VM).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct WinningPoStVerifyInfo {
    /// The challenge randomness.
    pub randomness: PoStRandomness,
    /// The proofs to check.
    pub proofs: Vec<PoStProof>,
    /// The sectors challenged.
    pub challenge_sectors: Vec<SectorInfo>,
    /// The miner's actor ID (it determines the prover ID).
    pub prover: ActorID,
}

/// Input to window PoSt verification: the CBOR the `crypto::verify_post` syscall decodes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct WindowPoStVerifyInfo {
    /// The challenge randomness.
    pub randomness: PoStRandomness,
    /// The proofs to check.
    pub proofs: Vec<PoStProof>,
    /// The sectors challenged.
    pub challenged_sectors: Vec<SectorInfo>,
    /// The miner's actor ID.
    pub prover: ActorID,
}

/// The proofs a miner submits for a window PoSt.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct OnChainWindowPoStVerifyInfo {
    /// The submitted proofs.
    pub proofs: Vec<PoStProof>,
}

/// Input to verifying one seal proof; a list of these is what `crypto::batch_verify_seals`
/// decodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SealVerifyInfo {
    /// The seal proof type.
    pub registered_proof: RegisteredSealProof,
    /// The sector being proven.
    pub sector_id: SectorID,
    /// Deals in the sector.
    pub deal_ids: Vec<DealID>,
    /// The sealing ticket randomness.
    pub randomness: SealRandomness,
    /// The interactive (seed) randomness.
    pub interactive_randomness: InteractiveSealRandomness,
    /// The proof bytes (a CBOR byte string).
    #[serde(with = "strict_bytes")]
    pub proof: Vec<u8>,
    /// The sealed sector commitment (CommR).
    pub sealed_cid: Cid,
    /// The unsealed sector commitment (CommD).
    pub unsealed_cid: Cid,
}

/// The parameters a miner provides when committing a sector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SealVerifyParams {
    /// The sealed sector commitment (CommR).
    pub sealed_cid: Cid,
    /// The epoch the interactive randomness was drawn at.
    pub interactive_epoch: ChainEpoch,
    /// The seal proof type.
    pub registered_seal_proof: RegisteredSealProof,
    /// The proof bytes (a CBOR byte string).
    #[serde(with = "strict_bytes")]
    pub proof: Vec<u8>,
    /// Deals in the sector.
    pub deal_ids: Vec<DealID>,
    /// The sector number.
    pub sector_num: SectorNumber,
    /// The epoch the sealing ticket was drawn at.
    pub seal_rand_epoch: ChainEpoch,
}

/// Per-sector data inside an aggregate seal verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct AggregateSealVerifyInfo {
    /// The sector number.
    pub sector_number: SectorNumber,
    /// The sealing ticket randomness.
    pub randomness: SealRandomness,
    /// The interactive (seed) randomness.
    pub interactive_randomness: InteractiveSealRandomness,
    /// The sealed sector commitment (CommR).
    pub sealed_cid: Cid,
    /// The unsealed sector commitment (CommD).
    pub unsealed_cid: Cid,
}

/// Input to `crypto::verify_aggregate_seals`: one aggregate proof covering many sectors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct AggregateSealVerifyProofAndInfos {
    /// The miner's actor ID.
    pub miner: ActorID,
    /// The seal proof type of every sector.
    pub seal_proof: RegisteredSealProof,
    /// The aggregation scheme.
    pub aggregate_proof: RegisteredAggregateProof,
    /// The aggregate proof bytes (a CBOR byte string).
    #[serde(with = "strict_bytes")]
    pub proof: Vec<u8>,
    /// The sectors covered.
    pub infos: Vec<AggregateSealVerifyInfo>,
}

/// Input to `crypto::verify_replica_update`.
///
/// Unlike the other proof structs, `proof` here is encoded as a CBOR *array of integers*, not a
/// byte string; the network has always encoded it that way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ReplicaUpdateInfo {
    /// The update proof type.
    pub update_proof_type: RegisteredUpdateProof,
    /// The sealed CID before the update.
    pub old_sealed_cid: Cid,
    /// The sealed CID after the update.
    pub new_sealed_cid: Cid,
    /// The unsealed CID (CommD) of the new data.
    pub new_unsealed_cid: Cid,
    /// The proof bytes (encoded as an array of integers).
    pub proof: Vec<u8>,
}
