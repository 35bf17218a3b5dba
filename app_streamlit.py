"""The meeting front end: pick, edit, run and compare scenarios side by side.

Start with `streamlit run app_streamlit.py` or `estate app`. Thin over the library: it loads scenarios,
draws widgets whose ranges come from the schema and the rules, calls one library entry point
(``estate.pipeline.run``, cached on scenario content by ``estate.run_cache``) and renders what it
returns. No rule, formula or solver of its own.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from pathlib import Path

import streamlit as st

from estate import compare as cmp
from estate import editing, tables
from estate.app_html import headlines_html, rules_html
from estate.i18n import LANGUAGES, plan_explanation, regime_label, rule_date_notices, rule_text, t, value
from estate.downloads import Prebuilt, report_html
from estate.pool import PendingRuns, SharedPool
from estate.run_cache import RunCache, key
from estate.uploads import scenario_from_upload
from scenarios import load, rules_of
from scenarios.layout import read_text
from scenarios.loader import MAX_SCENARIO_BYTES, parse, validate
from scenarios.messages import in_language
from scenarios.schema import Allocation, Scenario
from scenarios.writer import to_toml
from standards import load_catalog
from standards.errors import InputError

ROOT = Path(__file__).parent
EXAMPLES = sorted((ROOT / "scenarios").glob("*.toml"))
PROGRESS_SECONDS = 2.0      # the least time between two redraws of the progress bar
WARM_AFTER_SECONDS = 2.0    # the pool's workers and this process's engines start once the first page is drawn: their
                            # imports hold the GIL and a CPU, which the page's last messages and the browser need
# The results' sections, one drawn at a time (the picker's options; each an i18n key): a section not picked
# sends nothing to the browser, which otherwise draws ~10 charts and tables again on every rerun
SECTIONS = ("calendar", "occupancy_chart", "demand_chart", "budget_chart", "site_map", "compliance")
MAIN_WIDTH = 950            # px of the page's main column at 1440 wide, beside the sidebar
REPORTS_AFTER_SECONDS = 1.0  # the reports built ahead start this long after the results' page is sent
WORKER_NICE = 10            # ...at a lower CPU priority, which they keep: the page and the browser come first


@st.cache_resource(show_spinner=False)
def _example(path: str, label: str) -> Scenario:
    """An example scenario, read and validated once (the same object on every rerun: its key is worked
    out once, ``_key``). Read-only, like every scenario the page holds."""
    return validate(parse(read_text(Path(path), label, MAX_SCENARIO_BYTES), label), label, Path(path).parent)


@st.cache_resource
def _keys() -> tuple[dict, threading.Lock]:
    """``key(scenario)`` by the scenario object (kept, so that its id is not reused), shared by every
    session, and its lock."""
    return {}, threading.Lock()


def _key(scenario: Scenario) -> str:
    """``estate.run_cache.key`` (a digest of the scenario's TOML, ~6 ms), once per scenario object: a rerun
    asked for each key five times or more."""
    memo, lock = _keys()
    with lock:
        hit = memo.get(id(scenario))
    if hit is None or hit[0] is not scenario:
        hit = (scenario, key(scenario))
        with lock:
            memo[id(scenario)] = hit
            while len(memo) > 256:
                memo.pop(next(iter(memo)))
    return hit[1]


@st.cache_resource(max_entries=256, show_spinner=False)
def _applied(base: str, changes: str, regime: str | None, election: tuple | None, _scenario: Scenario,
             _changes: dict) -> Scenario:
    """``editing.apply`` once per scenario (by key) and edits: a rerun where they did not change hands
    over the same object (and so its key, ``_key``) instead of validating the scenario again."""
    return editing.apply(_scenario, _changes, regime=regime, election=election)


def _apply(scenario: Scenario, changes: dict, regime: str | None = None, election: tuple | None = None) -> Scenario:
    """The scenario itself where nothing changes (a panel at its values: the first page validates nothing
    again), else ``_applied``."""
    if election is None and regime in (None, scenario.regime) and all(
            (editing.get(scenario, k) if "." in k else getattr(scenario, k)) == v for k, v in changes.items()):
        return scenario
    return _applied(_key(scenario), repr(sorted(changes.items())), regime, election, scenario, changes)


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


@st.cache_resource
def _downloads() -> Prebuilt:
    """Each run's report.html, built on the pool as soon as the run is drawn (shared by every session)."""
    return Prebuilt(maxsize=24)


@st.cache_resource(max_entries=512, show_spinner=False)
def _built(what: str, keys: tuple[str, ...], lang: str, args: tuple = (), _results: tuple = ()):
    """A chart or view of runs, built once per run (by run key), language and layout: a rerun where
    they did not change (a widget touched, the language switched back, the page opened again) draws
    from here. Read-only: the same object is handed to every session."""
    from estate import answers, charts
    if what == "answers":       # (language-free)
        return [answers.answer(r, label) for r, label in zip(_results, *args)]
    if what == "answer_html":
        return answers.html_table(_of("answers", list(_results), "", *args), lang)
    if what == "check_counts":  # (language-free)
        return tables.check_counts(tables.compliance(_results[0]))
    build = {"calendar": charts.calendar_chart, "fan": charts.fan_chart, "demand": charts.demand_chart,
             "budget": charts.budget_chart, "site": charts.site_chart, "budget_y_max": charts.budget_y_max,
             "compliance": tables.compliance_view, "headlines": _run_headlines_html}[what]
    if what == "budget_y_max":
        return build(list(_results), lang)
    if what == "headlines":
        return build(list(_results), *args, lang)
    return build(_results[0], lang, *args)


def _run_headlines_html(results: list, labels: tuple[str, ...], lang: str) -> str:
    return headlines_html(cmp.compare_runs(results, labels, lang), lang)


def _of(what: str, results, lang: str, *args):
    """``_built`` for one run (or, for the comparison's views, a tuple of runs)."""
    runs = tuple(results) if isinstance(results, (list, tuple)) else (results,)
    return _built(what, tuple(_run_key(r) for r in runs), lang, args, _results=runs)


def _run_key(result) -> str:
    """A run's key (its scenario's)."""
    return _key(result.scenario)


@st.cache_data(max_entries=64, show_spinner=False)
def _rules_html(scenario_key: str, lang: str, _scenario: Scenario) -> str:
    """The rules in force as an HTML table, built once per scenario (by content) and language: the page
    sends text, not a data grid the browser draws on a canvas (three of those made most of the first page's
    drawing)."""
    return rules_html(cmp.rules_table(_scenario, lang), lang)


@st.cache_data(max_entries=64, show_spinner=False)
def _headlines_html(keys: tuple[str, ...], labels: tuple[str, ...], lang: str, _scenarios: tuple) -> str:
    """The inputs' headline table, built once per set of scenarios (by content), labels and language."""
    return headlines_html(cmp.compare(list(_scenarios), labels, lang), lang)


class _Panel:
    """The controls of one scenario's edit panel. Drawn only while the panel is open: a closed panel sends
    nothing (its ~20 widgets were sent and drawn on every rerun, a language switch included). Every value
    a control shows is kept in the session (``edits:TAG``), and a closed panel reads its values from
    there, so closing it, a language switch or any rerun loses nothing the user set."""

    def __init__(self, tag: str, is_open: bool) -> None:
        self.tag = tag
        self.is_open = is_open
        self.kept: dict = st.session_state.setdefault(f"edits:{tag}", {})

    def __call__(self, widget, name: str, default, **kwargs):
        """``widget``'s value (keyed ``name:TAG``): drawn, starting from the kept value, when the panel is
        open; the kept value (else ``default``) when it is closed."""
        key = f"{name}:{self.tag}"
        current = self.kept.get(key, default)
        if not self.is_open:
            return current
        if "options" in kwargs:
            options = list(kwargs["options"])
            got = widget(index=options.index(current) if current in options else 0, key=key, **kwargs)
        else:
            got = widget(value=current, key=key, **kwargs)
        self.kept[key] = got
        return got


def _remember_open(tag: str) -> None:
    st.session_state[f"opened:{tag}"] = bool(st.session_state[f"open:{tag}"])


def _edit_panel(scenario: Scenario, tag: str, lang: str) -> Scenario:
    """Controls for the assumptions that move results (drawn while the panel is open, ``_Panel``);
    returns the edited, validated scenario. Keys carry ``tag`` (the file name), so a control's value
    follows its scenario."""
    catalog = load_catalog()
    where = f" ({t('uploaded', lang)})" if tag.startswith("upload-") else ""
    # opened or closed kept apart from the expander's own state, which a new label (a language switch) resets
    box = st.expander(f"{t('edit', lang)}: {scenario.name}{where}", key=f"open:{tag}", on_change=_remember_open,
                      args=(tag,), expanded=st.session_state.get(f"opened:{tag}", False))
    ask = _Panel(tag, bool(box.open))
    with box:
        regime = ask(st.selectbox, "regime", scenario.regime, label=t("regime", lang), options=list(catalog.regimes),
                     format_func=lambda r: regime_label(r, lang))
        cadences = list(Allocation.model_fields["cadence"].annotation.__args__)
        cadence = ask(st.selectbox, "cadence", scenario.allocation.cadence, label=t("cadence", lang),
                      options=cadences, format_func=lambda c: value("cadence", c, lang))
        changes: dict = {"allocation.cadence": cadence}
        for e in editing.EDITABLE:
            low, high = editing.bounds(e.model, e.field)
            now = editing.get(scenario, e.key)
            if isinstance(now, int):
                changes[e.key] = int(ask(st.number_input, e.key, now, label=t(e.key, lang), min_value=int(low or 0),
                                         step=int(e.step)))
            else:
                changes[e.key] = ask(st.slider, e.key, float(now), label=t(e.key, lang), min_value=low or 0.0,
                                     max_value=high or 1.0, step=e.step)
        size = editing.persons_per_household(scenario)
        new_size = ask(st.number_input, "size", size, label=t("persons_per_household", lang), min_value=1.0,
                       max_value=8.0, step=0.05, format="%.2f")
        if abs(new_size - size) > 1e-9:
            changes["households.persons_per_household"] = float(new_size)
        profiles = list(editing.age_profiles())
        current = scenario.households.age_profile
        if isinstance(current, str) and current in profiles:
            profile = ask(st.selectbox, "ages", current, label=t("age_profile", lang), options=profiles,
                          format_func=lambda r: rule_text(r, lang))
            if profile != current:
                changes["households.age_profile"] = profile
        pay = editing.staff_pay(scenario)
        new_pay = ask(st.number_input, "pay", pay, label=t("staff_pay", lang), min_value=0.0, step=1000.0)
        if abs(new_pay - pay) > 1e-6:
            changes["costs.staff_pay_cny_per_year"] = float(new_pay)
        cap = scenario.costs.budget_cap_cny_per_year or 0.0
        new_cap = ask(st.number_input, "cap", float(cap), label=t("budget_cap", lang), min_value=0.0, step=1e6)
        if abs(new_cap - cap) > 1e-6:
            changes["costs.budget_cap_cny_per_year"] = float(new_cap) or None
        changes["replications"] = int(ask(st.number_input, "reps", scenario.replications, label=t("replications", lang),
                                          min_value=1, max_value=10000, step=10))
        edited = _apply(scenario, changes, regime=regime)
        current_share = editing.election_share(edited)
        share = ask(st.slider, "share", float(current_share), label=t("election_share", lang), min_value=0.05,
                    max_value=1.0, step=0.05)
        reason = ask(st.text_input, "reason", "", label=t("override_reason", lang))
        refused = None
        if abs(share - current_share) > 1e-9:
            if reason.strip():
                edited = _apply(edited, {}, election=(share, reason.strip()))
            else:       # the edit cannot apply: say so beside the control, with the share still in force
                refused = t("override_needs_reason", lang).format(asked=f"{share:.0%}", used=f"{current_share:.0%}")
                if box.open:
                    st.warning(refused)
        if box.open:
            st.download_button(t("download_scenario", lang), to_toml(edited, header=f"edited from: {scenario.name}"),
                               file_name=f"{Path(scenario.name).stem or 'scenario'}-edited.toml".replace(" ", "-"),
                               mime="application/toml", key=f"download:{tag}")
    if refused and not box.open:    # a closed panel: under it, not hidden in it
        st.warning(refused)
    return edited


def _pending(missing: list[Scenario]) -> PendingRuns:
    """The runs of ``missing``, started now on their own thread; each kept in the run cache when done."""
    return PendingRuns([_key(s) for s in missing], [(s, rules_of(s)) for s in missing], _pool().get(),
                       keep=_runs().put)


def _start_runs(scenarios: list[Scenario]) -> None:
    """The Run button's callback: Streamlit calls it before drawing the page again, so the missing runs
    start now, on their own thread, and the page draws itself meanwhile. The pending runs live in the
    session: a widget touched (or the language switched) while they go on finds them again."""
    missing = [s for s in scenarios if _runs().get(_key(s)) is None]
    if missing:
        st.session_state["pending"] = _pending(missing)


def _run_all(keys: tuple[str, ...], labels: tuple[str, ...], pending: PendingRuns, lang: str) -> list:
    """Each scenario's run (by key), from the cache or from the pending runs, with a progress bar."""
    cache = _runs()
    results = [cache.get(k) for k in keys]
    missing = [i for i, r in enumerate(results) if r is None]
    if not missing:
        return results
    # one bar for the whole comparison; each redraw costs the browser a repaint of the page (and, on
    # two cores, the replications that time), so it moves at most every PROGRESS_SECONDS
    bar = st.progress(0.0, text=t("stage_plan", lang))
    while not pending.wait(PROGRESS_SECONDS):
        shares = [{"plan": 0.05, "simulate": 0.05 + 0.85 * done / max(total, 1), "facilities": 0.92,
                   "budget": 0.97}[stage] for stage, done, total in pending.status]
        current = next((j for j, (stage, _, _) in enumerate(pending.status) if stage != "budget"), 0)
        stage, done, total = pending.status[current]
        bar.progress(min(sum(shares) / len(shares), 1.0),
                     text=f"{labels[missing[current]]}: {t('stage_' + stage, lang)} "
                     + (f"{done}/{total}" if stage == "simulate" else ""))
    try:
        computed = pending.result()
    finally:
        st.session_state.pop("pending", None)
    for i, result in zip(missing, computed):      # (already in the cache: ``keep``)
        results[i] = result
    bar.empty()
    return results


def _demand_layout(n: int) -> tuple[int, int]:
    """Facets per row and each facet's width (px) of the demand charts of ``n`` runs side by side:
    facets cannot stretch, so they are sized to the column."""
    per_row = 3 if n == 1 else 2 if n == 2 else 1
    return per_row, max(120, int(MAIN_WIDTH / n / per_row) - 75)


def _section_views(section: str, results: list, lang: str) -> list:
    """The charts or views of ``section`` for each run, as ``_section`` draws them (built, or from the cache)."""
    what = {"calendar": "calendar", "occupancy_chart": "fan", "demand_chart": "demand", "budget_chart": "budget",
            "site_map": "site", "compliance": "compliance"}[section]
    args = {"demand": _demand_layout(len(results)),
            "budget": (_of("budget_y_max", results, lang),) if what == "budget" else ()}.get(what, ())
    return [_of(what, r, lang, *args) for r in results]


def _draw_ahead(results: list, lang: str, other_labels: dict) -> None:
    """The runs' charts and views of every section, in this language and the other, built on a thread of
    their own once this page is drawn (once per set of runs): a section picked or a language switch then
    draws from ``_built``. A thread of this process, at its priority (a lower one, holding the GIL, would
    stall the page's threads)."""
    from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

    languages = [lang] + [other for other in LANGUAGES if other != lang]
    ahead = _ahead()
    todo = tuple(_run_key(r) for r in results)      # (either language first: the same drawings)
    with ahead["lock"]:
        if todo in ahead["done"]:
            return
        ahead["done"].add(todo)

    picked = st.session_state.get("section", SECTIONS[0])

    def build() -> None:
        # first what a language switch draws (the picked section, the answer, the headlines), then the rest
        for other in languages[1:]:
            _of("answer_html", results, other, other_labels[other])
            _of("headlines", results, other, other_labels[other])
            _section_views(picked, results, other)
        for section in SECTIONS:
            for other in languages:
                _section_views(section, results, other)

    thread = threading.Thread(target=build, name="draw-ahead", daemon=True)
    add_script_run_ctx(thread, get_script_run_ctx())     # Streamlit's caches need the session's context
    thread.start()


@st.cache_resource
def _ahead() -> dict:
    """Which runs' other-language drawings ``_draw_ahead`` has started (shared by every session)."""
    return {"lock": threading.Lock(), "done": set()}


def _report_key(result, lang: str) -> str:
    return f"report-{lang}.html:" + _run_key(result)


def _columns(n: int):
    return st.columns(n) if n > 1 else [st.container()]


def _results(edited: list[Scenario], labels: tuple[str, ...], lang: str, details, other_labels: dict) -> None:
    """The Run button and, once the runs are in, the answer block here and the details in ``details``
    (``other_labels``: the scenarios' labels in the other languages, for the drawings made ahead)."""
    cache = _runs()
    keys = tuple(_key(s) for s in edited)
    missing = tuple(k for k in keys if cache.get(k) is None)
    pending = st.session_state.get("pending")
    waiting = pending is not None and missing and pending.keys == missing
    st.button(t("run", lang), type="primary", key="run", on_click=_start_runs, args=(edited,))
    if missing and not waiting:
        st.info(t("run_hint", lang), icon=":material/play_circle:")   # (no emoji scan of the text)
        return
    if not missing:
        pending = None
    try:
        results = _run_all(keys, labels, pending, lang)
    except InputError as exc:
        st.error("\n\n".join(in_language(m, lang) for m in exc.messages))
        return
    views = _of("answers", results, "", labels)
    st.subheader(t("answer", lang))
    st.markdown(_of("answer_html", results, lang, labels), unsafe_allow_html=True)

    with details:
        st.header(t("results", lang))
        st.markdown(_of("headlines", results, lang, labels), unsafe_allow_html=True)
        st.caption("● " + t("differences", lang))
        for r, label in zip(results, labels):
            if r.plan.status.value in ("relaxed", "infeasible"):
                with st.expander(f"{label}: {t('plan_' + r.plan.status.value, lang)}"):
                    st.markdown("\n".join(f"- {line}" for line in plan_explanation(r, lang)))
            if r.notices:
                with st.expander(f"{label}: {len(r.notices)} {t('rule_date_notices', lang)}"):
                    st.markdown("\n".join(f"- {line}" for line in rule_date_notices(r, lang)))

        _section(results, labels, lang)

        st.header(t("downloads", lang))
        st.download_button(t("download_headlines", lang),
                           tables.to_csv(tables.comparison_rows(views, results, lang)).encode("utf-8-sig"),
                           file_name="comparison.csv", mime="text/csv", key="download_headlines", on_click="ignore")
        from estate import report, workbook
        st.download_button(t("download_xlsx", lang), functools.partial(workbook.workbook, views, results, lang),
                           file_name="comparison.xlsx", key="download_xlsx", on_click="ignore",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        st.download_button(t("download_print", lang),
                           lambda: report.comparison(views, results, lang).encode("utf-8"),
                           file_name=f"comparison-{lang}.html", mime="text/html", key="download_print",
                           on_click="ignore")
        for i, (col, r, label) in enumerate(zip(_columns(len(results)), results, labels)):
            with col:
                stem = Path(r.scenario.name).stem.replace(" ", "-").replace(",", "") + ("" if i == 0 else f"-{i + 1}")
                tag = f"{i}:{_run_key(r)[:12]}"     # distinct even for two scenarios of one name
                st.download_button(f"{t('download_tables', lang)}: {label}",
                                   functools.partial(tables.tables_zip, r), file_name=f"{stem}-tables.zip",
                                   mime="application/zip", key=f"zip:{tag}", on_click="ignore")
                st.download_button(f"{t('download_report', lang)}: {label}",     # ready, or built at once
                                   functools.partial(_downloads().get, _report_key(r, lang), report_html, r, lang),
                                   file_name=f"{stem}-report.html", mime="text/html", key=f"report:{tag}",
                                   on_click="ignore")
    _draw_ahead(results, lang, other_labels)
    _build_reports_later(results, lang)


def _build_reports_later(results: list, lang: str) -> None:
    """Each run's report.html in this language built on the pool's workers, ready before anyone asks;
    started ``REPORTS_AFTER_SECONDS`` after this page is sent, so that the browser drawing it (a language
    switch: ~0.5 CPU s of reports) has the CPUs. Asked for sooner, a report is built at once."""
    downloads, todo = _downloads(), [r for r in results if _report_key(r, lang) not in _downloads()]
    if not todo:
        return
    pool = _pool()

    def submit() -> None:
        for r in todo:
            downloads.submit(_report_key(r, lang), pool.get(), report_html, r, lang)

    timer = threading.Timer(REPORTS_AFTER_SECONDS, submit)
    timer.daemon = True
    timer.start()


@st.cache_data(max_entries=256, show_spinner=False)
def _sent(what: str, run_key: str, lang: str, args: tuple, width: str, _result) -> None:
    """A run's chart sent to the page, once per run (by key), language and layout: Streamlit keeps the
    element sent and sends it again on a later call, without Altair's conversion and validation of the
    spec again (~80 ms a chart on every rerun)."""
    st.altair_chart(_of(what, _result, lang, *args), width=width)


def _chart(what: str, result, lang: str, *args, width: str = "stretch") -> None:
    _sent(what, _run_key(result), lang, args, width, result)


def _short(title: str) -> str:
    """A section's title up to its colon or bracket, for the picker: "时间表：交付、…" → "时间表"."""
    return re.split(r"：|: |（| \(", title, maxsplit=1)[0]


def _link_section() -> None:
    """The picked section into the link, beside the scenarios and the language: a link opens it."""
    st.query_params["section"] = st.session_state["section"]


@st.fragment
def _section(results: list, labels: tuple[str, ...], lang: str) -> None:
    """The section picker and the picked section of the results. A fragment: picking another section
    reruns this function only, not the page. The pick lives in the session (so a language switch keeps
    it) and in the link (``?section=budget_chart``)."""
    if st.session_state.get("section") not in SECTIONS:         # first results: the link's, else the first
        asked = st.query_params.get("section")
        st.session_state["section"] = asked if asked in SECTIONS else SECTIONS[0]
    picked = st.segmented_control(t("results", lang), SECTIONS, required=True, key="section",
                                  format_func=lambda s: _short(t(s, lang)), on_change=_link_section,
                                  label_visibility="collapsed")
    st.subheader(t(picked, lang))
    n = len(results)
    if picked == "calendar":
        for r, label in zip(results, labels):      # full width: a calendar needs its months
            st.caption(label)
            _chart("calendar", r, lang, width="stretch")
    elif picked == "occupancy_chart":
        for col, r, label in zip(_columns(n), results, labels):
            with col:
                st.caption(label)
                _chart("fan", r, lang, width="stretch")
    elif picked == "demand_chart":
        per_row, width = _demand_layout(n)
        for col, r, label in zip(_columns(n), results, labels):
            with col:
                st.caption(label)
                _chart("demand", r, lang, per_row, width, width="content")
    elif picked == "budget_chart":
        top = _of("budget_y_max", results, lang)
        for col, r, label in zip(_columns(n), results, labels):
            with col:
                st.caption(label)
                _chart("budget", r, lang, top, width="stretch")
    elif picked == "site_map":
        for col, r, label in zip(_columns(n), results, labels):
            with col:
                st.caption(f"{label} — {value('status', r.plan.status.value, lang)}")
                _chart("site", r, lang, width="stretch")
    elif picked == "compliance":
        for i, (col, r, label) in enumerate(zip(_columns(n), results, labels)):
            with col:
                rows = _of("compliance", r, lang)
                counts = _of("check_counts", r, "")       # the one count (estate.tables), as the CLI's
                st.caption(f"{label}: {counts['passed']} ✓, {counts['failed']} ✗, {counts['not_checked']} — "
                           f"{t('not_checked', lang)}")
                import pandas as pd      # (0.6 s to import: only once a data grid is drawn)
                st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=f"compliance:{i}")


def _sources(lang: str) -> tuple[list[Scenario], list[str], list[str]]:
    """The picked examples and the upload, validated: (scenarios, widget tags, problems)."""
    names = [p.name for p in EXAMPLES]
    if "picks" not in st.session_state:       # first page: a shareable link, else two examples
        asked = [n for n in st.query_params.get("scenarios", "").split(",") if n in names]
        st.session_state["picks"] = asked or [n for n in ("chongqing-20k.toml", "shandong-20k.toml")
                                              if n in names] or names[:2]
    picked = st.sidebar.multiselect(t("pick", lang), names, max_selections=4, key="picks")
    upload = st.sidebar.file_uploader(t("upload", lang), type=["toml", "csv", "geojson", "json", "gpkg", "zip"], key="upload")
    scenarios, tags, problems = [], [], []
    for name in picked:
        try:
            scenarios.append(_example(str(ROOT / "scenarios" / name), f"scenarios/{name}"))
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
    return scenarios[:4], tags[:4], problems


def main() -> None:
    st.set_page_config(page_title="公租房小区规划 Estate planner", layout="wide")
    langs = list(LANGUAGES)
    if "lang" not in st.session_state:
        st.session_state["lang"] = st.query_params.get("lang") if st.query_params.get("lang") in langs else "zh"
    # every widget has a key, so its state is the same widget's in either language
    lang = st.sidebar.radio("语言 / Language", langs, format_func=LANGUAGES.get, horizontal=True, key="lang")
    st.title(t("app_title", lang))

    scenarios, tags, problems = _sources(lang)
    if problems:
        st.error(t("errors", lang) + ":\n\n" + "\n\n".join(f"- {in_language(m, lang)}" for m in problems))
    if not scenarios:
        return

    answer_box = st.container()       # the answer first; what it was worked out from below
    details = st.container()
    inputs = st.container()
    with inputs:
        st.header(t("inputs", lang))
        edited = []
        for col, s, tag in zip(_columns(len(scenarios)), scenarios, tags):
            with col:
                try:
                    edited.append(_edit_panel(s, tag, lang))
                except InputError as exc:
                    st.error("\n\n".join(in_language(m, lang) for m in exc.messages))
                    edited.append(s)
        labels = cmp.labels(edited, [_key(e) != _key(s) for e, s in zip(edited, scenarios)], lang)
        st.subheader(t("headlines", lang))
        st.markdown(_headlines_html(tuple(_key(s) for s in edited), labels, lang, tuple(edited)),
                    unsafe_allow_html=True)
        st.caption("● " + t("differences", lang))

        # the rules in force, drawn once opened (two tables of ~26 rules: ~0.5 s of the first page, built
        # and drawn, below the fold); opened or closed kept across a language switch, like the edit panels
        rules = st.expander(t("rules", lang), key="open:rules", on_change=_remember_open, args=("rules",),
                            expanded=st.session_state.get("opened:rules", False))
        if rules.open:
            with rules:
                for col, s, label in zip(_columns(len(edited)), edited, labels):
                    with col:
                        st.subheader(label)
                        st.markdown(_rules_html(_key(s), lang, s), unsafe_allow_html=True)
    with answer_box:
        flags = [_key(e) != _key(s) for e, s in zip(edited, scenarios)]
        _results(edited, labels, lang, details,
                 {other: cmp.labels(edited, flags, other) for other in LANGUAGES if other != lang})
    _pool().warm(delay=WARM_AFTER_SECONDS)   # once the first page is sent


# Streamlit runs this file as __main__; the process pool's workers import it as __mp_main__ and must
# not draw the page (or start a pool of their own).
if __name__ == "__main__":
    main()
