#!/usr/bin/env python3
"""build_gazetteer.py - build the region plugin's gazetteer and region map from the gazetteer facts.

Reads the third-party facts in DATA (default: ../shared/data/gazetteer next to the checkout, or
$NEWSTAG_GAZETTEER_DATA) and the team's curated additions (plugins/region/curated.tsv), and writes

    OUT/gazetteer.tsv    one phrase per line: phrase, codes, kind, flags, weight
    OUT/region-map.tsv   ISO alpha-2 code -> news-desk region (taxonomy.md)

OUT defaults to models/region in the checkout. The output is deterministic (sorted, no dates), so
re-running the script on the same inputs gives byte-identical files.

Usage: python3 plugins/region/build_gazetteer.py [--data DIR] [--out DIR]
Python 3 standard library only.
"""

import argparse
import csv
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

RANK = {"name": 1, "abbrev": 1, "former": 1, "demonym": 2, "metonym": 2, "org": 2,
        "capital": 3, "place": 3, "state": 3, "city": 3, "block": 0}
KINDS = set(RANK)

# Former countries (ISO 3166-3 alpha-4) -> today's code.
FORMER = {"BUMM": "MM", "BYAA": "BY", "CSHH": "CZ", "CSXX": "RS", "DDDE": "DE", "DYBJ": "BJ",
          "HVBF": "BF", "NHVU": "VU", "RHZW": "ZW", "SKIN": "IN", "SUHH": "RU", "TPTL": "TL",
          "VDVN": "VN", "YDYE": "YE", "YUCS": "RS", "ZRCD": "CD", "ANHH": "CW"}

# Countries whose first-level administrative names (from the cities table) are added as places.
ADMIN_COUNTRIES = {"US", "CA", "AU", "IN", "CN", "BR", "MX", "PK", "NG", "ZA", "IR", "IQ",
                   "SY", "AF"}
GENERIC = {"central", "northern", "southern", "eastern", "western", "north", "south", "east",
           "west", "capital", "centre", "center", "national", "coast", "federal", "district",
           "city", "region", "island", "islands", "lakes", "highlands", "valley", "upper", "lower",
           "greater", "mountain", "river", "metropolitan", "state", "province", "territory"}

# The news-desk region map (taxonomy.md): UN M49 with Iran and Egypt in the Middle East and the
# Caucasus and Cyprus in Europe.
MIDDLE_EAST = "BH EG IL IQ IR JO KW LB OM PS QA SA SY TR AE YE".split()
SOUTH_ASIA = "AF BD BT IN LK MV NP PK".split()
EAST_ASIA = "CN HK JP KP KR MN MO TW".split()
NORTH_AMERICA = "US CA BM GL PM".split()
EUROPE_EXTRA = "AM AZ CY GE XK".split()


def die(msg):
    sys.stderr.write("build_gazetteer: %s\n" % msg)
    sys.exit(1)


def ascii_fold(s):
    """Strip Latin diacritics (NFKD minus combining marks); keep other characters."""
    s = s.replace("\u2019", "'").replace("\u2018", "'")
    d = unicodedata.normalize("NFKD", s)
    return "".join(c for c in d if not unicodedata.combining(c))


WORD_RE = re.compile(r"[^\W\d_](?:[\w]|'(?=[^\W\d_])|\.(?=[^\W\d_]))*\.?|\d[\w]*", re.UNICODE)


def key_of(phrase):
    """Merge key: folded word tokens (punctuation dropped, like the core's fold_hashes)."""
    toks = WORD_RE.findall(ascii_fold(phrase).lower())
    out = []
    for t in toks:
        if t.endswith("'s"):
            t = t[:-2]
        if t.endswith(".") and t.count(".") == 1:
            t = t[:-1]          # a sentence dot, not an abbreviation ("U.S.")
        out.append(t)
    return " ".join(out)


def usable(phrase):
    """A phrase worth matching: Latin letters only (after folding), 3+ letters."""
    p = ascii_fold(phrase)
    if len(re.sub(r"[^A-Za-z]", "", p)) < 3:
        return False
    return all(ord(c) < 128 for c in p)


