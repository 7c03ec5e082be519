"""A hand-built ReportData exercising every part of the report (shared by the report tests)."""

from __future__ import annotations

from datetime import date, datetime

from claimtrack.models import (
    ClaimScore,
    Contribution,
    Origin,
    QuoteType,
    Relation,
    ReviewStatus,
    SourceKind,
    SourceScore,
    Stance,
    Verdict,
)
from claimtrack.report.data import (
    ReportArticle,
    ReportClaim,
    ReportData,
    ReportLink,
    ReportSource,
)


def _score(cid: int, p: float, cred: int, low: float, high: float) -> ClaimScore:
    return ClaimScore(
        claim_id=cid,
        probability=p,
        credibility=cred,
        logodds=0.5,
        low=low,
        high=high,
        contributions=(Contribution(label="prior", weight=0.5, group=None),),
    )


def sample_data() -> ReportData:
    articles = (
        ReportArticle(
            id=1,
            title="Moscow | Houthis: *secret* talks <b>now</b>",
            outlet="EurAsian Times",
            url="https://example.org/a/1",
            published=date(2024, 7, 25),
            path="fixtures/a1.txt",
            content_hash="h1",
        ),
        ReportArticle(
            id=2,
            title="# Wire copy",
            outlet="Wire_Echo",
            url="javascript:alert(1)",
            published=date(2024, 7, 26),
            path="fixtures/a2.txt",
            content_hash="h2",
        ),
        ReportArticle(id=3, title=None, outlet=None, url=None, published=None, path="-"),
    )
    sources = (
        ReportSource(
            id=10,
            name="Reuters",
            kind=SourceKind.MEDIA,
            key="media:reuters",
            score=SourceScore(source_id=10, reliability=0.8, letter="B", confirmed=2, refuted=0),
        ),
        ReportSource(
            id=11,
            name="Western and regional intelligence sources",
            kind=SourceKind.ANONYMOUS,
            key="anonymous:1:intel",
            score=SourceScore(source_id=11, reliability=0.55, letter="F"),
        ),
        ReportSource(
            id=12,
            name="Mohamed Abdel-Salam",
            kind=SourceKind.PERSON,
            key="person:mohamed abdel-salam",
            affiliation="Houthis | Ansar Allah",
            role="spokesman",
            score=SourceScore(source_id=12, reliability=0.4, letter="D", confirmed=0, refuted=1),
        ),
        ReportSource(
            id=13,
            name="Ben Wallace",
            kind=SourceKind.PERSON,
            key="person:ben wallace",
            affiliation="United Kingdom",
            role="Defence Secretary",
        ),
    )
    claims = (
        ReportClaim(
            id=1,
            article_id=1,
            ordinal=0,
            content="Russia is negotiating the transfer of P-800 Yakhont missiles",
            cue="indicate",
            source_text="Western and regional intelligence sources",
            source_id=11,
            source_kind=SourceKind.ANONYMOUS,
            cited_source_id=10,
            score=_score(1, 0.69, 3, 0.5, 0.72),
        ),
        ReportClaim(
            id=2,
            article_id=1,
            ordinal=1,
            content="any knowledge of these negotiations",
            cue="denied",
            source_text="Houthi spokesman Mohamed Abdel-Salam",
            source_id=12,
            source_kind=SourceKind.PERSON,
            stance=Stance.DENIES,
            score=_score(2, 0.31, 5, 0.3, 0.33),
            verdict=Verdict.FALSE,
            status=ReviewStatus.ACCEPTED,
            note="Contradicted by *two* meetings | see [Reuters](http://x)\n# not a heading",
            reviewed_at=datetime(2024, 8, 1, 9, 30),
            reviewed_by="analyst_1",
        ),
        ReportClaim(
            id=3,
            article_id=2,
            ordinal=0,
            content="Russia is negotiating the transfer of P-800 Yakhont missiles, Reuters reported",
            cue="reported",
            source_text="Reuters",
            source_id=10,
            source_kind=SourceKind.MEDIA,
            hedged=True,
            hedges=("reportedly",),
            score=_score(3, 0.69, 3, 0.5, 0.72),
        ),
        ReportClaim(
            id=4,
            article_id=2,
            ordinal=1,
            content="Moscow is reportedly involved in `secret` negotiations",
            cue="reportedly",
            score=_score(4, 0.6, 3, 0.55, 0.65),
            verdict=Verdict.UNVERIFIED,
            reviewed_at=datetime(2024, 8, 2, 10, 0),
        ),
        ReportClaim(
            id=5,
            article_id=3,
            ordinal=0,
            content="- 1. We need to hold those who support them accountable\n\n> quoted",
            cue="said",
            source_text="Mr Wallace",
            source_id=13,
            source_kind=SourceKind.PERSON,
            quote=QuoteType.DIRECT,
            score=None,
        ),
        ReportClaim(
            id=6,
            article_id=3,
            ordinal=1,
            content="Iran has become one of the main military supporters of Russia",
            cue="said",
            source_text="he",
            source_id=13,
            source_kind=SourceKind.PERSON,
            quote=QuoteType.DIRECT,
            score=_score(6, 0.5, 6, 0.5, 0.5),
            selected=False,
        ),
    )
    links = (
        ReportLink(
            a=1,
            b=3,
            relation=Relation.REPEATS,
            confidence=0.9,
            reason="same report",
            origin_claim=3,
        ),
        ReportLink(a=1, b=2, relation=Relation.CONTRADICTS, confidence=0.8, reason="denial"),
        ReportLink(a=3, b=4, relation=Relation.CORROBORATES, confidence=0.7, reason="same talks"),
        ReportLink(
            a=5,
            b=6,
            relation=Relation.NONE,
            confidence=1.0,
            reason="rejected",
            origin=Origin.ANALYST,
        ),
    )
    return ReportData(
        title="Sample case",
        articles=articles,
        sources=sources,
        claims=claims,
        links=links,
        config={"prior": {"media": 0.75, "anonymous": 0.55}, "hedge": {"reportedly": 0.4}},
        config_meanings={"prior": "reliability prior by kind", "hedge": "hedge | factor"},
        config_overrides=("prior.media",),
        rejected_claims=1,
        analyst="Example Desk",
    )
