"""The answer a meeting asks for first, one per run: each community's election date, full-strength staff,
office space required against planned, capital and yearly running cost by payer, and every finding
(failed rules, months of unmet demand, what the budget cap leaves unpaid) with its citation.

``answer(result, label)`` builds the language-free view once; ``html_table``, ``lines``, ``finding_text``
and ``election_text`` put it into words in either language. The app's answer block, the comparison report and
the workbook read it, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from estate import format as fmt
from estate import tables as views
from estate.i18n import service, t, terms, value

if TYPE_CHECKING:
    from estate.pipeline import RunResult



@dataclass(frozen=True)
class Election:
    community: str
    households: int
    p10: str           # YYYY-MM, "—" where beyond the horizon
    p50: str
    p90: str
    elected: int       # replications that elected within the horizon
    replications: int


@dataclass(frozen=True)
class Finding:
    """One thing that fails: ``kind`` is "rule" (a compliance check), "cap" (unmet because of the budget
    cap, or a cap tier unpaid) or "unmet" (months of unmet demand for another reason)."""

    kind: str
    subject: str            # community id, service name or cap tier
    rule: str
    citation: str
    first: str = ""         # YYYY-MM (unmet runs) or first year (cap tiers)
    last: str = ""
    months: int = 0
    amount: float = 0.0     # shortfall in ``unit``
    unit: str = ""
    reason: str = ""        # UnmetReason value, or the check's required/provided text
    required: str = ""
    provided: str = ""
    cny: float = 0.0        # money short (cap tiers)


@dataclass(frozen=True)
class Answer:
    label: str
    status: str
    elections: tuple[Election, ...]
    staff_full: int
    office_required_m2: float
    office_planned_m2: float | None
    office_short_m2: float                              # summed over the communities short of space
    capital_by_payer: tuple[tuple[str, float], ...]     # over the horizon
    running_by_payer: tuple[tuple[str, float], ...]     # in ``running_year``
    running_year: int
    cap_cny_per_year: float | None
    findings: tuple[Finding, ...]
    checks_passed: int
    checks_failed: int



def _rule_citation(result: RunResult, rule_id: str) -> str:
    try:
        return str(result.rules.rule(rule_id).citation)
    except KeyError:
        return ""    # a scenario field (costs.budget_cap_cny_per_year, facilities.max_sites)


def findings(result: RunResult) -> tuple[Finding, ...]:
    """Failed rules first, then what the budget cap leaves unmet, then other months of unmet demand.
    Each unmet run is listed once (the cap's own explanation repeats the facility plan's lines)."""
    out = [Finding("rule", k["entity"], k["rule"], k["citation"], amount=k["shortfall"], required=k["required"],
                   provided=k["provided"]) for k in views.compliance(result) if k["passed"] is False]
    # not checked: no failure
    unmet: list[Finding] = []
    for svc in (result.facilities.services if result.facilities is not None else ()):
        for r in svc.unmet_runs():
            kind = "cap" if r.reason.value == "budget_cap" else "unmet"
            unmet.append(Finding(kind, svc.service, r.rule, _rule_citation(result, r.rule), r.first, r.last, r.months,
                                 r.max_shortfall, r.unit, r.reason.value))
    cap_tiers: dict[tuple[str, str], list] = {}
    if result.cap is not None:
        from scenarios.services import SERVICE_NAMES
        services = set(SERVICE_NAMES)
        for y in result.cap.years_over:
            for sf in y.shortfalls:
                if sf.tier not in services:      # facilities: their unmet runs above say it in months
                    cap_tiers.setdefault((sf.tier, sf.rule), []).append(sf)
    for (tier, rule), sfs in cap_tiers.items():
        out.append(Finding("cap", tier, rule, sfs[0].citation, str(sfs[0].year), str(sfs[-1].year), len(sfs),
                           max(x.shortfall_units for x in sfs), sfs[0].unit, "budget_cap",
                           cny=sum(x.shortfall_cny for x in sfs)))
    out += [f for f in unmet if f.kind == "cap"] + [f for f in unmet if f.kind == "unmet"]
    return tuple(out)


def answer(result: RunResult, label: str | None = None) -> Answer:
    """The answer view of one run, from the views of ``estate.tables`` (elections, budget, compliance)."""
    s, plan = result.scenario, result.plan
    elections = tuple(Election(e["community"], e["households"], e["p10_date"], e["p50_date"], e["p90_date"],
                               e["elected_replications"], e["replications"]) for e in views.elections(result))
    capital: dict[str, float] = {}
    running: dict[int, dict[str, float]] = {}
    for (year, item, payer), cny in views.budget_totals(result, ("year", "item", "payer")).items():
        if views.is_capital(item):
            capital[payer] = capital.get(payer, 0.0) + cny
        else:
            running.setdefault(year, {})
            running[year][payer] = running[year].get(payer, 0.0) + cny
    # the yearly running cost at its highest (the estate full, every facility open)
    year = max(running, key=lambda y: sum(running[y].values())) if running else s.start_year
    planned = sum(b.office_space_m2 for b in s.buildings) or None
    counts = views.check_counts(views.compliance(result))
    return Answer(label or s.name, plan.status.value, elections,
                  int(sum(c.staff.value for c in plan.communities)),
                  round(sum(c.office_area_m2.value for c in plan.communities), 1),
                  None if planned is None else round(planned, 1),
                  round(sum(c.office_shortfall_m2 or 0.0 for c in plan.communities), 1),
                  tuple(sorted(capital.items(), key=lambda kv: -kv[1])),
                  tuple(sorted(running.get(year, {}).items(), key=lambda kv: -kv[1])), year,
                  s.costs.budget_cap_cny_per_year, findings(result), counts["passed"], counts["failed"])


# ---- in words ------------------------------------------------------------------------------------------

def election_text(e: Election, lang: str) -> str:
    """"C1 2028-08（八成模拟在 2028-06 至 2028-10 之间）"."""
    if e.p50 == "—":
        return f"{e.community} " + t("no_election", lang)
    if e.p10 == e.p90:
        return f"{e.community} {e.p50}"
    hi = e.p90 if e.p90 != "—" else t("after_horizon", lang)
    return f"{e.community} {e.p50}" + (f"（八成模拟在 {e.p10} 至 {hi} 之间）" if lang == "zh"
                                        else f" (80% of runs {e.p10} to {hi})")


def _payers(parts: Sequence[tuple[str, float]], lang: str, year: int | None = None) -> str:
    """"1.20 亿元（区县财政 1.05 亿元；业主单位 1,500 万元）"; one payer: "1,500 万元（业主单位）"."""
    if not parts:
        return "—"
    total = fmt.money(sum(v for _, v in parts), lang)
    if len(parts) == 1:
        each = value("payer", parts[0][0], lang)
    else:
        each = ("；" if lang == "zh" else "; ").join(f"{value('payer', p, lang)} {fmt.money(v, lang)}" for p, v in parts)
    if year is not None:
        each = (f"{year} 年；" if lang == "zh" else f"{year}; ") + each
    return f"{total}（{each}）" if lang == "zh" else f"{total} ({each})"


def office_text(a: Answer, lang: str) -> str:
    """"✗ 需 6,344 ㎡ / 已规划 5,400 ㎡，缺 944 ㎡" (the shortfall summed over communities)."""
    m2 = "㎡" if lang == "zh" else "m²"
    sep = "，" if lang == "zh" else ", "
    req = f"{t('office_need', lang)} {fmt.num(round(a.office_required_m2))} {m2}"
    if a.office_planned_m2 is None:
        return req + sep + t("office_none_planned", lang)
    text = f"{req} / {t('office_plan', lang)} {fmt.num(round(a.office_planned_m2))} {m2}"
    if a.office_short_m2 < 0.05:
        return "✓ " + text
    return f"✗ {text}{sep}{t('short_by', lang)} {fmt.num(round(a.office_short_m2))} {m2}"


def _unit(unit: str, lang: str) -> str:
    try:
        return value("unit", unit, lang)
    except KeyError:
        return unit


def finding_text(f: Finding, lang: str, cap_cny: float | None = None) -> str:
    """One line in words, ending with its citation (a budget-cap finding names the cap's amount)."""
    cite = f.citation or t("scenario_setting", lang)
    zh = lang == "zh"
    if f.kind == "rule":
        return (f"{f.subject}：{rule_text(f.rule, lang)} 要求 {terms(f.required)}，实际 {terms(f.provided)}（{cite}）" if zh else
                f"{f.subject}: {rule_text(f.rule, lang)} requires {f.required}, has {f.provided} ({cite})")
    if f.kind == "cap" and f.unit and f.first.isdigit():       # a cap tier, by year
        span = f.first if f.first == f.last else f"{f.first}–{f.last}"
        return (f"预算上限：{span} 年 {value('tier', f.subject, lang)} 每年最多缺 {fmt.num(round(f.amount, 1))} "
                f"{_unit(f.unit, lang)}，合计缺 {fmt.money(f.cny, lang)}（{cite}）" if zh else
                f"Budget cap: {span} {value('tier', f.subject, lang)} up to {fmt.num(round(f.amount, 1))} {f.unit} "
                f"short a year, {fmt.money(f.cny, lang)} in all ({cite})")
    span = f.first if f.first == f.last else (f"{f.first} 至 {f.last}" if zh else f"{f.first} to {f.last}")
    if f.kind == "cap":      # the cap is a scenario field: name it by its amount, not its identifier
        cap = f"{t('budget_cap_line', lang)} {fmt.money(cap_cny, lang)}" if cap_cny else t("budget_cap_line", lang)
        return (f"{cap}：{service(f.subject, lang)} {span} 共 {f.months} 个月需求未满足，最多缺 "
                f"{fmt.num(round(f.amount, 1))} {_unit(f.unit, lang)}" if zh else
                f"{cap}: {service(f.subject, lang)} unmet for {f.months} month(s), {span}, up to "
                f"{fmt.num(round(f.amount, 1))} {f.unit} short")
    cite = f.citation or t("scenario_setting", lang)
    return (f"{service(f.subject, lang)}：{span} 共 {f.months} 个月需求未满足，最多缺 "
            f"{fmt.num(round(f.amount, 1))} {_unit(f.unit, lang)}——{value('reason', f.reason, lang)}（{cite}）" if zh else
            f"{service(f.subject, lang)}: {f.months} month(s) of unmet demand {span}, up to "
            f"{fmt.num(round(f.amount, 1))} {f.unit} short — {value('reason', f.reason, lang)} ({cite})")


def rule_text(rule_id: str, lang: str) -> str:
    """A rule in words, in the language (``estate.i18n.rule_text``); an id the catalogue does not know
    stays as it is."""
    from estate.i18n import rule_text as words
    from standards.errors import InputError
    try:
        return words(rule_id, lang)
    except (KeyError, InputError):
        return rule_id


def _short(reading: str) -> str:
    """An engine's reading without its worked arithmetic: "≥ 2,204.4 m² (0.006 × …)" → "≥ 2,204.4 m²"."""
    return reading.split(" (")[0]


def lines(a: Answer, lang: str) -> tuple[list[str], str]:
    """The answer's findings as short lines, failures first: one line per failed rule (its communities
    together, each with what it has against what the rule asks), one per budget-cap consequence and per
    other unmet run; and one grey line for demand before the first possible opening (schools open in
    September), "" when there is none."""
    zh = lang == "zh"
    out: list[str] = []
    by_rule: dict[str, list[Finding]] = {}
    for f in a.findings:
        if f.kind == "rule":
            by_rule.setdefault(f.rule, []).append(f)
    for rule, fs in by_rule.items():
        each = ("；" if zh else "; ").join(
            f"{f.subject} {terms(_short(f.provided), lang)} / {terms(_short(f.required), lang)}" for f in fs)
        out.append(f"{rule_text(rule, lang)}：{each}（{fs[0].citation}）" if zh else
                   f"{rule_text(rule, lang)}: {each} ({fs[0].citation})")
    out += [finding_text(f, lang, a.cap_cny_per_year) for f in a.findings
            if f.kind == "cap" or (f.kind == "unmet" and f.reason != "before_first_opening")]
    early = [f for f in a.findings if f.kind == "unmet" and f.reason == "before_first_opening"]
    minor = ""
    if early:
        parts = [f"{service(f.subject, lang)} {f.first if f.first == f.last else f'{f.first}–{f.last}'}"
                 f"（{fmt.num(round(f.amount, 1))} {_unit(f.unit, lang)}）" if zh else
                 f"{service(f.subject, lang)} {f.first if f.first == f.last else f'{f.first}–{f.last}'}"
                 f" ({fmt.num(round(f.amount, 1))} {f.unit})" for f in early]
        minor = (t("before_opening", lang) + ("；".join(parts) if zh else "; ".join(parts)))
    return out, minor


ANSWER_CSS = """
.answer{border-collapse:collapse;width:100%;font-size:14px;line-height:1.4;table-layout:fixed}
.answer th,.answer td{border:1px solid #d5dbe3;padding:4px 8px;text-align:left;vertical-align:top;
word-break:break-word}
.answer th{background:#eef2f6;font-weight:600}.answer .fail{color:#b3261e}.answer .pass{color:#1a7f37}
.answer ul{margin:0;padding-left:1.1em}.answer li{margin:0}.answer .minor{color:#55606d}
"""


def html_table(answers: Sequence[Answer], lang: str) -> str:
    """The answer block as one HTML table (the app draws it with Markdown, the printable report embeds
    it): one row per scenario, every failed rule and budget-cap finding spelled out in the last column,
    failures first; months of demand before the first possible opening in grey after them."""
    import html

    cols = [t("scenario", lang), t("election_dates", lang), t("staff_short", lang), t("office", lang),
            t("capital", lang), t("running", lang), t("findings", lang)]
    widths = (10, 14, 6, 11, 13, 11, 35)
    head = "".join(f"<col style='width:{w}%'>" for w in widths)
    th = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = []
    for a in answers:
        major, minor = lines(a, lang)
        items = "".join(f"<li class='fail'>✗ {html.escape(x)}</li>" for x in major)
        items += f"<li class='minor'>{html.escape(minor)}</li>" if minor else ""
        found = (f"<ul>{items}</ul>" if items else f"<span class='pass'>✓ {html.escape(t('findings_none', lang))}</span>")
        office = office_text(a, lang)
        cells = [f"<b>{html.escape(a.label)}</b><br>{html.escape(value('status', a.status, lang))}<br>"
                 f"{a.checks_passed} ✓ / <span class='{'fail' if a.checks_failed else 'pass'}'>{a.checks_failed} ✗</span>",
                 "<br>".join(html.escape(election_text(e, lang)) for e in a.elections),
                 fmt.num(a.staff_full),
                 f"<span class='{'fail' if office.startswith('✗') else 'pass' if office.startswith('✓') else ''}'>"
                 f"{html.escape(office)}</span>",
                 html.escape(_payers(a.capital_by_payer, lang)),
                 html.escape(_payers(a.running_by_payer, lang, a.running_year)),
                 found]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return (f"<style>{ANSWER_CSS}</style><table class='answer'><colgroup>{head}</colgroup>"
            f"<thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>")
