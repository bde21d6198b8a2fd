#!/usr/bin/env bash
# Methods whose base is optional, in the Tune panel (Xvfb + xdotool): nuslerp scored with the base equals the
# built-in evaluation of mergekit's own nuslerp.yml output, and with the "with the base" box cleared by the
# mouse (then Load again) that of mergekit's nuslerp_rowwise_nobase.yml output, on the tuning and the test
# split, task by task; the exported YAML has a base_model only when the box is ticked.
set -euo pipefail
: "${MERGELAB:?set MERGELAB to the mergelab binary}"
: "${MERGELAB_SOURCE:?set MERGELAB_SOURCE to the repository}"
source "$(cd "$(dirname "$0")" && pwd)/prelude.bash"
models="$MERGELAB_SOURCE/tests/data/digits/models"
data="$MERGELAB_SOURCE/tests/data/digits/data"
mk="$MERGELAB_SOURCE/tests/data/digits/mergekit"
py() { python3 -c "import sys, json; sys.path.insert(0, '$here'); from guilib import *; s = load_state('$state'); t = s.get('tune', {}); $1"; }
show_state() { py "print({k: t.get(k) for k in ('loaded', 'loading', 'load_error', 'method', 'use_base', 'reports', 'export')})"; }
centre() { py "r = t['rects']['$1']; print(round((r[0] + r[2]) / 2), round((r[1] + r[3]) / 2))"; }

# expect_reports FIXTURE: the current recipe's bars equal `mergelab eval` of mergekit's FIXTURE output.
expect_reports() {
  for split in val test; do
    "$MERGELAB" eval "$mk/$1.safetensors" --config "$models/base/config.json" --data "$data" --split "$split" --json \
      > "$tmp/$1_$split.json"
  done
  py "
r = t['reports']['current']
for split, name in (('tune', 'val'), ('test', 'test')):
    want = json.load(open('$tmp/$1_%s.json' % name))
    for task in ('task0', 'task1', 'task2'):
        if abs(r[split][task] - want[task]['acc']) > 1e-12: fail('%s %s %s: %s, mergekit %s' % ('$1', split, task, r[split][task], want[task]['acc']))
    if abs(r[split]['combined'] - want['combined']['acc']) > 1e-12: fail('%s %s combined' % ('$1', split))
print('$1: the bars equal the evaluation of mergekit\'s output', r['test'])
"
}
export_to() {
  type_into yaml_path "$1"
  wait_for "t['export']['path'] == '$1'"
  click_rect export
  wait_for "t['export']['state'] in ('done', 'failed')"
  py "
if t['export']['state'] != 'done': fail('export: %s' % t['export']['message'])
"
}
open_app() {  # SETTINGS: the Tune panel with nuslerp over ft_task0, ft_task1 and these settings, loaded
  cat > "$tmp/session.json" <<JSON
{"mergelab_scene": 1, "view": "tune", "panels": ["tune"],
 "panel_settings": {"tune": {"base": "$models/base", "models": ["$models/ft_task0", "$models/ft_task1"],
   "data": "$data", "method": "nuslerp", $1}}}
JSON
  open_session "$tmp/session.json"
  wait_for "'rects' in t and 'load' in t['rects'] and 'use_base' in t['rects']"
  click_rect load
  wait_for "t['loaded'] and not t['loading'] and t['reports']['ready'] and 'current' in t['reports']"
}

# 1. With the base (the default): mergekit's nuslerp.yml (weights 0.6, 0.4).
open_app '"model_params": [{"weight": 0.6}, {"weight": 0.4}]'
py "
if t['use_base'] is not True: fail('use_base %s' % t['use_base'])
"
expect_reports nuslerp
export_to "$tmp/with_base.yml"
grep -q "^base_model: $models/base" "$tmp/with_base.yml" || fail "no base_model in $(cat "$tmp/with_base.yml")"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

# 2. The box cleared with the mouse, then Load: mergekit's nuslerp_rowwise_nobase.yml (weights 0.3, 0.7).
open_app '"model_params": [{"weight": 0.3}, {"weight": 0.7}], "params": {"nuslerp_flatten": 0, "nuslerp_row_wise": 1}'
click_rect use_base
wait_for "t['use_base'] is False and t['inputs_changed']"
click_rect load
wait_for "t['loaded'] and not t['loading'] and not t['inputs_changed'] and t['reports']['ready'] and 'current' in t['reports']"
expect_reports nuslerp_rowwise_nobase
export_to "$tmp/no_base.yml"
! grep -q "base_model" "$tmp/no_base.yml" || fail "base_model written without the base: $(cat "$tmp/no_base.yml")"
echo "PASS"
