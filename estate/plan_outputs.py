"""Writers for the optimizer's files: plan.json, budget.csv, audit.json and the site map PNG."""

from __future__ import annotations

import csv
import json
from pathlib import Path


def write_plan(plan, checks, path: Path, budget=None, notices: tuple[str, ...] = ()) -> None:
    """plan.json; with ``budget``, its staffing and notes under ``budget``; ``notices``: rules applied outside
    their dates (``scenarios.validity``)."""
    doc = {
        "status": plan.status.value,
        "explanation": list(plan.explanation),
        "solver": plan.solver, "method": plan.method, "objective": plan.objective, "gap": plan.gap,
        "solve_seconds": round(plan.solve_seconds, 3),
        "communities": [{
            "id": c.id, "buildings": list(c.buildings), "households": c.households,
            "office_building": c.office_building, "staff": int(c.staff.value),
            "committee_members": int(c.committee_members.value),
            "supervisory_members": None if c.supervisory_members is None else int(c.supervisory_members.value),
            "resident_groups": int(c.resident_groups.value), "grids": int(c.grids.value),
            "group_leaders": int(c.group_leaders.value),
            "group_representatives": [int(c.group_representatives_min.value), int(c.group_representatives_max.value)],
            "subcommittees": list(c.subcommittees),
            "office_area_m2": c.office_area_m2.value,
            "office_planned_m2": None if c.office_shortfall_m2 is None else c.office_planned_m2, "office_shortfall_m2": c.office_shortfall_m2,
            "grid_staff": dict(c.grid_staff) if c.grid_staff_rule else None,
            "station_staff": None if c.station_staff is None else int(c.station_staff.value),
            "social_workers": None if c.social_workers is None else int(c.social_workers.value),
            "rules": {"staff": c.staff.rule, "committee_members": c.committee_members.rule,
                      "resident_groups": c.resident_groups.rule, "grids": c.grids.rule,
                      "office_area_m2": c.office_area_m2.rule,
                      **({"grid_staff": c.grid_staff_rule} if c.grid_staff_rule else {}),
                      **({"station_staff": c.station_staff.rule} if c.station_staff is not None else {}),
                      **({"social_workers": c.social_workers.rule} if c.social_workers is not None else {})},
        } for c in plan.communities],
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
    return {"id": k.rule, "citation": k.citation, "entity": k.entity, "required": k.required,
            "provided": k.provided, "passed": k.passed, "shortfall": k.shortfall, "status": k.status, "note": k.note}


BUDGET_COLUMNS = ("year", "item", "payer", "amount_cny", "basis", "payer_basis")


def write_budget(b, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(BUDGET_COLUMNS)
        for r in b.rows:
            w.writerow([r.year, r.item, r.payer, f"{r.amount_cny:.2f}", r.basis, r.payer_basis])


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
