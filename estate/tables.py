"""The views of a run: the rows a person reads (communities, elections, compliance, facilities, budget,
payers, occupancy, demand, the site), each built once here as plain rows (lists of dicts with stable
keys). Every consumer reads them: ``plan.json``, ``budget.csv`` and ``audit.json`` (``plan_outputs``),
``report.html`` (``run_outputs``), the app and its charts (``charts``), the CSV zip and the XLSX workbook
(``workbook``), the answer block (``answers``) and the CLI's summaries, so none of them can disagree.
Rows hold engine values (ids, numbers, months); ``*_view`` functions put them into words in Chinese or
English (``estate.i18n``, ``estate.format``).

Every table of ``TABLES`` is also a CSV in the app's download (``tables_zip``); column names are the keys.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from estate import format as fmt
from scenarios.services import DEMAND_METRICS

if TYPE_CHECKING:   # the engines load only when a run is asked for
    from estate.pipeline import RunResult


Rows = list[dict[str, Any]]
SERVICES = DEMAND_METRICS   # the demand series of the service registry (scenarios.services)


# ---- compliance ------------------------------------------------------------------------------------------

COMPLIANCE_KEYS = ("rule", "citation", "entity", "required", "provided", "passed", "shortfall", "status", "note")
STATUS_MARK = {False: "✗", None: "—", True: "✓"}     # failed, not checked (a figure missing), passed
STATUS_ORDER = {False: 0, None: 1, True: 2}          # failures first, then not checked, then passed


def checks(result: RunResult) -> Sequence:
    """The checks a run is judged by: the audit of a built estate where there is one, else the plan's."""
    return result.audit if result.audit is not None else result.checks


def check_row(k) -> dict[str, Any]:
    """One check (``optimize`` verifier or audit) as a row of ``COMPLIANCE_KEYS``."""
    return {"rule": k.rule, "citation": k.citation, "entity": k.entity, "required": k.required,
            "provided": k.provided, "passed": k.passed, "shortfall": k.shortfall, "status": k.status,
            "note": k.note}


def compliance(result: RunResult) -> Rows:
    """Every check of the run, in the engine's order."""
    return [check_row(k) for k in checks(result)]


