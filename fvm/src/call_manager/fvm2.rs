//! The call manager of network version 17 (ref-fvm 2.x rules): one message's call stack on an
//! [`Fvm2Machine`], with the signed gas account of [`crate::gas::fvm2`].
//!
//! What differs from [`CallManager`](super::CallManager) (sources: `fvm` 2.12.2
//! `call_manager/default.rs` and `machine/default.rs`):
//!
//! - One gas account for the whole message ([`Fvm2GasTracker`]); sends carry no gas limit, and a
//!   callee running out of gas ends the whole message.
//! - No state-access charges: reading and writing actors is free. A send pays one flat
//!   `OnMethodInvocation` charge chosen by whether value moves and whether a method runs, taken
//!   *after* the receiver is looked up and *before* the value moves.
//! - The depth check is `depth > 1024` before the depth is raised, so the top-level call and 1024
//!   nested sends can run.
//! - A send to an unknown f1 or f3 address creates an account actor: `OnCreateActor` is charged
//!   first (also for the BLS zero address, which is then refused with `IllegalArgument`), the
//!   address is registered with the init actor, and the account constructor runs (from the
//!   system actor, method 1, no value) without raising the depth. An exit code from that
//!   constructor is ignored; an error is not. Any other unknown receiver is `NotFound`.
//! - There are no f4 addresses, placeholders, read-only calls or events.
//! - The gas used reported for the receipt is `max(used, 0)` rounded up to whole gas.

use anyhow::anyhow;
use fern_shared::address::{Address, Protocol, SYSTEM_ACTOR_ID};
use fern_shared::econ::TokenAmount;
use fern_shared::error::ErrorNumber;
use fern_shared::state::ActorState;
use fern_shared::{ActorID, MethodNum, METHOD_CONSTRUCTOR, METHOD_SEND};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::DAG_CBOR;

use super::{
    syscall_error, Backtrace, Block, Entrypoint, ExecutionError, Invocation, InvocationResult,
    Result,
};
use crate::engine::Engine;
use crate::gas::fvm2::{Fvm2GasCharge, Fvm2GasTracker, Fvm2PriceList, SignedGas};
use crate::machine::{Externs, Fvm2Machine, ProofVerifier, FVM2_MAX_CALL_DEPTH};
use std::sync::Arc;

/// Runs actor code for an [`Invocation`] under nv17 rules: supplied by the executor,
/// implemented by the syscall layer (see [`InvokeFn`](super::InvokeFn) for the pattern).
pub type Fvm2InvokeFn<B, E> =
    fn(Fvm2CallManager<B, E>, Invocation) -> (Fvm2CallManager<B, E>, Result<InvocationResult>);

/// What a finished nv17 call manager reports to the executor.
#[derive(Debug)]
pub struct Fvm2FinishRet {
    /// Gas used: `max(used, 0)` rounded up to whole gas (ref-fvm 2.x `finish`).
    pub gas_used: u64,
    /// The errors on the way out of the call stack.
    pub backtrace: Backtrace,
}

/// Everything one nv17 message's call stack owns.
pub struct Fvm2State<B: Blockstore + 'static, E: Externs + 'static> {
    /// The machine, lent for the message.
    pub machine: Box<Fvm2Machine<B, E>>,
    /// The engine actor code runs on.
    pub engine: Engine,
    /// The message's gas account.
    pub gas: Fvm2GasTracker,
    /// The errors on the way out of the call stack.
    pub backtrace: Backtrace,
    /// The message's sender, as given in the message.
    pub origin: Address,
    /// The message's sequence number.
    pub nonce: u64,
    /// Actors created so far by this message (for `new_actor_address`).
    pub actors_created: u64,
    /// Calls on the stack now (the top-level call is 1).
    pub depth: u32,
    /// Actor invocations so far (sends that ran code).
    pub invocation_count: u64,
    /// Runs actor code.
    pub invoke: Fvm2InvokeFn<B, E>,
    /// The host's proof verifier.
    pub proofs: Arc<dyn ProofVerifier>,
}

/// The nv17 call manager. Like [`CallManager`](super::CallManager) it is lent by value to the
/// kernel of the running invocation, so it may be hollow while code runs; using a hollow one is
/// a bug and panics.
pub struct Fvm2CallManager<B: Blockstore + 'static, E: Externs + 'static>(
    Option<Box<Fvm2State<B, E>>>,
);

