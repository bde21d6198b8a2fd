#!/usr/bin/env bash
# Every built-in lecture scene (assets/scenes/*.json) loads, renders under Xvfb, and its state dump
# equals the scene file's settings (toy fields, visible panels, panel settings, view, focus, title,
# caption, hidden controls, held-back results); its screenshot is checked for content (pixel colours
# where the scene must draw something). One Xvfb session for all nine; a presentation-view run of
# scene 2 checks full screen, scale and the high-contrast palette.
set -euo pipefail
: "${MERGELAB:?set MERGELAB to the mergelab binary}"
: "${MERGELAB_SOURCE:?set MERGELAB_SOURCE to the source tree}"
here="$(cd "$(dirname "$0")" && pwd)"
if [[ "${1:-}" != "--inner" ]]; then
  exec xvfb-run -a -s '-screen 0 1920x1080x24' bash "$0" --inner
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
scenes="$MERGELAB_SOURCE/assets/scenes"

n=0
for f in "$scenes"/*.json; do
  n=$((n + 1))
  "$MERGELAB" --scene "$n" --frames 3 --size 1600x1000 --screenshot "$tmp/s$n.png" --state-json "$tmp/s$n.json" >/dev/null
  python3 - "$f" "$tmp/s$n.json" "$tmp/s$n.png" "$here" "$n" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[4])
from guilib import read_png, load_state, near, fail
scene = json.load(open(sys.argv[1]))
s = load_state(sys.argv[2])
num = int(sys.argv[5])
name = sys.argv[1].split('/')[-1]

def subset(want, got, path):
    """Every field of the scene file has the same value in the dump."""
    if isinstance(want, dict):
        if not isinstance(got, dict): fail('%s %s: not an object in the dump' % (name, path))
        for k, v in want.items():
            if k not in got: fail('%s %s.%s missing from the dump' % (name, path, k))
            subset(v, got[k], path + '.' + k)
    elif isinstance(want, float) or isinstance(got, float):
        if abs(want - got) > 1e-9: fail('%s %s: file %r, dump %r' % (name, path, want, got))
    elif want != got:
        fail('%s %s: file %r, dump %r' % (name, path, want, got))

L = s['lecture']
if L['number'] != scene['number'] or L['title'] != scene['title'] or L['caption'] != scene['caption']:
    fail('%s: number/title/caption %r %r' % (name, L['number'], L['title']))
if L['index'] != num - 1 or L['deck_size'] != 10: fail('%s: deck %d of %d' % (name, L['index'], L['deck_size']))
for k in ('focus', 'hidden_controls', 'hold_back', 'view'):
    if k in scene and L[k] != scene[k]: fail('%s: %s file %r dump %r' % (name, k, scene[k], L[k]))
subset(scene.get('toy', {}), s['scene'], 'toy')
subset(scene.get('panel_settings', {}), s['panel_settings'], 'panel_settings')
shown = sorted([p for p, v in s['panels'].items() if v] + L['missing_panels'])
if shown != sorted(scene['panels']): fail('%s: visible panels %s, file %s' % (name, shown, scene['panels']))
if L['revealed'] != (not scene['hold_back']): fail('%s: revealed %s' % (name, L['revealed']))

# Content of the screenshot.
w, h, px = read_png(sys.argv[3])
if (w, h) != (1600, 1000): fail('%s: size %dx%d' % (name, w, h))
rects = s['window']['panel_rects']
def region(r, step=3):
    x0, y0, x1, y1 = [int(v) for v in r]
    return [px[y][x] for y in range(max(0, y0), min(h, y1), step) for x in range(max(0, x0), min(w, x1), step)]
def count(pixels, col, tol=14):
    return sum(1 for p in pixels if near(p, col, tol))
def colours(pixels):
    return len(set((p[0] // 8, p[1] // 8, p[2] // 8) for p in pixels))
VIR = [(68,1,84),(59,81,139),(33,144,141),(92,200,99),(253,231,37)]
if 'explorer' in scene['panels']:
    c = s['canvas']
    canvas = region(c['rect'])
    at = lambda p: px[int(round(p[1]))][int(round(p[0]))]
    a_col = (255, 215, 0) if scene['toy'].get('t', 0) == 0 else (255, 99, 71)  # at t = 0 the gold point covers W_A
    if not near(at(c['w_a']), a_col, 14): fail('%s: W_A marker %s' % (name, at(c['w_a'])))
    if not near(at(c['w_b']), (80, 170, 255), 14): fail('%s: W_B marker %s' % (name, at(c['w_b'])))
    vir = sum(count(canvas, v, 30) for v in VIR)
    if 'barrier' in scene['hold_back']:
        if s['explorer']['heat_map_shown'] or vir > 0.02 * len(canvas): fail('%s: held-back heat map shown (%d)' % (name, vir))
    elif vir < 0.05 * len(canvas): fail('%s: heat map missing (%d of %d viridis pixels)' % (name, vir, len(canvas)))
    if scene['toy']['path'] == 'SLERP' and count(canvas, (255, 64, 200), 40) < 30: fail('%s: no SLERP arc' % name)
    curves = region(rects['curves'])
    n1, n2 = count(curves, (255, 99, 71), 20), count(curves, (80, 170, 255), 20)
    # The barrier is the curves: none before V. The minimum is only its markers: the curves stay.
    if 'barrier' in scene['hold_back']:
        if n1 > 40 or n2 > 40: fail('%s: barrier held back, yet loss curves are drawn (%d, %d)' % (name, n1, n2))
    elif n1 < 50 or n2 < 50: fail('%s: no loss curves (%d, %d)' % (name, n1, n2))
    if 'loss_minimum' in scene['hold_back'] and s['curves']['min_shown']: fail('%s: minimum shown' % name)
if num in (4, 5, 6, 7):
    panel = region(rects[scene['focus']])
    if colours(panel) < 40: fail('%s: panel looks empty (%d colours)' % (name, colours(panel)))
    if num in (4, 6, 7) and count(panel, (255, 215, 0), 10) < 300:  # the merged model's bars are gold
        fail('%s: no accuracy bars (%d gold pixels)' % (name, count(panel, (255, 215, 0), 10)))
if num == 7:
    if not L['winner_covered']: fail('scene 7: winner not covered')
    if count(region(rects['merge_lab'], 1), (240, 228, 66), 10) < 200: fail('scene 7: no cover frame')
if num == 9:
    if L['missing_panels'] != ['checkpoints'] and s['panels'].get('checkpoints') is not True: fail('scene 9 panels')
    text = [p for p in region((0, 60, 1600, 300), 1) if min(p) > 200]
    if len(text) < 500: fail('scene 9: placeholder text missing (%d)' % len(text))
if num == 10:
    rw = s['real_weight_space']
    names = [n.split('/')[-1] for n in (rw['inputs']['a'], rw['inputs']['b'])]
    if names != ['multitask', 'diffinit_multitask'] or not rw['path']['done']: fail('scene 10: family %s' % names)
# The caption band at the bottom holds the caption's text (light pixels on the dark ground).
band = region((0, 930, 1600, 1000), 1)
if sum(1 for p in band if min(p) > 180) < 300: fail('%s: caption not drawn' % name)
print('scene %d ok: %s' % (num, scene['title']))
PY
done
[[ $n -eq 10 ]] || { echo "FAIL: $n built-in scenes, expected 10"; exit 1; }

# Presentation view of scene 2 (F5 on start): full screen, scale 1.75, high contrast (black ground,
# Okabe-Ito vermillion/sky blue markers), controls hidden, corner title.
"$MERGELAB" --scene 2 --presentation --reveal --frames 3 --screenshot "$tmp/p2.png" --state-json "$tmp/p2.json" >/dev/null
python3 - "$tmp/p2.json" "$tmp/p2.png" "$here" <<'PY'
import sys
sys.path.insert(0, sys.argv[3])
from guilib import read_png, load_state, near, fail
s = load_state(sys.argv[1])
w, h, px = read_png(sys.argv[2])
if (w, h) != (1920, 1080) or s['window']['size'] != [1920, 1080]: fail('presentation size %dx%d' % (w, h))
if not s['presentation'] or s['theme'] != 'contrast' or abs(s['ui_scale'] - 1.75) > 1e-6: fail('presentation state')
c = s['canvas']
at = lambda p: px[int(round(p[1]))][int(round(p[0]))]
if not near(at(c['w_a']), (230, 97, 0), 14): fail('W_A in high contrast %s' % (at(c['w_a']),))
if not near(at(c['w_b']), (86, 180, 233), 14): fail('W_B in high contrast %s' % (at(c['w_b']),))
if not near(px[5][5], (0, 0, 0), 3): fail('ground not black %s' % (px[5][5],))
# The hidden controls are gone: the canvas starts right under the panel title.
top = s['window']['panel_rects']['explorer'][1]
if c['rect'][1] - top > 160: fail('controls not hidden (canvas at %s, panel at %s)' % (c['rect'][1], top))
print('presentation ok')
PY
# One panel as PNG with the parameter caption, and the SVG plots drawn from the same data.
"$MERGELAB" --scene 3 --frames 3 --size 1600x1000 --screenshot "$tmp/curves.png" --panel-screenshot curves --caption \
  --export-svg "$tmp/plots" --state-json "$tmp/c3.json" >/dev/null
python3 - "$tmp" "$here" <<'PY'
import sys, xml.etree.ElementTree as ET
sys.path.insert(0, sys.argv[2])
from guilib import read_png, load_state, fail
d = sys.argv[1]
s = load_state(d + '/c3.json')
x0, y0, x1, y1 = [int(v) for v in s['window']['panel_rects']['curves']]
w, h, px = read_png(d + '/curves.png')
if abs(w - (x1 - x0)) > 1 or abs(h - (y1 - y0)) > 1: fail('panel PNG %dx%d, panel %dx%d' % (w, h, x1 - x0, y1 - y0))
if sum(1 for y in range(h - 14, h - 4) for x in range(w) if min(px[y][x]) > 200) < 30: fail('no caption on the panel PNG')
ns = '{http://www.w3.org/2000/svg}'
cu = ET.parse(d + '/plots_curves.svg').getroot()
lines = cu.findall(ns + 'polyline')
if len(lines) != 8: fail('curves SVG: %d polylines' % len(lines))
# The LERP combined-loss curve (6th polyline drawn: Task 1, Task 2, Combined for LERP, then SLERP)
# has 101 points, as the panel's curves.
pts = lines[2].get('points').split()
if len(pts) != 101: fail('combined LERP curve has %d points' % len(pts))
ex = ET.parse(d + '/plots_explorer.svg').getroot()
img = ex.find(ns + 'image')
if img is None or not img.get('href', '').startswith('data:image/png;base64,'): fail('explorer SVG has no embedded heat map')
print('panel PNG %dx%d with caption, SVG plots ok' % (w, h))
PY
echo "PASS"
