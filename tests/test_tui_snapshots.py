"""Snapshot tests (pytest-textual-snapshot) of the review app's screens on the fixture case.

Update after an intended change: ``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from tui_case import build_case

from claimtrack.store import Case
from claimtrack.tui.app import ReviewApp
from claimtrack.tui.screens import ClaimsScreen


@pytest.fixture
def case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Case]:
    monkeypatch.setattr(ClaimsScreen, "DETAIL_DELAY", 0)
    c = build_case(tmp_path / "case.db")
    yield c
    c.close()


def run_keys(*keys: str) -> Any:
    async def run_before(pilot: Pilot[None]) -> None:
        for key in ("", *keys):
            if key:
                await pilot.press(key)
            for _ in range(3):
                await pilot.app.workers.wait_for_complete()
                await pilot.pause()

    return run_before


def test_claims_screen_80x24(case: Case, snap_compare: Any) -> None:
    assert snap_compare(ReviewApp(case), terminal_size=(80, 24), run_before=run_keys("down"))


def test_claims_screen_wide(case: Case, snap_compare: Any) -> None:
    assert snap_compare(ReviewApp(case), terminal_size=(160, 40), run_before=run_keys("down"))


def test_detail_screen(case: Case, snap_compare: Any) -> None:
    assert snap_compare(
        ReviewApp(case), terminal_size=(100, 40), run_before=run_keys("down", "enter")
    )


def test_sources_screen(case: Case, snap_compare: Any) -> None:
    assert snap_compare(ReviewApp(case), terminal_size=(100, 24), run_before=run_keys("2"))


def test_article_screen(case: Case, snap_compare: Any) -> None:
    assert snap_compare(
        ReviewApp(case), terminal_size=(100, 40), run_before=run_keys("3", "down", "enter")
    )


def test_help_screen(case: Case, snap_compare: Any) -> None:
    assert snap_compare(
        ReviewApp(case), terminal_size=(100, 40), run_before=run_keys("question_mark")
    )
