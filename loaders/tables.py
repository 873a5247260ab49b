"""Read one member file (xlsx, xls, ods, csv, yaml) into raw rows.

Reading is separated from validation: this module finds the header, maps
columns to contract fields, skips blank rows and keeps unknown columns aside,
but it does not judge values. Everything that can go wrong with the file itself
(wrong format, macros, encryption, a zip bomb, an unreadable workbook, no
header) becomes an issue; the caller never sees an exception for bad input.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pandas as pd

from loaders.fields import FIELD_NAMES, HEADER_SEARCH_ROWS, LABELS, REQUIRED, field_for_header
from loaders.issues import Issue, error, place, warning
from loaders.members import parse_member_id
from loaders.safe_yaml import LINE_KEY, YamlError, load_yaml_text, strip_lines
from loaders.workbook import read_grids, read_grids_isolated

# Limits for uploaded and bundled files. A real member file of a few hundred
# actions is well under 1 MB; these leave room while refusing abuse.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
# calamine allocates every cell from A1 to the last used cell of a sheet at once;
# one stray value in XFD1048576 asks for 17 billion cells and aborts the whole
# process (a Rust allocation failure cannot be caught). Sheets are measured
# before calamine opens them and refused above this many cells.
MAX_SHEET_CELLS = 2_000_000
# A CSV exported from a spreadsheet has at most as many lines as a sheet has rows; more is not a member
# file (10 MB of empty lines is 10 million rows, seconds of parsing for nothing).
MAX_CSV_LINES = 1_048_576

WORKBOOK_SUFFIXES = (".xlsx", ".xls", ".ods")
READABLE_SUFFIXES = (*WORKBOOK_SUFFIXES, ".csv", ".yaml", ".yml")
REFUSED_SUFFIXES = (".xlsm", ".xlsb", ".xltm")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ILLUSTRATIVE_MARK = "illustrative"


@dataclass(frozen=True)
class RawFile:
    """A member file as read: raw cell values under canonical field names.

    ``rows`` has one column per contract field (None or NaN when blank), plus
    ``_row`` (Excel row or YAML line) and ``_extra`` (JSON of unknown columns,
    or None). Columns keep the dtypes pandas infers (text as compact pyarrow
    strings): the app caches every file's rows, and as Python objects 200,000
    rows took twice the memory and left the validation a second object copy.
    """

    file: str
    member: str | None
    sheet: str | None
    rows: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    illustrative: bool = False
    declared_member: str | None = None
    declared_member_line: int | None = None


def empty_rows() -> pd.DataFrame:
    """A rows frame with the right columns and no rows."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in (*FIELD_NAMES, "_row", "_extra")})


def read_member_file(path: Path | str, display_name: str | None = None) -> RawFile:
    """Read a member file from disk.

    Args:
        path: the file; its name without extension must be the member id.
        display_name: how issues name the file (defaults to the file name), e.g.
            the path as given when two files checked together share a name.
    """
    path = Path(path)
    shown = display_name or path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return _failed(shown, path, _too_large(shown, size))
        data = path.read_bytes()
    except OSError as exc:
        return _failed(
            shown, path, error("unreadable-file", shown, f"{shown}: the file cannot be opened ({exc.strerror})")
        )
    return read_member_bytes(path.name, data, label=shown)


