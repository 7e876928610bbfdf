//! Parsing and error reporting of the vector format, on small vectors made here. Bad input must
//! come back as a clear error, never a panic.

use cid::Cid;
use fern_conformance::vector::{gzip, write_car, Base64, BigNum};
use fern_conformance::{
    bundle, run_file, run_vector, RunOptions, TestVector, VariantResult, VectorError,
};
use fvm_ipld_blockstore::MemoryBlockstore;
use multihash_codetable::{Code, MultihashDigest};
use num_bigint::BigInt;
use serde_json::{json, Value};

fn cbor_cid(data: &[u8]) -> Cid {
    Cid::new_v1(0x71, Code::Blake2b256.digest(data))
}

fn b64(data: &[u8]) -> String {
    data_encoding::BASE64.encode(data)
}

/// A one-block CAR (gzip, base64) whose root is that block, and the block's CID.
fn small_car() -> (String, Cid) {
    let block = fvm_ipld_encoding::to_vec(&(1u64, "fern")).unwrap();
    let cid = cbor_cid(&block);
    let car = write_car(vec![cid], [(&cid, block.as_slice())]).unwrap();
    (b64(&gzip(&car)), cid)
}

/// A well-formed vector with one message and one receipt, whose pre-state is a lone block (not a
/// state tree).
fn base() -> Value {
    let (car, root) = small_car();
    json!({
        "class": "message",
        "_meta": {"id": "unit/base"},
        "car": car,
        "preconditions": {
            "variants": [{"id": "v", "epoch": 10, "nv": 21}],
            "state_tree": {"root_cid": {"/": root.to_string()}},
            "basefee": 100,
        },
        "apply_messages": [{"bytes": b64(&[0x80]), "epoch_offset": 0}],
        "postconditions": {
            "state_tree": {"root_cid": {"/": root.to_string()}},
            "receipts": [{"exit_code": 0, "return": "", "gas_used": 5}],
        },
    })
}

fn parse(v: &Value) -> Result<TestVector, VectorError> {
    TestVector::from_json(v.to_string().as_bytes())
}

#[test]
fn well_formed_vector_parses_and_round_trips() {
    let v = parse(&base()).unwrap();
    assert_eq!(v.id(), Some("unit/base"));
    assert_eq!(v.preconditions.variants[0].nv, 21);
    assert_eq!(v.preconditions.basefee, Some(BigNum(BigInt::from(100))));
    assert_eq!(v.preconditions.circ_supply, None);
    assert_eq!(v.apply_messages[0].bytes, Base64(vec![0x80]));
    assert_eq!(v.postconditions.receipts[0].gas_used, 5);
    // Absent events root: not checked.
    assert_eq!(v.postconditions.receipts[0].events_root, None);
    let again = TestVector::from_json(v.to_json().as_bytes()).unwrap();
    assert_eq!(again.to_json(), v.to_json());
    let store = MemoryBlockstore::new();
    let roots = v.load_car(&store).unwrap();
    assert_eq!(roots, vec![v.preconditions.state_tree.root_cid.0]);
}

#[test]
fn events_root_null_means_expect_none() {
    let mut j = base();
    j["postconditions"]["receipts"][0]["events_root"] = Value::Null;
    assert_eq!(
        parse(&j).unwrap().postconditions.receipts[0].events_root,
        Some(None)
    );
    let (_, cid) = small_car();
    j["postconditions"]["receipts"][0]["events_root"] = json!({"/": cid.to_string()});
    let r = &parse(&j).unwrap().postconditions.receipts[0];
    assert_eq!(r.events_root.unwrap().unwrap().0, cid);
}

#[test]
fn big_numbers_as_float_or_string() {
    let mut j = base();
    j["preconditions"]["circ_supply"] = json!(1e21);
    j["preconditions"]["basefee"] = json!("123456789012345678901234567890");
    let v = parse(&j).unwrap();
    assert_eq!(
        v.preconditions.circ_supply.unwrap().0,
        BigInt::from(10u128.pow(21))
    );
    assert_eq!(
        v.preconditions.basefee.unwrap().0,
        "123456789012345678901234567890".parse::<BigInt>().unwrap()
    );
    j["preconditions"]["basefee"] = json!(1.5);
    assert!(matches!(parse(&j), Err(VectorError::Json(m)) if m.contains("integer")));
}

