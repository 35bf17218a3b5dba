"""Rules carry dates: documents' valid_from/valid_until inherited by their rules (or a rule's own), loaded
strictly; a scenario outside them is told which rules and dates, and still runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import scenarios
from scenarios.validity import notices
from standards import load_catalog, ruleset
from standards.errors import InputError
from standards.validity import out_of_date, scenario_span
from data_copy import edit as _edit

ROOT = Path(__file__).resolve().parents[2]


def test_documents_carry_their_dates_and_rules_inherit_them():
    c = load_catalog()
    gz = c.rules["GZ-3.grid_households"]
    # GZ-3 §八: in force from its issue (印发 2014-02-19), valid three years
    assert (gz.valid_from, gz.valid_until) == (dt.date(2014, 2, 19), dt.date(2017, 2, 18))
    assert "GZ-3 §八" in gz.validity
    assert c.rules["CQ-30.training_interval"].valid_from == dt.date(2013, 1, 30)
    assert (c.rules["CQ-73.fulltime_staff"].valid_from, c.rules["CQ-73.fulltime_staff"].valid_until) == (
        dt.date(2013, 1, 1), None)
    assert c.rules["SD-22.pay_floor"].valid_from == dt.date(2012, 1, 1)
    assert c.rules["money.average_wage_cq"].valid_from is None        # published figures carry no dates


def test_scenario_span_is_its_first_and_last_day():
    assert scenario_span(2027, 1, 120) == (dt.date(2027, 1, 1), dt.date(2036, 12, 31))
    assert scenario_span(2014, 11, 4) == (dt.date(2014, 11, 1), dt.date(2015, 2, 28))


def test_a_guangzhou_scenario_in_2027_is_told_gz3_expired_and_one_in_2015_is_not():
    rules = ruleset("guangzhou")
    (late,) = out_of_date(rules, *scenario_span(2027, 1, 120))
    assert "GZ-3.grid_households" in late.rules and "GZ-3.property_fee_subsidy" in late.rules
    assert "CQ-73.fulltime_staff" not in late.rules
    assert "valid 2014-02-19 to 2017-02-18" in late.line and "wholly after it expired" in late.line
    assert out_of_date(rules, *scenario_span(2015, 1, 24)) == ()
    (partly,) = out_of_date(rules, *scenario_span(2016, 1, 24))
    assert "partly after it expired" in partly.line


def test_a_scenario_before_the_documents_is_told_so():
    found = out_of_date(ruleset("chongqing"), *scenario_span(2012, 6, 12))
    lines = " ".join(n.line for n in found)
    assert "CQ-73.fulltime_staff" in lines and "CQ-30.training_interval" in lines
    assert "valid from 2013-01-30" in lines and "before it took effect" in lines


def test_the_example_scenarios_get_one_notice_for_the_borrowed_gz3_grid_rule():
    s = scenarios.load(ROOT / "scenarios" / "chongqing-20k.toml")
    (line,) = notices(s)
    assert line.startswith("Rule dates: GZ-3.grid_households: valid 2014-02-19 to 2017-02-18")
    early = s.model_copy(update={"start": "2015-01", "horizon_months": 24})
    assert notices(early) == ()


@pytest.mark.parametrize("old, new, message", [
    ("valid_until = 2017-02-18", 'valid_until = "2017-02-30"', "documents.toml: GZ-3.valid_until is not a calendar date"),
    ("valid_until = 2017-02-18", 'valid_until = "soon"', "documents.toml: GZ-3.valid_until must be a date like"),
    ("valid_until = 2017-02-18", "valid_until = 2013-02-18", "documents.toml: GZ-3: valid_until (2013-02-18) is before valid_from"),
    ('validity = "GZ-3 §八', 'valid = "GZ-3 §八', "documents.toml: GZ-3.valid is not a known field"),
])
def test_bad_document_dates_name_file_and_key(data: Path, old, new, message):
    _edit(data / "documents.toml", old, new)
    with pytest.raises(InputError) as info:
        load_catalog(data)
    assert any(message in m for m in info.value.messages), info.value.messages


def test_dates_need_their_source(data: Path):
    text = (data / "documents.toml").read_text(encoding="utf-8")
    start = text.index('validity = "GZ-3 §八')
    (data / "documents.toml").write_text(text[:start] + text[text.index("\n", start) + 1:], encoding="utf-8")
    with pytest.raises(InputError, match=r"GZ-3.validity is missing"):
        load_catalog(data)


def test_a_rule_may_carry_its_own_dates(data: Path):
    _edit(data / "rules" / "CQ-73.toml", 'clause = "§一(三)"\nquote = "原则上每200户',
          'clause = "§一(三)"\nvalid_until = "2020-06"\nquote = "原则上每200户')
    rule = load_catalog(data).rules["CQ-73.fulltime_staff"]
    assert (rule.valid_from, rule.valid_until) == (None, dt.date(2020, 6, 30))
    _edit(data / "rules" / "CQ-73.toml", 'valid_until = "2020-06"', 'valid_until = "June"')
    with pytest.raises(InputError, match=r"CQ-73.toml: fulltime_staff.valid_until must be a date like"):
        load_catalog(data)


@pytest.mark.parametrize("old, new, message", [
    ('parts = { city = 1.0 } }\nsource = "CQ-73"', 'parts = { city = 0.8 } }\nsource = "CQ-73"',
     "CQ-73.toml: payer_city_startup.value: parts must sum to 1 (got 0.8)"),
    ('value = { items = ["startup_subsidy"], parts', 'value = { items = "startup_subsidy", parts',
     "CQ-73.toml: payer_city_startup.value.items must be a non-empty list of budget items"),
    ('value = { items = ["startup_subsidy"], parts', 'value = { items = ["startup_subsidy", "startup_subsidy"], parts',
     "CQ-73.toml: payer_city_startup.value: items must not repeat"),
])
def test_payer_rules_load_strictly(data: Path, old, new, message):
    _edit(data / "rules" / "CQ-73.toml", old, new)
    with pytest.raises(InputError) as info:
        load_catalog(data)
    assert any(message in m for m in info.value.messages), info.value.messages
