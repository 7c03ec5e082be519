"""Ingest links each article's claims against the case and scores what they touch."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from claimtrack.store import Case
from claimtrack.store.documents import read_document
from claimtrack.store.ingest import ingest_document
from claimtrack.store.links import list_links
from claimtrack.store.schema import ClaimRow, ClaimScoreRow

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _claim_ids(case: Case) -> set[int]:
    with case.session() as s:
        return {c.id for c in s.exec(select(ClaimRow)) if c.id is not None}


def _scored_ids(case: Case) -> set[int]:
    with case.session() as s:
        return {r.claim_id for r in s.exec(select(ClaimScoreRow))}


def test_ingest_links_and_scores_each_article_incrementally(db_url: str) -> None:
    paths = sorted(FIXTURES.glob("*.txt"))
    with Case.open(db_url) as case:
        first = ingest_document(case, read_document(str(paths[0])))
        assert first.claims > 0
        # every claim of the first article is scored as soon as it is stored
        assert _scored_ids(case) == _claim_ids(case)
        links_before = {(r.a, r.b, r.relation) for r in list_links(case)}

        for path in paths[1:]:
            ingest_document(case, read_document(str(path)))
        assert _scored_ids(case) == _claim_ids(case)
        links_after = {(r.a, r.b, r.relation) for r in list_links(case)}
        # the links of the first article survive: later articles add, never redo
        assert links_before <= links_after
        assert links_after - links_before
