"""Lexicons of the source resolver, loaded once from the package's data files.

Everything here is data-driven: ``data/places.csv`` (countries, demonyms,
capital metonyms), ``data/entities.csv`` (outlets, agencies, organisations and
government bodies with a reliability prior), ``data/roles.csv`` (titles),
``data/first_names.txt`` (gender cues), ``data/nicknames.csv`` and
``data/words.toml`` (closed word lists). Only importlib.resources is used.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources

from claimtrack.errors import InputError
from claimtrack.models import SourceKind

ENTITY_COLUMNS = (
    "key",
    "name",
    "kind",
    "affiliation",
    "types",
    "aliases",
    "adjectives",
    "prior",
    "prior_reason",
    "prior_origin",
)


def _read(name: str) -> str:
    return (resources.files("claimtrack.sources") / "data" / name).read_text(encoding="utf-8")


def _rows(text: str) -> list[list[str]]:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return [row for row in csv.reader(lines)]


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


_APOS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00a0": " "})


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, strip accents, unify apostrophes and spaces."""
    if text.isascii():  # nothing to translate or decompose
        return " ".join(text.lower().split())
    text = unicodedata.normalize("NFKD", text.translate(_APOS))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())


_DOTS = re.compile(r"(?<=\w)\.(?=\w|\s|$)|\.$")
_LEADING_THE = re.compile(r"^(?:the|a|an)\s+")
_NOT_ALIAS = re.compile(r"[^\w' &-]")


@lru_cache(maxsize=65536)
def norm_alias(text: str) -> str:
    """Normalised alias for table lookup: folded, no dots, no leading article."""
    value = fold(text).replace(".", "")
    value = _NOT_ALIAS.sub(" ", value)
    value = " ".join(value.split())
    return _LEADING_THE.sub("", value)


@dataclass(frozen=True)
class EntityEntry:
    """One row of the built-in (or case-extended) entity table."""

    key: str
    name: str
    kind: SourceKind
    affiliation: str | None = None
    types: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    adjectives: tuple[str, ...] = ()
    prior: float | None = None
    prior_reason: str = ""
    prior_origin: str = ""


@dataclass(frozen=True)
class Country:
    name: str
    demonyms: tuple[str, ...]
    aliases: tuple[str, ...]
    metonyms: tuple[str, ...]

    @property
    def key(self) -> str:
        return "government:" + fold(self.name)


@dataclass(frozen=True)
class Role:
    role: str
    cls: str
    gender: str  # "m", "f" or ""
    kind: SourceKind


@dataclass(frozen=True)
class EntityTable:
    """Outlets, agencies, organisations and governments, with alias lookup."""

    entries: tuple[EntityEntry, ...]
    by_key: Mapping[str, EntityEntry] = field(default_factory=dict)
    by_alias: Mapping[str, EntityEntry] = field(default_factory=dict)

    @classmethod
    def build(cls, entries: Iterable[EntityEntry]) -> EntityTable:
        ordered: dict[str, EntityEntry] = {}
        for entry in entries:
            ordered[entry.key] = entry
        by_alias: dict[str, EntityEntry] = {}
        for entry in ordered.values():
            for alias in (entry.name, *entry.aliases):
                by_alias.setdefault(norm_alias(alias), entry)
        return cls(tuple(ordered.values()), dict(ordered), by_alias)

    def lookup(self, written: str) -> EntityEntry | None:
        return self.by_alias.get(norm_alias(written))


def _parse_prior(cell: str, where: str) -> float | None:
    if not cell.strip():
        return None
    try:
        value = float(cell)
    except ValueError:
        raise InputError(f"prior {cell!r} is not a number", path=where) from None
    if not 0.0 <= value <= 1.0:
        raise InputError(f"prior {value} is outside [0, 1]", path=where)
    return value


def entity_from_row(row: Mapping[str, str], where: str = "entities") -> EntityEntry:
    """One table row (column names as in data/entities.csv) to an EntityEntry."""
    name = (row.get("name") or "").strip()
    if not name:
        raise InputError("entity row without a name", path=where)
    kind_text = (row.get("kind") or "organization").strip().lower()
    try:
        kind = SourceKind(kind_text)
    except ValueError:
        raise InputError(f"unknown source kind {kind_text!r}", path=where) from None
    key = (row.get("key") or "").strip() or f"{kind.value}:{norm_alias(name)}"
    return EntityEntry(
        key=key,
        name=name,
        kind=kind,
        affiliation=(row.get("affiliation") or "").strip() or None,
        types=_split(row.get("types") or ""),
        aliases=_split(row.get("aliases") or ""),
        adjectives=_split(row.get("adjectives") or ""),
        prior=_parse_prior(row.get("prior") or "", where),
        prior_reason=(row.get("prior_reason") or "").strip(),
        prior_origin=(row.get("prior_origin") or "").strip(),
    )


