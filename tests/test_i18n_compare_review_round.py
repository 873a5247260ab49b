"""The Compare, Review and Reporting round pages and the account box in Bahasa Indonesia (issue 11).

Each page is run with ``?lang=id`` in AppTest; the English text of the same pages is checked byte for byte by
their own tests (test_compare_page, test_upload_page, test_round_page). The figures and the round messages are
checked on their objects, and the page files join the literal scan of tests/test_i18n.py.
"""

# ruff: noqa: F811 - the fixtures imported below are redefined as test parameters, as pytest means them to be
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from loaders.catalog import load_catalog
from loaders.i18n import language
from tests.chart_tables import open_chart_tables
from tests.test_i18n import ROOT
from tests.test_round_page import NAME, RSO, open_round, shown
from tests.test_upload_page import (  # noqa: F401 - fixtures used by name
    ANONYMOUS,
    FOCAL_THA,
    REVIEWER,
    app,
    data_dir,
    tha_with_change,
    upload,
)
from tracker.figures.compare import compare_bars_figure
from tracker.figures.rounds import response_figure
from tracker.records.rounds import RoundError, Rounds
from tracker.views import compare as cmp

pytestmark = pytest.mark.usefixtures("fresh_caches")  # AppTest runs read the files afresh

ID = {"lang": "id"}
INDONESIAN = language("id")


def unescaped(text: str) -> str:
    """Text as read, without the Markdown escapes ``ui.text.plain`` puts before user text."""
    return text.replace("\\", "")


def specs(at) -> dict[str, dict]:
    """Each chart's plotly spec by its title."""
    return {(spec := json.loads(c.proto.spec))["layout"]["title"]["text"]: spec for c in at.get("plotly_chart")}


# --- Compare ---------------------------------------------------------------------------------------------------


def test_the_compare_page_in_indonesian(data_dir):
    at = open_chart_tables(app(ANONYMOUS, "app_pages/compare.py", {**ID, "cmp_members": "THA,IDN"}))

    assert at.title[0].value == "Bandingkan"
    assert at.main.caption[0].value.startswith("Pilih 2 sampai 4 anggota, kelompok anggota, atau cuplikan pertemuan")
    assert at.radio(key="compare_kind").label == "Bandingkan"
    assert at.radio(key="compare_kind").options == ["Anggota", "Kelompok anggota", "Cuplikan pertemuan"]
    assert at.multiselect(key="compare_members").placeholder == "Pilih 2 sampai 4 anggota"
    labels = list(dict.fromkeys(m.label for m in at.metric))
    assert labels == [
        "Tindakan yang dilaporkan",
        "Bidang dan pilar yang ada tindakannya",
        "Pembaruan terakhir",
        "Di bawah kedua kerangka kerja",
        "Tema yang ada tindakannya",
    ]
    areas = [m.value for m in at.metric if m.label == "Bidang dan pilar yang ada tindakannya"]
    assert all(" dari " in v for v in areas), areas
    assert set(specs(at)) >= {
        "Status tindakan masing-masing (persentase dari tindakannya sendiri)",
        "Bidang dan pilar dengan sedikitnya satu tindakan",
        "Tindakan yang dilaporkan di bawah kedua kerangka kerja",
        "Hari sejak pembaruan terakhir",
    }
    status = next(d.value for d in at.dataframe if "Status (sebagaimana dilaporkan)" in d.value.columns)
    assert {"Yang dibandingkan", "Tindakan", "Persentase"} <= set(status.columns)
    # The status scale in the page's language, in the table and in the chart's legend.
    assert any(str(s).endswith("Terbatas") for s in status["Status (sebagaimana dilaporkan)"])
    chart = specs(at)["Status tindakan masing-masing (persentase dari tindakannya sendiri)"]
    legend = [t["name"] for t in chart["data"]]
    assert any("Terbatas" in name for name in legend), legend
    assert any(c.value.startswith("Filter anggota dan kelompok anggota") for c in at.main.caption)


def test_compare_groups_and_a_count_outside_two_to_four_in_indonesian(data_dir):
    groups = app(ANONYMOUS, "app_pages/compare.py", {**ID, "cmp_groups": "org,asean"})
    assert [h.value for h in groups.subheader][:2] == ["Negara anggota ASEAN", "Organisasi anggota"]
    assert "Anggota yang melapor" in {m.label for m in groups.metric}

    one = app(ANONYMOUS, "app_pages/compare.py", {**ID, "cmp_members": "IDN"})
    assert [i.value for i in one.info] == ["Pilih 2 sampai 4 anggota untuk dibandingkan: baru satu yang dipilih."]


def test_the_count_message_is_english_by_default_and_indonesian_when_asked():
    assert cmp.subject_count_problem(0, "members") == "Pick 2 to 4 members to compare: none is chosen."
    assert cmp.subject_count_problem(6, "anggota", INDONESIAN) == (
        "Pilih 2 sampai 4 anggota untuk dibandingkan: 6 dipilih. "
        "Hapus 2 agar grafiknya tetap mudah dibaca berdampingan."
    )


