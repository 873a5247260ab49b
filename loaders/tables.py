"""Read one member file (xlsx, xls, ods, csv, yaml) into raw rows.

Reading is separated from validation: this module finds the header, maps
columns to contract fields, skips blank rows and keeps unknown columns aside,
but it does not judge values. Everything that can go wrong with the file itself
(wrong format, macros, encryption, a zip bomb, an unreadable workbook, no
header) becomes an issue; the caller never sees an exception for bad input.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from loaders import limits
from loaders.content import (
    READABLE_SUFFIXES,
    REFUSED_SUFFIXES,
    WORKBOOK_SUFFIXES,
    Parsed,
    file_too_large,
    parse_member_content,
)
from loaders.fields import FIELD_NAMES, HEADER_SEARCH_ROWS, LABELS, REQUIRED, field_for_header, find_header
from loaders.issues import Issue, Text, error, place_text, say, warning
from loaders.limits import MAX_CSV_LINES, MAX_FILE_BYTES, MAX_SHEET_CELLS, MAX_UNZIPPED_BYTES
from loaders.members import parse_member_id
from loaders.package import column_letter
from loaders.safe_yaml import LINE_KEY, strip_lines

__all__ = [
    "MAX_CSV_LINES",
    "MAX_FILE_BYTES",
    "MAX_SHEET_CELLS",
    "MAX_UNZIPPED_BYTES",
    "READABLE_SUFFIXES",
    "REFUSED_SUFFIXES",
    "WORKBOOK_SUFFIXES",
    "RawFile",
    "empty_rows",
    "raw_from_content",
    "read_member_bytes",
    "read_member_file",
    "refused",
]

ILLUSTRATIVE_MARK = "illustrative"
PUBLIC_RECORD_KEY = "public_record"  # YAML: the day the public sources were read (docs/public-record.md)


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
    public_record: dt.date | None = None
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
    member = parse_member_id(path.stem)
    try:
        size = path.stat().st_size
        if size > limits.MAX_FILE_BYTES:
            return refused(shown, member, file_too_large(shown, size))
        data = path.read_bytes()
    except OSError as exc:
        return refused(
            shown, member, error("unreadable-file", shown, f"{shown}: the file cannot be opened ({exc.strerror})")
        )
    return read_member_bytes(path.name, data, label=shown)


def read_member_bytes(name: str, data: bytes, *, label: str | None = None) -> RawFile:
    """Read a member file from its bytes, in this process; ``name`` gives format and member.

    ``label`` names the file in issues and in the result (default: ``name``).
    For uploads from people who are not trusted, the app uses
    :func:`loaders.untrusted.read_untrusted_bytes`, which does the same in a
    child process.
    """
    shown = label or name
    return raw_from_content(name, shown, parse_member_content(name, data, shown))


def raw_from_content(name: str, shown: str, parsed: Parsed) -> RawFile:
    """Turn parsed content (:func:`loaders.content.parse_member_content`) into a :class:`RawFile`."""
    member = parse_member_id(Path(name).stem)
    kind, content = parsed
    if kind == "refused" or member is None:
        return refused(shown, member, content)
    if kind == "yaml":
        return _from_yaml(shown, member, content)
    if kind == "csv":
        return _from_grid(shown, member, None, content)
    # The Actions sheet wins when present; otherwise the first visible sheet with the header.
    chosen = content[0]
    if chosen[0].casefold() != "actions":
        chosen = next((g for g in content if find_header(g[1])[0] is not None), chosen)
    sheet, grid = chosen
    return _from_grid(shown, member, sheet, grid)


def refused(name: str, member: str | None, issue: Issue) -> RawFile:
    """A file left out whole: no rows, and the issue that says why."""
    return RawFile(file=name, member=member, sheet=None, rows=empty_rows(), issues=[issue])


def _first_non_mapping(entries: list[Any]) -> int | None:
    """The 1-based position of the first entry that is not a mapping, if any."""
    return next((n for n, item in enumerate(entries, start=1) if not isinstance(item, dict)), None)


# --- yaml ------------------------------------------------------------------------------------


def _from_yaml(name: str, member: str, document: Any) -> RawFile:
    def fail(issue: Issue) -> RawFile:
        return refused(name, member, issue)

    if not isinstance(document, dict) or not isinstance(document.get("actions", []), list):
        return fail(
            error(
                "yaml-structure",
                name,
                say(
                    "{file}: expected 'member:' and a list under 'actions:' at the top of the file; see the sample "
                    "files for the layout",
                    file=name,
                ),
            )
        )
    declared = document.get("member")
    # A blank `member:` declares nothing (rows then need their own member), rather than a mismatch.
    declared_text = None if declared is None else (str(declared).strip() or None)
    issues: list[Issue] = []
    records: list[dict[str, Any]] = []
    unknown_keys: dict[str, int | None] = {}
    entries = document.get("actions") or []
    malformed = _first_non_mapping(entries)
    if malformed is not None:
        # A broken entry means the file's structure is damaged: refuse the whole file (as for a
        # parse error) rather than load part of it and let the rest look complete.
        return fail(
            error(
                "yaml-structure",
                name,
                say(
                    "{file}: entry {entry} under 'actions:' is not a mapping of fields; each action starts with "
                    "'- action_id: ...' followed by its fields, indented alike",
                    file=name,
                    entry=malformed,
                ),
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
                unknown_keys.setdefault(str(key), record["_row"])
            else:
                # A nested mapping carries line markers; they are not the user's data.
                record[canonical] = _blank_to_none(strip_lines(value))
        if record.get("member") is None and declared_text:
            record["member"] = declared_text  # rows inherit the file's member
        record["_extra"] = json.dumps(extra, ensure_ascii=False, default=str) if extra else None
        records.append(record)
    for key, line in list(unknown_keys.items())[: limits.MAX_UNKNOWN_COLUMN_WARNINGS]:
        issues.append(_unknown_column(name, None, line, key))
    if len(unknown_keys) > limits.MAX_UNKNOWN_COLUMN_WARNINGS:
        rest = list(unknown_keys.items())[limits.MAX_UNKNOWN_COLUMN_WARNINGS :]
        issues.append(_more_unknown(name, None, rest[0][1], len(rest), f"keys such as '{rest[0][0]}'"))
    rows = pd.DataFrame.from_records(records, columns=[*FIELD_NAMES, "_row", "_extra"])  # no records: empty_rows()
    public_record = _public_record_day(name, document, issues)
    return RawFile(
        file=name,
        member=member,
        sheet=None,
        rows=rows,
        issues=issues,
        illustrative=bool(document.get("illustrative")),
        public_record=public_record,
        declared_member=declared_text,
        declared_member_line=document.get(LINE_KEY),
    )


def _public_record_day(name: str, document: dict[str, Any], issues: list[Issue]) -> dt.date | None:
    """The day a public-record file's sources were read; a value that is not a day is reported and ignored."""
    value = document.get(PUBLIC_RECORD_KEY)
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    issues.append(
        warning(
            "public-record-date",
            name,
            f"{name}: 'public_record:' must be the day the public sources were read, as YYYY-MM-DD (got "
            f"{str(value)[:40]!r}); until it is, the file is not labelled as the public record",
            field=PUBLIC_RECORD_KEY,
        )
    )
    return None


