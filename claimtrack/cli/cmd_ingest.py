"""``claimtrack ingest``: read articles into the case (one transaction per article)."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from claimtrack.cli.app import app, case_from, print_error
from claimtrack.cli.output import Column, FormatOption, OutputFormat, emit_rows
from claimtrack.errors import UsageError

PROGRESS_THRESHOLD = 5  # more files than this: show a progress bar (on a terminal)
PARALLEL_FROM = 8  # files: from this many on, extraction runs on every core by default


@app.command("ingest")
def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH...",
            help="Files (.txt .md .html .htm), folders (searched recursively), "
            "glob patterns, or - for standard input.",
            show_default=False,
        ),
    ],
    title: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT", help="Article title (overrides the document's; one file only)."
        ),
    ] = None,
    outlet: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Outlet that published it (overrides the document's)."),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            "--url", metavar="URL", help="Article address, http(s)://... (one file only)."
        ),
    ] = None,
    published: Annotated[
        str | None,
        typer.Option(
            metavar="DATE", help="Publication date, YYYY-MM-DD (overrides the document's)."
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only print failures and the summary.")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            metavar="N",
            help="Read and extract in N worker processes (storing stays in one process). "
            f"Default: every core for {PARALLEL_FROM} files or more, else 1.",
            show_default=False,
        ),
    ] = None,
    timings: Annotated[
        bool,
        typer.Option(
            "--timings", hidden=True, help="Print where the CPU time went (stderr; bench)."
        ),
    ] = False,
    fmt: FormatOption = None,
) -> None:
    """Ingest articles: decode, extract claims and sources, store each article once.

    The same text (by content hash) is never stored twice: re-ingesting reports
    it as unchanged. Prints one line per file and a summary (new, unchanged,
    failed); exits 1 if any file failed. With --format jsonl/csv, prints one
    result row per file instead and the summary on stderr.
    """
    from claimtrack.models import ArticleMeta
    from claimtrack.store.documents import check_url_option, expand_inputs, parse_date_option
    from claimtrack.store.ingest import IngestStats, ingest_inputs

    overrides = ArticleMeta(
        title=title.strip() if title and title.strip() else None,
        outlet=outlet.strip() if outlet and outlet.strip() else None,
        url=check_url_option(url) if url is not None else None,
        published=parse_date_option(published) if published is not None else None,
    )
    any_override = any(v is not None for v in overrides.model_dump().values())
    items = expand_inputs(paths)
    files = [i for i in items if i.error is None]
    if (overrides.title or overrides.url) and len(files) > 1:
        raise UsageError(
            f"--title and --url describe one article, but {len(files)} files were given"
        )

    if jobs is None:  # worker processes cost a second to start: worth it for a folder
        jobs = (os.cpu_count() or 1) if len(files) >= PARALLEL_FROM else 1
    stats = IngestStats()
    rows_mode = fmt is not None and fmt is not OutputFormat.TABLE
    counts = {"new": 0, "updated": 0, "unchanged": 0, "failed": 0}
    results: list[dict[str, Any]] = []
    claims_total = 0

    progress = None
    task = None
    if len(items) > PROGRESS_THRESHOLD and sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        progress = Progress(
            TextColumn("ingesting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[name]}", style="dim"),
            console=Console(stderr=True),
            transient=True,
        )
        task = progress.add_task("ingest", total=len(items), name="")
        progress.start()

    def say(line: str, *, err: bool = False) -> None:
        if progress is not None:
            progress.console.print(line, markup=False, highlight=False)
        elif err:
            print_error(line)
        else:
            typer.echo(line)

    try:
        with case_from(ctx, create=True) as case:
            for outcome in ingest_inputs(
                case,
                items,
                overrides=overrides if any_override else None,
                jobs=jobs,
                stats=stats,
            ):
                counts[outcome.status] += 1
                result = outcome.result
                if outcome.error is not None:
                    say(f"error: {outcome.error}" if progress else outcome.error, err=True)
                elif result is not None:
                    claims_total += result.claims if result.status == "new" else 0
                    if not quiet and not rows_mode:
                        say(
                            f"{result.status:<9} #{result.article_id:<5} {outcome.name}  "
                            f"({result.claims} claim{'' if result.claims == 1 else 's'}) "
                            f"{result.title or ''}".rstrip()
                        )
                if rows_mode:
                    results.append(
                        {
                            "path": outcome.name,
                            "status": outcome.status,
                            "article_id": result.article_id if result else None,
                            "claims": result.claims if result else None,
                            "title": result.title if result else None,
                            "content_hash": result.content_hash if result else None,
                            "error": outcome.error,
                        }
                    )
                if progress is not None and task is not None:
                    progress.update(task, advance=1, name=outcome.name[-50:])
    finally:
        if progress is not None:
            progress.stop()

    if rows_mode:
        emit_rows(
            results,
            [
                Column("path"),
                Column("status"),
                Column("article_id"),
                Column("claims"),
                Column("title"),
                Column("error"),
            ],
            fmt,
        )
    summary = (
        f"{counts['new']} new, {counts['unchanged']} unchanged, {counts['failed']} failed"
        + (f", {counts['updated']} updated" if counts["updated"] else "")
        + (f" ({claims_total} claims extracted)" if counts["new"] else "")
    )
    if timings:
        sys.stderr.write(stats.line() + "\n")
        for line in stats.timeline_lines():
            sys.stderr.write(line + "\n")
    if rows_mode:
        sys.stderr.write(summary + "\n")
    else:
        typer.echo(summary)
    if counts["failed"]:
        raise typer.Exit(1)
