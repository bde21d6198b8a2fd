# Sourced by the GUI tests that drive one app window: runs the calling script again under Xvfb,
# sets $here (the tests/gui folder), $tmp (removed on exit together with the app whose pid the
# script stores in $pid) and $state (the path for --state-json).
: "${MERGELAB:?set MERGELAB to the mergelab binary}"
here="$(cd "$(dirname "$0")" && pwd)"
if [[ "${1:-}" != "--inner" ]]; then
  exec xvfb-run -a -s '-screen 0 1920x1080x24' bash "$0" --inner "$@"
fi
tmp="$(mktemp -d)"
pid=""
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
state="$tmp/state.json"

# For scripts that define py CODE (python with guilib imported and the state loaded) and centre NAME (a
# rect's centre in window coordinates), and set $wid (the window):
#   wait_for COND   polls the state until the python expression COND holds ($wait_tries tenths of a
#                   second, default 200); fails when the app exits, and on a timeout after calling the
#                   script's show_state when it defines one;
#   click X Y       presses and releases the left button there; click_rect NAME clicks a rect's centre;
#   type_into NAME TEXT   types into an empty text field and leaves it with Tab;
#   replace_text NAME TEXT   replaces a text field's content (Ctrl+A selects all of it), leaves it with Tab;
#   press KEY       holds KEY for 0.15 s (a quick tap can fall between two frames);
#   chord MOD KEY   holds MOD, then KEY, 0.2 s each, and releases them in reverse order (a chord sent with
#                   `xdotool key` can fall between two frames, and the app then sees KEY without MOD).
#   open_session FILE   starts the app on a session file (1600x1000, the state dump), sets $pid and $wid.
wait_for() {
  for _ in $(seq 1 "${wait_tries:-200}"); do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then echo "FAIL: mergelab exited while waiting for: $1"; exit 1; fi
    if [[ -f "$state" ]] && py "sys.exit(0 if ($1) else 1)" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "FAIL: timed out waiting for: $1"
  if declare -F show_state > /dev/null; then show_state || true; fi
  exit 1
}
click() {
  xdotool mousemove --window "$wid" "$1" "$2"; sleep 0.3
  xdotool mousedown 1; sleep 0.3
  xdotool mouseup 1; sleep 0.3
}
click_rect() { read -r cx cy < <(centre "$1"); click "$cx" "$cy"; }
type_into() {
  click_rect "$1"
  xdotool type --delay 40 "$2"; sleep 0.3
  xdotool keydown Tab; sleep 0.15; xdotool keyup Tab; sleep 0.3
}
chord() {
  xdotool keydown "$1"; sleep 0.2
  xdotool keydown "$2"; sleep 0.2
  xdotool keyup "$2"; sleep 0.1
  xdotool keyup "$1"; sleep 0.2
}
press() { xdotool keydown "$1"; sleep 0.15; xdotool keyup "$1"; sleep 0.3; }
replace_text() {
  click_rect "$1"
  chord ctrl a; sleep 0.1
  xdotool type --delay 40 "$2"; sleep 0.3
  xdotool keydown Tab; sleep 0.15; xdotool keyup Tab; sleep 0.3
}
open_session() {
  rm -f "$state"
  "$MERGELAB" --session "$1" --state-json "$state" --size 1600x1000 &
  pid=$!
  wid="$(xdotool search --sync --pid "$pid" --name '^MergeLab$' | head -1)"
}
