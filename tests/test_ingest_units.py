"""A batch ingest stores several articles per write unit: the same case as one unit each.

``ingest_inputs`` groups consecutive new articles (1, 2, 4, ... up to
GROUP_ARTICLES) into one transaction. Whatever the grouping, every table must
hold what storing the articles one at a time (``ingest_document``) stores:
the same ids, rows, links and scores.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from claimtrack.store import Case
from claimtrack.store import ingest as ingest_mod
from claimtrack.store.documents import expand_inputs, read_document
from claimtrack.store.ingest import ingest_document, ingest_inputs, rescore_pending
from claimtrack.store.links import save_index

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ARTICLES = Path(__file__).resolve().parent / "data" / "articles"
STAMPS = {"created_at", "ingested_at", "computed_at", "updated_at", "at", "applied_at"}


def _paths() -> list[str]:
    return sorted(str(p) for p in [*FIXTURES.glob("*.txt"), *ARTICLES.glob("*.txt")])


def _tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows by rowid, timestamps left out."""
    conn = sqlite3.connect(path)
    try:
        out = {}
        names = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        for (table,) in names.fetchall():
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            keep = ", ".join(c for c in cols if c not in STAMPS)
            out[table] = conn.execute(f"SELECT {keep} FROM {table} ORDER BY rowid").fetchall()
        return out
    finally:
        conn.close()


def test_a_batch_stores_what_one_unit_per_article_stores(tmp_path: Path) -> None:
    paths = _paths()
    assert len(paths) >= 10
    with Case.open(str(tmp_path / "single.db")) as case:
        ids = [ingest_document(case, read_document(p), rescore=False).article_id for p in paths]
        save_index(case)  # as a batch does at its end (link_index_segment)
        rescore_pending(case, ids)
    with Case.open(str(tmp_path / "batch.db")) as case:
        outcomes = list(ingest_inputs(case, expand_inputs(paths)))
    assert [o.status for o in outcomes] == ["new"] * len(paths)
    single, batch = _tables(tmp_path / "single.db"), _tables(tmp_path / "batch.db")
    assert len(batch["claim"]) > 0 and len(batch["link"]) > 0
    assert len(batch["claim_score"]) == len(batch["claim"])
    assert batch == single


def test_a_text_twice_in_one_unit_is_stored_once(tmp_path: Path) -> None:
    paths = _paths()[:3]
    copy = tmp_path / "copy.txt"
    shutil.copy(paths[1], copy)
    # units of 1, then 2: the second unit holds paths[1] and its copy
    items = expand_inputs([paths[0], paths[1], str(copy), paths[2]])
    with Case.open(str(tmp_path / "case.db")) as case:
        outcomes = list(ingest_inputs(case, items))
    assert [o.status for o in outcomes] == ["new", "new", "unchanged", "new"]
    first, again = outcomes[1].result, outcomes[2].result
    assert first is not None and again is not None
    assert again.article_id == first.article_id
    assert again.claims == first.claims
    assert [o.result.article_id for o in outcomes if o.result] == [1, 2, 2, 3]


def test_a_failing_unit_is_stored_one_article_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _paths()[:7]  # units of 1, 2, 4
    bad = paths[4]  # in the unit of 4
    real = ingest_mod._after_claims_stored

    def fail_on_one(s: object, article: object, claims: object, *rest: bool) -> None:
        if getattr(article, "path", "") == bad:
            raise RuntimeError("disk on fire")
        real(s, article, claims, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest_mod, "_after_claims_stored", fail_on_one)
    with Case.open(str(tmp_path / "case.db")) as case:
        outcomes = list(ingest_inputs(case, expand_inputs(paths)))
    assert [o.status for o in outcomes] == ["new"] * 4 + ["failed", "new", "new"]
    assert outcomes[4].error == f"{bad}: internal error (RuntimeError: disk on fire)"
    stored = [o.result.article_id for o in outcomes if o.result is not None]
    assert stored == [1, 2, 3, 4, 5, 6]
    conn = sqlite3.connect(tmp_path / "case.db")
    try:
        stored_paths = [r[0] for r in conn.execute("SELECT path FROM article ORDER BY id")]
        with_claims = {r[0] for r in conn.execute("SELECT DISTINCT article_id FROM claim")}
    finally:
        conn.close()
    assert stored_paths == [p for p in paths if p != bad]
    assert with_claims <= set(stored)
