"""Every rule, regime and value identifier in Chinese and English: the loader refuses a missing one with
one line naming the file, the entry and the field; the Chinese words hold no English."""

import re
from pathlib import Path

import pytest

from estate.i18n import RULE_PARTS, borrowed_reason, regime_label, rule_text, shape_label
from standards import load_catalog
from standards.describe import describe_rule, value_terms
from standards.errors import InputError
from standards.shapes import SHAPES, Ratio, RatioRange
from data_copy import edit as _edit


def _fails(data: Path, message: str) -> None:
    with pytest.raises(InputError) as info:
        load_catalog(data)
    hits = [m for m in info.value.messages if message in m]
    assert hits, info.value.messages
    assert all("\n" not in m for m in info.value.messages)


ZH_STAFF = 'description_zh = "原则上按居民户数配备社区专职工作人员"\n'


@pytest.mark.parametrize("file, old, new, message", [
    ("rules/CQ-73.toml", ZH_STAFF, "",
     "rules/CQ-73.toml: fulltime_staff.description_zh is missing (every rule is shown in Chinese and English)"),
    ("rules/CQ-73.toml", 'unit_zh = "名专职工作人员/户"\n', "",
     "rules/CQ-73.toml: fulltime_staff.unit_zh is missing"),
    ("rules/CQ-73.toml", 'reading_zh = "按下限理解：所需专职工作人员 = 户数 ÷ 200，向上取整。"\n', "",
     "rules/CQ-73.toml: fulltime_staff.reading_zh is missing (a rule with a reading gives it in Chinese too)"),
    ("rules/CQ-73.toml", 'reading = "Read as a minimum: required workers = ceil(households / 200)."\n', "",
     "rules/CQ-73.toml: fulltime_staff.reading_zh has no English reading beside it"),
    ("rules/CQ-73.toml", ZH_STAFF, 'description_zh = " "\n',
     "rules/CQ-73.toml: fulltime_staff.description_zh must be non-empty text"),
    ("defaults/money.toml", 'description_zh = "重庆市城镇非私营单位就业人员年平均工资"\n', "",
     "defaults/money.toml: average_wage_cq.description_zh is missing"),
    ("regimes.toml", 'label_zh = "山东（鲁办发〔2012〕22号）"\n', "",
     "regimes.toml: shandong.label_zh is missing (every regime is named in Chinese and English)"),
    ("regimes.toml", 'grid_households = "重庆的文件未规定网格规模', 'grid_size = "重庆的文件未规定网格规模',
     "regimes.toml: chongqing.borrowed_zh.grid_households is missing (the reason for borrowing it, in Chinese)"),
    ("labels.toml", 'hukou_resident = ["户籍在本社区且在本社区居住的居民", "residents with local hukou living in the community"]\n', "",
     "labels.toml: terms.hukou_resident is missing (used by CQ-73.first_election_voters"),
    ("labels.toml", 'mediation = ["人民调解", "mediation"]', 'mediation = ["人民调解"]',
     "labels.toml: terms.mediation must be [Chinese, English], two non-empty texts"),
    ("labels.toml", 'by_year = ["按年数值", "by year"]\n', "",
     "labels.toml: shapes.by_year is missing"),
    ("documents.toml", 'validity_zh = "落款日期2013-01-30；未规定有效期"\n', "",
     "documents.toml: CQ-30.validity_zh is missing (where the dates come from, in Chinese)"),
])
def test_a_missing_translation_is_one_line_naming_file_entry_and_field(data, file, old, new, message):
    _edit(data / file, old, new)
    _fails(data, message)


def test_the_shipped_data_has_every_text_in_both_languages():
    catalog = load_catalog()
    for rule in catalog.rules.values():
        assert rule.description_zh.strip() and rule.unit_zh.strip(), rule.id
        assert (rule.reading is None) == (rule.reading_zh is None), rule.id
        for term in value_terms(rule.value):
            zh, en = catalog.labels["terms"][term]
            assert zh.strip() and en.strip() and zh != en, term
    for regime in catalog.regimes.values():
        assert regime.label_zh and set(regime.borrowed_zh) == set(regime.borrowed), regime.name
    assert set(catalog.labels["shapes"]) == set(SHAPES)


# What may stand in Chinese text in Latin letters: rule ids, document codes, units, the percentile names.
def _allowed() -> re.Pattern:
    catalog = load_catalog()
    codes = sorted(set(catalog.rules) | set(catalog.documents), key=len, reverse=True)
    return re.compile("|".join(re.escape(c) for c in codes))


ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z_]*")
UNITS = {"m"}


def _english(text: str, allowed: re.Pattern) -> list[str]:
    rest = allowed.sub(" ", text)
    return [w for w in ASCII_WORD.findall(rest) if w not in UNITS]


def _zh_texts():
    catalog = load_catalog()
    for rule in catalog.rules.values():
        for part in RULE_PARTS:
            yield f"{rule.id}.{part}", rule_text(rule, "zh", part)
    for regime in catalog.regimes.values():
        yield f"{regime.name}.label", regime_label(regime, "zh")
        for role in regime.borrowed:
            yield f"{regime.name}.borrowed.{role}", borrowed_reason(regime, role, "zh")
    for shape in SHAPES:
        yield f"shape {shape}", shape_label(shape, "zh")


