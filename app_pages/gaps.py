"""Gaps: which members and commitments have no action reported, and whose records are stale?"""

import streamlit as st

from tracker import settings
from tracker.figures.gaps import cell_styles, gap_matrix_figure
from tracker.views.action_table import action_display
from tracker.views.gaps import (
    STALE_AFTER_DAYS,
    gap_matrix,
    gap_table,
    members_without_actions,
    pair_actions,
    stale_members,
    uncovered_commitments,
)
from ui.components import data_banner, show_chart, show_rows
from ui.lang import current_language
from ui.state import current_view, shared

view = current_view()
catalog, dataset = view.catalog, view.dataset

lang = current_language()
_ = lang.gettext  # bound once: the option labels' format functions are called again outside this run

st.title(_("Gaps"))
st.caption(_("Every member against every commitment. Empty cells (∅) mean no action has been reported for that pair."))
data_banner(dataset)
if not view.member_ids or not view.commitment_ids:
    st.info(_("No member or commitment is in scope for these filters. Widen them in the sidebar."))
    st.stop()

chosen = st.segmented_control(
    _("Show"),
    ["top_level", "commitment"],
    format_func=lambda v: _("Areas and pillars") if v == "top_level" else _("Every commitment and item"),
    default="top_level",
    key="gaps_level",
)
level: str = chosen or "top_level"
columns = list(view.top_level_ids if level == "top_level" else view.commitment_ids)
members = {m: f"{catalog.members[m].name} ({m})" for m in view.member_ids}
matrix = shared(view, ("gaps:matrix", level), lambda: gap_matrix(view, level))  # the same for every viewer


def _select_cell() -> None:
    points = st.session_state["gaps_matrix"].selection.get("points", [])
    if points and points[0].get("customdata"):
        st.session_state["gaps_member"], st.session_state["gaps_commitment"] = points[0]["customdata"][:2]


show_chart(
    shared(
        view,
        ("gaps:figure", level),
        lambda: gap_matrix_figure(
            matrix,
            catalog,
            member_labels=members,
            commitment_labels={c: catalog.commitments[c].shown_id for c in columns},
            title=_("Furthest reported status per member and commitment"),
            lang=lang,
        ),
    ),
    shared(view, ("gaps:table", level), lambda: gap_table(matrix, catalog)),
    key="gaps_matrix",
    file_name="gap-matrix",
    dataset=dataset,
    lang=lang,
    caption=_(
        "Each cell shows the furthest status any of the member's actions has reached, and how many actions "
        "(in the detailed view, point at a cell for the count). Click a cell, or pick one below, to list its actions."
    ),
    on_select=_select_cell,
    selection_mode="points",
)

st.subheader(_("Actions behind a cell"))
left, right = st.columns(2)
left.selectbox(_("Member"), list(members), format_func=lambda m: members[m], key="gaps_member")
right.selectbox(
    _("Commitment"), columns, format_func=lambda c: f"{c} {catalog.commitments[c].shown_title}", key="gaps_commitment"
)
chosen = pair_actions(view, st.session_state["gaps_member"], st.session_state["gaps_commitment"], level)
if chosen.empty:
    st.info(f"{cell_styles(catalog)['no_action'][1]} " + _("No action reported by this member for this commitment."))
else:
    show_rows(action_display(chosen, catalog), key="gaps_cell", file_name="cell-actions", dataset=dataset, lang=lang)

st.subheader(_("Commitments nobody reports on"))
nobody = uncovered_commitments(view)
if nobody.empty:
    st.success(_("Every commitment in scope has at least one action reported."))
else:
    st.dataframe(nobody, hide_index=True, width="stretch")

today = settings.today()
left, right = st.columns(2)
with left:
    st.subheader(_("Members with no action reported"))
    silent = members_without_actions(view, today)
    if silent.empty:
        st.success(_("Every member in scope has reported at least one action."))
    else:
        st.dataframe(silent, hide_index=True, width="stretch")
with right:
    st.subheader(_("Members with stale records"))
    days = st.number_input(
        _("Stale after (days since the latest update)"), 30, 1460, STALE_AFTER_DAYS, step=30, key="gaps_stale_days"
    )
    st.caption(_("Reporting runs twice a year, so 365 days means a member has missed two reporting rounds."))
    stale = stale_members(view, today, int(days))
    if stale.empty:
        st.success(_("No member's records are older than that."))
    else:
        st.dataframe(stale, hide_index=True, width="stretch")
