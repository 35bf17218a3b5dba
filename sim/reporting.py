"""Recording the months: the census of residents by community, age band, voter category, low income and
disability (cells the compiled month keeps up to date), the preallocated series the record is turned
into, and the metrics derived from the counts through the rules (staff, groups, grids, service demand).

Metric names are stable: they are the ``metric`` column of ``series.csv`` and the keys of ``Demand``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from sim.params import MONTHS_PER_YEAR, Params
from sim.population import GROUPS
from standards import formulas
from standards.ruleset import RuleSet
from standards.shapes import Bands

# Counted from the members each month (per community).
PERSON_METRICS_HEAD = ("residents",)
PERSON_METRICS_TAIL = ("low_income_residents", "disabled_residents", "voters_hukou", "voters_tenant")
# Counted from the flats each month.
FLAT_METRICS = ("flats_delivered", "households", "signed_waiting")
# The month's flows.
FLOW_METRICS = ("move_ins", "move_outs", "evictions", "births", "deaths")
# Per community: set in their step (elected, resident groups) or from households at the end (staff, grids).
COMMUNITY_METRICS = ("elected", "staff", "resident_groups", "grids", "voters_worker")
# Derived after the run.
DERIVED_METRICS = ("occupancy", "occupancy_planned_residents", "voters")
ESTATE_ONLY = ("waiting_pool",)

UNITS = {
    "flats_delivered": "flats", "households": "households", "signed_waiting": "households",
    "residents": "persons", "low_income_residents": "persons", "disabled_residents": "persons",
    "voters_hukou": "persons", "voters_tenant": "persons", "voters_worker": "persons", "voters": "persons",
    "move_ins": "households per month", "move_outs": "households per month",
    "evictions": "households per month", "births": "persons per month", "deaths": "persons per month",
    "elected": "1 if elected (estate: communities elected)", "staff": "full-time workers",
    "resident_groups": "groups", "grids": "grids", "occupancy": "share of flats",
    "occupancy_planned_residents": "share of planned residents", "waiting_pool": "applicants",
}


def metric_names(params: Params) -> tuple[str, ...]:
    """Every recorded metric, in the order of the series array's last axis."""
    return (FLAT_METRICS + PERSON_METRICS_HEAD + tuple(params.age_bands) + PERSON_METRICS_TAIL
            + FLOW_METRICS + COMMUNITY_METRICS + DERIVED_METRICS + tuple(s.metric for s in params.services)
            + ESTATE_ONLY)


def units_of(params: Params) -> dict[str, str]:
    out = dict(UNITS)
    for name, (low, high) in params.age_bands.items():
        out[name] = f"persons aged {low}-{high}" if high is not None else f"persons aged {low}+"
    for s in params.services:
        out[s.metric] = f"{s.unit} ({s.rule_id})"
    return out


class Lookup:
    """A rule's scalar formula over many whole counts at once: each distinct count computed once and
    kept in a growing table (counts repeat month after month)."""

    def __init__(self, fn: Callable[[int], float]) -> None:
        self.fn = fn
        self.table = np.full(0, np.nan)

    def __call__(self, counts: np.ndarray) -> np.ndarray:
        counts = np.asarray(counts).astype(np.int64)
        if counts.size == 0:
            return np.zeros(counts.shape)
        top = int(counts.max())
        if top >= len(self.table):
            self.table = np.concatenate([self.table, np.full(top + 1 - len(self.table), np.nan)])
        values = self.table[counts]
        if np.isnan(values).any():
            for n in np.unique(counts[np.isnan(values)]):
                self.table[n] = self.fn(int(n))
            values = self.table[counts]
        return values


