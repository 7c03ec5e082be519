"""``claimtrack sources`` / ``source show|merge|split|set`` and the store's SourceFinder."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimtrack.cli import app
from claimtrack.models import Claim, SourceKind, Span, Speaker
from claimtrack.sources import resolve_claims
from claimtrack.store import Case
from claimtrack.store.documents import read_document
from claimtrack.store.ingest import ingest_document
from claimtrack.store.sources import SourceFinder, source_events

DATA = Path(__file__).parent / "data" / "articles"
EXPECTED: dict[str, list[dict]] = json.loads((DATA / "sources.json").read_text(encoding="utf-8"))
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _claims(text: str, rows: list[dict]) -> list[Claim]:
    out = []
    for r in rows:
        end = r["end"]
        m = re.search(r"[.!?]", text[end:])
        stop = end + (m.start() if m else 0)
        stop = stop if stop > end else min(len(text), end + 1)
        out.append(Claim(source=Span.of(text, r["start"], end), content=Span.of(text, end, stop)))
    return out


def ingest(case: Case, name: str) -> str:
    doc = read_document(str(DATA / name))
    resolved = resolve_claims(doc.text, _claims(doc.text, EXPECTED[name]))
    return ingest_document(case, doc, resolved=resolved).status


ARTICLES = [
    "../../../fixtures/002_25a5188a94b2868d.txt",
    "a01_kirby_red_sea.txt",
    "a02_kerry_climate.txt",
    "a03_smith_pentagon.txt",
    "a04_smith_commons.txt",
]


@pytest.fixture(scope="module")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five articles ingested once; every test gets its own copy."""
    folder = tmp_path_factory.mktemp("sources_case")
    db = folder / "case.db"
    with Case.open(str(db)) as case:
        for name in ARTICLES:
            assert ingest(case, name) == "new"
    return folder


