//! Why Fern does not inline the gas charge (FIPS/engine.md 2.5), as tests.
//!
//! Gas metering (`fvm-wasm-instrument` 0.4, as ref-fvm 4.8 applies it) puts `i64.const N;
//! call $charge` at the head of every metered block; Wasmtime 36 does not inline the call, and
//! the call is most of metering's run-time overhead. These tests rewrite ref-fvm's instrumented
//! module so that every such charge is the charging function's body written in place
//! ([`inline_charges`], test code only) and compare the two:
//!
//! - the gas charged, where it runs out, and what the counter holds when it does, are the same
//!   (the body does exactly what the call did), and the stack limiter's limit is reached at the
//!   same depth (the limiter ran before metering, so its accounting never included the charging
//!   call);
//! - but the compiled frames differ, and Wasmtime's own native stack limit (4 MiB, ref-fvm's
//!   `max_wasm_stack`) can be reached before the limiter's 2 048 slots: the limiter counts a
//!   declaration group of locals as one slot, whatever its size. A module built for it overflows
//!   the native stack at a different depth, with different gas used, once the charges are
//!   inline. That is a consensus difference, so Fern compiles ref-fvm's bytes unchanged.

use fern::engine::{self as fe, Engine};
use fern_shared::version::NetworkVersion as FNv;
use wasmparser_095 as wp;

/// Unsigned LEB128.
fn leb_u(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Signed LEB128.
fn leb_s(mut v: i64, out: &mut Vec<u8>) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        let done = (v == 0 && b & 0x40 == 0) || (v == -1 && b & 0x40 != 0);
        out.push(if done { b } else { b | 0x80 });
        if done {
            return;
        }
    }
}

/// Reads an unsigned LEB128 at `*at`, advancing it.
fn read_leb(data: &[u8], at: &mut usize) -> u64 {
    let (mut v, mut shift) = (0u64, 0);
    loop {
        let b = data[*at];
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return v;
        }
        shift += 7;
    }
}

/// Rewrites an instrumented module (ref-fvm's bytes) so that every static charge, `i64.const N;
/// call $charge`, becomes `$charge`'s body with `N` in place of its parameter: subtract from
/// the imported counter, store, trap with `unreachable` if it went below zero. Run-time charges
/// of length-priced instructions (an `i64.mul` before the call) keep their call. The charging
/// function itself stays, so no index moves.
fn inline_charges(wasm: &[u8]) -> Vec<u8> {
    // Count functions and find the gas global.
    let (mut funcs, mut gas_global, mut globals) = (0u32, None, 0u32);
    for p in wp::Parser::new(0).parse_all(wasm) {
        match p.unwrap() {
            wp::Payload::ImportSection(r) => {
                for i in r {
                    let i = i.unwrap();
                    match i.ty {
                        wp::TypeRef::Func(_) => funcs += 1,
                        wp::TypeRef::Global(_) => {
                            if i.module == "gas" && i.name == "gas_counter" {
                                gas_global = Some(globals);
                            }
                            globals += 1;
                        }
                        _ => {}
                    }
                }
            }
            wp::Payload::FunctionSection(r) => funcs += r.get_count(),
            _ => {}
        }
    }
    let g = gas_global.unwrap();
    // The injector appends the charging function after every other function.
    let charge_fn = funcs - 1;
    let mut inlined = 0;
    let mut out = wasm[..8].to_vec();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = read_leb(wasm, &mut at) as usize;
        let body = &wasm[at..at + size];
        at += size;
        if id != 10 {
            out.push(id);
            leb_u(size as u64, &mut out);
            out.extend_from_slice(body);
            continue;
        }
        let mut p = 0;
        let count = read_leb(body, &mut p);
        let mut section = Vec::new();
        leb_u(count, &mut section);
        for _ in 0..count {
            let len = read_leb(body, &mut p) as usize;
            let f = &body[p..p + len];
            p += len;
            let fb = wp::FunctionBody::new(0, f);
            let mut ops = fb.get_operators_reader().unwrap();
            let start = ops.original_position();
            let mut nf = f[..start].to_vec();
            let mut list = Vec::new();
            while !ops.eof() {
                let (op, off) = ops.read_with_offset().unwrap();
                list.push((op, off));
            }
            let mut prev_const: Option<(i64, usize)> = None;
            for (k, (op, off)) in list.iter().enumerate() {
                let end = list.get(k + 1).map_or(f.len(), |x| x.1);
                match op {
                    wp::Operator::Call { function_index } if *function_index == charge_fn => {
                        if let Some((n, keep)) = prev_const {
                            // Drop the `i64.const N` already copied, then write
                            // global.get g; i64.const N; i64.sub; global.set g; global.get g;
                            // i64.const 0; i64.lt_s; if (empty) unreachable end.
                            nf.truncate(keep);
                            nf.push(0x23);
                            leb_u(g.into(), &mut nf);
                            nf.push(0x42);
                            leb_s(n, &mut nf);
                            nf.push(0x7d);
                            nf.push(0x24);
                            leb_u(g.into(), &mut nf);
                            nf.push(0x23);
                            leb_u(g.into(), &mut nf);
                            nf.extend_from_slice(&[0x42, 0x00, 0x53, 0x04, 0x40, 0x00, 0x0b]);
                            inlined += 1;
                        } else {
                            nf.extend_from_slice(&f[*off..end]);
                        }
                        prev_const = None;
                    }
                    wp::Operator::I64Const { value } => {
                        prev_const = Some((*value, nf.len()));
                        nf.extend_from_slice(&f[*off..end]);
                    }
                    _ => {
                        prev_const = None;
                        nf.extend_from_slice(&f[*off..end]);
                    }
                }
            }
            leb_u(nf.len() as u64, &mut section);
            section.extend_from_slice(&nf);
        }
        out.push(10);
        leb_u(section.len() as u64, &mut out);
        out.extend_from_slice(&section);
    }
    assert!(inlined > 0, "no charge found to inline");
    wp::validate(&out).expect("the inlined module validates");
    out
}

/// How a call of the export `run` ended.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    /// The result, or the trap.
    outcome: Result<i32, String>,
    /// The first word of memory (the test modules count frames there; it survives a trap).
    word0: i32,
    /// The gas counter afterwards, in milligas.
    gas_left: i64,
}

/// Calls `run(arg)` of `module` with `gas` milligas in the counter, on Fern's engine.
fn run(engine: &Engine, module: &wasmtime::Module, arg: i32, gas: i64) -> Run {
    let mut store = wasmtime::Store::new(engine.wasmtime(), ());
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
    let instance = linker.instantiate(&mut store, module).unwrap();
    let f = instance.get_func(&mut store, "run").unwrap();
    let mut out = [wasmtime::Val::I32(0)];
    let res = f.call(&mut store, &[wasmtime::Val::I32(arg)], &mut out);
    // (Not an exported global: the gas injector renumbers globals in code but not in the export
    // section, so after instrumentation an exported global names another one.)
    let mut word = [0u8; 4];
    let memory = instance.get_memory(&mut store, "memory").unwrap();
    memory.read(&store, 0, &mut word).unwrap();
    Run {
        outcome: match res {
            Ok(()) => Ok(out[0].i32().unwrap()),
            Err(e) => Err(e
                .downcast_ref::<wasmtime::Trap>()
                .map_or_else(|| format!("{e:?}"), |t| format!("{t:?}"))),
        },
        word0: i32::from_le_bytes(word),
        gas_left: counter.get(&mut store).i64().unwrap(),
    }
}

fn compiled(engine: &Engine, bytes: &[u8]) -> wasmtime::Module {
    wasmtime::Module::from_binary(engine.wasmtime(), bytes).unwrap()
}

fn engine() -> Engine {
    Engine::for_network(FNv::V28).unwrap()
}

/// ref-fvm 4.8.4's instrumentation of `wasm` with its own stack limit and prices.
fn oracle_instrument(wasm: &[u8]) -> Vec<u8> {
    let nc = fvm::machine::NetworkConfig::new(fvm_shared::version::NetworkVersion::V28);
    let ec: fvm::engine::EngineConfig = (&nc).into();
    let limited = fvm_wasm_instrument::stack_limiter::inject(wasm, ec.max_wasm_stack).unwrap();
    fvm_wasm_instrument::gas_metering::inject(&limited, ec.wasm_prices, "gas").unwrap()
}

