//! Where metered code stops: hand-written (WAT) actors run on both VMs with gas limits swept
//! one gas unit at a time, so that every metered block near the end of the budget is, at some
//! limit, the one whose charge fails, including the limit at which the counter reaches exactly
//! zero at a block boundary (it must not trap there: the charge traps only below zero). Then
//! recursion to the stack limiter's limit with metered blocks in every frame, direct and
//! through the table, where the last frame's charge and the limiter's check race; and recursion
//! with frames large on the native stack but cheap for the limiter, which ends in Wasmtime's
//! native stack overflow before the limiter's limit (FIPS/engine.md 2.1).
//!
//! Instruction prices are multiples of 4 gas, and the counter starts at a whole number of gas
//! when the charges before it are whole: the modules declare 5 pages of memory, whose
//! `wasm_memory_init` is 131 072 gas (one page would be 26 214.4). So every charge's running
//! total is a whole number of gas, and in a window of consecutive gas limits at least as long as
//! the largest block's cost there is a limit at which the counter reaches exactly zero after
//! some charge (then continues into that block, and the next charge runs out).

use fern_testing::harness::*;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::receipt::Receipt;
use fvm_shared::ActorID;

/// A finite loop of 600 iterations whose body is several metered blocks of different costs
/// (an if/else, a three-way `br_table`, the loop's `br_if`), then a store and a normal return.
const BLOCKS: (ActorID, &str) = (
    3100,
    r#"(module
  (memory (export "memory") 5)
  (func (export "invoke") (param i32) (result i32)
    (local $i i32) (local $acc i64)
    (loop $l
      (if (i32.and (local.get $i) (i32.const 1))
        (then (local.set $acc (i64.add (local.get $acc) (i64.const 3))))
        (else (local.set $acc (i64.mul (local.get $acc) (i64.const 5)))
              (local.set $acc (i64.xor (local.get $acc) (i64.const 7)))))
      (block $c (block $b (block $a
        (br_table $a $b $c (i32.rem_u (local.get $i) (i32.const 3))))
        (local.set $acc (i64.add (local.get $acc) (i64.const 1)))
        (br $c))
        (local.set $acc (i64.rotl (local.get $acc) (i64.const 9))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                          (i32.const 600))))
    (i64.store (i32.const 0) (local.get $acc))
    (i32.const 0)))"#,
);

/// An endless loop with a length-priced instruction whose length is only known at run time
/// (`memory.fill` of 0 to 1 022 bytes: a run-time charge of 0.4 gas per byte besides the
/// block's), so it always runs out of gas, at a point that depends on the limit.
const ENDLESS: (ActorID, &str) = (
    3101,
    r#"(module
  (memory (export "memory") 5)
  (func (export "invoke") (param i32) (result i32)
    (local $n i32)
    (loop $l
      (memory.fill (i32.const 0) (i32.const 0) (local.get $n))
      (local.set $n (i32.and (i32.add (local.get $n) (i32.const 37)) (i32.const 1023)))
      (if (i32.eqz (i32.and (local.get $n) (i32.const 3)))
        (then (local.set $n (i32.add (local.get $n) (i32.const 1)))))
      (br $l))
    (i32.const 0)))"#,
);

/// Unbounded recursion alternating a direct call and an indirect call through the table (which
/// the stack limiter routes through a thunk), each frame a few metered blocks: ends with the
/// limiter's `unreachable` (exit 4) when gas suffices.
const RECURSION: (ActorID, &str) = (
    3102,
    r#"(module
  (memory (export "memory") 5)
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $rec)
  (func $rec (param $n i32) (result i32)
    (local $x i64)
    (if (result i32) (i32.and (local.get $n) (i32.const 1))
      (then
        (local.set $x (i64.extend_i32_u (local.get $n)))
        (i32.add (call $rec (i32.add (local.get $n) (i32.const 1))) (i32.wrap_i64 (local.get $x))))
      (else
        (i32.add
          (call_indirect (type $t) (i32.add (local.get $n) (i32.const 1)) (i32.const 0))
          (i32.const 2)))))
  (func (export "invoke") (param i32) (result i32)
    (drop (call $rec (i32.const 0)))
    (i32.const 0)))"#,
);

/// A recursion whose every frame keeps `held` values loaded from memory live across the
/// recursive call (so they sit in the native frame), declared as one group of locals: the
/// stack limiter counts a declaration group as one slot whatever its size, so each frame costs
/// 8 slots (256 frames within the 2 048-slot limit) while taking about 8 x `held` bytes of
/// native stack. From about 2 000 values on, Wasmtime's 4 MiB native stack runs out first.
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
  (memory (export "memory") 5)
  (func $r (param $n i32) (result i32)
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
    (i32.wrap_i64 (local.get $a)))
  (func (export "invoke") (param i32) (result i32)
    (drop (call $r (i32.const 0)))
    (i32.const 0)))"#,
        locals = vec!["i64"; held].join(" ")
    )
}

/// Frame sizes (values held per frame) for [`big_frames`]: below and across the point where
/// the native stack runs out before the limiter's limit.
const HELD: [usize; 6] = [1500, 2043, 2140, 2334, 2431, 2916];

fn call(p: &mut Pair, seq: &mut u64, to: ActorID, gas_limit: u64) -> Receipt {
    let mut m = msg(
        p.account(0),
        Address::new_id(to),
        *seq,
        TokenAmount::from_atto(0),
        2,
        RawBytes::default(),
    );
    m.gas_limit = gas_limit;
    *seq += 1;
    p.apply(m)
}

