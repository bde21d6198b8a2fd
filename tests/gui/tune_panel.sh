#!/usr/bin/env bash
# Tune panel on the real window (Xvfb + xdotool), on the digits fixtures (tests/data/digits: base, ft_task0..2,
# data/task{i}_{val,test}.csv):
#  - Run sweep (task_arithmetic, lambda = 0:1:11, the defaults) with the mouse; the best lambda is in 0.5-0.7 (the
#    reference table's optimum) and every grid value equals `mergelab sweep` on the same grid;
#  - clicking a point of the curve makes it the current recipe, and the bars' tuning-split combined accuracy of the
#    current recipe equals that point's objective (mean of the task accuracies = combined);
#  - Run CMA-ES (budget 40, the three weights): a non-empty fitness history within the budget whose best so far
#    never falls below the first generation's best; clicking a generation takes its best candidate;
#  - the mergekit-evolve export of that search writes the genome.yml and run.sh `mergelab evolve
#    --export-mergekit-evolve` writes for the same settings;
#  - Load into Checkpoints panel sets that panel's method and per-model weights;
#  - Export YAML writes a config `mergelab merge --print-yaml` reads back; a second export asks before replacing
#    (Esc, as "Keep it", leaves the file alone; Enter, as "Replace", rewrites it).
# Last: a screenshot of the panel with a two-parameter heat map (the optional second argument keeps a copy).
set -euo pipefail
: "${MERGELAB:?set MERGELAB to the mergelab binary}"
: "${MERGELAB_SOURCE:?set MERGELAB_SOURCE to the repository}"
source "$(cd "$(dirname "$0")" && pwd)/prelude.bash"
shot_out="${2:-}"
export MERGELAB_SOURCE
models="$MERGELAB_SOURCE/tests/data/digits/models"
data="$MERGELAB_SOURCE/tests/data/digits/data"

"$MERGELAB" --state-json "$state" --panels tune --size 1600x1000 &
pid=$!

py() { python3 -c "import sys, json; sys.path.insert(0, '$here'); from guilib import *; s = load_state('$state'); t = s.get('tune', {}); c = s.get('checkpoints', {}); $1"; }
wait_tries=300
show_state() { py "print({k: t.get(k) for k in ('loaded', 'loading', 'load_error', 'method', 'sweep', 'current', 'export')})"; }
centre() { py "r = t['rects']['$1']; print(round((r[0] + r[2]) / 2), round((r[1] + r[3]) / 2))"; }

wid="$(xdotool search --sync --name '^MergeLab$' | head -1)"
wait_for "'rects' in t and 'run_sweep' in t['rects']"
py "
import os
if s['lecture']['view'] != 'tune': fail('view %s' % s['lecture']['view'])
if t['method'] != 'task_arithmetic': fail('default method %s' % t['method'])
want = [os.path.join('$models', n) for n in ('base', 'ft_task0', 'ft_task1', 'ft_task2')]
if [os.path.realpath(p) for p in [t['base']] + t['models']] != [os.path.realpath(p) for p in want]: fail('defaults %s' % t['models'])
if os.path.realpath(t['data']) != os.path.realpath('$data'): fail('data %s' % t['data'])
if t['loaded'] or t['sweep']['state'] != 'idle': fail('work before a click')
"

# ---- Sweep: lambda 0:1:11 (the defaults), started with the mouse.
click_rect run_sweep
wait_for "t['sweep']['state'] == 'done'"
cat > "$tmp/ta.yml" <<YAML
merge_method: task_arithmetic
base_model: $models/base
models:
  - model: $models/ft_task0
  - model: $models/ft_task1
  - model: $models/ft_task2
parameters:
  lambda: 1.0
dtype: float32
YAML
"$MERGELAB" sweep "$tmp/ta.yml" --param lambda=0:1:11 --data "$data" --out "$tmp/cli" --threads 1 > "$tmp/cli.txt" 2>&1
py "
ref = json.load(open('$tmp/cli/sweep.json'))
sw = t['sweep']
if sw['axes'] != [{'name': 'lambda', 'start': 0.0, 'stop': 1.0, 'steps': 11}]: fail('axes %s' % sw['axes'])
if (sw['done'], sw['total']) != (11, 11): fail('progress %s/%s' % (sw['done'], sw['total']))
lam = sw['best']['params']['lambda']
if not 0.5 - 1e-9 <= lam <= 0.7 + 1e-9: fail('best lambda %s outside 0.5-0.7' % lam)
if abs(lam - ref['best']['params']['lambda']) > 1e-12: fail('best lambda %s, mergelab sweep %s' % (lam, ref['best']['params']['lambda']))
for i, (g, r) in enumerate(zip(sw['objective'], ref['rows'])):
    if abs(g - r['metrics']['objective']) > 1e-12: fail('point %d: %r vs mergelab sweep %r' % (i, g, r['metrics']['objective']))
if t['current']['params'] != {'lambda': lam} or t['best']['params'] != {'lambda': lam}: fail('current/best %s %s' % (t['current'], t['best']))
print('sweep: best lambda %.2f (%.4f), all 11 values equal mergelab sweep' % (lam, sw['best']['objective']))
"

