"""Within-article resolution: each claim's written source span -> a Speaker.

The article is indexed once (``ArticleIndex``: tokens, sentences, quotations,
mentions, entities); each claim then costs a few local look-ups around its
source span. Rules, in order, for a source span:

1. a pronoun ("he", "she", "they", "it", "I") -> the most salient compatible
   earlier entity (gender, recency, subject position, earlier speakers);
   "I"/"we" inside another claim's quotation -> that claim's speaker;
2. a document ("a recent report from Reuters", "the statement") -> its owner
   when named, else a document source;
3. a named person in the span -> that person's article entity (surname-only and
   "Mr X" mentions are linked to the full name);
4. a known outlet, organisation, government body or place (metonym) -> it;
5. "<demonym> government/military/authorities" -> a government source;
6. a definite description ("the minister", "Italy's Defense Minister",
   "the agency", "the paper") -> the entity with that role or type, nearest
   before the claim, else the first after it;
7. an anonymous descriptor ("a senior U.S. official", "analysts") -> an
   anonymous source with the descriptor as name and its affiliation;
8. impersonal evidence ("observations indicate") -> no speaker.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel

from claimtrack.models import Claim, ResolvedClaim, SourceKind, Span, Speaker
from claimtrack.sources.lexicon import (
    EntityTable,
    default_table,
    demonym_affiliation,
    first_name_gender,
    fold,
    norm_alias,
    places,
    roles,
    words,
)
from claimtrack.sources.mentions import ArticleIndex, Entity, Mention, Token, tokenize

# the lexicons of claimtrack/sources/data/words.toml, loaded once at import (as frozensets)
_WORDS = words()

PRONOUN_GENDER = {
    "he": "m",
    "him": "m",
    "his": "m",
    "himself": "m",
    "she": "f",
    "her": "f",
    "hers": "f",
    "herself": "f",
}
PLURAL_PRONOUNS = frozenset({"they", "them", "their", "themselves"})
NEUTER_PRONOUNS = frozenset({"it", "its", "itself"})
RELATIVE_PRONOUNS = frozenset({"which", "who", "whom", "that"})
FIRST_PERSON = frozenset({"i", "me", "my", "we", "us", "our"})
DETERMINERS = frozenset(
    {
        "a",
        "an",
        "the",
        "some",
        "one",
        "two",
        "three",
        "several",
        "many",
        "other",
        "another",
        "most",
        "few",
        "various",
        "numerous",
        "certain",
        "multiple",
        "these",
        "those",
        "this",
        "that",
        "such",
        "all",
        "both",
    }
)
_CLAUSE_VERBS = _WORDS.clause_verbs
_PERSON_BODIES = _WORDS.person_bodies
_SAYS = _WORDS.says_words
# words right after a subject noun phrase: verbs and auxiliaries (with _CLAUSE_VERBS, any -ed)
_VERBS = _WORDS.subject_verbs
_ADVERBS = frozenset({"also", "still", "now", "then", "often", "later", "already", "never"})
# a word before a plural in -s that makes it a verb ("he says", "it shows", "who wants")
_SUBJECT_WORDS = frozenset(
    {"he", "she", "it", "who", "which", "that", "this", "one", "everyone", "nobody", "someone"}
)
# words that end a noun phrase's modifiers on the left ("of the voters": stop at "of")
_STOP_MODIFIERS = frozenset(
    [
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "from",
        "with",
        "by",
        "and",
        "or",
        "but",
        "as",
        "than",
        "that",
        "which",
        "who",
        "whom",
        "whose",
        "about",
        "into",
        "over",
        "under",
        "after",
        "before",
        "during",
        "since",
        "while",
        "because",
        "if",
        "when",
        "where",
        "says",
        "said",
        "he",
        "she",
        "it",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "its",
        "their",
        "our",
        "my",
        "your",
        "though",
        "although",
        "yet",
        "so",
        "even",
        "also",
        "just",
        "only",
        "not",
        "more",
        "most",
        "very",
    ]
)
# singular things that "say" or "show" things: what "it" may stand for besides a body
_THINGS = _WORDS.it_things
# what "it" may be written after: "the report", "a new ad", "its statement", "his website"
_IT_DETERMINERS = frozenset(
    {"the", "this", "that", "a", "an", "its", "their", "his", "her", "our", "my", "your"}
)
# bodies written as a common noun that "it" may stand for: resolved as a phrase
# ("the Sanders campaign" -> Sanders campaign, "the Kazakh government" -> government of Kazakhstan)
_IT_BODIES = _WORDS.it_bodies
_DESCRIBED = frozenset({SourceKind.ANONYMOUS, SourceKind.DOCUMENT})
# plural nouns in -s that are not (common verbs, adverbs and the like are excluded too)
_NOT_PLURAL = _WORDS.not_plural
# bodies written as a singular noun that "they" may stand for ("the campaign ... they")
_COLLECTIVE = _WORDS.collective_nouns
_IRREGULAR_PLURALS = _WORDS.irregular_plurals


# plural bodies and documents that "they" may stand for
_PLURAL_THINGS = _WORDS.plural_things
_AGENT_ENDINGS = _WORDS.agent_plural_endings


def _agent_plural(low: str) -> bool:
    """A plural for people by its ending: voters, proponents, environmentalists, critics."""
    return low in _IRREGULAR_PLURALS or low.endswith(_AGENT_ENDINGS)


_POSSESSIVES = frozenset({"its", "his", "her", "their", "our", "my", "your"})
# words after a head noun that start its post-modifier ("officials of", "sources close to")
_HEAD_STOP = frozenset(
    {
        "of",
        "from",
        "at",
        "in",
        "for",
        "with",
        "on",
        "by",
        "who",
        "which",
        "that",
        "close",
        "familiar",
        "including",
        "within",
        "inside",
        "to",
        "citing",
        "and",
    }
)
_HEAD_ENDS = frozenset({"close", "familiar", "who", "whose", "that", "which", "and", "or"})


def _speaker_number(sp: Speaker) -> str:
    """What a previous source may be called: "plural" ("officials familiar with ...",
    "activists and intellectuals": they), "singular" (a document: it), "either" (a named
    body: it or they), "" (a person or a descriptor without a clear head: neither)."""
    if sp.kind is SourceKind.PERSON:
        return ""
    if sp.kind not in (SourceKind.ANONYMOUS, SourceKind.DOCUMENT):
        return "either"
    head = ""
    for w in fold(sp.name).split():
        if not head and (w in DETERMINERS or w in _POSSESSIVES):
            continue
        if w in _HEAD_ENDS or w in _STOP_MODIFIERS:
            break
        head = w
    if not head:
        return ""
    if _plural_noun(head) or " and " in sp.name:
        return "plural"
    # a singular anonymous descriptor is a person ("a senior official"), never "it", unless
    # its head is a body ("the trade group for ...")
    return "singular" if sp.kind is SourceKind.DOCUMENT or head in _IT_BODIES else ""


def _verb_like(toks: list[Token], i: int) -> bool:
    """A word that cannot modify the noun after it: a clause verb, an adverb, or a
    lower-case word after "to" ("were never political soulmates", "to cajole legislators")."""
    low = toks[i].lower
    return (
        low in _CLAUSE_VERBS
        or low in _ADVERBS
        or low in _SAYS
        or (i > 0 and toks[i - 1].lower == "to" and not toks[i].cap)
    )


def _inside(pieces: Sequence[Span], pos: int) -> bool:
    """Does one of the spans hold pos? (a loop: no generator per test, as ``any`` needs)"""
    for p in pieces:  # noqa: SIM110 (a generator per call costs more than the loop)
        if p.start <= pos < p.end:
            return True
    return False


def _plural_noun(low: str) -> bool:
    if low in _IRREGULAR_PLURALS:
        return True
    return (
        len(low) > 3
        and low.endswith("s")
        and not low.endswith(("ss", "us", "is", "ous"))
        and low not in _NOT_PLURAL
        and low.isalpha()
    )


# regional adjectives that qualify an anonymous descriptor ("Western intelligence sources")
_REGIONS = _WORDS.descriptor_regions

# Speakers and resolved claims are built without pydantic validation: every field is
# typed by construction here (str names and keys, SourceKind kinds, tuples of str)
_set = object.__setattr__
M = TypeVar("M", bound=BaseModel)


def _constructor(cls: type[M]) -> Callable[..., M]:
    """``cls.model_construct`` for models with no aliases, validators run after init or
    private attributes: the same instance (fields in order, defaults filled, the given
    names as ``model_fields_set``), without the generic path's per-field checks."""
    fields = cls.model_fields
    plain = not cls.__pydantic_post_init__ and all(
        f.alias is None and f.validation_alias is None and f.default_factory is None
        for f in fields.values()
    )
    if not plain:
        return cls.model_construct
    # every field in order, the defaults filled: a copy updated with the given values keeps
    # that order (required fields are always given here)
    template = {name: f.default if not f.is_required() else None for name, f in fields.items()}

    def construct(**values: Any) -> M:
        m = cls.__new__(cls)
        d = template.copy()
        d.update(values)
        _set(m, "__dict__", d)
        _set(m, "__pydantic_fields_set__", set(values))
        _set(m, "__pydantic_extra__", None)
        _set(m, "__pydantic_private__", None)
        return m

    return construct


