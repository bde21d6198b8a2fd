#!/usr/bin/env bash
# `mergelab path`, `plane`, `landscape`, `maps`: path and plane points equal `mergelab merge` of the matching linear,
# slerp and task-arithmetic recipes scored by `mergelab eval`; the barrier verdict on the digits fixture pairs; the
# landscape's centre is the model; maps' cosines; --help and clear errors.
set -euo pipefail
: "${MERGELAB:?path of the mergelab binary}" "${MERGELAB_TEST_DATA:?tests/data}"
D="$MERGELAB_TEST_DATA/digits"
M="$D/models"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# same_as_eval CSV KEY=VALUE... EVAL_JSON: the CSV row whose KEY columns equal the values holds eval's numbers.
same_as_eval() {
  python3 - "$@" <<'EOF2'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
keys = dict(a.split("=", 1) for a in sys.argv[2:-1])
ref = json.load(open(sys.argv[-1]))
match = [r for r in rows if all(float(r[k]) == float(v) for k, v in keys.items())]
assert len(match) == 1, ("no single row for", keys)
row = match[0]
tasks = [k for k in ref if k not in ("all", "combined")]
assert tasks, ref
for t in tasks:
    assert float(row[t + ".acc"]) == ref[t]["acc"], (t, row[t + ".acc"], ref[t]["acc"])
    assert abs(float(row[t + ".loss"]) - ref[t]["loss"]) <= 1e-9, (t, row[t + ".loss"], ref[t]["loss"])
assert float(row["combined.acc"]) == ref["combined"]["acc"], (row["combined.acc"], ref["combined"])
assert abs(float(row["combined.loss"]) - ref["combined"]["loss"]) <= 1e-9, (row["combined.loss"], ref["combined"])
EOF2
}

merge_and_eval() {  # CONFIG NAME -> $tmp/NAME.json
  "$MERGELAB" merge "$1" --out "$tmp/$2" --quiet > /dev/null
  "$MERGELAB" eval "$tmp/$2" --data "$D/data" --json > "$tmp/$2.json"
}

# 1. path: LERP at t = 0.25 is the linear merge with weights 0.75, 0.25; SLERP at t = 0.5 the slerp recipe.
"$MERGELAB" path "$M/ft_task0" "$M/ft_task1" --data "$D/data" --points 5 --refine 2 --csv > "$tmp/lerp.csv" 2> "$tmp/lerp.err"
[ "$(head -1 "$tmp/lerp.csv")" = "t,refined,task0.acc,task0.loss,task1.acc,task1.loss,task2.acc,task2.loss,combined.acc,combined.loss" ] ||
  fail "path CSV header: $(head -1 "$tmp/lerp.csv")"
[ "$(wc -l < "$tmp/lerp.csv")" -eq 8 ] || fail "path CSV: 5 grid + 2 refined points expected"
grep -q "^path: 7/7 points, " "$tmp/lerp.err" || fail "path progress on stderr: $(cat "$tmp/lerp.err")"
cat > "$tmp/linear.yml" <<YAML
merge_method: linear
models:
  - model: $M/ft_task0
    parameters: {weight: 0.75}
  - model: $M/ft_task1
    parameters: {weight: 0.25}
dtype: float32
YAML
merge_and_eval "$tmp/linear.yml" linear
same_as_eval "$tmp/lerp.csv" t=0.25 refined=0 "$tmp/linear.json" || fail "LERP t = 0.25 differs from the linear merge"

"$MERGELAB" path "$M/ft_task0" "$M/ft_task1" --data "$D/data" --points 3 --refine 0 --method slerp --csv > "$tmp/slerp.csv" 2> /dev/null
cat > "$tmp/slerp.yml" <<YAML
merge_method: slerp
base_model: $M/ft_task0
models:
  - model: $M/ft_task0
  - model: $M/ft_task1
parameters:
  t: 0.5
dtype: float32
YAML
merge_and_eval "$tmp/slerp.yml" slerp
same_as_eval "$tmp/slerp.csv" t=0.5 "$tmp/slerp.json" || fail "SLERP t = 0.5 differs from the slerp merge"

# 2. plane: two cells (one with a and b that are not binary fractions) against task-arithmetic merges.
"$MERGELAB" plane "$M/base" "$M/ft_task0" "$M/ft_task1" --data "$D/data" --range -0.3:0.9,0:1.5 --grid 5 --csv \
  > "$tmp/plane.csv" 2> /dev/null
[ "$(wc -l < "$tmp/plane.csv")" -eq 26 ] || fail "plane CSV: 25 cells expected"
for cell in 8 20; do  # (a, b) = (0.6, 0.375) and (-0.3, 1.5): rows ib * 5 + ia, a and b copied as printed
  set -- $(awk -F, -v row=$((cell + 2)) 'NR == row { print $1, $2 }' "$tmp/plane.csv")
  cat > "$tmp/ta.yml" <<YAML
