"""The cheap bound of a worksheet part (loaders.sheet_bound): exact numbers for small crafted parts.

test_hostile_files.py checks that the bound is never below the exact measure; here each
bound is compared with the value its module docstring promises, worked out by hand, so
that a bound that grows too large (and sends every file to the slow exact pass) or one
that shrinks fails as well. The windows and the text limit are lowered to reach every
branch with parts of a few hundred bytes.
"""

from __future__ import annotations

import array
import re

import pytest

from loaders import limits, sheet_bound
from loaders.sheet_bound import SheetBound, column_number, string_lengths, string_table_fits

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# Three shared strings of 1, 10 and 100 characters.
_LENGTHS = array.array("Q", [1, 10, 100])
_LONGEST = 100


def _part(cells: str, declaration: str = "") -> bytes:
    namespaces = f'xmlns="{_MAIN}" xmlns:x="{_MAIN}"'
    return f"{declaration}<worksheet {namespaces}><sheetData>{cells}</sheetData></worksheet>".encode()


def _bound(
    part: bytes, *, longest: int = _LONGEST, text_limit: int | None = None, chunk: int | None = None
) -> tuple[int, int, int] | None:
    """The bound of ``part`` fed whole (``last``) or in chunks of ``chunk`` bytes, then ended by result()."""
    bound = SheetBound(longest, lambda: _LENGTHS, text_limit=text_limit)
    if chunk is None:
        bound.feed(part, last=True)
    else:
        for start in range(0, len(part), chunk):
            bound.feed(part[start : start + chunk])
    return bound.result()


@pytest.mark.parametrize(
    ("letters", "number"),
    [(b"", 0), (b"A", 1), (b"z", 26), (b"AA", 27), (b"Zz", 702), (b"xfd", 16_384), (b"XFD", 16_384)],
)
def test_column_letters_are_numbered_as_excel_does_in_any_case(letters: bytes, number: int) -> None:
    assert column_number(letters) == number


# (cells inside sheetData, (rows, columns, text)) with the default text limit: text is longest per v tag.
# Rows and columns as point 4 of the module docstring bounds them (computed by hand).
EXACT_BOUNDS: dict[str, tuple[str, tuple[int, int, int]]] = {
    # Every c tag starts <c r="..." with at most 2 letters and 3 digits: the whole part counts as ZZ999.
    "small-sheet-shortcut": ('<row r="3"><c r="B3" t="s"><v>1</v></c></row>', (999, 702, 100)),
    "small-sheet-shortcut-even-without-cells": ("", (999, 702, 0)),
    "four-digit-row": ('<row r="1000"><c r="ZZ1000"><v>1</v></c></row>', (1000, 702, 100)),
    "three-letter-column": ('<row r="2"><c r="AAA2"><v>1</v></c></row>', (2, 703, 100)),
    "largest-r-of-several": (
        '<row r="1000"><c r="C1000"/><c r="b1200"/></row><row r="1100"><c r="AB1100"/></row>',
        (1200, 28, 0),
    ),
    # Cells without r: rows <= max(maxCR, maxRR + |R| + 1) and columns <= maxCC + n0.
    "cells-without-r": (
        '<row r="5"><c r="B5"><v>1</v></c><c><v>1</v></c><c><v>1</v></c></row>',
        (7, 4, 300),
    ),
    "rows-without-r": ('<row r="7"/><row/><row><c><v>1</v></c></row>', (11, 1, 100)),
    "no-rows-only-a-cell-without-r": ("<c/>", (1, 1, 0)),
    "cell-row-above-the-row-bound": ('<row r="2"><c r="A1000"/><c/></row>', (1000, 2, 0)),
    "single-quotes-spaces-other-attributes": (
        "<row\tr = '0040'><c s='1' t=\"s\"\n r\t=\t'ab0040'><v>1</v></c></row>",
        (40, 28, 100),
    ),
    "reference-look-alikes-in-values": (
        '<row r="1000"><c q=\' r="XFD9" \' r="A1000" w="a>b"><is><t> r="XFD1048576" </t></is></c></row>',
        (1000, 1, 0),
    ),
    # Prefixed tags: the prefixed patterns, and ":v" counted too (start and end tags: never less).
    "prefixed": ('<x:row r="2"><x:c r="D2" t="s"><x:v>1</x:v></x:c></x:row>', (2, 4, 200)),
    "prefixed-and-unprefixed": ('<x:row r="2"><x:c r="D2"/></x:row><row r="3"><c r="A3"/><c/></row>', (6, 5, 0)),
    "prefixed-cells-without-r": ("<x:row><x:c/><x:c/></x:row>", (2, 2, 0)),
    # ":v" outside a tag of an unprefixed part is no v tag.
    "colon-v-in-text": (
        '<row r="1000"><c r="A1000" t="inlineStr"><is><t>x:vy</t></is></c><c><v>1</v></c></row>',
        (1002, 2, 100),
    ),
}


