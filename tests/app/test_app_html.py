"""The app's HTML tables (``estate.app_html``): the headline table marks what differs from the first
scenario, and every text is escaped."""

from estate.app_html import headlines_html, rules_html
from estate.compare import Headlines


def test_the_headline_table_marks_figures_that_differ_from_the_first_scenario():
    heads = Headlines(("A <1>", "B"), (("flats", (20000, 2400)), ("communities", (5, 5))))
    page = headlines_html(heads, "zh")
    assert "<th>A &lt;1&gt;</th><th>B</th>" in page            # the names, escaped
    assert "<td>20,000</td><td class='differs'>● 2,400</td>" in page
    assert "<td>5</td><td>5</td>" in page                      # the same figure: not marked
    assert "住房套数" in page and "\n" not in page              # one line: Markdown reads no line as text


def test_the_rules_table_escapes_and_keeps_the_columns():
    rows = [{"rule": "CQ-73.x", "description": "a <b> & c\nd", "value": "1", "citation": "CQ-73 §1", "note": ""}]
    page = rules_html(rows, "en")
    assert "<td>a &lt;b&gt; &amp; c<br>d</td>" in page
    assert page.count("<th>") == 5 and "\n" not in page
