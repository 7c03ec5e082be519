"""Faults: an ingest killed mid-way (SIGKILL), a read-only database, a full disk,
and what `claimtrack db check` / `db backup` make of them."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, func
from sqlmodel import select
from typer.testing import CliRunner

from claimtrack.cli import app
from claimtrack.store import Case
from claimtrack.store import db as db_mod
from claimtrack.store.documents import read_document
from claimtrack.store.ingest import ingest_document
from claimtrack.store.schema import ArticleRow, ClaimRow

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
runner = CliRunner()


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CLAIMTRACK_DB"}
    env["HOME"] = str(home)
    return env


def _cli(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claimtrack", "--db", url, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=_env(cwd),
        timeout=300,
    )


def _articles(n: int, folder: Path) -> list[Path]:
    """``n`` distinct real-looking articles built from the fixture paragraphs."""
    folder.mkdir(exist_ok=True)
    paras = [
        p
        for src in sorted(FIXTURES.glob("*.txt"))
        for p in src.read_text(encoding="utf-8").split("\n")
        if len(p) > 80
    ]
    paths = []
    for i in range(n):
        body = "\n\n".join(paras[(i * 2 + k) % len(paras)] for k in range(4))
        path = folder / f"a{i:03d}.txt"
        path.write_text(f"Dispatch {i}\n\n{body}\n\nOfficials said the count was {i}.\n")
        paths.append(path)
    return paths


def _claims_by_hash(url: str) -> dict[str, int]:
    with Case.open(url) as case, case.session() as s:
        rows = s.exec(
            select(ArticleRow.content_hash, func.count(ClaimRow.id))  # type: ignore[arg-type]
            .outerjoin(ClaimRow, ClaimRow.article_id == ArticleRow.id)  # type: ignore[arg-type]
            .group_by(ArticleRow.content_hash)
        ).all()
    return {h: int(n) for h, n in rows}


def _count_articles(case: Case) -> int:
    with case.session() as s:
        return int(s.exec(select(func.count()).select_from(ArticleRow)).one())


def test_an_ingest_killed_mid_way_leaves_whole_articles(db_url: str, tmp_path: Path) -> None:
    paths = _articles(16, tmp_path / "in")
    # what each article holds when ingested without interruption
    reference = str(tmp_path / "reference.db")
    with Case.open(reference) as ref:
        for path in paths:
            ingest_document(ref, read_document(str(path)))
    expected = _claims_by_hash(reference)

    Case.open(db_url).close()
    for stop_after in (2, 7):  # two kills, at different points of the run
        proc = subprocess.Popen(
            [sys.executable, "-m", "claimtrack", "--db", db_url, "ingest", "-q", *map(str, paths)],
            cwd=tmp_path,
            env=_env(tmp_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with Case.open(db_url) as watch:
            deadline = time.monotonic() + 120
            while _count_articles(watch) < stop_after and proc.poll() is None:
                assert time.monotonic() < deadline
                time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL

        check = _cli(db_url, "db", "check", cwd=tmp_path)
        assert check.returncode == 0, check.stdout + check.stderr
        stored = _claims_by_hash(db_url)
        assert stored, "the kill came before any article was stored"
        assert len(stored) < len(paths), "the ingest finished before it was killed"
        # every article present is whole: all its claims, as an uninterrupted run stores them
        assert {h: expected[h] for h in stored} == stored

    done = _cli(db_url, "ingest", "-q", *map(str, paths), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "0 failed" in done.stdout
    assert _claims_by_hash(db_url) == expected
    assert _cli(db_url, "db", "check", cwd=tmp_path).returncode == 0


@pytest.fixture
def stored_case(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "case.db"
    with Case.open(str(path)) as case:
        for src in sorted(FIXTURES.glob("*.txt"))[:2]:
            ingest_document(case, read_document(str(src)))
    yield path


def _state(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        articles = conn.execute("SELECT COUNT(*) FROM article").fetchone()[0]
        claims = conn.execute("SELECT COUNT(*) FROM claim").fetchone()[0]
    finally:
        conn.close()
    return int(articles), int(claims)


def test_a_read_only_database_gives_one_clear_line(stored_case: Path, tmp_path: Path) -> None:
    before = _state(stored_case)
    new = tmp_path / "new.txt"
    new.write_text("A new article. The minister said the talks would resume on Monday.\n")
    url = f"sqlite:///{stored_case}?mode=ro"
    result = _cli(url, "ingest", str(new), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        f"error: {stored_case}: the database is read-only "
        "(check the file's and its folder's permissions)\n"
    )
    assert _state(stored_case) == before
    # reading works read-only
    assert _cli(url, "db", "check", cwd=tmp_path).returncode == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
def test_a_read_only_file_gives_one_clear_line(stored_case: Path, tmp_path: Path) -> None:
    before = _state(stored_case)
    new = tmp_path / "new.txt"
    new.write_text("A new article. The minister said the talks would resume on Monday.\n")
    os.chmod(stored_case, 0o444)
    os.chmod(tmp_path, 0o555)
    try:
        result = _cli(str(stored_case), "ingest", str(new), cwd=tmp_path)
    finally:
        os.chmod(tmp_path, 0o755)
        os.chmod(stored_case, 0o644)
    assert result.returncode == 1
    assert "read-only" in result.stderr or "cannot open the database" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _state(stored_case) == before


def test_a_full_disk_gives_one_clear_line_and_keeps_the_case(
    stored_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _state(stored_case)
    conn = sqlite3.connect(stored_case)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    real = db_mod.create_engine_for

    def tiny_disk(location: db_mod.DbLocation) -> object:
        engine = real(location)

        @event.listens_for(engine, "connect")
        def _limit(dbapi_connection: sqlite3.Connection, _record: object) -> None:
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 1}")

        return engine

    monkeypatch.setattr(db_mod, "create_engine_for", tiny_disk)
    big = tmp_path / "big.txt"
    source = sorted(FIXTURES.glob("*.txt"))[2].read_text(encoding="utf-8")
    paras = [p for p in source.split("\n") if p]
    big.write_text("Big report\n\n" + "\n\n".join(paras * 12) + "\n")
    monkeypatch.setenv("CLAIMTRACK_DB", str(stored_case))
    result = runner.invoke(app, ["ingest", str(big)])
    assert result.exit_code == 1
    assert (
        f"{stored_case}: the disk is full (database or disk is full): free some space and run again"
        in result.output
    )
    monkeypatch.undo()
    assert _state(stored_case) == before
    with Case.open(str(stored_case)) as case:
        from claimtrack.store.maintenance import check_case

        assert check_case(case).ok


def test_check_lists_each_problem_and_exits_1(stored_case: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(stored_case)
    with conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("UPDATE claim SET content_start = content_start + 1 WHERE id = 3")
        conn.execute("UPDATE claim SET cue_end = 999999 WHERE id = 4")
        conn.execute(
            "INSERT INTO link (a_id, b_id, relation, confidence, reason, origin, version, created_at)"
            " VALUES (5, 4242, 'repeats', 1.0, '', 'machine', 1, '2024-01-01 00:00:00')"
        )
        conn.execute(
            "INSERT INTO claim_score (claim_id, probability, credibility, logodds, low, high,"
            " explanation, computed_at) VALUES (777, 0.5, 3, 0, 0.4, 0.6, '[]', '2024-01-01')"
        )
        conn.execute("UPDATE article SET text = text || 'x' WHERE id = 2")
    (link_id,) = conn.execute("SELECT id FROM link WHERE b_id = 4242").fetchone()
    conn.close()
    result = _cli(str(stored_case), "db", "check", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    size = len(read_document(str(sorted(FIXTURES.glob("*.txt"))[1])).text)
    assert sorted(lines) == sorted(
        [
            f"link {link_id}: b_id 4242 refers to a missing claim",
            "claim_score 777: claim_id 777 refers to a missing claim",
            "article 2: text does not match its hash",
            f"article 2: size {size} but the text has {size + 1}",
            _span_line(stored_case, 3),
            _cue_line(stored_case, 4),
        ]
    )
    assert result.stderr.startswith(f"error: {stored_case}: 6 problems found (")


def _span_line(path: Path, claim_id: int) -> str:
    conn = sqlite3.connect(path)
    start, end = conn.execute(
        "SELECT content_start, content_end FROM claim WHERE id = ?", (claim_id,)
    ).fetchone()
    conn.close()
    return f"claim {claim_id}: content text differs from the article's text at {start}:{end}"


def _cue_line(path: Path, claim_id: int) -> str:
    conn = sqlite3.connect(path)
    (start, length) = conn.execute(
        "SELECT c.cue_start, length(a.text) FROM claim c JOIN article a ON a.id = c.article_id "
        "WHERE c.id = ?",
        (claim_id,),
    ).fetchone()
    conn.close()
    return f"claim {claim_id}: cue span {start}:999999 is outside its article's text (0:{length})"


def test_backup_is_a_consistent_copy_that_opens(db_url: str, tmp_path: Path) -> None:
    with Case.open(db_url) as case:
        for src in sorted(FIXTURES.glob("*.txt"))[:2]:
            ingest_document(case, read_document(str(src)))
    before = _claims_by_hash(db_url)
    dest = tmp_path / "copy.db"
    result = _cli(db_url, "db", "backup", str(dest), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{dest}: 2 articles, ")
    assert _claims_by_hash(str(dest)) == before
    assert _cli(str(dest), "db", "check", cwd=tmp_path).returncode == 0
    again = _cli(db_url, "db", "backup", str(dest), cwd=tmp_path)
    assert again.returncode == 2
    assert "exists already" in again.stderr
    assert not list(tmp_path.glob("*.partial*"))
