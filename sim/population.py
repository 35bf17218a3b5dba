"""The residents as columns, kept so that a month costs its events, not its people.

One row per flat (the household living in it, if any) and one row per person ever housed; ages are
kept as birth months (a person's age in month t is ``t - birth``), so nobody is visited to grow older.
What happens to a person or a household later is either known at once or drawn once, from the same
monthly probabilities the rules state, and filed in a calendar under its month:

- a household's move-in month (drawn when it signs), the month its household leaves (the first of: a
  lease term not renewed, a voluntary exit, an eviction for subletting — each month's chance is
  constant, so the first month it happens is a geometric draw, made when the household moves in), and
  under Shandong the month a migrant household has lived there long enough to vote;
- a person's death month (a geometric draw at move-in, or at birth);
- the months anyone crosses an age that matters (a census band's edge, the start or end of childbearing
  age) follow from their birth month: the people born in one month are kept in a list, so month t
  visits only those born ``t - edge`` months ago (and drops from it those no longer living there).

Draws of an event that no longer applies (a death in a household that left) are skipped when their
month comes. Births stay a draw each month (their rate depends on that month's residents), over a list
of the candidate households kept as they change; the vacant flats are kept as a list too.

Every array of one replication lives in a few integer tables (``flats``, ``people``, ``blocks``) so the
compiled month (``sim.events``) takes few arguments. The lists of the calendar (one per kind and
month) and of the people born each month are chains of fixed-size blocks of row numbers, newest first
(``sim.kernels.push``): a month reads each list as consecutive entries, whose rows the processor can
fetch together, instead of following one pointer at a time through memory. Rows of people are never
reused within a run (a person's row is their identity in the calendar); the tables start large enough
for the run expected and grow, by doubling, when a month might not fit in what is left.

The two big tables (people, list blocks) are handed from one replication to the next of the same thread
(``Population.release``, called by whoever has finished with a replication, as ``sim.ensemble`` does):
a new table's pages are zeroed by the operating system as the month first writes them, which took a
tenth of a 50,000-flat replication (perf: ``clear_page``), while a table already written costs nothing.
What a table held before does not matter, since every row is written before it is read.
"""

from __future__ import annotations

import threading

import numpy as np

from sim.params import MONTHS_PER_YEAR, Params

UNDELIVERED, VACANT, SIGNED, OCCUPIED = 0, 1, 2, 3
NONE = -1
INT = np.int32           # months, rows and counts all fit; half the memory of int64
NEVER = 1 << 30          # the month of an event that does not happen (beyond any horizon)

# columns of ``flats``
STATE, MOVE_IN, LEAVE, REASON, SIZE, FERTILE, HEAD, GROUP, CAND_POS, VAC_POS = range(10)
FLAT_COLUMNS = 10
# why a household leaves (``REASON``), in the month's order of those events
LEASE_END, EXIT, EVICTION = 0, 1, 2
# columns of ``people``
FLAT, BIRTH, DISABLED, ALIVE, NEXT_MEMBER = range(5)
PERSON_COLUMNS = 5
# calendars (rows of ``heads``): what each entry (a flat or a person) is filed for
CAL_MOVE_IN, CAL_MIGRANT, CAL_DEATH, CAL_LEAVE = range(4)
CALENDARS = 4
# ``blocks``: the lists of the calendar and of the people born each month, in blocks of BLOCK int32
# (128 bytes, two cache lines): the next (older) block, the first and one past the last entry in use,
# then the entries
NEXT, LO, HI = range(3)
HEADER, BLOCK = 3, 32
ENTRIES = BLOCK - HEADER
# ``counters``
N_CAND, N_VAC, N_PEOPLE, N_BLOCKS, POOL, RESIDENTS = range(6)
COUNTERS = 6
# ``community_flats`` columns
C_DELIVERED, C_HOUSEHOLDS, C_SIGNED = range(3)
# ``flows`` columns: the order of sim.reporting.FLOW_METRICS
F_MOVE_INS, F_MOVE_OUTS, F_EVICTIONS, F_BIRTHS, F_DEATHS = range(5)
# the voter category × low income groups of the census (sim.reporting.Census.GROUPS)
GROUPS = 6


def expected_people(params: Params) -> int:
    """A first size for the person table: everyone of a full estate, plus those who replace the
    households leaving (lease terms not renewed, exits, evictions) and the newborns over the horizon,
    with a quarter more (the table grows if a run needs more)."""
    leaving = params.exit_monthly + params.sublet_monthly + (1 - params.renewal_rate) / params.lease_months
    per_flat = params.persons_per_household * (1 + params.horizon * (leaving + params.birth_monthly))
    return int(1.25 * params.flats * per_flat) + 64


def blocks_for(entries: int, lists: int) -> int:
    """Blocks that surely hold ``entries`` more entries spread over at most ``lists`` lists: full blocks,
    plus the one each list may begin when its newest block is full."""
    return entries // ENTRIES + 1 + lists


def cumulative(probs: np.ndarray) -> np.ndarray:
    """The cumulative distribution the categorical draws search."""
    cdf = np.cumsum(probs)
    return cdf / cdf[-1]


