"""Article text cannot break the Markdown document: property tests with markdown-it-py."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from claimtrack.report.escape import cell, heading, inline, normalize, truncate, url

MD = MarkdownIt("commonmark").enable("table")

# Markdown's metacharacters, much more often than chance would give them.
DANGEROUS = list("\\`*_[]<>&|~#-+=!().:;/ 1\n\t\r") + [
    "&amp;",
    "<b>",
    "](",
    "```",
    "    ",
    "http://",
]
TEXT = st.lists(st.sampled_from(DANGEROUS) | st.characters(), max_size=30).map("".join)


def _only_text(inline_token: Any) -> str:
    children = inline_token.children or []
    kinds = {c.type for c in children}
    assert kinds <= {"text"}, kinds
    return "".join(c.content for c in children)


def _block_types(tokens: list[Any]) -> list[str]:
    return [t.type for t in tokens]


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_inline_paragraph_renders_as_the_text(text: str) -> None:
    expected = normalize(text)
    assume(expected)
    tokens = MD.parse(inline(text))
    assert _block_types(tokens) == ["paragraph_open", "inline", "paragraph_close"]
    assert _only_text(tokens[1]) == expected


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_inline_in_a_list_item_stays_one_item(text: str) -> None:
    expected = normalize(text)
    assume(expected)
    tokens = MD.parse(f"- {inline(text)}\n")
    assert _block_types(tokens) == [
        "bullet_list_open",
        "list_item_open",
        "paragraph_open",
        "inline",
        "paragraph_close",
        "list_item_close",
        "bullet_list_close",
    ]
    assert _only_text(tokens[3]) == expected


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_heading_text_stays_in_the_heading(text: str) -> None:
    expected = normalize(text)
    assume(expected)
    tokens = MD.parse(f"### P1. {heading(text)}\n")
    assert _block_types(tokens) == ["heading_open", "inline", "heading_close"]
    assert _only_text(tokens[1]) == f"P1. {expected}"


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
def test_cells_keep_the_table_shape(left: str, right: str) -> None:
    doc = f"| a | b |\n| --- | --- |\n| {cell(left)} | {cell(right)} |\n"
    tokens = MD.parse(doc)
    assert tokens[0].type == "table_open"
    cells = [t for t in tokens if t.type == "inline"]
    assert len(cells) == 4  # two header cells, two body cells
    assert _only_text(cells[2]) == (normalize(left) or "—")
    assert _only_text(cells[3]) == (normalize(right) or "—")


@given(TEXT, st.integers(min_value=1, max_value=40))
def test_truncate_is_bounded_and_a_prefix(text: str, width: int) -> None:
    out = truncate(text, width)
    full = normalize(text)
    assert len(out) <= width
    if len(full) <= width:
        assert out == full
    else:
        assert out.endswith("…")
        assert full.startswith(out[:-1])


def test_examples() -> None:
    assert inline("a *b* | c") == r"a \*b\* \| c"
    assert inline("# not a heading") == r"\# not a heading"
    assert inline("1. not a list") == r"1\. not a list"
    assert inline("- no\n\nbreak") == r"\- no break"
    assert inline("<script>&amp;") == r"\<script\>\&amp;"
    assert heading("ends with #") == r"ends with \#"
    assert cell(None) == "—"
    assert cell("1.5") == "1.5"  # no block escapes inside a cell
    assert url("https://example.org/a?b=1") == "<https://example.org/a?b=1>"
    assert url("javascript:alert(1)") == "javascript:alert(1)"
    assert url("https://x.org/a b") == "https://x.org/a b"
    assert url(None) == "—"


def test_autolinked_url_renders_as_a_link() -> None:
    tokens = MD.parse(url("https://example.org/path_(1)*x"))
    kinds = [c.type for c in tokens[1].children or []]
    assert kinds == ["link_open", "text", "link_close"]
