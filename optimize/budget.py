"""Multi-year budget by calendar year, item and payer, each row with the rules behind its amount and payer.

``budget(plan, scenario, rules, facilities=None, simulated=None) -> Budget``. Every figure from a scenario
field or rule id comes through ``scenarios.figures.Figures``; every payer from a rule of role
``cost_sharing`` (or the scenario's ``costs.payers`` / ``costs.facility_payers``).

Items (stable names; the ``item`` column of ``budget.csv``):

- ``staff_pay``, ``employer_insurance``, ``housing_fund``: monthly. Staff: with ``simulated`` (``estate run``)
  each community's simulated staff at the scenario's ``facilities.demand_quantile``, hired
  ``costs.hire_lead_months`` ahead (the staff needed in month m + lead are paid in month m, from that many
  months before the first delivery), never more than the plan's full strength; without it (``estate plan``)
  the plan's full-time staff (role ``fulltime_staff``) from the first delivery. Pay: ``costs.staff_pay_cny_per_year``
  raised where the regime sets a pay floor (role ``pay_floor``; SD-22 §三(三): at least last year's county
  average wage, ``costs.reference_wage``). A figure given by year is taken for its year; after its last year,
  or for a figure without a year (from the scenario's first year), it grows at ``costs.pay_growth``.
  Insurance is the sum of ``costs.employer_insurance`` rates, the housing fund ``costs.housing_fund_rate``.
- ``member_allowances`` (role ``member_allowances``; SD-22 §三(三)): the committee's members (role
  ``committee_members``) and ``costs.party_members_off_committee``, each at the pay floor, with insurance and
  housing fund on it (added to those items), monthly from the community's first delivery.
- ``training``: each training rule's interval. Role ``training_interval``: the paid staff (and, where members
  are paid, the committee's members but the director) trained in the community's first month and every
  interval after; role ``training_director_interval``: one director per community likewise. Each training
  costs ``costs.training_cny_per_worker``. A regime with no training rule: that amount per worker-year.
- ``operating_funds`` (and ``it_systems`` where ``costs.it_systems_cny_per_community_year`` is given): per
  community-year, monthly from the first delivery.
- ``startup_subsidy``, ``office_fitout``: once per community, in the calendar year of its first delivery.
- ``property_fee_subsidy`` (role ``property_fee_subsidy``; GZ-3 §六(二)): low-income households (occupied
  households, simulated or at full occupancy, × ``households.low_income_share``) × the fee
  (``costs.property_fee_cny_per_m2_month`` × the community's mean flat floor area) × the share the
  government pays (``costs.property_fee_subsidy_share``), monthly.
- ``facility_capital:<service>`` in the calendar year a module opens; ``facility_running:<service>`` monthly
  from its opening month (services: ``scenarios.services``).

Payers of an item, first that applies: ``costs.payers`` (every item); for facility items
``costs.facility_payers`` (default ``money.payer_unassigned``: the documents do not assign them); the
regime's rule of role ``cost_sharing`` listing the item (CQ-73 §三(九)(十), SD-22 §三(三), GZ-3 §七(三)…);
else ``money.payer_unassigned``. Each row carries ``basis`` (the rule ids, ``scenario:<field>`` and
``simulation:<metric>.<quantile>`` that set its amount) and ``payer_basis`` (the one that sets its payer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from optimize.plan import CommunityPlan, Plan
from scenarios.demand import Demand
from scenarios.figures import Figure, Figures
from scenarios.schema import Scenario
from standards.ruleset import RuleSet

if TYPE_CHECKING:
    from optimize.facilities import FacilityPlan

STAFF_ITEMS = ("staff_pay", "employer_insurance", "housing_fund")
COMMUNITY_ITEMS = STAFF_ITEMS + ("member_allowances", "training", "operating_funds", "it_systems",
                                 "startup_subsidy", "office_fitout", "property_fee_subsidy")
FACILITY_CAPITAL = "facility_capital:"
FACILITY_RUNNING = "facility_running:"
UNASSIGNED = "money.payer_unassigned"


@dataclass(frozen=True)
class BudgetRow:
    year: int
    item: str
    payer: str
    amount_cny: float
    basis: str = ""          # what sets the amount: rule ids, scenario:<field>, simulation:<metric>.<quantile>
    payer_basis: str = ""    # what sets the payer: a rule id or scenario:<field>


@dataclass(frozen=True)
class Simulated:
    """What the simulation says each community needs, month by month, at one quantile."""

    quantile: str
    staff: Mapping[str, tuple[float, ...]]
    households: Mapping[str, tuple[float, ...]]

    @classmethod
    def from_demand(cls, demand: Demand, quantile: str) -> "Simulated":
        return cls(quantile, {c: bands["staff"].quantile(quantile) for c, bands in demand.communities.items()},
                   {c: bands["households"].quantile(quantile) for c, bands in demand.communities.items()})


@dataclass(frozen=True)
class Budget:
    rows: tuple[BudgetRow, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)      # staffing, the pay rule by year, items not costed
    staffing: str = "full_strength"                            # or "simulated"
    worker_years: Mapping[int, float] = field(default_factory=dict)        # paid full-time staff, by year
    full_strength_worker_years: Mapping[int, float] = field(default_factory=dict)

    def total(self, year: int | None = None) -> float:
        return sum(r.amount_cny for r in self.rows if year is None or r.year == year)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({r.year for r in self.rows}))

    @property
    def payers(self) -> tuple[str, ...]:
        return tuple(sorted({r.payer for r in self.rows}))

    def items(self, year: int) -> dict[str, float]:
        """Each item's amount in ``year``, all payers together."""
        out: dict[str, float] = {}
        for r in self.rows:
            if r.year == year:
                out[r.item] = out.get(r.item, 0.0) + r.amount_cny
        return out


