//! The executor of network version 17 (ref-fvm 2.x rules): applies messages to an
//! [`Fvm2Machine`].
//!
//! The same phases as [`Executor`](super::Executor), with ref-fvm 2.12's rules (source: `fvm`
//! 2.12.2 `executor/default.rs`):
//!
//! - **Validation.** A gas limit of 0 (or above `i64::MAX`, which 2.x cannot hold), or an f4
//!   sender or receiver (which 2.x cannot decode), is an error of the message, not a receipt
//!   ([`check_message`]). For an explicit message the inclusion charge is
//!   `OnChainMessage` of the Skyr table, whose total (rounded up) must not exceed the gas limit
//!   (`SYS_OUT_OF_GAS`, penalty base fee × inclusion gas). The sender must resolve and exist
//!   (`SYS_SENDER_INVALID`) and be an **account actor** (`SYS_SENDER_INVALID`), its sequence must
//!   match (`SYS_SENDER_STATE_INVALID`), and its balance must cover fee cap × gas limit
//!   (`SYS_SENDER_STATE_INVALID`); the penalty of those is base fee × gas limit. Then the
//!   reservation is deducted and the sequence raised.
//! - **Execution.** The inclusion charge opens the message's single gas account. Parameters are
//!   a DAG-CBOR block (whatever the method). The send runs in a transaction, and a successful
//!   call also pays `OnChainReturnValue` for its return bytes inside it.
//! - **Receipts** have three fields (no events root: the node encodes them as 3-tuples). Gas
//!   used is `max(used, 0)` rounded up; send errors map as in later versions
//!   (`InsufficientFunds` → `SYS_INSUFFICIENT_FUNDS`, `NotFound` → `SYS_INVALID_RECEIVER`, others
//!   `SYS_ASSERTION_FAILED`); a fatal error is `SYS_ASSERTION_FAILED` using the whole gas limit.
//! - **Payment** is the same gas outputs as later versions, paid to f099, f02 and the sender.
//!
//! Host faults are handled as by [`Executor`](super::Executor): the message is undone and the
//! call returns the fault.

use anyhow::{anyhow, Context as _};
use cid::Cid;
use fern_shared::address::{Protocol, BURNT_FUNDS_ACTOR_ID, REWARD_ACTOR_ID};
use fern_shared::econ::TokenAmount;
use fern_shared::error::{ErrorNumber, ExitCode};
use fern_shared::message::Message;
use fern_shared::receipt::Receipt;
use fern_shared::ActorID;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::{RawBytes, DAG_CBOR};

use super::{ApplyFailure, ApplyKind, ApplyRet, ExecutionFailure};
use crate::call_manager::backtrace::Cause;
use crate::call_manager::{Block, ExecutionError, Fvm2CallManager, InvocationResult};
use crate::engine::Engine;
use crate::gas::fvm2::Fvm2GasCharge;
use crate::gas::GasOutputs;
use crate::machine::{Externs, Fvm2Machine, GuardedProofs, NoProofVerifier, ProofVerifier};
use std::sync::Arc;

/// Why ref-fvm 2.x cannot take `msg` at all (it fails before touching the machine, with no
/// receipt): a gas limit of 0, or one above `i64::MAX`, or a sender or receiver with an f4
/// address, which `fvm_shared` 2.x cannot decode (ref-fvm 2.12 `Message::check` and its
/// message type).
pub fn check_message(msg: &Message) -> Result<(), String> {
    if msg.gas_limit == 0 {
        return Err("Message has no gas limit set".into());
    }
    if i64::try_from(msg.gas_limit).is_err() {
        return Err(format!(
            "gas limit {} does not fit a signed 64-bit integer",
            msg.gas_limit
        ));
    }
    for (what, addr) in [("sender", &msg.from), ("receiver", &msg.to)] {
        if addr.protocol() == Protocol::Delegated {
            return Err(format!(
                "the {what} {addr} is an f4 address, which network version 17 does not have"
            ));
        }
    }
    Ok(())
}

/// Applies messages to an nv17 machine. See the [module docs](self).
pub struct Fvm2Executor<B: Blockstore + 'static, E: Externs + 'static> {
    engine: Engine,
    proofs: Arc<GuardedProofs>,
    machine: Option<Box<Fvm2Machine<B, E>>>,
}

struct Preflight {
    sender: ActorID,
    gas_cost: TokenAmount,
    inclusion: Option<Fvm2GasCharge>,
}

