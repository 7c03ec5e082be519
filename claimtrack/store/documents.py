"""Reading input files into ``claimtrack.models.Document``: the exact text claims point into.

- ``.txt``: the decoded text as is (no newline translation), a UTF-8 BOM stripped;
- ``.md`` / ``.markdown``: rendered to plain text (markup removed) with markdown-it;
- ``.html`` / ``.htm``: the main text extracted by trafilatura (boilerplate removed).

Decoding: a BOM (UTF-8, UTF-16) wins; then strict UTF-8; then the encoding an
HTML page declares (``<meta charset>``); then the one charset-normalizer detects.
Anything else (empty, binary, undecodable, over 50 MB, missing) raises
``InputError`` naming the file and the reason.

Metadata is read from the document where present (HTML meta tags via
trafilatura; front matter in Markdown; lines such as ``Original Source:
www.defensenews.com`` or ``Published: 22 November 2022`` in text) and any field
of ``overrides`` wins over it.
"""

from __future__ import annotations

import codecs
import contextlib
import glob
import hashlib
import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from claimtrack.errors import InputError, UsageError
from claimtrack.models import ArticleMeta, Document

MAX_BYTES = 50 * 1024 * 1024
STDIN = "-"
ARTICLE_SUFFIXES: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.odt)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7fELF", "an executable"),
)
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE
)
_WHATWG_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "ascii": "cp1252",
}


# --------------------------------------------------------------------------
# which files: expanding command-line inputs
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class InputItem:
    """One input to read: a file path (as given, or joined under a folder), or ``-``.

    ``error`` is set when the input itself is bad (missing path, empty folder,
    no glob match); it is reported as a failure of that input.
    """

    path: str
    error: InputError | None = None

    @property
    def is_stdin(self) -> bool:
        return self.path == STDIN


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def _walk_articles(folder: str) -> Iterator[str]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not _is_hidden(d))
        for name in sorted(files):
            if not _is_hidden(name) and Path(name).suffix.lower() in ARTICLE_SUFFIXES:
                yield os.path.join(root, name)


