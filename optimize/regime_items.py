"""Budget items that only some regimes' rules create: GZ-3's property-zone rooms, grid staff and
service-station staff, and SD-22's social workers. ``optimize.budget.budget`` adds them in one block.

Each item is a cost of the plan's figures (``optimize.sizing``), each figure from a rule through
``standards.formulas``; each row names the rule that creates it (``basis``, for ``budget.csv``'s basis
column). A regime without the rule has no such row.

- ``property_zone_rooms``: fit-out of each property-service zone's management room (GZ-3 §六(三); its
  area from role ``property_room_area``) at ``costs.fitout_cny_per_m2``, in the calendar year the zone
  starts: zone k of n when the estate's delivered floor area first passes (k − 1)/n of the total (our
  reading: zones are handed over as the estate is; the text does not say when).
- ``grid_staff_pay`` (``_insurance``, ``_housing_fund``): the street assistants (街道协管员) of GZ-3 §四(三)'s
  grids (role ``grid_staff``). The grid's committee staff are the community's full-time workers, paid
  under ``staff_pay``; the property company's staff are paid from the property fee; neither is here.
- ``station_staff_pay`` (…): the community service station's full-time staff (GZ-3 §四(四), role
  ``service_station_staff``).
- ``social_worker_pay`` (…): SD-22 §一(三)'s social-work professionals (role ``social_workers``), read as
  posts beside the full-time workers of the staffing ratio (the target names a qualification the ratio
  does not; override ``SD-22.social_workers`` to 0 where the posts are filled from the ratio's workers).

Staff are paid from the month their community's first building is delivered, at full strength, at the
budget's pay of a community worker in that year (``pay_by_year``: the regime's pay rule, e.g. SD-22's
floor), with ``costs.employer_insurance`` and ``costs.housing_fund_rate`` on that pay, like ``staff_pay``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from optimize.plan import Plan
from scenarios.figures import Figures
from scenarios.schema import Scenario
from standards.ruleset import RuleSet

ZONE_ROOMS = "property_zone_rooms"
# staff group → the role that sizes it; items <group>_pay, <group>_insurance, <group>_housing_fund
STAFF_GROUPS = {"grid_staff": "grid_staff", "station_staff": "service_station_staff", "social_worker": "social_workers"}
STAFF_PARTS = ("pay", "insurance", "housing_fund")
GRID_BUDGETED_ROLES = ("street_assistant",)   # the grid roles paid from the public budget (GZ-3.grid_staff reading)

# Budget-cap tiers of these items (optimize.budget_cap): tier → (the role whose rule creates it, its items).
# money.cap_priority does not list them, so a cap pays them after the tiers it lists unless a scenario's
# override of that rule places them.
CAP_TIERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "zone_rooms": ("property_zone_rooms", (ZONE_ROOMS,)),
    **{group: (role, tuple(f"{group}_{part}" for part in STAFF_PARTS)) for group, role in STAFF_GROUPS.items()},
}


@dataclass(frozen=True)
class RegimeItem:
    year: int
    item: str
    amount_cny: float
    basis: str          # the rule id (or scenario:<field>) that creates the row


def _year(month: int, scenario: Scenario) -> int:
    return scenario.start_year + (scenario.start_month - 1 + month) // 12


def zone_start_months(plan: Plan, scenario: Scenario) -> tuple[int, ...]:
    """The month each property zone starts: zone k of n when the delivered floor area first passes
    (k − 1)/n of the estate's (zone 1 at the first delivery)."""
    z = plan.property_zones
    if z is None:
        return ()
    delivered: dict[int, float] = {}
    for b in scenario.buildings:
        delivered[b.delivery_month] = delivered.get(b.delivery_month, 0.0) + b.floor_area_m2
    total = sum(delivered.values())
    running, reached = 0.0, []          # (month, floor area delivered by the end of it)
    for month in sorted(delivered):
        running += delivered[month]
        reached.append((month, running))
    return tuple(next(m for m, area in reached if area > total * k / z.count + 1e-6) for k in range(z.count))


def staff_counts(plan: Plan) -> dict[str, dict[str, tuple[int, str]]]:
    """Per community, the budgeted persons of each group and the rule that sizes them."""
    out: dict[str, dict[str, tuple[int, str]]] = {}
    for c in plan.communities:
        groups: dict[str, tuple[int, str]] = {}
        if c.grid_staff_rule:
            paid = sum(n for role, n in c.grid_staff if role in GRID_BUDGETED_ROLES)
            groups["grid_staff"] = (paid, c.grid_staff_rule)
        if c.station_staff is not None:
            groups["station_staff"] = (int(c.station_staff.value), c.station_staff.rule)
        if c.social_workers is not None:
            groups["social_worker"] = (int(c.social_workers.value), c.social_workers.rule)
        out[c.id] = groups
    return out


def regime_items(plan: Plan, scenario: Scenario, rules: RuleSet,
                 pay_by_year: Mapping[int, float]) -> tuple[RegimeItem, ...]:
    """The regime's own budget rows by calendar year (see the module docstring); ``pay_by_year`` is one
    community worker's yearly pay under the regime's pay rule."""
    figures = Figures(scenario, rules)
    amounts: dict[tuple[int, str], float] = {}
    basis: dict[str, str] = {}

    def add(year: int, item: str, amount: float, why: str) -> None:
        amounts[(year, item)] = amounts.get((year, item), 0.0) + amount
        basis[item] = why

    z = plan.property_zones
    if z is not None:
        room = z.room_area_m2.value * scenario.costs.fitout_cny_per_m2
        for month in zone_start_months(plan, scenario):
            add(_year(month, scenario), ZONE_ROOMS, room, z.rooms_rule)

    deliver = {b.id: b.delivery_month for b in scenario.buildings}
    insurance_basis = figures.basis("costs.employer_insurance")
    insurance = {y: figures.number("costs.employer_insurance", y) for y in set(pay_by_year)}   # once a year
    counts = staff_counts(plan)
    for c in plan.communities:
        start = min(deliver[b] for b in c.buildings)
        for group, (persons, rule_id) in counts[c.id].items():
            if persons <= 0:
                continue
            for month in range(start, scenario.horizon_months):
                year = _year(month, scenario)
                pay = persons * pay_by_year[year] / 12
                add(year, f"{group}_pay", pay, rule_id)
                add(year, f"{group}_insurance", pay * insurance[year], insurance_basis)
                add(year, f"{group}_housing_fund", pay * scenario.costs.housing_fund_rate,
                    "scenario:costs.housing_fund_rate")
    return tuple(RegimeItem(y, item, a, basis[item]) for (y, item), a in sorted(amounts.items()))


def basis_of(items: tuple[RegimeItem, ...]) -> dict[str, str]:
    """Each regime item's basis (the rule id that creates it), for budget.csv's basis column."""
    return {it.item: it.basis for it in items}
