"""A second look at the tagger's cue decisions: tried on held-out folds of train, not shipped.

    .venv/bin/python bench/cue_stage2.py collect --fold K --data DIR --out CANDS.jsonl
    .venv/bin/python bench/cue_stage2.py fit CANDS.jsonl [...] --out STAGE2.tsv [--c 0.3]
    .venv/bin/python bench/cue_stage2.py eval --fold K --data DIR [--stage STAGE2.tsv]
        [--add 0.4] [--drop 0.3] [--bound 0.5] [--marginals] [--posterior] [--in-bias B]

The extractor is patched in process (``api._pieces`` and ``tagger.viterbi_many``); the
package is unchanged. After decoding, every token the tagger nearly made a cue (its
local posterior of B-C with the neighbouring labels fixed, or with ``--marginals`` its
forward-backward marginal, at least ``ADD_FLOOR``) and every decoded cue is scored by
a small logistic model over conjunction features the CRF does not see (the posterior
binned, the decoded roles around the token, the word and its training cue share, the
words around it, whether and how near the sentence has another cue, the quotation
state, the position in the sentence); an untagged token scoring at least ``--add``
becomes a one-word cue, a decoded cue scoring below ``--drop`` is undone, and with
``--bound`` each decoded cue's edges move over up to 5 tokens where a third model says
so. ``collect`` runs a fold model (``train_extractor.py --fold K --out DIR``) over the
held-out fifth of PolNeAR train and writes every candidate with its features and label
(the candidate is / stays exactly a gold cue; a boundary token belongs to the gold cue
the decoded one overlaps); ``fit`` trains one L2 logistic model per kind (sklearn);
``eval`` scores the held-out fifth with the shared evaluator. ``--posterior`` decodes
by the argmax of the marginals instead of Viterbi, ``--in-bias`` adds B to the I-C
scores before decoding. The figures are in docs/extraction.md (fifth session).
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from claimtrack.extract.text import QUOTES, Doc  # noqa: E402

DEFAULT_TRAIN = REPO.parent / "shared" / "corpora" / "polnear" / "train"
EVALUATOR = REPO.parent / "shared" / "tools" / "eval_attribution.py"
BOUND = ("R+", "R-", "L+", "L-")

ADD_FLOOR = 0.02  # untagged tokens less likely a cue than this are not looked at
USE_MARGINALS = False  # --marginals: forward-backward marginals as candidates and features
_MARG: Any = None  # the current document's marginals (with --marginals)
_LBC = 0  # the B-C label's column

_PRONOUNS = frozenset(
    ["he", "she", "they", "it", "i", "we", "you", "who", "which", "that", "this", "these"]
)
_NEXT_WORDS = frozenset(
    ["that", "to", "the", "a", "an", "in", "on", "about", "for", "of", "with", "by", "as",
     "it", "he", "she", "they", "his", "her", "their", "was", "is", "not", "be", "will"]
)  # fmt: skip
_ROLE = "OSCT"


def _cls(w: str) -> str:
    low = w.lower()
    if low in _NEXT_WORDS or low in _PRONOUNS:
        return low
    if w in QUOTES:
        return "Q"
    if not w[0].isalnum():
        return w if w in ",.:;—-()?" else "P"
    if w[0].isupper():
        return "Cap"
    if w[0].isdigit():
        return "D"
    return "w"


def _bin(p: float) -> str:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return str(max(-8, min(8, int(math.floor(math.log(p / (1 - p)))))))


def features(
    doc: Doc,
    t: int,
    p: float,
    role: list[int],
    cues_in_sentence: Mapping[int, list[int]],
    cue_prob: Mapping[str, float],
    decoded_cue: bool,
    cue_len: int = 1,
) -> list[str]:
    """The features of one candidate token (``decoded_cue``: the tagger's cue starts here)."""
    words = doc.words
    n = len(words)
    w = words[t]
    low = w.lower()
    s = doc.sent[t]
    first = doc.sent_first[s]
    end = doc.sent_first[s + 1] if s + 1 < len(doc.sent_first) else n
    r0 = _ROLE[role[t]]
    rp = _ROLE[role[t - 1]] if t > first else "^"
    rn = _ROLE[role[t + cue_len]] if t + cue_len < end else "$"
    b = _bin(p)
    share = cue_prob.get(low, 0.0)
    sb = "0" if share == 0 else str(min(9, int(share * 10)))
    prev = _cls(words[t - 1]) if t > first else "^"
    nxt = _cls(words[t + cue_len]) if t + cue_len < end else "$"
    others = [c for c in cues_in_sentence.get(s, ()) if c != t]
    near = min((abs(c - t) for c in others), default=-1)
    nb = "none" if near < 0 else ("1" if near <= 2 else "2" if near <= 6 else "3")
    pos = t - first
    pb = str(min(pos, 4)) if pos < 4 else ("5" if pos < 10 else "6")
    left = end - t - cue_len
    lb = str(min(left, 3)) if left < 3 else ("5" if left < 10 else "6")
    q = "1" if doc.inq[t] else "0"
    mb = _bin(float(_MARG[t, _LBC])) if _MARG is not None else "x"
    out = [
        "bias",
        "m=" + mb,
        "mr=" + mb + r0,
        "p=" + b,
        "r=" + r0 + rp + rn,
        "rb=" + r0 + b,
        "w=" + low,
        "s=" + sb,
        "sb=" + sb + b,
        "prev=" + prev,
        "next=" + nxt,
        "pn=" + prev + "|" + nxt,
        "wn=" + low + "|" + nxt,
        "wp=" + low + "|" + prev,
        "near=" + nb,
        "nearb=" + nb + b,
        "pos=" + pb,
        "left=" + lb,
        "q=" + q + r0,
    ]
    if decoded_cue:
        out.append("len=" + str(min(cue_len, 4)))
        out.append("cue=" + " ".join(x.lower() for x in words[t : t + cue_len]))
    return out


class Stage2:
    """The two logistic models (add, drop) and their thresholds."""

    def __init__(self, raw: str) -> None:
        self.weights: dict[str, dict[str, float]] = {"add": {}, "drop": {}, "bound": {}}
        self.threshold = {"add": 1.0, "drop": 0.0, "bound": 1.0}
        for line in raw.splitlines():
            if not line or line.startswith("#"):
                continue
            kind, name, value = line.split("\t")
            if name == "@threshold":
                self.threshold[kind] = float(value)
            else:
                self.weights[kind][name] = float(value)

    def prob(self, kind: str, feats: list[str]) -> float:
        w = self.weights[kind]
        z = sum(w.get(f, 0.0) for f in feats)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def candidates(
    doc: Doc, model: Any, emit: Any, best: list[int]
) -> tuple[list[int], list[float], list[int], list[int]]:
    """Untagged near-cue tokens with their B-C posterior, and the decoded cues' starts and
    lengths."""
    from claimtrack.extract import tagger

    n = len(best)
    lab = np.array(best, dtype=np.int64)
    bfirst = np.zeros(n, dtype=bool)
    bfirst[[b.first for b in doc.blocks]] = True
    prev_lab = np.full(n, -1, dtype=np.int64)
    prev_lab[1:] = lab[:-1]
    prev_lab[bfirst] = -1
    next_lab = np.full(n, -1, dtype=np.int64)
    next_lab[:-1] = lab[1:]
    next_lab[np.flatnonzero(bfirst) - 1] = -1
    at = np.arange(n)
    p = tagger.local_confidences(
        model, emit, at, prev_lab, np.full(n, model.label_bc, dtype=np.int64), next_lab
    )
    role = model.role_of[lab]
    global _MARG
    if USE_MARGINALS:
        _MARG = marginals(model, emit, doc)
        near = (p >= ADD_FLOOR) | (_MARG[:, model.label_bc] >= ADD_FLOOR)
    else:
        _MARG, near = None, p >= ADD_FLOOR
    add = np.flatnonzero((role != 2) & near).tolist()
    starts = np.flatnonzero((role == 2) & (model.begins[lab] | bfirst | (np.roll(role, 1) != 2)))
    lens = []
    for s in starts.tolist():
        e = s + 1
        while e < n and role[e] == 2 and not bfirst[e] and not model.begins[lab[e]]:
            e += 1
        lens.append(e - s)
    return add, p[add].tolist(), starts.tolist(), lens


def apply(
    stage: Stage2,
    doc: Doc,
    model: Any,
    emit: Any,
    best: list[int],
    cue_prob: Mapping[str, float],
    collect: list[tuple[str, int, int, list[str]]] | None = None,
) -> dict[int, float]:
    """Add and undo cues in the decoded labels ``best`` (in place); the added cues' scores."""
    global _LBC
    _LBC = model.label_bc
    add, padd, starts, lens = candidates(doc, model, emit, best)
    if not add and not starts:
        return {}
    role = model.role_of[np.array(best, dtype=np.int64)].tolist()
    by_sentence: dict[int, list[int]] = {}
    for s in starts:
        by_sentence.setdefault(doc.sent[s], []).append(s)
    words = doc.words
    o, b_c = model.label_o, model.label_bc
    pc = {}
    if starts:
        from claimtrack.extract import tagger

        n = len(best)
        at = np.array(starts, dtype=np.int64)
        lab = np.array(best, dtype=np.int64)
        prev = np.where(at > 0, lab[np.maximum(at - 1, 0)], -1)
        nxt = np.where(at + 1 < n, lab[np.minimum(at + 1, n - 1)], -1)
        pc = dict(
            zip(
                starts,
                tagger.local_confidences(model, emit, at, prev, lab[at], nxt).tolist(),
                strict=True,
            )
        )
    drops = []
    for s, k in zip(starts, lens, strict=True):
        f = features(doc, s, pc[s], role, by_sentence, cue_prob, True, k)
        if collect is not None:
            collect.append(("drop", s, k, f))
        elif stage.prob("drop", f) < stage.threshold["drop"]:
            drops.append((s, k))
    adds = {}
    for t, p in zip(add, padd, strict=True):
        if not words[t][0].isalpha() and words[t] != ":":
            continue
        f = features(doc, t, p, role, by_sentence, cue_prob, False)
        if collect is not None:
            collect.append(("add", t, 1, f))
        else:
            q = stage.prob("add", f)
            if q >= stage.threshold["add"]:
                adds[t] = q
    for s, k in drops:
        for i in range(s, s + k):
            best[i] = o
    for t in adds:
        best[t] = b_c
    return adds


_DAYS = frozenset(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
     "today", "yesterday", "tonight", "night", "morning", "afternoon", "evening", "week"]
)  # fmt: skip
MAX_MOVE = 5  # a cue boundary moves by at most this many tokens


