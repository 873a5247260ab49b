"""How issues are placed and ordered for the reader (loaders/issues.py), and which header row they name."""

from __future__ import annotations

import datetime as dt

import pytest

from loaders.fields import field_for_header, find_header
from loaders.issues import error, place, sort_issues, warning


@pytest.mark.parametrize(
    ("file", "where"),
    [("IDN.yaml", "IDN.yaml, line 4"), ("IDN.YML", "IDN.YML, line 4"), ("IDN.xlsx", "IDN.xlsx, sheet S, row 4")],
)
def test_yaml_rows_are_called_lines_and_others_rows(file: str, where: str) -> None:
    assert place(file, None if file.lower().endswith(("yaml", "yml")) else "S", 4) == where


def test_a_warning_keeps_every_part_it_is_given() -> None:
    issue = warning("unknown-column", "IDN.xlsx", "m", sheet="Actions", row=3, field="notes")
    assert (issue.severity, issue.code, issue.file, issue.sheet, issue.row, issue.field, issue.message) == (
        "warning",
        "unknown-column",
        "IDN.xlsx",
        "Actions",
        3,
        "notes",
        "m",
    )


def test_issues_are_ordered_by_file_sheet_row_field_then_code_file_level_first() -> None:
    expected = [
        error("z-file", "A.xlsx", "no sheet, no row"),  # no sheet sorts before any sheet
        error("b-code", "A.xlsx", "file level", sheet="Actions"),  # no row sorts before row 1
        error("a-code", "A.xlsx", "row 1, no field", sheet="Actions", row=1),  # no field before a field
        error("a-code", "A.xlsx", "row 1, field a", sheet="Actions", row=1, field="a"),
        error("b-code", "A.xlsx", "row 1, field a, code b", sheet="Actions", row=1, field="a"),
        error("a-code", "A.xlsx", "row 2", sheet="Actions", row=2),
        error("a-code", "A.xlsx", "sheet B", sheet="B", row=1),
        error("a-code", "B.xlsx", "another file"),
    ]

    assert sort_issues(list(reversed(expected))) == expected


def test_without_a_header_row_the_first_row_that_came_closest_is_the_one_named() -> None:
    """Missing columns are named against the first row with the most required headers (here one each)."""
    grid = [["x"], ["Action title", "Notes"], ["Status"], ["Member", "Status"]]

    assert find_header(grid[:3]) == (None, {0: "title", 1: "notes"})  # the first of two equally close rows
    assert find_header(grid) == (None, {0: "member", 1: "status"})  # a closer row later wins
    assert find_header([["x"]]) == (None, {})


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Action ID", "action_id"),
        ("  action_id ", "action_id"),  # the field's name, in any case, spacing and punctuation
        ("LAST-UPDATED", "last_updated"),
        ("Notes to self", None),
        (True, None),  # a YAML key such as `yes:`
        (2026, None),
        (dt.date(2026, 1, 1), None),
        (None, None),
    ],
)
def test_a_header_names_a_field_by_its_text_only(header: object, field: str | None) -> None:
    assert field_for_header(header) == field