def _jsonable(value: Any) -> Any:
    """Plain JSON-ready data: string keys, no line markers (also inside lists)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


# --- shared grid handling --------------------------------------------------------------------


def _from_grid(name: str, member: str, sheet: str | None, grid: list[list[Any]]) -> RawFile:
    header_index, mapping = find_header(grid)
    if header_index is None:
        found = set(mapping.values())
        missing = [f for f in REQUIRED if f not in found]
        missing_issues = [
            error(
                "missing-column",
                name,
                say(
                    "{where}: no header row with the column '{column}' was found in the first {rows} rows; add a "
                    "column headed '{column}' to the header row",
                    where=place_text(name, sheet),
                    column=Text(LABELS[f]),
                    rows=HEADER_SEARCH_ROWS,
                ),
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
                    say(
                        "{where}: the column '{column}' appears twice (columns {first} and {second}); delete or "
                        "rename one",
                        where=place_text(name, sheet, excel_row),
                        column=Text(LABELS[f]),
                        first=column_letter(columns[f]),
                        second=column_letter(col),
                    ),
                    sheet=sheet,
                    row=excel_row,
                    field=f,
                )
            )
        else:
            columns[f] = col
    body = grid[header_index + 1 :]
    extras = _extra_columns(header, mapping, body)
    for col in list(extras)[: limits.MAX_UNKNOWN_COLUMN_WARNINGS]:
        if col < len(header) and not _is_blank(header[col]):
            issues.append(_unknown_column(name, sheet, excel_row, str(header[col]).strip(), col))
        else:
            issues.append(
                warning(
                    "unknown-column",
                    name,
                    say(
                        "{where}: column {letter} has values but no header; they are kept aside but not used. Give "
                        "the column a template header if it was meant to be one",
                        where=place_text(name, sheet, excel_row),
                        letter=column_letter(col),
                    ),
                    sheet=sheet,
                    row=excel_row,
                )
            )
    if len(extras) > limits.MAX_UNKNOWN_COLUMN_WARNINGS:
        rest = list(extras)[limits.MAX_UNKNOWN_COLUMN_WARNINGS :]
        span = f"columns {column_letter(rest[0])} to {column_letter(rest[-1])}"
        issues.append(_more_unknown(name, sheet, excel_row, len(rest), span))

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
    rows = pd.DataFrame.from_records(records, columns=[*FIELD_NAMES, "_row", "_extra"])  # no records: empty_rows()
    above = [c for r in grid[:header_index] for c in r if isinstance(c, str)]
    illustrative = any(ILLUSTRATIVE_MARK in c.casefold() for c in above)
    return RawFile(file=name, member=member, sheet=sheet, rows=rows, issues=issues, illustrative=illustrative)


def _extra_columns(header: list[Any], mapping: dict[int, str], body: list[list[Any]]) -> dict[int, str]:
    """Columns outside the template: {column index: unique label for ``_extra``}.

    Unknown columns are kept, never lost (the contract), so a column with values
    but no header is kept under its letter, and a repeated header gets its
    letter appended; otherwise one column's values would overwrite another's.
    """
    width = max([len(header), *(len(row) for row in body)])  # never empty: the header's width is in it
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
                extras[col] = f"column {column_letter(col)}"
            continue
        label = str(cell).strip()
        extras[col] = f"{label} (column {column_letter(col)})" if label in extras.values() else label
    return extras


def _unknown_column(name: str, sheet: str | None, row: int | None, label: str, col: int | None = None) -> Issue:
    """An unknown column of a sheet (``col`` given) or an unknown key of a YAML action (``col`` None)."""
    if col is None:
        what = say("the key '{label}' (in the action starting here) is not a template field", label=label)
    else:
        what = say(
            "the column '{label}' (column {letter}) is not part of the template", label=label, letter=column_letter(col)
        )
    return warning(
        "unknown-column",
        name,
        say(
            "{where}: {what}; its values are kept aside but not used. Rename it to a template field if it was meant "
            "to be one",
            where=place_text(name, sheet, row),
            what=what,
        ),
        sheet=sheet,
        row=row,
    )


def _more_unknown(name: str, sheet: str | None, row: int | None, count: int, which: str) -> Issue:
    """One warning for the unknown columns (or keys) past the first few, instead of one each."""
    return warning(
        "unknown-column",
        name,
        say(
            "{where}: {count} more columns outside the template ({which}); their values are kept aside but not used. "
            "A member file needs only the template's columns: delete the others",
            where=place_text(name, sheet, row),
            count=f"{count:,}",
            which=which,
        ),
        sheet=sheet,
        row=row,
    )


def _cell(cells: list[Any], col: int) -> Any:
    return cells[col] if col < len(cells) else None


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _blank_to_none(value: Any) -> Any:
    return None if _is_blank(value) else value
