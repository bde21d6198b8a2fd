#!/usr/bin/env bash
# `mergelab lab`: the table for any alpha/k/p/seed/methods/tasks, and clear errors.
set -euo pipefail
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
"$MERGELAB" lab > "$out/lab.txt"
cat "$out/lab.txt"
# The article's settings reproduce its code's table (04_merge_lab.py).
grep -q "Linear / soup (LERP)  75.7%   68.7%   84.3%   76.2%  <- winner" "$out/lab.txt"
grep -q "DARE-TIES             67.3%   45.7%   69.3%   60.8%" "$out/lab.txt"
grep -q "Recommendation: Linear / soup (LERP) (combined accuracy 76.2%)" "$out/lab.txt"
# alpha = 0 leaves the pretrained vector: every task-vector method scores the same.
"$MERGELAB" lab --alpha 0 --methods task_arithmetic,ties,dare_ties --json > "$out/a0.json"
python3 - "$out/a0.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
assert len({tuple(r["accuracy"]) for r in rows}) == 1, rows
PY
# A single task at alpha 1 is that specialist (99.0% on task 0 in the article's code).
"$MERGELAB" lab --alpha 1 --tasks 0 --methods task_arithmetic | grep -q "Task arithmetic       99.0%"
# Bad arguments: one clear message, exit status 2.
for bad in "--k 0" "--p 1.5" "--methods nope" "--tasks 5" "--alpha x" "--sign-rule vote"; do
  set +e
  "$MERGELAB" lab $bad > /dev/null 2> "$out/err.txt"
  rc=$?
  set -e
  [ "$rc" -eq 2 ] || { echo "lab $bad: exit $rc, expected 2"; exit 1; }
  [ "$(wc -l < "$out/err.txt")" -eq 1 ] || { echo "lab $bad: expected one error line"; cat "$out/err.txt"; exit 1; }
  grep -q "^mergelab lab: error: " "$out/err.txt"
done
echo "1 passed, 0 failed"
