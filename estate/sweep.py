"""Sweeps: one scenario run over a grid or a Latin-hypercube sample of its inputs, one row per variant.

A *field* is a dotted scenario path (``allocation.acceptance``, ``households.persons_per_household``,
``costs.staff_pay_cny_per_year``, ``allocation.move_in_delay_months.max``) or an override's value,
``override.<rule id>.<field of its value>`` (``override.CQ-73.election_trigger.share``). Every path is
checked against the schema (``scenarios.schema``) and every value given is checked by the scenario's
own validation before anything runs.

A variant's inputs decide its id (a digest of the inputs) and its seed (a digest of the sweep's seed and
the inputs), so a row does not depend on the executor, the order variants ran in, or the other variants.
Each variant: its scenario validated, the community split planned (cached per worker process on what the
split reads), the rules verified, the scenario's replications simulated over the planned communities in
the worker, and with ``plan`` the facility plan and budget. A variant that raises gives a row with
``status = "failed"`` and its error; the sweep goes on.

Results: ``DIR/results.parquet`` is a parquet *dataset folder*: one part file per finished variant
(``part-<variant id>.parquet``), written under a hidden temporary name, flushed to disk and renamed into
place, so a crash mid-write leaves at most a hidden temporary file (which readers ignore) and never a
torn row; rows already written are never opened again. ``DIR/sweep.json`` holds the sweep's definition,
so the same command run again skips the variants that have a part file.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tomllib
import types
import typing
from collections import OrderedDict
from concurrent.futures import FIRST_COMPLETED, CancelledError, Executor, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Sequence

from pydantic import BaseModel

from scenarios.schema import Scenario
from estate.executors import Where
from standards.errors import InputError

RESULTS = "results.parquet"
SPEC = "sweep.json"
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
        if models or dict in kinds or list in kinds:
            sub = f" (vary one of its fields, e.g. {where}.{next(iter(models[0].model_fields))})" if models else ""
            raise InputError(f"--vary {path}: {where} is a table, not a single value{sub}")
        return Field(path, frozenset(kinds))
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


# ---- one variant, in a worker ------------------------------------------------------------------------------------

# The community split reads the layout, the regime's rules (overrides applied) and [optimizer] only: a
# worker keeps the plans of the last few such inputs, so variants of allocation or costs plan once.
_PLANS: OrderedDict[str, Any] = OrderedDict()
_PLANS_KEPT = 8


def _split_key(scenario: Scenario) -> str:
    from scenarios.writer import to_data

    data = to_data(scenario)
    keep = {k: data.get(k) for k in ("regime", "buildings", "existing", "overrides", "optimizer")}
    return hashlib.sha256(json.dumps(keep, sort_keys=True, default=str).encode()).hexdigest()


def planned_split(scenario: Scenario, rules):
    from optimize import plan_split

    key = _split_key(scenario)
    if key not in _PLANS:
        _PLANS[key] = plan_split(scenario, rules)
        while len(_PLANS) > _PLANS_KEPT:
            _PLANS.popitem(last=False)
    return _PLANS[key]


def simulate_variant(scenario: Scenario, replications: int, seed: int, plan_budget: bool) -> dict[str, Any]:
    """The headline outputs of one variant's scenario (see ``OUTPUT_COLUMNS``)."""
    from estate.facility_view import summary as facility_summary
    from optimize import budget, verify
    from scenarios import rules_of
    from sim import run_ensemble

    rules = rules_of(scenario)
    plan = planned_split(scenario, rules)
    checks = list(verify(plan, scenario, rules))
    sim = run_ensemble(scenario, rules, plan.split(), replications=replications, seed=seed)   # in this worker
    elections = [{"community": c.id, **{k: sim.election(c.id)[k] for k in ("p10", "p50", "p90",
                                                                            "elected_replications")}}
                 for c in plan.communities]
    p50 = [e["p50"] for e in elections]
    staff = sim.band("staff") if "staff" in sim.metrics else None
    planned = [c.office_shortfall_m2 for c in plan.communities if c.office_shortfall_m2 is not None]
    row: dict[str, Any] = {
        "replications": replications, "completed": len(sim.completed),
        "communities": len(plan.communities), "plan_status": plan.status.value,
        "election": elections,
        "election_p50_first": min((m for m in p50 if m is not None), default=None),
        "election_p50_last": None if any(m is None for m in p50) else max(p50, default=None),
        "peak_staff": None if staff is None else int(round(max(staff.p50))),
        "staff_full_plan": int(sum(c.staff.value for c in plan.communities)),
        "office_required_m2": float(round(sum(c.office_area_m2.value for c in plan.communities), 1)),
        "office_shortfall_m2": float(round(sum(planned), 1)) if planned else None,
    }
    if plan_budget:
        from optimize.facilities import plan_facilities

        facilities = plan_facilities(sim.demand(), scenario, rules, plan=plan)
        costs = budget(plan, scenario, rules, facilities=facilities)
        years = sorted({r.year for r in costs.rows})[:10]        # the first ten years, as estate.compare reads them
        by_payer: dict[str, float] = {}
        for r in costs.rows:
            if r.year in years:
                by_payer[r.payer] = by_payer.get(r.payer, 0.0) + r.amount_cny
        row |= {"facilities_opened": len(facilities.modules), "facilities": facility_summary(facilities),
                "budget_10y_cny": float(round(sum(by_payer.values()), 2)),
                "budget_10y_by_payer": [{"payer": p, "amount_cny": float(round(v, 2))} for p, v in sorted(by_payer.items())]}
    failed = sorted({k.rule for k in checks if not k.passed})
    row |= {"failed_rules": failed, "failed_rule_count": len(failed)}
    return row