merge_method: task_arithmetic
base_model: $M/base
models:
  - model: $M/ft_task0
    parameters: {weight: $1}
  - model: $M/ft_task1
    parameters: {weight: $2}
parameters:
  lambda: 1.0
dtype: float32
YAML
  merge_and_eval "$tmp/ta.yml" "ta_$1_$2"
  same_as_eval "$tmp/plane.csv" "a=$1" "b=$2" "$tmp/ta_$1_$2.json" || fail "plane cell ($1, $2) differs from task arithmetic"
done
# The plane's JSON: task arithmetic's marker sits on the plane at (1, 1).
"$MERGELAB" plane "$M/base" "$M/ft_task0" "$M/ft_task1" --data "$D/data" --grid 2 --json > "$tmp/plane.json" 2> /dev/null
python3 - "$tmp/plane.json" <<'EOF2' || fail "plane markers"
import json, sys
j = json.load(open(sys.argv[1]))
assert len(j["cells"]) == 4 and j["a_values"] == [-0.5, 1.5], j["a_values"]
m = {x["name"]: x for x in j["markers"]}
assert abs(m["task_arithmetic"]["a"] - 1) < 1e-5 and abs(m["task_arithmetic"]["b"] - 1) < 1e-5, m["task_arithmetic"]
assert m["task_arithmetic"]["relative_distance"] < 1e-5
assert m["model_i"]["a"] == 1 and m["model_i"]["b"] == 0
assert {"ties", "dare_ties", "slerp", "linear"} <= set(m), sorted(m)
EOF2

# 3. the barrier verdicts on the fixture pairs
for pair in "ft_task0 ft_task1 False" "multitask diffinit_multitask True"; do
  set -- $pair
  "$MERGELAB" path "$M/$1" "$M/$2" --data "$D/data" --json > "$tmp/barrier.json" 2> /dev/null
  python3 - "$tmp/barrier.json" "$3" <<'EOF2' || fail "barrier $1 <-> $2"
import json, sys
b = json.load(open(sys.argv[1]))["barrier"]
assert b["valid"] and str(b["present"]) == sys.argv[2], b
assert b["threshold"] == 0.1 * (abs(b["start"]) + abs(b["end"])) / 2, b
assert ("no barrier" in b["verdict"]) == (sys.argv[2] == "False"), b["verdict"]
EOF2
done

# 4. landscape: the centre point is the model itself (eval's numbers); 2-D has points^2 rows; same seed, same CSV.
"$MERGELAB" landscape "$M/multitask" --data "$D/data" --points 5 --range 0.5 --seed 3 --csv > "$tmp/l1.csv" 2> /dev/null
"$MERGELAB" eval "$M/multitask" --data "$D/data" --json > "$tmp/multitask.json"
same_as_eval "$tmp/l1.csv" x=0 "$tmp/multitask.json" || fail "landscape centre differs from the model"
"$MERGELAB" landscape "$M/multitask" --data "$D/data" --dims 2 --points 3 --seed 3 --csv > "$tmp/l2.csv" 2> /dev/null
"$MERGELAB" landscape "$M/multitask" --data "$D/data" --dims 2 --points 3 --seed 3 --csv --threads 1 > "$tmp/l2b.csv" 2> /dev/null
[ "$(wc -l < "$tmp/l2.csv")" -eq 10 ] && head -1 "$tmp/l2.csv" | grep -q '^x,y,task0.acc' || fail "landscape 2-D CSV"
cmp -s "$tmp/l2.csv" "$tmp/l2b.csv" || fail "landscape differs between 1 and all threads"

# 5. maps: the cosine matrix is symmetric with a unit diagonal; digits has no layer grid.
"$MERGELAB" maps "$M/base" "$M/ft_task0" "$M/ft_task1" "$M/ft_task2" --json > "$tmp/maps.json"
python3 - "$tmp/maps.json" <<'EOF2' || fail "maps"
import json, sys
j = json.load(open(sys.argv[1]))
c = j["whole"]["cosines"]
assert len(c) == 3 and all(abs(c[i][i] - 1) < 1e-12 for i in range(3)), c
assert all(abs(c[i][k] - c[k][i]) < 1e-15 for i in range(3) for k in range(3)), c
assert [g["name"] for g in j["groups"]] == ["fc1", "fc2"], j["groups"]
assert j["grid"]["layers"] == [] and len(j["tensors"]) == 4
EOF2
"$MERGELAB" maps "$M/base" "$M/ft_task0" "$M/ft_task1" | grep -q "cosines over the whole model" || fail "maps table"

