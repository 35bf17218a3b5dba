"""The simulation's output files: ``summary.json``, ``series.csv`` and the PNG plots (drawn by
``estate.plots``).

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

from estate.uncertainty import uncertainty_doc
from scenarios.schema import Scenario
from sim.ensemble import ESTATE, SimulationResult
from sim.reporting import ESTATE_ONLY

GENERATOR = "estate simulate"
FILES = ("summary.json", "series.csv", "occupancy.png", "demand.png")
SERIES_COLUMNS = ("month", "community", "metric", "p10", "p50", "p90")


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


def write_all(result: SimulationResult, out: Path, scenario: Scenario | None = None) -> list[Path]:
    """The four files into ``out`` (a staging folder of ``estate.outputs.OutputGuard``); with the ``scenario``,
    its observations beside the bands. The plots are ``estate.plots``' (labelled in English here:
    ``estate simulate`` has no language flag)."""
    from estate.plots import plot_demand, plot_occupancy
    return [write_summary(result, out / "summary.json", scenario), write_series(result, out / "series.csv"),
            plot_occupancy(result, out / "occupancy.png", scenario=scenario), plot_demand(result, out / "demand.png")]
