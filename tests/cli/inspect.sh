#!/usr/bin/env bash
# `mergelab inspect`: listings of the digits fixtures, diagnostics against the base, and one clear error
# naming the file for broken input (non-zero exit, nothing on stdout).
set -euo pipefail
: "${MERGELAB:?path of the mergelab binary}" "${MERGELAB_TEST_DATA:?tests/data}"
M="$MERGELAB_TEST_DATA/digits/models"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. listing of a good fixture
out=$("$MERGELAB" inspect "$M/ft_task0")
echo "$out" | grep -Eq '^  fc1\.weight +F32 +\[64, 64\] +16\.0 KiB +model\.safetensors$' || fail "fc1.weight row: $out"
echo "$out" | grep -Eq '^  fc2\.bias +F32 +\[10\] ' || fail "fc2.bias row: $out"
echo "$out" | grep -q '4 tensors' || fail "tensor count: $out"
out=$("$MERGELAB" inspect "$M/ft_task0-sharded" "$M/ft_task0-bf16")
echo "$out" | grep -q '2 shards' || fail "sharded listing: $out"
echo "$out" | grep -Eq 'fc1\.weight +F32 +\[64, 64\] .*model-00001-of-00002\.safetensors' || fail "shard file column: $out"
echo "$out" | grep -Eq 'fc1\.weight +BF16 +\[64, 64\] +8\.0 KiB' || fail "bf16 row: $out"
out=$("$MERGELAB" inspect "$M/lora_task0")
echo "$out" | grep -q 'LoRA adapter (r = 4, lora_alpha = 8' || fail "lora listing: $out"

# 2. JSON listing
"$MERGELAB" inspect --json "$M/ft_task1" > "$tmp/list.json"
grep -q '"name": "fc1.weight"' "$tmp/list.json" || fail "json listing"
grep -q '"total_bytes": 19240' "$tmp/list.json" || fail "json total_bytes"

# 3. diagnostics against the base: diffinit flagged, fine-tunes not
out=$("$MERGELAB" inspect --base "$M/base" "$M/ft_task0" "$M/ft_task1" "$M/diffinit_task0")
echo "$out" | grep -q "ft_task0: ok" || fail "ft_task0 ok: $out"
echo "$out" | grep -q "diffinit_task0: NOT MERGEABLE" || fail "diffinit flagged: $out"
echo "$out" | grep -Eq '^  fc1\.weight +\[64, 64\] ' || fail "diagnostics row: $out"
"$MERGELAB" inspect --json --density 0.5 --base "$M/base" "$M/ft_task0" "$M/lora_task0" > "$tmp/diag.json"
grep -q '"sign_conflict_rate"' "$tmp/diag.json" || fail "json diagnostics"
grep -q '"density": 0.5' "$tmp/diag.json" || fail "json density"

# 4. broken inputs: non-zero exit, one message naming the file, no stdout
printf 'abc' > "$tmp/short.safetensors"
hdr='{"a":{"dtype":"F99","shape":[1],"data_offsets":[0,4]}}'
{ printf "\x$(printf %02x ${#hdr})\x00\x00\x00\x00\x00\x00\x00"; printf '%s' "$hdr"; printf 'abcd'; } > "$tmp/dtype.safetensors"
for bad in "$tmp/short.safetensors" "$tmp/dtype.safetensors" "$tmp/missing.safetensors"; do
  set +e
  "$MERGELAB" inspect "$M/ft_task0" "$bad" > "$tmp/stdout" 2> "$tmp/stderr"
  rc=$?
  set -e
  [ "$rc" -ne 0 ] || fail "exit status 0 for $bad"
  [ ! -s "$tmp/stdout" ] || fail "stdout not empty for $bad: $(cat "$tmp/stdout")"
  [ "$(wc -l < "$tmp/stderr")" -eq 1 ] || fail "not one line for $bad: $(cat "$tmp/stderr")"
  grep -qF "$bad" "$tmp/stderr" || fail "message does not name $bad: $(cat "$tmp/stderr")"
done
"$MERGELAB" inspect "$tmp/dtype.safetensors" > /dev/null 2> "$tmp/stderr" || true
grep -qF "$tmp/dtype.safetensors: tensor 'a': unknown dtype 'F99'" "$tmp/stderr" || fail "dtype message: $(cat "$tmp/stderr")"

# 5. usage errors
set +e
"$MERGELAB" inspect --density 2 "$M/ft_task0" > /dev/null 2>&1; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "bad --density should exit 2, got $rc"
# 5. LLM checkpoints list tensors in layer order (layer 2 before layer 10) with a per-layer summary.
python3 - "$tmp/stack.safetensors" <<'PY'
import json, struct, sys
names = ["model.embed_tokens.weight", "model.norm.weight"] + [f"model.layers.{i}.mlp.up_proj.weight" for i in range(12)]
header, off = {}, 0
for n in sorted(names):
    size = 16 if "embed" in n else 8
    header[n] = {"dtype": "F32", "shape": [size // 4], "data_offsets": [off, off + size]}
    off += size
h = json.dumps(header).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + bytes(off))
PY
out=$("$MERGELAB" inspect "$tmp/stack.safetensors")
order=$(echo "$out" | grep -oE '^  model\.layers\.[0-9]+' | grep -oE '[0-9]+$' | tr '\n' ' ')
[ "$order" = "0 1 2 3 4 5 6 7 8 9 10 11 " ] || fail "layer order: $order"
echo "$out" | grep -Eq '^  10 +1 +2 +8 B$' || fail "per-layer row of layer 10: $out"
echo "$out" | grep -Eq '^  other +2 +6 +24 B$' || fail "per-layer row of the rest: $out"
"$MERGELAB" inspect --json "$tmp/stack.safetensors" > "$tmp/stack.json"
python3 - "$tmp/stack.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["checkpoints"][0]
layers = [t["name"].split(".")[2] for t in c["tensors"] if t["name"].startswith("model.layers.")]
assert layers == [str(i) for i in range(12)], layers
assert [l["layer"] for l in c["layers"]] == list(range(12)) + [None], c["layers"]
assert c["layers"][-1]["parameters"] == 6, c["layers"][-1]
PY
echo "inspect CLI: ok"
