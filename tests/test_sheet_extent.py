"""The exact sheet measure (loaders.sheet_extent): rows, columns and text of small crafted parts.

Each extent below is worked out by hand from the rules in the module docstring (where
calamine places a cell, what it copies), for one XML spelling at a time, and compared
with the measure as a whole. test_hostile_files.py covers the files it refuses; here the
numbers themselves are pinned, so that a measure that drifts in either direction fails.
"""

from __future__ import annotations

import array
import io
import re
import zipfile
from collections.abc import Callable

import pytest

from loaders import limits, sheet_extent
from loaders.sheet_extent import (
    Extent,
    SheetXmlError,
    feed_part,
    ods_extents,
    shared_string_lengths,
    xlsx_extents,
    xlsx_sheet_extent,
    xml_parser,
)

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# Three shared strings of 1, 10 and 100 characters.
_LENGTHS = array.array("Q", [1, 10, 100])
_SHEET = "xl/worksheets/sheet1.xml"


def _part(cells: str, before: str = "", after: str = "") -> bytes:
    namespaces = f'xmlns="{_MAIN}" xmlns:x="{_MAIN}"'
    return f"<worksheet {namespaces}>{before}<sheetData>{cells}</sheetData>{after}</worksheet>".encode()


def _package(parts: dict[str, bytes], folders: tuple[str, ...] = ()) -> zipfile.ZipFile:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder in folders:
            archive.writestr(zipfile.ZipInfo(folder), b"")
        for name, part in parts.items():
            archive.writestr(name, part)
    return zipfile.ZipFile(data)


def _always(_: Extent) -> bool:
    return True


def _never(_: Extent) -> bool:
    return False


# --- xlsx: where each cell sits, as calamine's XlsxCellReader places it -------------------------

# (cells inside sheetData, (rows, columns, text)) with strings of 1, 10 and 100 characters.
EXACT_EXTENTS: dict[str, tuple[str, tuple[int, int, int]]] = {
    "typical": ('<row r="3"><c r="B3" t="s"><v>1</v></c></row>', (3, 2, 10)),
    "empty": ("", (0, 0, 0)),
    "cells-without-r-follow-the-previous": (
        '<row r="5"><c r="B5"><v>1</v></c><c><v>1</v></c><c/><c><v>1</v></c></row>',
        (5, 5, 0),
    ),
    "r-resets-the-column": ('<row r="2"><c r="D2"><v>1</v></c><c r="A2"/><c><v>1</v></c></row>', (2, 4, 0)),
    "rows-without-r-follow-the-previous": ('<row r="7"/><row/><row><c><v>1</v></c></row>', (9, 1, 0)),
    "row-end-resets-the-column": ('<row><c r="C1"/></row><row><c><v>1</v></c></row>', (2, 1, 0)),
    "cell-outside-any-row": ('<row r="4"/><c><v>1</v></c>', (5, 1, 0)),
    "row-r-with-letters": ('<row r="B7"><c><v>1</v></c></row>', (7, 1, 0)),
    "cell-r-sets-the-place-not-the-row": ('<row r="2"><c r="B9"><v>1</v></c><c><v>1</v></c></row>', (9, 3, 0)),
    "leading-zeros-and-lower-case": ('<row r="0012"><c r="ab0012"><v>1</v></c></row>', (12, 28, 0)),
    "cells-without-a-value-take-no-room": (
        '<row r="9"><c r="Z9"/><c r="Y9"><f>1+1</f></c><c r="X9" t="s"></c></row><row r="2"><c r="A2"><v/></c></row>',
        (2, 1, 0),
    ),
    "inline-string": ('<row r="2"><c r="C2" t="inlineStr"><is><t>xyz</t></is></c></row>', (2, 3, 0)),
    "value-nested-deeper-is-no-value": ('<row r="2"><c r="C2"><x><v>1</v></x></c></row>', (0, 0, 0)),
    "largest-row-and-column-of-different-cells": (
        '<row r="9"><c r="A9"><v>1</v></c></row><row r="3"><c r="K3"><v>1</v></c></row>',
        (9, 11, 0),
    ),
    "cell-nested-in-a-cell": (
        '<row r="1"><c r="A1"><v>1</v><c r="XFD9"><v>1</v></c></c><c><v>1</v></c></row>',
        (1, 2, 0),
    ),
    "prefixed": ('<x:row r="2"><x:c r="D2" t="s"><x:v>1</x:v></x:c></x:row>', (2, 4, 10)),
    "quotes-and-spaces": ("<row\tr = '3'><c s='1'\n r\t=\t'b3' t = 's'><v>2</v></c></row>", (3, 2, 100)),
    "shared-strings-add-up": (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c></row>',
        (1, 3, 111),
    ),
    "shared-index-with-whitespace": ('<row r="1"><c r="A1" t="s"><v>\n 02 \t</v></c></row>', (1, 1, 100)),
    "shared-index-past-the-table": ('<row r="1"><c r="A1" t="s"><v>3</v></c></row>', (1, 1, 0)),
    "shared-index-not-a-number": (
        '<row r="1"><c r="A1" t="s"><v>1.0</v></c><c t="s"><v>-1</v></c><c t="s"><v>\u0661</v></c></row>',
        (1, 3, 0),
    ),
    # The text of v around a child element is joined: "02" is string 2.
    "shared-index-split-by-a-child": ('<row r="1"><c r="A1" t="s"><v>0<f/>2</v></c></row>', (1, 1, 100)),
    "shared-index-from-a-reference": ('<row r="1"><c r="A1" t="s"><v>&#50;</v></c></row>', (1, 1, 100)),
    "number-is-no-shared-string": ('<row r="1"><c r="A1" t="n"><v>2</v></c><c t="str"><v>2</v></c></row>', (1, 2, 0)),
    "shared-cell-after-a-plain-one": (
        '<row r="1"><c r="A1"><v>2</v></c><c r="B1" t="s"><v>1</v></c><c r="C1"><v>2</v></c></row>',
        (1, 3, 10),
    ),
}


