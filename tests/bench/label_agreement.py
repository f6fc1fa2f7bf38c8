#!/usr/bin/env python3
"""label_agreement.py - agreement of two tone label files on the items both label: share, Cohen's kappa, confusion, macro-F1.

Each file: TSV, first column the line index, last column the tone (negative, neutral, positive);
lines starting with '#' are skipped. The first file is the reference (rows of the confusion
matrix; macro-F1 of the second against it). Stdlib only.

Usage: python3 tests/bench/label_agreement.py REFERENCE.tsv OTHER.tsv
e.g.   python3 tests/bench/label_agreement.py ../shared/labels/recent-news-train.tsv plugins/tone/news-tone-agreement.tsv
"""
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tone_eval import CLASSES, read_labels  # noqa: E402


def read(path):
    return dict(read_labels(path, 1))


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__.split("\n\n")[-1].strip())
    ref, other = read(sys.argv[1]), read(sys.argv[2])
    both = sorted(set(ref) & set(other))
    if not both:
        raise SystemExit("label_agreement: no item is in both files")
    n = len(both)
    cm = collections.Counter((ref[i], other[i]) for i in both)
    agree = sum(cm[(c, c)] for c in CLASSES) / n
    pe = sum(sum(cm[(c, d)] for d in CLASSES) * sum(cm[(d, c)] for d in CLASSES) for c in CLASSES) / (n * n)
    f1 = []
    for c in CLASSES:
        tp, pred, gold = cm[(c, c)], sum(cm[(d, c)] for d in CLASSES), sum(cm[(c, d)] for d in CLASSES)
        f1.append(2.0 * tp / (pred + gold) if pred + gold else 0.0)
    print("%d items in both: agreement %.3f, Cohen's kappa %.3f, macro-F1 of the second against the first %.3f"
          % (n, agree, (agree - pe) / (1 - pe) if pe < 1 else 1.0, sum(f1) / 3))
    print("first \\ second  " + "  ".join("%8s" % c for c in CLASSES))
    for c in CLASSES:
        print("%-14s  " % c + "  ".join("%8d" % cm[(c, d)] for d in CLASSES))


if __name__ == "__main__":
    main()
