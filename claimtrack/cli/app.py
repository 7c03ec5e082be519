"""The typer application every command module registers on.

A command module (claimtrack/cli/cmd_<name>.py) does::

    from claimtrack.cli.app import app, case_from
    from claimtrack.cli.output import FormatOption, emit_rows

    @app.command("things")
    def things(ctx: typer.Context, fmt: FormatOption = None) -> None:
        \"\"\"One-line help shown in `claimtrack --help`.\"\"\"
        with case_from(ctx) as case:
            ...

and is picked up automatically (claimtrack/cli/__init__.py imports every
``cmd_*`` module when the application is first asked for). Keep module-level imports light (typer, the models):
import sqlmodel, rich, trafilatura inside the command functions, so that
``claimtrack extract`` starts fast.

Errors: raise claimtrack.errors.* — the group turns them into one line
``error: <message>`` on stderr and the error's exit code (2 for UsageError),
with no traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from claimtrack import __version__
from claimtrack.cli.app_base import print_error, print_warning
from claimtrack.errors import ClaimtrackError

if TYPE_CHECKING:
    from claimtrack.store.db import Case

__all__ = ["app", "case_from", "hoist_global_options", "print_error", "print_warning", "state_from"]


class ClaimtrackGroup(TyperGroup):
    """Runs a command and maps expected errors to a one-line message and exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ClaimtrackError as exc:
            print_error(str(exc))
            raise typer.Exit(exc.exit_code) from None

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if ctx.parent is None:
            args = hoist_global_options(args)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: Any) -> list[str]:
        return sorted(super().list_commands(ctx))


def hoist_global_options(args: list[str]) -> list[str]:
    """Move ``--db X`` / ``--db=X`` given after the command to the front.

    ``claimtrack ingest a.txt --db case.db`` then means what an analyst expects.
    Nothing after a ``--`` separator is touched.
    """
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg == "--db" and i + 1 < len(args):
            front.extend(args[i : i + 2])
            i += 2
            continue
        if arg.startswith("--db="):
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


app = typer.Typer(
    name="claimtrack",
    cls=ClaimtrackGroup,
    help="Track who claims what in news articles, on whose authority, and how far to believe it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class State:
    """Global options, stored on the root context (``ctx.obj``)."""

    db: str | None = None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"claimtrack {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH|URL",
            help="Case database: a file path or an SQLAlchemy URL "
            "(sqlite:///case.db, postgresql+psycopg://...). "
            "Default: $CLAIMTRACK_DB, else ./claimtrack.db.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """claimtrack: a local-first claim and source credibility tracker.

    Ingest articles into a case database, extract who claims what, and review it.
    """
    ctx.obj = State(db=db)


def state_from(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, State) else State()


def case_from(ctx: typer.Context, *, create: bool = False) -> Case:
    """Open the case named by --db / CLAIMTRACK_DB / the default (migrating it).

    ``create=False`` (for read-only commands) fails with a clear message when
    the database file does not exist yet instead of creating an empty one.
    """
    from claimtrack.store.db import Case

    return Case.open(state_from(ctx).db, create=create)
