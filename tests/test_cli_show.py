"""``claimtrack show CLAIM``: one claim in full (text and JSONL), from the store's claim detail."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from rich.style import Style
from typer.testing import CliRunner

import claimtrack.extract as extract_pkg
from claimtrack.cli import app
from claimtrack.cli.cmd_show import (
    PLAIN_MARKS,
    SPAN_STYLES,
    plain_paragraph,
    styled_paragraph,
    use_styles,
)
from claimtrack.models import Claim, ResolvedClaim, SourceKind, Span, Speaker
from claimtrack.store import Case
from claimtrack.store import ingest as ingest_mod
from claimtrack.store.queries import SpanMark
from claimtrack.store.scores import claim_score

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CLAIMTRACK_DB", str(tmp_path / "default.db"))


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def jsonl(db: str, *args: str) -> list[dict[str, Any]]:
    code, out, err = run("--db", db, *args, "--format", "jsonl")
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def show(db: str, claim: int) -> dict[str, Any]:
    (row,) = jsonl(db, "show", str(claim))
    return row


# --------------------------------------------------------------------------
# a small case with a known extraction (the extractor and resolver replaced)
# --------------------------------------------------------------------------

_SAID = re.compile(r"(?P<content>[A-Z][^.\n]*?), (?P<source>[A-Z][a-z]+(?: [A-Z][a-z]+)*) said")

STORY = (
    "Talks in Rome\n"
    "\n"
    "The talks failed, Ben Wallace said. Nobody else spoke.\n"
    "\n"
    "The talks failed in Rome, Grant Shapps said.\n"
)


def fake_extract(text: str) -> list[Claim]:
    return [
        Claim(
            source=Span.of(text, *m.span("source")),
            cue=Span.of(text, m.start("source") + len(m.group("source")) + 1, m.end()),
            content=Span.of(text, *m.span("content")),
        )
        for m in _SAID.finditer(text)
    ]


def fake_resolve(text: str, claims: list[Claim]) -> list[ResolvedClaim]:
    out = []
    for c in claims:
        name = c.source.text if c.source else "?"
        speaker = Speaker(name=name, kind=SourceKind.PERSON, key=f"person:{name.lower()}")
        out.append(ResolvedClaim(claim=c, speaker=speaker))
    return out


@pytest.fixture
def small(_isolated: None, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """STORY ingested (claims 1 and 2), claim 2 an analyst's repeat of claim 1, scored."""
    import claimtrack.sources as sources_pkg

    monkeypatch.setattr(ingest_mod, "extract_claims", fake_extract)
    monkeypatch.setattr(ingest_mod, "resolve_claims", fake_resolve)
    monkeypatch.setattr(extract_pkg, "extract_claims", fake_extract)
    monkeypatch.setattr(sources_pkg, "resolve_claims", fake_resolve)
    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    code, _, err = run("--db", db_url, "ingest", "story.txt", "--format", "jsonl")
    assert code == 0, err
    code, _, err = run(
        "--db", db_url, "link", "1", "2", "--as", "repeats", "--origin", "1", "--note", "same"
    )
    assert code == 0, err
    assert run("--db", db_url, "score")[0] == 0
    return db_url


def test_show_text_of_a_claim(small: str) -> None:
    code, out, err = run("--db", small, "show", "1", "--format", "table")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:6] == [
        "claim 1",
        "  article 1 “Talks in Rome”",
        "  story.txt",
        "",
        "«The talks failed», [source: Ben Wallace] {cue: said}. Nobody else spoke.",
        "",
    ]
    assert lines[6:11] == [
        "  asserts · not hedged · indirect quote",
        f"  extractor {extract_pkg.EXTRACTOR_NAME} {extract_pkg.EXTRACTOR_VERSION}"
        " · confidence 1.00",
        "speaker: Ben Wallace · source 1 · person",
        lines[9],  # reliability: checked against the JSON below
        "review: unreviewed · no verdict",
    ]
    card = show(small, 1)["speaker"]
    assert lines[9] == (
        f"  reliability {card['letter']} {card['reliability']:.2f} · track record "
        "0 confirmed, 0 refuted · 1 claim(s)"
    )
    assert lines[11:15] == [
        "links: 1",
        "  repeats claim 2 (analyst, was corroborates, confidence 1.00): "
        "Grant Shapps: The talks failed in Rome",
        "    origin: claim 1 is the original report",
        "    reason: analyst decision",
    ]
    score = lines[15:]
    assert score[0].startswith("score: credibility ")
    assert score[-1].endswith("= log-odds (stored " + score[-1].split("(stored ")[1])
    weights = [float(line.split()[0]) for line in score[1:-1]]
    with Case.open(small) as case:
        stored = claim_score(case, 1)
    assert stored is not None
    assert len(weights) == len(stored["explanation"])
    assert score[-1] == f"  {sum(w['weight'] for w in stored['explanation']):+.4f}  = log-odds " + (
        f"(stored {stored['logodds']:+.4f})"
    )


