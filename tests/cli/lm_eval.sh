#!/usr/bin/env bash
# `mergelab eval` / `merge --eval` / `generate` on language models: the tinylm fixture's printed numbers against
# expected/expected_lm_eval.json (ppl, bpb within 1e-5 relative, MC accuracy exactly), the table, and one clear
# error (exit 1, file named) for a non-JSON line, empty data, an unknown task, rope_scaling and NaN weights.
set -euo pipefail
: "${MERGELAB:?path of the mergelab binary}" "${MERGELAB_TEST_DATA:?tests/data}"
T="$MERGELAB_TEST_DATA/tinylm"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# compare GOT.json MODEL [TASKS...]: every test-split metric of MODEL in expected_lm_eval.json.
compare() {
  python3 - "$T/expected/expected_lm_eval.json" "$@" <<'EOF'
import json, sys
ref = json.load(open(sys.argv[1]))["models"][sys.argv[3]]
got = json.load(open(sys.argv[2]))
tasks = sys.argv[4:] or ["python", "c", "prose"]
assert sorted(got["tasks"]) == sorted(tasks), sorted(got["tasks"])
for t in tasks:
    g, r = got["tasks"][t], ref["ppl"]["test"][t]
    for k in ("docs", "windows", "tokens", "ids", "bytes"):
        assert g["ppl"][k] == r[k], (t, k, g["ppl"][k], r[k])
    for k in ("mean_nll", "ppl", "bpb"):
        assert abs(g["ppl"][k] - r[k]) <= 1e-5 * abs(r[k]), (t, k, g["ppl"][k], r[k])
    m = ref["mc"]["test"][t]
    for k in ("n", "acc", "acc_norm", "correct", "truncated_sequences"):
        assert g["mc"][k] == m[k], (t, k, g["mc"][k], m[k])
EOF
}

# 1. a model and a LoRA adapter (base + ΔW), JSON
"$MERGELAB" eval "$T/models/base" --data "$T/data" --json --threads 2 > "$tmp/base.json"
compare "$tmp/base.json" base || fail "base differs from expected_lm_eval.json"
"$MERGELAB" eval "$T/models/lora_python" --data "$T/data" --tasks python --json --threads 2 --out "$tmp/lora_out.json" \
  > "$tmp/lora.json"
compare "$tmp/lora.json" lora_python python || fail "lora_python differs"
cmp -s "$tmp/lora.json" "$tmp/lora_out.json" || fail "--out differs from the printed report"

# 2. the table (ft_c, c task only, 10 docs: the numbers --json prints, rounded)
out=$("$MERGELAB" eval "$T/models/ft_c" --data "$T/data" --tasks c --max-docs 10)
"$MERGELAB" eval "$T/models/ft_c" --data "$T/data" --tasks c --max-docs 10 --json > "$tmp/c10.json"
row=$(python3 -c "
import json; p = json.load(open('$tmp/c10.json'))['tasks']['c']; q = p['ppl']; m = p['mc']
print('^c +%d +%d +%.6f +%.4f +%.6f +%.4f +%.4f$' % (q['docs'], q['tokens'], q['mean_nll'], q['ppl'], q['bpb'], m['acc'], m['acc_norm']))")
echo "$out" | grep -Eq "$row" || fail "table row: expected /$row/ in: $out"
echo "$out" | grep -q "^model: .*ft_c (llama, 427680 parameters, 3 layers, window 256)" || fail "model line: $out"

# 3. merge --eval on an LM output: the fixture's linear merge, scored in the same run
"$MERGELAB" merge "$T/expected/linear.yml" --out "$tmp/linear" --quiet --eval "$T/data" > "$tmp/merge.txt"
python3 - "$tmp/merge.txt" "$T/expected/expected_lm_eval.json" <<'EOF'
import json, re, sys
line = open(sys.argv[1]).read()
ref = json.load(open(sys.argv[2]))["models"]["linear"]
for t in ("python", "c", "prose"):
    m = re.search(r"\b%s ppl ([0-9.]+) bpb ([0-9.]+) mc_acc ([0-9.]+)" % t, line)
    assert m, line
    assert abs(float(m.group(1)) - ref["ppl"]["test"][t]["ppl"]) <= 1e-4, (t, m.group(1))
    assert abs(float(m.group(2)) - ref["ppl"]["test"][t]["bpb"]) <= 1e-4, (t, m.group(2))
    assert abs(float(m.group(3)) - ref["mc"]["test"][t]["acc"]) <= 1e-4, (t, m.group(3))
EOF

# 4. generate: prompt echoed, then N greedy tokens
gen=$("$MERGELAB" generate "$T/models/ft_python" --prompt "def main(" --max-new-tokens 12 --ids)
echo "$gen" | head -1 | grep -q "^def main(" || fail "generate: $gen"
[ "$(echo "$gen" | grep '^ids:' | wc -w)" -eq 13 ] || fail "generate: expected 12 ids: $gen"

# 5. bad input: one error line naming the file, exit 1
expect_error() {  # expect_error PATTERN ARGS...
  local pattern=$1 rc
  shift
  set +e
  "$MERGELAB" "$@" > /dev/null 2> "$tmp/err.txt"; rc=$?
  set -e
  [ "$rc" -eq 1 ] || { cat "$tmp/err.txt"; fail "$*: exit $rc, expected 1"; }
  [ "$(wc -l < "$tmp/err.txt")" -eq 1 ] || { cat "$tmp/err.txt"; fail "$*: expected one error line"; }
  grep -q "$pattern" "$tmp/err.txt" || { cat "$tmp/err.txt"; fail "$*: unexpected message"; }
}
mkdir "$tmp/data"
head -3 "$T/data/python_test.jsonl" > "$tmp/data/python_test.jsonl"
echo '{"text": "unterminated' >> "$tmp/data/python_test.jsonl"
expect_error "^mergelab eval: error: $tmp/data/python_test.jsonl:4: not valid JSON" eval "$T/models/base" --data "$tmp/data"
: > "$tmp/data/python_test.jsonl"
expect_error "python_test.jsonl: no records (empty data)" eval "$T/models/base" --data "$tmp/data"
expect_error "no task 'rust' for split 'test'" eval "$T/models/base" --data "$T/data" --tasks rust
mkdir "$tmp/m"
cp "$T/models/base/"* "$tmp/m/"
chmod u+w "$tmp/m/"*
python3 - "$tmp/m/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1])); c["rope_scaling"] = {"rope_type": "yarn", "factor": 4.0}
json.dump(c, open(sys.argv[1], "w"))
EOF
expect_error "config.json: field rope_scaling: type 'yarn' is not implemented" eval "$tmp/m" --data "$T/data"
cp "$T/models/base/config.json" "$tmp/m/config.json"
python3 - "$tmp/m/model.safetensors" <<'EOF'
import json, struct, sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read())
n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n])
lo = h["model.layers.1.mlp.up_proj.weight"]["data_offsets"][0] + 8 + n + 4 * 5
b[lo:lo + 4] = struct.pack("<f", float("nan"))
open(p, "wb").write(b)
EOF
expect_error "tensor 'model.layers.1.mlp.up_proj.weight': holds NaN at element 5" eval "$tmp/m" --data "$T/data"
echo "ok"
