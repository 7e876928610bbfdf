//! # `fern_test_syscalls`: one actor, every syscall
//!
//! A test actor for differential testing. Each method performs one syscall (or a short, fixed
//! sequence of them) with arguments taken from the parameters, and returns what the kernel
//! answered, so two VMs that disagree anywhere produce different return bytes.
//!
//! * Parameters: a DAG-CBOR pair `[numbers, bytes]` ([`Args`]): a list of `u64` and a byte
//!   string. Missing parameters mean `[[], b""]`. Which number means what is listed per method
//!   in [`method`].
//! * Return: a DAG-CBOR pair `[status, bytes]`: `status` is 0 when the syscall succeeded and the
//!   syscall's error number otherwise; `bytes` is a method-specific encoding of the result.
//! * Methods in [`method`] that end the call in another way (exit, abort, self-destruct) say so.
//!
//! The actor has no required state; methods that touch the state root work on whatever block
//! the root currently points to.

#![warn(missing_docs)]

use fern_sdk::sys;
use fern_sdk::{ErrorNumber, IpldBlock};
use fern_shared::sys::{EventEntry, SendFlags};
use fvm_ipld_encoding::RawBytes;

/// DAG-CBOR codec number.
pub const DAG_CBOR: u64 = 0x71;
/// Raw codec number.
pub const IPLD_RAW: u64 = 0x55;

/// The parameters of every method: numbers and bytes.
pub type Args = (Vec<u64>, RawBytes);

