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


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return f'<td class="{"pass" if value else "fail"}">{"pass" if value else "FAIL"}</td>'
    if isinstance(value, (int, float)):
        text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
        return f'<td class="num">{text}</td>'
    return f"<td>{html.escape('' if value is None else str(value))}</td>"


def render(report: Report) -> str:
    """The report as one HTML document with no external references."""
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(report.title)}</title>",
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
        body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in section.rows)
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        if section.note:
            parts.append(f"<p class='note'>{html.escape(section.note)}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write(report: Report, path: Path) -> Path:
    path.write_text(render(report), encoding="utf-8")
    return path
