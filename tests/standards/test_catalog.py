"""The standards data: every rule cited to a known document, every regime complete, the loader strict."""

import re
import shutil
from pathlib import Path

import pytest

from standards import ROLES, load_catalog, ruleset
from standards.errors import InputError
from data_copy import edit as _edit

SOURCES = Path(__file__).resolve().parents[3] / "shared" / "sources"
POLICY_FILES = {
    "CQ-73": "chongqing-2013-73-yufufa-public-rental-community-building.txt",
    "CQ-30": "chongqing-2013-30-yuminfa-public-rental-residents-committee.txt",
    "SD-22": "shandong-2012-22-luban-residents-committee-work.txt",
    "GZ-3": "guangzhou-2014-3-suifuban-affordable-housing-estate-management.txt",
    "CQ-0943": "chongqing-2023-reply-0943-public-rental-governance.txt",
}


def test_every_rule_cites_a_known_document_and_a_clause():
    catalog = load_catalog()
    assert len(catalog.rules) >= 60
    for rule in catalog.rules.values():
        assert rule.citation.source in catalog.documents, rule.id
        assert rule.citation.clause.strip(), rule.id
        assert rule.description.strip() and rule.unit.strip(), rule.id


def test_policy_rules_cite_a_clause_mark_and_their_own_document():
    catalog = load_catalog()
    for rule in catalog.rules.values():
        prefix = rule.id.split(".")[0]
        if prefix in POLICY_FILES:
            assert rule.citation.source == prefix, rule.id
            assert rule.citation.clause.startswith("§"), rule.id


def test_the_bibliography_lists_the_five_policy_documents():
    docs = load_catalog().documents
    assert {c for c, d in docs.items() if d.kind == "policy"} == set(POLICY_FILES)
    assert docs["CQ-73"].number == "渝府发〔2013〕73号"
    assert docs["SD-22"].number == "鲁办发〔2012〕22号"


def _normal(text: str) -> str:
    return re.sub(r"[\s，,。；;：:、（）()“”\"…]+", "", text).replace("—", "-").replace("－", "-")


@pytest.mark.skipif(not SOURCES.is_dir(), reason="shared/sources is not beside the project")
def test_quotes_are_found_in_the_source_text():
    """Each quoted phrase of a simplified-Chinese policy text appears in it (GZ-3's copy is in
    traditional characters, so only its figures are checked)."""
    for rule in load_catalog().rules.values():
        doc = rule.citation.source
        if doc not in POLICY_FILES or not rule.quote:
            continue
        source = (SOURCES / POLICY_FILES[doc]).read_text(encoding="utf-8")
        if doc == "GZ-3":
            for number in re.findall(r"\d+", rule.quote):
                assert number in source, (rule.id, number)
            continue
        for part in rule.quote.split("……"):
            assert _normal(part) in _normal(source), (rule.id, part)


def test_every_regime_fills_every_required_role_with_a_fitting_rule():
    catalog = load_catalog()
    assert set(catalog.regimes) == {"chongqing", "shandong", "guangzhou"}
    for name in catalog.regimes:
        rules = ruleset(name)
        for role, spec in ROLES.items():
            if spec.required:
                assert rules.role(role).shape in spec.shapes, (name, role)


def test_regimes_differ_where_the_documents_do():
    cq, sd = ruleset("chongqing"), ruleset("shandong")
    assert cq.role("election_trigger").value.share == 0.3
    assert cq.role("election_trigger").value.basis == "planned_residents"
    assert sd.role("election_trigger").value.share == 0.5
    assert sd.role("election_trigger").value.basis == "occupancy"
    assert sd.role("cost_sharing").value.as_dict() == {"city": 0.5, "county": 0.5}
    assert "staff_pay" in sd.role("cost_sharing").value.items
    assert cq.role("cost_sharing").value.as_dict() == {"district": 1.0}     # CQ-73 §三(十)
    assert not sd.has("supervisory_members")
    assert "fulltime_staff" in sd.regime.borrowed


def test_a_copy_of_the_shipped_data_loads(data: Path):
    assert len(load_catalog(data).rules) == len(load_catalog().rules)


