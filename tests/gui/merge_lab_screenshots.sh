#!/usr/bin/env bash
# Screenshots of the Merge Lab, Task Arithmetic and TIES Anatomy panels (--screenshot, 1600x1000) checked
# for content at the places the state dump of the same run gives: the bars in the task and merged
# colours, the sweep maps in Viridis with the current-setting ring, the growth curves of DARE and
# DARE-TIES, the gold merged bars of task arithmetic, and red, blue and grey cells in the TIES matrix.
set -euo pipefail
: "${MERGELAB:?set MERGELAB to the mergelab binary}"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

for panel in merge_lab task_arithmetic ties_anatomy; do
  xvfb-run -a -s '-screen 0 1920x1080x24' "$MERGELAB" --panels "$panel" --frames 3 --size 1600x1000 \
    --screenshot "$tmp/$panel.png" --state-json "$tmp/$panel.json" >/dev/null
  [[ -f "$tmp/$panel.png" ]] || { echo "FAIL: no screenshot of $panel"; exit 1; }
done

python3 - "$tmp" "$here" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from guilib import read_png, load_state, near, fail
tmp = sys.argv[1]

def count(px, rect, col, tol):
    x0, y0, x1, y1 = [int(round(v)) for v in rect]
    return sum(1 for y in range(y0, y1) for x in range(x0, x1) if near(px[y][x], col, tol))

vir = [(68,1,84),(71,44,122),(59,81,139),(44,113,142),(33,144,141),(39,173,129),(92,200,99),(170,220,50),(253,231,37)]
def on_viridis(col):
    best = 1e9
    for k in range(8):
        for f in [i / 8 for i in range(9)]:
            q = [vir[k][j] + f * (vir[k+1][j] - vir[k][j]) for j in range(3)]
            best = min(best, max(abs(q[j] - col[j]) for j in range(3)))
    return best <= 30

GOLD, GREY = (255, 215, 0), (150, 150, 150)
TASK = [(255, 99, 71), (80, 170, 255), (110, 200, 120)]

# --- Merge Lab ---------------------------------------------------------------------------------
w, h, px = read_png(tmp + '/merge_lab.png')
m = load_state(tmp + '/merge_lab.json')['merge_lab']
if (w, h) != (1600, 1000): fail('size %dx%d' % (w, h))
r = m['rects']
if count(px, r['bars'], GOLD, 10) < 2000: fail('merged (gold) bars missing')
if count(px, r['bars'], GREY, 10) < 2000: fail('pretrained (grey) bars missing')
for i, c in enumerate(TASK):
    if count(px, r['bars'], c, 12) < 2000: fail('specialist %d bars missing' % i)
for key, frame in (('k', m['k_frame']), ('p', m['p_frame'])):
    x0, y0, x1, y1 = [int(round(v)) for v in frame]
    samples = [px[y][x] for y in range(y0 + 3, y1 - 3, 7) for x in range(x0 + 3, x1 - 3, 7)]
    share = sum(on_viridis(c) for c in samples) / len(samples)
    if share < 0.9: fail('%s map: only %.0f%% of its pixels on Viridis' % (key, 100 * share))
    # The current setting (alpha 0.7, k 0.2 / p 0.9) carries a white ring.
    val = m['settings']['k' if key == 'k' else 'p']
    lo = 0.05 if key == 'k' else 0.0
    cx = x0 + (x1 - x0) * (0.7 + 0.025) / 2.05
    cy = y1 - (y1 - y0) * (val - lo + 0.025) / 1.0
    ring = count(px, (cx - 12, cy - 12, cx + 12, cy + 12), (255, 255, 255), 30)
    if ring < 20: fail('%s map: no ring at the current setting (%d white pixels)' % (key, ring))
# Growth curves: DARE-TIES (blue, method index 3) and DARE (green, index 5) are drawn 3 px wide.
if count(px, r['growth'], (80, 170, 255), 30) < 150: fail('no DARE-TIES growth curve')
if count(px, r['growth'], (110, 220, 120), 30) < 150: fail('no DARE growth curve')
print('merge lab ok')

# --- Task Arithmetic ---------------------------------------------------------------------------
w, h, px = read_png(tmp + '/task_arithmetic.png')
t = load_state(tmp + '/task_arithmetic.json')['task_arithmetic']
b = t['rects']['bars']
gold = count(px, b, GOLD, 10)
if gold < 20000: fail('task arithmetic: merged bars missing (%d gold pixels)' % gold)
# The three gold bars' heights follow the accuracies 79.7 > 71.7 > 68.3 (%): compare the columns' tops.
x0, y0, x1, y1 = [int(round(v)) for v in b]
tops = []
for g in range(3):
    xs = [x for x in range(x0 + (x1 - x0) * g // 3, x0 + (x1 - x0) * (g + 1) // 3) if near(px[(y0 + y1) // 2 + 100][x], GOLD, 10)]
    if not xs: fail('no gold bar in group %d' % g)
    xc = xs[len(xs) // 2]
    tops.append(min(y for y in range(y0, y1) if near(px[y][xc], GOLD, 10)))
if not (tops[0] < tops[2] < tops[1]): fail('gold bar tops %s do not follow 79.7 > 71.7 > 68.3' % tops)
print('task arithmetic ok: bar tops %s' % tops)

# --- TIES Anatomy ------------------------------------------------------------------------------
w, h, px = read_png(tmp + '/ties_anatomy.png')
a = load_state(tmp + '/ties_anatomy.json')['ties_anatomy']
mr = a['rects']['matrix']
red = count(px, mr, (227, 66, 51), 60)
blue = count(px, mr, (51, 120, 230), 60)
grey = count(px, mr, (92, 92, 92), 14)
if red < 2000 or blue < 2000: fail('matrix: red %d blue %d' % (red, blue))
if grey < 10000: fail('matrix: trimmed (grey) cells missing: %d' % grey)
if a['step'] != 3 or a['conflicts'] != 158: fail('ties state %s' % a)
print('ties anatomy ok: red %d blue %d grey %d' % (red, blue, grey))
PY
echo "PASS"
