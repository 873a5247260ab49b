"""What an upload would change (``tracker.records.diff``), on small data sets built row by row.

The store's tests show diffs of real member files end to end; these pin the rules themselves: which rows
are added, removed or changed, which fields are compared and how values are written, the one-line summary,
and the table a reviewer reads.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.builders import action, dataset_of
from tracker.records.diff import changes_display, comparable, diff_actions


@pytest.fixture
def current(catalog) -> pd.DataFrame:
    """Three IDN actions on record."""
    rows = [
        action("IDN", 1, "ASC-1", "limited", lead_agency="Police"),
        action("IDN", 2, "ASC-2", "substantial"),
        action("IDN", 3, "BWP-A", "not_started"),
    ]
    return dataset_of(catalog, rows).actions


def upload(catalog, *rows) -> pd.DataFrame:
    return dataset_of(catalog, rows).actions


def test_an_upload_equal_to_the_records_changes_nothing(catalog, current):
    same = upload(
        catalog,
        action("IDN", 1, "ASC-1", "limited", lead_agency="Police"),
        action("IDN", 2, "ASC-2", "substantial"),
        action("IDN", 3, "BWP-A", "not_started"),
    )

    diff = diff_actions(current, same)

    assert diff.is_empty
    assert diff.summary() == "0 added, 0 removed, 0 field(s) changed in 0 action(s)"
    assert list(diff.changed.columns) == ["action_id", "field", "old", "new"]


def test_rows_are_added_removed_and_changed_field_by_field(catalog, current):
    uploaded = upload(
        catalog,
        # IDN-001: status, start date and a cleared lead agency change; the title does not.
        action("IDN", 1, "ASC-1", "complete", start_date=dt.date(2024, 1, 2)),
        action("IDN", 3, "BWP-A", "not_started", confidential="yes"),  # IDN-003: only Confidential changes
        {**action("IDN", 4, "ASC-3", "limited"), "action_id": None, "title": "Brand new"},  # no id: new
        action("IDN", 9, "ASC-4", "limited", title="Unknown id"),  # an id not on record is new too
    )  # IDN-002 is gone

    diff = diff_actions(current, uploaded)

    assert not diff.is_empty
    assert diff.changed.values.tolist() == [
        ["IDN-001", "status", "limited", "complete"],
        ["IDN-001", "start_date", "", "2024-01-02"],
        ["IDN-001", "lead_agency", "Police", ""],
        ["IDN-001", "evidence", "", "https://example.org/IDN-1"],
        ["IDN-003", "confidential", "no", "yes"],
    ]
    assert list(diff.removed["action_id"]) == ["IDN-002"]
    assert list(diff.added["title"]) == ["Brand new", "Unknown id"]
    assert diff.added["action_id"].isna().tolist() == [True, False]
    assert diff.summary() == "2 added, 1 removed, 5 field(s) changed in 2 action(s)"


@pytest.mark.parametrize(
    ("diff_of", "empty"),
    [
        (lambda c, u: (u.iloc[:0], u), False),  # everything added
        (lambda c, u: (c, c.iloc[:0]), False),  # everything removed
        (lambda c, u: (c, c), True),
    ],
)
def test_a_diff_is_empty_only_when_nothing_is_added_removed_or_changed(catalog, current, diff_of, empty):
    extra = upload(catalog, action("IDN", 7, "ASC-1", "limited"))

    assert diff_actions(*diff_of(current, extra)).is_empty is empty


def test_values_are_compared_as_text_dates_iso_booleans_yes_no_blanks_empty(catalog):
    actions = upload(
        catalog,
        action("IDN", 1, "ASC-1; BWP-A", "limited", due_date=dt.date(2027, 3, 4), confidential="yes"),
        action("IDN", 2, "ASC-2", "limited", notes="Note"),
    )

    table = comparable(actions)

    assert list(table.index) == ["IDN-001", "IDN-002"]
    assert "action_id" not in table.columns and "member" not in table.columns
    assert table.loc["IDN-001", "commitments"] == "ASC-1; BWP-A"
    assert table.loc["IDN-001", "due_date"] == "2027-03-04"
    assert table.loc["IDN-001", "last_updated"] == "2026-06-01"
    assert table.loc["IDN-002", "due_date"] == ""
    assert table.loc["IDN-001", "confidential"] == "yes" and table.loc["IDN-002", "confidential"] == "no"
    assert table.loc["IDN-001", "notes"] == "" and table.loc["IDN-002", "notes"] == "Note"
    assert list(table.columns)[-1] == "extra"  # unknown columns kept aside are compared too


def test_the_reviewer_reads_column_and_status_labels_not_ids(catalog, current):
    uploaded = upload(
        catalog,
        action("IDN", 1, "ASC-1", "complete", lead_agency="Police", title="limited"),
        action("IDN", 2, "ASC-2", "substantial"),
        action("IDN", 3, "BWP-A", "not_started"),
    )

    shown = changes_display(diff_actions(current, uploaded), catalog)

    assert list(shown.columns) == ["Action ID", "Column", "Was", "Becomes"]
    assert shown.values.tolist() == [
        ["IDN-001", "Action title", "Action 1 of IDN", "limited"],  # a title is text, never a status label
        ["IDN-001", "Status", "Limited", "Complete"],
        ["IDN-001", "Evidence", "", "https://example.org/IDN-1"],
    ]


def test_added_and_removed_rows_are_tables_of_their_own_numbered_from_0(catalog, current):
    uploaded = upload(catalog, action("IDN", 3, "BWP-A", "not_started"), action("IDN", 8, "ASC-1", "limited"))

    diff = diff_actions(current, uploaded)

    assert list(diff.added.columns) == list(uploaded.columns) and list(diff.added.index) == [0]
    assert list(diff.removed.columns) == list(current.columns) and list(diff.removed.index) == [0, 1]
    assert list(diff.removed["action_id"]) == ["IDN-001", "IDN-002"]
