//! [`FernExecutor`]: one tipset's machine behind the C interface, running on its own thread.
//!
//! Each executor owns an execution thread with an [`FERN_EXECUTION_STACK_BYTES`] stack, because
//! nested actor calls recurse on the native stack (up to 1 024 levels) far deeper than a
//! caller's thread (a Go thread, say) allows. The machine is built on that thread and never
//! leaves it; `fern_executor_apply` and `fern_executor_flush` hand it a job and wait for the
//! answer, so they may be called from any thread. One executor runs one job at a time: a call
//! made while another is in progress on the same executor returns [`FernStatus::Busy`] at once.
//! Different executors run in parallel.

use std::ffi::c_char;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex, TryLockError};

use fern::engine::Engine;
use fern::executor::{ApplyKind, ExecutionFailure, Executor, Fvm2Executor, VersionedExecutor};
use fern::machine::{Fvm2Machine, HostFault, Machine};
use fern_shared::message::Message;

use crate::buffer::{FernBuffer, FernSlice};
use crate::config::{settings, FernExecutorConfig, Network};
use crate::engines::shared_engine;
use crate::host::{
    FailureLog, FernHostCallbacks, Host, HostBlockstore, HostExterns, HostFailure, HostProofs,
};
use crate::result::FernApplyResult;
use crate::status::{guard, Failure, FernStatus};

/// `apply_kind` of a message included in a block: validated, charged for inclusion, pays gas.
pub const FERN_APPLY_EXPLICIT: u32 = 0;
/// `apply_kind` of a system message (cron, rewards): no validation, no inclusion charge.
pub const FERN_APPLY_IMPLICIT: u32 = 1;

type HostExecutor = VersionedExecutor<HostBlockstore, HostExterns>;

/// What lives on the execution thread.
struct Slot {
    executor: HostExecutor,
    log: Arc<FailureLog>,
    /// Why the executor cannot be used any more, once something went wrong.
    poisoned: Option<String>,
}

type Job = Box<dyn FnOnce(&mut Slot) + Send>;

struct Worker {
    jobs: Option<SyncSender<Job>>,
    /// Closed when the session has ended and dropped the machine.
    ended: Option<Receiver<()>>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the jobs channel ends the session; wait until its machine is gone, so that no
        // callback runs after `fern_executor_free` returns.
        self.jobs.take();
        if let Some(ended) = self.ended.take() {
            let _ = ended.recv();
        }
    }
}

/// An executor (opaque to C): see the module documentation.
pub struct FernExecutor {
    worker: Mutex<Worker>,
    engine: Engine,
}

/// A value that may cross to the caller's thread although it holds raw pointers that it owns
/// alone (a result's buffers).
struct Owned<T>(T);
// SAFETY: used only for values whose pointers are uniquely owned (no sharing, no thread
// affinity); moving them moves ownership.
unsafe impl<T> Send for Owned<T> {}

fn host_failure(failure: HostFailure, doing: &str) -> Failure {
    match failure {
        HostFailure::MissingBlock(_) => {
            Failure::new(FernStatus::MissingBlock, format!("{doing}: {failure}"))
        }
        HostFailure::Callback(_) => {
            Failure::new(FernStatus::HostFailure, format!("{doing}: {failure}"))
        }
    }
}

