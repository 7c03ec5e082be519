"""The command line: ingest, articles, claims, extract, db, formats, exit codes and messages."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import claimtrack.extract as extract_pkg
from claimtrack import __version__
from claimtrack.cli import app
from claimtrack.models import Claim, ResolvedClaim, SourceKind, Span, Speaker
from claimtrack.store import ingest as ingest_mod

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("isolated_cli")


_SAID = re.compile(r"(?P<content>[A-Z][^.\n]*?), (?P<source>[A-Z][a-z]+(?: [A-Z][a-z]+)*) said")


def fake_extract(text: str) -> list[Claim]:
    return [
        Claim(
            source=Span.of(text, *m.span("source")),
            cue=Span.of(text, m.start("source") + len(m.group("source")) + 1, m.end()),
            content=Span.of(text, *m.span("content")),
        )
        for m in _SAID.finditer(text)
    ]


def fake_resolve(text: str, claims: list[Claim]) -> list[ResolvedClaim]:
    return [
        ResolvedClaim(
            claim=c,
            speaker=Speaker(
                name=c.source.text if c.source else "?",
                kind=SourceKind.PERSON,
                key=f"person:{(c.source.text if c.source else '?').lower()}",
            ),
        )
        for c in claims
    ]


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_mod, "extract_claims", fake_extract)
    monkeypatch.setattr(ingest_mod, "resolve_claims", fake_resolve)
    monkeypatch.setattr(extract_pkg, "extract_claims", fake_extract)
    import claimtrack.sources as sources_pkg

    monkeypatch.setattr(sources_pkg, "resolve_claims", fake_resolve)


def run(*args: str, input: str | bytes | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def articles(*extra: str) -> list[dict[str, object]]:
    code, out, err = run(*extra, "articles", "--format", "jsonl")
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def stored_count() -> int:
    return len(articles()) if Path(os.environ["CLAIMTRACK_DB"]).exists() else 0


# --------------------------------------------------------------------------
# basics
# --------------------------------------------------------------------------


def test_version() -> None:
    assert run("--version") == (0, f"claimtrack {__version__}\n", "")


@pytest.mark.parametrize(
    "command",
    [[], ["ingest"], ["articles"], ["claims"], ["extract"], ["db"], ["db", "path"], ["db", "info"]],
)
def test_every_command_has_help(command: list[str]) -> None:
    code, out, _ = run(*command, "--help")
    assert code == 0
    assert "Usage: claimtrack" in out
    assert len(out.splitlines()) > 4


def test_db_path_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("db", "path") == (0, f"{tmp_path / 'case.db'}\n", "")
    assert run("--db", "other.db", "db", "path") == (0, f"{tmp_path / 'other.db'}\n", "")
    monkeypatch.delenv("CLAIMTRACK_DB")
    assert run("db", "path") == (0, f"{tmp_path / 'claimtrack.db'}\n", "")
    assert not (tmp_path / "claimtrack.db").exists()  # db path creates nothing


def test_db_option_after_the_command(tmp_path: Path) -> None:
    assert run("db", "path", "--db", "late.db") == (0, f"{tmp_path / 'late.db'}\n", "")
    assert run("db", "path", "--db=eq.db") == (0, f"{tmp_path / 'eq.db'}\n", "")
    code, _, err = run("ingest", str(FIXTURES / "000_24a370afdc010782.txt"), "--db", "late.db")
    assert code == 0, err
    assert (tmp_path / "late.db").is_file()
    assert not (tmp_path / "case.db").exists()


def test_usage_errors_exit_2_without_traceback() -> None:
    code, out, err = run("--db", "mysql://x/y", "articles")
    assert (code, out) == (2, "")
    assert err == (
        "error: bad database URL 'mysql://x/y': unsupported backend 'mysql' "
        "(use sqlite:///PATH or postgresql+psycopg://...)\n"
    )
    code, _, err = run("ingest", "--no-such-option", "x.txt")
    assert code == 2 and "No such option" in err and "Traceback" not in err
    code, _, err = run("ingest", "--url", "www.example.com", str(FIXTURES))
    assert (code, err) == (
        2,
        "error: bad URL 'www.example.com' for --url (expected http://... or https://...)\n",
    )
    code, _, err = run("ingest", "--published", "someday", str(FIXTURES))
    assert (code, err) == (2, "error: bad date 'someday' for --published (use YYYY-MM-DD)\n")
    code, _, err = run("ingest", "--title", "One title", str(FIXTURES))
    assert (code, err) == (
        2,
        "error: --title and --url describe one article, but 3 files were given\n",
    )
    assert stored_count() == 0


def test_reading_commands_do_not_create_a_database(tmp_path: Path) -> None:
    code, out, err = run("articles")
    assert (code, out) == (1, "")
    assert err.startswith(f"error: {tmp_path / 'case.db'}: no case database here yet")
    assert not (tmp_path / "case.db").exists()


# --------------------------------------------------------------------------
# ingest
# --------------------------------------------------------------------------


def test_ingest_fixtures_twice_is_idempotent() -> None:
    code, out, err = run("ingest", str(FIXTURES))
    assert code == 0, err
    assert out.splitlines()[-1].startswith("3 new, 0 unchanged, 0 failed")
    code, out, err = run("ingest", str(FIXTURES))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[-1] == "0 new, 3 unchanged, 0 failed"
    assert [line.split()[0] for line in lines[:-1]] == ["unchanged"] * 3
    rows = articles()
    assert [Path(str(r["path"])).name for r in rows] == sorted(p.name for p in FIXTURES.iterdir())
    assert rows[1]["outlet"] == "defensenews.com"


def test_ingest_each_format_and_stdin(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Plain title\n\nBody text here.\n")
    (tmp_path / "in" / "b.md").write_text("# Markdown title\n\nBody *text* here.\n")
    (tmp_path / "in" / "c.html").write_text(
        "<html><head><title>HTML title</title></head><body><article><p>"
        + "Officials said the talks would resume in Geneva next week. " * 4
        + "</p></article></body></html>"
    )
    code, out, err = run("ingest", "in", "-", input="Stdin title\nFrom a pipe.\n")
    assert code == 0, err
    assert out.splitlines()[-1].startswith("4 new, 0 unchanged, 0 failed")
    got = [(r["title"], r["format"], r["path"]) for r in articles()]
    assert got == [
        ("Plain title", "text", os.path.join("in", "a.txt")),
        ("Markdown title", "markdown", os.path.join("in", "b.md")),
        ("HTML title", "html", os.path.join("in", "c.html")),
        ("Stdin title", "text", "-"),
    ]


def test_cli_overrides_win_over_document_metadata() -> None:
    path = str(FIXTURES / "001_131200fdd3cc008a.txt")
    code, _, err = run(
        "ingest", path, "--title", "My title", "--outlet", "Defense News",
        "--url", "https://www.defensenews.com/x", "--published", "2024-12-16",
    )  # fmt: skip
    assert code == 0, err
    (row,) = articles()
    assert (row["title"], row["outlet"], row["url"], row["published"]) == (
        "My title",
        "Defense News",
        "https://www.defensenews.com/x",
        "2024-12-16",
    )


def test_override_on_an_already_stored_article_updates_it() -> None:
    path = str(FIXTURES / "000_24a370afdc010782.txt")
    run("ingest", path)
    code, out, _ = run("ingest", path, "--outlet", "Example")
    assert code == 0
    assert out.splitlines()[-1] == "0 new, 0 unchanged, 0 failed, 1 updated"
    assert articles()[0]["outlet"] == "Example"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("binary.txt", b"\x00\x01\x02\x03 PK stuff \x00" * 20, "binary file: binary data"),
        ("report.pdf", b"%PDF-1.4\n...", "binary file: a PDF document"),
        ("noise.txt", bytes(range(128, 256)) * 8, "undecodable bytes"),
    ],
    ids=["empty", "binary", "pdf", "undecodable"],
)
def test_bad_file_is_reported_and_the_others_are_ingested(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(data)
    good = str(FIXTURES / "000_24a370afdc010782.txt")
    code, out, err = run("ingest", str(bad), good)
    assert code == 1
    assert err.startswith(f"error: {bad}: {reason}")
    assert len(err.splitlines()) == 1
    assert out.splitlines()[-1].startswith("1 new, 0 unchanged, 1 failed")
    assert [r["path"] for r in articles()] == [good]


def test_missing_path_among_others(tmp_path: Path) -> None:
    good = str(FIXTURES / "002_25a5188a94b2868d.txt")
    code, out, err = run("ingest", "missing.txt", good)
    assert code == 1
    assert err == "error: missing.txt: no such file or folder\n"
    assert out.splitlines()[-1].startswith("1 new, 0 unchanged, 1 failed")
    assert stored_count() == 1


def test_folder_without_articles(tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    (tmp_path / "nothing" / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    code, out, err = run("ingest", "nothing")
    assert code == 1
    assert err == "error: nothing: folder contains no articles (.txt, .md, .html, .htm)\n"
    assert out == "0 new, 0 unchanged, 1 failed\n"


def test_file_over_50_mb(tmp_path: Path) -> None:
    with open(tmp_path / "huge.txt", "wb") as fh:
        fh.truncate(50 * 1024 * 1024 + 1)
    code, _, err = run("ingest", "huge.txt")
    assert code == 1
    assert err == "error: huge.txt: too large (50.0 MB; the limit is 50 MB)\n"
    assert stored_count() == 0


def test_failure_inside_one_article_rolls_it_back(
    monkeypatch: pytest.MonkeyPatch, fakes: None
) -> None:
    real = ingest_mod._after_claims_stored

    def fail_on_second(s: object, article: object, claims: object, *rest: bool) -> None:
        if getattr(article, "path", "").endswith("001_131200fdd3cc008a.txt"):
            raise RuntimeError("disk on fire")
        real(s, article, claims, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest_mod, "_after_claims_stored", fail_on_second)
    code, out, err = run("ingest", str(FIXTURES))
    assert code == 1
    assert err == (
        f"error: {FIXTURES / '001_131200fdd3cc008a.txt'}: "
        "internal error (RuntimeError: disk on fire)\n"
    )
    assert out.splitlines()[-1].startswith("2 new, 0 unchanged, 1 failed")
    assert [Path(str(r["path"])).name for r in articles()] == [
        "000_24a370afdc010782.txt",
        "002_25a5188a94b2868d.txt",
    ]
    code, out, _ = run("claims", "--format", "jsonl")
    assert {json.loads(line)["article_id"] for line in out.splitlines()} <= {1, 2}


def test_ingest_jsonl_results() -> None:
    code, out, err = run("ingest", "--format", "jsonl", str(FIXTURES), "missing.txt")
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["status"] for r in rows] == ["new", "new", "new", "failed"]
    assert rows[3]["error"] == "missing.txt: no such file or folder"
    assert err.splitlines()[-1].startswith("3 new, 0 unchanged, 1 failed")


# --------------------------------------------------------------------------
# listing
# --------------------------------------------------------------------------


def test_articles_formats() -> None:
    run("ingest", str(FIXTURES))
    code, out, _ = run("articles", "--format", "csv")
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert list(table[0]) == ["id", "title", "outlet", "published", "claims", "path"]
    assert [r["id"] for r in table] == ["1", "2", "3"]
    code, out, _ = run("articles", "--format", "table")
    assert code == 0 and "Moscow Engages" in out and "defensenews.com" in out
    code, out, _ = run("articles", "--id", "3", "--text")
    assert out == (FIXTURES / "002_25a5188a94b2868d.txt").read_text(encoding="utf-8")
    code, _, err = run("articles", "--id", "9")
    assert (code, err) == (1, "error: no article with id 9\n")


def test_claims_jsonl_follows_the_contract(fakes: None, tmp_path: Path) -> None:
    text = "Story\r\nThe talks failed, Ben Wallace said.\r\n"
    (tmp_path / "s.txt").write_bytes(text.encode())
    run("ingest", "s.txt")
    code, out, _ = run("claims", "--format", "jsonl")
    assert code == 0
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row == {
        "id": 1,
        "article_id": 1,
        "document": "s.txt",
        "source": {"text": "Ben Wallace", "start": 25, "end": 36},
        "cue": {"text": "said", "start": 37, "end": 41},
        "content": {"text": "The talks failed", "start": 7, "end": 23},
        "speaker": "Ben Wallace",
        "source_kind": "person",
        "stance": "asserts",
        "hedged": False,
        "quote": "indirect",
        # scored at ingest: a named person with no track record (prior 0.6, letter F)
        "probability": 0.6,
        "credibility": 3,
        "reliability": "F",
    }
    code, out, _ = run("claims", "--format", "csv", "--article", "1")
    (flat,) = list(csv.DictReader(io.StringIO(out)))
    assert (flat["speaker"], flat["content_text"], flat["content_start"]) == (
        "Ben Wallace",
        "The talks failed",
        "7",
    )
    assert run("claims", "--article", "5")[:2] == (1, "")


# --------------------------------------------------------------------------
# extract (no database)
# --------------------------------------------------------------------------


def test_extract_prints_the_contract_without_a_database(fakes: None, tmp_path: Path) -> None:
    text = "\ufeffA\r\nThe talks failed, Ben Wallace said.\r\n"  # BOM and CRLF kept as read
    (tmp_path / "a.txt").write_bytes(text.encode("utf-8"))
    (tmp_path / "latin.txt").write_bytes("caf\xe9, Ann Lee said.".encode("latin-1"))
    code, out, err = run("extract", "a.txt", "missing.txt", "latin.txt")
    assert code == 1
    assert err == ("error: missing.txt: no such file\nerror: latin.txt: not UTF-8 (byte 3)\n")
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row["document"] == "a.txt"
    assert row["content"] == {"text": "The talks failed", "start": 4, "end": 20}
    assert text[4:20] == "The talks failed"
    assert row["speaker"] == "Ben Wallace"
    assert not (tmp_path / "case.db").exists()
    code, out, _ = run("extract", "--format", "table", "a.txt")
    assert code == 0 and "Claims" in out and "Wallace" in out


# --------------------------------------------------------------------------
# the installed entry point
# --------------------------------------------------------------------------


def test_console_entry_point_maps_errors(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    env = {**os.environ, "CLAIMTRACK_DB": str(tmp_path / "case.db")}
    proc = subprocess.run(
        [sys.executable, "-m", "claimtrack", "ingest", "empty.txt"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 1
    assert proc.stderr == "error: empty.txt: empty file\n"
    assert proc.stdout == "0 new, 0 unchanged, 1 failed\n"
