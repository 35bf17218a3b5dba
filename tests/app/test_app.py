"""The app driven headless with Streamlit's AppTest: load two scenarios, change a parameter, see the
figures change; upload a broken file and see the message."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app_streamlit.py")


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def _headline(at: AppTest, column: int, row_label: str):
    df = at.dataframe[0].value
    labels = list(df.iloc[:, 0])
    return df.iloc[labels.index(row_label), column + 1]


def test_two_scenarios_side_by_side_in_chinese(app):
    assert app.title[0].value == "公租房小区规划：情景比较"
    df = app.dataframe[0].value
    assert list(df.columns[1:]) == ["Chongqing 20k estate, Chongqing rules", "Chongqing 20k estate, Shandong rules"]
    assert _headline(app, 0, "住房套数") == "20,000"
    assert not app.error


def test_switching_regime_changes_the_figures(app):
    app.multiselect[0].set_value(["chongqing-20k.toml", "small-2400.toml"]).run()
    assert _headline(app, 1, "住房套数") == "● 2,400"
    before = _headline(app, 1, "选举触发条件")
    app.selectbox(key="regime:small-2400.toml").set_value("shandong").run()
    after = _headline(app, 1, "选举触发条件")
    assert "30%" in before and "50%" in after and after.startswith("● ")
    assert not app.exception


def test_english_switch(app):
    app.sidebar.radio[0].set_value("en").run()
    assert app.title[0].value == "Public-rental estate planning: compare scenarios"
    assert "Flats" in list(app.dataframe[0].value.iloc[:, 0])


def test_threshold_override_needs_a_reason(app):
    app.slider(key="share:chongqing-20k.toml").set_value(0.25).run()
    assert app.warning and "理由" in app.warning[0].value
    assert _headline(app, 0, "选举触发条件").startswith("30%")
    app.text_input(key="reason:chongqing-20k.toml").set_value("试点：提前选举").run()
    assert _headline(app, 0, "选举触发条件").startswith("25%")


def test_out_of_range_edit_shows_a_message_not_a_traceback(app):
    app.number_input(key="allocation.waiting_pool:shandong-20k.toml").set_value(0).run()
    assert not app.exception


def _run_headline(at: AppTest, column: int, row_label: str):
    df = at.dataframe[1].value   # [0] is the layout headline table, [1] the run's
    labels = list(df.iloc[:, 0])
    return df.iloc[labels.index(row_label), column + 1]


def test_run_compare_change_and_see_the_results_change():
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["scenarios"] = "small-2400.toml,chongqing-20k.toml"
    at.run()
    for tag in ("small-2400.toml", "chongqing-20k.toml"):
        at.number_input(key=f"reps:{tag}").set_value(8)
    at.run()
    assert at.info and "运行比较" in at.info[0].value          # nothing runs until asked
    at.button(key="run").click().run()
    assert not at.exception, at.exception
    assert _run_headline(at, 0, "社区数") == "1" and _run_headline(at, 1, "社区数") == "● 5"
    assert _run_headline(at, 0, "划分结果") == "relaxed"
    assert any("CQ-73" in w.value and "3,000" in w.value for w in at.warning)   # the explanation, not a traceback
    before = _run_headline(at, 0, "各社区居委会选举月份 P50（P10–P90）")

    at.selectbox(key="regime:small-2400.toml").set_value("shandong").run()
    at.button(key="run").click().run()
    after = _run_headline(at, 0, "各社区居委会选举月份 P50（P10–P90）")
    assert not at.exception, at.exception
    month = lambda text: int(text.split()[1])  # "C1 9 (7–12)"
    assert month(after) > month(before)          # 50% occupancy comes later than 30% of planned residents
    assert len(at.get("download_button")) >= 4   # comparison CSV, and per scenario the tables zip and the report
