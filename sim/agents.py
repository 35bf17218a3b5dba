"""The model's agents: the households (one Mesa agent holding every household as columns), the housing
authority, and one agent per community.

The households' and the authority's rules are one compiled function each in ``sim/events.py``, run in
the month's order by ``events.advance``; the agents here hold the state and name the parts of the
month. The communities are ordinary Mesa agents that read each month's counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim import events
from sim.population import POOL, Population
from standards import formulas

if TYPE_CHECKING:
    from sim.model import EstateModel


class Households(mesa.Agent):
    """Every household of the estate, as columns (``sim.population.Population``). Advancing them runs
    the whole month of the flats and people (the authority's deliveries and allocation rounds, moves,
    ageing, births, deaths, leaving) in one compiled call, or several months in one."""

    def __init__(self, model: "EstateModel", inputs: events.Inputs) -> None:
        super().__init__(model)
        self.inputs = inputs
        self.pop = Population(model.params, inputs.partition, model.recorder.census.parts)

    def advance(self, start: int, stop: int) -> None:
        events.run_months(self.model.rng, self.pop, self.model.recorder, self.inputs, start, stop)


class HousingAuthority(mesa.Agent):
    """Opens flats as buildings are delivered and lets them from the waiting pool in allocation rounds
    at the scenario's cadence; vacated flats are let again in the next round (``events.deliver``,
    ``events.allocation_round``, run within the households' month)."""

    @property
    def waiting_pool(self) -> int:
        return int(self.model.households.pop.counters[POOL])


class Community(mesa.Agent):
    """One community of the split: a preparatory group from its first move-in, the residents' committee
    elected in the first month the regime's threshold holds (role ``election_trigger``), and resident
    groups formed building by building as households arrive. (Full-time staff and grids follow from each
    month's households alone: ``sim.reporting.finish`` fills them in for every month at once.)"""

    def __init__(self, model: "EstateModel", index: int) -> None:
        super().__init__(model)
        p = model.params
        self.index = index
        self.community_id = p.community_ids[index]
        self.flats = int(p.community_flats[index])
        self.planned_residents = formulas.planned_residents(self.flats, p.persons_per_household)
        self.needs = float(model.tables.election_needs[index])   # the election measure's threshold
        self.preparatory_group_month: int | None = None
        self.election_month: int | None = None

    def account(self, start: int, households: np.ndarray, measure: np.ndarray) -> np.ndarray:
        """Read months ``start`` … of this community's households and election measure; returns whether
        the committee stands elected in each."""
        if self.preparatory_group_month is None and (households > 0).any():
            self.preparatory_group_month = start + int(np.argmax(households > 0))
        if self.election_month is None:
            due = measure >= self.needs
            if due.any():
                self.election_month = start + int(np.argmax(due))
        if self.election_month is None:
            return np.zeros(len(measure), dtype=bool)
        return np.arange(start, start + len(measure)) >= self.election_month
