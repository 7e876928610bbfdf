//! `actor::upgrade_actor` is linked only when `NetworkConfig::upgrade_actor` says so.
//!
//! ref-fvm 4.8.4 links it only with its `upgrade-actor` cargo feature
//! (`fvm/src/syscalls/mod.rs`), which mainnet nodes do not enable; the oracle here
//! (`fvm_integration_tests`) does. Without it, a module importing the syscall fails to link when
//! it is instantiated for a call, which is a fatal error: the message ends with
//! `SYS_ASSERTION_FAILED` and uses its whole gas limit (FIPS/abi.md, section 2.1).
//!
//! The oracle cannot be built without the feature, but it leaves another import of the same
//! module unlinked: `actor::install_actor` (ref-fvm's `m2-native` feature, off). So Fern with the
//! switch off, running an actor that imports `upgrade_actor`, must show exactly what ref-fvm
//! shows for the same actor importing `install_actor` instead: same exit codes, gas, fees and
//! gas charges, and the same effect on the sender.

use std::sync::Arc;

use fern_testing::genesis::Genesis;
use fern_testing::harness::*;
use fvm::executor::ApplyKind as RefKind;
use fvm::machine::Machine as _;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::message::Message;
use fvm_shared::ActorID;

use crate::wasm_edges::{upgrader_importing, TARGETS};

const SYSCALLS: ActorID = 1000;
const TARGET: ActorID = 3000;
const UPGRADER: ActorID = 3100;

/// A genesis with one account, `syscalls` at f01000, the "ok" upgrade target at f03000 and at
/// f03100 an upgrader to it that imports its upgrade syscall as `actor.<import>`.
fn genesis_importing(import: &str) -> Genesis {
    let target = wat::parse_str(TARGETS[0].1).expect("valid wat");
    let upgrader =
        wat::parse_str(upgrader_importing(import, &code_cid(&target))).expect("valid wat");
    genesis(
        1,
        &[("syscalls", SYSCALLS)],
        &[(TARGET, &target), (UPGRADER, &upgrader)],
    )
    .expect("genesis builds")
}

/// The `syscalls` test actor's `send` (method 60) of nothing to `to`, method 2.
fn send_via_syscalls(from: Address, seq: u64, to: ActorID) -> Message {
    let params = fvm_ipld_encoding::to_vec(&(
        RawBytes::new(Address::new_id(to).to_bytes()),
        Option::<RawBytes>::None,
    ))
    .unwrap();
    let args = fvm_ipld_encoding::to_vec(&(vec![2u64, 0, 0, 0], RawBytes::new(params))).unwrap();
    msg(
        from,
        Address::new_id(SYSCALLS),
        seq,
        TokenAmount::from_atto(0),
        60,
        RawBytes::new(args),
    )
}

fn call(from: Address, seq: u64, gas_limit: u64) -> Message {
    let mut m = msg(
        from,
        Address::new_id(UPGRADER),
        seq,
        TokenAmount::from_atto(0),
        2,
        RawBytes::default(),
    );
    m.gas_limit = gas_limit;
    m
}

/// Sender balance and nonce, and the upgrader's code, in ref-fvm's state.
fn ref_effects(r: &RefExecutor, sender: ActorID) -> (String, u64, cid::Cid) {
    let tree = r.state_tree();
    let s = tree.get_actor(sender).unwrap().unwrap();
    let u = tree.get_actor(UPGRADER).unwrap().unwrap();
    (s.balance.atto().to_string(), s.sequence, u.code)
}

/// The same in Fern's state.
fn fern_effects(f: &FernExecutor, sender: ActorID) -> (String, u64, cid::Cid) {
    let tree = &f.machine().unwrap().state_tree;
    let s = tree.get_actor(sender).unwrap().unwrap();
    let u = tree.get_actor(UPGRADER).unwrap().unwrap();
    (s.balance.atto().to_string(), s.sequence, u.code)
}

