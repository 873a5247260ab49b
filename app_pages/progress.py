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
from ui.lang import current_language
from ui.movement import render_movement
from ui.state import current_view, shared

view = current_view()
catalog, dataset = view.catalog, view.dataset
today = settings.today()
lang = current_language()
_ = lang.gettext

st.title(_("Progress"))
st.caption(status_note(dataset, short=True, lang=lang))
data_banner(dataset)
if view.is_empty:
    nothing_matches()
    st.stop()

share = st.toggle(_("Show shares instead of counts"), key="progress_share")
# What every viewer of this view sees alike is computed once and shared across sessions (ui.state.shared).
by_area = shared(view, "progress:by_area", lambda: status_counts(view, "top_level"))
labels = {c: f"{c} {catalog.commitments[c].shown_title}" for c in view.top_level_ids if c in set(by_area["group"])}
show_chart(
    shared(
        view,
        ("progress:by_area_figure", share),
        lambda: status_bar_figure(
            by_area,
            catalog,
            labels=labels,
            title=_("Status of actions by area and pillar"),
            axis_title=_("Area or pillar"),
            share=share,
            lang=lang,
        ),
    ),
    by_area,
    key="progress_by_area",
    file_name="status-by-area",
    dataset=dataset,
    lang=lang,
    caption=_("An action reported against two areas counts in both."),
)
by_member = shared(view, "progress:by_member", lambda: status_counts(view, "member"))
members = {m: catalog.members[m].name for m in by_member["group"].unique()}
show_chart(
    shared(
        view,
        ("progress:by_member_figure", share),
        lambda: status_bar_figure(
            by_member,
            catalog,
            labels=members,
            title=_("Status of actions by member"),
            axis_title=_("Member (A–Z)"),
            share=share,
            lang=lang,
        ),
    ),
    by_member,
    key="progress_by_member",
    file_name="status-by-member",
    dataset=dataset,
    lang=lang,
    caption=_("Members are listed alphabetically: this is not a ranking."),
)

st.header(_("Against the plan years"))
summary = shared(view, ("progress:plan_years", today), lambda: plan_year_summary(view, today))
show_chart(
    shared(
        view,
        ("progress:plan_years_figure", today),
        lambda: plan_year_figure(summary, title=_("Actions started and due in each plan year"), lang=lang),
    ),
    summary,
    key="progress_plan_years",
    file_name="plan-years",
    dataset=dataset,
    lang=lang,
    caption=_("Overdue: due before {day} and neither complete nor discontinued.").format(day=lang.short_date(today)),
)
rows = shared(view, ("progress:timeline", today), lambda: timeline_rows(view, today))
if len(rows) <= TIMELINE_LIMIT:
    show_chart(
        shared(
            view,
            ("progress:timeline_figure", today),
            lambda: timeline_figure(
                rows, catalog, title=_("Timeline of actions against the plan period"), today=today, lang=lang
            ),
        ),
        rows,
        key="progress_timeline",
        file_name="timeline",
        dataset=dataset,
        lang=lang,
    )
else:
    st.info(
        _(
            "The per-action timeline shows up to {limit} actions; {count} match the filters. Choose a member or an "
            "area in the sidebar to see it."
        ).format(limit=TIMELINE_LIMIT, count=lang.number(len(rows)))
    )
overdue = overdue_actions(view, today)
with st.expander(
    "⚠ " + _("{count} overdue action(s): due before today and not complete").format(count=lang.number(len(overdue)))
):
    show_rows(
        action_display(overdue, catalog),
        key="progress_overdue",
        file_name="overdue-actions",
        dataset=dataset,
        lang=lang,
    )

st.header(_("What moved"))
render_movement(view, "progress")
