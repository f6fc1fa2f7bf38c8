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
for f in "$data"/bbc-news-2005/*/*.txt; do cat "$f"; printf '\n\n'; done >"$tmp/bbc.txt"
i=0
while [ $i -lt 11 ]; do
	cat "$tmp/bbc.txt"
	i=$((i + 1))
done >"$tmp/news.txt"
cat "$tmp/news.txt" >/dev/null # warm the page cache
bytes=$(wc -c <"$tmp/news.txt")
# children's user + system seconds so far, from the shell's own `times` (run in this
# shell, not in a command substitution's subshell; its second line)
child_cpu() { awk 'NR == 2 { gsub(/[ms]/, " "); print $1 * 60 + $2 + $3 * 60 + $4 }' "$1"; }
# wc -w: best of 3 (wall), and its CPU time (user + system) in that run
best=
i=0
while [ $i -lt 3 ]; do
	times >"$tmp/times0"
	t0=$(date +%s.%N)
	wc -w "$tmp/news.txt" >/dev/null
	t1=$(date +%s.%N)
	times >"$tmp/times1"
	c0=$(child_cpu "$tmp/times0")
	c1=$(child_cpu "$tmp/times1")
	best=$(echo "$best $t0 $t1 $c0 $c1" | awk '{ t = $(NF - 2) - $(NF - 3); c = $NF - $(NF - 1);
		if (NF == 4 || t < $1) print t, c; else print $1, $2 }')
	i=$((i + 1))
done
"$bench" "$tmp/news.txt" --repeat 3 | sed "s|$tmp/||"
echo "$bytes $best" | awk '{ printf "wc -w: %d bytes, best of 3: %.3f s, %.1f MB/s (CPU %.3f s, %.1f MB/s)\n",
	$1, $2, $1 / 1e6 / $2, $3, ($3 > 0 ? $1 / 1e6 / $3 : 0) }'
if [ -n "${NEWSTAG_BENCH_CONFIG:-}" ]; then
	"$bench" "$tmp/news.txt" --repeat 1 --config "$NEWSTAG_BENCH_CONFIG" --models "$src/models" | sed "s|$tmp/||"
fi
