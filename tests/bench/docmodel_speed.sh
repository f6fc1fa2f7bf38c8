#!/bin/sh
# docmodel_speed.sh - document model MB/s next to `wc -w` on the same English news file, one run
# Usage: tests/bench/docmodel_speed.sh [BUILD_DIR]   (reads ../shared/data/bbc-news-2005)
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src}
data=${NEWSTAG_DATA:-$src/../shared/data}
bench="$build/tests/bench/bench_docmodel"
if [ ! -d "$data/bbc-news-2005" ]; then
	echo "docmodel_speed: $data/bbc-news-2005 not found (the third-party data is not in this checkout); nothing measured" >&2
	exit 2
fi
[ -x "$bench" ] || make -C "$build" tests/bench/bench_docmodel >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# about 50 MB of English news: the BBC corpus repeated, articles separated by blank lines
i=0
while [ $i -lt 11 ]; do
	for f in "$data"/bbc-news-2005/*/*.txt; do cat "$f"; printf '\n\n'; done
	i=$((i + 1))
done >"$tmp/news.txt"
cat "$tmp/news.txt" >/dev/null # warm the page cache
bytes=$(wc -c <"$tmp/news.txt")
t0=$(date +%s.%N)
wc -w "$tmp/news.txt" >/dev/null
t1=$(date +%s.%N)
"$bench" "$tmp/news.txt" --repeat 3 | sed "s|$tmp/||"
echo "$bytes $t0 $t1" | awk '{ printf "wc -w: %d bytes, %.3f s, %.1f MB/s\n", $1, $3 - $2, $1 / 1e6 / ($3 - $2) }'
if [ -n "${NEWSTAG_BENCH_CONFIG:-}" ]; then
	"$bench" "$tmp/news.txt" --repeat 1 --config "$NEWSTAG_BENCH_CONFIG" --models "$src/models" | sed "s|$tmp/||"
fi
