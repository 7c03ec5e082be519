"""Attribution extraction: article text in, attributed claims out (pure, no I/O).

Two steps, Citron-like but in one tagging pass:

1. a linear-chain CRF (trained with python-crfsuite on PolNeAR train by
   ``bench/train_extractor.py``, shipped as its weights, ``data/tagger.npz``,
   and scored with numpy by ``tagger.py``) labels every token of each line as
   source / cue / content (BIO) or nothing; a second, cue-only CRF shipped in
   the same file votes on the cue labels (its weights folded into the first's
   at load, so tagging still costs one pass);
2. the labelled spans are grouped into claims around their cues (nearest
   cue in the same sentence; a quotation opening a paragraph continues the
   previous paragraph's quote), and rule layers add what PolNeAR does not
   annotate: impersonal attributions ("reportedly"), stance (denial cues,
   negated cues), hedging and the quote type.

Spans are offsets into the text as given; ``span.text == text[start:end]``.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, reduce
from itertools import repeat
from operator import itemgetter, methodcaller, or_
from typing import Any

from claimtrack.extract import lexicon
from claimtrack.extract.text import CLOSE_QUOTES, OPEN_QUOTES, QUOTES, STRAIGHT_QUOTES, Doc, analyse
from claimtrack.models import Claim, QuoteType, Span, Speaker, Stance

EXTRACTOR_NAME = "claimtrack"
# crf<n>: the tagger model; bump whenever the model, features or rules change
EXTRACTOR_VERSION = "1.8-crf5"

_EDGE_PUNCT = frozenset(",;:—–-(")
_LEFT_STOP = frozenset(",;:(—–")
_SUBORDINATORS = frozenset(
    [
        "that",
        "as",
        "while",
        "because",
        "although",
        "though",
        "since",
        "after",
        "before",
        "when",
        "if",
        "but",
        "and",
        "whereas",
        "where",
        "which",
        "who",
        "whom",
        "whose",
        "even",
    ]
)
_RIGHT_STOP_AFTER_COMMA = frozenset(
    ["although", "though", "while", "but", "whereas", "which", "who", "whom", "even", "despite"]
)

KEEP_ORPHANS = False
MIN_CONFIDENCE = 0.3  # tagged claims less sure than this are dropped (by CV on train)
CUE_BIAS = -1.0  # added to B-C scores before decoding (recall against precision; by CV on train)
# the cue-only CRF's vote on the cue labels (its B-C / I-C score over its O score, times this;
# folded into the tagger's weights at load; by CV on train)
CUE_LAYER_WEIGHT = 0.5
SHARE_CONTENT = True  # a cue left without content shares the nearest content of its sentence
NEAR_GAP = 12  # a content piece with no cue in its sentences may take a cue this close

_lock = threading.Lock()
_model: Any = None
_model_failed = False


def _get_model() -> Any:
    """The tagger's weights (``data/tagger.npz``), loaded once; None when missing or broken."""
    global _model, _model_failed
    if _model is not None or _model_failed:
        return _model
    with _lock:
        if _model is None and not _model_failed:
            try:
                from claimtrack.extract import tagger

                _model = tagger.load(lexicon.data_bytes("tagger.npz"), CUE_LAYER_WEIGHT)
            except Exception:  # a missing or broken model: extraction finds nothing, never raises
                _model_failed = True
    return _model


@dataclass
class _Piece:
    role: str  # S, C or T
    first: int  # token indices, last exclusive
    last: int


@dataclass
class _Group:
    cue: _Piece | None
    source: _Piece | None = None
    content: list[_Piece] = field(default_factory=list)
    confidence: float = 1.0


@dataclass
class _Facts:
    """What the rule layers ask of a document's tokens, read from the tagger's word flags
    (``_word_flags``, computed once per word form) instead of word by word."""

    flags: list[int]  # each token's flags
    hedge_at: list[int]  # tokens where a hedge may start (``_TokenFinder``)
    unsafe_at: list[int]  # tokens the hedge finder leaves to the regex
    words_before: list[int]  # how many tokens before each token start with a letter or digit
    quoted_before: list[int]  # ... of them inside a quotation


_Tagged = tuple[list[_Piece], dict[int, float], list[int] | None, _Facts | None]


def _tag(doc: Doc) -> _Tagged:
    """Label every block; return the labelled pieces, each cue's confidence, the tokens
    that are impersonal words and the token facts of the rules (None without a model)."""
    return _tag_many([doc])[0]