/// Runs `f` on a thread with a stack far larger than the 4 MiB Wasm may use.
fn on_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

/// Metered control flow: a loop of if/else, `br_table` and `br_if` blocks, a length-priced
/// `memory.fill` with a run-time length, and recursion (direct, and indirect through a
/// thunk) that ends at the stack limiter's limit. `run(n)` loops `n` times, then recurses
/// without end; memory word 0 counts frames.
const CONTROL_FLOW: &str = r#"(module
  (memory (export "memory") 1)
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $rec)
  (func $rec (param $n i32) (result i32)
    (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
    (if (result i32) (i32.and (local.get $n) (i32.const 1))
      (then (i32.add (call $rec (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))
      (else (i32.add (call_indirect (type $t) (i32.add (local.get $n) (i32.const 1)) (i32.const 0))
                     (i32.const 2)))))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i64)
    (loop $l
      (if (i32.and (local.get $i) (i32.const 1))
        (then (local.set $acc (i64.add (local.get $acc) (i64.const 3))))
        (else (local.set $acc (i64.mul (local.get $acc) (i64.const 5)))))
      (block $c (block $b (block $a
        (br_table $a $b $c (i32.rem_u (local.get $i) (i32.const 3))))
        (memory.fill (i32.const 8) (i32.const 1) (i32.and (local.get $i) (i32.const 255)))
        (br $c))
        (local.set $acc (i64.rotl (local.get $acc) (i64.const 9))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                          (local.get $n))))
    (i32.add (i32.wrap_i64 (local.get $acc)) (call $rec (i32.const 0)))))"#;

/// A recursion whose frames are large on the native stack but cheap for the stack limiter:
/// `held` i64 locals in one declaration group (one slot for the limiter) are loaded from memory
/// and stay live across the recursive call, so they sit in the native frame; each frame costs
/// the limiter 8 slots (256 frames in 2 048) and takes about 8 x `held` bytes of native stack.
/// A small loop's accumulators are live across its per-iteration charge. Memory word 0 counts
/// frames.
fn big_frames(held: usize) -> String {
    let mut set = String::new();
    let mut sum = String::new();
    for i in 0..held {
        set += &format!(
            "(local.set {} (i64.load offset={} (i32.const 0)))\n",
            i + 5,
            8 * i + 8
        );
        sum += &format!(
            "(local.set $a (i64.add (local.get $a) (local.get {})))\n",
            i + 5
        );
    }
    format!(
        r#"(module
  (memory (export "memory") 1)
  (func $r (export "run") (param $n i32) (result i32)
    (local $a i64) (local $b i64) (local $c i64) (local $k i32)
    (local {locals})
    (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
    {set}
    (local.set $a (i64.extend_i32_u (local.get $n)))
    (loop $l
      (local.set $b (i64.mul (local.get $a) (i64.const 3)))
      (local.set $c (i64.xor (local.get $b) (local.get $a)))
      (local.set $a (i64.add (local.get $c) (local.get $b)))
      (br_if $l (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (i32.const 3))))
    (drop (call $r (i32.add (local.get $n) (i32.const 1))))
    {sum}
    (i32.wrap_i64 (local.get $a))))"#,
        locals = vec!["i64"; held].join(" ")
    )
}

/// Frames the stack limiter admits for [`big_frames`] (8 slots each, 2 048 in all).
const LIMITER_FRAMES: i32 = 256;

