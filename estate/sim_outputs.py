"""The simulation's output files: ``summary.json``, ``series.csv`` and the PNG plots (matplotlib, Agg).

Formats (documented in the README, stable keys):

- ``summary.json``: ``generator``, ``scenario``, ``regime``, ``start``, ``seed``, ``months``,
  ``replications`` (requested), ``completed``, ``failures`` [{replication, message}], ``election_rule``,
  ``election_basis``, ``estate`` {flats, planned_residents, threshold}, ``communities`` [{id, flats,
  planned_residents, threshold, election_month {p10, p50, p90}, elected_replications,
  preparatory_group_month {p10, p50, p90}, voters_at_election {category: {p10, p50, p90} or null}}],
  ``metrics`` {name: unit}, and (``estate.uncertainty``) ``band_words``, ``uncertain_inputs``, ``band_drivers``,
  ``observed``. An election month is null where that percentile lies beyond the horizon ("never").
- ``series.csv``: long format, one row per month × community × metric: ``month, community, metric,
  p10, p50, p90``; the whole estate is the community ``estate``.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np

from estate.uncertainty import uncertainty_doc
from scenarios.schema import Scenario
from scenarios.services import DEMAND_METRICS
from sim.ensemble import ESTATE, SimulationResult
from sim.reporting import ESTATE_ONLY

GENERATOR = "estate simulate"
FILES = ("summary.json", "series.csv", "occupancy.png", "demand.png")
SERIES_COLUMNS = ("month", "community", "metric", "p10", "p50", "p90")
SERVICE_PLOTS = DEMAND_METRICS   # the demand series of the service registry (scenarios.services)


def _number(x: float) -> float | int | None:
    if not math.isfinite(x):
        return None
    return int(x) if float(x).is_integer() else round(float(x), 6)


def summary(result: SimulationResult, scenario: Scenario | None = None) -> dict:
    """The summary as a JSON-ready dict; with the ``scenario``, its observations against the bands and its
    uncertain inputs' distributions too (``estate.uncertainty``)."""
    communities = []
    for i, cid in enumerate(result.community_ids):
        election = result.election(cid)
        communities.append({
            "id": cid, "flats": result.community_flats[i],
            "planned_residents": _number(result.planned_residents[i]),
            "threshold": _number(result.threshold(cid)),
            "election_month": {q: election[q] for q in ("p10", "p50", "p90")},
            "elected_replications": election["elected_replications"],
            "preparatory_group_month": result.preparatory_group(cid),
            "voters_at_election": result.voters_at(cid),
        })
    return {
        "generator": GENERATOR, "scenario": result.scenario, "regime": result.regime, "start": result.start,
        "seed": result.seed, "months": result.months, "replications": result.replications,
        "completed": len(result.completed),
        "failures": [{"replication": f.replication, "message": f.message} for f in result.failures],
        "election_rule": result.election_rule, "election_basis": result.election_basis,
        "estate": {"flats": sum(result.community_flats),
                   "planned_residents": _number(sum(result.planned_residents)),
                   "threshold": _number(result.threshold(None))},
        "communities": communities,
        "metrics": dict(result.units),
    } | uncertainty_doc(scenario, result)


def _columns(result: SimulationResult) -> list[tuple[str, int]]:
    """(label, column) of each community, then the estate (once, if the only community is the estate)."""
    cols = [(cid, i) for i, cid in enumerate(result.community_ids)]
    if result.community_ids != (ESTATE,):
        label = ESTATE if ESTATE not in result.community_ids else f"{ESTATE}_all"
        cols.append((label, len(result.community_ids)))
    return cols


def write_series(result: SimulationResult, path: Path) -> Path:
    q = result.quantiles
    single = result.community_ids == (ESTATE,)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(SERIES_COLUMNS)
        for label, c in _columns(result):
            estate_row = c == len(result.community_ids) or single
            for m, metric in enumerate(result.metrics):
                if metric in ESTATE_ONLY and not estate_row:
                    continue
                col = len(result.community_ids) if (single and metric in ESTATE_ONLY) else c
                for month in range(result.months):
                    w.writerow((month, label, metric, *(f"{q[i, month, col, m]:.6g}" for i in range(3))))
    return path


