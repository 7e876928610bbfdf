//! The 36 imports of network version 17 (ref-fvm 2.x ABI): module, name, Wasm signature, and
//! the [`Fvm2Kernel`](crate::kernel::Fvm2Kernel) method each one calls.
//!
//! Every import settles Wasm execution gas and charges `OnSyscall` on entry, as in later
//! versions; one that yields a value first checks that its return pointer has room
//! (`IllegalArgument`, without reloading the gas counter). Argument decoding happens in ref-fvm
//! 2.12's order (`fvm` 2.12.2 `syscalls/*.rs`): for example `crypto::hash` checks the digest
//! buffer before reading the input, `actor::new_actor_address` checks its buffer's bounds
//! before its length, and `crypto::compute_unsealed_sector_cid` checks the proof type, then
//! decodes the pieces, then checks the output buffer. The value layouts are those of
//! `fvm_shared` 2.12 `sys` (packed, little-endian).

use std::panic::{catch_unwind, AssertUnwindSafe};

use fern_shared::address::{Address, Protocol, PAYLOAD_HASH_LEN};
use fern_shared::crypto::{SignatureType, SECP_SIG_LEN};
use fern_shared::econ::TokenAmount;
use fern_shared::error::{ErrorNumber, ExitCode};
use fern_shared::piece::PieceInfo;
use fern_shared::sector::{
    AggregateSealVerifyProofAndInfos, RegisteredSealProof, ReplicaUpdateInfo, SealVerifyInfo,
    WindowPoStVerifyInfo,
};
use fern_shared::sys::out::vm_v2::InvocationContext;
use fern_shared::sys::{self, IpldOpen, IpldStat};
use fvm_ipld_blockstore::Blockstore;
use wasmtime::{Caller, Linker};

use super::fvm2::{
    charge_for_exec_fvm2, update_gas_available_fvm2 as update_gas_available, Fvm2InvocationData,
};
use super::memory::{self, check_bounds, read_cid, slice, slice_mut, write_cid};
use super::{status, Abort};
use crate::call_manager::backtrace::Cause;
use crate::call_manager::{syscall_error, Classify, Result, NO_DATA_BLOCK_ID};
use crate::gas::fvm2::SignedGas;
use crate::kernel::proof_types;
use crate::machine::Externs;

type Data<B, E> = Fvm2InvocationData<B, E>;

/// Settles execution gas and charges `OnSyscall` (compute only, under its name).
fn enter<B: Blockstore + 'static, E: Externs + 'static>(
    caller: &mut Caller<'_, Data<B, E>>,
) -> std::result::Result<(), Abort> {
    charge_for_exec_fvm2(&mut *caller)?;
    let kernel = &mut caller.data_mut().kernel;
    let charge = kernel.call_manager.prices().on_syscall();
    kernel
        .charge_gas(&charge.name, charge.compute_gas)
        .map_err(Abort::from_error_as_fatal)
}

fn memory_and_data<'a, B: Blockstore + 'static, E: Externs + 'static>(
    caller: &'a mut Caller<'_, Data<B, E>>,
) -> std::result::Result<(&'a mut [u8], &'a mut Data<B, E>), Abort> {
    let memory = caller
        .data()
        .memory
        .ok_or_else(|| Abort::Fatal(anyhow::anyhow!("syscall before the memory was bound")))?;
    Ok(memory.data_and_store_mut(caller))
}

/// An address from actor memory, as `fvm_shared` 2.x reads one: f4 addresses did not exist
/// yet, so their protocol byte is unknown (`IllegalArgument`), like any other malformed address.
fn read_address(mem: &[u8], off: u32, len: u32) -> Result<Address> {
    let addr = memory::read_address(mem, off, len)?;
    if addr.protocol() == Protocol::Delegated {
        return Err(syscall_error(
            ErrorNumber::IllegalArgument,
            "unknown address protocol 4",
        ));
    }
    Ok(addr)
}

