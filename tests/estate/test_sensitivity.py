"""Sensitivity from a sweep's rows: main effects on a grid, standardised regression on a sample, each on
rows whose answer is known; the tornado charts and the folder the app reads."""

import itertools
import json

import numpy as np
import pytest

from estate import sensitivity


def _grid_rows():
    # budget = 10·a + 1·b + 100 exactly; peak_staff does not vary; one failed row that must not count
    rows = [{"status": "ok", "a": a, "b": b, "budget_10y_cny": 10 * a + b + 100, "peak_staff": 7}
            for a, b in itertools.product((0.0, 1.0, 2.0), (0.0, 3.0))]
    return rows + [{"status": "failed", "a": 2.0, "b": 3.0, "budget_10y_cny": None, "peak_staff": None}]


def test_main_effects_on_a_grid_rank_the_input_that_moves_the_figure_most():
    effects = sensitivity.analyse(_grid_rows(), ["a", "b"], "grid")
    assert {e.figure for e in effects} == {"budget_10y_cny"}          # peak_staff does not vary: no tornado
    a, b = sorted(effects, key=lambda e: e.rank)
    assert (a.input, a.rank, b.input, b.rank) == ("a", 1, "b", 2)
    assert a.method == "main_effect" and a.n == 6
    assert (a.low_input, a.high_input) == (0.0, 2.0)
    assert a.figure_at_low == pytest.approx(101.5) and a.figure_at_high == pytest.approx(121.5)
    assert a.effect == pytest.approx(20) and b.effect == pytest.approx(3)
    assert a.baseline == pytest.approx(111.5) and a.src is None


def test_text_inputs_run_from_the_lowest_to_the_highest_mean():
    rows = [{"status": "ok", "regime": r, "peak_staff": s}
            for r, s in (("shandong", 10), ("chongqing", 20), ("guangzhou", 15))]
    (e,) = sensitivity.analyse(rows, ["regime"], "grid")
    assert (e.low_input, e.high_input, e.effect, e.swing) == ("shandong", "chongqing", 10, 10)


def test_standardised_regression_on_a_sample_recovers_a_linear_figure():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, size=(40, 2))
    rows = [{"status": "ok", "a": float(a), "b": float(b), "budget_10y_cny": float(3 * a - 0.5 * b)} for a, b in x]
    effects = sorted(sensitivity.analyse(rows, ["a", "b"], "sample"), key=lambda e: e.rank)
    a, b = effects
    assert (a.input, b.input) == ("a", "b") and a.method == "src"
    assert a.r2 == pytest.approx(1.0)
    assert a.effect == pytest.approx(3 * (x[:, 0].max() - x[:, 0].min()))
    assert b.effect == pytest.approx(-0.5 * (x[:, 1].max() - x[:, 1].min()))
    y = 3 * x[:, 0] - 0.5 * x[:, 1]
    assert a.src == pytest.approx(3 * x[:, 0].std() / y.std())
    assert abs(a.src) > abs(b.src)


def test_too_few_rows_for_a_regression_give_no_effects():
    rows = [{"status": "ok", "a": 0.1, "b": 0.2, "peak_staff": 1}, {"status": "ok", "a": 0.3, "b": 0.1, "peak_staff": 2}]
    assert sensitivity.analyse(rows, ["a", "b"], "sample") == []


def test_write_gives_the_table_and_a_tornado_per_varying_figure_and_load_reads_them(tmp_path):
    paths = sensitivity.write(_grid_rows(), ["a", "b"], "grid", tmp_path)
    assert [p.name for p in paths] == ["sensitivity.csv", "tornado_budget_10y_cny.png"]
    table = sensitivity.read_csv(tmp_path / "sensitivity.csv")
    assert list(table[0]) == list(sensitivity.COLUMNS)
    assert [(r["figure"], r["input"], r["rank"], float(r["effect"])) for r in table] == [
        ("budget_10y_cny", "a", "1", 20.0), ("budget_10y_cny", "b", "2", 3.0)]
    assert (tmp_path / "tornado_budget_10y_cny.png").read_bytes()[:4] == b"\x89PNG"
    # a Chinese chart for the app (English labels where no CJK font is installed)
    assert sensitivity.plot_tornado(sensitivity.analyse(_grid_rows(), ["a", "b"], "grid"), tmp_path / "zh.png",
                                    lang="zh").exists()


def test_load_reads_a_sweep_folder_for_the_app(tmp_path):
    from pathlib import Path

    from estate.cli import main
    from scenarios import load
    from scenarios.writer import to_toml

    root = Path(__file__).resolve().parents[2]
    tiny = tmp_path / "tiny.toml"
    tiny.write_text(to_toml(load(root / "scenarios" / "small-2400.toml").model_copy(
        update={"horizon_months": 24, "replications": 2})), encoding="utf-8")
    out = tmp_path / "sweep"
    assert main(["sweep", str(tiny), "--vary", "override.CQ-73.election_trigger.share=0.3,0.6", "--workers", "1",
                 "--quiet", "--out", str(out)]) == 0
    view = sensitivity.load(out)
    assert view.rows == {"ok": 2}
    assert view.definition["method"] == "grid" and len(view.definition["variants"]) == 2
    assert "election_p50_last" in view.tornadoes and view.tornadoes["election_p50_last"].exists()
    inputs = {r["input"] for r in view.sensitivity}
    assert inputs == {"override.CQ-73.election_trigger.share"}
    assert json.loads((out / "sweep.json").read_text(encoding="utf-8"))["generator"] == "estate sweep"


def test_load_refuses_a_folder_that_is_not_a_sweep(tmp_path):
    from standards.errors import InputError

    with pytest.raises(InputError, match="is not a sweep's folder"):
        sensitivity.load(tmp_path)
