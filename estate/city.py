"""A city's estates planned and simulated together, and their roll-up: staff, office space, facilities and
budget by year and payer across the city, with a per-estate table and a chart.

A city file (TOML)::

    name = "Chongqing: three new estates"
    budget_cny_per_year = 400_000_000     # optional: the city's yearly budget for these estates
    [[estates]]
    scenario = "../chongqing-20k.toml"    # relative to the city file
    name = "Liangjiang"                   # optional (default: the scenario's name)
    share = 0.5                           # optional: the estate's share of budget_cny_per_year

An estate with a ``share`` runs with its budget cap (``costs.budget_cap_cny_per_year``) set to share ×
``budget_cny_per_year``, or to its scenario's own cap where that is smaller, so the facility plan keeps
within it and the budget-cap analysis names what it leaves unmet. Every estate runs through ``estate.pipeline.run_many`` on
one executor (the sweep's: a local pool or Dask), so their replications share the workers.
"""

from __future__ import annotations

import csv
import json
import os
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scenarios.schema import Name
from standards.errors import InputError

CITY = "city"            # the estate column's value for the city's totals
FILES = ("city.json", "estates.csv", "rollup.csv", "budget.csv", "city.png")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class EstateEntry(_Strict):
    scenario: Annotated[str, Field(min_length=1)]
    name: Name | None = None
    share: Annotated[float, Field(gt=0, le=1)] | None = None


