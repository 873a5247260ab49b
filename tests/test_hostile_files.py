"""Hostile uploads: sheets that would make the reader allocate without bound, active content, huge CSVs.

Each hostile workbook is refused in-process by the pre-checks, and the test
proves calamine is never called for it. A few are also handed to calamine in a
child process, to show they are not harmless: there they abort the process.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import pickle
import re
import struct
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import astuple
from pathlib import Path
from typing import Any

import pytest
import yaml

from loaders import content, csv_text, limits, safe_yaml, sheet_extent
from loaders.issues import Issue
from loaders.sandbox import ChildFailedError, run_child
from loaders.sheet_bound import SheetBound
from loaders.sheet_extent import shared_string_lengths, xlsx_sheet_extent
from loaders.tables import RawFile, read_member_bytes
from tests.make_fixtures import (
    DATA_DIR,
    HEADER,
    VALID_DIR,
    biff8_stream,
    biff8_workbook,
    biff_dimensions,
    biff_number,
    biff_record,
    biff_string,
    valid_row,
    write_csv,
    write_xlsx,
    xls_with_entry_named,
)

Codes = list[tuple[int | None, str | None, str]]
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_FAR = "<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"


def _codes(raw: RawFile) -> Codes:
    return [(i.row, i.field, i.code) for i in raw.issues]


# Every refusal's whole message, test by test, is kept in tests/data/hostile-messages.yaml: messages are part of
# the product (where, what, how to fix), so a change of wording shows in review as a change of that file. After
# changing a message on purpose, rewrite it with
#     UPDATE_MESSAGES=1 .venv/bin/python -m pytest -p no:cacheprovider tests/test_hostile_files.py
# and read its diff before committing.
HOSTILE_MESSAGES = DATA_DIR / "hostile-messages.yaml"
_UPDATE_MESSAGES = os.environ.get("UPDATE_MESSAGES") == "1"
Reviewed = Callable[[RawFile], None]


@pytest.fixture(scope="module")
def reviewed_messages() -> Iterator[tuple[dict[str, list[str]], dict[str, list[str]]]]:
    """(the reviewed messages by test, those seen in this run); the seen ones are written when updating."""
    known = yaml.safe_load(HOSTILE_MESSAGES.read_text(encoding="utf-8")) if HOSTILE_MESSAGES.exists() else {}
    seen: dict[str, list[str]] = {}
    yield known, seen
    if _UPDATE_MESSAGES and seen:
        header = (
            "# The messages of each refusal in tests/test_hostile_files.py, by test (UPDATE_MESSAGES=1 writes it).\n"
        )
        text = yaml.safe_dump({**known, **seen}, sort_keys=True, allow_unicode=True, width=1_000_000)
        HOSTILE_MESSAGES.write_text(header + text, encoding="utf-8")


@pytest.fixture
def reviewed(request: pytest.FixtureRequest, reviewed_messages: tuple[dict[str, list[str]], ...]) -> Reviewed:
    """``reviewed(raw)``: the messages of ``raw``'s issues are, word for word, those reviewed for this test."""
    known, seen = reviewed_messages

    def check(raw: RawFile) -> None:
        messages = [issue.message for issue in raw.issues]
        if _UPDATE_MESSAGES:
            seen[request.node.name] = messages
            return
        assert request.node.name in known, f"no reviewed messages for {request.node.name}: see HOSTILE_MESSAGES"
        assert messages == known[request.node.name]

    return check


