"""What a sweep varies: fields (dotted scenario paths, or an override's value), their values from
``--vary`` or a ranges file, the variants of a grid or a Latin hypercube with their ids and seeds, and a
variant's inputs applied to the scenario.

A *field* is a dotted scenario path (``allocation.acceptance``, ``households.persons_per_household``,
``costs.staff_pay_cny_per_year``, ``allocation.move_in_delay_months.max``) or an override's value,
``override.<rule id>.<field of its value>`` (``override.CQ-73.election_trigger.share``). Every path is
checked against the schema (``scenarios.schema``) and every value given is checked by the scenario's
own validation before anything runs.

A variant's inputs decide its id (a digest of the inputs) and its seed (a digest of the sweep's seed and
the inputs), so a row does not depend on the executor, the order variants ran in, or the other variants.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Sequence

from pydantic import BaseModel

from scenarios.schema import Scenario
from standards.errors import InputError

OVERRIDE = "override."
OVERRIDE_REASON = "varied by estate sweep"
# Top-level fields a sweep does not vary: the sweep's own settings, or not numbers.
_NOT_VARIED = {"seed": "use --seed", "replications": "use --replications", "name": "it is a label",
               "purpose": "it is a label", "layout": "vary a number, not the layout",
               "buildings": "vary a number, not the buildings", "existing": "vary a number, not the built estate",
               "overrides": "vary an override's value as override.<rule id>.<field>"}


# ---- fields and their values -----------------------------------------------------------------------------


def _kinds(annotation: Any) -> set[Any]:
    """What a field's annotation accepts: int, float, str, bool, dict, list, or pydantic model classes."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kinds(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_kinds(a) for a in typing.get_args(annotation)))
    if origin is Literal:
        return {type(a) for a in typing.get_args(annotation)}
    if origin in (dict, typing.Mapping):
        return {dict}
    if origin in (list, tuple):
        return {list}
    if annotation is type(None):
        return set()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {annotation}
    return {annotation}


@dataclass(frozen=True)
class Field:
    """A field a sweep varies: its dotted path and the kinds of value it accepts."""

    path: str
    kinds: frozenset

    @property
    def is_override(self) -> bool:
        return self.path.startswith(OVERRIDE)

    @property
    def integer(self) -> bool:
        return int in self.kinds and float not in self.kinds

    def coerce(self, value: Any) -> Any:
        """``value`` in the field's own type: 1 → 1.0 for a float field, 3.0 → 3 for an integer one."""
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            if self.integer:
                if float(value) != int(value):
                    raise InputError(f"{self.path}: must be a whole number (got {value})")
                return int(value)
            if float in self.kinds:
                return float(value)
        return value


def check_field(path: str) -> Field:
    """The field at dotted ``path``, checked against the scenario schema (or the standards, for an
    override's value); one line naming the path and the reason otherwise."""
    path = path.strip()
    if path.startswith(OVERRIDE):
        return _override_field(path)
    parts = path.split(".")
    if not path or any(not p for p in parts):
        raise InputError(f"--vary {path!r}: give a dotted scenario field such as allocation.acceptance")
    model: type[BaseModel] = Scenario
    for i, part in enumerate(parts):
        where = ".".join(parts[:i + 1])
        fields = model.model_fields
        if part not in fields:
            known = ", ".join(fields)
            raise InputError(f"--vary {path}: {where} is not a scenario field "
                             f"({'.'.join(parts[:i]) or 'the scenario'} has {known})")
        if i == 0 and part in _NOT_VARIED:
            raise InputError(f"--vary {path}: a sweep does not vary {part} ({_NOT_VARIED[part]})")
        kinds = _kinds(fields[part].annotation)
        models = [k for k in kinds if isinstance(k, type) and issubclass(k, BaseModel)]
        if i < len(parts) - 1:
            if not models:
                raise InputError(f"--vary {path}: {where} is a single value, it has no field {parts[i + 1]!r}")
            model = models[0]
            continue
        numbers = kinds & {int, float}
        if (models or dict in kinds or list in kinds) and not numbers:
            sub = f" (vary one of its fields, e.g. {where}.{next(iter(models[0].model_fields))})" if models else ""
            raise InputError(f"--vary {path}: {where} is a table, not a single value{sub}")
        # a field that takes a number or a table (a distribution, a rule id's table) is varied by number
        return Field(path, frozenset(k for k in kinds if k not in (dict, list) and k not in models))
    raise AssertionError("unreachable")


