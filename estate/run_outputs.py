"""The files of `estate run`: the simulation's and the optimizer's files side by side, the budget chart,
and ``report.html``, which embeds every plot and table so it can be mailed on its own, in Chinese (the
default) or English.

Files (formats in the README): summary.json, series.csv, occupancy.png, demand.png (simulation);
plan.json, site_map.png (split and sizing); facilities.json (facility plan); budget.csv, budget.png
(budget); report.html (all of it, with the compliance table). Every table of the report is a view of
``estate.tables``, put into words with ``estate.i18n`` and ``estate.format``.
"""

from __future__ import annotations

import json
from pathlib import Path

from estate import facility_view
from estate import format as fmt
from estate import report as html
from estate import tables as views
from estate.compare import display, rules_table, run_headline
from estate.i18n import service, t, terms, value
from estate.pipeline import RunResult
from estate.plan_outputs import write_budget, write_plan, write_site_map
from estate.plots import plot_budget, plot_demand, plot_occupancy
from estate.sim_outputs import write_series, write_summary
from standards.errors import InputError
from estate.uncertainty import band_words, driver_rows, observation_rows, uncertain_rows

FILES = ("summary.json", "series.csv", "occupancy.png", "demand.png", "plan.json", "site_map.png",
         "facilities.json", "budget.csv", "budget.png", "report.html")
LANGS = ("zh", "en")


def facilities_doc(result: RunResult) -> dict:
    """``facilities.json``: the facility plan (``estate.facility_view.to_dict``) and the budget cap's findings."""
    from optimize.budget_cap import to_dict as cap_dict
    return facility_view.to_dict(result.facilities) | {"budget_cap": cap_dict(result.cap)}


def write_run(result: RunResult, out: Path, lang: str = "zh") -> list[Path]:
    """Every file of the run into ``out`` (created; must be empty or hold only files of ours); the report
    and the plots in ``lang`` (the site map is the split's own, in English)."""
    paths = [write_summary(result.simulation, out / "summary.json", result.scenario),
             write_series(result.simulation, out / "series.csv"),
             plot_occupancy(result.simulation, out / "occupancy.png", scenario=result.scenario, lang=lang),
             plot_demand(result.simulation, out / "demand.png", lang)]
    write_plan(result.plan, result.checks, out / "plan.json", budget=result.budget, notices=result.notices)
    write_site_map(result.plan, result.scenario, out / "site_map.png")
    (out / "facilities.json").write_text(json.dumps(facilities_doc(result), ensure_ascii=False, indent=2) + "\n",
                                         encoding="utf-8")
    write_budget(result.budget, out / "budget.csv")
    plot_budget(result, out / "budget.png", lang)
    paths += [out / "plan.json", out / "site_map.png", out / "facilities.json", out / "budget.csv", out / "budget.png"]
    html.write(build_report(result, out, lang), out / "report.html")
    paths.append(out / "report.html")
    return paths


# ---- words for the report ----------------------------------------------------------------------------------

def _citation(result: RunResult, basis: str, lang: str) -> str:
    """A basis of a figure in words: in Chinese a rule id as its citation, a scenario field as "set by the
    scenario", a simulated figure as "simulated"; in English as it is."""
    if lang != "zh":
        return basis
    if basis.startswith("scenario:") or basis == "scenario":
        return t("scenario_setting", lang)
    if basis.startswith("simulation:"):
        return t("simulated_basis", lang)
    try:
        return str(result.rules.rule(basis).citation)
    except KeyError:
        from standards import load_catalog
        try:
            return str(load_catalog().rule(basis).citation)
        except (KeyError, InputError):
            return basis


def _bases(result: RunResult, text: str, lang: str) -> str:
    """The bases of a budget row ("CQ-73.fulltime_staff; facility_costs.x × facilities.y") in words: in
    Chinese each rule id as its citation and a scenario field as "set by the scenario"."""
    if lang != "zh":
        return text
    import re

    def one(part: str) -> str:
        part = re.sub(r"(?:scenario:|simulation:)?[A-Za-z][\w-]*\.[\w.{}]+",
                      lambda m: _field_or_rule(result, m.group(), lang), part)
        return terms(part.replace(" not given", "（未给出）"), lang)
    return "；".join(dict.fromkeys(one(b) for b in text.split("; ") if b))


def _field_or_rule(result: RunResult, name: str, lang: str) -> str:
    """A dotted name inside a basis: a rule id's citation, else a scenario field ("set by the scenario")."""
    cited = _citation(result, name, lang)
    return t("scenario_setting", lang) if cited == name else cited


def _unit(unit: str, lang: str) -> str:
    try:
        return value("unit", unit, lang)
    except KeyError:
        return unit


def _community(cid: str, lang: str) -> str:
    """A community id; the simulation's whole-estate column ("estate") in words."""
    from sim.ensemble import ESTATE
    return t("whole_estate", lang) if cid == ESTATE else cid


def _table(title: str, rows: views.Rows, note: str = "") -> html.Table:
    """A view's localised rows (one dict per row, its keys the headers) as a report table."""
    return html.Table(title, tuple(rows[0]) if rows else (), [tuple(r.values()) for r in rows], note=note)


