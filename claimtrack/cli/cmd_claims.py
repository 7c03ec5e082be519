"""``claimtrack claims``: the claims stored in the case."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import typer

from claimtrack.cli.app import app, case_from
from claimtrack.cli.output import Column, FormatOption, OutputFormat, emit_rows, resolve_format


@app.command("claims")
def claims(
    ctx: typer.Context,
    fmt: FormatOption = None,
    article: Annotated[
        int | None, typer.Option("--article", "-a", help="Only the claims of this article id.")
    ] = None,
) -> None:
    """List stored claims in document order: who says what, how (stance, hedging, quote).

    JSONL rows carry the extraction contract fields (docs/extract-jsonl.md) plus
    `id` and `article_id`, and once scored `probability`, `credibility` (1-6) and
    `reliability` (the A-F letter of the claim's source); `document` is the path
    the article was ingested from. `claimtrack show ID` gives one claim in full.
    """
    from claimtrack.store.catalog import iter_claims_scored

    with case_from(ctx) as case:
        _emit(iter_claims_scored(case, article), fmt)  # streamed for jsonl/csv


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """Spans flattened to text/start/end columns, for tables and CSV."""
    flat = {k: v for k, v in row.items() if k not in ("source", "cue", "content", "content_spans")}
    for name in ("source", "cue", "content"):
        span = row.get(name) or {}
        flat[f"{name}_text"] = span.get("text")
        flat[f"{name}_start"] = span.get("start")
        flat[f"{name}_end"] = span.get("end")
    if "credibility" in row:  # the grade as in the review app: source letter, credibility
        cred = row.get("credibility")
        flat["grade"] = f"{row.get('reliability') or '-'}{cred if cred is not None else '-'}"
    return flat


_CSV_COLUMNS = [
    "id",
    "article_id",
    "document",
    "speaker",
    "source_kind",
    "source_text",
    "source_start",
    "source_end",
    "cue_text",
    "cue_start",
    "cue_end",
    "content_text",
    "content_start",
    "content_end",
    "stance",
    "hedged",
    "quote",
    "reliability",
    "credibility",
    "probability",
]


def _emit(rows: Iterable[dict[str, Any]], fmt: OutputFormat | None) -> None:
    chosen = resolve_format(fmt)
    if chosen is OutputFormat.JSONL:
        emit_rows(rows, [], chosen)
        return
    if chosen is OutputFormat.CSV:
        emit_rows((_flat(r) for r in rows), [Column(c) for c in _CSV_COLUMNS], chosen)
        return
    emit_rows(
        (_flat(r) for r in rows),
        [
            Column("id", justify="right"),
            Column("article_id", "art", justify="right"),
            Column("speaker", max_width=24),
            Column("source_kind", "kind"),
            Column("cue_text", "cue", max_width=16),
            Column("content_text", "content", max_width=60),
            Column("stance"),
            Column("hedged"),
            Column("quote"),
            Column("grade"),
            Column("probability", "P", justify="right"),
        ],
        chosen,
        title="Claims",
        empty_message="No claims stored.",
    )
