"""Tables of the case database (SQLModel on SQLAlchemy 2.0).

Machine output and analyst decisions live apart:
- ``claim`` holds what the extractor/resolver produced; ``claim_review`` holds the
  analyst's decisions about a claim (status, source override, verdict, note) and
  is never touched by a re-run;
- ``link`` rows have an ``origin``: a machine row may be replaced by re-linking,
  an analyst row (including relation ``none`` = rejected) always wins and is
  never deleted by the machine;
- ``source`` has machine columns and ``*_override`` analyst columns;
  ``merged_into`` records an analyst merge.
Every analyst change also writes a ``review_event`` (old and new value).
Spans are character offsets into ``article.text``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class SchemaMigration(SQLModel, table=True):
    __tablename__ = "schema_migrations"

    version: int = Field(primary_key=True)
    name: str
    applied_at: datetime


class ArticleRow(SQLModel, table=True):
    __tablename__ = "article"

    id: int | None = Field(default=None, primary_key=True)
    content_hash: str = Field(unique=True, index=True, max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))
    title: str | None = None
    outlet: str | None = Field(default=None, index=True)
    url: str | None = None
    published: date | None = Field(default=None, index=True)
    path: str | None = None  # the path (or "-") it was ingested from
    format: str = "text"  # text | markdown | html
    encoding: str = "utf-8"
    size: int = 0  # characters of text
    ingested_at: datetime
    extractor_version: str | None = None


class SourceRow(SQLModel, table=True):
    __tablename__ = "source"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True)  # canonical identity, e.g. "person:ben wallace"
    name: str = Field(index=True)
    kind: str  # SourceKind value (machine)
    affiliation: str | None = None
    role: str | None = None
    prior: float | None = None  # machine prior (outlet table), None = by kind
    prior_reason: str | None = None
    # analyst decisions
    kind_override: str | None = None
    affiliation_override: str | None = None
    prior_override: float | None = None
    name_override: str | None = None
    merged_into: int | None = Field(default=None, foreign_key="source.id", index=True)
    version: int = 1
    created_at: datetime
    # machine: the indexed key the cross-article matcher's candidates are fetched by
    # (claimtrack.sources.match_key: "person:<surname>", "body:<words>"); None for
    # article-local and analyst-made sources
    match_key: str | None = Field(default=None, index=True)


class SourceAliasRow(SQLModel, table=True):
    __tablename__ = "source_alias"
    __table_args__ = (UniqueConstraint("source_id", "norm"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    alias: str
    norm: str = Field(index=True)  # normalised form used for matching
    origin: str = "machine"  # machine | analyst (an analyst split pins an alias)


class ClaimRow(SQLModel, table=True):
    __tablename__ = "claim"
    __table_args__ = (UniqueConstraint("article_id", "span_key"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    ordinal: int  # position in the article, document order
    span_key: str  # "content_start:content_end:cue_start", stable across re-runs
    source_text: str | None = None
    source_start: int | None = None
    source_end: int | None = None
    cue_text: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    content_text: str = Field(sa_column=Column(Text, nullable=False))
    content_start: int
    content_end: int
    content_spans: str = "[]"  # JSON [[start, end], ...] when discontinuous
    stance: str = "asserts"
    hedged: bool = False
    hedges: str = "[]"  # JSON list of hedge words
    quote: str = "indirect"
    confidence: float = 1.0
    extractor: str = "claimtrack"
    extractor_version: str = "0"
    # machine source resolution
    speaker: str | None = None
    source_kind: str = "unknown"
    source_id: int | None = Field(default=None, foreign_key="source.id", index=True)
    cited_source_id: int | None = Field(default=None, foreign_key="source.id", index=True)
    antecedent_start: int | None = None
    antecedent_end: int | None = None


class ClaimReviewRow(SQLModel, table=True):
    """The analyst's decisions on one claim; absent row = unreviewed."""

    __tablename__ = "claim_review"

    claim_id: int = Field(foreign_key="claim.id", primary_key=True)
    status: str = Field(default="unreviewed", index=True)  # ReviewStatus value
    # the analyst's source edit
    source_id: int | None = Field(default=None, foreign_key="source.id", index=True)
    verdict: str | None = None  # Verdict value
    note: str | None = None
    version: int = 1  # optimistic concurrency
    updated_at: datetime
    updated_by: str | None = None


class LinkRow(SQLModel, table=True):
    __tablename__ = "link"
    __table_args__ = (
        UniqueConstraint("a_id", "b_id", "origin"),
        Index("ix_link_b", "b_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    a_id: int = Field(foreign_key="claim.id", index=True)  # a_id < b_id
    b_id: int = Field(foreign_key="claim.id")
    relation: str = Field(index=True)  # Relation value; "none" = rejected by the analyst
    confidence: float = 1.0
    reason: str = ""
    origin: str = "machine"  # machine | analyst
    origin_claim_id: int | None = Field(default=None, foreign_key="claim.id", index=True)
    note: str | None = None
    version: int = 1
    created_at: datetime


class ClaimScoreRow(SQLModel, table=True):
    __tablename__ = "claim_score"

    claim_id: int = Field(foreign_key="claim.id", primary_key=True)
    probability: float
    credibility: int = Field(index=True)
    logodds: float
    low: float
    high: float
    explanation: str = "[]"  # JSON list of {label, weight, group}
    computed_at: datetime


class SourceScoreRow(SQLModel, table=True):
    __tablename__ = "source_score"

    source_id: int = Field(foreign_key="source.id", primary_key=True)
    reliability: float
    letter: str = Field(index=True)
    confirmed: int = 0
    refuted: int = 0
    explanation: str = "[]"
    computed_at: datetime


class ReviewEventRow(SQLModel, table=True):
    __tablename__ = "review_event"
    __table_args__ = (Index("ix_review_event_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    actor: str | None = None
    entity: str  # claim | link | source | config
    entity_id: str
    action: str  # status | verdict | note | source | link | merge | split | set | undo
    old_value: str | None = None  # JSON
    new_value: str | None = None  # JSON
    note: str | None = None


class CaseSettingRow(SQLModel, table=True):
    """Per-case settings: scoring configuration overrides, outlet table extensions."""

    __tablename__ = "case_setting"

    key: str = Field(primary_key=True)
    value: str  # JSON
    updated_at: datetime


class LinkIndexSegmentRow(SQLModel, table=True):
    """The case's link index kept between processes (claimtrack.store.links).

    A base row (``parent_id`` NULL) holds the whole index, each later row what
    one ingest added (``LinkIndex.delta_bytes``) on top of its parent. Triggers
    (migration 5) delete every row when a claim, article or source column the
    index reads changes or a claim is deleted; ``linker`` names the linking code
    and data that made it. Derived data only: deleting rows loses nothing.
    """

    __tablename__ = "link_index_segment"

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = None
    linker: str = Field(max_length=64)
    max_claim_id: int
    claims: int
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime
