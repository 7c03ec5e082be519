"""Integrity check and consistent backup of a case (``claimtrack db check`` / ``db backup``).

``check_case(case)`` returns a list of problems (empty = consistent):

- SQLite's own ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check``;
- on both backends, every foreign key of the schema by an anti-join (a row
  pointing at a missing article, claim, source...): claims of missing articles,
  links between missing claims, scores and reviews of missing claims...;
- each article: its content hash is the SHA-256 of its text and its size is
  the text's length (a half-written or altered article shows here);
- each claim: every span (source, cue, content, the pieces of a discontinuous
  content, the antecedent) lies inside its article's text, and the stored span
  text equals ``article.text[start:end]``;
- each link: ``a_id < b_id`` and the original report is one of its two claims;
- merged sources do not form a cycle.

Articles are read in batches (memory does not grow with the case).

``backup_case(case, dest)`` writes a consistent copy to a new file:

- SQLite: the online backup API of sqlite3 copies every page in one step under a
  read transaction, so concurrent writers never leave a half-written copy;
- PostgreSQL: the case is read inside one REPEATABLE READ, READ ONLY transaction
  (one snapshot) and written into a new SQLite case file at ``dest``, a
  self-contained case claimtrack opens directly (``--db dest``). ``pg_dump`` is
  the server-side alternative (docs/team.md).

The copy is written to ``dest`` + ``.partial`` and renamed when complete and
checked, so ``dest`` is either absent or a whole copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimtrack.errors import DatabaseError, UsageError
from claimtrack.store.db import Case

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection

MAX_PER_CHECK = 50  # problems listed per kind of check (the rest are counted)
ARTICLE_BATCH = 200


@dataclass(frozen=True)
class CheckReport:
    problems: list[str]
    articles: int
    claims: int
    links: int

    @property
    def ok(self) -> bool:
        return not self.problems


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.counts: dict[str, int] = {}

    def add(self, kind: str, message: str) -> None:
        n = self.counts.get(kind, 0) + 1
        self.counts[kind] = n
        if n <= MAX_PER_CHECK:
            self.items.append(message)

    def finish(self) -> list[str]:
        out = list(self.items)
        for kind, n in self.counts.items():
            if n > MAX_PER_CHECK:
                out.append(f"... and {n - MAX_PER_CHECK} more {kind} problems")
        return out


def _tables() -> list[Table]:
    from sqlmodel import SQLModel

    import claimtrack.store.schema  # noqa: F401  (registers the tables)

    return [t for t in SQLModel.metadata.sorted_tables if t.name != "schema_migrations"]


def check_case(case: Case) -> CheckReport:
    """Verify the case's integrity; see the module docstring for what is checked."""
    from sqlalchemy import func, select

    from claimtrack.store.migrations import LATEST_VERSION
    from claimtrack.store.schema import ArticleRow, ClaimRow, LinkRow

    problems = _Problems()
    try:
        with case.engine.connect() as conn:
            version = case.schema_version()
            if version != LATEST_VERSION:
                problems.add("schema", f"schema version {version}, expected {LATEST_VERSION}")
            seen = _foreign_keys(conn, problems)
            if case.location.is_sqlite:
                _sqlite_checks(conn, problems, seen)
            _links(conn, problems)
            _merge_cycles(conn, problems)
            _articles_and_spans(conn, problems)
            counts = [
                int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in (ArticleRow.__table__, ClaimRow.__table__, LinkRow.__table__)  # type: ignore[attr-defined]
            ]
    except DatabaseError:
        raise
    except Exception as exc:  # the database itself is unreadable
        from claimtrack.store.db import _describe_db_error

        raise DatabaseError(_describe_db_error(exc), path=case.location.display) from None
    return CheckReport(problems.finish(), counts[0], counts[1], counts[2])


def _sqlite_checks(conn: Connection, problems: _Problems, seen: set[tuple[str, str]]) -> None:
    for (line,) in conn.exec_driver_sql("PRAGMA integrity_check").fetchall():
        if line != "ok":
            problems.add("integrity", f"sqlite integrity: {line}")
    for table, rowid, parent, _fk in conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall():
        if (table, str(rowid)) in seen:  # already reported, with more detail
            continue
        problems.add(
            "foreign key", f"{table} row {rowid}: refers to a missing {parent} (foreign key)"
        )


