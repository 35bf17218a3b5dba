"""The app's charts as Altair specs, built from the run's tables (``estate.tables``): occupancy fan
charts with the election threshold, demand bands per service, the budget by year and payer, and the
site with its communities and offices. Imported when results are drawn (Altair is slow to import)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from estate import tables
from estate.i18n import t

if TYPE_CHECKING:
    from estate.pipeline import RunResult


def fan_chart(result: RunResult, lang: str) -> alt.Chart:
    df = pd.DataFrame(tables.occupancy(result))
    base = alt.Chart(df).encode(x=alt.X("month:Q", title=t("month", lang)))
    band = base.mark_area(opacity=0.25).encode(y=alt.Y("p10:Q", title=t("occupancy_axis", lang),
                                                       axis=alt.Axis(format="%")), y2="p90:Q",
                                               color=alt.Color("community:N", title=t("community", lang)))
    line = base.mark_line().encode(y="p50:Q", color="community:N")
    rule = alt.Chart(df.drop_duplicates("community")).mark_rule(strokeDash=[4, 3], color="#b3261e").encode(
        y="threshold:Q")
    return (band + line + rule).properties(height=260)


def demand_chart(result: RunResult, lang: str) -> alt.Chart:
    df = pd.DataFrame(tables.demand(result))
    base = alt.Chart(df).encode(x=alt.X("month:Q", title=t("month", lang)))
    chart = (base.mark_area(opacity=0.25, color="#2e7d32").encode(y=alt.Y("p10:Q", title=None), y2="p90:Q")
             + base.mark_line(color="#2e7d32").encode(y="p50:Q"))
    return chart.properties(height=130, width=200).facet(
        facet=alt.Facet("service:N", title=None), columns=3).resolve_scale(y="independent")


def budget_chart(result: RunResult, lang: str) -> alt.Chart:
    df = pd.DataFrame(tables.budget(result))
    df = df.groupby(["year", "payer"], as_index=False)["amount_cny"].sum()
    df["million"] = df["amount_cny"] / 1e6
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("year:O", title=t("year", lang)), y=alt.Y("million:Q", title=t("million_cny", lang)),
        color=alt.Color("payer:N", title=t("payer", lang))).properties(height=260)


def site_chart(result: RunResult, lang: str) -> alt.Chart:
    df = pd.DataFrame(tables.site(result))
    points = alt.Chart(df).mark_circle().encode(
        x=alt.X("x:Q", title="x (m)"), y=alt.Y("y:Q", title="y (m)"),
        size=alt.Size("units:Q", legend=None), color=alt.Color("community:N", title=t("community", lang)),
        tooltip=["building", "community", "units"])
    offices = alt.Chart(df[df["office"]]).mark_point(shape="diamond", size=220, filled=True, color="black").encode(
        x="x:Q", y="y:Q", tooltip=["building", "community"])
    return (points + offices).properties(height=320)
