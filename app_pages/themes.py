"""Themes: on one cross-cutting theme, who is doing what, under which framework and ASEAN body, and what moved?"""

from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from loaders.catalog_schema import CONFIDENCE_LABELS
from loaders.i18n import N_
from tracker import settings
from tracker.figures.status import status_bar_figure
from tracker.views.action_table import action_display, evidence_url
from tracker.views.filters import GROUPS, View
from tracker.views.overview import headline, status_counts
from tracker.views.provenance import status_note
from tracker.views.themes import (
    COLUMN_LABELS,
    in_words,
    members_with_and_without_actions,
    status_by_group,
    theme_commitments,
    theme_mechanisms,
    theme_pairs,
    theme_sources,
    theme_view,
)
from ui.components import data_banner, nothing_matches, show_chart, show_rows
from ui.lang import current_language
from ui.movement import show_since_date
from ui.sidebar import current_filters, set_filters
from ui.state import current_view
from ui.text import plain, plain_table

# The theme shown is this page's own choice, kept in the URL as ?theme_page= (as the member profile keeps ?m=),
# not the sidebar's theme filter: that filter narrows every page and may hold several themes, where this page
# shows one and compares it with the others. The sidebar filters still apply here, the theme filter included
# (it seeds the choice when the URL names none); the buttons below open Gaps and Progress with it set to this theme.
THEME_PARAM = "theme_page"
OPEN = "themes_open"  # the page to open once the sidebar's theme filter is set (see open_with_theme)
PAGES = (
    ("app_pages/gaps.py", N_("Gaps on this theme"), ":material/grid_on:"),
    ("app_pages/progress.py", N_("Progress on this theme"), ":material/trending_up:"),
)


def address(url: str) -> str:
    """A source's address as a link showing that address (``http``/``https`` only), else as plain text."""
    safe = evidence_url(url)
    return f"<{safe}>" if safe else plain(url)


def show_table(frame: pd.DataFrame, where: DeltaGenerator | None = None, *, whole: bool = False) -> None:
    """A table of this page's frames with readable headings (``COLUMN_LABELS``); ``whole``: every row in view."""
    (where or st.container()).dataframe(
        in_words(frame, lang),
        hide_index=True,
        width="stretch",
        column_config=labels,
        height="content" if whole else "auto",
    )


def open_with_theme(target: str, theme: str) -> None:
    """Button callback: set the sidebar's theme filter to ``theme`` alone (other filters kept), then open ``target``.

    Not an ``st.page_link`` with the filter in ``query_params``: the sidebar reads the URL once per session
    (ui/sidebar.py), so a link followed in the same session arrives with the theme dropped from the URL. A
    callback runs before the sidebar is drawn, so it may set the filter's widgets; the page then switches.
    """
    set_filters(replace(current_filters(), themes=(theme,)))
    st.session_state[OPEN] = target


def show_status_charts(scope: View, label: str, theme: str) -> None:
    """The theme's actions by status: one chart by framework, one by member group."""
    catalog = scope.catalog
    by_framework, by_group = status_counts(scope, "framework"), status_by_group(scope)
    frameworks = {f: catalog.frameworks[f].short_name for f in by_framework["group"]}  # official names
    charts = (
        ("framework", _("Status of actions on {theme}, by framework"), _("Framework"), by_framework, frameworks),
        (
            "member group",
            _("Status of actions on {theme}, by member group"),
            _("Member group"),
            by_group,
            {g: _(GROUPS[g]) for g in by_group["group"]},
        ),
    )
    for name, title, axis, counts, groups in charts:
        show_chart(
            status_bar_figure(
                counts, catalog, labels=groups, title=title.format(theme=label), axis_title=axis, lang=lang
            ),
            counts,
            key=f"themes_by_{name.replace(' ', '_')}",
            file_name=f"{theme}-status-by-{name.replace(' ', '-')}",
            dataset=scope.dataset,
            caption=_("An action reported under both frameworks counts once in each.") if name == "framework" else None,
        )


def show_movement(scope: View, theme: str) -> None:
    """What moved on the theme since a date (the last six months unless changed), as the Progress page does."""
    show_since_date(scope, "themes", settings.today(), file_prefix=f"{theme}-")


if target := st.session_state.pop(OPEN, None):
    st.switch_page(target, query_params=current_filters().to_query())
view = current_view()
catalog, dataset = view.catalog, view.dataset
lang = current_language()
_ = lang.gettext
labels = {c: _(label) for c, label in COLUMN_LABELS.items()}  # the tables' headings
st.title(_("Themes"))
st.caption(
    _(
        "Cross-cutting themes are an editorial classification of the commitments (confidence I). An action counts "
        "under a theme when a commitment it reports against carries it."
    )
    + " "
    + _(status_note(dataset, short=True))  # the note is a catalogue message (tracker.views.provenance)
)
data_banner(dataset)
if not catalog.themes:
    st.info(_("The catalog defines no themes (`commitments/themes.yaml`)."))
    st.stop()