@pytest.mark.parametrize("case", list(EXACT_EXTENTS))
def test_extent_of_a_worksheet_part(case: str) -> None:
    cells, (rows, cols, text) = EXACT_EXTENTS[case]

    assert xlsx_sheet_extent(_part(cells), _LENGTHS) == Extent(rows, cols, text)


def test_only_the_first_sheet_data_is_read() -> None:
    far = '<row r="90"><c r="Z90"><v>1</v></c></row>'
    part = _part(
        '<row r="2"><c r="B2"><v>1</v></c></row>', before=f"<x>{far}</x>", after=f"<sheetData>{far}</sheetData>"
    )

    assert xlsx_sheet_extent(part, _LENGTHS) == Extent(2, 2, 0)


def test_text_after_the_sheet_data_is_not_read() -> None:
    part = _part('<row r="2"><c r="B2"><v>1</v></c></row>')[: -len("</worksheet>")] + b"<unclosed"

    assert xlsx_sheet_extent(part, _LENGTHS) == Extent(2, 2, 0)


def test_extent_counts_every_cell_and_its_block() -> None:
    assert Extent(3, 4).cells == 12
    assert Extent(3, 4).text == 0


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ('<row r="1"><c r="7"><v>1</v></c></row>', "the cell reference '7' is not of the form A1"),
        ('<row r="1"><c r="A0"><v>1</v></c></row>', "the cell reference 'A0' is not of the form A1"),
        ('<row r="1"><c r=" A1"><v>1</v></c></row>', "the cell reference ' A1' is not of the form A1"),
        ('<row r="1"><c r="A1B"><v>1</v></c></row>', "the cell reference 'A1B' is not of the form A1"),
        ('<row r="0"/>', "the cell reference '0' is not of the form A1"),
        ('<row r="x"/>', "the cell reference 'x' is not of the form A1"),
        (f'<row r="1"><c r="{"A" * 30} 1"/></row>', f"the cell reference '{'A' * 20}' is not of the form A1"),
        ('<row r="1"><a:b:c/></row>', "the element name 'a:b:c' has more than one ':'"),
    ],
)
def test_part_calamine_would_refuse_is_refused(cells: str, message: str) -> None:
    with pytest.raises(SheetXmlError) as refused:
        xlsx_sheet_extent(_part(cells), _LENGTHS)

    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("part", "message"),
    [
        pytest.param(b"<worksheet><sheetData><row>", "no element found: line 1, column 27", id="truncated"),
        pytest.param(
            b"<!DOCTYPE w><worksheet/>", "a DOCTYPE declaration (a spreadsheet part never has one)", id="doctype"
        ),
    ],
)
def test_damaged_part_is_refused_with_what_is_wrong(part: bytes, message: str) -> None:
    with pytest.raises(SheetXmlError, match=f"^{re.escape(message)}$"):
        xlsx_sheet_extent(part, _LENGTHS)


