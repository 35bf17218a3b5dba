"""A second HiGHS run that joins the split's solve where the model without the local count cuts (14) leaves
the gap wide (``optimize.split``, ``Formulation.stage``).

The run without (14) goes on; after ``stage`` seconds, if the gap it has proven is wider than
``stage_gap``, a run on a copy of the model with (14) starts on a second thread, and the first of the two
to prove the gap asked ends the other (HiGHS releases the GIL while it runs, so the two use two cores).
Both models have the same splits, so the better incumbent and the higher bound of the two hold for both:
the result is the best split found and the highest bound proven. An estate the run without (14) proves
in time never starts the second (on the benchmark's ``old`` family, none did); one where (14) is what
proves it gets it after ``stage`` seconds; one where (14) makes the search slower (``towers``, seed 0)
keeps the first run's pace.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Callable

from optimize.solver import SolveResult, SolveStatus, solve

POLL = 0.01    # seconds between looks at the first run while waiting for it to prove or to leave the gap wide


def joined(first_model, build_second: Callable[[float, Callable[[], bool]], tuple[object, dict]], share: float,
           gap: float, options: dict, stage: float, wide: float) -> tuple[object, SolveResult]:
    """Solve ``first_model`` (a ``SplitModel``) with HiGHS within ``share`` seconds; where it has not proven
    ``gap`` after ``stage`` seconds and its gap is wider than ``wide``, ``build_second(seconds left, proven)``
    (the model with (14), warm-started, and HiGHS's options for it; ``proven()`` says the first run has proven
    the gap, so any work toward the second may end) joins it. Returns the model whose split is kept and the two runs as one
    result."""
    t0 = time.perf_counter()
    widened, done, finished = threading.Event(), threading.Event(), threading.Event()
    out: dict[str, object] = {}

    def stop_first(t: float, incumbent: float, bound: float) -> bool:
        if t >= stage and not widened.is_set() and incumbent - bound > wide * max(1e-9, abs(incumbent)):
            widened.set()
        return done.is_set()

    def run_first() -> None:
        try:
            out["first"] = solve(first_model.problem, "highs", share, gap, options, stop_first)
            if out["first"].status is SolveStatus.OPTIMAL:
                done.set()
        except BaseException as exc:  # noqa: BLE001 - raised again on the caller's thread
            out["error"] = exc
        finally:
            finished.set()

    thread = threading.Thread(target=run_first, name="split-without-14", daemon=True)
    thread.start()
    second_model, second, started = None, None, None
    try:
        while not finished.is_set() and not widened.is_set():
            finished.wait(POLL)
        if widened.is_set() and not done.is_set():
            second_model, second_options = build_second(share - (time.perf_counter() - t0), done.is_set)
            started = time.perf_counter() - t0
            left = share - started
            if left > 0.2 and not done.is_set():
                second = solve(second_model.problem, "highs", left, gap, second_options, lambda *_: done.is_set())
                if second.status is SolveStatus.OPTIMAL:
                    done.set()
    except BaseException:       # an interrupt (Ctrl-C) or an error here: the first run ends too, and is
        done.set()              # waited for (its next progress report stops it), so that no solver
        thread.join()           # thread outlives the call: one still in HiGHS as Python shuts down aborts it
        raise
    thread.join()
    if "error" in out:
        raise out["error"]
    first: SolveResult = out["first"]
    runs = [(0.0, first_model, first)] + ([(started, second_model, second)] if second is not None else [])
    return merged(runs, gap, time.perf_counter() - t0)


def merged(runs: list[tuple[float, object, SolveResult]], gap: float, seconds: float) -> tuple[object, SolveResult]:
    """The runs (each with the second it started at, its model and result) as one result: the model with
    the best split, the highest bound, and their progress as one trail (the best of either at each moment)."""
    with_split = [(r.objective, i) for i, (_, _, r) in enumerate(runs)
                  if r.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE) and r.objective is not None]
    bounds = [r.bound for _, _, r in runs if r.bound is not None and math.isfinite(r.bound)]
    if not with_split:
        return runs[0][1], runs[0][2]
    objective, best = min(with_split)
    bound = max(bounds) if bounds else None
    gap_now = abs(objective - bound) / max(1e-9, abs(objective)) if bound is not None else None
    status = SolveStatus.OPTIMAL if gap_now is not None and gap_now <= gap + 1e-9 else SolveStatus.FEASIBLE
    events = sorted((start + t, inc, b) for start, _, r in runs for t, inc, b in r.progress)
    trail, inc_best, bound_best = [], math.inf, -math.inf
    for t, inc, b in events:
        inc_best, bound_best = min(inc_best, inc), max(bound_best, b)
        trail.append((t, inc_best, bound_best))
    words = " + ".join(r.solver_status for _, _, r in runs)
    return runs[best][1], SolveResult(status, "highs", objective, bound, gap_now, seconds, words, tuple(trail))
