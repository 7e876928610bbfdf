//! Errors of the engine layer.

use cid::Cid;

/// The step of turning actor Wasm into executable code at which something went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Checking the raw module against the enabled Wasm features.
    Validation,
    /// Parsing the module for the nv17 instrumenter (parity-wasm, which knows only the MVP
    /// and bulk memory).
    Parsing,
    /// Injecting the stack-height limiter.
    StackLimiter,
    /// Injecting gas metering.
    GasMetering,
    /// Compiling the instrumented module to machine code.
    Compilation,
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stage::Validation => "validation",
            Stage::Parsing => "parsing for instrumentation",
            Stage::StackLimiter => "stack-limit instrumentation",
            Stage::GasMetering => "gas instrumentation",
            Stage::Compilation => "compilation",
        })
    }
}

/// Why the engine could not be built or could not prepare a module.
///
/// Preparing a module never panics: hostile input surfaces as [`EngineError::Rejected`] or, if a
/// third-party component panicked on it, [`EngineError::Panicked`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// Fern has no price list (hence no engine) for this network version.
    #[error("network version {0} is not supported")]
    UnsupportedNetworkVersion(u32),
    /// The configuration cannot be turned into a Wasmtime engine.
    #[error("invalid engine configuration: {0}")]
    Config(String),
    /// Wasmtime refused to create an engine (for example, it could not reserve the pool).
    #[error("failed to create the Wasm engine: {0}")]
    Setup(String),
    /// The module was refused at `stage`: invalid Wasm, a disabled feature, an unpriced
    /// instruction, or a limit of the instance allocator (too many or too large memories or
    /// tables).
    #[error("actor Wasm rejected during {stage}: {reason}")]
    Rejected {
        /// Where it was refused.
        stage: Stage,
        /// What the refusing component said.
        reason: String,
    },
    /// A third-party component panicked while processing the module; the panic was contained.
    #[error("{stage} panicked on actor Wasm: {reason}")]
    Panicked {
        /// Which component panicked.
        stage: Stage,
        /// The panic message, if it was a string.
        reason: String,
    },
    /// The code CID has no block in the blockstore.
    #[error("no Wasm code in the blockstore for {0}")]
    CodeNotFound(Cid),
    /// The blockstore failed while reading the code.
    #[error("failed to read Wasm code {cid} from the blockstore: {reason}")]
    Blockstore {
        /// The code being read.
        cid: Cid,
        /// The blockstore's error.
        reason: String,
    },
}

impl EngineError {
    /// A refusal at `stage`, keeping the whole chain of the underlying error's causes.
    pub(crate) fn rejected(stage: Stage, err: impl std::fmt::Display) -> Self {
        EngineError::Rejected {
            stage,
            reason: format!("{err:#}"),
        }
    }

    /// The stage the module failed at, for errors about a particular module.
    pub fn stage(&self) -> Option<Stage> {
        match self {
            EngineError::Rejected { stage, .. } | EngineError::Panicked { stage, .. } => {
                Some(*stage)
            }
            _ => None,
        }
    }
}
