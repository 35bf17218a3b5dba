"""The meeting front end: pick, edit, run and compare scenarios side by side.

Start with `streamlit run app_streamlit.py` or `estate app`. Thin over the library: it loads scenarios,
draws widgets whose ranges come from the schema and the rules, calls one library entry point
(``estate.pipeline.run``, cached on scenario content by ``estate.run_cache``) and renders what it
returns. No rule, formula or solver of its own.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pandas as pd
import streamlit as st

from estate import compare as cmp
from estate import editing, tables
from estate.i18n import LANGUAGES, t
from estate.pool import PendingRuns, SharedPool
from estate.run_cache import RunCache, key
from estate.uploads import scenario_from_upload
from scenarios import load, rules_of
from scenarios.loader import validate
from scenarios.schema import Allocation, Scenario
from scenarios.writer import to_data, to_toml
from standards import load_catalog
from standards.errors import InputError

ROOT = Path(__file__).parent
EXAMPLES = sorted((ROOT / "scenarios").glob("*.toml"))
PROGRESS_SECONDS = 2.0      # the least time between two redraws of the progress bar
WARM_AFTER_SECONDS = 0.0    # the pool's workers start as soon as the first page is sent
WORKER_NICE = 10            # ...at a lower CPU priority, which they keep: the page and the browser come first


@st.cache_data(show_spinner=False)
def _load_example(path: str) -> dict:
    return to_data(load(path))


@st.cache_resource
def _runs() -> RunCache:
    """Shared by every session: a meeting's second look at a setting is instant."""
    return RunCache(maxsize=24)


@st.cache_resource
def _pool() -> SharedPool:
    """One process pool for the app's lifetime (no start-up cost per run). Its workers import this page
    as their main module: with the page's imports preloaded in the fork server, that is nearly free."""
    return SharedPool(os.cpu_count() or 1, preload=("streamlit", "pandas", "estate.compare", "estate.editing",
                                                    "estate.uploads", "estate.tables", "estate.run_cache"),
                      nice=WORKER_NICE)


def _scenario(data: dict, label: str) -> Scenario:
    return validate(data, label, ROOT)


def _edit_panel(scenario: Scenario, tag: str, lang: str) -> Scenario:
    """Widgets for the assumptions that move results; returns the edited, validated scenario.
    Widget keys carry ``tag`` (the file name), so a widget's state follows its scenario."""
    catalog = load_catalog()
    with st.expander(f"{t('edit', lang)}: {scenario.name}", expanded=False):
        regimes = list(catalog.regimes)
        regime = st.selectbox(t("regime", lang), regimes, index=regimes.index(scenario.regime),
                              format_func=lambda r: catalog.regimes[r].label, key=f"regime:{tag}")
        cadences = list(Allocation.model_fields["cadence"].annotation.__args__)
        cadence = st.selectbox(t("cadence", lang), cadences, index=cadences.index(scenario.allocation.cadence),
                               key=f"cadence:{tag}")
        changes: dict = {"allocation.cadence": cadence}
        for e in editing.EDITABLE:
            low, high = editing.bounds(e.model, e.field)
            value = editing.get(scenario, e.key)
            if isinstance(value, int):
                changes[e.key] = int(st.number_input(t(e.key, lang), min_value=int(low or 0), value=value,
                                                     step=int(e.step), key=f"{e.key}:{tag}"))
            else:
                changes[e.key] = st.slider(t(e.key, lang), min_value=low or 0.0, max_value=high or 1.0,
                                           value=float(value), step=e.step, key=f"{e.key}:{tag}")
        size = editing.persons_per_household(scenario)
        new_size = st.number_input(t("persons_per_household", lang), min_value=1.0, max_value=8.0, value=size,
                                   step=0.05, format="%.2f", key=f"size:{tag}")
        if abs(new_size - size) > 1e-9:
            changes["households.persons_per_household"] = float(new_size)
        profiles = list(editing.age_profiles())
        current = scenario.households.age_profile
        if isinstance(current, str) and current in profiles:
            profile = st.selectbox(t("age_profile", lang), profiles, index=profiles.index(current),
                                   format_func=lambda r: f"{r} — {catalog.rule(r).description}", key=f"ages:{tag}")
            if profile != current:
                changes["households.age_profile"] = profile
        pay = editing.staff_pay(scenario)
        new_pay = st.number_input(t("staff_pay", lang), min_value=0.0, value=pay, step=1000.0, key=f"pay:{tag}")
        if abs(new_pay - pay) > 1e-6:
            changes["costs.staff_pay_cny_per_year"] = float(new_pay)
        cap = scenario.costs.budget_cap_cny_per_year or 0.0
        new_cap = st.number_input(t("budget_cap", lang), min_value=0.0, value=float(cap), step=1e6, key=f"cap:{tag}")
        if abs(new_cap - cap) > 1e-6:
            changes["costs.budget_cap_cny_per_year"] = float(new_cap) or None
        changes["replications"] = int(st.number_input(t("replications", lang), min_value=1, max_value=10000,
                                                      value=scenario.replications, step=10, key=f"reps:{tag}"))
        edited = editing.apply(scenario, changes, regime=regime)
        current_share = editing.election_share(edited)
        share = st.slider(t("election_share", lang), 0.05, 1.0, float(current_share), 0.05, key=f"share:{tag}")
        reason = st.text_input(t("override_reason", lang), key=f"reason:{tag}")
        if abs(share - current_share) > 1e-9:
            if reason.strip():
                edited = editing.apply(edited, {}, election=(share, reason.strip()))
            else:
                st.warning(t("override_reason", lang))
        st.download_button(t("download_scenario", lang), to_toml(edited, header=f"edited from: {scenario.name}"),
                           file_name=f"{Path(scenario.name).stem or 'scenario'}-edited.toml".replace(" ", "-"),
                           mime="application/toml", key=f"download:{tag}")
    return edited


