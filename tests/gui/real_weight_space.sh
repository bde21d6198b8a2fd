#!/usr/bin/env bash
# The Weight space view of the user's checkpoints on the real window (Xvfb + xdotool), on the digits family:
# the path ft_task0 -> ft_task1 computes in the background and its barrier verdict (none, threshold 0.1 x the mean
# end loss) is that of `mergelab path`; dragging the merge point along t moves it, and its read-out metrics equal
# `mergelab merge` of the linear recipe with weights (1 - t, t) scored by `mergelab eval`; the task plane computes
# when its tab opens and puts task arithmetic's merge on the plane at (1, 1); a click on a cell reads its metrics, those of
# the cell's task-arithmetic merge.
set -euo pipefail
source "$(dirname "$0")/prelude.bash"
D="$MERGELAB_TEST_DATA/digits"
"$MERGELAB" --state-json "$state" --panels real_weight_space --size 1280x720 &
pid=$!

py() { python3 -c "import sys, json; sys.path.insert(0, '$here'); from guilib import *; s = load_state('$state'); w = s.get('real_weight_space') or {}; $1"; }
show_state() { py "print(json.dumps({k: w.get(k) for k in ('loaded', 'error', 'tab', 'path', 'plane')})[:3000])"; }
centre() { py "r = w['rects']['$1']; print(round((r[0] + r[2]) / 2), round((r[1] + r[3]) / 2))"; }

wid="$(xdotool search --sync --name '^MergeLab$' | head -1)"
wait_for "w.get('loaded') and w['path']['done'] and w['path']['merge_scored_t'] == w['path']['merge_t']"
py "
if w['family'] != ['base', 'ft_task0', 'ft_task1'] or w['language_model']: fail('family %s' % w['family'])
if w['path']['lerp_points'] != 27: fail('LERP points %s (21 grid + 6 refined)' % w['path']['lerp_points'])
"
"$MERGELAB" path "$D/models/ft_task0" "$D/models/ft_task1" --data "$D/data" --json > "$tmp/path.json" 2> /dev/null
py "
cli = json.load(open('$tmp/path.json'))['barrier']
b = w['path']['lerp_barrier']
if b['present'] or cli['present']: fail('ft_task0 <-> ft_task1 should stay low: %s' % b['verdict'])
if b['verdict'] != cli['verdict'] or b['height'] != cli['height'] or b['threshold'] != cli['threshold']: fail('%s != %s' % (b, cli))
if 'threshold' not in b['verdict'] or '0.1 x the mean end value' not in b['verdict']: fail(b['verdict'])
"

# Drag the merge point from t = 0.5 to about a quarter of the plot's width, in two moves, and release.
read -r x0 y0 x1 y1 < <(py "r = w['path']['plot_rect']; print(*[round(v) for v in r])")
ym=$(( (y0 + y1) / 2 ))
xdotool mousemove --window "$wid" $(( (x0 + x1) / 2 )) "$ym"; sleep 0.3
xdotool mousedown 1; sleep 0.3
xdotool mousemove --window "$wid" $(( x0 + (x1 - x0) * 4 / 10 )) "$ym"; sleep 0.3
xdotool mousemove --window "$wid" $(( x0 + (x1 - x0) / 4 )) "$ym"; sleep 0.3
xdotool mouseup 1; sleep 0.3
wait_for "abs(w['path']['merge_t'] - 0.25) < 0.01 and w['path']['merge_scored_t'] == w['path']['merge_t']"
t="$(py "print(repr(w['path']['merge_t']))")"
one_minus_t="$(python3 -c "print(repr(1.0 - $t))")"
cat > "$tmp/linear.yml" <<YAML
merge_method: linear
models:
  - model: $D/models/ft_task0
    parameters: {weight: $one_minus_t}
  - model: $D/models/ft_task1
    parameters: {weight: $t}
dtype: float32
YAML
"$MERGELAB" merge "$tmp/linear.yml" --out "$tmp/linear" --quiet > /dev/null
"$MERGELAB" eval "$tmp/linear" --data "$D/data" --json > "$tmp/linear.json"
py "
ref = json.load(open('$tmp/linear.json'))
m = w['path']['merge_metrics']
for task in ('task0', 'task1', 'task2'):
    if m[task + '.acc'] != ref[task]['acc'] or abs(m[task + '.loss'] - ref[task]['loss']) > 1e-9: fail('%s at t = $t: %s vs %s' % (task, m, ref[task]))
if abs(m['combined.loss'] - ref['combined']['loss']) > 1e-9: fail('combined at t = $t: %s vs %s' % (m['combined.loss'], ref['combined']))
print('merge point t = $t: the read-out equals mergelab merge + eval')
"
import -window "$wid" "$tmp/path.png"

# Task plane: opening the tab computes it; wait for the grid and the markers.
read -r cx cy < <(centre "tab.Task plane"); click "$cx" "$cy"
wait_for "w['plane']['done']"
py "
p = w['plane']
if p['cells'] != 441: fail('plane cells %s' % p['cells'])
m = {x['name']: x for x in p['markers']}
ta = m['task_arithmetic']
if abs(ta['a'] - 1) > 1e-5 or abs(ta['b'] - 1) > 1e-5 or ta['relative_distance'] > 1e-5: fail('task arithmetic marker %s' % ta)
if not {'ties', 'slerp', 'linear', 'dare_ties'} <= set(m): fail('markers %s' % sorted(m))
"
# Click the cell (a, b) = (0.5, 0.5) (grid -0.5..1.5 in steps of 0.1: index 10 on each axis).
read -r cx cy < <(py "
r = w['plane']['plot_rect']; a, b = w['plane']['a_values'], w['plane']['b_values']
da, db = (a[1] - a[0]) / 2, (b[1] - b[0]) / 2
fx = (0.5 - (a[0] - da)) / (a[-1] + da - (a[0] - da)); fy = (0.5 - (b[0] - db)) / (b[-1] + db - (b[0] - db))
print(round(r[0] + fx * (r[2] - r[0])), round(r[3] - fy * (r[3] - r[1])))")
click "$cx" "$cy"
wait_for "w['plane']['selected'] == 10 * 21 + 10 and 'selected_metrics' in w['plane']"
"$MERGELAB" plane "$D/models/base" "$D/models/ft_task0" "$D/models/ft_task1" --data "$D/data" --grid 21 --no-markers --csv \
  > "$tmp/plane.csv" 2> /dev/null
py "
import csv
row = list(csv.DictReader(open('$tmp/plane.csv')))[10 * 21 + 10]
if float(row['a']) != w['plane']['a_values'][10] or float(row['b']) != w['plane']['b_values'][10]: fail('cell %s' % row)
m = w['plane']['selected_metrics']
if float(row['combined.loss']) != m['combined.loss']: fail('clicked cell %s vs mergelab plane %s' % (m, row['combined.loss']))
"
import -window "$wid" "$tmp/plane.png"
echo "real weight space view: ok"
