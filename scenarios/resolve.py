"""Resolve scenario fields that name a published figure (a rule id) into numbers, keeping the source.

A field such as ``households.persons_per_household`` holds either the scenario's own number or the id
of a figure in the standards catalog. ``figure(value)`` gives back the number and where it came from,
so outputs can say "2.47 (demography.persons_per_household_cq_prh: PD-2025-10-26 …)".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from standards.catalog import Catalog, load_catalog
from standards.shapes import ByYear, Period, Quantity, Rates, Shares


@dataclass(frozen=True)
class Figure:
    value: Any
    source: str  # "scenario" for the scenario's own figure, else "<rule id> (<citation>)"


def figure(value: Any, catalog: Catalog | None = None, year: int | None = None) -> Figure:
    """The number (or table) behind a scenario field; ``year`` picks from a by-year series."""
    if not isinstance(value, str):
        return Figure(value, "scenario")
    catalog = catalog or load_catalog()
    rule = catalog.rule(value)
    v = rule.value
    source = f"{rule.id} ({rule.citation})"
    if isinstance(v, Quantity):
        return Figure(v.value, source)
    if isinstance(v, Period):
        return Figure(v.months, source)
    if isinstance(v, (Shares, Rates)):
        return Figure(v.as_dict(), source)
    if isinstance(v, ByYear):
        y, amount = v.latest(year)
        return Figure(amount, f"{rule.id} {y} ({rule.citation})")
    raise TypeError(f"{value} is a {rule.shape}, which has no single figure")
