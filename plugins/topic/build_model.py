#!/usr/bin/env python3
"""Rebuild the shipped topic model (models/topic/) from the third-party data (stdlib only).

Reads (NOT part of this repository; see /work/shared/data/SOURCES.md):
  /work/shared/data/recent-news/rumca-rss-2022-2023.jsonl   labelled items (non-reserved lines only)
  /work/shared/data/agnews/test.csv.gz                      negatives: rows with index % 4 != 0
  /work/shared/data/reuters21578/reut2-*.sgm.gz             negatives: LEWISSPLIT="TRAIN"
and the label lists kept in this repository:
  /work/shared/labels/recent-news-train.tsv (silver labels; copied into models/topic/train-labels.tsv)
  models/topic/labels-extra.tsv             (hand labels of more non-reserved items; override silver)
  models/topic/label-fixes.tsv              (our corrections of silver labels, optional)

Steps:
  1. `select`: writes models/topic/train-labels.tsv: one line per training item
     (source, index, id, topics); no text. Negatives from AG News / Reuters are drawn with a fixed
     seed from items that mention none of the topic terms below.
  2. `build` (default: both): writes a training JSONL to a temporary directory from
     train-labels.tsv and the data, then runs
        newstag train --facet topic --data TMP/train.jsonl --out models/topic --seed 1 --folds 5
Reserved pools (recent-news line % 4 == 0, AG News row % 4 == 0, Reuters TEST) are never read
for training; the script refuses such items.

Usage: build_model.py [select|build|all] [--newstag PATH] [--out DIR] [--data DIR]
"""
import argparse
import csv
import gzip
import html
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
MODELDIR = os.path.join(TOP, "models", "topic")
SEED = 20261127
N_AGNEWS = 1600
N_REUTERS = 800
TOPICS = ("middle-east", "missile-defense", "nato-spending")

# An item from the old corpora is a safe negative only when it mentions none of these.
TOPIC_TERMS = re.compile(
    r"missile|rocket|defen[cs]e|military|army|troops|soldier|war\b|weapon|nato|pentagon|"
    r"israel|palestin|gaza|west bank|jerusalem|iran|iraq|baghdad|tehran|syria|damascus|lebanon|beirut|"
    r"jordan|egypt|cairo|saudi|gulf|yemen|kuwait|qatar|bahrain|oman\b|emirates|dubai|turkey|turkish|"
    r"hamas|hezbollah|arab|middle east|mideast|kurd|militant|insurgen|terror|hostage|nuclear|bomb|"
    r"attack|strike|air ?force|navy|budget|arafat|sharon|sadr|allawi|najaf|falluja|ramadi|mosul|kirkuk|saddam|"
    r"netanyahu|assad|khamenei|houthi|shi'?ite|sunni|jihad|qaeda|taliban|fatah|ramallah|hebron|jenin|sinai", re.I)


def die(msg, code=2):
    sys.stderr.write("build_model.py: %s\n" % msg)
    sys.exit(code)


def need(path):
    if not os.path.exists(path):
        die("data file %s is absent (the third-party data is not part of this repository; "
            "see models/topic/README.md)" % path)


def read_recent(data):
    path = os.path.join(data, "recent-news", "rumca-rss-2022-2023.jsonl")
    need(path)
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def agnews_clean(s):
    s = re.sub(r" ?#(\d+);", lambda m: chr(int(m.group(1))), s)
    s = html.unescape(s.replace("\\", " "))
    return re.sub(r"\s+", " ", s).strip()


def read_agnews(data):
    path = os.path.join(data, "agnews", "test.csv.gz")
    need(path)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [(int(r[0]), agnews_clean(r[1]), agnews_clean(r[2])) for r in csv.reader(f)]


REUTERS_DOC = re.compile(r"<REUTERS ([^>]*)>(.*?)</REUTERS>", re.S)


def reuters_text(s):
    s = re.sub(r"&#(\d+);", lambda m: chr(int(m.group(1))) if int(m.group(1)) >= 32 else " ", s)
    s = s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return s


def read_reuters(data):
    """Return {newid: (split, title, body)}."""
    out = {}
    d = os.path.join(data, "reuters21578")
    need(os.path.join(d, "reut2-000.sgm.gz"))
    for i in range(22):
        with gzip.open(os.path.join(d, "reut2-%03d.sgm.gz" % i), "rb") as f:
            raw = f.read().decode("latin-1")
        for m in REUTERS_DOC.finditer(raw):
            attrs = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
            body = m.group(2)
            t = re.search(r"<TITLE>(.*?)</TITLE>", body, re.S)
            b = re.search(r"<BODY>(.*?)</BODY>", body, re.S)
            title = reuters_text(t.group(1)).strip() if t else ""
            text = reuters_text(b.group(1)) if b else ""
            text = re.sub(r"\s*\n\s*", " ", text.replace("Reuter\n&#3;", "")).strip()
            text = re.sub(r"\s*Reuter\s*$", "", text)
            out[int(attrs["NEWID"])] = (attrs.get("LEWISSPLIT", ""), title, text)
    return out