def _tag_many(docs: list[Doc]) -> list[_Tagged]:
    """``_tag`` of each document, their blocks decoded together (``tagger.viterbi_many``)."""
    model = _get_model()
    if model is None:
        return [([], {}, None, None) for _ in docs]
    import numpy as np

    from claimtrack.extract import tagger

    cue_prob = lexicon.cue_prob()
    emits = []
    found = []
    with _lock:  # the model's word table grows as new words are seen
        if model.flag_of is not _word_flags:
            model.flag_of = _word_flags
            model.reset()  # every word's flags are computed as it is first seen
        scored = tagger.emissions_many(model, docs, cue_prob)
        all_flags = [model.tab[ids, tagger.FLAG] for _, ids in scored]
    facts: list[_Facts | None] = []
    for doc, (emit, _), flags in zip(docs, scored, all_flags, strict=True):
        sure = np.flatnonzero(flags & _SURE).tolist()
        impersonal = np.flatnonzero(flags & _IMPERSONAL).tolist()
        if CUE_BIAS:
            emit[:, model.label_bc] += CUE_BIAS
        emits.append(emit)
        found.append((sure, impersonal))
        # the flags are those of the words the tagger saw: the document's own words unless
        # some had to be re-encoded (lone surrogates); then the rules ask the words themselves
        facts.append(_facts(doc, flags) if doc.clean_words else None)
    bests = tagger.viterbi_many(model, emits, docs)
    return [
        (*_pieces(doc, model, emit, best, sure, cue_prob), impersonal, fact)
        for doc, emit, best, (sure, impersonal), fact in zip(
            docs, emits, bests, found, facts, strict=True
        )
    ]


def _facts(doc: Doc, flags: Any) -> _Facts:
    import numpy as np

    word = (flags & _ALNUM) != 0
    quoted = word & np.array(doc.inq, dtype=bool)
    words_before = np.zeros(len(word) + 1, dtype=np.int64)
    quoted_before = np.zeros(len(word) + 1, dtype=np.int64)
    np.cumsum(word, out=words_before[1:])
    np.cumsum(quoted, out=quoted_before[1:])
    return _Facts(
        flags.tolist(),
        np.flatnonzero(flags & _HEDGE).tolist(),
        np.flatnonzero(flags & _UNSAFE).tolist(),
        words_before.tolist(),
        quoted_before.tolist(),
    )


def _pieces(
    doc: Doc, model: Any, emit: Any, best: list[int], sure: list[int], cue_prob: Mapping[str, float]
) -> tuple[list[_Piece], dict[int, float]]:
    """The labelled pieces of a decoded document and each cue's confidence."""
    import numpy as np

    from claimtrack.extract import tagger

    pieces: list[_Piece] = []
    conf: dict[int, float] = {}
    if sure:
        _sure_cues(doc, best, sure, model, cue_prob)
    n = len(best)
    lab = np.array(best, dtype=np.int64)
    role = model.role_of[lab]
    prev = np.zeros(n, dtype=np.int64)
    prev[1:] = role[:-1]
    bfirst = np.zeros(n, dtype=bool)
    bfirst[[b.first for b in doc.blocks]] = True
    starts_here = (role > 0) & (model.begins[lab] | bfirst | (role != prev))
    stops = np.flatnonzero((role == 0) | starts_here)
    firsts = np.flatnonzero(starts_here)
    lasts = np.append(stops, n)[np.searchsorted(stops, firsts, side="right")]
    roles = "OSCT"
    for i, j, r in zip(firsts.tolist(), lasts.tolist(), role[firsts].tolist(), strict=True):
        pieces.append(_Piece(roles[r], i, j))
    at = firsts[role[firsts] == 2]
    if len(at):
        # each cue's local posterior, with the block's edges bounding its neighbours
        prev_lab = np.where(bfirst[at], -1, lab[np.maximum(at - 1, 0)])
        after = np.minimum(at + 1, n - 1)
        next_lab = np.where((at + 1 >= n) | bfirst[after], -1, lab[after])
        confs = tagger.local_confidences(model, emit, at, prev_lab, lab[at], next_lab)
        conf.update(zip(at.tolist(), confs.tolist(), strict=True))
    return pieces, conf


_AUX = frozenset(["has", "have", "had", "was", "were", "is", "are"])
SURE_CUE = 0.85  # a word this often a cue in PolNeAR train is one even where the tagger says no


# bits of a word's flags in the tagger's word table
_SURE, _IMPERSONAL, _DENIAL, _NEGATABLE, _NEGATION = 1, 2, 4, 8, 16
_HEDGE = 32  # a hedge of the list may start at this word (``_TokenFinder``)
_UNSAFE = 64  # a word the hedge finder cannot judge by its lower-cased form (non-ASCII)
_ALNUM = 128  # starts with a letter or digit (``str.isalnum``; the same for the lower case)