class CityFile(_Strict):
    name: Name
    budget_cny_per_year: Annotated[float, Field(gt=0)] | None = None
    estates: list[EstateEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _shares(self) -> "CityFile":
        shares = [e.share for e in self.estates if e.share is not None]
        if shares and self.budget_cny_per_year is None:
            raise ValueError("an estate has a share but the city gives no budget_cny_per_year to share")
        if sum(shares) > 1 + 1e-9:
            raise ValueError(f"the estates' shares sum to {sum(shares):.4g}, more than 1")
        return self


@dataclass(frozen=True)
class CityEstate:
    name: str
    path: Path
    share: float | None
    scenario: Any                    # scenarios.schema.Scenario, the cap set from the share


@dataclass(frozen=True)
class City:
    name: str
    path: Path
    budget_cny_per_year: float | None
    estates: tuple[CityEstate, ...]


def load_city(path: str | Path) -> City:
    """Read a city file and every scenario it names (all problems at once, one line each)."""
    from scenarios import load
    from scenarios.messages import messages

    path = Path(path)
    label = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{label}: cannot read the city file ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{label}: is not valid TOML ({exc})") from None
    try:
        city = CityFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(messages(exc, label)) from None
    errors: list[str] = []
    estates: list[CityEstate] = []
    names: set[str] = set()
    for i, e in enumerate(city.estates):
        where = Path(os.path.normpath(path.parent / e.scenario))
        try:
            scenario = load(where)
        except InputError as exc:
            errors += [f"{label}: estates[{i}].scenario: {m}" for m in exc.messages]
            continue
        name = e.name or scenario.name
        if name in names:
            errors.append(f"{label}: estates[{i}]: the name {name!r} is used twice (give each estate a name)")
        names.add(name)
        if e.share is not None:       # the allotment caps the estate; a tighter cap of its own stays
            own = scenario.costs.budget_cap_cny_per_year
            cap = e.share * city.budget_cny_per_year if own is None else min(own, e.share * city.budget_cny_per_year)
            scenario = scenario.model_copy(update={"costs": scenario.costs.model_copy(
                update={"budget_cap_cny_per_year": cap})})
        estates.append(CityEstate(name, where, e.share, scenario))
    if errors:
        raise InputError(errors)
    return City(city.name, path, city.budget_cny_per_year, tuple(estates))


def run_city(city: City, executor, *, replications: int | None = None, seed: int | None = None,
             progress=None) -> list:
    """Every estate planned, simulated, its facilities planned and budgeted (``estate.pipeline.run_many``
    on ``executor``); ``progress(estate index, stage, done, total)``."""
    from estate.pipeline import run_many
    from scenarios import rules_of

    runs = [(e.scenario, rules_of(e.scenario)) for e in city.estates]
    callbacks = [(lambda stage, done, total, i=i: progress(i, stage, done, total)) if progress else None
                 for i in range(len(runs))]
    return run_many(runs, replications=replications, seed=seed, executor=executor, progress=callbacks)


def _year(scenario, month: int) -> int:
    return scenario.start_year + (scenario.start_month - 1 + month) // 12


def by_year(result) -> dict[int, dict[str, float]]:
    """One estate's figures by calendar year: staff (the P50 required staff's peak in the year), office
    space required by the communities begun by then, facility modules opened, and the budget."""
    from optimize.budget import first_months

    s, plan, sim = result.scenario, result.plan, result.simulation
    years: dict[int, dict[str, float]] = defaultdict(lambda: {"staff": 0.0, "office_required_m2": 0.0,
                                                             "facilities_opened": 0.0, "budget_cny": 0.0})
    if "staff" in sim.metrics:
        for m, v in enumerate(sim.band("staff").p50):
            y = _year(s, m)
            years[y]["staff"] = max(years[y]["staff"], round(v))
    first = first_months(plan, s)
    office = {c.id: c.office_area_m2.value for c in plan.communities}
    for y in list(years):
        years[y]["office_required_m2"] = round(sum(a for cid, a in office.items()
                                                   if cid in first and _year(s, first[cid]) <= y), 1)
    if result.facilities is not None:
        for m in result.facilities.modules:
            years[int(m.opening[:4])]["facilities_opened"] += 1
    for r in result.budget.rows:
        years[r.year]["budget_cny"] += r.amount_cny
    return {y: years[y] for y in sorted(years)}


def estate_row(entry: CityEstate, result, budget_cny_per_year: float | None) -> dict[str, Any]:
    from estate import tables as views
    from estate.compare import run_headline

    head = run_headline(result)
    allot = None if entry.share is None else entry.share * budget_cny_per_year
    over = [] if allot is None else [y for y, v in by_year(result).items() if v["budget_cny"] > allot + 0.5]
    checks = views.compliance(result)
    return {"estate": entry.name, "scenario": str(entry.path), "flats": result.scenario.total_units,
            "communities": head["communities"], "plan_status": head["plan_status"], "share": entry.share,
            "allotment_cny_per_year": allot,
            "budget_cap_cny_per_year": result.scenario.costs.budget_cap_cny_per_year, "peak_staff": head["peak_staff"], "staff_full_plan": head["staff_full_plan"],
            "office_required_m2": head["office_required_m2"], "facilities": head["facilities"],
            "budget_10y_cny": head["budget_10y"], "years_over_allotment": " ".join(map(str, over)),
            "failed_rules": len({k["rule"] for k in checks if k["passed"] is False}),   # not checked: no failure
            "replications": result.simulation.replications, "completed": len(result.simulation.completed)}


ESTATE_COLUMNS = ("estate", "scenario", "flats", "communities", "plan_status", "share", "allotment_cny_per_year",
                  "budget_cap_cny_per_year", "peak_staff", "staff_full_plan", "office_required_m2", "facilities", "budget_10y_cny",
                  "years_over_allotment", "failed_rules", "replications", "completed")
ROLLUP_COLUMNS = ("year", "estate", "staff", "office_required_m2", "facilities_opened", "budget_cny")


@dataclass(frozen=True)
class Rollup:
    estates: tuple[dict[str, Any], ...]          # one row per estate (ESTATE_COLUMNS)
    years: tuple[dict[str, Any], ...]            # (year, estate) rows and the city's totals (ROLLUP_COLUMNS)
    budget: tuple[dict[str, Any], ...]           # year, estate, payer, amount_cny; the city's totals too


def rollup(city: City, results: Sequence) -> Rollup:
    estates = tuple(estate_row(e, r, city.budget_cny_per_year) for e, r in zip(city.estates, results))
    rows: list[dict[str, Any]] = []
    totals: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for e, r in zip(city.estates, results):
        for y, v in by_year(r).items():
            rows.append({"year": y, "estate": e.name, **_rounded(v)})
            for k, x in v.items():
                totals[y][k] += x
    rows += [{"year": y, "estate": CITY, **_rounded(totals[y])} for y in sorted(totals)]
    money: dict[tuple[int, str, str], float] = defaultdict(float)
    for e, r in zip(city.estates, results):
        for b in r.budget.rows:
            money[(b.year, e.name, b.payer)] += b.amount_cny
            money[(b.year, CITY, b.payer)] += b.amount_cny
    budget = tuple({"year": y, "estate": n, "payer": p, "amount_cny": round(v, 2)}
                   for (y, n, p), v in sorted(money.items(), key=lambda kv: (kv[0][0], kv[0][1] == CITY, kv[0][1], kv[0][2])))
    rows.sort(key=lambda r: (r["year"], r["estate"] == CITY, r["estate"]))
    return Rollup(estates, tuple(rows), budget)


def _rounded(v: dict[str, float]) -> dict[str, float | int]:
    """Counts (staff, modules) as whole numbers; m² to 0.1, money to the fen."""
    return {"staff": int(round(v["staff"])), "office_required_m2": round(v["office_required_m2"], 1),
            "facilities_opened": int(v["facilities_opened"]), "budget_cny": round(v["budget_cny"], 2)}


def _write_csv(path: Path, columns: Sequence[str], rows: Sequence[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns))
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in columns})
    return path


