"""Local count cuts (14) of the split (``optimize.split.SplitModel``): their regions and offices.

Every unit of a region I is in a community whose office j may take it ((u, j) a candidate pair), and an
open office holds at most U households (4); so the offices that may take a unit of I, J(I), have at least
⌈H_I / U⌉ of them open, H_I the households of I. The LP alone gives only H_I / U; the cut is the rounding
up. It bites where H_I is just above a multiple of U, so the regions here are, around each unit, the
smallest balls (units by distance from the unit's first building, nearest first) whose households pass
U, 2U, … up to ``MULTIPLES`` U, short of the whole part, where (7) says the same. A cut whose offices
include another's and whose count is no higher is implied by it (y ≥ 0) and left out: on the
benchmark's estates three quarters of them.
"""

from __future__ import annotations

import math

import numpy as np

from optimize.graph import Units

# Balls past at most this many multiples of U: the offices of a larger ball reach so far beyond it that
# its cut is rarely binding (measured: on mixed-phases at 200 buildings the root LP with balls up to 6 U is the
# LP with every ball; up to 4 U it is lower), and on 400-building estates of large towers every ball costs
# the model's building time (towers, 400 buildings: 14,740 regions, 2.5 s without this bound).
MULTIPLES = 8


def count_regions(units: Units, part: list[int], high: float) -> list[tuple[tuple[int, ...], int]]:
    """(units of the region, sorted; communities it needs, ⌈H_I / U⌉ ≥ 2) for each distinct region around
    the units of ``part``, in the order found (deterministic: stable sorts, ties by position in ``part``)."""
    seen: set[tuple[int, ...]] = set()
    out: list[tuple[tuple[int, ...], int]] = []
    for order, pos, need in _balls(units, part, high):
        region = tuple(sorted(order[:pos + 1].tolist()))
        if region not in seen:
            seen.add(region)
            out.append((region, need))
    return out


def _balls(units: Units, part: list[int], high: float):
    """(units by distance from a unit's first building, the last position of the ball, its count) for
    each unit of ``part`` and each multiple of U its balls pass short of the whole part."""
    arr = np.array(sorted(part))
    for u in arr.tolist():
        order = arr[np.argsort(units.near[arr, units.members[u][0]], kind="stable")]
        cum = np.cumsum(units.households[order])
        for m in range(1, min(int(cum[-1] // high), MULTIPLES) + 1):
            pos = int(np.searchsorted(cum, m * high, side="right"))   # the first prefix above m × U
            if pos >= len(arr) - 1:
                break
            yield order, pos, math.ceil(float(cum[pos]) / high - 1e-9)


def count_cuts(units: Units, part: list[int], high: float,
               takers: dict[int, set[int]]) -> list[tuple[tuple[int, ...], int]]:
    """(offices J(I), sorted; count) for the regions of ``part`` (``count_regions``), ``takers[u]`` the
    offices that may take unit u, without those another implies: for equal offices the highest count;
    then a cut is dropped when the offices of a kept cut with at least its count are among its own.
    Ordered by number of offices, then offices."""
    offices = sorted({j for u in part for j in takers[u]})
    col = {j: k for k, j in enumerate(offices)}
    bits = np.zeros((len(units), len(offices)), dtype=bool)
    for u in part:
        bits[u, [col[j] for j in takers[u]]] = True
    best: dict[bytes, int] = {}
    for order, pos, need in _balls(units, part, high):
        key = np.packbits(bits[order[:pos + 1]].any(axis=0)).tobytes()
        best[key] = max(best.get(key, 0), need)
    return implied_left_out(
        [(tuple(offices[k] for k in np.flatnonzero(np.unpackbits(np.frombuffer(key, dtype=np.uint8))[:len(offices)])),
          need) for key, need in best.items()])


def implied_left_out(cuts: list[tuple[tuple[int, ...], int]]) -> list[tuple[tuple[int, ...], int]]:
    """The cuts (offices, count) less those another implies (its offices among theirs, its count at least
    theirs; for equal offices the highest count stays), ordered by number of offices, then offices."""
    best: dict[tuple[int, ...], int] = {}
    for offices, need in cuts:
        best[offices] = max(best.get(offices, 0), need)
    items = sorted(best.items(), key=lambda kv: (len(kv[0]), kv[0]))
    if not items:
        return []
    col = {j: k for k, j in enumerate(sorted({j for o, _ in items for j in o}))}
    bits = np.zeros((len(items), -(-len(col) // 64) * 64), dtype=bool)
    for r, (offices, _) in enumerate(items):
        bits[r, [col[j] for j in offices]] = True
    words = np.packbits(bits, axis=1).view(np.uint64)       # offices as bit sets, 64 to a word
    needs = np.array([n for _, n in items])
    kept = np.zeros(len(items), dtype=bool)
    for r in range(len(items)):
        prior = np.flatnonzero(kept[:r])
        inside = ~np.any(words[prior] & ~words[r], axis=1)  # kept cuts whose offices are among these
        kept[r] = not np.any(inside & (needs[prior] >= needs[r]))
    return [items[r] for r in np.flatnonzero(kept)]
