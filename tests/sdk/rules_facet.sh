#!/bin/sh
# rules_facet.sh - a classifier from data alone: a rules file added to a pipeline config gives the record a new facet
# The worked example of plugins/README.md ("A new facet from a rules file"), end to end
# with the real newstag binary. No C, no compiler: a JSON rule file and a pipeline config.
set -u

BIN=${NEWSTAG_BIN:?NEWSTAG_BIN must be set (make check sets it)}
T=$(mktemp -d "${TMPDIR:-/tmp}/nt-rules-XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && sed 's/^/#   /' "$2" | head -30; }

# 1. the rule file: a new facet "weather" with two labels
cat >"$T/weather.json" <<'JSON'
{
  "description": "storms and heat: a facet made from a rule file",
  "rules": [
    {"facet": "weather", "label": "storm",
     "terms": {"storm": 1.0, "hurricane": 1.5, "flooding": 1.0, "heavy rain": 1.0, "gale": 1.0}},
    {"facet": "weather", "label": "heatwave",
     "terms": {"heatwave": 1.5, "heat wave": 1.5, "drought": 1.0, "record temperatures": 1.2}}
  ]
}
JSON

# 2. a pipeline config: the shipped topic rules plus the new rule file (an absolute
#    path; relative paths resolve against the models directory)
cat >"$T/pipeline.json" <<JSON
{
  "pipeline": [
    {"plugin": "rules", "name": "topic-rules", "options": {"rules": "rules/topic-keywords.json"}},
    {"plugin": "rules", "name": "weather-rules", "options": {"rules": "$T/weather.json"}}
  ],
  "facets": {
    "topic": {"policy": "max", "threshold": 0.5},
    "weather": {"threshold": 0.5, "single": true}
  }
}
JSON

printf 'Hurricane brings flooding to the coast\n\nThe hurricane brought heavy rain and flooding to coastal towns on Monday, and officials said the storm would weaken by Wednesday.\n' >"$T/storm.txt"
printf 'Council approves new library\n\nThe city council approved plans for a new public library on Monday.\n' >"$T/calm.txt"

# 3. tag with it
if "$BIN" tag --format jsonl --config "$T/pipeline.json" "$T/storm.txt" >"$T/out" 2>"$T/err" &&
	grep -q '"weather":{"labels":\[{"label":"storm"' "$T/out"; then
	ok "rules file in a pipeline config: the record shows facet weather = storm"
else
	cat "$T/out" >>"$T/err"
	bad "rules file: facet weather = storm" "$T/err"
fi
if grep -q '"instance":"weather-rules"' "$T/out"; then
	ok "provenance names the weather-rules instance"
else
	bad "provenance names the weather-rules instance" "$T/out"
fi
if "$BIN" tag --format jsonl --config "$T/pipeline.json" "$T/calm.txt" >"$T/out" 2>"$T/err" &&
	grep -q '"weather":{"labels":\[\]' "$T/out"; then
	ok "an article without the terms gets no weather label"
else
	cat "$T/out" >>"$T/err"
	bad "no weather label without the terms" "$T/err"
fi
# the facet policy from the config is applied: single-label
n=$("$BIN" tag --format jsonl --config "$T/pipeline.json" "$T/storm.txt" 2>/dev/null | grep -o '"label":"heatwave"' | wc -l)
[ "$n" -eq 0 ] && ok "single-label facet keeps only the best label" || bad "single-label facet"
# newstag plugins shows the new instance and its labels
if "$BIN" plugins --config "$T/pipeline.json" >"$T/out" 2>"$T/err" && grep -q 'weather:storm' "$T/out"; then
	ok "newstag plugins lists weather:storm for the new instance"
else
	cat "$T/out" >>"$T/err"
	bad "newstag plugins lists the new labels" "$T/err"
fi
# a mistake in the rule file is reported with the file name, and tagging fails
echo '{"rules": [{"facet": "weather", "label": "storm", "terms": {"storm": "high"}}]}' >"$T/weather.json"
if "$BIN" tag --format jsonl --config "$T/pipeline.json" "$T/storm.txt" >"$T/out" 2>"$T/err"; then
	bad "a broken rule file is refused" "$T/out"
elif grep -q "weather.json" "$T/err"; then
	ok "a broken rule file is refused, naming the file"
else
	bad "a broken rule file: error does not name the file" "$T/err"
fi

echo "1..$((pass + fail))"
[ "$fail" -eq 0 ]
