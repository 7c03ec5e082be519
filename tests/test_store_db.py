"""The case database: location resolution, connection settings, transactions, bad databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from claimtrack.errors import DatabaseError, UsageError
from claimtrack.store import Case, resolve_location, utcnow
from claimtrack.store.schema import ArticleRow, ClaimRow


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CLAIMTRACK_DB", raising=False)


def article(n: int = 1) -> ArticleRow:
    return ArticleRow(content_hash=f"{n:064d}", text=f"text {n}", ingested_at=utcnow())


# --------------------------------------------------------------------------
# where the database lives
# --------------------------------------------------------------------------


def test_location_precedence_option_then_env_then_default(tmp_path: Path) -> None:
    env = {"CLAIMTRACK_DB": str(tmp_path / "env.db")}
    assert resolve_location("opt.db", env=env).path == tmp_path / "opt.db"
    assert resolve_location("opt.db", env=env).origin == "option"
    assert resolve_location(None, env=env).path == tmp_path / "env.db"
    assert resolve_location(None, env=env).origin == "env"
    assert resolve_location(None, env={}).path == tmp_path / "claimtrack.db"
    assert resolve_location(None, env={}).origin == "default"
    assert resolve_location(None, env={"CLAIMTRACK_DB": "  "}).origin == "default"


def test_location_forms(tmp_path: Path) -> None:
    (tmp_path / "casedir").mkdir()
    assert resolve_location("casedir", env={}).path == tmp_path / "casedir" / "claimtrack.db"
    loc = resolve_location("sqlite:///rel.db", env={})
    assert loc.path == tmp_path / "rel.db"
    assert loc.url == f"sqlite:///{tmp_path / 'rel.db'}"
    assert resolve_location(f"sqlite:///{tmp_path}/abs.db", env={}).path == tmp_path / "abs.db"
    memory = resolve_location("sqlite://", env={})
    assert (memory.url, memory.path) == ("sqlite://", None)
    pg = resolve_location("postgresql://ann:secret@db.example/case", env={})
    assert pg.url == "postgresql+psycopg://ann:secret@db.example/case"
    assert pg.display == "postgresql+psycopg://ann:***@db.example/case"
    assert pg.path is None


@pytest.mark.parametrize("bad", ["mysql://x/y", "foo://bar", "postgresql://host:notaport/db"])
def test_bad_url_is_a_usage_error(bad: str) -> None:
    with pytest.raises(UsageError, match="bad database URL"):
        resolve_location(bad, env={})


# --------------------------------------------------------------------------
# opening
# --------------------------------------------------------------------------


def test_sqlite_settings(tmp_path: Path) -> None:
    with Case.open("case.db") as case, case.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    assert (tmp_path / "case.db").is_file()


def test_foreign_keys_are_enforced() -> None:
    with Case.open("case.db") as case:
        with pytest.raises(IntegrityError), case.write() as s:
            s.add(
                ClaimRow(
                    article_id=999,
                    ordinal=0,
                    span_key="0:1:",
                    content_text="x",
                    content_start=0,
                    content_end=1,
                )
            )
        with case.session() as s:
            assert len(s.exec(select(ClaimRow)).all()) == 0


def test_session_commits_or_rolls_back() -> None:
    with Case.open("case.db") as case:
        with case.write() as s:
            s.add(article(1))
        with pytest.raises(RuntimeError), case.write() as s:
            s.add(article(2))
            s.flush()
            raise RuntimeError("boom")
        with case.session() as s:
            assert [a.content_hash for a in s.exec(select(ArticleRow))] == [f"{1:064d}"]


def test_env_var_is_used_when_no_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMTRACK_DB", str(tmp_path / "from-env.db"))
    with Case.open() as case:
        assert case.location.path == tmp_path / "from-env.db"
    assert (tmp_path / "from-env.db").is_file()
    assert not (tmp_path / "claimtrack.db").exists()


def test_in_memory_database() -> None:
    with Case.open("sqlite://") as case:
        with case.write() as s:
            s.add(article())
        with case.session() as s:
            assert len(s.exec(select(ArticleRow)).all()) == 1


def test_missing_database_without_create(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="no case database here yet"):
        Case.open("absent.db", create=False)
    assert not (tmp_path / "absent.db").exists()


def test_missing_folder() -> None:
    with pytest.raises(DatabaseError, match="its folder does not exist"):
        Case.open("no/such/folder/case.db")


def test_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_text("just some notes\n" * 200)
    with pytest.raises(DatabaseError, match="not an SQLite database"):
        Case.open("notes.db")


def test_someone_elses_database(tmp_path: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(tmp_path / "other.db")
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="not a claimtrack database"):
        Case.open("other.db")