impl<B: Blockstore + 'static, E: Externs + 'static> Fvm2Executor<B, E> {
    /// An executor running `machine`'s messages on `engine`, which must be built for network
    /// version 17 ([`Engine::for_network`]), without a proof verifier ([`NoProofVerifier`]).
    pub fn new(engine: Engine, machine: Fvm2Machine<B, E>) -> Self {
        Self::with_proof_verifier(engine, machine, Arc::new(NoProofVerifier))
    }

    /// Like [`new`](Self::new), with the host's proof verifier.
    pub fn with_proof_verifier(
        engine: Engine,
        machine: Fvm2Machine<B, E>,
        proofs: Arc<dyn ProofVerifier>,
    ) -> Self {
        Fvm2Executor {
            engine,
            proofs: Arc::new(GuardedProofs::new(proofs)),
            machine: Some(Box::new(machine)),
        }
    }

    /// Compiles every built-in actor of the manifest, as ref-fvm 2.12's machine does when it is
    /// created; returns the total instrumented size. A code that does not compile is an error.
    pub fn preload_builtin_actors(&self) -> Result<usize, ExecutionFailure> {
        let machine = self.machine()?;
        self.engine
            .preload(machine.manifest.codes(), machine.blockstore())
            .map_err(|e| ExecutionFailure(anyhow!("cannot preload the built-in actors: {e}")))
    }

    fn machine(&self) -> Result<&Fvm2Machine<B, E>, ExecutionFailure> {
        self.machine
            .as_deref()
            .ok_or_else(|| ExecutionFailure(anyhow!("the executor was poisoned by a fatal error")))
    }

    fn machine_mut(&mut self) -> Result<&mut Fvm2Machine<B, E>, ExecutionFailure> {
        self.machine
            .as_deref_mut()
            .ok_or_else(|| ExecutionFailure(anyhow!("the executor was poisoned by a fatal error")))
    }

    /// The machine (`None` only after a fatal error poisoned the executor).
    pub fn machine_ref(&self) -> Option<&Fvm2Machine<B, E>> {
        self.machine.as_deref()
    }

    /// Flushes the state tree: the new state root. A failure of the node's blockstore is an
    /// error carrying the fault; the flush can be retried.
    pub fn flush(&mut self) -> Result<Cid, ExecutionFailure> {
        let machine = self.machine_mut()?;
        let _ = machine.take_host_fault();
        let flushed = machine.flush();
        if let Some(fault) = machine.take_host_fault() {
            return Err(ExecutionFailure(anyhow::Error::new(fault)));
        }
        Ok(flushed?)
    }

    /// Gives the machine back.
    pub fn into_machine(self) -> Option<Fvm2Machine<B, E>> {
        self.machine.map(|m| *m)
    }

    /// Applies `msg`, whose serialized (signed, for explicit messages) length is `raw_length`.
    pub fn apply_message(
        &mut self,
        msg: &Message,
        kind: ApplyKind,
        raw_length: usize,
    ) -> Result<ApplyRet, ExecutionFailure> {
        let engine = self.engine.clone();
        let _admitted = engine.admit();
        let depth = {
            let machine = self.machine_mut()?;
            let _ = machine.take_host_fault();
            let depth = machine.state_tree.transaction_depth();
            machine.state_tree.begin_transaction();
            machine.blockstore().begin_journal();
            depth
        };
        let _ = self.proofs.take_fault();
        let outcome = self.run_message(msg, kind, raw_length);
        let Some(machine) = self.machine.as_mut() else {
            return outcome;
        };
        let fault = machine
            .take_host_fault()
            .or_else(|| self.proofs.take_fault());
        let revert = fault.is_some();
        machine.blockstore().end_journal(revert);
        while machine.state_tree.transaction_depth() > depth {
            machine.state_tree.end_transaction(revert)?;
        }
        match fault {
            Some(fault) => Err(ExecutionFailure(anyhow::Error::new(fault))),
            None => outcome,
        }
    }

