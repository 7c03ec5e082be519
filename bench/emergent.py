#!/usr/bin/env python3
"""Emergent claim veracity with claimtrack's own scoring (issue 6 benchmark).

    bench/emergent.py --articles IN.csv --out P.csv [--train TRAIN.csv] [--stance auto|gold|linker]
    bench/emergent.py --cv bench/out/emergent [--stance gold|linker]

IN has the columns of emergent_train.csv (claimId, claimHeadline, articleId,
articleHeadline, source, url; articleHeadlineStance and claimTruth optional).
One row per claim is written: ``claimId,veracity,score`` where score is the
claim's credibility probability P from ``claimtrack.scoring`` and veracity is
``true`` / ``false`` / ``unknown`` from two thresholds on P.

How a claim becomes a case: the claim headline is a claim with no source
(weight 0); each article headline is an unattributed (impersonal) claim of its
outlet, a media source with the kind prior or, when claimtrack.sources' outlet
table rates the host, the table's prior, that corroborates it (stance ``for``),
contradicts it (``against``, a denial) or corroborates it hedged as
"reportedly" (``observing``). Unattributed reports of one story count with
partial dependence (they may share one origin); articles of one outlet with one
stance about one claim repeat each other (one group).

What is learnt from TRAIN (the resolved claims, never IN's): (1) the outlets'
track records, through analyst verdicts on the training claims, exactly as a
case learns them (claimtrack.scoring.score_sources); (2) the two thresholds,
chosen on out-of-fold probabilities of the training claims (inner
cross-validation over sha1(claimId) mod 5) to maximise macro-F1.

``--cv DIR`` runs the 5-fold cross-validation over claims_train.csv's ``fold``
column: it writes each fold's IN / TRAIN split and predictions under DIR,
scores the concatenated predictions with shared/tools/eval_veracity.py, and
does the same for the stance-vote baseline.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from claimtrack.errors import ClaimtrackError, InputError
from claimtrack.models import (
    CaseClaim,
    Link,
    Origin,
    Relation,
    SourceKind,
    SourceRecord,
    Stance,
    Verdict,
)
from claimtrack.scoring import (
    DEFAULT_CONFIG,
    ScoringConfig,
    build_graph,
    score_claims,
    score_sources,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EMERGENT = SHARED / "corpora" / "emergent"
EVAL = SHARED / "tools" / "eval_veracity.py"
USE_TABLE = True
NEEDED = ("claimId", "claimHeadline", "articleId", "articleHeadline")


@dataclass(frozen=True)
class Article:
    claim_id: str
    claim: str
    article_id: str
    headline: str
    outlet: str
    stance: str | None  # for | against | observing | None
    truth: str | None  # true | false | unknown | None


# ---------------------------------------------------------------------------
# input
# ---------------------------------------------------------------------------


def outlet_of(row: dict[str, str]) -> str:
    src = (row.get("source") or "").strip().lower()
    if not src:
        src = (urlparse((row.get("url") or "").strip()).hostname or "").lower()
    src = src.removeprefix("www.")
    return src or "unknown-outlet"


def read_articles(path: Path) -> list[Article]:
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror}", path=str(path)) from None
    with fh:
        reader = csv.DictReader(fh)
        cols = reader.fieldnames or []
        missing = [c for c in NEEDED if c not in cols]
        if missing:
            raise InputError(f"missing columns {', '.join(missing)}", path=str(path))
        out = []
        for row in reader:
            cid = (row.get("claimId") or "").strip()
            if not cid:
                continue
            stance = (row.get("articleHeadlineStance") or "").strip().lower() or None
            if stance not in (None, "for", "against", "observing"):
                raise InputError(f"unknown stance {stance!r}", path=str(path))
            truth = (row.get("claimTruth") or "").strip().lower() or None
            out.append(
                Article(
                    claim_id=cid,
                    claim=(row.get("claimHeadline") or "").strip(),
                    article_id=(row.get("articleId") or "").strip(),
                    headline=(row.get("articleHeadline") or "").strip(),
                    outlet=outlet_of(row),
                    stance=stance,
                    truth=truth,
                )
            )
    if not out:
        raise InputError("no article rows", path=str(path))
    return out


# ---------------------------------------------------------------------------
# stances from claimtrack's own linking (when the gold column is absent)
# ---------------------------------------------------------------------------

_FNC_TO_EMERGENT = {
    "agree": "for",
    "disagree": "against",
    "discuss": "observing",
    "unrelated": "observing",
}


@lru_cache(maxsize=1)
def linker_stance() -> Callable[[str, str], str]:
    """claim headline, article headline -> for | against | observing, by claimtrack.linking:
    its stance model (agree = for, disagree = against, discuss / unrelated = observing),
    and its link rules (a headline that ``contradicts`` the claim is against it unless
    the stance model says agree)."""
    try:
        from claimtrack.linking.relate import relate
        from claimtrack.linking.stance import stance_between
        from claimtrack.linking.text import claim_features
    except ImportError as exc:  # the linking engineer's API is not there
        raise ClaimtrackError(f"claimtrack.linking has no stance function: {exc}") from None

    cache: dict[tuple[str, str], str] = {}

    def f(claim: str, headline: str) -> str:
        got = cache.get((claim, headline))
        if got is None:
            got = _FNC_TO_EMERGENT.get(stance_between(claim, [headline]), "observing")
            if got != "for":
                judged = relate(
                    claim_features(CaseClaim(id=1, article_id=1, content=claim)),
                    claim_features(CaseClaim(id=2, article_id=2, content=headline)),
                )
                if judged is not None and judged.relation == Relation.CONTRADICTS:
                    got = "against"
            cache[(claim, headline)] = got
        return got

    return f


def with_stances(articles: list[Article], mode: str) -> list[Article]:
    if mode == "gold" or (mode == "auto" and all(a.stance for a in articles)):
        if any(a.stance is None for a in articles):
            raise ClaimtrackError("--stance gold: some rows have no articleHeadlineStance")
        return articles
    f = linker_stance()
    return [
        Article(
            a.claim_id, a.claim, a.article_id, a.headline, a.outlet, f(a.claim, a.headline), a.truth
        )
        for a in articles
    ]


# ---------------------------------------------------------------------------
# the case
# ---------------------------------------------------------------------------


_HOST_IN_REASON = re.compile(r"host ([a-z0-9.-]+)")
_SUFFIXES = (
    "co.uk",
    "com.au",
    "co.nz",
    "co.in",
    "com",
    "org",
    "net",
    "uk",
    "ie",
    "ca",
    "in",
    "au",
    "nz",
    "de",
    "fr",
    "it",
    "es",
    "us",
)


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def outlet_table() -> Callable[[str], tuple[float, str] | None]:
    """host -> (prior, reason) from claimtrack.sources' outlet table, when it ships one.

    Matches the host's labels ("www.dailymail.co.uk" -> "dailymail") against the
    table's names and aliases with spaces dropped ("Daily Mail" -> "dailymail") and
    against the hosts its prior reasons name ("host reuters.com")."""
    try:
        from claimtrack.sources import default_table
    except ImportError:
        return lambda host: None
    index: dict[str, tuple[float, str]] = {}
    for e in default_table().entries:
        if e.prior is None or str(e.kind) != "media":
            continue
        found = (e.prior, f"outlet table: {e.name}, {e.prior_reason}")
        for m in _HOST_IN_REASON.finditer(e.prior_reason):
            index.setdefault(m.group(1).removeprefix("www."), found)
        for name in (e.name, *e.aliases):
            key = _squash(name)
            if len(key) >= 4:
                index.setdefault(key, found)

    def look(host: str) -> tuple[float, str] | None:
        host = host.lower().removeprefix("www.")
        if host in index:
            return index[host]
        for suffix in _SUFFIXES:  # the registrable name: "i100.independent.co.uk" -> independent
            if host.endswith("." + suffix):
                name = host[: -len(suffix) - 1].rsplit(".", 1)[-1]
                return index.get(name)
        return None

    return look


class CaseBuilder:
    """Emergent rows -> CaseClaims, Links, SourceRecords (ids deterministic)."""

    def __init__(self, priors: Callable[[str], tuple[float, str] | None] | None = None) -> None:
        self.priors = priors
        self.sources: dict[str, SourceRecord] = {}
        self.claims: list[CaseClaim] = []
        self.links: list[Link] = []
        self.target: dict[str, int] = {}  # claimId -> claim id of the headline claim
        self._next = 1

    def _id(self) -> int:
        i = self._next
        self._next += 1
        return i

    def source(self, outlet: str) -> SourceRecord:
        rec = self.sources.get(outlet)
        if rec is None:
            found = self.priors(outlet) if self.priors else None
            rec = SourceRecord(
                id=len(self.sources) + 1,
                name=outlet,
                kind=SourceKind.MEDIA,
                prior=found[0] if found else None,
                prior_reason=found[1] if found else None,
            )
            self.sources[outlet] = rec
        return rec

    def add_claim(self, arts: Sequence[Article], verdict: Verdict | None) -> int:
        head = arts[0]
        tid = self._id()
        self.target[head.claim_id] = tid
        self.claims.append(CaseClaim(id=tid, article_id=0, content=head.claim, verdict=verdict))
        seen: dict[tuple[str, str], int] = {}
        for a in sorted(arts, key=lambda x: (x.outlet, x.article_id)):
            st = a.stance or "observing"
            rec = self.source(a.outlet)
            cid = self._id()
            observing = st == "observing"
            self.claims.append(
                CaseClaim(
                    id=cid,
                    article_id=cid,
                    content=head.claim,
                    cue="reportedly" if observing else "reported",
                    stance=Stance.DENIES if st == "against" else Stance.ASSERTS,
                    hedged=observing,
                    hedges=("reportedly",) if observing else (),
                    outlet=rec.name,
                )
            )
            rel = Relation.CONTRADICTS if st == "against" else Relation.CORROBORATES
            self.links.append(
                Link(
                    a=tid,
                    b=cid,
                    relation=rel,
                    confidence=1.0,
                    reason=f"headline {st}",
                    origin=Origin.ANALYST,
                )
            )
            first = seen.setdefault((a.outlet, st), cid)
            if first != cid:
                self.links.append(
                    Link(
                        a=first,
                        b=cid,
                        relation=Relation.REPEATS,
                        confidence=1.0,
                        reason="same outlet, same stance",
                        origin=Origin.ANALYST,
                        origin_claim=first,
                    )
                )
        return tid


def by_claim(articles: Sequence[Article]) -> dict[str, list[Article]]:
    out: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        out[a.claim_id].append(a)
    return dict(sorted(out.items()))


_VERDICT = {"true": Verdict.TRUE, "false": Verdict.FALSE}


def probabilities(
    history: Sequence[Article], todo: Sequence[Article], config: ScoringConfig
) -> dict[str, float]:
    """P for every claim of ``todo``, outlets' track records learnt from ``history``."""
    b = CaseBuilder(outlet_table() if USE_TABLE else None)
    for arts in by_claim(history).values():
        b.add_claim(arts, _VERDICT.get(arts[0].truth or ""))
    hist_ids = set(b.target)
    for cid, arts in by_claim(todo).items():
        if cid in hist_ids:
            raise ClaimtrackError(f"claim {cid} is both to be scored and in the history")
        b.add_claim(arts, None)
    graph = build_graph(b.claims, b.links, config)
    src = score_sources(list(b.sources.values()), b.claims, (), config, graph=graph)
    wanted = {b.target[c] for c in by_claim(todo)}
    scores = score_claims(
        b.claims, (), src, config, sources=list(b.sources.values()), only=wanted, graph=graph
    )
    return {c: scores[b.target[c]].probability for c in by_claim(todo)}


