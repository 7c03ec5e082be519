"""``claimtrack extract`` in its plain form runs without typer, exactly as the typer command.

The console script offers the command line to ``app_extract.fast_main`` first; these
tests check which command lines it takes, that what it writes (stdout, stderr, exit
code) is byte for byte what the typer command writes, that it imports none of the
heavy modules, and that the package's ``app`` is still the full typer application.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimtrack.cli.app_extract import fast_main, plain_files

runner = CliRunner()

TEXTS = {
    "a.txt": "The talks failed, Ben Wallace said.\n“We will go,” said Ann Lee. She denied it.\n",
    "b.txt": "Nothing here.\n",
    "c.txt": "Officials said the plan was reportedly dropped. Reuters reported it on Monday.\n",
}


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    out = []
    for name, text in TEXTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
        out.append(str(tmp_path / name))
    return out


@pytest.mark.parametrize(
    ("args", "want"),
    [
        (["extract", "a.txt"], ["a.txt"]),
        (["extract", "a.txt", "b.txt", "--format", "jsonl"], ["a.txt", "b.txt"]),
        (["extract", "-f", "jsonl", "a.txt"], ["a.txt"]),
        (["extract", "--format=jsonl", "a.txt", "--format", "jsonl"], ["a.txt"]),
        (["extract"], None),
        (["extract", "--format", "table", "a.txt"], None),
        (["extract", "--format", "JSONL", "a.txt"], None),
        (["extract", "--format=csv", "a.txt"], None),
        (["extract", "a.txt", "--format"], None),
        (["extract", "--help"], None),
        (["extract", "-h"], None),
        (["extract", "--", "a.txt"], None),
        (["extract", "-", "a.txt"], None),
        (["extract", "--db", "x.db", "a.txt"], None),
        (["--db", "x.db", "extract", "a.txt"], None),
        (["claims"], None),
        ([], None),
    ],
)
def test_which_command_lines_take_the_fast_path(args: list[str], want: list[str] | None) -> None:
    assert plain_files(args) == want


def _fast(args: list[str], capfd: pytest.CaptureFixture[str]) -> tuple[int | None, str, str]:
    code = fast_main(args)
    out, err = capfd.readouterr()
    return code, out, err


def test_fast_path_writes_what_the_typer_command_writes(
    files: list[str], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from claimtrack.cli import app

    cases = [
        ["extract", *files],
        ["extract", files[0], "--format", "jsonl"],
        ["extract", files[1]],
        ["extract", str(tmp_path / "gone.txt"), *files, str(tmp_path)],
    ]
    for args in cases:
        code, out, err = _fast(args, capfd)
        typed = runner.invoke(app, args)
        assert code == typed.exit_code
        assert out == typed.stdout
        assert err == typed.stderr
    code, out, err = _fast(cases[0], capfd)
    assert code == 0 and err == ""
    rows = [json.loads(line) for line in out.splitlines()]
    assert {r["document"] for r in rows} == {files[0], files[2]}
    code, out, err = _fast(cases[3], capfd)
    assert code == 1
    assert [line.split(":")[1].strip() for line in err.splitlines()] == [
        str(tmp_path / "gone.txt"),
        str(tmp_path),
    ]


def test_other_command_lines_are_left_to_typer(capfd: pytest.CaptureFixture[str]) -> None:
    assert fast_main(["extract", "--help"]) is None
    assert fast_main(["--version"]) is None
    assert capfd.readouterr() == ("", "")


_PROBE = """
import sys
sys.argv = ["claimtrack", *sys.argv[1:]]
from claimtrack.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
heavy = sorted(m.split(".")[0] for m in sys.modules
               if m.split(".")[0] in {"typer", "click", "rich", "sqlmodel", "sqlalchemy",
                                      "textual", "trafilatura"})
commands = sorted(m for m in sys.modules if m.startswith("claimtrack.cli.cmd_"))
sys.stderr.write(repr((code, sorted(set(heavy)), commands)) + "\\n")
"""


def test_the_plain_form_imports_no_typer_and_no_other_command(files: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, "extract", *files],
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stderr.strip().splitlines()[-1] == repr((0, [], []))
    typed = runner.invoke(__import__("claimtrack.cli").cli.app, ["extract", *files])
    assert proc.stdout == typed.stdout
    # any other form goes through typer, with every command registered
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, "extract", "--format", "table", files[0]],
        capture_output=True,
        text=True,
        check=True,
    )
    code, heavy, commands = eval(proc.stderr.strip().splitlines()[-1])  # noqa: S307
    assert code == 0 and "typer" in heavy and "claimtrack.cli.cmd_extract" in commands
    assert "Claims" in proc.stdout


def test_package_app_is_the_typer_application_whatever_was_imported_first() -> None:
    """A command module imports the submodule ``claimtrack.cli.app`` first: the package's
    ``app`` is still the typer application, with every command."""
    code = (
        "import claimtrack.cli.cmd_show, claimtrack.cli.app\n"
        "from claimtrack.cli import app\n"
        "import typer\n"
        "assert isinstance(app, typer.Typer), type(app)\n"
        "import claimtrack.cli as c\n"
        "assert c.app is app\n"
        "print(sorted(i.name for i in app.registered_commands))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    names = eval(proc.stdout)  # noqa: S307
    for name in ("extract", "ingest", "claims", "show"):
        assert name in names


def test_help_lists_every_command() -> None:
    from claimtrack.cli import app

    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for info in app.registered_commands:
        assert info.name is not None
        assert f" {info.name} " in result.stdout
    assert len(app.registered_commands) >= 10


def test_a_closed_pipe_ends_the_fast_path_quietly(tmp_path: Path) -> None:
    """``claimtrack extract ... | head -1``: exit 1, no traceback (as typer's handling)."""
    text = "".join(f"Minister {k} said the talks failed.\n" for k in range(400))
    names = []
    for k in range(12):
        (tmp_path / f"{k}.txt").write_text(text, encoding="utf-8")
        names.append(str(tmp_path / f"{k}.txt"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "claimtrack", "extract", *names],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 1
    assert json.loads(first)["document"] == names[0]
    assert err == b""
