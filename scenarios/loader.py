"""Load a scenario file: read it, validate every field, check it against the standards catalog.

``load(path)`` returns a frozen ``Scenario`` or raises ``InputError`` whose messages each name the
file, the field path and the reason. All errors are collected before anything is reported, so a user
fixes a file in one pass.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scenarios.layout import read_layout, read_text
from scenarios.messages import messages
from scenarios.schema import Scenario
from scenarios.services import figure_fields
from standards.catalog import Catalog, load_catalog
from standards.errors import InputError
from standards.ruleset import Override, ruleset

MAX_SCENARIO_BYTES = 5 * 2**20
_SCENARIO_MARKERS = ("name", "regime", "buildings", "layout", "allocation")

# Which shapes each field that may name a catalog figure accepts.
_FIGURE_SHAPES: dict[str, tuple[str, ...]] = {
    "allocation.lease_months": ("period",),
    "allocation.sublet_eviction_rate": ("quantity",),
    "households.persons_per_household": ("quantity",),
    "households.size_distribution": ("shares",),
    "households.age_profile": ("shares",),
    "households.birth_rate": ("quantity",),
    "households.death_rate": ("quantity",),
    "costs.staff_pay_cny_per_year": ("quantity",),
    "costs.reference_wage": ("quantity", "by_year"),
    "costs.employer_insurance": ("rates",),
    "costs.facility_payers": ("shares",),
    "costs.hire_lead_months": ("period", "quantity"),
    "costs.pay_growth": ("quantity",),
    "costs.party_members_off_committee": ("quantity",),
    **figure_fields(),   # each service's sizing, module and cost fields (scenarios.services)
}


def load(path: str | Path, catalog: Catalog | None = None) -> Scenario:
    """Read, validate and check the scenario at ``path``."""
    path = Path(path)
    label = str(path)
    data = parse(read_text(path, label, MAX_SCENARIO_BYTES), label)
    return validate(data, label, base_dir=path.parent, catalog=catalog)


def parse(text: str, label: str) -> dict[str, Any]:
    """The TOML text as a table, or one line saying why it is not a scenario."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{label}: is not valid TOML ({exc})") from None
    if not any(k in data for k in _SCENARIO_MARKERS):
        raise InputError(f"{label}: is not a scenario file (it has none of the fields "
                         f"{', '.join(_SCENARIO_MARKERS)})")
    return data


def validate(data: dict[str, Any], label: str, base_dir: Path, catalog: Catalog | None = None) -> Scenario:
    """Validate scenario ``data`` read from ``label``; layout files are looked up in ``base_dir``."""
    catalog = catalog or load_catalog()
    errors: list[str] = []

    regime = data.get("regime")
    if isinstance(regime, str) and regime not in catalog.regimes:
        raise InputError(f"{label}: regime must be one of {', '.join(catalog.regimes)} (got {regime!r})")

    layout = data.get("layout")
    if layout is not None and data.get("buildings"):
        errors.append(f"{label}: give the buildings either inline ([[buildings]]) or as [layout] file, not both")
    elif isinstance(layout, dict) and isinstance(layout.get("file"), str) and layout["file"].strip():
        layout_path = base_dir / layout["file"]
        try:
            data = {**data, "buildings": [b.model_dump() for b in read_layout(layout_path, str(layout_path), layout.get("crs"))]}
        except InputError as exc:
            errors += exc.messages
    elif layout is None and not data.get("buildings"):
        errors.append(f"{label}: buildings is missing (give [[buildings]] tables or a [layout] file)")

    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(errors + messages(exc, label)) from None
    if errors:
        raise InputError(errors)

    errors += _check_buildings(scenario, label)
    errors += _check_existing(scenario, label)
    errors += _check_figures(scenario, label, catalog)
    errors += _check_shares(scenario, label)
    errors += _check_overrides(scenario, label)
    errors += _check_calendar(scenario, label)
    errors += _check_observed(scenario, label)
    if not errors:
        try:
            rules_of(scenario, catalog, label)
        except InputError as exc:
            errors += exc.messages
    if errors:
        raise InputError(errors)
    return scenario


def rules_of(scenario: Scenario, catalog: Catalog | None = None, label: str = "scenario"):
    """The scenario's ``RuleSet``: its regime with its overrides applied."""
    overrides = [Override(o.rule, o.value, o.reason) for o in scenario.overrides]
    return ruleset(scenario.regime, overrides, catalog, where=label)


def _where(scenario: Scenario, label: str, i: int) -> str:
    """Where building ``i`` came from: the scenario's [[buildings]] or its layout file."""
    return f"{label}: buildings[{i}]" if scenario.layout is None else f"{label}: layout building {scenario.buildings[i].id}"


def _check_buildings(scenario: Scenario, label: str) -> list[str]:
    errors: list[str] = []
    seen: dict[str, int] = {}
    for i, b in enumerate(scenario.buildings):
        if b.id in seen:
            errors.append(f"{_where(scenario, label, i)}.id {b.id!r} is used twice (also buildings[{seen[b.id]}])")
        seen.setdefault(b.id, i)
        if b.delivery_month >= scenario.horizon_months:
            errors.append(f"{_where(scenario, label, i)}.delivery_month must be < horizon_months "
                          f"{scenario.horizon_months} (got {b.delivery_month})")
    return errors


