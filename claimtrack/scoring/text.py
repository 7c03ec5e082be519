"""Small text helpers of the scoring model: cue strength, actors, "declined to comment"."""

from __future__ import annotations

import re
from collections.abc import Iterable

from claimtrack.scoring.config import ScoringConfig

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_DECLINED = re.compile(
    r"\b(?:declin|refus)\w*\s+(?:to\s+)?(?:comment|respond)"
    r"|\bno\s+comment\b"
    r"|\b(?:would|could|did)\s+not\s+(?:immediately\s+)?(?:comment|respond)"
    r"|\bnot\s+(?:immediately\s+)?available\s+(?:for|to)\s+comment",
)

# Words naming a role rather than who is speaking: never an actor token.
_GENERIC = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "and",
        "or",
        "for",
        "in",
        "on",
        "at",
        "to",
        "by",
        "with",
        "from",
        "as",
        "its",
        "his",
        "her",
        "their",
        "our",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "official",
        "officials",
        "minister",
        "ministry",
        "government",
        "president",
        "prime",
        "secretary",
        "office",
        "press",
        "agency",
        "source",
        "sources",
        "department",
        "state",
        "said",
        "says",
        "group",
        "leader",
        "leaders",
        "member",
        "members",
        "senior",
        "spokespeople",
        "representative",
        "representatives",
        "army",
        "military",
        "forces",
        "force",
        "national",
        "foreign",
        "defence",
        "defense",
        "news",
        "report",
        "reports",
        "people",
        "party",
    ]
)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _stem(word: str) -> str:
    w = word.removesuffix("'s")
    if len(w) > 4 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return w


def content_tokens(text: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in words(text) if len(w) > 2)


def actor_tokens(*names: str | None) -> frozenset[str]:
    """Distinctive tokens of a speaker's name and affiliation ("houthi", "kremlin")."""
    out: set[str] = set()
    for name in names:
        if not name:
            continue
        for w in words(name):
            s = _stem(w)
            if len(s) > 2 and s not in _GENERIC:
                out.add(s)
    return frozenset(out)


def mentions(actor: frozenset[str], tokens: frozenset[str]) -> bool:
    """True when an actor token occurs in ``tokens`` (also as "russia" ~ "russian")."""
    if not actor or not tokens:
        return False
    if not actor.isdisjoint(tokens):
        return True
    long_actor = [a for a in actor if len(a) >= 5]
    if not long_actor:
        return False
    heads = {t[:5] for t in tokens if len(t) >= 5}
    for a in long_actor:
        if a[:5] not in heads:
            continue
        for t in tokens:
            if len(t) >= 5 and (t.startswith(a) or a.startswith(t)) and abs(len(t) - len(a)) <= 2:
                return True
    return False


def declined_to_comment(*texts: str | None) -> bool:
    for t in texts:
        if (
            t
            and ("omment" in t or "espond" in t or "OMMENT" in t or "ESPOND" in t)
            and _DECLINED.search(t.lower())
        ):
            return True
    return False


def hedge_factor(
    cue: str | None, hedged: bool, hedges: Iterable[str], config: ScoringConfig
) -> tuple[float, str | None]:
    """The factor on (r - 1/2) from the cue and hedge words, and the word that set it.

    The weakest word wins. A hedged claim keeps at most ``hedge_max`` (and
    ``hedge_default`` when none of its hedge words is known), so a hedge always
    lowers the weight when ``hedge_max < 1``.
    """
    table = config.cue_strength
    best = 1.0
    word: str | None = None
    for w in words(cue or ""):
        s = table.get(w)
        if s is not None and s < best:
            best, word = s, w
    if hedged:
        h, hword = config.hedge_default, "hedged"
        known = sorted((table[w], w) for x in hedges for w in words(x) if w in table)
        if known:
            h, hword = known[0]
        if h > config.hedge_max:
            h = config.hedge_max
        if h < best:
            best, word = h, hword
    return best, word


def admission_kind(cue: str | None, config: ScoringConfig) -> int:
    """2 when the cue makes an admission only if the speaker is the actor
    ("acknowledged", "confirmed"), 1 when it always does ("admitted"), else 0."""
    kind = 0
    for w in words(cue or ""):
        if any(w.startswith(stem) for stem in config.admission_cues):
            return 1
        if any(w.startswith(stem) for stem in config.admission_cues_if_actor):
            kind = 2
    return kind
