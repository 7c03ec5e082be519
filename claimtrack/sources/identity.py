"""Cross-article identity: when two resolved speakers are the same source.

``Speaker.key`` is the canonical identity ("person:ben wallace",
"media:reuters", "government:russia"). Two speakers with the same key are the
same source, except for article-local keys (``is_article_local``): anonymous
sources ("anonymous:senior u.s. official"), documents ("document:the report")
and unresolved surname-only people ("local:person:smith") stand for something
different in every article; the store appends the article id to them
(``scoped_key``) so they never merge.

Beyond equal keys, ``match_entity`` merges:
- people: surnames equal after normalisation (accents, case, hyphens, "al-"),
  first names compatible (equal, an initial, a nickname, or a transliteration
  variant by rapidfuzz ratio with the same initial), middle initials not in
  conflict, genders of the first names not in conflict. "John Kirby" is never
  "John Kerry"; a surname alone never merges across articles;
- outlets, organisations and governments: same table entry (aliases: "WSJ",
  "The Wall Street Journal"; "the Pentagon", "U.S. Department of Defense"),
  same normalised name or alias, an acronym of the other's name, or a rapidfuzz
  token ratio >= 92 after dropping generic words, never across different
  countries, demonyms or numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from claimtrack.models import SourceKind, Speaker
from claimtrack.sources.lexicon import (
    EntityTable,
    default_table,
    demonym_affiliation,
    first_name_gender,
    fold,
    norm_alias,
    roles,
    words,
)
from claimtrack.sources.mentions import first_names_compatible

LOCAL_PREFIXES = ("anonymous:", "document:", "local:")
_JOINED = frozenset({"abdel", "abdul", "abd", "abu", "bin", "ibn", "al", "el"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_GENERIC = frozenset(
    {
        "the",
        "news",
        "agency",
        "newspaper",
        "inc",
        "ltd",
        "group",
        "corp",
        "corporation",
        "co",
        "company",
        "of",
        "and",
        "service",
        "network",
        "channel",
        "tv",
        "online",
        "daily",
    }
)
_BODY_KINDS = frozenset({SourceKind.ORGANIZATION, SourceKind.MEDIA, SourceKind.GOVERNMENT})


def canonical_key(speaker: Speaker) -> str:
    """The identity key of a speaker (as the resolver set it)."""
    return speaker.key


def is_article_local(key: str) -> bool:
    """Keys that must never merge across articles (anonymous, documents, bare surnames)."""
    return key.startswith(LOCAL_PREFIXES)


def scoped_key(key: str, article: int | str) -> str:
    """The key the store saves: article-local keys get ``@<article>`` appended."""
    return f"{key}@{article}" if is_article_local(key) else key


@dataclass(frozen=True)
class KnownEntity:
    """A source already in the case: its key, display name, kind and aliases."""

    key: str
    name: str
    kind: SourceKind
    aliases: tuple[str, ...] = ()

    @classmethod
    def of(cls, speaker: Speaker) -> KnownEntity:
        return cls(speaker.key, speaker.name, speaker.kind, speaker.aliases)


@dataclass(frozen=True)
class PersonName:
    first: str | None
    middles: tuple[str, ...]
    surname: str


_NAME_CHARS = re.compile(r"[^\w\s'-]")


def parse_person(name: str) -> PersonName | None:
    """Split a person's name (titles and honorifics dropped) into first/middle/surname."""
    w = words()
    toks = [t.strip(".'-") for t in _NAME_CHARS.sub(" ", fold(name).replace(".", ". ")).split()]
    toks = [t for t in toks if t]
    while len(toks) > 1 and (
        toks[0] in w.honorifics
        or toks[0] + "." in w.honorifics
        or toks[0] in roles()
        or toks[0] in w.role_modifiers
    ):
        toks = toks[1:]
    while toks and toks[-1] in _SUFFIXES:
        toks = toks[:-1]
    if not toks:
        return None
    surname = _norm_surname(toks[-1])
    # particles belong to the surname: "von der leyen", "bin salman"
    k = len(toks) - 1
    while k > 1 and (toks[k - 1] in w.name_particles or toks[k - 1] in _JOINED):
        surname = _norm_surname(toks[k - 1]) + surname
        k -= 1
    first = toks[0] if k > 0 else None
    return PersonName(first, tuple(toks[1:k]), surname)


