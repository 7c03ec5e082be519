"""The extractor's records built without pydantic's per-call lookups are the records
pydantic builds: ``api._new_span`` / ``api._new_claim`` against ``model_construct`` and
against validation."""

from __future__ import annotations

from typing import Any

from claimtrack.extract import api
from claimtrack.extract.api import extract_claims
from claimtrack.models import Claim, QuoteType, Span, Stance


def _same(fast: Any, ref: Any) -> None:
    assert type(fast) is type(ref)
    assert fast == ref
    assert fast.__dict__ == ref.__dict__
    assert list(fast.__dict__) == list(ref.__dict__)
    assert fast.__pydantic_fields_set__ == ref.__pydantic_fields_set__
    assert fast.__pydantic_extra__ is None and ref.__pydantic_extra__ is None
    assert fast.__pydantic_private__ == ref.__pydantic_private__
    assert fast.model_dump_json() == ref.model_dump_json()
    assert repr(fast) == repr(ref)
    assert hash(fast) == hash(ref)


def test_the_fast_path_is_taken_with_the_models_own_slots() -> None:
    assert api._FAST_SPAN and api._FAST_CLAIM
    for cls, setters in ((Span, api._SPAN_SET), (Claim, api._CLAIM_SET)):
        for name, setter in zip(api._SLOTS, setters, strict=True):
            owner = next(k for k in cls.__mro__ if name in vars(k))
            assert setter == vars(owner)[name].__set__


def test_spans_and_claims_equal_what_pydantic_builds() -> None:
    span = api._new_span("said", 10, 14)
    _same(span, Span.model_construct(text="said", start=10, end=14))
    _same(span, Span(text="said", start=10, end=14))
    values: dict[str, Any] = {
        "source": api._new_span("He", 0, 2),
        "cue": span,
        "content": api._new_span("it was over", 15, 26),
        "content_spans": (),
        "stance": Stance.DENIES,
        "hedged": True,
        "hedges": ("may",),
        "quote": QuoteType.MIXED,
        "confidence": 0.25,
        "extractor": api.EXTRACTOR_NAME,
        "extractor_version": api.EXTRACTOR_VERSION,
    }
    claim = api._new_claim(**values)
    _same(claim, Claim.model_construct(**values))
    _same(claim, Claim(**values))


def test_extracted_claims_validate_to_themselves() -> None:
    text = (
        "\u201cWe will not,\u201d said Mr. Smith. Officials reportedly denied it.\n"
        "According to Reuters, the talks may resume."
    )
    claims = extract_claims(text)
    assert claims
    for claim in claims:
        _same(claim, Claim.model_validate(claim.model_dump()))
        for span in (claim.source, claim.cue, claim.content, *claim.content_spans):
            if span is not None:
                assert span.text == text[span.start : span.end]
