"""Multi-year budget by calendar year, item and payer, for a plan at full occupancy and, when given, its
facility plan.

Items (stable names; the ``item`` column of ``budget.csv``):

- ``staff_pay``, ``employer_insurance``, ``housing_fund``, ``training``, ``operating_funds``: monthly, from
  the month a community's first building is delivered to the horizon's end. Staff are the plan's full-time
  workers (role ``fulltime_staff``); pay is ``costs.staff_pay_cny_per_year`` for the year, raised where the
  regime sets a pay floor (role ``pay_floor``; SD-22 §三(三): at least last year's county average wage) to
  the floor's share of ``costs.reference_wage`` of the previous year; insurance is the sum of
  ``costs.employer_insurance`` rates, the housing fund ``costs.housing_fund_rate``, of that pay.
- ``startup_subsidy``, ``office_fitout``: once per community, in the calendar year of its first delivery.
- ``facility_capital:<service>``: each facility module's capital, in the calendar year it opens.
- ``facility_running:<service>``: each module's running cost, monthly from its opening month to the
  horizon's end. Services: ``kindergarten``, ``primary``, ``junior_middle``, ``eldercare``, ``clinic``.

Payers: ``costs.payers``, else the regime's cost-sharing rule (role ``cost_sharing``; Shandong city :
county 5 : 5, SD-22 §三(三)), else ``government``; every item is split by the same shares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from optimize.plan import Plan
from scenarios.figures import Figures
from scenarios.schema import Scenario
from standards.ruleset import RuleSet

if TYPE_CHECKING:
    from optimize.facilities import FacilityPlan

STAFF_ITEMS = ("staff_pay", "employer_insurance", "housing_fund")
COMMUNITY_ITEMS = STAFF_ITEMS + ("training", "operating_funds", "startup_subsidy", "office_fitout")
FACILITY_CAPITAL = "facility_capital:"
FACILITY_RUNNING = "facility_running:"


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
    notes: tuple[str, ...] = field(default_factory=tuple)   # which pay rule applied, by year

    def total(self, year: int | None = None) -> float:
        return sum(r.amount_cny for r in self.rows if year is None or r.year == year)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({r.year for r in self.rows}))

    def items(self, year: int) -> dict[str, float]:
        """Each item's amount in ``year``, all payers together."""
        out: dict[str, float] = {}
        for r in self.rows:
            if r.year == year:
                out[r.item] = out.get(r.item, 0.0) + r.amount_cny
        return out


def payers_of(scenario: Scenario, rules: RuleSet) -> dict[str, float]:
    if scenario.costs.payers:
        return dict(scenario.costs.payers)
    if rules.has("cost_sharing"):
        return dict(rules.role("cost_sharing").value.parts)
    return {"government": 1.0}


def year_of(month: int, scenario: Scenario) -> int:
    return scenario.start_year + (scenario.start_month - 1 + month) // 12


def first_months(plan: Plan, scenario: Scenario) -> dict[str, int]:
    """The month each community starts costing money: its first building's delivery."""
    deliver = {b.id: b.delivery_month for b in scenario.buildings}
    return {c.id: min(deliver[b] for b in c.buildings) for c in plan.communities}


def staff_years(plan: Plan, scenario: Scenario) -> dict[int, float]:
    """Full-time worker-years paid in each calendar year (staff × months active ÷ 12)."""
    out: dict[int, float] = {}
    first = first_months(plan, scenario)
    for c in plan.communities:
        for month in range(first[c.id], scenario.horizon_months):
            y = year_of(month, scenario)
            out[y] = out.get(y, 0.0) + c.staff.value / 12
    return out


def community_years(plan: Plan, scenario: Scenario) -> dict[int, float]:
    """Community-years of operating funds in each calendar year."""
    out: dict[int, float] = {}
    first = first_months(plan, scenario)
    for c in plan.communities:
        for month in range(first[c.id], scenario.horizon_months):
            y = year_of(month, scenario)
            out[y] = out.get(y, 0.0) + 1 / 12
    return out


def pay_in(year: int, scenario: Scenario, rules: RuleSet) -> tuple[float, str]:
    """Yearly pay of one worker in ``year`` and the rule that set it (the pay floor when it binds)."""
    f = Figures(scenario, rules)
    pay = f.number("costs.staff_pay_cny_per_year", year)
    source = f.basis("costs.staff_pay_cny_per_year")
    if rules.has("pay_floor"):
        floor_rule = rules.role("pay_floor")
        floor = floor_rule.value.share * f.number("costs.reference_wage", year - 1)
        if floor > pay:
            return floor, floor_rule.id
    return pay, source


def budget(plan: Plan, scenario: Scenario, rules: RuleSet, facilities: "FacilityPlan | None" = None) -> Budget:
    """Yearly costs by item and payer (see the module docstring); ``facilities`` adds the facility items."""
    c = scenario.costs
    figures = Figures(scenario, rules)
    payers = payers_of(scenario, rules)
    items: dict[tuple[int, str], float] = {}

    def add(year: int, item: str, amount: float) -> None:
        items[(year, item)] = items.get((year, item), 0.0) + amount

    first = first_months(plan, scenario)
    pay_by_year = {y: pay_in(y, scenario, rules) for y in range(year_of(0, scenario),
                                                                    year_of(scenario.horizon_months - 1, scenario) + 1)}
    for com in plan.communities:
        start = first[com.id]
        staff = com.staff.value
        add(year_of(start, scenario), "startup_subsidy", c.startup_subsidy_cny_per_community)
        add(year_of(start, scenario), "office_fitout", c.fitout_cny_per_m2 * com.office_area_m2.value)
        for month in range(start, scenario.horizon_months):
            year = year_of(month, scenario)
            pay = pay_by_year[year][0]
            ins = figures.number("costs.employer_insurance", year)
            add(year, "staff_pay", staff * pay / 12)
            add(year, "employer_insurance", staff * pay * ins / 12)
            add(year, "housing_fund", staff * pay * c.housing_fund_rate / 12)
            add(year, "operating_funds", c.operating_funds_cny_per_community_year / 12)
            add(year, "training", staff * c.training_cny_per_worker / 12)
    if facilities is not None:
        for m in facilities.modules:
            add(year_of(m.opening_month, scenario), FACILITY_CAPITAL + m.service, m.capital_cny.value)
            running = dict(m.running_cny_by_year)
            for month in range(m.opening_month, scenario.horizon_months):
                year = year_of(month, scenario)
                add(year, FACILITY_RUNNING + m.service, running[year] / 12)
    # ---- regime items (optimize/regime_items.py): GZ-3 zone rooms, grid and station staff; SD-22 social
    # workers. Each row's basis (the rule id that creates it) is in regime_items.basis_of(extra).
    from optimize.regime_items import regime_items
    extra = regime_items(plan, scenario, rules, {y: pay for y, (pay, _) in pay_by_year.items()})
    for it in extra:
        add(it.year, it.item, it.amount_cny)
    # ---- end of regime items
    rows = tuple(BudgetRow(y, it, p, round(a * s, 2)) for (y, it), a in sorted(items.items())
                 for p, s in sorted(payers.items()))
    used = {y: v for y, v in pay_by_year.items() if any(k[0] == y and k[1] == "staff_pay" for k in items)}
    notes = tuple(f"{y}: staff pay {pay:,.0f} CNY per worker-year from {rule}" for y, (pay, rule) in sorted(used.items()))
    return Budget(rows, payers, notes)
