//! How actor modules are instantiated and how calls end, with small hand-written modules (WAT)
//! installed at genesis: missing exports, link failures, traps at start, bad return handles,
//! tables, the return-pointer check of value-yielding syscalls (which skips reloading the gas
//! counter), and upgrades (`actor::upgrade_actor`, linked on both sides here).

use fern_testing::harness::*;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::ActorID;

const MODULES: &[(ActorID, &str)] = &[
    // 2000: a syscall yielding a value with a return pointer past the end of memory (twice),
    // then a valid one, then more execution.
    (
        2000,
        r#"(module
        (import "gas" "available" (func $avail (param i32) (result i32)))
        (memory (export "memory") 1)
        (func (export "invoke") (param i32) (result i32)
          (local i32)
          (drop (call $avail (i32.const 65530)))
          (loop $l (local.set 1 (i32.add (local.get 1) (i32.const 1)))
                   (br_if $l (i32.lt_u (local.get 1) (i32.const 100))))
          (drop (call $avail (i32.const 65535)))
          (drop (call $avail (i32.const 0)))
          (i32.const 0)))"#,
    ),
    // 2001: no memory export.
    (
        2001,
        r#"(module (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#,
    ),
    // 2002: no invoke export.
    (
        2002,
        r#"(module (memory (export "memory") 1) (func (export "other") (param i32) (result i32) (i32.const 0)))"#,
    ),
    // 2003: imports actor::install_actor (not linked in ref-fvm 4.8 without `m2-native`).
    (
        2003,
        r#"(module
        (import "actor" "install_actor" (func $u (param i32) (result i32)))
        (memory (export "memory") 1)
        (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#,
    ),
    // 2004: a start function that traps.
    (
        2004,
        r#"(module
        (memory (export "memory") 1)
        (func $s unreachable)
        (start $s)
        (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#,
    ),
    // 2005: returns a handle that does not exist.
    (
        2005,
        r#"(module (memory (export "memory") 1) (func (export "invoke") (param i32) (result i32) (i32.const 7)))"#,
    ),
    // 2006: exports a table and two memory pages.
    (
        2006,
        r#"(module
        (memory (export "memory") 2)
        (table (export "table") 10 funcref)
        (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#,
    ),
    // 2007: invoke with the wrong signature.
    (
        2007,
        r#"(module (memory (export "memory") 1) (func (export "invoke") (param i64) (result i32) (i32.const 0)))"#,
    ),
    // 2008: integer division by zero.
    (
        2008,
        r#"(module (memory (export "memory") 1)
        (func (export "invoke") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0))))"#,
    ),
    // 2009: returns the parameters handle (1) as its return value.
    (
        2009,
        r#"(module (memory (export "memory") 1) (func (export "invoke") (param i32) (result i32) (local.get 0)))"#,
    ),
    // 2010: grows memory by 3 pages, then calls a syscall (memory growth settles as
    // wasm_memory_grow), then exits with code 18 and no block.
    (
        2010,
        r#"(module
        (import "gas" "available" (func $avail (param i32) (result i32)))
        (import "vm" "exit" (func $exit (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (func (export "invoke") (param i32) (result i32)
          (drop (memory.grow (i32.const 3)))
          (drop (call $avail (i32.const 0)))
          (drop (call $exit (i32.const 18) (i32.const 0) (i32.const 0) (i32.const 0)))
          (i32.const 0)))"#,
    ),
    // 2011: memory out of bounds access.
    (
        2011,
        r#"(module (memory (export "memory") 1)
        (func (export "invoke") (param i32) (result i32) (i32.load (i32.const 70000))))"#,
    ),
];

#[test]
fn module_edges_match() {
    on_deep_stack(|| {
        let wasms: Vec<(ActorID, Vec<u8>)> = MODULES
            .iter()
            .map(|(id, w)| (*id, wat::parse_str(w).expect("valid wat")))
            .collect();
        let extra: Vec<(ActorID, &[u8])> =
            wasms.iter().map(|(id, w)| (*id, w.as_slice())).collect();
        for nv in NETWORK_VERSIONS {
            let mut p = Pair::with_actors(nv, 1, &extra);
            let from = p.account(0);
            let mut seq = 0;
            for (id, _) in MODULES {
                for params in [RawBytes::default(), RawBytes::new(vec![0x80])] {
                    let r = p.apply(msg(
                        from,
                        Address::new_id(*id),
                        seq,
                        TokenAmount::from_atto(0),
                        2,
                        params,
                    ));
                    if std::env::var_os("FERN_TRACE").is_some() {
                        eprintln!("actor {id}: exit {}", r.exit_code);
                    }
                    seq += 1;
                }
            }
        }
    });
}

