"""The facility plan: which kindergartens, schools, eldercare homes and clinics to open, and when, to cover
the simulated demand over the horizon at least capital plus running cost.

``plan_facilities(demand, scenario, rules) -> FacilityPlan``. The demand is the simulation's
(``sim.run_ensemble(...).demand()``): the estate-wide monthly band of each service's metric
(``kindergarten_classes``, ``primary_classes``, ``junior_middle_classes``, ``eldercare_beds``,
``eldercare_space_m2``, ``clinic_m2``), at the quantile ``scenario.facilities.demand_quantile`` (P50 or P90).

The model (``optimize.facility_model``, formulation and numbered constraints in its docstring) picks
modules of cited sizes: kindergartens of 6/9/12 classes (``facilities.kindergarten_modules``, GB50180-2018),
primary and junior-middle schools of 12/18/24/30 classes (``facilities.school_modules``, 建标102-2002),
eldercare of 10/20/50/100 beds (``facilities.eldercare_modules``: our reading of the 350 m² smallest site
at 35 m² per bed), the community eldercare centre or station of CQ-73 §二(四) in sites of 350–1,400 m²
(``facilities.eldercare_centre_modules``; sizes below the service's site minimum,
``facilities.eldercare_site_minimum``, are not opened) and clinics of the areas of the clinic bands
(``facilities.clinic_modules``). The services and their fields are the records of ``scenarios.services``.

Periods: a school or kindergarten opens in September (``facilities.school_year_start_month``): pupils
start at the school year, so a capacity decision per school year is all a planner can take, and it keeps
the model small (about ten periods over a ten-year horizon). Eldercare and clinics open at the start of
any quarter from the scenario's start (``facilities.opening_interval``). Capacity once opened stays open.
Each period's peak monthly demand must be covered, or the shortfall is an unmet-demand slack weighed
heavily per unit-month; months with unmet demand are reported per service with the reason: before the
first opening month, the scenario's ``max_sites`` for the service, or the budget cap.

Costs (every one a cited figure, or the scenario's own number; ``scenario.costs``):
- capital, in the calendar year of the opening month: classes × capital per class (kindergarten,
  primary, junior middle), beds × capital per bed, m² × capital per m² (eldercare centre, clinic);
- running, from the opening month to the horizon's end, for the module's whole capacity: classes ×
  pupils per class (the sizing rule's ``per`` ÷ ``amount``) × running per pupil per year; beds × running
  per bed per year; m² × running per m² per year (eldercare centre: no published figure, so without the
  scenario's own it counts as 0 and the plan's notes say so); for a clinic, the residents its area is sized
  for under ``facilities.clinic`` × running per resident per year. Figures by year take the year's value
  (the latest year before it when later).

The budget cap (``costs.budget_cap_cny_per_year``) is applied when the community's own costs are known
(``plan=`` or ``committed_cny_by_year=``): facilities may spend in each year what the cap leaves after
them (``money.cap_priority`` puts the community's legal minimums first). Without them the cap is not
applied here and a note says so; ``optimize.budget_cap`` still reports the years over the cap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Mapping

from optimize.facility_model import FacilityModel, ModuleInput, ServiceInput, year_of
from optimize.plan import Figure
from optimize.solver import SolveStatus
from scenarios.demand import Demand
from scenarios.figures import Figures
from scenarios.schema import Scenario
from scenarios.services import PLANNED, PLANNED_NAMES, Service, service
from standards.errors import InputError
from standards import formulas
from standards.shapes import Bands, Choices, Items, Minimum, Period, Quantity, Ratio
from standards.ruleset import RuleSet

if TYPE_CHECKING:
    from optimize.plan import Plan


SERVICE_NAMES = PLANNED_NAMES   # the services the plan opens, in the registry's order (scenarios.services)

SCHOOL_YEAR_RULE = "facilities.school_year_start_month"
OPENING_INTERVAL_RULE = "facilities.opening_interval"
PRIORITY_RULE = "money.cap_priority"


class UnmetReason(str, Enum):
    BEFORE_FIRST_OPENING = "before_first_opening"   # no module can open yet (schools: the first September)
    MAX_SITES = "max_sites"                         # the scenario's facilities.max_sites for the service
    BUDGET_CAP = "budget_cap"                       # costs.budget_cap_cny_per_year, after the community's costs
    UNCOVERED = "uncovered"                         # the solver stopped (time limit) before covering it
    NOT_SOLVED = "not_solved"                       # the solver stopped without a plan


@dataclass(frozen=True)
class FacilityModule:
    """One facility opened: its size (classes, beds or m²) and costs, each figure with the rule it came from."""

    service: str
    size: Figure                          # rule: the module-size rule (e.g. facilities.school_modules)
    unit: str
    opening_month: int                    # months from the scenario's start
    opening: str                          # calendar month, YYYY-MM
    capital_cny: Figure                   # in the calendar year of the opening month
    running_cny_per_year: Figure          # at the opening year's figures
    running_cny_by_year: tuple[tuple[int, float], ...]   # a full year's running cost, by calendar year


@dataclass(frozen=True)
class UnmetMonth:
    month: int
    when: str                             # YYYY-MM
    demand: float
    capacity: float
    shortfall: float                      # in the service's unit
    reason: UnmetReason


@dataclass(frozen=True)
class UnmetRun:
    """Consecutive months of unmet demand of one service, for one reason."""

    service: str
    unit: str
    first_month: int
    last_month: int
    first: str
    last: str
    months: int
    max_shortfall: float
    reason: UnmetReason
    rule: str                             # the rule that bounds it (sizing rule, max_sites or the cap field)

    def line(self) -> str:
        span = self.first if self.first == self.last else f"{self.first} to {self.last}"
        opening = SCHOOL_YEAR_RULE if service(self.service).calendar == "school_year" else OPENING_INTERVAL_RULE
        why = {UnmetReason.BEFORE_FIRST_OPENING: f"no {self.service} can open before the first opening month ({opening})",
               UnmetReason.MAX_SITES: "the scenario's facilities.max_sites allows no more sites",
               UnmetReason.BUDGET_CAP: "the budget cap (costs.budget_cap_cny_per_year) leaves no money for it",
               UnmetReason.UNCOVERED: "the solver stopped (time limit) before covering it",
               UnmetReason.NOT_SOLVED: "the solver stopped without a plan"}[self.reason]
        return (f"{self.service}: {self.months} month(s) of unmet demand {span}, up to {self.max_shortfall:,.1f} "
                f"{self.unit} short of {self.rule}: {why}")


@dataclass(frozen=True)
class ServicePlan:
    service: str
    unit: str
    metric: str
    sizing_rule: str
    modules_rule: str
    max_sites: int | None
    modules: tuple[FacilityModule, ...]
    demand: tuple[float, ...]             # monthly, at the plan's quantile
    capacity: tuple[float, ...]           # monthly capacity open
    unmet: tuple[UnmetMonth, ...]

    def unmet_runs(self) -> tuple[UnmetRun, ...]:
        runs: list[UnmetRun] = []
        for m in self.unmet:
            last = runs[-1] if runs else None
            if last is not None and last.reason is m.reason and last.last_month == m.month - 1:
                runs[-1] = UnmetRun(self.service, self.unit, last.first_month, m.month, last.first, m.when,
                                    last.months + 1, max(last.max_shortfall, m.shortfall), m.reason, last.rule)
            else:
                rule = {UnmetReason.MAX_SITES: "facilities.max_sites",
                        UnmetReason.BUDGET_CAP: "costs.budget_cap_cny_per_year"}.get(m.reason, self.sizing_rule)
                runs.append(UnmetRun(self.service, self.unit, m.month, m.month, m.when, m.when, 1, m.shortfall,
                                     m.reason, rule))
        return tuple(runs)


@dataclass(frozen=True)
class FacilityPlan:
    """Modules opened per service, months of unmet demand, and how the model was solved."""

    status: SolveStatus
    quantile: str
    start: str
    months: int
    services: tuple[ServicePlan, ...]
    solver: str
    objective: float | None               # million CNY, unmet-demand penalties included
    gap: float | None
    solve_seconds: float
    cap_applied: bool
    headroom_cny: tuple[tuple[int, float], ...] = ()   # what the cap left the facilities, by year
    notes: tuple[str, ...] = field(default_factory=tuple)

    def service(self, name: str) -> ServicePlan:
        for s in self.services:
            if s.service == name:
                return s
        raise KeyError(f"no service {name!r} in the facility plan")

    @property
    def modules(self) -> tuple[FacilityModule, ...]:
        return tuple(sorted((m for s in self.services for m in s.modules),
                            key=lambda m: (m.opening_month, SERVICE_NAMES.index(m.service), m.size.value)))

    def unmet_months(self, service: str, reason: UnmetReason | None = None) -> int:
        return sum(1 for m in self.service(service).unmet if reason is None or m.reason is reason)


# ---- inputs ---------------------------------------------------------------------------------------------

def calendar(month: int, scenario: Scenario) -> str:
    """YYYY-MM of a month counted from the scenario's start."""
    k = scenario.start_month - 1 + month
    return f"{scenario.start_year + k // 12:04d}-{k % 12 + 1:02d}"