def read_member_bytes(name: str, data: bytes, *, label: str | None = None) -> RawFile:
    """Read a member file from its bytes (an upload); ``name`` gives format and member.

    ``label`` names the file in issues and in the result (default: ``name``).
    """
    path = Path(name)
    suffix = path.suffix.lower()
    member = parse_member_id(path.stem)
    shown = label or name
    if len(data) > MAX_FILE_BYTES:
        return _failed(shown, path, _too_large(shown, len(data)))
    if suffix in REFUSED_SUFFIXES:
        return _failed(
            shown,
            path,
            error(
                "macro-workbook-refused",
                shown,
                f"{shown}: macro-enabled workbooks ({suffix}) are refused so that no macro can run; "
                "save the workbook as .xlsx (Excel Workbook) and upload that",
            ),
        )
    if suffix not in READABLE_SUFFIXES:
        return _failed(
            shown,
            path,
            error(
                "unsupported-format",
                shown,
                f"{shown}: files of type '{suffix or '(none)'}' are not read; use .xlsx, .xls, .ods, .csv or .yaml",
            ),
        )
    if member is None or path.name != name or "\\" in name:  # "../IDN.xlsx" is no member file name either
        return _failed(
            shown,
            path,
            error(
                "bad-file-name",
                shown,
                f"{shown}: the file name must be the member id, e.g. IDN{suffix} or IOM{suffix}; rename the file",
            ),
        )
    if suffix in (".yaml", ".yml"):
        return _read_yaml(shown, member, data)
    if suffix == ".csv":
        return _read_csv(shown, member, data)
    return _read_workbook(shown, member, suffix, data)


def _too_large(name: str, size: int) -> Issue:
    return error(
        "file-too-large",
        name,
        f"{name}: the file is {size / 1_048_576:.1f} MB; the limit is {MAX_FILE_BYTES // 1_048_576} MB. "
        "Remove images or unused sheets, or split it",
    )


def _failed(name: str, path: Path, issue: Issue) -> RawFile:
    return _refused(name, parse_member_id(path.stem), issue)


def _refused(name: str, member: str | None, issue: Issue) -> RawFile:
    """A file left out whole: no rows, and the issue that says why."""
    return RawFile(file=name, member=member, sheet=None, rows=empty_rows(), issues=[issue])


# --- workbooks -------------------------------------------------------------------------------


def _read_workbook(name: str, member: str, suffix: str, data: bytes) -> RawFile:
    problem = _container_problem(name, suffix, data)
    if problem is not None:
        return _refused(name, member, problem)
    try:
        grids = read_grids_isolated(data) if suffix == ".xls" else read_grids(data)
    except BaseException as exc:  # calamine raises many types (even panics); all mean "cannot read"
        if not _is_read_failure(exc):
            raise
        return _refused(
            name,
            member,
            error(
                "unreadable-file",
                name,
                f"{name}: the workbook cannot be read ({type(exc).__name__}: {str(exc)[:120]}); "
                "open it in Excel or LibreOffice and save it again as .xlsx",
            ),
        )
    if not grids:
        return _refused(
            name,
            member,
            error("no-sheet", name, f"{name}: the workbook has no visible sheet; add a sheet named Actions"),
        )
    # The Actions sheet wins when present; otherwise the first visible sheet with the header.
    chosen = grids[0]
    if chosen[0].casefold() != "actions":
        for sheet, grid in grids:
            if _find_header(grid)[0] is not None:
                chosen = (sheet, grid)
                break
    sheet, grid = chosen
    return _from_grid(name, member, sheet, grid)


def _is_read_failure(exc: BaseException) -> bool:
    """True for what calamine raises on a damaged file.

    That is any ``Exception``, and also a Rust panic inside calamine (seen on
    damaged .xls files): pyo3 turns it into ``PanicException``, which derives
    from ``BaseException`` and so escapes ``except Exception``. Interrupts and
    exits still propagate.
    """
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _container_problem(name: str, suffix: str, data: bytes) -> Issue | None:
    """Check the file's container before handing it to calamine."""
    head = data[:8]
    if suffix in (".xlsx", ".ods"):
        if head.startswith(_OLE_MAGIC):
            return error(
                "encrypted-workbook",
                name,
                f"{name}: the workbook is password-protected (encrypted), so it cannot be read; "
                "remove the password (File > Info > Protect Workbook) and save again",
            )
        if not head.startswith(_ZIP_MAGIC):
            return error(
                "not-a-workbook",
                name,
                f"{name}: the file is not a real {suffix} workbook (perhaps a renamed text or CSV file); "
                f"open it in Excel or LibreOffice and save it as {suffix}",
            )
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                unzipped = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
            # A damaged central directory can also fail as a bad (non-UTF-8) member name or a bad offset.
            return error(
                "not-a-workbook", name, f"{name}: the workbook is damaged (not a valid zip container); save it again"
            )
        if unzipped > MAX_UNZIPPED_BYTES:
            return error(
                "zip-bomb",
                name,
                f"{name}: the workbook would unpack to {unzipped / 1_048_576:.0f} MB, more than the "
                f"{MAX_UNZIPPED_BYTES // 1_048_576} MB allowed; it is refused as unsafe. Copy the Actions sheet "
                "into a new workbook and save that",
            )
        return _sheet_size_problem(name, suffix, data)
    if suffix == ".xls" and not head.startswith(_OLE_MAGIC):
        return error(
            "not-a-workbook",
            name,
            f"{name}: the file is not a real .xls workbook (perhaps a renamed file); save it as .xlsx",
        )
    return None


