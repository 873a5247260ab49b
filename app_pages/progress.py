"""Progress: how far have the actions got, by area and member, and what moved recently?"""

import streamlit as st

from tracker import settings
from tracker.figures.progress import plan_year_figure, timeline_figure
from tracker.figures.status import status_bar_figure
from tracker.views.action_table import action_display
from tracker.views.overview import status_counts
from tracker.views.progress import TIMELINE_LIMIT, overdue_actions, plan_year_summary, timeline_rows
from tracker.views.provenance import status_note
from ui.components import data_banner, nothing_matches, show_chart, show_rows
from ui.movement import render_movement
from ui.state import current_view

view = current_view()
catalog, dataset = view.catalog, view.dataset
today = settings.today()

st.title("Progress")
st.caption(status_note(dataset, short=True))
data_banner(dataset)
if view.is_empty:
    nothing_matches()
    st.stop()

share = st.toggle("Show shares instead of counts", key="progress_share")
by_area = status_counts(view, "top_level")
labels = {c: f"{c} {catalog.commitments[c].shown_title}" for c in view.top_level_ids if c in set(by_area["group"])}
show_chart(
    status_bar_figure(
        by_area,
        catalog,
        labels=labels,
        title="Status of actions by area and pillar",
        axis_title="Area or pillar",
        share=share,
    ),
    by_area,
    key="progress_by_area",
    file_name="status-by-area",
    dataset=dataset,
    caption="An action reported against two areas counts in both.",
)
by_member = status_counts(view, "member")
members = {m: catalog.members[m].name for m in by_member["group"].unique()}
show_chart(
    status_bar_figure(
        by_member,
        catalog,
        labels=members,
        title="Status of actions by member",
        axis_title="Member (A–Z)",
        share=share,
    ),
    by_member,
    key="progress_by_member",
    file_name="status-by-member",
    dataset=dataset,
    caption="Members are listed alphabetically: this is not a ranking.",
)

st.header("Against the plan years")
summary = plan_year_summary(view, today)
show_chart(
    plan_year_figure(summary, title="Actions started and due in each plan year"),
    summary,
    key="progress_plan_years",
    file_name="plan-years",
    dataset=dataset,
    caption=f"Overdue: due before {today:%d %b %Y} and neither complete nor discontinued.",
)
rows = timeline_rows(view, today)
if len(rows) <= TIMELINE_LIMIT:
    show_chart(
        timeline_figure(rows, catalog, title="Timeline of actions against the plan period", today=today),
        rows,
        key="progress_timeline",
        file_name="timeline",
        dataset=dataset,
    )
else:
    st.info(
        f"The per-action timeline shows up to {TIMELINE_LIMIT} actions; {len(rows):,} match the filters. "
        "Choose a member or an area in the sidebar to see it."
    )
overdue = overdue_actions(view, today)
with st.expander(f"⚠ {len(overdue):,} overdue action(s): due before today and not complete"):
    show_rows(action_display(overdue, catalog), key="progress_overdue", file_name="overdue-actions", dataset=dataset)

st.header("What moved")
render_movement(view, "progress")