def _wclass(w: str) -> str:
    low = w.lower()
    if low in _DAYS:
        return "DAY"
    return _cls(w) if not w[0].isalpha() or w[0].isupper() else low


def boundary_features(
    doc: Doc, d: str, x: int, s: int, e: int, role: list[int], pin: float
) -> list[str]:
    """Features of moving a cue [s, e) boundary over token ``x`` (``d``: R+ R- L+ L-)."""
    words = doc.words
    n = len(words)
    w = words[x].lower()
    head = words[s].lower()
    last = words[e - 1].lower()
    after = _wclass(words[x + 1]) if x + 1 < n else "$"
    before = _wclass(words[x - 1]) if x > 0 else "^"
    b = _bin(pin)
    k = str(min(e - s, 4))
    return [
        d,
        d + "p" + b,
        d + "w" + w,
        d + "wc" + _wclass(words[x]),
        d + "h" + head + "|" + w,
        d + "l" + last + "|" + w,
        d + "r" + _ROLE[role[x]],
        d + "a" + after,
        d + "wa" + w + "|" + after,
        d + "bw" + before + "|" + w,
        d + "k" + k,
        d + "kp" + k + b,
        d + "hr" + head + _ROLE[role[x]],
    ]


def _move_chain(d: str, s: int, e: int, n: int, first: int, end: int) -> list[tuple[int, int, int]]:
    """The tokens a boundary would move over, in order, each with the cue it would leave."""
    out = []
    for step in range(MAX_MOVE):
        if d == "R+":
            x = e + step
            if x >= end:
                break
            out.append((x, s, x))
        elif d == "R-":
            x = e - 1 - step
            if x <= s:
                break
            out.append((x, s, x + 1))
        elif d == "L+":
            x = s - 1 - step
            if x < first:
                break
            out.append((x, x + 1, e))
        else:
            x = s + step
            if x >= e - 1:
                break
            out.append((x, x, e))
    return out