def year_of(month: int, scenario: Scenario) -> int:
    return scenario.start_year + (scenario.start_month - 1 + month) // 12


def first_months(plan: Plan, scenario: Scenario) -> dict[str, int]:
    """The month each community starts costing money: its first building's delivery."""
    deliver = {b.id: b.delivery_month for b in scenario.buildings}
    return {c.id: min(deliver[b] for b in c.buildings) for c in plan.communities}


def community_years(plan: Plan, scenario: Scenario) -> dict[int, float]:
    """Community-years of operating funds in each calendar year."""
    out: dict[int, float] = {}
    first = first_months(plan, scenario)
    for c in plan.communities:
        for month in range(first[c.id], scenario.horizon_months):
            y = year_of(month, scenario)
            out[y] = out.get(y, 0.0) + 1 / 12
    return out


def grown(f: Figure, year: int, growth: float, base_year: int) -> float:
    """The figure in ``year``: a by-year figure grows from its year, any other from ``base_year``."""
    start = f.year if f.year is not None else base_year
    return float(f.value) * (1 + growth) ** (year - start)


def pay_in(year: int, scenario: Scenario, rules: RuleSet) -> tuple[float, str]:
    """Yearly pay of one worker in ``year`` and what set it (the pay floor's rule when it binds)."""
    f = Figures(scenario, rules)
    g = f.field("costs.pay_growth")
    own = f.field("costs.staff_pay_cny_per_year", year)
    pay, basis = grown(own, year, g.value, scenario.start_year), own.basis
    if (own.year if own.year is not None else scenario.start_year) != year:
        basis += f"; {g.basis}"
    if rules.has("pay_floor"):
        floor, floor_basis = floor_in(year, scenario, rules)
        if floor > pay:
            return floor, floor_basis
    return pay, basis