def subtitle(result: RunResult, lang: str) -> str:
    s, sim = result.scenario, result.simulation
    if lang == "zh":
        return (f"{s.purpose}。规则体系：{result.rules.regime.label}；起始 {s.start}，共 {s.horizon_months} 个月；"
                f"完成 {len(sim.completed)}/{sim.replications} 次模拟，随机种子 {sim.seed}。")
    return (f"{s.purpose}. Regime {result.rules.regime.label}; start {s.start}, {s.horizon_months} months; "
            f"{len(sim.completed)} of {sim.replications} replications, seed {sim.seed}.")


def notices(result: RunResult, lang: str) -> list[str]:
    """The report's notices: the split's status with the optimizer's explanation (English: with the solver's
    own line; Chinese: its reasons in Chinese), every
    finding of the answer view (failed rules, budget-cap consequences, unmet demand) with its citation,
    failed replications and the rule-date notices."""
    from estate import answers

    plan, sim = result.plan, result.simulation
    if lang == "zh":
        why = "".join(f"{line}。" for line in plan.explanation_zh)
        out = [f"社区划分：{value('status', plan.status.value, lang)}。"
               + (t("plan_relaxed", lang) + (why + "详见" if why else "见") + "下方合规检查。"
                  if plan.status.value == "relaxed" else why)]
    else:
        out = [f"Community split: {plan.status.value}. " + " ".join(plan.explanation)]
    major, minor = answers.lines(answers.answer(result), lang)
    out += [f"✗ {x}" for x in major] + ([minor] if minor else [])
    out += [t("replication_failed", lang).format(n=f.replication) + ("" if lang == "zh" else f": {f.message}")
            for f in sim.failures]
    out += rule_date_lines(result, lang)
    if lang != "zh":
        out += list(result.facilities.notes) if result.facilities is not None else []
    return out


def rule_date_lines(result: RunResult, lang: str) -> list[str]:
    """The rule-date notices (``scenarios.validity``): in English as the CLI prints them; in Chinese each
    document's rules by their citations, their dates and the scenario's months."""
    if lang != "zh":
        return list(result.notices)
    from scenarios.validity import out_of_date_rules
    out = []
    for n in out_of_date_rules(result.scenario, result.rules):
        cites = "、".join(dict.fromkeys(_citation(result, r, lang) for r in n.rules))
        span = (f"自 {n.valid_from} 起有效" if n.valid_until is None else f"有效至 {n.valid_until}" if n.valid_from is None
                else f"有效期 {n.valid_from} 至 {n.valid_until}")
        before = n.valid_from is not None and n.first < n.valid_from
        whole = (n.last < n.valid_from) if before else (n.valid_until is not None and n.first > n.valid_until)
        when = f"{'全部' if whole else '部分'}在其{'生效之前' if before else '失效之后'}"
        out.append(f"规则时效：{cites} {span}；情景期间 {n.first:%Y-%m} 至 {n.last:%Y-%m}，{when}。"
                   "仍按原文适用，请核实该规定（或后续文件）是否仍然有效。")
    return out


def community_rows(result: RunResult, lang: str) -> views.Rows:
    """The communities view in words: figures at full occupancy and the election as calendar months."""
    from estate.answers import Election, election_text
    out = []
    for r in views.communities(result):
        e = Election(r["community"], r["households"], r["election_p10_date"], r["election_p50_date"],
                     r["election_p90_date"], 0, 0)
        short = "—" if r["office_shortfall_m2"] is None else round(r["office_shortfall_m2"])
        out.append({t("community", lang): r["community"], t("buildings", lang): r["buildings"],
                    t("households", lang): r["households"], t("office_in", lang): r["office_building"],
                    t("staff_short", lang): r["staff"], t("committee_members", lang): r["committee_members"],
                    t("resident_groups", lang): r["resident_groups"], t("grids", lang): r["grids"],
                    t("office_required_m2", lang): round(r["office_area_m2"]),
                    t("office_planned_m2", lang): "—" if r["office_planned_m2"] is None else round(r["office_planned_m2"]),
                    t("office_short_m2", lang): short,
                    t("election_dates", lang): election_text(e, lang).removeprefix(f"{r['community']} ")})
    return out


def facility_rows(result: RunResult, lang: str) -> views.Rows:
    return [{t("service", lang): service(r["service"], lang) if lang == "zh" else r["service"],
             t("size", lang): r["size"], t("unit", lang): _unit(r["unit"], lang), t("opens", lang): r["opening"],
             t("capital_short", lang): fmt.money(r["capital_cny"], lang),
             t("running_short", lang): fmt.money(r["running_cny_per_year"], lang),
             t("basis", lang): _citation(result, r["size_rule"], lang)} for r in views.facilities(result)]


