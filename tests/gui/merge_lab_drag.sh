#!/usr/bin/env bash
# Merge Lab on the real window (Xvfb + xdotool): the leaderboard at the article's settings equals
# `mergelab lab`; dragging the alpha slider with the mouse changes alpha, the leaderboard (equal to
# `mergelab lab --alpha A` at the new alpha) and the pixels of the visible table; clicking a method's
# radio button and a leaderboard row selects that method (the sweep map follows); clicking a cell of
# the alpha x k map moves alpha and k to that cell, and the alpha x p map, recomputed in the background
# for the new k, equals `mergelab lab` at its best cell.
set -euo pipefail
source "$(dirname "$0")/prelude.bash"
"$MERGELAB" --state-json "$state" --panels merge_lab --size 1600x1000 &
pid=$!

py() { python3 -c "import sys, json; sys.path.insert(0, '$here'); from guilib import *; s = load_state('$state'); m = s.get('merge_lab', {}); $1"; }
wait_for() {
  for _ in $(seq 1 150); do
    if [[ -f "$state" ]] && py "sys.exit(0 if ($1) else 1)" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "FAIL: timed out waiting for: $1"; py "print(json.dumps(m.get('settings')), m.get('method'), m.get('combined'))" || true
  exit 1
}
# Centre of a control's rect from the dump, window coordinates.
centre() { py "r = m['rects']['$1']; print(round((r[0] + r[2]) / 2), round((r[1] + r[3]) / 2))"; }
click() {
  xdotool mousemove --window "$wid" "$1" "$2"; sleep 0.3
  xdotool mousedown 1; sleep 0.3
  xdotool mouseup 1; sleep 0.3
}
# Leaderboard of the dump == `mergelab lab` at the dump's alpha (every method the lab command knows).
check_against_cli() {
  local alpha
  alpha="$(py "print(repr(m['settings']['alpha']))")"
  "$MERGELAB" lab --json --alpha "$alpha" >"$tmp/lab.json"
  py "
cli = {r['method']: r for r in json.load(open('$tmp/lab.json'))['rows']}
board = {r['method']: r for r in m['leaderboard']}
for name, r in cli.items():
    if board[name]['accuracy'] != r['accuracy'] or board[name]['combined'] != r['combined']:
        fail('%s at alpha %s: panel %s, mergelab lab %s' % (name, m['settings']['alpha'], board[name]['accuracy'], r['accuracy']))
print('leaderboard == mergelab lab at alpha %s (%d methods)' % (m['settings']['alpha'], len(cli)))
"
}

wid="$(xdotool search --sync --name '^MergeLab$' | head -1)"
wait_for "'rects' in m and 'alpha' in m['rects'] and m['growth']['done'] == m['growth']['total']"
xdotool mousemove --window "$wid" 5 990; sleep 0.3  # no hover tooltip over the table

# The article's settings: TIES selected, 70.9% combined, LERP wins (76.2%), as 04_merge_lab.py.
py "
st = m['settings']
if (st['alpha'], st['k'], st['p'], st['seed'], st['sign_rule'], st['tasks']) != (0.7, 0.2, 0.9, 0, 0, [0, 1, 2]): fail('settings %s' % st)
if m['method'] != 'ties' or abs(m['combined'] - 638/900) > 1e-12: fail('ties combined %s' % m['combined'])
if m['winner'] != 'linear' or 'Recommendation: Linear' not in m['recommendation']: fail('winner %s' % m['winner'])
"
check_against_cli
import -window root "$tmp/before.png"

