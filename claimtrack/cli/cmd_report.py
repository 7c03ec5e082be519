"""``claimtrack report``, ``claimtrack export`` and the main job ``claimtrack analyze``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from claimtrack.cli.app import app, case_from, print_error, print_warning
from claimtrack.errors import UsageError

if TYPE_CHECKING:
    from claimtrack.store.db import Case
    from claimtrack.store.reporting import Selection

ArticleOpt = Annotated[
    list[int] | None,
    typer.Option("--article", "-a", metavar="ID", help="Only claims of this article (repeatable)."),
]
SourceOpt = Annotated[
    str | None,
    typer.Option(
        "--source", "-s", metavar="NAME", help="Only claims of this source (name or alias)."
    ),
]
SinceOpt = Annotated[
    str | None,
    typer.Option(metavar="DATE", help="Only claims of articles published on or after DATE."),
]
QueryOpt = Annotated[
    str | None,
    typer.Option("--query", "-q", metavar="TEXT", help="Only claims whose text contains TEXT."),
]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", "-o", metavar="FILE", help="Write to FILE instead of standard output."),
]
TitleOpt = Annotated[str, typer.Option("--title", help="The report's title.")]


def _selection(
    article: list[int] | None, source: str | None, since: str | None, query: str | None
) -> Selection:
    from claimtrack.store.documents import parse_date_option
    from claimtrack.store.reporting import Selection

    since_date = None
    if since is not None:
        try:
            since_date = parse_date_option(since)
        except UsageError:
            raise UsageError(f"bad date {since!r} for --since (use YYYY-MM-DD)") from None
    if source is not None and not source.strip():
        raise UsageError("--source needs a name")
    return Selection(
        articles=tuple(sorted(set(article or ()))),
        source=source.strip() if source else None,
        since=since_date,
        query=query if query and query.strip() else None,
    )


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        with open(out, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write: {exc.strerror or exc}", path=str(out)) from None


@app.command("report")
def report(
    ctx: typer.Context,
    out: OutOpt = None,
    article: ArticleOpt = None,
    source: SourceOpt = None,
    since: SinceOpt = None,
    query: QueryOpt = None,
    title: TitleOpt = "Credibility report",
) -> None:
    """Write the Markdown credibility report of the case (or of a selection).

    Summary, key claims grouped by proposition, sources, analyst verdicts and
    the method. The same database always gives the same bytes.
    """
    from claimtrack.report import render_markdown
    from claimtrack.store.reporting import report_data, unscored_claims

    sel = _selection(article, source, since, query)
    with case_from(ctx) as case:
        data = report_data(case, sel, title=title)
        unscored = unscored_claims(case)
    _write(render_markdown(data), out)
    if unscored:
        print_warning(
            f"{unscored} claim{'s are' if unscored != 1 else ' is'} not scored yet: "
            "run `claimtrack score` (or `claimtrack analyze`) first"
        )


class ExportFormat(StrEnum):
    JSON = "json"
    CLAIMREVIEW = "claimreview"


@app.command("export")
def export(
    ctx: typer.Context,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="json: the whole case (docs/export-json.md); claimreview: schema.org "
            "ClaimReview JSON-LD for every claim with an analyst verdict.",
        ),
    ] = ExportFormat.JSON,
    out: OutOpt = None,
    article: ArticleOpt = None,
    source: SourceOpt = None,
    since: SinceOpt = None,
    query: QueryOpt = None,
    no_text: Annotated[
        bool, typer.Option("--no-text", help="json: leave the articles' text out.")
    ] = False,
    author: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="claimreview: the organisation signing verdicts that name no analyst.",
        ),
    ] = None,
) -> None:
    """Export the case for other tools: claimtrack JSON or ClaimReview JSON-LD."""
    from claimtrack.report import export_claimreview, export_json
    from claimtrack.store.reporting import report_data

    sel = _selection(article, source, since, query)
    with case_from(ctx) as case:
        data = report_data(
            case,
            sel,
            with_text=fmt is ExportFormat.JSON and not no_text,
            analyst=author,
        )
    _write(export_json(data) if fmt is ExportFormat.JSON else export_claimreview(data), out)


def pipeline_steps() -> list[tuple[str, Callable[[Case], Any]]]:
    """The case-wide steps after ingestion, in order: (progress label, step).

    Linking runs from scratch over the whole case (the canonical links, whatever
    order the articles came in; analyst decisions are kept and win), then every
    score is recomputed on those links.
    """
    from claimtrack.store.links import relink_case
    from claimtrack.store.scores import rescore

    return [("linking", relink_case), ("scoring", rescore)]


def ensure_analysis(
    case: Case, changed: bool, progress: Callable[[str], None] | None = None
) -> bool:
    """Make sure linking and scoring ran over the whole case; True if they had to run.

    They run when this invocation stored or updated an article, or when some
    claim of the case has no score yet (ingested by a claimtrack that did not
    link and score, or interrupted); otherwise the case is already analysed.
    """
    from claimtrack.store.reporting import unscored_claims

    if not changed and unscored_claims(case) == 0:
        return False
    for name, run in pipeline_steps():
        if progress is not None:
            progress(name)
        run(case)
    return True


@app.command("analyze")
def analyze(
    ctx: typer.Context,
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH...",
            help="Files (.txt .md .html .htm), folders (searched recursively), glob patterns.",
            show_default=False,
        ),
    ],
    out: OutOpt = None,
    title: TitleOpt = "Credibility report",
) -> None:
    """The main job: ingest, extract, resolve, link, score and write the report in one go.

    Articles go into the case database (--db, $CLAIMTRACK_DB or ./claimtrack.db);
    texts already there are not stored twice. The report goes to standard output
    or --out; progress and failures go to standard error.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from claimtrack.report import render_markdown
    from claimtrack.store.documents import expand_inputs
    from claimtrack.store.ingest import ingest_inputs
    from claimtrack.store.reporting import report_data

    items = expand_inputs(paths)
    console = Console(stderr=True)
    counts = {"new": 0, "updated": 0, "unchanged": 0, "failed": 0}
    progress = Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[name]}", style="dim"),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    with case_from(ctx, create=True) as case, progress:
        task = progress.add_task("ingesting", total=len(items) + 3, name="")
        # store only: linking and scoring run once over the whole case below
        for outcome in ingest_inputs(case, items, analyse=False):
            counts[outcome.status] += 1
            if outcome.error is not None:
                progress.console.print(
                    f"error: {outcome.error}", markup=False, highlight=False, soft_wrap=True
                )
            progress.update(task, name=outcome.name[-50:])
            progress.advance(task)

        done = [len(items)]

        def step(name: str) -> None:  # one bar unit per case-wide step, as it starts
            progress.update(task, description=name, name="", completed=done[0])
            done[0] += 1

        ensure_analysis(case, counts["new"] + counts["updated"] > 0, step)
        progress.update(task, description="reporting", name="", completed=len(items) + 2)
        data = report_data(case, title=title)
        text = render_markdown(data)
        progress.advance(task)
    _write(text, out)
    summary = (
        f"{counts['new']} new, {counts['unchanged']} unchanged, {counts['failed']} failed"
        + (f", {counts['updated']} updated" if counts["updated"] else "")
        + f"; {len(data.claims)} claims, {len(data.sources)} sources"
        + (f"; report written to {out}" if out is not None else "")
    )
    sys.stderr.write(summary + "\n")
    if counts["failed"]:
        print_error(f"{counts['failed']} input(s) could not be analysed")
        raise typer.Exit(1)
