//! The execution trace in the shape Lotus reads: a tree of calls, encoded as DAG-CBOR.
//!
//! Fern records a flat list of events ([`ExecEvent`]); Lotus's `types.ExecutionTrace` is a tree.
//! This module builds the tree as filecoin-ffi does for ref-fvm's events and encodes it with the
//! tuple (array) layout Lotus's generated decoder expects. The layout and the building rules are
//! in FIPS/ffi.md ("Execution trace"); in short:
//!
//! - a trace is `[msg, msg_ret, msg_invoked, gas_charges, subcalls, logs, ipld_ops]`;
//! - the first `Call` opens the root frame, each later `Call` a child frame, and `CallReturn` or
//!   `CallError` closes the current frame;
//! - gas charges before the first call (the inclusion charge) open the root frame's list; events
//!   after the root frame closed are dropped;
//! - gas is in whole gas, rounded up (total = the rounded sum of compute and other gas);
//! - a `CallError` becomes exit code 6 for `InsufficientFunds`, 5 for `NotFound`, else 10.

use cid::Cid;
use fern::call_manager::{ExecEvent, IpldOp, TraceBlock};
use fern::gas::GasCharge;
use fern_shared::address::Address;
use fern_shared::econ::TokenAmount;
use fern_shared::error::{ErrorNumber, ExitCode};
use fern_shared::state::ActorState;
use fern_shared::ActorID;
use fvm_ipld_encoding::strict_bytes;
use serde_tuple::Serialize_tuple;

/// One call: Lotus's `ExecutionTrace`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple)]
pub struct LotusTrace {
    /// The call.
    pub msg: TraceMessage,
    /// How it ended.
    pub msg_ret: TraceReturn,
    /// The actor entered, if the recipient was found.
    pub msg_invoked: Option<TraceActor>,
    /// Gas charged while this call was the innermost one.
    pub gas_charges: Vec<TraceGasCharge>,
    /// Nested calls, in order.
    pub subcalls: Vec<LotusTrace>,
    /// `debug::log` lines of this call.
    pub logs: Vec<String>,
    /// Blocks this call read and wrote.
    pub ipld_ops: Vec<TraceIpld>,
}

/// Lotus's `MessageTrace`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple)]
pub struct TraceMessage {
    /// The caller, as an id address.
    pub from: Address,
    /// The recipient as the caller named it.
    pub to: Address,
    /// Value sent.
    pub value: TokenAmount,
    /// Method number.
    pub method: u64,
    /// Parameter bytes (empty for none).
    #[serde(with = "strict_bytes")]
    pub params: Vec<u8>,
    /// Parameter codec (0 for none).
    pub params_codec: u64,
    /// The gas limit of the call, whole gas.
    pub gas_limit: u64,
    /// Whether the call is read-only.
    pub read_only: bool,
}

/// Lotus's `ReturnTrace`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple)]
pub struct TraceReturn {
    /// Exit code.
    pub exit_code: u32,
    /// Return bytes (empty for none).
    #[serde(with = "strict_bytes")]
    pub return_data: Vec<u8>,
    /// Return codec (0 for none).
    pub return_codec: u64,
}

/// Lotus's `ActorTrace`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple)]
pub struct TraceActor {
    /// The actor's id.
    pub id: ActorID,
    /// Its state when it was entered.
    pub state: ActorState,
}

/// Lotus's `GasTrace`, in whole gas (rounded up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple)]
pub struct TraceGasCharge {
    /// The charge's name.
    pub name: String,
    /// Compute plus other gas (the sum rounded up).
    pub total_gas: u64,
    /// Compute gas.
    pub compute_gas: u64,
    /// Other (storage) gas.
    pub other_gas: u64,
    /// Time spent, nanoseconds: always 0 (Fern does not time charges).
    pub duration_nanos: u64,
}

/// Lotus's `TraceIpld`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple)]
pub struct TraceIpld {
    /// 0 for a read, 1 for a write.
    pub op: u64,
    /// The block.
    pub cid: Cid,
    /// Its size in bytes.
    pub size: u64,
}

fn gas(c: &GasCharge) -> TraceGasCharge {
    TraceGasCharge {
        name: c.name.to_string(),
        total_gas: (c.compute_gas + c.other_gas).round_up(),
        compute_gas: c.compute_gas.round_up(),
        other_gas: c.other_gas.round_up(),
        duration_nanos: 0,
    }
}

