"""Benchmark: the credibility report of a 10k-claim case (target: under 5 s).

Builds a synthetic case in a temporary SQLite database through the schema
(articles, sources, claims, links of every relation including analyst
decisions, scores, reviews), then times reading it (store/reporting) and
rendering the Markdown report and the JSON export. Wall-clock times; the CPU
time of the report is printed too (on a busy machine the two differ).

    .venv/bin/python bench/report.py [--claims 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from claimtrack.report import export_json, render_markdown
from claimtrack.store import Case
from claimtrack.store.reporting import Selection, report_data
from claimtrack.store.schema import (
    ArticleRow,
    CaseSettingRow,
    ClaimReviewRow,
    ClaimRow,
    ClaimScoreRow,
    LinkRow,
    SourceRow,
    SourceScoreRow,
)

KINDS = ["person", "media", "government", "organization", "anonymous", "unknown"]
WORDS = [
    "Russia",
    "Iran",
    "Houthis",
    "missiles",
    "talks",
    "Yemen",
    "drones",
    "sanctions",
    "ministry",
    "officials",
    "report",
    "deal",
    "transfer",
    "negotiations",
    "Tehran",
    "Moscow",
    "navy",
    "base",
    "Libya",
    "Syria",
    "strike",
    "convoy",
    "|",
    "*",
    "_",
    "#",
    "<b>",
]


def build(case: Case, n_claims: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = datetime(2024, 1, 1, tzinfo=UTC)
    n_articles = max(1, n_claims // 20)
    n_sources = max(1, n_claims // 12)
    with case.write() as s:
        s.execute(
            insert(ArticleRow),
            [
                {
                    "id": i,
                    "content_hash": f"{i:064x}",
                    "text": "text",
                    "title": f"Article {i}: " + " ".join(rng.choices(WORDS, k=8)),
                    "outlet": f"Outlet {i % 40}",
                    "url": f"https://outlet{i % 40}.example/{i}",
                    "published": date(2024, 1, 1) + timedelta(days=i % 300),
                    "path": f"articles/{i}.txt",
                    "ingested_at": now,
                }
                for i in range(1, n_articles + 1)
            ],
        )
        s.execute(
            insert(SourceRow),
            [
                {
                    "id": i,
                    "key": f"k:{i}",
                    "name": f"Source {i} " + rng.choice(WORDS),
                    "kind": KINDS[i % len(KINDS)],
                    "affiliation": rng.choice([None, "United Kingdom", "Russia", "Yemen"]),
                    "created_at": now,
                }
                for i in range(1, n_sources + 1)
            ],
        )
        s.execute(
            insert(ClaimRow),
            [
                {
                    "id": i,
                    "article_id": (i - 1) // 20 + 1,
                    "ordinal": (i - 1) % 20,
                    "span_key": f"{i}:{i + 5}:",
                    "content_text": " ".join(rng.choices(WORDS, k=rng.randint(6, 30))),
                    "content_start": 0,
                    "content_end": 4,
                    "cue_text": rng.choice(["said", "reportedly", "according to", "denied"]),
                    "source_text": "he",
                    "source_id": rng.randint(1, n_sources) if i % 7 else None,
                    "stance": "denies" if i % 13 == 0 else "asserts",
                    "content_spans": "[]",
                    "hedges": "[]",
                }
                for i in range(1, n_claims + 1)
            ],
        )
        links = {}
        for _ in range(n_claims * 6 // 10):
            a, b = sorted(rng.sample(range(1, n_claims + 1), 2))
            rel = rng.choice(["corroborates", "repeats", "contradicts", "corroborates"])
            links[(a, b)] = {
                "a_id": a,
                "b_id": b,
                "relation": rel,
                "confidence": 0.8,
                "reason": "bench",
                "origin": "machine",
                "origin_claim_id": a if rel == "repeats" else None,
                "created_at": now,
            }
        s.execute(insert(LinkRow), list(links.values()))
        analyst = [
            {**row, "origin": "analyst", "relation": "none"}
            for row in list(links.values())[: len(links) // 50]
        ]
        s.execute(insert(LinkRow), analyst)
        scores = []
        for i in range(1, n_claims + 1):
            p = rng.random()
            scores.append(
                {
                    "claim_id": i,
                    "probability": p,
                    "credibility": rng.randint(1, 6),
                    "logodds": 0.1,
                    "low": max(0.0, p - 0.1),
                    "high": min(1.0, p + 0.1),
                    "explanation": json.dumps([{"label": "prior", "weight": 0.1, "group": None}]),
                    "computed_at": now,
                }
            )
        s.execute(insert(ClaimScoreRow), scores)
        s.execute(
            insert(SourceScoreRow),
            [
                {
                    "source_id": i,
                    "reliability": 0.6,
                    "letter": "ABCDEF"[i % 6],
                    "confirmed": i % 3,
                    "refuted": i % 2,
                    "explanation": "[]",
                    "computed_at": now,
                }
                for i in range(1, n_sources + 1)
            ],
        )
        s.execute(
            insert(ClaimReviewRow),
            [
                {
                    "claim_id": i,
                    "status": "rejected" if i % 97 == 0 else "accepted",
                    "verdict": rng.choice(["true", "false", "unverified"]),
                    "note": "checked | *against* the wire",
                    "updated_at": now,
                    "updated_by": "bench",
                }
                for i in range(1, n_claims + 1, 37)
            ],
        )
        s.execute(
            insert(CaseSettingRow),
            [{"key": "anonymity_shrink", "value": "0.5", "updated_at": now}],
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="keep the database and report in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "bench-report.db"
        db.unlink(missing_ok=True)
        case = Case.open(str(db))
        t0 = time.perf_counter()
        build(case, args.claims)
        t1, c1 = time.perf_counter(), time.process_time()
        data = report_data(case, Selection())
        t2 = time.perf_counter()
        text = render_markdown(data)
        t3 = time.perf_counter()
        (folder / "report.md").write_text(text, encoding="utf-8")
        t4, c4 = time.perf_counter(), time.process_time()
        export = export_json(report_data(case, Selection(), with_text=True, with_explanations=True))
        t5 = time.perf_counter()
        case.close()
        print(f"case: {args.claims} claims, {len(data.links)} links, {len(data.sources)} sources")
        print(f"build database        {t1 - t0:6.2f} s")
        print(f"read (store)          {t2 - t1:6.2f} s")
        print(f"render Markdown       {t3 - t2:6.2f} s  ({len(text) / 1e6:.1f} MB)")
        print(f"report total          {t4 - t1:6.2f} s  (target < 5 s; CPU {c4 - c1:.2f} s)")
        print(f"export JSON (+read)   {t5 - t4:6.2f} s  ({len(export) / 1e6:.1f} MB)")
        return 0 if t4 - t1 < 5.0 else 1


if __name__ == "__main__":
    sys.exit(main())
