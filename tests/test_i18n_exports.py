"""The exports in Bahasa Indonesia (issue 11): the workbook of a view and the exports page speak the reader's
language with the same numbers, while the CSV of all data keeps the contract's column names in every language."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from loaders.catalog import Catalog
from loaders.dataset import load_dataset
from loaders.i18n import language
from tests import counted
from tests.builders import TODAY, dataset_of
from tests.test_i18n import ROOT
from tracker.cli import EXIT_MISUSE, EXIT_OK, main
from tracker.documents.exports import (
    CONFIDENTIAL_EXCLUDED,
    CONFIDENTIAL_INCLUDED,
    CSV_COLUMNS,
    all_data_csv,
    confidential_note,
    data_as_of,
    filters_in_words,
    table_csv,
    view_workbook,
)
from tracker.views.filters import Filters, apply_filters
from tracker.views.provenance import ILLUSTRATIVE_NOTE, STATUS_NOTE, illustrative_note

INDONESIAN = language("id")
SHEETS_ID = [
    "Tentang",
    "Tindakan",
    "Status per bidang dan pilar",
    "Status per anggota",
    "Matriks kesenjangan",
    "Melewati tenggat",
    "Komitmen tanpa tindakan",
]
CONTRACT_HEADER = ["data_note", *CSV_COLUMNS]


def book_in(
    catalog: Catalog, code: str, *, confidential_included: bool = False, illustrative: bool = False
) -> openpyxl.Workbook:
    """The workbook of the hand-counted view (tests/counted.py) in language ``code``, its catalog speaking it."""
    dataset = dataset_of(catalog.in_language(code), counted.ROWS)
    dataset = dataclasses.replace(dataset, illustrative=illustrative)
    view = apply_filters(dataset, counted.FILTERS)
    data = view_workbook(
        view,
        counted.FILTERS,
        data_as_of=data_as_of(view),
        today=TODAY,
        confidential_included=confidential_included,
        lang=language(code),
    )
    return openpyxl.load_workbook(io.BytesIO(data))


def numbers(book: openpyxl.Workbook) -> list[list[object]]:
    """Every number and date of every table sheet, sheet by sheet, in reading order."""
    return [
        [v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, int | float | dt.datetime)]
        for sheet in book.worksheets[1:]
    ]


def header(book: openpyxl.Workbook, sheet: int) -> list[object]:
    return [c.value for c in book.worksheets[sheet][3]]


def csv_header_and_rows(data: bytes) -> tuple[list[str], list[list[str]]]:
    head, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    return head, rows


# --- the workbook --------------------------------------------------------------------------------------------


def test_the_indonesian_workbook_has_indonesian_sheets_and_headers_and_the_same_numbers(catalog):
    english, indonesian = book_in(catalog, "en"), book_in(catalog, "id")

    assert indonesian.sheetnames == SHEETS_ID
    assert english.sheetnames[0] == "About"
    assert header(indonesian, 1)[:2] == ["ID tindakan", "Anggota"]
    statuses = ["○ Belum dimulai", "◔ Terbatas", "◑ Substansial", "● Selesai", "✕ Dihentikan"]
    assert header(indonesian, 2) == ["Bidang atau pilar", "Judul", *statuses, "Jumlah"]
    assert header(indonesian, 3) == ["Anggota", "Nama", *statuses, "Jumlah"]
    assert header(indonesian, 4) == ["Anggota", "Nama anggota", "Komitmen", "Judul", "Tindakan", "Status terjauh"]
    # The same counts and dates, cell for cell; only the words differ.
    assert numbers(indonesian) == numbers(english)
    assert [r[0] for r in indonesian["Tindakan"].iter_rows(min_row=4, values_only=True)] == [
        r[0] for r in english["Actions"].iter_rows(min_row=4, values_only=True)
    ]


def test_the_about_sheet_in_indonesian_states_scope_dates_and_caveats(catalog):
    about = book_in(catalog, "id", confidential_included=True)["Tentang"]
    rows = list(about.iter_rows(values_only=True))
    labels = [label for label, _text in rows if label]

    assert labels[:3] == ["Judul", "Cakupan", "Cakupan"]
    assert {"Data per", "Diekspor pada", "Tindakan", "Rahasia", "Melewati tenggat", "Keamanan", "Lembar"} <= set(labels)
    text = dict(rows[:10])
    assert text["Diekspor pada"] == "28 November 2026"  # the day as the export always writes it: two digits
    assert text["Data per"] == "01 Juni 2026 (pembaruan terakhir dalam catatan yang diekspor)"
    assert text["Rahasia"] == confidential_note(True, INDONESIAN) != CONFIDENTIAL_INCLUDED
    assert (None, "Status per anggota: 2 baris") in rows
    assert rows[2] == ("Cakupan", "Anggota: Indonesia (IDN); Thailand (THA)")


def test_the_data_label_and_the_confidential_warning_stand_out_in_every_language(catalog):
    def warned(book: openpyxl.Workbook) -> list[object]:
        return [c.value for row in book.worksheets[0].iter_rows() for c in row if c.fill.fgColor.rgb == "FFFFC7CE"]

    indonesian = book_in(catalog, "id", confidential_included=True, illustrative=True)
    label = illustrative_note(INDONESIAN)
    assert label.startswith("DATA CONTOH ILUSTRATIF")
    assert warned(indonesian) == [label, confidential_note(True, INDONESIAN)]
    assert indonesian["Tindakan"]["A1"].value == f"Tindakan  ({label})"  # every sheet carries the label
    assert ("Status", INDONESIAN.gettext(STATUS_NOTE)) in list(indonesian["Tentang"].iter_rows(values_only=True))
    assert INDONESIAN.gettext(STATUS_NOTE) != STATUS_NOTE
    assert warned(book_in(catalog, "en", confidential_included=True, illustrative=True)) == [
        ILLUSTRATIVE_NOTE,
        CONFIDENTIAL_INCLUDED,
    ]


def test_the_confidential_note_and_the_filters_in_words_speak_the_language(catalog):
    assert confidential_note(False) == CONFIDENTIAL_EXCLUDED
    assert confidential_note(True, language("en")) == CONFIDENTIAL_INCLUDED
    assert confidential_note(False, INDONESIAN) == "Tindakan rahasia tidak disertakan."
    spoken = catalog.in_language("id")
    assert filters_in_words(Filters(), spoken, INDONESIAN) == [
        "Seluruh 49 anggota, kedua kerangka kerja, semua status: tanpa filter."
    ]
    filters = Filters(
        group="asean",
        members=("THA", "PHL"),
        statuses=("complete",),
        updated_from=dt.date(2026, 8, 5),
    )
    assert filters_in_words(filters, spoken, INDONESIAN) == [
        "Kelompok anggota: Negara anggota ASEAN",
        "Anggota: Filipina (PHL); Thailand (THA)",
        "Status (sebagaimana dilaporkan): Selesai",
        "Terakhir diperbarui: dari 05 Agu 2026 sampai hari ini",
    ]


# --- the CSV of all data: the contract in every language ----------------------------------------------------


def test_the_all_data_csv_keeps_the_contract_columns_and_values_in_every_language():
    sample = load_dataset(ROOT / "data" / "sample")
    spoken = dataclasses.replace(sample, catalog=sample.catalog.in_language("id"))
    english = csv_header_and_rows(all_data_csv(sample, can_see_confidential=True))
    indonesian = csv_header_and_rows(all_data_csv(spoken, can_see_confidential=True, lang=INDONESIAN))

    assert english[0] == indonesian[0] == CONTRACT_HEADER
    # Ids, ISO dates and the records' own text are the same; only the data set's label is said in the language.
    assert {row[0] for row in indonesian[1]} == {illustrative_note(INDONESIAN)} != {ILLUSTRATIVE_NOTE}
    assert [row[1:] for row in indonesian[1]] == [row[1:] for row in english[1]]
    status = CONTRACT_HEADER.index("status")
    assert {row[status] for row in indonesian[1]} == set(sample.catalog.statuses)  # ids, never "Selesai"


def test_a_table_csv_says_its_headers_in_the_language_asked_for():
    frame = pd.DataFrame({"Action ID": ["IDN-001"], "Member name": ["Indonesia"], "Total": [3]})

    english = csv_header_and_rows(table_csv(frame, note="label"))
    indonesian = csv_header_and_rows(table_csv(frame, note="label", lang=INDONESIAN))
    assert english[0] == ["data_note", "Action ID", "Member name", "Total"]
    assert indonesian[0] == ["catatan_data", "ID tindakan", "Nama anggota", "Jumlah"]
    assert english[1] == indonesian[1] == [["label", "IDN-001", "Indonesia", "3"]]


# --- the command line ----------------------------------------------------------------------------------------


def test_cli_export_lang_id_writes_an_indonesian_workbook_and_the_contract_csv(sample_copy_dir: Path, tmp_path):
    xlsx, csv_path = tmp_path / "view.xlsx", tmp_path / "all.csv"
    args = ["--member", "THA", "--data-dir", str(sample_copy_dir)]

    assert main(["export", "--out", str(xlsx), "--lang", "id", *args]) == EXIT_OK
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == SHEETS_ID
    assert header(book, 3)[2:7] == ["○ Belum dimulai", "◔ Terbatas", "◑ Substansial", "● Selesai", "✕ Dihentikan"]
    assert book["Tentang"]["A1"].value == "Judul"
    assert ("Cakupan", "Anggota: Thailand (THA)") in list(book["Tentang"].iter_rows(values_only=True))

    assert main(["export", "--out", str(csv_path), "--lang", "id", *args]) == EXIT_OK
    head, rows = csv_header_and_rows(csv_path.read_bytes())
    assert head == CONTRACT_HEADER
    assert rows and {r[head.index("member")] for r in rows} == {"THA"}

    assert main(["export", "--out", str(xlsx), *args]) == EXIT_OK  # English by default
    assert openpyxl.load_workbook(xlsx).sheetnames[0] == "About"


def test_cli_export_refuses_a_language_it_does_not_ship(sample_copy_dir: Path, tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["export", "--out", str(tmp_path / "v.xlsx"), "--lang", "xx", "--data-dir", str(sample_copy_dir)])
    assert stopped.value.code == EXIT_MISUSE
    assert "--lang: invalid choice: 'xx'" in capsys.readouterr().err


# --- the page -----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("fresh_caches")
def test_the_exports_page_in_indonesian():
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params.update({"lang": "id", "member": "IDN"})
    at.run()
    at.switch_page("app_pages/exports.py").run()

    assert not at.exception, at.exception
    assert at.title[0].value == "Bahan pengarahan dan ekspor"
    assert [h.value for h in at.header][:2] == ["Bahan pengarahan dan data", "Gambar grafik"]
    assert "**Cakupan:** Anggota: Indonesia (IDN)" in [m.value for m in at.markdown]
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"Bahan pengarahan (HTML)", "Excel tampilan ini", "CSV seluruh data", "Paket data terbuka"} <= set(labels)
    since = at.selectbox(key="exports_since")
    assert (since.label, since.value, since.options[0]) == (
        "Bahan pengarahan: laporkan apa yang bergerak sejak",
        "last-6-months",
        "Enam bulan terakhir",
    )
    assert at.selectbox(key="exports_chart").options[0] == "Status tindakan per bidang dan pilar"
    assert at.button(key="exports_make_images").label == "Buat PNG dan SVG"
