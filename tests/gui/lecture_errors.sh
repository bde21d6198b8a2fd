#!/usr/bin/env bash
# Malformed scene and session files: each gives exactly one clear error line naming the file and the
# field, a non-zero exit, and no window (no display needed). Inside a running lecture, a broken file
# met by PageDown is reported in the window and nothing crashes.
set -euo pipefail
: "${MERGELAB:?set MERGELAB to the mergelab binary}"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
pid=""
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

check() {  # check NAME CONTENT EXPECTED-SUBSTRING
  local f="$tmp/$1.json"
  printf '%s' "$2" >"$f"
  if env -u DISPLAY "$MERGELAB" --scene "$f" >"$tmp/out" 2>"$tmp/err"; then echo "FAIL: $1 was accepted"; exit 1; fi
  [[ "$(wc -l <"$tmp/err")" -eq 1 ]] || { echo "FAIL: $1: expected one error line, got:"; cat "$tmp/err"; exit 1; }
  grep -qF "$f" "$tmp/err" || { echo "FAIL: $1: message does not name the file:"; cat "$tmp/err"; exit 1; }
  grep -qF "$3" "$tmp/err" || { echo "FAIL: $1: expected '$3' in:"; cat "$tmp/err"; exit 1; }
  echo "ok $1: $(cat "$tmp/err")"
}
check not_json        '{"title": "x",'                                   "not valid JSON"
check unknown_field   '{"title": "x", "colour": "red"}'                 "unknown field 'colour'"
check unknown_nested  '{"toy": {"article": {"sede": 4}}}'               "unknown field 'toy.article.sede'"
check t_range         '{"toy": {"t": 2}}'                               "field 'toy.t': expected a number in [0, 1]"
check bad_enum        '{"toy": {"path": "chord"}}'                      "field 'toy.path': expected one of: LERP, SLERP"
check bad_type        '{"toy": {"article": {"same_init": "yes"}}}'      "field 'toy.article.same_init': expected true or false"
check bad_panel       '{"panels": ["explorer", "plots"]}'               "field 'panels[1]'"
check bad_focus       '{"panels": ["explorer"], "focus": "merge_lab"}'  "field 'focus'"
check bad_hold        '{"hold_back": ["everything"]}'                   "field 'hold_back[0]'"
check bad_lab         '{"panel_settings": {"merge_lab": {"settings": {"p": 1.5}}}}' "field 'panel_settings.merge_lab.settings.p'"
check bad_lambda      '{"panel_settings": {"task_arithmetic": {"lambda": [1, "a", 0]}}}' "field 'panel_settings.task_arithmetic.lambda[1]'"
check not_object      '[]'                                              "expected an object"

# Missing files and bad codes.
if env -u DISPLAY "$MERGELAB" --session "$tmp/none.json" 2>"$tmp/err"; then echo "FAIL: missing session accepted"; exit 1; fi
grep -qF "$tmp/none.json: no such scene file" "$tmp/err" || { cat "$tmp/err"; exit 1; }
if env -u DISPLAY "$MERGELAB" --scene-code "MLS1:!!!!" 2>"$tmp/err"; then echo "FAIL: bad code accepted"; exit 1; fi
grep -qF "scene code" "$tmp/err" || { cat "$tmp/err"; exit 1; }
if env -u DISPLAY "$MERGELAB" --scene 42 2>"$tmp/err"; then echo "FAIL: scene 42 accepted"; exit 1; fi
grep -qF "no built-in scene with that number" "$tmp/err" || { cat "$tmp/err"; exit 1; }

# A deck of my own: a good first scene and a broken second one. PageDown reports the broken file in
# the window and stays on scene 1; the app keeps running.
mkdir "$tmp/deck"
printf '{"number": 1, "title": "Mine", "panels": ["explorer"], "toy": {"t": 0.25}}' >"$tmp/deck/01_mine.json"
printf '{"number": 2, "toy": {"t": "half"}}' >"$tmp/deck/02_broken.json"
xvfb-run -a -s '-screen 0 1920x1080x24' bash -c '
  state="$1/state.json"
  "$2" --scene "$1/deck" --state-json "$state" --size 1200x800 &
  pid=$!
  xdotool search --sync --name "^MergeLab$" >/dev/null
  for _ in $(seq 1 100); do [[ -f "$state" ]] && break; sleep 0.1; done
  sleep 0.5
  xdotool keydown Page_Down; sleep 0.1; xdotool keyup Page_Down
  for _ in $(seq 1 100); do grep -q "02_broken.json" "$state" 2>/dev/null && break; sleep 0.1; done
  sleep 0.3
  kill -0 $pid || { echo "FAIL: the app died"; exit 1; }
  kill $pid; wait $pid 2>/dev/null || true
  python3 - "$state" <<PY
import json, sys
s = json.load(open(sys.argv[1]))
m, L = s["window"]["message"], s["lecture"]
if "02_broken.json: field \x27toy.t\x27" not in m: print("FAIL: window message %r" % m); sys.exit(1)
if L["number"] != 1 or L["title"] != "Mine" or abs(s["t"] - 0.25) > 1e-12 or L["deck_size"] != 2:
    print("FAIL: not on the first scene of the deck: %s" % L); sys.exit(1)
print("ok deck: " + m)
PY
' _ "$tmp" "$MERGELAB"
echo "PASS"
