"""The attribution tagger at run time: the CRF's weights scored with numpy, no crfsuite.

``bench/train_extractor.py`` trains a linear-chain CRF with python-crfsuite on
the string features of :func:`claimtrack.extract.features.block_features` and
exports its weights to ``data/tagger.npz``: one row of label weights per
feature string, and the label-to-label transitions. Here the same features are
looked up as row numbers (cached per word form, so a document costs a few
vectorised gathers instead of building and hashing ~12 strings a token), the
emission scores are summed with numpy and every block of the document is
decoded at once by a batched Viterbi. The result is the argmax crfsuite's own
tagger computes from the same weights (the weights are stored as float32).

A cue's confidence is the probability of its label at its position with the
neighbouring labels fixed to the decoded ones (a local posterior: cheap, and
it ranks the same way the marginals do in practice).
"""

from __future__ import annotations

import bisect
import io
import re
from collections.abc import Callable, Mapping
from itertools import chain, compress, repeat
from operator import itemgetter
from typing import Any

import numpy as np

from claimtrack.extract.features import (  # the templates training used
    _BUCKET_TABLE,
    _SHAPE_PUNCT,
    _TAIL_SKIP_STR,
    CUE_MIN,
    CUE_STRONG,
    STEM_MARK,
    STOP,
    _shape,
    _stem,
    family,
    prob_bucket,
)
from claimtrack.extract.text import CLOSE_QUOTES, OPEN_QUOTES, STRAIGHT_QUOTES, Doc

CUE_LAYER = "cue:"  # label prefix of the cue-only CRF in tagger.npz (bench/train_extractor.py)

_UNI = (
    "w=", "st=", "w-1=", "w+1=", "w-2=", "w+2=", "t1=", "qb1=", "qa1=",
    "cp=", "kp=", "s3=", "cp-1=", "cp+1=",
)  # fmt: skip

# columns of the per-word table
_W, _ST, _M1, _P1, _M2, _P2, _SHAPE, _STRONG, _TAIL, _QB, _QA, _PAIR, _LIKELY = range(13)
_CP, _KP, _S3, _CPM1, _CPP1 = range(13, 18)
FLAG = 18  # the caller's own per-word flags, an int (``Model.flag_of``)
_NCOL = 19
_NFEAT = 21  # feature rows summed per token


