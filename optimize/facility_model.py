"""The facility plan as a multi-period capacity MIP (PuLP; HiGHS by default, CBC as an alternative).

Which facility modules to open, and when, so that each service's demand is covered over the horizon at
least capital plus running cost. ``optimize.facilities`` turns a scenario and the simulation's demand into
the inputs (``ServiceInput``) and the solution into a ``FacilityPlan``; this module holds only the maths.

Sets: services s (kindergarten, primary, junior_middle, eldercare, clinic); modules k ∈ K_s of size q_k
(classes, beds or m²; the cited sizes of ``facilities.kindergarten_modules``, ``facilities.school_modules``,
``facilities.eldercare_modules``, ``facilities.clinic_modules``); opening periods p ∈ P_s, each starting at
month t_p and running to the next period's start (schools and kindergartens open in September,
``facilities.school_year_start_month``; eldercare and clinics at the start of each quarter from the
scenario start, ``facilities.opening_interval``); calendar years y of the horizon.

Data: D_sp = the highest monthly demand of service s in period p (the P50 or P90 band of the sizing
rule's metric, ``facilities.demand_quantile``): capacity open at t_p covers every month of the period;
C_k = capital of module k (in the calendar year of t_p); R_kp = its running cost from t_p to the horizon's
end; A_kpy = what module k opened in period p costs in year y (its capital if t_p falls in y, plus its
running in the months of y from t_p on); H_y = the budget headroom in year y (the cap less what the
community's own costs take, floored at 0; only when the scenario sets a cap); S_s = ``max_sites`` of s.

Variables: n_kp ∈ ℤ≥0 modules of size k opened at the start of period p (capacity once opened stays open);
u_sp ≥ 0 unmet demand of s at the peak of period p (the slack that keeps the model feasible).

    min  Σ_kp (C_k + R_kp + F_s) n_kp + Σ_sp W_s L_p u_sp

    (1) ``<sizing rule>.cover[s,p]``   Σ_{k∈K_s, p'≤p} q_k n_kp' + u_sp ≥ D_sp    demand covered each period
    (2) ``facilities.max_sites[s]``    Σ_{k∈K_s, p} n_kp ≤ S_s                     at most S_s sites (if set)
    (3) ``costs.budget_cap[y]``        Σ_kp A_kpy n_kp ≤ H_y                      within the cap (if set)

F_s (``facilities.site_weight`` × the capital of the service's smallest module) is a preference for fewer,
larger sites: capital is not discounted, so without it nothing stops many small modules opened just in
time; it is not a cost and is not in the budget. L_p is the period's length in months, so u is weighed per
unit-month. W_s = 2 ρ_s max_k (C_k + R_k·) per
unit-month, with ρ_s = 2^(rank from the end) in the order of ``money.cap_priority`` (compulsory
education first): one unit-month unmet costs more than any module, so demand is always covered when
(2) and (3) allow, and under a cap the services are traded in the priority order. n_kp = 0, u = D is
always feasible, so the model always solves. Costs are in million CNY in the objective to keep the
coefficients of the model within a few orders of magnitude.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pulp

from optimize.solver import SolveResult, solve


@dataclass(frozen=True)
class ModuleInput:
    """One module size of a service, its capital and its running cost per year by calendar year."""

    size: float
    capital_cny: dict[int, float]            # calendar year of opening → capital of the whole module
    running_cny_per_year: dict[int, float]   # calendar year → running cost of the whole module that year


@dataclass(frozen=True)
class ServiceInput:
    """What the model needs of one service."""

    name: str
    cover_rule: str                       # the sizing rule id, for the names of constraints (1)
    demand: tuple[float, ...]             # monthly demand over the horizon, in the service's unit
    modules: tuple[ModuleInput, ...]
    openings: tuple[int, ...]             # months at which a module may open (period starts), ascending
    max_sites: int | None
    priority: float                       # ρ_s
    site_weight: float = 0.0              # F_s, CNY per site opened (a preference, not a cost)


@dataclass(frozen=True)
class ModelResult:
    """The solver's answer: modules opened (service, module index, opening month, count) and the status."""

    opened: tuple[tuple[str, int, int, int], ...]
    solve: SolveResult


MILLION = 1e6  # CNY per objective unit (a scaling, not a figure)


def year_of(month: int, start_year: int, start_month: int) -> int:
    """Calendar year of a month counted from the scenario's start month (1–12)."""
    return start_year + (start_month - 1 + month) // 12