@pytest.mark.parametrize("case", list(EXACT_BOUNDS))
def test_bound_of_a_part_read_in_one_window(case: str) -> None:
    cells, expected = EXACT_BOUNDS[case]

    assert _bound(_part(cells)) == expected


def test_bound_without_shared_strings_counts_no_text() -> None:
    assert _bound(_part('<row r="1000"><c r="A1000" t="s"><v>2</v></c></row>'), longest=0) == (1000, 1, 0)


# (cells, (rows, columns, text)) with the text limit at 0: each v tag read one by one.
REFINED_TEXT: dict[str, tuple[str, int]] = {
    "each-index-its-own-length": ("<c r='A1000'><v>0</v></c><c><v>1</v></c><c><v>2</v></c>", 111),
    "whitespace-and-leading-zeros": ("<c r='A1000'><v>\n 0002\t</v></c><c><v>0</v></c>", 101),
    "index-past-the-table": ("<c r='A1000'><v>3</v></c><c><v>1</v></c>", 10),
    "numbers-and-dates-are-no-index": ("<c r='A1000'><v>3.5</v></c><c><v>-1</v></c><c><v>2026-01-01</v></c>", 0),
    "nineteen-digits-are-no-index": ("<c r='A1000'><v>1000000000000000000</v></c><c><v>100000000000000000</v></c>", 0),
    "a-reference-could-be-any-index": ("<c r='A1000'><v>&#49;</v></c>", 100),
    "a-child-element-could-be-any-index": ("<c r='A1000'><v>1<f/></v></c>", 100),
    "non-ascii-could-be-any-index": ("<c r='A1000'><v>\u00a01</v></c>", 100),
    "attributes-on-v": ("<c r='A1000'><v a='1' b=\"2\" >1</v></c>", 10),
    "empty-v": ("<c r='A1000'><v/><v></v></c>", 100),
    "prefixed-v": ("<x:c r='A1000'><x:v>2</x:v></x:c><x:c><x:v>&#49;</x:v></x:c>", 200),
}


@pytest.mark.parametrize("case", list(REFINED_TEXT))
def test_text_bound_read_value_by_value_above_the_text_limit(case: str) -> None:
    cells, text = REFINED_TEXT[case]

    bound = _bound(_part(cells), text_limit=0)

    assert bound is not None
    assert bound[2] == text


def test_text_bound_is_coarse_up_to_the_limit_and_refined_one_past_it() -> None:
    part = _part("<c r='A1000'><v>0</v></c><c><v>1</v></c>")  # two v tags of the longest (100): 200 at most

    assert _bound(part, text_limit=200) == (1000, 2, 200)
    assert _bound(part, text_limit=199) == (1000, 2, 11)


def test_text_limit_defaults_to_the_sheet_text_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SHEET_TEXT", 100)
    part = _part("<c r='A1000'><v>0</v></c><c><v>1</v></c>")

    assert _bound(part) == (1000, 2, 11)


def test_windows_counted_coarsely_then_value_by_value_add_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet_bound, "_WINDOW", 40)
    part = _part(
        "<c r='A1'><v>2</v></c><c r='A2'><v>2</v></c>"
        + "<c r='B3'><v>1</v></c>" * 20
        + "<c r='B4'><v>&#49;</v></c><c r='C5'><v>9</v></c>"
    )
    cut = part.index(b"<c r='B3'>") + 1  # the first window ends before this tag: it holds two v tags
    bound = SheetBound(_LONGEST, lambda: _LENGTHS, text_limit=250)

    bound.feed(part[:cut])
    bound.feed(part[cut:], last=True)

    # Two v tags at the longest (200 <= 250), then the next window's read one by one: twenty of
    # string 1 (10 each), a reference (the longest) and an index past the table (nothing).
    assert bound.result() == (5, 3, 2 * 100 + 20 * 10 + 100)


