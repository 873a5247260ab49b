"""The floor: a bare Streamlit app with the dashboard's navigation and sidebar filters, and no computation.

Issue 12 measures our own code's cost as the dashboard's latency divided by this script's, run under the same
load test (``benchmarks/loadtest.py``) on the same machine in the same run. It has what every viewer of
``dashboard.py`` gets before any of our work starts:

- the same pages under the same URL paths (``st.navigation``, the Overview the default), as an anonymous viewer
  sees them (the review and round pages exist only for reviewers);
- the same sidebar widgets with the same keys, labels and options (``ui/sidebar.py``: ``flt_framework`` …
  ``flt_from``, ``flt_to``, ``flt_reset``), the options read once per process from the bundled catalog;

and nothing else: each page draws its title and one line of text. No data set is loaded, nothing is filtered,
no figure or table is built, the URL is not synchronised.

Run it alone with ``streamlit run benchmarks/floor_app.py``; the load test starts it itself.

With ``FLOOR_CHART=1`` in the environment the Overview also draws one small Plotly chart, with its table in a
closed expander as ``ui.components.show_chart`` draws ours: the floor of the cold start (``benchmarks/browser.py``),
which waits for the first chart drawn. The load test never sets it.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import streamlit as st
import streamlit.components.v1 as components

from loaders.catalog import Catalog, load_catalog
from tracker.views.filters import GROUPS

ALL = "all"
DRAW_CHART = os.environ.get("FLOOR_CHART") == "1"

# (title, icon, url_path): dashboard.PAGES, whose url_path is each file's stem.
PAGES = [
    ("Overview", ":material/dashboard:", "overview"),
    ("Progress", ":material/trending_up:", "progress"),
    ("Gaps", ":material/grid_on:", "gaps"),
    ("ASEAN overlap", ":material/join_inner:", "overlap"),
    ("Themes", ":material/label:", "themes"),
    ("Compare", ":material/compare_arrows:", "compare"),
    ("Member profile", ":material/person:", "member"),
    ("Method and data", ":material/menu_book:", "method"),
    ("Briefing pack and exports", ":material/description:", "exports"),
    ("Submit an update", ":material/upload_file:", "submit"),
]


@st.cache_resource
def catalog() -> Catalog:
    """The bundled catalog, read once per process: it only gives the widgets their options."""
    return load_catalog()


def _page(title: str) -> Callable[[], None]:
    def draw() -> None:
        st.title(title)
        st.caption("The floor: this page computes nothing.")
        if DRAW_CHART and title == "Overview":
            _chart()

    draw.__name__ = f"floor_{title.lower().replace(' ', '_')}"
    return draw


def _chart() -> None:
    """One three-bar chart and its table: the least a page must do to draw a chart as ours are drawn."""
    import pandas as pd  # imported here: the load test's floor never draws a chart
    import plotly.graph_objects as go

    table = pd.DataFrame({"status": ["a", "b", "c"], "actions": [3, 1, 2]})
    fig = go.Figure(go.Bar(x=table["status"], y=table["actions"]), layout={"title": {"text": "Floor chart"}})
    st.plotly_chart(fig, key="floor_chart", width="stretch")
    with st.expander("Data table: Floor chart"):
        st.dataframe(table, hide_index=True)


def render_filters(cat: Catalog) -> None:
    """The sidebar of ``ui.sidebar.render_filters``: the same widgets, keys, labels and options."""
    sidebar = st.sidebar
    sidebar.header("Filters")
    frameworks = cat.frameworks
    sidebar.selectbox(
        "Framework",
        [ALL, *frameworks],
        format_func=lambda f: "Both frameworks" if f == ALL else frameworks[f].short_name,
        key="flt_framework",
    )
    top_levels = {c.id: c for c in cat.commitments.values() if c.parent is None}
    sidebar.multiselect(
        "Area or pillar",
        list(top_levels),
        format_func=lambda c: f"{c} {top_levels[c].title}",
        key="flt_areas",
        placeholder="All areas and pillars",
    )
    sidebar.multiselect(
        "Theme",
        list(cat.themes),
        format_func=lambda t: cat.themes[t].label,
        key="flt_themes",
        placeholder="All themes",
    )
    sidebar.selectbox(
        "Member group",
        [ALL, *GROUPS],
        format_func=lambda g: "All members" if g == ALL else GROUPS[g],
        key="flt_group",
    )
    sidebar.multiselect(
        "Member",
        list(cat.members),
        format_func=lambda m: f"{cat.members[m].name} ({m})",
        key="flt_members",
        placeholder="All members",
    )
    sidebar.multiselect(
        "Status (as reported)",
        list(cat.statuses),
        format_func=lambda s: f"{cat.statuses[s].icon} {cat.statuses[s].label}",
        key="flt_statuses",
        placeholder="All statuses",
    )
    left, right = sidebar.columns(2)
    left.date_input("Updated from", value=None, key="flt_from", format="YYYY-MM-DD")
    right.date_input("Updated to", value=None, key="flt_to", format="YYYY-MM-DD")
    sidebar.button("Reset filters", key="flt_reset", width="stretch")


def main() -> None:
    """One script run: page config, navigation, the account box's guest line, the filters, the page."""
    st.set_page_config(page_title="Commitments Tracker (floor)", layout="wide")
    # ui.lang.render_language_switch: the same switch, and the same zero-height frame marking <html lang>.
    st.sidebar.selectbox("Language · Bahasa", ["en", "id"], key="ui_lang")
    with st.sidebar:
        components.html("<script>window.parent.document.documentElement.lang = 'en';</script>", height=0)
    pages = [
        st.Page(_page(title), title=title, icon=icon, url_path=path, default=path == "overview")
        for title, icon, path in PAGES
    ]
    page = st.navigation(pages)
    st.sidebar.container(border=True).caption(
        "Viewing as a guest: read-only. You can still check a file on *Submit an update*."
    )
    render_filters(catalog())
    page.run()


main()
