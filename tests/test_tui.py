"""The review app driven by key presses (Textual's Pilot); assertions on the database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.worker import WorkerState
from tui_case import build_case

from claimtrack.store import Case
from claimtrack.store.queries import claim_detail, claims_by_ids
from claimtrack.store.schema import ClaimReviewRow, LinkRow, ReviewEventRow
from claimtrack.tui.app import APP_BINDINGS, ReviewApp, help_sections
from claimtrack.tui.detail import DetailView, LinkList
from claimtrack.tui.modals import ErrorModal, HelpScreen
from claimtrack.tui.screens import (
    ArticleScreen,
    ArticlesScreen,
    ClaimsScreen,
    DetailScreen,
    SourcesScreen,
)
from claimtrack.tui.table import ClaimTable

Steps = Callable[[Pilot[None], ReviewApp], Awaitable[None]]


@pytest.fixture
def case(tmp_path: Path) -> Iterator[Case]:
    c = build_case(tmp_path / "case.db")
    yield c
    c.close()


@pytest.fixture(autouse=True)
def _no_detail_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ClaimsScreen, "DETAIL_DELAY", 0)


async def settle(pilot: Pilot[None]) -> None:
    """Wait for every worker (ids -> rows -> detail chains) and the screen to catch up."""
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(
            w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers
        ):
            break


async def press(pilot: Pilot[None], *keys: str) -> None:
    """Press ``keys`` (nothing waits for the database between them), then settle."""
    await pilot.press(*keys)
    await settle(pilot)


def drive(case: Case, steps: Steps, size: tuple[int, int] = (100, 32)) -> ReviewApp:
    app = ReviewApp(case)

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await steps(pilot, app)

    asyncio.run(main())
    return app


def review_row(case: Case, claim_id: int) -> ClaimReviewRow | None:
    with case.session() as s:
        return s.get(ClaimReviewRow, claim_id)


def event_actions(case: Case) -> list[tuple[str, str, str]]:
    with case.session() as s:
        rows = s.exec(select(ReviewEventRow).order_by(ReviewEventRow.id))  # type: ignore[arg-type]
        return [(e.entity, e.entity_id, e.action) for e in rows]


def table(app: ReviewApp) -> ClaimTable:
    return app.screen.query_one(ClaimTable)


def test_accept_reject_move_on_and_persist(case: Case) -> None:
    async def steps(pilot: Pilot[None], app: ReviewApp) -> None:
        assert table(app).ids == list(range(1, 11))
        await press(pilot, "down", "a")  # accept claim 2, cursor moves to 3
        assert table(app).current_id == 3
        await press(pilot, "x")  # reject claim 3
        assert table(app).current_id == 4
        assert table(app).cache[2].status == "accepted"

    drive(case, steps)
    row2, row3 = review_row(case, 2), review_row(case, 3)
    assert row2 is not None and row2.status == "accepted"
    assert row3 is not None and row3.status == "rejected"
    assert event_actions(case) == [("claim", "2", "status"), ("claim", "3", "status")]


def test_verdict_note_source_and_undo(case: Case) -> None:
    async def steps(pilot: Pilot[None], app: ReviewApp) -> None:
        await press(pilot, "end")  # claim 10
        assert table(app).cache[10].probability == 0.74  # the fixture's stored score
        await press(pilot, "v", "t")
        # rescored in the background, then shown: a true verdict wins over the evidence
        assert (table(app).cache[10].probability or 0) > 0.9
        shown = app.screen.query_one(DetailView).detail
        assert shown is not None and shown.score is not None and shown.score.probability > 0.9
        await press(pilot, "n")
        await pilot.press(*"checked")
        await press(pilot, "enter")
        await press(pilot, "e")
        await pilot.press(*"reut")
        await settle(pilot)
        await press(pilot, "enter")  # Reuters (the filtered list's first entry after the clear one)
        detail = app.screen.query_one(DetailView).detail
        assert detail is not None and detail.id == 10
        assert (detail.verdict, detail.note) == ("true", "checked")
        assert table(app).cache[10].status == "-" or table(app).cache[10].verdict == "true"
        await press(pilot, "u")  # undo the source edit

    drive(case, steps)
    row = review_row(case, 10)
    assert row is not None
    assert (row.verdict, row.note, row.source_id) == ("true", "checked", None)
    assert event_actions(case) == [
        ("claim", "10", "verdict"),
        ("claim", "10", "note"),
        ("claim", "10", "source"),
        ("claim", "10", "undo"),
    ]


def test_source_picker_sets_the_source(case: Case) -> None:
    async def steps(pilot: Pilot[None], app: ReviewApp) -> None:
        await press(pilot, "down", "down", "down", "down")  # claim 5, "Reports"
        await press(pilot, "e")
        await pilot.press(*"wallace")
        await settle(pilot)
        await press(pilot, "enter")  # the first match, Ben Wallace
        await press(pilot, "up", "up", "l")  # claim 3: add a link to claim 9
        await pilot.press("9")
        await press(pilot, "enter", "x")  # contradicts

    drive(case, steps)
    row = review_row(case, 5)
    assert row is not None and row.source_id == 7
    assert claims_by_ids(case, [5])[0].source_name == "Ben Wallace"
    with case.session() as s:
        [link] = s.exec(select(LinkRow).where(LinkRow.origin == "analyst"))
    assert (link.a_id, link.b_id, link.relation) == (3, 9, "contradicts")
    assert claim_detail(case, 3).links[0].relation == "contradicts"


def test_link_actions_from_the_links_list(case: Case) -> None:
    async def steps(pilot: Pilot[None], app: ReviewApp) -> None:
        await press(pilot, "down")  # claim 2: contradicts 4, corroborates 1
        await press(pilot, "enter")
        assert isinstance(app.screen, DetailScreen)
        links = app.screen.query_one(LinkList)
        assert app.screen.focused is links
        assert [li.other_id for li in links.links] == [4, 1]
        await press(pilot, "d")  # reject the contradiction
        assert links.current is not None and links.current.other_id == 4  # still on it
        await press(pilot, "up", "y")  # confirm the corroboration
        await press(pilot, "t", "r")  # ... then retype it as repeats
        await press(pilot, "enter")  # open claim 1
        assert isinstance(app.screen, DetailScreen) and app.screen.claim_id == 1
        await press(pilot, "escape", "escape")
        assert isinstance(app.screen, ClaimsScreen)
        assert table(app).cache[2].contradicting == 0

    drive(case, steps)
    with case.session() as s:
        rows = s.exec(select(LinkRow).where(LinkRow.origin == "analyst").order_by(LinkRow.a_id))  # type: ignore[arg-type]
        assert [(r.a_id, r.b_id, r.relation) for r in rows] == [(1, 2, "repeats"), (2, 4, "none")]


def test_bad_input_and_conflicts_open_an_error_modal(case: Case) -> None:
    async def steps(pilot: Pilot[None], app: ReviewApp) -> None:
        await press(pilot, "l")
        await pilot.press(*"abc")
        await press(pilot, "enter")
        assert isinstance(app.screen, ErrorModal)
        await press(pilot, "escape")
        await press(pilot, "l")
        await pilot.press(*"999")
        await press(pilot, "enter", "c")
        assert isinstance(app.screen, ErrorModal)
        assert "no claim 999" in app.errors[-1]
        await press(pilot, "enter")
        # someone else decides claim 1 while it is on screen: a stale decision is refused
        from claimtrack.store import review

        review.set_note(case, 1, "from another window")
        await press(pilot, "a")
        assert "claim 1 was changed by someone else" in app.errors[-1]
        await press(pilot, "escape")
        await press(pilot, "u")  # undo the other window's note
        await press(pilot, "u")
        assert app.errors[-1] == "nothing to undo"
        await press(pilot, "escape")
        assert isinstance(app.screen, ClaimsScreen)

    app = drive(case, steps)
    assert app.return_code in (None, 0)
    row = review_row(case, 1)
    assert row is not None and (row.status, row.note) == ("unreviewed", None)


def test_search_filter_sort(case: Case) -> None:
    async def steps(pilot: Pilot[None], app: ReviewApp) -> None:
        await press(pilot, "slash")
        await pilot.press(*"wallace")
        await press(pilot, "enter")
        assert table(app).ids == [8, 9]
        await press(pilot, "escape")
        assert table(app).ids == list(range(1, 11))
        await press(pilot, "f", "c")  # contested
        assert table(app).ids == [2, 4]
        await press(pilot, "f", "c", "f", "r")  # contested off, unreviewed on
        assert 6 not in table(app).ids
        await press(pilot, "f", "g")
        await pilot.press("B")
        await press(pilot, "enter")
        assert table(app).ids == [1, 10]
        await press(pilot, "f", "x", "o", "c")  # clear; sort by credibility (best first)
        assert table(app).ids[:4] == [1, 8, 10, 2]
        await press(pilot, "o", "i", "o", "i")  # id ascending, then descending
        assert table(app).ids[0] == 10
        await press(pilot, "f", "a")
        await pilot.press(*"Italy")
        await settle(pilot)
        await press(pilot, "enter")
        assert table(app).ids == [7, 6]  # the sort (id, descending) stays

    drive(case, steps)


def test_screens_sources_articles_article(case: Case) -> None:
    async def steps(pilot: Pilot[None], app: ReviewApp) -> None:
        await press(pilot, "2")
        assert isinstance(app.screen, SourcesScreen)
        await press(pilot, "down", "down")  # by name: A senior…, Analysts, Ben Wallace
        await press(pilot, "enter")
        assert isinstance(app.screen, ClaimsScreen)
        assert table(app).ids == [8, 9]
        status = str(app.screen.query_one("#claims-status").render())
        assert "filter: Ben Wallace" in status
        await press(pilot, "3")
        assert isinstance(app.screen, ArticlesScreen)
        await press(pilot, "down", "enter")
        assert isinstance(app.screen, ArticleScreen) and app.screen.article_id == 2
        await press(pilot, "down", "enter")
        assert isinstance(app.screen, DetailScreen) and app.screen.claim_id == 7
        await press(pilot, "a", "escape", "escape", "c")
        assert isinstance(app.screen, ClaimsScreen)
        assert table(app).ids == [6, 7]
        await press(pilot, "r")  # read the article of the current claim
        assert isinstance(app.screen, ArticleScreen)

    drive(case, steps)
    row = review_row(case, 7)
    assert row is not None and row.status == "accepted"


def test_help_lists_every_key_and_no_key_is_dead(case: Case) -> None:
    async def steps(pilot: Pilot[None], app: ReviewApp) -> None:
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "escape")
        for screen_cls in (
            ClaimsScreen,
            DetailScreen,
            SourcesScreen,
            ArticlesScreen,
            ArticleScreen,
        ):
            listed = {
                d for _, rows in help_sections(app, object.__new__(screen_cls)) for _, d in rows
            }
            for b in screen_cls.BINDINGS:
                assert (b.tooltip or b.description) in listed  # type: ignore[union-attr]

    drive(case, steps)
    # every binding names an action that exists where it is bound
    owners = [
        ClaimsScreen,
        DetailScreen,
        SourcesScreen,
        ArticlesScreen,
        ArticleScreen,
        ClaimTable,
        LinkList,
    ]
    for owner in owners:
        for b in owner.BINDINGS:
            action = b.action.split("(")[0]  # type: ignore[union-attr]
            target = ReviewApp if action.startswith("app.") else owner
            assert hasattr(target, "action_" + action.removeprefix("app.")), (owner, action)
    for b in APP_BINDINGS:
        assert hasattr(ReviewApp, "action_" + b.action.split("(")[0])


def test_small_terminal_no_color_and_quit(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")

    async def steps(pilot: Pilot[None], app: ReviewApp) -> None:
        assert app.no_color
        assert table(app).size.height >= 6
        await press(pilot, "pagedown", "pagedown", "home")
        assert table(app).current_id == 1
        await pilot.press("q")

    app = drive(case, steps, size=(80, 24))
    assert app.return_code == 0


def test_review_command_needs_a_terminal_and_a_case(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from claimtrack.cli import app as cli

    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(tmp_path / "none.db"), "review"])
    assert result.exit_code == 2
    assert "needs an interactive terminal" in result.output
    assert not (tmp_path / "none.db").exists()


def test_an_empty_case_opens(tmp_path: Path) -> None:
    empty = Case.open(str(tmp_path / "empty.db"))

    async def steps(pilot: Pilot[None], app: ReviewApp) -> None:
        assert table(app).ids == []
        await press(pilot, "down", "enter", "a", "v", "escape", "2", "3", "1")
        assert isinstance(app.screen, ClaimsScreen)
        assert app.errors == []

    drive(empty, steps, size=(80, 24))
    assert event_actions(empty) == []
    empty.close()