/// Method numbers. `n[i]` is the i-th number of [`Args`], `b` its bytes.
pub mod method {
    /// `block_create(codec = n[0], data = b)`; returns the block id (u32 BE). With `n[1] == 1`
    /// reads the state root first (which makes it, and so links to it, reachable).
    pub const BLOCK_CREATE: u64 = 2;
    /// Creates a raw block from `b`, then `block_read(id, offset = n[0], max_len = n[1])`;
    /// returns the remaining count (i32 BE) followed by the bytes read.
    pub const BLOCK_READ: u64 = 3;
    /// `block_read(id = n[0], 0, buf, 16)` on a handle that may not exist.
    pub const BLOCK_READ_BAD_ID: u64 = 4;
    /// Creates a block (codec `n[1]`, data `b`) when `n[2] == 1`, then `block_stat(n[0])`;
    /// returns codec (u64 BE) and size (u32 BE).
    pub const BLOCK_STAT: u64 = 5;
    /// Creates a block (codec `n[0]`, data `b`) then `block_link(id, hash = n[1], hash_len =
    /// n[2], cid buffer = n[3] bytes)`; returns the CID bytes.
    pub const BLOCK_LINK: u64 = 6;
    /// `block_open(cid = b)`; returns codec, size and the block's data. With `n[0] == 1` reads
    /// the state root first (a block is only reachable once the actor has seen its CID).
    pub const BLOCK_OPEN: u64 = 7;
    /// Creates a block of `n[0]` zero bytes with codec `n[1]` and links it (blake2b-256);
    /// returns the CID bytes.
    pub const BLOCK_BIG: u64 = 8;
    /// `root(buffer = n[0] bytes)`; returns the CID bytes.
    pub const ROOT: u64 = 10;
    /// Stores `b` as a block (codec `n[0]`), links it (blake2b-256), `set_root` to it and
    /// returns the new root. With `n[1] == 1` instead sets the root to the CID in `b` as given.
    pub const SET_ROOT: u64 = 11;
    /// `current_balance`; returns the amount (u128 BE).
    pub const BALANCE: u64 = 12;
    /// `self_destruct(burn = n[0] != 0)`.
    pub const SELF_DESTRUCT: u64 = 13;
    /// `message_context`; returns every field.
    pub const MESSAGE_CONTEXT: u64 = 14;
    /// `network context`; returns every field.
    pub const NETWORK_CONTEXT: u64 = 15;
    /// `tipset_cid(epoch = n[0] as i64, buffer = n[1] bytes)`.
    pub const TIPSET_CID: u64 = 16;
    /// `total_fil_circ_supply`.
    pub const CIRC_SUPPLY: u64 = 17;
    /// `resolve_address(b)`; returns the id (u64 BE).
    pub const RESOLVE_ADDRESS: u64 = 20;
    /// `lookup_delegated_address(n[0], buffer = n[1] bytes)`.
    pub const LOOKUP_DELEGATED: u64 = 21;
    /// `get_actor_code_cid(n[0], buffer = n[1] bytes)`.
    pub const ACTOR_CODE_CID: u64 = 22;
    /// `get_builtin_actor_type(cid)`: the CID is `b`, or the code of actor `n[0]` if `b` is empty.
    pub const BUILTIN_TYPE: u64 = 23;
    /// `get_code_cid_for_type(n[0] as i32, buffer = n[1] bytes)`.
    pub const CODE_FOR_TYPE: u64 = 24;
    /// `next_actor_address(buffer = n[0] bytes)`.
    pub const NEXT_ADDRESS: u64 = 25;
    /// `create_actor(id = n[0], code of builtin type n[1], delegated address = b)`.
    pub const CREATE_ACTOR: u64 = 26;
    /// `balance_of(n[0])`.
    pub const BALANCE_OF: u64 = 27;
    /// `hash(code = n[0], data = b, digest buffer = n[1] bytes)`.
    pub const HASH: u64 = 30;
    /// `verify_signature(type = n[0], sig = b[..n[1]], addr = b[n[1]..n[1]+n[2]], rest = data)`;
    /// returns the i32 verdict.
    pub const VERIFY_SIGNATURE: u64 = 31;
    /// `recover_secp_public_key(hash = b[..32], sig = b[32..97])`; `b` shorter than 97 bytes is
    /// zero-padded.
    pub const RECOVER_SECP: u64 = 32;
    /// `verify_consensus_fault(b split at n[0] and n[1])`; returns epoch, target, fault.
    pub const CONSENSUS_FAULT: u64 = 33;
    /// `compute_unsealed_sector_cid(proof type n[0], pieces = b)`.
    pub const UNSEALED_CID: u64 = 34;
    /// `verify_post(b)`, `verify_aggregate_seals(b)`, `verify_replica_update(b)` for
    /// `n[0]` = 0, 1, 2; `n[0]` = 3 is `batch_verify_seals(b)` with a result buffer of `n[1]`
    /// bytes (returned).
    pub const VERIFY_PROOF: u64 = 35;
    /// `emit_event` from a DAG-CBOR list `[[flags, key bytes, codec, value bytes], ...]` in `b`.
    /// `n[0]` corrupts the call: 1 = keys buffer one byte short, 2 = values buffer one byte
    /// short, 3 = entry count one too many (pointing past the list).
    pub const EMIT_EVENT: u64 = 40;
    /// `get_chain_randomness(n[0] as i64)`.
    pub const CHAIN_RANDOMNESS: u64 = 45;
    /// `get_beacon_randomness(n[0] as i64)`.
    pub const BEACON_RANDOMNESS: u64 = 46;
    /// `gas available`; returns u64 BE.
    pub const GAS_AVAILABLE: u64 = 50;
    /// `gas charge(name = b, amount = n[0])`.
    pub const GAS_CHARGE: u64 = 51;
    /// `debug enabled` then `debug log(b)`; returns the enabled flag.
    pub const DEBUG_LOG: u64 = 52;
    /// `debug store_artifact(name = b[..n[0]], data = rest)`.
    pub const STORE_ARTIFACT: u64 = 53;
    /// `send`: `b` is DAG-CBOR `[recipient address bytes, params bytes or null]`; method `n[0]`,
    /// value `n[1]` attoFIL plus `n[5]` × 2^64, gas limit `n[2]` (0 = unlimited), flags `n[3]`,
    /// params codec `n[4]` (default DAG-CBOR). Returns the callee's exit code (u32 BE) and return data.
    pub const SEND: u64 = 60;
    /// `exit(code = n[0], data = b as a block of codec n[1] unless b is empty, message "bye")`.
    pub const EXIT: u64 = 70;
    /// `exit(code = n[0], block id = n[1], no message)`: exits with an arbitrary handle.
    pub const EXIT_BAD_BLOCK: u64 = 71;
    /// Returns handle `n[0]` from `invoke` directly.
    pub const RETURN_HANDLE: u64 = 72;
    /// Returns `b` as the return block with codec `n[0]` (not wrapped in a status pair).
    pub const RETURN_RAW: u64 = 73;
}

