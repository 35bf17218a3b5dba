"""The reference model: the same rules as ``EstateModel``, written plainly, one ``mesa.Agent`` per
household with its own ``step()``. Its jobs are to make the rules easy to read and to check the fast
model (``tests/sim/test_reference.py``). It is plain Python over agents, so it is slow.

It reports the main series only: households, residents, children by age band, the elderly, and each
community's election month.
"""

from __future__ import annotations

import mesa
import numpy as np

from scenarios.schema import Scenario
from scenarios.split import Split
from sim.params import MONTHS_PER_YEAR, Params, params_of
from standards import formulas
from standards.ruleset import RuleSet

REFERENCE_METRICS = ("households", "residents")


class Household(mesa.Agent):
    """One household: its flat, its members' ages (months) and disability, hukou, low income, lease."""

    def __init__(self, model: "ReferenceModel", flat: int, move_in_month: int) -> None:
        super().__init__(model)
        p, rng = model.params, model.rng
        self.flat = flat
        self.community = int(model.flat_community[flat])
        self.moved_in = False
        self.move_in_month = move_in_month
        self.lease_start = -1
        size = int(rng.choice(p.size_values, p=p.size_probs))
        self.ages = [self._draw_age(p.head_band_low, p.head_band_high, p.head_band_probs)]
        self.ages += [self._draw_age(p.band_low, p.band_high, p.band_probs) for _ in range(size - 1)]
        self.disabled = [bool(rng.random() < p.disabled_share) for _ in self.ages]
        self.local = bool(rng.random() >= p.non_local_share)
        self.low_income = bool(rng.random() < p.low_income_share)

    def _draw_age(self, low: np.ndarray, high: np.ndarray, probs: np.ndarray) -> int:
        rng = self.model.rng
        band = int(rng.choice(len(probs), p=probs))
        years = int(low[band]) + int(rng.random() * (int(high[band]) - int(low[band]) + 1))
        return years * MONTHS_PER_YEAR + int(rng.integers(0, MONTHS_PER_YEAR))

    def fertile(self) -> bool:
        low, high = self.model.params.fertile_ages
        return any(low * MONTHS_PER_YEAR <= a < (high + 1) * MONTHS_PER_YEAR for a in self.ages)

    def step(self) -> None:
        """This household's month, in the fast model's order."""
        model, p, rng, month = self.model, self.model.params, self.model.rng, self.model.month
        if not self.moved_in:
            if self.move_in_month <= month:
                self.moved_in, self.lease_start = True, month
            else:
                self.ages = [a + 1 for a in self.ages]
                return
        self.ages = [a + 1 for a in self.ages]
        if self.fertile() and rng.random() < model.birth_probability:
            self.ages.append(0)
            self.disabled.append(bool(rng.random() < p.disabled_share))
        survivors = [rng.random() >= p.death_monthly for _ in self.ages]
        self.ages = [a for a, s in zip(self.ages, survivors) if s]
        self.disabled = [d for d, s in zip(self.disabled, survivors) if s]
        served = month - self.lease_start
        if not self.ages:
            self.leave()
        elif served > 0 and served % p.lease_months == 0 and rng.random() >= p.renewal_rate:
            self.leave()
        elif rng.random() < p.exit_monthly or rng.random() < p.sublet_monthly:
            self.leave()

    def leave(self) -> None:
        self.model.vacant.add(self.flat)
        self.remove()


class ReferenceModel(mesa.Model):
    """The estate with one agent per household; the authority's rounds written as a loop over flats."""

    def __init__(self, scenario: Scenario, rules: RuleSet, split: Split | None = None, *,
                 rng: np.random.Generator | np.random.SeedSequence | int | None = None) -> None:
        super().__init__(rng=np.random.default_rng(scenario.seed if rng is None else rng))
        self.params: Params = params_of(scenario, rules, split)
        self.rules = rules
        self.month = 0
        p = self.params
        self.flat_building = np.repeat(np.arange(len(p.building_units)), p.building_units)
        self.flat_community = p.building_community[self.flat_building]
        self.offsets = np.concatenate([[0], np.cumsum(p.building_units)])
        self.vacant: set[int] = set()
        self.pool = p.waiting_pool
        self.birth_probability = 0.0
        self.planned = p.planned_residents()
        self.election_month: list[int | None] = [None] * p.communities
        self.series = {m: np.zeros((p.horizon, p.communities)) for m in REFERENCE_METRICS + tuple(p.age_bands)}

    def households(self) -> list[Household]:
        return list(self.agents_by_type.get(Household, []))

    def deliver(self) -> None:
        for b in np.flatnonzero(self.params.building_delivery == self.month):
            self.vacant.update(range(int(self.offsets[b]), int(self.offsets[b + 1])))

    def allocation_round(self) -> None:
        p, rng = self.params, self.rng
        for flat in sorted(self.vacant):
            if self.pool <= 0:
                break
            if rng.random() < p.round_share:
                if rng.random() < p.acceptance:
                    self.vacant.discard(flat)
                    self.pool -= 1
                    Household(self, flat, self.month + int(rng.integers(p.delay_min, p.delay_max + 1)))

    def set_birth_probability(self) -> None:
        """The crude birth rate over all residents, spread over the households with a member of
        childbearing age (after this month's ageing, as in the fast model)."""
        residents, fertile = 0, 0
        for h in self.households():
            if h.moved_in or h.move_in_month <= self.month:
                residents += len(h.ages)
                aged = [a + 1 for a in h.ages]
                low, high = self.params.fertile_ages
                fertile += any(low * MONTHS_PER_YEAR <= a < (high + 1) * MONTHS_PER_YEAR for a in aged)
        self.birth_probability = min(1.0, self.params.birth_monthly * residents / fertile) if fertile else 0.0

    def step(self) -> None:
        p = self.params
        self.deliver()
        if self.month > 0:
            self.pool += p.new_applicants
        for _ in range(int(p.rounds[self.month])):
            self.allocation_round()
        self.set_birth_probability()
        for household in self.households():
            household.step()
        self.record()
        self.month += 1

    def record(self) -> None:
        p, m = self.params, self.month
        for h in self.households():
            if not h.moved_in:
                continue
            self.series["households"][m, h.community] += 1
            self.series["residents"][m, h.community] += len(h.ages)
            for name, (low, high) in p.age_bands.items():
                self.series[name][m, h.community] += sum(
                    1 for a in h.ages if a // MONTHS_PER_YEAR >= low and (high is None or a // MONTHS_PER_YEAR <= high))
        for c in range(p.communities):
            if self.election_month[c] is None and formulas.election_due(
                    residents=self.series["residents"][m, c], planned_residents=self.planned[c],
                    occupied=int(self.series["households"][m, c]), flats=int(p.community_flats[c]),
                    rules=self.rules):
                self.election_month[c] = m

    def run(self) -> None:
        while self.month < self.params.horizon:
            self.step()
