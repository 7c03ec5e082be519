"""PostgreSQL specifics (skipped unless CLAIMTRACK_TEST_PG_URL names a server):
the command line against a server URL, the writers' lock, and a stored-meanwhile
insert that is "unchanged", not a failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from claimtrack.store import Case, utcnow
from claimtrack.store import ingest as ingest_mod
from claimtrack.store.db import PG_WRITE_LOCK
from claimtrack.store.documents import read_document
from claimtrack.store.schema import ArticleRow

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def _cli(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CLAIMTRACK_DB"}
    env["HOME"] = str(cwd)
    return subprocess.run(
        [sys.executable, "-m", "claimtrack", "--db", url, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def test_the_command_line_on_a_server(pg_url: str, tmp_path: Path) -> None:
    first = _cli(pg_url, "ingest", "--format", "jsonl", str(FIXTURES), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    rows = [json.loads(line) for line in first.stdout.splitlines()]
    assert [r["status"] for r in rows] == ["new"] * len(rows) and len(rows) >= 3
    again = _cli(pg_url, "ingest", "-q", str(FIXTURES), cwd=tmp_path)
    assert again.stdout.startswith(f"0 new, {len(rows)} unchanged, 0 failed")
    listed = _cli(pg_url, "articles", "--format", "jsonl", cwd=tmp_path)
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == [
        r["article_id"] for r in rows
    ]
    shown = _cli(pg_url, "articles", "--id", str(rows[0]["article_id"]), "--text", cwd=tmp_path)
    assert shown.stdout == read_document(rows[0]["path"]).text
    info = _cli(pg_url, "db", "info", "--format", "jsonl", cwd=tmp_path)
    items = {
        json.loads(line)["item"]: json.loads(line)["value"] for line in info.stdout.splitlines()
    }
    assert items["articles"] == len(rows)
    assert "password" not in info.stdout
    check = _cli(pg_url, "db", "check", cwd=tmp_path)
    assert check.returncode == 0 and check.stdout.startswith("ok: postgresql+psycopg://")


def test_writers_hold_the_case_lock_readers_do_not(pg_url: str) -> None:
    held = text(
        "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND objid = :k AND pid = pg_backend_pid()"
    )
    with Case.open(pg_url) as case:
        with case.write() as s:
            assert s.exec(held, params={"k": PG_WRITE_LOCK}).one()[0] == 1  # type: ignore[call-overload]
        with case.session() as s:
            assert s.exec(held, params={"k": PG_WRITE_LOCK}).one()[0] == 0  # type: ignore[call-overload]


def test_an_article_stored_meanwhile_is_unchanged_not_a_failure(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer stores the same text between our check and our insert: the
    unique content_hash fires, and the result is 'unchanged' with that article's id."""
    doc = read_document(str(sorted(FIXTURES.glob("*.txt"))[0]))
    with Case.open(pg_url) as case:
        real = ingest_mod.find_article_id
        calls = {"n": 0}

        def racing(session: object, content_hash: str) -> int | None:
            calls["n"] += 1
            if calls["n"] == 2:  # inside our write unit: another writer commits the text
                # (a writer outside claimtrack's lock, so that the race can happen at all)
                with Case.open(pg_url) as other, other.session() as s2:
                    s2.add(
                        ArticleRow(
                            content_hash=doc.content_hash,
                            text=doc.text,
                            size=len(doc.text),
                            ingested_at=utcnow(),
                        )
                    )
                return None  # ...after our check said it was not there
            return real(session, content_hash)  # type: ignore[arg-type]

        monkeypatch.setattr(ingest_mod, "find_article_id", racing)
        result = ingest_mod.ingest_document(case, doc, resolved=[])
        assert result.status == "unchanged"
        with case.session() as s:
            ids = s.exec(select(ArticleRow.id)).all()
        assert ids == [result.article_id]