_XLSX_CELL_REF = re.compile(rb"<(?:\w+:)?(?:c|row)\s[^>]*?\br=\"([A-Z]{0,3})(\d+)\"")
_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _sheet_size_problem(name: str, suffix: str, data: bytes) -> Issue | None:
    """Refuse a zip workbook with a sheet spanning more than :data:`MAX_SHEET_CELLS` cells."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            extents = _xlsx_extents(archive) if suffix == ".xlsx" else _ods_extents(archive)
    except KeyError:
        return None  # no content.xml: not an ODS calamine can read either; it reports that
    except Exception as exc:  # noqa: BLE001 - zlib, zipfile and XML errors alike mean a damaged container
        return error(
            "unreadable-file",
            name,
            f"{name}: the workbook is damaged ({type(exc).__name__}: {str(exc)[:120]}); "
            "open it in Excel or LibreOffice and save it again",
        )
    for sheet, (rows, cols) in extents.items():
        if rows * cols > MAX_SHEET_CELLS:
            return error(
                "sheet-too-large",
                name,
                f"{name}, sheet {sheet}: the sheet uses cells as far as row {rows:,} and column "
                f"{_col_letter(cols - 1)}, {rows * cols:,} cells in all (the limit is {MAX_SHEET_CELLS:,}); "
                "delete the stray cells far below or to the right of the table (select the empty rows and "
                "columns after it, Delete, then save)",
                sheet=sheet,
            )
    return None


def _xlsx_extents(archive: zipfile.ZipFile) -> dict[str, tuple[int, int]]:
    """{sheet name: (last row, last column)} from the cell references of each worksheet part."""
    names = _xlsx_sheet_parts(archive)
    extents: dict[str, tuple[int, int]] = {}
    for part in archive.namelist():
        if not (part.startswith("xl/worksheets/") and part.endswith(".xml")):
            continue
        refs = _XLSX_CELL_REF.findall(archive.read(part))
        rows = max((int(digits) for _, digits in refs), default=0)
        # Column letters repeat on every row: decode only the distinct ones (a handful per sheet).
        cols = max((_col_index(letters.decode()) + 1 for letters in {letters for letters, _ in refs}), default=0)
        extents[names.get(part, part)] = (rows, cols)
    return extents


def _xlsx_sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """{worksheet part: sheet name}, so a message can name the sheet as Excel shows it."""
    try:
        # Untrusted XML is safe enough here: ElementTree resolves no external entities, and the
        # bundled expat (>= 2.4.1) caps entity expansion ("billion laughs").
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {r.get("Id"): (r.get("Target") or "") for r in rels}
    parts: dict[str, str] = {}
    for sheet in book.iter():
        if sheet.tag.endswith("}sheet"):
            rel = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rel, "")
            parts[target.lstrip("/") if target.startswith("/") else f"xl/{target}"] = sheet.get("name", "")
    return parts


def _ods_extents(archive: zipfile.ZipFile) -> dict[str, tuple[int, int]]:
    """{table name: (last row, last column)} of the non-empty cells, repeats expanded as calamine does."""
    extents: dict[str, tuple[int, int]] = {}
    table, row, col, rows_repeated, last_row, last_col = "", 0, 0, 1, 0, 0
    with archive.open("content.xml") as content:
        for event, element in ElementTree.iterparse(content, events=("start", "end")):  # noqa: S314 - as above
            tag = element.tag
            if event == "start":
                if tag == f"{_ODS_TABLE}table":
                    table, row, last_row, last_col = element.get(f"{_ODS_TABLE}name", ""), 0, 0, 0
                elif tag == f"{_ODS_TABLE}table-row":
                    rows_repeated, col = int(element.get(f"{_ODS_TABLE}number-rows-repeated", "1")), 0
            elif tag in (f"{_ODS_TABLE}table-cell", f"{_ODS_TABLE}covered-table-cell"):
                repeated = int(element.get(f"{_ODS_TABLE}number-columns-repeated", "1"))
                if element.get(f"{_ODS_OFFICE}value-type") is not None or len(element):
                    last_row, last_col = max(last_row, row + rows_repeated), max(last_col, col + repeated)
                col += repeated
                element.clear()
            elif tag == f"{_ODS_TABLE}table-row":
                row += rows_repeated
                element.clear()
            elif tag == f"{_ODS_TABLE}table":
                extents[table] = (last_row, last_col)
    return extents


# --- csv -------------------------------------------------------------------------------------


def _read_csv(name: str, member: str, data: bytes) -> RawFile:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        return _refused(
            name, member, error("not-a-csv", name, f"{name}: the file is binary, not CSV text; export the sheet as CSV")
        )
    lines = text.count("\n") + 1
    if lines > MAX_CSV_LINES:
        return _refused(
            name,
            member,
            error(
                "sheet-too-large",
                name,
                f"{name}: the file has {lines:,} lines, more than a spreadsheet can hold ({MAX_CSV_LINES:,}); "
                "delete the empty rows after the table and export it again as CSV",
            ),
        )
    best: list[list[Any]] | None = None
    problem: csv.Error | None = None
    # The delimiter is the first whose opening rows hold the header; only that one parses the whole file.
    for delimiter in _csv_delimiters(text):
        try:
            grid: list[list[Any]] = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
        except csv.Error as exc:
            # e.g. a cell longer than the csv module's field limit (131,072 characters).
            problem = exc
            continue
        if _find_header(grid)[0] is not None:
            best = grid
            break
        best = best or grid
    if best is None and problem is not None:
        return _refused(
            name,
            member,
            error(
                "not-a-csv",
                name,
                f"{name}: the file cannot be read as CSV ({problem}); open it in Excel or LibreOffice, check "
                "for very long cells or stray quotes, and export it again as CSV",
            ),
        )
    return _from_grid(name, member, None, best or [])


_CSV_DELIMITERS = (",", ";", "\t")


def _csv_delimiters(text: str) -> tuple[str, ...]:
    """The delimiters to try, the one whose first rows hold the header first (else all, in the usual order)."""
    for delimiter in _CSV_DELIMITERS:
        try:
            head = [
                list(r)
                for r in itertools.islice(
                    csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), HEADER_SEARCH_ROWS
                )
            ]
        except csv.Error:
            continue
        if _find_header(head)[0] is not None:
            return (delimiter,)
    return _CSV_DELIMITERS


def _first_non_mapping(entries: list[Any]) -> int | None:
    """The 1-based position of the first entry that is not a mapping, if any."""
    return next((n for n, item in enumerate(entries, start=1) if not isinstance(item, dict)), None)


# --- yaml ------------------------------------------------------------------------------------


def _read_yaml(name: str, member: str, data: bytes) -> RawFile:
    def fail(issue: Issue) -> RawFile:
        return _refused(name, member, issue)

    try:
        document = load_yaml_text(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return fail(error("unreadable-file", name, f"{name}: the file is not UTF-8 text; save it as UTF-8"))
    except YamlError as problem:
        where = f", line {problem.line}" if problem.line else ""
        return fail(error(problem.code, name, f"{name}{where}: {problem.message}", row=problem.line))
    if not isinstance(document, dict) or not isinstance(document.get("actions", []), list):
        return fail(
            error(
                "yaml-structure",
                name,
                f"{name}: expected 'member:' and a list under 'actions:' at the top of the file; "
                "see the sample files for the layout",
            )
        )
    declared = document.get("member")
    # A blank `member:` declares nothing (rows then need their own member), rather than a mismatch.
    declared_text = None if declared is None else (str(declared).strip() or None)
    issues: list[Issue] = []
    records: list[dict[str, Any]] = []
    unknown_keys: dict[str, int] = {}
    entries = document.get("actions") or []
    malformed = _first_non_mapping(entries)
    if malformed is not None:
        # A broken entry means the file's structure is damaged: refuse the whole file (as for a
        # parse error) rather than load part of it and let the rest look complete.
        return fail(
            error(
                "yaml-structure",
                name,
                f"{name}: entry {malformed} under 'actions:' is not a mapping of fields; each action starts "
                "with '- action_id: ...' followed by its fields, indented alike",
            )
        )
    for item in entries:
        record: dict[str, Any] = {"_row": item.get(LINE_KEY)}
        extra: dict[str, Any] = {}
        for key, value in item.items():
            if key == LINE_KEY:
                continue
            canonical = field_for_header(key)
            if canonical is None:
                extra[str(key)] = _jsonable(value)
                unknown_keys.setdefault(str(key), item.get(LINE_KEY) or 0)
            else:
                # A nested mapping carries line markers; they are not the user's data.
                record[canonical] = _blank_to_none(strip_lines(value))
        if record.get("member") is None and declared_text:
            record["member"] = declared_text  # rows inherit the file's member
        record["_extra"] = json.dumps(extra, ensure_ascii=False, default=str) if extra else None
        records.append(record)
    for key, line in unknown_keys.items():
        issues.append(_unknown_column(name, None, line, key))
    rows = pd.DataFrame.from_records(records, columns=[*FIELD_NAMES, "_row", "_extra"]) if records else empty_rows()
    return RawFile(
        file=name,
        member=member,
        sheet=None,
        rows=rows,
        issues=issues,
        illustrative=bool(document.get("illustrative")),
        declared_member=declared_text,
        declared_member_line=document.get(LINE_KEY),
    )


def _jsonable(value: Any) -> Any:
    """Plain JSON-ready data: string keys, no line markers (also inside lists)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