def _word_flags(lows: list[str], cue_prob: Mapping[str, float]) -> Any:
    """What the rules ask of (lower-cased) word forms, remembered per form by the tagger: the
    flags of each form, in order (numpy, a test per list over all forms at once)."""
    import numpy as np

    n = len(lows)

    def test(check: Callable[[str], bool]) -> Any:
        return np.fromiter(map(check, lows), bool, n)

    def listed(wl: lexicon.WordList | _TokenFinder) -> Any:  # ``WordList.word``
        hit = test(wl.words.__contains__)
        if wl.prefixes:
            hit |= test(methodcaller("startswith", wl.prefixes))
        return hit

    flags = np.zeros(n, dtype=np.int64)
    denial = listed(lexicon.denials())
    # a denial verb, or a word nearly always a cue in train ("said", "according")
    sure = denial & ~test(methodcaller("startswith", "denial"))
    sure |= np.fromiter(map(cue_prob.get, lows, repeat(0.0)), np.float64, n) >= SURE_CUE
    flags[sure] |= _SURE
    flags[listed(lexicon.impersonal())] |= _IMPERSONAL
    flags[denial] |= _DENIAL
    flags[listed(lexicon.negatable())] |= _NEGATABLE
    flags[listed(lexicon.negations())] |= _NEGATION
    ascii_ = test(str.isascii)
    finder = _hedge_finder()
    if finder is not None:  # ``_TokenFinder.may_start``
        flags[ascii_ & (listed(finder) | test(finder.phrases.__contains__))] |= _HEDGE
    other = np.flatnonzero(~ascii_)
    flags[other[[_unsafe(lows[k]) for k in other.tolist()]]] |= _UNSAFE
    flags[np.fromiter(map(str.isalnum, map(itemgetter(0), lows)), bool, n)] |= _ALNUM
    return flags


def _unsafe(low: str) -> bool:
    """A token whose hedges only the regex can find: a word token with non-ASCII letters
    (case-insensitive matching then knows more than ``str.lower``: "ſ" is "s", "ı" is "i").
    A token is a word (``\\w+``) or one other character; one non-word character never
    starts or continues a hedge."""
    if low.isascii():
        return False
    return len(low) != 1 or low.isalnum() or low == "_"


class _TokenFinder:
    """``WordList.regex`` run over tokens instead of characters, for lists whose entries are
    ASCII words (a letter, then letters, digits or ``_``).

    A match of ``\\b(?:entries)`` can then only start at a word token, an entry word
    (``w\\b``) matches a whole token, a prefix (``p\\w*``) the whole token it starts, and a
    phrase (``a\\s+b\\b``) consecutive tokens (two word tokens in a row are apart by white
    space only). The regex tries phrases, then words, then prefixes, in list order; so does
    ``find``. A token with non-ASCII letters (``_unsafe``) sends its window to the regex.
    """

    def __init__(self, wl: lexicon.WordList) -> None:
        self.words = frozenset(w.lower() for w in wl.words)
        self.prefixes = tuple(p.lower() for p in wl.prefixes)
        self.phrases: dict[str, list[tuple[str, ...]]] = {}
        for phrase in wl.phrases:
            low = tuple(w.lower() for w in phrase)
            self.phrases.setdefault(low[0], []).append(low)

    @staticmethod
    def usable(wl: lexicon.WordList) -> bool:
        entries = [*wl.words, *wl.prefixes, *(w for p in wl.phrases for w in p)]
        return all(_ASCII_WORD.fullmatch(e) for e in entries)

    def may_start(self, low: str) -> bool:
        return low.isascii() and (
            low in self.words
            or low in self.phrases
            or (bool(self.prefixes) and low.startswith(self.prefixes))
        )

    def find(self, words: list[str], at: list[int], first: int, last: int) -> list[str]:
        """The matches in tokens [first, last), lower-cased, in order; ``at``: the tokens
        where one may start (sorted)."""
        found: list[str] = []
        nxt = first
        for i in at[bisect.bisect_left(at, first) : bisect.bisect_left(at, last)]:
            if i < nxt:
                continue
            low = words[i].lower()
            for phrase in self.phrases.get(low, ()):
                end = i + len(phrase)
                if end <= last and all(
                    words[i + k].lower() == w for k, w in enumerate(phrase) if k
                ):
                    found.append(" ".join(phrase))
                    nxt = end
                    break
            else:
                if low in self.words or (bool(self.prefixes) and low.startswith(self.prefixes)):
                    found.append(low)
                    nxt = i + 1
        return found


_ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


@cache
def _hedge_finder() -> _TokenFinder | None:
    """The token finder of the hedge list, or None when the list needs its regex."""
    wl = lexicon.hedges()
    return _TokenFinder(wl) if _TokenFinder.usable(wl) else None


