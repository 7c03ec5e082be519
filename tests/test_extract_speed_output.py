"""``claimtrack extract --format jsonl`` writes each line with ``app_extract.contract_line``:
the bytes ``json.dumps(to_contract(...), ensure_ascii=False)`` writes, checked on claims
of every shape (sources, cues, pieces, speakers named, unnamed and absent, both stances,
hedged or not, every quote type) and on texts with every kind of character JSON escapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimtrack.cli.app_extract import contract_line
from claimtrack.extract import extract_claims, to_contract
from claimtrack.models import (
    UNNAMED_MEDIA_PREFIX,
    Claim,
    QuoteType,
    SourceKind,
    Span,
    Speaker,
    Stance,
)
from claimtrack.sources import resolve_claims

SHARED = Path(__file__).resolve().parents[2] / "shared"
POLNEAR_TRAIN = SHARED / "corpora" / "polnear" / "train" / "text"


def _reference(claim: Claim, path: str, speaker: Speaker | None) -> str:
    return json.dumps(to_contract(claim, path, speaker), ensure_ascii=False)


def _line(claim: Claim, path: str, speaker: Speaker | None) -> str:
    return contract_line(claim, json.encoder.encode_basestring(path), speaker)


SPEAKERS = [
    None,
    Speaker(name="Ben Wallace", kind=SourceKind.PERSON, key="person:ben wallace"),
    Speaker(name="reports", kind=SourceKind.MEDIA, key=UNNAMED_MEDIA_PREFIX + "reports"),
    Speaker(name='O"Neil \\ “x”\n\t\x00é', kind=SourceKind.ANONYMOUS, key="local:anon:1"),
]


def test_a_hand_made_line() -> None:
    claim = Claim(
        source=Span(text="He", start=0, end=2),
        cue=Span(text="said", start=3, end=7),
        content=Span(text="a\nb", start=8, end=11),
        content_spans=(Span(text="a", start=8, end=9), Span(text="b", start=10, end=11)),
        stance=Stance.DENIES,
        hedged=True,
        quote=QuoteType.MIXED,
    )
    assert _line(claim, "d/ä.txt", SPEAKERS[1]) == (
        '{"document": "d/ä.txt", "source": {"text": "He", "start": 0, "end": 2}, '
        '"cue": {"text": "said", "start": 3, "end": 7}, '
        '"content": {"text": "a\\nb", "start": 8, "end": 11}, '
        '"speaker": "Ben Wallace", "source_kind": "person", "stance": "denies", '
        '"hedged": true, "quote": "mixed", "content_spans": '
        '[{"text": "a", "start": 8, "end": 9}, {"text": "b", "start": 10, "end": 11}]}'
    )
    assert _line(claim, "d/ä.txt", SPEAKERS[1]) == _reference(claim, "d/ä.txt", SPEAKERS[1])


@pytest.mark.parametrize("speaker", SPEAKERS)
def test_claims_of_every_shape(speaker: Speaker | None) -> None:
    text = "The fence held.\n“No,” Ann Lee said.\n"
    spans = [None, Span(text="Ann Lee", start=21, end=28), Span(text="", start=5, end=5)]
    pieces = [(), (Span(text="The", start=0, end=3), Span(text="held", start=10, end=14))]
    for source in spans:
        for cue in spans:
            for content_spans in pieces:
                for stance in Stance:
                    for quote in QuoteType:
                        for hedged in (False, True):
                            claim = Claim(
                                source=source,
                                cue=cue,
                                content=Span.of(text, 0, 14),
                                content_spans=content_spans,
                                stance=stance,
                                hedged=hedged,
                                quote=quote,
                            )
                            for path in ("a.txt", 'we"ird\\path\n.txt'):
                                assert _line(claim, path, speaker) == _reference(
                                    claim, path, speaker
                                )


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text(), st.text(min_size=1), st.sampled_from(SPEAKERS))
def test_any_text_and_path(text: str, path: str, name: str, speaker: Speaker | None) -> None:
    # every code point JSON escapes or keeps (controls, quotes, backslashes, lone surrogates)
    claim = Claim(
        source=Span(text=text, start=0, end=len(text)),
        cue=None,
        content=Span(text=text, start=3, end=3 + len(text)),
        content_spans=(Span(text=text, start=3, end=3 + len(text)),) * 2,
    )
    if speaker is not None:
        speaker = speaker.model_copy(update={"name": name})
    assert _line(claim, path, speaker) == _reference(claim, path, speaker)


def test_extracted_and_resolved_claims() -> None:
    text = (
        "The talks failed, Ben Wallace said.\n“We will go,” said Ann Lee. She denied it.\n"
        "Officials said the plan was reportedly dropped. Reuters reported it on Monday.\n"
        "“It is over,” he said, “and it may not come back.”\n"
    )
    resolved = resolve_claims(text, extract_claims(text))
    assert len(resolved) >= 5
    assert any(r.claim.content_spans for r in resolved)
    for r in resolved:
        assert _line(r.claim, "x.txt", r.speaker) == _reference(r.claim, "x.txt", r.speaker)


def test_an_offset_that_is_no_int_is_refused() -> None:
    claim = Claim(content=Span(text="a", start=0, end=1))
    bad = claim.model_copy(update={"content": Span.model_construct(text="a", start=0.0, end=1)})
    with pytest.raises(TypeError):
        _line(bad, "a.txt", None)


@pytest.mark.skipif(not POLNEAR_TRAIN.is_dir(), reason="needs ../shared (PolNeAR)")
def test_polnear_lines() -> None:
    for path in sorted(POLNEAR_TRAIN.glob("*.txt"))[:40]:
        with open(path, encoding="utf-8", newline="") as fh:
            text = fh.read()
        for r in resolve_claims(text, extract_claims(text)):
            assert _line(r.claim, str(path), r.speaker) == _reference(r.claim, str(path), r.speaker)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 255), max_size=12), st.integers(0, 12), st.integers(0, 12))
def test_or_ed_flags_answer_as_any(flags: list[int], first: int, last: int) -> None:
    from claimtrack.extract.api import _bits

    for bit in (1, 2, 4, 8, 16, 32, 64, 128):
        assert bool(_bits(flags, first, last) & bit) == any(
            flags[i] & bit for i in range(first, min(last, len(flags)))
        )
