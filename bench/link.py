"""Linking at scale: link 10k, 30k and 100k claims; print time and peak memory.

Claims come from PolNeAR (train and dev texts) and FNC-1 train bodies in
../shared/corpora. By default each sentence is a claim (the article's own
assertions), and when more claims are needed, the clauses of long sentences
(split at ; : dashes and ", but/while/and"), then their comma-separated
parts, are added as further claims. Beyond what the corpora give (about 140k
claims), the pool is replayed as further articles (same texts, new article
ids), as a large case re-running the same stories would. With
--extract the project's extractor supplies the claims of each article first
(with speakers), sentences filling up the rest.

Each size runs in a fresh subprocess (one at a time) so that peak memory
(ru_maxrss) is that size's own. Claims are given to the index one article at a
time (as the store's writer does) and built lazily, so the claims themselves
are not held; the links are counted (and written with --dump), not kept. The
time covers building the CaseClaims, linking and indexing (LinkIndex.add), not
reading the corpora. ``index MB`` is the resident memory the index added
(current RSS after linking minus before), and ``B/claim`` that divided by
the number of claims.

With --features the claims' features are computed apart (as extraction
workers can, then LinkIndex.add_features) and their CPU is printed apart: the
rest is what a single writer spends linking.

    .venv/bin/python bench/link.py [--sizes 10000 30000 100000] [--extract] [--dump DIR] [--features]
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

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


def pool(n: int, extract: bool) -> list[tuple[int, str, str | None]]:
    """``n`` claim records (article, content, source), or all the corpora give if
    fewer (deterministic)."""
    from claimtrack.linking.stance import split_sentences

    docs = documents()
    out: list[tuple[int, str, str | None]] = []
    sents: list[tuple[int, list[str]]] = []
    for a, text in enumerate(docs, 1):
        ss = [s for s in split_sentences(text) if len(s) >= 20]
        sents.append((a, ss))
        if extract:
            from claimtrack.extract.api import extract_claims

            for c in extract_claims(text):
                out.append((a, c.content.text, c.source.text if c.source else None))
    for a, ss in sents:
        out.extend((a, s, None) for s in ss)
    if len(out) < n:
        for a, ss in sents:
            for s in ss:
                parts = [p for p in _CLAUSE.split(s) if len(p) >= 25]
                if len(parts) > 1:
                    out.extend((a, p, None) for p in parts)
    if len(out) < n:
        # finer pieces: the comma-separated parts of long sentences, not yet used
        seen = {r[1] for r in out}
        for a, ss in sents:
            for s in ss:
                parts = [p for p in s.split(", ") if len(p) >= 25 and p not in seen]
                if len(parts) > 1:
                    seen.update(parts)
                    out.extend((a, p, None) for p in parts)
    return out[:n]


def rss_now() -> int:
    """Current resident set size in bytes."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def child(n: int, extract: bool, dump: str | None, features: bool) -> None:
    from claimtrack.linking import LinkIndex
    from claimtrack.linking.text import claim_features
    from claimtrack.models import CaseClaim, Relation

    # the corpora and the pool are read (and freed) before the clock starts
    recs = pool(n, extract)
    gc.collect()
    index = LinkIndex()
    out = open(dump, "w", encoding="utf-8") if dump else None  # noqa: SIM115
    by: dict[str, int] = {r.value: 0 for r in Relation}
    rss0 = rss_now()
    peak0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    c0 = time.process_time()
    span = max(r[0] for r in recs)
    cid = 0
    chunk: list[CaseClaim] = []
    n_links = 0
    analysis = 0.0  # CPU spent in claim_features with --features

    def flush() -> None:
        nonlocal n_links, analysis
        if features:
            # as extraction workers would: the claims' features computed apart, the
            # index given them (LinkIndex.add_features); their CPU is counted apart
            a0 = time.process_time()
            fs = [claim_features(c) for c in chunk]
            analysis += time.process_time() - a0
            links = index.add_features(fs)
        else:
            links = index.add(chunk)
        n_links += len(links)
        for lk in links:
            by[lk.relation.value] += 1
        if out is not None:
            for lk in links:
                row: dict[str, Any] = {
                    "a": lk.a,
                    "b": lk.b,
                    "relation": lk.relation.value,
                    "confidence": lk.confidence,
                    "reason": lk.reason,
                    "origin_claim": lk.origin_claim,
                }
                out.write(json.dumps(row) + "\n")
        chunk.clear()

    replay = 0
    while cid < n:
        for a, content, source in recs:
            if cid == n:
                break
            cid += 1
            article = a + replay * span
            if chunk and chunk[-1].article_id != article:
                flush()
            chunk.append(CaseClaim(id=cid, article_id=article, content=content, source_text=source))
        replay += 1
    flush()
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    gc.collect()
    rss1 = rss_now()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if out is not None:
        out.close()
    print(
        json.dumps(
            {
                "claims": cid,
                "indexed": len(index),
                "seconds": round(dt, 1),
                "cpu_seconds": round(cpu, 1),
                "analysis_cpu_seconds": round(analysis, 1) if features else None,
                "peak_rss_mb": round(peak / 1024, 1),
                "rss_before_linking_mb": round(rss0 / 2**20, 1),
                "peak_before_linking_mb": round(peak0 / 1024, 1),
                "index_mb": round((rss1 - rss0) / 2**20, 1),
                # the index's own arrays, records and postings, where it can say
                "index_arrays_mb": round(index.memory_bytes() / 2**20, 1)
                if hasattr(index, "memory_bytes")
                else None,
                "bytes_per_claim": round((rss1 - rss0) / max(1, cid)),
                "links": n_links,
                "by_relation": {k: v for k, v in by.items() if v},
            }
        )
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    ap.add_argument("--extract", action="store_true")
    ap.add_argument(
        "--features",
        action="store_true",
        help="compute claim_features apart and link with LinkIndex.add_features; "
        "print the CPU of the analysis apart (what a writer saves when workers analyse)",
    )
    ap.add_argument("--dump", help="write each size's links as JSONL to DIR/links-N.jsonl")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--dump-file", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.extract, args.dump_file, args.features)
        return 0
    rows = []
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--child", str(n)]
        cmd += ["--extract"] if args.extract else []
        cmd += ["--features"] if args.features else []
        if args.dump:
            Path(args.dump).mkdir(parents=True, exist_ok=True)
            cmd += ["--dump-file", str(Path(args.dump) / f"links-{n}.jsonl")]
        res = subprocess.run(cmd, capture_output=True, text=True, check=True)
        row = json.loads(res.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"{row['claims']:>8} claims  {row['seconds']:>7.1f} s wall  {row['cpu_seconds']:>7.1f} s cpu  "
            f"peak {row['peak_rss_mb']:>7.1f} MB (before linking {row['peak_before_linking_mb']} MB)  "
            f"index {row['index_mb']} MB = {row['bytes_per_claim']} B/claim (RSS)  "
            + (
                f"sizeof {row['index_arrays_mb']} MB = "
                f"{round(row['index_arrays_mb'] * 2**20 / row['claims'])} B/claim  "
                if row.get("index_arrays_mb") is not None
                else ""
            )
            + (
                f"analysis {row['analysis_cpu_seconds']} s cpu of it  "
                if row.get("analysis_cpu_seconds") is not None
                else ""
            )
            + f"{row['links']} links {row['by_relation']}",
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
