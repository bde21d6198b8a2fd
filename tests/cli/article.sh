#!/usr/bin/env bash
# `mergelab article` prints exactly what the article's code prints.
set -euo pipefail
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
"$MERGELAB" article > "$out/article.txt"
diff -u "$MERGELAB_TEST_DATA/article_code_output.txt" "$out/article.txt"
"$MERGELAB" article --json > "$out/article.json"
python3 - "$out/article.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
pts = j["interpolation_path"]["points"]
assert [round(p["t"], 2) for p in pts] == [0.0, 0.25, 0.5, 0.75, 1.0]
assert f'{pts[2]["task1"]:.3f}' == "0.504" and f'{pts[2]["task2"]:.3f}' == "0.497", pts[2]
assert j["ties_demo"]["sign_conflicts"] == 158
assert j["merge_lab"]["winner"] == "linear"
rows = {r["method"]: r for r in j["merge_lab"]["rows"]}
assert f'{rows["dare_ties"]["combined"]:.3f}' == "0.608", rows["dare_ties"]
print("article --json ok")
PY
if "$MERGELAB" article --bogus 2> "$out/err.txt"; then echo "expected a failure"; exit 1; fi
grep -q "unknown option --bogus" "$out/err.txt"
echo "1 passed, 0 failed"
