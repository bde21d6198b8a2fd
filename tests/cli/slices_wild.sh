#!/usr/bin/env bash
# Configs from the wild, unchanged but for local paths (tests/data/tinylm/wild: mergekit's examples/*.yml that use
# local-path features, LazyMergekit's SLERP template, a passthrough frankenmerge, a two-stage multi-merge), merged
# by `mergelab merge` and checked tensor by tensor against tests/data/tinylm/wild_golden.py, a numpy re-run of
# mergekit's rules (needs Debian's python3-numpy and python3-yaml). float16 outputs: rounding <= 2^-11 |y| with
# |y| < 1 in these models, so atol 1e-3; float32 outputs: float32 arithmetic, atol 1e-5 (bfloat16: 2^-9 |y|, 4e-3).
set -euo pipefail
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
tiny="$MERGELAB_TEST_DATA/tinylm"
configs=("$tiny"/wild/*.yml "$tiny/recipes/lazymergekit_slerp.yml" "$tiny/recipes/frankenmerge.yml")
mkdir -p "$out/refs"
/usr/bin/python3 "$tiny/wild_golden.py" "$out/refs" "${configs[@]}"
for c in "${configs[@]}"; do
  name=$(basename "$c" .yml)
  "$MERGELAB" merge "$c" --out "$out/$name" --threads 2 --quiet --stage-cache "$out/stages"
  atol=1e-3
  grep -q "^dtype: float32" "$c" && atol=1e-5
  grep -q "^dtype: bfloat16" "$c" && atol=4e-3
  "$MERGELAB" compare "$out/$name" "$out/refs/$name.safetensors" --atol "$atol" > "$out/cmp.txt" ||
    { cat "$out/cmp.txt"; echo "$name: differs from the numpy reference"; exit 1; }
  # Every reference tensor is in the output and nothing else (compare lists the tensors it checked).
  n_ref=$(grep -c "max|a-b|" "$out/cmp.txt")
  [ "$n_ref" -gt 20 ] || { cat "$out/cmp.txt"; exit 1; }
  [ -f "$out/$name/config.json" ] && [ -f "$out/$name/tokenizer.json" ] && [ -f "$out/$name/mergekit_config.yml" ]
done
# The frankenmerges say how many layers they have.
grep -q '"num_hidden_layers": 4' "$out/orcamini_platy_passthrough/config.json"
grep -q '"torch_dtype": "float16"' "$out/orcamini_platy_passthrough/config.json"
# The two-stage file: its intermediate is cached and reused while unchanged; --dry-run shows the graph.
"$MERGELAB" merge "$tiny/wild/two_stage.yml" --out "$out/two_stage" --force --stage-cache "$out/stages" 2> "$out/log.txt"
grep -q "stage code: unchanged, cached output reused" "$out/log.txt" || { cat "$out/log.txt"; exit 1; }
"$MERGELAB" merge "$tiny/wild/two_stage.yml" --dry-run --stage-cache "$out/stages" > "$out/plan.txt"
grep -q "^  1. code: ties of" "$out/plan.txt" && grep -q "^  2. final (final): slerp of \[code\] ../models/ft_prose" "$out/plan.txt" ||
  { cat "$out/plan.txt"; exit 1; }
grep -q "^estimate: read .*, peak memory about .*" "$out/plan.txt"
echo "slices_wild: ${#configs[@]} configs match the numpy reference"
