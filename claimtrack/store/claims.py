"""Mapping stored claim rows back to domain records."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from claimtrack.models import Claim, QuoteType, SourceKind, Span, Speaker, Stance

if TYPE_CHECKING:
    from claimtrack.store.schema import ClaimRow, SourceRow


def _span(text: str | None, start: int | None, end: int | None) -> Span | None:
    if text is None or start is None or end is None:
        return None
    return Span(text=text, start=start, end=end)


def claim_from_row(row: ClaimRow, article_text: str | None = None) -> Claim:
    """The Claim a row was stored from.

    Discontinuous content pieces are stored as offsets only; pass the article's
    text to get them back as spans (without it, ``content_spans`` is empty).
    """
    pieces: tuple[Span, ...] = ()
    if article_text is not None:
        offsets = json.loads(row.content_spans or "[]")
        pieces = tuple(Span.of(article_text, int(a), int(b)) for a, b in offsets)
    content = Span(text=row.content_text, start=row.content_start, end=row.content_end)
    return Claim(
        source=_span(row.source_text, row.source_start, row.source_end),
        cue=_span(row.cue_text, row.cue_start, row.cue_end),
        content=content,
        content_spans=pieces,
        stance=Stance(row.stance),
        hedged=row.hedged,
        hedges=tuple(json.loads(row.hedges or "[]")),
        quote=QuoteType(row.quote),
        confidence=row.confidence,
        extractor=row.extractor,
        extractor_version=row.extractor_version,
    )


def speaker_from_row(row: ClaimRow, source: SourceRow | None = None) -> Speaker | None:
    """The machine-resolved speaker of a claim (None when unresolved)."""
    if row.speaker is None:
        return None
    try:
        kind = SourceKind(row.source_kind)
    except ValueError:
        kind = SourceKind.UNKNOWN
    return Speaker(
        name=row.speaker,
        kind=kind,
        key=source.key if source is not None else f"{kind.value}:{row.speaker.casefold()}",
        role=source.role if source is not None else None,
        affiliation=source.affiliation if source is not None else None,
    )