# --- shared grid handling --------------------------------------------------------------------


def _find_header(grid: list[list[Any]]) -> tuple[int | None, dict[int, str]]:
    """Locate the header row in the first rows of a grid.

    Returns:
        (index of the header row, or None when no row has every required
        column; {column index: field} of that row, or of the row that came
        closest, so missing columns can be named).
    """
    best_map: dict[int, str] = {}
    best_score = -1
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        mapping = {col: f for col, cell in enumerate(row) if (f := field_for_header(cell)) is not None}
        found = set(mapping.values())
        if all(r in found for r in REQUIRED):
            return index, mapping
        score = sum(r in found for r in REQUIRED)
        if score > best_score:
            best_map, best_score = mapping, score
    return None, best_map


def _from_grid(name: str, member: str, sheet: str | None, grid: list[list[Any]]) -> RawFile:
    header_index, mapping = _find_header(grid)
    if header_index is None:
        found = set(mapping.values())
        missing = [f for f in REQUIRED if f not in found]
        where = f"{name}, sheet {sheet}" if sheet else name
        missing_issues = [
            error(
                "missing-column",
                name,
                f"{where}: no header row with the column '{LABELS[f]}' was found in the first "
                f"{HEADER_SEARCH_ROWS} rows; add a column headed '{LABELS[f]}' to the header row",
                sheet=sheet,
                field=f,
            )
            for f in missing
        ]
        return RawFile(file=name, member=member, sheet=sheet, rows=empty_rows(), issues=missing_issues)

    header = grid[header_index]
    excel_row = header_index + 1
    issues: list[Issue] = []
    columns: dict[str, int] = {}
    for col, f in mapping.items():
        if f in columns:
            issues.append(
                error(
                    "duplicate-column",
                    name,
                    f"{place(name, sheet, excel_row)}: the column '{LABELS[f]}' appears twice "
                    f"(columns {_col_letter(columns[f])} and {_col_letter(col)}); delete or rename one",
                    sheet=sheet,
                    row=excel_row,
                    field=f,
                )
            )
        else:
            columns[f] = col
    body = grid[header_index + 1 :]
    extras = _extra_columns(header, mapping, body)
    for col in extras:
        if col < len(header) and not _is_blank(header[col]):
            issues.append(_unknown_column(name, sheet, excel_row, str(header[col]).strip(), col))
        else:
            issues.append(
                warning(
                    "unknown-column",
                    name,
                    f"{place(name, sheet, excel_row)}: column {_col_letter(col)} has values but no header; they are "
                    "kept aside but not used. Give the column a template header if it was meant to be one",
                    sheet=sheet,
                    row=excel_row,
                )
            )

    records: list[dict[str, Any]] = []
    for offset, row in enumerate(body):
        # _blank_to_none and _cell inlined: this loop runs once per cell of the sheet.
        cells = [None if c is None or (isinstance(c, str) and not c.strip()) else c for c in row]
        if all(c is None for c in cells):
            continue
        width = len(cells)
        record: dict[str, Any] = {f: cells[col] if col < width else None for f, col in columns.items()}
        record["_row"] = excel_row + 1 + offset
        extra = {label: _cell(cells, col) for col, label in extras.items() if _cell(cells, col) is not None}
        record["_extra"] = json.dumps(extra, ensure_ascii=False, default=str) if extra else None
        records.append(record)
    rows = pd.DataFrame.from_records(records, columns=[*FIELD_NAMES, "_row", "_extra"]) if records else empty_rows()
    above = [c for r in grid[:header_index] for c in r if isinstance(c, str)]
    illustrative = any(ILLUSTRATIVE_MARK in c.casefold() for c in above)
    return RawFile(file=name, member=member, sheet=sheet, rows=rows, issues=issues, illustrative=illustrative)


