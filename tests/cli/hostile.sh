#!/usr/bin/env bash
# Fault injection for `mergelab merge --out DIR`: the output disk fills (a file size limit), the run is
# SIGKILLed and re-run, an input is truncated during the merge, the output folder is read-only, two merges
# race for one --out. Each ends with one clear message and a non-zero exit (or, for the re-run, a note and
# success), the inputs untouched and no partial or mixed output.
set -euo pipefail
out=$(mktemp -d); trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$out"' EXIT
mk="$MERGELAB_TEST_DATA/digits/mergekit"
fail() { echo "FAIL: $*"; [ -f "$out/err.txt" ] && cat "$out/err.txt"; exit 1; }
only_line() {  # FILE PATTERN: the file holds exactly one line and it matches
  [ "$(wc -l < "$1")" -eq 1 ] || fail "expected one line in $1"
  grep -qE "$2" "$1" || fail "unexpected message (wanted /$2/)"
}
no_leftovers() {  # DIR NAME: nothing named NAME or .NAME.* in DIR
  [ ! -e "$1/$2" ] || fail "$1/$2 exists"
  ! ls -A "$1" | grep -q "^\.$2\." || fail "a staging folder is left in $1: $(ls -A "$1")"
}
sums() { find "$@" -type f -exec md5sum {} + | sort; }

