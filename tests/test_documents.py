"""Reading input files: formats, encodings, metadata, and every kind of bad input."""

from __future__ import annotations

import codecs
import hashlib
import os
import random
from datetime import date
from pathlib import Path

import pytest

from claimtrack.errors import InputError, UsageError
from claimtrack.models import ArticleMeta
from claimtrack.store.documents import (
    MAX_BYTES,
    check_url_option,
    expand_inputs,
    parse_date_option,
    read_document,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

ARTICLE = (
    "Russia to arm Iran, London says\n"
    "\n"
    "Britain warned on Tuesday that Russia will supply Iran, Ben Wallace said.\n"
)

HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>Russia to arm Iran | Example News</title>
<meta property="og:title" content="Russia to arm Iran">
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2022-11-22T10:00:00Z">
<link rel="canonical" href="https://example.com/world/russia-iran">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | Subscribe now</nav>
<article><h1>Russia to arm Iran</h1>
<p>Britain warned on Tuesday that Russia is preparing to supply Iran with advanced
military technology, Defence Secretary Ben Wallace told the House of Commons.</p>
<p>"We need to hold those who support them accountable," he said.</p>
</article>
<footer>Copyright Example News. Cookie settings.</footer>
</body></html>
"""


def write(path: Path, data: bytes | str) -> str:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return str(path)


# --------------------------------------------------------------------------
# plain text
# --------------------------------------------------------------------------


def test_text_is_stored_exactly_and_hashed(tmp_path: Path) -> None:
    text = "Title line\r\nBody, he said.\r\n\r\nMore.\n"
    doc = read_document(write(tmp_path / "a.txt", text))
    assert doc.text == text  # no newline translation
    assert doc.format == "text"
    assert doc.encoding == "utf-8"
    assert doc.content_hash == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert doc.meta.title == "Title line"
    assert doc.path == str(tmp_path / "a.txt")


def test_utf8_bom_is_stripped_and_offsets_are_into_the_stored_text(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path / "a.txt", codecs.BOM_UTF8 + ARTICLE.encode()))
    assert doc.text == ARTICLE
    assert doc.encoding == "utf-8-sig"
    assert doc.content_hash == read_document(write(tmp_path / "b.txt", ARTICLE)).content_hash


def test_utf16_with_bom(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path / "a.txt", ARTICLE.encode("utf-16")))
    assert doc.text == ARTICLE
    assert doc.encoding == "utf-16"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (
            "Le ministre a déclaré que la situation était très grave. "
            "Selon lui, « il faut agir » dès maintenant, a-t-il ajouté.\n" * 4,
            "cp1252",
        ),
        (
            "Министр обороны заявил, что ситуация очень серьезная. "
            "По его словам, нужно действовать немедленно.\n" * 4,
            "koi8-r",
        ),
    ],
    ids=["cp1252-french", "koi8r-russian"],
)
def test_legacy_encoding_is_detected(tmp_path: Path, text: str, encoding: str) -> None:
    doc = read_document(write(tmp_path / "a.txt", text.encode(encoding)))
    assert doc.text == text
    assert doc.encoding != "utf-8"


def test_html_declared_legacy_charset_is_used(tmp_path: Path) -> None:
    html = HTML.replace('charset="utf-8"', 'charset="iso-8859-1"').replace(
        "Britain warned", "Britain warned (déclaré)"
    )
    doc = read_document(write(tmp_path / "a.html", html.encode("cp1252")))
    assert doc.encoding == "cp1252"
    assert "Britain warned (déclaré) on Tuesday" in doc.text.replace("\n", " ")


# --------------------------------------------------------------------------
# HTML and Markdown
# --------------------------------------------------------------------------


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path / "page.htm", HTML))
    assert doc.format == "html"
    assert "Britain warned on Tuesday" in doc.text
    assert '"We need to hold those who support them accountable," he said.' in doc.text
    for boilerplate in ("Subscribe now", "Cookie settings", "Home"):
        assert boilerplate not in doc.text
    assert doc.meta == ArticleMeta(
        title="Russia to arm Iran",
        outlet="Example News",
        url="https://example.com/world/russia-iran",
        published=date(2022, 11, 22),
    )


def test_html_without_meta_falls_back_to_title_tag(tmp_path: Path) -> None:
    html = (
        "<html><head><title>Plain page</title></head><body><p>"
        + "Officials said the talks would continue next week in Geneva. " * 5
        + "</p></body></html>"
    )
    doc = read_document(write(tmp_path / "p.html", html))
    assert doc.meta.title == "Plain page"
    assert doc.meta.outlet is None
    assert "Officials said the talks would continue" in doc.text


def test_markdown_is_rendered_to_plain_text(tmp_path: Path) -> None:
    md = (
        "---\n"
        "title: Talks in Geneva\n"
        "outlet: Example Wire\n"
        "url: https://wire.example.org/geneva\n"
        "date: 2023-05-04\n"
        "---\n"
        "# Heading that is not the title\n"
        "\n"
        "Officials **said** the talks [would continue](http://x.example) next week.\n"
        "\n"
        "- one point\n"
    )
    doc = read_document(write(tmp_path / "a.md", md))
    assert doc.format == "markdown"
    assert doc.text == (
        "Heading that is not the title\n\n"
        "Officials said the talks would continue next week.\n\n"
        "one point\n"
    )
    assert doc.meta == ArticleMeta(
        title="Talks in Geneva",
        outlet="Example Wire",
        url="https://wire.example.org/geneva",
        published=date(2023, 5, 4),
    )


def test_markdown_title_is_first_heading(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path / "a.markdown", "Intro line\n\n## The Heading\n\nBody.\n"))
    assert doc.meta.title == "The Heading"


# --------------------------------------------------------------------------
# metadata from text, and overrides
# --------------------------------------------------------------------------


def test_seed_metadata() -> None:
    a = read_document(str(FIXTURES / "000_24a370afdc010782.txt"))
    assert a.meta.title == "Moscow Engages in Secret Arms Talks with Iran-Backed Houthis in Yemen"
    assert a.meta.outlet is None
    b = read_document(str(FIXTURES / "001_131200fdd3cc008a.txt"))
    assert b.meta.outlet == "defensenews.com"  # "Original Source: www.defensenews.com..."
    assert b.meta.title == (
        "Italy’s Defense Minister warns of rising security threats as Russia "
        "reportedly relocates military assets from Syria to Libya."
    )


def test_metadata_lines_in_text(tmp_path: Path) -> None:
    text = (
        "Headline of the piece\n"
        "22 November 2022\n"
        "URL: https://www.news.example.com/a/1\n"
        "\n"
        "Body text, officials said.\n"
        "Source: Reuters\n"
    )
    doc = read_document(write(tmp_path / "a.txt", text))
    assert doc.meta == ArticleMeta(
        title="Headline of the piece",
        outlet="Reuters",
        url="https://www.news.example.com/a/1",
        published=date(2022, 11, 22),
    )


def test_a_date_inside_a_title_is_not_a_publication_date(tmp_path: Path) -> None:
    doc = read_document(
        write(tmp_path / "a.txt", "Russia warns of 2022 escalation in May\n\nBody.\n")
    )
    assert doc.meta.published is None


def test_overrides_win_over_document_metadata(tmp_path: Path) -> None:
    path = str(FIXTURES / "001_131200fdd3cc008a.txt")
    doc = read_document(
        path, overrides=ArticleMeta(outlet="Defense News", published=date(2024, 12, 16))
    )
    assert doc.meta.outlet == "Defense News"
    assert doc.meta.published == date(2024, 12, 16)
    assert doc.meta.title is not None and doc.meta.title.startswith("Italy’s Defense Minister")
    html = read_document(write(tmp_path / "a.html", HTML), overrides=ArticleMeta(title="Mine"))
    assert html.meta.title == "Mine"
    assert html.meta.outlet == "Example News"


def test_option_parsers() -> None:
    assert parse_date_option("2022-11-22") == date(2022, 11, 22)
    assert parse_date_option("22 November 2022") == date(2022, 11, 22)
    with pytest.raises(UsageError):
        parse_date_option("last tuesday")
    assert check_url_option("https://example.com/a") == "https://example.com/a"
    for bad in ("example.com/a", "ftp://example.com/a", "http://", "not a url"):
        with pytest.raises(UsageError):
            check_url_option(bad)


# --------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------


def _random_bytes(n: int) -> bytes:
    rng = random.Random(1)
    return bytes(rng.randrange(1, 256) for _ in range(n))


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b" \n\t\n", "empty article: only whitespace"),
        ("nul.txt", b"some text\x00\x01\x02 more", "binary file: binary data (contains NUL bytes)"),
        ("doc.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "binary file: a PDF document"),
        ("noise.txt", _random_bytes(4000), "undecodable bytes"),
        (
            "ctrl.txt",
            b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 10,
            "binary file: too many control",
        ),
        ("bad-bom.txt", codecs.BOM_UTF8 + b"ok \xff\xfe bad", "undecodable bytes after a UTF-8"),
    ],
    ids=["empty", "blank", "nul", "pdf", "noise", "control", "bad-bom"],
)
def test_bad_input_names_the_file_and_the_reason(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    path = write(tmp_path / name, data)
    with pytest.raises(InputError) as info:
        read_document(path)
    assert info.value.path == path
    assert str(info.value).startswith(f"{path}: {reason}")
    assert "\n" not in str(info.value)


def test_too_large(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:  # sparse: no 50 MB written to disk
        fh.truncate(MAX_BYTES + 1)
    with pytest.raises(InputError, match=r"huge.txt: too large \(50.0 MB; the limit is 50 MB\)"):
        read_document(str(path))


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope.txt: no such file or folder"):
        read_document(str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match="is a folder"):
        read_document(str(tmp_path))


# --------------------------------------------------------------------------
# expanding inputs
# --------------------------------------------------------------------------


def test_expand_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "case" / "sub").mkdir(parents=True)
    (tmp_path / "case" / ".hidden").mkdir()
    for rel in ("case/b.txt", "case/a.html", "case/sub/c.md", "case/.hidden/d.txt", "case/e.pdf"):
        write(tmp_path / rel, "x")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.pdf").write_bytes(b"%PDF")
    monkeypatch.chdir(tmp_path)
    items = expand_inputs(["case", "case/b.txt", "empty", "missing.txt", "case/*.nothing", "-"])
    got = [(i.path, str(i.error) if i.error else None) for i in items]
    assert got == [
        (os.path.join("case", "a.html"), None),
        (os.path.join("case", "b.txt"), None),
        (os.path.join("case", "sub", "c.md"), None),
        ("empty", "empty: folder contains no articles (.txt, .md, .html, .htm)"),
        ("missing.txt", "missing.txt: no such file or folder"),
        ("case/*.nothing", "case/*.nothing: no files match this pattern"),
        ("-", None),
    ]
    assert [i.path for i in expand_inputs(["case/**/*.md"])] == ["case/sub/c.md"]
    with pytest.raises(UsageError):
        expand_inputs(["-", "-"])
