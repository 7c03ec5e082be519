"""Word lists shipped as data files in claimtrack/extract/data (read once, cached)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from claimtrack.extract.features import cue_probabilities

_DATA = "data"


def data_bytes(name: str) -> bytes:
    return resources.files("claimtrack.extract").joinpath(_DATA, name).read_bytes()


def _lines(name: str) -> list[str]:
    try:
        raw = data_bytes(name).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")]


class WordList:
    """Exact words, ``prefix*`` entries and multi-word phrases."""

    def __init__(self, entries: list[str]) -> None:
        self.words: frozenset[str] = frozenset(
            e for e in entries if " " not in e and not e.endswith("*")
        )
        self.prefixes: tuple[str, ...] = tuple(e[:-1] for e in entries if e.endswith("*"))
        self.phrases: tuple[tuple[str, ...], ...] = tuple(
            tuple(e.split()) for e in entries if " " in e
        )
        self._seen: dict[str, bool] = {}  # word() per word form asked (bounded)

    def regex(self) -> re.Pattern[str]:
        """Finds the entries in raw text (case-insensitive; phrases first, white space free)."""
        alts = [r"\s+".join(re.escape(w) for w in p) + r"\b" for p in self.phrases]
        alts += [re.escape(w) + r"\b" for w in sorted(self.words)]
        alts += [re.escape(p) + r"\w*" for p in self.prefixes]
        if alts and all(a[0].isascii() and a[0].isalpha() for a in alts):
            # the same alternatives grouped by their first letter, in their order within a
            # group: at one position at most one group can match (no character matches two
            # ASCII letters case-insensitively), and the first matching alternative of that
            # group is the first of the flat list; re then tries ~20 groups, not every entry
            groups: dict[str, list[str]] = {}
            for a in alts:
                groups.setdefault(a[0].lower(), []).append(a[1:])
            alts = [c + "(?:" + "|".join(rest) + ")" for c, rest in groups.items()]
        return re.compile(r"\b(?:" + "|".join(alts or ["(?!)"]) + ")", re.IGNORECASE)

    def word(self, w: str) -> bool:
        known = self._seen.get(w)
        if known is None:
            known = w in self.words or (bool(self.prefixes) and w.startswith(self.prefixes))
            if len(self._seen) >= 200_000:
                self._seen.clear()
            self._seen[w] = known
        return known

    def found(self, words: list[str]) -> list[str]:
        """The entries matched in ``words`` (lower-cased tokens), in order of appearance."""
        out: list[str] = []
        for i, w in enumerate(words):
            if self.word(w):
                out.append(w)
            for phrase in self.phrases:
                if w == phrase[0] and tuple(words[i : i + len(phrase)]) == phrase:
                    out.append(" ".join(phrase))
        return out


@cache
def cue_prob() -> dict[str, float]:
    try:
        raw = data_bytes("cues.tsv").decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    return cue_probabilities(raw.splitlines())


@cache
def denials() -> WordList:
    return WordList(_lines("denials.txt"))


@cache
def negations() -> WordList:
    return WordList(_lines("negations.txt"))


@cache
def negatable() -> WordList:
    return WordList(_lines("negatable.txt"))


@cache
def hedges() -> WordList:
    return WordList(_lines("hedges.txt"))


@cache
def hedges_regex() -> re.Pattern[str]:
    return hedges().regex()


@cache
def impersonal() -> WordList:
    return WordList(_lines("impersonal.txt"))


@cache
def impersonal_regex() -> re.Pattern[str]:
    return impersonal().regex()