impl<B: Blockstore + 'static, E: Externs + 'static> std::ops::Deref for Fvm2CallManager<B, E> {
    type Target = Fvm2State<B, E>;
    fn deref(&self) -> &Fvm2State<B, E> {
        match &self.0 {
            Some(state) => state,
            None => unreachable!("using a hollow call manager"),
        }
    }
}

impl<B: Blockstore + 'static, E: Externs + 'static> std::ops::DerefMut for Fvm2CallManager<B, E> {
    fn deref_mut(&mut self) -> &mut Fvm2State<B, E> {
        match &mut self.0 {
            Some(state) => state,
            None => unreachable!("using a hollow call manager"),
        }
    }
}

impl<B: Blockstore + 'static, E: Externs + 'static> Fvm2CallManager<B, E> {
    /// A call manager for a message from `origin` with sequence `nonce` and `gas_limit` (whole
    /// gas, as in the message).
    pub fn new(
        machine: Box<Fvm2Machine<B, E>>,
        engine: Engine,
        invoke: Fvm2InvokeFn<B, E>,
        proofs: Arc<dyn ProofVerifier>,
        gas_limit: i64,
        origin: Address,
        nonce: u64,
    ) -> Self {
        Fvm2CallManager(Some(Box::new(Fvm2State {
            machine,
            engine,
            gas: Fvm2GasTracker::new(SignedGas::new(gas_limit), SignedGas::ZERO),
            backtrace: Backtrace::default(),
            origin,
            nonce,
            actors_created: 0,
            depth: 0,
            invocation_count: 0,
            invoke,
            proofs,
        })))
    }

