"""The scenario file, field by field, as pydantic models (the file boundary).

A scenario is data only: the estate layout, the assumptions about how it fills, the household mix,
the regime and any overrides of its rules, costs, horizon, seed and replications. Fields whose
default is a published figure name that figure by its rule id in the standards catalog (e.g.
``"demography.persons_per_household_cq_prh"``), so the citation travels with the default; a scenario
may give its own number instead. ``scenarios.loader.load`` checks the references and the
cross-field rules (unique building ids, existing communities that name real buildings, …).
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Literal

from pydantic import (BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, create_model, field_validator,
                      model_validator)

from scenarios.distributions import UNCERTAIN_FIELDS, Distribution
from scenarios.services import PLANNED_NAMES, SERVICES

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Share = Annotated[float, Field(ge=0, le=1)]
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
FigureRef = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_]+$")]

# Bounds that are not policy figures but the limits of a plausible input, so a typo (1e300 m², a
# negative wage) is refused at the file instead of turning into nonsense or a crash later. NaN and
# infinities are refused everywhere (``allow_inf_nan=False``).
MAX_CNY = 1e12                      # any sum of money: a trillion CNY (a year, a class, a m²)
MAX_BUILDING_AREA_M2 = 2_000_000    # one building's gross floor area (the largest buildings are ~1.7 million m²)
MAX_COORDINATE_M = 10_000_000       # |x|, |y| in metres: room for any national grid (UTM northings reach ~10,000 km)
MAX_LEASE_MONTHS = int(UNCERTAIN_FIELDS["allocation.lease_months"].high)   # 100 years

Cny = Annotated[float, Field(ge=0, le=MAX_CNY)]
# A sum of money: the scenario's own number, or the id of a published figure (shape quantity or by_year).
Money = Cny | FigureRef


class _Strict(BaseModel):
    # strict: TOML gives typed values, so `true` or "12" where a number belongs is an error, not coerced
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Building(_Strict):
    """One residential building. Coordinates are metres on any local grid (east = x, north = y)."""

    id: Name
    units: int = Field(gt=0, le=20000, description="flats in the building")
    floor_area_m2: float = Field(gt=0, le=MAX_BUILDING_AREA_M2, description="gross building floor area, m²")
    cluster: Name = Field(description="the building cluster (组团) it belongs to")
    x: float = Field(ge=-MAX_COORDINATE_M, le=MAX_COORDINATE_M)
    y: float = Field(ge=-MAX_COORDINATE_M, le=MAX_COORDINATE_M)
    delivery_month: int = Field(ge=0, description="month (from the scenario start) the building is handed over")
    office_space_m2: float = Field(default=0.0, ge=0, le=MAX_BUILDING_AREA_M2, description="community office and service space (居委会办公和"
                                   "服务用房) planned in this building, m²; a plan's shortfall is reckoned against it")
    street_level_m2: float | None = Field(default=None, ge=0, description="floor area on the street-level floors "
                                          "(平街1—2层) of this building available to a community office, m²; where the "
                                          "layout gives it for any building, the office must sit in such space "
                                          "(CQ-73 §三(九))")


class LayoutFile(_Strict):
    """Buildings read from a CSV, GeoJSON, GeoPackage or Shapefile (``.shp``, or a ``.zip`` of one), path
    relative to the scenario file; ``crs`` names a GIS file's coordinate system where the file has none."""

    file: Name
    crs: Name | None = Field(default=None, description="the GIS layout's coordinate system (e.g. \"EPSG:4547\", "
                             "CGCS2000 / 3-degree Gauss-Kruger CM 114E), for a file that states none or a GeoJSON "
                             "not in WGS84; a file stating another is refused")

    @field_validator("file")
    @classmethod
    def _known_suffix(cls, v: str) -> str:
        if not re.search(r"\.(csv|geojson|json|gpkg|shp|zip)$", v, re.IGNORECASE):
            raise ValueError(f"must end in .csv, .geojson, .gpkg, .shp or .zip (got {v!r})")
        return v

    @field_validator("crs")
    @classmethod
    def _known_crs(cls, v: str | None) -> str | None:
        from scenarios.gis import crs_problem
        if v is not None and (problem := crs_problem(v)):
            raise ValueError(problem)
        return v

    @model_validator(mode="after")
    def _crs_of_a_gis_file(self) -> "LayoutFile":
        if self.crs is not None and self.file.lower().endswith(".csv"):
            raise ValueError("crs applies to a GIS layout file (.geojson, .gpkg, .shp, .zip); a CSV's x, y are "
                             "metres on a local grid")
        return self