def _override_field(path: str) -> Field:
    from dataclasses import fields as dc_fields

    from standards import load_catalog

    parts = path[len(OVERRIDE):].split(".")
    if len(parts) != 3 or not all(parts):
        raise InputError(f"--vary {path}: an override's value is override.<rule id>.<field>, "
                         "e.g. override.CQ-73.election_trigger.share")
    rule_id, name = f"{parts[0]}.{parts[1]}", parts[2]
    rule = load_catalog().rules.get(rule_id)
    if rule is None:
        raise InputError(f"--vary {path}: {rule_id} is not a rule in the standards (see `estate rules --all`)")
    names = [f.name for f in dc_fields(rule.value) if not f.name.startswith("_")]
    if name not in names:
        raise InputError(f"--vary {path}: {rule_id} is a {rule.shape}; its value has {', '.join(names)}, not {name!r}")
    return Field(path, frozenset({int, float, str}))


def parse_value(text: str) -> Any:
    """One value as written after ``=``: a TOML number or boolean, else the text (e.g. a rule id)."""
    text = text.strip()
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_vary(spec: str) -> tuple[Field, tuple[Any, ...]]:
    """``FIELD=V1,V2,…`` → the checked field and its values."""
    path, eq, values = spec.partition("=")
    if not eq or not values.strip():
        raise InputError(f"--vary {spec!r}: write FIELD=V1,V2,… (e.g. allocation.acceptance=0.6,0.8)")
    f = check_field(path)
    out = tuple(f.coerce(parse_value(v)) for v in values.split(",") if v.strip())
    if len(set(map(repr, out))) < len(out):
        raise InputError(f"--vary {f.path}: a value is given twice ({values})")
    return f, out


@dataclass(frozen=True)
class Range:
    """A sampled field: its values drawn between ``low`` and ``high``."""

    field: Field
    low: float
    high: float


def read_ranges(path: str | Path) -> tuple[Range, ...]:
    """A ranges file: TOML of ``"FIELD" = { low = …, high = … }`` (dotted fields quoted, or as nested tables)."""
    label = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{label}: cannot read the ranges file ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{label}: is not valid TOML ({exc})") from None

    out: list[Range] = []

    def walk(table: dict, prefix: str) -> None:
        for key, value in table.items():
            where = f"{prefix}{key}"
            if isinstance(value, dict) and ("low" in value or "high" in value):
                extra = set(value) - {"low", "high"}
                low, high = value.get("low"), value.get("high")
                if extra or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (low, high)):
                    raise InputError(f"{label}: {where} must be {{ low = number, high = number }} (got {value!r})")
                if not low < high:
                    raise InputError(f"{label}: {where}: low must be < high (got {low} ≥ {high})")
                try:
                    f = check_field(where)
                except InputError as exc:
                    raise InputError(f"{label}: {exc.messages[0].removeprefix('--vary ')}") from None
                if not f.kinds & {int, float}:
                    raise InputError(f"{label}: {where} is not a number, so it cannot be sampled")
                out.append(Range(f, float(low), float(high)))
            elif isinstance(value, dict):
                walk(value, f"{where}.")
            else:
                raise InputError(f"{label}: {where} must be {{ low = number, high = number }} (got {value!r})")

    walk(data, "")
    if not out:
        raise InputError(f"{label}: names no field (write e.g. \"allocation.acceptance\" = {{ low = 0.6, high = 0.9 }})")
    return tuple(out)


# ---- variants ------------------------------------------------------------------------------------------------


def _canonical(inputs: Sequence[tuple[str, Any]]) -> str:
    return json.dumps(sorted(inputs), separators=(",", ":"))


@dataclass(frozen=True)
class Variant:
    """One point of the sweep: its position, its inputs (field path, value) and the seed derived from them."""

    index: int
    inputs: tuple[tuple[str, Any], ...]
    seed: int

    @property
    def id(self) -> str:
        return hashlib.sha256(_canonical(self.inputs).encode()).hexdigest()[:16]


