#!/usr/bin/env bash
# Held-back scenes draw nothing that gives the answer away before V: per scene, the state dump says
# which results were drawn (loss curves, minimum markers, read-out losses, heat map, sign-conflict
# count, growth curves, winner rows), before the reveal and after it (--reveal), so the check can fail.
set -euo pipefail
: "${MERGELAB:?set MERGELAB to the mergelab binary}"
if [[ "${1:-}" != "--inner" ]]; then
  exec xvfb-run -a -s '-screen 0 1920x1080x24' bash "$0" --inner
fi
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
for n in 1 2 5 7 10; do
  "$MERGELAB" --scene "$n" --frames 4 --screenshot "$tmp/h$n.png" --state-json "$tmp/h$n.json" > /dev/null
  "$MERGELAB" --scene "$n" --reveal --frames 4 --screenshot "$tmp/r$n.png" --state-json "$tmp/r$n.json" > /dev/null
done
python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
fails, checks = [], 0
def check(n, cond, what):
    global checks
    checks += 1
    if not cond: fails.append('scene %d: %s' % (n, what))
for n in (1, 2, 5, 7, 10):
    h, r = json.load(open('%s/h%d.json' % (d, n))), json.load(open('%s/r%d.json' % (d, n)))
    check(n, h['lecture']['hold_back'] and not h['lecture']['revealed'], 'the scene holds something back')
    check(n, r['lecture']['revealed'], '--reveal reveals')
    if n == 1:  # the minimum only: the whole loss plot stays, its minimum's markers and values go
        check(n, h['curves']['loss_points_drawn'] > 0, 'the loss curves are drawn (only the minimum is held back)')
        check(n, h['curves']['min_markers_drawn'] == 0 and not h['curves']['min_shown'], 'no minimum markers before V')
        check(n, r['curves']['min_markers_drawn'] == 2, 'both minimum markers after V')
    if n == 2:  # the barrier: curves, read-out, heat map and the barrier number
        check(n, h['curves']['loss_points_drawn'] == 0, 'no loss curve drawn before V (drew %d points)' % h['curves']['loss_points_drawn'])
        check(n, h['curves']['min_markers_drawn'] == 0, 'no minimum markers before V')
        check(n, 'barrier 0' not in h['curves']['barrier_text'] and 'barrier 1' not in h['curves']['barrier_text'],
              'no barrier value before V: ' + h['curves']['barrier_text'])
        check(n, not h['explorer']['heat_map_shown'] and not h['explorer']['readout_losses_shown'], 'no landscape, no read-out losses before V')
        check(n, r['curves']['loss_points_drawn'] > 0 and r['explorer']['readout_losses_shown'], 'curves and read-out after V')
        check(n, 'LERP barrier' in r['curves']['barrier_text'], 'the barrier value after V')
    if n == 5:  # the sign-conflict count the caption asks for
        check(n, not h['ties_anatomy']['conflicts_shown'], 'no conflict count before V')
        check(n, r['ties_anatomy']['conflicts_shown'], 'the conflict count after V')
    if n == 7:  # the winner: leaderboard rows covered, growth curves (at d = 4 they are the leaderboard) hidden
        check(n, h['lecture']['winner_covered'], 'the winner rows covered before V')
        check(n, not h['merge_lab']['growth']['curves_shown'], 'no growth curves before V')
        check(n, not r['lecture']['winner_covered'] and r['merge_lab']['growth']['curves_shown'], 'rows and growth curves after V')
    if n == 10:  # real checkpoints, the barrier: curves, verdicts and the merge point's read-out
        hp, rp = h['real_weight_space']['path'], r['real_weight_space']['path']
        check(n, h['real_weight_space']['barrier_held_back'] and hp['done'], 'the path computed but held back')
        check(n, hp['points_drawn'] == 0, 'no path curve drawn before V (drew %d points)' % hp['points_drawn'])
        check(n, not hp['verdict_shown'] and not hp['readout_shown'], 'no verdict, no read-out before V')
        check(n, rp['points_drawn'] >= 42 and rp['verdict_shown'] and rp['readout_shown'], 'curves, verdict and read-out after V')
        check(n, rp['lerp_barrier']['present'], 'multitask <-> diffinit_multitask: a barrier after V')
for f in fails: print('FAIL:', f)
print('%d passed, %d failed' % (checks - len(fails), len(fails)))
sys.exit(1 if fails else 0)
PY
