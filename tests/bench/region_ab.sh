#!/bin/sh
# region_ab.sh - is this tree's region plugin faster than an earlier revision's? (same process, same load)
# Usage: tests/bench/region_ab.sh [-n ROUNDS] REV BUILD_DIR RECORDS...   (REV: a git revision, e.g. HEAD~1)
# RECORDS: files of "id \x1f title \x1f text \x1e" records, e.g. those written by
#   python3 tests/bench/region_speed.py --build BUILD_DIR --keep DIR   (DIR/reuters.rec, DIR/recent.rec)
# Builds tests/bench/region_ab.c against REV's plugins/region/region.c and this tree's (on this
# tree's core, from BUILD_DIR) and prints, per file, what each adds to the document model's time
# and "region new/old", the ratio of the two region parts (below 1: this tree is faster). The
# host (core/host.c) is BUILD_DIR's for both. Its resolution is a few per cent: with REV = HEAD
# and no change, "region new/old" came out between 0.98 and 1.03 (the two copies sit at
# different code addresses), so repeat it and trust only differences well beyond that.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
rounds=7
if [ "${1:-}" = -n ]; then
	rounds=$2
	shift 2
fi
usage="usage: tests/bench/region_ab.sh [-n ROUNDS] REV BUILD_DIR RECORDS..."
rev=${1:?$usage}
build=$(cd "${2:?$usage}" && pwd)
shift 2
[ $# -gt 0 ] || { echo "$usage" >&2; exit 2; }
cc=${CC:-cc}
[ -f "$build/core/.libs/libnewstag.so" ] || make -C "$build" core/libnewstag.la >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$src" show "$rev:plugins/region/region.c" >"$tmp/region_old_src.c"
cp "$src/plugins/region/region.c" "$tmp/region_new_src.c"
for v in old new; do
	cat >"$tmp/region_ab_$v.c" <<EOT
#include "newstag/plugin.h"
#undef NT_PLUGIN_DEFINE
#define NT_PLUGIN_DEFINE(name, d) \\
	const struct nt_plugin *${v}_plugin(void); \\
	const struct nt_plugin *${v}_plugin(void) { return &(d); }
#include "region_${v}_src.c"
EOT
done
libs="$build/core/.libs"
$cc -std=gnu11 -O2 -I"$build" -I"$src/include" -I"$src/core" -I"$tmp" -I"$src/plugins/region" "$src/tests/bench/region_ab.c" \
	"$tmp/region_ab_old.c" "$tmp/region_ab_new.c" -o "$tmp/region_ab" -L"$libs" -Wl,-rpath,"$libs" \
	-lnewstag -lcjson -lm -pthread
for f in "$@"; do
	printf '%s: ' "$(basename "$f")"
	"$tmp/region_ab" "$f" "$src/models" "$rounds"
done
