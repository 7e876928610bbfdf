//! The `crypto` imports: hashing, signatures, and the Filecoin proof and sector syscalls whose
//! inputs arrive as CBOR (decoding failures and panics are `IllegalArgument`).

use fvm_ipld_blockstore::Blockstore;
use wasmtime::{Caller, Linker};

use fern_shared::crypto::{SignatureType, BLS_PUB_LEN, BLS_SIG_LEN, SECP_PUB_LEN, SECP_SIG_LEN};
use fern_shared::error::ErrorNumber;
use fern_shared::piece::PieceInfo;
use fern_shared::sector::{
    AggregateSealVerifyProofAndInfos, RegisteredSealProof, ReplicaUpdateInfo, SealVerifyInfo,
    WindowPoStVerifyInfo,
};
use fern_shared::sys::VerifyConsensusFault;

use super::memory::{check_bounds, read_address, read_values, slice, slice_mut, write_cid};
use super::{enter, memory_and_data, status, update_gas_available, Data};
use crate::call_manager::backtrace::Cause;
use crate::call_manager::{syscall_error, Classify, Result};
use crate::kernel::proof_types::KnownProofTypes;
use crate::machine::Externs;

/// Decodes CBOR input of a syscall; failures (and decoder panics) are `IllegalArgument`.
fn read_cbor<T: serde::de::DeserializeOwned>(m: &[u8], off: u32, len: u32) -> Result<T> {
    let bytes = slice(m, off, len)?;
    match std::panic::catch_unwind(|| fvm_ipld_encoding::from_slice::<T>(bytes)) {
        Ok(r) => r.or_illegal_argument(),
        Err(_) => Err(syscall_error(
            ErrorNumber::IllegalArgument,
            "panic when decoding cbor",
        )),
    }
}

macro_rules! value {
    ($l:ident, $name:literal, $ty:ty, |$k:ident, $m:ident $(, $a:ident : $t:ty)*| $body:block) => {
        $l.func_wrap(
            "crypto",
            $name,
            move |mut caller: Caller<'_, Data<B, E>>, ret: u32 $(, $a: $t)*| -> anyhow::Result<u32> {
                enter(&mut caller)?;
                let out = {
                    let (mem, data) = memory_and_data(&mut caller)?;
                    if u64::from(ret) + std::mem::size_of::<$ty>() as u64 > mem.len() as u64 {
                        data.last_error = Some(Cause::Syscall {
                            module: "crypto",
                            function: $name,
                            number: ErrorNumber::IllegalArgument,
                            message: "no space for return value".into(),
                        });
                        return Ok(ErrorNumber::IllegalArgument as u32);
                    }
                    #[allow(unused_variables, unused_mut, clippy::redundant_closure_call)]
                    let res: Result<$ty> = (|| {
                        let $k = &mut data.kernel;
                        let $m: &mut [u8] = &mut *mem;
                        $body
                    })();
                    let res = res.map(|v| super::memory::write_value(mem, ret, v));
                    status(&mut data.last_error, "crypto", $name, res)
                };
                update_gas_available(&mut caller)?;
                Ok(out?)
            },
        )?;
    };
}

