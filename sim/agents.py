"""The model's agents: the households (one Mesa agent holding every household as columns), the housing
authority, and one agent per community.

The households' rules are one short function each in ``sim/events.py``; the methods here are their
names in the month's schedule. The authority and the communities are ordinary Mesa agents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim import events
from sim.population import Population
from standards import formulas

if TYPE_CHECKING:
    from sim.model import EstateModel


class Households(mesa.Agent):
    """Every household of the estate, as columns (``sim.population.Population``)."""

    def __init__(self, model: "EstateModel") -> None:
        super().__init__(model)
        self.pop = Population(model.params)

    def move_in(self) -> None:
        flats = events.move_in(self.pop, self.model.params, self.model.month)
        self.model.recorder.flow("move_ins", self.pop, flats)

    def age(self) -> None:
        events.age(self.pop)

    def give_birth(self) -> None:
        flats = events.give_birth(self.pop, self.model.params, self.model.rng)
        self.model.recorder.flow("births", self.pop, flats)

    def die(self) -> None:
        flats = events.die(self.pop, self.model.params, self.model.rng)
        self.model.recorder.flow("deaths", self.pop, flats)

    def end_leases(self) -> None:
        flats = events.end_leases(self.pop, self.model.params, self.model.rng, self.model.month)
        self.model.recorder.flow("move_outs", self.pop, flats)

    def move_out(self) -> None:
        flats = events.move_out(self.pop, self.model.params, self.model.rng)
        self.model.recorder.flow("move_outs", self.pop, flats)

    def evict_sublets(self) -> None:
        flats = events.evict_sublets(self.pop, self.model.params, self.model.rng)
        self.model.recorder.flow("move_outs", self.pop, flats)
        self.model.recorder.flow("evictions", self.pop, flats)


class HousingAuthority(mesa.Agent):
    """Opens flats as buildings are delivered and lets them from the waiting pool in allocation rounds
    at the scenario's cadence; vacated flats are let again in the next round."""

    def __init__(self, model: "EstateModel") -> None:
        super().__init__(model)
        self.waiting_pool = model.params.waiting_pool

    def deliver_buildings(self) -> None:
        events.deliver(self.model.households.pop, self.model.params, self.model.month)

    def run_allocation_rounds(self) -> None:
        model = self.model
        if model.month > 0:
            self.waiting_pool += model.params.new_applicants
        for _ in range(int(model.params.rounds[model.month])):
            signed = events.accept_offers(model.households.pop, model.params, model.rng, model.month,
                                          self.waiting_pool)
            self.waiting_pool -= len(signed)

    def step(self) -> None:
        self.deliver_buildings()
        self.run_allocation_rounds()


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
        self.preparatory_group_month: int | None = None
        self.election_month: int | None = None

    def step(self) -> None:
        model, rules = self.model, self.model.rules
        rec, month = model.recorder, model.month
        row = rec.data[month, self.index]
        households, residents = int(row[rec.index["households"]]), int(row[rec.index["residents"]])
        if self.preparatory_group_month is None and households > 0:
            self.preparatory_group_month = month
        if self.election_month is None and formulas.election_due(
                residents=residents, planned_residents=self.planned_residents, occupied=households,
                flats=self.flats, rules=rules):
            self.election_month = month
        row[rec.index["elected"]] = self.election_month is not None
        row[rec.index["resident_groups"]] = model.community_groups[self.index]

