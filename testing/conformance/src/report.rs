//! The per-variant results report (`fern vectors run --report FILE`).
//!
//! The report is JSON lines: one object per variant of each vector file (one per file when the
//! file could not be read or is of an unsupported class), sorted by file path and then variant
//! id, so that two runs of the same corpus, with any number of worker threads, give the same
//! bytes. Each line holds the verdict and what Fern actually produced, receipts and final state
//! root; comparing two reports byte for byte is the determinism check.
//!
//! The members of a line, always in this order (absent ones are left out):
//!
//! | member | meaning |
//! |---|---|
//! | `file` | the vector file, as the runner named it |
//! | `variant` | the variant id (absent for a file-level line) |
//! | `result` | `passed`, `failed` or `skipped` |
//! | `reason` | why it was skipped, or why the file could not be read |
//! | `mismatches` | for a failed variant, each difference, as in the `FAIL` lines |
//! | `receipts` | `[{exit_code, return, gas_used, events_root}]`, one per applied message; `return` in lowercase hex, `events_root` a CID string or `null` |
//! | `state_root` | the state root after the last message, or `null` when the run stopped early |

use serde::Serialize;

use crate::runner::{Actuals, MessageActual, VariantResult};
use crate::{FileOutcome, VectorError};

/// One receipt as the report (and `fern exec --json`) writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptJson {
    /// Exit code.
    pub exit_code: u32,
    /// Return bytes in lowercase hex (empty string for none).
    #[serde(rename = "return")]
    pub return_hex: String,
    /// Gas used.
    pub gas_used: u64,
    /// Events root, or `None` (JSON `null`) when the message emitted no events.
    pub events_root: Option<String>,
}

impl From<&MessageActual> for ReceiptJson {
    fn from(m: &MessageActual) -> Self {
        ReceiptJson {
            exit_code: m.exit_code,
            return_hex: data_encoding::HEXLOWER.encode(&m.return_data),
            gas_used: m.gas_used,
            events_root: m.events_root.map(|c| c.to_string()),
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportLine {
    /// The vector file.
    pub file: String,
    /// The variant id (`None` for a file-level line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// `passed`, `failed` or `skipped`.
    pub result: &'static str,
    /// Why the variant was skipped or the file could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For a failed variant, every mismatch.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mismatches: Vec<String>,
    /// What Fern produced, one receipt per applied message (absent for a file-level line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipts: Option<Vec<ReceiptJson>>,
    /// The final state root; `Some(None)` (JSON `null`) when the run stopped before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_root: Option<Option<String>>,
}

impl ReportLine {
    /// The line as compact JSON (no newline).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("report lines always serialize")
    }
}

fn actual_members(a: &Actuals) -> (Option<Vec<ReceiptJson>>, Option<Option<String>>) {
    (
        Some(a.receipts.iter().map(ReceiptJson::from).collect()),
        Some(a.state_root.map(|c| c.to_string())),
    )
}

/// The lines of one file's outcome, sorted by variant id.
pub fn file_lines(outcome: &FileOutcome) -> Vec<ReportLine> {
    let file = outcome.path.display().to_string();
    match &outcome.result {
        Err(e) => vec![ReportLine {
            file,
            variant: None,
            result: if matches!(e, VectorError::Unsupported(_)) {
                "skipped"
            } else {
                "failed"
            },
            reason: Some(e.to_string()),
            mismatches: Vec::new(),
            receipts: None,
            state_root: None,
        }],
        Ok(variants) => {
            let mut lines: Vec<ReportLine> = variants
                .iter()
                .map(|v| {
                    let (receipts, state_root) = actual_members(&v.actual);
                    let (result, reason, mismatches) = match &v.result {
                        VariantResult::Passed => ("passed", None, Vec::new()),
                        VariantResult::Failed(m) => {
                            ("failed", None, m.iter().map(ToString::to_string).collect())
                        }
                        VariantResult::Skipped(r) => ("skipped", Some(r.clone()), Vec::new()),
                    };
                    ReportLine {
                        file: file.clone(),
                        variant: Some(v.variant.clone()),
                        result,
                        reason,
                        mismatches,
                        receipts,
                        state_root,
                    }
                })
                .collect();
            // Stable: variants sharing an id keep the vector's order.
            lines.sort_by(|a, b| a.variant.cmp(&b.variant));
            lines
        }
    }
}

/// The whole report for `outcomes` (in any order): one JSON line per variant, sorted by file
/// path and then variant id, each ending in a newline.
pub fn report_text(outcomes: &[FileOutcome]) -> String {
    let mut sorted: Vec<&FileOutcome> = outcomes.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut out = String::new();
    for o in sorted {
        for line in file_lines(o) {
            out.push_str(&line.to_json());
            out.push('\n');
        }
    }
    out
}
