"""Audit mode: a built estate's existing communities checked against every rule.

Each figure is the community's own: one the scenario does not give is reported ``not checked``, never
filled from another field (a missing ``largest_site_m2`` is not the office area)."""

from __future__ import annotations

from optimize.verify import Check, Provided, check_communities
from scenarios.schema import Scenario
from standards.errors import InputError
from standards.ruleset import RuleSet


def audit(scenario: Scenario, rules: RuleSet) -> list[Check]:
    """Pass/fail (or not checked) and shortfall per rule for the scenario's ``[existing]`` communities."""
    if scenario.existing is None:
        raise InputError(f"{scenario.name}: [existing] is missing: audit needs the existing communities, offices and staff")
    return check_communities([
        Provided(c.id, tuple(c.buildings), c.office_building, c.staff, c.committee_members, c.supervisory_members,
                 c.office_area_m2, c.largest_site_m2, resident_groups=c.resident_groups,
                 representatives=c.representatives)
        for c in scenario.existing.communities], scenario, rules, built=True)
