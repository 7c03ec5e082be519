"""Speaker/kind accuracy of the source resolver on the seed gold (../shared/seeds).

Usage: .venv/bin/python bench/speakers.py [--verbose] [--extractor] [--train N]

Feeds the GOLD claims' spans (source, cue, content) of each seed article through
``resolve_claims`` and counts gold claims whose resolved speaker (case-insensitive,
titles and a leading article stripped) and source kind both match the gold.
With --extractor it also runs ``extract_claims`` on each article, matches its
claims to gold claims by overlapping content, and reports the same share over
the gold claims the extractor finds. Prints the timing per article as well.
With --train N it extracts the first N PolNeAR train texts (sorted by name) once,
then times ``resolve_claims`` alone over them: CPU ms per article on the first pass
(the run caches start empty, as in a fresh ``claimtrack extract`` process) and on a
second pass.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from claimtrack.models import Claim, ResolvedClaim, Span
from claimtrack.sources import resolve_claims

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "seeds"
REPEAT = 20
_TITLES = re.compile(r"^(?:the|a|an|mr\.?|mrs\.?|ms\.?|dr\.?)\s+", re.I)


def norm_speaker(name: str | None) -> str | None:
    if name is None:
        return None
    value = " ".join(name.replace("\u2019", "'").split()).lower()
    while True:
        new = _TITLES.sub("", value)
        if new == value:
            return value
        value = new


def span(d: dict | None) -> Span | None:
    return None if d is None else Span(text=d["text"], start=d["start"], end=d["end"])


def gold_by_doc() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for line in (SEEDS / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.setdefault(row["document"], []).append(row)
    return out


def read(doc: str) -> str:
    with open(SEEDS / doc, encoding="utf-8", newline="") as fh:
        return fh.read()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--extractor", action="store_true")
    ap.add_argument("--train", type=int, default=0, metavar="N")
    args = ap.parse_args(argv)
    if args.train:
        return train_timing(args.train)
    if not SEEDS.is_dir():
        print(f"no seeds at {SEEDS}", file=sys.stderr)
        return 1
    total = ok = 0
    times = []
    for doc, rows in sorted(gold_by_doc().items()):
        text = read(doc)
        claims = [
            Claim(source=span(r["source"]), cue=span(r["cue"]), content=span(r["content"]))
            for r in rows
        ]
        resolved = resolve_claims(text, claims)
        t0 = time.process_time()
        for _ in range(REPEAT):
            resolve_claims(text, claims)
        times.append((time.process_time() - t0) / REPEAT)
        for r, rc in zip(rows, resolved, strict=True):
            sp = rc.speaker
            name = sp.name if sp and sp.named else None  # as the extract contract writes it
            kind = sp.kind.value if sp else "unknown"
            good = norm_speaker(name) == norm_speaker(r["speaker"]) and kind == r["source_kind"]
            total += 1
            ok += good
            if args.verbose or not good:
                src = r["source"]["text"] if r["source"] else None
                mark = "ok  " if good else "MISS"
                print(
                    f"{mark} {doc[:3]} {src!r:45} -> {name!r} {kind}"
                    f"   gold {r['speaker']!r} {r['source_kind']}"
                )
    print(f"gold spans: {ok}/{total} = {100 * ok / total:.1f}% speaker+kind correct")
    print(
        f"resolve_claims: {1000 * sum(times) / len(times):.2f} ms CPU per article "
        f"(mean of {len(times)} articles x {REPEAT} runs, lexicons loaded)"
    )
    if args.extractor:
        extractor_figures(args.verbose)
    return 0


def train_timing(n: int) -> int:
    from claimtrack.extract import extract_claims

    train = SHARED / "corpora" / "polnear" / "train" / "text"
    if not train.is_dir():
        print(f"no PolNeAR train at {train}", file=sys.stderr)
        return 1
    names = sorted(p.name for p in train.iterdir() if p.suffix == ".txt")
    docs = []
    for name in names[: n + 1]:
        with open(train / name, encoding="utf-8", newline="") as fh:
            text = fh.read()
        docs.append((text, extract_claims(text)))
    warm, docs = docs[-1], docs[:-1]  # lexicons loaded on an article outside the timed set
    resolve_claims(*warm)
    for label in ("first pass", "second pass"):
        t0 = time.process_time()
        for text, claims in docs:
            resolve_claims(text, claims)
        ms = 1000 * (time.process_time() - t0) / len(docs)
        print(f"resolve_claims over {len(docs)} PolNeAR train articles, {label}: {ms:.2f} ms CPU")
    return 0


def _overlap(a: Span, b: dict) -> int:
    return max(0, min(a.end, b["end"]) - max(a.start, b["start"]))


def extractor_figures(verbose: bool) -> None:
    from claimtrack.extract import extract_claims

    found = ok = total = 0
    with_source = ok_source = 0
    for doc, rows in sorted(gold_by_doc().items()):
        text = read(doc)
        claims = extract_claims(text)
        resolved = resolve_claims(text, claims)
        for r in rows:
            total += 1

            # the extracted claim whose content overlaps the gold content most; among
            # overlapping ones, one whose source matches the gold source first (both none,
            # or overlapping: "Russia reportedly relocates ..." is its own impersonal claim,
            # not the minister's warning that contains it)
            def rank(rc: ResolvedClaim, r: dict = r) -> tuple[bool, int]:
                same = (rc.claim.source is None and r["source"] is None) or (
                    rc.claim.source is not None
                    and r["source"] is not None
                    and _overlap(rc.claim.source, r["source"]) > 0
                )
                return (
                    same and _overlap(rc.claim.content, r["content"]) > 0,
                    _overlap(rc.claim.content, r["content"]),
                )

            best = max(resolved, key=rank, default=None)
            if best is None or _overlap(best.claim.content, r["content"]) == 0:
                continue
            found += 1
            sp = best.speaker
            name = sp.name if sp and sp.named else None  # as the extract contract writes it
            kind = sp.kind.value if sp else "unknown"
            good = norm_speaker(name) == norm_speaker(r["speaker"]) and kind == r["source_kind"]
            ok += good
            ps, gs = best.claim.source, r["source"]
            same_source = (ps is None and gs is None) or (
                ps is not None and gs is not None and _overlap(ps, gs) > 0
            )
            if same_source:
                with_source += 1
                ok_source += good
            if verbose or not good:
                src = best.claim.source.text if best.claim.source else None
                print(
                    f"{'ok  ' if good else 'MISS'} {doc[:3]} extracted {src!r:40} -> {name!r}"
                    f" {kind}   gold {r['speaker']!r} {r['source_kind']}"
                )
    share = 100 * ok / found if found else 0.0
    share_s = 100 * ok_source / with_source if with_source else 0.0
    print(
        f"extractor: of {with_source} found claims whose source span matches the gold source "
        f"(both none, or overlapping), {ok_source} = {share_s:.1f}% speaker+kind correct"
    )
    print(
        f"extractor: finds {found}/{total} gold claims; of those {ok}/{found} = {share:.1f}% "
        "speaker+kind correct"
    )


if __name__ == "__main__":
    raise SystemExit(main())
