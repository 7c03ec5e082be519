"""Text normalisation for linking: tokens, stems, concepts, entities, numbers, polarity.

Everything here is pure and deterministic. The word lists and the entity table
are data files shipped in ``claimtrack/linking/data`` and read once through
importlib.resources.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from claimtrack.models import CaseClaim, SourceKind, Stance

# numbers; abbreviations ("U.S."); words with an apostrophe ("Russia's"); "%". The
# possessive quantifiers only stop the engine backtracking into a letter run (the
# same tokens as without them, about twice as fast).
_TOKEN = re.compile(r"\d[\d,]*+(?:\.\d+)?|[A-Za-z]++(?:(?:\.[A-Za-z])+\.?|(?:['’][A-Za-z]+)?)|%")
SCOPE_BEFORE = 3
SCOPE_AFTER = 4
MAX_WEIGHT = 6.0
NUMBER_WEIGHT = 4.0
_MULTIPLIERS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_EMPTY: frozenset[str] = frozenset()
# country forms of sources/data/places.csv that name something else as often as the
# country in news (counted in PolNeAR train and FNC-1 train bodies): the US state,
# "Feel the Bern", first and family names, American towns, a language, a gulf
COUNTRY_FORMS_SKIPPED = frozenset(
    (
        "Georgia",
        "Jordan",
        "Bern",
        "Santiago",
        "Lima",
        "Sofia",
        "Wellington",
        "Dublin",
        "English",
        "Persian",
    )
)
_DEMONSTRATIVES = frozenset(("these", "those", "this", "such"))
_NUMBER_WORDS = frozenset(("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"))
_PRONOUNS = frozenset(("it", "them"))
_PRONOUN_HEADS = frozenset(("to", "with", "for", "against", "on", "from", "by"))
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_SUFFIXES = (
    ("ations", ""),
    ("ation", ""),
    ("ating", ""),
    ("ated", ""),
    ("ates", ""),
    ("ings", ""),
    ("ing", ""),
    ("ions", ""),
    ("ion", ""),
    ("ments", ""),
    ("ment", ""),
    ("ied", "y"),
    ("ies", "y"),
    ("edly", ""),
    ("ed", ""),
    ("es", ""),
    ("ly", ""),
    ("s", ""),
)


WEIGHT_STEP = 1.0 / 65536.0


def exact_weight(w: float) -> float:
    """``w`` on a grid of 2^-16: sums of such weights (up to 2^36) are exact in any
    order, so a claim's concept weights, summed in its frozenset's iteration order
    (which follows the hash seed of the process that built or unpickled it), give
    the same float in every process and every run."""
    return round(w * 65536.0) * WEIGHT_STEP


def _read_json(name: str) -> Any:
    ref = resources.files("claimtrack.linking").joinpath("data", name)
    return json.loads(ref.read_text(encoding="utf-8"))


_STEMS: dict[str, str] = {}
_MEMO_MAX = 200_000  # entries per memo (words, tokens, stems), cleared when full


def stem(word: str) -> str:
    """A light suffix-stripping stem ("negotiations", "negotiating" -> "negoti"), memoised."""
    s = _STEMS.get(word)
    if s is None:
        if len(_STEMS) >= _MEMO_MAX:
            _STEMS.clear()
        s = _STEMS[word] = _stem(word)
    return s


def _stem(word: str) -> str:
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) <= 4:
        return w
    for suffix, repl in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            if suffix == "s" and w.endswith("ss"):
                break
            w = w[: len(w) - len(suffix)] + repl
            break
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


@dataclass(frozen=True, slots=True)
class WordInfo:
    """What analyse needs to know about one lower-cased word (memoised per word)."""

    concept: str | None  # its concept key, None for stopwords, negations, one letter
    negation: bool
    denial: bool
    hedge: bool
    date: str | None  # "m:june", "d:monday"
    demonstrative: bool
    stop: bool
    number_word: bool
    pronoun: bool
    flags: bool  # denial or hedge or date


@dataclass(frozen=True, slots=True)
class Entity:
    key: str
    kind: str  # country | city | region | org | person
    within: str | None


class Lexicon:
    """The linking word lists and entity table, loaded once."""

    def __init__(self) -> None:
        lex = _read_json("lexicon.json")
        self.stopwords: frozenset[str] = frozenset(w.lower() for w in lex["stopwords"])
        self.negations: frozenset[str] = frozenset(lex["negations"])
        self.denial_words: frozenset[str] = frozenset(w for w in lex["denial_cues"] if " " not in w)
        self.denial_phrases: tuple[str, ...] = tuple(w for w in lex["denial_cues"] if " " in w)
        self.hedges: frozenset[str] = frozenset(lex["hedges"])
        self.denial_frames: frozenset[str] = frozenset(stem(w) for w in lex["denial_frames"])
        self.not_negating: tuple[tuple[str, ...], ...] = tuple(
            tuple(p.split()) for p in lex["not_negating"]
        )
        # word -> the non-negating phrases it occurs in, with its position there
        idiom_at: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for phrase in self.not_negating:
            for pos, w in enumerate(phrase):
                idiom_at.setdefault(w, []).append((phrase, pos))
        self.idiom_at: dict[str, tuple[tuple[tuple[str, ...], int], ...]] = {
            w: tuple(e) for w, e in idiom_at.items()
        }
        concept: dict[str, str] = {}
        for group in lex["synonyms"]:
            key = "~" + stem(group[0])
            for word in group:
                concept.setdefault(stem(word), key)
        self.concept = concept
        # predicate classes; a family ("kill wound loss") counts as one predicate
        self.event_family: dict[str, str] = {}
        for family in lex.get("events", ()):
            heads = ["~" + stem(w) for w in family.split()]
            for h in heads:
                self.event_family[h] = heads[0]
        self.events: frozenset[str] = frozenset(self.event_family)
        ents = _read_json("entities.json")["entities"]
        self.entities: dict[str, Entity] = {}
        self.alias_ci: dict[tuple[str, ...], str] = {}
        self.alias_cs: dict[tuple[str, ...], str] = {}
        for key, spec in ents.items():
            self.entities[key] = Entity(key, spec["kind"], spec.get("within"))
            for alias in spec["aliases"]:
                toks = tuple(t.rstrip(".") for t in _TOKEN.findall(alias))
                if any(c.isupper() for c in alias):
                    self.alias_cs.setdefault(toks, key)
                else:
                    self.alias_ci.setdefault(tuple(t.lower() for t in toks), key)
        self._add_countries(ents)
        self.max_alias = max(len(k) for k in (*self.alias_ci, *self.alias_cs))
        # lower-cased first tokens of all aliases: most tokens start none
        self.alias_first: frozenset[str] = frozenset(
            k[0].lower() for k in (*self.alias_ci, *self.alias_cs)
        )
        # lower-cased first token -> the lengths of the aliases it starts, longest first
        lens: dict[str, set[int]] = {}
        for k in (*self.alias_ci, *self.alias_cs):
            lens.setdefault(k[0].lower(), set()).add(len(k))
        self.alias_lens: dict[str, tuple[int, ...]] = {
            w: tuple(sorted(ms, reverse=True)) for w, ms in lens.items()
        }
        idf = _read_json("idf.json")
        n_docs = idf["n_docs"]
        self._weights: dict[str, float] = {
            k: exact_weight(min(MAX_WEIGHT, math.log((n_docs + 1) / (v + 1))))
            for k, v in idf["df"].items()
        }
        self._unseen = exact_weight(min(MAX_WEIGHT, math.log((n_docs + 1) / idf["min_df"])))
        media = _read_json("media.json")["outlets"]
        self.outlet_ci: dict[str, str] = {}
        self.outlet_cs: dict[str, str] = {}
        for key, aliases in media.items():
            for alias in aliases:
                if any(c.isupper() for c in alias):
                    self.outlet_cs[alias] = key
                else:
                    self.outlet_ci[alias] = key

        # memos: token -> (cleaned, lower-cased); lower-cased word -> WordInfo
        self.forms: dict[str, tuple[str, str]] = {}
        self.words: dict[str, WordInfo] = {}
        self.keys: dict[str, str] = {}
        self.outlets: dict[str, str | None] = {}  # text -> outlet (memo of outlet)

    def _add_countries(self, ents: dict[str, Any]) -> None:
        """Countries of the source resolver's table (``sources/data/places.csv``: name,
        demonyms, other names, capital and government metonyms) that entities.json
        lacks, and the forms it lacks for those it has ("Kenyan" / "Nairobi" ->
        kenya). A form already known in any case keeps its entity (Tobruk stays a
        city of Libya); forms in ``COUNTRY_FORMS_SKIPPED`` name something else as
        often as the country."""
        from claimtrack.sources.lexicon import countries

        known = {tuple(t.lower() for t in k) for k in (*self.alias_ci, *self.alias_cs)}
        for c in countries():
            key = c.name.lower()
            if key not in self.entities:
                self.entities[key] = Entity(key, "country", None)
            elif self.entities[key].kind != "country":
                continue
            for alias in (c.name, *c.aliases, *c.demonyms, *c.metonyms):
                if alias.lower().startswith("the "):
                    alias = alias[4:]
                toks = tuple(t.rstrip(".") for t in _TOKEN.findall(alias))
                low = tuple(t.lower() for t in toks)
                if not toks or low in known or alias in COUNTRY_FORMS_SKIPPED:
                    continue
                if len(toks) == 1 and (toks[0].endswith("'s") or toks[0].endswith("’s")):
                    continue  # "Russia's": tokens are matched without the 's
                known.add(low)
                self.alias_cs.setdefault(toks, key)

    def form(self, tok: str) -> tuple[str, str]:
        """A token as cleaned ("Russia's" -> "Russia") and lower-cased (memoised)."""
        raw = _clean(tok)
        out = (raw, raw.lower().replace("’", "'"))
        if len(self.forms) >= _MEMO_MAX:
            self.forms.clear()
        self.forms[tok] = out
        return out

    def key(self, tok: str) -> str:
        """The concept key of a token of lower-cased text, stopwords included (memoised)."""
        s = stem(_clean(tok))
        key = self.concept.get(s, s)
        if len(self.keys) >= _MEMO_MAX:
            self.keys.clear()
        self.keys[tok] = key
        return key

    def word(self, lo: str) -> WordInfo:
        """The :class:`WordInfo` of a lower-cased word (memoised)."""
        negation = lo in self.negations or lo.endswith("n't")
        stop = lo in self.stopwords
        denial = lo in self.denial_words
        hedge = lo in self.hedges
        date = None
        if lo in _MONTHS and lo != "may":
            date = "m:" + lo
        elif lo in _WEEKDAYS:
            date = "d:" + lo
        concept = None
        if not (stop or len(lo) < 2 or lo in self.negations):
            s = stem(lo)
            concept = self.concept.get(s, s)
        info = WordInfo(
            concept=concept,
            negation=negation,
            denial=denial,
            hedge=hedge,
            date=date,
            demonstrative=lo in _DEMONSTRATIVES,
            stop=stop,
            number_word=lo in _NUMBER_WORDS,
            pronoun=lo in _PRONOUNS,
            flags=denial or hedge or date is not None,
        )
        if len(self.words) >= _MEMO_MAX:
            self.words.clear()
        self.words[lo] = info
        return info

    def weight(self, concept: str) -> float:
        """An IDF weight for a concept (numbers count as rare words)."""
        if concept.startswith("n:"):
            return NUMBER_WEIGHT
        return self._weights.get(concept, self._unseen)

    def outlet(self, text: str | None) -> str | None:
        """The canonical outlet named in ``text`` ("a recent report from Reuters" -> reuters),
        memoised (a case names its speakers and cited sources over and over)."""
        if not text:
            return None
        memo = self.outlets
        if text in memo:
            return memo[text]
        out = self._outlet(text)
        if len(memo) >= _MEMO_MAX:
            memo.clear()
        memo[text] = out
        return out

    def _outlet(self, text: str) -> str | None:
        toks = [t.rstrip(".") for t in _TOKEN.findall(text)]
        low = [t.lower() for t in toks]
        for n in (4, 3, 2, 1):
            for i in range(len(toks) - n + 1):
                cs = " ".join(toks[i : i + n])
                if cs in self.outlet_cs:
                    return self.outlet_cs[cs]
                ci = " ".join(low[i : i + n])
                if ci in self.outlet_ci:
                    return self.outlet_ci[ci]
        return None


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon()


@dataclass(frozen=True, slots=True)
class Number:
    value: float
    unit: str  # concept key of the counted noun ("~troop", "km"), "" if none
    text: str  # as written, for reasons ("100,000 troops")


@dataclass(frozen=True, slots=True)
class TextFeatures:
    """What linking needs from a piece of text."""

    concepts: frozenset[str]  # stems / synonym-group keys / "e:" entities / "n:" numbers
    order: tuple[str, ...]  # concept keys in text order (for fuzzy matching)
    entities: frozenset[str]  # canonical entity keys
    places: frozenset[str]  # canonical place keys (countries, cities, regions)
    numbers: tuple[Number, ...]
    dates: frozenset[str]  # "y:2014", "m:june", "d:monday"
    negation: str | None  # the negation cue, if the text is negated
    negation_scope: frozenset[str]  # concepts near a negation cue (3 before, 4 after)
    denial: str | None  # a denial / refuting cue in the text
    hedges: tuple[str, ...]
    # concepts named after a demonstrative ("these talks"): presupposed, not asserted
    anaphoric: frozenset[str] = frozenset()
    # an object pronoun ("supply it with") whose referent is outside the text
    object_pronoun: bool = False
    # predicate families the text asserts: event classes not in a demonstrative
    # phrase and not modifying a noun class ("attack drones" names drones)
    predicates: frozenset[str] = frozenset()


def _frozen(items: set[str]) -> frozenset[str]:
    """A frozenset of ``items``; the empty ones share one object (memory per claim)."""
    return frozenset(items) if items else _EMPTY


def _is_number(tok: str) -> bool:
    return tok[0].isdigit()


def _clean(tok: str) -> str:
    if _is_number(tok):
        return tok.rstrip(".,")
    tok = tok.rstrip(".")
    if tok.endswith(("'s", "’s")):
        return tok[:-2]
    return tok


def _idiom(low: list[str], i: int, lex: Lexicon) -> bool:
    """Whether the negation word at ``i`` is part of a non-negating phrase."""
    word = low[i]
    at = lex.idiom_at
    entries = at.get(word, ())
    if word.endswith("n't") and word != "not":
        entries = (*entries, *at.get("not", ()))
    n = len(low)
    for phrase, k in entries:
        start = i - k
        if start < 0 or start + len(phrase) > n:
            continue
        for m, w in enumerate(phrase):
            if m != k and low[start + m] != w:
                break
        else:
            return True
    return False


def analyse(text: str) -> TextFeatures:
    """Tokens, concepts, entities, numbers and polarity cues of ``text``."""
    lex = lexicon()
    toks = _TOKEN.findall(text)
    forms = lex.forms
    pairs = [forms.get(t) or lex.form(t) for t in toks]
    raw = [p[0] for p in pairs]
    low = [p[1] for p in pairs]
    n = len(raw)
    ent_at: dict[int, tuple[str, int]] = {}
    i = 0
    while i < n:
        hit = None
        if low[i] not in lex.alias_first:
            i += 1
            continue
        for m in lex.alias_lens[low[i]]:
            if m > n - i:
                continue
            key = lex.alias_cs.get(tuple(raw[i : i + m])) or lex.alias_ci.get(tuple(low[i : i + m]))
            if key is not None:
                hit = (key, m)
                break
        if hit is not None:
            ent_at[i] = hit
            i += hit[1]
        else:
            i += 1
    concepts: set[str] = set()
    order: list[str] = []
    entities: set[str] = set()
    places: set[str] = set()
    numbers: list[Number] = []
    dates: set[str] = set()
    negation: str | None = None
    scope: set[str] = set()
    scope_left = 0
    denial: str | None = None
    hedges: list[str] = []
    anaphoric: set[str] = set()
    demo_left = 0
    object_pronoun = False
    word_at: dict[int, str] = {}
    word_info = lex.words
    skip_until = -1
    i = 0
    while i < n:
        if i in ent_at:
            key, m = ent_at[i]
            ent = lex.entities[key]
            entities.add(key)
            ck = "e:" + key
            concepts.add(ck)
            order.append(ck)
            if scope_left > 0:
                scope.add(ck)
                scope_left -= 1
            demo_left = 0
            if ent.kind in ("country", "city", "region"):
                places.add(key)
            if ent.within:
                concepts.add("e:" + ent.within)
            i += m
            continue
        tok, lo = raw[i], low[i]
        if tok[0].isdigit():
            if i <= skip_until:
                i += 1
                continue
            try:
                value = float(tok.replace(",", ""))
            except ValueError:
                i += 1
                continue
            j = i + 1
            if j < n and low[j] in _MULTIPLIERS:
                value *= _MULTIPLIERS[low[j]]
                j += 1
            unit = ""
            unit_end = j
            for k in range(j, min(j + 3, n)):
                if k in ent_at or _is_number(raw[k]):
                    continue
                if low[k] == "%" or low[k] == "percent":
                    unit = "%"
                    unit_end = k + 1
                    break
                if low[k] in lex.stopwords or low[k] in ("and", "or"):
                    continue
                s = stem(low[k])
                unit = lex.concept.get(s, s)
                unit_end = k + 1
                break
            if "," not in tok and "." not in tok and len(tok) == 4 and 1900 <= value <= 2100:
                dates.add(f"y:{int(value)}")
            else:
                numbers.append(Number(value, unit, " ".join(raw[i:unit_end])))
                ck = f"n:{value:g}"
                concepts.add(ck)
                order.append(ck)
                if scope_left > 0:
                    scope.add(ck)
                    scope_left -= 1
            i += 1
            continue
        info = word_info.get(lo) or lex.word(lo)
        if info.negation and not _idiom(low, i, lex):
            negation = negation or lo
            scope.update(order[-SCOPE_BEFORE:])
            scope_left = SCOPE_AFTER
        if info.flags:
            if info.denial:
                denial = denial or lo
            if info.hedge:
                hedges.append(lo)
            if info.date is not None:
                dates.add(info.date)
        if info.demonstrative:
            demo_left = 2
        elif demo_left and info.stop and not info.number_word:
            demo_left = 0  # the noun phrase after the demonstrative ended
        elif (
            info.pronoun
            and i > 0
            and (low[i - 1] in _PRONOUN_HEADS or low[i - 1] not in lex.stopwords)
        ):
            object_pronoun = True
        if info.concept is None:
            i += 1
            continue
        ck = info.concept
        concepts.add(ck)
        order.append(ck)
        word_at[i] = ck
        if demo_left > 0:
            anaphoric.add(ck)
            demo_left -= 1
        if scope_left > 0:
            scope.add(ck)
            scope_left -= 1
        i += 1
    if denial is None:
        lowtext = " ".join(low)
        for phrase in lex.denial_phrases:
            if phrase in lowtext:
                denial = phrase
                break
    return TextFeatures(
        concepts=frozenset(concepts),
        order=tuple(order),
        entities=_frozen(entities),
        places=_frozen(places),
        numbers=tuple(numbers),
        dates=_frozen(dates),
        negation=negation,
        negation_scope=_frozen(scope),
        denial=denial,
        hedges=tuple(hedges),
        anaphoric=_frozen(anaphoric),
        object_pronoun=object_pronoun,
        predicates=_predicates(word_at, anaphoric, _framed(low), low, lex) if word_at else _EMPTY,
    )


_POSSESSIVES = frozenset(("its", "their", "his", "her", "our", "my", "your"))
_NO_POSITIONS: frozenset[int] = frozenset()


def _framed(low: list[str]) -> frozenset[int]:
    """Positions right after a possessive pronoun ("its invasion", "their war"): an
    event already known, the setting of the claim, not what the claim says happens
    ("Russia's relocation of assets" can be the point, so names do not frame)."""
    if _POSSESSIVES.isdisjoint(low):
        return _NO_POSITIONS
    return frozenset(i + 1 for i, t in enumerate(low[:-1]) if t in _POSSESSIVES)


_VERB_BEFORE = frozenset(
    [
        "to",
        "will",
        "would",
        "can",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "should",
        "did",
        "does",
        "do",
        "not",
        "never",
        "we",
        "they",
        "i",
        "you",
    ]
)


def _modifier(i: int, low: list[str], word_at: dict[int, str], family: dict[str, str]) -> bool:
    """An event word in its bare form before a noun class, not after a modal or "to":
    "Iranian attack drones" names drones; "will supply components" is a predicate."""
    nxt = word_at.get(i + 1)
    if nxt is None or not nxt.startswith("~") or nxt in family:
        return False
    if low[i].endswith(("s", "ed", "ing")):
        return False
    return i == 0 or low[i - 1] not in _VERB_BEFORE


def _predicates(
    word_at: dict[int, str],
    anaphoric: set[str],
    framed: frozenset[int],
    low: list[str],
    lex: Lexicon,
) -> frozenset[str]:
    family = lex.event_family
    out = set()
    for i, ck in word_at.items():
        if ck not in family or ck in anaphoric or i in framed:
            continue
        if _modifier(i, low, word_at, family):
            continue  # a modifier of a noun class: "attack drones", "supply ships"
        out.add(family[ck])
    return _frozen(out)


_SPEAKER_KEYS: dict[tuple[str, SourceKind], str] = {}


def speaker_key(name: str | None, kind: SourceKind) -> str | None:
    """A normalised identity for a speaker: outlets and entities by canonical key
    (memoised: a case's speakers recur)."""
    if not name:
        return None
    memo = _SPEAKER_KEYS
    out = memo.get((name, kind))
    if out is None:
        out = _speaker_key(name, kind)
        if len(memo) >= _MEMO_MAX:
            memo.clear()
        memo[(name, kind)] = out
    return out


def _speaker_key(name: str, kind: SourceKind) -> str:
    lex = lexicon()
    outlet = lex.outlet(name)
    if outlet is not None and (kind in (SourceKind.MEDIA, SourceKind.UNKNOWN)):
        return "media:" + outlet
    low = name.lower().strip()
    for prefix in ("the ", "a ", "an "):
        if low.startswith(prefix):
            low = low[len(prefix) :]
    toks = tuple(t.rstrip(".") for t in _TOKEN.findall(low))
    ent = lex.alias_ci.get(toks)
    if ent is not None and kind in (SourceKind.GOVERNMENT, SourceKind.ORGANIZATION):
        return f"{kind.value}:{ent}"
    return f"{kind.value}:{' '.join(toks)}"


@dataclass(frozen=True, slots=True)
class ClaimFeatures:
    """The compact record the link index keeps per claim."""

    id: int
    article_id: int
    text: TextFeatures
    norm: str  # concept keys joined, for rapidfuzz
    lowered: str  # the content, lower-cased and whitespace-collapsed
    denies: bool
    speaker: str | None
    speaker_kind: SourceKind
    cited: str | None  # canonical outlet being relayed
    speaker_outlet: str | None  # canonical outlet the speaker is, if media
    published: date | None

    @property
    def polarity_cue(self) -> str | None:
        """Why this claim is negative: a denial stance, a negation or a denial word."""
        if self.denies:
            return "denies"
        return self.text.negation


def claim_features(claim: CaseClaim) -> ClaimFeatures:
    lex = lexicon()
    tf = analyse(claim.content)
    if claim.stance == Stance.DENIES:
        # "denies any knowledge of X" denies X: drop the framing words
        kept = tuple(c for c in tf.order if c not in lex.denial_frames)
        if kept:
            tf = replace(tf, concepts=tf.concepts - lex.denial_frames, order=kept)
    speaker_outlet = None
    if claim.source_kind in (SourceKind.MEDIA, SourceKind.UNKNOWN):
        speaker_outlet = lex.outlet(claim.speaker) or (
            lex.outlet(claim.source_text) if claim.source_kind == SourceKind.MEDIA else None
        )
    cited = lex.outlet(claim.cited) if claim.cited else None
    return ClaimFeatures(
        id=claim.id,
        article_id=claim.article_id,
        text=tf,
        norm=" ".join(tf.order),
        lowered=" ".join(claim.content.lower().split()),
        denies=claim.stance == Stance.DENIES,
        speaker=speaker_key(claim.speaker or claim.source_text, claim.source_kind),
        speaker_kind=claim.source_kind,
        cited=cited,
        speaker_outlet=speaker_outlet,
        published=claim.published,
    )


_WORDS_MEMO: dict[str, dict[str, str]] = {}
_WORDS_MEMO_MAX = 8192  # texts (a claim's, then its copies' and its links' partners)


def _first_words(text: str) -> dict[str, str]:
    """Concept key -> the first word of lowered ``text`` with that key (cleaned;
    numbers skipped), memoised per text: a claim's text is read for each of its
    links, and a story's copies share their texts."""
    words = _WORDS_MEMO.get(text)
    if words is None:
        lex = lexicon()
        keys = lex.keys
        words = {}
        for tok in _TOKEN.findall(text):
            if tok[0].isdigit():
                continue
            key = keys.get(tok) or lex.key(tok)
            if key not in words:
                words[key] = _clean(tok)
        if len(_WORDS_MEMO) >= _WORDS_MEMO_MAX:
            _WORDS_MEMO.clear()
        _WORDS_MEMO[text] = words
    return words


def shared_words(a: ClaimFeatures, b: ClaimFeatures, shared: Sequence[str], limit: int = 8) -> str:
    """The shared concepts as words of the claims ("negotiations", "Russia", "300"):
    each concept as the first word of a's text that has it, else of b's."""
    out = []
    wa: dict[str, str] | None = None
    wb: dict[str, str] | None = None
    for c in shared[:limit]:
        if c.startswith(("e:", "n:")):
            out.append(c[2:])
            continue
        if wa is None:
            wa = _first_words(a.lowered)
        word = wa.get(c)
        if word is None:
            if wb is None:
                wb = _first_words(b.lowered)
            word = wb.get(c)
        out.append(c.lstrip("~") if word is None else word)
    return ", ".join(out)
