"""The detail pane: a claim in its paragraph, its source card, score and links."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from claimtrack.store.queries import ClaimDetail, LinkItem, claim_detail
from claimtrack.tui import render

if TYPE_CHECKING:
    from claimtrack.tui.app import ReviewApp


class LinkHost(Protocol):
    def link_action(self, kind: str, link: LinkItem) -> None: ...

    def open_claim(self, claim_id: int) -> None: ...


def mark_styles(widget: Widget) -> dict[str, Style]:
    """Span styles from the widget's ``mark--*`` component classes, over NO_COLOR-safe ones."""
    styles = {}
    for kind in render.MARK_KINDS:
        style = widget.get_component_rich_style(f"mark--{kind}", partial=True)
        styles[kind] = render.FALLBACK_STYLES[kind] + style
    return styles


class LinkList(OptionList):
    """The claim's links; each one opens the linked claim and takes a decision."""

    BINDINGS = [
        Binding("enter", "open_link", "Open linked", id="open-link"),
        Binding("y", "confirm_link", "Confirm link", id="confirm-link"),
        Binding("d", "reject_link", "Reject link", id="reject-link"),
        Binding("t", "retype_link", "Retype link", id="retype-link"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.links: list[LinkItem] = []

    def set_links(self, links: list[LinkItem]) -> None:
        """Show ``links``; the highlight stays on the same linked claim when it is still there."""
        current = self.current
        keep = self.highlighted
        if current is not None:
            same = [i for i, li in enumerate(links) if li.other_id == current.other_id]
            keep = same[0] if same else keep
        self.links = links
        self.clear_options()
        if not links:
            self.add_option(Option(Text("no links", style="italic"), disabled=True))
            return
        self.add_options([Option(render.link_text(li), id=str(i)) for i, li in enumerate(links)])
        self.highlighted = min(keep or 0, len(links) - 1)

    @property
    def current(self) -> LinkItem | None:
        i = self.highlighted
        if i is None or not (0 <= i < len(self.links)):
            return None
        return self.links[i]

    def _host(self) -> LinkHost | None:
        screen = self.screen
        if hasattr(screen, "link_action") and hasattr(screen, "open_claim"):
            return screen  # type: ignore[return-value,unused-ignore]
        return None

    def _act(self, kind: str) -> None:
        host, link = self._host(), self.current
        if host is None or link is None:
            self.notify("no link selected", severity="warning")
            return
        host.link_action(kind, link)

    def action_open_link(self) -> None:
        host, link = self._host(), self.current
        if host is not None and link is not None:
            host.open_claim(link.other_id)

    def action_confirm_link(self) -> None:
        self._act("confirm")

    def action_reject_link(self) -> None:
        self._act("reject")

    def action_retype_link(self) -> None:
        self._act("retype")


class DetailView(Vertical):
    """Everything about one claim; ``show(claim_id)`` loads it off the UI thread."""

    COMPONENT_CLASSES = {"mark--source", "mark--cue", "mark--content"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.detail: ClaimDetail | None = None
        self.claim_id: int | None = None
        self._generation = 0

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-scroll"):
            yield Static(id="detail-header")
            yield Static(id="detail-paragraph")
            yield Static(id="detail-legend")
            yield Static(id="detail-score")
            yield Static(id="detail-source")
        with Vertical(id="detail-links-box"):
            yield Label("Links", id="detail-links-title")
            yield LinkList(id="detail-links")

    def on_mount(self) -> None:
        self.query_one("#detail-header", Static).update("Loading…")

    def mark_styles(self) -> dict[str, Style]:
        return mark_styles(self)

    def show(self, claim_id: int | None, *, force: bool = False) -> None:
        if claim_id == self.claim_id and not force:
            return
        self.claim_id = claim_id
        self._generation += 1
        if claim_id is None:
            self.detail = None
            self._clear("No claim here.")
            return
        generation = self._generation
        app: ReviewApp = self.app  # type: ignore[assignment]

        def done(detail: ClaimDetail) -> None:
            if generation == self._generation:
                self.show_detail(detail)

        app.db(lambda case: claim_detail(case, claim_id), done, group="detail")

    def reload(self) -> None:
        self.show(self.claim_id, force=True)

    def _clear(self, message: str) -> None:
        self.query_one("#detail-header", Static).update(message)
        for part in ("paragraph", "legend", "score", "source"):
            self.query_one(f"#detail-{part}", Static).update("")
        self.query_one(LinkList).set_links([])

    def show_detail(self, detail: ClaimDetail) -> None:
        self.detail = detail
        styles = self.mark_styles()
        self.query_one("#detail-header", Static).update(render.header_text(detail))
        self.query_one("#detail-paragraph", Static).update(render.paragraph_text(detail, styles))
        self.query_one("#detail-legend", Static).update(render.legend(styles))
        self.query_one("#detail-score", Static).update(render.score_text(detail.score))
        self.query_one("#detail-source", Static).update(render.source_text(detail.source, detail))
        counts = {
            r: sum(1 for li in detail.links if li.relation == r) for r in render.RELATION_LABEL
        }
        title = (
            f"Links  {counts['corroborates']} corroborating · {counts['contradicts']} contradicting"
            f" · {counts['repeats']} repeats"
        )
        if counts["none"]:
            title += f" · {counts['none']} rejected"
        self.query_one("#detail-links-title", Label).update(title)
        self.query_one(LinkList).set_links(detail.links)