def _sure_cues(
    doc: Doc, best: list[int], sure: list[int], model: Any, cue_prob: Mapping[str, float]
) -> None:
    """Words that are nearly always cues ("said", "according to") left outside every role."""
    words = doc.words
    den = lexicon.denials()
    o, b_c, i_c = model.label_o, model.label_bc, model.label_ic
    block_first = [b.first for b in doc.blocks]
    for i in sure:
        if best[i] != o:
            continue
        k = bisect.bisect_right(block_first, i) - 1
        first, last = block_first[k], doc.blocks[k].last
        w = words[i].lower()
        if den.word(w) and not w.startswith("denial"):
            # a denial verb: "has denied", "rejected"; an auxiliary right before joins the cue
            best[i] = b_c
            if i > first and best[i - 1] == o and words[i - 1].lower() in _AUX:
                best[i - 1] = b_c
                best[i] = i_c
            continue
        if cue_prob.get(w, 0.0) < SURE_CUE:
            continue
        if w == "according":
            if i + 1 < last and words[i + 1].lower() == "to" and best[i + 1] == o:
                best[i] = b_c
                best[i + 1] = i_c
            continue
        best[i] = b_c


def _trim(doc: Doc, piece: _Piece) -> _Piece | None:
    words = doc.words
    first, last = piece.first, piece.last
    while first < last and words[first] in _EDGE_PUNCT:
        first += 1
    # PolNeAR keeps the comma closing an apposition in a source ("Phil Smith, a spokesman,")
    keep_comma = piece.role == "S" and "," in words[first : last - 1]
    while (
        first < last
        and words[last - 1] in _EDGE_PUNCT
        and not (keep_comma and words[last - 1] == ",")
    ):
        last -= 1
    if first >= last:
        return None
    return _Piece(piece.role, first, last)


def _gap(a: _Piece, b: _Piece) -> int:
    if a.first >= b.last:
        return a.first - b.last
    if b.first >= a.last:
        return b.first - a.last
    return 0


def _group(doc: Doc, pieces: list[_Piece], conf: dict[int, float]) -> list[_Group]:
    sent, line = doc.sent, doc.line
    cues = [p for p in pieces if p.role == "C"]
    used = bytearray(len(doc.words))  # tokens the tagger gave a role
    for p in pieces:
        used[p.first : p.last] = b"\x01" * (p.last - p.first)
    groups = {id(c): _Group(c, confidence=conf.get(c.first, 1.0)) for c in cues}
    by_sentence: dict[int, list[_Piece]] = {}
    for c in cues:
        for s in range(sent[c.first], sent[c.last - 1] + 1):
            by_sentence.setdefault(s, []).append(c)

    def rank(c: _Piece, x: _Piece) -> tuple[float, int]:
        # content mostly follows its cue; "..., he said" is the other common order
        return (_gap(c, x) + (0.0 if c.first < x.first else 0.5), c.first)

    sources: list[_Piece] = []
    content_by_sentence: dict[int, list[_Piece]] = {}
    orphans: list[_Group] = []
    last_group: _Group | None = None
    for piece in pieces:
        if piece.role == "C":
            last_group = groups[id(piece)]
            continue
        trimmed = _trim(doc, piece)
        if trimmed is None:
            continue
        if trimmed.role == "S":
            sources.append(trimmed)
            continue
        s0, s1 = sent[trimmed.first], sent[trimmed.last - 1]
        for s in range(s0, s1 + 1):
            content_by_sentence.setdefault(s, []).append(trimmed)
        candidates = [c for s in range(s0, s1 + 1) for c in by_sentence.get(s, ())]
        if not candidates:
            candidates = [
                c
                for s in range(s0 - NEAR_GAP, s1 + NEAR_GAP + 1)
                for c in by_sentence.get(s, ())
                if line[c.first] == line[trimmed.first] and _gap(c, trimmed) <= NEAR_GAP
            ]
        if candidates:
            best = min(candidates, key=lambda c: rank(c, trimmed))
            groups[id(best)].content.append(trimmed)
            continue
        # a quotation carried over from the previous paragraph
        if (
            last_group is not None
            and last_group.cue is not None
            and 0 < line[trimmed.first] - line[last_group.cue.first] <= 3
            and doc.words[trimmed.first] in QUOTES
        ):
            last_group.content.append(trimmed)
            continue
        orphans.append(_Group(None, content=[trimmed], confidence=0.5))

    # each cue takes the nearest source of its sentence (a source may serve several cues)
    src_by_sentence: dict[int, list[_Piece]] = {}
    for x in sources:
        src_by_sentence.setdefault(sent[x.first], []).append(x)
    for g in groups.values():
        cue = g.cue
        assert cue is not None
        near = [
            x
            for s in range(sent[cue.first], sent[cue.last - 1] + 1)
            for x in src_by_sentence.get(s, ())
        ]
        near = [
            x for x in near if not any(x.first < y.last and y.first < x.last for y in g.content)
        ]
        if near:
            best = min(
                near, key=lambda x: (_gap(cue, x) + (0.0 if x.first < cue.first else 0.5), x.first)
            )
            g.source = best

    den = lexicon.denials()
    for g in groups.values():
        _according_to(doc, g)
        if (
            g.source is None
            and g.cue is not None
            and any(den.word(w.lower()) for w in doc.words[g.cue.first : g.cue.last])
        ):
            g.source = _subject_before(doc, g.cue, used)

    out: list[_Group] = []
    for g in groups.values():
        if not g.content and g.cue is not None:
            filler = _fallback_content(doc, g, used)
            if filler is None and SHARE_CONTENT:
                filler = _shared_content(doc, g, content_by_sentence)
            if filler is not None:
                g.content = [filler]
                g.confidence *= 0.7
        if g.content and g.confidence >= MIN_CONFIDENCE:
            out.append(g)
    if KEEP_ORPHANS:
        out.extend(orphans)
    return out


