"""The answer view (estate.answers), the number formats (estate.format), the translations (estate.i18n),
the workbook and the printable comparison, on one small run with a budget cap that bites."""

import io
import re
from pathlib import Path

import pytest

from estate import answers, format as fmt, report, tables, workbook
from estate.compare import labels
from estate.i18n import _TEXT, service, t, term, value
from scenarios import load, rules_of
from scenarios.services import SERVICES
from standards import load_catalog

ROOT = Path(__file__).resolve().parents[2]


def test_money_dates_and_shares_read_as_a_meeting_reads_them():
    assert fmt.money(1_096_654_524) == "10.97 亿元"
    assert fmt.money(32_500_000) == "3,250 万元"
    assert fmt.money(45_000) == "4.5 万元"
    assert fmt.money(1_096_654_524, "en") == "CNY 1,096.7 m"
    assert fmt.month(16, 2027, 1) == "2028-05" and fmt.month(0, 2027, 7) == "2027-07" and fmt.month(6, 2027, 7) == "2028-01"
    assert fmt.month(None, 2027, 1) == "—"
    assert fmt.pct(0.3) == "30%" and fmt.pct(0.125) == "12.5%"
    assert fmt.wan(1_096_654_524) == 109665.5


def test_every_word_has_both_languages_and_a_missing_one_fails():
    for key, (zh, en) in _TEXT.items():
        assert zh and en, key
        assert t(key, "zh") == zh and t(key, "en") == en
    payers = {p for r in load_catalog().rules.values() if r.shape == "payers" for p, _ in r.value.parts}
    assert payers <= set(load_catalog().labels["terms"]), payers - set(load_catalog().labels["terms"])
    assert value("payer", "district") == "区县财政" and value("payer", "owner", "en") == "estate owner"
    for s in SERVICES:                         # labels come from the registry, not a list of our own
        assert service(s.name) == s.labels[0] and value("item", f"facility_capital:{s.name}", "en").startswith(s.labels[1])
    with pytest.raises(KeyError):
        value("payer", "atlantis")
    with pytest.raises(KeyError):
        value("item", "no_such_item")


def test_every_value_of_a_run_translates(capped):
    for row in tables.budget(capped):
        assert value("item", row["item"]) and value("payer", row["payer"])
        assert value("item", row["item"]) != row["item"]


@pytest.mark.parametrize("name", ["guangzhou-20k.toml", "shandong-20k.toml", "chongqing-20k.toml"])
def test_every_budget_item_payer_and_tier_of_each_regime_has_words(name):
    """Each regime's own items (GZ-3's street assistants, SD-22's social workers…) have words in both
    languages: the workbook and the app raised KeyError on shandong-20k's social_worker_housing_fund."""
    from optimize import budget, plan_split
    from optimize.regime_items import CAP_TIERS

    s = load(ROOT / "scenarios" / name)
    r = rules_of(s)
    costs = budget(plan_split(s, r), s, r)
    keys = {(kind, getattr(line, kind)) for line in costs.rows for kind in ("item", "payer")}
    keys |= {("tier", tier) for tier in CAP_TIERS}
    for kind, key in sorted(keys):
        zh, en = value(kind, key, "zh"), value(kind, key, "en")
        assert zh != key and not re.search(r"[A-Za-z]", zh) and not re.search(r"[a-z]_[a-z]", zh + en), (kind, key, zh, en)
    assert term("social_worker_housing_fund") == "社会工作专业人员住房公积金"


def test_the_answer_puts_failures_first_and_lists_each_cap_consequence_once(capped):
    a = answers.answer(capped, "small")
    kinds = [f.kind for f in a.findings]
    assert kinds[0] == "rule" and a.findings[0].rule == "CQ-73.community_households"   # 2,400 < 3,000 households
    assert kinds == sorted(kinds, key=["rule", "cap", "unmet"].index)
    cap = [f for f in a.findings if f.kind == "cap"]
    assert cap, "a cap of 8 million a year leaves something unpaid"
    assert len({(f.subject, f.first, f.last) for f in cap}) == len(cap)         # not listed twice
    major, minor = answers.lines(a, "zh")
    assert major[0].startswith("每个公租房社区的户数") and "C1 2,400 / 3,000–5,000 户" in major[0] and "CQ-73 §一(一)" in major[0]
    assert any(line.startswith("年度预算上限 800 万元：") for line in major), major
    assert a.capital_by_payer and {"district", "owner", "city"} <= {p for p, _ in a.capital_by_payer}
    assert all(e.p50 == "—" or re.fullmatch(r"\d{4}-\d{2}", e.p50) for e in a.elections)


def test_the_chinese_answer_has_no_identifiers_or_english_status_words(capped):
    page = answers.html_table([answers.answer(capped, "small")], "zh")
    text = re.sub(r"<[^>]+>", " ", page.split("</style>")[1])
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", text), re.findall(r"\b[a-z]+_[a-z_]+\b", text)
    for word in ("optimal", "relaxed", "district", "owner", "government", "quarterly", "households", "classes"):
        assert word not in text, word
    assert "区县财政" in text and "万元" in text and "须放宽规则" in text


