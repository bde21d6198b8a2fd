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
