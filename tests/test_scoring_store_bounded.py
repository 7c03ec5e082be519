"""Rescoring region by region (``store.scores``) gives a full rescore's scores.

Ingest scores what a batch touched, loading only the claims those scores read,
SCORE_CHUNK claims at a time. Whatever the batches and the chunk size, the stored scores must
equal the ones a rescore of the whole case computes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from claimtrack.store import Case
from claimtrack.store.documents import expand_inputs
from claimtrack.store.ingest import ingest_inputs
from claimtrack.store.scores import rescore

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ARTICLES = Path(__file__).resolve().parent / "data" / "articles"


def _scores(case: Case) -> dict[int, tuple[float, int, float, float, float, str]]:
    with case.session() as s:
        rows = s.connection().execute(
            text(
                "SELECT claim_id, probability, credibility, logodds, low, high, explanation "
                "FROM claim_score"
            )
        )
        return {int(r[0]): tuple(r[1:]) for r in rows}  # type: ignore[misc]


def _source_scores(case: Case) -> dict[int, tuple[float, str, str]]:
    with case.session() as s:
        rows = s.connection().execute(
            text("SELECT source_id, reliability, letter, explanation FROM source_score")
        )
        return {int(r[0]): tuple(r[1:]) for r in rows}  # type: ignore[misc]


@pytest.mark.parametrize("chunk", [1, 7, 10_000])
def test_batches_scored_region_by_region_equal_a_full_rescore(
    db_url: str, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    import claimtrack.store.scores as scores_mod

    monkeypatch.setattr(scores_mod, "SCORE_CHUNK", chunk)
    paths = sorted(str(p) for p in [*FIXTURES.glob("*.txt"), *ARTICLES.glob("*.txt")])
    assert len(paths) >= 10
    with Case.open(db_url) as case:
        # three batches: the later ones link into (and rescore part of) the earlier
        for batch in (paths[:4], paths[4:9], paths[9:]):
            outcomes = list(ingest_inputs(case, expand_inputs(batch)))
            assert all(o.error is None for o in outcomes)
        with case.session() as s:
            n_claims, n_links = (
                s.connection()
                .execute(text("SELECT (SELECT COUNT(*) FROM claim), (SELECT COUNT(*) FROM link)"))
                .one()
            )
        assert n_links > 0
        stored, stored_sources = _scores(case), _source_scores(case)
        assert len(stored) == n_claims
        rescore(case)
        assert _scores(case) == stored
        assert _source_scores(case) == stored_sources
        # and a whole rescore in chunks of one group gives what one in a single chunk gives
        monkeypatch.setattr(scores_mod, "SCORE_CHUNK", 10**9)
        rescore(case)
        assert _scores(case) == stored
        assert _source_scores(case) == stored_sources
