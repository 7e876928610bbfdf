//! Execution threads: threads with a [`FERN_EXECUTION_STACK_BYTES`] stack that run executors,
//! kept for the next executor when one is freed.
//!
//! A node creates an executor per tipset. A new thread for each would pay, on every executor,
//! for creating the thread and for faulting in the stack pages that actor calls touch (tens of
//! microseconds per message on a tipset of a few dozen messages). Instead a thread that finished
//! an executor's *session* (its whole life, from opening the state to being freed) waits for the
//! next one; at most [`MAX_IDLE_THREADS`] wait, the others end.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, RecvError, SyncSender, TryRecvError};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Stack of an execution thread: 1 GiB of address space (committed only as used), the size
/// Fern's own differential tests run actors on. Actor calls nest on the native stack up to
/// 1 024 levels deep.
pub const FERN_EXECUTION_STACK_BYTES: usize = 1 << 30;

/// Most threads kept waiting for an executor.
pub const MAX_IDLE_THREADS: usize = 16;

/// Everything an executor does on its thread, from start to end.
pub type Session = Box<dyn FnOnce() + Send>;

/// A session and the channel to close when it has ended.
type Work = (Session, SyncSender<()>);

/// Idle threads, each waiting on the receiving end of its sender.
static IDLE: Mutex<Vec<SyncSender<Work>>> = Mutex::new(Vec::new());

fn thread_main(first: Work, sessions: Receiver<Work>, me: SyncSender<Work>) {
    let mut next = Some(first);
    while let Some((session, ended)) = next.take() {
        // A session catches its own panics; this is a last guard for the thread's sake.
        let _ = catch_unwind(AssertUnwindSafe(session));
        // Back in the idle list before the session's end is announced, so the next executor
        // (often created right after the previous one is freed) finds this warm thread.
        let keep = {
            let mut idle = IDLE.lock().unwrap_or_else(PoisonError::into_inner);
            let keep = idle.len() < MAX_IDLE_THREADS;
            if keep {
                idle.push(me.clone());
            }
            keep
        };
        drop(ended);
        if !keep {
            return;
        }
        next = sessions.recv().ok();
    }
}

/// Runs `session` on an idle execution thread, or on a new one. The returned receiver is
/// closed once the session has ended (everything it owned is dropped).
pub fn start(session: Session) -> std::io::Result<Receiver<()>> {
    let (ended_tx, ended_rx) = mpsc::sync_channel::<()>(1);
    let mut work: Work = (session, ended_tx);
    loop {
        let idle = IDLE.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let Some(thread) = idle else { break };
        // An idle thread is blocked in `recv` with an empty channel: this never waits.
        match thread.send(work) {
            Ok(()) => return Ok(ended_rx),
            Err(mpsc::SendError(back)) => work = back,
        }
    }
    let (me, sessions) = mpsc::sync_channel::<Work>(1);
    std::thread::Builder::new()
        .name("fern-executor".into())
        .stack_size(FERN_EXECUTION_STACK_BYTES)
        .spawn(move || thread_main(work, sessions, me))?;
    Ok(ended_rx)
}

/// How long the execution thread, having finished a job, keeps checking for the next one
/// (yielding the core between checks) before it sleeps. Waking a sleeping thread on another
/// core costs tens of microseconds on virtual machines: a call that reached a sleeping
/// execution thread and came back took about 58 µs on the 2-core CI machine, one that found it
/// still checking about 10 µs (`cargo bench -p fern_ffi --bench overhead`, `round_trip`). A
/// tipset's messages come back to back, so the next job usually arrives within this time. The
/// caller, by contrast, sleeps while its message runs, so a long message costs it no CPU.
pub const JOB_SPIN: Duration = Duration::from_millis(2);

/// Receives from `rx`, first checking for up to `spin` (yielding between checks), then
/// sleeping.
pub fn recv_soon<T>(rx: &Receiver<T>, spin: Duration) -> Result<T, RecvError> {
    let start = Instant::now();
    loop {
        match rx.try_recv() {
            Ok(v) => return Ok(v),
            Err(TryRecvError::Disconnected) => return Err(RecvError),
            Err(TryRecvError::Empty) => {}
        }
        if start.elapsed() >= spin {
            return rx.recv();
        }
        std::thread::yield_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session_thread() -> std::thread::ThreadId {
        let (tx, rx) = mpsc::sync_channel(1);
        let ended = start(Box::new(move || {
            let _ = tx.send(std::thread::current().id());
        }))
        .unwrap();
        let id = rx.recv().unwrap();
        // The session's end is announced after the thread is back in the idle list.
        assert!(ended.recv().is_err());
        id
    }

    #[test]
    fn a_freed_session_leaves_its_thread_for_the_next() {
        let first = session_thread();
        assert_ne!(first, std::thread::current().id());
        assert_eq!(session_thread(), first, "the idle thread was not reused");
        // A panicking session does not take its thread down.
        let ended = start(Box::new(|| panic!("boom"))).unwrap();
        assert!(ended.recv().is_err());
        assert_eq!(session_thread(), first);
    }

    #[test]
    fn recv_soon_returns_values_and_disconnection() {
        let (tx, rx) = mpsc::sync_channel(1);
        tx.send(5).unwrap();
        assert_eq!(recv_soon(&rx, Duration::ZERO), Ok(5));
        let sender = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(5));
            tx.send(6).unwrap();
        });
        assert_eq!(recv_soon(&rx, Duration::from_micros(100)), Ok(6));
        sender.join().unwrap();
        assert_eq!(recv_soon(&rx, Duration::from_micros(100)), Err(RecvError));
    }
}
