#!/usr/bin/env bash
# Task Arithmetic and TIES Anatomy on the real window (Xvfb + xdotool): the article's presets by
# mouse clicks reproduce 02_task_arithmetic.py (addition 79.7 / 68.3 / 71.7 %, negation of task 1:
# 94.3 / 58.0 %); dragging lambda_1 below zero changes the accuracies; the TIES step buttons reveal
# Trim -> Elect -> Merge and the counts equal 03_ties.py (158/200 conflicts, 85.5 % / 61.5 %
# agreement, 57 % sparsity).
set -euo pipefail
source "$(dirname "$0")/prelude.bash"
"$MERGELAB" --state-json "$state" --panels task_arithmetic,ties_anatomy --size 1600x1000 &
pid=$!

py() { python3 -c "import sys, json; sys.path.insert(0, '$here'); from guilib import *; s = load_state('$state'); ta = s.get('task_arithmetic', {}); ti = s.get('ties_anatomy', {}); $1"; }
wait_for() {
  for _ in $(seq 1 150); do
    if [[ -f "$state" ]] && py "sys.exit(0 if ($1) else 1)" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "FAIL: timed out waiting for: $1"; py "print(json.dumps(ta.get('lambda')), ta.get('accuracy'), ti.get('step'))" || true
  exit 1
}
centre() { py "r = $1['rects']['$2']; print(round((r[0] + r[2]) / 2), round((r[1] + r[3]) / 2))"; }
click() {
  xdotool mousemove --window "$wid" "$1" "$2"; sleep 0.3
  xdotool mousedown 1; sleep 0.3
  xdotool mouseup 1; sleep 0.3
}
same() { echo "abs($1 - ($2)) < 1e-12"; }

wid="$(xdotool search --sync --name '^MergeLab$' | head -1)"
wait_for "'rects' in ta and 'rects' in ti"

# Opens on the addition preset: theta_0 + 0.7 (tau_0 + tau_1).
wait_for "ta['lambda'] == [0.7, 0.7, 0.0] and $(same "ta['accuracy'][0]" 239/300) and $(same "ta['accuracy'][1]" 205/300) and $(same "ta['accuracy'][2]" 215/300)"
read -r cx cy < <(centre ta preset1)
click "$cx" "$cy"
wait_for "ta['lambda'] == [0.7, 0.2, 0.0] and $(same "ta['accuracy'][0]" 283/300) and $(same "ta['accuracy'][1]" 174/300)"
py "print('negation preset: task 0 %.1f%%, task 1 %.1f%%' % (100 * ta['accuracy'][0], 100 * ta['accuracy'][1]))"

# Drag lambda_1 to about -1 (slider -1.5 .. 1.5): task 1 is unlearned further.
read -r x0 y0 x1 y1 < <(py "r = ta['rects']['lambda1']; print(*[round(v) for v in r])")
ym=$(( (y0 + y1) / 2 ))
xs=$(( x0 + (x1 - x0) * 57 / 100 ))
xe=$(( x0 + (x1 - x0) * 17 / 100 ))
xdotool mousemove --window "$wid" "$xs" "$ym"; sleep 0.3
xdotool mousedown 1; sleep 0.3
xdotool mousemove --window "$wid" $(( (xs + xe) / 2 )) "$ym"; sleep 0.3
xdotool mousemove --window "$wid" "$xe" "$ym"; sleep 0.3
wait_for "-1.3 < ta['lambda'][1] < -0.7"
xdotool mouseup 1; sleep 0.3
py "
if ta['accuracy'][1] >= 174/300: fail('task 1 accuracy did not fall with lambda_1 = %s: %s' % (ta['lambda'][1], ta['accuracy']))
print('lambda_1 = %.2f: task 1 %.1f%%' % (ta['lambda'][1], 100 * ta['accuracy'][1]))
"
read -r cx cy < <(centre ta preset0)
click "$cx" "$cy"
wait_for "ta['lambda'] == [0.7, 0.7, 0.0] and $(same "ta['accuracy'][0]" 239/300)"

# TIES: Reset, then each step in turn.
read -r cx cy < <(centre ti reset)
click "$cx" "$cy"
wait_for "ti['step'] == 0"
for step in 1 2 3; do
  read -r cx cy < <(centre ti "step$step")
  click "$cx" "$cy"
  wait_for "ti['step'] == $step"
done
py "
if (ti['n_params'], ti['conflicts']) != (200, 158): fail('conflicts %s/%s' % (ti['conflicts'], ti['n_params']))
if abs(ti['average_agreement'] - 0.855) > 1e-12 or abs(ti['ties_agreement'] - 0.615) > 1e-12: fail('agreement')
if abs(ti['sparsity'] - 0.57) > 1e-12: fail('sparsity %s' % ti['sparsity'])
if ti['kept'] != 120: fail('kept %s (k 0.2 of 3 x 200)' % ti['kept'])
print('ties: %d/%d conflicts, agreement %.1f%% / %.1f%%, sparsity %.0f%%' % (ti['conflicts'], ti['n_params'], 100*ti['average_agreement'], 100*ti['ties_agreement'], 100*ti['sparsity']))
"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
echo "PASS"
