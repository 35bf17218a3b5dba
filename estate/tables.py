"""A run's tables as plain rows (lists of dicts with stable keys), for the app's charts and downloads.

Every table here is also a CSV in the app's download (``tables_zip``); column names are the dict keys.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import TYPE_CHECKING, Any

from scenarios.services import DEMAND_METRICS

if TYPE_CHECKING:   # the engines load only when a run is asked for
    from estate.pipeline import RunResult


Rows = list[dict[str, Any]]
SERVICES = DEMAND_METRICS   # the demand series of the service registry (scenarios.services)


def election_measure(result: RunResult) -> str:
    sim = result.simulation
    return "occupancy_planned_residents" if sim.election_basis == "planned_residents" else "occupancy"


def occupancy(result: RunResult) -> Rows:
    """The election measure's band per community and month, with the threshold share."""
    sim, measure = result.simulation, election_measure(result)
    rows: Rows = []
    for cid in sim.community_ids:
        band, share = sim.band(measure, cid), sim.threshold_share(cid)
        rows += [{"community": cid, "month": m, "p10": band.p10[m], "p50": band.p50[m], "p90": band.p90[m],
                  "threshold": share} for m in range(sim.months)]
    return rows


def elections(result: RunResult) -> Rows:
    sim = result.simulation
    return [{"community": cid, **{k: sim.election(cid)[k] for k in ("p10", "p50", "p90", "elected_replications")},
             "replications": len(sim.completed)} for cid in sim.community_ids]


def demand(result: RunResult) -> Rows:
    """Estate-wide demand bands per service and month, in each service's unit."""
    sim = result.simulation
    rows: Rows = []
    for metric in (m for m in SERVICES if m in sim.metrics):
        band = sim.band(metric)
        rows += [{"service": metric, "unit": band.unit, "month": m, "p10": band.p10[m], "p50": band.p50[m],
                  "p90": band.p90[m]} for m in range(sim.months)]
    return rows


def budget(result: RunResult) -> Rows:
    return [{"year": r.year, "item": r.item, "payer": r.payer, "amount_cny": r.amount_cny, "basis": r.basis,
             "payer_basis": r.payer_basis} for r in result.budget.rows]


def communities(result: RunResult) -> Rows:
    sim = result.simulation
    rows: Rows = []
    for c in result.plan.communities:
        e = sim.election(c.id)
        rows.append({"community": c.id, "buildings": len(c.buildings), "households": c.households,
                     "office_building": c.office_building, "staff": int(c.staff.value), "staff_rule": c.staff.rule,
                     "committee_members": int(c.committee_members.value),
                     "resident_groups": int(c.resident_groups.value), "grids": int(c.grids.value),
                     "office_area_m2": round(c.office_area_m2.value, 1), "office_rule": c.office_area_m2.rule,
                     "office_planned_m2": None if c.office_shortfall_m2 is None else c.office_planned_m2, "office_shortfall_m2": c.office_shortfall_m2,
                     "election_p10": e["p10"], "election_p50": e["p50"], "election_p90": e["p90"]})
    return rows


def site(result: RunResult) -> Rows:
    """Each building with its community and whether the community's office sits in it."""
    com = {b: c for c in result.plan.communities for b in c.buildings}
    return [{"building": b.id, "x": b.x, "y": b.y, "units": b.units, "community": com[b.id].id,
             "office": com[b.id].office_building == b.id} for b in result.scenario.buildings]


def compliance(result: RunResult) -> Rows:
    checks = result.audit if result.audit is not None else result.checks
    return [{"rule": k.rule, "citation": k.citation, "entity": k.entity, "required": k.required,
             "provided": k.provided, "passed": k.passed, "shortfall": k.shortfall, "status": k.status} for k in checks]


def facilities(result: RunResult) -> Rows:
    from estate.facility_view import rows
    return rows(result.facilities)


TABLES = {"communities": communities, "elections": elections, "occupancy": occupancy, "demand": demand,
          "facilities": facilities, "budget": budget, "site": site, "compliance": compliance}


def to_csv(rows: Rows) -> str:
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return buf.getvalue()


