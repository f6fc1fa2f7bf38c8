#!/usr/bin/env python3
"""select_news_labels.py - select the non-reserved news items of a tone labelling round (news-tone-extra2.tsv to -extra5.tsv, news-tone-agnews.tsv).

Stdlib only. Reads ../shared/data/recent-news/rumca-rss-2022-2023.jsonl (not part of this
repository; exits with status 2 when it is absent) and only its NON-reserved lines (0-based line
index % 4 != 0) that no earlier label file holds (../shared/labels/recent-news-train.tsv and the
round's EXCLUDE files below). It mirrors the make-up of the held-out evaluation set
(tests/bench/labels/README.md), with the same patterns (imported from select_eval.py):
  every remaining missile/air-defence match, every remaining defence-spending match, 500
  Middle-East matches, and random others up to the round's total,
drawn with the round's random.Random(seed) in that order, then shuffled into labelling order.
  round 2 (news-tone-extra2.tsv, session 5): seed 20261128, 1,500 items (279 missile/air-defence
    matches; no defence-spending match was left: the silver labels took them all)
  round 3 (news-tone-extra3.tsv, session 7): seed 20261129, 2,000 items (no missile/air-defence
    match was left either: round 2 took them all)
  round 4 (news-tone-extra4.tsv, session 7): seed 20261130, 4,000 items (all the Middle-East
    matches that were left)
  round 5 (news-tone-extra5.tsv, session 7): seed 20261131, every item that was left (5,233)
  round agnews (news-tone-agnews.tsv, session 9): seed 20261201, every NON-reserved row of
    ../shared/data/agnews/test.csv.gz (0-based row index % 4 != 0; 5,700), shuffled; their text
    as tests/bench/tone_eval.py gives it to newstag (and as select_eval.py showed the reserved ones)
It only selects and displays items; the labels were decided by reading against taxonomy.md.

Usage: select_news_labels.py [--round 2|3|4|5|agnews] [--ids]   (default round 2; --ids: "index TAB group" only)
"""
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "bench", "labels"))
from select_eval import DEFENCE_SPENDING, MIDDLE_EAST, MISSILE_DEFENCE  # noqa: E402
sys.path.insert(0, os.path.join(TOP, "tests", "bench"))
import tone_eval  # noqa: E402

DATA = os.environ.get("NEWSTAG_SHARED_DATA", os.path.join(os.path.dirname(TOP), "shared", "data"))
LABELS = os.path.join(os.path.dirname(DATA), "labels", "recent-news-train.tsv")
# round -> (seed, total, the label files whose items are left out besides the silver ones)
ROUNDS = {
    2: (20261128, 1500, ("news-tone-extra.tsv", "news-tone-trial3.tsv")),
    3: (20261129, 2000, ("news-tone-extra.tsv", "news-tone-trial3.tsv", "news-tone-extra2.tsv")),
    4: (20261130, 4000, ("news-tone-extra.tsv", "news-tone-trial3.tsv", "news-tone-extra2.tsv",
                         "news-tone-extra3.tsv")),
    5: (20261131, None, ("news-tone-extra.tsv", "news-tone-trial3.tsv", "news-tone-extra2.tsv",
                         "news-tone-extra3.tsv", "news-tone-extra4.tsv")),
}
MIDDLE_EAST_CAP = 500
AGNEWS_SEED = 20261201


def labelled(path):
    with open(path, encoding="utf-8") as f:
        return {int(l.split("\t", 1)[0]) for l in f if l.strip() and not l.startswith("#")}


def select(objs, taken, seed, total):
    """[(line index, group)] in labelling order (total None: every item of the pool)."""
    pool = [i for i in range(len(objs)) if i % 4 != 0 and i not in taken]
    text = {i: (objs[i].get("title") or "") + " " + (objs[i].get("text") or "") for i in pool}
    g1 = [i for i in pool if MISSILE_DEFENCE.search(text[i])]
    g2 = [i for i in pool if i not in set(g1) and DEFENCE_SPENDING.search(text[i])]
    seen = set(g1) | set(g2)
    g3 = [i for i in pool if i not in seen and MIDDLE_EAST.search(text[i])]
    rnd = random.Random(seed)
    s3 = rnd.sample(g3, min(MIDDLE_EAST_CAP, len(g3)))
    seen |= set(s3)
    rest = [i for i in pool if i not in seen]
    s4 = rnd.sample(rest, (len(rest) if total is None else total - len(g1) - len(g2) - len(s3)))
    group = {}
    for name, ids in (("missile-defence", g1), ("defence-spending", g2), ("middle-east", s3), ("random", s4)):
        group.update((i, name) for i in ids)
    order = g1 + g2 + s3 + s4
    rnd.shuffle(order)
    return [(i, group[i]) for i in order]


def agnews_round(ids_only):
    """The agnews round: every non-reserved AG News test row, in labelling order, its text read by
    tests/bench/tone_eval.py's reader (which exits 2 when the file is absent)."""
    rows = tone_eval.read_agnews(DATA, range(sys.maxsize))
    order = [i for i in sorted(rows) if i % 4 != 0]
    random.Random(AGNEWS_SEED).shuffle(order)
    for i in order:
        if ids_only:
            print("%d\tagnews" % i)
        else:
            print("%d\tagnews\n\tTITLE: %s\n\tTEXT: %s\n" % (i, rows[i][0].strip(), rows[i][1].strip()))


def main():
    args = sys.argv[1:]
    rnd_no = "2"
    if "--round" in args:
        k = args.index("--round")
        if k + 1 >= len(args) or args[k + 1] not in [str(r) for r in ROUNDS] + ["agnews"]:
            sys.stderr.write("select_news_labels.py: --round takes one of %s, agnews\n"
                             % ", ".join(map(str, sorted(ROUNDS))))
            sys.exit(2)
        rnd_no = args[k + 1]
    ids_only = "--ids" in args
    if rnd_no == "agnews":
        agnews_round(ids_only)
        return
    src = os.path.join(DATA, "recent-news", "rumca-rss-2022-2023.jsonl")
    for p in (src, LABELS):
        if not os.path.exists(p):
            sys.stderr.write("select_news_labels.py: %s is absent (../shared is not part of this repository)\n" % p)
            sys.exit(2)
    with open(src, encoding="utf-8") as f:
        objs = [json.loads(l) for l in f if l.strip()]
    seed, total, exclude = ROUNDS[int(rnd_no)]
    taken = labelled(LABELS)
    for name in exclude:
        taken |= labelled(os.path.join(HERE, name))
    for i, g in select(objs, taken, seed, total):
        if ids_only:
            print("%d\t%s" % (i, g))
        else:
            o = objs[i]
            print("%d\t%s\n\tTITLE: %s\n\tTEXT: %s\n" % (i, g, (o.get("title") or "").strip(),
                                                      (o.get("text") or "").replace("\n", " ").strip()))


if __name__ == "__main__":
    main()
