"""Source resolution: within an article and across the case (pure, no I/O).

Public API (docs/dev/SOURCES_API.md):
- ``resolve_claims(text, claims, *, table=None) -> list[ResolvedClaim]``: each claim's
  written source span -> a canonical Speaker (pronouns, surnames, descriptions,
  anonymous, documents, metonyms), plus ``cited`` for relays;
- cross-article identity: ``canonical_key``, ``is_article_local``, ``scoped_key``,
  ``match_entity(speaker, known)``, ``match_key``, ``EntityIndex``, ``KnownEntity``;
- the outlet/agency/government table: ``default_table()``, ``extend_table(table, rows)``,
  ``parse_entity_csv(text)``, ``EntityEntry``, ``EntityTable``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from claimtrack.sources.lexicon import (
    EntityEntry,
    EntityTable,
    default_table,
    demonym_affiliation,
    extend_table,
    parse_entity_csv,
)
from claimtrack.sources.resolve import resolve_claims

if TYPE_CHECKING:
    from claimtrack.sources.identity import (
        EntityIndex,
        KnownEntity,
        canonical_key,
        is_article_local,
        match_entity,
        match_key,
        same_body,
        same_person,
        scoped_key,
    )

# the cross-article names are imported on first use: ``claimtrack extract`` never needs them
_IDENTITY = frozenset(
    {
        "EntityIndex",
        "KnownEntity",
        "canonical_key",
        "is_article_local",
        "match_entity",
        "match_key",
        "same_body",
        "same_person",
        "scoped_key",
    }
)


def __getattr__(name: str) -> Any:
    if name in _IDENTITY:
        from claimtrack.sources import identity

        value = getattr(identity, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EntityEntry",
    "EntityIndex",
    "EntityTable",
    "KnownEntity",
    "canonical_key",
    "default_table",
    "demonym_affiliation",
    "extend_table",
    "is_article_local",
    "match_entity",
    "match_key",
    "parse_entity_csv",
    "resolve_claims",
    "same_body",
    "same_person",
    "scoped_key",
]
