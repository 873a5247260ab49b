"""Overview: where do the commitments stand, in one screen?"""

import datetime as dt

import streamlit as st

from tracker.figures.status import status_bar_figure
from tracker.overview import headline, status_counts
from ui.components import illustrative_banner, nothing_matches, percent, show_chart
from ui.state import current_view

view = current_view()
catalog, dataset = view.catalog, view.dataset

st.title("Overview")
st.caption("How the Bali Process members report progress on the 2023 Adelaide Strategy and the Bohol TIP Work Plan.")
illustrative_banner(dataset)

figures = headline(view)
cols = st.columns(4)
cols[0].metric("Actions reported", f"{figures.actions:,}")
cols[1].metric("Members reporting", f"{figures.members_reporting} of {figures.members_in_scope}")
cols[2].metric(
    "Commitments with any action",
    percent(figures.coverage_share),
    help=f"{figures.commitments_covered} of {figures.commitments_in_scope} commitments in scope",
)
cols[3].metric(
    "Actions reported complete",
    percent(figures.complete_share),
    help=f"{figures.complete} of {figures.progress_actions} actions (discontinued actions are counted apart)",
)

errors = len(dataset.errors)
if errors:
    st.error(f"{errors} validation error(s) in the data: the rows concerned are left out. See Method and data.")

if view.is_empty:
    nothing_matches()
    st.stop()

counts = status_counts(view, "framework")
labels = {f: catalog.frameworks[f].short_name for f in counts["group"].unique()}
show_chart(
    status_bar_figure(counts, catalog, labels=labels, title="Status of actions by framework", axis_title="Framework"),
    counts,
    key="overview_by_framework",
    file_name="status-by-framework",
    dataset=dataset,
)
st.caption(f"Data as of {dt.date.today():%d %B %Y}.")