class Census:
    """How the month's head count is kept: per community, residents by age partition (the years between
    consecutive edges of the age bands and the voting age), group (voter category × low income) and
    disability, in cells updated as people arrive, age, die and leave (``sim.events``); ``matrix`` turns
    the cells into the person metrics ``names``."""

    GROUPS = GROUPS  # voter category (hukou / tenant eligible / tenant not yet eligible) × low income

    def __init__(self, params: Params) -> None:
        self.params = params
        bounds = {0, params.voting_age}
        for low, high in params.age_bands.values():
            bounds.add(low)
            if high is not None:
                bounds.add(high + 1)
        self.edges = np.array(sorted(bounds))
        self.parts = len(self.edges)
        oldest_months = (int(params.band_high.max()) + 1) * MONTHS_PER_YEAR + params.horizon + 1
        years = np.arange(oldest_months + 1) // MONTHS_PER_YEAR
        # age in months → its partition (the years between consecutive edges)
        self.partition = (np.searchsorted(self.edges, years, side="right") - 1).astype(np.int64)
        self.cells = self.GROUPS * 2 * self.parts        # one community's: group × disabled × partition
        self.names = PERSON_METRICS_HEAD + tuple(params.age_bands) + PERSON_METRICS_TAIL
        self.matrix = self._matrix()
        # the ages (months) at which someone's count changes: a partition's edge, childbearing's bounds
        low, high = params.fertile_ages
        crossings = {int(e) * MONTHS_PER_YEAR for e in self.edges if e > 0}
        crossings |= {low * MONTHS_PER_YEAR, (high + 1) * MONTHS_PER_YEAR}
        self.crossings = np.array(sorted(a for a in crossings if 0 < a < len(self.partition)), dtype=np.int64)

    def _matrix(self) -> np.ndarray:
        """(group, disabled, partition) → metric, as a 0/1 matrix."""
        g, d, p = np.meshgrid(np.arange(self.GROUPS), np.arange(2), np.arange(self.parts), indexing="ij")
        low = self.edges[p]
        cat, low_income = g % 3, g >= 3
        person = np.ones_like(g, dtype=bool)
        columns = {"residents": person, "low_income_residents": low_income, "disabled_residents": d == 1}
        voting = low >= self.params.voting_age
        columns["voters_hukou"] = voting & (cat == 0)
        columns["voters_tenant"] = voting & (cat == 1)
        for name, (a, b) in self.params.age_bands.items():
            columns[name] = (low >= a) & ((low <= b) if b is not None else True)
        return np.stack([columns[n].ravel() for n in self.names], axis=1).astype(np.float64)


class Recorder:
    """The series of one run: ``data[month, community, metric]``, the estate in the last row, filled
    from the compiled month's raw record (``record[month, community, column]``: flats by state, flows,
    census cells; ``building_record[month, building]``: occupied flats) by ``account``."""

    RAW_FLATS = 3      # delivered, occupied, signed (sim.population.C_*)

    def __init__(self, params: Params, census: Census | None = None, data: np.ndarray | None = None) -> None:
        self.params = params
        self.metrics = metric_names(params)
        self.index = {m: i for i, m in enumerate(self.metrics)}
        self.census = census if census is not None else Census(params)
        shape = (params.horizon, params.communities + 1, len(self.metrics))
        if data is not None and data.shape != shape:
            raise ValueError(f"data must have the shape {shape} (got {data.shape})")
        # ``data`` may be one replication's slice of a batch's array (sim.ensemble.run_chunk)
        self.data = data if data is not None else np.zeros(shape)
        width = self.RAW_FLATS + len(FLOW_METRICS) + self.census.cells
        self.record = np.zeros((params.horizon, params.communities, width), dtype=np.int32)
        self.building_record = np.zeros((params.horizon, len(params.building_units)), dtype=np.int32)
        self.pool_record = np.zeros(params.horizon, dtype=np.int64)
        self._person = [self.index[n] for n in self.census.names]
        self._flats = [self.index[n] for n in FLAT_METRICS]
        first = self.index[FLOW_METRICS[0]]
        self._flow_metrics = slice(first, first + len(FLOW_METRICS))      # consecutive in metric_names
        # [building, community]: 1 where the building is in the community
        self.membership = (params.building_community[:, None] == np.arange(params.communities)).astype(float)

    def account(self, start: int, stop: int, tables: RuleTables) -> None:
        """Fill ``data`` for months ``start`` … ``stop - 1`` from the raw record: flat counts (delivered,
        occupied, signed), flows, person metrics (cells × ``Census.matrix``), resident groups formed
        building by building (one table look-up for every building and month at once), the pool."""
        rows = self.data[start:stop, :-1]
        raw = self.record[start:stop]
        k = self.RAW_FLATS
        rows[..., self._flats] = raw[..., :k]                   # FLAT_METRICS: delivered, households, signed
        rows[..., self._flow_metrics] = raw[..., k:k + len(FLOW_METRICS)]
        rows[..., self._person] = raw[..., k + len(FLOW_METRICS):] @ self.census.matrix
        rows[..., self.index["resident_groups"]] = tables.groups(self.building_record[start:stop]) @ self.membership
        self.data[start:stop, -1, self.index["waiting_pool"]] = self.pool_record[start:stop]


