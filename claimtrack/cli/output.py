"""Row output shared by every listing command: one ``--format`` option, three renderings.

- ``table``: a rich table, for a person at a terminal;
- ``jsonl``: one JSON object per line, every field, streamed (for pipes and scripts);
- ``csv``: a header line, then one line per row (nested values JSON-encoded).

Without ``--format`` the output is a table on a terminal and JSONL otherwise.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Annotated, Any, TextIO

import typer


class OutputFormat(StrEnum):
    TABLE = "table"
    JSONL = "jsonl"
    CSV = "csv"


FormatOption = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="Output format: table (rich, for a terminal), jsonl or csv (for pipes). "
        "Default: table on a terminal, jsonl otherwise.",
        show_default=False,
    ),
]


@dataclass(frozen=True)
class Column:
    """A column of a listing: the row key, its table header, and its table width limit."""

    key: str
    header: str | None = None
    max_width: int | None = None
    justify: str = "left"


def resolve_format(fmt: OutputFormat | None, stream: TextIO | None = None) -> OutputFormat:
    if fmt is not None:
        return fmt
    out = stream or sys.stdout
    return OutputFormat.TABLE if out.isatty() else OutputFormat.JSONL


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(row: Mapping[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, default=_json_default)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    return str(value)


def emit_rows(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[Column | str],
    fmt: OutputFormat | None,
    *,
    title: str | None = None,
    stream: TextIO | None = None,
    empty_message: str | None = None,
) -> int:
    """Write ``rows`` in ``fmt``; returns how many rows were written.

    ``columns`` picks and orders the table and CSV columns; JSONL writes every key
    of each row. JSONL and CSV stream row by row; a table is built in memory.
    """
    out = stream or sys.stdout
    cols = [c if isinstance(c, Column) else Column(c) for c in columns]
    chosen = resolve_format(fmt, out)
    count = 0
    if chosen is OutputFormat.JSONL:
        for row in rows:
            out.write(to_json(row) + "\n")
            count += 1
        out.flush()
        return count
    if chosen is OutputFormat.CSV:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.key for c in cols])
        for row in rows:
            writer.writerow([_csv_cell(row.get(c.key)) for c in cols])
            count += 1
        out.flush()
        return count
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    for c in cols:
        table.add_column(
            c.header or c.key,
            max_width=c.max_width,
            overflow="fold",
            justify=c.justify,  # type: ignore[arg-type]
        )
    for row in rows:
        table.add_row(*[_cell(row.get(c.key)) for c in cols])
        count += 1
    console = Console(file=out, soft_wrap=False)
    if count == 0 and empty_message:
        console.print(empty_message, style="dim")
    else:
        console.print(table)
    return count


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value
