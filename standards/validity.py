"""Which rules a scenario applies outside their dates of validity.

A rule's ``valid_from`` / ``valid_until`` come from its document (e.g. GZ-3 §八: valid three years from its
issue) or from the rule itself (``standards.catalog``). A scenario whose months fall outside them still
runs, with the rule applied as written; ``out_of_date`` names each such rule and its dates, so that the CLI,
the report and the app can say so.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from standards.catalog import Rule
from standards.ruleset import RuleSet


@dataclass(frozen=True)
class ValidityNotice:
    """Rules of one document (or one rule with its own dates) applied outside their validity."""

    rules: tuple[str, ...]
    valid_from: dt.date | None
    valid_until: dt.date | None
    validity: str | None            # where the dates come from
    first: dt.date                  # the scenario's first day
    last: dt.date                   # the scenario's last day

    @property
    def line(self) -> str:
        span = (f"valid from {self.valid_from}" if self.valid_until is None else
                f"valid until {self.valid_until}" if self.valid_from is None else
                f"valid {self.valid_from} to {self.valid_until}")
        before = self.valid_from is not None and self.first < self.valid_from
        whole = (self.last < self.valid_from) if before else (
            self.valid_until is not None and self.first > self.valid_until)
        when = f"{'wholly' if whole else 'partly'} {'before it took effect' if before else 'after it expired'}"
        source = f" ({self.validity})" if self.validity else ""
        return (f"{', '.join(self.rules)}: {span}{source}; the scenario runs {self.first:%Y-%m} to {self.last:%Y-%m}, "
                f"{when}. The rule is applied as written; check that it (or its successor) still holds.")


def scenario_span(start_year: int, start_month: int, months: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a scenario's months."""
    end = start_year * 12 + start_month - 1 + months - 1
    y, m = divmod(end, 12)
    return dt.date(start_year, start_month, 1), dt.date(y, m + 1, calendar.monthrange(y, m + 1)[1])


def rules_in_force(rules: RuleSet) -> tuple[Rule, ...]:
    """Every rule the regime's roles use, and every rule a scenario overrides, once each."""
    seen: dict[str, Rule] = {}
    for _, rule in rules.in_use():
        seen.setdefault(rule.id, rule)
    for ov in rules.overrides:
        seen.setdefault(ov.rule, rules.rule(ov.rule))
    return tuple(seen.values())


def out_of_date(rules: RuleSet, first: dt.date, last: dt.date,
                extra: tuple[Rule, ...] = ()) -> tuple[ValidityNotice, ...]:
    """The rules in force (and ``extra``) whose validity does not cover every day from ``first`` to ``last``,
    grouped by their dates."""
    groups: dict[tuple, list[str]] = {}
    for rule in rules_in_force(rules) + tuple(extra):
        if rule.valid_on(first) and rule.valid_on(last):
            continue
        key = (rule.valid_from, rule.valid_until, rule.validity)
        if rule.id not in groups.setdefault(key, []):
            groups[key].append(rule.id)
    return tuple(ValidityNotice(tuple(sorted(ids)), start, end, why, first, last)
                 for (start, end, why), ids in sorted(groups.items(), key=lambda kv: sorted(kv[1])[0]))
