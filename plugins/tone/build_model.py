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
    models/tone/lexicon.tsv                   'nttone 1' table: key<TAB>kind<TAB>value
    models/tone/correction.txt                'nttone-correction 1': rule parameters, linear
                                              weights over lexicon features, label thresholds
The correction is a ridge regression of rating/4 on the features of tonelib.features(), fitted
here in Python (stdlib only) on the non-reserved NYT snippets; the thresholds maximise 3-class
macro-F1 on the same non-reserved snippets. Reserved articles (A % 5 == 0) are never read.
"""
import argparse
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tonelib  # noqa: E402

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
BUILD = dict(afinn_scale=0.8, afinn_mode="fill", inflect=True, ridge=1.0, word_ridge=40.0, word_min=1,
             epochs=15, min_learned=0.003, use_news=True)


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
        f.write("# The 4th column (when present) is the learned per-word correction. See models/tone/README.md.\n")
        for k in sorted(tab):
            kind, v, u = tab[k]
            line = "%s\t%s\t%s" % (k, kind, num(v))
            if u != 0:
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


def read_news(data, labels, extra=None):
    """Non-reserved recent-news items with a hand label: rows (fold, y, title, text), then the
    rows of `extra` (the team's own labels, same format) as a second list."""
    p = os.path.join(data, "recent-news", "rumca-rss-2022-2023.jsonl")
    if not os.path.exists(p):
        die_absent(p)
    if not os.path.exists(labels):
        die_absent(labels)
    want = read_tone_labels(labels)
    more = read_tone_labels(extra) if extra else {}
    for i in more:
        if i in want:
            raise SystemExit("%s: line %d is also in %s" % (extra, i, labels))
    rows, rows2 = [], []
    with open(p, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i in want or i in more:
                o = json.loads(line)
                tone = want.get(i) or more[i]
                (rows if i in want else rows2).append(((i // 4) % 4 + 1, NEWS_Y[tone], o["title"], o["text"]))
    return rows, rows2


def read_tone_labels(path):
    """{line index: tone} from a TSV whose first column is the line index and last the tone."""
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
                raise SystemExit("%s:%d: line %d is in the reserved pool" % (path, ln, idx))
            if tone not in NEWS_Y:
                raise SystemExit("%s:%d: bad tone %r" % (path, ln, tone))
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


def macro_f1(g, p):
    fs = []
    for c in (-1, 0, 1):
        tp = sum(1 for a, b in zip(g, p) if a == c and b == c)
        fp = sum(1 for a, b in zip(g, p) if a != c and b == c)
        fn = sum(1 for a, b in zip(g, p) if a == c and b != c)
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        fs.append(2 * pr * rc / (pr + rc) if pr + rc else 0.0)
    return sum(fs) / 3


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


def doc_words(toks):
    """Unigram word keys of a document with weight 1/nsent each (the learned term)."""
    ns = max(1, (toks[-1][2] + 1) if toks else 1)
    d = {}
    for n, fl, _ in toks:
        if fl & tonelib.W:
            d[n] = d.get(n, 0.0) + 1.0 / ns
    return d


def prepare(rows, tab, prm):
    toks = [tonelib.tokenize_article(ti, t) for _, _, ti, t in rows]
    X = [tonelib.features(tonelib.score(tab, tk, prm), prm["alpha"]) for tk in toks]
    D = [doc_words(tk) for tk in toks]
    y = [r for _, r, _, _ in rows]
    return X, D, y


def train(X, D, y, idx, build):
    """Backfitting: ridge weights over features + ridge per-word terms (coordinate descent)."""
    lam_w, lam_u, minc = build["ridge"], build["word_ridge"], build["word_min"]
    cnt = {}
    for i in idx:
        for w in D[i]:
            cnt[w] = cnt.get(w, 0) + 1
    inv = {}
    for i in idx:
        for w, x in D[i].items():
            if cnt[w] >= minc:
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


def cross_validate(nyt, news, tab, prm, build, extra=()):
    """Out-of-fold predictions over 4 folds (NYT: A % 5 = 1..4; news: (line // 4) % 4 + 1).
    extra rows are trained on but not scored (thresholds and figures use nyt and news only)."""
    extra = list(extra)
    rows = nyt + news + extra
    X, D, y = prepare(rows, tab, prm)
    preds = [0.0] * len(rows)
    for fo in (1, 2, 3, 4):
        tr = [i for i, r in enumerate(rows) if r[0] != fo]
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


def write_correction(path, prm, w, cv, n, nnews):
    lo, hi = cv["lo"], cv["hi"]
    with open(path, "w", encoding="utf-8") as f:
        f.write("nttone-correction 1\n")
        f.write("# generated by plugins/tone/build_model.py: ridge regression of rating/4 on lexicon\n")
        f.write("# features (+ per-word terms in lexicon.tsv), fitted on %d non-reserved NYT editorial\n" % n)
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(HERE, "..", "..", "..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "..", "models", "tone"))
    ap.add_argument("--labels", default=os.path.join(HERE, "..", "..", "..", "shared", "labels",
                                                     "recent-news-train.tsv"))
    ap.add_argument("--extra", default=os.path.join(HERE, "news-tone-extra.tsv"),
                    help="the team's own extra tone labels (training only); '' for none")
    ap.add_argument("--cv", action="store_true", help="print 4-fold CV on non-reserved items only")
    a = ap.parse_args()
    data = os.path.normpath(a.data)
    if not os.path.isdir(data):
        die_absent(data)
    prm = dict(DEFAULT_PARAMS)
    tab, src = build_table(data, a.out, BUILD)
    nyt = read_nyt(data)
    news, extra = read_news(data, a.labels, a.extra) if BUILD["use_news"] else ([], [])
    rows = nyt + news + extra
    cv, (X, D, y) = cross_validate(nyt, news, tab, prm, BUILD, extra)
    print("4-fold CV: NYT non-reserved r %.4f macro-F1 %.4f; news non-reserved macro-F1 %.4f "
          "(thresholds: untitled %.2f %.2f, titled %.2f %.2f); lexicon feature alone on NYT: r %.4f"
          % (cv["r"], cv["f1_nyt"], cv["f1_news"], cv["lo_untitled"], cv["hi_untitled"], cv["lo"], cv["hi"],
             cv["r_lex"]))
    if a.cv:
        return
    wv, u = train(X, D, y, list(range(len(rows))), BUILD)
    for w, v in u.items():
        if w in tab:
            tab[w] = (tab[w][0], tab[w][1], v)
        elif abs(v) >= BUILD["min_learned"]:
            tab[w] = ("w", 0.0, v)  # words with only a tiny learned term are left out (table size)
    write_table(tab, src, os.path.join(a.out, "lexicon.tsv"))
    write_correction(os.path.join(a.out, "correction.txt"), prm, wv, cv, len(nyt), len(news) + len(extra))
    print("wrote lexicon.tsv (%d keys, %d learned word terms) and correction.txt" % (len(tab), len(u)))


if __name__ == "__main__":
    main()