class _Spares(threading.local):
    """The tables of this thread's last released replication, waiting for the next one."""

    def __init__(self) -> None:
        self.tables: dict[str, np.ndarray] = {}


_SPARES = _Spares()


def _table(name: str, rows: int, width: int) -> np.ndarray:
    """A table of at least ``rows`` rows of ``width`` ints: the released one of this thread when it is big
    enough (its content is stale and never read: rows are written first), else a new one."""
    spare = _SPARES.tables.pop(name, None)
    if spare is not None and len(spare) >= rows and spare.shape[1] == width:
        return spare
    return np.empty((rows, width), dtype=INT)


class Population:
    """One replication's flats, people, calendar and running counts (see the module's docstring)."""

    def __init__(self, params: Params, partition: np.ndarray, parts: int) -> None:
        self.params = params
        n, horizon = params.flats, params.horizon
        self.flats = np.full((n, FLAT_COLUMNS), NONE, dtype=INT)
        self.flats[:, STATE] = UNDELIVERED
        self.flats[:, SIZE] = 0
        self.flats[:, FERTILE] = 0
        # Rows are set when used (never read before), so the tables start uninitialised: the memory of a
        # row is taken only when first written. They are made large enough for the people expected
        # over the horizon plus the most one month may add (``events.headroom``), so they seldom grow.
        people = expected_people(params) + n * (int(params.size_values.max()) + 1)
        self.people = _table("people", people, PERSON_COLUMNS)
        self.heads = np.full((CALENDARS, horizon + 1), NONE, dtype=INT)
        # the people born in each month, from the oldest age drawn (plus the horizon) to the horizon
        self.first_birth = -int(len(partition)) - 1
        self.born = np.full(horizon - self.first_birth + 1, NONE, dtype=INT)
        # each person in a list of births and at most one of deaths; each household a move-in, a leaving
        # and a residence date; plus a block begun in every list
        self.blocks = _table("blocks", blocks_for(2 * people + 3 * n, self.lists), BLOCK)
        self.candidates = np.zeros(n, dtype=INT)     # occupied flats with a member of childbearing age
        self.vacant = np.zeros(n, dtype=INT)
        self.counters = np.zeros(COUNTERS, dtype=np.int64)
        self.counters[POOL] = params.waiting_pool
        self.census = np.zeros((params.communities, GROUPS * 2 * parts), dtype=np.int64)
        # those the census counts, by community, birth month (as ``born``) and group × disabled
        self.cohorts = np.zeros((params.communities, len(self.born), GROUPS * 2), dtype=INT)
        self.community_flats = np.zeros((params.communities, 3), dtype=np.int64)
        self.building_households = np.zeros(len(params.building_units), dtype=np.int64)
        self.flows = np.zeros((params.communities, 5), dtype=np.int64)
        self.scratch = np.zeros(n, dtype=INT)

    @property
    def lists(self) -> int:
        """How many lists the blocks hold (calendars × months, and births by month)."""
        return self.heads.size + self.born.size

    def reserve(self, people: int, blocks: int) -> None:
        """Make room for at least ``people`` more people and ``blocks`` more blocks of list entries."""
        used_p, used_b = int(self.counters[N_PEOPLE]), int(self.counters[N_BLOCKS])
        if used_p + people > len(self.people):
            grown = np.empty((max(2 * len(self.people), used_p + people), PERSON_COLUMNS), dtype=INT)
            grown[:used_p] = self.people[:used_p]
            self.people = grown
        if used_b + blocks > len(self.blocks):
            grown = np.empty((max(2 * len(self.blocks), used_b + blocks), BLOCK), dtype=INT)
            grown[:used_b] = self.blocks[:used_b]
            self.blocks = grown

    def release(self) -> None:
        """Hand the people and list tables to the next replication of this thread, and forget them: call it
        when nothing will read this replication's people again (its series are kept by the recorder)."""
        _SPARES.tables["people"], _SPARES.tables["blocks"] = self.people, self.blocks
        self.people = self.blocks = None

    # -- views (for tests and reports; the month never needs them) ------------------------------------

    @property
    def state(self) -> np.ndarray:
        return self.flats[:, STATE]

    @property
    def size(self) -> np.ndarray:
        return self.flats[:, SIZE]

    @property
    def fertile(self) -> np.ndarray:
        return self.flats[:, FERTILE]

    def alive(self) -> np.ndarray:
        """Rows of the people living in a let flat (signed or occupied)."""
        used = int(self.counters[N_PEOPLE])
        return np.flatnonzero(self.people[:used, ALIVE] == 1)

    def ages(self, month: int) -> np.ndarray:
        """Everyone's age in months at ``month`` (rows of ``people`` in use)."""
        return month - self.people[: int(self.counters[N_PEOPLE]), BIRTH]

    def childbearing(self, ages: np.ndarray) -> np.ndarray:
        low, high = self.params.fertile_ages
        return (ages >= low * MONTHS_PER_YEAR) & (ages < (high + 1) * MONTHS_PER_YEAR)
