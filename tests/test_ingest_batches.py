"""Workers extract a batch of inputs in one ``extract_many`` call
(``store.parallel._prepare_many``): each input's result is what preparing it alone
gives, failures stay with their own input, and the batch's time is shared out."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimtrack.store import Case, parallel
from claimtrack.store.documents import InputItem
from claimtrack.store.ingest import ingest_document
from claimtrack.store.parallel import Prepared, _prepare, _prepare_many

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ARTICLES = Path(__file__).resolve().parent / "data" / "articles"


def _items(tmp_path: Path) -> list[InputItem]:
    paths = sorted(str(p) for p in [*FIXTURES.glob("*.txt"), *ARTICLES.glob("*.txt")])
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00 not utf-8 \xc3")
    items = [InputItem(p) for p in paths]
    # a missing file, an undecodable one and one with no text, among the articles
    items.insert(1, InputItem(str(tmp_path / "missing.txt")))
    items.insert(3, InputItem(str(bad)))
    items.append(InputItem(str(empty)))
    return items


def _same(a: Prepared, b: Prepared) -> bool:
    return (a.item, a.doc, a.resolved, a.features, repr(a.error)) == (
        b.item,
        b.doc,
        b.resolved,
        b.features,
        repr(b.error),
    )


def test_a_batch_gives_each_input_what_it_gets_alone(tmp_path: Path) -> None:
    items = _items(tmp_path)
    alone = [_prepare(item, None, None) for item in items]
    together = _prepare_many(tuple(items), None, None)
    assert len(together) == len(items)
    assert all(_same(a, b) for a, b in zip(alone, together, strict=True))
    assert sum(1 for r in together if r.resolved) >= 3  # real claims were compared
    failed = [r.item.path for r in together if r.error is not None]
    assert failed == [items[1].path, items[3].path, items[-1].path]  # missing, bad, empty
    # each input's own share of the batch's time, in order, one after the other
    assert all(r.cpu >= 0 and r.ended >= r.started for r in together)
    assert all(r.cpu > 0 for r in together if r.resolved)
    ends = [r.ended for r in together[:-1]]
    assert ends == pytest.approx([r.started for r in together[1:]])


def test_a_batch_skips_what_the_case_holds(tmp_path: Path) -> None:
    items = _items(tmp_path)
    with Case.open(str(tmp_path / "case.db")) as case:
        first = _prepare(items[0], None, None)
        assert first.doc is not None
        ingest_document(case, first.doc)
        together = _prepare_many(tuple(items), None, case)
    assert together[0].doc == first.doc and together[0].resolved is None  # not extracted
    assert together[2].resolved is not None


def test_a_batch_that_breaks_is_prepared_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = _items(tmp_path)
    alone = [_prepare(item, None, None) for item in items]

    def broken(texts: list[str]) -> list[list[object]]:
        raise RuntimeError("a bug in one text")

    monkeypatch.setattr(parallel, "extract_many", broken)
    together = _prepare_many(tuple(items), None, None)
    assert all(_same(a, b) for a, b in zip(alone, together, strict=True))