#[test]
fn malformed_json_is_a_json_error() {
    let e = TestVector::from_json(b"{\"class\": \"message\",").unwrap_err();
    assert!(matches!(e, VectorError::Json(_)), "{e}");
    let mut j = base();
    j.as_object_mut().unwrap().remove("postconditions");
    let e = parse(&j).unwrap_err();
    assert!(
        matches!(&e, VectorError::Json(m) if m.contains("postconditions")),
        "{e}"
    );
}

#[test]
fn bad_base64_is_reported() {
    let mut j = base();
    j["apply_messages"][0]["bytes"] = json!("not base64!!");
    let e = parse(&j).unwrap_err();
    assert!(
        matches!(&e, VectorError::Json(m) if m.contains("base64")),
        "{e}"
    );
}

#[test]
fn bad_cid_is_reported() {
    let mut j = base();
    j["preconditions"]["state_tree"]["root_cid"] = json!({"/": "bafynot-a-cid"});
    let e = parse(&j).unwrap_err();
    assert!(
        matches!(&e, VectorError::Json(m) if m.contains("CID")),
        "{e}"
    );
}

#[test]
fn bad_gzip_is_reported() {
    let mut j = base();
    j["car"] = json!(b64(b"plainly not gzip"));
    let v = parse(&j).unwrap();
    let e = v.load_car(&MemoryBlockstore::new()).unwrap_err();
    assert!(matches!(e, VectorError::Gzip(_)), "{e}");
    // The runner turns it into a failed variant, not a panic.
    let out = run_vector(&v, &RunOptions::default());
    assert!(matches!(&out[0].result, VariantResult::Failed(m) if m[0].field == "setup"));
}

#[test]
fn bad_car_is_reported() {
    let mut j = base();
    j["car"] = json!(b64(&gzip(b"\x05hello, not a CAR")));
    let e = parse(&j)
        .unwrap()
        .load_car(&MemoryBlockstore::new())
        .unwrap_err();
    assert!(matches!(e, VectorError::Car(_)), "{e}");

    // A block whose bytes do not hash to its CID.
    let block = b"\x82\x01\x02".to_vec();
    let wrong = cbor_cid(b"something else");
    let car = write_car(vec![wrong], [(&wrong, block.as_slice())]).unwrap();
    j["car"] = json!(b64(&gzip(&car)));
    let e = parse(&j)
        .unwrap()
        .load_car(&MemoryBlockstore::new())
        .unwrap_err();
    assert!(matches!(e, VectorError::Car(_)), "{e}");
}

#[test]
fn inconsistent_vectors_are_malformed() {
    let mut j = base();
    j["postconditions"]["receipts"] = json!([]);
    assert!(matches!(parse(&j), Err(VectorError::Malformed(m)) if m.contains("receipts")));
    let mut j = base();
    j["randomness"] = json!([{"on": {"kind": "chain", "epoch": 3}, "ret": b64(&[1; 31])}]);
    assert!(matches!(parse(&j), Err(VectorError::Malformed(m)) if m.contains("32")));
    let mut j = base();
    j["randomness"] = json!([{"on": {"kind": "lunar", "epoch": 3}, "ret": b64(&[1; 32])}]);
    assert!(matches!(parse(&j), Err(VectorError::Json(_))));
}

#[test]
fn other_classes_are_unsupported_and_count_as_skipped() {
    let mut j = base();
    j["class"] = json!("tipset");
    assert!(matches!(parse(&j), Err(VectorError::Unsupported(_))));
    let path = std::env::temp_dir().join(format!("fern-unit-tipset-{}.json", std::process::id()));
    std::fs::write(&path, j.to_string()).unwrap();
    let out = run_file(&path, &RunOptions::default());
    std::fs::remove_file(&path).unwrap();
    assert_eq!(out.counts(), (0, 0, 1));
    assert!(out.failure_lines().is_empty());
}

#[test]
fn unreadable_file_is_one_failure_with_a_line() {
    let out = run_file(
        std::path::Path::new("/nonexistent/fern.json"),
        &RunOptions::default(),
    );
    assert_eq!(out.counts(), (0, 1, 0));
    let lines = out.failure_lines();
    assert_eq!(lines.len(), 1);
    assert!(lines[0].contains("/nonexistent/fern.json"), "{}", lines[0]);
}