def fold_of(claim_id: str, k: int = 5) -> int:
    return int(hashlib.sha1(claim_id.encode()).hexdigest(), 16) % k


def label(p: float, lo: float, hi: float) -> str:
    if p < lo:
        return "false"
    if p >= hi:
        return "true"
    return "unknown"


def learn_thresholds(train: Sequence[Article], config: ScoringConfig) -> tuple[float, float]:
    """(lo, hi) maximising macro-F1 (then accuracy) on out-of-fold P of the training claims."""
    claims = by_claim(train)
    folds: dict[int, list[Article]] = defaultdict(list)
    for cid, arts in claims.items():
        folds[fold_of(cid)].extend(arts)
    oof: dict[str, float] = {}
    for f in sorted(folds):
        hist = [a for g, arts in folds.items() if g != f for a in arts]
        oof.update(probabilities(hist, folds[f], config))
    labels = ("false", "true", "unknown")
    pts = sorted((oof[c], claims[c][0].truth or "") for c in oof if claims[c][0].truth in labels)
    if not pts:
        return 0.5, 0.5
    values = sorted({p for p, _ in pts})
    cuts = [values[0] - 1e-9] + [(x + y) / 2 for x, y in zip(values, values[1:], strict=False)]
    cuts.append(values[-1] + 1e-9)
    # below[k][lab]: claims of gold lab with P < cuts[k]
    below = []
    for cut in cuts:
        below.append({lab: sum(1 for p, g in pts if g == lab and p < cut) for lab in labels})
    total = {lab: sum(1 for _p, g in pts if g == lab) for lab in labels}
    present = [lab for lab in labels if total[lab]]
    best: tuple[float, float, float, int, int] | None = None
    for i in range(len(cuts)):
        for j in range(i, len(cuts)):
            # false: P < cuts[i]; unknown: cuts[i] <= P < cuts[j]; true: P >= cuts[j]
            pred = {
                "false": below[i],
                "unknown": {lab: below[j][lab] - below[i][lab] for lab in labels},
                "true": {lab: total[lab] - below[j][lab] for lab in labels},
            }
            f1s = []
            for lab in present:
                tp = pred[lab][lab]
                npred = sum(pred[lab].values())
                pr = tp / npred if npred else 0.0
                rc = tp / total[lab]
                f1s.append(2 * pr * rc / (pr + rc) if pr + rc else 0.0)
            acc = sum(pred[lab][lab] for lab in labels) / len(pts)
            key = (sum(f1s) / len(present), acc, -(j - i), i, j)
            if best is None or key[:3] > best[:3]:
                best = key
    assert best is not None
    return cuts[best[3]], cuts[best[4]]


