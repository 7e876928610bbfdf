//! Shared body of the two ABI probe actors.
//!
//! The exported `invoke` calls every function of `sdk::sys`, guarded by a condition the
//! optimiser cannot decide, so the linked Wasm module imports every syscall the SDK declares.
//! The crate root decides whether `sdk` is `fern_sdk` or `fvm_sdk`; the resulting import
//! sections are compared by `fern_testing`'s `sdk_imports` test.

use core::hint::black_box;
use core::ptr::{null, null_mut};

use crate::sdk::sys;

/// Entry point; only does work when called with a magic parameter no real kernel would pass.
#[no_mangle]
pub extern "C" fn invoke(params: u32) -> u32 {
    if black_box(params) != 0x5eed_f00d {
        return 0;
    }
    unsafe {
        // actor
        let _ = black_box(sys::actor::resolve_address(null(), 0));
        let _ = black_box(sys::actor::lookup_delegated_address(0, null_mut(), 0));
        let _ = black_box(sys::actor::get_actor_code_cid(0, null_mut(), 0));
        let _ = black_box(sys::actor::get_builtin_actor_type(null()));
        let _ = black_box(sys::actor::get_code_cid_for_type(0, null_mut(), 0));
        let _ = black_box(sys::actor::next_actor_address(null_mut(), 0));
        let _ = black_box(sys::actor::create_actor(0, null(), null(), 0));
        let _ = black_box(sys::actor::upgrade_actor(null(), 0));
        let _ = black_box(sys::actor::install_actor(null()));
        let _ = black_box(sys::actor::balance_of(0));

        // crypto
        let _ = black_box(sys::crypto::verify_signature(0, null(), 0, null(), 0, null(), 0));
        let _ = black_box(sys::crypto::verify_bls_aggregate(0, null(), null(), null(), null()));
        let _ = black_box(sys::crypto::recover_secp_public_key(null(), null()));
        let _ = black_box(sys::crypto::hash(0, null(), 0, null_mut(), 0));
        let _ = black_box(sys::crypto::compute_unsealed_sector_cid(0, null(), 0, null_mut(), 0));
        let _ = black_box(sys::crypto::verify_post(null(), 0));
        let _ = black_box(sys::crypto::verify_consensus_fault(null(), 0, null(), 0, null(), 0));
        let _ = black_box(sys::crypto::verify_aggregate_seals(null(), 0));
        let _ = black_box(sys::crypto::verify_replica_update(null(), 0));
        let _ = black_box(sys::crypto::batch_verify_seals(null(), 0, null()));

        // debug
        let _ = black_box(sys::debug::enabled());
        let _ = black_box(sys::debug::log(null(), 0));
        let _ = black_box(sys::debug::store_artifact(null(), 0, null(), 0));

        // event
        let _ = black_box(sys::event::emit_event(null(), 0, null(), 0, null(), 0));

        // gas
        let _ = black_box(sys::gas::charge(null(), 0, 0));
        let _ = black_box(sys::gas::available());

        // ipld
        let _ = black_box(sys::ipld::block_open(null()));
        let _ = black_box(sys::ipld::block_create(0, null(), 0));
        let _ = black_box(sys::ipld::block_read(0, 0, null_mut(), 0));
        let _ = black_box(sys::ipld::block_stat(0));
        let _ = black_box(sys::ipld::block_link(0, 0, 0, null_mut(), 0));

        // network
        let _ = black_box(sys::network::context());
        let _ = black_box(sys::network::tipset_cid(0, null_mut(), 0));
        let _ = black_box(sys::network::total_fil_circ_supply());

        // rand
        let _ = black_box(sys::rand::get_chain_randomness(0));
        let _ = black_box(sys::rand::get_beacon_randomness(0));

        // self
        let _ = black_box(sys::sself::root(null_mut(), 0));
        let _ = black_box(sys::sself::set_root(null()));
        let _ = black_box(sys::sself::current_balance());
        let _ = black_box(sys::sself::self_destruct(black_box(false)));

        // send
        let _ = black_box(sys::send::send(
            null(),
            0,
            0,
            0,
            0,
            0,
            0,
            sys::send::SendFlags::empty(),
        ));

        // vm
        let _ = black_box(sys::vm::message_context());
        sys::vm::exit(0, 0, null(), 0)
    }
}
