"""Open a workbook with python-calamine and return the cell grids of its candidate sheets.

calamine is fast but, on some damaged files, it does not raise: it aborts the
whole process (a Rust allocation failure cannot be caught). For .xlsx and .ods
the reader measures each sheet before calamine opens it (``tables.py``); for
legacy .xls that is not possible, so .xls files are opened in a child process
with a memory cap, and a child that dies becomes an ordinary read failure.
"""

from __future__ import annotations

import io
import pickle
import resource
import subprocess
import sys
from typing import Any

import python_calamine as calamine

Grids = list[tuple[str, list[list[Any]]]]
CHILD_MEMORY_BYTES = 2 << 30
CHILD_TIMEOUT_SECONDS = 60


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
    """:func:`read_grids` in a child process whose memory is capped.

    Raises:
        WorkbookReadError: the child failed, ran out of memory, or took too long.
    """

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))

    try:
        child = subprocess.run(
            [sys.executable, "-m", "loaders.workbook"],
            input=data,
            capture_output=True,
            timeout=CHILD_TIMEOUT_SECONDS,
            preexec_fn=cap_memory,
            env={"RUST_BACKTRACE": "0", "PYTHONPATH": ":".join(sys.path)},
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise WorkbookReadError(f"reading took longer than {CHILD_TIMEOUT_SECONDS} s") from exc
    if child.returncode != 0:
        last = child.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["the reader stopped"]
        raise WorkbookReadError(last[0][:200])
    grids: Grids = pickle.loads(child.stdout)  # noqa: S301 - produced by our own child process
    return grids


if __name__ == "__main__":  # the child side of read_grids_isolated
    sys.stdout.buffer.write(pickle.dumps(read_grids(sys.stdin.buffer.read())))
