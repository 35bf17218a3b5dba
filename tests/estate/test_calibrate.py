"""Calibration on observations made by the simulator itself, from known values: it recovers them within
its intervals; it says when the observations cannot pin a field down; the command writes a
calibrated.toml that validates and never overwrites one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from estate.calibrate import calibrate, fit_fields, synthetic
from estate.cli import main
from scenarios import load, rules_of
from scenarios.schema import Building, Observation
from scenarios.writer import to_toml
from standards.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
TRUTH = {"allocation.acceptance": 0.6, "allocation.waiting_pool": 300}
DATES = ("2027-09", "2027-10", "2028-01", "2028-04", "2028-07")   # months 2, 3, 6, 9, 12


def estate():
    """Three towers of 200 flats delivered in months 0, 4 and 8; monthly rounds; a 12-month horizon. The
    first tower fills at the acceptance's pace (the pool is ample); the later ones, as the pool allows."""
    s = load(ROOT / "scenarios" / "small-2400.toml")
    buildings = [Building(id=f"T{i}", units=200, floor_area_m2=16000.0, cluster="A", x=60.0 * i, y=0.0,
                          delivery_month=4 * i) for i in range(3)]
    allocation = s.allocation.model_copy(update=dict(acceptance=0.85, waiting_pool=600, new_applicants_per_month=10,
                                                     round_share=1.0))
    return s.model_copy(update=dict(buildings=buildings, allocation=allocation, horizon_months=13))


def observed(seed: int):
    s = estate()
    rows = synthetic(s, rules_of(s), TRUTH, [(d, "households", "estate") for d in DATES], seed=seed)
    return s.model_copy(update={"observed": [Observation(**r) for r in rows]})


SEEDS = (1, 2, 3, 4)


@pytest.fixture(scope="module")
def fits():
    out = {}
    for seed in SEEDS:
        s = observed(seed)
        out[seed] = calibrate(s, rules_of(s), ["acceptance", "waiting_pool"], replications=10)
    return out


def test_each_fit_improves_the_loss_and_pins_both_fields_down(fits):
    for seed, cal in fits.items():
        assert cal.loss_after < cal.loss_before / 10, seed
        assert not cal.notes and not cal.underdetermined
        for f in cal.fields:
            assert f.identified, (seed, f)
            assert f.interval[0] <= f.value <= f.interval[1]
            assert f.interval[1] - f.interval[0] < 0.2 * (f.high - f.low), (seed, f)   # it says something


def test_the_known_values_lie_within_the_reported_intervals(fits):
    """The intervals are 95% ones and each observed history is one random run, so now and then a true value
    lies outside: over 4 histories × 2 fields at most one may (two or more misses: 1 chance in 20 or less
    if the intervals are honest; intervals too narrow miss far more often)."""
    misses = [(seed, f.path, f.value, f.interval) for seed, cal in fits.items() for f in cal.fields
              if not f.interval[0] <= TRUTH[f.path] <= f.interval[1]]
    assert len(misses) <= 1, misses
    for seed, cal in fits.items():        # and every estimate is near the truth
        values = cal.values()
        assert abs(values["allocation.acceptance"] - 0.6) < 0.1 and abs(values["allocation.waiting_pool"] - 300) < 30


def test_fewer_observations_than_fields_is_reported_as_under_determined():
    s = observed(1)
    s = s.model_copy(update={"observed": s.observed[:1]})
    cal = calibrate(s, rules_of(s), ["acceptance", "waiting_pool"], replications=8)
    assert cal.underdetermined
    assert any("under-determined: 1 observation(s) for 2 fields, 1 short" in n for n in cal.notes)


def test_a_field_the_observations_cannot_see_gets_its_whole_range():
    """The share of disabled persons does not move the households observed: its interval is its searched
    range, and it says so. (A field that moves them only a little, such as exits at 1–2% a year over a
    year, is not invisible: a fit may lean on it, and it is then reported with its interval.)"""
    s = observed(1)
    cal = calibrate(s, rules_of(s), ["acceptance", "disabled_share=0:0.2"], replications=8)
    disabled = cal.fields[1]
    assert not disabled.identified and disabled.interval == (0.0, 0.2)
    assert any("disabled_share: the observations do not pin it down" in n for n in cal.notes)


def test_fit_fields_reads_bounds_from_the_schema_and_rejects_unknown_fields():
    s = estate()
    acc, pool = fit_fields(s, rules_of(s), ["acceptance", "waiting_pool=0:5000"])
    assert (acc.path, acc.high, acc.start) == ("allocation.acceptance", 1, 0.85) and 0 < acc.low < 0.01
    assert (pool.low, pool.high, pool.integer) == (0, 5000, True)
    with pytest.raises(InputError, match="'cadence' is not a numeric allocation or household field"):
        fit_fields(s, rules_of(s), ["cadence"])
    with pytest.raises(InputError, match="LOW < HIGH"):
        fit_fields(s, rules_of(s), ["acceptance=0.9:1.5"])


def test_the_command_writes_a_valid_calibrated_toml_and_never_overwrites_it(tmp_path, capsys):
    src = tmp_path / "observed.toml"
    src.write_text(to_toml(observed(2)), encoding="utf-8")
    out = tmp_path / "out"
    args = ["calibrate", str(src), "--fit", "acceptance", "--out", str(out), "--workers", "1", "--quiet",
            "--replications", "8", "--as-distributions"]
    assert main(args) == 0
    doc = json.loads((out / "calibration.json").read_text(encoding="utf-8"))
    assert doc["fields"][0]["field"] == "allocation.acceptance" and doc["loss_after"] < doc["loss_before"]
    assert len(doc["observations"]) == 5 and set(doc["observations"][0]["after"]) == {"p10", "p50", "p90"}
    assert (out / "calibration.png").stat().st_size > 10_000
    text = (out / "calibrated.toml").read_text(encoding="utf-8")
    assert text.startswith("# Calibrated by `estate calibrate` from observed.toml")
    fitted = load(out / "calibrated.toml")                      # estate validate accepts it
    assert fitted.allocation.acceptance.kind == "normal"
    assert abs(fitted.allocation.acceptance.mean - doc["fields"][0]["value"]) < 1e-9
    assert len(fitted.observed) == 5
    capsys.readouterr()
    before = (out / "calibrated.toml").read_bytes()
    assert main(args) == 1
    assert "calibrated.toml: already exists" in capsys.readouterr().err
    assert (out / "calibrated.toml").read_bytes() == before


def test_a_scenario_without_observations_is_refused(tmp_path, capsys):
    assert main(["calibrate", str(ROOT / "scenarios" / "small-2400.toml"), "--fit", "acceptance",
                 "--out", str(tmp_path / "o")]) == 1
    assert "has no [[observed]] figures to calibrate to" in capsys.readouterr().err
