//! Applying messages to a state outside any vector: the library side of `fern exec`.
//!
//! Inputs: a state CAR (plain or gzip) whose first root is the state root and which holds the
//! blocks the messages need, optional bundle blocks, and a list of CBOR-encoded unsigned
//! messages ([`parse_messages`]). The messages run through [`apply_messages`], the vector
//! runner's code path, with the same fixed machine settings (randomness always the fallback
//! digest, as for a vector without randomness rules). Outputs: the receipts and the new root,
//! as text ([`render_text`]) or JSON ([`render_json`]), and optionally a CAR of the new state
//! ([`reachable_car`]).

use std::collections::HashSet;

use cid::Cid;
use fern::call_manager::{ExecEvent, IpldOp};
use fern_shared::consts::{CBOR, IPLD_RAW};
use fern_shared::message::Message;
use fvm_ipld_blockstore::{Blockstore, MemoryBlockstore};
use serde::Serialize;

use crate::report::ReceiptJson;
use crate::runner::{apply_messages, Actuals, Applied, MachineSettings, VectorExterns};
use crate::VectorError;

/// Multicodec of DAG-CBOR, the only codec whose blocks link to others.
const DAG_CBOR: u64 = 0x71;
/// Multihash code of the identity hash (the data is inline in the CID; never stored).
const IDENTITY: u64 = 0x00;

/// A state to run messages on: its root and its blocks.
#[derive(Debug, Clone)]
pub struct StateCar {
    /// The state root (the CAR's first root).
    pub root: Cid,
    /// Every block of the CAR, in file order.
    pub blocks: Vec<(Cid, Vec<u8>)>,
}

/// Reads a state CAR (plain or gzip-compressed): its first root is the state root.
pub fn read_state_car(data: Vec<u8>) -> Result<StateCar, VectorError> {
    let car = crate::bundle::maybe_gunzip(data)?;
    let (roots, blocks) = crate::bundle::read_car_blocks(&car)?;
    let root = *roots
        .first()
        .ok_or_else(|| VectorError::Malformed("the state CAR has no root".into()))?;
    Ok(StateCar { root, blocks })
}

fn decode_bytes(text: &str, index: usize) -> Result<Vec<u8>, VectorError> {
    let text = text.trim();
    let decoded = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => data_encoding::HEXLOWER_PERMISSIVE
            .decode(hex.as_bytes())
            .map_err(|e| format!("bad hex: {e}")),
        None => data_encoding::BASE64
            .decode(text.as_bytes())
            .map_err(|e| format!("bad base64: {e}")),
    };
    decoded.map_err(|e| VectorError::Malformed(format!("message {index}: {e}")))
}

