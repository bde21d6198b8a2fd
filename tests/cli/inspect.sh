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
echo "inspect CLI: ok"
