"""The app driven headless with Streamlit's AppTest: load two scenarios, change a parameter, see the
figures change; upload a broken file and see the message; an upload that keeps its original's name gets a
column of its own; a language switch keeps the picks, the upload and the edits; the answer block after a
run names the failed rules with their citations, money in 万元."""

from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from scenarios import load
from scenarios.writer import to_toml

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app_streamlit.py")


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


class _Cells(HTMLParser):
    """The rows of the HTML tables in a Markdown element, each a list of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _html_tables(at: AppTest) -> list[pd.DataFrame]:
    """The page's HTML tables (the headline tables are HTML, drawn with Markdown) as data frames."""
    frames = []
    for m in at.markdown:
        cells = _Cells()
        cells.feed(m.value)
        frames += [pd.DataFrame(rows[1:], columns=rows[0]) for rows in cells.tables if len(rows) > 1]
    return frames


def _table(at: AppTest, row_label: str):
    """The first table with ``row_label`` in its first column."""
    return next(d for d in _html_tables(at) if row_label in list(d.iloc[:, 0]))


def _headlines(at: AppTest):
    return next(d for d in _html_tables(at) if {"住房套数", "Flats"} & set(d.iloc[:, 0]))


def _open(at: AppTest, *tags: str) -> AppTest:
    """The edit panels of ``tags`` opened (a closed panel draws no controls)."""
    for tag in tags:
        at.session_state[f"opened:{tag}"] = True
    return at.run()


def _headline(at: AppTest, column: int, row_label: str):
    df = _table(at, row_label)
    labels = list(df.iloc[:, 0])
    return df.iloc[labels.index(row_label), column + 1]


def test_two_scenarios_side_by_side_in_chinese(app):
    assert app.title[0].value == "公租房小区规划：情景比较"
    df = _headlines(app)
    assert list(df.columns[1:]) == ["Chongqing 20k estate, Chongqing rules", "Chongqing 20k estate, Shandong rules"]
    assert _headline(app, 0, "住房套数") == "20,000"
    assert _headline(app, 0, "选举触发条件") == "规划居住人口的 30%（CQ-73 §一(二)）"
    assert _headline(app, 0, "交付月份（首—末）").startswith("2027-")     # calendar months, not counts
    assert not app.error


def test_switching_regime_changes_the_figures(app):
    app.multiselect(key="picks").set_value(["chongqing-20k.toml", "small-2400.toml"]).run()
    assert _headline(app, 1, "住房套数") == "● 2,400"
    before = _headline(app, 1, "选举触发条件")
    _open(app, "small-2400.toml")
    app.selectbox(key="regime:small-2400.toml").set_value("shandong").run()
    after = _headline(app, 1, "选举触发条件")
    assert "30%" in before and "50%" in after and after.startswith("● ")
    assert not app.exception


def test_english_switch_keeps_picks_upload_and_edits(app):
    app.multiselect(key="picks").set_value(["small-2400.toml"]).run()
    app.file_uploader(key="upload").upload("mine.toml", to_toml(load(ROOT / "scenarios/shandong-20k.toml")).encode(),
                                           "application/toml").run()
    _open(app, "small-2400.toml")
    app.number_input(key="reps:small-2400.toml").set_value(7).run()
    columns = list(_headlines(app).columns[1:])
    assert columns == ["Small 2,400-flat estate（已修改）", "Chongqing 20k estate, Shandong rules"]
    app.sidebar.radio(key="lang").set_value("en").run()
    assert app.title[0].value == "Public-rental estate planning: compare scenarios"
    df = _headlines(app)
    assert "Flats" in list(df.iloc[:, 0])
    assert list(df.columns[1:]) == ["Small 2,400-flat estate (edited)", "Chongqing 20k estate, Shandong rules"]
    assert app.multiselect(key="picks").value == ["small-2400.toml"]
    assert app.number_input(key="reps:small-2400.toml").value == 7
    assert _headline(app, 0, "Election trigger") == "30% of planned residents (CQ-73 §一(二))"


