"""Writers for the optimizer's files: plan.json, budget.csv, audit.json and the site map PNG."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from estate import tables as views


def write_plan(plan, checks, path: Path, budget=None, notices: tuple[str, ...] = ()) -> None:
    """plan.json; with ``budget``, its staffing and notes under ``budget``; ``notices``: rules applied outside
    their dates (``scenarios.validity``)."""
    doc = {
        "status": plan.status.value,
        "explanation": list(plan.explanation),
        "explanation_zh": list(plan.explanation_zh),
        "solver": plan.solver, "method": plan.method, "objective": plan.objective, "gap": plan.gap,
        "solve_seconds": round(plan.solve_seconds, 3),
        "communities": [views.plan_community(c) for c in plan.communities],
        "property_zones": _zones(plan.property_zones),
        "verification": [_check(k) for k in checks],
        "rule_notices": list(notices),
    }
    if budget is not None:
        doc["budget"] = budget_summary(budget)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")


def _zones(z) -> dict | None:
    """GZ-3 §六(三)'s zones and their rooms, or None where the estate is not split."""
    if z is None:
        return None
    return {"count": z.count, "floor_area_m2": z.floor_area_m2, "limit_m2": z.limit_m2,
            "room_area_m2": z.room_area_m2.value, "rooms_m2": z.rooms_m2,
            "rules": {"count": z.rule, "rooms": z.rooms_rule, "room_area_m2": z.room_area_m2.rule}}


def _check(k) -> dict:
    """A check as ``plan.json`` and ``audit.json`` hold it: the compliance view's row, its rule under ``id``."""
    row = views.check_row(k)
    return {"id": row.pop("rule"), **row}


BUDGET_COLUMNS = views.BUDGET_KEYS


def write_budget(b, path: Path) -> None:
    """``budget.csv``: the budget view's rows, amounts to the fen."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=BUDGET_COLUMNS)
        w.writeheader()
        w.writerows({**r, "amount_cny": f"{r['amount_cny']:.2f}"} for r in views.budget_rows(b))


def budget_summary(b) -> dict:
    """The budget's staffing (simulated or full strength), paid worker-years by year, and its notes."""
    return {"staffing": b.staffing,
            "worker_years": {str(y): round(v, 6) for y, v in b.worker_years.items()},
            "full_strength_worker_years": {str(y): round(v, 6) for y, v in b.full_strength_worker_years.items()},
            "notes": list(b.notes)}


def write_audit(checks, path: Path) -> None:
    doc = {"passed": all(k.passed for k in checks), "rules": [_check(k) for k in checks]}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")


def write_site_map(plan, scenario, path: Path) -> None:
    from estate.fonts import pyplot
    plt = pyplot()
    pos = {b.id: (b.x, b.y) for b in scenario.buildings}
    fig, ax = plt.subplots(figsize=(8, 8))
    cmap = plt.get_cmap("tab20")
    for n, c in enumerate(plan.communities):
        xs, ys = zip(*(pos[b] for b in c.buildings))
        ax.scatter(xs, ys, s=40, color=cmap(n % 20), label=f"{c.id} ({c.households:,})")
        ox, oy = pos[c.office_building]
        ax.scatter([ox], [oy], s=180, marker="*", color=cmap(n % 20), edgecolors="black", zorder=3)
    ax.set_aspect("equal")
    ax.set_title(f"{scenario.name}: {len(plan.communities)} communities ({plan.status.value}); ★ office")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