_SOURCE_END = frozenset(",.;:?!()") | QUOTES


def _according_to(doc: Doc, g: _Group) -> None:
    """ "according to X, ..." / "..., according to X.": the source runs to the next comma or stop."""
    cue = g.cue
    if cue is None or cue.last - cue.first != 2 or doc.words[cue.first].lower() != "according":
        return
    if g.source is not None and g.source.first != cue.last:
        return
    s = doc.sent[cue.first]
    end = doc.sent_first[s + 1] if s + 1 < len(doc.sent_first) else len(doc.words)
    j = cue.last
    while j < end and j - cue.last < 20 and doc.words[j] not in _SOURCE_END:
        j += 1
    if j == cue.last or j - cue.last >= 20:
        return
    source = _Piece("S", cue.last, j)
    g.source = source
    # content never overlaps its source
    kept = []
    for piece in g.content:
        if piece.last <= source.first or piece.first >= source.last:
            kept.append(piece)
        elif piece.first < source.first:
            kept.append(_Piece("T", piece.first, source.first))
        elif piece.last > source.last:
            trimmed = _trim(doc, _Piece("T", source.last, piece.last))
            if trimmed is not None:
                kept.append(trimmed)
    g.content = kept


def _subject_before(doc: Doc, cue: _Piece, used: bytearray) -> _Piece | None:
    """The untagged words right before a cue, back to the clause start (at most 8): its subject."""
    s = doc.sent[cue.first]
    floor = max(doc.sent_first[s], cue.first - 8)
    i = cue.first
    while i > floor:
        w = doc.words[i - 1]
        if used[i - 1] or w in _LEFT_STOP or w in QUOTES or w.lower() in _SUBORDINATORS:
            break
        i -= 1
    while i < cue.first and doc.words[i].lower() in ("however", "but", "and", "yet", "also"):
        i += 1
    if i >= cue.first or (
        i > doc.sent_first[s] and i == floor and doc.words[i - 1] not in _LEFT_STOP
    ):
        return None
    return _Piece("S", i, cue.first)


def _fallback_content(doc: Doc, g: _Group, used: bytearray) -> _Piece | None:
    """Content for a cue the tagger left without one: the rest of its sentence, untagged words only."""
    cue = g.cue
    assert cue is not None
    s = doc.sent[cue.first]
    first_tok = doc.sent_first[s]
    end_tok = doc.sent_first[s + 1] if s + 1 < len(doc.sent_first) else len(doc.words)
    # after the cue (and after its source when that follows: "According to X, ...")
    i = cue.last
    if g.source is not None and g.source.first >= cue.last:
        i = g.source.last
    j = i
    while j < end_tok and not used[j]:
        j += 1
    after = _trim(doc, _Piece("T", i, j)) if j > i else None
    if after is not None:
        while after.last > after.first and doc.words[after.last - 1] in ".?!":
            after.last -= 1
        if after.last - after.first >= 3:
            return after
    # before the source and cue: "..., a source said."
    head = g.source.first if g.source is not None and g.source.last <= cue.first else cue.first
    j = head
    i = j
    while i > first_tok and not used[i - 1]:
        i -= 1
    before = _trim(doc, _Piece("T", i, j)) if j > i else None
    if before is not None and before.last - before.first >= 3:
        return before
    return None


def _shared_content(
    doc: Doc, g: _Group, content_by_sentence: dict[int, list[_Piece]]
) -> _Piece | None:
    """The nearest content piece of the cue's sentence, though another cue took it."""
    cue = g.cue
    assert cue is not None
    near = [
        x
        for s in range(doc.sent[cue.first], doc.sent[cue.last - 1] + 1)
        for x in content_by_sentence.get(s, ())
        if g.source is None or x.last <= g.source.first or x.first >= g.source.last
    ]
    if not near:
        return None
    return min(near, key=lambda x: (_gap(cue, x) + (0.0 if cue.first < x.first else 0.5), x.first))