#[test]
fn unsupported_network_version_is_skipped_and_bad_state_fails_cleanly() {
    let mut j = base();
    j["preconditions"]["variants"] = json!([
        {"id": "old", "epoch": 1, "nv": 12},
        {"id": "now", "epoch": 1, "nv": 21},
    ]);
    let out = run_vector(&parse(&j).unwrap(), &RunOptions::default());
    assert!(matches!(&out[0].result, VariantResult::Skipped(r) if r.contains("12")));
    // The pre-state root is a lone block, not a state tree: a setup failure, not a panic.
    assert!(
        matches!(&out[1].result, VariantResult::Failed(m) if m[0].field == "setup"),
        "{:?}",
        out[1].result
    );
}

#[test]
fn bundle_inspect_reads_a_manifest_and_rejects_garbage() {
    let code_a = b"\0asm fake a".to_vec();
    let code_b = b"\0asm fake bb".to_vec();
    let raw = |d: &[u8]| Cid::new_v1(0x55, Code::Blake2b256.digest(d));
    let (ca, cb) = (raw(&code_a), raw(&code_b));
    let list =
        fvm_ipld_encoding::to_vec(&vec![("alpha".to_string(), ca), ("beta".to_string(), cb)])
            .unwrap();
    let list_cid = cbor_cid(&list);
    let root = fvm_ipld_encoding::to_vec(&(1u32, list_cid)).unwrap();
    let root_cid = cbor_cid(&root);
    // "beta"'s code is left out of the CAR.
    let car = write_car(
        vec![root_cid],
        [
            (&root_cid, root.as_slice()),
            (&list_cid, list.as_slice()),
            (&ca, code_a.as_slice()),
        ],
    )
    .unwrap();
    for data in [car.clone(), gzip(&car)] {
        let info = bundle::inspect(data).unwrap();
        assert_eq!(info.version, 1);
        assert_eq!(info.root, root_cid);
        let names: Vec<_> = info.actors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["alpha", "beta"]);
        assert_eq!(info.actors[0].code, ca);
        assert_eq!(info.actors[0].size, Some(code_a.len()));
        assert_eq!(info.actors[1].size, None);
    }
    assert!(matches!(
        bundle::inspect(b"junk".to_vec()),
        Err(VectorError::Car(_))
    ));
    // A CAR whose root is not a manifest.
    let car = write_car(vec![list_cid], [(&list_cid, list.as_slice())]).unwrap();
    assert!(matches!(
        bundle::inspect(car),
        Err(VectorError::Malformed(_))
    ));
}

#[test]
fn actor_diff_names_the_actor_and_field() {
    use fern::machine::StateTree;
    use fern_shared::econ::TokenAmount;
    use fern_shared::state::{ActorState, StateTreeVersion};
    let store = MemoryBlockstore::new();
    let code = cbor_cid(b"code");
    let head = cbor_cid(b"head");
    let mut tree = StateTree::new(&store, StateTreeVersion::V5).unwrap();
    tree.set_actor(
        1000,
        ActorState::new(code, head, TokenAmount::from_atto(7), 1, None),
    );
    tree.set_actor(
        1001,
        ActorState::new(code, head, TokenAmount::from_atto(1), 0, None),
    );
    let before = tree.flush().unwrap();
    tree.set_actor(
        1000,
        ActorState::new(code, head, TokenAmount::from_atto(9), 1, None),
    );
    tree.delete_actor(1001);
    let after = tree.flush().unwrap();
    let diff = fern_conformance::runner::actor_diff(&store, &before, &after);
    assert!(diff.contains("actor 1000: balance 7 vs 9"), "{diff}");
    assert!(diff.contains("actor 1001 missing"), "{diff}");
    let missing = fern_conformance::runner::actor_diff(&store, &cbor_cid(b"nowhere"), &after);
    assert!(missing.contains("not in the vector's CAR"), "{missing}");
}

