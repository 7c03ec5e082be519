"""Decide the relation between two claims from their features.

``relate(a, b)`` returns a :class:`Judgement` (relation, confidence, reason) or
None when the two claims are not about the same proposition. The rules:

* similarity = weighted overlap of concepts (stems, synonym groups, normalised
  entities, numbers) blended with rapidfuzz's token-set ratio on the concept
  strings;
* ``contradicts`` when the two are about the same proposition and one denies or
  negates it while the other asserts it, or when they carry incompatible values
  (numbers with the same unit, years or weekdays, two different places at the same
  level, e.g. Tobruk vs Benghazi);
* otherwise ``repeats`` when both trace to one origin (the same cited outlet, one
  claim's speaker is the outlet the other cites, near-identical text in two
  articles, the same anonymous source in two articles), else ``corroborates``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import partial

from rapidfuzz import fuzz

from claimtrack.linking.text import ClaimFeatures, Number, lexicon
from claimtrack.models import Relation, SourceKind

# thresholds on the blended similarity in [0, 1]
LINK_MIN = 0.42  # same or entailed proposition
NEGATION_MIN = 0.30  # a denial needs less: its content is often short
VALUE_MIN = 0.45  # conflicting values on otherwise matching propositions
ACTOR_MIN = 0.80  # different countries on an otherwise identical proposition
PROPOSITION_MIN = 0.30  # the same predicate class and a shared argument need less
NEAR_DUPLICATE = 92.0  # rapidfuzz ratio on lowered text: a re-run story
SHARED_MIN = 9.0  # IDF weight of the shared concepts below which similarity is damped


@dataclass(frozen=True, slots=True)
class Judgement:
    relation: Relation
    confidence: float
    reason: str
    origin_claim: int | None = None
    shared: tuple[str, ...] = ()  # the shared concept keys
    similarity: float = 0.0  # the blended similarity (ranks links of equal confidence)


def _weight(concept: str) -> float:
    return lexicon().weight(concept)


def _label(concept: str) -> str:
    if concept[:2] in ("e:", "n:"):
        return concept[2:]
    return concept.lstrip("~")


Weights = Mapping[str, float]


def similarity(
    a: ClaimFeatures, b: ClaimFeatures, weight: Weights | None = None
) -> tuple[float, list[str]]:
    """Blended similarity in [0, 1] and the shared concepts (sorted).

    Concepts are weighted by IDF (``data/idf.json``). A pair whose shared
    concepts weigh less than SHARED_MIN (two or three salient words) is damped,
    unless one side is tiny (a short denied content such as "any knowledge of
    these negotiations").
    """
    return _similarity(a, b, weight, 0.0)


def _similarity(
    a: ClaimFeatures,
    b: ClaimFeatures,
    weight: Weights | None,
    floor: float,
    sums: tuple[float, float] | None = None,
) -> tuple[float, list[str]]:
    """:func:`similarity`, or (0.0, []) as soon as it is certain to be below ``floor``
    (the fuzzy ratio, the costly part, is bounded by 1 before it is computed).
    ``sums``: the weights of a's and b's concepts summed (as here), if known."""
    ca, cb = a.text.concepts, b.text.concepts
    shared = ca & cb
    if not shared:
        return 0.0, []
    if weight is None:
        weight = {c: _weight(c) for c in ca | cb}
    w = weight.__getitem__
    if sums is None:
        wa = sum(map(w, ca))
        wb = sum(map(w, cb))
    else:
        wa, wb = sums
    ws = sum(map(w, shared))
    dice = 2.0 * ws / (wa + wb)
    cont = ws / min(wa, wb)
    short = (a.denies or b.denies) and min(len(ca), len(cb)) <= 2
    damp = 1.0
    if len(shared) < 2 and not short or all(c.startswith("e:") for c in shared):
        damp = 0.6
    elif ws < SHARED_MIN and not short:
        damp = 0.5 + 0.5 * ws / SHARED_MIN
    if floor > 0.0 and (0.5 * dice + 0.25 * cont + 0.25) * damp < floor:
        return 0.0, []
    fz = fuzz.token_set_ratio(a.norm, b.norm) / 100.0
    sim = 0.5 * dice + 0.25 * cont + 0.25 * fz
    if damp != 1.0:
        sim *= damp
    return sim, sorted(shared)


def negative(c: ClaimFeatures) -> str | None:
    """The cue that makes a claim deny its content (stance, negation), else None."""
    neg = c.text.negation
    if c.denies:
        return None if neg else "denies"
    return neg


def _negation_applies(a: ClaimFeatures, b: ClaimFeatures) -> bool:
    """The negated claim's negation scope covers at least two concepts of the other."""
    neg, other = (a, b) if a.text.negation else (b, a)
    return len(neg.text.negation_scope & other.text.concepts) >= 2


def _numbers_conflict(a: tuple[Number, ...], b: tuple[Number, ...]) -> tuple[Number, Number] | None:
    if not a or not b:
        return None
    for na in a:
        same_unit = [nb for nb in b if nb.unit == na.unit or not nb.unit or not na.unit]
        if not same_unit:
            continue
        if any(_close(na.value, nb.value) for nb in same_unit):
            continue
        exact_unit = [nb for nb in same_unit if nb.unit == na.unit and na.unit]
        other = (exact_unit or same_unit)[0]
        # a value of b that matches some value of a is not a conflict
        if any(_close(other.value, x.value) for x in a):
            continue
        return na, other
    return None


def _close(x: float, y: float) -> bool:
    return abs(x - y) <= 0.1 * max(abs(x), abs(y))


def _places_conflict(a: ClaimFeatures, b: ClaimFeatures) -> tuple[str, str] | None:
    lex = lexicon()
    only_a = sorted(a.text.places - b.text.places)
    only_b = sorted(b.text.places - a.text.places)
    for pa in only_a:
        ea = lex.entities[pa]
        if ea.within and ea.within in b.text.places:
            continue
        for pb in only_b:
            eb = lex.entities[pb]
            if eb.within and eb.within in a.text.places:
                continue
            if ea.kind == eb.kind and ea.kind in ("city", "region") and ea.within == eb.within:
                return pa, pb
    return None


_COUNTRIES: dict[frozenset[str], frozenset[str]] = {}


def _countries(entities: frozenset[str]) -> frozenset[str]:
    """The countries among a claim's entities (memoised per entity set)."""
    out = _COUNTRIES.get(entities)
    if out is None:
        ents = lexicon().entities
        out = frozenset(e for e in entities if ents[e].kind == "country")
        if len(_COUNTRIES) >= 100_000:
            _COUNTRIES.clear()
        _COUNTRIES[entities] = out
    return out


def _actors_differ(a: ClaimFeatures, b: ClaimFeatures) -> tuple[str, str] | None:
    """Two claims naming different countries and no common one ("Russian" vs "Ukrainian")."""
    ca = _countries(a.text.entities)
    if not ca:
        return None
    cb = _countries(b.text.entities)
    if cb and not (ca & cb):
        lex = lexicon()
        within_a = {lex.entities[p].within for p in a.text.places}
        within_b = {lex.entities[p].within for p in b.text.places}
        if ca & within_b or cb & within_a:
            return None
        return min(ca), min(cb)
    return None


def _dates_conflict(a: ClaimFeatures, b: ClaimFeatures) -> tuple[str, str] | None:
    if not a.text.dates or not b.text.dates:
        return None
    for prefix in ("y:", "d:", "m:"):
        da = {d for d in a.text.dates if d.startswith(prefix)}
        db = {d for d in b.text.dates if d.startswith(prefix)}
        if da and db and not (da & db):
            return min(da)[2:], min(db)[2:]
    return None


def _origin(a: ClaimFeatures, b: ClaimFeatures) -> tuple[int, str] | None:
    """(origin claim id, why) when both claims trace back to one report."""
    if a.cited and a.cited == b.cited:
        return _earliest(a, b), f"both cite {a.cited}"
    if a.speaker_outlet and a.speaker_outlet == b.cited:
        return a.id, f"{b.id} relays {a.speaker_outlet}"
    if b.speaker_outlet and b.speaker_outlet == a.cited:
        return b.id, f"{a.id} relays {b.speaker_outlet}"
    if a.article_id != b.article_id:
        same_values = a.text.entities == b.text.entities and {n.value for n in a.text.numbers} == {
            n.value for n in b.text.numbers
        }
        if same_values:
            ratio = fuzz.ratio(a.lowered, b.lowered)
            if ratio >= NEAR_DUPLICATE:
                return _earliest(a, b), f"near-identical text ({ratio:.0f}%) in two articles"
        if (
            a.speaker_kind == SourceKind.ANONYMOUS
            and b.speaker_kind == SourceKind.ANONYMOUS
            and a.speaker
            and a.speaker == b.speaker
        ):
            return _earliest(a, b), f"the same anonymous source ({a.speaker.split(':', 1)[1]})"
    return None


def _earliest(a: ClaimFeatures, b: ClaimFeatures) -> int:
    ka = (a.published is None, a.published, a.id)
    kb = (b.published is None, b.published, b.id)
    return a.id if ka <= kb else b.id


def _nested(a: ClaimFeatures, b: ClaimFeatures) -> bool:
    """One claim's content contains the other's, in one article, and no second speaker
    vouches for it: a claim and its frame ("rising threats as X"), one report."""
    if a.article_id != b.article_id:
        return False
    if a.speaker and b.speaker and a.speaker != b.speaker:
        return False  # two named speakers in one article are two sources
    short, long = (
        (a.lowered, b.lowered) if len(a.lowered) <= len(b.lowered) else (b.lowered, a.lowered)
    )
    return len(short) >= 12 and short in long


def _presupposes_only(asserting: ClaimFeatures, shared: list[str]) -> bool:
    """The shared content words of the asserting claim are all in a demonstrative phrase.

    "these talks are a response to ..." presupposes the talks; it does not assert
    them, so a denial of the talks contradicts the claims that report them, not it.
    """
    words = [c for c in shared if not c.startswith(("e:", "n:"))]
    return bool(words) and all(c in asserting.text.anaphoric for c in words)


def events_differ(a: ClaimFeatures, b: ClaimFeatures) -> bool:
    """Two claims of one article assert predicate classes (negotiate, supply, attack...)
    and share none: the same story's actors, different points.

    Across articles the test is not applied: headlines of one event describe it
    with different predicates ("soldier shot" / "soldier killed"; on Emergent
    headlines it removed 72 same-story links of 4,500 and no other-story link).
    """
    if a.article_id != b.article_id:
        return False
    ea, eb = a.text.predicates, b.text.predicates
    return bool(ea) and bool(eb) and not (ea & eb)


def same_proposition(a: ClaimFeatures, b: ClaimFeatures, shared: list[str]) -> bool:
    """A shared predicate class (negotiate, supply...) and a shared argument besides it."""
    family = lexicon().event_family
    preds = a.text.predicates & b.text.predicates
    args = [c for c in shared if c not in family and not c.startswith("n:")]
    return bool(preds) and bool(args)


def _shared_text(shared: list[str]) -> str:
    return ", ".join(_label(c) for c in shared[:8])


def relate(a: ClaimFeatures, b: ClaimFeatures, weight: Weights | None = None) -> Judgement | None:
    """The relation between two claims, or None if they are not about one proposition.

    ``weight`` overrides the concept weights (the index passes IDF weights
    discounted by how common a concept is in the case itself).
    """
    j = judge(a, b, weight)
    if j is None:
        return None
    return replace(j, reason=f"{j.reason}shared: {_shared_text(list(j.shared))}")


def _floor(a: ClaimFeatures, b: ClaimFeatures, neg_a: str | None, neg_b: str | None) -> float:
    """The lowest similarity at which any rule of :func:`judge` can link the pair:
    NEGATION_MIN for a denial against an assertion and for two claims of one article
    that share a predicate class (same_proposition), LINK_MIN otherwise. Below it
    judge skips the costly fuzzy ratio; its judgements are those of a floor of
    NEGATION_MIN for every pair."""
    if (neg_a is None) != (neg_b is None) and (a.denies or b.denies):
        return NEGATION_MIN
    if a.article_id == b.article_id and not a.text.predicates.isdisjoint(b.text.predicates):
        return NEGATION_MIN
    return LINK_MIN


def judge(
    a: ClaimFeatures,
    b: ClaimFeatures,
    weight: Weights | None = None,
    sums: tuple[float, float] | None = None,
) -> Judgement | None:
    """:func:`relate` whose reason stops before "shared: ..." (the caller adds the
    shared words for the links it keeps). ``sums``: a's and b's concept weights summed."""
    if a.id == b.id or _nested(a, b):
        return None
    neg_a, neg_b = negative(a), negative(b)
    floor = _floor(a, b, neg_a, neg_b)
    sim, shared = _similarity(a, b, weight, floor, sums)
    if sim < floor:
        return None
    mk = partial(Judgement, shared=tuple(shared), similarity=round(sim, 6))
    actors = _actors_differ(a, b)
    if actors is not None:
        if sim < ACTOR_MIN:
            return None  # the same kind of fact about different actors
        return mk(
            Relation.CONTRADICTS,
            _conf(sim, ACTOR_MIN),
            f"conflicting actors: {actors[0]} vs {actors[1]}; ",
        )
    if (neg_a is None) != (neg_b is None) and (
        a.denies or b.denies or (sim >= LINK_MIN and _negation_applies(a, b))
    ):
        cue = neg_a or neg_b
        asserting = b if neg_a else a
        if (a.denies or b.denies) and _presupposes_only(asserting, shared):
            return None
        return mk(
            Relation.CONTRADICTS,
            _conf(sim, NEGATION_MIN),
            f"denial/negation '{cue}' on the same proposition; ",
        )
    if events_differ(a, b):
        return None  # different predicates about the same actors: different points
    if sim >= VALUE_MIN:
        nums = _numbers_conflict(a.text.numbers, b.text.numbers)
        if nums is not None:
            return mk(
                Relation.CONTRADICTS,
                _conf(sim, VALUE_MIN),
                f"conflicting values: {nums[0].text} vs {nums[1].text}; ",
            )
        places = _places_conflict(a, b)
        if places is not None:
            return mk(
                Relation.CONTRADICTS,
                _conf(sim, VALUE_MIN),
                f"conflicting places: {places[0]} vs {places[1]}; ",
            )
        dates = _dates_conflict(a, b)
        if dates is not None:
            return mk(
                Relation.CONTRADICTS,
                _conf(sim, VALUE_MIN),
                f"conflicting dates: {dates[0]} vs {dates[1]}; ",
            )
    if sim < LINK_MIN and not (
        sim >= PROPOSITION_MIN and a.article_id == b.article_id and same_proposition(a, b, shared)
    ):
        return None
    origin = _origin(a, b)
    if origin is not None:
        return mk(
            Relation.REPEATS,
            _conf(sim, LINK_MIN),
            f"{origin[1]}; ",
            origin_claim=origin[0],
        )
    return mk(Relation.CORROBORATES, _conf(sim, LINK_MIN), "")


def _conf(sim: float, floor: float) -> float:
    """Map a similarity above ``floor`` to a confidence in [0.5, 0.99]."""
    x = (sim - floor) / max(1e-9, 1.0 - floor)
    return round(min(0.99, 0.5 + 0.5 * max(0.0, x)), 3)
