"""A fast incumbent for the split: grow contiguous communities over the adjacency graph.

Used as the MIP's fallback when the solver finds nothing in its time limit, and to seed the candidate
pairs so that the incumbent's assignment is always representable in the model.
"""

from __future__ import annotations

import numpy as np

from optimize.graph import Graph


def grow(graph: Graph, households: np.ndarray, clusters: list[str], low: float, high: float) -> list[list[int]]:
    """Communities as lists of building indices. Deterministic: ties broken by index.

    Per connected component: start from the building farthest from the component's centre, add the
    adjacent unassigned building nearest the seed (same cluster first) until the community reaches the
    band's low end (or cannot grow without passing its high end); a remainder below the low end joins an
    adjacent community when that stays within the high end.
    """
    out: list[list[int]] = []
    d = graph.dist
    for comp in graph.components():
        left = set(comp)
        mine: list[list[int]] = []
        while left:
            pts = sorted(left)
            centre = d[np.ix_(pts, pts)].sum(axis=1)
            seed = pts[int(np.argmax(centre))]
            com, tot = [seed], float(households[seed])
            left.discard(seed)
            while tot < low and left:
                front = sorted({k for i in com for k in graph.neighbours[i] if k in left},
                               key=lambda k: (clusters[k] != clusters[seed], d[seed, k], k))
                front = [k for k in front if tot + households[k] <= high]
                if not front:
                    break
                k = front[0]
                com.append(k)
                tot += float(households[k])
                left.discard(k)
            mine.append(com)
        # merge remainders below the low end into an adjacent community when it fits
        changed = True
        while changed:
            changed = False
            for a in sorted(range(len(mine)), key=lambda a: households[mine[a]].sum()):
                ha = households[mine[a]].sum()
                if ha >= low or len(mine) < 2:
                    continue
                nbrs = {b for b in range(len(mine)) if b != a and any(
                    k in mine[b] for i in mine[a] for k in graph.neighbours[i])}
                fits = sorted((b for b in nbrs if ha + households[mine[b]].sum() <= high),
                              key=lambda b: (households[mine[b]].sum(), b))
                if fits:
                    mine[fits[0]] = mine[fits[0]] + mine[a]
                    del mine[a]
                    changed = True
                    break
        out.extend(sorted(m) for m in mine)
    return out


def medoid(members: list[int], graph: Graph, households: np.ndarray) -> int:
    """The member building minimising household-weighted distance to the community (its centre)."""
    m = list(members)
    cost = (graph.dist[np.ix_(m, m)] * households[m][:, None]).sum(axis=0)
    return m[int(np.argmin(cost))]