# --- Review ----------------------------------------------------------------------------------------------------


def test_the_review_page_in_indonesian_shows_the_diff_and_rejects_with_a_note(data_dir):
    focal = app(FOCAL_THA, "app_pages/submit.py")
    upload(focal, "THA.yaml", tha_with_change(data_dir), "application/yaml")
    focal.button(key="submit_send").click().run()

    at = app(REVIEWER, "app_pages/review.py", ID)

    assert at.title[0].value == "Tinjau kiriman"
    assert [h.value for h in at.main.header] == ["Menunggu peninjauan (1)", "Sudah diputuskan", "Riwayat perubahan"]
    (choice,) = at.selectbox(key="review_choice").options
    assert choice.startswith("THA · THA.yaml · dikirim oleh Fa Tha <FP.THA@example.org> pada ")
    assert "**Akan mengubah:** 0 ditambahkan, 0 dihapus, 1 isian berubah pada 1 tindakan" in [
        m.value for m in at.markdown
    ]
    changes = next(d.value for d in at.dataframe if "Menjadi" in d.value.columns)
    assert changes[["Kolom", "Semula", "Menjadi"]].values.tolist() == [["Status", "Terbatas", "Substansial"]]
    assert at.button(key="review_approve").label == "Setujui dan terbitkan"
    assert at.button(key="review_reject").label == "Tolak"
    assert at.text_area(key="review_note").label == "Catatan untuk narahubung (wajib diisi untuk menolak)"

    at.button(key="review_reject").click().run()
    assert [e.value for e in at.error] == ["Jelaskan alasan kiriman ditolak, agar narahubung dapat memperbaikinya."]
    at.text_area(key="review_note").input("Tambahkan tautan bukti").run()
    at.button(key="review_reject").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success][:2] == [
        "Kiriman THA ditolak; catatannya telah disimpan.",
        "Tidak ada yang menunggu peninjauan.",
    ]


def test_the_review_page_refuses_a_viewer_in_indonesian(data_dir):
    from streamlit.testing.v1 import AppTest

    from tests.test_upload_page import AUTH

    direct = AppTest.from_file(str(ROOT / "app_pages" / "review.py"), default_timeout=60)
    direct.secrets["auth"] = AUTH
    direct.user = ANONYMOUS
    direct.query_params.update(ID)
    direct.run()
    assert [w.value for w in direct.warning] == [
        "Hanya peninjau dan administrator yang dapat meninjau kiriman. Masuklah dengan akun peninjau."
    ]


# --- Reporting round -------------------------------------------------------------------------------------------


def test_the_round_page_in_indonesian_with_an_open_round(data_dir):
    open_round(data_dir)
    Rounds(data_dir).confirm_no_change("IDN", RSO)

    at = app(REVIEWER, "app_pages/round.py", ID)

    assert at.title[0].value == "Putaran pelaporan"
    assert unescaped(at.main.caption[0].value) == (
        "Terbuka 1 November 2026 – 20 Desember 2026 (Asia/Bangkok); semua kerangka kerja; 3 anggota dalam cakupan."
    )
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sudah menjawab"] == "1 dari 3"
    assert {"Diperbarui", "Tidak ada perubahan", "Sedang ditinjau", "Dikembalikan", "Menunggu"} <= set(metrics)
    assert [h.value for h in at.subheader] == ["Anggota", "Pengingat", "Ubah atau tutup putaran"]
    (table,) = [d.value for d in at.dataframe if "Kontak terakhir (Asia/Bangkok)" in d.value.columns]
    assert list(table.columns) == [
        "Anggota",
        "Status",  # the member's state in the round: not "Negara", the kind of member
        "Melewati tenggat",
        "Kontak terakhir (Asia/Bangkok)",
        "Pengingat terakhir (Asia/Bangkok)",
        "Dikirim untuk ditinjau (Asia/Bangkok)",
    ]
    assert table[["Anggota", "Status"]].values.tolist() == [
        ["Australia (AUS)", "Menunggu"],
        ["Indonesia (IDN)", "Tidak ada perubahan"],
        ["Thailand (THA)", "Menunggu"],
    ]
    assert at.button(key="round_close").label == "Tutup putaran"


def test_the_round_page_opens_a_round_and_says_why_not_in_indonesian(data_dir):
    at = app(REVIEWER, "app_pages/round.py", ID)
    assert at.info[0].value.startswith("Tidak ada putaran pelaporan yang terbuka.")
    assert at.text_input(key="round_open_name").label == "Nama"
    at.button[0].click().run()  # the form's submit button, with no name
    assert [unescaped(e.value) for e in at.error] == [
        "Beri nama putaran ini, misalnya 'Pembaruan untuk SOM AHG ke-20'."
    ]
    at.text_input(key="round_open_name").set_value("Putaran Desember")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert unescaped(at.success[0].value) == "Putaran 'Putaran Desember' telah dibuka."


