#!/usr/bin/env python3
"""equiv_records.py - articles from ../shared/data as records for the equivalence harnesses.

Writes "id \\x1f title \\x1f text \\x1e" records (BBC 2005, Reuters-21578 TEST, recent-news,
the first 30,000 AG News test rows) to the file named on the command line. Used by
tests/bench/equiv.sh to check that a faster document model or region plugin gives
exactly the output of an earlier revision; nothing is trained or tuned on them.
Python 3 standard library only.
"""
import csv
import glob
import gzip
import io
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: equiv_records.py OUT")
    data = os.environ.get("NEWSTAG_SHARED_DATA",
                          os.path.join(os.path.dirname(os.path.dirname(HERE)), "..", "shared", "data"))
    data = os.path.normpath(data)
    if not os.path.isdir(data):
        raise SystemExit("equiv_records: ../shared/data is absent (%s)" % data)
    n = 0
    with open(sys.argv[1], "w", encoding="utf-8", errors="surrogateescape") as out:
        def put(title, text):
            nonlocal n
            clean = lambda s: (s or "").replace("\x1f", " ").replace("\x1e", " ")
            out.write("d%d\x1f%s\x1f%s\x1e" % (n, clean(title), clean(text)))
            n += 1
        for f in sorted(glob.glob(os.path.join(data, "bbc-news-2005", "*", "*.txt"))):
            with open(f, encoding="utf-8", errors="replace") as fh:
                title, _, text = fh.read().partition("\n")
            put(title, text)
        import reuters_places
        for d in reuters_places.docs("TEST", os.path.join(data, "reuters21578")):
            put(d["title"], d["text"])
        for f in sorted(glob.glob(os.path.join(data, "recent-news", "*.jsonl"))):
            with open(f, encoding="utf-8") as fh:
                for line in fh:
                    o = json.loads(line)
                    put(o.get("title", ""), o.get("text", ""))
        for f in sorted(glob.glob(os.path.join(data, "agnews", "*.csv.gz"))):
            with gzip.open(f) as gz:
                for i, row in enumerate(csv.reader(io.TextIOWrapper(gz, encoding="utf-8"))):
                    if i >= 30000:
                        break
                    if len(row) >= 3:
                        put(row[1], row[2].replace("\\", "\n"))
    print("equiv_records: %d articles in %s" % (n, sys.argv[1]))


if __name__ == "__main__":
    main()
