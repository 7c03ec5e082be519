"""The screens: claims (table + detail), claim detail, sources, articles, one article.

Screens only gather input and show results. Every change goes through
claimtrack.store.review (the same functions the CLI uses), run off the UI
thread by ``ReviewApp.db``; then ``rescore_after`` and a refresh of what is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, OptionList, Static
from textual.widgets.option_list import Option

from claimtrack.store import review
from claimtrack.store.queries import (
    ArticleView,
    ClaimListRow,
    ClaimQuery,
    LinkItem,
    SourceListRow,
    article_title,
    article_view,
    articles_list,
    claim_ids,
    claims_by_ids,
    source_name,
    sources_list,
)
from claimtrack.tui import render
from claimtrack.tui.detail import DetailView, LinkList, mark_styles
from claimtrack.tui.modals import ChoiceModal, PickerModal, TextPrompt
from claimtrack.tui.table import COLUMNS, ClaimTable

if TYPE_CHECKING:
    from claimtrack.store.db import Case
    from claimtrack.tui.app import ReviewApp

CLAIM_BINDINGS = [
    Binding(
        "a", "accept", "Accept", id="accept", tooltip="accept the extraction (then next claim)"
    ),
    Binding(
        "x", "reject", "Reject", id="reject", tooltip="reject the extraction (then next claim)"
    ),
    Binding("v", "verdict", "Verdict", id="verdict", tooltip="verdict: true / false / unverified"),
    Binding("e", "edit_source", "Source", id="edit-source", tooltip="edit the source of the claim"),
    Binding("n", "note", "Note", id="note", tooltip="write a note on the claim"),
    Binding("l", "add_link", "Link", id="add-link", tooltip="add a link to another claim by id"),
    Binding("u", "undo", "Undo", id="undo", tooltip="undo the last decision"),
    Binding("r", "read_article", "Article", id="read-article", tooltip="read the claim's article"),
]

VERDICT_CHOICES = [
    ("t", "true", "true"),
    ("f", "false", "false"),
    ("u", "unverified", "unverified"),
    ("c", "clear", "clear the verdict"),
]
RELATION_CHOICES = [
    ("c", "corroborates", "corroborates"),
    ("x", "contradicts", "contradicts"),
    ("r", "repeats", "repeats (same report relayed)"),
]
RETYPE_CHOICES = [*RELATION_CHOICES, ("n", "none", "none (reject the link)")]


def _load_sources(case: Case, text: str) -> list[tuple[Any, str]]:
    rows = sources_list(case, search=text, limit=200)
    return [
        (r.id, f"#{r.id} {r.name} · {r.kind}" + (f" · {r.letter}" if r.letter else ""))
        for r in rows
    ]


def _load_articles(case: Case, text: str) -> list[tuple[Any, str]]:
    needle = text.strip().lower()
    out = []
    for a in articles_list(case):
        label = f"#{a.id} {a.title or '(untitled)'} · {a.claims} claims"
        if needle in label.lower():
            out.append((a.id, label))
        if len(out) >= 200:
            break
    return out


class ClaimActionScreen(Screen[None]):
    """Shared claim actions; subclasses say which claim is current and how to refresh."""

    def _app(self) -> ReviewApp:
        return self.app  # type: ignore[return-value]

    def detail_view(self) -> DetailView:
        return self.query_one(DetailView)

    def target(self) -> tuple[int, int | None] | None:
        """(claim id, the review version we showed, or None when not loaded yet)."""
        view = self.detail_view()
        if view.claim_id is None:
            return None
        detail = view.detail
        version = (
            detail.review_version if detail is not None and detail.id == view.claim_id else None
        )
        return view.claim_id, version

    def refresh_after_change(self, advance: bool = False) -> None:
        self.detail_view().reload()

    def change(
        self,
        label: str,
        fn: Callable[[Case], object],
        *,
        touched: Sequence[int],
        advance: bool = False,
    ) -> None:
        """Run a decision off the UI thread, rescore what it touched, refresh what is shown."""
        app = self._app()

        def work(case: Case) -> None:
            fn(case)

        def done(_: None) -> None:
            self.notify(label, timeout=2)
            self.refresh_after_change(advance)
            app.request_rescore(touched)

        # refused (stale, unknown id...) or failed: show what is in the database now
        app.db(work, done, group="change", on_error=lambda: self.refresh_after_change(False))

    def _with_target(self) -> tuple[int, int | None] | None:
        t = self.target()
        if t is None:
            self.notify("no claim selected", severity="warning")
        return t

    def action_accept(self) -> None:
        t = self._with_target()
        if t:
            cid, ver = t
            self.change(
                f"accepted claim {cid}",
                lambda case: review.accept_claim(case, cid, expected_version=ver),
                advance=True,
                touched=[cid],
            )

    def action_reject(self) -> None:
        t = self._with_target()
        if t:
            cid, ver = t
            self.change(
                f"rejected claim {cid}",
                lambda case: review.reject_claim(case, cid, expected_version=ver),
                advance=True,
                touched=[cid],
            )

    def action_verdict(self) -> None:
        t = self._with_target()
        if not t:
            return
        cid, ver = t

        def chosen(value: str | None) -> None:
            if value is None:
                return
            verdict = None if value == "clear" else value
            self.change(
                f"verdict {value} on claim {cid}",
                lambda case: review.set_verdict(case, cid, verdict, expected_version=ver),
                touched=[cid],
            )

        self.app.push_screen(ChoiceModal(f"Verdict on claim {cid}", VERDICT_CHOICES), chosen)

    def action_edit_source(self) -> None:
        t = self._with_target()
        if not t:
            return
        cid, ver = t

        def chosen(value: int | None) -> None:
            if value is None:
                return
            source_id = None if value == -1 else int(value)
            label = "machine's source" if source_id is None else f"source {source_id}"
            self.change(
                f"claim {cid} attributed to {label}",
                lambda case: review.set_claim_source(case, cid, source_id, expected_version=ver),
                touched=[cid],
            )

        self.app.push_screen(
            PickerModal(
                f"Source of claim {cid}",
                _load_sources,
                extra=[(-1, "(back to the machine's source)")],
            ),
            chosen,
        )

    def action_note(self) -> None:
        t = self._with_target()
        if not t:
            return
        cid, ver = t
        detail = self.detail_view().detail
        current = detail.note if detail is not None and detail.id == cid else None

        def entered(value: str | None) -> None:
            if value is None:
                return
            self.change(
                f"note saved on claim {cid}",
                lambda case: review.set_note(case, cid, value, expected_version=ver),
                touched=[cid],
            )

        self.app.push_screen(
            TextPrompt(f"Note on claim {cid}", current or "", "empty clears the note"), entered
        )

    def action_add_link(self) -> None:
        t = self._with_target()
        if not t:
            return
        cid, _ = t

        def got_other(value: str | None) -> None:
            if value is None:
                return
            try:
                other = int(value.strip().lstrip("#"))
            except ValueError:
                self._app().show_error(f"not a claim id: {value!r}")
                return

            def got_relation(relation: str | None) -> None:
                if relation is None:
                    return
                self.change(
                    f"linked claim {cid} {relation} claim {other}",
                    lambda case: review.add_link(case, cid, other, relation),
                    touched=[cid, other],
                )

            self.app.push_screen(
                ChoiceModal(f"Claim {cid} … claim {other}", RELATION_CHOICES), got_relation
            )

        self.app.push_screen(TextPrompt(f"Link claim {cid} to claim id", "", "e.g. 42"), got_other)

    def action_undo(self) -> None:
        app = self._app()

        def work(case: Case) -> review.Undone:
            return review.undo_last(case)

        def done(undone: review.Undone) -> None:
            self.notify(undone.describe(), timeout=3)
            self.refresh_after_change(False)
            app.request_rescore(review.affected_claims(undone.entity, undone.entity_id))

        app.db(work, done, group="change")

    def action_read_article(self) -> None:
        detail = self.detail_view().detail
        if detail is None:
            self.notify("no claim selected", severity="warning")
            return
        self.app.push_screen(ArticleScreen(detail.article_id, focus_claim=detail.id))

    # links (called by LinkList)

    def link_action(self, kind: str, link: LinkItem) -> None:
        t = self.target()
        if t is None:
            return
        cid = t[0]
        if kind == "confirm":
            self.change(
                f"confirmed link {cid}–{link.other_id} ({link.relation})",
                lambda case: review.confirm_link(case, link.link_id),
                touched=[cid, link.other_id],
            )
        elif kind == "reject":
            self.change(
                f"rejected link {cid}–{link.other_id}",
                lambda case: review.reject_link(case, link.link_id),
                touched=[cid, link.other_id],
            )
        elif kind == "retype":

            def chosen(relation: str | None) -> None:
                if relation is None:
                    return
                self.change(
                    f"link {cid}–{link.other_id} is now {relation}",
                    lambda case: review.retype_link(case, link.link_id, relation),
                    touched=[cid, link.other_id],
                )

            self.app.push_screen(
                ChoiceModal(f"Relation of claim {cid} and claim {link.other_id}", RETYPE_CHOICES),
                chosen,
            )

    def open_claim(self, claim_id: int) -> None:
        self.app.push_screen(DetailScreen(claim_id))


class ClaimsScreen(ClaimActionScreen):
    """The claims table over the detail pane (side by side on wide terminals)."""

    BINDINGS = [
        Binding("question_mark", "app.help", "Help", id="help-claims"),
        Binding("slash", "search", "Search", id="search"),
        Binding("f", "filter", "Filter", id="filter"),
        Binding("o", "sort", "Sort", id="sort"),
        Binding("escape", "clear", "Clear filters", id="clear", show=False),
        *CLAIM_BINDINGS,
    ]

    DETAIL_DELAY = 0.05  # seconds the cursor rests before the detail pane loads

    def __init__(self) -> None:
        super().__init__(id="claims")
        self.query_state = ClaimQuery()
        self.total = 0
        self.labels: dict[str, str] = {}
        self._detail_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static("Loading claims…", id="claims-status")
        with Container(id="claims-body"):
            yield ClaimTable(self._fetch, id="claims-table")
            yield DetailView(id="claims-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(ClaimTable).focus()
        self.reload()

    def on_resize(self, event: events.Resize) -> None:
        wide = event.size.width >= 150
        self.set_class(wide, "-wide")
        # a short terminal keeps the pane to the text; enter opens the links
        self.set_class(not wide and event.size.height < 36, "-short")

    def on_screen_resume(self) -> None:
        # decisions taken on pushed screens may have changed what the table shows
        if self.is_mounted and self.query_one(ClaimTable).ids:
            self.query_one(ClaimTable).invalidate()
            self.detail_view().reload()

    def _fetch(self, ids: Sequence[int], done: Callable[[list[ClaimListRow]], None]) -> None:
        wanted = list(ids)
        self._app().db(lambda case: claims_by_ids(case, wanted), done, group="rows")

    def set_query(self, q: ClaimQuery) -> None:
        self.query_state = q
        self._fetch_labels(q)
        table = self.query_one(ClaimTable)
        table.sort_key, table.descending = q.sort, q.descending
        self.reload()  # a new order or filter starts at its top

    def _fetch_labels(self, q: ClaimQuery) -> None:
        """Names for the status line's source and article filters (fetched off the UI thread)."""
        self.labels.clear()
        app = self._app()

        def got(key: str) -> Callable[[str], None]:
            def done(name: str) -> None:
                if q == self.query_state:
                    self.labels[key] = render.clip(name, 30)
                    self._update_status()

            return done

        if q.source_id is not None:
            sid = q.source_id
            app.db(lambda case: source_name(case, sid), got("source"), group="labels")
        if q.article_id is not None:
            aid = q.article_id
            app.db(lambda case: article_title(case, aid), got("article"), group="labels")

    def reload(self, keep: int | None = None) -> None:
        q = self.query_state

        def done(ids: list[int]) -> None:
            if q != self.query_state:
                return
            self.total = len(ids)
            self.query_one(ClaimTable).set_ids(ids, keep=keep)
            self._update_status()

        self._app().db(lambda case: claim_ids(case, q), done, group="ids")

    def _update_status(self) -> None:
        table = self.query_one(ClaimTable)
        q = self.query_state
        col = next((c for c in COLUMNS if c.key == q.sort), None)
        text = Text()
        if self.total:
            text.append(f"Claims {table.cursor + 1:,}/{self.total:,}", style="bold")
        else:
            text.append("No claims", style="bold")
            if q.describe():
                text.append(" match")
        text.append(f" · sort {col.title if col else q.sort} {'↓' if q.descending else '↑'}")
        described = q.describe()
        if q.source_id is not None and "source" in self.labels:
            described = described.replace(f"source {q.source_id}", self.labels["source"])
        if q.article_id is not None and "article" in self.labels:
            described = described.replace(f"article {q.article_id}", f"“{self.labels['article']}”")
        if described:
            text.append(" · filter: ")
            text.append(described, style="bold")
            text.append(" (esc clears)")
        text.append(" · ? help")
        self.query_one("#claims-status", Static).update(text)

    def on_claim_table_highlighted(self, message: ClaimTable.Highlighted) -> None:
        self._update_status()
        if self._detail_timer is not None:
            self._detail_timer.stop()
        claim_id = message.claim_id
        if self.DETAIL_DELAY <= 0:
            self.query_one(DetailView).show(claim_id)
            return
        # holding a key down scrolls without loading every claim on the way
        self._detail_timer = self.set_timer(
            self.DETAIL_DELAY, lambda: self.query_one(DetailView).show(claim_id)
        )

    def on_claim_table_selected(self, message: ClaimTable.Selected) -> None:
        self.app.push_screen(DetailScreen(message.claim_id))

    def on_claim_table_sort_requested(self, message: ClaimTable.SortRequested) -> None:
        self._sort_by(message.column)

    def _sort_by(self, column: str) -> None:
        q = self.query_state
        if column == q.sort:
            self.set_query(replace(q, descending=not q.descending))
        else:
            # best first: credibility 1 is the best grade, higher probability and counts first
            descending = column in ("probability", "corroborating", "contradicting")
            self.set_query(replace(q, sort=column, descending=descending))

    def target(self) -> tuple[int, int | None] | None:
        """The claim under the table cursor (the pane may still be loading it)."""
        cid = self.query_one(ClaimTable).current_id
        if cid is None:
            return None
        detail = self.detail_view().detail
        return cid, detail.review_version if detail is not None and detail.id == cid else None

    def action_read_article(self) -> None:
        row = self.query_one(ClaimTable).current_row
        if row is None:
            super().action_read_article()
            return
        self.app.push_screen(ArticleScreen(row.article_id, focus_claim=row.id))

    def refresh_after_change(self, advance: bool = False) -> None:
        table = self.query_one(ClaimTable)
        table.invalidate()
        if advance and table.cursor < len(table.ids) - 1:
            table.action_cursor_down()
        else:
            self.detail_view().reload()

    # filters and sorting

    def action_search(self) -> None:
        def entered(value: str | None) -> None:
            if value is not None:
                self.set_query(replace(self.query_state, search=value.strip() or None))

        self.app.push_screen(
            TextPrompt(
                "Search claim text and sources",
                self.query_state.search or "",
                "words…",
                hint="enter: search   empty: clear   escape: cancel",
            ),
            entered,
        )

    def action_filter(self) -> None:
        q = self.query_state
        choices = [
            ("s", "source", "by source…" + (f" (now #{q.source_id})" if q.source_id else "")),
            ("a", "article", "by article…" + (f" (now #{q.article_id})" if q.article_id else "")),
            ("g", "grade", "by grade (e.g. B, 2, B2)…" + (f" (now {q.grade})" if q.grade else "")),
            (
                "c",
                "contested",
                ("✓ " if q.contested else "") + "contested only (has contradictions)",
            ),
            ("r", "unreviewed", ("✓ " if q.unreviewed else "") + "unreviewed only"),
            ("x", "clear", "clear all filters"),
        ]
        self.app.push_screen(ChoiceModal("Filter claims", choices), self._filter_chosen)

    def _filter_chosen(self, value: str | None) -> None:
        q = self.query_state
        if value == "contested":
            self.set_query(replace(q, contested=not q.contested))
        elif value == "unreviewed":
            self.set_query(replace(q, unreviewed=not q.unreviewed))
        elif value == "clear":
            self.action_clear()
        elif value == "source":
            self.app.push_screen(
                PickerModal("Filter by source", _load_sources, extra=[(-1, "(any source)")]),
                self._source_picked,
            )
        elif value == "article":
            self.app.push_screen(
                PickerModal("Filter by article", _load_articles, extra=[(-1, "(any article)")]),
                self._article_picked,
            )
        elif value == "grade":

            def entered(text: str | None) -> None:
                if text is None:
                    return
                from claimtrack.errors import UsageError
                from claimtrack.store.queries import parse_grade

                grade = text.strip().upper() or None
                if grade:
                    try:
                        parse_grade(grade)
                    except UsageError as exc:
                        self._app().show_error(str(exc))
                        return
                self.set_query(replace(self.query_state, grade=grade))

            self.app.push_screen(
                TextPrompt("Grade: source letters A-F and/or credibility 1-6", q.grade or "", "B2"),
                entered,
            )

    def _source_picked(self, value: Any) -> None:
        if value is not None:
            self.set_query(replace(self.query_state, source_id=None if value == -1 else value))

    def _article_picked(self, value: Any) -> None:
        if value is not None:
            self.set_query(replace(self.query_state, article_id=None if value == -1 else value))

    def _sort_chosen(self, value: str | None) -> None:
        if value is not None:
            self._sort_by(value)

    def action_clear(self) -> None:
        q = self.query_state
        self.set_query(ClaimQuery(sort=q.sort, descending=q.descending))

    def action_sort(self) -> None:
        keys = "icpslthxa+-v"
        choices = [(k, c.key, c.title) for k, c in zip(keys, COLUMNS, strict=True)]
        self.app.push_screen(
            ChoiceModal("Sort by (again: reverse)", choices),
            self._sort_chosen,
        )

    def show_source(self, source_id: int) -> None:
        self.set_query(ClaimQuery(source_id=source_id))

    def show_article(self, article_id: int) -> None:
        self.set_query(ClaimQuery(article_id=article_id, sort="article"))


