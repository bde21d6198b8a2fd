#!/usr/bin/env bash
# Screenshot of the explorer (SLERP scene, t = 0.5): size, and pixel colours where the heat map, the
# markers and both paths must be (positions from the state dump of the same run). Also: a clear error
# without a display.
set -euo pipefail
: "${MERGELAB:?set MERGELAB to the mergelab binary}"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if env -u DISPLAY "$MERGELAB" --frames 1 >"$tmp/out" 2>&1; then echo "FAIL: ran without a display"; exit 1; fi
grep -q "xvfb-run" "$tmp/out" || { echo "FAIL: no-display message does not mention xvfb-run"; cat "$tmp/out"; exit 1; }

xvfb-run -a -s '-screen 0 1920x1080x24' "$MERGELAB" --scene slerp --frames 3 --size 1600x1000 \
  --panels explorer,curves,training --screenshot "$tmp/shot.png" --state-json "$tmp/state.json"
[[ -f "$tmp/shot.png" && ! -e "$tmp/shot.png.tmp.png" ]] || { echo "FAIL: no screenshot"; exit 1; }

python3 - "$tmp/shot.png" "$tmp/state.json" "$here" <<'PY'
import math, sys
sys.path.insert(0, sys.argv[3])
from guilib import read_png, load_state, near, fail
w, h, px = read_png(sys.argv[1])
s = load_state(sys.argv[2])
if (w, h) != (1600, 1000): fail('size %dx%d' % (w, h))
c = s['canvas']
x0, y0, x1, y1 = c['rect']
d = c['data']
def screen(a, b):
    return (x0 + (a - d[0]) / (d[1] - d[0]) * (x1 - x0), y1 - (b - d[2]) / (d[3] - d[2]) * (y1 - y0))
def at(p):
    return px[int(round(p[1]))][int(round(p[0]))]
def any_near(p, col, tol, r=2):
    xs, ys = int(round(p[0])), int(round(p[1]))
    return any(near(px[y][x], col, tol) for y in range(ys - r, ys + r + 1) for x in range(xs - r, xs + r + 1))
# Markers: centres are filled with their colour.
if not near(at(c['w_a']), (255, 99, 71), 12): fail('W_A marker colour %s' % (at(c['w_a']),))
if not near(at(c['w_b']), (80, 170, 255), 12): fail('W_B marker colour %s' % (at(c['w_b']),))
if not near(at(c['point']), (255, 215, 0), 12): fail('merge point colour %s' % (at(c['point']),))
# The active SLERP arc (magenta, 3 px) at t = 0.25 and the faint LERP chord at t = 0.8.
a, b = s['w_a'], s['w_b']
na, nb = math.hypot(*a), math.hypot(*b)
om = math.acos((a[0]*b[0] + a[1]*b[1]) / (na*nb))
sl = [math.sin(0.75*om)/math.sin(om)*a[i] + math.sin(0.25*om)/math.sin(om)*b[i] for i in range(2)]
if not any_near(screen(*sl), (255, 64, 200), 40): fail('no SLERP arc at t=0.25')
le = [0.2*a[i] + 0.8*b[i] for i in range(2)]
xs, ys = screen(*le)
if not any(min(px[y][x]) > 150 for y in range(int(ys)-2, int(ys)+3) for x in range(int(xs)-2, int(xs)+3)):
    fail('no LERP chord at t=0.8')
# Heat map: Viridis everywhere (dark violet in the valley of the combined loss, green-yellow far out).
vir = [(68,1,84),(71,44,122),(59,81,139),(44,113,142),(33,144,141),(39,173,129),(92,200,99),(170,220,50),(253,231,37)]
def on_viridis(col):
    best = 1e9
    for k in range(8):
        for f in [i / 8 for i in range(9)]:
            q = [vir[k][j] + f * (vir[k+1][j] - vir[k][j]) for j in range(3)]
            best = min(best, max(abs(q[j] - col[j]) for j in range(3)))
    return best
valley = at(screen(1.2, 1.2))
if on_viridis(valley) > 40 or valley[0] > 90: fail('valley colour %s' % (valley,))
corner = at(screen(-0.9, -0.9))
if on_viridis(corner) > 40 or corner[1] < 150: fail('high-loss corner colour %s' % (corner,))
print('screenshot ok: %dx%d, valley %s, corner %s' % (w, h, valley, corner))
PY
echo "PASS"
