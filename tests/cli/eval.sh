#!/usr/bin/env bash
# `mergelab eval`: the digits reference merges against expected/expected_eval.json (accuracy exactly, CE within
# 1e-5), the table for a model folder, the CSV forms of --data, and clear errors for bad paths and data.
set -euo pipefail
: "${MERGELAB:?path of the mergelab binary}" "${MERGELAB_TEST_DATA:?tests/data}"
D="$MERGELAB_TEST_DATA/digits"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# compare GOT.json REFERENCE.json KEY: every task/all/combined entry of the reference model KEY.
compare() {
  python3 - "$1" "$2" "$3" <<'EOF'
import json, sys
got = json.load(open(sys.argv[1]))
ref = json.load(open(sys.argv[2]))[sys.argv[3]]
assert sorted(got) == sorted(ref), (sorted(got), sorted(ref))
for part, r in ref.items():
    g = got[part]
    assert g["acc"] == r["acc"], (part, "acc", g["acc"], r["acc"])
    assert abs(g["loss"] - r["loss"]) <= 1e-5, (part, "loss", g["loss"], r["loss"])
    if "n" in r:
        assert g["n"] == r["n"], (part, "n")
EOF
}

# 1. two reference merges (lone .safetensors files: the architecture comes from --config), JSON output
for m in task_arith_a0.5 ties_k0.2_tensor_count_a1.0; do
  "$MERGELAB" eval "$D/expected/$m.safetensors" --config "$D/models/base/config.json" --data "$D/data" --json \
    > "$tmp/$m.json"
  compare "$tmp/$m.json" "$D/expected/expected_eval.json" "$m" || fail "$m differs from expected_eval.json"
done
# --out writes the same report
"$MERGELAB" eval "$D/expected/lerp_soup.safetensors" --config "$D/models/base/config.json" --data "$D/data" \
  --out "$tmp/soup.json" > /dev/null
compare "$tmp/soup.json" "$D/expected/expected_eval.json" lerp_soup || fail "--out report differs"

# 2. a model folder as a table (merge_table.json, multitask: 0.97917 0.94444 0.88785, combined 0.93715, all 0.94150)
out=$("$MERGELAB" eval "$D/models/multitask" --data "$D/data")
echo "$out" | grep -Eq '^task0 +144 +97\.92 % +0\.[0-9]{6}$' || fail "task0 row: $out"
echo "$out" | grep -Eq '^task2 +107 +88\.79 % ' || fail "task2 row: $out"
echo "$out" | grep -Eq '^combined +93\.72 % ' || fail "combined row: $out"
echo "$out" | grep -Eq '^all +359 +94\.15 % ' || fail "all row: $out"

# 3. the val split of the sharded base (merge_table.json: val combined 0.9038504968383018)
"$MERGELAB" eval "$D/models/base-sharded" --data "$D/data" --split val --json > "$tmp/val.json"
python3 -c "import json,sys; g=json.load(open(sys.argv[1])); assert abs(g['combined']['acc'] - 0.9038504968383018) < 1e-12, g" \
  "$tmp/val.json" || fail "val split"

# 4. CSV forms: one CSV per task (two files after --data), and one CSV split by --tasks rules
"$MERGELAB" eval "$D/models/base" --data "$D/data/task0_test.csv" "$D/data/task1_test.csv" --json > "$tmp/files.json"
python3 -c "import json,sys; g=json.load(open(sys.argv[1])); assert g['task0_test']['acc'] == 0.9375 and g['all']['n'] == 252, g" \
  "$tmp/files.json" || fail "one CSV per task"
"$MERGELAB" eval "$D/models/base" --data "$D/data/test.csv" --tasks "$D/data/tasks.json" --json > "$tmp/rules.json"
"$MERGELAB" eval "$D/models/base" --data "$D/data" --json > "$tmp/dir.json"
cmp -s "$tmp/rules.json" "$tmp/dir.json" || fail "label rules and task files disagree"

# 5. errors: non-zero exit, nothing on stdout, one line naming the file
expect_error() {  # expected-status expected-text args...
  local want_rc=$1 want=$2
  shift 2
  set +e
  "$MERGELAB" eval "$@" > "$tmp/stdout" 2> "$tmp/stderr"
  local rc=$?
  set -e
  [ "$rc" -eq "$want_rc" ] || fail "exit $rc (want $want_rc) for $*: $(cat "$tmp/stderr")"
  [ ! -s "$tmp/stdout" ] || fail "stdout not empty for $*"
  [ "$(wc -l < "$tmp/stderr")" -eq 1 ] || fail "not one line for $*: $(cat "$tmp/stderr")"
  grep -qF -- "$want" "$tmp/stderr" || fail "message for $*: $(cat "$tmp/stderr") (want: $want)"
}
expect_error 1 "$tmp/no-such-model: no such file or directory" "$tmp/no-such-model" --data "$D/data"
expect_error 1 "$tmp/no-data: no such file or directory" "$D/models/base" --data "$tmp/no-data"
expect_error 1 "$D/models/lora_task0/config.json: cannot open file" "$D/models/lora_task0" --data "$D/data"
expect_error 2 "give its architecture with --config" "$D/expected/lerp_soup.safetensors" --data "$D/data"
expect_error 2 "--data is required" "$D/models/base"
expect_error 2 "--split applies to a data folder" "$D/models/base" --data "$D/data/test.csv" --split val
printf 'f0,f1,label\n0.5,0.25,1\n0.5,x,2\n' > "$tmp/bad.csv"
expect_error 1 "$tmp/bad.csv:3: column 2: 'x' is not a finite number" "$D/models/base" --data "$tmp/bad.csv"
printf 'f0,f1,label\n0.5,0.25,1\n' > "$tmp/narrow.csv"
expect_error 1 "$tmp/narrow.csv: has 2 features but the model takes 64" "$D/models/base" --data "$tmp/narrow.csv"
: > "$tmp/empty.csv"
expect_error 1 "$tmp/empty.csv: empty file" "$D/models/base" --data "$tmp/empty.csv"
echo "eval CLI: ok"
