#!/bin/sh
# outoftree.sh - install newstag into a temporary prefix, build plugins/example against it with only pkg-config and cc, check and use it
#
# What a user who has only installed newstag does (plugins/README.md, "Building out of tree"):
#   1. configure --prefix=TMP, make, make install (a fresh build of this source tree)
#   2. cc -shared -fPIC $(pkg-config --cflags newstag) example.c -o example.so $(pkg-config --libs newstag)
#   3. newstag plugin-check ./example.so
#   4. newstag tag --plugin-dir DIR --config CFG   (CFG adds the plugin to a pipeline)
#   5. install it into $(pkg-config --variable=plugindir newstag); tag again with no --plugin-dir
#   6. make uninstall leaves no file behind in the prefix
# Runs under `make check` and `make distcheck` (read-only source tree): everything it
# writes is in a temporary directory. Exit 77 (SKIP) when it cannot run here.
set -u

SRC=${NEWSTAG_TOP_SRCDIR:?NEWSTAG_TOP_SRCDIR must be set (make check sets it)}
CC=${NEWSTAG_CC:-cc}
T=$(mktemp -d "${TMPDIR:-/tmp}/nt-sdk-XXXXXX")
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && sed 's/^/#   /' "$2" | head -30; }

command -v pkg-config >/dev/null 2>&1 || { echo "SKIP: pkg-config not found"; exit 77; }
if [ -f "$SRC/config.status" ]; then
	echo "SKIP: $SRC is configured in place; a second (VPATH) build of it is refused by configure"
	exit 77
fi

# the make that runs us passes its jobserver in MAKEFLAGS; the inner build is independent
unset MAKEFLAGS MFLAGS MAKELEVEL
# the installed newstag must find everything by itself: no build-tree hints
unset NEWSTAG_PLUGIN_PATH NEWSTAG_MODELS LTDL_LIBRARY_PATH

PREFIX=$T/prefix
mkdir "$T/build" "$T/oot"

# ---- 1. configure, build, install into the temporary prefix
start=$(date +%s)
if (cd "$T/build" && "$SRC/configure" -q --prefix="$PREFIX" CC="$CC" >"$T/log" 2>&1 &&
	make -j2 >>"$T/log" 2>&1 && make install >>"$T/log" 2>&1); then
	ok "configure --prefix, make, make install ($(($(date +%s) - start)) s)"
else
	bad "configure --prefix, make, make install" "$T/log"
	tail -30 "$T/log" | sed 's/^/#   /'
	echo "1..$((pass + fail))"
	exit 1
fi
NT=$PREFIX/bin/newstag
for f in bin/newstag include/newstag/newstag.h share/doc/newstag/plugins/README.md include/newstag/plugin.h lib/pkgconfig/newstag.pc \
	lib/newstag/example.so lib/newstag/rules.so share/newstag/models/pipeline.json \
	share/man/man1/newstag.1; do
	[ -f "$PREFIX/$f" ] || { echo "# missing $PREFIX/$f" >>"$T/missing"; }
done
ls "$PREFIX"/lib/libnewstag.so* >/dev/null 2>&1 || echo "# missing $PREFIX/lib/libnewstag.so" >>"$T/missing"
[ -s "$T/missing" ] && bad "install layout" "$T/missing" || ok "install layout (bin, headers, libnewstag.so, newstag.pc, plugins, models, man page)"

export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
PLUGINDIR=$(pkg-config --variable=plugindir newstag)
MODELSDIR=$(pkg-config --variable=modelsdir newstag)
if [ "$PLUGINDIR" = "$PREFIX/lib/newstag" ] && [ "$MODELSDIR" = "$PREFIX/share/newstag/models" ]; then
	ok "newstag.pc: plugindir and modelsdir"
else
	echo "# plugindir=$PLUGINDIR modelsdir=$MODELSDIR" >"$T/pc"
	bad "newstag.pc: plugindir and modelsdir" "$T/pc"
fi

# the installed newstag finds its plugins and models with no flags
printf 'Ministers agree a budget\n\nThe ministers agreed a new budget on Tuesday after long talks in the capital.\n' >"$T/article.txt"
if (cd "$T" && "$NT" tag --format jsonl article.txt >"$T/out" 2>"$T/err") && grep -q '"facets":{' "$T/out" &&
	grep -q '"plugin":"rules"' "$T/out"; then
	ok "installed newstag tags with no flags (default pipeline from $MODELSDIR)"
else
	cat "$T/out" >>"$T/err"
	bad "installed newstag tags with no flags" "$T/err"
fi

# the guide and the example are installed; the guide's listing is the example itself
DOC=$PREFIX/share/doc/newstag/plugins
awk '/^<!-- example.c: begin/ {on = 1; next} /^<!-- example.c: end/ {on = 0} on' "$DOC/README.md" |
	sed '1d;$d' >"$T/listing.c"
