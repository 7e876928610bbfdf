//! Fern's engine against ref-fvm 4.8 (the oracle): instrumented bytes, acceptance and rejection of
//! modules, instrumented sizes reported by preloading, the module cache, the initial memory and
//! table sizes, and the per-message memory limiter.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier, OnceLock};

use cid::multihash::Multihash;
use cid::Cid;
use fvm_ipld_blockstore::{Blockstore, MemoryBlockstore};
use fvm_wasm_instrument::{gas_metering, stack_limiter};

use fern::engine::{self as fe, Engine, EngineConfig, EngineError, Stage};
use fern_shared::version::NetworkVersion as FNv;
use fvm_shared::version::NetworkVersion as ONv;

/// The network versions compared: the first and last supported ones (the two price tables).
const VERSIONS: [u32; 2] = [21, 28];

// ---------------------------------------------------------------------------------------------
// Engines (each reserves a large instance pool, so they are built once and shared)
// ---------------------------------------------------------------------------------------------

fn fern_engine(v: u32) -> &'static Engine {
    static ENGINES: [OnceLock<Engine>; 2] = [OnceLock::new(), OnceLock::new()];
    let i = VERSIONS.iter().position(|&x| x == v).unwrap();
    ENGINES[i].get_or_init(|| Engine::for_network(FNv::new(v)).expect("engine builds"))
}

fn oracle_config(v: u32) -> fvm::engine::EngineConfig {
    let nc = fvm::machine::NetworkConfig::new(ONv::new(v));
    (&nc).into()
}

fn oracle_pool(v: u32) -> &'static fvm::engine::EnginePool {
    static POOLS: [OnceLock<fvm::engine::EnginePool>; 2] = [OnceLock::new(), OnceLock::new()];
    let i = VERSIONS.iter().position(|&x| x == v).unwrap();
    POOLS[i].get_or_init(|| fvm::engine::EnginePool::new(oracle_config(v)).expect("oracle pool"))
}

/// ref-fvm's instrumentation pipeline with ref-fvm's own stack limit and instruction prices
/// (without the validation step, which is compared separately through preloading).
fn oracle_instrument(v: u32, wasm: &[u8]) -> Option<Vec<u8>> {
    let ec = oracle_config(v);
    let limited = stack_limiter::inject(wasm, ec.max_wasm_stack).ok()?;
    gas_metering::inject(&limited, ec.wasm_prices, "gas").ok()
}

/// A CID never used before (the oracle's cache is keyed by CID and shared by all tests).
fn fresh_cid() -> Cid {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    Cid::new_v1(0x55, Multihash::wrap(0, &n.to_be_bytes()).unwrap())
}

/// ref-fvm's verdict on loading `wasm` as actor code: the instrumented size, or `None` if its
/// engine refuses the module.
fn oracle_preload(v: u32, wasm: &[u8]) -> Option<usize> {
    let bs = MemoryBlockstore::new();
    let cid = fresh_cid();
    bs.put_keyed(&cid, wasm).unwrap();
    oracle_pool(v).acquire().preload(&cid, &bs).ok()
}

fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap_or_else(|e| panic!("bad test WAT: {e}\n{text}"))
}

// ---------------------------------------------------------------------------------------------
// Modules
// ---------------------------------------------------------------------------------------------

/// Hand-written modules covering control flow, calls, bulk memory, tables, imports and the
/// stack limiter's special cases.
/// The hand-written module called `name`.
fn hand(name: &str) -> Vec<u8> {
    hand_written()
        .into_iter()
        .find(|(n, _)| *n == name)
        .unwrap()
        .1
}