class ExistingCommunity(_Strict):
    """A community already set up on a built estate, for auditing against the rules."""

    id: Name
    buildings: list[Name] = Field(min_length=1)
    office_building: Name | None = None
    office_area_m2: float = Field(ge=0, le=MAX_BUILDING_AREA_M2, description="total office and service space provided, m²")
    largest_site_m2: float | None = Field(default=None, ge=0, le=MAX_BUILDING_AREA_M2, description="usable area of the largest site, m²")
    staff: int = Field(ge=0, description="full-time community workers")
    committee_members: int | None = Field(default=None, ge=0)
    supervisory_members: int | None = Field(default=None, ge=0)
    resident_groups: int | None = Field(default=None, ge=0, description="resident groups (居民小组) formed")
    representatives: int | None = Field(default=None, ge=0, description="resident representatives (居民代表) elected, "
                                        "all groups together")

    @model_validator(mode="after")
    def _office_in_community(self) -> "ExistingCommunity":
        if self.office_building is not None and self.office_building not in self.buildings:
            raise ValueError(f"office_building {self.office_building!r} is not one of this community's buildings")
        return self


class Existing(_Strict):
    communities: list[ExistingCommunity] = Field(min_length=1)


class MonthRange(_Strict):
    min: int = Field(ge=0)
    max: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> "MonthRange":
        if self.min > self.max:
            raise ValueError(f"min must be ≤ max (got {self.min} > {self.max})")
        return self


class Allocation(_Strict):
    """How flats are offered and taken up. These are the scenario's own assumptions. A numeric field may be
    given as a distribution (``scenarios.distributions``): each replication then draws its own value."""

    cadence: Literal["weekly", "monthly", "quarterly"] = Field(
        description="how often allocation rounds run (Chongqing: quarterly lotteries, now weekly)")
    first_round: Month | None = Field(
        default=None, description="calendar month of the first allocation round, YYYY-MM; the rounds of a quarterly "
        "or monthly cadence follow from it (default: the month of the first delivery)")
    round_share: Annotated[float, Field(gt=0, le=1)] | Distribution = Field(
        description="share of the vacant delivered flats offered in each round")
    acceptance: Annotated[float, Field(gt=0, le=1)] | Distribution = Field(
        description="probability an applicant offered a flat accepts and signs")
    move_in_delay_months: MonthRange = Field(description="months from signing to moving in")
    waiting_pool: Annotated[int, Field(ge=0)] | Distribution = Field(
        description="qualified applicants waiting when the estate opens")
    new_applicants_per_month: Annotated[int, Field(ge=0)] | Distribution = Field(
        description="applicants joining the pool each month")
    lease_months: Annotated[float, Field(ge=1, le=MAX_LEASE_MONTHS)] | FigureRef | Distribution = Field(
        default="allocation.lease_term", description="lease term, months")
    renewal_rate: Share | Distribution = Field(description="share of households that renew at lease end")
    voluntary_exit_rate: Share | Distribution = Field(
        description="share of households leaving of their own accord each year")
    sublet_eviction_rate: Share | FigureRef | Distribution = Field(
        default="allocation.sublet_eviction_rate", description="share of households evicted for subletting each year")

    @field_validator("round_share", "acceptance", "waiting_pool", "new_applicants_per_month", "lease_months",
                     "renewal_rate", "voluntary_exit_rate", "sublet_eviction_rate")
    @classmethod
    def _in_bounds(cls, v: object, info: ValidationInfo) -> object:
        return _check_bounds(v, f"allocation.{info.field_name}")


