"""Machine-readable exports of a case: claimtrack JSON and schema.org ClaimReview.

Both are pure functions of ``ReportData`` and deterministic: keys in a fixed
order, lists sorted by id, floats as Python writes them, no clock. The JSON
schema is documented in docs/export-json.md.
"""

from __future__ import annotations

import json
from typing import Any

from claimtrack.models import Contribution, SourceKind, Verdict
from claimtrack.report.data import ReportArticle, ReportClaim, ReportData, ReportSource
from claimtrack.report.grouping import group

EXPORT_FORMAT = "claimtrack-case"
EXPORT_VERSION = 1

# ClaimReview ratings on a 1-5 scale; the verdict's name is the alternateName.
RATING_BEST = 5
RATING_WORST = 1
RATINGS: dict[Verdict, tuple[int, str]] = {
    Verdict.TRUE: (5, "True"),
    Verdict.FALSE: (1, "False"),
    Verdict.UNVERIFIED: (3, "Unverified"),
}
DEFAULT_AUTHOR = "claimtrack analyst"


def _explanation(rows: tuple[Contribution, ...]) -> list[dict[str, Any]]:
    return [{"label": r.label, "weight": r.weight, "group": r.group} for r in rows]


def _article(a: ReportArticle) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": a.id,
        "title": a.title,
        "outlet": a.outlet,
        "url": a.url,
        "published": a.published.isoformat() if a.published else None,
        "path": a.path,
        "content_hash": a.content_hash,
    }
    if a.text is not None:
        out["text"] = a.text
    return out


def _source(s: ReportSource) -> dict[str, Any]:
    score = s.score
    return {
        "id": s.id,
        "key": s.key,
        "name": s.name,
        "kind": s.kind.value,
        "affiliation": s.affiliation,
        "role": s.role,
        "aliases": list(s.aliases),
        "prior": s.prior,
        "prior_reason": s.prior_reason,
        "score": None
        if score is None
        else {
            "reliability": score.reliability,
            "letter": score.letter,
            "confirmed": score.confirmed,
            "refuted": score.refuted,
            "explanation": _explanation(score.contributions),
        },
    }


def _claim(c: ReportClaim) -> dict[str, Any]:
    score = c.score
    return {
        "id": c.id,
        "article_id": c.article_id,
        "ordinal": c.ordinal,
        "content": c.content,
        "content_start": c.content_start,
        "content_end": c.content_end,
        "cue": c.cue,
        "source_text": c.source_text,
        "source_id": c.source_id,
        "speaker": c.speaker,
        "source_kind": c.source_kind.value,
        "cited_source_id": c.cited_source_id,
        "stance": c.stance.value,
        "hedged": c.hedged,
        "hedges": list(c.hedges),
        "quote": c.quote.value,
        "confidence": c.confidence,
        "selected": c.selected,
        "score": None
        if score is None
        else {
            "probability": score.probability,
            "credibility": score.credibility,
            "logodds": score.logodds,
            "low": score.low,
            "high": score.high,
            "explanation": _explanation(score.contributions),
        },
        "review": {
            "status": c.status.value,
            "verdict": c.verdict.value if c.verdict is not None else None,
            "note": c.note,
            "updated_at": c.reviewed_at.isoformat() if c.reviewed_at else None,
            "updated_by": c.reviewed_by,
        },
    }


def _sorted_keys(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _sorted_keys(obj[k]) for k in sorted(obj, key=str)}
    if isinstance(obj, list | tuple):
        return [_sorted_keys(x) for x in obj]
    return obj


