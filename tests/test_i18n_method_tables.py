"""The Method and data page, the admin's catalog import, the tables under the charts, the provenance caption and
the Progress page's plan-year and timeline charts in Bahasa Indonesia (issue 11); English exactly as before.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from loaders.catalog import load_catalog
from loaders.i18n import language
from tests.builders import TODAY, action, dataset_of
from tests.chart_tables import open_chart_tables
from tests.test_catalog_import_page import ADMIN, XLSX, admin_dirs, matrix
from tests.test_i18n import ROOT
from tests.test_upload_page import AUTH
from tracker.figures.progress import plan_year_figure, timeline_figure
from tracker.views.action_table import headed
from tracker.views.filters import Filters, apply_filters
from tracker.views.method import scale_table
from tracker.views.progress import plan_year_summary, timeline_rows

pytestmark = pytest.mark.usefixtures("fresh_caches")  # AppTest runs read the files afresh

ENTRY = str(ROOT / "dashboard.py")


def page(path: str, lang: str | None, *, user: dict[str, Any] | None = None, **query: str) -> AppTest:
    """``path`` opened from the dashboard, in ``lang`` (English without it)."""
    at = AppTest.from_file(ENTRY, default_timeout=60)
    if user is not None:
        at.secrets["auth"] = AUTH
        at.user = user
    at.query_params.update({**({"lang": lang} if lang else {}), **query})
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return open_chart_tables(at)  # the tests read the tables under the charts, as a reader opening them


def columns(at: AppTest) -> list[list[str]]:
    """The headers of every grid on the page."""
    return [list(d.value.columns) for d in at.dataframe]


# --- the Method and data page ---------------------------------------------------------------------------------


def test_the_method_page_in_indonesian():
    english, indonesian = page("app_pages/method.py", None), page("app_pages/method.py", "id")

    assert (english.title[0].value, indonesian.title[0].value) == ("Method and data", "Metode dan data")
    assert [h.value for h in indonesian.main.header] == [
        "Masalah validasi dalam data saat ini",
        "Skala status",
        "Cara angka-angka ini dihitung",
        "Lembar kerja anggota",
        "Katalog: sumber dan tingkat keyakinan",
    ]
    scale = indonesian.table[0].value
    assert scale.index.name == "ikon" and list(scale.columns)[:3] == ["status", "id", "arti"]
    assert {"Selesai", "Tidak ada tindakan dilaporkan"} <= set(scale["status"])  # the page's catalog
    assert set(scale["perlu bukti"]) == {"ya", "tidak", "–"}
    contract = indonesian.table[1].value
    assert contract.index.name == "kolom" and "Tanggal mulai" in contract.index
    rules = next(m.value for m in indonesian.markdown if "**Status terjauh**" in m.value)
    assert "sejak 26 Okt 2025" in rules  # a date in the page's language
    sources = next(c for c in columns(indonesian) if "alamat" in c)
    assert sources == ["kunci", "judul", "alamat", "dokumen", "diakses", "catatan"]
    crosswalk = next(d.value for d in indonesian.dataframe if "hubungan" in d.value.columns)
    assert set(crosswalk["hubungan"]) <= {"setara", "tumpang tindih", "saling melengkapi"}
    assert [e.label for e in indonesian.expander][:1] == ["Berkas anggota yang dibaca"]
    # English as it was: the same tables under the same headings.
    assert english.table[0].value.index.name == "icon" and english.table[1].value.index.name == "column"
    assert ["key", "title", "address", "document", "accessed", "note"] in columns(english)


def test_the_method_tables_say_their_own_words_in_the_language_asked_for():
    catalog = load_catalog()
    english = scale_table(catalog)
    indonesian = scale_table(catalog.in_language("id"), language("id"))

    assert list(english.columns) == ["icon", "status", "id", "meaning", "needs evidence", "in progress shares"]
    assert list(indonesian.columns) == ["ikon", "status", "id", "arti", "perlu bukti", "dalam porsi kemajuan"]
    assert english["id"].iloc[-1] == "(derived)" and indonesian["id"].iloc[-1] == "(turunan)"


@pytest.fixture
def import_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory an admin may import into; the copy of the catalog is returned."""
    return admin_dirs(tmp_path, monkeypatch)[1]


def test_the_admin_previews_an_import_in_indonesian(import_dirs):
    at = page("app_pages/method.py", "id", user=ADMIN)
    assert "Impor matriks resmi kerangka kerja" in [h.value for h in at.header]
    assert at.selectbox(key="import_framework").label == "Kerangka kerja yang digantikan matriks ini"
    assert at.get("file_uploader")[0].proto.label == "Matriks resmi"

    at.file_uploader(key="import_matrix_0").set_value(("BWP-2.0.xlsx", matrix(load_catalog(import_dirs)), XLSX))
    at.run()

    assert not at.exception, at.exception
    assert "Yang diubah oleh impor" in [s.value for s in at.subheader]
    assert at.error[0].value.startswith("Belum dapat diimpor dalam keadaan ini")
    issues = next(d.value for d in at.dataframe if "kode" in d.value.columns)
    assert list(issues.columns) == ["tingkat", "kode", "berkas", "lembar", "baris", "isian", "pesan"]
    assert "import-removes-cited-id" in set(issues["kode"]) and set(issues["tingkat"]) <= {"error", "warning"}


