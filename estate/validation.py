"""Validate means runnable: ``runnable(path)`` loads a scenario (``scenarios.load``: every field, its
type, bounds, references and overrides) and then resolves every figure a run will use, the way the run
resolves it, so that `estate validate` saying ok means `estate run` will not trip on the file:

- the simulation's parameters (``sim.params.params_of``: rates, lease, household sizes, age profile,
  service sizing rules, with overrides applied);
- every money figure of the budget and the facility plan, through the one resolver
  (``scenarios.figures.Figures``) over the service registry (``scenarios.services``; a service the
  facility plan sizes needs its capital and running cost: eldercare's has no published default), each
  finite, ≥ 0 and at most ``scenarios.schema.MAX_CNY``, overrides included;
- the memory a run would need (the split's distance tables grow with buildings², the simulation's
  series with replications × months × communities × metrics), refused above ``MEMORY_LIMIT_BYTES``.

Every message names the file and the field. The figures are resolved by the engines' own resolver and
registry, so this module holds no rule.
"""

from __future__ import annotations

import math
from pathlib import Path

from scenarios import load, rules_of
from scenarios.schema import MAX_CNY, Scenario
from standards.errors import InputError
from standards.ruleset import RuleSet

MEMORY_LIMIT_BYTES = 8 * 2**30   # what one run may ask for; CI's and a planner's laptop both have more
SPLIT_BYTES_PER_PAIR = 16        # the split's building-by-building tables (distances, and the costs built on them)
SERIES_BYTES_PER_VALUE = 20      # the series (float32) as returned and stacked, and np.percentile's float64 copies
PERSON_BYTES_PER_FLAT = 400      # one model's arrays per flat (households and persons), per worker


def _labelled(label: str, message: str) -> str:
    return message if message.startswith(f"{label}:") else f"{label}: {message}"


def runnable(path: str | Path, replications: int | None = None, workers: int = 1) -> tuple[Scenario, RuleSet]:
    """The scenario at ``path`` and its rules, once everything a run resolves has been resolved;
    otherwise ``InputError`` with every problem, one line each."""
    label = str(path)
    scenario = load(path)
    rules = rules_of(scenario, label=label)
    errors = check(scenario, rules, label, replications=replications, workers=workers)
    if errors:
        raise InputError(errors)
    return scenario, rules


def check(scenario: Scenario, rules: RuleSet, label: str, *, replications: int | None = None,
          workers: int = 1) -> list[str]:
    """The problems a run of ``scenario`` would trip on (see the module's docstring)."""
    from scenarios.figures import Figures
    from scenarios.services import PLANNED
    from sim.params import params_of
    from sim.reporting import metric_names

    errors: list[str] = []

    def attempt(fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            errors.extend(_labelled(label, m) for m in exc.messages)
        except (ValueError, TypeError, ArithmeticError, KeyError) as exc:
            errors.append(f"{label}: {type(exc).__name__}: {exc}")
        return None

    params = attempt(params_of, scenario, rules)

    figures = Figures(scenario, rules)
    money = [("staff_pay_cny_per_year", None), ("reference_wage", None)]
    money += [(s.capital.name, None) for s in PLANNED]
    money += [(s.running.name, s.name) for s in PLANNED
              if s.running.required or figures.raw(f"costs.{s.running.name}") is not None]
    for name, service in money:
        found = attempt(figures.series, f"costs.{name}", required_for=service)
        if found is None:
            continue
        for year, value in found:
            if not (math.isfinite(value) and 0 <= value <= MAX_CNY):
                when = f" for {year}" if year else ""
                basis = figures.basis(f"costs.{name}")
                source = "scenario" if basis.startswith("scenario:") else basis
                errors.append(f"{label}: costs.{name} resolves to {value!r}{when} ({source}); "
                              f"a sum of money must be finite, ≥ 0 and ≤ {MAX_CNY:.0e} CNY")
    insurance = attempt(lambda: figures.field("costs.employer_insurance", scenario.start_year).value)
    if isinstance(insurance, dict):
        for k, v in insurance.items():
            if not (isinstance(v, (int, float)) and math.isfinite(v) and 0 <= v <= 1):
                errors.append(f"{label}: costs.employer_insurance.{k} must be a rate between 0 and 1 (got {v!r})")

    if params is not None:
        need = memory_needed(scenario, rules, len(metric_names(params)), replications, workers)
        if need > MEMORY_LIMIT_BYTES:
            n = len(scenario.buildings)
            errors.append(f"{label}: buildings: a run would need about {need / 2**30:,.0f} GiB of memory "
                          f"({n:,} buildings, {replications or scenario.replications:,} replications × "
                          f"{scenario.horizon_months} months); the limit is {MEMORY_LIMIT_BYTES / 2**30:.0f} GiB "
                          "(merge buildings, or use fewer replications or a shorter horizon)")
    return errors


def _communities(scenario: Scenario, rules: RuleSet) -> int:
    """At most how many communities the split may make: the flats over the smallest community the
    regime's size rule allows (each building its own community where the rule has no lower bound)."""
    n = len(scenario.buildings)
    low = None
    if rules.has("community_households"):
        v = rules.role("community_households").value
        low = getattr(v, "min", None)
        if low is None and hasattr(v, "about"):
            low = v.about * (1 - v.tolerance)
    if not low or low <= 0:
        return n
    return max(1, min(n, math.ceil(scenario.total_units / low) + 1))


def memory_needed(scenario: Scenario, rules: RuleSet, metrics: int, replications: int | None = None,
                  workers: int = 1) -> int:
    """Bytes a run would need at its peak, roughly: the split's tables, the ensemble's series, and the
    models in the workers."""
    n = len(scenario.buildings)
    reps = replications or scenario.replications
    columns = _communities(scenario, rules) + 1          # the estate is a column too
    split = SPLIT_BYTES_PER_PAIR * n * n
    series = SERIES_BYTES_PER_VALUE * reps * scenario.horizon_months * columns * metrics
    models = PERSON_BYTES_PER_FLAT * scenario.total_units * max(1, workers)
    return int(split + series + models)
