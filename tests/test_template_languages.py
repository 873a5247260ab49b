"""The template in Bahasa Indonesia (issue 11 §4): written in Indonesian, read back exactly like an English one.

A focal point downloads the Indonesian workbook, changes a status by picking the Indonesian label from the
dropdown, uploads it, sees the one change in the diff, and the reviewer applies it: the records are the same as
if the English template had been used.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import openpyxl
import pytest

from loaders.catalog import Catalog
from loaders.dataset import load_dataset
from loaders.fields import FIELDS
from loaders.i18n import language
from loaders.tables import read_member_bytes
from tests.make_fixtures import TODAY as SUITE_TODAY
from tracker.access import Role, User
from tracker.cli import main
from tracker.documents.template import template_from_dataset
from tracker.records.store import Store

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 30)
ADMIN = User("rev@example.org", "Reviewer", Role.ADMIN)
INDONESIAN = language("id")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("THA.yaml", "IDN.xlsx"):
        shutil.copy(ROOT / "data" / "sample" / name, folder / name)
    return folder


def sheet_rows(book: openpyxl.Workbook, name: str) -> list[list[object]]:
    return [list(row) for row in book[name].iter_rows(values_only=True)]


def test_the_indonesian_template_is_in_indonesian(catalog: Catalog, data_dir: Path):
    dataset = load_dataset(data_dir, catalog, today=TODAY)

    book = openpyxl.load_workbook(io.BytesIO(template_from_dataset(dataset, "THA", today=TODAY, lang=INDONESIAN)))

    assert book.sheetnames == ["Tindakan", "Petunjuk", "Komitmen", "Daftar"]
    header = sheet_rows(book, "Tindakan")[2]
    assert header[: len(FIELDS)] == [INDONESIAN.gettext(f.label) for f in FIELDS]
    assert header[:4] == ["ID tindakan", "Anggota", "ID komitmen", "Judul tindakan"]
    statuses = [row[0] for row in sheet_rows(book, "Daftar")[1:] if row[0]]
    assert statuses == ["Belum dimulai", "Terbatas", "Substansial", "Selesai", "Dihentikan"]
    instructions = [row[0] for row in sheet_rows(book, "Petunjuk") if row[0]]
    assert instructions[0] == "Commitments Tracker: cara mengisi tindakan Thailand (THA)"
    assert "Tentang berkas ini" in instructions and "Skala status" in instructions
    assert "Berkas ini berisi DATA CONTOH ILUSTRATIF yang dibuat untuk peragaan." in instructions[1]
    assert any("30 November 2026" in str(text) for text in instructions)
    validation = book["Tindakan"].data_validations.dataValidation
    assert any(v.formula1 == "Daftar!$A$2:$A$6" for v in validation)  # the status dropdown lists the labels
    assert all(len(v.error or "") <= 255 and len(v.prompt or "") <= 255 for v in validation)  # Excel's limit


def test_an_indonesian_template_reads_back_as_the_same_records(catalog: Catalog, data_dir: Path):
    dataset = load_dataset(data_dir, catalog, today=TODAY)
    english = template_from_dataset(dataset, "THA", today=TODAY)
    indonesian = template_from_dataset(dataset, "THA", today=TODAY, lang=INDONESIAN)

    from_english = read_member_bytes("THA.xlsx", english)
    from_indonesian = read_member_bytes("THA.xlsx", indonesian)

    assert from_indonesian.issues == [] and from_indonesian.illustrative == from_english.illustrative
    columns = [f.name for f in FIELDS]
    indonesian_rows = from_indonesian.rows[columns].astype(str)
    english_rows = from_english.rows[columns].astype(str)
    english_rows["status"] = english_rows["status"].map(catalog.status_for_input)
    indonesian_rows["status"] = indonesian_rows["status"].map(catalog.status_for_input)
    assert indonesian_rows.equals(english_rows)


def test_indonesian_template_edit_upload_diff_apply(catalog: Catalog, data_dir: Path, tmp_path: Path, capsys):
    out = tmp_path / "THA.xlsx"
    assert main(["--data-dir", str(data_dir), "template", "THA", "--out", str(out), "--lang", "id"]) == 0
    book = openpyxl.load_workbook(out)
    sheet = book["Tindakan"]
    header = [c.value for c in sheet[3]]
    status_col, id_col, updated_col = (
        header.index(label) + 1 for label in ("Status", "ID tindakan", "Terakhir diperbarui")
    )
    row = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(r, status_col).value == "Terbatas")
    action_id = sheet.cell(row, id_col).value
    sheet.cell(row, status_col).value = "Substansial"  # the Indonesian label, as the dropdown offers it
    sheet.cell(row, updated_col).value = dt.datetime.combine(SUITE_TODAY, dt.time())  # the suite's TRACKER_TODAY
    book.save(out)

    store = Store(data_dir, catalog)
    preview = store.preview(read_member_bytes("THA.xlsx", out.read_bytes()), viewer=ADMIN, today=SUITE_TODAY)

    assert preview.ok, preview.issues
    changed = preview.diff.changed
    assert set(changed["action_id"]) == {action_id}
    status_change = changed[changed["field"] == "status"]
    assert (status_change["old"].iloc[0], status_change["new"].iloc[0]) == ("limited", "substantial")
    assert main(["--data-dir", str(data_dir), "apply", str(out), "--by", "Reviewer"]) == 0
    after = load_dataset(data_dir, catalog, today=SUITE_TODAY).actions.set_index("action_id")
    assert after.loc[action_id, "status"] == "substantial"
