"""Token features for the attribution tagger (shared by training and tagging).

Every feature is a plain string (crfsuite binary features). Besides the usual
lexical window, a token sees the attribution context of its sentence: the
nearest likely cue word on either side and how far it is, whether it sits in
a quotation and what words stand right outside that quotation ("...," he
said), and where it is in its sentence and line.
"""

from __future__ import annotations

from collections.abc import Mapping

from claimtrack.extract.text import CLOSE_QUOTES, OPEN_QUOTES, QUOTES, STRAIGHT_QUOTES, Block, Doc

CUE_MIN = 0.1  # a word whose cue probability reaches this counts as a likely cue
CUE_STRONG = 0.4  # ... and as a strong one
# closed-class words are often inside long cues ("called for", "has said") but never its heart
STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "from",
        "by",
        "with",
        "about",
        "as",
        "into",
        "over",
        "after",
        "before",
        "than",
        "that",
        "this",
        "these",
        "those",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "and",
        "or",
        "but",
        "not",
        "no",
        "so",
        "if",
        "it",
        "its",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "our",
        "my",
        "your",
        "him",
        "them",
        "us",
        "me",
        "who",
        "whom",
        "which",
        "what",
        "when",
        "where",
        "why",
        "how",
        "also",
        "just",
        "very",
        "more",
        "most",
    ]
)


