"""Tokens with offsets, sentences, lines and quotation state (pure, no I/O).

Tokens follow the evaluator's unit (``\\w+|[^\\w\\s]``) so that a token is the
smallest thing a span can start or end on. A *block* is the unit the tagger
sees: one line of the document (PolNeAR paragraphs are lines), cut into
pieces of at most ``MAX_BLOCK`` tokens at sentence ends so that a 5 MB line
costs linear time and bounded memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

TOKEN_RE = re.compile(r"\w+|[^\w\s]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")

MAX_BLOCK = 400
MAX_SENTENCE = 200

OPEN_QUOTES = frozenset("“«„‟")
CLOSE_QUOTES = frozenset("”»")
STRAIGHT_QUOTES = frozenset('"')
QUOTES = OPEN_QUOTES | CLOSE_QUOTES | STRAIGHT_QUOTES

_END_PUNCT = frozenset(".?!")

_ABBREV = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "sen",
        "rep",
        "gov",
        "gen",
        "st",
        "jr",
        "sr",
        "inc",
        "co",
        "corp",
        "lt",
        "col",
        "sgt",
        "no",
        "vs",
        "prof",
        "rev",
        "capt",
        "cmdr",
        "adm",
        "maj",
        "messrs",
        "hon",
        "ft",
        "mt",
        "jan",
        "feb",
        "mar",
        "apr",
        "aug",
        "sept",
        "sep",
        "oct",
        "nov",
        "dec",
        "ltd",
        "u",
        "s",
        "e",
        "g",
        "i",
        "etc",
    ]
)


@dataclass
class Block:
    """A run of tokens tagged together; indices are into ``Doc.tokens``."""

    first: int
    last: int  # exclusive


@dataclass
class Doc:
    text: str
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)  # sentence id of each token
    sent_first: list[int] = field(default_factory=list)  # first token of each sentence
    line: list[int] = field(default_factory=list)  # line id of each token
    inq: list[bool] = field(default_factory=list)  # inside a double quotation
    blocks: list[Block] = field(default_factory=list)
    clean_words: bool = True  # no lone surrogates (those cannot be encoded for the tagger)


def analyse(text: str) -> Doc:
    """Tokenise ``text`` and work out sentences, lines, quotes and blocks."""
    doc = Doc(text)
    # every character's class, from its code point (``_classes``): the tokens, the line
    # breaks, the sentence-end marks and the quote marks are read off it with numpy
    try:
        raw = text.encode("utf-32-le")
    except UnicodeEncodeError:  # lone surrogates: exactly what strict encoding refuses
        doc.clean_words = False
        raw = text.encode("utf-32-le", "surrogatepass")
    cls = _classes(np.frombuffer(raw, dtype=np.uint32))
    starts_a, ends_a = _token_bounds(cls)
    n = len(starts_a)
    if n == 0:
        return doc
    starts = doc.starts = starts_a.tolist()
    ends = doc.ends = ends_a.tolist()
    words = doc.words = [text[a:b] for a, b in zip(starts, ends, strict=True)]

    # lines: a token starts a new line when a line break lies between it and the previous token
    breaks = np.flatnonzero(cls == _BREAK)
    if not len(breaks):
        doc.line = [0] * n
        line_first = [0]
    else:
        # count only line changes, not every break: ids must be consecutive per token run
        raw_id = np.searchsorted(breaks, starts_a)
        line_a = np.zeros(n, dtype=np.int64)
        np.cumsum(raw_id[1:] != raw_id[:-1], out=line_a[1:])
        doc.line = line_a.tolist()
        line_first = [0, *(np.flatnonzero(line_a[1:] != line_a[:-1]) + 1).tolist()]
    line = doc.line

    # sentences: a new one starts after . ? ! (and any closing quotes or brackets
    # right after it) when the next word looks like a sentence start, and at every line
    sent = doc.sent
    sent_first = doc.sent_first
    starts_here = bytearray(n)
    starts_here[0] = 1
    for i in line_first:
        starts_here[i] = 1
    for i in _token_at(cls, _END, starts_a):
        if i >= n - 1:
            continue
        w = words[i]
        if w == ".":
            prev = words[i - 1].lower() if i else ""
            if prev in _ABBREV or (len(prev) == 1 and prev.isalpha()):
                continue
            if starts[i + 1] == ends[i] and words[i + 1][0].isalnum():
                continue  # "3.2", "U.S" written without a space
        j = i + 1
        while (
            j < n
            and j - i <= 2
            and (words[j] in CLOSE_QUOTES or words[j] in STRAIGHT_QUOTES or words[j] in ")’'")
        ):
            j += 1
        if j >= n or line[j] != line[i]:
            continue
        c = words[j][0]
        if (
            c.isupper()
            or c.isdigit()
            or words[j] in OPEN_QUOTES
            or words[j] in STRAIGHT_QUOTES
            or c in "(‘'"
        ):
            starts_here[j] = 1
    # a "sentence" longer than MAX_SENTENCE tokens (a list, a table, a 5 MB line with no
    # full stop) is cut, so that nothing downstream can grow with the square of its length
    flags = np.frombuffer(starts_here, dtype=np.uint8)
    firsts = np.flatnonzero(flags)
    if (np.diff(firsts, append=n) > MAX_SENTENCE).any():  # some run is cut (rare)
        previous = 0
        for i in range(1, n):
            if starts_here[i]:
                previous = i
            elif i - previous >= MAX_SENTENCE:
                starts_here[i] = 1
                previous = i
        flags = np.frombuffer(starts_here, dtype=np.uint8)
        firsts = np.flatnonzero(flags)
    sent_first.extend(firsts.tolist())
    sent.extend((np.cumsum(flags) - 1).tolist())

    # quotation state, per line; a quote left open at the end of a line is closed there
    inq = doc.inq
    inq.extend([False] * n)
    line_end = [*line_first[1:], n]
    quote_at = _token_at(cls, _QUOTE, starts_a)
    qi = 0
    nq = len(quote_at)
    for le in line_end:
        inside_from = -1  # token after the opening mark, while inside
        while qi < nq and quote_at[qi] < le:
            k = quote_at[qi]
            qi += 1
            w = words[k]
            if w in OPEN_QUOTES or (w in STRAIGHT_QUOTES and inside_from < 0):
                if inside_from >= 0:
                    inq[inside_from:k] = [True] * (k - inside_from)
                inside_from = k + 1
            else:  # a closing mark, or a straight quote closing an open one
                if inside_from >= 0:
                    inq[inside_from:k] = [True] * (k - inside_from)
                inside_from = -1
        if inside_from >= 0:
            inq[inside_from:le] = [True] * (le - inside_from)

    # blocks: lines, cut at sentence starts when longer than MAX_BLOCK
    blocks = doc.blocks
    for lf, le in zip(line_first, line_end, strict=True):
        _cut(lf, le, sent_first, sent, blocks)
    return doc


def _no_surrogates(text: str) -> bool:
    """No lone surrogate in ``text`` (``_SURROGATE_RE`` finds none): strict UTF-8 encoding
    fails on those code points and on nothing else, and runs far faster than the regex."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _token_at(cls: np.ndarray, mark: int, starts: np.ndarray) -> list[int]:
    """The tokens at the characters of class ``mark`` (marks that are each a token)."""
    at = np.flatnonzero(cls == mark)
    if not len(at):
        return []
    found: list[int] = np.searchsorted(starts, at).tolist()
    return found


