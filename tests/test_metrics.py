"""Golden tests for the metrics: filters, headline, status counts, freshness, gaps, progress."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from loaders.catalog import load_catalog
from tests.builders import TODAY, action, dataset_of
from tracker.views.filters import Filters, apply_filters
from tracker.views.gaps import gap_matrix, members_without_actions, pair_actions, stale_members, uncovered_commitments
from tracker.views.overview import freshness, headline, status_counts
from tracker.views.progress import movement_since, overdue_actions, plan_year_summary


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def data(catalog):
    rows = [
        action("IDN", 1, "ASC-6.2; BWP-B.1", "complete", asean_mechanisms="ACWC", start_date=dt.date(2023, 3, 1)),
        action("IDN", 2, "ASC-1", "limited", due_date=dt.date(2025, 1, 1), start_date=dt.date(2024, 1, 1)),
        action("IDN", 3, "ASC-1", "discontinued", last_updated=dt.date(2024, 1, 1)),
        action("THA", 1, "BWP-C.1", "not_started", confidential="yes"),
        action("THA", 2, "ASC-6", "substantial", due_date=dt.date(2027, 6, 30), start_date=dt.date(2026, 9, 1)),
        action("AUS", 1, "ASC-8.1", "complete", last_updated=dt.date(2025, 6, 1), due_date=dt.date(2024, 6, 30)),
    ]
    return dataset_of(catalog, rows)


def view_of(data, **filters):
    return apply_filters(data, Filters(**filters))


def test_confidential_actions_are_absent_for_viewers(data):
    viewer = apply_filters(data, Filters())
    reviewer = apply_filters(data, Filters(), can_see_confidential=True)
    assert "THA-001" not in set(viewer.actions["action_key"])
    assert "THA-001" not in set(viewer.links["action_key"])
    assert "THA-001" in set(reviewer.actions["action_key"])


def test_headline_counts(data):
    figures = headline(view_of(data))
    assert (figures.actions, figures.members_reporting, figures.members_in_scope) == (5, 3, 49)
    # Discontinued IDN-003 is counted apart: 2 complete of 4 progress actions.
    assert (figures.complete, figures.progress_actions, figures.complete_share) == (2, 4, 0.5)
    # Cited: ASC-6.2, BWP-B.1, ASC-1, ASC-6, ASC-8.1 plus their parents ASC-6, BWP-B, ASC-8.
    assert figures.commitments_covered == 7
    assert figures.commitments_in_scope == 59


def test_framework_filter_keeps_only_that_frameworks_links(data):
    view = view_of(data, framework="BWP")
    assert set(view.actions["action_key"]) == {"IDN-001"}
    assert set(view.links["framework"]) == {"BWP"}
    assert headline(view).commitments_in_scope == len(data.catalog.commitments_of("BWP"))


def test_theme_filter_inherits_from_the_area(data):
    theme = data.catalog.commitments["ASC-6"].themes[0]
    view = view_of(data, themes=(theme,))
    # ASC-6.2 inherits ASC-6's theme, so IDN-001 matches through its item.
    assert {"IDN-001", "THA-002"} <= set(view.actions["action_key"])


def test_member_group_and_status_filters(data):
    assert set(view_of(data, group="asean").actions["member"]) == {"IDN", "THA"}
    assert set(view_of(data, group="other").actions["member"]) == {"AUS"}
    assert view_of(data, group="org").is_empty
    assert set(view_of(data, statuses=("complete",)).actions["action_key"]) == {"IDN-001", "AUS-001"}


def test_updated_range_filter(data):
    view = view_of(data, updated_from=dt.date(2025, 1, 1), updated_to=dt.date(2025, 12, 31))
    assert set(view.actions["action_key"]) == {"AUS-001"}


def test_filters_round_trip_through_the_query_string(catalog):
    filters = Filters(
        framework="ASC",
        areas=("ASC-1", "ASC-6"),
        group="asean",
        members=("IDN",),
        statuses=("complete",),
        updated_from=dt.date(2024, 1, 1),
    )
    query = filters.to_query()
    assert query == {
        "framework": "ASC",
        "area": "ASC-1,ASC-6",
        "group": "asean",
        "member": "IDN",
        "status": "complete",
        "from": "2024-01-01",
    }
    assert Filters.from_query(query, catalog) == filters


def test_bad_query_values_are_dropped_not_raised(catalog):
    query = {"framework": "XYZ", "area": "ASC-1,ASC-6.2,../x", "member": "IDN,ZZZ", "from": "yesterday", "group": "g"}
    assert Filters.from_query(query, catalog) == Filters(areas=("ASC-1",), members=("IDN",))


def test_status_counts_by_framework(data):
    counts = status_counts(view_of(data), "framework")
    expected = pd.DataFrame(
        {
            "group": ["ASC"] * 5 + ["BWP"] * 5,
            "status": ["not_started", "limited", "substantial", "complete", "discontinued"] * 2,
            "actions": [0, 1, 1, 2, 1, 0, 0, 0, 1, 0],
        }
    ).astype({"group": "str", "status": "str", "actions": "int64"})
    assert_frame_equal(counts, expected)


def test_status_counts_by_member_are_alphabetical_by_name(data):
    groups = list(dict.fromkeys(status_counts(view_of(data), "member")["group"]))
    assert groups == ["AUS", "IDN", "THA"]  # Australia, Indonesia, Thailand


def test_freshness_states(data):
    frame = freshness(view_of(data), TODAY, stale_after_days=365).set_index("member")
    assert frame.loc["IDN", "state"] == "current"  # latest 2026-06-01
    assert frame.loc["AUS", "state"] == "stale"  # 2025-06-01 is 545 days before TODAY
    assert frame.loc["AUS", "days_since_update"] == 545
    assert frame.loc["BTN", "state"] == "not_reported"
    assert list(stale_members(view_of(data), TODAY)["member"]) == ["AUS"]
    assert "BTN" in set(members_without_actions(view_of(data), TODAY)["member"])


def test_gap_matrix_furthest_status_ignores_discontinued_unless_alone(catalog):
    rows = [
        action("IDN", 1, "ASC-1", "discontinued"),
        action("IDN", 2, "ASC-1.1", "limited"),
        action("THA", 1, "ASC-1", "discontinued"),
    ]
    view = apply_filters(dataset_of(catalog, rows), Filters(members=("IDN", "THA"), areas=("ASC-1", "ASC-2")))
    matrix = gap_matrix(view, "top_level")
    expected = pd.DataFrame(
        {
            "member": ["IDN", "IDN", "THA", "THA"],
            "commitment": ["ASC-1", "ASC-2", "ASC-1", "ASC-2"],
            "actions": [2, 0, 1, 0],
            "status": ["limited", "no_action", "discontinued", "no_action"],
        }
    ).astype({"member": "str", "commitment": "str", "actions": "int64", "status": "str"})
    assert_frame_equal(matrix, expected)
    assert list(pair_actions(view, "IDN", "ASC-1")["action_key"]) == ["IDN-001", "IDN-002"]


def test_gap_matrix_at_commitment_level_does_not_roll_up(catalog):
    view = apply_filters(dataset_of(catalog, [action("IDN", 1, "ASC-1.1", "complete")]), Filters(members=("IDN",)))
    matrix = gap_matrix(view, "commitment").set_index("commitment")
    assert matrix.loc["ASC-1.1", "status"] == "complete"
    assert matrix.loc["ASC-1", "status"] == "no_action"
    assert len(matrix) == len(catalog.commitments)


def test_uncovered_commitments_roll_items_up(data):
    nobody = set(uncovered_commitments(view_of(data))["commitment"])
    assert {"ASC-6", "ASC-6.2", "ASC-8", "BWP-B"}.isdisjoint(nobody)
    assert {"ASC-2", "ASC-6.1", "BWP-A"} <= nobody


def test_overdue_and_plan_years(data):
    overdue = overdue_actions(view_of(data), TODAY)
    # IDN-002 is limited and was due 2025-01-01; AUS-001 was due in 2024 but is complete.
    assert list(overdue["action_key"]) == ["IDN-002"]
    summary = plan_year_summary(view_of(data), TODAY).set_index(["year", "measure"])["actions"]
    assert summary[(2025, "due: overdue")] == 1
    assert summary[(2024, "due: complete")] == 1
    assert summary[(2027, "due: not yet due")] == 1
    assert summary[(2023, "started")] == 1
    assert summary[(2028, "started")] == 0  # every plan year is present


def test_movement_since_a_date(data):
    moved = movement_since(view_of(data), dt.date(2026, 1, 1))
    assert set(moved.updated["action_key"]) == {"IDN-001", "IDN-002", "THA-002"}
    assert set(moved.new["action_key"]) == {"THA-002"}
    # Open and not touched since: none (IDN-003 is discontinued, AUS-001 complete).
    assert moved.counts() == {"updated": 3, "new": 1, "stalled": 0}
    earlier = movement_since(view_of(data), dt.date(2026, 7, 1))
    assert set(earlier.stalled["action_key"]) == {"IDN-002", "THA-002"}


def test_metrics_on_a_view_with_no_actions(data):
    empty = view_of(data, members=("BTN",))
    assert empty.is_empty
    frame = freshness(empty, TODAY, 365)
    assert list(frame["state"]) == ["not_reported"]
    assert frame["last_updated"].isna().all()
    matrix = gap_matrix(empty)
    assert set(matrix["status"]) == {"no_action"}
    assert len(matrix) == len(empty.top_level_ids)
    assert headline(empty).complete_share is None


def test_dense_gap_matrix_keeps_an_icon_in_every_cell_and_labels_members_by_id(catalog, data):
    from tracker.figures.gaps import DENSE_COLUMNS, gap_matrix_figure

    view = view_of(data)
    matrix = gap_matrix(view, "commitment")
    columns = list(view.commitment_ids)
    assert len(columns) > DENSE_COLUMNS
    members = {m: catalog.members[m].name for m in view.member_ids}
    fig = gap_matrix_figure(
        matrix, catalog, member_labels=members, commitment_labels={c: c for c in columns}, title="t"
    )
    heatmap = fig.data[0]
    icons = {s.icon for s in catalog.statuses.values()} | {catalog.scale.no_action.icon}
    assert all(cell in icons for row in heatmap.text for cell in row)  # icon only, no count
    assert list(fig.layout.yaxis.ticktext) == list(view.member_ids)
