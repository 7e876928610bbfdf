//! Inputs found by the fuzz targets (`fuzz/`), replayed as plain tests on both VMs through the
//! harness's `Pair`, each under a watchdog.

use std::sync::Arc;
use std::time::{Duration, Instant};

use fern_testing::genesis::GenesisSpec;
use fern_testing::harness::{on_deep_stack, Pair};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;

/// `syscalls` target, 2026-11-30 (its first timeout): a `block_create` call on the syscalls test
/// actor with these parameters makes the actor spin until its gas runs out. With the gas limit
/// the fuzzer chose, 271 673 711 722 496, that takes hours on both VMs (neither enforces the
/// block gas limit; the fuzzer no longer draws limits above it). At the block gas limit both
/// must end the same way: out of gas, every unit used, the same charges and root.
#[test]
fn an_actor_spinning_out_a_block_gas_limit() {
    on_deep_stack(|| {
        let genesis = Arc::new(GenesisSpec::standard().build().unwrap());
        let sender = genesis.accounts[0].address;
        let mut pair = Pair::on(NetworkVersion::V29, genesis);
        let msg = Message {
            version: 0,
            from: sender,
            to: Address::new_id(1001),
            sequence: 0,
            value: TokenAmount::from_atto(1),
            method_num: 2,
            params: RawBytes::new(vec![0x82, 0x80, 0x43, 0x00, 0xe9, 0x07]),
            gas_limit: 10_000_000_000,
            gas_fee_cap: TokenAmount::from_atto(1000),
            gas_premium: TokenAmount::from_atto(100),
        };
        let start = Instant::now();
        let r = pair.apply(msg);
        assert_eq!(r.exit_code.value(), 7, "out of gas");
        assert_eq!(r.gas_used, 10_000_000_000);
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "{:?}",
            start.elapsed()
        );
    });
}
