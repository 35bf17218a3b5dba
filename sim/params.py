"""The model's parameters: every figure the month needs, resolved from the scenario, its cited defaults
and the rule set, and checked once, before anything runs.

``params_of(scenario, rules, split)`` is the one place numbers enter the model. Figures named by rule id
(household size, age profile, birth and death rates, lease term, ages of school entry, voting age …)
are resolved through ``scenarios.figures.Figures``, the one resolver (overrides applied), and services
come from the registry ``scenarios.services``; nothing here is a published figure written as a literal.
Bad parameters raise ``InputError`` with one line each.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from scenarios.ages import parse_band
from scenarios.distributions import central
from scenarios.figures import Figures
from scenarios.schema import Scenario
from scenarios.services import SERVICES
from scenarios.split import Split, split_of
from standards import formulas
from standards.errors import InputError
from standards.ruleset import RuleSet
from standards.shapes import Bands, Choices, Quantity, Range, Ratio

MONTHS_PER_YEAR = 12  # a unit conversion, not a figure


# Age-band metrics and the simulation rule that fixes each band (standards/data/defaults/simulation.toml).
AGE_METRICS: dict[str, str] = {
    "children_0_2": "simulation.infant_ages",
    "children_3_5": "simulation.kindergarten_ages",
    "children_6_11": "simulation.primary_ages",
    "children_12_14": "simulation.junior_middle_ages",
}


def monthly(yearly: float) -> float:
    """Monthly probability of an event with yearly probability ``yearly``."""
    return 1.0 - (1.0 - yearly) ** (1.0 / MONTHS_PER_YEAR)


@dataclass(frozen=True)
class ServiceRule:
    """How one service's demand is sized: the rule, and the base it applies to."""

    metric: str
    rule_id: str
    unit: str
    base: str                              # "households", "residents", or an age metric name
    age_band: tuple[int, int | None] | None  # the base's ages, when the rule's unit names them


@dataclass(frozen=True, eq=False)
class Params:
    """Everything the month needs, as plain numbers and arrays (picklable, built once per ensemble)."""

    horizon: int
    # the layout and the split
    building_ids: tuple[str, ...]
    building_units: np.ndarray          # flats per building
    building_delivery: np.ndarray       # delivery month per building
    building_community: np.ndarray      # community index per building
    community_ids: tuple[str, ...]
    community_flats: np.ndarray
    persons_per_household: float
    # allocation
    rounds: np.ndarray                  # allocation rounds held in each month (0, 1, or 4–5 if weekly)
    round_share: float
    acceptance: float
    delay_min: int
    delay_max: int
    waiting_pool: int
    new_applicants: int
    lease_months: int
    renewal_rate: float
    exit_monthly: float
    sublet_monthly: float
    # households
    size_values: np.ndarray
    size_probs: np.ndarray              # the scenario's size distribution, tilted to persons_per_household
    band_low: np.ndarray                # age bands of the profile, years, inclusive
    band_high: np.ndarray
    band_probs: np.ndarray
    head_band_low: np.ndarray           # the bands the lease signer is drawn from
    head_band_high: np.ndarray
    head_band_probs: np.ndarray
    non_local_share: float
    low_income_share: float
    disabled_share: float
    birth_monthly: float                # per resident
    death_monthly: float                # per resident
    fertile_ages: tuple[int, int]
    # counting
    voting_age: int
    migrant_residence_months: int | None   # Shandong: months before a migrant may vote; None elsewhere
    age_bands: dict[str, tuple[int, int | None]]   # metric → (low, high or None), years
    services: tuple[ServiceRule, ...]

    @property
    def communities(self) -> int:
        return len(self.community_ids)

    @property
    def flats(self) -> int:
        return int(self.building_units.sum())

    def planned_residents(self) -> np.ndarray:
        """Each community's planned residents (formulas.planned_residents)."""
        return np.array([formulas.planned_residents(int(f), self.persons_per_household)
                         for f in self.community_flats])


