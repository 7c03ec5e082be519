"""The resolver's tokenizer: offsets from (gap, token) lengths, and the apposition scan."""

from __future__ import annotations

import random

from claimtrack.sources import default_table
from claimtrack.sources.mentions import (
    _ABBREV,
    _TOKEN,
    ArticleIndex,
    _index_tokens,
    _index_words,
    _kept_words,
    tokenize,
)


def _reference(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """Every token of text[start:end] from one match object each (the former loop)."""
    out: list[tuple[int, int, str]] = []
    n = len(text)
    for m in _TOKEN.finditer(text, start, n if end is None else end):
        word = m.group()
        s, e = m.span()
        poss = len(word) > 2 and word[-2:] in ("\u2019s", "'s")
        base = word[:-2] if poss else word
        if poss:
            out.append((s, e - 2, base))
        elif (
            e < n
            and text[e] == "."
            and ((len(word) == 1 and word.isupper()) or word.lower() in _ABBREV)
        ):
            out.append((s, e + 1, word + "."))
        else:
            out.append((s, e, word))
    return out


def test_offsets_of_every_token_exact() -> None:
    text = "U.S.-led forces__x Mr. Obama\u2019s 1,000.5 caf\u00e9"
    got = [(t.text, t.start, t.end, t.poss) for t in tokenize(text)]
    assert got == [
        ("U.S.-led", 0, 8, False),
        ("forces__x", 9, 18, False),
        ("Mr.", 19, 22, False),
        ("Obama", 23, 28, True),
        ("1,000.5", 31, 38, False),
        ("caf\u00e9", 39, 43, False),
    ]
    # a range that starts inside a word and ends inside another
    assert [(t.text, t.start, t.end) for t in tokenize(text, 3, 20)] == [
        ("led", 5, 8),
        ("forces__x", 9, 18),
        ("M", 19, 20),
    ]


def test_offsets_match_one_match_per_token_on_random_text() -> None:
    rnd = random.Random(7)
    pieces = ["a", "B", "1", "_", " ", ".", ",", "'", "\u2019", "-", "\u00e9", "\u00b2", "\n"]
    pieces += ["U.S.", "Mr", "the ", "said ", "Obama's ", "\u00fcber "]
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 30)))
        a = rnd.randint(0, len(text))
        b = rnd.randint(a, len(text))
        for start, end in ((0, None), (a, b)):
            got = [(t.start, t.end, t.text) for t in tokenize(text, start, end)]
            assert got == _reference(text, start, end), (text, start, end)
        # the index's tokens are those of the kept-word scan
        kept = tokenize(text, keep=_index_words())
        assert [(t.start, t.end, t.text, t.poss) for t in _index_tokens(text)] == [
            (t.start, t.end, t.text, t.poss) for t in kept
        ], text


def test_until_skipped_stops_before_the_first_skipped_word() -> None:
    text = "Jane Doe, a senior analyst at the bank, said"
    keep = _kept_words()
    assert "bank" not in keep
    words = [t.text for t in tokenize(text, 8, keep=keep, limit=9)]
    assert words == ["a", "senior", "analyst", "at", "the", "said"]
    until = [t.text for t in tokenize(text, 8, keep=keep, limit=9, until_skipped=True)]
    assert until == ["a", "senior", "analyst", "at", "the"]


def test_role_in_apposition_still_found() -> None:
    idx = ArticleIndex("Jane Doe, a senior analyst at the bank, said", default_table())
    assert [(m.name, m.role) for m in idx.mentions] == [("Jane Doe", "analyst")]
    # a lower-case word the kept list skips right after the comma: no apposition
    idx = ArticleIndex("Jane Doe, sometimes called an analyst, said", default_table())
    assert [(m.name, m.role) for m in idx.mentions] == [("Jane Doe", None)]
    # after a kept word, the scan goes on to the role ("whose" is kept, "job" is not)
    idx = ArticleIndex("Jane Doe, whose analyst job ended, said", default_table())
    assert [(m.name, m.role) for m in idx.mentions] == [("Jane Doe", "analyst")]
