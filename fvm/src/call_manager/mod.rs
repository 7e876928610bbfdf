//! The call manager (layer 3): everything that lives for the duration of one message's call
//! stack.
//!
//! It owns the [`Machine`] while the message runs, the message's [`GasTracker`], the
//! [`StateAccessTracker`] (first-access charges), the message's [`MemoryLimiter`], the events
//! emitted so far and the backtrace. It performs sends ([`CallManager::call_actor`]): address
//! resolution, automatic creation of account and placeholder actors, value transfer, the
//! invocation charge, the call-depth limit, per-send gas limits, and the return-value charge.
//!
//! Running actor code needs the kernel and syscall layers, which sit above this one. The call
//! manager therefore does not run Wasm itself: the executor hands it an [`InvokeFn`] when it
//! creates it, and the call manager calls that function with itself (by value) and an
//! [`Invocation`]. No module of this layer names a higher layer.

#![warn(missing_docs)]

mod access;
pub mod backtrace;
mod block;
mod error;
mod events;
pub mod fvm2;
pub mod trace;

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use anyhow::anyhow;
use cid::Cid;
use fern_shared::address::{Address, Payload, EAM_ACTOR_ID, SYSTEM_ACTOR_ID};
use fern_shared::econ::TokenAmount;
use fern_shared::error::{ErrorNumber, ExitCode};
use fern_shared::event::StampedEvent;
use fern_shared::state::ActorState;
use fern_shared::upgrade::UpgradeInfo;
use fern_shared::{ActorID, MethodNum, METHOD_CONSTRUCTOR, METHOD_SEND};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CBOR;

pub use access::{Access, StateAccessTracker};
pub use backtrace::Backtrace;
pub use block::Block;
pub use error::{syscall_error, Classify, ExecutionError, Result, SyscallError};
pub use events::{EventsAccumulator, EVENTS_AMT_BITWIDTH};
pub use fvm2::{Fvm2CallManager, Fvm2FinishRet, Fvm2InvokeFn, Fvm2State};
pub use trace::{ExecEvent, ExecTrace, IpldOp, TraceBlock};

use crate::engine::{Engine, MemoryLimiter};
use crate::gas::{Gas, GasCharge, GasTracker, KernelGeneration, PriceList};
use crate::machine::{Externs, Machine, ProofVerifier};

/// Block handle meaning "no block" (absent parameters or return value).
pub const NO_DATA_BLOCK_ID: u32 = 0;

/// Name of the Wasm export every actor call enters through.
pub const INVOKE_EXPORT: &str = "invoke";

/// Name of the Wasm export an upgrade enters through.
pub const UPGRADE_EXPORT: &str = "upgrade";

/// Method number the new code sees during an upgrade.
pub const METHOD_UPGRADE: MethodNum = 932083;

/// How a call enters the callee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entrypoint {
    /// The constructor the VM runs itself when a send creates an account actor (method 1, caller
    /// the system actor).
    ImplicitConstructor,
    /// An ordinary method call.
    Invoke(MethodNum),
    /// The `upgrade` export of an actor's new code, with the code it had before.
    Upgrade(UpgradeInfo),
}

impl Entrypoint {
    /// The method number the callee sees.
    pub fn method_num(self) -> MethodNum {
        match self {
            Entrypoint::ImplicitConstructor => METHOD_CONSTRUCTOR,
            Entrypoint::Invoke(m) => m,
            Entrypoint::Upgrade(_) => METHOD_UPGRADE,
        }
    }

    /// The Wasm export the call enters through.
    pub fn export_name(self) -> &'static str {
        match self {
            Entrypoint::ImplicitConstructor | Entrypoint::Invoke(_) => INVOKE_EXPORT,
            Entrypoint::Upgrade(_) => UPGRADE_EXPORT,
        }
    }

    /// Whether this is a bare value transfer (method 0), which runs no code.
    pub fn is_bare_send(self) -> bool {
        matches!(self, Entrypoint::Invoke(METHOD_SEND))
    }
}

