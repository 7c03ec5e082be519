"""The store's source step (SourceFinder.get_many) per article, as the case grows.

    .venv/bin/python bench/sources_store.py [--sizes 1000,10000,100000] [--articles 60]

Issue 9 wants ingest at 50k articles (about 10^5 sources) within 30% of its
speed at 1k: the per-article cost of finding-or-creating sources must not grow
with the case. This bench fills an SQLite case with N synthetic sources (people
sharing surnames, bodies, and article-local anonymous rows, each with aliases,
``match_key`` as ingest sets it), then times ``SourceFinder.get_many`` on the
speakers of real PolNeAR articles (extracted and resolved once, beforehand),
each article in a transaction that is rolled back so the case keeps its size.
It prints the CPU ms and the SQL statements per article at each size.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpora"
sys.path.insert(0, str(REPO))


def speakers_of(texts: list[str]) -> list[list]:  # type: ignore[type-arg]
    from claimtrack.extract import extract_claims
    from claimtrack.sources import resolve_claims

    out = []
    for text in texts:
        resolved = resolve_claims(text, extract_claims(text))
        out.append([sp for rc in resolved for sp in (rc.speaker, rc.cited) if sp is not None])
    return out


def fill(url: str, n: int, seed: int = 7) -> None:
    """N synthetic sources with their aliases, inserted in bulk."""
    from sqlalchemy import text

    from claimtrack.store import Case, utcnow
    from claimtrack.store.sources import normalise_alias, source_match_key

    rnd = random.Random(seed)
    firsts = ["John", "Mary", "Ahmed", "Olga", "Li", "Maria", "Peter", "Anna", "Omar", "Sara"]
    surnames = [f"Surname{i}" for i in range(max(1, n // 8))]
    sources, aliases = [], []
    now = utcnow()
    for i in range(1, n + 1):
        r = rnd.random()
        if r < 0.55:
            name = f"{rnd.choice(firsts)} {rnd.choice(surnames)}"
            key, kind, alias = f"person:{name.lower()}#{i}", "person", f"Mr {name.split()[1]}"
        elif r < 0.7:
            name = f"Organisation {i} Institute"
            key, kind, alias = f"organization:{name.lower()}", "organization", f"OI{i}"
        else:
            name = "senior official"
            key, kind, alias = f"anonymous:senior official@{i}", "anonymous", "the official"
        sources.append(
            {
                "i": i,
                "k": key,
                "n": name,
                "t": kind,
                "m": source_match_key(key, name, kind),
                "c": now,
            }
        )
        for a in (name, alias):
            aliases.append({"s": i, "a": a, "n": normalise_alias(a)})
    with Case.open(url) as case, case.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO source (id, key, name, kind, match_key, version, created_at) "
                "VALUES (:i, :k, :n, :t, :m, 1, :c)"
            ),
            sources,
        )
        conn.execute(
            text(
                "INSERT INTO source_alias (source_id, alias, norm, origin) "
                "VALUES (:s, :a, :n, 'machine')"
            ),
            aliases,
        )


def measure(url: str, articles: list[list]) -> tuple[float, float]:  # type: ignore[type-arg]
    """(CPU ms, SQL statements) per article of SourceFinder.get_many, rolled back."""
    from sqlalchemy import event

    from claimtrack.store import Case
    from claimtrack.store.sources import SourceFinder

    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    with Case.open(url) as case:
        event.listen(case.engine, "before_cursor_execute", count)
        with case.session() as s:  # warm-up: lexicons, statement caches
            SourceFinder(s, 10**6).get_many(articles[0])
            s.rollback()
        statements = 0
        t0 = time.process_time()
        for j, speakers in enumerate(articles):
            with case.session() as s:
                SourceFinder(s, 10**6 + j).get_many(speakers)
                s.rollback()
        cpu = time.process_time() - t0
    return 1000 * cpu / len(articles), statements / len(articles)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--articles", type=int, default=60)
    ap.add_argument("--shared", type=Path, default=SHARED)
    args = ap.parse_args()
    paths = sorted((args.shared / "polnear" / "train" / "text").glob("*.txt"))[: args.articles]
    if not paths:
        print(f"no PolNeAR texts under {args.shared}", file=sys.stderr)
        return 2
    articles = speakers_of([p.read_text(encoding="utf-8", errors="replace") for p in paths])
    n_sp = sum(len(a) for a in articles) / len(articles)
    print(f"{len(articles)} PolNeAR articles, {n_sp:.1f} speakers each")
    with tempfile.TemporaryDirectory(prefix="claimtrack-srcbench-") as tmp:
        for size in [int(x) for x in args.sizes.split(",")]:
            url = str(Path(tmp) / f"case{size}.db")
            fill(url, size)
            ms, stmts = measure(url, articles)
            print(f"{size:>7} sources: {ms:6.2f} ms CPU per article, {stmts:.1f} SQL statements")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
