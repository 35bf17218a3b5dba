"""Ensembles: independent streams, executors, failures, percentiles with "never", the Demand."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import sim.ensemble as ensemble
from helpers import tiny, two_buildings
from scenarios import rules_of
from scenarios.demand import Demand
from sim import run_ensemble
from sim.ensemble import nearest_rank
from standards.errors import InputError

DEMAND_KEYS = ("kindergarten_classes", "primary_classes", "junior_middle_classes", "eldercare_beds", "clinic_m2",
               "households", "residents", "staff")


@pytest.fixture(scope="module")
def scenario():
    return two_buildings(horizon=24)


@pytest.fixture(scope="module")
def serial(scenario):
    return run_ensemble(scenario, rules_of(scenario), replications=6, seed=99)


def test_same_seed_same_bands_whatever_the_executor(scenario, serial):
    rules = rules_of(scenario)
    again = run_ensemble(scenario, rules, replications=6, seed=99)
    assert serial.quantiles.tobytes() == again.quantiles.tobytes()
    with ThreadPoolExecutor(max_workers=3) as pool:   # any Executor is accepted (e.g. Dask's get_executor())
        threaded = run_ensemble(scenario, rules, replications=6, seed=99, executor=pool)
    assert serial.quantiles.tobytes() == threaded.quantiles.tobytes()
    processes = run_ensemble(scenario, rules, replications=6, seed=99, executor="process", workers=2)
    assert serial.quantiles.tobytes() == processes.quantiles.tobytes()
    assert np.array_equal(serial.election_months, processes.election_months)


def test_replications_use_independent_streams(serial):
    households = serial.quantiles[:, :, -1, serial.metrics.index("households")]
    assert (households[0] <= households[1]).all() and (households[1] <= households[2]).all()
    assert (households[2] > households[0]).any()     # replications differ


def test_a_failed_replication_is_reported_not_fatal(scenario, monkeypatch):
    real = ensemble.run_chunk

    def flaky(scenario, rules, split, params, seeds, token=None):
        rows = real(scenario, rules, split, params, seeds, token)
        return [("failed", r[1], "RuntimeError: boom") if r[1] == 2 else r for r in rows]

    monkeypatch.setattr(ensemble, "run_chunk", flaky)
    result = run_ensemble(scenario, rules_of(scenario), replications=4, seed=1)
    assert [f.replication for f in result.failures] == [2]
    assert result.completed == (0, 1, 3)
    assert result.election_months.shape == (3, 1)


def test_a_replication_that_raises_is_reported_and_the_others_complete(scenario, monkeypatch):
    real = ensemble.EstateModel

    def model(*args, rng, **kwargs):
        if rng.spawn_key == (1,):
            raise RuntimeError("no flats in this replication")
        return real(*args, rng=rng, **kwargs)

    monkeypatch.setattr(ensemble, "EstateModel", model)
    result = run_ensemble(scenario, rules_of(scenario), replications=4, seed=99)
    assert [(f.replication, f.message) for f in result.failures] == [(1, "RuntimeError: no flats in this replication")]
    assert result.completed == (0, 2, 3)


def test_a_chunk_lost_on_a_callers_executor_fails_its_replications_only(scenario, serial, monkeypatch):
    real = ensemble.run_chunk

    def lost(scenario, rules, split, params, seeds, token=None):
        if any(i == 2 for i, _ in seeds):
            raise ConnectionError("worker lost")
        return real(scenario, rules, split, params, seeds, token)

    monkeypatch.setattr(ensemble, "run_chunk", lost)
    with ThreadPoolExecutor(max_workers=2) as pool:
        result = run_ensemble(scenario, rules_of(scenario), replications=6, seed=99, executor=pool,
                              chunks_per_worker=3)   # one replication per chunk
    assert [(f.replication, f.message) for f in result.failures] == [(2, "ConnectionError: worker lost")]
    assert result.completed == (0, 1, 3, 4, 5)
    kept = [0, 1, 3, 4, 5]
    assert np.array_equal(result.election_months, serial.election_months[kept])


def test_all_failing_is_one_clear_error(scenario, monkeypatch):
    monkeypatch.setattr(ensemble, "run_chunk",
                        lambda *a: [("failed", i, "RuntimeError: boom") for i, _ in a[4]])
    with pytest.raises(InputError, match="all 3 replications failed .*boom"):
        run_ensemble(scenario, rules_of(scenario), replications=3)


def test_progress_is_reported(scenario):
    seen = []
    run_ensemble(scenario, rules_of(scenario), replications=5, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (5, 5) and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_bad_ensemble_arguments_are_refused(scenario):
    rules = rules_of(scenario)
    with pytest.raises(InputError, match="replications must be a whole number ≥ 1"):
        run_ensemble(scenario, rules, replications=0)
    with pytest.raises(InputError, match="seed must be"):
        run_ensemble(scenario, rules, replications=1, seed=-3)
    with pytest.raises(InputError, match="executor must be"):
        run_ensemble(scenario, rules, replications=1, executor="cluster")


def test_never_is_infinity_and_percentiles_beyond_the_horizon_are_null():
    assert nearest_rank(np.array([3.0, 5.0, math.inf, math.inf]), 10) == 3.0
    assert nearest_rank(np.array([3.0, 5.0, math.inf, math.inf]), 50) == 5.0
    assert nearest_rank(np.array([3.0, 5.0, math.inf, math.inf]), 90) == math.inf
    s = tiny(pool=0)
    result = run_ensemble(s, rules_of(s), replications=3)
    assert result.election("estate") == {"p10": None, "p50": None, "p90": None, "elected_replications": 0}


def test_demand_has_every_service_band(serial):
    demand = serial.demand()
    assert isinstance(demand, Demand) and demand.months == 24
    for key in DEMAND_KEYS:
        band = demand.estate[key]
        assert len(band.p50) == 24
        assert all(a <= b <= c for a, b, c in zip(band.p10, band.p50, band.p90))
        assert key in demand.communities["estate"]
    assert max(demand.estate["residents"].p90) > 0
    assert max(demand.estate["kindergarten_classes"].p90) > 0


def test_voter_roll_at_the_election_by_category(serial):
    roll = serial.voters_at("estate")
    assert list(roll) == ["hukou_resident", "non_hukou_signed_tenant", "community_worker"]   # CQ-73 §一(二)
    assert roll["non_hukou_signed_tenant"]["p50"] > roll["hukou_resident"]["p50"] > 0   # 60% non-local
    assert roll["community_worker"]["p50"] >= 1
    prep = serial.preparatory_group("estate")
    assert prep["p50"] is not None and prep["p50"] <= serial.election("estate")["p50"]


def test_a_community_that_never_elects_has_no_roll():
    s = tiny(pool=10)
    result = run_ensemble(s, rules_of(s), replications=2)
    assert result.election("estate")["elected_replications"] == 0
    assert result.voters_at("estate") == {"hukou_resident": None, "non_hukou_signed_tenant": None,
                                          "community_worker": None}


def test_batch_size_does_not_change_a_replication(scenario, serial):
    """Each replication draws from its own child of SeedSequence(seed) only: run in batches of 1, 3 or
    all 6, in this process or on a pool, it gives the same series bit for bit."""
    from sim.params import params_of

    rules = rules_of(scenario)
    params = params_of(scenario, rules)
    seeds = list(enumerate(np.random.SeedSequence(99).spawn(6)))
    whole = {row[1]: row for row in ensemble.run_chunk(scenario, rules, None, params, seeds)}
    for size in (1, 3):
        for i in range(0, 6, size):
            for row in ensemble.run_chunk(scenario, rules, None, params, seeds[i:i + size]):
                assert row[2].tobytes() == whole[row[1]][2].tobytes()
                assert np.array_equal(row[3], whole[row[1]][3])
    for size in (1, 3, 6):
        result = run_ensemble(scenario, rules, replications=6, seed=99, batch=size)
        assert result.quantiles.tobytes() == serial.quantiles.tobytes()
        assert result.mean.tobytes() == serial.mean.tobytes()
        assert np.array_equal(result.election_months, serial.election_months)
    pooled = run_ensemble(scenario, rules, replications=6, seed=99, batch=3, executor="process", workers=2)
    assert pooled.quantiles.tobytes() == serial.quantiles.tobytes()
    # and a different stream does change it (the comparison above can fail)
    other = run_ensemble(scenario, rules, replications=6, seed=100, batch=3)
    assert other.quantiles.tobytes() != serial.quantiles.tobytes()


def test_batch_size_follows_memory_and_keeps_workers_busy(scenario):
    from sim.params import params_of

    params = params_of(scenario, rules_of(scenario))
    one = ensemble.replication_bytes(params)
    assert one > params.horizon * len(ensemble.metric_names(params)) * 8
    assert ensemble.batch_size(params, 1000, 2, 8, memory=10 * one) == 10           # memory binds
    assert ensemble.batch_size(params, 1000, 2, 8, memory=1000 * one) == 63         # ⌈1000 / 16⌉
    assert ensemble.batch_size(params, 1000, 2, 8, memory=one // 2) == 1            # at least one
    assert ensemble.batch_size(params, 3, 2, 8) == 1
    with pytest.raises(InputError, match="batch must be a whole number ≥ 1"):
        run_ensemble(scenario, rules_of(scenario), replications=2, batch=0)
