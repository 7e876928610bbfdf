//! `fern exec`'s library side: the messages file forms, and running corpus vectors' messages on
//! their pre-state outside the vector runner (split in two runs joined by the output CAR).

use std::path::PathBuf;

use cid::Cid;
use fern_conformance::exec::{self, parse_messages, reachable_car, read_state_car, StateCar};
use fern_conformance::runner::variant_settings;
use fern_conformance::vector::write_car;
use fern_conformance::{collect_vector_files, Actuals, ApplyError, TestVector, VectorError};
use fern_shared::address::Address;
use fern_shared::econ::TokenAmount;
use fern_shared::message::Message;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors");

fn message(nonce: u64) -> Vec<u8> {
    let msg = Message {
        version: 0,
        from: Address::new_id(100),
        to: Address::new_id(101),
        sequence: nonce,
        value: TokenAmount::from_atto(5u64),
        method_num: 0,
        params: Default::default(),
        gas_limit: 10_000_000,
        gas_fee_cap: TokenAmount::from_atto(200u64),
        gas_premium: TokenAmount::from_atto(1u64),
    };
    fvm_ipld_encoding::to_vec(&msg).unwrap()
}

fn b64(b: &[u8]) -> String {
    data_encoding::BASE64.encode(b)
}

fn hex(b: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(b)
}

