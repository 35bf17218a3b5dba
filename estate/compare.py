"""Headline figures of scenarios side by side, for the app and reports. The first scenario is the
reference; ``differs`` marks every figure that is not the same in another scenario."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from scenarios import rules_of
from scenarios.schema import Scenario
from standards import formulas
from standards.describe import describe

HEADLINE_KEYS = ("flats", "buildings", "clusters", "floor_area_m2", "delivery", "regime_label",
                 "election_rule", "staff_full", "office_full", "overrides")


@dataclass(frozen=True)
class Headlines:
    names: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Any, ...]], ...]   # (key, one value per scenario)

    def differs(self, key: str) -> tuple[bool, ...]:
        values = dict(self.rows)[key]
        return tuple(i > 0 and v != values[0] for i, v in enumerate(values))


def headline(scenario: Scenario) -> dict[str, Any]:
    """The figures the foundation can give without simulating: the layout, the rules in force, and the
    staff and office space the whole estate needs once every flat is let."""
    rules = rules_of(scenario)
    months = [b.delivery_month for b in scenario.buildings]
    return {
        "flats": scenario.total_units,
        "buildings": len(scenario.buildings),
        "clusters": len({b.cluster for b in scenario.buildings}),
        "floor_area_m2": round(scenario.total_floor_area_m2),
        "delivery": f"{min(months)}–{max(months)}",
        "regime_label": rules.regime.label,
        "election_rule": f"{describe(rules.role('election_trigger').value)} ({rules.role('election_trigger').citation})",
        "staff_full": formulas.required_staff(scenario.total_units, rules),
        "office_full": round(formulas.required_office_space(scenario.total_units, scenario.total_floor_area_m2, rules)),
        "overrides": len(scenario.overrides),
    }


def compare(scenarios: Sequence[Scenario]) -> Headlines:
    figures = [headline(s) for s in scenarios]
    return Headlines(tuple(s.name for s in scenarios),
                     tuple((k, tuple(f[k] for f in figures)) for k in HEADLINE_KEYS))


def rules_table(scenario: Scenario) -> list[dict[str, str]]:
    """Every rule in force for the scenario: role, id, value, citation, and why borrowed or overridden."""
    rules = rules_of(scenario)
    return [{"role": role, "rule": rule.id, "value": f"{describe(rule.value)} {rule.unit}",
             "citation": str(rule.citation),
             "note": (f"override: {rule.override_reason}" if rule.override_reason
                      else rules.regime.borrowed.get(role, ""))}
            for role, rule in rules.in_use()]