def _marked(headlines: cmp.Headlines, lang: str) -> pd.DataFrame:
    """The side-by-side table, each figure that differs from the first scenario marked ●."""
    def text(v) -> str:
        if v is None:
            return "—"
        return f"{v:,}" if isinstance(v, int) else str(v)
    table = {t("metric", lang): [t(k, lang) for k, _ in headlines.rows]}
    for j, name in enumerate(headlines.names):
        table[name] = [("● " if headlines.differs(k)[j] else "") + text(vs[j]) for k, vs in headlines.rows]
    return pd.DataFrame(table)


def _pending(missing: list[Scenario]) -> PendingRuns:
    """The runs of ``missing``, started now on their own thread; each kept in the run cache when done."""
    return PendingRuns([key(s) for s in missing], [(s, rules_of(s)) for s in missing], _pool().get(),
                       keep=_runs().put)


def _start_runs(scenarios: list[Scenario]) -> None:
    """The Run button's callback: Streamlit calls it before drawing the page again, so the missing runs
    start now, on their own thread, and the page draws itself meanwhile."""
    missing = [s for s in scenarios if _runs().get(s) is None]
    if missing:
        st.session_state["pending"] = _pending(missing)


def _run_all(scenarios: list[Scenario], lang: str) -> list:
    """Each scenario's run, from the cache or from the runs the Run button started (the missing ones
    together, sharing the pool), with a progress bar."""
    cache = _runs()
    results = [cache.get(s) for s in scenarios]
    missing = [i for i, r in enumerate(results) if r is None]
    if not missing:
        return results
    pending = st.session_state.get("pending")
    if pending is None or pending.keys != tuple(key(scenarios[i]) for i in missing):
        pending = _pending([scenarios[i] for i in missing])
    # one bar for the whole comparison; each redraw costs the browser a repaint of the page (and, on
    # two cores, the replications that time), so it moves at most every PROGRESS_SECONDS
    bar = st.progress(0.0, text=t("stage_plan", lang))
    while not pending.wait(PROGRESS_SECONDS):
        shares = [{"plan": 0.05, "simulate": 0.05 + 0.85 * done / max(total, 1), "facilities": 0.92,
                   "budget": 0.97}[stage] for stage, done, total in pending.status]
        current = next((j for j, (stage, _, _) in enumerate(pending.status) if stage != "budget"), 0)
        stage, done, total = pending.status[current]
        bar.progress(min(sum(shares) / len(shares), 1.0),
                     text=f"{scenarios[missing[current]].name}: {t('stage_' + stage, lang)} "
                     + (f"{done}/{total}" if stage == "simulate" else ""))
    try:
        computed = pending.result()
    finally:
        st.session_state.pop("pending", None)
    for i, result in zip(missing, computed):      # (already in the cache: ``keep``)
        results[i] = result
    bar.empty()
    return results


