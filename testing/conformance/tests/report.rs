//! The per-variant report: its order, its format, and that it carries what Fern produced.

use std::path::PathBuf;

use cid::Cid;
use fern_conformance::report::report_text;
use fern_conformance::{
    collect_vector_files, run_file, Actuals, FileOutcome, MessageActual, Mismatch, RunOptions,
    TestVector, VariantOutcome, VariantResult, VectorError,
};
use multihash_codetable::{Code, MultihashDigest};
use serde_json::Value;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors");

fn cid(data: &[u8]) -> Cid {
    Cid::new_v1(0x71, Code::Blake2b256.digest(data))
}

fn variant(id: &str, result: VariantResult, actual: Actuals) -> VariantOutcome {
    VariantOutcome {
        variant: id.into(),
        result,
        actual,
    }
}

#[test]
fn lines_are_sorted_by_file_then_variant_and_hold_the_actuals() {
    let root = cid(b"root");
    let events = cid(b"events");
    let ran = Actuals {
        receipts: vec![
            MessageActual {
                exit_code: 0,
                return_data: vec![0x82, 0x00],
                gas_used: 1234,
                events_root: Some(events),
                trace: Vec::new(),
                events: Vec::new(),
                failure_info: None,
                logs: Vec::new(),
            },
            MessageActual {
                exit_code: 16,
                return_data: vec![],
                gas_used: 7,
                events_root: None,
                trace: Vec::new(),
                events: Vec::new(),
                failure_info: None,
                logs: Vec::new(),
            },
        ],
        state_root: Some(root),
    };
    let mismatch = Mismatch {
        message: Some(1),
        field: "gas_used",
        expected: "8".into(),
        actual: "7".into(),
    };
    // Workers finish files in any order, and a vector lists its variants in its own order.
    let outcomes = vec![
        FileOutcome {
            path: PathBuf::from("corpus/b.json"),
            result: Ok(vec![
                variant("nv28", VariantResult::Failed(vec![mismatch]), ran.clone()),
                variant("nv21", VariantResult::Passed, ran.clone()),
                variant(
                    "nv15",
                    VariantResult::Skipped("too old".into()),
                    Actuals::default(),
                ),
            ]),
        },
        FileOutcome {
            path: PathBuf::from("corpus/a.json"),
            result: Err(VectorError::Json("expected value".into())),
        },
        FileOutcome {
            path: PathBuf::from("corpus/c.json"),
            result: Err(VectorError::Unsupported("class \"tipset\"".into())),
        },
    ];
    let receipts = format!(
        r#""receipts":[{{"exit_code":0,"return":"8200","gas_used":1234,"events_root":"{events}"}},{{"exit_code":16,"return":"","gas_used":7,"events_root":null}}],"state_root":"{root}""#
    );
    let want = [
        r#"{"file":"corpus/a.json","result":"failed","reason":"invalid vector JSON: expected value"}"#.to_string(),
        r#"{"file":"corpus/b.json","variant":"nv15","result":"skipped","reason":"too old","receipts":[],"state_root":null}"#.to_string(),
        format!(r#"{{"file":"corpus/b.json","variant":"nv21","result":"passed",{receipts}}}"#),
        format!(
            r#"{{"file":"corpus/b.json","variant":"nv28","result":"failed","mismatches":["message 1: gas_used: expected 8, got 7"],{receipts}}}"#
        ),
        r#"{"file":"corpus/c.json","result":"skipped","reason":"unsupported vector: class \"tipset\""}"#.to_string(),
    ];
    let text = report_text(&outcomes);
    assert_eq!(text, want.join("\n") + "\n");
    // Any order of the outcomes gives the same bytes.
    let mut reversed = outcomes.clone();
    reversed.reverse();
    assert_eq!(report_text(&reversed), text);
    for line in text.lines() {
        serde_json::from_str::<Value>(line).unwrap();
    }
}

/// The corpus's vector files, sorted.
fn corpus_files() -> Vec<PathBuf> {
    collect_vector_files(&[PathBuf::from(CORPUS)]).expect("the test-vectors directory")
}

fn hex(b: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(b)
}

/// Runs `f` on a thread with a deep stack (nested actor calls recurse on the host stack).
fn deep<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn report_of_corpus_vectors_is_repeatable_and_equals_their_postconditions() {
    let files: Vec<PathBuf> = corpus_files().into_iter().step_by(10).collect();
    assert!(
        !files.is_empty(),
        "no vectors in {CORPUS}: the corpus has not been generated"
    );
    let (first, second) = deep({
        let files = files.clone();
        move || {
            let run = || -> Vec<FileOutcome> {
                files
                    .iter()
                    .map(|f| run_file(f, &RunOptions::default()))
                    .collect()
            };
            (run(), run())
        }
    });
    let text = report_text(&first);
    assert_eq!(text, report_text(&second));
    let mut passed = 0;
    for line in text.lines() {
        let line: Value = serde_json::from_str(line).unwrap();
        let path = PathBuf::from(line["file"].as_str().unwrap());
        assert!(files.contains(&path), "{path:?}");
        if line["result"] != "passed" {
            continue; // the corpus test reports failures; here only the actuals matter
        }
        passed += 1;
        let vector = TestVector::from_json(&std::fs::read(&path).unwrap()).unwrap();
        let post = &vector.postconditions;
        assert_eq!(
            line["state_root"],
            post.state_tree.root_cid.0.to_string(),
            "{path:?}"
        );
        let receipts = line["receipts"].as_array().unwrap();
        assert_eq!(receipts.len(), post.receipts.len());
        for (got, want) in receipts.iter().zip(&post.receipts) {
            assert_eq!(got["exit_code"], want.exit_code);
            assert_eq!(got["return"], hex(&want.return_data.0));
            assert_eq!(got["gas_used"], want.gas_used);
            if let Some(events) = want.events_root {
                let want = events.map_or(Value::Null, |c| Value::from(c.0.to_string()));
                assert_eq!(got["events_root"], want);
            }
        }
    }
    assert!(passed > 0, "no sampled corpus vector passed");
}