def _norm_surname(token: str) -> str:
    token = re.sub(r"^(?:al|el|ad|as|ash)-", "", token)
    return token.replace("-", "").replace("'", "")


def _first_ok(a: str, b: str) -> bool:
    if first_names_compatible(a, b):
        if len(a) > 1 and len(b) > 1:
            ga, gb = first_name_gender().get(a, ""), first_name_gender().get(b, "")
            if ga and gb and ga != gb:
                return False
        return True
    if a[0] != b[0] or min(len(a), len(b)) < 4:
        return False
    ga, gb = first_name_gender().get(a, ""), first_name_gender().get(b, "")
    if ga and gb and ga != gb:
        return False
    if ga and gb and a in first_name_gender() and b in first_name_gender():
        # two distinct common names ("daniel"/"danielle", "john"/"joan") stay apart
        return False
    from rapidfuzz import fuzz  # here: ``claimtrack extract`` never needs it (~15 ms import)

    return fuzz.ratio(a, b) >= 90


def same_person(a: str, b: str) -> bool:
    """Could names a and b be the same person (both need a first name)?"""
    pa, pb = parse_person(a), parse_person(b)
    if pa is None or pb is None or pa.first is None or pb.first is None:
        return False
    if pa.surname != pb.surname:
        return False
    if not _first_ok(pa.first, pb.first):
        return False
    ma = [m[0] for m in pa.middles]
    mb = [m[0] for m in pb.middles]
    return not (ma and mb and ma != mb)


def _countries(name: str) -> frozenset[str]:
    out = set()
    for tok in re.split(r"[\s/]+", name):
        aff = demonym_affiliation(tok.strip(",.()"))
        if aff is not None:
            out.add(aff)
    return frozenset(out)


def _significant(name: str) -> list[str]:
    return [t for t in norm_alias(name).replace("-", " ").split() if t not in _GENERIC]


def _acronym(short: str, long: str) -> bool:
    letters = short.replace(".", "")
    if not (2 <= len(letters) <= 6 and letters.isupper()):
        return False
    initials = "".join(
        t[0] for t in norm_alias(long).split() if t not in ("the", "of", "and", "for")
    )
    return initials.upper() == letters