def move_boundaries(
    stage: Stage2 | None,
    doc: Doc,
    model: Any,
    emit: Any,
    best: list[int],
    collect: list[tuple[str, int, int, list[str]]] | None = None,
) -> None:
    """Move each decoded cue's edges where the boundary model says (in place)."""
    from claimtrack.extract import tagger

    n = len(best)
    lab = np.array(best, dtype=np.int64)
    role_a = model.role_of[lab]
    is_cue = role_a == 2
    if not is_cue.any():
        return
    bfirst = np.zeros(n, dtype=bool)
    bfirst[[b.first for b in doc.blocks]] = True
    starts = np.flatnonzero(is_cue & (model.begins[lab] | bfirst | (np.roll(role_a, 1) != 2)))
    near = np.zeros(n, dtype=bool)
    for s in starts.tolist():
        near[max(0, s - MAX_MOVE) : s + 12 + MAX_MOVE] = True
    at = np.flatnonzero(near)
    prev_lab = np.where(at > 0, lab[np.maximum(at - 1, 0)], -1)
    next_lab = np.where(at + 1 < n, lab[np.minimum(at + 1, n - 1)], -1)
    pic = dict(
        zip(
            at.tolist(),
            tagger.local_confidences(
                model, emit, at, prev_lab, np.full(len(at), model.label_ic), next_lab
            ).tolist(),
            strict=True,
        )
    )
    role = role_a.tolist()
    o, b_c, i_c = model.label_o, model.label_bc, model.label_ic
    block_first = [b.first for b in doc.blocks]
    for s in starts.tolist():
        e = s + 1
        while e < n and is_cue[e] and not bfirst[e] and not model.begins[lab[e]]:
            e += 1
        kb = bisect.bisect_right(block_first, s) - 1
        first, end = block_first[kb], doc.blocks[kb].last
        sent = doc.sent[s]
        first = max(first, doc.sent_first[sent])
        if sent + 1 < len(doc.sent_first):
            end = min(end, doc.sent_first[sent + 1])
        new_s, new_e = s, e
        for pair in (("R-", "R+"), ("L-", "L+")):
            for d in pair:
                moved = False
                for x, cs, ce in _move_chain(d, s, e, n, first, end):
                    if d in ("R+", "L+") and role[x] == 2:
                        break  # another cue
                    f = boundary_features(doc, d, x, cs, ce, role, pic.get(x, 0.0))
                    if collect is not None:
                        collect.append((d, s, e - s, [str(x)] + f))
                        continue
                    assert stage is not None
                    if stage.prob("bound", f) < stage.threshold["bound"]:
                        break
                    moved = True
                    if d == "R+":
                        new_e = x + 1
                    elif d == "R-":
                        new_e = x
                    elif d == "L+":
                        new_s = x
                    else:
                        new_s = x + 1
                if moved:
                    break
        if (new_s, new_e) != (s, e):
            for i in range(min(s, new_s), max(e, new_e)):
                best[i] = o if (i < new_s or i >= new_e) else i_c
            best[new_s] = b_c