def floor_in(year: int, scenario: Scenario, rules: RuleSet) -> tuple[float, str]:
    """The pay floor (role ``pay_floor``) in ``year``: its share of ``costs.reference_wage`` of the year before."""
    f = Figures(scenario, rules)
    g = f.field("costs.pay_growth")
    rule = rules.role("pay_floor")
    wage = f.field("costs.reference_wage", year - 1)
    grows = (wage.year if wage.year is not None else scenario.start_year) != year - 1
    basis = f"{rule.id}; {wage.basis}" + (f"; {g.basis}" if grows else "")
    return rule.value.share * grown(wage, year - 1, g.value, scenario.start_year), basis


class _Payers:
    """The payer shares of each item and the rule (or scenario field) that sets them."""

    def __init__(self, scenario: Scenario, rules: RuleSet, figures: Figures) -> None:
        self.own = dict(scenario.costs.payers) if scenario.costs.payers else None
        self.facility = figures.field("costs.facility_payers")
        self.rules = rules.roles("cost_sharing")
        self.unassigned = figures.rule(UNASSIGNED)

    def of(self, item: str) -> tuple[dict[str, float], str]:
        if self.own is not None:
            return self.own, "scenario:costs.payers"
        if item.startswith((FACILITY_CAPITAL, FACILITY_RUNNING)):
            return dict(self.facility.value), self.facility.basis
        for rule in self.rules:
            if item in rule.value.items:
                return rule.value.as_dict(), rule.id
        return dict(self.unassigned.value), self.unassigned.basis

    def names(self, item: str) -> str | None:
        """The regime rule that lists ``item``, if any."""
        return next((r.id for r in self.rules if item in r.value.items), None)


def _training(rules: RuleSet) -> list[tuple[str, float, str]]:
    """(who, interval in months, rule id) of each training rule: ``staff`` (with the members but the director,
    where members are paid) and ``director``."""
    out = []
    if rules.has("training_interval"):
        r = rules.role("training_interval")
        out.append(("staff", r.value.months, r.id))
    if rules.has("training_director_interval"):
        r = rules.role("training_director_interval")
        out.append(("director", r.value.months, r.id))
    return out


