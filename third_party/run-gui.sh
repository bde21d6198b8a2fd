#!/usr/bin/env bash
# Starts a mergelab command; when the explorer is asked for and no display is
# available, runs it under a virtual X server so `make run` still works headless.
set -euo pipefail
bin=$1; shift
if [ $# -eq 0 ] && [ -z "${DISPLAY:-}" ]; then
  echo "run-gui: no DISPLAY; the explorer needs a screen. Showing the article's experiments instead." >&2
  echo "run-gui: for a virtual screen use: xvfb-run -a -s '-screen 0 1920x1080x24' $bin" >&2
  exec "$bin" article
fi
exec "$bin" "$@"
