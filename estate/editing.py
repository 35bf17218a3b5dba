"""Edits a meeting makes to a scenario (faster filling, another regime, a different threshold), applied
to a validated scenario and validated again. The app draws its widgets from ``EDITABLE`` (bounds come
from the schema) and ``defaults`` (values come from the scenario and its rules); it holds no rule of
its own."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel

from scenarios import figures_of, rules_of, validate
from scenarios.distributions import UNCERTAIN_FIELDS, Distribution
from scenarios.schema import Allocation, Costs, Households, Scenario
from scenarios.writer import to_data


@dataclass(frozen=True)
class Editable:
    key: str                  # a dotted path in the scenario file, e.g. "allocation.acceptance"
    model: type[BaseModel]
    field: str
    step: float


EDITABLE: tuple[Editable, ...] = (
    Editable("allocation.round_share", Allocation, "round_share", 0.05),
    Editable("allocation.acceptance", Allocation, "acceptance", 0.05),
    Editable("allocation.waiting_pool", Allocation, "waiting_pool", 1000),
    Editable("allocation.new_applicants_per_month", Allocation, "new_applicants_per_month", 100),
    Editable("households.non_local_share", Households, "non_local_share", 0.05),
    Editable("costs.housing_fund_rate", Costs, "housing_fund_rate", 0.01),
)


def bounds(model: type[BaseModel], field: str) -> tuple[float | None, float | None]:
    """(low, high) of a numeric field, from the schema's constraints (exclusive bounds included as-is);
    for a field that may also be a distribution, the bounds the schema holds its numbers to."""
    uncertain = UNCERTAIN_FIELDS.get(f"{model.__name__.lower()}.{field}")
    if uncertain is not None:
        return float(uncertain.low), None if uncertain.high is None else float(uncertain.high)
    low = high = None
    for m in model.model_fields[field].metadata:
        if isinstance(m, (Ge, Gt)):
            low = float(m.ge if isinstance(m, Ge) else m.gt)
        if isinstance(m, (Le, Lt)):
            high = float(m.le if isinstance(m, Le) else m.lt)
    return low, high


def get(scenario: Scenario, key: str) -> Any:
    """The field's value; for an uncertain input, its median (what a widget can show)."""
    section, field = key.split(".")
    value = getattr(getattr(scenario, section), field)
    if isinstance(value, Distribution):
        median = value.central(UNCERTAIN_FIELDS[key])
        return int(median) if UNCERTAIN_FIELDS[key].integer else median
    return value


def election_share(scenario: Scenario) -> float:
    """The election threshold share in force for the scenario (its regime's rule, overrides applied)."""
    return rules_of(scenario).role("election_trigger").value.share


def apply(scenario: Scenario, changes: dict[str, Any], *, regime: str | None = None,
          election: tuple[float, str] | None = None, label: str = "edited scenario") -> Scenario:
    """A new validated scenario with ``changes`` ({dotted key: value}) applied, the regime switched, and
    the election threshold overridden as (share, reason). Raises InputError like ``scenarios.load``."""
    data = to_data(scenario)
    for key, value in changes.items():
        if "." not in key:
            data[key] = value
            continue
        section, field = key.split(".")
        current = getattr(getattr(scenario, section, None), field, None)
        if isinstance(current, Distribution) and value == get(scenario, key):
            continue                  # left at its median: the distribution stays
        if value is None:
            data.get(section, {}).pop(field, None)
        else:
            data.setdefault(section, {})[field] = value
    if regime is not None:
        data["regime"] = regime
    if election is not None:
        share, reason = election
        rule_id = rules_of(validate({**data, "overrides": []}, label, Path("."))).regime.roles["election_trigger"][0]
        kept = [o for o in data.get("overrides", []) if o["rule"] != rule_id]
        data["overrides"] = kept + [{"rule": rule_id, "value": {"share": share}, "reason": reason}]
    return validate(data, label, Path("."))


def persons_per_household(scenario: Scenario) -> float:
    return figures_of(scenario).number("households.persons_per_household", scenario.start_year)


def staff_pay(scenario: Scenario) -> float:
    """The yearly pay of a community worker the scenario assumes, in its start year."""
    return figures_of(scenario).number("costs.staff_pay_cny_per_year", scenario.start_year)


def age_profiles() -> tuple[str, ...]:
    """The cited age profiles a scenario may pick (rules of shape "shares" over age bands)."""
    from standards import load_catalog

    return tuple(r.id for r in load_catalog().rules.values()
                 if r.shape == "shares" and r.id.startswith("demography.age_shares"))


def age_shares(scenario: Scenario) -> dict[str, float]:
    return dict(figures_of(scenario).field("households.age_profile", scenario.start_year).value)
