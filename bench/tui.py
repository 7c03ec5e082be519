"""Open and scroll a 100k-claim case in the review app (headless) and print the times.

    .venv/bin/python bench/tui.py [--claims 100000] [--db /tmp/bench-tui.db] [--keep]

Builds a synthetic case (articles, sources, claims, links, scores; fixed seed)
through the Case API's migrations plus bulk inserts, then drives ReviewApp with
Textual's Pilot: time to the first screen of rows, page-down scrolling, jumping
to the end, re-sorting, filtering and searching. Each number is wall time until
the rows on screen are loaded (not merely requested).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from claimtrack.store import Case  # noqa: E402
from claimtrack.store.queries import ClaimQuery  # noqa: E402

WORDS = [
    "russia",
    "iran",
    "drones",
    "missiles",
    "officials",
    "said",
    "talks",
    "navy",
    "libya",
    "syria",
    "ukraine",
    "supply",
    "weapons",
    "report",
    "according",
    "sources",
    "claimed",
    "denied",
    "military",
    "base",
    "troops",
    "attack",
]


def build(path: Path, n_claims: int, seed: int = 7) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    Case.open(str(path)).close()  # schema through the migrations
    rng = random.Random(seed)
    per_article = 50
    n_articles = max(1, n_claims // per_article)
    n_sources = max(10, n_claims // 30)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = OFF")
    now = "2024-01-01 00:00:00"
    sentence = " ".join(rng.choice(WORDS) for _ in range(16)) + "."
    text = ((sentence + " ") * 4 + "\n") * (per_article // 4) + (sentence + " ") * (per_article % 4)
    con.executemany(
        "INSERT INTO article (id, content_hash, text, title, outlet, size, ingested_at, format, "
        "encoding) VALUES (?, ?, ?, ?, ?, ?, ?, 'text', 'utf-8')",
        [
            (a, f"{a:064x}", text, f"Article {a}", f"outlet{a % 40}", len(text), now)
            for a in range(1, n_articles + 1)
        ],
    )
    kinds = ["person", "organization", "government", "media", "anonymous"]
    con.executemany(
        "INSERT INTO source (id, key, name, kind, version, created_at) VALUES (?, ?, ?, ?, 1, ?)",
        [(s, f"k:{s}", f"Source {s:05d}", rng.choice(kinds), now) for s in range(1, n_sources + 1)],
    )
    con.executemany(
        "INSERT INTO source_score (source_id, reliability, letter, confirmed, refuted, "
        "explanation, computed_at) VALUES (?, ?, ?, 0, 0, '[]', ?)",
        [(s, rng.random(), rng.choice("ABCDEF"), now) for s in range(1, n_sources + 1)],
    )
    slen = len(sentence) + 1
    claims = []
    for c in range(1, n_claims + 1):
        a = (c - 1) // per_article + 1
        k = (c - 1) % per_article
        start = k * slen + k // 4
        content = text[start : start + len(sentence) - 1]
        claims.append(
            (
                c,
                a,
                k,
                f"{start}:{start + len(content)}:-",
                content,
                start,
                start + len(content),
                rng.choice(["asserts", "asserts", "asserts", "denies"]),
                rng.random() < 0.2,
                rng.randint(1, n_sources),
            )
        )
    con.executemany(
        "INSERT INTO claim (id, article_id, ordinal, span_key, content_text, content_start, "
        "content_end, stance, hedged, source_id, content_spans, hedges, quote, confidence, "
        "extractor, extractor_version, source_kind) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', '[]', 'indirect', 1.0, 'bench', '0', 'person')",
        claims,
    )
    con.executemany(
        "INSERT INTO claim_score (claim_id, probability, credibility, logodds, low, high, "
        "explanation, computed_at) VALUES (?, ?, ?, 0, 0, 1, '[]', ?)",
        [
            (c, p, 1 + int((1 - p) * 5.99), now)
            for c in range(1, n_claims + 1)
            for p in [rng.random()]
        ],
    )
    links = set()
    while len(links) < int(n_claims * 1.5):
        a, b = rng.randint(1, n_claims), rng.randint(1, n_claims)
        if a != b:
            links.add((min(a, b), max(a, b)))
    rels = ["corroborates", "corroborates", "contradicts", "repeats"]
    con.executemany(
        "INSERT INTO link (a_id, b_id, relation, confidence, reason, origin, version, created_at) "
        "VALUES (?, ?, ?, 0.7, 'bench', 'machine', 1, ?)",
        [(a, b, rng.choice(rels), now) for a, b in sorted(links)],
    )
    con.commit()
    con.close()


async def drive(path: Path) -> dict[str, float]:
    from claimtrack.tui.app import ReviewApp
    from claimtrack.tui.table import ClaimTable

    times: dict[str, float] = {}
    t0 = time.perf_counter()
    case = Case.open(str(path), create=False)
    times["Case.open (imports, migration check)"] = time.perf_counter() - t0
    app = ReviewApp(case)

    def table() -> ClaimTable:
        return app.claims_screen.query_one(ClaimTable)

    def visible_loaded() -> bool:
        t = table()
        if not t.ids:
            return t._generation > 1  # an empty result, shown
        top = int(t.scroll_offset.y)
        rows = t.ids[top : top + t.size.height - 1]
        return all(i in t.cache for i in rows)

    async def until(pilot: object, cond: object, start: float) -> float:
        while not cond():  # type: ignore[operator]
            await asyncio.sleep(0.002)
            if time.perf_counter() - start > 60:
                raise TimeoutError("the screen did not load in 60 s")
        return time.perf_counter() - start

    def mounted() -> bool:
        return bool(app.claims_screen.is_mounted)

    def ids_loaded() -> bool:
        return bool(app.claims_screen.is_mounted and table().ids)

    start = time.perf_counter()
    async with app.run_test(size=(160, 48)) as pilot:
        times["open: app up (Textual start, no data)"] = await until(pilot, mounted, start)
        times["open: ordered ids loaded"] = await until(pilot, ids_loaded, start)
        times["open (first screen of rows)"] = await until(pilot, visible_loaded, start)
        screen = app.claims_screen
        t = table()
        assert len(t.ids) > 0

        async def timed(action: Callable[[], object], changes_ids: bool = False) -> float:
            before = t._generation
            t0 = time.perf_counter()
            action()
            if changes_ids:
                return await until(pilot, lambda: t._generation > before and visible_loaded(), t0)
            return await until(pilot, visible_loaded, t0)

        pages = [await timed(t.action_page_down) for _ in range(30)]
        times["page down (median of 30)"] = statistics.median(pages)
        times["page down (worst of 30)"] = max(pages)
        times["jump to the end"] = await timed(t.action_last)
        times["jump to the middle"] = await timed(lambda: setattr(t, "cursor", len(t.ids) // 2))
        frames = []
        for _ in range(20):
            t0 = time.perf_counter()
            for y in range(t.size.height):
                t.render_line(y)
            frames.append(time.perf_counter() - t0)
        times["render the table's lines (median)"] = statistics.median(frames)
        for label, query in (
            ("sort by credibility", ClaimQuery(sort="credibility")),
            ("sort by contradicting links", ClaimQuery(sort="contradicting", descending=True)),
            ("filter contested", ClaimQuery(contested=True)),
            ("filter unreviewed + grade B", ClaimQuery(unreviewed=True, grade="B")),
            ("search text", ClaimQuery(search="source 001")),
            ("back to all claims", ClaimQuery()),
        ):
            times[label] = await timed(lambda q=query: screen.set_query(q), changes_ids=True)
        t0 = time.perf_counter()
        await pilot.press("down", "down", "down")
        times["3 key presses through Pilot (with its waits)"] = time.perf_counter() - t0
        await pilot.press("q")
    case.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/claimtrack-bench-tui.db"))
    parser.add_argument("--reuse", action="store_true", help="reuse an existing --db")
    args = parser.parse_args()
    if not (args.reuse and args.db.exists()):
        t0 = time.perf_counter()
        build(args.db, args.claims)
        print(f"built {args.claims:,} claims in {time.perf_counter() - t0:.1f} s: {args.db}")
    times = asyncio.run(drive(args.db))
    for label, value in times.items():
        print(f"{label:<32} {value * 1000:8.0f} ms")


if __name__ == "__main__":
    main()
