#!/usr/bin/env python3
"""Topic facet on the RESERVED recent-news items hand-labelled in tests/bench/labels/eval-recent-news.tsv:
per-label precision / recall / F1 of the shipped pipeline (and of the topic model alone) next to a
keyword baseline (a handful of regexes per label), all measured the same way. Stdlib only.

Reads /work/shared/data/recent-news/rumca-rss-2022-2023.jsonl (third-party, NOT in this repository);
says so and exits with status 2 when it is absent. Never trains or tunes anything.

Usage: topic_eval.py [--newstag PATH] [--models DIR] [--model DIR] [--config FILE] [--json]
  --model DIR    also evaluate this topic model directory alone (default: models/topic)
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
DATA = "/work/shared/data/recent-news/rumca-rss-2022-2023.jsonl"
LABELS = os.path.join(HERE, "labels", "eval-recent-news.tsv")
TOPICS = ("middle-east", "missile-defense", "nato-spending")

BASELINE = {
    "missile-defense": [r"missile[- ]defen[cs]e", r"air[- ]defen[cs]e", r"iron dome|david's sling|\barrow[- ]?[23]\b",
                        r"\bpatriot\b|\bthaad\b|\baegis\b|\bsm-[36]\b|golden dome", r"intercept"],
    "nato-spending": [r"defen[cs]e (spending|budget|expenditure)", r"military (spending|budget)",
                      r"(%|per ?cent) of (gdp|economic output)", r"burden[- ]sharing",
                      r"spend\w* (more )?on (defen[cs]e|the military)"],
    "middle-east": [r"\b(israel|gaza|hamas|hezbollah|west bank|palestin)", r"\b(iran|iraq|syria|lebanon|yemen|houthi)",
                    r"\b(saudi|jordan|egypt|qatar|bahrain|kuwait|emirat|oman\b)", r"middle east|mideast"],
}


def read_eval():
    if not os.path.exists(DATA):
        sys.stderr.write("topic_eval.py: %s is absent (third-party data, not part of this repository); "
                         "nothing measured.\n" % DATA)
        sys.exit(2)
    with open(DATA, encoding="utf-8") as f:
        lines = f.readlines()
    items = []
    with open(LABELS, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            idx, id_, _countries, topics, _tone = line.rstrip("\n").split("\t")
            idx = int(idx)
            assert idx % 4 == 0, "eval item %d is not in the reserved pool" % idx
            r = json.loads(lines[idx])
            assert r["id"] == id_, "id mismatch at line %d" % idx
            items.append({"id": id_, "title": r["title"], "text": r["text"],
                          "labels": {"topic": [t for t in topics.split(",") if t]}})
    return items


def read_eval_agnews():
    """The reserved AG News rows of tests/bench/labels/eval-agnews.tsv (2004 news: middle-east only)."""
    import csv, gzip, html
    path = "/work/shared/data/agnews/test.csv.gz"
    if not os.path.exists(path):
        return []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    clean = lambda s: re.sub(r"\s+", " ", html.unescape(re.sub(r" ?#(\d+);", lambda m: chr(int(m.group(1))),
                                                                s).replace("\\", " "))).strip()
    items = []
    with open(os.path.join(HERE, "labels", "eval-agnews.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            idx, _countries, topics, _tone = line.rstrip("\n").split("\t")
            idx = int(idx)
            assert idx % 4 == 0, "eval row %d is not in the reserved pool" % idx
            items.append({"id": "agnews-%d" % idx, "title": clean(rows[idx][1]), "text": clean(rows[idx][2]),
                          "labels": {"topic": [t for t in topics.split(",") if t]}})
    return items


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def baseline(items):
    out = {}
    for lab in TOPICS:
        rx = re.compile("|".join("(?:%s)" % p for p in BASELINE[lab]), re.I)
        tp = fp = fn = 0
        for it in items:
            pred = bool(rx.search(it["title"] + " " + it["text"]))
            gold = lab in it["labels"]["topic"]
            tp += pred and gold
            fp += pred and not gold
            fn += gold and not pred
        out[lab] = prf(tp, fp, fn) + (tp + fn,)
    return out


def run_eval(newstag, path, extra):
    cmd = [newstag, "eval", "--data", path, "--facet", "topic", "--json"] + extra
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.stderr.write("topic_eval.py: %s failed: %s\n" % (" ".join(cmd), r.stderr))
        sys.exit(1)
    fac = json.loads(r.stdout)["facets"]["topic"]["labels"]
    return {lab: (fac[lab]["precision"], fac[lab]["recall"], fac[lab]["f1"], fac[lab]["support"])
            if lab in fac else (0, 0, 0, 0) for lab in TOPICS}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--newstag", default=os.environ.get("NEWSTAG", "newstag"))
    ap.add_argument("--models", default=None, help="models directory (default: the newstag default)")
    ap.add_argument("--config", default=None, help="pipeline config (default: the default pipeline)")
    ap.add_argument("--model", default=os.path.join(TOP, "models", "topic"))
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    for name, items in (("recent-news", read_eval()), ("agnews", read_eval_agnews())):
        if items:
            report(a, name, items)


def report(a, name, items):
    tmp = tempfile.mkdtemp(prefix="newstag-topic-eval-")
    path = os.path.join(tmp, "eval.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for it in items:
            f.write(json.dumps(it, ensure_ascii=False) + "\n")
    common = (["--models", a.models] if a.models else [])
    results = {"keyword baseline": baseline(items)}
    results["pipeline"] = run_eval(a.newstag, path, common + (["--config", a.config] if a.config else []))
    if a.model:
        cfg = os.path.join(tmp, "model-only.json")
        with open(cfg, "w") as f:
            json.dump({"pipeline": [{"plugin": "topic", "options": {"model": os.path.abspath(a.model)}}],
                       "facets": {"topic": {"threshold": 0}}}, f)
        results["model only"] = run_eval(a.newstag, path, common + ["--config", cfg])
    os.unlink(path)
    for fn in os.listdir(tmp):
        os.unlink(os.path.join(tmp, fn))
    os.rmdir(tmp)
    if a.json:
        print(json.dumps({name: results}, indent=1))
        return
    print("reserved %s items: %d (tests/bench/labels/eval-%s.tsv)" % (name, len(items), name))
    print("%-18s %-16s %9s %9s %9s %8s" % ("system", "label", "precision", "recall", "F1", "support"))
    for name, res in results.items():
        for lab in TOPICS:
            p, r, f1, s = res[lab]
            print("%-18s %-16s %9.3f %9.3f %9.3f %8d" % (name, lab, p, r, f1, s))


if __name__ == "__main__":
    main()
