"""The tokeniser's character classes give exactly the tokens of ``TOKEN_RE``; the
shortcuts that keep ``numpy.ma`` out of a ``claimtrack extract`` process.

``text.analyse`` finds tokens, line breaks, sentence-end marks and quote marks from one
class per code point (``text._classes``) instead of running regexes over the text; these
tests hold it to the regexes it replaces: every code point, random text, and PolNeAR.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimtrack.extract import tagger
from claimtrack.extract import text as text_mod
from claimtrack.extract.text import TOKEN_RE, analyse

SHARED = Path(__file__).resolve().parents[2] / "shared"
POLNEAR = SHARED / "corpora" / "polnear"

_BREAK_RE = re.compile("[\r\n]")
_END_RE = re.compile("[.?!]")
_QUOTE_RE = re.compile("[" + "".join(sorted(text_mod.QUOTES)) + "]")


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _check(text: str) -> None:
    doc = analyse(text)
    spans = [(m.start(), m.end()) for m in TOKEN_RE.finditer(text)]
    assert doc.words == [text[a:b] for a, b in spans]
    assert doc.starts == [a for a, _ in spans]
    assert doc.ends == [b for _, b in spans]
    assert doc.clean_words == (text_mod._SURROGATE_RE.search(text) is None)
    cls = text_mod._classes(_code_points(text))
    for rx, mark in ((_BREAK_RE, text_mod._BREAK), (_END_RE, text_mod._END)):
        assert np.flatnonzero(cls == mark).tolist() == [m.start() for m in rx.finditer(text)]
    assert np.flatnonzero(cls == text_mod._QUOTE).tolist() == [
        m.start() for m in _QUOTE_RE.finditer(text)
    ]


def test_every_code_point_splits_as_the_regex_splits() -> None:
    # all code points in order (lone surrogates included): a word character classed as
    # another or as white space, or the reverse, moves a token boundary somewhere
    every = "".join(map(chr, range(0x110000)))
    first, last = text_mod._token_bounds(text_mod._classes(_code_points(every)))
    spans = [(m.start(), m.end()) for m in TOKEN_RE.finditer(every)]
    assert list(zip(first.tolist(), last.tolist(), strict=True)) == spans
    # and each code point alone, next to a word character and next to a space
    for c in ("_", "a", "\u00a0", "\u2028", "\x1c", "\u0301", "٣", "ſ", "\ud800", "😀", "“"):
        for text in (c, "a" + c, c + "a", " " + c + " ", c + c + "\n" + c):
            _check(text)


def test_crafted_texts() -> None:
    for text in (
        "",
        " ",
        "\r\n\r\n",
        "a",
        "“It is,” he said. “Not\rso.”\n\nU.S. 3.2 _x_ a_b don’t «non» „ja‟ !?.",
        "café naïve résumé Straße İstanbul ıi ǅ Ⅻ ½ ² ٣ \u0301e e\u0301",
        "tab\tvt\x0bff\x0cfs\x1cgs\x1dus\x1fnel\x85nbsp\u00a0ls\u2028ps\u2029",
        "lone \ud800 surrogate\udfff here",
        "x" * 5000 + " " + "." * 300,
    ):
        _check(text)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("ab Z09_ .?!,;:'\"“”«»„‟\r\n\t-—") + ["\u00a0", "é", "\u0301", "ſ", "😀", "\x0b"]
        ),
        max_size=80,
    )
)
def test_random_text_splits_as_the_regex_splits(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_splits_as_the_regex_splits(text: str) -> None:
    _check(text)


@pytest.mark.skipif(not POLNEAR.is_dir(), reason="needs ../shared")
def test_polnear_texts_split_as_the_regex_splits() -> None:
    paths = sorted(POLNEAR.glob("*/text/*.txt"))
    assert paths
    for path in paths[::3]:
        with open(path, encoding="utf-8", newline="") as handle:
            _check(handle.read())


def test_first_of_each_is_numpys_unique_with_first_indices() -> None:
    rng = np.random.default_rng(3)
    for n in (0, 1, 2, 7, 1000):
        for high in (1, 3, 40, 1 << 40):
            values = rng.integers(0, high, n)
            distinct, first = tagger._first_of_each(values)
            want, want_first = np.unique(values, return_index=True)
            assert distinct.tolist() == want.tolist()
            assert first.tolist() == want_first.tolist()


def test_the_extract_command_does_not_import_numpy_ma(tmp_path: Path) -> None:
    # np.unique's first call imports numpy.ma (~10 ms of every claimtrack extract process)
    article = tmp_path / "a.txt"
    article.write_text("“We will not,” said Mr. Smith. Officials denied it.\n", encoding="utf-8")
    code = (
        "import sys; from claimtrack.cli import main; sys.argv = ['claimtrack', 'extract', "
        f"{str(article)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('numpy.ma' in sys.modules, file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert '"cue": {"text": "said"' in proc.stdout
    assert proc.stderr.strip().splitlines()[-1] == "False"
