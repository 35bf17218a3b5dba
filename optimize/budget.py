"""Multi-year budget by calendar year, item and payer, for a plan at full occupancy.

Facility capital and running costs are not included yet (the facility plan is not built).
"""

from __future__ import annotations

from dataclasses import dataclass

from optimize.plan import Plan
from scenarios import figure
from scenarios.schema import Scenario
from standards.ruleset import RuleSet


@dataclass(frozen=True)
class BudgetRow:
    year: int
    item: str
    payer: str
    amount_cny: float


@dataclass(frozen=True)
class Budget:
    rows: tuple[BudgetRow, ...]
    payers: dict[str, float]

    def total(self, year: int | None = None) -> float:
        return sum(r.amount_cny for r in self.rows if year is None or r.year == year)


def _payers(scenario: Scenario, rules: RuleSet) -> dict[str, float]:
    if scenario.costs.payers:
        return dict(scenario.costs.payers)
    if rules.has("cost_sharing"):
        return dict(rules.role("cost_sharing").value.parts)
    return {"government": 1.0}


def _value(v, year: int) -> float:
    if isinstance(v, (int, float)):
        return float(v)
    fig = figure(v, year=year)
    val = fig.value
    return float(sum(val.values())) if isinstance(val, dict) else float(val)


def budget(plan: Plan, scenario: Scenario, rules: RuleSet) -> Budget:
    """Yearly costs from the month each community's first building is delivered to the horizon's end."""
    c = scenario.costs
    payers = _payers(scenario, rules)
    deliver = {b.id: b.delivery_month for b in scenario.buildings}
    items: dict[tuple[int, str], float] = {}
    y0 = scenario.start_year
    m0 = int(scenario.start.split("-")[1]) - 1
    for com in plan.communities:
        first = min(deliver[b] for b in com.buildings)
        staff = com.staff.value
        items[(y0 + (m0 + first) // 12, "startup_subsidy")] = items.get((y0 + (m0 + first) // 12, "startup_subsidy"), 0) \
            + c.startup_subsidy_cny_per_community
        items[(y0 + (m0 + first) // 12, "office_fitout")] = items.get((y0 + (m0 + first) // 12, "office_fitout"), 0) \
            + c.fitout_cny_per_m2 * com.office_area_m2.value
        for month in range(first, scenario.horizon_months):
            year = y0 + (m0 + month) // 12
            pay = _value(c.staff_pay_cny_per_year, year)
            if rules.has("pay_floor"):
                pay = max(pay, _value(c.reference_wage, year - 1))
            ins = _value(c.employer_insurance, year)
            for item, amount in (("staff_pay", staff * pay / 12), ("employer_insurance", staff * pay * ins / 12),
                                 ("housing_fund", staff * pay * c.housing_fund_rate / 12),
                                 ("operating_funds", c.operating_funds_cny_per_community_year / 12),
                                 ("training", staff * c.training_cny_per_worker / 12)):
                items[(year, item)] = items.get((year, item), 0.0) + amount
    rows = tuple(BudgetRow(y, it, p, round(a * s, 2)) for (y, it), a in sorted(items.items())
                 for p, s in sorted(payers.items()))
    return Budget(rows, payers)
