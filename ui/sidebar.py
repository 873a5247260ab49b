"""The shared sidebar filters, kept in the URL so a view can be bookmarked.

Drawn once per run by ``dashboard.py`` before the page runs, so the widgets
(and their state) live across page switches. The URL is read once per session
to seed the widgets; after that the widgets are the source of truth and are
written back to the URL on every run, which also restores the query string
after Streamlit's navigation links drop it.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from loaders.catalog import Catalog
from tracker.views.filters import GROUPS, Filters
from ui.lang import current_language

_KEYS = {
    "framework": "flt_framework",
    "areas": "flt_areas",
    "themes": "flt_themes",
    "group": "flt_group",
    "members": "flt_members",
    "statuses": "flt_statuses",
    "updated_from": "flt_from",
    "updated_to": "flt_to",
}
_SEEDED = "flt_seeded_from_url"
ALL = "all"  # a selectbox shows a placeholder for None, so "no filter" is a real option
FILTER_QUERY_KEYS = ("framework", "area", "theme", "group", "member", "status", "from", "to")
"""The filters' URL parameters (``lang``, the language, is kept by ``ui.lang``)."""


def _seed_from_url(catalog: Catalog) -> None:
    if st.session_state.get(_SEEDED):
        return
    filters = Filters.from_query(st.query_params.to_dict(), catalog)
    set_filters(filters)
    st.session_state[_SEEDED] = True


def set_filters(filters: Filters) -> None:
    """Set the sidebar's widgets to ``filters`` (before they are drawn: in a callback, or before ``render_filters``).

    How a page sends the reader elsewhere with filters applied: a link's query string is read once per
    session only, so the state is set here and the next page draws the sidebar from it.
    """
    for name, key in _KEYS.items():
        value = getattr(filters, name)
        if name in ("framework", "group"):
            value = value or ALL
        st.session_state[key] = list(value) if isinstance(value, tuple) else value


def keep_filters() -> None:
    """Set the filter widgets again to what they hold (a callback, when the language changes).

    A selectbox's browser side holds its option's label, and a new language changes the labels
    ("All members" becomes "Semua anggota"): set from here, the next run sends the values instead.
    """
    set_filters(current_filters())


def _reset() -> None:
    set_filters(Filters())


def render_filters(catalog: Catalog) -> Filters:
    """Draw the sidebar filters and return what they select (also synced to the URL)."""
    # Bound once: the option labels' format functions are called again later, outside this run, to match
    # what the browser sends, and must give the same labels then.
    _ = current_language().gettext
    _seed_from_url(catalog)
    sidebar = st.sidebar
    sidebar.header(_("Filters"))
    frameworks = catalog.frameworks
    sidebar.selectbox(
        _("Framework"),
        [ALL, *frameworks],
        format_func=lambda f: _("Both frameworks") if f == ALL else frameworks[f].short_name,
        key=_KEYS["framework"],
    )
    top_levels = {c.id: c for c in catalog.commitments.values() if c.parent is None}
    sidebar.multiselect(
        _("Area or pillar"),
        list(top_levels),
        format_func=lambda c: f"{c} {top_levels[c].title}",
        key=_KEYS["areas"],
        placeholder=_("All areas and pillars"),
    )
    sidebar.multiselect(
        _("Theme"),
        list(catalog.themes),
        format_func=lambda t: catalog.themes[t].label,
        key=_KEYS["themes"],
        placeholder=_("All themes"),
    )
    sidebar.selectbox(
        _("Member group"),
        [ALL, *GROUPS],
        format_func=lambda g: _("All members") if g == ALL else _(GROUPS[g]),
        key=_KEYS["group"],
    )
    sidebar.multiselect(
        _("Member"),
        list(catalog.members),
        format_func=lambda m: f"{catalog.members[m].name} ({m})",
        key=_KEYS["members"],
        placeholder=_("All members"),
    )
    sidebar.multiselect(
        _("Status (as reported)"),
        list(catalog.statuses),
        format_func=lambda s: f"{catalog.statuses[s].icon} {catalog.statuses[s].label}",
        key=_KEYS["statuses"],
        placeholder=_("All statuses"),
    )
    left, right = sidebar.columns(2)
    left.date_input(_("Updated from"), value=None, key=_KEYS["updated_from"], format="YYYY-MM-DD")
    right.date_input(_("Updated to"), value=None, key=_KEYS["updated_to"], format="YYYY-MM-DD")

    filters = current_filters()
    sidebar.button(_("Reset filters"), on_click=_reset, key="flt_reset", width="stretch", disabled=filters.is_default)
    _sync_url(filters)
    return filters


def current_filters() -> Filters:
    """The filters as the sidebar widgets hold them now."""
    state = st.session_state

    def date(key: str) -> dt.date | None:
        value = state.get(_KEYS[key])
        return value if isinstance(value, dt.date) else None

    def choice(key: str) -> str | None:
        value = state.get(_KEYS[key])
        return None if value in (None, ALL) else value

    return Filters(
        framework=choice("framework"),
        areas=tuple(state.get(_KEYS["areas"]) or ()),
        themes=tuple(state.get(_KEYS["themes"]) or ()),
        group=choice("group"),
        members=tuple(state.get(_KEYS["members"]) or ()),
        statuses=tuple(state.get(_KEYS["statuses"]) or ()),
        updated_from=date("updated_from"),
        updated_to=date("updated_to"),
    )


def _sync_url(filters: Filters) -> None:
    """Write the filters to the URL, leaving page-specific parameters alone."""
    wanted = filters.to_query()
    current = st.query_params.to_dict()
    for key in FILTER_QUERY_KEYS:
        if key in wanted and current.get(key) != wanted[key]:
            st.query_params[key] = wanted[key]
        elif key not in wanted and key in current:
            del st.query_params[key]