def budget_rows(result: RunResult, lang: str) -> views.Rows:
    by = views.budget_by(result, "payer")
    names = sorted({p for v in by.values() for p in v})
    return [{t("year", lang): str(y), **{value("payer", p, lang): fmt.money(v[p], lang) if v.get(p) else "—" for p in names},
             t("total", lang): fmt.money(sum(v.values()), lang)} for y, v in by.items()]


def payer_rows(result: RunResult, lang: str) -> views.Rows:
    return [{t("item", lang): value("item", r["item"], lang), t("payer", lang): value("payer", r["payer"], lang),
             t("share", lang): fmt.pct(r["share"]), t("payer_rule", lang): _bases(result, r["payer_rule"], lang),
             t("amount_rules", lang): _bases(result, r["amount_rules"], lang)} for r in views.payers(result)]


def rules_rows(result: RunResult, lang: str) -> views.Rows:
    """The rules in force; in Chinese by what they say and their citation (ids and roles are English)."""
    rows = rules_table(result.scenario, lang)
    if lang == "zh":
        return [{t("description", lang): r["description"], t("value", lang): r["value"],
                 t("citation", lang): r["citation"], t("note", lang): r["note"]} for r in rows]
    return [{k: r[k] for k in ("role", "rule", "value", "citation", "note")} for r in rows]


def uncertainty_sections(result: RunResult, lang: str = "zh") -> list[html.Table]:
    """What P10/P50/P90 mean, the observations against the bands, the uncertain inputs and what drives
    each election band's width (``estate.uncertainty``)."""
    s, sim = result.scenario, result.simulation
    words = band_words(lang)
    out = [html.Table(t("band_words", lang), ("", t("description", lang)),
                      [(q.upper(), words[q]) for q in ("p10", "p50", "p90")])]
    obs = observation_rows(s, sim)
    zh = lang == "zh"
    if obs:
        out.append(html.Table(
            t("observed", lang), (t("date", lang), t("metric", lang), t("community", lang), t("observed_value", lang),
                                  "P10", "P50", "P90", t("inside_band", lang), t("source", lang)),
            [(r["date"], value("observed", r["metric"], lang), _community(r["community"], lang), r["observed"],
              r["p10"], r["p50"], r["p90"], "—" if r["inside"] is None else t("yes" if r["inside"] else "no", lang),
              r["source"]) for r in obs],
            note=t("observed_note", lang)))
    inputs = uncertain_rows(s, sim)
    if inputs:
        out.append(html.Table(t("uncertain_inputs", lang), (t("input", lang), t("distribution", lang), "P10", "P50", "P90"),
                              [(value("field", r["field"], lang), r["distribution"], *r["drawn"].values())
                               for r in inputs]))
        rows = [(_community(b["community"], lang), "—" if b["p10"] is None else b["p10"], "—" if b["p90"] is None else b["p90"],
                 "—" if b["explained"] is None else fmt.pct(b["explained"]),
                 ("；" if zh else "; ").join(
                     f"{value('field', d['input'], lang)} ρ = {d['rank_correlation']:+.2f}"
                     if d["rank_correlation"] is not None else f"{value('field', d['input'], lang)} ({t('constant', lang)})"
                     for d in b["drivers"]))
                for b in driver_rows(sim)]
        out.append(html.Table(
            t("band_drivers", lang), (t("community", lang), t("election_month_p10", lang), "P90",
                                      t("explained", lang), t("drivers", lang)), rows,
            note=t("drivers_note", lang)))
    return out


def build_report(result: RunResult, out: Path, lang: str = "zh") -> html.Report:
    """The report's sections, in the order a meeting reads them: status and findings, headlines,
    communities, charts, facilities, budget, compliance, rules in force; in ``lang``."""
    s = result.scenario
    rep = html.Report(title=s.name, subtitle=subtitle(result, lang), lang=lang)
    rep.notices.extend(notices(result, lang))
    head = run_headline(result, lang)
    rep.sections.append(html.Table(t("headlines", lang), (t("metric", lang), t("value", lang)),
                                   [(t(k, lang), display(k, v, lang)) for k, v in head.items()]))
    rep.sections.append(_table(t("communities_table", lang), community_rows(result, lang), note=t("communities_note", lang)))
    rep.sections += uncertainty_sections(result, lang)
    rep.sections += [html.Figure(t("occupancy_chart", lang), out / "occupancy.png"),
                     html.Figure(t("demand_chart", lang), out / "demand.png"),
                     html.Figure(t("site_map", lang), out / "site_map.png")]
    rep.sections.append(_table(t("facilities_table", lang), facility_rows(result, lang)))
    rep.sections.append(html.Figure(t("budget_chart", lang), out / "budget.png"))
    rep.sections.append(_table(t("budget_table", lang), budget_rows(result, lang),
                               note=" ".join(f"{n}." for n in result.budget.notes) if lang != "zh" else ""))
    rep.sections.append(_table(t("payers_table", lang), payer_rows(result, lang)))
    rep.sections.append(_table(t("compliance", lang) + (t("audit_suffix", lang) if result.audit is not None else ""),
                               views.compliance_view(result, lang)))
    rep.sections.append(_table(t("rules", lang), rules_rows(result, lang)))
    return rep
