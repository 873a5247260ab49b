"""The container checks, called directly on small packages built here: the exact issue for each refusal.

Every expected message is written out by hand (where, what, how to fix), so a
change of a marker, a limit, a label or a word shows here.
"""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from loaders import limits, package
from loaders.issues import Issue
from loaders.package import column_letter, container_problem
from loaders.sheet_extent import SheetXmlError
from loaders.zip_parts import Package
from tests.make_fixtures import (
    biff8_stream,
    biff8_workbook,
    biff_dimensions,
    biff_number,
    compound_file,
    xls_with_entry_named,
)

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SAVE = "save it as a plain workbook without them (File > Save As > Excel Workbook (.xlsx)) and upload that"
_KIND = {
    "macros": (
        "macro-workbook-refused",
        "macros (a VBA project or macro sheets), which could run code when the file is opened",
        "remove them: " + _SAVE,
    ),
    "activex": (
        "active-content-refused",
        "ActiveX controls, which run code inside Excel",
        "delete the controls (Developer > Design Mode, select them, Delete), then " + _SAVE,
    ),
    "objects": (
        "active-content-refused",
        "embedded objects (OLE objects or packages such as a document inside the workbook)",
        "delete them (select the object, Delete), then " + _SAVE,
    ),
    "links": (
        "active-content-refused",
        "links to other workbooks or external data, which are fetched when the file is opened",
        "break the links (Data > Edit Links > Break Link; Data > Queries & Connections, delete them), then " + _SAVE,
    ),
}


def _refused(kind: str, label: str, name: str = "IDN.xlsx") -> Issue:
    code, what, fix = _KIND[kind]
    return Issue(
        "error", code, name, None, None, None, f"{name}: the workbook contains {what} ({label}); this is refused; {fix}"
    )


_STAMP = (2024, 3, 1, 0, 0, 0)  # fixed, so that every package built here is the same bytes


