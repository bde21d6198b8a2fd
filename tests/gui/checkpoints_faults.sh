#!/usr/bin/env bash
# The Checkpoints panel's merge and export when the disk fails them (Xvfb + xdotool): an output disk that
# fills (a 16 kB tmpfs; the merged model is 19 kB), a read-only output file system, and an input truncated
# after Load. Each ends with one message naming the path and the cause, in the panel and in the error popup,
# with no partial output left; the inputs keep their bytes except the one truncated on purpose, and the
# window keeps answering (the popup closes, fields take new text, the next merge runs).
# The app runs in a private mount namespace (unshare -rm) that holds the two small file systems.
set -euo pipefail
: "${MERGELAB:?set MERGELAB to the mergelab binary}"
: "${MERGELAB_SOURCE:?set MERGELAB_SOURCE to the repository}"
source "$(cd "$(dirname "$0")" && pwd)/prelude.bash"
mkdir -p "$tmp/probe"
if ! unshare -rm sh -c 'mount -t tmpfs -o size=16k tmpfs "$1"' _ "$tmp/probe" 2>/dev/null; then
  echo "SKIP: no private mount namespace with a tmpfs here (unshare -rm, mount -t tmpfs)"
  exit 0
fi

# A copy of the digits family under a source root of its own: the panel opens it by default, and the
# truncation below touches only the copy.
models="$tmp/src/tests/data/digits/models"
mkdir -p "$models" "$tmp/ro" "$tmp/small"
for m in base ft_task0 ft_task1 ft_task2; do cp -r "$MERGELAB_SOURCE/tests/data/digits/models/$m" "$models/"; done
sums() { (cd "$models" && sha256sum */*); }
sums > "$tmp/sums.before"
MERGELAB_SOURCE="$tmp/src" unshare -rm sh -c '
  mount -t tmpfs -o ro,size=64k tmpfs "$1/ro" && mount -t tmpfs -o size=16k tmpfs "$1/small" || exit 3
  shift; exec "$@"' _ "$tmp" "$MERGELAB" --state-json "$state" --panels checkpoints --size 1600x1000 &
pid=$!

fail() { echo "FAIL: $*"; exit 1; }
py() { python3 -c "import sys, json; sys.path.insert(0, '$here'); from guilib import *; s = load_state('$state'); c = s.get('checkpoints', {}); $1"; }
show_state() { py "print({k: c.get(k) for k in ('loaded', 'loading', 'error', 'merge', 'export')})"; }
centre() { py "r = c['rects']['$1']; print(round((r[0] + r[2]) / 2), round((r[1] + r[3]) / 2))"; }
dismiss_error() { click_rect error_ok; wait_for "not c['error_popup']"; }
# Files left in a folder of the app's mount namespace (seen through /proc/PID/root).
left_in() { ls -A "/proc/$pid/root$1"; }
# merge_fails OUT PATTERN: a merge into OUT fails with one message matching PATTERN (a Python regex), shown in
# the panel and in the popup, with an empty progress bar; the popup is then closed.
merge_fails() {
  replace_text out_dir "$1"
  wait_for "c['merge']['out_dir'] == '$1'"
  click_rect merge
  wait_for "c['merge']['state'] == 'failed' and c['error_popup']"
  py "
import re
m = c['merge']
if not re.search(r'''$2''', m['message']): fail('merge message: %r' % m['message'])
if '\n' in m['message'].strip(): fail('more than one line: %r' % m['message'])
if not re.search(r'''$2''', c['error']): fail('popup: %r' % c['error'])
if m['bytes_done'] == m['bytes_total'] > 0: fail('a failed merge shows a full bar: %s' % m)
print('merge into $1:', m['message'])
"
  dismiss_error
}

wid="$(xdotool search --sync --name '^MergeLab$' | head -1)"
wait_for "'rects' in c and 'load' in c['rects']"
py "
if not c['base'].startswith('$tmp/src/'): fail('default base %s' % c['base'])
"
click_rect load
wait_for "c['loaded'] and not c['loading'] and len(c['tensors']) == 4 and c['compatible'] is True"

# 1. The output disk fills: ENOSPC names the file being written; the staging folder is removed.
merge_fails "$tmp/small/merged" "^.*$tmp/small/merged.*No space left on device"
[ -z "$(left_in "$tmp/small")" ] || fail "left on the full disk: $(left_in "$tmp/small")"

# 2. A read-only output file system.
merge_fails "$tmp/ro/merged" "^.*$tmp/ro/merged.*Read-only file system"
[ -z "$(left_in "$tmp/ro")" ] || fail "left on the read-only disk: $(left_in "$tmp/ro")"

# 3. Export onto the read-only file system: the YAML path and the cause; nothing written.
replace_text yaml_path "$tmp/ro/merge.yml"
wait_for "c['export']['path'] == '$tmp/ro/merge.yml'"
click_rect export
wait_for "c['export']['state'] == 'failed'"
py "
import re
m = c['export']['message']
if not re.search(r'$tmp/ro/merge.yml.*Read-only file system', m): fail('export message: %r' % m)
print('export onto a read-only disk:', m)
"
if py "sys.exit(0 if c['error_popup'] else 1)"; then dismiss_error; fi
[ -z "$(left_in "$tmp/ro")" ] || fail "left on the read-only disk: $(left_in "$tmp/ro")"

# The window still works: a merge to a writable place succeeds.
replace_text out_dir "$tmp/ok"
wait_for "c['merge']['out_dir'] == '$tmp/ok'"
click_rect merge
wait_for "c['merge']['state'] == 'done'"
[ -f "$tmp/ok/model.safetensors" ] || fail "no merged model after the failures"
sums | cmp -s - "$tmp/sums.before" || fail "an input changed"

# 4. An input truncated after Load: the merge names the input file; nothing is written.
truncate -s 4096 "$models/ft_task2/model.safetensors"
merge_fails "$tmp/trunc" "$models/ft_task2/model.safetensors"
[ ! -e "$tmp/trunc" ] || fail "output written from a truncated input"
ls -A "$tmp" | grep -q '^\.trunc' && fail "staging folder left: $(ls -A "$tmp")"
kill -0 "$pid" || fail "the app exited"
echo "PASS"
