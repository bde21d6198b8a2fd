#!/usr/bin/env bash
# `mergelab merge` with values beyond the GUI's slider ranges (weight 3, lambda 5, negative weights: valid mergekit
# configs) on the digits fixtures; fractions outside [0, 1] still refused; integer tensors copied from the base.
set -euo pipefail
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
source "$(cd "$(dirname "$0")" && pwd)/expect.bash"
models="$MERGELAB_TEST_DATA/digits/models"

# Three ways to write theta = 3 ft_task0 - 2 ft_task1 (the base cancels: 1 - 3 + 2 = 0):
#   linear, weights 3 and -2, no normalisation;
#   task_arithmetic, weights 3 and -2: base + 3 tau0 - 2 tau1;
#   task_arithmetic, lambda 5, weights 0.6 and -0.4: base + 5 (0.6 tau0 - 0.4 tau1).
cat > "$out/linear.yml" <<Y
merge_method: linear
models:
  - model: $models/ft_task0
    parameters: {weight: 3}
  - model: $models/ft_task1
    parameters: {weight: -2}
parameters: {normalize: false}
Y
cat > "$out/ta.yml" <<Y
merge_method: task_arithmetic
base_model: $models/base
models:
  - model: $models/ft_task0
    parameters: {weight: 3}
  - model: $models/ft_task1
    parameters: {weight: -2}
Y
cat > "$out/lambda.yml" <<Y
merge_method: task_arithmetic
base_model: $models/base
models:
  - model: $models/ft_task0
    parameters: {weight: 0.6}
  - model: $models/ft_task1
    parameters: {weight: -0.4}
parameters: {lambda: 5}
Y
"$MERGELAB" merge "$out/linear.yml" --dry-run > "$out/plan.txt"
grep -q "weight=\[3, -2\] normalize=false" "$out/plan.txt" || { cat "$out/plan.txt"; exit 1; }
for c in linear ta lambda; do "$MERGELAB" merge "$out/$c.yml" --out "$out/$c" --quiet; done
"$MERGELAB" compare "$out/linear" "$out/ta" --atol 1e-5 --quiet
"$MERGELAB" compare "$out/lambda" "$out/ta" --atol 1e-5 --quiet
# ... and not a no-op: far from either fine-tune.
if "$MERGELAB" compare "$out/ta" "$models/ft_task0" --atol 1e-2 --quiet > /dev/null; then
  echo "weight 3 merge equals ft_task0"; exit 1
fi
# The written config keeps the values and merges again to the same model.
grep -q "weight: 3" "$out/ta/mergekit_config.yml"
"$MERGELAB" merge "$out/ta/mergekit_config.yml" --out "$out/again" --quiet
"$MERGELAB" compare "$out/again" "$out/ta" --atol 0 --quiet

# slerp's t beyond 1 extrapolates along the arc (mergekit accepts any t): it runs, the config keeps it, and
# the result lies past the fine-tune, not on it.
cat > "$out/slerp.yml" <<Y
merge_method: slerp
base_model: $models/base
models:
  - model: $models/base
  - model: $models/ft_task0
parameters: {t: 1.5}
Y
"$MERGELAB" merge "$out/slerp.yml" --out "$out/slerp" --quiet
grep -q "t: 1.5" "$out/slerp/mergekit_config.yml" || { cat "$out/slerp/mergekit_config.yml"; exit 1; }
if "$MERGELAB" compare "$out/slerp" "$models/ft_task0" --atol 1e-3 --quiet > /dev/null; then
  echo "slerp t=1.5 equals ft_task0"; exit 1
fi

