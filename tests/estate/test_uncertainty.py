"""Observations beside the bands, the uncertain inputs and their drivers: in the views, summary.json, the
report of `estate run`, and the occupancy plot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from estate.cli import main
from estate.sim_outputs import summary
from estate.uncertainty import band_words, driver_rows, observation_lines, observation_rows, uncertain_rows
from scenarios import load, rules_of
from scenarios.distributions import Distribution
from scenarios.schema import Delivery, Observation
from scenarios.writer import to_toml
from sim import run_ensemble

ROOT = Path(__file__).resolve().parents[2]


def scenario():
    """small-2400 with uncertain acceptance and slippage, and four observations."""
    s = load(ROOT / "scenarios" / "small-2400.toml")
    s = s.model_copy(update={
        "allocation": s.allocation.model_copy(update={"acceptance": Distribution(p10=0.6, p50=0.75, p90=0.9)}),
        "delivery": Delivery(slip_months=Distribution(low=0, high=2)),
        "horizon_months": 24,
        "observed": [Observation(date="2028-01", metric="households", value=1500, source="count A"),
                     Observation(date="2028-01", metric="occupancy", value=0.05, source="count B"),
                     Observation(date="2027-09", metric="election", source="minutes"),
                     Observation(date="2028-01", metric="households", community="C7", value=10, source="x")]})
    return s


@pytest.fixture(scope="module")
def run():
    s = scenario()
    return s, run_ensemble(s, rules_of(s), replications=12)


def test_each_observation_sits_beside_the_band_at_its_month(run):
    s, result = run
    rows = observation_rows(s, result)
    households, occupancy, election, unknown = rows
    band = result.band("households")
    assert households["month"] == 6 and households["p50"] == pytest.approx(band.p50[6])
    assert households["inside"] == (band.p10[6] <= 1500 <= band.p90[6])
    assert occupancy["inside"] is False                       # 5% is far below the band at month 6
    e = result.election("estate")
    assert election["observed"] == 2 and (election["p10"], election["p90"]) == (e["p10"], e["p90"])
    assert election["inside"] == (e["p10"] <= 2 <= e["p90"])
    assert unknown["inside"] is None and "C7 is not in this run's split" in unknown["note"]
    lines = observation_lines(s, result)
    assert lines[1].startswith("observed occupancy of estate in 2028-01: 0.05; simulated P50") and "OUTSIDE" in lines[1]


def test_the_uncertain_inputs_and_their_drivers(run):
    s, result = run
    inputs = uncertain_rows(s, result)
    assert [r["field"] for r in inputs] == ["allocation.acceptance", "delivery.slip_months"]
    assert inputs[0]["distribution"] == "P10 0.6, P50 0.75, P90 0.9"
    assert 0.55 <= inputs[0]["drawn"]["p10"] <= inputs[0]["drawn"]["p90"] <= 0.95
    (band,) = driver_rows(result)
    assert band["community"] == "estate" and {d["input"] for d in band["drivers"]} == set(result.inputs)


def test_summary_json_carries_the_words_inputs_drivers_and_observations(run):
    s, result = run
    doc = summary(result, s)
    assert set(doc["band_words"]) == {"p10", "p50", "p90"}
    assert doc["band_words"]["p50"]["zh"].startswith("P50：") and doc["band_words"]["p90"]["en"].startswith("P90:")
    assert [r["field"] for r in doc["uncertain_inputs"]] == list(result.inputs)
    assert doc["band_drivers"][0]["drivers"] and len(doc["observed"]) == 4
    assert summary(result)["observed"] == []                 # without the scenario: nothing to compare
    json.dumps(doc)


def test_plain_words_in_both_languages():
    zh, en = band_words("zh"), band_words("en")
    assert all(zh[q].startswith(q.upper()) and en[q].startswith(q.upper()) for q in ("p10", "p50", "p90"))
    assert "十次" in zh["p90"] and "nine runs in ten" in en["p90"]


def test_estate_run_reports_observations_and_nonzero_election_bands(tmp_path):
    src = tmp_path / "uncertain.toml"
    s = scenario()
    s = s.model_copy(update={"observed": s.observed[:3]})     # C1… are the planner's names: C7 would not exist
    src.write_text(to_toml(s), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(src), "--out", str(out), "--replications", "12", "--workers", "1", "--quiet"]) == 0
    doc = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    months = doc["communities"][0]["election_month"]
    assert months["p90"] - months["p10"] > 0
    page = (out / "report.html").read_text(encoding="utf-8")
    for text in ("实际观测与模拟区间对照", "哪些假设决定了区间宽度", "不确定的假设（每次模拟各自抽取）",
                 "P90：十次模拟中有九次", "count A", "minutes"):      # in Chinese, estate run's default
        assert text in page, text
