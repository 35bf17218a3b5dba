"""The files of `estate run`: the simulation's and the optimizer's files side by side, the budget chart,
and ``report.html``, which embeds every plot and table so it can be mailed on its own.

Files (formats in the README): summary.json, series.csv, occupancy.png, demand.png (simulation);
plan.json, site_map.png (split and sizing); facilities.json (facility plan); budget.csv, budget.png
(budget); report.html (all of it, with the compliance table).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from estate import facility_view
from estate import report as html
from estate import tables
from estate.compare import rules_table, run_headline
from estate.i18n import t
from estate.pipeline import RunResult
from estate.uncertainty import band_words, driver_rows, observation_rows, uncertain_rows
from estate.plan_outputs import write_budget, write_plan, write_site_map
from estate.sim_outputs import plot_demand, plot_occupancy, write_series, write_summary

FILES = ("summary.json", "series.csv", "occupancy.png", "demand.png", "plan.json", "site_map.png",
         "facilities.json", "budget.csv", "budget.png", "report.html")


def budget_by(result: RunResult, key: str) -> dict[int, dict[str, float]]:
    """Yearly totals split by ``key`` ("payer" or "item")."""
    out: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in result.budget.rows:
        out[r.year][getattr(r, key)] += r.amount_cny
    return {y: dict(v) for y, v in sorted(out.items())}


def plot_budget(result: RunResult, path: Path) -> Path:
    """Stacked bars per year: by payer (left) and by item (right), in million CNY."""
    from estate.fonts import pyplot
    plt = pyplot()

    fig, axes = plt.subplots(1, 2, figsize=(13, 6.2))
    for ax, key in zip(axes, ("payer", "item")):
        table = budget_by(result, key)
        years = list(table)
        names = sorted({n for v in table.values() for n in v})
        bottom = [0.0] * len(years)
        cmap = plt.get_cmap("tab20")
        for i, name in enumerate(names):
            values = [table[y].get(name, 0.0) / 1e6 for y in years]
            ax.bar(years, values, bottom=bottom, color=cmap(i % 20), label=name.replace("_", " "))
            bottom = [b + v for b, v in zip(bottom, values)]
        if result.scenario.costs.budget_cap_cny_per_year is not None:
            ax.axhline(result.scenario.costs.budget_cap_cny_per_year / 1e6, color="black", linestyle="--",
                       linewidth=1, label="budget cap")
        ax.set_title(f"by {key}", fontsize=10)
        ax.set_ylabel("million CNY per year")
        ax.grid(axis="y", alpha=0.3)
        # below the bars, never over them (a first year of capital is the tallest bar)
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False,
                  ncol=3 if len(names) > 8 else max(1, len(names)))
    fig.suptitle(f"{result.scenario.name}: budget by year", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def facilities_doc(result: RunResult) -> dict:
    from optimize.budget_cap import to_dict as cap_dict
    return facility_view.to_dict(result.facilities) | {"budget_cap": cap_dict(result.cap)}


def write_run(result: RunResult, out: Path) -> list[Path]:
    """Every file of the run into ``out`` (created; must be empty or hold only files of ours)."""
    paths = [write_summary(result.simulation, out / "summary.json", result.scenario),
             write_series(result.simulation, out / "series.csv"),
             plot_occupancy(result.simulation, out / "occupancy.png", scenario=result.scenario),
             plot_demand(result.simulation, out / "demand.png")]
    write_plan(result.plan, result.checks, out / "plan.json", budget=result.budget, notices=result.notices)
    write_site_map(result.plan, result.scenario, out / "site_map.png")
    (out / "facilities.json").write_text(json.dumps(facilities_doc(result), ensure_ascii=False, indent=2) + "\n",
                                         encoding="utf-8")
    write_budget(result.budget, out / "budget.csv")
    plot_budget(result, out / "budget.png")
    paths += [out / "plan.json", out / "site_map.png", out / "facilities.json", out / "budget.csv", out / "budget.png"]
    html.write(build_report(result, out), out / "report.html")
    paths.append(out / "report.html")
    return paths


def payer_rows(result: RunResult) -> list[tuple]:
    """One row per item and payer: the payer's share of the item over the horizon and the rules behind it."""
    totals: dict[str, float] = defaultdict(float)
    out: dict[tuple[str, str], list] = {}
    for r in result.budget.rows:
        totals[r.item] += r.amount_cny
        row = out.setdefault((r.item, r.payer), [r.item, r.payer, 0.0, r.payer_basis, set()])
        row[2] += r.amount_cny
        row[4].update(b for b in r.basis.split("; ") if b)
    return [(item, payer, f"{amount / totals[item]:.0%}" if totals[item] else "—", rule, "; ".join(sorted(bases)))
            for (item, payer), (_, _, amount, rule, bases) in sorted(out.items())]


def compliance_rows(result: RunResult) -> list[tuple]:
    """The report's compliance table: the one compliance view (``estate.tables.compliance``) as tuples."""
    return [(x["rule"], x["citation"], x["entity"], x["required"], x["provided"],
             x["status"] if x["passed"] is None else x["passed"], x["shortfall"]) for x in tables.compliance(result)]


