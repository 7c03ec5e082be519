"""``claimtrack claims`` carries each claim's score and its source's letter; ``sources`` the
reliability; both agree with ``claimtrack show`` and the store."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from claimtrack.cli import app
from claimtrack.store import Case
from claimtrack.store.catalog import iter_claim_contracts, iter_claims_scored
from claimtrack.store.review import reject_claim, set_claim_source
from claimtrack.store.scores import claim_score

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def jsonl(db: str, *args: str) -> list[dict[str, Any]]:
    code, out, err = run("--db", db, *args, "--format", "jsonl")
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scores") / "case.db"
    code, _, err = run("--db", str(path), "analyze", str(FIXTURES))
    assert code == 0, err
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A copy of the analysed fixtures case (tests may change it)."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CLAIMTRACK_DB", str(tmp_path / "default.db"))
    import sqlite3

    src = sqlite3.connect(str(template))  # a WAL database: copied through SQLite's backup
    dst = sqlite3.connect(str(tmp_path / "case.db"))
    src.backup(dst)
    src.close()
    dst.close()
    return str(tmp_path / "case.db")


@pytest.fixture(scope="module")
def shown(template: Path) -> dict[int, dict[str, Any]]:
    """`claimtrack show ID --format jsonl` of every claim of the (unchanged) analysed case."""
    db = str(template)
    return {r["id"]: jsonl(db, "show", str(r["id"]))[0] for r in jsonl(db, "claims")}


def test_claims_rows_carry_the_score_of_show(template: Path, shown: dict[int, Any]) -> None:
    db = str(template)
    rows = jsonl(db, "claims")
    assert len(rows) > 10
    assert sorted(shown) == [r["id"] for r in rows]
    with Case.open(db) as case:
        for row in rows:
            show = shown[row["id"]]
            stored = claim_score(case, row["id"])
            assert stored is not None  # analyse scores every claim
            assert (row["probability"], row["credibility"]) == (
                stored["probability"],
                stored["credibility"],
            )
            assert (row["probability"], row["credibility"]) == (
                show["score"]["probability"],
                show["score"]["credibility"],
            )
            speaker = show["speaker"]
            assert row["reliability"] == (speaker["letter"] if speaker else None), row["id"]
            assert row["reliability"] is None or row["reliability"] in "ABCDEF"
            assert 1 <= row["credibility"] <= 6
    assert any(r["reliability"] is None for r in rows)  # unattributed claims have no letter
    assert any(r["reliability"] is not None for r in rows)


def test_claims_of_one_article_and_in_batches(db: str) -> None:
    everything = jsonl(db, "claims")
    one = jsonl(db, "claims", "--article", "2")
    assert one == [r for r in everything if r["article_id"] == 2]
    with Case.open(db) as case:
        small_batches = list(iter_claims_scored(case, batch=3))
        plain = list(iter_claim_contracts(case))
    assert small_batches == everything
    extra = {"probability", "credibility", "reliability"}
    assert [{k: v for k, v in r.items() if k not in extra} for r in small_batches] == plain


def test_unscored_and_reattributed_claims(db: str) -> None:
    rows = {r["id"]: r for r in jsonl(db, "claims")}
    sources = {s["name"]: s for s in jsonl(db, "sources")}
    reuters = sources["Reuters"]
    target = next(cid for cid, r in rows.items() if r["reliability"] and r["speaker"] != "Reuters")
    with Case.open(db) as case:
        reject_claim(case, 1)  # rejected claims are not scored
        set_claim_source(case, target, reuters["id"])
    assert run("--db", db, "score")[0] == 0
    after = {r["id"]: r for r in jsonl(db, "claims")}
    assert (after[1]["probability"], after[1]["credibility"]) == (None, None)
    letter = {s["id"]: s["letter"] for s in jsonl(db, "sources")}[reuters["id"]]
    assert after[target]["reliability"] == letter
    assert (
        json.loads(run("--db", db, "show", str(target), "-f", "jsonl")[1])["speaker"]["letter"]
        == letter
    )


def test_claims_table_and_csv_show_grade_and_probability(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # a wide terminal: no cell is folded
    rows = jsonl(db, "claims")
    code, out, _ = run("--db", db, "claims", "--format", "csv")
    assert code == 0
    flat = list(csv.DictReader(io.StringIO(out)))
    assert [(int(f["id"]), f["reliability"], f["credibility"], f["probability"]) for f in flat] == [
        (r["id"], r["reliability"] or "", str(r["credibility"]), str(r["probability"]))
        for r in rows
    ]
    code, out, _ = run("--db", db, "claims", "--format", "table", "--article", "3")
    assert code == 0
    header = next(line for line in out.splitlines() if "┃ id" in line)
    assert "grade" in header and "┃    P ┃" in header
    first = next(r for r in rows if r["article_id"] == 3)
    line = next(line for line in out.splitlines() if line.startswith(f"│ {first['id']} "))
    cells = [c.strip() for c in line.strip("│").split("│")]
    grade = f"{first['reliability'] or '-'}{first['credibility']}"
    assert cells[-2:] == [grade, f"{first['probability']:.2f}"]


def test_sources_show_reliability_letter_and_value(template: Path, shown: dict[int, Any]) -> None:
    db = str(template)
    rows = jsonl(db, "sources")
    assert rows
    for s in rows:
        assert s["letter"] in tuple("ABCDEF"), s
        assert 0.0 <= s["reliability"] <= 1.0
    # the speaker card of `show` agrees (for each source with a claim)
    seen: set[int] = set()
    for _, show in sorted(shown.items()):
        sp = show["speaker"]
        if sp is None or sp["id"] in seen:
            continue
        seen.add(sp["id"])
        listed = next(s for s in rows if s["id"] == sp["id"])
        assert (listed["letter"], listed["reliability"]) == (
            sp["letter"],
            round(sp["reliability"], 3),
        )
    assert seen
    code, out, _ = run("--db", db, "sources", "--format", "table")
    assert code == 0
    assert "rel." in out and "reliability" in out
