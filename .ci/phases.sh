#!/usr/bin/env bash
# `make test`: every phase of the test run, timed. While the release tests run (the GUI tests mostly wait
# on the window), the sanitizer and fuzzer builds compile beside them at a lower priority; the sanitizer
# tests follow, then the fuzzer. Each phase is a target of the Makefile. At the end: one line per phase
# with its wall time, and the tests passed and failed over both builds.
set -uo pipefail
cd "$(dirname "$0")/.."
mk=("${MAKE:-make}" --no-print-directory DEPS_DONE=1)
logs=$(mktemp -d "${TMPDIR:-/tmp}/mergelab-test.XXXXXX")
trap 'rm -rf "$logs"' EXIT
summary=()
t0=$SECONDS

record() {  # record NAME SECONDS RC
  summary+=("$(printf '%-36s %5d s%s' "$1" "$2" "$([ "$3" -eq 0 ] || echo '   FAILED')")")
}
# run_phase NAME COMMAND...: runs COMMAND in the foreground (its output also kept for the test counts).
run_phase() {
  local name=$1 start=$SECONDS rc
  shift
  echo "== $name"
  "$@" 2>&1 | tee -a "$logs/out"
  rc=${PIPESTATUS[0]}
  record "$name" $((SECONDS - start)) $rc
  return $rc
}
# start_bg NAME COMMAND...: runs COMMAND niced in the background, its output into a log; sets $bg.
start_bg() {
  local name=$1
  shift
  echo "== $name: started in the background (niced)"
  ( start=$SECONDS; nice -n 10 "$@" > "$logs/bg" 2>&1; rc=$?
    echo "$((SECONDS - start)) $rc" > "$logs/bg.status" ) &
  bg=$!
}
# wait_bg NAME: waits for the background phase, prints its output and records it.
wait_bg() {
  local secs rc
  wait "$bg"
  read -r secs rc < "$logs/bg.status"
  echo "== $1 (output)"
  cat "$logs/bg"
  record "$1" "$secs" "$rc"
  return "$rc"
}
finish() {
  local passed=0 failed=0 n f
  echo
  echo "== make test: time per phase (wall)"
  printf '%s\n' "${summary[@]}"
  printf '%-36s %5d s\n' "total" $((SECONDS - t0))
  while read -r f n; do passed=$((passed + n - f)); failed=$((failed + f)); done < <(
    sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1 \2/p' "$logs/out" 2>/dev/null)
  echo "tests: $passed passed, $failed failed"
  exit "$1"
}

run_phase "install-deps" "${mk[0]}" --no-print-directory deps || finish 1
run_phase "release build" "${mk[@]}" build || finish 1
start_bg "sanitizer + fuzzer builds" "${mk[@]}" asan-build fuzz-build
run_phase "release tests (all, GUI included)" "${mk[@]}" test-fast
rc=$?
wait_bg "sanitizer + fuzzer builds (beside)" || finish 1
[ $rc -eq 0 ] || finish 1
run_phase "sanitizer tests (unit + CLI)" "${mk[@]}" test-asan-run || finish 1
run_phase "fuzz (7 parsers, 8 s each)" "${mk[@]}" test-fuzz || finish 1
finish 0
