"""SD-22 §一(三)'s social workers (at least one social-work professional per community): sized per
community into plan.json and paid in budget.csv under Shandong's rules; nothing under Chongqing's."""

from __future__ import annotations

import csv
import json
from collections import defaultdict

import pytest

from estate.cli import main
from estate.plan_outputs import write_budget, write_plan
from optimize import budget, plan_split, verify
from standards.ruleset import Override, ruleset
from tests.optimize.conftest import ROOT, load

# SD-22.pay_floor in 2036: 2035's average wage, money.average_wage_cq's latest (2024) grown at money.wage_growth_cq
FLOOR_PAY = 117_546.0 * 1.058 ** (2035 - 2024)
ITEMS = ("social_worker_pay", "social_worker_insurance", "social_worker_housing_fund")


def files(out):
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    rows: dict[tuple[int, str], dict[str, float]] = defaultdict(dict)
    with (out / "budget.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            rows[(int(r["year"]), r["item"])][r["payer"]] = float(r["amount_cny"])
    return plan, rows


def test_shandong_plans_and_pays_one_social_worker_per_community(tmp_path):
    assert main(["plan", str(ROOT / "scenarios/shandong-20k.toml"), "--out", str(tmp_path / "sd")]) == 0
    plan, rows = files(tmp_path / "sd")
    n = len(plan["communities"])
    assert [c["social_workers"] for c in plan["communities"]] == [1] * n
    assert all(c["rules"]["social_workers"] == "SD-22.social_workers" for c in plan["communities"])
    pay = rows[(2036, "social_worker_pay")]
    half = pytest.approx(n * FLOOR_PAY / 2, abs=0.01)            # SD-22.cost_sharing: city : county = 5 : 5
    assert pay == {"city": half, "county": half}
    assert sum(rows[(2036, "social_worker_insurance")].values()) == pytest.approx(n * FLOOR_PAY * 0.253, abs=0.05)
    assert sum(rows[(2036, "social_worker_housing_fund")].values()) == pytest.approx(n * FLOOR_PAY * 0.12, abs=0.05)


def test_chongqing_sets_no_social_worker_target(tmp_path):
    assert main(["plan", str(ROOT / "scenarios/chongqing-20k.toml"), "--out", str(tmp_path / "cq")]) == 0
    plan, rows = files(tmp_path / "cq")
    assert all(c["social_workers"] is None and "social_workers" not in c["rules"] for c in plan["communities"])
    assert not any(item in ITEMS for _, item in rows)


def test_an_override_of_the_target_reaches_plan_and_budget(tmp_path):
    s, _ = load("shandong-20k.toml")
    r = ruleset("shandong", [Override("SD-22.social_workers", {"min": 2}, "two per community locally")])
    p = plan_split(s, r)
    out = tmp_path / "two"
    out.mkdir()
    write_plan(p, verify(p, s, r), out / "plan.json")
    write_budget(budget(p, s, r), out / "budget.csv")
    plan, rows = files(out)
    assert [c["social_workers"] for c in plan["communities"]] == [2] * len(plan["communities"])
    assert sum(rows[(2036, "social_worker_pay")].values()) == pytest.approx(2 * len(p.communities) * FLOOR_PAY,
                                                                           abs=0.05)