def variant_seed(sweep_seed: int, inputs: Sequence[tuple[str, Any]]) -> int:
    """A seed in [0, 2⁶³) from the sweep's seed and the variant's inputs alone."""
    digest = hashlib.sha256(f"{sweep_seed}|{_canonical(inputs)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def grid(axes: Sequence[tuple[Field, Sequence[Any]]], sweep_seed: int) -> tuple[Variant, ...]:
    """Every combination of the axes' values, the first axis varying slowest."""
    import itertools

    paths = [f.path for f, _ in axes]
    if len(set(paths)) < len(paths):
        raise InputError(f"--vary: a field is given twice ({', '.join(paths)})")
    out = []
    for i, combo in enumerate(itertools.product(*(values for _, values in axes))):
        inputs = tuple(zip(paths, combo))
        out.append(Variant(i, inputs, variant_seed(sweep_seed, inputs)))
    return tuple(out)


def sample(ranges: Sequence[Range], n: int, sweep_seed: int) -> tuple[Variant, ...]:
    """``n`` variants on a Latin hypercube over the ranges (``scipy.stats.qmc.LatinHypercube``, seeded by
    the sweep's seed); integer fields rounded."""
    from scipy.stats import qmc

    if n < 2:
        raise InputError(f"--sample must be ≥ 2 (got {n})")
    try:
        hypercube = qmc.LatinHypercube(d=len(ranges), rng=_rng(sweep_seed))
    except TypeError:                                   # SciPy before 1.15 calls it seed
        hypercube = qmc.LatinHypercube(d=len(ranges), seed=_rng(sweep_seed))
    points = hypercube.random(n)
    lows = [r.low for r in ranges]
    highs = [r.high for r in ranges]
    scaled = qmc.scale(points, lows, highs)
    out, seen = [], set()
    for i, row in enumerate(scaled):
        inputs = tuple((r.field.path, int(round(x)) if r.field.integer else float(x)) for r, x in zip(ranges, row))
        v = Variant(i, inputs, variant_seed(sweep_seed, inputs))
        if v.id in seen:
            raise InputError(f"--sample {n}: the ranges give fewer than {n} distinct variants (whole-number fields "
                             "repeat); lower --sample or widen the ranges")
        seen.add(v.id)
        out.append(v)
    return tuple(out)


def _rng(seed: int):
    import numpy as np
    return np.random.default_rng(seed)


# ---- applying a variant to the scenario ------------------------------------------------------------------------


def apply_inputs(base: Scenario, inputs: Sequence[tuple[str, Any]], label: str = "variant") -> Scenario:
    """The scenario with the variant's inputs set, validated again (``InputError`` naming the field)."""
    from scenarios import validate
    from scenarios.writer import to_data

    data = to_data(base)
    for path, value in inputs:
        if path.startswith(OVERRIDE):
            code, name, key = path[len(OVERRIDE):].split(".")
            rule_id = f"{code}.{name}"
            overrides = [dict(o) for o in data.get("overrides", [])]
            for o in overrides:
                if o["rule"] == rule_id:
                    o["value"] = {**o["value"], key: value}
                    break
            else:
                overrides.append({"rule": rule_id, "value": {key: value}, "reason": OVERRIDE_REASON})
            data["overrides"] = overrides
            continue
        *parents, leaf = path.split(".")
        table = data
        for p in parents:
            table = table.setdefault(p, {})
        table[leaf] = value
    try:
        return validate(data, label, Path("."))
    except InputError as exc:
        raise InputError([f"{label} ({_describe(inputs)}): {m.split(': ', 1)[-1]}" for m in exc.messages]) from None


def _describe(inputs: Sequence[tuple[str, Any]]) -> str:
    return ", ".join(f"{p}={v}" for p, v in inputs)


def check_values(base: Scenario, fields: Sequence[tuple[Field, Sequence[Any]]]) -> None:
    """Each value given, applied alone to the scenario, must make a valid scenario: every problem at once."""
    errors: list[str] = []
    for f, values in fields:
        for v in values:
            try:
                apply_inputs(base, [(f.path, v)], label=f"--vary {f.path}={v}")
            except InputError as exc:
                errors += [m.split(" (", 1)[0] + ": " + m.split("): ", 1)[-1] for m in exc.messages]
    if errors:
        raise InputError(errors)
