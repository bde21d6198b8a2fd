#!/usr/bin/env bash
# `mergelab sweep` and `mergelab evolve` on the digits fixtures.
set -euo pipefail
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
models="$MERGELAB_TEST_DATA/digits/models"
data="$MERGELAB_TEST_DATA/digits/data"
cat > "$out/ta.yml" <<YAML
merge_method: task_arithmetic
base_model: $models/base
models:
  - model: $models/ft_task0
  - model: $models/ft_task1
  - model: $models/ft_task2
parameters:
  lambda: 1.0
dtype: float32
YAML
# A lambda sweep finds the optimum of the reference table (0.5-0.7 for the combined accuracy).
"$MERGELAB" sweep "$out/ta.yml" --param lambda=0:1:11 --data "$data" --out "$out/sweep" --threads 2 > "$out/sweep.txt" 2> "$out/sweep.err"
cat "$out/sweep.txt"
python3 - "$out/sweep/sweep.json" "$out/sweep/sweep.csv" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))

best = j.get("best")
assert best is not None, j.keys()
lam = best["params"]["lambda"]
assert lam is not None and 0.5 - 1e-9 <= lam <= 0.7 + 1e-9, best
lines = open(sys.argv[2]).read().strip().splitlines()
assert lines[0].startswith("lambda,") and len(lines) == 12, lines[:2]
print("sweep best lambda", lam)
PY
grep -q "lambda: 0.6" "$out/sweep/best.yml"
# The exported recipe is a valid config: mergelab reads it back.
"$MERGELAB" merge "$out/sweep/best.yml" --print-yaml > /dev/null
# merge --eval scores the merged checkpoint (the built-in evaluator and an external command).
"$MERGELAB" merge "$out/sweep/best.yml" --out "$out/merged" --quiet --eval "$data" \
  --eval-command 'python3 -c "import sys, os; print(\"{\\\"files\\\": %d}\" % len(os.listdir(sys.argv[1])))" {model_dir}' > "$out/merge.txt"
cat "$out/merge.txt"
grep -q "evaluation (test split): task0 96.5% task1 93.5% task2 85.0% combined 91.7%" "$out/merge.txt"
grep -q "external evaluation: files=4" "$out/merge.txt"
set +e
"$MERGELAB" merge "$out/sweep/best.yml" --out "$out/merged2" --quiet --eval-command 'exit 3' > /dev/null 2> "$out/err.txt"; rc=$?
set -e
[ "$rc" -eq 1 ] && grep -q "external evaluator failed" "$out/err.txt"
# Existing results are not overwritten without --force.
if "$MERGELAB" sweep "$out/ta.yml" --param lambda=0:1:3 --data "$data" --out "$out/sweep" 2> "$out/err.txt" > /dev/null; then
  echo "expected a refusal"; exit 1; fi
grep -q "exists (use --force" "$out/err.txt"

# CMA-ES over the three weights reaches at least the best grid point's validation score.
"$MERGELAB" evolve "$out/ta.yml" --data "$data" --budget 300 --seed 0 --out "$out/evolve" > "$out/evolve.txt" 2> "$out/evolve.err"
cat "$out/evolve.txt"
python3 - "$out/sweep/sweep.json" "$out/evolve/evolve.json" <<'PY'
import json, sys
sweep = json.load(open(sys.argv[1]))
evolve = json.load(open(sys.argv[2]))
grid_best = sweep["best"]["metrics"]["objective"]
assert evolve["objective"] >= grid_best - 1e-12, (evolve["objective"], grid_best)
assert evolve["evaluations"] <= 300
print("evolve", evolve["objective"], ">= grid", grid_best)
PY
grep -q "^gen " "$out/evolve.err"
"$MERGELAB" merge "$out/evolve/best.yml" --print-yaml > /dev/null

# Bad input: one clear error, exit 2.
for bad in "--param nope=0:1:3 --data $data" "--param lambda=0:1:3" "--param weight@7=0:1:3 --data $data" "--param normalize=0:2:3 --data $data"; do
  set +e
  "$MERGELAB" sweep "$out/ta.yml" $bad > /dev/null 2> "$out/err.txt"; rc=$?
  set -e
  [ "$rc" -eq 2 ] || { echo "sweep $bad: exit $rc"; cat "$out/err.txt"; exit 1; }
  [ "$(wc -l < "$out/err.txt")" -eq 1 ] || { echo "sweep $bad: expected one line"; cat "$out/err.txt"; exit 1; }
done
# Search bounds are checked against the hard limits, not the slider range: weight 3 is a valid mergekit value.
"$MERGELAB" sweep "$out/ta.yml" --param weight@0=0:3:4 --data "$data" > "$out/wide.txt" 2> /dev/null
grep -q "^best: weight@0=" "$out/wide.txt" || { cat "$out/wide.txt"; exit 1; }
# Methods whose base is optional: a sweep point of a nuslerp recipe without base_model scores exactly what
# `mergelab merge` writes for it (the in-memory merge must not take the first model as the origin).
cat > "$out/nuslerp.yml" <<YAML
merge_method: nuslerp
models:
  - model: $models/ft_task0
    parameters: {weight: 0.3}
  - model: $models/ft_task1
    parameters: {weight: 0.7}
dtype: float32
YAML
"$MERGELAB" sweep "$out/nuslerp.yml" --param weight@1=0.7:0.7:1 --data "$data" --tune-split test --out "$out/nus" --threads 1 > /dev/null
"$MERGELAB" merge "$out/nuslerp.yml" --out "$out/nus_merged" --quiet
"$MERGELAB" eval "$out/nus_merged" --data "$data" --split test --json > "$out/nus_eval.json"
python3 - "$out/nus/sweep.json" "$out/nus_eval.json" <<'PY'
import json, sys
sweep, direct = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
got = sweep["best"]["metrics"]
for key in ("task0", "task1", "task2", "combined"):
    assert abs(got[key + ".acc"] - direct[key]["acc"]) < 1e-12, (key, got, direct)
    assert abs(got[key + ".loss"] - direct[key]["loss"]) < 1e-6, (key, got, direct)
got, want = got["combined.acc"], direct["combined"]["acc"]
print("nuslerp without a base: sweep", got, "= merge + eval", want)
PY
set +e
"$MERGELAB" evolve "$out/missing.yml" --data "$data" > /dev/null 2> "$out/err.txt"; rc=$?
set -e
[ "$rc" -ne 0 ] && grep -q "missing.yml" "$out/err.txt"
echo "1 passed, 0 failed"
