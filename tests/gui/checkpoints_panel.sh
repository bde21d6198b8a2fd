#!/usr/bin/env bash
# Checkpoints panel on the real window (Xvfb + xdotool): the fixture family (tests/data/digits/models: base,
# ft_task0..2) is pre-filled; Load opens it on a worker thread; the state dump reports the 4 tensors, the
# compatibility result and the same per-tensor diagnostics as `mergelab inspect --json`; sorting by a header and
# selecting a row (histogram threshold = the int(density n)-th largest |tau| at the model's density); task_arithmetic chosen from the
# method list; Export YAML and Merge into a temporary folder (the output loads with `mergelab inspect`, and its
# tensors equal a `mergelab merge` of the exported YAML); a second Merge without force is refused with an error
# popup, with force it replaces the folder. Last: a screenshot of the loaded panel.
set -euo pipefail
: "${MERGELAB:?set MERGELAB to the mergelab binary}"
: "${MERGELAB_SOURCE:?set MERGELAB_SOURCE to the repository}"
source "$(cd "$(dirname "$0")" && pwd)/prelude.bash"
shot_out="${2:-}"
models="$MERGELAB_SOURCE/tests/data/digits/models"
export MERGELAB_SOURCE
# TIES with a density per model (0.3, 0.35, 0.5; the table's slider stays at 0.2): the histogram follows its
# model's density.
cat > "$tmp/session.json" <<JSON
{"mergelab_scene": 1, "view": "checkpoints", "panels": ["checkpoints"],
 "panel_settings": {"checkpoints": {"method": "ties",
   "model_params": [{"weight": 1, "density": 0.3}, {"weight": 1, "density": 0.35}, {"weight": 1, "density": 0.5}]}}}
JSON
"$MERGELAB" --session "$tmp/session.json" --state-json "$state" --size 1600x1000 &
pid=$!

py() { python3 -c "import sys, json; sys.path.insert(0, '$here'); from guilib import *; s = load_state('$state'); c = s.get('checkpoints', {}); $1"; }
show_state() { py "print({k: c.get(k) for k in ('loaded', 'loading', 'error', 'method', 'merge', 'export', 'selected', 'sort')})"; }
centre() { py "r = c['rects']['$1']; print(round((r[0] + r[2]) / 2), round((r[1] + r[3]) / 2))"; }

wid="$(xdotool search --sync --name '^MergeLab$' | head -1)"
wait_for "'rects' in c and 'load' in c['rects']"
py "
if s['lecture']['view'] != 'checkpoints': fail('view %s' % s['lecture']['view'])
if c['loaded']: fail('loaded before Load was pressed')
import os
want = [os.path.join('$models', n) for n in ('base', 'ft_task0', 'ft_task1', 'ft_task2')]
got = [c['base']] + c['models']
if [os.path.realpath(p) for p in got] != [os.path.realpath(p) for p in want]: fail('defaults %s' % got)
"

# Load: 4 tensors, compatible, diagnostics equal to the CLI's.
click_rect load
wait_for "c['loaded'] and not c['loading'] and len(c['tensors']) == 4"
"$MERGELAB" inspect --json --density "$(py "print(c['diagnostics_density'])")" --base "$models/base" \
  "$models/ft_task0" "$models/ft_task1" "$models/ft_task2" > "$tmp/inspect.json"
py "
ref = json.load(open('$tmp/inspect.json'))
if c['n_tensors'] != 4: fail('n_tensors %s' % c['n_tensors'])
if c['compatible'] is not True or ref['compatible'] is not True: fail('compatible %s' % c['compatible'])
if [m['mergeable'] for m in c['compat']] != [True] * 3: fail('compat %s' % c['compat'])
for m, r in zip(c['compat'], ref['models']):
    if abs(m['cosine_to_base'] - r['cosine_to_base']) > 1e-12: fail('cosine to base %s vs %s' % (m, r))