@pytest.fixture
def reader_calls(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Records every call of the workbook reader (calamine), which then reads nothing."""
    calls: list[bytes] = []

    def record(data: bytes) -> list[tuple[str, list[list[object]]]]:
        calls.append(data)
        return []

    monkeypatch.setattr(content, "read_grids", record)
    monkeypatch.setattr(content, "read_grids_isolated", record)
    return calls


def _base_xlsx(tmp_path: Path) -> bytes:
    return write_xlsx(tmp_path / "base.xlsx", [valid_row()]).read_bytes()


def _repack(data: bytes, change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None) -> bytes:
    """The package with each part passed through ``change`` (None drops it), plus ``extra`` parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            changed = change(info.filename, source.read(info.filename))
            if changed is not None:
                # An ODS mimetype stays first and stored, as readers expect; the rest is compressed.
                info.compress_type = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
                target.writestr(info, changed)
        for name, part in (extra or {}).items():
            target.writestr(name, part)
    return out.getvalue()


def _sheet(data: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    return _repack(data, lambda name, part: edit(part) if name == "xl/worksheets/sheet1.xml" else part)


def _append(rows: str) -> Callable[[bytes], bytes]:
    return lambda part: part.replace(b"</sheetData>", rows.encode() + b"</sheetData>")


def _prefixed(part: bytes) -> bytes:
    """The same sheet with every element under an ``x:`` prefix."""
    part = re.sub(rb"<(/?)(?=[A-Za-z])", rb"<\1x:", part)
    return part.replace(f'xmlns="{_MAIN}"'.encode(), f'xmlns:x="{_MAIN}"'.encode())


HOSTILE_SHEETS: dict[str, Callable[[bytes], bytes]] = {
    "single-quotes": _append(_FAR),
    "spaces-around-equals": _append('<row r = "1048576"><c r = "XFD1048576"><v>1</v></c></row>'),
    "tabs-and-newlines-around-equals": _append('<row\n r\t=\n"1048576"><c\tr\n=\t"XFD1048576"><v>1</v></c></row>'),
    "lower-case-reference": _append('<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>'),
    "prefixed-namespace": lambda part: _prefixed(_append(_FAR)(part)),
    "lying-dimension": lambda part: _append(_FAR)(re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', part)),
    "no-dimension": lambda part: _append(_FAR)(re.sub(rb"<dimension [^>]*/>", b"", part)),
    # calamine places a cell without r after the previous one: 16,384 of them reach column XFD.
    "cells-without-r": _append('<row r="200">' + "<c><v>1</v></c>" * 16_384 + "</row>"),
    # A row far down, and its cells (without r) are placed in it.
    "row-far-down-cell-without-r": _append('<row r="1048576"><c><v>1</v></c></row>'),
    # Rows without r follow each other: 200,000 empty rows, then a cell.
    "rows-without-r": _append("<row/>" * 200_000 + "<row><c><v>1</v></c></row>"),
    "inline-string-far-away": _append("<row r='1048576'><c r='XFD1048576' t='inlineStr'><is><t>x</t></is></c></row>"),
    "formula-with-cached-value": _append("<row r='1048576'><c r='XFD1048576'><f>1+1</f><v>2</v></c></row>"),
}


@pytest.mark.parametrize("spelling", list(HOSTILE_SHEETS))
def test_far_cell_in_any_xml_spelling_is_refused_before_the_reader(
    spelling: str, tmp_path: Path, reader_calls: list[bytes], reviewed: Reviewed
) -> None:
    data = _sheet(_base_xlsx(tmp_path), HOSTILE_SHEETS[spelling])
    assert len(data) < 100_000  # small uploads, all of them

    raw = read_member_bytes("IDN.xlsx", data)

    assert _codes(raw) == [(None, None, "sheet-too-large")]
    reviewed(raw)
    assert raw.issues[0].sheet == "Actions"
    assert reader_calls == []


def test_sheet_moved_outside_the_worksheets_folder_is_still_measured(
    tmp_path: Path, reader_calls: list[bytes], reviewed: Reviewed
) -> None:
    def move(name: str, part: bytes) -> bytes | None:
        if name == "xl/worksheets/sheet1.xml":
            return None
        if name == "xl/_rels/workbook.xml.rels":
            return part.replace(b"worksheets/sheet1.xml", b"media/image1.png")
        return part

    base = _base_xlsx(tmp_path)
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        sheet = _append(_FAR)(archive.read("xl/worksheets/sheet1.xml"))

    raw = read_member_bytes("IDN.xlsx", _repack(base, move, {"xl/media/image1.png": sheet}))

    assert _codes(raw) == [(None, None, "sheet-too-large")]
    reviewed(raw)
    assert reader_calls == []


def _shared_strings(strings: list[str], unique_count: int | None = None) -> bytes:
    count = len(strings) if unique_count is None else unique_count
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return f'<sst xmlns="{_MAIN}" count="{count}" uniqueCount="{count}">{items}</sst>'.encode()


def _with_shared_strings(tmp_path: Path, strings: bytes, rows: str) -> bytes:
    def change(name: str, part: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return part.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        if name == "xl/worksheets/sheet1.xml":
            return _append(rows)(part)
        return part

    return _repack(_base_xlsx(tmp_path), change, {"xl/sharedStrings.xml": strings})


def test_shared_string_copied_into_many_cells_is_refused(
    tmp_path: Path, reader_calls: list[bytes], reviewed: Reviewed
) -> None:
    # One 1,000,000-character string in 60 cells: 60 million characters once calamine copies it into each.
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(10, 70))
    data = _with_shared_strings(tmp_path, _shared_strings(["x" * 1_000_000]), rows)
    assert len(data) < 100_000

    raw = read_member_bytes("IDN.xlsx", data)

    assert _codes(raw) == [(None, None, "sheet-too-large")]
    reviewed(raw)
    assert "characters" in raw.issues[0].message
    assert reader_calls == []


def test_shared_string_used_a_few_times_is_read(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{r}"><c r="P{r}" t="s"><v>0</v></c></row>' for r in range(3, 6))
    data = _with_shared_strings(tmp_path, _shared_strings(["x" * 30_000]), rows)

    raw = read_member_bytes("IDN.xlsx", data)

    assert "sheet-too-large" not in [c for _, _, c in _codes(raw)]
    assert len(raw.rows) == 4


def test_forged_shared_string_count_is_refused(tmp_path: Path, reader_calls: list[bytes], reviewed: Reviewed) -> None:
    # calamine reserves room for uniqueCount strings before reading one: 20 billion aborts the process.
    data = _with_shared_strings(tmp_path, _shared_strings(["a"], unique_count=20_000_000_000), "")

    raw = read_member_bytes("IDN.xlsx", data)

    assert _codes(raw) == [(None, None, "unreadable-file")]
    reviewed(raw)
    assert reader_calls == []


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(
            lambda part: (
                b"<!DOCTYPE w [<!ENTITY far \"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>\">]>"
                + part.replace(b"</sheetData>", b"&far;</sheetData>")
            ),
            id="entity-hiding-markup",
        ),
        pytest.param(_append("<row><c></row>"), id="not-well-formed"),
        pytest.param(_append("<row r='0'><c r='A0'><v>1</v></c></row>"), id="row-zero"),
    ],
)
def test_sheet_xml_the_measure_cannot_follow_is_refused_as_damaged(
    edit: Callable[[bytes], bytes], tmp_path: Path, reader_calls: list[bytes], reviewed: Reviewed
) -> None:
    data = _sheet(_base_xlsx(tmp_path), lambda part: edit(part.split(b"?>", 1)[-1]))

    raw = read_member_bytes("IDN.xlsx", data)

    assert _codes(raw) == [(None, None, "unreadable-file")]
    reviewed(raw)
    assert reader_calls == []


def test_sheet_at_the_cell_limit_is_read_and_one_more_column_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 15 * 100)
    base = _base_xlsx(tmp_path)
    at_limit = _sheet(base, _append("<row r='100'><c r='O100'><v>1</v></c></row>"))
    over = _sheet(base, _append("<row r='100'><c r='O100'><v>1</v></c><c><v>1</v></c></row>"))

    assert "sheet-too-large" not in [c for _, _, c in _codes(read_member_bytes("IDN.xlsx", at_limit))]
    assert _codes(read_member_bytes("IDN.xlsx", over)) == [(None, None, "sheet-too-large")]


def _ods(table_rows: str, namespaces: str = "") -> bytes:
    source = (VALID_DIR / "libreoffice-ods" / "IDN.ods").read_bytes()

    def change(name: str, part: bytes) -> bytes:
        if name != "content.xml":
            return part
        part = part.replace(b"</table:table>", table_rows.encode() + b"</table:table>", 1)
        return part.replace(b"<office:document-content ", b"<office:document-content " + namespaces.encode(), 1)

    return _repack(source, change)


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(
            '<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
            'table:number-columns-repeated="16000" office:value-type="float" office:value="1"/></table:table-row>',
            id="repeated-rows-and-cells",
        ),
        pytest.param(
            '<table:table-row><table:table-cell office:value-type="string"><text:p>x<text:s text:c="60000000"/>'
            "</text:p></table:table-cell></table:table-row>",
            id="run-of-spaces",
        ),
        pytest.param(
            '<table:table-row table:number-rows-repeated="10000"><table:table-cell table:number-columns-repeated="10" '
            f'office:value-type="string" office:string-value="{"y" * 1000}"/></table:table-row>',
            id="repeated-long-string",
        ),
    ],
)
def test_ods_that_expands_beyond_the_limits_is_refused_before_the_reader(
    rows: str, reader_calls: list[bytes], reviewed: Reviewed
) -> None:
    raw = read_member_bytes("IDN.ods", _ods(rows))

    assert _codes(raw) == [(None, None, "sheet-too-large")]
    reviewed(raw)
    assert reader_calls == []


def test_ods_measure_matches_names_as_calamine_does_whatever_the_prefix_is_bound_to(
    reader_calls: list[bytes], reviewed: Reviewed
) -> None:
    # calamine matches "table:table-row" literally: a prefix bound to another namespace still counts.
    rows = (
        '<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
        'table:number-columns-repeated="100" office:value-type="float" office:value="1"/></table:table-row>'
    )
    source = _ods(rows).replace(b"urn:oasis:names:tc:opendocument:xmlns:table:1.0", b"urn:example:other")

    raw = read_member_bytes("IDN.ods", source)

    assert _codes(raw) == [(None, None, "sheet-too-large")]
    reviewed(raw)


