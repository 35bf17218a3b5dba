"""The comparison as one XLSX workbook (openpyxl): a sheet for the headline, the budget by year and payer,
compliance, facilities and elections, one row per scenario and item. Numbers are numbers (money in 万元,
areas in m²), units are in the headers, months are ``YYYY-MM`` text. Reads the same views as the app
(``estate.answers``, ``estate.tables``)."""

from __future__ import annotations

import io
from typing import Any, Sequence

from estate import tables
from estate.i18n import service, t, value


WIDTH_ROWS = 200      # rows read to size a column (a longer sheet's later cells do not widen it)


def _sheet(wb, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    ws = wb.create_sheet(title)
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    for i, h in enumerate(header, start=1):
        width = max([len(str(h))] + [len(str(r[i - 1])) for r in rows[:WIDTH_ROWS]]) + 2
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(60, width * (1.6 if any(
            ord(ch) > 0x2e80 for ch in str(h)) else 1.0))
    ws.freeze_panes = "A2"


def workbook(answers: Sequence, results: Sequence, lang: str = "zh") -> bytes:
    """The workbook's bytes. ``answers`` are ``estate.answers.answer`` views of ``results``, in order."""
    from openpyxl import Workbook

    zh = lang == "zh"
    wan = t("wan_cny", lang)
    wb = Workbook()
    wb.remove(wb.active)
    head = tables.comparison_rows(list(answers), list(results), lang)
    cols = list(head[0]) if head else [t("metric", lang)]
    _sheet(wb, t("sheet_headline", lang), cols, [[r[c] for c in cols] for r in head])

    rows = []
    for a, r in zip(answers, results):
        rows += [(a.label, y, value("item", item, lang), value("payer", payer, lang), round(cny / 1e4, 2))
                 for (y, item, payer), cny in tables.budget_totals(r, ("year", "item", "payer")).items()]
    _sheet(wb, t("sheet_budget", lang), (t("scenario", lang), t("year", lang), t("item", lang), t("payer", lang),
                                         f"{t('amount', lang)}（{wan}）" if zh else f"{t('amount', lang)} ({wan})"), rows)

    view = [(a.label, tables.compliance_view(r, lang)) for a, r in zip(answers, results)]
    cols = list(view[0][1][0]) if view and view[0][1] else []
    rows = [(label, *x.values()) for label, xs in view for x in xs]   # the app's compliance view, per scenario
    _sheet(wb, t("sheet_compliance", lang), (t("scenario", lang), *cols), rows)

    rows = []
    for a, r in zip(answers, results):
        rows += [(a.label, service(x["service"], lang), x["size"], value("unit", x["unit"], lang) if x["unit"] in
                  ("classes", "beds", "m²") else x["unit"], x["opening"], round(x["capital_cny"] / 1e4, 2),
                  round(x["running_cny_per_year"] / 1e4, 2), x["size_rule"]) for x in tables.facilities(r)]
    _sheet(wb, t("sheet_facilities", lang), (t("scenario", lang), t("service", lang), t("size", lang), t("unit", lang),
                                             t("opens", lang), f"{t('capital_short', lang)}（{wan}）" if zh else
                                             f"{t('capital_short', lang)} ({wan})",
                                             f"{t('running_short', lang)}（{wan}）" if zh else
                                             f"{t('running_short', lang)} ({wan})", t("rule", lang)), rows)

    rows = [(a.label, e.community, e.households, e.p10, e.p50, e.p90, e.elected, e.replications)
            for a in answers for e in a.elections]
    _sheet(wb, t("sheet_elections", lang), (t("scenario", lang), t("community", lang), t("households", lang),
                                            "P10", "P50", "P90", t("elected_runs", lang), t("replications", lang)), rows)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
