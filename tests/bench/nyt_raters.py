#!/usr/bin/env python3
"""nyt_raters.py - how well the NYT snippets' own human raters agree, in the tone issue's protocol.

VADER's NYT editorial snippets carry 20 individual ratings each (-4..+4). The issue's gold class
is the mean of all 20, divided by 4, at +-0.05 (VADER's protocol), scored by 3-class macro-F1.
This script asks what that protocol gives a human: the mean of k raters (k = 1, 3, 5, 10, drawn at
random per snippet, 20 draws) against the mean of the other 20 - k raters (an independent
reference), and against the mean of all 20 (which includes the k themselves, so it flatters
them). It reads only the non-reserved snippets (article number % 5 != 0); no model is involved.

Usage: python3 tests/bench/nyt_raters.py [--data ../shared/data] [--draws 20]
Python 3 standard library only.
"""
import argparse
import os
import random
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tone_eval import gold_class, macro_f1, pearson  # noqa: E402  (the protocol, as tone_eval.py scores it)


def read_ratings(path):
    """The 20 ratings of each non-reserved snippet (file: id, mean, stdev, [20 ratings])."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            p = line.rstrip("\r\n").split("\t")
            if len(p) < 4:
                raise SystemExit("nyt_raters: %s:%d: expected 4 tab-separated fields" % (path, lineno))
            if int(p[0].split("_")[0]) % 5 == 0:
                continue   # a reserved article
            r = [float(x) for x in p[3].strip("[]").split(",")]
            if len(r) < 11:
                raise SystemExit("nyt_raters: %s:%d: %d ratings, expected 20" % (path, lineno, len(r)))
            rows.append(r)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.normpath(os.path.join(ROOT, "..", "shared", "data")))
    ap.add_argument("--draws", type=int, default=20)
    a = ap.parse_args()
    path = os.path.join(a.data, "vader", "nytEditorialSnippets_anonDataRatings.txt")
    if not os.path.exists(path):
        print("nyt_raters: %s not found (the third-party data is not in this checkout); nothing measured"
              % path, file=sys.stderr)
        return 2
    rows = read_ratings(path)
    gold = [gold_class(statistics.fmean(r)) for r in rows]
    print("NYT snippets of non-reserved articles: %d (negative %d, neutral %d, positive %d)"
          % (len(rows), gold.count("negative"), gold.count("neutral"), gold.count("positive")))
    rng = random.Random(1)
    for k in (1, 3, 5, 10):
        f_all, f_rest, r_rest = [], [], []
        for _ in range(a.draws):
            pred, ref, sub_m, rest_m = [], [], [], []
            for r in rows:
                idx = list(range(len(r)))
                rng.shuffle(idx)
                sub = [r[i] for i in idx[:k]]
                rest = [r[i] for i in idx[k:]]
                pred.append(gold_class(statistics.fmean(sub)))
                ref.append(gold_class(statistics.fmean(rest)))
                sub_m.append(statistics.fmean(sub))
                rest_m.append(statistics.fmean(rest))
            f_all.append(macro_f1(gold, pred))
            f_rest.append(macro_f1(ref, pred))
            r_rest.append(pearson(sub_m, rest_m))
        print("mean of %2d rater%s: macro-F1 %.3f against the other %d raters' mean (r %.3f), %.3f against "
              "all 20 (itself included)" % (k, "s" if k > 1 else " ", statistics.fmean(f_rest), 20 - k,
                                             statistics.fmean(r_rest), statistics.fmean(f_all)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
