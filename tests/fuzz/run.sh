#!/bin/sh
# tests/fuzz/run.sh - build every libFuzzer target with ASan+UBSan (the document model also with MSan) and run each for SECONDS
#
# usage: tests/fuzz/run.sh [SECONDS [TARGET...]]   (default 10 s; SECONDS 0 = build only)
# env:   NT_FUZZ_BUILD  build and work directory (default /tmp/build-fuzz)
#        CC_FUZZ        clang to use (default clang; needs the libFuzzer runtime,
#                       Debian: apt-get install clang libclang-rt-14-dev)
#        NT_FUZZ_JOBS   targets run at once (default 1)
#        NT_FUZZ_RUNS   stop each target after this many executions (SECONDS stays the cap)
#        NT_FUZZ_SEED   libFuzzer's random seed (default: a new one each run); with
#                       NT_FUZZ_RUNS it makes the run repeatable, as CI needs: a run that
#                       passed on a tree passes again on it, and exploration stays a
#                       developer's longer unseeded run
# Exits 0 when every target ran clean, 1 on any crash, leak, timeout or UB report
# (the reproducer is kept as $NT_FUZZ_BUILD/crashes/<target>-crash-*), 2 when a
# target cannot be built. The committed seeds are tests/fuzz/corpus/<target>/; new
# inputs the fuzzer finds go to $NT_FUZZ_BUILD/corpus/<target>/ (never into the tree).
set -u
secs=${1:-10}
[ $# -gt 0 ] && shift
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${NT_FUZZ_BUILD:-/tmp/build-fuzz}
cc=${CC_FUZZ:-clang}
all="fuzz_docmodel fuzz_config fuzz_jsonout fuzz_batch fuzz_rules fuzz_region fuzz_tone fuzz_topic fuzz_docmodel_msan"
targets=${*:-$all}

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "run.sh: $cc not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2
	exit 2
fi
mkdir -p "$build/obj" "$build/plugins" "$build/corpus" "$build/crashes" || exit 2

# a minimal config.h (the autotools one is not needed for these objects)
{
	echo '/* config.h for the fuzz build (tests/fuzz/run.sh) */'
	if [ -f /usr/include/libsvm/svm.h ]; then echo '#define HAVE_LIBSVM_SVM_H 1'; fi
	echo '#define PACKAGE_VERSION "0.1.0"'
	echo '#define VERSION "0.1.0"'
} >"$build/config.h.new"
cmp -s "$build/config.h.new" "$build/config.h" 2>/dev/null || mv "$build/config.h.new" "$build/config.h"

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cflags="-g -O1 -std=gnu11 $san -I$build -I$src/include -I$src/core $(pkg-config --cflags libcjson 2>/dev/null)
 -DNT_PKGLIBDIR=\"/nonexistent/lib\" -DNT_PKGDATADIR=\"/nonexistent/share\"
 -DNT_BUILDDIR=\"/nonexistent/build\" -DNT_SRCDIR=\"/nonexistent/src\""
libs="$(pkg-config --libs libcjson 2>/dev/null || echo -lcjson) -lltdl -lsvm -llinear -lstdc++ -lm -lpthread"

# compile SRC to OBJ (instrumented for coverage) when SRC is newer
obj() {
	o="$build/obj/$(echo "$1" | tr / _ | sed 's/\.c$//')$2.o"
	if [ ! -f "$o" ] || [ "$src/$1" -nt "$o" ] || [ "$build/config.h" -nt "$o" ] ||
		[ -n "$(find "$src/core" "$src/include" -name '*.h' -newer "$o" 2>/dev/null | head -1)" ]; then
		# shellcheck disable=SC2086
		"$cc" $cflags -fsanitize=fuzzer-no-link $3 -c "$src/$1" -o "$o" || return 1
	fi
	echo "$o"
}

core_objs=""
# the library: every core/*.c but the command line (main.c, cmd_*.c)
for f in "$src"/core/*.c; do
	f=$(basename "$f" .c)
	case $f in main|cmd_*) continue ;; esac
	o=$(obj "core/$f.c" "" "") || { echo "run.sh: core/$f.c does not compile" >&2; exit 2; }
	core_objs="$core_objs $o"
done

# the rules plugin as a module for the batch target's engine (found by the real loader)
rules_so="$build/plugins/rules.so"
if [ ! -f "$rules_so" ] || [ "$src/plugins/rules/rules.c" -nt "$rules_so" ]; then
	# shellcheck disable=SC2086
	"$cc" $cflags -fPIC -shared "$src/plugins/rules/rules.c" -o "$rules_so" $libs || exit 2
fi

plugin_objs() {
	case $1 in
	fuzz_rules) obj plugins/rules/rules.c "" "" ;;
	fuzz_region) obj plugins/region/region.c "" "" ;;
	fuzz_tone) obj plugins/tone/tone.c "" "" ;;
	fuzz_topic) obj plugins/topic/topic.c "" "" && obj plugins/topic/topic_train.c "" "" ;;
	esac
}

built=""
rc=0
for t in $targets; do
	case $t in
	fuzz_docmodel_msan)
		# MemorySanitizer (uninitialised reads) on the document model alone: it calls no
		# uninstrumented library, so MSan needs nothing rebuilt
		# shellcheck disable=SC2086
		if "$cc" -g -O1 -std=gnu11 -fsanitize=memory,fuzzer -fsanitize-memory-track-origins \
			-I"$build" -I"$src/include" -I"$src/core" $(pkg-config --cflags libcjson 2>/dev/null) \
			"$here/fuzz_docmodel.c" "$src/core/docmodel.c" "$src/core/util.c" -o "$build/$t"; then
			built="$built $t"
		else
			echo "run.sh: $t does not build" >&2
			rc=2
		fi
		continue ;;
	fuzz_rules|fuzz_region|fuzz_tone|fuzz_topic)
		kind=$(echo "${t#fuzz_}" | tr a-z A-Z)
		srcf="$here/fuzz_model.c"; extra="-DFZ_KIND_$kind" ;;
	*) srcf="$here/$t.c"; extra="" ;;
	esac
	if ! pobjs=$(plugin_objs "$t"); then
		echo "run.sh: $t: the plugin does not compile (skipped)" >&2
		rc=2
		continue
	fi
	# shellcheck disable=SC2086
	if ! "$cc" $cflags -fsanitize=fuzzer $extra "$srcf" $core_objs $pobjs $libs -o "$build/$t"; then
		echo "run.sh: $t does not build" >&2
		rc=2
		continue
	fi
	built="$built $t"
done
[ "$secs" = 0 ] && { echo "run.sh: built:$built"; exit $rc; }

export NT_FUZZ_PLUGIN_DIR="$build/plugins" NT_FUZZ_BASE="$here/base"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

run_one() {
	t=$1
	seeds="$here/corpus/${t%_msan}"
	mkdir -p "$build/corpus/$t" "$seeds"
	log="$build/$t.log"
	# -timeout: one input over 10 s is a hang; -rss_limit_mb: memory bounded
	# shellcheck disable=SC2086
	"$build/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		${NT_FUZZ_RUNS:+-runs=$NT_FUZZ_RUNS} ${NT_FUZZ_SEED:+-seed=$NT_FUZZ_SEED} \
		-print_final_stats=1 -artifact_prefix="$build/crashes/$t-" \
		"$build/corpus/$t" "$seeds" >"$log" 2>&1
	r=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ $r -eq 0 ]; then
		echo "PASS: $t  ${execs:-?} executions${NT_FUZZ_SEED:+ (seed $NT_FUZZ_SEED)} in at most ${secs}s, $cov, corpus $(ls "$build/corpus/$t" | wc -l)"
	else
		echo "FAIL: $t (exit $r) after ${execs:-?} executions; log $log:"
		grep -E 'ERROR:|SUMMARY:|runtime error|Test unit written' "$log" | head -8
	fi
	return $r
}

jobs=${NT_FUZZ_JOBS:-1}
if [ "$jobs" -gt 1 ]; then
	pids=""
	for t in $built; do
		run_one "$t" >"$build/$t.result" &
		pids="$pids $!"
		while [ "$(jobs -p | wc -l)" -ge "$jobs" ]; do sleep 1; done
	done
	for p in $pids; do wait "$p" || rc=1; done
	for t in $built; do cat "$build/$t.result"; done
else
	for t in $built; do run_one "$t" || rc=1; done
fi
exit $rc