def test_show_jsonl_of_a_claim(small: str) -> None:
    text = STORY
    row = show(small, 2)
    start = text.index("The talks failed in Rome")
    para = text.index("The talks failed in Rome")
    assert {k: row[k] for k in ("id", "source", "cue", "content", "content_spans")} == {
        "id": 2,
        "source": {"text": "Grant Shapps", "start": start + 26, "end": start + 38},
        "cue": {"text": "said", "start": start + 39, "end": start + 43},
        "content": {"text": "The talks failed in Rome", "start": start, "end": start + 24},
        "content_spans": [],
    }
    assert row["paragraph"] == {
        "text": "The talks failed in Rome, Grant Shapps said.",
        "start": para,
        "end": para + 44,
    }
    assert row["article"] == {
        "id": 1,
        "title": "Talks in Rome",
        "outlet": None,
        "published": None,
        "url": None,
        "path": "story.txt",
    }
    assert (row["stance"], row["hedged"], row["hedges"], row["quote"]) == (
        "asserts",
        False,
        [],
        "indirect",
    )
    assert (row["extractor"], row["extractor_version"]) == (
        extract_pkg.EXTRACTOR_NAME,
        extract_pkg.EXTRACTOR_VERSION,
    )
    assert row["speaker"]["name"] == "Grant Shapps"
    assert row["speaker"]["kind"] == "person"
    assert row["review"] == {"status": "unreviewed", "verdict": None, "note": None}
    (link,) = row["links"]
    assert {k: link[k] for k in ("a", "b", "other", "relation", "origin", "origin_claim")} == {
        "a": 1,
        "b": 2,
        "other": 1,
        "relation": "repeats",
        "origin": "analyst",
        "origin_claim": 1,
    }
    assert (link["other_source"], link["other_text"]) == ("Ben Wallace", "The talks failed")
    # the links as `claimtrack links` lists them
    listed = jsonl(small, "links", "--claim", "2")
    keys = ("a", "b", "relation", "confidence", "reason", "origin", "origin_claim")
    assert [{k: li[k] for k in keys} for li in row["links"]] == [
        {k: li[k] for k in keys} for li in listed
    ]


def test_show_review_verdict_and_note(small: str) -> None:
    code, _, err = run("--db", small, "verdict", "1", "true", "--note", "seen the minutes")
    assert code == 0, err
    row = show(small, 1)
    assert row["review"] == {"status": "unreviewed", "verdict": "true", "note": "seen the minutes"}
    assert row["speaker"]["confirmed"] == 1
    code, out, _ = run("--db", small, "show", "1", "--format", "table")
    assert "review: unreviewed · verdict true\n  note: seen the minutes\n" in out
    assert "track record 1 confirmed, 0 refuted" in out


def test_show_unscored_claim(small: str) -> None:
    from claimtrack.store.review import reject_claim

    with Case.open(small) as case:
        reject_claim(case, 2)
    assert run("--db", small, "score")[0] == 0
    row = show(small, 2)
    assert row["score"] is None
    assert row["review"]["status"] == "rejected"
    code, out, _ = run("--db", small, "show", "2", "--format", "table")
    assert out.endswith("score: not scored yet (claimtrack score)\n")


def test_show_unknown_and_bad_ids(small: str) -> None:
    assert run("--db", small, "show", "999") == (1, "", "error: no claim 999 in this case\n")
    code, out, err = run("--db", small, "show", "abc")
    assert (code, out) == (2, "")
    assert "Input should be a valid integer" in " ".join(err.replace("│", " ").split())
    code, out, err = run("--db", small, "show", "1", "--format", "csv")
    assert (code, out, err) == (2, "", "error: show prints a table or jsonl, not csv\n")


def test_show_needs_an_existing_case(tmp_path: Path) -> None:
    code, out, err = run("--db", str(tmp_path / "none.db"), "show", "1")
    assert (code, out) == (1, "")
    assert err.startswith("error: ") and err.count("\n") == 1
    assert not (tmp_path / "none.db").exists()


# --------------------------------------------------------------------------
# rendering helpers
# --------------------------------------------------------------------------


def test_plain_marks_adjacent_and_nested() -> None:
    text = "Ben said the talks failed"
    marks = [SpanMark("source", 0, 3), SpanMark("cue", 4, 8), SpanMark("content", 9, 25)]
    assert plain_paragraph(text, marks) == "[source: Ben] {cue: said} «the talks failed»"
    touching = [SpanMark("content", 0, 3), SpanMark("cue", 3, 8)]
    assert plain_paragraph("abcdefgh", touching) == "«abc»{cue: defgh}"
    nested = [SpanMark("source", 2, 4), SpanMark("content", 0, 6)]
    assert plain_paragraph("abcdef", nested) == "«ab[source: cd]ef»"
    same = [SpanMark("cue", 0, 6), SpanMark("content", 0, 2)]
    assert plain_paragraph("abcdef", same) == "{cue: «ab»cdef}"
    assert set(PLAIN_MARKS) == {"source", "cue", "content"}