class DetailScreen(ClaimActionScreen):
    """One claim, full screen; links open further detail screens (escape goes back)."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("question_mark", "app.help", "Help", id="help-detail"),
        *CLAIM_BINDINGS,
    ]

    def __init__(self, claim_id: int) -> None:
        super().__init__()
        self.claim_id = claim_id

    def compose(self) -> ComposeResult:
        yield DetailView(id="detail-full")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(DetailView).show(self.claim_id)
        self.query_one(LinkList).focus()

    def action_back(self) -> None:
        self.dismiss(None)

    def on_screen_resume(self) -> None:
        self.query_one(DetailView).reload()


class SourcesScreen(Screen[None]):
    """Every surviving source with its letter and track record."""

    BINDINGS = [
        Binding("enter", "claims", "Its claims", id="source-claims"),
        Binding("o", "sort", "Sort", id="sort-sources"),
    ]

    SORTS = [
        ("n", "name", "name"),
        ("l", "letter", "letter"),
        ("c", "claims", "claim count"),
        ("r", "reliability", "reliability"),
    ]

    def __init__(self) -> None:
        super().__init__(id="sources")
        self.rows: list[SourceListRow] = []
        self.sort = "name"

    def compose(self) -> ComposeResult:
        yield Static("Sources", id="sources-status")
        yield DataTable(id="sources-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("ID", "Name", "Kind", "Affiliation", "L", "Rel", "Conf", "Ref", "Claims")
        table.focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        app: ReviewApp = self.app  # type: ignore[assignment]
        app.db(lambda case: sources_list(case), self._loaded, group="sources")

    def _loaded(self, rows: list[SourceListRow]) -> None:
        key: dict[str, Callable[[SourceListRow], Any]] = {
            "name": lambda r: (r.name.lower(), r.id),
            "letter": lambda r: (r.letter or "Z", r.name.lower()),
            "claims": lambda r: (-r.claims, r.name.lower()),
            "reliability": lambda r: (-(r.reliability or 0.0), r.name.lower()),
        }
        self.rows = sorted(rows, key=key[self.sort])
        table = self.query_one(DataTable)
        table.clear()
        for r in self.rows:
            table.add_row(
                str(r.id),
                render.clip(r.name, 30),
                r.kind,
                render.clip(r.affiliation or "", 16),
                r.letter or "-",
                f"{r.reliability:.2f}" if r.reliability is not None else "-",
                str(r.confirmed),
                str(r.refuted),
                str(r.claims),
                key=str(r.id),
            )
        self.query_one("#sources-status", Static).update(
            Text.assemble(
                (f"Sources {len(rows)}", "bold"),
                f" · sorted by {self.sort}",
                " · enter: its claims · ? help",
            )
        )

    def action_claims(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row is None:
            return
        row = self.rows[table.cursor_row]
        app: ReviewApp = self.app  # type: ignore[assignment]
        app.show_claims(source_id=row.id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_claims()

    def action_sort(self) -> None:
        def chosen(value: str | None) -> None:
            if value:
                self.sort = value
                self.reload()

        self.app.push_screen(ChoiceModal("Sort sources by", self.SORTS), chosen)


class ArticlesScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "open", "Read", id="open-article"),
        Binding("c", "claims", "Its claims", id="article-claims"),
    ]

    def __init__(self) -> None:
        super().__init__(id="articles")
        self.ids: list[int] = []

    def compose(self) -> ComposeResult:
        yield Static("Articles", id="articles-status")
        yield DataTable(id="articles-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("ID", "Title", "Outlet", "Published", "Claims")
        table.focus()
        app: ReviewApp = self.app  # type: ignore[assignment]

        def done(rows: list[Any]) -> None:
            self.ids = [r.id for r in rows]
            for r in rows:
                table.add_row(
                    str(r.id),
                    render.clip(r.title or "(untitled)", 44),
                    r.outlet or "",
                    r.published or "",
                    str(r.claims),
                    key=str(r.id),
                )
            self.query_one("#articles-status", Static).update(
                Text.assemble(
                    (f"Articles {len(rows)}", "bold"), " · enter: read · c: its claims · ? help"
                )
            )

        app.db(articles_list, done, group="articles")

    def _current(self) -> int | None:
        table = self.query_one(DataTable)
        if not self.ids or table.cursor_row is None:
            return None
        return self.ids[table.cursor_row]

    def action_open(self) -> None:
        aid = self._current()
        if aid is not None:
            self.app.push_screen(ArticleScreen(aid))

    def action_claims(self) -> None:
        aid = self._current()
        if aid is not None:
            app: ReviewApp = self.app  # type: ignore[assignment]
            app.show_claims(article_id=aid)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()


class ArticleScreen(Screen[None]):
    """An article in full with all its claims marked; the list below opens each claim."""

    COMPONENT_CLASSES = {"mark--source", "mark--cue", "mark--content"}

    BINDINGS = [
        Binding("escape", "back", "Back", id="back-article"),
        Binding("enter", "open_claim", "Open claim", id="open-claim"),
        Binding("tab", "toggle_focus", "Text/claims", id="toggle-article-focus"),
    ]

    def __init__(self, article_id: int, *, focus_claim: int | None = None) -> None:
        super().__init__()
        self.article_id = article_id
        self.focus_claim = focus_claim
        self.view: ArticleView | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="article-body"):
            with VerticalScroll(id="article-scroll"):
                yield Static(id="article-text")
            yield OptionList(id="article-claims")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#article-claims", OptionList).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        app: ReviewApp = self.app  # type: ignore[assignment]
        aid = self.article_id
        app.db(lambda case: article_view(case, aid), self._loaded, group="article")

    def _loaded(self, view: ArticleView) -> None:
        self.view = view
        styles = mark_styles(self)
        head = Text()
        head.append(view.title or "(untitled)", style="bold")
        meta = " · ".join(x for x in (view.outlet, view.published) if x)
        head.append(
            f"\narticle {view.id}"
            + (f" · {meta}" if meta else "")
            + f" · {len(view.claims)} claims\n"
        )
        head.append_text(render.legend(styles))
        head.append("\n\n")
        head.append_text(render.article_text(view, styles))
        self.query_one("#article-text", Static).update(head)
        options = self.query_one("#article-claims", OptionList)
        keep = options.highlighted
        options.clear_options()
        for c in view.claims:
            line = Text.assemble(
                (f"[{c.id}] ", "bold"),
                f"{c.grade} {render.review_state(c.status, None):<3} ",
                (f"{c.source_name or '-'}: ", "italic"),
                render.clip(c.text, 200),
            )
            options.add_option(Option(line, id=str(c.id)))
        if view.claims:
            ids = [c.id for c in view.claims]
            if keep is None and self.focus_claim in ids:
                keep = ids.index(self.focus_claim)
            options.highlighted = min(keep or 0, len(ids) - 1)

    def action_open_claim(self) -> None:
        options = self.query_one("#article-claims", OptionList)
        if self.view and options.highlighted is not None and self.view.claims:
            self.app.push_screen(DetailScreen(self.view.claims[options.highlighted].id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.app.push_screen(DetailScreen(int(event.option.id)))

    def action_toggle_focus(self) -> None:
        if self.focused is self.query_one("#article-claims"):
            self.query_one("#article-scroll").focus()
        else:
            self.query_one("#article-claims").focus()

    def action_back(self) -> None:
        self.dismiss(None)