def _stem(w: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(w) > len(suffix) + 2 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


def _shape(w: str) -> str:
    c = w[0]
    if c.isdigit():
        return "d"
    if not c.isalpha() and c != "_":
        return c if c in QUOTES or c in ",.:;?!-—–()'’‘" else "p"
    if w.isupper():
        return "X" if len(w) == 1 else "XX"
    if c.isupper():
        return "Xx"
    return "x"


def _bucket(d: int) -> str:
    if d <= 3:
        return str(d)
    if d <= 6:
        return "4-6"
    if d <= 10:
        return "7-10"
    if d <= 20:
        return "11-20"
    return "21+"


def _prob_bucket(p: float) -> str:
    if p < 0.02:
        return "0"
    if p < 0.1:
        return "1"
    if p < 0.3:
        return "2"
    if p < 0.6:
        return "3"
    return "4"


def block_features(doc: Doc, block: Block, cue_prob: Mapping[str, float]) -> list[list[str]]:
    """The feature lists of the tokens of ``block`` (in order)."""
    a, b = block.first, block.last
    n = b - a
    words = doc.words
    raw = words[a:b]
    if not doc.clean_words:
        raw = [w.encode("utf-8", "replace").decode("utf-8") for w in raw]
    lows = [w.lower() for w in raw]
    shapes = [_shape(w) for w in raw]
    sent = doc.sent[a:b]
    inq = doc.inq[a:b]
    probs = [cue_prob.get(w, 0.0) for w in lows]
    likely = [p >= CUE_MIN and w not in STOP for p, w in zip(probs, lows, strict=True)]
    strong = [p >= CUE_STRONG and w not in STOP for p, w in zip(probs, lows, strict=True)]

    # nearest likely cue word on each side within the sentence
    left_cue = [-1] * n
    last = -1
    for i in range(n):
        if i and sent[i] != sent[i - 1]:
            last = -1
        left_cue[i] = last
        if likely[i]:
            last = i
    right_cue = [-1] * n
    nxt = -1
    for i in range(n - 1, -1, -1):
        if i < n - 1 and sent[i] != sent[i + 1]:
            nxt = -1
        right_cue[i] = nxt
        if likely[i]:
            nxt = i

    left_strong = [-1] * n
    last = -1
    for i in range(n):
        if i and sent[i] != sent[i - 1]:
            last = -1
        left_strong[i] = last
        if strong[i]:
            last = i
    right_strong = [-1] * n
    nxt = -1
    for i in range(n - 1, -1, -1):
        if i < n - 1 and sent[i] != sent[i + 1]:
            nxt = -1
        right_strong[i] = nxt
        if strong[i]:
            nxt = i

    # sentence facts
    sent_has_cue: dict[int, bool] = {}
    sent_has_quote: dict[int, bool] = {}
    sent_start: dict[int, int] = {}
    sent_end: dict[int, int] = {}
    for i in range(n):
        s = sent[i]
        if s not in sent_start:
            sent_start[s] = i
        sent_end[s] = i
        if likely[i]:
            sent_has_cue[s] = True
        if inq[i]:
            sent_has_quote[s] = True
    # the last two words of each sentence (before its final punctuation): "..., Warren said."
    tails: dict[int, tuple[str, str]] = {}
    for s, e in sent_end.items():
        k = e
        st = sent_start[s]
        while k > st and shapes[k] in ".?!\"”'’":
            k -= 1
        tails[s] = ("t1=" + lows[k], "t2=" + (lows[k - 1] if k > st else "<s>"))

    # quotation context: the words just before the opening and after the closing mark
    qctx: list[tuple[str, ...]] = [()] * n
    i = 0
    while i < n:
        w = raw[i]
        if w in OPEN_QUOTES or (w in STRAIGHT_QUOTES and i + 1 < n and inq[i + 1]):
            j = i + 1
            while j < n and inq[j]:
                j += 1
            # j is the closing mark (or the end of the block)
            b1 = lows[i - 1] if i >= 1 else "<s>"
            b2 = lows[i - 2] if i >= 2 else "<s>"
            a1 = lows[j + 1] if j + 1 < n else "</s>"
            a2 = lows[j + 2] if j + 2 < n else "</s>"
            before_cue = any(likely[k] for k in range(max(0, i - 4), i))
            after_cue = any(likely[k] for k in range(j + 1, min(n, j + 5)))
            closed = j < n and (raw[j] in CLOSE_QUOTES or raw[j] in STRAIGHT_QUOTES)
            ctx = (
                "qb1=" + b1,
                "qb2=" + b2,
                "qa1=" + a1,
                "qa2=" + a2,
                "qbc=" + str(before_cue),
                "qac=" + str(after_cue),
                "qcl=" + str(closed),
                "qlen=" + _bucket(j - i - 1),
            )
            for k in range(i + 1, j):
                qctx[k] = ctx
            i = j + 1 if j > i else i + 1
            continue
        i += 1

    feats: list[list[str]] = []
    pad = ["<s>", "<s>"] + lows + ["</s>", "</s>"]
    spad = ["<s>", "<s>"] + shapes + ["</s>", "</s>"]
    for i in range(n):
        w = lows[i]
        s = sent[i]
        k = i + 2
        f = [
            "b",
            "w=" + w,
            "s=" + shapes[i],
            "x=" + w[-3:],
            "st=" + _stem(w),
            "p=" + _prob_bucket(probs[i]),
            "w-1=" + pad[k - 1],
            "w+1=" + pad[k + 1],
            "w-2=" + pad[k - 2],
            "w+2=" + pad[k + 2],
            "w-1w=" + pad[k - 1] + "|" + w,
            "ww+1=" + w + "|" + pad[k + 1],
            "s-1=" + spad[k - 1] + "|" + shapes[i],
            "s+1=" + shapes[i] + "|" + spad[k + 1],
            "p-1=" + _prob_bucket(probs[i - 1]) if i else "p-1=<s>",
            "p+1=" + _prob_bucket(probs[i + 1]) if i + 1 < n else "p+1=</s>",
        ]
        if inq[i]:
            f.append("inq")
            f.extend(qctx[i])
        lc = left_cue[i]
        if lc >= 0:
            f.append("Lc=" + lows[lc])
            f.append("Ld=" + _bucket(i - lc))
            f.append("Lp=" + _prob_bucket(probs[lc]))
        else:
            f.append("Lc=none")
        rc = right_cue[i]
        if rc >= 0:
            f.append("Rc=" + lows[rc])
            f.append("Rd=" + _bucket(rc - i))
            f.append("Rp=" + _prob_bucket(probs[rc]))
        else:
            f.append("Rc=none")
        ls = left_strong[i]
        if ls >= 0:
            f.append("L2c=" + lows[ls])
            f.append("L2d=" + _bucket(i - ls))
        rs = right_strong[i]
        if rs >= 0:
            f.append("R2c=" + lows[rs])
            f.append("R2d=" + _bucket(rs - i))
        f.extend(tails[s])
        st = sent_start[s]
        f.append("sp=" + _bucket(i - st))
        f.append("se=" + _bucket(sent_end[s] - i))
        if i == st:
            f.append("sfirst=" + w)
        if s in sent_has_cue:
            f.append("scue")
        if s in sent_has_quote:
            f.append("squote")
        if i == 0:
            f.append("BOB")
        if i == n - 1:
            f.append("EOB")
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