def test_once_read_value_by_value_later_windows_are_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet_bound, "_WINDOW", 40)
    part = _part("<c r='A1'><v>&#49;</v></c>" * 2 + "<c r='A1'><v>1</v></c>" + "<c r='B1'><v>0</v></c>")
    cut = part.index(b"<c r='B1'>") + 1
    bound = SheetBound(_LONGEST, lambda: _LENGTHS, text_limit=250)

    bound.feed(part[:cut])  # three v tags: 300 > 250, read one by one (two references and string 1)
    bound.feed(part[cut:], last=True)  # one more: the four together would still pass the limit

    assert bound.result() == (1, 2, 2 * 100 + 10 + 1)


@pytest.mark.parametrize("chunk", [7, 16, 64, 1 << 20])
def test_part_in_many_windows_is_counted_exactly_not_by_the_small_sheet_shortcut(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheet_bound, "_WINDOW", 32)
    cells = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="c{r}"/></row>' for r in range(1, 6))

    assert _bound(_part(cells), chunk=chunk) == (5, 3, 500)


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        # The only "<" starts the window: nothing is counted before the end, so the shortcut applies.
        pytest.param(b'<c r="B2"/>', (999, 702, 0), id="tag-start-at-0"),
        # A "<" after the first byte: the byte before it is a window of its own, so the part is counted exactly.
        pytest.param(b' <c r="B2"/>', (2, 2, 0), id="tag-start-at-1"),
    ],
)
def test_window_is_cut_only_before_a_tag_after_its_first_byte(
    part: bytes, expected: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheet_bound, "_WINDOW", 5)

    assert _bound(part) == expected


@pytest.mark.parametrize(("window", "expected"), [(0, (999, 702, 0)), (-1, (2, 2, 0))], ids=["at", "one-under"])
def test_part_as_long_as_a_window_is_counted_whole(
    window: int, expected: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part('<row r="2"><c r="B2"/></row>')
    monkeypatch.setattr(sheet_bound, "_WINDOW", len(part) + window)

    assert _bound(part) == expected


def test_windows_add_up_cells_rows_and_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet_bound, "_WINDOW", 10)
    part = _part(
        "<row/><c><v>&#49;</v></c>"
        + "<row/><c r='A1'><v>&#49;</v></c>"
        + "<c r='A1'><v>1</v></c>"
        + "<c r='B1'><v>1</v></c>"
    )
    bound = SheetBound(_LONGEST, lambda: _LENGTHS, text_limit=0)

    # Fed a cell at a time: each window (cut before the cell's end tag) holds one cell and its whole v.
    for piece in re.split(rb"(?<=</c>)", part):
        bound.feed(piece)

    # Rows: two row elements without r, and a cell without r: max(1, 0 + 2 + 1); columns: B + 1.
    # Text: two references (the longest each) and two of string 1.
    assert bound.result() == (3, 3, 2 * 100 + 2 * 10)


def test_run_of_text_longer_than_the_carried_tail_gives_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet_bound, "_WINDOW", 10)
    monkeypatch.setattr(sheet_bound, "_MAX_TAIL", 20)

    def fed(text: str) -> tuple[int, int, int] | None:
        bound = SheetBound(_LONGEST, lambda: _LENGTHS)
        bound.feed(f"<a>{text}".encode())
        bound.feed(b"</a>", last=True)
        return bound.result()

    assert fed("x" * 17) == (0, 0, 0)  # a window of 20 bytes is carried
    assert fed("x" * 18) is None  # 21 are not


def test_part_fed_without_last_is_ended_by_result() -> None:
    whole = SheetBound(_LONGEST, lambda: _LENGTHS)
    whole.feed(_part('<row r="1000"><c r="A1000"/></row>'))
    truncated = SheetBound(_LONGEST, lambda: _LENGTHS)
    truncated.feed(_part("")[:-12])
    truncated_last = SheetBound(_LONGEST, lambda: _LENGTHS)
    truncated_last.feed(_part("")[:-12], last=True)  # the last chunk ends the parse

    assert whole.result() == (1000, 1, 0)
    assert truncated.result() is None
    assert truncated_last.result() is None


def test_bound_gives_up_for_good_after_a_damaged_chunk() -> None:
    bound = SheetBound(_LONGEST, lambda: _LENGTHS)
    bound.feed(b"<worksheet><sheetData></x>")
    bound.feed(b"</sheetData></worksheet>", last=True)

    assert bound.result() is None
    assert SheetBound(_LONGEST, lambda: _LENGTHS).result() is None  # nothing fed: nothing to vouch for