fn token(v: &TokenAmount) -> Result<sys::TokenAmount> {
    sys::TokenAmount::try_from(v).or_fatal()
}

fn utf8(bytes: &[u8]) -> Result<&str> {
    std::str::from_utf8(bytes).or_illegal_argument()
}

/// Decodes CBOR from actor memory; a decoding failure (or a panic of the decoder) is
/// `IllegalArgument`.
fn read_cbor<T: serde::de::DeserializeOwned>(mem: &[u8], off: u32, len: u32) -> Result<T> {
    let bytes = slice(mem, off, len)?;
    catch_unwind(AssertUnwindSafe(|| {
        fvm_ipld_encoding::from_slice(bytes).or_illegal_argument()
    }))
    .unwrap_or_else(|_| {
        Err(syscall_error(
            ErrorNumber::IllegalArgument,
            "panic when decoding cbor from actor",
        ))
    })
}

/// `0` for true, `-1` for false: how ref-fvm 2.x reports a verification.
fn verdict(ok: bool) -> i32 {
    if ok {
        0
    } else {
        -1
    }
}

/// What `vm::abort(code, message)` ends the invocation with: at nv16 and later a system exit
/// code (below 16, 0 included) becomes `SYS_ILLEGAL_EXIT_CODE`; otherwise the actor's code, with
/// its message if it has one (a message out of bounds or not UTF-8 still ends with that code).
fn abort_v2(mem: &[u8], code: u32, off: u32, len: u32) -> Abort {
    let code = ExitCode::new(code);
    if code.is_system_error() {
        return Abort::Exit(
            ExitCode::SYS_ILLEGAL_EXIT_CODE,
            format!("actor aborted with code {code}"),
            NO_DATA_BLOCK_ID,
        );
    }
    let message = if len == 0 {
        Ok("actor aborted".to_owned())
    } else {
        slice(mem, off, len).and_then(|b| utf8(b).map(str::to_owned))
    };
    match message {
        Ok(message) => Abort::Exit(code, message, NO_DATA_BLOCK_ID),
        Err(e) => Abort::Exit(
            code,
            format!("actor aborted with an invalid message: {e}"),
            NO_DATA_BLOCK_ID,
        ),
    }
}

