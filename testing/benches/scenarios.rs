//! Fern against ref-fvm 4.8 on the scenario library, in the same process and run.
//!
//! `cargo bench -p fern_testing --bench scenarios` (add `-- ROUNDS` to change the number of
//! timed rounds, default 5). Every scenario runs once on each VM to warm the module caches, then
//! the whole library is applied ROUNDS times per VM, alternating VMs each round so that machine
//! noise hits both alike. Reported: the best round per VM (wall time, messages per second) and the
//! ratio ref-fvm / Fern (above 1 means Fern is faster), overall and per scenario group.
//! `FERN_BENCH_ONLY=fern` (or `ref`) times one VM alone, for running under a profiler.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use fern_testing::fern_vm::FernVm;
use fern_testing::ref_vm::RefVm;
use fern_testing::scenario::{run, Scenario};
use fern_testing::scenarios::{all, standard_genesis};
use fvm_shared::version::NetworkVersion;

fn time_all(
    scenarios: &[Scenario],
    fern: bool,
    per_group: &mut BTreeMap<String, Duration>,
) -> Duration {
    let mut total = Duration::ZERO;
    for s in scenarios {
        let started = Instant::now();
        let result = if fern {
            run(&mut FernVm::new(s).expect("Fern machine"), s)
        } else {
            run(&mut RefVm::new(s).expect("ref-fvm machine"), s)
        };
        std::hint::black_box(result);
        let took = started.elapsed();
        total += took;
        let group = s.name.split('/').next().unwrap_or("").to_string();
        *per_group.entry(group).or_default() += took;
    }
    total
}

fn bench(rounds: usize) {
    let genesis = standard_genesis();
    let scenarios: Vec<Scenario> = all(&genesis)
        .iter()
        .map(|s| s.at(NetworkVersion::V28))
        .collect();
    let messages: usize = scenarios.iter().map(Scenario::len).sum();
    // Warm-up: compile every actor on both VMs.
    time_all(&scenarios, false, &mut BTreeMap::new());
    time_all(&scenarios, true, &mut BTreeMap::new());

    let mut best = [Duration::MAX; 2];
    let mut best_groups: [BTreeMap<String, Duration>; 2] = Default::default();
    for round in 0..rounds {
        let order = match only() {
            Some(fern) => vec![fern],
            None => vec![round % 2 == 1, round % 2 == 0],
        };
        for fern in order {
            let mut groups = BTreeMap::new();
            let t = time_all(&scenarios, fern, &mut groups);
            let k = fern as usize;
            if t < best[k] {
                best[k] = t;
                best_groups[k] = groups;
            }
        }
    }
    let rate = |d: Duration| messages as f64 / d.as_secs_f64();
    if let Some(fern) = only() {
        let t = best[fern as usize];
        let name = if fern { "Fern" } else { "ref-fvm 4.8" };
        println!(
            "{name} alone: {:.1} ms ({:.0} msg/s), best of {rounds} rounds",
            t.as_secs_f64() * 1e3,
            rate(t)
        );
        return;
    }
    println!(
        "scenario library at nv28: {} scenarios, {messages} messages, best of {rounds} rounds",
        scenarios.len()
    );
    println!(
        "  ref-fvm 4.8: {:>8.1} ms  ({:>7.0} msg/s)",
        best[0].as_secs_f64() * 1e3,
        rate(best[0])
    );
    println!(
        "  Fern:        {:>8.1} ms  ({:>7.0} msg/s)",
        best[1].as_secs_f64() * 1e3,
        rate(best[1])
    );
    println!(
        "  ratio ref-fvm/Fern: {:.2}x",
        best[0].as_secs_f64() / best[1].as_secs_f64()
    );
    println!("  per group (ref-fvm ms, Fern ms, ratio):");
    for (group, r) in &best_groups[0] {
        let f = best_groups[1][group];
        println!(
            "    {group:<10} {:>8.1} {:>8.1}  {:.2}x",
            r.as_secs_f64() * 1e3,
            f.as_secs_f64() * 1e3,
            r.as_secs_f64() / f.as_secs_f64()
        );
    }
}

/// `FERN_BENCH_ONLY=fern` (or `ref`) times one VM only, for profiling it.
fn only() -> Option<bool> {
    match std::env::var("FERN_BENCH_ONLY").ok()?.as_str() {
        "fern" => Some(true),
        "ref" => Some(false),
        _ => None,
    }
}

fn main() {
    let rounds = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(5);
    fern_testing::on_deep_stack(move || bench(rounds));
}