# Thresholds learnt by learn_thresholds() on all 240 training claims (out-of-fold P),
# used only when no training file is at hand (--train missing).
FALLBACK_THRESHOLDS = {"gold": (0.65, 0.93), "linker": (0.60, 0.84)}


def predict(
    articles: Sequence[Article],
    train: Sequence[Article],
    config: ScoringConfig,
    stance_mode: str = "gold",
) -> list[tuple[str, str, float]]:
    ids = set(by_claim(articles))
    train = [a for a in train if a.claim_id not in ids and a.truth]
    if train:
        lo, hi = learn_thresholds(train, config)
    else:
        lo, hi = FALLBACK_THRESHOLDS["linker" if stance_mode == "linker" else "gold"]
    ps = probabilities(train, articles, config)
    return [(c, label(p, lo, hi), p) for c, p in sorted(ps.items())]


def write_predictions(path: Path, rows: Sequence[tuple[str, str, float]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["claimId", "veracity", "score"])
        for cid, ver, p in rows:
            w.writerow([cid, ver, f"{p:.6f}"])


# ---------------------------------------------------------------------------
# cross-validation and the stance-vote baseline
# ---------------------------------------------------------------------------


def write_articles(path: Path, rows: list[dict[str, str]], fields: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def baseline(articles: Sequence[Article]) -> list[tuple[str, str, float]]:
    out = []
    for cid, arts in by_claim(articles).items():
        n_for = sum(a.stance == "for" for a in arts)
        n_ag = sum(a.stance == "against" for a in arts)
        n_obs = sum(a.stance == "observing" for a in arts)
        if n_ag >= 1 and n_ag >= n_for:
            v = "false"
        elif n_for >= 2 * max(n_ag, 1) and n_for > n_obs:
            v = "true"
        else:
            v = "unknown"
        out.append((cid, v, (n_for + 1) / (n_for + n_ag + 2)))
    return out


def evaluate(gold: Path, pred: Path) -> str:
    res = subprocess.run(
        [sys.executable, str(EVAL), str(gold), str(pred)], capture_output=True, text=True
    )
    return res.stdout + res.stderr


def run_cv(outdir: Path, mode: str, config: ScoringConfig) -> str:
    src = EMERGENT / "emergent_train.csv"
    gold = EMERGENT / "claims_train.csv"
    with src.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    with gold.open(newline="", encoding="utf-8") as fh:
        fold = {r["claimId"]: int(r["fold"]) for r in csv.DictReader(fh)}
    in_fields = [f for f in fields if f != "claimTruth"]
    if mode == "linker":
        in_fields = [f for f in in_fields if f != "articleHeadlineStance"]
    allrows: list[tuple[str, str, float]] = []
    base_rows: list[tuple[str, str, float]] = []
    for k in sorted(set(fold.values())):
        test = [r for r in rows if fold[r["claimId"]] == k]
        train = [r for r in rows if fold[r["claimId"]] != k]
        fin = outdir / f"fold{k}" / "in.csv"
        ftr = outdir / f"fold{k}" / "train.csv"
        write_articles(fin, [{f: r[f] for f in in_fields} for r in test], in_fields)
        write_articles(ftr, train, fields)
        stance_mode = "gold" if mode == "gold" else "linker"
        arts = with_stances(read_articles(fin), stance_mode)
        hist = with_stances(read_articles(ftr), stance_mode)
        pred = predict(arts, hist, config, stance_mode)
        write_predictions(outdir / f"fold{k}" / "pred.csv", pred)
        allrows.extend(pred)
        base_rows.extend(baseline(arts))
    write_predictions(outdir / f"pred_{mode}.csv", sorted(allrows))
    report = f"== claimtrack scoring, {mode} stances, 5-fold CV ==\n"
    report += evaluate(gold, outdir / f"pred_{mode}.csv")
    write_predictions(outdir / f"pred_baseline_{mode}.csv", sorted(base_rows))
    report += f"\n== stance-vote baseline, {mode} stances ==\n"
    report += evaluate(gold, outdir / f"pred_baseline_{mode}.csv")
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--articles", type=Path, help="IN.csv (columns of emergent_train.csv)")
    ap.add_argument("--out", type=Path, help="predictions CSV: claimId,veracity,score")
    ap.add_argument(
        "--train",
        type=Path,
        default=EMERGENT / "emergent_train.csv",
        help="resolved claims (with claimTruth) for track records and thresholds",
    )
    ap.add_argument("--stance", choices=("auto", "gold", "linker"), default="auto")
    ap.add_argument(
        "--no-outlet-table",
        action="store_true",
        help="ignore claimtrack.sources' outlet priors (every outlet starts at the media prior)",
    )
    ap.add_argument("--cv", type=Path, metavar="DIR", help="run the 5-fold CV, splits under DIR")
    args = ap.parse_args(argv)
    global USE_TABLE
    USE_TABLE = not args.no_outlet_table
    config = DEFAULT_CONFIG
    try:
        if args.cv:
            mode = "linker" if args.stance == "linker" else "gold"
            print(run_cv(args.cv, mode, config))
            return 0
        if not args.articles or not args.out:
            ap.error("--articles and --out are needed (or --cv DIR)")
        arts = read_articles(args.articles)
        mode = args.stance
        if mode == "auto":
            mode = "gold" if all(a.stance for a in arts) else "linker"
        arts = with_stances(arts, mode)
        train: list[Article] = []
        if args.train and args.train.is_file():
            train = with_stances(read_articles(args.train), mode)
        write_predictions(args.out, predict(arts, train, config, mode))
    except ClaimtrackError as exc:
        print(f"emergent: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
