"""Pronoun sources in PolNeAR dev: share resolved to the right name.

Usage: .venv/bin/python bench/pronouns.py [--verbose] [--split dev|train] [--refs FILE]

With no option: the dev sets below, then the train set. ``--split train`` scores only
bench/pronoun_refs_train.tsv (PolNeAR train; the development set once dev's items were all
used), ``--split dev`` only the dev sets; ``--refs FILE`` scores one reference file of that
split (``--split`` defaults to dev). ``--verbose`` prints the misses, never for held-out set 2.

Reference sets: bench/pronoun_refs.tsv (121 items, every third pronoun source;
looked at while developing the resolver), bench/pronoun_refs_heldout.tsv (two
batches of 40 other items labelled afterwards; see the figures in its header; looked
at since) and bench/pronoun_refs_heldout2.tsv (every remaining pronoun source, 149
items, labelled by reading the articles before the resolver ran on them: 120/149 =
80.5% on first sight; its misses were never looked at while changing the resolver,
only its score — the honest figure). bench/pronoun_refs_train.tsv: 169 PolNeAR train pronoun
sources, weighted towards they/it/she, labelled by reading the articles before the resolver ran
on them (first-sight score in its header); used to develop the rules after dev was exhausted.

Reads ../shared/corpora/polnear/dev (first .ann file per article by name, as the
shared evaluators do), turns every gold attribution into a Claim (source, cue,
content pieces), runs ``resolve_claims`` per article, and compares the speaker
of each sampled pronoun source with the referent in bench/pronoun_refs.tsv.
A resolution is right when the names match after folding case, or when both
are person names with the same surname and compatible first names ("Donald J.
Trump" for "Donald Trump", "Obama" for "Barack Obama"), or the resolver's name is the
reference's first name alone ("Ellie" for "Ellie McKinley": the article never gives
her surname; added with held-out set 2, where it changes no item). Added with the train set
(before any resolver change it prompted): the entity table's name for the reference is right
("X (Twitter)" for "Twitter", "Republican Party" for "Republicans": the table's aliases), and a
group is right when each member is ("Todd Wilcox and Carlos Beruff" for "Wilcox and Beruff").
These two rules alone, on the resolver of 5ffbc11: train 97 -> 104/169, held-out set 2
123 -> 126/149 (it +1, they +2), the other dev sets unchanged. A leading article of a thing's
reference ("the ad") is dropped (also before any resolver change).

After the train-driven rules (resolver at 66befd8): train 130/169 = 76.9% (they 29/45, it
26/39, she 37/40, he 29/35); dev sample 110/121, held-out batches 39/40 and 34/40; held-out
set 2 130/149 = 87.2% (he 94/101, she 25/28, they 7/10, it 4/9, her 0/1) -- 125/149 = 83.9%
with the scorer of 5ffbc11 (123/149 before).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

from claimtrack.models import Claim, Span
from claimtrack.sources import resolve_claims
from claimtrack.sources.lexicon import default_table, fold
from claimtrack.sources.mentions import first_names_compatible

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared"
DEV = SHARED / "corpora" / "polnear" / "dev"
TRAIN = SHARED / "corpora" / "polnear" / "train"
REFS = HERE / "pronoun_refs.tsv"
HELDOUT = HERE / "pronoun_refs_heldout.tsv"
HELDOUT2 = HERE / "pronoun_refs_heldout2.tsv"
TRAIN_REFS = HERE / "pronoun_refs_train.tsv"
_AND = re.compile(r",? and |, ")
_RECORD = re.compile(r"^(?:[TERAMN#]\d+)\t")


def read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def first_ann(stem: str, corpus: Path = DEV) -> Path | None:
    names = sorted(n for n in os.listdir(corpus / "attributions") if n.endswith(".ann"))
    if f"{stem}.ann" in names:
        return corpus / "attributions" / f"{stem}.ann"
    for n in names:
        if n[:-4].rsplit("_", 1)[0] == stem:
            return corpus / "attributions" / n
    return None


def parse_brat(raw: str) -> list[dict[str, list[tuple[int, int]]]]:
    records: list[str] = []
    for line in raw.rstrip("\n").split("\n"):
        if _RECORD.match(line) or not records:
            records.append(line)
        else:
            records[-1] += "\n" + line
    spans: dict[str, list[tuple[int, int]]] = {}
    out = []
    for rec in records:
        if rec.startswith("T"):
            tid, middle = rec.split("\t")[:2]
            offsets = middle.partition(" ")[2]
            spans[tid] = [(int(a), int(b)) for a, b in (p.split() for p in offsets.split(";"))]
        elif rec.startswith("E"):
            args = rec.split("\t")[1].split()[1:]
            roles: dict[str, list[tuple[int, int]]] = {"source": [], "cue": [], "content": []}
            for arg in args:
                role, _, tid = arg.partition(":")
                role = role.rstrip("0123456789").lower()
                if role in roles and tid in spans:
                    roles[role].extend(spans[tid])
            if roles["content"]:
                out.append(roles)
    return out


def claims_of(text: str, ann: Path) -> list[Claim]:
    claims = []
    for a in parse_brat(read(ann)):
        src, cue, con = sorted(a["source"]), sorted(a["cue"]), sorted(a["content"])
        pieces = tuple(Span.of(text, s, e) for s, e in con)
        claims.append(
            Claim(
                source=Span.of(text, src[0][0], src[-1][1]) if src else None,
                cue=Span.of(text, cue[0][0], cue[-1][1]) if cue else None,
                content=Span.of(text, con[0][0], con[-1][1]),
                content_spans=pieces if len(pieces) > 1 else (),
            )
        )
    claims.sort(key=lambda c: c.content.start)
    return claims


def same_referent(got: str | None, ref: str) -> bool:
    if got is None:
        return False
    a, b = fold(got).replace(".", "").split(), fold(ref).replace(".", "").split()
    if a == b:
        return True
    if len(b) > 1 and b[0] in ("the", "a", "an") and not ref[:1].isupper():
        b = b[1:]  # "the ad": the resolver names a thing without its article
    entry = default_table().lookup(ref)
    if entry is not None and fold(entry.name) == fold(got):
        return True  # the table's name for the reference ("X (Twitter)" for "Twitter")
    ga, gb = _AND.split(got), _AND.split(ref)
    if len(ga) == len(gb) > 1:  # a group: each member ("Todd Wilcox and ..." for "Wilcox and ...")
        return all(same_referent(x, y) for x, y in zip(ga, gb, strict=True))
    if (
        len(a) == 1
        and len(b) > 1
        and a[0] == b[0]
        and got[:1].isupper()
        and all(w[:1].isupper() for w in ref.split())
        and a[0] not in ("the", "a", "an", "new")
    ):
        return True  # a person the article names by first name only ("Ellie")
    if not a or not b or a[-1] != b[-1]:
        return False
    if len(a) == 1 or len(b) == 1 or a[-len(b) :] == b or b[-len(a) :] == a:
        return True
    return first_names_compatible(a[0], b[0])


def load_refs(path: Path, only: str | None = None) -> dict[str, list[tuple[int, int, str, str]]]:
    refs: dict[str, list[tuple[int, int, str, str]]] = {}
    for line in read(path).splitlines():
        if not line or line.startswith("#") or line.startswith("stem\t"):
            continue
        stem, start, end, pron, ref = line.split("\t")[:5]
        batch = line.split("\t")[5] if line.count("\t") >= 5 else ""
        if only is None or batch == only:
            refs.setdefault(stem, []).append((int(start), int(end), pron, ref))
    return refs


def score(
    label: str,
    path: Path,
    verbose: bool,
    timing: bool,
    only: str | None = None,
    corpus: Path = DEV,
) -> None:
    refs = load_refs(path, only)
    right = total = 0
    elapsed = 0.0
    chars = n_claims = 0
    by_pron: dict[str, list[int]] = {}
    for stem, items in sorted(refs.items()):
        text = read(corpus / "text" / f"{stem}.txt")
        ann = first_ann(stem, corpus)
        if ann is None:
            continue
        claims = claims_of(text, ann)
        resolved = resolve_claims(text, claims)
        if timing:
            t0 = time.process_time()
            for _ in range(5):
                resolve_claims(text, claims)
            elapsed += (time.process_time() - t0) / 5
        chars += len(text)
        n_claims += len(claims)
        by_span = {
            (r.claim.source.start, r.claim.source.end): r for r in resolved if r.claim.source
        }
        for start, end, pron, ref in items:
            rc = by_span.get((start, end))
            got = rc.speaker.name if rc is not None and rc.speaker is not None else None
            ok = same_referent(got, ref)
            total += 1
            right += ok
            tally = by_pron.setdefault(pron.lower(), [0, 0])
            tally[0] += ok
            tally[1] += 1
            if verbose and not ok:
                print(f"MISS {stem[:45]:45} {start:6} {pron:5} -> {got!r:30} ref {ref!r}")
    print(
        f"PolNeAR {corpus.name} pronoun sources, {label}: {right}/{total} = {100 * right / total:.1f}% "
        "resolved to the reference referent"
    )
    print(
        "  by pronoun: "
        + ", ".join(
            f"{p} {a}/{n}" for p, (a, n) in sorted(by_pron.items(), key=lambda kv: -kv[1][1])
        )
    )
    if timing:
        n = len(refs)
        print(
            f"  resolve_claims: {1000 * elapsed / n:.2f} ms CPU per article (mean over {n} "
            f"articles, {chars // n} characters and {n_claims // n} claims on average)"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--split", choices=("dev", "train"), default=None)
    ap.add_argument("--refs", type=Path, default=None, help="one reference file to score")
    args = ap.parse_args(argv)
    corpus = TRAIN if args.split == "train" else DEV
    if not corpus.is_dir():
        print(f"no PolNeAR {corpus.name} at {corpus}", file=sys.stderr)
        return 1
    if args.refs is not None:
        if args.refs.resolve() == HELDOUT2.resolve() and args.verbose:
            print("held-out set 2: score only, never its misses", file=sys.stderr)
            return 2
        score(args.refs.name, args.refs, args.verbose, timing=True, corpus=corpus)
        return 0
    if args.split != "dev" and TRAIN.is_dir():
        score(
            "train sample (169, used in development; first sight in its header)",
            TRAIN_REFS,
            args.verbose,
            timing=True,
            corpus=TRAIN,
        )
    if args.split == "train":
        return 0
    score("sample (121, used in development)", REFS, args.verbose, timing=True)
    score(
        "held-out batch 1 (40; 77.5% before the fixes it prompted)",
        HELDOUT,
        args.verbose,
        timing=False,
        only="1",
    )
    score(
        "held-out batch 2 (40; 70.0% on first sight)", HELDOUT, args.verbose, timing=False, only="2"
    )
    # the honest figure: never print its misses while changing the resolver
    score("held-out set 2 (149; 80.5% on first sight)", HELDOUT2, False, timing=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
