"""``claimtrack db``: where the case database lives and what state it is in."""

from __future__ import annotations

from typing import Annotated

import typer

from claimtrack.cli.app import app, case_from, print_error, state_from
from claimtrack.cli.output import Column, FormatOption, emit_rows

db_app = typer.Typer(
    help="The case database: its location, schema version, integrity check and backup.",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")


@db_app.command("path")
def db_path(ctx: typer.Context) -> None:
    """Print the resolved database location (--db, then $CLAIMTRACK_DB, then ./claimtrack.db).

    Does not create or open the database.
    """
    from claimtrack.store.db import resolve_location

    typer.echo(resolve_location(state_from(ctx).db).display)


@db_app.command("info")
def db_info(ctx: typer.Context, fmt: FormatOption = None) -> None:
    """Show the database location, schema version and how many rows each table holds."""
    from claimtrack.store.catalog import table_counts
    from claimtrack.store.migrations import LATEST_VERSION

    with case_from(ctx) as case:
        rows: list[dict[str, object]] = [
            {"item": "location", "value": case.location.display},
            {
                "item": "schema version",
                "value": f"{case.schema_version()} (latest {LATEST_VERSION})",
            },
        ]
        rows += [{"item": k, "value": v} for k, v in table_counts(case).items()]
    emit_rows(rows, [Column("item"), Column("value")], fmt)


@db_app.command("migrate")
def db_migrate(ctx: typer.Context) -> None:
    """Create the database if needed and apply pending schema migrations (opening does this too)."""
    with case_from(ctx, create=True) as case:
        typer.echo(f"{case.location.display}: schema version {case.schema_version()}")


@db_app.command("check")
def db_check(ctx: typer.Context) -> None:
    """Verify the case's integrity; exit 1 and list the problems if any.

    Checks foreign keys (claims of existing articles, links and scores of existing
    claims...), that every span lies inside its article's text and equals it
    there, article hashes and sizes, link order, and on SQLite the file itself
    (PRAGMA integrity_check / foreign_key_check).
    """
    from claimtrack.store.maintenance import check_case

    with case_from(ctx) as case:
        report = check_case(case)
        where = case.location.display
    summary = f"{report.articles} articles, {report.claims} claims, {report.links} links"
    if report.ok:
        typer.echo(f"ok: {where}: {summary}")
        return
    for problem in report.problems:
        typer.echo(problem)
    n = len(report.problems)
    print_error(f"{where}: {n} problem{'' if n == 1 else 's'} found ({summary})")
    raise typer.Exit(1)


@db_app.command("backup")
def db_backup(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE", help="The new file to write the copy to.")],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Write a consistent copy of the case to FILE (safe while others are writing).

    SQLite: an exact copy made with SQLite's online backup API. PostgreSQL: one
    snapshot of the case written as an SQLite case file (open it with --db FILE).
    The copy is checked (as by `db check`) before FILE appears.
    """
    from claimtrack.store.maintenance import backup_case

    with case_from(ctx) as case:
        result = backup_case(case, file, overwrite=force)
    typer.echo(
        f"{result.path}: {result.articles} articles, {result.claims} claims ({result.method})"
    )
