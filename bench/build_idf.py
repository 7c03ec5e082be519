"""Build claimtrack/linking/data/idf.json: document frequencies of linking concepts.

Counts, over news articles (FNC-1 train bodies and PolNeAR train texts from
../shared/corpora), in how many documents each concept (stem, synonym group,
entity) of claimtrack.linking.text.analyse occurs. Concepts seen in fewer than
3 documents are left out (they get the maximum weight at run time).

    .venv/bin/python bench/build_idf.py [--corpora ../shared/corpora]
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from pathlib import Path

from claimtrack.linking.text import analyse

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "claimtrack" / "linking" / "data" / "idf.json"


def documents(corpora: Path) -> list[str]:
    docs: list[str] = []
    with (corpora / "fnc1" / "train_bodies.csv").open(encoding="utf-8", newline="") as fh:
        docs.extend(row["articleBody"] for row in csv.DictReader(fh))
    for path in sorted((corpora / "polnear" / "train" / "text").glob("*.txt")):
        docs.append(path.read_text(encoding="utf-8"))
    return docs


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--min-df", type=int, default=3)
    args = ap.parse_args()
    docs = documents(args.corpora)
    df: Counter[str] = Counter()
    for text in docs:
        df.update(c for c in analyse(text).concepts if not c.startswith("n:"))
    kept = {k: v for k, v in sorted(df.items()) if v >= args.min_df}
    OUT.write_text(
        json.dumps({"n_docs": len(docs), "min_df": args.min_df, "df": kept}, separators=(",", ":")),
        encoding="utf-8",
    )
    print(f"{len(docs)} documents, {len(kept)} concepts -> {OUT} ({OUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