# ---- Click the curve at lambda = 0.2: the current recipe follows, and its bars are that point's numbers.
read -r cx cy < <(py "x, y = t['cells'][2]; print(round(x), round(y))")
click "$cx" "$cy"
wait_for "t['current']['source'] == 'sweep point 2' and t['reports']['ready']"
py "
cur = t['current']['params']['lambda']
if abs(cur - 0.2) > 1e-12: fail('current lambda %s after the click' % cur)
got = t['reports']['current']['tune']['combined']
if abs(got - t['sweep']['objective'][2]) > 1e-12: fail('bars %r vs sweep %r' % (got, t['sweep']['objective'][2]))
if abs(t['reports']['best']['tune']['combined'] - t['sweep']['best']['objective']) > 1e-12: fail('best bars')
base = t['reports']['base']['tune']['combined']
print('clicked lambda 0.2: combined %.4f on val (base %.4f, best %.4f)' % (got, base, t['reports']['best']['tune']['combined']))
"

# ---- CMA-ES over the three weights, budget 40.
py "
if t['cmaes']['params'] != ['weight@0', 'weight@1', 'weight@2']: fail('cmaes params %s' % t['cmaes']['params'])
if t['cmaes']['budget'] != 40: fail('budget %s' % t['cmaes']['budget'])
"
click_rect run_cmaes
wait_for "t['cmaes']['state'] == 'done'"
py "
cm = t['cmaes']
g = cm['generations']
if not g: fail('no generation')
if cm['evaluations'] > 40 or cm['evaluations'] != g[-1]['evaluations']: fail('evaluations %s' % cm['evaluations'])
if any(b['best_so_far'] < g[0]['best'] - 1e-15 for b in g): fail('best so far below the first generation')
if any(g[i + 1]['best_so_far'] < g[i]['best_so_far'] for i in range(len(g) - 1)): fail('best so far decreases')
if abs(max(x['best'] for x in g) - g[-1]['best_so_far']) > 1e-12: fail('best so far != best generation')
if t['best_from'] != 'cmaes' or not t['current']['source'].startswith('generation'): fail('current %s' % t['current'])
print('cmaes: %d generations, %d evaluations, first best %.4f, best %.4f' % (len(g), cm['evaluations'], g[0]['best'], g[-1]['best_so_far']))
"
# ---- The same search for mergekit-evolve: genome.yml and run.sh equal `mergelab evolve --export-mergekit-evolve`.
type_into evolve_tasks "digits_task0=2,digits_task1"
type_into evolve_dir "$tmp/evo"
wait_for "t['evolve_export']['dir'] == '$tmp/evo' and t['evolve_export']['tasks'] == 'digits_task0=2,digits_task1'"
click_rect export_evolve
wait_for "t['evolve_export']['state'] in ('done', 'failed')"
py "
if t['evolve_export']['state'] != 'done': fail('mergekit-evolve export: %s' % t['evolve_export']['message'])
"
read -r seed pop sigma < <(py "print(t['seed'], t['cmaes']['population'], t['cmaes']['sigma'])")
"$MERGELAB" evolve "$tmp/ta.yml" --data "$data" --param weight@0 --param weight@1 --param weight@2 --budget 40 \
  --seed "$seed" --population "$pop" --sigma "$sigma" --export-mergekit-evolve "$tmp/evo_cli" \
  --evolve-tasks "digits_task0=2,digits_task1" > /dev/null
for f in genome.yml run.sh; do
  diff -u "$tmp/evo_cli/$f" "$tmp/evo/$f" || { echo "FAIL: the panel's $f differs from the command line's"; exit 1; }
done
[ -x "$tmp/evo/run.sh" ] || { echo "FAIL: run.sh is not executable"; exit 1; }
echo "mergekit-evolve export: genome.yml and run.sh equal the command line's"

# Click the first generation's marker: its best candidate becomes the current recipe.
read -r gx gy < <(py "x, y = t['generation_points'][0]; print(round(x), round(y))")
click "$gx" "$gy"
wait_for "t['current']['source'] == 'generation 1' and t['reports']['ready']"
py "
g = t['cmaes']['generations'][0]
if t['current']['params'] != g['params']: fail('current %s, generation 1 best %s' % (t['current']['params'], g['params']))
if abs(t['reports']['current']['tune']['combined'] - g['best']) > 1e-12: fail('bars %s vs generation best %s' % (t['reports']['current']['tune']['combined'], g['best']))
"

# ---- Load into the Checkpoints panel: its method and per-model weights become the current recipe.
click_rect load_into_checkpoints
wait_for "c.get('method') == 'task_arithmetic'"
py "
p = t['current']['params']
for i in range(3):
    if abs(c['model_params'][i]['weight'] - p['weight@%d' % i]) > 1e-12: fail('checkpoints weight %d: %s' % (i, c['model_params']))
