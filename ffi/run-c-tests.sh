#!/usr/bin/env bash
# ffi/run-c-tests.sh: the C test suite of Fern's C interface (ffi/tests/c).
#
# Builds libfern_ffi and the fixture example, writes the fixture (corpus cases with the results
# Fern's Rust API gives for them) to a temporary directory, compiles ffi/tests/c with
# `gcc -std=c11 -Wall -Wextra -Werror`, runs it, then checks memory:
#
#   - under valgrind (memcheck, leak check) when valgrind can host Fern's Wasm engine;
#   - it cannot on x86-64 today: the engine's pooling allocator reserves about 4.2 TiB of
#     address space up front (1,064 instance slots of a 4 GiB memory reservation plus guard
#     regions) and valgrind's address-space manager offers a client at most 64 GiB
#     (valgrind 3.19), so fern_executor_new fails with FATAL "mmap failed to reserve
#     0x43052000000 bytes" under valgrind. The script probes for that; when it happens,
#     valgrind still runs the checks that need no engine (configuration and NULL-pointer
#     errors), and the whole suite runs again built with AddressSanitizer, whose
#     LeakSanitizer also sees the Rust library's allocations (Rust uses the system malloc).
#
# Run from anywhere; prints PASS/FAIL lines and ends with one line "N passed, M failed".
# Exit status: 0 when everything passed.
set -uo pipefail
cd "$(dirname "$0")/.."

TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
LIB="$TARGET_DIR/release/libfern_ffi.a"
LIBS=(-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc)
CFLAGS=(-std=c11 -Wall -Wextra -Werror -g -I ffi/include -I ffi/tests/c)
SOURCES=(ffi/tests/c/fern_test.c ffi/tests/c/host.c)
VALGRIND=(valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
  --error-exitcode=99 --smc-check=all-non-file)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fern-c-tests.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FIXTURE="$WORK/fixture"

passed=0
failed=0
pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}
# Shows the last lines of a log, indented.
show() { tail -n "${2:-20}" "$1" | sed 's/^/    /'; }

