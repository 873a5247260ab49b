"""Build the member-file fixtures under ``tests/data/`` deterministically.

Run from the project root::

    .venv/bin/python tests/make_fixtures.py            # everything (needs LibreOffice)
    .venv/bin/python tests/make_fixtures.py --no-libreoffice

openpyxl, CSV, YAML and plain-byte fixtures are rebuilt byte for byte (fixed zip
timestamps and document dates), so ``test_tables`` can check that the committed
files are what this script makes. The files "written by other tools" are made
by converting the openpyxl workbook with LibreOffice (``soffice --headless
--convert-to``), and the password-protected workbook by saving it through
LibreOffice's UNO API (needs ``python3-uno``); they are committed, so neither
LibreOffice nor UNO is needed to run the tests.

Each invalid fixture holds one problem, in ``data/invalid/<problem>/``, and
``data/invalid/expected.yaml`` lists the ``(row, field, code)`` issues it must
give. The expectations are written here by hand, next to the file they describe.

The writers (:func:`write_xlsx`, :func:`write_csv`, :func:`write_yaml`, ...) are
also used by the tests to build small inputs in ``tmp_path``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from loaders.fields import FIELDS, LABELS, field_for_header  # noqa: E402

DATA_DIR = Path(__file__).resolve().parent / "data"
VALID_DIR = DATA_DIR / "valid"
INVALID_DIR = DATA_DIR / "invalid"

#: The reference date of every test ("last updated" may not pass it).
TODAY = dt.date(2026, 11, 28)
#: Header labels in template order.
HEADER: tuple[str, ...] = tuple(f.label for f in FIELDS)
#: Timestamp written into every generated workbook so rebuilds are byte-identical.
_FIXED_TIME = dt.datetime(2026, 1, 1)

Row = Mapping[str, Any] | Sequence[Any] | None


# --- writers ---------------------------------------------------------------------------------


def valid_row(**values: Any) -> dict[str, Any]:
    """A valid action row for IDN (field name -> cell value); ``values`` override fields."""
    row: dict[str, Any] = {
        "member": "IDN",
        "commitments": "ASC-1",
        "title": "Border liaison offices",
        "status": "Limited",
        "last_updated": "2024-03-01",
    }
    row.update(values)
    return row


def grid(
    rows: Iterable[Row], header: Sequence[Any] = HEADER, preamble: Iterable[Sequence[Any]] = ()
) -> list[list[Any]]:
    """Lay rows out under a header, as the cells of a sheet.

    Args:
        rows: a mapping (keyed by field name, or by the literal header text for
            columns outside the template), a list of cell values, or None for a
            blank row.
        header: the header cells.
        preamble: rows above the header (titles, notes; ``[]`` for a blank row).
    """
    out = [list(r) for r in preamble]
    out.append(list(header))
    for row in rows:
        if row is None:
            out.append([])
        elif isinstance(row, Mapping):
            out.append([_value_for(row, h) for h in header])
        else:
            out.append(list(row))
    return out


def _value_for(row: Mapping[str, Any], header_cell: Any) -> Any:
    field = field_for_header(header_cell)
    return row.get(field) if field is not None and field in row else row.get(str(header_cell))


def write_workbook(path: Path, sheets: Mapping[str, list[list[Any]]], hidden: Iterable[str] = ()) -> Path:
    """Write an .xlsx with openpyxl: one sheet per ``sheets`` entry, in order."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, cells in sheets.items():
        sheet = workbook.create_sheet(title)
        for r, row in enumerate(cells, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(r, c, value)
    for title in hidden:
        workbook[title].sheet_state = "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_deterministic_zip(buffer.getvalue()))
    return path


def write_xlsx(
    path: Path,
    rows: Iterable[Row],
    header: Sequence[Any] = HEADER,
    preamble: Iterable[Sequence[Any]] = (),
    sheet: str = "Actions",
) -> Path:
    """Write a one-sheet workbook of ``rows`` (see :func:`grid`)."""
    return write_workbook(path, {sheet: grid(rows, header, preamble)})


def write_csv(
    path: Path,
    rows: Iterable[Row],
    header: Sequence[Any] = HEADER,
    preamble: Iterable[Sequence[Any]] = (),
    delimiter: str = ",",
    bom: bool = True,
) -> Path:
    """Write a CSV (UTF-8, with a BOM as Excel's "CSV UTF-8" writes it by default)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in grid(rows, header, preamble):
        writer.writerow(["" if v is None else _csv_text(v) for v in row])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig" if bom else "utf-8"))
    return path


def _csv_text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def write_yaml(path: Path, actions: Iterable[Mapping[str, Any]], member: str | None = "IDN") -> Path:
    """Write a YAML member file (``member:`` then ``actions:``), one line per field.

    The first action starts on line 3 and each action takes one line per key
    (values, lists included, are written inline), so the line of an action is
    easy to state in a test.
    """
    lines = [] if member is None else [f"member: {_yaml_inline(member)}"]  # a string, never a date or number
    lines.append("actions:" if actions else "actions: []")
    for action in actions:
        items = list(action.items()) or [("", None)]
        for n, (key, value) in enumerate(items):
            plain_key = isinstance(key, str) and re.fullmatch(r"[A-Za-z_][\w ]*", key) is not None
            name = key if plain_key else _yaml_inline(key)
            entry = "{}" if key == "" else f"{name}: {_yaml_inline(value)}"
            lines.append(("  - " if n == 0 else "    ") + entry)
    return write_text(path, "\n".join(lines) + "\n")


def _yaml_inline(value: Any) -> str:
    """One value on one line: strings double-quoted (line breaks and control characters escaped)."""
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_yaml_inline(k)}: {_yaml_inline(v)}" for k, v in value.items()) + "}"
    style = '"' if isinstance(value, str) else None
    text = yaml.safe_dump(value, default_style=style, allow_unicode=True, width=10**6)
    return text.removesuffix("\n").removesuffix("\n...")


def write_text(path: Path, text: str | bytes) -> Path:
    """Write a file verbatim (UTF-8 for text)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def _deterministic_zip(data: bytes) -> bytes:
    """Rewrite an openpyxl zip with fixed timestamps so rebuilds are byte-identical."""
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), content)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6]), content)
    return out.getvalue()


