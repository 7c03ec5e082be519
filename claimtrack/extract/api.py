"""Placeholder API; the extraction issue replaces the body of extract_claims."""

from __future__ import annotations

from typing import Any

from claimtrack.models import Claim, Span, Speaker

EXTRACTOR_NAME = "claimtrack"
EXTRACTOR_VERSION = "0"


def extract_claims(text: str) -> list[Claim]:
    """Every attributed claim in ``text``, in document order."""
    return []


def _span(span: Span | None) -> dict[str, Any] | None:
    return None if span is None else {"text": span.text, "start": span.start, "end": span.end}


def to_contract(claim: Claim, document: str, speaker: Speaker | None = None) -> dict[str, Any]:
    """One line of the `claimtrack extract --format jsonl` contract."""
    row: dict[str, Any] = {
        "document": document,
        "source": _span(claim.source),
        "cue": _span(claim.cue),
        "content": _span(claim.content),
        "speaker": speaker.name if speaker else None,
        "source_kind": speaker.kind.value if speaker else "unknown",
        "stance": claim.stance.value,
        "hedged": claim.hedged,
        "quote": claim.quote.value,
    }
    if claim.content_spans:
        row["content_spans"] = [_span(s) for s in claim.content_spans]
    return row
