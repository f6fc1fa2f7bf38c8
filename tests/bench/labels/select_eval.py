#!/usr/bin/env python3
"""Select the held-out EVALUATION items for hand labelling (stdlib only).

Reads the third-party data staged under /work/shared/data (NOT part of this repository):
  /work/shared/data/recent-news/rumca-rss-2022-2023.jsonl
  /work/shared/data/agnews/test.csv.gz
If that data is absent, says so and exits with status 2.

Only RESERVED pools are used:
  recent-news: 0-based line index % 4 == 0
  agnews:      0-based data-row index % 4 == 0 (header-less CSV, so row 0 = first line)

This script only SELECTS and DISPLAYS items; labels were decided by a human-style reading
against taxonomy.md, never by this script.

Usage:
  select_eval.py recent [--start N] [--count M] [--width W] [--ids]
  select_eval.py agnews [--start N] [--count M] [--width W] [--ids]
Items are printed in index order (line index / row index), with the selection group.
"""
import csv
import gzip
import io
import json
import os
import random
import re
import sys

DATA = "/work/shared/data"
RECENT = os.path.join(DATA, "recent-news", "rumca-rss-2022-2023.jsonl")
AGNEWS = os.path.join(DATA, "agnews", "test.csv.gz")
SEED = 20261127

# Patterns are matched case-insensitively over title + " " + text.
MISSILE_DEFENCE = re.compile(
    r"missile defen[cs]e|air defen[cs]e|interceptor|iron dome|\bpatriot\b|\bthaad\b|\baegis\b"
    r"|\bsm-3\b|\barrow\b|golden dome|intercept", re.I)
DEFENCE_SPENDING = re.compile(
    r"defen[cs]e (budget|spending)|% of GDP|per ?cent of GDP|\b2 ?%.{0,80}\bNATO\b|\bNATO\b.{0,80}\b2 ?%"
    r"|military budget|burden[- ]sharing", re.I)
MIDDLE_EAST = re.compile(
    r"\b(Israel|Gaza|Iran|Iraq|Syria|Lebanon|Yemen|Saudi|Houthi|Hamas|Hezbollah|West Bank|Palestinian)", re.I)

CAPS = [("missile-defence", MISSILE_DEFENCE, 150),
        ("defence-spending", DEFENCE_SPENDING, 150),
        ("middle-east", MIDDLE_EAST, 120)]
RANDOM_OTHERS = 150
AG_WORLD, AG_OTHER = 120, 80


def need(path):
    if not os.path.exists(path):
        sys.stderr.write("select_eval.py: data file %s is absent (the third-party data under %s is not "
                         "part of this repository); nothing selected.\n" % (path, DATA))
        sys.exit(2)


def select_recent():
    """Return [(line_index, group, record)] sorted by line index.

    Groups are exclusive and assigned in order: an item matching the missile-defence pattern goes to
    that group; of the rest, those matching defence spending; of the rest, Middle East; then a random
    sample of the remaining reserved items. A group with more matches than its cap is cut to the cap by
    random.Random(SEED).sample over its line indices (ascending)."""
    need(RECENT)
    reserved = []
    with open(RECENT, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % 4 == 0:
                reserved.append((i, json.loads(line)))
    taken = {}
    rng = random.Random(SEED)
    for name, rx, cap in CAPS:
        hits = [i for i, r in reserved if i not in taken and rx.search(r["title"] + " " + r["text"])]
        if len(hits) > cap:
            hits = sorted(rng.sample(hits, cap))
        for i in hits:
            taken[i] = name
    rest = [i for i, _ in reserved if i not in taken]
    for i in sorted(rng.sample(rest, RANDOM_OTHERS)):
        taken[i] = "random"
    return [(i, taken[i], r) for i, r in reserved if i in taken]


def select_agnews():
    """Return [(row_index, group, (cls, title, desc))]: 120 World (class 1) + 80 other classes,
    random.Random(SEED).sample among reserved rows, sorted by row index."""
    need(AGNEWS)
    rows = []
    with gzip.open(AGNEWS, "rt", encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.reader(f)):
            if i % 4 == 0:
                rows.append((i, row))
    rng = random.Random(SEED)
    world = [i for i, r in rows if r[0] == "1"]
    other = [i for i, r in rows if r[0] != "1"]
    pick = {i: "world" for i in rng.sample(world, AG_WORLD)}
    pick.update({i: "other" for i in rng.sample(other, AG_OTHER)})
    return [(i, pick[i], tuple(r)) for i, r in rows if i in pick]


def main(argv):
    if not argv or argv[0] not in ("recent", "agnews"):
        sys.stderr.write(__doc__)
        return 1
    opts = {"--start": 0, "--count": 10 ** 9, "--width": 600}
    ids = "--ids" in argv
    for k in opts:
        if k in argv:
            opts[k] = int(argv[argv.index(k) + 1])
    items = select_recent() if argv[0] == "recent" else select_agnews()
    if ids:
        for idx, grp, rec in items:
            print(idx, rec["id"] if argv[0] == "recent" else rec[0], grp, sep="\t")
        return 0
    sel = items[opts["--start"]:opts["--start"] + opts["--count"]]
    w = opts["--width"]
    for n, (idx, grp, rec) in enumerate(sel, opts["--start"]):
        if argv[0] == "recent":
            body = rec["text"] if rec["text"] != rec["title"] else ""
            print("[%d] line %d %s %s (%s)\n  T: %s\n  X: %s" % (n, idx, rec["id"], rec["date"], grp,
                                                          rec["title"][:w], body[:w]))
        else:
            print("[%d] row %d class %s (%s)\n  T: %s\n  X: %s" % (n, idx, rec[0], grp, rec[1][:w],
                                                                 rec[2].replace("\\", " ")[:w]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