def budget(plan: Plan, scenario: Scenario, rules: RuleSet, facilities: "FacilityPlan | None" = None,
           simulated: Simulated | None = None) -> Budget:
    """Yearly costs by item and payer (see the module docstring); ``facilities`` adds the facility items,
    ``simulated`` pays the simulated staff instead of full strength."""
    c = scenario.costs
    figures = Figures(scenario, rules)
    months = scenario.horizon_months
    items: dict[tuple[int, str], float] = {}
    bases: dict[tuple[int, str], dict[str, None]] = {}
    notes: list[str] = []

    def add(month_or_year: int, item: str, amount: float, basis: str, *, year: bool = False) -> None:
        y = month_or_year if year else year_of(month_or_year, scenario)
        items[(y, item)] = items.get((y, item), 0.0) + amount
        for b in basis.split("; "):
            bases.setdefault((y, item), {})[b] = None

    years = range(year_of(0, scenario), year_of(months - 1, scenario) + 1)
    pay = {y: pay_in(y, scenario, rules) for y in years}
    floor = {y: floor_in(y, scenario, rules) for y in years} if rules.has("pay_floor") else {}
    ins = {y: figures.field("costs.employer_insurance", y) for y in years}
    fund = figures.field("costs.housing_fund_rate")
    lead = int(round(figures.number("costs.hire_lead_months"))) if simulated is not None else 0
    lead_basis = figures.basis("costs.hire_lead_months")
    staff_rule = rules.role("fulltime_staff").id
    staff_basis = staff_rule if simulated is None else \
        f"{staff_rule}; simulation:staff.{simulated.quantile}; {lead_basis}"
    training = _training(rules)
    members_paid = rules.has("member_allowances")
    first = first_months(plan, scenario)
    worker_years: dict[int, float] = {}
    full_years: dict[int, float] = {}

    def pay_staff(month: int, people: float, basis: str) -> None:
        y = year_of(month, scenario)
        amount, pay_basis = pay[y]
        rate = sum(ins[y].value.values()) if isinstance(ins[y].value, dict) else float(ins[y].value)
        add(month, "staff_pay", people * amount / 12, f"{basis}; {pay_basis}")
        add(month, "employer_insurance", people * amount * rate / 12, f"{basis}; {ins[y].basis}")
        add(month, "housing_fund", people * amount * fund.value / 12, f"{basis}; {fund.basis}")

    for com in plan.communities:
        start = first[com.id]
        full = com.staff.value
        paid = _paid_staff(com, start, months, simulated, lead)
        for month, people in paid.items():
            y = year_of(month, scenario)
            worker_years[y] = worker_years.get(y, 0.0) + people / 12
            pay_staff(month, people, staff_basis)
        for month in range(start, months):
            y = year_of(month, scenario)
            full_years[y] = full_years.get(y, 0.0) + full / 12
        add(start, "startup_subsidy", c.startup_subsidy_cny_per_community,
            figures.basis("costs.startup_subsidy_cny_per_community"))
        office = ", ".join(r.id for r in rules.roles("office_space"))
        add(start, "office_fitout", c.fitout_cny_per_m2 * com.office_area_m2.value,
            f"{com.office_area_m2.rule or office}; {figures.basis('costs.fitout_cny_per_m2')}")
        operating = "; ".join([r.id for r in rules.roles("operating_funds")]
                              + [figures.basis("costs.operating_funds_cny_per_community_year")])
        for month in range(start, months):
            add(month, "operating_funds", c.operating_funds_cny_per_community_year / 12, operating)
            if c.it_systems_cny_per_community_year is not None:
                add(month, "it_systems", c.it_systems_cny_per_community_year / 12,
                    figures.basis("costs.it_systems_cny_per_community_year"))
        members = 0.0
        if members_paid:
            party = figures.field("costs.party_members_off_committee")
            members = com.committee_members.value + float(party.value)
            rule = rules.role("member_allowances").id
            for month in range(start, months):
                y = year_of(month, scenario)
                amount, floor_basis = floor[y] if floor else pay[y]
                basis = f"{rule}; {com.committee_members.rule}; {party.basis}; {floor_basis}"
                add(month, "member_allowances", members * amount / 12, basis)
                rate = sum(ins[y].value.values()) if isinstance(ins[y].value, dict) else float(ins[y].value)
                add(month, "employer_insurance", members * amount * rate / 12, f"{rule}; {ins[y].basis}")
                add(month, "housing_fund", members * amount * fund.value / 12, f"{rule}; {fund.basis}")
        cost = figures.basis("costs.training_cny_per_worker")
        if not training:
            for month, people in paid.items():
                add(month, "training", people * c.training_cny_per_worker / 12, f"{staff_basis}; {cost}")
        for who, interval, rid in training:
            step = max(1, int(round(interval)))
            for month in range(start, months, step):
                if who == "director":
                    people, basis = 1.0, rid
                else:
                    people = paid.get(month, 0.0) + (max(0.0, members - 1) if members_paid else 0.0)
                    basis = f"{rid}; {staff_basis}" + (f"; {com.committee_members.rule}" if members_paid else "")
                add(month, "training", people * c.training_cny_per_worker, f"{basis}; {cost}")
    _property_fee_subsidy(plan, scenario, rules, figures, simulated, add, notes)
    if facilities is not None:
        for m in facilities.modules:
            add(m.opening_month, FACILITY_CAPITAL + m.service, m.capital_cny.value, m.capital_cny.rule or "")
            running = dict(m.running_cny_by_year)
            for month in range(m.opening_month, months):
                add(month, FACILITY_RUNNING + m.service, running[year_of(month, scenario)] / 12,
                    m.running_cny_per_year.rule or "")
    # ---- regime items (optimize/regime_items.py): GZ-3 zone rooms, grid and station staff; SD-22 social workers
    from optimize.regime_items import regime_items
    for it in regime_items(plan, scenario, rules, {y: amount for y, (amount, _) in pay.items()}):
        add(it.year, it.item, it.amount_cny, it.basis, year=True)

    payers = _Payers(scenario, rules, figures)
    rows = []
    for (y, item), amount in sorted(items.items()):
        shares, payer_basis = payers.of(item)
        basis = "; ".join(b for b in bases[(y, item)] if b)
        rows += [BudgetRow(y, item, p, round(amount * s, 2), basis, payer_basis) for p, s in sorted(shares.items())]
    if c.it_systems_cny_per_community_year is None and payers.names("it_systems") and payers.own is None:
        notes.append(f"it_systems ({payers.names('it_systems')}) is not costed: no figure is shipped; give "
                     "costs.it_systems_cny_per_community_year")
    notes.insert(0, _staffing_note(simulated, lead, worker_years, full_years))
    used = sorted({y for (y, item) in items if item == "staff_pay"})
    notes += [f"{y}: staff pay {pay[y][0]:,.0f} CNY per worker-year from {pay[y][1]}" for y in used]
    return Budget(tuple(rows), tuple(notes), "simulated" if simulated is not None else "full_strength",
                  dict(sorted(worker_years.items())), dict(sorted(full_years.items())))


