#!/usr/bin/env python3
"""The topic plugin as a general text classifier, next to fastText, on the same splits in one run:

  AG News  (/work/shared/data/agnews/test.csv.gz, 7,600 rows, 4 classes): train on rows with 0-based
           index % 4 != 0 (5,700), test on the reserved rows index % 4 == 0 (1,900);
  BBC News (/work/shared/data/bbc-news-2005, 2,225 files, 5 classes): train on files whose number
           % 5 != 0, test on the reserved files (number % 5 == 0).

newstag: `newstag train --facet F --data train.jsonl --out DIR --seed 1` (TF-IDF unigrams+bigrams,
LIBLINEAR one-vs-rest, 5-fold CV over C, Platt; single-label facet detected automatically), then
`newstag eval` (accuracy) and `newstag batch -j 1` (throughput, one thread, JSONL in and out).
fastText: `fasttext supervised -wordNgrams 2 -dim 10 -epoch 5 -lr 0.25` (Debian package fasttext,
default threads), `fasttext test` (P@1 = accuracy) and `fasttext predict` (throughput).
scikit-learn: TF-IDF (unigrams + bigrams, sublinear tf) + LinearSVC (C=1) on the same split, run by
a Python that has it (this one, else /usr/bin/python3 with Debian's python3-sklearn); skipped with
a note when none has it.

The data are third-party and NOT in this repository; the script says so and exits 2 without them.
Usage: topic_agnews.py [--newstag PATH] [--fasttext PATH] [--only agnews|bbc] [--json]
"""
import argparse
import csv
import gzip
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

DATA = "/work/shared/data"
AG_CLASSES = {1: "world", 2: "sports", 3: "business", 4: "scitech"}


def need(path):
    if not os.path.exists(path):
        sys.stderr.write("topic_agnews.py: %s is absent (third-party data, not part of this repository); "
                         "nothing measured.\n" % path)
        sys.exit(2)


def ag_clean(s):
    s = re.sub(r" ?#(\d+);", lambda m: chr(int(m.group(1))), s)
    return re.sub(r"\s+", " ", html.unescape(s.replace("\\", " "))).strip()


def load_agnews():
    path = os.path.join(DATA, "agnews", "test.csv.gz")
    need(path)
    train, test = [], []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for i, r in enumerate(csv.reader(f)):
            item = {"id": "ag-%d" % i, "title": ag_clean(r[1]), "text": ag_clean(r[2]),
                    "label": AG_CLASSES[int(r[0])]}
            (test if i % 4 == 0 else train).append(item)
    return train, test


def load_bbc():
    root = os.path.join(DATA, "bbc-news-2005")
    need(root)
    train, test = [], []
    for cat in sorted(os.listdir(root)):
        d = os.path.join(root, cat)
        if not os.path.isdir(d):
            continue
        for fn in sorted(os.listdir(d)):
            if not fn.endswith(".txt"):
                continue
            with open(os.path.join(d, fn), "rb") as f:
                raw = f.read().decode("utf-8", errors="replace")
            lines = raw.split("\n", 1)
            item = {"id": "bbc-%s-%s" % (cat, fn[:-4]), "title": lines[0].strip(),
                    "text": lines[1].strip() if len(lines) > 1 else "", "label": cat}
            (test if int(fn[:-4]) % 5 == 0 else train).append(item)
    return train, test


def write_jsonl(path, items, facet):
    with open(path, "w", encoding="utf-8") as f:
        for it in items:
            f.write(json.dumps({"id": it["id"], "title": it["title"], "text": it["text"],
                                "labels": {facet: [it["label"]]}}, ensure_ascii=False) + "\n")


def ft_line(it):
    s = (it["title"] + " . " + it["text"]).lower()
    s = re.sub(r"([^\w'])", r" \1 ", s)
    return "__label__%s %s\n" % (it["label"], re.sub(r"\s+", " ", s).strip())


def timed(cmd, **kw):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        sys.stderr.write("topic_agnews.py: %s failed (%d):\n%s\n" % (" ".join(cmd), r.returncode, r.stderr))
        sys.exit(1)
    return r, dt


