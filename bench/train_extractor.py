"""Train the attribution tagger shipped in claimtrack/extract/data/ from PolNeAR train.

    .venv/bin/python bench/train_extractor.py [--polnear ../shared/corpora/polnear]
        [--iterations 150] [--cue-iterations 150] [--c1 0.05] [--c2 3.0] [--cue-c2 8.0]
        [--minfreq 2] [--main-from NPZ | --cue-from NPZ] [--others] [--log FILE]
        [--fold K --out DIR]

Writes ``claimtrack/extract/data/cues.tsv`` (word -> share of its occurrences that
are part of a cue in train) and ``claimtrack/extract/data/tagger.npz`` (the
weights of a linear-chain CRF, BIO over source / cue / content tokens, trained
with python-crfsuite and exported for claimtrack.extract.tagger, which scores
them with numpy; crfsuite is needed for training only). Deterministic:
crfsuite's L-BFGS has no randomness and documents are read in sorted order.
Only the train split is read; dev is for measuring (bench/eval_extract.py).

The hyper-parameters were chosen on train alone: trained on four fifths of it
(articles in sorted order, every fifth one held out) and scored on the held-out
fifth with the whole pipeline (cue exact F1 / source overlap F1 there):
c2 0.01 -> 60.6 / 63.5 (the old setting: train F1 ~97, it memorised), c2 1.0
-> 64.1 / 68.4, c2 3.0 -> 66.1 / 70.3 (chosen), c2 10 -> 65.0 / 70.3 (c1 0.05
throughout; c1 0.2 with c2 0.05: 61.8 / 66.1). The cue-share features of the
word family, neighbours and suffix added 1.3 / 1.1 at c2 1.0. Decoding adds
``api.CUE_BIAS`` (0.5, chosen the same way: 66.1 -> 66.2 / 70.3 -> 70.8) to the
B-C scores.

The cue layer (crf5): a second CRF on the same features whose labels are the
cues only (O / B-C / I-C), stored in the same ``tagger.npz`` (labels ``cue:...``,
weight columns after the main ones, ``cue_trans``). At run time it votes on the
cue labels: ``api.CUE_LAYER_WEIGHT`` times its B-C (I-C) score over its O score is
added to the tagger's B-C (I-C) score, folded into the weights at load, so the
emissions and the one Viterbi cost what they did. Chosen on held-out fold 0
(``--fold 0``; cue exact F1 / source overlap F1 of the whole pipeline; the
source/cue/content layer trained on the same four fifths, as above):
no layer (CUE_BIAS 0.5) 66.28 / 70.82; layer c2 3.0 with weight 0.5 and CUE_BIAS
-1.0 67.68 / 70.91 (weight 0.5, bias -0.5: 67.58 / 71.16; 0.3, 0: 67.49 / 71.17;
0.7, -1.0: 67.31 / 71.18; 1.0, -1.5: 66.27 / 70.94); cue-layer c2 1.0: 67.59 /
71.11; c2 8.0: 67.87 / 70.97 (chosen; weight 0.4, bias -0.75: 67.68; 0.6, -1.25:
67.81; 0.5, -1.25: 67.76); c2 20: 67.74 / 70.64. Checked on fold 1 (both layers
trained on its other four fifths, cue-layer c2 8.0): no layer 63.53 / 68.76; weight
0.5, bias -1.0 64.50 / 67.89 (0.4, -0.75: 64.59 / 68.09; 0.3, -0.5: 64.36 / 68.24;
0.5, -1.25: 64.51 / 68.06): over both folds the vote adds 1.3 cue exact F1 and
costs 0.4 source overlap F1. Tried on fold 0 and not
kept: decoding the layer on its own (a second Viterbi) and adding its cues where
the tagging has none, each with a source and content of its own (c2 3.0: 67.00 /
70.54; in untagged words only: 66.89 / 70.93; together with the vote: 67.83 / 70.87,
+0.15 for a second decode), and the layer's cues replacing the tagger's (67.08 /
69.13). PolNeAR's gold has no cue inside another attribution's content (0 of
19,833 in train; 129 lie between the pieces of a split content), so a cue layer
finds no "nested" cues a one-layer BIO could not represent; it helps as a second
opinion on the long tail of cue words.

Tried after crf5 on fold 0 and not kept (both layers retrained on its four fifths;
crf5 there: 67.87 / 70.97): word-cluster features (bench/build_clusters.py: 67.51 /
70.23, at best 67.84 with another CUE_BIAS); cue shares of each training article
computed without it (a 5-way jackknife over the training articles, so the cue-share
features are as noisy in training as on unseen text; the shipped cues.tsv is from
all): 67.60 / 69.70 (CUE_BIAS -0.5: 67.75 / 70.33; 0.0: 67.24 / 70.47). Both made
the tagger more conservative (cue precision up 3-5 points, recall down 2-4) without
a better trade-off. bench/cue_errors.py breaks a fold's cue errors down.

Sixth session (tried, not shipped): the source/cue/content layer trained with 300 L-BFGS
iterations instead of 150 (the cue layer kept at 150: ``--cue-iterations``). At 150 the main
layer stops far from converged (fold 0: loss 53,660, error norm 6,376; at 300: 52,227 and
2,531; ~1-3 s an iteration on the shared machine, 14-23 min a run). Held-out folds (cue
exact F1 / source / content / attribution overlap F1; the same cue layer in both runs):
fold 0 67.87 / 70.97 / 84.87 / 81.52 -> 68.00 / 70.91 / 84.65 / 81.33; fold 1 64.50 /
67.89 / 83.19 / 79.23 -> 64.62 / 68.81 / 83.25 / 79.43: cue exact +0.13 / +0.12, the
overlaps mixed (attribution -0.19 / +0.20), within the spread between folds. Fold 0,
CUE_BIAS with the 300-iteration model (in process): -0.75 67.85, -1.0 68.00, -1.25 68.02
(attribution 81.30 / 81.33 / 81.25). Trained on all of train (``--iterations 300``) it
measured on dev cue exact 66.15 -> 66.13, attribution overlap 80.86 -> 80.80 and on the
seeds attribution overlap 82.10 -> 80.80, and lost a test claim ("did not specify"); not
shipped. Also tried on fold 0: the 16 multiply annotated train articles' other annotators'
``.ann`` files as extra training sequences (``--others``: 54 extra sequences in fold 0's
four fifths; 150 iterations, crf5's cue layer): 67.87 / 71.08 / 84.50 / 81.24, no gain.

Seventh session (tried, not shipped): ``--extra`` adds experimental templates to both layers
(``extra_features``: first-of-cue and bigram-in-cue shares, a +-2 cue-share window and the
cue-share triple, distances to the sentence's edges and to the nearest quote mark, a
capitalised word earlier in the sentence); ``bench/eval_extract.py --extra`` scores them.
Fold 0 (cue exact F1 / attribution overlap F1; crf5 67.87 / 81.52): all eleven 66.76 / 81.26
(CUE_BIAS -2.0: 66.90 / 80.91); without the boundary shares 67.36 / 80.06 (bias -0.5: 67.86 /
80.57); the structure templates alone 67.77 / 80.98 (bias -0.5: 67.95 / 81.24); the boundary shares
alone 67.27 / 80.74 (bias -0.5: 67.52 / 81.14). None gained;
docs/extraction.md has the details.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from claimtrack.extract.features import (  # noqa: E402
    _BUCKET_TABLE,
    STEM_MARK,
    block_features,
    family,
    prob_bucket,
)
from claimtrack.extract.text import QUOTES, analyse  # noqa: E402

DATA = REPO / "claimtrack" / "extract" / "data"
DEFAULT_POLNEAR = REPO.parent / "shared" / "corpora" / "polnear"
ROLES = ("source", "cue", "content")
TAG = {"source": "S", "cue": "C", "content": "T"}


# --------------------------------------------------------------------------
# reading PolNeAR (brat standoff; the first .ann by file name is the gold)
# --------------------------------------------------------------------------


def read_text(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def parse_brat(raw: str) -> list[dict[str, list[tuple[int, int]]]]:
    """Attributions as {"source"|"cue"|"content": [(start, end), ...]}."""
    if raw.endswith("\n"):
        raw = raw[:-1]
    records: list[str] = []
    for line in raw.split("\n"):
        head = line.split("\t", 1)[0]
        if (head[:1] in "TERAMN#*" and (head[1:].isdigit() or head[:1] in "#*")) or not records:
            records.append(line)
        else:
            records[-1] += "\n" + line
    spans: dict[str, list[tuple[int, int]]] = {}
    events: list[list[str]] = []
    for record in records:
        if record.startswith("T"):
            parts = record.split("\t")
            _label, _, offsets = parts[1].partition(" ")
            frags = []
            for piece in offsets.split(";"):
                s, e = piece.split()
                frags.append((int(s), int(e)))
            spans[parts[0]] = frags
        elif record.startswith("E"):
            parts = record.split("\t")
            events.append(parts[1].split() if len(parts) > 1 else [])
    out = []
    for args in events:
        roles: dict[str, list[tuple[int, int]]] = {r: [] for r in ROLES}
        for arg in args[1:]:
            role, _, tid = arg.partition(":")
            role = role.rstrip("0123456789").lower()
            if role in roles and tid in spans:
                roles[role].extend(spans[tid])
        if any(roles.values()):
            out.append(roles)
    return out


def load_split(
    folder: Path, others: bool = False
) -> list[tuple[str, str, list[dict[str, list[tuple[int, int]]]]]]:
    """(stem, text, gold attributions) for every article of a PolNeAR-style folder.

    With ``others``, an article annotated by several people also yields one entry for each
    of its other annotators' ``.ann`` files (after the gold one: extra training sequences).
    """
    attr_dir = folder / "attributions"
    names = sorted(os.listdir(attr_dir)) if attr_dir.is_dir() else []
    docs = []
    for name in sorted(os.listdir(folder / "text")):
        if not name.endswith(".txt"):
            continue
        stem = name[:-4]
        anns = [
            n
            for n in names
            if n == stem + ".ann" or (n.startswith(stem + "_") and n.endswith(".ann"))
        ]
        anns = [n for n in anns if n == stem + ".ann" or "_" not in n[len(stem) + 1 : -4]]
        if stem + ".ann" in anns:
            anns = [stem + ".ann"]
        text = read_text(folder / "text" / name)
        gold = parse_brat(read_text(attr_dir / anns[0])) if anns else []
        docs.append((stem, text, gold))
        if others:
            for extra in anns[1:]:
                docs.append((stem, text, parse_brat(read_text(attr_dir / extra))))
    return docs


# --------------------------------------------------------------------------
# labels
# --------------------------------------------------------------------------


def token_labels(
    doc_starts: list[int], doc_ends: list[int], gold: list[dict[str, list[tuple[int, int]]]]
) -> list[str]:
    """BIO labels per token; a token touched by a span takes its role (cue > source > content)."""
    import bisect

    n = len(doc_starts)
    role_of: list[str | None] = [None] * n
    piece_of: list[int] = [-1] * n
    priority = {"cue": 3, "source": 2, "content": 1}
    piece_id = 0
    for attribution in gold:
        for role in ROLES:
            for s, e in attribution[role]:
                piece_id += 1
                first = bisect.bisect_right(doc_ends, s)
                last = bisect.bisect_left(doc_starts, e)
                for t in range(first, last):
                    cur = role_of[t]
                    if cur is None or priority[role] > priority[cur]:
                        role_of[t] = role
                        piece_of[t] = piece_id
    labels = []
    for t in range(n):
        role = role_of[t]
        if role is None:
            labels.append("O")
        elif t and role_of[t - 1] == role and piece_of[t - 1] == piece_of[t]:
            labels.append("I-" + TAG[role])
        else:
            labels.append("B-" + TAG[role])
    return labels


def cue_lexicon(
    docs: list[tuple[str, str, list[dict[str, list[tuple[int, int]]]]]],
    boundary: bool = False,
) -> dict[str, float]:
    """Cue shares of words and word families; with ``boundary`` (``--extra`` fp / bc-,
    bc+) also "^word" (share of its occurrences that begin a cue) and "+a b" (share of the
    bigram's occurrences inside one cue)."""
    seen: Counter[str] = Counter()
    cue: Counter[str] = Counter()
    first: Counter[str] = Counter()
    seen2: Counter[str] = Counter()
    cue2: Counter[str] = Counter()
    for _stem, text, gold in docs:
        d = analyse(text)
        labels = token_labels(d.starts, d.ends, gold)
        lows = [w.lower() for w in d.words]
        for lw, lab in zip(lows, labels, strict=True):
            seen[lw] += 1
            if lab.endswith("-C"):
                cue[lw] += 1
            if lab == "B-C":
                first[lw] += 1
        if boundary:
            for i in range(len(lows) - 1):
                key = PAIR_MARK + lows[i] + " " + lows[i + 1]
                seen2[key] += 1
                if labels[i].endswith("-C") and labels[i + 1] == "I-C":
                    cue2[key] += 1
    # Laplace-smoothed share; rare words keep a low share
    out = {w: round(c / (seen[w] + 2), 3) for w, c in cue.items() if c >= 2}
    if boundary:
        out.update(
            {FIRST_MARK + w: round(c / (seen[w] + 2), 3) for w, c in first.items() if c >= 2}
        )
        out.update({k: round(c / (seen2[k] + 2), 3) for k, c in cue2.items() if c >= 2})
    # the same per word family ("~pledg": pledge, pledges, pledged, pledging)
    fam_seen: Counter[str] = Counter()
    fam_cue: Counter[str] = Counter()
    for w, k in seen.items():
        fam_seen[family(w)] += k
    for w, k in cue.items():
        fam_cue[family(w)] += k
    for f, c in fam_cue.items():
        if c >= 2:
            out[STEM_MARK + f] = round(c / (fam_seen[f] + 2), 3)
    return out


# --------------------------------------------------------------------------
# experimental templates (seventh session, not shipped): ``--extra``
# --------------------------------------------------------------------------

FIRST_MARK = "^"  # cues.tsv key "^word": share of the word's occurrences that begin a cue
PAIR_MARK = "+"  # cues.tsv key "+a b": share of the bigram's occurrences inside one cue
EXTRA_TEMPLATES = ("fp", "bc-", "bc+", "cp-2", "cp+2", "cc", "ds", "de", "ql", "qr", "cap")


def _pos_bucket(d: int) -> str:
    return _BUCKET_TABLE[d] if d < len(_BUCKET_TABLE) else "21+"


def extra_features(
    words: Sequence[str],
    sent: Sequence[int],
    cue_prob: Mapping[str, float],
    keep: Collection[str] = EXTRA_TEMPLATES,
) -> list[list[str]]:
    """The experimental templates of one block's tokens (its words and sentence ids).

    fp: the word's first-of-cue share; bc- / bc+: the cue share of the bigram with the
    previous / next word (boundary information); cp-2 / cp+2: the cue share of the words
    two away; cc: the (previous, this, next) cue-share triple; ds / de: the distance from
    the sentence's start / to its end; ql / qr: the distance to the nearest quote mark on
    the left / right within the sentence; cap: whether a capitalised word stands earlier
    in the sentence (after its first token). Shares are ``prob_bucket`` classes.
    """
    n = len(words)
    lows = [w.lower() for w in words]
    get = cue_prob.get
    cp = [prob_bucket(get(w, 0.0)) for w in lows]
    fp = [prob_bucket(get(FIRST_MARK + w, 0.0)) for w in lows]
    pair = [prob_bucket(get(PAIR_MARK + lows[i] + " " + lows[i + 1], 0.0)) for i in range(n - 1)]
    start = [0] * n
    for i in range(1, n):
        start[i] = start[i - 1] if sent[i] == sent[i - 1] else i
    end = [n - 1] * n
    for i in range(n - 2, -1, -1):
        end[i] = end[i + 1] if sent[i] == sent[i + 1] else i
    ql = ["none"] * n
    last = -1
    for i in range(n):
        if start[i] == i:
            last = -1
        if last >= 0:
            ql[i] = _pos_bucket(i - last)
        if lows[i] in QUOTES:
            last = i
    qr = ["none"] * n
    last = -1
    for i in range(n - 1, -1, -1):
        if end[i] == i:
            last = -1
        if last >= 0:
            qr[i] = _pos_bucket(last - i)
        if lows[i] in QUOTES:
            last = i
    caps = [False] * n
    seen = False
    for i in range(n):
        if start[i] == i:
            seen = False
        caps[i] = seen
        if i > start[i] and words[i][:1].isupper():
            seen = True
    out = []
    for i in range(n):
        f = [
            "fp=" + fp[i],
            "bc-=" + (pair[i - 1] if i else "<s>"),
            "bc+=" + (pair[i] if i + 1 < n else "</s>"),
            "cp-2=" + (cp[i - 2] if i >= 2 else "<s>"),
            "cp+2=" + (cp[i + 2] if i + 2 < n else "</s>"),
            "cc="
            + (cp[i - 1] if i else "<s>")
            + "|"
            + cp[i]
            + "|"
            + (cp[i + 1] if i + 1 < n else "</s>"),
            "ds=" + _pos_bucket(i - start[i]),
            "de=" + _pos_bucket(end[i] - i),
            "ql=" + ql[i],
            "qr=" + qr[i],
            "cap=" + ("T" if caps[i] else "F"),
        ]
        out.append([x for x in f if x[: x.index("=")] in keep])
    return out


def parse_extra(value: str | None) -> list[str]:
    """``--extra``'s comma-separated template names (checked)."""
    keep = [x for x in (value or "").split(",") if x]
    bad = [x for x in keep if x not in EXTRA_TEMPLATES]
    if bad:
        raise SystemExit(f"--extra: unknown template(s) {bad}; known: {EXTRA_TEMPLATES}")
    return keep


CUE_LAYER = "cue:"  # the cue layer's labels in tagger.npz: "cue:O", "cue:B-C", "cue:I-C"


def cue_only(labels: list[str]) -> list[str]:
    """The cue layer's labels: every gold cue, nested ones too, and nothing else."""
    return [lab if lab.endswith("-C") else "O" for lab in labels]


Layer = tuple[list[str], dict[tuple[str, str], float], Any]  # labels, weights, transitions


def _stored(attr: str) -> str | None:
    """A feature's name in tagger.npz: a bigram's two words split by a tab (no parsing at load)."""
    from claimtrack.extract.tagger import split_pair

    if attr[:3] in ("b-=", "b+="):
        pair = split_pair(attr[3:])
        return None if pair is None else attr[:3] + pair[0] + "\t" + pair[1]
    return attr


def _read_crf(path: Path) -> Layer:
    """A crfsuite model's labels, non-zero state weights by (stored name, label), transitions."""
    import numpy as np
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    info = tagger.info()
    labels = sorted(info.labels, key=lambda x: int(info.labels[x]))
    lid = {lab: k for k, lab in enumerate(labels)}
    trans = np.zeros((len(labels), len(labels)), dtype=np.float32)
    for (a, b), w in info.transitions.items():
        trans[lid[a], lid[b]] = w
    feats: dict[tuple[str, str], float] = {}
    for (attr, lab), w in info.state_features.items():
        name = _stored(attr)
        if w != 0.0 and name is not None:
            feats[(name, lab)] = w
    return labels, feats, trans


def _read_npz(path: Path, *, cue: bool = False) -> Layer:
    """A layer of an exported ``tagger.npz``: the source/cue/content layer (to add a cue
    layer to it) or, with ``cue``, the cue layer (to reuse beside a retrained main layer)."""
    import numpy as np

    with np.load(path, allow_pickle=False) as z:
        labels = bytes(z["labels"]).decode("utf-8").split("\n")
        names = bytes(z["names"]).decode("utf-8").split("\n")
        weights = np.asarray(z["weights"])
        trans = np.asarray(z["cue_trans" if cue else "trans"])
    cols = [k for k, lab in enumerate(labels) if lab.startswith(CUE_LAYER) == cue]
    strip = len(CUE_LAYER) if cue else 0
    feats: dict[tuple[str, str], float] = {}
    for r, c in zip(*np.nonzero(weights[:, cols]), strict=True):
        feats[(names[r], labels[cols[c]][strip:])] = float(weights[r, cols[c]])
    return [labels[k][strip:] for k in cols], feats, trans


def export_weights(main: Layer, out: Path, cue_layer: Layer | None = None) -> int:
    """The CRF's weights as ``tagger.npz`` for claimtrack.extract.tagger (no crfsuite at run time).

    ``labels``: the label names ("\\n"-joined UTF-8); ``names``: every attribute with a
    non-zero weight, sorted (a bigram's "x|y" stored as "x<TAB>y"); ``weights``: float32
    (attributes x labels); ``trans``: float32 (labels x labels), from-label by row. With
    ``cue_layer`` (the cue-only CRF, same features) its labels follow, prefixed ``cue:``, its
    weight columns follow in ``weights`` and its transitions are ``cue_trans``. Returns the
    number of attributes.
    """
    import io

    import numpy as np

    layers = [main]
    if cue_layer is not None:
        labels, feats, trans = cue_layer
        layers.append(
            (
                [CUE_LAYER + lab for lab in labels],
                {(a, CUE_LAYER + lab): w for (a, lab), w in feats.items()},
                trans,
            )
        )
    all_labels = [lab for labels, _, _ in layers for lab in labels]
    lid = {lab: k for k, lab in enumerate(all_labels)}
    names = sorted({a for _, feats, _ in layers for (a, _lab) in feats})
    aid = {a: k for k, a in enumerate(names)}
    weights = np.zeros((len(names), len(all_labels)), dtype=np.float32)
    for _, feats, _ in layers:
        for (a, lab), w in feats.items():
            weights[aid[a], lid[lab]] = w
    arrays: dict[str, Any] = {
        "labels": np.frombuffer("\n".join(all_labels).encode("utf-8"), dtype=np.uint8),
        "names": np.frombuffer("\n".join(names).encode("utf-8"), dtype=np.uint8),
        "weights": weights,
        "trans": np.asarray(main[2], dtype=np.float32),
    }
    if cue_layer is not None:
        arrays["cue_trans"] = np.asarray(cue_layer[2], dtype=np.float32)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    out.write_bytes(buf.getvalue())
    return len(names)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--polnear", type=Path, default=DEFAULT_POLNEAR)
    ap.add_argument("--iterations", type=int, default=150)
    ap.add_argument("--c1", type=float, default=0.05)
    ap.add_argument("--c2", type=float, default=3.0)
    ap.add_argument("--minfreq", type=float, default=2)
    ap.add_argument("--out", type=Path, default=DATA)
    ap.add_argument(
        "--no-cue-layer", action="store_true", help="train the source/cue/content CRF only"
    )
    ap.add_argument("--cue-c2", type=float, default=8.0, help="c2 of the cue layer")
    ap.add_argument(
        "--main-from",
        type=Path,
        help="take the source/cue/content layer from this tagger.npz (trained on the same "
        "articles) and train the cue layer only",
    )
    ap.add_argument(
        "--cue-from",
        type=Path,
        help="take the cue layer from this tagger.npz (trained on the same articles) and "
        "train the source/cue/content layer only",
    )
    ap.add_argument(
        "--cue-iterations", type=int, default=150, help="L-BFGS iterations of the cue layer"
    )
    ap.add_argument(
        "--others",
        action="store_true",
        help="add the other annotators' .ann files of multiply annotated articles as extra "
        "training sequences (the cue shares stay those of the gold annotations)",
    )
    ap.add_argument(
        "--log", type=Path, help="write crfsuite's per-iteration log (loss, norms, time) here"
    )
    ap.add_argument(
        "--extra",
        help="experimental templates, comma-separated (" + ",".join(EXTRA_TEMPLATES) + "); "
        "score with bench/eval_extract.py --extra the same",
    )
    ap.add_argument(
        "--fold",
        type=int,
        help="hold out the articles whose sorted index is FOLD mod 5 (train on the rest; "
        "write to --out, then score with bench/eval_extract.py --data OUT --fold FOLD)",
    )
    args = ap.parse_args()

    import pycrfsuite

    t0 = time.time()
    all_docs = load_split(args.polnear / "train", others=args.others)
    stems = sorted({stem for stem, _, _ in all_docs})
    held = set() if args.fold is None else {s for k, s in enumerate(stems) if k % 5 == args.fold}
    docs = [d for d in all_docs if d[0] not in held]
    gold_docs = [d for k, d in enumerate(docs) if k == 0 or d[0] != docs[k - 1][0]]
    print(
        f"train: {len(gold_docs)} articles ({len(docs)} annotated sequences), "
        f"{sum(len(g) for _, _, g in gold_docs)} attributions",
        file=sys.stderr,
    )
    extra = parse_extra(args.extra)
    lex = cue_lexicon(gold_docs, boundary=bool({"fp", "bc-", "bc+"} & set(extra)))
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "cues.tsv", "w", encoding="utf-8", newline="\n") as fh:
        fh.write(
            "# word\tshare of its PolNeAR-train occurrences inside a cue (bench/train_extractor.py)\n"
        )
        for w in sorted(lex, key=lambda k: (-lex[k], k)):
            fh.write(f"{w}\t{lex[w]}\n")

    log = open(args.log, "w", encoding="utf-8") if args.log else None  # noqa: SIM115

    class Trainer(pycrfsuite.Trainer):  # type: ignore[misc]
        def message(self, message: str) -> None:
            super().message(message)  # the log parser (last_iteration)
            if log is not None:
                log.write(message)
                log.flush()

    trainer = Trainer(verbose=False)
    reuse_cue = args.no_cue_layer or args.cue_from is not None
    cue_trainer = None if reuse_cue else Trainer(verbose=False)
    n_tokens = 0
    for _stem, text, gold in docs:
        d = analyse(text)
        labels = token_labels(d.starts, d.ends, gold)
        cues = cue_only(labels)  # cues outrank the other roles: every gold cue is there
        for block in d.blocks:
            xseq = block_features(d, block, lex)
            if extra:
                more = extra_features(
                    d.words[block.first : block.last], d.sent[block.first : block.last], lex, extra
                )
                for f, g in zip(xseq, more, strict=True):
                    f.extend(x.encode("utf-8") for x in g)
            if args.main_from is None:
                trainer.append(xseq, labels[block.first : block.last])
            if cue_trainer is not None:
                cue_trainer.append(xseq, cues[block.first : block.last])
            n_tokens += block.last - block.first
    print(f"features built: {n_tokens} tokens in {time.time() - t0:.0f}s", file=sys.stderr)
    trainer.set_params(
        {
            "c1": args.c1,
            "c2": args.c2,
            "max_iterations": args.iterations,
            "feature.minfreq": args.minfreq,
            "feature.possible_transitions": True,
        }
    )
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        if args.main_from is None:
            crf = Path(tmp) / "tagger.crfsuite"
            trainer.train(str(crf))
            info = trainer.logparser.last_iteration
            print(f"trained in {time.time() - t0:.0f}s; last iteration {info}", file=sys.stderr)
            main = _read_crf(crf)
        else:
            main = _read_npz(args.main_from)
        cue_crf = None
        cue_layer = None if args.cue_from is None else _read_npz(args.cue_from, cue=True)
        if cue_trainer is not None:
            cue_trainer.set_params(
                {
                    "c1": args.c1,
                    "c2": args.cue_c2,
                    "max_iterations": args.cue_iterations,
                    "feature.minfreq": args.minfreq,
                    "feature.possible_transitions": True,
                }
            )
            cue_crf = Path(tmp) / "cues.crfsuite"
            cue_trainer.train(str(cue_crf))
            info = cue_trainer.logparser.last_iteration
            print(f"cue layer in {time.time() - t0:.0f}s; last iteration {info}", file=sys.stderr)
        out = args.out / "tagger.npz"
        if cue_crf is not None:
            cue_layer = _read_crf(cue_crf)
        n_attrs = export_weights(main, out, cue_layer)
    print(
        f"model: {out} ({n_attrs} attributes, {os.path.getsize(out) / 1e6:.1f} MB)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
