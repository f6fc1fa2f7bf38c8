#!/bin/sh
# equiv.sh - does this tree's document model and region plugin give exactly an earlier revision's output?
# Usage: tests/bench/equiv.sh [-m] REV BUILD_DIR   (REV: a git revision, e.g. HEAD~3; reads ../shared/data)
#   -m  also compare six random mutations and truncations of every article (document model)
# Builds tests/bench/docmodel_equiv.c against REV's core/docmodel.c (public names prefixed old_)
# and this tree's, and tests/bench/region_equiv.c against REV's plugins/region/region.c and this
# tree's (on this tree's document model, from BUILD_DIR), then runs both on the BBC, Reuters TEST,
# recent-news and AG News articles. Exit status 1 when anything differs.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
mutate=
if [ "${1:-}" = -m ]; then
	mutate=--mutate
	shift
fi
usage="usage: tests/bench/equiv.sh [-m] REV BUILD_DIR"
rev=${1:?$usage}
build=$(cd "${2:?$usage}" && pwd)
cc=${CC:-cc}
[ -f "$build/core/.libs/libnewstag.so" ] || make -C "$build" core/libnewstag.la >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$src/tests/bench/equiv_records.py" "$tmp/records" || exit 2
inc="-I$build -I$src/include -I$src/core -I$tmp -I$src/plugins/region" # (region.c includes ../common/phash.h)

# the document model
git -C "$src" show "$rev:core/docmodel.c" >"$tmp/docmodel_old_src.c"
cat >"$tmp/docmodel_old.c" <<'EOT'
#define nt_doc_build old_nt_doc_build
#define nt_docbuf_new old_nt_docbuf_new
#define nt_docbuf_free old_nt_docbuf_free
#define nt_docbuf_repairs old_nt_docbuf_repairs
#define nt_utf8_repair old_nt_utf8_repair
#define nt_hash64 old_nt_hash64
#define nt_fold_hashes old_nt_fold_hashes
#include "docmodel_old_src.c"
EOT
# shellcheck disable=SC2086
$cc -std=gnu11 -O2 $inc "$src/tests/bench/docmodel_equiv.c" "$tmp/docmodel_old.c" \
	"$src/core/docmodel.c" "$src/core/util.c" -o "$tmp/docmodel_equiv" -pthread
status=0
"$tmp/docmodel_equiv" "$tmp/records" $mutate || status=1

# the region plugin
git -C "$src" show "$rev:plugins/region/region.c" >"$tmp/region_old_src.c"
cp "$src/plugins/region/region.c" "$tmp/region_new_src.c"
for v in old new; do
	cat >"$tmp/region_equiv_$v.c" <<EOT
#include "newstag/plugin.h"
#undef NT_PLUGIN_DEFINE
#define NT_PLUGIN_DEFINE(name, d) \\
	const struct nt_plugin *${v}_plugin(void); \\
	const struct nt_plugin *${v}_plugin(void) { return &(d); }
#include "region_${v}_src.c"
EOT
done
libs="$build/core/.libs"
# shellcheck disable=SC2086
$cc -std=gnu11 -O2 $inc "$src/tests/bench/region_equiv.c" "$tmp/region_equiv_old.c" \
	"$tmp/region_equiv_new.c" -o "$tmp/region_equiv" -L"$libs" -Wl,-rpath,"$libs" \
	-lnewstag -lcjson -lm -pthread
"$tmp/region_equiv" "$tmp/records" "$src/models" || status=1
exit $status
