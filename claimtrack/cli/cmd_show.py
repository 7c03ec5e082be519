"""``claimtrack show CLAIM``: one claim in full, for an analyst.

Everything comes from the store's claim detail (``store.queries.claim_detail``,
the same read the review app's detail pane uses): the article, the paragraph
with the source, cue and content spans, the speaker's card, the review, the
links (effective: an analyst decision replaces the machine's link) and the
score with its explanation rows.

On a terminal the spans are styled (source bold, cue underlined, content
highlighted); piped with ``--format table``, or with ``NO_COLOR`` set, they are
marked with plain brackets: ``[source: …]``, ``{cue: …}``, ``«…»``.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from claimtrack.cli.app import app, case_from
from claimtrack.cli.output import FormatOption, OutputFormat, resolve_format, to_json

if TYPE_CHECKING:
    from rich.text import Text

    from claimtrack.store.queries import ClaimDetail, SpanMark

# plain-text marks: (opening, closing) by span kind
PLAIN_MARKS: dict[str, tuple[str, str]] = {
    "source": ("[source: ", "]"),
    "cue": ("{cue: ", "}"),
    "content": ("«", "»"),
}
SPAN_STYLES: dict[str, str] = {
    "source": "bold",
    "cue": "underline",
    "content": "black on yellow",
}
_LEADING_WEIGHT = re.compile(r"^[+\-\u2212]\d+(?:\.\d+)?\s+")


@app.command("show")
def show(
    ctx: typer.Context,
    claim: Annotated[
        int, typer.Argument(help="The claim id.", metavar="CLAIM", show_default=False)
    ],
    fmt: FormatOption = None,
) -> None:
    """Show one claim in full: its article and marked paragraph, stance and hedging,
    the speaker with its reliability, the review, the links and the score with its
    explanation (log-odds rows and their sum).

    `--format jsonl` prints one JSON object (docs/jsonl-contracts.md).
    """
    from claimtrack.errors import UsageError
    from claimtrack.store.queries import claim_detail

    chosen = resolve_format(fmt)
    if chosen is OutputFormat.CSV:
        raise UsageError("show prints a table or jsonl, not csv")
    with case_from(ctx) as case:
        detail = claim_detail(case, claim)
    if chosen is OutputFormat.JSONL:
        sys.stdout.write(to_json(detail_json(detail)) + "\n")
        sys.stdout.flush()
        return
    write_detail(detail, styled=use_styles(sys.stdout))


def use_styles(stream: TextIO) -> bool:
    """Styled spans only on a terminal, and not when NO_COLOR is set (no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


# --------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------


def _span(text: str, start: int, end: int) -> dict[str, Any]:
    return {"text": text, "start": start, "end": end}


def _absolute(d: ClaimDetail, kind: str) -> list[SpanMark]:
    """The claim's marks of ``kind`` in article offsets."""
    from claimtrack.store.queries import SpanMark

    return [
        SpanMark(m.kind, m.start + d.paragraph_start, m.end + d.paragraph_start)
        for m in d.marks
        if m.kind == kind
    ]


def content_pieces(d: ClaimDetail) -> list[dict[str, Any]]:
    """The pieces of a discontinuous content (empty when it is one span)."""
    pieces = _absolute(d, "content")
    if len(pieces) == 1 and (pieces[0].start, pieces[0].end) == (d.content_start, d.content_end):
        return []
    return [
        _span(d.paragraph[p.start - d.paragraph_start : p.end - d.paragraph_start], p.start, p.end)
        for p in pieces
    ]


def detail_json(d: ClaimDetail) -> dict[str, Any]:
    """The ``show --format jsonl`` object (docs/jsonl-contracts.md)."""
    source = _absolute(d, "source")
    cue = _absolute(d, "cue")
    card = d.source
    score = d.score
    return {
        "id": d.id,
        "article": {
            "id": d.article_id,
            "title": d.article_title,
            "outlet": d.outlet,
            "published": d.published,
            "url": d.article_url,
            "path": d.article_path,
        },
        "paragraph": _span(d.paragraph, d.paragraph_start, d.paragraph_start + len(d.paragraph)),
        "source": _span(d.source_text or "", source[0].start, source[0].end) if source else None,
        "cue": _span(d.cue_text or "", cue[0].start, cue[0].end) if cue else None,
        "content": _span(d.text, d.content_start, d.content_end),
        "content_spans": content_pieces(d),
        "stance": d.stance,
        "hedged": d.hedged,
        "hedges": d.hedges,
        "quote": d.quote,
        "confidence": d.confidence,
        "extractor": d.extractor,
        "extractor_version": d.extractor_version,
        "speaker": None
        if card is None
        else {
            "id": card.id,
            "name": card.name,
            "kind": card.kind,
            "role": card.role,
            "affiliation": card.affiliation,
            "letter": card.letter,
            "reliability": card.reliability,
            "confirmed": card.confirmed,
            "refuted": card.refuted,
            "claims": card.claim_count,
            "set_by_analyst": card.overridden,
        },
        "review": {"status": d.status, "verdict": d.verdict, "note": d.note},
        "links": [
            {
                "a": min(d.id, li.other_id),
                "b": max(d.id, li.other_id),
                "other": li.other_id,
                "relation": li.relation,
                "confidence": li.confidence,
                "reason": li.reason,
                "origin": li.origin,
                "origin_claim": li.original_claim_id,
                "machine_relation": li.machine_relation,
                "other_source": li.other_source,
                "other_text": li.other_text,
                "other_article_id": li.other_article_id,
            }
            for li in d.links
        ],
        "score": None
        if score is None
        else {
            "probability": score.probability,
            "credibility": score.credibility,
            "low": score.low,
            "high": score.high,
            "logodds": score.logodds,
            "explanation": [
                {"label": label, "weight": weight, "group": group}
                for label, weight, group in score.contributions
            ],
            "explanation_sum": sum(w for _, w, _ in score.contributions),
        },
    }


# --------------------------------------------------------------------------
# text
# --------------------------------------------------------------------------


def plain_paragraph(paragraph: str, marks: list[SpanMark]) -> str:
    """``paragraph`` with each span wrapped in its plain-text marks (PLAIN_MARKS).

    At one position closings come before openings (adjacent spans stay apart), an
    outer span opens before and closes after a span nested in it.
    """
    inserts: list[tuple[int, int, int, str]] = []  # (position, opening?, nesting, text)
    for m in marks:
        opening, closing = PLAIN_MARKS.get(m.kind, ("[", "]"))
        start = max(0, min(m.start, len(paragraph)))
        end = max(start, min(m.end, len(paragraph)))
        inserts.append((start, 1, start - end, opening))
        inserts.append((end, 0, end - start, closing))
    out: list[str] = []
    pos = 0
    for at, _, _, mark in sorted(inserts):
        out.append(paragraph[pos:at])
        out.append(mark)
        pos = at
    out.append(paragraph[pos:])
    return "".join(out)


def styled_paragraph(paragraph: str, marks: list[SpanMark]) -> Text:
    """``paragraph`` as rich Text with each span in its SPAN_STYLES style."""
    from rich.style import Style

    from claimtrack.tui.render import marked

    styles = {kind: Style.parse(style) for kind, style in SPAN_STYLES.items()}
    return marked(paragraph, marks, styles)


def _weight_free(label: str) -> str:
    """A label without the weight it may lead with (the weight has its own column)."""
    return _LEADING_WEIGHT.sub("", label, count=1)


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def detail_lines(d: ClaimDetail) -> list[str]:
    """Every line of the text rendering after the paragraph (no styling)."""
    lines: list[str] = []
    bits = [d.stance, "hedged" if d.hedged else "not hedged", f"{d.quote} quote"]
    if d.hedges:
        bits[1] = f"hedged ({', '.join(d.hedges)})"
    lines.append("  " + " · ".join(bits))
    lines.append(
        f"  extractor {d.extractor or '-'} {d.extractor_version or ''}".rstrip()
        + f" · confidence {d.confidence:.2f}"
    )
    card = d.source
    if card is None:
        written = f" (written “{d.source_text}”)" if d.source_text else ""
        lines.append(f"speaker: none resolved{written}")
    else:
        head = [card.name, f"source {card.id}", card.kind]
        head += [x for x in (card.role, card.affiliation) if x]
        lines.append(
            "speaker: " + " · ".join(head) + (" (set by the analyst)" if card.overridden else "")
        )
        lines.append(
            f"  reliability {card.letter or '-'} {_num(card.reliability)} · track record "
            f"{card.confirmed} confirmed, {card.refuted} refuted · {card.claim_count} claim(s)"
        )
    review = f"review: {d.status}"
    review += f" · verdict {d.verdict}" if d.verdict else " · no verdict"
    lines.append(review)
    if d.note:
        lines.append(f"  note: {d.note}")
    lines.append(f"links: {len(d.links)}" if d.links else "links: none")
    for li in d.links:
        label = "rejected" if li.relation == "none" else li.relation
        who = f"{li.other_source}: " if li.other_source else ""
        origin = li.origin
        if li.origin == "analyst" and li.machine_relation:
            origin += f", was {li.machine_relation}"
        lines.append(
            f"  {label} claim {li.other_id} ({origin}, confidence {li.confidence:.2f}): "
            f"{who}{li.other_text}"
        )
        if li.relation == "repeats" and li.original_claim_id is not None:
            lines.append(f"    origin: claim {li.original_claim_id} is the original report")
        if li.reason:
            lines.append(f"    reason: {li.reason}")
    score = d.score
    if score is None:
        lines.append("score: not scored yet (claimtrack score)")
        return lines
    lines.append(
        f"score: credibility {score.credibility} · probability {score.probability:.2f} "
        f"(leave-one-group-out range {score.low:.2f}–{score.high:.2f})"
    )
    total = 0.0
    for label, weight, group in score.contributions:
        total += weight
        tail = f"  [{group}]" if group else ""
        lines.append(f"  {weight:+.4f}  {_weight_free(label)}{tail}")
    stored = f" (stored {score.logodds:+.4f})" if score.logodds is not None else ""
    lines.append(f"  {total:+.4f}  = log-odds{stored}")
    return lines


def header_lines(d: ClaimDetail) -> list[str]:
    title = f"“{d.article_title}”" if d.article_title else "(untitled)"
    head = [f"article {d.article_id} {title}"]
    head += [x for x in (d.outlet, d.published) if x]
    lines = [f"claim {d.id}", "  " + " · ".join(head)]
    where = [x for x in (d.article_url, d.article_path) if x]
    if where:
        lines.append("  " + " · ".join(where))
    return lines


def write_detail(d: ClaimDetail, *, styled: bool) -> None:
    """The text rendering: styled spans on a terminal, plain brackets otherwise."""
    head = header_lines(d)
    rest = detail_lines(d)
    if not styled:
        out = sys.stdout
        out.write("\n".join([*head, "", plain_paragraph(d.paragraph, d.marks), "", *rest]) + "\n")
        out.flush()
        return
    from rich.console import Console

    console = Console(highlight=False)
    console.print(head[0], style="bold", markup=False)
    for line in head[1:]:
        console.print(line, markup=False)
    console.print()
    console.print(styled_paragraph(d.paragraph, d.marks))
    legend = " ".join(f"[{SPAN_STYLES[k]}]{k}[/]" for k in ("source", "cue", "content"))
    console.print(f"[dim]marks:[/] {legend}")
    console.print()
    for line in rest:
        console.print(line, markup=False)
