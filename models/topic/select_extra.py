#!/usr/bin/env python3
"""Select extra NON-reserved recent-news items for manual topic annotation.

Stdlib only. Reads /work/shared/data/recent-news/rumca-rss-2022-2023.jsonl and the
silver label file /work/shared/labels/recent-news-train.tsv. It NEVER decides labels:
it only selects candidate lines and prints them for a human-style reader.

Rules:
  * only lines whose 0-based index % 4 != 0 (index % 4 == 0 is reserved for evaluation
    and is never read into the candidate pools);
  * lines already in the silver file are skipped;
  * pools (matched on title + text, case-insensitive):
      nato-spending  : SPEND_RE  (defence budget/spending wording, % of GDP, 2%, burden sharing, ...)
      nato           : NATO_RE   (NATO, defence minister/industry, ammunition production, army cuts, ...),
                       second-pass pool for spending positives and NATO hard negatives
      middle-east    : ME_RE     (Israel, Gaza, Iran, Iraq, Syria, ...), not in the pools above
      random         : all remaining eligible lines (realistic negatives), plus a hard-negative
                       pool HARD_RE (missile strikes/launches, NATO summit/enlargement, oil prices, sport)
  * each pool is shuffled with random.Random(SEED) (one generator per pool, seeded SEED + k),
    candidates are taken in that order, and a line is only in one pool.

Usage: select_extra.py [pool] [start] [count] [--new]   pool in {spend, nato, me, hard, random, money}
       --new skips lines already present in labels-extra.tsv (next to this script)
Prints: line_index <TAB> date <TAB> title <TAB> text[:600]
"""
import json
import os
import random
import re
import sys

DATA = "/work/shared/data/recent-news/rumca-rss-2022-2023.jsonl"
SILVER = "/work/shared/labels/recent-news-train.tsv"
SEED = 424242

SPEND_RE = re.compile(
    r"defen[cs]e (budget|spending|expenditure|outlays?|bill|investment)|military (budget|spending|expenditure)"
    r"|% of (gdp|gross domestic)|per ?cent of (gdp|gross domestic)|\b2 ?%|two per ?cent|two percent|3\.5 ?%|\b5 ?% of"
    r"|burden.?sharing|bundeswehr|sondervermögen|special fund|defen[cs]e (fund|investment)|pentagon budget"
    r"|ndaa|national defen[cs]e authorization|spend(ing)? (more )?on (defen[cs]e|the military|arms)"
    r"|arms spending|defen[cs]e costs?|\brearm"
    # broader net (the silver set already holds all items of the narrow pattern):
    r"|pentagon|(budget|billion|spend|funding|fund\b|invest|contribut).{0,80}(military|defen[cs]e|armed forces|nato\b|army|navy|weapons|arms\b)"
    r"|(military|defen[cs]e|armed forces|nato\b|army|navy|weapons|arms\b).{0,80}(budget|billion|spend|funding|fund\b|invest|contribut)", re.I)
ME_RE = re.compile(
    r"israel|gaza|\biran|\biraq|syria|lebanon|lebanese|yemen|houthi|hamas|hezbollah|hizbollah|west bank"
    r"|saudi|palestin|tehran|baghdad|damascus|beirut|jerusalem|netanyahu|riyadh|\bidf\b|kurd", re.I)
# second-pass pool for nato-spending positives and NATO/defence hard negatives
NATO_RE = re.compile(
    r"\bnato\b|defen[cs]e (industry|review|minister|secretary|procurement|contract|chief)|zeitenwende|pistorius"
    r"|ben wallace|arms (industry|production)|ammunition (production|output|shortage|stock)|munitions? (production|factory|industry)"
    r"|armed forces.{0,40}(cuts?|shortfall|size)|military (cuts?|shortfall|readiness)|army (cuts?|size|shrink)|stoltenberg"
    r"|lloyd austin|debt (ceiling|limit).{0,100}(defen|military)", re.I)
# third-pass pool (overlaps the pools above, spend excluded): military word AND money word anywhere
MIL_RE = re.compile(r"defen[cs]e|military|pentagon|army|armed forces|nato\b|navy|troops|weapons|arms\b|munition", re.I)
MONEY_RE = re.compile(r"\bspend|spent|budget|\bgdp\b|funding|\bcuts?\b|billion|£|€|\binvest|afford|taxpayer"
                      r"|appropriation|shutdown", re.I)
HARD_RE = re.compile(
    r"missile|rocket|\bnato\b|summit|oil price|brent|opec|crude|football|soccer|world cup|premier league"
    r"|tennis|olympic|nba|nfl", re.I)


def load():
    if not os.path.exists(DATA):
        print(f"select_extra.py: data file {DATA} is absent; nothing to select", file=sys.stderr)
        sys.exit(2)
    silver = set()
    if os.path.exists(SILVER):
        with open(SILVER, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    silver.add(int(line.split("\t", 1)[0]))
    items = []
    with open(DATA, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % 4 == 0:          # reserved for evaluation: never look at it
                continue
            if i in silver:
                continue
            d = json.loads(line)
            items.append((i, d))
    return items


def pools(items):
    spend, nato, me, hard, rnd = [], [], [], [], []
    for i, d in items:
        s = (d.get("title") or "") + " " + (d.get("text") or "")
        if SPEND_RE.search(s):
            spend.append(i)
        elif NATO_RE.search(s):
            nato.append(i)
        elif ME_RE.search(s):
            me.append(i)
        elif HARD_RE.search(s):
            hard.append(i)
        else:
            rnd.append(i)
    out = {}
    for k, (name, lst) in enumerate([("spend", spend), ("me", me), ("hard", hard), ("random", rnd), ("nato", nato)]):
        lst = sorted(lst)
        random.Random(SEED + k).shuffle(lst)
        out[name] = lst
    money = sorted(i for i, d in items if i not in set(spend)
                   and MIL_RE.search((d.get("title") or "") + " " + (d.get("text") or ""))
                   and MONEY_RE.search((d.get("title") or "") + " " + (d.get("text") or "")))
    random.Random(SEED + 5).shuffle(money)
    out["money"] = money
    return out


def main():
    items = load()
    byidx = dict(items)
    p = pools(items)
    if len(sys.argv) < 2:
        for k, v in p.items():
            print(k, len(v))
        return
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    name = args[0]
    start = int(args[1]) if len(args) > 1 else 0
    count = int(args[2]) if len(args) > 2 else 25
    lst = p[name]
    if "--new" in sys.argv:      # skip lines already written to labels-extra.tsv
        here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "labels-extra.tsv")
        seen = set()
        if os.path.exists(here):
            with open(here, encoding="utf-8") as f:
                seen = {int(x.split("\t", 1)[0]) for x in f if x.strip()}
        lst = [i for i in lst if i not in seen]
    for i in lst[start:start + count]:
        d = byidx[i]
        text = (d.get("text") or "").replace("\n", " ").replace("\t", " ")
        title = (d.get("title") or "").replace("\t", " ")
        if text.strip() == title.strip():
            text = ""
        print(f"{i}\t{d.get('date')}\t{title}\t{text[:600]}")


if __name__ == "__main__":
    main()