@dataclass(frozen=True)
class Amount:
    """A money figure of ``scenario.costs`` by year, resolved by ``scenarios.figures.Figures``."""

    field: str
    source: str                                   # the rule id, or "scenario"
    values: tuple[tuple[int | None, float], ...]  # by year; one entry keyed None for a single figure

    def at(self, year: int) -> float:
        known = [(y, v) for y, v in self.values if y is None or y <= year]
        return (known[-1] if known else self.values[0])[1]


def amount(figures: Figures, name: str, *, required_for: str | None = None) -> Amount:
    """The figure behind ``scenario.costs.<name>`` by year, overrides applied; a missing one fails plainly."""
    path = f"costs.{name}"
    values = figures.series(path, required_for=required_for)
    basis = figures.basis(path)
    return Amount(name, "scenario" if basis.startswith("scenario:") else basis, values)


def _rule(rules: RuleSet, rid: str, where: str, shape: type, shape_name: str):
    try:
        rule = rules.rule(rid)
    except KeyError:
        raise InputError(f"{where} names {rid!r}, which is not a rule id (see `estate rules --all`)") from None
    if not isinstance(rule.value, shape):
        raise InputError(f"{where} names {rid}, a {rule.shape}; this field needs a {shape_name}")
    return rule


def _served(size: float, bands: Bands) -> float:
    """Residents a clinic of ``size`` m² is sized for: the largest band bound whose area it reaches (pro rata
    below the first band)."""
    reach = [b.upto for b in bands.bands if b.value <= size + 1e-9]
    if reach:
        return max(reach)
    first = bands.bands[0]
    return first.upto * size / first.value if first.value > 0 else 0.0


