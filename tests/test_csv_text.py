"""CSV text decoding and reading, on small inputs whose exact result is worked out by hand (or by encoding the
text the test itself wrote): encodings at each threshold, delimiters, and every limit at and one past it."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator

import pytest

from loaders import csv_text, limits
from loaders.csv_text import decode_csv, read_csv_grid
from loaders.issues import Issue
from tests.make_fixtures import HEADER

_NAME = "upload 1 (IDN.csv)"


def _refusal(code: str, message: str, row: int | None = None) -> Issue:
    return Issue("error", code, _NAME, None, row, None, message)


def _swapped(data: bytes) -> bytes:
    """UTF-16-LE bytes as UTF-16-BE (each code unit's two bytes swapped)."""
    return b"".join(data[i + 1 : i + 2] + data[i : i + 1] for i in range(0, len(data), 2))


# --- encodings ----------------------------------------------------------------------------------

# 20 code units each: the share of zero bytes in the odd and even positions sits at, or just past, 90 % and 10 %.
_ODD_AT_90 = "a" * 18 + "\u0101" * 2  # 18 of 20 high bytes zero: not more than 90 %
_ODD_OVER_90 = "a" * 19 + "\u0101"
_EVEN_AT_10 = "a" * 18 + "\0" * 2  # 2 of 20 low bytes zero: not fewer than 10 %
_EVEN_UNDER_10 = "a" * 19 + "\0"


@pytest.mark.parametrize(
    ("data", "text"),
    [
        pytest.param(b"Member,Notes\r\n", "Member,Notes\r\n", id="ascii"),
        pytest.param(codecs.BOM_UTF8 + "caf\u00e9".encode(), "caf\u00e9", id="utf-8-bom-dropped"),
        pytest.param("caf\u00e9 \u0e44\u0e17\u0e22".encode(), "caf\u00e9 \u0e44\u0e17\u0e22", id="utf-8"),
        pytest.param(b"caf\xe9 \x80", "caf\u00e9 \u20ac", id="windows-1252"),
        pytest.param(b"caf\xe9 \x81", "caf\u00e9 \ufffd", id="windows-1252-byte-it-leaves-undefined"),
        pytest.param(codecs.BOM_UTF16_LE + "ID,\u00e9".encode("utf-16-le"), "ID,\u00e9", id="utf-16-le-bom"),
        pytest.param(codecs.BOM_UTF16_BE + "ID,\u00e9".encode("utf-16-be"), "ID,\u00e9", id="utf-16-be-bom"),
        pytest.param("ID".encode("utf-16-le"), "ID", id="four-bytes-le"),
        pytest.param("ID".encode("utf-16-be"), "ID", id="four-bytes-be"),
        pytest.param(b"I\0D", "I\0D", id="three-bytes-are-not-told"),
        pytest.param(_ODD_AT_90.encode("utf-16-le"), _ODD_AT_90.encode("utf-16-le").decode(), id="le-odd-at-90"),
        pytest.param(_ODD_OVER_90.encode("utf-16-le"), _ODD_OVER_90, id="le-odd-over-90"),
        pytest.param(_EVEN_AT_10.encode("utf-16-le"), _EVEN_AT_10.encode("utf-16-le").decode(), id="le-even-at-10"),
        pytest.param(_EVEN_UNDER_10.encode("utf-16-le"), _EVEN_UNDER_10, id="le-even-under-10"),
        pytest.param(_ODD_AT_90.encode("utf-16-be"), _ODD_AT_90.encode("utf-16-be").decode(), id="be-even-at-90"),
        pytest.param(_ODD_OVER_90.encode("utf-16-be"), _ODD_OVER_90, id="be-even-over-90"),
        pytest.param(_EVEN_AT_10.encode("utf-16-be"), _EVEN_AT_10.encode("utf-16-be").decode(), id="be-odd-at-10"),
        pytest.param(_EVEN_UNDER_10.encode("utf-16-be"), _EVEN_UNDER_10, id="be-odd-under-10"),
        pytest.param(
            ("Member" * 700).encode("utf-16-le") + "\u0101".encode("utf-16-le") * 3000,
            "Member" * 700 + "\u0101" * 3000,
            id="only-the-first-4096-bytes-are-looked-at",
        ),
    ],
)
def test_text_is_decoded_as_spreadsheets_write_it(data: bytes, text: str) -> None:
    assert decode_csv(_NAME, data) == text


_DAMAGED_UTF16 = _refusal(
    "not-a-csv",
    f"{_NAME}: the file looks like UTF-16 text but is damaged (it cannot be decoded); open it in Excel or "
    "LibreOffice and save it as CSV UTF-8 (File > Save As > CSV UTF-8)",
)
_BINARY = _refusal(
    "not-a-csv", f"{_NAME}: the file is binary, not CSV text; export the sheet as CSV (File > Save As > CSV UTF-8)"
)


@pytest.mark.parametrize(
    ("data", "issue"),
    [
        pytest.param(codecs.BOM_UTF16_LE + "ID".encode("utf-16-le") + b"I", _DAMAGED_UTF16, id="odd-length"),
        pytest.param(("I" * 20).encode("utf-16-le") + b"\x00\xd8", _DAMAGED_UTF16, id="lone-surrogate"),
        # UTF-32 starts with the UTF-16 BOM; read as UTF-16, U+10D800 would be a lone surrogate ("damaged").
        pytest.param("ID\U0010d800".encode("utf-32"), _BINARY, id="utf-32-is-binary-not-utf-16"),
        pytest.param(b"Member,Notes\r\nIDN,\x00\r\n", _BINARY, id="nul-byte"),
    ],
)
def test_text_that_cannot_be_csv_is_refused(data: bytes, issue: Issue) -> None:
    assert read_csv_grid(_NAME, data) == issue


# --- lines, delimiters and rows -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", 1),
        ("a", 1),
        ("a\n", 1),
        ("a\nb", 2),
        ("a\r\nb\r\n", 2),
        ("a\rb\r", 2),
        ("a\n\rb", 3),
        ("\r\n\r\n\n\r", 4),
    ],
)
def test_lines_are_counted_as_the_csv_reader_splits_them(text: str, lines: int) -> None:
    assert csv_text._line_count(text) == lines