def _zip(*parts: tuple[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            archive.writestr(zipfile.ZipInfo(name, _STAMP), data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --- what the file is -------------------------------------------------------------------------


def _not_a_workbook(name: str, message: str) -> Issue:
    return Issue("error", "not-a-workbook", name, None, None, None, message)


@pytest.mark.parametrize(
    ("name", "data", "issue"),
    [
        pytest.param(
            "IDN.xlsx",
            _OLE + b"EncryptedPackage",
            Issue(
                "error",
                "encrypted-workbook",
                "IDN.xlsx",
                None,
                None,
                None,
                "IDN.xlsx: the workbook is password-protected (encrypted), so it cannot be read; remove the password "
                "(File > Info > Protect Workbook) and save again",
            ),
            id="encrypted-xlsx",
        ),
        pytest.param(
            "IOM.ods",
            _OLE,
            Issue(
                "error",
                "encrypted-workbook",
                "IOM.ods",
                None,
                None,
                None,
                "IOM.ods: the workbook is password-protected (encrypted), so it cannot be read; remove the password "
                "(File > Info > Protect Workbook) and save again",
            ),
            id="encrypted-ods",
        ),
        pytest.param(
            "IDN.xlsx",
            b"Member,Status\n",
            _not_a_workbook(
                "IDN.xlsx",
                "IDN.xlsx: the file is not a real .xlsx workbook (perhaps a renamed text or CSV file); open it in "
                "Excel or LibreOffice and save it as .xlsx",
            ),
            id="text-named-xlsx",
        ),
        pytest.param(
            "IOM.ods",
            b"PK\x03",
            _not_a_workbook(
                "IOM.ods",
                "IOM.ods: the file is not a real .ods workbook (perhaps a renamed text or CSV file); open it in "
                "Excel or LibreOffice and save it as .ods",
            ),
            id="short-ods",
        ),
        pytest.param(
            "IDN.xlsx",
            _OLE[:7] + b"\0",
            _not_a_workbook(
                "IDN.xlsx",
                "IDN.xlsx: the file is not a real .xlsx workbook (perhaps a renamed text or CSV file); open it in "
                "Excel or LibreOffice and save it as .xlsx",
            ),
            id="almost-ole-xlsx",
        ),
        pytest.param(
            "IDN.xls",
            b"PK\x03\x04rest",
            _not_a_workbook(
                "IDN.xls",
                "IDN.xls: the file is not a real .xls workbook (perhaps a renamed file); save it as .xlsx",
            ),
            id="zip-named-xls",
        ),
        pytest.param(
            "IDN.xlsx",
            b"PK\x03\x04" + bytes(100),
            _not_a_workbook("IDN.xlsx", "IDN.xlsx: the workbook is damaged (not a valid zip container); save it again"),
            id="damaged-zip",
        ),
        pytest.param("IDN.xls", _OLE + bytes(100), None, id="damaged-ole-left-to-the-reader"),
        pytest.param("IDN.csv", _OLE, None, id="csv-is-no-container"),
        pytest.param("IDN.yaml", b"PK\x03\x04", None, id="yaml-is-no-container"),
    ],
)
def test_the_container_is_told_by_its_bytes(name: str, data: bytes, issue: Issue | None) -> None:
    assert container_problem(name, name[name.rindex(".") :], data) == issue


def test_package_unpacking_to_more_than_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_UNZIPPED_BYTES", 2 * 1_048_576)
    at_limit = _zip(("mimetype", b""), ("a.bin", bytes(1_048_576)), ("b.bin", bytes(1_048_576)))
    over = _zip(("a.bin", bytes(1_048_576)), ("b.bin", bytes(1_572_865)))  # 2.5 MB and 1 byte: "3 MB"

    assert container_problem("IDN.ods", ".ods", at_limit) is None
    assert container_problem("IDN.ods", ".ods", over) == Issue(
        "error",
        "zip-bomb",
        "IDN.ods",
        None,
        None,
        None,
        "IDN.ods: the workbook would unpack to 3 MB, more than the 2 MB allowed; it is refused as unsafe. Copy the "
        "Actions sheet into a new workbook and save that",
    )


# --- active content ---------------------------------------------------------------------------

_CT = "[Content_Types].xml"
_TYPES = '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">{}</Types>'
_RELS = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{}</Relationships>'
_MANIFEST = (
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">{}</manifest:manifest>'
)
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _types(overrides: str) -> tuple[str, bytes]:
    return _CT, _TYPES.format(overrides).encode()


def _rel(rel_type: str, target: str = "x.bin", part: str = "xl/_rels/workbook.xml.rels") -> tuple[str, bytes]:
    return part, _RELS.format(f'<Relationship Id="rId9" Type="{rel_type}" Target="{target}"/>').encode()


def _manifest(entry: str) -> tuple[str, bytes]:
    return "META-INF/manifest.xml", _MANIFEST.format(f"<manifest:file-entry {entry}/>").encode()


_LONG = "xl/embeddings/" + "x" * 100 + ".bin"

# Each marker, found where it can be: a part name, a content type, a part name or relationship type declared,
# a manifest entry. (parts, what is refused, the label the message names)
ACTIVE: dict[str, tuple[list[tuple[str, bytes]], str, str]] = {
    "vba-project": ([("xl/vbaProject.bin", b"")], "macros", "xl/vbaProject.bin"),
    "macro-enabled-type": (
        [
            _types(
                '<Override PartName="/xl/workbook.xml" '
                'ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>'
            )
        ],
        "macros",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    ),
    "macro-sheet": ([("xl/macrosheets/sheet1.xml", b"")], "macros", "xl/macrosheets/sheet1.xml"),
    "basic-first-entry": ([("Basic/Standard/Module1.xml", b"")], "macros", "Basic/Standard/Module1.xml"),
    "scripts": ([("mimetype", b""), ("Scripts/python/x.py", b"")], "macros", "Scripts/python/x.py"),
    "activex": ([("xl/activeX/activeX1.xml", b"")], "activex", "xl/activeX/activeX1.xml"),
    "embeddings": ([("xl/embeddings/a.bin", b"")], "objects", "xl/embeddings/a.bin"),
    "ole-object-type": (
        [_types('<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>')],
        "objects",
        "application/vnd.openxmlformats-officedocument.oleObject",
    ),
    "package-relationship": (
        [_rel(f"{_OFFICE}/package")],
        "objects",
        f"{_OFFICE}/package",
    ),
    "object-folder": ([("Object 1/content.xml", b"")], "objects", "Object 1/content.xml"),
    "object-replacements": ([("ObjectReplacements/Obj1", b"")], "objects", "ObjectReplacements/Obj1"),
    "external-link": ([("xl/externalLinks/externalLink1.xml", b"")], "links", "xl/externalLinks/externalLink1.xml"),
    "connections": ([("xl/connections.xml", b"")], "links", "xl/connections.xml"),
    "connections-relationship": ([_rel(f"{_OFFICE}/connections")], "links", f"{_OFFICE}/connections"),
    "attached-template": ([_rel("a/attachedTemplate")], "links", "a/attachedTemplate"),
    "declared-part-name": (
        [_types('<Override PartName="/xl/embeddings/a.bin" ContentType="application/octet-stream"/>')],
        "objects",
        "/xl/embeddings/a.bin",
    ),
    "manifest-path": ([_manifest('manifest:full-path="Basic/Standard/"')], "macros", "Basic/Standard/"),
    "manifest-path-single-quoted": ([_manifest("manifest:full-path='Scripts/'")], "macros", "Scripts/"),
    "manifest-path-with-a-tab": ([_manifest('manifest:full-path="Object\t1/"')], "objects", "Object 1/"),
    "manifest-media-type": (
        [_manifest('manifest:full-path="x" manifest:media-type="application/vnd.sun.star.oleobject"')],
        "objects",
        "application/vnd.sun.star.oleobject",
    ),
    "content-types-in-utf-16": (
        [(_CT, _TYPES.format('<Default Extension="x" ContentType="a/macroenabled"/>').encode("utf-16"))],
        "macros",
        "a/macroenabled",
    ),
    "content-type-spelled-with-entities": (
        [_types('<Default Extension="x" ContentType="a/&#109;acroEnabled"/>')],
        "macros",
        "a/macroEnabled",
    ),
    "manifest-named-with-backslashes": (
        [("META-INF\\manifest.xml", _MANIFEST.format('<manifest:file-entry manifest:full-path="Basic/"/>').encode())],
        "macros",
        "Basic/",
    ),
    "content-types-any-case": (
        [("[CONTENT_TYPES].XML", _TYPES.format('<Default Extension="x" ContentType="a/macroenabled"/>').encode())],
        "macros",
        "a/macroenabled",
    ),
    "relationships-any-case": (
        [_rel("a/attachedtemplate", part="XL/_RELS/BOOK.XML.RELS")],
        "links",
        "a/attachedtemplate",
    ),
    "manifest-any-case": (
        [("META-INF/MANIFEST.XML", _MANIFEST.format('<manifest:file-entry manifest:full-path="Basic/"/>').encode())],
        "macros",
        "Basic/",
    ),
    "backslash-in-a-name": ([("xl\\vbaProject.bin", b"")], "macros", "xl/vbaProject.bin"),
    "label-cut-to-80": ([(_LONG, b"")], "objects", _LONG[:80]),
    "first-kind-wins": (
        [("xl/activeX/activeX1.xml", b""), ("xl/vbaProject.bin", b"")],
        "macros",
        "xl/vbaProject.bin",
    ),
    "first-label-of-a-kind-wins": (
        [("a.xml", b""), ("xl/macrosheets/sheet1.xml", b""), ("xl/vbaProject.bin", b"")],
        "macros",
        "xl/macrosheets/sheet1.xml",
    ),
    "part-names-before-declared-values": (
        [_rel(f"{_OFFICE}/package", part="a.rels"), ("xl/embeddings/a.bin", b"")],
        "objects",
        "xl/embeddings/a.bin",
    ),
}


@pytest.mark.parametrize("case", list(ACTIVE))
def test_active_content_is_refused_naming_what_was_found(case: str) -> None:
    parts, kind, label = ACTIVE[case]

    assert container_problem("IDN.xlsx", ".xlsx", _zip(*parts)) == _refused(kind, label)


@pytest.mark.parametrize(
    "parts",
    [
        pytest.param([("readme.txt", b"xl/vbaProject.bin macroEnabled")], id="marker-inside-an-ordinary-part"),
        pytest.param([_rel(f"{_OFFICE}/hyperlink", target="https://example.org/embeddings/a.bin")], id="target"),
        pytest.param([_types('<Default Extension="vbaProject" ContentType="application/xml"/>')], id="extension"),
        pytest.param(
            [(_CT, _TYPES.format('<Default Extension="x" ContentType="a/b&amp;c"/>').encode())], id="with-a-reference"
        ),
        pytest.param([("xl/active", b""), ("b", b"")], id="marker-only-across-two-labels"),
        pytest.param([_types("<Default Extension")], id="damaged-declaring-part-without-markers-left-to-the-reader"),
        pytest.param([("content.xml", b"<a><draw:object/></a>")], id="ods-element-without-mimetype"),
        pytest.param([("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")], id="ods-without-content"),
    ],
)
def test_what_only_looks_like_active_content_is_not_refused(parts: list[tuple[str, bytes]]) -> None:
    assert container_problem("IDN.ods", ".ods", _zip(*parts)) is None


def _ods_content(elements: str) -> bytes:
    return _zip(
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", f"<d>{elements}</d>".encode())
    )


@pytest.mark.parametrize(
    ("elements", "kind", "element"),
    [
        ("<office:scripts><office:script/></office:scripts>", "macros", "office:script"),
        ("<office:event-listeners/>", "macros", "office:event-listeners"),
        ("<script:event-listener/>", "macros", "script:event-listener"),
        ("<draw:object/>", "objects", "draw:object"),
        ("<draw:object-ole/>", "objects", "draw:object-ole"),
        ("<table:table-source/>", "links", "table:table-source"),
        ("<table:dde-links/>", "links", "table:dde-links"),
        ("<table:dde-source/>", "links", "table:dde-source"),
        ("<office:scripts/><table:dde-source/><draw:object/><office:script/>", "macros", "office:script"),
        ("<table:dde-source/><table:table-source/>", "links", "table:dde-source"),
    ],
)
def test_ods_elements_that_bind_code_embed_or_link_are_refused(elements: str, kind: str, element: str) -> None:
    issue = container_problem("IDN.ods", ".ods", _ods_content(elements))

    assert issue == _refused(kind, f"content.xml: <{element}>", name="IDN.ods")


def test_ods_elements_are_not_looked_at_once_a_part_name_refuses_the_file() -> None:
    data = _zip(("mimetype", b""), ("Object 1/content.xml", b""), ("content.xml", b"<d><office:script/></d>"))

    assert container_problem("IDN.ods", ".ods", data) == _refused("objects", "Object 1/content.xml", name="IDN.ods")


def test_declaring_part_that_is_not_well_formed_is_not_skipped() -> None:
    """A declaring part is parsed whole (must_parse): its damage is not mistaken for "nothing declared"."""
    damaged = _zip(_types('<Default Extension="x" ContentType="a/b&amp;c"'))
    with Package(damaged) as archive, pytest.raises(SheetXmlError, match=r"\[Content_Types\]\.xml: not well-formed"):
        package._attribute_values(archive, archive.getinfo(_CT))
    # ... and the container check reports it as a damaged workbook, never raises it.
    issue = container_problem("IDN.xlsx", ".xlsx", damaged)
    assert issue is not None and (issue.code, issue.file) == ("unreadable-file", "IDN.xlsx")
    assert issue.message.startswith("IDN.xlsx: the workbook is damaged ([Content_Types].xml: not well-formed")
    assert issue.message.endswith("); open it in Excel or LibreOffice and save it again")


def test_ods_content_that_is_not_well_formed_is_not_skipped() -> None:
    damaged = _zip(("mimetype", b""), ("content.xml", b"<d></e>"))
    with Package(damaged) as archive, pytest.raises(SheetXmlError, match=r"content\.xml: mismatched tag"):
        package._ods_active_elements(archive)
    issue = container_problem("IDN.ods", ".ods", damaged)
    assert issue is not None and issue.code == "unreadable-file"
    assert issue.message.startswith("IDN.ods: the workbook is damaged (content.xml: mismatched tag")


# --- sheet size -------------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_BOOK = (
    f'<workbook xmlns="{_MAIN}" xmlns:r="{_OFFICE}"><sheets>'
    '<sheet name="Actions" sheetId="1" r:id="rId1"/><sheet name="My notes" sheetId="2" r:id="rId2"/>'
    "</sheets></workbook>"
)
_BOOK_RELS = _RELS.format(
    f'<Relationship Id="rId1" Type="{_OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_OFFICE}/worksheet" Target="/xl/worksheets/sheet2.xml"/>'
)


def _worksheet(cells: str) -> bytes:
    return f'<worksheet xmlns="{_MAIN}"><sheetData>{cells}</sheetData></worksheet>'.encode()


_SMALL = _worksheet('<row r="1"><c r="A1"><v>1</v></c></row>')
# C4 holding a shared string of 10 characters: 12 cells in all.
_C4 = _worksheet('<row r="4"><c r="C4" t="s"><v>0</v></c></row>')
_STRINGS = f'<sst xmlns="{_MAIN}" count="1" uniqueCount="1"><si><t>abcdefghij</t></si></sst>'.encode()


def _xlsx(sheet1: bytes = _SMALL, sheet2: bytes = _SMALL, book: str = _BOOK, rels: str = _BOOK_RELS) -> bytes:
    return _zip(
        ("xl/workbook.xml", book.encode()),
        ("xl/_rels/workbook.xml.rels", rels.encode()),
        ("xl/worksheets/sheet1.xml", sheet1),
        ("xl/worksheets/sheet2.xml", sheet2),
        ("xl/sharedStrings.xml", _STRINGS),
    )


def _too_many_cells(sheet: str, name: str = "IDN.xlsx") -> Issue:
    return Issue(
        "error",
        "sheet-too-large",
        name,
        sheet,
        None,
        None,
        f"{name}, sheet {sheet}: the sheet uses cells as far as row 4 and column C, 12 cells in all (the limit is "
        "11); delete the stray cells far below or to the right of the table (select the empty rows and columns "
        "after it, Delete, then save)",
    )


def _too_much_text(sheet: str) -> Issue:
    return Issue(
        "error",
        "sheet-too-large",
        "IDN.xlsx",
        sheet,
        None,
        None,
        f"IDN.xlsx, sheet {sheet}: the sheet's text comes to 10 characters once every cell is filled in (the limit "
        "is 9), because long texts are repeated in many cells; delete the repeated cells and save again",
    )


@pytest.mark.parametrize(
    ("cells", "text", "data", "issue"),
    [
        pytest.param(12, 10, _xlsx(sheet1=_C4), None, id="at-both-limits"),
        pytest.param(11, 10, _xlsx(sheet1=_C4), _too_many_cells("Actions"), id="cells-over"),
        pytest.param(11, 9, _xlsx(sheet1=_C4), _too_many_cells("Actions"), id="both-over-names-the-cells"),
        pytest.param(12, 9, _xlsx(sheet1=_C4), _too_much_text("Actions"), id="text-over"),
        pytest.param(11, 10, _xlsx(sheet2=_C4), _too_many_cells("My notes"), id="absolute-target"),
        pytest.param(
            11,
            10,
            _xlsx(sheet2=_C4, book=_BOOK.replace("<sheet ", "<x:sheet ").replace('r:id="rId2"', 'rel:id="rId2"')),
            _too_many_cells("My notes"),
            id="prefixed-names",
        ),
        pytest.param(
            11, 10, _xlsx(sheet1=_C4, book="<workbook/>"), _too_many_cells("xl/worksheets/sheet1.xml"), id="unlisted"
        ),
        pytest.param(
            11,
            10,
            _xlsx(sheet1=_C4, rels=_RELS.format("")),
            _too_many_cells("xl/worksheets/sheet1.xml"),
            id="no-relationship",
        ),
        pytest.param(
            11,
            10,
            _xlsx(sheet1=_C4, rels=_BOOK_RELS.replace("<Relationship ", "<r:Relationship ")),
            _too_many_cells("Actions"),
            id="prefixed-relationships",
        ),
        pytest.param(
            11,
            10,
            _xlsx(sheet2=_C4, book=_BOOK.replace('r:id="rId2"', 'id="rId2"')),
            _too_many_cells("My notes"),
            id="unprefixed-id",
        ),
        pytest.param(
            11,
            10,
            _xlsx(sheet1=_C4, book=_BOOK + "<"),
            _too_many_cells("xl/worksheets/sheet1.xml"),
            id="damaged-workbook-part",
        ),
        pytest.param(
            11,
            10,
            _xlsx(sheet1=_C4, book=_BOOK.replace(' r:id="rId1"', "")),
            _too_many_cells("xl/worksheets/sheet1.xml"),
            id="sheet-without-id",
        ),
        pytest.param(
            11,
            10,
            _xlsx(sheet1=_C4, rels=_BOOK_RELS.replace(' Target="worksheets/sheet1.xml"', "")),
            _too_many_cells("xl/worksheets/sheet1.xml"),
            id="relationship-without-target",
        ),
        pytest.param(
            11,
            10,
            _zip(
                ("xl/workbook.xml", _BOOK.encode()),
                ("xl/_rels/workbook.xml.rels", _BOOK_RELS.replace("/xl/worksheets/sheet2.xml", "/X/s.xml").encode()),
                ("X/s.xml", _C4),
                ("xl/sharedStrings.xml", _STRINGS),
            ),
            _too_many_cells("My notes"),
            id="absolute-target-outside-xl",
        ),
    ],
)
def test_sheet_beyond_a_limit_is_refused_naming_it_as_excel_shows_it(
    cells: int, text: int, data: bytes, issue: Issue | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", cells)
    monkeypatch.setattr(limits, "MAX_SHEET_TEXT", text)

    assert container_problem("IDN.xlsx", ".xlsx", data) == issue


def test_ods_table_beyond_the_limit_is_named_by_its_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 11)
    table = (
        '<table:table table:name="Plan"><table:table-row table:number-rows-repeated="3"><table:table-cell/>'
        '</table:table-row><table:table-row><table:table-cell table:number-columns-repeated="2"/>'
        '<table:table-cell office:value-type="float" office:value="1"/></table:table-row></table:table>'
    )
    data = _zip(
        ("mimetype", b""),
        ("content.xml", f"<d><office:body>{table}</office:body></d>".encode()),
        # Parts an .xlsx would name its sheets by: an .ods is named by its tables alone.
        ("xl/workbook.xml", _BOOK.encode()),
        ("xl/_rels/workbook.xml.rels", _BOOK_RELS.replace("worksheets/sheet1.xml", "/Plan").encode()),
    )

    assert container_problem("IDN.ods", ".ods", data) == _too_many_cells("Plan", name="IDN.ods")


def test_xlsx_sheets_are_first_bounded_cheaply(monkeypatch: pytest.MonkeyPatch) -> None:
    measured: list[object] = []
    extents = package.xlsx_extents
    monkeypatch.setattr(
        package, "xlsx_extents", lambda archive, **options: measured.append(options) or extents(archive, **options)
    )

    assert container_problem("IDN.xlsx", ".xlsx", _xlsx()) is None
    assert measured == [{"fits": package._fits}]


def test_damaged_sheet_is_refused_with_the_reason_cut_to_160_characters() -> None:
    part = "xl/worksheets/" + "s" * 150 + ".xml"
    data = _zip(("xl/workbook.xml", _BOOK.encode()), (part, b"<worksheet><sheetData></worksheet>"))

    assert container_problem("IDN.xlsx", ".xlsx", data) == Issue(
        "error",
        "unreadable-file",
        "IDN.xlsx",
        None,
        None,
        None,
        f"IDN.xlsx: the workbook is damaged ({part[:160]}); open it in Excel or LibreOffice and save it again",
    )


def test_sheet_whose_crc_is_wrong_is_refused_as_damaged() -> None:
    data = bytearray(_xlsx())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    # The CRC changed in the local header and in the central directory alike: the data no longer matches it.
    for at in _all(bytes(data), struct.pack("<I", info.CRC)):
        data[at] ^= 0xFF

    assert container_problem("IDN.xlsx", ".xlsx", bytes(data)) == Issue(
        "error",
        "unreadable-file",
        "IDN.xlsx",
        None,
        None,
        None,
        "IDN.xlsx: the workbook is damaged (Bad CRC-32 for file 'xl/worksheets/sheet1.xml'); open it in Excel or "
        "LibreOffice and save it again",
    )


def _all(data: bytes, needle: bytes) -> list[int]:
    found, at = [], data.find(needle)
    while at >= 0:
        found.append(at)
        at = data.find(needle, at + 1)
    return found


@pytest.mark.parametrize(
    ("index", "letters"),
    [
        (0, "A"),
        (1, "B"),
        (25, "Z"),
        (26, "AA"),
        (27, "AB"),
        (51, "AZ"),
        (52, "BA"),
        (701, "ZZ"),
        (702, "AAA"),
        (16_383, "XFD"),
    ],
)
def test_column_letters_are_excels(index: int, letters: str) -> None:
    assert column_letter(index) == letters


# --- legacy .xls ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "kind"),
    [
        ("_VBA_PROJECT_CUR", "macros"),
        ("VBA", "macros"),
        ("_vba_project", "macros"),
        ("Ctls", "activex"),
        ("MBD0012AB34", "objects"),
        ("mbd00", "objects"),
        ("Notes", None),
        ("xMBD", None),
        ("VBAX", None),
    ],
)
def test_xls_entries_holding_code_or_objects_are_refused(entry: str, kind: str | None) -> None:
    issue = container_problem("IDN.xls", ".xls", xls_with_entry_named(entry))

    assert issue == (None if kind is None else _refused(kind, entry, name="IDN.xls"))


def _xls_declaring(rows: int, cols: int, stream_name: str = "Workbook") -> bytes:
    return compound_file(biff8_stream([("Plan", 0, biff_dimensions(rows, cols))], ["x"]), name=stream_name)


@pytest.mark.parametrize("stream", ["Workbook", "Book", "BOOK"])
def test_xls_sheet_declaring_more_cells_than_the_limit_is_refused(stream: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 12)

    assert container_problem("IDN.xls", ".xls", _xls_declaring(4, 3, stream)) is None
    assert container_problem("IDN.xls", ".xls", _xls_declaring(13, 1, stream)) == Issue(
        "error",
        "sheet-too-large",
        "IDN.xls",
        "Plan",
        None,
        None,
        "IDN.xls, sheet Plan: the sheet declares 13 cells (the limit is 12); open the workbook in Excel or "
        "LibreOffice, delete the cells beyond the table and save it as .xlsx",
    )


def test_xls_stream_of_another_name_is_not_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 12)

    assert container_problem("IDN.xls", ".xls", _xls_declaring(13, 1, "Other")) is None