by = {t['name']: t for t in c['tensors']}
for r in ref['tensors']:
    t = by[r['name']]
    if t['shape'] != r['shape']: fail('shape of %s' % r['name'])
    if max(abs(a - b) for a, b in zip(t['norms'], r['norms'])) > 1e-12: fail('norms of %s' % r['name'])
    if abs(t['sign_conflict'] - r['sign_conflict_rate']) > 1e-12: fail('sign conflict of %s' % r['name'])
    if abs(t['kept'] - sum(r['kept_fraction']) / 3) > 1e-12: fail('kept of %s' % r['name'])
print('loaded: %d tensors, compatible, diagnostics equal inspect --json' % len(c['tensors']))
"

# Sort by sign conflict (column 2 + 3 models + 1), ascending then descending.
ncol=6
click_rect "header_$ncol"
wait_for "c['sort']['column'] == $ncol"
py "
conf = {t['name']: t['sign_conflict'] for t in c['tensors']}
vals = [conf[n] for n in c['order']]
asc = c['sort']['ascending']
if vals != sorted(vals, reverse=not asc): fail('order %s not sorted by sign conflict' % c['order'])
"
first_dir="$(py "print(c['sort']['ascending'])")"
click_rect "header_$ncol"
wait_for "c['sort']['column'] == $ncol and str(c['sort']['ascending']) != '$first_dir'"
py "
conf = {t['name']: t['sign_conflict'] for t in c['tensors']}
vals = [conf[n] for n in c['order']]
if vals != sorted(vals, reverse=not c['sort']['ascending']): fail('order %s after the second click' % c['order'])
print('sorted by sign conflict both ways:', c['order'])
"