_SEMICOLON = ";".join(HEADER) + "\r\nIDN;ASC-1,ASC-2;A title\r\n"


@pytest.mark.parametrize(
    ("text", "grid"),
    [
        pytest.param(_SEMICOLON, [list(HEADER), ["IDN", "ASC-1,ASC-2", "A title"]], id="semicolon-header"),
        pytest.param(
            "Notes\n" + "\t".join(HEADER) + "\nIDN\tx,y\n",
            [["Notes"], list(HEADER), ["IDN", "x,y"]],
            id="tab-header-on-the-second-row",
        ),
        pytest.param("a;b\nc;d\n", [["a;b"], ["c;d"]], id="no-header-first-delimiter"),
        pytest.param('a,"b\nc"\n\nd\n', [["a", "b\nc"], [], ["d"]], id="quoted-break-and-empty-row"),
        pytest.param('a,"b\r\nc\rd"\r\ne\r\n', [["a", "b\r\nc\rd"], ["e"]], id="quoted-breaks-kept-as-written"),
        pytest.param("a,b\rc\rd", [["a", "b"], ["c"], ["d"]], id="old-mac-line-ends"),
    ],
)
def test_rows_are_split_by_the_delimiter_whose_rows_hold_the_header(text: str, grid: list[list[str]]) -> None:
    assert read_csv_grid(_NAME, text.encode()) == grid


def test_header_beyond_the_rows_searched_does_not_choose_the_delimiter() -> None:
    text = "x\n" * 10 + ";".join(HEADER) + "\n"

    assert read_csv_grid(_NAME, text.encode()) == [["x"]] * 10 + [[";".join(HEADER)]]


def _too_many_columns(row: int, columns: int, limit: int) -> Issue:
    return _refusal(
        "too-many-columns",
        f"{_NAME}, row {row}: the row has {columns:,} columns; a member file has about 15 and at most {limit} are "
        "read. Check that this is the member action sheet saved as CSV (delete the stray columns after the table) and "
        "export it again",
        row=row,
    )


