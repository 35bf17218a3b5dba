"""The compiled building blocks draw what their docstrings say, from the generator they are given."""

import numpy as np
import pytest

from sim.kernels import bernoulli, categorical, draw_age, first_month, list_add, list_remove
from sim.population import NEVER, NONE, cumulative


def test_bernoulli_chooses_each_item_with_its_probability():
    rng = np.random.default_rng(1)
    out = np.zeros(10_000, dtype=np.int32)
    for p in (0.003, 0.05, 0.4):          # geometric gaps below 0.25, one draw per item above
        hits = np.zeros(10_000)
        total = 0
        for _ in range(200):
            k = bernoulli(rng, 10_000, p, out)
            chosen = out[:k]
            assert (np.diff(chosen) > 0).all() and (chosen >= 0).all() and (chosen < 10_000).all()
            hits[chosen] += 1
            total += k
        n = 200 * 10_000
        assert total / n == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / n))   # 4 standard errors
        # the first and the last thousand items are chosen alike (no drift along the items)
        first, last = hits[:1000].sum(), hits[-1000:].sum()
        assert abs(first - last) <= 4 * np.sqrt(2 * 200_000 * p)
    assert bernoulli(rng, 5, 1.0, out) == 5 and bernoulli(rng, 5, 0.0, out) == 0


def test_first_month_is_the_first_success_of_monthly_draws():
    rng = np.random.default_rng(2)
    p = 0.02
    months = np.array([first_month(rng, p, 10) for _ in range(40_000)])
    assert months.min() == 10
    # geometric from the start month: mean 1/p - 1 months after it, P(same month) = p
    assert (months - 10).mean() == pytest.approx(1 / p - 1, abs=4 * np.sqrt((1 - p) / p**2 / len(months)))
    assert (months == 10).mean() == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / len(months)))
    assert first_month(rng, 0.0, 3) == NEVER and first_month(rng, 1.0, 3) == 3


def test_categorical_and_ages_follow_their_shares():
    rng = np.random.default_rng(3)
    probs = np.array([0.1, 0.6, 0.3])
    cdf = cumulative(probs)
    draws = np.array([categorical(rng, cdf) for _ in range(30_000)])
    shares = np.bincount(draws, minlength=3) / len(draws)
    assert np.allclose(shares, probs, atol=4 * np.sqrt(0.25 / len(draws)))
    low, high = np.array([0, 20]), np.array([9, 29])
    ages = np.array([draw_age(rng, low, high, cumulative(np.array([0.5, 0.5]))) for _ in range(20_000)])
    assert ages.min() == 0 and ages.max() == 30 * 12 - 1
    assert not ((ages >= 120) & (ages < 240)).any()          # nothing between the bands
    assert (ages < 120).mean() == pytest.approx(0.5, abs=0.015)


def test_lists_add_and_remove_in_constant_time_and_stay_consistent():
    flats = np.full((10, 1), NONE, dtype=np.int32)
    items = np.zeros(10, dtype=np.int32)
    counters = np.zeros(1, dtype=np.int64)
    for f in (3, 7, 1, 9):
        list_add(items, flats, 0, counters, 0, f)
    list_add(items, flats, 0, counters, 0, 7)                 # already there: nothing changes
    list_remove(items, flats, 0, counters, 0, 3)
    list_remove(items, flats, 0, counters, 0, 4)              # not there: nothing changes
    n = int(counters[0])
    assert sorted(items[:n]) == [1, 7, 9]
    assert all(items[flats[f, 0]] == f for f in items[:n])
    assert flats[3, 0] == NONE and flats[4, 0] == NONE
