"""A self-contained HTML report: headline figures, tables and PNG plots embedded as data URIs, so the
file can be mailed or archived on its own. Knows nothing of the engines: the pipeline hands it
sections of plain data."""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

_CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",system-ui,sans-serif;
max-width:1100px;margin:2em auto;padding:0 1em;color:#1d2733;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccd3db}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}th,td{border:1px solid #ccd3db;padding:.3em .6em;
text-align:left;vertical-align:top}th{background:#eef2f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#1a7f37;font-weight:600}.fail{color:#b3261e;font-weight:600}.note{color:#55606d;font-size:.9em}
img{max-width:100%;border:1px solid #e3e8ee;margin:.5em 0}.status{padding:.6em .8em;background:#fff6db;
border-left:4px solid #e0a800}
"""


@dataclass(frozen=True)
class Table:
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    note: str = ""


@dataclass(frozen=True)
class Figure:
    title: str
    png: Path


@dataclass
class Report:
    title: str
    subtitle: str = ""
    notices: list[str] = field(default_factory=list)
    sections: list[Table | Figure] = field(default_factory=list)
    lang: str = "en"      # the page's language: its lang attribute and the words for pass and fail


def _cell(value: Any, lang: str = "en") -> str:
    if isinstance(value, bool):
        from estate.i18n import t
        return f'<td class="{"pass" if value else "fail"}">{html.escape(t("pass_word" if value else "fail_word", lang))}</td>'
    if isinstance(value, str) and value in ("✓", "✗"):
        return f'<td class="{"pass" if value == "✓" else "fail"}">{value}</td>'
    if isinstance(value, (int, float)):
        text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
        return f'<td class="num">{text}</td>'
    return f"<td>{html.escape('—' if value is None else str(value))}</td>"


def render(report: Report) -> str:
    """The report as one HTML document with no external references."""
    parts = [f"<!doctype html><html lang='{'zh-CN' if report.lang == 'zh' else 'en'}'><head><meta charset='utf-8'>"
             f"<title>{html.escape(report.title)}</title>",
             f"<style>{_CSS}</style></head><body><h1>{html.escape(report.title)}</h1>"]
    if report.subtitle:
        parts.append(f"<p class='note'>{html.escape(report.subtitle)}</p>")
    parts += [f"<p class='status'>{html.escape(n)}</p>" for n in report.notices]
    for section in report.sections:
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        if isinstance(section, Figure):
            data = base64.b64encode(section.png.read_bytes()).decode("ascii")
            parts.append(f"<img alt='{html.escape(section.title)}' src='data:image/png;base64,{data}'>")
            continue
        head = "".join(f"<th>{html.escape(c)}</th>" for c in section.columns)
        body = "".join("<tr>" + "".join(_cell(v, report.lang) for v in row) + "</tr>" for row in section.rows)
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        if section.note:
            parts.append(f"<p class='note'>{html.escape(section.note)}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write(report: Report, path: Path) -> Path:
    path.write_text(render(report), encoding="utf-8")
    return path


PRINT_CSS = """
@page{size:A4;margin:14mm 12mm}
@media print{body{max-width:none;margin:0;padding:0}h2{break-after:avoid}tr,li{break-inside:avoid}
.noprint{display:none}}
body{font-size:11pt}table{width:100%}
"""


def comparison(answers: Sequence[Any], results: Sequence[Any], lang: str = "zh") -> str:
    """The printable comparison (A4, print CSS; a browser prints it to PDF): the answer block, then per
    scenario its failed rules and budget by payer and year, in the language chosen. Reads the views the
    app reads (``estate.answers``, ``estate.tables``)."""
    import datetime as dt

    from estate import answers as views
    from estate import format as fmt
    from estate import tables
    from estate.i18n import t, value

    zh = lang == "zh"
    title = t("print_title", lang)
    parts = [f"<!doctype html><html lang='{'zh-CN' if zh else 'en'}'><head><meta charset='utf-8'>"
             f"<title>{html.escape(title)}</title><style>{_CSS}{PRINT_CSS}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>",
             f"<p class='note'>{html.escape(t('print_made', lang))} {dt.date.today().isoformat()} · "
             f"{html.escape('、'.join(a.label for a in answers) if zh else ', '.join(a.label for a in answers))}</p>",
             f"<h2>{html.escape(t('answer', lang))}</h2>", views.html_table(answers, lang)]
    for a, r in zip(answers, results):
        parts.append(f"<h2>{html.escape(a.label)}</h2>")
        major, minor = views.lines(a, lang)
        if major or minor:
            parts.append("<ul>" + "".join(f"<li class='fail'>✗ {html.escape(x)}</li>" for x in major)
                         + (f"<li class='note'>{html.escape(minor)}</li>" if minor else "") + "</ul>")
        by = tables.budget_by(r, "payer")
        payers = sorted({p for v in by.values() for p in v})
        head = "".join(f"<th>{html.escape(h)}</th>" for h in
                       [t("year", lang), *(value("payer", p, lang) for p in payers), t("total", lang)])
        body = "".join("<tr>" + f"<td>{y}</td>" + "".join(
            f"<td class='num'>{html.escape(fmt.money(v[p], lang) if v.get(p) else '—')}</td>" for p in payers)
            + f"<td class='num'>{html.escape(fmt.money(sum(v.values()), lang))}</td></tr>" for y, v in sorted(by.items()))
        cap = (f"<p class='note'>{html.escape(t('budget_cap_line', lang))}："
               f"{html.escape(fmt.money(a.cap_cny_per_year, lang))}</p>") if a.cap_cny_per_year else ""
        parts.append(f"<h3>{html.escape(t('budget_chart', lang))}</h3>{cap}<table><thead><tr>{head}</tr></thead>"
                     f"<tbody>{body}</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts)
