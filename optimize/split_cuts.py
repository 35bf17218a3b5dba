"""Regions for the split's local count cuts (14) (``optimize.split.SplitModel``).

Every unit of a region I is in a community whose office j may take it ((u, j) a candidate pair), and an
open office holds at most U households (4); so the offices that may take a unit of I, J(I), have at least
⌈H_I / U⌉ of them open, H_I the households of I. The LP alone gives only H_I / U; the cut is the rounding
up. It bites where H_I is just above a multiple of U, so the regions here are, around each unit, the
smallest balls (units by distance from the unit's first building, nearest first) whose households pass
U, 2U, … — short of the whole part, where (7) says the same. A cut whose offices include another's and
whose count is no higher is implied by it (y ≥ 0) and left out: on the benchmark's estates three
quarters of them.
"""

from __future__ import annotations

import math

import numpy as np

from optimize.graph import Units


def count_regions(units: Units, part: list[int], high: float) -> list[tuple[tuple[int, ...], int]]:
    """(units of the region, sorted; communities it needs, ⌈H_I / U⌉ ≥ 2) for each distinct region around
    the units of ``part``, in the order found (deterministic: stable sorts, ties by position in ``part``)."""
    arr = np.array(sorted(part))
    whole = len(arr)
    seen: set[tuple[int, ...]] = set()
    out: list[tuple[tuple[int, ...], int]] = []
    for u in arr.tolist():
        order = arr[np.argsort(units.near[arr, units.members[u][0]], kind="stable")]
        cum = np.cumsum(units.households[order])
        for m in range(1, int(cum[-1] // high) + 1):
            pos = int(np.searchsorted(cum, m * high, side="right"))   # the first prefix above m × U
            if pos >= whole - 1:
                break
            region = tuple(sorted(order[:pos + 1].tolist()))
            if region in seen:
                continue
            seen.add(region)
            out.append((region, math.ceil(float(cum[pos]) / high - 1e-9)))
    return out


def count_cuts(regions: list[tuple[tuple[int, ...], int]],
               takers: dict[int, set[int]]) -> list[tuple[tuple[int, ...], int]]:
    """(offices J(I), sorted; count) for the ``regions``, ``takers[u]`` the offices that may take unit u,
    without those another implies: for equal offices the highest count; then a cut is dropped when the
    offices of a kept cut with at least its count are among its own. Ordered by size, then offices."""
    best: dict[tuple[int, ...], int] = {}
    for region, need in regions:
        offices = tuple(sorted({j for u in region for j in takers[u]}))
        best[offices] = max(best.get(offices, 0), need)
    kept: list[tuple[tuple[int, ...], int]] = []
    sets: list[frozenset[int]] = []
    for offices, need in sorted(best.items(), key=lambda kv: (len(kv[0]), kv[0])):
        mine = frozenset(offices)
        if any(n >= need and s <= mine for s, (_, n) in zip(sets, kept)):
            continue
        kept.append((offices, need))
        sets.append(mine)
    return kept
