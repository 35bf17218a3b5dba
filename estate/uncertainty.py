"""What is uncertain in a run, in rows a person reads: the plain meaning of P10/P50/P90, the scenario's
uncertain inputs and what each replication drew, which of them drive the width of each election band,
and each observation of the scenario beside the simulated band at its date.

The report and ``summary.json`` read these; the meeting app can call the same functions.

>>> band_words("zh")                         # {"p10": "P10：…", "p50": …, "p90": …}
>>> observation_rows(scenario, result)       # [{date, month, metric, community, observed, p10, p50, p90, inside, …}]
>>> driver_rows(result)                      # [{community, outcome, p10, p90, explained, drivers: [{input, rank_correlation}]}]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from estate.i18n import t
from scenarios.distributions import uncertain_of
from scenarios.schema import Scenario
from sim.ensemble import ESTATE, SimulationResult, nearest_rank
from sim.sensitivity import election_drivers, election_months_of

QUANTILES = ("p10", "p50", "p90")


def band_words(lang: str = "zh") -> dict[str, str]:
    """One sentence for each of P10, P50 and P90."""
    return {q: t(f"{q}_means", lang) for q in QUANTILES}


def _round(x: float) -> float | int | None:
    if x is None or not math.isfinite(x):
        return None
    return int(x) if float(x).is_integer() else round(float(x), 4)


def uncertain_rows(scenario: Scenario | None, result: SimulationResult) -> list[dict[str, Any]]:
    """Each uncertain input: its field, the distribution written, and P10/P50/P90 of the values drawn."""
    written = {k: v.text() for k, v in uncertain_of(scenario).items()} if scenario is not None else {}
    rows = []
    for j, name in enumerate(result.inputs):
        values = result.drawn[:, j]
        rows.append({"field": name, "distribution": written.get(name, ""),
                     "drawn": {q: _round(float(np.percentile(values, int(q[1:])))) for q in QUANTILES},
                     "note": "mean delay of the buildings, months" if name == "delivery.slip_months" else ""})
    return rows


def driver_rows(result: SimulationResult) -> list[dict[str, Any]]:
    """Per community, the election band and the inputs driving its width (strongest first)."""
    if not result.inputs:
        return []
    return [{"community": b.community, "outcome": b.outcome, "p10": _round(b.p10), "p90": _round(b.p90),
             "explained": None if b.explained is None else round(b.explained, 3),
             "drivers": [{"input": d.input, "rank_correlation": None if d.rank_correlation is None
                          else round(d.rank_correlation, 3)} for d in b.drivers]}
            for b in election_drivers(result)]


def _known(result: SimulationResult, community: str) -> bool:
    return community in result.community_ids or community == ESTATE


def observation_rows(scenario: Scenario | None, result: SimulationResult) -> list[dict[str, Any]]:
    """Each ``[[observed]]`` figure beside the simulated P10/P50/P90 at its month, and whether it lies
    within P10–P90. An election is observed by its month: the band is the election month's."""
    if scenario is None:
        return []
    rows = []
    for o in scenario.observed:
        month = scenario.month_of(o.date)
        row: dict[str, Any] = {"date": o.date, "month": month, "metric": o.metric, "community": o.community,
                               "observed": month if o.metric == "election" else _round(o.value),
                               "p10": None, "p50": None, "p90": None, "inside": None, "source": o.source, "note": ""}
        if not _known(result, o.community):
            row["note"] = f"community {o.community} is not in this run's split ({', '.join(result.community_ids)})"
        elif o.metric == "election":
            months = election_months_of(result, o.community)
            q = {f"p{k}": nearest_rank(months, k) for k in (10, 50, 90)}
            row |= {k: _round(v) for k, v in q.items()}
            row["inside"] = bool(q["p10"] <= month <= q["p90"])
            row["note"] = "election month; P90 beyond the horizon is empty" if not math.isfinite(q["p90"]) else ""
        elif month >= result.months:
            row["note"] = "after the simulated horizon"
        else:
            band = result.band(o.metric, o.community)
            q = {"p10": band.p10[month], "p50": band.p50[month], "p90": band.p90[month]}
            row |= {k: _round(v) for k, v in q.items()}
            row["inside"] = bool(q["p10"] <= o.value <= q["p90"])
        rows.append(row)
    return rows


def observation_lines(scenario: Scenario | None, result: SimulationResult) -> list[str]:
    """One line per observation for the terminal."""
    out = []
    for r in observation_rows(scenario, result):
        where = "" if r["inside"] is None else (" (within P10–P90)" if r["inside"] else " (OUTSIDE P10–P90)")
        band = "" if r["p50"] is None else f"; simulated P50 {r['p50']} (P10 {r['p10']}, P90 {r['p90']})"
        out.append(f"observed {r['metric']} of {r['community']} in {r['date']}: {r['observed']}{band}{where}"
                   f"{'; ' + r['note'] if r['note'] else ''}")
    return out


def uncertainty_doc(scenario: Scenario | None, result: SimulationResult) -> dict[str, Any]:
    """The keys ``summary.json`` adds: ``band_words`` {p10, p50, p90: {zh, en}}, ``uncertain_inputs``,
    ``band_drivers`` and ``observed``."""
    return {"band_words": {q: {lang: band_words(lang)[q] for lang in ("zh", "en")} for q in QUANTILES},
            "uncertain_inputs": uncertain_rows(scenario, result), "band_drivers": driver_rows(result),
            "observed": observation_rows(scenario, result)}