def marginals(model: Any, emit: Any, doc: Doc) -> Any:
    """P(label at each token) by forward-backward, each block on its own (n x labels)."""
    n, m = emit.shape
    out = np.zeros((n, m))
    trans = np.exp(model.trans)
    for b in doc.blocks:
        e = emit[b.first : b.last]
        k = len(e)
        if not k:
            continue
        mx = e.max(axis=1, keepdims=True)
        pe = np.exp(e - mx)
        alpha = np.zeros((k, m))
        beta = np.ones((k, m))
        a = pe[0].copy()
        alpha[0] = a / a.sum()
        for t in range(1, k):
            a = (alpha[t - 1] @ trans) * pe[t]
            alpha[t] = a / a.sum()
        for t in range(k - 2, -1, -1):
            bb = trans @ (pe[t + 1] * beta[t + 1])
            beta[t] = bb / bb.sum()
        g = alpha * beta
        out[b.first : b.last] = g / g.sum(axis=1, keepdims=True)
    return out


# --------------------------------------------------------------------------
# patching the extractor, collecting, fitting, scoring
# --------------------------------------------------------------------------

STATE: dict[str, Any] = {"stage": None, "collect": None, "bound": False}


def install(posterior: bool = False, in_bias: float = 0.0) -> None:
    """Patch ``api._pieces`` (stage 2 before the pieces are read) and, for ``posterior`` or
    ``in_bias``, ``tagger.viterbi_many``."""
    from claimtrack.extract import api, tagger

    pieces = api._pieces

    def patched(
        doc: Doc, model: Any, emit: Any, best: list[int], sure: list[int], cue_prob: Any
    ) -> Any:
        added: dict[int, float] = {}
        stage, collect = STATE["stage"], None
        if STATE["collect"] is not None:
            collect = []
            STATE["collect"].append((doc, collect))
        if stage is not None or collect is not None:
            added = apply(stage, doc, model, emit, best, cue_prob, collect)
            if STATE["bound"] or collect is not None:
                move_boundaries(stage, doc, model, emit, best, collect)
        out, conf = pieces(doc, model, emit, best, sure, cue_prob)
        for t, q in added.items():  # an added cue is as sure as stage 2 says
            if t in conf:
                conf[t] = max(conf[t], q)
        return out, conf

    api._pieces = patched  # type: ignore[assignment]
    if posterior or in_bias:
        viterbi_many = tagger.viterbi_many

        def decode(model: Any, emits: list[Any], docs: list[Doc]) -> list[list[int]]:
            if in_bias:
                for e in emits:
                    e[:, model.label_ic] += in_bias
            if not posterior:
                return viterbi_many(model, emits, docs)
            return [
                marginals(model, e, d).argmax(axis=1).tolist()
                for e, d in zip(emits, docs, strict=True)
            ]

        tagger.viterbi_many = decode  # type: ignore[assignment]


