"""Concurrent use of one case by real processes, on SQLite and (with
CLAIMTRACK_TEST_PG_URL) PostgreSQL: two reviewers deciding on the same claim,
two `claimtrack ingest` runs over the same files."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from claimtrack.errors import ConflictError
from claimtrack.store import Case, review, utcnow
from claimtrack.store.schema import (
    ArticleRow,
    ClaimReviewRow,
    ClaimRow,
    ReviewEventRow,
    SourceRow,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CTX = mp.get_context("spawn")  # children open their own connections, nothing inherited


def _seed(url: str, n_claims: int) -> list[int]:
    """One article with ``n_claims`` claims (made by hand: no extraction needed)."""
    text = " ".join(f"Claim number {i} is true, Ann said." for i in range(n_claims))
    with Case.open(url) as case, case.write() as s:
        article = ArticleRow(content_hash="c" * 64, text=text, size=len(text), ingested_at=utcnow())
        s.add(article)
        s.flush()
        assert article.id is not None
        ids = []
        pos = 0
        for i in range(n_claims):
            content = f"Claim number {i} is true"
            start = text.index(content, pos)
            pos = start + len(content)
            row = ClaimRow(
                article_id=article.id,
                ordinal=i,
                span_key=f"{start}:{pos}:",
                content_text=content,
                content_start=start,
                content_end=pos,
            )
            s.add(row)
            s.flush()
            assert row.id is not None
            ids.append(row.id)
        return ids


def _reviewer(
    url: str, claim_ids: list[int], verdict: str, expected: int, barrier: Any, out: Any
) -> None:
    """A reviewer who loaded every claim at ``expected`` and now decides on each of them."""
    results = []
    with Case.open(url) as case:
        for claim_id in claim_ids:
            barrier.wait(timeout=60)
            try:
                review.set_verdict(
                    case, claim_id, verdict, expected_version=expected, actor=verdict
                )
                results.append("ok")
            except ConflictError as exc:
                results.append(f"conflict: {exc}")
    out.put((verdict, results))


def _race(url: str, claim_ids: list[int], expected: int) -> dict[str, list[str]]:
    barrier = CTX.Barrier(2)
    out = CTX.Queue()
    procs = [
        CTX.Process(target=_reviewer, args=(url, claim_ids, v, expected, barrier, out))
        for v in ("true", "false")
    ]
    for p in procs:
        p.start()
    results = dict(out.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return results


@pytest.mark.parametrize("expected", [0, 1], ids=["first-decision", "over-a-decision"])
def test_two_reviewers_never_overwrite_each_other(db_url: str, expected: int) -> None:
    ids = _seed(db_url, 6)
    if expected == 1:  # both reviewers loaded the claims after a first decision
        with Case.open(db_url) as case:
            for claim_id in ids:
                review.set_note(case, claim_id, "seen", actor="lead")
    results = _race(db_url, ids, expected)

    with Case.open(db_url) as case, case.session() as s:
        for i, claim_id in enumerate(ids):
            outcomes = {v: results[v][i] for v in results}
            winners = [v for v, r in outcomes.items() if r == "ok"]
            assert len(winners) == 1, outcomes  # exactly one decision stands
            loser = next(v for v in outcomes if v not in winners)
            assert outcomes[loser].startswith(
                f"conflict: claim {claim_id} was changed by someone else since you loaded it "
                f"(version {expected + 1}, you had {expected})"
            )
            row = s.get(ClaimReviewRow, claim_id)
            assert row is not None
            assert (row.verdict, row.version, row.updated_by) == (
                winners[0],
                expected + 1,
                winners[0],
            )
            events = s.exec(
                select(ReviewEventRow)
                .where(ReviewEventRow.entity == "claim", ReviewEventRow.entity_id == str(claim_id))
                .where(col(ReviewEventRow.action).in_(["verdict", "conflict"]))
                .order_by(col(ReviewEventRow.id))
            ).all()
            # both attempts are in the history: the decision, then the refused one
            assert [(e.action, e.actor) for e in events] == [
                ("verdict", winners[0]),
                ("conflict", loser),
            ]
            assert json.loads(events[1].new_value or "") == {"action": "verdict", "value": loser}
            assert (events[1].note or "").startswith("refused: claim")
        # a refused attempt is not something to undo: undo reverts the last decision
    with Case.open(db_url) as case:
        undone = review.undo_last(case)
        assert (undone.entity_id, undone.action) == (str(ids[-1]), "verdict")


def _articles(n: int, folder: Path) -> list[Path]:
    """Small real articles: the fixtures plus short texts made from them."""
    folder.mkdir()
    paths = []
    for i, src in enumerate(sorted(FIXTURES.glob("*.txt"))):
        paths.append(folder / f"fixture{i}.txt")
        paths[-1].write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    lines = [
        line
        for src in sorted(FIXTURES.glob("*.txt"))
        for line in src.read_text(encoding="utf-8").splitlines()
        if len(line) > 80
    ]
    for i in range(n - len(paths)):
        body = "\n\n".join(lines[(i + k) % len(lines)] for k in range(3))
        path = folder / f"made{i:02d}.txt"
        path.write_text(f"Report {i}\n\n{body}\nThe spokesman said the number was {i}.\n")
        paths.append(path)
    return paths


def _ingest(url: str, paths: list[Path], cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "CLAIMTRACK_DB"}
    env["HOME"] = str(cwd)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "claimtrack",
            "--db",
            url,
            "ingest",
            "--format",
            "jsonl",
            *map(str, paths),
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_ingest_processes_never_duplicate_an_article(db_url: str, tmp_path: Path) -> None:
    paths = _articles(14, tmp_path / "in")
    Case.open(db_url).close()  # created and migrated before the race
    # the same files, in opposite orders: every article is contended
    procs = [_ingest(db_url, paths, tmp_path), _ingest(db_url, paths[::-1], tmp_path)]
    outputs = [p.communicate(timeout=300) for p in procs]
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    rows = [[json.loads(line) for line in out.splitlines()] for out, _ in outputs]
    by_path = [{r["path"]: r for r in run} for run in rows]
    for path in map(str, paths):
        statuses = sorted(run[path]["status"] for run in by_path)
        # each file stored once: new for one process, unchanged for the other
        # (or unchanged for both when its text equals another file's)
        assert statuses in (["new", "unchanged"], ["unchanged", "unchanged"]), (path, statuses)
        assert by_path[0][path]["article_id"] == by_path[1][path]["article_id"]

    with Case.open(db_url) as case, case.session() as s:
        hashes = s.exec(select(ArticleRow.content_hash)).all()
        assert len(hashes) == len(set(hashes)) == len({r["content_hash"] for r in rows[0]})
        claims = s.exec(select(func.count()).select_from(ClaimRow)).one()
        assert claims == sum(r["claims"] for r in rows[0] if r["status"] == "new") + sum(
            r["claims"] for r in rows[1] if r["status"] == "new"
        )
        keys = s.exec(select(SourceRow.key)).all()
        assert len(keys) == len(set(keys))
    check = subprocess.run(
        [sys.executable, "-m", "claimtrack", "--db", db_url, "db", "check"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.startswith("ok: ")
