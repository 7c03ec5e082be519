"""Token features for the attribution tagger, as training sees them.

Every feature is a UTF-8 string (crfsuite binary features), about 17 a token
and 4 more inside a quotation: the word, a crude stem, the words and bigrams
of a +-2 window, the shapes of a +-1 window, the nearest strong cue word on
either side within the sentence (word and distance; cue strength is the word's
share of cue occurrences in PolNeAR train, ``data/cues.tsv``), the sentence's
last word ("..., Warren said."), the cue-share class of the word, of its word
family ("pledged" -> "pledg", ``~pledg`` in cues.tsv) and of its neighbours,
its last three letters, and inside a quotation the words right outside it and
whether a cue word stands next to it ("...," he said).

At run time ``tagger.py`` computes the same features as weight-row numbers
(cached per word form) instead of strings; a test checks that both agree.
"""

from __future__ import annotations

from collections.abc import Mapping

from claimtrack.extract.text import (
    CLOSE_QUOTES,
    MAX_BLOCK,
    OPEN_QUOTES,
    QUOTES,
    STRAIGHT_QUOTES,
    Block,
    Doc,
)

CUE_MIN = 0.1  # a word whose cue share reaches this counts as a likely cue
CUE_STRONG = 0.4  # ... and as a strong one
# closed-class words are often inside long cues ("called for", "has said") but never their heart
STOP = frozenset(
    [
        "a", "an", "the", "to", "of", "in", "on", "at", "for", "from", "by", "with", "about", "as",
        "into", "over", "after", "before", "than", "that", "this", "these", "those", "is", "are",
        "was", "were", "be", "been", "being", "am", "has", "have", "had", "do", "does", "did",
        "will", "would", "shall", "should", "can", "could", "may", "might", "must", "and", "or",
        "but", "not", "no", "so", "if", "it", "its", "he", "she", "they", "we", "i", "you", "his",
        "her", "their", "our", "my", "your", "him", "them", "us", "me", "who", "whom", "which",
        "what", "when", "where", "why", "how", "also", "just", "very", "more", "most",
    ]
)  # fmt: skip

_SHAPE_PUNCT = frozenset(",.:;?!-—–()'’‘") | QUOTES


def _shape(w: str) -> str:
    c = w[0]
    if c.isdigit():
        return "d"
    if not c.isalpha() and c != "_":
        return c if c in _SHAPE_PUNCT else "p"
    if w.isupper():
        return "X" if len(w) == 1 else "XX"
    if c.isupper():
        return "Xx"
    return "x"


STEM_MARK = "~"  # cues.tsv: "~family" lines give a word family's cue share (no token has "~x")
_PROB_EDGES = ((0.85, "6"), (0.5, "5"), (0.3, "4"), (0.15, "3"), (0.05, "2"), (0.0, "1"))


def prob_bucket(p: float) -> str:
    """A cue share as one of 7 classes: 0 = never a cue in train (or unseen)."""
    if p <= 0.0:
        return "0"
    for edge, name in _PROB_EDGES:
        if p >= edge:
            return name
    return "1"


def family(w: str) -> str:
    """A crude word family: "pledge", "pledges", "pledged", "pledging" -> "pledg"."""
    if w[-1:] not in _FAMILY_LAST:  # no suffix ends so (most words): nothing to cut
        return w
    for suffix in ("ing", "ies", "ied", "ed", "es", "s", "e", "y"):
        if len(w) > len(suffix) + 2 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


_FAMILY_LAST = frozenset("gsdey")  # the last letters of family's suffixes
_STEM_LAST = frozenset("gds")  # ... of _stem's


def _stem(w: str) -> str:
    if w[-1:] not in _STEM_LAST:
        return w
    for suffix in ("ing", "ed", "es", "s"):
        if len(w) > len(suffix) + 2 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


_BUCKETS = ["0", "1", "2", "3", "4-6", "4-6", "4-6", "7-10", "7-10", "7-10", "7-10"]


def _bucket_of(d: int) -> str:
    if d <= 10:
        return _BUCKETS[d]
    return "11-20" if d <= 20 else "21+"


_BUCKET_TABLE = [_bucket_of(d) for d in range(MAX_BLOCK + 1)]


_TAIL_SKIP_STR = frozenset(".?!\"”'’")
_TAIL_SKIP = frozenset(x.encode("utf-8") for x in _TAIL_SKIP_STR)


class _Word:
    """What a word contributes wherever it appears (cached per surface form, as UTF-8)."""

    __slots__ = (
        "low", "b", "shape", "likely", "strong", "w", "st", "wm1", "wp1", "wm2", "wp2",
        "cp", "kp", "s3", "cpm1", "cpp1",
    )  # fmt: skip

    def __init__(self, word: str, cue_prob: Mapping[str, float]) -> None:
        low = word.lower()
        prob = cue_prob.get(low, 0.0)
        lb = low.encode("utf-8")
        self.low = low
        self.b = lb
        self.shape = _shape(word).encode("utf-8")
        self.likely = prob >= CUE_MIN and low not in STOP
        self.strong = prob >= CUE_STRONG and low not in STOP
        self.w = b"w=" + lb
        self.st = b"st=" + _stem(low).encode("utf-8")
        self.wm1 = b"w-1=" + lb  # as the previous word
        self.wp1 = b"w+1=" + lb  # as the next word
        self.wm2 = b"w-2=" + lb
        self.wp2 = b"w+2=" + lb
        # generalising over words: how often this word, and its word family, is a cue
        cp = prob_bucket(prob).encode("ascii")
        self.cp = b"cp=" + cp
        self.kp = b"kp=" + prob_bucket(cue_prob.get(STEM_MARK + family(low), 0.0)).encode("ascii")
        self.s3 = b"s3=" + lb[-3:]
        self.cpm1 = b"cp-1=" + cp  # as the previous word
        self.cpp1 = b"cp+1=" + cp  # as the next word


