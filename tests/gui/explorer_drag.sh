#!/usr/bin/env bash
# Drags the merge point from W_A toward W_B on the real window (Xvfb + xdotool) and checks the
# reported t and losses against the article's numbers (article_code_output.txt: t=0 Task1 0.202
# Task2 1.472; t=0.5 Task1 0.504 Task2 0.497); then switches to SLERP (key S) and checks the point
# moved onto the arc (|point| = |slerp(W_A, W_B, t)|, not LERP's shorter chord), then keys + and Left.
set -euo pipefail
source "$(dirname "$0")/prelude.bash"
"$MERGELAB" --state-json "$state" --panels explorer,curves,training --size 1600x1000 &
pid=$!

py() { python3 -c "import sys; sys.path.insert(0, '$here'); from guilib import *; s = load_state('$state'); $1"; }
# Polls the state until the python expression is true (max ~10 s).
wait_for() {
  for _ in $(seq 1 100); do
    if [[ -f "$state" ]] && py "sys.exit(0 if ($1) else 1)" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "FAIL: timed out waiting for: $1"; py "print(json.dumps({k: s[k] for k in ('t','path','loss1','loss2','point_norm','ui_scale')}))" || true
  exit 1
}

wid="$(xdotool search --sync --name '^MergeLab$' | head -1)"
wait_for "'canvas' in s"

# The article's trained weights and the t = 0 losses.
py "
if abs(s['w_a'][0]-3.2515678)>1e-6 or abs(s['w_a'][1]+0.06144994)>1e-6: fail('W_A %s' % s['w_a'])
if abs(s['w_b'][0]-0.14574525)>1e-6 or abs(s['w_b'][1]-3.20987999)>1e-6: fail('W_B %s' % s['w_b'])
if s['t'] != 0 or abs(s['loss1']-0.202)>5e-4 or abs(s['loss2']-1.472)>5e-4: fail('t=0 losses %s %s' % (s['loss1'], s['loss2']))
"
read -r ax ay bx by < <(py "c = s['canvas']; print(round(c['w_a'][0]), round(c['w_a'][1]), round(c['w_b'][0]), round(c['w_b'][1]))")
mx=$(( (ax + bx) / 2 )); my=$(( (ay + by) / 2 ))

# Press on W_A, move halfway to W_B (two steps), release: each held >= 0.3 s (ImGui samples once a frame).
xdotool mousemove --window "$wid" "$ax" "$ay"; sleep 0.3
xdotool mousedown 1; sleep 0.3
xdotool mousemove --window "$wid" $(( (ax + mx) / 2 )) $(( (ay + my) / 2 )); sleep 0.3
wait_for "0.15 < s['t'] < 0.35"
xdotool mousemove --window "$wid" "$mx" "$my"; sleep 0.3
wait_for "abs(s['t'] - 0.5) < 0.01"
xdotool mouseup 1; sleep 0.3
# Pixel rounding of the midpoint moves t by < 0.005; the losses change by < 1.2 per unit t there.
py "
if s['path'] != 'LERP' or abs(s['t']-0.5) > 0.005: fail('t after drag %s' % s['t'])
if abs(s['loss1']-0.504) > 0.006 or abs(s['loss2']-0.497) > 0.006: fail('losses at t=0.5: %s %s' % (s['loss1'], s['loss2']))
p, a, b, t = s['point'], s['w_a'], s['w_b'], s['t']
if any(abs(p[i] - ((1-t)*a[i] + t*b[i])) > 1e-9 for i in range(2)): fail('point not on the LERP chord')
print('drag ok: t=%.3f Task1=%.3f Task2=%.3f' % (t, s['loss1'], s['loss2']))
"

# SLERP: the point moves onto the arc, whose norm stays near |W_A| ~ |W_B| (LERP's midpoint is ~2.3).
xdotool keydown s; sleep 0.15; xdotool keyup s
wait_for "s['path'] == 'SLERP'"
py "
import math
a, b, t, p = s['w_a'], s['w_b'], s['t'], s['point']
na, nb = math.hypot(*a), math.hypot(*b)
om = math.acos(max(-1, min(1, (a[0]*b[0]+a[1]*b[1])/(na*nb))))
w = [math.sin((1-t)*om)/math.sin(om)*a[i] + math.sin(t*om)/math.sin(om)*b[i] for i in range(2)]
if any(abs(p[i]-w[i]) > 1e-9 for i in range(2)): fail('point %s is not slerp %s' % (p, w))
if abs(s['point_norm'] - math.hypot(*w)) > 1e-9: fail('norm')
if not s['point_norm'] > s['other_path_norm_at_t'] + 0.5: fail('SLERP norm %s vs LERP %s' % (s['point_norm'], s['other_path_norm_at_t']))
print('slerp ok: |point|=%.3f (LERP chord %.3f)' % (s['point_norm'], s['other_path_norm_at_t']))
"

# Keyboard: + scales the UI (fonts rebuilt), Left moves t by 0.01.
t0="$(py "print(s['t'])")"
xdotool keydown equal; sleep 0.15; xdotool keyup equal
wait_for "abs(s['ui_scale'] - 1.25) < 1e-6"
xdotool keydown Left; sleep 0.15; xdotool keyup Left
wait_for "abs(s['t'] - ($t0 - 0.01)) < 1e-9"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
echo "PASS"