# --- shared strings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "lengths"),
    [
        pytest.param(b"<sst><si><t>a</t></si><si><t>bb</t></si></sst>", [1, 2], id="plain"),
        pytest.param(b"<sst><si/><si><t></t></si></sst>", [0, 0], id="empty-strings"),
        pytest.param(b"<sst><si><t>ab</t><t>cd</t></si></sst>", [4], id="runs-add-up"),
        pytest.param(b"<sst><si><r><t>ab</t></r><r><t>c</t></r></si><si><t>d</t></si></sst>", [3, 1], id="rich-text"),
        pytest.param(b"<sst><si><t>ab</t><rPh><t>xyz</t></rPh></si></sst>", [5], id="phonetic-runs-count-too"),
        pytest.param(b"<sst><si><t>a&amp;&#98;\xc3\xa9</t></si></sst>", [4], id="references-and-utf-8"),
        pytest.param(f'<x:sst xmlns:x="{_MAIN}"><x:si><x:t>abc</x:t></x:si></x:sst>'.encode(), [3], id="prefixed"),
        pytest.param(b"<x><si><t>a</t></si></x>", [1], id="no-sst-element"),
        pytest.param(b"<sst>text outside<si><t>a</t></si></sst>", [1], id="text-outside-si"),
    ],
)
def test_shared_string_lengths(table: bytes, lengths: list[int]) -> None:
    assert shared_string_lengths(table) == array.array("Q", lengths)


@pytest.mark.parametrize(
    ("table", "refused"),
    [
        pytest.param(b'<sst uniqueCount="3"><si/></sst>', False, id="count-at-the-bound"),
        pytest.param(b'<sst uniqueCount="4"><si/></sst>', True, id="count-past-the-bound"),
        pytest.param(b'<sst uniqueCount="5"><si/><si/><si/><si/><si/></sst>', False, id="count-of-strings-held"),
        pytest.param(b'<sst uniqueCount="6"><si/><si/><si/><si/><si/></sst>', True, id="count-past-strings-held"),
        pytest.param(b'<sst uniqueCount="x9"><si/></sst>', False, id="count-not-a-number"),
        pytest.param('<sst uniqueCount="\u0669"><si/></sst>'.encode(), False, id="count-in-other-digits"),
        pytest.param(b'<sst uniqueCount="1"><sst uniqueCount="9"/><si/></sst>', False, id="only-the-first-sst"),
        pytest.param(b'<sst><sst uniqueCount="9"/><si/></sst>', False, id="first-sst-without-a-count"),
    ],
)
def test_forged_shared_string_count_is_refused(table: bytes, refused: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet_extent, "MAX_DECLARED_STRINGS", 3)

    if refused:
        with pytest.raises(SheetXmlError, match=r"^sharedStrings\.xml: it declares \d shared strings but holds \d$"):
            shared_string_lengths(table)
    else:
        shared_string_lengths(table)


def test_forged_count_message_says_what_is_declared_and_held() -> None:
    with pytest.raises(SheetXmlError) as refused:
        shared_string_lengths(b'<sst uniqueCount="2000000"><si/></sst>')

    assert str(refused.value) == "sharedStrings.xml: it declares 2,000,000 shared strings but holds 1"


