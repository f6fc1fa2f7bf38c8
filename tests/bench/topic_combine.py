#!/usr/bin/env python3
"""Choose how the topic model and the topic keyword rules are combined (models/pipeline.json),
by 5-fold cross-validation on the TRAINING items only (never on reserved items). Stdlib only.

For each fold: `newstag train` on the other folds (the shipped settings), then `newstag batch` on the
held-out fold with the model alone and with the rules alone (facet threshold 0, so every emitted
label and its score are seen). The combiner's policies are then simulated on these held-out
scores exactly as core/combiner.c computes them (a label an instance did not emit counts 0 in
"weighted"; "max" takes the larger score), for a grid of weights and thresholds, and the
micro/macro F1 of each setting is printed, best first.

Input: a training JSONL as written by `plugins/topic/build_model.py build --jsonl FILE` (needs the
third-party data under /work/shared/data).
Usage: topic_combine.py TRAIN.jsonl [--newstag PATH] [--models DIR] [--folds 5]
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
TOPICS = ("middle-east", "missile-defense", "nato-spending")


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode:
        sys.stderr.write("topic_combine.py: %s failed:\n%s\n" % (" ".join(cmd), r.stderr))
        sys.exit(1)
    return r.stdout


def batch(a, config, inp, tmp, model=None):
    out = os.path.join(tmp, "out.jsonl")
    cmd = [a.newstag, "batch", "-q", "--no-progress", "--models", a.models, "--config", config, "-o", out, inp]
    run(cmd)
    recs = {}
    with open(out) as f:
        for line in f:
            r = json.loads(line)
            fac = r.get("facets", {}).get("topic", {})
            recs[r["id"]] = ({l["label"]: l["score"] for l in fac.get("labels", [])}, fac.get("scores", {}))
    return recs


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--newstag", default=os.environ.get("NEWSTAG", "newstag"))
    ap.add_argument("--models", default=os.path.join(TOP, "models"))
    ap.add_argument("--folds", type=int, default=5)
    a = ap.parse_args()
    with open(a.data, encoding="utf-8") as f:
        items = [json.loads(l) for l in f if l.strip()]
    rng = random.Random(20261127)
    order = list(range(len(items)))
    rng.shuffle(order)
    fold = {i: k % a.folds for k, i in enumerate(order)}
    tmp = tempfile.mkdtemp(prefix="newstag-topic-combine-")
    rules_cfg = os.path.join(tmp, "rules.json")
    with open(rules_cfg, "w") as f:
        json.dump({"pipeline": [{"plugin": "rules", "name": "topic-rules",
                                 "options": {"rules": "rules/topic-keywords.json"}}],
                   "facets": {"topic": {"threshold": 0}}}, f)
    model_out, rules_out = {}, {}
    try:
        for k in range(a.folds):
            tr, te = os.path.join(tmp, "tr.jsonl"), os.path.join(tmp, "te.jsonl")
            with open(tr, "w") as f1, open(te, "w") as f2:
                for i, it in enumerate(items):
                    (f2 if fold[i] == k else f1).write(json.dumps(it) + "\n")
            model = os.path.join(tmp, "model%d" % k)
            run([a.newstag, "train", "--facet", "topic", "--data", tr, "--out", model, "--seed", "1",
                 "--set", "min_df=3"])
            cfg = os.path.join(tmp, "model.json")
            with open(cfg, "w") as f:
                json.dump({"pipeline": [{"plugin": "topic", "options": {"model": model}}],
                           "facets": {"topic": {"threshold": 0}}}, f)
            model_out.update(batch(a, cfg, te, tmp))
            rules_out.update(batch(a, rules_cfg, te, tmp))
            sys.stderr.write("fold %d done\n" % (k + 1))
    finally:
        shutil.rmtree(tmp)
    gold = {it["id"]: set(it["labels"]["topic"]) for it in items}

    def evaluate(decide):
        res = {}
        for lab in TOPICS:
            tp = fp = fn = 0
            for id_, g in gold.items():
                m = model_out[id_][0].get(lab, -1)
                r = rules_out[id_][0].get(lab, -1)
                pred = decide(lab, m, r)
                tp += pred and lab in g
                fp += pred and lab not in g
                fn += (not pred) and lab in g
            res[lab] = (tp, fp, fn)
        micro = prf(*[sum(v[j] for v in res.values()) for j in range(3)])
        per = {lab: prf(*v) for lab, v in res.items()}
        return micro, sum(per.values()) / len(per), per

    rows = []
    rows.append(("model only", evaluate(lambda lab, m, r: m >= 0)))
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        rows.append(("rules only, threshold %.1f" % t, evaluate(lambda lab, m, r, t=t: r >= t)))
    for w in (0.5, 0.6, 0.7, 0.8, 0.9):
        for t in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
            rows.append(("weighted model %.1f rules %.1f, threshold %.2f" % (w, 1 - w, t),
                         evaluate(lambda lab, m, r, w=w, t=t: w * max(m, 0) + (1 - w) * max(r, 0) >= t)))
    for t in (0.5, 0.7, 0.9, 0.95):
        rows.append(("max, rules count only >= %.2f" % t,
                     evaluate(lambda lab, m, r, t=t: m >= 0 or r >= t)))
    rows.sort(key=lambda x: -x[1][1])
    print("%-48s %7s %7s   %s" % ("setting (5-fold CV on training items)", "micro", "macro",
                                   "  ".join("%-15s" % t for t in TOPICS)))
    for name, (mi, ma, per) in rows[:25]:
        print("%-48s %7.4f %7.4f   %s" % (name, mi, ma, "  ".join("%-15.4f" % per[t] for t in TOPICS)))
    base = [r for r in rows if r[0] == "model only"][0]
    print("%-48s %7.4f %7.4f" % (base[0], base[1][0], base[1][1]))


if __name__ == "__main__":
    main()