/// Defines the `crypto` imports; `crypto::verify_bls_aggregate` only under ref-fvm 4.x rules
/// (`bls_aggregate`), where it first appeared.
pub fn link<B: Blockstore + 'static, E: Externs + 'static>(
    l: &mut Linker<Data<B, E>>,
    bls_aggregate: bool,
) -> anyhow::Result<()> {
    value!(l, "hash", u32, |k,
                            m,
                            code: u64,
                            data_off: u32,
                            data_len: u32,
                            out_off: u32,
                            out_len: u32| {
        check_bounds(m, out_off, out_len)?;
        let digest = {
            let data = slice(m, data_off, data_len)?;
            k.hash(code, data)?
        };
        let out = slice_mut(m, out_off, out_len)?;
        let n = out.len().min(digest.len());
        out[..n].copy_from_slice(&digest[..n]);
        Ok(n as u32)
    });
    value!(
        l,
        "verify_signature",
        i32,
        |k,
         m,
         t: u32,
         sig_off: u32,
         sig_len: u32,
         addr_off: u32,
         addr_len: u32,
         data_off: u32,
         data_len: u32| {
            let sig_type = SignatureType::from_u32(t).ok_or_else(|| {
                syscall_error(
                    ErrorNumber::IllegalArgument,
                    format!("unknown signature type {t}"),
                )
            })?;
            let sig = slice(m, sig_off, sig_len)?;
            let addr = read_address(m, addr_off, addr_len)?;
            let data = slice(m, data_off, data_len)?;
            Ok(if k.verify_signature(sig_type, sig, &addr, data)? {
                0
            } else {
                -1
            })
        }
    );
    if bls_aggregate {
        link_verify_bls_aggregate(l)?;
    }
    value!(
        l,
        "recover_secp_public_key",
        [u8; SECP_PUB_LEN],
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
        "compute_unsealed_sector_cid",
        u32,
        |k, m, proof: i64, pieces_off: u32, pieces_len: u32, cid_off: u32, cid_len: u32| {
            let known =
                KnownProofTypes::of(k.call_manager.price_list().generation).knows_seal(proof);
            if !known {
                return Err(syscall_error(
                    ErrorNumber::IllegalArgument,
                    format!("invalid proof type {proof}"),
                ));
            }
            let proof = RegisteredSealProof::from(proof);
            let pieces: Vec<PieceInfo> = read_cbor(m, pieces_off, pieces_len)?;
            check_bounds(m, cid_off, cid_len)?;
            let cid = k.compute_unsealed_sector_cid(proof, &pieces)?;
            write_cid(m, &cid, cid_off, cid_len)
        }
    );
    value!(l, "verify_post", i32, |k, m, off: u32, len: u32| {
        let info: WindowPoStVerifyInfo = read_cbor(m, off, len)?;
        Ok(if k.verify_post(&info)? { 0 } else { -1 })
    });
    value!(
        l,
        "verify_consensus_fault",
        VerifyConsensusFault,
        |k, m, h1_off: u32, h1_len: u32, h2_off: u32, h2_len: u32, x_off: u32, x_len: u32| {
            let h1 = slice(m, h1_off, h1_len)?;
            let h2 = slice(m, h2_off, h2_len)?;
            let extra = slice(m, x_off, x_len)?;
            Ok(match k.verify_consensus_fault(h1, h2, extra)? {
                Some(fault) => VerifyConsensusFault {
                    epoch: fault.epoch,
                    target: fault.target.id().or_fatal()?,
                    fault: fault.fault_type as u32,
                },
                None => VerifyConsensusFault {
                    epoch: 0,
                    target: 0,
                    fault: 0,
                },
            })
        }
    );
    value!(
        l,
        "verify_aggregate_seals",
        i32,
        |k, m, off: u32, len: u32| {
            let agg: AggregateSealVerifyProofAndInfos = read_cbor(m, off, len)?;
            Ok(if k.verify_aggregate_seals(&agg)? {
                0
            } else {
                -1
            })
        }
    );
    value!(
        l,
        "verify_replica_update",
        i32,
        |k, m, off: u32, len: u32| {
            let info: ReplicaUpdateInfo = read_cbor(m, off, len)?;
            Ok(if k.verify_replica_update(&info)? {
                0
            } else {
                -1
            })
        }
    );
    l.func_wrap(
        "crypto",
        "batch_verify_seals",
        |mut caller: Caller<'_, Data<B, E>>,
         off: u32,
         len: u32,
         out_off: u32|
         -> anyhow::Result<u32> {
            enter(&mut caller)?;
            let out = {
                let (m, data) = memory_and_data(&mut caller)?;
                let k = &mut data.kernel;
                let res = (|| -> Result<()> {
                    let batch: Vec<SealVerifyInfo> = read_cbor(m, off, len)?;
                    slice_mut(m, out_off, batch.len() as u32)?;
                    let verdicts = k.batch_verify_seals(&batch)?;
                    let out = slice_mut(m, out_off, batch.len() as u32)?;
                    for (o, v) in out.iter_mut().zip(verdicts) {
                        *o = u8::from(v);
                    }
                    Ok(())
                })();
                status(&mut data.last_error, "crypto", "batch_verify_seals", res)
            };
            update_gas_available(&mut caller)?;
            Ok(out?)
        },
    )?;
    Ok(())
}

/// Defines `crypto::verify_bls_aggregate` (ref-fvm 4.x rules only).
fn link_verify_bls_aggregate<B: Blockstore + 'static, E: Externs + 'static>(
    l: &mut Linker<Data<B, E>>,
) -> anyhow::Result<()> {
    value!(
        l,
        "verify_bls_aggregate",
        i32,
        |k, m, n: u32, sig_off: u32, keys_off: u32, data_off: u32, lens_off: u32| {
            let keys_len = n
                .checked_mul(BLS_PUB_LEN as u32)
                .ok_or_else(|| syscall_error(ErrorNumber::IllegalArgument, "too many signers"))?;
            let sig: [u8; BLS_SIG_LEN] = slice(m, sig_off, BLS_SIG_LEN as u32)?
                .try_into()
                .map_err(|_| syscall_error(ErrorNumber::IllegalArgument, "bad signature"))?;
            let keys: Vec<[u8; BLS_PUB_LEN]> = slice(m, keys_off, keys_len)?
                .chunks_exact(BLS_PUB_LEN)
                .map(|c| c.try_into().expect("chunk of the key length"))
                .collect();
            let lens: Vec<u32> = read_values(m, lens_off, n)?;
            let total = lens.iter().fold(0u32, |a, b| a.wrapping_add(*b));
            let data = slice(m, data_off, total)?;
            Ok(if k.verify_bls_aggregate(&sig, &keys, data, &lens)? {
                0
            } else {
                -1
            })
        }
    );
    Ok(())
}