if "themes_theme" not in st.session_state:
    asked = st.query_params.get(THEME_PARAM, "")
    st.session_state["themes_theme"] = asked if asked in catalog.themes else [*view.filters.themes, *catalog.themes][0]
theme = st.selectbox(
    _("Theme"), list(catalog.themes), format_func=lambda t: catalog.themes[t].label, key="themes_theme"
)
st.query_params[THEME_PARAM] = theme
info, scope = catalog.themes[theme], theme_view(view, theme)

st.header(plain(info.label))
st.markdown(plain(info.description))
meaning = _(CONFIDENCE_LABELS[info.confidence])
st.caption(
    _("Confidence {code}: {meaning}.").format(code=info.confidence, meaning=meaning)
    + f" {plain(info.confidence_note or '')}"
)
sources = theme_sources(catalog, theme)
cited = [f"- {plain(key)}: {plain(title)}, {address(url)}" for key, title, url in sources.itertuples(index=False)]
st.markdown("\n".join(["**" + _("Sources") + "**", "", *cited]))
left, right = st.columns(2)
for column, (path, name, icon) in zip((left, right), PAGES, strict=True):
    column.button(
        _(name),
        icon=icon,
        key=f"themes_to_{Path(path).stem}",
        on_click=open_with_theme,
        args=(path, theme),
        width="stretch",
    )
st.caption(_("Opens the page with the sidebar's theme filter set to this theme; the other filters stay as they are."))
if view.filters.themes and theme not in view.filters.themes:
    chosen = ", ".join(plain(catalog.themes[t].label) for t in view.filters.themes)
    st.info(
        _(
            "The sidebar's Theme filter ({themes}) leaves this theme out, so the figures below count only commitments "
            "that carry both. Clear that filter in the sidebar to see the whole theme."
        ).format(themes=chosen),
        icon=":material/filter_alt:",
    )
if view.is_empty:
    nothing_matches()
elif scope.is_empty:
    st.info(
        _("No action is reported under {theme} in the current filters.").format(theme=plain(info.label)),
        icon=":material/info:",
    )

st.subheader(_("Commitments that carry it"))
show_table(theme_commitments(scope, theme), whole=True)
st.caption(_("An item carries the themes of its area or pillar. Actions: those citing the commitment itself."))
st.subheader(_("ASEAN mechanisms that carry it"))
mechanisms = theme_mechanisms(scope)
if mechanisms.empty:
    st.info(_("No ASEAN mechanism is linked to this theme's commitments, or listed by an action under it."))
else:
    # A static table, so the long names wrap; catalog text is escaped (plain_table).
    shown = in_words(mechanisms, lang).set_index("mechanism")[["basis", "actions", "crosswalk", "name"]]
    st.table(plain_table(shown.rename(columns=labels).rename_axis(index=labels["mechanism"])))
    st.caption(
        _(
            "Found through the editorial crosswalk (its links to the theme's commitments: an inference, not an "
            "official mapping), through the mechanisms that actions under the theme list, or both."
        )
    )

if not scope.is_empty:
    st.header(_("Actions under this theme"))
    figures, (active, silent) = headline(scope), members_with_and_without_actions(scope)
    cols = st.columns(3)
    cols[0].metric(_("Actions under this theme"), lang.number(figures.actions))
    of = _("{part} of {whole}")
    cols[1].metric(
        _("Members with an action on it"),
        of.format(part=lang.number(len(active)), whole=lang.number(len(view.member_ids))),
    )
    cols[2].metric(
        _("Its commitments with an action"),
        of.format(part=lang.number(figures.commitments_covered), whole=lang.number(figures.commitments_in_scope)),
    )
    show_status_charts(scope, info.label, theme)
    with st.expander(_("The {count} action(s) under this theme").format(count=lang.number(figures.actions))):
        shown = action_display(scope.actions, catalog)
        show_rows(shown, key="themes_actions", file_name=f"{theme}-actions", dataset=dataset)
    st.subheader(_("Members with and without an action on it"))
    st.caption(_("Both lists are alphabetical: nothing here is a ranking."))
    left, right = st.columns(2)
    left.markdown("**" + _("With at least one action ({count})").format(count=lang.number(len(active))) + "**")
    show_table(active, left)
    right.markdown("**" + _("With none ({count})").format(count=lang.number(len(silent))) + "**")
    if silent.empty:
        right.success(_("Every member in scope has at least one action on this theme."))
    else:
        show_table(silent, right)
    st.header(_("What moved on this theme"))
    show_movement(scope, theme)

if not view.is_empty:
    st.header(_("Themes together"))
    # A static table wraps its long headings; the chosen theme in bold. Catalog labels go to Markdown escaped.
    names = {t: f"**{plain(c.label)}**" if t == theme else plain(c.label) for t, c in catalog.themes.items()}
    pairs = theme_pairs(view).rename(index=names, columns=names)
    st.table(pairs.rename_axis(index=_("Theme")))
    st.caption(
        _(
            "Each cell counts the actions in the current filters that serve both themes; the diagonal counts the "
            "actions serving each theme. One action can serve several themes."
        )
    )