def _quote_type(doc: Doc, content: list[_Piece], facts: _Facts | None = None) -> QuoteType:
    inside = outside = 0
    if facts is not None:
        words, quoted = facts.words_before, facts.quoted_before
        for piece in content:
            q = quoted[piece.last] - quoted[piece.first]
            inside += q
            outside += words[piece.last] - words[piece.first] - q
        content = []
    for piece in content:
        for i in range(piece.first, piece.last):
            w = doc.words[i]
            if w in QUOTES or not w[0].isalnum():
                continue
            if doc.inq[i]:
                inside += 1
            else:
                outside += 1
    if inside and not outside:
        return QuoteType.DIRECT
    if inside:
        return QuoteType.MIXED
    return QuoteType.INDIRECT


def _lower(doc: Doc, first: int, last: int) -> list[str]:
    return [w.lower() for w in doc.words[first:last]]


def _negated(doc: Doc, group: _Group, facts: _Facts | None = None) -> bool:
    """A negation inside the cue or in the few words right before it ("did not say")."""
    cue = group.cue
    if cue is None:
        return False
    start = cue.first
    floor = doc.sent_first[doc.sent[cue.first]]
    if group.source is not None and group.source.last <= cue.first:
        floor = max(floor, group.source.last)
    start = max(floor, cue.first - 4)
    if facts is not None:
        flags = facts.flags
        if not _bits(flags, cue.first, cue.last) & _NEGATABLE:
            return False
        if _bits(flags, start, cue.last) & _NEGATION:
            return True
        words = doc.words
        return any(
            words[i].lower() == "t"
            and words[i - 1].lower() in ("'", "’")
            and words[i - 2].lower().endswith("n")
            for i in range(start + 2, cue.last)
        )
    negatable = lexicon.negatable()
    if not any(negatable.word(w) for w in _lower(doc, cue.first, cue.last)):
        return False
    words = _lower(doc, start, cue.last)
    neg = lexicon.negations()
    for k, w in enumerate(words):
        if neg.word(w):
            return True
        if w == "t" and k >= 2 and words[k - 1] in ("'", "’") and words[k - 2].endswith("n"):
            return True
    return False


def _bits(flags: list[int], first: int, last: int) -> int:
    """The flags of tokens [first, last) or-ed together: ``_bits(...) & BIT`` is
    ``any(flags[i] & BIT for i in range(first, last))`` without a generator."""
    found: int = reduce(or_, flags[first:last], 0)
    return found


def _stance(doc: Doc, group: _Group, facts: _Facts | None = None) -> Stance:
    if group.cue is not None:
        if facts is not None:
            if _bits(facts.flags, group.cue.first, group.cue.last) & _DENIAL:
                return Stance.DENIES
        else:
            den = lexicon.denials()
            if any(den.word(w) for w in _lower(doc, group.cue.first, group.cue.last)):
                return Stance.DENIES
    if _negated(doc, group, facts):
        return Stance.DENIES
    return Stance.ASSERTS


def _hedges(doc: Doc, group: _Group, facts: _Facts | None = None) -> tuple[str, ...]:
    """The hedge words of the cue and the content, lower-cased, in order, once each."""
    found: list[str] = []
    if group.cue is not None:
        for h in _hedges_in(doc, group.cue.first, group.cue.last, facts):
            if h != "reported":  # "The Journal reported" is no hedge; "its reported move" is
                found.append(h)
    for piece in group.content:
        found.extend(_hedges_in(doc, piece.first, piece.last, facts))
    return tuple(dict.fromkeys(found))


def _hedges_in(doc: Doc, first: int, last: int, facts: _Facts | None) -> list[str]:
    """The hedges of tokens [first, last): what the hedge regex finds in their text."""
    finder = _hedge_finder()
    if facts is not None and finder is not None:
        unsafe = facts.unsafe_at
        k = bisect.bisect_left(unsafe, first)
        if k == len(unsafe) or unsafe[k] >= last:
            return finder.find(doc.words, facts.hedge_at, first, last)
    rx = lexicon.hedges_regex()
    return [
        " ".join(m.group().lower().split())
        for m in rx.finditer(doc.text, doc.starts[first], doc.ends[last - 1])
    ]


# Spans and claims are built without pydantic validation: every value is known valid here
# (offsets of the tokeniser, first < last, text cut from the document by those offsets, so
# ``span.text == document[start:end]`` holds by construction; enums and a clamped confidence).
# ``_fast`` does what ``model_construct`` does for these two plain models (every field given,
# in declaration order; no aliases, no extras, no private attributes, no post-init) without
# its per-field loop; where that would not hold it is ``model_construct`` itself.
_setattr = object.__setattr__


def _plain(cls: Any) -> bool:
    return (
        not getattr(cls, "__pydantic_post_init__", None)
        and not getattr(cls, "__pydantic_root_model__", False)
        and cls.model_config.get("extra") != "allow"
        and all(f.alias is None and f.validation_alias is None for f in cls.model_fields.values())
        and not cls.__private_attributes__
    )


