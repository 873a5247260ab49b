"""Open a workbook with python-calamine and return the cell grids of its candidate sheets.

calamine is fast but, on some damaged files, it does not raise: it aborts the
whole process (a Rust allocation failure cannot be caught). Every workbook is
measured before calamine opens it (``package.py``); legacy .xls files, whose
records calamine trusts most, are also opened in a child process with a memory
cap when read in-process, and a child that dies becomes an ordinary read failure.
"""

from __future__ import annotations

import io
import pickle
import sys
from typing import Any

import python_calamine as calamine

from loaders.sandbox import ChildFailedError, run_child

Grids = list[tuple[str, list[list[Any]]]]


class WorkbookReadError(Exception):
    """The workbook could not be read (including a reader process that died)."""


def candidate_sheets(workbook: calamine.CalamineWorkbook) -> list[str]:
    """Visible worksheets, with any sheet named Actions (any case) first."""
    visible = [
        m.name
        for m in workbook.sheets_metadata
        if m.visible == calamine.SheetVisibleEnum.Visible and m.typ == calamine.SheetTypeEnum.WorkSheet
    ]
    named = [s for s in visible if s.casefold() == "actions"]
    return named + [s for s in visible if s not in named]


def read_grids(data: bytes) -> Grids:
    """Every candidate sheet's cells, row by row from A1 (Excel row = index + 1)."""
    workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return [
        (sheet, workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False))
        for sheet in candidate_sheets(workbook)
    ]


def read_grids_isolated(data: bytes) -> Grids:
    """:func:`read_grids` in a child process whose memory and time are capped (:mod:`loaders.sandbox`).

    Raises:
        WorkbookReadError: the child failed, ran out of memory, or took too long.
    """
    try:
        output = run_child("loaders.workbook", data)
    except ChildFailedError as exc:
        raise WorkbookReadError(str(exc)) from exc
    grids: Grids = pickle.loads(output)  # noqa: S301 - produced by our own child process
    return grids


if __name__ == "__main__":  # the child side of read_grids_isolated
    sys.stdout.buffer.write(pickle.dumps(read_grids(sys.stdin.buffer.read())))