def _openings(spec: Service, scenario: Scenario, rules: RuleSet, months: int) -> tuple[int, ...]:
    if spec.calendar == "school_year":
        sept = int(_rule(rules, SCHOOL_YEAR_RULE, SCHOOL_YEAR_RULE, Quantity, "quantity").value.value)
        return tuple(m for m in range(months) if (scenario.start_month - 1 + m) % 12 + 1 == sept)
    step = max(1, int(round(_rule(rules, OPENING_INTERVAL_RULE, OPENING_INTERVAL_RULE, Period, "period").value.months)))
    return tuple(range(0, months, step))


def _priorities(rules: RuleSet) -> dict[str, float]:
    """ρ_s = 2^(services after s) in the order of ``money.cap_priority``; services it leaves out come last."""
    order = [x for x in _rule(rules, PRIORITY_RULE, PRIORITY_RULE, Items, "items").value.items if x in SERVICE_NAMES]
    order += [s for s in SERVICE_NAMES if s not in order]
    return {s: float(2 ** (len(order) - 1 - i)) for i, s in enumerate(order)}


@dataclass(frozen=True)
class _Costed:
    spec: Service
    sizing_rule: str
    modules_rule: str
    sizes: tuple[float, ...]
    capital: tuple[dict[int, float], ...]   # by opening year
    capital_rule: str
    running: tuple[dict[int, float], ...]
    running_rule: str
    notes: tuple[str, ...] = ()