def read_label_tsv(path):
    """line index -> topics list, from a silver-format TSV (index, countries, topics, tone)."""
    out = {}
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 3:
                die("%s:%d: expected index<TAB>countries<TAB>topics[<TAB>tone]" % (path, n))
            idx = int(cols[0])
            if idx % 4 == 0:
                die("%s:%d: line %d is in the RESERVED pool (index %% 4 == 0)" % (path, n, idx))
            topics = [t.strip() for t in cols[2].split(",") if t.strip()]
            for t in topics:
                if t not in TOPICS:
                    die("%s:%d: unknown topic %r" % (path, n, t))
            out[idx] = topics
    return out


# Older (2004) Middle East news for the model: AG News rows, non-reserved, that name a place or
# actor of the region; candidates are drawn with this seed and labelled by reading them against
# taxonomy.md (models/topic/labels-agnews.tsv). `build_model.py agnews-candidates` prints them.
AG_ME = re.compile(r"\b(Israel|Gaza|Iran|Iraq|Syria|Lebanon|Yemen|Saudi|Hamas|Hezbollah|West Bank|Palestin|"
                   r"Baghdad|Tehran|Jerusalem|Arafat|Sharon|Fallujah|Najaf|Kuwait|Jordan|Egypt|Mideast|"
                   r"Middle East|Sadr|Allawi|Qatar|Bahrain|Emirates|Dubai)", re.I)
AG_ME_SEED, AG_ME_N = 777, 160


def agnews_candidates(args):
    ag = read_agnews(args.data)
    pool = [i for i in range(len(ag)) if i % 4 != 0 and AG_ME.search(ag[i][1] + " " + ag[i][2])]
    for i in sorted(random.Random(AG_ME_SEED).sample(pool, AG_ME_N)):
        c, t, d = ag[i]
        print("%d [%d] %s || %s" % (i, c, t, d[:300]))


def read_agnews_labels():
    """row index -> topics, from models/topic/labels-agnews.tsv (row<TAB>topics)."""
    path = os.path.join(MODELDIR, "labels-agnews.tsv")
    out = {}
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            idx, topics = line.rstrip("\n").split("\t")
            idx = int(idx)
            if idx % 4 == 0:
                die("%s:%d: row %d is in the RESERVED pool (index %% 4 == 0)" % (path, n, idx))
            out[idx] = [t for t in topics.split(",") if t]
            for t in out[idx]:
                if t not in TOPICS:
                    die("%s:%d: unknown topic %r" % (path, n, t))
    return out


