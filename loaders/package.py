"""Check a workbook's container before any reader opens it: format, encryption, size, active content.

Everything here looks at what the file *is*, never at its name: an .xlsx that
holds a VBA project is refused like an .xlsm, and a sheet that would make the
reader allocate billions of cells is refused whatever its XML spelling (see
:mod:`loaders.sheet_extent`) or its BIFF records (:mod:`loaders.xls_extent`).
Each check returns the issue that refuses the file, or None.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from typing import Any

from loaders import limits
from loaders.issues import Issue, error
from loaders.ole import OleError, ole_entry_names, ole_stream
from loaders.sheet_extent import Extent, SheetXmlError, feed_part, ods_extents, xlsx_extents, xml_parser
from loaders.xls_extent import XlsDamagedError, XlsWorkbook, xls_workbook
from loaders.zip_parts import Package

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SAVE_PLAIN = "save it as a plain workbook without them (File > Save As > Excel Workbook (.xlsx)) and upload that"


def container_problem(name: str, suffix: str, data: bytes) -> Issue | None:
    """The issue that refuses a workbook's container, or None when a reader may open it."""
    if suffix in (".xlsx", ".ods"):
        if data.startswith(OLE_MAGIC):
            return error(
                "encrypted-workbook",
                name,
                f"{name}: the workbook is password-protected (encrypted), so it cannot be read; "
                "remove the password (File > Info > Protect Workbook) and save again",
            )
        if not data.startswith(ZIP_MAGIC):
            return error(
                "not-a-workbook",
                name,
                f"{name}: the file is not a real {suffix} workbook (perhaps a renamed text or CSV file); "
                f"open it in Excel or LibreOffice and save it as {suffix}",
            )
        return _zip_problem(name, suffix, data)
    if suffix == ".xls":
        if not data.startswith(OLE_MAGIC):
            return error(
                "not-a-workbook",
                name,
                f"{name}: the file is not a real .xls workbook (perhaps a renamed file); save it as .xlsx",
            )
        return _ole_problem(name, data)
    return None


def _zip_problem(name: str, suffix: str, data: bytes) -> Issue | None:
    try:
        with Package(data) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
            if unzipped > limits.MAX_UNZIPPED_BYTES:
                return error(
                    "zip-bomb",
                    name,
                    f"{name}: the workbook would unpack to {unzipped / 1_048_576:.0f} MB, more than the "
                    f"{limits.MAX_UNZIPPED_BYTES // 1_048_576} MB allowed; it is refused as unsafe. Copy the "
                    "Actions sheet into a new workbook and save that",
                )
            return _active_content(name, archive) or _sheet_size_problem(name, suffix, archive)
    except SheetXmlError as exc:  # a part the active-content scan must read ([Content_Types].xml, .rels) is damaged
        return _damaged(name, exc)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        # A damaged central directory can also fail as a bad (non-UTF-8) member name or a bad offset.
        return error(
            "not-a-workbook", name, f"{name}: the workbook is damaged (not a valid zip container); save it again"
        )


def _damaged(name: str, exc: Exception) -> Issue:
    return error(
        "unreadable-file",
        name,
        f"{name}: the workbook is damaged ({str(exc)[:160]}); open it in Excel or LibreOffice and save it again",
    )


# --- active content --------------------------------------------------------------------------

# What each kind of active content is called in part names, content types and relationship types
# (compared lower-case), and how the message describes it. Macros keep their historical code.
_KINDS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    (
        "macro-workbook-refused",
        "macros (a VBA project or macro sheets), which could run code when the file is opened",
        ("vbaproject", "macroenabled", "macrosheet", "/basic/", "/scripts/"),
        "remove them: " + _SAVE_PLAIN,
    ),
    (
        "active-content-refused",
        "ActiveX controls, which run code inside Excel",
        ("activex",),
        "delete the controls (Developer > Design Mode, select them, Delete), then " + _SAVE_PLAIN,
    ),
    (
        "active-content-refused",
        "embedded objects (OLE objects or packages such as a document inside the workbook)",
        ("/embeddings/", "oleobject", "/relationships/package", "/object ", "objectreplacements/"),
        "delete them (select the object, Delete), then " + _SAVE_PLAIN,
    ),
    (
        "active-content-refused",
        "links to other workbooks or external data, which are fetched when the file is opened",
        ("externallink", "/connections.xml", "/relationships/connections", "attachedtemplate"),
        "break the links (Data > Edit Links > Break Link; Data > Queries & Connections, delete them), then "
        + _SAVE_PLAIN,
    ),
)
# ODS content.xml elements that bind macros, embed objects or link to other documents.
_ODS_ELEMENTS = {
    # LibreOffice writes an empty <office:scripts/> into every file; what binds code is inside it.
    "office:script": 0,
    "office:event-listeners": 0,
    "script:event-listener": 0,
    "draw:object": 2,
    "draw:object-ole": 2,
    "table:table-source": 3,
    "table:dde-links": 3,
    "table:dde-source": 3,
}