    fn run_message(
        &mut self,
        msg: &Message,
        kind: ApplyKind,
        raw_length: usize,
    ) -> Result<ApplyRet, ExecutionFailure> {
        let pre = match self.preflight(msg, kind, raw_length)? {
            Ok(p) => p,
            Err(ret) => return Ok(ret),
        };
        let machine = self
            .machine
            .take()
            .ok_or_else(|| ExecutionFailure(anyhow!("the executor was poisoned")))?;
        // `preflight` has checked that the limit fits an i64.
        let gas_limit = msg.gas_limit as i64;
        let mut cm = Fvm2CallManager::new(
            machine,
            self.engine.clone(),
            crate::syscalls::invoke_fvm2::<B, E>,
            self.proofs.clone() as Arc<dyn ProofVerifier>,
            gas_limit,
            msg.from,
            msg.sequence,
        );
        if let Some(Err(e)) = pre.inclusion.map(|c| cm.charge(c)) {
            let (_, machine) = cm.finish();
            self.machine = Some(machine);
            return Err(ExecutionFailure(anyhow!(
                "inclusion charge failed after preflight: {e}"
            )));
        }
        let params =
            (!msg.params.is_empty()).then(|| Block::new(DAG_CBOR, msg.params.to_vec(), Vec::new()));
        let result = cm.with_transaction(|cm| {
            let ret = cm.send(pre.sender, &msg.to, msg.method_num, params, &msg.value)?;
            if ret.exit_code.is_success() {
                let len = ret.value.as_ref().map_or(0, |b| b.data().len());
                cm.charge(cm.prices().on_chain_return_value(len))?;
            }
            Ok(ret)
        });
        let (finish, machine) = cm.finish();
        self.machine = Some(machine);
        let mut backtrace = finish.backtrace;
        let gas_used = finish.gas_used;

        let receipt = |exit_code, return_data, gas_used| Receipt {
            exit_code,
            return_data,
            gas_used,
            events_root: None,
        };
        let receipt = match result {
            Ok(InvocationResult { exit_code, value }) => {
                if exit_code.is_success() {
                    backtrace.clear();
                }
                let data = value
                    .map(|b| RawBytes::new(b.data().to_vec()))
                    .unwrap_or_default();
                receipt(exit_code, data, gas_used)
            }
            Err(ExecutionError::OutOfGas) => {
                receipt(ExitCode::SYS_OUT_OF_GAS, RawBytes::default(), gas_used)
            }
            Err(ExecutionError::Syscall(e)) => {
                let exit_code = match e.number {
                    ErrorNumber::InsufficientFunds => ExitCode::SYS_INSUFFICIENT_FUNDS,
                    ErrorNumber::NotFound => ExitCode::SYS_INVALID_RECEIVER,
                    _ => ExitCode::SYS_ASSERTION_FAILED,
                };
                backtrace.begin(Cause::Syscall {
                    module: "send",
                    function: "send",
                    number: e.number,
                    message: e.message,
                });
                receipt(exit_code, RawBytes::default(), gas_used)
            }
            Err(ExecutionError::Fatal(e)) => {
                backtrace.set_cause(Cause::Fatal(format!("{e:#}")));
                receipt(
                    ExitCode::SYS_ASSERTION_FAILED,
                    RawBytes::default(),
                    msg.gas_limit,
                )
            }
        };
        let failure_info = (!backtrace.is_empty() && !receipt.exit_code.is_success())
            .then_some(ApplyFailure::MessageBacktrace(backtrace));
        match kind {
            ApplyKind::Explicit => {
                self.finish_message(pre.sender, msg, receipt, failure_info, pre.gas_cost)
            }
            ApplyKind::Implicit => Ok(ApplyRet {
                receipt,
                penalty: TokenAmount::zero(),
                miner_tip: TokenAmount::zero(),
                base_fee_burn: TokenAmount::zero(),
                over_estimation_burn: TokenAmount::zero(),
                refund: TokenAmount::zero(),
                gas_refund: 0,
                gas_burned: 0,
                failure_info,
                events: Vec::new(),
                return_codec: None,
                exec_trace: Vec::new(),
            }),
        }
    }

