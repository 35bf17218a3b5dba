"""The app's charts as Altair specs, built from the run's views (``estate.tables``) and, per chart kind, the
series and words the output files' PNGs use too (``estate.plots``): occupancy fan
charts with the election threshold, demand bands per service, the budget by year and payer with the
yearly cap as a line, and the site with its communities and offices. Months on the x axes are calendar
months; money is in 万元 (Chinese) or CNY millions (English). Charts side by side share their y scale
(``y_max``). Every chart carries tooltips. Imported when results are drawn (Altair is slow to import)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import altair as alt
import pandas as pd

from estate import format as fmt
from estate import plots, tables
from estate.i18n import t

if TYPE_CHECKING:
    from estate.pipeline import RunResult

# a palette with enough distinct colours for the communities of a 45k estate (Vega's tableau20)
COMMUNITY_SCHEME = "tableau20"


def _dates(df: pd.DataFrame, result: RunResult) -> pd.DataFrame:
    s = result.scenario
    df["date"] = pd.to_datetime([fmt.month(m, s.start_year, s.start_month) + "-01" for m in df["month"]])
    return df


def _x(lang: str) -> alt.X:
    return alt.X("date:T", title=t("month", lang), axis=alt.Axis(format="%Y-%m"))


def fan_chart(result: RunResult, lang: str) -> alt.Chart:
    df = _dates(pd.DataFrame(tables.occupancy(result)), result)
    base = alt.Chart(df).encode(x=_x(lang))
    color = alt.Color("community:N", title=t("community", lang), scale=alt.Scale(scheme=COMMUNITY_SCHEME))
    band = base.mark_area(opacity=0.25).encode(y=alt.Y("p10:Q", title=t("occupancy_axis", lang),
                                                       axis=alt.Axis(format="%")), y2="p90:Q", color=color)
    line = base.mark_line().encode(
        y="p50:Q", color=color,
        tooltip=[alt.Tooltip("community:N", title=t("community", lang)),
                 alt.Tooltip("date:T", format="%Y-%m", title=t("month", lang)),
                 alt.Tooltip("p50:Q", format=".0%", title="P50"), alt.Tooltip("p10:Q", format=".0%", title="P10"),
                 alt.Tooltip("p90:Q", format=".0%", title="P90")])
    rule = alt.Chart(df.drop_duplicates("community")).mark_rule(strokeDash=[4, 3], color="#b3261e").encode(
        y="threshold:Q", tooltip=[alt.Tooltip("threshold:Q", format=".0%", title=t("threshold", lang))])
    return (band + line + rule).properties(height=260)


def demand_chart(result: RunResult, lang: str, columns: int = 2, width: int = 220) -> alt.Chart:
    """One small panel per service (its label from the registry), ``columns`` across, each ``width``
    pixels: the app sizes them to the column the chart sits in."""
    df = _dates(pd.DataFrame(tables.demand(result)), result)
    df["label"] = [plots.service_label(m, lang) for m in df["service"]]     # as demand.png's panels
    base = alt.Chart(df).encode(x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y", tickCount=4)))
    chart = (base.mark_area(opacity=0.25, color="#2e7d32").encode(y=alt.Y("p10:Q", title=None), y2="p90:Q")
             + base.mark_line(color="#2e7d32").encode(
                 y="p50:Q", tooltip=[alt.Tooltip("label:N", title=t("service", lang)),
                                     alt.Tooltip("date:T", format="%Y-%m", title=t("month", lang)),
                                     alt.Tooltip("p50:Q", format=",.1f", title="P50"),
                                     alt.Tooltip("p90:Q", format=",.1f", title="P90")]))
    return chart.properties(height=110, width=width).facet(
        facet=alt.Facet("label:N", title=None), columns=columns).resolve_scale(y="independent")


def budget_frame(result: RunResult, lang: str) -> pd.DataFrame:
    """The budget chart's bars (``estate.plots.budget_series``, the same as budget.png's) as rows."""
    years, series = plots.budget_series(result, "payer", lang)
    return pd.DataFrame([{"year": y, "payer_label": name, "amount": v[i]} for name, v in series.items()
                         for i, y in enumerate(years)], columns=["year", "payer_label", "amount"])


def budget_y_max(results: Sequence[RunResult], lang: str) -> float:
    """The highest yearly total (or cap) of several runs, so their charts share one y scale."""
    top = 0.0
    for r in results:
        df = budget_frame(r, lang)
        top = max(top, float(df.groupby("year")["amount"].sum().max() or 0.0), plots.cap_line(r, lang) or 0.0)
    return top * 1.05


def budget_chart(result: RunResult, lang: str, y_max: float | None = None) -> alt.Chart:
    df = budget_frame(result, lang)
    _, unit = plots.money_scale(lang)
    scale = alt.Scale(domain=[0, y_max]) if y_max else alt.Undefined
    bars = alt.Chart(df).mark_bar().encode(
        x=alt.X("year:O", title=t("year", lang)), y=alt.Y("amount:Q", title=unit, scale=scale),
        color=alt.Color("payer_label:N", title=t("payer", lang)),
        tooltip=[alt.Tooltip("year:O", title=t("year", lang)), alt.Tooltip("payer_label:N", title=t("payer", lang)),
                 alt.Tooltip("amount:Q", format=",.0f", title=unit)])
    cap = result.scenario.costs.budget_cap_cny_per_year
    if not cap:
        return bars.properties(height=260)
    line = pd.DataFrame({"cap": [plots.cap_line(result, lang)], "label": [f"{t('budget_cap_line', lang)} {fmt.money(cap, lang)}"]})
    rule = alt.Chart(line).mark_rule(color="#b3261e", strokeDash=[6, 3], size=2).encode(
        y="cap:Q", tooltip=[alt.Tooltip("label:N", title=t("budget_cap_line", lang))])
    text = alt.Chart(line).mark_text(align="left", dx=4, dy=-6, color="#b3261e").encode(
        y="cap:Q", x=alt.value(0), text="label:N")
    return (bars + rule + text).properties(height=260)


def site_chart(result: RunResult, lang: str) -> alt.Chart:
    df = pd.DataFrame(tables.site(result))
    tips = [alt.Tooltip("building:N", title=t("building", lang)), alt.Tooltip("community:N", title=t("community", lang)),
            alt.Tooltip("units:Q", format=",", title=t("flats", lang))]
    points = alt.Chart(df).mark_circle(opacity=0.85).encode(
        x=alt.X("x:Q", title="x (m)"), y=alt.Y("y:Q", title="y (m)"),
        size=alt.Size("units:Q", legend=None),
        color=alt.Color("community:N", title=t("community", lang), scale=alt.Scale(scheme=COMMUNITY_SCHEME)),
        tooltip=tips)
    office = df[df["office"]].assign(kind=t("office_marker", lang))
    offices = alt.Chart(office).mark_point(filled=True, size=220, color="black").encode(
        x="x:Q", y="y:Q", shape=alt.Shape("kind:N", title=None, scale=alt.Scale(range=["diamond"])), tooltip=tips)
    layers = [points, offices]
    hull = pd.DataFrame(tables.outlines(result))
    if not hull.empty:        # each community's outline, in its colour, under its buildings
        layers.insert(0, alt.Chart(hull).mark_line(strokeWidth=1.5, opacity=0.7).encode(
            x="x:Q", y="y:Q", order="order:Q", detail="community:N",
            color=alt.Color("community:N", title=t("community", lang), scale=alt.Scale(scheme=COMMUNITY_SCHEME))))
    return alt.layer(*layers).resolve_legend(shape="independent").properties(height=320)


def calendar_chart(result: RunResult, lang: str) -> alt.Chart:
    """The calendar (``estate.calendar``): spans as bars, single months as ticks, one row per community
    and service, the same colours for the same kind of event in every scenario."""
    from estate.calendar import KINDS, events, kind_label

    rows = events(result, lang)
    df = pd.DataFrame([{"row": e.row, "kind": kind_label(e.kind, lang), "start": pd.to_datetime(e.start + "-01"),
                        "end": pd.to_datetime(e.end + "-01") + pd.offsets.MonthEnd(0), "label": e.label}
                       for e in rows])
    order = list(dict.fromkeys(e.row for e in rows))
    colours = ["#9e9e9e", "#1565c0", "#ef9a9a", "#b3261e", "#2e7d32", "#fb8c00", "#6a1b9a"]
    color = alt.Color("kind:N", title=t("what", lang),
                      scale=alt.Scale(domain=[kind_label(k, lang) for k in KINDS], range=colours))
    return alt.Chart(df).mark_bar(height=9, opacity=0.85).encode(
        x=alt.X("start:T", title=t("month", lang), axis=alt.Axis(format="%Y-%m")), x2="end:T",
        y=alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelOverlap=False, labelLimit=220)), color=color,
        tooltip=[alt.Tooltip("row:N", title=t("cal_row", lang)), alt.Tooltip("label:N", title=t("what", lang))],
    ).properties(height=alt.Step(20))      # one 20-pixel band per community and service, every row labelled