def _foreign_keys(conn: Connection, problems: _Problems) -> set[tuple[str, str]]:
    """Report rows whose foreign key points nowhere; return (table, key) of each."""
    from sqlalchemy import and_, select

    seen: set[tuple[str, str]] = set()
    for table in _tables():
        pk = list(table.primary_key.columns)
        for fk in table.foreign_keys:
            child = fk.parent
            parent = fk.column
            target = parent.table.alias("p")
            query = (
                select(*pk, child)
                .select_from(table.outerjoin(target, child == target.c[parent.name]))
                .where(and_(child.is_not(None), target.c[parent.name].is_(None)))
                .limit(MAX_PER_CHECK + 1)
            )
            for row in conn.execute(query):
                key = "/".join(str(v) for v in row[: len(pk)])
                seen.add((table.name, key))
                problems.add(
                    "foreign key",
                    f"{table.name} {key}: {child.name} {row[-1]} refers to a missing "
                    f"{parent.table.name}",
                )
    return seen


def _links(conn: Connection, problems: _Problems) -> None:
    from sqlalchemy import or_, select

    from claimtrack.store.schema import LinkRow

    t = LinkRow.__table__  # type: ignore[attr-defined]
    bad = select(t.c.id, t.c.a_id, t.c.b_id, t.c.origin_claim_id).where(
        or_(
            t.c.a_id >= t.c.b_id,
            (t.c.origin_claim_id.is_not(None))
            & (t.c.origin_claim_id != t.c.a_id)
            & (t.c.origin_claim_id != t.c.b_id),
        )
    )
    for link_id, a, b, origin in conn.execute(bad.limit(MAX_PER_CHECK + 1)):
        if a >= b:
            problems.add("link", f"link {link_id}: claims {a}-{b} are not in order (a < b)")
        else:
            problems.add(
                "link", f"link {link_id}: original report {origin} is neither claim {a} nor {b}"
            )


def _merge_cycles(conn: Connection, problems: _Problems) -> None:
    from sqlalchemy import select

    from claimtrack.store.schema import SourceRow

    t = SourceRow.__table__  # type: ignore[attr-defined]
    merged = {
        int(i): int(m)
        for i, m in conn.execute(
            select(t.c.id, t.c.merged_into).where(t.c.merged_into.is_not(None))
        )
    }
    reported: set[int] = set()
    for start in merged:
        seen = {start}
        cur = merged.get(start)
        while cur is not None:
            if cur in seen:
                if start not in reported:
                    reported |= seen
                    problems.add("source", f"source {start}: merged_into forms a cycle")
                break
            seen.add(cur)
            cur = merged.get(cur)


_SPANS = (
    ("source", "source_text", "source_start", "source_end"),
    ("cue", "cue_text", "cue_start", "cue_end"),
    ("content", "content_text", "content_start", "content_end"),
)


def _article_batches(conn: Connection) -> Iterator[list[tuple[int, str, str, int]]]:
    from sqlalchemy import select

    from claimtrack.store.schema import ArticleRow

    t = ArticleRow.__table__  # type: ignore[attr-defined]
    last = 0
    while True:
        rows = conn.execute(
            select(t.c.id, t.c.text, t.c.content_hash, t.c.size)
            .where(t.c.id > last)
            .order_by(t.c.id)
            .limit(ARTICLE_BATCH)
        ).all()
        if not rows:
            return
        yield [(int(r[0]), r[1], r[2], int(r[3])) for r in rows]
        last = int(rows[-1][0])


def _articles_and_spans(conn: Connection, problems: _Problems) -> None:
    from sqlalchemy import select

    from claimtrack.store.schema import ClaimRow

    c = ClaimRow.__table__  # type: ignore[attr-defined]
    columns = [c.c.id, c.c.article_id, c.c.content_spans, c.c.antecedent_start, c.c.antecedent_end]
    for _, text_col, start_col, end_col in _SPANS:
        columns += [c.c[text_col], c.c[start_col], c.c[end_col]]
    for batch in _article_batches(conn):
        texts: dict[int, str] = {}
        for article_id, text, digest, size in batch:
            texts[article_id] = text
            if hashlib.sha256(text.encode("utf-8")).hexdigest() != digest:
                problems.add("article", f"article {article_id}: text does not match its hash")
            if size != len(text):
                problems.add(
                    "article", f"article {article_id}: size {size} but the text has {len(text)}"
                )
        query = select(*columns).where(c.c.article_id.in_(list(texts))).order_by(c.c.id)
        for row in conn.execute(query):
            claim_id, article_id = int(row[0]), int(row[1])
            _check_claim_spans(claim_id, texts[article_id], row, problems)


