"""Numbered migrations: a fresh database, an older one upgraded, and the models kept in step."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlmodel import SQLModel, col, select

from claimtrack.errors import DatabaseError
from claimtrack.store import Case, utcnow
from claimtrack.store import migrations as mig
from claimtrack.store.schema import ArticleRow, SchemaMigration


def open_at(path: Path, version: int) -> Case:
    """A case created by an older claimtrack, whose latest migration was ``version``."""
    case = Case.open(str(path), migrate=False)
    mig.migrate(case, target=version)
    return case


def test_fresh_database_is_at_the_latest_version(tmp_path: Path) -> None:
    with Case.open(str(tmp_path / "c.db")) as case:
        assert case.schema_version() == mig.LATEST_VERSION >= 2
        with case.session() as s:
            rows = s.exec(select(SchemaMigration).order_by(col(SchemaMigration.version))).all()
        assert [(r.version, r.name) for r in rows] == [(m.version, m.name) for m in mig.MIGRATIONS]
        assert mig.migrate(case) == []  # nothing pending


def test_migrations_are_numbered_in_order() -> None:
    assert [m.version for m in mig.MIGRATIONS] == list(range(1, len(mig.MIGRATIONS) + 1))


def test_migrated_schema_has_every_table_column_and_index_of_the_models(tmp_path: Path) -> None:
    with Case.open(str(tmp_path / "c.db")) as case, case.engine.connect() as conn:
        insp = inspect(conn)
        tables = set(insp.get_table_names())
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in _OUR_TABLES:
                continue
            assert table.name in tables, f"no migration creates table {table.name}"
            columns = {c["name"]: c for c in insp.get_columns(table.name)}
            for column in table.columns:
                assert column.name in columns, f"no migration adds {table.name}.{column.name}"
                if not column.primary_key:
                    assert columns[column.name]["nullable"] == column.nullable, (
                        f"{table.name}.{column.name}: nullability differs from schema.py"
                    )
            indexes = {ix["name"] for ix in insp.get_indexes(table.name)}
            for index in table.indexes:
                assert index.name in indexes, f"no migration creates index {index.name}"


# the tables of claimtrack/store/schema.py at the time of the latest migration
_OUR_TABLES = {
    "schema_migrations",
    "article",
    "source",
    "source_alias",
    "claim",
    "claim_review",
    "link",
    "claim_score",
    "source_score",
    "review_event",
    "case_setting",
    "link_index_segment",
}


def test_opening_an_older_schema_upgrades_it_and_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    case = open_at(path, 1)
    assert case.schema_version() == 1
    with case.engine.connect() as conn:
        assert "ix_article_outlet" not in {i["name"] for i in inspect(conn).get_indexes("article")}
    with case.write() as s:
        s.add(ArticleRow(content_hash="a" * 64, text="kept", outlet="X", ingested_at=utcnow()))
    case.close()

    with Case.open(str(path)) as upgraded:
        assert upgraded.schema_version() == mig.LATEST_VERSION
        with upgraded.engine.connect() as conn:
            names = {i["name"] for i in inspect(conn).get_indexes("article")}
        assert {"ix_article_outlet", "ix_article_published", "ix_article_content_hash"} <= names
        with upgraded.session() as s:
            assert [a.text for a in s.exec(select(ArticleRow))] == ["kept"]


def test_a_failing_migration_leaves_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.db"
    Case.open(str(path)).close()
    broken = mig.Migration(
        mig.LATEST_VERSION + 1,
        "broken",
        ("CREATE TABLE half_done (id INTEGER)", "THIS IS NOT SQL"),
    )
    monkeypatch.setattr(mig, "MIGRATIONS", (*mig.MIGRATIONS, broken))
    monkeypatch.setattr(mig, "LATEST_VERSION", broken.version)
    with pytest.raises(DatabaseError):
        Case.open(str(path))
    monkeypatch.undo()
    with Case.open(str(path)) as case, case.engine.connect() as conn:
        assert case.schema_version() == mig.LATEST_VERSION
        assert not inspect(conn).has_table("half_done")  # the DDL was rolled back too


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with Case.open(str(path)) as case, case.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'x', :t)"),
            {"t": utcnow().isoformat(sep=" ")},
        )
    with pytest.raises(DatabaseError, match="schema version 99, newer than this claimtrack"):
        Case.open(str(path))


# --------------------------------------------------------------------------
# PostgreSQL (only with CLAIMTRACK_TEST_PG_URL, e.g. postgresql+psycopg://postgres@127.0.0.1/postgres)
# --------------------------------------------------------------------------

PG_URL = os.environ.get("CLAIMTRACK_TEST_PG_URL")


@pytest.fixture
def pg_case() -> Iterator[Case]:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    assert PG_URL is not None
    name = f"claimtrack_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        with Case.open(url) as case:
            yield case
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="CLAIMTRACK_TEST_PG_URL not set")
def test_postgres_migrations_and_models(pg_case: Case) -> None:
    assert pg_case.schema_version() == mig.LATEST_VERSION
    with pg_case.engine.connect() as conn:
        insp = inspect(conn)
        for table in SQLModel.metadata.sorted_tables:
            if table.name in _OUR_TABLES:
                columns = {c["name"] for c in insp.get_columns(table.name)}
                assert {c.name for c in table.columns} <= columns
    with pg_case.write() as s:
        s.add(ArticleRow(content_hash="b" * 64, text="pg", ingested_at=utcnow()))
    with pg_case.session() as s:
        (row,) = s.exec(select(ArticleRow)).all()
    assert (row.id, row.text, row.ingested_at.tzinfo is not None) == (1, "pg", True)
