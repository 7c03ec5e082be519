"""Listings for the CLI: articles, claims and table counts (plain dicts, ready to print)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from claimtrack.errors import NotFoundError
from claimtrack.store.db import Case


def list_articles(case: Case, article_id: int | None = None) -> list[dict[str, Any]]:
    """Every article (or just ``article_id``) with its claim count, by id."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from claimtrack.store.schema import ArticleRow, ClaimRow

    counts = (
        select(col(ClaimRow.article_id), func.count().label("n"))
        .group_by(col(ClaimRow.article_id))
        .subquery()
    )
    query = (
        select(ArticleRow, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.article_id == col(ArticleRow.id))
        .order_by(col(ArticleRow.id))
    )
    if article_id is not None:
        query = query.where(col(ArticleRow.id) == article_id)
    rows: list[dict[str, Any]] = []
    with case.session() as s:
        for article, n in s.exec(query):
            rows.append(
                {
                    "id": article.id,
                    "title": article.title,
                    "outlet": article.outlet,
                    "published": article.published,
                    "claims": int(n),
                    "path": article.path,
                    "url": article.url,
                    "format": article.format,
                    "encoding": article.encoding,
                    "size": article.size,
                    "content_hash": article.content_hash,
                    "ingested_at": article.ingested_at,
                }
            )
    if article_id is not None and not rows:
        raise NotFoundError(f"no article with id {article_id}")
    return rows


def article_text(case: Case, article_id: int) -> str:
    from claimtrack.store.schema import ArticleRow

    with case.session() as s:
        article = s.get(ArticleRow, article_id)
        if article is None:
            raise NotFoundError(f"no article with id {article_id}")
        return article.text


def iter_claim_contracts(case: Case, article_id: int | None = None) -> Iterator[dict[str, Any]]:
    """Stored claims in document order as contract rows (docs/extract-jsonl.md) + id, article_id.

    ``document`` is the path the article was ingested from.
    """
    from sqlmodel import col, select

    from claimtrack.extract import to_contract
    from claimtrack.store.claims import claim_from_row, speaker_from_row
    from claimtrack.store.schema import ArticleRow, ClaimRow, SourceRow

    with case.session() as s:
        if article_id is not None and s.get(ArticleRow, article_id) is None:
            raise NotFoundError(f"no article with id {article_id}")
        query = (
            select(ClaimRow, ArticleRow.path, SourceRow)
            .join(ArticleRow, col(ArticleRow.id) == col(ClaimRow.article_id))
            .outerjoin(SourceRow, col(SourceRow.id) == col(ClaimRow.source_id))
            .order_by(col(ClaimRow.article_id), col(ClaimRow.ordinal))
        )
        if article_id is not None:
            query = query.where(col(ClaimRow.article_id) == article_id)
        texts: dict[int, str] = {}  # the current article's text, for discontinuous contents
        for row, path, source in s.exec(query):
            text = None
            if row.content_spans and row.content_spans != "[]":
                if row.article_id not in texts:
                    texts.clear()
                    texts[row.article_id] = article_text(case, row.article_id)
                text = texts[row.article_id]
            contract = to_contract(
                claim_from_row(row, text), path or "", speaker_from_row(row, source)
            )
            yield {"id": row.id, "article_id": row.article_id, **contract}


def iter_claims_scored(
    case: Case, article_id: int | None = None, *, batch: int = 500
) -> Iterator[dict[str, Any]]:
    """``iter_claim_contracts`` rows plus ``probability``, ``credibility`` (1-6) and
    ``reliability`` (the A-F letter of the claim's source, the analyst's attribution and
    merges applied); None where not scored. Still streamed: scores are read
    ``batch`` claims at a time (``queries.claims_by_ids``)."""
    from claimtrack.store.queries import claims_by_ids

    def scored(rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        found = {r.id: r for r in claims_by_ids(case, [int(row["id"]) for row in rows])}
        for row in rows:
            listed = found.get(int(row["id"]))
            yield {
                **row,
                "probability": listed.probability if listed is not None else None,
                "credibility": listed.credibility if listed is not None else None,
                "reliability": listed.letter if listed is not None else None,
            }

    pending: list[dict[str, Any]] = []
    for row in iter_claim_contracts(case, article_id):
        pending.append(row)
        if len(pending) >= batch:
            yield from scored(pending)
            pending = []
    yield from scored(pending)


def table_counts(case: Case) -> dict[str, int]:
    """How many rows the main tables hold."""
    from sqlalchemy import func
    from sqlmodel import select

    from claimtrack.store import schema

    tables: dict[str, Any] = {
        "articles": schema.ArticleRow,
        "claims": schema.ClaimRow,
        "sources": schema.SourceRow,
        "links": schema.LinkRow,
        "reviewed claims": schema.ClaimReviewRow,
        "review events": schema.ReviewEventRow,
    }
    with case.session() as s:
        return {
            label: int(s.exec(select(func.count()).select_from(model)).one())
            for label, model in tables.items()
        }