class Model:
    """Exported CRF weights with the lookup tables of every feature template."""

    def __init__(self, raw: bytes, cue_layer: float = 0.0) -> None:
        with np.load(io.BytesIO(raw), allow_pickle=False) as z:
            labels = bytes(z["labels"]).decode("utf-8").split("\n")
            names = _Names(bytes(z["names"]))
            weights = z["weights"]  # float32; widened where it is copied
            self.trans = np.asarray(z["trans"], dtype=np.float64)
        # the source/cue/content labels; then, if trained, the cue layer's ("cue:O", ...)
        self.labels: list[str] = [x for x in labels if not x.startswith(CUE_LAYER)]
        n_labels = len(self.labels)
        self.W = np.empty((len(names) + 1, n_labels))
        self.W[0] = 0.0
        self.W[1:] = weights[:, :n_labels]
        layer = {x[len(CUE_LAYER) :]: k for k, x in enumerate(labels) if x.startswith(CUE_LAYER)}
        if cue_layer and {"O", "B-C", "I-C"} <= layer.keys() and {"B-C", "I-C"} <= set(labels):
            # the cue layer's vote, folded into the cue labels' weights: emissions stay one
            # gather, and a token's B-C score gains cue_layer * (layer B-C - layer O) score
            o = weights[:, layer["O"]].astype(np.float64)
            for lab in ("B-C", "I-C"):
                vote = weights[:, layer[lab]].astype(np.float64) - o
                self.W[1:, labels.index(lab)] += cue_layer * vote
        self.cue_labels = [k for k, lab in enumerate(self.labels) if lab.endswith("-C")]
        self._names = names
        self._row: dict[str, int] | None = None
        # the names are sorted, so each template's names are one run: cut it out by bisection
        # (a bigram's two words are stored split by a tab: "b-=x\ty" is training's "b-=x|y")
        self.uni = {t: names.template(t) for t in _UNI}
        pairs = {t: names.pair_words(t) for t in _PAIRS}
        self.near: dict[str, dict[tuple[str, str], int]] = {
            t: {
                (v.rpartition("|")[0], v.rpartition("|")[2]): r
                for v, r in names.template(t).items()
                if v != "none"
            }
            for t in ("L=", "R=")
        }
        row_of = self.row_of
        # bigrams: both words numbered (lower-cased), a pair coded as a * NV + b, sorted
        pair_words = sorted(
            set(chain.from_iterable(words for words, _ in pairs.values())) | {"<s>", "</s>"}
        )
        self.pair_id = dict(zip(pair_words, range(len(pair_words)), strict=True))
        self.nv = nv = len(pair_words) + 1  # the last id: a word in no bigram
        self.pair_codes: dict[str, _CodeTable] = {}
        for key, (words, rows) in pairs.items():
            ab = np.fromiter(map(self.pair_id.__getitem__, words), np.int64, len(words))
            ab = ab.reshape(-1, 2)
            self.pair_codes[key] = _CodeTable(ab[:, 0] * nv + ab[:, 1], rows)
        shapes = sorted({"<s>", "</s>", "d", "p", "X", "XX", "Xx", "x", *_SHAPE_PUNCT})
        self.shape_id = {s: k for k, s in enumerate(shapes)}
        ns = len(shapes)
        self.ns = ns
        # every (previous, this, next) shape triple, numbered (a * ns + b) * ns + c
        triples = [sa + sb + sc for sa in shapes for sb in shapes for sc in shapes]
        ss = names.template("ss=")
        self.ss_table = np.fromiter(map(ss.get, triples, repeat(0)), np.int64, len(triples))
        self.buckets = sorted(set(_BUCKET_TABLE))
        self.bucket_of = np.array([self.buckets.index(b) for b in _BUCKET_TABLE], dtype=np.int64)
        self.none_row = {"L=": row_of("L=none"), "R=": row_of("R=none")}
        self.pad = {t: self.uni[t].get(p, 0) for t, p in _PADS}
        self.inq_row = row_of("inq")
        self.qc_row = {
            (x, y, z): row_of("qc=" + x + y + z) for x in "TF" for y in "TF" for z in "TF"
        }
        self.qb_start = self.uni["qb1="].get("<s>", 0)
        self.qa_end = self.uni["qa1="].get("</s>", 0)
        self.label_o = self.labels.index("O") if "O" in self.labels else 0
        self.label_bc = self.labels.index("B-C") if "B-C" in self.labels else 0
        self.label_ic = self.labels.index("I-C") if "I-C" in self.labels else 0
        # per label: its role (0 none, 1 source, 2 cue, 3 content) and whether it begins a piece
        roles = {"S": 1, "C": 2, "T": 3}
        self.role_of = np.array([roles.get(x[2:], 0) for x in self.labels], dtype=np.int64)
        self.begins = np.array([x.startswith("B-") for x in self.labels], dtype=bool)
        # the caller's flags of new lower-cased forms, one int each, in order
        self.flag_of: Callable[[list[str], Mapping[str, float]], Any] | None = None
        # word forms seen so far: id -> table row (grown by doubling)
        self.vocab: dict[str, int] = {}
        self.cache_for = 0
        self.tab = np.zeros((1024, _NCOL), dtype=np.int64)
        self.near_l = np.zeros((1024, len(self.buckets)), dtype=np.int64)
        self.near_r = np.zeros((1024, len(self.buckets)), dtype=np.int64)
        # lower-cased forms seen so far: form -> row of the case-independent columns (every
        # column but the shape) and of the nearest-cue rows (zero unless a strong cue word)
        self.by_low: dict[str, int] = {}
        self.low_tab = np.zeros((1024, _NCOL), dtype=np.int64)
        self.low_near_l = np.zeros((1024, len(self.buckets)), dtype=np.int64)
        self.low_near_r = np.zeros((1024, len(self.buckets)), dtype=np.int64)

    def row_of(self, name: str) -> int:
        """The weight row of one feature name (0: not in the model)."""
        return self._names.row_of(name)

    @property
    def row(self) -> dict[str, int]:
        """Training's feature string -> weight row (built on first use; for tests)."""
        if self._row is None:
            self._row = {}
            for k, name in enumerate(self._names.all()):
                if name[:3] in _PAIRS:
                    name = name.replace("\t", "|", 1)
                self._row[name] = k + 1
        return self._row

    def reset(self) -> None:
        self.vocab.clear()
        self.by_low.clear()

    def add(self, words: list[str], cue_prob: Mapping[str, float]) -> None:
        """Number new word forms (in order) and fill their table rows.

        The columns that depend on the lower-cased form alone are computed once per form
        (``_add_lows``), a column at a time; a word form's row is its form's row with the
        shape of the written form.
        """
        k0 = len(self.vocab)
        need = k0 + len(words)
        self.tab, self.near_l, self.near_r = _grown(need, self.tab, self.near_l, self.near_r)
        self.vocab.update(zip(words, range(k0, need), strict=True))
        lows = list(map(str.lower, words))
        by_low = self.by_low
        fresh = [low for low in dict.fromkeys(lows) if low not in by_low]
        if fresh:
            self._add_lows(fresh, cue_prob)
        at = np.fromiter(map(by_low.__getitem__, lows), np.int64, len(lows))
        rows = np.take(self.low_tab, at, axis=0)
        rows[:, _SHAPE] = np.fromiter(
            map(self.shape_id.get, map(_shape, words), repeat(0)), np.int64, len(words)
        )
        self.tab[k0:need] = rows
        self.near_l[k0:need] = np.take(self.low_near_l, at, axis=0)
        self.near_r[k0:need] = np.take(self.low_near_r, at, axis=0)

    def _add_lows(self, lows: list[str], cue_prob: Mapping[str, float]) -> None:
        """Number new lower-cased forms and fill their rows (all but the shape column)."""
        k0 = len(self.by_low)
        need = k0 + len(lows)
        self.low_tab, self.low_near_l, self.low_near_r = _grown(
            need, self.low_tab, self.low_near_l, self.low_near_r
        )
        uni = self.uni
        n = len(lows)
        zero = repeat(0)

        def rows_of(template: str, keys: Any) -> np.ndarray:
            return np.fromiter(map(uni[template].get, keys, zero), np.int64, n)

        probs = list(map(cue_prob.get, lows, repeat(0.0)))
        open_class = [low not in STOP for low in lows]
        strong = [p >= CUE_STRONG and o for p, o in zip(probs, open_class, strict=True)]
        bucket = list(map(prob_bucket, probs))
        family_prob = [cue_prob.get(STEM_MARK + family(low), 0.0) for low in lows]
        block = self.low_tab[k0:need]
        block[:, _W] = rows_of("w=", lows)
        block[:, _ST] = rows_of("st=", map(_stem, lows))
        block[:, _M1] = rows_of("w-1=", lows)
        block[:, _P1] = rows_of("w+1=", lows)
        block[:, _M2] = rows_of("w-2=", lows)
        block[:, _P2] = rows_of("w+2=", lows)
        block[:, _SHAPE] = 0  # per written form
        block[:, _STRONG] = strong
        block[:, _TAIL] = rows_of("t1=", lows)
        block[:, _QB] = rows_of("qb1=", lows)
        block[:, _QA] = rows_of("qa1=", lows)
        block[:, _PAIR] = np.fromiter(map(self.pair_id.get, lows, repeat(self.nv - 1)), np.int64, n)
        block[:, _LIKELY] = [p >= CUE_MIN and o for p, o in zip(probs, open_class, strict=True)]
        block[:, _CP] = rows_of("cp=", bucket)
        block[:, _KP] = rows_of("kp=", map(prob_bucket, family_prob))
        block[:, _S3] = rows_of("s3=", map(_LAST3, lows))
        block[:, _CPM1] = rows_of("cp-1=", bucket)
        block[:, _CPP1] = rows_of("cp+1=", bucket)
        block[:, FLAG] = 0 if self.flag_of is None else self.flag_of(lows, cue_prob)
        near_l = self.low_near_l[k0:need]
        near_r = self.low_near_r[k0:need]
        near_l[:] = 0
        near_r[:] = 0
        nl, nr = self.near["L="], self.near["R="]
        for k in compress(range(n), strong):
            low = lows[k]
            near_l[k] = [nl.get((low, b), 0) for b in self.buckets]
            near_r[k] = [nr.get((low, b), 0) for b in self.buckets]
        self.by_low.update(zip(lows, range(k0, need), strict=True))


