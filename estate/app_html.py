"""The app's tables as HTML, drawn with Markdown like the answer block: the browser shows text at once,
where a data grid waits for its JavaScript chunk (loaded on first use, ~0.7 s on the 2-CPU machine) and
draws on a canvas; and the page needs no pandas (0.6 s to import) before its first results."""

from __future__ import annotations

import html
from typing import Sequence

from estate import compare as cmp
from estate.i18n import t

HEADLINES_CSS = """
.headlines{border-collapse:collapse;width:100%;font-size:14px;line-height:1.4}
.headlines th,.headlines td{border:1px solid #d5dbe3;padding:3px 8px;text-align:left;vertical-align:top}
.headlines th{background:#eef2f6;font-weight:600}.headlines td.differs{background:#fff8e1}
"""
RULES_CSS = """
.rules-box{max-height:420px;overflow:auto}table.rules{font-size:0.8rem;border-collapse:collapse}
table.rules th{position:sticky;top:0;background:#f0f2f6;text-align:left}
table.rules td,table.rules th{padding:2px 6px;vertical-align:top}
"""
RULE_COLUMNS = ("rule", "description", "value", "citation", "note")


def _one_line(css: str) -> str:
    """CSS on one line: Markdown would read an indented or blank line inside the HTML as text."""
    return " ".join(line.strip() for line in css.strip().splitlines())


def _text(v) -> str:
    """A cell's text, escaped, its line breaks kept (a blank line would end Markdown's HTML block)."""
    return html.escape(str(v)).replace("\n", "<br>")


def headlines_html(headlines: cmp.Headlines, lang: str) -> str:
    """The side-by-side headline table: one row per figure, one column per scenario, each figure that
    differs from the first scenario's marked ● (as the CSV and the tests read it)."""
    head = "".join(f"<th>{_text(c)}</th>" for c in (t("metric", lang), *headlines.names))
    body = []
    for k, values in headlines.rows:
        differs = headlines.differs(k)
        cells = "".join(f"<td class='differs'>● {_text(cmp.display(k, v, lang))}</td>" if d
                        else f"<td>{_text(cmp.display(k, v, lang))}</td>" for v, d in zip(values, differs))
        body.append(f"<tr><th>{_text(t(k, lang))}</th>{cells}</tr>")
    return (f"<style>{_one_line(HEADLINES_CSS)}</style><table class='headlines'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def rules_html(rows: Sequence[dict[str, str]], lang: str) -> str:
    """The rules in force (``estate.compare.rules_table``) as a scrolling HTML table."""
    head = "".join(f"<th>{_text(t(c, lang))}</th>" for c in RULE_COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{_text(r[c])}</td>" for c in RULE_COLUMNS) + "</tr>" for r in rows)
    return (f"<style>{_one_line(RULES_CSS)}</style><div class='rules-box'><table class='rules'>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")