/// Parses a messages file into the CBOR bytes of each message, checking that each decodes as an
/// unsigned message. Two forms are accepted:
///
/// - a JSON array (the text starts with `[`) whose items are strings (base64, or hex after `0x`)
///   or objects with a `bytes` string member (the test-vector `apply_messages` style; other
///   members are ignored);
/// - text with one message per line, base64 or `0x`-prefixed hex; blank lines and lines starting
///   with `#` are skipped.
pub fn parse_messages(text: &[u8]) -> Result<Vec<Vec<u8>>, VectorError> {
    let text = std::str::from_utf8(text)
        .map_err(|e| VectorError::Malformed(format!("the messages file is not UTF-8: {e}")))?;
    let messages = if text.trim_start().starts_with('[') {
        let items: Vec<serde_json::Value> =
            serde_json::from_str(text).map_err(|e| VectorError::Json(e.to_string()))?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                serde_json::Value::String(s) => decode_bytes(s, i),
                serde_json::Value::Object(o) => match o.get("bytes") {
                    Some(serde_json::Value::String(s)) => decode_bytes(s, i),
                    _ => Err(VectorError::Malformed(format!(
                        "message {i}: an object item needs a \"bytes\" string"
                    ))),
                },
                _ => Err(VectorError::Malformed(format!(
                    "message {i}: expected a string or an object with \"bytes\""
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?
    } else {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .enumerate()
            .map(|(i, l)| decode_bytes(l, i))
            .collect::<Result<Vec<_>, _>>()?
    };
    for (i, bytes) in messages.iter().enumerate() {
        fvm_ipld_encoding::from_slice::<Message>(bytes).map_err(|e| {
            VectorError::Malformed(format!("message {i}: not a CBOR-encoded message: {e}"))
        })?;
    }
    Ok(messages)
}

/// Loads `state` and `bundle_blocks` into a fresh store and applies `messages` with `settings`,
/// answering randomness draws from `randomness` (the fallback digest elsewhere).
pub fn exec(
    state: &StateCar,
    bundle_blocks: &[(Cid, Vec<u8>)],
    settings: &MachineSettings,
    randomness: &[crate::vector::RandomnessRule],
    messages: &[Vec<u8>],
) -> Result<Applied, VectorError> {
    let store = MemoryBlockstore::new();
    for (cid, data) in bundle_blocks.iter().chain(&state.blocks) {
        store
            .put_keyed(cid, data)
            .map_err(|e| VectorError::Car(e.to_string()))?;
    }
    crate::runner::guard(|| {
        apply_messages(
            store,
            state.root,
            settings,
            {
                let (chain, beacon) = crate::vector::randomness_maps(randomness);
                VectorExterns::from_maps(chain, beacon)
            },
            messages,
        )
    })
    .map_err(VectorError::Internal)
}

/// A CAR (version 1) whose root is `root` and whose blocks are those reachable from it (through
/// DAG-CBOR links) that `store` holds, in depth-first order, each once. Blocks the store lacks
/// and identity-hash CIDs are left out.
pub fn reachable_car(store: &impl Blockstore, root: &Cid) -> Result<Vec<u8>, VectorError> {
    let mut stack = vec![*root];
    let mut seen = HashSet::new();
    let mut blocks = Vec::new();
    while let Some(cid) = stack.pop() {
        if !seen.insert(cid) || cid.hash().code() == IDENTITY {
            continue;
        }
        let data = store
            .get(&cid)
            .map_err(|e| VectorError::Car(format!("{cid}: {e}")))?;
        let Some(data) = data else {
            if cid == *root {
                return Err(VectorError::Car(format!(
                    "the root {cid} is not in the store"
                )));
            }
            continue;
        };
        if cid.codec() == DAG_CBOR {
            let mut links = Vec::new();
            fern::machine::blockstore::scan_dag_cbor_links(&data, &mut links)
                .map_err(|e| VectorError::Car(format!("{cid}: {e}")))?;
            stack.extend(links.into_iter().rev());
        }
        blocks.push((cid, data));
    }
    crate::vector::write_car(vec![*root], blocks.iter().map(|(c, d)| (c, d.as_slice())))
}

/// One receipt of `fern exec --json`: its message index, then the receipt.
#[derive(Debug, Clone, Serialize)]
struct IndexedReceipt {
    index: usize,
    #[serde(flatten)]
    receipt: ReceiptJson,
    events: Vec<EventJson>,
    failure_info: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    trace: Vec<String>,
}

/// An event in `fern exec --json`.
#[derive(Debug, Clone, Serialize)]
struct EventJson {
    emitter: u64,
    entries: Vec<EntryJson>,
}

/// An event entry in `fern exec --json`: the value as hex, and as text when it is printable
/// UTF-8.
#[derive(Debug, Clone, Serialize)]
struct EntryJson {
    flags: u64,
    key: String,
    codec: u64,
    value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_cbor: Option<String>,
}

/// The first CBOR item of `data` in diagnostic notation (`100`, `"mint"`, `h'0102'`,
/// `[1, 2]`, `{"a": 1}`, `42(h'..')`), and the bytes after it; `None` when `data` does not
/// start with a well-formed item (or nests deeper than 32 levels).
pub fn cbor_diagnostic(data: &[u8]) -> Option<(String, &[u8])> {
    fn item(data: &[u8], depth: u32) -> Option<(String, &[u8])> {
        if depth > 32 {
            return None;
        }
        let (&first, rest) = data.split_first()?;
        let (major, info) = (first >> 5, first & 0x1f);
        let (arg, rest) = match info {
            0..=23 => (u64::from(info), rest),
            24..=27 => {
                let width = 1usize << (info - 24);
                if rest.len() < width {
                    return None;
                }
                let (bytes, rest) = rest.split_at(width);
                (
                    bytes.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b)),
                    rest,
                )
            }
            _ => return None,
        };
        let take = |rest: &[u8]| -> Option<(Vec<u8>, usize)> {
            let n = usize::try_from(arg).ok().filter(|n| *n <= rest.len())?;
            Some((rest[..n].to_vec(), n))
        };
        match major {
            0 => Some((arg.to_string(), rest)),
            1 => Some((format!("-{}", u128::from(arg) + 1), rest)),
            2 => take(rest).map(|(b, n)| {
                (
                    format!("h'{}'", data_encoding::HEXLOWER.encode(&b)),
                    &rest[n..],
                )
            }),
            3 => take(rest)
                .and_then(|(b, n)| Some((format!("{:?}", String::from_utf8(b).ok()?), &rest[n..]))),
            4 | 5 => {
                let mut parts = Vec::new();
                let mut rest = rest;
                for _ in 0..arg.min(4096) {
                    let (k, r) = item(rest, depth + 1)?;
                    rest = r;
                    if major == 5 {
                        let (v, r) = item(rest, depth + 1)?;
                        rest = r;
                        parts.push(format!("{k}: {v}"));
                    } else {
                        parts.push(k);
                    }
                }
                if arg > 4096 {
                    return None;
                }
                let (open, close) = if major == 4 { ('[', ']') } else { ('{', '}') };
                Some((format!("{open}{}{close}", parts.join(", ")), rest))
            }
            6 => item(rest, depth + 1).map(|(v, r)| (format!("{arg}({v})"), r)),
            _ => match info {
                20 => Some(("false".into(), rest)),
                21 => Some(("true".into(), rest)),
                22 => Some(("null".into(), rest)),
                _ => Some((format!("simple({arg})"), rest)),
            },
        }
    }
    item(data, 0)
}

/// `bytes` as text when they are UTF-8 without control characters (and not empty).
fn printable(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    (!text.is_empty() && !text.chars().any(char::is_control)).then(|| text.to_string())
}

fn events_json(events: &[fern_shared::event::StampedEvent]) -> Vec<EventJson> {
    events
        .iter()
        .map(|e| EventJson {
            emitter: e.emitter,
            entries: e
                .event
                .entries
                .iter()
                .map(|x| EntryJson {
                    flags: x.flags.bits(),
                    key: x.key.clone(),
                    codec: x.codec,
                    value: data_encoding::HEXLOWER.encode(&x.value),
                    // CBOR values are shown decoded, raw ones as text when printable.
                    value_text: (x.codec == IPLD_RAW).then(|| printable(&x.value)).flatten(),
                    value_cbor: matches!(x.codec, CBOR | DAG_CBOR)
                        .then(|| cbor_diagnostic(&x.value))
                        .flatten()
                        .filter(|(_, rest)| rest.is_empty())
                        .map(|(d, _)| d),
                })
                .collect(),
        })
        .collect()
}

/// The lines describing a message's events: `event from f0E: key=VALUE, ...`, where a CBOR
/// value is shown in diagnostic notation ([`cbor_diagnostic`]) and a raw one as `0x..`, with
/// its text when printable.
pub fn render_events(events: &[fern_shared::event::StampedEvent]) -> Vec<String> {
    events_json(events)
        .into_iter()
        .map(|e| {
            let entries: Vec<String> = e
                .entries
                .iter()
                .map(|x| match (&x.value_cbor, &x.value_text) {
                    (Some(cbor), _) => format!("{}={cbor}", x.key),
                    (None, Some(text)) => format!("{}=0x{} ({text:?})", x.key, x.value),
                    (None, None) => format!("{}=0x{}", x.key, x.value),
                })
                .collect();
            format!("event from f0{}: {}", e.emitter, entries.join(", "))
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
struct ExecJson {
    receipts: Vec<IndexedReceipt>,
    state_root: Option<String>,
}

/// The `fern exec --json` document: `{"receipts": [{index, exit_code, return, gas_used,
/// events_root, events, failure_info, logs, trace}], "state_root": CID or null}`
/// (pretty-printed, ending in a newline). `return` is lowercase hex; `events_root` is `null`
/// when the message emitted no events; `events` is a list of `{emitter, entries: [{flags, key,
/// codec, value (hex), value_text (a raw value that is printable UTF-8), value_cbor (a CBOR value
/// in diagnostic notation)}]}`; `failure_info` is `null` on
/// success, else the reason or backtrace text; `logs` (the actors' debug logs, with `--debug`)
/// and `trace` (the lines of [`render_trace`], with `--trace`) appear only when not empty;
/// `state_root` is `null` when the run stopped before the flush.
pub fn render_json(actual: &Actuals) -> String {
    let doc = ExecJson {
        receipts: actual
            .receipts
            .iter()
            .enumerate()
            .map(|(index, r)| IndexedReceipt {
                index,
                receipt: r.into(),
                events: events_json(&r.events),
                failure_info: r.failure_info.clone(),
                logs: r.logs.clone(),
                trace: render_trace(&r.trace),
            })
            .collect(),
        state_root: actual.state_root.map(|c| c.to_string()),
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("exec output always serializes");
    out.push('\n');
    out
}

/// The `fern exec` text output: one line per receipt,
/// `message I: exit_code E, gas_used G, return 0x.. | (empty), events_root CID | none`, followed
/// by indented lines for its trace (with `--trace`), its events ([`render_events`]), its failure
/// info (`failure: ...`) and its debug logs (`log: ...`); then `state_root CID` when the run
/// reached the flush.
pub fn render_text(actual: &Actuals) -> String {
    let mut out = String::new();
    for (i, r) in actual.receipts.iter().enumerate() {
        let ret = if r.return_data.is_empty() {
            "(empty)".to_string()
        } else {
            format!("0x{}", data_encoding::HEXLOWER.encode(&r.return_data))
        };
        let events = r
            .events_root
            .map_or_else(|| "none".to_string(), |c| c.to_string());
        out.push_str(&format!(
            "message {i}: exit_code {}, gas_used {}, return {ret}, events_root {events}\n",
            r.exit_code, r.gas_used
        ));
        let failure = r
            .failure_info
            .iter()
            .flat_map(|f| f.lines())
            .map(|l| format!("failure: {l}"));
        let logs = r.logs.iter().map(|l| format!("log: {l}"));
        for line in render_trace(&r.trace)
            .into_iter()
            .chain(render_events(&r.events))
            .chain(failure)
            .chain(logs)
        {
            out.push_str("    ");
            out.push_str(&line);
            out.push('\n');
        }
    }
    if let Some(root) = actual.state_root {
        out.push_str(&format!("state_root {root}\n"));
    }
    out
}

/// A message's execution trace as indented lines, one per send, return, error, invoked actor,
/// block read or written and log; nested sends are indented two more spaces. Gas charges are
/// summed rather than listed: on each return or error line, the charges made while that send
/// was the innermost one (its nested sends report their own), and on a last line the charges
/// made outside any send (the message's inclusion cost).
///
/// ```text
/// call f0100 -> f01000 method 2, value 0, gas limit 9999
///   invoke f01000 (code bafk...)
///   ipld get bafy... (42 bytes)
///   return 0, 3 bytes (gas: 12 charge(s), 345678 milligas)
/// outside sends: 1 charge(s), 767363000 milligas
/// ```
pub fn render_trace(trace: &[ExecEvent]) -> Vec<String> {
    let mut lines = Vec::new();
    // Per open send: (charges, milligas) seen so far.
    let mut open: Vec<(usize, u64)> = Vec::new();
    let mut outer = (0usize, 0u64);
    let indent = |depth: usize| "  ".repeat(depth);
    for event in trace {
        let depth = open.len();
        match event {
            ExecEvent::GasCharge(c) => {
                let slot = open.last_mut().unwrap_or(&mut outer);
                slot.0 += 1;
                slot.1 += c.total().as_milligas();
            }
            ExecEvent::Call {
                from,
                to,
                method,
                params,
                value,
                gas_limit,
                read_only,
            } => {
                let mut line = format!(
                    "{}call f0{from} -> {to} method {method}, value {}, gas limit {gas_limit}",
                    indent(depth),
                    value.atto()
                );
                if let Some(p) = params {
                    line.push_str(&format!(", params {} bytes", p.data.len()));
                }
                if *read_only {
                    line.push_str(", read-only");
                }
                lines.push(line);
                open.push((0, 0));
            }
            ExecEvent::CallReturn { exit_code, value } => {
                let (n, gas) = open.pop().unwrap_or_default();
                let size = value
                    .as_ref()
                    .map_or(String::new(), |v| format!(", {} bytes", v.data.len()));
                lines.push(format!(
                    "{}return {}{size} (gas: {n} charge(s), {gas} milligas)",
                    indent(open.len()),
                    exit_code.value()
                ));
            }
            ExecEvent::CallError(e) => {
                let (n, gas) = open.pop().unwrap_or_default();
                lines.push(format!(
                    "{}error {:?}: {} (gas: {n} charge(s), {gas} milligas)",
                    indent(open.len()),
                    e.number,
                    e.message
                ));
            }
            ExecEvent::InvokeActor { id, state } => {
                lines.push(format!(
                    "{}invoke f0{id} (code {})",
                    indent(depth),
                    state.code
                ));
            }
            ExecEvent::Ipld { op, cid, size } => {
                let op = match op {
                    IpldOp::Get => "get",
                    IpldOp::Put => "put",
                };
                lines.push(format!("{}ipld {op} {cid} ({size} bytes)", indent(depth)));
            }
            ExecEvent::Log(m) => lines.push(format!("{}log: {m}", indent(depth))),
        }
    }
    if outer.0 > 0 {
        lines.push(format!(
            "outside sends: {} charge(s), {} milligas",
            outer.0, outer.1
        ));
    }
    lines
}

/// A message's gas as folded stacks, the input of a flame graph: one `(path, milligas)` per
/// distinct path, in first-seen order. A path is `root` (e.g. `message 07`), then one frame per
/// nested send (`TO method M`, the recipient as the caller named it), then the charge's name; the
/// value is the gas the charge took (compute plus other gas), in milligas.
///
/// The trace records every charge attempted, including the one that ran out of gas; a send that
/// runs out of gas consumes only what was left of its limit. So when a send returns
/// `SYS_OUT_OF_GAS`, the charges under it are cut back to its gas limit (the excess is taken off
/// the charge that failed, its last one). The values then add up to the receipt's gas used (to
/// within the rounding of the sends' limits to whole gas). Empty without a trace.
pub fn folded_gas(root: &str, trace: &[ExecEvent]) -> Vec<(String, u64)> {
    struct Frame {
        label: String,
        /// The send's gas limit in milligas (none for the root).
        limit: Option<u64>,
        /// Milligas charged under this frame, nested sends included.
        spent: u64,
        /// The path of the last charge made directly in this frame.
        last: Option<String>,
    }
    let mut frames = vec![Frame {
        label: root.replace(';', "_"),
        limit: None,
        spent: 0,
        last: None,
    }];
    let mut order: Vec<String> = Vec::new();
    let mut totals: std::collections::HashMap<String, u64> = Default::default();
    for event in trace {
        match event {
            ExecEvent::Call {
                to,
                method,
                gas_limit,
                ..
            } => frames.push(Frame {
                label: format!("{to} method {method}").replace(';', "_"),
                limit: Some(gas_limit.saturating_mul(1000)),
                spent: 0,
                last: None,
            }),
            ExecEvent::CallReturn { .. } | ExecEvent::CallError(_) if frames.len() > 1 => {
                let mut frame = frames.pop().expect("more than one frame");
                let out_of_gas = matches!(
                    event,
                    ExecEvent::CallReturn { exit_code, value: None }
                        if *exit_code == fern_shared::error::ExitCode::SYS_OUT_OF_GAS
                );
                if let (true, Some(limit), Some(last)) = (out_of_gas, frame.limit, &frame.last) {
                    let excess = frame.spent.saturating_sub(limit);
                    if let Some(v) = totals.get_mut(last) {
                        let cut = excess.min(*v);
                        *v -= cut;
                        frame.spent -= cut;
                    }
                }
                if let Some(parent) = frames.last_mut() {
                    parent.spent = parent.spent.saturating_add(frame.spent);
                }
            }
            ExecEvent::GasCharge(c) => {
                let milligas = (c.compute_gas + c.other_gas).as_milligas();
                let labels: Vec<&str> = frames.iter().map(|f| f.label.as_str()).collect();
                // `;` separates frames in the folded format (the last space ends the path).
                let path = format!("{};{}", labels.join(";"), c.name.replace(';', "_"));
                let total = totals.entry(path.clone()).or_insert_with(|| {
                    order.push(path.clone());
                    0
                });
                *total = total.saturating_add(milligas);
                let frame = frames.last_mut().expect("the root frame stays");
                frame.spent = frame.spent.saturating_add(milligas);
                frame.last = Some(path);
            }
            _ => {}
        }
    }
    order
        .into_iter()
        .map(|p| {
            let v = totals[&p];
            (p, v)
        })
        .collect()
}