@pytest.mark.parametrize(
    "part",
    [
        pytest.param(_part("<!-- x --><row r='1'/>"), id="comment"),
        pytest.param(_part("<row r='1'><c r='A1'><v><![CDATA[1]]></v></c></row>"), id="cdata"),
        pytest.param(_part("<?pi x?><row r='1'/>"), id="processing-instruction"),
        pytest.param(b"<!DOCTYPE w>" + _part("<row r='1'/>"), id="doctype"),
        pytest.param(_part("<row r='1'/>", '<?xml version="1.0" encoding="ISO-8859-1"?>'), id="latin-1"),
        pytest.param(_part("<row r='1'/>").decode().encode("utf-16"), id="utf-16-with-bom"),
        pytest.param(_part("<row r='1'/>").decode().encode("utf-16-be"), id="utf-16-be-without-bom"),
        pytest.param(_part("<u:c r='A1'/>"), id="undeclared-prefix"),
        pytest.param(_part("<c r='&#65;1'/>"), id="reference-in-r"),
        pytest.param(_part("<c r='A1 '/>"), id="space-in-r"),
        pytest.param(_part("<c r='A0'/>"), id="row-zero"),
        pytest.param(_part("<c r='7'/>"), id="cell-r-without-letters"),
        pytest.param(_part("<row r='0'/><c r='A7'/>"), id="row-r-zero"),
        pytest.param(_part("<x:c r='A1 '/>"), id="prefixed-space-in-r"),
    ],
)
def test_bound_gives_way_to_the_exact_pass_for_what_it_does_not_model(part: bytes) -> None:
    assert _bound(part) is None


@pytest.mark.parametrize(
    "declaration",
    ["", '<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-8"?>', "<?xml version='1.0' encoding='utf-8'?>"],
)
def test_utf8_parts_with_or_without_a_declaration_are_bounded(declaration: str) -> None:
    assert _bound(_part('<row r="1000"><c r="A1000"/></row>', declaration)) == (1000, 1, 0)


def test_byte_order_and_nul_are_looked_for_in_the_first_four_bytes_only() -> None:
    # expat detects UTF-16/32 from a byte order mark or a NUL among the first four bytes.
    assert sheet_bound._utf8_start(b"<a>\x00") is False
    assert sheet_bound._utf8_start(b"<ab>\x00") is True
    assert sheet_bound._utf8_start(b"\xfe\xff<ab") is False  # a byte order mark is enough
    assert sheet_bound._utf8_start(b"\xff\xfe<ab") is False
    assert sheet_bound._utf8_start(b"\xef\xbb\xbf<a/>") is True


# --- the patterns, built once on import (so called here, where a change to them shows) -------------


def _findall(pattern: re.Pattern[bytes], text: str) -> list[tuple[bytes, ...]]:
    return pattern.findall(text.encode())


@pytest.mark.parametrize("prefixed", [False, True])
def test_cell_and_row_patterns_read_r_as_the_exact_pass_does(prefixed: bool) -> None:
    cells = sheet_bound._with_r(b"c", rb"[A-Za-z]+", prefixed)
    rows = sheet_bound._with_r(b"row", rb"[A-Za-z]*", prefixed)
    tags = "<c r=\"B3\" t='s'><c s='1' r = 'ab0012'/><c><c r='A0'><c r='7'><cx r='Q1'></c><c\nr=\"Z9\">"

    assert _findall(cells, tags) == [
        (b'"', b"B", b"3", b""),
        (b"'", b"ab", b"12", b""),
        (b"", b"", b"", b""),
        (b"", b"", b"", b"'"),
        (b"", b"", b"", b"'"),
        (b'"', b"Z", b"9", b""),
    ]
    # A row's r may hold letters too (the exact pass reads only its digits); a row 0 gives up.
    assert _findall(rows, "<row r='7'><row><row r='A7'><row r='0'><rows r='1'>") == [
        (b"'", b"", b"7", b""),
        (b"", b"", b"", b""),
        (b"'", b"A", b"7", b""),
        (b"", b"", b"", b"'"),
    ]
    assert _findall(cells, "<x:c r='D2'>") == ([(b"'", b"D", b"2", b"")] if prefixed else [])