def plot_city(city: City, roll: Rollup, path: Path, lang: str = "en") -> Path:
    """Four panels by year, stacked by estate: budget (with the city's budget line), staff, office space,
    facility modules opened."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from estate import fonts
    from estate.i18n import t

    cjk = fonts.setup()
    lang = lang if (lang == "en" or cjk) else "en"
    names = [e.name for e in city.estates]
    years = sorted({r["year"] for r in roll.years})
    table = {(r["year"], r["estate"]): r for r in roll.years}
    fig, axes = plt.subplots(2, 2, figsize=(13, 7.5))
    panels = (("budget_cny", "city_budget", 1e6), ("staff", "city_staff", 1), ("office_required_m2", "city_office", 1),
              ("facilities_opened", "city_facilities", 1))
    cmap = plt.get_cmap("tab10")
    for ax, (key, title, scale) in zip(axes.flat, panels):
        bottom = [0.0] * len(years)
        for i, n in enumerate(names):
            vals = [table.get((y, n), {}).get(key, 0.0) / scale for y in years]
            ax.bar(years, vals, bottom=bottom, color=cmap(i % 10), label=n)
            bottom = [b + v for b, v in zip(bottom, vals)]
        if key == "budget_cny" and city.budget_cny_per_year is not None:
            ax.axhline(city.budget_cny_per_year / 1e6, color="black", linestyle="--", linewidth=1,
                       label=t("city_allotment", lang))
        ax.set_title(t(title, lang) + (f" ({t('million_cny', lang)})" if scale != 1 else ""), fontsize=10)
        ax.grid(axis="y", alpha=0.3)
        if key == "facilities_opened":
            ax.yaxis.get_major_locator().set_params(integer=True)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 5), fontsize=8)
    fig.suptitle(city.name, fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_city(city: City, results: Sequence, out: Path, *, estate_files: bool = True) -> list[Path]:
    """``city.json``, ``estates.csv``, ``rollup.csv``, ``budget.csv``, ``city.png``; with ``estate_files``
    each estate's ``estate run`` files in ``estates/<n>-<slug>/`` (with ``plan.geojson`` and ``plan.gpkg`` for
    a layout read from a GIS file)."""
    roll = rollup(city, results)
    doc = {"generator": "estate city", "city": city.name, "file": str(city.path),
           "budget_cny_per_year": city.budget_cny_per_year, "estates": list(roll.estates),
           "years": [r for r in roll.years if r["estate"] == CITY],
           "budget_by_payer": [r for r in roll.budget if r["estate"] == CITY]}
    paths = [out / "city.json"]
    paths[0].write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    paths += [_write_csv(out / "estates.csv", ESTATE_COLUMNS, roll.estates),
              _write_csv(out / "rollup.csv", ROLLUP_COLUMNS, roll.years),
              _write_csv(out / "budget.csv", ("year", "estate", "payer", "amount_cny"), roll.budget),
              plot_city(city, roll, out / "city.png")]
    if estate_files:
        from estate.outputs import prepare
        from estate.geo_outputs import FILES as GEO_FILES, write_geo
        from estate.run_outputs import FILES as RUN_FILES, write_run

        for i, (e, r) in enumerate(zip(city.estates, results)):
            folder = prepare(out / "estates" / f"{i + 1}-{_slug(e.name)}", RUN_FILES + GEO_FILES, "estate city")
            write_run(r, folder)
            paths.append(folder / "report.html")
            paths += write_geo(r.plan, e.scenario, r.rules, e.path, folder, r.simulation)   # a GIS layout's plan
    return paths


def _slug(name: str) -> str:
    import re
    slug = re.sub(r"[^0-9A-Za-z]+", "-", name).strip("-").lower()
    return slug[:40] or "estate"
