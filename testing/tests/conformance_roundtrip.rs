//! End to end: scenarios run on ref-fvm 4.8 become test vectors (through the corpus generator,
//! `fern_testing::vectorgen`), which Fern's conformance runner then replays. An honest vector
//! must pass; a vector with one receipt field altered must fail and name that field.

use fern_conformance::vector::Variant;
use fern_conformance::{run_vector, RunOptions, TestVector, VariantResult};
use fern_testing::scenarios::{all, standard_genesis};
use fern_testing::vectorgen::generate;

/// Scenarios turned into vectors: plain transfers, events (events roots) and randomness rules.
const NAMES: &[&str] = &["transfers/basic", "syscalls/events", "syscalls/randomness"];

/// The generator's vector for `scenario`, plus a variant at a network version Fern does not
/// run (which must be skipped, not failed).
fn vector_from_ref_run(scenario: &fern_testing::scenario::Scenario) -> TestVector {
    let mut v = generate(scenario)
        .expect("the generator writes the vector")
        .expect("a 4.x version always gets a vector");
    let epoch = v.preconditions.variants[0].epoch;
    v.preconditions.variants.push(Variant {
        id: "too-old".into(),
        epoch,
        nv: 15,
    });
    v
}

fn vectors() -> Vec<TestVector> {
    let genesis = standard_genesis();
    let scenarios = all(&genesis);
    NAMES
        .iter()
        .map(|name| {
            let s = scenarios
                .iter()
                .find(|s| s.name == *name)
                .unwrap_or_else(|| panic!("no scenario {name}"));
            assert!(!s.actor_debugging, "vectors run without actor debugging");
            // Round-trip through JSON, as a file on disk would.
            let json = vector_from_ref_run(s).to_json();
            TestVector::from_json(json.as_bytes()).expect("the written vector parses")
        })
        .collect()
}

#[test]
fn ref_fvm_vectors_pass_on_fern_and_tampering_is_caught() {
    fern_testing::on_deep_stack(|| {
        let vectors = vectors();
        // The events scenario must really check an events root.
        assert!(vectors.iter().any(|v| v
            .postconditions
            .receipts
            .iter()
            .any(|r| matches!(r.events_root, Some(Some(_))))));
        // The randomness scenario must really carry rules.
        assert!(vectors.iter().any(|v| !v.randomness.is_empty()));

        for v in &vectors {
            let outcomes = run_vector(v, &RunOptions::default());
            assert_eq!(outcomes.len(), 2);
            assert_eq!(outcomes[0].result, VariantResult::Passed, "{:?}", v.id());
            assert!(
                matches!(&outcomes[1].result, VariantResult::Skipped(r) if r.contains("15")),
                "{:?}: {:?}",
                v.id(),
                outcomes[1].result
            );
        }

        // Tampered gas: the runner names message 0 and `gas_used`.
        let mut bad = vectors[0].clone();
        bad.postconditions.receipts[0].gas_used += 1;
        let outcomes = run_vector(&bad, &RunOptions::default());
        let VariantResult::Failed(m) = &outcomes[0].result else {
            panic!("tampered vector passed: {:?}", outcomes[0].result)
        };
        assert_eq!(m[0].message, Some(0));
        assert_eq!(m[0].field, "gas_used");
        assert!(m[0].to_string().contains("gas_used"), "{}", m[0]);

        // Tampered final root: named as `state_root`.
        let mut bad = vectors[0].clone();
        bad.postconditions.state_tree.root_cid = bad.preconditions.state_tree.root_cid;
        let outcomes = run_vector(&bad, &RunOptions::default());
        let VariantResult::Failed(m) = &outcomes[0].result else {
            panic!("tampered root passed")
        };
        assert_eq!(m.len(), 1);
        assert_eq!((m[0].message, m[0].field), (None, "state_root"));

        // One message fewer: the final root differs, and the report says which actors differ
        // and how (the generator puts the actor lists of both states into the CAR).
        let mut bad = vectors[0].clone();
        bad.apply_messages.pop();
        bad.postconditions.receipts.pop();
        let outcomes = run_vector(&bad, &RunOptions::default());
        let VariantResult::Failed(m) = &outcomes[0].result else {
            panic!("shortened vector passed")
        };
        let last = m.last().unwrap();
        assert_eq!(last.field, "state_root");
        assert!(
            last.actual.contains("actor ") && last.actual.contains("balance"),
            "{last}"
        );
        // Without the post-state's blocks the report says it cannot tell.
        let mut bad = bad.clone();
        bad.postconditions.state_tree.root_cid.0 = fern_testing::scenario::tipset_cid(1);
        let outcomes = run_vector(&bad, &RunOptions::default());
        let VariantResult::Failed(m) = &outcomes[0].result else {
            panic!("vector with an unknown root passed")
        };
        assert!(
            m.last().unwrap().actual.contains("not in the vector's CAR"),
            "{}",
            m.last().unwrap()
        );

        // Wrong randomness digest: the randomness scenario no longer matches.
        let mut bad = vectors[2].clone();
        bad.randomness[0].ret.0[0] ^= 1;
        let outcomes = run_vector(&bad, &RunOptions::default());
        assert!(matches!(outcomes[0].result, VariantResult::Failed(_)));
    });
}

#[test]
fn vector_files_run_through_run_file() {
    fern_testing::on_deep_stack(|| {
        let dir = std::env::temp_dir().join(format!("fern-roundtrip-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let all = vectors();
        let v = &all[0];
        // For trying the CLI by hand: `FERN_ROUNDTRIP_OUT=DIR` keeps copies of the vectors.
        if let Some(out) = std::env::var_os("FERN_ROUNDTRIP_OUT") {
            let out = std::path::PathBuf::from(out);
            std::fs::create_dir_all(&out).unwrap();
            for v in &all {
                let name = v.id().unwrap().replace('/', "_");
                std::fs::write(out.join(format!("{name}.json")), v.to_json()).unwrap();
            }
        }
        std::fs::write(dir.join("sub/ok.json"), v.to_json()).unwrap();
        std::fs::write(dir.join("broken.json"), "{\"class\": \"message\"").unwrap();
        let files = fern_conformance::collect_vector_files(std::slice::from_ref(&dir)).unwrap();
        assert_eq!(files.len(), 2);
        let totals = files
            .iter()
            .map(|f| fern_conformance::run_file(f, &RunOptions::default()).counts())
            .fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
        assert_eq!(totals, (1, 1, 1));
        std::fs::remove_dir_all(&dir).unwrap();
    });
}