@pytest.mark.parametrize(
    ("build", "name"),
    [
        pytest.param(lambda tmp: _sheet(_base_xlsx(tmp), _append(_FAR)), "IDN.xlsx", id="xlsx-single-quotes"),
        pytest.param(
            lambda tmp: _sheet(_base_xlsx(tmp), _append('<row r="1048576">' + "<c><v>1</v></c>" * 16_384 + "</row>")),
            "IDN.xlsx",
            id="xlsx-cells-without-r",
        ),
        pytest.param(
            lambda tmp: _with_shared_strings(tmp, _shared_strings(["a"], unique_count=20_000_000_000), ""),
            "IDN.xlsx",
            id="xlsx-forged-string-count",
        ),
    ],
)
def test_hostile_workbooks_do_kill_an_unguarded_reader(
    build: Callable[[Path], bytes], name: str, tmp_path: Path
) -> None:
    """Without the pre-check, calamine itself aborts on these files (here in a child, so the test survives).

    (calamine 0.37 caps what an .ods can expand to and fails instead, so no .ods is here.)
    """
    data = build(tmp_path)

    with pytest.raises(ChildFailedError, match=r"memory|crashed|signal"):
        run_child("loaders.workbook", data, memory=4 << 30)
    assert _codes(read_member_bytes(name, data))[0][2] in ("sheet-too-large", "unreadable-file")


# --- active content ---------------------------------------------------------------------------

_CT = "[Content_Types].xml"


def _add_content_type(content_type: str) -> Callable[[str, bytes], bytes]:
    def change(name: str, part: bytes) -> bytes:
        if name == _CT:
            return part.replace(
                b"</Types>", f'<Override PartName="/xl/extra.bin" ContentType="{content_type}"/></Types>'.encode()
            )
        return part

    return change


def _main_type(content_type: str) -> Callable[[str, bytes], bytes]:
    def change(name: str, part: bytes) -> bytes:
        if name == _CT:
            return part.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", content_type.encode()
            )
        return part

    return change


def _keep(_: str, part: bytes) -> bytes:
    return part