def _number(value: object, where: str, *, low: float, high: float | None = None, integer: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"{where} must be a number (got {value!r})")
    if value < low or (high is not None and value > high):
        span = f"between {low:g} and {high:g}" if high is not None else f"≥ {low:g}"
        raise InputError(f"{where} must be {span} (got {value!r})")
    if integer and value != int(value):
        raise InputError(f"{where} must be a whole number (got {value!r})")
    return value


def _quantity(rules: RuleSet, rule_id: str) -> float:
    v = rules.rule(rule_id).value
    if not isinstance(v, Quantity):
        raise InputError(f"{rule_id}: must be a quantity for the simulation (got {rules.rule(rule_id).shape})")
    return v.value


def _range(rules: RuleSet, rule_id: str) -> tuple[int, int]:
    v = rules.rule(rule_id).value
    if not isinstance(v, Range):
        raise InputError(f"{rule_id}: must be a range for the simulation (got {rules.rule(rule_id).shape})")
    return int(v.min), int(v.max)


def _shares(table: dict[str, float], where: str) -> dict[str, float]:
    if not table:
        raise InputError(f"{where} must list at least one share")
    total = sum(table.values())
    if not total > 0:
        raise InputError(f"{where}: shares must sum to more than 0 (got {total:g})")
    return {k: v / total for k, v in table.items()}