def run_variant(base: Scenario, variant: Variant, replications: int, plan_budget: bool) -> dict[str, Any]:
    """One row: the variant's inputs and seed, and its outputs or its error (a module-level function, so
    process pools and Dask workers can import it)."""
    row: dict[str, Any] = {"variant": variant.id, "index": variant.index, "seed": variant.seed,
                           **dict(variant.inputs)}
    try:
        scenario = apply_inputs(base, variant.inputs)
        outputs = simulate_variant(scenario, replications, variant.seed, plan_budget)
        return row | {"status": "ok", "error": None} | outputs
    except InputError as exc:
        return row | {"status": "failed", "error": "; ".join(exc.messages)}
    except Exception as exc:  # noqa: BLE001 - a variant's failure is recorded, and the sweep goes on
        return row | {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}


# ---- the results file ---------------------------------------------------------------------------------------------


def output_schema():
    """The columns after the inputs (see the README's table of results.parquet)."""
    import pyarrow as pa

    election = pa.struct([("community", pa.string()), ("p10", pa.int32()), ("p50", pa.int32()), ("p90", pa.int32()),
                          ("elected_replications", pa.int32())])
    payer = pa.struct([("payer", pa.string()), ("amount_cny", pa.float64())])
    return [("status", pa.string()), ("error", pa.string()), ("replications", pa.int32()), ("completed", pa.int32()),
            ("communities", pa.int32()), ("plan_status", pa.string()), ("election", pa.list_(election)),
            ("election_p50_first", pa.int32()), ("election_p50_last", pa.int32()), ("peak_staff", pa.int32()),
            ("staff_full_plan", pa.int32()), ("office_required_m2", pa.float64()),
            ("office_shortfall_m2", pa.float64()), ("facilities_opened", pa.int32()), ("facilities", pa.string()),
            ("budget_10y_cny", pa.float64()), ("budget_10y_by_payer", pa.list_(payer)),
            ("failed_rules", pa.list_(pa.string())), ("failed_rule_count", pa.int32())]


def input_type(values: Sequence[Any]):
    import pyarrow as pa

    if all(isinstance(v, bool) for v in values):
        return pa.bool_()
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return pa.int64()
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return pa.float64()
    return pa.string()