    /// The charge table.
    pub fn prices(&self) -> &'static Fvm2PriceList {
        self.machine.prices
    }

    /// Takes a charge from the message's gas account.
    pub fn charge(&mut self, charge: Fvm2GasCharge) -> Result<()> {
        self.gas
            .apply_charge(charge)
            .map_err(|_| ExecutionError::OutOfGas)
    }

    /// Ends the message: gas used and backtrace, and the machine back.
    pub fn finish(mut self) -> (Fvm2FinishRet, Box<Fvm2Machine<B, E>>) {
        let Some(state) = self.0.take() else {
            unreachable!("finishing a hollow call manager")
        };
        let used = state.gas.gas_used().max(SignedGas::ZERO).round_up();
        let ret = Fvm2FinishRet {
            // Not negative after the clamp above.
            gas_used: used.unsigned_abs(),
            backtrace: state.backtrace,
        };
        (ret, state.machine)
    }

    /// Runs `f` in a transaction of the state tree, reverted when `f` fails or returns a
    /// non-zero exit code.
    pub fn with_transaction(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<InvocationResult>,
    ) -> Result<InvocationResult> {
        self.machine.state_tree.begin_transaction();
        let res = f(self);
        let revert = match &res {
            Ok(r) => !r.exit_code.is_success(),
            Err(_) => true,
        };
        self.machine
            .state_tree
            .end_transaction(revert)
            .map_err(ExecutionError::Fatal)?;
        res
    }

    /// Sends `value` and calls `method` of `to` from `from` with `params`: the depth check, then
    /// [`send_unchecked`](Self::send_unchecked) one level deeper.
    pub fn send(
        &mut self,
        from: ActorID,
        to: &Address,
        method: MethodNum,
        params: Option<Block>,
        value: &TokenAmount,
    ) -> Result<InvocationResult> {
        if self.depth > FVM2_MAX_CALL_DEPTH {
            return Err(syscall_error(
                ErrorNumber::LimitExceeded,
                "message execution exceeds call depth",
            ));
        }
        self.depth += 1;
        let result = self.send_unchecked(from, to, method, params, value);
        self.depth -= 1;
        result
    }

    /// Resolves `to` (creating an account actor for an unknown f1 or f3 address), then
    /// [`send_resolved`](Self::send_resolved).
    fn send_unchecked(
        &mut self,
        from: ActorID,
        to: &Address,
        method: MethodNum,
        params: Option<Block>,
        value: &TokenAmount,
    ) -> Result<InvocationResult> {
        let to = match self
            .machine
            .state_tree
            .lookup_id(to)
            .map_err(ExecutionError::Fatal)?
        {
            Some(id) => id,
            None => match to.protocol() {
                Protocol::BLS | Protocol::Secp256k1 => self.create_account_actor(to)?,
                _ => {
                    return Err(syscall_error(
                        ErrorNumber::NotFound,
                        format!("actor does not exist: {to}"),
                    ))
                }
            },
        };
        self.send_resolved(from, to, method, params, value)
    }

    /// Creates an account actor for the key address `addr` and runs its constructor.
    fn create_account_actor(&mut self, addr: &Address) -> Result<ActorID> {
        self.charge(self.prices().on_create_actor())?;
        if addr.is_bls_zero_address() {
            return Err(syscall_error(
                ErrorNumber::IllegalArgument,
                "cannot create the bls zero address actor",
            ));
        }
        let code = *self.machine.manifest.account_code();
        let id = self
            .machine
            .state_tree
            .register_new_address(addr)
            .map_err(|e| ExecutionError::Fatal(e.context("failed to register new address")))?;
        self.machine
            .state_tree
            .set_actor(id, ActorState::new_empty(code, None));
        let params = fvm_ipld_encoding::to_vec(addr)
            .map_err(|e| syscall_error(ErrorNumber::IllegalArgument, e.to_string()))?;
        // ref-fvm 2.x keeps going whatever exit code the constructor ends with.
        self.send_resolved(
            SYSTEM_ACTOR_ID,
            id,
            METHOD_CONSTRUCTOR,
            Some(Block::new(DAG_CBOR, params, Vec::new())),
            &TokenAmount::zero(),
        )?;
        Ok(id)
    }

    /// The receiver must exist (`NotFound`); then the flat invocation charge, the transfer, and
    /// for a method other than 0 the callee's code through the invoke function.
    fn send_resolved(
        &mut self,
        from: ActorID,
        to: ActorID,
        method: MethodNum,
        params: Option<Block>,
        value: &TokenAmount,
    ) -> Result<InvocationResult> {
        let state = self
            .machine
            .state_tree
            .get_actor(to)
            .map_err(ExecutionError::Fatal)?
            .ok_or_else(|| {
                syscall_error(ErrorNumber::NotFound, format!("actor does not exist: {to}"))
            })?;
        self.charge(self.prices().on_method_invocation(value.is_zero(), method))?;
        if !value.is_zero() {
            self.transfer(from, to, value)?;
        }
        if method == METHOD_SEND {
            return Ok(InvocationResult::default());
        }
        self.invocation_count += 1;
        let invoke = self.invoke;
        let inv = Invocation {
            from,
            to,
            code: state.code,
            entrypoint: Entrypoint::Invoke(method),
            params,
            value: value.clone(),
            read_only: false,
        };
        let cm = Fvm2CallManager(self.0.take());
        let (cm, result) = invoke(cm, inv);
        self.0 = cm.0;
        if self.0.is_none() {
            return Err(ExecutionError::Fatal(anyhow!(
                "the invoke function did not return the call manager"
            )));
        }
        result
    }

    /// Moves `value` from `from` to `to` (ref-fvm 2.x `Machine::transfer`): a negative value is
    /// `IllegalArgument`; a missing or too poor sender is `InsufficientFunds`; moving to oneself
    /// changes nothing; a missing receiver is `NotFound`.
    pub fn transfer(&mut self, from: ActorID, to: ActorID, value: &TokenAmount) -> Result<()> {
        if value.is_negative() {
            return Err(syscall_error(
                ErrorNumber::IllegalArgument,
                format!("attempted to transfer negative transfer value {value}"),
            ));
        }
        let tree = &mut self.machine.state_tree;
        let mut sender = tree
            .get_actor(from)
            .map_err(ExecutionError::Fatal)?
            .ok_or_else(|| {
                syscall_error(
                    ErrorNumber::InsufficientFunds,
                    "cannot transfer from non-existent sender",
                )
            })?;
        if &sender.balance < value {
            return Err(syscall_error(
                ErrorNumber::InsufficientFunds,
                format!(
                    "sender does not have funds to transfer (balance {}, transfer {value})",
                    sender.balance
                ),
            ));
        }
        if from == to {
            return Ok(());
        }
        let mut receiver = tree
            .get_actor(to)
            .map_err(ExecutionError::Fatal)?
            .ok_or_else(|| {
                syscall_error(
                    ErrorNumber::NotFound,
                    "cannot transfer to non-existent receiver",
                )
            })?;
        sender
            .deduct_funds(value)
            .map_err(|e| ExecutionError::Fatal(anyhow!("{e}")))?;
        receiver
            .deposit_funds(value)
            .map_err(|e| ExecutionError::Fatal(anyhow!("{e}")))?;
        tree.set_actor(from, sender);
        tree.set_actor(to, receiver);
        Ok(())
    }
}