class Gaz:
    def __init__(self):
        self.entries = {}   # key -> {"phrase", "cands": {code: (rank, kind, importance)}, "flags", "weight"}
        self.cues = []      # (phrase, code, words)

    def add(self, phrase, code, kind, importance=0.0, flags=""):
        phrase = ascii_fold(phrase).strip()
        if not phrase or not usable(phrase):
            return
        k = key_of(phrase)
        if not k or len(k.split()) > 8:
            return
        e = self.entries.setdefault(k, {"phrase": phrase, "cands": {}, "flags": set(),
                                        "weight": None, "curated": False})
        if e["curated"]:
            return
        r = RANK[kind]
        old = e["cands"].get(code)
        # per code keep the strongest kind; among place kinds prefer capital > place > city > state
        pref = {"capital": 0, "place": 1, "city": 2, "state": 3}
        if old is None or r < old[0] or (r == old[0] and pref.get(kind, 0) < pref.get(old[1], 0)):
            e["cands"][code] = (r, kind, max(importance, old[2] if old else 0.0))
        elif importance > old[2]:
            e["cands"][code] = (old[0], old[1], importance)
        e["flags"].update(flags)

    def curated(self, phrase, codes, kind, flags, weight):
        k = key_of(phrase)
        e = {"phrase": phrase, "cands": {}, "flags": set(flags.replace("-", "")),
             "weight": weight, "curated": True, "order": codes}
        for i, c in enumerate(codes):
            e["cands"][c] = (RANK[kind], kind, float(len(codes) - i))
        self.entries[k] = e

    def resolve(self):
        """Order candidates (default first), drop weak alternatives, set weights."""
        out = []
        for k, e in self.entries.items():
            if e["curated"]:
                codes = e["order"]
                kind = next(iter(e["cands"].values()))[1] if e["cands"] else "block"
                out.append((k, e["phrase"], codes, kind, e["flags"], e["weight"]))
                continue
            cands = sorted(e["cands"].items(), key=lambda kv: (kv[1][0], -kv[1][2], kv[0]))
            best_code, (r0, kind0, imp0) = cands[0]
            codes = [best_code]
            if r0 >= 3:
                for code, (r, kind, imp) in cands[1:]:
                    if r >= 3 and (imp >= 300000 or (imp >= 150000 and imp >= 0.1 * imp0)):
                        codes.append(code)
                    if len(codes) == 4:
                        break
            weight = 1.0 if len(codes) == 1 else 0.8
            out.append((k, e["phrase"], codes, kind0, e["flags"], weight))
        out.sort(key=lambda t: (t[0], t[1]))
        return out


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as ex:
        die("%s: %s" % (path, ex))


def uninvert(name):
    """'Korea, Republic of' -> 'Republic of Korea'; other comma forms -> both parts."""
    if ", " not in name:
        return [name]
    a, b = name.split(", ", 1)
    if b.endswith(" of") or b.endswith(" of the"):
        return [b + " " + a]
    if "Province of" in b:
        return [a]
    return [a, b]