def _extra_columns(header: list[Any], mapping: dict[int, str], body: list[list[Any]]) -> dict[int, str]:
    """Columns outside the template: {column index: unique label for ``_extra``}.

    Unknown columns are kept, never lost (the contract), so a column with values
    but no header is kept under its letter, and a repeated header gets its
    letter appended; otherwise one column's values would overwrite another's.
    """
    width = max([len(header), *(len(row) for row in body)], default=0)
    # Only columns outside the template can be extras: look for values there, not in every cell.
    with_values = {
        col
        for col in range(width)
        if col not in mapping and any(col < len(row) and not _is_blank(row[col]) for row in body)
    }
    extras: dict[int, str] = {}
    for col in sorted(set(range(len(header))) | with_values):
        if col in mapping:
            continue
        cell = header[col] if col < len(header) else None
        if _is_blank(cell):
            if col in with_values:
                extras[col] = f"column {_col_letter(col)}"
            continue
        label = str(cell).strip()
        extras[col] = f"{label} (column {_col_letter(col)})" if label in extras.values() else label
    return extras


def _unknown_column(name: str, sheet: str | None, row: int | None, label: str, col: int | None = None) -> Issue:
    if name.lower().endswith((".yaml", ".yml")):
        what = f"the key '{label}' (in the action starting here) is not a template field"
    else:
        column = f" (column {_col_letter(col)})" if col is not None else ""
        what = f"the column '{label}'{column} is not part of the template"
    return warning(
        "unknown-column",
        name,
        f"{place(name, sheet, row)}: {what}; its values are kept aside but not used. "
        "Rename it to a template field if it was meant to be one",
        sheet=sheet,
        row=row,
    )


def _col_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _col_index(letters: str) -> int:
    """0-based index of a column letter such as "A" or "XFD" (the inverse of :func:`_col_letter`)."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _cell(cells: list[Any], col: int) -> Any:
    return cells[col] if col < len(cells) else None


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _blank_to_none(value: Any) -> Any:
    return None if _is_blank(value) else value