def _sizes(table: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    where = "households.size_distribution"
    shares = _shares(table, where)
    sizes = []
    for key in shares:
        if not re.fullmatch(r"\d{1,2}", key.strip()) or int(key) < 1:
            raise InputError(f"{where}: {key!r} is not a household size (1, 2, …)")
        sizes.append(int(key))
    return np.array(sizes, dtype=np.int64), np.array(list(shares.values()))


def tilt_to_mean(sizes: np.ndarray, probs: np.ndarray, mean: float) -> np.ndarray:
    """The size distribution reweighted (exponential tilting, p_i ∝ q_i·e^(θ·i)) so its mean is the
    scenario's persons per household, keeping the census shape. Planned residents are counted with
    that figure (formulas.planned_residents), so a fully let estate then holds about its planned
    residents; the census distribution alone (mean ≈ 3.1) would overshoot them by a quarter. This is
    how the model reads the size distribution; the ``reading`` of demography.household_size_cn_2010
    says so beside the data."""
    from scipy.optimize import brentq

    if not sizes.min() <= mean <= sizes.max():
        raise InputError(f"households.persons_per_household ({mean:g}) must lie within the household sizes "
                         f"of households.size_distribution ({sizes.min()}–{sizes.max()})")
    if sizes.min() == sizes.max():
        return probs

    def weights(theta: float) -> np.ndarray:
        w = probs * np.exp(theta * (sizes - sizes.mean()))
        return w / w.sum()

    theta = brentq(lambda t: float(weights(t) @ sizes) - mean, -50.0, 50.0)
    return weights(theta)


def _age_profile(table: dict[str, float], oldest: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    where = "households.age_profile"
    shares = _shares(table, where)
    bands = []
    for key, share in shares.items():
        band = parse_band(key)
        if band is None:
            raise InputError(f"{where}: {key!r} is not an age band like \"0-14\" or \"60+\"")
        low, high = band
        high = oldest if high is None else high
        if low > high:
            raise InputError(f"{where}: band {key!r} starts above the oldest age drawn "
                             f"({oldest}, simulation.oldest_initial_age)")
        bands.append((low, high, share))
    bands.sort()
    for (l1, h1, _), (l2, _, _) in zip(bands, bands[1:]):
        if l2 <= h1:
            raise InputError(f"{where}: age bands overlap ({l1}-{h1} and one starting at {l2})")
    return (np.array([b[0] for b in bands]), np.array([b[1] for b in bands]), np.array([b[2] for b in bands]))


def _unit_base(unit: str) -> tuple[str, tuple[int, int | None] | None]:
    """The base a sizing rule's unit names: "classes per children aged 3-5" → persons aged 3–5."""
    m = re.search(r"aged\s+(\d+\s*(?:-\s*\d+|\+))", unit)
    if m:
        return "age", parse_band(m.group(1).replace(" ", ""))
    if "household" in unit:
        return "households", None
    return "residents", None


def _services(scenario: Scenario, rules: RuleSet) -> tuple[ServiceRule, ...]:
    out = []
    for service in SERVICES:
        where = f"facilities.{service.sizing_field}"
        rule_id = getattr(scenario.facilities, service.sizing_field)
        try:
            rule = rules.rule(rule_id)
        except KeyError:
            raise InputError(f"{where}: {rule_id!r} is not a rule id (see `estate rules --all`)") from None
        wanted = Bands if service.sizing_shape == "bands" else Ratio
        if not isinstance(rule.value, wanted):
            raise InputError(f"{where}: {rule_id} is a {rule.shape}; this service needs a {service.sizing_shape} rule")
        base, band = _unit_base(rule.unit)
        out.append(ServiceRule(service.metric, rule_id, rule.unit, base, band))
    return tuple(out)


def first_round(scenario: Scenario) -> int:
    """The month (from the start) of the first allocation round: ``allocation.first_round``, or the month
    of the first delivery."""
    if scenario.allocation.first_round is not None:
        return scenario.month_of(scenario.allocation.first_round)
    return min(b.delivery_month for b in scenario.buildings)


def _rounds(scenario: Scenario, rules: RuleSet) -> np.ndarray:
    """Allocation rounds in each month, none before the first round (``first_round``): then quarterly
    lotteries every allocation.lottery_interval months from it, one a month, or one per calendar week
    starting in the month."""
    months = np.arange(scenario.horizon_months)
    first = first_round(scenario)
    cadence = scenario.allocation.cadence
    if cadence == "monthly":
        return (months >= first).astype(np.int64)
    if cadence == "quarterly":
        interval = int(rules.rule("allocation.lottery_interval").value.months)
        return ((months >= first) & ((months - first) % interval == 0)).astype(np.int64)
    weeks = _quantity(rules, "simulation.weeks_per_year")
    absolute = scenario.start_month - 1 + months
    return np.where(months >= first, np.floor((absolute + 1) * weeks / MONTHS_PER_YEAR)
                    - np.floor(absolute * weeks / MONTHS_PER_YEAR), 0).astype(np.int64)


def _split(scenario: Scenario, split: Split | None) -> tuple[tuple[str, ...], dict[str, int]]:
    split = split if split is not None else split_of(scenario)
    if not isinstance(split, Split):
        raise InputError(f"split must be a scenarios.split.Split (got {type(split).__name__})")
    known = {b.id for b in scenario.buildings}
    ids, index = [], {}
    for i, c in enumerate(split.communities):
        if c.id in ids:
            raise InputError(f"split: community id {c.id!r} appears twice")
        ids.append(c.id)
        for b in c.buildings:
            if b not in known:
                raise InputError(f"split: community {c.id!r} names building {b!r}, which the scenario does not have")
            if b in index:
                raise InputError(f"split: building {b!r} is in two communities")
            index[b] = i
    missing = sorted(known - index.keys())
    if missing:
        raise InputError(f"split: building(s) {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''} "
                         f"belong to no community")
    if not ids:
        raise InputError("split: has no communities")
    return tuple(ids), index


def params_of(scenario: Scenario, rules: RuleSet, split: Split | None = None) -> Params:
    """Resolve and check every figure the model needs. Raises ``InputError`` naming the field."""
    if not isinstance(scenario, Scenario):
        raise InputError(f"scenario must be a loaded Scenario (scenarios.load), got {type(scenario).__name__}")
    scenario = central(scenario)   # uncertain inputs at their medians; each replication draws its own (sim.uncertain)
    if not isinstance(rules, RuleSet):
        raise InputError(f"rules must be a RuleSet (scenarios.rules_of), got {type(rules).__name__}")
    if not scenario.buildings:
        raise InputError("scenario: has no buildings")
    community_ids, index = _split(scenario, split)
    year = scenario.start_year
    a, h = scenario.allocation, scenario.households

    building_ids = tuple(b.id for b in scenario.buildings)
    units = np.array([b.units for b in scenario.buildings], dtype=np.int64)
    community = np.array([index[b] for b in building_ids], dtype=np.int64)
    cflats = np.bincount(community, weights=units, minlength=len(community_ids)).astype(np.int64)

    f = Figures(scenario, rules)
    pph = _number(f.field("households.persons_per_household", year).value, "households.persons_per_household", low=1)
    lease = _number(f.field("allocation.lease_months", year).value, "allocation.lease_months", low=1, integer=True)
    sublet = _number(f.field("allocation.sublet_eviction_rate", year).value, "allocation.sublet_eviction_rate",
                     low=0, high=1)
    birth = _number(f.field("households.birth_rate", year).value, "households.birth_rate", low=0, high=1)
    death = _number(f.field("households.death_rate", year).value, "households.death_rate", low=0, high=1)
    sizes, size_p = _sizes(f.field("households.size_distribution", year).value)
    size_p = tilt_to_mean(sizes, size_p, float(pph))
    oldest = int(_quantity(rules, "simulation.oldest_initial_age"))
    low, high, probs = _age_profile(f.field("households.age_profile", year).value, oldest)
    head_min = int(_quantity(rules, "simulation.head_min_age"))
    adult = high >= head_min
    if not adult.any():
        raise InputError(f"households.age_profile: no band reaches the signer's age ({head_min}, simulation.head_min_age)")
    h_low = np.maximum(low[adult], head_min)
    h_high = high[adult]
    h_p = probs[adult] * (h_high - h_low + 1) / (high[adult] - low[adult] + 1)

    elderly = rules.rule("simulation.elderly_ages").value
    if not isinstance(elderly, Choices) or not elderly.values:
        raise InputError("simulation.elderly_ages: must be a list of ages")
    age_bands: dict[str, tuple[int, int | None]] = {m: _range(rules, rid) for m, rid in AGE_METRICS.items()}
    for age in elderly.values:
        age_bands[f"elderly_{int(age)}"] = (int(age), None)

    services = _services(scenario, rules)
    for service in services:   # a sizing rule may name ages not reported otherwise (HKPSG: 12-17)
        if service.age_band is not None and service.age_band not in age_bands.values():
            low_, high_ = service.age_band
            age_bands[f"persons_{low_}_{high_}" if high_ is not None else f"persons_{low_}_plus"] = service.age_band

    residence = None
    if rules.has("migrant_voter_residence"):
        residence = int(rules.role("migrant_voter_residence").value.min)

    return Params(
        horizon=scenario.horizon_months,
        building_ids=building_ids, building_units=units,
        building_delivery=np.array([b.delivery_month for b in scenario.buildings], dtype=np.int64),
        building_community=community, community_ids=community_ids, community_flats=cflats,
        persons_per_household=float(pph),
        rounds=_rounds(scenario, rules), round_share=a.round_share, acceptance=a.acceptance,
        delay_min=a.move_in_delay_months.min, delay_max=a.move_in_delay_months.max,
        waiting_pool=a.waiting_pool, new_applicants=a.new_applicants_per_month,
        lease_months=int(lease), renewal_rate=a.renewal_rate,
        exit_monthly=monthly(a.voluntary_exit_rate), sublet_monthly=monthly(float(sublet)),
        size_values=sizes, size_probs=size_p,
        band_low=low, band_high=high, band_probs=probs,
        head_band_low=h_low, head_band_high=h_high, head_band_probs=h_p / h_p.sum(),
        non_local_share=h.non_local_share, low_income_share=h.low_income_share, disabled_share=h.disabled_share,
        birth_monthly=float(birth) / MONTHS_PER_YEAR, death_monthly=monthly(float(death)),
        fertile_ages=_range(rules, "simulation.fertile_ages"),
        voting_age=int(_quantity(rules, "simulation.voting_age")),
        migrant_residence_months=residence, age_bands=age_bands, services=services,
    )
