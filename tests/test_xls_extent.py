"""The BIFF walk of an .xls Workbook stream: exact sheet sizes, shared-text lengths and links.

Streams are written record by record here (with the builders of tests/make_fixtures.py), so what calamine
would lay out is known from the records themselves: each expected value is stated next to the records that
make it.
"""

from __future__ import annotations

import struct

import pytest

from loaders.sheet_extent import Extent
from loaders.tables import read_member_bytes
from loaders.xls_extent import XlsDamagedError, XlsSheet, XlsWorkbook, xls_workbook
from tests.make_fixtures import biff8_stream, biff_dimensions, biff_number, biff_record, biff_string, compound_file

_BOF, _EOF, _SST, _CONTINUE, _SUPBOOK, _BOUNDSHEET = 0x0809, 0x000A, 0x00FC, 0x003C, 0x01AE, 0x0085
_BOF_RECORD = biff_record(_BOF, bytes(16))
_EOF_RECORD = biff_record(_EOF)


def _sheet(cells: bytes, kind: int = 0, name: str = "S") -> XlsSheet:
    """The one sheet of a stream holding ``cells``."""
    (sheet,) = xls_workbook(biff8_stream([(name, kind, cells)])).sheets
    return sheet


def test_sheets_are_listed_with_their_names_types_and_sizes() -> None:
    stream = biff8_stream(
        [
            ("Actions", 0, biff_dimensions(10, 5) + biff_number(2, 3, 1.0) + biff_string(7, 1, 1)),
            ("Chart «1»", 2, biff_dimensions(12, 6, first_row=2, first_col=1)),
            ("Macro1", 1, biff_number(0, 0, 1.0)),
            ("Empty", 0, b""),
        ],
        strings=["x", "twelve chars"],
    )

    assert xls_workbook(stream) == XlsWorkbook(
        sheets=[
            XlsSheet("Actions", 0, 50, Extent(8, 4, 12)),
            XlsSheet("Chart «1»", 2, 50, Extent(0, 0, 0)),
            XlsSheet("Macro1", 1, 0, Extent(1, 1, 0)),
            XlsSheet("Empty", 0, 0, Extent(0, 0, 0)),
        ],
        links=[],
    )


# Records whose first fields are a row and a column: calamine places a cell for these, none for the others.
_PLACED = {
    "number": 0x0203,
    "rk": 0x027E,
    "label": 0x0204,
    "boolerr": 0x0205,
    "formula": 0x0006,
    "rstring": 0x00D6,
    "labelsst": 0x00FD,
    "mulrk": 0x00BD,
}
_NOT_PLACED = {"blank": 0x0201, "mulblank": 0x00BE, "string": 0x0207, "row": 0x0208, "note": 0x001C}


@pytest.mark.parametrize(
    ("kind", "expected"),
    [*[pytest.param(k, Extent(6, 10), id=n) for n, k in _PLACED.items()]]
    + [pytest.param(k, Extent(0, 0), id=n) for n, k in _NOT_PLACED.items()],
)
def test_each_cell_record_places_a_cell(kind: int, expected: Extent) -> None:
    # A body of 4 bytes: just the row (5) and the column (9).
    assert _sheet(biff_record(kind, struct.pack("<HH", 5, 9))).extent == expected


def test_rows_and_columns_are_unsigned() -> None:
    assert _sheet(biff_number(0xFFFF, 0x8000, 1.0)).extent == Extent(0x10000, 0x8001)


def test_a_cell_record_shorter_than_its_address_places_nothing() -> None:
    assert _sheet(biff_record(0x0203, struct.pack("<HB", 5, 9))).extent == Extent(0, 0)


def test_the_extent_reaches_the_last_row_and_the_last_column_of_any_cell() -> None:
    cells = biff_number(9, 0, 1.0) + biff_number(0, 12, 1.0) + biff_number(3, 3, 1.0)

    assert _sheet(cells).extent == Extent(10, 13)


def _mulrk(row: int, first: int, entries: int, last: int, extra: bytes = b"") -> bytes:
    body = struct.pack("<HH", row, first) + struct.pack("<HI", 15, 0) * entries + extra + struct.pack("<H", last)
    return biff_record(0x00BD, body)