/// Sends value-less transfers to self until the sender's nonce is 256: from there on (to 65 535)
/// the nonce takes three bytes in the message, so the message's size and inclusion cost stay the
/// same through a sweep and a gas limit means the same budget for the call itself.
fn skip_short_nonces(p: &mut Pair) -> u64 {
    let me = p.account(0);
    for seq in 0..256 {
        let r = p.apply(msg(
            me,
            me,
            seq,
            TokenAmount::from_atto(0),
            0,
            RawBytes::default(),
        ));
        assert!(r.exit_code.is_success(), "{r:?}");
    }
    256
}

/// Applies the call to `to` with every gas limit in `limits` (both VMs must agree on each).
fn sweep(p: &mut Pair, seq: &mut u64, to: ActorID, limits: impl IntoIterator<Item = u64>) {
    for limit in limits {
        call(p, seq, to, limit);
    }
}

fn pair(nv: fvm_shared::version::NetworkVersion, modules: &[(ActorID, Vec<u8>)]) -> Pair {
    let actors: Vec<(ActorID, &[u8])> = modules.iter().map(|(id, w)| (*id, w.as_slice())).collect();
    Pair::with_actors(nv, 1, &actors)
}

fn compile(modules: &[(ActorID, &str)]) -> Vec<(ActorID, Vec<u8>)> {
    modules
        .iter()
        .map(|(id, w)| (*id, wat::parse_str(w).expect("valid wat")))
        .collect()
}

#[test]
fn out_of_gas_at_every_block_boundary_matches() {
    on_deep_stack(|| {
        let modules = compile(&[BLOCKS]);
        for nv in NETWORK_VERSIONS {
            let mut p = pair(nv, &modules);
            let mut seq = skip_short_nonces(&mut p);
            let full = call(&mut p, &mut seq, BLOCKS.0, 50_000_000);
            assert!(full.exit_code.is_success(), "{full:?}");
            let used = full.gas_used;
            // The last gas units: the final iterations' blocks, the store, the return, and the
            // first limit that suffices (the call's Wasm uses about the last 58 000 gas; the
            // message's inclusion about 707 000 before it).
            sweep(&mut p, &mut seq, BLOCKS.0, used - 400..=used + 1);
            let last = call(&mut p, &mut seq, BLOCKS.0, used - 1);
            assert_eq!(last.exit_code.value(), 7, "one gas short: {last:?}");
            assert!(call(&mut p, &mut seq, BLOCKS.0, used)
                .exit_code
                .is_success());
            // Mid-execution, and coarsely through the whole call from before its first block.
            sweep(&mut p, &mut seq, BLOCKS.0, used - 30_060..used - 29_940);
            sweep(
                &mut p,
                &mut seq,
                BLOCKS.0,
                (0..80).map(|i| used - 80_000 + i * 997),
            );
        }
    });
}

#[test]
fn out_of_gas_inside_a_loop_matches() {
    on_deep_stack(|| {
        let modules = compile(&[ENDLESS]);
        for nv in NETWORK_VERSIONS {
            let mut p = pair(nv, &modules);
            let mut seq = skip_short_nonces(&mut p);
            let r = call(&mut p, &mut seq, ENDLESS.0, 3_000_000);
            assert_eq!(r.exit_code.value(), 7, "out of gas: {r:?}");
            // Every gas limit in a window longer than the largest block's cost (run-time
            // charges included), at two budgets.
            sweep(&mut p, &mut seq, ENDLESS.0, 2_000_000..2_000_500);
            sweep(&mut p, &mut seq, ENDLESS.0, 5_000_000..5_000_100);
        }
    });
}

#[test]
fn recursion_to_the_stack_limit_with_metering_matches() {
    on_deep_stack(|| {
        let modules = compile(&[RECURSION]);
        for nv in NETWORK_VERSIONS {
            let mut p = pair(nv, &modules);
            let mut seq = skip_short_nonces(&mut p);
            let full = call(&mut p, &mut seq, RECURSION.0, 50_000_000);
            assert_eq!(full.exit_code.value(), 4, "the limiter traps: {full:?}");
            let used = full.gas_used;
            // Around the gas the whole recursion needs: the last frames' charges against the
            // limiter's check, out of gas on one side of each limit and the limiter on the other.
            sweep(&mut p, &mut seq, RECURSION.0, used - 300..=used + 2);
        }
    });
}

#[test]
fn native_stack_overflow_before_the_slot_limit_matches() {
    on_deep_stack(|| {
        let modules: Vec<(ActorID, Vec<u8>)> = HELD
            .iter()
            .enumerate()
            .map(|(i, held)| {
                (
                    3110 + i as ActorID,
                    wat::parse_str(big_frames(*held)).unwrap(),
                )
            })
            .collect();
        for nv in NETWORK_VERSIONS {
            let mut p = pair(nv, &modules);
            let mut seq = skip_short_nonces(&mut p);
            // Each ends with exit 4: the limiter's `unreachable` for the smallest frames, the
            // native stack overflow for the others (fvm/tests/inline_charges.rs checks which).
            let mut last = 0;
            for (id, _) in &modules {
                let r = call(&mut p, &mut seq, *id, 50_000_000);
                assert_eq!(r.exit_code.value(), 4, "actor {id}: {r:?}");
                last = r.gas_used;
            }
            // Out of gas just before the overflow of the largest frames.
            let id = modules.last().unwrap().0;
            sweep(&mut p, &mut seq, id, last - 20..=last + 1);
        }
    });
}
