#!/usr/bin/env bash
# A scene's hidden_controls hide the Merge Lab's settings column in presentation view (and only there).
set -euo pipefail
: "${MERGELAB:?set MERGELAB to the mergelab binary}"
if [[ "${1:-}" != "--inner" ]]; then
  exec xvfb-run -a -s '-screen 0 1920x1080x24' bash "$0" --inner
fi
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
python3 - "$MERGELAB_SOURCE/assets/scenes/07_merge_lab.json" "$tmp/hidden.json" <<'PY'
import json, sys
scene = json.load(open(sys.argv[1]))
scene["hidden_controls"] = ["merge_lab.controls"]
json.dump(scene, open(sys.argv[2], "w"), indent=1)
PY
has_alpha() {  # state file -> prints yes/no: is the alpha slider drawn?
  python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['merge_lab'].get('rects', {}); print('yes' if 'alpha' in r else 'no')" "$1"
}
"$MERGELAB" --scene "$tmp/hidden.json" --presentation --no-fullscreen --frames 5 --screenshot "$tmp/p.png" --state-json "$tmp/p.json" > /dev/null
"$MERGELAB" --scene "$tmp/hidden.json" --frames 5 --screenshot "$tmp/w.png" --state-json "$tmp/w.json" > /dev/null
[ "$(has_alpha "$tmp/p.json")" = no ] || { echo "presentation view still draws the Merge Lab controls"; exit 1; }
[ "$(has_alpha "$tmp/w.json")" = yes ] || { echo "the window hides the Merge Lab controls outside presentation view"; exit 1; }
echo "1 passed, 0 failed"
