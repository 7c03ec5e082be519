"""``claimtrack extract`` without typer: the work of the command, and its fast path.

``cmd_extract`` registers the typer command, which calls :func:`extract_files`. The
console script first asks :func:`fast_main`: the plain form
``claimtrack extract FILE... [--format jsonl]`` (no other option, no file name
starting with ``-``) runs here, with the same output, messages and exit code,
but without importing typer, click and every other command's module (a
``claimtrack extract`` process then starts ~0.1 s sooner). Any other command
line returns None and goes to typer as before.
"""

from __future__ import annotations

import os
import sys
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, TextIO

from claimtrack.cli.app_base import print_error

if TYPE_CHECKING:
    from claimtrack.models import Claim, Span, Speaker

# files extracted together (``extract_many``: the tagger decodes their blocks in one pass)
CHUNK = 16
# files between two collections of the young generations while automatic collection is off
COLLECT_EVERY = 1024


def read_contract_text(path: str) -> str:
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


def contract_line(claim: Claim, document: str, speaker: Speaker | None = None) -> str:
    """``to_json(to_contract(claim, document, speaker))``, built directly: the same bytes
    (``json.dumps``'s separators, ``ensure_ascii=False``, the contract's key order), one
    string escape per text instead of a dict walked by the encoder.

    ``document`` is the path already encoded as a JSON string (once per file).
    Every value is of the contract's JSON type (spans' offsets are ints: ``int.__repr__``
    refuses anything else rather than write something the encoder would not).
    """
    source, cue = claim.source, claim.cue
    line = (
        f'{{"document": {document}, "source": {_span_json(source)}, '
        f'"cue": {_span_json(cue)}, "content": {_span_json(claim.content)}, '
        f'"speaker": {_string(speaker.name) if speaker and speaker.named else "null"}, '
        f'"source_kind": {_string(speaker.kind.value) if speaker else _UNKNOWN}, '
        f'"stance": {_string(claim.stance.value)}, '
        f'"hedged": {_BOOL[claim.hedged]}, "quote": {_string(claim.quote.value)}'
    )
    if claim.content_spans:
        spans = ", ".join([_span_json(s) for s in claim.content_spans])
        return f'{line}, "content_spans": [{spans}]}}'
    return line + "}"


def _span_json(span: Span | None) -> str:
    if span is None:
        return "null"
    return f'{{"text": {_string(span.text)}, "start": {_int(span.start)}, "end": {_int(span.end)}}}'


# what ``json.JSONEncoder(ensure_ascii=False)`` writes for a str (its C escape when there is
# one), an int and a bool (``Claim.hedged``)
_string = encode_basestring
_int = int.__repr__
_BOOL = {True: "true", False: "false"}
_UNKNOWN = _string("unknown")


def extract_files(
    files: list[str],
    jsonl: bool,
    table_rows: list[dict[str, Any]],
    out: TextIO,
    chunk_size: int = CHUNK,
    keep_frozen: bool = False,
) -> int:
    """Write each file's claims (JSONL) or collect them into ``table_rows``; the number of
    files that could not be read. The collector, tuned during the run, is restored and the
    output flushed afterwards; with ``keep_frozen`` (the process ends after this run) what
    was frozen stays frozen: unfrozen, the interpreter's collections at exit would scan it
    all again (~0.1 s of a run over PolNeAR train)."""
    import gc

    from claimtrack.errors import ClaimtrackError
    from claimtrack.extract import to_contract
    from claimtrack.extract.api import extract_many
    from claimtrack.sources import resolve_claims

    enabled = gc.isenabled()
    try:
        failed = 0
        tuned = len(files) < 2
        since_collect = 0
        k = 0
        while k < len(files):
            # the first file alone (the model and lexicons load), then chunk_size files at a time:
            # read, extracted together, then resolved and written one by one in order (each
            # unreadable file reported at its place, as when they were read one by one)
            chunk = files[k : k + (1 if k == 0 else chunk_size)]
            k += len(chunk)
            texts: list[str | None] = []
            errors: list[str] = []
            for path in chunk:
                try:
                    texts.append(read_contract_text(path))
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
                if jsonl:
                    if resolved:
                        document = _string(path)
                        out.write(
                            "\n".join(
                                [contract_line(r.claim, document, r.speaker) for r in resolved]
                            )
                            + "\n"
                        )
                else:
                    for item in resolved:
                        row = to_contract(item.claim, path, item.speaker)
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
            if not tuned:
                # after the first article the model and the lexicons are loaded and stay for
                # the whole run: keep them out of the collector's scans (gc.freeze) and turn
                # automatic collection off; the finally below restores both. Extraction, resolution
                # and output make no reference cycles (none found over PolNeAR train), so the
                # collector only ever scanned live objects: a young collection every
                # COLLECT_EVERY files bounds what a reader's cycles could hold. GC time over
                # the 840 PolNeAR train articles: ~0.31 -> ~0.06 s CPU (gen0 every 10k
                # allocations) -> 0. No collection before the freeze: it would scan every
                # object alive (~20 ms) to find the few hundred of start-up's cycles, which then
                # stay frozen until the end of the run
                tuned = True
                gc.freeze()
                gc.disable()
            else:
                since_collect += len(chunk)
                if since_collect >= COLLECT_EVERY:
                    since_collect = 0
                    gc.collect(1)
    finally:
        if enabled:
            gc.enable()
        if not keep_frozen:
            gc.unfreeze()
    out.flush()
    return failed


def plain_files(args: list[str]) -> list[str] | None:
    """The files of ``extract FILE... [--format jsonl]`` (``--format=jsonl``, ``-f jsonl``),
    or None for any other command line (left to typer: other commands and options, help,
    a global option, other formats, ``--``, a name starting with ``-``, no file)."""
    if not args or args[0] != "extract":
        return None
    files: list[str] = []
    k = 1
    while k < len(args):
        arg = args[k]
        if arg in ("--format", "-f"):
            if k + 1 >= len(args) or args[k + 1] != "jsonl":
                return None
            k += 2
            continue
        if arg == "--format=jsonl":
            k += 1
            continue
        if arg.startswith("-"):
            return None
        files.append(arg)
        k += 1
    return files or None


def fast_main(args: list[str], ending: bool = False) -> int | None:
    """The exit code of ``claimtrack <args>`` run here, or None when typer must run it.

    As the typer command would: claims on stdout, unreadable files on stderr (exit 1),
    a ``ClaimtrackError`` as one ``error:`` line with its exit code, Ctrl-C exit 130, a
    closed pipe exit 1 without a traceback. ``ending``: the process exits right after
    (the console script), so what the run froze for the collector stays frozen.
    """
    import errno
    import gc

    from claimtrack.errors import ClaimtrackError

    if "_CLAIMTRACK_COMPLETE" in os.environ:  # shell completion: typer's
        return None
    files = plain_files(args)
    if files is None:
        return None
    # no automatic collection while the extractor and the resolver are imported and their
    # model and lexicons load (tens of thousands of objects that stay for the whole run,
    # scanned again by every collection); ``extract_files`` then collects once and freezes
    enabled = gc.isenabled()
    gc.disable()
    try:
        failed = extract_files(files, True, [], sys.stdout, keep_frozen=ending)
    except ClaimtrackError as exc:
        print_error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        # the reader went away: what is left for stdout goes nowhere (no second error
        # when the interpreter flushes it at exit)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    finally:
        if enabled:
            gc.enable()
    return 1 if failed else 0