impl FernExecutor {
    fn create(config: &FernExecutorConfig, callbacks: &FernHostCallbacks) -> Result<Self, Failure> {
        let s = settings(config)?;
        let host = Host(*callbacks);
        host.check().map_err(Failure::invalid)?;
        let engine = shared_engine(s.network_version, &s.redirects, s.module_cache.as_deref())
            .map_err(|e| Failure::invalid(format!("cannot build an engine: {e:#}")))?;
        let (ready_tx, ready_rx) = mpsc::sync_channel::<Result<(), Failure>>(1);
        let (jobs_tx, jobs_rx) = mpsc::sync_channel::<Job>(1);
        let thread_engine = engine.clone();
        let setup = move || -> Result<Slot, Failure> {
            let log = Arc::new(FailureLog::default());
            let store = HostBlockstore::new(host, log.clone());
            let externs = HostExterns::new(host, log.clone());
            let open_failed = |e: anyhow::Error| match log.take() {
                Some(f) => host_failure(f, "cannot open the state"),
                None => Failure::invalid(format!("cannot open the state: {e:#}")),
            };
            let proofs = Arc::new(HostProofs::new(host, log.clone()));
            let executor = match s.network {
                Network::Current(network) => {
                    let machine =
                        Machine::new(network, s.context, store, externs).map_err(open_failed)?;
                    VersionedExecutor::Current(Executor::with_proof_verifier(
                        thread_engine,
                        machine,
                        proofs,
                    ))
                }
                Network::Fvm2 {
                    actor_debugging,
                    manifest,
                } => {
                    let mut machine =
                        Fvm2Machine::new(s.network_version, s.context, store, externs, manifest)
                            .map_err(open_failed)?;
                    machine.actor_debugging = actor_debugging;
                    VersionedExecutor::Fvm2(Fvm2Executor::with_proof_verifier(
                        thread_engine,
                        machine,
                        proofs,
                    ))
                }
            };
            Ok(Slot {
                executor,
                log,
                poisoned: None,
            })
        };
        let session = Box::new(move || run_thread(setup, ready_tx, jobs_rx));
        let ended = crate::threads::start(session)
            .map_err(|e| Failure::new(FernStatus::Fatal, format!("cannot start a thread: {e}")))?;
        let worker = Worker {
            jobs: Some(jobs_tx),
            ended: Some(ended),
        };
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(FernExecutor {
                worker: Mutex::new(worker),
                engine,
            }),
            Ok(Err(failure)) => Err(failure),
            Err(_) => Err(Failure::new(
                FernStatus::Fatal,
                "the execution thread ended early",
            )),
        }
    }

    /// Runs `job` on the execution thread and waits for its answer.
    fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Slot) -> Result<T, Failure> + Send + 'static,
    ) -> Result<T, Failure> {
        let worker =
            match self.worker.try_lock() {
                Ok(w) => w,
                Err(TryLockError::WouldBlock) => return Err(Failure::new(
                    FernStatus::Busy,
                    "another call is using this executor (one executor runs one call at a time)",
                )),
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
            };
        let (tx, rx) = mpsc::sync_channel::<Owned<Result<T, Failure>>>(1);
        let boxed: Job = Box::new(move |slot: &mut Slot| {
            let outcome = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                if let Some(why) = &slot.poisoned {
                    return Err(Failure::new(
                        FernStatus::Poisoned,
                        format!("the executor is unusable after an earlier failure: {why}"),
                    ));
                }
                job(slot)
            })) {
                Ok(r) => r,
                Err(payload) => {
                    let failure = Failure::panic(payload.as_ref());
                    slot.poisoned = Some(failure.message.clone());
                    Err(failure)
                }
            };
            let _ = tx.send(Owned(outcome));
        });
        let gone = || Failure::new(FernStatus::Fatal, "the execution thread is gone");
        let jobs = worker.jobs.as_ref().ok_or_else(gone)?;
        jobs.send(boxed).map_err(|_| gone())?;
        rx.recv().map_err(|_| gone())?.0
    }
}

fn run_thread(
    setup: impl FnOnce() -> Result<Slot, Failure>,
    ready: SyncSender<Result<(), Failure>>,
    jobs: Receiver<Job>,
) {
    let slot = std::panic::catch_unwind(std::panic::AssertUnwindSafe(setup))
        .unwrap_or_else(|p| Err(Failure::panic(p.as_ref())));
    let mut slot = match slot {
        Ok(slot) => {
            let _ = ready.send(Ok(()));
            slot
        }
        Err(failure) => {
            let _ = ready.send(Err(failure));
            return;
        }
    };
    while let Ok(job) = crate::threads::recv_soon(&jobs, crate::threads::JOB_SPIN) {
        job(&mut slot);
    }
}

/// Applies one message on the execution thread.
fn apply(
    slot: &mut Slot,
    message: &[u8],
    kind: ApplyKind,
    chain_len: usize,
) -> Result<Box<FernApplyResult>, Failure> {
    let msg: Message = fvm_ipld_encoding::from_slice(message).map_err(|e| {
        Failure::new(
            FernStatus::InvalidMessage,
            format!("the message is not the CBOR of a Filecoin message: {e}"),
        )
    })?;
    // A message the generation cannot take is refused before it runs, leaving the executor
    // usable: the later generations' checks, or ref-fvm 2.x's (gas limit, no f4 addresses).
    let checked = match slot.executor {
        VersionedExecutor::Current(_) => msg.check().map_err(|e| e.to_string()),
        VersionedExecutor::Fvm2(_) => fern::executor::fvm2::check_message(&msg),
    };
    checked
        .map_err(|e| Failure::new(FernStatus::InvalidMessage, format!("invalid message: {e}")))?;
    slot.log.take();
    let outcome = slot.executor.apply_message(&msg, kind, chain_len);
    if let Some(failure) = slot.log.take() {
        let failure = host_failure(failure, "the message could not be applied");
        slot.poisoned = Some(failure.message.clone());
        return Err(failure);
    }
    match outcome {
        Ok(ret) => {
            let tracing = slot.executor.context().is_some_and(|c| c.tracing);
            Ok(Box::new(FernApplyResult::new(&ret, tracing)))
        }
        Err(e) => {
            let failure = execution_failure(&e, "the message could not be applied");
            slot.poisoned = Some(failure.message.clone());
            Err(failure)
        }
    }
}