# --- legacy .xls written by hand (BIFF8 in a compound file) ------------------------------------
#
# Small enough to read: tests need records no writer would produce (a DIMENSIONS record that lies,
# a cell far away, a macro sheet, an external link, strings split across CONTINUE records).


def biff_record(kind: int, body: bytes = b"") -> bytes:
    """One BIFF record: type, length, body."""
    return struct.pack("<HH", kind, len(body)) + body


def biff_number(row: int, col: int, value: float) -> bytes:
    """A NUMBER cell record."""
    return biff_record(0x0203, struct.pack("<HHHd", row, col, 15, value))


def biff_string(row: int, col: int, index: int) -> bytes:
    """A LABELSST cell record: shared string ``index``."""
    return biff_record(0x00FD, struct.pack("<HHHI", row, col, 15, index))


def biff_dimensions(rows: int, cols: int, first_row: int = 0, first_col: int = 0) -> bytes:
    """A DIMENSIONS record declaring rows ``first_row``..``rows - 1`` and columns ``first_col``..``cols - 1``."""
    return biff_record(0x0200, struct.pack("<IIHHH", first_row, rows, first_col, cols, 0))


def _biff_bof(kind: int) -> bytes:
    return biff_record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))


def _biff_sst(strings: Sequence[str], max_record: int) -> bytes:
    """SST and CONTINUE records of at most ``max_record`` bytes each, characters split as Excel splits them."""
    records: list[bytearray] = [bytearray(struct.pack("<II", len(strings), len(strings)))]
    for text in strings:
        wide = not text.isascii()
        header = struct.pack("<HB", len(text), int(wide))
        if len(records[-1]) + len(header) + 1 > max_record:
            records.append(bytearray())  # a string header is never split
        records[-1] += header
        width = 2 if wide else 1
        encoded = text.encode("utf-16-le" if wide else "latin-1")
        while encoded:
            room = (max_record - len(records[-1])) // width * width
            if room == 0:  # the characters go on in a CONTINUE record, which starts with the width flag
                records.append(bytearray([int(wide)]))
                continue
            records[-1] += encoded[:room]
            encoded = encoded[room:]
    return b"".join(biff_record(0x00FC if i == 0 else 0x003C, bytes(r)) for i, r in enumerate(records))


