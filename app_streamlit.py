"""The meeting front end: pick, edit and compare scenarios side by side.

Start with `streamlit run app_streamlit.py`. Thin over the library: it loads scenarios, draws widgets
whose ranges come from the schema and the rules, calls the library, and renders. No rule, formula or
solver of its own.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from estate import compare as cmp
from estate import editing
from estate.i18n import LANGUAGES, t
from scenarios import load, rules_of
from scenarios.layout import read_layout
from scenarios.loader import parse, validate
from scenarios.schema import Allocation
from scenarios.writer import to_data, to_toml
from standards import load_catalog
from standards.errors import InputError

ROOT = Path(__file__).parent
EXAMPLES = sorted((ROOT / "scenarios").glob("*.toml"))


@st.cache_data(show_spinner=False)
def _load_example(path: str) -> dict:
    return to_data(load(path))


def _scenario(data: dict, label: str):
    return validate(data, label, ROOT)


def _uploaded(upload, base, lang: str):
    """A scenario from an uploaded TOML file, or the base scenario with uploaded buildings."""
    import tempfile

    suffix = Path(upload.name).suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        if suffix == ".toml":
            return load(path)
        if suffix in (".csv", ".geojson", ".json"):
            buildings = read_layout(path, upload.name)
            data = to_data(base) | {"buildings": [b.model_dump() for b in buildings], "name": f"{base.name} + {upload.name}"}
            return validate(data, upload.name, ROOT)
    raise InputError(f"{upload.name}: must be a .toml scenario or a .csv / .geojson buildings file")


def _edit_panel(scenario, tag: str, lang: str):
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
                changes[e.key] = int(st.number_input(e.key, min_value=int(low or 0), value=value,
                                                     step=int(e.step), key=f"{e.key}:{tag}"))
            else:
                changes[e.key] = st.slider(e.key, min_value=low or 0.0, max_value=high or 1.0, value=float(value),
                                           step=e.step, key=f"{e.key}:{tag}")
        edited = editing.apply(scenario, changes, regime=regime)
        current = editing.election_share(edited)
        share = st.slider(t("election_share", lang), 0.05, 1.0, float(current), 0.05, key=f"share:{tag}")
        reason = st.text_input(t("override_reason", lang), key=f"reason:{tag}")
        if abs(share - current) > 1e-9:
            if reason.strip():
                edited = editing.apply(edited, {}, election=(share, reason.strip()))
            else:
                st.warning(t("override_reason", lang))
        st.download_button(t("download_scenario", lang), to_toml(edited, header=f"edited from: {scenario.name}"),
                           file_name=f"{Path(scenario.name).stem or 'scenario'}-edited.toml".replace(" ", "-"),
                           mime="application/toml", key=f"download:{tag}")
    return edited


def main() -> None:
    st.set_page_config(page_title="Estate planner", layout="wide")
    lang = st.sidebar.radio("语言 / Language", list(LANGUAGES), format_func=LANGUAGES.get, horizontal=True)
    st.title(t("app_title", lang))

    names = [p.name for p in EXAMPLES]
    default = [n for n in ("chongqing-20k.toml", "shandong-20k.toml") if n in names] or names[:2]
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
            scenarios.append(_uploaded(upload, scenarios[0] if scenarios else load(EXAMPLES[0]), lang))
            tags.append(f"upload-{upload.name}")
        except InputError as exc:
            problems += exc.messages
    if problems:
        st.error(t("errors", lang) + ":\n\n" + "\n\n".join(f"- {m}" for m in problems))
    if not scenarios:
        return

    edited = []
    for s, tag in zip(scenarios, tags):
        try:
            edited.append(_edit_panel(s, tag, lang))
        except InputError as exc:
            st.error("\n\n".join(exc.messages))
            edited.append(s)

    st.header(t("headlines", lang))
    headlines = cmp.compare(edited)
    table = {t("metric", lang): [t(k, lang) for k, _ in headlines.rows]}
    for j, name in enumerate(headlines.names):
        table[name] = [("● " if headlines.differs(k)[j] else "") + (f"{vs[j]:,}" if isinstance(vs[j], int) else str(vs[j]))
                       for k, vs in headlines.rows]
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption("● " + t("differences", lang))

    st.header(t("rules", lang))
    columns = st.columns(len(edited))
    for col, s in zip(columns, edited):
        with col:
            st.subheader(s.name)
            rows = cmp.rules_table(s)
            st.dataframe({t(k, lang): [r[k] for r in rows] for k in ("role", "rule", "value", "citation", "note")},
                         hide_index=True, width="stretch")

    st.header(t("site_map", lang))
    columns = st.columns(len(edited))
    for col, s in zip(columns, edited):
        with col:
            st.caption(f"{s.name} — {rules_of(s).regime.label}")
            st.scatter_chart({"x": [b.x for b in s.buildings], "y": [b.y for b in s.buildings],
                              "cluster": [b.cluster for b in s.buildings]}, x="x", y="y", color="cluster")


main()
