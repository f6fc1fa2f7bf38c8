#!/usr/bin/env python3
"""region_stages.py - where the region plugin's time goes: region_speed with classify() cut short after each stage.

Builds six variants of tests/bench/region_speed.c, each on a copy of plugins/region/region.c whose
classify() returns after one more of its stages (the copy is patched at fixed anchor lines; the
script stops with an error when an anchor is not in region.c any more), and prints what each
variant adds to the document model's own time (region_speed's interleaved measurement):
  1 candidates listed (capitalised words that pass the Bloom filter)   2 + first-word probes
  3 + phrases matched (multi-word probes, entries)   4 + rules and mentions   5 + countries resolved
  and summed   6 the whole classify(), labels emitted.
The differences between consecutive lines are the stages' costs. The variants discard their work
by design; only the full one is the plugin.

Usage: python3 tests/bench/region_stages.py --build BUILD_DIR --rec FILE.rec [--rec ...] [--rounds 7]
FILE.rec: the record files `tests/bench/region_speed.py --keep DIR` writes (reuters.rec, recent.rec).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

# (anchor, text inserted before it, stage): each stage returns before the work that follows
CUTS = [
    ("\tfor (size_t c = 0; c < ncand && nm < cap_m; c++) {\n",
     "#if STAGE == 1\n\tif (ncand > 100000) nm++;\n\tcontinue;\n#endif\n", 1),
    ("\t\tif (fv & RG_FIRST_MULTI) {\n",
     "#if STAGE == 2\n\t\tif (fv == 12345) nm++;\n\t\tcontinue;\n#endif\n", 2),
    ("\t\tif (en->kind != RG_BLOCK) {\n",
     "#if STAGE == 3\n\t\tif (en->kind == 200) nm++;\n\t\tnext = last + 1;\n\t\tcontinue;\n#endif\n", 3),
    ("\t/* pass 3: resolve the remaining ambiguous mentions by support and cues */\n",
     "#if STAGE == 4\n\tif (nm > 100000) return 1;\n\treturn NT_OK;\n#endif\n", 4),
    ("\tuint64_t rmask = 0; /* regions given mass */\n",
     "#if STAGE == 5\n\tif (maxmass > 1e300) return 1;\n\treturn NT_OK;\n#endif\n", 5),
]
NAMES = {1: "candidates listed", 2: "+ first-word probes", 3: "+ phrases matched",
         4: "+ rules and mentions", 5: "+ countries resolved and summed", 6: "whole classify (labels emitted)"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--rec", action="append", required=True)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    a = ap.parse_args()
    with open(os.path.join(TOP, "plugins", "region", "region.c"), encoding="utf-8") as f:
        src = f.read()
    for anchor, ins, k in CUTS:
        if src.count(anchor) != 1:
            raise SystemExit("region_stages: the anchor of stage %d is not (once) in region.c: %r" % (k, anchor))
        src = src.replace(anchor, ins + anchor)
    with open(os.path.join(HERE, "region_speed.c"), encoding="utf-8") as f:
        bench = f.read()
    libdir = os.path.join(os.path.abspath(a.build), "core", ".libs")
    with tempfile.TemporaryDirectory(prefix="region_stages_") as tmp:
        with open(os.path.join(tmp, "region_stage.c"), "w", encoding="utf-8") as f:
            f.write(src)
        with open(os.path.join(tmp, "bench.c"), "w", encoding="utf-8") as f:
            f.write(bench.replace('#include "../../plugins/region/region.c"', '#include "region_stage.c"'))
        exes = {}
        for k in range(1, 7):
            exes[k] = os.path.join(tmp, "stage%d" % k)
            subprocess.run([a.cc, "-std=gnu11", "-O2", "-DSTAGE=%d" % k, "-I" + os.path.abspath(a.build),
                            "-I" + os.path.join(TOP, "include"), "-I" + os.path.join(TOP, "core"), "-I" + HERE, "-I" + os.path.join(TOP, "plugins", "region"),
                            os.path.join(tmp, "bench.c"), "-o", exes[k], "-L" + libdir, "-Wl,-rpath," + libdir,
                            "-lnewstag", "-lcjson", "-lm", "-pthread"], check=True)
        for rec in a.rec:
            print(os.path.basename(rec))
            for k in range(1, 7):
                out = subprocess.run([exes[k], rec, os.path.join(TOP, "models"), str(a.rounds)],
                                     stdout=subprocess.PIPE, text=True, check=True).stdout
                m = re.search(r"region adds ([-0-9.]+)% \(([-0-9.]+) us", out)
                if not m:
                    sys.exit("region_stages: unexpected output: " + out)
                print("  %d %-34s adds %5s%%  %s us/article" % (k, NAMES[k], m.group(1), m.group(2)))


if __name__ == "__main__":
    main()
