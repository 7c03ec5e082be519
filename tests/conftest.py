"""Shared fixtures: the case database every storage-level test opens.

``db_url`` is a fresh, empty case location per test:

- by default an SQLite file in the test's ``tmp_path`` (a plain path, so it
  works as ``Case.open(db_url)`` and as ``claimtrack --db db_url``);
- when ``CLAIMTRACK_TEST_PG_URL`` is set (``.ci/run`` starts a throwaway server
  with ``.ci/postgres.sh``), a fresh PostgreSQL *schema* in that database, named
  in the URL's ``options=-csearch_path=...`` so every connection (also those of
  child processes given the URL) works inside it; dropped after the test.

A schema per test is much cheaper than a database per test and just as
isolated: claimtrack never names a schema, so every table lands in the
connection's search path.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PG_ENV = "CLAIMTRACK_TEST_PG_URL"


def pg_base_url() -> str | None:
    """The server URL the suite runs against, or None for SQLite only."""
    value = os.environ.get(PG_ENV, "").strip()
    return value or None


def on_postgres() -> bool:
    return pg_base_url() is not None


_ADMIN: dict[str, Any] = {}


def _admin_engine(url: str) -> Any:
    engine = _ADMIN.get(url)
    if engine is None:
        from sqlalchemy import create_engine

        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        _ADMIN[url] = engine
    return engine


def new_pg_schema_url(base: str) -> tuple[str, str]:
    """Create an empty schema on the server; return (URL selecting it, schema name)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    schema = f"t_{uuid.uuid4().hex[:16]}"
    with _admin_engine(base).begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base)
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def drop_pg_schema(base: str, schema: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        with _admin_engine(base).begin() as conn:
            # A connection a test left open must not hang the run: give up after 10 s
            # (the schema is then left behind on the throwaway server).
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    except DBAPIError:
        pass


@pytest.fixture
def isolated_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A CLI test's world: working directory and HOME inside ``tmp_path`` (never the real
    home) and the default case ``tmp_path/case.db``."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CLAIMTRACK_DB", str(tmp_path / "case.db"))
    return tmp_path


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A fresh case location: an SQLite file, or a PostgreSQL schema when configured."""
    base = pg_base_url()
    if base is None:
        yield str(tmp_path / "case.db")
        return
    url, schema = new_pg_schema_url(base)
    try:
        yield url
    finally:
        drop_pg_schema(base, schema)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema URL; skips the test when no server is configured."""
    base = pg_base_url()
    if base is None:
        pytest.skip(f"no PostgreSQL server ({PG_ENV} is not set)")
    url, schema = new_pg_schema_url(base)
    try:
        yield url
    finally:
        drop_pg_schema(base, schema)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for engine in _ADMIN.values():
        engine.dispose()
