#!/usr/bin/env python3
"""tone_eval.py - measure the tone plugin (through the real newstag binary) next to VADER and a baseline.

Usage (from the repository root, after building in BUILD):
    python3 tests/bench/tone_eval.py --newstag BUILD/core/newstag [--plugin-dir BUILD/plugins/tone]
           [--models models] [--data ../shared/data] [--speed]
           [--compare-plugin-dir OLDBUILD/plugins/tone --compare-models OLDMODELS --compare-name NAME]

What it prints:
  1. NYT editorial snippets of RESERVED articles (VADER ground truth, ids 'A_S' with A % 5 == 0,
     974 snippets): Pearson r of the value with the mean of 20 human ratings, and 3-class macro-F1
     with gold classes by rating/4 >= 0.05 / <= -0.05 (else neutral), for
       - newstag tone (label from the plugin, value from facets.tone.value),
       - VADER (vader_ref.py: a faithful re-implementation of VADER's compound score, run on the
         same snippets; predicted class by compound >= 0.05 / <= -0.05, VADER's protocol),
       - a trivial baseline: the sign of the sum of VADER lexicon valences of the words.
  2. The hand-labelled reserved news items tests/bench/labels/eval-recent-news.tsv and
     eval-agnews.tsv (tone column), when present: macro-F1 and accuracy, same three systems.
  3. With --speed: seconds for the document model alone (an empty pipeline) and with the tone
     plugin, over the NYT snippets and the reserved recent-news items repeated, and the ratio.
The third-party data (../shared/data) is not part of this repository: without it the script says
so and exits 2.
"""
import argparse
import csv
import gzip
import io
import json
import math
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from vader_ref import Vader, load_lexicon  # noqa: E402

CLASSES = ("negative", "neutral", "positive")


def need(path):
    if not os.path.exists(path):
        sys.stderr.write("tone_eval.py: %s is absent: the third-party data (../shared/data) is not part "
                         "of this repository, so nothing can be measured here.\n" % path)
        sys.exit(2)


def pearson(a, b):
    n = len(a)
    ma, mb = sum(a) / n, sum(b) / n
    sab = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    sa = math.sqrt(sum((x - ma) ** 2 for x in a))
    sb = math.sqrt(sum((y - mb) ** 2 for y in b))
    return sab / (sa * sb) if sa and sb else 0.0


def macro_f1(gold, pred):
    fs = []
    for c in CLASSES:
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred) if g == c and p != c)
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        fs.append(2 * pr * rc / (pr + rc) if pr + rc else 0.0)
    return sum(fs) / 3


def accuracy(gold, pred):
    return sum(1 for g, p in zip(gold, pred) if g == p) / len(gold)


def vader_class(c):
    return "positive" if c >= 0.05 else ("negative" if c <= -0.05 else "neutral")


def gold_class(rating):
    x = rating / 4.0
    return "positive" if x >= 0.05 else ("negative" if x <= -0.05 else "neutral")


class Baseline:
    """Sum of VADER lexicon valences of the lower-cased, punctuation-stripped words; class = sign."""

    def __init__(self, lex):
        self.lex = lex

    def score(self, text):
        s = 0.0
        for w in text.split():
            w = w.strip(".,;:!?\"'()[]{}").lower()
            s += self.lex.get(w, 0.0)
        return s

    @staticmethod
    def cls(s):
        return "positive" if s > 0 else ("negative" if s < 0 else "neutral")


