"""``claimtrack extract``: claims of files, straight to the output (no database)."""

from __future__ import annotations

from typing import Annotated, Any, TextIO

import typer

from claimtrack.cli.app import app, print_error
from claimtrack.cli.output import Column, OutputFormat


def _read_contract_text(path: str) -> str:
    """The text offsets point into, as docs/extract-jsonl.md defines it.

    ``.txt`` and other plain files: the bytes decoded as UTF-8 with no newline
    translation (``open(path, encoding="utf-8", newline="")``). HTML and Markdown
    go through the same reader as ingest (extracted / rendered text).
    """
    from pathlib import Path

    from claimtrack.errors import InputError

    suffix = Path(path).suffix.lower()
    if suffix in (".html", ".htm", ".md", ".markdown"):
        from claimtrack.store.documents import read_document

        return read_document(path).text
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return fh.read()
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", path=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 (byte {exc.start})", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None


# files extracted together (``extract_many``: the tagger decodes their blocks in one pass)
CHUNK = 16
# files between two collections of the young generations while automatic collection is off
COLLECT_EVERY = 1024


def _extract_files(
    files: list[str], fmt: OutputFormat, table_rows: list[dict[str, Any]], out: TextIO
) -> int:
    """Write each file's claims (JSONL) or collect them into ``table_rows``; the number of
    files that could not be read."""
    import gc
    import json

    from claimtrack.cli.output import _json_default
    from claimtrack.errors import ClaimtrackError
    from claimtrack.extract import to_contract
    from claimtrack.extract.api import extract_many
    from claimtrack.sources import resolve_claims

    # what ``to_json`` writes (json.dumps with these options), one encoder for every line
    to_json = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode
    failed = 0
    tuned = len(files) < 2
    since_collect = 0
    k = 0
    while k < len(files):
        # the first file alone (the model and lexicons load), then CHUNK files at a time:
        # read, extracted together, then resolved and written one by one in order (each
        # unreadable file reported at its place, as when they were read one by one)
        chunk = files[k : k + (1 if k == 0 else CHUNK)]
        k += len(chunk)
        texts: list[str | None] = []
        errors: list[str] = []
        for path in chunk:
            try:
                texts.append(_read_contract_text(path))
                errors.append("")
            except ClaimtrackError as exc:
                texts.append(None)
                errors.append(str(exc))
        found = extract_many([t for t in texts if t is not None])
        at = 0
        for path, text, error in zip(chunk, texts, errors, strict=True):
            if text is None:
                print_error(error)
                failed += 1
                continue
            resolved = resolve_claims(text, found[at])
            at += 1
            lines = []
            for item in resolved:
                row = to_contract(item.claim, path, item.speaker)
                if fmt is OutputFormat.JSONL:
                    lines.append(to_json(row))
                else:
                    table_rows.append(
                        {
                            "document": path,
                            "speaker": row["speaker"],
                            "source": (row["source"] or {}).get("text"),
                            "cue": (row["cue"] or {}).get("text"),
                            "content": row["content"]["text"],
                            "stance": row["stance"],
                            "hedged": row["hedged"],
                            "quote": row["quote"],
                        }
                    )
            if lines:
                out.write("\n".join(lines) + "\n")
        if not tuned:
            # after the first article the model and the lexicons are loaded and stay for
            # the whole run: keep them out of the collector's scans (gc.freeze) and turn
            # automatic collection off; the caller restores both. Extraction, resolution
            # and output make no reference cycles (none found over PolNeAR train), so the
            # collector only ever scanned live objects: a young collection every
            # COLLECT_EVERY files bounds what a reader's cycles could hold. GC time over
            # the 840 PolNeAR train articles: ~0.31 -> ~0.06 s CPU (gen0 every 10k
            # allocations) -> 0
            tuned = True
            gc.collect()
            gc.freeze()
            gc.disable()
        else:
            since_collect += len(chunk)
            if since_collect >= COLLECT_EVERY:
                since_collect = 0
                gc.collect(1)
    return failed


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
    import gc
    import sys

    table_rows: list[dict[str, Any]] = []
    out = sys.stdout
    enabled = gc.isenabled()
    try:
        failed = _extract_files(files, fmt, table_rows, out)
    finally:
        if enabled:
            gc.enable()
        gc.unfreeze()
    out.flush()
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
