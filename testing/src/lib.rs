//! Fern's test tooling. The tests in `tests/` check Fern against ref-fvm 4.8 (the oracle, a
//! dev-dependency of this crate only): ABI compatibility of the SDK, the actor bundle running on
//! ref-fvm, and (as the kernel grows) differential execution.
