"""Compiled building blocks (numba) of the month in ``sim.events``: draws from the model's own
generator, the lists of candidate and vacant flats, the calendar, and the census cells.

Every draw takes the replication's ``numpy.random.Generator`` (numba reads and advances the very
same bit generator), so all randomness stays with the model's own stream. Compiled on first use and
cached on disk (``cache=True``), so a process pool's fork server compiles once and its workers
inherit the code.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.population import (ALIVE, BIRTH, DISABLED, FLAT, GROUP, HEAD, NEVER, NEXT_BORN, NEXT_MEMBER, NONE,
                            N_NODES, N_PEOPLE)



@njit(cache=True)
def first_month(rng, p: float, start: int) -> int:
    """The first month ≥ ``start`` in which an event of monthly probability ``p`` happens: one
    geometric draw instead of one draw a month (the months are independent, so this is the same law)."""
    if p <= 0.0:
        return NEVER
    if p >= 1.0:
        return start
    return min(start + rng.geometric(p) - 1, NEVER)


@njit(cache=True)
def bernoulli(rng, n: int, p: float, out: np.ndarray) -> int:
    """Each of ``range(n)`` chosen independently with probability ``p``; the chosen go to ``out[:k]``
    (ascending) and ``k`` is returned. O(n·p) for small ``p``: geometric gaps between successes."""
    if n <= 0 or p <= 0.0:
        return 0
    k = 0
    if p >= 1.0:
        for i in range(n):
            out[i] = i
        return n
    if p > 0.25:
        for i in range(n):
            if rng.random() < p:
                out[k] = i
                k += 1
        return k
    pos = -1
    while True:
        pos += rng.geometric(p)
        if pos >= n:
            return k
        out[k] = pos
        k += 1


@njit(cache=True)
def categorical(rng, cdf: np.ndarray) -> int:
    """A category drawn with the probabilities behind ``cdf`` (sim.population.cumulative)."""
    i = np.searchsorted(cdf, rng.random(), side="right")
    return min(i, len(cdf) - 1)


@njit(cache=True)
def draw_age(rng, low: np.ndarray, high: np.ndarray, cdf: np.ndarray) -> int:
    """An age in months: a band by its share, then a month uniform over the band's whole years."""
    band = categorical(rng, cdf)
    months = (high[band] - low[band] + 1) * 12
    return low[band] * 12 + int(rng.random() * months)


# -- lists of flats (candidates for a birth, vacant flats): O(1) to add and remove ----------------------

@njit(cache=True)
def list_add(items: np.ndarray, flats: np.ndarray, pos_col: int, counters: np.ndarray, n_col: int,
             f: int) -> None:
    if flats[f, pos_col] != NONE:
        return
    k = counters[n_col]
    items[k] = f
    flats[f, pos_col] = k
    counters[n_col] = k + 1


@njit(cache=True)
def list_remove(items: np.ndarray, flats: np.ndarray, pos_col: int, counters: np.ndarray, n_col: int,
                f: int) -> None:
    k = flats[f, pos_col]
    if k == NONE:
        return
    last = counters[n_col] - 1
    g = items[last]
    items[k] = g
    flats[g, pos_col] = k
    flats[f, pos_col] = NONE
    counters[n_col] = last


# -- the calendar: per kind and month, a linked list of nodes (a flat or a person each) -------------------

@njit(cache=True)
def file(nodes: np.ndarray, heads: np.ndarray, counters: np.ndarray, calendar: int, month: int,
         target: int) -> None:
    """File ``target`` under ``month`` (nothing beyond the horizon is filed)."""
    if month >= heads.shape[1] - 1:
        return
    i = counters[N_NODES]
    counters[N_NODES] = i + 1
    nodes[i, 0] = target
    nodes[i, 1] = heads[calendar, month]
    heads[calendar, month] = i


# -- people ----------------------------------------------------------------------------------------------

@njit(cache=True)
def new_person(people: np.ndarray, flats: np.ndarray, born: np.ndarray, first_birth: int,
               counters: np.ndarray, f: int, birth: int, disabled: bool) -> int:
    """A person of flat ``f`` born in month ``birth``, linked into the household and into the list of
    those born that month. Returns the row."""
    r = counters[N_PEOPLE]
    counters[N_PEOPLE] = r + 1
    people[r, FLAT] = f
    people[r, BIRTH] = birth
    people[r, DISABLED] = 1 if disabled else 0
    people[r, ALIVE] = 1
    people[r, NEXT_MEMBER] = flats[f, HEAD]
    flats[f, HEAD] = r
    b = birth - first_birth
    people[r, NEXT_BORN] = born[b]
    born[b] = r
    return r


@njit(cache=True)
def cell(people: np.ndarray, flats: np.ndarray, r: int, age: int, partition: np.ndarray, parts: int) -> int:
    """The census cell of person ``r`` at ``age`` (months): (group × disabled) × age partition, the
    order of ``sim.reporting.Census``."""
    a = min(max(age, 0), len(partition) - 1)
    return (flats[people[r, FLAT], GROUP] * 2 + people[r, DISABLED]) * parts + partition[a]
