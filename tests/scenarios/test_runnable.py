"""`estate validate` says ok only for a file a run will not trip on: NaN and infinities refused
everywhere, every number bounded, every figure the run resolves resolved, the memory a run needs
stated, a rule overridden twice refused; every message names the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from estate.cli import main
from estate.validation import MEMORY_LIMIT_BYTES, check, memory_needed, runnable
from scenarios import load, rules_of
from standards.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "scenarios/small-2400.toml"
TEXT = SMALL.read_text(encoding="utf-8")


def _scenario(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _validate(capsys, path: Path) -> list[str]:
    code = main(["validate", str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == (1 if err else 0)
    return err


def _with_cost(line: str) -> str:
    return TEXT.replace("[costs]\n", f"[costs]\n{line}\n", 1)


@pytest.mark.parametrize("change, expected", [
    (("x = 60\n", "x = nan\n"), "buildings[1].x must be a finite number (got nan)"),
    (("y = 140\n", "y = -inf\n"), "buildings[3].y must be a finite number (got -inf)"),
    (("floor_area_m2 = 41000\n", "floor_area_m2 = inf\n"), "buildings[2].floor_area_m2 must be a finite number (got inf)"),
    (("floor_area_m2 = 41000\n", "floor_area_m2 = 1e300\n"), "buildings[2].floor_area_m2 must be ≤ 2000000 (got 1e+300)"),
    (("x = 60\n", "x = 1e12\n"), "buildings[1].x must be ≤ 10000000 (got 1000000000000.0)"),
    (("[costs]\n", "[costs]\nstaff_pay_cny_per_year = nan\n"), "costs.staff_pay_cny_per_year must be a finite number (got nan)"),
    (("[costs]\n", "[costs]\nstaff_pay_cny_per_year = -50000\n"), "costs.staff_pay_cny_per_year must be ≥ 0 (got -50000)"),
    (("[costs]\n", "[costs]\nbudget_cap_cny_per_year = inf\n"), "costs.budget_cap_cny_per_year must be a finite number (got inf)"),
    (("[costs]\n", "[costs]\nbudget_cap_cny_per_year = 1e15\n"), "costs.budget_cap_cny_per_year must be ≤ 1000000000000 (got 1000000000000000.0)"),
    (("[allocation]\n", "[allocation]\nlease_months = 0\n"), "allocation.lease_months must be ≥ 1 (got 0)"),
])
def test_bad_numbers_fail_validate_naming_the_file_and_field(tmp_path, capsys, change, expected):
    path = _scenario(tmp_path, TEXT.replace(*change, 1))
    assert _validate(capsys, path) == [f"{path}: {expected}"]


def test_nan_in_a_layout_file_fails_validate(tmp_path, capsys):
    (tmp_path / "l.csv").write_text("id,units,floor_area_m2,cluster,x,y,delivery_month\n"
                                    "A,400,30000,N,0,0,0\nB,400,30000,N,nan,50,0\n", encoding="utf-8")
    head = TEXT.split("[[buildings]]")[0]
    tail = "[allocation]" + TEXT.split("[allocation]", 1)[1]
    path = _scenario(tmp_path, head + '[layout]\nfile = "l.csv"\n\n' + tail)
    assert _validate(capsys, path) == [f"{path}: layout building B.x must be a finite number (got nan)"
                                       .replace("layout building B.x", f"{tmp_path / 'l.csv'}: line 3 (id B): x")
                                       .split(f"{path}: ", 1)[1]]


def test_a_layout_csv_ending_in_rows_of_commas_is_read(tmp_path, capsys):
    (tmp_path / "l.csv").write_text("id,units,floor_area_m2,cluster,x,y,delivery_month\n"
                                    "A,400,30000,N,0,0,0\nB,400,30000,N,60,50,0\n,,,,,,\n,,,,,,\n\n",
                                    encoding="utf-8")
    head = TEXT.split("[[buildings]]")[0]
    tail = "[allocation]" + TEXT.split("[allocation]", 1)[1]
    path = _scenario(tmp_path, head + '[layout]\nfile = "l.csv"\n\n' + tail)
    assert _validate(capsys, path) == []
    assert [b.id for b in load(path).buildings] == ["A", "B"]


def test_eldercare_without_its_running_cost_fails_validate(tmp_path, capsys):
    text = "\n".join(line for line in TEXT.splitlines() if not line.startswith("eldercare_running_cny_per_bed_year"))
    path = _scenario(tmp_path, text + "\n")
    load(path)                 # a valid file as such …
    err = _validate(capsys, path)   # … that a run would trip on
    assert err == [f"{path}: costs.eldercare_running_cny_per_bed_year is required to plan eldercare: no published "
                   "figure is shipped for it; give the local figure in the scenario's [costs]"]


def test_a_rule_overridden_twice_is_an_error(tmp_path, capsys):
    override = ('\n[[overrides]]\nrule = "CQ-73.community_households"\nvalue = {{ min = {n} }}\n'
                'reason = "reason {n}"\n')
    path = _scenario(tmp_path, TEXT + override.format(n=2000) + override.format(n=2400))
    assert _validate(capsys, path) == [
        f"{path}: overrides[1].rule CQ-73.community_households is already overridden by overrides[0]; give one "
        "override per rule, with all the fields it changes and one reason"]


def test_an_override_to_nan_is_refused(tmp_path, capsys):
    path = _scenario(tmp_path, TEXT + '\n[[overrides]]\nrule = "CQ-73.community_households"\n'
                                      'value = { min = nan }\nreason = "r"\n')
    assert _validate(capsys, path) == [f"{path}: overrides[0].value min must be a finite number (got nan)"]


def test_an_override_making_pay_negative_is_refused(tmp_path, capsys):
    path = _scenario(tmp_path, TEXT + '\n[[overrides]]\nrule = "money.worker_pay_cq_entry"\n'
                                      'value = { value = -5 }\nreason = "r"\n')
    assert _validate(capsys, path) == [f"{path}: overrides[0].value.value must be ≥ 0 (got -5)"]


def test_a_money_figure_resolving_out_of_bounds_is_refused():
    s = load(SMALL)   # past the schema (model_copy does not validate): the resolution's own check
    bad = s.model_copy(update={"costs": s.costs.model_copy(update={"staff_pay_cny_per_year": -5.0,
                                                                    "fitout_cny_per_m2": 1.0})})
    assert check(bad, rules_of(s), "x.toml") == [
        "x.toml: costs.staff_pay_cny_per_year resolves to -5.0 (scenario); a sum of money must be finite, ≥ 0 "
        "and ≤ 1e+12 CNY"]


def test_a_run_that_would_not_fit_in_memory_is_refused_saying_how_much(tmp_path, capsys):
    text = (ROOT / "scenarios/chongqing-20k.toml").read_text(encoding="utf-8")
    text = text.replace('file = "layouts/', f'file = "{ROOT / "scenarios/layouts"}/')
    text = text.replace("horizon_months = 120", "horizon_months = 600").replace("replications = 100", "replications = 10000")
    path = _scenario(tmp_path, text)
    err = _validate(capsys, path)
    assert len(err) == 1 and err[0].startswith(f"{path}: buildings: a run would need about ")
    assert "the limit is 8 GiB" in err[0]


def test_a_200000_building_layout_needs_more_than_the_limit():
    s = load(SMALL)
    huge = s.model_copy(update={"buildings": list(s.buildings) * 40_000})
    assert memory_needed(huge, rules_of(s), metrics=50) > 500 * 2**30 > MEMORY_LIMIT_BYTES
    assert memory_needed(s, rules_of(s), metrics=50) < 100 * 2**20


def test_the_replications_flag_counts_in_the_estimate(tmp_path):
    long = _scenario(tmp_path, TEXT.replace("horizon_months = 60", "horizon_months = 600"))
    runnable(long)                                   # the scenario's 50 replications fit
    with pytest.raises(InputError, match="would need about 12 GiB"):
        runnable(long, replications=10_000)          # --replications 10000 would not


def test_every_example_is_runnable():
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        runnable(path)


@pytest.mark.slow
def test_a_huge_layout_fails_validate_saying_how_much_memory(tmp_path, capsys):
    # 50,000 buildings (the finding was 200,000, which asked for 596 GiB; this is quicker to read)
    rows = ["id,units,floor_area_m2,cluster,x,y,delivery_month"]
    rows += [f"B{i},20,1500,C{i // 100},{(i % 250) * 30},{(i // 250) * 30},0" for i in range(50_000)]
    (tmp_path / "l.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    head = TEXT.split("[[buildings]]")[0]
    tail = "[allocation]" + TEXT.split("[allocation]", 1)[1]
    path = _scenario(tmp_path, head + '[layout]\nfile = "l.csv"\n\n' + tail)
    err = _validate(capsys, path)
    assert len(err) == 1 and err[0].startswith(f"{path}: buildings: a run would need about 38 GiB of memory "
                                               "(50,000 buildings")
