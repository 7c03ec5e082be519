"""``claimtrack review``: the Textual app for working through a case.

The app holds no domain logic. It reads through claimtrack.store.queries and
writes through claimtrack.store.review (the functions the CLI uses), always in
thread workers (``ReviewApp.db``); a failure opens an error modal and the app
keeps running.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from textual.app import App
from textual.binding import Binding

from claimtrack.errors import ClaimtrackError
from claimtrack.store.db import Case
from claimtrack.store.queries import ClaimQuery
from claimtrack.store.review import rescore_after
from claimtrack.tui.detail import LinkList
from claimtrack.tui.modals import ErrorModal, HelpScreen
from claimtrack.tui.screens import (
    ArticleScreen,
    ArticlesScreen,
    ClaimsScreen,
    DetailScreen,
    SourcesScreen,
)
from claimtrack.tui.table import ClaimTable

T = TypeVar("T")

APP_BINDINGS = [
    Binding("question_mark", "help", "Help", id="help"),
    Binding("1", "mode('claims')", "Claims", id="mode-claims"),
    Binding("2", "mode('sources')", "Sources", id="mode-sources"),
    Binding("3", "mode('articles')", "Articles", id="mode-articles"),
    Binding("q", "quit", "Quit", id="quit"),
]

HELP_NOTES = (
    "Claims table: ID; Cr credibility (1 best … 6); P probability; Source; L source letter "
    "(A reliable … F); S stance (A asserts, D denies); H hedged (~); Claim; Art article; "
    "+ corroborating and - contradicting links; Rev review state (- unreviewed, acc accepted, "
    "rej rejected) then the verdict (T true, F false, U unverified).\n\n"
    "Accept and reject move on to the next claim. Every decision is saved at once as a review "
    "event and u undoes the last one. Tab moves between the table and the detail; enter opens "
    "the claim with its links. In the detail, source spans are underlined, cues in italics and "
    "the claim's content in bold."
)


def _keys(app: App[Any], bindings: Sequence[Binding | tuple[str, ...]]) -> list[tuple[str, str]]:
    rows = []
    for b in bindings:
        if not isinstance(b, Binding):
            continue
        keys = " ".join(
            app.get_key_display(Binding(k.strip(), b.action, b.description))
            for k in b.key.split(",")
        )
        rows.append((keys, b.tooltip or b.description))
    return rows


def help_sections(app: App[Any], screen: object) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every key of ``screen``, its widgets and the app, straight from the bindings."""
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    name = type(screen).__name__.removesuffix("Screen") or "Screen"
    sections.append((f"{name} screen", _keys(app, getattr(screen, "BINDINGS", []))))
    if isinstance(screen, ClaimsScreen):
        sections.append(("Claims table (moving)", _keys(app, ClaimTable.BINDINGS)))
    if isinstance(screen, ClaimsScreen | DetailScreen):
        sections.append(("Links list (tab to it)", _keys(app, LinkList.BINDINGS)))
    sections.append(("Everywhere", _keys(app, APP_BINDINGS)))
    return sections


class ReviewApp(App[None]):
    """Review a case: claims, sources, articles; every decision a review event."""

    CSS_PATH = "review.tcss"
    TITLE = "claimtrack review"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = list[Binding | tuple[str, str] | tuple[str, str, str]](APP_BINDINGS)

    def __init__(self, case: Case) -> None:
        super().__init__()
        self.case = case
        self.claims_screen = ClaimsScreen()
        self.errors: list[str] = []  # every error shown (tests read it)
        self._rescore_pending: set[int] = set()
        self._rescore_lock = threading.Lock()
        self._rescoring = False

    def on_mount(self) -> None:
        self.add_mode("claims", lambda: self.claims_screen)
        self.add_mode("sources", SourcesScreen)
        self.add_mode("articles", ArticlesScreen)
        self.switch_mode("claims")

    # -- database work off the UI thread ---------------------------------

    def db(
        self,
        fn: Callable[[Case], T],
        done: Callable[[T], object] | None = None,
        *,
        group: str = "db",
        on_error: Callable[[], object] | None = None,
    ) -> None:
        """Run ``fn(case)`` in a thread worker; ``done(result)`` runs on the UI thread.

        Expected errors (ClaimtrackError) and unexpected ones alike open an error
        modal; the app never dies of a database problem.
        """
        case = self.case

        def run() -> None:
            try:
                result = fn(case)
            except ClaimtrackError as exc:
                self._from_thread(self._failed, str(exc), on_error)
                return
            except Exception as exc:  # a bug or a driver error: show it, keep running
                message = f"unexpected error: {type(exc).__name__}: {exc}"
                self._from_thread(self._failed, message, on_error)
                return
            if done is not None:
                self._from_thread(self._done, done, result)

        self.run_worker(run, thread=True, group=group, exit_on_error=False)

    def _failed(self, message: str, on_error: Callable[[], object] | None) -> None:
        self.show_error(message)
        if on_error is not None:
            on_error()

    def _done(self, done: Callable[[T], object], result: T) -> None:
        try:
            done(result)
        except ClaimtrackError as exc:
            self.show_error(str(exc))

    def _from_thread(self, fn: Callable[..., object], *args: object) -> None:
        with contextlib.suppress(RuntimeError):  # the app is shutting down
            self.call_from_thread(fn, *args)

    # -- rescoring after decisions -----------------------------------------

    def request_rescore(self, claim_ids: Sequence[int]) -> None:
        """Rescore what decisions touched, in one background worker at a time.

        Decisions are saved and shown at once; their rescoring is queued here and
        coalesced (several quick decisions share one rescore), then the screen
        reloads with the new scores.
        """
        with self._rescore_lock:
            self._rescore_pending.update(claim_ids)
        if self._rescoring:
            return
        self._rescoring = True

        def work(case: Case) -> int:
            done = 0
            while True:
                with self._rescore_lock:
                    ids = sorted(self._rescore_pending)
                    self._rescore_pending.clear()
                if not ids:
                    return done
                rescore_after(case, ids)
                done += len(ids)

        def finished(_: int) -> None:
            self._rescoring = False
            if self._rescore_pending:  # arrived between the loop's end and now
                self.request_rescore([])
                return
            reload = getattr(self.screen, "refresh_after_change", None)
            if reload is not None:
                reload(False)

        def failed() -> None:
            self._rescoring = False

        self.db(work, finished, group="rescore", on_error=failed)

    def show_error(self, message: str) -> None:
        self.errors.append(message)
        self.push_screen(ErrorModal(message))

    # -- navigation -------------------------------------------------------

    def action_mode(self, mode: str) -> None:
        """Go to the claims / sources / articles screen (from a pushed screen: back to it)."""
        if self.current_mode != mode:
            self.switch_mode(mode)
        else:
            while len(self.screen_stack) > 1:
                self.pop_screen()

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(help_sections(self, self.screen), HELP_NOTES))

    def show_claims(self, *, source_id: int | None = None, article_id: int | None = None) -> None:
        """Switch to the claims screen filtered to one source or article."""
        self.action_mode("claims")
        while len(self.screen_stack) > 1:  # a detail pushed earlier in the claims mode
            self.pop_screen()
        screen = self.claims_screen
        if source_id is not None:
            screen.set_query(ClaimQuery(source_id=source_id))
        elif article_id is not None:
            screen.set_query(ClaimQuery(article_id=article_id, sort="article"))

    def open_article(self, article_id: int) -> None:
        self.push_screen(ArticleScreen(article_id))


def run(case: Case) -> None:
    """Open the review app on ``case`` (blocks until the user quits)."""
    ReviewApp(case).run()
