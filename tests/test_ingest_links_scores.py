"""Ingest links each article's claims against the case and scores what they touch."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from claimtrack.store import Case
from claimtrack.store.documents import expand_inputs, read_document
from claimtrack.store.ingest import ingest_document, ingest_inputs
from claimtrack.store.links import list_links
from claimtrack.store.schema import ClaimRow, ClaimScoreRow
from claimtrack.store.scores import RescoreResult

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


def test_a_batch_ingest_scores_every_claim_once_at_its_end(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import claimtrack.store.scores as scores_mod

    calls: list[int] = []
    real = scores_mod.rescore_claims

    def counting(session: Session, claim_ids: Sequence[int], **kw: Any) -> RescoreResult:
        calls.append(len(claim_ids))
        return real(session, claim_ids, **kw)

    monkeypatch.setattr(scores_mod, "rescore_claims", counting)
    with Case.open(db_url) as case:
        outcomes = list(ingest_inputs(case, expand_inputs([str(FIXTURES)])))
        assert [o.status for o in outcomes] == ["new", "new", "new"]
        # linked article by article, scored once for the whole batch
        assert calls == [len(_claim_ids(case))]
        assert _scored_ids(case) == _claim_ids(case)
        assert list_links(case)
        # a second run stores nothing new and scores nothing
        calls.clear()
        again = list(ingest_inputs(case, expand_inputs([str(FIXTURES)])))
        assert [o.status for o in again] == ["unchanged"] * 3
        assert calls == []


def test_claims_left_unscored_by_an_interrupted_batch_are_scored_by_the_next(db_url: str) -> None:
    paths = sorted(FIXTURES.glob("*.txt"))
    with Case.open(db_url) as case:
        # as if a batch was killed after storing an article but before its final scoring
        ingest_document(case, read_document(str(paths[0])), rescore=False)
        assert _scored_ids(case) == set()
        list(ingest_inputs(case, expand_inputs([str(paths[1])])))
        assert _scored_ids(case) == _claim_ids(case)
