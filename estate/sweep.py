"""Sweeps: one scenario run over a grid or a Latin-hypercube sample of its inputs, one row per variant.

What is varied and how variants get their ids and seeds: ``estate.sweep_inputs``. The results file:
``estate.sweep_results``. Here: the sweep's definition (``DIR/sweep.json``), one variant's run in a worker,
and the loop that hands variants to an executor (``estate.executors``) and writes each row as it finishes.

Each variant: its scenario validated, the community split planned (cached per worker process on what the
split reads), the rules verified, the scenario's replications simulated over the planned communities in
the worker, and with ``plan`` the facility plan and budget. A variant that raises gives a row with
``status = "failed"`` and its error, and the sweep goes on; a variant the executor could not run gets no
row, so the same command run again runs it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import OrderedDict
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from estate.executors import Where
from estate.sweep_inputs import (OVERRIDE, OVERRIDE_REASON, Field, Range, Variant, apply_inputs, check_field,
                                 check_values, grid, parse_value, parse_vary, read_ranges, sample, variant_seed)
from estate.sweep_results import (RESULTS, finished_ids, input_type, output_schema, read_parts, write_part)
from scenarios.schema import Scenario
from standards.errors import InputError

SPEC = "sweep.json"

__all__ = ["OVERRIDE", "OVERRIDE_REASON", "RESULTS", "SPEC", "Field", "Lost", "Outcome", "Range", "SweepSpec",
           "Variant", "apply_inputs", "check_field", "check_values", "finished_ids", "grid", "input_type",
           "make_spec", "output_schema", "parse_value", "parse_vary", "planned_split", "read_ranges",
           "read_results", "read_spec", "run", "run_variant", "sample", "simulate_variant", "variant_seed",
           "write_part", "write_spec"]


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
    """The headline outputs of one variant's scenario (the columns of ``estate.sweep_results.output_schema``)."""
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
    from estate import highs_banner
    highs_banner.silence()      # once per worker process: the solver's banner stays off the sweep's output
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


def read_results(out: Path | str):
    """``DIR/results.parquet`` as a pyarrow Table in the sweep's order, with the columns its definition gives."""
    spec = read_spec(out)
    if spec is None and not finished_ids(Path(out) / RESULTS):
        raise InputError(f"{out}: holds no sweep results")
    return read_parts(out, spec.schema() if spec else None)


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
