"""Headline figures of scenarios side by side, for the app and reports. The first scenario is the
reference; ``differs`` marks every figure that is not the same in another scenario."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from estate import format as fmt
from estate.i18n import regime_label, t, value
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


def labels(scenarios: Sequence[Scenario], edited: Sequence[bool] | None = None, lang: str = "zh") -> tuple[str, ...]:
    """One distinct label per scenario, from its name: a scenario changed in the app reads "name (edited)",
    and a name already taken gets "(2)", "(3)"… So two scenarios with one name (an upload of an edited
    file next to its original) never share a column."""
    out: list[str] = []
    for s, changed in zip(scenarios, edited or [False] * len(scenarios)):
        base = f"{s.name}（{t('edited', lang)}）" if changed and lang == "zh" else \
            f"{s.name} ({t('edited', lang)})" if changed else s.name
        label, n = base, 1
        while label in out:
            n += 1
            label = f"{base} ({n})"
        out.append(label)
    return tuple(out)


def election_rule(scenario: Scenario, lang: str = "zh") -> str:
    """"规划居住人口的 30%（CQ-73 §二(一)）" / "30% of planned residents (CQ-73 §二(一))"."""
    rule = rules_of(scenario).role("election_trigger")
    v = rule.value
    share, basis = getattr(v, "share", None), getattr(v, "basis", None)
    if share is None or basis is None:
        return f"{describe(v)} ({rule.citation})"
    if lang == "zh":
        return f"{value('basis', basis, lang)}的 {fmt.pct(share)}（{rule.citation}）"
    return f"{fmt.pct(share)} of {value('basis', basis, lang)} ({rule.citation})"


MONEY_KEYS = ("budget_10y",)


def display(key: str, v: Any, lang: str = "zh") -> str:
    """A headline figure as text: money in 万元/亿元 (CNY millions in English), thousands separators."""
    if v is None:
        return "—"
    if key in MONEY_KEYS:
        return fmt.money(v, lang)
    return f"{v:,}" if isinstance(v, int) else str(v)


def headline(scenario: Scenario, lang: str = "zh") -> dict[str, Any]:
    """The figures the foundation can give without simulating: the layout, the rules in force, and the
    staff and office space the whole estate needs once every flat is let."""
    rules = rules_of(scenario)
    months = [b.delivery_month for b in scenario.buildings]
    first, last = (fmt.month(m, scenario.start_year, scenario.start_month) for m in (min(months), max(months)))
    return {
        "flats": scenario.total_units,
        "buildings": len(scenario.buildings),
        "clusters": len({b.cluster for b in scenario.buildings}),
        "floor_area_m2": round(scenario.total_floor_area_m2),
        "delivery": first if first == last else f"{first} – {last}",
        "regime_label": regime_label(rules.regime, lang),
        "election_rule": election_rule(scenario, lang),
        "staff_full": formulas.required_staff(scenario.total_units, rules),
        "office_full": round(formulas.required_office_space(scenario.total_units, scenario.total_floor_area_m2, rules)),
        "overrides": len(scenario.overrides),
    }


def compare(scenarios: Sequence[Scenario], names: Sequence[str] | None = None, lang: str = "zh") -> Headlines:
    figures = [headline(s, lang) for s in scenarios]
    return Headlines(tuple(names or labels(scenarios)),
                     tuple((k, tuple(f[k] for f in figures)) for k in HEADLINE_KEYS))


RUN_KEYS = ("communities", "plan_status", "election_months", "peak_staff", "staff_full_plan", "office_required_m2",
            "office_planned_m2", "facilities", "budget_10y", "cost_per_flat_year")


def run_headline(result, lang: str = "en") -> dict[str, Any]:
    """The figures a meeting asks for first, from a full run (``estate.pipeline.RunResult``):
    communities, each one's election month P50 (P10–P90), peak staff, office space required against
    planned, facilities and their opening months, the first ten years' budget and its cost per flat."""
    from estate.answers import answer, election_text
    from estate.facility_view import summary as facility_summary

    s, plan, sim = result.scenario, result.plan, result.simulation
    elections = [election_text(e, lang) for e in answer(result).elections]
    staff = sim.band("staff") if "staff" in sim.metrics else None
    years = sorted({r.year for r in result.budget.rows})[:10]
    ten = sum(r.amount_cny for r in result.budget.rows if r.year in years)
    planned = sum(b.office_space_m2 for b in s.buildings) or None
    return {
        "communities": len(plan.communities),
        "plan_status": value("status", plan.status.value, lang),
        "election_months": "; ".join(elections),
        "peak_staff": None if staff is None else round(max(staff.p50)),
        "staff_full_plan": int(sum(c.staff.value for c in plan.communities)),
        "office_required_m2": round(sum(c.office_area_m2.value for c in plan.communities)),
        "office_planned_m2": None if planned is None else round(planned),
        "facilities": facility_summary(result.facilities, lang),
        "budget_10y": round(ten),
        "cost_per_flat_year": round(ten / max(1, s.total_units) / max(1, len(years))),
    }


def compare_runs(results: Sequence[Any], names: Sequence[str] | None = None, lang: str = "zh") -> Headlines:
    """Run headlines side by side; the first run is the reference."""
    figures = [run_headline(r, lang) for r in results]
    return Headlines(tuple(names or labels([r.scenario for r in results])),
                     tuple((k, tuple(f[k] for f in figures)) for k in RUN_KEYS))


def rules_table(scenario: Scenario, lang: str = "en") -> list[dict[str, str]]:
    """Every rule in force for the scenario: id, what it says, value and unit, citation, and why borrowed
    or overridden, each in the language (``estate.i18n.rule_text``)."""
    from estate.i18n import borrowed_reason, rule_text

    rules = rules_of(scenario)
    return [{"role": role, "rule": rule.id, "description": rule_text(rule, lang),
             "value": rule_text(rule, lang, "value"), "citation": str(rule.citation),
             "note": (f"{t('override', lang)}: {rule.override_reason}" if rule.override_reason
                      else borrowed_reason(rules.regime, role, lang))}
            for role, rule in rules.in_use()]
