#!/usr/bin/env python3
"""reuters_places.py - read Reuters-21578 SGML into articles with ISO country labels (PLACES).

A helper module for region_eval.py: docs(split) yields dicts {id, title, text, countries} for the
documents of a LEWISSPLIT ("TEST" or "TRAIN") that have at least one PLACES label. The text is the
dateline followed by the body, as a wire story reads. Old codes are mapped to today's ISO codes
(ussr -> RU, west-germany and east-germany -> DE, czechoslovakia -> CZ, yugoslavia -> RS,
zaire -> CD, ...). Python 3 standard library only.
"""
import glob
import gzip
import html
import os
import re

# Reuters PLACES code -> ISO 3166-1 alpha-2.
PLACES = {
    "afghanistan": "AF", "albania": "AL", "algeria": "DZ", "american-samoa": "AS", "andorra": "AD",
    "angola": "AO", "anguilla": "AI", "antigua": "AG", "argentina": "AR", "aruba": "AW",
    "australia": "AU", "austria": "AT", "bahamas": "BS", "bahrain": "BH", "bangladesh": "BD",
    "barbados": "BB", "belgium": "BE", "belize": "BZ", "benin": "BJ", "bermuda": "BM", "bhutan": "BT",
    "bolivia": "BO", "botswana": "BW", "brazil": "BR", "british-virgin-islands": "VG", "brunei": "BN",
    "bulgaria": "BG", "burkina-faso": "BF", "burma": "MM", "burundi": "BI", "cameroon": "CM",
    "canada": "CA", "cape-verde": "CV", "cayman-islands": "KY", "central-african-republic": "CF",
    "chad": "TD", "chile": "CL", "china": "CN", "colombia": "CO", "congo": "CG", "costa-rica": "CR",
    "cuba": "CU", "cyprus": "CY", "czechoslovakia": "CZ", "denmark": "DK", "djibouti": "DJ",
    "dominica": "DM", "dominican-republic": "DO", "east-germany": "DE", "ecuador": "EC", "egypt": "EG",
    "el-salvador": "SV", "equatorial-guinea": "GQ", "ethiopia": "ET", "fiji": "FJ", "finland": "FI",
    "france": "FR", "french-guiana": "GF", "gabon": "GA", "gambia": "GM", "ghana": "GH",
    "gibraltar": "GI", "greece": "GR", "grenada": "GD", "guadeloupe": "GP", "guam": "GU",
    "guatemala": "GT", "guinea": "GN", "guinea-bissau": "GW", "guyana": "GY", "haiti": "HT",
    "honduras": "HN", "hong-kong": "HK", "hungary": "HU", "iceland": "IS", "india": "IN",
    "indonesia": "ID", "iran": "IR", "iraq": "IQ", "ireland": "IE", "israel": "IL", "italy": "IT",
    "ivory-coast": "CI", "jamaica": "JM", "japan": "JP", "jordan": "JO", "kampuchea": "KH",
    "kenya": "KE", "kuwait": "KW", "laos": "LA", "lebanon": "LB", "lesotho": "LS", "liberia": "LR",
    "libya": "LY", "liechtenstein": "LI", "luxembourg": "LU", "macao": "MO", "madagascar": "MG",
    "malawi": "MW", "malaysia": "MY", "mali": "ML", "malta": "MT", "martinique": "MQ",
    "mauritania": "MR", "mauritius": "MU", "mexico": "MX", "monaco": "MC", "morocco": "MA",
    "mozambique": "MZ", "namibia": "NA", "nepal": "NP", "netherlands": "NL",
    "netherlands-antilles": "CW", "new-caledonia": "NC", "new-zealand": "NZ", "nicaragua": "NI",
    "niger": "NE", "nigeria": "NG", "north-korea": "KP", "norway": "NO", "oman": "OM",
    "pakistan": "PK", "panama": "PA", "papua-new-guinea": "PG", "paraguay": "PY", "peru": "PE",
    "philippines": "PH", "poland": "PL", "portugal": "PT", "qatar": "QA", "romania": "RO",
    "rwanda": "RW", "saudi-arabia": "SA", "senegal": "SN", "seychelles": "SC", "sierra-leone": "SL",
    "singapore": "SG", "somalia": "SO", "south-africa": "ZA", "south-korea": "KR", "spain": "ES",
    "sri-lanka": "LK", "sudan": "SD", "suriname": "SR", "swaziland": "SZ", "sweden": "SE",
    "switzerland": "CH", "syria": "SY", "taiwan": "TW", "tanzania": "TZ", "thailand": "TH",
    "togo": "TG", "tonga": "TO", "trinidad-tobago": "TT", "tunisia": "TN", "turkey": "TR",
    "uae": "AE", "uganda": "UG", "uk": "GB", "uruguay": "UY", "us-virgin-islands": "VI", "usa": "US",
    "ussr": "RU", "vanuatu": "VU", "vatican": "VA", "venezuela": "VE", "vietnam": "VN",
    "west-germany": "DE", "western-samoa": "WS", "yemen-arab-republic": "YE",
    "yemen-demo-republic": "YE", "yugoslavia": "RS", "zaire": "CD", "zambia": "ZM", "zimbabwe": "ZW",
}

