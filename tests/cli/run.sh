#!/bin/sh
# run.sh - CLI tests: run the real newstag binary on real files and check its output and exit codes
set -u

BIN=${NEWSTAG_BIN:?NEWSTAG_BIN must be set (make check sets it)}
FIX=${NEWSTAG_FIXTURES:?NEWSTAG_FIXTURES must be set}
T=$(mktemp -d "${TMPDIR:-/tmp}/nt-cli-XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
pass=0
fail=0
skip=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && sed 's/^/#   /' "$2" | head -20; }
skipped() { skip=$((skip + 1)); echo "ok - $1 # SKIP $2"; }

# expect NAME EXIT-CODE STDERR-SUBSTRING -- command...
expect() {
	name=$1 want=$2 needle=$3
	shift 4
	"$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "# exit $rc, wanted $want" >>"$T/err"
		bad "$name" "$T/err"
	elif [ -n "$needle" ] && ! grep -qF -- "$needle" "$T/err"; then
		echo "# stderr lacks: $needle" >>"$T/err"
		bad "$name" "$T/err"
	else
		ok "$name"
	fi
}

json_ok() { # file: every line is a JSON object with an id (checked by newstag's own parser via python if present)
	if command -v python3 >/dev/null 2>&1; then
		python3 -c '
import json, sys
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    o = json.loads(line)
    assert isinstance(o, dict) and "id" in o, "line %d has no id" % n
' "$1"
	else
		grep -c '^{"id":' "$1" >/dev/null
	fi
}

# ---- tag
expect "tag: version" 0 "" -- "$BIN" --version
grep -q '^newstag ' "$T/out" && ok "version text" || bad "version text" "$T/out"
expect "tag: help" 0 "" -- "$BIN" tag --help
expect "tag: one article, jsonl" 0 "" -- "$BIN" tag --format jsonl "$FIX/article.txt"
if json_ok "$T/out" && [ "$(wc -l <"$T/out")" -eq 1 ] &&
	grep -q '"title":"Gulf mediators press Israel and Hamas to extend Gaza truce"' "$T/out" &&
	grep -q '"facets":{' "$T/out" && grep -q '"provenance":\[' "$T/out"; then
	ok "tag: schema-1 record"
else
	bad "tag: schema-1 record" "$T/out"
fi
expect "tag: pretty" 0 "" -- "$BIN" tag --format pretty "$FIX/article.txt"
grep -q '^	"facets":' "$T/out" && ok "tag: pretty is indented" || bad "tag: pretty is indented" "$T/out"
"$BIN" tag --format jsonl "$FIX/article.txt" >"$T/a1" 2>/dev/null
"$BIN" tag --format jsonl "$FIX/article.txt" >"$T/a2" 2>/dev/null
cmp -s "$T/a1" "$T/a2" && ok "tag: byte-identical records" || bad "tag: byte-identical records" "$T/a2"
expect "tag: stdin" 0 "" -- sh -c "\"$BIN\" tag - <\"$FIX/article.txt\""
grep -q '"id":"-"' "$T/out" && ok "tag: stdin id" || bad "tag: stdin id" "$T/out"
expect "tag: explain" 0 "" -- "$BIN" tag --explain --format jsonl "$FIX/article.txt"
expect "tag: two files, one record each" 0 "" -- "$BIN" tag "$FIX/article.txt" "$FIX/notitle.txt"
[ "$(wc -l <"$T/out")" -eq 2 ] && ok "tag: two lines" || bad "tag: two lines" "$T/out"

