#!/usr/bin/env bash
# The layout audit over every view and every lecture scene at 1280x720, 1600x1000 and 1920x1080, UI
# scales 1.0, 1.75 and 2.5, window and presentation view, in one process (--layout-sweep). Fails on
# any recorded clip, elision, overlap, plot below a readable size or missing glyph, and at the
# default size (1600x1000, scale 1, window) also on a panel whose controls run past its visible area.
# Entries listed in layout_sweep_known.txt (panel|item|what) are still open: reported, not failed;
# anything new fails, a missing glyph always fails, and the default size is never excused.
set -euo pipefail
: "${MERGELAB:?set MERGELAB to the mergelab binary}"
if [[ "${1:-}" != "--inner" ]]; then
  exec xvfb-run -a -s '-screen 0 1920x1080x24' bash "$0" --inner
fi
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
"$MERGELAB" --layout-sweep "$tmp/sweep.json" > /dev/null
echo "sweep took $(( $(date +%s) - start )) s"
python3 - "$tmp/sweep.json" "$(dirname "$0")/layout_sweep_known.txt" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
known = {tuple(l.rstrip('\n').split('|')) for l in open(sys.argv[2]) if l.strip() and not l.startswith('#')}
res = doc['results']
# The sweep covers what it says: 3 sizes x 3 scales x 2 looks x (5 views + 10 scenes).
combos = {(tuple(r['size']), r['scale'], r['presentation'], r['view'], r['scene']) for r in res}
assert len(combos) == len(res) == 3 * 3 * 2 * 15, 'expected 270 distinct cases, got %d' % len(combos)
bad_size = [r['case'] for r in res if r['framebuffer'] != r['size']]
fails, open_known = [], {}
for r in res:
    for e in r['failures']:
        key = (e['panel'], e['item'], e['what'])
        default_size = tuple(r['size']) == (1600, 1000) and r['scale'] == 1.0 and not r['presentation']
        # The default window (1600x1000, scale 1) must be clean: the known list excuses smaller windows and
        # larger scales only.
        if e['what'] != 'missing_glyph' and key in known and not default_size:
            open_known[key] = open_known.get(key, 0) + 1
            continue
        fails.append('%s: %s / %s: %s (%s)' % (r['case'], e['panel'] or '-', e['item'], e['what'], e['detail']))
for k, n in sorted(open_known.items()): print('known open: %s / %s: %s in %d cases' % (k[0], k[1], k[2], n))
for f in fails[:60]: print('FAIL:', f)
if len(fails) > 60: print('... %d more' % (len(fails) - 60))
for c in bad_size: print('FAIL: %s: the window never reached its size' % c)
print('%d cases, %d failing' % (len(res), doc['failing_cases']))
sys.exit(1 if fails or bad_size else 0)
PY