_LAST3 = itemgetter(slice(-3, None))


def _grown(need: int, *tables: np.ndarray) -> tuple[np.ndarray, ...]:
    """``tables`` (of as many rows each) with zero rows added, doubling, until they hold
    ``need`` rows."""
    while need > tables[0].shape[0]:
        tables = tuple(np.concatenate([t, np.zeros_like(t)]) for t in tables)
    return tables


_PADS = (("w-1=", "<s>"), ("w+1=", "</s>"), ("w-2=", "<s>"), ("w+2=", "</s>"))


_PAIRS = ("b-=", "b+=")


class _Names:
    """The model's feature names, sorted, as stored: UTF-8, one buffer, split by newlines.

    Nothing is decoded name by name: a template's names are one run of the sorted buffer
    (found by bisection over the names' byte offsets; UTF-8 bytes sort as the code points
    do), decoded at once with its prefix cut from every name by one ``bytes.replace``.
    The strings and rows are those of splitting the whole decoded buffer and slicing each
    name (``_template_of_list``, kept for the tests).
    """

    def __init__(self, buf: bytes) -> None:
        self.buf = buf
        breaks = np.flatnonzero(np.frombuffer(buf, dtype=np.uint8) == 10)
        self.starts = np.empty(len(breaks) + 1, dtype=np.int64)
        self.starts[0] = 0
        self.starts[1:] = breaks + 1
        self.ends = np.empty(len(breaks) + 1, dtype=np.int64)
        self.ends[:-1] = breaks
        self.ends[-1] = len(buf)
        self.n = len(self.starts)

    def __len__(self) -> int:
        return self.n

    def _bytes_at(self, k: int) -> bytes:
        return self.buf[self.starts[k] : self.ends[k]]

    def _bisect(self, key: bytes, lo: int = 0) -> int:
        return bisect.bisect_left(range(self.n), key, lo, key=self._bytes_at)

    def row_of(self, name: str) -> int:
        """The weight row of one name (its index + 1; 0: not a name)."""
        key = name.encode("utf-8", "surrogatepass")
        k = self._bisect(key)
        return k + 1 if k < self.n and self._bytes_at(k) == key else 0

    def run(self, prefix: str) -> tuple[int, int]:
        """Where the names starting with ``prefix`` are: [lo, hi)."""
        lo = self._bisect(prefix.encode("utf-8"))
        hi = self._bisect((prefix[:-1] + chr(ord(prefix[-1]) + 1)).encode("utf-8"), lo)
        return lo, hi

    def _cut(self, prefix: str, sep: bytes) -> tuple[list[str], int, int]:
        """The names of ``prefix``'s run without it, joined by ``sep`` and split at ``sep``
        (a tab also splits each bigram into its words), and the run."""
        lo, hi = self.run(prefix)
        if lo == hi:
            return [], lo, hi
        head = prefix.encode("utf-8")
        region = self.buf[self.starts[lo] : self.ends[hi - 1]]
        joined = region.replace(b"\n" + head, sep)[len(head) :].decode("utf-8")
        return joined.split(sep.decode("ascii")), lo, hi

    def template(self, prefix: str) -> dict[str, int]:
        """The names starting with ``prefix``, without it, with their weight rows."""
        keys, lo, hi = self._cut(prefix, b"\n")
        return dict(zip(keys, range(lo + 1, hi + 1), strict=True))

    def pair_words(self, prefix: str) -> tuple[list[str], np.ndarray]:
        """A bigram template's words (x, y, x, y, ... in name order) and the names' rows.

        Each name is the prefix, x, a tab and y (tokens never hold white space): the run
        with every name's prefix turned into a tab is split at tabs once.
        """
        words, lo, hi = self._cut(prefix, b"\t")
        if len(words) != 2 * (hi - lo):  # a word with a tab of its own: split each name once
            names, lo, hi = self._cut(prefix, b"\n")
            words = [w for name in names for w in name.split("\t", 1)]
        return words, np.arange(lo + 1, hi + 1, dtype=np.int64)

    def all(self) -> list[str]:
        """Every name, in order."""
        return self.buf.decode("utf-8").split("\n")


