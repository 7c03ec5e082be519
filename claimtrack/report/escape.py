"""Escaping article text so it cannot break a Markdown document.

Everything that comes from the data (claim text, titles, names, notes) goes
through ``inline`` (paragraphs, list items, headings) or ``cell`` (GFM table
cells). Both return one line of CommonMark that renders as exactly the
original text with its whitespace collapsed: no emphasis, code, links, HTML,
entities, line breaks, headings, lists, block quotes or table columns can come
out of it.
"""

from __future__ import annotations

import re
from functools import lru_cache

# ASCII punctuation that has a meaning somewhere inline in CommonMark/GFM (escaped
# by the patterns below): ``\\ ` * _`` (escapes, code, emphasis), ``[ ]`` (links;
# ``!`` needs no escape once ``[`` is escaped), ``< >`` (HTML, autolinks), ``&``
# (entities), ``|`` (table cells), ``~`` (GFM strikethrough); in headings also
# ``#`` (a trailing run would close the heading).
# Only meaningful at the start of a line (block structure): a list marker, a heading,
# a block quote; "-" always (also "---", a thematic break).
_LEADING_BLOCK = re.compile(r"^(?:-|>|\+(?= |$)|#{1,6}(?= |$)|\d{1,9}[.)](?= |$))")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

ELLIPSIS = "…"


def normalize(text: str) -> str:
    """Whitespace runs (newlines included) become one space; control characters go."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text  # nothing to do (the common case): only printable characters, single spaces
    return " ".join(_CONTROL.sub(" ", text).split())


def truncate(text: str, width: int) -> str:
    """``text`` normalised and cut to at most ``width`` characters (ending in …)."""
    text = normalize(text)
    if width < 1:
        return ""
    if len(text) <= width:
        return text
    return text[: width - 1].rstrip() + ELLIPSIS


_INLINE_TABLE = str.maketrans({ch: "\\" + ch for ch in "\\`*_[]<>&|~"})
_HEADING_TABLE = str.maketrans({ch: "\\" + ch for ch in "\\`*_[]<>&|~#"})


@lru_cache(maxsize=65536)
def _escape(text: str, heading: bool = False, leading: bool = True) -> str:
    out = text.translate(_HEADING_TABLE if heading else _INLINE_TABLE)
    m = _LEADING_BLOCK.match(out) if leading else None
    if m:  # "# x", "- x", "> x", "1. x", "1) x": escape the marker's last character
        end = m.end()
        out = out[: end - 1] + "\\" + out[end - 1 :]
    return out


def inline(text: str, width: int | None = None) -> str:
    """``text`` as one line of inline Markdown that renders as itself (normalised)."""
    return _escape(normalize(text) if width is None else truncate(text, width))


def heading(text: str, width: int | None = None) -> str:
    """``text`` for an ATX heading (``#`` escaped too: a trailing run would close it)."""
    return _escape(normalize(text) if width is None else truncate(text, width), heading=True)


def cell(text: str | None, width: int | None = None) -> str:
    """``text`` for a GFM table cell; empty and missing values become an em dash."""
    if text is None:
        return "—"
    out = _escape(normalize(text) if width is None else truncate(text, width), leading=False)
    return out if out else "—"


_URL = re.compile(r"^https?://[^\s<>\"\\`|\x00-\x1f\x7f]+$", re.IGNORECASE)


def url(address: str | None) -> str:
    """An address as an autolink when it is a plain http(s) URL, else as escaped text."""
    if not address:
        return "—"
    address = address.strip()
    if _URL.match(address):
        return f"<{address}>"
    return inline(address)