def bench(name, train, test, tmp, a):
    facet = name
    tr, te = os.path.join(tmp, name + "-train.jsonl"), os.path.join(tmp, name + "-test.jsonl")
    write_jsonl(tr, train, facet)
    write_jsonl(te, test, facet)
    model = os.path.join(tmp, name + "-model")
    empty = os.path.join(tmp, "empty.json")
    with open(empty, "w") as f:
        # facet threshold 0: the model applies its own thresholds (see plugins/topic/README.md)
        f.write('{"pipeline": [], "facets": {"%s": {"threshold": 0}}}\n' % facet)
    res = {"train": len(train), "test": len(test)}
    _, dt = timed([a.newstag, "train", "--facet", facet, "--data", tr, "--out", model, "--seed", "1"])
    res["newstag_train_s"] = dt
    r, _ = timed([a.newstag, "eval", "--config", empty, "--model", model, "--data", te, "--facet", facet, "--json"])
    ev = json.loads(r.stdout)["facets"][facet]
    res["newstag_accuracy"] = ev["accuracy"]
    res["newstag_macro_f1"] = ev["macro_f1"]
    out = os.path.join(tmp, name + "-out.jsonl")
    _, dt = timed([a.newstag, "batch", "-q", "--no-progress", "-j", "1", "--config", empty, "--model", model,
                   "-o", out, te])
    res["newstag_docs_per_s_1thread"] = len(test) / dt
    # fastText on the same split
    ftr, fte = os.path.join(tmp, name + "-train.ft"), os.path.join(tmp, name + "-test.ft")
    with open(ftr, "w", encoding="utf-8") as f:
        f.writelines(ft_line(it) for it in train)
    with open(fte, "w", encoding="utf-8") as f:
        f.writelines(ft_line(it) for it in test)
    fm = os.path.join(tmp, name + "-ft")
    _, dt = timed([a.fasttext, "supervised", "-input", ftr, "-output", fm, "-wordNgrams", "2", "-dim", "10",
                   "-epoch", "5", "-lr", "0.25", "-seed", "1"])
    res["fasttext_train_s"] = dt
    r, _ = timed([a.fasttext, "test", fm + ".bin", fte])
    m = re.search(r"P@1\s+([0-9.]+)", r.stdout)
    res["fasttext_accuracy"] = float(m.group(1)) if m else None
    _, dt = timed([a.fasttext, "predict", fm + ".bin", fte])
    res["fasttext_docs_per_s"] = len(test) / dt
    # the anchor command underfits small sets (5 epochs); a longer run for reference
    _, dt = timed([a.fasttext, "supervised", "-input", ftr, "-output", fm, "-wordNgrams", "2", "-dim", "10",
                   "-epoch", "50", "-lr", "0.5", "-seed", "1"])
    res["fasttext50_train_s"] = dt
    r, _ = timed([a.fasttext, "test", fm + ".bin", fte])
    m = re.search(r"P@1\s+([0-9.]+)", r.stdout)
    res["fasttext50_accuracy"] = float(m.group(1)) if m else None
    res.update(sklearn_bench(train, test, tmp, name))
    return res


SKLEARN_CODE = r'''
import json, sys, time
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC
d = json.load(open(sys.argv[1]))
t0 = time.perf_counter()
vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
X = vec.fit_transform(d["train_x"])
clf = LinearSVC(C=1.0).fit(X, d["train_y"])
dt = time.perf_counter() - t0
t1 = time.perf_counter()
pred = clf.predict(vec.transform(d["test_x"]))
dp = time.perf_counter() - t1
acc = sum(1 for p, y in zip(pred, d["test_y"]) if p == y) / len(d["test_y"])
print(json.dumps({"accuracy": acc, "train_s": dt, "docs_per_s": len(d["test_y"]) / dp}))
'''


def sklearn_python():
    for py in (sys.executable, "/usr/bin/python3"):
        if os.path.exists(py) and subprocess.run([py, "-c", "import sklearn"], stdout=subprocess.DEVNULL,
                                                 stderr=subprocess.DEVNULL).returncode == 0:
            return py
    return None


def sklearn_bench(train, test, tmp, name):
    py = sklearn_python()
    if not py:
        return {}
    path = os.path.join(tmp, name + "-sk.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"train_x": [it["title"] + " . " + it["text"] for it in train],
                   "train_y": [it["label"] for it in train],
                   "test_x": [it["title"] + " . " + it["text"] for it in test],
                   "test_y": [it["label"] for it in test]}, f)
    r, _ = timed([py, "-c", SKLEARN_CODE, path])
    o = json.loads(r.stdout)
    return {"sklearn_accuracy": o["accuracy"], "sklearn_train_s": o["train_s"],
            "sklearn_docs_per_s": o["docs_per_s"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--newstag", default=os.environ.get("NEWSTAG", "newstag"))
    ap.add_argument("--fasttext", default="fasttext")
    ap.add_argument("--only", choices=["agnews", "bbc"])
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if not shutil.which(a.fasttext):
        sys.stderr.write("topic_agnews.py: fasttext not found (Debian package fasttext)\n")
        sys.exit(2)
    tmp = tempfile.mkdtemp(prefix="newstag-topic-bench-")
    results = {}
    try:
        if a.only in (None, "agnews"):
            results["agnews"] = bench("agnews", *load_agnews(), tmp, a)
        if a.only in (None, "bbc"):
            results["bbc"] = bench("bbc", *load_bbc(), tmp, a)
    finally:
        shutil.rmtree(tmp)
    if a.json:
        print(json.dumps(results, indent=1))
        return
    print("%-7s %6s %5s | %-28s | %-28s" % ("data", "train", "test", "newstag topic (1 thread)",
                                             "fastText (default threads)"))
    print("%-7s %6s %5s | %8s %8s %10s | %8s %8s %10s" % ("", "", "", "accuracy", "train s", "docs/s",
                                                           "accuracy", "train s", "docs/s"))
    for k, r in results.items():
        print("%-7s %6d %5d | %8.4f %8.2f %10.0f | %8.4f %8.2f %10.0f" % (
            k, r["train"], r["test"], r["newstag_accuracy"], r["newstag_train_s"], r["newstag_docs_per_s_1thread"],
            r["fasttext_accuracy"] or 0, r["fasttext_train_s"], r["fasttext_docs_per_s"]))
    for k, r in results.items():
        print("%-7s fastText -epoch 50 -lr 0.5 (not the anchor command): accuracy %.4f, train %.2f s"
              % (k, r["fasttext50_accuracy"] or 0, r["fasttext50_train_s"]))
    for k, r in results.items():
        if "sklearn_accuracy" in r:
            print("%-7s scikit-learn TF-IDF + LinearSVC: accuracy %.4f, train %.2f s, %.0f docs/s"
                  % (k, r["sklearn_accuracy"], r["sklearn_train_s"], r["sklearn_docs_per_s"]))
        else:
            print("%-7s scikit-learn TF-IDF + LinearSVC: not measured (no Python here has scikit-learn; "
                  "Debian package python3-sklearn)" % k)


if __name__ == "__main__":
    main()
