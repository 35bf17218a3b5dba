"""The compiled census loops count what the plain numpy reading of their docstrings counts."""

import numpy as np

from sim.kernels import count_people, flat_keys

OCCUPIED = 3


def test_flat_keys_match_numpy():
    rng = np.random.default_rng(3)
    n = 500
    state = rng.integers(0, 4, n).astype(np.int8)
    base = rng.integers(0, 5, n).astype(np.int64) * 100
    local, low, recent = (rng.random(n) < p for p in (0.4, 0.2, 0.5))
    out = np.empty(n, dtype=np.int64)
    flat_keys(state, base, local, low, recent, 10, OCCUPIED, out)
    category = np.where(local, 0, np.where(recent, 2, 1))
    expected = np.where(state == OCCUPIED, base + (category + 3 * low) * 10, -1)
    assert np.array_equal(out, expected)
    assert (out == -1).sum() == (state != OCCUPIED).sum() > 0


def test_count_people_matches_bincount():
    rng = np.random.default_rng(4)
    flats, people, parts = 300, 1000, 6
    flat_key = np.where(rng.random(flats) < 0.8, rng.integers(0, 8, flats) * 2 * parts, -1).astype(np.int64)
    age = rng.integers(-1, 1200, people).astype(np.int16)             # -1: a free row
    flat = rng.integers(0, flats, people).astype(np.int64)
    disabled = rng.random(people) < 0.1
    partition = (np.arange(1200) // 240).astype(np.int64)             # five partitions of 20 years
    used = people - 50                                                # the last rows are not in use
    counts = np.full(8 * 2 * parts, 99, dtype=np.int64)               # stale counts are cleared
    count_people(age, flat, disabled, used, flat_key, partition, parts, counts)
    rows = np.arange(people) < used
    keep = rows & (age >= 0) & (flat_key[flat] >= 0)
    keys = flat_key[flat[keep]] + partition[age[keep]] + disabled[keep] * parts
    assert np.array_equal(counts, np.bincount(keys, minlength=len(counts)))
    assert 0 < counts.sum() < used