ACTIVE_XLSX: dict[str, tuple[Callable[[str, bytes], bytes], dict[str, bytes], str]] = {
    "vba-project": (_keep, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 VBA"}, "macro-workbook-refused"),
    "vba-project-any-case": (_keep, {"XL/VBAPROJECT.BIN": b"VBA"}, "macro-workbook-refused"),
    "macro-enabled-content-type": (
        _main_type("application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
        {},
        "macro-workbook-refused",
    ),
    "macro-content-type-spelled-with-entities": (
        _main_type("application/vnd.ms-excel.sheet.&#109;acroEnabled.main+xml"),
        {},
        "macro-workbook-refused",
    ),
    "excel4-macro-sheet": (_keep, {"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}, "macro-workbook-refused"),
    "activex-control": (_keep, {"xl/activeX/activeX1.xml": b"<ax:ocx/>"}, "active-content-refused"),
    "ole-embedding": (_keep, {"xl/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"}, "active-content-refused"),
    "ole-content-type-only": (
        _add_content_type("application/vnd.openxmlformats-officedocument.oleObject"),
        {},
        "active-content-refused",
    ),
    "external-link": (_keep, {"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}, "active-content-refused"),
    "data-connection": (_keep, {"xl/connections.xml": b"<connections/>"}, "active-content-refused"),
}


@pytest.mark.parametrize("kind", list(ACTIVE_XLSX))
def test_active_content_in_an_xlsx_is_refused_whatever_the_name(
    kind: str, tmp_path: Path, reader_calls: list[bytes], reviewed: Reviewed
) -> None:
    change, extra, code = ACTIVE_XLSX[kind]
    data = _repack(_base_xlsx(tmp_path), change, extra)

    raw = read_member_bytes("IDN.xlsx", data)

    assert _codes(raw) == [(None, None, code)]
    reviewed(raw)
    assert "Save As" in raw.issues[0].message
    assert reader_calls == []


def test_hyperlink_whose_address_mentions_embeddings_is_not_active_content(tmp_path: Path) -> None:
    rels = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" TargetMode="External" Target="https://example.org/embeddings/oleObject1.bin" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"/></Relationships>'
    )
    data = _repack(_base_xlsx(tmp_path), _keep, {"xl/worksheets/_rels/sheet1.xml.rels": rels})

    raw = read_member_bytes("IDN.xlsx", data)

    assert raw.issues == [] and len(raw.rows) == 1


@pytest.mark.parametrize(
    ("extra", "content_rows", "code"),
    [
        pytest.param({"Basic/Standard/Module1.xml": b"<script:module/>"}, "", "macro-workbook-refused", id="basic"),
        pytest.param({"Scripts/python/evil.py": b"import os"}, "", "macro-workbook-refused", id="scripts"),
        pytest.param({"Object 1/content.xml": b"<x/>"}, "", "active-content-refused", id="embedded-object"),
        pytest.param(
            {},
            '<table:table-row><table:table-cell><draw:frame><draw:object xlink:href="./Object 1"/></draw:frame>'
            "</table:table-cell></table:table-row>",
            "active-content-refused",
            id="draw-object-element",
        ),
    ],
)
def test_active_content_in_an_ods_is_refused(
    extra: dict[str, bytes], content_rows: str, code: str, reader_calls: list[bytes], reviewed: Reviewed
) -> None:
    data = _repack(_ods(content_rows), _keep, extra)

    raw = read_member_bytes("IDN.ods", data)

    assert _codes(raw) == [(None, None, code)]
    reviewed(raw)
    assert reader_calls == []


@pytest.mark.parametrize(
    ("entry", "code"),
    [("_VBA_PROJECT_CUR", "macro-workbook-refused"), ("MBD0012AB34", "active-content-refused")],
)
def test_xls_holding_a_vba_project_or_embedded_object_is_refused(
    entry: str, code: str, reader_calls: list[bytes], reviewed: Reviewed
) -> None:
    raw = read_member_bytes("IDN.xls", xls_with_entry_named(entry))

    assert _codes(raw) == [(None, None, code)]
    reviewed(raw)
    assert reader_calls == []


def test_plain_xls_with_a_renamed_harmless_stream_is_read() -> None:
    raw = read_member_bytes("IDN.xls", xls_with_entry_named("Notes"))

    assert raw.issues == [] or "active-content-refused" not in [c for _, _, c in _codes(raw)]
    assert len(raw.rows) == 3


# --- CSV ------------------------------------------------------------------------------------

_CSV_HEADER = ",".join(HEADER)


def test_csv_of_a_million_columns_is_refused_quickly_with_one_issue(reviewed: Reviewed) -> None:
    data = (_CSV_HEADER + "\n" + "," * 1_000_000 + "\n").encode()

    started = time.perf_counter()
    raw = read_member_bytes("IDN.csv", data)

    assert _codes(raw) == [(2, None, "too-many-columns")]
    reviewed(raw)
    assert time.perf_counter() - started < 5


def test_csv_at_the_column_limit_is_read_with_capped_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    extra = limits.MAX_CSV_COLUMNS - len(HEADER)
    header = _CSV_HEADER + "".join(f",Extra {n}" for n in range(extra))
    row = "IDN,ASC-1,A title,,Limited,,,2024-03-01" + "," * (len(HEADER) - 8) + ",x" * extra

    raw = read_member_bytes("IDN.csv", f"{header}\n{row}\n".encode())

    unknown = [i for i in raw.issues if i.code == "unknown-column"]
    assert len(unknown) == limits.MAX_UNKNOWN_COLUMN_WARNINGS + 1
    assert f"{extra - limits.MAX_UNKNOWN_COLUMN_WARNINGS:,} more columns" in unknown[-1].message
    assert len(raw.rows) == 1
    assert len(read_member_bytes("IDN.csv", f"{header},One more\n{row},x\n".encode()).rows) == 0


def test_csv_cell_longer_than_excel_allows_is_refused() -> None:
    ok = f"{_CSV_HEADER}\nIDN,ASC-1,{'x' * limits.MAX_CELL_CHARS},,Limited,,,2024-03-01\n"
    long = f"{_CSV_HEADER}\nIDN,ASC-1,{'x' * (limits.MAX_CELL_CHARS + 1)},,Limited,,,2024-03-01\n"

    assert "cell-too-long" not in [c for _, _, c in _codes(read_member_bytes("IDN.csv", ok.encode()))]
    assert _codes(read_member_bytes("IDN.csv", long.encode())) == [(2, None, "cell-too-long")]


def test_csv_with_more_cells_than_a_sheet_may_hold_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 100)
    rows = "\n".join(["IDN,ASC-1,A title,,Limited,,,2024-03-01"] * 12)  # 15 + 12 x 8 cells

    raw = read_member_bytes("IDN.csv", f"{_CSV_HEADER}\n{rows}\n".encode())

    assert _codes(raw) == [(None, None, "sheet-too-large")]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"], ids=["lf", "cr-lf", "cr"])
def test_csv_lines_are_counted_as_the_reader_splits_them(ending: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_CSV_LINES", 3)

    # Three lines, the last one ended as the others: at the limit, read (a final line break is no fourth line).
    assert csv_text.read_csv_grid("IDN.csv", ending.join(["a", "b", "c", ""]).encode()) == [["a"], ["b"], ["c"]]
    # Four: over it, whatever ends the lines (10 MB of CR alone were once one line, and ten million rows).
    refused = csv_text.read_csv_grid("IDN.csv", ending.join(["a", "b", "c", "d"]).encode())
    assert isinstance(refused, Issue)
    assert (refused.code, refused.file, refused.row) == ("sheet-too-large", "IDN.csv", None)
    assert refused.message == (
        "IDN.csv: the file has 4 lines, more than a spreadsheet can hold (3); delete the empty rows after the "
        "table and export it again as CSV"
    )


def test_csv_with_old_mac_line_endings_is_read() -> None:
    assert csv_text.read_csv_grid("IDN.csv", b"Member,Notes\rIDN,x\r") == [["Member", "Notes"], ["IDN", "x"]]


def test_csv_in_windows_1252_with_bytes_it_does_not_define_is_read() -> None:
    # 0x81 has no character in Windows-1252: it becomes U+FFFD rather than stopping the read with a traceback.
    grid = csv_text.read_csv_grid("IDN.csv", b"Member,Notes\r\nIDN,caf\xe9 \x81\r\n")

    assert grid == [["Member", "Notes"], ["IDN", "caf\u00e9 \ufffd"]]


@pytest.mark.parametrize(
    ("data", "grid"),
    [
        pytest.param(codecs.BOM_UTF16_LE + "Member".encode("utf-16-le"), [["Member"]], id="short-with-a-bom"),
        pytest.param(codecs.BOM_UTF16_BE + "Member".encode("utf-16-be"), [["Member"]], id="short-big-endian-bom"),
        pytest.param("ID".encode("utf-16-le"), [["ID"]], id="four-bytes-without-a-bom"),
    ],
)
def test_utf16_csv_is_told_by_its_bom_or_by_four_bytes(data: bytes, grid: list[list[str]]) -> None:
    assert csv_text.read_csv_grid("IDN.csv", data) == grid


def test_csv_error_the_reader_raises_becomes_an_issue(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(text: str, delimiter: str) -> Iterator[list[str]]:
        raise csv.Error("unexpected end of data")
        yield []

    monkeypatch.setattr(csv_text, "_rows", failing)

    refused = csv_text.read_csv_grid("IDN.csv", b"Member\n")

    assert isinstance(refused, Issue)
    assert (refused.code, refused.file, refused.row) == ("not-a-csv", "IDN.csv", None)
    assert refused.message == (
        "IDN.csv: the file cannot be read as CSV (unexpected end of data); open it in Excel or LibreOffice, "
        "check for stray quotes, and export it again as CSV"
    )


def test_csv_cells_are_counted_exactly_up_to_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = "\n".join(["IDN,ASC-1,A title,,Limited,,,2024-03-01"] * 12)
    data = f"{_CSV_HEADER}\n{rows}\n".encode()  # 15 + 12 x 8 = 111 cells
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 111)
    assert len(read_member_bytes("IDN.csv", data).rows) == 12

    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 110)
    (issue,) = read_member_bytes("IDN.csv", data).issues
    assert (issue.code, issue.file, issue.row) == ("sheet-too-large", "IDN.csv", None)
    assert issue.message == (
        "IDN.csv: the file has more than 110 cells (reached at row 13); a member file has a few thousand. "
        "Delete the rows and columns after the table and export again"
    )


def test_csv_cell_too_long_says_which_row_and_the_limit() -> None:
    long = f"{_CSV_HEADER}\nIDN,ASC-1,A title,,Limited,,,2024-03-01\nIDN,ASC-1,{'x' * 40_000},,Limited,,,2024-03-01\n"

    (issue,) = read_member_bytes("IDN.csv", long.encode()).issues

    assert (issue.code, issue.file, issue.row) == ("cell-too-long", "IDN.csv", 3)
    assert issue.message == (
        "IDN.csv, row 3: a cell holds more than 32,767 characters, more than a spreadsheet cell can hold; "
        "shorten the text (link a long document as evidence instead) and export the CSV again"
    )


def test_csv_is_parsed_whole_only_with_the_delimiter_whose_rows_hold_the_header(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    parsed: list[str] = []
    parse = csv_text._parse
    monkeypatch.setattr(
        csv_text, "_parse", lambda name, text, delimiter: parsed.append(delimiter) or parse(name, text, delimiter)
    )
    data = write_csv(tmp_path / "IDN.csv", [valid_row()], delimiter=";").read_bytes()

    raw = read_member_bytes("IDN.csv", data)

    assert (raw.issues, len(raw.rows), parsed) == ([], 1, [";"])


def test_csv_line_break_inside_a_quoted_cell_is_kept_as_written() -> None:
    data = f'{_CSV_HEADER}\r\nIDN,ASC-1,A title,,Limited,,,2024-03-01,,,,,,,"first\r\nsecond\rthird"\r\n'.encode()

    raw = read_member_bytes("IDN.csv", data)

    assert raw.issues == []
    assert raw.rows["notes"].tolist() == ["first\r\nsecond\rthird"]


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE, ","),
        ("utf-16-be", codecs.BOM_UTF16_BE, ","),
        ("utf-16-le", codecs.BOM_UTF16_LE, "\t"),  # what Excel's "Unicode Text" writes
        ("utf-16-le", b"", ","),
        ("utf-16-be", b"", ";"),
    ],
)
def test_utf16_csv_is_read_in_either_byte_order(encoding: str, bom: bytes, delimiter: str, tmp_path: Path) -> None:
    text = write_csv(tmp_path / "IDN.csv", [valid_row(title="Coopération ไทย")], delimiter=delimiter, bom=False)
    data = bom + text.read_text(encoding="utf-8").encode(encoding)

    raw = read_member_bytes("IDN.csv", data)

    assert raw.issues == []
    assert raw.rows["title"].tolist() == ["Coopération ไทย"]


def test_damaged_utf16_csv_says_how_to_save_it(reviewed: Reviewed) -> None:
    raw = read_member_bytes("IDN.csv", codecs.BOM_UTF16_LE + "Member,Status\n".encode("utf-16-le") + b"\x00")

    assert _codes(raw) == [(None, None, "not-a-csv")]
    reviewed(raw)
    assert "UTF-16" in raw.issues[0].message and "CSV UTF-8" in raw.issues[0].message


def test_workbook_with_many_unknown_columns_gets_capped_warnings(tmp_path: Path) -> None:
    header = [*HEADER, *(f"Extra {n}" for n in range(100))]
    data = write_xlsx(tmp_path / "IDN.xlsx", [[*["x"] * len(HEADER), *["v"] * 100]], header).read_bytes()

    raw = read_member_bytes("IDN.xlsx", data)

    unknown = [i for i in raw.issues if i.code == "unknown-column"]
    assert len(unknown) == limits.MAX_UNKNOWN_COLUMN_WARNINGS + 1
    last = unknown[-1]
    assert (last.severity, last.file, last.sheet, last.row, last.field) == ("warning", "IDN.xlsx", "Actions", 1, None)
    assert last.message == (
        "IDN.xlsx, sheet Actions, row 1: 80 more columns outside the template (columns AJ to DK); their values are "
        "kept aside but not used. A member file needs only the template's columns: delete the others"
    )
    assert "Extra 99" in raw.rows["_extra"][0]  # kept aside, never lost


def test_yaml_with_many_unknown_keys_gets_capped_warnings() -> None:
    keys = "".join(f"    extra_{n}: v\n" for n in range(25))
    raw = read_member_bytes("IDN.yaml", f"member: IDN\nactions:\n  - title: x\n{keys}".encode())

    unknown = [i for i in raw.issues if i.code == "unknown-column"]
    assert len(unknown) == limits.MAX_UNKNOWN_COLUMN_WARNINGS + 1
    last = unknown[-1]
    assert (last.file, last.sheet, last.row) == ("IDN.yaml", None, 3)
    assert last.message == (
        "IDN.yaml, line 3: 5 more columns outside the template (keys such as 'extra_20'); their values are kept "
        "aside but not used. A member file needs only the template's columns: delete the others"
    )


# --- the cheap bound that spares most files the exact pass ---------------------------------------

_STRINGS = (
    f'<sst xmlns="{_MAIN}">' + "".join(f"<si><t>{t}</t></si>" for t in ["a", "b" * 10, *["c"] * 9, "d" * 30]) + "</sst>"
).encode()


def _worksheet(cells: str, declaration: str = '<?xml version="1.0" encoding="UTF-8"?>') -> bytes:
    return (
        f'{declaration}<worksheet xmlns="{_MAIN}" xmlns:x="{_MAIN}" xmlns:o="urn:other">'
        f"<sheetData>{cells}</sheetData></worksheet>"
    ).encode()


def _bound(sheet: bytes, text_limit: int | None = None) -> tuple[int, int, int] | None:
    lengths = shared_string_lengths(_STRINGS)
    bound = SheetBound(len(_STRINGS), lambda: lengths, text_limit=text_limit)
    bound.feed(sheet)
    return bound.result()


# Each spelling the exact pass models, with (rows, columns, text) as the exact pass measures them.
BOUNDED_SPELLINGS: dict[str, tuple[str, tuple[int, int, int]]] = {
    "typical": ('<row r="3"><c r="B3" t="s"><v>1</v></c></row>', (3, 2, 10)),
    "single-quotes-and-spaces": ("<row\tr = '3'><c s='1'\n r\t=\t'b3'><v>1</v></c></row>", (3, 2, 0)),
    "r-after-other-attributes": ('<row><c t="s" s="2" r="C40"><v>0</v></c></row>', (40, 3, 1)),
    "prefix-of-main-namespace": ('<x:row r="2"><x:c r="D2" t="s"><x:v>1</x:v></x:c></x:row>', (2, 4, 10)),
    "prefix-of-another-namespace": ('<o:row r="2"><o:c r="D2"><o:v>1</o:v></o:c></o:row>', (2, 4, 0)),
    "cells-without-r-follow-the-last": (
        '<row r="5"><c r="B5"><v>1</v></c><c><v>1</v></c><c><v>1</v></c></row>',
        (5, 4, 0),
    ),
    "rows-without-r-follow-the-last": ('<row r="7"/><row/><row><c><v>1</v></c></row>', (9, 1, 0)),
    "cell-outside-any-row": ('<row r="4"/><c><v>1</v></c>', (5, 1, 0)),
    "reference-look-alikes-in-values": (
        '<row r="1"><c q=\' r="XFD9" \' r="A1" w="a>b"><is><t> r="XFD1048576" </t></is></c></row>',
        (1, 1, 0),
    ),
    "leading-zeros-and-lower-case": ('<row r="0012"><c r="ab0012"><v>1</v></c></row>', (12, 28, 0)),
    "shared-values-spelled-oddly": (
        '<row r="1"><c r="A1" t="s"><v>&#49;</v></c><c r="B1" t="s"><v>1<f/></v></c>'
        '<c r="C1" t="s"><v>\u00a01</v></c><c r="D1" t="s"><v> 0\n</v></c></row>',
        (1, 4, 31),
    ),
    "shared-index-spelled-with-a-reference": ('<row r="1"><c r="A1" t="s"><v>&#49;</v></c></row>', (1, 1, 10)),
    "shared-index-after-a-no-break-space": ('<row r="1"><c r="A1" t="s"><v>\u00a01</v></c></row>', (1, 1, 10)),
    "numbers-and-a-long-zero-padded-index": (
        '<row r="1"><c r="A1" t="s"><v>3.5</v></c><c r="B1" t="s"><v>0000000000000000000001</v></c></row>',
        (1, 2, 10),
    ),
    "two-digit-index": ('<row r="1"><c r="A1" t="s"><v>11</v></c></row>', (1, 1, 30)),
    "cell-nested-in-a-cell": ('<row r="1"><c r="A1"><v>1</v><c r="XFD9"><v>1</v></c></c></row>', (1, 1, 0)),
    "edge-of-the-small-sheet-shortcut-rows": ('<row r="1000"><c r="ZZ1000"><v>1</v></c></row>', (1000, 702, 0)),
    "edge-of-the-small-sheet-shortcut-columns": ('<row r="999"><c r="AAA999"><v>1</v></c></row>', (999, 703, 0)),
}


@pytest.mark.parametrize("spelling", list(BOUNDED_SPELLINGS))
@pytest.mark.parametrize("text_limit", [None, 0])
def test_cheap_bound_covers_every_spelling_and_is_never_below_the_exact_extent(
    spelling: str, text_limit: int | None
) -> None:
    cells, measured = BOUNDED_SPELLINGS[spelling]
    sheet = _worksheet(cells)
    assert astuple(xlsx_sheet_extent(sheet, shared_string_lengths(_STRINGS))) == measured  # the exact pass agrees

    bound = _bound(sheet, text_limit)

    assert bound is not None  # the spelling is modelled: no exact pass needed
    assert all(b >= m for b, m in zip(bound, measured, strict=True)), (bound, measured)


@pytest.mark.parametrize(
    "sheet",
    [
        pytest.param(_worksheet("<!-- x --><row r='1'><c r='A1'><v>1</v></c></row>"), id="comment"),
        pytest.param(_worksheet("<row r='1'><c r='A1'><v><![CDATA[1]]></v></c></row>"), id="cdata"),
        pytest.param(_worksheet("<?pi x?><row r='1'/>"), id="processing-instruction"),
        pytest.param(_worksheet("<row r='1'><c r='&#88;FD1048576'><v>1</v></c></row>"), id="character-reference-in-r"),
        pytest.param(_worksheet("<row r='1'><c r='A1 '><v>1</v></c></row>"), id="space-in-r"),
        pytest.param(_worksheet("<row r='1'><u:c r='XFD1'><v>1</v></u:c></row>"), id="undeclared-prefix"),
        pytest.param(_worksheet("<row r='1'/>", '<?xml version="1.0" encoding="ISO-8859-1"?>'), id="latin-1"),
        pytest.param(_worksheet("<row r='1'/>", "").decode().encode("utf-16"), id="utf-16"),
        pytest.param(b"<!DOCTYPE w [<!ENTITY e 'x'>]>" + _worksheet("<row r='1'/>", ""), id="doctype"),
        pytest.param(_worksheet("<row r='1'><c r='A1'><v>1</c></row>"), id="not-well-formed"),
    ],
)
def test_cheap_bound_gives_way_to_the_exact_pass_for_what_it_does_not_model(sheet: bytes) -> None:
    assert _bound(sheet) is None


def test_legal_large_sheet_is_accepted_without_the_exact_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader_calls: list[bytes]
) -> None:
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{r}</v></c>' for c in "ABCDEFGHIJ") + "</row>"
        for r in range(3, 5003)
    )
    data = _sheet(_base_xlsx(tmp_path), _append(rows))  # 50,000 cells, 5,002 rows
    monkeypatch.setattr(sheet_extent, "_XlsxSheet", None)  # the exact pass cannot run

    raw = read_member_bytes("IDN.xlsx", data)

    assert "sheet-too-large" not in [c for _, _, c in _codes(raw)]
    assert len(reader_calls) == 1


