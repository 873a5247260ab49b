"""An official framework matrix: the table of pillars and items a secretariat imports into the catalog.

When the secretariat receives a framework's official matrix (the Bohol TIP Work Plan 2.0 is usually an Excel
table), ``python -m tracker catalog import`` replaces that framework's entries with the matrix's rows. This module
reads and checks the matrix; :mod:`tracker.records.catalog_import` works out what would change.

The first sheet (or a CSV) holds a header row, found below any title rows as in member files, with the columns
ID, Parent, Title, Summary and Source (matched like member-file headers: case, spaces and punctuation ignored).
A row with no Parent is a top-level entry (a pillar or an area); every other row's Parent is one of those, and
its id continues the parent's (``BWP-A.3`` under ``BWP-A``). The file is read with the same checks and limits
as a member file (size, active content, sheet extent); every problem is an issue naming the cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from loaders.content import Parsed, parse_table_content
from loaders.fields import by_label, find_columns, fold
from loaders.issues import Issue, Text, error, has_errors, place_text, say

COLUMNS: dict[str, str] = {"id": "ID", "parent": "Parent", "title": "Title", "summary": "Summary", "source": "Source"}
"""Column name -> the label a matrix's header row carries (all five are required)."""
_ALIASES = {**{fold(name): name for name in COLUMNS}, **{fold(label): name for name, label in COLUMNS.items()}}
TITLE_MAX = 300


@dataclass(frozen=True)
class MatrixRow:
    """One entry of the matrix, as typed (text stripped), with the spreadsheet row it came from."""

    id: str
    parent: str | None
    title: str
    summary: str
    source: str
    row: int


