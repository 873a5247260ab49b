"""Exports: the Excel of the filtered view, the all-data CSV, chart images, the ``export`` command and the page.

Formula neutralisation is tested end to end: a title that a spreadsheet would
run comes in through a real member file (YAML and xlsx), is loaded by the real
loader and must come out as text in the workbook and the CSV.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter
from streamlit.testing.v1 import AppTest

from loaders.dataset import load_dataset
from tests import counted
from tests.builders import TODAY, action, dataset_of
from tracker import settings
from tracker.cli import EXIT_MISUSE, EXIT_OK, main
from tracker.documents import exports
from tracker.documents.exports import (
    CONFIDENTIAL_INCLUDED,
    all_data_csv,
    data_as_of,
    filters_in_words,
    neutralise_text,
    table_csv,
    view_workbook,
)
from tracker.documents.images import ImageExportError, figure_png, figure_svg, find_chromium
from tracker.documents.template import template_workbook
from tracker.views.filters import Filters, apply_filters
from tracker.views.overview import status_counts
from tracker.views.provenance import ILLUSTRATIVE_NOTE, STATUS_NOTE

ROOT = Path(__file__).resolve().parent.parent
ENTRY = str(ROOT / "dashboard.py")
SHEETS = ["About", "Actions", "Status by area", "Status by member", "Gap matrix", "Overdue", "Uncovered commitments"]
HYPERLINK = '=HYPERLINK("http://x","y")'
SECRET = "Confidential liaison with a named informant network"


@pytest.fixture(scope="module")
def sample():
    return load_dataset(settings.SAMPLE_DATA_DIR)


@pytest.fixture(scope="module")
def with_secret(catalog):
    return dataset_of(
        catalog,
        [
            action("IDN", 1, "ASC-1", "limited", title="Border liaison offices"),
            action("IDN", 2, "ASC-6", "substantial", title=SECRET, confidential="yes"),
            action("THA", 1, "BWP-B", "complete"),
        ],
    )


def workbook_of(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def every_cell(book: openpyxl.Workbook):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def as_text_cells(path: Path) -> None:
    """Store every cell that openpyxl took for a formula as the text it is, as Excel does for typed text."""
    book = openpyxl.load_workbook(path)
    for cell in every_cell(book):
        if cell.data_type == "f":
            cell.data_type = "s"
    book.save(path)


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


# --- formula neutralisation through the real round trip ----------------------------------------


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_a_formula_title_from_a_member_file_comes_out_as_text(tmp_path, member_file, catalog, suffix):
    row = {
        "action_id": "IDN-001",
        "member": "IDN",
        "commitments": "ASC-1",
        "title": HYPERLINK,
        "status": "Limited",
        "last_updated": "2024-03-01",
        "lead_agency": "@SUM(1+1)",
        "notes": "-2+3",
    }
    path = member_file(f"IDN{suffix}", [row])
    if suffix == ".xlsx":
        as_text_cells(path)
    dataset = load_dataset(tmp_path, catalog, today=TODAY)
    assert dataset.actions["title"].tolist() == [HYPERLINK]  # the loader kept it as typed
    view = apply_filters(dataset, Filters())

    book = workbook_of(view_workbook(view, Filters(), data_as_of=data_as_of(view), today=TODAY))
    cells = list(every_cell(book))
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula anywhere
    titles = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert titles, "the title is not in the workbook"
    assert all(c.value == "'" + HYPERLINK and c.data_type == "s" for c in titles)

    exported = csv_rows(all_data_csv(dataset, can_see_confidential=False))
    assert exported[0]["title"] == "'" + HYPERLINK
    assert exported[0]["lead_agency"] == "'@SUM(1+1)"
    assert exported[0]["notes"] == "'-2+3"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-x", "'-x"), ("@a", "'@a"), ("\tx", "'\tx"), ("\rx", "'\rx")],
)
def test_neutralise_text_prefixes_every_formula_start(value, expected):
    assert neutralise_text(value) == expected


def test_neutralise_text_leaves_other_values_alone():
    assert neutralise_text("Border liaison") == "Border liaison"
    assert neutralise_text(-3) == -3


# Every way a cell can start a formula (OWASP's CSV injection list and what spreadsheets do on import): the four
# characters, a leading tab, CR, LF or NUL, whitespace before a formula character (LibreOffice's "trim spaces"
# import option removes it), and the full-width forms East Asian Excel turns into ASCII.
FORMULA_STARTS = {
    "equals": "=1+1",
    "plus": "+1+1",
    "minus": "-1+1",
    "at": "@SUM(1,1)",
    "tab": "\t=1+1",
    "carriage return": "\r=1+1",
    "line feed": "\n=1+1",
    "nul": "\x00=1+1",
    "tab alone": "\tcmd|' /C calc'!A0",
    "carriage return alone": "\rcmd|' /C calc'!A0",
    "space": " =1+1",
    "spaces and tab": "  \t +1+1",
    "no-break space": "\u00a0=1+1",
    "ideographic space": "\u3000=1+1",
    "full-width equals": "\uff1d1+1",
    "full-width plus": "\uff0b1+1",
    "full-width minus": "\uff0d1+1",
    "full-width at": "\uff20SUM(1,1)",
}
NOT_FORMULAS = ["Border liaison", "a=b", "1+1", "  text", "e-mail: a@b.example", "'=already", ""]


def read_csv(data: bytes) -> list[dict[str, str]]:
    """The rows a spreadsheet reads: fields split by the CSV rules, line breaks inside quotes kept."""
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("value", FORMULA_STARTS.values(), ids=FORMULA_STARTS.keys())
def test_every_formula_start_is_neutralised(value):
    assert neutralise_text(value) == "'" + value


@pytest.mark.parametrize("value", NOT_FORMULAS)
def test_text_that_cannot_start_a_formula_is_left_alone(value):
    assert neutralise_text(value) == value


@pytest.mark.parametrize("value", FORMULA_STARTS.values(), ids=FORMULA_STARTS.keys())
def test_a_csv_table_neutralises_every_formula_start_in_cells_and_headers(value):
    frame = pd.DataFrame({"text": [value, "plain"], value: ["header", "x"], "n": [1, 2]})
    rows = read_csv(table_csv(frame, note=None))
    assert [r["text"] for r in rows] == ["'" + value, "plain"]  # one row per record: no line break escaped
    assert list(rows[0]) == ["text", "'" + value, "n"] and rows[0]["n"] == "1"


def test_a_carriage_return_inside_a_csv_cell_never_starts_a_row():
    frame = pd.DataFrame({"text": ['liaison\r=HYPERLINK("http://x")', "next"]})
    data = table_csv(frame, note=None)
    assert [r["text"] for r in read_csv(data)] == ['liaison\r=HYPERLINK("http://x")', "next"]
    assert b'"liaison\r=' in data  # quoted, as RFC 4180 asks for a field holding a line break


@pytest.mark.parametrize("value", FORMULA_STARTS.values(), ids=FORMULA_STARTS.keys())
def test_the_workbook_neutralises_every_formula_start_in_cells_and_headers(value, with_secret, monkeypatch):
    frame = pd.DataFrame({"text": [value, "plain"], value: ["header", "x"]})
    monkeypatch.setattr(exports, "view_tables", lambda view, today: {"Actions": frame})
    view = apply_filters(with_secret, Filters())
    sheet = workbook_of(view_workbook(view, Filters(), data_as_of=None, today=TODAY))["Actions"]
    cell, header = sheet["A4"], sheet["B3"]
    # openpyxl shows the control characters the way xlsx stores them (_x000D_); Excel shows the character.
    stored = "'" + re.sub(r"[\x00-\x08\x0b-\x1f]", lambda m: f"_x{ord(m.group()):04X}_", value)
    assert (cell.value, cell.data_type) == (stored, "s")
    assert (header.value, header.data_type) == (stored, "s")
    assert sheet["A5"].value == "plain"


@pytest.mark.parametrize("value", FORMULA_STARTS.values(), ids=FORMULA_STARTS.keys())
def test_the_template_marks_formula_text_as_text_and_keeps_its_value(value, catalog):
    dataset = dataset_of(catalog, [action("IDN", 1, "ASC-1", "limited"), action("IDN", 2, "ASC-6", "limited")])
    actions = dataset.actions.copy()
    # As a record could hold it (the loader strips surrounding spaces, so write past it): title, notes, extra.
    actions.loc[0, "title"] = value
    actions.loc[0, "notes"] = value
    actions.loc[0, "extra"] = json.dumps({value: value})
    book = workbook_of(template_workbook(catalog, "IDN", actions, illustrative=False, today=TODAY))
    sheet = book["Actions"]
    header = {cell.value: cell for cell in sheet[3]}
    stored = re.sub(r"[\x00-\x08\x0b-\x1f]", lambda m: f"_x{ord(m.group()):04X}_", value)
    marked = [sheet.cell(4, header[name].column) for name in ("Action title", "Notes", stored)] + [header[stored]]
    # Excel's quote prefix: shown and edited as text, and the value itself reads back unchanged.
    assert [(c.value, c.data_type, c.quotePrefix) for c in marked] == [(stored, "s", True)] * 4
    assert sheet.cell(5, header["Action title"].column).quotePrefix is False  # only where it is needed


# --- the workbook of the filtered view ---------------------------------------------------------


def test_workbook_has_one_sheet_per_table_and_exactly_the_view(sample):
    filters = Filters(members=("IDN",), framework="ASC")
    view = apply_filters(sample, filters)
    book = workbook_of(view_workbook(view, filters, data_as_of=data_as_of(view), today=TODAY))

    assert book.sheetnames == SHEETS
    actions = book["Actions"]
    assert [c.value for c in actions[3]][:3] == ["Action ID", "Member", "Action"]  # header under the title line
    ids = [r[0] for r in actions.iter_rows(min_row=4, values_only=True)]
    assert sorted(ids) == sorted(view.actions["action_id"])
    assert {r[1] for r in actions.iter_rows(min_row=4, values_only=True)} == {"IDN"}

    by_area = book["Status by area"]
    totals = {r[0]: r[-1] for r in by_area.iter_rows(min_row=4, values_only=True)}
    expected = status_counts(view, "top_level").groupby("group")["actions"].sum().to_dict()
    assert totals == expected
    assert all(area.startswith("ASC") for area in totals)


def test_workbook_tables_hold_the_hand_counted_figures(catalog):
    """Every table of the workbook against tests/counted.py: counted by hand, not by status_counts or gap_matrix."""
    view = apply_filters(dataset_of(catalog, counted.ROWS), counted.FILTERS)
    book = workbook_of(view_workbook(view, counted.FILTERS, data_as_of=data_as_of(view), today=TODAY))

    def rows(sheet: str) -> list[tuple]:
        return list(book[sheet].iter_rows(min_row=4, values_only=True))

    names = ["○ Not started", "◔ Limited", "◑ Substantial", "● Complete", "✕ Discontinued"]
    assert [c.value for c in book["Status by area"][3]] == ["Area or pillar", "Title", *names, "Total"]
    assert rows("Status by area") == [
        (area, counted.AREA_TITLES[area], *counts, sum(counts)) for area, counts in counted.BY_AREA.items()
    ]
    assert rows("Status by member") == [
        (member, counted.MEMBER_NAMES[member], *counts, sum(counts)) for member, counts in counted.BY_MEMBER.items()
    ]
    labels = dict(zip(counted.STATUSES, names, strict=True))
    assert [c.value for c in book["Gap matrix"][3]] == [
        "Member", "Member name", "Commitment", "Title", "Actions", "Furthest status"
    ]  # fmt: skip
    assert rows("Gap matrix") == [
        (member, counted.MEMBER_NAMES[member], area, counted.AREA_TITLES[area], n, labels[status])
        for (member, area), (n, status) in counted.GAP_MATRIX.items()
    ]
    assert [r[0] for r in rows("Actions")] == ["IDN-001", "IDN-002", "IDN-003", "IDN-004", "THA-001", "THA-002"]
    assert [r[0] for r in rows("Overdue")] == counted.OVERDUE
    assert len(rows("Uncovered commitments")) == counted.UNCOVERED


def test_about_sheet_states_filters_dates_and_caveats(sample):
    filters = Filters(framework="BWP", group="asean")
    view = apply_filters(sample, filters)
    book = workbook_of(view_workbook(view, filters, data_as_of=dt.date(2026, 10, 31), today=dt.date(2026, 11, 28)))
    text = "\n".join(str(v) for row in book["About"].iter_rows(values_only=True) for v in row if v)

    for line in filters_in_words(filters, sample.catalog):
        assert line in text
    assert "Member group: ASEAN member states" in text
    assert "31 October 2026" in text and "28 November 2026" in text
    assert ILLUSTRATIVE_NOTE in text
    assert STATUS_NOTE in text
    assert "Confidential actions are not included" in text
    assert ILLUSTRATIVE_NOTE in book["Actions"]["A1"].value  # every sheet carries the label


def counted_book(catalog, *, illustrative=False, confidential_included=False, filters=counted.FILTERS):
    """The workbook of the hand-counted view (tests/counted.py), exported on TODAY."""
    dataset = dataclasses.replace(dataset_of(catalog, counted.ROWS), illustrative=illustrative)
    view = apply_filters(dataset, filters)
    data = view_workbook(
        view, filters, data_as_of=data_as_of(view), today=TODAY, confidential_included=confidential_included
    )
    return workbook_of(data)


def test_the_about_sheet_says_what_the_export_holds_and_lists_the_sheets(catalog):
    about = counted_book(catalog)["About"]

    assert list(about.iter_rows(values_only=True)) == [
        ("Title", "Commitments Tracker: export of the filtered view"),
        ("Scope", "Area or pillar: ASC-1 Law enforcement; ASC-6 Victim Protection and Migration Management; "
         "BWP-B Protection"),
        ("Scope", "Members: Indonesia (IDN); Thailand (THA)"),
        ("Data as of", "01 June 2026 (latest update in the records exported)"),  # every row was updated then
        ("Exported on", "28 November 2026"),
        ("Actions", "6"),
        ("Statuses", STATUS_NOTE),
        ("Confidential", "Confidential actions are not included."),
        ("Overdue", "Due before 28 November 2026 and neither complete nor discontinued."),
        ("Safety", "Text that a spreadsheet would run as a formula starts with an apostrophe (')."),
        (None, None),
        ("Sheets", "Actions: 6 row(s)"),
        (None, "Status by area: 3 row(s)"),
        (None, "Status by member: 2 row(s)"),
        (None, f"Gap matrix: {len(counted.GAP_MATRIX)} row(s)"),
        (None, f"Overdue: {len(counted.OVERDUE)} row(s)"),
        (None, f"Uncovered commitments: {counted.UNCOVERED} row(s)"),
    ]  # fmt: skip


def test_the_about_sheet_of_illustrative_data_with_confidential_actions_warns_twice(catalog):
    about = counted_book(catalog, illustrative=True, confidential_included=True)["About"]
    rows = {label: text for label, text in about.iter_rows(max_row=11, values_only=True) if label}

    assert list(rows)[:2] == ["Title", "Data"] and rows["Data"] == ILLUSTRATIVE_NOTE
    assert rows["Confidential"] == CONFIDENTIAL_INCLUDED


def test_an_export_of_an_empty_view_says_it_has_no_data(catalog):
    nobody = Filters(members=("AUS",))
    about = counted_book(catalog, filters=nobody)["About"]
    rows = dict(about.iter_rows(max_row=8, values_only=True))

    assert rows["Data as of"] == "no data" and rows["Actions"] == "0"


def test_data_as_of_is_the_latest_update_in_the_view(catalog):
    dataset = dataset_of(
        catalog,
        [
            action("IDN", 1, "ASC-1", "limited", last_updated=dt.date(2026, 3, 1)),
            action("IDN", 2, "ASC-1", "limited", last_updated=dt.date(2026, 9, 15)),
            action("THA", 1, "ASC-1", "limited", last_updated=dt.date(2026, 6, 1)),
        ],
    )

    assert data_as_of(apply_filters(dataset, Filters())) == dt.date(2026, 9, 15)
    assert data_as_of(apply_filters(dataset, Filters(members=("THA",)))) == dt.date(2026, 6, 1)
    assert data_as_of(apply_filters(dataset, Filters(members=("AUS",)))) is None


def test_status_by_member_lists_members_by_name_with_hand_counted_statuses(catalog):
    """Cambodia (KHM) comes before Indonesia (IDN): by name, never by id; every status has its column."""
    dataset = dataset_of(
        catalog,
        [
            action("IDN", 1, "ASC-1", "limited"),
            action("KHM", 1, "ASC-1", "limited"),
            action("KHM", 2, "BWP-A", "complete"),
        ],
    )
    view = apply_filters(dataset, Filters())
    sheet = workbook_of(view_workbook(view, Filters(), data_as_of=None, today=TODAY))["Status by member"]

    names = ["○ Not started", "◔ Limited", "◑ Substantial", "● Complete", "✕ Discontinued"]
    assert [c.value for c in sheet[3]] == ["Member", "Name", *names, "Total"]
    assert list(sheet.iter_rows(min_row=4, values_only=True)) == [
        ("KHM", "Cambodia", 0, 1, 0, 1, 0, 2),
        ("IDN", "Indonesia", 0, 1, 0, 0, 0, 1),
    ]


WARNING_FILL, WARNING_FONT = "FFFFC7CE", "FF9C0006"  # Excel's "Bad" cell style: dark red on light red


def highlighted(cell) -> bool:
    return bool(cell.font.b) and cell.fill.fgColor.rgb == WARNING_FILL and cell.font.color.rgb == WARNING_FONT


def test_the_warnings_stand_out_and_nothing_else_does(catalog):
    book = counted_book(catalog, illustrative=True, confidential_included=True)
    about = book["About"]

    warned = [row[1].value for row in about.iter_rows(max_col=2) if highlighted(row[1])]
    assert warned == [ILLUSTRATIVE_NOTE, CONFIDENTIAL_INCLUDED]
    for name in SHEETS[1:]:
        title = book[name]["A1"]
        assert title.value == f"{name}  ({ILLUSTRATIVE_NOTE})" and highlighted(title), name

    plain = counted_book(catalog)
    assert not [c.coordinate for c in every_cell(plain) if highlighted(c)]
    assert [plain[name]["A1"].value for name in SHEETS[1:]] == SHEETS[1:]
    assert all(plain[name]["A1"].font.b for name in SHEETS[1:])  # a title still reads as one


def test_every_table_sheet_keeps_its_header_in_view_and_filters_every_row_and_column(catalog):
    book = counted_book(catalog)
    # (last column, rows) per sheet: Actions has 11 columns (A-K), the status tables 8, the gap matrix 6.
    shapes = {
        "Actions": ("K", 6),
        "Status by area": ("H", 3),
        "Status by member": ("H", 2),
        "Gap matrix": ("F", 6),
        "Overdue": ("K", 1),
        "Uncovered commitments": ("E", 9),
    }
    for name, (last, rows) in shapes.items():
        sheet = book[name]
        assert sheet.freeze_panes == "A4", name  # title, blank line and header stay on screen
        assert sheet.auto_filter.ref == f"A3:{last}{3 + rows}", name
        header = sheet[3]
        assert all(c.font.b and c.fill.fill_type == "solid" and c.alignment.wrap_text for c in header), name
        assert all(c.border.bottom.style for c in header), name


def test_an_empty_table_still_gets_a_filter_on_its_header(catalog):
    view = apply_filters(dataset_of(catalog, counted.ROWS), Filters(members=("THA",)))
    sheet = workbook_of(view_workbook(view, Filters(members=("THA",)), data_as_of=None, today=TODAY))["Overdue"]

    assert sheet.max_row == 3 and sheet.auto_filter.ref == "A3:K4"


def test_columns_are_wide_enough_for_what_they_hold(catalog):
    book = counted_book(catalog)
    about = book["About"]
    labels = [c.value for c in about["A"] if c.value]
    statements = [c.value for c in about["B"][:10]]
    assert about.column_dimensions["A"].width >= max(map(len, labels))
    assert about.column_dimensions["B"].width >= max(map(len, statements))
    assert all(c.font.b for c in about["A"] if c.value)  # the labels read as labels
    assert all(c.alignment.wrap_text and c.alignment.vertical == "top" for c in about["B"][:10])

    actions = book["Actions"]
    for column in actions.iter_cols(min_row=3):
        shown = [f"{c.value:%Y-%m-%d}" if c.is_date else str(c.value) for c in column if c.value is not None]
        longest = max(map(len, shown))
        width = actions.column_dimensions[column[0].column_letter].width
        assert min(max(longest, 8), 60) <= width <= 61, (column[0].value, longest, width)


def test_dates_in_the_workbook_are_dates_shown_as_year_month_day(catalog):
    actions = counted_book(catalog)["Actions"]
    header = [c.value for c in actions[3]]
    due = actions.cell(4, header.index("Due") + 1)  # IDN-001, due 30 June 2024

    assert due.value == dt.datetime(2024, 6, 30) and due.is_date
    assert due.number_format.lower() == "yyyy-mm-dd"
    assert actions.cell(4, header.index("Start") + 1).value is None  # no start date: an empty cell


def test_real_data_is_not_labelled_illustrative(with_secret):
    view = apply_filters(with_secret, Filters())
    book = workbook_of(view_workbook(view, Filters(), data_as_of=data_as_of(view), today=TODAY))
    text = " ".join(str(c.value) for c in every_cell(book) if c.value)
    assert "ILLUSTRATIVE" not in text.upper()
    assert "data_note" not in all_data_csv(with_secret, can_see_confidential=False).decode("utf-8-sig")


def test_filters_in_words():
    catalog = load_dataset(settings.SAMPLE_DATA_DIR).catalog
    assert filters_in_words(Filters(), catalog) == ["All 49 members, both frameworks, every status: no filter applied."]
    words = filters_in_words(Filters(members=("THA", "IDN"), statuses=("complete",)), catalog)
    assert words == ["Members: Indonesia (IDN); Thailand (THA)", "Status (as reported): Complete"]


def test_filters_in_words_states_every_filter_that_is_set(catalog):
    filters = Filters(
        framework="BWP",
        areas=("BWP-A", "BWP-B"),
        themes=("forced-criminality", "following-the-money"),
        group="asean",
        members=("THA",),
        statuses=("limited", "complete"),
        updated_from=dt.date(2026, 1, 5),
        updated_to=dt.date(2026, 6, 30),
    )

    assert filters_in_words(filters, catalog) == [
        "Framework: ASEAN Multi-Sectoral Work Plan Against Trafficking in Persons 2023–2028 (Bohol TIP Work Plan 2.0)",
        "Area or pillar: BWP-A Prevention; BWP-B Protection",
        "Theme: Forced criminality and scam centres; Following the money",
        "Member group: ASEAN member states",
        "Member: Thailand (THA)",  # one member: singular
        "Status (as reported): Limited; Complete",
        "Last updated: from 05 Jan 2026 to 30 Jun 2026",
    ]


@pytest.mark.parametrize(
    ("start", "end", "line"),
    [
        (dt.date(2026, 1, 5), None, "Last updated: from 05 Jan 2026 to today"),
        (None, dt.date(2026, 6, 30), "Last updated: from the start to 30 Jun 2026"),
    ],
)
def test_an_open_ended_date_range_says_where_it_is_open(catalog, start, end, line):
    assert filters_in_words(Filters(updated_from=start, updated_to=end), catalog) == [line]


# --- confidentiality ---------------------------------------------------------------------------


def test_confidential_actions_only_in_exports_for_roles_that_may_see_them(with_secret):
    hidden = apply_filters(with_secret, Filters(), can_see_confidential=False)
    shown = apply_filters(with_secret, Filters(), can_see_confidential=True)

    def workbook_text(view, included):
        data = view_workbook(view, Filters(), data_as_of=None, today=TODAY, confidential_included=included)
        return " ".join(str(c.value) for c in every_cell(workbook_of(data)) if c.value)

    assert SECRET not in workbook_text(hidden, False)
    assert SECRET in workbook_text(shown, True)
    assert "INCLUDED: for internal use only" in workbook_text(shown, True)
    assert SECRET not in all_data_csv(with_secret, can_see_confidential=False).decode("utf-8-sig")
    assert SECRET in all_data_csv(with_secret, can_see_confidential=True).decode("utf-8-sig")


def test_all_data_csv_has_every_action_and_the_contract_fields(sample):
    rows = csv_rows(all_data_csv(sample, can_see_confidential=True))
    assert len(rows) == len(sample.actions)
    assert list(rows[0])[:4] == ["data_note", "action_id", "member", "commitments"]
    assert rows[0]["data_note"] == ILLUSTRATIVE_NOTE
    assert all(len(r["last_updated"]) == 10 for r in rows)  # ISO dates, no times


# --- chart images ------------------------------------------------------------------------------


def test_chart_images_via_kaleido_and_the_system_chromium(sample):
    from tracker.documents.brief import chart_figure

    view = apply_filters(sample, Filters(members=("IDN",)))
    fig = chart_figure(view, "status_by_area", TODAY)
    png = figure_png(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    svg = figure_svg(fig)
    assert svg.lstrip().startswith(b"<svg") and b"Status of actions by area and pillar" in svg


def test_a_missing_chromium_is_a_clear_error(monkeypatch, tmp_path):
    import plotly.graph_objects as go

    monkeypatch.setenv("CHROMIUM_PATH", str(tmp_path / "no-such-chromium"))
    with pytest.raises(ImageExportError, match="CHROMIUM_PATH is set to"):
        figure_png(go.Figure())


# --- the export command ------------------------------------------------------------------------


def test_cli_export_writes_the_workbook_and_the_csv(sample_copy_dir, tmp_path):
    xlsx, csv_path = tmp_path / "view.xlsx", tmp_path / "tha.csv"
    assert main(["export", "--out", str(xlsx), "--data-dir", str(sample_copy_dir)]) == EXIT_OK
    assert workbook_of(xlsx.read_bytes()).sheetnames == SHEETS
    assert main(["export", "--out", str(csv_path), "--member", "THA", "--data-dir", str(sample_copy_dir)]) == EXIT_OK
    rows = csv_rows(csv_path.read_bytes())
    assert rows and {r["member"] for r in rows} == {"THA"}
    assert {r["confidential"] for r in rows} == {"False"}  # left out by default


def test_cli_export_includes_confidential_only_when_asked(sample_copy_dir, tmp_path):
    out = tmp_path / "all.csv"
    dataset = load_dataset(sample_copy_dir)
    confidential = int(dataset.actions["confidential"].sum())
    assert confidential > 0  # the sample members copied have confidential actions
    assert main(["export", "--out", str(out), "--data-dir", str(sample_copy_dir)]) == EXIT_OK
    assert len(csv_rows(out.read_bytes())) == len(dataset.actions) - confidential
    assert main(["export", "--out", str(out), "--include-confidential", "--data-dir", str(sample_copy_dir)]) == EXIT_OK
    assert len(csv_rows(out.read_bytes())) == len(dataset.actions)


@pytest.mark.parametrize(
    "args",
    [
        ["--out", "view.ods"],
        ["--out", "view.xlsx", "--member", "XXX"],
        ["--out", "view.xlsx", "--member", "../etc"],
        ["--out", "view.xlsx", "--framework", "SDG"],
        ["--out", "no-such-folder/view.xlsx"],
    ],
)
def test_cli_export_misuse_exits_2_and_writes_nothing(sample_copy_dir, tmp_path, monkeypatch, capsys, args):
    monkeypatch.chdir(tmp_path)
    assert main(["export", *args, "--data-dir", str(sample_copy_dir)]) == EXIT_MISUSE
    assert "error:" in capsys.readouterr().err
    assert not list(tmp_path.glob("view.*"))


# --- the page ----------------------------------------------------------------------------------


def test_exports_page_renders_with_its_downloads(fresh_caches):
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params.update({"member": "IDN"})
    at.run()
    at.switch_page("app_pages/exports.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Briefing pack and exports"
    labels = [b.proto.label for b in at.get("download_button")]
    expected = ["Briefing pack (HTML)", "Excel of this view", "CSV of all data", "Open data package"]
    expected += ["Briefing pack (PDF)"] if find_chromium() else []
    assert set(expected) <= set(labels)
    assert "Indonesia (IDN)" in " ".join(m.value for m in at.markdown)  # the scope in words
    assert at.selectbox(key="exports_since").value == "last-6-months"


def test_exports_page_makes_chart_images_on_click(fresh_caches):
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params.update({"member": "IDN"})
    at.run()
    at.switch_page("app_pages/exports.py").run()
    at.selectbox(key="exports_chart").select("plan_years").run()
    at.button(key="exports_make_images").click().run(timeout=120)
    assert not at.exception and not at.error
    labels = [b.proto.label for b in at.get("download_button")]
    assert "PNG" in labels and "SVG" in labels


def test_the_workbook_is_styled_for_reading(sample):
    """Widths, the header row, date cells and the red label of illustrative data, as a reader of the file sees them."""
    view = apply_filters(sample, Filters())
    book = workbook_of(view_workbook(view, Filters(), data_as_of=data_as_of(view), today=TODAY))

    about = book["About"]
    assert [about.column_dimensions[c].width for c in "AB"] == [
        pytest.approx(16.71, abs=0.01),
        pytest.approx(110.71, abs=0.01),
    ]
    label = next(c for c in about["B"] if c.value == ILLUSTRATIVE_NOTE)
    assert (label.font.b, label.font.color.rgb, label.fill.fgColor.rgb) == (True, "FF9C0006", "FFFFC7CE")
    scope = next(c for c in about["A"] if c.value == "Scope")
    assert scope.font.b and about[f"B{scope.row}"].alignment.wrap_text
    assert about[f"B{scope.row}"].alignment.vertical == "top"

    actions = book["Actions"]
    header = actions["A3"]
    assert (header.value, header.font.b, header.fill.fgColor.rgb) == ("Action ID", True, "FFE8E8E8")
    assert (header.border.left.style, header.alignment.wrap_text) == ("thin", True)
    dates = [c for c in actions[4] if c.is_date]
    assert dates and {c.number_format for c in dates} == {"yyyy-mm-dd"}


def test_table_columns_are_as_wide_as_their_first_200_values_within_8_to_60(catalog):
    rows = [action("IDN", n, "ASC-1", "limited", lead_agency="MFA") for n in range(1, 202)]
    rows[0]["title"] = "T" * 70
    rows[200]["lead_agency"] = "L" * 30  # the 201st row: past what is measured
    view = apply_filters(dataset_of(catalog, rows), Filters())

    sheet = workbook_of(view_workbook(view, Filters(), data_as_of=None, today=TODAY))["Actions"]

    # Excel stores the width asked for plus 0.71 (the cell padding xlsxwriter adds).
    widths = {sheet.cell(3, col).value: sheet.column_dimensions[get_column_letter(col)].width for col in (1, 2, 3, 9)}
    assert widths == {
        "Action ID": pytest.approx(11.71, abs=0.01),  # the header's 9 characters + 2
        "Member": pytest.approx(8.71, abs=0.01),  # never narrower than 8
        "Action": pytest.approx(60.71, abs=0.01),  # never wider than 60
        "Lead agency": pytest.approx(13.71, abs=0.01),  # the 30 characters of row 201 are not measured
    }
    assert sheet.cell(3 + 201, 9).value == "L" * 30  # yet written