def select(args):
    silver = read_label_tsv(os.path.join(args.labels, "recent-news-train.tsv"))
    if not silver:
        die("%s/recent-news-train.tsv is absent" % args.labels)
    extra = read_label_tsv(os.path.join(MODELDIR, "labels-extra.tsv"))
    fixes = read_label_tsv(os.path.join(MODELDIR, "label-fixes.tsv"))
    merged = dict(silver)
    merged.update(extra)
    merged.update(fixes)
    recent = read_recent(args.data)
    rows = []
    for idx in sorted(merged):
        rows.append(("recent-news", idx, recent[idx]["id"], merged[idx]))
    rng = random.Random(SEED)
    ag = read_agnews(args.data)
    aglab = read_agnews_labels()
    for i in sorted(aglab):
        rows.append(("agnews", i, "agnews-%d" % i, aglab[i]))
    pool = [i for i in range(len(ag)) if i % 4 != 0 and i not in aglab
            and not TOPIC_TERMS.search(ag[i][1] + " " + ag[i][2])]
    for i in sorted(rng.sample(pool, min(N_AGNEWS, len(pool)))):
        rows.append(("agnews", i, "agnews-%d" % i, []))
    reu = read_reuters(args.data)
    pool = [k for k in sorted(reu) if reu[k][0] == "TRAIN" and len(reu[k][2]) > 80
            and not TOPIC_TERMS.search(reu[k][1] + " " + reu[k][2])]
    for k in sorted(rng.sample(pool, min(N_REUTERS, len(pool)))):
        rows.append(("reuters", k, "reuters-%d" % k, []))
    path = os.path.join(MODELDIR, "train-labels.tsv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("#source\tindex\tid\ttopics\n")
        for src, idx, id_, topics in rows:
            f.write("%s\t%d\t%s\t%s\n" % (src, idx, id_, ",".join(topics)))
    counts = {t: sum(t in r[3] for r in rows) for t in TOPICS}
    print("wrote %s: %d items (%d recent-news: %d silver, %d extra, %d fixes; %d labelled AG News); %s; "
          "%d with no topic"
          % (path, len(rows), len(merged), len(silver), len(extra), len(fixes), len(aglab),
             ", ".join("%s %d" % kv for kv in counts.items()), sum(not r[3] for r in rows)))


def build(args):
    path = os.path.join(MODELDIR, "train-labels.tsv")
    if not os.path.exists(path):
        die("%s is absent: run `build_model.py select` first" % path)
    recent = ag = reu = None
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            src, idx, id_, topics = line.rstrip("\n").split("\t")
            idx = int(idx)
            topics = [t for t in topics.split(",") if t]
            if src == "recent-news":
                if idx % 4 == 0:
                    die("%s:%d: reserved recent-news line %d" % (path, n, idx))
                recent = recent or read_recent(args.data)
                r = recent[idx]
                if r["id"] != id_:
                    die("%s:%d: id %s does not match line %d (%s)" % (path, n, id_, idx, r["id"]))
                title, text = r["title"], r["text"]
            elif src == "agnews":
                if idx % 4 == 0:
                    die("%s:%d: reserved AG News row %d" % (path, n, idx))
                ag = ag or read_agnews(args.data)
                _, title, text = ag[idx]
            elif src == "reuters":
                reu = reu or read_reuters(args.data)
                split, title, text = reu[idx]
                if split != "TRAIN":
                    die("%s:%d: Reuters %d is not in LEWISSPLIT=TRAIN" % (path, n, idx))
            else:
                die("%s:%d: unknown source %r" % (path, n, src))
            out.append({"id": id_, "title": title, "text": text, "labels": {"topic": topics}})
    if args.jsonl:
        with open(args.jsonl, "w", encoding="utf-8") as f:
            for o in out:
                f.write(json.dumps(o, ensure_ascii=False) + "\n")
        print("wrote %s (%d items); not training" % (args.jsonl, len(out)))
        return
    tmp = tempfile.mkdtemp(prefix="newstag-topic-")
    data = os.path.join(tmp, "train.jsonl")
    with open(data, "w", encoding="utf-8") as f:
        for o in out:
            f.write(json.dumps(o, ensure_ascii=False) + "\n")
    model = os.path.join(tmp, "model")
    cmd = [args.newstag, "train", "--facet", "topic", "--data", data, "--out", model,
           "--seed", "1", "--folds", "5", "--set", "min_df=3"] + sum((["--set", s] for s in args.set or []), [])
    print("+ " + " ".join(cmd), flush=True)
    rc = subprocess.call(cmd)
    if rc == 0:
        # models/topic also holds the label lists and README: replace only the model files
        os.makedirs(args.out, exist_ok=True)
        for name in os.listdir(args.out):
            if re.fullmatch(r"label-\d+\.model", name):
                os.unlink(os.path.join(args.out, name))
        for name in sorted(os.listdir(model)):
            shutil.copyfile(os.path.join(model, name), os.path.join(args.out, name + ".tmp"))
        for name in sorted(os.listdir(model), key=lambda n: n == "manifest.json"):
            os.replace(os.path.join(args.out, name + ".tmp"), os.path.join(args.out, name))
        print("model files copied to %s" % args.out)
    if not args.keep:
        shutil.rmtree(tmp)
    else:
        print("training JSONL kept in %s" % data)
    if rc:
        die("newstag train failed (exit %d)" % rc, rc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("step", nargs="?", default="all", choices=["select", "build", "all", "agnews-candidates"])
    ap.add_argument("--newstag", default=os.environ.get("NEWSTAG", "newstag"))
    ap.add_argument("--out", default=MODELDIR)
    ap.add_argument("--data", default="/work/shared/data")
    ap.add_argument("--labels", default="/work/shared/labels")
    ap.add_argument("--set", action="append", help="plugin option KEY=VALUE passed to newstag train")
    ap.add_argument("--keep", action="store_true", help="keep the training JSONL")
    ap.add_argument("--jsonl", help="build: only write the training JSONL to this path (for experiments)")
    args = ap.parse_args()
    if args.step == "agnews-candidates":
        agnews_candidates(args)
        return
    if args.step in ("select", "all"):
        select(args)
    if args.step in ("build", "all"):
        build(args)


if __name__ == "__main__":
    main()
