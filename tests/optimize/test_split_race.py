"""Two runs of one split as one result (``optimize.split_race.merged``): the best split, the highest bound,
the gap and status from them, and one progress trail of the best of either at each moment."""

import pytest

from optimize.solver import SolveResult, SolveStatus
from optimize.split_race import merged


def run(status, objective, bound, progress, seconds=5.0):
    gap = None if objective is None or bound is None else (objective - bound) / objective
    return SolveResult(status, "highs", objective, bound, gap, seconds, "x", tuple(progress))


def test_the_better_split_and_the_higher_bound_make_the_result():
    first = run(SolveStatus.FEASIBLE, 10.0, 9.5, [(0.5, 10.2, 9.0), (3.0, 10.0, 9.5)])
    second = run(SolveStatus.FEASIBLE, 10.1, 9.995, [(0.2, 10.1, 9.9), (1.5, 10.1, 9.995)])
    model, res = merged([(0.0, "without", first), (1.0, "with", second)], gap=0.001, seconds=4.0)
    assert model == "without" and res.objective == 10.0 and res.bound == 9.995
    assert res.gap == pytest.approx(0.0005) and res.status is SolveStatus.OPTIMAL    # proven only together
    assert res.progress == ((0.5, 10.2, 9.0), (1.2, 10.1, 9.9), (2.5, 10.1, 9.995), (3.0, 10.0, 9.995))
    assert res.seconds_to_gap(0.02) == 1.2 and res.seconds_to_gap(0.01) == 3.0 and res.seconds_to_gap(0.001) == 3.0


def test_a_run_without_a_split_leaves_the_other_and_a_wide_gap_stays_feasible():
    first = run(SolveStatus.FEASIBLE, 10.0, 9.0, [(1.0, 10.0, 9.0)])
    second = run(SolveStatus.NOT_SOLVED, None, None, [])
    model, res = merged([(0.0, "without", first), (1.0, "with", second)], gap=0.001, seconds=4.0)
    assert model == "without" and res.status is SolveStatus.FEASIBLE and res.gap == pytest.approx(0.1)


def test_an_error_while_the_second_run_is_prepared_ends_and_waits_for_the_first(cq):
    """No solver thread outlives the call: one still in HiGHS as Python shuts down aborts the process."""
    import threading

    from optimize.split import PREVIOUS
    from optimize.split_race import joined
    from scenarios import family_layout
    from tests.optimize.conftest import with_buildings
    from tests.optimize.test_split_cuts import model

    s, r = cq
    first, _ = model(with_buildings(s, family_layout("mixed-phases", buildings=40, seed=3)), r, PREVIOUS)

    def broken(left, proven):
        raise RuntimeError("no second model")

    with pytest.raises(RuntimeError, match="no second model"):
        joined(first, broken, 30.0, 0.0, {}, 0.0, 0.0)
    assert not [t for t in threading.enumerate() if t.name == "split-without-14"]