def plural(dem):
    if " " in dem or "-" in dem:
        return None
    if re.search(r"(ese|ss|sh|ch|x|z|s)$", dem):
        return None
    return dem + "s"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default_data = os.environ.get("NEWSTAG_GAZETTEER_DATA",
                                  os.path.join(os.path.dirname(TOP), "shared", "data", "gazetteer"))
    ap.add_argument("--data", default=default_data, help="gazetteer facts directory")
    ap.add_argument("--out", default=os.path.join(TOP, "models", "region"), help="output directory")
    ap.add_argument("--curated", default=os.path.join(HERE, "curated.tsv"))
    a = ap.parse_args()
    if not os.path.isdir(a.data):
        die("gazetteer data directory %s is absent (../shared/data is not available here); "
            "pass --data DIR" % a.data)

    g = Gaz()
    valid = set()
    pop = {}
    # GeoNames countryInfo: names, capitals, populations.
    gpath = os.path.join(a.data, "geonames", "countryInfo.txt")
    try:
        with open(gpath, encoding="utf-8") as f:
            for ln, line in enumerate(f, 1):
                if line.startswith("#") or not line.strip():
                    continue
                cols = line.rstrip("\n").split("\t")
                if len(cols) < 9:
                    die("%s:%d: expected 9+ columns" % (gpath, ln))
                code, name, capital = cols[0], cols[4], cols[5]
                try:
                    pop[code] = float(cols[7] or 0)
                except ValueError:
                    die("%s:%d: bad population %r" % (gpath, ln, cols[7]))
                if code == "XK" or re.match(r"^[A-Z]{2}$", code):
                    g.add(name, code, "name", pop[code])
                    if capital:
                        g.add(capital, code, "capital", max(1e4, pop[code] * 0.05))
    except OSError as ex:
        die("%s: %s" % (gpath, ex))

    # world-countries (mledoze/countries): names, alternative spellings, demonyms, capitals.
    wc = load_json(os.path.join(a.data, "world-countries", "countries.json"))
    independent = {}
    valid.update(c["cca2"] for c in wc)
    valid.add("XK")
    for c in wc:
        code = c["cca2"]
        independent[code] = bool(c.get("independent")) and bool(c.get("unMember"))
        imp = pop.get(code, 0.0) * (10.0 if independent[code] else 1.0)
        for n in (c["name"]["common"], c["name"]["official"]):
            g.add(n, code, "name", imp)
        for alt in c.get("altSpellings", []):
            if len(alt) >= 4 and not alt.isupper():
                g.add(alt, code, "name", imp)
        for cap in c.get("capital", []):
            g.add(cap, code, "capital", max(1e4, pop.get(code, 0.0) * 0.05))
        dem = c.get("demonyms", {}).get("eng", {})
        for d in dict.fromkeys([dem.get("m", ""), dem.get("f", "")]):
            for part in d.split(", "):
                if part:
                    g.add(part, code, "demonym", imp)
                    p = plural(part)
                    if p:
                        g.add(p, code, "demonym", imp)

    # iso-codes: ISO 3166-1 names and ISO 3166-3 former countries.
    iso1 = load_json(os.path.join(a.data, "iso-codes", "iso_3166-1.json"))["3166-1"]
    for c in iso1:
        code = c["alpha_2"]
        imp = pop.get(code, 0.0) * (10.0 if independent.get(code) else 1.0)
        for fld in ("name", "official_name", "common_name"):
            if fld in c:
                for n in uninvert(c[fld]):
                    g.add(n, code, "name", imp)
    iso3 = load_json(os.path.join(a.data, "iso-codes", "iso_3166-3.json"))["3166-3"]
    for c in iso3:
        code = FORMER.get(c.get("alpha_4", ""))
        if code:
            for n in uninvert(c["name"]):
                g.add(n, code, "former", pop.get(code, 0.0))

    # UN M49 (lukes): names and the region map.
    m49 = []
    mpath = os.path.join(a.data, "m49-lukes", "all.csv")
    try:
        with open(mpath, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                m49.append(row)
                name = re.sub(r"\s*\(.*?\)", "", row["name"])
                g.add(name, row["alpha-2"], "name", pop.get(row["alpha-2"], 0.0))
    except (OSError, KeyError, csv.Error) as ex:
        die("%s: %s" % (mpath, ex))

    # SimpleMaps cities with population >= 100k, plus admin regions of some countries.
    cpath = os.path.join(a.data, "simplemaps-cities", "cities_pop100k.csv")
    admins = {}
    try:
        with open(cpath, encoding="utf-8", newline="") as f:
            for ln, row in enumerate(csv.DictReader(f), 2):
                code = row["iso2"]
                if not re.match(r"^[A-Z]{2}$", code):
                    continue
                try:
                    p = float(row["population"] or 0)
                except ValueError:
                    die("%s:%d: bad population %r" % (cpath, ln, row["population"]))
                kind = "capital" if row["capital"] == "primary" else "city"
                imp = p * (3.0 if kind == "capital" else 1.0)
                for n in dict.fromkeys([row["city_ascii"], row["city"]]):
                    if len(key_of(n)) >= 3:
                        g.add(n, code, kind, imp)
                adm = row["admin_name"]
                if code in ADMIN_COUNTRIES and adm and "," not in adm:
                    admins[(adm, code)] = admins.get((adm, code), 0.0) + p
    except (OSError, KeyError, csv.Error) as ex:
        die("%s: %s" % (cpath, ex))
    for (adm, code), p in sorted(admins.items()):
        k = key_of(adm)
        if len(k) >= 5 and k not in GENERIC and not all(w in GENERIC for w in k.split()):
            g.add(adm, code, "state", p)

    # Curated additions and overrides.
    try:
        with open(a.curated, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except OSError as ex:
        die("%s: %s" % (a.curated, ex))
    drops, flags = [], []
    for ln, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        where = "%s:%d" % (a.curated, ln)
        if cols[0] == "!drop":
            if len(cols) < 2:
                die("%s: !drop needs a phrase" % where)
            drops.append(cols[1].strip())
        elif cols[0] == "@flag":
            if len(cols) != 3:
                die("%s: @flag needs phrase and flags" % where)
            flags.append((cols[1], cols[2]))
        elif cols[0] == "@cue":
            if len(cols) != 4 or not re.match(r"^[A-Z]{2}$", cols[2]):
                die("%s: @cue needs phrase, CODE, words" % where)
            g.cues.append((cols[1], cols[2], cols[3].split()))
        else:
            if len(cols) != 5:
                die("%s: expected 5 tab-separated columns, found %d" % (where, len(cols)))
            phrase, codes, kind, fl, w = cols
            if kind not in KINDS:
                die("%s: unknown kind %r" % (where, kind))
            codes = [] if codes == "-" else codes.split("|")
            for c in codes:
                if not re.match(r"^[A-Z]{2}$", c):
                    die("%s: bad code %r" % (where, c))
            if not re.match(r"^[-UWPD]+$", fl):
                die("%s: bad flags %r" % (where, fl))
            try:
                wv = float(w)
            except ValueError:
                die("%s: bad weight %r" % (where, w))
            if not 0.0 < wv <= 1.0:
                die("%s: weight %r not in (0,1]" % (where, w))
            g.curated(phrase, codes, kind, fl, wv)
    for d in drops:
        # drop the place readings of a phrase; its country-name readings stay ("Mexico" the
        # country stays when the Philippine town "Mexico" is dropped)
        e = g.entries.get(key_of(d))
        if e is None or e["curated"]:
            continue
        for code in [c for c, v in e["cands"].items() if v[0] >= 3]:
            del e["cands"][code]
        if not e["cands"]:
            del g.entries[key_of(d)]
    for phrase, fl in flags:
        e = g.entries.get(key_of(phrase))
        if e is not None:
            e["flags"].update(fl.replace("-", ""))

    for e in g.entries.values():
        if not e["curated"]:
            for code in [c for c in e["cands"] if c not in valid]:
                del e["cands"][code]
    g.entries = {k: e for k, e in g.entries.items() if e["cands"] or e["curated"]}
    rows = g.resolve()
    os.makedirs(a.out, exist_ok=True)
    gout = os.path.join(a.out, "gazetteer.tsv")
    tmp = gout + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write("#newstag-gazetteer\t1\n")
        f.write("# Built by plugins/region/build_gazetteer.py from world-countries (ODbL 1.0), iso-codes "
                "(LGPL-2.1+), UN M49 via lukes (CC BY-SA 4.0), GeoNames (CC BY 4.0), SimpleMaps World "
                "Cities Basic (CC BY 4.0) and plugins/region/curated.tsv; see models/region/README.md\n")
        f.write("# phrase\tcodes\tkind\tflags\tweight\n")
        for k, phrase, codes, kind, fl, w in rows:
            f.write("%s\t%s\t%s\t%s\t%g\n" % (phrase, "|".join(codes) if codes else "-", kind,
                                             "".join(sorted(fl)) or "-", w))
        for phrase, code, words in g.cues:
            f.write("@cue\t%s\t%s\t%s\n" % (phrase, code, " ".join(words)))
    os.replace(tmp, gout)

    # Region map.
    region = {}
    for row in m49:
        code, reg, sub, inter = row["alpha-2"], row["region"], row["sub-region"], row["intermediate-region"]
        if code in MIDDLE_EAST:
            r = "middle-east"
        elif code in SOUTH_ASIA:
            r = "south-asia"
        elif code in EAST_ASIA:
            r = "east-asia"
        elif code in NORTH_AMERICA:
            r = "north-america"
        elif code in EUROPE_EXTRA or reg == "Europe":
            r = "europe"
        elif sub == "Central Asia":
            r = "central-asia"
        elif sub == "South-eastern Asia":
            r = "southeast-asia"
        elif reg == "Africa":
            r = "africa"
        elif sub == "Latin America and the Caribbean":
            r = "latin-america"
        elif reg == "Oceania":
            r = "oceania"
        else:
            continue
        region[code] = r
    region["XK"] = "europe"
    rout = os.path.join(a.out, "region-map.tsv")
    with open(rout + ".tmp", "w", encoding="utf-8", newline="\n") as f:
        f.write("#newstag-region-map\t1\n")
        f.write("# ISO 3166-1 alpha-2 code -> region (../shared/taxonomy.md): UN M49 (lukes, CC BY-SA 4.0) "
                "with Iran and Egypt in middle-east and AM AZ CY GE in europe. Replace freely.\n")
        for code in sorted(region):
            f.write("%s\t%s\n" % (code, region[code]))
    os.replace(rout + ".tmp", rout)
    unmapped = sorted(set(r["alpha-2"] for r in m49) - set(region))
    print("build_gazetteer: %d phrases, %d cues -> %s; %d codes -> %s (unmapped: %s)" % (
        len(rows), len(g.cues), gout, len(region), rout, " ".join(unmapped) or "none"))


if __name__ == "__main__":
    main()
