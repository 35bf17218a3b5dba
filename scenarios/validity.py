"""The notices of a scenario whose months fall outside the dates of a rule it applies (for the CLI, the
report and the app): ``notices(scenario, rules=None) -> tuple[str, ...]``, one line per document (or rule)
naming its rules and their dates. The rules still apply; the notice says so."""

from __future__ import annotations

from scenarios.schema import Scenario
from standards.ruleset import RuleSet
from standards.validity import ValidityNotice, out_of_date, scenario_span


def out_of_date_rules(scenario: Scenario, rules: RuleSet | None = None) -> tuple[ValidityNotice, ...]:
    """The rules in force (roles, payer rules and overrides) the scenario's months fall outside."""
    if rules is None:
        from scenarios.loader import rules_of
        rules = rules_of(scenario)
    first, last = scenario_span(scenario.start_year, scenario.start_month, scenario.horizon_months)
    named = tuple(rules.rule(v) for v in _named_rule_ids(scenario) if v in rules.rules)
    return out_of_date(rules, first, last, named)


def notices(scenario: Scenario, rules: RuleSet | None = None) -> tuple[str, ...]:
    """One line per group of out-of-date rules, e.g. ``GZ-3.grid_households: valid 2014-02-19 to 2017-02-18
    (GZ-3 §八 …); the scenario runs 2027-01 to 2036-12, wholly after it expired. …``"""
    return tuple(f"Rule dates: {n.line}" for n in out_of_date_rules(scenario, rules))


def _named_rule_ids(scenario: Scenario) -> list[str]:
    """Rule ids the scenario's own fields name (e.g. costs.party_members_off_committee's default)."""
    out = []
    for section in (scenario.allocation, scenario.households, scenario.facilities, scenario.costs):
        for value in section.model_dump().values():
            if isinstance(value, str) and "." in value:
                out.append(value)
    return out
