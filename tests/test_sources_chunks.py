"""The article index's tokens from cached chunks: exactly the whole-text scan's tokens."""

from __future__ import annotations

import random
from dataclasses import astuple

import pytest

from claimtrack.sources import mentions
from claimtrack.sources.mentions import (
    _TOKEN,
    _chunks,
    _index_tokens,
    _index_words,
    _scan_index_tokens,
    tokenize,
)

# every separator, a comma before a space and inside numbers, dots and apostrophes after
# words, possessives, abbreviations, a lower-case word the index skips and one it keeps
FIXED = (
    'He said: "It\u2019s over!" (Mr. Smith\u2019s view; the U.S., too?) 1, 000 and 1,000.5\n'
    "\u201cWe\u2019ll see,\u201d said Gen. Jones, the minister\u2019s aide.\n\n"
    "don't, e.g. (a) ok: x-ray U.S.-led, r\u00e9sum\u00e9, \u00e9lan.  Dr.(J. Doe)"
)
_ALPHABET = [
    *"aAbZz .,\u2019'-_12\n\t\"\u201c\u201d():;!?\u00e9\u00c9\u00df",
    *("U.S.", "Mr.", "Mr", "don't", "1,000.5", ", ", " , ", "the", "of", "said"),
    *("it\u2019s", "Obama\u2019s", "Gen.", "\u00e9lan", "x-1", "al-Qaeda", "  ", "A.B.-x"),
]


def _random_texts(seed: int, count: int) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(_ALPHABET) for _ in range(rnd.randint(0, 60))) for _ in range(count)]


def _fields(tokens: list[mentions.Token]) -> list[tuple[object, ...]]:
    return [astuple(t) for t in tokens]


def test_chunks_keep_offsets_and_tokens() -> None:
    chunks = _chunks(FIXED)
    assert sum(map(len, chunks)) + len(chunks) - 1 == len(FIXED)
    assert chunks[:4] == ["He", "said", "", ""]
    # each chunk's own tokens, moved to its offset, are the text's tokens
    spans, off = [], 0
    for chunk in chunks:
        spans += [(off + m.start(), off + m.end()) for m in _TOKEN.finditer(chunk)]
        off += len(chunk) + 1
    assert spans == [m.span() for m in _TOKEN.finditer(FIXED)]


def test_index_tokens_fixed_text_exact() -> None:
    mentions._CHUNK_TOKENS.clear()
    got = [(t.start, t.end, t.text, t.poss) for t in _index_tokens(FIXED)]
    assert got[:8] == [
        (0, 2, "He", False),
        (3, 7, "said", False),
        (10, 12, "It", True),  # ("over" and "view" are skipped)
        (23, 26, "Mr.", False),
        (27, 32, "Smith", True),
        (41, 44, "the", False),
        (45, 49, "U.S.", False),
        (57, 58, "1", False),
    ]
    assert _fields(_index_tokens(FIXED)) == _fields(_scan_index_tokens(FIXED))  # cached now
    assert _fields(_scan_index_tokens(FIXED)) == _fields(tokenize(FIXED, keep=_index_words()))


def test_index_tokens_equal_the_whole_text_scan_on_random_text() -> None:
    mentions._CHUNK_TOKENS.clear()
    texts = _random_texts(11, 3000)
    for text in texts + texts:  # cold chunks, then every chunk cached
        assert _fields(_index_tokens(text)) == _fields(_scan_index_tokens(text)), text
    # many texts at once, as an article: the chunks learnt in one scan each
    joined = "\n".join(texts[:400])
    mentions._CHUNK_TOKENS.clear()
    assert _fields(_index_tokens(joined)) == _fields(_scan_index_tokens(joined))


def test_chunk_cache_is_bounded_and_long_text_scanned_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mentions, "_CHUNK_LIMIT", 50)
    mentions._CHUNK_TOKENS.clear()
    for text in _random_texts(12, 300):
        assert _fields(_index_tokens(text)) == _fields(_scan_index_tokens(text)), text
        assert len(mentions._CHUNK_TOKENS) <= 50 + len(set(_chunks(text)))
    monkeypatch.setattr(mentions, "_CHUNKED_TEXT", 100)
    mentions._CHUNK_TOKENS.clear()
    long = FIXED * 3
    assert _fields(_index_tokens(long)) == _fields(_scan_index_tokens(long))
    assert not mentions._CHUNK_TOKENS  # (scanned whole, nothing cached)
