"""The budget as `estate run` and `estate plan` write it: budget.csv's payers and bases, the paid staff
against the simulated staff in series.csv, SD-22's 5:5 only on its items, and the rule-date notices in
plan.json, report.html and the CLI's output. Everything is read back from the files."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest

import scenarios
from estate.cli import main
from estate.pipeline import run
from estate.run_outputs import write_run

ROOT = Path(__file__).resolve().parents[2]


def _run(name: str, out: Path, horizon: int = 48) -> Path:
    s = scenarios.load(ROOT / "scenarios" / name)
    s = s.model_copy(update={"horizon_months": horizon})     # short: the first years are what is checked
    write_run(run(s, scenarios.rules_of(s), replications=2, executor="serial"), out)
    return out


def _rows(out: Path) -> list[dict]:
    return list(csv.DictReader((out / "budget.csv").open(encoding="utf-8")))


@pytest.fixture(scope="module")
def chongqing(tmp_path_factory) -> Path:
    return _run("chongqing-20k.toml", tmp_path_factory.mktemp("cq"))


@pytest.fixture(scope="module")
def shandong(tmp_path_factory) -> Path:
    return _run("shandong-20k.toml", tmp_path_factory.mktemp("sd"))


def test_chongqing_budget_names_each_items_payer_and_the_rules_behind_it(chongqing):
    rows = _rows(chongqing)
    assert list(rows[0]) == ["year", "item", "payer", "amount_cny", "basis", "payer_basis"]
    payers = defaultdict(set)
    for r in rows:
        assert r["basis"] and r["payer_basis"], r
        payers[r["item"]].add((r["payer"], r["payer_basis"]))
    assert payers["office_fitout"] == {("owner", "CQ-73.payer_owner_office")}       # CQ-73 §三(九)
    assert payers["startup_subsidy"] == {("city", "CQ-73.payer_city_startup")}       # CQ-73 §三(十)
    for item in ("staff_pay", "employer_insurance", "housing_fund", "training", "operating_funds"):
        assert payers[item] == {("district", "CQ-73.payer_district")}, item
    facility = {p for item, ps in payers.items() if item.startswith("facility_") for p in ps}
    assert facility == {("district", "money.payer_unassigned")}
    assert "government" not in {r["payer"] for r in rows}


def test_chongqing_pays_the_simulated_staff_hired_three_months_ahead(chongqing):
    plan = json.loads((chongqing / "plan.json").read_text(encoding="utf-8"))
    full = {c["id"]: c["staff"] for c in plan["communities"]}
    staff = defaultdict(dict)
    for r in csv.DictReader((chongqing / "series.csv").open(encoding="utf-8")):
        if r["metric"] == "staff" and r["community"] in full:
            staff[r["community"]][int(r["month"])] = float(r["p50"])
    last = max(max(v) for v in staff.values())
    # 2027 is months 0–11: each month pays the staff month m + 3 needs, at most the community's full strength
    expected = sum(min(full[c], s[min(m + 3, last)]) for c, s in staff.items() for m in range(12)) / 12
    simulated_plus_lead = sum(s[min(m + 3, last)] for s in staff.values() for m in range(12)) / 12
    paid = plan["budget"]["worker_years"]["2027"]
    assert plan["budget"]["staffing"] == "simulated"
    assert paid == pytest.approx(expected, abs=1e-4)
    assert paid <= simulated_plus_lead + 1e-9
    assert paid < plan["budget"]["full_strength_worker_years"]["2027"]
    pay_2027 = sum(float(r["amount_cny"]) for r in _rows(chongqing) if r["item"] == "staff_pay" and r["year"] == "2027")
    assert pay_2027 == pytest.approx(paid * 53_200, abs=1.0)       # money.worker_pay_cq_entry in the first year
    assert any(r["year"] == "2027" and "simulation:staff.p50; money.hire_lead" in r["basis"]
               for r in _rows(chongqing) if r["item"] == "staff_pay")


def test_the_report_and_plan_json_say_which_rules_are_out_of_date(chongqing):
    plan = json.loads((chongqing / "plan.json").read_text(encoding="utf-8"))
    (notice,) = plan["rule_notices"]
    assert notice.startswith("Rule dates: GZ-3.grid_households: valid 2014-02-19 to 2017-02-18 (GZ-3 §八")
    assert "wholly after it expired" in notice
    report = (chongqing / "report.html").read_text(encoding="utf-8")      # in Chinese, the default
    assert "规则时效：GZ-3 §四(三) 有效期 2014-02-19 至 2017-02-18" in report and "全部在其失效之后" in report
    assert "出资方及其依据" in report and "<td>办公服务用房装修</td><td>业主单位</td><td>100%</td><td>CQ-73 §三(九)</td>" in report


def test_shandong_splits_5_5_only_the_items_sd22_lists(shandong):
    rows = _rows(shandong)
    split = defaultdict(dict)
    for r in rows:
        if r["payer_basis"] == "SD-22.cost_sharing":
            split[r["year"], r["item"]][r["payer"]] = float(r["amount_cny"])
    assert {item for _, item in split} == {"staff_pay", "employer_insurance", "housing_fund", "member_allowances",
                                           "operating_funds", "office_fitout", "social_worker_pay",
                                           "social_worker_insurance", "social_worker_housing_fund"}
    for key, parts in split.items():
        assert set(parts) == {"city", "county"} and parts["city"] == pytest.approx(parts["county"], abs=0.01), key
    facility = [r for r in rows if r["item"].startswith("facility_")]
    services = {r["item"].split(":")[1] for r in facility}
    assert services & {"primary", "kindergarten", "clinic", "eldercare"}, services
    assert all(r["payer_basis"] == "money.payer_unassigned" and r["payer"] == "district" for r in facility)
    planned = {s["service"] for s in json.loads((shandong / "facilities.json").read_text(encoding="utf-8"))["services"]
               if s["modules"]}
    assert planned == services


def test_estate_plan_pays_full_strength_and_says_so(tmp_path, capsys):
    out = tmp_path / "plan"
    assert main(["plan", str(ROOT / "scenarios/small-2400.toml"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "budget: Staff paid at full strength" in printed
    assert "Rule dates: GZ-3.grid_households: valid 2014-02-19 to 2017-02-18" in printed
    doc = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert doc["budget"]["staffing"] == "full_strength"
    assert doc["budget"]["worker_years"] == doc["budget"]["full_strength_worker_years"]
    assert doc["budget"]["notes"][0].startswith("Staff paid at full strength")


def test_estate_run_and_simulate_print_the_rule_date_notice(tmp_path, capsys):
    small = str(ROOT / "scenarios/small-2400.toml")
    assert main(["run", small, "--out", str(tmp_path / "r"), "--replications", "2", "--workers", "1", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "budget: Staff paid as simulated (p50), hired 3 months ahead" in printed
    assert "Rule dates: GZ-3.grid_households: valid 2014-02-19 to 2017-02-18" in printed
    assert main(["simulate", small, "--out", str(tmp_path / "s"), "--replications", "1", "--workers", "1",
                 "--quiet"]) == 0
    assert "Rule dates: GZ-3.grid_households" in capsys.readouterr().out