def finish(data: np.ndarray, params: Params, rules: RuleSet, metrics: tuple[str, ...],
           tables: RuleTables | None = None) -> np.ndarray:
    """Fill the estate row and the derived metrics of a run's series (in place; returns it): each
    community's full-time staff (who are also voters) and grids from its households, then the estate
    row, shares, voters and service demand. ``data`` may have leading axes (a batch of replications:
    ``[replication, month, community, metric]``), finished all at once."""
    ix = {m: i for i, m in enumerate(metrics)}
    tables = tables if tables is not None else rule_tables(params, rules)
    lookups = tables.services
    households = data[..., :-1, ix["households"]]
    data[..., :-1, ix["staff"]] = tables.staff(households)
    data[..., :-1, ix["voters_worker"]] = data[..., :-1, ix["staff"]]
    data[..., :-1, ix["grids"]] = tables.grids(households)
    additive = [ix[m] for m in metrics if m not in DERIVED_METRICS + ESTATE_ONLY
                and m not in {s.metric for s in params.services}]
    data[..., -1, additive] = data[..., :-1, additive].sum(axis=-2)
    flats = np.append(params.community_flats, params.flats).astype(float)
    planned = np.append(params.planned_residents(), params.planned_residents().sum())
    data[..., ix["occupancy"]] = data[..., ix["households"]] / flats
    data[..., ix["occupancy_planned_residents"]] = data[..., ix["residents"]] / planned
    data[..., ix["voters"]] = (data[..., ix["voters_hukou"]] + data[..., ix["voters_tenant"]]
                               + data[..., ix["voters_worker"]])
    for s in params.services:
        base = data[..., ix[s.base if s.age_band is None else _age_metric(params, s.age_band)]]
        data[..., ix[s.metric]] = lookups[s.metric](base)
    return data


def _age_metric(params: Params, band: tuple[int, int | None]) -> str:
    return next(name for name, b in params.age_bands.items() if b == band)


@dataclass(frozen=True)
class RuleTables:
    """The rules' formulas over whole counts, as lookup tables: full-time staff and grids of a
    community's households, resident groups of one building's households, and each service's demand.
    Counts repeat from month to month and from one replication to the next, so an ensemble builds
    these once per chunk of replications and its models share them."""

    staff: Lookup
    groups: Lookup
    grids: Lookup
    services: dict[str, Lookup]
    election_measure: str           # the metric the election threshold is on: residents or households
    election_needs: np.ndarray      # per community, the least whole measure at which the election is due


def rule_tables(params: Params, rules: RuleSet) -> RuleTables:
    """Empty tables of the formulas in ``standards.formulas`` (filled as counts appear), and each
    community's election threshold as a whole count."""
    basis = rules.role("election_trigger").value.basis
    return RuleTables(staff=Lookup(lambda n: formulas.required_staff(n, rules)),
                      groups=Lookup(lambda n: formulas.groups_in_building(n, rules)),
                      grids=Lookup(lambda n: formulas.grids(n, rules)),
                      services=service_lookups(params, rules),
                      election_measure="residents" if basis == "planned_residents" else "households",
                      election_needs=election_needs(params, rules))


def election_needs(params: Params, rules: RuleSet) -> np.ndarray:
    """Per community, the least whole count of the election's measure (residents, or occupied flats) at
    which ``formulas.election_due`` holds; +inf where none up to every flat full of the largest
    households does. The rule reads "the measure reaches the threshold share (≥)", so it holds from
    that count up, and bisection finds it."""
    planned = params.planned_residents()
    top = int(params.flats * (params.size_values.max() + params.horizon)) + 1    # no count reaches this
    out = np.full(params.communities, np.inf)
    for c in range(params.communities):
        def due(n: int, c: int = c) -> bool:
            return formulas.election_due(residents=n, planned_residents=float(planned[c]), occupied=n,
                                         flats=int(params.community_flats[c]), rules=rules)
        if not due(top):
            continue
        low, high = 0, top              # due(low) is false (nothing is due at 0), due(high) true
        while high - low > 1:
            mid = (low + high) // 2
            low, high = (low, mid) if due(mid) else (mid, high)
        out[c] = high
    return out


def service_lookups(params: Params, rules: RuleSet) -> dict[str, Lookup]:
    """The sizing formula of each service (``ratio_count`` for a ratio rule, ``band_value`` for bands)."""
    out = {}
    for s in params.services:
        rule = rules.rule(s.rule_id)
        if isinstance(rule.value, Bands):
            out[s.metric] = Lookup(lambda n, rule=rule: formulas.band_value(n, rule) if n > 0 else 0.0)
        else:
            out[s.metric] = Lookup(lambda n, rule=rule: formulas.ratio_count(n, rule))
    return out