def _template_of_list(names: list[str], prefix: str) -> dict[str, int]:
    """``_Names.template`` over the names as a list of strings (the reference of the tests)."""
    lo = bisect.bisect_left(names, prefix)
    hi = bisect.bisect_left(names, prefix[:-1] + chr(ord(prefix[-1]) + 1), lo)
    cut = len(prefix)
    return dict(zip([name[cut:] for name in names[lo:hi]], range(lo + 1, hi + 1), strict=True))


def split_pair(value: str) -> tuple[str, str] | None:
    """``x|y`` back into its two words (either may itself be "|")."""
    for k in range(len(value)):
        if value[k] != "|":
            continue
        x, y = value[:k], value[k + 1 :]
        if x and y and _word_like(x) and _word_like(y):
            return (x, y)
    return None


def _word_like(w: str) -> bool:
    return w in ("<s>", "</s>") or len(w) == 1 or all(c.isalnum() or c == "_" for c in w)


def load(raw: bytes, cue_layer: float = 0.0) -> Model:
    """The tagger of ``tagger.npz``; ``cue_layer``: the weight of the cue layer's vote."""
    return Model(raw, cue_layer)


def _pair_rows(model: Model, key: str, codes: np.ndarray) -> np.ndarray:
    return model.pair_codes[key].get(codes)


def _first_of_each(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_index=True)``: the distinct values, sorted, and where each
    first occurs; without ``np.unique``, whose first call imports ``numpy.ma`` (~10 ms of a
    ``claimtrack extract`` process)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    return ordered[first], order[first]