@pytest.mark.parametrize(
    ("mulrk", "expected"),
    [
        pytest.param(_mulrk(3, 2, 3, 4), Extent(4, 5), id="honest"),
        pytest.param(_mulrk(3, 2, 3, 0), Extent(4, 5), id="last-column-too-small"),
        pytest.param(_mulrk(3, 2, 3, 200), Extent(4, 201), id="last-column-too-large"),
        pytest.param(_mulrk(3, 2, 3, 0xFFFF), Extent(4, 0x10000), id="last-column-65535"),
        pytest.param(_mulrk(3, 2, 0, 7), Extent(4, 8), id="no-entries"),
        pytest.param(_mulrk(3, 2, 0, 0), Extent(4, 3), id="no-entries-last-before-first"),
        pytest.param(_mulrk(3, 2, 3, 0, b"\0\0\0"), Extent(4, 5), id="three-bytes-of-a-fourth-entry"),
        pytest.param(_mulrk(3, 2, 3, 0, b"\0\0\0\0\0\0"), Extent(4, 6), id="four-entries"),
        pytest.param(biff_record(0x00BD, struct.pack("<HHB", 3, 2, 0xFF)), Extent(4, 3), id="five-bytes"),
        pytest.param(biff_record(0x00BD, struct.pack("<HHBH", 3, 2, 0, 9)), Extent(4, 10), id="seven-bytes"),
    ],
)
def test_a_mulrk_spans_its_entries_and_its_last_column(mulrk: bytes, expected: Extent) -> None:
    assert _sheet(mulrk).extent == expected


@pytest.mark.parametrize(
    ("body", "declared"),
    [
        pytest.param(struct.pack("<IIHHH", 2, 12, 1, 6, 0), 50, id="biff8"),
        pytest.param(struct.pack("<IIHH", 0, 3, 0, 4), 12, id="biff8-without-the-reserved-field"),
        pytest.param(struct.pack("<IIHH", 0, 0x10000, 0, 2), 0x20000, id="biff8-32-bit-rows"),
        pytest.param(struct.pack("<IIHH", 0, 0xFFFFFFFF, 0, 0xFFFF), 0xFFFFFFFF * 0xFFFF, id="biff8-largest"),
        pytest.param(struct.pack("<HHHH", 0, 0xFFFF, 0, 0xFFFF), 0xFFFF * 0xFFFF, id="biff5-largest"),
        pytest.param(struct.pack("<HHHHBBB", 1, 5, 2, 9, 7, 7, 7), 28, id="eleven-bytes-read-as-biff5"),
        pytest.param(struct.pack("<HHHH", 0, 4, 0, 3), 12, id="biff5"),
        pytest.param(struct.pack("<HHHB", 0, 4, 0, 3), 0, id="seven-bytes"),
        pytest.param(struct.pack("<IIHH", 12, 2, 0, 5), 0, id="rows-backwards"),
        pytest.param(struct.pack("<IIHH", 0, 5, 6, 1), 0, id="columns-backwards"),
        pytest.param(struct.pack("<IIHH", 12, 2, 6, 1), 0, id="both-backwards"),
        pytest.param(struct.pack("<IIHH", 4, 4, 0, 5), 0, id="no-rows"),
    ],
)
def test_dimensions_declare_the_cells_calamine_reserves(body: bytes, declared: int) -> None:
    assert _sheet(biff_record(0x0200, body)).declared == declared


def test_the_largest_of_several_dimensions_counts() -> None:
    assert _sheet(biff_dimensions(10, 5) + biff_dimensions(3, 4)).declared == 50
    assert _sheet(biff_dimensions(3, 4) + biff_dimensions(10, 5)).declared == 50