def collect(args: argparse.Namespace) -> int:
    import eval_extract
    from train_extractor import load_split

    from claimtrack.extract import api

    eval_extract.use_data(args.data)
    install()
    docs = [d for k, d in enumerate(load_split(args.train)) if k % 5 == args.fold]
    STATE["collect"] = found = []
    n: dict[str, list[int]] = {"add": [0, 0], "drop": [0, 0]}
    with open(args.out, "w", encoding="utf-8") as fh:
        for stem, text, gold in docs:
            before = len(found)
            api.extract_claims(text)
            for doc, cands in found[before:]:
                cues = set()
                chain_ok: dict[tuple[str, int], bool] = {}
                for a in gold:
                    toks: set[int] = set()
                    for s, e in a["cue"]:
                        first = bisect.bisect_right(doc.ends, s)
                        last = bisect.bisect_left(doc.starts, e)
                        toks.update(range(first, last))
                    if toks:
                        cues.add(frozenset(toks))
                for kind, t, k, feats in cands:
                    if kind in BOUND:
                        span = set(range(t, t + k))
                        over = [g for g in cues if g & span]
                        if not over or not chain_ok.get((kind, t), True):
                            continue  # a spurious cue, or past the first stop of the chain
                        x = int(feats[0])
                        feats = feats[1:]
                        inside = x in max(over, key=lambda g: len(g & span))
                        y = int(inside if kind.endswith("+") else not inside)
                        chain_ok[(kind, t)] = bool(y)
                        n.setdefault(kind, [0, 0])[y] += 1
                        kind = "bound"
                    else:
                        y = int(frozenset(range(t, t + k)) in cues)
                        n[kind][y] += 1
                    row = {"doc": stem, "kind": kind, "t": t, "y": y, "f": feats}
                    fh.write(json.dumps(row) + "\n")
    print(f"fold {args.fold}: {n} (kind: [negatives, positives])", file=sys.stderr)
    return 0


