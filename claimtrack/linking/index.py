"""An incremental link index over a case's claims.

Claims are kept compact: every string (concept key, entity, speaker...) is
interned once per index and each claim is a row of flat arrays (its concept ids,
its static weight total, its article) plus one packed record from which its
:class:`ClaimFeatures` are rebuilt for the few claims actually judged against a
new one. Inverted postings (growable int arrays) map each concept (salient stem
or synonym group, normalised entity, number) to the claims that carry it.
Linking a new claim looks only at the claims that share postings with it (never
all pairs); a posting list that grows past ``max_posting`` claims marks a term
too common to discriminate and is no longer used for candidates.

Claims are processed one at a time in the order given: each is linked against
everything indexed before it, then indexed. Adding claims in two batches
therefore gives exactly the links of one batch, and the result is deterministic.
Each claim keeps at most ``max_links`` links to earlier claims (its best
matches), so a claim repeated across many articles forms a sparse web, not a clique.
"""

from __future__ import annotations

import marshal
import sys
import zlib
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import fields, replace
from datetime import date
from itertools import chain
from typing import Any

import numpy as np

from claimtrack.linking.relate import (
    LINK_MIN,
    NEGATION_MIN,
    SHARED_MIN,
    Judgement,
    _conf,
    judge,
    negative,
)
from claimtrack.linking.text import (
    WEIGHT_STEP,
    ClaimFeatures,
    Number,
    TextFeatures,
    claim_features,
    lexicon,
    shared_words,
)
from claimtrack.models import CaseClaim, Link, Origin, Relation, SourceKind

CASE_DF_MIN_CLAIMS = 20
PREFILTER = 0.2  # static-IDF overlap a candidate needs before the full similarity
_PLACES = ("country", "city", "region")
_KINDS = tuple(SourceKind)
_EMPTY: frozenset[str] = frozenset()
_INF = float("inf")

# The packed record knows these fields; a feature record with other fields (the
# text module grew one) is kept whole instead, so links stay right.
_CLAIM_FIELDS = (
    "id",
    "article_id",
    "text",
    "norm",
    "lowered",
    "denies",
    "speaker",
    "speaker_kind",
    "cited",
    "speaker_outlet",
    "published",
)
_TEXT_FIELDS = (
    "concepts",
    "order",
    "entities",
    "places",
    "numbers",
    "dates",
    "negation",
    "negation_scope",
    "denial",
    "hedges",
    "anaphoric",
    "object_pronoun",
    "predicates",
)
PACKED = (
    not hasattr(ClaimFeatures, "__post_init__")
    and not hasattr(TextFeatures, "__post_init__")
    and tuple(f.name for f in fields(ClaimFeatures)) == _CLAIM_FIELDS
    and tuple(f.name for f in fields(TextFeatures)) == _TEXT_FIELDS
    and tuple(f.name for f in fields(Number)) == ("value", "unit", "text")
)


# a claim's lowered text is deflated with a preset dictionary: the lowered texts of
# the index's first ZDICT_AFTER claims (their last 8 KB), fixed from then on
ZDICT_AFTER = 512
_ZBITS = -13  # raw deflate, 8 KB window
_SMALL_POOL = 32  # pools up to this size are scored in Python, larger ones by numpy
_SNAPSHOT = 2  # version of LinkIndex.to_bytes (and of its packed records)
_DELTA = 1  # version of LinkIndex.delta_bytes


def _from_bytes(typecode: str, raw: bytes) -> array[Any]:
    out = array(typecode)
    out.frombytes(raw)
    return out


# unpacking builds the (frozen, slotted) records by their slots' setters: about half
# the time of their generated __init__, which only sets the same fields
_TEXT_SET = [TextFeatures.__dict__[name].__set__ for name in _TEXT_FIELDS] if PACKED else []
_CLAIM_SET = [ClaimFeatures.__dict__[name].__set__ for name in _CLAIM_FIELDS] if PACKED else []
_new = object.__new__


def _build(cls: type[Any], setters: list[Any], values: Sequence[Any]) -> Any:
    obj = _new(cls)
    for setter, value in zip(setters, values, strict=True):
        setter(obj, value)
    return obj


# Links are built as Link.model_construct builds them (the same __dict__, fields
# set, no extra, no private state) without its per-field default look-ups and deep
# copies, which cost more than the rest of making a link; only while Link is the
# plain model this assumes (else model_construct itself)
_LINK_FIELDS = ("a", "b", "relation", "confidence", "reason", "origin", "origin_claim")
_FAST_LINK = (
    tuple(Link.model_fields) == _LINK_FIELDS
    and not Link.__pydantic_post_init__
    and not Link.__pydantic_root_model__
    and Link.model_fields["origin"].default is Origin.MACHINE
    and not any(
        f.alias or f.validation_alias or f.default_factory for f in Link.model_fields.values()
    )
)
_setattr = object.__setattr__


def machine_link(
    a: int, b: int, relation: Relation, confidence: float, reason: str, origin_claim: int | None
) -> Link:
    """``Link.model_construct(a=a, b=b, relation=..., confidence=..., reason=...,
    origin_claim=...)``: no validation (the caller's values are valid by
    construction: a < b, confidence in [0.5, 0.99])."""
    if not _FAST_LINK:
        return Link.model_construct(
            a=a,
            b=b,
            relation=relation,
            confidence=confidence,
            reason=reason,
            origin_claim=origin_claim,
        )
    link = _new(Link)
    _setattr(
        link,
        "__dict__",
        {
            "a": a,
            "b": b,
            "relation": relation,
            "confidence": confidence,
            "reason": reason,
            "origin": Origin.MACHINE,
            "origin_claim": origin_claim,
        },
    )
    _setattr(
        link,
        "__pydantic_fields_set__",
        {"a", "b", "relation", "confidence", "reason", "origin_claim"},
    )
    _setattr(link, "__pydantic_extra__", None)
    _setattr(link, "__pydantic_private__", None)
    return link