def _costs(spec: Service, scenario: Scenario, rules: RuleSet, years: range) -> _Costed:
    f = scenario.facilities
    figures = Figures(scenario, rules)
    sizing_id = getattr(f, spec.sizing_field)
    modules_id = getattr(f, spec.modules_field)
    bands = spec.sizing_shape == "bands"
    sizing = _rule(rules, sizing_id, f"facilities.{spec.sizing_field}", Bands if bands else Ratio, spec.sizing_shape)
    modules = _rule(rules, modules_id, f"facilities.{spec.modules_field}", Choices, "choices")
    cap = amount(figures, spec.capital.name)
    notes: list[str] = []
    if not spec.running.required and figures.raw(f"costs.{spec.running.name}") is None:
        run = Amount(spec.running.name, f"costs.{spec.running.name} not given", ((None, 0.0),))
        notes.append(f"{spec.name}: running cost counted as 0: no published figure is shipped; give "
                     f"costs.{spec.running.name}")
    else:
        run = amount(figures, spec.running.name, required_for=spec.name)
    sizes = tuple(float(x) for x in modules.value.values)
    if spec.site_minimum is not None:
        minimum = _rule(rules, spec.site_minimum, spec.site_minimum, Minimum, "minimum").value.min
        kept = formulas.sites_at_least(sizes, minimum)
        if not kept:
            raise InputError(f"facilities.{spec.modules_field}: every size of {modules.id} is below the site minimum "
                             f"of {spec.site_minimum} ({minimum:g} {spec.unit})")
        if len(kept) < len(sizes):
            notes.append(f"{spec.name}: sizes below {spec.site_minimum} ({minimum:g} {spec.unit}) are not opened")
        sizes = kept
    if spec.running_basis == "pupil":
        per_unit = sizing.value.per / sizing.value.amount if sizing.value.amount > 0 else 0.0   # pupils per class
        factor = [q * per_unit for q in sizes]
        running_rule = f"{run.source} × {sizing.id}"
    elif spec.running_basis == "resident":
        factor = [_served(q, sizing.value) for q in sizes]
        running_rule = f"{run.source} × {sizing.id}"
    else:
        factor = list(sizes)
        running_rule = run.source
    return _Costed(spec, sizing.id, modules.id, sizes, tuple({y: q * cap.at(y) for y in years} for q in sizes),
                   cap.source, tuple({y: fac * run.at(y) for y in years} for fac in factor), running_rule,
                   tuple(notes))


def _demand(demand: Demand, metric: str, quantile: str, months: int) -> tuple[float, ...]:
    if metric not in demand.estate:
        raise InputError(f"the demand has no {metric!r} band (metrics: {', '.join(sorted(demand.estate))})")
    series = list(demand.estate[metric].quantile(quantile))[:months]
    series += [series[-1] if series else 0.0] * (months - len(series))
    return tuple(max(0.0, float(x)) for x in series)


# ---- the plan -------------------------------------------------------------------------------------------