class _CodeTable:
    """Distinct non-negative int64 keys -> rows, looked up many keys at a time (a key not in
    the table: row 0). Open addressing with linear probing, at most a quarter full; each
    round of a lookup probes one slot for every key still unresolved, so a lookup costs a
    few vectorised rounds (a binary search costs ~16 dependent reads a key)."""

    _MULT = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of key * this

    def __init__(self, keys: np.ndarray, rows: np.ndarray) -> None:
        bits = max(4, (4 * len(keys)).bit_length())
        size = 1 << bits
        self.shift = np.uint64(64 - bits)
        self.mask = size - 1
        self.keys = np.full(size, -1, dtype=np.int64)
        self.rows = np.zeros(size, dtype=np.int64)
        slot = self._home(keys)
        todo = np.arange(len(keys))
        while todo.size:
            at = slot[todo]
            free = self.keys[at] == -1
            # one key for each free slot (the first asking), the others probe the next slot
            won, first = _first_of_each(at[free])
            placed = todo[free][first]
            self.keys[won] = keys[placed]
            self.rows[won] = rows[placed]
            left = np.ones(len(keys), dtype=bool)
            left[placed] = False
            todo = todo[left[todo]]
            slot[todo] = (slot[todo] + 1) & self.mask

    def _home(self, keys: np.ndarray) -> np.ndarray:
        home: np.ndarray = ((keys.astype(np.uint64) * self._MULT) >> self.shift).astype(np.int64)
        return home

    def get(self, keys: np.ndarray) -> np.ndarray:
        """The row of each key (0: not in the table)."""
        out = np.zeros(len(keys), dtype=np.int64)
        slot = self._home(keys)
        todo = np.arange(len(keys))
        while todo.size:
            at = slot[todo]
            found = np.take(self.keys, at)
            hit = found == keys[todo]
            out[todo[hit]] = np.take(self.rows, at[hit])
            go = ~hit & (found != -1)  # another key's slot: probe on; an empty one: absent
            todo = todo[go]
            slot[todo] = (at[go] + 1) & self.mask
        return out


