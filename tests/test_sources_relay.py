"""Unnamed sources inside a cited media report's paragraph are relayed through that report."""

from __future__ import annotations

from claimtrack.models import Claim, SourceKind, Span
from claimtrack.sources import resolve_claims

TEXT = (
    "According to a recent report from Reuters, the talks began in May. "
    "Intelligence sources indicate that Russia is negotiating the transfer.\n\n"
    "Western officials said that the deal was close. "
    "Defence minister Ben Wallace said that the risk was growing. "
    "Unnamed officials said that shipments had begun."
)


def _span(text: str, occurrence: int = 0) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(text, start + 1)
    return Span.of(TEXT, start, start + len(text))


def _claim(source: str, cue: str, content: str, cue_occurrence: int = 0) -> Claim:
    return Claim(source=_span(source), cue=_span(cue, cue_occurrence), content=_span(content))


CLAIMS = [
    _claim("a recent report from Reuters", "According to", "the talks began in May"),
    _claim("Intelligence sources", "indicate", "Russia is negotiating the transfer"),
    _claim("Western officials", "said", "the deal was close"),
    _claim("Ben Wallace", "said", "the risk was growing", 1),
    _claim("Unnamed officials", "said", "shipments had begun", 2),
]


def test_anonymous_sources_after_a_cited_report_are_relayed_through_it() -> None:
    resolved = resolve_claims(TEXT, CLAIMS)
    assert resolved[0].cited is not None and resolved[0].cited.name == "Reuters"
    relayed = resolved[1]
    assert relayed.speaker is not None and relayed.speaker.kind is SourceKind.ANONYMOUS
    assert relayed.cited is not None and relayed.cited.key == resolved[0].cited.key


def test_the_frame_ends_at_a_paragraph_break_and_at_a_named_source() -> None:
    resolved = resolve_claims(TEXT, CLAIMS)
    # a new paragraph: the Reuters frame no longer applies
    assert resolved[2].speaker is not None and resolved[2].speaker.kind is SourceKind.ANONYMOUS
    assert resolved[2].cited is None
    # after a named, on-record speaker, unnamed officials are not the report's sources
    assert resolved[4].cited is None