def write_part(folder: Path, row: dict[str, Any], schema) -> Path:
    """One variant's row as ``part-<id>.parquet``: written to a hidden temporary file, flushed to disk and
    renamed, so the part is either whole or absent."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"part-{row['variant']}.parquet"
    tmp = folder / f".part-{row['variant']}.parquet.tmp"
    values = {name: row.get(name) for name in schema.names}
    for name in schema.names:      # a string input column holds text of any value
        if pa.types.is_string(schema.field(name).type) and values[name] is not None and not isinstance(values[name], str):
            values[name] = str(values[name])
    table = pa.Table.from_pylist([values], schema=schema)
    with open(tmp, "wb") as fh:
        pq.write_table(table, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    _fsync_dir(folder)
    return final


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def finished_ids(folder: Path) -> set[str]:
    """Variants with a part file (whole, by construction)."""
    if not folder.is_dir():
        return set()
    return {p.name[len("part-"):-len(".parquet")] for p in folder.glob("part-*.parquet")}


def read_results(out: Path | str):
    """``DIR/results.parquet`` as a pyarrow Table, rows in the sweep's order (empty if none yet)."""
    import pyarrow.parquet as pq

    folder = Path(out) / RESULTS
    spec = read_spec(out)
    schema = spec.schema() if spec else None
    if not finished_ids(folder):
        if schema is None:
            raise InputError(f"{out}: holds no sweep results")
        return schema.empty_table()
    table = pq.read_table(folder, schema=schema)
    return table.sort_by("index")


# ---- the sweep's definition ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepSpec:
    """What a sweep is: the scenario (its content's digest), how it is varied, and its variants."""

    scenario: str                     # the path as given
    digest: str                       # sha256 of the scenario's content
    method: str                       # "grid" or "sample"
    seed: int
    replications: int
    plan: bool
    fields: tuple[dict, ...]          # [{path, values}] or [{path, low, high}]
    variants: tuple[Variant, ...]
    types: tuple[tuple[str, str], ...] = field(default=())   # (path, arrow type name) of each input column

    def definition(self) -> dict[str, Any]:
        return {"scenario_digest": self.digest, "method": self.method, "seed": self.seed,
                "replications": self.replications, "plan": self.plan, "fields": list(self.fields),
                "variants": [{"index": v.index, "id": v.id, "seed": v.seed, "inputs": dict(v.inputs)}
                             for v in self.variants]}

    def key(self) -> str:
        return hashlib.sha256(json.dumps(self.definition(), sort_keys=True).encode()).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {"generator": "estate sweep", "scenario": self.scenario, "key": self.key(),
                "input_types": dict(self.types), **self.definition()}

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(f["path"] for f in self.fields)

    def schema(self):
        import pyarrow as pa

        types_ = {"int64": pa.int64(), "double": pa.float64(), "string": pa.string(), "bool": pa.bool_()}
        cols = [("variant", pa.string()), ("index", pa.int32()), ("seed", pa.int64())]
        cols += [(p, types_[t]) for p, t in self.types]
        return pa.schema(cols + output_schema())


