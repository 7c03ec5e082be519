"""A virtual claims table: it holds only ids and renders the rows on screen.

The ordered ids of the current query are loaded once (a few MB for 100k
claims); ``render_line`` draws a row from a page cache and asks for missing
pages, which a thread worker fetches from the database (``claims_by_ids``).
Nothing is ever added to a widget per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from claimtrack.store.queries import ClaimListRow
from claimtrack.tui.render import table_cells

PAGE = 100
CACHE_LIMIT = 5000


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int  # 0 = takes the remaining width
    right: bool = False
    title: str = ""  # long name for menus and help


COLUMNS: tuple[Column, ...] = (
    Column("id", "ID", 5, True, "claim id"),
    Column("credibility", "Cr", 2, True, "credibility 1-6"),
    Column("probability", "P", 3, True, "probability"),
    Column("source", "Source", 14, False, "source"),
    Column("letter", "L", 1, False, "source letter A-F"),
    Column("stance", "S", 1, False, "stance (A asserts, D denies)"),
    Column("hedged", "H", 1, False, "hedged (~)"),
    Column("text", "Claim", 0, False, "claim text"),
    Column("article", "Art", 4, True, "article"),
    Column("corroborating", "+", 2, True, "corroborating links"),
    Column("contradicting", "-", 2, True, "contradicting links"),
    Column("status", "Rev", 4, False, "review state and verdict"),
)
MIN_TEXT = 12


class ClaimTable(ScrollView, can_focus=True):
    """Claims by id, rendered a line at a time; rows are fetched page by page."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("enter", "select", "Open", id="open"),
    ]

    COMPONENT_CLASSES = {
        "claim-table--header",
        "claim-table--cursor",
        "claim-table--sorted",
        "claim-table--rejected",
        "claim-table--accepted",
        "claim-table--loading",
    }

    cursor: reactive[int] = reactive(0, always_update=False)

    class Highlighted(Message):
        def __init__(self, claim_id: int | None) -> None:
            super().__init__()
            self.claim_id = claim_id

    class Selected(Message):
        def __init__(self, claim_id: int) -> None:
            super().__init__()
            self.claim_id = claim_id

    class SortRequested(Message):
        def __init__(self, column: str) -> None:
            super().__init__()
            self.column = column

    def __init__(
        self,
        fetch: Callable[[Sequence[int], Callable[[list[ClaimListRow]], None]], None],
        *,
        id: str | None = None,
    ) -> None:
        """``fetch(ids, done)`` loads rows off the UI thread and calls ``done(rows)`` on it."""
        super().__init__(id=id)
        self._fetch_rows = fetch
        self.ids: list[int] = []
        self.cache: dict[int, ClaimListRow] = {}
        self._fresh: set[int] = set()  # ids whose cached row is from the current generation
        self._generation = 0
        self._wanted: set[int] = set()
        self._in_flight: set[int] = set()
        self._scheduled = False
        self.sort_key = "id"
        self.descending = False
        self.id_width = 3

    # -- data -------------------------------------------------------------

    def set_ids(self, ids: list[int], *, keep: int | None = None) -> None:
        """Show ``ids``; the cursor goes to ``keep`` if present, else to the top."""
        self._generation += 1
        self.ids = ids
        self.id_width = max(3, len(str(max(ids)))) if ids else 3
        self.cache.clear()
        self._fresh.clear()
        self._wanted.clear()
        self._in_flight.clear()
        self.virtual_size = Size(self.size.width, len(ids) + 1)
        index = ids.index(keep) if keep is not None and keep in ids else 0
        self.cursor = max(0, min(index, len(ids) - 1))
        self.scroll_to(y=max(0, self.cursor - self._page_height() // 2), animate=False)
        self.refresh()
        self.post_message(self.Highlighted(self.current_id))

    def invalidate(self) -> None:
        """Mark every cached row stale (after a change): rows on screen stay until their
        fresh version arrives, so nothing flickers."""
        self._generation += 1
        self._fresh.clear()
        self._wanted.clear()
        self._in_flight.clear()
        self.refresh()

    @property
    def current_id(self) -> int | None:
        return self.ids[self.cursor] if 0 <= self.cursor < len(self.ids) else None

    @property
    def current_row(self) -> ClaimListRow | None:
        cid = self.current_id
        return self.cache.get(cid) if cid is not None else None

    def _want(self, index: int) -> None:
        page = index // PAGE
        if page in self._in_flight:
            return
        self._wanted.add(page)
        if not self._scheduled:
            self._scheduled = True
            self.call_later(self._request)

    def _prefetch(self, index: int, direction: int) -> None:
        """Ask for the rows a page ahead of the edge of the view (in the scroll direction)."""
        ahead = index + direction * self._page_height()
        if 0 <= ahead < len(self.ids) and self.ids[ahead] not in self._fresh:
            self._want(ahead)

    def _loaded(self, page: int) -> bool:
        ids = self.ids[page * PAGE : (page + 1) * PAGE]
        return bool(ids) and ids[0] in self._fresh and ids[-1] in self._fresh

    def _request(self) -> None:
        """Fetch the wanted pages, and their neighbours ahead of the scroll, in one query."""
        self._scheduled = False
        last = (len(self.ids) - 1) // PAGE
        pages: set[int] = set()
        for page in self._wanted:
            for p in (page, page + 1, page - 1):
                if (
                    0 <= p <= last
                    and p not in self._in_flight
                    and (p == page or not self._loaded(p))
                ):
                    pages.add(p)
        self._wanted.clear()
        if not pages:
            return
        generation = self._generation
        ids = [i for p in sorted(pages) for i in self.ids[p * PAGE : (p + 1) * PAGE]]
        self._in_flight.update(pages)

        def done(rows: list[ClaimListRow]) -> None:
            if generation != self._generation:
                return
            self._in_flight.difference_update(pages)
            self._evict()
            for row in rows:
                self.cache[row.id] = row
                self._fresh.add(row.id)
            self.refresh()
            if self.cursor // PAGE in pages:
                self.post_message(self.Highlighted(self.current_id))

        self._fetch_rows(ids, done)

    def _evict(self) -> None:
        """Keep the cache bounded: drop the rows farthest from the view first."""
        if len(self.cache) <= CACHE_LIMIT:
            return
        lo = max(0, int(self.scroll_offset.y) - CACHE_LIMIT // 4)
        keep = set(self.ids[lo : lo + CACHE_LIMIT // 2])
        for cid in [c for c in self.cache if c not in keep]:
            del self.cache[cid]
            self._fresh.discard(cid)

    # -- geometry ---------------------------------------------------------

    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _widths(self, width: int) -> list[int]:
        fixed = [self.id_width if c.key == "id" else c.width for c in COLUMNS]
        text = max(MIN_TEXT, width - sum(fixed) - (len(COLUMNS) - 1))
        return [w or text for w in fixed]

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.size.width, len(self.ids) + 1)

    # -- rendering --------------------------------------------------------

    def _cells(self, values: dict[str, str], width: int) -> list[tuple[str, str]]:
        out = []
        for col, w in zip(COLUMNS, self._widths(width), strict=True):
            value = values.get(col.key, "")
            if cell_len(value) > w:
                value = set_cell_size(value, w - 1) + "…" if w > 1 else value[:w]
            value = value.rjust(w) if col.right else value
            out.append((col.key, set_cell_size(value, w)))
        return out

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._header(width, base)
        index = self.scroll_offset.y + y - 1
        if index >= len(self.ids):
            return Strip.blank(width, base)
        cid = self.ids[index]
        row = self.cache.get(cid)
        if cid not in self._fresh:
            self._want(index)
        if y == 1 or y == self.scrollable_content_region.height - 1:
            self._prefetch(index, -1 if y == 1 else 1)
        if row is None:
            values = {"id": str(self.ids[index]), "text": "…"}
            style = base + self.get_component_rich_style("claim-table--loading")
        else:
            values = table_cells(row)
            style = base
            if row.status == "rejected":
                style += self.get_component_rich_style("claim-table--rejected")
            elif row.status == "accepted":
                style += self.get_component_rich_style("claim-table--accepted")
        if index == self.cursor:
            style += self.get_component_rich_style("claim-table--cursor")
        text = " ".join(value for _, value in self._cells(values, width))
        text = set_cell_size(text, width)
        return Strip([Segment(text, style)], width)

    def _header(self, width: int, base: Style) -> Strip:
        style = base + self.get_component_rich_style("claim-table--header")
        sorted_style = style + self.get_component_rich_style("claim-table--sorted")
        segments: list[Segment] = []
        labels = {}
        for col in COLUMNS:
            label = col.label
            if col.key == self.sort_key:
                label += "▼" if self.descending else "▲"
            labels[col.key] = label
        for i, (key, value) in enumerate(self._cells(labels, width)):
            if i:
                segments.append(Segment(" ", style))
            segments.append(Segment(value, sorted_style if key == self.sort_key else style))
        used = sum(cell_len(s.text) for s in segments)
        if used < width:
            segments.append(Segment(" " * (width - used), style))
        return Strip(segments, width).crop(0, width)

    def column_at(self, x: int) -> str | None:
        pos = 0
        for col, w in zip(COLUMNS, self._widths(self.scrollable_content_region.width), strict=True):
            if pos <= x < pos + w + 1:
                return col.key
            pos += w + 1
        return None

    # -- cursor -----------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_visible()  # a scroll repaints everything by itself
        self.refresh_line(old + 1)  # otherwise only the two rows that changed
        self.refresh_line(new + 1)
        self.post_message(self.Highlighted(self.current_id))

    def _scroll_cursor_visible(self) -> None:
        top = int(self.scroll_offset.y)
        height = self._page_height()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def _move(self, delta: int) -> None:
        if self.ids:
            self.cursor = max(0, min(len(self.ids) - 1, self.cursor + delta))

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_page_up(self) -> None:
        self._move(-self._page_height())

    def action_page_down(self) -> None:
        self._move(self._page_height())

    def action_first(self) -> None:
        self._move(-len(self.ids))

    def action_last(self) -> None:
        self._move(len(self.ids))

    def move_to(self, claim_id: int) -> bool:
        if claim_id in self.ids:
            self.cursor = self.ids.index(claim_id)
            return True
        return False

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            key = self.column_at(offset.x)
            if key is not None:
                self.post_message(self.SortRequested(key))
            return
        index = int(self.scroll_offset.y) + offset.y - 1
        if 0 <= index < len(self.ids):
            if index == self.cursor and event.chain == 2:
                self.post_message(self.Selected(self.ids[index]))
            self.cursor = index

    def action_select(self) -> None:
        if self.current_id is not None:
            self.post_message(self.Selected(self.current_id))