@pytest.fixture
def case_db(_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for f in _template.iterdir():
        if f.name.startswith("case.db"):
            shutil.copyfile(f, tmp_path / f.name)
    db = str(tmp_path / "case.db")
    monkeypatch.setenv("CLAIMTRACK_DB", db)
    return db


def sources_rows(*extra: str) -> dict[str, dict]:
    code, out, err = run("sources", "--format", "jsonl", *extra)
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    return {r["name"]: r for r in rows}


def wallace_claims() -> int:
    return sum(1 for n in ARTICLES for r in EXPECTED[n] if r.get("person") == "Ben Wallace")


def test_sources_lists_name_kind_affiliation_and_claims(case_db: str) -> None:
    rows = sources_rows()
    ben = rows["Ben Wallace"]
    assert (ben["kind"], ben["affiliation"], ben["claims"]) == (
        "person",
        "United Kingdom",
        wallace_claims(),
    )
    # reliability and letter are the stored source score's, when scoring has run
    from claimtrack.store.schema import SourceScoreRow

    with Case.open(case_db) as case, case.session() as s:
        score = s.get(SourceScoreRow, ben["id"])
    if score is None:
        assert (ben["reliability"], ben["letter"]) == (None, None)
    else:
        assert (ben["reliability"], ben["letter"]) == (round(score.reliability, 3), score.letter)
    assert rows["John Kirby"]["id"] != rows["John Kerry"]["id"]
    assert rows["United Kingdom"]["kind"] == "government"
    people = sources_rows("--kind", "person")
    assert "United Kingdom" not in people and "Adam Smith" in people
    assert set(sources_rows("--search", "smith")) == {"Adam Smith", "Royston Smith"}


def test_source_show_lists_aliases_and_claims(case_db: str) -> None:
    code, out, err = run("source", "show", "Ben Wallace", "--format", "jsonl")
    assert code == 0, err
    detail = json.loads(out)
    assert detail["name"] == "Ben Wallace"
    aliases = {a["alias"] for a in detail["aliases"]}
    assert {"Ben Wallace", "Mr Wallace", "Wallace"} <= aliases
    assert len(detail["claims"]) == wallace_claims()
    assert {c["source_text"] for c in detail["claims"]} >= {"Mr Wallace", "he", "him"}
    # by alias and by id too
    code, out2, _ = run("source", "show", "Mr Wallace", "--format", "jsonl")
    assert code == 0 and json.loads(out2)["id"] == detail["id"]
    code, out3, _ = run("source", "show", str(detail["id"]), "--format", "table")
    assert code == 0 and f"source {detail['id']}: Ben Wallace" in out3


def test_ambiguous_and_unknown_names(case_db: str) -> None:
    code, _, err = run("source", "show", "Mr Smith")
    assert code == 2
    assert "names several sources" in err
    code, _, err = run("source", "show", "Nobody Atall")
    assert code == 1
    assert "no source named 'Nobody Atall'" in err


def test_set_is_a_review_event_and_survives_reingest(case_db: str) -> None:
    code, out, err = run(
        "source", "set", "Ben Wallace", "--affiliation", "UK", "--prior", "0.7", "--note", "MoD"
    )
    assert code == 0, err
    assert "prior 0.7" in out
    ben = sources_rows()["Ben Wallace"]
    assert ben["affiliation"] == "UK"
    with Case.open(case_db) as case:
        events = source_events(case, ben["id"])
        assert [e["action"] for e in events] == ["set"]
        assert json.loads(events[0]["old"]) == {
            "affiliation_override": None,
            "prior_override": None,
        }
        assert json.loads(events[0]["new"]) == {"affiliation_override": "UK", "prior_override": 0.7}
        # re-ingesting the same article and ingesting another one keeps the decision
        assert ingest(case, ARTICLES[0]) == "unchanged"
        assert ingest(case, "a07_chris_wallace.txt") == "new"
    rows = sources_rows()
    assert rows["Ben Wallace"]["affiliation"] == "UK"
    assert rows["Chris Wallace"]["id"] != rows["Ben Wallace"]["id"]
    code, out, _ = run("source", "show", "Ben Wallace", "--format", "jsonl")
    assert json.loads(out)["prior"] == 0.7


def test_bad_set_values_are_usage_errors(case_db: str) -> None:
    assert run("source", "set", "Ben Wallace", "--kind", "tabloid")[0] == 2
    assert run("source", "set", "Ben Wallace", "--prior", "1.5")[0] == 2
    assert run("source", "set", "Ben Wallace")[0] == 2
    assert run("sources", "--kind", "tabloid")[0] == 2


def test_merge_moves_the_claims_under_one_source_and_survives_reingest(case_db: str) -> None:
    before = sources_rows()
    adam, roy = before["Adam Smith"], before["Royston Smith"]
    code, out, err = run("source", "merge", "Adam Smith", "Royston Smith")
    assert code == 0, err
    assert out.strip() == f"merged source {adam['id']} into source {roy['id']}"
    after = sources_rows()
    assert "Adam Smith" not in after
    assert after["Royston Smith"]["claims"] == adam["claims"] + roy["claims"]
    code, out, _ = run("source", "show", "Royston Smith", "--format", "jsonl")
    assert json.loads(out)["merged"] == [adam["id"]]
    assert run("source", "merge", "Royston Smith", "Royston Smith")[0] == 2
    with Case.open(case_db) as case:
        assert [e["action"] for e in source_events(case, adam["id"])] == ["merge"]
        assert ingest(case, "a03_smith_pentagon.txt") == "unchanged"
    assert "Adam Smith" not in sources_rows()


def test_split_pins_the_alias_and_moves_its_claims(case_db: str) -> None:
    kerry = sources_rows()["John Kerry"]
    code, out, err = run("source", "split", "John Kerry", "--alias", "Mr Kerry")
    assert code == 0, err
    assert re.fullmatch(r"split 'Mr Kerry' into source \d+ \(1 claim\)\n", out)
    rows = sources_rows()
    assert rows["John Kerry"]["claims"] == kerry["claims"] - 1
    assert rows["Mr Kerry"]["claims"] == 1
    code, out, _ = run("source", "show", "Mr Kerry", "--format", "jsonl")
    detail = json.loads(out)
    assert [(a["alias"], a["origin"]) for a in detail["aliases"]] == [("Mr Kerry", "analyst")]
    assert run("source", "split", "John Kerry", "--alias", "John Kerry")[0] == 2
    assert run("source", "split", "John Kerry", "--alias", "Senator Nobody")[0] == 1
    with Case.open(case_db) as case:
        assert [e["action"] for e in source_events(case, kerry["id"])] == ["split"]
        # a later article writing "Mr Kerry" goes to the pinned source
        with case.write() as s:
            finder = SourceFinder(s, 999)
            row = finder.get(
                Speaker(
                    name="John Kerry",
                    kind=SourceKind.PERSON,
                    key="person:john kerry",
                    aliases=("Mr Kerry",),
                )
            )
            assert row.id == detail["id"]


def test_finder_scopes_local_keys_matches_people_and_sets_table_priors(case_db: str) -> None:
    with Case.open(case_db) as case, case.write() as s:
        anon = Speaker(
            name="senior U.S. official",
            kind=SourceKind.ANONYMOUS,
            key="anonymous:senior us official",
        )
        a = SourceFinder(s, 101).get(anon)
        b = SourceFinder(s, 102).get(anon)
        assert a.id != b.id
        assert a.key == "anonymous:senior us official@101"
        first = SourceFinder(s, 103).get(
            Speaker(
                name="Mohamed Abdel-Salam", kind=SourceKind.PERSON, key="person:mohamed abdel-salam"
            )
        )
        again = SourceFinder(s, 104).get(
            Speaker(
                name="Mohammed Abdel-Salam",
                kind=SourceKind.PERSON,
                key="person:mohammed abdel-salam",
            )
        )
        assert again.id == first.id
        kirby = SourceFinder(s, 105).get(
            Speaker(name="John Kirby", kind=SourceKind.PERSON, key="person:john kirby")
        )
        kerry = SourceFinder(s, 105).get(
            Speaker(name="John Kerry", kind=SourceKind.PERSON, key="person:john kerry")
        )
        assert kirby.id != kerry.id
        ft = SourceFinder(s, 106).get(
            Speaker(name="Financial Times", kind=SourceKind.MEDIA, key="media:financial times")
        )
        assert ft.prior == 0.8
        assert ft.prior_reason is not None and "MBFC" in ft.prior_reason
        # a row the ingest created without a prior gets the table's on the next sighting
        wsj = SourceFinder(s, 107).get(
            Speaker(
                name="The Wall Street Journal",
                kind=SourceKind.MEDIA,
                key="media:the wall street journal",
            )
        )
        assert wsj.prior == 0.8
        assert wsj.prior_override is None
