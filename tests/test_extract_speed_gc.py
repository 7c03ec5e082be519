"""The typer-free ``claimtrack extract`` turns automatic garbage collection off for its run
(and freezes what the first article loaded); the collector's state is what it was after."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from claimtrack.cli.app_extract import fast_main


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    out = []
    for k in range(3):
        path = tmp_path / f"{k}.txt"
        path.write_text(f"The plan failed in round {k}, Ann Lee said.\n", encoding="utf-8")
        out.append(str(path))
    return out


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_restored(
    files: list[str], enabled: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[tuple[bool, int]] = []
    real = sys.modules["claimtrack.cli.app_extract"].extract_files

    def spy(*args: object, **kwargs: object) -> int:
        seen.append((gc.isenabled(), gc.get_freeze_count()))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    was = gc.isenabled()
    mp = pytest.MonkeyPatch()
    mp.setattr("claimtrack.cli.app_extract.extract_files", spy)
    try:
        if enabled:
            gc.enable()
        else:
            gc.disable()
        assert fast_main(["extract", *files]) == 0
        assert gc.isenabled() is enabled
        assert gc.get_freeze_count() == 0
    finally:
        mp.undo()
        if was:
            gc.enable()
        else:
            gc.disable()
    assert seen == [(False, 0)]  # off while the extractor loads
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and all('"Ann Lee"' in line for line in out)


def test_a_failing_run_restores_the_collector(tmp_path: Path) -> None:
    was = gc.isenabled()
    gc.enable()
    try:
        assert fast_main(["extract", str(tmp_path / "missing.txt")]) == 1
        assert gc.isenabled()
        assert gc.get_freeze_count() == 0
    finally:
        if not was:
            gc.disable()


def test_an_ending_run_leaves_what_it_froze_frozen(
    files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    was = gc.isenabled()
    gc.enable()
    try:
        assert fast_main(["extract", *files], ending=True) == 0
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # no scan of it all again at exit
    finally:
        gc.unfreeze()
        if not was:
            gc.disable()
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_the_console_script_ends_with_the_run_frozen(files: list[str]) -> None:
    probe = (
        "import gc, sys\n"
        "sys.argv = ['claimtrack', *sys.argv[1:]]\n"
        "from claimtrack.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "sys.stderr.write(repr((code, gc.get_freeze_count() > 0, gc.isenabled())))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, "extract", *files],
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stderr.strip().splitlines()[-1] == repr((0, True, True))
    assert len(proc.stdout.splitlines()) == 3