def plan_facilities(demand: Demand, scenario: Scenario, rules: RuleSet, *, plan: "Plan | None" = None,
                    committed_cny_by_year: Mapping[int, float] | None = None, solver: str | None = None,
                    time_limit: float | None = None, gap: float | None = None) -> FacilityPlan:
    """Modules and opening months covering ``demand`` at least cost (see the module docstring).

    ``plan`` (the community split) or ``committed_cny_by_year`` (spending already committed each calendar
    year) lets the budget cap be applied; ``solver``, ``time_limit`` and ``gap`` default to the scenario's
    ``[optimizer]``."""
    o = scenario.optimizer
    months = scenario.horizon_months
    q = scenario.facilities.demand_quantile
    years = range(year_of(0, scenario.start_year, scenario.start_month),
                  year_of(months - 1, scenario.start_year, scenario.start_month) + 1)
    priority = _priorities(rules)
    max_sites = scenario.facilities.max_sites or {}
    costed = [_costs(spec, scenario, rules, years) for spec in PLANNED]
    inputs = []
    for c in costed:
        mods = tuple(ModuleInput(size, cap, run) for size, cap, run in zip(c.sizes, c.capital, c.running))
        site = scenario.facilities.site_weight * min((cap[years.start] for cap in c.capital), default=0.0)
        inputs.append(ServiceInput(c.spec.name, c.sizing_rule, _demand(demand, c.spec.metric, q, months), mods,
                                   _openings(c.spec, scenario, rules, months), max_sites.get(c.spec.name),
                                   priority[c.spec.name], site))
    inputs_t = tuple(inputs)

    notes: list[str] = []
    headroom: dict[int, float] | None = None
    cap = scenario.costs.budget_cap_cny_per_year
    if cap is not None:
        committed = committed_cny_by_year
        if committed is None and plan is not None:
            from optimize.budget import budget
            b = budget(plan, scenario, rules)
            committed = {y: b.total(y) for y in years}
        if committed is None:
            notes.append("the budget cap is not applied in the facility plan (the community's costs were not given); "
                         "optimize.budget_cap reports the years over the cap")
        else:
            headroom = {y: cap - float(committed.get(y, 0.0)) for y in years}
            tight = [y for y, room in headroom.items() if room <= 0]
            if tight:
                notes.append(f"the community's own costs take the whole cap in {', '.join(map(str, tight))}: "
                             "no facility can be paid for in those years")

    notes += [n for c in costed for n in c.notes]   # after the cap's notes, which come first
    model = FacilityModel.build(inputs_t, months, scenario.start_year, scenario.start_month, headroom)
    result = model.solve(solver or o.solver, time_limit or o.time_limit_s, o.gap if gap is None else gap)
    solved = result.solve.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    if not solved:
        notes.append(f"the facility model was not solved (solver status {result.solve.status.value}); no module is "
                     "planned and all demand is reported unmet")

    services = []
    for c, inp in zip(costed, inputs_t):
        mods: list[FacilityModule] = []
        for name, k, t, count in result.opened:
            if name != c.spec.name:
                continue
            y = year_of(t, scenario.start_year, scenario.start_month)
            for _ in range(count):
                mods.append(FacilityModule(
                    c.spec.name, Figure(c.sizes[k], c.modules_rule), c.spec.unit, t, calendar(t, scenario),
                    Figure(c.capital[k][y], c.capital_rule), Figure(c.running[k][y], c.running_rule),
                    tuple(sorted(c.running[k].items()))))
        services.append(_service_plan(c, inp, tuple(mods), scenario, cap_applied=headroom is not None, solved=solved))
    return FacilityPlan(result.solve.status, q, scenario.start, months, tuple(services), result.solve.solver,
                        result.solve.objective, result.solve.gap, result.solve.seconds, headroom is not None,
                        tuple(sorted(headroom.items())) if headroom is not None else (), tuple(notes))


def _service_plan(c: _Costed, inp: ServiceInput, mods: tuple[FacilityModule, ...], scenario: Scenario, *,
                  cap_applied: bool, solved: bool) -> ServicePlan:
    months = len(inp.demand)
    capacity = [0.0] * months
    for m in mods:
        for t in range(m.opening_month, months):
            capacity[t] += m.size.value
    first = inp.openings[0] if inp.openings else months
    sites_full = inp.max_sites is not None and len(mods) >= inp.max_sites
    unmet = []
    for t, (d, cap) in enumerate(zip(inp.demand, capacity)):
        short = d - cap
        if short <= 1e-6:
            continue
        if not solved:
            reason = UnmetReason.NOT_SOLVED
        elif t < first:
            reason = UnmetReason.BEFORE_FIRST_OPENING
        elif sites_full:
            reason = UnmetReason.MAX_SITES
        elif cap_applied:
            reason = UnmetReason.BUDGET_CAP
        else:
            reason = UnmetReason.UNCOVERED
        unmet.append(UnmetMonth(t, calendar(t, scenario), d, cap, short, reason))
    return ServicePlan(c.spec.name, c.spec.unit, c.spec.metric, c.sizing_rule, c.modules_rule, inp.max_sites, mods,
                       inp.demand, tuple(capacity), tuple(unmet))
