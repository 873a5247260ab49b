"""Views shared across sessions (issue 12): one per data set, language, filters and role class, bounded, never
crossing the line between those who may see confidential actions and those who may not.

The page-level proof that a guest after a reviewer sees nothing confidential is in test_confidentiality.py
(``test_what_a_reviewer_computed_is_never_shown_to_a_guest_after_them``).
"""

from __future__ import annotations

import dataclasses

import pytest

from loaders.dataset import load_dataset
from tracker import settings
from tracker.views.filters import Filters
from ui import state


@pytest.fixture
def sample():
    state.forget_shared_views()
    yield load_dataset(settings.SAMPLE_DATA_DIR)
    state.forget_shared_views()


def test_sessions_with_the_same_data_filters_and_role_share_one_view(sample):
    first = state._shared_view(sample, Filters(group="asean"), False)
    assert state._shared_view(sample, Filters(group="asean"), False) is first
    assert state._shared_view(sample, Filters(group="other"), False) is not first
    built = []
    assert state.shared(first, "n", lambda: built.append(1) or len(first.actions)) == len(first.actions)
    assert state.shared(first, "n", lambda: built.append(1) or -1) == len(first.actions)  # built once
    assert built == [1]


def test_a_viewer_and_a_reviewer_never_share_a_view_whoever_comes_first(sample):
    confidential = set(sample.actions.loc[sample.actions["confidential"], "action_id"])
    assert confidential  # the sample has some

    reviewer = state._shared_view(sample, Filters(), True)
    state.shared(reviewer, "ids", lambda: set(reviewer.actions["action_id"]))
    viewer = state._shared_view(sample, Filters(), False)

    assert viewer is not reviewer
    assert confidential <= state.shared(reviewer, "ids", set)
    assert not confidential & state.shared(viewer, "ids", lambda: set(viewer.actions["action_id"]))


def test_each_language_has_its_own_view_and_new_records_replace_the_old_views(sample):
    english = state._shared_view(sample, Filters(), False)
    spoken = dataclasses.replace(sample, catalog=sample.catalog.in_language("id"))  # as ui.state._spoken makes it
    indonesian = state._shared_view(spoken, Filters(), False)
    assert indonesian is not english and indonesian.catalog is spoken.catalog
    assert state._shared_view(sample, Filters(), False) is english  # both kept: they are the same records

    changed = dataclasses.replace(sample, actions=sample.actions.head(10))  # a file changed: another data set
    state._shared_view(changed, Filters(), False)
    assert [v.dataset for v in state._VIEWS.values()] == [changed]  # the old records' views went at once


def test_the_shared_views_are_bounded(sample):
    members = list(sample.catalog.members)[: state.SHARED_VIEWS + 5]
    for member in members:
        state._shared_view(sample, Filters(members=(member,)), False)
    assert len(state._VIEWS) == state.SHARED_VIEWS
    kept = [view.filters.members for view in state._VIEWS.values()]
    assert kept == [(m,) for m in members[5:]]  # the least recently used went first


def test_a_figure_is_sent_as_plotly_would_send_it_and_turned_into_a_dict_once(sample):
    import plotly.io
    import plotly.tools

    from tracker.figures.status import status_bar_figure
    from tracker.views.overview import status_counts
    from ui.components import figure_spec

    view = state._shared_view(sample, Filters(), False)
    fig = status_bar_figure(status_counts(view, "top_level"), sample.catalog, labels={}, title="t", axis_title="a")

    def sent(figure) -> str:  # what st.plotly_chart puts in its message
        return plotly.io.to_json(plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True))

    spec = figure_spec(fig)
    assert sent(spec) == sent(fig)
    assert figure_spec(fig) is spec  # made once, then kept on the figure


def test_the_overview_sends_the_same_charts_to_the_next_session(fresh_caches):
    from streamlit.testing.v1 import AppTest

    def charts() -> list[str]:
        at = AppTest.from_file(str(settings.PROJECT_ROOT / "dashboard.py"), default_timeout=60).run()
        assert not at.exception
        return [chart.proto.spec for chart in at.get("plotly_chart")]

    first, second = charts(), charts()  # the second session's figures come from the shared view
    assert len(first) == 3 and first == second
