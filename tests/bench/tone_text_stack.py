#!/usr/bin/env python3
"""tone_text_stack.py - would a text classifier stacked on the tone decision lift its CV figures?

An exploration, not part of the plugin. Input: the --oof file of
`plugins/tone/build_model.py --cv ... --oof FILE` (each row's out-of-fold decision scores, its set,
fold, gold class and text). For each kind of text (titled news rows; untitled NYT snippets) it fits,
on the same four folds, a logistic regression on TF-IDF word unigrams and bigrams plus character
2-5-grams within words (--features and --counts choose other inputs; scikit-learn, Debian package
python3-sklearn), and then a second logistic regression over the decision's three scores and the
text model's three log-probabilities (trained on three folds' out-of-fold rows, applied to the
fourth). It prints each scored set's macro-F1 for the decision's argmax (what the plugin does),
the text model alone and the stack, then their F1 by class and how many items each class is given.

    python3 plugins/tone/build_model.py --cv --extra ... --dev ... --dev-train --oof /tmp/oof.jsonl
    python3 tests/bench/tone_text_stack.py /tmp/oof.jsonl
"""

import argparse
import json
import math
import re
import sys

try:
    from scipy.sparse import diags, hstack
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
except ImportError as e:
    sys.exit("tone_text_stack.py: needs scikit-learn and SciPy (Debian: apt-get install python3-sklearn): %s" % e)

FOLDS = (1, 2, 3, 4)


def split(rows, fo):
    """Indices of the rows outside fold fo (trained on) and inside it (scored)."""
    return ([i for i, o in enumerate(rows) if o["fold"] != fo],
            [i for i, o in enumerate(rows) if o["fold"] == fo])


def read_oof(path):
    """The rows of a --oof file; exits with the file and line of a malformed one."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            try:
                o = json.loads(line)
                if o["fold"] not in FOLDS or o["gold"] not in (-1, 0, 1) or len(o["scores"]) != 3:
                    raise ValueError("fold, gold or scores out of range")
            except (ValueError, KeyError, TypeError) as e:
                sys.exit("%s:%d: not a row of build_model.py --oof: %s" % (path, ln, e))
            rows.append(o)
    return rows


def text_of(o):
    body = o["text"] or ""
    return (o["title"] + " . " + body) if o["title"] is not None else body


def vectorizers(features, counts):
    """The text model's inputs: TF-IDF (sublinear term frequency, rows of unit length) or, with
    counts, plain occurrence counts; word unigrams and bigrams and / or character 2-5-grams."""
    if counts:
        words, chars = CountVectorizer(), CountVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3)
    else:
        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=3)
    return {"both": [words, chars], "words": [words], "chars": [chars]}[features]


def text_model_oof(rows, c, features, counts):
    """Out-of-fold class probabilities (negative, neutral, positive) of the text model. With
    counts, each row's counts are divided by its number of sentences (1 + its . ! and ?), as the
    decision's word inputs are, so the model stays linear in the counts."""
    docs = [text_of(o) for o in rows]
    gold = [o["gold"] for o in rows]
    per_sentence = diags([1.0 / (1 + len(re.findall(r"[.!?]", d))) for d in docs]) if counts else None
    probs = [None] * len(rows)
    for fo in FOLDS:
        tr, te = split(rows, fo)
        vecs = vectorizers(features, counts)
        for v in vecs:
            v.fit([docs[i] for i in tr])
        X = hstack([v.transform(docs) for v in vecs]).tocsr()
        if counts:
            X = (per_sentence @ X).tocsr()
        m = LogisticRegression(C=c, max_iter=3000).fit(X[tr], [gold[i] for i in tr])
        for i, p in zip(te, m.predict_proba(X[te])):
            probs[i] = list(p)  # classes_ are sorted: -1, 0, 1
    return probs


def stacked(rows, probs):
    """Out-of-fold classes of the second-level model over the decision's scores and log(probs)."""
    feats = [list(o["scores"]) + [math.log(p + 1e-6) for p in pr] for o, pr in zip(rows, probs)]
    pred = [None] * len(rows)
    for fo in FOLDS:
        tr, te = split(rows, fo)
        m = LogisticRegression(max_iter=1000).fit([feats[i] for i in tr], [rows[i]["gold"] for i in tr])
        for i, p in zip(te, m.predict([feats[i] for i in te])):
            pred[i] = int(p)
    return pred


def report(kind, rows, preds):
    """Each scored set's macro-F1 for each (name, classes) in preds, then its F1 by class and how
    many items each class is given."""
    sets = sorted({o["set"] for o in rows} - {"train"})
    for s in sets:
        ii = [i for i, o in enumerate(rows) if o["set"] == s]
        gold = [rows[i]["gold"] for i in ii]
        print("%s %-7s %5d rows: " % (kind, s, len(ii)) + ", ".join(
            "%s macro-F1 %.4f" % (name, f1_score(gold, [p[i] for i in ii], average="macro"))
            for name, p in preds))
        print("    gold negative / neutral / positive %s" % " / ".join(str(gold.count(c)) for c in (-1, 0, 1)))
        for name, p in preds:
            got = [p[i] for i in ii]
            f1 = f1_score(gold, got, labels=[-1, 0, 1], average=None, zero_division=0)
            print("    %-10s F1 %.3f / %.3f / %.3f, given %s" % (name, f1[0], f1[1], f1[2],
                                                             " / ".join(str(got.count(c)) for c in (-1, 0, 1))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("oof", help="the --oof file of build_model.py --cv")
    ap.add_argument("-C", type=float, default=4.0, help="inverse L2 strength of the text model (default 4)")
    ap.add_argument("--features", choices=("both", "words", "chars"), default="both",
                    help="word unigrams and bigrams, character 2-5-grams, or both (default)")
    ap.add_argument("--counts", action="store_true",
                    help="occurrence counts per sentence instead of TF-IDF (words: unigrams only)")
    a = ap.parse_args()
    rows = read_oof(a.oof)
    for kind, part in (("titled", [o for o in rows if o["title"] is not None]),
                       ("untitled", [o for o in rows if o["title"] is None])):
        if not part:
            continue
        probs = text_model_oof(part, a.C, a.features, a.counts)
        argmax = [max((-1, 0, 1), key=lambda k: o["scores"][k + 1]) for o in part]
        text = [max((-1, 0, 1), key=lambda k: p[k + 1]) for p in probs]
        report(kind, part, (("decision", argmax), ("text model", text), ("stack", stacked(part, probs))))


if __name__ == "__main__":
    main()
