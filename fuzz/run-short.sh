#!/usr/bin/env bash
# Short bounded runs of every fuzz target, as CI runs them (./scripts/test): builds the targets
# once with cargo fuzz (nightly toolchain, AddressSanitizer), then fuzzes each for
# FERN_FUZZ_SECONDS seconds (default 60) from a fixed seed, starting from the committed seeds
# (seeds/TARGET, read only) and the corpus of earlier runs (target/corpus/TARGET, where new
# inputs go). Any crash, mismatch against ref-fvm, input slower than 30 s or RSS over 4 GiB fails
# the run, and libFuzzer leaves the input in artifacts/TARGET/.
#
# Longer runs: FERN_FUZZ_SECONDS=3600 ./fuzz/run-short.sh [TARGET...], or one target by hand:
#   cargo +nightly fuzz run message target/corpus/message seeds/message -- -max_total_time=3600
#
# FERN_FUZZ_BUILD=fast builds without AddressSanitizer and without comparison tracing
# (into target/fast, so the CI build stays warm): several times more inputs per second,
# for long runs whose point is the number of inputs tried. Panics, mismatches against ref-fvm,
# hangs and memory blow-ups are still caught; invalid memory accesses in unsafe code only if they
# crash. FERN_FUZZ_SEED picks the seed (default 1).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${FERN_FUZZ_SECONDS:-60}"
seed="${FERN_FUZZ_SEED:-1}"
targets=(parsers wasm_module ffi message syscalls)
if [ "$#" -gt 0 ]; then targets=("$@"); fi

case "${FERN_FUZZ_BUILD:-asan}" in
  asan)
    cargo +nightly fuzz build -O
    bin="target/x86_64-unknown-linux-gnu/release"
    ;;
  fast)
    cargo +nightly fuzz build -O -s none --no-trace-compares --target-dir target/fast
    bin="target/fast/x86_64-unknown-linux-gnu/release"
    ;;
  *)
    echo "FERN_FUZZ_BUILD must be asan or fast" >&2
    exit 2
    ;;
esac
for t in "${targets[@]}"; do
  mkdir -p "target/corpus/$t" "artifacts/$t"
  echo "==> fuzz $t (${seconds} s, seed $seed)"
  set +e
  "$bin/$t" "target/corpus/$t" "seeds/$t" -seed="$seed" -max_total_time="$seconds" -timeout=30 \
    -rss_limit_mb=4096 -artifact_prefix="artifacts/$t/" -print_final_stats=1 2>&1 \
    | grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)|ERROR|SUMMARY|panicked|==[0-9]+=='
  status="${PIPESTATUS[0]}"
  set -e
  if [ "$status" -ne 0 ]; then
    echo "fuzz target $t failed (status $status); the input is in fuzz/artifacts/$t/" >&2
    exit 1
  fi
done
echo "==> fuzz: every target ran without a crash"
