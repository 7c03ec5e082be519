"""Extraction never raises and every span points into the text it came from."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimtrack.extract import extract_claims, to_contract
from claimtrack.extract.text import MAX_BLOCK, analyse
from claimtrack.models import Claim

SHARED = Path(__file__).resolve().parents[2] / "shared"
POLNEAR_TRAIN = SHARED / "corpora" / "polnear" / "train" / "text"


def check(text: str, claims: list[Claim]) -> None:
    for claim in claims:
        spans = [claim.source, claim.cue, claim.content, *claim.content_spans]
        for span in spans:
            if span is None:
                continue
            assert 0 <= span.start <= span.end <= len(text)
            assert span.text == text[span.start : span.end]
            assert span.text.strip() == span.text, "spans are trimmed of white space"
            assert span.text, "no empty spans"
        if claim.content_spans:
            assert claim.content.start == claim.content_spans[0].start
            assert claim.content.end == claim.content_spans[-1].end
            ends = [s.start for s in claim.content_spans[1:]]
            assert all(a.end <= b for a, b in zip(claim.content_spans, ends, strict=False))
        row = to_contract(claim, "x.txt")
        assert row["content"]["text"] == text[row["content"]["start"] : row["content"]["end"]]


NASTY = [
    "",
    " ",
    "\n\n\t \r\n",
    '"',
    "“",
    "”",
    "«»",
    '"He said," she said "and then',
    "“Unbalanced, he said.",
    "It is over,” he said. “Or not",
    "‘Single quotes,’ she said, ’ mismatched ‘",
    "« Nous allons gagner », a déclaré le président.",
    "„Wir schaffen das“, sagte sie.",
    "Он сказал, что «всё будет хорошо».",
    "他说：“我们会赢。”",
    "\x00\x01\x02 said \x1b[31m “red” \x7f",
    "Line one said\r\nline two said “x”\rline three\n“quote” he said",
    "said said said said said",
    "according to",
    "reportedly",
    "Allegedly, allegedly.",
    ". . . ! ? “ ” \" ' ’ ‘",
    "\ud800 lone surrogate, he said",
    "Mr. Smith said: “The U.S. is 3.2 percent.” Dr. Jones disagreed.",
]


@pytest.mark.parametrize("text", NASTY)
def test_nasty_inputs_never_raise(text: str) -> None:
    claims = extract_claims(text)
    check(text, claims)


def test_empty_and_blank_give_nothing() -> None:
    assert extract_claims("") == []
    assert extract_claims("   \n\n \t ") == []


def test_huge_single_token_line() -> None:
    text = "a" * 5_000_000
    assert extract_claims(text) == []


def test_long_line_is_cut_into_blocks() -> None:
    sentence = "The minister said that the plan would work. "
    text = sentence * 200  # one line, 2,000 tokens
    doc = analyse(text)
    assert len(doc.blocks) > 1
    assert all(b.last - b.first <= MAX_BLOCK for b in doc.blocks)
    assert doc.blocks[0].first == 0 and doc.blocks[-1].last == len(doc.words)
    assert all(a.last == b.first for a, b in zip(doc.blocks, doc.blocks[1:], strict=False))
    claims = extract_claims(text)
    check(text, claims)
    assert len(claims) >= 150


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("CLAIMTRACK_SLOW"),
    reason="set CLAIMTRACK_SLOW=1 (5 MB of prose: tens of seconds)",
)
def test_five_megabyte_single_line_of_prose() -> None:
    text = "“We will win,” the senator said, adding that taxes would fall. " * 80_000
    assert len(text) > 5_000_000
    claims = extract_claims(text)
    check(text, claims)
    assert len(claims) > 80_000


ALPHABET = st.sampled_from(
    list("abcXYZ .,;:!?\n\r\t\"'“”‘’«»„—-()0123\x00\x1f\u00a0é中")
    + [
        " said ",
        " says ",
        " told ",
        "according to ",
        " reportedly ",
        " denied ",
        "He ",
        "Officials ",
        " that ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=120).map("".join))
def test_random_text_spans_are_exact(text: str) -> None:
    check(text, extract_claims(text))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_unicode_text(text: str) -> None:
    check(text, extract_claims(text))


@pytest.mark.skipif(not POLNEAR_TRAIN.is_dir(), reason="needs ../shared/corpora/polnear")
def test_all_of_polnear_train_spans_are_exact() -> None:
    paths = sorted(POLNEAR_TRAIN.glob("*.txt"))
    assert len(paths) == 840
    total = 0
    for path in paths:
        with open(path, encoding="utf-8", newline="") as handle:
            text = handle.read()
        claims = extract_claims(text)
        check(text, claims)
        total += len(claims)
    assert total > 10_000  # PolNeAR train holds 19,834 gold attributions
