#!/usr/bin/env python3
"""batch_speed.py - newstag batch speed and memory next to fastText predict, in one run.

Usage: tests/bench/batch_speed.py [--newstag PATH] [--data DIR] [--articles N] [--rounds R]

Reads real news from ../shared/data (BBC News 2005 and the recent-news RSS items); says so and
exits 2 when that data is absent. Measures, on the same articles:
  - fastText: a small supervised model (BBC categories, -dim 10 -epoch 5 -wordNgrams 2) trained on
    the same text, then `fasttext predict` over one article per line (Debian package fasttext);
  - `newstag batch -j1` and `-j2` with the default pipeline (region, topic, tone, ...);
  (each of these three timed R times, default 3, the fastest run counting, the same for all);
  - peak RSS of newstag batch at N and 10 N articles (memory must stay flat);
  - `newstag tag` on one article: wall time, model loading included (median of 21 runs).
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))


def best_of(rounds, cmd):
    """Run cmd `rounds` times (run_measured); return the fastest (seconds, peak RSS in MB).
    Every side of a comparison gets the same number of rounds: on a shared machine one
    run can be slowed by a third by neighbours, the best of a few is what the code does."""
    runs = [run_measured(cmd) for _ in range(rounds)]
    return min(runs, key=lambda r: r[0])


def run_measured(cmd, stdin_path=None, stdout_path=os.devnull):
    """Run cmd in a child; return (seconds, peak RSS in MB of that child tree)."""
    code = (
        "import resource, subprocess, sys, time\n"
        "cmd = sys.argv[3:]\n"
        "fin = open(sys.argv[1], 'rb') if sys.argv[1] != '-' else subprocess.DEVNULL\n"
        "fout = open(sys.argv[2], 'wb')\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run(cmd, stdin=fin, stdout=fout, stderr=subprocess.DEVNULL)\n"
        "dt = time.perf_counter() - t\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0\n"
        "print(dt, rss, r.returncode)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, stdin_path or "-", stdout_path] + cmd,
        capture_output=True, text=True, check=True,
    ).stdout.split()
    if int(out[2]) not in (0, 1):
        raise SystemExit("command failed (%s): %s" % (out[2], " ".join(cmd)))
    return float(out[0]), float(out[1])


def load_articles(data):
    arts = []
    bbc = os.path.join(data, "bbc-news-2005")
    for cat in sorted(os.listdir(bbc)):
        d = os.path.join(bbc, cat)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            with open(os.path.join(d, f), "rb") as fh:
                raw = fh.read().decode("utf-8", "replace")
            title, _, body = raw.partition("\n")
            arts.append({"id": "bbc/%s/%s" % (cat, f), "title": title.strip(),
                         "text": body.strip(), "cat": cat})
    rn = os.path.join(data, "recent-news", "rumca-rss-2022-2023.jsonl")
    with open(rn, encoding="utf-8") as fh:
        for line in fh:
            o = json.loads(line)
            arts.append({"id": o["id"], "title": o["title"], "text": o["text"], "cat": "news"})
    return arts


def ft_line(a):
    return " ".join((a["title"] + " " + a["text"]).split())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--newstag", default=os.path.join(SRC, "newstag"))
    ap.add_argument("--data", default=os.environ.get("NEWSTAG_DATA",
                                                     os.path.join(SRC, "..", "shared", "data")))
    ap.add_argument("--articles", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=3,
                    help="runs of each timed command; the fastest counts (default 3)")
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(args.data, "bbc-news-2005")):
        print("batch_speed: %s not found: the third-party data is not in this checkout; "
              "nothing measured" % args.data, file=sys.stderr)
        return 2
    fasttext = shutil.which("fasttext")
    arts = load_articles(args.data)
    random.Random(7).shuffle(arts)
    n = min(args.articles, len(arts))
    sample = arts[:n]
    tmp = tempfile.mkdtemp(prefix="nt-bench-")
    try:
        jl = os.path.join(tmp, "in.jsonl")
        with open(jl, "w", encoding="utf-8") as fh:
            for a in sample:
                fh.write(json.dumps({"id": a["id"], "title": a["title"], "text": a["text"]}) + "\n")
        big = os.path.join(tmp, "big.jsonl")
        with open(big, "w", encoding="utf-8") as out, open(jl, encoding="utf-8") as src:
            body = src.read()
            for k in range(10):
                out.write(body.replace('{"id": "', '{"id": "r%d-' % k))
        mb = os.path.getsize(jl) / 1e6
        print("input: %d articles, %.1f MB of JSONL (BBC 2005 + recent-news 2022-23); "
              "times: best of %d runs each" % (n, mb, args.rounds))
        res = {}
        if fasttext:
            train = os.path.join(tmp, "ft-train.txt")
            test = os.path.join(tmp, "ft-test.txt")
            with open(train, "w", encoding="utf-8") as fh:
                for a in sample:
                    fh.write("__label__%s %s\n" % (a["cat"], ft_line(a)))
            with open(test, "w", encoding="utf-8") as fh:
                for a in sample:
                    fh.write(ft_line(a) + "\n")
            subprocess.run([fasttext, "supervised", "-input", train, "-output",
                            os.path.join(tmp, "ft"), "-dim", "10", "-epoch", "5", "-wordNgrams",
                            "2", "-lr", "0.25", "-thread", "1", "-verbose", "0"], check=True,
                           stdout=subprocess.DEVNULL)
            t, rss = best_of(args.rounds, [fasttext, "predict", os.path.join(tmp, "ft.bin"), test])
            res["fasttext"] = t
            print("fasttext predict (1 thread):  %6.2f s  %7.0f articles/s  %6.1f MB/s  peak RSS %5.1f MB"
                  % (t, n / t, mb / t, rss))
        else:
            print("fasttext: not installed (Debian package fasttext); no anchor measured")
        for j in (1, 2):
            t, rss = best_of(args.rounds, [args.newstag, "batch", "-q", "-j", str(j), jl])
            res["j%d" % j] = (t, rss)
            print("newstag batch -j%d:            %6.2f s  %7.0f articles/s  %6.1f MB/s  peak RSS %5.1f MB"
                  % (j, t, n / t, mb / t, rss))
        if "fasttext" in res:
            print("ratio fastText time / newstag -j1 time: %.2fx (above 1 = newstag faster)"
                  % (res["fasttext"] / res["j1"][0]))
        print("scaling -j2 vs -j1: %.2fx" % (res["j1"][0] / res["j2"][0]))
        t10, rss10 = run_measured([args.newstag, "batch", "-q", "-j", "2", big])
        print("newstag batch -j2 on 10x input (%d articles): %.2f s, peak RSS %.1f MB (1x: %.1f MB)"
              % (10 * n, t10, rss10, res["j2"][1]))
        one = os.path.join(SRC, "examples", "ceasefire-talks.txt")
        times = []
        for _ in range(21):
            t0 = time.perf_counter()
            subprocess.run([args.newstag, "tag", "--format", "jsonl", one], check=True,
                           stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - t0)
        print("newstag tag on one article (model loading included): median %.1f ms, min %.1f ms"
              % (1000 * statistics.median(times), 1000 * min(times)))
    finally:
        shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
