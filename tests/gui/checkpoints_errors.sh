#!/usr/bin/env bash
# Checkpoints panel after failures (Xvfb + xdotool): a refused Merge after a finished one leaves no full
# progress bar (nothing was written); a refused Merge into an input folder speaks of the window's output folder,
# not of command-line options (the error popups are closed with Esc and Enter); a failed Load clears the
# previous family's compatibility report and table.
set -euo pipefail
: "${MERGELAB:?set MERGELAB to the mergelab binary}"
: "${MERGELAB_SOURCE:?set MERGELAB_SOURCE to the repository}"
source "$(cd "$(dirname "$0")" && pwd)/prelude.bash"
models="$MERGELAB_SOURCE/tests/data/digits/models"
export MERGELAB_SOURCE
"$MERGELAB" --state-json "$state" --panels checkpoints --size 1600x1000 &
pid=$!

py() { python3 -c "import sys, json; sys.path.insert(0, '$here'); from guilib import *; s = load_state('$state'); c = s.get('checkpoints', {}); $1"; }
show_state() { py "print({k: c.get(k) for k in ('loaded', 'loading', 'error', 'merge', 'compatible')})"; }
centre() { py "r = c['rects']['$1']; print(round((r[0] + r[2]) / 2), round((r[1] + r[3]) / 2))"; }
dismiss_error() { click_rect error_ok; wait_for "not c['error_popup']"; }

wid="$(xdotool search --sync --name '^MergeLab$' | head -1)"
wait_for "'rects' in c and 'load' in c['rects']"
click_rect load
wait_for "c['loaded'] and not c['loading'] and len(c['tensors']) == 4 and c['compatible'] is True"

# A finished merge fills the bar; a second one without force is refused before writing: the bar is empty.
type_into out_dir "$tmp/merged"
wait_for "c['merge']['out_dir'] == '$tmp/merged'"
click_rect merge
wait_for "c['merge']['state'] == 'done' and c['merge']['bytes_done'] == c['merge']['bytes_total'] > 0"
# The pre-flight shown under Merge: ok, the 4 tensors, and the bytes written = the merged file's data section.
py "
import struct
p = c['preflight']
f = open('$tmp/merged/model.safetensors', 'rb').read()
data = len(f) - 8 - struct.unpack('<Q', f[:8])[0]
if not p['ok'] or p['tensors'] != 4 or p['bytes_written'] != data: fail('pre-flight %s, data section %d' % (p, data))
"
click_rect merge
wait_for "c['merge']['state'] == 'failed' and c['error_popup']"
py "
m = c['merge']
if (m['tensors_done'], m['bytes_done']) != (0, 0): fail('a refused merge shows progress %s' % m)
if '--' in m['message'] or 'force' not in m['message']: fail('message: %s' % m['message'])
print('refused merge: empty bar;', m['message'])
"
press Escape  # the popup's keys: Esc closes it, as Enter does below
wait_for "not c['error_popup']"

# Into an input folder: refused; the message names the output folder, not --out.
replace_text out_dir "$models/ft_task0"
wait_for "c['merge']['out_dir'] == '$models/ft_task0'"
click_rect merge
wait_for "c['merge']['state'] == 'failed' and c['error_popup']"
py "
m = c['merge']['message']
if '--' in m or 'output folder' not in m or 'never written' not in m: fail('message: %s' % m)
if '--' in c['error']: fail('error popup: %s' % c['error'])
print('input as output:', m)
"
press Return
wait_for "not c['error_popup']"

# A model that does not exist: the pre-flight says Merge would refuse, naming it, before Merge is pressed.
replace_text model2 "$tmp/no-such-model"
wait_for "c['models'][2] == '$tmp/no-such-model' and 'preflight' in c and not c['preflight']['pending']"
py "
p = c['preflight']
if p['ok'] or 'no-such-model' not in p['error']: fail('pre-flight %s' % p)
if c['merge']['state'] != 'failed': fail('merge state %s' % c['merge']['state'])  # the last one, untouched
print('pre-flight before Merge:', p['error'])
"

# A base that does not exist: Load fails and the previous report and table are gone.
replace_text base "$tmp/no-such-base"
wait_for "c['base'] == '$tmp/no-such-base'"
click_rect load
wait_for "not c['loading'] and c['error_popup']"
py "
if c['loaded']: fail('still loaded after a failed Load')
if c['tensors'] or 'compatible' in c or 'n_tensors' in c or 'histogram' in c: fail('the previous family is still shown: %s tensors' % len(c['tensors']))
if 'no-such-base' not in c['error']: fail('error: %s' % c['error'])
print('failed load cleared the table:', c['error'].splitlines()[0])
"
echo "PASS"
