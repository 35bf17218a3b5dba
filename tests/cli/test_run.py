"""`estate run`: every file written, the report self-contained, the figures consistent across files."""

import csv
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from estate.cli import main
from estate.run_outputs import FILES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "small"
    assert main(["run", str(ROOT / "scenarios/small-2400.toml"), "--out", str(out), "--replications", "6",
                 "--workers", "1", "--quiet"]) == 0
    return out


def test_every_file_is_written(run_dir):
    for name in FILES:
        assert (run_dir / name).stat().st_size > 0, name


def test_the_report_is_self_contained_in_chinese_and_has_the_compliance_table(run_dir):
    page = (run_dir / "report.html").read_text(encoding="utf-8")      # --lang zh is the default
    assert not re.search(r"(src|href)=['\"]https?:", page)
    assert page.count("data:image/png;base64,") == 4      # occupancy, demand, site map, budget
    assert "<html lang='zh-CN'>" in page and "<h2>合规检查</h2>" in page
    # the relaxed plan's failed rule, in Chinese words (the rule's description_zh) with its citation
    assert "每个公租房社区的户数" in page and "C1 2,400 / 3,000–5,000 户（CQ-73 §一(一)）" in page


def test_a_language_other_than_zh_or_en_is_one_line(tmp_path, capsys):
    assert main(["run", str(ROOT / "scenarios/small-2400.toml"), "--out", str(tmp_path / "o"), "--lang", "fr"]) == 1
    assert capsys.readouterr().err.strip().splitlines() == ["--lang must be one of zh, en (got 'fr')"]
    assert not (tmp_path / "o").exists()


def test_the_plan_is_relaxed_and_says_why(run_dir):
    plan = json.loads((run_dir / "plan.json").read_text(encoding="utf-8"))
    assert plan["status"] == "relaxed" and len(plan["communities"]) == 1
    assert plan["communities"][0]["households"] == 2400


def test_facility_costs_reach_the_budget(run_dir):
    facilities = json.loads((run_dir / "facilities.json").read_text(encoding="utf-8"))
    capital = defaultdict(float)
    for s in facilities["services"]:
        for m in s["modules"]:
            capital[(int(m["opening"][:4]), f"facility_capital:{s['service']}")] += m["capital_cny"]
    assert capital, "the facility plan opened nothing"
    booked = defaultdict(float)
    with open(run_dir / "budget.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            booked[(int(row["year"]), row["item"])] += float(row["amount_cny"])
    for k, v in capital.items():
        assert booked[k] == pytest.approx(v, abs=1.0), k


def test_a_folder_holding_the_users_files_is_refused(tmp_path, capsys):
    (tmp_path / "budget.csv").write_text("my own budget")
    assert main(["run", str(ROOT / "scenarios/small-2400.toml"), "--out", str(tmp_path)]) == 1
    assert "already holds budget.csv" in capsys.readouterr().err
    assert (tmp_path / "budget.csv").read_text() == "my own budget"


def test_a_broken_scenario_is_one_line(tmp_path, capsys):
    bad = ROOT / "tests/scenarios/broken/negative-units.toml"
    assert main(["run", str(bad), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{bad}: buildings[1].units must be > 0 (got -40)"]
