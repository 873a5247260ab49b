"""The current view: the cached data set narrowed by the sidebar filters.

Pages call :func:`current_view` and never filter on their own.
"""

from __future__ import annotations

from dataclasses import replace

from loaders.catalog import Catalog
from loaders.dataset import Dataset
from tracker.access import can_see_confidential
from tracker.views.filters import View, apply_filters
from ui.auth import current_user
from ui.cache import get_dataset, get_view_dataset
from ui.lang import current_language
from ui.sidebar import current_filters


def current_view() -> View:
    """The data set filtered as the sidebar says, without confidential actions for viewers.

    Its catalog speaks the page's language (``Catalog.in_language``): status labels in every figure and table.
    """
    dataset = _spoken(get_view_dataset())
    return apply_filters(dataset, current_filters(), can_see_confidential=can_see_confidential(current_user()))


def current_member_view(member: str) -> View:
    """The sidebar filters applied to one member (the member and group filters give way)."""
    filters = replace(current_filters(), members=(member,), group=None)
    return apply_filters(
        _spoken(get_view_dataset()), filters, can_see_confidential=can_see_confidential(current_user())
    )


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
