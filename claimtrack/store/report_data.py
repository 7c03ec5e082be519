"""What a report is made of: a frozen snapshot of (a selection of) the case.

``claimtrack.store.reporting`` builds a ``ReportData`` from the database; the
renderers (``claimtrack.report.markdown``, ``claimtrack.report.export``) are
pure functions of it, so the same data always gives the same bytes. The models
live in the store layer (plain pydantic, no SQL) because the layering lets the
report import the store, not the other way round; ``claimtrack.report.data``
re-exports them.

Ordering is part of the contract: the store hands out every tuple sorted by id;
the renderers sort again where they need another order, with total keys.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field

from claimtrack.models import (
    ClaimScore,
    Frozen,
    Origin,
    QuoteType,
    Relation,
    ReviewStatus,
    SourceKind,
    SourceScore,
    Stance,
    Verdict,
)


class ReportArticle(Frozen):
    id: int
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: date | None = None
    path: str | None = None
    content_hash: str = ""
    text: str | None = None  # only filled for the JSON export


class ReportSource(Frozen):
    """A canonical source with the analyst's overrides already applied."""

    id: int
    name: str
    kind: SourceKind = SourceKind.UNKNOWN
    key: str = ""
    affiliation: str | None = None
    role: str | None = None
    aliases: tuple[str, ...] = ()
    prior: float | None = None
    prior_reason: str | None = None
    score: SourceScore | None = None


class ReportClaim(Frozen):
    """A claim with its effective source (analyst edit, merges followed), score and review."""

    id: int
    article_id: int
    ordinal: int = 0
    content: str
    content_start: int | None = None
    content_end: int | None = None
    cue: str | None = None
    source_text: str | None = None  # the attribution as written ("he")
    source_id: int | None = None
    speaker: str | None = None  # display name when no source record exists
    source_kind: SourceKind = SourceKind.UNKNOWN
    cited_source_id: int | None = None  # "X, citing Reuters": the relayed origin
    stance: Stance = Stance.ASSERTS
    hedged: bool = False
    hedges: tuple[str, ...] = ()
    quote: QuoteType = QuoteType.INDIRECT
    confidence: float = 1.0
    score: ClaimScore | None = None
    status: ReviewStatus = ReviewStatus.UNREVIEWED
    verdict: Verdict | None = None
    note: str | None = None
    reviewed_at: datetime | None = None
    reviewed_by: str | None = None
    selected: bool = True  # False: shown only as context of a selected claim


class ReportLink(Frozen):
    """The effective link of a pair: the analyst's row when there is one, else the machine's."""

    a: int
    b: int
    relation: Relation
    confidence: float = 1.0
    reason: str = ""
    origin: Origin = Origin.MACHINE
    origin_claim: int | None = None
    note: str | None = None


class ReportData(Frozen):
    title: str = "Credibility report"
    selection: tuple[tuple[str, str], ...] = ()  # (filter, value) as the user gave them
    articles: tuple[ReportArticle, ...] = ()
    sources: tuple[ReportSource, ...] = ()
    claims: tuple[ReportClaim, ...] = ()
    links: tuple[ReportLink, ...] = ()
    config: dict[str, Any] = Field(default_factory=dict)  # the scoring configuration in force
    config_meanings: dict[str, str] = Field(default_factory=dict)  # setting -> one-line meaning
    config_overrides: tuple[str, ...] = ()  # the settings this case changed from the default
    rejected_claims: int = 0  # claims the analyst rejected as extraction errors (left out)
    analyst: str | None = None  # who signs verdicts in ClaimReview exports
