"""`claimtrack ingest --jobs N`: extraction in worker processes, one writer — the
same case and the same report as one process, bad inputs included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import select

from claimtrack.store import Case
from claimtrack.store.schema import ArticleRow, ClaimRow

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def _ingest(url: str, jobs: int, inputs: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CLAIMTRACK_DB"}
    env["HOME"] = str(cwd)
    return subprocess.run(
        [sys.executable, "-m", "claimtrack", "--db", url, "ingest", "--jobs", str(jobs)]
        + ["--format", "jsonl", *inputs],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def _case(url: str) -> list[tuple[str, list[tuple[str, int, int]]]]:
    with Case.open(url) as case, case.session() as s:
        out = []
        for article in s.exec(select(ArticleRow).order_by(ArticleRow.id)):  # type: ignore[arg-type]
            claims = s.exec(
                select(ClaimRow).where(ClaimRow.article_id == article.id).order_by(ClaimRow.ordinal)  # type: ignore[arg-type]
            ).all()
            out.append(
                (
                    article.content_hash,
                    [(c.content_text, c.content_start, c.source_id or 0) for c in claims],
                )
            )
        return out


def test_jobs_store_the_same_case_as_one_process(db_url: str, tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02binary\xff\xfe" * 50)
    (tmp_path / "empty.txt").write_text("   \n")
    copy = tmp_path / "copy.txt"
    first = sorted(FIXTURES.glob("*.txt"))[0]
    copy.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    inputs = [
        *map(str, sorted(FIXTURES.glob("*.txt"))),
        str(tmp_path / "bad.txt"),
        str(tmp_path / "missing.txt"),
        str(tmp_path / "empty.txt"),
        str(copy),
    ]
    one = _ingest(str(tmp_path / "one.db"), 1, inputs, tmp_path)
    many = _ingest(db_url, 2, inputs, tmp_path)
    assert one.returncode == many.returncode == 1  # the bad inputs fail, the others are stored
    rows_one = [json.loads(line) for line in one.stdout.splitlines()]
    rows_many = [json.loads(line) for line in many.stdout.splitlines()]
    assert [r["path"] for r in rows_many] == inputs  # results in input order
    assert [(r["status"], r["claims"], r["content_hash"], r["error"]) for r in rows_many] == [
        (r["status"], r["claims"], r["content_hash"], r["error"]) for r in rows_one
    ]
    assert [r["status"] for r in rows_many].count("failed") == 3
    assert rows_many[-1]["status"] == "unchanged"  # the copy of the first fixture
    assert many.stderr == one.stderr
    assert _case(db_url) == _case(str(tmp_path / "one.db"))

    again = _ingest(db_url, 2, inputs[:3], tmp_path)  # workers skip stored texts
    assert [json.loads(line)["status"] for line in again.stdout.splitlines()] == ["unchanged"] * 3
