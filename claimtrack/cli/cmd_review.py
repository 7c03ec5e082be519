"""``claimtrack review``: open the case in the terminal review app."""

from __future__ import annotations

import sys

import typer

from claimtrack.cli.app import app, case_from


@app.command("review")
def review(ctx: typer.Context) -> None:
    """Review the case in a terminal UI: claims, sources, articles; decisions saved at once.

    Press ? in the app for every key. Respects NO_COLOR.
    """
    from claimtrack.errors import UsageError

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("`claimtrack review` needs an interactive terminal")
    from claimtrack.tui.app import run

    with case_from(ctx) as case:
        run(case)