_CACHE: dict[str, _Word] = {}
_CACHE_FOR: list[int] = [0]  # id of the lexicon the cache was built with


def _info(words: list[str], cue_prob: Mapping[str, float]) -> list[_Word]:
    if _CACHE_FOR[0] != id(cue_prob) or len(_CACHE) > 200_000:
        _CACHE.clear()
        _CACHE_FOR[0] = id(cue_prob)
    out = []
    get = _CACHE.get
    for w in words:
        info = get(w)
        if info is None:
            info = _CACHE[w] = _Word(w, cue_prob)
        out.append(info)
    return out


_BB = [x.encode("ascii") for x in _BUCKET_TABLE]
_TF = {True: b"T", False: b"F"}


def block_features(doc: Doc, block: Block, cue_prob: Mapping[str, float]) -> list[list[bytes]]:
    """The feature lists (UTF-8 strings) of the tokens of ``block``, in order."""
    a, b = block.first, block.last
    n = b - a
    raw = doc.words[a:b]
    if not doc.clean_words:
        raw = [w.encode("utf-8", "replace").decode("utf-8") for w in raw]
    info = _info(raw, cue_prob)
    lb = [x.b for x in info]
    sent = doc.sent[a:b]
    inq = doc.inq[a:b]

    # the nearest strong cue word on each side within the sentence, with its distance
    left_s: list[bytes] = [b"L=none"] * n
    last_s = -1
    for i in range(n):
        if i and sent[i] != sent[i - 1]:
            last_s = -1
        if last_s >= 0:
            left_s[i] = b"L=" + lb[last_s] + b"|" + _BB[i - last_s]
        if info[i].strong:
            last_s = i
    right_s: list[bytes] = [b"R=none"] * n
    last_s = -1
    for i in range(n - 1, -1, -1):
        if i < n - 1 and sent[i] != sent[i + 1]:
            last_s = -1
        if last_s >= 0:
            right_s[i] = b"R=" + lb[last_s] + b"|" + _BB[last_s - i]
        if info[i].strong:
            last_s = i

    # the last word of each sentence, before its closing punctuation: "..., Warren said."
    tails: list[bytes] = [b""] * n
    e = n - 1
    while e >= 0:
        s = sent[e]
        st = e
        while st > 0 and sent[st - 1] == s:
            st -= 1
        k = e
        while k > st and info[k].shape in _TAIL_SKIP:
            k -= 1
        tails[st : e + 1] = [b"t1=" + lb[k]] * (e + 1 - st)
        e = st - 1

    # quotation context: the words just before the opening and after the closing mark
    qctx: list[tuple[bytes, ...]] = [()] * n
    i = 0
    while i < n:
        w = raw[i]
        if w in OPEN_QUOTES or (w in STRAIGHT_QUOTES and i + 1 < n and inq[i + 1]):
            j = i + 1
            while j < n and inq[j]:
                j += 1
            before_cue = any(info[k].likely for k in range(max(0, i - 4), i))
            after_cue = any(info[k].likely for k in range(j + 1, min(n, j + 5)))
            closed = j < n and (raw[j] in CLOSE_QUOTES or raw[j] in STRAIGHT_QUOTES)
            ctx = (
                b"inq",
                b"qb1=" + (lb[i - 1] if i >= 1 else b"<s>"),
                b"qa1=" + (lb[j + 1] if j + 1 < n else b"</s>"),
                b"qc=" + _TF[before_cue] + _TF[after_cue] + _TF[closed],
            )
            for k in range(i + 1, j):
                qctx[k] = ctx
            i = j + 1 if j > i else i + 1
            continue
        i += 1

    pad = [b"<s>", *lb, b"</s>"]
    spad = [b"<s>", *(x.shape for x in info), b"</s>"]
    wm1 = [b"w-1=<s>", *(x.wm1 for x in info[: n - 1])]
    wp1 = [*(x.wp1 for x in info[1:]), b"w+1=</s>"]
    wm2 = [b"w-2=<s>", b"w-2=<s>", *(x.wm2 for x in info[: max(0, n - 2)])][:n]
    wp2 = [*(x.wp2 for x in info[2:]), b"w+2=</s>", b"w+2=</s>"][:n]
    bim = [b"b-=" + x + b"|" + y for x, y in zip(pad[:n], lb, strict=True)]
    bip = [b"b+=" + x + b"|" + y for x, y in zip(lb, pad[2 : n + 2], strict=True)]
    shp = [b"ss=" + spad[k] + spad[k + 1] + spad[k + 2] for k in range(n)]

    feats: list[list[bytes]] = []
    for i in range(n):
        x = info[i]
        f = [x.w, x.st, wm1[i], wp1[i], wm2[i], wp2[i], bim[i], bip[i], shp[i]]
        f += (left_s[i], right_s[i], tails[i], x.cp, x.kp, x.s3)
        if i:
            f.append(info[i - 1].cpm1)
        if i + 1 < n:
            f.append(info[i + 1].cpp1)
        if inq[i]:
            f.extend(qctx[i])
        feats.append(f)
    return feats


def cue_probabilities(lines: list[str]) -> dict[str, float]:
    """Parse the shipped ``word<TAB>probability`` lexicon."""
    out: dict[str, float] = {}
    for raw in lines:
        raw = raw.rstrip("\n")
        if not raw or raw.startswith("#"):
            continue
        word, _, prob = raw.partition("\t")
        try:
            out[word] = float(prob)
        except ValueError:
            continue
    return out
