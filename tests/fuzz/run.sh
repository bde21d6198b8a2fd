#!/usr/bin/env bash
# Runs the safetensors libFuzzer target for a bounded time on a seed corpus generated from the digits fixtures.
# usage: tests/fuzz/run.sh FUZZER_BINARY SECONDS [WORK_DIR]
set -euo pipefail
fuzzer=$1
seconds=${2:-25}
here=$(cd "$(dirname "$0")" && pwd)
work=${3:-$(dirname "$fuzzer")/fuzz-work}
data="$here/../data/digits"
mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"

# Seeds: a few real files (small), every index, and hand-made edge cases. Nothing binary is committed.
i=0
for f in "$data"/models/{ft_task0,base-bf16,multitask-f16,lora_task0}/*.safetensors \
         "$data"/models/ft_task0-sharded/*.safetensors "$data"/models/*/model.safetensors.index.json; do
  cp "$f" "$work/seeds/seed_$i"
  i=$((i + 1))
done
seed() {  # seed NAME HEADER [DATA]: an 8-byte little-endian length + header + data
  local hdr=$2 n=${#2}
  { printf "\\x$(printf %02x $((n & 255)))\\x$(printf %02x $((n >> 8)))\\x00\\x00\\x00\\x00\\x00\\x00"
    printf '%s' "$hdr"; printf '%s' "${3:-}"; } > "$work/seeds/$1"
}
seed empty '{}'
seed scalar '{"s":{"dtype":"F64","shape":[],"data_offsets":[0,8]}}' '12345678'
seed zero '{"__metadata__":{"a":"b"},"z":{"dtype":"BF16","shape":[0,3],"data_offsets":[0,0]}}'
seed two '{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"I8","shape":[1],"data_offsets":[4,5]}}' 'abcde'

# -use_value_profile helps with the integer comparisons of offsets and lengths.
set +e
"$fuzzer" "$work/corpus" "$work/seeds" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=4096 -use_value_profile=1 -dict="$here/safetensors.dict" -artifact_prefix="$work/artifacts/" \
  -print_final_stats=1 > "$work/fuzz.log" 2>&1
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  tail -n 80 "$work/fuzz.log"
  echo "safetensors_fuzz: FAILED (exit $rc); reproducer in $work/artifacts/, full log $work/fuzz.log" >&2
  exit "$rc"
fi
grep -E '^(Done|stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb))' "$work/fuzz.log"
echo "safetensors_fuzz: ok ($seconds s, corpus $(ls "$work/corpus" | wc -l) inputs)"