def test_a_sheet_ends_at_its_eof_after_any_nested_substreams() -> None:
    nested = _BOF_RECORD + biff_number(1, 1, 1.0) + _BOF_RECORD + _EOF_RECORD + biff_number(2, 2, 1.0) + _EOF_RECORD
    stream = biff8_stream([("A", 0, biff_number(0, 0, 1.0) + nested + biff_number(4, 3, 1.0)), ("B", 0, b"")])
    after = biff_number(50, 50, 1.0)  # after B's EOF: part of no sheet

    assert [s.extent for s in xls_workbook(stream + after).sheets] == [Extent(5, 4), Extent(0, 0)]


def test_a_sheet_listed_inside_another_ends_at_the_first_eof() -> None:
    cells = biff_number(0, 0, 1.0) + biff_number(7, 2, 1.0)
    plain = biff8_stream([("A", 0, cells), ("B", 0, b"")])
    start = struct.unpack_from("<I", plain, plain.index(struct.pack("<H", _BOUNDSHEET)) + 4)[0]
    second_cell = start + len(_BOF_RECORD) + 18
    stream = biff8_stream([("A", 0, cells), ("B", 0, b"")], positions=[None, second_cell])

    assert [s.extent for s in xls_workbook(stream).sheets] == [Extent(8, 3), Extent(8, 3)]


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        pytest.param(biff_number(9, 9, 1.0), Extent(10, 10), id="last-record-ends-the-stream"),
        pytest.param(biff_number(9, 9, 1.0)[:-1], Extent(0, 0), id="last-record-cut-short"),
        pytest.param(biff_number(9, 9, 1.0) + b"\0\0\0", Extent(10, 10), id="three-bytes-after-it"),
    ],
)
def test_a_sheet_without_eof_is_read_to_the_end_of_the_stream(tail: bytes, expected: Extent) -> None:
    head = biff8_stream([("A", 0, b"")])  # sheet A is listed at the first byte after it: at ``tail``
    (sheet,) = xls_workbook(biff8_stream([("A", 0, b"")], positions=[len(head)]) + tail).sheets

    assert sheet.extent == expected


# --- shared strings -----------------------------------------------------------------------------


def _texts(sst: bytes, count: int) -> list[int]:
    """The text of sheets 0..count, sheet i holding one LABELSST cell of string i, with ``sst`` in the globals."""
    sheets = [(f"S{i}", 0, biff_string(0, 0, i)) for i in range(count + 1)]
    return [sheet.extent.text for sheet in xls_workbook(biff8_stream(sheets, globals_extra=sst)).sheets]


def _string(text: str, wide: bool = False, runs: int = 0, extra: bytes = b"") -> bytes:
    """One SST string: count, flags, [runs], [extra size], characters, run data, extra data."""
    flags = int(wide) | (0x08 if runs else 0) | (0x04 if extra else 0)
    head = struct.pack("<HB", len(text), flags)
    head += struct.pack("<H", runs) if runs else b""
    head += struct.pack("<I", len(extra)) if extra else b""
    return head + text.encode("utf-16-le" if wide else "latin-1") + b"\xaa" * (4 * runs) + extra


def _sst(unique: int, body: bytes) -> bytes:
    return biff_record(_SST, struct.pack("<II", unique + 5, unique) + body)


