#!/bin/sh
# valgrind-cli.sh - run the CLI tests (tests/cli/run.sh) once with every newstag call under valgrind
#
# usage: tests/valgrind-cli.sh BUILDDIR   (a configured and built tree; default .)
# Each newstag invocation runs under memcheck through libtool (so the real binary,
# not the wrapper script, is checked); reports go to one log per process. Fails when
# a CLI test fails or any log shows an error or a definite leak.
set -u
build=$(cd "${1:-.}" && pwd) || exit 2
src=$(cd "$(dirname "$0")/.." && pwd)
command -v valgrind >/dev/null 2>&1 || { echo "valgrind-cli.sh: valgrind not found (apt-get install valgrind)"; exit 2; }
[ -x "$build/core/newstag" ] || { echo "valgrind-cli.sh: $build/core/newstag not built"; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/nt-vg-XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

cat >"$T/newstag" <<EOF
#!/bin/sh
exec "$build/libtool" --mode=execute valgrind -q --error-exitcode=99 --leak-check=full \\
	--show-leak-kinds=definite --errors-for-leak-kinds=definite --track-fds=no \\
	--log-file="$T/vg.%p" "$build/core/newstag" "\$@"
EOF
chmod +x "$T/newstag"

NEWSTAG_PLUGIN_PATH="$build/tests/plugins"
for d in "$build"/plugins/*/; do NEWSTAG_PLUGIN_PATH="$NEWSTAG_PLUGIN_PATH:${d%/}"; done
NEWSTAG_MODELS="$src/models" NEWSTAG_BIN="$T/newstag" NEWSTAG_FIXTURES="$src/tests/fixtures" NEWSTAG_WRAPPER=valgrind NEWSTAG_BUILD="$build"
export NEWSTAG_PLUGIN_PATH NEWSTAG_MODELS NEWSTAG_BIN NEWSTAG_FIXTURES NEWSTAG_WRAPPER NEWSTAG_BUILD

start=$(date +%s)
sh "$src/tests/cli/run.sh" >"$T/cli.out" 2>&1
rc=$?
secs=$(( $(date +%s) - start ))
nlogs=$(ls "$T"/vg.* 2>/dev/null | wc -l)
bad=0
for f in "$T"/vg.*; do
	[ -s "$f" ] || continue
	bad=$((bad + 1))
	echo "--- valgrind report $f:"
	head -40 "$f"
done
grep -E '^not ok' "$T/cli.out"
tail -1 "$T/cli.out"
echo "valgrind-cli: $nlogs newstag runs under valgrind in ${secs}s, $bad with reports, CLI tests exit $rc"
[ "$rc" -eq 0 ] && [ "$bad" -eq 0 ]
