"""Uncertain inputs: a numeric allocation or household field given as a distribution instead of a number.

A scenario may write any field of ``UNCERTAIN_FIELDS`` as

- ``{ low, high }``: uniform between the two;
- ``{ mean, sd }``: normal, truncated to the field's bounds;
- ``{ p10, p50, p90 }``: the three quantiles, read as a piecewise-linear distribution through
  (0, low end), (0.1, p10), (0.5, p50), (0.9, p90), (1, high end), where the ends extend each outer
  segment by a quarter of the tail's 10% again (clipped to the field's bounds);

and ``[delivery] slip_months = { low, high }`` for a delay of each building's delivery, in whole months,
uniform. Every engine that needs one number reads the distribution's median (``central``, through the
one resolver ``scenarios.figures.Figures``); only the simulation's replications draw from it, each from
its own seed (``sim.uncertain``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator


@dataclass(frozen=True)
class Bounds:
    """What the schema holds a field to: ``low`` (exclusive if ``open_low``), ``high`` (None: none)."""

    low: float
    high: float | None
    integer: bool = False
    open_low: bool = False

    def clip(self, x: float) -> float:
        x = max(x, self.low)
        if self.high is not None:
            x = min(x, self.high)
        return x

    def contains(self, x: float) -> bool:
        above = x > self.low if self.open_low else x >= self.low
        return above and (self.high is None or x <= self.high)

    def text(self) -> str:
        low = f"{'>' if self.open_low else '≥'} {self.low:g}"
        return low if self.high is None else f"{low} and ≤ {self.high:g}"


# The numeric fields of [allocation] and [households] a scenario may give as a distribution, with the
# bounds the schema holds their numbers to (the same as each field's own constraint in scenarios.schema).
UNCERTAIN_FIELDS: dict[str, Bounds] = {
    "allocation.round_share": Bounds(0, 1, open_low=True),
    "allocation.acceptance": Bounds(0, 1, open_low=True),
    "allocation.waiting_pool": Bounds(0, None, integer=True),
    "allocation.new_applicants_per_month": Bounds(0, None, integer=True),
    "allocation.lease_months": Bounds(1, 1200, integer=True),   # scenarios.schema.MAX_LEASE_MONTHS
    "allocation.renewal_rate": Bounds(0, 1),
    "allocation.voluntary_exit_rate": Bounds(0, 1),
    "allocation.sublet_eviction_rate": Bounds(0, 1),
    "households.persons_per_household": Bounds(1, 8),
    "households.non_local_share": Bounds(0, 1),
    "households.low_income_share": Bounds(0, 1),
    "households.disabled_share": Bounds(0, 1),
    "households.birth_rate": Bounds(0, 0.1),
    "households.death_rate": Bounds(0, 0.1),
}
SLIP_FIELD = "delivery.slip_months"
_KEYS = ({"low", "high"}, {"mean", "sd"}, {"p10", "p50", "p90"})


class Distribution(BaseModel):
    """One of the three forms; which one is given decides the kind (``kind``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None
    p10: float | None = None
    p50: float | None = None
    p90: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _ints_as_floats(cls, data: Any) -> Any:
        if isinstance(data, dict):   # TOML gives 30000, strict mode wants 30000.0
            return {k: float(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in data.items()}
        return data

    @model_validator(mode="after")
    def _one_form(self) -> "Distribution":
        given = {k for k in ("low", "high", "mean", "sd", "p10", "p50", "p90") if getattr(self, k) is not None}
        if given not in _KEYS:
            raise ValueError("must be a number or a distribution { low, high }, { mean, sd } or { p10, p50, p90 } "
                             f"(got {{ {', '.join(sorted(given))} }})")
        for k in given:
            if not math.isfinite(getattr(self, k)):
                raise ValueError(f"must have finite numbers (got {k} = {getattr(self, k)})")
        if self.kind == "uniform" and not self.low < self.high:
            raise ValueError(f"must have low < high (got {self.low:g} ≥ {self.high:g})")
        if self.kind == "normal" and not self.sd > 0:
            raise ValueError(f"must have sd > 0 (got {self.sd:g})")
        if self.kind == "quantiles" and (not self.p10 <= self.p50 <= self.p90 or self.p10 == self.p90):
            raise ValueError(f"must have p10 ≤ p50 ≤ p90 and p10 < p90 (got {self.p10:g}, {self.p50:g}, {self.p90:g})")
        return self

    @property
    def kind(self) -> str:
        if self.low is not None:
            return "uniform"
        return "normal" if self.mean is not None else "quantiles"

    def points(self) -> tuple[float, ...]:
        """The numbers written, in their order (for checking them against the field's bounds)."""
        if self.kind == "uniform":
            return (self.low, self.high)
        if self.kind == "normal":
            return (self.mean,)
        return (self.p10, self.p50, self.p90)

    def text(self) -> str:
        if self.kind == "uniform":
            return f"uniform {self.low:g}–{self.high:g}"
        if self.kind == "normal":
            return f"normal mean {self.mean:g}, sd {self.sd:g}"
        return f"P10 {self.p10:g}, P50 {self.p50:g}, P90 {self.p90:g}"

    def quantile(self, u: np.ndarray | float, bounds: Bounds) -> np.ndarray:
        """The value at cumulative probability ``u`` (inverse transform), within ``bounds``."""
        u = np.asarray(u, dtype=float)
        if self.kind == "uniform":
            return self.low + u * (self.high - self.low)
        if self.kind == "normal":
            from scipy.stats import norm
            lo = 0.0 if bounds.low is None else norm.cdf((bounds.low - self.mean) / self.sd)
            hi = 1.0 if bounds.high is None else norm.cdf((bounds.high - self.mean) / self.sd)
            return np.clip(self.mean + self.sd * norm.ppf(lo + u * (hi - lo)), bounds.low,
                           np.inf if bounds.high is None else bounds.high)
        low = bounds.clip(self.p10 - (self.p50 - self.p10) * 0.25)
        high = bounds.clip(self.p90 + (self.p90 - self.p50) * 0.25)
        return np.interp(u, (0.0, 0.1, 0.5, 0.9, 1.0), (low, self.p10, self.p50, self.p90, high))

    def central(self, bounds: Bounds) -> float:
        """The median (what an engine that needs one number uses)."""
        x = float(self.quantile(0.5, bounds))
        return float(round(x)) if bounds.integer else x


def slip_range(value: Distribution) -> tuple[int, int]:
    return int(value.low), int(value.high)


def uncertain_of(scenario: Any) -> dict[str, Distribution]:
    """The scenario's fields given as distributions (``UNCERTAIN_FIELDS`` order, then the slip)."""
    out: dict[str, Distribution] = {}
    for path in UNCERTAIN_FIELDS:
        section, name = path.split(".")
        value = getattr(getattr(scenario, section), name)
        if isinstance(value, Distribution):
            out[path] = value
    if scenario.delivery is not None and scenario.delivery.slip_months is not None:
        out[SLIP_FIELD] = scenario.delivery.slip_months
    return out


def central(scenario: Any) -> Any:
    """The scenario with every distribution replaced by its median (the same object if none)."""
    fields = {p: d for p, d in uncertain_of(scenario).items() if p != SLIP_FIELD}
    if not fields:
        return scenario
    sections: dict[str, dict[str, float]] = {}
    for path, dist in fields.items():
        section, name = path.split(".")
        bounds = UNCERTAIN_FIELDS[path]
        value = dist.central(bounds)
        sections.setdefault(section, {})[name] = int(value) if bounds.integer and name != "lease_months" else value
    return scenario.model_copy(update={s: getattr(scenario, s).model_copy(update=u) for s, u in sections.items()})
