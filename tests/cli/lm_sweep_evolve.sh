#!/usr/bin/env bash
# `mergelab sweep` and `mergelab evolve` on the tinylm language-model family: candidates merged in memory and
# scored with the LM evaluator (perplexity minimised), checked against `mergelab merge` + `mergelab eval` at the
# same points.
set -euo pipefail
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
T="$MERGELAB_TEST_DATA/tinylm"
sed "s#\.\./models#$T/models#" "$T/expected/task_arithmetic.yml" > "$out/ta.yml"

# A sweep of the first model's weight on the first 12 documents / items of the test split (the fixture's merge is
# the point weight@0 = 0.5; tests/unit/search/tuning_test.cpp checks it on the whole split against the reference).
"$MERGELAB" sweep "$out/ta.yml" --param weight@0=0:1:3 --data "$T/data" --tune-split test --tasks python,c \
  --max-docs 12 --lm-threads 2 --out "$out/sweep" > "$out/sweep.txt" 2> "$out/sweep.err"
cat "$out/sweep.txt"
grep -q "objective: lower is better" "$out/sweep.txt"
grep -q "^best: weight@0=.*lower is better" "$out/sweep.txt"
grep -q "tokens/s" "$out/sweep.err"
# Each point merged and evaluated on disk by the other commands gives the same metrics.
for w in 0 0.5 1; do
  sed "0,/weight: 0.5/s//weight: $w/" "$out/ta.yml" > "$out/ta_$w.yml"
  "$MERGELAB" merge "$out/ta_$w.yml" --out "$out/merged_$w" --quiet
  "$MERGELAB" eval "$out/merged_$w" --data "$T/data" --split test --tasks python,c --max-docs 12 --json --threads 2 > "$out/eval_$w.json"
done
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
sweep = json.load(open(out + "/sweep/sweep.json"))
assert sweep["best"]["maximize"] is False and sweep["best"]["direction"] == "lower is better", sweep["best"]
rows = {r["params"]["weight@0"]: r["metrics"] for r in sweep["rows"]}
assert sorted(rows) == [0.0, 0.5, 1.0], rows.keys()
for w, name in ((0.0, "0"), (0.5, "0.5"), (1.0, "1")):
    ev = json.load(open(f"{out}/eval_{name}.json"))
    for task in ("python", "c"):
        got, want = rows[w][task + ".ppl"], ev["tasks"][task]["ppl"]["ppl"]
        assert abs(got - want) <= 1e-9 * want, (w, task, got, want)
        assert rows[w][task + ".mc_acc"] == ev["tasks"][task]["mc"]["acc"], (w, task)
    obj = (rows[w]["python.ppl"] + rows[w]["c.ppl"]) / 2
    assert abs(rows[w]["objective"] - obj) <= 1e-12 * obj, (w, rows[w]["objective"], obj)
best = min(rows, key=lambda w: rows[w]["objective"])
assert sweep["best"]["params"]["weight@0"] == best, (sweep["best"], best)
print("sweep rows = merge + eval at every point; best", best)
PY
head -1 "$out/sweep/sweep.csv" | grep -q ",objective_direction$"
sed -n 2p "$out/sweep/sweep.csv" | grep -q ",lower is better$"

# CMA-ES over the three weights improves on the recipe's own point.
"$MERGELAB" evolve "$out/ta.yml" --data "$T/data" --max-docs 3 --population 4 --budget 16 --lm-threads 2 --out "$out/evolve" \
  > "$out/evolve.txt" 2> "$out/evolve.err"
cat "$out/evolve.txt"
grep -q "language model evaluator, objective lower is better" "$out/evolve.err"
python3 - "$out/evolve/evolve.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["direction"] == "lower is better" and j["maximize"] is False, j
assert j["objective"] < j["start_objective"], j
assert j["evaluations"] <= 16, j
print("evolve", j["start_objective"], "->", j["objective"])
PY
"$MERGELAB" merge "$out/evolve/best.yml" --print-yaml > /dev/null

# Ctrl-C stops a sweep: the points done are reported, exit 130.
"$MERGELAB" sweep "$out/ta.yml" --param weight@0=0:1:40 --data "$T/data" --max-docs 3 --lm-threads 1 > "$out/int.txt" 2> "$out/int.err" &
pid=$!
for _ in $(seq 1 600); do grep -q "candidates" "$out/int.err" 2>/dev/null && break; sleep 0.05; done
kill -INT "$pid"
set +e; wait "$pid"; rc=$?; set -e
[ "$rc" -eq 130 ] || { echo "interrupted sweep: exit $rc"; cat "$out/int.err"; exit 1; }
grep -q "cancelled after" "$out/int.err"

# Refusals: exit 2 and one line each.
refused() {
  local rc=0
  "$MERGELAB" sweep "$out/ta.yml" --param weight@0=0:1:3 --data "$T/data" "$@" > /dev/null 2> "$out/err.txt" || rc=$?
  if [ "$rc" -ne 2 ] || [ "$(wc -l < "$out/err.txt")" -ne 1 ]; then echo "sweep $*: exit $rc"; cat "$out/err.txt"; exit 1; fi
}
refused --scope global
refused --objective weighted
refused --metric accuracy
echo "1 passed, 0 failed"