# ---- bad input: clear errors, distinct exit codes, never a crash
expect "bad: missing file" 3 "nosuch.txt: No such file or directory" -- "$BIN" tag "$T/nosuch.txt"
expect "bad: directory" 3 "is a directory" -- "$BIN" tag "$T"
: >"$T/empty.txt"
expect "bad: empty file" 3 "empty.txt: empty article" -- "$BIN" tag "$T/empty.txt"
printf 'ELF\000\001\002binary' >"$T/bin.dat"
expect "bad: binary file" 3 "binary file, not text (NUL byte at offset 3)" -- "$BIN" tag "$T/bin.dat"
printf 'Title \377 here\n\nBody \300\257 text.\n' >"$T/utf8.txt"
expect "bad: invalid UTF-8 is repaired" 0 "" -- "$BIN" tag --format jsonl "$T/utf8.txt"
grep -q '"code":"invalid-utf8"' "$T/out" && grep -q '"byte":6' "$T/out" &&
	ok "bad: invalid UTF-8 warning names byte 6" || bad "bad: invalid UTF-8 warning" "$T/out"
expect "bad: good file still tagged after a bad one" 3 "nosuch" -- "$BIN" tag "$T/nosuch" "$FIX/article.txt"
[ "$(wc -l <"$T/out")" -eq 1 ] && ok "bad: other file kept" || bad "bad: other file kept" "$T/out"
expect "bad: unknown option" 2 "unknown option" -- "$BIN" tag --frobnicate "$FIX/article.txt"
expect "bad: unknown command" 2 "unknown command" -- "$BIN" frobnicate
expect "bad: bad --format" 2 "--format must be" -- "$BIN" tag --format xml "$FIX/article.txt"
expect "bad: missing config" 4 "nope.json" -- "$BIN" tag --config "$T/nope.json" "$FIX/article.txt"
printf '{"pipeline": [{"plugin": "rules", "options": {"rulez": "x"}}]}' >"$T/badcfg.json"
expect "bad: config unknown option" 4 'unknown option "rulez"' -- "$BIN" tag --config "$T/badcfg.json" "$FIX/article.txt"
expect "bad: over --max-bytes" 3 "larger than the limit of 100 bytes" -- "$BIN" tag --max-bytes 100 "$FIX/article.txt"
# a 50 MB article
awk 'BEGIN { s = "Officials in Berlin and Paris discussed the budget again today. "; for (i = 0; i < 800000; i++) printf "%s", s; print "" }' >"$T/big.txt"
expect "bad: 50 MB article" 0 "" -- "$BIN" tag --format jsonl "$T/big.txt"
json_ok "$T/out" && ok "bad: 50 MB article gives a record" || bad "bad: 50 MB record" "$T/err"

# ---- plugins
expect "plugins: list" 0 "" -- "$BIN" plugins
grep -q '^  rules ' "$T/out" && grep -q '^  example ' "$T/out" && ok "plugins: rules and example" ||
	bad "plugins: rules and example" "$T/out"
grep -q 'option rules = (none): the JSON rule file' "$T/out" && ok "plugins: options with defaults and help" ||
	bad "plugins: options" "$T/out"
grep -q '^    labels: country:.*labels; --json lists them all)$' "$T/out" &&
	ok "plugins: a long label list shortened" || bad "plugins: long label list" "$T/out"
expect "plugins: json" 0 "" -- "$BIN" plugins --json
[ "$(grep -o '"country:[A-Z][A-Z]"' "$T/out" | wc -l)" -gt 200 ] && ok "plugins: json lists every label" ||
	bad "plugins: json labels" "$T/out"

# ---- batch
cat >"$T/in.jsonl" <<'EOF'
{"id": "a", "title": "Talks in Doha", "text": "Mediators met in Doha on Sunday.", "source": "wire", "lang": "en"}
{"id": 7, "text": "Numbered id article."}
not json at all
[1, 2, 3]
{"id": "nt", "title": "No text"}
{"id": "nst", "text": 42}

