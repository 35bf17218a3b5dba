"""A regime's rules for one scenario: each role filled by a cited rule, with the scenario's overrides.

The engines never look up a rule by document; they ask the ``RuleSet`` for a role
(``rules.role("fulltime_staff")``), so switching regime switches every figure at once, and an
override (a new value with a reason, the citation kept) reaches every place that uses the rule.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import Any, Mapping, Sequence

from standards.catalog import Catalog, Regime, Rule, load_catalog
from standards.errors import InputError
from standards.shapes import parse_value, value_as_dict


@dataclass(frozen=True)
class RoleSpec:
    shapes: tuple[str, ...]
    required: bool = False
    many: bool = False
    meaning: str = ""


ROLES: dict[str, RoleSpec] = {
    "community_households": RoleSpec(("range", "approximate"), True, meaning="households per community"),
    "election_trigger": RoleSpec(("threshold",), True, meaning="when the residents' committee is elected"),
    "fulltime_staff": RoleSpec(("ratio",), True, meaning="full-time community workers per household"),
    "committee_members": RoleSpec(("range",), True, meaning="residents' committee members"),
    "supervisory_members": RoleSpec(("range",), meaning="supervisory committee members"),
    "resident_group_households": RoleSpec(("approximate",), True, meaning="households per resident group"),
    "group_leaders": RoleSpec(("range",), meaning="leaders per resident group"),
    "group_representatives": RoleSpec(("range",), meaning="representatives per resident group"),
    "grid_households": RoleSpec(("approximate",), True, meaning="households per grid"),
    "subcommittees": RoleSpec(("items",), meaning="sub-committees of the committee"),
    "office_space": RoleSpec(("share", "ratio", "ratio_range", "minimum"), True, many=True,
                             meaning="community office and service space; the largest requirement binds"),
    "office_largest_site": RoleSpec(("minimum",), meaning="usable area of the largest single office site"),
    "training_interval": RoleSpec(("period",), meaning="how often each worker (and each committee member but the "
                                  "director, where the regime pays members) is trained"),
    "training_director_interval": RoleSpec(("period",), meaning="how often the committee's director is trained"),
    "staff_insurance": RoleSpec(("items",), meaning="insurances paid for each worker"),
    "pay_floor": RoleSpec(("share",), meaning="pay floor as a share of a reference wage"),
    "cost_sharing": RoleSpec(("payers",), many=True, meaning="who pays which budget items (one rule per clause "
                             "naming a payer; an item no rule names goes to money.payer_unassigned)"),
    "member_allowances": RoleSpec(("principle",), meaning="living allowances of committee and party-organisation "
                                  "members, paid at the pay floor"),
    "property_fee_subsidy": RoleSpec(("principle",), meaning="the government pays part of low-income households' "
                                     "property fees"),
    "social_workers": RoleSpec(("minimum",), meaning="social-work professionals per community"),
    "first_election_voters": RoleSpec(("items",), meaning="voter categories at the first election"),
    "migrant_voter_residence": RoleSpec(("minimum",), meaning="months of residence before a migrant may vote"),
    "property_zone_floor_area": RoleSpec(("minimum",), meaning="floor area above which property zones may be split"),
    "property_zone_rooms": RoleSpec(("principle",), meaning="each property zone has its own management room"),
    "property_room_area": RoleSpec(("share", "minimum"), many=True,
                                   meaning="area of a property-management room; the largest requirement binds"),
    "grid_staff": RoleSpec(("rates",), meaning="staff of each role per grid"),
    "service_station_staff": RoleSpec(("minimum", "ratio"),
                                      meaning="full-time staff of the community service station, per community"),
    "preparatory_group": RoleSpec(("principle",), meaning="who runs the community before the election"),
    "office_siting": RoleSpec(("principle",), meaning="where the community office sits"),
    "office_centre": RoleSpec(("rates",), meaning="how near the community's centre its office sits"),
    "operating_funds": RoleSpec(("principle",), many=True, meaning="how operating funds are budgeted"),
    "startup_subsidy": RoleSpec(("principle",), meaning="start-up funds for each new community"),
    "multi_community_coordination": RoleSpec(("principle",), meaning="several communities in one estate"),
    "security_guards": RoleSpec(("principle",), meaning="security staffing"),
    "property_fee_level": RoleSpec(("minimum",), meaning="property service level"),
}


@dataclass(frozen=True)
class Override:
    """A scenario's replacement of one rule's value; the rule keeps its citation and gains the reason."""

    rule: str
    value: Mapping[str, Any]
    reason: str


@dataclass(frozen=True)
class RuleSet:
    regime: Regime
    rules: Mapping[str, Rule]          # every rule of the catalog, overrides applied
    overrides: tuple[Override, ...]

    @property
    def name(self) -> str:
        return self.regime.name

    def has(self, role: str) -> bool:
        return role in self.regime.roles

    def role(self, role: str) -> Rule:
        """The rule filling ``role`` (a role that takes one rule)."""
        if role not in ROLES:
            raise KeyError(f"unknown role {role!r}")
        if role not in self.regime.roles:
            raise KeyError(f"regime {self.name} sets no rule for {role}")
        return self.rules[self.regime.roles[role][0]]

    def roles(self, role: str) -> tuple[Rule, ...]:
        """Every rule filling ``role``; empty if the regime sets none."""
        return tuple(self.rules[rid] for rid in self.regime.roles.get(role, ()))

    def rule(self, rule_id: str) -> Rule:
        try:
            return self.rules[rule_id]
        except KeyError:
            raise KeyError(f"unknown rule id {rule_id!r}") from None

    def in_use(self) -> list[tuple[str, Rule]]:
        """(role, rule) for every role the regime fills, in the order of ``ROLES``."""
        return [(role, self.rules[rid]) for role in ROLES for rid in self.regime.roles.get(role, ())]

    def __reduce__(self) -> tuple:
        """Pickle support (a rule set is sent to worker processes): its read-only mappings
        (``MappingProxyType``, which pickle refuses) travel as plain dicts and are made read-only again
        on arrival. The rules travel as they are, overrides applied, so a rule set built from any
        catalog comes back equal."""
        regime = {f.name: _plain(getattr(self.regime, f.name)) for f in fields(Regime)}
        return (_restore, (regime, dict(self.rules), self.overrides))


def _plain(value: Any) -> Any:
    return dict(value) if isinstance(value, MappingProxyType) else value


def _restore(regime: dict[str, Any], rules: dict[str, Rule], overrides: tuple[Override, ...]) -> RuleSet:
    """The rule set ``RuleSet.__reduce__`` took apart."""
    parts = {k: MappingProxyType(v) if isinstance(v, dict) else v for k, v in regime.items()}
    return RuleSet(Regime(**parts), MappingProxyType(rules), overrides)


def apply_override(rule: Rule, override: Override, where: str) -> Rule:
    """The rule with the override's fields merged into its value, re-checked against its shape."""
    merged = {**value_as_dict(rule.value), **dict(override.value)}
    value = parse_value(rule.shape, merged, where)
    return replace(rule, value=value, override_reason=override.reason)


def ruleset(regime: str, overrides: Sequence[Override] = (), catalog: Catalog | None = None,
            where: str = "scenario") -> RuleSet:
    """The rules of ``regime`` with ``overrides`` applied; unknown regimes or rule ids fail plainly."""
    catalog = catalog or load_catalog()
    if regime not in catalog.regimes:
        raise InputError(f"{where}: regime must be one of {', '.join(catalog.regimes)} (got {regime!r})")
    rules = dict(catalog.rules)
    errors: list[str] = []
    for i, ov in enumerate(overrides):
        here = f"{where}: overrides[{i}]"
        if ov.rule not in rules:
            errors.append(f"{here}.rule {ov.rule!r} is not a rule id (see `estate rules`)")
            continue
        try:
            rules[ov.rule] = apply_override(rules[ov.rule], ov, here)
        except InputError as exc:
            errors += exc.messages
    if errors:
        raise InputError(errors)
    return RuleSet(catalog.regimes[regime], MappingProxyType(rules), tuple(overrides))