def _neighbours(
    ids: np.ndarray, bfirst: np.ndarray, blast: np.ndarray, start_pad: int, end_pad: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each token's previous and next id, with the pads at block edges."""
    n = len(ids)
    prev = np.empty(n, dtype=np.int64)
    prev[1:] = ids[:-1]
    prev[bfirst] = start_pad
    nxt = np.empty(n, dtype=np.int64)
    nxt[:-1] = ids[1:]
    nxt[blast] = end_pad
    return prev, nxt


def emissions(
    model: Model, doc: Doc, cue_prob: Mapping[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Per token label scores (tokens x labels) for the whole document, and the word ids."""
    raw = doc.words
    if not doc.clean_words:
        raw = [w.encode("utf-8", "replace").decode("utf-8") for w in raw]
    return _emissions(
        model,
        cue_prob,
        raw,
        [b.first for b in doc.blocks],
        [b.last - 1 for b in doc.blocks],
        doc.sent,
        doc.inq,
        lambda: _marks(doc, 0),
    )


def emissions_many(
    model: Model, docs: list[Doc], cue_prob: Mapping[str, float]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``emissions`` of each document, computed in one pass over all their tokens.

    Every feature is read within a block (neighbours, bigrams and shapes padded at block
    edges; nearest cues and the unit's last word within a sentence of a block; quotation
    rows per block), and the documents' blocks are kept apart, so each document's rows
    are those ``emissions`` gives it alone (the same weight rows summed in the same order);
    numpy's per-call cost is paid once for all of them. The word ids are the model's word
    table rows (new words are numbered in order of first appearance, as one by one).
    """
    if len(docs) == 1:
        return [emissions(model, docs[0], cue_prob)]
    raw: list[str] = []
    firsts: list[int] = []
    lasts: list[int] = []
    sent: list[int] = []
    inq: list[bool] = []
    quoted: list[tuple[Doc, int]] = []
    offset = sent_offset = 0
    for doc in docs:
        if doc.clean_words:
            raw.extend(doc.words)
        else:
            raw.extend(w.encode("utf-8", "replace").decode("utf-8") for w in doc.words)
        firsts.extend(b.first + offset for b in doc.blocks)
        lasts.extend(b.last - 1 + offset for b in doc.blocks)
        if sent_offset:
            sent.extend([s + sent_offset for s in doc.sent])
        else:
            sent.extend(doc.sent)
        inq.extend(doc.inq)
        if True in doc.inq:
            quoted.append((doc, offset))
        offset += len(doc.words)
        sent_offset += len(doc.sent_first)

    def marks() -> list[int]:
        return [k for doc, at in quoted for k in _marks(doc, at)]

    scores, ids = _emissions(model, cue_prob, raw, firsts, lasts, sent, inq, marks)
    out = []
    offset = 0
    for doc in docs:
        n = len(doc.words)
        out.append((scores[offset : offset + n], ids[offset : offset + n]))
        offset += n
    return out


def _marks(doc: Doc, offset: int) -> list[int]:
    """The tokens (plus ``offset``) that are opening or straight quote marks, in order."""
    starts = doc.starts
    return [offset + bisect.bisect_left(starts, m.start()) for m in _MARK_RE.finditer(doc.text)]


def _emissions(
    model: Model,
    cue_prob: Mapping[str, float],
    raw: list[str],
    bf: list[int],
    bl: list[int],
    sent_ids: list[int],
    inq: list[bool],
    marks_of: Callable[[], list[int]],
) -> tuple[np.ndarray, np.ndarray]:
    """The emission scores of tokens ``raw`` in blocks [bf[k], bl[k]] (last included), with
    their sentence ids, quotation state and (asked only if some token is quoted) the
    opening and straight quote marks' token indices."""
    n = len(raw)
    if model.cache_for != id(cue_prob) or len(model.vocab) > 500_000:
        model.reset()
        model.cache_for = id(cue_prob)
    ids = np.fromiter(map(model.vocab.get, raw, repeat(-1)), np.int64, n)
    if ids.min(initial=0) < 0:
        # new word forms, numbered in order of first appearance
        missing = np.flatnonzero(ids < 0).tolist()
        new = [raw[k] for k in missing]
        model.add(list(dict.fromkeys(new)), cue_prob)
        ids[missing] = list(map(model.vocab.__getitem__, new))
    tab = np.take(model.tab, ids, axis=0)  # np.take: several times faster than fancy indexing

    # block edges and units (a sentence inside a block)
    bfirst = np.zeros(n, dtype=bool)
    blast = np.zeros(n, dtype=bool)
    bfirst[bf] = True
    blast[bl] = True
    sent = np.asarray(sent_ids, dtype=np.int64)
    change = sent[1:] != sent[:-1]
    ufirst = bfirst.copy()
    ufirst[1:] |= change
    ulast = blast.copy()
    ulast[:-1] |= change

    pos = np.arange(n)
    bstart = np.maximum.accumulate(np.where(bfirst, pos, 0))
    bend = np.minimum.accumulate(np.where(blast, pos, n - 1)[::-1])[::-1]
    from_start = pos - bstart
    to_end = bend - pos

    cols = np.zeros((_NFEAT, n), dtype=np.int64)
    cols[0] = tab[:, _W]
    cols[1] = tab[:, _ST]
    m1 = cols[2]
    m1[1:] = tab[:-1, _M1]
    m1[from_start < 1] = model.pad["w-1="]
    p1 = cols[3]
    p1[:-1] = tab[1:, _P1]
    p1[to_end < 1] = model.pad["w+1="]
    m2 = cols[4]
    m2[2:] = tab[:-2, _M2]
    m2[from_start < 2] = model.pad["w-2="]
    p2 = cols[5]
    p2[:-2] = tab[2:, _P2]
    p2[to_end < 2] = model.pad["w+2="]

    # bigrams with the previous and the next word ("<s>" / "</s>" at block edges)
    nv = model.nv
    pid = tab[:, _PAIR]
    prev, nxt = _neighbours(pid, bfirst, blast, model.pair_id["<s>"], model.pair_id["</s>"])
    cols[6] = _pair_rows(model, "b-=", prev * nv + pid)
    cols[7] = _pair_rows(model, "b+=", pid * nv + nxt)

    # shapes of the previous, this and the next token
    ns = model.ns
    shape = tab[:, _SHAPE]
    sprev, snext = _neighbours(shape, bfirst, blast, model.shape_id["<s>"], model.shape_id["</s>"])
    cols[8] = model.ss_table[(sprev * ns + shape) * ns + snext]

    # the nearest strong cue word on each side within the unit, with its distance
    is_strong = tab[:, _STRONG] > 0
    last_bucket = len(_BUCKET_TABLE) - 1
    ustart = np.maximum.accumulate(np.where(ufirst, pos, 0))
    uend = np.minimum.accumulate(np.where(ulast, pos, n - 1)[::-1])[::-1]
    left = np.full(n, -1, dtype=np.int64)
    left[1:] = np.maximum.accumulate(np.where(is_strong, pos, -1))[:-1]
    ok = left >= ustart
    li = np.where(ok, left, 0)
    lrow = model.near_l[ids[li], model.bucket_of[np.clip(pos - li, 0, last_bucket)]]
    cols[9] = np.where(ok, lrow, model.none_row["L="])
    right = np.full(n, n, dtype=np.int64)
    right[:-1] = np.minimum.accumulate(np.where(is_strong, pos, n)[::-1])[::-1][1:]
    ok = right <= uend
    ri = np.where(ok, right, 0)
    rrow = model.near_r[ids[ri], model.bucket_of[np.clip(ri - pos, 0, last_bucket)]]
    cols[10] = np.where(ok, rrow, model.none_row["R="])

    # cue shares of the word, its family and its neighbours; its last three letters
    cols[16] = tab[:, _CP]
    cols[17] = tab[:, _KP]
    cols[18] = tab[:, _S3]
    cm1 = cols[19]
    cm1[1:] = tab[:-1, _CPM1]
    cm1[from_start < 1] = 0
    cp1 = cols[20]
    cp1[:-1] = tab[1:, _CPP1]
    cp1[to_end < 1] = 0

    # the last word of each unit before its closing punctuation
    # (units are consecutive and cover every token: one gather for all of them)
    ufirsts = np.flatnonzero(ufirst)
    ulasts = np.flatnonzero(ulast)
    skip = _TAIL_SKIP_STR
    at = []
    for st, e in zip(ufirsts.tolist(), ulasts.tolist(), strict=True):
        k = e
        while k > st and raw[k] in skip:
            k -= 1
        at.append(k)
    cols[11] = np.take(tab[:, _TAIL], np.repeat(at, ulasts - ufirsts + 1))

    # quotation context
    if True in inq:
        likely = tab[:, _LIKELY].tolist()
        qb = tab[:, _QB].tolist()
        qa = tab[:, _QA].tolist()
        # only the opening and straight marks can open a quotation (each mark is a token)
        by_block: dict[int, list[int]] = {}
        for k in marks_of():
            by_block.setdefault(bisect.bisect_right(bf, k) - 1, []).append(k)
        for kb, at in by_block.items():
            _quote_rows(model, raw, likely, qb, qa, inq, bf[kb], bl[kb] + 1, at, cols)
    return _summed_rows(model.W, cols), ids


# tokens whose (feature, token, label) weight rows are gathered at once by ``_summed_rows``
SUM_BLOCK = 2048


def _summed_rows(W: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``np.take(W, cols, axis=0).sum(axis=0)``: each token's weight rows summed over the
    features, in feature order; a block of tokens at a time, so the gathered rows stay a
    few MB rather than ~50 MB a pass (the process's memory then grows less). A sum over
    the first axis adds its slices one after the other, element by element, so each
    block's sums are those of the whole array, bit for bit."""
    n = cols.shape[1]
    if n <= SUM_BLOCK:
        whole: np.ndarray = np.take(W, cols, axis=0).sum(axis=0)
        return whole
    scores = np.empty((n, W.shape[1]), dtype=W.dtype)
    for a in range(0, n, SUM_BLOCK):
        b = min(n, a + SUM_BLOCK)
        np.take(W, cols[:, a:b], axis=0).sum(axis=0, out=scores[a:b])
    return scores


_MARK_RE = re.compile("[" + "".join(sorted(OPEN_QUOTES | STRAIGHT_QUOTES)) + "]")


def _quote_rows(
    model: Model,
    raw: list[str],
    likely: list[int],
    qb: list[int],
    qa: list[int],
    inq: list[bool],
    a: int,
    b: int,
    marks: list[int],
    cols: Any,
) -> None:
    """The quotation rows of block [a, b); ``marks``: its opening and straight quote marks."""
    nxt = a
    for i in marks:
        if i < nxt:  # inside the quotation just handled
            continue
        w = raw[i]
        if w in OPEN_QUOTES or (w in STRAIGHT_QUOTES and i + 1 < b and inq[i + 1]):
            j = i + 1
            while j < b and inq[j]:
                j += 1
            before_cue = any(likely[k] for k in range(max(a, i - 4), i))
            after_cue = any(likely[k] for k in range(j + 1, min(b, j + 5)))
            closed = j < b and (raw[j] in CLOSE_QUOTES or raw[j] in STRAIGHT_QUOTES)
            if j > i + 1:
                cols[12, i + 1 : j] = model.inq_row
                cols[13, i + 1 : j] = qb[i - 1] if i > a else model.qb_start
                cols[14, i + 1 : j] = qa[j + 1] if j + 1 < b else model.qa_end
                cols[15, i + 1 : j] = model.qc_row[
                    ("T" if before_cue else "F", "T" if after_cue else "F", "T" if closed else "F")
                ]
            nxt = j + 1


def viterbi(model: Model, emit: np.ndarray, doc: Doc) -> list[int]:
    """The best label of every token, each block decoded on its own (all blocks at once)."""
    firsts = [b.first for b in doc.blocks]
    lasts = [b.last for b in doc.blocks]
    labels: list[int] = _viterbi(model, emit, firsts, lasts, len(doc.words)).tolist()
    return labels


# tokens decoded by one ``viterbi_many`` pass at most (bounds its (step, block, label) arrays)
BATCH_TOKENS = 40_000


def viterbi_many(model: Model, emits: list[np.ndarray], docs: list[Doc]) -> list[list[int]]:
    """``viterbi`` of each document, several documents' blocks decoded in one pass.

    Each block is decoded on its own whatever else is in the pass (the same sums, the same
    maxima and the same first best labels), so the labels are those of ``viterbi``; the
    per-step cost of numpy is shared by every block of the pass instead of paid per
    document (PolNeAR train: ~94 steps for ~21 blocks an article).
    """
    out: list[list[int]] = []
    k = 0
    while k < len(docs):
        j, size = k, 0
        while j < len(docs) and (j == k or size + len(docs[j].words) <= BATCH_TOKENS):
            size += len(docs[j].words)
            j += 1
        firsts: list[int] = []
        lasts: list[int] = []
        offset = 0
        for doc in docs[k:j]:
            firsts.extend(b.first + offset for b in doc.blocks)
            lasts.extend(b.last + offset for b in doc.blocks)
            offset += len(doc.words)
        emit = emits[k] if j == k + 1 else np.concatenate(emits[k:j])
        labels = _viterbi(model, emit, firsts, lasts, offset)
        offset = 0
        for doc in docs[k:j]:
            n = len(doc.words)
            out.append(labels[offset : offset + n].tolist())
            offset += n
        k = j
    return out


def _viterbi(
    model: Model, emit: np.ndarray, firsts: list[int], lasts: list[int], n: int
) -> np.ndarray:
    """The best label of every token of the blocks [firsts[k], lasts[k]) of ``emit``.

    The forward pass keeps only the running scores (``D``, emissions overwritten in place);
    a back pointer is the first best previous label, found again while tracing back from
    the same sums (``D[t-1] + trans[:, label]``), so the forward step is one add into a
    (from, block, to) buffer and one max over its first axis.
    """
    out = np.zeros(n, dtype=np.int64)
    if not firsts:
        return out
    first_a = np.array(firsts, dtype=np.int64)
    lengths = np.array(lasts, dtype=np.int64) - first_a
    order = np.argsort(-lengths, kind="stable")  # longest first: active blocks are a prefix
    lens = lengths[order]
    starts = first_a[order]
    nb = len(firsts)
    tmax = int(lens[0])
    steps = np.arange(tmax)
    # active[t]: how many blocks are longer than t
    active = np.searchsorted(-lens, -steps, side="left").tolist()
    idx = starts[None, :] + steps[:, None]  # (t, block) -> token
    valid = steps[:, None] < lens[None, :]
    idx = np.where(valid, idx, 0)
    delta = np.take(emit, idx, axis=0)  # (t, block, label): emissions, then running scores
    trans = model.trans
    n_labels = trans.shape[0]
    trans_ft = trans[:, None, :]  # (from, 1, to)
    buf = np.empty((n_labels, nb, n_labels))
    add = np.add
    best_of = np.maximum.reduce
    # (t, from, block, 1) views of the running scores and (t, block, to) rows, made once:
    # one index per step rather than a slice, a transpose and a new axis
    d_from = list(delta.transpose(0, 2, 1)[:, :, :, None])
    d_rows = list(delta)
    for t in range(1, tmax):
        a = active[t]
        if a == nb:
            add(d_from[t - 1], trans_ft, out=buf)
            d_rows[t] += best_of(buf, axis=0)
        else:
            cand = buf[:, :a]
            add(d_from[t - 1][:, :a], trans_ft, out=cand)
            d_rows[t][:a] += best_of(cand, axis=0)
    rng = np.arange(nb)
    cur = delta[lens - 1, rng].argmax(axis=1)  # each block's best last label
    path = np.empty((tmax, nb), dtype=np.int64)
    trans_to = np.ascontiguousarray(trans.T)  # (to, from)
    take = np.take
    p_rows = list(path)
    for t in range(tmax - 1, 0, -1):
        a = active[t]
        if a == nb:  # every block still running: whole rows, no slices
            p_rows[t][:] = cur
            cur = (d_rows[t - 1] + take(trans_to, cur, axis=0)).argmax(axis=1)
        else:
            c = cur[:a]
            p_rows[t][:a] = c
            cur[:a] = (d_rows[t - 1][:a] + take(trans_to, c, axis=0)).argmax(axis=1)
    path[0] = cur
    out[idx[valid]] = path[valid]
    return out


def local_confidences(
    model: Model,
    emit: np.ndarray,
    at: np.ndarray,
    prev: np.ndarray,
    label: np.ndarray,
    nxt: np.ndarray,
) -> np.ndarray:
    """P(label at token ``at`` | the labels next to it (-1: none)) from its emission scores,
    for several tokens at once."""
    scores = np.take(emit, at, axis=0)
    trans = model.trans
    scores += np.where(prev[:, None] >= 0, np.take(trans, prev, axis=0), 0.0)
    scores += np.where(nxt[:, None] >= 0, np.take(trans, nxt, axis=1).T, 0.0)
    scores -= scores.max(axis=1, keepdims=True)
    p = np.exp(scores)
    out: np.ndarray = p[np.arange(len(at)), label] / p.sum(axis=1)
    return out