#[test]
fn big_integers_are_read_exactly_and_written_as_numbers() {
    // A circulating supply above u64::MAX, as a JSON number literal (how ref-fvm's runner and
    // the published vectors write it): every digit must survive.
    let text = base().to_string().replace(
        "\"basefee\":100",
        "\"basefee\":100,\"circ_supply\":1234567890123456789012345678",
    );
    assert!(text.contains("1234567890123456789012345678"), "{text}");
    let v = TestVector::from_json(text.as_bytes()).unwrap();
    let want: BigInt = "1234567890123456789012345678".parse().unwrap();
    assert_eq!(v.preconditions.circ_supply.as_ref().unwrap().0, want);
    // Written back as a bare number, not a string.
    let out = v.to_json();
    assert!(
        out.contains("\"circ_supply\": 1234567890123456789012345678"),
        "{out}"
    );
    // Strings and integral floats are read too; fractions and garbage are errors.
    for (value, ok) in [
        ("\"77\"", Some(77)),
        ("7.7e1", Some(77)),
        ("77.5", None),
        ("\"7x\"", None),
        ("true", None),
    ] {
        let text = base()
            .to_string()
            .replace("\"basefee\":100", &format!("\"basefee\":{value}"));
        match (TestVector::from_json(text.as_bytes()), ok) {
            (Ok(v), Some(n)) => assert_eq!(v.preconditions.basefee.unwrap().0, BigInt::from(n)),
            (Err(VectorError::Json(_)), None) => {}
            (other, _) => panic!("basefee {value}: {other:?}"),
        }
    }
}

#[test]
fn randomness_rules_in_every_published_form() {
    let digest = b64(&[7; 32]);
    for (on, epoch) in [
        (json!(["chain", 42]), 42),                     // ref-fvm's runner
        (json!(["chain", 42, null, null]), 42),         // the Go schema's four slots
        (json!(["chain", 9, 42, b64(b"entropy")]), 42), // legacy: kind, dst, epoch, entropy
        (json!({"kind": "chain", "epoch": 42}), 42),    // object form
    ] {
        let mut j = base();
        j["randomness"] = json!([{"on": on, "ret": digest}]);
        let v = parse(&j).unwrap_or_else(|e| panic!("{on}: {e}"));
        assert_eq!(v.randomness[0].on.epoch, epoch, "{on}");
        let (chain, beacon) = v.randomness_maps();
        assert_eq!(chain.get(&42), Some(&[7; 32]), "{on}");
        assert!(beacon.is_empty());
        // Written in ref-fvm's form.
        assert!(
            v.to_json()
                .contains("\"on\": [\n        \"chain\",\n        42\n      ]"),
            "{}",
            v.to_json()
        );
    }
    for bad in [
        json!(["chain"]),
        json!(["chain", "x"]),
        json!(["chain", 1, 2]),
        json!(["moon", 1]),
    ] {
        let mut j = base();
        j["randomness"] = json!([{"on": bad, "ret": digest}]);
        assert!(matches!(parse(&j), Err(VectorError::Json(_))), "{bad}");
    }
}

#[test]
fn vectors_without_variants_are_skipped() {
    // Vectors from before network versions were recorded give an epoch only.
    let mut j = base();
    j["preconditions"] = json!({
        "epoch": 0,
        "state_tree": j["preconditions"]["state_tree"].clone(),
    });
    let v = parse(&j).unwrap();
    let outcomes = run_vector(&v, &RunOptions::default());
    assert_eq!(outcomes.len(), 1);
    assert!(
        matches!(&outcomes[0].result, VariantResult::Skipped(r) if r.contains("no variants")),
        "{:?}",
        outcomes[0].result
    );
}

#[test]
fn selectors_for_missing_capabilities_are_skipped() {
    for (key, word) in [
        ("chaos_actor", "chaos actor"),
        ("requires:consensus_fault_extern", "consensus-fault"),
    ] {
        let mut j = base();
        j["selector"] = json!({ key: "true" });
        let v = parse(&j).unwrap();
        let outcomes = run_vector(&v, &RunOptions::default());
        assert!(
            matches!(&outcomes[0].result, VariantResult::Skipped(r) if r.contains(word)),
            "{key}: {:?}",
            outcomes[0].result
        );
        // "false" asks for nothing: the vector runs (and fails: its state is no state tree).
        j["selector"] = json!({ key: "false" });
        let v = parse(&j).unwrap();
        let outcomes = run_vector(&v, &RunOptions::default());
        assert!(
            matches!(outcomes[0].result, VariantResult::Failed(_)),
            "{key}"
        );
    }
}