def make_spec(scenario_path: str, base: Scenario, *, vary: Sequence[str] = (), sample_n: int | None = None,
              ranges: str | None = None, seed: int | None = None, replications: int | None = None,
              plan: bool = False) -> SweepSpec:
    """The sweep's definition from the command's options; every path and value checked before anything runs."""
    from scenarios.writer import to_data

    seed = base.seed if seed is None else seed
    replications = base.replications if replications is None else replications
    if vary and (sample_n is not None or ranges is not None):
        raise InputError("give either --vary FIELD=V1,V2,… or --sample N --ranges FILE, not both")
    if vary:
        axes = [parse_vary(v) for v in vary]
        check_values(base, axes)
        variants = grid(axes, seed)
        fields = tuple({"path": f.path, "values": list(values)} for f, values in axes)
        types_ = tuple((f.path, str(input_type(values))) for f, values in axes)
        method = "grid"
    elif sample_n is not None or ranges is not None:
        if sample_n is None or ranges is None:
            raise InputError("--sample N and --ranges FILE go together")
        rs = read_ranges(ranges)
        check_values(base, [(r.field, (r.field.coerce(r.low) if r.field.integer else r.low,
                                        r.field.coerce(r.high) if r.field.integer else r.high)) for r in rs])
        variants = sample(rs, sample_n, seed)
        fields = tuple({"path": r.field.path, "low": r.low, "high": r.high} for r in rs)
        types_ = tuple((r.field.path, "int64" if r.field.integer else "double") for r in rs)
        method = "sample"
    else:
        raise InputError("give --vary FIELD=V1,V2,… (repeatable) or --sample N --ranges FILE")
    digest = hashlib.sha256(json.dumps(to_data(base), sort_keys=True, default=str).encode()).hexdigest()
    return SweepSpec(scenario_path, digest, method, seed, replications, plan, fields, variants, types_)


def read_spec(out: Path | str) -> SweepSpec | None:
    path = Path(out) / SPEC
    if not path.exists():
        return None
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
        variants = tuple(Variant(v["index"], tuple(v["inputs"].items()), v["seed"]) for v in d["variants"])
        return SweepSpec(d["scenario"], d["scenario_digest"], d["method"], d["seed"], d["replications"], d["plan"],
                         tuple(d["fields"]), variants, tuple(d["input_types"].items()))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: is not a sweep definition written by `estate sweep` ({exc})") from None


def write_spec(out: Path, spec: SweepSpec) -> None:
    tmp = out / f".{SPEC}.tmp"
    tmp.write_text(json.dumps(spec.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, out / SPEC)


# ---- running a sweep -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lost:
    """A variant the executor could not run (a worker died, the cluster went away): no row is written,
    so the same command run again runs it."""

    variant: Variant
    message: str


@dataclass
class Outcome:
    total: int
    skipped: int           # had a row already
    ok: int = 0
    failed: int = 0
    lost: list[Lost] = field(default_factory=list)


Progress = Callable[[str, Variant | None], None]     # ("ok" | "failed" | "lost", variant)


def run(spec: SweepSpec, base: Scenario, out: Path, where: Where, progress: Progress | None = None) -> Outcome:
    """Run the variants of ``spec`` that have no row in ``out`` yet, writing each row as it finishes. A few
    tasks at a time are with the executor (``where.slots()``), so an interrupt loses at most those, and
    an in-process executor writes each row before the next variant starts."""
    folder = out / RESULTS
    done = finished_ids(folder) & {v.id for v in spec.variants}
    todo = iter([v for v in spec.variants if v.id not in done])
    outcome = Outcome(total=len(spec.variants), skipped=len(done))
    schema = spec.schema()
    report = progress or (lambda kind, v: None)
    futures: dict[Future, Variant] = {}

    def lose(v: Variant, exc: BaseException) -> None:
        outcome.lost.append(Lost(v, f"{type(exc).__name__}: {exc}"))
        report("lost", v)

    def fill() -> None:
        while len(futures) < where.slots():
            v = next(todo, None)
            if v is None:
                return
            try:
                futures[where.executor.submit(run_variant, base, v, spec.replications, spec.plan)] = v
            except Exception as exc:  # noqa: BLE001 - a broken pool or a lost cluster takes no more tasks
                lose(v, exc)
                for rest in todo:
                    lose(rest, exc)

    try:
        fill()
        while futures:
            finished, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in finished:
                v = futures.pop(future)
                try:
                    row = future.result()
                except (Exception, CancelledError) as exc:  # noqa: BLE001 - the executor's failure, not the variant's
                    lose(v, exc)
                    continue
                write_part(folder, row, schema)
                if row["status"] == "ok":
                    outcome.ok += 1
                else:
                    outcome.failed += 1
                report(row["status"], v)
            fill()
    finally:
        for future in futures:
            future.cancel()
    return outcome
