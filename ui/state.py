"""The current view: the cached data set narrowed by the sidebar filters.

Pages call :func:`current_view` and never filter on their own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import TypeVar, cast

from loaders.catalog import Catalog
from loaders.dataset import Dataset
from tracker.access import can_see_confidential
from tracker.views.filters import Filters, View, apply_filters
from ui.auth import current_user
from ui.cache import get_dataset, get_view_dataset
from ui.lang import current_language
from ui.sidebar import current_filters


def current_view() -> View:
    """The data set filtered as the sidebar says, without confidential actions for viewers.

    Its catalog speaks the page's language (``Catalog.in_language``): status labels in every figure and table.
    Every session with the same data, language, filters and role class gets the same view (:func:`shared`).
    """
    return _shared_view(_spoken(get_view_dataset()), current_filters(), can_see_confidential(current_user()))


def current_member_view(member: str) -> View:
    """The sidebar filters applied to one member (the member and group filters give way)."""
    filters = replace(current_filters(), members=(member,), group=None)
    return _shared_view(_spoken(get_view_dataset()), filters, can_see_confidential(current_user()))


# --- one view per (data set, language, filters, role class), shared by every session -------------------------

SHARED_VIEWS = 16
"""Views kept for reuse across sessions, the most recently used first out last. A meeting week opens the same
few (the default filters, a group, a framework) hundreds of times; each view holds its filtered frames, so the
number is bounded (about 30 MiB each at 100x the data)."""
_VIEWS: OrderedDict[tuple[int, Filters, bool], View] = OrderedDict()
_VIEWS_LOCK = threading.Lock()
T = TypeVar("T")


def _shared_view(dataset: Dataset, filters: Filters, confidential: bool) -> View:
    """The view of ``dataset`` under ``filters`` for a role that may (or may not) see confidential actions, made
    once and then shared.

    Whether confidential actions are visible is part of the key: a viewer's view (and all that :func:`shared`
    keeps in it) never holds a confidential action, whoever asked first. The data set is part of it by identity:
    ``get_view_dataset`` returns one object per state of the files, and ``_spoken`` one per language.
    """
    key = (id(dataset), filters, confidential)
    with _VIEWS_LOCK:
        view = _VIEWS.get(key)
        if view is not None and view.dataset is dataset:  # an id can be reused once its object is gone
            _VIEWS.move_to_end(key)
            return view
    view = apply_filters(dataset, filters, can_see_confidential=confidential)
    with _VIEWS_LOCK:
        # Views of records since replaced (a file changed) go at once, not after 16 others: they hold the old data.
        # The languages' data sets of one state of the files share its frames.
        for old in [k for k, v in _VIEWS.items() if v.dataset.actions is not dataset.actions]:
            del _VIEWS[old]
        _VIEWS[key] = view
        _VIEWS.move_to_end(key)
        while len(_VIEWS) > SHARED_VIEWS:
            _VIEWS.popitem(last=False)
    return view


def forget_shared_views() -> None:
    """Drop every shared view (tests that change the files under a running app, and memory's last resort)."""
    with _VIEWS_LOCK:
        _VIEWS.clear()
        _SPOKEN.clear()


def shared(view: View, key: Hashable, build: Callable[[], T]) -> T:
    """``build()`` computed once for ``view`` and ``key``, and reused by every session showing the same view.

    For what a page computes from the view alone (plus what ``key`` names, such as the date "overdue" is judged
    at): counts, tables and figures. What it returns is shared, so nobody may change it afterwards; Streamlit's
    elements only read what they are given. Two sessions arriving together may both build it once.
    """
    try:
        return cast(T, view.memo[key])
    except KeyError:
        value = build()
        view.memo[key] = value
        return value


# The last data set given a language's catalog, per language: get_view_dataset() returns the same object until a
# file changes, so the pages' caches keyed on the data set's identity keep working.
_SPOKEN: dict[str, tuple[Dataset, Dataset]] = {}


def _spoken(dataset: Dataset) -> Dataset:
    code = current_language().code
    catalog = dataset.catalog.in_language(code)
    if catalog is dataset.catalog:
        return dataset
    cached = _SPOKEN.get(code)
    if cached is not None and cached[0] is dataset:
        return cached[1]
    spoken = replace(dataset, catalog=catalog)
    _SPOKEN[code] = (dataset, spoken)
    return spoken


def dataset_catalog() -> Catalog:
    """The catalog of the current data set."""
    return get_dataset().catalog
