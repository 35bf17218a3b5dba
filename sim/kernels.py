"""Compiled building blocks (numba) of the month in ``sim.events``: draws from the model's own
generator, the lists of candidate and vacant flats, the lists in blocks (the calendar, the people born
each month), and the census cells.

Every draw takes the replication's ``numpy.random.Generator`` (numba reads and advances the very
same bit generator), so all randomness stays with the model's own stream. Compiled on first use and
cached on disk (``cache=True``), so a process pool's fork server compiles once and its workers
inherit the code.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.np.random.generator_core import next_uint32
from numba.np.random.random_methods import bounded_lemire_uint64, buffered_bounded_lemire_uint32

from sim.population import (ALIVE, BIRTH, DISABLED, ENTRIES, FLAT, GROUP, HEAD, HEADER, HI, LO, NEVER, NEXT,
                            NEXT_MEMBER, NONE, N_BLOCKS, N_PEOPLE)

# How the month is compiled: cached on disk, and without numba's reference counting (``_nrt=False``). The
# month only reads and writes the arrays its caller holds and allocates nothing, so counting references to
# them is pure cost; and a costly one: the counts are atomic, and numba emitted them around every inlined
# helper with an early return (a list's add and remove, filing in the calendar), a dozen per household
# moved out. Measured: a quarter of a replication's time was spent counting (sim_benchmark; README).
# ``tests/sim/test_kernels.py`` checks that every compiled function of the month is built this way.
COMPILED = {"cache": True, "_nrt": False}
compiled = njit(**COMPILED)
# the small helpers, written into their callers (no call, no arguments passed) by numba's own inlining
helper = njit(**COMPILED, inline="always")


@compiled
def log_q(p: float) -> float:
    """``log(1 - p)``, what a geometric draw of success probability ``p`` divides by (0 < p < 1)."""
    return np.log1p(-p) if 0.0 < p < 1.0 else 0.0


@helper
def geometric(rng, p: float, log_q: float) -> int:
    """``rng.geometric(p)``, the same draw from the same stream, with ``log_q = log1p(-p)`` computed once
    by the caller rather than once a draw: numpy's inversion (below 1/3; its search above)."""
    if p >= 1.0 / 3.0:
        return rng.geometric(p)
    return np.int64(min(np.ceil(-rng.standard_exponential() / log_q), NEVER))


@helper
def integer(rng, low: int, high: int) -> int:
    """``rng.integers(low, high)``, the same draw from the same stream (numpy's Lemire method on 32 bits,
    for spans below 2**32), without the one-element array numba's ``integers`` allocates for each draw."""
    span = high - 1 - low
    if span < 0:
        raise ValueError("integer: high must be above low")
    if span == 0:                      # one value: numpy returns it without a draw
        return low
    if span < 0xFFFFFFFF:
        return low + np.int64(buffered_bounded_lemire_uint32(rng.bit_generator, span))
    if span == 0xFFFFFFFF:
        return low + np.int64(next_uint32(rng.bit_generator))
    return low + np.int64(bounded_lemire_uint64(rng.bit_generator, np.uint64(span)))


@helper
def first_month(rng, p: float, log_q: float, start: int) -> int:
    """The first month ≥ ``start`` in which an event of monthly probability ``p`` happens: one
    geometric draw instead of one draw a month (the months are independent, so this is the same law)."""
    if p <= 0.0:
        return NEVER
    if p >= 1.0:
        return start
    return min(start + geometric(rng, p, log_q) - 1, NEVER)


@helper
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
    lq = log_q(p)
    while True:
        pos += geometric(rng, p, lq)
        if pos >= n:
            return k
        out[k] = pos
        k += 1


@helper
def categorical(rng, cdf: np.ndarray) -> int:
    """A category drawn with the probabilities behind ``cdf`` (sim.population.cumulative): the first
    whose cumulative share exceeds a uniform draw (a scan: the tables are short)."""
    u = rng.random()
    last = len(cdf) - 1
    i = 0
    while i < last and cdf[i] <= u:
        i += 1
    return i


@helper
def draw_age(rng, low: np.ndarray, high: np.ndarray, cdf: np.ndarray) -> int:
    """An age in months: a band by its share, then a month uniform over the band's whole years."""
    band = categorical(rng, cdf)
    months = (high[band] - low[band] + 1) * 12
    return low[band] * 12 + int(rng.random() * months)


# -- lists of flats (candidates for a birth, vacant flats): O(1) to add and remove ----------------------

@helper
def list_add(items: np.ndarray, flats: np.ndarray, pos_col: int, counters: np.ndarray, n_col: int,
             f: int) -> None:
    if flats[f, pos_col] != NONE:
        return
    k = counters[n_col]
    items[k] = f
    flats[f, pos_col] = k
    counters[n_col] = k + 1


@helper
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


# -- lists in blocks (``sim.population``): the calendar, per kind and month; the people born each month --------

@helper
def push(blocks: np.ndarray, counters: np.ndarray, head: int, item: int) -> int:
    """Put ``item`` first in the list whose newest block is ``head`` (NONE: an empty list); returns the
    list's newest block. A block fills from its end, so its entries read from ``LO`` to ``HI`` are
    newest first, as are the blocks from the newest."""
    if head == NONE or blocks[head, LO] == 0:
        b = counters[N_BLOCKS]
        counters[N_BLOCKS] = b + 1
        blocks[b, NEXT] = head
        blocks[b, LO] = ENTRIES
        blocks[b, HI] = ENTRIES
        head = b
    lo = blocks[head, LO] - 1
    blocks[head, HEADER + lo] = item
    blocks[head, LO] = lo
    return head


@helper
def file(blocks: np.ndarray, heads: np.ndarray, counters: np.ndarray, calendar: int, month: int,
         target: int) -> None:
    """File ``target`` under ``month`` (nothing beyond the horizon is filed)."""
    if month >= heads.shape[1] - 1:
        return
    heads[calendar, month] = push(blocks, counters, heads[calendar, month], target)


# -- people ----------------------------------------------------------------------------------------------

@helper
def new_person(people: np.ndarray, flats: np.ndarray, blocks: np.ndarray, born: np.ndarray, first_birth: int,
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
    born[b] = push(blocks, counters, born[b], r)
    return r


@helper
def count(census: np.ndarray, cohorts: np.ndarray, c: int, people: np.ndarray, flats: np.ndarray, r: int,
          age: int, partition: np.ndarray, parts: int, first_birth: int, delta: int) -> None:
    """Count person ``r`` (``delta`` = 1) or stop counting them (-1) in community ``c``: in their census
    cell at ``age`` (months), (group × disabled) × age partition, the order of ``sim.reporting.Census``,
    and among those of their group born in their month (``cohorts``), whom ``sim.events.cross`` moves
    from one age partition to the next all at once."""
    a = min(max(age, 0), len(partition) - 1)
    g = flats[people[r, FLAT], GROUP] * 2 + people[r, DISABLED]
    census[c, g * parts + partition[a]] += delta
    cohorts[c, people[r, BIRTH] - first_birth, g] += delta