_FLAG_DENIES = 1  # the claim denies its content (stance)
_FLAG_NEGATIVE = 2  # relate.negative(claim) is not None
_UNKNOWN = 255


def _flags(f: ClaimFeatures) -> int:
    return (_FLAG_DENIES if f.denies else 0) | (_FLAG_NEGATIVE if negative(f) is not None else 0)


def _offset_append(arr: array[int], value: int) -> array[int]:
    """Append an offset to a uint32 array, widened to int64 once it would overflow."""
    if value > 0xFFFFFFFF and arr.typecode == "I":
        arr = array("q", arr)
    arr.append(value)
    return arr


class LinkIndex:
    """Claims of one case with postings for candidate generation.

    ``hot``: how many unpacked feature records of recently judged or indexed
    claims are kept (about 2 KB each); ``deflate``: compress the claims' lowered
    texts (about 48 bytes less per claim for about 25 us more per indexed claim).
    Neither changes the links."""

    def __init__(
        self,
        *,
        max_posting: int = 250,
        max_candidates: int = 12,
        max_links: int = 3,
        max_same_article: int = 1,
        hot: int = 8192,
        deflate: bool = False,
    ) -> None:
        self.max_posting = max_posting
        self.max_same_article = max_same_article
        self.max_candidates = max_candidates
        self.max_links = max_links
        # interned strings: id -> string, string -> id, static IDF weight per id
        self._strs: list[str] = []
        self._sid: dict[str, int] = {}
        self._cw = array("d")
        self._mark = np.zeros(1024, dtype=np.float64)  # scratch: weights of one claim's concepts
        # postings: concept id -> positions (indexing order) of the claims carrying it
        # (a claim position while one claim carries it, then an int array; None once
        # saturated or before any claim carries it)
        self._post: list[array[int] | int | None] = []
        self._plen = array("i")  # posting length by concept id, -1 once saturated
        self._saturated: set[int] = set()
        # one row per claim, by position in indexing order
        self._ids = array("q")
        self._pos: dict[int, int] | None = None  # claim id -> position, once ids are unordered
        self._article = array("q")
        self._total = array("d")  # sum of the claim's static IDF weights (or 1.0)
        # offsets: uint32 until they outgrow it (_offset_append), then int64
        self._cstart = array("I", [0])  # the claim's concept ids: _cflat[start[i]:start[i+1]]
        self._cflat = array("i")
        self._rstart = array("I", [0])  # its packed record: _blob[rstart[i]:rstart[i+1]]
        self._blob = bytearray()
        self._packed = PACKED
        self.deflate = deflate  # lowered texts deflated (~48 B less per claim, ~25 us more)
        self._zdict: bytes | None = None
        self._zc: Any = None  # primed compressor / decompressor, copied per record
        self._zd: Any = None
        self._whole: list[ClaimFeatures] = []  # records kept whole when not packed
        # not in snapshots (derived): per interned string, 1 for an entity concept
        # ("e:..."); per claim, what judge's floor and damping read (_FLAG_*), or
        # _UNKNOWN for claims restored from a snapshot (then taken at their loosest)
        self._entity = bytearray()
        self._flags = bytearray()
        self._last: dict[int, int] = {}  # article -> position of its last indexed claim
        self.hot = hot
        # position -> features, most recent last (an OrderedDict: evicting a plain
        # dict's first entry scans the deleted slots before it, ~20 us at 8,192)
        self._hot: OrderedDict[int, ClaimFeatures] = OrderedDict()
        # leave unjudged the candidates that cannot enter a claim's kept links (_judge)
        self._cut = True

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, claim_id: object) -> bool:
        return isinstance(claim_id, int) and self._position(claim_id) is not None

    def _position(self, claim_id: int) -> int | None:
        if self._pos is not None:
            return self._pos.get(claim_id)
        ids = self._ids
        i = bisect_left(ids, claim_id)
        return i if i < len(ids) and ids[i] == claim_id else None

    def ids(self) -> list[int]:
        """Indexed claim ids, in the order they were indexed."""
        return list(self._ids)

    def features(self, claim_id: int) -> ClaimFeatures:
        pos = self._position(claim_id)
        if pos is None:
            raise KeyError(claim_id)
        return self._unpack(pos)

    # ------------------------------------------------------------------ snapshot

    def to_bytes(self) -> bytes:
        """The whole index as bytes (marshal: plain values, no code), for
        :meth:`from_bytes`: a writer can keep it next to the case and restore it in
        a fraction of the time :meth:`extend` takes to analyse every claim again.
        The caller keeps track of which claims it covers (e.g. the highest id)."""
        if not self._packed:
            raise ValueError("this index keeps whole feature records; it has no snapshot")
        post = [p.tobytes() if isinstance(p, array) else p for p in self._post]
        return marshal.dumps(
            (
                _SNAPSHOT,
                (self.max_posting, self.max_candidates, self.max_links, self.max_same_article),
                self._strs,
                self._cw.tobytes(),
                post,
                sorted(self._saturated),
                self._ids.tobytes(),
                self._article.tobytes(),
                self._total.tobytes(),
                self._cstart.typecode + ":",
                self._cstart.tobytes(),
                self._cflat.tobytes(),
                self._rstart.typecode + ":",
                self._rstart.tobytes(),
                bytes(self._blob),
                self._last,
                self._zdict,
            )
        )

    @classmethod
    def from_bytes(cls, data: bytes, *, hot: int = 8192, deflate: bool | None = None) -> LinkIndex:
        """The index :meth:`to_bytes` wrote (same options, same links from then on).

        ``deflate``: whether claims indexed from now on get their lowered texts
        compressed (records already compressed are read either way); by default
        when the snapshot has a dictionary or is too small to have one yet.

        Raises ValueError when ``data`` is not such a snapshot (or of another version).
        """
        try:
            snapshot = marshal.loads(data)
        except (EOFError, ValueError, TypeError) as exc:
            raise ValueError(f"not a link index snapshot ({exc})") from None
        if not isinstance(snapshot, tuple) or not snapshot:
            raise ValueError("not a link index snapshot")
        if snapshot[0] != _SNAPSHOT or len(snapshot) != 17:
            raise ValueError(f"link index snapshot of another version ({snapshot[0]!r})")
        (
            _,
            options,
            strs,
            cw,
            post,
            saturated,
            ids,
            article,
            total,
            ctype,
            cstart,
            cflat,
            rtype,
            rstart,
            blob,
            last,
            zdict,
        ) = snapshot
        max_posting, max_candidates, max_links, max_same_article = options
        index = cls(
            max_posting=max_posting,
            max_candidates=max_candidates,
            max_links=max_links,
            max_same_article=max_same_article,
            hot=hot,
        )
        index._strs = list(strs)
        index._sid = {s: i for i, s in enumerate(index._strs)}
        index._cw.frombytes(cw)
        index._post = [_from_bytes("i", p) if isinstance(p, bytes) else p for p in post]
        index._saturated = set(saturated)
        index._plen = array(
            "i",
            (
                -1
                if i in index._saturated
                else len(p)
                if isinstance(p, array)
                else 0
                if p is None
                else 1
                for i, p in enumerate(index._post)
            ),
        )
        for arr, raw in (
            (index._ids, ids),
            (index._article, article),
            (index._total, total),
            (index._cflat, cflat),
        ):
            arr.frombytes(raw)
        index._cstart = _from_bytes(ctype[0], cstart)
        index._rstart = _from_bytes(rtype[0], rstart)
        index._blob = bytearray(blob)
        index._last = dict(last)
        index._entity = bytearray(s.startswith("e:") for s in index._strs)
        index._flags = bytearray([_UNKNOWN]) * len(index._ids)
        if zdict is not None:
            index._set_zdict(zdict)
        if deflate is None:
            deflate = zdict is not None or len(index._ids) < ZDICT_AFTER
        index.deflate = deflate
        ids_list = index._ids
        if any(ids_list[i] >= ids_list[i + 1] for i in range(len(ids_list) - 1)):
            index._pos = {cid: i for i, cid in enumerate(ids_list)}
        return index

    def mark(self) -> tuple[int, int]:
        """The index's size now (claims, interned strings): :meth:`delta_bytes` of a
        later state against it holds only what was indexed since."""
        return (len(self._ids), len(self._strs))

    def delta_bytes(self, since: tuple[int, int]) -> bytes:
        """What was indexed after :meth:`mark` returned ``since``, as bytes for
        :meth:`apply_delta` on an index restored at that mark: the new claims'
        rows, records and interned strings (postings are replayed from their
        concept ids). A large case can keep one snapshot and append small deltas
        instead of writing the whole index again."""
        if not self._packed:
            raise ValueError("this index keeps whole feature records; it has no snapshot")
        n0, s0 = since
        if not (0 <= n0 <= len(self._ids) and 0 <= s0 <= len(self._strs)):
            raise ValueError(f"mark {since} is not a state of this index")
        c0, r0 = self._cstart[n0], self._rstart[n0]
        return marshal.dumps(
            (
                _DELTA,
                n0,
                s0,
                c0,
                r0,
                self._strs[s0:],
                self._cw[s0:].tobytes(),
                self._ids[n0:].tobytes(),
                self._article[n0:].tobytes(),
                self._total[n0:].tobytes(),
                array("q", self._cstart[n0 + 1 :]).tobytes(),
                self._cflat[c0:].tobytes(),
                array("q", self._rstart[n0 + 1 :]).tobytes(),
                bytes(self._blob[r0:]),
                self._zdict,
            )
        )

    def apply_delta(self, data: bytes) -> None:
        """Append what :meth:`delta_bytes` wrote to an index at its mark: the index is
        then the one that wrote it (same links from then on). Raises ValueError when
        ``data`` is not such a delta or this index is not at its mark (nothing is
        changed then)."""
        try:
            delta = marshal.loads(data)
        except (EOFError, ValueError, TypeError) as exc:
            raise ValueError(f"not a link index delta ({exc})") from None
        if not isinstance(delta, tuple) or len(delta) != 15 or delta[0] != _DELTA:
            raise ValueError("not a link index delta of this version")
        (_, n0, s0, c0, r0, strs, cw, ids, article, total, cstart, cflat, rstart, blob, zdict) = (
            delta
        )
        if not self._packed:
            raise ValueError("this index keeps whole feature records; it has no snapshot")
        if (n0, s0, c0, r0) != (
            len(self._ids),
            len(self._strs),
            len(self._cflat),
            len(self._blob),
        ):
            raise ValueError("the link index is not at the delta's mark")
        if any(s in self._sid for s in strs):
            raise ValueError("the delta interns a string the index has")
        new_ids = _from_bytes("q", ids)
        new_cstart = _from_bytes("q", cstart)
        new_rstart = _from_bytes("q", rstart)
        n = len(new_ids)
        if not (
            len(_from_bytes("q", article)) == n == len(new_cstart) == len(new_rstart)
            and len(_from_bytes("d", total)) == n
            and len(_from_bytes("d", cw)) == len(strs)
            and (
                not n
                or (new_cstart[-1] == c0 + len(cflat) // 4 and new_rstart[-1] == r0 + len(blob))
            )
        ):
            raise ValueError("a link index delta of inconsistent sizes")
        if zdict is not None and self._zdict is not None and zdict != self._zdict:
            raise ValueError("the delta's dictionary is not the index's")
        for s in strs:
            self._sid[s] = len(self._strs)
            self._strs.append(s)
        self._cw.frombytes(cw)
        self._post.extend([None] * len(strs))
        self._plen.extend([0] * len(strs))
        self._entity.extend(s.startswith("e:") for s in strs)
        self._flags.extend(bytes([_UNKNOWN]) * n)
        last = self._ids[-1] if self._ids else None
        if (
            self._pos is None
            and n
            and (
                (last is not None and new_ids[0] <= last)
                or any(new_ids[i] >= new_ids[i + 1] for i in range(n - 1))
            )
        ):
            self._pos = {cid: i for i, cid in enumerate(self._ids)}
        if self._pos is not None:
            for i, cid in enumerate(new_ids, n0):
                self._pos[cid] = i
        self._ids.extend(new_ids)
        self._article.frombytes(article)
        self._total.frombytes(total)
        self._cflat.frombytes(cflat)
        self._blob += blob
        for offsets, name in ((new_cstart, "_cstart"), (new_rstart, "_rstart")):
            arr = getattr(self, name)
            for value in offsets:
                arr = _offset_append(arr, value)
            setattr(self, name, arr)
        if zdict is not None and self._zdict is None:
            self._set_zdict(zdict)
        cst, cfl, art = self._cstart, self._cflat, self._article
        for pos in range(n0, n0 + n):
            self._last[art[pos]] = pos
            self._post_add(pos, cfl[cst[pos] : cst[pos + 1]])

    def memory_bytes(self) -> int:
        """Bytes held by the index (sys.getsizeof of its arrays, records, postings,
        interned strings and maps), without the bounded cache of recently judged
        claims' features."""
        size = sys.getsizeof
        total = sum(
            map(
                size,
                (
                    self._ids,
                    self._article,
                    self._total,
                    self._cstart,
                    self._cflat,
                    self._rstart,
                    self._blob,
                    self._cw,
                    self._strs,
                    self._sid,
                    self._post,
                    self._saturated,
                    self._last,
                ),
            )
        )
        total += sum(map(size, self._strs))
        for p in self._post:
            if isinstance(p, array):
                total += size(p)
            elif p is not None and p > 255:  # small ints are shared
                total += 28
        total += 56 * len(self._last)  # its keys and values (ints)
        if self._pos is not None:
            total += size(self._pos) + 28 * len(self._pos)
        if not self._packed:
            total += sum(map(size, self._whole))  # shallow: whole records are not compact
        return total

    # ------------------------------------------------------------------ strings

    def _intern(self, s: str) -> int:
        i = self._sid.get(s)
        if i is None:
            i = self._sid[s] = len(self._strs)
            self._strs.append(s)
            w = lexicon().weight(s)
            self._cw.append(w)
            self._post.append(None)
            self._plen.append(0)
            self._entity.append(s.startswith("e:"))
        return i

    def _idlist(self, items: Iterable[str]) -> list[int]:
        """Ids of strings, in the order given (interned if new)."""
        try:
            return list(map(self._sid.__getitem__, items))
        except KeyError:
            return list(map(self._intern, items))

    def _opt(self, s: str | None) -> int | None:
        return None if s is None else self._intern(s)

    # ------------------------------------------------------------------ records

    def _pack(self, f: ClaimFeatures) -> bytes:
        """One claim's record. Its lists of concepts (order, negation scope,
        anaphoric) as one byte each: the index of the concept in the claim's concept
        ids (as stored in _cflat); its other string lists as string ids in one int
        array; their sizes first; then the values that are not strings."""
        tf = f.text
        local = (tf.order, tf.negation_scope, tf.anaphoric)
        other = (tf.entities, tf.places, tf.dates, tf.hedges, tf.predicates)
        counts = tuple(map(len, (*local, *other)))
        flat = list(chain.from_iterable(local))
        where = {c: i for i, c in enumerate(tf.concepts)}  # the order of _cflat's ids
        if len(where) < 256 and all(c in where for c in flat):
            packed_local: bytes | tuple[int, ...] = bytes(map(where.__getitem__, flat))
        else:
            packed_local = tuple(self._idlist(flat))
        ints = array("i", self._idlist(list(chain.from_iterable(other))))
        norm = " ".join(tf.order)
        return marshal.dumps(
            (
                bytes(counts) if max(counts) < 256 else counts,
                packed_local,
                ints.tobytes(),
                tuple((n.value, n.unit, n.text) for n in tf.numbers) or None,
                self._opt(tf.negation),
                self._opt(tf.denial),
                tf.object_pronoun,
                None if f.norm == norm else f.norm,
                self._deflate(f.lowered),
                f.denies,
                self._opt(f.speaker),
                _KINDS.index(f.speaker_kind),
                self._opt(f.cited),
                self._opt(f.speaker_outlet),
                None if f.published is None else f.published.toordinal(),
            )
        )

    def _deflate(self, text: str) -> str | bytes:
        if self._zc is None:
            return text
        raw = text.encode()
        co = self._zc.copy()
        out: bytes = co.compress(raw) + co.flush()
        return out if len(out) < len(raw) else text

    def _inflate(self, data: bytes) -> str:
        text: str = self._zd.copy().decompress(data).decode()
        return text

    def _set_zdict(self, zdict: bytes) -> None:
        self._zdict = zdict
        self._zc = zlib.compressobj(6, zlib.DEFLATED, _ZBITS, 2, zlib.Z_DEFAULT_STRATEGY, zdict)
        self._zd = zlib.decompressobj(_ZBITS, zdict)

    def _get(self, pos: int) -> ClaimFeatures:
        """The features of the claim at ``pos``, from the small cache of recently
        judged claims or unpacked."""
        hot = self._hot
        f = hot.get(pos)
        if f is not None:
            hot.move_to_end(pos)
            return f
        f = self._unpack(pos)
        if len(hot) >= self.hot:
            if not hot:
                return f
            hot.popitem(last=False)
        hot[pos] = f
        return f

    def _unpack(self, pos: int) -> ClaimFeatures:
        if not self._packed:
            return self._whole[pos]
        strs = self._strs
        get = strs.__getitem__
        (
            counts,
            packed_local,
            ints,
            numbers,
            negation,
            denial,
            object_pronoun,
            norm,
            lowered,
            denies,
            speaker,
            kind,
            cited,
            outlet,
            published,
        ) = marshal.loads(self._blob[self._rstart[pos] : self._rstart[pos + 1]])
        n_order, n_scope, n_anaph, n_ent, n_places, n_dates, n_hedges, n_preds = counts
        c0, c1 = self._cstart[pos : pos + 2]
        concepts = list(map(get, self._cflat[c0:c1]))
        if type(packed_local) is bytes:
            lv = list(map(concepts.__getitem__, packed_local))
        else:
            lv = list(map(get, packed_local))
        order = tuple(lv[:n_order])
        i = n_order
        scope = frozenset(lv[i : i + n_scope]) if n_scope else _EMPTY
        i += n_scope
        anaphoric = frozenset(lv[i : i + n_anaph]) if n_anaph else _EMPTY
        vals = list(map(get, memoryview(ints).cast("i")))
        entities = frozenset(vals[:n_ent]) if n_ent else _EMPTY
        i = n_ent
        places = frozenset(vals[i : i + n_places]) if n_places else _EMPTY
        i += n_places
        dates = frozenset(vals[i : i + n_dates]) if n_dates else _EMPTY
        i += n_dates
        hedges = tuple(vals[i : i + n_hedges]) if n_hedges else ()
        i += n_hedges
        predicates = frozenset(vals[i : i + n_preds]) if n_preds else _EMPTY
        tf = _build(
            TextFeatures,
            _TEXT_SET,
            (
                frozenset(concepts),
                order,
                entities,
                places,
                tuple(Number(*n) for n in numbers) if numbers else (),
                dates,
                None if negation is None else strs[negation],
                scope,
                None if denial is None else strs[denial],
                hedges,
                anaphoric,
                object_pronoun,
                predicates,
            ),
        )
        out: ClaimFeatures = _build(
            ClaimFeatures,
            _CLAIM_SET,
            (
                self._ids[pos],
                self._article[pos],
                tf,
                " ".join(order) if norm is None else norm,
                lowered if type(lowered) is str else self._inflate(lowered),
                denies,
                None if speaker is None else strs[speaker],
                _KINDS[kind],
                None if cited is None else strs[cited],
                None if outlet is None else strs[outlet],
                None if published is None else date.fromordinal(published),
            ),
        )
        return out

    # ------------------------------------------------------------------ build

    def _resolve(self, f: ClaimFeatures) -> ClaimFeatures:
        """An object pronoun ("supply it with") stands for the latest entity of the
        article's previous claim that the claim does not name itself (its subject)."""
        if not f.text.object_pronoun:
            return f
        last = self._last.get(f.article_id)
        if last is None:
            return f
        prev = self._unpack(last)
        lex = lexicon()
        for c in reversed(prev.text.order):
            if c.startswith("e:") and c[2:] not in f.text.entities:
                key = c[2:]
                tf = f.text
                places = tf.places | {key} if lex.entities[key].kind in _PLACES else tf.places
                tf = replace(
                    tf,
                    concepts=tf.concepts | {c},
                    order=(*tf.order, c),
                    entities=tf.entities | {key},
                    places=places,
                )
                return replace(f, text=tf, norm=" ".join(tf.order))
        return f

    def _insert(self, f: ClaimFeatures) -> None:
        pos = len(self._ids)
        ids = self._ids
        if self._pos is None and ids and f.id <= ids[-1]:
            self._pos = {cid: i for i, cid in enumerate(ids)}  # ids no longer ascending
        ids.append(f.id)
        if self._pos is not None:
            self._pos[f.id] = pos
        self._article.append(f.article_id)
        self._flags.append(_flags(f))
        self._last[f.article_id] = pos
        cids = self._idlist(f.text.concepts)
        self._total.append(sum(map(self._cw.__getitem__, cids)) or 1.0)
        self._cflat.extend(cids)
        self._cstart = _offset_append(self._cstart, len(self._cflat))
        if self._packed:
            self._blob += self._pack(f)
            self._rstart = _offset_append(self._rstart, len(self._blob))
            if self.deflate and self._zdict is None and len(self._ids) == ZDICT_AFTER:
                texts = " ".join(self._unpack(i).lowered for i in range(ZDICT_AFTER))
                self._set_zdict(texts.encode()[-(1 << -_ZBITS) :])
        else:
            self._whole.append(f)
        # a new claim is often judged against the next claims of its story
        hot = self._hot
        if self.hot > 0:
            if len(hot) >= self.hot:
                hot.popitem(last=False)
            hot[pos] = f
        self._post_add(pos, cids)

    def _post_add(self, pos: int, cids: Iterable[int]) -> None:
        """Add the claim at ``pos`` to the postings of its concept ids."""
        post = self._post
        plen = self._plen
        saturated = self._saturated
        cap = self.max_posting
        for key in cids:
            p = post[key]
            if p is None:
                if key not in saturated:
                    post[key] = pos
                    plen[key] = 1
            elif plen[key] >= cap:
                saturated.add(key)
                post[key] = None
                plen[key] = -1
            else:
                if type(p) is int:
                    post[key] = array("i", (p, pos))
                else:
                    p.append(pos)  # type: ignore[union-attr]
                plen[key] += 1

    def extend(self, claims: Iterable[CaseClaim]) -> None:
        """Index claims without linking them (rebuilding a case whose links are stored)."""
        for claim in claims:
            if claim.id not in self:
                self._insert(self._resolve(claim_features(claim)))

    # ------------------------------------------------------------------ link

    def _concept_ids(self, f: ClaimFeatures) -> list[int]:
        """Ids of f's concepts, in the order of its concept set (interned if new)."""
        return self._idlist(f.text.concepts)

    def _candidates(self, f: ClaimFeatures, fids: list[int]) -> list[int]:
        """:meth:`candidates` as positions in indexing order (``fids``: f's concept ids)."""
        post = self._post
        lists: list[Any] = []
        singles = array("i")
        for k in fids:
            p = post[k]
            if p is not None:
                if type(p) is int:
                    singles.append(p)
                else:
                    lists.append(p)
        n_lists = len(lists) + len(singles)
        if not n_lists:
            return []
        if singles:
            lists.append(singles)
        if len(fids) > 3:
            # the claims in at least two of the lists (each list holds a claim once)
            if n_lists < 2:
                return []
            allp = np.sort(np.frombuffer(b"".join(lists), dtype=np.int32))
            dup = allp[1:][allp[1:] == allp[:-1]]
            if not len(dup):
                return []
            pool = dup[np.concatenate(([True], dup[1:] != dup[:-1]))]
        else:  # a very short claim: one shared posting is enough
            pool = np.unique(np.frombuffer(b"".join(lists), dtype=np.int32))
        own = self._position(f.id)
        if own is not None:
            pool = pool[pool != own]
            if not len(pool):
                return []
        wf = sum(map(self._cw.__getitem__, fids)) or 1.0  # in the order of f's concept set
        if len(pool) <= _SMALL_POOL:
            return self._score_small(pool.tolist(), fids, wf)
        cw = np.frombuffer(self._cw, dtype=np.float64)
        fa = np.array(fids, dtype=np.int64)
        fw = cw[fa]
        # the shared static weight of each pooled claim: its concepts' weights where
        # they are f's (a scratch row of weights per concept id, zero elsewhere)
        mark = self._mark
        if len(mark) < len(cw):
            mark = self._mark = np.zeros(2 * len(cw), dtype=np.float64)
        mark[fa] = fw
        cstart = np.frombuffer(self._cstart, dtype=self._cstart.typecode)
        starts = cstart[pool].astype(np.int64)
        lens = cstart[pool + 1].astype(np.int64) - starts
        offs = np.cumsum(lens) - lens
        gather = np.arange(offs[-1] + lens[-1], dtype=np.int64) + np.repeat(starts - offs, lens)
        cflat = np.frombuffer(self._cflat, dtype=np.int32)
        shared_w = np.add.reduceat(mark[cflat[gather]], offs)
        mark[fa] = 0.0
        wo = np.frombuffer(self._total, dtype=np.float64)[pool]
        score = shared_w / (wf + wo) + 0.25 * shared_w / np.minimum(wf, wo)
        keep = score >= PREFILTER
        pool = pool[keep]
        if not len(pool):
            return []
        score = score[keep]
        ids = np.frombuffer(self._ids, dtype=np.int64)[pool]
        # best first; equal overlaps: the higher claim id first
        best = np.lexsort((-ids, -score))[: self.max_candidates]
        out: list[int] = pool[best].tolist()
        return out

    def _score_small(self, pool: list[int], fids: list[int], wf: float) -> list[int]:
        """:meth:`_candidates`' scoring of a small pool in Python (numpy's per-call
        cost dominates there): the same overlap, best first, then the higher id."""
        fset = set(fids)
        has = fset.__contains__
        cw = self._cw.__getitem__
        cstart = self._cstart
        cflat = self._cflat
        total = self._total
        ids = self._ids
        scored = []
        for p in pool:
            ws = sum(map(cw, filter(has, cflat[cstart[p] : cstart[p + 1]])))
            wo = total[p]
            score = ws / (wf + wo) + 0.25 * ws / (wf if wf < wo else wo)
            if score >= PREFILTER:
                scored.append((score, ids[p], p))
        scored.sort(reverse=True)
        return [p for _, _, p in scored[: self.max_candidates]]

    def candidates(self, f: ClaimFeatures) -> list[int]:
        """Indexed claims sharing postings with ``f``, best first (at most max_candidates).

        A claim sharing at least two postings (one for a claim of three concepts or
        fewer) is a candidate when its static-IDF overlap with ``f``, 0.5 x weighted
        Dice + 0.25 x weighted containment, reaches PREFILTER: below that the full
        similarity (which adds 0.25 x a fuzzy ratio) practically never reaches a link.
        Candidates are ranked by that overlap, not by how many postings they share.
        """
        ids = self._ids
        return [ids[p] for p in self._candidates(f, self._concept_ids(f))]

    def weight(self, concept: str) -> float:
        """IDF weight of a concept, discounted when it is common in this case.

        A concept carried by a share p of the indexed claims (a case about Russia:
        "Russia" in most claims) keeps max(0.2, 1 - p) of its weight; saturated
        concepts keep 0.2. The discount starts once 20 claims are indexed.
        """
        return self.weights((concept,))[concept]

    def weights(self, concepts: Iterable[str]) -> dict[str, float]:
        """:meth:`weight` for many concepts at once."""
        strs = list(concepts)
        sid = self._sid
        known = [c for c in strs if c in sid]
        out = {c: lexicon().weight(c) for c in strs if c not in sid}
        if known:
            out.update(self._weights_of(known))
        return out

    def _weights_of(self, concepts: Iterable[str]) -> dict[str, float]:
        """Case-discounted weights of interned concepts (:meth:`_discounted` by name)."""
        sid = self._sid
        names = list(concepts)
        return dict(zip(names, self._discounted([sid[c] for c in names], {}), strict=True))

    def _discounted(self, cids: Iterable[int], memo: dict[int, float]) -> list[float]:
        """Case-discounted weights of interned concepts by id (the float operations of
        :meth:`weight`; a Python loop: the unions are ~50 concepts, too few for numpy),
        through ``memo`` (id -> weight, valid while the index does not change)."""
        cw = self._cw
        n = len(self._ids)
        if n < CASE_DF_MIN_CLAIMS:
            return [cw[i] for i in cids]
        plen = self._plen
        get = memo.get
        out = []
        for i in cids:
            w = get(i)
            if w is None:
                w = cw[i]
                k = plen[i]
                if k > 0:
                    keep = 1.0 - k / n
                    # exact_weight(w * max(0.2, keep)), inlined
                    w = round(w * (keep if keep > 0.2 else 0.2) * 65536.0) * WEIGHT_STEP
                elif k < 0:  # saturated
                    w = round(w * 0.2 * 65536.0) * WEIGHT_STEP  # exact_weight(w * 0.2)
                memo[i] = w
            out.append(w)
        return out

    def _bounds(
        self, f: ClaimFeatures, fids: list[int], positions: list[int]
    ) -> tuple[list[float], float, list[float], list[float | None]]:
        """For claim ``f`` (concept ids ``fids``) and its candidates (positions): the
        case-discounted weights of f's concepts (in ``fids``' order), their sum, the
        sum of each candidate's, and for each candidate an upper bound on the
        similarity judge can find (inf when unknown), or None when judge cannot
        link it at all.

        It cannot when relate's bound on the similarity before the fuzzy ratio,
        (0.5 x Dice + 0.25 x containment + 0.25) x damping, is below the pair's
        floor (judge returns None then): the same sums of grid weights (exact in
        any order), the same damping and floor (relate._floor), each taken at its
        loosest where it needs what the index does not hold without unpacking the
        candidate (the shared predicates of two claims of one article: floor
        NEGATION_MIN; a candidate restored from a snapshot: any stance)."""
        memo: dict[int, float] = {}
        fw = self._discounted(fids, memo)
        wf = sum(fw)
        mine = dict(zip(fids, fw, strict=True))
        entity = self._entity
        cstart = self._cstart
        cflat = self._cflat
        flags = self._flags
        article = self._article
        nf = len(fids)
        f_flags = _flags(f)
        f_denies = f_flags & _FLAG_DENIES
        f_negative = f_flags & _FLAG_NEGATIVE
        sums = []
        judged: list[float | None] = []
        # a story's copies carry the same concept ids: what depends on them alone is
        # computed once per claim (by the ids' bytes)
        seen: dict[bytes, tuple[float, list[int], float, bool]] = {}
        for p in positions:
            seg = cflat[cstart[p] : cstart[p + 1]]
            key = seg.tobytes()
            known = seen.get(key)
            if known is None:
                wo = sum(self._discounted(seg, memo))
                shared = [i for i in seg if i in mine]
                ws = sum(map(mine.__getitem__, shared))
                all_entities = all(map(entity.__getitem__, shared))
                seen[key] = (wo, shared, ws, all_entities)
            else:
                wo, shared, ws, all_entities = known
            sums.append(wo)
            fl = flags[p]
            if fl == _UNKNOWN:
                denies = opposed = True
            else:
                denies = bool(f_denies or fl & _FLAG_DENIES)
                opposed = bool(f_negative) != bool(fl & _FLAG_NEGATIVE)
            if not shared:
                judged.append(None)  # judge: no shared concept, no link
                continue
            floor = NEGATION_MIN if denies and opposed or article[p] == f.article_id else LINK_MIN
            # relate's damping; with a possibly short denial, the higher of both
            can_be_short = denies and min(len(seg), nf) <= 2
            if all_entities or len(shared) < 2 and not can_be_short:
                damp = 0.6
            elif ws < SHARED_MIN and not can_be_short:
                damp = 0.5 + 0.5 * ws / SHARED_MIN
            else:
                damp = 1.0
            m = wf if wf < wo else wo
            if not m:
                judged.append(_INF)  # no weight: judge decides (as it always did)
                continue
            dice = 2.0 * ws / (wf + wo)
            cont = ws / m
            bound = (0.5 * dice + 0.25 * cont + 0.25) * damp
            judged.append(bound if bound >= floor - 1e-9 else None)
        return fw, wf, sums, judged

    def _judge(self, f: ClaimFeatures) -> list[tuple[Judgement, ClaimFeatures, int]]:
        found: list[tuple[Judgement, ClaimFeatures, int]] = []
        fids = self._concept_ids(f)
        positions = self._candidates(f, fids)
        if not positions:
            return found
        # the case-discounted weights of f's concepts and the candidates' sums, from
        # the concept ids (judge needs the weights of the shared concepts only, all
        # f's); candidates that no rule can link are left before they are unpacked
        weights, wf, sums, bounds = self._bounds(f, fids, positions)
        weight = dict(zip(f.text.concepts, weights, strict=True))
        live = [
            (pos, wo, ub)
            for pos, wo, ub in zip(positions, sums, bounds, strict=True)
            if ub is not None
        ]
        ids = self._ids
        article = self._article
        here = f.article_id
        # A candidate of another article that sorts after the max_links-th kept link
        # whatever judge finds (its confidence and similarity bounded from its
        # similarity bound) cannot change the result: it is left unjudged. Exact:
        # the result's order is total (confidence, similarity, id), the claims of
        # f's own article (which decide which same-article link is kept) are all
        # judged first, and a denial (which keeps more contradictions) is not cut.
        cut = self._cut and not f.denies and self.max_links > 0 and len(live) > self.max_links
        if cut:
            live.sort(key=lambda t: (article[t[0]] != here, -t[2], ids[t[0]]))
        last: tuple[float, float, int] | None = None  # the max_links-th kept link's key
        for pos, wo, ub in live:
            if last is not None and article[pos] != here:
                c_ub = _conf(ub + 1e-9, NEGATION_MIN)
                if (
                    c_ub < last[0]
                    or c_ub == last[0]
                    and (
                        (s_ub := round(ub + 1e-9, 6)) < last[1]
                        or s_ub == last[1]
                        and ids[pos] > last[2]
                    )
                ):
                    continue
            other = self._get(pos)
            # judge in (lower id, higher id) order so reasons read in link order
            j = (
                judge(f, other, weight, (wf, wo))
                if f.id < other.id
                else judge(other, f, weight, (wo, wf))
            )
            if j is not None:
                found.append((j, other, pos))
                if cut and len(found) >= self.max_links:
                    kept = self._kept(f, found)
                    last = None
                    if len(kept) >= self.max_links:
                        jk, ok, _ = kept[self.max_links - 1]
                        last = (jk.confidence, jk.similarity, ok.id)
        return self._kept(f, found)

    def _kept(
        self, f: ClaimFeatures, found: list[tuple[Judgement, ClaimFeatures, int]]
    ) -> list[tuple[Judgement, ClaimFeatures, int]]:
        """The links ``f`` keeps among its judged matches, best first."""
        found = sorted(found, key=lambda jc: (-jc[0].confidence, -jc[0].similarity, jc[1].id))
        # an article restates its story: within one article a claim corroborates
        # only its closest earlier match(es), so the article forms a sparse chain.
        # Closest: a restatement by the same speaker first (a paraphrase and its
        # quote), then the higher confidence, and among equal confidences (weak
        # matches at the floor) the nearest earlier claim: discourse locality.
        here = [
            jc
            for jc in found
            if jc[0].relation == Relation.CORROBORATES and jc[1].article_id == f.article_id
        ]
        if len(here) > self.max_same_article:
            here.sort(
                key=lambda jc: (
                    not (f.speaker is not None and jc[1].speaker == f.speaker),
                    -jc[0].confidence,
                    -jc[2],
                    -jc[0].similarity,
                )
            )
            dropped = {jc[1].id for jc in here[self.max_same_article :]}
            found = [jc for jc in found if jc[1].id not in dropped]
        if f.denies:
            # a denial contradicts every claim that asserts what it denies
            denied = [jc for jc in found if jc[0].relation == Relation.CONTRADICTS]
            rest = [jc for jc in found if jc[0].relation != Relation.CONTRADICTS]
            return denied[: 2 * self.max_links] + rest[: max(0, self.max_links - len(denied))]
        return found[: self.max_links]

    def link_one(self, claim: CaseClaim) -> list[Link]:
        """Links of one claim against the index, without indexing it."""
        return self._links(self._resolve(claim_features(claim)))

    def _links(self, f: ClaimFeatures) -> list[Link]:
        out = []
        for j, other, _ in self._judge(f):
            cid = other.id
            a, b = (f.id, cid) if f.id < cid else (cid, f.id)
            # judge's reason stops before the shared words: relate's labels would be
            # replaced by the claims' own words here anyway
            fa, fb = (f, other) if f.id < cid else (other, f)
            reason = f"{j.reason}shared: {shared_words(fa, fb, j.shared)}"
            # valid by construction (a < b, confidence in [0.5, 0.99]): no validation pass
            out.append(machine_link(a, b, j.relation, j.confidence, reason, j.origin_claim))
        return out

    def add(self, claims: Iterable[CaseClaim]) -> list[Link]:
        """Link each new claim against everything indexed so far, then index it.

        Claims already in the index are skipped. Returns the new links.
        """
        links: list[Link] = []
        for claim in claims:
            if claim.id in self:
                continue
            f = self._resolve(claim_features(claim))
            links.extend(self._links(f))
            self._insert(f)
        return links

    def add_features(self, features: Iterable[ClaimFeatures]) -> list[Link]:
        """:meth:`add` for claims whose ``claim_features`` were computed elsewhere
        (e.g. in the extraction worker processes, with ``id`` and ``article_id`` set
        afterwards by ``dataclasses.replace``), so that the single writer does not
        analyse the texts. Gives exactly the links of :meth:`add` on the claims."""
        links: list[Link] = []
        for raw in features:
            if raw.id in self:
                continue
            f = self._resolve(raw)
            links.extend(self._links(f))
            self._insert(f)
        return links

    def extend_features(self, features: Iterable[ClaimFeatures]) -> None:
        """:meth:`extend` for precomputed ``claim_features`` (see :meth:`add_features`)."""
        for raw in features:
            if raw.id not in self:
                self._insert(self._resolve(raw))


def link_claims(claims: Iterable[CaseClaim], **options: Any) -> list[Link]:
    """All machine links among ``claims`` (batch use of :class:`LinkIndex`)."""
    return LinkIndex(**options).add(claims)


def relation_counts(links: Iterable[Link]) -> dict[Relation, int]:
    out: dict[Relation, int] = {}
    for link in links:
        out[link.relation] = out.get(link.relation, 0) + 1
    return out