{"id": "u8", "text": "Bad \u00e9 and raw \xff byte."}
{"id": 1.5e55, "text": "Huge numeric id."}
{"id": 2.5, "text": "Fractional id."}
{"id": -9007199254740992, "text": "Smallest exact integer id."}
{"id": "last", "text": "Final article without newline."}
EOF
printf '%s' "$(cat "$T/in.jsonl")" | sed 's/\\xff/\xff/' >"$T/in2.jsonl"
expect "batch: bad lines" 1 "errors" -- "$BIN" batch -j 2 -o "$T/out.jsonl" "$T/in2.jsonl"
n=$(wc -l <"$T/out.jsonl")
[ "$n" -eq 11 ] && ok "batch: one output line per non-empty input line" || bad "batch: 11 lines, got $n" "$T/out.jsonl"
json_ok "$T/out.jsonl" && ok "batch: every line is JSON" || bad "batch: JSON" "$T/out.jsonl"
for c in invalid-json not-object missing-text text-not-string; do
	grep -q "\"code\":\"$c\"" "$T/out.jsonl" && ok "batch: error $c" || bad "batch: error $c" "$T/out.jsonl"
done
grep -q '"id":"7"' "$T/out.jsonl" && ok "batch: numeric id" || bad "batch: numeric id" "$T/out.jsonl"
[ "$(grep -c '"code":"bad-id"' "$T/out.jsonl")" -eq 2 ] && ok "batch: huge and fractional ids are bad-id" ||
	bad "batch: bad-id for 1.5e55 and 2.5" "$T/out.jsonl"
grep -q '"id":"-9007199254740992"' "$T/out.jsonl" && ok "batch: id -2^53 kept exactly" || bad "batch: id -2^53" "$T/out.jsonl"
grep -q '"meta":{"source":"wire","lang":"en"}' "$T/out.jsonl" && ok "batch: meta kept" || bad "batch: meta" "$T/out.jsonl"
grep -q '"invalid-utf8-line"' "$T/out.jsonl" && ok "batch: invalid UTF-8 line warned" || bad "batch: utf8" "$T/out.jsonl"
grep -q '"id":"last"' "$T/out.jsonl" && ok "batch: last line without newline" || bad "batch: last line" "$T/out.jsonl"
sed -n '3p' "$T/out.jsonl" | grep -q '"line":3' && ok "batch: error names line 3" || bad "batch: line 3" "$T/out.jsonl"
expect "batch: too large" 1 "" -- "$BIN" batch --max-bytes 60 "$T/in2.jsonl"
grep -q '"code":"too-large"' "$T/out" && ok "batch: too-large error" || bad "batch: too-large" "$T/out"

# ordered output with threads, stdin/stdout
i=0
: >"$T/many.jsonl"
while [ $i -lt 400 ]; do
	echo "{\"id\": \"d$i\", \"text\": \"Article number $i about talks in Doha and Kyiv. More text follows here.\"}" >>"$T/many.jsonl"
	i=$((i + 1))
done
"$BIN" batch -q -j 1 <"$T/many.jsonl" >"$T/j1.jsonl" 2>/dev/null
"$BIN" batch -q -j 4 - <"$T/many.jsonl" >"$T/j4.jsonl" 2>/dev/null
cmp -s "$T/j1.jsonl" "$T/j4.jsonl" && ok "batch: -j4 output identical and ordered" || bad "batch: -j4 order" "$T/j4.jsonl"
"$BIN" batch -q -j 4 --unordered <"$T/many.jsonl" | sort >"$T/un.jsonl" 2>/dev/null
sort "$T/j1.jsonl" | cmp -s - "$T/un.jsonl" && ok "batch: --unordered same set" || bad "batch: unordered" "$T/un.jsonl"

# directory input
mkdir -p "$T/dir/sub"
cp "$FIX/article.txt" "$T/dir/a.txt"
cp "$FIX/notitle.txt" "$T/dir/sub/b.txt"
echo "not an article" >"$T/dir/skip.dat"
expect "batch: directory" 0 "" -- "$BIN" batch "$T/dir"
[ "$(wc -l <"$T/out")" -eq 2 ] && grep -q '"id":"sub/b.txt"' "$T/out" && ok "batch: dir ids relative" ||
	bad "batch: dir ids" "$T/out"