@pytest.mark.parametrize("old, new, message", [
    ('source = "CQ-73"\nclause = "§一(三)"\nquote = "原则上每200户',
     'clause = "§一(三)"\nquote = "原则上每200户',
     "CQ-73.toml: fulltime_staff.source is missing (every rule needs a citation)"),
    ('source = "CQ-73"\nclause = "§一(三)"\nquote = "原则上每200户',
     'source = "CQ-99"\nclause = "§一(三)"\nquote = "原则上每200户',
     "CQ-73.toml: fulltime_staff.source 'CQ-99' is not a document"),
    ('value = { amount = 1, per = 200 }', 'value = { amount = 1, per = -200 }',
     "CQ-73.toml: fulltime_staff.value.per must be > 0 (got -200)"),
    ('value = { amount = 1, per = 200 }', 'value = { amount = 1, pre = 200 }',
     "CQ-73.toml: fulltime_staff.value.pre is not a field of this shape"),
    ('value = { min = 3000, max = 5000 }', 'value = { min = 5000, max = 3000 }',
     "CQ-73.toml: community_households.value: min must be ≤ max (got 5000 > 3000)"),
    ('unit = "workers per households"', 'unit = "workers per households"\nnote = "x"',
     "CQ-73.toml: fulltime_staff.note is not a rule field"),
    ('[fulltime_staff]', '[committee_members]', "CQ-73.toml: is not valid TOML"),
    ('shape = "ratio"\nunit = "workers', 'shape = "proportion"\nunit = "workers',
     "CQ-73.toml: fulltime_staff: shape must be one of"),
    ('value = { share = 0.30, basis = "planned_residents" }', 'value = { share = 0.30, basis = "households" }',
     "CQ-73.toml: election_trigger.value: basis must be one of planned_residents, occupancy"),
])
def test_the_loader_names_file_and_key(data: Path, old, new, message):
    _edit(data / "rules" / "CQ-73.toml", old, new)
    with pytest.raises(InputError) as info:
        load_catalog(data)
    assert any(message in m for m in info.value.messages), info.value.messages


def test_shares_must_sum_to_one(data: Path):
    _edit(data / "rules" / "SD-22.toml", "city = 0.5, county = 0.5", "city = 0.5, county = 0.4")
    with pytest.raises(InputError, match=r"SD-22.toml: cost_sharing.value: parts must sum to 1 \(got 0.9\)"):
        load_catalog(data)


def test_duplicate_rule_ids_across_files_fail(data: Path):
    shutil.copy(data / "rules" / "CQ-30.toml", data / "defaults" / "CQ-30.toml")
    with pytest.raises(InputError, match="rule id CQ-30.committee_members is defined twice"):
        load_catalog(data)


@pytest.mark.parametrize("old, new, message", [
    ('election_trigger = "SD-22.election_trigger"', 'election_trigger = "SD-22.election"',
     "shandong.roles.election_trigger: 'SD-22.election' is not a rule id"),
    ('election_trigger = "SD-22.election_trigger"', 'election_trigger = "SD-22.committee_members"',
     "shandong.roles.election_trigger: SD-22.committee_members is a range, the role needs threshold"),
    ('election_trigger = "SD-22.election_trigger"\n', '',
     "shandong.roles.election_trigger is missing"),
    ('fulltime_staff = "SD-22 §二(一)2', 'staff = "SD-22 §二(一)2',
     "shandong.roles.fulltime_staff uses CQ-73.fulltime_staff from outside the regime's documents"),
    ('[shandong.roles]\n', '[shandong.roles]\nmascot = "SD-22.pay_floor"\n',
     "shandong.roles.mascot is not a role"),
])
def test_regime_errors_name_regime_and_role(data: Path, old, new, message):
    _edit(data / "regimes.toml", old, new)
    with pytest.raises(InputError) as info:
        load_catalog(data)
    assert any(message in m for m in info.value.messages), info.value.messages


def test_unknown_regime_is_one_line():
    with pytest.raises(InputError) as info:
        ruleset("beijing")
    assert info.value.messages == [
        "scenario: regime must be one of chongqing, shandong, guangzhou (got 'beijing')"]