def test_damaged_shared_strings_are_refused() -> None:
    with pytest.raises(SheetXmlError, match=r"^no element found: line 1, column 9$"):
        shared_string_lengths(b"<sst><si>")


# --- a whole package ----------------------------------------------------------------------------

_STRINGS = b'<sst uniqueCount="2"><si><t>a</t></si><si><t>bbbbbbbbbb</t></si></sst>'  # 1 and 10 characters, 70 bytes
_SHARED_SHEET = _part('<row r="3"><c r="B3" t="s"><v>1</v></c><c t="s"><v>0</v></c></row>')


def test_package_parts_without_sheet_data_are_not_measured() -> None:
    package = _package(
        {
            "xl/workbook.xml": b"<workbook><sheets/></workbook>",
            "xl/media/image1.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR not xml <<<",
            _SHEET: _part('<row r="3"><c r="B3"><v>1</v></c></row>'),
            "xl/other.xml": b"<x><!-- sheetData --></x>",  # holds the marker but no sheetData element
        },
        folders=("xl/", "xl/media/"),
    )

    assert xlsx_extents(package) == {_SHEET: Extent(3, 2, 0)}


def test_sheet_anywhere_in_the_package_is_measured() -> None:
    package = _package({"xl/media/image1.png": _part('<row r="4"><c r="C4"><v>1</v></c></row>')})

    assert xlsx_extents(package) == {"xl/media/image1.png": Extent(4, 3, 0)}
    # Without a string table there is no text; the bound of a small sheet is ZZ999.
    assert xlsx_extents(package, fits=_always) == {"xl/media/image1.png": Extent(999, 702, 0)}


def test_only_parts_whose_bound_does_not_fit_are_parsed_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    measured: list[bool] = []

    class Spy(sheet_extent._XlsxSheet):
        def __init__(self, parser: object, strings: array.array[int]) -> None:
            measured.append(True)
            super().__init__(parser, strings)

    monkeypatch.setattr(sheet_extent, "_XlsxSheet", Spy)
    monkeypatch.setattr(sheet_extent, "_CHUNK", 64)
    small = _part('<row r="4"><c r="C4"><v>1</v></c></row>')
    large = _part("".join(f'<row r="{r}"><c r="AAA{r}"><v>1</v></c></row>' for r in range(1, 20)))  # > _CHUNK
    others = {"xl/styles.xml": b"<styleSheet>" + b"<x/>" * 40 + b"</styleSheet>", "xl/workbook.xml": b"<workbook/>"}
    package = _package({**others, "xl/worksheets/small.xml": small, "xl/worksheets/large.xml": large})

    assert xlsx_extents(package, fits=_always) == {
        "xl/worksheets/small.xml": Extent(999, 702, 0),
        "xl/worksheets/large.xml": Extent(19, 703, 0),
    }
    assert measured == []
    # The small sheet's bound (ZZ999) does not fit: it alone is parsed.
    assert xlsx_extents(package, fits=lambda extent: extent.rows < 100) == {
        "xl/worksheets/small.xml": Extent(4, 3, 0),
        "xl/worksheets/large.xml": Extent(19, 703, 0),
    }
    assert measured == [True]


def test_bound_that_fits_stands_in_for_the_extent_and_others_are_measured() -> None:
    package = _package({"xl/sharedStrings.xml": _STRINGS, _SHEET: _SHARED_SHEET})

    # The bound: a cell without r after B3 (row 3 + 1 row + 1, column 2 + 1), each v tag at the table's size.
    assert xlsx_extents(package, fits=_always) == {_SHEET: Extent(5, 3, 2 * 70)}
    assert xlsx_extents(package, fits=_never) == {_SHEET: Extent(3, 3, 11)}
    assert xlsx_extents(package) == {_SHEET: Extent(3, 3, 11)}


def test_text_bound_read_value_by_value_uses_each_strings_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SHEET_TEXT", 0)
    package = _package({"xl/sharedStrings.xml": _STRINGS, _SHEET: _SHARED_SHEET})

    # Each string bounded by its bytes: "<si><t>a</t></si>" (17) and "<si><t>bbbbbbbbbb</t></si></sst>" (32).
    assert xlsx_extents(package, fits=_always) == {_SHEET: Extent(5, 3, 17 + 32)}


