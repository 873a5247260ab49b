"""Figure builders, asserted on the figure objects: titles, axes, traces, non-colour signals."""

from __future__ import annotations

import datetime as dt

import pytest

from loaders.catalog import load_catalog
from tests import counted
from tests.builders import TODAY, action, dataset_of
from tracker.figures.gaps import freshness_tiles_figure, gap_matrix_figure
from tracker.figures.progress import plan_year_figure, timeline_figure
from tracker.figures.status import status_bar_figure
from tracker.views.filters import Filters, apply_filters
from tracker.views.gaps import gap_matrix
from tracker.views.overview import freshness, status_counts
from tracker.views.progress import plan_year_summary, timeline_rows


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def view(catalog):
    rows = [
        action("IDN", 1, "ASC-1", "complete", start_date=dt.date(2023, 5, 1), due_date=dt.date(2024, 5, 1)),
        action("IDN", 2, "ASC-1.1", "limited", start_date=dt.date(2024, 1, 1), due_date=dt.date(2025, 1, 1)),
        action("THA", 1, "BWP-B", "not_started", start_date=dt.date(2026, 1, 1)),
    ]
    return apply_filters(dataset_of(catalog, rows), Filters())


def test_status_bars_one_trace_per_status_with_icons_patterns_and_counts(catalog, view):
    counts = status_counts(view, "framework")
    fig = status_bar_figure(counts, catalog, labels={"ASC": "Adelaide", "BWP": "Bohol"}, title="T", axis_title="F")
    assert fig.layout.title.text == "T" and fig.layout.yaxis.title.text == "F"
    assert fig.layout.barmode == "stack"
    names = [trace.name for trace in fig.data]
    assert names == [f"{s.icon} {s.label}" for s in catalog.statuses.values()]
    patterns = {trace.marker.pattern.shape for trace in fig.data}
    assert len(patterns) == len(fig.data)  # every status has its own pattern, not only a colour
    complete = next(t for t in fig.data if t.name.endswith("Complete"))
    assert list(complete.y) == ["Adelaide", "Bohol"] and list(complete.x) == [1, 0]
    assert list(complete.text) == ["1", ""]


def test_status_bars_as_shares(catalog, view):
    counts = status_counts(view, "framework")
    fig = status_bar_figure(counts, catalog, labels={"ASC": "A"}, title="T", axis_title="F", share=True)
    assert fig.layout.xaxis.tickformat == ".0%"
    assert sum(t.x[0] for t in fig.data) == pytest.approx(1.0)


def test_gap_matrix_cells_carry_icon_count_and_drill_down_data(catalog, view):
    matrix = gap_matrix(view, "top_level")
    members = {m: m for m in ("IDN", "THA")}
    columns = {c: c for c in ("ASC-1", "ASC-2", "BWP-B")}
    fig = gap_matrix_figure(
        matrix[matrix["member"].isin(members) & matrix["commitment"].isin(columns)],
        catalog,
        member_labels=members,
        commitment_labels=columns,
        title="Gaps",
    )
    heatmap, cells = fig.data[0], fig.data[1]
    complete, no_action = catalog.statuses["complete"].icon, catalog.scale.no_action.icon
    assert [list(row) for row in heatmap.text] == [
        [f"{complete} 2", no_action, no_action],  # IDN: two actions on ASC-1 (one via ASC-1.1), furthest complete
        [no_action, no_action, f"{catalog.statuses['not_started'].icon} 1"],
    ]
    assert [list(c) for c in cells.customdata][:3] == [["IDN", "ASC-1", 2], ["IDN", "ASC-2", 0], ["IDN", "BWP-B", 0]]
    assert fig.layout.clickmode == "event+select"
    legend = [t.name for t in fig.data[2:]]
    assert f"{no_action} {catalog.scale.no_action.label}" in legend


def test_freshness_tiles_are_alphabetical_and_marked(view):
    frame = freshness(view, TODAY, 365)
    fig = freshness_tiles_figure(frame, title="Fresh")
    assert fig.layout.title.text == "Fresh"
    texts = [text for trace in fig.data for text in trace.text]
    assert all("<br>" in t and t.split("<br>")[0] in {"●", "◐", "∅"} for t in texts)
    assert len(texts) == 49


def test_plan_year_bars_mark_overdue_with_a_pattern(view):
    fig = plan_year_figure(plan_year_summary(view, TODAY), title="Plan")
    overdue = next(t for t in fig.data if "overdue" in t.name)
    assert overdue.name.startswith("⚠") and overdue.marker.pattern.shape == "x"
    assert list(overdue.x)[:4] == ["2023", "2024", "2025", "2026"]
    assert fig.layout.xaxis.type == "category"


def test_timeline_marks_overdue_bars_and_the_plan_period(catalog, view):
    fig = timeline_figure(timeline_rows(view, TODAY), catalog, title="Timeline", today=TODAY)
    labels = [label for trace in fig.data for label in trace.y]
    assert any(label.startswith("⚠ IDN-002") for label in labels)  # due 2025-01-01, limited: overdue
    assert not any(label.startswith("⚠ IDN-001") for label in labels)  # complete
    assert fig.layout.shapes and fig.layout.xaxis.type == "date"


# --- against hand-counted figures (tests/counted.py), not against the code's own metrics ------------------------


@pytest.fixture(scope="module")
def counted_view(catalog):
    return apply_filters(dataset_of(catalog, counted.ROWS), counted.FILTERS)


def test_status_bars_by_area_draw_the_hand_counted_actions(catalog, counted_view):
    fig = status_bar_figure(
        status_counts(counted_view, "top_level"),
        catalog,
        labels={area: area for area in counted.BY_AREA},
        title="By area",
        axis_title="Area",
    )
    assert [t.name.split(" ", 1)[1] for t in fig.data] == [
        "Not started",
        "Limited",
        "Substantial",
        "Complete",
        "Discontinued",
    ]
    for position, trace in enumerate(fig.data):
        assert list(trace.y) == list(counted.BY_AREA)
        assert [int(v) for v in trace.x] == [counts[position] for counts in counted.BY_AREA.values()], trace.name
        assert [int(v) for v in trace.customdata] == [counts[position] for counts in counted.BY_AREA.values()]


def test_status_counts_by_area_are_the_hand_counted_ones(counted_view):
    counts = status_counts(counted_view, "top_level")
    expected = [
        (area, status, n)
        for area, row in counted.BY_AREA.items()
        for status, n in zip(counted.STATUSES, row, strict=True)
    ]
    assert list(counts.itertuples(index=False, name=None)) == expected


def test_gap_matrix_cells_show_the_hand_counted_status_and_actions(catalog, counted_view):
    members, areas = ["IDN", "THA"], list(counted.BY_AREA)
    fig = gap_matrix_figure(
        gap_matrix(counted_view, "top_level"),
        catalog,
        member_labels={m: m for m in members},
        commitment_labels={a: a for a in areas},
        title="Gaps",
    )
    icons = {"not_started": "○", "limited": "◔", "substantial": "◑", "complete": "●", "discontinued": "✕"}
    expected = [[f"{icons[counted.GAP_MATRIX[m, a][1]]} {counted.GAP_MATRIX[m, a][0]}" for a in areas] for m in members]
    assert [list(row) for row in fig.data[0].text] == expected
    cells = [list(c) for c in fig.data[1].customdata]
    assert cells == [[m, a, counted.GAP_MATRIX[m, a][0]] for m in members for a in areas]