# 6. language models (tinylm): a LERP point is `mergelab merge` of the linear recipe scored by `mergelab eval` on the
# same documents and window; the metrics are the mean NLL per token per task and their mean.
T="$MERGELAB_TEST_DATA/tinylm"
LM=(--data "$T/data" --max-docs 2 --window 64)
"$MERGELAB" path "$T/models/ft_python" "$T/models/ft_c" "${LM[@]}" --points 5 --refine 0 --csv > "$tmp/lm.csv" 2> /dev/null
[ "$(head -1 "$tmp/lm.csv")" = "t,refined,c.nll,prose.nll,python.nll,combined.nll" ] || fail "LM path CSV header: $(head -1 "$tmp/lm.csv")"
cat > "$tmp/lm_linear.yml" <<YAML
merge_method: linear
models:
  - model: $T/models/ft_python
    parameters: {weight: 0.75}
  - model: $T/models/ft_c
    parameters: {weight: 0.25}
dtype: float32
YAML
"$MERGELAB" merge "$tmp/lm_linear.yml" --out "$tmp/lm_linear" --quiet > /dev/null
"$MERGELAB" eval "$tmp/lm_linear" "${LM[@]}" --json > "$tmp/lm_linear.json"
python3 - "$tmp/lm.csv" "$tmp/lm_linear.json" <<'EOF2' || fail "LM LERP t = 0.25 differs from the linear merge scored by mergelab eval"
import csv, json, sys
row = [r for r in csv.DictReader(open(sys.argv[1])) if float(r["t"]) == 0.25][0]
ref = json.load(open(sys.argv[2]))
for task, r in ref["tasks"].items():
    assert abs(float(row[task + ".nll"]) - r["ppl"]["mean_nll"]) <= 1e-12, (task, row[task + ".nll"], r["ppl"]["mean_nll"])
assert abs(float(row["combined.nll"]) - ref["combined"]["nll"]) <= 1e-12, (row["combined.nll"], ref["combined"])
EOF2
"$MERGELAB" landscape "$T/models/ft_python" "${LM[@]}" --points 3 --csv > "$tmp/lm_land.csv" 2> /dev/null
"$MERGELAB" eval "$T/models/ft_python" "${LM[@]}" --json > "$tmp/ft_python.json"
python3 - "$tmp/lm_land.csv" "$tmp/ft_python.json" <<'EOF2' || fail "LM landscape centre differs from the model"
import csv, json, sys
row = [r for r in csv.DictReader(open(sys.argv[1])) if float(r["x"]) == 0][0]
ref = json.load(open(sys.argv[2]))
assert float(row["combined.nll"]) == ref["combined"]["nll"], (row, ref["combined"])
EOF2

# 7. help and errors: one line naming the problem, non-zero exit, nothing on stdout
for c in path plane landscape maps; do "$MERGELAB" $c --help | grep -q "^usage: mergelab $c" || fail "$c --help"; done
expect_error() {  # STATUS PATTERN ARGS...
  local want=$1 pattern=$2 rc
  shift 2
  set +e
  "$MERGELAB" "$@" > "$tmp/out.txt" 2> "$tmp/err.txt"; rc=$?
  set -e
  [ "$rc" -eq "$want" ] || fail "$*: exit $rc, expected $want ($(cat "$tmp/err.txt"))"
  [ ! -s "$tmp/out.txt" ] || fail "$*: printed on stdout"
  [ "$(wc -l < "$tmp/err.txt")" -eq 1 ] && grep -q -- "$pattern" "$tmp/err.txt" || fail "$*: $(cat "$tmp/err.txt")"
}
expect_error 1 "$M/nope: no such file" path "$M/ft_task0" "$M/nope" --data "$D/data"
expect_error 2 "data DIR is required" path "$M/ft_task0" "$M/ft_task1"
expect_error 2 "exclude each other" plane "$M/base" "$M/ft_task0" "$M/ft_task1" --data "$D/data" --json --csv
expect_error 2 "expected a0:a1,b0:b1" plane "$M/base" "$M/ft_task0" "$M/ft_task1" --data "$D/data" --range 1
expect_error 2 "each range needs finite ends" plane "$M/base" "$M/ft_task0" "$M/ft_task1" --data "$D/data" --range 1:0
expect_error 2 "no merge method has a parameter" plane "$M/base" "$M/ft_task0" "$M/ft_task1" --data "$D/data" --set bogus=1
expect_error 2 "unknown path method 'cubic'" path "$M/ft_task0" "$M/ft_task1" --data "$D/data" --method cubic
expect_error 2 "span no plane" plane "$M/base" "$M/ft_task0" "$M/ft_task0" --data "$D/data"
expect_error 2 "dims must be 1 or 2" landscape "$M/multitask" --data "$D/data" --dims 3
expect_error 2 "density must be in" maps "$M/base" "$M/ft_task0" --density 2
expect_error 2 "window applies to language models" path "$M/ft_task0" "$M/ft_task1" --data "$D/data" --window 8
expect_error 1 "no perplexity file\|no task" path "$T/models/ft_python" "$T/models/ft_c" --data "$D/data"
expect_error 1 "lora_task0" maps "$M/base" "$M/lora_task0"
expect_error 1 "$D/data/task0_test.csv: not a data folder" path "$M/ft_task0" "$M/ft_task1" --data "$D/data/task0_test.csv"
echo "weight space commands: ok"