@pytest.mark.parametrize(
    ("strings", "text"),
    [
        # Not plain enough for the bytes (a count spelled with a reference): the exact lengths, 1 and 10.
        pytest.param(b'<sst uniqueCount="&#50;"><si><t>a</t></si><si><t>bbbbbbbbbb</t></si></sst>', 20, id="exact"),
        # Plain, but an si nested in another: no per-string bound from the bytes; the exact lengths.
        pytest.param(b"<sst><si><t>a</t></si><si><t>bbbbbbbbbb</t><si/></si></sst>", 20, id="nested"),
    ],
)
def test_string_bounds_fall_back_to_the_exact_lengths(
    strings: bytes, text: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_SHEET_TEXT", 0)
    sheet = _part('<row r="3"><c r="B3" t="s"><v>1</v></c><c t="s"><v>1</v></c></row>')
    package = _package({"xl/sharedStrings.xml": strings, _SHEET: sheet})

    assert xlsx_extents(package, fits=_always) == {_SHEET: Extent(5, 3, text)}


@pytest.mark.parametrize(
    ("strings", "longest"),
    [
        pytest.param(b'<sst uniqueCount="&#50;"><si><t>a</t></si><si><t>bbbbbbbbbb</t></si></sst>', 10, id="two"),
        pytest.param(b'<sst uniqueCount="&#48;"/>', 0, id="none"),
    ],
)
def test_longest_string_is_the_exact_one_when_a_table_needs_the_exact_pass(strings: bytes, longest: int) -> None:
    package = _package({"xl/sharedStrings.xml": strings, _SHEET: _SHARED_SHEET})

    assert xlsx_extents(package, fits=_always) == {_SHEET: Extent(5, 3, 2 * longest)}


def test_every_part_named_like_the_string_table_counts_index_by_index() -> None:
    package = _package(
        {
            "xl/sharedStrings.xml": b'<sst uniqueCount="&#50;"><si><t>aaaa</t></si><si><t>b</t></si></sst>',
            "other/SHAREDSTRINGS.XML": b"<sst><si><t>c</t></si><si><t>dd</t></si><si><t>eeeeee</t></si></sst>",
            _SHEET: _part('<row r="1"><c r="A1" t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c></row>'),
        }
    )

    # The longest at each index: 4 (first table), 2 (second), 6 (second only).
    assert xlsx_extents(package) == {_SHEET: Extent(1, 3, 4 + 2 + 6)}


def test_forged_count_in_the_package_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet_extent, "MAX_DECLARED_STRINGS", 3)
    package = _package({"xl/sharedStrings.xml": b'<sst uniqueCount="4"><si/></sst>', _SHEET: _SHARED_SHEET})

    with pytest.raises(SheetXmlError) as refused:
        xlsx_extents(package, fits=_always)

    assert str(refused.value) == "xl/sharedStrings.xml: it declares 4 shared strings but holds 1"


def test_damaged_string_table_is_refused_when_the_exact_pass_reads_it() -> None:
    package = _package({"xl/sharedStrings.xml": b"<sst><si><t>a</t>", _SHEET: _SHARED_SHEET})

    assert xlsx_extents(package, fits=_always) == {_SHEET: Extent(5, 3, 2 * 17)}  # its 17 bytes bound every string
    with pytest.raises(SheetXmlError) as refused:
        xlsx_extents(package)

    assert str(refused.value) == "xl/sharedStrings.xml: no element found: line 1, column 17"


