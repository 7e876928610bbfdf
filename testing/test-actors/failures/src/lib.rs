//! # `fern_test_failures`: ways for an actor to fail
//!
//! A test actor whose methods end badly on purpose: endless loops (out of gas), unbounded
//! recursion (Wasm stack overflow), growing memory past the limit, recursing through `send` until
//! the call depth limit, syscalls with pointers outside linear memory, panics and traps.
//!
//! Parameters are the same DAG-CBOR pair `[numbers, bytes]` as `fern_test_syscalls` uses; only
//! the numbers matter here. Methods that return report a DAG-CBOR pair `[status, bytes]`
//! (status = a syscall error number or 0).

#![warn(missing_docs)]

use fern_sdk::sys;
use fern_sdk::{ErrorNumber, IpldBlock};
use fern_shared::sys::SendFlags;
use fvm_ipld_encoding::RawBytes;

/// Method numbers (`n[i]` is the i-th parameter number).
pub mod method {
    /// Loops forever doing arithmetic: ends out of gas.
    pub const INFINITE_LOOP: u64 = 2;
    /// Recurses without bound, with `n[0]` bytes of locals per frame: ends in a stack overflow.
    pub const STACK_OVERFLOW: u64 = 3;
    /// `memory.grow(n[0] pages)`, then touches the last new page if it succeeded; returns the
    /// old size in pages (or u32::MAX when growing failed).
    pub const MEMORY_GROW: u64 = 4;
    /// Sends itself this method with depth+1 until a send fails; `n[0]` is the depth so far.
    /// Returns the deepest depth reached and the error number that stopped it.
    pub const SEND_RECURSE: u64 = 5;
    /// Calls syscall number `n[0]` with out-of-bounds pointer `n[1]` and length `n[2]`
    /// (see `bad_pointer` for the numbering; 12 and 14 are `vm::exit` with codes 0 and 20).
    pub const BAD_POINTER: u64 = 6;
    /// Panics (the SDK hook turns this into an abort with USR_ASSERTION_FAILED).
    pub const PANIC: u64 = 7;
    /// Executes the Wasm `unreachable` instruction.
    pub const UNREACHABLE: u64 = 8;
    /// Allocates and fills a vector of `n[0]` bytes; returns its checksum.
    pub const ALLOCATE: u64 = 9;
    /// Burns gas in a loop for `n[0]` iterations, then returns the iteration count.
    pub const BURN: u64 = 10;
    /// Sends itself [`INFINITE_LOOP`] with gas limit `n[0]`, then returns the callee exit code
    /// and the gas left afterwards.
    pub const SUBCALL_OUT_OF_GAS: u64 = 11;
}

type Args = (Vec<u64>, RawBytes);

#[no_mangle]
/// The actor's entry point.
pub extern "C" fn invoke(params_id: u32) -> u32 {
    let method = fern_sdk::message::method_number();
    if method != method::UNREACHABLE {
        fern_sdk::vm::set_panic_handler();
    }
    let block = fern_sdk::message::params_raw(params_id).unwrap_or(None);
    let (n, _b): Args = match &block {
        Some(IpldBlock { data, .. }) => fvm_ipld_encoding::from_slice(data).unwrap_or_default(),
        None => Default::default(),
    };
    let num = |i: usize| n.get(i).copied().unwrap_or(0);
    let out: Result<Vec<u8>, ErrorNumber> = match method {
        1 => Ok(Vec::new()),
        method::INFINITE_LOOP => {
            let mut x: u64 = 1;
            loop {
                x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
            }
        }
        method::STACK_OVERFLOW => Ok(recurse(std::hint::black_box(num(0)), 0)
            .to_be_bytes()
            .to_vec()),
        method::MEMORY_GROW => Ok(grow(num(0) as usize).to_be_bytes().to_vec()),
        method::SEND_RECURSE => send_recurse(num(0)),
        method::BAD_POINTER => bad_pointer(num(0), num(1) as u32, num(2) as u32),
        method::PANIC => panic!("deliberate panic {}", num(0)),
        method::UNREACHABLE => trap(),
        method::ALLOCATE => {
            let v: Vec<u8> = (0..num(0) as usize).map(|i| i as u8).collect();
            Ok(v.iter()
                .map(|x| *x as u64)
                .sum::<u64>()
                .to_be_bytes()
                .to_vec())
        }
        method::BURN => {
            let mut x = 0u64;
            for i in 0..num(0) {
                x = std::hint::black_box(x ^ i.rotate_left(7));
            }
            Ok(x.to_be_bytes().to_vec())
        }
        method::SUBCALL_OUT_OF_GAS => subcall_out_of_gas(num(0)),
        _ => fern_sdk::vm::abort(22, Some("unknown method")),
    };
    let pair: (u32, RawBytes) = match out {
        Ok(bytes) => (0, RawBytes::new(bytes)),
        Err(e) => (u32::from(e), RawBytes::default()),
    };
    let data = fvm_ipld_encoding::to_vec(&pair).expect("encodes");
    fern_sdk::ipld::put_block(0x71, &data).expect("return block")
}

