"""The one resolver: a scenario field or a rule id turned into a number (or table) for a given year, on the
scenario's rule set with its overrides applied.

A scenario field such as ``households.persons_per_household`` holds either the scenario's own number or
the id of a published figure (``demography.persons_per_household_cq_prh``). ``Figures(scenario, rules)``
resolves both the same way for every engine: the simulation's parameters, the facility plan, the budget
and the outputs ask it, so an override of a figure reaches all of them or none.

>>> f = Figures(scenario, rules)
>>> f.field("households.persons_per_household")          # Figure(value=2.47, rule=..., ...)
>>> f.number("costs.reference_wage", year=2026)            # the by-year series' value for 2026
>>> f.series("costs.kindergarten_capital_cny_per_class")   # ((year, value), ...) for by-year figures
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scenarios.distributions import UNCERTAIN_FIELDS, Distribution
from scenarios.schema import Scenario
from standards.errors import InputError
from standards.ruleset import RuleSet
from standards.shapes import ByYear, Period, Quantity, Rates, Shares


@dataclass(frozen=True)
class Figure:
    """A resolved figure: its value, the field it was asked for, and where the value comes from."""

    field: str                 # the scenario field ("costs.staff_pay_cny_per_year") or the rule id asked for
    value: Any                 # a number, or a table {key: number} for shares and rates
    rule: str | None           # the rule id the value comes from; None when it is the scenario's own number
    citation: str | None = None
    year: int | None = None    # the year of a by-year figure whose value was taken
    overridden: bool = False   # the rule's value was replaced by one of the scenario's overrides

    @property
    def basis(self) -> str:
        """What sets the figure, as written in outputs: the rule id, or ``scenario:<field>``."""
        return self.rule if self.rule is not None else f"scenario:{self.field}"

    @property
    def source(self) -> str:
        """``scenario``, or ``<rule id>[ <year>] (<citation>)``."""
        if self.rule is None:
            return "scenario"
        year = f" {self.year}" if self.year is not None else ""
        return f"{self.rule}{year} ({self.citation})"


class Figures:
    """Resolves scenario fields and rule ids for one scenario and its rule set (overrides applied)."""

    def __init__(self, scenario: Scenario, rules: RuleSet) -> None:
        self.scenario = scenario
        self.rules = rules

    # ---- the scenario's fields ----------------------------------------------------------------------------

    def raw(self, path: str) -> Any:
        """The field's value as written (or defaulted) in the scenario: a number, a table, a rule id or None."""
        value: Any = self.scenario
        for part in path.split("."):
            if not hasattr(value, part):
                raise InputError(f"{path}: is not a scenario field")
            value = getattr(value, part)
        return value

    def field(self, path: str, year: int | None = None, *, required_for: str | None = None) -> Figure:
        """The figure behind scenario field ``path`` (e.g. ``allocation.lease_months``) in ``year``."""
        value = self.raw(path)
        if value is None:
            raise InputError(f"{path} is required{f' to plan {required_for}' if required_for else ''}: no published "
                             f"figure is shipped for it; give the local figure in the scenario's [{path.split('.')[0]}]")
        if isinstance(value, str):
            return self.rule(value, year, asked=path)
        if isinstance(value, Distribution):   # an uncertain input: engines that need one number take its median
            return Figure(path, value.central(UNCERTAIN_FIELDS[path]), None)
        if isinstance(value, dict):
            return Figure(path, dict(value), None)
        return Figure(path, value, None)

    def number(self, path: str, year: int | None = None, *, required_for: str | None = None) -> float:
        """The field's single number in ``year``; a table of rates counts as its sum."""
        return _as_number(self.field(path, year, required_for=required_for))

    def series(self, path: str, *, required_for: str | None = None) -> tuple[tuple[int | None, float], ...]:
        """A money field by year: ``((year, value), …)`` for a by-year figure, else one entry keyed None."""
        value = self.raw(path)
        if isinstance(value, str):
            rule = self._rule(value, path)
            if isinstance(rule.value, ByYear):
                return tuple((int(y), float(v)) for y, v in rule.value.values)
        return ((None, self.number(path, required_for=required_for)),)

    def basis(self, path: str) -> str:
        """``<rule id>`` when the field names a figure, else ``scenario:<field>``."""
        value = self.raw(path)
        return value if isinstance(value, str) else f"scenario:{path}"

    # ---- rules ----------------------------------------------------------------------------------------------

    def rule(self, rule_id: str, year: int | None = None, *, asked: str | None = None) -> Figure:
        """The single figure of rule ``rule_id`` (a quantity, period, shares, rates or by-year rule) in ``year``."""
        rule = self._rule(rule_id, asked or rule_id)
        v = rule.value
        cite = str(rule.citation)
        over = rule.override_reason is not None
        where = asked or rule_id
        if isinstance(v, Quantity):
            return Figure(where, v.value, rule.id, cite, None, over)
        if isinstance(v, Period):
            return Figure(where, v.months, rule.id, cite, None, over)
        if isinstance(v, (Shares, Rates)):
            return Figure(where, v.as_dict(), rule.id, cite, None, over)
        if isinstance(v, ByYear):
            y, amount = v.latest(year)
            return Figure(where, amount, rule.id, cite, int(y), over)
        raise InputError(f"{where} names {rule_id}, a {rule.shape}, which has no single figure")

    def _rule(self, rule_id: str, where: str):
        try:
            return self.rules.rule(rule_id)
        except KeyError:
            raise InputError(f"{where} names {rule_id!r}, which is not a figure in the standards "
                             "(see `estate rules --all`)") from None


def _as_number(f: Figure) -> float:
    if isinstance(f.value, dict):
        return float(sum(f.value.values()))
    return float(f.value)


def figures_of(scenario: Scenario, rules: RuleSet | None = None) -> Figures:
    """The resolver of ``scenario`` (its own rule set when ``rules`` is not given)."""
    if rules is None:
        from scenarios.loader import rules_of
        rules = rules_of(scenario)
    return Figures(scenario, rules)
