"""The current view: the cached data set narrowed by the sidebar filters.

Pages call :func:`current_view` and never filter on their own.
"""

from __future__ import annotations

from dataclasses import replace

from loaders.catalog import Catalog
from tracker.access import can_see_confidential
from tracker.views.filters import View, apply_filters
from ui.auth import current_user
from ui.cache import get_dataset, get_view_dataset
from ui.sidebar import current_filters


def current_view() -> View:
    """The data set filtered as the sidebar says, without confidential actions for viewers."""
    dataset = get_view_dataset()
    return apply_filters(dataset, current_filters(), can_see_confidential=can_see_confidential(current_user()))


def current_member_view(member: str) -> View:
    """The sidebar filters applied to one member (the member and group filters give way)."""
    filters = replace(current_filters(), members=(member,), group=None)
    return apply_filters(get_view_dataset(), filters, can_see_confidential=can_see_confidential(current_user()))


def dataset_catalog() -> Catalog:
    """The catalog of the current data set."""
    return get_dataset().catalog