@pytest.mark.parametrize(
    ("sst", "expected"),
    [
        pytest.param(_sst(3, _string("abc") + _string("ab", wide=True) + _string("")), [3, 2, 0, 0], id="plain"),
        pytest.param(
            _sst(3, _string("ab", runs=2) + _string("wxyz", wide=True, extra=b"12345") + _string("q")),
            [2, 4, 1, 0],
            id="rich-text-and-phonetic",
        ),
        pytest.param(
            _sst(2, _string("abcd", wide=True, runs=1, extra=b"123") + _string("hello")),
            [4, 5, 0],
            id="rich-and-phonetic-together",
        ),
        pytest.param(
            _sst(2, struct.pack("<HB", 6, 0) + b"abc")
            + biff_record(_CONTINUE, b"\x01" + "def".encode("utf-16-le") + _string("xy")),
            [6, 2, 0],
            id="characters-go-on-wide-in-a-continue",
        ),
        pytest.param(
            _sst(2, struct.pack("<HB", 6, 1) + "ab".encode("utf-16-le") + b"c")
            + biff_record(_CONTINUE, b"\x00" + b"defg" + _string("xyz")),
            [6, 3, 0],
            id="wide-characters-go-on-narrow-in-a-continue-after-an-odd-byte",
        ),
        pytest.param(
            _sst(2, struct.pack("<HB", 4, 0) + b"ab")
            + biff_record(_CONTINUE, b"\x00c")
            + biff_record(_CONTINUE, b"\x00d" + _string("last")),
            [4, 4, 0],
            id="characters-over-three-records",
        ),
        pytest.param(
            _sst(2, struct.pack("<H", 3)) + biff_record(_CONTINUE, b"\x00abc" + _string("x")),
            [3, 1, 0],
            id="string-header-split",
        ),
        pytest.param(
            _sst(2, _string("ab", runs=2)[:-5]) + biff_record(_CONTINUE, b"\xaa" * 5 + _string("xyz")),
            [2, 3, 0],
            id="runs-go-on-in-a-continue-without-a-flag",
        ),
        pytest.param(
            _sst(2, _string("ab")) + biff_record(_CONTINUE) + biff_record(_CONTINUE, _string("xyz")),
            [2, 3, 0],
            id="empty-continue",
        ),
        pytest.param(
            _sst(3, _string("abc")) + biff_record(0x00FF, _string("ignored") * 2),
            [3, 0xFFFF, 0xFFFF, 0xFFFF],
            id="fewer-strings-than-counted",
        ),
        pytest.param(
            _sst(2, _string("ab") + struct.pack("<HB", 5, 0) + b"abc"),
            [2, 0xFFFF, 0xFFFF],
            id="last-string-cut-short",
        ),
        pytest.param(
            _sst(2, _string("ab") + struct.pack("<HB", 3, 1) + b"abcd") + biff_record(_CONTINUE),
            [2, 0xFFFF, 0xFFFF],
            id="characters-go-on-in-an-empty-continue",
        ),
        pytest.param(
            _sst(1, _string("ab", runs=1)[:-1]),
            [0xFFFF, 0xFFFF],
            id="runs-cut-short",
        ),
        pytest.param(biff_record(_SST, b"\0\0\0\0\1\0"), [0xFFFF], id="count-cut-short"),
        pytest.param(_sst(1, b"\x03") + biff_record(_CONTINUE, b"\x00\x00abc"), [3, 0], id="character-count-split"),
        pytest.param(
            biff_record(_SST, struct.pack("<II", 1, 0xFFFFFFFF) + _string("abc")), [3, 0xFFFF], id="4-billion-strings"
        ),
        pytest.param(
            _sst(2, struct.pack("<HBH", 2, 0x08, 0x8000) + b"ab" + _string("xyz")),
            [0xFFFF, 0xFFFF, 0xFFFF],
            id="32768-runs-missing",
        ),
        pytest.param(
            _sst(2, struct.pack("<HBI", 2, 0x04, 0xFFFFFFFF) + b"ab" + _string("xyz")),
            [0xFFFF, 0xFFFF, 0xFFFF],
            id="4-gib-of-phonetic-data-missing",
        ),
        pytest.param(biff_record(_SST, b""), [0xFFFF], id="empty-sst"),
        pytest.param(_sst(1, _string("abc")) + _sst(1, _string("z")), [3, 0], id="the-first-sst-counts"),
        pytest.param(b"", [0], id="no-sst"),
    ],
)
def test_shared_strings_count_their_characters(sst: bytes, expected: list[int]) -> None:
    assert _texts(sst, len(expected) - 1) == expected


@pytest.mark.parametrize(
    ("sst", "text"),
    [
        pytest.param(_sst(1, _string("abc")), 3, id="whole"),
        pytest.param(_sst(1, _string("abc"))[:4], 0xFFFF, id="only-its-header"),
    ],
)
def test_an_sst_at_the_very_end_of_the_stream_is_read(sst: bytes, text: int) -> None:
    """No EOF anywhere: the globals, the sheet (listed at its LABELSST) and the SST run to the end."""
    head = _BOF_RECORD + _boundsheet(b"\x01\x00A", position=0)
    cell = biff_string(0, 0, 0)
    stream = _BOF_RECORD + _boundsheet(b"\x01\x00A", position=len(head)) + cell + sst

    assert xls_workbook(stream).sheets == [XlsSheet("A", 0, 0, Extent(1, 1, text))]