def tables_zip(result: RunResult) -> bytes:
    """Every table of the run as ``<name>.csv`` in one zip (UTF-8 with BOM, so spreadsheet programs
    read the Chinese)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, fn in TABLES.items():
            z.writestr(f"{name}.csv", "\ufeff" + to_csv(fn(result)))
    return buf.getvalue()


def compliance_view(result: RunResult, lang: str = "zh") -> Rows:
    """The compliance rows as a meeting reads them: failing rows first, the pass mark in the first column,
    the engine's readings with their words in the chosen language."""
    from estate.i18n import t, terms

    order = {False: 0, None: 1, True: 2}      # failed first, then not checked (a figure missing), then passed
    rows = sorted(compliance(result), key=lambda x: order[x["passed"]])
    mark = {False: "✗", None: "—", True: "✓"}
    return [{t("passed", lang): mark[x["passed"]], t("entity", lang): terms(x["entity"], lang),
             t("required", lang): terms(x["required"], lang), t("provided", lang): terms(x["provided"], lang),
             t("shortfall", lang): f"{x['shortfall']:,.1f}".removesuffix(".0") if x["passed"] is False else "—",
             t("citation", lang): terms(x["citation"], lang),
             t("rule", lang): x["rule"]} for x in rows]


def comparison_rows(answers: list, results: list, lang: str = "zh") -> Rows:
    """The comparison download: one row per figure, one column per scenario, numbers as numbers (money in
    万元), the unit in the figure's name."""
    from estate import compare
    from estate.i18n import t, value

    labels = [a.label for a in answers]
    heads = [compare.run_headline(r, lang) for r in results]

    def row(name: str, values: list) -> dict[str, Any]:
        return {t("metric", lang): name, **dict(zip(labels, values))}

    wan = t("wan_cny", lang)
    out = [row(t("communities", lang), [h["communities"] for h in heads]),
           row(t("staff_full_plan", lang), [a.staff_full for a in answers]),
           row(t("office_required_m2", lang), [a.office_required_m2 for a in answers]),
           row(t("office_planned_m2", lang), [a.office_planned_m2 for a in answers]),
           row(t("office_short_m2", lang), [a.office_short_m2 for a in answers]),
           row(f"{t('budget_10y_short', lang)}（{wan}）" if lang == "zh" else f"{t('budget_10y_short', lang)} ({wan})",
               [round(h["budget_10y"] / 1e4, 1) for h in heads]),
           row(t("cost_per_flat_year", lang), [h["cost_per_flat_year"] for h in heads])]
    for part, attr in (("capital", "capital_by_payer"), ("running", "running_by_payer")):
        payers = sorted({p for a in answers for p, _ in getattr(a, attr)})
        for p in payers:
            out.append(row(f"{t(part, lang)}：{value('payer', p, lang)}（{wan}）" if lang == "zh"
                           else f"{t(part, lang)}: {value('payer', p, lang)} ({wan})",
                           [round(dict(getattr(a, attr)).get(p, 0.0) / 1e4, 1) for a in answers]))
    out.append(row(t("checks_failed", lang), [a.checks_failed for a in answers]))
    communities = sorted({e.community for a in answers for e in a.elections})
    for c in communities:
        out.append(row(f"{c} {t('election_p50', lang)}",
                       [next((e.p50 for e in a.elections if e.community == c), None) for a in answers]))
    return out


def outlines(result: RunResult) -> Rows:
    """Each community's outline on the site: the convex hull of its buildings' points (scipy.spatial),
    closed (the first vertex repeated), in drawing order. A community of fewer than three buildings, or
    of buildings in a line, has none."""
    import numpy as np
    from scipy.spatial import ConvexHull, QhullError

    by: dict[str, list[tuple[float, float]]] = {}
    for r in site(result):
        by.setdefault(r["community"], []).append((r["x"], r["y"]))
    rows: Rows = []
    for cid, pts in by.items():
        if len(pts) < 3:
            continue
        try:
            hull = ConvexHull(np.asarray(pts, dtype=float))
        except QhullError:
            continue
        ring = [*hull.vertices, hull.vertices[0]]
        rows += [{"community": cid, "order": i, "x": pts[v][0], "y": pts[v][1]} for i, v in enumerate(ring)]
    return rows