fn hand_written() -> Vec<(&'static str, Vec<u8>)> {
    let texts: &[(&str, &str)] = &[
        (
            "loops",
            r#"(module
              (memory (export "memory") 1)
              (func (export "invoke") (param $n i32) (result i32) (local $acc i32)
                (block $done
                  (loop $next
                    (br_if $done (i32.eqz (local.get $n)))
                    (local.set $acc (i32.add (local.get $acc) (local.get $n)))
                    (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                    (br $next)))
                (local.get $acc)))"#,
        ),
        (
            "calls",
            r#"(module
              (type $t (func (param i32) (result i32)))
              (import "vm" "exit" (func $exit (param i32 i32 i32)))
              (import "ipld" "block_open" (func $open (param i32 i32) (result i32)))
              (memory (export "memory") 2)
              (table (export "table") 4 funcref)
              (elem (i32.const 0) $a $b $c)
              (func $a (type $t) (i32.mul (local.get 0) (i32.const 3)))
              (func $b (type $t) (call $a (i32.add (local.get 0) (i32.const 1))))
              (func $c (type $t)
                (if (result i32) (local.get 0)
                  (then (call_indirect (type $t) (local.get 0) (i32.const 1)))
                  (else (call $exit (i32.const 1) (i32.const 0) (i32.const 0)) (i32.const 0))))
              (func (export "invoke") (param i32) (result i32)
                (drop (call $open (i32.const 0) (i32.const 8)))
                (call_indirect (type $t) (local.get 0) (i32.rem_u (local.get 0) (i32.const 3)))))"#,
        ),
        (
            "memory",
            r#"(module
              (memory (export "memory") 1 100)
              (data $d "hello, fern")
              (func (export "invoke") (param $p i32) (result i32)
                (drop (memory.grow (i32.const 2)))
                (drop (memory.grow (local.get $p)))
                (memory.fill (i32.const 16) (i32.const 7) (i32.const 100))
                (memory.fill (local.get $p) (i32.const 0) (local.get $p))
                (memory.copy (i32.const 200) (i32.const 16) (i32.const 50))
                (memory.copy (local.get $p) (i32.const 16) (local.get $p))
                (memory.init $d (i32.const 300) (i32.const 0) (i32.const 5))
                (memory.init $d (local.get $p) (i32.const 0) (local.get $p))
                (data.drop $d)
                (i64.store offset=8 (local.get $p) (i64.load8_s (local.get $p)))
                (f32.store (i32.const 0) (f32.load (i32.const 4)))
                (i32.add (memory.size) (i32.load16_u offset=2 (local.get $p)))))"#,
        ),
        (
            "br_table",
            r#"(module
              (func (export "invoke") (param $x i32) (result i32)
                (block $c (block $b (block $a
                  (br_table $a $b $c $a (local.get $x)))
                  (return (i32.const 10)))
                  (return (i32.const 20)))
                (i32.const 30)))"#,
        ),
        (
            "deep_chain",
            r#"(module
              (memory (export "memory") 1)
              (func $rec (param $n i32) (result i32)
                (local $a i64) (local $b i64) (local $c f64) (local $d i32)
                (if (result i32) (i32.eqz (local.get $n))
                  (then (i32.const 0))
                  (else (i32.add (i32.const 1) (call $rec (i32.sub (local.get $n) (i32.const 1)))))))
              (func $f1 (param i32) (result i32) (call $f2 (local.get 0)))
              (func $f2 (param i32) (result i32) (call $f3 (local.get 0)))
              (func $f3 (param i32) (result i32) (call $rec (local.get 0)))
              (func (export "invoke") (param i32) (result i32) (call $f1 (local.get 0))))"#,
        ),
        (
            "numeric",
            r#"(module
              (global $g (mut i64) (i64.const 5))
              (func (export "invoke") (param $x i32) (param $y f64) (result i64)
                (global.set $g (i64.add (global.get $g) (i64.extend_i32_s (local.get $x))))
                (drop (i32.extend8_s (local.get $x)))
                (drop (i64.extend_i32_u (local.get $x)))
                (drop (i32.trunc_sat_f64_s (local.get $y)))
                (drop (f64.sqrt (local.get $y)))
                (drop (f32.demote_f64 (local.get $y)))
                (drop (i64.reinterpret_f64 (local.get $y)))
                (drop (select (local.get $x) (i32.const 1) (local.get $x)))
                (drop (i64.popcnt (global.get $g)))
                (i64.rotl (global.get $g) (i64.const 3))))"#,
        ),
        (
            "tables",
            r#"(module
              (type $t (func))
              (table (export "table") 10 20 funcref)
              (elem $e func $f $f)
              (func $f)
              (func (export "invoke") (param $n i32)
                (table.init $e (i32.const 0) (i32.const 0) (i32.const 2))
                (table.init $e (local.get $n) (i32.const 0) (local.get $n))
                (table.copy (i32.const 4) (i32.const 0) (i32.const 2))
                (table.copy (local.get $n) (i32.const 0) (local.get $n))
                (elem.drop $e)
                (drop (table.size))
                (call_indirect (type $t) (i32.const 0))))"#,
        ),
        (
            "start_and_imported_memory",
            r#"(module
              (import "env" "memory" (memory 3))
              (export "memory" (memory 0))
              (global $ready (mut i32) (i32.const 0))
              (func $init (global.set $ready (i32.const 1)))
              (start $init)
              (func (export "invoke") (result i32) (global.get $ready)))"#,
        ),
        (
            "many_locals",
            r#"(module
              (func $big (param i64 i64 i64) (result i64) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
                (i64.add (local.get 0) (local.get 12)))
              (func (export "invoke") (result i64)
                (call $big (i64.const 1) (i64.const 2) (i64.const 3))))"#,
        ),
        (
            "unreachable_tail",
            r#"(module
              (func (export "invoke") (param i32) (result i32)
                (block (br 0) (drop (i32.const 1)))
                (if (local.get 0) (then (unreachable)))
                (return (local.get 0))
                (i32.const 9)))"#,
        ),
    ];
    texts.iter().map(|(n, t)| (*n, wat(t))).collect()
}

/// Deterministic pseudo-random numbers (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One stack-neutral statement for function `f` (which may call functions below `f`).
fn statement(rng: &mut Rng, f: usize, depth: u32, out: &mut String) {
    let k = rng.below(1000);
    let choice = if depth > 3 {
        rng.below(9)
    } else {
        rng.below(16)
    };
    match choice {
        0 => out.push_str(&format!(
            "(local.set $a (i32.add (local.get $a) (i32.const {k})))"
        )),
        1 => out.push_str(&format!(
            "(local.set $b (i64.mul (local.get $b) (i64.const {k})))"
        )),
        2 => out.push_str("(i32.store offset=4 (local.get $a) (i32.load (local.get $a)))"),
        3 => out.push_str(&format!(
            "(memory.fill (local.get $a) (i32.const 0) (i32.const {k}))"
        )),
        4 => out.push_str("(memory.copy (local.get $a) (i32.const 0) (local.get $a))"),
        5 => out.push_str("(drop (memory.grow (local.get $a)))"),
        6 => out.push_str(
            "(global.set $g (f64.add (global.get $g) (f64.convert_i32_s (local.get $a))))",
        ),
        7 => {
            if f > 0 {
                let callee = rng.below(f as u64);
                out.push_str(&format!("(drop (call $f{callee} (local.get $a)))"));
            } else {
                out.push_str("(call $exit (local.get $a) (i32.const 0) (i32.const 0))");
            }
        }
        8 => out.push_str("(drop (call_indirect (type $t) (local.get $a) (i32.const 0)))"),
        9 => {
            out.push_str("(if (i32.and (local.get $a) (i32.const 1)) (then ");
            block(rng, f, depth + 1, out);
            out.push_str(") (else ");
            block(rng, f, depth + 1, out);
            out.push_str("))");
        }
        10 => {
            out.push_str("(block ");
            block(rng, f, depth + 1, out);
            out.push_str("(br_if 0 (local.get $a)) ");
            block(rng, f, depth + 1, out);
            out.push(')');
        }
        11 => {
            out.push_str("(loop (local.set $a (i32.sub (local.get $a) (i32.const 1))) ");
            block(rng, f, depth + 1, out);
            out.push_str("(br_if 0 (i32.gt_s (local.get $a) (i32.const 0))))");
        }
        12 => {
            out.push_str("(block (block (block (br_table 0 1 2 0 (local.get $a))) ");
            block(rng, f, depth + 1, out);
            out.push_str(") ");
            block(rng, f, depth + 1, out);
            out.push(')');
        }
        13 => out.push_str("(if (local.get $a) (then (return (local.get $a))))"),
        14 => {
            out.push_str("(block (br 0) ");
            block(rng, f, depth + 1, out);
            out.push(')');
        }
        _ => out.push_str(&format!(
            "(local.set $a (select (local.get $a) (i32.const {k}) (i32.wrap_i64 (local.get $b))))"
        )),
    }
    out.push('\n');
}