#[test]
fn upgrade_actor_is_unlinked_by_default_as_on_mainnet() {
    on_deep_stack(|| {
        let with_upgrade = genesis_importing("upgrade_actor");
        let with_install = genesis_importing("install_actor");
        for nv in NETWORK_VERSIONS {
            let mut reference = ref_executor(nv, &with_install, None).expect("ref-fvm executor");
            let mut fern = FernSide::mainnet()
                .executor(nv, &with_upgrade)
                .expect("Fern executor");
            // The module compiles: nothing fails before a call instantiates it.
            let (sender, from) = (
                with_upgrade.accounts[0].id,
                with_upgrade.accounts[0].address,
            );
            let ours_code = fern_effects(&fern, sender).2;
            let theirs_code = ref_effects(&reference, sender).2;

            let check = |reference: &mut RefExecutor,
                         fern: &mut FernExecutor,
                         m: Message,
                         kind: RefKind| {
                let t = observe_ref(reference, &m, kind);
                let o = observe_fern(fern, &m, kind);
                if trace_enabled() {
                    eprintln!(
                        "nv{} gas limit {}: exit {} gas {} charges {:?}",
                        u32::from(nv),
                        m.gas_limit,
                        t.exit_code,
                        t.gas_used,
                        t.charges
                    );
                }
                if let Some(d) = t.first_difference(&o) {
                    panic!("nv{} {m:?}: {d}", u32::from(nv));
                }
                let (te, oe) = (ref_effects(reference, sender), fern_effects(fern, sender));
                assert_eq!((te.0, te.1), (oe.0, oe.1), "sender balance and nonce");
                assert_eq!(
                    (te.2, oe.2),
                    (theirs_code, ours_code),
                    "the upgrader keeps its code"
                );
                o
            };

            // A direct call: fatal, the whole limit is used; the last charge before the failed
            // link is the initial memory.
            let seq = |r: &RefExecutor| ref_effects(r, sender).1;
            for limit in [50_000_000u64, 10_000_000, 3_000_000] {
                let m = call(from, seq(&reference), limit);
                let o = check(&mut reference, &mut fern, m, RefKind::Explicit);
                assert_eq!(o.exit_code, ExitCode::SYS_ASSERTION_FAILED.value());
                assert_eq!(o.gas_used, limit);
                assert!(o.return_data.is_empty());
                assert_eq!(
                    o.charges.last().map(|c| c.0.as_str()),
                    Some("wasm_memory_init")
                );
            }
            // Gas limits from below the inclusion cost to past the instantiation charges: not
            // included, out of gas before the link, or fatal.
            for limit in (0..45).map(|i| 700_000 + i * 3_000) {
                let m = call(from, seq(&reference), limit);
                check(&mut reference, &mut fern, m, RefKind::Explicit);
            }
            // Reached through a send from another actor: still fatal for the whole message (the
            // caller does not see an error number).
            let m = send_via_syscalls(from, seq(&reference), UPGRADER);
            let o = check(&mut reference, &mut fern, m, RefKind::Explicit);
            assert_eq!(o.exit_code, ExitCode::SYS_ASSERTION_FAILED.value());
            assert_eq!(o.gas_used, 50_000_000);
            // As an implicit message.
            let mut m = msg(
                Address::new_id(0),
                Address::new_id(UPGRADER),
                0,
                TokenAmount::from_atto(0),
                2,
                RawBytes::default(),
            );
            m.gas_limit = 10_000_000_000;
            let o = check(&mut reference, &mut fern, m, RefKind::Implicit);
            assert_eq!(o.exit_code, ExitCode::SYS_ASSERTION_FAILED.value());
            // The machine keeps working.
            let m = msg(
                from,
                Address::new_id(TARGET),
                seq(&reference),
                TokenAmount::from_atto(5),
                2,
                RawBytes::default(),
            );
            let o = check(&mut reference, &mut fern, m, RefKind::Explicit);
            assert_eq!(o.exit_code, 0);
        }
    });
}

#[test]
fn upgrade_actor_is_linked_when_the_network_says_so() {
    on_deep_stack(|| {
        let genesis = Arc::new(genesis_importing("upgrade_actor"));
        let from = genesis.accounts[0].address;
        for nv in NETWORK_VERSIONS {
            // Linked on both sides: the upgrade runs and the traces match.
            let mut p = Pair::on(nv, genesis.clone());
            assert_eq!(p.apply(call(from, 0, 50_000_000)).exit_code, ExitCode::OK);
            assert_eq!(
                p.actor(UPGRADER).unwrap().code,
                p.actor(TARGET).unwrap().code
            );

            // Fern alone, executors with and without the syscall on one engine in one thread:
            // the switch selects the linker, whatever was linked before.
            let m = fern_testing::fern_vm::to_fern_message(&call(from, 0, 50_000_000));
            let run = |side: FernSide| {
                let mut exec = side.executor(nv, &genesis).expect("Fern executor");
                let ret = exec
                    .apply_message(
                        &m,
                        fern::executor::ApplyKind::Explicit,
                        raw_len(&call(from, 0, 50_000_000)),
                    )
                    .expect("no fatal error");
                ret.receipt.exit_code.value()
            };
            assert_eq!(run(FernSide::default()), 0);
            assert_eq!(
                run(FernSide::mainnet()),
                ExitCode::SYS_ASSERTION_FAILED.value()
            );
            assert_eq!(run(FernSide::default()), 0);
            assert_eq!(
                run(FernSide::mainnet()),
                ExitCode::SYS_ASSERTION_FAILED.value()
            );
        }
        // A node's configuration leaves it out unless asked.
        let config = fern::machine::NetworkConfig::new(fern_nv(NETWORK_VERSIONS[0])).unwrap();
        assert!(!config.upgrade_actor);
        assert!(config.with_upgrade_actor(true).upgrade_actor);
    });
}
