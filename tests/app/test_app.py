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