def test_an_upload_named_like_its_original_gets_its_own_column(app):
    """Before: both columns were keyed by the name, the table merged them and the downloads crashed."""
    original = load(ROOT / "scenarios/small-2400.toml")
    edited = original.model_copy(update={"replications": 9})
    app.multiselect(key="picks").set_value(["small-2400.toml"]).run()
    app.file_uploader(key="upload").upload("small-2400.toml", to_toml(edited).encode(), "application/toml").run()
    assert not app.exception, app.exception
    df = _headlines(app)
    assert list(df.columns[1:]) == ["Small 2,400-flat estate", "Small 2,400-flat estate (2)"]
    assert list(df.iloc[:, 1]) != [] and len(set(df.columns)) == 3


def test_threshold_override_needs_a_reason(app):
    _open(app, "chongqing-20k.toml")
    app.slider(key="share:chongqing-20k.toml").set_value(0.25).run()
    warning = app.warning[0].value
    assert "理由" in warning and "30%" in warning and "25% 未生效" in warning   # says it does not apply
    assert "30%" in _headline(app, 0, "选举触发条件")
    app.text_input(key="reason:chongqing-20k.toml").set_value("试点：提前选举").run()
    assert "25%" in _headline(app, 0, "选举触发条件")
    assert not app.warning


def test_out_of_range_edit_shows_a_message_not_a_traceback(app):
    _open(app, "shandong-20k.toml")
    app.number_input(key="allocation.waiting_pool:shandong-20k.toml").set_value(0).run()
    assert not app.exception


def _run_headline(at: AppTest, column: int, row_label: str):
    df = _table(at, "社区数")
    labels = list(df.iloc[:, 0])
    return df.iloc[labels.index(row_label), column + 1]


def test_run_compare_change_and_see_the_results_change():
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["scenarios"] = "small-2400.toml,chongqing-20k.toml"
    _open(at, "small-2400.toml", "chongqing-20k.toml")
    for tag in ("small-2400.toml", "chongqing-20k.toml"):
        at.number_input(key=f"reps:{tag}").set_value(8)
    at.run()
    assert at.info and "运行比较" in at.info[0].value          # nothing runs until asked
    at.button(key="run").click().run()
    assert not at.exception, at.exception
    assert _run_headline(at, 0, "社区数") == "1" and _run_headline(at, 1, "社区数") == "● 5"
    assert _run_headline(at, 0, "划分结果") == "须放宽规则"
    assert "亿元" in _run_headline(at, 1, "前十年预算")
    answer = next(m.value for m in at.markdown if "class='answer'" in m.value)
    # the failed rules are in the answer, in Chinese, with their citations; money in 万元 with payers
    assert "CQ-73 §一(一)" in answer and "C1 2,400 / 3,000–5,000 户" in answer      # has / asks
    assert "CQ-73 §三(九)" in answer and "✗ 需" in answer          # office space short, with the shortfall
    assert "万元" in answer and "区县财政" in answer and "业主单位" in answer
    before = _run_headline(at, 0, "各社区居委会选举月份 P50（P10–P90）")

    at.selectbox(key="regime:small-2400.toml").set_value("shandong").run()
    at.button(key="run").click().run()
    after = _run_headline(at, 0, "各社区居委会选举月份 P50（P10–P90）")
    assert not at.exception, at.exception
    month = lambda text: text.split()[1][:7]   # "C1 2027-09（…）" → "2027-09"
    assert month(after) > month(before)          # 50% occupancy comes later than 30% of planned residents
    assert len(at.get("download_button")) >= 5   # comparison CSV, and per scenario the tables zip and the report


