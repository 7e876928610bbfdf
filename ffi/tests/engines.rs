//! Executors of one configuration share an engine: the second compiles nothing. Executors on
//! independent states run in parallel threads and give what they give one after the other.
//! (Its own test binary: the engines are process-wide, so no other test may compile meanwhile.)

mod support;

use fern_ffi::FERN_APPLY_EXPLICIT;
use support::*;

fn run(path: &str) -> (Vec<Applied>, cid::Cid, u64) {
    let v = load_vector(&corpus_dir().join(path));
    let (host, settings) = vector_setup(&v, 0);
    let exec = Exec::new(&settings, &host).unwrap();
    let receipts = v
        .apply_messages
        .iter()
        .map(|m| {
            exec.apply(&m.bytes.0, FERN_APPLY_EXPLICIT, chain_len(&m.bytes.0))
                .unwrap()
        })
        .collect();
    let root = exec.flush().unwrap();
    (receipts, root, exec.compilations())
}

#[test]
fn second_executor_compiles_nothing_and_parallel_runs_agree() {
    let a = "examples/token--nv26.json";
    let b = "transfers/create_accounts--nv28.json";
    let (first, root, compiled) = run(a);
    assert!(
        compiled > 0,
        "the first executor compiled the actors it ran"
    );
    let (again, root_again, compiled_again) = run(a);
    assert_eq!(
        compiled_again, compiled,
        "the second executor compiled something"
    );
    assert_eq!((&again, root_again), (&first, root));

    let (b_seq, b_root, _) = run(b);
    let ta = std::thread::spawn(move || run(a));
    let tb = std::thread::spawn(move || run(b));
    let (pa, pb) = (ta.join().unwrap(), tb.join().unwrap());
    assert_eq!((pa.0, pa.1), (first, root));
    assert_eq!((pb.0, pb.1), (b_seq, b_root));
}