# Drag the alpha slider from its grab (alpha 0.7) to three quarters of its width (alpha ~1.5).
read -r x0 y0 x1 y1 < <(py "r = m['rects']['alpha']; print(*[round(v) for v in r])")
ya=$(( (y0 + y1) / 2 ))
xa=$(( x0 + (x1 - x0) * 7 / 20 ))
xb=$(( x0 + (x1 - x0) * 3 / 4 ))
xdotool mousemove --window "$wid" "$xa" "$ya"; sleep 0.3
xdotool mousedown 1; sleep 0.3
wait_for "abs(m['settings']['alpha'] - 0.7) < 0.1"
xdotool mousemove --window "$wid" $(( (xa + xb) / 2 )) "$ya"; sleep 0.3
wait_for "1.0 < m['settings']['alpha'] < 1.25"
xdotool mousemove --window "$wid" "$xb" "$ya"; sleep 0.3
wait_for "1.35 < m['settings']['alpha'] < 1.65"
xdotool mouseup 1; sleep 0.3
xdotool mousemove --window "$wid" 5 990; sleep 0.3
check_against_cli
py "
if abs(m['combined'] - 638/900) < 1e-12: fail('TIES combined did not change with alpha')
print('alpha dragged to %.3f: TIES combined %.1f%%' % (m['settings']['alpha'], 100 * m['combined']))
"
# The visible leaderboard changed: its pixels differ from the first capture.
import -window root "$tmp/after.png"
python3 - "$tmp/before.png" "$tmp/after.png" "$state" "$here" <<'PY'
import sys
sys.path.insert(0, sys.argv[4])
from guilib import read_png, load_state, fail
_, _, a = read_png(sys.argv[1])
_, _, b = read_png(sys.argv[2])
m = load_state(sys.argv[3])['merge_lab']
r0, r1 = m['rects']['row_linear'], m['rects']['row_dare_linear']
diff = sum(1 for y in range(int(r0[1]), int(r1[3])) for x in range(int(r0[0]), int(r0[2])) if a[y][x] != b[y][x])
if diff < 50: fail('leaderboard pixels unchanged after the drag (%d differ)' % diff)
print('leaderboard pixels changed: %d' % diff)
PY

# Method by its leaderboard row: DARE-TIES; the alpha x k map follows it (DARE-TIES trims by k too).
read -r cx cy < <(centre row_dare_ties)
click $(( cx - 40 )) "$cy"
wait_for "m['method'] == 'dare_ties'"
wait_for "m['k_map']['method'] == 'dare_ties'"
py "
row = [r for r in m['leaderboard'] if r['method'] == 'dare_ties'][0]
if m['combined'] != row['combined'] or m['accuracy'] != row['accuracy']: fail('selected numbers differ from its row')
print('method dare_ties: combined %.1f%%' % (100 * m['combined']))
"
# Method by its leaderboard row: Task arithmetic; no k or p: the maps fall back to TIES and DARE-TIES.
read -r cx cy < <(centre row_task_arithmetic)
click "$cx" "$cy"
wait_for "m['method'] == 'task_arithmetic' and m['k_map']['method'] == 'ties' and m['p_map']['method'] == 'dare_ties'"

# A cell of the alpha x k map: alpha 0.5, k 0.5 (cell centres are grid values; the map spans half a cell
# beyond the first and last values).
# The canvas' plot area sits inside the reserved rect (axes margins): the dump gives the plot frame.
read -r fx0 fy0 fx1 fy1 < <(py "f = m['k_frame']; print(*f)")
tx=$(python3 -c "print(round($fx0 + ($fx1 - $fx0) * (0.5 + 0.025) / 2.05))")
ty=$(python3 -c "print(round($fy1 - ($fy1 - $fy0) * (0.5 - 0.025) / 1.0))")
click "$tx" "$ty"
wait_for "abs(m['settings']['alpha'] - 0.5) < 1e-9 and abs(m['settings']['k'] - 0.5) < 1e-9"
py "print('map click: alpha %s, k %s' % (m['settings']['alpha'], m['settings']['k']))"
# k changed, so the alpha x p map (DARE-TIES trims by k) is recomputed in the background: once it has
# arrived, its best cell equals `mergelab lab` at that cell's alpha and p with the new k.
wait_for "not m['p_map']['pending'] and m['p_map']['best'] is not None"
read -r ba bp bc < <(py "b = m['p_map']['best']; print(repr(b['alpha']), repr(b['value']), repr(b['combined']))")
"$MERGELAB" lab --json --alpha "$ba" --k 0.5 --p "$bp" --methods dare_ties >"$tmp/cell.json"
py "
row = json.load(open('$tmp/cell.json'))['rows'][0]
if row['combined'] != $bc: fail('p map best cell (alpha $ba, p $bp) %s, mergelab lab at k 0.5: %s' % ($bc, row['combined']))
print('alpha x p map recomputed for k 0.5: best alpha $ba, p $bp, combined %.1f%% == mergelab lab' % (100 * $bc))
"

kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
echo "PASS"