    /// Validates the message and reserves its gas; `Ok(Err(ret))` is a rejected message.
    fn preflight(
        &mut self,
        msg: &Message,
        kind: ApplyKind,
        raw_length: usize,
    ) -> Result<Result<Preflight, ApplyRet>, ExecutionFailure> {
        check_message(msg).map_err(|e| ExecutionFailure(anyhow!("invalid message: {e}")))?;
        let machine = self.machine_mut()?;
        let base_fee = machine.context.base_fee.clone();
        let (inclusion, penalty) = match kind {
            ApplyKind::Implicit => (None, TokenAmount::zero()),
            ApplyKind::Explicit => {
                let inclusion = machine.prices.on_chain_message(raw_length);
                let total = inclusion.total().round_up();
                // Both sides are non-negative here: the limit was checked above, and the
                // inclusion charge only grows with the length.
                if total > msg.gas_limit as i64 {
                    let penalty = &base_fee * total.max(0).unsigned_abs();
                    return Ok(Err(ApplyRet::prevalidation_fail(
                        ExitCode::SYS_OUT_OF_GAS,
                        format!("Out of gas ({total} > {})", msg.gas_limit),
                        penalty,
                    )));
                }
                (Some(inclusion), &base_fee * msg.gas_limit)
            }
        };
        let sender_invalid = |penalty: TokenAmount, why: &str| {
            ApplyRet::prevalidation_fail(ExitCode::SYS_SENDER_INVALID, why, penalty)
        };
        let Some(sender) = machine
            .state_tree
            .lookup_id(&msg.from)
            .with_context(|| format!("failed to lookup actor {}", msg.from))?
        else {
            return Ok(Err(sender_invalid(penalty, "Sender invalid")));
        };
        if kind == ApplyKind::Implicit {
            return Ok(Ok(Preflight {
                sender,
                gas_cost: TokenAmount::zero(),
                inclusion,
            }));
        }
        let Some(mut state) = machine
            .state_tree
            .get_actor(sender)
            .with_context(|| format!("failed to lookup actor {}", msg.from))?
        else {
            return Ok(Err(sender_invalid(penalty, "Sender invalid")));
        };
        if !machine.manifest.is_account(&state.code) {
            return Ok(Err(sender_invalid(penalty, "Send not from account actor")));
        }
        if msg.sequence != state.sequence {
            return Ok(Err(ApplyRet::prevalidation_fail(
                ExitCode::SYS_SENDER_STATE_INVALID,
                format!(
                    "Actor sequence invalid: {} != {}",
                    msg.sequence, state.sequence
                ),
                penalty,
            )));
        }
        let gas_cost = &msg.gas_fee_cap * msg.gas_limit;
        if state.balance < gas_cost {
            return Ok(Err(ApplyRet::prevalidation_fail(
                ExitCode::SYS_SENDER_STATE_INVALID,
                format!(
                    "Actor balance less than needed: {} < {gas_cost}",
                    state.balance
                ),
                penalty,
            )));
        }
        // ref-fvm 2.x subtracts without a sign check: a negative reservation (a negative fee
        // cap, which no block holds) credits the sender. The balance covers it (checked above).
        state.balance = &state.balance - &gas_cost;
        // ref-fvm 2.x adds one to a u64 sequence; its release build wraps.
        state.sequence = state.sequence.wrapping_add(1);
        machine.state_tree.set_actor(sender, state);
        Ok(Ok(Preflight {
            sender,
            gas_cost,
            inclusion,
        }))
    }

    fn finish_message(
        &mut self,
        sender: ActorID,
        msg: &Message,
        receipt: Receipt,
        failure_info: Option<ApplyFailure>,
        gas_cost: TokenAmount,
    ) -> Result<ApplyRet, ExecutionFailure> {
        let machine = self.machine_mut()?;
        let out = GasOutputs::compute(
            receipt.gas_used,
            msg.gas_limit,
            &machine.context.base_fee,
            &msg.gas_fee_cap,
            &msg.gas_premium,
        );
        let mut pay = |to: ActorID, amount: &TokenAmount| -> anyhow::Result<()> {
            if amount.is_negative() {
                return Err(anyhow!(
                    "attempted to transfer a negative amount into an actor"
                ));
            }
            if amount.is_zero() {
                return Ok(());
            }
            machine
                .state_tree
                .mutate_existing_actor(to, |a| a.deposit_funds(amount).map_err(|e| anyhow!("{e}")))
                .with_context(|| format!("failed to lookup actor for transfer: {to}"))?;
            Ok(())
        };
        pay(BURNT_FUNDS_ACTOR_ID, &out.base_fee_burn)?;
        pay(REWARD_ACTOR_ID, &out.miner_tip)?;
        pay(BURNT_FUNDS_ACTOR_ID, &out.over_estimation_burn)?;
        pay(sender, &out.refund)?;
        if &out.base_fee_burn + &out.over_estimation_burn + &out.refund + &out.miner_tip != gas_cost
        {
            return Err(ExecutionFailure(anyhow!("Gas handling math is wrong")));
        }
        Ok(ApplyRet {
            receipt,
            penalty: out.miner_penalty,
            miner_tip: out.miner_tip,
            base_fee_burn: out.base_fee_burn,
            over_estimation_burn: out.over_estimation_burn,
            refund: out.refund,
            gas_refund: out.gas_refund,
            gas_burned: out.gas_burned,
            failure_info,
            events: Vec::new(),
            return_codec: None,
            exec_trace: Vec::new(),
        })
    }
}