# --- legacy .xls: sheet sizes and active content, read from the BIFF records ---------------------

_XLS_HEADER = biff_dimensions(2, 15) + b"".join(biff_string(0, col, col) for col in range(len(HEADER)))


def _xls(*extra_sheets: tuple[str, int, bytes], actions: bytes = b"", **options: Any) -> bytes:
    """An .xls whose Actions sheet holds the header (and ``actions``), plus ``extra_sheets``."""
    return biff8_workbook([("Actions", 0, _XLS_HEADER + actions), *extra_sheets], list(HEADER), **options)


_FAR_XLS_CELL = biff_number(65_535, 255, 1.0)  # IV65536: 16,777,216 cells from A1

HOSTILE_XLS: dict[str, Callable[[], bytes]] = {
    "far-cell-beyond-an-honest-dimensions": lambda: _xls(actions=_FAR_XLS_CELL),
    "far-cell-without-dimensions": lambda: biff8_workbook([("Actions", 0, _FAR_XLS_CELL)], ["x"]),
    "dimensions-that-lie": lambda: biff8_workbook([("Actions", 0, biff_dimensions(0xFFFFFFFF, 256))], ["x"]),
    "second-dimensions-that-lies": lambda: _xls(actions=biff_dimensions(65_536, 256)),
    "far-cell-in-a-hidden-sheet": lambda: _xls(("Notes", 0, _FAR_XLS_CELL), hidden=["Notes"]),
    "lying-dimensions-in-a-chart-sheet": lambda: _xls(("Chart1", 2, biff_dimensions(0xFFFFFFFF, 256))),
    "far-column": lambda: _xls(actions=biff_number(40, 65_535, 1.0)),
    "far-cell-after-a-nested-substream": lambda: _xls(
        actions=b"".join([biff_record(0x0809, bytes(16)), biff_record(0x000A), _FAR_XLS_CELL])
    ),
    "long-string-in-many-cells": lambda: biff8_workbook(
        [("Actions", 0, b"".join(biff_string(row, 0, 0) for row in range(30_000)))], ["y" * 2_000]
    ),
}