_new_speaker = _constructor(Speaker)
_new_resolved = _constructor(ResolvedClaim)
_new_span = _constructor(Span)


def _with_antecedent(base: Speaker, antecedent: Span) -> Speaker:
    """``base.model_copy(update={"antecedent": antecedent})``."""
    m = Speaker.__new__(Speaker)
    _set(m, "__dict__", {**base.__dict__, "antecedent": antecedent})
    _set(m, "__pydantic_fields_set__", base.__pydantic_fields_set__ | {"antecedent"})
    _set(m, "__pydantic_extra__", None)
    _set(m, "__pydantic_private__", None)
    return m


_NOT_NAME = re.compile(r"[^\w\s-]")
_LOWER_START = re.compile(r"\b[a-z]")
# the word right before a position (the pattern is searched in a short window ending there)
_LAST_WORD = re.compile(r"([A-Za-z]+)[^A-Za-z.!?;:\n\"\u201c\u201d]*\Z")
# a pronoun, its verb (one or two words, no "and"/"or") and nothing else before a name
_OBJECT_GAP = re.compile(r"\w+\s+(?!and\b|or\b)[a-z]+(?:\s+(?!and\b|or\b)[a-z]+)?\s+")
# "called X" / "named X" right after a noun: the capitalised name it gives
_CALLED = re.compile(r",? (?:called|named|known as) ((?:[A-Z][\w&.'-]*)(?: [A-Z][\w&.'-]*){0,4})")
_FIRST_WORD = re.compile(r"\s*[\"\u201c'(]*([A-Za-z]+)")
_INTRO_PREPOSITIONS = frozenset(
    ["along", "with", "against", "for", "about", "from", "by", "at", "in", "on", "like",
     "unlike", "after", "besides", "despite", "toward", "towards", "among", "between",
     "including", "alongside", "beside", "without", "to", "of", "under", "over"]
)  # fmt: skip
_SUBORDINATORS = frozenset(
    ["if", "when", "unless", "whether", "because", "although", "though", "while", "until",
     "once", "whenever", "wherever"]
)  # fmt: skip
_PREPOSITIONS = frozenset(
    [
        "with", "against", "for", "to", "of", "about", "from", "by", "at", "in", "on",
        "like", "unlike", "after", "before", "besides", "despite", "than", "toward",
        "towards", "over", "under", "among", "between", "including", "via", "behind",
        "alongside", "beside", "without",
    ]
)  # fmt: skip
_STOP = re.compile(r"[.!?\n]")
_CITING = re.compile(r",?\s+(?:citing|quoting)\s+", re.I)
# the characters other than a-z and A-Z that _CITING's letters match ignoring case (found
# over every code point: tests/test_sources_speed.py)
_CITING_FOLDS = ("\u0130", "\u0131")


def _may_cite(text: str) -> bool:
    """``_CITING.search(text) is not None``, most often without the search: a match holds
    "citing" or "quoting" in some mix of cases, which ``str.lower`` turns into those words
    (C speed, where the regex tries every position of the text) unless it uses one of
    ``_CITING_FOLDS``; then, and when one of the words is there, the regex decides."""
    if not any(c in text for c in _CITING_FOLDS):
        low = text.lower()
        if "citing" not in low and "quoting" not in low:
            return False
    return _CITING.search(text) is not None


# every government head, for one ``str.endswith`` test before the loop over them
_GOVERNMENT_HEADS = tuple(_WORDS.government_heads)
_OWNER_PREP = re.compile(r"\b(?:from|by|of|at|for|in|with|to|within|inside)\s+", re.I)


@lru_cache(maxsize=1)
def _lowercase_heads() -> frozenset[str]:
    """Words written lower-case in a descriptor name ("Experts" -> "experts")."""
    w = words()
    return (
        w.anonymous_nouns
        | w.document_nouns
        | w.evidence_nouns
        | w.media_report_nouns
        | w.function_words
        | DETERMINERS
        | w.lowercase_modifiers
    )


@lru_cache(maxsize=1)
def _role_split_words() -> frozenset[str]:
    """Every word of the roles' table keys, as ``str.split`` cuts them."""
    return frozenset(w for r in roles() for w in r.split())


_WORD_CHAR = re.compile(r"\w")
_WORD_OR_HYPHEN = re.compile(r"[\w-]")
_WORD_RUN = re.compile(r"\w*")


def _the_word(text: str, word: str) -> Iterator[tuple[str, str]]:
    """Groups 1 and 2 of each match of ``\\b[Tt]he {word}(?![\\w-])( ?)(\\w*)`` in text, as
    ``re.finditer`` finds them (left to right, each search from the previous match's end),
    without compiling a pattern per word."""
    needle = "he " + word
    after = len(needle)
    pos = 0
    p = text.find(needle, 1)
    while p >= 0:
        s = p - 1
        q = p + after
        if (
            s >= pos
            and text[s] in "Tt"
            and (s == 0 or _WORD_CHAR.match(text, s - 1) is None)
            and _WORD_OR_HYPHEN.match(text, q) is None
        ):
            space = " " if text[q : q + 1] == " " else ""
            nxt = _WORD_RUN.match(text, q + len(space)).group()  # type: ignore[union-attr]
            yield space, nxt
            pos = q + len(space) + len(nxt)
            p = text.find(needle, max(pos + 1, p + 1))
        else:
            p = text.find(needle, p + 1)


def person_key(name: str) -> str:
    return "person:" + " ".join(_NOT_NAME.sub("", fold(name)).split())


