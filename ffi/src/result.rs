//! What applying a message returns: [`FernApplyResult`].

use std::ffi::c_char;

use fern::executor::ApplyRet;
use fern_shared::bigint::bigint_ser;
use fern_shared::econ::TokenAmount;

use crate::buffer::FernBuffer;
use crate::status::{fern_string_free, into_c_string};

/// The outcome of one message: its receipt, its gas outputs, and what a node shows about it.
///
/// Fern owns every buffer until the caller passes the result to [`fern_apply_result_free`],
/// which frees them all. Token amounts are attoFIL in Filecoin's big-integer byte form (empty
/// for zero, else `0x00` and the big-endian magnitude; never negative here).
#[repr(C)]
#[derive(Debug)]
pub struct FernApplyResult {
    /// The receipt's exit code.
    pub exit_code: u32,
    /// The receipt's return bytes.
    pub return_data: FernBuffer,
    /// The codec of the return value; 0 when there is none.
    pub return_codec: u64,
    /// The receipt's gas used.
    pub gas_used: u64,
    /// The receipt's events root (binary CID); empty when the message emitted no event.
    pub events_root: FernBuffer,
    /// The events, DAG-CBOR of a list of `StampedEvent` (`[emitter, [[flags, key, codec,
    /// value], ...]]`, fvm_shared's encoding); empty when there are none.
    pub events: FernBuffer,
    /// What the block miner is penalized.
    pub penalty: FernBuffer,
    /// The tip paid to the block miner (through the reward actor).
    pub miner_tip: FernBuffer,
    /// Base fee burned.
    pub base_fee_burn: FernBuffer,
    /// Over-estimation fee burned.
    pub over_estimation_burn: FernBuffer,
    /// Refunded to the sender.
    pub refund: FernBuffer,
    /// Unused gas refunded.
    pub gas_refund: u64,
    /// Unused gas burned.
    pub gas_burned: u64,
    /// Why the message failed, as text for people (pre-validation reason or backtrace); NULL
    /// when it did not fail.
    pub failure_info: *mut c_char,
    /// With tracing on, the execution trace in Lotus's `ExecutionTrace` CBOR shape (FIPS/ffi.md);
    /// empty otherwise, and for messages rejected before execution.
    pub exec_trace: FernBuffer,
}

fn amount(a: &TokenAmount) -> FernBuffer {
    FernBuffer::new(bigint_ser::to_bytes(a.atto()))
}

impl FernApplyResult {
    /// The C form of `ret`, with the trace encoded when `tracing`.
    pub fn new(ret: &ApplyRet, tracing: bool) -> Self {
        let r = &ret.receipt;
        let events = if ret.events.is_empty() {
            Vec::new()
        } else {
            fvm_ipld_encoding::to_vec(&ret.events).unwrap_or_default()
        };
        FernApplyResult {
            exit_code: r.exit_code.value(),
            return_data: FernBuffer::new(r.return_data.to_vec()),
            return_codec: ret.return_codec.unwrap_or(0),
            gas_used: r.gas_used,
            events_root: FernBuffer::new(r.events_root.map(|c| c.to_bytes()).unwrap_or_default()),
            events: FernBuffer::new(events),
            penalty: amount(&ret.penalty),
            miner_tip: amount(&ret.miner_tip),
            base_fee_burn: amount(&ret.base_fee_burn),
            over_estimation_burn: amount(&ret.over_estimation_burn),
            refund: amount(&ret.refund),
            gas_refund: ret.gas_refund,
            gas_burned: ret.gas_burned,
            failure_info: ret
                .failure_info
                .as_ref()
                .map_or(std::ptr::null_mut(), |f| into_c_string(&f.to_string())),
            exec_trace: FernBuffer::new(if tracing {
                crate::trace::encode_lotus_trace(&ret.exec_trace)
            } else {
                Vec::new()
            }),
        }
    }
}

/// Frees a result from `fern_executor_apply` and every buffer in it. NULL is ignored.
///
/// # Safety
/// `result` is NULL or a result from this library, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn fern_apply_result_free(result: *mut FernApplyResult) {
    if result.is_null() {
        return;
    }
    // SAFETY: by the contract, `result` came from `Box::into_raw` in `fern_executor_apply`.
    let mut r = unsafe { Box::from_raw(result) };
    // SAFETY: every buffer was made by `FernBuffer::new` and is freed once, here.
    unsafe {
        for b in [
            &mut r.return_data,
            &mut r.events_root,
            &mut r.events,
            &mut r.penalty,
            &mut r.miner_tip,
            &mut r.base_fee_burn,
            &mut r.over_estimation_burn,
            &mut r.refund,
            &mut r.exec_trace,
        ] {
            b.release();
        }
        fern_string_free(r.failure_info);
    }
}
