"""Member profile: what has one member reported, where are its gaps, and how fresh is it?"""

from dataclasses import replace

import streamlit as st

from loaders.catalog_schema import MEMBER_KINDS
from tracker import settings
from tracker.figures.gaps import gap_matrix_figure
from tracker.figures.status import status_bar_figure
from tracker.views import action_table
from tracker.views.action_table import action_display
from tracker.views.gaps import STALE_AFTER_DAYS, gap_matrix, gap_table, uncovered_commitments
from tracker.views.overview import freshness, headline, percent, status_counts
from tracker.views.provenance import status_note
from ui.components import PRINT_CSS, data_banner, nothing_matches, show_chart, show_rows
from ui.movement import render_movement
from ui.state import current_member_view, dataset_catalog
from ui.text import plain_table

st.markdown(PRINT_CSS, unsafe_allow_html=True)
st.title("Member profile")
catalog = dataset_catalog()
members = list(catalog.members)
if "member_profile" not in st.session_state:
    requested = st.query_params.get("m", "")
    st.session_state["member_profile"] = requested if requested in catalog.members else members[0]
member = st.selectbox("Member", members, format_func=lambda m: f"{catalog.members[m].name} ({m})", key="member_profile")
st.query_params["m"] = member
view = current_member_view(member)
dataset, profile = view.dataset, catalog.members[member]
today = settings.today()

st.header(f"{profile.name} ({member})")
facts = [MEMBER_KINDS[profile.kind]]
if profile.asean:
    facts.append(f"ASEAN member since {profile.asean_since:%Y}" if profile.asean_since else "ASEAN member")
if profile.co_chair:
    facts.append("Bali Process co-chair")
st.caption(" · ".join(facts) + ". " + status_note(dataset, short=True))
data_banner(dataset)

figures = headline(view)
fresh = freshness(view, today, STALE_AFTER_DAYS).iloc[0]
cols = st.columns(4)
cols[0].metric("Actions reported", f"{figures.actions:,}")
cols[1].metric("Commitments with an action", f"{figures.commitments_covered} of {figures.commitments_in_scope}")
cols[2].metric("Actions reported complete", percent(figures.complete_share))
last = "no update" if fresh["state"] == "not_reported" else f"{fresh['last_updated']:%d %b %Y}"
cols[3].metric("Latest update", last, help=f"Stale when older than {STALE_AFTER_DAYS} days.")
if fresh["state"] == "stale":
    st.warning(f"◐ This member's records are stale: the latest update is {fresh['days_since_update']} days old.")
if view.is_empty:  # say so in words, not only with zeros and an empty table
    if replace(view.filters, members=()).is_default:
        st.info("No action reported by this member yet.", icon=":material/info:")
    else:
        nothing_matches()

matrix = gap_matrix(view, "top_level")
show_chart(
    gap_matrix_figure(
        matrix,
        catalog,
        member_labels={member: member},
        commitment_labels={c: c for c in view.top_level_ids},
        title=f"Coverage of both frameworks by {profile.name}",
    ),
    gap_table(matrix, catalog),
    key="member_coverage",
    file_name=f"{member}-coverage",
    dataset=dataset,
)
if not view.is_empty:
    counts = status_counts(view, "top_level")
    show_chart(
        status_bar_figure(
            counts,
            catalog,
            labels={
                c: f"{c} {catalog.commitments[c].shown_title}" for c in view.top_level_ids if c in set(counts["group"])
            },
            title=f"Status of {profile.name}'s actions by area and pillar",
            axis_title="Area or pillar",
        ),
        counts,
        key="member_by_area",
        file_name=f"{member}-status-by-area",
        dataset=dataset,
    )

st.subheader("Commitments with no action reported by this member")
gaps = uncovered_commitments(view)
if gaps.empty:
    st.success("Every commitment in scope has at least one action from this member.")
else:
    st.table(plain_table(gaps.set_index("commitment")))  # a static table prints whole; a scrolling grid would not

st.subheader("What moved")
render_movement(view, "member")

st.subheader("Actions")
actions = action_display(view.actions, catalog).drop(columns=["Member"]).set_index("Action ID")
if len(actions) <= action_table.PRINTED_ACTIONS_LIMIT:
    st.table(plain_table(actions))  # st.table renders Markdown in its cells: the members' text is escaped
    st.caption("To print this profile, use your browser's Print command: the sidebar and controls are left out.")
else:
    # A static table of thousands of rows takes the browser tens of seconds to draw; the grid draws what is visible.
    show_rows(actions, key="member_actions", file_name=f"actions-{member}", dataset=dataset, hide_index=False)
    st.caption(
        f"{len(actions):,} actions: too many to print, so they are listed in a scrolling table. "
        "Narrow the sidebar filters to print them, or download them from Briefing pack and exports."
    )
