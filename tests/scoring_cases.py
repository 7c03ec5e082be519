"""Pieces shared by the scoring tests: random sources and links of the synthetic
cases (the draws in one fixed order, so a seed names one case), the stored claim
scores, and the corpus's articles with a few re-runs (stories re-run by another
outlet with a line added: repeats and groups of several)."""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import text

from claimtrack.models import Link, Relation, SourceKind, SourceRecord
from claimtrack.store.db import Case

RELS = [Relation.REPEATS] * 5 + [Relation.CORROBORATES] * 4 + [Relation.CONTRADICTS] * 2
KINDS = [SourceKind.MEDIA, SourceKind.PERSON, SourceKind.ANONYMOUS, SourceKind.GOVERNMENT]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ARTICLES = Path(__file__).resolve().parent / "data" / "articles"


def sources_of_each_kind(n: int = 12) -> list[SourceRecord]:
    """Sources 1..n, their kinds in turn (media, person, anonymous, government)."""
    return [
        SourceRecord(id=i, name=f"{KINDS[i % 4].value} {i}", kind=KINDS[i % 4])
        for i in range(1, n + 1)
    ]


def random_link(rng: random.Random, a: int, b: int) -> Link:
    """A machine link between a and b: a random relation and confidence (a repeat's
    origin is its lower claim)."""
    rel = rng.choice(RELS)
    return Link(
        a=min(a, b),
        b=max(a, b),
        relation=rel,
        confidence=round(rng.uniform(0.5, 1), 2),
        reason="test",
        origin_claim=min(a, b) if rel is Relation.REPEATS else None,
    )


def claim_scores(case: Case) -> dict[int, tuple[object, ...]]:
    """Every stored claim score row, by claim id."""
    with case.session() as s:
        rows = s.connection().execute(
            text(
                "SELECT claim_id, probability, credibility, logodds, low, high, explanation "
                "FROM claim_score"
            )
        )
        return {int(r[0]): tuple(r[1:]) for r in rows}


def articles_and_reruns(tmp_path: Path, reruns: int) -> tuple[list[str], list[str]]:
    """The fixtures' and test articles' paths (sorted), and re-runs of the first
    ``reruns`` of them written under tmp_path."""
    paths = sorted(str(p) for p in [*FIXTURES.glob("*.txt"), *ARTICLES.glob("*.txt")])
    out = []
    for i, path in enumerate(paths[:reruns]):
        rerun = tmp_path / f"rerun{i}.txt"
        rerun.write_text(Path(path).read_text() + "\n\nThe report was updated on Friday.\n")
        out.append(str(rerun))
    return paths, out
