"""Candidate and link recall of the link index on FNC-1 train pairs (not the held-out part).

A development measure for candidate generation that uses no seed data: for
each FNC-1 body of the non-held-out train part (bench/fnc1_data.heldout_ids
decides), the body's sentences are indexed as the claims of one article, and
each headline paired with the body is looked up as a claim of another article
(LinkIndex.candidates and LinkIndex.link_one, nothing indexed). A related pair
(agree / disagree / discuss) should make the headline a candidate of (and
linked to) some sentence of the body; an unrelated pair should not.

Printed per stance: the share of pairs where a body sentence is a candidate of
the headline (``cand``), where the headline is linked to a body sentence
(``link``), and where it would be linked if every body sentence were a
candidate (``exhaustive``: the judge run on all pairs, what no candidate
generation can exceed with today's judge); plus candidates judged per
headline. ``--every K`` keeps one body in K (deterministic) to save time.

``--polnear N``: within one article instead. The extractor's claims of the
first N PolNeAR train articles (speaker = the source text) are linked one
article at a time, once by the index as it is and once with every earlier claim
of the article added to its candidates (the bound of any within-article
candidate path with today's judge); the links of the two are compared.

    .venv/bin/python bench/link_recall.py [--every 4] [--polnear 200]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fnc1_data import FNC1, heldout_ids, read_bodies, read_stances  # noqa: E402

from claimtrack.linking import LinkIndex  # noqa: E402
from claimtrack.linking.relate import judge  # noqa: E402
from claimtrack.linking.stance import split_sentences  # noqa: E402
from claimtrack.linking.text import claim_features  # noqa: E402
from claimtrack.models import CaseClaim  # noqa: E402


def run(every: int = 1) -> dict[str, dict[str, float]]:
    bodies = read_bodies(FNC1 / "train_bodies.csv")
    held = heldout_ids(bodies)
    pairs: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for r in read_stances(FNC1 / "train_stances.csv"):
        bid = int(r["Body ID"])
        if bid not in held:
            pairs[bid].append((r["Headline"], r["Stance"]))
    heads: dict[str, int] = {}
    count: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    cid = 0
    for n, bid in enumerate(sorted(pairs)):
        if n % every:
            continue
        sents = [s for s in split_sentences(bodies[bid]) if len(s) >= 20]
        index = LinkIndex()
        feats = []
        for s in sents:
            cid += 1
            feats.append(claim_features(CaseClaim(id=cid, article_id=bid + 1, content=s)))
        index.extend_features(feats)
        for headline, stance in pairs[bid]:
            hid = heads.setdefault(headline, 10_000_000 + len(heads))
            claim = CaseClaim(id=hid, article_id=0, content=headline)
            f = claim_features(claim)
            cands = index.candidates(f)
            links = index.link_one(claim)
            weight = index.weights(set(f.text.concepts).union(*(o.text.concepts for o in feats)))
            exh = any(judge(o, f, weight) is not None for o in feats)
            c = count[stance]
            c[0] += 1
            c[1] += bool(cands)
            c[2] += bool(links)
            c[3] += exh
            c[4] += len(cands)
    out = {}
    for stance, (k, cand, link, exh, ncand) in sorted(count.items()):
        out[stance] = {
            "pairs": k,
            "cand": round(cand / k, 4),
            "link": round(link / k, 4),
            "exhaustive": round(exh / k, 4),
            "cands_per_headline": round(ncand / k, 2),
        }
    return out


def polnear(n: int) -> dict[str, object]:
    from claimtrack.extract.api import extract_many

    paths = sorted((FNC1.parent / "polnear" / "train" / "text").glob("*.txt"))[:n]
    texts = [p.read_text(encoding="utf-8") for p in paths]
    arts = []
    cid = 0
    for a, claims in enumerate(extract_many(texts), 1):
        rows = []
        for c in claims:
            cid += 1
            src = c.source.text if c.source else None
            rows.append(
                CaseClaim(
                    id=cid,
                    article_id=a,
                    content=c.content.text,
                    source_text=src,
                    speaker=src,
                    stance=c.stance,
                    hedged=c.hedged,
                )
            )
        arts.append(rows)

    def links(everything: bool) -> set[tuple[int, int, str]]:
        base = LinkIndex._candidates

        def more(self: LinkIndex, f: object, fids: list[int]) -> list[int]:
            out = base(self, f, fids)  # type: ignore[arg-type]
            rest = [p for p in range(len(self)) if p not in out]
            return out + rest  # one article per index: every earlier claim is of it

        out: set[tuple[int, int, str]] = set()
        LinkIndex._candidates = more if everything else base  # type: ignore[method-assign]
        try:
            for rows in arts:
                out.update((lk.a, lk.b, lk.relation.value) for lk in LinkIndex().add(rows))
        finally:
            LinkIndex._candidates = base  # type: ignore[method-assign]
        return out

    now, every = links(False), links(True)
    return {
        "articles": len(arts),
        "claims": cid,
        "links": len(now),
        "links_all_candidates": len(every),
        "added": sorted(every - now),
        "removed": sorted(now - every),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--every", type=int, default=1)
    ap.add_argument("--polnear", type=int, help="within-article mode on N PolNeAR train articles")
    args = ap.parse_args(argv)
    t0 = time.process_time()
    if args.polnear:
        print(json.dumps(polnear(args.polnear)))
        return 0
    res = run(args.every)
    for stance, row in res.items():
        print(json.dumps({"stance": stance, **row}))
    print(f"cpu {time.process_time() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