def _check_claim_spans(claim_id: int, text: str, row: Any, problems: _Problems) -> None:
    where = f"claim {claim_id}"

    def inside(label: str, start: Any, end: Any) -> bool:
        if start is None or end is None:
            if (start is None) != (end is None):
                problems.add("span", f"{where}: {label} span has only one end")
                return False
            return False
        if not (0 <= start <= end <= len(text)):
            problems.add(
                "span",
                f"{where}: {label} span {start}:{end} is outside its article's text "
                f"(0:{len(text)})",
            )
            return False
        return True

    content_start = content_end = None
    for i, (label, _, _, _) in enumerate(_SPANS):
        span_text, start, end = row[5 + 3 * i], row[6 + 3 * i], row[7 + 3 * i]
        if inside(label, start, end):
            if span_text is not None and text[start:end] != span_text:
                problems.add(
                    "span",
                    f"{where}: {label} text differs from the article's text at {start}:{end}",
                )
            if label == "content":
                content_start, content_end = start, end
        elif span_text is not None and start is None:
            problems.add("span", f"{where}: {label} text without offsets")
    inside("antecedent", row[3], row[4])
    try:
        pieces = json.loads(row[2] or "[]")
    except ValueError:
        problems.add("span", f"{where}: content_spans is not JSON")
        return
    for piece in pieces:
        if not (isinstance(piece, list) and len(piece) == 2):
            problems.add("span", f"{where}: bad content piece {piece!r}")
            continue
        if inside("content piece", piece[0], piece[1]) and content_start is not None:
            assert content_end is not None
            if not (content_start <= piece[0] and piece[1] <= content_end):
                problems.add("span", f"{where}: content piece {piece} is outside the content")


# --------------------------------------------------------------------------
# backup
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    path: Path
    method: str  # "sqlite backup API" | "snapshot copy to SQLite"
    articles: int
    claims: int


def backup_case(case: Case, dest: str | Path, *, overwrite: bool = False) -> BackupResult:
    """Write a consistent copy of the case to the new file ``dest`` (see the module docstring)."""
    target = Path(dest).expanduser().resolve()
    if target.is_dir():
        raise UsageError("the backup target is a folder; name a file", path=str(target))
    if target.exists() and not overwrite:
        raise UsageError(
            "the backup file exists already (use --force to replace it)", path=str(target)
        )
    if case.location.path is not None and target == case.location.path.resolve():
        raise UsageError("the backup file is the case database itself", path=str(target))
    if not target.parent.is_dir():
        raise UsageError("the backup file's folder does not exist", path=str(target))
    partial = target.with_name(target.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    try:
        if case.location.is_sqlite:
            method = "sqlite backup API"
            _sqlite_backup(case, partial)
        else:
            method = "snapshot copy to SQLite"
            _snapshot_copy(case, partial)
        with Case.open(str(partial), create=False) as copy:
            report = check_case(copy)
        if not report.ok:
            raise DatabaseError(
                f"the copy failed its check: {report.problems[0]}", path=str(target)
            )
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot write the backup: {exc}", path=str(target)) from None
    except OSError as exc:
        raise DatabaseError(
            f"cannot write the backup: {exc.strerror or exc}", path=str(target)
        ) from None
    finally:
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)
    return BackupResult(target, method, report.articles, report.claims)


def _sqlite_backup(case: Case, partial: Path) -> None:
    raw = case.engine.raw_connection()
    try:
        src = raw.driver_connection
        assert isinstance(src, sqlite3.Connection)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # all pages in one step: one consistent snapshot
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        raw.close()


def _snapshot_copy(case: Case, partial: Path) -> None:
    """Copy every table, rows with their ids, from one snapshot of ``case`` into SQLite."""
    from sqlalchemy import insert, select

    with Case.open(str(partial)) as copy:
        copy_version = copy.schema_version()
        with case.engine.connect() as src_conn:
            src_conn = src_conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            with src_conn.begin():
                if case.schema_version() != copy_version:
                    raise DatabaseError(
                        f"the case has schema version {case.schema_version()}, this "
                        f"claimtrack writes {copy_version}: upgrade first",
                        path=case.location.display,
                    )
                with copy.engine.connect() as dst_conn, dst_conn.begin():
                    # a source may be merged into a later one: check keys at commit
                    dst_conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
                    for table in _tables():
                        result = src_conn.execution_options(yield_per=1000).execute(
                            select(table).order_by(*table.primary_key.columns)
                        )
                        for part in result.partitions():
                            dst_conn.execute(insert(table), [dict(r._mapping) for r in part])