fn block(b: &Option<TraceBlock>) -> (Vec<u8>, u64) {
    b.as_ref()
        .map_or((Vec::new(), 0), |b| (b.data.clone(), b.codec))
}

/// Builds the frame opened by `call` from the events that follow it; `None` when they end
/// before the frame is closed.
fn frame<'a>(
    call: TraceMessage,
    mut initial: Vec<TraceGasCharge>,
    events: &mut impl Iterator<Item = &'a ExecEvent>,
) -> Option<LotusTrace> {
    initial.shrink_to_fit();
    let mut t = LotusTrace {
        msg: call,
        msg_ret: TraceReturn {
            exit_code: 0,
            return_data: Vec::new(),
            return_codec: 0,
        },
        msg_invoked: None,
        gas_charges: initial,
        subcalls: Vec::new(),
        logs: Vec::new(),
        ipld_ops: Vec::new(),
    };
    while let Some(event) = events.next() {
        match event {
            ExecEvent::GasCharge(c) => t.gas_charges.push(gas(c)),
            ExecEvent::Call { .. } => {
                let child = frame(message(event)?, Vec::new(), events)?;
                t.subcalls.push(child);
            }
            ExecEvent::InvokeActor { id, state } => {
                t.msg_invoked = Some(TraceActor {
                    id: *id,
                    state: state.clone(),
                })
            }
            ExecEvent::CallReturn { exit_code, value } => {
                let (return_data, return_codec) = block(value);
                t.msg_ret = TraceReturn {
                    exit_code: exit_code.value(),
                    return_data,
                    return_codec,
                };
                return Some(t);
            }
            ExecEvent::CallError(e) => {
                let exit_code = match e.number {
                    ErrorNumber::InsufficientFunds => ExitCode::SYS_INSUFFICIENT_FUNDS,
                    ErrorNumber::NotFound => ExitCode::SYS_INVALID_RECEIVER,
                    _ => ExitCode::SYS_ASSERTION_FAILED,
                };
                t.msg_ret = TraceReturn {
                    exit_code: exit_code.value(),
                    return_data: Vec::new(),
                    return_codec: 0,
                };
                return Some(t);
            }
            ExecEvent::Log(line) => t.logs.push(line.clone()),
            ExecEvent::Ipld { op, cid, size } => t.ipld_ops.push(TraceIpld {
                op: match op {
                    IpldOp::Get => 0,
                    IpldOp::Put => 1,
                },
                cid: *cid,
                size: *size as u64,
            }),
        }
    }
    None
}

fn message(event: &ExecEvent) -> Option<TraceMessage> {
    let ExecEvent::Call {
        from,
        to,
        method,
        params,
        value,
        gas_limit,
        read_only,
    } = event
    else {
        return None;
    };
    let (params, params_codec) = block(params);
    Some(TraceMessage {
        from: Address::new_id(*from),
        to: *to,
        value: value.clone(),
        method: *method,
        params,
        params_codec,
        gas_limit: *gas_limit,
        read_only: *read_only,
    })
}

/// The call tree of a message's trace, or `None` when the trace has no call (tracing off, or a
/// message rejected before execution) or ends inside a call.
pub fn lotus_trace(trace: &[ExecEvent]) -> Option<LotusTrace> {
    let mut events = trace.iter();
    let mut initial = Vec::new();
    for event in events.by_ref() {
        match event {
            ExecEvent::GasCharge(c) => initial.push(gas(c)),
            ExecEvent::Call { .. } => return frame(message(event)?, initial, &mut events),
            _ => {}
        }
    }
    None
}

