//! Fern's test tooling.
//!
//! The tests in `tests/` check Fern against ref-fvm 4.8 (the oracle): ABI compatibility of the
//! SDK, the actor bundle running on ref-fvm, and differential execution of scenarios.
//!
//! The library is the scenario harness (see `FIPS/testing.md`):
//!
//! - [`genesis`]: a deterministic genesis state on Fern's bundle plus the test actors;
//! - [`scenario`]: machine settings plus messages with expected exit codes, and a builder;
//! - [`vm`]: the [`vm::Vm`] trait every VM under test implements, and [`vm::Outcome`];
//! - [`ref_vm`]: [`vm::Vm`] on ref-fvm;
//! - [`real_bundles`]: genesis and workload pieces on the real built-in actors (bundles kept
//!   outside the repository);
//! - [`ref_vm3`]: the oracle for network versions 18 to 20 (ref-fvm 3.14);
//! - [`fern_vm`]: [`vm::Vm`] on Fern;
//! - [`ref_replay`]: a test vector replayed on ref-fvm from the file alone;
//! - [`scenarios`]: the scenario library;
//! - [`vectorgen`]: the test-vector generator (the corpus in `test-vectors/`).

#![warn(missing_docs)]

pub mod fern_vm;
pub mod genesis;
pub mod harness;
pub mod probes2;
pub mod real_bundles;
pub mod ref_replay;
pub mod ref_vm;
pub mod ref_vm2;
pub mod ref_vm3;
pub mod scenario;
pub mod scenarios;
pub mod vectorgen;
pub mod vectorgen_fvm2;
pub mod vm;

/// Host stack for running actors: both VMs recurse on the host stack for nested sends (up to
/// depth 1024), far deeper than a default thread allows.
pub const ACTOR_STACK_BYTES: usize = 1 << 30;

/// Runs `f` on a new thread with an [`ACTOR_STACK_BYTES`] stack and returns its result; a panic
/// in `f` resumes in the caller (so test failures keep their message).
pub fn on_deep_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(ACTOR_STACK_BYTES)
        .spawn(f)
        .expect("a deep-stack thread")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}
