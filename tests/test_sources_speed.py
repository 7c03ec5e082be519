"""Shortcuts the resolver takes for speed give the answers of the slow way."""

from __future__ import annotations

import re
import sys

import pytest

from claimtrack.sources.resolve import _CITING, _CITING_FOLDS, _may_cite


def test_citing_folds_are_every_other_character_the_letters_match() -> None:
    letters = set("citingquoting")
    rx = re.compile("[" + "".join(sorted(letters)) + "]", re.IGNORECASE)
    others = [
        chr(c)
        for c in range(sys.maxunicode + 1)
        if not 0xD800 <= c <= 0xDFFF
        and chr(c).lower() not in letters
        and rx.fullmatch(chr(c)) is not None
    ]
    assert sorted(others) == sorted(_CITING_FOLDS)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "The agency said, citing officials, that talks failed.",
        "Reuters reported it , QUOTING two diplomats.",
        "Reuters reported it\n  Quoting two diplomats",
        "Citing officials at the start, no space before",
        "an exciting day, citingly",
        "he was citing",
        "x, c\u0131ting y",  # dotless i: the regex matches it ignoring case
        "x, c\u0130ting y",  # dotted capital I
        "x, quot\u0131ng y",
        "nothing cited here, quoted there",
        "citing\tquoting",
        "\u201cquoting\u201d",
    ],
)
def test_may_cite_is_the_regex_answer(text: str) -> None:
    assert _may_cite(text) == (_CITING.search(text) is not None)
