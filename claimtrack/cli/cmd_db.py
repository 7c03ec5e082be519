"""``claimtrack db``: where the case database lives and what state it is in."""

from __future__ import annotations

import typer

from claimtrack.cli.app import app, case_from, state_from
from claimtrack.cli.output import Column, FormatOption, emit_rows

db_app = typer.Typer(
    help="The case database: its location and schema version.",
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
