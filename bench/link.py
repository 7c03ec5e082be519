"""Linking at scale: link 10k, 30k and 100k claims; print time and peak memory.

Claims come from PolNeAR (train and dev texts) and FNC-1 train bodies in
../shared/corpora. By default each sentence is a claim (the article's own
assertions), and when more claims are needed, the clauses of long sentences
(split at ; : dashes and ", but/while/and"), then their comma-separated
parts, are added as further claims. With
--extract the project's extractor supplies the claims of each article first
(with speakers), sentences filling up the rest.

Each size runs in a fresh subprocess (one at a time) so that peak memory
(ru_maxrss) is that size's own; the time covers building the CaseClaims' link
index and linking (LinkIndex.add), not reading the corpora.

    .venv/bin/python bench/link.py [--sizes 10000 30000 100000] [--extract]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
_CLAUSE = re.compile(r"\s*(?:;|:|\s[-–—]{1,2}\s|,\s(?=(?:but|while|and|although|whereas)\s))\s*")


def documents() -> list[str]:
    docs = []
    with (CORPORA / "fnc1" / "train_bodies.csv").open(encoding="utf-8", newline="") as fh:
        docs.extend(r["articleBody"] for r in csv.DictReader(fh))
    for part in ("train", "dev"):
        for p in sorted((CORPORA / "polnear" / part / "text").glob("*.txt")):
            docs.append(p.read_text(encoding="utf-8"))
    return docs


def pool(n: int, extract: bool) -> list[dict[str, object]]:
    """At least ``n`` claim records {article, content, speaker, kind} (deterministic)."""
    from claimtrack.linking.stance import split_sentences

    docs = documents()
    out: list[dict[str, object]] = []
    sents: list[tuple[int, list[str]]] = []
    for a, text in enumerate(docs, 1):
        ss = [s for s in split_sentences(text) if len(s) >= 20]
        sents.append((a, ss))
        if extract:
            from claimtrack.extract.api import extract_claims

            for c in extract_claims(text):
                out.append(
                    {
                        "article": a,
                        "content": c.content.text,
                        "source": c.source.text if c.source else None,
                    }
                )
    for a, ss in sents:
        out.extend({"article": a, "content": s, "source": None} for s in ss)
    if len(out) < n:
        for a, ss in sents:
            for s in ss:
                parts = [p for p in _CLAUSE.split(s) if len(p) >= 25]
                if len(parts) > 1:
                    out.extend({"article": a, "content": p, "source": None} for p in parts)
    if len(out) < n:
        # finer pieces: the comma-separated parts of long sentences, not yet used
        seen = {str(r["content"]) for r in out}
        for a, ss in sents:
            for s in ss:
                parts = [p for p in s.split(", ") if len(p) >= 25 and p not in seen]
                if len(parts) > 1:
                    seen.update(parts)
                    out.extend({"article": a, "content": p, "source": None} for p in parts)
    return out[:n]


def child(n: int, extract: bool) -> None:
    from claimtrack.linking import LinkIndex
    from claimtrack.models import CaseClaim, Relation

    recs = pool(n, extract)
    claims = [
        CaseClaim(
            id=i + 1,
            article_id=int(str(r["article"])),
            content=str(r["content"]),
            source_text=r["source"] if isinstance(r["source"], str) else None,
        )
        for i, r in enumerate(recs)
    ]
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    c0 = time.process_time()
    index = LinkIndex()
    links = index.add(claims)
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    by = {r.value: sum(1 for lk in links if lk.relation == r) for r in Relation}
    print(
        json.dumps(
            {
                "claims": len(claims),
                "seconds": round(dt, 1),
                "cpu_seconds": round(cpu, 1),
                "peak_rss_mb": round(rss / 1024, 1),
                "rss_before_linking_mb": round(rss0 / 1024, 1),
                "links": len(links),
                "by_relation": {k: v for k, v in by.items() if v},
            }
        )
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    ap.add_argument("--extract", action="store_true")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.extract)
        return 0
    rows = []
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--child", str(n)] + (
            ["--extract"] if args.extract else []
        )
        res = subprocess.run(cmd, capture_output=True, text=True, check=True)
        row = json.loads(res.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"{row['claims']:>7} claims  {row['seconds']:>7.1f} s wall  {row['cpu_seconds']:>7.1f} s cpu  "
            f"peak {row['peak_rss_mb']:>7.1f} MB (before linking {row['rss_before_linking_mb']} MB)  "
            f"{row['links']} links {row['by_relation']}",
            flush=True,
        )
    if len(rows) > 1:
        base = rows[0]
        for r in rows[1:]:
            ratio = (r["cpu_seconds"] / base["cpu_seconds"]) / (r["claims"] / base["claims"])
            print(f"cpu time per claim at {r['claims']} vs {base['claims']}: x{ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