@pytest.mark.parametrize("kind", list(HOSTILE_XLS))
def test_xls_sheet_beyond_the_limits_is_refused_before_the_reader(
    kind: str, reader_calls: list[bytes], reviewed: Reviewed
) -> None:
    raw = read_member_bytes("IDN.xls", HOSTILE_XLS[kind]())

    assert _codes(raw) == [(None, None, "sheet-too-large")]
    reviewed(raw)
    assert reader_calls == []


@pytest.mark.parametrize("kind", ["dimensions-that-lie", "far-cell-beyond-an-honest-dimensions"])
def test_hostile_xls_does_kill_an_unguarded_reader(kind: str) -> None:
    """calamine reserves what DIMENSIONS declares (an abort) and lays out every placed cell (1 GiB and more)."""
    with pytest.raises(ChildFailedError, match=r"memory|crashed|signal"):
        run_child("loaders.workbook", HOSTILE_XLS[kind]())


def test_xls_at_the_cell_limit_is_read_and_one_more_column_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 15 * 100)
    at_limit = _xls(actions=biff_number(99, 14, 1.0))
    over = _xls(actions=biff_record(0x00BD, struct.pack("<HHHIHIH", 99, 14, 15, 6, 15, 6, 15)))  # MULRK O100:P100

    assert "sheet-too-large" not in [c for _, _, c in _codes(read_member_bytes("IDN.xls", at_limit))]
    assert _codes(read_member_bytes("IDN.xls", over)) == [(None, None, "sheet-too-large")]