def same_body(a: str, b: str) -> bool:
    """Could outlet/organisation names a and b be the same body?"""
    na, nb = norm_alias(a), norm_alias(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    if _countries(a) != _countries(b):
        return False
    if re.findall(r"\d+", na) != re.findall(r"\d+", nb):
        return False
    if _acronym(a, b) or _acronym(b, a):
        return True
    sa, sb = _significant(a), _significant(b)
    if not sa or not sb:
        return False
    if sa == sb:
        return True
    if len(sa) < 2 or len(sb) < 2:
        return False
    from rapidfuzz import fuzz  # here: ``claimtrack extract`` never needs it (~15 ms import)

    return fuzz.token_sort_ratio(" ".join(sa), " ".join(sb)) >= 92


def _names(e: KnownEntity | Speaker) -> list[str]:
    return list(dict.fromkeys([e.name, *e.aliases]))


def _table_key(e: KnownEntity | Speaker, table: EntityTable) -> str | None:
    if e.key in table.by_key:
        return e.key
    for n in _names(e):
        entry = table.lookup(n)
        if entry is not None and entry.kind is e.kind:
            return entry.key
    return None


def _compatible_kinds(a: SourceKind, b: SourceKind) -> bool:
    if a is b:
        return True
    return {a, b} == {SourceKind.ORGANIZATION, SourceKind.MEDIA}


def _match_one(
    s: KnownEntity | Speaker, k: KnownEntity, table: EntityTable, s_table: str | None
) -> bool:
    if s.key == k.key:
        return True
    if is_article_local(k.key) or is_article_local(s.key):
        return False
    if s.kind is SourceKind.PERSON or k.kind is SourceKind.PERSON:
        if s.kind is not k.kind:
            return False
        # the full names decide; aliases may hold "Mr Wallace" but never a bare surname merge
        return same_person(s.name, k.name)
    if not _compatible_kinds(s.kind, k.kind) or s.kind not in _BODY_KINDS:
        return False
    k_table = _table_key(k, table)
    if s_table is not None or k_table is not None:
        return s_table == k_table
    return any(same_body(x, y) for x in _names(s) for y in _names(k))


def match_key(name: str, kind: SourceKind) -> str | None:
    """An indexable key for finding the known entities a name may be (None: match by key only).

    People: ``person:<normalised surname>`` when the name has a first name, so
    every two names ``same_person`` accepts share it (a store can fetch the
    candidates of ``match_entity`` by an indexed column instead of scanning).
    Outlets, organisations, governments: ``body:<significant words>`` (generic
    words such as "the", "agency", "news" dropped), which finds the same body
    written with or without them; acronyms and near-identical names are found
    only by alias. Other kinds: None.
    """
    if kind is SourceKind.PERSON:
        p = parse_person(name)
        if p is None or p.first is None or not p.surname:
            return None
        return f"person:{p.surname}"
    if kind in _BODY_KINDS:
        sig = _significant(name)
        return "body:" + " ".join(sig) if sig else None
    return None


def match_entity(
    speaker: Speaker | KnownEntity,
    known: Sequence[KnownEntity],
    *,
    table: EntityTable | None = None,
) -> int | None:
    """Index in ``known`` of the entity ``speaker`` is, or None (a new source)."""
    table = table or default_table()
    for i, k in enumerate(known):
        if k.key == speaker.key:  # the same key is the same source (scoped or not)
            return i
    if is_article_local(speaker.key):
        return None
    s_table = _table_key(speaker, table) if speaker.kind is not SourceKind.PERSON else None
    for i, k in enumerate(known):
        if _match_one(speaker, k, table, s_table):
            return i
    return None


class EntityIndex:
    """The case's sources, for matching speakers article after article.

    ``add`` returns the index of the entity the speaker merges into (new or
    existing) and remembers its aliases; article-local speakers always get a
    new entity. Matching is indexed by key and by person surname, so adding is
    cheap even with thousands of sources.
    """

    def __init__(
        self, entities: Iterable[KnownEntity] = (), *, table: EntityTable | None = None
    ) -> None:
        self.table = table or default_table()
        self.entities: list[KnownEntity] = []
        self._by_key: dict[str, int] = {}
        self._by_surname: dict[str, list[int]] = {}
        self._bodies: list[int] = []
        for e in entities:
            self._append(e)

    def _append(self, e: KnownEntity) -> int:
        i = len(self.entities)
        self.entities.append(e)
        self._by_key.setdefault(e.key, i)
        if e.kind is SourceKind.PERSON:
            p = parse_person(e.name)
            if p is not None:
                self._by_surname.setdefault(p.surname, []).append(i)
        elif e.kind in _BODY_KINDS:
            self._bodies.append(i)
        return i

    def match(self, speaker: Speaker | KnownEntity) -> int | None:
        if speaker.key in self._by_key:  # the same key is the same source (scoped or not)
            return self._by_key[speaker.key]
        if is_article_local(speaker.key):
            return None
        if speaker.kind is SourceKind.PERSON:
            p = parse_person(speaker.name)
            if p is None:
                return None
            for i in self._by_surname.get(p.surname, []):
                if _match_one(speaker, self.entities[i], self.table, None):
                    return i
            return None
        if speaker.kind not in _BODY_KINDS:
            return None
        s_table = _table_key(speaker, self.table)
        for i in self._bodies:
            if _match_one(speaker, self.entities[i], self.table, s_table):
                return i
        return None

    def add(self, speaker: Speaker | KnownEntity) -> int:
        i = self.match(speaker)
        if i is None:
            return self._append(
                speaker if isinstance(speaker, KnownEntity) else KnownEntity.of(speaker)
            )
        old = self.entities[i]
        aliases = tuple(dict.fromkeys((*old.aliases, *_names(speaker))))
        if aliases != old.aliases:
            self.entities[i] = KnownEntity(old.key, old.name, old.kind, aliases)
        self._by_key.setdefault(speaker.key, i)
        return i


__all__ = [
    "EntityIndex",
    "KnownEntity",
    "PersonName",
    "canonical_key",
    "is_article_local",
    "match_entity",
    "match_key",
    "parse_person",
    "same_body",
    "same_person",
    "scoped_key",
]