def fit(args: argparse.Namespace) -> int:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = []
    for path in args.cands:
        with open(path, encoding="utf-8") as fh:
            rows.extend(json.loads(line) for line in fh)
    out = ["# kind\tfeature\tweight (bench/cue_stage2.py fit; logistic, L2)"]
    for kind in ("add", "drop", "bound"):
        sel = [r for r in rows if r["kind"] == kind]
        vec = DictVectorizer()
        x = vec.fit_transform([dict.fromkeys(r["f"], 1) for r in sel])
        y = [r["y"] for r in sel]
        clf = LogisticRegression(C=args.c, fit_intercept=False, max_iter=3000)
        clf.fit(x, y)
        for name, w in sorted(zip(vec.get_feature_names_out(), clf.coef_[0], strict=True)):
            if abs(w) >= 1e-4:
                out.append(f"{kind}\t{name}\t{w:.4f}")
        print(f"{kind}: {len(sel)} candidates, {sum(y)} positive", file=sys.stderr)
    args.out.write_text("\n".join(out) + "\n", encoding="utf-8")
    return 0


def evaluate(args: argparse.Namespace) -> int:
    import eval_extract

    if args.data:
        eval_extract.use_data(args.data)
    install(args.posterior, args.in_bias)
    if args.stage:
        stage = Stage2(args.stage.read_text(encoding="utf-8"))
        stage.threshold.update(add=args.add, drop=args.drop, bound=args.bound)
        STATE["stage"] = stage
        STATE["bound"] = args.bound <= 1.0
    gold = args.gold.resolve()
    if args.fold is not None:
        gold = eval_extract.fold_folder(gold, args.fold)
    rows = eval_extract.predict(gold)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    code = subprocess.call([sys.executable, str(EVALUATOR), str(gold), fh.name, "--strict"])
    Path(fh.name).unlink()
    return code


def main() -> int:
    global USE_MARGINALS
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--marginals", action="store_true")
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--fold", type=int, required=True)
    c.add_argument("--data", type=Path, required=True)
    c.add_argument("--out", type=Path, required=True)
    c.add_argument("--train", type=Path, default=DEFAULT_TRAIN)
    f = sub.add_parser("fit")
    f.add_argument("cands", type=Path, nargs="+")
    f.add_argument("--out", type=Path, required=True)
    f.add_argument("--c", type=float, default=0.3)
    e = sub.add_parser("eval")
    e.add_argument("gold", type=Path, nargs="?", default=DEFAULT_TRAIN)
    e.add_argument("--fold", type=int)
    e.add_argument("--data", type=Path)
    e.add_argument("--stage", type=Path)
    e.add_argument("--add", type=float, default=2.0, help="2: add nothing")
    e.add_argument("--drop", type=float, default=0.0, help="0: drop nothing")
    e.add_argument("--bound", type=float, default=2.0, help="2: move no boundary")
    e.add_argument("--posterior", action="store_true")
    e.add_argument("--in-bias", type=float, default=0.0)
    args = ap.parse_args()
    USE_MARGINALS = args.marginals
    return {"collect": collect, "fit": fit, "eval": evaluate}[args.cmd](args)


if __name__ == "__main__":
    raise SystemExit(main())