def test_styled_paragraph_styles_each_span() -> None:
    text = "Ben said the talks failed"
    marks = [SpanMark("source", 0, 3), SpanMark("cue", 4, 8), SpanMark("content", 9, 25)]
    styled = styled_paragraph(text, marks)
    assert styled.plain == text
    got = sorted((s.start, s.end, str(s.style)) for s in styled.spans)
    assert got == [
        (0, 3, str(Style.parse(SPAN_STYLES["source"]))),
        (4, 8, str(Style.parse(SPAN_STYLES["cue"]))),
        (9, 25, str(Style.parse(SPAN_STYLES["content"]))),
    ]


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_styles_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_styles(_Tty()) is True
    assert use_styles(io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_styles(_Tty()) is False
    monkeypatch.setenv("NO_COLOR", "")  # an empty NO_COLOR does not count (no-color.org)
    assert use_styles(_Tty()) is True


# --------------------------------------------------------------------------
# the analysed fixtures
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("show") / "case.db")
    r = CliRunner().invoke(app, ["--db", path, "analyze", str(FIXTURES)])
    assert r.exit_code == 0, r.output
    return path


def test_every_fixture_claim_shows_its_spans_links_and_score(analysed: str) -> None:
    claims = jsonl(analysed, "claims")
    links = jsonl(analysed, "links")
    texts: dict[int, str] = {}
    assert claims
    with Case.open(analysed) as case:
        for claim in claims:
            check_claim(analysed, case, claim, links, texts)
    assert links  # the fixtures do link


def check_claim(
    analysed: str,
    case: Case,
    claim: dict[str, Any],
    links: list[dict[str, Any]],
    texts: dict[int, str],
) -> None:
    """`show` of one fixture claim agrees with `claims`, `links`, the article and the score."""
    row = show(analysed, claim["id"])
    art = row["article"]["id"]
    if art not in texts:
        code, out, _ = run("--db", analysed, "articles", "--id", str(art), "--text")
        assert code == 0
        texts[art] = out
    text = texts[art]
    # the same spans as `claims`, and each is the article's text at its offsets
    for key in ("source", "cue", "content"):
        assert row[key] == claim[key], (claim["id"], key)
        if row[key] is not None:
            span = row[key]
            assert text[span["start"] : span["end"]] == span["text"]
    assert row["content_spans"] == claim.get("content_spans", [])
    p = row["paragraph"]
    assert text[p["start"] : p["end"]] == p["text"]
    assert p["start"] <= row["content"]["start"] < row["content"]["end"] <= p["end"]
    assert row["article"]["path"] == claim["document"]
    # the links of this claim as `claimtrack links` lists them (same pairs and values)
    keys = ("a", "b", "relation", "confidence", "reason", "origin", "origin_claim")
    mine = sorted(tuple(li[k] for k in keys) for li in row["links"])
    listed = sorted(tuple(li[k] for k in keys) for li in links if claim["id"] in (li["a"], li["b"]))
    assert mine == listed, claim["id"]
    for li in row["links"]:
        assert li["other"] == (li["b"] if li["a"] == claim["id"] else li["a"])
    # the explanation rows sum to the stored log-odds
    stored = claim_score(case, claim["id"])
    assert stored is not None
    score = row["score"]
    assert score["logodds"] == stored["logodds"]
    assert abs(sum(e["weight"] for e in score["explanation"]) - stored["logodds"]) < 1e-9
    assert abs(score["explanation_sum"] - stored["logodds"]) < 1e-9
    assert score["low"] <= score["probability"] <= score["high"]
    assert 1 <= score["credibility"] <= 6
    assert (score["probability"], score["credibility"]) == (
        stored["probability"],
        stored["credibility"],
    )


def test_fixture_claim_text_rendering_marks_the_spans(analysed: str) -> None:
    for claim in jsonl(analysed, "claims")[:12]:
        row = show(analysed, claim["id"])
        code, out, _ = run("--db", analysed, "show", str(claim["id"]), "--format", "table")
        assert code == 0
        start = row["paragraph"]["start"]
        spans = [(k, row[k]) for k in ("source", "cue") if row[k] is not None]
        spans += [("content", sp) for sp in row["content_spans"] or [row["content"]]]
        marks = [SpanMark(k, sp["start"] - start, sp["end"] - start) for k, sp in spans]
        assert plain_paragraph(row["paragraph"]["text"], marks) in out.splitlines()
        content = row["content"]
        inside = [
            sp
            for _, sp in spans[:-1]
            if content["start"] < sp["end"] and sp["start"] < content["end"]
        ]
        if not row["content_spans"] and not inside:  # ("Moscow is {cue: reportedly} involved")
            assert f"«{content['text']}»" in out