def test_charts_are_built_once_per_run_and_language_and_the_other_language_ahead(monkeypatch):
    """A rerun that changes nothing, or switches the language, draws the charts from the cache; the
    other language's are built on a thread once the results are drawn. (Before: every chart was built
    again on every rerun, 1-2 s for two 20k scenarios.)"""
    import time
    from collections import Counter

    from estate import charts

    built: Counter = Counter()
    names = ("calendar_chart", "fan_chart", "demand_chart", "budget_chart", "site_chart")
    for name in names:
        def counting(result, lang, *args, _real=getattr(charts, name), _name=name):
            if result.scenario.replications == 5:       # this test's run only
                built[(_name, lang)] += 1
            return _real(result, lang, *args)
        monkeypatch.setattr(charts, name, counting)

    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["scenarios"] = "small-2400.toml"
    _open(at.run(), "small-2400.toml")
    at.number_input(key="reps:small-2400.toml").set_value(5)     # a run no other test draws
    at.run()
    at.button(key="run").click().run()
    assert not at.exception, at.exception
    deadline = time.monotonic() + 120
    while len(built) < 2 * len(names) and time.monotonic() < deadline:
        time.sleep(0.2)                                           # the English charts, drawn ahead
    assert set(built) == {(n, lang) for n in names for lang in ("zh", "en")}
    at.run()
    at.sidebar.radio(key="lang").set_value("en").run()
    assert any(h.value == "Results" for h in at.header)
    at.sidebar.radio(key="lang").set_value("zh").run()
    assert not at.exception, at.exception
    assert all(n == 1 for n in built.values()), built


def _charts(at: AppTest) -> int:
    return len(at.get("vega_lite_chart"))


def test_only_the_picked_section_is_sent_and_the_pick_survives_a_language_switch():
    """The results' sections behind a picker: the page sends the picked section's charts only (before:
    every chart and table on every rerun, ~10 charts for two scenarios); the pick is kept in the session
    and the link across a language switch, and a link can name it."""
    from estate.i18n import t

    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["scenarios"] = "small-2400.toml"
    _open(at.run(), "small-2400.toml")
    at.number_input(key="reps:small-2400.toml").set_value(6)     # a small run of this test's own
    at.run()
    assert _charts(at) == 0                                       # no run yet: no chart, no picker
    at.button(key="run").click().run()
    assert not at.exception, at.exception
    assert at.segmented_control(key="section").value == "calendar" and _charts(at) == 1
    assert [s.value for s in at.subheader if s.value.startswith("时间表")]
    assert not any(t("passed", "zh") in d.value.columns for d in at.dataframe)     # no compliance table
    at.segmented_control(key="section").set_value("compliance").run()
    assert _charts(at) == 0                                       # the compliance table, and no chart
    assert any(t("passed", "zh") in d.value.columns for d in at.dataframe)
    (table,) = [d.value for d in at.dataframe if t("passed", "zh") in d.value.columns]
    marks = list(table[t("passed", "zh")])
    (caption,) = [c.value for c in at.caption if "✓" in c.value and "✗" in c.value]
    assert f"{marks.count('✓')} ✓, {marks.count('✗')} ✗, {marks.count('—')} —" in caption    # tables.check_counts
    at.segmented_control(key="section").set_value("budget_chart").run()
    assert _charts(at) == 1 and at.query_params["section"] == "budget_chart"
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    assert at.segmented_control(key="section").value == "budget_chart" and _charts(at) == 1
    assert any(s.value == "Budget by year and payer" for s in at.subheader)


def test_a_link_names_the_section():
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["scenarios"] = "small-2400.toml"
    at.query_params["section"] = "site_map"
    _open(at.run(), "small-2400.toml")
    at.number_input(key="reps:small-2400.toml").set_value(6)
    at.run()
    at.button(key="run").click().run()
    assert at.segmented_control(key="section").value == "site_map" and _charts(at) == 1
    assert any(s.value == "楼栋分布" for s in at.subheader)


def test_the_section_title_is_shortened_for_the_picker():
    import app_streamlit
    assert app_streamlit._short("时间表：交付、筹备组") == "时间表"
    assert app_streamlit._short("入住进度与选举门槛（P10–P90 带）") == "入住进度与选举门槛"
    assert app_streamlit._short("Occupancy and the election threshold (P10–P90 band)") == \
        "Occupancy and the election threshold"
    assert app_streamlit._short("Budget by year and payer") == "Budget by year and payer"