/// Target codes for upgrades: (name, WAT).
pub(crate) const TARGETS: &[(&str, &str)] = &[
    (
        "ok",
        r#"(module (memory (export "memory") 1)
        (func (export "upgrade") (param i32 i32) (result i32) (i32.const 0))
        (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#,
    ),
    (
        "fails",
        r#"(module
        (import "vm" "exit" (func $exit (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (func (export "upgrade") (param i32 i32) (result i32)
          (drop (call $exit (i32.const 20) (i32.const 0) (i32.const 0) (i32.const 0))) (i32.const 0))
        (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#,
    ),
    (
        "no_export",
        r#"(module (memory (export "memory") 1)
        (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#,
    ),
    (
        "returns_info",
        r#"(module (memory (export "memory") 1)
        (func (export "upgrade") (param i32 i32) (result i32) (local.get 1))
        (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#,
    ),
];

/// An actor whose `invoke` upgrades itself to `cid`: on an error status `s` it exits with
/// 16 + s, otherwise with 100 + the exit code of the failed upgrade; a successful upgrade ends
/// the call with the upgrade's result.
pub(crate) fn upgrader(cid: &cid::Cid) -> String {
    upgrader_importing("upgrade_actor", cid)
}

/// [`upgrader`] with the upgrade syscall imported as `actor.<import>` (same Wasm type).
pub(crate) fn upgrader_importing(import: &str, cid: &cid::Cid) -> String {
    let escaped: String = cid
        .to_bytes()
        .iter()
        .map(|b| format!("\\{b:02x}"))
        .collect();
    format!(
        r#"(module
        (import "actor" "{import}" (func $up (param i32 i32 i32) (result i32)))
        (import "vm" "exit" (func $exit (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (data (i32.const 100) "{escaped}")
        (func (export "invoke") (param i32) (result i32)
          (local $st i32)
          (local.set $st (call $up (i32.const 0) (i32.const 100) (i32.const 0)))
          (if (local.get $st)
            (then (drop (call $exit (i32.add (i32.const 16) (local.get $st)) (i32.const 0) (i32.const 0) (i32.const 0)))))
          (drop (call $exit (i32.add (i32.const 100) (i32.load (i32.const 0))) (i32.const 0) (i32.const 0) (i32.const 0)))
          (i32.const 0)))"#
    )
}

#[test]
fn upgrades_match() {
    on_deep_stack(|| {
        let targets: Vec<Vec<u8>> = TARGETS
            .iter()
            .map(|(_, w)| wat::parse_str(w).unwrap())
            .collect();
        let cids: Vec<cid::Cid> = targets.iter().map(|w| code_cid(w)).collect();
        let mut wasms: Vec<(ActorID, Vec<u8>)> = Vec::new();
        for (i, w) in targets.iter().enumerate() {
            wasms.push((3000 + i as u64, w.clone()));
        }
        for (i, c) in cids.iter().enumerate() {
            wasms.push((3100 + i as u64, wat::parse_str(upgrader(c)).unwrap()));
        }
        let bogus = code_cid(b"no such code");
        wasms.push((3200, wat::parse_str(upgrader(&bogus)).unwrap()));
        let extra: Vec<(ActorID, &[u8])> =
            wasms.iter().map(|(id, w)| (*id, w.as_slice())).collect();
        for nv in NETWORK_VERSIONS {
            let mut p = Pair::with_actors(nv, 1, &extra);
            let from = p.account(0);
            for (seq, id) in [3100u64, 3101, 3102, 3103, 3200, 3100]
                .into_iter()
                .enumerate()
            {
                let r = p.apply(msg(
                    from,
                    Address::new_id(id),
                    seq as u64,
                    TokenAmount::from_atto(0),
                    2,
                    RawBytes::default(),
                ));
                if std::env::var_os("FERN_TRACE").is_some() {
                    eprintln!("upgrader {id}: exit {}", r.exit_code);
                }
            }
        }
    });
}