def biff8_workbook(
    sheets: Sequence[tuple[str, int, bytes]],
    strings: Sequence[str] = (),
    globals_extra: bytes = b"",
    max_record: int = 8224,
    hidden: Iterable[str] = (),
    positions: Sequence[int | None] = (),
) -> bytes:
    """An .xls file: ``sheets`` as (name, BIFF sheet type, cell records), ``strings`` in its SST.

    Sheet type 0 is a worksheet, 1 an Excel 4.0 macro sheet, 2 a chart, 6 a VBA module.
    ``positions`` lists stream offsets to put in the sheet list instead of the real ones (None: real).
    """
    return compound_file(biff8_stream(sheets, strings, globals_extra, max_record, hidden, positions))


def biff8_stream(
    sheets: Sequence[tuple[str, int, bytes]],
    strings: Sequence[str] = (),
    globals_extra: bytes = b"",
    max_record: int = 8224,
    hidden: Iterable[str] = (),
    positions: Sequence[int | None] = (),
) -> bytes:
    """The Workbook stream of :func:`biff8_workbook`."""
    xf = biff_record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    head = _biff_bof(0x0005) + biff_record(0x0042, struct.pack("<H", 0x04B0)) + xf * 16 + globals_extra
    sst = _biff_sst(strings, max_record) if strings else b""
    hidden = set(hidden)

    def listing(offsets: Sequence[int]) -> bytes:
        return b"".join(
            biff_record(
                0x0085,
                struct.pack("<IBBBB", at, int(name in hidden), kind, len(name), 1) + name.encode("utf-16-le"),
            )
            for at, (name, kind, _) in zip(offsets, sheets, strict=True)
        )

    start = len(head) + len(listing([0] * len(sheets))) + len(sst) + 4
    bodies = [_biff_bof(0x0010) + cells + biff_record(0x000A) for _, _, cells in sheets]
    offsets = [start + sum(map(len, bodies[:i])) for i in range(len(bodies))]
    given = [*positions, *[None] * len(offsets)]
    offsets = [at if moved is None else moved for at, moved in zip(offsets, given[: len(offsets)], strict=True)]
    return head + listing(offsets) + sst + biff_record(0x000A) + b"".join(bodies)