def _paid_staff(com: CommunityPlan, start: int, months: int, simulated: Simulated | None,
                lead: int) -> dict[int, float]:
    """Full-time staff paid in each month: full strength from the first delivery, or the simulated staff of
    month m + lead (capped at full strength) from ``lead`` months before it."""
    full = com.staff.value
    if simulated is None:
        return {m: full for m in range(start, months)}
    need = simulated.staff[com.id]
    out = {}
    for m in range(max(0, start - lead), months):
        people = min(full, need[min(m + lead, months - 1)])
        if people > 0:
            out[m] = people
    return out


def _staffing_note(simulated: Simulated | None, lead: int, paid: dict[int, float], full: dict[int, float]) -> str:
    total, at_full = sum(paid.values()), sum(full.values())
    if simulated is None:
        return (f"Staff paid at full strength from each community's first delivery ({at_full:,.1f} worker-years): "
                "this budget has no simulation; `estate run` pays the simulated staff")
    return (f"Staff paid as simulated ({simulated.quantile}), hired {lead} months ahead, never above full strength: "
            f"{total:,.1f} worker-years against {at_full:,.1f} at full strength")


def _property_fee_subsidy(plan: Plan, scenario: Scenario, rules: RuleSet, figures: Figures,
                          simulated: Simulated | None, add, notes: list[str]) -> None:
    """Item ``property_fee_subsidy`` (role ``property_fee_subsidy``, GZ-3 §六(二)); see the module docstring."""
    if not rules.has("property_fee_subsidy"):
        return
    rule = rules.role("property_fee_subsidy").id
    c = scenario.costs
    missing = [f"costs.{n}" for n in ("property_fee_cny_per_m2_month", "property_fee_subsidy_share")
               if getattr(c, n) is None]
    if missing:
        notes.append(f"property_fee_subsidy ({rule}) is not costed: GZ-3 gives neither the fee nor the share the "
                     f"government pays, and none is shipped; give {' and '.join(missing)}")
        return
    share = figures.field("households.low_income_share")
    basis = "; ".join([rule, share.basis, "scenario:costs.property_fee_cny_per_m2_month",
                       "scenario:costs.property_fee_subsidy_share"]
                      + ([f"simulation:households.{simulated.quantile}"] if simulated is not None else []))
    by_id = {b.id: b for b in scenario.buildings}
    for com in plan.communities:
        blds = [by_id[b] for b in com.buildings]
        flat_m2 = sum(b.floor_area_m2 for b in blds) / sum(b.units for b in blds)
        monthly = float(share.value) * c.property_fee_cny_per_m2_month * flat_m2 * c.property_fee_subsidy_share
        for month in range(scenario.horizon_months):
            if simulated is not None:
                households = simulated.households[com.id][month]
            else:
                households = sum(b.units for b in blds if b.delivery_month <= month)
            if households > 0:
                add(month, "property_fee_subsidy", households * monthly, basis)