def _report_html(result) -> bytes:
    import tempfile

    from estate.outputs import prepare
    from estate.run_outputs import FILES, write_run
    with tempfile.TemporaryDirectory() as tmp:
        out = prepare(Path(tmp) / "run", FILES, "estate app")
        write_run(result, out)
        return (out / "report.html").read_bytes()


def _results(edited: list[Scenario], lang: str) -> None:
    cache = _runs()
    cached = [cache.get(s) is not None for s in edited]
    pressed = st.button(t("run", lang), type="primary", key="run", on_click=_start_runs, args=(edited,))
    if not (pressed or all(cached)):
        st.info(t("run_hint", lang))
        return
    from estate import charts      # Altair is slow to import: only once there are results to draw
    try:
        results = _run_all(edited, lang)
    except InputError as exc:
        st.error("\n\n".join(exc.messages))
        return

    st.header(t("results", lang))
    st.dataframe(_marked(cmp.compare_runs(results), lang), hide_index=True, width="stretch", key="run_headlines")
    st.caption("● " + t("differences", lang))
    for r in results:
        if r.plan.status.value in ("relaxed", "infeasible"):
            st.warning(f"{r.scenario.name}: {t('plan_' + r.plan.status.value, lang)}\n\n"
                       + "\n\n".join(f"- {line}" for line in r.plan.explanation))
        notes = _notices(r)
        if notes:
            with st.expander(f"⚠ {r.scenario.name}: {len(notes)} {t('notices', lang)}"):
                st.markdown("\n".join(f"- {line}" for line in notes))

    st.subheader(t("occupancy_chart", lang))
    for col, r in zip(st.columns(len(results)), results):
        with col:
            st.caption(r.scenario.name)
            st.altair_chart(charts.fan_chart(r, lang), width="stretch")
    st.subheader(t("demand_chart", lang))
    for col, r in zip(st.columns(len(results)), results):
        with col:
            st.caption(r.scenario.name)
            st.altair_chart(charts.demand_chart(r, lang))
    st.subheader(t("budget_chart", lang))
    for col, r in zip(st.columns(len(results)), results):
        with col:
            st.caption(r.scenario.name)
            st.altair_chart(charts.budget_chart(r, lang), width="stretch")
    st.subheader(t("site_map", lang))
    for col, r in zip(st.columns(len(results)), results):
        with col:
            st.caption(f"{r.scenario.name} — {r.plan.status.value}")
            st.altair_chart(charts.site_chart(r, lang), width="stretch")

    st.header(t("compliance", lang))
    for col, r in zip(st.columns(len(results)), results):
        with col:
            rows = tables.compliance(r)
            failed = sum(x["passed"] is False for x in rows)
            unchecked = sum(x["passed"] is None for x in rows)
            st.caption(f"{r.scenario.name}: {len(rows) - failed - unchecked} ✓, {failed} ✗, {unchecked} — {t('not_checked', lang)}")
            st.dataframe(pd.DataFrame([{t("rule", lang): x["rule"], t("citation", lang): x["citation"],
                                        t("entity", lang): x["entity"], t("required", lang): x["required"],
                                        t("provided", lang): x["provided"],
                                        t("passed", lang): "—" if x["passed"] is None else "✓" if x["passed"]
                                        else "✗"} for x in rows]),
                         hide_index=True, width="stretch")

    st.header(t("downloads", lang))
    st.download_button(t("download_headlines", lang), tables.to_csv(
        _marked(cmp.compare_runs(results), lang).to_dict("records")).encode("utf-8-sig"),
        file_name="comparison.csv", mime="text/csv", key="download_headlines", on_click="ignore")
    for col, r in zip(st.columns(len(results)), results):
        with col:
            stem = Path(r.scenario.name).stem.replace(" ", "-").replace(",", "")
            st.download_button(f"{t('download_tables', lang)}: {r.scenario.name}",
                               functools.partial(tables.tables_zip, r), file_name=f"{stem}-tables.zip",
                               mime="application/zip", key=f"zip:{stem}", on_click="ignore")
            st.download_button(f"{t('download_report', lang)}: {r.scenario.name}",
                               functools.partial(_report_html, r), file_name=f"{stem}-report.html",
                               mime="text/html", key=f"report:{stem}", on_click="ignore")


