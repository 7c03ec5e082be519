"""``claimtrack articles``: what the case holds."""

from __future__ import annotations

from typing import Annotated

import typer

from claimtrack.cli.app import app, case_from
from claimtrack.cli.output import Column, FormatOption, emit_rows


@app.command("articles")
def articles(
    ctx: typer.Context,
    fmt: FormatOption = None,
    article_id: Annotated[
        int | None,
        typer.Option("--id", help="Show only this article."),
    ] = None,
    text: Annotated[
        bool,
        typer.Option("--text", help="Print the stored text of the article given with --id."),
    ] = False,
) -> None:
    """List the articles in the case: id, title, outlet, date, claims, where it came from.

    JSONL/CSV rows also carry the URL, content hash, format, encoding and size.
    """
    from claimtrack.errors import UsageError
    from claimtrack.store.catalog import article_text, list_articles

    if text and article_id is None:
        raise UsageError("--text needs --id ARTICLE")
    with case_from(ctx) as case:
        if text and article_id is not None:
            body = article_text(case, article_id)
            import sys

            # exactly the stored text (offsets point into it); a newline only for a terminal
            sys.stdout.write(
                body if body.endswith("\n") or not sys.stdout.isatty() else body + "\n"
            )
            return
        rows = list_articles(case, article_id)
    emit_rows(
        rows,
        [
            Column("id", justify="right"),
            Column("title", max_width=50),
            Column("outlet", max_width=24),
            Column("published"),
            Column("claims", justify="right"),
            Column("path", max_width=40),
        ],
        fmt,
        title="Articles",
        empty_message="No articles yet: run `claimtrack ingest PATH...`.",
    )