class _Resolver:
    def __init__(self, text: str, claims: Sequence[Claim], table: EntityTable) -> None:
        self.text = text
        self.claims = list(claims)
        self.table = table
        self.idx = ArticleIndex(text, table)
        self.speakers: dict[int, Speaker | None] = {}
        self.entity_speaker: dict[int, Speaker] = {}
        # claims in order of their source position, for "previous speaker" salience
        self.order = sorted(
            range(len(self.claims)),
            key=lambda i: (self._anchor(self.claims[i]), i),
        )
        self.resolved_entity: dict[int, int] = {}  # claim index -> article entity id
        self.speaker_entities: set[int] = set()
        self._busy: set[int] = set()
        self._stale: set[int] = set()
        self._narr_cache: list[float] | None = None
        self._subjects: dict[int, int] = {}  # sentence -> its named-person subject or -1
        self._citing: bool | None = None  # does _CITING match anywhere in the text
        self._full: dict[int, list[Mention]] = {}  # entity id -> _full_mentions

    @staticmethod
    def _anchor(c: Claim) -> int:
        if c.source is not None:
            return c.source.start
        if c.cue is not None:
            return c.cue.start
        return c.content.start

    def _narr(self) -> list[float]:
        """Narrative sentence number of each sentence, counting only sentences with words
        outside quotations (a paragraph break's line ends are no sentences)."""
        if self._narr_cache is None:
            idx, text = self.idx, self.text
            starts = idx.sent_starts
            out: list[float] = []
            count = 0.0
            for s, st in enumerate(starts):
                end = starts[s + 1] if s + 1 < len(starts) else len(text)
                if not idx.in_quote(st + 1):
                    count += 0.5 if text[st:end].isspace() else 1.0
                out.append(count)
            self._narr_cache = out
        return self._narr_cache

    # -- speakers of entities -------------------------------------------------

    def speaker_of(self, e: Entity, antecedent: Span | None = None) -> Speaker:
        base = self.entity_speaker.get(e.id)
        if base is None:
            base = self._build_speaker(e)
            self.entity_speaker[e.id] = base
        if antecedent is not None:
            return _with_antecedent(base, antecedent)
        return base

    def _build_speaker(self, e: Entity) -> Speaker:
        if e.kind is SourceKind.PERSON:
            key = person_key(e.name) if e.full else "local:" + person_key(e.name)
            return _new_speaker(
                name=e.name,
                kind=SourceKind.PERSON,
                key=key,
                role=e.role,
                affiliation=e.affiliation,
                aliases=tuple(e.surfaces),
            )
        if e.entry is not None:
            en = e.entry
            return _new_speaker(
                name=en.name,
                kind=en.kind,
                key=en.key,
                affiliation=en.affiliation,
                aliases=tuple(e.surfaces),
            )
        if e.country is not None:
            return _new_speaker(
                name=e.country.name,
                kind=SourceKind.GOVERNMENT,
                key=e.country.key,
                affiliation=e.country.name,
                aliases=tuple(e.surfaces),
            )
        return _new_speaker(
            name=e.name,
            kind=e.kind,
            key=f"{e.kind.value}:{norm_alias(e.name)}",
            affiliation=e.affiliation,
            aliases=tuple(e.surfaces),
        )

    def mention_span(self, m: Mention) -> Span:
        if m.full_start <= m.end:  # always, by the mention finder: no validation needed
            return _new_span(text=self.text[m.full_start : m.end], start=m.full_start, end=m.end)
        return Span.of(self.text, m.full_start, m.end)

    # -- main ---------------------------------------------------------------------

    def run(self) -> list[ResolvedClaim]:
        cited: dict[int, Speaker | None] = {}
        for i in self.order:
            self.resolve(i)
            cited[i] = self._cited(i)
        if self._stale:
            # a description added an attribute ("Italy's Defense Minister" -> affiliation
            # Italy): every claim of that entity gets the completed speaker
            for eid in self._stale:
                self.entity_speaker.pop(eid, None)
            for i, eid in self.resolved_entity.items():
                old = self.speakers.get(i)
                if eid in self._stale and old is not None and old.kind is SourceKind.PERSON:
                    fresh = self.speaker_of(self.idx.entities[eid], old.antecedent)
                    self.speakers[i] = fresh
        self._carry_report_frame(cited)
        return [
            _new_resolved(claim=c, speaker=self.speakers.get(i), cited=cited.get(i))
            for i, c in enumerate(self.claims)
        ]

    def _carry_report_frame(self, cited: dict[int, Speaker | None]) -> None:
        """Anonymous sources inside a media report's paragraph are relayed through it.

        "According to a recent report from Reuters, ... Western intelligence sources
        indicate that ...": news writing attributes the unnamed sources that follow a
        cited report, in the same paragraph, to that report. The frame ends at a
        paragraph break or at the next claim with a named (non-anonymous) source.
        """
        frame: Speaker | None = None
        frame_end = 0
        starts = [_claim_start(c) for c in self.claims]
        for i in sorted(range(len(self.claims)), key=starts.__getitem__):
            c = self.claims[i]
            start = starts[i]
            if frame is not None and "\n" in self.text[frame_end:start]:
                frame = None
            own = cited.get(i)
            speaker = self.speakers.get(i)
            if own is not None and own.kind is SourceKind.MEDIA:
                frame, frame_end = own, c.content.end
                continue
            if speaker is None:
                continue
            if speaker.kind is SourceKind.ANONYMOUS and own is None and frame is not None:
                cited[i] = frame
                frame_end = c.content.end
            elif speaker.kind is not SourceKind.ANONYMOUS:
                frame = None

    def resolve(self, i: int) -> Speaker | None:
        if i in self.speakers:
            return self.speakers[i]
        if i in self._busy:
            return None
        self._busy.add(i)
        claim = self.claims[i]
        sp: Speaker | None = None
        if claim.source is not None:
            sp = self.resolve_span(claim.source.start, claim.source.end, i)
        self.speakers[i] = sp
        self._busy.discard(i)
        return sp

    # -- one source span --------------------------------------------------------

    def resolve_span(self, start: int, end: int, ci: int) -> Speaker | None:
        text = self.text
        raw = text[start:end]
        stripped = raw.strip(" \t\n,.:;\"\u201c\u201d'()")
        low = fold(stripped)
        if not low:
            return None
        if (
            low in PRONOUN_GENDER
            or low in PLURAL_PRONOUNS
            or low in NEUTER_PRONOUNS
            or (low in FIRST_PERSON)
        ):
            return self.resolve_pronoun(low, start, ci)
        if low in RELATIVE_PRONOUNS:
            return self._relative(start, ci)
        toks = self.idx.tokens_in(start, end)
        toks = [t for t in toks if t.end <= end]
        # an over-long span that runs into its verb: "Recent observations show warships ..."
        for k in range(1, len(toks)):
            if toks[k].lower in _CLAUSE_VERBS and not toks[k].cap:
                toks = toks[:k]
                end = toks[-1].end
                break
        if not toks:
            return None
        mentions = [m for m in self.idx.mentions_in(start, end) if m.entity >= 0]
        if not mentions:
            outer = self.idx.mention_at(start)
            if outer is not None and outer.end >= toks[-1].end:
                mentions = [outer]  # the span is part of a name: "Meloni" in "Giorgia Meloni"
            else:
                # part of a name's title: "British" in "British Defense Secretary Ben Wallace"
                k = self.idx.mentions_before(start)
                if k < len(self.idx.mentions) and all(self._title_word(t) for t in toks):
                    m = self.idx.mentions[k]
                    if (
                        m.kind is SourceKind.PERSON
                        and m.entity >= 0
                        and m.full_start <= start
                        and toks[-1].end <= m.start
                    ):
                        mentions = [m]
        w = words()
        head = self._head(toks)
        head_low = head.lower if head else ""
        # 2. documents
        if head is not None and not self._proper(head) and self._is_document_head(toks, head):
            owner = self._owner(mentions, toks, head)
            if owner is not None:
                return owner
            if self._definite(toks):
                prior = self._previous_document_owner(ci, head_low)
                if prior is not None:
                    return prior
            name = self._descriptor(toks)
            return _new_speaker(
                name=name,
                kind=SourceKind.DOCUMENT,
                key="document:" + norm_alias(name),
                affiliation=self._affiliation(toks, mentions),
            )
        # unnamed media / impersonal evidence
        if head is not None and not self._proper(head) and not mentions:
            desc = fold(" ".join(t.text for t in toks if t.lower not in DETERMINERS))
            if desc in w.media_report_nouns or head_low in ("reports",) and not self._has_cap(toks):
                name = self._descriptor(toks)
                return _new_speaker(
                    name=name, kind=SourceKind.MEDIA, key="local:media:" + norm_alias(name)
                )
            if head_low in w.evidence_nouns:
                return None
        # 3./4. named entities in the span
        person = self._head_mention(mentions, SourceKind.PERSON, toks)
        if person is not None and not self._anonymous_head(head):
            e = self.idx.entities[person.entity]
            self.resolved_entity[ci] = e.id
            ante = None if self._names_fully(person, e) else self._antecedent(e, person)
            return self.speaker_of(e, ante)
        gov = self._government_body(toks, mentions)
        if gov is not None:
            return gov
        campaign = self._person_body(toks, mentions, head)
        if campaign is not None:
            return campaign
        role_head = head is not None and not self._proper(head) and head.lower in roles()
        if role_head:  # "The GOP presidential candidate": a person by role, not the party
            desc_sp = self.resolve_description(toks, start, ci)
            if desc_sp is not None:
                return desc_sp
        if mentions and not self._anonymous_head(head) and not role_head:
            body = self._head_mention(mentions, None, toks)
            if body is not None:
                e = self.idx.entities[body.entity]
                self.resolved_entity[ci] = e.id
                return self.speaker_of(e)
        # 6. definite descriptions
        desc_sp = self.resolve_description(toks, start, ci)
        if desc_sp is not None:
            return desc_sp
        # 7. anonymous
        if head is not None and self._anonymous_head(head):
            if self._definite(toks):
                earlier = self._previous_anonymous(ci, head.lower)
                if earlier is not None:
                    return earlier  # "the official" after "a senior U.S. official"
            toks = self._modifiers_before(toks) + toks
            name = self._descriptor(toks)
            return _new_speaker(
                name=name,
                kind=SourceKind.ANONYMOUS,
                key="anonymous:" + norm_alias(name),
                affiliation=self._affiliation(toks, mentions),
            )
        # fallback: the span as written (a known body first: "White House" in a headline)
        name = self._descriptor(toks)
        if not name:
            return None
        entry, country = self.idx.lookup_body(name)
        if entry is not None:
            return _new_speaker(
                name=entry.name, kind=entry.kind, key=entry.key, affiliation=entry.affiliation
            )
        if country is not None:
            return _new_speaker(
                name=country.name,
                kind=SourceKind.GOVERNMENT,
                key=country.key,
                affiliation=country.name,
            )
        if self._has_cap(toks) and head is not None and self._proper(head):
            content_toks = [t for t in toks if t.lower not in DETERMINERS]
            caps = [t for t in content_toks if t.cap]
            name = name[:-2] if toks[-1].poss and name[-2:] in ("\u2019s", "'s") else name
            looks_person = (
                2 <= len(caps) <= 3
                and not self._definite(toks)
                and (fold(caps[0].text) in first_name_gender() or all(t.cap for t in content_toks))
            )
            # a lone unknown word: a surname ("Trump said") unless it looks like a body
            # (an acronym, or written "the X" somewhere in the article)
            lone = len(toks) == 1 and self._lone_person(toks[0])  # "the X" is never lone
            kind = SourceKind.PERSON if looks_person or lone else SourceKind.ORGANIZATION
            if lone:
                key = "local:" + person_key(name)
            elif looks_person:
                key = person_key(name)
            else:
                key = f"{kind.value}:{norm_alias(name)}"
            return _new_speaker(
                name=name, kind=kind, key=key, affiliation=self._affiliation(toks, [])
            )
        return _new_speaker(
            name=name,
            kind=SourceKind.ANONYMOUS,
            key="anonymous:" + norm_alias(name),
            affiliation=self._affiliation(toks, mentions),
        )

    # -- helpers for spans -------------------------------------------------------

    def _lone_person(self, t: Token) -> bool:
        word = t.text
        if word.isupper() or not word[:1].isupper() or len(word) < 3:
            return False
        if (
            any(c.isupper() for c in word[1:])
            and "-" not in word
            and not word.startswith(("Mc", "Mac", "O'", "O\u2019", "De", "Di", "La", "Le"))
        ):
            return False  # "HuffPollster", "PolitiFact"
        for space, nxt in _the_word(self.text, word):
            if not space or not nxt or nxt.lower() in _SAYS:
                return False  # "the SVP said", "the SVP's", "by the SVP.": a body
        return True  # never "the X" alone ("the Trump campaign" uses the name as a modifier)

    @staticmethod
    def _title_word(t: Token) -> bool:
        """A word of a title before a name: a demonym, a role word or a role modifier."""
        w = words()
        return (
            t.text in places().demonyms
            or t.lower in w.role_modifiers
            or t.lower in _role_split_words()
        )

    def _modifiers_before(self, toks: list[Token]) -> list[Token]:
        """Descriptor words right before a span that starts without its determiner:
        "Western and regional [intelligence sources]" is one descriptor."""
        if not toks or toks[0].lower in DETERMINERS:
            return []
        start = toks[0].start
        before = tokenize(self.text, max(0, start - 80), start)
        mods = words().role_modifiers
        out: list[Token] = []
        nxt = toks[0]
        for t in reversed(before):
            if self.text[t.end : nxt.start] != " " or self.idx.sentence_of(t.start) != (
                self.idx.sentence_of(nxt.start)
            ):
                break
            if (
                t.lower in ("and", "or")
                and out
                and out[0].lower not in ("and", "or")
                or t.lower in mods
                or t.lower in _REGIONS
                or (t.cap and demonym_affiliation(t.text) is not None)
            ):
                out.insert(0, t)
            else:
                break
            nxt = t
        while out and out[0].lower in ("and", "or"):
            out = out[1:]
        return out

    def _person_body(
        self, toks: list[Token], mentions: list[Mention], head: Token | None
    ) -> Speaker | None:
        """ "Clinton's campaign", "the Trump campaign": the person's organisation."""
        if head is None or head.lower not in _PERSON_BODIES or self._proper(head):
            return None
        people = [m for m in mentions if m.kind is SourceKind.PERSON and m.end <= head.start]
        if people:
            e = self.idx.entities[people[-1].entity]
        else:  # "the Clinton campaign": a surname the article gives in full elsewhere
            words_ = {fold(t.text) for t in toks if t.cap and t.end <= head.start}
            named = [x for x in self.idx.entities if x.kind is SourceKind.PERSON and x.full]
            found = sorted((x for x in named if x.last in words_), key=lambda x: -len(x.mentions))
            if not found or (
                len(found) > 1 and len(found[0].mentions) < 2 * len(found[1].mentions)
            ):
                return None  # (one person named far more often wins: not "Top Sanders")
            e = found[0]
        base = (e.last or e.name.split()[-1]).title() if e.full else e.name
        name = f"{base} {head.lower}"
        return _new_speaker(
            name=name,
            kind=SourceKind.ORGANIZATION,
            key=f"organization:{norm_alias(e.name)} {head.lower}",
            affiliation=e.name,
            aliases=(" ".join(self.text[toks[0].start : toks[-1].end].split()),),
        )

    def _has_cap(self, toks: list[Token]) -> bool:
        return any(self._proper(t) for t in toks)

    def _proper(self, t: Token) -> bool:
        """Capitalised as a name, not only because it starts a sentence."""
        if not t.cap:
            return False
        w = words()
        return not (
            t.lower in DETERMINERS
            or t.lower in w.anonymous_nouns
            or t.lower in w.document_nouns
            or t.lower in w.evidence_nouns
            or t.lower in w.function_words
            or t.lower in ("reports", "recent", "new")
        )

    @staticmethod
    def _definite(toks: list[Token]) -> bool:
        return bool(toks) and toks[0].lower in ("the", "this", "that", "these", "those")

    def _head(self, toks: list[Token]) -> Token | None:
        """The head word: last token before a post-modifier (of/from/at/, who ...)."""
        stop = _HEAD_STOP
        head = None
        for k, t in enumerate(toks):
            if t.lower in stop and k > 0:
                if t.lower == "and":  # "Western and regional intelligence sources"
                    continue
                break
            head = t
        return head

    def _is_document_head(self, toks: list[Token], head: Token) -> bool:
        w = words()
        if head.lower in w.document_nouns:
            return True
        pair = [t.lower for t in toks]
        k = toks.index(head)
        return k > 0 and f"{pair[k - 1]} {head.lower}" in w.document_nouns

    def _anonymous_head(self, head: Token | None) -> bool:
        return head is not None and not self._proper(head) and head.lower in words().anonymous_nouns

    def _descriptor(self, toks: list[Token]) -> str:
        k = 0
        while k < len(toks) - 1 and toks[k].lower in DETERMINERS:
            k += 1
        if not toks:
            return ""
        out = self.text[toks[k].start : toks[-1].end + (2 if toks[-1].poss else 0)]
        first = toks[k]
        if first.cap and first.lower in _lowercase_heads():
            out = out[0].lower() + out[1:]
        return " ".join(out.split())

    def _affiliation(self, toks: list[Token], mentions: list[Mention]) -> str | None:
        for t in toks:
            aff = demonym_affiliation(t.text) if t.cap or "-" in t.text else None
            if aff is not None:
                return aff
        for m in mentions:
            if m.kind is SourceKind.PERSON:
                return self.idx.entities[m.entity].name
            return m.name if m.entry is not None else (m.affiliation or m.name)
        return None

    def _head_mention(
        self, mentions: list[Mention], kind: SourceKind | None, toks: list[Token]
    ) -> Mention | None:
        """The mention that heads the span (not a possessive modifier, not after of/from)."""
        cands = [m for m in mentions if kind is None or m.kind is kind]
        if not cands:
            return None
        head = self._head(toks)
        limit = head.end if head is not None else toks[-1].end
        in_head = [m for m in cands if m.end <= limit and not m.poss]
        if len(in_head) > 1 and self._clause_between(in_head[0], in_head[-1]):
            return in_head[0]  # a clause, not a name phrase: its subject comes first
        if in_head:
            return in_head[-1]  # "Trump spokeswoman Hope Hicks"
        non_poss = [m for m in cands if not m.poss]
        return non_poss[0] if non_poss else None

    def _clause_between(self, a: Mention, b: Mention) -> bool:
        """A word between two mentions that is no title, modifier or article ("met")."""
        w = words()
        for t in tokenize(self.text, a.end, b.full_start):
            if t.cap or t.lower in DETERMINERS or t.lower in roles():
                continue
            if t.lower in w.role_modifiers or t.lower in w.function_words:
                continue
            return True
        return False

    def _names_fully(self, m: Mention, e: Entity) -> bool:
        return len(m.tokens) >= 2 or not e.full

    def _antecedent(self, e: Entity, m: Mention | None) -> Span | None:
        """The full-name mention an abbreviated mention stands for."""
        best = None
        for cand in self._full_mentions(e):
            if m is None or cand.start <= m.start or best is None:
                best = cand
            if m is not None and cand.start > m.start:
                break
        return self.mention_span(best) if best is not None else None

    def _full_mentions(self, e: Entity) -> list[Mention]:
        """The entity's mentions that name it fully (two name tokens or a body), in the
        order of ``e.mentions``; the list and the mentions do not change once the index
        is built, so it is made once per entity, not once per claim."""
        got = self._full.get(e.id)
        if got is None:
            mentions = self.idx.mentions
            got = []
            for mi in e.mentions:
                cand = mentions[mi] if mi < len(mentions) else None
                if cand is None or cand.entity != e.id:
                    continue
                if len(cand.tokens) >= 2 or cand.kind is not SourceKind.PERSON:
                    got.append(cand)
            self._full[e.id] = got
        return got

    def _owner(self, mentions: list[Mention], toks: list[Token], head: Token) -> Speaker | None:
        """The named owner of a document: "a report from Reuters", "the Pentagon's statement"."""
        if not mentions:
            return None
        m = mentions[-1]
        for cand in mentions:
            if cand.poss or cand.end <= head.start:
                m = cand
                break
        e = self.idx.entities[m.entity]
        return self.speaker_of(e)

    def _previous_anonymous(self, ci: int, head: str) -> Speaker | None:
        pos = self._anchor(self.claims[ci])
        best = None
        for j in self.order:
            c = self.claims[j]
            if self._anchor(c) >= pos:
                break
            sp = self.speakers.get(j)
            if sp is not None and sp.kind is SourceKind.ANONYMOUS:
                words_ = fold(sp.name).split()
                if words_ and words_[-1] == head:
                    best = sp
        return best

    def _previous_document_owner(self, ci: int, head: str) -> Speaker | None:
        pos = self._anchor(self.claims[ci])
        best = None
        for j in self.order:
            c = self.claims[j]
            if self._anchor(c) >= pos or c.source is None:
                break
            if head in fold(c.source.text):
                sp = self.speakers.get(j)
                if sp is not None and sp.kind is not SourceKind.DOCUMENT:
                    best = sp
        return best

    def _government_body(self, toks: list[Token], mentions: list[Mention]) -> Speaker | None:
        """'<demonym|country> government/military/authorities' -> government of that country."""
        w = words()
        low = " ".join(t.lower for t in toks)
        if not low.endswith(_GOVERNMENT_HEADS):  # (most spans: no head, one test in C)
            return None
        for head in w.government_heads:
            if not low.endswith(head):
                continue
            body = toks[: len(toks) - len(head.split())]
            country = None
            for t in body:
                aff = demonym_affiliation(t.text)
                if aff is not None:
                    country = aff
            if country is None:
                return None
            k = 0
            while k < len(toks) - 1 and toks[k].lower in DETERMINERS:
                k += 1
            written = self.text[toks[k].start : toks[-1].end]
            entry = self.table.lookup(written)
            if entry is not None:
                return _new_speaker(
                    name=entry.name,
                    kind=entry.kind,
                    key=entry.key,
                    affiliation=entry.affiliation,
                    aliases=(written,),
                )
            gkey = "government:" + fold(country)
            if head not in (
                "government",
                "administration",
                "authorities",
                "cabinet",
                "regime",
                "leadership",
            ):
                gkey += ":" + head
            return _new_speaker(
                name=" ".join(written.split()),
                kind=SourceKind.GOVERNMENT,
                key=gkey,
                affiliation=country,
                aliases=(written,),
            )
        return None

    # -- definite descriptions ---------------------------------------------------

    def resolve_description(self, toks: list[Token], pos: int, ci: int) -> Speaker | None:
        """'the minister', "Italy's Defense Minister", 'the agency', 'the paper'."""
        if not toks:
            return None
        first = toks[0]
        lowers = [t.lower for t in toks]
        affiliation = None
        k = 0
        if first.lower in ("the", "this", "that"):
            k = 1
        elif first.poss or demonym_affiliation(first.text) is not None:
            affiliation = demonym_affiliation(first.text)
            k = 1
        else:
            return None
        while k < len(toks) and (
            demonym_affiliation(toks[k].text) is not None
            and toks[k].cap
            or toks[k].lower in words().role_modifiers
            and k < len(toks) - 1
        ):
            affiliation = affiliation or demonym_affiliation(toks[k].text)
            k += 1
        if k >= len(toks):
            return None
        rest = lowers[k:]
        role = None
        for n in range(len(rest), 0, -1):
            r = roles().get(" ".join(rest[-n:]))
            if r is not None:
                role = r
                break
        if role is not None and role.kind is SourceKind.PERSON:
            e = self._find_by_role(role.cls, role.gender, affiliation, pos, toks)
            if e is not None:
                if affiliation and not e.affiliation:
                    e.affiliation = affiliation
                    self._stale.add(e.id)
                self.resolved_entity[ci] = e.id
                return self.speaker_of(e, self._antecedent(e, None))
            return None
        noun = " ".join(rest)
        kinds = words().descriptions.get(noun) or words().descriptions.get(rest[-1])
        if kinds:
            e = self._find_by_type(rest[-1], kinds, pos)
            if e is not None:
                self.resolved_entity[ci] = e.id
                return self.speaker_of(e, self._antecedent(e, None))
        return None

    def _find_by_role(
        self, cls: str, gender: str, affiliation: str | None, pos: int, toks: list[Token]
    ) -> Entity | None:
        ents = self.idx.entities
        before: Entity | None = None
        after: Entity | None = None
        n_before = self.idx.mentions_before(pos)
        for j in range(n_before - 1, -1, -1):
            m = self.idx.mentions[j]
            e = ents[m.entity]
            if self._role_ok(e, cls, gender, affiliation):
                before = e
                break
        if before is not None:
            return before
        for j in range(n_before, len(self.idx.mentions)):
            m = self.idx.mentions[j]
            if m.start < toks[-1].end:
                continue
            e = ents[m.entity]
            if self._role_ok(e, cls, gender, affiliation):
                after = e
                break
        return after

    @staticmethod
    def _role_ok(e: Entity, cls: str, gender: str, affiliation: str | None) -> bool:
        if e.kind is not SourceKind.PERSON or e.role_class is None:
            return False
        if e.role_class != cls:
            return False
        if gender and e.gender and gender != e.gender:
            return False
        return not (affiliation and e.affiliation and affiliation != e.affiliation)

    def _find_by_type(self, noun: str, kinds: Sequence[SourceKind], pos: int) -> Entity | None:
        ents = self.idx.entities
        fallback: Entity | None = None
        for j in range(self.idx.mentions_before(pos) - 1, -1, -1):
            m = self.idx.mentions[j]
            e = ents[m.entity]
            if e.kind not in kinds or e.kind is SourceKind.PERSON:
                continue
            types = e.entry.types if e.entry else ()
            if noun in types or fold(e.name).split()[-1] == noun:
                return e
            if noun in ("government", "administration") and e.country is not None:
                return e
            if fallback is None and e.country is None and e.kind is not SourceKind.GOVERNMENT:
                fallback = e
        return fallback if noun not in ("government", "administration") else None

    # -- pronouns ------------------------------------------------------------------

    def resolve_pronoun(self, low: str, pos: int, ci: int) -> Speaker | None:
        if low in FIRST_PERSON:
            return self._first_person(pos, ci)
        if low in PRONOUN_GENDER:
            e = self._pronoun_person(PRONOUN_GENDER[low], pos, ci)
            if e is None:
                return self._gendered_noun(PRONOUN_GENDER[low], pos, ci)
            if not e.gender:
                e.gender = PRONOUN_GENDER[low]
            self.resolved_entity[ci] = e.id
            return self.speaker_of(e, self._antecedent(e, None))
        return self._pronoun_body(low, pos, ci)

    def _relative(self, pos: int, ci: int) -> Speaker | None:
        """'The Wall Street Journal, which indicated ...': the name just before."""
        n = self.idx.mentions_before(pos)
        if n > 0:
            m = self.idx.mentions[n - 1]
            gap = self.text[m.end : pos]
            if len(gap) <= 3 and gap.strip() in ("", ",", "\u2014", "-", "\u2013"):
                e = self.idx.entities[m.entity]
                self.resolved_entity[ci] = e.id
                return self.speaker_of(e, self.mention_span(m))
        # the noun phrase just before: "respondents who", "the party leaders who"
        window = tokenize(self.text, max(0, pos - 60), pos)
        if not window or self.text[window[-1].end : pos].strip(" ,\u2014\u2013-"):
            return None
        k = len(window) - 1
        stop = {"of", "to", "in", "than", "with", "from", "and", "or", "for", "by", "on", "at"}
        while k > 0 and len(window) - k < 4:
            gap = self.text[window[k - 1].end : window[k].start]
            if gap.strip() or window[k - 1].lower in stop:
                break
            k -= 1
            if window[k].lower in DETERMINERS:
                break
        if window[k].lower in stop or self.idx.sentence_of(window[k].start) != (
            self.idx.sentence_of(pos)
        ):
            return None
        return self.resolve_span(window[k].start, window[-1].end, ci)

    def _previous_claim(self, ci: int) -> int | None:
        k = self.order.index(ci)
        return self.order[k - 1] if k > 0 else None

    def _pronoun_person(self, gender: str, pos: int, ci: int) -> Entity | None:
        idx = self.idx
        psent = idx.sentence_of(pos)
        pquote = idx.in_quote(pos)
        prev = self._previous_claim(ci)
        if prev is not None:
            self.resolve(prev)  # it may not be resolved yet when a quotation led here
        prev_entity = self.resolved_entity.get(prev) if prev is not None else None
        # the last speaker, at most two sentences before, when the pronoun's sentence names
        # no one else ("McLenney said ... 'It's not something ...,' she said")
        prev_bonus = 1.0
        if prev is not None and prev_entity is not None:
            ps = self.claims[prev].source
            if (
                ps is not None
                and pnarr_of(idx, pos) - pnarr_of(idx, ps.start) <= 2
                and self._first_person_mention_in_sentence(psent, pos) == -1
            ):
                prev_bonus = 1.6  # (a subject in the pronoun's own sentence would come first)
        own = self.claims[ci]
        pieces = own.content_spans or (own.content,)
        # inside a quotation, he/she is never the one quoted (who would say "I")
        quoted_by: set[int] = set()
        if pquote:
            for j, c in enumerate(self.claims):
                if j != ci and c.source is not None and c.content.start <= pos < c.content.end:
                    self.resolve(j)
                    if j in self.resolved_entity:
                        quoted_by.add(self.resolved_entity[j])
        speakers = set(self.resolved_entity.values())
        # the latest narrative sentence where a claim's source (often itself a pronoun)
        # was resolved to each entity: a chain of "he said" keeps its referent recent
        last_ref: dict[int, int] = {}
        for j, eid in self.resolved_entity.items():
            src = self.claims[j].source
            if j != ci and src is not None and src.end <= pos:
                at = pnarr_of(idx, src.start)
                if at > last_ref.get(eid, -1):
                    last_ref[eid] = at
        obj = self._object_after(pos, psent)
        best: tuple[float, int] | None = None
        seen: set[int] = set()
        first_in_sent: dict[int, int] = {}
        n = idx.mentions_before(pos)
        pnarr = idx.narrative[psent]
        # centering: when the pronoun's sentence has no other subject, the previous
        # sentence's subject is the likeliest referent
        carried = -1
        if psent > 0 and self._first_person_mention_in_sentence(psent, pos) == -1:
            carried = self._first_person_mention_in_sentence(psent - 1)
        for j in range(n - 1, -1, -1):
            m = idx.mentions[j]
            dist = pnarr - idx.narrative[m.sent]
            if dist > 12:
                break
            if m.kind is not SourceKind.PERSON:
                continue
            e = idx.entities[m.entity]
            if e.id in seen:
                continue
            if e.gender and e.gender != gender:
                continue
            seen.add(e.id)
            if e.id in last_ref:
                dist = min(dist, pnarr - last_ref[e.id])
            score = -0.7 * dist
            if e.gender == gender:
                score += 1.0
            elif not e.full and not (e.id == prev_entity and prev_bonus > 1.0):
                score -= 0.5  # a lone unknown name, unless it just spoke
            if m.in_quote and not pquote:
                score -= 1.5
            if m.poss:
                score -= 0.7
            if e.id in speakers:
                score += 0.8
            if e.id == prev_entity:
                score += prev_bonus
            if e.id == obj or e.id in quoted_by:
                continue  # "She asked Richards", "''He says ...,'' Harris said": never
            if _inside(pieces, m.start):
                score -= 1.0  # named in what the pronoun says
            if m.sent not in first_in_sent:
                first_in_sent[m.sent] = self._first_person_mention_in_sentence(m.sent)
            if first_in_sent[m.sent] == e.id:
                score += 0.6
                if m.sent == psent and not pquote and not m.in_quote:
                    score += 1.5  # "Boris Johnson, who ..., said he had urged"
            if e.id == carried:
                score += 0.8
            score += 0.15 * min(len(e.mentions), 6)
            if best is None or score > best[0]:
                best = (score, e.id)
        ps = self.claims[prev].source if prev is not None else None
        if (
            prev_entity is not None
            and prev_entity not in seen
            and ps is not None
            and fold(ps.text.strip()) in PRONOUN_GENDER
        ):
            # a pronoun chain: the last speaker was itself a pronoun, named long before
            e = idx.entities[prev_entity]
            if e.kind is SourceKind.PERSON and (not e.gender or e.gender == gender):
                gap = pnarr - pnarr_of(idx, ps.start)
                score = -0.7 * gap + prev_bonus + 0.8
                if e.gender == gender:
                    score += 1.0
                if gap <= 6 and (best is None or score > best[0]):
                    best = (score, e.id)
        if best is None:
            # "Back when he wrote his book, Mr. McKinley said": a name after the pronoun
            # in its own sentence, when nothing before it fits
            for j in range(n, len(idx.mentions)):
                m = idx.mentions[j]
                if m.sent != psent:
                    break
                e = idx.entities[m.entity]
                if (
                    m.kind is SourceKind.PERSON
                    and not m.poss
                    and m.in_quote == pquote
                    and (not e.gender or e.gender == gender)
                    and e.id != obj
                ):
                    return e
            return None
        return idx.entities[best[1]]

    def _gendered_noun(self, gender: str, pos: int, ci: int) -> Speaker | None:
        """'A 29-year-old Berlin woman ... she wrote': no named person of that gender is
        near, so a recent claim's anonymous source for one ('the woman said ... she said')
        or the nearest noun for one (the pronoun's sentence and the two narrative
        sentences before it) is the referent, an anonymous source."""
        idx = self.idx
        nouns = words().gendered_nouns
        psent = idx.sentence_of(pos)
        pnarr = idx.narrative[psent]
        k = self.order.index(ci)
        for j in reversed(self.order[max(0, k - 4) : k]):
            src = self.claims[j].source
            if src is None or src.start >= pos or pnarr - pnarr_of(idx, src.start) > 3:
                continue
            sp = self.speakers.get(j)
            if sp is not None and sp.kind is SourceKind.ANONYMOUS:
                head = fold(sp.name).split()[-1:]
                if head and nouns.get(head[0]) == gender:
                    return sp
        pquote = idx.in_quote(pos)
        first = psent
        while first > 0 and psent - first < 6 and pnarr - idx.narrative[first - 1] <= 2:
            first -= 1
        toks = tokenize(self.text, idx.sent_starts[first], pos)
        for k in range(len(toks) - 1, -1, -1):
            t = toks[k]
            if nouns.get(t.lower) != gender or t.poss or (idx.in_quote(t.start) and not pquote):
                continue
            if self._compound(toks, k) or idx.mention_at(t.start) is not None:
                continue
            k0 = k
            while k0 > 0 and k - k0 < 4 and self._modifier_before(toks, k0):
                k0 -= 1
            if k0 == 0 or toks[k0 - 1].lower not in DETERMINERS:
                continue  # "a woman", "the man", "one mother": not "woman" in a list
            if self._word_before(toks[k0 - 1].start) in _PREPOSITIONS:
                continue  # "the rape of a German woman": not who speaks
            name = " ".join(self.text[toks[k0].start : t.end].split())
            return _new_speaker(
                name=name,
                kind=SourceKind.ANONYMOUS,
                key="anonymous:" + norm_alias(name),
                affiliation=self._affiliation(toks[k0 : k + 1], []),
            )
        return None

    def _first_person_mention_in_sentence(self, sent: int, until: int | None = None) -> int:
        """The subject of a sentence when it is a named person (before ``until``), else -1."""
        if until is None:
            got = self._subjects.get(sent)
            if got is None:
                got = self._subjects[sent] = self._subject_of(sent, None)
            return got
        return self._subject_of(sent, until)

    def _subject_of(self, sent: int, until: int | None) -> int:
        idx = self.idx
        start = idx.sent_starts[sent]
        j = idx.mentions_before(start)
        # "Along with Bush and Powell, he ...": names in an introductory phrase (the
        # sentence opens with a preposition or an -ing word; up to its first comma) are no subject
        opening = _FIRST_WORD.match(self.text, start)
        intro_end = -1
        if opening is not None and (
            opening.group(1).lower() in _INTRO_PREPOSITIONS
            or (  # "Campaigning against Mitt Romney in 2012, he ...", not "Manning said"
                opening.group(1).endswith("ing") and idx.mention_at(opening.start(1)) is None
            )
        ):
            intro_end = self.text.find(",", start, start + 200)
        while j < len(idx.mentions) and idx.mentions[j].sent == sent:
            m = idx.mentions[j]
            if until is not None and m.start >= until:
                break
            if m.kind is SourceKind.PERSON and not m.in_quote and not m.poss and m.end > intro_end:
                prefix = self.text[start : m.full_start]
                after = self.text[m.end : m.end + 1]
                if not (after == "," and _LOWER_START.search(prefix)):
                    return m.entity
                # "Campaigning against Romney, he ...": an introductory phrase, not the subject
            # (a possessive is no subject either: "Holt's colleague Matt Lauer ...")
            j += 1
        return -1

    def _pronoun_body(self, low: str, pos: int, ci: int) -> Speaker | None:
        """'they'/'it': the likeliest body, group or thing of the last sentences.

        Candidates: the previous claim's speaker when it is a body or a group; bodies
        named in the last three sentences; and for "they" plural noun phrases
        ("the voters", "his tax returns", "Republicans"), for "it" things that
        speak or show ("the report", "the ad", "the video"). Nearer sentences and
        subjects (a noun phrase followed by its verb) win; people-group nouns
        ("voters", "aides") are likelier than other plurals; a body is likelier to
        be "it" than "they".
        """
        idx = self.idx
        plural = low in PLURAL_PRONOUNS
        narr = self._narr()
        psent = idx.sentence_of(pos)
        pnarr = narr[psent]
        pquote = idx.in_quote(pos)
        best: tuple[float, int, Speaker] | None = None

        own = self.claims[ci]
        pieces = own.content_spans or (own.content,)
        obj = self._object_after(pos, psent)

        def offer(score: float, at: int, sp: Speaker) -> None:
            nonlocal best
            if best is None or (score, at) > best[:2]:
                best = (score, at, sp)

        prev = self._previous_claim(ci)
        if prev is not None:
            sp = self.speakers.get(prev)
            c = self.claims[prev]
            near = c.source is not None and pnarr - narr[idx.sentence_of(c.source.start)] <= 3
            if sp is not None and near and sp.kind is not SourceKind.PERSON:
                number = _speaker_number(sp)
                if number == "either" or number == ("plural" if plural else "singular"):
                    assert c.source is not None
                    ps = c.source
                    score = 1.4 - 0.7 * (pnarr - narr[idx.sentence_of(ps.start)])
                    if self._verb_after(ps.end):
                        score += 0.6  # "X said": a subject
                    offer(score, ps.start, sp)
        for j in range(idx.mentions_before(pos) - 1, -1, -1):
            m = idx.mentions[j]
            if pnarr - narr[m.sent] > 3:
                break
            if m.kind is SourceKind.PERSON or m.poss or self._modifier(m.end):
                continue  # not "Iraq" in "a speedy Iraq withdrawal"
            dist = pnarr - narr[m.sent]
            score = (0.8 if plural else 1.0) - 0.7 * dist
            if self._verb_after(m.end) and not self._subordinate(m.full_start):
                score += 0.6  # a subject, but not of "if North Korea conducted ..."
            if m.entity == obj:
                score -= 2.0  # "it taunted Twitter": the object is not the referent
            if self._word_before(m.full_start) in _PREPOSITIONS:
                score -= 0.3  # "released by Judicial Watch": less salient than a subject
            if m.in_quote and not pquote:
                score -= 1.0
            offer(score, m.start, self.speaker_of(idx.entities[m.entity], self.mention_span(m)))
        for score, at, sp in self._noun_phrases(pos, plural, psent, pnarr, pquote, ci):
            if not _inside(pieces, at):
                offer(score, at, sp)  # a phrase inside what the pronoun says is not its source
        if plural:
            for score, at, sp in self._pairs(pos, psent, pnarr, pquote):
                offer(score, at, sp)
        return best[2] if best is not None else None

    def _pairs(
        self, pos: int, psent: int, pnarr: float, pquote: bool
    ) -> list[tuple[float, int, Speaker]]:
        """Two people joined by "and" ("Mr. Grassley and Mr. Leahy say"): a group that
        "they" may stand for, kept to the article (a source row per article, never merged)."""
        idx = self.idx
        narr = self._narr()
        out: list[tuple[float, int, Speaker]] = []
        n = idx.mentions_before(pos)
        for j in range(n - 1, 0, -1):
            b, a = idx.mentions[j], idx.mentions[j - 1]
            if pnarr - narr[b.sent] > 2:
                break
            if a.kind is not SourceKind.PERSON or b.kind is not SourceKind.PERSON:
                continue
            if a.entity == b.entity or a.poss or b.poss or (b.in_quote and not pquote):
                continue
            gap = self.text[a.end : b.full_start].split()
            if (
                not gap
                or gap[0] != "and"
                or not all(
                    g.lower() in words().role_modifiers or g.lower() in DETERMINERS for g in gap[1:]
                )
            ):
                continue  # "Sen. Marco Rubio and former Gov. Jeb Bush" is a pair too
            if self._word_before(a.full_start) in _PREPOSITIONS:
                continue  # "a study they wrote with Daron Acemoglu and Brendan Price"
            ea, eb = idx.entities[a.entity], idx.entities[b.entity]
            name = f"{ea.name} and {eb.name}"
            score = 1.3 - 0.7 * (pnarr - narr[b.sent])
            if self._verb_after(b.end):
                score += 0.6
            sp = _new_speaker(
                name=name, kind=SourceKind.ANONYMOUS, key="local:group:" + norm_alias(name)
            )
            out.append((score, a.full_start, sp))
        return out

    def _word_before(self, pos: int) -> str:
        """The lower-cased word right before a position in its sentence ("" if none)."""
        m = _LAST_WORD.search(self.text, max(0, pos - 30), pos)
        return m.group(1).lower() if m is not None else ""

    def _subordinate(self, start: int) -> bool:
        """A noun phrase right after "if", "when", "because" ... (past its determiner):
        the subject of a subordinate clause, less salient than the main clause's."""
        m = _LAST_WORD.search(self.text, max(0, start - 30), start)
        if m is None:
            return False
        word = m.group(1).lower()
        if word in DETERMINERS:
            m = _LAST_WORD.search(self.text, max(0, m.start() - 30), m.start())
            word = m.group(1).lower() if m is not None else ""
        return word in _SUBORDINATORS

    def _object_after(self, pos: int, psent: int) -> int:
        """The entity named right after a pronoun and its verb ("she asked Richards",
        "it taunted Twitter"): the pronoun's object, never its referent; -1 if none."""
        idx = self.idx
        j = idx.mentions_before(pos + 1)
        if j >= len(idx.mentions):
            return -1
        m = idx.mentions[j]
        if m.sent != psent or m.poss or m.in_quote != idx.in_quote(pos):
            return -1  # ("she praised Clinton's plan" may be Clinton)
        gap = _OBJECT_GAP.match(self.text, pos, m.full_start)
        if gap is None or gap.end() != m.full_start:
            return -1
        return m.entity

    def _modifier(self, end: int) -> bool:
        """A name used as a modifier of the lower-case noun right after it."""
        toks = tokenize(self.text, end, min(len(self.text), end + 30), limit=1)
        if not toks:
            return False
        nxt = toks[0]
        if nxt.cap and self.text[end : nxt.start] == " " and nxt.text.isalpha():
            # "a CIA Annex": a capitalised word that starts no name of its own
            return self.idx.mention_at(nxt.start) is None and nxt.lower not in words().calendar
        return self._modifies(end, nxt)

    def _modifier_before(self, toks: list[Token], k0: int) -> bool:
        """Whether the word before toks[k0] (k0 > 0) modifies the noun phrase it starts:
        joined by a space or hyphen, and no determiner, stop word, verb or possessive."""
        prev = toks[k0 - 1]
        return (
            self.text[prev.end : toks[k0].start] in (" ", "-")
            and prev.lower not in DETERMINERS
            and prev.lower not in _STOP_MODIFIERS
            and prev.lower not in _VERBS
            and not _verb_like(toks, k0 - 1)
            and not prev.poss
        )

    def _compound(self, toks: list[Token], k: int) -> bool:
        """The word is a modifier of a longer noun: "government" in "a government strategy
        document" (the next word is a plain lower-case word, not a verb or a function word)."""
        return k + 1 < len(toks) and self._modifies(toks[k].end, toks[k + 1])

    def _modifies(self, end: int, nxt: Token) -> bool:
        if self.text[end : nxt.start] != " ":
            return False
        low = nxt.lower
        return (
            not nxt.cap
            and low.isalpha()
            and low not in _VERBS
            and low not in _CLAUSE_VERBS
            and low not in _STOP_MODIFIERS
            and low not in _ADVERBS
            and low not in _SAYS
            and not low.endswith(("ed", "s"))
        )

    def _called(self, end: int) -> Speaker | None:
        """The body a noun names right after it: "a company called Cambridge Analytica"."""
        m = _CALLED.match(self.text, end)
        if m is None:
            return None
        name = m.group(1)
        entry, country = self.idx.lookup_body(name)
        if entry is not None:
            return _new_speaker(
                name=entry.name, kind=entry.kind, key=entry.key, affiliation=entry.affiliation
            )
        if country is not None:
            return None
        return _new_speaker(
            name=name, kind=SourceKind.ORGANIZATION, key="organization:" + norm_alias(name)
        )

    def _phrase_speaker(self, start: int, end: int, ci: int) -> Speaker | None:
        """What a noun phrase near a pronoun resolves to, leaving the claim's own
        resolution untouched (a candidate may lose)."""
        had = self.resolved_entity.get(ci)
        sp = self.resolve_span(start, end, ci)
        if had is None:
            self.resolved_entity.pop(ci, None)
        else:
            self.resolved_entity[ci] = had
        return sp

    def _verb_after(self, end: int) -> bool:
        """A verb (or an auxiliary) right after a noun phrase: the phrase is a subject."""
        toks = tokenize(self.text, end, min(len(self.text), end + 40), limit=3)
        if toks and toks[0].lower in _ADVERBS and len(toks) > 1:
            toks = toks[1:]
        if not toks or self.text[end : toks[0].start].strip(" \u00a0"):
            return False
        w = toks[0].lower
        return not toks[0].cap and (w in _VERBS or w in _CLAUSE_VERBS or w.endswith("ed"))

    def _noun_phrases(
        self, pos: int, plural: bool, psent: int, pnarr: float, pquote: bool, ci: int
    ) -> list[tuple[float, int, Speaker]]:
        """Noun phrases of the pronoun's sentence (before it) and the two before it that
        "they" (plural nouns) or "it" (things that speak or show) may stand for."""
        idx = self.idx
        narr = self._narr()
        w = words()
        first_sent = psent  # back two narrative sentences (quotations do not count)
        # three narrative sentences back: a topic stays ("The email ... it reads")
        while first_sent > 0 and psent - first_sent < 12 and pnarr - narr[first_sent - 1] <= 3:
            first_sent -= 1
        start = idx.sent_starts[first_sent]
        toks = tokenize(self.text, start, pos)
        out: list[tuple[float, int, Speaker]] = []
        # (every test before a candidate is built is a pure filter: the word tests come
        # first, as they drop most tokens without a search of the index)
        for k, t in enumerate(toks):
            low = t.lower
            if t.poss:
                continue
            before = toks[k - 1] if k > 0 else None
            if plural:
                if t.cap:
                    group = low in w.anonymous_nouns or (
                        low.endswith("s") and demonym_affiliation(t.text[:-1]) is not None
                    )
                    if (
                        not group
                        and not (
                            _plural_noun(low)
                            and (
                                before is None
                                or idx.sentence_of(before.start) != idx.sentence_of(t.start)
                            )
                        )
                        and not (_plural_noun(low) and _agent_plural(low))
                    ):
                        continue  # "Millennials", "Democrats" inside a sentence are people too
                elif low in _COLLECTIVE:
                    pass  # "the buzzing crowd": its determiner is checked after its modifiers
                elif (
                    not _plural_noun(low)
                    or low in _VERBS
                    or low in _CLAUSE_VERBS
                    or not (
                        _agent_plural(low)
                        or low in w.anonymous_nouns
                        or low in _PLURAL_THINGS
                        or (before is not None and before.poss and before.cap)
                    )
                ):
                    continue  # "they" say things: people, groups, bodies, documents, and
                    # what a person has ("Judge Berman's clerks", "Trump's tax returns")
                elif before is not None and (
                    before.lower in _SUBJECT_WORDS or before.lower == "to"
                ):
                    continue  # "he considers", "to ensure": a verb
            elif t.cap or low not in _THINGS:
                continue
            if idx.in_quote(t.start) and not pquote:
                continue
            if idx.mention_at(t.start) is not None:
                continue
            sent = idx.sentence_of(t.start)
            k0 = k
            while k0 > 0 and k - k0 < (3 if plural else 5) and self._modifier_before(toks, k0):
                k0 -= 1
                if (
                    not plural
                    and k0 > 1
                    and toks[k0 - 1].lower == "and"
                    and toks[k0 - 2].lower not in DETERMINERS
                    and toks[k0 - 2].lower not in _STOP_MODIFIERS
                ):
                    k0 -= 2  # "a television and radio ad"
            det = toks[k0 - 1] if k0 > 0 else None
            if (
                plural
                and not t.cap
                and low in _COLLECTIVE
                and (det is None or det.lower not in ("the", "its", "his", "her", "their"))
            ):
                continue
            if not plural and not (det is not None and (det.lower in _IT_DETERMINERS or det.poss)):
                continue  # "it" stands for a definite thing: "the report", "a new ad", "his site"
            name = " ".join(self.text[toks[k0].start : t.end].split())
            if not plural and self._compound(toks, k):
                continue  # "government" in "a new government strategy document"
            called = self._called(t.end)
            if called is not None and not plural:
                # "a company called Cambridge Analytica": the body it names
                dist = pnarr - narr[sent]
                out.append((1.0 - 0.7 * dist, toks[k0].start, called))
                continue
            if not plural and low in _IT_BODIES and det is not None:
                # "the Sanders campaign", "the Kazakh government", "Trump's campaign": the body
                body = self._phrase_speaker(det.start, t.end, ci)
                if body is not None and body.kind not in _DESCRIBED:
                    dist = pnarr - narr[sent]
                    score = 1.0 - 0.7 * dist + (0.6 if self._verb_after(t.end) else 0.0)
                    out.append((score, det.start, body))
                    continue
            if (
                toks[k0].cap
                and toks[k0].lower in _lowercase_heads()
                and not (k0 + 1 < len(toks) and toks[k0 + 1].cap)
            ):
                name = name[0].lower() + name[1:]  # "Voters" at a sentence start, not "New York"
            dist = pnarr - narr[sent]
            score = 1.0 - 0.7 * dist
            if self._verb_after(t.end) and not self._subordinate(toks[k0].start):
                score += 0.6
            if self._word_before(toks[k0 - 1].start if k0 > 0 else toks[k0].start) in _PREPOSITIONS:
                score -= 0.3  # the object of a preposition
            if plural and low in w.anonymous_nouns:
                score += 0.3
            if plural and low in _THINGS:
                score -= 0.3  # a body written as a noun ("the campaign"): more often "it"
            if plural:
                sp = _new_speaker(
                    name=name,
                    kind=SourceKind.ANONYMOUS,
                    key="anonymous:" + norm_alias(name),
                    affiliation=self._affiliation(toks[k0 : k + 1], []),
                )
            else:
                sp = _new_speaker(
                    name=name, kind=SourceKind.DOCUMENT, key="document:" + norm_alias(name)
                )
            out.append((score, toks[k0].start, sp))
        return out

    def _first_person(self, pos: int, ci: int) -> Speaker | None:
        """'I'/'we' inside another claim's quotation: that claim's speaker."""
        for j, c in enumerate(self.claims):
            if j == ci:
                continue
            pieces = c.content_spans or (c.content,)
            if _inside(pieces, pos):
                return self.resolve(j)
        quote = self.idx.quote_at(pos)
        if quote is None:
            return None  # the author's own voice
        # '"I ...," Smith said' / 'Smith said: "We ..."': the claim attributed next to the quote
        q_start, q_end = quote
        for j, c in enumerate(self.claims):
            if j == ci or c.source is None or self.idx.in_quote(c.source.start):
                continue
            if q_end <= c.source.start <= q_end + 40 or q_start - 60 <= c.source.end <= q_start:
                return self.resolve(j)
        return None

    # -- relays ------------------------------------------------------------------------

    def _cited(self, ci: int) -> Speaker | None:
        c = self.claims[ci]
        if c.source is None:
            return None
        text = self.text
        # "X, citing Y" / "X reported, citing Y" shortly after the source or the cue
        m = None
        after = c.source.end
        if self._citing is None:
            # _CITING has no anchors or look-arounds: a window of the text holds a match only
            # if the whole text does, so one answer serves every claim of the article
            self._citing = _may_cite(text)
        for begin in (c.source.end, c.cue.end if c.cue else -1):
            if begin < 0 or not self._citing:
                continue
            window = text[begin : begin + 60]
            cut = _STOP.search(window)
            found = _CITING.search(window[: cut.start()] if cut else window)
            if found is not None:
                m, after = found, begin
                break
        if m is not None:
            start = after + m.end()
            stop = start
            while stop < len(text) and text[stop] not in ",.;:\n" and stop - start < 80:
                stop += 1
            sp = self.resolve_span(start, stop, ci)
            if sp is not None:
                return sp
        sp = self.speakers.get(ci)
        if sp is not None and sp.kind is SourceKind.MEDIA and not sp.key.startswith("local:"):
            return sp
        return None


def pnarr_of(idx: ArticleIndex, pos: int) -> int:
    """Narrative sentence number of a position (quotations do not count)."""
    return idx.narrative[idx.sentence_of(pos)]


def _claim_start(claim: Claim) -> int:
    """Where the claim's first span starts (content, cue or source)."""
    start = claim.content.start
    if claim.cue is not None and claim.cue.start < start:
        start = claim.cue.start
    if claim.source is not None and claim.source.start < start:
        start = claim.source.start
    return start


def resolve_claims(
    text: str, claims: list[Claim], *, table: EntityTable | None = None
) -> list[ResolvedClaim]:
    """Attach a canonical Speaker to every claim of one article (same order as given)."""
    if not claims:
        return []
    return _Resolver(text, claims, table or default_table()).run()


__all__ = ["person_key", "resolve_claims"]
