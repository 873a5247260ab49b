"""Opening a workbook with calamine: which sheets are candidates, in which order, and their cells from A1."""

from __future__ import annotations

import pickle
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import python_calamine as calamine

from loaders import workbook
from loaders.sandbox import ChildFailedError
from loaders.workbook import WorkbookReadError, candidate_sheets, read_grids, read_grids_isolated
from tests.make_fixtures import write_workbook

_VISIBLE, _HIDDEN = calamine.SheetVisibleEnum.Visible, calamine.SheetVisibleEnum.Hidden
_WORK, _CHART = calamine.SheetTypeEnum.WorkSheet, calamine.SheetTypeEnum.ChartSheet


def _book(*sheets: tuple[str, Any, Any]) -> Any:
    return SimpleNamespace(sheets_metadata=[SimpleNamespace(name=n, visible=v, typ=t) for n, v, t in sheets])


@pytest.mark.parametrize(
    ("sheets", "candidates"),
    [
        (
            [("Notes", _VISIBLE, _WORK), ("ACTIONS", _VISIBLE, _WORK), ("Data", _VISIBLE, _WORK)],
            ["ACTIONS", "Notes", "Data"],
        ),
        ([("Actions", _HIDDEN, _WORK), ("Notes", _VISIBLE, _WORK)], ["Notes"]),
        ([("Actions", _VISIBLE, _CHART), ("Notes", _VISIBLE, _WORK)], ["Notes"]),
        ([("Notes", _VISIBLE, _WORK), ("Actions list", _VISIBLE, _WORK)], ["Notes", "Actions list"]),
        ([], []),
    ],
)
def test_visible_worksheets_are_candidates_with_actions_first(
    sheets: list[tuple[str, Any, Any]], candidates: list[str]
) -> None:
    assert candidate_sheets(_book(*sheets)) == candidates


def test_grids_are_read_from_a1_including_empty_rows_and_columns_before_the_table(tmp_path: Path) -> None:
    data = write_workbook(
        tmp_path / "IDN.xlsx",
        {"Notes": [["n"]], "Hidden": [["h"]], "Actions": [[None, None], [None, "x", 2]]},
        hidden=["Hidden"],
    ).read_bytes()

    assert read_grids(data) == [("Actions", [["", "", ""], ["", "x", 2.0]]), ("Notes", [["n"]])]


def test_isolated_read_runs_this_module_as_the_child(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, bytes]] = []
    grids = [("Actions", [["x"]])]
    monkeypatch.setattr(workbook, "run_child", lambda module, data: calls.append((module, data)) or pickle.dumps(grids))

    assert read_grids_isolated(b"book") == grids
    assert calls == [("loaders.workbook", b"book")]


def test_isolated_read_that_failed_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    def failed(module: str, data: bytes) -> bytes:
        raise ChildFailedError("the reader stopped: it crashed (signal SIGABRT)")

    monkeypatch.setattr(workbook, "run_child", failed)

    with pytest.raises(WorkbookReadError, match=r"^the reader stopped: it crashed \(signal SIGABRT\)$"):
        read_grids_isolated(b"book")
