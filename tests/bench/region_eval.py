#!/usr/bin/env python3
"""region_eval.py - country micro P/R/F1 of the region plugin, run through the real newstag binary.

Sets measured (each next to a trivial keyword baseline measured the same way: country names
matched as whole words, nothing else):
  reuters   Reuters-21578 LEWISSPLIT="TEST" documents with >= 1 PLACES label, gold = PLACES mapped
            to ISO codes (ussr -> RU, west-/east-germany -> DE, czechoslovakia -> CZ,
            yugoslavia -> RS, zaire -> CD, ...; see reuters_places.py)
  recent    tests/bench/labels/eval-recent-news.tsv (hand labels of reserved recent-news items)
  agnews    tests/bench/labels/eval-agnews.tsv (hand labels of reserved AG News test rows)
  seed      the seed article(s) in ../shared/seed: prints the primary region

Usage:
  python3 tests/bench/region_eval.py --newstag BUILD/core/newstag [--models models]
         [--sets reuters,recent,agnews,seed] [--split TEST] [--jobs N] [--show N]

The articles are written as JSONL to a temporary file and tagged with `newstag batch` using a
pipeline of the region plugin alone; when `batch` is not available they are written as files
and tagged with `newstag tag --format jsonl`. The third-party data is read from ../shared/data
(or $NEWSTAG_SHARED_DATA); the script says so and skips a set when it is absent.
Python 3 standard library only.
"""

import argparse
import csv
import gzip
import html
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)


def shared_data():
    return os.environ.get("NEWSTAG_SHARED_DATA",
                          os.path.join(os.path.dirname(TOP), "shared", "data"))