def expand_inputs(args: Sequence[str]) -> list[InputItem]:
    """Files, folders (recursive: .txt .md .markdown .html .htm), globs and ``-``.

    Order: as given, folders in sorted order; a file reached twice is listed once.
    """
    items: list[InputItem] = []
    seen: set[str] = set()
    stdin_seen = False

    def add(path: str) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            items.append(InputItem(path))

    def add_folder(folder: str) -> None:
        found = False
        for path in _walk_articles(folder):
            found = True
            add(path)
        if not found:
            items.append(
                InputItem(
                    folder,
                    InputError("folder contains no articles (.txt, .md, .html, .htm)", path=folder),
                )
            )

    for arg in args:
        if arg == STDIN:
            if stdin_seen:
                raise UsageError("'-' (standard input) given more than once")
            stdin_seen = True
            items.append(InputItem(STDIN))
        elif os.path.isdir(arg):
            add_folder(arg)
        elif os.path.lexists(arg):
            add(arg)
        elif glob.has_magic(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                items.append(InputItem(arg, InputError("no files match this pattern", path=arg)))
            for match in matches:
                if os.path.isdir(match):
                    add_folder(match)
                else:
                    add(match)
        else:
            items.append(InputItem(arg, InputError("no such file or folder", path=arg)))
    return items


# --------------------------------------------------------------------------
# bytes
# --------------------------------------------------------------------------


def read_bytes(path: str) -> bytes:
    """The file's bytes (``-``: standard input), refusing folders and files over 50 MB."""
    if path == STDIN:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise InputError("too large (over the 50 MB limit)", path="<stdin>")
        return data
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError("no such file or folder", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    if os.path.isdir(path):
        raise InputError("is a folder, not an article", path=path)
    if st.st_size > MAX_BYTES:
        raise InputError(
            f"too large ({st.st_size / 1024 / 1024:.1f} MB; the limit is 50 MB)", path=path
        )
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    if len(data) > MAX_BYTES:
        raise InputError("too large (over the 50 MB limit)", path=path)
    return data


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if b"\x00" in data[:8192]:
        return "binary data (contains NUL bytes)"
    return None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _declared_charset(data: bytes) -> str | None:
    match = _DECLARED_CHARSET.search(data[:8192])
    if not match:
        return None
    name = match.group(1).decode("ascii", "replace").strip().lower()
    name = _WHATWG_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, *, path: str, html: bool = False) -> tuple[str, str]:
    """``(text, encoding)`` for the bytes of an article, or InputError saying why not."""
    if not data:
        raise InputError("empty file", path=path)
    if data.startswith(codecs.BOM_UTF8):
        text = _strict(data[len(codecs.BOM_UTF8) :], "utf-8")
        if text is None:
            raise InputError("undecodable bytes after a UTF-8 byte-order mark", path=path)
        return _checked(text, path), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _strict(data, "utf-16")
        if text is None:
            raise InputError("undecodable bytes after a UTF-16 byte-order mark", path=path)
        return _checked(text, path), "utf-16"
    kind = _binary_kind(data)
    if kind is not None:
        raise InputError(f"binary file: {kind}, not a text article", path=path)
    text = _strict(data, "utf-8")
    if text is not None:
        return _checked(text, path), "utf-8"
    if html:
        declared = _declared_charset(data)
        if declared is not None:
            text = _strict(data, declared)
            if text is not None:
                return _checked(text, path), declared
    encoding = _detect_encoding(data)
    text = _strict(data, encoding) if encoding else None
    if encoding is None or text is None:
        raise InputError("undecodable bytes: not UTF-8, and no legacy encoding fits", path=path)
    return _checked(text, path), encoding


def _detect_encoding(data: bytes) -> str | None:
    """charset-normalizer's pick; on a near tie, Windows-1252 (the Western web default).

    Western text often decodes without error as cp1250 as well as cp1252
    (è/č, ø/ř): when cp1252 is as clean and as coherent as the best guess, it wins.
    """
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    best = min(matches, key=lambda m: (m.chaos, -m.coherence))
    for m in matches:
        if (
            "cp1252" in m.could_be_from_charset
            and m.chaos <= best.chaos + 0.01
            and m.coherence >= best.coherence - 0.05
        ):
            return "cp1252"
    return str(codecs.lookup(best.encoding).name)


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # category Cc except \t \n \v \f \r


def _checked(text: str, path: str) -> str:
    if not text.strip():
        raise InputError("empty article: only whitespace", path=path)
    controls = len(_CONTROL.findall(text, 0, 100_000))
    if controls > max(8, min(len(text), 100_000) // 200):
        raise InputError("binary file: too many control characters for text", path=path)
    return text


def content_hash(text: str) -> str:
    """SHA-256 (hex) of the stored text, UTF-8 encoded: the article's identity."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------
# metadata helpers
# --------------------------------------------------------------------------

_META_LINE = re.compile(
    r"^\s*(?P<key>original\s+source|source\s+url|source|outlet|publisher|published\s+by|"
    r"url|link|canonical|published(?:\s+on|\s+at)?|publication\s+date|date(?:line)?|"
    r"posted(?:\s+on)?|updated(?:\s+on)?|title|headline)\s*:\s*(?P<value>\S.*?)\s*$",
    re.IGNORECASE,
)
_DOMAIN = re.compile(r"^(?:www\.)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/\S*)?$", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_MONTHISH = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b|\b\d{1,2}[/.-]\d{1,2}\b"
    r"|\b(?:19|20)\d\d-\d\d-\d\d",
    re.IGNORECASE,
)


def _clean_value(value: str) -> str:
    value = value.strip().rstrip(".…").strip()
    return re.sub(r"\s+", " ", value)


def _host(value: str) -> str | None:
    """The host of a URL or bare domain, without ``www.``."""
    candidate = value if "://" in value else f"http://{value}"
    host = urlparse(candidate).hostname
    if not host or "." not in host:
        return None
    return host[4:] if host.startswith("www.") else host


def parse_published(value: str, *, fuzzy: bool = True) -> date | None:
    """A date from text such as ``22 November 2022`` or ``2022-11-22T10:00Z``; None if unsure.

    ``fuzzy=False`` accepts only a line that is nothing but a date.
    """
    value = value.strip()
    if re.match(r"^\d{4}-\d\d-\d\d(?:$|[T ])", value):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    if not value or not _YEAR.search(value) or not _MONTHISH.search(value):
        return None
    from dateutil import parser

    try:
        parsed = parser.parse(value, fuzzy=fuzzy)
    except (ValueError, OverflowError, TypeError):
        return None
    result = parsed.date()
    return result if isinstance(result, date) else None


def parse_date_option(value: str) -> date:
    """A ``--published`` value: ISO ``YYYY-MM-DD`` or an unambiguous written date."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        pass
    parsed = parse_published(value)
    if parsed is None:
        raise UsageError(f"bad date {value!r} for --published (use YYYY-MM-DD)")
    return parsed


def check_url_option(value: str) -> str:
    """A ``--url`` value: an absolute http(s) address."""
    value = value.strip()
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in value:
        raise UsageError(f"bad URL {value!r} for --url (expected http://... or https://...)")
    return value


def _meta_from_lines(lines: Sequence[str]) -> dict[str, Any]:
    """title / outlet / url / published from ``Key: value`` lines and a leading date line."""
    found: dict[str, Any] = {}
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line or len(line) > 300:
            continue
        match = _META_LINE.match(line)
        if match:
            key = re.sub(r"\s+", " ", match.group("key").lower())
            value = _clean_value(match.group("value"))
            if not value:
                continue
            if key in ("title", "headline"):
                found.setdefault("title", value)
            elif key in ("url", "link", "canonical", "source url"):
                if value.lower().startswith(("http://", "https://")):
                    found.setdefault("url", value)
                    host = _host(value)
                    if host:
                        found.setdefault("_host", host)
            elif key in ("original source", "source", "outlet", "publisher", "published by"):
                if value.lower().startswith(("http://", "https://")):
                    found.setdefault("url", value)
                    host = _host(value)
                    if host:
                        found.setdefault("outlet", host)
                elif _DOMAIN.match(value):
                    host = _host(value)
                    if host:
                        found.setdefault("outlet", host)
                elif len(value) <= 80:
                    found.setdefault("outlet", value)
            else:  # a date key
                published = parse_published(value)
                if published is not None:
                    found.setdefault("published", published)
        elif index < 6 and "published" not in found and len(line) <= 60:
            published = parse_published(line, fuzzy=False)
            if published is not None:
                found["published"] = published
    if "outlet" not in found and "_host" in found:
        found["outlet"] = found["_host"]
    found.pop("_host", None)
    return found


def _first_line(text: str) -> str | None:
    """The first non-empty line as a title; a long lead paragraph is cut to its first sentence."""
    for line in text.splitlines():
        line = re.sub(r"\s+", " ", line).strip()
        if not line:
            continue
        if len(line) <= 160:
            return line
        sentence = re.match(r"^(.{20,200}?[.!?])\s", line)
        if sentence:
            return sentence.group(1)
        return line[:160].rsplit(" ", 1)[0] + "…"
    return None


def _merge(document: ArticleMeta, overrides: ArticleMeta | None) -> ArticleMeta:
    if overrides is None:
        return document
    return ArticleMeta(
        title=overrides.title if overrides.title is not None else document.title,
        outlet=overrides.outlet if overrides.outlet is not None else document.outlet,
        url=overrides.url if overrides.url is not None else document.url,
        published=overrides.published if overrides.published is not None else document.published,
    )


# --------------------------------------------------------------------------
# formats
# --------------------------------------------------------------------------


def detect_format(path: str, data: bytes) -> str:
    """``text``, ``markdown`` or ``html``: by suffix, else by sniffing the start of the bytes."""
    suffix = Path(path).suffix.lower() if path != STDIN else ""
    if suffix in ARTICLE_SUFFIXES:
        return ARTICLE_SUFFIXES[suffix]
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<?xml")) or b"<body" in head:
        return "html"
    return "text"


def _text_document(text: str) -> tuple[str, dict[str, Any]]:
    lines = text.splitlines()
    found = _meta_from_lines(lines)
    found.setdefault("title", _first_line(text))
    return text, found


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?P<body>.*?)\r?\n---[ \t]*\r?\n", re.DOTALL)


def _markdown_document(source: str) -> tuple[str, dict[str, Any]]:
    from markdown_it import MarkdownIt

    found: dict[str, Any] = {}
    match = _FRONT_MATTER.match(source)
    if match and len(match.group(0)) < 8192:
        front = [ln.replace('"', "").replace("'", "") for ln in match.group("body").splitlines()]
        found = _meta_from_lines(front)
        source = source[match.end() :]
    blocks: list[str] = []
    heading: str | None = None
    in_heading = False
    for token in MarkdownIt("commonmark").parse(source):
        if token.type == "heading_open":
            in_heading = True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "inline":
            rendered = _render_inline(token.children or [])
            if rendered.strip():
                blocks.append(rendered.strip())
                if in_heading and heading is None:
                    heading = rendered.strip()
        elif token.type in ("fence", "code_block") and token.content.strip():
            blocks.append(token.content.rstrip("\n"))
    text = "\n\n".join(blocks) + "\n" if blocks else ""
    for key, value in _meta_from_lines(text.splitlines()).items():
        found.setdefault(key, value)
    found.setdefault("title", heading or _first_line(text))
    return text, found


def _render_inline(children: Sequence[Any]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
        elif child.type == "image":
            parts.append(_render_inline(child.children or []))
    return "".join(parts)


def _html_document(html: str, path: str) -> tuple[str, dict[str, Any]]:
    import trafilatura

    text = trafilatura.extract(
        html,
        output_format="txt",
        include_comments=False,
        include_tables=False,
        favor_recall=True,
    )
    if not text or not text.strip():
        text = trafilatura.html2txt(html)
    if not text or not text.strip():
        raise InputError("no article text found in the HTML", path=path)
    found: dict[str, Any] = {}
    meta = trafilatura.extract_metadata(html, extensive=False)
    if meta is not None:
        if meta.title:
            found["title"] = _clean_value(meta.title)
        if meta.sitename:
            found["outlet"] = _clean_value(meta.sitename)
        if meta.url and str(meta.url).startswith(("http://", "https://")):
            found["url"] = str(meta.url)
            if "outlet" not in found and meta.hostname:
                host = _host(str(meta.hostname))
                if host:
                    found["outlet"] = host
        if meta.date:
            with contextlib.suppress(ValueError):
                found["published"] = date.fromisoformat(str(meta.date)[:10])
    for key, value in _meta_from_lines(text.splitlines()[:8]).items():
        if key != "title":
            found.setdefault(key, value)
    found.setdefault("title", _first_line(text))
    return text.strip() + "\n", found


# --------------------------------------------------------------------------
# the entry point
# --------------------------------------------------------------------------


def read_document(
    path: str,
    *,
    data: bytes | None = None,
    overrides: ArticleMeta | None = None,
) -> Document:
    """Read ``path`` (``-`` = stdin) into a Document; ``overrides`` win over read metadata."""
    name = "<stdin>" if path == STDIN else path
    raw = read_bytes(path) if data is None else data
    if len(raw) > MAX_BYTES:
        raise InputError("too large (over the 50 MB limit)", path=name)
    fmt = detect_format(path, raw)
    decoded, encoding = decode_bytes(raw, path=name, html=fmt == "html")
    if fmt == "html":
        text, found = _html_document(decoded, name)
    elif fmt == "markdown":
        text, found = _markdown_document(decoded)
    else:
        text, found = _text_document(decoded)
    if not text.strip():
        raise InputError("no article text", path=name)
    meta = ArticleMeta(
        title=found.get("title"),
        outlet=found.get("outlet"),
        url=found.get("url"),
        published=found.get("published"),
    )
    return Document(
        path=path,
        text=text,
        meta=_merge(meta, overrides),
        content_hash=content_hash(text),
        format=fmt,
        encoding=encoding,
    )