class FacilityModel:
    """The MIP of the module docstring, built by ``build`` and solved by ``solve``."""

    def __init__(self, problem: pulp.LpProblem, n: dict, u: dict, services: tuple[ServiceInput, ...]) -> None:
        self.problem, self.n, self.u, self.services = problem, n, u, services

    @classmethod
    def build(cls, services: tuple[ServiceInput, ...], months: int, start_year: int, start_month: int,
              headroom: dict[int, float] | None = None) -> "FacilityModel":
        p = pulp.LpProblem("facility_plan", pulp.LpMinimize)
        n, u = cls._variables(p, services)
        yearly = cls._yearly_costs(services, months, start_year, start_month)
        cls._objective(p, services, n, u, yearly, months)
        cls._cover(p, services, n, u, months)                                   # (1)
        cls._max_sites(p, services, n)                                          # (2)
        if headroom is not None:
            cls._budget_cap(p, services, n, yearly, headroom)                  # (3)
        return cls(p, n, u, services)

    @staticmethod
    def _periods(s: ServiceInput, months: int) -> list[tuple[int, int]]:
        """(start, end) of each opening period of ``s`` within the horizon."""
        starts = [t for t in s.openings if t < months]
        return [(t, starts[i + 1] if i + 1 < len(starts) else months) for i, t in enumerate(starts)]

    @staticmethod
    def _variables(p: pulp.LpProblem, services: tuple[ServiceInput, ...]) -> tuple[dict, dict]:
        n, u = {}, {}
        for s in services:
            for t in s.openings:
                for k, m in enumerate(s.modules):
                    top = math.ceil(max(s.demand, default=0.0) / m.size) + 1
                    n[s.name, k, t] = p.add_variable(f"n_{s.name}_{k}_{t}", 0, top, pulp.LpInteger)
                u[s.name, t] = p.add_variable(f"u_{s.name}_{t}", 0, None, pulp.LpContinuous)
        return n, u

    @staticmethod
    def _yearly_costs(services: tuple[ServiceInput, ...], months: int, start_year: int,
                      start_month: int) -> dict[tuple[str, int, int], dict[int, float]]:
        """A_kpy: for each (service, module, opening month), its cost in each calendar year, CNY."""
        out: dict[tuple[str, int, int], dict[int, float]] = {}
        for s in services:
            for t in s.openings:
                for k, m in enumerate(s.modules):
                    opening_year = year_of(t, start_year, start_month)
                    by_year: dict[int, float] = {opening_year: m.capital_cny[opening_year]}
                    for month in range(t, months):
                        y = year_of(month, start_year, start_month)
                        by_year[y] = by_year.get(y, 0.0) + m.running_cny_per_year[y] / 12
                    out[s.name, k, t] = by_year
        return out

    @classmethod
    def _objective(cls, p, services, n, u, yearly, months) -> None:
        terms = []
        for s in services:
            worst = max((sum(yearly[s.name, k, t].values()) for k in range(len(s.modules)) for t in s.openings),
                        default=0.0)
            weight = 2 * s.priority * max(worst, 1.0) / MILLION
            for t, end in cls._periods(s, months):
                terms.append(weight * (end - t) * u[s.name, t])
                for k in range(len(s.modules)):
                    terms.append((sum(yearly[s.name, k, t].values()) + s.site_weight) / MILLION * n[s.name, k, t])
        p += pulp.lpSum(terms)

    @classmethod
    def _cover(cls, p, services, n, u, months) -> None:
        for s in services:
            opened: list = []
            for t, end in cls._periods(s, months):
                opened += [s.modules[k].size * n[s.name, k, t] for k in range(len(s.modules))]
                peak = max(s.demand[t:end], default=0.0)
                p += pulp.lpSum(opened) + u[s.name, t] >= peak, f"{s.cover_rule}.cover[{s.name},{t}]"

    @staticmethod
    def _max_sites(p, services, n) -> None:
        for s in services:
            if s.max_sites is not None:
                p += (pulp.lpSum(n[s.name, k, t] for t in s.openings for k in range(len(s.modules))) <= s.max_sites,
                      f"facilities.max_sites[{s.name}]")

    @staticmethod
    def _budget_cap(p, services, n, yearly, headroom) -> None:
        for y, room in sorted(headroom.items()):
            terms = [cost[y] / MILLION * n[key] for key, cost in yearly.items() if y in cost]
            if terms:
                p += pulp.lpSum(terms) <= max(0.0, room) / MILLION, f"costs.budget_cap[{y}]"

    def solve(self, solver: str, time_limit: float, gap: float) -> ModelResult:
        result = solve(self.problem, solver, time_limit, gap)
        opened = []
        for (name, k, t), var in sorted(self.n.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1])):
            count = int(round(var.varValue or 0.0))
            if count > 0:
                opened.append((name, k, t, count))
        return ModelResult(tuple(opened), result)
