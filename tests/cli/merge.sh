#!/usr/bin/env bash
# `mergelab merge`: real fixtures merged as mergekit's configs say, compared with mergekit's outputs;
# dry run, YAML back, and bad configs (one clear error, non-zero exit, no output folder).
set -euo pipefail
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
source "$(cd "$(dirname "$0")" && pwd)/expect.bash"
mk="$MERGELAB_TEST_DATA/digits/mergekit"

# ties.yml (density 0.2) equals what mergekit produced, within 1e-6.
"$MERGELAB" merge "$mk/ties.yml" --out "$out/ties" --threads 2 2> "$out/log.txt"
cat "$out/log.txt"
grep -q "merge: 100% (4/4 tensors" "$out/log.txt"   # plain progress lines when not on a terminal
"$MERGELAB" compare "$out/ties" "$mk/ties.safetensors" --atol 1e-6
[ -f "$out/ties/config.json" ] && [ -f "$out/ties/mergekit_config.yml" ]
# Sharded output equals the single file.
"$MERGELAB" merge "$mk/ties.yml" --out "$out/ties-sharded" --max-shard-size 8kB --quiet
[ -f "$out/ties-sharded/model.safetensors.index.json" ]
"$MERGELAB" compare "$out/ties-sharded" "$out/ties" --atol 0 --quiet
# The written config merges to the same model.
"$MERGELAB" merge "$out/ties/mergekit_config.yml" --out "$out/again" --quiet
"$MERGELAB" compare "$out/again" "$out/ties" --atol 0 --quiet
# Existing output: refused, untouched; --force replaces it.
set +e
"$MERGELAB" merge "$mk/linear.yml" --out "$out/ties" --quiet 2> "$out/err.txt"; rc=$?
set -e
[ "$rc" -eq 1 ] && grep -q "already exists (use --force to replace it)" "$out/err.txt"
"$MERGELAB" compare "$out/ties" "$mk/ties.safetensors" --quiet
"$MERGELAB" merge "$mk/linear.yml" --out "$out/ties" --force --quiet
"$MERGELAB" compare "$out/ties" "$mk/linear.safetensors" --quiet

# Dry run: the plan, nothing written.
"$MERGELAB" merge "$mk/breadcrumbs_ties.yml" --dry-run > "$out/plan.txt"
grep -q "method: breadcrumbs_ties" "$out/plan.txt"
grep -q "density=\[0.5, 0.5, 0.5\] gamma=\[0.01, 0.01, 0.01\]" "$out/plan.txt"
grep -q "tensors: 4, read 77.0 kB, write 19.2 kB" "$out/plan.txt"
grep -q "breadcrumbs small-tensor rule (drop_small_tensors: true, mergekit's): task vectors dropped in 2 tensor(s): fc1.bias fc2.bias" "$out/plan.txt"
# The newer methods through the real path, configs as mergekit ran them.
for m in nuslerp nuslerp_rowwise_nobase multislerp karcher sce ram ramplus_tl nearswap arcee_fusion; do
  "$MERGELAB" merge "$mk/$m.yml" --out "$out/$m" --quiet
  "$MERGELAB" compare "$out/$m" "$mk/$m.safetensors" --atol 1e-6 --quiet
done
# YAML back: reads into the same plan.
"$MERGELAB" merge "$mk/dare_ties.yml" --print-yaml > "$out/printed.yml"
grep -q "merge_method: dare_ties" "$out/printed.yml"
grep -q "density: 0.3" "$out/printed.yml"

# Bad configs: one clear error line, exit 1, no output folder.
cat > "$out/hub.yml" <<'Y'
merge_method: linear
models:
  - model: mistralai/Mistral-7B-v0.1
Y
cat > "$out/slices.yml" <<Y
merge_method: linear
slices:
  - sources:
      - model: $mk/../models/ft_task0
        layer_range: [0, 2]
Y
cat > "$out/param.yml" <<Y
merge_method: ties
base_model: $mk/../models/base
models:
  - model: $mk/../models/ft_task0
    parameters: {density: 2}
Y
cat > "$out/diffarch.yml" <<Y
merge_method: task_arithmetic
base_model: $mk/../models/base
models:
  - model: $mk/ties.safetensors
  - model: $mk/dare_ties_masks.safetensors
Y
check_bad() { expect_merge_error "$1" ".*$2"; }  # config, expected message
check_bad "$out/hub.yml" "model 'mistralai/Mistral-7B-v0.1' is not a local file or directory"
check_bad "$out/slices.yml" "slice 1: layer_range \[0, 2\] of '.*ft_task0' goes past its 0 layers (it has no layer stack)"
check_bad "$out/param.yml" "parameter density of model '.*ft_task0' is 2, outside \[0, 1\]"
check_bad "$out/diffarch.yml" "dare_ties_masks.safetensors: tensor 'fc1.bias': missing"
check_bad "$out/nope.yml" "cannot open the file"
# Usage errors: exit 2.
set +e
"$MERGELAB" merge "$mk/ties.yml" 2> "$out/err.txt"; rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q -- "--out DIR is required" "$out/err.txt"
[ "$(ls -A "$out" | grep -c '^\.')" -eq 0 ] || { echo "temporary folders left behind"; ls -A "$out"; exit 1; }
echo "merge: all checks passed"