def test_a_string_of_40000_characters_over_continue_records_counts_them_all() -> None:
    stream = biff8_stream([("T", 0, biff_string(0, 0, 0))], strings=["x" * 40_000])

    assert xls_workbook(stream).sheets[0].extent == Extent(1, 1, 40_000)


def test_a_shared_string_counts_once_per_cell_that_uses_it() -> None:
    cells = b"".join(biff_string(row, 0, 1) for row in range(3)) + biff_string(3, 0, 0)

    assert _sheet(cells, name="T").extent.text == 0  # no SST in the globals: the strings are missing
    stream = biff8_stream([("T", 0, cells)], strings=["a", "x" * 70])
    assert xls_workbook(stream).sheets[0].extent == Extent(4, 1, 211)


@pytest.mark.parametrize(
    ("size", "index", "text"),
    [(10, 0, 3), (9, 0, 0), (10, 0xFFFFFFFF, 0)],
    ids=["labelsst-of-10-bytes", "labelsst-of-9-bytes", "index-4-billion"],
)
def test_a_labelsst_counts_its_string_only_when_it_holds_the_index(size: int, index: int, text: int) -> None:
    cell = biff_record(0x00FD, struct.pack("<HHHI", 1, 1, 15, index)[:size])
    stream = biff8_stream([("T", 0, cell)], globals_extra=_sst(1, _string("abc")))

    assert xls_workbook(stream).sheets[0].extent == Extent(2, 2, text)


# --- the sheet list and the links -------------------------------------------------------------


def _globals(*records: bytes, sheets: int = 0) -> bytes:
    """A stream whose globals are ``records`` (then EOF), followed by ``sheets`` empty sheets' records."""
    return _BOF_RECORD + b"".join(records) + _EOF_RECORD + (_BOF_RECORD + _EOF_RECORD) * sheets


def _boundsheet(name_field: bytes, kind: int = 0, position: int = 0) -> bytes:
    return biff_record(_BOUNDSHEET, struct.pack("<IBB", position, 0, kind) + name_field)


@pytest.mark.parametrize(
    ("name_field", "name"),
    [
        pytest.param(b"", "", id="no-name"),
        pytest.param(b"\x03\x00abc", "abc", id="biff8-narrow"),
        pytest.param(b"\x02\x01" + "ΑΩ".encode("utf-16-le"), "ΑΩ", id="biff8-wide"),
        pytest.param(b"\x01\x01\x00\xd8", "\ufffd", id="biff8-wide-lone-surrogate"),
        pytest.param(b"\x03abc", "abc", id="biff5-bytes"),
        pytest.param(b"\x03\xe9t\xe9", "été", id="biff5-latin-1"),
        pytest.param(b"\x03\x00ab", "\x00ab", id="narrow-cut-short-read-as-biff5"),
        pytest.param(b"\x02\x01a\x00b", "\x01a", id="wide-cut-short-read-as-biff5"),
        pytest.param(b"\x02\x00abc", "ab", id="narrow-with-bytes-after"),
        pytest.param(b"\x00\x01", "", id="empty-wide"),
        pytest.param(b"\x05", "", id="length-only"),
        pytest.param(b"\x05ab", "ab", id="biff5-cut-short"),
    ],
)
def test_sheet_names_are_read_in_either_spelling(name_field: bytes, name: str) -> None:
    (sheet,) = xls_workbook(_globals(_boundsheet(name_field, position=0))).sheets

    assert sheet.name == name


def test_a_sheet_record_shorter_than_its_position_and_type_lists_no_sheet() -> None:
    stream = _globals(biff_record(_BOUNDSHEET, struct.pack("<IB", 0, 0)), _boundsheet(b"", kind=2))

    assert [(s.name, s.kind) for s in xls_workbook(stream).sheets] == [("", 2)]


