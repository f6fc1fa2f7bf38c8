"""embed.py - word vectors from unlabelled NON-reserved news text (PPMI + truncated SVD, stdlib only).

Used by build_model.py --embed (cross-validation only, for now): a document's vector is the sum of
its words' vectors with the weights of the decision's word terms, an extra dense input of the
titled model. Because the decision is linear, the weights it learns on that vector are per-word
terms (w . vector(word)) the plugin could ship in lexicon.tsv unchanged.

Text read (never a reserved pool of DESIGN.md, not even unlabelled): recent-news lines with
0-based index % 4 != 0, AG News test rows with index % 4 != 0, NYT editorial snippets of articles
A % 5 != 0 (text only), Reuters-21578 LEWISSPLIT="TRAIN", BBC News files whose number % 5 != 0.
Recipe: word tokens as tonelib tokenizes them, vocabulary = words seen >= 5 times, symmetric
window of 5, PPMI with context smoothing 0.75, randomized SVD (16 extra columns, one power
iteration, random.Random(7)), vectors U * sqrt(S) normalised to unit length.
"""
import csv
import glob
import gzip
import json
import math
import operator
import os
import random
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "bench"))
import reuters_places  # noqa: E402
import tonelib  # noqa: E402

WINDOW, MIN_COUNT, SMOOTH, OVERSAMPLE, POWER, SEED = 5, 5, 0.75, 16, 1, 7


def corpus(data):
    """Word-token lists of the unlabelled non-reserved documents."""
    docs = []

    def add(title, text):
        toks = [n for n, fl, _ in tonelib.tokenize_article(title, text) if fl & tonelib.W]
        if toks:
            docs.append(toks)
    with open(os.path.join(data, "recent-news", "rumca-rss-2022-2023.jsonl"), encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % 4:
                r = json.loads(line)
                add(r.get("title") or "", r.get("text") or "")
    with gzip.open(os.path.join(data, "agnews", "test.csv.gz"), "rt", encoding="utf-8") as f:
        for i, row in enumerate(csv.reader(f)):
            if i % 4:
                add(row[1], row[2].replace("\\", " "))
    with open(os.path.join(data, "vader", "nytEditorialSnippets_GroundTruth.txt"), encoding="utf-8",
              errors="replace") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 3 and int(p[0].split("_")[0]) % 5:
                add("", p[2])
    for title, body in reuters_places.split_texts("TRAIN", os.path.join(data, "reuters21578")):
        add(title, body)
    for fn in sorted(glob.glob(os.path.join(data, "bbc-news-2005", "*", "*.txt"))):
        if int(os.path.basename(fn).split(".")[0]) % 5:
            with open(fn, encoding="latin-1") as f:
                lines = f.read().split("\n")
            add(lines[0].strip(), " ".join(lines[1:]))
    return docs


def _ppmi(docs):
    cnt = Counter()
    for d in docs:
        cnt.update(d)
    vocab = sorted(w for w, c in cnt.items() if c >= MIN_COUNT)
    ix = {w: i for i, w in enumerate(vocab)}
    V = len(vocab)
    pairs = Counter()
    for d in docs:
        s = [ix.get(w, -1) for w in d]
        for off in range(1, WINDOW + 1):
            pairs.update(a * V + b for a, b in zip(s, s[off:]) if a >= 0 and b >= 0)
    rows = [dict() for _ in range(V)]
    for key, c in pairs.items():
        a, b = divmod(key, V)
        rows[a][b] = rows[a].get(b, 0) + c
        rows[b][a] = rows[b].get(a, 0) + c
    del pairs
    rowsum = [sum(r.values()) for r in rows]
    total = float(sum(rowsum))
    csa = [c ** SMOOTH for c in rowsum]
    tota = sum(csa)
    M = []
    for i, r in enumerate(rows):
        cols, vals = [], []
        if rowsum[i]:
            pw = rowsum[i] / total
            for j, c in r.items():
                v = math.log((c / total) / (pw * csa[j] / tota))
                if v > 0:
                    cols.append(j)
                    vals.append(v)
        M.append((cols, vals))
    return vocab, M


def _mul(M, X, ncols):
    """M (sparse rows) times dense X (rows)."""
    out = []
    for cols, vals in M:
        acc = [0.0] * ncols
        for j, v in zip(cols, vals):
            acc = [a + v * b for a, b in zip(acc, X[j])]
        out.append(acc)
    return out


def _mul_t(M, Y, ncols, nout):
    """M^T Y."""
    out = [[0.0] * ncols for _ in range(nout)]
    for (cols, vals), y in zip(M, Y):
        for j, v in zip(cols, vals):
            out[j] = [a + v * b for a, b in zip(out[j], y)]
    return out


def _orth(Y):
    """Orthonormal columns of Y (modified Gram-Schmidt, twice)."""
    Q = []
    for c in (list(col) for col in zip(*Y)):
        for _ in range(2):
            for q in Q:
                p = sum(map(operator.mul, c, q))
                c = [a - p * b for a, b in zip(c, q)]
        nrm = math.sqrt(sum(map(operator.mul, c, c)))
        Q.append([a / nrm for a in c] if nrm > 1e-12 else [0.0] * len(c))
    return [list(r) for r in zip(*Q)]


def _jacobi(A, sweeps=30):
    """Eigenvalues and eigenvectors (rows) of the symmetric matrix A."""
    n = len(A)
    A = [r[:] for r in A]
    V = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    for _ in range(sweeps):
        off = sum(A[i][j] ** 2 for i in range(n) for j in range(n) if i != j)
        if off < 1e-18 * sum(A[i][i] ** 2 for i in range(n)):
            break
        for p in range(n - 1):
            for q in range(p + 1, n):
                apq = A[p][q]
                if abs(apq) < 1e-300:
                    continue
                th = (A[q][q] - A[p][p]) / (2 * apq)
                t = (1.0 if th >= 0 else -1.0) / (abs(th) + math.sqrt(th * th + 1))
                c = 1 / math.sqrt(t * t + 1)
                s = t * c
                rp, rq = A[p], A[q]
                A[p] = [c * x - s * y for x, y in zip(rp, rq)]
                A[q] = [s * x + c * y for x, y in zip(rp, rq)]
                for r in A:
                    x, y = r[p], r[q]
                    r[p], r[q] = c * x - s * y, s * x + c * y
                vp, vq = V[p], V[q]
                V[p] = [c * x - s * y for x, y in zip(vp, vq)]
                V[q] = [s * x + c * y for x, y in zip(vp, vq)]
    return [A[i][i] for i in range(n)], V


def vectors(data, dim):
    """{word: unit vector of `dim` floats} (several minutes: pure Python)."""
    vocab, M = _ppmi(corpus(data))
    V, K = len(vocab), dim + OVERSAMPLE
    rnd = random.Random(SEED)
    Y = _mul(M, [[rnd.gauss(0, 1) for _ in range(K)] for _ in range(V)], K)
    Q = _orth(Y)
    for _ in range(POWER):
        Q = _orth(_mul(M, _orth(_mul_t(M, Q, K, V)), K))
    cols = [list(c) for c in zip(*_mul_t(M, Q, K, V))]
    G = [[0.0] * K for _ in range(K)]
    for a in range(K):
        for b in range(a, K):
            G[a][b] = G[b][a] = sum(map(operator.mul, cols[a], cols[b]))
    ev, W = _jacobi(G)
    order = sorted(range(K), key=lambda i: -ev[i])[:dim]
    sc = [math.sqrt(math.sqrt(max(ev[i], 0.0))) for i in order]
    Wt = [list(c) for c in zip(*[W[i] for i in order])]
    out = {}
    for w, qrow in zip(vocab, Q):
        u = [0.0] * dim
        for qv, wrow in zip(qrow, Wt):
            u = [a + qv * b for a, b in zip(u, wrow)]
        e = [a * b for a, b in zip(u, sc)]
        n = math.sqrt(sum(a * a for a in e))
        if n > 0:
            out[w] = [a / n for a in e]
    return out


def cached_vectors(data, dim, path=None):
    """vectors(data, dim), kept in the JSON file path when given: read from it when it exists
    and holds vectors of that dimension, else computed and written there."""
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            o = json.load(f)
        if o.get("dim") == dim:
            return o["vectors"]
    out = vectors(data, dim)
    if path:
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump({"dim": dim, "vectors": out}, f)
        os.replace(path + ".tmp", path)
    return out


def doc_vector(sp, vec, dim):
    """sum over the words w of sp of sp[w] * vec[w]."""
    e = [0.0] * dim
    for w, v in sp.items():
        x = vec.get(w)
        if x is not None:
            e = [a + v * b for a, b in zip(e, x)]
    return e
