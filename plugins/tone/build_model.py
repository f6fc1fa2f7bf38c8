#!/usr/bin/env python3
"""build_model.py - rebuild models/tone/ (lexicon table + correction weights) from ../shared/data.

Usage (from the repository root):
    python3 plugins/tone/build_model.py [--data DIR] [--out models/tone] [--cv]

Inputs (third-party, NOT in this repository; the script says so and exits 2 when absent):
    DIR/vader/vader_lexicon.txt               VADER lexicon (MIT, C.J. Hutto)
    DIR/lexicons/afinn/AFINN-en-165.txt       AFINN-165 (Apache-2.0, F. Aarup Nielsen, DTU)
    DIR/vader/nytEditorialSnippets_GroundTruth.txt  training ratings: ONLY articles A % 5 != 0
Inputs in this repository:
    models/tone/news-overrides.tsv            the team's news vocabulary (overrides the lexicons)
Outputs:
    models/tone/lexicon.tsv                   'nttone 1' table: key<TAB>kind<TAB>value[<TAB>learned
                                              [<TAB>negative<TAB>positive]]
    models/tone/correction.txt                'nttone-correction 1': rule parameters, linear
                                              weights over lexicon features, label thresholds,
                                              the 3-class decision's weights
The value's correction: a ridge regression of rating/4 (news: -0.4 / 0 / +0.4) on the features of
tonelib.features(), then a libsvm epsilon-SVR (linear kernel; svr_fit.py, needs the Debian package
python3-libsvm) of its residuals on per-word inputs, giving the per-word terms; fitted on the
non-reserved NYT snippets and labelled news (--correction ridge: the 1.0-1.3 all-ridge fit). The label is a 3-class multinomial logistic regression over
tonelib.class_features() (separate weights for titled and untitled text; per-word terms for titled
articles), trained on the same rows; --cv prints 4-fold figures of both. --agnews FILES adds the
team's labels of AG News test rows (DIR/agnews/test.csv.gz) to the decision's rows. Reserved items
(NYT articles A % 5 == 0, recent-news lines % 4 == 0, AG News rows % 4 == 0) are never read.
"""
import argparse
import json
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import embed  # noqa: E402
import svr_fit  # noqa: E402
import tonelib  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "bench"))
import tone_eval  # noqa: E402

# Rule vocabularies (VADER's published lists, extended for news).
NEGATORS = """aint arent cannot cant couldnt darent didnt doesnt ain't aren't can't couldn't daren't
didn't doesn't dont hadnt hasnt havent isnt mightnt mustnt neither don't hadn't hasn't haven't isn't
mightn't mustn't neednt needn't never none nope nor not nothing nowhere oughtnt shant shouldnt uhuh
wasnt werent oughtn't shan't shouldn't wasn't weren't without wont wouldnt won't wouldn't rarely
seldom no nobody""".split()
B_INCR, B_DECR = 0.293, -0.293
BOOST_UP = """absolutely amazingly awfully completely considerable considerably decidedly deeply
enormous enormously entirely especially exceptional exceptionally extreme extremely fully greatly
highly hugely incredible incredibly intensely major majorly more most particularly purely quite
really remarkably so substantially thoroughly total totally tremendous tremendously unbelievably
unusually utter utterly very sharply severely seriously heavily""".split()
BOOST_DOWN = """almost barely hardly kinda less little marginal marginally occasional occasionally
partly scarce scarcely slight slightly somewhat sorta""".split()
BOOST_DOWN2 = ["kind of", "sort of", "just enough"]
CONTRAST = ["but", "however", "nevertheless", "nonetheless"]
CONCEDE = ["although", "though", "despite", "notwithstanding"]

DEFAULT_PARAMS = dict(tonelib.DEFAULTS)
# word_min: a word gets learned terms (value and decision) only when at least that many training
# documents contain it (2 was tried for 1.2: same CV, but plain procedural text turned positive).
# max_keys: the table's size limit. With the 450 labels of 1.2 it had 29,838 keys, over the 28,672
# (7/8 of 32,768 slots) at which tone.c's perfect hash doubles to 65,536 slots (1 MB), and tone
# scoring got ~15% slower; so learned-only words seen in one training document are left out,
# smallest terms first, until the table fits (they change few labels: they are rare by choice).
# With 1.7's 12,733 more decision rows even that was not enough (31,577 keys): then words of two
# training documents go too, and so on, fewest documents first (fit_table()).
# stop_k (1.3): the stop_k most frequent words of the training rows (a and for in is of on that the
# to: 21% of the word tokens of news) get no learned terms at all, so they need no table key and
# the scorer's table is hit by 73% of the word tokens instead of 94%; the same cross-validation
# figures (see plugins/tone/README.md: accuracy against the learned words).
BUILD = dict(afinn_scale=0.8, afinn_mode="fill", inflect=True, ridge=1.0, word_ridge=40.0, word_min=1, max_keys=28600,
             epochs=15, min_learned=0.003, use_news=True, stop_k=10,
             correction="libsvm", svr_c=0.005, svr_eps=0.02)
# correction: how the value's per-word terms are fitted (train()). "libsvm" since 1.4 (the issue asks
# for a libsvm correction model): epsilon-SVR, linear kernel, on the residuals of the ridge over the
# lexicon features; svr_c and svr_eps were picked on the 4-fold cross-validation of the
# non-reserved rows (NYT r: C 0.03 0.527, 0.01 0.547, 0.005 0.551, 0.003 0.548; tube 0.02 = 0.05),
# against the ridge backfitting's 0.555 (1.2 settings). "ridge": the 1.0-1.3 fit.
# The 3-class decision: multinomial logistic regression (Adagrad SGD, L2), one model over the
# dense features only (used for untitled text) and one with per-word terms too (used for titled
# articles); both with domain interactions (titled / untitled), trained on all non-reserved rows.
# avg: each model is the mean of the weights of that many runs with different shuffling seeds
# (the SGD's result moved by up to 0.02 macro-F1 from seed to seed; the mean is steadier and
# better). Both models run longer at smaller rates than in 1.1 (5 / 8 epochs at 0.5): the dense
# model's NYT cross-validation figure was 0.549 to 0.567 by seed, 20 epochs at 0.1 give
# 0.564-0.565; the word model's news figure 0.598-0.609, 16 epochs at 0.15 give 0.617-0.620.
# offsets: fold the class offsets that maximise the out-of-fold macro-F1 into the biases (1.1 did).
# Off since 1.2: over the seeds tried the best titled offsets ranged from (-0.5, 0) to (+0.7, +1.0)
# on the negative / positive scores, i.e. they fit the noise of the out-of-fold scores, and the
# ones this build picked (+0.7 / +0.8) made plain procedural text ("Committee to meet on
# Tuesday") positive. The search still runs and is printed. Tried for 1.5: offsets "dev", the
# titled offsets chosen on the out-of-fold scores of the team's 1,500 labels of
# news-tone-extra2.tsv (picked like the reserved evaluation set), none for untitled text; chosen
# on three folds and applied to the fourth they added +0.010 and +0.011 to that set's macro-F1
# (seeds 1 and 5), but the +0.6 on the positive score made the same procedural text positive
# (check_tone), so 1.5 is the plain argmax too. Tried after 1.5: offsets "dev-sentiment", the
# same offsets for titled texts with at least one sentiment word only (chosen on those rows'
# out-of-fold scores): nested, +0.011 and +0.009 on the team's items (0.6014 / 0.5968 against
# 0.5908 / 0.5879), procedural text stayed neutral; but on the reserved items recent news fell
# from 0.619 to 0.585 (bootstrap interval -0.061 to -0.006) and AG News from 0.631 to 0.611, so
# it was not shipped. Offsets fitted to out-of-fold scores have now failed twice: do not use.
# lam_words 80 (1.3; was 10): with the stop words gone, 10 labelled plain procedural text
# ("Committee to meet on Tuesday") positive; 80 gives the same cross-validation figures (mean of
# 4 seed sets: news 0.618 against 0.615 with lam 10 and every word) and a clear neutral there.
CLS = dict(lam_dense=1.0, lam_words=80.0, epochs_dense=20, lr_dense=0.1, epochs=16, lr=0.15, prune=0.02,
           seed=1, avg=4, offsets=False)

