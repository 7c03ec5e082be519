"""Pure text builders for the review app (Rich Text in, no widgets, no database).

Span marks use attributes that survive NO_COLOR (underline, italic, bold) on top
of the colours the stylesheet gives them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from rich.style import Style
from rich.text import Text

from claimtrack.store.queries import (
    ArticleView,
    ClaimDetail,
    ClaimListRow,
    LinkItem,
    ScoreView,
    SourceCard,
    SpanMark,
)

MARK_KINDS = ("source", "cue", "content")
FALLBACK_STYLES: dict[str, Style] = {
    "source": Style(underline=True),
    "cue": Style(italic=True),
    "content": Style(bold=True),
}

STATUS_SHORT = {"unreviewed": "-", "accepted": "acc", "rejected": "rej"}
VERDICT_SHORT = {"true": "T", "false": "F", "unverified": "U"}
RELATION_LABEL = {
    "contradicts": "contradicts",
    "corroborates": "corroborates",
    "repeats": "repeats",
    "none": "rejected",
}


def marked(text: str, marks: Sequence[SpanMark], styles: Mapping[str, Style]) -> Text:
    """``text`` with each span styled by its kind (content first, source and cue on top)."""
    out = Text(text)
    order = {"content": 0, "source": 1, "cue": 2}
    for mark in sorted(marks, key=lambda m: order.get(m.kind, 3)):
        start = max(0, min(mark.start, len(text)))
        end = max(start, min(mark.end, len(text)))
        if end > start:
            out.stylize(styles.get(mark.kind, FALLBACK_STYLES.get(mark.kind, Style())), start, end)
    return out


def review_state(status: str, verdict: str | None) -> str:
    return STATUS_SHORT.get(status, status[:3]) + VERDICT_SHORT.get(verdict or "", "")


def fmt_prob(p: float | None) -> str:
    if p is None:
        return "-"
    return f"{p:.2f}"[1:] if p < 1 else "1.0"


def header_text(d: ClaimDetail) -> Text:
    t = Text()
    t.append(f"Claim {d.id}", style="bold")
    title = d.article_title or f"article {d.article_id}"
    t.append(f"  · article {d.article_id} “{title}”")
    if d.outlet:
        t.append(f" · {d.outlet}")
    if d.published:
        t.append(f" · {d.published}")
    t.append("\n")
    bits = [d.stance, d.quote + " quote"]
    if d.hedged:
        bits.append("hedged" + (f" ({', '.join(d.hedges)})" if d.hedges else ""))
    t.append(" · ".join(bits))
    t.append("   review: ")
    t.append(d.status, style="bold")
    if d.verdict:
        t.append(" · verdict ")
        t.append(d.verdict, style="bold")
    if d.note:
        t.append(f"\nnote: {d.note}", style="italic")
    return t


def paragraph_text(d: ClaimDetail, styles: Mapping[str, Style]) -> Text:
    return marked(d.paragraph, d.marks, styles)


def legend(styles: Mapping[str, Style]) -> Text:
    t = Text("marks: ")
    for kind in MARK_KINDS:
        t.append(kind, style=styles.get(kind, FALLBACK_STYLES[kind]))
        t.append("  ")
    return t


def source_text(card: SourceCard | None, d: ClaimDetail) -> Text:
    t = Text()
    t.append("Source  ", style="bold")
    if card is None:
        t.append("none resolved")
        if d.source_text:
            t.append(f" (written “{d.source_text}”)")
        return t
    t.append(f"{card.name}", style="bold")
    t.append(f"  #{card.id} · {card.kind}")
    if card.role:
        t.append(f" · {card.role}")
    if card.affiliation:
        t.append(f" · {card.affiliation}")
    if card.overridden:
        t.append("  (set by analyst)", style="italic")
    t.append("\n")
    letter = card.letter or "-"
    rel = f"{card.reliability:.2f}" if card.reliability is not None else "-"
    t.append(
        f"letter {letter} (reliability {rel}; {card.confirmed} confirmed, "
        f"{card.refuted} refuted) · {card.claim_count} claim(s)"
    )
    for cid, text in card.other_claims:
        t.append(f"\n  #{cid} {clip(text, 200)}")
    return t


def score_text(score: ScoreView | None) -> Text:
    t = Text()
    t.append("Score   ", style="bold")
    if score is None:
        t.append("not scored yet")
        return t
    t.append(
        f"credibility {score.credibility} · probability {score.probability:.2f} "
        f"(range {score.low:.2f}–{score.high:.2f})"
    )
    for label, weight, group in score.contributions:
        if re.match(r"^[+-]\d", label):  # the label already leads with its weight
            t.append(f"\n  {label}")
        else:
            t.append(f"\n  {weight:+.2f}  {label}")
        if group:
            t.append(f"  [{group}]", style="dim")
    return t


def link_text(link: LinkItem) -> Text:
    t = Text()
    t.append(f"{RELATION_LABEL.get(link.relation, link.relation):<12}", style="bold")
    t.append(f" #{link.other_id:<5} ")
    if link.origin == "analyst":
        was = f", was {link.machine_relation}" if link.machine_relation else ""
        t.append(f"(analyst{was}) ", style="italic")
    else:
        t.append(f"({link.confidence:.2f}) ")
    if link.other_source:
        t.append(f"{link.other_source}: ")
    t.append(clip(link.other_text, 300))
    return t


def clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def article_text(view: ArticleView, styles: Mapping[str, Style]) -> Text:
    """The whole article with every claim's spans marked and ``[id]`` before each claim."""
    marks: list[SpanMark] = [m for c in view.claims for m in c.marks]
    base = marked(view.text, marks, styles)
    inserts = sorted(
        (
            (min(m.start for m in c.marks if m.kind == "content"), c.id)
            for c in view.claims
            if c.marks
        ),
        reverse=True,
    )
    out = base
    for pos, cid in inserts:
        out = Text.assemble(out[:pos], Text(f"[{cid}]", style="reverse"), out[pos:])
    return out


def table_cells(row: ClaimListRow) -> dict[str, str]:
    """The claims table's cells for one row, by column key."""
    return {
        "id": str(row.id),
        "credibility": str(row.credibility) if row.credibility is not None else "-",
        "probability": fmt_prob(row.probability),
        "source": row.source_name or "-",
        "letter": row.letter or "-",
        "stance": "D" if row.stance == "denies" else "A",
        "hedged": "~" if row.hedged else "",
        "text": " ".join(row.text.split()),
        "article": str(row.article_id),
        "corroborating": str(row.corroborating) if row.corroborating else "",
        "contradicting": str(row.contradicting) if row.contradicting else "",
        "status": review_state(row.status, row.verdict),
    }
