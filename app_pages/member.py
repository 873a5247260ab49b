"""Member profile: what has one member reported, where are its gaps, and how fresh is it?"""

from dataclasses import replace

import streamlit as st

from loaders.catalog_schema import MEMBER_KINDS
from tracker import settings
from tracker.figures.gaps import gap_matrix_figure
from tracker.figures.status import status_bar_figure
from tracker.views import action_table
from tracker.views.action_table import action_display, headed
from tracker.views.gaps import STALE_AFTER_DAYS, gap_matrix, gap_table, uncovered_commitments
from tracker.views.overview import freshness, headline, percent, status_counts
from tracker.views.provenance import status_note
from ui.components import PRINT_CSS, data_banner, nothing_matches, show_chart, show_rows
from ui.lang import current_language
from ui.movement import render_movement
from ui.state import current_member_view, dataset_catalog, shared
from ui.text import plain_table

st.markdown(PRINT_CSS, unsafe_allow_html=True)
lang = current_language()
_ = lang.gettext  # bound once: the member list's format function is called again outside this run
st.title(_("Member profile"))
catalog = dataset_catalog().in_language(lang.code)
members = list(catalog.members)
if "member_profile" not in st.session_state:
    requested = st.query_params.get("m", "")
    st.session_state["member_profile"] = requested if requested in catalog.members else members[0]
member = st.selectbox(
    _("Member"), members, format_func=lambda m: f"{catalog.members[m].name} ({m})", key="member_profile"
)
st.query_params["m"] = member
view = current_member_view(member)
dataset, profile = view.dataset, catalog.members[member]
today = settings.today()

st.header(f"{profile.name} ({member})")
facts = [_(MEMBER_KINDS[profile.kind])]
if profile.asean:
    facts.append(
        _("ASEAN member since {year}").format(year=profile.asean_since.year)
        if profile.asean_since
        else _("ASEAN member")
    )
if profile.co_chair:
    facts.append(_("Bali Process co-chair"))
st.caption(" · ".join(facts) + ". " + status_note(dataset, short=True, lang=lang))
data_banner(dataset)

figures = headline(view)
fresh = freshness(view, today, STALE_AFTER_DAYS).iloc[0]
cols = st.columns(4)
cols[0].metric(_("Actions reported"), lang.number(figures.actions))
cols[1].metric(
    _("Commitments with an action"),
    _("{reporting} of {scope}").format(
        reporting=lang.number(figures.commitments_covered), scope=lang.number(figures.commitments_in_scope)
    ),
)
cols[2].metric(_("Actions reported complete"), percent(figures.complete_share))
last = _("no update") if fresh["state"] == "not_reported" else lang.short_date(fresh["last_updated"])
cols[3].metric(_("Latest update"), last, help=_("Stale when older than {days} days.").format(days=STALE_AFTER_DAYS))
if fresh["state"] == "stale":
    st.warning(
        "◐ "
        + _("This member's records are stale: the latest update is {days} days old.").format(
            days=fresh["days_since_update"]
        )
    )
if view.is_empty:  # say so in words, not only with zeros and an empty table
    if replace(view.filters, members=()).is_default:
        st.info(_("No action reported by this member yet."), icon=":material/info:")
    else:
        nothing_matches()

matrix = gap_matrix(view, "top_level")
show_chart(
    gap_matrix_figure(
        matrix,
        catalog,
        member_labels={member: member},
        commitment_labels={c: c for c in view.top_level_ids},
        title=_("Coverage of both frameworks by {member}").format(member=profile.name),
        lang=lang,
    ),
    gap_table(matrix, catalog),
    key="member_coverage",
    file_name=f"{member}-coverage",
    dataset=dataset,
    lang=lang,
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
            title=_("Status of {member}'s actions by area and pillar").format(member=profile.name),
            axis_title=_("Area or pillar"),
            lang=lang,
        ),
        counts,
        key="member_by_area",
        file_name=f"{member}-status-by-area",
        dataset=dataset,
        lang=lang,
    )

st.subheader(_("Commitments with no action reported by this member"))
# The printable tables escape every cell of the members' text: made once per shared view (ui.state.shared).
gaps = shared(view, "member_gaps", lambda: plain_table(uncovered_commitments(view).set_index("commitment")))
if gaps.empty:
    st.success(_("Every commitment in scope has at least one action from this member."))
else:
    st.table(gaps)  # a static table prints whole; a scrolling grid would not

st.subheader(_("What moved"))
render_movement(view, "member")

st.subheader(_("Actions"))
actions = shared(
    view, "member_actions", lambda: action_display(view.actions, catalog).drop(columns="Member").set_index("Action ID")
)
if len(actions) <= action_table.PRINTED_ACTIONS_LIMIT:
    # st.table renders Markdown in its cells: the members' text is escaped.
    st.table(shared(view, "member_printable", lambda: headed(plain_table(actions), lang)))  # a view has one language
    st.caption(_("To print this profile, use your browser's Print command: the sidebar and controls are left out."))
else:
    # A static table of thousands of rows takes the browser tens of seconds to draw; the grid draws what is visible.
    show_rows(
        actions, key="member_actions", file_name=f"actions-{member}", dataset=dataset, lang=lang, hide_index=False
    )
    st.caption(
        _(
            "{count} actions: too many to print, so they are listed in a scrolling table. Narrow the sidebar "
            "filters to print them, or download them from Briefing pack and exports."
        ).format(count=lang.number(len(actions)))
    )