fn block(rng: &mut Rng, f: usize, depth: u32, out: &mut String) {
    for _ in 0..rng.below(4) {
        statement(rng, f, depth, out);
    }
}

/// A random, valid actor-like module: imports, one memory, one table, several functions.
fn generated(seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed);
    let funcs = 1 + rng.below(6) as usize;
    let mut text = String::from(
        r#"(module
          (type $t (func (param i32) (result i32)))
          (import "vm" "exit" (func $exit (param i32 i32 i32)))
          (memory (export "memory") 1)
          (global $g (mut f64) (f64.const 0))
        "#,
    );
    text.push_str(&format!(
        "(table (export \"table\") {funcs} funcref)\n(elem (i32.const 0)"
    ));
    for f in 0..funcs {
        text.push_str(&format!(" $f{f}"));
    }
    text.push_str(")\n");
    for f in 0..funcs {
        text.push_str(&format!(
            "(func $f{f} (type $t) (local $b i64) (local $a i32) (local.set $a (local.get 0))\n"
        ));
        for _ in 0..1 + rng.below(8) {
            statement(&mut rng, f, 0, &mut text);
        }
        text.push_str("(local.get $a))\n");
    }
    text.push_str(&format!("(export \"invoke\" (func $f{}))\n)", funcs - 1));
    wat(&text)
}

