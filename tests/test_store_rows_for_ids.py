"""rows_for_ids: any number of ids, in id order, on every backend."""

from __future__ import annotations

from claimtrack.store import Case
from claimtrack.store.db import IN_CHUNK, rows_for_ids

SQL = "SELECT version FROM schema_migrations WHERE version IN :ids ORDER BY version"


def test_more_ids_than_a_statement_may_bind(db_url: str) -> None:
    # 70,000 ids: over PostgreSQL's 65,535 parameters and SQLite's variable limit
    with Case.open(db_url) as case, case.session() as s:
        conn = s.connection()
        applied = [int(r[0]) for r in conn.exec_driver_sql("SELECT version FROM schema_migrations")]
        got = [int(r[0]) for r in rows_for_ids(conn, SQL, range(70_000, -1, -1))]
    assert got == sorted(applied)


def test_rows_come_in_id_order_across_chunks(db_url: str) -> None:
    ids = [*range(IN_CHUNK * 2 + 7, 0, -3), 1, 2, 3, 4]  # unsorted, duplicated, over 2 chunks
    with Case.open(db_url) as case, case.session() as s:
        conn = s.connection()
        applied = {int(r[0]) for r in conn.exec_driver_sql("SELECT version FROM schema_migrations")}
        got = [int(r[0]) for r in rows_for_ids(conn, SQL, ids)]
        assert list(rows_for_ids(conn, SQL, [])) == []
    assert got == sorted(applied & set(ids))