def run_newstag(newstag, models, docs, jobs, extra_cfg=None):
    """Tag docs ({id,title,text}) with a region-only pipeline; returns ({id: record}, seconds)."""
    cfg = {"pipeline": [{"plugin": "region"}]}
    if extra_cfg:
        cfg.update(extra_cfg)
    with tempfile.TemporaryDirectory(prefix="region_eval_") as tmp:
        cpath = os.path.join(tmp, "pipeline.json")
        with open(cpath, "w") as f:
            json.dump(cfg, f)
        inp = os.path.join(tmp, "in.jsonl")
        out = os.path.join(tmp, "out.jsonl")
        with open(inp, "w", encoding="utf-8") as f:
            for d in docs:
                o = {"id": d["id"], "text": d["text"]}
                if d["title"]:
                    o["title"] = d["title"]
                f.write(json.dumps(o, ensure_ascii=False) + "\n")
        base = [newstag]
        opts = ["--config", cpath, "--models", models]
        t0 = time.time()
        help_rc = subprocess.run(base + ["batch", "--help"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL).returncode
        if help_rc == 0:
            cmd = base + ["batch", inp, "-o", out, "-q", "--no-progress"] + opts
            if jobs:
                cmd += ["-j", str(jobs)]
            t0 = time.time()
            r = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
            secs = time.time() - t0
            if r.returncode != 0:
                raise SystemExit("region_eval: %s failed (%d): %s" % (" ".join(cmd), r.returncode,
                                                                      r.stderr.strip()))
            with open(out, encoding="utf-8") as f:
                lines = f.read().splitlines()
        else:
            # fallback: one file per article (first line = title, blank line, text)
            paths, byname = [], {}
            for i, d in enumerate(docs):
                p = os.path.join(tmp, "%06d.txt" % i)
                with open(p, "w", encoding="utf-8") as f:
                    f.write((d["title"] + "\n\n" if d["title"] else "") + d["text"])
                paths.append(p)
                byname[p] = d["id"]
            lines = []
            t0 = time.time()
            for k in range(0, len(paths), 500):
                cmd = base + ["tag", "--format", "jsonl"] + opts + paths[k:k + 500]
                r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                if r.returncode != 0:
                    raise SystemExit("region_eval: newstag tag failed: %s" % r.stderr.strip())
                for ln in r.stdout.splitlines():
                    rec = json.loads(ln)
                    rec["id"] = byname.get(rec.get("id"), rec.get("id"))
                    lines.append(json.dumps(rec))
            secs = time.time() - t0
    recs = {}
    for ln in lines:
        rec = json.loads(ln)
        recs[rec["id"]] = rec
    return recs, secs


def labels_of(rec, facet):
    f = rec.get("facets", {}).get(facet, {})
    return [l["label"] for l in f.get("labels", [])]


class Baseline:
    """Trivial keyword baseline: country names (gazetteer kind 'name') as whole-word matches."""

    def __init__(self, gazetteer):
        names = {}
        with open(gazetteer, encoding="utf-8") as f:
            for line in f:
                if line.startswith(("#", "@")):
                    continue
                cols = line.rstrip("\n").split("\t")
                if len(cols) == 5 and cols[2] == "name" and cols[1] != "-":
                    names[cols[0]] = cols[1].split("|")[0]
        self.names = names
        alts = sorted(names, key=len, reverse=True)
        self.re = re.compile(r"(?<![\w])(" + "|".join(re.escape(n) for n in alts) + r")(?![\w])")

    def predict(self, title, text):
        return {self.names[m.group(1)] for m in self.re.finditer(title + "\n" + text)}


def prf(gold, pred):
    tp = fp = fn = 0
    for k in gold:
        g, p = gold[k], pred.get(k, set())
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
    P = tp / (tp + fp) if tp + fp else 0.0
    R = tp / (tp + fn) if tp + fn else 0.0
    F = 2 * P * R / (P + R) if P + R else 0.0
    return P, R, F, tp, fp, fn


def report(name, docs, gold, recs, base, secs, show):
    pred = {d["id"]: set(labels_of(recs[d["id"]], "country")) if d["id"] in recs else set()
            for d in docs}
    missing = sum(1 for d in docs if d["id"] not in recs)
    bpred = {d["id"]: base.predict(d["title"], d["text"]) for d in docs}
    P, R, F, tp, fp, fn = prf(gold, pred)
    bP, bR, bF, btp, bfp, bfn = prf(gold, bpred)
    print("%-8s %5d docs  region   P=%.4f R=%.4f F1=%.4f (tp=%d fp=%d fn=%d)  [%.1f s]%s" % (
        name, len(docs), P, R, F, tp, fp, fn, secs,
        "  MISSING %d records" % missing if missing else ""))
    print("%-8s %5s       baseline P=%.4f R=%.4f F1=%.4f (tp=%d fp=%d fn=%d)" % (
        "", "", bP, bR, bF, btp, bfp, bfn))
    if show:
        n = 0
        for d in docs:
            if pred[d["id"]] != gold[d["id"]] and n < show:
                n += 1
                print("   %s gold=%s pred=%s | %s" % (d["id"], ",".join(sorted(gold[d["id"]])),
                                                     ",".join(sorted(pred[d["id"]])), d["title"][:80]))


def load_recent(data):
    path = os.path.join(TOP, "tests", "bench", "labels", "eval-recent-news.tsv")
    src = os.path.join(data, "recent-news", "rumca-rss-2022-2023.jsonl")
    if not os.path.exists(path):
        print("recent   skipped: %s is not there (the labelling engineer has not written it yet)" % path)
        return None
    if not os.path.exists(src):
        print("recent   skipped: %s is absent (../shared/data is not available)" % src)
        return None
    with open(src, encoding="utf-8") as f:
        lines = f.read().split("\n")
    docs, gold = [], {}
    with open(path, encoding="utf-8") as f:
        for ln in f:
            if ln.startswith("#") or not ln.strip():
                continue
            cols = ln.rstrip("\n").split("\t")
            idx = int(cols[0])
            item = json.loads(lines[idx])
            did = "recent-%d" % idx
            docs.append({"id": did, "title": item.get("title", ""), "text": item.get("text", "")})
            gold[did] = set(c for c in cols[2].split(",") if c)
    return docs, gold


def agnews_clean(s):
    s = s.replace("\\", " ")
    s = re.sub(r" ?#(\d+);", lambda m: chr(int(m.group(1))), s)
    return html.unescape(s).strip()


def load_agnews(data):
    path = os.path.join(TOP, "tests", "bench", "labels", "eval-agnews.tsv")
    src = os.path.join(data, "agnews", "test.csv.gz")
    if not os.path.exists(path):
        print("agnews   skipped: %s is not there (the labelling engineer has not written it yet)" % path)
        return None
    if not os.path.exists(src):
        print("agnews   skipped: %s is absent (../shared/data is not available)" % src)
        return None
    with gzip.open(src, "rt", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    docs, gold = [], {}
    with open(path, encoding="utf-8") as f:
        for ln in f:
            if ln.startswith("#") or not ln.strip():
                continue
            cols = ln.rstrip("\n").split("\t")
            idx = int(cols[0])
            row = rows[idx]
            did = "agnews-%d" % idx
            docs.append({"id": did, "title": agnews_clean(row[1]), "text": agnews_clean(row[2])})
            gold[did] = set(c for c in cols[1].split(",") if c)
    return docs, gold


def main():
    ap = argparse.ArgumentParser(description="country P/R/F1 of the region plugin via newstag")
    ap.add_argument("--newstag", default=os.environ.get("NEWSTAG", "core/newstag"),
                    help="the newstag binary (default: core/newstag, or $NEWSTAG)")
    ap.add_argument("--models", default=os.path.join(TOP, "models"))
    ap.add_argument("--sets", default="reuters,recent,agnews,seed")
    ap.add_argument("--split", default="TEST", help="Reuters LEWISSPLIT (TEST is the reported one)")
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--show", type=int, default=0, help="print N disagreements per set")
    a = ap.parse_args()
    if not os.access(a.newstag, os.X_OK):
        raise SystemExit("region_eval: %s is not an executable newstag (use --newstag)" % a.newstag)
    data = shared_data()
    if not os.path.isdir(data):
        print("region_eval: ../shared/data is absent (%s): nothing to measure" % data)
        return
    base = Baseline(os.path.join(a.models, "region", "gazetteer.tsv"))
    sets = a.sets.split(",")
    if "reuters" in sets:
        import reuters_places
        path = os.path.join(data, "reuters21578")
        if not os.path.isdir(path):
            print("reuters  skipped: %s is absent" % path)
        else:
            docs = list(reuters_places.docs(a.split, path))
            gold = {d["id"]: set(d["countries"]) for d in docs}
            recs, secs = run_newstag(a.newstag, a.models, docs, a.jobs)
            report("reuters", docs, gold, recs, base, secs, a.show)
    for name, loader in (("recent", load_recent), ("agnews", load_agnews)):
        if name in sets:
            got = loader(data)
            if got:
                docs, gold = got
                recs, secs = run_newstag(a.newstag, a.models, docs, a.jobs)
                report(name, docs, gold, recs, base, secs, a.show)
    if "seed" in sets:
        sdir = os.path.join(os.path.dirname(data), "seed")
        files = sorted(f for f in os.listdir(sdir) if f.endswith(".txt")) if os.path.isdir(sdir) else []
        if not files:
            print("seed     skipped: no seed article in %s" % sdir)
        for fn in files:
            with open(os.path.join(sdir, fn), encoding="utf-8", errors="replace") as f:
                body = f.read()
            docs = [{"id": fn, "title": "", "text": body}]
            recs, _ = run_newstag(a.newstag, a.models, docs, 1)
            rec = recs.get(fn, {})
            print("seed     %s primary region: %s (regions %s; countries %s)" % (
                fn, (labels_of(rec, "region") or ["-"])[0], ",".join(labels_of(rec, "region")),
                ",".join(labels_of(rec, "country"))))


if __name__ == "__main__":
    main()
