#!/bin/sh
# lint.sh - cppcheck and clang-tidy on our C code (core/, plugins/, tests/); exits non-zero on findings
#
# usage: tests/lint.sh [BUILDDIR]   (a configured tree, for config.h; default: a temporary
#        minimal config.h). env: NT_LINT_JOBS (default 2), NT_LINT_STRICT=1 makes the
#        advisory clang-analyzer path checks fatal too.
#
# What fails the run (clang-tidy skips the benchmark drivers in tests/bench):
#   cppcheck  --enable=warning,portability,performance: every finding except the
#             suppressions listed below (each with its reason).
#   clang-tidy bugprone-*, cert-*, clang-analyzer-{deadcode,security,unix.API,
#             unix.cstring,unix.MallocSizeof,valist,nullability,optin.portability}.*:
#             every finding except the checks disabled below (each with its reason).
# Advisory (printed, not fatal unless NT_LINT_STRICT=1): the path-sensitive
#   clang-analyzer core.* and unix.Malloc checks. They cannot see into cJSON or
#   our own helpers in other files (cJSON_IsString(NULL) is false, tp_slurp sets
#   its outputs on success), so most of what they report on this code is a false
#   positive; tests/fuzz (ASan+UBSan) and the sanitizer CI build cover the same
#   ground dynamically. Triage notes: tests/fuzz/README.md.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
jobs=${NT_LINT_JOBS:-2}
cd "$src" || exit 2
T=$(mktemp -d "${TMPDIR:-/tmp}/nt-lint-XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
if [ -n "${1:-}" ] && [ -f "$1/config.h" ]; then
	cfgdir=$(cd "$1" && pwd)
else
	cfgdir=$T
	{ echo '#define HAVE_LIBSVM_SVM_H 1'; echo '#define PACKAGE_VERSION "0"'; echo '#define VERSION "0"'; } >"$T/config.h"
fi
files=$(ls core/*.c plugins/*/*.c tests/*.c tests/plugins/*.c tests/fuzz/*.c tests/bench/*.c 2>/dev/null)
defs="-DNT_PKGLIBDIR=\"x\" -DNT_PKGDATADIR=\"x\" -DNT_BUILDDIR=\"x\" -DNT_SRCDIR=\"x\""
status=0

# ---------------------------------------------------------------- cppcheck
# Suppressions (reason):
#   invalidPointerCast:plugins/tone/tone.c - the table-driven parameter setter writes a
#       double through (char *)&struct + offsetof(field), the same pattern as core/options.c;
#       the field is a double.
#   memleakOnRealloc:tests/bench/* - benchmark drivers: on out of memory they stop anyway.
#   preprocessorErrorDirective:tests/fuzz/fuzz_model.c - built once per model kind with
#       -DFZ_KIND_*; the #error guards a build without one (checked with FZ_KIND_TOPIC below).
#   missingIncludeSystem, unmatchedSuppression - system headers are not analysed.
if command -v cppcheck >/dev/null 2>&1; then
	# cppcheck does not read system headers: the one macro of cJSON.h we use
	echo '#define cJSON_ArrayForEach(e, a) for ((e) = (a) ? (a)->child : NULL; (e); (e) = (e)->next)' >"$T/macros.h"
	cat >"$T/cppcheck.supp" <<'EOF'
invalidPointerCast:plugins/tone/tone.c
memleakOnRealloc:tests/bench/*
preprocessorErrorDirective:tests/fuzz/fuzz_model.c
missingIncludeSystem
unmatchedSuppression
EOF
	# shellcheck disable=SC2086
	cppcheck -q -j "$jobs" --std=c11 --enable=warning,portability,performance --inline-suppr \
		--suppressions-list="$T/cppcheck.supp" -D__GNUC__ -DFZ_KIND_TOPIC -I include -I core -I "$cfgdir" \
		--include="$T/macros.h" \
		--template='{file}:{line}: {severity}: {message} [{id}]' $files 2>"$T/cppcheck.out"
	n=$(grep -c '\[' "$T/cppcheck.out")
	cat "$T/cppcheck.out"
	echo "lint: cppcheck $(cppcheck --version | sed 's/Cppcheck //'): $n finding(s) in $(echo "$files" | wc -w) files"
	[ "$n" -eq 0 ] || status=1
else
	echo "lint: cppcheck not found (apt-get install cppcheck)"
	status=2
fi

# ---------------------------------------------------------------- clang-tidy
# Disabled (reason):
#   bugprone-easily-swappable-parameters - style; many (ptr, len) and (name, value) pairs.
#   bugprone-reserved-identifier, cert-dcl37-c, cert-dcl51-cpp - flags the _LTX_ entry
#       symbols and guard macros by design (libtool naming).
#   bugprone-branch-clone - deliberate duplicate branches in tokenizer tables.
#   bugprone-implicit-widening-of-multiplication-result, bugprone-narrowing-conversions -
#       noise on size arithmetic already bounded by the callers.
#   bugprone-not-null-terminated-result - memcpy into buffers NUL-terminated on the next line.
#   bugprone-suspicious-string-compare - `if (strcmp(a, b))` is our style for "differs".
#   bugprone-sizeof-expression - flags the `calloc(n, sizeof *p)` idiom when *p is a pointer.
#   bugprone-suspicious-include - plugin tests #include the plugin .c on purpose.
#   bugprone-macro-parentheses - its only hits are the SHA-256 round macros (core/sha256.c),
#       whose arguments are plain variable names (state words a..h, the round index); reviewed.
#   clang-analyzer-optin.portability.UnixAPI - "malloc(0)" on paths where the count is
#       nonzero once reached (topic_train.c returns before when there are no labels).
#   cert-err33-c - unchecked fprintf/snprintf to stderr and fixed buffers: by design.
#   cert-err34-c - atoi/sscanf on already validated or optional input (NEWSTAG_LOG).
#   cert-env33-c - tests run shell commands with system() on purpose.
#   clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling - wants Annex K
#       (memcpy_s), which glibc does not have.
#   clang-analyzer-security.insecureAPI.strcpy - strcpy/strcat only into buffers sized from
#       strlen() of the same strings just before (core/loader.c, topic_train.c), reviewed.
fatal='bugprone-*,cert-*,clang-analyzer-deadcode.*,clang-analyzer-security.*,clang-analyzer-unix.API,clang-analyzer-unix.cstring.*,clang-analyzer-unix.MallocSizeof,clang-analyzer-valist.*,clang-analyzer-nullability.*,clang-analyzer-optin.portability.*'
advisory='clang-analyzer-core.*,clang-analyzer-unix.Malloc'
off='-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-cert-dcl37-c,-cert-dcl51-cpp,-bugprone-branch-clone,-bugprone-implicit-widening-of-multiplication-result,-bugprone-narrowing-conversions,-bugprone-not-null-terminated-result,-bugprone-suspicious-string-compare,-bugprone-sizeof-expression,-bugprone-suspicious-include,-cert-err33-c,-cert-err34-c,-cert-env33-c,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,-clang-analyzer-security.insecureAPI.strcpy,-bugprone-macro-parentheses,-clang-analyzer-optin.portability.UnixAPI'
[ "${NT_LINT_STRICT:-0}" = 1 ] && fatal="$fatal,$advisory"
if command -v clang-tidy >/dev/null 2>&1; then
	cflags="-std=gnu11 -Iinclude -Icore -I$cfgdir $(pkg-config --cflags libcjson check 2>/dev/null) -I/usr/include/cjson -DFZ_KIND_TOPIC"
	export cflags defs fatal advisory off
	# shellcheck disable=SC2016
	# benchmark drivers (tests/bench) only get cppcheck: their equivalence checks compare
	# doubles bit for bit (memcmp) on purpose, which cert-flp37-c/exp42-c flag
	echo "$files" | tr ' ' '\n' | grep -v '^tests/bench/' | xargs -P "$jobs" -I{} sh -c \
		'clang-tidy -quiet --checks="-*,$fatal,$advisory,$off" --warnings-as-errors="$fatal" "$1" -- $cflags $defs \
			>"$0/$(echo "$1" | tr / _).tidy" 2>/dev/null || echo "$1" >>"$0/tidy.failed"' "$T" {}
	cat "$T"/*.tidy 2>/dev/null | grep -E '(warning|error): ' | sed "s|^$src/||" | sort -u >"$T/tidy.all"
	nerr=$(grep -c ' error: ' "$T/tidy.all")
	nadv=$(grep -c ' warning: ' "$T/tidy.all")
	grep ' error: ' "$T/tidy.all"
	if [ "$nadv" -gt 0 ]; then
		echo "lint: clang-tidy advisory (path-sensitive analyzer, not fatal):"
		grep ' warning: ' "$T/tidy.all" | sed 's/^/  /'
	fi
	echo "lint: $(clang-tidy --version | grep -o 'LLVM version [0-9.]*'): $nerr finding(s), $nadv advisory"
	[ "$nerr" -eq 0 ] && [ ! -s "$T/tidy.failed" ] || status=1
	[ -s "$T/tidy.failed" ] && [ "$nerr" -eq 0 ] && { echo "lint: clang-tidy failed on:"; cat "$T/tidy.failed"; }
else
	echo "lint: clang-tidy not found (apt-get install clang-tidy)"
	status=2
fi
echo "lint: status $status"
exit $status
