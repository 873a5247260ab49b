"""Read a CSV member file into a grid of text cells, within the limits of :mod:`loaders.limits`.

The text is decoded as Excel and LibreOffice write it: UTF-8 (with or without a
BOM), UTF-16 (Excel's "Unicode Text", either byte order, with a BOM or without
one when the zero bytes give it away), else Windows-1252. The delimiter is the
first of comma, semicolon and tab whose opening rows hold the header. Rows are
read one at a time and reading stops at the first row past a limit (columns,
cell length, cells in all), so a line of a million commas is refused after one
row instead of becoming a million columns.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from typing import Any

from loaders import limits
from loaders.fields import FIELDS, HEADER_SEARCH_ROWS, find_header
from loaders.issues import Issue, error

Grid = list[list[Any]]
_DELIMITERS = (",", ";", "\t")
_SAMPLE = 4096
"""Bytes looked at to tell UTF-16 without a BOM (even: whole code units)."""


class _RefusedError(Exception):
    """Raised with the :class:`Issue` that refuses the file as its one argument."""


def read_csv_grid(name: str, data: bytes) -> Grid | Issue:
    """The CSV's rows as lists of text, or the issue that refuses the file."""
    text = decode_csv(name, data)
    if isinstance(text, Issue):
        return text
    if "\x00" in text:
        return error(
            "not-a-csv",
            name,
            f"{name}: the file is binary, not CSV text; export the sheet as CSV (File > Save As > CSV UTF-8)",
        )
    lines = _line_count(text)
    if lines > limits.MAX_CSV_LINES:
        return error(
            "sheet-too-large",
            name,
            f"{name}: the file has {lines:,} lines, more than a spreadsheet can hold ({limits.MAX_CSV_LINES:,}); "
            "delete the empty rows after the table and export it again as CSV",
        )
    # The delimiter is the one whose opening rows hold the header, and only it parses the whole file. When no
    # delimiter gives a header, each is tried in turn and the first that parses wins (its header is reported
    # missing); a file no delimiter can parse is refused for the first one's reason.
    refusals: list[Issue] = []
    for delimiter in _delimiters(text):
        try:
            return _parse(name, text, delimiter)
        except _RefusedError as refused:
            refusals.append(refused.args[0])
    return refusals[0]


def _line_count(text: str) -> int:
    """Lines as the csv reader splits them: ended by CR LF, CR alone (old Mac files) or LF; a last line without
    an ending counts too."""
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks + (0 if text.endswith(("\n", "\r")) else 1)


def decode_csv(name: str, data: bytes) -> str | Issue:
    """The file's text; UTF-16 is recognised by its BOM or, without one, by its zero bytes."""
    encoding = _utf16_encoding(data)
    if encoding is not None:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            return error(
                "not-a-csv",
                name,
                f"{name}: the file looks like UTF-16 text but is damaged (it cannot be decoded); open it in Excel "
                "or LibreOffice and save it as CSV UTF-8 (File > Save As > CSV UTF-8)",
            )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _utf16_encoding(data: bytes) -> str | None:
    """'utf-16' (BOM), 'utf-16-le' or 'utf-16-be' (no BOM, told by the zero bytes of ASCII text), else None."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not data.startswith(codecs.BOM_UTF32_LE):
        return "utf-16"
    sample = data[:_SAMPLE]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    # Text in a Latin script as UTF-16 has a zero in every other byte; binary files and UTF-8 do not.
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _delimiters(text: str) -> tuple[str, ...]:
    """The delimiters to try, the one whose first rows hold the header first (else all, in the usual order)."""
    for delimiter in _DELIMITERS:
        try:
            head = list(itertools.islice(_rows(text, delimiter), HEADER_SEARCH_ROWS))
        except csv.Error:
            continue
        if find_header(head)[0] is not None:
            return (delimiter,)
    return _DELIMITERS


def _rows(text: str, delimiter: str) -> Any:
    """A csv reader over ``text``; newline="" keeps a line break inside a quoted cell as it is written."""
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _parse(name: str, text: str, delimiter: str) -> Grid:
    """Every row, refusing the file at the first row past a limit.

    Raises:
        _RefusedError: a row has too many columns or too long a cell, the file too
            many cells, or the csv module cannot read it.
    """
    grid: Grid = []
    cells = 0
    reader = _rows(text, delimiter)
    while True:
        try:
            row = next(reader, None)
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise _RefusedError(_cell_too_long(name, len(grid) + 1)) from exc
            raise _RefusedError(
                error(
                    "not-a-csv",
                    name,
                    f"{name}: the file cannot be read as CSV ({exc}); open it in Excel or LibreOffice, check "
                    "for stray quotes, and export it again as CSV",
                )
            ) from exc
        if row is None:
            return grid
        number = len(grid) + 1
        if len(row) > limits.MAX_CSV_COLUMNS:
            raise _RefusedError(
                error(
                    "too-many-columns",
                    name,
                    f"{name}, row {number}: the row has {len(row):,} columns; a member file has about {len(FIELDS)} "
                    f"and at most {limits.MAX_CSV_COLUMNS} are read. Check that this is the member action sheet "
                    "saved as CSV (delete the stray columns after the table) and export it again",
                    row=number,
                )
            )
        if row and max(map(len, row)) > limits.MAX_CELL_CHARS:
            raise _RefusedError(_cell_too_long(name, number))
        cells += len(row)
        if cells > limits.MAX_SHEET_CELLS:
            raise _RefusedError(
                error(
                    "sheet-too-large",
                    name,
                    f"{name}: the file has more than {limits.MAX_SHEET_CELLS:,} cells (reached at row {number:,}); "
                    "a member file has a few thousand. Delete the rows and columns after the table and export again",
                )
            )
        grid.append(row)


def _cell_too_long(name: str, row: int) -> Issue:
    return error(
        "cell-too-long",
        name,
        f"{name}, row {row}: a cell holds more than {limits.MAX_CELL_CHARS:,} characters, more than a spreadsheet "
        "cell can hold; shorten the text (link a long document as evidence instead) and export the CSV again",
        row=row,
    )