def test_xls_sheet_with_cells_beyond_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 11)
    data = biff8_workbook([("Plan", 0, biff_number(3, 2, 1.0))])

    assert container_problem("IDN.xls", ".xls", data) == _too_many_cells("Plan", name="IDN.xls")


@pytest.mark.parametrize(("kind", "sheet_type"), [("macros", 1), ("macros", 6)])
def test_xls_macro_sheet_is_refused_by_name(kind: str, sheet_type: int) -> None:
    data = biff8_workbook([("Plan", 0, b""), ("Macro1", sheet_type, b"")])

    assert container_problem("IDN.xls", ".xls", data) == _refused(kind, "sheet Macro1", name="IDN.xls")


def test_xls_link_to_another_workbook_is_refused_naming_it_cut_to_80_characters() -> None:
    book = "b" * 90 + ".xlsx"
    supbook = struct.pack("<HHB", 1, len(book), 0) + book.encode() + struct.pack("<HB", 6, 0) + b"Sheet1"
    data = biff8_workbook([("Plan", 0, b"")], globals_extra=struct.pack("<HH", 0x01AE, len(supbook)) + supbook)

    assert container_problem("IDN.xls", ".xls", data) == _refused("links", "b" * 80, name="IDN.xls")


def test_xls_whose_records_cannot_be_walked_is_refused_as_damaged(monkeypatch: pytest.MonkeyPatch) -> None:
    def damaged(stream: bytes) -> object:
        raise package.XlsDamagedError("the sheets overlap")

    monkeypatch.setattr(package, "xls_workbook", damaged)

    assert container_problem("IDN.xls", ".xls", _xls_declaring(4, 3)) == Issue(
        "error",
        "unreadable-file",
        "IDN.xls",
        None,
        None,
        None,
        "IDN.xls: the workbook is damaged (the sheets overlap); open it in Excel or LibreOffice and save it as .xlsx",
    )


def test_xls_stream_that_cannot_be_found_is_left_to_the_reader_and_the_next_is_walked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 12)
    book = biff8_stream([("Plan", 0, biff_dimensions(13, 1))])

    def stream(data: bytes, name: str) -> bytes:
        if name.casefold() == "workbook":
            raise package.OleError("the stream's sector chain is broken")
        return book

    monkeypatch.setattr(package, "ole_entry_names", lambda data: ["Root Entry", "Workbook", "Book"])
    monkeypatch.setattr(package, "ole_stream", stream)

    issue = container_problem("IDN.xls", ".xls", _OLE)

    assert issue is not None and (issue.code, issue.sheet) == ("sheet-too-large", "Plan")
