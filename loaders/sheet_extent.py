"""Measure the sheets of an .xlsx or .ods package as calamine will lay them out, before calamine opens it.

calamine allocates every cell of a sheet from A1 to the last cell with a value
in one block, and copies a shared string into every cell that refers to it; a
Rust allocation failure aborts the whole process, so nothing can catch it. One
stray value at XFD1048576 asks for 17 billion cells. This module streams each
XML part once (expat, no tree) and computes what calamine would allocate: the
row and column of the last cell with a value and the characters of text it would
copy, following calamine's own rules rather than one spelling of the XML:

- .xlsx: a ``<c>`` with an ``r`` attribute sits where ``r`` says (any case, any
  quotes or spaces around ``=``); without ``r`` it follows the previous cell of
  its row, and a ``<row>`` without ``r`` follows the previous row. Elements are
  matched on their local name (any namespace prefix); attributes on their exact
  name, as calamine does. ``<dimension>`` is ignored: calamine only uses it for
  a small pre-allocation. Every part of the package is measured, not only the
  usual ``xl/worksheets/``, because a relationship can point a sheet anywhere.
- .ods: rows and cells repeated by ``table:number-rows-repeated`` and
  ``table:number-columns-repeated`` count as often as they repeat, and a string
  cell's text (with ``<text:s text:c="N"/>`` runs of spaces) counts once per copy.

The measure is never lower than calamine's; a part calamine could read as a
sheet but expat cannot parse (or one with a DOCTYPE, where entities could hide
markup) is reported as damaged rather than guessed at. It costs a Python call
per XML event, so an .xlsx part is first bounded from its raw bytes at C speed
(:mod:`loaders.sheet_bound`): a bound within the limits accepts the part, and
only the others are measured here.
"""

from __future__ import annotations

import array
import functools
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from loaders.sheet_bound import SheetBound, string_lengths, string_table_fits
from loaders.zip_parts import CHUNK

# What one decompression step hands to expat; memory stays at a few chunks whatever the part's size.
_CHUNK = CHUNK
# calamine reserves room for the shared strings that the file says it has (``uniqueCount``) before
# reading any: a forged count of billions aborts the process. Counts above the strings actually
# present and above this bound are refused.
MAX_DECLARED_STRINGS = 1_000_000
# A worksheet part is one that contains a sheetData element; calamine reads nothing from other parts.
_SHEET_MARKERS = (b"sheetData", "sheetData".encode("utf-16-le"), "sheetData".encode("utf-16-be"))


class SheetXmlError(Exception):
    """A part of the package that calamine would read is not well-formed XML (or uses a DOCTYPE)."""


@dataclass(frozen=True)
class Extent:
    """What calamine allocates for one sheet: cells from A1 to (rows, cols), and characters of text."""

    rows: int
    cols: int
    text: int = 0

    @property
    def cells(self) -> int:
        """Cells in the block from A1 to the last cell with a value."""
        return self.rows * self.cols


@functools.lru_cache(maxsize=1024)
def _local(name: str) -> str:
    """An element's local name, as calamine (quick-xml) takes it: the part after the prefix."""
    head, colon, tail = name.partition(":")
    if colon and ":" in tail:
        raise SheetXmlError(f"the element name '{name[:40]}' has more than one ':'")
    return tail if colon else head


def _refuse_doctype(*_: Any) -> None:
    raise SheetXmlError("a DOCTYPE declaration (a spreadsheet part never has one)")