_SPAN_FIELDS = ("text", "start", "end")
_CLAIM_FIELDS = (
    "source", "cue", "content", "content_spans", "stance", "hedged", "hedges", "quote",
    "confidence", "extractor", "extractor_version",
)  # fmt: skip
_FAST_SPAN = _plain(Span) and tuple(Span.model_fields) == _SPAN_FIELDS
_FAST_CLAIM = _plain(Claim) and tuple(Claim.model_fields) == _CLAIM_FIELDS


def _setter(cls: Any, name: str) -> Callable[[Any, Any], None]:
    """What ``object.__setattr__(m, name, value)`` does for an instance ``m`` of ``cls``,
    without looking ``name`` up each time: the data descriptor (a slot, or ``__dict__``)
    it finds first in the class's MRO; else ``object.__setattr__`` itself."""
    for klass in cls.__mro__:
        found = vars(klass).get(name)
        if found is not None:
            if hasattr(found, "__set__"):
                setter: Callable[[Any, Any], None] = found.__set__
                return setter
            break
    return lambda m, value: _setattr(m, name, value)


# looked up once (each lookup on a pydantic model class costs more than the call itself)
_SLOTS = ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")
_SPAN_NEW, _CLAIM_NEW = Span.__new__, Claim.__new__
_SPAN_SET = tuple(_setter(Span, name) for name in _SLOTS)
_CLAIM_SET = tuple(_setter(Claim, name) for name in _SLOTS)


def _new_span(text: str, start: int, end: int) -> Span:
    if not _FAST_SPAN:
        return Span.model_construct(text=text, start=start, end=end)
    m = _SPAN_NEW(Span)
    set_dict, set_fields, set_extra, set_private = _SPAN_SET
    set_dict(m, {"text": text, "start": start, "end": end})
    set_fields(m, {"text", "start", "end"})
    set_extra(m, None)
    set_private(m, None)
    return m


def _new_claim(**values: Any) -> Claim:
    if not _FAST_CLAIM:
        return Claim.model_construct(**values)
    m = _CLAIM_NEW(Claim)
    set_dict, set_fields, set_extra, set_private = _CLAIM_SET
    set_dict(m, {k: values[k] for k in _CLAIM_FIELDS})
    set_fields(m, set(_CLAIM_FIELDS))
    set_extra(m, None)
    set_private(m, None)
    return m


def _span_at(text: str, start: int, end: int) -> Span:
    return _new_span(text=text[start:end], start=start, end=end)


def _span(doc: Doc, first: int, last: int) -> Span:
    start, end = doc.starts[first], doc.ends[last - 1]
    return _new_span(doc.text[start:end], start, end)


def _claim(
    doc: Doc, group: _Group, hedges: tuple[str, ...] | None = None, facts: _Facts | None = None
) -> Claim:
    content = group.content
    if len(content) > 1:
        content = sorted(content, key=lambda p: p.first)
    pieces = tuple([_span(doc, p.first, p.last) for p in content])
    # one piece: it is the cover (a span is immutable)
    cover = pieces[0] if len(pieces) == 1 else _span_at(doc.text, pieces[0].start, pieces[-1].end)
    found = _hedges(doc, group, facts) if hedges is None else hedges
    source, cue = group.source, group.cue
    return _new_claim(
        source=_span(doc, source.first, source.last) if source else None,
        cue=_span(doc, cue.first, cue.last) if cue else None,
        content=cover,
        content_spans=pieces if len(pieces) > 1 else (),
        stance=_stance(doc, group, facts),
        hedged=bool(found),
        hedges=found,
        quote=_quote_type(doc, content, facts),
        confidence=round(max(0.0, min(1.0, group.confidence)), 3),
        extractor=EXTRACTOR_NAME,
        extractor_version=EXTRACTOR_VERSION,
    )