def _notices(result) -> list[str]:
    from estate.facility_view import notices as facility_notices
    out = list(facility_notices(result.facilities))
    if result.cap is not None:
        from estate.facility_view import cap_notices
        out += cap_notices(result.cap)
    return out + list(result.notices)     # rules applied outside their dates (scenarios.validity)


def main() -> None:
    st.set_page_config(page_title="Estate planner", layout="wide")
    langs = list(LANGUAGES)
    lang = st.sidebar.radio("语言 / Language", langs, format_func=LANGUAGES.get, horizontal=True,
                            index=langs.index(st.query_params.get("lang", "zh")) if st.query_params.get("lang") in langs else 0)
    st.title(t("app_title", lang))

    names = [p.name for p in EXAMPLES]
    asked = [n for n in st.query_params.get("scenarios", "").split(",") if n in names]   # a shareable link
    default = asked or [n for n in ("chongqing-20k.toml", "shandong-20k.toml") if n in names] or names[:2]
    picked = st.sidebar.multiselect(t("pick", lang), names, default=default, max_selections=4)
    upload = st.sidebar.file_uploader(t("upload", lang), type=["toml", "csv", "geojson", "json"])

    scenarios, tags, problems = [], [], []
    for name in picked:
        try:
            scenarios.append(_scenario(_load_example(str(ROOT / "scenarios" / name)), f"scenarios/{name}"))
            tags.append(name)
        except InputError as exc:
            problems += exc.messages
    if upload is not None:
        try:
            scenarios.append(scenario_from_upload(upload.name, upload.getvalue(),
                                                 scenarios[0] if scenarios else load(EXAMPLES[0]),
                                                 ROOT / "scenarios"))
            tags.append(f"upload-{upload.name}")
        except InputError as exc:
            problems += exc.messages
    if problems:
        st.error(t("errors", lang) + ":\n\n" + "\n\n".join(f"- {m}" for m in problems))
    if not scenarios:
        return
    scenarios, tags = scenarios[:4], tags[:4]

    edited = []
    for s, tag in zip(scenarios, tags):
        try:
            edited.append(_edit_panel(s, tag, lang))
        except InputError as exc:
            st.error("\n\n".join(exc.messages))
            edited.append(s)

    st.header(t("headlines", lang))
    st.dataframe(_marked(cmp.compare(edited), lang), hide_index=True, width="stretch", key="headlines")
    st.caption("● " + t("differences", lang))

    _results(edited, lang)

    st.header(t("rules", lang))
    for col, s in zip(st.columns(len(edited)), edited):
        with col:
            st.subheader(s.name)
            rows = cmp.rules_table(s)
            st.dataframe({t(k, lang): [r[k] for r in rows] for k in ("role", "rule", "value", "citation", "note")},
                         hide_index=True, width="stretch")
    _pool().warm(delay=WARM_AFTER_SECONDS)   # once the first page is sent


# Streamlit runs this file as __main__; the process pool's workers import it as __mp_main__ and must
# not draw the page (or start a pool of their own).
if __name__ == "__main__":
    main()
