"""Overview: where do the commitments stand, in one screen?"""

import streamlit as st

from loaders.disclosure import visible_issues
from tracker import settings
from tracker.access import can_see_confidential
from tracker.figures.gaps import freshness_tiles_figure
from tracker.figures.status import status_bar_figure
from tracker.views.gaps import STALE_AFTER_DAYS
from tracker.views.overview import catalog_caveats, freshness, headline, key_figures, status_counts
from tracker.views.provenance import status_note
from ui.auth import current_user
from ui.cache import get_round_summary
from ui.components import data_banner, nothing_matches, show_chart
from ui.lang import _, current_language
from ui.state import current_view, shared
from ui.text import plain

view = current_view()
catalog, dataset = view.catalog, view.dataset
today = settings.today()
lang = current_language()

st.title(_("Overview"))
st.caption(_("How the Bali Process members report progress on the 2023 Adelaide Strategy and the Bohol TIP Work Plan."))
data_banner(dataset)

# The same four figures, labels and formatting as the briefing pack (tracker.views.overview.key_figures).
for column, figure in zip(
    st.columns(4), shared(view, "overview:key_figures", lambda: key_figures(headline(view), lang)), strict=True
):
    column.metric(figure.label, figure.value, help=figure.note)

if settings.working_items() == "pillar":
    st.caption(
        _(
            "The Bohol TIP Work Plan is shown at pillar level only: its working items (not official) are counted "
            "under their pillars on every page and in every pack (the TRACKER_WORKING_ITEMS setting)."
        )
    )
if responses := get_round_summary(lang):
    st.caption(plain(_("Reporting round: {summary}").format(summary=responses)))

if view.is_empty:
    nothing_matches()
    st.stop()

# What every viewer of this view sees alike is computed once and shared across sessions (ui.state.shared): in a
# meeting week most sessions open this page with the same filters, language and role.
counts = shared(view, "overview:by_framework", lambda: status_counts(view, "framework"))
fresh = shared(view, ("overview:freshness", today), lambda: freshness(view, today, STALE_AFTER_DAYS))
by_area = shared(view, "overview:by_area", lambda: status_counts(view, "top_level"))

left, right = st.columns(2)
with left:
    show_chart(
        shared(
            view,
            "overview:by_framework_figure",
            lambda: status_bar_figure(
                counts,
                catalog,
                labels={f: catalog.frameworks[f].short_name for f in catalog.frameworks if f in set(counts["group"])},
                title=_("Status of actions by framework"),
                axis_title=_("Framework"),
                share=True,
                lang=lang,
            ),
        ),
        counts,
        key="overview_by_framework",
        file_name="status-by-framework",
        dataset=dataset,
        lang=lang,
        caption=_("An action reported under both frameworks counts in each."),
    )
with right:
    show_chart(
        shared(
            view,
            ("overview:freshness_figure", today),
            lambda: freshness_tiles_figure(fresh, title=_("Reporting freshness by member"), lang=lang),
        ),
        fresh,
        key="overview_freshness",
        file_name="reporting-freshness",
        dataset=dataset,
        lang=lang,
        caption=_("Stale: latest update more than {days} days ago (two six-monthly reporting rounds).").format(
            days=STALE_AFTER_DAYS
        ),
    )

show_chart(
    shared(
        view,
        "overview:by_area_figure",
        lambda: status_bar_figure(
            by_area,
            catalog,
            labels={
                c: f"{c} {catalog.commitments[c].shown_title}" for c in view.top_level_ids if c in set(by_area["group"])
            },
            title=_("Status of actions by area and pillar"),
            axis_title=_("Area or pillar"),
            lang=lang,
        ),
    ),
    by_area,
    key="overview_by_area",
    file_name="status-by-area",
    dataset=dataset,
    lang=lang,
)

st.subheader(_("About this data"))
latest = view.actions["last_updated"].max()
notes = [
    _("Latest update in the records shown: **{day}**.").format(day=lang.date(latest)),
    *shared(view, "overview:caveats", lambda: catalog_caveats(catalog, status_note(dataset, lang=lang), lang)),
]
# Errors about confidential rows are not counted for viewers (loaders/disclosure.py).
errors = len(visible_issues(dataset.errors, can_see_confidential=can_see_confidential(current_user())))
if errors:
    notes.append(
        _("**{errors} validation error(s)** in the files: the rows concerned are left out of every figure.").format(
            errors=lang.number(errors)
        )
    )
st.markdown("\n".join(f"- {note}" for note in notes))
st.page_link("app_pages/method.py", label=_("Method, sources and validation issues"), icon=":material/menu_book:")