def test_xls_blank_cells_far_away_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """calamine places no cell for a BLANK (a formatted empty cell): such files are not refused."""
    blank = biff_record(0x0201, struct.pack("<HHH", 65_535, 255, 15))

    raw = read_member_bytes("IDN.xls", _xls(actions=blank))

    assert "sheet-too-large" not in [c for _, _, c in _codes(raw)]
    assert raw.sheet == "Actions"


def test_xls_text_counts_strings_split_across_continue_records(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SHEET_TEXT", 100 * 70)
    strings = ["x", "ş" * 40 + "abc" * 10]  # 70 characters, split over several 32-byte records
    cells = b"".join(biff_string(row, 0, 1) for row in range(100))
    exactly = biff8_workbook([("Actions", 0, cells)], strings, max_record=32)
    one_more = biff8_workbook([("Actions", 0, cells + biff_string(100, 0, 1))], strings, max_record=32)

    assert "sheet-too-large" not in [c for _, _, c in _codes(read_member_bytes("IDN.xls", exactly))]
    assert _codes(read_member_bytes("IDN.xls", one_more)) == [(None, None, "sheet-too-large")]


@pytest.mark.parametrize(
    ("sheet", "globals_extra", "code"),
    [
        pytest.param(("Macro1", 1, b""), b"", "macro-workbook-refused", id="excel-4-macro-sheet"),
        pytest.param(("Module1", 6, b""), b"", "macro-workbook-refused", id="vba-module-sheet"),
        pytest.param(
            None,
            biff_record(
                0x01AE, struct.pack("<HHB", 1, 11, 0) + b"\x01other.xlsx" + struct.pack("<HB", 6, 0) + b"Sheet1"
            ),
            "active-content-refused",
            id="link-to-another-workbook",
        ),
    ],
)
def test_xls_macro_sheet_or_external_link_is_refused(
    sheet: tuple[str, int, bytes] | None, globals_extra: bytes, code: str, reader_calls: list[bytes], reviewed: Reviewed
) -> None:
    data = _xls(*([sheet] if sheet else []), globals_extra=globals_extra)

    raw = read_member_bytes("IDN.xls", data)

    assert _codes(raw) == [(None, None, code)]
    reviewed(raw)
    assert "Save As" in raw.issues[0].message
    assert reader_calls == []


@pytest.mark.parametrize("cch", [0x0401, 0x3A01], ids=["the-workbook-itself", "add-in-functions"])
def test_xls_supbook_that_is_no_link_is_read(cch: int) -> None:
    raw = read_member_bytes("IDN.xls", _xls(globals_extra=biff_record(0x01AE, struct.pack("<HH", 1, cch))))

    assert "active-content-refused" not in [c for _, _, c in _codes(raw)]
    assert raw.sheet == "Actions"


def test_xls_whose_sheets_overlap_beyond_the_walk_budget_is_refused(
    reader_calls: list[bytes], reviewed: Reviewed
) -> None:
    cells = b"".join(biff_number(row, 0, 1.0) for row in range(3_000))
    sheets = [("Actions", 0, cells), *[(f"S{n}", 0, b"") for n in range(50)]]
    start = struct.unpack_from("<I", biff8_stream(sheets), biff8_stream(sheets).index(b"\x85\x00") + 4)[0]
    # 50 sheets listed at 50 cells of the first: each walk reads on to its end, 25 times the stream in all.
    positions = [None, *[start + 20 + 18 * n for n in range(50)]]

    raw = read_member_bytes("IDN.xls", biff8_workbook(sheets, positions=positions))

    assert _codes(raw) == [(None, None, "unreadable-file")]
    reviewed(raw)
    assert reader_calls == []


def test_real_xls_still_reads() -> None:
    raw = read_member_bytes("IDN.xls", (VALID_DIR / "libreoffice-xls" / "IDN.xls").read_bytes())

    assert [i for i in raw.issues if i.severity == "error"] == [] and len(raw.rows) == 3


# --- YAML: aliases, merges, huge and deep values, in every spelling ------------------------------


def _laughs(line: Callable[[int, str], str], head: str = "", tail: str = "", width: int = 9, levels: int = 9) -> bytes:
    """A billion-laughs document: level i is ``width`` aliases of level i - 1 (9**9 = 387 million values).

    ``line(i, body)`` spells level i's entry, anchored, around ``body``, the flow sequence of its values.
    """
    entries = []
    for level in range(levels):
        body = "[" + ", ".join(["lol"] * width if level == 0 else [f"*a{level - 1}"] * width) + "]"
        entries.append(line(level, body))
    return (head + "".join(entries) + tail).encode()


def _flow(separator: str) -> Callable[[int, str], str]:
    return lambda i, body: f'{", " if i else ""}"l{i}"{separator}&a{i} {body}'


YAML_BOMBS: dict[str, Callable[[], bytes]] = {
    "block-mapping": lambda: _laughs(lambda i, b: f"l{i}: &a{i} {b}\n", tail="member: IDN\n"),
    "flow-key-then-colon-without-space": lambda: _laughs(_flow(":"), "{", "}"),
    "flow-single-quoted-key": lambda: _laughs(lambda i, b: f"{', ' if i else ''}'l{i}':&a{i} {b}", "{", "}"),
    "byte-order-mark-then-flow": lambda: b"\xef\xbb\xbf\xef\xbb\xbf" + _laughs(_flow(":"), "{", "}"),
    "explicit-key-anchored": lambda: _laughs(lambda i, b: f"? &a{i} {b}\n: v{i}\n"),
    "flow-explicit-key": lambda: _laughs(lambda i, b: f"{', ' if i else ''}?&a{i} {b}", "[", "]"),
    "after-a-tag": lambda: _laughs(lambda i, b: f"l{i}: !!seq &a{i} {b}\n"),
    "after-a-tag-and-a-tab": lambda: _laughs(lambda i, b: f"l{i}: !!seq\t&a{i} {b}\n"),
    "anchor-and-value-on-their-own-lines": lambda: _laughs(lambda i, b: f"l{i}:\n  &a{i}\n  {b}\n"),
    "inside-an-action": lambda: _laughs(
        lambda i, b: f"    l{i}: &a{i} {b}\n", "member: IDN\nactions:\n  - title: x\n", "    notes: *a8\n"
    ),
    "merge-keys": lambda: (
        "m0: &m0 {"
        + ", ".join(f"k{k}: lol" for k in range(9))
        + "}\n"
        + "".join(f"m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * 9)}]}}\n" for i in range(1, 9))
    ).encode(),
    "one-long-value-aliased-many-times": lambda: (
        "member: IDN\nlong: &s "
        + "x" * 1_000_000
        + "\nactions:\n  - title: x\n    notes: ["
        + ", ".join(["*s"] * 20_000)
        + "]\n"
    ).encode(),
    "list-that-contains-itself": lambda: b"member: IDN\nactions:\n  - title: x\n    notes: &n [a, *n]\n",
    "nesting-multiplied-by-aliases": lambda: (
        "".join(f"d{i}: &d{i} " + "[" * 40 + (f"*d{i - 1}" if i else "x") + "]" * 40 + "\n" for i in range(30))
        + "member: IDN\nactions:\n  - title: x\n    notes: *d29\n"
    ).encode(),
}


def _parsed_in_a_child(data: bytes) -> str:
    """The code a YAML member file is refused with, parsed in a child with 400 MB and 30 s (or why it died)."""
    try:
        output = run_child(
            "loaders.content", pickle.dumps(("IDN.yaml", "IDN.yaml", data)), memory=400 << 20, timeout=30
        )
    except ChildFailedError as exc:
        return f"the parse was not bounded: {exc}"
    kind, result = pickle.loads(output)
    return result.code if kind == "refused" else f"accepted as {kind}"


@pytest.mark.parametrize("spelling", list(YAML_BOMBS))
def test_yaml_that_expands_is_refused_within_bounded_memory_and_time_whatever_its_spelling(spelling: str) -> None:
    data = YAML_BOMBS[spelling]()
    assert len(data) < 1_100_000

    assert _parsed_in_a_child(data) == "yaml-too-complex"


def test_yaml_anchor_names_beyond_ascii_are_not_anchors_the_parser_takes() -> None:
    bomb = _laughs(lambda i, b: f"l{i}: &\u00e4{i} {b}\n".replace(f"*a{i - 1}", f"*\u00e4{i - 1}"))

    assert _parsed_in_a_child(bomb) == "yaml-syntax"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(_laughs(lambda i, b: f"l{i}: &a{i} {b}\n", levels=7).decode(), id="values"),
        pytest.param("s: &s " + "x" * 5_000 + "\nl: [" + ", ".join(["*s"] * 200) + "]\n", id="characters"),
        pytest.param("d: &d " + "[" * 60 + "x" + "]" * 60 + "\ne: " + "[" * 60 + "*d" + "]" * 60 + "\n", id="depth"),
    ],
)
def test_yaml_fast_builder_counts_what_it_builds_even_if_an_anchor_got_past_the_gate(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(safe_yaml, "_needs_full_check", lambda _: False)  # as if an anchor had slipped past
    monkeypatch.setattr(safe_yaml, "MAX_EXPANDED_NODES", 100_000)
    monkeypatch.setattr(safe_yaml, "MAX_EXPANDED_CHARS", 500_000)

    with pytest.raises(safe_yaml.YamlError) as refused:
        safe_yaml.load_yaml_text(text)

    assert refused.value.code == "yaml-too-complex"


# The size walk of documents with anchors, in this process (the bombs above are parsed in a child, where a
# walk that counted wrong would still be stopped by the child's limits): exact counts on a small document,
# with the limits lowered to just above and just below them.
_ALIASED = "# counted by hand\ns: &x [p, q]\nl: [*x, *x, *x]\n"
# values: the root 1, s 1, x 3 (the list, p, q), l 1, the aliasing list 1 + 3 x 3 = 10 -> the root 16
# characters: s, p, q, l and the aliasing list's 3 x 2 = 6 -> the root 10
# heights: p 1, x 2, the aliasing list 3, the root 4
_TOO_MANY = (
    "the file expands to more values than any member file holds (it repeats aliases such as *name many times "
    "over); write the values out without anchors and aliases"
)
_TOO_LONG = (
    "the file expands to more text than any member file holds (it repeats a long value through aliases such "
    "as *name); write the values out without anchors and aliases"
)


@pytest.mark.parametrize(
    ("limit", "value", "refused"),
    [
        pytest.param("MAX_EXPANDED_NODES", 16, None, id="values-at-the-limit"),
        pytest.param("MAX_EXPANDED_NODES", 15, (2, _TOO_MANY), id="values-over-at-the-root"),
        pytest.param("MAX_EXPANDED_NODES", 9, (3, _TOO_MANY), id="values-over-at-the-aliasing-list"),
        pytest.param("MAX_EXPANDED_CHARS", 10, None, id="characters-at-the-limit"),
        pytest.param("MAX_EXPANDED_CHARS", 9, (2, _TOO_LONG), id="characters-over-at-the-root"),
        pytest.param("MAX_EXPANDED_CHARS", 5, (3, _TOO_LONG), id="characters-over-at-the-aliasing-list"),
        pytest.param("MAX_DEPTH", 4, None, id="depth-at-the-limit"),
        pytest.param(
            "MAX_DEPTH",
            3,
            (
                2,
                "the values are nested more than 3 levels deep; a member file needs only a few levels (a list of "
                "actions, each a mapping of fields)",
            ),
            id="depth-over-at-the-root",
        ),
        pytest.param(
            "MAX_DEPTH",
            2,
            (
                3,
                "the values are nested more than 2 levels deep; a member file needs only a few levels (a list of "
                "actions, each a mapping of fields)",
            ),
            id="depth-over-at-the-aliasing-list",
        ),
    ],
)
def test_yaml_size_walk_counts_every_alias_exactly(
    limit: str, value: int, refused: tuple[int, str] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(safe_yaml, limit, value)

    if refused is None:
        assert safe_yaml.strip_lines(safe_yaml.load_yaml_text(_ALIASED)) == {
            "s": ["p", "q"],
            "l": [["p", "q"]] * 3,
        }
        return
    with pytest.raises(safe_yaml.YamlError) as caught:
        safe_yaml.load_yaml_text(_ALIASED)
    assert (caught.value.code, caught.value.line, caught.value.message) == ("yaml-too-complex", *refused)
    assert str(caught.value) == refused[1]


def test_yaml_value_that_contains_itself_is_refused_in_process() -> None:
    with pytest.raises(safe_yaml.YamlError) as caught:
        safe_yaml.load_yaml_text("member: IDN\nnotes: &n [a, [b, *n]]\n")

    assert (caught.value.code, caught.value.line) == ("yaml-too-complex", 2)
    assert caught.value.message == (
        "a value contains itself through an alias (*name inside the value marked &name), so it has no end; "
        "write the values out without anchors and aliases"
    )
