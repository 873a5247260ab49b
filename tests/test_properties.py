"""Property-based tests: any input gives records or issues, never an exception.

Cell values are drawn from everything a reader can hand over (text with unicode
and control characters, integers, floats with nan/inf, booleans, dates,
datetimes, times, lists, None), mixed with plausible contract values so that
rows get past the first rule and exercise the later ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any
from unittest import mock

import pandas as pd
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from loaders import sheet_bound
from loaders.actions import ACTION_COLUMNS, ActionSet, validate_actions
from loaders.catalog import Catalog, load_catalog
from loaders.fields import FIELD_NAMES, LABELS
from loaders.sheet_bound import SheetBound, string_lengths, string_table_fits
from loaders.sheet_extent import (
    MAX_DECLARED_STRINGS,
    Extent,
    SheetXmlError,
    shared_string_lengths,
    xlsx_sheet_extent,
)
from loaders.tables import READABLE_SUFFIXES, REFUSED_SUFFIXES, RawFile, read_member_bytes
from tests.make_fixtures import TODAY, VALID_DIR

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEBAB = re.compile(r"^[a-z]+(?:-[a-z]+)*$")
# Loaded at import: hypothesis' @given does not mix with pytest's function-scoped fixtures, and the
# catalog is read-only here.
CATALOG: Catalog = load_catalog()

TEXT = st.text(max_size=30)  # any code point but surrogates: unicode, control characters, NUL
ANY_CELL = st.one_of(
    st.none(),
    TEXT,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=7))])),
    st.times(),
    st.lists(st.one_of(st.none(), TEXT, st.integers()), max_size=3),
)
DATES = ["2024-03-01", "01/02/2024", "31/12/2023", "2023-02-30", "2026-11-29", "March 2024", dt.date(2024, 3, 1)]
PLAUSIBLE: dict[str, list[Any]] = {
    "action_id": ["IDN-001", "IDN-002", "idn-001", "THA-001", "IDN-", ""],
    "member": ["IDN", "idn", " IDN ", "THA", "XYZ"],
    "commitments": ["ASC-1", "ASC-1; BWP-B.3", "asc-6.2,BWP-D", "ASC-9", " ; ", ["ASC-1", "BWP-A"]],
    "title": ["Border liaison offices", "x" * 201, 2024, 2024.0],
    "status": ["Complete", "limited", " NOT STARTED ", "not_started", "Almost done"],
    "start_date": DATES,
    "due_date": DATES,
    "last_updated": DATES,
    "asean_mechanisms": ["ACTIP", "actip, SOMTC-WG-TIP", "ASEAN-XYZ", ["ACWC"]],
    "evidence": ["https://example.org/r", "www.example.org", "http://", "Decree 12/2024"],
    "origin": ["new", "Pre-existing", "old"],
    "confidential": ["yes", "no", True, 1, 1.0, "maybe"],
}


def cell(field: str) -> st.SearchStrategy[Any]:
    plausible = PLAUSIBLE.get(field)
    return ANY_CELL if plausible is None else st.one_of(st.sampled_from(plausible), ANY_CELL)


ROW = st.fixed_dictionaries({}, optional={f: cell(f) for f in FIELD_NAMES})
FILE_NAMES = st.sampled_from(["IDN.xlsx", "IDN.yaml", "THA.csv", "XYZ.xlsx", "UNHCR.ods"])


def raw_file(name: str, rows: list[dict[str, Any]]) -> RawFile:
    records = [{**{f: r.get(f) for f in FIELD_NAMES}, "_row": n + 2, "_extra": None} for n, r in enumerate(rows)]
    frame = pd.DataFrame.from_records(records, columns=[*FIELD_NAMES, "_row", "_extra"]).astype(object)
    return RawFile(file=name, member=Path(name).stem, sheet="Actions", rows=frame)


def assert_every_row_accounted_for(files: list[RawFile], result: ActionSet) -> None:
    """The result is well-formed, and each row is an action exactly when it has no error."""
    assert isinstance(result, ActionSet)
    assert list(result.actions.columns) == list(ACTION_COLUMNS)
    for issue in result.issues:
        assert issue.severity in ("error", "warning")
        assert KEBAB.fullmatch(issue.code), issue.code
        assert issue.field is None or issue.field in FIELD_NAMES
        assert issue.message.startswith(issue.file)
    error_rows = {(i.file, i.row) for i in result.issues if i.severity == "error"}
    # Whole-file errors: a file-level issue, or a YAML `member:` of another member (reported on its line).
    failed_files = {i.file for i in result.issues if i.severity == "error" and i.row is None}
    failed_files |= {r.file for r in files if r.declared_member and r.declared_member.upper() != r.member}
    kept = set(zip(result.actions["source_file"], result.actions["source_row"].astype(object), strict=True))
    for raw in files:
        for row in raw.rows["_row"]:
            has_error = (raw.file, row) in error_rows or raw.file in failed_files
            assert ((raw.file, row) in kept) != has_error, (raw.file, row)
    keys = set(result.actions["action_key"])
    assert set(result.action_commitments["action_key"]) <= keys
    assert set(result.action_mechanisms["action_key"]) <= keys


@SETTINGS
@given(st.lists(st.tuples(FILE_NAMES, st.lists(ROW, max_size=6)), min_size=1, max_size=3, unique_by=lambda t: t[0]))
def test_any_cells_give_actions_or_issues(files: list[tuple[str, list[dict[str, Any]]]]) -> None:
    raws = [raw_file(name, rows) for name, rows in files]

    result = validate_actions(raws, CATALOG, TODAY)

    assert_every_row_accounted_for(raws, result)


def _csv_bytes(rows: list[dict[str, Any]], delimiter: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([LABELS[f] for f in FIELD_NAMES])
    for row in rows:
        writer.writerow(["" if row.get(f) is None else str(row.get(f)) for f in FIELD_NAMES])
    return buffer.getvalue().encode("utf-8-sig")


@SETTINGS
@given(st.lists(ROW, max_size=6), st.sampled_from([",", ";"]))
def test_any_csv_reads_and_validates(rows: list[dict[str, Any]], delimiter: str) -> None:
    raw = read_member_bytes("IDN.csv", _csv_bytes(rows, delimiter))

    result = validate_actions([raw], CATALOG, TODAY)

    assert_every_row_accounted_for([raw], result)


YAML_CELL = st.one_of(
    st.none(),
    TEXT,
    st.integers(),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.lists(st.one_of(TEXT, st.integers()), max_size=3),
    st.dictionaries(TEXT, TEXT, max_size=2),
)
YAML_ROW = st.dictionaries(
    st.one_of(st.sampled_from([*FIELD_NAMES, *LABELS.values()]), TEXT),
    st.one_of(YAML_CELL, *(st.sampled_from(v) for v in PLAUSIBLE.values())),
    max_size=8,
)


@SETTINGS
@given(st.one_of(st.none(), st.sampled_from(["IDN", "THA", "idn"]), TEXT), st.lists(YAML_ROW, max_size=5))
def test_any_yaml_reads_and_validates(member: Any, actions: list[dict[str, Any]]) -> None:
    text = yaml.safe_dump({"member": member, "actions": actions}, allow_unicode=True, sort_keys=False)

    raw = read_member_bytes("IDN.yaml", text.encode("utf-8"))
    result = validate_actions([raw], CATALOG, TODAY)

    assert_every_row_accounted_for([raw], result)
    if raw.issues == [] and raw.declared_member in (None, "IDN", "idn"):
        assert len(raw.rows) == len(actions)  # nothing silently dropped


SUFFIXES = sorted({*READABLE_SUFFIXES, *REFUSED_SUFFIXES, ".txt", ""})
MAGIC = st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"member: IDN\n", b"Member,Status\n"])


@SETTINGS
@given(st.sampled_from(SUFFIXES), MAGIC, st.binary(max_size=2000))
def test_random_bytes_never_raise(suffix: str, magic: bytes, data: bytes) -> None:
    raw = read_member_bytes(f"IDN{suffix}", magic + data)

    assert isinstance(raw, RawFile)
    assert_every_row_accounted_for([raw], validate_actions([raw], CATALOG, TODAY))


# .xls is left out: calamine can abort the process on a damaged .xls (see test_tables).
WORKBOOK_SOURCES = sorted(
    (f"{p.parent.name}/{p.name}", p.suffix) for p in VALID_DIR.glob("*/IDN.*") if p.suffix != ".xls"
)


@SETTINGS
@given(
    st.sampled_from(WORKBOOK_SOURCES),
    st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=20),
    st.floats(0, 1),
)
def test_damaged_real_files_never_raise(source: tuple[str, str], flips: list[tuple[float, int]], keep: float) -> None:
    data = bytearray((VALID_DIR / source[0]).read_bytes())
    for where, value in flips:
        data[int(where * len(data))] = value
    data = data[: max(1, int(keep * len(data)))]

    raw = read_member_bytes(f"IDN{source[1]}", bytes(data))

    assert isinstance(raw, RawFile)
    assert_every_row_accounted_for([raw], validate_actions([raw], CATALOG, TODAY))


# --- the cheap sheet bound (loaders.sheet_bound) is never below the exact measure -----------------
#
# Sheet XML is drawn from the spellings the exact pass (loaders.sheet_extent) models: quotes of
# either kind, whitespace around "=", attributes in any order, namespace prefixes, cells and rows
# with or without r, references in any case and with leading zeros, character references, values
# that look like references inside other attributes and in text, cells nested in cells and outside
# rows, several v elements; and markup the bound does not model (comments, CDATA, processing
# instructions), where it must give up rather than guess. It is fed in pieces of any size and
# counted in windows of any size.

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_JUNK = st.sampled_from(['r="XFD1048576"', " r='ZZ99' ", "a>b", "x r=A1", "1", "&#88;FD9", "\u00e9\u4e2d"])


def _escaped(value: str, quote: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(quote, "&quot;" if quote == '"' else "&apos;")


class _Style:
    """How one generated sheet spells its XML: as Excel does ("typical"), or any way XML allows."""

    def __init__(self, typical: bool) -> None:
        self.typical = typical
        self.ws = st.just("") if typical else st.sampled_from(["", " ", "\t", "\n", "\r\n", "  "])
        self.sep = st.just(" ") if typical else st.sampled_from([" ", "\t", "\n", "\r\n  "])
        self.prefix = st.just("") if typical else st.sampled_from(["", "", "x:", "other:"])  # other: another ns
        self.quote = st.just('"') if typical else st.sampled_from(['"', "'"])
        self.has_r = st.just(True) if typical else st.sampled_from([True, True, False])


@st.composite
def _reference(draw: st.DrawFn, style: _Style, letters: bool) -> str:
    """A reference as written in r: usually valid, sometimes spelled with a character reference or refused."""
    odd = ["far"] * 3 + ["bad", "entity"] if not style.typical else ["far"] + ["edge"] * 3
    weights = ["near"] * 30 + ["edge"] * 3 + ["zeros"] * 2 + odd
    kind = draw(st.sampled_from(weights))
    if kind == "bad":
        return draw(st.sampled_from(["A0", "5", "", " A1", "A1 ", "1A", "A-1", "A1.5", "A&#48;"]))
    rows, columns = {
        "far": ([1_048_576, 99_999, 5_000], [16_384, 27]),
        "edge": ([999, 1_000], [702, 703]),  # either side of the bound's shortcut for small sheets
    }.get(kind, (range(1, 41), range(1, 31)))
    row, column = draw(st.sampled_from(rows)), draw(st.sampled_from(columns))
    text = ""
    while column:
        column, rem = divmod(column - 1, 26)
        text = chr(65 + rem) + text
    text = "".join(c.lower() if draw(st.integers(0, 4)) == 0 else c for c in text) if letters else ""
    ref = text + ("0" * draw(st.integers(1, 3)) if kind == "zeros" else "") + str(row)
    return f"&#{ord(ref[0])};{ref[1:]}" if kind == "entity" else ref  # an entity decodes to the same reference


@st.composite
def _attributes(draw: st.DrawFn, style: _Style, r: str | None, others: list[tuple[str, str]]) -> str:
    spelled = []
    for key, value in others:
        quote = draw(style.quote)
        spelled.append(f"{draw(style.sep)}{key}{draw(style.ws)}={draw(style.ws)}{quote}{_escaped(value, quote)}{quote}")
    if r is not None:
        quote = draw(style.quote)
        at = 0 if style.typical else draw(st.integers(0, len(spelled)))
        spelled.insert(at, f"{draw(style.sep)}r{draw(style.ws)}={draw(style.ws)}{quote}{r}{quote}")
    return "".join(spelled) + draw(style.ws)


@st.composite
def _cell(draw: st.DrawFn, style: _Style, depth: int = 0) -> str:
    prefix = draw(style.prefix)
    r = draw(_reference(style, letters=True)) if draw(style.has_r) else None
    others = []
    if draw(st.booleans()):
        others.append(("t", draw(st.sampled_from(["s", "s", "s", "n", "str", "inlineStr", "S"]))))
    if draw(st.booleans()):
        others.append(("s", "1"))
    if draw(st.integers(0, 4)) == 0:
        others.append(("x", draw(_JUNK)))
    head = f"<{prefix}c{draw(_attributes(style, r, others))}"
    content = draw(st.lists(_cell_content(style, depth), max_size=3))
    if not content and draw(st.booleans()):
        return head + "/>"
    return f"{head}>{''.join(content)}</{prefix}c>"


def _cell_content(style: _Style, depth: int) -> st.SearchStrategy[str]:
    index = st.one_of(
        st.integers(0, 12).map(str),
        st.sampled_from(["007", "9" * 20, "0" * 20 + "1", "-1", "x", "", "3.5", "1 2", "1e3", "\u00a01", "\u0661"]),
    )
    value = st.builds(
        lambda p, attrs, ws1, i, ws2: f"<{p}v{attrs}>{ws1}{i}{ws2}</{p}v>",
        style.prefix,
        st.sampled_from(["", ' a="1"', " b='>'"]),
        style.ws,
        index,
        style.ws,
    )
    # Values the bound cannot read as an index (a reference, a child, a no-break space) but the exact pass can.
    odd = st.sampled_from(["<v>&#48;</v>", "<v>&#49;</v>", "<v>0<f/></v>", "<v/>", "<v>\u00a00</v>", "<v>\t1</v>"])
    inline = st.builds(lambda t: f"<is><t>{t}</t></is>", st.sampled_from(["x", ' r="XFD1048576" ', "a &amp; b"]))
    options = [value, value, value, odd, odd, inline, st.just("<f>A1+1</f>"), st.just("<extLst><ext/></extLst>")]
    if depth < 1:
        options.append(_cell(style, depth + 1))  # a cell inside a cell, which the exact pass does not place
    return st.one_of(options)


@st.composite
def _row(draw: st.DrawFn, style: _Style) -> str:
    prefix = draw(style.prefix)
    r = draw(_reference(style, letters=draw(st.integers(0, 9)) == 0)) if draw(style.has_r) else None
    head = f"<{prefix}row{draw(_attributes(style, r, [('spans', '1:5')] if draw(st.booleans()) else []))}"
    cells = draw(st.lists(_cell(style), max_size=5))
    if not cells and draw(st.booleans()):
        return head + "/>"
    return f"{head}>{''.join(cells)}</{prefix}row>"


# Markup the bound does not model (it must give up) and damage the exact pass refuses (so must the bound).
_UNMODELLED = st.sampled_from(
    [
        "<!-- <c r='XFD1048576'><v>1</v></c> -->",
        "<?pi <c r='XFD1048576'><v>1</v></c>?>",
        "<x><![CDATA[<c r='XFD1048576'><v>1</v></c>]]></x>",
        "<c r='A1' t='<'/>",
        "<a:b:c r='XFD1048576'><v>1</v></a:b:c>",
        "<c r='A1'><v>1</c>",
        "<c r='A1' r='B1'/>",
        "<undeclared:c r='XFD1048576'><v>1</v></undeclared:c>",
    ]
)


@st.composite
def _sheet_xml(draw: st.DrawFn) -> bytes:
    style = _Style(typical=draw(st.booleans()))
    parts = draw(st.lists(st.one_of(_row(style), _row(style), _cell(style)), max_size=12))
    if not style.typical and draw(st.integers(0, 4)) == 0:
        parts.insert(draw(st.integers(0, len(parts))), draw(_UNMODELLED))
    if not style.typical and len(parts) > 2 and draw(st.booleans()):
        parts = [*parts[:1], "<group>", *parts[1:-1], "</group>", parts[-1]]  # rows and cells one level deeper
    before = draw(st.sampled_from(["", '<dimension ref="A1"/>', "<c r='ZZ100'><v>1</v></c>", "<x:sheetViews/>"]))
    after = draw(
        st.sampled_from(["", "<c r='ZZ100'><v>1</v></c>", "<sheetData><row><c><v>1</v></c></row></sheetData>"])
    )
    prefix = draw(style.prefix)
    declaration = draw(st.sampled_from(['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', ""]))
    return (
        f'{declaration}<worksheet xmlns="{_MAIN}" xmlns:x="{_MAIN}" xmlns:other="urn:other">{before}'
        f"<{prefix}sheetData>{''.join(parts)}</{prefix}sheetData>{after}</worksheet>"
    ).encode()


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=12).map(
    lambda t: _escaped(t, '"')
)
_STRING_ITEM = st.one_of(
    st.builds("<si><t>{}</t></si>".format, _TEXT),
    st.builds("<si><r><rPr><b/></rPr><t>{}</t></r><r><t xml:space='preserve'> {}</t></r></si>".format, _TEXT, _TEXT),
    st.builds("<x:si><x:t>{}</x:t><x:rPh sb='0' eb='1'><x:t>ph</x:t></x:rPh></x:si>".format, _TEXT),
    st.sampled_from(["<si/>", "<si><t>&#x1F600;&amp;&lt;</t></si>", "<si><t>a</t><si><t>nested</t></si></si>"]),
)


@st.composite
def _string_table(draw: st.DrawFn) -> bytes:
    items = draw(st.lists(_STRING_ITEM, max_size=14))
    count = draw(st.sampled_from([str(len(items)), "5", "&#53;", "1000000"]))
    quote = draw(st.sampled_from(['"', "'"]))
    head = f'<?xml version="1.0"?><sst xmlns="{_MAIN}" xmlns:x="{_MAIN}" uniqueCount={quote}{count}{quote}>'
    return f"{head}{''.join(items)}</sst>".encode()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    _sheet_xml(),
    _string_table(),
    st.sampled_from([None, 0, 40]),
    st.sampled_from([1 << 20, 200, 16]),
    st.integers(1, 300),
)
def test_sheet_bound_is_never_below_the_exact_extent(
    sheet: bytes, table: bytes, text_limit: int | None, window: int, piece: int
) -> None:
    exact_lengths = shared_string_lengths(table)  # the generated tables are sound (a forged count is tested apart)
    fast_lengths = string_lengths(table)
    if fast_lengths is not None:
        assert len(fast_lengths) == len(exact_lengths)
        assert all(f >= e for f, e in zip(fast_lengths, exact_lengths, strict=True))
    if string_table_fits(table, MAX_DECLARED_STRINGS):
        assert all(length <= len(table) for length in exact_lengths)
    try:
        exact: Extent | None = xlsx_sheet_extent(sheet, exact_lengths)
    except SheetXmlError:
        exact = None
    bound = SheetBound(len(table), lambda: fast_lengths or exact_lengths, text_limit=text_limit)
    with mock.patch.object(sheet_bound, "_WINDOW", window):
        if piece > 250:  # the whole part at once, as a small part is read
            bound.feed(sheet, last=True)
        for start in range(0, len(sheet), piece) if piece <= 250 else ():
            bound.feed(sheet[start : start + piece])
        result = bound.result()

    event(f"exact pass {'refuses' if exact is None else 'measures'}, bound {'given' if result else 'not given'}")
    if exact is None:
        assert result is None  # whatever the exact pass refuses, the bound does not accept
    elif result is not None:
        rows, cols, text = result
        assert rows >= exact.rows and cols >= exact.cols and text >= exact.text, (result, exact)
