# tonelib.py - Python mirror of the tone plugin's tokenizer view, rules and features (for fitting)
#
# build_model.py fits the correction weights on features computed here; tone.c computes the
# same features in C from the core's tokens. The tokenizer below follows the document model's
# published semantics (word/number/punct tokens, folding, possessive removal); sentence
# splitting is approximate. tone_eval.py checks the shipped C plugin, not this mirror.
import math
import unicodedata

# ---------------------------------------------------------------- tokens

W, NUM, P = 1, 2, 4
CAP, UPPER, SSTART = 8, 16, 64


def _is_letter(ch):
    if ch.isascii():
        return ch.isalpha()
    return unicodedata.category(ch).startswith("L")


def _fold(s):
    s = s.replace("\u2019", "'")
    out = []
    for ch in s.lower():
        if ch == "\u00df":
            out.append("ss")
            continue
        d = unicodedata.normalize("NFD", ch)
        out.append("".join(c for c in d if not unicodedata.combining(c)) if not ch.isascii() else ch)
    s = "".join(out)
    if s.endswith("'s"):
        s = s[:-2]
    elif s.endswith("'"):
        s = s[:-1]
    return s


TITLE = 128


def tokenize_article(title, text):
    """Tokens of a title (one sentence, flagged TITLE) followed by those of the text."""
    if not title:
        return tokenize(text)
    tt = [(n, fl | TITLE, 0) for n, fl, _ in tokenize(title)]
    return tt + [(n, fl, s + 1) for n, fl, s in tokenize(text)]


def tokenize(text):
    """Return a list of (norm, flags, sentence) tuples following the core's token rules."""
    toks = []
    i, n = 0, len(text)
    sent = 0
    new_sent = True
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        j = i + 1
        if _is_letter(ch):
            while j < n:
                c = text[j]
                if c.isalnum() and (c.isascii() or _is_letter(c) or c.isdigit()):
                    j += 1
                elif c in "'\u2019." and j + 1 < n and _is_letter(text[j + 1]):
                    j += 1
                elif c == "." and j > i and text[j - 1] != "." and "." in text[i:j] and \
                        (j + 1 >= n or not _is_letter(text[j + 1])):
                    j += 1  # final dot of an abbreviation like U.S.
                    break
                else:
                    break
            raw = text[i:j]
            fl = W
            letters = [c for c in raw if _is_letter(c)]
            if letters and letters[0].isupper():
                fl |= CAP
            if len(letters) >= 2 and all(c.isupper() for c in letters):
                fl |= UPPER
            norm = _fold(raw)
        elif ch.isdigit():
            while j < n:
                c = text[j]
                if c.isalnum():
                    j += 1
                elif c in ".," and j + 1 < n and text[j + 1].isdigit():
                    j += 1
                else:
                    break
            norm = text[i:j].lower()
            fl = NUM
        else:
            norm = ch
            fl = P
        if new_sent and not (fl & P and not toks):
            fl |= SSTART
            new_sent = False
        toks.append([norm, fl, sent])
        if fl & P and ch in ".!?":
            # sentence ends when the next non-space char starts a capitalised word or a quote
            k = j
            while k < n and text[k] in ".!?\"'\u201d)":
                k += 1
            m = k
            while m < n and text[m].isspace():
                m += 1
            if m < n and m > k and (text[m].isupper() or text[m] in "\"\u201c'"):
                # absorb closers into this sentence
                while j < k:
                    toks.append([text[j], P, sent])
                    j += 1
                sent += 1
                new_sent = True
        i = j
    return [tuple(t) for t in toks]


# ---------------------------------------------------------------- lexicon table

def load_table(path):
    """Read models/tone/lexicon.tsv: {key: (kind, value, learned)}; key is 'w' or 'w1 w2'."""
    tab = {}
    with open(path, encoding="utf-8") as f:
        first = f.readline().split()
        if first[:2] != ["nttone", "1"]:
            raise ValueError("%s:1: not a tone table (want 'nttone 1')" % path)
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            learned = float(parts[3]) if len(parts) > 3 else 0.0
            tab[parts[0]] = (parts[1], float(parts[2]), learned)
    return tab


