"""The final rescore of a batch in worker processes (``rescore_pending(jobs=2)``):
every claim and source score row what the serial rescore writes, in the same
order; the workers really ran (their CPU is reported)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from claimtrack.store import Case
from claimtrack.store import scores as scores_mod
from claimtrack.store.documents import read_document
from claimtrack.store.ingest import IngestStats, ingest_document, rescore_pending

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ARTICLES = Path(__file__).resolve().parent / "data" / "articles"
CHUNK = 25  # claims per region: the bundled articles make many regions


def _paths() -> list[str]:
    return sorted(str(p) for p in [*FIXTURES.glob("*.txt"), *ARTICLES.glob("*.txt")])


def _scores(url: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The claim and source score rows (timestamps aside), in the order written."""
    with Case.open(url) as case, case.engine.connect() as conn:
        claims = conn.execute(
            text(
                "SELECT claim_id, probability, credibility, logodds, low, high, explanation "
                "FROM claim_score ORDER BY claim_id"
            )
        ).fetchall()
        sources = conn.execute(
            text(
                "SELECT source_id, reliability, letter, confirmed, refuted, explanation "
                "FROM source_score ORDER BY source_id"
            )
        ).fetchall()
    return [tuple(r) for r in claims], [tuple(r) for r in sources]


def _forget_scores(url: str) -> None:
    with Case.open(url) as case, case.write() as s:
        s.connection().execute(text("DELETE FROM claim_score"))
        s.connection().execute(text("DELETE FROM source_score"))


def test_parallel_final_rescore_writes_the_serial_rows(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scores_mod, "SCORE_CHUNK", CHUNK)
    monkeypatch.setattr(scores_mod, "PARALLEL_REGIONS", 2)
    paths = _paths()
    with Case.open(db_url) as case:
        ids = [ingest_document(case, read_document(p), rescore=False).article_id for p in paths]
        assert rescore_pending(case, ids) > 4 * CHUNK
    serial = _scores(db_url)
    _forget_scores(db_url)
    stats = IngestStats()
    with Case.open(db_url) as case:
        rescore_pending(case, ids, jobs=2, stats=stats)
    assert stats.score_workers > 0  # the regions were scored by the workers
    parallel = _scores(db_url)
    assert len(serial[0]) > 4 * CHUNK and len(serial[1]) > 10
    assert parallel == serial


def test_parallel_rescore_on_top_of_a_scored_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second batch: some sources scored already, others new in its regions."""
    monkeypatch.setattr(scores_mod, "SCORE_CHUNK", CHUNK)
    monkeypatch.setattr(scores_mod, "PARALLEL_REGIONS", 2)
    paths = _paths()
    first, second = paths[: len(paths) // 2], paths[len(paths) // 2 :]
    url = str(tmp_path / "a.db")
    with Case.open(url) as case:
        ids = [ingest_document(case, read_document(p), rescore=False).article_id for p in first]
        rescore_pending(case, ids)
        ids = [ingest_document(case, read_document(p), rescore=False).article_id for p in second]
    shutil.copy(tmp_path / "a.db", tmp_path / "b.db")
    with Case.open(url) as case:
        rescore_pending(case, ids)
    stats = IngestStats()
    with Case.open(str(tmp_path / "b.db")) as case:
        rescore_pending(case, ids, jobs=2, stats=stats)
    assert stats.score_workers > 0
    serial, parallel = _scores(url), _scores(str(tmp_path / "b.db"))
    assert len(serial[1]) > 10
    assert parallel == serial


def _fails(*args: object) -> None:
    raise RuntimeError("a scoring worker died")


def test_a_failing_worker_leaves_the_rest_to_the_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regions whose worker failed are scored by the writer: the same rows."""
    monkeypatch.setattr(scores_mod, "SCORE_CHUNK", CHUNK)
    monkeypatch.setattr(scores_mod, "PARALLEL_REGIONS", 2)
    paths = _paths()
    url = str(tmp_path / "a.db")
    with Case.open(url) as case:
        ids = [ingest_document(case, read_document(p), rescore=False).article_id for p in paths]
    shutil.copy(tmp_path / "a.db", tmp_path / "b.db")
    with Case.open(url) as case:
        rescore_pending(case, ids)
    monkeypatch.setattr(scores_mod, "_score_region_task", _fails)
    stats = IngestStats()
    with Case.open(str(tmp_path / "b.db")) as case:
        rescore_pending(case, ids, jobs=2, stats=stats)
    assert stats.score_workers == 0  # no region came back from a worker
    assert _scores(str(tmp_path / "b.db")) == _scores(url)