@pytest.mark.parametrize("prefixed", [False, True])
def test_value_pattern_reads_the_index_a_plain_value_spells(prefixed: bool) -> None:
    values = sheet_bound._value(prefixed)
    tags = "<v>1</v><v a='x'> 007\n</v><v>3.5</v><v>&#49;</v><v>1<f/></v><v/><vx>1</vx><V>1</V>"

    assert _findall(values, tags) == [
        (b"1", b"</"),
        (b"7", b"</"),
        (b"", b"</"),
        (b"", b""),
        (b"", b""),
        (b"", b""),
    ]
    assert _findall(values, "<o:v>5</o:v>") == ([(b"5", b"</")] if prefixed else [])


# --- shared strings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "max_declared", "fits"),
    [
        pytest.param(b"<sst><si><t>a</t></si></sst>", 0, True, id="no-count"),
        pytest.param(b'<sst uniqueCount="3"/>', 3, True, id="count-at-the-bound"),
        pytest.param(b'<sst uniqueCount="3"/>', 2, False, id="count-past-the-bound"),
        pytest.param(b"<sst uniqueCount = '3' count=\"9\"/>", 3, True, id="single-quotes-and-spaces"),
        pytest.param(b'<sst uniqueCount="2"><x uniqueCount="3"/></sst>', 3, True, id="every-count-checked-fits"),
        pytest.param(b'<sst uniqueCount="2"><x uniqueCount="4"/></sst>', 3, False, id="every-count-checked"),
        pytest.param(b'<sst uniqueCount="&#51;"/>', 3, False, id="count-spelled-with-a-reference"),
        pytest.param(b'<sst uniqueCount="1e3"/>', 3_000, False, id="count-not-digits"),
        pytest.param(b'<?xml version="1.0" encoding="UTF-8"?><sst/>', 0, True, id="utf-8-declared"),
        pytest.param(b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?><sst/>", 0, True, id="bom-and-utf-8"),
        pytest.param(b'<?xml version="1.0"?><sst/>', 0, True, id="declaration-without-encoding"),
        pytest.param(b'<?xml version="1.0" encoding="ISO-8859-1"?><sst/>', 0, False, id="latin-1-declared"),
        pytest.param(b"<!DOCTYPE sst [<!ENTITY e 'x'>]><sst>&e;</sst>", 0, False, id="doctype"),
        pytest.param("<sst/>".encode("utf-16"), 0, False, id="utf-16"),
    ],
)
def test_string_table_is_taken_on_its_bytes_only_when_plain(table: bytes, max_declared: int, fits: bool) -> None:
    assert string_table_fits(table, max_declared) is fits


@pytest.mark.parametrize(
    ("table", "lengths"),
    [
        # Each string is bounded by the bytes from its si start tag to the next one (or the end).
        pytest.param(b"<sst><si><t>a</t></si><si><t>bb</t></si></sst>", [17, 24], id="plain"),
        pytest.param(b"<sst><si/><si a='1' ><t>x</t></si ></sst>", [5, 31], id="self-closing-attributes-spaces"),
        pytest.param(b"<sst><sib/><si><t>x</t></si></sst>", [23], id="other-element-named-si-something"),
        pytest.param(
            f'<x:sst xmlns:x="{_MAIN}"><x:si><x:t>a</x:t></x:si><x:si/></x:sst>'.encode(), [25, 15], id="prefixed"
        ),
        pytest.param(b"<sst/>", [], id="empty"),
    ],
)
def test_string_lengths_are_bounded_from_the_bytes(table: bytes, lengths: list[int]) -> None:
    assert string_lengths(table) == array.array("Q", lengths)


@pytest.mark.parametrize(
    "table",
    [
        pytest.param(b"<sst><si><si/></si></sst>", id="nested-si"),
        pytest.param(b"<sst><si><t>a</t></si><si>", id="truncated"),
        pytest.param(b"<sst><si><t>a</t></si>", id="truncated-after-a-whole-string"),
        pytest.param(b"<sst><!-- c --><si/></sst>", id="comment"),
        pytest.param(b"<!DOCTYPE sst><sst><si/></sst>", id="doctype"),
        pytest.param("<sst><si/></sst>".encode("utf-16"), id="utf-16"),
        pytest.param(b"<sst><u:si/></sst>", id="undeclared-prefix"),
    ],
)
def test_string_lengths_give_way_to_the_exact_pass(table: bytes) -> None:
    assert string_lengths(table) is None