/// With the charges inline, the same gas is charged at the same points: for every budget in
/// 1-gas steps through a run (so that the counter reaches exactly zero after some charge, and
/// runs out inside the loop, in a length-priced instruction and in the recursion), the result
/// or trap, the frames reached and the counter left are the same as with the calls; with ample
/// gas both end at the stack limiter's limit, at the same depth.
#[test]
fn inline_charges_meter_like_the_calls() {
    on_big_stack(|| {
        let engine = engine();
        let wasm = wat::parse_str(CONTROL_FLOW).unwrap();
        let called = engine.instrument(&wasm).unwrap();
        assert_eq!(
            called,
            oracle_instrument(&wasm),
            "Fern instruments as ref-fvm"
        );
        let inlined = inline_charges(&called);
        let (called, inlined) = (compiled(&engine, &called), compiled(&engine, &inlined));
        let full = run(&engine, &called, 40, i64::MAX);
        assert_eq!(
            full.outcome,
            Err("UnreachableCodeReached".into()),
            "{full:?}"
        );
        assert_eq!(full, run(&engine, &inlined, 40, i64::MAX));
        let needed = i64::MAX - full.gas_left;
        let mut outcomes = std::collections::BTreeSet::new();
        let mut exact_zero = 0;
        for gas in (1000..=needed + 1000).step_by(1000) {
            for g in [gas - 1, gas] {
                let a = run(&engine, &called, 40, g);
                assert_eq!(a, run(&engine, &inlined, 40, g), "with {g} milligas");
                outcomes.insert((a.outcome.clone(), a.gas_left < 0));
                // One milligas short of a charge: with `gas`, that charge leaves exactly zero
                // and execution goes on into its block.
                exact_zero += usize::from(g == gas - 1 && a.gas_left == -1);
            }
        }
        println!("budgets at which a charge leaves exactly zero: {exact_zero}");
        assert!(exact_zero > 0);
        assert_eq!(
            outcomes.into_iter().collect::<Vec<_>>(),
            [
                (Err("UnreachableCodeReached".into()), false), // the limiter, gas to spare
                (Err("UnreachableCodeReached".into()), true),  // out of gas
            ]
        );
    });
}

/// Wasmtime's native stack limit comes before the stack limiter's when frames are large: Fern
/// compiles ref-fvm's bytes and stops where ref-fvm stops (the message-level comparison is
/// testing/tests/gas_traces/metering.rs).
#[test]
fn native_stack_overflow_can_come_before_the_slot_limit() {
    on_big_stack(|| {
        let engine = engine();
        for (held, frames, trap) in [
            (1500, LIMITER_FRAMES, "UnreachableCodeReached"),
            (2916, 179, "StackOverflow"),
        ] {
            let wasm = wat::parse_str(big_frames(held)).unwrap();
            assert_eq!(engine.instrument(&wasm).unwrap(), oracle_instrument(&wasm));
            let module = engine.compile(&wasm).unwrap();
            let r = run(&engine, module.module(), 0, 1 << 50);
            assert_eq!(r.outcome, Err(trap.into()), "held {held}: {r:?}");
            if cfg!(target_arch = "x86_64") {
                assert_eq!(r.word0, frames, "held {held}");
            } else {
                assert!(r.word0 <= frames);
            }
        }
    });
}

/// The reason Fern keeps the calls: with the charges inline, a module that overflows the native
/// stack does so at another depth for some frame sizes (measured on x86_64 with Wasmtime 36:
/// frames of 2 334 and 2 431 held values reach one frame more), so the gas used differs.
#[test]
fn inline_charges_move_the_native_overflow() {
    on_big_stack(|| {
        let engine = engine();
        let mut moved = Vec::new();
        for held in (2043..=2916).step_by(97) {
            let wasm = wat::parse_str(big_frames(held)).unwrap();
            let called = engine.instrument(&wasm).unwrap();
            let inlined = inline_charges(&called);
            let a = run(&engine, &compiled(&engine, &called), 0, 1 << 50);
            let b = run(&engine, &compiled(&engine, &inlined), 0, 1 << 50);
            assert_eq!(a.outcome, Err("StackOverflow".into()), "held {held}");
            assert_eq!(b.outcome, a.outcome, "held {held}");
            if a != b {
                moved.push((held, a.word0, b.word0, a.gas_left - b.gas_left));
            }
        }
        println!("(held values, frames with calls, frames inline, milligas difference): {moved:?}");
        if cfg!(target_arch = "x86_64") {
            assert!(
                !moved.is_empty(),
                "inline charges no longer move the native overflow here: re-read FIPS/engine.md 2.5"
            );
        }
    });
}
