"""``claimtrack extract``: claims of files, straight to the output (no database)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from claimtrack.cli.app import app
from claimtrack.cli.app_extract import (  # the work, shared with the typer-free fast path
    CHUNK,
    COLLECT_EVERY,
    extract_files,
    read_contract_text,
)
from claimtrack.cli.output import Column, OutputFormat

__all__ = ["CHUNK", "COLLECT_EVERY", "extract", "extract_files", "read_contract_text"]


@app.command("extract")
def extract(
    files: Annotated[
        list[str],
        typer.Argument(metavar="FILE...", help="Article files to extract claims from."),
    ],
    fmt: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="jsonl (the contract of docs/extract-jsonl.md) or table.",
        ),
    ] = OutputFormat.JSONL,
) -> None:
    """Extract attributed claims from files and print them; nothing is stored.

    JSONL: one object per claim in document order, offsets into the file's text
    as read with open(path, encoding="utf-8", newline=""); `document` is the path
    as given. A file that cannot be read is reported on stderr and skipped; the
    exit code is then 1.
    """
    import sys

    table_rows: list[dict[str, Any]] = []
    # CHUNK read here, at run time (tests set it on this module)
    failed = extract_files(files, fmt is OutputFormat.JSONL, table_rows, sys.stdout, CHUNK)
    if fmt is not OutputFormat.JSONL:
        from claimtrack.cli.output import emit_rows

        emit_rows(
            table_rows,
            [
                Column("document", max_width=24),
                Column("speaker", max_width=20),
                Column("source", max_width=20),
                Column("cue", max_width=14),
                Column("content", max_width=60),
                Column("stance"),
                Column("hedged"),
                Column("quote"),
            ],
            fmt,
            title="Claims",
            empty_message="No claims found.",
        )
    if failed:
        raise typer.Exit(1)