# ---------------------------------------------------------------- scorer

DEFAULTS = dict(
    neg_scalar=-0.74,     # valence multiplier under negation
    neg_window=3,         # words after a negator that it reaches (stops at clause punctuation)
    boost_decay=(1.0, 0.95, 0.9),
    caps_incr=0.733,      # ALL-CAPS emphasis when the text is not all caps
    excl_incr=0.292,      # per '!' in the sentence, up to 4
    contrast_pre=0.5,     # weight of a sentence's clause before but/however
    contrast_post=1.5,    # weight after it
    concede=0.5,          # weight of an "although ..." clause (up to the next comma)
    name_damp=0.3,        # capitalised, not sentence-initial words (names: United, Justice)
    alpha=15.0,           # normalisation constant of x / sqrt(x^2 + alpha)
)

CLAUSE_PUNCT = set(",;:.!?()\u2014\u2013")


def score(tab, toks, prm=DEFAULTS, want_detail=False):
    """Score a token list. Returns a dict of raw features (see FEATURES)."""
    neg_scalar = prm["neg_scalar"]
    nw = 0
    allcaps = 0
    for norm, fl, s in toks:
        if fl & W:
            nw += 1
            if fl & UPPER:
                allcaps += 1
    cap_diff = 0 < nw - allcaps < nw
    nsent = (toks[-1][2] + 1) if toks else 0
    sent_sum = [0.0] * max(nsent, 1)
    sent_excl = [0] * max(nsent, 1)
    vals = [0.0] * len(toks)
    # per-sentence state
    cur = -1
    neg_left = 0
    boost = []          # recent boosters: list of (words_since, value, upper)
    contrast_at = -1    # token index of the contrast word in the sentence
    concede_open = False
    sent_tok_start = 0
    prev_word = None
    prev_word_idx = -1
    n_neg = n_contrast = n_boost = 0
    learned = 0.0
    first_word_seen = False
    in_title = False
    for i, (norm, fl, s) in enumerate(toks):
        if s != cur:
            if cur >= 0:
                _close_sentence(prm, vals, sent_tok_start, i, contrast_at, sent_sum, cur)
            cur = s
            neg_left = 0
            boost = []
            contrast_at = -1
            concede_open = False
            sent_tok_start = i
            prev_word = None
            prev_word_idx = -1
            first_word_seen = False
            in_title = bool(fl & TITLE)
        if fl & P:
            if norm == "!":
                sent_excl[s] += 1
            if norm in CLAUSE_PUNCT:
                neg_left = 0
                boost = []
                if concede_open and norm == ",":
                    concede_open = False
            continue
        if not (fl & W):
            prev_word = None
            continue
        uni = tab.get(norm)
        ent = uni
        if prev_word is not None:
            be = tab.get(prev_word + " " + norm)
            if be is not None:
                ent = be
                vals[prev_word_idx] = 0.0
        if uni is not None:
            learned += uni[2]
        kind = ent[0] if ent else None
        if kind == "n":
            n_neg += 1
            neg_left = prm["neg_window"]
            boost = []
        elif kind == "b":
            n_boost += 1
            boost.insert(0, [0, ent[1], bool(fl & UPPER)])
        elif kind == "c":
            n_contrast += 1
            contrast_at = i
            neg_left = 0
            boost = []
        elif kind == "s":
            concede_open = True
            neg_left = 0
        elif kind == "v" and ent[1] != 0:
            v = ent[1]
            if (fl & CAP) and first_word_seen and not (fl & UPPER) and not in_title:
                v *= prm["name_damp"]
            if (fl & UPPER) and cap_diff:
                v += prm["caps_incr"] if v > 0 else -prm["caps_incr"]
            for k, b in enumerate(boost[:3]):
                sc = b[1] if v >= 0 else -b[1]
                if b[2] and cap_diff:
                    sc += prm["caps_incr"] if v > 0 else -prm["caps_incr"]
                v += sc * prm["boost_decay"][min(b[0], 2)]
            if neg_left > 0:
                v *= neg_scalar
            if concede_open:
                v *= prm["concede"]
            vals[i] = v
        # advance windows: negation and boosters reach the next few words
        if kind != "n":
            if neg_left > 0 and kind != "b":
                neg_left -= 1
        for b in boost:
            b[0] += 1
        boost = [b for b in boost if b[0] <= 2]
        if kind == "b":
            boost[0][0] = 0
        first_word_seen = True
        prev_word = norm
        prev_word_idx = i
    if cur >= 0:
        _close_sentence(prm, vals, sent_tok_start, len(toks), contrast_at, sent_sum, cur)
    # emphasis: '!' adds to a non-zero sentence sum
    for s in range(len(sent_sum)):
        if sent_sum[s] != 0 and sent_excl[s]:
            amp = min(sent_excl[s], 4) * prm["excl_incr"]
            sent_sum[s] += amp if sent_sum[s] > 0 else -amp
    pos = sum(v for v in vals if v > 0)
    neg = -sum(v for v in vals if v < 0)
    npos = sum(1 for v in vals if v > 0)
    nneg = sum(1 for v in vals if v < 0)
    total = sum(sent_sum)
    a = prm["alpha"]
    comp = [x / math.sqrt(x * x + a) for x in sent_sum] if nsent else [0.0]
    mean_c = sum(comp) / len(comp)
    sd = math.sqrt(sum((c - mean_c) ** 2 for c in comp) / len(comp))
    out = dict(total=total, pos=pos, neg=neg, npos=npos, nneg=nneg, nwords=nw, nsent=nsent,
               mean_c=mean_c, sd=sd, n_neg=n_neg, n_contrast=n_contrast, n_boost=n_boost,
               excl=sum(sent_excl), learned=learned)
    if want_detail:
        out["vals"] = vals
    return out


