"""What a yearly budget cap leaves unmet: for each year over the cap, which standards cannot be paid for
within it and by how much, in money and in each standard's own unit, with the rule ids they come from.

``analyse_cap(budget, plan, scenario, rules, facilities=None) -> CapAnalysis`` when
``costs.budget_cap_cny_per_year`` is set.

Reading. The cap pays for the budget's tiers in the order of ``money.cap_priority`` (a rule: a scenario may
override it with a reason). The shipped order puts the community's legal minimums first:

1. ``staff``: full-time staff at the staffing ratio (role ``fulltime_staff``, e.g. CQ-73 §一(三) 1 per 200
   households) paid under the regime's pay rule (role ``pay_floor`` where set, SD-22 §三(三)) with employer
   insurance and housing fund (items ``staff_pay``, ``employer_insurance``, ``housing_fund``);
2. ``training`` (role ``training_interval``; CQ-30, SD-22);
3. ``operating_funds`` (role ``operating_funds``);
4. ``setup``: a new community's start-up subsidy (role ``startup_subsidy``) and office fit-out (role
   ``office_space``) (items ``startup_subsidy``, ``office_fitout``);
5. facilities, compulsory education first (义务教育法): ``primary``, ``junior_middle``, then ``clinic``,
   ``eldercare``, ``kindergarten``; within each, the running of what is open before new capital;
6. tiers the shipped order leaves out, last: ``eldercare_space`` (the community eldercare centre), then
   the regime's own items (``optimize.regime_items.CAP_TIERS``: ``zone_rooms``, ``grid_staff``,
   ``station_staff``, ``social_worker``), each reported in CNY with the rule that creates it.

The first tier the cap cannot pay in full gets what is left, and every tier after it nothing. Each unpaid
part is a ``Shortfall``: the money, and the standard in its own unit: the staffing ratio the money would
allow (1 worker per how many households), the operating funds per community-year, the communities left
without start-up money, the classes, beds or m² that cannot run, and the facility modules that slip past
the year. The shortfalls of a year add up to the amount over the cap.

When the facility plan was made under the cap (``plan_facilities(..., plan=...)``), it already spends only
what the community's costs leave, and the demand it left unmet because of the cap is listed in
``facility_unmet``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from optimize.budget import (FACILITY_CAPITAL, FACILITY_RUNNING, STAFF_ITEMS, Budget, community_years,
                             first_months, pay_in, year_of)
from optimize.facilities import SERVICE_NAMES, FacilityPlan, UnmetReason, UnmetRun
from optimize.plan import Plan
from optimize.regime_items import CAP_TIERS as REGIME_TIERS
from scenarios.schema import Scenario
from standards.errors import InputError
from standards.ruleset import RuleSet

PRIORITY_RULE = "money.cap_priority"
COMMUNITY_TIERS = {"staff": STAFF_ITEMS + ("member_allowances",), "training": ("training",),
                   "operating_funds": ("operating_funds", "it_systems"), "setup": ("startup_subsidy", "office_fitout"),
                   "property_fee_subsidy": ("property_fee_subsidy",)}
OTHER = "other"   # any item no tier names (paid last, so that a year's shortfalls add up to its excess)
EPS = 0.5   # CNY: amounts within half a yuan of the cap count as within it


@dataclass(frozen=True)
class Shortfall:
    """One standard the cap cannot pay for in one year."""

    year: int
    tier: str                  # "staff", "training", "operating_funds", "setup" or a facility service
    part: str                  # "pay" (community tiers), "running" or "capital" (facilities)
    rule: str                  # the standard's rule id
    citation: str
    unit: str
    required: float            # what the standard asks, in ``unit``
    affordable: float          # what the money left under the cap pays for, in ``unit``
    shortfall_units: float
    shortfall_cny: float
    explanation: str


@dataclass(frozen=True)
class CapYear:
    year: int
    cap_cny: float
    total_cny: float
    over_cny: float
    shortfalls: tuple[Shortfall, ...]


@dataclass(frozen=True)
class CapAnalysis:
    cap_cny_per_year: float
    priority: tuple[str, ...]
    priority_rule: str
    years_over: tuple[CapYear, ...]
    years_within: tuple[int, ...]
    facility_unmet: tuple[UnmetRun, ...]
    explanation: tuple[str, ...]

    @property
    def over_cny(self) -> float:
        return sum(y.over_cny for y in self.years_over)

    def year(self, year: int) -> CapYear:
        for y in self.years_over:
            if y.year == year:
                return y
        raise KeyError(f"{year} is not over the cap")


def _cite(rules: RuleSet, role: str, fallback: str) -> tuple[str, str]:
    if rules.has(role):
        r = rules.roles(role)[0]
        return r.id, str(r.citation)
    return fallback, "scenario"


def _sizing(facilities: FacilityPlan | None, service: str, rules: RuleSet) -> tuple[str, str, str]:
    """(sizing rule id, its citation, unit) of a facility service."""
    if facilities is None:
        return service, "", ""
    s = facilities.service(service)
    return s.sizing_rule, str(rules.rule(s.sizing_rule).citation), s.unit


def _units_open(facilities: FacilityPlan | None, service: str, year: int, scenario: Scenario) -> float:
    """Unit-years of capacity of ``service`` running in ``year`` (classes, beds or m² × months open ÷ 12)."""
    if facilities is None:
        return 0.0
    total = 0.0
    for m in facilities.service(service).modules:
        for month in range(m.opening_month, scenario.horizon_months):
            if year_of(month, scenario) == year:
                total += m.size.value / 12
    return total


def analyse_cap(budget: Budget, plan: Plan, scenario: Scenario, rules: RuleSet,
                facilities: FacilityPlan | None = None) -> CapAnalysis:
    """The years over ``costs.budget_cap_cny_per_year`` and what each leaves unpaid (module docstring)."""
    cap = scenario.costs.budget_cap_cny_per_year
    if cap is None:
        raise ValueError("the scenario sets no budget cap (costs.budget_cap_cny_per_year)")
    priority = tuple(rules.rule(PRIORITY_RULE).value.items)
    known = set(COMMUNITY_TIERS) | set(SERVICE_NAMES) | set(REGIME_TIERS)
    unknown = [t for t in priority if t not in known]
    if unknown:
        raise InputError(f"{PRIORITY_RULE}: unknown tier(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    order = list(priority) + [t for t in list(COMMUNITY_TIERS) + list(SERVICE_NAMES) + list(REGIME_TIERS)
                              if t not in priority] + [OTHER]
    workers = dict(budget.worker_years)
    coms = community_years(plan, scenario)
    starts = first_months(plan, scenario)

    over_years, within = [], []
    for y in budget.years:
        items = budget.items(y)
        total = sum(items.values())
        if total <= cap + EPS:
            within.append(y)
            continue
        left = cap
        shortfalls: list[Shortfall] = []
        for tier in order:
            parts = _tier_parts(tier, items)
            for part, cost in parts:
                if cost <= 0:
                    continue
                paid = min(cost, max(0.0, left))
                left -= paid
                if cost - paid > EPS:
                    shortfalls.append(_shortfall(y, tier, part, cost, paid, items, plan, scenario, rules, facilities,
                                                 workers, coms, starts))
        over_years.append(CapYear(y, cap, total, total - cap, tuple(shortfalls)))

    unmet = ()
    if facilities is not None:
        unmet = tuple(r for s in facilities.services for r in s.unmet_runs() if r.reason is UnmetReason.BUDGET_CAP)
    lines = []
    for cy in over_years:
        lines.append(f"{cy.year}: {cy.total_cny:,.0f} CNY is {cy.over_cny:,.0f} over the cap of {cap:,.0f} "
                     f"(paid in the order of {PRIORITY_RULE})")
        lines += [f"{cy.year}: {s.explanation}" for s in cy.shortfalls]
    lines += [r.line() for r in unmet]
    if not over_years:
        lines.append(f"every year is within the cap of {cap:,.0f} CNY" + (
            "; the facility plan kept within it by leaving demand unmet" if unmet else ""))
    return CapAnalysis(cap, priority, PRIORITY_RULE, tuple(over_years), tuple(within), unmet, tuple(lines))


def _tier_parts(tier: str, items: dict[str, float]) -> list[tuple[str, float]]:
    if tier == OTHER:
        named = {i for t in COMMUNITY_TIERS.values() for i in t} | {i for _, its in REGIME_TIERS.values() for i in its}
        return [(i, v) for i, v in sorted(items.items())
                if i not in named and not i.startswith((FACILITY_CAPITAL, FACILITY_RUNNING))]
    if tier in COMMUNITY_TIERS:
        return [("pay", sum(items.get(i, 0.0) for i in COMMUNITY_TIERS[tier]))]
    if tier in REGIME_TIERS:
        return [("pay", sum(items.get(i, 0.0) for i in REGIME_TIERS[tier][1]))]
    return [("running", items.get(FACILITY_RUNNING + tier, 0.0)), ("capital", items.get(FACILITY_CAPITAL + tier, 0.0))]


def _shortfall(y: int, tier: str, part: str, cost: float, paid: float, items: dict[str, float], plan: Plan,
               scenario: Scenario, rules: RuleSet, facilities: FacilityPlan | None, workers: dict[int, float],
               coms: dict[int, float], starts: dict[str, int]) -> Shortfall:
    short = cost - paid
    share = paid / cost if cost > 0 else 0.0
    c = scenario.costs
    if tier == "staff":
        rid, cit = _cite(rules, "fulltime_staff", "fulltime_staff")
        need = workers.get(y, 0.0)
        each = cost / need if need > 0 else 0.0
        can = need * share
        pay, pay_rule = pay_in(y, scenario, rules)
        ratio = rules.role("fulltime_staff").value if rules.has("fulltime_staff") else None
        if ratio is not None and can > 0:
            drop = f"the ratio would have to drop from 1 per {ratio.per / ratio.amount:,.0f} households to 1 per " \
                   f"{ratio.per / ratio.amount * need / can:,.0f}"
        else:
            drop = "no worker can be paid"
        text = (f"{rid} ({cit}) needs {need:,.1f} worker-years at {each:,.0f} CNY each (pay {pay:,.0f} from {pay_rule}, "
                f"with insurance and housing fund); the cap pays {can:,.1f}: {drop}; {short:,.0f} CNY short")
        return Shortfall(y, tier, part, rid, cit, "worker-years", need, can, need - can, short, text)
    if tier == "training":
        rid, cit = _cite(rules, "training_interval", "costs.training_cny_per_worker")
        need = cost / c.training_cny_per_worker if c.training_cny_per_worker > 0 else 0.0
        can = need * share
        text = (f"training ({rid}, {cit}): {need:,.1f} trainings at {c.training_cny_per_worker:,.0f} CNY; "
                f"the cap pays {can:,.1f}; {short:,.0f} CNY short")
        return Shortfall(y, tier, part, rid, cit, "trainings", need, can, need - can, short, text)
    if tier == "operating_funds":
        rid, cit = _cite(rules, "operating_funds", "costs.operating_funds_cny_per_community_year")
        n = coms.get(y, 0.0)
        need = c.operating_funds_cny_per_community_year
        can = paid / n if n > 0 else 0.0
        text = (f"operating funds ({rid}, {cit}) would have to drop from {need:,.0f} to {can:,.0f} CNY per "
                f"community-year over {n:,.1f} community-years; {short:,.0f} CNY short")
        return Shortfall(y, tier, part, rid, cit, "CNY per community-year", need, can, need - can, short, text)
    if tier == "setup":
        rid, cit = _cite(rules, "startup_subsidy", "costs.startup_subsidy_cny_per_community")
        new = sum(1 for cid, m in starts.items() if year_of(m, scenario) == y)
        each = cost / new if new else 0.0
        can = math.floor(paid / each + 1e-9) if each > 0 else 0
        offices = ", ".join(r.id for r in rules.roles("office_space"))
        text = (f"start-up subsidy and office fit-out of new communities ({rid}, {cit}; office space {offices}): "
                f"{new} new in {y} at {each:,.0f} CNY each; the cap pays for {can}; {short:,.0f} CNY short")
        return Shortfall(y, tier, part, rid, cit, "new communities", float(new), float(can), float(new - can), short, text)
    if tier in REGIME_TIERS:
        rid, cit = _cite(rules, REGIME_TIERS[tier][0], tier)
        text = (f"{tier.replace('_', ' ')} ({rid}, {cit}): {cost:,.0f} CNY in {y}; the cap pays {paid:,.0f}; "
                f"{short:,.0f} CNY short")
        return Shortfall(y, tier, part, rid, cit, "CNY", cost, paid, short, short, text)
    if tier in (OTHER, "property_fee_subsidy"):
        rid, cit = _cite(rules, "property_fee_subsidy", part) if tier != OTHER else (part, "")
        item = part if tier == OTHER else tier
        text = f"{item} ({rid}{', ' + cit if cit else ''}): {cost:,.0f} CNY, the cap pays {paid:,.0f}; {short:,.0f} CNY short"
        return Shortfall(y, tier, "pay", rid, cit, "CNY", cost, paid, short, short, text)
    sizing, cit, unit = _sizing(facilities, tier, rules)
    if part == "running":
        need = _units_open(facilities, tier, y, scenario)
        can = need * share
        text = (f"{tier} running ({sizing}, {cit}): {need:,.1f} {unit}-years open; the cap pays for {can:,.1f}; "
                f"{short:,.0f} CNY short")
        return Shortfall(y, tier, part, sizing, cit, f"{unit}-years", need, can, need - can, short, text)
    mods = [m for m in (facilities.service(tier).modules if facilities else ()) if year_of(m.opening_month, scenario) == y]
    mods.sort(key=lambda m: (m.opening_month, m.size.value))
    left, built, slipped = paid, [], []
    for m in mods:
        if m.capital_cny.value <= left + EPS:
            left -= m.capital_cny.value
            built.append(m)
        else:
            slipped.append(m)
    need = sum(m.size.value for m in mods)
    can = sum(m.size.value for m in built)
    rid = mods[0].size.rule if mods else sizing
    cit = str(rules.rule(rid).citation) if mods else cit
    names = ", ".join(f"{m.size.value:g} {unit} opening {m.opening}" for m in slipped)
    text = (f"{tier} capital ({rid}, {cit}): {len(slipped)} module(s) cannot be built within the cap and slip past {y}: "
            f"{names or 'part of a module'}; {need - can:,.1f} {unit}, {short:,.0f} CNY short")
    return Shortfall(y, tier, part, rid, cit, unit, need, can, need - can, short, text)


def notices(cap: CapAnalysis | None) -> list[str]:
    """Lines for reports."""
    return [] if cap is None else [f"Budget cap: {line}." for line in cap.explanation]


def to_dict(cap: CapAnalysis | None) -> dict[str, Any]:
    """Plain JSON-able data."""
    if cap is None:
        return {}
    return {
        "cap_cny_per_year": cap.cap_cny_per_year, "priority": list(cap.priority), "priority_rule": cap.priority_rule,
        "years_within": list(cap.years_within),
        "years_over": [{"year": y.year, "total_cny": round(y.total_cny, 2), "over_cny": round(y.over_cny, 2),
                        "shortfalls": [{"tier": s.tier, "part": s.part, "rule": s.rule, "citation": s.citation,
                                        "unit": s.unit, "required": s.required, "affordable": s.affordable,
                                        "shortfall_units": s.shortfall_units, "shortfall_cny": round(s.shortfall_cny, 2),
                                        "explanation": s.explanation} for s in y.shortfalls]} for y in cap.years_over],
        "facility_unmet": [r.line() for r in cap.facility_unmet],
        "explanation": list(cap.explanation),
    }