# resume: a torn last line is dropped, ids already done are skipped
head -n 150 "$T/j1.jsonl" >"$T/res.jsonl"
sed -n '151p' "$T/j1.jsonl" | cut -c1-40 | tr -d '\n' >>"$T/res.jsonl"
"$BIN" batch -q --resume -o "$T/res.jsonl" "$T/many.jsonl" 2>/dev/null
cmp -s "$T/j1.jsonl" "$T/res.jsonl" && ok "batch: --resume after a torn line" || bad "batch: resume" "$T/res.jsonl"

# kill -9 in the middle, then resume: every id exactly once
awk '{ print }' "$T/many.jsonl" "$T/many.jsonl" "$T/many.jsonl" | awk '{ sub(/"id": "d/, "\"id\": \"k" NR "-"); print }' >"$T/kill.jsonl"
"$BIN" batch -q -j 2 -o "$T/kill.out" "$T/kill.jsonl" 2>/dev/null &
pid=$!
sleep 0.3
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
"$BIN" batch -q -j 2 --resume -o "$T/kill.out" "$T/kill.jsonl" 2>/dev/null
total=$(wc -l <"$T/kill.out")
uniq_ids=$(grep -o '^{"id":"[^"]*"' "$T/kill.out" | sort -u | wc -l)
[ "$total" -eq 1200 ] && [ "$uniq_ids" -eq 1200 ] && ok "batch: kill -9 + resume: 1200 ids once each" ||
	bad "batch: kill -9 + resume ($total lines, $uniq_ids ids)" "$T/kill.out"

# GNU parallel --pipe gives the same records as one process
if command -v parallel >/dev/null 2>&1; then
	parallel --will-cite --pipe -k -N 50 "$BIN" batch -q -j 1 <"$T/many.jsonl" >"$T/par.jsonl" 2>/dev/null
	cmp -s "$T/j1.jsonl" "$T/par.jsonl" && ok "batch: parallel --pipe equivalence" || bad "batch: parallel" "$T/par.jsonl"
else
	skipped "batch: parallel --pipe equivalence" "GNU parallel not installed"
fi
expect "batch: missing input" 3 "nosuch.jsonl" -- "$BIN" batch "$T/nosuch.jsonl"
expect "batch: --resume needs -o" 2 "--resume needs -o" -- "$BIN" batch --resume "$T/many.jsonl"

# ---- plugin-check
expect "plugin-check: rules needs its option" 4 'option "rules"' -- "$BIN" plugin-check "${NEWSTAG_BUILD:-$(dirname "$BIN")/..}/plugins/rules/.libs/rules.so"
expect "plugin-check: example passes" 0 "" -- "$BIN" plugin-check "${NEWSTAG_BUILD:-$(dirname "$BIN")/..}/plugins/example/.libs/example.so"
grep -q 'result:   PASS' "$T/out" && ok "plugin-check: PASS line" || bad "plugin-check: PASS" "$T/out"
expect "plugin-check: region passes" 0 "" -- "$BIN" plugin-check "${NEWSTAG_BUILD:-$(dirname "$BIN")/..}/plugins/region/.libs/region.so"
grep -q '^labels:   [0-9][0-9]* listed by describe()$' "$T/out" && ok "plugin-check: describe() labels counted" ||
	bad "plugin-check: labels line" "$T/out"
expect "plugin-check: tone passes" 0 "" -- "$BIN" plugin-check "${NEWSTAG_BUILD:-$(dirname "$BIN")/..}/plugins/tone/.libs/tone.so"
grep -q '^numbers:  6 listed by describe_numbers()$' "$T/out" && ok "plugin-check: describe_numbers() counted" ||
	bad "plugin-check: numbers line" "$T/out"
expect "plugin-check: missing file" 4 "no such file" -- "$BIN" plugin-check "$T/none.so"

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
