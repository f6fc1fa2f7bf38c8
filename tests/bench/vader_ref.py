# vader_ref.py - a faithful re-implementation of VADER's compound score (Hutto & Gilbert, ICWSM 2014)
#
# Written from the published rules (vaderSentiment 3.3.2, MIT): the same constants
# (B_INCR 0.293, B_DECR -0.293, C_INCR 0.733, N_SCALAR -0.74, alpha 15), the same negation
# list, booster dictionary and special cases, the same 3-word look-back with 0.95/0.9
# decay, "no"/"least"/"never so"/"without doubt" handling, the 'but' rule (including its
# first-equal-value quirk), ALL-CAPS differential and !/? emphasis. Only the emoji-to-text
# step is omitted (the NYT snippets are ASCII). The lexicon is read from vader_lexicon.txt.
import math
import string

B_INCR = 0.293
B_DECR = -0.293
C_INCR = 0.733
N_SCALAR = -0.74

NEGATE = ["aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
          "ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
          "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
          "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
          "neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
          "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
          "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
          "without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite"]

BOOSTER_DICT = {
    "absolutely": B_INCR, "amazingly": B_INCR, "awfully": B_INCR, "completely": B_INCR,
    "considerable": B_INCR, "considerably": B_INCR, "decidedly": B_INCR, "deeply": B_INCR,
    "effing": B_INCR, "enormous": B_INCR, "enormously": B_INCR, "entirely": B_INCR,
    "especially": B_INCR, "exceptional": B_INCR, "exceptionally": B_INCR, "extreme": B_INCR,
    "extremely": B_INCR, "fabulously": B_INCR, "flipping": B_INCR, "flippin": B_INCR,
    "frackin": B_INCR, "fracking": B_INCR, "fricking": B_INCR, "frickin": B_INCR,
    "frigging": B_INCR, "friggin": B_INCR, "fully": B_INCR, "fuckin": B_INCR, "fucking": B_INCR,
    "fuggin": B_INCR, "fugging": B_INCR, "greatly": B_INCR, "hella": B_INCR, "highly": B_INCR,
    "hugely": B_INCR, "incredible": B_INCR, "incredibly": B_INCR, "intensely": B_INCR,
    "major": B_INCR, "majorly": B_INCR, "more": B_INCR, "most": B_INCR, "particularly": B_INCR,
    "purely": B_INCR, "quite": B_INCR, "really": B_INCR, "remarkably": B_INCR, "so": B_INCR,
    "substantially": B_INCR, "thoroughly": B_INCR, "total": B_INCR, "totally": B_INCR,
    "tremendous": B_INCR, "tremendously": B_INCR, "uber": B_INCR, "unbelievably": B_INCR,
    "unusually": B_INCR, "utter": B_INCR, "utterly": B_INCR, "very": B_INCR,
    "almost": B_DECR, "barely": B_DECR, "hardly": B_DECR, "just enough": B_DECR,
    "kind of": B_DECR, "kinda": B_DECR, "kindof": B_DECR, "kind-of": B_DECR, "less": B_DECR,
    "little": B_DECR, "marginal": B_DECR, "marginally": B_DECR, "occasional": B_DECR,
    "occasionally": B_DECR, "partly": B_DECR, "scarce": B_DECR, "scarcely": B_DECR,
    "slight": B_DECR, "slightly": B_DECR, "somewhat": B_DECR, "sort of": B_DECR,
    "sorta": B_DECR, "sortof": B_DECR, "sort-of": B_DECR}

SPECIAL_CASES = {"the shit": 3, "the bomb": 3, "bad ass": 1.5, "badass": 1.5, "bus stop": 0.0,
                 "yeah right": -2, "kiss of death": -1.5, "to die for": 3,
                 "beating heart": 3.1, "broken heart": -2.9}


def load_lexicon(path):
    lex = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[0]:
                lex[parts[0]] = float(parts[1])
    return lex


def negated(words, include_nt=True):
    words = [str(w).lower() for w in words]
    for w in NEGATE:
        if w in words:
            return True
    if include_nt:
        for w in words:
            if "n't" in w:
                return True
    return False


def normalize(score, alpha=15):
    n = score / math.sqrt(score * score + alpha)
    return max(-1.0, min(1.0, n))


def allcap_differential(words):
    allcap = sum(1 for w in words if w.isupper())
    diff = len(words) - allcap
    return 0 < diff < len(words)


def scalar_inc_dec(word, valence, is_cap_diff):
    scalar = 0.0
    wl = word.lower()
    if wl in BOOSTER_DICT:
        scalar = BOOSTER_DICT[wl]
        if valence < 0:
            scalar *= -1
        if word.isupper() and is_cap_diff:
            scalar = scalar + C_INCR if valence > 0 else scalar - C_INCR
    return scalar


def _strip_punc_if_word(token):
    stripped = token.strip(string.punctuation)
    if len(stripped) <= 2:
        return token
    return stripped