def test_damaged_sheet_is_refused_naming_the_part() -> None:
    package = _package({_SHEET: b"<worksheet><sheetData><row></sheetData></worksheet>"})

    with pytest.raises(SheetXmlError) as refused:
        xlsx_extents(package, fits=_always)

    assert str(refused.value) == f"{_SHEET}: mismatched tag: line 1, column 29"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_sheet_in_utf16_is_found_and_measured(encoding: str) -> None:
    part = _part('<row r="4"><c r="C4"><v>1</v></c></row>').decode().encode(encoding)
    package = _package({_SHEET: part})

    assert xlsx_extents(package, fits=_always) == {_SHEET: Extent(4, 3, 0)}


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_damaged_part_holding_a_utf16_marker_is_refused(encoding: str) -> None:
    # Between bytes that are not NUL: only the marker of this byte order is there, not the other one.
    package = _package({"xl/media/image1.bin": b"\x01\x00\x01" + "sheetData".encode(encoding) + b"\x01"})

    with pytest.raises(SheetXmlError, match=r"^xl/media/image1\.bin: "):
        xlsx_extents(package, fits=_always)


@pytest.mark.parametrize("chunk", [5, 8, 64])
@pytest.mark.parametrize("fits", [_always, _never, None])
def test_part_read_in_chunks_is_measured_whole(
    chunk: int, fits: Callable[[Extent], bool] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheet_extent, "_CHUNK", chunk)
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>1</v></c><c r="AAA{r}"/></row>' for r in range(1, 6))
    package = _package({"xl/sharedStrings.xml": _STRINGS, _SHEET: _part(cells)})
    exact = Extent(5, 1, 5 * 10)

    # Split across chunks, the bound reads the rows and columns exactly (no shortcut) and each v at the longest.
    assert xlsx_extents(package, fits=fits) == {_SHEET: Extent(5, 703, 5 * 70) if fits is _always else exact}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be"])
def test_marker_split_between_chunks_is_found(encoding: str, monkeypatch: pytest.MonkeyPatch) -> None:
    part = f'<worksheet><!-- {"x" * 30} --><sheetData><row r="2"><c r="B2"><v>1</v></c></row></sheetData></worksheet>'
    data = part.encode(encoding)
    at = data.index("sheetData".encode(encoding))
    monkeypatch.setattr(sheet_extent, "_CHUNK", at + len("sheet".encode(encoding)))  # split inside the marker

    assert xlsx_extents(_package({_SHEET: data}), fits=_always) == {_SHEET: Extent(2, 2, 0)}


def test_damaged_part_after_the_sheet_data_in_a_later_chunk_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet_extent, "_CHUNK", 16)
    part = _part('<row r="2"><c r="B2"><v>1</v></c></row>', after="<x>" + "y" * 40 + "</z>")

    assert xlsx_extents(_package({_SHEET: part})) == {_SHEET: Extent(2, 2, 0)}


# --- feed_part --------------------------------------------------------------------------------


def _fed(part: bytes, must_parse: bool, chunk: int = 1 << 16) -> tuple[bool, list[str]]:
    names: list[str] = []
    parser = xml_parser()
    parser.StartElementHandler = lambda name, _: names.append(name)
    package = _package({"p.xml": part})
    sheet_extent._CHUNK = chunk
    try:
        return feed_part(package, package.getinfo("p.xml"), parser, must_parse=must_parse), names
    finally:
        sheet_extent._CHUNK = sheet_extent.CHUNK


@pytest.mark.parametrize("chunk", [4, 1 << 16])
def test_feed_part_streams_every_element_and_tells_a_worksheet(chunk: int) -> None:
    assert _fed(b"<a><sheetData/><b/></a>", must_parse=False, chunk=chunk) == (True, ["a", "sheetData", "b"])
    assert _fed(b"<a><b/></a>", must_parse=True, chunk=chunk) == (False, ["a", "b"])


@pytest.mark.parametrize("chunk", [4, 1 << 16])
def test_feed_part_skips_a_damaged_part_that_is_no_worksheet(chunk: int) -> None:
    marked, _ = _fed(b"<a><b></a>", must_parse=False, chunk=chunk)

    assert marked is False


