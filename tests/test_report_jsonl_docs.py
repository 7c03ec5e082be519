"""docs/jsonl-contracts.md tells the truth: every documented field is in every JSONL row."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimtrack.cli import app

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "jsonl-contracts.md"
FIXTURES = ROOT / "fixtures"


def documented() -> dict[str, set[str]]:
    """{command heading: field names of its table} for every `## `claimtrack ...`` section."""
    out: dict[str, set[str]] = {}
    for section in DOC.read_text(encoding="utf-8").split("\n## ")[1:]:
        heading = section.split("\n", 1)[0]
        m = re.match(r"`claimtrack ([a-z ]+?)(?: [A-Z.]+)* --format jsonl`", heading)
        if not m:
            continue
        fields: set[str] = set()
        for line in section.splitlines():
            if line.startswith("| `"):
                first = line.split(" | ")[0]
                fields.update(re.findall(r"`([a-z_]+)`", first))
        out[m.group(1)] = fields
    return out


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("jsonl") / "case.db")
    r = CliRunner().invoke(app, ["--db", path, "analyze", str(FIXTURES)])
    assert r.exit_code == 0, r.output
    return path


ARGS = {
    "extract": ["extract", *sorted(str(p) for p in FIXTURES.glob("*.txt"))],
    "claims": ["claims"],
    "ingest": ["ingest", str(FIXTURES)],
    "articles": ["articles"],
    "sources": ["sources"],
    "links": ["links"],
    "show": ["show", "5"],
    "config": ["config"],
    "db info": ["db", "info"],
}


def test_every_command_section_is_checked() -> None:
    assert set(documented()) == set(ARGS)


@pytest.mark.parametrize("command", sorted(ARGS))
def test_documented_fields_are_in_every_row(db: str, command: str) -> None:
    fields = documented()[command]
    if command == "claims":  # the extract contract plus id and article_id
        fields |= documented()["extract"] - {"content_spans"}
    r = CliRunner().invoke(app, ["--db", db, *ARGS[command], "--format", "jsonl"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows
    optional = {"content_spans", "error"}  # only on some rows, as documented
    for row in rows:
        missing = (fields - optional) - set(row)
        assert not missing, (command, missing, row)
