"""The facility plan as people read it: one line for the headline, rows for tables and downloads (read
through ``estate.tables.facilities``) and the ``facilities.json`` document. Months of unmet demand and
the budget cap's findings are put into words by ``estate.answers``.

``facilities.json`` (stable keys): ``status``, ``quantile``, ``start``, ``months``, ``solver``, ``gap``,
``solve_seconds``, ``cap_applied``, ``notes`` [str], ``services`` [{``service``, ``unit``, ``requirement``, ``sizing_rule``,
``modules_rule``, ``max_sites``, ``modules`` [{``size``, ``opening_month``, ``opening``, ``capital_cny``,
``running_cny_per_year``, ``rules`` {size, capital, running}}], ``unmet`` [{``first``, ``last``,
``months``, ``max_shortfall``, ``reason``, ``rule``, ``line``}]}].
"""

from __future__ import annotations

from typing import Any


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(float(x), 2)


def summary(fp, lang: str = "en") -> str:
    """"kindergarten 9 classes 2027-09, 12 classes 2029-09; primary …" (— when none); in Chinese
    "幼儿园 9 个班 2027-09；…", labels from the service registry."""
    from estate.i18n import service, value

    if fp is None:
        return "—"
    parts = []
    for s in fp.services:
        if s.modules:
            counts: dict[tuple[str, float], int] = {}
            for m in s.modules:   # modules of one size opening together read as "2×100 beds 2027-04"
                counts[(m.opening, m.size.value)] = counts.get((m.opening, m.size.value), 0) + 1
            unit = s.unit
            if lang == "zh":
                try:
                    unit = value("unit", s.unit, lang)
                except KeyError:
                    pass
            opened = ("，" if lang == "zh" else ", ").join(f"{'' if n == 1 else f'{n}×'}{_num(size):,} {unit} {when}"
                                                          for (when, size), n in sorted(counts.items()))
            parts.append(f"{service(s.service, lang) if lang == 'zh' else s.service} {opened}")
    return ("；" if lang == "zh" else "; ").join(parts) or "—"


def rows(fp) -> list[dict[str, Any]]:
    """One row per module opened."""
    if fp is None:
        return []
    return [{"service": m.service, "size": _num(m.size.value), "unit": m.unit, "opening_month": m.opening_month,
             "opening": m.opening, "capital_cny": round(m.capital_cny.value, 2),
             "running_cny_per_year": round(m.running_cny_per_year.value, 2), "size_rule": m.size.rule,
             "capital_rule": m.capital_cny.rule, "running_rule": m.running_cny_per_year.rule}
            for m in fp.modules]


def to_dict(fp) -> dict[str, Any]:
    """``facilities.json``'s facility plan (the one builder: ``estate run`` writes it, the tests read it)."""
    from scenarios.services import service as service_spec

    if fp is None:
        return {"status": None, "services": []}
    return {
        "status": fp.status.value, "quantile": fp.quantile, "start": fp.start, "months": fp.months,
        "solver": fp.solver, "gap": fp.gap, "solve_seconds": round(fp.solve_seconds, 3),
        "cap_applied": fp.cap_applied, "notes": list(fp.notes),
        "services": [{
            "service": s.service, "unit": s.unit, "requirement": service_spec(s.service).requirement,
            "sizing_rule": s.sizing_rule, "modules_rule": s.modules_rule,
            "max_sites": s.max_sites,
            "modules": [{"size": _num(m.size.value), "opening_month": m.opening_month, "opening": m.opening,
                         "capital_cny": round(m.capital_cny.value, 2),
                         "running_cny_per_year": round(m.running_cny_per_year.value, 2),
                         "rules": {"size": m.size.rule, "capital": m.capital_cny.rule,
                                   "running": m.running_cny_per_year.rule}} for m in s.modules],
            "unmet": [{"first": r.first, "last": r.last, "months": r.months, "max_shortfall": round(r.max_shortfall, 3),
                       "reason": r.reason.value, "rule": r.rule, "line": r.line()} for r in s.unmet_runs()],
        } for s in fp.services],
    }
