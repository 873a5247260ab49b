"""ASEAN overlap: where does Bali Process work meet ASEAN work?"""

from typing import Literal

import pandas as pd
import streamlit as st

from loaders.i18n import N_
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
    in_words,
    overlap_flows,
    possible_duplicate_bound,
    possible_duplicates,
)
from tracker.views.provenance import status_note
from ui.components import data_banner, nothing_matches, show_chart, show_rows
from ui.lang import current_language
from ui.state import current_view


def show_table(frame: pd.DataFrame, name: str, hide: tuple[str, ...] = ()) -> None:
    """A table with readable headers and shares as percentages (a long one: its first rows and a CSV of all)."""
    labels = {c: _(label) for c, label in COLUMN_LABELS.items()}
    shares = {c: st.column_config.NumberColumn(labels[c], format="%.0f%%") for c in frame if "share" in c}
    shown = in_words(frame, lang).assign(**{c: frame[c] * 100 for c in shares})
    shown = shown[[c for c in frame.columns if c not in hide]]
    show_rows(shown, key=f"overlap_{name}", file_name=name, dataset=dataset, column_config={**labels, **shares})


view = current_view()
catalog, dataset = view.catalog, view.dataset
lang = current_language()
_ = lang.gettext  # bound once: the radio's format function is called again outside this run

st.title(_("ASEAN overlap: where does Bali Process work meet ASEAN work?"))
data_banner(dataset)
st.caption(
    _(
        "The crosswalk linking Adelaide Strategy commitments, Bohol TIP Work Plan items and ASEAN mechanisms is an "
        "**editorial mapping** made for this tracker, not an official one: almost every link is confidence **I** "
        "(inferred — check before publishing)."
    )
    + " "
    + _(status_note(dataset, short=True))  # the note is a catalogue message (tracker.views.provenance)
)
if view.is_empty:
    nothing_matches()
    st.stop()

st.header(_("The crosswalk"))
st.caption(
    _(
        "Each cell shows the strongest relation (≡ equivalent, ◎ overlapping, + complementary) and the number of "
        "links; a link on an item counts for its area or pillar. Most ASEAN mechanisms are linked to Bohol pillars "
        "rather than directly to Adelaide areas; the flows below show where actions connect them. The crosswalk is "
        "part of the catalog: filters do not change it."
    )
)
MATCHES: list[Match] = ["linked", "top_level"]  # the first is the default
MATRICES: tuple[tuple[str, str, str, Literal["id", "id_title"]], ...] = (
    ("mechanisms", N_("ASEAN mechanism"), N_("Crosswalk: Adelaide Strategy areas × ASEAN mechanisms"), "id"),
    (
        "BWP",
        N_("Bohol TIP Work Plan pillar"),
        N_("Crosswalk: Adelaide Strategy areas × Bohol TIP Work Plan pillars"),
        "id_title",
    ),
)
for cols, name, title, ticks in MATRICES:
    matrix = crosswalk_matrix(catalog, cols=cols)
    fig = crosswalk_matrix_figure(
        matrix, title=_(title), x_title=_(name), y_title=_("Adelaide Strategy area"), x_ticks=ticks, lang=lang
    )
    shown = in_words(matrix, lang)
    show_chart(fig, shown, key=f"overlap_matrix_{cols}", file_name=f"crosswalk-asc-{cols}", dataset=dataset)

st.header(_("Actions through ASEAN mechanisms"))
flows = overlap_flows(view)
show_chart(
    overlap_sankey_figure(
        flows, catalog, title=_("Actions by Adelaide area, ASEAN mechanism and Bohol pillar"), lang=lang
    ),
    flows,
    key="overlap_sankey",
    file_name="overlap-flows",
    dataset=dataset,
    caption=_(
        "Each band counts distinct actions that cite the area (or pillar) and list the mechanism. One action can "
        "appear on several bands, so bands do not add up, and flow into a mechanism need not equal flow out."
    ),
)

one_framework = _("A framework filter is set: only one framework is in scope, so this section needs both frameworks.")
st.header(_("Report once, count for both"))
dual = dual_framework_actions(view)
st.metric(
    _("Actions citing both an Adelaide and a Bohol commitment"),
    _("{part} of {whole}").format(part=lang.number(len(dual)), whole=lang.number(len(view.actions))),
)
if view.filters.framework:
    st.info(one_framework, icon=":material/filter_alt:")
show_table(dual_framework_by_group(view, dual), "dual-by-group", hide=("group",))
show_table(dual.assign(status=dual["status"].map(status_names(catalog))), "dual-actions", hide=("group",))

st.header(_("Possible duplication and complementary work"))
st.caption(
    _(
        "Flags from the editorial crosswalk, **not judgements**. *Possible duplication*: on an equivalent or "
        "overlapping link, one member reports separate actions on the two sides that list the same ASEAN mechanism "
        "— worth a look, in case they could be reported once. *Complementary work*: different but mutually "
        "supporting work."
    )
)
match: Match = st.radio(
    _("Match actions to a link by"),
    MATCHES,
    key="overlap_match",
    horizontal=True,
    format_func={"top_level": _("its Adelaide area and Bohol pillar"), "linked": _("the linked commitments only")}.get,
    help=_(
        "By area and pillar, an action citing anything under ASC-6 is on the Adelaide side of ASC-6.2 ↔ BWP-B.1; "
        "by linked commitments, only actions citing ASC-6.2 (or an item under it) are."
    ),
)
if view.filters.framework:
    st.info(one_framework, icon=":material/filter_alt:")
else:
    show_table(duplication_and_complement(view, match), f"duplication-{match}")
    with st.expander(_("Action pairs behind the possible-duplication flags")):
        # Pairs are a cross product per member and link: check their number before building them.
        bound = possible_duplicate_bound(view, match)
        if bound <= PAIR_LIST_LIMIT:
            show_table(possible_duplicates(view, match), f"duplicate-pairs-{match}", hide=("link_no", "relation"))
        else:
            st.info(
                _(
                    "Too many action pairs to list here (up to {bound}; the list shows up to {limit}). Choose a "
                    "member and an area or pillar in the sidebar to see them."
                ).format(bound=lang.number(bound), limit=lang.number(PAIR_LIST_LIMIT))
            )

st.header(_("ASEAN member states and other members side by side"))
comparison = group_comparison(view)
labels = [catalog.statuses[s].label.lower() for s in catalog.scale.counted_apart]
apart = (" " + _("or") + " ").join(labels) or _("counted apart")
show_chart(
    group_comparison_figure(
        comparison, title=_("Actions by member group: Bohol, ASEAN mechanisms, complete"), lang=lang
    ),
    in_words(comparison, lang),
    key="overlap_groups",
    file_name="overlap-member-groups",
    dataset=dataset,
    caption=_(
        "Three groups, no ranking of members. Reported complete is a share of the actions not {statuses}."
    ).format(statuses=apart),
)
