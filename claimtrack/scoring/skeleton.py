"""The shape of a case in compact arrays: independence groups, group adjacency, links.

A claim's score reads its independence group and the groups adjacent to it; a
group's weight reads its members and its representative's linked claims
(``claims.score_claims``). So the claims of a set of groups S can be scored
apart from the rest of the case, exactly as in the whole case, from the claims
of ``region(S)``: the members of S and of the groups adjacent to S, and every
claim linked to one of those (``Skeleton.region``). The skeleton holds only
what is needed to find those regions (a few integers per claim and per link),
so a case of any size can be scored a region at a time
(``claimtrack.store.scores``).

Positions index the sorted claim ids; a group is named by the position of its
smallest claim (its root), as ``build_graph`` names it by its smallest id.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from claimtrack.models import Relation

Ints = NDArray[np.int64]

# link relations as the skeleton codes them (``none`` links never reach it)
REL_CODE = {Relation.REPEATS: 0, Relation.CORROBORATES: 1, Relation.CONTRADICTS: 2}
_EMPTY: Ints = np.zeros(0, dtype=np.int64)


def _csr(n: int, src: Ints, dst: Ints) -> tuple[Ints, Ints]:
    """Row pointers and sorted, de-duplicated columns of the pairs (src, dst) over n rows."""
    if len(src):
        # the sorted distinct pairs, as one number each (np.unique over rows sorts
        # them as records: several times slower)
        m = int(dst.max()) + 1  # columns may be other than rows (links of a claim)
        keys = np.unique(src.astype(np.int64) * m + dst)
        src, dst = keys // m, keys % m
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=ptr[1:])
    return ptr, np.ascontiguousarray(dst, dtype=np.int64)


def _gather(ptr: Ints, idx: Ints, rows: Ints) -> Ints:
    """The columns of ``rows`` (concatenated)."""
    if not len(rows):
        return _EMPTY
    starts = ptr[rows]
    lens = ptr[rows + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return _EMPTY
    offsets = np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(total)
    return idx[offsets]


@dataclass
class Skeleton:
    ids: Ints  # sorted claim ids (live: stored and not rejected)
    root: Ints  # position -> position of its group's smallest claim
    nb_ptr: Ints  # claim neighbours (usable links, any relation): CSR by position
    nb_idx: Ints
    adj_ptr: Ints  # group adjacency (corroborates / contradicts): CSR by root
    adj_idx: Ints
    mem_ptr: Ints  # group members: CSR by root, members in id order
    mem_idx: Ints

    def positions(self, claim_ids: Sequence[int] | Ints) -> Ints:
        """Positions of the live claims among ``claim_ids`` (others are left out)."""
        want = np.unique(np.asarray(claim_ids, dtype=np.int64))
        pos = np.searchsorted(self.ids, want)
        inside = pos < len(self.ids)  # ids past the last claim sort last
        pos, want = pos[inside], want[inside]
        out: Ints = pos[self.ids[pos] == want]
        return out

    def neighbours(self, pos: Ints) -> Ints:
        """``pos`` and every claim linked to one of them."""
        return np.union1d(pos, _gather(self.nb_ptr, self.nb_idx, pos))

    def groups(self, pos: Ints) -> Ints:
        """The groups (roots) of the claims at ``pos``."""
        return np.unique(self.root[pos])

    def adjacent(self, roots: Ints) -> Ints:
        """``roots`` and the groups adjacent to them."""
        return np.union1d(roots, _gather(self.adj_ptr, self.adj_idx, roots))

    def members(self, roots: Ints) -> Ints:
        """The claims of the groups ``roots``, sorted."""
        return np.sort(_gather(self.mem_ptr, self.mem_idx, roots))

    def size(self, root: int) -> int:
        return int(self.mem_ptr[root + 1] - self.mem_ptr[root])

    def affected(self, pos: Ints) -> Ints:
        """The groups whose members' scores read the claims at ``pos``
        (``claims.affected_claims``: the groups of the changed claims and of the claims
        linked to them, and the groups adjacent)."""
        return self.adjacent(self.groups(self.neighbours(pos)))

    def region(self, roots: Ints) -> Ints:
        """The claims that scoring the members of ``roots`` reads (see the module)."""
        return self.neighbours(self.members(self.adjacent(roots)))

    def chunks(self, roots: Ints, max_claims: int) -> Iterator[Ints]:
        """``roots`` in chunks of about ``max_claims`` members, adjacent groups together
        (breadth first over the group adjacency): a chunk's region overlaps it."""
        wanted = np.zeros(len(self.ids), dtype=bool)
        wanted[roots] = True
        adj_ptr = self.adj_ptr.tolist()
        adj_idx = self.adj_idx
        mem_ptr = self.mem_ptr
        chunk: list[int] = []
        n = 0
        for start in roots.tolist():
            if not wanted[start]:
                continue
            wanted[start] = False
            queue = deque([start])
            while queue:
                g = queue.popleft()
                chunk.append(g)
                n += int(mem_ptr[g + 1] - mem_ptr[g])
                if n >= max_claims:
                    yield np.array(sorted(chunk), dtype=np.int64)
                    chunk, n = [], 0
                for h in adj_idx[adj_ptr[g] : adj_ptr[g + 1]].tolist():
                    if wanted[h]:
                        wanted[h] = False
                        queue.append(h)
        if chunk:
            yield np.array(sorted(chunk), dtype=np.int64)


def build_skeleton(
    ids: Ints, keys: Sequence[int], pa: Ints, pb: Ints, rel: NDArray[np.int8]
) -> Skeleton:
    """The skeleton of a case.

    ``ids``: the sorted live claim ids; ``keys``: per position its origin key as a
    number (-1: none; ``graph.origin_key``); ``pa``, ``pb``, ``rel``: the usable
    links (one per pair, as ``graph.resolve_links`` leaves them, both ends live)
    as positions and ``REL_CODE``. Groups are ``build_graph``'s: joined by
    ``repeats`` links and by ``corroborates`` links between claims of one origin.
    """
    n = len(ids)
    parent = list(range(n))

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for a, b, r in zip(pa.tolist(), pb.tolist(), rel.tolist(), strict=True):
        if r == 0 or (r == 1 and keys[a] >= 0 and keys[a] == keys[b]):
            ra, rb = find(a), find(b)
            if ra != rb:
                if ra < rb:
                    parent[rb] = ra
                else:
                    parent[ra] = rb
    root = np.array([find(i) for i in range(n)], dtype=np.int64)
    nb_ptr, nb_idx = _csr(n, np.concatenate([pa, pb]), np.concatenate([pb, pa]))
    ga, gb = root[pa], root[pb]
    cross = (rel > 0) & (ga != gb)
    ga, gb = ga[cross], gb[cross]
    adj_ptr, adj_idx = _csr(n, np.concatenate([ga, gb]), np.concatenate([gb, ga]))
    mem_ptr, mem_idx = _csr(n, root, np.arange(n, dtype=np.int64))
    return Skeleton(ids, root, nb_ptr, nb_idx, adj_ptr, adj_idx, mem_ptr, mem_idx)
