#!/usr/bin/env bash
# Every command answers --help; unknown commands and options fail clearly.
set -euo pipefail
"$MERGELAB" --help | grep -q "commands:"
for cmd in $("$MERGELAB" --help | awk '/^commands:/{f=1;next} /^$/{f=0} f{print $1}'); do
  "$MERGELAB" "$cmd" --help > /dev/null || { echo "$cmd --help failed"; exit 1; }
done
"$MERGELAB" lab --help | grep -q "density"
set +e
"$MERGELAB" frobnicate 2> /tmp/mergelab_help_err.$$; rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "unknown command 'frobnicate'" /tmp/mergelab_help_err.$$
rm -f /tmp/mergelab_help_err.$$
echo "1 passed, 0 failed"