/// The status of an executor error: a failure of the host's services that the kernel noticed
/// itself (a block whose bytes do not hash to its CID, a panic in the host's Rust code) is
/// `HOST_FAILURE`, anything else `FATAL`.
fn execution_failure(e: &ExecutionFailure, doing: &str) -> Failure {
    match e.0.downcast_ref::<HostFault>() {
        Some(fault) => Failure::new(FernStatus::HostFailure, format!("{doing}: {fault}")),
        None => Failure::new(FernStatus::Fatal, format!("{:#}", e.0)),
    }
}

/// Checks an out-pointer and sets what it points to to NULL.
///
/// # Safety
/// `out` is NULL or writable.
unsafe fn clear_out<T>(out: *mut *mut T) -> Result<(), Failure> {
    if out.is_null() {
        return Err(Failure::null("out"));
    }
    // SAFETY: checked non-NULL; writable by the caller's contract.
    unsafe { *out = std::ptr::null_mut() };
    Ok(())
}

/// Creates an executor over the state `config.state_root` of the host's blockstore.
///
/// Checks the configuration, opens the state and the built-in actors' manifest through the
/// callbacks, and starts the executor's thread. The callback table is copied; its `handle`
/// must stay valid until [`fern_executor_free`] returns. Executors of the same network
/// configuration share one engine, so actors compiled for one are not compiled again for the
/// next.
///
/// Returns `FERN_STATUS_OK` and stores the executor in `*out`, or: `NULL_POINTER`,
/// `UNSUPPORTED_NETWORK_VERSION`, `INVALID_ARGUMENT` (bad CID, amount, flags, a required
/// callback missing, a state root the blockstore lacks, a manifest or state that does not
/// decode), `MISSING_BLOCK` (a block of the state or manifest is not in the blockstore; the
/// message names it), `HOST_FAILURE` (a callback failed while opening the state), `PANIC`.
///
/// # Safety
/// `config` and `callbacks` point to valid structures whose buffers are readable for the call;
/// `out` is writable; `error` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn fern_executor_new(
    config: *const FernExecutorConfig,
    callbacks: *const FernHostCallbacks,
    out: *mut *mut FernExecutor,
    error: *mut *mut c_char,
) -> FernStatus {
    guard(error, || {
        // SAFETY: NULL or writable, by the caller's contract.
        unsafe { clear_out(out) }?;
        // SAFETY: NULL or valid, by the caller's contract.
        let config = unsafe { config.as_ref() }.ok_or_else(|| Failure::null("config"))?;
        // SAFETY: as above.
        let callbacks = unsafe { callbacks.as_ref() }.ok_or_else(|| Failure::null("callbacks"))?;
        let executor = FernExecutor::create(config, callbacks)?;
        // SAFETY: as above.
        unsafe { *out = Box::into_raw(Box::new(executor)) };
        Ok(())
    })
}

