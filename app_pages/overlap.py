"""ASEAN overlap: where does Bali Process work meet ASEAN work?"""

from typing import Literal

import pandas as pd
import streamlit as st

from tracker.figures.overlap import crosswalk_matrix_figure, group_comparison_figure, overlap_sankey_figure
from tracker.figures.palette import status_names
from tracker.views.overlap import (
    COLUMN_LABELS,
    PAIR_LIST_LIMIT,
    Match,
    crosswalk_matrix,
    dual_framework_actions,
    dual_framework_by_group,
    duplication_and_complement,
    group_comparison,
    overlap_flows,
    possible_duplicate_bound,
    possible_duplicates,
)
from tracker.views.provenance import status_note
from ui.components import data_banner, nothing_matches, show_chart, show_rows
from ui.state import current_view


def show_table(frame: pd.DataFrame, name: str, hide: tuple[str, ...] = ()) -> None:
    """A table with readable headers and shares as percentages (a long one: its first rows and a CSV of all)."""
    shares = {c: st.column_config.NumberColumn(COLUMN_LABELS[c], format="%.0f%%") for c in frame if "share" in c}
    shown = frame.assign(**{c: frame[c] * 100 for c in shares})[[c for c in frame.columns if c not in hide]]
    show_rows(shown, key=f"overlap_{name}", file_name=name, dataset=dataset, column_config={**COLUMN_LABELS, **shares})


view = current_view()
catalog, dataset = view.catalog, view.dataset

st.title("ASEAN overlap: where does Bali Process work meet ASEAN work?")
data_banner(dataset)
st.caption(
    "The crosswalk linking Adelaide Strategy commitments, Bohol TIP Work Plan items and ASEAN mechanisms is an "
    "**editorial mapping** made for this tracker, not an official one: almost every link is confidence **I** "
    "(inferred — check before publishing). " + status_note(dataset, short=True)
)
if view.is_empty:
    nothing_matches()
    st.stop()

st.header("The crosswalk")
st.caption(
    "Each cell shows the strongest relation (≡ equivalent, ◎ overlapping, + complementary) and the number of "
    "links; a link on an item counts for its area or pillar. Most ASEAN mechanisms are linked to Bohol pillars "
    "rather than directly to Adelaide areas; the flows below show where actions connect them. The crosswalk is "
    "part of the catalog: filters do not change it."
)
MATCHES: list[Match] = ["linked", "top_level"]  # the first is the default
MATRICES: tuple[tuple[str, str, Literal["id", "id_title"]], ...] = (
    ("mechanisms", "ASEAN mechanism", "id"),
    ("BWP", "Bohol TIP Work Plan pillar", "id_title"),
)
for cols, name, ticks in MATRICES:
    matrix = crosswalk_matrix(catalog, cols=cols)
    title = f"Crosswalk: Adelaide Strategy areas × {name}s"
    fig = crosswalk_matrix_figure(matrix, title=title, x_title=name, y_title="Adelaide Strategy area", x_ticks=ticks)
    show_chart(fig, matrix, key=f"overlap_matrix_{cols}", file_name=f"crosswalk-asc-{cols}", dataset=dataset)

st.header("Actions through ASEAN mechanisms")
flows = overlap_flows(view)
show_chart(
    overlap_sankey_figure(flows, catalog, title="Actions by Adelaide area, ASEAN mechanism and Bohol pillar"),
    flows,
    key="overlap_sankey",
    file_name="overlap-flows",
    dataset=dataset,
    caption="Each band counts distinct actions that cite the area (or pillar) and list the mechanism. One action "
    "can appear on several bands, so bands do not add up, and flow into a mechanism need not equal flow out.",
)

ONE_FRAMEWORK = "A framework filter is set: only one framework is in scope, so this section needs both frameworks."
st.header("Report once, count for both")
dual = dual_framework_actions(view)
st.metric("Actions citing both an Adelaide and a Bohol commitment", f"{len(dual):,} of {len(view.actions):,}")
if view.filters.framework:
    st.info(ONE_FRAMEWORK, icon=":material/filter_alt:")
show_table(dual_framework_by_group(view, dual), "dual-by-group", hide=("group",))
show_table(dual.assign(status=dual["status"].map(status_names(catalog))), "dual-actions", hide=("group",))

st.header("Possible duplication and complementary work")
st.caption(
    "Flags from the editorial crosswalk, **not judgements**. *Possible duplication*: on an equivalent or overlapping "
    "link, one member reports separate actions on the two sides that list the same ASEAN mechanism — worth a look, "
    "in case they could be reported once. *Complementary work*: different but mutually supporting work."
)
match: Match = st.radio(
    "Match actions to a link by",
    MATCHES,
    key="overlap_match",
    horizontal=True,
    format_func={"top_level": "its Adelaide area and Bohol pillar", "linked": "the linked commitments only"}.get,
    help="By area and pillar, an action citing anything under ASC-6 is on the Adelaide side of ASC-6.2 ↔ BWP-B.1; "
    "by linked commitments, only actions citing ASC-6.2 (or an item under it) are.",
)
if view.filters.framework:
    st.info(ONE_FRAMEWORK, icon=":material/filter_alt:")
else:
    show_table(duplication_and_complement(view, match), f"duplication-{match}")
    with st.expander("Action pairs behind the possible-duplication flags"):
        # Pairs are a cross product per member and link: check their number before building them.
        bound = possible_duplicate_bound(view, match)
        if bound <= PAIR_LIST_LIMIT:
            show_table(possible_duplicates(view, match), f"duplicate-pairs-{match}", hide=("link_no", "relation"))
        else:
            st.info(
                f"Too many action pairs to list here (up to {bound:,}; the list shows up to {PAIR_LIST_LIMIT:,}). "
                "Choose a member and an area or pillar in the sidebar to see them."
            )

st.header("ASEAN member states and other members side by side")
comparison = group_comparison(view)
apart = " or ".join(catalog.statuses[s].label.lower() for s in catalog.scale.counted_apart) or "counted apart"
show_chart(
    group_comparison_figure(comparison, title="Actions by member group: Bohol, ASEAN mechanisms, complete"),
    comparison,
    key="overlap_groups",
    file_name="overlap-member-groups",
    dataset=dataset,
    caption=f"Three groups, no ranking of members. Reported complete is a share of the actions not {apart}.",
)