def _close_sentence(prm, vals, start, end, contrast_at, sent_sum, s):
    tot = 0.0
    for j in range(start, end):
        v = vals[j]
        if contrast_at >= 0 and v != 0:
            v *= prm["contrast_pre"] if j < contrast_at else prm["contrast_post"]
            vals[j] = v
        tot += v
    sent_sum[s] = tot


def features(f, alpha=15.0):
    """The correction model's inputs from score() output (same order as in tone.c)."""
    nw = max(f["nwords"], 1)
    ns = max(f["nsent"], 1)
    t = f["total"] / ns
    comp = t / math.sqrt(t * t + alpha)
    return [comp,
            f["pos"] / ns, f["neg"] / ns,
            f["pos"] / nw, f["neg"] / nw,
            min(f["npos"], 8) / 8.0, min(f["nneg"], 8) / 8.0,
            f["mean_c"],
            1.0]


FEATURE_NAMES = ["comp", "pos_per_sent", "neg_per_sent", "pos_share", "neg_share",
                 "npos8", "nneg8", "mean_sent_comp", "bias"]


CLASS_FEATURE_NAMES = ["comp", "pos_per_sent", "neg_per_sent", "pos_share", "neg_share", "npos8", "nneg8",
                       "mean_sent_comp", "sent_sd", "log_words", "negators_per_sent",
                       "contrasts_per_sent", "abs_comp", "polarity_per_sent", "no_sentiment",
                       "excl_per_sent", "bias"]


def class_features(f, alpha=15.0):
    """The 3-class decision's inputs from score() output (same order as tone_decide() in tone.c)."""
    x = features(f, alpha)[:-1]
    ns = max(f["nsent"], 1)
    return x + [f["sd"], math.log1p(f["nwords"]) / 5.0, f["n_neg"] / ns, f["n_contrast"] / ns,
                abs(x[0]), (f["pos"] + f["neg"]) / ns, 1.0 if f["npos"] == 0 and f["nneg"] == 0 else 0.0,
                f["excl"] / ns, 1.0]
