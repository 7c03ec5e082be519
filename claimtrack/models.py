"""Frozen domain records shared by every layer.

The core (extract, sources, linking, scoring) consumes and produces these; the
store maps them to and from tables. Spans are character offsets into the stored
article text: ``text == document[start:end]`` always holds.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------
# enumerations
# --------------------------------------------------------------------------


class Stance(StrEnum):
    ASSERTS = "asserts"
    DENIES = "denies"


class QuoteType(StrEnum):
    DIRECT = "direct"
    INDIRECT = "indirect"
    MIXED = "mixed"


class SourceKind(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    GOVERNMENT = "government"
    MEDIA = "media"
    ANONYMOUS = "anonymous"
    DOCUMENT = "document"
    UNKNOWN = "unknown"


class Relation(StrEnum):
    REPEATS = "repeats"
    CORROBORATES = "corroborates"
    CONTRADICTS = "contradicts"
    NONE = "none"  # an analyst's rejection of a link


class Origin(StrEnum):
    MACHINE = "machine"
    ANALYST = "analyst"


class Verdict(StrEnum):
    TRUE = "true"
    FALSE = "false"
    UNVERIFIED = "unverified"


class ReviewStatus(StrEnum):
    UNREVIEWED = "unreviewed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


# --------------------------------------------------------------------------
# spans and extracted claims
# --------------------------------------------------------------------------


class Span(Frozen):
    """A piece of the document: ``text == document[start:end]``."""

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end < self.start:
            raise ValueError(f"span end {self.end} before start {self.start}")
        if len(self.text) != self.end - self.start:
            raise ValueError("span text length does not match its offsets")
        return self

    @classmethod
    def of(cls, document: str, start: int, end: int) -> Span:
        return cls(text=document[start:end], start=start, end=end)


class Claim(Frozen):
    """One attributed claim as extracted from one document (no database ids).

    ``source`` is the span as written ("he", "a senior U.S. official"), None for
    impersonal attributions ("reportedly"). ``content_spans`` holds the pieces of
    a discontinuous content (a quote split around its cue); ``content`` then
    covers them all. Empty means ``content`` is the only piece.
    """

    source: Span | None = None
    cue: Span | None = None
    content: Span
    content_spans: tuple[Span, ...] = ()
    stance: Stance = Stance.ASSERTS
    hedged: bool = False
    hedges: tuple[str, ...] = ()  # the hedge words that made it hedged, lower-cased
    quote: QuoteType = QuoteType.INDIRECT
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    extractor: str = "claimtrack"
    extractor_version: str = "0"


# key prefix of an unnamed media reference ("reports", "media reports"), article-local
UNNAMED_MEDIA_PREFIX = "local:media:"


class Speaker(Frozen):
    """The resolved, canonical source of a claim within one article.

    ``key`` is a normalised identity used to merge mentions across articles
    ("person:ben wallace", "media:reuters", "government:russia"). Anonymous
    speakers get a key unique to their article and descriptor, so they are
    never merged across articles.
    """

    name: str
    kind: SourceKind
    key: str
    role: str | None = None  # "Defence Secretary"
    affiliation: str | None = None  # "United Kingdom"
    aliases: tuple[str, ...] = ()  # surface forms seen in this article
    antecedent: Span | None = None  # the mention a pronoun or description resolved to

    @property
    def named(self) -> bool:
        """False for a generic reference that names no one ("Reports suggest ...").

        Such a speaker keeps its kind (media) but has no canonical name: the
        extract contract writes ``speaker: null`` for it.
        """
        return not self.key.startswith(UNNAMED_MEDIA_PREFIX)


class ResolvedClaim(Frozen):
    claim: Claim
    speaker: Speaker | None = None
    cited: Speaker | None = None  # "X, citing Reuters": the origin being relayed


# --------------------------------------------------------------------------
# articles and case records (with database ids), as the store hands them out
# --------------------------------------------------------------------------


class ArticleMeta(Frozen):
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: date | None = None


class Document(Frozen):
    """A decoded input: the exact text claims point into, plus metadata."""

    path: str
    text: str
    meta: ArticleMeta = ArticleMeta()
    content_hash: str
    format: str = "text"  # text | markdown | html
    encoding: str = "utf-8"


class CaseClaim(Frozen):
    """A claim as stored in the case, the unit linking and scoring work on."""

    id: int
    article_id: int
    content: str
    cue: str | None = None
    source_text: str | None = None
    stance: Stance = Stance.ASSERTS
    hedged: bool = False
    hedges: tuple[str, ...] = ()
    quote: QuoteType = QuoteType.INDIRECT
    source_id: int | None = None
    speaker: str | None = None
    source_kind: SourceKind = SourceKind.UNKNOWN
    affiliation: str | None = None
    cited: str | None = None  # name of the report being relayed ("Reuters")
    outlet: str | None = None  # the article's outlet
    published: date | None = None
    verdict: Verdict | None = None
    status: ReviewStatus = ReviewStatus.UNREVIEWED


class Link(Frozen):
    """A relation between two claims; ``a < b`` is not required but (a, b) is unordered."""

    a: int
    b: int
    relation: Relation
    confidence: float = Field(ge=0.0, le=1.0)
    reason: str
    origin: Origin = Origin.MACHINE
    origin_claim: int | None = None  # for repeats: which claim is the original report


class SourceRecord(Frozen):
    """A canonical source in the case, as scoring sees it."""

    id: int
    name: str
    kind: SourceKind
    affiliation: str | None = None
    prior: float | None = None  # reliability prior override (analyst or outlet table)
    prior_reason: str | None = None


class Contribution(Frozen):
    """One row of a score's explanation; ``weight`` is in log-odds."""

    label: str
    weight: float
    group: str | None = None  # the independence group it belongs to


class ClaimScore(Frozen):
    claim_id: int
    probability: float = Field(ge=0.0, le=1.0)
    credibility: int = Field(ge=1, le=6)
    logodds: float
    low: float = Field(ge=0.0, le=1.0)  # leave-one-group-out range
    high: float = Field(ge=0.0, le=1.0)
    contributions: tuple[Contribution, ...] = ()


class SourceScore(Frozen):
    source_id: int
    reliability: float = Field(ge=0.0, le=1.0)
    letter: str = Field(pattern="^[A-F]$")
    confirmed: int = 0
    refuted: int = 0
    contributions: tuple[Contribution, ...] = ()
