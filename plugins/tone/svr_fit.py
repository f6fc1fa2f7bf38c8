"""svr_fit.py - the tone value's learned per-word terms: a libsvm epsilon-SVR with a linear kernel.

build_model.py fits the value in two steps: a ridge regression over the nine lexicon features
(the lexicon score and its parts), then this correction: a linear epsilon-support-vector
regression (libsvm -s 3 -t 0) of the ridge's residuals on each document's per-word inputs (a
word's occurrences / sentences). With a linear kernel the model is w . x - rho, and w is the sum
of the support vectors weighted by their coefficients, so the correction ships as one term per
word (lexicon.tsv, 4th column) plus a bias folded into the ridge's; the plugin adds them as it
always did. libsvm's SMO is deterministic for given rows in a given order.

Needs libsvm's Python interface (Debian: python3-libsvm); only for rebuilding the model.
"""
import sys


def _svmutil():
    try:
        import svmutil  # noqa: F401
    except ImportError:
        sys.path.append("/usr/lib/python3/dist-packages")
        try:
            import svmutil  # noqa: F401
        except ImportError:
            raise SystemExit("svr_fit: libsvm's Python interface is missing (Debian: apt-get install "
                             "python3-libsvm); it is needed only to rebuild the tone model")
    return sys.modules["svmutil"]


def fit_word_terms(D, target, idx, C, eps, minc=1, skip=()):
    """Fit target[i] ~ sum_w u[w] * D[i][w] + b over the rows idx (D: one {word: input} per row)
    with libsvm's epsilon-SVR, linear kernel, cost C, tube eps; words in fewer than minc of those
    rows, and the words in skip, get no term. Returns ({word: term}, b)."""
    su = _svmutil()
    cnt = {}
    for i in idx:
        for w in D[i]:
            cnt[w] = cnt.get(w, 0) + 1
    words = sorted(w for w, c in cnt.items() if c >= minc and w not in skip)
    col = {w: k + 1 for k, w in enumerate(words)}  # libsvm feature indices start at 1
    X = [{col[w]: x for w, x in D[i].items() if w in col} for i in idx]
    prob = su.svm_problem([target[i] for i in idx], X)
    m = su.svm_train(prob, su.svm_parameter("-s 3 -t 0 -c %r -p %r -e 0.01 -q" % (C, eps)))
    w = [0.0] * (len(words) + 1)
    for sv, coef in zip(m.get_SV(), m.get_sv_coef()):
        for k, x in sv.items():
            if k > 0:
                w[k] += coef[0] * x
    return {words[k - 1]: w[k] for k in range(1, len(w)) if w[k] != 0.0}, -m.rho[0]