# --- the tables under the charts, and the provenance caption ---------------------------------------------------


def test_a_table_under_a_chart_has_headers_in_the_page_language():
    english, indonesian = page("app_pages/progress.py", None), page("app_pages/progress.py", "id")

    assert ["group", "status", "actions"] in columns(english)
    assert ["kelompok", "status", "tindakan"] in columns(indonesian)
    assert ["year", "measure", "actions"] in columns(english) and ["tahun", "ukuran", "tindakan"] in columns(indonesian)
    assert "Unduh tabel ini (CSV)" in [b.proto.label for b in indonesian.get("download_button")]
    overdue = next(c for c in columns(indonesian) if "ID tindakan" in c)
    assert overdue[:4] == ["ID tindakan", "Anggota", "Tindakan", "Status (sebagaimana dilaporkan)"]
    assert "Tautan bukti" in overdue  # the link column beside "Evidence" is still made, and named
    assert next(c for c in columns(english) if "Action ID" in c)[:2] == ["Action ID", "Member"]


def test_the_member_profile_says_where_statuses_come_from_in_indonesian():
    english = page("app_pages/member.py", None, m="PHL")
    indonesian = page("app_pages/member.py", "id", m="PHL")

    assert english.caption[0].value.endswith(". Statuses are the members' own reports, not ratings.")
    assert indonesian.caption[0].value.endswith(". Status adalah laporan anggota sendiri, bukan penilaian.")
    actions = indonesian.table[-1].value  # the printable list of the member's actions
    assert actions.index.name == "ID tindakan" and "Tindakan" in actions.columns and "Bukti" in actions.columns
    assert english.table[-1].value.index.name == "Action ID"


def test_headed_changes_only_the_headers_and_nothing_in_english():
    catalog = load_catalog()
    frame = scale_table(catalog).rename(columns={"icon": "group"})
    assert headed(frame) is frame and headed(frame, language("en")) is frame
    said = headed(frame.set_index("meaning"), language("id"))
    assert said.index.name == "arti"
    assert list(said.columns) == ["kelompok", "status", "id", "perlu bukti", "dalam porsi kemajuan"]
    assert said.to_numpy().tolist() == frame.set_index("meaning").to_numpy().tolist()


# --- the plan-year and timeline charts ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def progress_view():
    catalog = load_catalog()
    rows = [
        action("IDN", 1, "ASC-1", "complete", start_date=dt.date(2023, 5, 1), due_date=dt.date(2024, 8, 1)),
        action("IDN", 2, "ASC-1.1", "limited", start_date=dt.date(2024, 1, 1), due_date=dt.date(2025, 1, 1)),
        action("THA", 1, "BWP-B", "not_started", start_date=dt.date(2026, 1, 1)),
    ]
    return apply_filters(dataset_of(catalog, rows), Filters())


def test_the_plan_year_chart_in_indonesian(progress_view):
    summary = plan_year_summary(progress_view, TODAY)
    english = plan_year_figure(summary, title="Plan")
    indonesian = plan_year_figure(summary, title="Rencana", lang=language("id"))

    assert [t.name for t in english.data][:3] == [
        "Started in the year",
        "● Due in the year, complete",
        "⚠ Due in the year, overdue",
    ]
    assert [t.name for t in indonesian.data][:3] == [
        "Dimulai pada tahun itu",
        "● Jatuh tenggat pada tahun itu, selesai",
        "⚠ Jatuh tenggat pada tahun itu, melewati tenggat",
    ]
    assert english.layout.xaxis.title.text == "Year (the plan runs 2023–2028)"
    assert indonesian.layout.xaxis.title.text == "Tahun (rencana berlaku 2023–2028)"
    assert indonesian.layout.yaxis.title.text == "Tindakan"
    assert "Jatuh tenggat pada tahun itu, melewati tenggat: %{y}" in indonesian.data[2].hovertemplate


def test_the_timeline_in_indonesian(progress_view):
    rows, catalog = timeline_rows(progress_view, TODAY), progress_view.catalog
    english = timeline_figure(rows, catalog, title="Timeline", today=TODAY)
    indonesian = timeline_figure(rows, catalog.in_language("id"), title="Linimasa", today=TODAY, lang=language("id"))

    assert english.layout.yaxis.title.text == "Action (⚠ = overdue)"
    assert indonesian.layout.yaxis.title.text == "Tindakan (⚠ = melewati tenggat)"
    assert indonesian.layout.xaxis.title.text.startswith("Dari tanggal mulai hingga tenggat")
    assert (english.layout.annotations[0].text, indonesian.layout.annotations[0].text) == ("today", "hari ini")
    said = [tuple(c) for trace in indonesian.data for c in trace.customdata]
    assert ("01 Mei 2023", "01 Agu 2024") in [c[1:3] for c in said]  # the months in Indonesian
    assert any(c[2] == "tanpa tenggat" for c in said) and any(c[3] == "⚠ melewati tenggat" for c in said)
    assert ("01 May 2023", "01 Aug 2024") in [tuple(c)[1:3] for trace in english.data for c in trace.customdata]
    assert "● Selesai" in [t.name for t in indonesian.data]  # statuses from the page's catalog
