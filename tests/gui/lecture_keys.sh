#!/usr/bin/env bash
# Lecture mode driven by real key presses (xdotool keydown, 0.1 s, keyup: quick taps are lost in
# ImGui 1.86): scene navigation (PageDown/PageUp, numbers, Home, arrows in presentation view), the
# reveal key, F5 presentation view, F1 overlay, the demo keys (L, Space, R, Shift+R, arrows over the
# explorer); a session saved with Ctrl+S and reopened with --session gives the identical state; the
# scene code (Ctrl+Shift+C / Ctrl+Shift+V and --scene-code) restores the state; Ctrl+E exports a
# PNG and SVGs. One Xvfb session.
set -euo pipefail
source "$(dirname "$0")/prelude.bash"
cd "$tmp"

py() { python3 -c "import sys, json; sys.path.insert(0, '$here'); from guilib import *; s = load_state('$state'); L = s['lecture']; $1"; }
wait_for() {
  for _ in $(seq 1 150); do
    if [[ -f "$state" ]] && py "sys.exit(0 if ($1) else 1)" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "FAIL: timed out waiting for: $1"
  py "print(json.dumps({k: s[k] for k in ('t', 'path', 'presentation', 'ui_scale', 'theme')}), L['number'], L['index'], L['revealed'], s['window']['message'], s['grid_pending'])" || true
  exit 1
}
key() {  # key [modifier...] KEY
  local k="${*: -1}" mods=("${@:1:$#-1}")
  for m in "${mods[@]}"; do xdotool keydown "$m"; done
  xdotool keydown "$k"; sleep 0.1; xdotool keyup "$k"
  for ((i = ${#mods[@]} - 1; i >= 0; i--)); do xdotool keyup "${mods[$i]}"; done
  sleep 0.15
}
start() {
  rm -f "$state"
  "$MERGELAB" --state-json "$state" --size 1600x1000 "$@" &
  pid=$!
  wid="$(xdotool search --sync --name '^MergeLab$' | head -1)"
  wait_for "'lecture' in s"
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

# --- navigation ------------------------------------------------------------------------------------
start --scene 1
# The mouse sits over the caption band, away from the panels.
xdotool mousemove --window "$wid" 800 985
wait_for "L['number'] == 1 and not L['revealed'] and not s['curves']['min_shown']"
key Page_Down; wait_for "L['number'] == 2 and s['scene']['model'] == 'mlp'"
key Page_Down; wait_for "L['number'] == 3 and s['path'] == 'SLERP'"
key Page_Up; wait_for "L['number'] == 2"
key 5;     wait_for "L['number'] == 5 and L['focus'] == 'ties_anatomy'"
key 9;     wait_for "L['number'] == 9"
# Scene 9 opens with its family loaded (load_on_open), Merge and Export in view.
wait_for "s['checkpoints']['loaded'] and not s['checkpoints']['loading']"
py "
r, e, h = s['checkpoints']['rects']['merge'], s['checkpoints']['rects']['export'], s['window']['size'][1]
if not (0 < r[1] and r[3] < h and e[3] < h): fail('scene 9: Merge %s / Export %s outside the %d px window' % (r, e, h))
"
key Page_Down; wait_for "L['number'] == 10"
key Page_Down; wait_for "L['number'] == 10 and s['window']['message'] == 'last scene'"
key 0;     wait_for "L['number'] == 10"
key Home;  wait_for "L['number'] == 1 and s['t'] == 0"
# Reveal: V shows the held-back minimum, V again hides it.
key v;     wait_for "L['revealed'] and s['curves']['min_shown']"
key v;     wait_for "not L['revealed'] and not s['curves']['min_shown']"
key Return; wait_for "L['revealed']"
# In the window the arrows move t (Shift: 0.1), not the scene.
key Right; wait_for "abs(s['t'] - 0.01) < 1e-9 and L['number'] == 1"
key shift Right; wait_for "abs(s['t'] - 0.11) < 1e-9"
# Demo keys.
key l;     wait_for "s['path'] == 'SLERP'"
key l;     wait_for "s['path'] == 'LERP'"
key space; wait_for "s['scene']['replay_playing']"
key r;     wait_for "not s['scene']['replay_playing'] and s['scene']['replay_progress'] == 0 and s['scene']['article']['seed'] == 42"
key shift r; wait_for "s['scene']['article']['seed'] == (42 * 1664525 + 1013904223) % 2**32 % 1000"
# F1 overlay, Esc closes it.
key F1;     wait_for "s['window']['overlay']"
key Escape; wait_for "not s['window']['overlay']"

# --- presentation view -----------------------------------------------------------------------------
key 2; wait_for "L['number'] == 2"
key F5; wait_for "s['presentation'] and s['window']['size'] == [1920, 1080] and s['theme'] == 'contrast' and s['ui_scale'] == 1.75"
# Arrows change scene there, unless the mouse is over the explorer (then they move t).
xdotool mousemove --window "$wid" 960 1075; sleep 0.3
key Right; wait_for "L['number'] == 3"
key Left;  wait_for "L['number'] == 2"
read -r ex ey < <(py "r = s['window']['panel_rects']['explorer']; print(int((r[0]+r[2])/2), int(r[1] + 20))")
xdotool mousemove --window "$wid" "$ex" "$ey"; sleep 0.3
key Right; wait_for "L['number'] == 2 and abs(s['t'] - 0.51) < 1e-9"
key Page_Down; wait_for "L['number'] == 3"
key F5;    wait_for "not s['presentation'] and s['ui_scale'] == 1.0 and s['theme'] == 'dark' and s['window']['size'] == [1600, 1000]"

# --- session round trip ----------------------------------------------------------------------------
key 2; wait_for "L['number'] == 2"
key d; wait_for "s['scene']['article']['same_init']"
key v; wait_for "L['revealed']"
key shift Right; wait_for "abs(s['t'] - 0.6) < 1e-9"
key ctrl s; sleep 0.5
chord ctrl a
xdotool type --delay 40 "$tmp/lecture.session.json"; sleep 0.3
key Return
wait_for "s['window']['message'].startswith('saved session')"
cp "$state" "$tmp/before.json"
stop
[[ -f "$tmp/lecture.session.json" && ! -e "$tmp/lecture.session.json.tmp" ]] || { echo "FAIL: no session file"; exit 1; }
start --session "$tmp/lecture.session.json"
wait_for "L['number'] == 2"
python3 - "$tmp/before.json" "$state" "$here" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[3])
from guilib import fail
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for k in ('scene', 't', 'path', 'mode', 'model', 'loss1', 'loss2', 'point', 'w_a', 'w_b', 'panels', 'panel_settings',
          'ui_scale', 'theme', 'presentation', 'barrier_lerp', 'curves', 'explorer', 'canvas'):
    if a.get(k) != b.get(k): fail('session round trip: %s differs: %r vs %r' % (k, a.get(k), b.get(k)))
for k in ('number', 'title', 'caption', 'view', 'focus', 'hidden_controls', 'hold_back', 'revealed', 'index'):
    if a['lecture'][k] != b['lecture'][k]: fail('session round trip: lecture.%s differs' % k)
print('session round trip ok: t=%.3f same_init=%s revealed=%s' % (b['t'], b['scene']['article']['same_init'], b['lecture']['revealed']))
PY

# --- scene code ------------------------------------------------------------------------------------
key ctrl shift c; wait_for "s['window']['scene_code'].startswith('MLS1:')"
code="$(py "print(s['window']['scene_code'])")"
cp "$state" "$tmp/coded.json"
key Right; key l; key Page_Down; wait_for "L['number'] == 3"
key ctrl shift v; wait_for "L['number'] == 2 and abs(s['t'] - 0.6) < 1e-9 and s['path'] == 'LERP'"
stop
start --scene-code "$code"
wait_for "L['number'] == 2"
python3 - "$tmp/coded.json" "$state" "$here" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[3])
from guilib import fail
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for k in ('scene', 't', 'path', 'loss1', 'loss2', 'panels', 'panel_settings'):
    if a.get(k) != b.get(k): fail('scene code: %s differs' % k)
if a['lecture']['revealed'] != b['lecture']['revealed'] or a['lecture']['title'] != b['lecture']['title']: fail('scene code: lecture')
print('scene code ok (%d characters)' % len(a['window']['scene_code']))
PY

# --- export ----------------------------------------------------------------------------------------
key ctrl e; sleep 0.5
chord ctrl a
xdotool type --delay 40 "$tmp/shot.png"; sleep 0.3
key Return
wait_for "s['window']['message'].startswith('wrote')"
python3 - "$tmp" "$here" <<'PY'
import sys, xml.etree.ElementTree as ET
sys.path.insert(0, sys.argv[2])
from guilib import read_png, fail
d = sys.argv[1]
w, h, px = read_png(d + '/shot.png')
if (w, h) != (1600, 1000): fail('export size %dx%d' % (w, h))
# The parameter caption: a black strip with white text at the bottom.
strip = [px[y][x] for y in range(h - 12, h - 4) for x in range(0, 800, 2)]
if sum(1 for p in strip if min(p) > 200) < 20: fail('no parameter caption in the export')
ns = '{http://www.w3.org/2000/svg}'
ex = ET.parse(d + '/shot_explorer.svg').getroot()
if len(ex.findall(ns + 'image')) != 1 or len(ex.findall(ns + 'polyline')) < 2: fail('explorer SVG content')
cu = ET.parse(d + '/shot_curves.svg').getroot()
lines = cu.findall(ns + 'polyline')
if len(lines) != 8: fail('curves SVG has %d polylines, expected 8 (3 + 3 losses, 2 norms)' % len(lines))
print('export ok')
PY
stop
echo "PASS"