#[test]
fn messages_file_forms() {
    let (m0, m1) = (message(0), message(1));
    let want = vec![m0.clone(), m1.clone()];
    let forms = [
        format!(r#"["{}", "{}"]"#, b64(&m0), b64(&m1)),
        format!(
            r#"[{{"bytes": "{}", "epoch_offset": 0}}, {{"bytes": "0x{}"}}]"#,
            b64(&m0),
            hex(&m1)
        ),
        format!(
            "# two messages\n{}\n\n  0x{}  \n",
            b64(&m0),
            hex(&m1).to_uppercase()
        ),
    ];
    for form in &forms {
        assert_eq!(parse_messages(form.as_bytes()).unwrap(), want, "{form}");
    }
    assert_eq!(parse_messages(b"").unwrap(), Vec::<Vec<u8>>::new());
    assert_eq!(parse_messages(b"[]").unwrap(), Vec::<Vec<u8>>::new());
}

#[test]
fn bad_messages_files_are_errors() {
    let m = b64(&message(0));
    let cases: &[(&str, &str)] = &[
        ("[\"", "JSON"),
        ("[1]", "message 0: expected a string"),
        (r#"[{"byte": "AA=="}]"#, "needs a \"bytes\""),
        (&format!("{m}\nnot base64!"), "message 1: bad base64"),
        ("0xzz", "bad hex"),
        // Valid base64 of CBOR that is not a message.
        ("gwECAw==", "not a CBOR-encoded message"),
    ];
    for (text, needle) in cases {
        let e = parse_messages(text.as_bytes()).unwrap_err();
        assert!(e.to_string().contains(needle), "{text}: {e}");
    }
    assert!(parse_messages(&[0xff, 0xfe]).is_err());
}

#[test]
fn bad_state_cars_are_errors() {
    assert!(matches!(
        read_state_car(b"junk".to_vec()),
        Err(VectorError::Car(_))
    ));
    // A gzip header and garbage.
    assert!(matches!(
        read_state_car(vec![0x1f, 0x8b, 0, 1, 2]),
        Err(VectorError::Gzip(_))
    ));
    // A CAR without roots (the CAR reader itself refuses an empty root list).
    let rootless = write_car(vec![], []).unwrap();
    let e = read_state_car(rootless).unwrap_err();
    assert!(
        matches!(&e, VectorError::Car(_) | VectorError::Malformed(_)),
        "{e}"
    );
    // A root the CAR does not hold: the machine cannot be built.
    let missing =
        Cid::try_from("bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4").unwrap();
    let state = StateCar {
        root: missing,
        blocks: vec![],
    };
    let applied = exec::exec(
        &state,
        &[],
        &fern_conformance::MachineSettings::new(21, 0),
        &[],
        &[],
    )
    .unwrap();
    assert!(
        matches!(applied.error, Some(ApplyError::Setup { .. })),
        "{:?}",
        applied.error
    );
    let too_old = exec::exec(
        &state,
        &[],
        &fern_conformance::MachineSettings::new(15, 0),
        &[],
        &[],
    )
    .unwrap();
    assert!(matches!(
        too_old.error,
        Some(ApplyError::UnsupportedVersion { nv: 15, .. })
    ));
}

/// Corpus vectors `exec` can replay: no randomness rules (exec serves the fallback digest to
/// every draw), a network version Fern runs. Every fourth one, to keep the test short.
fn exec_vectors() -> Vec<(PathBuf, TestVector)> {
    let files = collect_vector_files(&[PathBuf::from(CORPUS)]).expect("the test-vectors directory");
    files
        .into_iter()
        .filter_map(|f| {
            let v = TestVector::from_json(&std::fs::read(&f).ok()?).ok()?;
            let nv = v.preconditions.variants.first()?.nv;
            ((21..=29).contains(&nv) && v.apply_messages.len() >= 2).then_some((f, v))
        })
        .enumerate()
        // Every fourth vector, and every one with randomness rules (given to exec as such).
        .filter(|(i, (_, v))| i % 4 == 0 || !v.randomness.is_empty())
        .map(|(_, fv)| fv)
        .collect()
}

/// Runs all of `v`'s messages through `exec` (on a deep stack) with its settings, changed by
/// `adjust`.
fn exec_vector(
    v: TestVector,
    adjust: impl FnOnce(&mut fern_conformance::MachineSettings) + Send + 'static,
) -> fern_conformance::Applied {
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(move || {
            let mut settings = variant_settings(&v, &v.preconditions.variants[0]);
            adjust(&mut settings);
            let messages =
                parse_messages(serde_json::to_string(&v.apply_messages).unwrap().as_bytes())
                    .unwrap();
            let state = read_state_car(v.pre_state_car().unwrap()).unwrap();
            exec::exec(&state, &[], &settings, &v.randomness, &messages).unwrap()
        })
        .unwrap()
        .join()
        .unwrap()
}

fn check_receipts(path: &PathBuf, got: &Actuals, want: &[fern_conformance::vector::Receipt]) {
    assert_eq!(got.receipts.len(), want.len(), "{path:?}");
    for (i, (g, w)) in got.receipts.iter().zip(want).enumerate() {
        assert_eq!(g.exit_code, w.exit_code, "{path:?} message {i}");
        assert_eq!(g.return_data, w.return_data.0, "{path:?} message {i}");
        assert_eq!(g.gas_used, w.gas_used, "{path:?} message {i}");
        if let Some(events) = w.events_root {
            assert_eq!(g.events_root, events.map(|c| c.0), "{path:?} message {i}");
        }
    }
}

#[test]
fn exec_in_two_halves_reproduces_corpus_vectors() {
    let vectors = exec_vectors();
    assert!(
        !vectors.is_empty(),
        "no usable vectors in {CORPUS}: the corpus has not been generated"
    );
    assert!(vectors.iter().any(|(_, v)| !v.randomness.is_empty()));
    let checked = std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(move || {
            for (path, v) in &vectors {
                let settings = variant_settings(v, &v.preconditions.variants[0]);
                let messages =
                    parse_messages(serde_json::to_string(&v.apply_messages).unwrap().as_bytes())
                        .unwrap();
                let state = read_state_car(v.pre_state_car().unwrap()).unwrap();
                // All at once.
                let whole = exec::exec(&state, &[], &settings, &v.randomness, &messages).unwrap();
                assert_eq!(whole.error, None, "{path:?}");
                check_receipts(path, &whole.actual, &v.postconditions.receipts);
                let want_root = v.postconditions.state_tree.root_cid.0;
                assert_eq!(whole.actual.state_root, Some(want_root), "{path:?}");

                // The first half, then the rest on the state CAR the first half wrote.
                let mid = messages.len() / 2;
                let first =
                    exec::exec(&state, &[], &settings, &v.randomness, &messages[..mid]).unwrap();
                let root = first.actual.state_root.expect("flushed");
                let out = reachable_car(first.store.as_ref().unwrap(), &root).unwrap();
                let next = read_state_car(out).unwrap();
                assert_eq!(next.root, root);
                assert_eq!(next.blocks[0].0, root, "the root block comes first");
                let second =
                    exec::exec(&next, &[], &settings, &v.randomness, &messages[mid..]).unwrap();
                assert_eq!(second.error, None, "{path:?}");
                let mut joined = first.actual.receipts.clone();
                joined.extend(second.actual.receipts.iter().cloned());
                let joined = Actuals {
                    receipts: joined,
                    state_root: second.actual.state_root,
                };
                check_receipts(path, &joined, &v.postconditions.receipts);
                assert_eq!(joined.state_root, Some(want_root), "{path:?}");
            }
            vectors.len()
        })
        .unwrap()
        .join()
        .unwrap();
    assert!(checked > 0);
}

#[test]
fn render_formats() {
    let root =
        Cid::try_from("bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4").unwrap();
    let actual = Actuals {
        receipts: vec![
            fern_conformance::MessageActual {
                exit_code: 0,
                return_data: vec![0x82, 0x00, 0x40],
                gas_used: 1408445,
                events_root: Some(root),
                trace: Vec::new(),
                events: Vec::new(),
                failure_info: None,
                logs: Vec::new(),
            },
            fern_conformance::MessageActual {
                exit_code: 6,
                return_data: vec![],
                gas_used: 99,
                events_root: None,
                trace: Vec::new(),
                events: Vec::new(),
                failure_info: None,
                logs: Vec::new(),
            },
        ],
        state_root: Some(root),
    };
    assert_eq!(
        exec::render_text(&actual),
        format!(
            "message 0: exit_code 0, gas_used 1408445, return 0x820040, events_root {root}\n\
             message 1: exit_code 6, gas_used 99, return (empty), events_root none\n\
             state_root {root}\n"
        )
    );
    let json: serde_json::Value = serde_json::from_str(&exec::render_json(&actual)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "receipts": [
                {"index": 0, "exit_code": 0, "return": "820040", "gas_used": 1408445,
                 "events_root": root.to_string(), "events": [], "failure_info": null},
                {"index": 1, "exit_code": 6, "return": "", "gas_used": 99, "events_root": null,
                 "events": [], "failure_info": null},
            ],
            "state_root": root.to_string(),
        })
    );
}