def test_two_scenarios_with_one_name_get_distinct_labels():
    s = load(ROOT / "scenarios" / "small-2400.toml")
    assert labels([s, s]) == ("Small 2,400-flat estate", "Small 2,400-flat estate (2)")
    assert labels([s, s], [False, True]) == ("Small 2,400-flat estate", "Small 2,400-flat estate（已修改）")
    assert labels([s, s, s], [False, True, True], "en") == (
        "Small 2,400-flat estate", "Small 2,400-flat estate (edited)", "Small 2,400-flat estate (edited) (2)")


def test_workbook_holds_numbers_as_numbers(capped):
    from openpyxl import load_workbook

    a = answers.answer(capped, "small")
    wb = load_workbook(io.BytesIO(workbook.workbook([a], [capped], "zh")))
    assert wb.sheetnames == ["比较", "预算（按年和出资方）", "合规检查", "配套设施", "居委会选举"]
    budget = wb["预算（按年和出资方）"]
    assert [c.value for c in budget[1]] == ["情景", "年份", "项目", "出资方", "金额（万元）"]
    amounts = [row[4] for row in budget.iter_rows(min_row=2, values_only=True)]
    assert amounts and all(isinstance(x, (int, float)) for x in amounts)
    total = sum(r.amount_cny for r in capped.budget.rows) / 1e4
    assert sum(amounts) == pytest.approx(total, abs=0.01 * len(amounts))
    head = {r[0]: r[1] for r in wb["比较"].iter_rows(min_row=2, values_only=True)}
    assert head["社区数"] == 1 and isinstance(head["满住时专职人员（按划分）"], int)


def test_comparison_csv_has_numbers_not_decorated_text(capped):
    rows = tables.comparison_rows([answers.answer(capped, "small")], [capped], "zh")
    cells = [r["small"] for r in rows]
    assert not any(isinstance(c, str) and c.startswith("●") for c in cells)
    assert isinstance(next(r["small"] for r in rows if r["指标"].startswith("前十年预算")), float)


def test_printable_comparison_is_a4_and_follows_the_language(capped):
    a = answers.answer(capped, "small")
    zh, en = report.comparison([a], [capped], "zh"), report.comparison([a], [capped], "en")
    assert "@page{size:A4" in zh and "<html lang='zh-CN'>" in zh and "公租房小区规划情景比较报告" in zh
    assert "区县财政" in zh and "万元" in zh and "district" in en and "CNY" in en and "区县财政" not in en


def test_calendar_has_each_community_and_service_in_calendar_months(capped):
    from estate.calendar import events

    ev = events(capped, "zh")
    rows = {e.row for e in ev}
    assert {c.id for c in capped.plan.communities} <= rows
    assert all(re.fullmatch(r"\d{4}-\d{2}", e.start) and e.start <= e.end for e in ev)
    election = next(e for e in ev if e.kind == "election")
    p50 = capped.simulation.election(election.row)["p50"]
    assert election.start == fmt.month(p50, capped.scenario.start_year, capped.scenario.start_month)
    assert any(e.kind == "unmet_cap" for e in ev)             # the cap's months of unmet demand are on it
    assert any(e.kind == "opening" and e.row in {s.labels[0] for s in SERVICES} for e in ev)


def test_community_outlines_are_closed_hulls_around_their_buildings():
    from types import SimpleNamespace      # no run needed: a stand-in with the fields the view reads

    def b(i, x, y):
        return SimpleNamespace(id=i, x=x, y=y, units=100)
    scenario = SimpleNamespace(buildings=[b("a", 0, 0), b("b", 10, 0), b("c", 0, 10), b("d", 2, 2),
                                          b("e", 50, 50), b("f", 60, 50)])
    plan = SimpleNamespace(communities=[SimpleNamespace(id="C1", buildings=("a", "b", "c", "d"), office_building="a"),
                                        SimpleNamespace(id="C2", buildings=("e", "f"), office_building="e")])
    rows = tables.outlines(SimpleNamespace(scenario=scenario, plan=plan))
    assert {r["community"] for r in rows} == {"C1"}            # two buildings make no outline
    ring = [(r["x"], r["y"]) for r in sorted(rows, key=lambda r: r["order"])]
    assert ring[0] == ring[-1] and set(ring) == {(0, 0), (10, 0), (0, 10)}   # the inner building is inside


def test_engine_readings_are_put_in_chinese_whole_phrases_first():
    from estate.i18n import terms

    assert terms("communities are contiguous (adjacent buildings)") == "社区楼栋相邻连片"   # ends in ")"
    assert terms("≥ 2,204.4 m² (0.006 × 367,400 m² floor area)") == "≥ 2,204.4 ㎡ (0.006 × 367,400 ㎡ 建筑面积)"
    assert terms("3,000–5,000 households") == "3,000–5,000 户"
    assert terms("3,000–5,000 households", "en") == "3,000–5,000 households"
    assert terms("superhouseholds") == "superhouseholds"          # whole words only