def _prints_nothing_left(probe: str) -> None:
    """Run ``probe`` (a script printing a list of module names last) in a fresh Python: it must succeed and
    print an empty list."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout


def test_the_first_page_imports_no_engine():
    """The first page (before any run) loads none of the engines or writers, nor pandas (its tables are
    HTML): each costs the page its import time, and the pool's warm-up loads them afterwards (2 s after
    the page is sent)."""
    probe = ("import sys\nfrom streamlit.testing.v1 import AppTest\n"
             f"at = AppTest.from_file({APP!r}, default_timeout=60)\nat.run()\nassert not at.exception\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & "
             "{'matplotlib', 'pulp', 'numba', 'openpyxl', 'altair', 'highspy', 'mesa', 'pandas'}))")
    _prints_nothing_left(probe)


def test_a_closed_edit_panel_sends_no_controls_and_keeps_what_was_set(app):
    """The edit panels draw their controls only while open (before: ~20 widgets per scenario sent and
    drawn on every rerun, in closed expanders); what was set survives closing the panel and a language
    switch, and the scenario stays edited meanwhile."""
    assert not app.number_input and not app.slider and not app.selectbox      # first page: panels closed
    _open(app, "chongqing-20k.toml")
    assert app.number_input(key="reps:chongqing-20k.toml").value == 100 and len(app.slider) > 0
    app.number_input(key="reps:chongqing-20k.toml").set_value(30).run()
    app.session_state["opened:chongqing-20k.toml"] = False
    app.run()
    assert not app.number_input
    assert list(_headlines(app).columns)[1] == "Chongqing 20k estate, Chongqing rules（已修改）"
    app.sidebar.radio(key="lang").set_value("en").run()
    assert list(_headlines(app).columns)[1] == "Chongqing 20k estate, Chongqing rules (edited)"
    _open(app, "chongqing-20k.toml")
    assert app.number_input(key="reps:chongqing-20k.toml").value == 30
    assert not app.exception


def test_a_refused_override_is_said_under_a_closed_panel(app):
    _open(app, "chongqing-20k.toml")
    app.slider(key="share:chongqing-20k.toml").set_value(0.25).run()
    app.session_state["opened:chongqing-20k.toml"] = False
    app.run()
    assert not app.slider and "25% 未生效" in app.warning[0].value
    assert "30%" in _headline(app, 0, "选举触发条件")


def test_the_server_preloads_every_module_the_first_page_imports():
    """``estate.app_server`` imports the first page's modules while Streamlit starts: the page's script
    then imports none of the project's own (each one left out costs the first page its import time)."""
    probe = ("import sys\nfrom streamlit.testing.v1 import AppTest\nfrom estate import app_server\n"
             "app_server.preload()\nbefore = set(sys.modules)\n"
             f"at = AppTest.from_file({APP!r}, default_timeout=60)\nat.run()\nassert not at.exception\n"
             "print(sorted(m for m in set(sys.modules) - before\n"
             "             if m.split('.')[0] in ('estate', 'scenarios', 'standards')))")
    _prints_nothing_left(probe)


def test_an_edit_panel_at_its_values_hands_over_the_scenario_itself():
    """A panel whose controls show the scenario's own values validates nothing again (the first page
    drew two panels, each one validation); any value that differs is applied."""
    import app_streamlit
    from estate import editing

    s = load(ROOT / "scenarios/small-2400.toml")
    same = {"allocation.cadence": s.allocation.cadence, "replications": s.replications,
            **{e.key: editing.get(s, e.key) for e in editing.EDITABLE}}
    assert app_streamlit._apply(s, same) is s and app_streamlit._apply(s, same, regime=s.regime) is s
    more = app_streamlit._apply(s, {**same, "replications": s.replications + 1})
    assert more is not s and more.replications == s.replications + 1
    assert app_streamlit._apply(s, same, regime="shandong").regime == "shandong"
    assert app_streamlit._apply(s, same, election=(0.25, "pilot")) is not s


def test_the_rules_are_drawn_once_opened_and_stay_open_across_a_language_switch(app):
    rules = lambda at: [m.value for m in at.markdown if "class='rules'" in m.value]   # noqa: E731
    assert rules(app) == []                                       # the first page: closed, nothing sent
    app.session_state["opened:rules"] = True
    app.run()
    assert len(rules(app)) == 2 and "CQ-73 §一(二)" in rules(app)[0]
    app.sidebar.radio(key="lang").set_value("en").run()
    assert len(rules(app)) == 2 and "What it says" in rules(app)[0]