DOC_RE = re.compile(r"<REUTERS([^>]*)>(.*?)</REUTERS>", re.S)


def _field(tag, s):
    m = re.search(r"<%s(?:\s[^>]*)?>(.*?)</%s>" % (tag, tag), s, re.S)
    return m.group(1) if m else ""


def _clean(s):
    s = re.sub(r"&#(\d+);", lambda m: chr(int(m.group(1))) if int(m.group(1)) >= 32 else " ", s)
    s = html.unescape(s)
    s = s.replace("\r", "")
    s = re.sub(r"(?i)\s*\n?\s*Reuter\s*\W*\s*$", "", s.strip())
    return s


def data_dir():
    d = os.environ.get("NEWSTAG_SHARED_DATA")
    if d:
        return os.path.join(d, "reuters21578")
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(here))), "shared", "data",
                        "reuters21578")


def _split_docs(split, path):
    """Yield (attrs, body) of every document of `split` in the reut2-*.sgm.gz files under path."""
    files = sorted(glob.glob(os.path.join(path, "reut2-*.sgm.gz")))
    if not files:
        raise SystemExit("reuters_places: no reut2-*.sgm.gz under %s (../shared/data is absent; "
                         "set NEWSTAG_SHARED_DATA)" % path)
    for f in files:
        with gzip.open(f, "rt", encoding="latin-1") as fh:
            data = fh.read()
        for m in DOC_RE.finditer(data):
            if 'LEWISSPLIT="%s"' % split in m.group(1):
                yield m.group(1), m.group(2)


def split_texts(split, path=None):
    """Yield (title, body) of every document of `split` (with or without PLACES), the body's
    whitespace collapsed: unlabelled text (plugins/tone/embed.py)."""
    for _, body in _split_docs(split, path or data_dir()):
        text = _field("TEXT", body)
        yield _clean(_field("TITLE", text)), " ".join(_clean(_field("BODY", text)).split())


def docs(split="TEST", path=None):
    """Yield {id, title, text, countries} for docs of `split` with >= 1 PLACES label."""
    for attrs, body in _split_docs(split, path or data_dir()):
        places = re.findall(r"<D>(.*?)</D>", _field("PLACES", body))
        if not places:
            continue
        codes = sorted({PLACES[p] for p in places if p in PLACES})
        unknown = [p for p in places if p not in PLACES]
        if unknown:
            raise SystemExit("reuters_places: unmapped PLACES code(s) %s" % unknown)
        newid = re.search(r'NEWID="(\d+)"', attrs).group(1)
        text = _field("TEXT", body)
        title = _clean(_field("TITLE", text))
        dateline = _clean(_field("DATELINE", text)).strip()
        b = _field("BODY", text)
        if not b:
            b = re.sub(r"<[^>]+>", " ", text)
        b = _clean(b)
        # re-wrap the fixed-width lines into paragraphs (indented lines start paragraphs)
        paras = re.split(r"\n\s{2,}|\n\s*\n", b)
        b = "\n\n".join(" ".join(p.split()) for p in paras if p.strip())
        full = (dateline + " " + b).strip() if dateline else b
        yield {"id": "reuters-" + newid, "title": title, "text": full, "countries": codes}