def _active_content(name: str, archive: zipfile.ZipFile) -> Issue | None:
    """Refuse macros, ActiveX, embedded objects and external links, found by what the package holds."""
    # "/" in front so that a top-level folder ("Basic/") matches like a nested one ("xl/embeddings/").
    labels = ["/" + label for label in _package_labels(archive)]
    # All labels at once, a line each (lower() keeps the line breaks, so the line number of a marker
    # names its label): a substring search per marker rather than a Python loop per label.
    lowered = "\n".join(labels).lower()
    found: dict[int, str] = {}
    for kind, (_, _, markers, _) in enumerate(_KINDS):
        positions = [i for i in map(lowered.find, markers) if i >= 0]
        if positions:
            found[kind] = labels[lowered[: min(positions)].count("\n")][1:]
    if not found and "content.xml" in archive.namelist() and "mimetype" in archive.namelist():
        found.update(_ods_active_elements(archive))
    if not found:
        return None
    kind = min(found)
    code, what, _, fix = _KINDS[kind]
    return error(code, name, f"{name}: the workbook contains {what} ({found[kind][:80]}); this is refused; {fix}")


def _package_labels(archive: zipfile.ZipFile) -> Iterable[str]:
    """Part names, and the content types, relationship types and manifest entries the package declares."""
    for info in archive.infolist():
        yield info.filename.replace("\\", "/")
    for info in archive.infolist():
        lower = info.filename.replace("\\", "/").lower()
        declares = lower == "[content_types].xml" or lower.endswith(".rels") or lower == "meta-inf/manifest.xml"
        if declares and _may_declare_active_content(archive.read(info)):
            yield from _attribute_values(archive, info)


# Quotes become "/" (a label is "/" + an attribute value) and line breaks spaces (as attribute values
# have them), so that every label of the part is a substring of the result.
_AS_LABELS = bytes.maketrans(b"\"'\t\n\r", b"//   ")
_MARKERS = tuple(m.encode() for _, _, markers, _ in _KINDS for m in markers)


def _may_declare_active_content(raw: bytes) -> bool:
    """Whether any attribute value of a part could hold a marker; False spares parsing it.

    In an ASCII part without references (``&``) every attribute value is spelled
    as it is, so a marker absent from the bytes is absent from every value.
    """
    if b"&" in raw or not raw.isascii():
        return True
    lowered = raw.translate(_AS_LABELS).lower()
    return any(marker in lowered for marker in _MARKERS)


