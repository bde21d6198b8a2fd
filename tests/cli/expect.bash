# Sourced by the CLI tests (needs $MERGELAB and $out).
# expect_merge_error CONFIG PATTERN: `mergelab merge CONFIG` fails with exit status 1 and exactly one error line
# matching "^mergelab merge: error: PATTERN", and leaves no output folder behind.
expect_merge_error() {
  local rc
  set +e
  "$MERGELAB" merge "$1" --out "$out/bad" 2> "$out/err.txt"; rc=$?
  set -e
  [ "$rc" -eq 1 ] || { echo "merge $1: exit $rc, expected 1"; cat "$out/err.txt"; exit 1; }
  [ "$(wc -l < "$out/err.txt")" -eq 1 ] || { echo "merge $1: expected one error line"; cat "$out/err.txt"; exit 1; }
  grep -q "^mergelab merge: error: $2" "$out/err.txt" || { echo "merge $1: unexpected message"; cat "$out/err.txt"; exit 1; }
  [ ! -e "$out/bad" ] || { echo "merge $1: left an output folder"; exit 1; }
}