# character classes (``_classes``): white space, a line break (white space too), a word
# character (``\\w``), and the other characters (``[^\\w\\s]``: each a token of its own), of
# which the sentence-end marks and the quote marks have classes of their own
_SPACE, _BREAK, _WORD, _OTHER, _END, _QUOTE = range(6)
_UNKNOWN = 255
_CLASS = np.full(0x110000, _UNKNOWN, dtype=np.uint8)  # per code point, filled as met


def _class_of(c: str) -> int:
    """The class of one character, as ``TOKEN_RE`` sees it (``\\w``: ``str.isalnum`` or
    "_"; ``\\s``: ``str.isspace``)."""
    if c in "\r\n":
        return _BREAK
    if c in _END_PUNCT:
        return _END
    if c in QUOTES:
        return _QUOTE
    if c.isalnum() or c == "_":
        return _WORD
    return _SPACE if c.isspace() else _OTHER


def _classes(cps: np.ndarray) -> np.ndarray:
    """The class of every code point of ``cps`` (the table grows by the new ones)."""
    cls = np.take(_CLASS, cps)
    if len(cls) and cls.max() == _UNKNOWN:
        new = list(set(cps[cls == _UNKNOWN].tolist()))
        _CLASS[new] = [_class_of(chr(c)) for c in new]
        cls = np.take(_CLASS, cps)
    return cls


def _token_bounds(cls: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The start and end (exclusive) offsets of ``TOKEN_RE``'s matches, from the classes:
    a run of word characters, or one other character."""
    if not len(cls):
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    word = cls == _WORD
    other = cls >= _OTHER
    first = other.copy()
    first[0] |= word[0]
    first[1:] |= word[1:] & ~word[:-1]
    last = other
    last[-1] |= word[-1]
    last[:-1] |= word[:-1] & ~word[1:]
    return np.flatnonzero(first), np.flatnonzero(last) + 1


def _cut(first: int, last: int, sent_first: list[int], sent: list[int], out: list[Block]) -> None:
    while last - first > MAX_BLOCK:
        limit = first + MAX_BLOCK
        # the latest sentence start in (first, limit]
        cut = sent_first[sent[limit]]  # the start of the sentence holding token ``limit``
        if cut <= first + MAX_BLOCK // 4:
            cut = limit
        out.append(Block(first, cut))
        first = cut
    if last > first:
        out.append(Block(first, last))