# Select the tensor of the second row: its histogram threshold is the int(density n)-th largest |tau| of ft_task0,
# at ft_task0's own density.
click_rect row_1
wait_for "c['selected'] == c['order'][1] and c.get('histogram', {}).get('tensor') == c['order'][1]"
py "
h = c['histogram']
t = [x for x in c['tensors'] if x['name'] == h['tensor']][0]
n = 1
for d in t['shape']: n *= d
if h['numel'] != n: fail('histogram numel %s != %s' % (h['numel'], n))
import struct
def read(path, name):
    data = open(path, 'rb').read()
    n = struct.unpack('<Q', data[:8])[0]
    e = json.loads(data[8:8 + n])[name]
    a, b = e['data_offsets']
    body = data[8 + n + a:8 + n + b]
    return struct.unpack('<%df' % (len(body) // 4), body)
f32 = lambda x: struct.unpack('f', struct.pack('f', x))[0]
base = read('$models/base/model.safetensors', h['tensor'])
ft = read('$models/ft_task0/model.safetensors', h['tensor'])
mags = sorted((abs(f32(m - b)) for m, b in zip(ft, base)), reverse=True)
k = int(h['density'] * n)
if c['density'] != 0.2: fail('table density %s' % c['density'])
if (h['density'], h['density_of']) != (0.3, \"ft_task0's\") or k < 1: fail('histogram density %s of %s' % (h['density'], h['density_of']))
zeros = sum(1 for v in mags if v == 0)
if h['zeros'] != zeros or h['binned'] != n - zeros: fail('zeros %s / binned %s, expected %d / %d' % (h['zeros'], h['binned'], zeros, n - zeros))
if h['threshold'] != mags[k - 1]: fail('threshold %r, expected the %d-th largest |tau| %r' % (h['threshold'], k, mags[k - 1]))
print('histogram of %s: %d values, threshold %.4g' % (h['tensor'], h['numel'], h['threshold']))
"

# Method: task_arithmetic from the list.
click_rect method
wait_for "'method_task_arithmetic' in c['rects']"
click_rect method_task_arithmetic
wait_for "c['method'] == 'task_arithmetic'"

# Export YAML.
type_into yaml_path "$tmp/merge.yml"
wait_for "c['export']['path'] == '$tmp/merge.yml'"
click_rect export
wait_for "c['export']['state'] == 'done'"
[[ -s "$tmp/merge.yml" ]] || { echo "FAIL: no YAML written"; exit 1; }
grep -q "merge_method: task_arithmetic" "$tmp/merge.yml" || { echo "FAIL: YAML without task_arithmetic"; cat "$tmp/merge.yml"; exit 1; }

# Merge into a new folder; the output loads and equals the CLI's merge of the exported YAML.
type_into out_dir "$tmp/merged"
wait_for "c['merge']['out_dir'] == '$tmp/merged'"
click_rect merge
wait_for "c['merge']['state'] == 'done'"
py "
m = c['merge']
if (m['tensors_done'], m['tensors_total']) != (4, 4): fail('progress %s' % m)
if m['bytes_done'] != m['bytes_total'] or m['bytes_total'] == 0: fail('bytes %s' % m)
"
"$MERGELAB" inspect --json "$tmp/merged" > "$tmp/merged.json"
"$MERGELAB" merge "$tmp/merge.yml" --out "$tmp/cli" --quiet
python3 - "$tmp/merged/model.safetensors" "$tmp/cli/model.safetensors" "$tmp/merged.json" <<'EOF'
import json, struct, sys
def tensors(path):
    data = open(path, 'rb').read()
    n = struct.unpack('<Q', data[:8])[0]
    head = json.loads(data[8:8 + n])
    body = data[8 + n:]
    return {k: (v['dtype'], v['shape'], body[v['data_offsets'][0]:v['data_offsets'][1]])
            for k, v in head.items() if k != '__metadata__'}
gui, cli = tensors(sys.argv[1]), tensors(sys.argv[2])
listing = json.load(open(sys.argv[3]))
names = sorted(t['name'] for t in listing['checkpoints'][0]['tensors'])
if names != sorted(gui): print('FAIL: inspect lists', names); sys.exit(1)
if len(gui) != 4 or gui != cli: print('FAIL: GUI merge differs from mergelab merge of the exported YAML'); sys.exit(1)
print('merged: %d tensors, identical to mergelab merge of the exported YAML' % len(gui))
EOF

# A second merge into the same folder without force is refused (error popup); with force it replaces it.
click_rect merge
wait_for "c['merge']['state'] == 'failed' and c['error_popup']"
py "
if 'exist' not in c['merge']['message']: fail('refusal message: %s' % c['merge']['message'])
print('refused without force:', c['merge']['message'])
"
click_rect error_ok
wait_for "not c['error_popup']"
click_rect force_merge
wait_for "c['merge']['force']"
click_rect merge
wait_for "c['merge']['state'] == 'done'"

# Export again without force: refused.
click_rect export
wait_for "c['export']['state'] == 'failed' and c['error_popup']"
click_rect error_ok
wait_for "not c['error_popup']"

# The folder browser of the base path lists the models folder (read on its own thread, sorted, folders first).
click_rect base_browse
wait_for "not c['browser']['reading'] and {'base', 'ft_task0', 'ft_task1', 'ft_task2'} <= set(c['browser']['entries'])"
py "
import os
if c['browser']['entries'] != sorted(c['browser']['entries']): fail('browser entries not sorted: %s' % c['browser']['entries'])
if os.path.realpath(c['browser']['dir']) != os.path.realpath('$models'): fail('browser dir %s' % c['browser']['dir'])
print('browser: %s' % ', '.join(c['browser']['entries']))
"

kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

# Screenshot (the session above): the fixture family loads before the frame in screenshot mode; the histogram's
# threshold lines at ft_task0's density (yellow 240, 228, 66) are drawn.
"$MERGELAB" --session "$tmp/session.json" --size 1600x1000 --frames 6 --screenshot "$tmp/shot.png"
python3 -c "
import sys; sys.path.insert(0, '$here'); from guilib import *
w, h, rows = read_png('$tmp/shot.png')
if (w, h) != (1600, 1000): fail('screenshot size %dx%d' % (w, h))
yellow = sum(1 for row in rows[h // 2:] for p in row[w // 3:] if near(p, (240, 228, 66), 12))
if yellow < 50: fail('no threshold lines in the screenshot (%d yellow pixels)' % yellow)
print('screenshot: %d threshold pixels' % yellow)
"
if [[ -n "$shot_out" ]]; then cp "$tmp/shot.png" "$shot_out"; fi
echo "PASS"
