"""The current view: the cached data set narrowed by the sidebar filters.

Pages call :func:`current_view` and never filter on their own.
"""

from __future__ import annotations

from tracker.filters import View, apply_filters
from ui.cache import get_dataset
from ui.sidebar import current_filters


def current_view() -> View:
    """The data set filtered as the sidebar says, without confidential actions for viewers."""
    dataset = get_dataset()
    view = apply_filters(dataset, current_filters(), can_see_confidential=False)
    return view