def uncertainty_sections(result: RunResult) -> list[html.Table]:
    """What P10/P50/P90 mean (both languages), the observations against the bands, the uncertain inputs
    and what drives each election band's width (``estate.uncertainty``)."""
    s, sim = result.scenario, result.simulation
    words = [band_words("zh"), band_words("en")]
    out = [html.Table(f"{t('band_words', 'en')} · {t('band_words', 'zh')}", ("", "English", "中文"),
                      [(q.upper(), words[1][q], words[0][q]) for q in ("p10", "p50", "p90")])]
    obs = observation_rows(s, sim)
    if obs:
        out.append(html.Table(
            t("observed", "en"), ("date", "month", "metric", "community", "observed", "P10", "P50", "P90",
                                  "within P10–P90", "source", "note"),
            [(r["date"], r["month"], r["metric"], r["community"], r["observed"], r["p10"], r["p50"], r["p90"],
              "—" if r["inside"] is None else r["inside"], r["source"], r["note"]) for r in obs],
            note="An election is observed by its month, against the band of the simulated election month."))
    inputs = uncertain_rows(s, sim)
    if inputs:
        out.append(html.Table(t("uncertain_inputs", "en"), ("field", "distribution", "drawn P10", "drawn P50",
                                                              "drawn P90", "note"),
                              [(r["field"], r["distribution"], *r["drawn"].values(), r["note"]) for r in inputs]))
        rows = [(b["community"], "—" if b["p10"] is None else b["p10"], "—" if b["p90"] is None else b["p90"],
                 "—" if b["explained"] is None else f"{b['explained']:.0%}",
                 "; ".join(f"{d['input']} ρ = {d['rank_correlation']:+.2f}" if d["rank_correlation"] is not None
                           else f"{d['input']} (constant)" for d in b["drivers"]))
                for b in driver_rows(sim)]
        out.append(html.Table(
            t("band_drivers", "en"), ("community", "election month P10", "P90", "explained by the inputs",
                                      "rank correlation with each input, strongest first"), rows,
            note="Spearman's rank correlation over the replications of each drawn input with the election month "
                 "(+: a higher value, a later election). 'Explained' is the share of the spread in the election "
                 "month's ranks that a regression on all inputs' ranks accounts for; the rest is the model's own "
                 "randomness."))
    return out


def build_report(result: RunResult, out: Path) -> html.Report:
    """The report's sections, in the order a meeting reads them: status, headlines, communities,
    charts, facilities, budget, compliance, rules in force."""
    s, plan, sim = result.scenario, result.plan, result.simulation
    rep = html.Report(
        title=s.name,
        subtitle=(f"{s.purpose}. Regime {result.rules.regime.label}; start {s.start}, {s.horizon_months} months; "
                  f"{len(sim.completed)} of {sim.replications} replications, seed {sim.seed}."))
    rep.notices.append(f"Community split: {plan.status.value}. " + " ".join(plan.explanation))
    for f in sim.failures:
        rep.notices.append(f"Replication {f.replication} failed: {f.message}")
    rep.notices.extend(facility_view.notices(result.facilities))
    rep.notices.extend(facility_view.cap_notices(result.cap))
    rep.notices.extend(result.notices)

    head = run_headline(result)
    rep.sections.append(html.Table("Headline figures", ("figure", "value"),
                                   [(t(k, "en"), "—" if v is None else v) for k, v in head.items()]))
    rows = []
    for c in plan.communities:
        e = sim.election(c.id)
        when = "—" if e["p50"] is None else f"{e['p50']} ({e['p10']}–{e['p90'] if e['p90'] is not None else 'after'})"
        rows.append((c.id, len(c.buildings), c.households, c.office_building, int(c.staff.value),
                     int(c.committee_members.value), int(c.resident_groups.value), int(c.grids.value),
                     round(c.office_area_m2.value), "—" if c.office_shortfall_m2 is None else round(c.office_planned_m2),
                     "—" if c.office_shortfall_m2 is None else round(c.office_shortfall_m2), when))
    rep.sections.append(html.Table(
        "Communities", ("community", "buildings", "households", "office in", "full-time staff", "committee members",
                        "resident groups", "grids", "office space required m²", "planned m²", "short m²",
                        "election month P50 (P10–P90)"), rows,
        note="Staff, groups, grids and space at full occupancy, each from the rule named in plan.json; election "
             "months counted from the start month."))
    rep.sections += uncertainty_sections(result)
    rep.sections += [html.Figure("Occupancy and the committee election", out / "occupancy.png"),
                     html.Figure("Service demand (P10–P90 band, P50 line)", out / "demand.png"),
                     html.Figure("Communities and offices", out / "site_map.png")]
    cols, frows = facility_view.table_rows(result.facilities)
    rep.sections.append(html.Table("Facilities and opening months", cols, frows))
    rep.sections.append(html.Figure("Budget by year", out / "budget.png"))
    by_payer = budget_by(result, "payer")
    payers = sorted({p for v in by_payer.values() for p in v})
    rep.sections.append(html.Table("Budget by year and payer (CNY)", ("year", *payers, "total"),
                                   [(y, *(round(v.get(p, 0.0)) for p in payers), round(sum(v.values())))
                                    for y, v in by_payer.items()], note=" ".join(f"{n}." for n in result.budget.notes)))
    rep.sections.append(html.Table("Who pays what, and why (each item's payer and the rule naming it)",
                                   ("item", "payer", "share", "payer rule", "amount rules"), payer_rows(result)))
    rep.sections.append(html.Table(
        "Compliance" + (" (audit of the built estate)" if result.audit is not None else ""),
        ("rule", "citation", "entity", "required", "provided", "passed", "shortfall"), compliance_rows(result)))
    rep.sections.append(html.Table("Rules in force", ("role", "rule", "value", "citation", "note"),
                                   [tuple(r[k] for k in ("role", "rule", "value", "citation", "note")) for r in rules_table(s)]))
    return rep