# The summary line of a fern_test run: "fern_test summary: N passed, M failed".
summary_of() { grep -E '^fern_test summary: [0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1; }

# 1. Build.
if cargo build --release --quiet -p fern_ffi --lib --examples >"$WORK/build.log" 2>&1; then
  pass "build: libfern_ffi and the fixture example"
else
  fail "build: cargo build --release -p fern_ffi --lib --examples"
  show "$WORK/build.log" 40
  finish
fi

# 2. Fixture.
if cargo run --release --quiet -p fern_ffi --example fixture -- "$FIXTURE" >"$WORK/fixture.log" 2>&1 \
  && [ -s "$FIXTURE/cases.txt" ]; then
  pass "fixture: $(tail -n 1 "$WORK/fixture.log")"
else
  fail "fixture: cargo run --release -p fern_ffi --example fixture"
  show "$WORK/fixture.log" 40
  finish
fi

# 3. Compile.
if gcc "${CFLAGS[@]}" -O2 "${SOURCES[@]}" "$LIB" "${LIBS[@]}" -o "$WORK/fern_test" \
  >"$WORK/gcc.log" 2>&1; then
  pass "compile: gcc -std=c11 -Wall -Wextra -Werror (static libfern_ffi.a)"
else
  fail "compile: gcc -std=c11 -Wall -Wextra -Werror"
  show "$WORK/gcc.log" 40
  finish
fi

# 4. The suite: its PASS/FAIL lines count one each.
timeout 300 "$WORK/fern_test" "$FIXTURE" >"$WORK/run.log" 2>"$WORK/run.err"
rc=$?
grep -E '^(PASS|FAIL) ' "$WORK/run.log"
passed=$((passed + $(grep -c '^PASS ' "$WORK/run.log")))
failed=$((failed + $(grep -c '^FAIL ' "$WORK/run.log")))
if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$WORK/run.log"; then
  fail "fern_test exited with status $rc without a failing check (crash or timeout)"
  show "$WORK/run.err" 30
fi
if [ -z "$(summary_of "$WORK/run.log")" ]; then
  fail "fern_test printed no summary line"
fi

# 4b. The README's minimal host (ffi/tests/c/minimal.c): the first message of the transfers case.
CASE="$FIXTURE/transfers_create_accounts--nv28"
field() { grep -m1 "^$1 " "$CASE/case.txt" | cut -d' ' -f2-; }
if gcc "${CFLAGS[@]}" -O2 ffi/tests/c/minimal.c "$LIB" "${LIBS[@]}" -o "$WORK/minimal" \
  >"$WORK/gcc-minimal.log" 2>&1; then
  msg=$(field msg)
  want=$(field expect | tr ' ' '\n' | grep -E '^(exit|gas_used)=' | tr '\n' ' ')
  got=$("$WORK/minimal" "$CASE/blocks.bin" "$(field nv)" "$(field epoch)" "$(field state_root)" \
    "$(field manifest)" "${msg%% *}" "${msg##* }" 2>"$WORK/minimal.err")
  if [ "${got% root=*} " = "$want" ] && [[ "$got" == *" root=01"* ]]; then
    pass "minimal host: $got"
  else
    fail "minimal host: got '$got', want '$want'"
    show "$WORK/minimal.err" 10
  fi
else
  fail "minimal host: does not compile"
  show "$WORK/gcc-minimal.log" 20
fi

# 5. Memory.
# Runs the AddressSanitizer/LeakSanitizer build of the whole suite.
asan_run() {
  if ! gcc "${CFLAGS[@]}" -O1 -fsanitize=address -fno-omit-frame-pointer "${SOURCES[@]}" "$LIB" \
    "${LIBS[@]}" -o "$WORK/fern_test_asan" >"$WORK/gcc-asan.log" 2>&1; then
    fail "AddressSanitizer: the suite does not compile with -fsanitize=address"
    show "$WORK/gcc-asan.log" 20
    return
  fi
  ASAN_OPTIONS=detect_leaks=1:exitcode=98:abort_on_error=0 \
    timeout 300 "$WORK/fern_test_asan" "$FIXTURE" >"$WORK/asan.log" 2>"$WORK/asan.err"
  local rc=$? summary
  summary=$(summary_of "$WORK/asan.log")
  if [ "$rc" -eq 0 ] && grep -q ' 0 failed$' <<<"$summary" \
    && ! grep -qE 'ERROR: (Address|Leak)Sanitizer' "$WORK/asan.err"; then
    pass "AddressSanitizer+LeakSanitizer: whole suite (${summary#fern_test summary: }), no invalid reads/writes, no leaks"
  else
    fail "AddressSanitizer+LeakSanitizer: status $rc (${summary:-no summary})"
    grep -E '^FAIL ' "$WORK/asan.log" | sed 's/^/    /'
    grep -E 'ERROR: |SUMMARY: |leak of' "$WORK/asan.err" | head -n 20 | sed 's/^/    /'
  fi
}

# Runs fern_test under valgrind with the given arguments; one check.
valgrind_run() {
  local what=$1 log=$2
  shift 2
  timeout 300 "${VALGRIND[@]}" --log-file="$log.vg" "$WORK/fern_test" "$@" >"$log" 2>&1
  local rc=$? summary leaks errors
  summary=$(summary_of "$log")
  errors=$(grep -E 'ERROR SUMMARY' "$log.vg" | tail -n 1 | sed 's/^==[0-9]*== //')
  leaks=$(grep -E 'definitely lost|indirectly lost|no leaks are possible' "$log.vg" \
    | sed 's/^==[0-9]*== *//' | tr '\n' ' ')
  if [ "$rc" -eq 0 ] && grep -q ' 0 failed$' <<<"$summary"; then
    pass "valgrind, $what (${summary#fern_test summary: }): $errors; ${leaks% }"
  else
    fail "valgrind, $what: status $rc${summary:+ ($summary)}: $errors; ${leaks% }"
    grep -E '^FAIL ' "$log" | sed 's/^/    /'
    grep -E 'Invalid|uninitialised|lost in loss record' "$log.vg" | head -n 20 | sed 's/^/    /'
  fi
}

if command -v valgrind >/dev/null 2>&1; then
  timeout 120 "${VALGRIND[@]}" --log-file="$WORK/probe.vg" "$WORK/fern_test" --probe-engine \
    "$FIXTURE" >"$WORK/probe.log" 2>&1
  if [ $? -eq 0 ]; then
    valgrind_run "whole suite" "$WORK/valgrind.log" "$FIXTURE"
  else
    echo "NOTE valgrind cannot host Fern's Wasm engine here: $(grep -m1 '^probe:' "$WORK/probe.log")"
    echo "NOTE (the engine reserves ~4.2 TiB of address space up front; valgrind's address-space"
    echo "NOTE manager gives a client far less: 64 GiB in valgrind 3.19)."
    echo "NOTE valgrind runs the engine-free checks; the whole suite runs under AddressSanitizer."
    valgrind_run "engine-free checks" "$WORK/valgrind.log" --engine-free "$FIXTURE"
    asan_run
  fi
else
  echo "NOTE valgrind is not installed; memory is checked with AddressSanitizer"
  asan_run
fi

finish