/// The DAG-CBOR bytes of [`lotus_trace`], empty when there is none.
pub fn encode_lotus_trace(trace: &[ExecEvent]) -> Vec<u8> {
    lotus_trace(trace)
        .and_then(|t| fvm_ipld_encoding::to_vec(&t).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fern::call_manager::SyscallError;
    use fern::gas::Gas;
    use fern_shared::consts::{CBOR, IPLD_RAW};

    fn charge(name: &'static str, milli: u64) -> ExecEvent {
        ExecEvent::GasCharge(GasCharge::new(
            name,
            Gas::from_milligas(milli),
            Gas::from_milligas(1500),
        ))
    }

    fn call(to: u64, method: u64) -> ExecEvent {
        ExecEvent::Call {
            from: 100,
            to: Address::new_id(to),
            method,
            params: Some(TraceBlock {
                codec: CBOR,
                data: vec![0x80],
            }),
            value: TokenAmount::from_atto(5u64),
            gas_limit: 1000,
            read_only: false,
        }
    }

    #[test]
    fn tree_follows_calls_and_drops_what_comes_after_the_root() {
        let events = vec![
            charge("OnChainMessage", 2400),
            call(101, 2),
            charge("OnMethodInvocation", 1),
            call(102, 3),
            ExecEvent::CallError(SyscallError::new(ErrorNumber::NotFound, "nobody")),
            call(103, 0),
            ExecEvent::CallError(SyscallError::new(ErrorNumber::InsufficientFunds, "poor")),
            call(104, 0),
            ExecEvent::CallError(SyscallError::new(ErrorNumber::Forbidden, "fatal")),
            ExecEvent::Log("hello".into()),
            ExecEvent::CallReturn {
                exit_code: ExitCode::new(16),
                value: Some(TraceBlock {
                    codec: IPLD_RAW,
                    data: vec![1, 2],
                }),
            },
            charge("after", 1),
        ];
        let t = lotus_trace(&events).expect("a tree");
        assert_eq!(t.msg.to, Address::new_id(101));
        assert_eq!(t.msg.from, Address::new_id(100));
        assert_eq!(
            (t.msg.params.as_slice(), t.msg.params_codec),
            (&[0x80u8][..], CBOR)
        );
        // The inclusion charge opens the root's list; 2 400 + 1 500 milligas: total 4 (the
        // rounded sum), compute 3, other 2 (each rounded up).
        assert_eq!(t.gas_charges[0].name, "OnChainMessage");
        assert_eq!(
            (
                t.gas_charges[0].total_gas,
                t.gas_charges[0].compute_gas,
                t.gas_charges[0].other_gas
            ),
            (4, 3, 2)
        );
        assert_eq!(
            t.gas_charges.len(),
            2,
            "the charge after the root return is dropped"
        );
        let codes: Vec<u32> = t.subcalls.iter().map(|s| s.msg_ret.exit_code).collect();
        assert_eq!(codes, vec![5, 6, 10]);
        assert_eq!(t.logs, vec!["hello".to_string()]);
        assert_eq!(t.msg_ret.exit_code, 16);
        assert_eq!(
            (t.msg_ret.return_data.as_slice(), t.msg_ret.return_codec),
            (&[1u8, 2][..], IPLD_RAW)
        );
    }

    #[test]
    fn no_call_or_an_unclosed_call_gives_no_trace() {
        assert!(lotus_trace(&[charge("x", 1)]).is_none());
        assert!(lotus_trace(&[call(101, 2), charge("x", 1)]).is_none());
        assert!(encode_lotus_trace(&[]).is_empty());
    }

    #[test]
    fn encoding_is_the_tuple_layout_lotus_decodes() {
        let events = vec![
            call(101, 2),
            ExecEvent::Ipld {
                op: IpldOp::Put,
                cid: Cid::default(),
                size: 7,
            },
            ExecEvent::CallReturn {
                exit_code: ExitCode::new(0),
                value: None,
            },
        ];
        let bytes = encode_lotus_trace(&events);
        // [msg(8), ret(3), null, [], [], [], [[1, cid, 7]]]
        assert_eq!(bytes[0], 0x87, "a 7-element array");
        assert_eq!(bytes[1], 0x88, "the message is an 8-element array");
        let ret_at = bytes.windows(4).position(|w| w == [0x83, 0x00, 0x40, 0x00]);
        assert!(ret_at.is_some(), "return: [0, h'', 0]");
        let tail = &bytes[ret_at.unwrap() + 4..];
        assert_eq!(
            &tail[..5],
            &[0xf6, 0x80, 0x80, 0x80, 0x81],
            "null invoked, empty lists, one op"
        );
        assert_eq!(&tail[5..7], &[0x83, 0x01], "op Put = 1");
        assert_eq!(*tail.last().unwrap(), 0x07, "size 7");
    }
}