def parse_entity_csv(text: str, where: str = "entities.csv") -> list[EntityEntry]:
    """Parse rows in the format of data/entities.csv (header line required)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not lines:
        return []
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    missing = {"name"} - set(reader.fieldnames or ())
    if missing:
        raise InputError("entity table has no 'name' column", path=where)
    return [entity_from_row(row, f"{where}:{i + 2}") for i, row in enumerate(reader)]


@lru_cache(maxsize=1)
def countries() -> tuple[Country, ...]:
    out = []
    for row in _rows(_read("places.csv")):
        name, demonyms, aliases, metonyms = (row + ["", "", "", ""])[:4]
        out.append(Country(name, _split(demonyms), _split(aliases), _split(metonyms)))
    return tuple(out)


def _government_entries() -> list[EntityEntry]:
    return [
        EntityEntry(
            key=c.key,
            name=c.name,
            kind=SourceKind.GOVERNMENT,
            affiliation=c.name,
            types=("government", "administration"),
            aliases=c.aliases + c.metonyms,
            adjectives=c.demonyms,
            prior=None,
            prior_reason="no general prior: a government is often a party to what it reports; "
            "default by kind",
            prior_origin="claimtrack editorial",
        )
        for c in countries()
    ]


@lru_cache(maxsize=1)
def default_table() -> EntityTable:
    """The built-in table: every country's government plus data/entities.csv."""
    rows = _government_entries() + parse_entity_csv(_read("entities.csv"), "entities.csv")
    return EntityTable.build(rows)


def extend_table(
    table: EntityTable, rows: Sequence[EntityEntry | Mapping[str, str]]
) -> EntityTable:
    """A new table with a case's extra rows merged in (same key: the case row wins)."""
    extra = [r if isinstance(r, EntityEntry) else entity_from_row(r, "case table") for r in rows]
    merged: dict[str, EntityEntry] = dict(table.by_key)
    for entry in extra:
        old = merged.get(entry.key)
        if old is not None:
            entry = replace(
                entry,
                aliases=tuple(dict.fromkeys(old.aliases + entry.aliases)),
                adjectives=tuple(dict.fromkeys(old.adjectives + entry.adjectives)),
                types=entry.types or old.types,
                prior=entry.prior if entry.prior is not None else old.prior,
                prior_reason=entry.prior_reason or old.prior_reason,
                prior_origin=entry.prior_origin or old.prior_origin,
            )
        merged[entry.key] = entry
    return EntityTable.build(merged.values())


@dataclass(frozen=True)
class Words:
    function_words: frozenset[str]
    calendar: frozenset[str]
    honorifics: Mapping[str, str]
    role_modifiers: frozenset[str]
    name_particles: frozenset[str]
    org_heads: frozenset[str]
    media_heads: frozenset[str]
    evidence_nouns: frozenset[str]
    media_report_nouns: frozenset[str]
    anonymous_nouns: frozenset[str]
    document_nouns: frozenset[str]
    government_heads: tuple[str, ...]
    descriptions: Mapping[str, tuple[SourceKind, ...]]
    non_person: frozenset[str]
    regions: frozenset[str]
    gendered_nouns: Mapping[str, str]  # "woman" -> "f", "man" -> "m"
    # the resolver's nouns for a pronoun's antecedent (see words.toml)
    person_bodies: frozenset[str]
    it_things: frozenset[str]
    it_bodies: frozenset[str]
    collective_nouns: frozenset[str]
    plural_things: frozenset[str]
    irregular_plurals: frozenset[str]
    agent_plural_endings: tuple[str, ...]  # for str.endswith
    not_plural: frozenset[str]
    descriptor_regions: frozenset[str]
    # verbs and abbreviations of the mention finder and the resolver (see words.toml)
    abbreviations: frozenset[str]
    abbreviated_titles: frozenset[str]
    speech_verbs: frozenset[str]
    clause_verbs: frozenset[str]
    says_words: frozenset[str]
    subject_verbs: frozenset[str]
    lowercase_modifiers: frozenset[str]


