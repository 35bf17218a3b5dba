"""The compiled building blocks draw what their docstrings say, from the generator they are given."""

import numpy as np
import pytest

from numba import njit

from sim.kernels import (bernoulli, categorical, draw_age, first_month, geometric, integer, list_add, list_remove,
                         log_q, push)
from sim.population import BLOCK, ENTRIES, HEADER, HI, LO, NEVER, NEXT, NONE, cumulative


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
    months = np.array([first_month(rng, p, log_q(p), 10) for _ in range(40_000)])
    assert months.min() == 10
    # geometric from the start month: mean 1/p - 1 months after it, P(same month) = p
    assert (months - 10).mean() == pytest.approx(1 / p - 1, abs=4 * np.sqrt((1 - p) / p**2 / len(months)))
    assert (months == 10).mean() == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / len(months)))
    assert first_month(rng, 0.0, 0.0, 3) == NEVER and first_month(rng, 1.0, 0.0, 3) == 3


@njit
def _numpy_geometric(rng, p, n):
    return np.array([rng.geometric(p) for _ in range(n)])


@njit
def _our_geometric(rng, p, lq, n):
    return np.array([geometric(rng, p, lq) for _ in range(n)])


@pytest.mark.parametrize("p", [1e-5, 0.004, 0.1, 0.3333, 0.5, 0.9])
def test_geometric_is_numpys_draw_from_the_same_stream(p):
    """``geometric`` takes ``log1p(-p)`` from its caller but draws what ``rng.geometric(p)`` draws, value
    for value, leaving the generator in the same state."""
    a, b = np.random.default_rng(7), np.random.default_rng(7)
    ours = _our_geometric(a, p, log_q(p), 20_000)
    assert np.array_equal(ours, _numpy_geometric(b, p, 20_000))
    assert a.random() == b.random()


def test_geometric_given_a_wrong_log_draws_otherwise():
    a, b = np.random.default_rng(7), np.random.default_rng(7)
    assert not np.array_equal(_our_geometric(a, 0.01, log_q(0.02), 1000), _numpy_geometric(b, 0.01, 1000))


def test_categorical_is_the_search_of_its_cumulative_shares():
    """The scan returns what ``searchsorted(cdf, u, side="right")`` does, capped at the last category,
    ties on a cumulative share and empty categories included; from a generator, the same draws."""
    cdf = cumulative(np.array([0.25, 0.0, 0.25, 0.5]))
    for u in (0.0, 0.1, 0.25, 0.3, 0.5, 0.99, 1.0):
        expected = min(int(np.searchsorted(cdf, u, side="right")), len(cdf) - 1)
        assert categorical.py_func(_Draws(u), cdf) == expected, u
    a, b = np.random.default_rng(3), np.random.default_rng(3)
    ours = [categorical(a, cdf) for _ in range(2000)]
    assert ours == [int(np.searchsorted(cdf, b.random(), side="right")) for _ in range(2000)]


class _Draws:
    """A stand-in generator whose uniform draw is ``u``."""

    def __init__(self, u: float) -> None:
        self.u = u

    def random(self) -> float:
        return self.u


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


def _walk(blocks, head):
    """A list's entries in the order the month reads them."""
    out = []
    while head != NONE:
        out += list(blocks[head, HEADER + blocks[head, LO]: HEADER + blocks[head, HI]])
        head = blocks[head, NEXT]
    return out


def test_lists_in_blocks_read_newest_first_across_blocks():
    blocks = np.zeros((10, BLOCK), dtype=np.int32)
    counters = np.zeros(6, dtype=np.int64)
    from sim.population import N_BLOCKS
    a = b = NONE
    items = list(range(2 * ENTRIES + 5))                  # three blocks' worth
    for i in items:
        a = push(blocks, counters, a, i)
        if i % 3 == 0:
            b = push(blocks, counters, b, 100 + i)        # another list in the same blocks
    assert _walk(blocks, a) == items[::-1]
    assert _walk(blocks, b) == [100 + i for i in items[::-1] if i % 3 == 0]
    assert counters[N_BLOCKS] == 3 + 1                    # full blocks are shared by no list


@njit
def _numpy_integers(rng, low, high, n):
    return np.array([rng.integers(low, high) for _ in range(n)])


@njit
def _our_integers(rng, low, high, n):
    return np.array([integer(rng, low, high) for _ in range(n)])


@pytest.mark.parametrize("low, high", [(0, 1), (1, 4), (0, 7), (-3, 1000), (7, 7 + 2**32), (5, 2**33)])
def test_integer_is_numpys_draw_from_the_same_stream(low, high):
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    ours = _our_integers(a, low, high, 5000)
    assert np.array_equal(ours, _numpy_integers(b, low, high, 5000))
    assert ours.min() >= low and ours.max() < high
    assert a.random() == b.random()


def test_an_empty_range_of_integers_is_refused():
    with pytest.raises(ValueError):
        _our_integers(np.random.default_rng(5), 3, 3, 1)


def _dispatchers(module):
    from numba.core.registry import CPUDispatcher
    return {name: f for name, f in vars(module).items() if isinstance(f, CPUDispatcher)}


def test_the_month_is_compiled_without_reference_counting():
    """Every compiled function of the month is built with ``kernels.COMPILED`` (no reference counting: the
    counts cost a quarter of a replication); one built with numba's defaults is told apart."""
    import sim.events
    import sim.kernels
    found = _dispatchers(sim.events) | _dispatchers(sim.kernels)
    assert {"advance", "move_in", "leave", "die", "vacate", "push", "file", "integer"} <= set(found)
    for name, f in found.items():
        assert f.targetoptions.get("_nrt") is False, name
    assert njit(cache=True)(lambda: 0).targetoptions.get("_nrt") is not False
