//! [`GasTracker`]: the running gas account of one message execution.

use std::cell::{Cell, RefCell};

use super::{Gas, GasCharge, NoPushedLimit, OutOfGas};

/// The limit and consumption of the gas account that is currently in force, saved while a nested
/// send runs under a smaller limit.
#[derive(Clone, Copy, Debug)]
struct SavedAccount {
    limit: Gas,
    used: Gas,
}

/// Tracks the gas a message has used against its limit.
///
/// Rules (all consensus-relevant):
/// - The limit is capped at `i64::MAX` milligas, so the amount still available always fits the
///   signed 64-bit counter the instrumented Wasm code decrements.
/// - A charge that would take `used` past the limit fails with [`OutOfGas`] and leaves `used`
///   *equal to the limit*: running out consumes everything that was left, never more.
/// - A charge that lands exactly on the limit succeeds.
/// - A send with its own gas limit runs under [`push_limit`](Self::push_limit): the new limit is
///   the smaller of the requested limit and what is still available, and `used` restarts at zero.
///   [`pop_limit`](Self::pop_limit) restores the outer limit and adds what the inner call used.
///
/// Charging takes `&self` so that deeply nested kernel code can charge through shared references.
#[derive(Debug)]
pub struct GasTracker {
    limit: Gas,
    used: Cell<Gas>,
    saved: Vec<SavedAccount>,
    trace: Option<RefCell<Vec<GasCharge>>>,
}

impl GasTracker {
    /// The largest limit a tracker accepts (`i64::MAX` milligas); larger limits are lowered to it.
    pub const MAX_LIMIT: Gas = Gas::from_milligas(i64::MAX as u64);

    /// A tracker with the given limit that has already used `used` (capped at the limit). With
    /// `tracing`, every charge attempted is recorded for [`take_trace`](Self::take_trace).
    pub fn new(limit: Gas, used: Gas, tracing: bool) -> Self {
        let limit = limit.min(Self::MAX_LIMIT);
        GasTracker {
            limit,
            used: Cell::new(used.min(limit)),
            saved: Vec::new(),
            trace: tracing.then(|| RefCell::new(Vec::new())),
        }
    }

    /// Takes `charge.total()` from the account, recording the charge when tracing (even if it
    /// fails).
    pub fn charge(&self, charge: GasCharge) -> Result<(), OutOfGas> {
        let result = self.take(charge.total());
        if let Some(trace) = &self.trace {
            trace.borrow_mut().push(charge);
        }
        result
    }

    /// Takes `amount` as a compute-only charge called `name` (the form used for Wasm execution,
    /// memory growth, syscall entry, IPLD scanning and actor-requested charges).
    pub fn charge_named(&self, name: &str, amount: Gas) -> Result<(), OutOfGas> {
        let result = self.take(amount);
        if let Some(trace) = &self.trace {
            trace
                .borrow_mut()
                .push(GasCharge::new(name.to_owned(), amount, Gas::ZERO));
        }
        result
    }

    fn take(&self, amount: Gas) -> Result<(), OutOfGas> {
        let after = self.used.get() + amount;
        if after > self.limit {
            self.used.set(self.limit);
            Err(OutOfGas)
        } else {
            self.used.set(after);
            Ok(())
        }
    }

    /// Starts a nested account limited to `min(limit, available)`, with nothing used yet.
    pub fn push_limit(&mut self, limit: Gas) {
        let outer = SavedAccount {
            limit: self.limit,
            used: self.used.get(),
        };
        self.limit = limit.min(self.available());
        self.used.set(Gas::ZERO);
        self.saved.push(outer);
    }

    /// Ends the innermost nested account: the outer limit returns and the gas used inside is
    /// added to the outer consumption.
    pub fn pop_limit(&mut self) -> Result<(), NoPushedLimit> {
        let outer = self.saved.pop().ok_or(NoPushedLimit)?;
        self.limit = outer.limit;
        self.used.set(self.used.get() + outer.used);
        Ok(())
    }

    /// The limit currently in force.
    pub fn limit(&self) -> Gas {
        self.limit
    }

    /// Gas used under the current limit.
    pub fn used(&self) -> Gas {
        self.used.get()
    }

    /// Gas still available under the current limit (`limit - used`).
    pub fn available(&self) -> Gas {
        self.limit - self.used.get()
    }

    /// Whether charges are being recorded.
    pub fn is_tracing(&self) -> bool {
        self.trace.is_some()
    }

    /// Removes and returns the charges recorded so far (empty when not tracing).
    pub fn take_trace(&self) -> Vec<GasCharge> {
        self.trace.as_ref().map(|t| t.take()).unwrap_or_default()
    }

    /// Moves the charges recorded so far, in order, into `out` (converted by `wrap`), keeping the
    /// tracker's buffer for later charges. Does nothing when not tracing.
    pub fn drain_trace_into<T>(&self, out: &mut Vec<T>, wrap: impl Fn(GasCharge) -> T) {
        if let Some(trace) = &self.trace {
            out.extend(trace.borrow_mut().drain(..).map(wrap));
        }
    }
}
