//! [`Backtrace`]: diagnostics about why a message failed (never part of consensus).

use fern_shared::error::{ErrorNumber, ExitCode};
use fern_shared::{ActorID, MethodNum};

/// One failed call on the way out of the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The actor whose call failed.
    pub source: ActorID,
    /// The method it was running.
    pub method: MethodNum,
    /// Its exit code.
    pub code: ExitCode,
    /// The message it gave.
    pub message: String,
}

/// What started a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// A syscall returned an error the actor then failed on.
    Syscall {
        /// Wasm module of the syscall.
        module: &'static str,
        /// Function name.
        function: &'static str,
        /// Error number returned.
        number: ErrorNumber,
        /// Explanation.
        message: String,
    },
    /// A fatal error.
    Fatal(String),
}

/// The frames of failed calls, innermost first, with the original cause.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backtrace {
    /// Failed calls, innermost first.
    pub frames: Vec<Frame>,
    /// The first cause, if known.
    pub cause: Option<Cause>,
}

impl Backtrace {
    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty() && self.cause.is_none()
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.frames.clear();
        self.cause = None;
    }

    /// Starts a new trace at `cause`, dropping older frames.
    pub fn begin(&mut self, cause: Cause) {
        self.clear();
        self.cause = Some(cause);
    }

    /// Replaces the cause, keeping the frames.
    pub fn set_cause(&mut self, cause: Cause) {
        self.cause = Some(cause);
    }

    /// Adds a frame on the way out.
    pub fn push_frame(&mut self, frame: Frame) {
        self.frames.push(frame);
    }
}

/// One line per failed call, innermost first (`00: f0101 (method 2) -- message (exit code 16)`),
/// then the cause (`--> caused by: ...`). Diagnostic text for node operators, not consensus.
impl std::fmt::Display for Backtrace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, frame) in self.frames.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(
                f,
                "{i:02}: f0{} (method {}) -- {} (exit code {})",
                frame.source,
                frame.method,
                frame.message,
                frame.code.value()
            )?;
        }
        if let Some(cause) = &self.cause {
            if !self.frames.is_empty() {
                writeln!(f)?;
            }
            match cause {
                Cause::Syscall {
                    module,
                    function,
                    number,
                    message,
                } => write!(
                    f,
                    "--> caused by: {module}::{function} -- {message} (error {}: {number:?})",
                    *number as u32
                )?,
                Cause::Fatal(message) => write!(f, "--> caused by: fatal error -- {message}")?,
            }
        }
        Ok(())
    }
}
