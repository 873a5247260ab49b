"""Measure the sheets of a legacy .xls as calamine lays them out, before calamine opens it.

What calamine (python-calamine 0.9) does with an .xls, as the tests show: on
opening the file it reads every sheet listed in the workbook globals (up to
their EOF), hidden ones and macro, chart and module sheets too, and for each

- reserves room for the cells its DIMENSIONS records declare, ``(rwMac - rwMic)
  x (colMac - colMic)`` of them (the ``Mac`` fields are one past the last),
  whatever the cells really are: a record claiming four billion rows aborts the
  process;
- lays out every cell that a NUMBER, RK, MULRK, LABEL, LABELSST, RSTRING,
  BOOLERR or FORMULA record places (BLANK and MULBLANK place none), reading from
  the sheet's BOF to its EOF, a BOF...EOF substream inside it included; the
  loader then takes the grid from A1 to the last of them;
- copies a shared string (SST) into every LABELSST cell that refers to it.

This module walks the BIFF records of the Workbook stream (read with the
bounded reader of :mod:`loaders.ole`) the same way and reports, per sheet, the
declared cells, the extent of the placed cells and the characters of shared
text, and the other workbooks or sources the workbook links to (SUPBOOK
records): :mod:`loaders.package` refuses what is too large or active. The walk
costs at most twice the stream's size; a stream whose sheets would make it walk
more (sheets listed at overlapping offsets) is reported as damaged.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

from loaders.sheet_extent import Extent

_BOF, _EOF, _CONTINUE = 0x0809, 0x000A, 0x003C
_BOUNDSHEET, _SUPBOOK, _SST, _DIMENSIONS = 0x0085, 0x01AE, 0x00FC, 0x0200
_MULRK, _LABELSST = 0x00BD, 0x00FD
# Records whose first two fields are the row and the column of a cell calamine places.
_CELLS = frozenset({0x0203, 0x027E, 0x0204, 0x0205, 0x0006, 0x00D6, _LABELSST, _MULRK})
# SUPBOOK "cch" values that are no link: the workbook itself, and add-in functions.
_NOT_LINKS = (0x0401, 0x3A01)
_HEADER = struct.Struct("<HH")
_LONGEST_STRING = 0xFFFF  # a BIFF8 string's length is a 16-bit count


class XlsDamagedError(Exception):
    """The Workbook stream cannot be walked as calamine would read it."""


@dataclass(frozen=True)
class XlsSheet:
    """One sheet as calamine reads it: its name, BIFF type, declared cells and placed extent."""

    name: str
    kind: int  # 0 worksheet, 1 Excel 4 macro sheet, 2 chart, 6 VBA module
    declared: int
    extent: Extent


@dataclass
class XlsWorkbook:
    """What the pre-checks need to know about an .xls workbook."""

    sheets: list[XlsSheet] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # the external workbooks or sources it links to


def xls_workbook(stream: bytes) -> XlsWorkbook:
    """Walk a Workbook (or Book) stream: its sheets' sizes and its external links.

    Raises:
        XlsDamagedError: the sheets overlap so that walking them would cost more
            than twice the stream.
    """
    book = XlsWorkbook()
    listed: list[tuple[int, int, str]] = []
    sst_at = None
    # The workbook globals, up to their EOF: calamine lists no sheet after it (tested).
    for offset, kind, size in _records(stream, 0):
        if kind == _EOF:
            break
        body = stream[offset + 4 : offset + 4 + size]  # shorter than ``size`` if the stream ends first
        if kind == _BOUNDSHEET and len(body) >= 6:
            position, _, sheet_kind = struct.unpack_from("<IBB", body)
            listed.append((position, sheet_kind, _short_string(body[6:])))
        elif kind == _SUPBOOK and len(body) >= 4:
            characters = struct.unpack_from("<H", body, 2)[0]
            if characters not in _NOT_LINKS:
                book.links.append(_link_name(body[4:], characters))
        elif kind == _SST and sst_at is None:
            sst_at = offset
    strings = _string_lengths(stream, sst_at) if sst_at is not None else _Strings([], complete=True)
    budget = [2 * len(stream) + 4096]
    measured: dict[int, tuple[int, Extent]] = {}
    for position, sheet_kind, name in listed:
        if position not in measured:
            measured[position] = _measure_sheet(stream, position, strings, budget)
        declared, extent = measured[position]
        book.sheets.append(XlsSheet(name, sheet_kind, declared, extent))
    return book


def _records(stream: bytes, offset: int) -> Iterator[tuple[int, int, int]]:
    """(offset, type, size) of the records chained from ``offset`` to the end of the stream."""
    end = len(stream)
    while offset + 4 <= end:
        kind, size = _HEADER.unpack_from(stream, offset)
        yield offset, kind, size
        offset += 4 + size


def _measure_sheet(stream: bytes, offset: int, strings: _Strings, budget: list[int]) -> tuple[int, Extent]:
    """(declared cells, extent of the placed cells) of the sheet whose BOF is at ``offset``."""
    declared, rows, cols, text, depth = 0, 0, 0, 0, 0
    end = len(stream)
    start = offset
    while offset + 4 <= end:
        kind, size = _HEADER.unpack_from(stream, offset)
        body = offset + 4
        offset = body + size
        if offset > end:
            break  # a record cut short: calamine reads no further either
        if kind == _BOF:
            depth += 1
        elif kind == _EOF:
            depth -= 1
            if depth <= 0:
                break
        elif kind in _CELLS and size >= 4:
            row, col = struct.unpack_from("<HH", stream, body)
            if kind == _MULRK and size >= 6:
                # Entries of 6 bytes between the first column and the last one (a 2-byte field at the end).
                col = max(col, col + (size - 6) // 6 - 1, struct.unpack_from("<H", stream, offset - 2)[0])
            elif kind == _LABELSST and size >= 10:
                text += strings.length(struct.unpack_from("<I", stream, body + 6)[0])
            rows, cols = max(rows, row + 1), max(cols, col + 1)
        elif kind == _DIMENSIONS:
            declared = max(declared, _declared_cells(stream[body:offset]))
    budget[0] -= offset - start
    if budget[0] < 0:
        raise XlsDamagedError("its sheets overlap one another")
    return declared, Extent(rows, cols, text)


def _declared_cells(body: bytes) -> int:
    """The cells a DIMENSIONS record makes calamine reserve (32-bit rows in BIFF8, 16-bit in BIFF5)."""
    if len(body) >= 12:
        first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", body)
    elif len(body) >= 8:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", body)
    else:
        return 0
    return max(last_row - first_row, 0) * max(last_col - first_col, 0)


class _Strings:
    """The length of each shared string; an index past what could be read counts as the longest possible."""

    def __init__(self, lengths: list[int], complete: bool) -> None:
        self._lengths = lengths
        self._complete = complete

    def length(self, index: int) -> int:
        if index < len(self._lengths):
            return self._lengths[index]
        return 0 if self._complete else _LONGEST_STRING  # calamine places no cell for a missing string


def _string_lengths(stream: bytes, offset: int) -> _Strings:
    """The character count of each string of the SST record at ``offset`` and its CONTINUE records."""
    segments: list[bytes] = []
    for at, kind, size in _records(stream, offset):
        if segments and kind != _CONTINUE:
            break
        segments.append(stream[at + 4 : at + 4 + size])
    reader = _Segments(segments)
    lengths: list[int] = []
    try:
        reader.skip(4)
        unique = reader.unsigned("<I")
        while len(lengths) < unique:
            count = reader.unsigned("<H")
            flags = reader.unsigned("<B")
            runs = reader.unsigned("<H") if flags & 0x08 else 0
            extra = reader.unsigned("<I") if flags & 0x04 else 0
            reader.characters(count, wide=bool(flags & 0x01))
            reader.skip(4 * runs + extra)
            lengths.append(count)
    except (IndexError, struct.error):
        return _Strings(lengths, complete=False)
    return _Strings(lengths, complete=True)


class _Segments:
    """Reads across an SST record and its CONTINUE records (as xlrd and the file format describe it)."""

    def __init__(self, segments: list[bytes]) -> None:
        self._segments = segments
        self._index = 0
        self._at = 0

    def _available(self) -> int:
        """Bytes left in the current record, moving to the next record at the end of one."""
        while self._at >= len(self._segments[self._index]):
            self._index, self._at = self._index + 1, 0  # IndexError past the last one
        return len(self._segments[self._index]) - self._at

    def take(self, size: int) -> bytes:
        """The next ``size`` bytes, across record boundaries."""
        parts = []
        while size:
            step = min(size, self._available())
            parts.append(self._segments[self._index][self._at : self._at + step])
            self._at += step
            size -= step
        return b"".join(parts)

    def unsigned(self, form: str) -> int:
        value: int = struct.unpack(form, self.take(struct.calcsize(form)))[0]
        return value

    def skip(self, size: int) -> None:
        while size:
            step = min(size, self._available())
            self._at += step
            size -= step

    def characters(self, count: int, wide: bool) -> None:
        """Skip ``count`` characters; where they go on in a CONTINUE record, it starts with a new width flag."""
        while count:
            width = 2 if wide else 1
            step = min(count, (len(self._segments[self._index]) - self._at) // width)
            self._at += step * width
            count -= step
            if count:
                self._index, self._at = self._index + 1, 1
                wide = bool(self._segments[self._index][0] & 0x01)  # IndexError past the last record


def _short_string(body: bytes) -> str:
    """A ShortXLUnicodeString (BIFF8) or a byte string (BIFF5), as well as it can be read."""
    if not body:
        return ""
    length = body[0]
    if len(body) >= 2 and body[1] in (0, 1) and len(body) >= 2 + length * (body[1] + 1):
        raw = body[2 : 2 + length * (body[1] + 1)]
        return raw.decode("utf-16-le" if body[1] else "latin-1", errors="replace")
    return body[1 : 1 + length].decode("latin-1")  # every byte is a latin-1 character


def _link_name(body: bytes, length: int) -> str:
    """The target of an external SUPBOOK (its encoded path, ``length`` characters), readable enough for a message."""
    if not body:
        return "an external source"
    wide = body[0] & 0x01
    raw = body[1 : 1 + min(length, 80) * (2 if wide else 1)]
    text = raw.decode("utf-16-le" if wide else "latin-1", errors="replace")
    return "".join(c if c.isprintable() else "/" for c in text).strip("/") or "an external source"
