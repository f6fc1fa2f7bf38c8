#!/usr/bin/env python3
"""region_speed.py - how much the region plugin adds to the document model's own time, and its start-up.

Compiles tests/bench/region_speed.c against the build tree's libnewstag (the plugin source is
included, as the unit test does), writes the articles of a data set to a temporary record file,
and runs it: the document model alone versus the document model plus region classify(), process
CPU time, best of N rounds (the two passes interleaved in chunks of 256 articles, so that both
see the same load on a shared machine); and open() of the shipped tables (wall time, best of N).
Sets: reuters (Reuters-21578 LEWISSPLIT=TEST with PLACES), recent (all 20,000 recent-news items).

Usage: python3 tests/bench/region_speed.py --build BUILD_DIR [--sets reuters,recent] [--rounds 5]
                                          [--keep DIR]   (also write DIR/reuters.rec, DIR/recent.rec,
                                                          the inputs of tests/bench/region_ab.sh)
Python 3 standard library only; needs a C compiler (cc) and ../shared/data.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True, help="the configured and built build directory")
    ap.add_argument("--sets", default="reuters,recent")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    ap.add_argument("--keep", help="copy the record files into this directory")
    a = ap.parse_args()
    data = os.environ.get("NEWSTAG_SHARED_DATA", os.path.join(os.path.dirname(TOP), "shared", "data"))
    if not os.path.isdir(data):
        raise SystemExit("region_speed: ../shared/data is absent (%s)" % data)
    libdir = os.path.join(os.path.abspath(a.build), "core", ".libs")
    with tempfile.TemporaryDirectory(prefix="region_speed_") as tmp:
        exe = os.path.join(tmp, "region_speed")
        cmd = [a.cc, "-std=gnu11", "-O2", "-I" + os.path.abspath(a.build), "-I" + os.path.join(TOP, "include"),
               "-I" + os.path.join(TOP, "core"), os.path.join(HERE, "region_speed.c"), "-o", exe,
               "-L" + libdir, "-Wl,-rpath," + libdir, "-lnewstag", "-lcjson", "-lm", "-pthread"]
        subprocess.run(cmd, check=True)
        for name in a.sets.split(","):
            if name == "reuters":
                import reuters_places
                docs = [(d["id"], d["title"], d["text"]) for d in
                        reuters_places.docs("TEST", os.path.join(data, "reuters21578"))]
            elif name == "recent":
                docs = []
                with open(os.path.join(data, "recent-news", "rumca-rss-2022-2023.jsonl"), encoding="utf-8") as f:
                    for i, ln in enumerate(f):
                        o = json.loads(ln)
                        docs.append(("r%d" % i, o.get("title", ""), o.get("text", "")))
            else:
                raise SystemExit("region_speed: unknown set %s" % name)
            rec = os.path.join(tmp, name + ".rec")
            with open(rec, "w", encoding="utf-8") as f:
                for i, t, x in docs:
                    f.write("%s\x1f%s\x1f%s\x1e" % (i, t.replace("\x1f", " ").replace("\x1e", " "),
                                                    x.replace("\x1f", " ").replace("\x1e", " ")))
            out = subprocess.run([exe, rec, os.path.join(TOP, "models"), str(a.rounds)],
                                 stdout=subprocess.PIPE, text=True, check=True).stdout
            print("%-8s %s" % (name, out.strip()))
            if a.keep:
                os.makedirs(a.keep, exist_ok=True)
                shutil.copyfile(rec, os.path.join(a.keep, name + ".rec"))


if __name__ == "__main__":
    main()
