//! Fern's conformance runner: replays message-class Filecoin test vectors (the JSON format of
//! the `test-vectors` corpus) on Fern and compares every receipt and the final state root.
//!
//! The machine settings for a vector are the ones `VECTORS.md` fixes (see
//! `FIPS/conformance.md`): one machine per variant at its epoch and network version, timestamp
//! = epoch × 30, chain id 0, base fee 100 and circulating supply 0 unless the vector says
//! otherwise, randomness from the vector's rules with a fixed fallback digest, and proofs charged
//! as on chain but reported valid.
//!
//! Entry points: [`run_file`] for one JSON file, [`collect_vector_files`] to expand
//! directories, [`report::report_text`] for the deterministic per-variant report,
//! [`apply_messages`] (and [`exec`]) to run messages on a state outside a vector,
//! [`bundle::inspect_file`] to describe an actor bundle (a CAR or a lotus-style `.tar.zst`).

#![deny(missing_docs)]

pub mod bundle;
pub mod exec;
pub mod report;
pub mod runner;
pub mod vector;

use std::path::{Path, PathBuf};

pub use runner::{
    apply_messages, run_variant, run_variant_with_actuals, run_vector, Actuals, Applied,
    ApplyError, MachineSettings, MessageActual, Mismatch, RunOptions, VariantOutcome,
    VariantResult,
};
pub use vector::TestVector;

/// Why a vector could not be read or run at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VectorError {
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Io(String),
    /// The JSON is invalid or does not follow the schema (includes bad base64 and bad CIDs).
    #[error("invalid vector JSON: {0}")]
    Json(String),
    /// The embedded CAR is not valid gzip.
    #[error("invalid gzip data: {0}")]
    Gzip(String),
    /// The CAR is not a valid CAR (or a block does not match its CID).
    #[error("invalid CAR: {0}")]
    Car(String),
    /// The vector is well-formed JSON but inconsistent.
    #[error("malformed vector: {0}")]
    Malformed(String),
    /// The vector is of a kind this runner does not replay.
    #[error("unsupported vector: {0}")]
    Unsupported(String),
    /// Fern panicked (a bug in Fern, reported instead of aborting the whole run).
    #[error("internal error (a bug in Fern): {0}")]
    Internal(String),
    /// A bundle archive (zstd or tar) could not be read.
    #[error("invalid bundle archive: {0}")]
    Archive(String),
}

/// The outcome of one vector file.
#[derive(Debug, Clone)]
pub struct FileOutcome {
    /// The file.
    pub path: PathBuf,
    /// The per-variant outcomes, or why the file could not be run.
    pub result: Result<Vec<VariantOutcome>, VectorError>,
}

impl FileOutcome {
    /// Counts of (passed, failed, skipped) variants; an unreadable file counts as one failure,
    /// a vector of an unsupported class as one skip.
    pub fn counts(&self) -> (usize, usize, usize) {
        match &self.result {
            Err(VectorError::Unsupported(_)) => (0, 0, 1),
            Err(_) => (0, 1, 0),
            Ok(variants) => variants
                .iter()
                .fold((0, 0, 0), |(p, f, s), v| match v.result {
                    VariantResult::Passed => (p + 1, f, s),
                    VariantResult::Failed(_) => (p, f + 1, s),
                    VariantResult::Skipped(_) => (p, f, s + 1),
                }),
        }
    }

    /// Why each skipped variant (or the whole file, for an unsupported class) was skipped.
    pub fn skip_reasons(&self) -> Vec<String> {
        match &self.result {
            Err(VectorError::Unsupported(why)) => vec![why.clone()],
            Err(_) => Vec::new(),
            Ok(variants) => variants
                .iter()
                .filter_map(|v| match &v.result {
                    VariantResult::Skipped(why) => Some(why.clone()),
                    _ => None,
                })
                .collect(),
        }
    }

    /// One line per failed variant (or one for an unreadable file), naming the file, the
    /// variant, and the first mismatch with the number of further ones.
    pub fn failure_lines(&self) -> Vec<String> {
        let name = self.path.display();
        match &self.result {
            Err(VectorError::Unsupported(_)) => Vec::new(),
            Err(e) => vec![format!("FAIL {name}: {e}")],
            Ok(variants) => variants
                .iter()
                .filter_map(|v| match &v.result {
                    VariantResult::Failed(m) if !m.is_empty() => {
                        let more = if m.len() > 1 {
                            format!(" (+{} more)", m.len() - 1)
                        } else {
                            String::new()
                        };
                        Some(format!("FAIL {name} [{}]: {}{more}", v.variant, m[0]))
                    }
                    VariantResult::Failed(_) => Some(format!("FAIL {name} [{}]", v.variant)),
                    _ => None,
                })
                .collect(),
        }
    }
}

/// Reads, parses and runs the vector in `path`.
pub fn run_file(path: &Path, options: &RunOptions) -> FileOutcome {
    let result = std::fs::read(path)
        .map_err(|e| VectorError::Io(e.to_string()))
        .and_then(|text| TestVector::from_json(&text))
        .map(|v| run_vector(&v, options));
    FileOutcome {
        path: path.to_path_buf(),
        result,
    }
}

/// Expands `paths` into vector files: files are taken as given, directories are walked
/// recursively for `*.json` files. The result is sorted and without duplicates.
pub fn collect_vector_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, VectorError> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), VectorError> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| VectorError::Io(format!("{}: {e}", dir.display())))?;
        for entry in entries {
            let path = entry
                .map_err(|e| VectorError::Io(format!("{}: {e}", dir.display())))?
                .path();
            if path.is_dir() {
                walk(&path, out)?;
            } else if path.extension().is_some_and(|x| x == "json") {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(VectorError::Io(format!(
                "{}: no such file or directory",
                p.display()
            )));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}
