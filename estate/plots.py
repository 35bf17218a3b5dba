"""The plots of the output files (matplotlib, Agg, one set-up: ``estate.fonts.pyplot``), one section per
chart kind, each with what the app's Altair chart of the same kind (``estate.charts``) reads too:

- occupancy: the election measure's fan per community with the threshold and the election window
  (``occupancy.png``; the app's ``fan_chart``), words from ``estate.i18n``;
- demand: a band per service, labelled by ``service_label`` (``demand.png``; the app's ``demand_chart``);
- budget: the bars by year and payer or item (``budget_series``, from the budget view
  ``estate.tables.budget_by``), the money scale by language (``money_scale``: 万元 in Chinese, CNY
  millions in English) and the cap line (``budget.png``; the app's ``budget_chart``).

The PNGs are labelled in the language asked for where a CJK font is installed, in English otherwise.
The site map stays with the split's files (``estate.plan_outputs``).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from estate import format as fmt
from estate import tables as views
from estate.i18n import service, t, value
from scenarios.services import DEMAND_METRICS, SERVICES

if TYPE_CHECKING:
    from estate.pipeline import RunResult
    from scenarios.schema import Scenario
    from sim.ensemble import SimulationResult


def _pyplot(lang: str):
    """pyplot with the one set-up, and the language the labels can be drawn in (English without a CJK font)."""
    from estate.fonts import pyplot, setup
    plt = pyplot()
    return plt, (lang if lang != "zh" or setup() else "en")


def _unit(unit: str, lang: str) -> str:
    try:
        return value("unit", unit, lang)
    except KeyError:
        return unit


# ---- occupancy and the election ------------------------------------------------------------------------------

def _fan(ax, months: np.ndarray, band, colour: str, label: str) -> None:
    ax.fill_between(months, band.p10, band.p90, color=colour, alpha=0.25, linewidth=0,
                    label=f"{label} P10–P90".strip())
    ax.plot(months, band.p50, color=colour, linewidth=1.6, label=f"{label} P50".strip())


def _observation_marks(ax, result: SimulationResult, scenario: Scenario | None, cid: str | None, lang: str) -> None:
    """The scenario's observations of this panel's community, as shares: households ÷ flats (×),
    residents ÷ planned residents (●), occupancy (×); an observed election as a dotted line."""
    from sim.ensemble import ESTATE

    if scenario is None:
        return
    column = ESTATE if cid is None else cid
    i = result._column(None if cid is None else cid)
    flats = [*result.community_flats, sum(result.community_flats)][i]
    planned = [*result.planned_residents, sum(result.planned_residents)][i]
    shown: set[str] = set()
    for o in scenario.observed:
        if o.community != column and not (cid is not None and result.community_ids == (ESTATE,)
                                          and o.community == ESTATE):
            continue
        month = scenario.month_of(o.date)
        if o.metric == "election":
            ax.axvline(month, color="black", linestyle=":", linewidth=1.4,
                       label=None if "election" in shown else t("obs_election", lang))
            shown.add("election")
            continue
        share = {"households": o.value / flats, "occupancy": o.value,
                 "residents": o.value / planned if planned else 0.0}[o.metric]
        kind = "obs_residents" if o.metric == "residents" else "obs_households"
        ax.plot([month], [share], marker="o" if o.metric == "residents" else "X", color="black", markersize=6,
                linestyle="none", label=None if kind in shown else t(kind, lang))
        shown.add(kind)


def plot_occupancy(result: SimulationResult, path: Path, max_panels: int = 12,
                   scenario: Scenario | None = None, lang: str = "en") -> Path:
    """Fan chart of the election measure per community (and the estate), with the threshold line and
    the election month's P50 and P10–P90 span; with the ``scenario``, its observations as markers."""
    from sim.ensemble import ESTATE

    plt, lang = _pyplot(lang)
    measure = "occupancy_planned_residents" if result.election_basis == "planned_residents" else "occupancy"
    panels = list(result.community_ids[:max_panels])
    if result.community_ids != (ESTATE,):
        panels.append(None)
    cols = min(3, len(panels))
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.6 * rows + 0.5), squeeze=False, sharey=True,
                             layout="constrained")
    months = np.arange(result.months)
    year, month = (int(x) for x in result.start.split("-")[:2])
    for ax, cid in zip(axes.ravel(), panels):
        _fan(ax, months, result.band(measure, cid), "tab:blue", "")
        share = result.threshold_share(cid)
        ax.axhline(share, color="tab:red", linestyle="--", linewidth=1, label=f"{t('threshold', lang)} {fmt.pct(share)}")
        if cid is not None:
            e = result.election(cid)
            if e["p10"] is not None:
                ax.axvspan(e["p10"], e["p90"] if e["p90"] is not None else result.months - 1,
                           color="tab:orange", alpha=0.15, label=t("cal_election_window", lang))
            if e["p50"] is not None:
                ax.axvline(e["p50"], color="tab:orange", linewidth=1.4,
                           label=f"{t('election_p50', lang)} {fmt.month(e['p50'], year, month)}")
            title = t("panel_community", lang).format(cid=cid, n=e["elected_replications"], of=len(result.completed))
        else:
            title = t("whole_estate", lang)
        _observation_marks(ax, result, scenario, cid, lang)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(t("month_from", lang).format(start=result.start))
        ax.set_ylabel(t("occupancy_axis", lang))
        ax.set_xlim(0, result.months - 1)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    # the title wraps to the figure's width (one panel is narrow); the layout then makes room for it
    fig.suptitle(t("occupancy_title", lang).format(scenario=result.scenario, rule=result.election_rule,
                                                   regime=result.regime, n=len(result.completed)),
                 fontsize=10, wrap=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ---- service demand ------------------------------------------------------------------------------------------

def service_label(metric: str, lang: str) -> str:
    """A demand panel's title: the service's label and its unit, from the registry (``scenarios.services``)."""
    unit = {s.metric: s.unit for s in SERVICES}[metric]
    return (f"{service(metric, lang)}（{_unit(unit, lang)}）" if lang == "zh"
            else f"{service(metric, lang)} ({unit})")


def plot_demand(result: SimulationResult, path: Path, lang: str = "en") -> Path:
    """Estate-wide demand bands (P10–P90, P50) for each service, in its sizing rule's units."""
    plt, lang = _pyplot(lang)
    services = [m for m in DEMAND_METRICS if m in result.metrics]
    cols = 3
    rows = math.ceil(len(services) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.4 * rows), squeeze=False, layout="constrained")
    months = np.arange(result.months)
    for ax, metric in zip(axes.ravel(), services):
        _fan(ax, months, result.band(metric), "tab:green", "")
        ax.set_title(service_label(metric, lang), fontsize=10)
        ax.set_xlabel(t("month_from", lang).format(start=result.start))
        ax.set_xlim(0, result.months - 1)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    for ax in axes.ravel()[len(services):]:
        ax.set_visible(False)
    fig.suptitle(t("demand_title", lang).format(scenario=result.scenario, n=len(result.completed)),
                 fontsize=11, wrap=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ---- budget --------------------------------------------------------------------------------------------------


def money_scale(lang: str) -> tuple[float, str]:
    """(divisor, axis title): 万元 in Chinese, CNY millions in English."""
    return (1e4, t("wan_cny", lang)) if lang == "zh" else (1e6, t("million_cny", lang))


def budget_series(result: RunResult, key: str, lang: str) -> tuple[list[int], dict[str, list[float]]]:
    """(years, {label: amount per year in the language's money unit}) of the budget by ``key``
    ("payer" or "item"), labels in words, in the order of their keys."""
    by = views.budget_by(result, key)
    years = list(by)
    div, _ = money_scale(lang)
    names = sorted({n for v in by.values() for n in v})
    return years, {value(key, n, lang): [by[y].get(n, 0.0) / div for y in years] for n in names}


def cap_line(result: RunResult, lang: str) -> float | None:
    """The yearly budget cap in the language's money unit (None without one)."""
    cap = result.scenario.costs.budget_cap_cny_per_year
    return None if not cap else cap / money_scale(lang)[0]


def plot_budget(result: RunResult, path: Path, lang: str = "zh") -> Path:
    """Stacked bars per year, by payer (left) and by item (right), with the cap as a dashed line. Labelled
    in ``lang`` where a CJK font is installed, in English otherwise (``estate.fonts``)."""
    from matplotlib.ticker import FuncFormatter

    plt, lang = _pyplot(lang)
    _, unit = money_scale(lang)
    fig, axes = plt.subplots(1, 2, figsize=(13, 6.2))
    for ax, key in zip(axes, ("payer", "item")):
        years, series = budget_series(result, key, lang)
        bottom = [0.0] * len(years)
        cmap = plt.get_cmap("tab20")
        for i, (name, values) in enumerate(series.items()):
            ax.bar(years, values, bottom=bottom, color=cmap(i % 20), label=name)
            bottom = [b + v for b, v in zip(bottom, values)]
        cap = cap_line(result, lang)
        if cap is not None:
            ax.axhline(cap, color="black", linestyle="--", linewidth=1, label=t("budget_cap_line", lang))
        ax.set_title(t(f"by_{key}", lang), fontsize=10)
        ax.set_ylabel(f"{unit}/年" if lang == "zh" else f"{unit} per year")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))     # thousands separators
        ax.grid(axis="y", alpha=0.3)
        # below the bars, never over them (a first year of capital is the tallest bar)
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False,
                  ncol=3 if len(series) > 8 else max(1, len(series)))
    fig.suptitle(f"{result.scenario.name}：{t('budget_by_year', lang)}" if lang == "zh"
                 else f"{result.scenario.name}: {t('budget_by_year', lang)}", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
