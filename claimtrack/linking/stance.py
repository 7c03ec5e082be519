"""Stance of an article towards a claim: agree / disagree / discuss / unrelated.

Built from the link machinery: the claim (e.g. a headline) is compared with each
of the article's claims (its extracted claims, or its sentences) with the same
concepts, entities, numbers and polarity cues that :func:`relate` uses; the
per-sentence similarities, denial / negation / hedge cues near the matching
sentences and the overall concept overlap become a small feature vector, and a
gradient-boosted tree model trained on FNC-1 (``bench/train_fnc1.py``; shipped
as ``data/stance_model.json``) turns it into a stance.

Mapping to links: agree = corroborates, disagree = contradicts, discuss = the
article reports the claim without taking a side, unrelated = no link.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from rapidfuzz import fuzz

from claimtrack.linking.relate import similarity
from claimtrack.linking.text import ClaimFeatures, TextFeatures, analyse, lexicon
from claimtrack.models import SourceKind

STANCES = ("agree", "disagree", "discuss", "unrelated")

_SENT = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])|\n\s*\n|\n(?=[A-Z\"“])")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")

REFUTING = [
    "fake",
    "fraud",
    "hoax",
    "false",
    "deny",
    "denies",
    "denied",
    "denial",
    "not",
    "no",
    "never",
    "nope",
    "doubt",
    "doubts",
    "bogus",
    "debunk",
    "debunked",
    "debunks",
    "pranks",
    "prank",
    "retract",
    "retracted",
    "untrue",
    "unfounded",
    "baseless",
    "myth",
    "rumor",
    "rumour",
    "misleading",
    "satire",
    "satirical",
    "fabricated",
    "dismissed",
    "rejected",
    "contrary",
    "wrong",
    "incorrect",
    "refuted",
    "nonsense",
]
HEDGING = [
    "reportedly",
    "allegedly",
    "alleged",
    "apparently",
    "claims",
    "claimed",
    "claim",
    "according",
    "report",
    "reports",
    "reported",
    "unconfirmed",
    "unverified",
    "rumored",
    "rumoured",
    "purportedly",
    "purported",
    "may",
    "might",
    "could",
    "possibly",
    "perhaps",
    "suggests",
    "appears",
    "seems",
    "believed",
    "sources",
    "speculation",
    "if",
    "whether",
    "supposedly",
]
AGREEING = [
    "confirmed",
    "confirms",
    "confirm",
    "indeed",
    "official",
    "officially",
    "announced",
    "revealed",
    "shows",
    "proved",
    "proof",
    "evidence",
    "verified",
    "true",
    "actually",
]


def split_sentences(text: str) -> list[str]:
    """Sentences of an article body (a plain regex splitter; empty pieces dropped)."""
    out = []
    for piece in _SENT.split(text):
        piece = " ".join(piece.split())
        if len(piece) >= 3:
            out.append(piece)
    return out


def _claim(text: str, tf: TextFeatures | None = None, idx: int = 0) -> ClaimFeatures:
    tf = tf or analyse(text)
    return ClaimFeatures(
        id=idx,
        article_id=0,
        text=tf,
        norm=" ".join(tf.order),
        lowered=" ".join(text.lower().split()),
        denies=False,
        speaker=None,
        speaker_kind=SourceKind.UNKNOWN,
        cited=None,
        speaker_outlet=None,
        published=None,
    )


@dataclass(frozen=True, slots=True)
class Body:
    """An article analysed once, reused for every claim compared with it."""

    sentences: tuple[ClaimFeatures, ...]
    words: tuple[frozenset[str], ...]  # lower-cased words per sentence
    concepts: dict[str, int]  # concept -> count over the body
    norm2: float  # squared norm of the body's tf-idf vector
    refuting: float
    hedging: float
    agreeing: float
    question: bool


def analyse_body(body: str | Sequence[str]) -> Body:
    """Analyse an article body: a text (split into sentences) or its claims' texts."""
    sents = split_sentences(body) if isinstance(body, str) else [s for s in body if s.strip()]
    lex = lexicon()
    feats = []
    words = []
    concepts: dict[str, int] = {}
    for i, s in enumerate(sents[:200]):
        f = _claim(s, idx=i + 1)
        feats.append(f)
        w = frozenset(_WORD.findall(s.lower().replace("’", "'")))
        words.append(w)
        for c in f.text.order:
            concepts[c] = concepts.get(c, 0) + 1
    norm2 = sum((1 + math.log(n)) ** 2 * lex.weight(c) ** 2 for c, n in concepts.items())
    n = max(1, len(words))
    ref = sum(sum(1 for r in REFUTING if r in w) for w in words) / n
    hed = sum(sum(1 for r in HEDGING if r in w) for w in words) / n
    agr = sum(sum(1 for r in AGREEING if r in w) for w in words) / n
    question = any("?" in s for s in sents[:3])
    return Body(tuple(feats), tuple(words), concepts, norm2, ref, hed, agr, question)


