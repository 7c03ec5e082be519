"""The case's link index kept between ingest processes (link_index_segment)."""

from __future__ import annotations

from pathlib import Path

import pytest
from link_rows import link_rows
from sqlalchemy import text

from claimtrack.store import Case
from claimtrack.store import links as links_mod
from claimtrack.store.documents import expand_inputs
from claimtrack.store.ingest import ingest_inputs
from claimtrack.store.schema import LinkIndexSegmentRow

SEGMENT = LinkIndexSegmentRow.__table__  # type: ignore[attr-defined]
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _articles(folder: Path, rounds: int) -> list[Path]:
    """The fixture articles, then the same texts changed (a new story round each)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.txt"))]
    out = []
    for r in range(rounds):
        for i, body in enumerate(texts):
            path = folder / f"a{r:02d}_{i}.txt"
            extra = f"\n\nUpdate {r}: officials said item {i} was revised.\n" if r else ""
            path.write_text(body.rstrip("\n") + extra, encoding="utf-8")
            out.append(path)
    return out


def _ingest(case: Case, paths: list[Path]) -> None:
    outcomes = list(ingest_inputs(case, expand_inputs([str(p) for p in paths]), jobs=1))
    assert all(o.error is None for o in outcomes)


def _segments(case: Case) -> list[tuple[int, int | None, int, int]]:
    with case.engine.connect() as conn:
        return [
            (int(r[0]), r[1], int(r[2]), int(r[3]))
            for r in conn.execute(
                text(
                    "SELECT id, parent_id, max_claim_id, claims FROM link_index_segment ORDER BY id"
                )
            )
        ]


def _claims(case: Case) -> int:
    with case.engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM claim")).scalar_one())


def _restore(case: Case) -> links_mod._Cached | None:
    with case.write() as s:
        return links_mod._restore(s.connection(), set())


def test_an_ingest_restores_the_stored_index_and_links_as_a_rebuild(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _articles(tmp_path, 4)
    rebuilds: list[int] = []
    real = links_mod.case_claims

    def counting(conn: object, ids: object = None) -> object:
        if ids is None:
            rebuilds.append(1)  # every stored claim read: the index is rebuilt
        return real(conn, ids)  # type: ignore[arg-type]

    monkeypatch.setattr(links_mod, "case_claims", counting)
    with Case.open(db_url) as case:
        for batch in (paths[:3], paths[3:6], paths[6:9], paths[9:]):
            _ingest(case, batch)  # each batch ends as a process does: index saved, dropped
            assert links_mod._CACHE.get(str(case.engine.url)) is None
            segments = _segments(case)
            assert segments[-1][2:] == (_claims(case), _claims(case))  # ids 1..n
        assert len(rebuilds) == 1  # the first batch (an empty case) only
        # a base (the empty case), then one segment on top of the previous per batch
        assert [s[1] for s in segments] == [None, 1, 2, 3, 4]
        restored = link_rows(case)

    rebuilt_url = str(tmp_path / "rebuilt.db")
    with Case.open(rebuilt_url) as case:
        for batch in (paths[:3], paths[3:6], paths[6:9], paths[9:]):
            with case.write() as s:
                s.connection().execute(text("DELETE FROM link_index_segment"))
            _ingest(case, batch)
        assert len(rebuilds) == 5
        assert link_rows(case) == restored
    assert len(restored) > 20


def test_a_changed_claim_article_or_source_drops_the_snapshot(db_url: str, tmp_path: Path) -> None:
    paths = _articles(tmp_path, 2)
    with Case.open(db_url) as case:
        _ingest(case, paths)
        statements = [
            "UPDATE claim SET content_text = 'Something else entirely' WHERE id = 1",
            "UPDATE claim SET speaker = 'Someone' WHERE id = 2",
            "UPDATE article SET published = '2020-01-02' WHERE id = 1",
            "UPDATE source SET name = 'Renamed' WHERE id = 1",
            "DELETE FROM claim_score WHERE claim_id = 3; DELETE FROM link WHERE a_id = 3 "
            "OR b_id = 3; DELETE FROM claim_review WHERE claim_id = 3; DELETE FROM claim WHERE id = 3",
        ]
        for sql in statements:
            with case.write() as s:
                assert s.connection().execute(text("SELECT COUNT(*) FROM claim")).scalar_one()
            _ingest(case, paths[:0])  # nothing new: the snapshot stays as it is
            assert _restore(case) is not None, sql
            with case.write() as s:
                for statement in sql.split("; "):
                    s.connection().execute(text(statement))
            assert _segments(case) == [], sql
            assert _restore(case) is None
            links_mod.forget_index(case)
            with case.write() as s:  # the next linking rebuilds and stores it again
                links_mod._index_for(s.connection(), set())
            links_mod.forget_index(case)
        # a review decision or a score touches no column the index reads
        with case.write() as s:
            s.connection().execute(text("UPDATE source SET affiliation = 'x' WHERE id = 1"))
        assert _restore(case) is not None


def test_a_snapshot_of_another_linker_or_case_is_not_used(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _articles(tmp_path, 2)
    with Case.open(db_url) as case:
        _ingest(case, paths[:4])
        assert _restore(case) is not None
        monkeypatch.setattr(links_mod, "linker_key", lambda: "another linker")
        assert _restore(case) is None
        monkeypatch.undo()
        with case.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(SEGMENT.select())]
    # the same rows in a case holding other claims (another order of articles)
    other = str(tmp_path / "other.db")
    with Case.open(other) as case:
        _ingest(case, paths[4:] + paths[:1])
        with case.write() as s:
            conn = s.connection()
            conn.execute(text("DELETE FROM link_index_segment"))
            conn.execute(SEGMENT.insert(), rows)
        assert _restore(case) is None
        # claims stored below the snapshot's highest id that it does not hold
        with case.write() as s:
            conn = s.connection()
            conn.execute(text("DELETE FROM link_index_segment"))
        links_mod.forget_index(case)
        with case.write() as s:
            links_mod._index_for(s.connection(), set())
        links_mod.forget_index(case)
        assert _restore(case) is not None
        with case.write() as s:
            s.connection().execute(
                text("UPDATE link_index_segment SET max_claim_id = max_claim_id + 1, claims = 1")
            )
        assert _restore(case) is None