/// Outcome of a call that ran to completion (successfully or with an exit code).
#[derive(Debug, Clone)]
pub struct InvocationResult {
    /// The callee's exit code.
    pub exit_code: ExitCode,
    /// The returned block, if any.
    pub value: Option<Block>,
}

impl Default for InvocationResult {
    fn default() -> Self {
        InvocationResult {
            exit_code: ExitCode::OK,
            value: None,
        }
    }
}

/// What [`InvokeFn`] is asked to run.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The caller.
    pub from: ActorID,
    /// The callee.
    pub to: ActorID,
    /// The callee's code.
    pub code: Cid,
    /// How the callee is entered.
    pub entrypoint: Entrypoint,
    /// The parameters block.
    pub params: Option<Block>,
    /// The value transferred with the call (already moved).
    pub value: TokenAmount,
    /// Whether the call may not change state.
    pub read_only: bool,
}

/// Runs actor code for an [`Invocation`]: supplied by the executor, implemented by the syscall
/// layer. It receives the call manager by value (the callee's kernel owns it while the code
/// runs) and must hand it back.
pub type InvokeFn<B, E> =
    fn(CallManager<B, E>, Invocation) -> (CallManager<B, E>, Result<InvocationResult>);

/// What a finished call manager reports to the executor.
#[derive(Debug)]
pub struct FinishRet {
    /// Gas used by the message, in whole gas rounded up.
    pub gas_used: u64,
    /// Why the message failed, if it did.
    pub backtrace: Backtrace,
    /// Events that survived, in emission order.
    pub events: Vec<StampedEvent>,
    /// Root of the events AMT, when there are events.
    pub events_root: Option<Cid>,
    /// The execution trace (only when the machine context enables tracing; empty otherwise).
    pub exec_trace: ExecTrace,
}

/// Fixed facts about the message whose call stack this is.
#[derive(Debug, Clone)]
pub struct MessageOrigin {
    /// The sender's actor id.
    pub origin: ActorID,
    /// The sender's address as written in the message (used to derive f2 addresses).
    pub origin_address: Address,
    /// The message's nonce.
    pub nonce: u64,
    /// The effective gas premium.
    pub gas_premium: TokenAmount,
}

/// The state of one message's call stack. See the [module docs](self).
pub struct State<B: Blockstore + 'static, E: Externs + 'static> {
    /// The machine.
    pub machine: Box<Machine<B, E>>,
    /// The engine compiling and caching actor code.
    pub engine: Engine,
    /// The message's gas account.
    pub gas: GasTracker,
    /// First-access bookkeeping.
    pub access: StateAccessTracker,
    /// Memory held by the Wasm instances of the stack.
    pub limiter: MemoryLimiter,
    /// Events emitted so far.
    pub events: EventsAccumulator,
    /// Diagnostics.
    pub backtrace: Backtrace,
    /// The message's origin facts.
    pub message: MessageOrigin,
    /// Actors created so far (feeds [`CallManager::next_actor_address`]).
    pub actors_created: u64,
    /// Current call depth (the message's own call is 1).
    pub depth: u32,
    /// Number of actor invocations that ran code.
    pub invocation_count: u64,
    /// The actors currently on the stack, with the export each was entered through.
    pub call_stack: Vec<(ActorID, &'static str)>,
    /// How to run actor code.
    pub invoke: InvokeFn<B, E>,
    /// The host's proof verifier.
    pub proofs: Arc<dyn ProofVerifier>,
    /// The execution trace so far, when tracing (gas charges not yet moved here wait in the
    /// gas tracker until the next event).
    pub exec_trace: Option<ExecTrace>,
}

/// The call manager of one message. It is moved into the kernel of each invocation while actor
/// code runs; [`take`](Self::take) and [`restore`](Self::restore) do that move.
pub struct CallManager<B: Blockstore + 'static, E: Externs + 'static>(Option<Box<State<B, E>>>);

impl<B: Blockstore + 'static, E: Externs + 'static> Deref for CallManager<B, E> {
    type Target = State<B, E>;
    fn deref(&self) -> &State<B, E> {
        // A hollow call manager is only ever left behind in a frame that is waiting for its
        // callee, and such a frame never touches it before `restore`.
        self.0
            .as_deref()
            .expect("call manager used while lent to a callee")
    }
}

impl<B: Blockstore + 'static, E: Externs + 'static> DerefMut for CallManager<B, E> {
    fn deref_mut(&mut self) -> &mut State<B, E> {
        self.0
            .as_deref_mut()
            .expect("call manager used while lent to a callee")
    }
}

impl<B: Blockstore + 'static, E: Externs + 'static> CallManager<B, E> {
    /// A call manager for a message with `gas_limit` (whole gas). The origin and the receiver
    /// (if it already exists) count as already accessed: the executor has looked them up and
    /// paid for the origin's update in the inclusion charge.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        machine: Box<Machine<B, E>>,
        engine: Engine,
        invoke: InvokeFn<B, E>,
        proofs: Arc<dyn ProofVerifier>,
        gas_limit: u64,
        message: MessageOrigin,
        receiver: Option<ActorID>,
        receiver_address: &Address,
    ) -> Self {
        let tracing = machine.context.tracing;
        let gas = GasTracker::new(Gas::new(gas_limit), Gas::ZERO, tracing);
        let access = StateAccessTracker::new(machine.config.price_list.preloaded_actors);
        access.record_actor_update(message.origin);
        access.record_address(&message.origin_address);
        if let Some(id) = receiver {
            access.record_actor_read(id);
        }
        access.record_address(receiver_address);
        CallManager(Some(Box::new(State {
            machine,
            engine,
            gas,
            access,
            limiter: MemoryLimiter::for_message(),
            events: EventsAccumulator::default(),
            backtrace: Backtrace::default(),
            message,
            actors_created: 0,
            depth: 0,
            invocation_count: 0,
            call_stack: Vec::new(),
            invoke,
            proofs,
            exec_trace: tracing.then(Vec::new),
        })))
    }