FEATURE_NAMES = (
    "cosine",
    "coverage",
    "ent_coverage",
    "ent_missing",
    "sim_max",
    "sim_top3",
    "sim_mean",
    "n_sim30",
    "n_sim45",
    "fuzz_best",
    "best_pos",
    "num_match",
    "num_conflict",
    "head_neg",
    "head_hedge",
    "head_question",
    "head_len",
    "body_len",
    "ref_top",
    "hed_top",
    "agr_top",
    "neg_top",
    "polarity_mismatch",
    "ref_body",
    "hed_body",
    "agr_body",
    "body_question",
    "ref_lead",
    "hed_lead",
    "head_ref",
    *(f"ref_{w}" for w in ("fake", "hoax", "false", "deny", "not", "no", "debunk", "doubt")),
    *(f"hed_{w}" for w in ("reportedly", "allegedly", "claims", "unconfirmed", "according")),
)


def stance_features(claim_text: str, body: Body) -> list[float]:
    """The feature vector for (claim, body), in FEATURE_NAMES order."""
    lex = lexicon()
    head = _claim(claim_text)
    hc = head.text.concepts
    hw = {c: lex.weight(c) for c in hc}
    hn2 = sum(w * w for w in hw.values()) or 1.0
    dot = sum(
        w * (1 + math.log(body.concepts[c])) * lex.weight(c)
        for c, w in hw.items()
        if c in body.concepts
    )
    cosine = dot / math.sqrt(hn2 * (body.norm2 or 1.0))
    total = sum(hw.values()) or 1.0
    coverage = sum(w for c, w in hw.items() if c in body.concepts) / total
    ents = [c for c in hc if c.startswith("e:")]
    ent_cov = sum(1 for c in ents if c in body.concepts) / len(ents) if ents else 1.0
    ent_missing = float(sum(1 for c in ents if c not in body.concepts))
    sims = []
    for s in body.sentences:
        sim, _ = similarity(head, s)
        sims.append(sim)
    n = len(sims)
    order = sorted(range(n), key=lambda i: -sims[i])
    top = order[:3]
    sim_max = sims[order[0]] if n else 0.0
    sim_top3 = sum(sims[i] for i in top) / len(top) if top else 0.0
    sim_mean = sum(sims) / n if n else 0.0
    best = body.sentences[order[0]] if n else None
    fz = fuzz.token_set_ratio(head.norm, best.norm) / 100.0 if best else 0.0
    best_pos = order[0] / n if n else 1.0
    # numbers
    body_nums = [x for s in body.sentences for x in s.text.numbers]
    num_match = num_conflict = 0.0
    for x in head.text.numbers:
        if any(abs(x.value - y.value) <= 0.1 * max(x.value, y.value) for y in body_nums):
            num_match += 1
        elif any(y.unit == x.unit and x.unit for y in body_nums):
            num_conflict += 1
    hwords = frozenset(_WORD.findall(claim_text.lower().replace("’", "'")))
    top_words = [body.words[i] for i in top]
    ref_top = sum(sum(1 for r in REFUTING if r in w) for w in top_words)
    hed_top = sum(sum(1 for r in HEDGING if r in w) for w in top_words)
    agr_top = sum(sum(1 for r in AGREEING if r in w) for w in top_words)
    neg_top = sum(
        1 for i in top if body.sentences[i].text.negation or body.sentences[i].text.denial
    )
    head_neg = 1.0 if (head.text.negation or head.text.denial) else 0.0
    pol = 0.0
    if best is not None:
        bneg = 1.0 if (best.text.negation or best.text.denial) else 0.0
        pol = abs(bneg - head_neg)
    lead = body.words[:3]
    ref_lead = sum(sum(1 for r in REFUTING if r in w) for w in lead)
    hed_lead = sum(sum(1 for r in HEDGING if r in w) for w in lead)
    all_words: set[str] = set().union(*body.words) if body.words else set()
    vec = [
        cosine,
        coverage,
        ent_cov,
        ent_missing,
        sim_max,
        sim_top3,
        sim_mean,
        float(sum(1 for s in sims if s >= 0.30)),
        float(sum(1 for s in sims if s >= 0.45)),
        fz,
        best_pos,
        num_match,
        num_conflict,
        head_neg,
        float(sum(1 for h in HEDGING if h in hwords)),
        1.0 if "?" in claim_text else 0.0,
        float(len(hc)),
        float(n),
        float(ref_top),
        float(hed_top),
        float(agr_top),
        float(neg_top),
        pol,
        body.refuting,
        body.hedging,
        body.agreeing,
        1.0 if body.question else 0.0,
        float(ref_lead),
        float(hed_lead),
        float(sum(1 for r in REFUTING if r in hwords)),
    ]
    for w in ("fake", "hoax", "false", "deny", "not", "no", "debunk", "doubt"):
        vec.append(
            float(sum(1 for ws in body.words if w in ws or (w + "s") in ws or (w + "ed") in ws))
        )
    for w in ("reportedly", "allegedly", "claims", "unconfirmed", "according"):
        vec.append(1.0 if w in all_words else 0.0)
    return vec