def _impersonal(doc: Doc, taken: set[int], words_at: list[int] | None = None) -> list[_Group]:
    """Claims attributed to nobody: "Moscow is reportedly involved in ..." (cue: the adverb).

    ``words_at``: the tokens that are words of the list, when the tagger has found them (a
    list without phrases finds exactly those tokens by its regex).
    """
    words = doc.words
    imp = lexicon.impersonal()
    out: list[_Group] = []
    n = len(words)
    if words_at is not None and not imp.phrases:
        hits = words_at
    else:
        hits = [
            bisect.bisect_left(doc.starts, m.start())
            for m in lexicon.impersonal_regex().finditer(doc.text)
        ]
    for k in hits:
        if k >= n or doc.starts[k] >= len(doc.text) or k in taken or not imp.word(words[k].lower()):
            continue
        s = doc.sent[k]
        st = doc.sent_first[s]
        en = doc.sent_first[s + 1] if s + 1 < len(doc.sent_first) else n
        first = k
        while first > st:
            w = words[first - 1]
            if w in _LEFT_STOP or w in OPEN_QUOTES or w.lower() in _SUBORDINATORS:
                break
            first -= 1
        last = k + 1
        while last < en:
            w = words[last]
            if w in (";", "—", "–", ")") or w in CLOSE_QUOTES or w in STRAIGHT_QUOTES:
                break
            if w == "," and last + 1 < en and words[last + 1].lower() in _RIGHT_STOP_AFTER_COMMA:
                break
            last += 1
        while last > k + 1 and (words[last - 1] in ".?!," or words[last - 1] in _EDGE_PUNCT):
            last -= 1
        if first == k and last == k + 1:
            continue  # a bare adverb: nothing to attribute
        cue = _Piece("C", k, k + 1)
        out.append(_Group(cue, None, [_Piece("T", first, last)], confidence=0.8))
    return out


_IMPERSONAL_AUX = frozenset(["is", "are", "was", "were", "has", "have", "had", "been", "be"])


def _impersonal_cue(words: list[str], p: _Piece) -> bool:
    """A cue of one impersonal adverb ("reportedly"), maybe after auxiliaries ("has reportedly")."""
    if p.last - p.first > 3 or not lexicon.impersonal().word(words[p.last - 1].lower()):
        return False
    return all(w.lower() in _IMPERSONAL_AUX for w in words[p.first : p.last - 1])


def extract_claims(text: str) -> list[Claim]:
    """Every attributed claim in ``text``, in document order."""
    return extract_many([text])[0]


def extract_many(texts: Sequence[str]) -> list[list[Claim]]:
    """``extract_claims`` of each text, in order: the same claims, faster for many texts
    (the tagger decodes several documents' blocks in one pass)."""
    from claimtrack.extract.tagger import BATCH_TOKENS

    out: list[list[Claim]] = []
    docs: list[Doc | None] = []  # analysed, not yet tagged (None: no words)
    size = 0
    for k, text in enumerate(texts):
        doc = _analysed(text)
        docs.append(doc)
        size += 0 if doc is None else len(doc.words)
        if size >= BATCH_TOKENS or k == len(texts) - 1:  # a pass's worth, or the last text
            ready = [d for d in docs if d is not None]
            tagged = iter(_tag_many(ready) if ready else ())
            out.extend([] if d is None else _claims(d, *next(tagged)) for d in docs)
            docs, size = [], 0
    return out


def _analysed(text: str) -> Doc | None:
    """The analysed text, or None when it has no words (no claims)."""
    if not isinstance(text, str) or not text.strip():
        return None
    doc = analyse(text)
    return doc if doc.words else None


def _claims(
    doc: Doc,
    pieces: list[_Piece],
    conf: dict[int, float],
    impersonal: list[int] | None,
    facts: _Facts | None = None,
) -> list[Claim]:
    """The claims of a tagged document, in document order."""
    groups = _group(doc, pieces, conf)
    # impersonal adverbs are the rule layer's: no source, the whole clause as content
    # (a tagged cue of an impersonal adverb and auxiliaries, "is reportedly", is the rule's too)
    words = doc.words
    taken = {
        i
        for p in pieces
        if p.role == "C" and not _impersonal_cue(words, p)
        for i in range(p.first, p.last)
    }
    rule_groups = _impersonal(doc, taken, impersonal)
    ruled = {g.cue.first for g in rule_groups if g.cue is not None}
    claims = [
        _claim(doc, g, facts=facts)
        for g in groups
        if g.cue is None or not any(i in ruled for i in range(g.cue.first, g.cue.last))
    ]
    for g in rule_groups:
        claims.append(_claim(doc, g, facts=facts))
    claims.sort(key=lambda c: (c.cue.start if c.cue else c.content.start, c.content.start))
    return claims


def _span_dict(span: Span | None) -> dict[str, Any] | None:
    return None if span is None else {"text": span.text, "start": span.start, "end": span.end}


def to_contract(claim: Claim, document: str, speaker: Speaker | None = None) -> dict[str, Any]:
    """One line of the `claimtrack extract --format jsonl` contract."""
    row: dict[str, Any] = {
        "document": document,
        "source": _span_dict(claim.source),
        "cue": _span_dict(claim.cue),
        "content": _span_dict(claim.content),
        "speaker": speaker.name if speaker and speaker.named else None,
        "source_kind": speaker.kind.value if speaker else "unknown",
        "stance": claim.stance.value,
        "hedged": claim.hedged,
        "quote": claim.quote.value,
    }
    if claim.content_spans:
        row["content_spans"] = [_span_dict(s) for s in claim.content_spans]
    return row