def compound_file(stream: bytes, name: str = "Workbook") -> bytes:
    """A version-3 compound (OLE) file holding one stream, padded to the 4096-byte mini-stream cutoff."""
    stream = stream.ljust(4096, b"\0")
    sectors = -(-len(stream) // 512)
    fat_sectors = -(-(sectors + 2) // 127)
    first = fat_sectors + 1  # FAT sectors, then the directory, then the stream
    fat = [0xFFFFFFFD] * fat_sectors + [0xFFFFFFFE] + [first + i + 1 for i in range(sectors - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (fat_sectors * 128 - len(fat))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack(
            "<HHHHH6xIIIIIIIII",
            0x3E,
            3,
            0xFFFE,
            9,
            6,
            0,
            fat_sectors,
            fat_sectors,
            0,
            4096,
            0xFFFFFFFE,
            0,
            0xFFFFFFFE,
            0,
        )
        + struct.pack("<109I", *range(fat_sectors), *[0xFFFFFFFF] * (109 - fat_sectors))
    )

    def entry(entry_name: str, kind: int, child: int, sector: int, size: int) -> bytes:
        encoded = entry_name.encode("utf-16-le") + b"\0\0"
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(encoded), kind, 1, 0xFFFFFFFF, 0xFFFFFFFF, child)
            + bytes(36)
            + struct.pack("<IQ", sector, size)
        )

    directory = (entry("Root Entry", 5, 1, 0xFFFFFFFE, 0) + entry(name, 2, 0xFFFFFFFF, first, len(stream))).ljust(
        512, b"\0"
    )
    return header + struct.pack(f"<{len(fat)}I", *fat) + directory + stream.ljust(sectors * 512, b"\0")


# --- the valid set: one content, many writers -------------------------------------------------

VALID_PREAMBLE: list[list[Any]] = [
    ["Commitments Tracker: member action sheet"],
    ["Member: Indonesia", None, "Fill one row per action"],
    [],
]
VALID_HEADER: tuple[str, ...] = (*HEADER, "Focal point")
#: Row 5, a blank row 6, rows 7 and 8 (Excel numbering, header on row 4).
VALID_ROWS: list[Row] = [
    {
        "action_id": "IDN-001",
        "member": "IDN",
        "commitments": "ASC-1; BWP-B.3",
        "title": "Joint investigations with the Royal Thai Police",
        "description": "Two joint operations on the Kalimantan border – “Operasi Bersama”",
        "status": "Complete",
        "start_date": dt.date(2023, 7, 1),
        "due_date": "2024-06-30",
        "last_updated": "15/03/2024",
        "lead_agency": "Bareskrim POLRI",
        "asean_mechanisms": "ACTIP, SOMTC-WG-TIP",
        "evidence": "https://example.org/idn/joint-operations.pdf",
        "origin": "new",
        "confidential": "no",
        "Focal point": "Dewi Lestari",
    },
    None,
    {
        "member": "idn",
        "commitments": "ASC-6.2",
        "title": 2024,
        "status": "  substantial ",
        "start_date": "01/02/2024",
        "due_date": dt.date(2025, 12, 31),
        "last_updated": dt.date(2024, 3, 1),
        "lead_agency": "Kementerian Sosial",
        "evidence": "MoU 12/2024 (KEMLU archive)",
        "origin": "Pre-existing",
        "confidential": "yes",
        "notes": "Partners: ສປປ ລາວ, ไทย",
    },
    {
        "action_id": "IDN-007",
        "member": "IDN",
        "commitments": "ASC-CM,BWP-D",
        "title": "Consultation Mechanism focal point named",
        "status": "NOT STARTED",
        "last_updated": "2024-03-01",
        "asean_mechanisms": "SOMTC",
        "notes": "Follow up at SOMTC",
        "Focal point": "Budi",
    },
]

#: The same three actions as YAML (first action on line 5: two comment lines, then member: and actions:).
VALID_YAML = """\
# Indonesia: actions toward the Adelaide Strategy and the Bohol TIP Work Plan.
# Same content as the spreadsheets in the other valid/ directories.
member: IDN
actions:
  - action_id: IDN-001
    member: IDN
    commitments: [ASC-1, BWP-B.3]
    title: Joint investigations with the Royal Thai Police
    description: Two joint operations on the Kalimantan border – “Operasi Bersama”
    status: Complete
    start_date: 2023-07-01
    due_date: 2024-06-30
    last_updated: 15/03/2024
    lead_agency: Bareskrim POLRI
    asean_mechanisms: [ACTIP, SOMTC-WG-TIP]
    evidence: https://example.org/idn/joint-operations.pdf
    origin: new
    confidential: no
    Focal point: Dewi Lestari
  - commitments: ASC-6.2
    title: 2024
    status: "  substantial "
    start_date: 01/02/2024
    due_date: 2025-12-31
    last_updated: 2024-03-01
    lead_agency: Kementerian Sosial
    evidence: MoU 12/2024 (KEMLU archive)
    origin: Pre-existing
    confidential: yes
    notes: "Partners: ສປປ ລາວ, ไทย"
  - action_id: IDN-007
    commitments: ASC-CM,BWP-D
    title: Consultation Mechanism focal point named
    status: NOT STARTED
    last_updated: "2024-03-01"
    asean_mechanisms: SOMTC
    notes: Follow up at SOMTC
    Focal point: Budi
"""


def build_valid(out: Path) -> None:
    """The valid set: the same actions written by openpyxl, as CSV and as YAML."""
    write_xlsx(out / "openpyxl" / "IDN.xlsx", VALID_ROWS, VALID_HEADER, VALID_PREAMBLE)
    write_csv(out / "csv-comma" / "IDN.csv", VALID_ROWS, VALID_HEADER, VALID_PREAMBLE, delimiter=",")
    write_csv(out / "csv-semicolon" / "IDN.csv", VALID_ROWS, VALID_HEADER, VALID_PREAMBLE, delimiter=";")
    # Excel's "Unicode Text" and some exports: UTF-16 with a byte order mark, read like UTF-8.
    utf16 = write_csv(out / "csv-utf16" / "IDN.csv", VALID_ROWS, VALID_HEADER, VALID_PREAMBLE, bom=False)
    utf16.write_bytes(utf16.read_text(encoding="utf-8").encode("utf-16"))
    write_text(out / "yaml" / "IDN.yaml", VALID_YAML)


#: LibreOffice conversions of valid/openpyxl/IDN.xlsx: directory -> (suffix, soffice filter).
LIBREOFFICE_VARIANTS: dict[str, tuple[str, str]] = {
    "libreoffice-xlsx": (".xlsx", "xlsx:Calc MS Excel 2007 XML"),
    "libreoffice-ods": (".ods", "ods:calc8"),
    "libreoffice-xls": (".xls", "xls:MS Excel 97"),
}


# --- the invalid set: one problem per directory ----------------------------------------------

Expected = list[tuple[int | None, str | None, str]]
Builder = Callable[[Path], Any]
#: problem directory -> (builder, expected (row, field, code) issues); insertion order is kept.
PROBLEMS: dict[str, tuple[Builder, Expected]] = {}
REQUIRED_FIELDS = ("member", "commitments", "title", "status", "last_updated")


def problem(name: str, expected: Expected) -> Callable[[Builder], Builder]:
    """Register the builder of ``invalid/<name>/`` and the issues it must give."""

    def register(builder: Builder) -> Builder:
        PROBLEMS[name] = (builder, expected)
        return builder

    return register


def rows_problem(name: str, rows: list[Row], expected: Expected, header: Sequence[Any] = HEADER) -> None:
    """Register a one-sheet IDN.xlsx: header on row 1, a valid row 2, then ``rows`` from row 3."""
    problem(name, expected)(lambda d: write_xlsx(d / "IDN.xlsx", [valid_row(), *rows], header))


def yaml_problem(name: str, text: str, expected: Expected, file: str = "IDN.yaml") -> None:
    """Register a YAML file given verbatim (so the lines in ``expected`` can be read off it)."""
    problem(name, expected)(lambda d: write_text(d / file, text))


# Reading the header ---------------------------------------------------------------------------

for _name in REQUIRED_FIELDS:
    rows_problem(
        f"missing-column-{_name.replace('_', '-')}",
        [],
        [(None, _name, "missing-column")],
        header=[label for field, label in LABELS.items() if field != _name],
    )

problem("header-not-in-first-10-rows", [(None, f, "missing-column") for f in REQUIRED_FIELDS])(
    lambda d: write_xlsx(
        d / "IDN.xlsx",
        [valid_row()],
        preamble=[[f"Note {n}: read the guidance sheet before filling in this one"] for n in range(1, 11)],
    )
)
rows_problem("duplicate-column", [valid_row()], [(1, "status", "duplicate-column")], header=[*HEADER, "status"])
rows_problem(
    "unknown-column",
    [valid_row(**{"Focal point": "Dewi Lestari"})],
    [(1, None, "unknown-column")],
    header=[*HEADER, "Focal point"],
)

# Row values -----------------------------------------------------------------------------------

rows_problem(
    "missing-value",
    [valid_row(**{f: None}) for f in REQUIRED_FIELDS],
    [(3 + n, f, "missing-value") for n, f in enumerate(REQUIRED_FIELDS)],
)
rows_problem("commitments-only-separators", [valid_row(commitments=" ; , ")], [(3, "commitments", "missing-value")])
rows_problem("unknown-member-in-row", [valid_row(member="XYZ")], [(3, "member", "unknown-member")])
rows_problem("member-of-another-country-in-row", [valid_row(member="THA")], [(3, "member", "member-mismatch")])
rows_problem("unknown-commitment", [valid_row(commitments="ASC-1; ASC-9")], [(3, "commitments", "unknown-commitment")])
rows_problem(
    "unknown-mechanism",
    [valid_row(asean_mechanisms="ACTIP; ASEAN-XYZ")],
    [(3, "asean_mechanisms", "unknown-mechanism")],
)
rows_problem("unknown-status", [valid_row(status="Almost done")], [(3, "status", "unknown-status")])
rows_problem(
    "bad-date-text",
    [valid_row(start_date=v) for v in ("March 2024", "2024/03/01", "31-03-2024", 45352)],
    [(r, "start_date", "bad-date") for r in (3, 4, 5, 6)],
)
rows_problem(
    "date-does-not-exist",
    [valid_row(start_date="2023-02-30"), valid_row(due_date="31/04/2024")],
    [(3, "start_date", "bad-date"), (4, "due_date", "bad-date")],
)
rows_problem(
    "due-before-start",
    [
        valid_row(start_date="2024-05-01", due_date="30/04/2024"),
        valid_row(start_date="2024-05-01", due_date="2024-05-01"),
    ],
    [(3, "due_date", "due-before-start")],
)
rows_problem(
    "last-updated-in-future",
    [valid_row(last_updated=(TODAY + dt.timedelta(days=1)).isoformat()), valid_row(last_updated=TODAY.isoformat())],
    [(3, "last_updated", "future-date")],
)
rows_problem(
    "title-too-long",
    [valid_row(title="x" * 200), valid_row(title="y" * 201)],
    [(4, "title", "title-too-long")],
)
rows_problem(
    "complete-without-evidence",
    [valid_row(status="Complete", evidence="https://example.org/report.pdf"), valid_row(status="complete")],
    [(4, "evidence", "evidence-required")],
)
rows_problem(
    "broken-evidence-url",
    [valid_row(evidence="Ministerial decree 12/2024")]
    + [valid_row(evidence=v) for v in ("https//example.org/report", "www.example.org/report", "http://")],
    [(r, "evidence", "bad-evidence") for r in (4, 5, 6)],
)
rows_problem("bad-origin", [valid_row(origin="old")], [(3, "origin", "bad-origin")])
rows_problem("bad-confidential", [valid_row(confidential="maybe")], [(3, "confidential", "bad-confidential")])
rows_problem(
    "duplicate-action-id-in-file",
    [valid_row(action_id="IDN-001"), valid_row(action_id="idn-001")],
    [(4, "action_id", "duplicate-action-id")],
)
rows_problem(
    "action-id-of-another-member",
    [valid_row(action_id="THA-001"), valid_row(action_id="IDN-01A")],
    [(3, "action_id", "bad-action-id"), (4, "action_id", "bad-action-id")],
)


@problem("duplicate-action-id-across-files", [(4, "action_id", "duplicate-action-id")])
def _duplicate_across_files(d: Path) -> None:
    write_xlsx(d / "IDN.xlsx", [valid_row(action_id="IDN-001")])
    write_text(
        d / "IDN.yaml",
        "# The same action id as row 2 of IDN.xlsx; both files are checked together.\n"
        "member: IDN\n"
        "actions:\n"
        "  - action_id: IDN-001\n"
        "    commitments: ASC-2\n"
        "    title: Victim referral guidelines\n"
        "    status: Limited\n"
        "    last_updated: 2024-03-01\n",
    )


# Whole files ----------------------------------------------------------------------------------

problem("unknown-member-file", [(None, "member", "unknown-member")])(
    lambda d: write_xlsx(d / "XYZ.xlsx", [valid_row(member="XYZ")])
)
problem("bad-file-name", [(None, None, "bad-file-name")])(lambda d: write_xlsx(d / "IDN actions.xlsx", [valid_row()]))
problem("xlsm-refused", [(None, None, "macro-workbook-refused")])(lambda d: write_xlsx(d / "IDN.xlsm", [valid_row()]))
problem("renamed-text-file", [(None, None, "not-a-workbook")])(
    lambda d: write_text(
        d / "IDN.xlsx", "Member,Commitment IDs,Action title,Status,Last updated\nIDN,ASC-1,x,Limited,2024-03-01\n"
    )
)
problem("unsupported-extension", [(None, None, "unsupported-format")])(
    lambda d: write_text(d / "IDN.json", json.dumps({"member": "IDN", "actions": [valid_row()]}))
)
problem("binary-csv", [(None, None, "not-a-csv")])(
    lambda d: write_text(d / "IDN.csv", b"Member,Commitment IDs\x00\x01\x02\xff\xfe binary")
)
problem("csv-too-many-columns", [(3, None, "too-many-columns")])(
    lambda d: write_text(
        d / "IDN.csv", ",".join(HEADER) + "\r\nIDN,ASC-1,x,,Limited,,,2024-03-01\r\n" + "," * 300 + "\r\n"
    )
)


def write_package(
    path: Path, rows: Iterable[Row], change: Callable[[str, bytes], bytes], extra: Mapping[str, bytes]
) -> Path:
    """An IDN.xlsx of ``rows`` with each part passed through ``change`` and ``extra`` parts added (fixed times)."""
    data = write_xlsx(path, rows).read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        parts = [(i.filename, change(i.filename, source.read(i))) for i in source.infolist()]
        for name, content in [*parts, *extra.items()]:
            target.writestr(zipfile.ZipInfo(name, date_time=_FIXED_TIME.timetuple()[:6]), content)
    path.write_bytes(out.getvalue())
    return path


def _in_part(name: str, old: bytes, new: bytes) -> Callable[[str, bytes], bytes]:
    return lambda part, content: content.replace(old, new) if part == name else content


problem("vba-project-in-xlsx", [(None, None, "macro-workbook-refused")])(
    # A macro-enabled workbook saved under .xlsx: the VBA project part is what gives it away.
    lambda d: write_package(
        d / "IDN.xlsx",
        [valid_row()],
        _in_part(
            "[Content_Types].xml",
            b"</Types>",
            b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
        ),
        {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 (a VBA project would be here)"},
    )
)
problem("external-link-in-xlsx", [(None, None, "active-content-refused")])(
    lambda d: write_package(
        d / "IDN.xlsx",
        [valid_row()],
        _in_part(
            "xl/_rels/workbook.xml.rels",
            b"</Relationships>",
            b'<Relationship Id="rIdX" Target="externalLinks/externalLink1.xml" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/externalLink"/></Relationships>',
        ),
        {
            "xl/externalLinks/externalLink1.xml": b'<externalLink xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><externalBook r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships"/></externalLink>',
        },
    )
)
problem("far-cell-single-quoted", [(None, None, "sheet-too-large")])(
    # One stray value at XFD1048576, its reference in single quotes: 17 billion cells for the reader.
    lambda d: write_package(
        d / "IDN.xlsx",
        [valid_row()],
        _in_part(
            "xl/worksheets/sheet1.xml",
            b"</sheetData>",
            b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row></sheetData>",
        ),
        {},
    )
)

#: Built by LibreOffice (see build_encrypted); kept as committed when LibreOffice is missing.
problem("password-protected", [(None, None, "encrypted-workbook")])(lambda d: None)

yaml_problem(
    "yaml-member-mismatch",
    "# Thailand's actions saved under Indonesia's file name\n"
    "member: THA\n"
    "actions:\n"
    "  - commitments: ASC-1\n"
    "    title: Border liaison offices\n"
    "    status: Limited\n"
    "    last_updated: 2024-03-01\n",
    [(2, "member", "member-mismatch")],
)
yaml_problem(
    "yaml-unsafe-tag",
    "member: IDN\n"
    "actions:\n"
    "  - commitments: ASC-1\n"
    "    title: Border liaison offices\n"
    '    status: !!python/object/apply:os.system ["echo this must never run"]\n'
    "    last_updated: 2024-03-01\n",
    [(5, None, "yaml-unsafe-tag")],
)
yaml_problem(
    "yaml-syntax",
    "member: IDN\n"
    "actions:\n"
    "  - commitments: ASC-1\n"
    "    title: Border liaison offices\n"
    "   status: Limited\n"
    "    last_updated: 2024-03-01\n",
    [(5, None, "yaml-syntax")],
)
yaml_problem(
    "yaml-structure",
    "member: IDN\nactions:\n  commitments: ASC-1\n  title: Border liaison offices\n",
    [(None, None, "yaml-structure")],
)
yaml_problem(
    "yaml-date-does-not-exist",
    "member: IDN\n"
    "actions:\n"
    "  - commitments: ASC-1\n"
    "    title: Border liaison offices\n"
    "    status: Limited\n"
    "    last_updated: 2024-03-01\n"
    "  - commitments: ASC-2\n"
    "    title: Victim referral guidelines\n"
    "    status: Limited\n"
    "    start_date: 2023-02-30\n"
    "    last_updated: 2024-03-01\n",
    [(7, "start_date", "bad-date")],
)
yaml_problem(
    "yaml-alias-bomb",
    "# Nine levels of nine aliases: 387 million values from a few hundred bytes.\n"
    "lol: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"l{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 9))
    + "member: IDN\n"
    "actions:\n"
    "  - commitments: ASC-1\n"
    "    title: *a8\n",
    # Line 8 (l6, 9**7 values) is the first node past the 5 million limit.
    [(8, None, "yaml-too-complex")],
)


def build_invalid(out: Path) -> None:
    """Every invalid problem directory and ``expected.yaml`` (LibreOffice-made files excepted)."""
    for name, (builder, _) in PROBLEMS.items():
        builder(out / name)
    manifest = {name: [list(issue) for issue in expected] for name, (_, expected) in PROBLEMS.items()}
    text = yaml.safe_dump(manifest, sort_keys=False, default_flow_style=None, width=200)
    header = (
        "# Expected issues of each invalid fixture: problem directory -> [row, field, code] per issue.\n"
        "# row is the Excel row (or YAML line), null for the whole file; field is the canonical field name.\n"
        "# Generated by tests/make_fixtures.py from the expectations written there; edit them there.\n"
    )
    write_text(out / "expected.yaml", header + text)


# --- LibreOffice --------------------------------------------------------------------------------

_ENCRYPT_WITH_UNO = r"""
import os, signal, subprocess, sys, time
import uno
from com.sun.star.beans import NamedValue, PropertyValue

def prop(cls, name, value):
    p = cls(); p.Name = name; p.Value = value; return p

src, dst, profile, port = sys.argv[1:5]
office = subprocess.Popen(["soffice", "--headless", "--invisible", "--norestore", "-env:UserInstallation=" + profile,
                           "--accept=socket,host=127.0.0.1,port=%s;urp;" % port], start_new_session=True)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            ctx = resolver.resolve("uno:socket,host=127.0.0.1,port=%s;urp;StarOffice.ComponentContext" % port)
            break
        except Exception:
            time.sleep(0.5)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    hidden = (prop(PropertyValue, "Hidden", True),)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, hidden)
    # OOXML "Standard" encryption with password "secret": what Excel writes for File > Protect Workbook.
    secret = uno.Any("[]com.sun.star.beans.NamedValue",
                     (prop(NamedValue, "OOXPassword", "secret"), prop(NamedValue, "CryptoType", "Standard")))
    store = (prop(PropertyValue, "FilterName", "Calc MS Excel 2007 XML"), prop(PropertyValue, "EncryptionData", secret))
    uno.invoke(doc, "storeToURL", (uno.systemPathToFileUrl(dst), store))
    doc.close(True)
finally:
    os.killpg(office.pid, signal.SIGTERM)
    office.wait(timeout=60)
"""


def convert_with_libreoffice(source: Path, target: Path, convert_to: str, work: Path) -> Path:
    """Convert ``source`` with ``soffice --headless --convert-to`` and move the result to ``target``."""
    out = work / "out"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            convert_to,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    made = out / f"{source.stem}{target.suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(made, target)
    return target


def build_libreoffice(valid: Path, invalid: Path) -> None:
    """The files written by LibreOffice: .xlsx, .ods and .xls copies of the valid set; an encrypted .xlsx."""
    source = valid / "openpyxl" / "IDN.xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for directory, (suffix, convert_to) in LIBREOFFICE_VARIANTS.items():
            convert_with_libreoffice(source, valid / directory / f"IDN{suffix}", convert_to, work)
        plain = write_xlsx(work / "IDN.xlsx", [valid_row()])
        target = invalid / "password-protected" / "IDN.xlsx"
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["/usr/bin/python3", "-c", _ENCRYPT_WITH_UNO, str(plain), str(target), (work / "uno").as_uri(), "2103"],
            check=True,
            capture_output=True,
            timeout=180,
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Rebuild the fixtures; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-libreoffice", action="store_true", help="keep the committed LibreOffice-made files")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="where to write (default: tests/data)")
    args = parser.parse_args(argv)
    build_valid(args.out / "valid")
    build_invalid(args.out / "invalid")
    if not args.no_libreoffice:
        if shutil.which("soffice") is None:
            print("soffice not found: install libreoffice-calc-nogui and python3-uno, or pass --no-libreoffice")
            return 1
        build_libreoffice(args.out / "valid", args.out / "invalid")
    print(f"fixtures written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def xls_with_entry_named(entry: str) -> bytes:
    """The valid .xls with its SummaryInformation stream renamed (the directory holds names as UTF-16)."""
    data = bytearray((VALID_DIR / "libreoffice-xls" / "IDN.xls").read_bytes())
    old = "\x05SummaryInformation".encode("utf-16-le") + b"\0\0"
    at = data.index(old)
    name = entry.encode("utf-16-le") + b"\0\0"
    data[at : at + 64] = name.ljust(64, b"\0")
    struct.pack_into("<H", data, at + 64, len(name))
    return bytes(data)
