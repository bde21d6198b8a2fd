#!/usr/bin/env bash
# `mergelab evolve` with layer groups (mergekit gradients) on the digits fixtures.
# The fixture's tensors are named fc1.* / fc2.*, without layer numbers, so a gradient would give every tensor
# its first value: evolve refuses that. A copy with the layers renamed layers.0.* / layers.1.* (the same
# weights, numbered as transformers number theirs) gives a stack of two layers, t = 0 and t = 1.
set -euo pipefail
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
models="$MERGELAB_TEST_DATA/digits/models"
data="$MERGELAB_TEST_DATA/digits/data"

python3 - "$models" "$out/numbered" <<'PY'
import json, os, struct, sys
src, dst = sys.argv[1], sys.argv[2]
for name in ["base", "ft_task0", "ft_task1", "ft_task2"]:
    os.makedirs(os.path.join(dst, name))
    raw = open(os.path.join(src, name, "model.safetensors"), "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    renamed = {k.replace("fc1.", "layers.0.", 1).replace("fc2.", "layers.1.", 1): v for k, v in header.items()}
    text = json.dumps(renamed).encode()
    text += b" " * (-len(text) % 8)
    with open(os.path.join(dst, name, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + raw[8 + n:])
    config = json.load(open(os.path.join(src, name, "config.json")))
    config["layers"] = ["layers.0", "layers.1"]
    json.dump(config, open(os.path.join(dst, name, "config.json"), "w"), indent=2)
PY

write_recipe() {  # $1 = models folder, $2 = output file
  cat > "$2" <<YAML
merge_method: task_arithmetic
base_model: $1/base
models:
  - model: $1/ft_task0
  - model: $1/ft_task1
  - model: $1/ft_task2
parameters:
  lambda: 1.0
dtype: float32
YAML
}
write_recipe "$models" "$out/fc.yml"
write_recipe "$out/numbered" "$out/ta.yml"

expect_refusal() {  # $1 = what must appear in the one-line error; the rest = the command
  local want=$1; shift
  set +e
  "$@" > /dev/null 2> "$out/err.txt"; local rc=$?
  set -e
  [ "$rc" -eq 2 ] || { echo "$*: exit $rc, expected 2"; cat "$out/err.txt"; exit 1; }
  [ "$(wc -l < "$out/err.txt")" -eq 1 ] || { echo "$*: expected one line"; cat "$out/err.txt"; exit 1; }
  grep -q -- "$want" "$out/err.txt" || { echo "$*: expected '$want'"; cat "$out/err.txt"; exit 1; }
}
expect_refusal "carry no layer number (e.g. 'fc1.bias')" "$MERGELAB" evolve "$out/fc.yml" --data "$data" --layer-groups 2 --budget 10
expect_refusal "control point 1 of 3 affects no tensor (2 layers in the stack); use at most :g2" \
  "$MERGELAB" evolve "$out/ta.yml" --data "$data" --param weight@0:g3 --budget 10
expect_refusal "need --scope tensor" "$MERGELAB" evolve "$out/ta.yml" --data "$data" --layer-groups 2 --scope global --budget 10
expect_refusal "cannot be one grid axis" "$MERGELAB" sweep "$out/ta.yml" --data "$data" --param weight@0:g2=0:1:3
expect_refusal "is not a real number" "$MERGELAB" evolve "$out/ta.yml" --data "$data" --param normalize:g2
expect_refusal "layer groups, expected 1 to 64" "$MERGELAB" evolve "$out/ta.yml" --data "$data" --param lambda:g99

# The scalar search: a lambda grid on the validation split (the renamed copy merges exactly like the original).
"$MERGELAB" sweep "$out/ta.yml" --param lambda=0:1:11 --data "$data" --out "$out/sweep" --threads 2 > "$out/sweep.txt" 2> /dev/null
# Per layer group: the three weights as 2-point gradients (6 values), a search space that holds every lambda of
# the grid (weights all equal to lambda on both layers), so within its budget it must reach the grid's best.
"$MERGELAB" evolve "$out/ta.yml" --data "$data" --layer-groups 2 --budget 300 --seed 0 --out "$out/evolve" \
  > "$out/evolve.txt" 2> "$out/evolve.err"
cat "$out/evolve.txt"
grep -q "^evolve: 3 parameters (6 values), budget 300" "$out/evolve.err"
python3 - "$out/sweep/sweep.json" "$out/evolve/evolve.json" <<'PY'
import json, sys
sweep = json.load(open(sys.argv[1]))
evolve = json.load(open(sys.argv[2]))
grid_best = sweep["best"]["metrics"]["objective"]
assert evolve["objective"] >= grid_best - 1e-12, (evolve["objective"], grid_best)
assert evolve["evaluations"] <= 300, evolve["evaluations"]
best = evolve["best"]
assert sorted(best) == ["weight@0:g2", "weight@1:g2", "weight@2:g2"], best
for v in best.values():
    assert isinstance(v, list) and len(v) == 2 and all(0 <= x <= 1 for x in v), best
print("evolve per layer group", evolve["objective"], ">= lambda grid", grid_best)
PY
# The best recipe carries the gradients as mergekit lists...
[ "$(grep -cE '^ *weight: \[[-0-9.e]+, [-0-9.e]+\]$' "$out/evolve/best.yml")" -eq 3 ] || { cat "$out/evolve/best.yml"; exit 1; }
# ...and `mergelab merge` on it scores on the test split exactly what evolve reported for the in-memory merge.
"$MERGELAB" merge "$out/evolve/best.yml" --out "$out/merged" --quiet --eval "$data" > "$out/merge.txt"
python3 - "$out/evolve.txt" "$out/merge.txt" <<'PY'
import re, sys
evolve = [l for l in open(sys.argv[1]) if re.match(r"\s*best\s+test:", l)]
merged = [l for l in open(sys.argv[2]) if l.startswith("evaluation (test split):")]
assert len(evolve) == 1 and len(merged) == 1, (evolve, merged)
pct = lambda line: re.findall(r"(\w+) ([0-9.]+)%", line)
assert pct(evolve[0]) == pct(merged[0]), (evolve[0], merged[0])
print("merge --eval of best.yml:", merged[0].strip())
PY
echo "1 passed, 0 failed"