/// Outcome of a method: the pair `(status, bytes)`, or an exit path handled by the method.
type Out = Result<Vec<u8>, ErrorNumber>;

#[no_mangle]
/// The actor's entry point.
pub extern "C" fn invoke(params_id: u32) -> u32 {
    let ctx = match unsafe { sys::vm::message_context() } {
        Ok(c) => c,
        Err(_) => fern_sdk::vm::abort(24, Some("no message context")),
    };
    let block = fern_sdk::message::params_raw(params_id).unwrap_or(None);
    let (n, b): Args = match &block {
        Some(IpldBlock { data, .. }) => match fvm_ipld_encoding::from_slice(data) {
            Ok(args) => args,
            Err(_) => fern_sdk::vm::abort(16, Some("bad args")),
        },
        None => (Vec::new(), RawBytes::default()),
    };
    let b: Vec<u8> = b.into();
    let num = |i: usize| n.get(i).copied().unwrap_or(0);
    let out = match ctx.method_number {
        1 => Ok(Vec::new()),
        method::RETURN_HANDLE => return num(0) as u32,
        method::RETURN_RAW => {
            return fern_sdk::ipld::put_block(num(0), &b)
                .unwrap_or_else(|e| fern_sdk::vm::abort(24, Some(&e.to_string())))
        }
        method::EXIT => {
            let data = (!b.is_empty()).then(|| IpldBlock {
                codec: num(1),
                data: b.clone(),
            });
            fern_sdk::vm::exit(num(0) as u32, data, Some("bye"))
        }
        method::EXIT_BAD_BLOCK => unsafe {
            sys::vm::exit(num(0) as u32, num(1) as u32, std::ptr::null(), 0)
        },
        m => run(m, &num, &b),
    };
    let pair: (u32, RawBytes) = match out {
        Ok(bytes) => (0, RawBytes::new(bytes)),
        Err(e) => (u32::from(e), RawBytes::default()),
    };
    let data = fvm_ipld_encoding::to_vec(&pair).expect("encodes");
    fern_sdk::ipld::put_block(DAG_CBOR, &data)
        .unwrap_or_else(|e| fern_sdk::vm::abort(24, Some(&e.to_string())))
}

fn create(codec: u64, data: &[u8]) -> Result<u32, ErrorNumber> {
    unsafe { sys::ipld::block_create(codec, data.as_ptr(), data.len() as u32) }
}

fn link(id: u32, hash: u64, hash_len: u32, buf: usize) -> Out {
    let mut cid = vec![0u8; buf];
    let len = unsafe { sys::ipld::block_link(id, hash, hash_len, cid.as_mut_ptr(), buf as u32)? };
    cid.truncate(len as usize);
    Ok(cid)
}

/// Reads the state root (and throws it away): marks it reachable.
fn touch_root() -> Result<(), ErrorNumber> {
    let mut buf = [0u8; 100];
    unsafe { sys::sself::root(buf.as_mut_ptr(), 100)? };
    Ok(())
}

fn buf_call(len: u64, f: impl FnOnce(*mut u8, u32) -> Result<u32, ErrorNumber>) -> Out {
    let mut buf = vec![0u8; len as usize];
    let n = f(buf.as_mut_ptr(), len as u32)?;
    buf.truncate((n as usize).min(buf.len()));
    let mut out = n.to_be_bytes().to_vec();
    out.extend(buf);
    Ok(out)
}

fn amount(t: fern_shared::sys::TokenAmount) -> Vec<u8> {
    t.to_u128().to_be_bytes().to_vec()
}