def test_round_messages_are_english_by_default_and_said_in_the_language_asked(data_dir):
    catalog = load_catalog()
    with pytest.raises(RoundError) as refused:
        Rounds(data_dir).open(
            "Late",
            opens=dt.date(2026, 12, 1),
            closes=dt.date(2026, 11, 1),
            by=RSO,
            known_members=catalog.members,
            known_frameworks=catalog.frameworks,
        )
    english = "The round closes (2026-11-01) before it opens (2026-12-01); give a closing date after it."
    assert str(refused.value) == english and refused.value.in_language(None) == english
    assert refused.value.in_language(INDONESIAN) == (
        "Putaran ditutup (2026-11-01) sebelum dibuka (2026-12-01); berikan tanggal penutupan setelah tanggal pembukaan."
    )
    opened = open_round(data_dir)
    assert opened.describe_dates() == "1 Nov 2026 – 20 Dec 2026 (Asia/Bangkok)"
    assert opened.describe_dates(INDONESIAN) == "1 November 2026 – 20 Desember 2026 (Asia/Bangkok)"
    (data_dir / "_rounds" / "broken.yaml").write_text("name: [", encoding="utf-8")
    (problem,) = Rounds(data_dir).problems(INDONESIAN)
    assert problem.startswith("_rounds/broken.yaml tidak dapat dibaca (") and problem.endswith("perbaiki secara manual")
    assert Rounds(data_dir).problems()[0].endswith("restore it or fix it by hand")


# --- the account box -----------------------------------------------------------------------------------------


def test_the_account_box_in_indonesian(data_dir):
    guest = app(ANONYMOUS, None, ID)
    assert "Melihat sebagai tamu: hanya baca. Anda tetap dapat memeriksa berkas di halaman *Kirim pembaruan*." in [
        c.value for c in guest.sidebar.caption
    ]
    assert guest.button(key="auth_login").label == "Masuk"

    focal = app(FOCAL_THA, None, ID)
    assert "Masuk sebagai **Fa Tha**  \nNarahubung untuk THA" in [m.value for m in focal.sidebar.markdown]
    assert focal.button(key="auth_logout").label == "Keluar"
    english = app(FOCAL_THA)
    assert "Signed in as **Fa Tha**  \nFocal point for THA" in [m.value for m in english.sidebar.markdown]


# --- the figures -----------------------------------------------------------------------------------------------


def test_the_compare_bars_speak_the_language_asked_and_english_by_default():
    frame = pd.DataFrame({"subject": ["IDN", "THA"], "share": [0.25, float("nan")]})
    labels = {"IDN": "Indonesia", "THA": "Thailand"}
    english = compare_bars_figure(frame, labels, value="share", title="t", axis_title="")
    indonesian = compare_bars_figure(frame, labels, value="share", title="t", axis_title="", lang=INDONESIAN)
    assert [list(t.text) for t in english.data] == [["25%"], ["no action"]]
    assert [list(t.text) for t in indonesian.data] == [["25%"], ["tidak ada tindakan"]]
    assert english.layout.separators is None and indonesian.layout.separators == ",."
    days = pd.DataFrame({"subject": ["IDN"], "days": [1234.0]})
    counted = compare_bars_figure(days, {"IDN": "Indonesia"}, value="days", x_max=1500, title="t", axis_title="")
    assert list(counted.data[0].text) == ["1,234"]
    counted_id = compare_bars_figure(
        days, {"IDN": "Indonesia"}, value="days", x_max=1500, title="t", axis_title="", lang=INDONESIAN
    )
    assert list(counted_id.data[0].text) == ["1.234"]


def test_the_round_response_figure_speaks_the_language_asked_and_english_by_default():
    history = pd.DataFrame(
        {"round": ["SOM 20"], "updated": [3], "no_change": [1], "submitted": [0], "returned": [1], "waiting": [2]}
    )
    english = response_figure(history, title="t")
    indonesian = response_figure(history, title="t", lang=INDONESIAN)
    assert [t.name for t in english.data] == ["Updated", "No change", "Under review", "Returned", "Waiting"]
    assert [t.name for t in indonesian.data] == [
        "Diperbarui",
        "Tidak ada perubahan",
        "Sedang ditinjau",
        "Dikembalikan",
        "Menunggu",
    ]
    assert english.layout.xaxis.title.text == "Members in scope"
    assert indonesian.layout.xaxis.title.text == "Anggota dalam cakupan"
    assert english.data[0].hovertemplate == "<b>%{y}</b><br>Updated: %{x} member(s)<extra></extra>"
    assert indonesian.data[0].hovertemplate == "<b>%{y}</b><br>Diperbarui: %{x} anggota<extra></extra>"


def test_the_overviews_round_figures_in_indonesian(data_dir):
    open_round(data_dir)
    text = shown(app(ANONYMOUS, query=ID))
    assert f"Putaran pelaporan: {NAME} (dibuka): 0 dari 3 anggota dalam cakupan sudah menjawab" in text
    assert "Reporting round" not in text
