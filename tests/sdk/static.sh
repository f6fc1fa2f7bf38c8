#!/bin/sh
# static.sh - which plugins newstag runs: built into the binary (--enable-static-plugins) or loaded from files
# With NEWSTAG_STATIC_PLUGINS=1 (make check sets it in a --enable-static-plugins build):
# the binary needs no plugin file and no libnewstag.so, lists its plugins as built-in,
# and tags with them from a directory holding nothing but the binary. Otherwise: the
# plugins come from module files (.la/.so).
set -u

BIN=${NEWSTAG_BIN:?NEWSTAG_BIN must be set (make check sets it)}
MODELS=${NEWSTAG_MODELS:?NEWSTAG_MODELS must be set}
T=$(mktemp -d "${TMPDIR:-/tmp}/nt-static-XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && sed 's/^/#   /' "$2" | head -30; }

printf 'Ministers agree a budget\n\nThe ministers agreed a new budget on Tuesday after long talks in the capital.\n' >"$T/article.txt"

if [ "${NEWSTAG_STATIC_PLUGINS:-0}" = 1 ]; then
	# libtool links the real program into BIN itself (no wrapper script) with -static-libtool-libs
	if command -v ldd >/dev/null 2>&1; then
		ldd "$BIN" >"$T/ldd" 2>&1
		if grep -Eq 'libnewstag|(rules|topic|tone|region|example)\.so' "$T/ldd"; then
			bad "the binary needs no plugin .so and no libnewstag.so" "$T/ldd"
		else
			ok "the binary needs no plugin .so and no libnewstag.so"
		fi
	fi
	# a copy alone in an empty directory, no plugin path: only the built-in plugins exist
	mkdir "$T/bin"
	cp "$BIN" "$T/bin/newstag"
	unset NEWSTAG_PLUGIN_PATH LTDL_LIBRARY_PATH
	if "$T/bin/newstag" plugins >"$T/out" 2>"$T/err" && grep -q 'built-in:rules' "$T/out" &&
		grep -q 'built-in:example' "$T/out"; then
		ok "newstag plugins lists the built-in plugins"
	else
		cat "$T/out" >>"$T/err"
		bad "newstag plugins lists the built-in plugins" "$T/err"
	fi
	cat >"$T/pipeline.json" <<'JSON'
{"pipeline": [{"plugin": "rules", "name": "topic-rules", "options": {"rules": "rules/topic-keywords.json"}},
              {"plugin": "example"}]}
JSON
	if "$T/bin/newstag" tag --format jsonl --config "$T/pipeline.json" "$T/article.txt" >"$T/out" 2>"$T/err" &&
		grep -q '"length":{"labels":\[{"label":"short"' "$T/out"; then
		ok "the lone binary tags with its built-in plugins"
	else
		cat "$T/out" >>"$T/err"
		bad "the lone binary tags with its built-in plugins" "$T/err"
	fi
	# built-in plugins come before any directory: an empty --plugin-dir changes nothing
	if "$T/bin/newstag" plugins --plugin-dir "$T" --config "$T/pipeline.json" >"$T/out" 2>"$T/err" &&
		grep -q 'path: *built-in:example' "$T/out"; then
		ok "pipeline instances use the built-in plugins"
	else
		cat "$T/out" >>"$T/err"
		bad "pipeline instances use the built-in plugins" "$T/err"
	fi
else
	if "$BIN" plugins >"$T/out" 2>"$T/err" && grep -Eq 'example\.(la|so)$' "$T/out" &&
		! grep -q 'built-in:' "$T/out"; then
		ok "plugins are loaded from module files (not a --enable-static-plugins build)"
	else
		cat "$T/out" >>"$T/err"
		bad "plugins are loaded from module files" "$T/err"
	fi
fi

echo "1..$((pass + fail))"
[ "$fail" -eq 0 ]