def _check_bounds(value: object, path: str) -> object:
    """A distribution's numbers must lie within the bounds of the field's own numbers."""
    bounds = UNCERTAIN_FIELDS[path]
    if isinstance(value, Distribution):
        bad = [x for x in value.points() if not bounds.contains(x)]
        if bad:
            raise ValueError(f"must have its numbers {bounds.text()} (got {bad[0]:g})")
    return value


class Households(_Strict):
    """The household mix of the tenants."""

    persons_per_household: float | FigureRef | Distribution = Field(default="demography.persons_per_household_cq_prh")
    size_distribution: dict[str, Share] | FigureRef = Field(
        default="demography.household_size_cn_2010", description="shares of households by size (1…7)")
    age_profile: dict[str, Share] | FigureRef = Field(
        default="demography.age_shares_cq_2020", description="shares of persons by age band")
    non_local_share: Share | Distribution = Field(description="share of households without local hukou")
    low_income_share: Share | Distribution = Field(description="share of households on low income (低保/低收入)")
    disabled_share: Share | Distribution = Field(description="share of persons with a disability")
    birth_rate: float | FigureRef | Distribution = Field(default="demography.birth_rate_cq_2023")
    death_rate: float | FigureRef | Distribution = Field(default="demography.death_rate_cq_2022")

    @field_validator("persons_per_household", "non_local_share", "low_income_share", "disabled_share",
                     "birth_rate", "death_rate")
    @classmethod
    def _in_bounds(cls, v: object, info: ValidationInfo) -> object:
        return _check_bounds(v, f"households.{info.field_name}")

    @field_validator("persons_per_household")
    @classmethod
    def _plausible_size(cls, v: float | str) -> float | str:
        if isinstance(v, float) and not 1 <= v <= 8:
            raise ValueError(f"must be between 1 and 8 persons (got {v})")
        return v

    @field_validator("birth_rate", "death_rate")
    @classmethod
    def _rate(cls, v: float | str) -> float | str:
        if isinstance(v, float) and not 0 <= v <= 0.1:
            raise ValueError(f"must be a yearly rate per person between 0 and 0.1 (got {v})")
        return v


class Delivery(_Strict):
    """Uncertainty in when buildings are handed over."""

    slip_months: Distribution | None = Field(
        default=None, description="delay of each building's delivery, whole months, { low, high } uniform; each "
        "replication draws every building's own delay")

    @field_validator("slip_months")
    @classmethod
    def _whole_months(cls, d: Distribution | None) -> Distribution | None:
        if d is not None:
            if d.kind != "uniform":
                raise ValueError(f"must be {{ low, high }}: whole months, uniform (got {d.text()})")
            if d.low < 0 or d.low != int(d.low) or d.high != int(d.high):
                raise ValueError(f"must have low and high whole months ≥ 0 (got {d.low:g}, {d.high:g})")
        return d


OBSERVED_METRICS = ("households", "residents", "occupancy", "election")


class Observation(_Strict):
    """A figure observed on the estate (or a built one like it), to compare runs with and calibrate to."""

    date: Month = Field(description="calendar month of the observation, YYYY-MM")
    metric: Literal[OBSERVED_METRICS] = Field(
        description="households (occupied flats), residents, occupancy (occupied ÷ flats), or election (the "
        "month the residents' committee was elected: the date; no value)")
    community: Name = Field(default="estate", description="a community id, or estate")
    value: float | None = Field(default=None, ge=0, description="the figure observed (none for an election)")
    source: Name = Field(description="where the figure comes from")


