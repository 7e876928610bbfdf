//! Which registered proof numbers each generation of the kernel accepts.
//!
//! The reference FVM converts every proof type of a verification request into the proving
//! system's own type before verifying anything, and a number its `fvm_shared` decodes as
//! `Invalid` fails that conversion: the syscall returns `IllegalArgument` (for
//! `batch_verify_seals`, that seal is invalid), whatever the proof. Which numbers decode is a
//! property of the generation, fixed by the enums of its `fvm_shared`:
//!
//! | generation (network versions) | seal | window/winning PoSt | aggregate | replica update |
//! |---|---|---|---|---|
//! | ref-fvm 2.12, `fvm_shared` 2.12 (nv17) | 0 to 9 | 0 to 9 | 0, 1 | 0 to 4 |
//! | ref-fvm 3.14, `fvm_shared` 3.14 (nv18 to nv20) | 0 to 14 | 0 to 14 | 0, 1 | 0 to 4 |
//! | ref-fvm 4.8, `fvm_shared` 4.8 (nv21 on) | 0 to 19 | 0 to 4, 10 to 14 | 0, 1 | 0 to 4 |
//!
//! (Sources: `sector/registered_proof.rs` of each `fvm_shared`, its `i64_conversion!` tables;
//! the `verify_*` functions of ref-fvm's kernel, which call `try_into` on every proof type they
//! are given.) Fern's own enums follow the newest generation, and its proof verifier belongs to
//! the host, which need not know the network version; so the kernel refuses the numbers a
//! generation does not know itself, after the charge and before asking the host
//! (FIPS/versions.md §5).

use std::ops::RangeInclusive;

use fern_shared::sector::{
    AggregateSealVerifyProofAndInfos, ReplicaUpdateInfo, SealVerifyInfo, WindowPoStVerifyInfo,
};

use fern_shared::error::ErrorNumber;

use crate::call_manager::{syscall_error, ExecutionError};
use crate::gas::KernelGeneration;

/// The proof numbers one generation's `fvm_shared` decodes (each a list of inclusive ranges).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownProofTypes {
    /// Seal proofs (`RegisteredSealProof`).
    pub seal: &'static [RangeInclusive<i64>],
    /// PoSt proofs (`RegisteredPoStProof`).
    pub post: &'static [RangeInclusive<i64>],
    /// Aggregation schemes (`RegisteredAggregateProof`).
    pub aggregate: &'static [RangeInclusive<i64>],
    /// Replica-update proofs (`RegisteredUpdateProof`).
    pub update: &'static [RangeInclusive<i64>],
}

/// ref-fvm 2.12 (network version 17): no synthetic or non-interactive PoRep, no V1_1 PoSt.
pub const FVM2: KnownProofTypes = KnownProofTypes {
    seal: &[0..=9],
    post: &[0..=9],
    aggregate: &[0..=1],
    update: &[0..=4],
};

/// ref-fvm 3.14 (network versions 18 to 20): synthetic PoRep and V1_1 PoSt, no
/// non-interactive PoRep; the V1 window PoSts (5 to 9) still decode.
pub const FVM3: KnownProofTypes = KnownProofTypes {
    seal: &[0..=14],
    post: &[0..=14],
    aggregate: &[0..=1],
    update: &[0..=4],
};

/// ref-fvm 4.8 (network versions 21 on): non-interactive PoRep; the V1 window PoSts (5 to 9)
/// no longer decode.
pub const FVM4: KnownProofTypes = KnownProofTypes {
    seal: &[0..=19],
    post: &[0..=4, 10..=14],
    aggregate: &[0..=1],
    update: &[0..=4],
};

/// The error of a request carrying a proof number the generation does not know:
/// `IllegalArgument`, as ref-fvm's failed conversion.
pub fn unknown_proof_type() -> ExecutionError {
    syscall_error(
        ErrorNumber::IllegalArgument,
        "proof type unknown at this network version",
    )
}

fn known(ranges: &[RangeInclusive<i64>], n: i64) -> bool {
    ranges.iter().any(|r| r.contains(&n))
}

impl KnownProofTypes {
    /// The table of a generation of the later kernel (nv18 on); nv17 uses [`FVM2`].
    pub fn of(generation: KernelGeneration) -> &'static KnownProofTypes {
        match generation {
            KernelGeneration::Fvm3 => &FVM3,
            KernelGeneration::Fvm4 => &FVM4,
        }
    }

    /// Whether seal proof number `n` decodes.
    pub fn knows_seal(&self, n: i64) -> bool {
        known(self.seal, n)
    }

    /// Whether the seal's proof type decodes.
    pub fn seal_info(&self, info: &SealVerifyInfo) -> bool {
        self.knows_seal(info.registered_proof.into())
    }

    /// Whether every PoSt type of the proofs and every seal type of the challenged sectors
    /// decodes (ref-fvm converts all of them on the way to a verdict).
    pub fn post_info(&self, info: &WindowPoStVerifyInfo) -> bool {
        info.proofs
            .iter()
            .all(|p| known(self.post, p.post_proof.into()))
            && info
                .challenged_sectors
                .iter()
                .all(|s| self.knows_seal(s.proof.into()))
    }

    /// Whether the aggregate's seal type and aggregation scheme decode.
    pub fn aggregate(&self, agg: &AggregateSealVerifyProofAndInfos) -> bool {
        self.knows_seal(agg.seal_proof.into()) && known(self.aggregate, agg.aggregate_proof.into())
    }

    /// Whether the update's proof type decodes.
    pub fn replica_update(&self, info: &ReplicaUpdateInfo) -> bool {
        known(self.update, info.update_proof_type.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_generation_knows_its_own_numbers() {
        assert!(FVM2.knows_seal(9) && !FVM2.knows_seal(10) && !FVM2.knows_seal(-1));
        assert!(FVM3.knows_seal(14) && !FVM3.knows_seal(15));
        assert!(FVM4.knows_seal(19) && !FVM4.knows_seal(20));
        assert!(known(FVM2.post, 9) && !known(FVM2.post, 10));
        assert!(known(FVM3.post, 7) && known(FVM3.post, 14) && !known(FVM3.post, 15));
        assert!(known(FVM4.post, 4) && !known(FVM4.post, 7) && known(FVM4.post, 12));
        for t in [&FVM2, &FVM3, &FVM4] {
            assert!(known(t.aggregate, 1) && !known(t.aggregate, 2));
            assert!(known(t.update, 4) && !known(t.update, 5));
        }
    }
}