def test_chinese_rule_texts_hold_no_english_words():
    """Render every rule's description, reading, unit and value, every regime's name and borrowing
    reason in Chinese: no Latin word but rule ids, document codes and units."""
    allowed = _allowed()
    found = {where: words for where, text in _zh_texts() if (words := _english(text, allowed))}
    assert not found, found


def test_the_scan_finds_an_english_word_left_in_chinese_text():
    allowed = _allowed()
    assert _english("按 CQ-73.fulltime_staff 计算，不少于500 m", allowed) == []
    assert _english("按下限理解：required workers = 户数 ÷ 200", allowed) == ["required", "workers"]
    assert _english("每200户 households_nearer", allowed) == ["households_nearer"]


def test_rule_text_in_each_language():
    rule = load_catalog().rule("CQ-73.fulltime_staff")
    assert rule_text(rule, "zh") == "原则上按居民户数配备社区专职工作人员"
    assert rule_text("CQ-73.fulltime_staff", "en") == "Full-time community workers per households (in principle)"
    assert rule_text(rule, "zh", "value") == "每200户1名专职工作人员"
    assert rule_text(rule, "en", "value") == "workers: 1 per 200 households"
    assert rule_text(rule, "zh", "reading").startswith("按下限理解")
    assert rule_text("CQ-73.community_households", "zh", "reading") == ""
    assert rule_text("CQ-73.first_election_voters", "en", "value").startswith("residents with local hukou")
    assert rule_text("CQ-73.election_trigger", "zh", "value") == "达到规划居住人数的30%"
    assert rule_text("SD-22.committee_space_ratio", "zh", "value") == "每10—20户1㎡"
    assert rule_text("GZ-3.grid_households", "zh", "value") == "200户左右（按100—300户计）"
    with pytest.raises(KeyError):
        rule_text(rule, "zh", "quote")


def test_every_rule_reads_differently_in_each_language():
    for rule in load_catalog().rules.values():
        assert rule_text(rule, "zh") != rule_text(rule, "en"), rule.id
        if rule.reading:
            assert rule_text(rule, "zh", "reading") != rule_text(rule, "en", "reading"), rule.id


def test_a_regime_in_each_language():
    catalog = load_catalog()
    assert regime_label("shandong", "zh") == "山东（鲁办发〔2012〕22号）"
    assert regime_label(catalog.regimes["shandong"], "en").startswith("Shandong")
    gz = catalog.regimes["guangzhou"]
    assert borrowed_reason(gz, "community_households", "zh").startswith("GZ-3 未规定社区规模")
    assert borrowed_reason(gz, "community_households", "en").startswith("GZ-3 sets no community size")
    assert borrowed_reason(gz, "office_siting", "zh") == ""


def test_describe_rule_reads_units_into_english():
    """A ratio's "A per B" unit is read into its value, a period does not say its months twice, a list of
    parts or years takes its unit in brackets, and no rule's English value repeats "per" or a unit."""
    catalog = load_catalog()
    terms = catalog.labels["terms"]
    got = {rid: describe_rule(catalog.rule(rid), "en", terms) for rid in (
        "CQ-73.fulltime_staff", "SD-22.committee_space_ratio", "CQ-30.training_interval",
        "facilities.primary_class_size", "demography.persons_per_household_cq_prh", "SD-22.social_workers",
        "CQ-73.election_trigger", "CQ-73.office_floor_share")}
    assert got == {
        "CQ-73.fulltime_staff": "workers: 1 per 200 households",
        "SD-22.committee_space_ratio": "m²: 1 per 10–20 households",
        "CQ-30.training_interval": "every 12 months",
        "facilities.primary_class_size": "classes: 1 per 45 children aged 6-11",
        "demography.persons_per_household_cq_prh": "2.47 persons per household",
        "SD-22.social_workers": "≥ 1 persons per community",
        "CQ-73.election_trigger": "30% of planned residents",        # a share of a named basis says its unit
        "CQ-73.office_floor_share": "≥ 0.6% of gross floor area",
    }
    assert describe_rule(catalog.rule("money.average_wage_cq"), "en", terms).endswith(")")
    for rule in catalog.rules.values():
        text = describe_rule(rule, "en", terms)
        assert "months months" not in text and " per " + rule.unit.partition(" per ")[2] + " per " not in text, text
        if rule.unit.count(" per ") == 1 and isinstance(rule.value, (Ratio, RatioRange)):
            assert text.count(" per ") == 1, (rule.id, text)


def test_describe_rule_reads_units_into_chinese():
    catalog = load_catalog()
    terms = catalog.labels["terms"]
    got = {rid: describe_rule(catalog.rule(rid), "zh", terms) for rid in (
        "CQ-73.group_representatives", "facilities.primary_class_size", "money.housing_fund_rate",
        "CQ-73.office_floor_share", "CQ-73.payer_owner_office", "money.average_wage_cq")}
    assert got == {
        "CQ-73.group_representatives": "每居民小组2—3名居民代表",
        "facilities.primary_class_size": "每45名6—11岁儿童1班",
        "money.housing_fund_rate": "占工资比例 5%—12%",
        "CQ-73.office_floor_share": "不低于总建筑面积的0.6%",
        "CQ-73.payer_owner_office": "办公服务用房装修：业主单位 100%",
        "money.average_wage_cq": "2020年：93,816；2021年：101,670；2022年：107,008；2023年：113,653；2024年：117,546（元/年）",
    }
