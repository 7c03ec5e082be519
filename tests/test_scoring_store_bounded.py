"""The bounded rescore (``store.scores._rescore_bounded``) gives a full rescore's scores.

Ingest scores what a batch touched, loading only the claims those scores read,
chunk by chunk. Whatever the batches and the chunk size, the stored scores must
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


@pytest.mark.parametrize("chunk", [1, 7, 5000])
def test_batches_scored_in_bounded_chunks_equal_a_full_rescore(
    db_url: str, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    import claimtrack.store.scores as scores_mod

    monkeypatch.setattr(scores_mod, "RESCORE_CHUNK", chunk)
    monkeypatch.setattr(scores_mod, "BOUNDED_MAX", 10**9)
    paths = sorted(str(p) for p in [*FIXTURES.glob("*.txt"), *ARTICLES.glob("*.txt")])
    assert len(paths) >= 10
    bounded: list[int] = []
    real = scores_mod._rescore_bounded

    def spy(session: object, claim_ids: list[int]) -> object:
        bounded.append(len(claim_ids))
        return real(session, claim_ids)  # type: ignore[arg-type]

    monkeypatch.setattr(scores_mod, "_rescore_bounded", spy)
    with Case.open(db_url) as case:
        # three batches: the later ones link into (and rescore part of) the earlier
        for batch in (paths[:4], paths[4:9], paths[9:]):
            outcomes = list(ingest_inputs(case, expand_inputs(batch)))
            assert all(o.error is None for o in outcomes)
        assert len(bounded) == 3
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


@pytest.mark.parametrize("slice_", [1, 10_000])
def test_component_path_written_in_slices_equals_a_full_rescore(
    db_url: str, monkeypatch: pytest.MonkeyPatch, slice_: int
) -> None:
    import claimtrack.store.scores as scores_mod

    monkeypatch.setattr(scores_mod, "BOUNDED_MAX", 0)  # every batch: the component path
    monkeypatch.setattr(scores_mod, "WRITE_SLICE", slice_)
    paths = sorted(str(p) for p in [*FIXTURES.glob("*.txt"), *ARTICLES.glob("*.txt")])
    with Case.open(db_url) as case:
        for batch in (paths[:6], paths[6:]):
            assert all(o.error is None for o in ingest_inputs(case, expand_inputs(batch)))
        stored, stored_sources = _scores(case), _source_scores(case)
        rescore(case)
        assert _scores(case) == stored
        assert _source_scores(case) == stored_sources