@pytest.mark.parametrize(
    ("part", "must_parse", "message"),
    [
        pytest.param(b"<a><sheetData></a>", False, "p.xml: mismatched tag: line 1, column 16", id="worksheet"),
        pytest.param(b"<a><b></a>", True, "p.xml: mismatched tag: line 1, column 8", id="must-parse"),
        pytest.param(b"<a><sheetData>", False, "p.xml: no element found: line 1, column 14", id="truncated"),
    ],
)
@pytest.mark.parametrize("chunk", [4, 1 << 16])
def test_feed_part_refuses_a_damaged_part_that_calamine_would_read(
    part: bytes, must_parse: bool, message: str, chunk: int
) -> None:
    with pytest.raises(SheetXmlError) as refused:
        _fed(part, must_parse=must_parse, chunk=chunk)

    assert str(refused.value) == message


# --- ods ------------------------------------------------------------------------------------------


def _ods(tables: str) -> zipfile.ZipFile:
    content = (
        "<office:document-content><office:body><office:spreadsheet>"
        f"{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    return _package({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": content.encode()})


def _table(rows: str, name: str = "T") -> str:
    return f'<table:table table:name="{name}">{rows}</table:table>'


def _row(cells: str, repeated: int | None = None) -> str:
    attr = "" if repeated is None else f' table:number-rows-repeated="{repeated}"'
    return f"<table:table-row{attr}>{cells}</table:table-row>"


_FLOAT = '<table:table-cell office:value-type="float" office:value="1"/>'
_EMPTY = "<table:table-cell/>"


def _string(content: str, attrs: str = "") -> str:
    return f'<table:table-cell office:value-type="string"{attrs}>{content}</table:table-cell>'


# (rows of table T, (rows, columns, text)), worked out from the rules of calamine's ODS reader.
ODS_EXTENTS: dict[str, tuple[str, tuple[int, int, int]]] = {
    "one-number": (_row(_FLOAT), (1, 1, 0)),
    "no-value": (_row(_EMPTY * 3), (0, 0, 0)),
    "repeated-rows-and-columns": (
        _row('<table:table-cell table:number-columns-repeated="4" office:value="1"/>', repeated=3),
        (3, 4, 0),
    ),
    "empty-cells-before-a-value": (
        _row('<table:table-cell table:number-columns-repeated="2"/>' + _FLOAT),
        (1, 3, 0),
    ),
    "empty-rows-before-a-value": (_row(_EMPTY, repeated=5) + _row(_FLOAT), (6, 1, 0)),
    "empty-rows-after-a-value": (_row(_FLOAT) + _row(_EMPTY, repeated=500), (1, 1, 0)),
    "rows-add-up": (_row(_EMPTY, repeated=2) + _row(_EMPTY, repeated=3) + _row(_FLOAT), (6, 1, 0)),
    "repeat-count-with-a-plus": (
        _row('<table:table-cell table:number-columns-repeated="+2" office:value="1"/>'),
        (1, 2, 0),
    ),
    "covered-cell": (_row('<table:covered-table-cell table:number-columns-repeated="2" office:value="1"/>'), (1, 2, 0)),
    "boolean": (_row('<table:table-cell office:boolean-value="true"/>'), (1, 1, 0)),
    "formula": (_row('<table:table-cell table:formula="of:=1"/>'), (1, 1, 0)),
    "time-value": (_row('<table:table-cell office:time-value="PT01H"/>'), (1, 1, 5)),
    "date-value-repeated": (
        _row('<table:table-cell table:number-columns-repeated="3" office:date-value="2026-01-01"/>', repeated=2),
        (2, 3, 10 * 3 * 2),
    ),
    "string-value-attribute": (_row(_string("<text:p>ignored</text:p>", ' office:string-value="abcd"')), (1, 1, 4)),
    "string-typed-number": (_row(_string("<text:p>abc</text:p>", ' office:value="3"')), (1, 1, 0)),
    "empty-string-cell": (_row(_string("")), (1, 1, 0)),
    "string-paragraph": (_row(_string("<text:p>abc</text:p>")), (1, 1, 3)),
    "string-paragraphs-joined-by-line-breaks": (_row(_string("<text:p>ab</text:p><text:p>c</text:p>")), (1, 1, 4)),
    "texts-add-up": (_row(_string("<text:p>ab</text:p>") + _string("<text:p>c</text:p>")), (1, 2, 3)),
    "three-paragraphs": (_row(_string("<text:p>a</text:p><text:p>b</text:p><text:p>c</text:p>")), (1, 1, 5)),
    "runs-of-spaces": (_row(_string('<text:p>a<text:s text:c="3"/>b<text:s/></text:p>')), (1, 1, 6)),
    "spans": (_row(_string("<text:p><text:span>ab</text:span>c</text:p>")), (1, 1, 3)),
    "annotation-is-not-cell-text": (
        _row(
            _string(
                "<office:annotation><dc:creator>me</dc:creator><text:p>note</text:p><text:p>x</text:p>"
                "</office:annotation><text:p>ab</text:p>"
            )
        ),
        (1, 1, 2),
    ),
    "string-repeated": (
        _row(_string("<text:p>abc</text:p>", ' table:number-columns-repeated="4"'), repeated=2),
        (2, 4, 3 * 4 * 2),
    ),
    "string-repeated-past-the-column-cap": (
        _row(_string("<text:p>ab</text:p>", ' table:number-columns-repeated="20000"')),
        (1, 20_000, 2 * 16_384),
    ),
    "text-in-a-number-cell-is-not-counted": (
        _row('<table:table-cell office:value="1"><text:p>123</text:p></table:table-cell>'),
        (1, 1, 0),
    ),
    "cell-outside-a-row": ('<table:table-cell office:value="1"/>', (1, 1, 0)),
    "columns-restart-on-each-row": (_row(_EMPTY * 3 + _FLOAT) + _row(_FLOAT), (2, 4, 0)),
    # The inner cell is read; the outer one, whose end comes after the inner one's, adds no column.
    "cell-nested-in-a-cell": (
        _row('<table:table-cell office:value="1"><table:table-cell office:value="1"/></table:table-cell>' + _FLOAT),
        (1, 2, 0),
    ),
}


