"""``claimtrack extract`` over several files: the same lines as one file at a time, and the
process's garbage-collector settings (tuned during the run) given back afterwards."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimtrack.cli import app

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("isolated_cli")


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def test_many_files_write_each_file_s_lines_and_restore_gc(tmp_path: Path) -> None:
    texts = {
        "a.txt": "The talks failed, Ben Wallace said.\n",
        "b.txt": "Nothing here.\n",
        "c.txt": "\u201cWe will go,\u201d said Ann Lee, the minister. She added that it was late.\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
    single = "".join(_run("extract", name)[1] for name in texts)
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    assert gc.isenabled()
    code, out = _run("extract", "a.txt", "missing.txt", "b.txt", "c.txt")
    assert code == 1
    assert out == single
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["document"] for r in rows][:1] == ["a.txt"]
    assert {r["document"] for r in rows} <= {"a.txt", "c.txt"}
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == frozen
    assert gc.isenabled()


def test_chunks_keep_every_file_s_lines_and_errors_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are extracted CHUNK at a time (after the first alone): unreadable files at a
    chunk's start, middle and end are reported in order and the lines are those of one
    file at a time."""
    from claimtrack.cli import cmd_extract

    texts = [
        "The talks failed, Ben Wallace said.\n",
        "\u201cWe will go,\u201d said Ann Lee, the minister. She added that it was late.\n",
        "Nothing here.\n",
        "Officials said the plan was reportedly dropped. Reuters reported it on Monday.\n",
        "",
        "He denied it. According to the ministry, the deal is off.\n",
    ]
    names = []
    for k, text in enumerate(texts):
        name = f"f{k}.txt"
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
        names.append(name)
    single = "".join(_run("extract", name)[1] for name in names)
    args = [names[0], "gone1.txt", names[1], names[2], "gone2.txt", *names[3:], "gone3.txt"]
    monkeypatch.setattr(cmd_extract, "CHUNK", 2)
    result = runner.invoke(app, ["extract", *args])
    assert result.exit_code == 1
    assert result.stdout == single
    assert [line.split(":")[1].strip() for line in result.stderr.splitlines()] == [
        "gone1.txt",
        "gone2.txt",
        "gone3.txt",
    ]