    /// Moves the state out, leaving `self` hollow until [`restore`](Self::restore).
    pub fn take(&mut self) -> CallManager<B, E> {
        CallManager(self.0.take())
    }

    /// Puts back a call manager taken with [`take`](Self::take).
    pub fn restore(&mut self, other: CallManager<B, E>) {
        self.0 = other.0;
    }

    /// The price list of the network version.
    pub fn price_list(&self) -> &'static PriceList {
        self.machine.config.price_list
    }

    /// Takes a charge from the message's gas account.
    pub fn charge(&self, charge: GasCharge) -> Result<()> {
        self.gas
            .charge(charge)
            .map_err(|_| ExecutionError::OutOfGas)
    }

    /// Ends the message: gas used (rounded up), backtrace, events and their AMT root, and the
    /// machine back.
    pub fn finish(mut self) -> (Result<FinishRet>, Box<Machine<B, E>>) {
        let Some(state) = self.0.take() else {
            unreachable!("finishing a hollow call manager")
        };
        let State {
            machine,
            gas,
            events,
            backtrace,
            exec_trace,
            ..
        } = *state;
        let gas_used = gas.used().round_up();
        let exec_trace = match exec_trace {
            Some(mut trace) => {
                gas.drain_trace_into(&mut trace, ExecEvent::GasCharge);
                trace
            }
            None => Vec::new(),
        };
        let ret = events
            .finish()
            .map_err(ExecutionError::Fatal)
            .map(|(events, events_root)| FinishRet {
                gas_used,
                backtrace,
                events,
                events_root,
                exec_trace,
            });
        (ret, machine)
    }

    /// Runs `f` in a transaction of the state tree, the events and the access tracker, reverted
    /// when `f` fails or returns a non-zero exit code.
    pub fn with_transaction(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<InvocationResult>,
    ) -> Result<InvocationResult> {
        self.machine.state_tree.begin_transaction();
        self.events.begin_transaction();
        self.access.begin_transaction();
        let res = f(self);
        let revert = match &res {
            Ok(r) => !r.exit_code.is_success(),
            Err(_) => true,
        };
        self.machine
            .state_tree
            .end_transaction(revert)
            .map_err(ExecutionError::Fatal)?;
        self.events
            .end_transaction(revert)
            .map_err(ExecutionError::Fatal)?;
        self.access
            .end_transaction(revert)
            .map_err(ExecutionError::Fatal)?;
        res
    }

    /// Whether an execution trace is being recorded.
    pub fn is_tracing(&self) -> bool {
        self.exec_trace.is_some()
    }

    /// Appends `event` to the execution trace, after the gas charges taken since the previous
    /// event. Does nothing when not tracing.
    pub fn trace(&mut self, event: impl FnOnce() -> ExecEvent) {
        let state = &mut **self;
        if let Some(trace) = &mut state.exec_trace {
            state.gas.drain_trace_into(trace, ExecEvent::GasCharge);
            trace.push(event());
        }
    }

    /// Records a `debug::log` message in the execution trace (when tracing).
    pub fn log(&mut self, message: impl FnOnce() -> String) {
        self.trace(|| ExecEvent::Log(message()));
    }

    /// Records a block read or write in the execution trace (when tracing).
    pub fn trace_ipld(&mut self, op: IpldOp, cid: Cid, size: usize) {
        self.trace(|| ExecEvent::Ipld { op, cid, size });
    }

    /// Sends: calls `entrypoint` of `to` from `from` with `params` and `value`, optionally under
    /// its own gas limit. If the callee runs out of gas under that limit while the outer account
    /// still has gas, the result is exit code `SYS_OUT_OF_GAS` instead of an error.
    ///
    /// When tracing, an [`Invoke`](Entrypoint::Invoke) records [`ExecEvent::Call`] first and
    /// [`ExecEvent::CallReturn`] or [`ExecEvent::CallError`] last (after the gas limit is popped
    /// and out of gas is turned into an exit code).
    #[allow(clippy::too_many_arguments)]
    pub fn call_actor(
        &mut self,
        from: ActorID,
        to: Address,
        entrypoint: Entrypoint,
        params: Option<Block>,
        value: &TokenAmount,
        gas_limit: Option<Gas>,
        read_only: bool,
    ) -> Result<InvocationResult> {
        let traced = self.is_tracing() && matches!(entrypoint, Entrypoint::Invoke(_));
        if traced {
            let limit = gas_limit
                .unwrap_or(Gas::MAX)
                .round_up()
                .min(self.gas.available().round_up());
            self.trace(|| ExecEvent::Call {
                from,
                to,
                method: entrypoint.method_num(),
                params: params.as_ref().map(TraceBlock::from),
                value: value.clone(),
                gas_limit: limit,
                read_only,
            });
        }
        if let Some(limit) = gas_limit {
            self.gas.push_limit(limit);
        }
        // ref-fvm 3.x returns from a send refused for its call depth without popping the gas
        // limit it pushed: the account keeps running under that limit and every later pop is one
        // level off (FIPS/versions.md §4.3). Reproduced under its rules.
        let leaks_limit = self.price_list().generation == KernelGeneration::Fvm3
            && self.depth >= self.machine.config.limits.max_call_depth;
        let mut result = self.with_stack_frame(|cm| {
            cm.call_actor_unchecked(from, to, entrypoint, params, value, read_only)
        });
        if gas_limit.is_some() && !leaks_limit {
            self.gas
                .pop_limit()
                .map_err(|e| ExecutionError::Fatal(anyhow!("{e}")))?;
        }
        if !self.gas.available().is_zero() && matches!(result, Err(ExecutionError::OutOfGas)) {
            result = Ok(InvocationResult {
                exit_code: ExitCode::SYS_OUT_OF_GAS,
                value: None,
            });
        }
        if traced {
            self.trace(|| match &result {
                Ok(r) => ExecEvent::CallReturn {
                    exit_code: r.exit_code,
                    value: r.value.as_ref().map(TraceBlock::from),
                },
                Err(ExecutionError::OutOfGas) => ExecEvent::CallReturn {
                    exit_code: ExitCode::SYS_OUT_OF_GAS,
                    value: None,
                },
                Err(ExecutionError::Syscall(e)) => ExecEvent::CallError(e.clone()),
                Err(ExecutionError::Fatal(_)) => {
                    ExecEvent::CallError(SyscallError::new(ErrorNumber::Forbidden, "fatal"))
                }
            });
        }
        result
    }

    fn with_stack_frame<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if self.depth >= self.machine.config.limits.max_call_depth {
            return Err(syscall_error(
                ErrorNumber::LimitExceeded,
                "message execution exceeds call depth",
            ));
        }
        self.depth += 1;
        let mark = self.limiter.mark();
        let res = f(self);
        self.limiter.release_to(mark);
        self.depth -= 1;
        res
    }

    fn call_actor_unchecked(
        &mut self,
        from: ActorID,
        to: Address,
        entrypoint: Entrypoint,
        params: Option<Block>,
        value: &TokenAmount,
        read_only: bool,
    ) -> Result<InvocationResult> {
        let to_id = match self.resolve_address(&to)? {
            Some(id) => id,
            None => match to.payload() {
                Payload::Secp256k1(_) | Payload::BLS(_) => {
                    if read_only {
                        return Err(syscall_error(
                            ErrorNumber::ReadOnly,
                            format!("cannot auto-create account {to} in read-only calls"),
                        ));
                    }
                    self.create_account_from_send(&to)?
                }
                Payload::Delegated(d) if d.namespace() == EAM_ACTOR_ID => {
                    if read_only {
                        return Err(syscall_error(
                            ErrorNumber::ReadOnly,
                            format!("cannot auto-create account {to} in read-only calls"),
                        ));
                    }
                    self.create_placeholder_from_send(&to)?
                }
                _ => {
                    return Err(syscall_error(
                        ErrorNumber::NotFound,
                        format!("actor does not exist or cannot be created: {to}"),
                    ))
                }
            },
        };
        self.call_stack.push((to_id, entrypoint.export_name()));
        let res = self.call_actor_resolved(from, to_id, entrypoint, params, value, read_only);
        self.call_stack.pop();
        res
    }

    /// Registers `addr` and stores `state` under the new id, charging `OnCreateActor` with
    /// address assignment plus the new actor's lookup and update.
    fn create_actor_from_send(&mut self, addr: &Address, state: ActorState) -> Result<ActorID> {
        self.charge(self.price_list().on_create_actor(true))?;
        let id = self
            .machine
            .state_tree
            .register_new_address(addr)
            .map_err(ExecutionError::Fatal)?;
        self.access.record_address(addr);
        self.set_actor(id, state)?;
        Ok(id)
    }

    fn create_account_from_send(&mut self, addr: &Address) -> Result<ActorID> {
        if addr.is_bls_zero_address() {
            return Err(syscall_error(
                ErrorNumber::IllegalArgument,
                "cannot create the bls zero address actor",
            ));
        }
        let code = *self.machine.manifest.account_code();
        let id = self.create_actor_from_send(addr, ActorState::new_empty(code, None))?;
        let params = fvm_ipld_encoding::to_vec(addr)
            .map_err(|e| syscall_error(ErrorNumber::IllegalArgument, e.to_string()))?;
        self.call_actor_resolved(
            SYSTEM_ACTOR_ID,
            id,
            Entrypoint::ImplicitConstructor,
            Some(Block::new(CBOR, params, Vec::new())),
            &TokenAmount::zero(),
            false,
        )?;
        Ok(id)
    }

    fn create_placeholder_from_send(&mut self, addr: &Address) -> Result<ActorID> {
        let code = *self.machine.manifest.placeholder_code();
        self.create_actor_from_send(addr, ActorState::new_empty(code, Some(*addr)))
    }

    fn call_actor_resolved(
        &mut self,
        from: ActorID,
        to: ActorID,
        entrypoint: Entrypoint,
        params: Option<Block>,
        value: &TokenAmount,
        read_only: bool,
    ) -> Result<InvocationResult> {
        let state = self.get_actor(to)?.ok_or_else(|| {
            syscall_error(ErrorNumber::NotFound, format!("actor does not exist: {to}"))
        })?;
        // ref-fvm 3.x also reports the implicit constructor of an account created by a send.
        if matches!(entrypoint, Entrypoint::Invoke(_))
            || self.price_list().generation == KernelGeneration::Fvm3
        {
            self.trace(|| ExecEvent::InvokeActor {
                id: to,
                state: state.clone(),
            });
        }

        if !value.is_zero() {
            self.charge(self.price_list().on_value_transfer())?;
            self.transfer(from, to, value)?;
        }

        if entrypoint.is_bare_send() {
            return Ok(InvocationResult::default());
        }

        let links = params.as_ref().map(|p| p.links().len()).unwrap_or(0);
        self.charge(self.price_list().on_method_invocation(links))?;
        self.invocation_count += 1;

        let invocation = Invocation {
            from,
            to,
            code: state.code,
            entrypoint,
            params,
            value: value.clone(),
            read_only,
        };
        let invoke = self.invoke;
        let lent = self.take();
        let (back, mut ret) = invoke(lent, invocation);
        self.restore(back);

        if let Ok(InvocationResult {
            value: Some(block), ..
        }) = &ret
        {
            let charge = self.price_list().on_method_return(
                self.depth,
                block.size() as usize,
                block.links().len(),
            );
            if let Some(Err(e)) = charge.map(|c| self.charge(c)) {
                ret = Err(e);
            }
        }
        ret
    }

    /// Resolves `address` to an actor id; the first resolution of a non-ID address in the
    /// message is charged (`OnResolveAddress`) and remembered when it succeeds.
    pub fn resolve_address(&self, address: &Address) -> Result<Option<ActorID>> {
        if let Ok(id) = address.id() {
            return Ok(Some(id));
        }
        if !self.access.address_resolved(address) {
            self.charge(self.price_list().on_resolve_address())?;
        }
        let id = self
            .machine
            .state_tree
            .lookup_id(address)
            .map_err(ExecutionError::Fatal)?;
        if id.is_some() {
            self.access.record_address(address);
        }
        Ok(id)
    }

    /// Reads an actor, charging `OnActorLookup` on first access.
    pub fn get_actor(&self, id: ActorID) -> Result<Option<ActorState>> {
        if self.access.actor_access(id).is_none() {
            self.charge(self.price_list().on_actor_lookup())?;
        }
        let actor = self
            .machine
            .state_tree
            .get_actor(id)
            .map_err(ExecutionError::Fatal)?;
        self.access.record_actor_read(id);
        Ok(actor)
    }

    fn charge_for_write(&self, id: ActorID) -> Result<()> {
        let access = self.access.actor_access(id);
        if access.is_none() {
            self.charge(self.price_list().on_actor_lookup())?;
        }
        if access != Some(Access::Updated) {
            self.charge(self.price_list().on_actor_update())?;
        }
        Ok(())
    }

    /// Writes an actor, charging `OnActorLookup` and `OnActorUpdate` on first access.
    pub fn set_actor(&mut self, id: ActorID, state: ActorState) -> Result<()> {
        self.charge_for_write(id)?;
        self.machine.state_tree.set_actor(id, state);
        self.access.record_actor_update(id);
        Ok(())
    }

    /// Deletes an actor, charged like a write.
    pub fn delete_actor(&mut self, id: ActorID) -> Result<()> {
        self.charge_for_write(id)?;
        self.machine.state_tree.delete_actor(id);
        self.access.record_actor_update(id);
        Ok(())
    }

    /// Moves `value` from `from` to `to`. A missing or poor sender is `InsufficientFunds`, a
    /// missing recipient `NotFound`; a self-transfer only checks the balance.
    pub fn transfer(&mut self, from: ActorID, to: ActorID, value: &TokenAmount) -> Result<()> {
        if value.is_negative() {
            return Err(syscall_error(
                ErrorNumber::IllegalArgument,
                format!("attempted to transfer negative value {value}"),
            ));
        }
        // The same charges, in the same order, as reading both actors with `get_actor` and
        // writing them back with `set_actor`, without copying the records more than once.
        let poor = self.with_actor(from, |actor| match actor {
            None => Some(format!(
                "insufficient funds to transfer {value} from {from} to {to}"
            )),
            Some(a) if &a.balance < value => Some(format!(
                "sender does not have funds to transfer (balance {}, transfer {value})",
                a.balance
            )),
            Some(_) => None,
        })?;
        if let Some(message) = poor {
            return Err(syscall_error(ErrorNumber::InsufficientFunds, message));
        }
        if from == to {
            return Ok(());
        }
        if !self.with_actor(to, |actor| actor.is_some())? {
            return Err(syscall_error(
                ErrorNumber::NotFound,
                format!("transfer recipient {to} does not exist"),
            ));
        }
        self.mutate_actor(from, |a| a.deduct_funds(value))?;
        self.mutate_actor(to, |a| a.deposit_funds(value))?;
        Ok(())
    }

    /// Calls `f` with the actor `id` (`None` if it does not exist), charged like
    /// [`get_actor`](Self::get_actor) but without copying the record.
    pub fn with_actor<R>(
        &self,
        id: ActorID,
        f: impl FnOnce(Option<&ActorState>) -> R,
    ) -> Result<R> {
        if self.access.actor_access(id).is_none() {
            self.charge(self.price_list().on_actor_lookup())?;
        }
        let r = self
            .machine
            .state_tree
            .with_actor(id, f)
            .map_err(ExecutionError::Fatal)?;
        self.access.record_actor_read(id);
        Ok(r)
    }

    /// Applies a balance change `f` to the existing actor `id`, charged like
    /// [`set_actor`](Self::set_actor). A refusal by `f` is fatal: callers check first.
    fn mutate_actor(
        &mut self,
        id: ActorID,
        f: impl FnOnce(&mut ActorState) -> std::result::Result<(), fern_shared::state::InvalidTransfer>,
    ) -> Result<()> {
        self.charge_for_write(id)?;
        self.machine
            .state_tree
            .mutate_existing_actor(id, |a| f(a).map_err(anyhow::Error::new))
            .map_err(ExecutionError::Fatal)?;
        self.access.record_actor_update(id);
        Ok(())
    }

    /// The f2 address the next actor created in this message gets: blake2b-160 (protocol 2) of
    /// the CBOR-encoded origin address, the nonce (8 bytes big-endian) and the number of actors
    /// created so far (8 bytes big-endian).
    pub fn next_actor_address(&self) -> Result<Address> {
        let mut b = fvm_ipld_encoding::to_vec(&self.message.origin_address).or_fatal()?;
        b.extend_from_slice(&self.message.nonce.to_be_bytes());
        b.extend_from_slice(&self.actors_created.to_be_bytes());
        Ok(Address::new_actor(&b))
    }

    /// Creates (or turns a matching placeholder into) an actor with `code` at `id`; used by the
    /// init actor through the kernel.
    pub fn create_actor(
        &mut self,
        code: Cid,
        id: ActorID,
        delegated_address: Option<Address>,
    ) -> Result<()> {
        if self.machine.manifest.is_placeholder(&code) {
            return Err(syscall_error(
                ErrorNumber::Forbidden,
                "cannot explicitly construct a placeholder actor",
            ));
        }
        let actor = match self.get_actor(id)? {
            Some(mut act) if self.machine.manifest.is_placeholder(&act.code) => {
                if act.delegated_address.is_none() {
                    return Err(ExecutionError::Fatal(anyhow!(
                        "placeholder {id} has no delegated address"
                    )));
                }
                if act.delegated_address != delegated_address {
                    return Err(syscall_error(
                        ErrorNumber::Forbidden,
                        "placeholder has a different delegated address",
                    ));
                }
                act.code = code;
                act
            }
            Some(_) => {
                return Err(syscall_error(
                    ErrorNumber::Forbidden,
                    "actor address already exists",
                ))
            }
            None => {
                self.charge(self.price_list().on_create_actor(false))?;
                ActorState::new_empty(code, delegated_address)
            }
        };
        self.set_actor(id, actor)?;
        self.actors_created += 1;
        Ok(())
    }

    /// Records an event in the current transaction layer.
    pub fn append_event(&mut self, event: StampedEvent) {
        self.events.append(event);
    }
}