# Fractions keep their limits: one error line naming the file and line, method and parameter; exit 1; nothing written.
check_bad() {  # name, parameters line, expected message
  cat > "$out/$1.yml" <<Y
merge_method: ${4:-ties}
base_model: $models/base
models:
  - model: $models/ft_task0
parameters: $2
Y
  expect_merge_error "$out/$1.yml" "$out/$1.yml:5: $3"  # the line of the parameters
}
check_bad density_high "{density: 1.5}" "ties: parameter density is 1.5, outside \[0, 1\]"
check_bad density_low "{density: -0.1}" "ties: parameter density is -0.1, outside \[0, 1\]"
check_bad gamma "{gamma: 1.5}" "breadcrumbs: parameter gamma is 1.5, outside \[0, 1\]" breadcrumbs
check_bad epsilon "{density: 0.9, epsilon: 0.15}" \
  "della: parameter epsilon is 0.15 with density 0.9: density +/- epsilon must lie in (0, 1) for model" della

# Integer tensors: copied from the base byte for byte (a hand-written safetensors family: n I64 [2], w F32 [2]).
write_st() {  # file, 16 bytes of n (octal escapes), 8 bytes of w
  local header='{"n":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},"w":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}}'
  while [ $(( ${#header} % 8 )) -ne 0 ]; do header="$header "; done
  mkdir -p "$(dirname "$1")"
  { printf "\\$(printf '%03o' ${#header})\\0\\0\\0\\0\\0\\0\\0"; printf '%s' "$header"; printf "$2$3"; } > "$1"
}
ids='\005\0\0\0\0\0\0\0\007\0\0\0\0\0\0\0'          # [5, 7]
write_st "$out/ints/base/model.safetensors" "$ids" '\0\0\200\077\0\0\200\077'  # w = [1, 1]
write_st "$out/ints/ft/model.safetensors" "$ids" '\0\0\0\100\0\0\100\100'      # w = [2, 3]
cat > "$out/ints/merge.yml" <<Y
merge_method: task_arithmetic
base_model: base
models:
  - model: ft
    parameters: {weight: 3}
Y
"$MERGELAB" merge "$out/ints/merge.yml" --dry-run > "$out/plan.txt"
grep -q "(non-float, not merged): 1 tensor(s)" "$out/plan.txt" || { cat "$out/plan.txt"; exit 1; }
grep -q "^  n I64 \[2\]$" "$out/plan.txt"
"$MERGELAB" merge "$out/ints/merge.yml" --out "$out/ints/out" --quiet
"$MERGELAB" inspect "$out/ints/out" > "$out/inspect.txt"
grep -Eq "^ +n +I64 +\[2\]" "$out/inspect.txt" || { cat "$out/inspect.txt"; exit 1; }
# Data section: n = the base's [5, 7]; w = base + 3 (ft - base) = [4, 7] (F32 0x40800000, 0x40e00000).
got=$(tail -c 24 "$out/ints/out/model.safetensors" | od -An -v -tx1 | tr -d ' \n')
[ "$got" = "05000000000000000700000000000000000080400000e040" ] || { echo "output data: $got"; exit 1; }
# The compatibility report says so too.
"$MERGELAB" inspect "$out/ints/ft" --base "$out/ints/base" > "$out/compat.txt"
grep -q "copied from the base (non-float, not merged) n" "$out/compat.txt" || { cat "$out/compat.txt"; exit 1; }
# compare: the copied I64 tensor is equal byte for byte to the base's; a different one is reported.
"$MERGELAB" compare "$out/ints/out" "$out/ints/base" --atol 10 > "$out/cmp.txt"
grep -Eq "^n +\[2\] +I64 bytes equal$" "$out/cmp.txt" || { cat "$out/cmp.txt"; exit 1; }
write_st "$out/ints/other/model.safetensors" '\005\0\0\0\0\0\0\0\010\0\0\0\0\0\0\0' '\0\0\200\077\0\0\200\077'  # n = [5, 8]
if "$MERGELAB" compare "$out/ints/other" "$out/ints/base" > "$out/cmp2.txt"; then echo "compare missed an I64 difference"; exit 1; fi
grep -q "I64 vs I64: bytes differ" "$out/cmp2.txt" || { cat "$out/cmp2.txt"; exit 1; }
echo "merge_limits: all checks passed"