/// Every module expected to be accepted: Fern's own actors, hand-written and generated modules.
fn valid_modules() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = fern_bundle::ACTORS
        .iter()
        .map(|(n, w)| (format!("actor {n}"), w.to_vec()))
        .collect();
    assert!(!out.is_empty(), "the bundle has actors");
    out.extend(hand_written().into_iter().map(|(n, w)| (n.to_owned(), w)));
    for seed in 0..60 {
        out.push((format!("generated #{seed}"), generated(seed)));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// (a) Instrumentation is byte-identical to ref-fvm's
// ---------------------------------------------------------------------------------------------

#[test]
fn instrumentation_matches_ref_fvm() {
    for v in VERSIONS {
        let engine = fern_engine(v);
        for (name, wasm) in valid_modules() {
            let expected = oracle_instrument(v, &wasm)
                .unwrap_or_else(|| panic!("nv{v} {name}: oracle refused a valid module"));
            let got = engine
                .instrument(&wasm)
                .unwrap_or_else(|e| panic!("nv{v} {name}: {e}"));
            assert!(got == expected, "nv{v} {name}: instrumented bytes differ");
            // The free function with the configuration's parameters gives the same bytes.
            let c = engine.config();
            let fe::Instrumentation::Current(prices) = c.instrumentation else {
                panic!("nv{v} uses the current instrumenter");
            };
            let again = fe::instrument::inject(&wasm, c.max_wasm_stack_slots, prices).unwrap();
            assert!(again == expected, "nv{v} {name}: inject differs");
        }
    }
}

#[test]
fn compiled_size_matches_ref_fvm_preload() {
    for v in VERSIONS {
        let engine = fern_engine(v);
        for (name, wasm) in valid_modules() {
            let module = engine
                .compile(&wasm)
                .unwrap_or_else(|e| panic!("nv{v} {name}: {e}"));
            let oracle =
                oracle_preload(v, &wasm).unwrap_or_else(|| panic!("nv{v} {name}: oracle refused"));
            assert_eq!(module.instrumented_len(), oracle, "nv{v} {name}");
        }
    }
}

#[test]
fn actors_export_memory_and_fit_the_limits() {
    for (name, wasm) in fern_bundle::ACTORS {
        let m = fern_engine(28)
            .compile(wasm)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let bytes = m
            .min_memory_bytes()
            .unwrap_or_else(|| panic!("{name}: no memory export"));
        assert!(bytes > 0, "{name}");
        assert_eq!(bytes % fern::gas::wasm::WASM_PAGE_BYTES, 0, "{name}");
        assert!(
            m.module().get_export("invoke").is_some(),
            "{name}: no invoke export"
        );
    }
}

#[test]
fn gas_import_is_gas_gas_counter() {
    let wasm = wat(r#"(module (func (export "invoke")))"#);
    let instrumented = fern_engine(28).instrument(&wasm).unwrap();
    let module = wasmtime::Module::new(fern_engine(28).wasmtime(), &instrumented).unwrap();
    let imports: Vec<_> = module.imports().collect();
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].module(), fe::GAS_MODULE);
    assert_eq!(imports[0].name(), gas_metering::GAS_COUNTER_NAME);
    assert_eq!(fe::GAS_COUNTER_GLOBAL, gas_metering::GAS_COUNTER_NAME);
    match imports[0].ty() {
        wasmtime::ExternType::Global(g) => {
            assert!(g.content().matches(&wasmtime::ValType::I64));
            assert_eq!(g.mutability(), wasmtime::Mutability::Var);
        }
        other => panic!("gas import is {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// (b) Malformed and unsupported modules are rejected, as ref-fvm rejects them
// ---------------------------------------------------------------------------------------------

/// Modules using disabled features or exceeding limits, with the stage Fern must refuse them at
/// (`StackLimiter` standing for either instrumentation pass).
fn unsupported() -> Vec<(&'static str, Vec<u8>, Stage)> {
    let texts: &[(&str, &str, Stage)] = &[
        ("no functions", "(module)", Stage::StackLimiter),
        (
            "only imported functions",
            "(module (import \"vm\" \"exit\" (func (param i32 i32 i32))) (memory (export \"memory\") 1))",
            Stage::StackLimiter,
        ),
        (
            "simd",
            "(module (func (drop (i32x4.splat (i32.const 1)))))",
            Stage::Validation,
        ),
        (
            "relaxed simd",
            "(module (func (drop (i32x4.relaxed_trunc_f32x4_s (v128.const i64x2 0 0)))))",
            Stage::Validation,
        ),
        (
            "threads",
            "(module (memory 1 1 shared) (func (drop (i32.atomic.load (i32.const 0)))))",
            Stage::Validation,
        ),
        ("multi-memory", "(module (memory 1) (memory 1))", Stage::Validation),
        ("memory64", "(module (memory i64 1))", Stage::Validation),
        (
            "multi-value result",
            "(module (func (result i32 i32) (i32.const 1) (i32.const 2)))",
            Stage::Validation,
        ),
        (
            "multi-value block params",
            "(module (func (result i32) (i32.const 1) (block (param i32) (result i32))))",
            Stage::Validation,
        ),
        (
            "tail call",
            "(module (func $f (return_call $f)))",
            Stage::Validation,
        ),
        (
            "extended const",
            "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))",
            Stage::Validation,
        ),
        (
            "custom page size",
            "(module (memory 1 (pagesize 1)))",
            Stage::Validation,
        ),
        (
            "wide arithmetic",
            "(module (func (i64.add128 (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4)) drop drop))",
            Stage::Validation,
        ),
        (
            "exceptions",
            "(module (tag $e) (func (throw $e)))",
            Stage::Validation,
        ),
        (
            "gc",
            "(module (type $s (struct (field i32))) (func (drop (struct.new $s (i32.const 1)))))",
            Stage::Validation,
        ),
        (
            "reference instruction",
            "(module (func (drop (ref.null func))))",
            Stage::StackLimiter,
        ),
        (
            "table.grow",
            "(module (table 1 funcref) (func (drop (table.grow (ref.null func) (i32.const 1)))))",
            Stage::StackLimiter,
        ),
        (
            "negative constant length",
            "(module (memory 1) (func (drop (memory.grow (i32.const -1)))))",
            Stage::StackLimiter,
        ),
        (
            "data offset from a global",
            "(module (import \"env\" \"base\" (global i32)) (memory 1) (data (global.get 0) \"x\") (func))",
            Stage::StackLimiter,
        ),
        (
            "element expressions",
            "(module (table 1 funcref) (func $f) (elem (i32.const 0) funcref (ref.func $f)))",
            Stage::StackLimiter,
        ),
        (
            "gas counter already imported",
            "(module (import \"gas\" \"gas_counter\" (global (mut i64))) (func))",
            Stage::StackLimiter,
        ),
        (
            "table of 30 000 elements",
            "(module (table 30000 funcref) (func))",
            Stage::Compilation,
        ),
        (
            "two tables",
            "(module (table 1 funcref) (table 1 funcref) (func))",
            Stage::Compilation,
        ),
        (
            "memory above 512 MiB",
            "(module (memory 8193) (func))",
            Stage::Compilation,
        ),
    ];
    texts.iter().map(|(n, t, s)| (*n, wat(t), *s)).collect()
}

#[test]
fn unsupported_features_and_limits_are_rejected_like_ref_fvm() {
    for v in VERSIONS {
        let engine = fern_engine(v);
        for (name, wasm, stage) in unsupported() {
            let err = engine
                .compile(&wasm)
                .expect_err(&format!("nv{v}: fern accepted {name}"));
            let instrumenter = |s| matches!(s, Some(Stage::StackLimiter | Stage::GasMetering));
            if stage == Stage::StackLimiter {
                assert!(instrumenter(err.stage()), "nv{v} {name}: {err}");
            } else {
                assert_eq!(err.stage(), Some(stage), "nv{v} {name}: {err}");
            }
            assert!(
                oracle_preload(v, &wasm).is_none(),
                "nv{v}: ref-fvm accepted {name}, fern said {err}"
            );
        }
    }
}

#[test]
fn limits_at_the_boundary_are_accepted_like_ref_fvm() {
    for v in VERSIONS {
        let engine = fern_engine(v);
        for text in [
            "(module (table 20000 funcref) (func))",
            "(module (memory 8192) (func))",
            "(module (memory (export \"memory\") 8192 8192) (table (export \"table\") 20000 20000 funcref) (func))",
        ] {
            let wasm = wat(text);
            let fern = engine.compile(&wasm).map(|m| m.instrumented_len()).ok();
            assert!(fern.is_some(), "nv{v}: {text}");
            assert_eq!(fern, oracle_preload(v, &wasm), "nv{v}: {text}");
        }
    }
}

/// Fern and ref-fvm agree on `wasm`; returns whether it was accepted.
#[track_caller]
fn same_verdict(v: u32, wasm: &[u8], what: &str) -> bool {
    let fern = fern_engine(v).compile(wasm);
    let oracle = oracle_preload(v, wasm);
    match (&fern, oracle) {
        (Ok(m), Some(size)) => assert_eq!(m.instrumented_len(), size, "nv{v} {what}"),
        (Err(_), None) => {}
        _ => panic!("nv{v} {what}: fern {fern:?}, ref-fvm {oracle:?}"),
    }
    fern.is_ok()
}

/// Modules at the edges of what the instrumenter and the enabled proposals allow. Whatever the
/// verdict, Fern's must be ref-fvm's, and accepted modules must instrument to the same bytes.
#[test]
fn edge_modules_get_the_same_verdict_as_ref_fvm() {
    let texts = [
        "(module (table 2 funcref) (func (table.set 0 (i32.const 0) (table.get 0 (i32.const 1)))))",
        "(module (func (param i32) (result i32) (select (result i32) (local.get 0) (i32.const 1) (local.get 0))))",
        "(module (func (param funcref)))",
        "(module (func (param externref)))",
        "(module (func $f) (elem declare func $f) (func (drop (ref.func $f))))",
        "(module (func $f) (elem funcref (ref.func $f)))",
        "(module (func $f) (elem func $f))",
        "(module (table 1 funcref) (func (table.fill 0 (i32.const 0) (ref.null func) (i32.const 1))))",
        "(module (global funcref (ref.null func)) (func))",
        "(module (global (export \"g\") (mut i32) (i32.const 0)) (func (global.set 0 (i32.const 2))))",
        "(module (import \"env\" \"g\" (global (mut i32))) (func (global.set 0 (global.get 0))))",
        "(module (memory 1) (data \"passive\") (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 3))))",
        "(module (memory 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const -5))))",
        "(module (memory 1) (func (memory.copy (i32.const 0) (i32.const 0) (i32.const 0))))",
        "(module (memory 1) (func (drop (memory.grow (i32.const 0x7fffffff)))))",
        "(module (memory 1) (func (drop (memory.grow (i32.const 65536)))))",
        "(module (func (param f32) (result i64) (i64.trunc_sat_f32_u (local.get 0))))",
        "(module (func (result f64) (f64.div (f64.const nan) (f64.const 0))))",
        "(module (func (local v128)))",
        "(module (type (func (param i32) (result i32))) (func (type 0) (local.get 0)) (start 0))",
        "(module (func $s) (start $s))",
        "(module (func (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)))",
        "(module (func (loop (br 0))))",
        "(module (func (result i32) (block (result i32) (i32.const 1) (br 0))))",
        "(module (func (if (i32.const 1) (then) (else (unreachable)))))",
        "(module (func unreachable i32.add drop))",
        "(module (func $a (call $b)) (func $b (call $a)))",
    ];
    for v in VERSIONS {
        let mut accepted = 0;
        for text in texts {
            let wasm = wat(text);
            let ok = same_verdict(v, &wasm, text);
            if ok {
                accepted += 1;
                let expected = oracle_instrument(v, &wasm).unwrap();
                assert!(
                    fern_engine(v).instrument(&wasm).unwrap() == expected,
                    "nv{v}: {text}"
                );
            }
        }
        assert!(
            accepted > 10 && accepted < texts.len(),
            "nv{v}: {accepted} accepted"
        );
    }
}

#[test]
fn random_bytes_are_rejected() {
    let mut rng = Rng(42);
    for i in 0..200 {
        let len = rng.below(300) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Half of them start with a valid header, so parsing goes further.
        if i % 2 == 0 && len >= 8 {
            bytes[..8].copy_from_slice(b"\0asm\x01\0\0\0");
        }
        for v in VERSIONS {
            let err = fern_engine(v)
                .compile(&bytes)
                .expect_err("random bytes accepted");
            assert_eq!(err.stage(), Some(Stage::Validation), "{err}");
            assert!(!same_verdict(v, &bytes, &format!("random #{i}")));
        }
    }
}

#[test]
fn truncated_and_corrupted_modules_match_ref_fvm() {
    let originals = [hand("calls"), generated(7)];
    let mut rng = Rng(7);
    for wasm in originals {
        // Prefixes: invalid unless cut exactly between sections.
        let mut accepted = 0;
        for cut in (0..wasm.len()).step_by(3) {
            for v in VERSIONS {
                accepted += same_verdict(v, &wasm[..cut], &format!("prefix {cut}")) as usize;
            }
        }
        assert!(accepted < wasm.len() / 10, "{accepted} prefixes accepted");
        // Single-byte corruptions: some remain valid; both engines must agree on each.
        for _ in 0..150 {
            let mut bad = wasm.clone();
            let at = 8 + rng.below((bad.len() - 8) as u64) as usize;
            bad[at] = rng.next() as u8;
            for v in VERSIONS {
                same_verdict(v, &bad, &format!("corrupted at {at}"));
            }
        }
    }
}

#[test]
fn instrumenting_unvalidated_bytes_never_panics() {
    // `inject` skips validation; whatever the instrumenter does with garbage (error or contained
    // panic), the call returns.
    let prices = &fern::gas::price_list_for(FNv::new(21)).unwrap().wasm;
    let mut rng = Rng(5);
    let valid = generated(11);
    let mut inputs: Vec<Vec<u8>> = (0..valid.len())
        .step_by(5)
        .map(|n| valid[..n].to_vec())
        .collect();
    for _ in 0..300 {
        let mut bad = valid.clone();
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(bad.len() as u64) as usize;
            bad[at] = rng.next() as u8;
        }
        inputs.push(bad);
    }
    let mut errors = 0;
    for input in &inputs {
        if let Err(e) = fe::instrument::inject(input, 2048, prices) {
            assert!(matches!(
                e,
                EngineError::Rejected { .. } | EngineError::Panicked { .. }
            ));
            errors += 1;
        }
    }
    assert!(errors > 0);
}

// ---------------------------------------------------------------------------------------------
// (c) The module cache
// ---------------------------------------------------------------------------------------------

fn cache_engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::for_network(FNv::new(25)).unwrap())
}

