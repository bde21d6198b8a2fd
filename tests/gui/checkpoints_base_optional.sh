#!/usr/bin/env bash
# Methods whose base is optional, in the Checkpoints panel (Xvfb + xdotool): nuslerp with the base merges
# mergekit's nuslerp.yml, and without it (the "with the base" box cleared with the mouse) mergekit's
# nuslerp_rowwise_nobase.yml; each merge equals mergekit's own output within 1e-6, and the exported YAML has a
# base_model exactly when the box is ticked.
set -euo pipefail
: "${MERGELAB:?set MERGELAB to the mergelab binary}"
: "${MERGELAB_SOURCE:?set MERGELAB_SOURCE to the repository}"
source "$(cd "$(dirname "$0")" && pwd)/prelude.bash"
models="$MERGELAB_SOURCE/tests/data/digits/models"
mk="$MERGELAB_SOURCE/tests/data/digits/mergekit"
fail() { echo "FAIL: $*"; exit 1; }
py() { python3 -c "import sys, json; sys.path.insert(0, '$here'); from guilib import *; s = load_state('$state'); c = s.get('checkpoints', {}); $1"; }
show_state() { py "print({k: c.get(k) for k in ('loaded', 'loading', 'error', 'method', 'use_base', 'merge', 'export')})"; }
centre() { py "r = c['rects']['$1']; print(round((r[0] + r[2]) / 2), round((r[1] + r[3]) / 2))"; }

# open SETTINGS: the app on the Checkpoints panel with these settings, loaded.
open_app() {
  cat > "$tmp/session.json" <<JSON
{"mergelab_scene": 1, "view": "checkpoints", "panels": ["checkpoints"],
 "panel_settings": {"checkpoints": {"base": "$models/base", "models": ["$models/ft_task0", "$models/ft_task1"],
   "method": "nuslerp", $1}}}
JSON
  open_session "$tmp/session.json"
  wait_for "'rects' in c and 'load' in c['rects'] and 'use_base' in c['rects']"
  click_rect load
  wait_for "c['loaded'] and not c['loading']"
}
merge_into() {
  type_into out_dir "$1"
  wait_for "c['merge']['out_dir'] == '$1'"
  click_rect merge
  wait_for "c['merge']['state'] in ('done', 'failed')"
  py "
if c['merge']['state'] != 'done': fail('merge: %s' % c['merge']['message'])
"
}
export_to() {
  type_into yaml_path "$1"
  wait_for "c['export']['path'] == '$1'"
  click_rect export
  wait_for "c['export']['state'] in ('done', 'failed')"
  py "
if c['export']['state'] != 'done': fail('export: %s' % c['export']['message'])
"
}

# 1. With the base (the default): mergekit's nuslerp.yml.
open_app '"model_params": [{"weight": 0.6}, {"weight": 0.4}]'
py "
if c['method'] != 'nuslerp' or c['use_base'] is not True: fail('method %s, use_base %s' % (c['method'], c['use_base']))
"
merge_into "$tmp/with_base"
"$MERGELAB" compare "$tmp/with_base" "$mk/nuslerp.safetensors" --atol 1e-6 --quiet || fail "nuslerp with the base differs from mergekit's"
export_to "$tmp/with_base.yml"
grep -q "^base_model: $models/base" "$tmp/with_base.yml" || fail "no base_model in $(cat "$tmp/with_base.yml")"
echo "with the base: equals mergekit's nuslerp.yml output"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

# 2. The box cleared with the mouse: mergekit's nuslerp_rowwise_nobase.yml.
open_app '"model_params": [{"weight": 0.3}, {"weight": 0.7}], "params": {"nuslerp_flatten": 0, "nuslerp_row_wise": 1}'
click_rect use_base
wait_for "c['use_base'] is False"
merge_into "$tmp/no_base"
"$MERGELAB" compare "$tmp/no_base" "$mk/nuslerp_rowwise_nobase.safetensors" --atol 1e-6 --quiet ||
  fail "nuslerp without the base differs from mergekit's"
export_to "$tmp/no_base.yml"
! grep -q "base_model" "$tmp/no_base.yml" || fail "base_model written without the base: $(cat "$tmp/no_base.yml")"
"$MERGELAB" merge "$tmp/no_base.yml" --out "$tmp/no_base_cli" --quiet
"$MERGELAB" compare "$tmp/no_base_cli" "$mk/nuslerp_rowwise_nobase.safetensors" --atol 1e-6 --quiet ||
  fail "the exported YAML merges to something else"
echo "without the base: equals mergekit's nuslerp_rowwise_nobase.yml output, and so does its exported YAML"
echo "PASS"
