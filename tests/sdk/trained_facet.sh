#!/bin/sh
# trained_facet.sh - a classifier from data alone: `newstag train` on labelled JSONL, then the facet in the record (--model and a pipeline config)
# The worked example of plugins/README.md ("A new facet from labelled examples"), end
# to end with the real newstag binary. The training set is generated here: two
# invented beats ("sport", "markets") from small word lists written for this test.
set -u

BIN=${NEWSTAG_BIN:?NEWSTAG_BIN must be set (make check sets it)}
T=$(mktemp -d "${TMPDIR:-/tmp}/nt-train-XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && sed 's/^/#   /' "$2" | head -30; }

# 1. labelled JSONL: {"id", "title", "text", "labels": {"beat": [...]}}, 30 per label,
#    made deterministically with awk (no randomness, no external data)
awk 'BEGIN {
	ns = split("striker goal coach league match stadium season penalty referee cup", s, " ")
	nm = split("shares investors index bond yields earnings stocks trading dividend inflation", m, " ")
	nc = split("the said on tuesday after a week of in city officials new report", c, " ")
	for (i = 0; i < 30; i++) {
		for (k = 0; k < 2; k++) {
			text = ""
			for (j = 0; j < 16; j++) {
				if (j % 2 == 0) w = (k == 0) ? s[(i * 7 + j * 3) % ns + 1] : m[(i * 5 + j * 3) % nm + 1]
				else w = c[(i * 3 + j) % nc + 1]
				text = text (j ? " " : "") w
			}
			lab = (k == 0) ? "sport" : "markets"
			printf "{\"id\":\"%s-%d\",\"title\":\"%s\",\"text\":\"%s.\",\"labels\":{\"beat\":[\"%s\"]}}\n", lab, i, substr(text, 1, 30), text, lab
		}
	}
}' >"$T/tiny.jsonl"
[ "$(wc -l <"$T/tiny.jsonl")" -eq 60 ] && ok "60 labelled lines written" || bad "training data" "$T/tiny.jsonl"

# 2. train the facet "beat"
if "$BIN" train --facet beat --data "$T/tiny.jsonl" --out "$T/beat-model" >"$T/out" 2>"$T/err" &&
	[ -f "$T/beat-model/manifest.json" ]; then
	ok "newstag train --facet beat --data tiny.jsonl --out beat-model"
else
	cat "$T/out" >>"$T/err"
	bad "newstag train" "$T/err"
fi

printf 'Striker scores late goal as coach praises season\n\nThe striker scored a penalty goal in the cup match at the stadium, and the coach said the league season was going well.\n' >"$T/sport.txt"
printf 'Stocks fall as bond yields rise\n\nShares slid and investors sold stocks as bond yields rose on inflation worries; the index ended trading lower despite strong earnings.\n' >"$T/markets.txt"

# 3a. add it with --model DIR (appended to the default pipeline)
if "$BIN" tag --format jsonl --model "$T/beat-model" "$T/sport.txt" >"$T/out" 2>"$T/err" &&
	grep -q '"beat":{"labels":\[{"label":"sport"' "$T/out"; then
	ok "tag --model DIR: the record shows facet beat = sport"
else
	cat "$T/out" >>"$T/err"
	bad "tag --model DIR: facet beat = sport" "$T/err"
fi

# 3b. add it with a pipeline config entry (the topic plugin, option "model")
cat >"$T/pipeline.json" <<JSON
{
  "pipeline": [
    {"plugin": "rules", "name": "topic-rules", "options": {"rules": "rules/topic-keywords.json"}},
    {"plugin": "topic", "name": "beat", "options": {"model": "$T/beat-model"}}
  ],
  "facets": {
    "topic": {"policy": "max", "threshold": 0.5},
    "beat": {"single": true, "threshold": 0.5}
  }
}
JSON
if "$BIN" tag --format jsonl --config "$T/pipeline.json" "$T/markets.txt" >"$T/out" 2>"$T/err" &&
	grep -q '"beat":{"labels":\[{"label":"markets"' "$T/out" && grep -q '"instance":"beat"' "$T/out"; then
	ok "pipeline config entry: the record shows facet beat = markets"
else
	cat "$T/out" >>"$T/err"
	bad "pipeline config entry: facet beat = markets" "$T/err"
fi
if "$BIN" tag --format jsonl --config "$T/pipeline.json" "$T/sport.txt" >"$T/out" 2>"$T/err" &&
	grep -q '"beat":{"labels":\[{"label":"sport"' "$T/out"; then
	ok "pipeline config entry: sport article gets beat = sport"
else
	cat "$T/out" >>"$T/err"
	bad "pipeline config entry: facet beat = sport" "$T/err"
fi

echo "1..$((pass + fail))"
[ "$fail" -eq 0 ]