class Vader:
    """VADER compound score: Vader(lexicon_path).compound(text) -> [-1, 1]."""

    def __init__(self, lexicon_path):
        self.lexicon = load_lexicon(lexicon_path)

    def compound(self, text):
        words = [_strip_punc_if_word(w) for w in text.split()]
        is_cap_diff = allcap_differential(words)
        sentiments = []
        for i, item in enumerate(words):
            if item.lower() in BOOSTER_DICT:
                sentiments.append(0)
                continue
            if i < len(words) - 1 and item.lower() == "kind" and words[i + 1].lower() == "of":
                sentiments.append(0)
                continue
            sentiments.append(self._valence(words, is_cap_diff, item, i))
        sentiments = self._but_check(words, sentiments)
        if not sentiments:
            return 0.0
        s = float(sum(sentiments))
        amp = self._punct_emphasis(text)
        if s > 0:
            s += amp
        elif s < 0:
            s -= amp
        return normalize(s)

    def _valence(self, words, is_cap_diff, item, i):
        lex = self.lexicon
        valence = 0
        il = item.lower()
        if il not in lex:
            return valence
        valence = lex[il]
        if il == "no" and i != len(words) - 1 and words[i + 1].lower() in lex:
            valence = 0.0
        if (i > 0 and words[i - 1].lower() == "no") or (i > 1 and words[i - 2].lower() == "no") or \
           (i > 2 and words[i - 3].lower() == "no" and words[i - 1].lower() in ["or", "nor"]):
            valence = lex[il] * N_SCALAR
        if item.isupper() and is_cap_diff:
            valence = valence + C_INCR if valence > 0 else valence - C_INCR
        for start_i in range(0, 3):
            if i > start_i and words[i - (start_i + 1)].lower() not in lex:
                s = scalar_inc_dec(words[i - (start_i + 1)], valence, is_cap_diff)
                if start_i == 1 and s != 0:
                    s = s * 0.95
                if start_i == 2 and s != 0:
                    s = s * 0.9
                valence = valence + s
                valence = self._negation_check(valence, words, start_i, i)
                if start_i == 2:
                    valence = self._special_idioms_check(valence, words, i)
        valence = self._least_check(valence, words, i)
        return valence

    def _least_check(self, valence, words, i):
        lex = self.lexicon
        if i > 1 and words[i - 1].lower() not in lex and words[i - 1].lower() == "least":
            if words[i - 2].lower() != "at" and words[i - 2].lower() != "very":
                valence = valence * N_SCALAR
        elif i > 0 and words[i - 1].lower() not in lex and words[i - 1].lower() == "least":
            valence = valence * N_SCALAR
        return valence

    @staticmethod
    def _but_check(words, sentiments):
        wl = [str(w).lower() for w in words]
        if "but" in wl:
            bi = wl.index("but")
            for sentiment in sentiments:
                si = sentiments.index(sentiment)
                if si < bi:
                    sentiments.pop(si)
                    sentiments.insert(si, sentiment * 0.5)
                elif si > bi:
                    sentiments.pop(si)
                    sentiments.insert(si, sentiment * 1.5)
        return sentiments

    @staticmethod
    def _special_idioms_check(valence, words, i):
        wl = [str(w).lower() for w in words]
        onezero = "%s %s" % (wl[i - 1], wl[i])
        twoonezero = "%s %s %s" % (wl[i - 2], wl[i - 1], wl[i])
        twoone = "%s %s" % (wl[i - 2], wl[i - 1])
        threetwoone = "%s %s %s" % (wl[i - 3], wl[i - 2], wl[i - 1])
        threetwo = "%s %s" % (wl[i - 3], wl[i - 2])
        for seq in [onezero, twoonezero, twoone, threetwoone, threetwo]:
            if seq in SPECIAL_CASES:
                valence = SPECIAL_CASES[seq]
                break
        if len(wl) - 1 > i:
            zeroone = "%s %s" % (wl[i], wl[i + 1])
            if zeroone in SPECIAL_CASES:
                valence = SPECIAL_CASES[zeroone]
        if len(wl) - 1 > i + 1:
            zeroonetwo = "%s %s %s" % (wl[i], wl[i + 1], wl[i + 2])
            if zeroonetwo in SPECIAL_CASES:
                valence = SPECIAL_CASES[zeroonetwo]
        for ng in [threetwoone, threetwo, twoone]:
            if ng in BOOSTER_DICT:
                valence = valence + BOOSTER_DICT[ng]
        return valence

    @staticmethod
    def _negation_check(valence, words, start_i, i):
        wl = [str(w).lower() for w in words]
        if start_i == 0:
            if negated([wl[i - 1]]):
                valence = valence * N_SCALAR
        if start_i == 1:
            if wl[i - 2] == "never" and (wl[i - 1] == "so" or wl[i - 1] == "this"):
                valence = valence * 1.25
            elif wl[i - 2] == "without" and wl[i - 1] == "doubt":
                pass
            elif negated([wl[i - 2]]):
                valence = valence * N_SCALAR
        if start_i == 2:
            if wl[i - 3] == "never" and (wl[i - 2] == "so" or wl[i - 2] == "this") or \
               (wl[i - 1] == "so" or wl[i - 1] == "this"):
                valence = valence * 1.25
            elif wl[i - 3] == "without" and (wl[i - 2] == "doubt" or wl[i - 1] == "doubt"):
                pass
            elif negated([wl[i - 3]]):
                valence = valence * N_SCALAR
        return valence

    @staticmethod
    def _punct_emphasis(text):
        ep = min(text.count("!"), 4) * 0.292
        qc = text.count("?")
        qm = 0
        if qc > 1:
            qm = qc * 0.18 if qc <= 3 else 0.96
        return ep + qm
