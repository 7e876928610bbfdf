//! The executor (layer 6): applies messages to a [`Machine`].
//!
//! [`Executor::apply_message`] validates an explicit message exactly as ref-fvm 4.8 does (sender
//! kind, nonce, inclusion charge against the gas limit, balance for the whole gas reservation),
//! reserves the gas fee and bumps the nonce, runs the message's send in a transaction through a
//! [`CallManager`], and then pays the gas outputs (base fee and over-estimation burned to f099,
//! tip to f02, refund to the sender). Implicit messages (from the system, e.g. cron) skip
//! validation and payment. Failures of the message itself are receipts; only fatal problems of
//! the node (blockstore errors, kernel bugs) are `Err`.
//!
//! A failure of the node's services met while a message runs (a blockstore read that errs, a
//! block that does not hash to its CID, a panic in the externs or the proof verifier: a
//! [`HostFault`](crate::machine::HostFault)) makes [`Executor::apply_message`] return an error carrying the fault, whatever
//! the message would otherwise have produced, and undoes everything the message did (state tree
//! changes, buffered blocks): the executor stays usable and is exactly as before the message. A
//! fault met by [`Executor::flush`] fails the flush, which can be retried.

#![warn(missing_docs)]

use anyhow::{anyhow, Context as _};
use cid::Cid;
use fern_shared::address::{Payload, BURNT_FUNDS_ACTOR_ID, EAM_ACTOR_ID, REWARD_ACTOR_ID};
use fern_shared::consts::{CBOR, IPLD_RAW};
use fern_shared::econ::TokenAmount;
use fern_shared::error::{ErrorNumber, ExitCode};
use fern_shared::event::StampedEvent;
use fern_shared::message::Message;
use fern_shared::receipt::Receipt;
use fern_shared::{ActorID, METHOD_SEND};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::RawBytes;

use crate::call_manager::backtrace::Cause;
use crate::call_manager::{
    Backtrace, Block, CallManager, Entrypoint, ExecEvent, ExecTrace, ExecutionError,
    InvocationResult, MessageOrigin,
};
use crate::engine::Engine;
use crate::gas::{GasCharge, GasOutputs};
use crate::machine::{Externs, GuardedProofs, Machine, NoProofVerifier, ProofVerifier};
use std::sync::Arc;

pub mod fvm2;
mod versioned;
pub use fvm2::Fvm2Executor;
pub use versioned::VersionedExecutor;

/// Whether a message came from a block (paid, validated) or from the system itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyKind {
    /// A message included in a block: validated, charged for inclusion, pays gas.
    Explicit,
    /// A system message (cron, rewards): no validation, no inclusion charge, no payment.
    Implicit,
}

/// Why a message failed, for diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyFailure {
    /// Rejected before execution.
    PreValidation(String),
    /// Failed during execution.
    MessageBacktrace(Backtrace),
}

/// `pre-validation failed: <reason>` or `message failed with backtrace:` and the backtrace's
/// lines (diagnostics, as node clients show them; not consensus).
impl std::fmt::Display for ApplyFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApplyFailure::PreValidation(why) => write!(f, "pre-validation failed: {why}"),
            ApplyFailure::MessageBacktrace(bt) => {
                write!(f, "message failed with backtrace:\n{bt}")
            }
        }
    }
}

/// The outcome of applying one message.
#[derive(Debug, Clone)]
pub struct ApplyRet {
    /// The receipt that goes on chain.
    pub receipt: Receipt,
    /// Amount the block miner is penalized (burned by the node).
    pub penalty: TokenAmount,
    /// Tip paid to the reward actor.
    pub miner_tip: TokenAmount,
    /// Base fee burned.
    pub base_fee_burn: TokenAmount,
    /// Over-estimation fee burned.
    pub over_estimation_burn: TokenAmount,
    /// Amount refunded to the sender.
    pub refund: TokenAmount,
    /// Unused gas refunded.
    pub gas_refund: u64,
    /// Unused gas burned.
    pub gas_burned: u64,
    /// Why the message failed, if it did.
    pub failure_info: Option<ApplyFailure>,
    /// The events the message emitted.
    pub events: Vec<StampedEvent>,
    /// Codec of the return value, if any.
    pub return_codec: Option<u64>,
    /// The execution trace (calls, returns, errors, actors invoked, gas charges, blocks read
    /// and written, debug logs), in order, when the machine context enables tracing; empty
    /// otherwise, and for messages rejected before execution. See
    /// [`ExecEvent`] and FIPS/execution.md.
    pub exec_trace: ExecTrace,
}