def test_a_sheet_position_and_type_are_unsigned() -> None:
    far = biff_number(3, 4, 1.0)  # the last 18 bytes of the stream
    stream = _globals(_boundsheet(b"\x01\x00A", kind=0x80, position=2**32 - len(far))) + far

    assert xls_workbook(stream).sheets == [XlsSheet("A", 0x80, 0, Extent(0, 0))]


def test_records_after_the_globals_eof_list_no_sheet() -> None:
    stream = _globals(_boundsheet(b"\x01\x00A")) + _boundsheet(b"\x01\x00B")

    assert [s.name for s in xls_workbook(stream).sheets] == ["A"]


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        pytest.param(_boundsheet(b"\x01\x00A")[:9], XlsWorkbook(), id="sheet-record-with-5-of-11-bytes"),
        pytest.param(
            _boundsheet(b"\x01\x00A")[:10],
            XlsWorkbook(sheets=[XlsSheet("", 0, 0, Extent(0, 0))]),
            id="sheet-record-with-6-of-11-bytes",
        ),
        pytest.param(
            biff_record(_SUPBOOK, struct.pack("<HH", 1, 5) + b"\x00other")[:7], XlsWorkbook(), id="link-with-3-bytes"
        ),
        pytest.param(
            biff_record(_SUPBOOK, struct.pack("<HH", 1, 5) + b"\x00other")[:11],
            XlsWorkbook(links=["ot"]),
            id="link-with-7-of-10-bytes",
        ),
    ],
)
def test_a_record_cut_short_by_the_end_of_the_globals_is_read_as_far_as_it_goes(
    last: bytes, expected: XlsWorkbook
) -> None:
    """A hostile stream, not a crash: the globals have no EOF and their last record runs past the end."""
    assert xls_workbook(_BOF_RECORD + last) == expected


def test_an_xls_whose_globals_end_in_a_record_cut_short_is_no_crash() -> None:
    cut = _boundsheet(b"\x01\x00A")[:7]
    filler = biff_record(0x0001, bytes(4096 - len(_BOF_RECORD) - len(cut) - 4))
    stream = _BOF_RECORD + filler + cut  # 4096 bytes: the compound file adds no padding after the cut record

    raw = read_member_bytes("IDN.xls", compound_file(stream))

    assert [(i.row, i.field, i.code) for i in raw.issues] == [(None, None, "unreadable-file")]


def _supbook(cch: int, encoded: bytes = b"", ctab: int = 1) -> bytes:
    return biff_record(_SUPBOOK, struct.pack("<HH", ctab, cch) + encoded)


@pytest.mark.parametrize(
    ("supbook", "links"),
    [
        pytest.param(_supbook(0x0401), [], id="the-workbook-itself"),
        pytest.param(_supbook(0x3A01), [], id="add-in-functions"),
        pytest.param(_supbook(0x0402), ["an external source"], id="no-path"),
        pytest.param(biff_record(_SUPBOOK, struct.pack("<HB", 1, 10)), [], id="cut-short"),
        pytest.param(_supbook(10, b"\x00other.xlsx"), ["other.xlsx"], id="narrow"),
        pytest.param(_supbook(5, b"\x00other.xlsx"), ["other"], id="narrow-as-long-as-counted"),
        pytest.param(_supbook(2, b"\x01" + "ΑΩ".encode("utf-16-le")), ["ΑΩ"], id="wide"),
        pytest.param(_supbook(2, b"\x05" + "ΑΩ".encode("utf-16-le")), ["ΑΩ"], id="wide-with-other-flags"),
        pytest.param(_supbook(2, b"\x02ab"), ["ab"], id="narrow-with-other-flags"),
        pytest.param(_supbook(1, b"\x01\x00\xd8"), ["\ufffd"], id="wide-lone-surrogate"),
        pytest.param(
            _supbook(14, b"\x00\x01\x03C:\x03dir\x03f.xls\x02"), ["C:/dir/f.xls"], id="encoded-path-made-readable"
        ),
        pytest.param(_supbook(3, b"\x00\x01\x02\x03"), ["an external source"], id="nothing-printable"),
        pytest.param(_supbook(5, b"\x00X.xlX"), ["X.xlX"], id="only-slashes-stripped"),
        pytest.param(_supbook(0xFFFF, b"\x00abc"), ["abc"], id="count-of-65535"),
        pytest.param(_supbook(100, b"\x00" + b"x" * 100), ["x" * 80], id="long-path-cut-at-80"),
        pytest.param(_supbook(80, b"\x01" + "y".encode("utf-16-le") * 81), ["y" * 80], id="wide-path-of-80"),
        pytest.param(_supbook(0x0401) + _supbook(3, b"\x00one") + _supbook(3, b"\x00two"), ["one", "two"], id="two"),
    ],
)
def test_external_links_are_named(supbook: bytes, links: list[str]) -> None:
    assert xls_workbook(_globals(supbook)) == XlsWorkbook(sheets=[], links=links)