@dataclass(frozen=True)
class Matrix:
    """A framework matrix as read: its valid rows (in file order) and every problem found."""

    file: str
    framework: str
    sheet: str | None
    rows: list[MatrixRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing stops the import (warnings allowed)."""
        return not has_errors(self.issues)

    @property
    def ids(self) -> list[str]:
        """The entries' ids, in file order."""
        return [r.id for r in self.rows]


def id_pattern(framework: str) -> re.Pattern[str]:
    """The form of a framework's ids: ``BWP-A`` (top level) or ``BWP-A.3`` (an item under it)."""
    return re.compile(rf"{re.escape(framework)}-[A-Z0-9]+(\.[0-9]+)?")


def read_matrix(name: str, data: bytes, framework: str) -> Matrix:
    """Read and check a framework matrix from its bytes (``name`` gives the format and names the file).

    Args:
        name: the file name, e.g. ``BWP-2.0.xlsx``.
        data: its bytes.
        framework: the catalog framework id the matrix replaces, e.g. ``BWP``.

    Returns:
        The matrix; rows with an error are left out and each error is an issue. Never raises for bad input.
    """
    return matrix_from_content(name, framework, parse_table_content(name, data, name))


def matrix_from_content(name: str, framework: str, parsed: Parsed) -> Matrix:
    """The matrix in already parsed content (the app parses uploads in a child: ``parse_untrusted_table``)."""
    kind, content = parsed
    if kind == "refused":
        return Matrix(name, framework, None, issues=[content])
    sheet, grid = content[0] if kind == "workbook" else (None, content)
    return _check(name, framework, sheet, grid)


def _check(name: str, framework: str, sheet: str | None, grid: Sequence[Sequence[object]]) -> Matrix:
    header, columns = find_columns(grid, by_label(_ALIASES), list(COLUMNS))
    where = place_text(name, sheet)
    if header is None:
        found = set(columns.values())
        missing_columns = [
            error(
                "matrix-missing-column",
                name,
                say(
                    "{where}: no row among the first 10 holds every column of a framework matrix; the column "
                    "'{column}' is missing. Add a header row with ID, Parent, Title, Summary and Source",
                    where=where,
                    column=label,  # a matrix's headers are the same in every language
                ),
                sheet=sheet,
                field=column,
            )
            for column, label in COLUMNS.items()
            if column not in found
        ]
        return Matrix(name, framework, sheet, issues=missing_columns)
    issues: list[Issue] = []
    rows: list[MatrixRow] = []
    first_row: dict[str, int] = {}
    for index in range(header + 1, len(grid)):
        cells = {column: _text(grid[index], col) for col, column in columns.items()}
        if not any(cells.values()):
            continue  # blank rows are skipped, as in member files
        row = index + 1  # the row number the spreadsheet shows
        problems = _row_problems(name, sheet, row, cells, framework, first_row)
        issues += problems
        if not problems:
            first_row[cells["id"]] = row
            rows.append(
                MatrixRow(cells["id"], cells["parent"] or None, cells["title"], cells["summary"], cells["source"], row)
            )
    issues += _parent_problems(name, sheet, rows)
    bad_parents = {i.row for i in issues if i.field == "parent"}
    rows = [r for r in rows if r.row not in bad_parents]
    if not rows and not issues:
        issues.append(
            error(
                "matrix-empty",
                name,
                say("{where}: the matrix has a header row but no entries", where=where),
                sheet=sheet,
            )
        )
    return Matrix(name, framework, sheet, rows, issues)


def _row_problems(
    name: str, sheet: str | None, row: int, cells: dict[str, str], framework: str, first_row: dict[str, int]
) -> list[Issue]:
    def problem(code: str, column: str, message: Text) -> Issue:
        return error(code, name, _in_cell(name, sheet, row, column, message), sheet=sheet, row=row, field=column)

    found = [
        problem(
            "matrix-missing-value",
            column,
            say("the {column} is empty; every entry needs one", column=COLUMNS[column]),
        )
        for column in ("id", "title")
        if not cells[column]
    ]
    ident = cells["id"]
    if ident and not id_pattern(framework).fullmatch(ident):
        found.append(
            problem(
                "matrix-bad-id",
                "id",
                say(
                    "'{id}' is not an id of framework {framework}; its ids look like {framework}-A (top level) or "
                    "{framework}-A.3 (an item under {framework}-A)",
                    id=ident[:40],
                    framework=framework,
                ),
            )
        )
    elif ident in first_row:
        found.append(
            problem(
                "matrix-duplicate-id",
                "id",
                say(
                    "'{id}' is used twice (first in row {first}); give each entry its own id",
                    id=ident,
                    first=first_row[ident],
                ),
            )
        )
    if len(cells["title"]) > TITLE_MAX:
        found.append(
            problem(
                "matrix-long-title",
                "title",
                say(
                    "the title has {count} characters; the limit is {limit}",
                    count=len(cells["title"]),
                    limit=TITLE_MAX,
                ),
            )
        )
    return found


def _parent_problems(name: str, sheet: str | None, rows: list[MatrixRow]) -> list[Issue]:
    """A Parent must be a top-level entry of the matrix, and an item's id must continue its parent's."""
    top = {r.id for r in rows if r.parent is None}
    found = []
    for r in rows:
        if r.parent is None:
            if "." in r.id:
                message = say("'{id}' is an item id but has no Parent; give the top-level entry it belongs to", id=r.id)
            else:
                continue
        elif r.parent not in top:
            message = say(
                "'{parent}' is not a top-level entry (one with no Parent) of this matrix; correct the Parent",
                parent=r.parent,
            )
        elif not r.id.startswith(f"{r.parent}."):
            message = say(
                "'{id}' does not continue its Parent '{parent}'; an item under it is {parent}.1, …",
                id=r.id,
                parent=r.parent,
            )
        else:
            continue
        found.append(
            error(
                "matrix-bad-parent",
                name,
                _in_cell(name, sheet, r.row, "parent", message),
                sheet=sheet,
                row=r.row,
                field="parent",
            )
        )
    return found


def _in_cell(name: str, sheet: str | None, row: int, column: str, message: Text) -> Text:
    """``message`` said of one cell: "BWP-2.0.xlsx, sheet Matrix, row 7, Title: …" (the header as the matrix has it)."""
    where = place_text(name, sheet, row)
    return Text("{where}, {column}: {message}", (("where", where), ("column", COLUMNS[column]), ("message", message)))


def _text(row: Sequence[object], col: int) -> str:
    """A cell as stripped text ("" when blank); a whole number typed as 1.0 reads as "1"."""
    value = row[col] if col < len(row) else None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