def check_counts(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    """{"passed", "failed", "not_checked"}: a not-checked row counts neither as passed nor as failed."""
    passed = [r["passed"] for r in rows]
    return {"passed": sum(p is True for p in passed), "failed": sum(p is False for p in passed),
            "not_checked": sum(p is None for p in passed)}


def rule_words(rule_id: str, lang: str) -> str:
    """A check's rule as a meeting reads it: in Chinese what the rule says (``estate.answers.rule_text``;
    the split's own checks from ``estate.i18n.CHECKS``), in English its id."""
    from estate.answers import rule_text
    from estate.i18n import CHECKS, value

    if lang != "zh":
        return rule_id
    return value("check", rule_id, lang) if rule_id in CHECKS else rule_text(rule_id, lang)


def compliance_view(result: RunResult, lang: str = "zh") -> Rows:
    """The compliance rows as a meeting reads them (the app, the report, the workbook): failing rows
    first, the mark (✓ ✗ —) in the first column, the rule in words (in English its id), the engine's
    readings in the chosen language, the shortfall a number on failing rows only."""
    from estate.i18n import t, terms

    rows = sorted(compliance(result), key=lambda x: STATUS_ORDER[x["passed"]])
    return [{t("passed", lang): STATUS_MARK[x["passed"]],
             t("rule", lang): rule_words(x["rule"], lang),
             t("entity", lang): terms(x["entity"], lang),
             t("required", lang): terms(x["required"], lang), t("provided", lang): terms(x["provided"], lang),
             t("shortfall", lang): round(x["shortfall"], 1) if x["passed"] is False and x["shortfall"] is not None
             else None,
             t("citation", lang): terms(x["citation"], lang)} for x in rows]


# ---- communities and elections ---------------------------------------------------------------------------

def plan_community(c) -> dict[str, Any]:
    """One planned community's figures at full occupancy, each with the rule it comes from (``plan.json``'s
    ``communities`` entries; the run's community rows are read from these)."""
    return {
        "id": c.id, "buildings": list(c.buildings), "households": c.households,
        "office_building": c.office_building, "staff": int(c.staff.value),
        "committee_members": int(c.committee_members.value),
        "supervisory_members": None if c.supervisory_members is None else int(c.supervisory_members.value),
        "resident_groups": int(c.resident_groups.value), "grids": int(c.grids.value),
        "group_leaders": int(c.group_leaders.value),
        "group_representatives": [int(c.group_representatives_min.value), int(c.group_representatives_max.value)],
        "subcommittees": list(c.subcommittees),
        "office_area_m2": c.office_area_m2.value,
        "office_planned_m2": None if c.office_shortfall_m2 is None else c.office_planned_m2,
        "office_shortfall_m2": c.office_shortfall_m2,
        "grid_staff": dict(c.grid_staff) if c.grid_staff_rule else None,
        "station_staff": None if c.station_staff is None else int(c.station_staff.value),
        "social_workers": None if c.social_workers is None else int(c.social_workers.value),
        "rules": {"staff": c.staff.rule, "committee_members": c.committee_members.rule,
                  "resident_groups": c.resident_groups.rule, "grids": c.grids.rule,
                  "office_area_m2": c.office_area_m2.rule,
                  **({"grid_staff": c.grid_staff_rule} if c.grid_staff_rule else {}),
                  **({"station_staff": c.station_staff.rule} if c.station_staff is not None else {}),
                  **({"social_workers": c.social_workers.rule} if c.social_workers is not None else {})},
    }


def elections(result: RunResult) -> Rows:
    """Each community's committee election: the month (counted from the start) at P10/P50/P90 and the
    same as calendar months ``YYYY-MM`` ("—" beyond the horizon), the replications that elected."""
    s, sim = result.scenario, result.simulation
    households = {c.id: c.households for c in result.plan.communities}
    rows: Rows = []
    for cid in sim.community_ids:
        e = sim.election(cid)
        rows.append({"community": cid, "households": households.get(cid),
                     **{q: e[q] for q in ("p10", "p50", "p90")},
                     **{f"{q}_date": fmt.month(e[q], s.start_year, s.start_month) for q in ("p10", "p50", "p90")},
                     "elected_replications": e["elected_replications"], "replications": len(sim.completed)})
    return rows


def communities(result: RunResult) -> Rows:
    """One row per planned community: its figures (``plan_community``) and its election."""
    by = {e["community"]: e for e in elections(result)}
    rows: Rows = []
    for c in result.plan.communities:
        d, e = plan_community(c), by.get(c.id, {})
        rows.append({"community": d["id"], "buildings": len(d["buildings"]), "households": d["households"],
                     "office_building": d["office_building"], "staff": d["staff"], "staff_rule": d["rules"]["staff"],
                     "committee_members": d["committee_members"], "resident_groups": d["resident_groups"],
                     "grids": d["grids"], "office_area_m2": round(d["office_area_m2"], 1),
                     "office_rule": d["rules"]["office_area_m2"], "office_planned_m2": d["office_planned_m2"],
                     "office_shortfall_m2": d["office_shortfall_m2"],
                     **{f"election_{q}": e.get(q) for q in ("p10", "p50", "p90")},
                     **{f"election_{q}_date": e.get(f"{q}_date", "—") for q in ("p10", "p50", "p90")}})
    return rows


# ---- the simulation's bands --------------------------------------------------------------------------------

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


def demand(result: RunResult) -> Rows:
    """Estate-wide demand bands per service and month, in each service's unit."""
    sim = result.simulation
    rows: Rows = []
    for metric in (m for m in SERVICES if m in sim.metrics):
        band = sim.band(metric)
        rows += [{"service": metric, "unit": band.unit, "month": m, "p10": band.p10[m], "p50": band.p50[m],
                  "p90": band.p90[m]} for m in range(sim.months)]
    return rows


# ---- budget and payers -------------------------------------------------------------------------------------

BUDGET_KEYS = ("year", "item", "payer", "amount_cny", "basis", "payer_basis")
CAPITAL_ITEMS = ("startup_subsidy", "office_fitout")   # one-off items; facility capital is "facility_capital:*"


def is_capital(item: str) -> bool:
    return item in CAPITAL_ITEMS or item.startswith("facility_capital:")


def budget_rows(budget) -> Rows:
    """The budget's rows (``optimize.budget``) with ``BUDGET_KEYS`` (``budget.csv``'s columns)."""
    return [{"year": r.year, "item": r.item, "payer": r.payer, "amount_cny": r.amount_cny, "basis": r.basis,
             "payer_basis": r.payer_basis} for r in budget.rows]


def budget(result: RunResult) -> Rows:
    return budget_rows(result.budget)


def budget_totals(result: RunResult, keys: Sequence[str]) -> dict[tuple, float]:
    """The budget summed by ``keys`` (any of ``BUDGET_KEYS``), in key order."""
    out: dict[tuple, float] = defaultdict(float)
    for r in budget(result):
        out[tuple(r[k] for k in keys)] += r["amount_cny"]
    return dict(sorted(out.items()))


def budget_by(result: RunResult, key: str) -> dict[int, dict[str, float]]:
    """Yearly totals split by ``key`` ("payer" or "item"): {year: {payer: CNY}}."""
    out: dict[int, dict[str, float]] = {}
    for (year, name), cny in budget_totals(result, ("year", key)).items():
        out.setdefault(year, {})[name] = cny
    return out


def payers(result: RunResult) -> Rows:
    """One row per item and payer: the payer's share of the item over the horizon (None where the item
    costs nothing), the rule naming the payer and the rules behind the amounts."""
    totals: dict[str, float] = defaultdict(float)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in budget(result):
        totals[r["item"]] += r["amount_cny"]
        row = out.setdefault((r["item"], r["payer"]), {"item": r["item"], "payer": r["payer"], "amount_cny": 0.0,
                                                       "payer_rule": r["payer_basis"], "amount_rules": set()})
        row["amount_cny"] += r["amount_cny"]
        row["amount_rules"].update(b for b in r["basis"].split("; ") if b)
    return [{**row, "share": row["amount_cny"] / totals[item] if totals[item] else None,
             "amount_rules": "; ".join(sorted(row["amount_rules"]))} for (item, _), row in sorted(out.items())]


# ---- facilities and the site -------------------------------------------------------------------------------

def facilities(result: RunResult) -> Rows:
    """One row per facility module opened (``estate.facility_view.rows``)."""
    from estate.facility_view import rows
    return rows(result.facilities)


def site(result: RunResult) -> Rows:
    """Each building with its community and whether the community's office sits in it."""
    com = {b: c for c in result.plan.communities for b in c.buildings}
    return [{"building": b.id, "x": b.x, "y": b.y, "units": b.units, "community": com[b.id].id,
             "office": com[b.id].office_building == b.id} for b in result.scenario.buildings]


TABLES = {"communities": communities, "elections": elections, "occupancy": occupancy, "demand": demand,
          "facilities": facilities, "budget": budget, "payers": payers, "site": site, "compliance": compliance}


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
