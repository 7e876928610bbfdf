//! Message-by-message differential tests with gas traces: the same genesis and the same messages
//! on ref-fvm 4.8.4 (`DefaultExecutor` with the Filecoin kernel) and on Fern's `Executor`, at
//! network versions 21, 25 and 28. After every message the receipts, events, fee split, the
//! ordered gas charges and the flushed state roots must be identical
//! ([`fern_testing::harness::Pair`]).
//!
//! - `executor`: transfers, pre-validation failures, account and placeholder creation, the
//!   example actors, implicit messages, gas-limit sweeps;
//! - `syscalls`: every syscall and failure path of the test actors;
//! - `wasm_edges`: hand-written (WAT) modules: missing exports, link failures, traps, upgrades;
//! - `metering`: gas-limit sweeps one gas unit apart through metered blocks, loops, recursion
//!   to the stack limiter's limit and to Wasmtime's native stack limit;
//! - `upgrade_switch`: `actor::upgrade_actor` linked or not (`NetworkConfig::upgrade_actor`);
//! - `proofs`: proof syscalls with a host verifier (Fern only).
//!
//! Every test runs on a 1 GiB-stack thread (both VMs recurse on the host stack).
//! `FERN_TRACE=1` with `--nocapture` prints one line per message.

mod executor;
mod metering;
mod proofs;
mod syscalls;
mod upgrade_switch;
mod wasm_edges;