class OverrideSpec(_Strict):
    """Replace fields of one rule's value; the rule keeps its citation and records the reason."""

    rule: FigureRef
    value: dict[str, object] = Field(min_length=1)
    reason: Name

    @field_validator("value")
    @classmethod
    def _finite(cls, v: dict[str, object]) -> dict[str, object]:
        def walk(x: object, path: str) -> None:
            if isinstance(x, float) and not math.isfinite(x):
                raise ValueError(f"{path} must be a finite number (got {x})")
            if isinstance(x, dict):
                for k, y in x.items():
                    walk(y, f"{path}.{k}")
            elif isinstance(x, list):
                for i, y in enumerate(x):
                    walk(y, f"{path}[{i}]")
        for key, x in v.items():
            walk(x, key)
        return v


FacilityService = Literal[PLANNED_NAMES]   # the services the facility plan opens (scenarios.services)


def _service_fields() -> dict[str, object]:
    """The ``[facilities]`` fields naming each service's sizing rule and module sizes, from the registry."""
    out: dict[str, object] = {}
    for s in SERVICES:
        out[s.sizing_field] = (FigureRef, Field(default=s.sizing_default, description=s.sizing_description))
        if s.modules_field:
            out[s.modules_field] = (FigureRef, Field(default=s.modules_default, description=s.modules_description))
    return out


def _service_cost_fields() -> dict[str, object]:
    """The ``[costs]`` fields of each service's capital and running cost, from the registry."""
    out: dict[str, object] = {}
    for s in SERVICES:
        for c in (s.capital, s.running):
            if c is not None:
                kind = Money if c.default is not None else Money | None
                out[c.name] = (kind, Field(default=c.default, description=c.description))
    return out


class _FacilitiesBase(_Strict):
    """Which cited sizing ratio to use for each service, the module sizes the facility plan may open,
    and optional caps on sites (rule ids from ``estate rules --all``). The per-service fields come from
    ``scenarios.services``."""

    demand_quantile: Literal["p50", "p90"] = Field(default="p50", description="demand the facility plan covers")
    max_sites: dict[FacilityService, Annotated[int, Field(ge=0)]] | None = Field(
        default=None, description="most sites (modules) the facility plan may open per service over the horizon, "
        "e.g. { primary = 1 }; demand left unmet by the cap is reported month by month")
    site_weight: float = Field(
        default=0.1, ge=0, le=10, description="objective weight of each site opened, as a share of the capital of the "
        "service's smallest module: a modelling preference for fewer, larger sites over many small ones opened just "
        "in time (capital is not discounted, so nothing else favours them); it is not a cost and not in the budget")


Facilities = create_model("Facilities", __base__=_FacilitiesBase, __module__=__name__, **_service_fields())


class _CostsBase(_Strict):
    """Money assumptions, CNY. Published defaults are rule ids; local figures are the scenario's own. The
    capital and running cost fields of each service come from ``scenarios.services``."""

    staff_pay_cny_per_year: Money = Field(default="money.worker_pay_cq_entry")
    reference_wage: Money = Field(
        default="money.average_wage_cq", description="the wage a pay floor refers to (CNY per year)")
    employer_insurance: dict[str, Share] | FigureRef = Field(default="money.employer_insurance")
    housing_fund_rate: Share = Field(description="employer housing-fund rate (5–12% band)")
    operating_funds_cny_per_community_year: float = Field(ge=0, le=MAX_CNY)
    startup_subsidy_cny_per_community: float = Field(ge=0, le=MAX_CNY)
    fitout_cny_per_m2: float = Field(ge=0, le=MAX_CNY)
    training_cny_per_worker: float = Field(ge=0, le=MAX_CNY)
    budget_cap_cny_per_year: float | None = Field(
        default=None, gt=0, le=MAX_CNY, description="yearly cap on the whole budget; the facility plan keeps within what the "
        "community's costs leave, and optimize.budget_cap reports which standards the cap leaves unmet")
    payers: dict[str, Share] | None = Field(default=None, description="who pays every item, shares summing to 1, "
                                            "replacing the regime's payer rules (role cost_sharing) for all items")
    facility_payers: dict[str, Share] | FigureRef = Field(
        default="money.payer_unassigned", description="who pays the facility items (schools, clinics, eldercare), "
        "which no document assigns; shares summing to 1")
    hire_lead_months: Money = Field(
        default="money.hire_lead", description="months ahead of the simulated need that staff are hired (estate run)")
    pay_growth: float | FigureRef = Field(
        default="money.wage_growth_cq", description="yearly growth of pay and of a wage series beyond its last year")
    party_members_off_committee: Money = Field(
        default="SD-22.party_members_off_committee", description="party-organisation members paid an allowance "
        "besides the committee's (regimes with role member_allowances)")
    it_systems_cny_per_community_year: float | None = Field(
        default=None, ge=0, description="community IT (社区信息化) per community-year, item it_systems; none shipped")
    property_fee_cny_per_m2_month: float | None = Field(
        default=None, gt=0, description="property fee per m² of gross floor area per month (GZ-3 §六(二): at least "
        "level 4 of Guangzhou's reference scale); none shipped")
    property_fee_subsidy_share: Share | None = Field(
        default=None, description="share of a low-income household's property fee the government pays "
        "(GZ-3 §六(二)); none shipped")

    @field_validator("payers", "facility_payers")
    @classmethod
    def _sum_to_one(cls, v: dict[str, float] | str | None) -> dict[str, float] | str | None:
        if isinstance(v, dict) and abs(sum(v.values()) - 1) > 1e-6:
            raise ValueError(f"shares must sum to 1 (got {sum(v.values()):.4g})")
        return v