@pytest.mark.parametrize("case", list(ODS_EXTENTS))
def test_extent_of_an_ods_table(case: str) -> None:
    rows, (height, width, text) = ODS_EXTENTS[case]

    assert ods_extents(_ods(_table(rows))) == {"T": Extent(height, width, text)}


def test_every_named_table_is_measured_from_its_own_start() -> None:
    tables = (
        _table(
            '<table:table-column table:name="not-a-table"/>'
            + _row(_FLOAT, repeated=4)
            + _row(_string("<text:p>abc</text:p>")),
            name="First",
        )
        + "<table:table>"
        + _row(_FLOAT * 9)
        + "</table:table>"
        + _table(_row(_EMPTY) + _row(_EMPTY + _string("<text:p>x</text:p>")), name="Second")
        + _table("", name="Empty")
    )

    assert ods_extents(_ods(tables)) == {
        "First": Extent(5, 1, 3),
        "Second": Extent(2, 2, 1),
        "Empty": Extent(0, 0, 0),
    }


@pytest.mark.parametrize(
    ("count", "shown"),
    [("x", "x"), ("X3", "X3"), ("3+", "3+"), ("-1", "-1"), ("\u0663", "\u0663"), ("1" * 24 + "x", "1" * 20)],
)
def test_repeat_count_calamine_cannot_parse_is_refused(count: str, shown: str) -> None:
    package = _ods(_table(_row(_FLOAT, repeated=1).replace('repeated="1"', f'repeated="{count}"')))

    with pytest.raises(SheetXmlError) as refused:
        ods_extents(package)

    assert str(refused.value) == f"content.xml: the repeat count '{shown}' is not a number"


def test_run_of_spaces_with_a_bad_count_is_refused() -> None:
    with pytest.raises(SheetXmlError, match="the repeat count 'many' is not a number"):
        ods_extents(_ods(_table(_row(_string('<text:p><text:s text:c="many"/></text:p>')))))


def test_damaged_ods_content_is_refused() -> None:
    package = _package({"content.xml": b"<office:document-content><table:table table:name='T'>"})

    with pytest.raises(SheetXmlError, match=r"^content\.xml: no element found"):
        ods_extents(package)


def test_ods_without_content_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        ods_extents(_package({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}))
