"""Credibility scores (pure): source reliability and claim credibility, on separate axes.

Public API (docs/scoring.md explains the model):
- ``ScoringConfig`` / ``DEFAULT_CONFIG`` / ``apply_overrides(config, {key: value})`` /
  ``config_dict`` / ``config_rows``: every constant, overridable per case;
- ``score_sources(sources, claims, links, config) -> {source_id: SourceScore}``;
- ``score_claims(claims, links, source_scores, config, sources=...) -> {claim_id: ClaimScore}``;
- ``score_case(...)``: both, on one graph;
- ``affected_claims(changed_ids, links, claims) -> set[int]``: what to rescore after a change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from claimtrack.models import CaseClaim, ClaimScore, Link, SourceRecord, SourceScore
from claimtrack.scoring.claims import affected_claims, logit, score_claims, sigmoid
from claimtrack.scoring.config import (
    DEFAULT_CONFIG,
    MEANINGS,
    ScoringConfig,
    apply_overrides,
    config_dict,
    config_rows,
)
from claimtrack.scoring.graph import CaseGraph, build_graph
from claimtrack.scoring.sources import letter_for, score_sources


def score_case(
    sources: Sequence[SourceRecord],
    claims: Sequence[CaseClaim],
    links: Iterable[Link],
    config: ScoringConfig = DEFAULT_CONFIG,
    *,
    only: Iterable[int] | None = None,
) -> tuple[dict[int, SourceScore], dict[int, ClaimScore]]:
    """Source scores, then claim scores (of ``only`` when given), on one link graph."""
    graph = build_graph(claims, links, config)
    src = score_sources(sources, claims, (), config, graph=graph)
    return src, score_claims(claims, (), src, config, sources=sources, only=only, graph=graph)


__all__ = [
    "DEFAULT_CONFIG",
    "MEANINGS",
    "CaseGraph",
    "ScoringConfig",
    "affected_claims",
    "apply_overrides",
    "build_graph",
    "config_dict",
    "config_rows",
    "letter_for",
    "logit",
    "score_case",
    "score_claims",
    "score_sources",
    "sigmoid",
]
