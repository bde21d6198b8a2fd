#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time on a seed corpus of real fixture files (plus a few hand-made
# edge cases and the regression inputs in tests/fuzz/regressions/<target>/, which are replayed first).
# usage: tests/fuzz/run.sh TARGET FUZZ_BUILD_DIR SECONDS [-runs=N ...extra libFuzzer flags]
#   TARGET: safetensors | mergekit_yaml | scene | adapter_config | csv | jsonl | tokenizer
set -euo pipefail
target=$1 build=$2 seconds=${3:-10}
shift 3 || true
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../data"
fuzzer="$build/tests/${target}_fuzz"
work="$build/fuzz-work/$target"
mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"
seeds="$work/seeds"
i=0
add() { for f in "$@"; do [ -f "$f" ] && cp "$f" "$seeds/seed_$((i++))"; done; return 0; }
add_head() { local n=$1; shift; for f in "$@"; do head -n "$n" "$f" > "$seeds/seed_$((i++))"; done; }
add_text() { printf '%s' "$2" > "$seeds/$1"; }

st_seed() {  # NAME HEADER [DATA]: an 8-byte little-endian length + header + data
  local hdr=$2 n=${#2}
  { printf "\\x$(printf %02x $((n & 255)))\\x$(printf %02x $((n >> 8)))\\x00\\x00\\x00\\x00\\x00\\x00"
    printf '%s' "$hdr"; printf '%s' "${3:-}"; } > "$seeds/$1"
}

max_len=4096 dict=()
case "$target" in
  safetensors)
    add "$data"/digits/models/{ft_task0,base-bf16,multitask-f16,lora_task0}/*.safetensors \
        "$data"/digits/models/ft_task0-sharded/*.safetensors "$data"/digits/models/*/model.safetensors.index.json
    st_seed empty '{}'
    st_seed scalar '{"s":{"dtype":"F64","shape":[],"data_offsets":[0,8]}}' '12345678'
    st_seed zero '{"__metadata__":{"a":"b"},"z":{"dtype":"BF16","shape":[0,3],"data_offsets":[0,0]}}'
    st_seed two '{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"I8","shape":[1],"data_offsets":[4,5]}}' 'abcde'
    st_seed reversed '{"b":{"dtype":"I8","shape":[1],"data_offsets":[4,5]},"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}' 'abcde'
    dict=(-dict="$here/safetensors.dict") ;;
  mergekit_yaml)
    add "$data"/digits/mergekit/*.yml "$data"/tinylm/recipes/*.yml
    add_text anchors $'merge_method: &m linear\nmodels:\n  - model: &a ./x\n    parameters: {weight: [0.1, 0.9]}\n  - model: *a\n' ;;
  scene)
    add "$here/../../assets/scenes/"*.json "$here"/seeds/scene/*
    for f in "$here/../../assets/scenes/"0[1-4]*.json; do printf 'MLS1:%s' "$(base64 -w0 < "$f")" > "$seeds/code_$((i++))"; done
    max_len=16384 ;;
  adapter_config)
    add "$data"/digits/models/lora_task*/adapter_config.json "$data"/tinylm/models/*/adapter_config.json ;;
  csv)
    add_head 6 "$data"/digits/data/task0_test.csv "$data"/digits/data/pretrain.csv
    add_text tiny $'x0,x1,label\n0.5,-1e3,0\n1,2,3\n' ;;
  jsonl)  # first byte: bit 0 = multiple choice, bits 5-7 = max records
    for f in "$data"/tinylm/data/*_test.jsonl; do
      { case "$f" in *_mc_*) printf '\x01';; *) printf '\x00';; esac; head -n 3 "$f"; } > "$seeds/seed_$((i++))"
    done
    add_text ids $'\x20{"input_ids": [1, 2, 3], "bytes": 7}\n{"input_ids": []}\n' ;;
  tokenizer)
    add "$data"/tinylm/models/base/tokenizer.json "$data"/lm/*/tokenizer.json "$data"/lm/tokenizers/*/tokenizer.json
    max_len=65536 ;;
  *) echo "run.sh: unknown target '$target'" >&2; exit 2 ;;
esac
regressions=()
[ -d "$here/regressions/$target" ] && regressions=("$here/regressions/$target")

# The regression inputs first (each must pass), then the timed run. -use_value_profile helps with the integer
# comparisons of offsets and lengths.
if [ ${#regressions[@]} -gt 0 ]; then
  "$fuzzer" -runs=0 "${regressions[0]}" > "$work/regressions.log" 2>&1 || {
    tail -n 40 "$work/regressions.log"; echo "${target}_fuzz: a regression input fails" >&2; exit 1; }
fi
set +e
"$fuzzer" "$work/corpus" "$seeds" "${regressions[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len="$max_len" -use_value_profile=1 "${dict[@]}" -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
  "$@" > "$work/fuzz.log" 2>&1
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  tail -n 80 "$work/fuzz.log"
  echo "${target}_fuzz: FAILED (exit $rc); reproducer in $work/artifacts/, full log $work/fuzz.log" >&2
  exit "$rc"
fi
runs=$(grep -E '^stat::number_of_executed_units' "$work/fuzz.log" | awk '{print $2}')
echo "${target}_fuzz: ok ($seconds s, $runs executions, corpus $(ls "$work/corpus" | wc -l) inputs)"