def write_summary(result: SimulationResult, path: Path, scenario: Scenario | None = None) -> Path:
    path.write_text(json.dumps(summary(result, scenario), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _fan(ax, months: np.ndarray, band, colour: str, label: str) -> None:
    ax.fill_between(months, band.p10, band.p90, color=colour, alpha=0.25, linewidth=0,
                    label=f"{label} P10–P90".strip())
    ax.plot(months, band.p50, color=colour, linewidth=1.6, label=f"{label} P50".strip())


def _pyplot():
    """matplotlib's pyplot drawing to files (Agg), with a CJK font first in the fallback list
    (estate.fonts), so Chinese in scenario names, community ids and clauses does not print as boxes."""
    from estate.fonts import pyplot
    return pyplot()


def _observation_marks(ax, result: SimulationResult, scenario: Scenario | None, cid: str | None) -> None:
    """The scenario's observations of this panel's community, as shares: households ÷ flats (×),
    residents ÷ planned residents (●), occupancy (×); an observed election as a dotted line."""
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
                       label=None if "election" in shown else "election observed")
            shown.add("election")
            continue
        share = {"households": o.value / flats, "occupancy": o.value,
                 "residents": o.value / planned if planned else 0.0}[o.metric]
        kind = "residents ÷ planned residents" if o.metric == "residents" else "households ÷ flats"
        ax.plot([month], [share], marker="o" if o.metric == "residents" else "X", color="black", markersize=6,
                linestyle="none", label=None if kind in shown else f"observed: {kind}")
        shown.add(kind)


def plot_occupancy(result: SimulationResult, path: Path, max_panels: int = 12,
                   scenario: Scenario | None = None) -> Path:
    """Fan chart of the election measure per community (and the estate), with the threshold line and
    the election month's P50 and P10–P90 span; with the ``scenario``, its observations as markers."""
    plt = _pyplot()
    measure = "occupancy_planned_residents" if result.election_basis == "planned_residents" else "occupancy"
    label = "residents / planned residents" if measure != "occupancy" else "occupied / planned flats"
    panels = list(result.community_ids[:max_panels])
    if result.community_ids != (ESTATE,):
        panels.append(None)
    cols = min(3, len(panels))
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.6 * rows + 0.5), squeeze=False, sharey=True,
                             layout="constrained")
    months = np.arange(result.months)
    for ax, cid in zip(axes.ravel(), panels):
        _fan(ax, months, result.band(measure, cid), "tab:blue", "")
        share = result.threshold_share(cid)
        ax.axhline(share, color="tab:red", linestyle="--", linewidth=1, label=f"election threshold {share:.0%}")
        if cid is not None:
            e = result.election(cid)
            if e["p10"] is not None:
                ax.axvspan(e["p10"], e["p90"] if e["p90"] is not None else result.months - 1,
                           color="tab:orange", alpha=0.15, label="election month P10–P90")
            if e["p50"] is not None:
                ax.axvline(e["p50"], color="tab:orange", linewidth=1.4, label=f"election month P50 = {e['p50']}")
            title = f"community {cid} ({e['elected_replications']}/{len(result.completed)} elected)"
        else:
            title = "whole estate"
        _observation_marks(ax, result, scenario, cid)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(f"month from {result.start}")
        ax.set_ylabel(label)
        ax.set_xlim(0, result.months - 1)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    # the title wraps to the figure's width (one panel is narrow); the layout then makes room for it
    fig.suptitle(f"{result.scenario}\noccupancy and the committee election, {result.election_rule}; "
                 f"{result.regime} rules, {len(result.completed)} replications", fontsize=10, wrap=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_demand(result: SimulationResult, path: Path) -> Path:
    """Estate-wide demand bands (P10–P90, P50) for each service, in its sizing rule's units."""
    plt = _pyplot()
    services = [m for m in SERVICE_PLOTS if m in result.metrics]
    cols = 3
    rows = math.ceil(len(services) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.4 * rows), squeeze=False, layout="constrained")
    months = np.arange(result.months)
    for ax, metric in zip(axes.ravel(), services):
        _fan(ax, months, result.band(metric), "tab:green", "")
        ax.set_title(metric.replace("_", " "), fontsize=10)
        ax.set_xlabel(f"month from {result.start}")
        unit = result.units.get(metric, "")
        ax.set_ylabel(unit.split(" (")[0].split(" per ")[0], fontsize=9)
        ax.set_xlim(0, result.months - 1)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    for ax in axes.ravel()[len(services):]:
        ax.set_visible(False)
    fig.suptitle(f"{result.scenario}: service demand, whole estate ({len(result.completed)} replications)",
                 fontsize=11, wrap=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_all(result: SimulationResult, out: Path, scenario: Scenario | None = None) -> list[Path]:
    """The four files into ``out`` (a staging folder of ``estate.outputs.OutputGuard``); with the ``scenario``,
    its observations beside the bands."""
    return [write_summary(result, out / "summary.json", scenario), write_series(result, out / "series.csv"),
            plot_occupancy(result, out / "occupancy.png", scenario=scenario), plot_demand(result, out / "demand.png")]
