"""The Chinese forms of what the app tells a user: rule-date notices, why a split is relaxed, and the
validation one-liners (file and field kept, reason translated)."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from estate.i18n import notice_line, plan_explanation, rule_date_notices
from scenarios import load, rules_of
from scenarios.messages import in_language
from scenarios.validity import notices, out_of_date_rules
from standards import ruleset

ROOT = Path(__file__).resolve().parents[2]


def test_rule_date_notices_in_chinese_and_english():
    scenario = load(ROOT / "scenarios" / "guangzhou-20k.toml")
    rules = rules_of(scenario)
    found = out_of_date_rules(scenario, rules)
    assert found, "GZ-3 expired in 2017; the example runs later"
    result = SimpleNamespace(scenario=scenario, rules=rules, notices=notices(scenario, rules))
    assert rule_date_notices(result, "en") == result.notices
    zh = rule_date_notices(result, "zh")
    assert len(zh) == len(result.notices)
    gz = next(line for line in zh if "GZ-3.grid_households" in line)
    assert gz.startswith("规则时效：") and "有效期 2014-02-19 至 2017-02-18" in gz
    assert "自印发之日起施行，有效期3年" in gz and "全部在其失效之后" in gz and "signed" not in gz
    assert notice_line(found[0], "en") == result.notices[0]


def _result(households, status="relaxed"):
    plan = SimpleNamespace(status=SimpleNamespace(value=status), explanation=("the English lines",),
                           communities=[SimpleNamespace(id=f"C{i + 1}", households=h) for i, h in enumerate(households)])
    return SimpleNamespace(plan=plan, rules=ruleset("chongqing"))


def test_a_relaxed_split_explained_in_chinese():
    assert plan_explanation(_result([2400]), "en") == ("the English lines",)
    assert plan_explanation(_result([2400, 4000, 5200]), "zh") == (
        "C1：2,400 户，低于下限 3,000 户——每个公租房社区的户数；可根据小区组团状况适当扩大规模（CQ-73 §一(一)）",
        "C3：5,200 户，高于上限 5,000 户——每个公租房社区的户数；可根据小区组团状况适当扩大规模（CQ-73 §一(一)）")
    assert plan_explanation(_result([], "infeasible"), "zh")[0].startswith("未找到满足不可放宽规则的划分方案")
    # a plan that carries the optimizer's reasons in Chinese shows them
    with_reasons = _result([2400])
    with_reasons.plan.explanation_zh = ("C1：2,400 户，低于社区规模下限 3,000 户（CQ-73 §一(一)），差 600 户：…",)
    assert plan_explanation(with_reasons, "zh") == with_reasons.plan.explanation_zh
    assert plan_explanation(with_reasons, "en") == ("the English lines",)


@pytest.mark.parametrize("english, chinese", [
    ("scenarios/x.toml: buildings[12].units must be > 0 (got -40)", "scenarios/x.toml: buildings[12].units 须大于 0（实际为 -40）"),
    ("x.toml: allocation.acceptance is missing", "x.toml: allocation.acceptance 缺失"),
    ("x.toml: start must be a month written YYYY-MM (got '2027')", "x.toml: start 须为 YYYY-MM 格式的月份（实际为 '2027'）"),
    ("x.toml: is not valid TOML (Expected '=' at line 3)", "x.toml: 不是有效的 TOML 文件（Expected '=' at line 3）"),
    ("x.toml: buildings must have at least 1 item(s)", "x.toml: buildings 至少须有 1 项"),
])
def test_validation_lines_keep_file_and_field_and_translate_the_reason(english, chinese):
    assert in_language(english, "zh") == chinese
    assert in_language(english, "en") == english


def test_a_reason_without_a_chinese_form_is_left_as_written():
    line = "x.toml: overrides[0].reason says nothing"
    assert in_language(line, "zh") == line


@pytest.mark.parametrize("english, chinese", [
    ("among the buildings nearest its household-weighted centre that house the first 50% of its households "
     "(≤ 140 m from it)", "位于最靠近户数加权中心、容纳前50%住户的楼栋之中（距中心不超过 140 米）"),
    ("B016: 85 m, 53% of households nearer", "B016：距中心 85 米，更靠近中心的楼栋住户占 53%"),
    ("20–30 (2–3 for each of its 10 groups)", "20–30 （10 个居民小组，每组 2—3 名）"),
    ("the plan proposes 1,140.0 m²; office_area_m2 not given", "方案拟配 1,140.0 ㎡; 未给出办公用房面积"),
    ("office_building not given", "未给出办公用房所在楼栋"),
])
def test_the_verifiers_readings_in_chinese(english, chinese):
    from estate.i18n import terms
    assert terms(english, "zh") == chinese
    assert terms(english, "en") == english


def test_the_rules_table_of_every_example_reads_in_chinese():
    """The app's rules table (a data grid the browser scan cannot read): descriptions, values and the
    reasons for borrowed rules hold no Latin word but rule ids and document codes. An override's reason
    is the user's own words and is left out."""
    import re

    from estate.compare import rules_table
    from standards import load_catalog

    catalog = load_catalog()
    codes = re.compile("|".join(re.escape(c) for c in sorted(set(catalog.rules) | set(catalog.documents),
                                                              key=len, reverse=True)))
    found = {}
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        for row in rules_table(load(path), "zh"):
            texts = [row["description"], row["value"]] + ([] if row["note"].startswith("调整") else [row["note"]])
            words = re.findall(r"[A-Za-z][A-Za-z_]+", codes.sub(" ", " ".join(texts)))
            if words:
                found[f"{path.name} {row['rule']}"] = words
    assert not found, found
    row = next(r for r in rules_table(load(ROOT / "scenarios" / "guangzhou-20k.toml"), "zh")
               if r["role"] == "community_households")
    assert row["note"].startswith("GZ-3 未规定社区规模") and row["value"] == "3,000—5,000户"
