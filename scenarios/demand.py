"""Monthly demand bands for services, as the simulation produces them and the facility plan and
budget consume them. Shared domain data: ``sim`` writes it, ``optimize`` reads it.

Service keys (stable; they are also the ``metric`` names in ``series.csv``):
``kindergarten_classes``, ``primary_classes``, ``junior_middle_classes``, ``eldercare_beds``,
``clinic_m2``, ``households``, ``residents``, ``staff``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class Band:
    """One metric over the horizon: P10/P50/P90 across replications, one value per month."""

    metric: str
    unit: str
    p10: tuple[float, ...]
    p50: tuple[float, ...]
    p90: tuple[float, ...]

    def quantile(self, q: str) -> tuple[float, ...]:
        return {"p10": self.p10, "p50": self.p50, "p90": self.p90}[q]


@dataclass(frozen=True)
class Demand:
    """Estate-wide and per-community bands: ``estate[metric]`` and ``communities[id][metric]``."""

    months: int
    estate: Mapping[str, Band]
    communities: Mapping[str, Mapping[str, Band]]