fn run(m: u64, num: &dyn Fn(usize) -> u64, b: &[u8]) -> Out {
    unsafe {
        match m {
            method::BLOCK_CREATE => {
                if num(1) == 1 {
                    touch_root()?;
                }
                Ok(create(num(0), b)?.to_be_bytes().to_vec())
            }
            method::BLOCK_READ => {
                let id = create(IPLD_RAW, b)?;
                let mut buf = vec![0u8; num(1) as usize];
                let left =
                    sys::ipld::block_read(id, num(0) as u32, buf.as_mut_ptr(), num(1) as u32)?;
                let mut out = left.to_be_bytes().to_vec();
                out.extend(buf);
                Ok(out)
            }
            method::BLOCK_READ_BAD_ID => {
                let mut buf = [0u8; 16];
                let left = sys::ipld::block_read(num(0) as u32, 0, buf.as_mut_ptr(), 16)?;
                let mut out = left.to_be_bytes().to_vec();
                out.extend(buf);
                Ok(out)
            }
            method::BLOCK_STAT => {
                if num(2) == 1 {
                    create(num(1), b)?;
                }
                let st = sys::ipld::block_stat(num(0) as u32)?;
                let mut out = st.codec.to_be_bytes().to_vec();
                out.extend(st.size.to_be_bytes());
                Ok(out)
            }
            method::BLOCK_LINK => {
                let id = create(num(0), b)?;
                link(id, num(1), num(2) as u32, num(3) as usize)
            }
            method::BLOCK_OPEN => {
                if num(0) == 1 {
                    touch_root()?;
                }
                let open = sys::ipld::block_open(b.as_ptr())?;
                let mut data = vec![0u8; open.size as usize];
                sys::ipld::block_read(open.id, 0, data.as_mut_ptr(), open.size)?;
                let mut out = open.codec.to_be_bytes().to_vec();
                out.extend(open.size.to_be_bytes());
                out.extend(data);
                Ok(out)
            }
            method::BLOCK_BIG => {
                let data = vec![0u8; num(0) as usize];
                let id = create(num(1), &data)?;
                link(id, 0xb220, 32, 100)
            }
            method::ROOT => buf_call(num(0), |p, l| sys::sself::root(p, l)),
            method::SET_ROOT => {
                let cid = if num(1) == 1 {
                    b.to_vec()
                } else {
                    let id = create(num(0), b)?;
                    link(id, 0xb220, 32, 100)?
                };
                sys::sself::set_root(cid.as_ptr())?;
                buf_call(100, |p, l| sys::sself::root(p, l))
            }
            method::BALANCE => Ok(amount(sys::sself::current_balance()?)),
            method::SELF_DESTRUCT => {
                sys::sself::self_destruct(num(0) != 0)?;
                Ok(b"destructed".to_vec())
            }
            method::MESSAGE_CONTEXT => {
                let c = sys::vm::message_context()?;
                let flags = { c.flags };
                let mut out = Vec::new();
                for v in [
                    c.origin,
                    c.nonce,
                    c.caller,
                    c.receiver,
                    c.method_number,
                    flags.bits(),
                ] {
                    out.extend(v.to_be_bytes());
                }
                out.extend(amount(c.value_received));
                out.extend(amount(c.gas_premium));
                Ok(out)
            }
            method::NETWORK_CONTEXT => {
                let c = sys::network::context()?;
                let mut out = Vec::new();
                out.extend(c.epoch.to_be_bytes());
                out.extend(c.timestamp.to_be_bytes());
                out.extend(amount(c.base_fee));
                out.extend(c.chain_id.to_be_bytes());
                out.extend(u32::from(c.network_version).to_be_bytes());
                Ok(out)
            }
            method::TIPSET_CID => {
                buf_call(num(1), |p, l| sys::network::tipset_cid(num(0) as i64, p, l))
            }
            method::CIRC_SUPPLY => Ok(amount(sys::network::total_fil_circ_supply()?)),
            method::RESOLVE_ADDRESS => Ok(sys::actor::resolve_address(b.as_ptr(), b.len() as u32)?
                .to_be_bytes()
                .to_vec()),
            method::LOOKUP_DELEGATED => buf_call(num(1), |p, l| {
                sys::actor::lookup_delegated_address(num(0), p, l)
            }),
            method::ACTOR_CODE_CID => {
                buf_call(num(1), |p, l| sys::actor::get_actor_code_cid(num(0), p, l))
            }
            method::BUILTIN_TYPE => {
                let cid = if b.is_empty() {
                    let mut buf = vec![0u8; 100];
                    let len = sys::actor::get_actor_code_cid(num(0), buf.as_mut_ptr(), 100)?;
                    buf.truncate(len as usize);
                    buf
                } else {
                    b.to_vec()
                };
                Ok(sys::actor::get_builtin_actor_type(cid.as_ptr())?
                    .to_be_bytes()
                    .to_vec())
            }
            method::CODE_FOR_TYPE => buf_call(num(1), |p, l| {
                sys::actor::get_code_cid_for_type(num(0) as i32, p, l)
            }),
            method::NEXT_ADDRESS => buf_call(num(0), |p, l| sys::actor::next_actor_address(p, l)),
            method::CREATE_ACTOR => {
                let mut code = vec![0u8; 100];
                let len = sys::actor::get_code_cid_for_type(num(1) as i32, code.as_mut_ptr(), 100)?;
                code.truncate(len as usize);
                sys::actor::create_actor(num(0), code.as_ptr(), b.as_ptr(), b.len() as u32)?;
                Ok(code)
            }
            method::BALANCE_OF => Ok(amount(sys::actor::balance_of(num(0))?)),
            method::HASH => buf_call(num(1), |p, l| {
                sys::crypto::hash(num(0), b.as_ptr(), b.len() as u32, p, l)
            }),
            method::VERIFY_SIGNATURE => {
                let (s, a) = (num(1) as usize, num(2) as usize);
                let s = s.min(b.len());
                let a = a.min(b.len() - s);
                let (sig, rest) = b.split_at(s);
                let (addr, data) = rest.split_at(a);
                let v = sys::crypto::verify_signature(
                    num(0) as u32,
                    sig.as_ptr(),
                    sig.len() as u32,
                    addr.as_ptr(),
                    addr.len() as u32,
                    data.as_ptr(),
                    data.len() as u32,
                )?;
                Ok(v.to_be_bytes().to_vec())
            }
            method::RECOVER_SECP => {
                let mut input = b.to_vec();
                input.resize(97.max(b.len()), 0);
                let key =
                    sys::crypto::recover_secp_public_key(input.as_ptr(), input[32..].as_ptr())?;
                Ok(key.to_vec())
            }
            method::CONSENSUS_FAULT => {
                let (x, y) = (
                    (num(0) as usize).min(b.len()),
                    (num(1) as usize).min(b.len()),
                );
                let (h1, rest) = b.split_at(x);
                let (h2, extra) = rest.split_at(y.min(rest.len()));
                let f = sys::crypto::verify_consensus_fault(
                    h1.as_ptr(),
                    h1.len() as u32,
                    h2.as_ptr(),
                    h2.len() as u32,
                    extra.as_ptr(),
                    extra.len() as u32,
                )?;
                let mut out = f.epoch.to_be_bytes().to_vec();
                out.extend(f.target.to_be_bytes());
                out.extend(f.fault.to_be_bytes());
                Ok(out)
            }
            method::UNSEALED_CID => {
                let mut cid = vec![0u8; 100];
                let len = sys::crypto::compute_unsealed_sector_cid(
                    num(0) as i64,
                    b.as_ptr(),
                    b.len() as u32,
                    cid.as_mut_ptr(),
                    100,
                )?;
                cid.truncate(len as usize);
                Ok(cid)
            }
            method::VERIFY_PROOF => {
                if num(0) == 3 {
                    let results = vec![0u8; num(1) as usize];
                    sys::crypto::batch_verify_seals(b.as_ptr(), b.len() as u32, results.as_ptr())?;
                    return Ok(results);
                }
                let v = match num(0) {
                    0 => sys::crypto::verify_post(b.as_ptr(), b.len() as u32)?,
                    1 => sys::crypto::verify_aggregate_seals(b.as_ptr(), b.len() as u32)?,
                    _ => sys::crypto::verify_replica_update(b.as_ptr(), b.len() as u32)?,
                };
                Ok(v.to_be_bytes().to_vec())
            }
            method::EMIT_EVENT => {
                let list: Vec<(u64, RawBytes, u64, RawBytes)> =
                    fvm_ipld_encoding::from_slice(b).map_err(|_| ErrorNumber::Serialization)?;
                let mut entries = Vec::new();
                let (mut keys, mut values) = (Vec::new(), Vec::new());
                for (flags, key, codec, value) in &list {
                    entries.push(EventEntry {
                        flags: fern_shared::event::Flags::from_bits_retain(*flags),
                        codec: *codec,
                        key_len: key.len() as u32,
                        val_len: value.len() as u32,
                    });
                    keys.extend(key.bytes());
                    values.extend(value.bytes());
                }
                let (mut count, mut klen, mut vlen) =
                    (entries.len() as u32, keys.len() as u32, values.len() as u32);
                match num(0) {
                    1 => klen = klen.saturating_sub(1),
                    2 => vlen = vlen.saturating_sub(1),
                    3 => count += 1,
                    _ => {}
                }
                sys::event::emit_event(
                    entries.as_ptr(),
                    count,
                    keys.as_ptr(),
                    klen,
                    values.as_ptr(),
                    vlen,
                )?;
                Ok(Vec::new())
            }
            method::CHAIN_RANDOMNESS => {
                Ok(sys::rand::get_chain_randomness(num(0) as i64)?.to_vec())
            }
            method::BEACON_RANDOMNESS => {
                Ok(sys::rand::get_beacon_randomness(num(0) as i64)?.to_vec())
            }
            method::GAS_AVAILABLE => Ok(sys::gas::available()?.to_be_bytes().to_vec()),
            method::GAS_CHARGE => {
                sys::gas::charge(b.as_ptr(), b.len() as u32, num(0))?;
                Ok(Vec::new())
            }
            method::DEBUG_LOG => {
                let on = sys::debug::enabled()?;
                sys::debug::log(b.as_ptr(), b.len() as u32)?;
                Ok(on.to_be_bytes().to_vec())
            }
            method::STORE_ARTIFACT => {
                let split = (num(0) as usize).min(b.len());
                let (name, data) = b.split_at(split);
                sys::debug::store_artifact(
                    name.as_ptr(),
                    name.len() as u32,
                    data.as_ptr(),
                    data.len() as u32,
                )?;
                Ok(Vec::new())
            }
            method::SEND => {
                let (to, params): (RawBytes, Option<RawBytes>) =
                    fvm_ipld_encoding::from_slice(b).map_err(|_| ErrorNumber::Serialization)?;
                let codec = if num(4) == 0 { DAG_CBOR } else { num(4) };
                let params_id = match params {
                    Some(p) => create(codec, p.bytes())?,
                    None => 0,
                };
                let gas = if num(2) == 0 { u64::MAX } else { num(2) };
                let to: Vec<u8> = to.into();
                let r = sys::send::send(
                    to.as_ptr(),
                    to.len() as u32,
                    num(0),
                    params_id,
                    num(5),
                    num(1),
                    gas,
                    SendFlags::from_bits_retain(num(3)),
                )?;
                let mut out = r.exit_code.to_be_bytes().to_vec();
                if r.return_id != 0 {
                    let mut data = vec![0u8; r.return_size as usize];
                    sys::ipld::block_read(r.return_id, 0, data.as_mut_ptr(), r.return_size)?;
                    out.extend(r.return_codec.to_be_bytes());
                    out.extend(data);
                }
                Ok(out)
            }
            _ => fern_sdk::vm::abort(22, Some("unknown method")),
        }
    }
}