#[inline(never)]
fn recurse(pad: u64, depth: u64) -> u64 {
    let mut frame = [0u8; 64];
    frame[(depth % 64) as usize] = depth as u8;
    let frame = std::hint::black_box(frame);
    if std::hint::black_box(depth) == u64::MAX {
        return 0;
    }
    let next = recurse(pad, depth + 1);
    std::hint::black_box(next.wrapping_add(frame[(pad % 64) as usize] as u64))
}

#[cfg(target_arch = "wasm32")]
fn grow(pages: usize) -> u32 {
    let old = core::arch::wasm32::memory_grow(0, pages);
    if old == usize::MAX {
        return u32::MAX;
    }
    if pages > 0 {
        let last = (old + pages) * 65536 - 1;
        unsafe { std::ptr::write_volatile(last as *mut u8, 1) };
    }
    old as u32
}

#[cfg(not(target_arch = "wasm32"))]
fn grow(_pages: usize) -> u32 {
    unimplemented!("Wasm only")
}

#[cfg(target_arch = "wasm32")]
fn trap() -> ! {
    core::arch::wasm32::unreachable()
}

#[cfg(not(target_arch = "wasm32"))]
fn trap() -> ! {
    unimplemented!("Wasm only")
}

fn send_recurse(depth: u64) -> Result<Vec<u8>, ErrorNumber> {
    let me = fern_sdk::message::receiver();
    let addr = fern_shared::address::Address::new_id(me).to_bytes();
    let args = fvm_ipld_encoding::to_vec(&(vec![depth + 1], RawBytes::default())).unwrap();
    let params = fern_sdk::ipld::put_block(0x71, &args)?;
    let r = unsafe {
        sys::send::send(
            addr.as_ptr(),
            addr.len() as u32,
            method::SEND_RECURSE,
            params,
            0,
            0,
            u64::MAX,
            SendFlags::empty(),
        )
    };
    match r {
        Ok(r) if r.exit_code == 0 && r.return_id != 0 => {
            // Pass the deepest result up unchanged.
            let data = fern_sdk::ipld::get_block(r.return_id, Some(r.return_size))?;
            let (_, inner): (u32, RawBytes) =
                fvm_ipld_encoding::from_slice(&data).map_err(|_| ErrorNumber::Serialization)?;
            Ok(inner.into())
        }
        Ok(r) => {
            let mut out = depth.to_be_bytes().to_vec();
            out.extend(1000u32.wrapping_add(r.exit_code).to_be_bytes());
            Ok(out)
        }
        Err(e) => {
            let mut out = depth.to_be_bytes().to_vec();
            out.extend(u32::from(e).to_be_bytes());
            Ok(out)
        }
    }
}

fn subcall_out_of_gas(limit: u64) -> Result<Vec<u8>, ErrorNumber> {
    let me = fern_sdk::message::receiver();
    let addr = fern_shared::address::Address::new_id(me).to_bytes();
    let r = unsafe {
        sys::send::send(
            addr.as_ptr(),
            addr.len() as u32,
            method::INFINITE_LOOP,
            0,
            0,
            0,
            limit,
            SendFlags::empty(),
        )?
    };
    let left = unsafe { sys::gas::available()? };
    let mut out = r.exit_code.to_be_bytes().to_vec();
    out.extend(left.to_be_bytes());
    Ok(out)
}

fn bad_pointer(which: u64, off: u32, len: u32) -> Result<Vec<u8>, ErrorNumber> {
    let p = off as usize as *const u8;
    let pm = off as usize as *mut u8;
    unsafe {
        match which {
            0 => sys::ipld::block_create(0x55, p, len).map(|id| id.to_be_bytes().to_vec()),
            1 => sys::debug::log(p, len).map(|_| Vec::new()),
            2 => sys::crypto::hash(0xb220, p, len, [0u8; 32].as_mut_ptr(), 32)
                .map(|l| l.to_be_bytes().to_vec()),
            3 => {
                let data = [1u8; 4];
                sys::crypto::hash(0xb220, data.as_ptr(), 4, pm, len)
                    .map(|l| l.to_be_bytes().to_vec())
            }
            4 => sys::actor::resolve_address(p, len).map(|id| id.to_be_bytes().to_vec()),
            5 => sys::sself::root(pm, len).map(|l| l.to_be_bytes().to_vec()),
            6 => sys::sself::set_root(p).map(|_| Vec::new()),
            7 => sys::ipld::block_open(p).map(|o| o.id.to_be_bytes().to_vec()),
            8 => {
                let id = sys::ipld::block_create(0x55, [7u8; 8].as_ptr(), 8)?;
                sys::ipld::block_read(id, 0, pm, len).map(|l| l.to_be_bytes().to_vec())
            }
            9 => sys::send::send(p, len, 0, 0, 0, 0, u64::MAX, SendFlags::empty())
                .map(|r| r.exit_code.to_be_bytes().to_vec()),
            10 => sys::gas::charge(p, len, 1).map(|_| Vec::new()),
            11 => sys::event::emit_event(
                off as usize as *const fern_shared::sys::EventEntry,
                len,
                p,
                0,
                p,
                0,
            )
            .map(|_| Vec::new()),
            12 => sys::vm::exit(0, 0, p, len),
            14 => sys::vm::exit(20, 0, p, len),
            _ => sys::actor::get_builtin_actor_type(p).map(|t| t.to_be_bytes().to_vec()),
        }
    }
}