impl ApplyRet {
    fn prevalidation_fail(code: ExitCode, why: impl Into<String>, penalty: TokenAmount) -> Self {
        ApplyRet {
            receipt: Receipt {
                exit_code: code,
                return_data: RawBytes::default(),
                gas_used: 0,
                events_root: None,
            },
            penalty,
            miner_tip: TokenAmount::zero(),
            base_fee_burn: TokenAmount::zero(),
            over_estimation_burn: TokenAmount::zero(),
            refund: TokenAmount::zero(),
            gas_refund: 0,
            gas_burned: 0,
            failure_info: Some(ApplyFailure::PreValidation(why.into())),
            events: Vec::new(),
            return_codec: None,
            exec_trace: Vec::new(),
        }
    }

    /// The gas charges of the execution trace, in order: every charge attempted, including the
    /// one that ran out of gas (empty when not tracing).
    pub fn gas_charges(&self) -> impl Iterator<Item = &GasCharge> + '_ {
        self.exec_trace.iter().filter_map(ExecEvent::as_gas_charge)
    }
}

/// A fatal error: the node cannot apply messages any more (or a kernel bug was hit).
#[derive(Debug, thiserror::Error)]
#[error("fatal execution error: {0:#}")]
pub struct ExecutionFailure(#[from] pub anyhow::Error);

/// Applies messages to a machine. See the [module docs](self).
pub struct Executor<B: Blockstore + 'static, E: Externs + 'static> {
    engine: Engine,
    proofs: Arc<GuardedProofs>,
    /// Boxed: it moves into each message's call manager and back, and is a few KiB.
    machine: Option<Box<Machine<B, E>>>,
}

struct Preflight {
    sender: ActorID,
    gas_cost: TokenAmount,
    inclusion: GasCharge,
}

impl<B: Blockstore + 'static, E: Externs + 'static> Executor<B, E> {
    /// An executor running `machine`'s messages with `engine` (built for the same network
    /// version), without a proof verifier ([`NoProofVerifier`]).
    pub fn new(engine: Engine, machine: Machine<B, E>) -> Self {
        Self::with_proof_verifier(engine, machine, Arc::new(NoProofVerifier))
    }

    /// Like [`new`](Self::new), with the host's proof verifier.
    pub fn with_proof_verifier(
        engine: Engine,
        machine: Machine<B, E>,
        proofs: Arc<dyn ProofVerifier>,
    ) -> Self {
        Executor {
            engine,
            proofs: Arc::new(GuardedProofs::new(proofs)),
            machine: Some(Box::new(machine)),
        }
    }

    /// Compiles every built-in actor of the manifest into the engine's cache, as ref-fvm's
    /// executor does when it is created (outside its test configuration); returns the total
    /// instrumented size. Optional: modules are otherwise compiled on first use.
    pub fn preload_builtin_actors(&self) -> Result<usize, ExecutionFailure> {
        let machine = self
            .machine
            .as_ref()
            .ok_or_else(|| ExecutionFailure(anyhow!("the executor was poisoned")))?;
        self.engine
            .preload(machine.manifest.codes(), machine.blockstore())
            .map_err(|e| ExecutionFailure(anyhow!("cannot preload the built-in actors: {e}")))
    }

    /// The machine (`None` only after a fatal error poisoned the executor).
    pub fn machine(&self) -> Option<&Machine<B, E>> {
        self.machine.as_deref()
    }

    fn machine_mut(&mut self) -> Result<&mut Machine<B, E>, ExecutionFailure> {
        self.machine
            .as_deref_mut()
            .ok_or_else(|| ExecutionFailure(anyhow!("the executor was poisoned by a fatal error")))
    }

    /// Flushes the state tree and returns the new state root. A failure of the node's
    /// blockstore is an error carrying the [`HostFault`](crate::machine::HostFault); the machine keeps every block not yet
    /// written, so the flush can be retried.
    pub fn flush(&mut self) -> Result<Cid, ExecutionFailure> {
        let machine = self.machine_mut()?;
        // A fault recorded outside a message or flush (a caller's own reads) is not this flush's.
        let _ = machine.take_host_fault();
        let flushed = machine.flush();
        if let Some(fault) = machine.take_host_fault() {
            return Err(ExecutionFailure(anyhow::Error::new(fault)));
        }
        Ok(flushed?)
    }

    /// Gives the machine back.
    pub fn into_machine(self) -> Option<Machine<B, E>> {
        self.machine.map(|m| *m)
    }

    /// Applies `msg`, whose serialized (signed, for explicit messages) length is `raw_length`.
    ///
    /// A [`HostFault`](crate::machine::HostFault) met on the way is an error carrying it, and the message leaves no trace
    /// (see the [module docs](self)).
    pub fn apply_message(
        &mut self,
        msg: &Message,
        kind: ApplyKind,
        raw_length: usize,
    ) -> Result<ApplyRet, ExecutionFailure> {
        // At most `concurrency` call stacks run on one engine at a time (its instance pool is
        // sized for that); executors sharing the engine wait here.
        let engine = self.engine.clone();
        let _admitted = engine.admit();
        let depth = {
            let machine = self.machine_mut()?;
            // Faults recorded outside a message (a caller's own reads) are not this message's.
            let _ = machine.take_host_fault();
            let depth = machine.state_tree.transaction_depth();
            machine.state_tree.begin_transaction();
            machine.blockstore().begin_journal();
            depth
        };
        let _ = self.proofs.take_fault();
        let outcome = self.run_message(msg, kind, raw_length);
        // `None` only when a panic in the kernel took the machine with it.
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
        let receiver = machine
            .state_tree
            .lookup_id(&msg.to)
            .context("failure when looking up the message receiver");
        let receiver = match receiver {
            Ok(r) => r,
            Err(e) => {
                self.machine = Some(machine);
                return Err(e.into());
            }
        };
        let base_fee = machine.context.base_fee.clone();
        let effective_premium = {
            let cap = &msg.gas_fee_cap - &base_fee;
            let p = msg.gas_premium.clone().min(cap);
            p.max(TokenAmount::zero())
        };
        let mut cm = CallManager::new(
            machine,
            self.engine.clone(),
            crate::syscalls::invoke::<B, E>,
            self.proofs.clone() as Arc<dyn ProofVerifier>,
            msg.gas_limit,
            MessageOrigin {
                origin: pre.sender,
                origin_address: msg.from,
                nonce: msg.sequence,
                gas_premium: effective_premium,
            },
            receiver,
            &msg.to,
        );
        if let Err(e) = cm.charge(pre.inclusion.clone()) {
            let (_, machine) = cm.finish();
            self.machine = Some(machine);
            return Err(ExecutionFailure(anyhow!(
                "inclusion charge failed after preflight: {e}"
            )));
        }
        let params = (!msg.params.is_empty()).then(|| {
            let codec = if msg.method_num == METHOD_SEND {
                IPLD_RAW
            } else {
                CBOR
            };
            Block::new(codec, msg.params.to_vec(), Vec::new())
        });
        let result = cm.with_transaction(|cm| {
            cm.call_actor(
                pre.sender,
                msg.to,
                Entrypoint::Invoke(msg.method_num),
                params,
                &msg.value,
                None,
                false,
            )
        });
        let (finish, machine) = cm.finish();
        self.machine = Some(machine);
        let finish = finish.map_err(|e| ExecutionFailure(anyhow!("{e}")))?;
        let mut backtrace = finish.backtrace;
        let gas_used = finish.gas_used;
        let exec_trace = finish.exec_trace;
        let events_root = finish.events_root;

        let (receipt, return_codec) = match result {
            Ok(InvocationResult { exit_code, value }) => {
                let (data, codec) = match value {
                    Some(b) => (RawBytes::new(b.data().to_vec()), Some(b.codec())),
                    None => (RawBytes::default(), None),
                };
                if exit_code.is_success() {
                    backtrace.clear();
                }
                (
                    Receipt {
                        exit_code,
                        return_data: data,
                        gas_used,
                        events_root,
                    },
                    codec,
                )
            }
            Err(ExecutionError::OutOfGas) => (
                Receipt {
                    exit_code: ExitCode::SYS_OUT_OF_GAS,
                    return_data: RawBytes::default(),
                    gas_used,
                    events_root,
                },
                None,
            ),
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
                (
                    Receipt {
                        exit_code,
                        return_data: RawBytes::default(),
                        gas_used,
                        events_root,
                    },
                    None,
                )
            }
            Err(ExecutionError::Fatal(e)) => {
                backtrace.set_cause(Cause::Fatal(format!("{e:#}")));
                (
                    Receipt {
                        exit_code: ExitCode::SYS_ASSERTION_FAILED,
                        return_data: RawBytes::default(),
                        gas_used: msg.gas_limit,
                        events_root,
                    },
                    None,
                )
            }
        };
        let failure_info = (!backtrace.is_empty() && !receipt.exit_code.is_success())
            .then_some(ApplyFailure::MessageBacktrace(backtrace));

        match kind {
            ApplyKind::Explicit => self.finish_message(
                pre.sender,
                msg,
                receipt,
                failure_info,
                pre.gas_cost,
                finish.events,
                return_codec,
                exec_trace,
            ),
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
                events: finish.events,
                return_codec,
                exec_trace,
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
        msg.check()
            .map_err(|e| ExecutionFailure(anyhow!("invalid message: {e}")))?;
        let machine = self.machine_mut()?;
        let prices = machine.config.price_list;
        let base_fee = machine.context.base_fee.clone();
        let (inclusion, penalty) = match kind {
            ApplyKind::Implicit => (
                GasCharge::named("none", crate::gas::Gas::ZERO, crate::gas::Gas::ZERO),
                TokenAmount::zero(),
            ),
            ApplyKind::Explicit => {
                let inclusion = prices.on_chain_message(raw_length);
                let total = inclusion.total().round_up();
                if total > msg.gas_limit {
                    return Ok(Err(ApplyRet::prevalidation_fail(
                        ExitCode::SYS_OUT_OF_GAS,
                        format!("Out of gas ({total} > {})", msg.gas_limit),
                        &base_fee * total,
                    )));
                }
                (inclusion, &base_fee * msg.gas_limit)
            }
        };
        let sender = match machine
            .state_tree
            .lookup_id(&msg.from)
            .with_context(|| format!("failed to look up actor {}", msg.from))?
        {
            Some(id) => id,
            None => {
                return Ok(Err(ApplyRet::prevalidation_fail(
                    ExitCode::SYS_SENDER_INVALID,
                    "Sender invalid",
                    penalty,
                )))
            }
        };
        if kind == ApplyKind::Implicit {
            return Ok(Ok(Preflight {
                sender,
                gas_cost: TokenAmount::zero(),
                inclusion,
            }));
        }
        let mut state = match machine
            .state_tree
            .get_actor(sender)
            .with_context(|| format!("failed to look up actor {}", msg.from))?
        {
            Some(a) => a,
            None => {
                return Ok(Err(ApplyRet::prevalidation_fail(
                    ExitCode::SYS_SENDER_INVALID,
                    "Sender invalid",
                    penalty,
                )))
            }
        };
        let manifest = &machine.manifest;
        let mut valid = manifest.is_account(&state.code) || manifest.is_ethaccount(&state.code);
        if manifest.is_placeholder(&state.code)
            && state.sequence == 0
            && matches!(
                state.delegated_address.as_ref().map(|a| *a.payload()),
                Some(Payload::Delegated(d)) if d.namespace() == EAM_ACTOR_ID
            )
        {
            valid = true;
            state.code = *manifest.ethaccount_code();
        }
        if !valid {
            return Ok(Err(ApplyRet::prevalidation_fail(
                ExitCode::SYS_SENDER_INVALID,
                "Send not from valid sender",
                penalty,
            )));
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
        // Wraps after u64::MAX, as ref-fvm's release build does.
        state.sequence = state.sequence.wrapping_add(1);
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
        state
            .deduct_funds(&gas_cost)
            .map_err(|e| ExecutionFailure(anyhow!("{e}")))?;
        machine.state_tree.set_actor(sender, state);
        Ok(Ok(Preflight {
            sender,
            gas_cost,
            inclusion,
        }))
    }

    #[allow(clippy::too_many_arguments)]
    fn finish_message(
        &mut self,
        sender: ActorID,
        msg: &Message,
        receipt: Receipt,
        failure_info: Option<ApplyFailure>,
        gas_cost: TokenAmount,
        events: Vec<StampedEvent>,
        return_codec: Option<u64>,
        exec_trace: ExecTrace,
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
            // A missing recipient (no reward actor, no burnt-funds actor) is fatal, as in
            // ref-fvm: the amount must not vanish from the supply.
            machine
                .state_tree
                .mutate_existing_actor(to, |a| a.deposit_funds(amount).map_err(|e| anyhow!("{e}")))
                .with_context(|| format!("cannot pay {amount} to actor {to}"))?;
            Ok(())
        };
        pay(BURNT_FUNDS_ACTOR_ID, &out.base_fee_burn)?;
        pay(REWARD_ACTOR_ID, &out.miner_tip)?;
        pay(BURNT_FUNDS_ACTOR_ID, &out.over_estimation_burn)?;
        pay(sender, &out.refund)?;
        if &out.base_fee_burn + &out.over_estimation_burn + &out.refund + &out.miner_tip != gas_cost
        {
            return Err(ExecutionFailure(anyhow!(
                "gas outputs do not add up to the gas cost"
            )));
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
            events,
            return_codec,
            exec_trace,
        })
    }
}
