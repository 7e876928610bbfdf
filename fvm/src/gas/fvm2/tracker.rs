//! [`Fvm2GasTracker`]: the gas account of one message under the nv17 model.

use super::{Fvm2GasCharge, SignedGas};
use crate::gas::OutOfGas;

/// The gas a message has used against its limit, under ref-fvm 2.x's rules (consensus):
///
/// - a charge adds its total (which may be negative) to `used`, saturating;
/// - if `used` then exceeds the limit, it is set *to the limit* and the charge fails with
///   [`OutOfGas`]; landing exactly on the limit succeeds;
/// - there is no lower bound: a refund may take `used` below what it was, even below zero (the
///   receipt is what later clamps);
/// - there are no nested limits: every send of the message shares this one account.
///
/// With tracing on, every charge is recorded, also the one that ran out of gas.
#[derive(Debug, Clone)]
pub struct Fvm2GasTracker {
    limit: SignedGas,
    used: SignedGas,
    trace: Option<Vec<Fvm2GasCharge>>,
}

impl Fvm2GasTracker {
    /// An account with `limit` that has already used `used` (neither is checked).
    pub fn new(limit: SignedGas, used: SignedGas) -> Self {
        Fvm2GasTracker {
            limit,
            used,
            trace: None,
        }
    }

    /// Records every later charge.
    pub fn enable_tracing(&mut self) {
        self.trace = Some(Vec::new());
    }

    fn take(&mut self, amount: SignedGas) -> Result<(), OutOfGas> {
        self.used += amount;
        if self.used > self.limit {
            self.used = self.limit;
            Err(OutOfGas)
        } else {
            Ok(())
        }
    }

    /// Takes `charge.total()`; see the type's rules.
    pub fn apply_charge(&mut self, charge: Fvm2GasCharge) -> Result<(), OutOfGas> {
        let result = self.take(charge.total());
        if let Some(trace) = &mut self.trace {
            trace.push(charge);
        }
        result
    }

    /// Takes an unnamed-kind amount under `name` (Wasm execution gas, recorded as compute).
    pub fn charge_gas(&mut self, name: &str, amount: SignedGas) -> Result<(), OutOfGas> {
        let result = self.take(amount);
        if let Some(trace) = &mut self.trace {
            trace.push(Fvm2GasCharge::new(name.to_owned(), amount, SignedGas::ZERO));
        }
        result
    }

    /// The limit.
    pub fn gas_limit(&self) -> SignedGas {
        self.limit
    }

    /// What has been used so far (may be negative after refunds).
    pub fn gas_used(&self) -> SignedGas {
        self.used
    }

    /// `limit - used`, saturating.
    pub fn gas_available(&self) -> SignedGas {
        self.limit - self.used
    }

    /// The recorded charges, oldest first (empty without tracing); leaves the record empty.
    pub fn drain_trace(&mut self) -> Vec<Fvm2GasCharge> {
        self.trace.as_mut().map(std::mem::take).unwrap_or_default()
    }
}