# the team's own tone labels of non-reserved recent-news lines (training only; each file's header
# says how its items were chosen and labelled)
EXTRA_LABELS = ("news-tone-extra.tsv", "news-tone-extra2.tsv", "news-tone-extra3.tsv", "news-tone-extra4.tsv",
                "news-tone-extra5.tsv")
# of those, the files whose items were chosen as the reserved evaluation set was
# (select_news_labels.py): their rows are also scored, out of fold, in the decision's
# cross-validation (the "dev" figure), and with CLS offsets "dev" the titled class offsets that
# maximise macro-F1 on those out-of-fold scores go into the titled biases
DEV_SCORED = ("news-tone-extra2.tsv",)
# of those, the files the value's regression does not use (the decision only): with
# news-tone-extra2.tsv the value's 4-fold CV NYT r fell from 0.5517 to 0.5505
DECISION_ONLY = ("news-tone-extra2.tsv", "news-tone-extra3.tsv", "news-tone-extra4.tsv", "news-tone-extra5.tsv")
# the team's own tone labels of non-reserved AG News test rows (2004 wire copy; the decision
# only, scored out of fold as the "agnews" set in the decision's cross-validation)
AGNEWS_LABELS = ()


def die_absent(path):
    sys.stderr.write("build_model.py: %s is absent: the third-party data (../shared/data) is not part "
                     "of this repository, so models/tone/ cannot be rebuilt here.\n" % path)
    sys.exit(2)


def key_of(phrase):
    toks = tonelib.tokenize(phrase)
    if not toks or any(not (fl & tonelib.W) for _, fl, _ in toks) or len(toks) > 2:
        return None
    return " ".join(t[0] for t in toks)


def read_tsv_lex(path, scale):
    out = {}
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            parts = line.rstrip("\r\n").split("\t")
            if len(parts) < 2 or not parts[0]:
                continue
            try:
                v = float(parts[1]) * scale
            except ValueError:
                raise SystemExit("%s:%d: bad valence %r" % (path, ln, parts[1]))
            k = key_of(parts[0])
            if k is not None and k not in out:
                out[k] = v
    return out


def inflections(w):
    if len(w) < 3 or " " in w or not w.isalpha() or w.endswith(("ed", "ing", "s", "ly", "est", "er")):
        return []
    forms = [w + "s", w + "ed", w + "ing"]
    if w.endswith("e"):
        forms = [w + "s", w + "d", w[:-1] + "ing"]
    elif w.endswith("y") and w[-2] not in "aeiou":
        forms = [w[:-1] + "ies", w[:-1] + "ied", w + "ing"]
    elif w.endswith(("s", "x", "z", "ch", "sh")):
        forms = [w + "es", w + "ed", w + "ing"]
    return forms