def _attribute_values(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> list[str]:
    """The declared types and targets of a content-types, relationships or manifest part (entities decoded)."""
    values: list[str] = []
    # Not "Target": a hyperlink's target is the user's own text (an evidence address may say "embeddings").
    keys = ("ContentType", "Type", "PartName", "manifest:full-path", "manifest:media-type")

    def start(_: str, attrs: dict[str, str]) -> None:
        values.extend(attrs[k] for k in keys if k in attrs)

    parser = xml_parser()
    parser.StartElementHandler = start
    feed_part(archive, info, parser, must_parse=True)
    return values


def _ods_active_elements(archive: zipfile.ZipFile) -> dict[int, str]:
    found: dict[int, str] = {}

    def start(element: str, _: dict[str, str]) -> None:
        kind = _ODS_ELEMENTS.get(element)
        if kind is not None:
            found.setdefault(kind, f"content.xml: <{element}>")

    parser = xml_parser()
    parser.StartElementHandler = start
    feed_part(archive, archive.getinfo("content.xml"), parser, must_parse=True)
    return found


# --- sheet size ------------------------------------------------------------------------------


def _sheet_size_problem(name: str, suffix: str, archive: zipfile.ZipFile) -> Issue | None:
    """Refuse a package with a sheet beyond :data:`~loaders.limits.MAX_SHEET_CELLS` or its text limit."""
    try:
        extents = xlsx_extents(archive, fits=_fits) if suffix == ".xlsx" else ods_extents(archive)
    except KeyError:
        return None  # no content.xml: not an ODS calamine can read either; it reports that
    except (SheetXmlError, zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError) as exc:
        # zlib, CRC, encrypted members and XML errors alike mean a damaged container.
        return _damaged(name, exc)
    for part, extent in extents.items():
        if not _fits(extent):
            # Named as Excel shows the sheet (worked out only now: most files have no sheet to name).
            sheet = _xlsx_sheet_names(archive).get(part, part) if suffix == ".xlsx" else part
            return _too_large(name, sheet, extent)
    return None


def _too_large(name: str, sheet: str, extent: Extent) -> Issue:
    """The issue for a sheet whose extent is beyond the cell or the text limit."""
    if extent.cells > limits.MAX_SHEET_CELLS:
        return error(
            "sheet-too-large",
            name,
            f"{name}, sheet {sheet}: the sheet uses cells as far as row {extent.rows:,} and column "
            f"{column_letter(extent.cols - 1)}, {extent.cells:,} cells in all (the limit is "
            f"{limits.MAX_SHEET_CELLS:,}); delete the stray cells far below or to the right of the table "
            "(select the empty rows and columns after it, Delete, then save)",
            sheet=sheet,
        )
    return error(
        "sheet-too-large",
        name,
        f"{name}, sheet {sheet}: the sheet's text comes to {extent.text:,} characters once every cell is "
        f"filled in (the limit is {limits.MAX_SHEET_TEXT:,}), because long texts are repeated in many "
        "cells; delete the repeated cells and save again",
        sheet=sheet,
    )


def _fits(extent: Extent) -> bool:
    return extent.cells <= limits.MAX_SHEET_CELLS and extent.text <= limits.MAX_SHEET_TEXT


def _xlsx_sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """{worksheet part: sheet name}, so a message can name the sheet as Excel shows it."""
    sheets: list[tuple[str, str]] = []
    targets: dict[str, str] = {}

    def book(element: str, attrs: dict[str, Any]) -> None:
        if element.rpartition(":")[2] == "sheet":
            rel = next((v for k, v in attrs.items() if k.rpartition(":")[2] == "id"), "")
            sheets.append((rel, attrs.get("name", "")))

    def rels(element: str, attrs: dict[str, Any]) -> None:
        if element.rpartition(":")[2] == "Relationship":
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    for name, handler in (("xl/workbook.xml", book), ("xl/_rels/workbook.xml.rels", rels)):
        parser = xml_parser()
        parser.StartElementHandler = handler
        try:
            feed_part(archive, archive.getinfo(name), parser, must_parse=True)
        except (KeyError, SheetXmlError):
            return {}
    parts: dict[str, str] = {}
    for rel, sheet in sheets:
        target = targets.get(rel, "")
        parts[target.lstrip("/") if target.startswith("/") else f"xl/{target}"] = sheet
    return parts


def column_letter(index: int) -> str:
    """The letters of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- legacy .xls -----------------------------------------------------------------------------

# Storage and stream names in an .xls compound file (compared upper-case) and the kind they are.
_OLE_NAMES = {"_VBA_PROJECT_CUR": 0, "VBA": 0, "_VBA_PROJECT": 0, "CTLS": 1}


def _ole_problem(name: str, data: bytes) -> Issue | None:
    """Refuse an .xls holding a VBA project, ActiveX controls, embedded objects, macro sheets, external
    links, or a sheet calamine would lay out beyond the limits."""
    try:
        entries = ole_entry_names(data)
    except OleError:
        return None  # calamine reads the same directory and reports the damage
    for entry in entries:
        upper = entry.upper()
        kind = _OLE_NAMES.get(upper, 2 if upper.startswith("MBD") else None)
        if kind is not None:
            code, what, _, fix = _KINDS[kind]
            return error(code, name, f"{name}: the workbook contains {what} ({entry}); this is refused; {fix}")
    # calamine reads the "Workbook" stream, or "Book" in older files (names in any case, as ole_stream finds
    # them): both are walked when present.
    present = {entry.casefold() for entry in entries}
    for stream in (s for s in ("workbook", "book") if s in present):
        try:
            problem = _xls_book_problem(name, xls_workbook(ole_stream(data, stream)))
        except OleError:
            continue  # calamine reports the damage
        except XlsDamagedError as exc:
            return error(
                "unreadable-file",
                name,
                f"{name}: the workbook is damaged ({exc}); open it in Excel or LibreOffice and save it as .xlsx",
            )
        if problem is not None:
            return problem
    return None


def _xls_book_problem(name: str, book: XlsWorkbook) -> Issue | None:
    for sheet in book.sheets:
        if sheet.kind in _XLS_MACRO_SHEETS:
            code, what, _, fix = _KINDS[0]
            return error(
                code, name, f"{name}: the workbook contains {what} (sheet {sheet.name}); this is refused; {fix}"
            )
    if book.links:
        code, what, _, fix = _KINDS[3]
        return error(code, name, f"{name}: the workbook contains {what} ({book.links[0][:80]}); this is refused; {fix}")
    for sheet in book.sheets:
        if sheet.declared > limits.MAX_SHEET_CELLS:
            return error(
                "sheet-too-large",
                name,
                f"{name}, sheet {sheet.name}: the sheet declares {sheet.declared:,} cells (the limit is "
                f"{limits.MAX_SHEET_CELLS:,}); open the workbook in Excel or LibreOffice, delete the cells "
                "beyond the table and save it as .xlsx",
                sheet=sheet.name,
            )
        if not _fits(sheet.extent):
            return _too_large(name, sheet.name, sheet.extent)
    return None


# BIFF sheet types that hold code: an Excel 4.0 macro sheet, a VBA module sheet (BIFF5).
_XLS_MACRO_SHEETS = (0x01, 0x06)
