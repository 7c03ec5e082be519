"""The case database: where it lives, how it is opened, and transactions.

Location, first match wins:

1. ``--db`` on the command line (``Case.open(db=...)``): a file path or an
   SQLAlchemy URL (``sqlite:///case.db``, ``postgresql+psycopg://user@host/case``);
2. the ``CLAIMTRACK_DB`` environment variable (same forms);
3. ``claimtrack.db`` in the current directory (a case is a folder, like a git
   repository: ``cd`` into the case folder and work there).

Opening a case applies any pending migrations (claimtrack.store.migrations).
SQLite connections run in WAL mode with foreign keys on and a busy timeout, and
use real transactions (DDL included): ``BEGIN`` for reads, ``BEGIN IMMEDIATE``
for writes so concurrent writers queue on the busy timeout instead of failing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from claimtrack.errors import DatabaseError, UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session

ENV_VAR = "CLAIMTRACK_DB"
DEFAULT_FILENAME = "claimtrack.db"
BUSY_TIMEOUT_MS = 30_000
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (SQLModel's datetime columns require aware values)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class DbLocation:
    """A resolved database location.

    ``url`` is the SQLAlchemy URL to connect with; ``path`` is the file for SQLite
    file databases (None for in-memory SQLite and server databases); ``origin``
    says where it came from: ``option``, ``env`` or ``default``.
    """

    url: str
    path: Path | None
    origin: str

    @property
    def display(self) -> str:
        """What ``claimtrack db path`` prints: the file path, or the URL without password."""
        if self.path is not None:
            return str(self.path)
        from sqlalchemy.engine import make_url

        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


IN_CHUNK = 500  # ids per IN (...) list: well under every backend's parameter limit


def rows_for_ids(conn: Connection, sql: str, ids: Iterable[int]) -> Iterator[Any]:
    """The rows of ``sql`` for ``ids``, queried in chunks of sorted ids.

    ``sql`` selects with an expanding ``IN :ids`` (e.g. ``... WHERE c.id IN :ids
    ORDER BY c.id``); a statement ordered by that id yields its rows in id order
    across chunks. Chunking keeps any number of ids under SQLite's variable limit
    and PostgreSQL's 65,535 parameters per statement.
    """
    from sqlalchemy import bindparam, text

    stmt = text(sql).bindparams(bindparam("ids", expanding=True))
    wanted = sorted(set(ids))
    for i in range(0, len(wanted), IN_CHUNK):
        yield from conn.execute(stmt, {"ids": wanted[i : i + IN_CHUNK]})


SQLITE_ROWS_PER_INSERT = 500  # rows per multi-row INSERT: under SQLite's 32,766 variables


def insert_rows(
    conn: Connection, table: Any, rows: Sequence[dict[str, Any]], *, returning_id: bool = False
) -> list[int]:
    """INSERT ``rows`` (dicts with the same keys) into ``table``; their ids when ``returning_id``.

    SQLite: multi-row ``INSERT ... VALUES (...), (...)`` statements in the
    driver's own SQL, values converted by the columns' types exactly as Core
    converts them (dates, booleans), errors wrapped by SQLAlchemy as usual; the
    ids come back sorted, which is parameter order: under the write lock an
    INSERT gives each row the next rowid. Elsewhere: Core ``insert`` (executemany,
    or ``RETURNING`` in parameter order).
    """
    if not rows:
        return []
    if conn.dialect.name != "sqlite":
        from sqlalchemy import insert

        if returning_id:
            stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            return [int(r[0]) for r in conn.execute(stmt, list(rows))]
        for i in range(0, len(rows), 5000):
            conn.execute(insert(table), list(rows[i : i + 5000]))
        return []
    cols = list(rows[0])
    dialect = conn.dialect
    procs = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in cols]
    converters = [(j, f) for j, f in enumerate(procs) if f is not None]
    one = "(" + ", ".join("?" * len(cols)) + ")"
    head = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES "
    tail = " RETURNING id" if returning_id else ""
    ids: list[int] = []
    for i in range(0, len(rows), SQLITE_ROWS_PER_INSERT):
        part = rows[i : i + SQLITE_ROWS_PER_INSERT]
        flat: list[Any] = []
        for row in part:
            values = [row[c] for c in cols]
            for j, f in converters:
                values[j] = f(values[j])
            flat.extend(values)
        result = conn.exec_driver_sql(head + ", ".join([one] * len(part)) + tail, tuple(flat))
        if returning_id:
            got = sorted(int(r[0]) for r in result)
            if len(got) != len(part):
                raise AssertionError(f"{table.name}: {len(got)} ids for {len(part)} rows")
            ids.extend(got)
    return ids


def _looks_like_url(value: str) -> bool:
    head, sep, _ = value.partition("://")
    return bool(sep) and head.replace("+", "").replace("_", "").isalnum()


def parse_location(value: str, origin: str, cwd: Path | None = None) -> DbLocation:
    """A ``--db`` / ``CLAIMTRACK_DB`` value as a location; a malformed URL is a UsageError."""
    value = value.strip()
    if not value:
        raise UsageError("empty database location", path=origin)
    if _looks_like_url(value):
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except (ArgumentError, ValueError) as exc:
            raise UsageError(f"bad database URL {value!r}: {exc}") from None
        backend = url.get_backend_name()
        if backend not in SUPPORTED_BACKENDS:
            raise UsageError(
                f"bad database URL {value!r}: unsupported backend {backend!r} "
                f"(use sqlite:///PATH or postgresql+psycopg://...)"
            )
        if backend == "sqlite":
            db = url.database
            if not db or db == ":memory:":
                return DbLocation(url="sqlite://", path=None, origin=origin)
            path = Path(db).expanduser()
            if not path.is_absolute():
                path = (cwd or Path.cwd()) / path
            if url.query.get("mode") == "ro":  # sqlite:///case.db?mode=ro: never write
                return DbLocation(
                    url=f"sqlite:///file:{quote(str(path))}?mode=ro&uri=true",
                    path=path,
                    origin=origin,
                )
            return DbLocation(url=f"sqlite:///{path}", path=path, origin=origin)
        if url.drivername == "postgresql":  # the driver claimtrack ships with
            url = url.set(drivername="postgresql+psycopg")
        return DbLocation(url=url.render_as_string(hide_password=False), path=None, origin=origin)
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    if path.is_dir():
        path = path / DEFAULT_FILENAME
    return DbLocation(url=f"sqlite:///{path}", path=path, origin=origin)


def resolve_location(
    db: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> DbLocation:
    """``db`` (the --db option), then ``$CLAIMTRACK_DB``, then ``./claimtrack.db``."""
    if db is not None and db.strip():
        return parse_location(db, "option", cwd)
    environ = os.environ if env is None else env
    value = environ.get(ENV_VAR, "")
    if value.strip():
        return parse_location(value, "env", cwd)
    path = (cwd or Path.cwd()) / DEFAULT_FILENAME
    return DbLocation(url=f"sqlite:///{path}", path=path, origin="default")


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event below issue BEGIN itself, so that DDL is
    # transactional too (pysqlite's legacy mode autocommits DDL).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get("claimtrack_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# All claimtrack writers on one PostgreSQL database queue on this advisory lock,
# like SQLite's BEGIN IMMEDIATE: one writer at a time, so a version check or a
# "stored meanwhile?" check made inside a write unit cannot race another writer.
PG_WRITE_LOCK = 7263515


def _pg_on_begin(conn: Any) -> None:
    if conn.get_execution_options().get("claimtrack_write", False):
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")


def create_engine_for(location: DbLocation) -> Engine:
    """An engine for ``location`` with claimtrack's connection settings."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import StaticPool

    if location.is_sqlite:
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
        if location.path is None:  # in-memory: one shared connection
            kwargs["poolclass"] = StaticPool
        engine = create_engine(location.url, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    engine = create_engine(location.url, pool_pre_ping=True)
    event.listen(engine, "begin", _pg_on_begin)
    return engine


class Case:
    """An open case database. Use ``Case.open()``; close it (or use ``with``) when done.

    ``session()`` is a read/write unit of work; ``write()`` is the same but takes
    SQLite's write lock at BEGIN (use it for anything that writes). Both commit
    when the block ends normally and roll back on any exception.
    """

    def __init__(self, location: DbLocation, engine: Engine) -> None:
        self.location = location
        self.engine = engine
        self._write_engine = engine.execution_options(claimtrack_write=True)

    @classmethod
    def open(
        cls,
        db: str | None = None,
        *,
        create: bool = True,
        migrate: bool = True,
        env: Mapping[str, str] | None = None,
    ) -> Case:
        """Open (and by default create and upgrade) the case database.

        ``create=False`` raises DatabaseError when an SQLite file does not exist
        yet (read-only commands should not leave empty databases behind).
        """
        location = resolve_location(db, env=env)
        if location.path is not None:
            if not location.path.exists():
                if not create:
                    raise DatabaseError(
                        "no case database here yet (run `claimtrack ingest` first, "
                        "or pass --db / set CLAIMTRACK_DB)",
                        path=str(location.path),
                    )
                if not location.path.parent.is_dir():
                    raise DatabaseError(
                        "cannot create the database: its folder does not exist",
                        path=str(location.path),
                    )
            elif location.path.is_dir():
                raise DatabaseError("is a folder, not a database", path=str(location.path))
        engine = create_engine_for(location)
        case = cls(location, engine)
        try:
            if migrate:
                from claimtrack.store.migrations import migrate as run_migrations

                run_migrations(case)
            else:
                case.schema_version()
        except DatabaseError:
            engine.dispose()
            raise
        except Exception as exc:  # driver errors: not a database, locked, unreachable
            engine.dispose()
            raise DatabaseError(_describe_db_error(exc), path=location.display) from None
        return case

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits at the end of the block, rolls back on error."""
        with self._session(self.engine) as s:
            yield s

    @contextmanager
    def write(self) -> Iterator[Session]:
        """Like ``session()`` but takes the write lock up front (SQLite BEGIN IMMEDIATE)."""
        with self._session(self._write_engine) as s:
            yield s

    @contextmanager
    def _session(self, bind: Engine) -> Iterator[Session]:
        from sqlalchemy.exc import OperationalError
        from sqlmodel import Session

        session = Session(bind, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise DatabaseError(_describe_db_error(exc), path=self.location.display) from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def schema_version(self) -> int:
        """The highest applied migration (0 for an empty database)."""
        from claimtrack.store.migrations import current_version

        with self.engine.connect() as conn:
            return current_version(conn)


def _describe_db_error(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    if "file is not a database" in text:
        return "not an SQLite database (file is not a database)"
    if "database is locked" in text:
        return "the database is locked by another process (try again)"
    if "readonly database" in text or "read-only" in text:
        return "the database is read-only (check the file's and its folder's permissions)"
    if "database or disk is full" in text or "No space left" in text:
        return "the disk is full (database or disk is full): free some space and run again"
    return f"cannot open the database: {text}"