#[test]
fn cache_compiles_each_cid_once() {
    let engine = cache_engine();
    let wasm = generated(1000);
    let cid = fresh_cid();
    let loads = AtomicU64::new(0);
    let before = engine.compilations();

    let first = engine
        .get_or_compile(&cid, |_| {
            loads.fetch_add(1, Ordering::SeqCst);
            Ok(wasm.clone())
        })
        .unwrap();
    let second = engine
        .get_or_compile(&cid, |_| {
            loads.fetch_add(1, Ordering::SeqCst);
            Ok(wasm.clone())
        })
        .unwrap();
    assert_eq!(loads.load(Ordering::SeqCst), 1);
    assert!(first.same_code(&second));
    assert!(engine.get(&cid).unwrap().same_code(&first));

    // Concurrent requests for a new CID wait for one compilation.
    let cid2 = fresh_cid();
    let barrier = Arc::new(Barrier::new(8));
    let modules: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let barrier = barrier.clone();
                let (wasm, loads) = (&wasm, &loads);
                s.spawn(move || {
                    barrier.wait();
                    engine
                        .get_or_compile(&cid2, |_| {
                            loads.fetch_add(1, Ordering::SeqCst);
                            Ok(wasm.clone())
                        })
                        .unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(loads.load(Ordering::SeqCst), 2);
    assert!(modules.iter().all(|m| m.same_code(&modules[0])));
    assert!(
        !modules[0].same_code(&first),
        "different CIDs get their own compilation"
    );
    // Other tests may use this engine concurrently, so count at least our two compilations.
    assert!(engine.compilations() >= before + 2);
}

#[test]
fn cache_does_not_keep_failures() {
    let engine = cache_engine();
    let cid = fresh_cid();
    let err = engine
        .get_or_compile(&cid, |_| Ok(b"garbage".to_vec()))
        .unwrap_err();
    assert_eq!(err.stage(), Some(Stage::Validation));
    assert!(engine.get(&cid).is_none());
    // A loader error is passed through untouched.
    let err = engine
        .get_or_compile(&cid, |_| Err(EngineError::CodeNotFound(cid)))
        .unwrap_err();
    assert_eq!(err, EngineError::CodeNotFound(cid));
    // A later good load is compiled and cached.
    let m = engine.get_or_compile(&cid, |_| Ok(generated(3))).unwrap();
    assert!(engine.get(&cid).unwrap().same_code(&m));
}

#[test]
fn preload_from_blockstore_matches_ref_fvm() {
    let engine = cache_engine();
    let bs = MemoryBlockstore::new();
    let modules: Vec<_> = (0..5).map(|i| generated(2000 + i)).collect();
    let cids: Vec<Cid> = modules
        .iter()
        .map(|w| {
            let cid = fresh_cid();
            bs.put_keyed(&cid, w).unwrap();
            cid
        })
        .collect();
    let fern_total = engine.preload(&cids, &bs).unwrap();
    let oracle_total = oracle_pool(21).acquire().preload_all(&bs, &cids).unwrap();
    assert_eq!(fern_total, oracle_total);
    for cid in &cids {
        assert!(engine.get(cid).is_some());
    }
    // Preloading again compiles nothing new and reports the same total.
    let loaded: Vec<_> = cids.iter().map(|c| engine.get(c).unwrap()).collect();
    assert_eq!(engine.preload(&cids, &bs).unwrap(), fern_total);
    for (cid, m) in cids.iter().zip(&loaded) {
        assert!(engine.get(cid).unwrap().same_code(m));
    }

    // A missing CID is reported as such, by both.
    let missing = fresh_cid();
    assert_eq!(
        engine.preload([&cids[0], &missing], &bs).unwrap_err(),
        EngineError::CodeNotFound(missing)
    );
    assert!(oracle_pool(21).acquire().preload(&missing, &bs).is_err());
}

// ---------------------------------------------------------------------------------------------
// (d) Initial memory and table sizes
// ---------------------------------------------------------------------------------------------

#[test]
fn minimum_memory_and_table() {
    // (module text, initial pages of the exported memory, initial elements of the exported
    // table), the sizes being those written in the module.
    let cases: &[(&str, Option<u64>, Option<u64>)] = &[
        ("(module)", None, None),
        ("(module (memory 3))", None, None),
        ("(module (memory (export \"mem\") 3))", None, None),
        ("(module (memory (export \"memory\") 0))", Some(0), None),
        (
            "(module (memory (export \"memory\") 17 100))",
            Some(17),
            None,
        ),
        (
            "(module (memory (export \"memory\") 1) (table (export \"table\") 7 funcref))",
            Some(1),
            Some(7),
        ),
        (
            "(module (memory (export \"memory\") 2) (table 7 funcref))",
            Some(2),
            None,
        ),
        (
            "(module (table (export \"tbl\") 7 funcref) (memory (export \"memory\") 4))",
            Some(4),
            None,
        ),
        (
            "(module (import \"env\" \"memory\" (memory 5)) (export \"memory\" (memory 0)))",
            Some(5),
            None,
        ),
        (
            "(module (func (export \"memory\")) (func (export \"table\")))",
            None,
            None,
        ),
        (
            "(module (global (export \"memory\") i32 (i32.const 0)))",
            None,
            None,
        ),
        (
            "(module (table (export \"table\") 0 funcref))",
            None,
            Some(0),
        ),
    ];
    const WASM_PAGE: u64 = 64 * 1024; // the Wasm specification's page size
    for (text, pages, elements) in cases {
        // Instrumentation needs at least one defined function.
        let wasm = wat(&format!("{} (func))", text.strip_suffix(')').unwrap()));
        for v in VERSIONS {
            let m = fern_engine(v).compile(&wasm).unwrap();
            assert_eq!(m.min_memory_bytes(), pages.map(|p| p * WASM_PAGE), "{text}");
            assert_eq!(m.min_table_elements(), *elements, "{text}");
            assert_eq!(fe::min_memory_bytes(m.module()), m.min_memory_bytes());
            assert_eq!(fe::min_table_elements(m.module()), m.min_table_elements());
        }
    }
    assert_eq!(fern::gas::wasm::WASM_PAGE_BYTES, WASM_PAGE);
}

// ---------------------------------------------------------------------------------------------
// Configuration and limits
// ---------------------------------------------------------------------------------------------

#[test]
fn config_matches_ref_fvm_network_config() {
    for v in 21..=29u32 {
        let f = EngineConfig::for_network(FNv::new(v)).unwrap();
        let o = oracle_config(v);
        assert_eq!(f.max_wasm_stack_slots, o.max_wasm_stack, "nv{v}");
        assert_eq!(
            f.max_instance_memory_bytes, o.max_inst_memory_bytes,
            "nv{v}"
        );
        assert_eq!(f.max_call_depth, o.max_call_depth, "nv{v}");
        assert_eq!(f.concurrency, o.concurrency, "nv{v}");
        let fe::Instrumentation::Current(prices) = f.instrumentation else {
            panic!("nv{v} uses the current instrumenter");
        };
        assert!(std::ptr::eq(
            prices,
            &fern::gas::price_list_for(FNv::new(v)).unwrap().wasm
        ));
    }
    // nv18 to nv20 against ref-fvm 3.14, their oracle: the same limits.
    for v in 18..=20u32 {
        let f = EngineConfig::for_network(FNv::new(v)).unwrap();
        let nc = fvm3::machine::NetworkConfig::new(fvm3_shared::version::NetworkVersion::from(v));
        let o: fvm3::engine::EngineConfig = (&nc).into();
        assert_eq!(f.max_wasm_stack_slots, o.max_wasm_stack, "nv{v}");
        assert_eq!(
            f.max_instance_memory_bytes, o.max_inst_memory_bytes,
            "nv{v}"
        );
        assert_eq!(f.max_call_depth, o.max_call_depth, "nv{v}");
        assert_eq!(f.concurrency, o.concurrency, "nv{v}");
    }
    // nv17 against ref-fvm 2.12: the same stack limit, the Skyr instrumentation (engine_fvm2.rs
    // compares what it produces); no memory limit but Wasm32's.
    let f = EngineConfig::for_network(FNv::new(17)).unwrap();
    let nc = fvm2::machine::NetworkConfig::new(fvm2_shared::version::NetworkVersion::V17);
    let o: fvm2::machine::EngineConfig = (&nc).into();
    assert_eq!(f.max_wasm_stack_slots, o.max_wasm_stack, "nv17");
    assert_eq!(
        f.instrumentation,
        fe::Instrumentation::Fvm2(&fern::gas::fvm2::SKYR)
    );
    assert_eq!(f.max_instance_memory_bytes, fe::WASM32_MAX_MEMORY_BYTES);
    for v in [0u32, 16, 31] {
        assert_eq!(
            EngineConfig::for_network(FNv::new(v)).unwrap_err(),
            EngineError::UnsupportedNetworkVersion(v)
        );
    }
}

#[test]
fn instance_pool_size_and_config_checks() {
    let base = EngineConfig::for_network(FNv::new(21)).unwrap();
    // One call stack plus 20 per executor, capped at 48 Ki.
    assert_eq!(base.instance_pool_size(), base.max_call_depth + 20);
    assert_eq!(
        base.with_concurrency(4).instance_pool_size(),
        base.max_call_depth + 80
    );
    assert_eq!(
        base.with_concurrency(100_000).instance_pool_size(),
        48 * 1024
    );
    assert!(matches!(
        base.with_concurrency(0).wasmtime_config(),
        Err(EngineError::Config(_))
    ));
    let odd = EngineConfig {
        max_instance_memory_bytes: base.max_instance_memory_bytes + 1,
        ..base
    };
    assert!(matches!(odd.wasmtime_config(), Err(EngineError::Config(_))));
    assert!(base.wasmtime_config().is_ok());
}

#[test]
fn memory_limiter_matches_ref_fvm() {
    use fe::MemoryLimiter;
    use fvm::machine::limiter::{DefaultMemoryLimiter, MemoryLimiter as _};

    let nc = fvm::machine::NetworkConfig::new(ONv::new(28));
    assert_eq!(MemoryLimiter::for_message().limit(), nc.max_memory_bytes);

    // Random sequences of growth and nested calls against a small limit, so both outcomes occur.
    fn run(rng: &mut Rng, depth: u32, f: &mut MemoryLimiter, o: &mut DefaultMemoryLimiter) {
        for _ in 0..rng.below(12) {
            let from = rng.below(64);
            let to = rng.below(96);
            match rng.below(4) {
                0 => assert_eq!(f.try_grow(to), o.grow_memory(to as usize)),
                1 => assert_eq!(
                    f.grow_memory(from, to),
                    o.grow_instance_memory(from as usize, to as usize)
                ),
                2 => assert_eq!(
                    f.grow_table(from, to),
                    o.grow_instance_table(from as usize, to as usize)
                ),
                _ if depth < 4 => {
                    let mark = f.mark();
                    DefaultMemoryLimiter::with_stack_frame(o, |o| o, |o| run(rng, depth + 1, f, o));
                    f.release_to(mark);
                }
                _ => {}
            }
            assert_eq!(f.used(), o.memory_used() as u64);
        }
    }
    let mut rng = Rng(99);
    for limit in [0u64, 1, 100, 500, 2000] {
        for _ in 0..50 {
            let mut f = MemoryLimiter::new(limit);
            let mut o = DefaultMemoryLimiter::new(limit as usize);
            run(&mut rng, 0, &mut f, &mut o);
        }
    }
}

#[test]
fn resource_limiter_respects_declared_maximum() {
    use wasmtime::ResourceLimiter;
    let mut l = fe::MemoryLimiter::new(100);
    assert!(l.memory_growing(0, 30, None).unwrap());
    assert!(!l.memory_growing(30, 40, Some(35)).unwrap());
    assert_eq!(l.used(), 30);
    assert!(l.table_growing(0, 5, Some(5)).unwrap());
    assert_eq!(l.used(), 70);
    assert!(!l.table_growing(5, 10, None).unwrap());
    assert_eq!(l.used(), 70);
    assert_eq!((l.instances(), l.memories()), (1, 1));
}

// ---------------------------------------------------------------------------------------------
// Running instrumented code (the instantiation recipe of the engine's documentation)
// ---------------------------------------------------------------------------------------------

struct Host {
    limiter: fe::MemoryLimiter,
}

fn instantiate(
    engine: &Engine,
    wasm: &[u8],
    gas: i64,
) -> (wasmtime::Store<Host>, wasmtime::Instance, wasmtime::Global) {
    let module = engine.compile(wasm).unwrap();
    let mut store = wasmtime::Store::new(
        engine.wasmtime(),
        Host {
            limiter: fe::MemoryLimiter::for_message(),
        },
    );
    store.limiter(|h| &mut h.limiter);
    let counter = wasmtime::Global::new(
        &mut store,
        wasmtime::GlobalType::new(wasmtime::ValType::I64, wasmtime::Mutability::Var),
        wasmtime::Val::I64(gas),
    )
    .unwrap();
    let mut linker = wasmtime::Linker::new(engine.wasmtime());
    linker
        .define(&store, fe::GAS_MODULE, fe::GAS_COUNTER_GLOBAL, counter)
        .unwrap();
    let instance = linker.instantiate(&mut store, module.module()).unwrap();
    (store, instance, counter)
}

#[test]
fn instrumented_code_runs_metered_and_stack_limited() {
    let engine = fern_engine(28);
    let loops = &hand("loops");
    let (mut store, instance, counter) = instantiate(engine, loops, 1 << 40);
    let invoke = instance
        .get_typed_func::<i32, i32>(&mut store, "invoke")
        .unwrap();
    assert_eq!(invoke.call(&mut store, 100).unwrap(), 5050);
    let after_100 = counter.get(&mut store).i64().unwrap();
    assert!(after_100 < 1 << 40);
    assert_eq!(invoke.call(&mut store, 200).unwrap(), 20100);
    let after_200 = counter.get(&mut store).i64().unwrap();
    assert!(
        after_100 - after_200 > (1i64 << 40) - after_100,
        "more iterations cost more"
    );

    // With too little gas the metering traps and the counter is left negative.
    let (mut store, instance, counter) = instantiate(engine, loops, 1000);
    let invoke = instance
        .get_typed_func::<i32, i32>(&mut store, "invoke")
        .unwrap();
    assert!(invoke.call(&mut store, 1_000_000).is_err());
    assert!(counter.get(&mut store).i64().unwrap() < 0);

    // Unbounded recursion hits the instrumented stack limit (an `unreachable` trap), never the
    // native stack.
    let deep = &hand("deep_chain");
    let (mut store, instance, _) = instantiate(engine, deep, 1 << 50);
    let invoke = instance
        .get_typed_func::<i32, i32>(&mut store, "invoke")
        .unwrap();
    assert_eq!(invoke.call(&mut store, 10).unwrap(), 10);
    let err = invoke.call(&mut store, 1_000_000).unwrap_err();
    assert_eq!(
        err.downcast_ref::<wasmtime::Trap>(),
        Some(&wasmtime::Trap::UnreachableCodeReached),
        "{err:?}"
    );
}

#[test]
fn memory_growth_is_bounded_by_the_limiter() {
    let engine = fern_engine(21);
    let wasm = wat(r#"(module (memory (export "memory") 1)
             (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#);
    let (mut store, instance, _) = instantiate(engine, &wasm, i64::MAX);
    // Instantiation counted the initial page.
    assert_eq!(store.data().limiter.used(), 65536);
    let grow = instance
        .get_typed_func::<i32, i32>(&mut store, "grow")
        .unwrap();
    assert_eq!(grow.call(&mut store, 3).unwrap(), 1);
    assert_eq!(store.data().limiter.used(), 4 * 65536);
    // Past the 512 MiB instance limit growth fails (returns -1). The memory declares no maximum,
    // so the limiter was asked first and counted the growth: as in ref-fvm, a failed growth still
    // weighs on the message's budget until the call returns.
    assert_eq!(grow.call(&mut store, 8192).unwrap(), -1);
    assert_eq!(store.data().limiter.used(), (4 + 8192) * 65536);
    // Within the instance limit growth still works.
    assert_eq!(grow.call(&mut store, 8188).unwrap(), 4);

    // A declared maximum is checked before the limiter, so nothing is counted.
    let wasm = wat(r#"(module (memory (export "memory") 1 2)
             (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#);
    let (mut store, instance, _) = instantiate(engine, &wasm, i64::MAX);
    let grow = instance
        .get_typed_func::<i32, i32>(&mut store, "grow")
        .unwrap();
    assert_eq!(grow.call(&mut store, 5).unwrap(), -1);
    assert_eq!(store.data().limiter.used(), 65536);
}

/// An engine admits at most `concurrency` call stacks at once; the next waits for a release.
#[test]
fn admission_waits_for_a_free_slot() {
    let config = EngineConfig::for_network(FNv::V28)
        .unwrap()
        .with_concurrency(2);
    let engine = Engine::new(config).unwrap();
    let first = engine.admit();
    let second = engine.admit();
    let entered = Arc::new(AtomicU64::new(0));
    let waiter = {
        let (engine, entered) = (engine.clone(), entered.clone());
        std::thread::spawn(move || {
            let _third = engine.admit();
            entered.store(1, Ordering::SeqCst);
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(
        entered.load(Ordering::SeqCst),
        0,
        "a third call stack got in"
    );
    drop(first);
    waiter.join().unwrap();
    assert_eq!(entered.load(Ordering::SeqCst), 1);
    drop(second);
}

/// A redirected code CID compiles and caches the target's Wasm.
#[test]
fn redirects_load_the_target_code() {
    let store = MemoryBlockstore::new();
    let (from, to) = (fresh_cid(), fresh_cid());
    store.put_keyed(&to, &generated(11)).unwrap();
    let config = EngineConfig::for_network(FNv::V28).unwrap();
    let engine = Engine::with_redirects(config, vec![(from, to)]).unwrap();
    assert_eq!(engine.redirect(&from), &to);
    let module = engine
        .load(&from, &store)
        .expect("the redirect target compiles");
    assert!(engine.get(&to).is_some(), "cached under the target");
    assert_eq!(
        module.instrumented_len(),
        engine.get(&from).unwrap().instrumented_len()
    );
    // Without the redirect the source CID has no code.
    assert!(Engine::new(config).unwrap().load(&from, &store).is_err());
}