class StanceModel:
    """Gradient-boosted trees (one score per class, softmax), read from JSON."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.classes: list[str] = spec["classes"]
        self.features: list[str] = spec["features"]
        self.init: list[float] = spec["init"]
        self.rate: float = spec["learning_rate"]
        self.bias: list[float] = spec.get("bias", [0.0] * len(self.classes))
        # trees[k] = list of (feature, threshold, left, right, value) arrays per class
        self.trees: list[list[dict[str, list[float]]]] = spec["trees"]

    def scores(self, x: Sequence[float]) -> list[float]:
        out = list(self.init)
        for k, trees in enumerate(self.trees):
            acc = 0.0
            for t in trees:
                feat, thr, left, right, val = t["f"], t["t"], t["l"], t["r"], t["v"]
                node = 0
                while left[node] >= 0:
                    node = int(left[node] if x[int(feat[node])] <= thr[node] else right[node])
                acc += val[node]
            out[k] += self.rate * acc + self.bias[k]
        return out

    def predict(self, x: Sequence[float]) -> str:
        s = self.scores(x)
        return self.classes[max(range(len(s)), key=lambda k: s[k])]


@lru_cache(maxsize=1)
def stance_model() -> StanceModel:
    ref = resources.files("claimtrack.linking").joinpath("data", "stance_model.json")
    return StanceModel(json.loads(ref.read_text(encoding="utf-8")))


def stance_between(claim_text: str, body: str | Sequence[str] | Body) -> str:
    """agree | disagree | discuss | unrelated: the body's stance towards the claim.

    ``body`` is the article text (split into sentences), the texts of its claims,
    or a :class:`Body` from :func:`analyse_body` (analyse once, compare many).
    """
    b = body if isinstance(body, Body) else analyse_body(body)
    return stance_model().predict(stance_features(claim_text, b))
