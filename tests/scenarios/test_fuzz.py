"""Fuzzed scenarios and layouts, valid and broken (hypothesis, derandomized: the same examples on every
run; a failure prints the example and the `@reproduce_failure` line to replay it). `estate validate`
either says ok (exit 0) or fails with one line per problem, each naming the file, and exit 1; a file it
passes must run (`estate run`): exit 0, or one line and exit 1 — never an internal error or a traceback.
"""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from estate.cli import main

ROOT = Path(__file__).resolve().parents[2]
BASE = tomllib.loads((ROOT / "scenarios/small-2400.toml").read_text(encoding="utf-8"))
BASE["horizon_months"] = 24          # small and short, so that `run` stays quick
BASE["replications"] = 2
REMOVE = object()
LAYOUT_COLUMNS = ("id", "units", "floor_area_m2", "cluster", "x", "y", "delivery_month", "office_space_m2")

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=1),
    st.integers(min_value=-5, max_value=100),
    st.integers(min_value=-10**13, max_value=10**13),
    st.sampled_from([0, 1, -1, 0.5, 1e300, -1e300, 10_000, 10_001, 600, 601, 2**63]),
)
values = st.one_of(numbers, st.text(max_size=6), st.booleans(), st.just(REMOVE),
                   st.sampled_from(["facility_costs.eldercare_operating_subsidy_maanshan", "money.worker_pay_cq_entry",
                                    "CQ-73.community_households", "nope.nothing", "2027-13", "weekly"]))


def _paths(doc: dict) -> list[tuple]:
    """Every leaf of the scenario (section.field, buildings[i].field, table.key)."""
    out: list[tuple] = []

    def walk(x, path):
        if isinstance(x, dict):
            for k, v in x.items():
                walk(v, (*path, k))
        elif isinstance(x, list) and x and isinstance(x[0], dict):
            for i, v in enumerate(x):
                walk(v, (*path, i))
        else:
            out.append(path)
    walk(doc, ())
    return out


PATHS = _paths(BASE) + [("costs", "budget_cap_cny_per_year"), ("costs", "staff_pay_cny_per_year"),
                        ("allocation", "lease_months"), ("households", "persons_per_household"),
                        ("facilities", "max_sites"), ("costs", "kindergarten_capital_cny_per_class")]


def _set(doc: dict, path: tuple, value) -> None:
    for key in path[:-1]:
        try:
            doc = doc[key]
        except (KeyError, IndexError, TypeError):   # not there (moved to the layout file, or replaced)
            return
    if value is REMOVE:
        doc.pop(path[-1], None) if isinstance(doc, dict) else None
    elif isinstance(doc, dict) or (isinstance(doc, list) and path[-1] < len(doc)):
        doc[path[-1]] = value


def _copy(x):
    if isinstance(x, dict):
        return {k: _copy(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_copy(v) for v in x]
    return x


@st.composite
def scenarios(draw, max_changes: int = 4):
    """(scenario TOML text, layout CSV text or None)."""
    doc = _copy(BASE)
    layout = None
    if draw(st.booleans()):         # the buildings as a layout file, possibly broken, possibly with blank rows
        rows = [{k: b.get(k, "") for k in LAYOUT_COLUMNS} for b in doc.pop("buildings")]
        for _ in range(draw(st.integers(0, 2))):
            row = draw(st.integers(0, len(rows) - 1))
            column = draw(st.sampled_from(LAYOUT_COLUMNS))
            rows[row][column] = draw(st.one_of(numbers, st.text(max_size=4)))
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(LAYOUT_COLUMNS)
        for r in rows:
            w.writerow([r[k] for k in LAYOUT_COLUMNS])
        if draw(st.booleans()):
            buf.write(",,,,,,,\n" * draw(st.integers(1, 3)))
        layout = buf.getvalue()
        doc["layout"] = {"file": "layout.csv"}
    for _ in range(draw(st.integers(0, max_changes))):
        _set(doc, draw(st.sampled_from(PATHS)), draw(values))
    return tomli_w.dumps(doc), layout


def _write(tmp: Path, case) -> Path:
    text, layout = case
    path = tmp / "fuzzed.toml"
    path.write_text(text, encoding="utf-8")
    if layout is not None:
        (tmp / "layout.csv").write_text(layout, encoding="utf-8")
    return path


def _one_line_each(err: str, *names: Path) -> None:
    assert "Traceback" not in err and "internal error" not in err, err
    for line in err.strip().splitlines():
        if line.startswith("estate: no CJK font"):
            continue
        assert any(line.startswith(f"{n}") for n in names), line



@settings(max_examples=150, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=scenarios())
def test_validate_is_ok_or_one_line_per_problem(tmp_path_factory, case, capsys):
    tmp = tmp_path_factory.mktemp("fuzz")
    path = _write(tmp, case)
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    event("valid" if code == 0 else "refused")
    assert code in (0, 1), err
    assert (code == 1) == bool(err.strip()), err
    _one_line_each(err, path, tmp / "layout.csv")


@pytest.mark.slow
@settings(max_examples=12, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=scenarios(max_changes=1))
def test_what_validate_passes_runs(tmp_path_factory, case, capsys):
    tmp = tmp_path_factory.mktemp("fuzz")
    path = _write(tmp, case)
    code = main(["validate", str(path)])
    capsys.readouterr()
    event("valid" if code == 0 else "refused by validate")
    if code != 0:
        return
    code = main(["run", str(path), "--out", str(tmp / "out"), "--workers", "1", "--quiet"])
    err = capsys.readouterr().err
    assert code == 0 or (code == 1 and len([e for e in err.splitlines() if "CJK" not in e]) == 1), err
    _one_line_each(err, path, tmp / "layout.csv")