Costs = create_model("Costs", __base__=_CostsBase, __module__=__name__, **_service_cost_fields())


class Optimizer(_Strict):
    """How the community split is solved and what its objective weighs (all optional)."""

    solver: Literal["highs", "cbc"] = Field(default="highs", description="MIP solver (HiGHS via highspy; CBC via PuLP)")
    time_limit_s: float = Field(default=10.0, gt=0, le=3600, description="solver time limit, seconds")
    gap: float = Field(default=0.001, ge=0, le=1, description="relative MIP gap at which a solve counts as optimal")
    community_weight: float = Field(default=1.0, ge=0, description="objective cost of one more community")
    household_km_weight: float = Field(default=0.001, ge=0,
                                       description="objective cost per household-km from its community's office")
    cluster_split_weight: float = Field(default=0.5, ge=0, description="objective cost per extra piece of a split cluster")
    adjacency_cut_factor: float = Field(default=6.0, gt=0, description="Delaunay edges longer than this × the median "
                                        "nearest-neighbour distance do not make buildings adjacent")
    office_site_weight: float = Field(default=1.0, ge=0, description="objective cost of a community whose office "
                                      "building plans no office space, where the layout plans some")


class Scenario(_Strict):
    """A validated scenario. Build it with ``scenarios.load(path)``, not directly."""

    name: Name
    purpose: Name
    regime: Name
    start: Month = Field(
        description="calendar month of month 0, YYYY-MM")
    horizon_months: int = Field(gt=0, le=600)
    seed: int = Field(ge=0, lt=2**63)
    replications: int = Field(ge=1, le=10000)
    layout: LayoutFile | None = None
    buildings: list[Building] = Field(default_factory=list)
    existing: Existing | None = None
    allocation: Allocation
    households: Households
    overrides: list[OverrideSpec] = Field(default_factory=list)
    delivery: Delivery | None = None
    observed: list[Observation] = Field(default_factory=list)
    facilities: Facilities = Field(default_factory=Facilities)
    costs: Costs
    optimizer: Optimizer = Field(default_factory=Optimizer)

    @property
    def start_year(self) -> int:
        return int(self.start[:4])

    @property
    def start_month(self) -> int:
        return int(self.start[5:])

    def month_of(self, date: str) -> int:
        """Months from ``start`` to ``date`` (YYYY-MM)."""
        return (int(date[:4]) - self.start_year) * 12 + int(date[5:]) - self.start_month

    @property
    def total_units(self) -> int:
        return sum(b.units for b in self.buildings)

    @property
    def total_floor_area_m2(self) -> float:
        return sum(b.floor_area_m2 for b in self.buildings)
