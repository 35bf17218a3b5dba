"""When things happen, per scenario: one row per community (its buildings' deliveries, the preparatory
group, the election due with its P10–P90 window) and one per service (each facility opening, each period
of unmet demand), in calendar months. ``events`` is the view (the app's timeline chart and the workbook
read it); months are ``YYYY-MM``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from estate import format as fmt
from estate.i18n import service, t, value

if TYPE_CHECKING:
    from estate.pipeline import RunResult

KINDS = ("delivery", "preparatory_group", "election_window", "election", "opening", "unmet", "unmet_cap")


@dataclass(frozen=True)
class Event:
    row: str          # "C1" or a service's label
    kind: str         # one of KINDS
    start: str        # YYYY-MM
    end: str          # YYYY-MM (== start for a single month)
    label: str        # what it is, in words


def events(result: RunResult, lang: str = "zh") -> list[Event]:
    s, sim = result.scenario, result.simulation
    month = lambda m: fmt.month(m, s.start_year, s.start_month)   # noqa: E731
    delivery = {b.id: b.delivery_month for b in s.buildings}
    out: list[Event] = []
    for c in result.plan.communities:
        months = sorted(delivery[b] for b in c.buildings)
        out.append(Event(c.id, "delivery", month(months[0]), month(months[-1]),
                         f"{t('cal_delivery', lang)} {month(months[0])} – {month(months[-1])}"))
        prep = sim.preparatory_group(c.id)["p50"]
        if prep is not None:
            out.append(Event(c.id, "preparatory_group", month(prep), month(prep), f"{t('cal_prep', lang)} {month(prep)}"))
        e = sim.election(c.id)
        if e["p10"] is not None and e["p90"] is not None and e["p10"] != e["p90"]:
            out.append(Event(c.id, "election_window", month(e["p10"]), month(e["p90"]),
                             f"{t('cal_election', lang)} P10–P90 {month(e['p10'])} – {month(e['p90'])}"))
        if e["p50"] is not None:
            out.append(Event(c.id, "election", month(e["p50"]), month(e["p50"]), f"{t('cal_election', lang)} {month(e['p50'])}"))
    for svc in (result.facilities.services if result.facilities is not None else ()):
        row = service(svc.service, lang)
        for m in svc.modules:
            unit = value("unit", svc.unit, lang) if svc.unit in ("classes", "beds", "m²") else svc.unit
            out.append(Event(row, "opening", m.opening, m.opening, f"{t('cal_opening', lang)} {fmt.num(m.size.value)} {unit} {m.opening}"))
        for r in svc.unmet_runs():
            kind = "unmet_cap" if r.reason.value == "budget_cap" else "unmet"
            out.append(Event(row, kind, r.first, r.last, f"{t('cal_unmet', lang)} {r.first} – {r.last}（{value('reason', r.reason.value, lang)}）"
                             if lang == "zh" else f"{t('cal_unmet', lang)} {r.first} – {r.last} ({value('reason', r.reason.value, lang)})"))
    return out


def kind_label(kind: str, lang: str = "zh") -> str:
    return t(f"cal_{kind}", lang)
