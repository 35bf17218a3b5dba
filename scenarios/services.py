"""The service registry: one record per public service an estate needs (kindergarten, schools, eldercare,
clinic, …), read by every engine and view.

A record names the service's demand metric (the simulation's series), the scenario fields that choose
its sizing rule, its module sizes and its costs (with their default rule ids, so the citation travels with
the default), when a module may open, and its labels. The scenario schema builds the ``[facilities]`` and
``[costs]`` fields from these records, the simulation sizes demand from them, the facility plan and the
budget cost them, and the outputs label them: a new service is one record here plus its rules in
``standards/data``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Calendar = Literal["school_year", "quarter"]
RunningBasis = Literal["pupil", "bed", "resident", "m2"]


@dataclass(frozen=True)
class CostField:
    """A ``[costs]`` field: its name, default rule id (None: no published figure, the scenario must give
    it when the service is planned) and what it means."""

    name: str
    default: str | None
    description: str
    required: bool = True   # without a default: True, the scenario must give it to plan the service; False,
    #                         the plan costs it at 0 and says which field to give


@dataclass(frozen=True)
class Service:
    name: str                      # stable key: budget items, facilities.json, max_sites
    metric: str                    # the simulation's demand series (series.csv metric)
    unit: str                      # unit of the demand and the modules
    labels: tuple[str, str]        # (Chinese, English)
    sizing_field: str              # [facilities] field naming the sizing rule
    sizing_default: str
    sizing_shape: Literal["ratio", "bands"]
    sizing_description: str
    modules_field: str | None = None     # [facilities] field naming the module sizes; None: not planned
    modules_default: str | None = None
    modules_description: str = ""
    capital: CostField | None = None     # per unit of module size, in the opening year
    running: CostField | None = None     # per running_basis per year
    running_basis: RunningBasis = "bed"
    calendar: Calendar = "quarter"       # school_year: opens in September; quarter: any quarter's start
    site_minimum: str | None = None      # a minimum rule: no module smaller than it is opened
    requirement: str | None = None       # the policy rule that asks for the service, for reports

    @property
    def planned(self) -> bool:
        """Whether the facility plan opens modules for it (otherwise its demand is only reported)."""
        return self.modules_field is not None

    def label(self, lang: str = "zh") -> str:
        return self.labels[0] if lang == "zh" else self.labels[1]


SERVICES: tuple[Service, ...] = (
    Service(
        "kindergarten", "kindergarten_classes", "classes", ("幼儿园", "kindergarten"),
        "kindergarten", "facilities.kindergarten_class_size_gb93", "ratio", "kindergarten classes per children",
        "kindergarten_modules", "facilities.kindergarten_modules",
        "kindergarten sizes that may be opened, classes (a choices rule)",
        CostField("kindergarten_capital_cny_per_class", "facility_costs.kindergarten_capital_per_class_chengdu_2016",
                  "capital cost of one kindergarten class (building, fit-out, equipment), CNY, in the opening year"),
        CostField("kindergarten_running_cny_per_pupil_year", "facility_costs.kindergarten_budget_per_pupil_cn",
                  "running cost per kindergarten pupil per year; × children per class of facilities.kindergarten"),
        "pupil", "school_year"),
    Service(
        "primary", "primary_classes", "classes", ("小学", "primary school"),
        "primary", "facilities.primary_class_size", "ratio", "primary classes per children",
        "school_modules", "facilities.school_modules",
        "primary and junior-middle school sizes, classes (a choices rule)",
        CostField("primary_capital_cny_per_class", "facility_costs.primary_capital_per_class_zhangjiachuan_2021",
                  "capital cost of one primary-school class, CNY, in the opening year"),
        CostField("primary_running_cny_per_pupil_year", "facility_costs.primary_budget_per_pupil_cn",
                  "running cost per primary pupil per year; × pupils per class of facilities.primary"),
        "pupil", "school_year"),
    Service(
        "junior_middle", "junior_middle_classes", "classes", ("初中", "junior middle school"),
        "junior_middle", "facilities.junior_class_size", "ratio", "junior-middle classes per children",
        "school_modules", "facilities.school_modules",
        "primary and junior-middle school sizes, classes (a choices rule)",
        CostField("junior_middle_capital_cny_per_class", "facility_costs.junior_capital_per_class_qujiang_2012",
                  "capital cost of one junior-middle-school class, CNY, in the opening year"),
        CostField("junior_middle_running_cny_per_pupil_year", "facility_costs.junior_budget_per_pupil_cn",
                  "running cost per junior-middle pupil per year; × pupils per class of facilities.junior_middle"),
        "pupil", "school_year"),
    Service(
        "eldercare", "eldercare_beds", "beds", ("养老床位", "eldercare beds"),
        "eldercare", "facilities.eldercare_beds", "ratio", "eldercare beds per elderly residents",
        "eldercare_modules", "facilities.eldercare_modules", "eldercare sizes, beds (a choices rule)",
        CostField("eldercare_capital_cny_per_bed", "facility_costs.eldercare_capital_per_bed_youxi_2025",
                  "capital cost of one eldercare bed, CNY, in the opening year"),
        CostField("eldercare_running_cny_per_bed_year", None,
                  "running cost per eldercare bed per year, CNY. Required to plan eldercare: no published figure "
                  "was found, so there is no default; give the local figure (or name a rule such as "
                  "facility_costs.eldercare_operating_subsidy_maanshan where the government pays only an operating "
                  "subsidy)"),
        "bed", "quarter"),
    Service(
        "eldercare_space", "eldercare_space_m2", "m²", ("社区养老服务中心（站）", "community eldercare centre"),
        "eldercare_space", "facilities.eldercare_space_per_households", "ratio",
        "community eldercare (day-care) space of the centre or station, a ratio rule",
        "eldercare_space_modules", "facilities.eldercare_centre_modules",
        "community eldercare centre or station sizes, m² (a choices rule; sizes below "
        "facilities.eldercare_site_minimum are not opened)",
        CostField("eldercare_space_capital_cny_per_m2", "facility_costs.eldercare_capital_per_m2_youxi_2025",
                  "capital cost per m² of community eldercare centre, CNY, in the opening year"),
        CostField("eldercare_space_running_cny_per_m2_year", None,
                  "running cost per m² of community eldercare centre per year, CNY. No published figure was found, "
                  "so there is no default: without it the centre is planned and its capital costed, its running "
                  "cost counted as 0 and a note says so", required=False),
        "m2", "quarter", site_minimum="facilities.eldercare_site_minimum", requirement="CQ-73.eldercare_centre"),
    Service(
        "clinic", "clinic_m2", "m²", ("社区卫生服务站", "community clinic"),
        "clinic", "facilities.clinic_area_by_population", "bands", "clinic floor area by population served",
        "clinic_modules", "facilities.clinic_modules", "clinic sizes, m² (a choices rule)",
        CostField("clinic_capital_cny_per_m2", "facility_costs.clinic_capital_per_m2_xiaoshan_2025",
                  "capital cost per m² of community clinic, CNY, in the opening year"),
        CostField("clinic_running_cny_per_resident_year", "facility_costs.public_health_per_capita_cn",
                  "running cost of the clinic per resident served per year (a module serves the population its "
                  "area is sized for under facilities.clinic)"),
        "resident", "quarter"),
)

SERVICE_NAMES: tuple[str, ...] = tuple(s.name for s in SERVICES)
PLANNED: tuple[Service, ...] = tuple(s for s in SERVICES if s.planned)
PLANNED_NAMES: tuple[str, ...] = tuple(s.name for s in PLANNED)
DEMAND_METRICS: tuple[str, ...] = tuple(s.metric for s in SERVICES)


def service(name: str) -> Service:
    """The record of service ``name``."""
    for s in SERVICES:
        if s.name == name:
            return s
    raise KeyError(f"no service {name!r} (services: {', '.join(SERVICE_NAMES)})")


def by_metric(metric: str) -> Service:
    for s in SERVICES:
        if s.metric == metric:
            return s
    raise KeyError(f"no service with demand metric {metric!r}")


def figure_fields() -> dict[str, tuple[str, ...]]:
    """Every scenario field of a service that may name a catalog figure, with the shapes it accepts."""
    out: dict[str, tuple[str, ...]] = {}
    for s in SERVICES:
        out[f"facilities.{s.sizing_field}"] = (s.sizing_shape,)
        if s.modules_field:
            out[f"facilities.{s.modules_field}"] = ("choices",)
        for c in (s.capital, s.running):
            if c is not None:
                out[f"costs.{c.name}"] = ("quantity", "by_year")
    return out
