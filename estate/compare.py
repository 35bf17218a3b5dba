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


RUN_KEYS = ("communities", "plan_status", "election_months", "peak_staff", "staff_full_plan", "office_required_m2",
            "office_planned_m2", "facilities", "budget_10y", "cost_per_flat_year")


def run_headline(result) -> dict[str, Any]:
    """The figures a meeting asks for first, from a full run (``estate.pipeline.RunResult``):
    communities, each one's election month P50 (P10–P90), peak staff, office space required against
    planned, facilities and their opening months, the first ten years' budget and its cost per flat."""
    from estate.facility_view import summary as facility_summary

    s, plan, sim = result.scenario, result.plan, result.simulation
    elections = []
    for c in plan.communities:
        e = sim.election(c.id)
        elections.append(f"{c.id} —" if e["p50"] is None else
                         f"{c.id} {e['p50']} ({e['p10']}–{e['p90'] if e['p90'] is not None else '…'})")
    staff = sim.band("staff") if "staff" in sim.metrics else None
    years = sorted({r.year for r in result.budget.rows})[:10]
    ten = sum(r.amount_cny for r in result.budget.rows if r.year in years)
    planned = sum(b.office_space_m2 for b in s.buildings) or None
    return {
        "communities": len(plan.communities),
        "plan_status": plan.status.value,
        "election_months": "; ".join(elections),
        "peak_staff": None if staff is None else round(max(staff.p50)),
        "staff_full_plan": int(sum(c.staff.value for c in plan.communities)),
        "office_required_m2": round(sum(c.office_area_m2.value for c in plan.communities)),
        "office_planned_m2": None if planned is None else round(planned),
        "facilities": facility_summary(result.facilities),
        "budget_10y": round(ten),
        "cost_per_flat_year": round(ten / max(1, s.total_units) / max(1, len(years))),
    }


def compare_runs(results: Sequence[Any]) -> Headlines:
    """Run headlines side by side; the first run is the reference."""
    figures = [run_headline(r) for r in results]
    return Headlines(tuple(r.scenario.name for r in results),
                     tuple((k, tuple(f[k] for f in figures)) for k in RUN_KEYS))


def rules_table(scenario: Scenario) -> list[dict[str, str]]:
    """Every rule in force for the scenario: role, id, value, citation, and why borrowed or overridden."""
    rules = rules_of(scenario)
    return [{"role": role, "rule": rule.id, "value": f"{describe(rule.value)} {rule.unit}",
             "citation": str(rule.citation),
             "note": (f"override: {rule.override_reason}" if rule.override_reason
                      else rules.regime.borrowed.get(role, ""))}
            for role, rule in rules.in_use()]