def _check_existing(scenario: Scenario, label: str) -> list[str]:
    if scenario.existing is None:
        return []
    errors: list[str] = []
    ids = {b.id for b in scenario.buildings}
    owner: dict[str, str] = {}
    community_ids: set[str] = set()
    for i, c in enumerate(scenario.existing.communities):
        where = f"{label}: existing.communities[{i}]"
        if c.id in community_ids:
            errors.append(f"{where}.id {c.id!r} is used twice")
        community_ids.add(c.id)
        for b in c.buildings:
            if b not in ids:
                errors.append(f"{where}.buildings: {b!r} is not a building of the layout")
            elif b in owner:
                errors.append(f"{where}.buildings: {b!r} is already in community {owner[b]!r}")
            else:
                owner[b] = c.id
    return errors


def _check_figures(scenario: Scenario, label: str, catalog: Catalog) -> list[str]:
    errors: list[str] = []
    for dotted, shapes in _FIGURE_SHAPES.items():
        section, field = dotted.split(".")
        value = getattr(getattr(scenario, section), field)
        if not isinstance(value, str):
            continue
        rule = catalog.rules.get(value)
        if rule is None:
            errors.append(f"{label}: {dotted} names {value!r}, which is not a figure in the standards "
                          "(see `estate rules --all`)")
        elif rule.shape not in shapes:
            errors.append(f"{label}: {dotted} names {value}, a {rule.shape}; this field needs a {' or '.join(shapes)}")
    return errors


def _check_overrides(scenario: Scenario, label: str) -> list[str]:
    """One override per rule: a second would silently replace the first and drop its reason."""
    errors: list[str] = []
    first: dict[str, int] = {}
    for i, o in enumerate(scenario.overrides):
        if o.rule in first:
            errors.append(f"{label}: overrides[{i}].rule {o.rule} is already overridden by overrides[{first[o.rule]}]; "
                          "give one override per rule, with all the fields it changes and one reason")
        first.setdefault(o.rule, i)
    return errors


def _check_shares(scenario: Scenario, label: str) -> list[str]:
    errors: list[str] = []
    h = scenario.households
    for name in ("size_distribution", "age_profile"):
        value = getattr(h, name)
        if isinstance(value, dict):
            total = sum(value.values())
            if abs(total - 1) > 1e-6:
                errors.append(f"{label}: households.{name} shares must sum to 1 (got {total:.4g})")
    if isinstance(h.size_distribution, dict):
        bad = [k for k in h.size_distribution if not k.isdigit() or not 1 <= int(k) <= 20]
        if bad:
            errors.append(f"{label}: households.size_distribution keys must be household sizes 1…20 (got {', '.join(bad)})")
    if isinstance(h.age_profile, dict):
        from scenarios.ages import parse_band
        for k in h.age_profile:
            if parse_band(k) is None:
                errors.append(f"{label}: households.age_profile key {k!r} must be an age band like '0-14' or '60+'")
    return errors


def _in_horizon(scenario: Scenario, date: str) -> bool:
    return 0 <= scenario.month_of(date) < scenario.horizon_months


def _check_calendar(scenario: Scenario, label: str) -> list[str]:
    first = scenario.allocation.first_round
    if first is not None and not _in_horizon(scenario, first):
        return [f"{label}: allocation.first_round must lie within the horizon, {scenario.start} to "
                f"{_month_name(scenario, scenario.horizon_months - 1)} (got {first!r})"]
    return []


def _month_name(scenario: Scenario, month: int) -> str:
    absolute = scenario.start_year * 12 + scenario.start_month - 1 + month
    return f"{absolute // 12:04d}-{absolute % 12 + 1:02d}"


PLANNED_COMMUNITY = re.compile(r"^C[1-9]\d*$")   # the planner's names (optimize.planner): C1, C2, …


def _check_observed(scenario: Scenario, label: str) -> list[str]:
    """Each observation: a date within the horizon, a community the runs will have, a value in range."""
    errors: list[str] = []
    flats = {"estate": scenario.total_units}
    if scenario.existing is not None:
        units = {b.id: b.units for b in scenario.buildings}
        flats |= {c.id: sum(units.get(b, 0) for b in c.buildings) for c in scenario.existing.communities}
    for i, o in enumerate(scenario.observed):
        where = f"{label}: observed[{i}]"
        if not _in_horizon(scenario, o.date):
            errors.append(f"{where}.date must lie within the horizon, {scenario.start} to "
                          f"{_month_name(scenario, scenario.horizon_months - 1)} (got {o.date!r})")
        if o.community not in flats and (scenario.existing is not None or not PLANNED_COMMUNITY.match(o.community)):
            known = ", ".join(flats) if scenario.existing is not None else "estate, or a planned community C1, C2, …"
            errors.append(f"{where}.community {o.community!r} is not a community of this scenario ({known})")
            continue
        most = flats.get(o.community, scenario.total_units)
        if o.metric == "election":
            if o.value is not None:
                errors.append(f"{where}.value: an election is observed by its date alone; leave value out "
                              f"(got {o.value:g})")
            continue
        if o.value is None:
            errors.append(f"{where}.value is missing (the {o.metric} observed)")
            continue
        top = {"households": most, "residents": most * 8, "occupancy": 1}[o.metric]
        if o.value > top:
            what = {"households": f"the {most:,} flats of {o.community}",
                    "residents": f"8 persons in each of the {most:,} flats of {o.community}",
                    "occupancy": "1 (every flat occupied)"}[o.metric]
            errors.append(f"{where}.value must be ≤ {what} (got {o.value:g})")
    return errors
