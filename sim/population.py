"""The residents as columns: one row per flat (the household living in it, if any) and one row per person.
A month over 50,000 households is then a few array operations.

Each flat's row holds its state (not yet delivered, vacant, signed and waiting to move in, occupied),
the building and community it belongs to, when its household moves in and when its lease term ends, the
household's hukou (local or not), low-income flag and size. Each person's row holds the flat they
live in, their age in months (-1 for a free row) and a disability flag. New people take rows at the
end; the rows of people who died or left are dropped now and then (``compact``), so the person table
stays about as long as the number of residents. The rows of a household that left are freed lazily,
before flats are let again (``sign``) or the table is compacted: until then nothing counts them, as
every count of people looks at occupied flats only.
"""

from __future__ import annotations

import numpy as np

from sim.params import MONTHS_PER_YEAR, Params

UNDELIVERED, VACANT, SIGNED, OCCUPIED = 0, 1, 2, 3
EMPTY = -1


def bernoulli(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """Indices in ``range(n)`` each chosen independently with probability ``p``, in O(n·p) time for
    small ``p`` (geometric gaps between successes instead of one uniform draw per item)."""
    if n <= 0 or p <= 0:
        return np.empty(0, dtype=np.int64)
    if p >= 1:
        return np.arange(n)
    if p > 0.1:
        return np.flatnonzero(rng.random(n) < p)
    mean = n * p
    pos = np.cumsum(rng.geometric(p, int(mean + 5 * mean ** 0.5 + 16))) - 1
    while pos[-1] < n:
        more = np.cumsum(rng.geometric(p, int(mean + 16))) + pos[-1]
        pos = np.concatenate([pos, more])
    return pos[pos < n]


def cumulative(probs: np.ndarray) -> np.ndarray:
    """The cumulative distribution ``categorical`` draws from."""
    cdf = np.cumsum(probs)
    return cdf / cdf[-1]


def categorical(rng: np.random.Generator, cdf: np.ndarray, size: int) -> np.ndarray:
    """``size`` category indices drawn with the probabilities behind ``cdf``: the very draws of
    ``rng.choice(len(cdf), size, p=probs)``, without its checks of ``probs`` on every call."""
    return cdf.searchsorted(rng.random(size), side="right")


def draw_ages(rng: np.random.Generator, low: np.ndarray, high: np.ndarray, cdf: np.ndarray,
              size: int) -> np.ndarray:
    """Ages in months: a band by its share (``cdf``: ``cumulative`` of the shares), then a month uniform
    over the band's whole years (the same as a year uniform in the band and a month uniform in the year)."""
    band = categorical(rng, cdf, size)
    first, months = low[band] * MONTHS_PER_YEAR, (high[band] - low[band] + 1) * MONTHS_PER_YEAR
    return first + (rng.random(size) * months).astype(np.int64)


class Population:
    """Flats and the households in them (one row per flat), and the people (one row per person)."""

    def __init__(self, params: Params) -> None:
        self.params = params
        n = params.flats
        self.offsets = np.concatenate([[0], np.cumsum(params.building_units)])
        self.building = np.repeat(np.arange(len(params.building_units)), params.building_units)
        self.community = params.building_community[self.building]
        self.state = np.full(n, UNDELIVERED, dtype=np.int8)
        self.move_in_month = np.full(n, -1, dtype=np.int64)
        self.lease_end = np.full(n, -1, dtype=np.int64)     # the month the current lease term ends
        self.local = np.zeros(n, dtype=bool)
        self.low_income = np.zeros(n, dtype=bool)
        self.size = np.zeros(n, dtype=np.int64)
        # members of childbearing age (simulation.fertile_ages), kept up to date as people arrive, age
        # and die, so that births need not look at every person each month (a let flat's count is exact;
        # a vacant flat's is reset when it is let again)
        self.fertile = np.zeros(n, dtype=np.int64)
        low, high = params.fertile_ages
        self.fertile_months = (low * MONTHS_PER_YEAR, (high + 1) * MONTHS_PER_YEAR)
        # the person table: rows [0, used) are in use; a free row has age EMPTY
        capacity = int(n * params.persons_per_household * 1.2) + 64
        self.flat = np.zeros(capacity, dtype=np.int64)
        self.age = np.full(capacity, EMPTY, dtype=np.int16)
        self.disabled = np.zeros(capacity, dtype=bool)
        self.used = 0
        self.freed = 0
        self.size_cdf, self.band_cdf, self.head_band_cdf = (
            cumulative(x) for x in (params.size_probs, params.band_probs, params.head_band_probs))
        self._leaving: list[np.ndarray] = []

    # -- the person table ----------------------------------------------------------------------------

    def _add_people(self, flats: np.ndarray, ages: np.ndarray, disabled: np.ndarray) -> None:
        k = len(flats)
        if self.used + k > len(self.age):
            self.compact()
        if self.used + k > len(self.age):
            grow = max(k, len(self.age) // 2)
            self.flat = np.concatenate([self.flat, np.zeros(grow, dtype=np.int64)])
            self.age = np.concatenate([self.age, np.full(grow, EMPTY, dtype=np.int16)])
            self.disabled = np.concatenate([self.disabled, np.zeros(grow, dtype=bool)])
        rows = slice(self.used, self.used + k)
        self.flat[rows], self.age[rows], self.disabled[rows] = flats, ages, disabled
        self.used += k
        np.add.at(self.fertile, flats[self.childbearing(ages)], 1)

    def _remove_people(self, rows: np.ndarray) -> None:
        self.age[rows] = EMPTY
        self.disabled[rows] = False
        self.freed += len(rows)
        if self.freed > self.used // 4:
            self.compact()

    def compact(self) -> None:
        """Drop the free rows, keeping the people in order."""
        if self._leaving:
            self.purge()
        keep = np.flatnonzero(self.age[: self.used] >= 0)
        n = len(keep)
        self.flat[:n], self.age[:n], self.disabled[:n] = self.flat[keep], self.age[keep], self.disabled[keep]
        self.age[n: self.used] = EMPTY
        self.disabled[n: self.used] = False
        self.used, self.freed = n, 0

    def people(self) -> slice:
        return slice(0, self.used)

    # -- households arriving and leaving ------------------------------------------------------------

    def sign(self, rng: np.random.Generator, flats: np.ndarray, move_in: np.ndarray) -> None:
        """New households sign for ``flats``: their members, hukou, low-income and disability flags."""
        p, k = self.params, len(flats)
        if k == 0:
            return
        self.purge()
        self.fertile[flats] = 0
        size = p.size_values[categorical(rng, self.size_cdf, k)]
        members = np.repeat(flats, size)
        ages = draw_ages(rng, p.band_low, p.band_high, self.band_cdf, len(members))
        first = np.cumsum(size) - size                       # each household's first member signs the lease
        ages[first] = draw_ages(rng, p.head_band_low, p.head_band_high, self.head_band_cdf, k)
        self._add_people(members, ages, rng.random(len(members)) < p.disabled_share)
        self.size[flats] = size
        self.local[flats] = rng.random(k) >= p.non_local_share
        self.low_income[flats] = rng.random(k) < p.low_income_share
        self.state[flats] = SIGNED
        self.move_in_month[flats] = move_in

    def vacate(self, flats: np.ndarray) -> None:
        """The households of ``flats`` leave; the flats are vacant and can be let again. Their people's
        rows are freed in one pass by ``purge``, before the flats are let again (nothing counts the
        people of a vacant flat)."""
        if len(flats) == 0:
            return
        self.state[flats] = VACANT
        self.size[flats] = 0
        self.fertile[flats] = 0
        self.move_in_month[flats] = -1
        self.lease_end[flats] = -1
        self._leaving.append(flats)

    def purge(self) -> None:
        """Free the rows of the people whose households left since the last purge."""
        if not self._leaving:
            return
        leaving = np.zeros(len(self.state), dtype=bool)
        leaving[np.concatenate(self._leaving)] = True
        self._leaving = []
        used = slice(0, self.used)
        self._remove_people(np.flatnonzero(leaving[self.flat[used]] & (self.age[used] >= 0)))

    def add_member(self, flats: np.ndarray, disabled: np.ndarray) -> None:
        """A newborn (age 0) joins each of ``flats``."""
        self._add_people(flats, np.zeros(len(flats), dtype=np.int64), disabled)
        self.size[flats] += 1

    def remove_members(self, rows: np.ndarray) -> np.ndarray:
        """People of ``rows`` die; returns their flats."""
        flats = self.flat[rows]
        np.subtract.at(self.fertile, flats[self.childbearing(self.age[rows])], 1)
        self._remove_people(rows)
        np.subtract.at(self.size, flats, 1)
        return flats

    def grow_older(self) -> None:
        """Everyone is a month older; those reaching or leaving childbearing age change their
        household's count."""
        ages = self.age[: self.used]
        ages += ages >= 0
        start, end = self.fertile_months
        turning = np.flatnonzero((ages == start) | (ages == end))
        np.add.at(self.fertile, self.flat[turning], np.where(ages[turning] == start, 1, -1))

    # -- views ---------------------------------------------------------------------------------------

    def childbearing(self, ages: np.ndarray) -> np.ndarray:
        """Whether each age (in months) is of childbearing age."""
        start, end = self.fertile_months
        return (ages >= start) & (ages < end)

    def occupied(self) -> np.ndarray:
        return self.state == OCCUPIED

    def flats_by_building(self, state: int) -> np.ndarray:
        """The flats of each building in ``state`` (a building's flats are consecutive rows, and every
        building has at least one, so each sum runs from its offset to the next)."""
        return np.add.reduceat(self.state == state, self.offsets[:-1], dtype=np.int64)

    def residents(self) -> np.ndarray:
        """Rows (of the person table) of the people living in occupied flats."""
        used = slice(0, self.used)
        return np.flatnonzero((self.age[used] >= 0) & (self.state[self.flat[used]] == OCCUPIED))