@lru_cache(maxsize=1)
def words() -> Words:
    data = tomllib.loads(_read("words.toml"))

    def fs(name: str) -> frozenset[str]:
        return frozenset(str(w) for w in data[name])

    return Words(
        function_words=fs("function_words"),
        calendar=fs("calendar"),
        honorifics={str(k): str(v) for k, v in data["honorifics"].items()},
        role_modifiers=fs("role_modifiers"),
        name_particles=fs("name_particles"),
        org_heads=fs("org_heads"),
        media_heads=fs("media_heads"),
        evidence_nouns=fs("evidence_nouns"),
        media_report_nouns=fs("media_report_nouns"),
        anonymous_nouns=fs("anonymous_nouns"),
        document_nouns=fs("document_nouns"),
        government_heads=tuple(
            sorted((str(w) for w in data["government_heads"]), key=len, reverse=True)
        ),
        descriptions={
            str(k): tuple(SourceKind(v) for v in vs) for k, vs in data["descriptions"].items()
        },
        non_person=frozenset(str(x) for x in data["non_person"]["words"]),
        regions=frozenset(str(x) for x in data["regions"]["names"]),
        gendered_nouns={
            **{str(w): "f" for w in data["female_nouns"]},
            **{str(w): "m" for w in data["male_nouns"]},
        },
        person_bodies=fs("person_bodies"),
        it_things=fs("it_things"),
        it_bodies=fs("it_bodies"),
        collective_nouns=fs("collective_nouns"),
        plural_things=fs("plural_things"),
        irregular_plurals=fs("irregular_plurals"),
        agent_plural_endings=tuple(str(w) for w in data["agent_plural_endings"]),
        not_plural=fs("not_plural"),
        descriptor_regions=fs("descriptor_regions"),
        abbreviations=fs("abbreviations"),
        abbreviated_titles=fs("abbreviated_titles"),
        speech_verbs=fs("speech_verbs"),
        clause_verbs=fs("clause_verbs"),
        says_words=fs("says_words"),
        subject_verbs=fs("subject_verbs"),
        lowercase_modifiers=fs("lowercase_modifiers"),
    )


@lru_cache(maxsize=1)
def roles() -> Mapping[str, Role]:
    out: dict[str, Role] = {}
    rows = _rows(_read("roles.csv"))
    for row in rows[1:]:  # header
        role, cls, gender, kind = (row + ["", "", "", ""])[:4]
        entry = Role(
            role.strip(), cls.strip(), gender.strip(), SourceKind(kind.strip() or "person")
        )
        out[role.strip().lower()] = entry
        out.setdefault(role.strip().lower().replace(".", ""), entry)  # "maj gen", "sen"
    return out


@lru_cache(maxsize=1)
def max_role_words() -> int:
    return max(len(r.split()) for r in roles())


@lru_cache(maxsize=1)
def first_name_gender() -> Mapping[str, str]:
    out: dict[str, str] = {}
    for line in _read("first_names.txt").splitlines():
        if line[:2] in ("m:", "f:"):
            for name in line[2:].split():
                key = fold(name)
                out[key] = "" if key in out and out[key] != line[0] else line[0]
    return {k: v for k, v in out.items() if v}


@lru_cache(maxsize=1)
def nickname_groups() -> Mapping[str, frozenset[int]]:
    out: dict[str, set[int]] = {}
    for i, line in enumerate(_read("nicknames.csv").splitlines()):
        if not line.strip() or line.startswith("#"):
            continue
        for name in _split(line):
            out.setdefault(fold(name), set()).add(i)
    return {k: frozenset(v) for k, v in out.items()}


@dataclass(frozen=True)
class PlaceIndex:
    """Surface form -> country, for names, demonyms and government metonyms."""

    names: Mapping[str, Country]  # "Britain", "the United States"
    demonyms: Mapping[str, str]  # "British" -> "United Kingdom", "Houthi" -> "Houthis"
    metonyms: Mapping[str, Country]  # "London", "the Kremlin"


@lru_cache(maxsize=1)
def places() -> PlaceIndex:
    names: dict[str, Country] = {}
    demonyms: dict[str, str] = {}
    metonyms: dict[str, Country] = {}
    for c in countries():
        for alias in (c.name, *c.aliases):
            names.setdefault(norm_alias(alias), c)
        for demonym in c.demonyms:
            demonyms.setdefault(demonym, c.name)
        for metonym in c.metonyms:
            metonyms.setdefault(norm_alias(metonym), c)
    for entry in default_table().entries:
        for adjective in entry.adjectives:
            if entry.kind is not SourceKind.GOVERNMENT:
                demonyms.setdefault(adjective, entry.name)
    return PlaceIndex(names, demonyms, metonyms)


_AFFILIATE_SUFFIXES = ("-backed", "-led", "-allied", "-aligned", "-based", "-funded", "-supported")


@lru_cache(maxsize=65536)
def demonym_affiliation(word: str) -> str | None:
    """Affiliation for an adjective or place word ("British", "U.S.", "Iran-backed", "Italy's")."""
    word = word.translate(_APOS)
    if word.endswith("'s"):
        word = word[:-2]
    index = places()
    if word in index.demonyms:
        return index.demonyms[word]
    if word.endswith(_AFFILIATE_SUFFIXES):  # (one test in C for the usual word without)
        for suffix in _AFFILIATE_SUFFIXES:
            if word.endswith(suffix):
                return demonym_affiliation(word[: -len(suffix)])
    country = index.names.get(norm_alias(word))
    if country is not None:
        return country.name
    return None


__all__ = [
    "Country",
    "EntityEntry",
    "EntityTable",
    "PlaceIndex",
    "Role",
    "Words",
    "countries",
    "default_table",
    "demonym_affiliation",
    "entity_from_row",
    "extend_table",
    "first_name_gender",
    "fold",
    "max_role_words",
    "nickname_groups",
    "norm_alias",
    "parse_entity_csv",
    "places",
    "roles",
    "words",
]