def build_table(data, out, build):
    vp = os.path.join(data, "vader", "vader_lexicon.txt")
    ap = os.path.join(data, "lexicons", "afinn", "AFINN-en-165.txt")
    for p in (vp, ap):
        if not os.path.exists(p):
            die_absent(p)
    vader = read_tsv_lex(vp, 1.0)
    afinn = read_tsv_lex(ap, build["afinn_scale"])
    val = dict(vader)
    src = {k: "V" for k in vader}
    for k, v in afinn.items():
        if k not in val:
            val[k] = v
            src[k] = "A"
        elif build["afinn_mode"] == "mean":
            val[k] = (val[k] + v) / 2
    if build["inflect"]:
        for k in sorted(list(val)):
            for f in inflections(k):
                if f not in val:
                    val[f] = val[k]
                    src[f] = "I"
    ov = {}
    op = os.path.join(out, "news-overrides.tsv")
    with open(op, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2:
                raise SystemExit("%s:%d: want key<TAB>valence" % (op, ln))
            k = key_of(parts[0])
            if k is None:
                raise SystemExit("%s:%d: key %r is not one or two words" % (op, ln, parts[0]))
            ov[k] = float(parts[1])
    for k, v in ov.items():
        if v == 0:
            val.pop(k, None)
        else:
            val[k] = v
        src[k] = "N"
    tab = {k: ("v", v, 0.0) for k, v in val.items() if v != 0}
    for w in NEGATORS:
        tab[key_of(w)] = ("n", 0.0, 0.0)
    for w in BOOST_UP:
        tab[w] = ("b", B_INCR, 0.0)
    for w in BOOST_DOWN + BOOST_DOWN2:
        tab[key_of(w)] = ("b", B_DECR, 0.0)
    for w in CONTRAST:
        tab[w] = ("c", 0.0, 0.0)
    for w in CONCEDE:
        tab[w] = ("s", 0.0, 0.0)
    return tab, src


def write_table(tab, src, path):
    counts = {}
    for k in tab:
        s = src.get(k, "R") if tab[k][0] == "v" else ("L" if tab[k][0] == "w" else "R")
        counts[s] = counts.get(s, 0) + 1
    with open(path, "w", encoding="utf-8") as f:
        f.write("nttone 1\n")
        f.write("# models/tone/lexicon.tsv - generated by plugins/tone/build_model.py; do not edit\n")
        f.write("# key<TAB>kind<TAB>value; kind v=valence (-4..4), n=negator, b=booster (+/-),\n")
        f.write("# c=contrast (but/however), s=concessive (although). Sources: VADER %d, AFINN-165 %d,\n"
                % (counts.get("V", 0), counts.get("A", 0)))
        f.write("# inflected forms %d, news overrides %d, rule words %d, learned-only words %d.\n"
                % (counts.get("I", 0), counts.get("N", 0), counts.get("R", 0), counts.get("L", 0)))
        f.write("# The 4th column (when present) is the learned per-word correction of the value, the 5th and\n")
        f.write("# 6th the word's terms in the 3-class decision (negative, positive). See models/tone/README.md.\n")
        for k in sorted(tab):
            kind, v, u = tab[k][:3]
            line = "%s\t%s\t%s" % (k, kind, num(v))
            if len(tab[k]) == 5:
                line += "\t%s\t%s\t%s" % (num(u), num(tab[k][3]), num(tab[k][4]))
            elif u != 0:
                line += "\t" + num(u)
            f.write(line + "\n")


def num(v):
    t = ("%.4f" % v).rstrip("0").rstrip(".")
    return "0" if t in ("", "-0") else t


def read_nyt(data):
    p = os.path.join(data, "vader", "nytEditorialSnippets_GroundTruth.txt")
    if not os.path.exists(p):
        die_absent(p)
    rows = []
    with open(p, encoding="utf-8") as f:
        for line in f:
            i, r, t = line.rstrip("\r\n").split("\t", 2)
            a = int(i.split("_")[0])
            if a % 5 == 0:
                continue  # reserved: never read for building
            rows.append((a % 5, float(r) / 4.0, None, t))
    return rows


NEWS_Y = {"negative": -0.4, "neutral": 0.0, "positive": 0.4}


def read_news(data, labels, extra=()):
    """Non-reserved recent-news items with a hand label: rows (fold, y, title, text), then the
    rows of the files in `extra` (the team's own labels, same format) as a second list, then
    the file each of those came from as a third. An item labelled in two of the files is an
    error."""
    p = os.path.join(data, "recent-news", "rumca-rss-2022-2023.jsonl")
    if not os.path.exists(p):
        die_absent(p)
    if not os.path.exists(labels):
        die_absent(labels)
    want = read_tone_labels(labels)
    more, where = {}, {}
    for path in extra:
        for i, tone in read_tone_labels(path).items():
            if i in want or i in more:
                raise SystemExit("%s: line %d is also in %s" % (path, i, labels if i in want else where[i]))
            more[i], where[i] = tone, path
    rows, rows2, origin = [], [], []
    with open(p, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i in want or i in more:
                o = json.loads(line)
                tone = want.get(i) or more[i]
                (rows if i in want else rows2).append(((i // 4) % 4 + 1, NEWS_Y[tone], o["title"], o["text"]))
                if i not in want:
                    origin.append(where[i])
    return rows, rows2, origin


def read_agnews(data, path):
    """Rows (fold, y, title, text) of the AG News test rows labelled in `path` (first column the
    0-based row index, last the tone), read by tests/bench/tone_eval.py's reader, so their text is
    what newstag is given there; the fold is (row // 4) % 4 + 1, as for recent-news lines."""
    want = read_tone_labels(path)
    texts = tone_eval.read_agnews(data, want)
    missing = sorted(set(want) - set(texts))
    if missing:
        raise SystemExit("%s: row %d is not in %s" % (path, missing[0], os.path.join(data, "agnews", "test.csv.gz")))
    return [((i // 4) % 4 + 1, NEWS_Y[want[i]], texts[i][0], texts[i][1]) for i in sorted(want)]


NEWSMTSC_Y = {(2,): -0.4, (4,): 0.0, (6,): 0.4}


def read_newsmtsc(data):
    """NewsMTSC train sentences (MIT licence; sentiment toward target persons, 2 negative, 4
    neutral, 6 positive) whose targets all have the same polarity: [(y, sentence)]."""
    import gzip
    p = os.path.join(data, "newsmtsc", "train.jsonl.gz")
    if not os.path.exists(p):
        die_absent(p)
    out = []
    with gzip.open(p, "rt", encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            pol = tuple(sorted(set(int(t["polarity"]) for t in o["targets"])))
            if pol in NEWSMTSC_Y:
                out.append((NEWSMTSC_Y[pol], o["sentence_normalized"]))
    return out


def read_tone_labels(path):
    """{index: tone} from a TSV whose first column is the line (or row) index and last the tone."""
    if not os.path.exists(path):
        die_absent(path)
    want = {}
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            idx, tone = int(parts[0]), parts[-1].strip()
            if idx % 4 == 0:
                raise SystemExit("%s:%d: item %d is in the reserved pool" % (path, ln, idx))
            if tone not in NEWS_Y:
                raise SystemExit("%s:%d: bad tone %r" % (path, ln, tone))
            if idx in want:
                raise SystemExit("%s:%d: item %d is labelled twice" % (path, ln, idx))
            want[idx] = tone
    return want


# ---------------------------------------------------------------- fitting (stdlib linear algebra)

def solve(A, b):
    n = len(b)
    M = [row[:] + [b[i]] for i, row in enumerate(A)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(M[r][c]))
        M[c], M[p] = M[p], M[c]
        if abs(M[c][c]) < 1e-12:
            continue
        for r in range(n):
            if r != c:
                f = M[r][c] / M[c][c]
                for k in range(c, n + 1):
                    M[r][k] -= f * M[c][k]
    return [M[i][n] / M[i][i] if abs(M[i][i]) > 1e-12 else 0.0 for i in range(n)]


def ridge(X, y, lam):
    d = len(X[0])
    A = [[0.0] * d for _ in range(d)]
    b = [0.0] * d
    for x, t in zip(X, y):
        for i in range(d):
            b[i] += x[i] * t
            xi = x[i]
            for j in range(d):
                A[i][j] += xi * x[j]
    for i in range(d - 1):  # no penalty on the bias (last feature)
        A[i][i] += lam
    return solve(A, b)


def pearson(a, b):
    n = len(a)
    ma, mb = sum(a) / n, sum(b) / n
    sab = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    sa = math.sqrt(sum((x - ma) ** 2 for x in a))
    sb = math.sqrt(sum((y - mb) ** 2 for y in b))
    return sab / (sa * sb) if sa and sb else 0.0


def cls(x, lo=-0.05, hi=0.05):
    return 1 if x >= hi else (-1 if x <= lo else 0)


def class_f1(g, p, c):
    """F1 of class c, and how many items have it (gold g) and are given it (p)."""
    tp = sum(1 for a, b in zip(g, p) if a == c and b == c)
    fp = sum(1 for a, b in zip(g, p) if a != c and b == c)
    fn = sum(1 for a, b in zip(g, p) if a == c and b != c)
    pr = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    return (2 * pr * rc / (pr + rc) if pr + rc else 0.0), tp + fn, tp + fp


def macro_f1(g, p):
    return sum(class_f1(g, p, c)[0] for c in (-1, 0, 1)) / 3


def class_report(g, p):
    """Per-class F1 and how many items each class has and is given (negative, neutral, positive)."""
    return "; ".join("%s F1 %.3f (%d gold, %d given)" % ((name,) + class_f1(g, p, c))
                     for c, name in ((-1, "negative"), (0, "neutral"), (1, "positive")))


def gold_cls(y):
    return cls(y, -0.05, 0.05)


def best_thresholds(pred, gold):
    g = [gold_cls(y) for y in gold]
    best = (-1, -0.05, 0.05)
    grid = [x / 100.0 for x in range(0, 31)]
    for lo in grid:
        for hi in grid:
            f = macro_f1(g, [cls(p, -lo, hi) for p in pred])
            if f > best[0]:
                best = (f, -lo, hi)
    return best


def doc_words(toks, need=0, prefix=""):
    """Unigram word keys of a document with weight 1/nsent each (the learned term); need: flags
    a word must also have (tonelib.TITLE: the title's words only), prefix: put before each key."""
    ns = max(1, (toks[-1][2] + 1) if toks else 1)
    d = {}
    for n, fl, _ in toks:
        if fl & tonelib.W and fl & need == need:
            d[prefix + n] = d.get(prefix + n, 0.0) + 1.0 / ns
    return d


def stop_words(rows, k):
    """The k most frequent word tokens over the training rows (counts only, no label), ties by
    word: they get no learned terms (BUILD stop_k)."""
    cnt = {}
    for _, _, ti, t in rows:
        for n, fl, _ in tonelib.tokenize_article(ti, t):
            if fl & tonelib.W:
                cnt[n] = cnt.get(n, 0) + 1
    return set(w for _, w in sorted((-c, w) for w, c in cnt.items())[:k])


def prepare(rows, tab, prm):
    toks = [tonelib.tokenize_article(ti, t) for _, _, ti, t in rows]
    X = [tonelib.features(tonelib.score(tab, tk, prm), prm["alpha"]) for tk in toks]
    D = [doc_words(tk) for tk in toks]
    y = [r for _, r, _, _ in rows]
    return X, D, y


def train(X, D, y, idx, build):
    """The value's weights over the lexicon features and its per-word terms. correction "libsvm":
    a ridge regression over the features, then a libsvm epsilon-SVR (linear kernel) of its
    residuals on the per-word inputs (svr_fit.py), whose bias goes into the ridge's; "ridge"
    (1.0-1.3): backfitting, ridge weights over the features and ridge per-word terms by
    coordinate descent."""
    if build["correction"] == "libsvm":
        wv = ridge([X[i] for i in idx], [y[i] for i in idx], build["ridge"])
        resid = {i: y[i] - sum(a * b for a, b in zip(wv, X[i])) for i in idx}
        u, b = svr_fit.fit_word_terms(D, resid, idx, build["svr_c"], build["svr_eps"], build["word_min"],
                                      skip=build.get("stop", ()))
        wv[-1] += b  # the last feature is the constant 1
        return wv, {w: v for w, v in u.items() if abs(v) >= 1e-4}
    lam_w, lam_u, minc = build["ridge"], build["word_ridge"], build["word_min"]
    cnt = {}
    for i in idx:
        for w in D[i]:
            cnt[w] = cnt.get(w, 0) + 1
    inv = {}
    for i in idx:
        for w, x in D[i].items():
            if cnt[w] >= minc and w not in build.get("stop", ()):
                inv.setdefault(w, []).append((i, x))
    u = {}
    U = {i: 0.0 for i in idx}
    wv = [0.0] * len(X[0])
    for _ in range(build["epochs"] if lam_u > 0 else 1):
        wv = ridge([X[i] for i in idx], [y[i] - U[i] for i in idx], lam_w)
        if lam_u <= 0:
            break
        r = {i: y[i] - sum(a * b for a, b in zip(wv, X[i])) - U[i] for i in idx}
        for w in sorted(inv):
            lst = inv[w]
            old = u.get(w, 0.0)
            num_ = sum(x * (r[i] + x * old) for i, x in lst)
            den = sum(x * x for i, x in lst) + lam_u
            new = num_ / den
            if new != old:
                for i, x in lst:
                    r[i] -= x * (new - old)
                    U[i] += x * (new - old)
                u[w] = new
    return wv, {w: v for w, v in u.items() if abs(v) >= 1e-4}


def predict(wv, u, x, d):
    p = sum(a * b for a, b in zip(wv, x)) + sum(u.get(w, 0.0) * c for w, c in d.items())
    return max(-1.0, min(1.0, p))


def cross_validate(nyt, news, tab, prm, build, extra=(), dev=()):
    """Out-of-fold predictions over 4 folds (NYT: A % 5 = 1..4; news: (line // 4) % 4 + 1).
    extra rows are trained on but not scored (thresholds and figures use nyt and news only);
    dev rows are neither (they are only prepared, for the decision's cross-validation)."""
    extra = list(extra)
    rows = nyt + news + extra + list(dev)
    ntrain = len(rows) - len(dev)
    X, D, y = prepare(rows, tab, prm)
    preds = [0.0] * len(rows)
    for fo in (1, 2, 3, 4):
        tr = [i for i, r in enumerate(rows[:ntrain]) if r[0] != fo]
        te = [i for i, r in enumerate(rows) if r[0] == fo]
        wv, u = train(X, D, y, tr, build)
        for i in te:
            preds[i] = predict(wv, u, X[i], D[i])
    n = len(nyt)
    preds = preds[:n + len(news)]
    # texts without a title (the NYT snippets) and articles with one (news) get their own thresholds
    fa, lo_u, hi_u = best_thresholds(preds[:n], y[:n])
    fb, lo, hi = best_thresholds(preds[n:], y[n:n + len(news)]) if news else (0.0, lo_u, hi_u)
    return dict(r=pearson(preds[:n], y[:n]), f1=(fa + fb) / 2, f1_nyt=fa, f1_news=fb, lo=lo, hi=hi,
                lo_untitled=lo_u, hi_untitled=hi_u,
                r_lex=pearson([x[0] for x in X[:n]], y[:n])), (X, D, y)


# ---------------------------------------------------------------- the 3-class decision

def class_dense(fv, titled):
    """Dense inputs of the decision: the class features without the bias, the titled flag and
    the features again times the flag, then the bias (so each kind of text has its own weights)."""
    f = fv[:-1]
    t = 1.0 if titled else 0.0
    return f + [t] + [t * v for v in f] + [1.0]


def split_dense(wrow):
    """Untitled and titled weight vectors (tonelib.CLASS_FEATURE_NAMES order) of a class_dense row."""
    n = (len(wrow) - 2) // 2
    base, wt, inter, bias = wrow[:n], wrow[n], wrow[n + 1:2 * n + 1], wrow[-1]
    return base + [bias], [a + b for a, b in zip(base, inter)] + [bias + wt]


def lr_train(Fd, SP, gold, idx, lam_d, lam_s, epochs, lr=0.5, seed=1, wt=None):
    """Multinomial logistic regression (3 classes) by Adagrad SGD with L2 penalties lam_d (dense,
    not the bias) and lam_s (sparse per-word terms); wt: optional per-row weights of the loss.
    Returns (dense weights [3][d], {word: [3]})."""
    import random
    K, nd, n = 3, len(Fd[idx[0]]), len(idx)
    wd = [[0.0] * nd for _ in range(K)]
    gd = [[1e-8] * nd for _ in range(K)]
    ws, gs = {}, {}
    order = list(idx)
    rnd = random.Random(seed)
    for _ in range(epochs):
        rnd.shuffle(order)
        for i in order:
            fd, sp = Fd[i], SP[i]
            z = [sum(a * b for a, b in zip(wd[k], fd)) for k in range(K)]
            for w, v in sp.items():
                e = ws.get(w)
                if e:
                    for k in range(K):
                        z[k] += e[k] * v
            m = max(z)
            ez = [math.exp(a - m) for a in z]
            se = sum(ez)
            g = [ez[k] / se - (1.0 if k == gold[i] else 0.0) for k in range(K)]
            if wt is not None:
                g = [a * wt[i] for a in g]
            for k in range(K):
                row, grow, gk = wd[k], gd[k], g[k]
                for j in range(nd):
                    gj = gk * fd[j] + (lam_d * row[j] / n if j < nd - 1 else 0.0)
                    grow[j] += gj * gj
                    row[j] -= lr * gj / math.sqrt(grow[j])
            for w, v in sp.items():
                e = ws.get(w)
                if e is None:
                    e = ws[w] = [0.0] * K
                    gs[w] = [1e-8] * K
                ge = gs[w]
                for k in range(K):
                    gk = g[k] * v + lam_s * e[k] / n
                    ge[k] += gk * gk
                    e[k] -= lr * gk / math.sqrt(ge[k])
    return wd, ws


def to_reference(wd, ws, prune):
    """Neutral as the reference class: dense (negative, positive) rows and per-word
    (negative, positive) terms, rounded to 4 decimals, |w| < 3.2767; words whose terms are both
    under prune are dropped."""
    def q(x):
        return round(max(-3.2767, min(3.2767, x)), 4)
    dn = [q(a - b) for a, b in zip(wd[0], wd[1])]
    dp = [q(a - b) for a, b in zip(wd[2], wd[1])]
    words = {}
    for w, e in ws.items():
        a, b = q(e[0] - e[1]), q(e[2] - e[1])
        if max(abs(a), abs(b)) >= prune:
            words[w] = (a, b)
    return (dn, dp), words


def decide(model, fd, sp):
    """Class index (0 negative, 1 neutral, 2 positive) and scores of a reference-class model."""
    (dn, dp), words = model
    zn = sum(a * b for a, b in zip(dn, fd))
    zp = sum(a * b for a, b in zip(dp, fd))
    for w, v in sp.items():
        e = words.get(w)
        if e:
            zn += e[0] * v
            zp += e[1] * v
    z = (zn, 0.0, zp)
    return max(range(3), key=lambda k: z[k]), z


def average_models(runs):
    """The mean of the dense weights and of the per-word terms (absent = 0) of several lr_train runs."""
    k = len(runs)
    wd = [[sum(r[0][c][j] for r in runs) / k for j in range(len(runs[0][0][c]))] for c in range(3)]
    ws = {}
    for r in runs:
        for w, e in r[1].items():
            t = ws.setdefault(w, [0.0, 0.0, 0.0])
            for c in range(3):
                t[c] += e[c] / k
    return wd, ws


def fit_decision(Fd, SP, gold, idx, cls, wt=None, Fd2=None, wt2=None):
    """The two decision models trained on rows idx: dense only, and dense + per-word terms; each
    the average of cls["avg"] runs with seeds seed, seed + 1, ...; wt: optional row weights;
    Fd2: other dense inputs for the second model (default Fd); wt2: the second model's row
    weights when they differ from wt."""
    nosp = [{} for _ in SP]
    seeds = [cls["seed"] + a for a in range(cls["avg"])]
    m1 = average_models([lr_train(Fd, nosp, gold, idx, cls["lam_dense"], 0.0, cls["epochs_dense"],
                                  cls["lr_dense"], sd, wt) for sd in seeds])
    m2 = average_models([lr_train(Fd if Fd2 is None else Fd2, SP, gold, idx, cls["lam_dense"], cls["lam_words"],
                                  cls["epochs"], cls["lr"], sd, wt if wt2 is None else wt2) for sd in seeds])
    return to_reference(*m1, cls["prune"]), to_reference(*m2, cls["prune"])


def fit_table(tab, D, max_keys):
    """Drop learned-only ('w') keys until tab has at most max_keys keys: the words in the fewest
    training documents first (one document, then two, ...), and among those the smallest
    largest |term| first (until 1.6 only words of one document had to go). Returns how many
    were dropped and the largest document count among them."""
    if len(tab) <= max_keys:
        return 0, 0
    df = {}
    for d in D:
        for w in d:
            df[w] = df.get(w, 0) + 1
    cand = sorted((df[k], max(abs(x) for x in e[2:]), k) for k, e in tab.items()
                  if e[0] == "w" and df.get(k, 0) >= 1)
    drop = cand[:len(tab) - max_keys]
    if len(tab) - len(drop) > max_keys:
        raise SystemExit("build_model.py: %d table keys, more than max_keys %d even without every learned-only word"
                         % (len(tab) - len(drop), max_keys))
    for _, _, k in drop:
        del tab[k]
    return len(drop), drop[-1][0]


def decision_inputs(S, titled, prm, D):
    """Dense inputs and per-word inputs of the decision; words in fewer than BUILD["word_min"] of
    the documents get no term (the count is over all training rows and uses no label)."""
    Fd = [class_dense(tonelib.class_features(f, prm["alpha"]), t) for f, t in zip(S, titled)]
    df = {}
    for d in D:
        for w in d:
            df[w] = df.get(w, 0) + 1
    minc, stop = BUILD["word_min"], BUILD.get("stop", ())
    return Fd, [{w: x for w, x in d.items() if df[w] >= minc and w not in stop} for d in D]


def cross_validate_decision(S, D, y, folds, titled, group, prm, cls, wt=None, keep=None, vec=None,
                            senti_only=False, wt2=None):
    """4-fold out-of-fold classes: untitled rows by the dense model, titled rows by the one with
    word terms. Macro-F1 on the rows of each group (group[i]: "nyt" for NYT snippets, "news" for
    recent-news-train, "dev" for the team's labels when scored, None: not scored), with
    argmax and with the class offsets (added to the negative and positive scores) that maximise
    it on these out-of-fold scores. keep: when given, only these rows are trained on (all rows
    are still scored). vec: (word vectors, dimension, scale) of embed.py: each row's document
    vector times scale becomes extra dense inputs of the model with word terms."""
    Fd, SP = decision_inputs(S, titled, prm, D)
    Fd2 = Fd
    if vec is not None:
        wv, dim, scale = vec
        Fd2 = [f[:-1] + [scale * a for a in embed.doc_vector(sp, wv, dim)] + [f[-1]] for f, sp in zip(Fd, SP)]
    gold = [gold_cls(v) + 1 for v in y]
    z = [(0.0, 0.0, 0.0)] * len(y)
    for fo in (1, 2, 3, 4):
        tr = [i for i in range(len(y)) if folds[i] != fo and (keep is None or i in keep)]
        m1, m2 = fit_decision(Fd, SP, gold, tr, cls, wt, Fd2, wt2)
        for i in range(len(y)):
            if folds[i] == fo:
                z[i] = decide(m2, Fd2[i], SP[i])[1] if titled[i] else decide(m1, Fd[i], {})[1]
    out = {"scores": [t[:3] for t in z]}
    grid = [x / 10.0 for x in range(-10, 11)]
    if senti_only:
        # the offsets move only rows with a sentiment word (no_sentiment 0)
        jn = tonelib.CLASS_FEATURE_NAMES.index("no_sentiment")
        z = [(a, b, c, 1.0 - Fd[i][jn]) for i, (a, b, c) in enumerate(z)]
    else:
        z = [(a, b, c, 1.0) for a, b, c in z]
    for name in ("nyt", "news", "dev", "agnews"):
        ii = [i for i in range(len(y)) if group[i] == name]
        if not ii:
            continue
        g = [gold[i] - 1 for i in ii]

        def f1_at(a, b):
            return macro_f1(g, [max(range(3), key=lambda k: (z[i][0] + a * z[i][3], 0.0, z[i][2] + b * z[i][3])[k]) - 1 for i in ii])
        best = max(((f1_at(a, b), -abs(a) - abs(b), a, b) for a in grid for b in grid))
        out[name] = f1_at(0.0, 0.0)
        out[name + "_classes"] = class_report(g, [max(range(3), key=lambda k: z[i][k]) - 1 for i in ii])
        out[name + "_tuned"], out[name + "_off"] = best[0], (best[2], best[3])
        # the same offsets chosen without the rows they are applied to: for each fold, the
        # offsets that maximise macro-F1 on the other three folds' out-of-fold scores
        pred = {}
        for fo in (1, 2, 3, 4):
            rest = [i for i in ii if folds[i] != fo]
            gr = [gold[i] - 1 for i in rest]
            _, _, a_, b_ = max((macro_f1(gr, [max(range(3), key=lambda k: (z[i][0] + a * z[i][3], 0.0, z[i][2] + b * z[i][3])[k]) - 1
                                              for i in rest]), -abs(a) - abs(b), a, b) for a in grid for b in grid)
            for i in ii:
                if folds[i] == fo:
                    pred[i] = max(range(3), key=lambda k: (z[i][0] + a_ * z[i][3], 0.0, z[i][2] + b_ * z[i][3])[k]) - 1
        out[name + "_nested"] = macro_f1(g, [pred[i] for i in ii])
    return out


def write_oof(path, rows, group, folds, y, scores):
    """The --oof file: one JSON object per row of the decision's cross-validation."""
    with open(path, "w", encoding="utf-8") as f:
        for (_, _, ti, t), g, fo, v, z in zip(rows, group, folds, y, scores):
            f.write(json.dumps({"set": g or "train", "fold": fo, "gold": gold_cls(v), "scores": list(z),
                                "title": ti, "text": t}) + "\n")
    print("out-of-fold decision scores of %d rows written to %s" % (len(rows), path))


def apply_offsets(model, off, senti=False):
    """Add the class offsets to the bias terms of a reference-class model (its dense rows end in
    the bias). senti: only for texts with a sentiment word, i.e. also subtract them from the
    titled weight of the no_sentiment feature (1 when a text has none), so such texts keep
    their scores (the model must be one used for titled text only)."""
    (dn, dp), words = model
    dn, dp = list(dn), list(dp)
    dn[-1] = round(dn[-1] + off[0], 4)
    dp[-1] = round(dp[-1] + off[1], 4)
    if senti:
        # class_dense(): base features, titled flag, features x flag, bias
        j = (len(dn) - 2) // 2 + 1 + tonelib.CLASS_FEATURE_NAMES.index("no_sentiment")
        dn[j] = round(dn[j] - off[0], 4)
        dp[j] = round(dp[j] - off[1], 4)
    return (dn, dp), words


def write_correction(path, prm, w, cv, n, nnews, decision=None, dcv=None, ndec=0, nag=0):
    lo, hi = cv["lo"], cv["hi"]
    with open(path, "w", encoding="utf-8") as f:
        f.write("nttone-correction 1\n")
        f.write("# generated by plugins/tone/build_model.py: ridge regression of rating/4 on lexicon\n")
        f.write("# features (+ per-word terms in lexicon.tsv: %s), fitted on %d non-reserved NYT editorial\n"
                % ("libsvm epsilon-SVR of its residuals" if BUILD["correction"] == "libsvm" else "ridge", n))
        f.write("# snippets and %d non-reserved hand-labelled recent-news items. 4-fold CV: NYT r %.3f,\n"
                % (nnews, cv["r"]))
        f.write("# NYT macro-F1 %.3f (untitled thresholds), news macro-F1 %.3f (titled) below.\n"
                % (cv["f1_nyt"], cv["f1_news"]))
        for k in ("neg_scalar", "neg_window", "caps_incr", "excl_incr", "contrast_pre", "contrast_post",
                  "concede", "name_damp", "alpha"):
            f.write("param %s %.6g\n" % (k, prm[k]))
        f.write("param boost_decay1 %.6g\nparam boost_decay2 %.6g\n" % (prm["boost_decay"][1],
                                                                         prm["boost_decay"][2]))
        f.write("features %d\n" % len(w))
        for name, v in zip(tonelib.FEATURE_NAMES, w):
            f.write("weight %s %.8f\n" % (name, v))
        f.write("# thresholds for articles with a title (fitted on news), then for untitled text (NYT)\n")
        f.write("threshold negative %.4f\nthreshold positive %.4f\n" % (lo, hi))
        f.write("threshold negative_untitled %.4f\nthreshold positive_untitled %.4f\n"
                % (cv["lo_untitled"], cv["hi_untitled"]))
        if decision:
            m1, m2 = decision
            f.write("# 3-class decision (replaces the thresholds): multinomial logistic regression,\n")
            f.write("# neutral = 0, class = argmax; untitled text: dense features only; titled articles:\n")
            f.write("# dense features + the per-word terms of lexicon.tsv (columns 5, 6) / sentences.\n")
            f.write("# Trained on the %d NYT snippets and %d hand-labelled recent-news items%s.\n"
                    % (n, ndec, " and %d AG News items" % nag if nag else ""))
            f.write("# 4-fold CV macro-F1 (non-reserved): NYT %.4f, news %.4f (argmax); with the class\n"
                    "# offsets that maximise it on those out-of-fold scores: NYT %.4f, news %.4f\n"
                    % (dcv["nyt"], dcv["news"], dcv["nyt_tuned"], dcv["news_tuned"]))
            if "dev" in dcv:
                f.write("# the team's labels picked like the evaluation set (%s): %.4f (argmax),\n"
                        "# %.4f with the offsets %+.1f %+.1f that maximise it, %.4f with offsets chosen on\n"
                        "# three folds and applied to the fourth\n"
                        % (", ".join(DEV_SCORED), dcv["dev"], dcv["dev_tuned"], dcv["dev_off"][0],
                           dcv["dev_off"][1], dcv["dev_nested"]))
            f.write("# offsets: %s\n" % {"dev": "the team's labels' offsets, folded into the titled biases",
                                          "dev-sentiment": "the team's labels' offsets (chosen and applied for "
                                                           "titled texts with a sentiment word only), folded into "
                                                           "the titled biases and no_sentiment weights",
                                          "all": "folded into the biases"}.get(CLS["offsets"],
                                                                               "not used: label = argmax"))
            f.write("param words_untitled 0\n")
            for kind, model in (("untitled", m1), ("titled", m2)):
                rows = [split_dense(r)[0 if kind == "untitled" else 1] for r in model[0]]
                for cname, row in zip(("negative", "positive"), rows):
                    for fname, v in zip(tonelib.CLASS_FEATURE_NAMES, row):
                        f.write("class %s %s %s %.4f\n" % (kind, cname, fname, v))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(HERE, "..", "..", "..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "..", "models", "tone"))
    ap.add_argument("--labels", default=os.path.join(HERE, "..", "..", "..", "shared", "labels",
                                                     "recent-news-train.tsv"))
    ap.add_argument("--extra", default=",".join(os.path.join(HERE, f) for f in EXTRA_LABELS),
                    help="the team's own extra tone labels (training only), comma-separated files; "
                         "'' for none")
    ap.add_argument("--news-fraction", type=float, default=1.0, metavar="F",
                    help="--cv only: train the decision on a random share F of the news rows (a learning "
                         "curve; every row is still scored)")
    ap.add_argument("--embed", type=int, default=0, metavar="DIM",
                    help="--cv only: word vectors of DIM dimensions (embed.py, several minutes) as extra "
                         "inputs of the titled decision")
    ap.add_argument("--embed-cache", metavar="FILE",
                    help="keep the word vectors in FILE (JSON): read them from it when it exists, else "
                         "compute and write it (the vectors depend only on the data and DIM)")
    ap.add_argument("--embed-scale", type=float, default=2.0, metavar="S",
                    help="--cv only: the scale of those inputs")
    ap.add_argument("--agnews", default=",".join(os.path.join(HERE, f) for f in AGNEWS_LABELS), metavar="FILES",
                    help="the team's tone labels of non-reserved AG News test rows (the decision's training; "
                         "scored out of fold as 'agnews' in --cv), comma-separated files; '' for none")
    ap.add_argument("--dev", default="", metavar="FILES",
                    help="--cv only: the team's labels (comma-separated files, format of --extra) scored "
                         "out of fold as a third set, 'dev', and never trained on")
    ap.add_argument("--dev-train", action="store_true",
                    help="--cv only: train on the --dev rows too (each fold on the other three folds' rows)")
    ap.add_argument("--dev-fraction", type=float, default=1.0, metavar="F",
                    help="--cv --dev-train only: train on a random share F of the --dev rows (a learning "
                         "curve; every --dev row is still scored)")
    ap.add_argument("--offsets-senti", action="store_true",
                    help="--cv only: the class offsets move only texts with a sentiment word")
    ap.add_argument("--silver-weight", type=float, default=1.0, metavar="W",
                    help="exploration (--cv): the silver news rows' weight in the decision's loss")
    ap.add_argument("--nyt-word-weight", type=float, default=1.0, metavar="W",
                    help="exploration (--cv): the NYT rows' weight in the loss of the decision with word terms")
    ap.add_argument("--positive-weight", type=float, default=1.0, metavar="W",
                    help="exploration (--cv): the weight of titled rows labelled positive in the decision's loss")
    ap.add_argument("--title-words", action="store_true",
                    help="exploration (--cv): title words get decision terms of their own too")
    ap.add_argument("--oof", metavar="FILE",
                    help="--cv only: write each row's out-of-fold decision scores to FILE (JSON lines: set, "
                         "fold, gold class, negative / neutral / positive scores, title, text), the input "
                         "of tests/bench/tone_text_stack.py")
    ap.add_argument("--seed", type=int, default=CLS["seed"],
                    help="first seed of the decision's averaged runs (CV and model)")
    ap.add_argument("--cv", action="store_true", help="print 4-fold CV on non-reserved items only")
    ap.add_argument("--newsmtsc", type=float, default=0.0, metavar="W",
                    help="--cv only: add the NewsMTSC train sentences to the decision's training, weight W")
    ap.add_argument("--word-min", type=int, default=BUILD["word_min"],
                    help="learned terms only for words in at least this many training rows")
    ap.add_argument("--stop-k", type=int, default=BUILD["stop_k"],
                    help="no learned terms for the K most frequent words of the training rows")
    ap.add_argument("--lam-words", type=float, default=CLS["lam_words"], metavar="L",
                    help="L2 penalty of the decision's per-word terms")
    ap.add_argument("--word-epochs", type=int, default=CLS["epochs"], metavar="N",
                    help="epochs of the decision with word terms")
    ap.add_argument("--no-decision", action="store_true", help="thresholds on the value only (the 1.0 model)")
    ap.add_argument("--correction", choices=("libsvm", "ridge"), default=BUILD["correction"],
                    help="how the value's per-word terms are fitted (see train())")
    a = ap.parse_args()
    BUILD["word_min"], BUILD["stop_k"], BUILD["correction"] = a.word_min, a.stop_k, a.correction
    CLS["lam_words"] = a.lam_words
    CLS["epochs"] = a.word_epochs
    CLS["seed"] = a.seed
    if (a.news_fraction < 1.0 or a.embed or a.dev or a.dev_train or a.title_words or a.silver_weight != 1.0
            or a.nyt_word_weight != 1.0 or a.positive_weight != 1.0 or a.oof) and not a.cv:
        raise SystemExit("build_model.py: --news-fraction, --embed, --dev, --dev-train, --title-words, --silver-weight, "
                         "--nyt-word-weight, --positive-weight and --oof are for --cv only")
    data = os.path.normpath(a.data)
    if not os.path.isdir(data):
        die_absent(data)
    prm = dict(DEFAULT_PARAMS)
    tab, src = build_table(data, a.out, BUILD)
    nyt = read_nyt(data)
    extra_files = [f for f in a.extra.split(",") if f]
    dev_files = [f for f in a.dev.split(",") if f]
    news, extra, origin = read_news(data, a.labels, extra_files + dev_files) if BUILD["use_news"] else ([], [], [])
    dev_paths = set(dev_files)
    dev = [r for r, o in zip(extra, origin) if o in dev_paths]
    # the extra rows the value's regression uses, then those only the decision uses
    extra_origin = [o for o in origin if o not in dev_paths and os.path.basename(o) not in DECISION_ONLY]
    extra_origin += [o for o in origin if o not in dev_paths and os.path.basename(o) in DECISION_ONLY]
    extra_v = [r for r, o in zip(extra, origin) if o not in dev_paths and os.path.basename(o) not in DECISION_ONLY]
    extra_d = [r for r, o in zip(extra, origin) if o not in dev_paths and os.path.basename(o) in DECISION_ONLY]
    # the team's AG News rows: the decision's only, after the recent-news ones
    ag_paths = [f for f in a.agnews.split(",") if f]
    nag = 0
    for path in ag_paths:
        ag = read_agnews(data, path)
        extra_d += ag
        extra_origin += [path] * len(ag)
        nag += len(ag)
    extra = extra_v + extra_d
    BUILD["stop"] = stop_words(nyt + news + extra, BUILD["stop_k"])
    rows = nyt + news + extra + dev
    cv, (X, D, y) = cross_validate(nyt, news, tab, prm, BUILD, extra_v, extra_d + dev)
    if BUILD["stop"]:
        print("no learned terms for the %d most frequent words: %s" % (BUILD["stop_k"], " ".join(sorted(BUILD["stop"]))))
    print("4-fold CV: NYT non-reserved r %.4f macro-F1 %.4f; news non-reserved macro-F1 %.4f "
          "(thresholds: untitled %.2f %.2f, titled %.2f %.2f); lexicon feature alone on NYT: r %.4f"
          % (cv["r"], cv["f1_nyt"], cv["f1_news"], cv["lo_untitled"], cv["hi_untitled"], cv["lo"], cv["hi"],
             cv["r_lex"]), flush=True)
    decision = dcv = None
    if not a.no_decision:
        S = [tonelib.score(tab, tonelib.tokenize_article(ti, t), prm) for _, _, ti, t in rows]
        titled = [r[2] is not None for r in rows]
        folds = [r[0] for r in rows]
        group = (["nyt"] * len(nyt) + ["news"] * len(news)
                 + [("dev" if os.path.basename(o) in DEV_SCORED else "agnews" if o in ag_paths else None)
                    for o in extra_origin]
                 + ["dev"] * len(dev))
        if a.newsmtsc:
            # exploration only (--cv): NewsMTSC sentences as extra untitled decision rows, trained
            # on in every fold (fold 0), never scored, their loss weighted by --newsmtsc
            mt = read_newsmtsc(data)
            toks = [tonelib.tokenize(t) for _, t in mt]
            S2, D2 = S + [tonelib.score(tab, tk, prm) for tk in toks], D + [doc_words(tk) for tk in toks]
            wt = [1.0] * len(rows) + [a.newsmtsc] * len(mt)
            dcv = cross_validate_decision(S2, D2, y + [v for v, _ in mt], folds + [0] * len(mt),
                                          titled + [False] * len(mt), group + [None] * len(mt), prm, CLS, wt)
            print("with %d NewsMTSC sentences at weight %g:" % (len(mt), a.newsmtsc))
        else:
            keep = None
            if dev and not a.dev_train:
                keep = set(range(len(rows) - len(dev)))
            elif dev and a.dev_fraction < 1.0:
                rnd = random.Random(1001)
                keep = set(range(len(rows) - len(dev))) | {
                    i for i in range(len(rows) - len(dev), len(rows)) if rnd.random() < a.dev_fraction}
                print("decision trained on %d of the %d --dev rows (--dev-fraction %g)"
                      % (len(keep) - (len(rows) - len(dev)), len(dev), a.dev_fraction))
            if a.news_fraction < 1.0:
                rnd = random.Random(1000)
                keep = {i for i in (keep if keep is not None else range(len(y)))
                        if not titled[i] or rnd.random() < a.news_fraction}
                print("decision trained on %d of the %d news rows (--news-fraction %g)"
                      % (sum(1 for i in keep if titled[i]), sum(titled), a.news_fraction))
            vec = None
            if a.embed:
                vec = (embed.cached_vectors(data, a.embed, a.embed_cache), a.embed, a.embed_scale)
                print("word vectors: %d words, %d dimensions, scale %g" % (len(vec[0]), a.embed, a.embed_scale),
                      flush=True)
            Dd = D
            if a.title_words:
                Dd = []
                for d, (_, _, ti, t) in zip(D, rows):
                    d2 = dict(d)
                    if ti is not None:
                        d2.update(doc_words(tonelib.tokenize_article(ti, t), tonelib.TITLE, "T:"))
                    Dd.append(d2)
            wt = wt2 = None
            if a.silver_weight != 1.0 or a.nyt_word_weight != 1.0 or a.positive_weight != 1.0:
                wt = [(a.silver_weight if g == "news" else 1.0) * (a.positive_weight if t and gold_cls(v) > 0 else 1.0)
                      for g, t, v in zip(group, titled, y)]
                wt2 = [a.nyt_word_weight if g == "nyt" else w for g, w in zip(group, wt)]
                print("decision row weights: silver news %g, NYT in the word model %g, titled positive rows %g"
                      % (a.silver_weight, a.nyt_word_weight, a.positive_weight))
            dcv = cross_validate_decision(S, Dd, y, folds, titled, group, prm, CLS, wt=wt, wt2=wt2, keep=keep, vec=vec,
                                          senti_only=a.offsets_senti or CLS["offsets"] == "dev-sentiment")
            if a.oof:
                write_oof(a.oof, rows, group, folds, y, dcv["scores"])
        print("4-fold CV of the 3-class decision: NYT non-reserved macro-F1 %.4f (with class offsets %+.1f %+.1f: "
              "%.4f); news non-reserved macro-F1 %.4f (with offsets %+.1f %+.1f: %.4f)"
              % (dcv["nyt"], dcv["nyt_off"][0], dcv["nyt_off"][1], dcv["nyt_tuned"], dcv["news"],
                 dcv["news_off"][0], dcv["news_off"][1], dcv["news_tuned"]), flush=True)
        print("  offsets chosen on the other three folds only: NYT %.4f, news %.4f"
              % (dcv["nyt_nested"], dcv["news_nested"]), flush=True)
        for name in ("nyt", "news", "dev", "agnews"):
            if name + "_classes" in dcv:
                print("  %s by class: %s" % (name, dcv[name + "_classes"]), flush=True)
        for name, what in (("dev", "the team's labels"), ("agnews", "the team's AG News labels")):
            if name in dcv:
                print("  %s (%s, %d items): macro-F1 %.4f (with offsets %+.1f %+.1f: %.4f; "
                      "offsets chosen on the other three folds only: %.4f)"
                      % (name, what, sum(1 for g in group if g == name), dcv[name], dcv[name + "_off"][0],
                         dcv[name + "_off"][1], dcv[name + "_tuned"], dcv[name + "_nested"]), flush=True)
    if a.cv:
        return
    if a.newsmtsc:
        raise SystemExit("build_model.py: --newsmtsc is for --cv only (it lowered both figures)")
    wv, u = train(X, D, y, list(range(len(nyt) + len(news) + len(extra_v))), BUILD)
    for w, v in u.items():
        if w in tab:
            tab[w] = (tab[w][0], tab[w][1], v)
        elif abs(v) >= BUILD["min_learned"]:
            tab[w] = ("w", 0.0, v)  # words with only a tiny learned term are left out (table size)
    if not a.no_decision:
        Fd, SP = decision_inputs(S, titled, prm, D)
        gold = [gold_cls(v) + 1 for v in y]
        m1, m2 = fit_decision(Fd, SP, gold, list(range(len(rows))), CLS)
        # the offsets fitted on the out-of-fold scores: untitled text (model 1), titled (model 2);
        # the bias is the last dense input, shared by both kinds of text in class_dense(), so
        # each model's offset goes into it and only that model's own kind of text uses it
        if CLS["offsets"] == "dev-sentiment" and "dev" in dcv:
            decision = (m1, apply_offsets(m2, dcv["dev_off"], senti=True))
        elif CLS["offsets"] == "dev" and "dev" in dcv:
            decision = (m1, apply_offsets(m2, dcv["dev_off"]))
        elif CLS["offsets"] == "all":
            decision = (apply_offsets(m1, dcv["nyt_off"]), apply_offsets(m2, dcv["news_off"]))
        else:
            decision = (m1, m2)
        for w, (cn, cp) in decision[1][1].items():
            k, v, lu = tab.get(w, ("w", 0.0, 0.0))[:3]
            tab[w] = (k, v, lu, cn, cp)
    dropped, dropped_df = fit_table(tab, D, BUILD["max_keys"])
    write_table(tab, src, os.path.join(a.out, "lexicon.tsv"))
    write_correction(os.path.join(a.out, "correction.txt"), prm, wv, cv, len(nyt), len(news) + len(extra_v),
                     decision, dcv, len(news) + len(extra) - nag, nag)
    print("wrote lexicon.tsv (%d keys, %d learned word terms, %d decision word terms; %d learned-only words "
          "seen in at most %d training documents left out) and correction.txt"
          % (len(tab), len(u), len(decision[1][1]) if decision else 0, dropped, dropped_df))


if __name__ == "__main__":
    main()