#[test]
fn cbor_diagnostic_notation() {
    use fern_conformance::exec::cbor_diagnostic;
    let d = |bytes: &[u8]| cbor_diagnostic(bytes).map(|(s, rest)| (s, rest.len()));
    assert_eq!(d(&[0x18, 0x64]), Some(("100".into(), 0)));
    assert_eq!(d(&[0x20]), Some(("-1".into(), 0)));
    assert_eq!(
        d(&[0x64, b'm', b'i', b'n', b't']),
        Some(("\"mint\"".into(), 0))
    );
    assert_eq!(d(&[0x42, 0x01, 0x02, 0xff]), Some(("h'0102'".into(), 1)));
    assert_eq!(d(&[0x82, 0x01, 0xf5]), Some(("[1, true]".into(), 0)));
    assert_eq!(
        d(&[0xa1, 0x61, b'a', 0xf6]),
        Some(("{\"a\": null}".into(), 0))
    );
    assert_eq!(d(&[0xd8, 0x2a, 0x40]), Some(("42(h'')".into(), 0)));
    // Truncated, reserved, invalid UTF-8, too deep: no rendering, never a panic.
    for bad in [
        &[0x42, 0x01][..],
        &[0x1c],
        &[0x61, 0xff],
        &[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    ] {
        assert_eq!(d(bad), None, "{bad:?}");
    }
    assert_eq!(d(&[0x81; 40]), None);
}

/// Receipts show the events decoded and, for failed messages, the actors' error messages; with
/// debugging on, the actors' logs.
#[test]
fn exec_shows_events_failures_and_logs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors");
    let load = |name: &str| -> TestVector {
        serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap()
    };
    let run = |v: TestVector, debug: bool| exec_vector(v, move |s| s.debug = debug);
    let token = run(load("examples/token--nv26.json"), false);
    let text = exec::render_text(&token.actual);
    assert!(
        text.contains("event from f0108: $type=\"mint\", to=100, amount=h'"),
        "{text}"
    );
    assert!(text.contains("failure: 00: f0108 (method 80475954) -- cannot transfer a negative amount (exit code 16)"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&exec::render_json(&token.actual)).unwrap();
    let first = &json["receipts"][0];
    assert_eq!(first["events"][0]["emitter"], 108);
    assert_eq!(first["events"][0]["entries"][0]["key"], "$type");
    assert_eq!(first["events"][0]["entries"][0]["value_cbor"], "\"mint\"");
    assert!(first["failure_info"].is_null());
    assert!(json["receipts"][6]["failure_info"]
        .as_str()
        .unwrap()
        .contains("negative amount"));

    let logs = |debug| -> Vec<String> {
        run(load("syscalls/debug_logs--nv22.json"), debug)
            .actual
            .receipts
            .into_iter()
            .flat_map(|r| r.logs)
            .collect()
    };
    assert!(logs(false).is_empty(), "no logs without debugging");
    let with = logs(true);
    assert!(!with.is_empty(), "debugging shows the actors' logs");
}

/// The flame graph's folded stacks add up to each message's gas used, out-of-gas sends and
/// messages included.
#[test]
fn folded_gas_adds_up_to_gas_used() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors");
    let (mut checked, mut nested) = (0, 0);
    for name in [
        "examples/token--nv26.json",
        "syscalls/send--nv27.json",
        "transfers/create_accounts--nv28.json",
    ] {
        let v: TestVector =
            serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap();
        let applied = exec_vector(v, |s| s.trace = true);
        for (i, r) in applied.actual.receipts.iter().enumerate() {
            let stacks = exec::folded_gas(&format!("message {i}"), &r.trace);
            if r.gas_used == 0 {
                continue; // rejected before execution: no trace
            }
            assert!(stacks
                .iter()
                .all(|(p, _)| p.starts_with(&format!("message {i};"))));
            let milligas: u64 = stacks.iter().map(|(_, v)| v).sum();
            // Within a few gas of the receipt: the sends' limits are whole gas, rounded up.
            let gas = milligas.div_ceil(1000);
            assert!(
                gas.abs_diff(r.gas_used) <= 2,
                "{name} message {i}: {gas} vs {}",
                r.gas_used
            );
            checked += 1;
            // Sends appear as frames under the message.
            nested += usize::from(stacks.iter().any(|(p, _)| p.matches(';').count() >= 2));
        }
    }
    assert!(checked > 20, "{checked}");
    assert!(nested > 20, "{nested}");
}