def xml_parser() -> Any:
    """An expat parser without namespace processing (names as written) that refuses DOCTYPEs."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.buffer_text = True
    return parser


def feed_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, parser: Any, must_parse: bool) -> bool:
    """Stream one part into ``parser``; True when it is a worksheet part (holds a sheetData marker).

    A part that does not parse is skipped unless it could be a worksheet (it holds
    the marker) or ``must_parse`` is set; then it is refused as damaged.

    Raises:
        SheetXmlError: the part is damaged and calamine could read it.
    """
    marked, failed, tail, stopped = False, None, b"", False
    with archive.open(info) as part:
        while chunk := part.read(_CHUNK):
            window = tail + chunk
            marked = marked or _marked(window)
            tail = window[-20:]
            if failed is None and not stopped:
                try:
                    parser.Parse(chunk)  # not the end: the final call below says so
                except _Stop:
                    stopped = True  # calamine reads no further; neither do we
                except (expat.ExpatError, SheetXmlError) as exc:
                    failed = exc
        if failed is None and not stopped:
            try:
                parser.Parse(b"", True)
            except (expat.ExpatError, SheetXmlError) as exc:
                failed = exc
    if failed is not None and (marked or must_parse):
        raise SheetXmlError(f"{info.filename}: {failed}") from failed
    return marked and failed is None


# --- xlsx ------------------------------------------------------------------------------------


_REF = re.compile(r"([A-Za-z]*)([0-9]+)")


@functools.lru_cache(maxsize=4096)
def _column(letters: str) -> int:
    """0-based index of column letters of any case ("A" -> 0, "xfd" -> 16383); -1 for none."""
    col = 0
    for letter in letters.upper():
        col = col * 26 + ord(letter) - 64
    return col - 1


def _cell_position(ref: str, need_column: bool) -> tuple[int, int]:
    """0-based (row, column) of an A1 reference, read as calamine reads it (letters of any case, then digits).

    Raises:
        SheetXmlError: calamine would refuse the reference (so it refuses the sheet).
    """
    match = _REF.fullmatch(ref)
    if match is None or (need_column and not match[1]) or int(match[2]) == 0:
        raise SheetXmlError(f"the cell reference '{ref[:20]}' is not of the form A1")
    return int(match[2]) - 1, _column(match[1])


class _SharedStrings:
    """The length of every shared string (``<si>``), and the count the part declares (``uniqueCount``)."""

    _length: int  # of the current <si>, set at its start

    def __init__(self) -> None:
        self.lengths = array.array("Q")
        self.declared: int | None = None
        self._depth = 0  # inside an <si>: its nesting depth, else 0
        self._seen_sst = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "sst" and not self._seen_sst:
            self._seen_sst = True
            count = attrs.get("uniqueCount", "")
            self.declared = int(count) if count.isascii() and count.isdigit() else None
        if self._depth:
            self._depth += 1
        elif local == "si":
            self._depth, self._length = 1, 0

    def end(self, name: str) -> None:
        if self._depth:
            self._depth -= 1
            if not self._depth:
                self.lengths.append(self._length)

    def text(self, data: str) -> None:
        if self._depth:
            self._length += len(data)  # phonetic runs too: never less than calamine keeps


class _Stop(Exception):  # noqa: N818 - control flow, never seen outside this module
    """Raised by a handler once calamine would stop reading the part (the end of sheetData)."""


class _XlsxSheet:
    """Follows calamine's ``XlsxCellReader`` over one part: positions of the cells with a value.

    The handlers are swapped as the reader moves (looking for sheetData, between
    cells, inside a cell), so each XML event costs one short call: this pass
    runs over every cell of every workbook read.
    """

    # The current <c>, set at its start (the handlers that read them are installed only then).
    _depth: int  # nesting depth inside it
    _cell: tuple[int, int]  # its (row, column)
    _shared: bool  # a shared-string cell
    _has_value: bool
    _index: list[str]  # text of its <v>, when a shared-string cell

    def __init__(self, parser: Any, strings: array.array[int]) -> None:
        self.parser = parser
        self.strings = strings
        self.rows = self.cols = self.text = 0
        self.found = False  # a sheetData started (only the first one is read, as calamine does)
        self._row = self._col = 0
        parser.StartElementHandler = self._seek

    def _seek(self, name: str, _: dict[str, str]) -> None:
        if _local(name) == "sheetData":
            self.found = True
            self.parser.StartElementHandler = self._between
            self.parser.EndElementHandler = self._between_end

    def _between(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "c":
            ref = attrs.get("r")
            if ref is None:
                self._cell = (self._row, self._col)
            else:
                self._cell = _cell_position(ref, need_column=True)
                self._col = self._cell[1]
            self._depth, self._has_value, self._shared = 1, False, attrs.get("t") == "s"
            self.parser.StartElementHandler = self._inside
            self.parser.EndElementHandler = self._inside_end
        elif local == "row":
            ref = attrs.get("r")
            if ref is not None:
                self._row = _cell_position(ref, need_column=False)[0]

    def _between_end(self, name: str) -> None:
        local = _local(name)
        if local == "row":
            self._row, self._col = self._row + 1, 0
        elif local == "sheetData":
            raise _Stop

    def _inside(self, name: str, _: dict[str, str]) -> None:
        self._depth += 1
        if self._depth == 2:
            local = _local(name)
            if local == "v" or local == "is":
                self._has_value = True
                if local == "v" and self._shared:
                    self._index = []
                    self.parser.CharacterDataHandler = self._index.append

    def _inside_end(self, _: str) -> None:
        self._depth -= 1
        if self._depth == 1 and self.parser.CharacterDataHandler is not None:
            self.parser.CharacterDataHandler = None
            self._count_shared("".join(self._index))
        elif self._depth == 0:
            if self._has_value:
                row, col = self._cell
                if row >= self.rows:
                    self.rows = row + 1
                if col >= self.cols:
                    self.cols = col + 1
            self._col += 1
            self.parser.StartElementHandler = self._between
            self.parser.EndElementHandler = self._between_end

    def _count_shared(self, text: str) -> None:
        text = text.strip()
        if text.isascii() and text.isdigit() and int(text) < len(self.strings):
            self.text += self.strings[int(text)]


def xlsx_extents(archive: zipfile.ZipFile, fits: Callable[[Extent], bool] | None = None) -> dict[str, Extent]:
    """{part name: extent} for every part of an .xlsx package that holds sheet data.

    Each part is first bounded cheaply (:mod:`loaders.sheet_bound`); a bound that
    ``fits`` stands in for the extent, and only other parts are measured exactly.

    Args:
        archive: the package (already checked against the zip-bomb limit).
        fits: whether an extent is within the limits (None: measure every part exactly).

    Raises:
        SheetXmlError: a part calamine could read is damaged, or the shared
            strings declare a forged count.
    """
    strings = _Strings(archive)
    extents: dict[str, Extent] = {}
    for info in archive.infolist():
        if info.is_dir():
            continue
        marked, bound = _bound_part(archive, info, strings if fits is not None else None)
        if not marked:
            continue  # calamine reads no cell from a part without sheetData, whatever else it holds
        if bound is not None and fits is not None and fits(bound):
            extents[info.filename] = bound
            continue
        parser = xml_parser()
        sheet = _XlsxSheet(parser, strings.exact())
        if feed_part(archive, info, parser, must_parse=False) and sheet.found:
            extents[info.filename] = Extent(sheet.rows, sheet.cols, sheet.text)
    return extents


def xlsx_sheet_extent(data: bytes, lengths: array.array[int]) -> Extent:
    """The exact extent of one worksheet part's bytes, given the shared strings' lengths.

    Raises:
        SheetXmlError: calamine would refuse the part.
    """
    parser = xml_parser()
    sheet = _XlsxSheet(parser, lengths)
    try:
        parser.Parse(data, True)
    except _Stop:
        pass
    except expat.ExpatError as exc:
        raise SheetXmlError(str(exc)) from exc
    return Extent(sheet.rows, sheet.cols, sheet.text)


def _bound_part(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, strings: _Strings | None
) -> tuple[bool, Extent | None]:
    """Whether a part holds a sheetData marker, and the cheap bound of its extent (None: none, or not wanted)."""
    bound = None if strings is None else SheetBound(strings.longest, strings.bounds)
    if info.file_size <= _CHUNK:  # the usual case: one piece, its marker known before any bounding
        data = archive.read(info)
        if not _marked(data):
            return False, None
        if bound is not None:
            bound.feed(data, last=True)
        measured = None if bound is None else bound.result()
        return True, None if measured is None else Extent(*measured)
    marked, tail = False, b""
    for chunk in _chunks(archive, info):
        window = tail + chunk
        marked = marked or _marked(window)
        tail = window[-20:]
        if bound is not None:
            bound.feed(chunk)
    measured = None if bound is None or not marked else bound.result()
    return marked, None if measured is None else Extent(*measured)


def _marked(data: bytes) -> bool:
    """Whether the bytes hold a sheetData marker (the UTF-16 ones hold NULs, which UTF-8 text has not)."""
    return _SHEET_MARKERS[0] in data or (b"\0" in data and any(m in data for m in _SHEET_MARKERS[1:]))


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    with archive.open(info) as part:
        while chunk := part.read(_CHUNK):
            yield chunk


class _Strings:
    """The shared strings as both measures need them, each worked out only when asked for.

    Opening checks every table for what would endanger calamine's reader (a
    forged count, entities): on its bytes alone when it is plain enough
    (:func:`loaders.sheet_bound.string_table_fits`), else by the exact pass,
    which also refuses a damaged table.

    Raises:
        SheetXmlError: as :func:`_shared_string_lengths`.
    """

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive
        # calamine finds the table case-insensitively beside workbook.xml, wherever the package puts that
        # (whatever separator the name uses: only its end is compared).
        self._parts = [i for i in archive.infolist() if i.filename.lower().endswith("sharedstrings.xml")]
        self._exact: array.array[int] | None = None
        self._bounds: array.array[int] | None = None
        if not all(string_table_fits(archive.read(i), MAX_DECLARED_STRINGS) for i in self._parts):
            self.longest = max(self.exact(), default=0)
        else:
            self.longest = max((i.file_size for i in self._parts), default=0)

    def exact(self) -> array.array[int]:
        """The length of every shared string, index by index (the longest where several parts could be the table)."""
        if self._exact is None:
            self._exact = _shared_string_lengths(self._archive, self._parts)
        return self._exact

    def bounds(self) -> array.array[int]:
        """Per-index bounds of the strings' lengths: from the raw bytes when possible, else the exact lengths."""
        if self._bounds is None:
            tables = [string_lengths(self._archive.read(i)) for i in self._parts] if self._exact is None else [None]
            if any(t is None for t in tables):
                self._bounds = self.exact()
            else:
                self._bounds = _longest_by_index(t for t in tables if t is not None)
        return self._bounds


