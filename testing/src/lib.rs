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
//! - [`fern_vm`]: [`vm::Vm`] on Fern;
//! - [`ref_replay`]: a test vector replayed on ref-fvm from the file alone;
//! - [`scenarios`]: the scenario library;
//! - [`vectorgen`]: the test-vector generator (the corpus in `test-vectors/`).

#![warn(missing_docs)]

pub mod fern_vm;
pub mod genesis;
pub mod harness;
pub mod ref_replay;
pub mod ref_vm;
pub mod scenario;
pub mod scenarios;
pub mod vectorgen;
pub mod vm;
