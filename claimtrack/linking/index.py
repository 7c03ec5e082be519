"""An incremental link index over a case's claims.

Claims are kept as compact :class:`ClaimFeatures`; inverted postings map each
concept (salient stem or synonym group, normalised entity, number) to the claims
that carry it. Linking a new claim looks only at the claims that share postings
with it (never all pairs); a posting list that grows past ``max_posting`` claims
marks a term too common to discriminate and is no longer used for candidates.

Claims are processed one at a time in the order given: each is linked against
everything indexed before it, then indexed. Adding claims in two batches
therefore gives exactly the links of one batch, and the result is deterministic.
Each claim keeps at most ``max_links`` links to earlier claims (its best
matches), so a claim repeated across many articles forms a sparse web, not a clique.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import replace
from functools import partial

from claimtrack.linking.relate import Judgement, judge
from claimtrack.linking.text import ClaimFeatures, claim_features, lexicon, shared_words
from claimtrack.models import CaseClaim, Link, Relation

CASE_DF_MIN_CLAIMS = 20
PREFILTER = 0.2  # static-IDF overlap a candidate needs before the full similarity
_PLACES = ("country", "city", "region")


class _Weights(dict[str, float]):
    """Static IDF weights of concepts, looked up once each (``w[c]`` fills a miss)."""

    def __missing__(self, concept: str) -> float:
        w = self[concept] = lexicon().weight(concept)
        return w


class LinkIndex:
    """Claims of one case with postings for candidate generation."""

    def __init__(
        self,
        *,
        max_posting: int = 250,
        max_candidates: int = 12,
        max_links: int = 3,
        max_same_article: int = 1,
    ) -> None:
        self.max_posting = max_posting
        self.max_same_article = max_same_article
        self.max_candidates = max_candidates
        self.max_links = max_links
        self._features: dict[int, ClaimFeatures] = {}
        self._postings: dict[str, list[int]] = {}
        self._saturated: set[str] = set()
        self._base = _Weights()  # memo of the static IDF weights
        self._total: dict[int, float] = {}  # claim id -> sum of its static IDF weights
        self._concepts: dict[int, frozenset[str]] = {}  # claim id -> its concepts
        self._seq: dict[int, int] = {}  # claim id -> its position in indexing order
        self._last: dict[int, ClaimFeatures] = {}  # last indexed claim per article

    def __len__(self) -> int:
        return len(self._features)

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._features

    def ids(self) -> list[int]:
        """Indexed claim ids, in the order they were indexed."""
        return list(self._features)

    def features(self, claim_id: int) -> ClaimFeatures:
        return self._features[claim_id]

    # ------------------------------------------------------------------ build

    def _resolve(self, f: ClaimFeatures) -> ClaimFeatures:
        """An object pronoun ("supply it with") stands for the latest entity of the
        article's previous claim that the claim does not name itself (its subject)."""
        if not f.text.object_pronoun:
            return f
        prev = self._last.get(f.article_id)
        if prev is None:
            return f
        lex = lexicon()
        for c in reversed(prev.text.order):
            if c.startswith("e:") and c[2:] not in f.text.entities:
                key = c[2:]
                tf = f.text
                places = tf.places | {key} if lex.entities[key].kind in _PLACES else tf.places
                tf = replace(
                    tf,
                    concepts=tf.concepts | {c},
                    order=(*tf.order, c),
                    entities=tf.entities | {key},
                    places=places,
                )
                return replace(f, text=tf, norm=" ".join(tf.order))
        return f

    def _insert(self, f: ClaimFeatures) -> None:
        self._features[f.id] = f
        self._seq[f.id] = len(self._seq)
        self._last[f.article_id] = f
        self._total[f.id] = sum(map(self._base.__getitem__, f.text.concepts)) or 1.0
        self._concepts[f.id] = f.text.concepts
        postings = self._postings
        saturated = self._saturated
        for key in f.text.concepts:
            if key in saturated:
                continue
            plist = postings.get(key)
            if plist is None:
                postings[key] = [f.id]
            elif len(plist) >= self.max_posting:
                saturated.add(key)
                del postings[key]
            else:
                plist.append(f.id)

    def extend(self, claims: Iterable[CaseClaim]) -> None:
        """Index claims without linking them (rebuilding a case whose links are stored)."""
        for claim in claims:
            if claim.id not in self._features:
                self._insert(self._resolve(claim_features(claim)))

    # ------------------------------------------------------------------ link

    def candidates(self, f: ClaimFeatures) -> list[int]:
        """Indexed claims sharing postings with ``f``, best first (at most max_candidates).

        A claim sharing at least two postings (one for a claim of three concepts or
        fewer) is a candidate when its static-IDF overlap with ``f``, 0.5 x weighted
        Dice + 0.25 x weighted containment, reaches PREFILTER: below that the full
        similarity (which adds 0.25 x a fuzzy ratio) practically never reaches a link.
        Candidates are ranked by that overlap, not by how many postings they share.
        """
        postings = self._postings
        lists = [postings[k] for k in f.text.concepts if k in postings]
        if not lists:
            return []
        # the claims in at least two of the lists (set operations: no per-id Python work)
        seen: set[int] = set()
        if len(f.text.concepts) > 3:
            pool: set[int] = set()
            for plist in lists:
                pool.update(seen.intersection(plist))
                seen.update(plist)
        else:  # a very short claim: one shared posting is enough
            for plist in lists:
                seen.update(plist)
            pool = seen
        pool.discard(f.id)
        fc = f.text.concepts
        base = self._base
        wf = sum(map(base.__getitem__, fc)) or 1.0  # fills the memo for f's concepts
        totals = self._total
        concepts = self._concepts
        # the shared weight of each pooled claim, summed in C (map over the pool)
        cids = list(pool)
        shared_w = map(
            sum,
            map(partial(map, base.__getitem__), map(fc.__and__, map(concepts.__getitem__, cids))),
        )
        scored = [
            (score, cid)
            for cid, ws, wo in zip(cids, shared_w, map(totals.__getitem__, cids), strict=True)
            if (score := ws / (wf + wo) + 0.25 * ws / (wf if wf < wo else wo)) >= PREFILTER
        ]
        if len(scored) > self.max_candidates:
            scored = heapq.nlargest(self.max_candidates, scored)
        else:
            scored.sort(reverse=True)
        return [cid for _, cid in scored]

    def weight(self, concept: str) -> float:
        """IDF weight of a concept, discounted when it is common in this case.

        A concept carried by a share p of the indexed claims (a case about Russia:
        "Russia" in most claims) keeps max(0.2, 1 - p) of its weight; saturated
        concepts keep 0.2. The discount starts once 20 claims are indexed.
        """
        base = lexicon().weight(concept)
        n = len(self._features)
        if n < CASE_DF_MIN_CLAIMS:
            return base
        if concept in self._saturated:
            return base * 0.2
        plist = self._postings.get(concept)
        if plist is None:
            return base
        return base * max(0.2, 1.0 - len(plist) / n)

    def weights(self, concepts: Iterable[str]) -> dict[str, float]:
        """:meth:`weight` for many concepts at once."""
        base = self._base
        n = len(self._features)
        if n < CASE_DF_MIN_CLAIMS:
            return {c: base[c] for c in concepts}
        postings = self._postings
        saturated = self._saturated
        out = {}
        for c in concepts:
            w = base[c]
            if c in saturated:
                w *= 0.2
            else:
                plist = postings.get(c)
                if plist is not None:
                    keep = 1.0 - len(plist) / n
                    w *= keep if keep > 0.2 else 0.2  # max(0.2, keep)
            out[c] = w
        return out

    def _judge(self, f: ClaimFeatures) -> list[tuple[Judgement, int]]:
        found: list[tuple[Judgement, int]] = []
        cands = self.candidates(f)
        feats = self._features
        union = set(f.text.concepts).union(*(feats[cid].text.concepts for cid in cands))
        weight = self.weights(union)
        w = weight.__getitem__
        wf = sum(map(w, f.text.concepts))  # as relate sums it, once per claim
        for cid in cands:
            other = feats[cid]
            wo = sum(map(w, other.text.concepts))
            # judge in (lower id, higher id) order so reasons read in link order
            j = (
                judge(f, other, weight, (wf, wo))
                if f.id < cid
                else judge(other, f, weight, (wo, wf))
            )
            if j is not None:
                found.append((j, cid))
        found.sort(key=lambda jc: (-jc[0].confidence, -jc[0].similarity, jc[1]))
        # an article restates its story: within one article a claim corroborates
        # only its closest earlier match(es), so the article forms a sparse chain.
        # Closest: a restatement by the same speaker first (a paraphrase and its
        # quote), then the higher confidence, and among equal confidences (weak
        # matches at the floor) the nearest earlier claim: discourse locality.
        seq = self._seq
        here = [
            jc
            for jc in found
            if jc[0].relation == Relation.CORROBORATES and feats[jc[1]].article_id == f.article_id
        ]
        if len(here) > self.max_same_article:
            here.sort(
                key=lambda jc: (
                    not (f.speaker is not None and feats[jc[1]].speaker == f.speaker),
                    -jc[0].confidence,
                    -seq[jc[1]],
                    -jc[0].similarity,
                )
            )
            dropped = {cid for _, cid in here[self.max_same_article :]}
            found = [jc for jc in found if jc[1] not in dropped]
        if f.denies:
            # a denial contradicts every claim that asserts what it denies
            denied = [jc for jc in found if jc[0].relation == Relation.CONTRADICTS]
            rest = [jc for jc in found if jc[0].relation != Relation.CONTRADICTS]
            return denied[: 2 * self.max_links] + rest[: max(0, self.max_links - len(denied))]
        return found[: self.max_links]

    def link_one(self, claim: CaseClaim) -> list[Link]:
        """Links of one claim against the index, without indexing it."""
        return self._links(self._resolve(claim_features(claim)))

    def _links(self, f: ClaimFeatures) -> list[Link]:
        out = []
        for j, cid in self._judge(f):
            a, b = (f.id, cid) if f.id < cid else (cid, f.id)
            # judge's reason stops before the shared words: relate's labels would be
            # replaced by the claims' own words here anyway
            fa, fb = (f, self._features[cid]) if f.id < cid else (self._features[cid], f)
            reason = f"{j.reason}shared: {shared_words(fa, fb, j.shared)}"
            # valid by construction (a < b, confidence in [0.5, 0.99]): no validation pass
            out.append(
                Link.model_construct(
                    a=a,
                    b=b,
                    relation=j.relation,
                    confidence=j.confidence,
                    reason=reason,
                    origin_claim=j.origin_claim,
                )
            )
        return out

    def add(self, claims: Iterable[CaseClaim]) -> list[Link]:
        """Link each new claim against everything indexed so far, then index it.

        Claims already in the index are skipped. Returns the new links.
        """
        links: list[Link] = []
        for claim in claims:
            if claim.id in self._features:
                continue
            f = self._resolve(claim_features(claim))
            links.extend(self._links(f))
            self._insert(f)
        return links


def link_claims(claims: Iterable[CaseClaim], **options: int) -> list[Link]:
    """All machine links among ``claims`` (batch use of :class:`LinkIndex`)."""
    return LinkIndex(**options).add(claims)


def relation_counts(links: Iterable[Link]) -> dict[Relation, int]:
    out: dict[Relation, int] = {}
    for link in links:
        out[link.relation] = out.get(link.relation, 0) + 1
    return out