def run_newstag(args, items, config, plugin_dirs=None, models=None):
    """items: [(id, title or None, text)] -> {id: tone facet object}. plugin_dirs and models
    default to --plugin-dir and --models."""
    with tempfile.TemporaryDirectory() as td:
        inp = os.path.join(td, "in.jsonl")
        out = os.path.join(td, "out.jsonl")
        cfg = os.path.join(td, "pipeline.json")
        with open(cfg, "w") as f:
            json.dump(config, f)
        with open(inp, "w", encoding="utf-8") as f:
            for i, title, text in items:
                o = {"id": i, "text": text}
                if title:
                    o["title"] = title
                f.write(json.dumps(o) + "\n")
        cmd = [args.newstag, "batch", "-q", "--config", cfg, "--models", models or args.models, "-o", out, inp]
        for d in (plugin_dirs if plugin_dirs is not None else args.plugin_dir):
            cmd[2:2] = ["--plugin-dir", d]
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True)
        dt = time.perf_counter() - t0
        if p.returncode != 0:
            sys.stderr.write("tone_eval.py: %s failed (%d): %s\n" % (" ".join(cmd), p.returncode, p.stderr))
            sys.exit(1)
        res = {}
        with open(out, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                res[r["id"]] = r.get("facets", {}).get("tone")
        return res, dt


TONE_ONLY = {"pipeline": [{"plugin": "tone"}], "facets": {"tone": {"single": True, "threshold": 0}}}


def tone_label(facet):
    if not facet or not facet.get("labels"):
        return "neutral"
    return facet["labels"][0]["label"]


def read_nyt(data):
    p = os.path.join(data, "vader", "nytEditorialSnippets_GroundTruth.txt")
    need(p)
    rows = []
    with open(p, encoding="utf-8") as f:
        for line in f:
            i, r, t = line.rstrip("\r\n").split("\t", 2)
            rows.append((i, int(i.split("_")[0]), float(r), t))
    return rows


def report(name, gold_r, gold_c, sysvals, syscls):
    r = pearson(sysvals, gold_r) if gold_r is not None else None
    f = macro_f1(gold_c, syscls)
    a = accuracy(gold_c, syscls)
    print("  %-34s %s  macro-F1 %.3f  acc %.3f" % (name, ("r %.4f" % r) if r is not None else "        ", f, a))


def paired_bootstrap(gold, new, old, n=2000, seed=1):
    """Macro-F1 of new minus old and its 95% interval over n paired resamples of the items."""
    import random
    rnd = random.Random(seed)
    k = len(gold)
    diffs = []
    for _ in range(n):
        ix = [rnd.randrange(k) for _ in range(k)]
        g = [gold[i] for i in ix]
        diffs.append(macro_f1(g, [new[i] for i in ix]) - macro_f1(g, [old[i] for i in ix]))
    diffs.sort()
    d = macro_f1(gold, new) - macro_f1(gold, old)
    print("    macro-F1 difference to it %+.3f, 95%% interval [%+.3f, %+.3f] (paired bootstrap, %d resamples)"
          % (d, diffs[int(0.025 * n)], diffs[int(0.975 * n) - 1], n))


def eval_nyt(args, vader, base):
    rows = [x for x in read_nyt(args.data) if x[1] % 5 == 0]
    res, dt = run_newstag(args, [(i, None, t) for i, _, _, t in rows], TONE_ONLY)
    gold_r = [r for _, _, r, _ in rows]
    gold_c = [gold_class(r) for r in gold_r]
    nv = [res[i]["value"] for i, _, _, _ in rows]
    nc = [tone_label(res[i]) for i, _, _, _ in rows]
    vv = [vader.compound(t) for _, _, _, t in rows]
    bv = [base.score(t) for _, _, _, t in rows]
    print("NYT editorial snippets, reserved articles (A %% 5 == 0): %d snippets" % len(rows))
    report("newstag tone", gold_r, gold_c, nv, nc)
    if args.compare_plugin_dir:
        res2, _ = run_newstag(args, [(i, None, t) for i, _, _, t in rows], TONE_ONLY, [args.compare_plugin_dir],
                              args.compare_models)
        report(args.compare_name, gold_r, gold_c, [res2[i]["value"] for i, _, _, _ in rows],
               [tone_label(res2[i]) for i, _, _, _ in rows])
        paired_bootstrap(gold_c, nc, [tone_label(res2[i]) for i, _, _, _ in rows])
    report("VADER compound (re-implemented)", gold_r, gold_c, vv, [vader_class(v) for v in vv])
    report("baseline: sign of lexicon sum", gold_r, gold_c, bv, [Baseline.cls(v) for v in bv])


def read_recent(data, wanted):
    p = os.path.join(data, "recent-news", "rumca-rss-2022-2023.jsonl")
    need(p)
    out = {}
    with open(p, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i in wanted:
                out[i] = json.loads(line)
    return out


def read_labels(path, key_cols):
    items = []
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            tone = parts[-1].strip()
            if tone not in CLASSES:
                raise SystemExit("%s:%d: tone %r is not one of %s" % (path, ln, tone, CLASSES))
            items.append((int(parts[0]), tone))
    return items


def eval_news(args, vader, base, name, items, texts):
    ids = [str(i) for i, _ in items]
    res, _ = run_newstag(args, [(str(i), texts[i][0], texts[i][1]) for i, _ in items], TONE_ONLY)
    gold = [t for _, t in items]
    nc = [tone_label(res[k]) for k in ids]
    whole = [(texts[i][0] + ". " + texts[i][1]) for i, _ in items]
    vv = [vader.compound(t) for t in whole]
    bv = [base.score(t) for t in whole]
    counts = {c: gold.count(c) for c in CLASSES}
    print("%s: %d items (negative %d, neutral %d, positive %d)" % (name, len(items), counts["negative"],
                                                                   counts["neutral"], counts["positive"]))
    report("newstag tone", None, gold, None, nc)
    if args.compare_plugin_dir:
        res2, _ = run_newstag(args, [(str(i), texts[i][0], texts[i][1]) for i, _ in items], TONE_ONLY,
                              [args.compare_plugin_dir], args.compare_models)
        report(args.compare_name, None, gold, None, [tone_label(res2[k]) for k in ids])
        paired_bootstrap(gold, nc, [tone_label(res2[k]) for k in ids])
    report("VADER compound (re-implemented)", None, gold, None, [vader_class(v) for v in vv])
    report("baseline: sign of lexicon sum", None, gold, None, [Baseline.cls(v) for v in bv])


def read_agnews(data, wanted):
    p = os.path.join(data, "agnews", "test.csv.gz")
    need(p)
    out = {}
    with gzip.open(p, "rt", encoding="utf-8") as f:
        for i, row in enumerate(csv.reader(f)):
            if i in wanted:
                t = row[2].replace("\\", " ")
                out[i] = (row[1], t)
    return out


def speed(args):
    rows = read_nyt(args.data)
    items = [(i, None, t) for i, _, _, t in rows]
    p = os.path.join(args.data, "recent-news", "rumca-rss-2022-2023.jsonl")
    with open(p, encoding="utf-8") as f:
        for k, line in enumerate(f):
            if k % 4 == 0:
                o = json.loads(line)
                items.append(("n%d" % k, o["title"], o["text"]))
    items = items * args.repeat
    items = [("%d:%s" % (k, i), ti, te) for k, (i, ti, te) in enumerate(items)]
    nbytes = sum(len(t.encode()) for _, _, t in items)
    empty = {"pipeline": [], "facets": {}}
    best = {}
    for name, cfg in (("document model only", empty), ("document model + tone", TONE_ONLY)):
        ts = []
        for _ in range(3):
            _, dt = run_newstag(args, items, cfg)
            ts.append(dt)
        best[name] = min(ts)
        print("  %-24s %.3f s for %d items (%.1f MB), best of 3" % (name, best[name], len(items), nbytes / 1e6))
    a, b = best["document model only"], best["document model + tone"]
    print("  tone adds %.1f%% to the whole run (document model, reading, writing)" % (100 * (b - a) / a))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--newstag", default=os.path.join(ROOT, "core", "newstag"))
    ap.add_argument("--plugin-dir", action="append", default=[])
    ap.add_argument("--models", default=os.path.join(ROOT, "models"))
    ap.add_argument("--data", default=os.path.normpath(os.path.join(ROOT, "..", "shared", "data")))
    ap.add_argument("--speed", action="store_true")
    ap.add_argument("--compare-plugin-dir", help="also run another build of the tone plugin (e.g. an earlier "
                    "version) on the same items")
    ap.add_argument("--compare-models", help="models directory for --compare-plugin-dir (default --models)")
    ap.add_argument("--compare-name", default="earlier tone (--compare-plugin-dir)")
    ap.add_argument("--repeat", type=int, default=4, help="copies of the items in the speed run")
    args = ap.parse_args()
    if not os.path.isdir(args.data):
        need(args.data)
    vp = os.path.join(args.data, "vader", "vader_lexicon.txt")
    need(vp)
    vader = Vader(vp)
    base = Baseline(load_lexicon(vp))
    eval_nyt(args, vader, base)
    lab = os.path.join(HERE, "labels", "eval-recent-news.tsv")
    if os.path.exists(lab):
        items = read_labels(lab, 1)
        texts = {i: (o["title"], o["text"]) for i, o in read_recent(args.data, {i for i, _ in items}).items()}
        eval_news(args, vader, base, "recent-news reserved, hand-labelled (eval-recent-news.tsv)", items, texts)
    else:
        print("recent-news labels %s: not present" % lab)
    lab = os.path.join(HERE, "labels", "eval-agnews.tsv")
    if os.path.exists(lab):
        items = read_labels(lab, 0)
        texts = read_agnews(args.data, {i for i, _ in items})
        eval_news(args, vader, base, "AG News reserved, hand-labelled (eval-agnews.tsv)", items, texts)
    if args.speed:
        print("speed (newstag batch, -j default):")
        speed(args)


if __name__ == "__main__":
    main()