# --- the walk's budget ----------------------------------------------------------------------------


def _overlapping(extra_bytes: int, odd: bool = False) -> tuple[bytes, int]:
    """A stream whose sheets B1..B9 are listed inside sheet A, and the bytes the walk reads: (stream, cost).

    Sheet A, the last one, is 100 NUMBER cells (18 bytes each), after a 5-byte record if ``odd``. B_i starts at
    A's cell i and, like A, ends at A's EOF, the last record of the stream; the walk reads A's records plus
    each B's. ``extra_bytes`` (0, or 4 and more: a record in the globals) raise the budget by 2 each without
    being walked.
    """
    padding = biff_record(0x0001, bytes(extra_bytes - 4)) if extra_bytes else b""
    lead = biff_record(0x0001, b"\0") if odd else b""
    cells = lead + b"".join(biff_number(row, 0, 1.0) for row in range(100))
    names = [*[(f"B{i}", 0, b"") for i in range(1, 10)], ("A", 0, cells)]
    a_cost = len(_BOF_RECORD) + len(cells) + len(_EOF_RECORD)
    first_cell = len(biff8_stream(names, globals_extra=padding)) - a_cost + len(_BOF_RECORD) + len(lead)
    stream = biff8_stream(names, globals_extra=padding, positions=[first_cell + 18 * i for i in range(1, 10)])
    assert stream.endswith(biff_number(99, 0, 1.0) + _EOF_RECORD)
    b_costs = [18 * (100 - i) + len(_EOF_RECORD) for i in range(1, 10)]
    return stream, a_cost + sum(b_costs)


def _budget(stream: bytes) -> int:
    return 2 * len(stream) + 4096


@pytest.mark.parametrize(("odd", "over"), [(False, 0), (False, 2), (True, -1), (True, 1)])
def test_the_walk_may_read_twice_the_stream_and_4096_bytes_more(odd: bool, over: int) -> None:
    """A walk costing exactly the budget (or 1 byte less) is read; 1 or 2 bytes more is refused."""
    stream, cost = _overlapping(0, odd)
    assert cost > _budget(stream)  # without padding, the walk costs more than the budget
    padded, _ = _overlapping((cost - over - _budget(stream)) // 2, odd)
    assert cost - _budget(padded) == over

    if over > 0:
        with pytest.raises(XlsDamagedError, match=r"^its sheets overlap one another$"):
            xls_workbook(padded)
    else:
        assert [s.extent for s in xls_workbook(padded).sheets] == [Extent(100, 1)] * 10


def test_a_sheet_listed_many_times_at_one_place_is_walked_once() -> None:
    cells = b"".join(biff_number(row, 0, 1.0) for row in range(500))
    sheets = [("A", 0, cells), *[(f"B{i}", 0, b"") for i in range(50)]]
    plain = biff8_stream(sheets)
    start = struct.unpack_from("<I", plain, plain.index(struct.pack("<H", _BOUNDSHEET)) + 4)[0]

    book = xls_workbook(biff8_stream(sheets, positions=[None, *[start] * 50]))

    assert {s.extent for s in book.sheets} == {Extent(500, 1)}
    assert len(book.sheets) == 51