def export_dict(data: ReportData) -> dict[str, Any]:
    """The whole case (or selection) as plain JSON-ready data; see docs/export-json.md."""
    grouping = group(data)
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "title": data.title,
        "selection": [{"filter": k, "value": v} for k, v in data.selection],
        "rejected_claims": data.rejected_claims,
        "config": _sorted_keys(data.config),
        "articles": [_article(a) for a in sorted(data.articles, key=lambda a: a.id)],
        "sources": [_source(s) for s in sorted(data.sources, key=lambda s: s.id)],
        "claims": [_claim(c) for c in sorted(data.claims, key=lambda c: c.id)],
        "links": [
            {
                "a": ln.a,
                "b": ln.b,
                "relation": ln.relation.value,
                "confidence": ln.confidence,
                "reason": ln.reason,
                "origin": ln.origin.value,
                "origin_claim": ln.origin_claim,
                "note": ln.note,
            }
            for ln in sorted(data.links, key=lambda ln: (ln.a, ln.b, ln.origin.value))
        ],
        "propositions": [
            {
                "id": f"P{p.number}",
                "head": p.head,
                "claims": list(p.members),
                "contradicted_by": list(p.contradictions),
                "chains": [
                    [{"claim": s.claim_id, "depth": s.depth} for s in chain] for chain in p.chains
                ],
            }
            for p in grouping.propositions
        ],
    }


def dumps(obj: Any) -> str:
    """Deterministic JSON text (2-space indent, UTF-8 characters kept, final newline)."""
    return json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def export_json(data: ReportData) -> str:
    return dumps(export_dict(data))


def _author(src: ReportSource | None, claim: ReportClaim) -> dict[str, Any] | None:
    if src is not None:
        kind = "Person" if src.kind in (SourceKind.PERSON, SourceKind.ANONYMOUS) else "Organization"
        out: dict[str, Any] = {"@type": kind, "name": src.name}
        if src.role:
            out["jobTitle" if kind == "Person" else "description"] = src.role
        if src.affiliation:
            out["affiliation" if kind == "Person" else "location"] = src.affiliation
        return out
    name = claim.speaker or claim.source_text
    if not name:
        return None
    kind = (
        "Person"
        if claim.source_kind in (SourceKind.PERSON, SourceKind.ANONYMOUS)
        else ("Organization")
    )
    return {"@type": kind, "name": name}


def claimreview_list(data: ReportData) -> list[dict[str, Any]]:
    """One schema.org ClaimReview per selected claim with an analyst verdict, by claim id."""
    articles = {a.id: a for a in data.articles}
    sources = {s.id: s for s in data.sources}
    reviewer = data.analyst or DEFAULT_AUTHOR
    out: list[dict[str, Any]] = []
    for c in sorted(data.claims, key=lambda c: c.id):
        if c.verdict is None or not c.selected:
            continue
        art = articles.get(c.article_id) or ReportArticle(id=c.article_id)
        appearance: dict[str, Any] = {"@type": "CreativeWork"}
        if art.url:
            appearance["url"] = art.url
        if art.title:
            appearance["headline"] = art.title
        if art.published:
            appearance["datePublished"] = art.published.isoformat()
        if art.outlet:
            appearance["publisher"] = {"@type": "Organization", "name": art.outlet}
        item: dict[str, Any] = {"@type": "Claim"}
        author = _author(sources.get(c.source_id) if c.source_id is not None else None, c)
        if author is not None:
            item["author"] = author
        if art.published:
            item["datePublished"] = art.published.isoformat()
        item["appearance"] = appearance
        value, name = RATINGS[c.verdict]
        review: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "identifier": f"claimtrack:claim:{c.id}",
            "claimReviewed": c.content,
            "itemReviewed": item,
            "reviewRating": {
                "@type": "Rating",
                "ratingValue": value,
                "bestRating": RATING_BEST,
                "worstRating": RATING_WORST,
                "alternateName": name,
            },
            "author": {"@type": "Organization", "name": reviewer}
            if not c.reviewed_by
            else {"@type": "Person", "name": c.reviewed_by},
        }
        if c.reviewed_at is not None:
            review["datePublished"] = c.reviewed_at.date().isoformat()
        if c.note:
            review["reviewBody"] = c.note
        out.append(review)
    return out


def export_claimreview(data: ReportData) -> str:
    """The ClaimReview list as JSON-LD text (a JSON array)."""
    return dumps(claimreview_list(data))