if [ -f "$DOC/example.c" ] && cmp -s "$T/listing.c" "$DOC/example.c"; then
	ok "installed guide and example.c; the guide's listing equals example.c"
else
	diff "$T/listing.c" "$DOC/example.c" >"$T/err" 2>&1
	bad "installed guide's listing equals example.c" "$T/err"
fi

# ---- 2. build the example plugin out of tree from the installed copy: pkg-config and cc only
cp "$DOC/example.c" "$T/oot/example.c"
if (cd "$T/oot" && $CC -shared -fPIC $(pkg-config --cflags newstag) example.c -o example.so \
	$(pkg-config --libs newstag)) >"$T/err" 2>&1; then
	ok "cc -shared -fPIC \$(pkg-config --cflags newstag) example.c -o example.so \$(pkg-config --libs newstag)"
else
	bad "out-of-tree build with cc" "$T/err"
fi

# the same with libtool (the system's, else the one configure made for the build)
LT=$(command -v libtool 2>/dev/null || echo "$T/build/libtool")
mkdir "$T/lt" && cp "$T/oot/example.c" "$T/lt/"
if (cd "$T/lt" && "$LT" --quiet --tag=CC --mode=compile $CC $(pkg-config --cflags newstag) -c example.c &&
	"$LT" --quiet --tag=CC --mode=link $CC -module -avoid-version -shared -rpath "$PLUGINDIR" \
		-o example.la example.lo) >"$T/err" 2>&1 &&
	(cd "$T/lt" && "$NT" plugin-check example.la) >"$T/out" 2>>"$T/err" && grep -q '^result: *PASS' "$T/out"; then
	ok "libtool --mode=link -module: plugin-check example.la: PASS"
else
	cat "$T/out" >>"$T/err"
	bad "libtool build and plugin-check example.la" "$T/err"
fi

# ---- 3. plugin-check on the file
if "$NT" plugin-check "$T/oot/example.so" >"$T/out" 2>"$T/err" && grep -q '^result: *PASS' "$T/out" &&
	grep -q '^facets: *length' "$T/out"; then
	ok "newstag plugin-check example.so: PASS"
else
	cat "$T/out" >>"$T/err"
	bad "newstag plugin-check example.so" "$T/err"
fi
# a broken file is refused with a reason and a non-zero exit
echo 'not a plugin' >"$T/oot/broken.so"
if "$NT" plugin-check "$T/oot/broken.so" >"$T/out" 2>"$T/err"; then
	bad "plugin-check refuses a broken file" "$T/out"
elif grep -q 'FAIL' "$T/err"; then
	ok "plugin-check refuses a broken file (exit non-zero, FAIL: reason)"
else
	bad "plugin-check refuses a broken file: no reason given" "$T/err"
fi
rm -f "$T/oot/broken.so"

# ---- 4. a pipeline config that adds it
cat >"$T/pipeline.json" <<'EOF'
{
  "pipeline": [
    {"plugin": "rules", "name": "topic-rules", "options": {"rules": "rules/topic-keywords.json"}},
    {"plugin": "example", "options": {"short_words": 5, "long_words": 400}}
  ],
  "facets": {"topic": {"policy": "max", "threshold": 0.5}}
}
EOF
if (cd "$T" && "$NT" tag --format jsonl --plugin-dir "$T/oot" --config pipeline.json article.txt \
	>"$T/out" 2>"$T/err") && grep -q '"length":{"labels":\[{"label":"medium"' "$T/out"; then
	ok "tag --plugin-dir --config: the record shows facet \"length\""
else
	cat "$T/out" >>"$T/err"
	bad "tag --plugin-dir --config: facet length" "$T/err"
fi
if "$NT" plugins --plugin-dir "$T/oot" --config "$T/pipeline.json" >"$T/out" 2>"$T/err" &&
	grep -q "path: *$T/oot/example.so" "$T/out"; then
	ok "plugins: the pipeline's example comes from the out-of-tree build"
else
	cat "$T/out" >>"$T/err"
	bad "plugins: example from the out-of-tree build" "$T/err"
fi

# ---- 5. installed into plugindir, it needs no --plugin-dir
cp "$T/oot/example.so" "$PLUGINDIR/example.so"
if (cd "$T" && "$NT" tag --format jsonl --config pipeline.json article.txt >"$T/out" 2>"$T/err") &&
	grep -q '"length":{"labels":\[{"label":"medium"' "$T/out"; then
	ok "copied into \$(pkg-config --variable=plugindir newstag): tag --config finds it"
else
	cat "$T/out" >>"$T/err"
	bad "installed into plugindir" "$T/err"
fi

# ---- 6. make uninstall removes every file
if (cd "$T/build" && make uninstall >"$T/log" 2>&1); then
	find "$PREFIX" -type f >"$T/left"
	[ -s "$T/left" ] && bad "make uninstall leaves no files" "$T/left" || ok "make uninstall leaves no files"
else
	bad "make uninstall" "$T/log"
fi

echo "1..$((pass + fail))"
echo "# outoftree: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