/// Applies one message and returns its outcome in `*out` (free it with
/// `fern_apply_result_free`).
///
/// `message` is the CBOR of an unsigned Filecoin message (fvm_shared's 10-field `Message`).
/// `apply_kind` is [`FERN_APPLY_EXPLICIT`] or [`FERN_APPLY_IMPLICIT`]. `chain_len` is the
/// message's on-chain size in bytes (the signed message's length for explicit messages; it
/// prices inclusion), ignored for implicit ones.
///
/// A failed message is not an error: its receipt says why. Errors: `NULL_POINTER`,
/// `INVALID_ARGUMENT` (unknown kind), `INVALID_MESSAGE` (nothing changed), `BUSY` (another call
/// is running on this executor; nothing changed), `POISONED`, and the failures that leave no
/// receipt and poison the executor: `MISSING_BLOCK` (the message names the CID), `HOST_FAILURE`,
/// `FATAL`, `PANIC`. Blocks only while another executor's message holds every execution slot of
/// the shared engine (see `fern_library_info`'s concurrency).
///
/// # Safety
/// `executor` came from `fern_executor_new` and is not freed; `message` is readable for
/// `message_len` bytes; `out` is writable; `error` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn fern_executor_apply(
    executor: *const FernExecutor,
    message: *const u8,
    message_len: usize,
    apply_kind: u32,
    chain_len: usize,
    out: *mut *mut FernApplyResult,
    error: *mut *mut c_char,
) -> FernStatus {
    guard(error, || {
        // SAFETY: NULL or writable, by the caller's contract.
        unsafe { clear_out(out) }?;
        // SAFETY: NULL or a live executor, by contract.
        let executor = unsafe { executor.as_ref() }.ok_or_else(|| Failure::null("executor"))?;
        // SAFETY: readable for `message_len` bytes, by contract.
        let bytes = unsafe {
            FernSlice {
                data: message,
                len: message_len,
            }
            .bytes()
        }
        .ok_or_else(|| Failure::null("message"))?
        .to_vec();
        let kind = match apply_kind {
            FERN_APPLY_EXPLICIT => ApplyKind::Explicit,
            FERN_APPLY_IMPLICIT => ApplyKind::Implicit,
            other => {
                return Err(Failure::invalid(format!(
                "apply_kind {other} is neither FERN_APPLY_EXPLICIT (0) nor FERN_APPLY_IMPLICIT (1)"
            )))
            }
        };
        let result = executor.run(move |slot| apply(slot, &bytes, kind, chain_len).map(Owned))?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { *out = Box::into_raw(result.0) };
        Ok(())
    })
}

/// Writes the state reached so far to the host's blockstore and returns the new state root
/// (binary CID) in `*root`; free it with `fern_buffer_free`.
///
/// Only blocks reachable from the new root are written (every created block with
/// `FERN_FLAG_FLUSH_ALL_BLOCKS`), through `blockstore_put_many` in batches. On failure
/// (`MISSING_BLOCK`, `HOST_FAILURE`, `FATAL`) the executor keeps every unwritten block and the
/// flush may be retried; `BUSY`, `POISONED` and `NULL_POINTER` change nothing.
///
/// # Safety
/// `executor` came from `fern_executor_new` and is not freed; `root` is writable; `error` is
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn fern_executor_flush(
    executor: *const FernExecutor,
    root: *mut FernBuffer,
    error: *mut *mut c_char,
) -> FernStatus {
    guard(error, || {
        if root.is_null() {
            return Err(Failure::null("root"));
        }
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { *root = FernBuffer::EMPTY };
        // SAFETY: NULL or a live executor, by contract.
        let executor = unsafe { executor.as_ref() }.ok_or_else(|| Failure::null("executor"))?;
        let cid = executor.run(|slot| {
            slot.log.take();
            let flushed = slot.executor.flush();
            if let Some(failure) = slot.log.take() {
                return Err(host_failure(failure, "the state could not be flushed"));
            }
            flushed.map_err(|e| execution_failure(&e, "the state could not be flushed"))
        })?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { *root = FernBuffer::new(cid.to_bytes()) };
        Ok(())
    })
}

/// How many modules the engine this executor uses has compiled so far, across every executor
/// sharing it (successful or not). A second executor of the same configuration applying the
/// same messages leaves it unchanged. Returns `NULL_POINTER` when an argument is NULL.
///
/// # Safety
/// `executor` is NULL or a live executor; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn fern_executor_compilations(
    executor: *const FernExecutor,
    out: *mut u64,
) -> FernStatus {
    guard(std::ptr::null_mut(), || {
        // SAFETY: NULL or a live executor, by contract.
        let executor = unsafe { executor.as_ref() }.ok_or_else(|| Failure::null("executor"))?;
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { *out = executor.engine.compilations() };
        Ok(())
    })
}

/// Destroys an executor: stops its thread and drops every block not flushed. NULL is ignored.
/// Must not be called while another call on the same executor is in progress.
///
/// # Safety
/// `executor` is NULL or came from `fern_executor_new` and was not freed.
#[no_mangle]
pub unsafe extern "C" fn fern_executor_free(executor: *mut FernExecutor) {
    if executor.is_null() {
        return;
    }
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: by contract, it came from `Box::into_raw` in `fern_executor_new`.
        drop(unsafe { Box::from_raw(executor) });
    }));
}