/// Defines the 36 imports of network version 17 in `l`.
pub fn link_fvm2<B: Blockstore + 'static, E: Externs + 'static>(
    l: &mut Linker<Data<B, E>>,
) -> anyhow::Result<()> {
    // ---------------- vm ----------------
    l.func_wrap(
        "vm",
        "abort",
        |mut caller: Caller<'_, Data<B, E>>,
         code: u32,
         off: u32,
         len: u32|
         -> anyhow::Result<u32> {
            enter(&mut caller)?;
            let abort = {
                let (mem, _) = memory_and_data(&mut caller)?;
                abort_v2(mem, code, off, len)
            };
            update_gas_available(&mut caller)?;
            Err(abort.into())
        },
    )?;
    value!(l, "vm", "context", InvocationContext, |k, m| {
        Ok(InvocationContext {
            value_received: token(&k.value_received)?,
            caller: k.caller,
            receiver: k.actor_id,
            method_number: k.method,
            network_curr_epoch: k.network_epoch(),
            network_version: 17,
        })
    });

    // ---------------- network ----------------
    value!(l, "network", "base_fee", sys::TokenAmount, |k, m| {
        token(k.network_base_fee())
    });
    value!(
        l,
        "network",
        "total_fil_circ_supply",
        sys::TokenAmount,
        |k, m| { token(&k.total_fil_circ_supply()) }
    );

    // ---------------- ipld ----------------
    value!(l, "ipld", "block_open", IpldOpen, |k, m, cid_off: u32| {
        let cid = read_cid(m, cid_off)?;
        let (id, stat) = k.block_open(&cid)?;
        Ok(IpldOpen {
            codec: stat.codec,
            id,
            size: stat.size,
        })
    });
    value!(
        l,
        "ipld",
        "block_create",
        u32,
        |k, m, codec: u64, off: u32, len: u32| {
            let data = slice(m, off, len)?;
            k.block_create(codec, data)
        }
    );
    value!(
        l,
        "ipld",
        "block_read",
        i32,
        |k, m, id: u32, offset: u32, off: u32, len: u32| {
            let buf = slice_mut(m, off, len)?;
            k.block_read(id, offset, buf)
        }
    );
    value!(l, "ipld", "block_stat", IpldStat, |k, m, id: u32| {
        let stat = k.block_stat(id)?;
        Ok(IpldStat {
            codec: stat.codec,
            size: stat.size,
        })
    });
    value!(
        l,
        "ipld",
        "block_link",
        u32,
        |k, m, id: u32, hash_fun: u64, hash_len: u32, off: u32, len: u32| {
            check_bounds(m, off, len)?;
            let cid = k.block_link(id, hash_fun, hash_len)?;
            write_cid(m, &cid, off, len)
        }
    );

    // ---------------- self ----------------
    value!(l, "self", "root", u32, |k, m, off: u32, len: u32| {
        check_bounds(m, off, len)?;
        let cid = k.root()?;
        write_cid(m, &cid, off, len)
    });
    unit!(l, "self", "set_root", |k, m, cid_off: u32| {
        let cid = read_cid(m, cid_off)?;
        k.set_root(cid)
    });
    value!(l, "self", "current_balance", sys::TokenAmount, |k, m| {
        token(&k.current_balance()?)
    });
    unit!(l, "self", "self_destruct", |k, m, off: u32, len: u32| {
        let beneficiary = read_address(m, off, len)?;
        k.self_destruct(&beneficiary)
    });

    // ---------------- actor ----------------
    value!(
        l,
        "actor",
        "resolve_address",
        u64,
        |k, m, off: u32, len: u32| {
            let addr = read_address(m, off, len)?;
            k.resolve_address(&addr)?
                .ok_or_else(|| syscall_error(ErrorNumber::NotFound, "actor not found"))
        }
    );
    value!(
        l,
        "actor",
        "get_actor_code_cid",
        u32,
        |k, m, id: u64, off: u32, len: u32| {
            check_bounds(m, off, len)?;
            let code = k
                .get_actor_code_cid(id)?
                .ok_or_else(|| syscall_error(ErrorNumber::NotFound, "target actor not found"))?;
            write_cid(m, &code, off, len)
        }
    );
    value!(
        l,
        "actor",
        "new_actor_address",
        u32,
        |k, m, off: u32, len: u32| {
            slice_mut(m, off, len)?;
            if (len as usize) < PAYLOAD_HASH_LEN + 1 {
                return Err(syscall_error(
                    ErrorNumber::BufferTooSmall,
                    "output buffer must have a minimum capacity of 21 bytes",
                ));
            }
            let bytes = k.new_actor_address()?.to_bytes();
            if bytes.len() > len as usize {
                return Err(anyhow::anyhow!(
                    "created {} byte actor address",
                    bytes.len()
                ))
                .or_fatal();
            }
            slice_mut(m, off, len)?[..bytes.len()].copy_from_slice(&bytes);
            Ok(bytes.len() as u32)
        }
    );
    unit!(
        l,
        "actor",
        "create_actor",
        |k, m, id: u64, code_off: u32| {
            let code = read_cid(m, code_off)?;
            k.create_actor(code, id)
        }
    );
    value!(
        l,
        "actor",
        "get_builtin_actor_type",
        i32,
        |k, m, code_off: u32| {
            let code = read_cid(m, code_off)?;
            Ok(k.get_builtin_actor_type(&code) as i32)
        }
    );
    value!(
        l,
        "actor",
        "get_code_cid_for_type",
        u32,
        |k, m, ty: i32, off: u32, len: u32| {
            check_bounds(m, off, len)?;
            let code = k.get_code_cid_for_type(ty as u32)?;
            write_cid(m, &code, off, len)
        }
    );

    // ---------------- crypto ----------------
    value!(
        l,
        "crypto",
        "verify_signature",
        i32,
        |k,
         m,
         sig_type: u32,
         sig_off: u32,
         sig_len: u32,
         addr_off: u32,
         addr_len: u32,
         pt_off: u32,
         pt_len: u32| {
            let sig_type = SignatureType::from_u32(sig_type).ok_or_else(|| {
                syscall_error(
                    ErrorNumber::IllegalArgument,
                    format!("unknown signature type {sig_type}"),
                )
            })?;
            let signature = slice(m, sig_off, sig_len)?;
            let signer = read_address(m, addr_off, addr_len)?;
            let plaintext = slice(m, pt_off, pt_len)?;
            k.verify_signature(sig_type, signature, &signer, plaintext)
                .map(verdict)
        }
    );
    value!(
        l,
        "crypto",
        "recover_secp_public_key",
        [u8; 65],
        |k, m, hash_off: u32, sig_off: u32| {
            let hash: [u8; 32] = slice(m, hash_off, 32)?.try_into().or_illegal_argument()?;
            let sig: [u8; SECP_SIG_LEN] = slice(m, sig_off, SECP_SIG_LEN as u32)?
                .try_into()
                .or_illegal_argument()?;
            k.recover_secp_public_key(&hash, &sig)
        }
    );
    value!(
        l,
        "crypto",
        "hash",
        u32,
        |k, m, code: u64, data_off: u32, data_len: u32, digest_off: u32, digest_len: u32| {
            check_bounds(m, digest_off, digest_len)?;
            let digest = {
                let data = slice(m, data_off, data_len)?;
                k.hash(code, data)?
            };
            let out = slice_mut(m, digest_off, digest_len)?;
            let n = out.len().min(digest.len());
            out[..n].copy_from_slice(&digest[..n]);
            Ok(n as u32)
        }
    );
    value!(
        l,
        "crypto",
        "compute_unsealed_sector_cid",
        u32,
        |k, m, proof: i64, pieces_off: u32, pieces_len: u32, off: u32, len: u32| {
            if !proof_types::FVM2.knows_seal(proof) {
                return Err(syscall_error(
                    ErrorNumber::IllegalArgument,
                    format!("invalid proof type {proof}"),
                ));
            }
            let proof = RegisteredSealProof::from(proof);
            let pieces: Vec<PieceInfo> = read_cbor(m, pieces_off, pieces_len)?;
            check_bounds(m, off, len)?;
            let cid = k.compute_unsealed_sector_cid(proof, &pieces)?;
            write_cid(m, &cid, off, len)
        }
    );
    value!(
        l,
        "crypto",
        "verify_seal",
        i32,
        |k, m, off: u32, len: u32| {
            let info: SealVerifyInfo = read_cbor(m, off, len)?;
            k.verify_seal(&info).map(verdict)
        }
    );
    value!(
        l,
        "crypto",
        "verify_post",
        i32,
        |k, m, off: u32, len: u32| {
            let info: WindowPoStVerifyInfo = read_cbor(m, off, len)?;
            k.verify_post(&info).map(verdict)
        }
    );
    value!(
        l,
        "crypto",
        "verify_consensus_fault",
        sys::VerifyConsensusFault,
        |k, m, h1_off: u32, h1_len: u32, h2_off: u32, h2_len: u32, x_off: u32, x_len: u32| {
            let h1 = slice(m, h1_off, h1_len)?;
            let h2 = slice(m, h2_off, h2_len)?;
            let extra = slice(m, x_off, x_len)?;
            Ok(match k.verify_consensus_fault(h1, h2, extra)? {
                Some(fault) => sys::VerifyConsensusFault {
                    fault: fault.fault_type as u32,
                    epoch: fault.epoch,
                    target: fault
                        .target
                        .id()
                        .map_err(|_| anyhow::anyhow!("kernel returned non-id target address"))
                        .or_fatal()?,
                },
                None => sys::VerifyConsensusFault {
                    fault: 0,
                    epoch: 0,
                    target: 0,
                },
            })
        }
    );
    value!(
        l,
        "crypto",
        "verify_aggregate_seals",
        i32,
        |k, m, off: u32, len: u32| {
            let agg: AggregateSealVerifyProofAndInfos = read_cbor(m, off, len)?;
            k.verify_aggregate_seals(&agg).map(verdict)
        }
    );
    value!(
        l,
        "crypto",
        "verify_replica_update",
        i32,
        |k, m, off: u32, len: u32| {
            let info: ReplicaUpdateInfo = read_cbor(m, off, len)?;
            k.verify_replica_update(&info).map(verdict)
        }
    );
    unit!(
        l,
        "crypto",
        "batch_verify_seals",
        |k, m, batch_off: u32, batch_len: u32, result_off: u32| {
            let batch: Vec<SealVerifyInfo> = read_cbor(m, batch_off, batch_len)?;
            slice_mut(m, result_off, batch.len() as u32)?;
            let verdicts = k.batch_verify_seals(&batch);
            let out = slice_mut(m, result_off, batch.len() as u32)?;
            for (o, v) in out.iter_mut().zip(verdicts) {
                *o = u8::from(v);
            }
            Ok(())
        }
    );

    // ---------------- rand ----------------
    value!(
        l,
        "rand",
        "get_chain_randomness",
        [u8; 32],
        |k, m, pers: i64, round: i64, off: u32, len: u32| {
            let entropy = slice(m, off, len)?;
            k.get_randomness(false, pers, round, entropy)
        }
    );
    value!(
        l,
        "rand",
        "get_beacon_randomness",
        [u8; 32],
        |k, m, pers: i64, round: i64, off: u32, len: u32| {
            let entropy = slice(m, off, len)?;
            k.get_randomness(true, pers, round, entropy)
        }
    );

    // ---------------- gas ----------------
    unit!(
        l,
        "gas",
        "charge",
        |k, m, off: u32, len: u32, compute: i64| {
            let name = utf8(slice(m, off, len)?)?;
            k.charge_gas(name, SignedGas::new(compute))
        }
    );

    // ---------------- send ----------------
    value!(
        l,
        "send",
        "send",
        sys::Send,
        |k, m, to_off: u32, to_len: u32, method: u64, params: u32, hi: u64, lo: u64| {
            let to = read_address(m, to_off, to_len)?;
            let value = TokenAmount::from_atto((u128::from(hi) << 64) | u128::from(lo));
            let r = k.send(&to, method, params, &value)?;
            Ok(sys::Send {
                exit_code: r.exit_code.value(),
                return_id: r.block_id,
                return_codec: r.block_stat.codec,
                return_size: r.block_stat.size,
            })
        }
    );

    // ---------------- debug ----------------
    unit!(l, "debug", "log", |k, m, off: u32, len: u32| {
        if !k.debug_enabled() {
            return Ok(());
        }
        let message = utf8(slice(m, off, len)?)?.to_owned();
        k.log(message);
        Ok(())
    });
    value!(l, "debug", "enabled", i32, |k, m| {
        Ok(if k.debug_enabled() { 0 } else { -1 })
    });
    unit!(
        l,
        "debug",
        "store_artifact",
        |k, m, name_off: u32, name_len: u32, data_off: u32, data_len: u32| {
            if !k.debug_enabled() {
                return Ok(());
            }
            slice(m, data_off, data_len)?;
            let name = slice(m, name_off, name_len)?;
            let name = std::str::from_utf8(name).or_illegal_argument()?;
            k.store_artifact(name)
        }
    );
    Ok(())
}
