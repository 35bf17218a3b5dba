"""Which uncertain inputs drive the width of a band: over the replications of an ensemble, the rank
correlation (Spearman's ρ) of an outcome with each drawn input, and the share of the outcome's spread
(of its ranks) that a linear regression on all drawn inputs' ranks explains; the rest is the model's own
randomness (who is offered which flat, who signs, who is born, …).

Ranks, because an election month is a whole number with ties and a replication that never elects
counts as +∞: ranks take both as they are (ties share their mean rank; +∞ ranks last).

>>> from sim.sensitivity import election_drivers
>>> for band in election_drivers(result): print(band.community, band.drivers[0])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from sim.ensemble import ESTATE, SimulationResult, nearest_rank


@dataclass(frozen=True)
class Driver:
    input: str                     # the scenario field drawn (sim.uncertain.inputs)
    rank_correlation: float | None  # Spearman's ρ of the outcome with the input; None if either is constant


@dataclass(frozen=True)
class BandDrivers:
    community: str
    outcome: str                   # "election_month"
    p10: float | None
    p90: float | None
    explained: float | None        # R² of the outcome's ranks on all inputs' ranks; None if it cannot be told
    drivers: tuple[Driver, ...]    # strongest first


def rank_correlation(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman's ρ, or None where either series is constant."""
    rx, ry = rankdata(x), rankdata(y)
    if np.ptp(rx) == 0 or np.ptp(ry) == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


def explained_share(drawn: np.ndarray, y: np.ndarray) -> float | None:
    """R² of a least-squares fit of ``y``'s ranks on the ranks of every column of ``drawn`` (with an
    intercept); None with too few replications (at least inputs + 3) or a constant outcome."""
    n, k = drawn.shape
    ry = rankdata(y)
    if n < k + 3 or np.ptp(ry) == 0:
        return None
    x = np.column_stack([np.ones(n), *(rankdata(drawn[:, j]) for j in range(k))])
    coef, *_ = np.linalg.lstsq(x, ry, rcond=None)
    residual = ry - x @ coef
    return float(max(0.0, 1.0 - residual.var() / ry.var()))


def drivers_of(result: SimulationResult, outcome: np.ndarray) -> tuple[tuple[Driver, ...], float | None]:
    """The drivers of one outcome (a value per completed replication), strongest first."""
    if not result.inputs or result.drawn is None:
        return (), None
    found = [Driver(name, rank_correlation(result.drawn[:, j], outcome)) for j, name in enumerate(result.inputs)]
    found.sort(key=lambda d: -abs(d.rank_correlation) if d.rank_correlation is not None else 1.0)
    return tuple(found), explained_share(result.drawn, outcome)


def election_months_of(result: SimulationResult, community: str) -> np.ndarray:
    """Each replication's election month of ``community``; for ``estate`` in a split of several
    communities, the first election among them."""
    if community in result.community_ids:
        return result.election_months[:, result.community_ids.index(community)]
    if community == ESTATE:
        return result.election_months.min(axis=1)
    raise KeyError(f"no community {community!r}")


def election_drivers(result: SimulationResult) -> list[BandDrivers]:
    """For each community's election month: its P10–P90 and the inputs that drive its width."""
    out = []
    for cid in result.community_ids:
        months = election_months_of(result, cid)
        drivers, explained = drivers_of(result, months)
        p10, p90 = (nearest_rank(months, q) for q in (10, 90))
        out.append(BandDrivers(cid, "election_month", p10 if np.isfinite(p10) else None,
                               p90 if np.isfinite(p90) else None, explained, drivers))
    return out