def _longest_by_index(tables: Iterable[array.array[int]]) -> array.array[int]:
    lengths: array.array[int] = array.array("Q")
    for table in tables:
        for index, length in enumerate(table):
            if index < len(lengths):
                lengths[index] = max(lengths[index], length)
            else:
                lengths.append(length)
    return lengths


def _shared_string_lengths(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo]) -> array.array[int]:
    """Lengths of the shared strings, index by index (the longest where several parts could be the table)."""
    tables = []
    for info in parts:
        table = _SharedStrings()
        feed_part(archive, info, _string_parser(table), must_parse=True)
        tables.append(_checked(table, info.filename))
    return _longest_by_index(tables)


def shared_string_lengths(data: bytes) -> array.array[int]:
    """The exact length of each string of one shared-strings part's bytes.

    Raises:
        SheetXmlError: the part is damaged or declares a forged count.
    """
    table = _SharedStrings()
    try:
        _string_parser(table).Parse(data, True)
    except expat.ExpatError as exc:
        raise SheetXmlError(str(exc)) from exc
    return _checked(table, "sharedStrings.xml")


def _string_parser(table: _SharedStrings) -> Any:
    parser = xml_parser()
    parser.StartElementHandler = table.start
    parser.EndElementHandler = table.end
    parser.CharacterDataHandler = table.text
    return parser