# Big inputs (F16, 24 tensors of 1M elements: 48 MB each) so that a merge runs long enough to be interrupted.
python3 - "$out/big" <<'PY'
import json, os, struct, sys
root = sys.argv[1]
for name, fill in (("a", b"\x00\x3c"), ("b", b"\x00\x40")):   # F16 1.0 and 2.0
    os.makedirs(f"{root}/{name}", exist_ok=True)
    n, header, off = 1 << 20, {}, 0
    for i in range(24):
        header[f"layer{i:02d}.weight"] = {"dtype": "F16", "shape": [1024, 1024], "data_offsets": [off, off + 2 * n]}
        off += 2 * n
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(f"{root}/{name}/model.safetensors", "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        chunk = fill * n
        for i in range(24):
            f.write(chunk)
PY
cat > "$out/big.yml" <<Y
merge_method: linear
models:
  - model: $out/big/a
    parameters: {weight: 0.5}
  - model: $out/big/b
    parameters: {weight: 0.5}
dtype: float32
Y
before=$(sums "$MERGELAB_TEST_DATA/digits/models" "$out/big")

# Starts a big merge into $1 in the background and stops it (SIGSTOP) once it reports progress: $pid.
start_stopped_merge() {
  rm -f "$out/progress"
  mkfifo "$out/progress"
  "$MERGELAB" merge "$out/big.yml" --out "$1" --threads 1 2> "$out/progress" &
  pid=$!
  { read -r _line; kill -STOP "$pid"; cat > "$out/rest.txt"; } < "$out/progress" &
  for _ in $(seq 1 400); do
    [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = T ] && return 0
    sleep 0.05
  done
  fail "the merge did not report progress"
}

# 1. Output disk full: a file size limit of 16 kB (the merged model is 19 kB).
set +e
( ulimit -f 16; "$MERGELAB" merge "$mk/ties.yml" --out "$out/full" --quiet ) 2> "$out/err.txt"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "disk full: exit $rc"
only_line "$out/err.txt" "^mergelab merge: error: .*model.safetensors.*(File too large|No space)"
no_leftovers "$out" full

# 2. Read-only output folder (a read-only tmpfs in a private mount namespace; chmod when that is unavailable).
mkdir -p "$out/ro"
if unshare -rm true 2>/dev/null; then
  set +e
  unshare -rm sh -c 'mount -t tmpfs -o ro tmpfs "$1" && exec "$2" merge "$3" --out "$1/merged" --quiet' _ \
    "$out/ro" "$MERGELAB" "$mk/ties.yml" 2> "$out/err.txt"; rc=$?
  set -e
  [ "$rc" -eq 1 ] || fail "read-only: exit $rc"
  only_line "$out/err.txt" "^mergelab merge: error: $out/ro/merged: cannot create the staging folder .*Read-only file system"
elif [ "$(id -u)" -ne 0 ]; then
  chmod 555 "$out/ro"
  set +e; "$MERGELAB" merge "$mk/ties.yml" --out "$out/ro/merged" --quiet 2> "$out/err.txt"; rc=$?; set -e
  chmod 755 "$out/ro"
  [ "$rc" -eq 1 ] || fail "read-only: exit $rc"
  only_line "$out/err.txt" "^mergelab merge: error: $out/ro/merged: cannot create the staging folder .*Permission denied"
else
  echo "read-only output: skipped (root without mount namespaces)"
fi
no_leftovers "$out/ro" merged

# 3. A merge SIGKILLed mid-way leaves its staging folder; the next merge removes it, saying so, and succeeds.
start_stopped_merge "$out/killed"
stage=$(ls -d "$out"/.killed.staging-* 2>/dev/null | head -1)
[ -n "$stage" ] || fail "no staging folder while the merge runs"
[ -f "$stage/.mergelab-owner" ] && grep -q "^pid $pid$" "$stage/.mergelab-owner" || fail "no owner record"
#    ... while it is alive, a second merge into the same place refuses, naming it.
set +e; "$MERGELAB" merge "$mk/ties.yml" --out "$out/killed" --quiet 2> "$out/err.txt"; rc=$?; set -e
[ "$rc" -eq 1 ] || fail "racing merge: exit $rc"
only_line "$out/err.txt" "^mergelab merge: error: $out/killed: another merge \(pid $pid on .*\) is writing it \(staging folder $stage\)"
[ -d "$stage" ] || fail "the live staging folder was removed"
kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
"$MERGELAB" merge "$mk/ties.yml" --out "$out/killed" --quiet 2> "$out/err.txt"
only_line "$out/err.txt" "^mergelab merge: removed stale staging folder $stage \([0-9]+ bytes, left by pid $pid on "
[ ! -e "$stage" ] || fail "stale staging folder kept"
"$MERGELAB" compare "$out/killed" "$mk/ties.safetensors" --atol 1e-6 --quiet
no_leftovers "$out" killed.staging

# 4. An input truncated during the merge: the input file is named, nothing is written.
cp -r "$out/big/a" "$out/shrinking"
sed "s|$out/big/a|$out/shrinking|" "$out/big.yml" > "$out/shrink.yml"
rm -f "$out/progress"; mkfifo "$out/progress"
"$MERGELAB" merge "$out/shrink.yml" --out "$out/truncated" --threads 1 2> "$out/progress" &
pid=$!
{ read -r _line; kill -STOP "$pid"; cat > "$out/err.txt"; } < "$out/progress" &
reader=$!
for _ in $(seq 1 400); do [ "$(ps -o stat= -p "$pid" | cut -c1)" = T ] && break; sleep 0.05; done
truncate -s 4096 "$out/shrinking/model.safetensors"
kill -CONT "$pid"
set +e; wait "$pid"; rc=$?; set -e
wait "$reader"
[ "$rc" -eq 1 ] || fail "truncated input: exit $rc"
grep -v "^merge: " "$out/err.txt" > "$out/err1.txt" || true
mv "$out/err1.txt" "$out/err.txt"
only_line "$out/err.txt" "^mergelab merge: error: .*$out/shrinking/model.safetensors: the file changed while it was being read"
no_leftovers "$out" truncated

# 5. Two merges started together into one --out: one wins, the other refuses or finds the folder taken;
#    the folder is exactly one complete merge, the loser's message names the folder.
for k in 1 2 3; do
  rm -rf "$out/race"
  "$MERGELAB" merge "$mk/ties.yml" --out "$out/race" --quiet 2> "$out/race1.txt" & p1=$!
  "$MERGELAB" merge "$mk/linear.yml" --out "$out/race" --quiet 2> "$out/race2.txt" & p2=$!
  set +e; wait "$p1"; r1=$?; wait "$p2"; r2=$?; set -e
  [ $((r1 + r2)) -eq 1 ] || fail "race: exits $r1 and $r2 (exactly one must win)"
  for f in "$out/race1.txt" "$out/race2.txt"; do
    [ ! -s "$f" ] || only_line "$f" "^mergelab merge: error: $out/race: (another merge|already exists)"
  done
  if "$MERGELAB" compare "$out/race" "$mk/ties.safetensors" --atol 1e-6 --quiet 2>/dev/null; then
    [ "$r1" -eq 0 ] || fail "race: ties output but the ties run failed"
  else
    "$MERGELAB" compare "$out/race" "$mk/linear.safetensors" --atol 1e-6 --quiet || fail "race: mixed output"
    [ "$r2" -eq 0 ] || fail "race: linear output but the linear run failed"
  fi
  no_leftovers "$out" race.staging
done

[ "$(sums "$MERGELAB_TEST_DATA/digits/models" "$out/big")" = "$before" ] || fail "an input changed"
echo "hostile: ok"
