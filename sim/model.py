"""``EstateModel``: how a public-rental estate fills, month by month (one step = one month).

Build it from a validated scenario and its rule set; all randomness comes from the model's own
generator (``self.rng``), seeded by the scenario's seed unless ``rng`` is given.

>>> from scenarios import load, rules_of
>>> s = load("scenarios/small-2400.toml")
>>> m = EstateModel(s, rules_of(s))
>>> m.run()
>>> m.election_months()            # community id → first month the threshold held (None: never)
"""

from __future__ import annotations

import mesa
import numpy as np

from scenarios.schema import Scenario
from scenarios.split import Split
from sim.agents import Community, HousingAuthority, Households
from sim.events import Inputs, inputs_of
from sim.params import Params, params_of
from sim.reporting import Census, Recorder, RuleTables, finish, rule_tables
from standards.errors import InputError
from standards.ruleset import RuleSet


class EstateModel(mesa.Model):
    """The estate: the housing authority, the households (as columns) and one agent per community."""

    def __init__(self, scenario: Scenario, rules: RuleSet, split: Split | None = None, *,
                 rng: np.random.Generator | np.random.SeedSequence | int | None = None,
                 params: Params | None = None, tables: RuleTables | None = None,
                 census: Census | None = None, inputs: Inputs | None = None,
                 data: np.ndarray | None = None) -> None:
        if rng is None:
            rng = scenario.seed
        if isinstance(rng, bool) or not isinstance(rng, (int, np.integer, np.random.SeedSequence,
                                                         np.random.Generator)):
            raise InputError(f"rng must be a seed (int), a numpy SeedSequence or Generator (got {type(rng).__name__})")
        if isinstance(rng, (int, np.integer)) and rng < 0:
            raise InputError(f"rng: a seed must be ≥ 0 (got {rng})")
        super().__init__(rng=np.random.default_rng(rng))
        self.params = params if params is not None else params_of(scenario, rules, split)
        self.rules = rules
        self.month = 0
        self.recorder = Recorder(self.params, census, data)
        self.tables = tables if tables is not None else rule_tables(self.params, rules)
        self.authority = HousingAuthority(self)
        inputs = inputs if inputs is not None else inputs_of(self.params, self.recorder.census)
        self.households = Households(self, inputs)
        self.communities = [Community(self, i) for i in range(self.params.communities)]

    def step(self) -> None:
        """One month: deliver → allocation rounds (offers, acceptances, signing) → move in → age →
        births, deaths → lease ends, voluntary exits, subletting evicted (their flats are let again in
        the next round) → communities check the election threshold, form groups and grids → record."""
        if self.month >= self.params.horizon:
            self.running = False
            return
        self._advance(self.month + 1)

    def run(self) -> None:
        """Step to the horizon (every remaining month in one compiled call)."""
        self._advance(self.params.horizon)
        self.running = False

    def _advance(self, stop: int) -> None:
        start = self.month
        if stop <= start:
            return
        self.households.advance(start, stop)
        self.month = stop
        self.recorder.account(start, stop, self.tables)
        data, ix = self.recorder.data, self.recorder.index
        households = data[start:stop, :-1, ix["households"]]
        measure = data[start:stop, :-1, ix[self.tables.election_measure]]
        for c in self.communities:
            data[start:stop, c.index, ix["elected"]] = c.account(start, households[:, c.index],
                                                                 measure[:, c.index])

    @property
    def waiting_pool(self) -> int:
        return self.authority.waiting_pool

    def election_months(self) -> dict[str, int | None]:
        return {c.community_id: c.election_month for c in self.communities}

    def series(self) -> np.ndarray:
        """The recorded months as ``[month, community (estate last), metric]``, derived metrics filled."""
        data = self.recorder.data[: self.month].copy()
        return finish(data, self.params, self.rules, self.recorder.metrics, self.tables)

    @property
    def metrics(self) -> tuple[str, ...]:
        return self.recorder.metrics
