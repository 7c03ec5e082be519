"""FNC-1 stance detection with claimtrack's linking.

Each headline is a claim, each body an article whose sentences are compared with
the claim by claimtrack.linking (the article's own assertions; the stance model
turns the link evidence into agree / disagree / discuss / unrelated). Writes
``Headline,Body ID,Stance`` for every row of --stances (its Stance column, if
present, is ignored).

    .venv/bin/python bench/fnc1.py --bodies B.csv --stances S.csv --out P.csv
    ../shared/tools/eval_stance.py S.csv P.csv

``--split`` first writes the Body-ID split of ../shared/corpora/fnc1/train_* to
/tmp/claimtrack-bench/fnc1/ and runs on its held-out part.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fnc1_data import FNC1, OUT, read_bodies, split  # noqa: E402

from claimtrack.linking.stance import Body, analyse_body, stance_between  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bodies", type=Path)
    ap.add_argument("--stances", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--split", action="store_true", help="run on the held-out Body-ID split")
    args = ap.parse_args(argv)
    if args.split:
        paths = split(FNC1, OUT)
        args.bodies = args.bodies or paths["heldout_bodies"]
        args.stances = args.stances or paths["heldout_stances"]
        args.out = args.out or OUT / "heldout_pred.csv"
    if not (args.bodies and args.stances and args.out):
        ap.error("--bodies, --stances and --out are required (or --split)")
    t0 = time.time()
    bodies = read_bodies(args.bodies)
    cache: dict[int, Body] = {}
    n = 0
    with (
        args.stances.open(encoding="utf-8", newline="") as fin,
        args.out.open("w", encoding="utf-8", newline="") as fout,
    ):
        w = csv.writer(fout, lineterminator="\n")
        w.writerow(["Headline", "Body ID", "Stance"])
        for row in csv.DictReader(fin):
            bid = int(row["Body ID"])
            body = cache.get(bid)
            if body is None:
                body = cache[bid] = analyse_body(bodies.get(bid, ""))
            w.writerow([row["Headline"], row["Body ID"], stance_between(row["Headline"], body)])
            n += 1
    print(
        f"{n} pairs, {len(cache)} bodies in {time.time() - t0:.1f}s -> {args.out}", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