if c['params'].get('lambda') != 1.0: fail('checkpoints lambda %s' % c['params'])
print('loaded into the Checkpoints panel:', t['checkpoints_message'])
"

# ---- Export YAML; a second export asks before replacing.
type_into yaml_path "$tmp/tuned.yml"
wait_for "t['export']['path'] == '$tmp/tuned.yml'"
click_rect export
wait_for "t['export']['state'] == 'done'"
grep -q "merge_method: task_arithmetic" "$tmp/tuned.yml" || { echo "FAIL: YAML"; cat "$tmp/tuned.yml"; exit 1; }
"$MERGELAB" merge "$tmp/tuned.yml" --print-yaml > /dev/null
py "
import re
text = open('$tmp/tuned.yml').read()
ws = [float(x) for x in re.findall(r'weight: ([-0-9.e]+)', text)]
p = t['current']['params']
if len(ws) != 3 or any(abs(w - p['weight@%d' % i]) > 1e-9 for i, w in enumerate(ws)): fail('YAML weights %s vs %s' % (ws, p))
"
cp "$tmp/tuned.yml" "$tmp/first.yml"
click_rect 'cancel_sweep'  # (disabled: nothing happens) moves the mouse away from the buttons
click_rect export
wait_for "t['export']['confirm_open'] and 'confirm_keep' in t['rects']"
press Escape  # Esc keeps the file, as "Keep it" does
wait_for "not t['export']['confirm_open']"
py "
if 'not written' not in t['export']['message']: fail('keep: %s' % t['export']['message'])
"
cmp -s "$tmp/tuned.yml" "$tmp/first.yml" || { echo "FAIL: the file changed after Keep it"; exit 1; }
# Change the current recipe (lambda 0.2 again), then Replace.
read -r cx cy < <(py "x, y = t['cells'][2]; print(round(x), round(y))")
click "$cx" "$cy"
wait_for "t['current']['source'] == 'sweep point 2'"
click_rect export
wait_for "t['export']['confirm_open'] and 'confirm_replace' in t['rects']"
press Return  # Enter replaces it, as "Replace" does
wait_for "not t['export']['confirm_open'] and t['export']['state'] == 'done'"
grep -q "lambda: 0.2" "$tmp/tuned.yml" || { echo "FAIL: replaced YAML"; cat "$tmp/tuned.yml"; exit 1; }
echo "export: written, kept on 'Keep it', replaced on 'Replace'"

# ---- Sweep steps typed past the limit (Ctrl+click, 500, Enter) are clamped in the field, not refused at Run.
read -r cx cy < <(centre steps0)
xdotool mousemove --window "$wid" "$cx" "$cy"; sleep 0.3
xdotool keydown ctrl; sleep 0.2; xdotool mousedown 1; sleep 0.2; xdotool mouseup 1; sleep 0.2; xdotool keyup ctrl; sleep 0.3
chord ctrl a
xdotool type --delay 40 500; sleep 0.3
press Return
wait_for "t['axis_settings'][0]['steps'] != 11"
py "
if t['axis_settings'][0]['steps'] != 41: fail('typed 500 steps: %s' % t['axis_settings'][0])
"
click_rect run_sweep
wait_for "t['sweep']['state'] in ('done', 'failed') and t['sweep']['total'] == 41"
py "
if t['sweep']['state'] != 'done' or t['sweep']['done'] != 41: fail('41-step sweep: %s' % t['sweep'])
print('typed 500 steps: the field holds 41 (the limit) and the sweep ran 41 points')
"

kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

# ---- Screenshot: a lambda x weight@0 heat map and a CMA-ES run (screenshot mode runs both before the frame).
# The session names the Checkpoints view, as sessions saved before the Tune panel had its own view do: the
# Tune view opens instead (the colours below are the Tune panel's).
cat > "$tmp/session.json" <<JSON
{"mergelab_scene": 1, "view": "checkpoints", "panels": ["tune"],
 "panel_settings": {"tune": {"sweep_axes": 2,
   "axes": [{"name": "lambda", "start": 0.2, "stop": 1.2, "steps": 11},
            {"name": "weight@0", "start": 0.0, "stop": 1.2, "steps": 7}],
   "budget": 60}}}
JSON
"$MERGELAB" --session "$tmp/session.json" --size 1600x1000 --frames 4 --screenshot "$tmp/shot.png" > /dev/null
python3 -c "
import sys; sys.path.insert(0, '$here'); from guilib import *
w, h, rows = read_png('$tmp/shot.png')
if (w, h) != (1600, 1000): fail('screenshot size %dx%d' % (w, h))
green = sum(1 for row in rows for p in row if near(p, (0, 158, 115), 10))
yellow = sum(1 for row in rows for p in row if near(p, (240, 228, 66), 10))
if green < 200 or yellow < 200: fail('best (%d) / current (%d) colours missing' % (green, yellow))
print('screenshot: %d best-green and %d current-yellow pixels' % (green, yellow))
"
if [[ -n "$shot_out" ]]; then cp "$tmp/shot.png" "$shot_out"; fi
echo "PASS"