def _checked(table: _SharedStrings, name: str) -> array.array[int]:
    if table.declared is not None and table.declared > max(len(table.lengths), MAX_DECLARED_STRINGS):
        raise SheetXmlError(f"{name}: it declares {table.declared:,} shared strings but holds {len(table.lengths):,}")
    return table.lengths


# --- ods -------------------------------------------------------------------------------------

# calamine matches ODS names literally, prefix included ("table:table-row"), so these do too.
_TABLE, _ROW = "table:table", "table:table-row"
_CELLS = ("table:table-cell", "table:covered-table-cell")
_VALUE_ATTRS = ("office:value", "office:string-value", "office:date-value", "office:time-value")
_TEXT_ATTRS = ("office:string-value", "office:date-value", "office:time-value")
_MAX_COLUMNS = 16_384  # calamine caps the columns a row's repeats can add


def _count(value: str | None) -> int:
    """A repeat count as calamine parses it (digits); anything else is refused, as calamine refuses it."""
    if value is None:
        return 1
    if not (value.isascii() and value.lstrip("+").isdigit()):
        raise SheetXmlError(f"the repeat count '{value[:20]}' is not a number")
    return int(value)


class _OdsContent:
    """Follows calamine's ODS reader over content.xml: the extent and the text of each table."""

    # The current table's, set at its start (read only inside a table).
    _rows: int
    _cols: int
    _text: int
    _row: int  # rows before the current row element
    _annotation: int  # inside an annotation of a string cell: nesting depth, else 0 (set at the cell's start)
    # The cell being read, set at its start: its column repeats, whether it has a value, and its string's
    # length (None once it has ended, so that a cell's end nested in another is counted once).
    _cell: list[int] | None

    def __init__(self) -> None:
        self.extents: dict[str, Extent] = {}
        self._table: str | None = None
        self._row_repeats = 1
        self._col = 0
        self._string_depth = 0  # inside a string cell's content: nesting depth, else 0
        self._paragraphs = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self._string_depth:
            self._string_depth += 1
            if self._annotation:
                self._annotation += 1
            elif name == "office:annotation":
                self._annotation = 1
            elif name == "text:p":
                self._paragraphs += 1
            elif name == "text:s" and self._cell is not None:
                self._cell[2] += _count(attrs.get("text:c"))
            return
        if name == _TABLE and self._table is None and "table:name" in attrs:
            self._table, self._rows, self._cols, self._text, self._row = attrs["table:name"], 0, 0, 0, 0
        elif self._table is None:
            return
        elif name == _ROW:
            self._row_repeats, self._col = _count(attrs.get("table:number-rows-repeated")), 0
        elif name in _CELLS:
            repeats = _count(attrs.get("table:number-columns-repeated"))
            valued = any(a in attrs for a in (*_VALUE_ATTRS, "office:boolean-value", "table:formula"))
            length = next((len(attrs[a]) for a in _TEXT_ATTRS if a in attrs), 0)
            is_string = attrs.get("office:value-type") == "string" and not any(a in attrs for a in _VALUE_ATTRS)
            self._cell = [repeats, int(valued or is_string), length]
            if is_string:
                self._string_depth, self._paragraphs, self._annotation = 1, 0, 0

    def end(self, name: str) -> None:
        if self._string_depth:
            self._string_depth -= 1
            if self._annotation:
                self._annotation -= 1
            if self._string_depth:
                return
        if self._table is None:
            return
        if name in _CELLS and self._cell is not None:
            repeats, valued, length = self._cell
            length += max(self._paragraphs - 1, 0)  # a line break between paragraphs
            if valued:
                copies = min(repeats, _MAX_COLUMNS) * self._row_repeats
                self._rows = max(self._rows, self._row + self._row_repeats)
                self._cols = max(self._cols, self._col + repeats)
                self._text += length * copies
            self._col += repeats
            self._cell = None
        elif name == _ROW:
            self._row += self._row_repeats
        elif name == _TABLE:
            self.extents[self._table] = Extent(self._rows, self._cols, self._text)
            self._table = None

    def chars(self, data: str) -> None:
        if self._string_depth and not self._annotation and self._cell is not None:
            self._cell[2] += len(data)


def ods_extents(archive: zipfile.ZipFile) -> dict[str, Extent]:
    """{table: extent} for every table of an .ods package's content.xml (calamine reads them all on opening).

    Raises:
        KeyError: there is no content.xml.
        SheetXmlError: content.xml is damaged.
    """
    content = _OdsContent()
    parser = xml_parser()
    parser.StartElementHandler = content.start
    parser.EndElementHandler = content.end
    parser.CharacterDataHandler = content.chars
    feed_part(archive, archive.getinfo("content.xml"), parser, must_parse=True)
    return content.extents