def _cell_too_long(row: int, limit: str) -> Issue:
    return _refusal(
        "cell-too-long",
        f"{_NAME}, row {row}: a cell holds more than {limit} characters, more than a spreadsheet cell can hold; "
        "shorten the text (link a long document as evidence instead) and export the CSV again",
        row=row,
    )


def test_row_with_more_columns_than_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_CSV_COLUMNS", 15)
    header = ",".join(HEADER)  # 15 columns: the header chooses the comma, and only the comma is tried

    assert read_csv_grid(_NAME, f"{header}\n{',' * 14}\n".encode()) == [list(HEADER), [""] * 15]
    assert read_csv_grid(_NAME, f"{header}\n{',' * 15}\n".encode()) == _too_many_columns(2, 16, 15)


def test_cell_longer_than_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_CELL_CHARS", 5)

    assert read_csv_grid(_NAME, b"a\n\nabcde,b\n") == [["a"], [], ["abcde", "b"]]
    assert read_csv_grid(_NAME, b"a\n\nb,abcdef\n") == _cell_too_long(3, "5")


def test_cell_beyond_the_csv_modules_field_limit_is_refused_as_too_long() -> None:
    text = 'a\n"' + "x" * 131_073 + '"\n'

    assert read_csv_grid(_NAME, text.encode()) == _cell_too_long(2, "32,767")


def test_file_no_delimiter_can_read_is_refused_for_the_first_ones_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_CSV_COLUMNS", 3)
    monkeypatch.setattr(limits, "MAX_CELL_CHARS", 5)

    # Too many columns with a comma; with a semicolon or a tab, one cell too long.
    assert read_csv_grid(_NAME, b"a,b,c,d\n") == _too_many_columns(1, 4, 3)


def test_cells_are_counted_over_every_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 20)
    header = ",".join(HEADER)  # 15 cells

    assert read_csv_grid(_NAME, f"{header}\na,b\n\nc,d,e\n".encode()) == [list(HEADER), ["a", "b"], [], ["c", "d", "e"]]
    assert read_csv_grid(_NAME, f"{header}\na,b\n\nc,d,e\nf\n".encode()) == _refusal(
        "sheet-too-large",
        f"{_NAME}: the file has more than 20 cells (reached at row 5); a member file has a few thousand. Delete the "
        "rows and columns after the table and export again",
    )


def test_lines_beyond_the_limit_are_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_CSV_LINES", 1_000)
    assert read_csv_grid(_NAME, b"a\n" * 1_000) == [["a"]] * 1_000

    monkeypatch.setattr(csv_text, "_parse", lambda *_: pytest.fail("parsed"))
    assert read_csv_grid(_NAME, b"\n" * 1_001) == _refusal(
        "sheet-too-large",
        f"{_NAME}: the file has 1,001 lines, more than a spreadsheet can hold (1,000); delete the empty rows after "
        "the table and export it again as CSV",
    )


def test_only_the_rows_searched_for_the_header_are_read_before_choosing_the_delimiter() -> None:
    """Row 12 is one field too large for the csv module with a comma, five fine cells with a semicolon: the
    header (row 1, commas) has chosen the comma by then, and the file is refused, not read with semicolons."""
    long_row = ";".join(["y" * 30_000] * 5)
    text = ",".join(HEADER) + "\n" + "x\n" * 10 + long_row + "\n"

    assert read_csv_grid(_NAME, text.encode()) == _cell_too_long(12, "32,767")


def test_what_the_csv_module_cannot_read_is_refused_with_its_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreadable(text: str, delimiter: str) -> Iterator[list[str]]:
        raise csv.Error("unexpected end of data")
        yield []  # a generator, as csv.reader: the error comes with the first row

    monkeypatch.setattr(csv_text, "_rows", unreadable)

    assert read_csv_grid(_NAME, b"Member\n") == _refusal(
        "not-a-csv",
        f"{_NAME}: the file cannot be read as CSV (unexpected end of data); open it in Excel or LibreOffice, check "
        "for stray quotes, and export it again as CSV",
    )
