//! The kernel of network version 17 (ref-fvm 2.x rules): the state of one invocation on an
//! [`Fvm2CallManager`].
//!
//! So far it holds the invocation's facts, its blocks and the gas account's entry points the
//! syscall layer needs to run code (settling Wasm execution gas). The 36 syscalls of the
//! generation and their charges are still to come (FIPS/versions.md §7); until they exist, the
//! nv17 linker defines no import, so actor code that imports a syscall fails to link.

use fern_shared::econ::TokenAmount;
use fern_shared::error::ErrorNumber;
use fern_shared::{ActorID, MethodNum};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::DAG_CBOR;

use super::BlockRegistry;
use crate::call_manager::{syscall_error, Block, ExecutionError, Fvm2CallManager, Result};
use crate::gas::fvm2::SignedGas;
use crate::machine::Externs;

/// The kernel of one nv17 invocation.
pub struct Fvm2Kernel<B: Blockstore + 'static, E: Externs + 'static> {
    /// The message's call manager, lent to this invocation.
    pub call_manager: Fvm2CallManager<B, E>,
    /// The invocation's blocks.
    pub blocks: BlockRegistry,
    /// Who called.
    pub caller: ActorID,
    /// The running actor.
    pub actor_id: ActorID,
    /// The method number.
    pub method: MethodNum,
    /// The value received with the call.
    pub value_received: TokenAmount,
}

impl<B: Blockstore + 'static, E: Externs + 'static> Fvm2Kernel<B, E> {
    /// Gas still available (may be negative only if the limit was).
    pub fn gas_available(&self) -> SignedGas {
        self.call_manager.gas.gas_available()
    }

    /// A compute charge under `name` (Wasm execution gas and actor-requested charges).
    pub fn charge_gas(&mut self, name: &str, amount: SignedGas) -> Result<()> {
        self.call_manager
            .gas
            .charge_gas(name, amount)
            .map_err(|_| ExecutionError::OutOfGas)
    }
}

/// Adds `block` to `blocks` under nv17 rules (ref-fvm 2.12 `BlockRegistry::put`): only DAG-CBOR
/// blocks are held (`IllegalCodec`), and at most `i32::MAX` of them (`LimitExceeded`).
pub fn put_block(blocks: &mut BlockRegistry, block: Block) -> Result<u32> {
    if blocks.is_full() {
        return Err(syscall_error(ErrorNumber::LimitExceeded, "too many blocks"));
    }
    if block.codec() != DAG_CBOR {
        return Err(syscall_error(
            ErrorNumber::IllegalCodec,
            format!("codec {} not allowed", block.codec()),
        ));
    }
    blocks.put_reachable(block)
}
