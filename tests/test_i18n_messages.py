"""The last English messages of the Indonesian pages, said in Bahasa Indonesia (issue 11).

A framework matrix's cell issues, the remap table's and the import plan's issues and the import preview's lines;
the catalog's validation messages; a diff's one-line summary; why a reminder is not sent; the Review page's
*Decided* and *History of changes* tables. Each is checked in Indonesian and, byte for byte, in English (the
English text is also checked by the modules' own tests).
"""

# ruff: noqa: F811 - the fixtures imported below are redefined as test parameters, as pytest means them to be
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
import time_machine

from loaders.catalog import Catalog, catalog_files, catalog_from_files, load_catalog
from loaders.i18n import language
from loaders.matrix import read_matrix
from tests.test_catalog_import_page import ADMIN, XLSX, matrix
from tests.test_i18n_compare_review_round import unescaped
from tests.test_i18n_method_tables import import_dirs, page  # noqa: F401 - fixtures used by name
from tests.test_reminders import NOW, ROLES, ROUND_NAME, RSO, current, members, rounds, state  # noqa: F401
from tests.test_round_page import open_round
from tests.test_upload_page import (  # noqa: F401 - fixtures used by name
    CHANGED_ID,
    FOCAL_THA,
    REVIEWER,
    app,
    data_dir,
    tha_with_change,
    upload,
)
from tracker.documents.reminders import plan_reminders
from tracker.records.catalog_import import ImportPlan, Retitled, plan_import, read_remap
from tracker.records.catalog_update import ImportResult, import_summary
from tracker.records.diff import Diff, summary_in

pytestmark = pytest.mark.usefixtures("fresh_caches")  # AppTest runs read the files afresh

INDONESIAN = language("id")
ID = {"lang": "id"}


def said(issues, lang=INDONESIAN) -> dict[str, list[str]]:
    """Each issue code's messages, in ``lang``."""
    out: dict[str, list[str]] = {}
    for issue in issues:
        out.setdefault(issue.code, []).append(issue.message_in(lang))
    return out


# --- the framework matrix and the import ---------------------------------------------------------------------

MATRIX = b"""Bohol matrix
ID,Parent,Title,Summary,Source
BWP-A,,Prevention,,p. 1
XYZ-1,,Not ours,,
BWP-A,,Twice,,
BWP-A.1,BWP-Z,Lost,,
,,,No id,
"""


def test_a_bad_matrix_says_each_cell_in_indonesian_and_in_english_as_before():
    issues = read_matrix("BWP-2.0.csv", MATRIX, "BWP").issues

    assert said(issues) == {
        "matrix-bad-id": [
            "BWP-2.0.csv, baris 4, ID: 'XYZ-1' bukan id kerangka kerja BWP; id-nya berbentuk BWP-A (tingkat teratas) "
            "atau BWP-A.3 (butir di bawah BWP-A)"
        ],
        "matrix-duplicate-id": [
            "BWP-2.0.csv, baris 5, ID: 'BWP-A' dipakai dua kali (pertama di baris 3); beri setiap entri id-nya sendiri"
        ],
        "matrix-missing-value": [
            "BWP-2.0.csv, baris 7, ID: ID kosong; setiap entri memerlukannya",
            "BWP-2.0.csv, baris 7, Title: Title kosong; setiap entri memerlukannya",
        ],
        "matrix-bad-parent": [
            "BWP-2.0.csv, baris 6, Parent: 'BWP-Z' bukan entri tingkat teratas (entri tanpa Parent) dalam matriks ini; "
            "perbaiki Parent-nya"
        ],
    }
    english = said(issues, None)
    assert english["matrix-bad-parent"] == [
        "BWP-2.0.csv, row 6, Parent: 'BWP-Z' is not a top-level entry (one with no Parent) of this matrix; "
        "correct the Parent"
    ]
    assert english["matrix-missing-value"][1] == "BWP-2.0.csv, row 7, Title: the Title is empty; every entry needs one"
    assert {i.message for i in issues} == {m for messages in english.values() for m in messages}

    missing = read_matrix("BWP.csv", b"ID,Title\nBWP-A,x\n", "BWP").issues
    assert said(missing)["matrix-missing-column"][0] == (
        "BWP.csv: tidak ada baris di antara 10 baris pertama yang memuat semua kolom matriks kerangka kerja; kolom "
        "'Parent' tidak ada. Tambahkan baris tajuk dengan ID, Parent, Title, Summary, dan Source"
    )


def test_the_remap_table_and_the_plan_say_their_issues_in_indonesian():
    remap, issues = read_remap("MAP.csv", b"old_id,new_id\nBWP-A.1,\n")
    assert remap == {}
    assert [i.message_in(INDONESIAN) for i in issues] == ["MAP.csv, baris 2, new_id: kosong; isikan kedua id"]
    assert [i.message for i in issues] == ["MAP.csv, row 2, new_id: empty; give both ids"]

    catalog = load_catalog()
    rows = [r for r in _bohol(catalog) if r[0] != "BWP-A.2"]
    matrix_ = read_matrix("BWP-2.0.csv", _csv(rows), "BWP")
    cited = pd.DataFrame({"member": ["THA"], "action_key": ["THA|1"], "commitment_id": ["BWP-A.2"]})
    plan = plan_import(catalog, matrix_, cited, {"BWP-A.3": "BWP-A.1"})  # no file name: "the remap table"

    assert said(plan.issues) == {
        "remap-not-removed": [
            "tabel pemetaan ulang: 'BWP-A.3' bukan id yang dihapus oleh impor ini; hanya id yang dihapus yang "
            "dipetakan ulang"
        ],
        "import-removes-cited-id": [
            "BWP-2.0.csv: matriks tidak memuat 'BWP-A.2', yang masih dirujuk oleh 1 tindakan (anggota THA); "
            "tambahkan baris 'BWP-A.2,<new id>' ke tabel pemetaan ulang agar tindakan itu dialihkan, atau "
            "pertahankan id itu dalam matriks"
        ],
    }
    assert said(plan.issues, None)["import-removes-cited-id"] == [
        "BWP-2.0.csv: the matrix has no 'BWP-A.2', which 1 action(s) still cite (members THA); add a row "
        "'BWP-A.2,<new id>' to the remap table so they are re-pointed, or keep the id in the matrix"
    ]


def test_the_import_preview_lines_in_indonesian_and_in_english_as_the_cli_prints_them():
    plan = ImportPlan("BWP", ["BWP-A.9"], [Retitled("BWP-A", "Old", "New")], [], {})
    result = ImportResult(plan, [], repointed={"THA": [("THA-1", "BWP-A.2", "BWP-A.9")] * 2})

    assert import_summary(result) == [
        "Added: 1 (BWP-A.9)",
        "Removed: none",
        "Retitled: BWP-A: 'Old' → 'New'",
        "Actions re-pointed: 2 (THA 2)",
    ]
    assert import_summary(result, language("en")) == import_summary(result)
    assert import_summary(result, INDONESIAN) == [
        "Ditambahkan: 1 (BWP-A.9)",
        "Dihapus: tidak ada",
        "Judul diubah: BWP-A: 'Old' → 'New'",
        "Tindakan yang dialihkan: 2 (THA 2)",
    ]


def test_the_admin_sees_the_import_preview_and_its_issues_in_indonesian(import_dirs):
    at = page("app_pages/method.py", "id", user=ADMIN)
    at.file_uploader(key="import_matrix_0").set_value(("BWP-2.0.xlsx", matrix(load_catalog(import_dirs)), XLSX))
    at.run()
    assert not at.exception, at.exception

    lines = next(m.value for m in at.markdown if m.value.startswith("- Ditambahkan"))
    assert unescaped(lines).splitlines()[:2] == ["- Ditambahkan: 1 (BWP-A.9)", "- Dihapus: 1 (BWP-A.2)"]
    issues = next(d.value for d in at.dataframe if "kode" in d.value.columns)
    (cited,) = issues.loc[issues["kode"] == "import-removes-cited-id", "pesan"]
    assert cited.startswith("BWP-2.0.xlsx: matriks tidak memuat 'BWP-A.2', yang masih dirujuk oleh ")
    assert cited.endswith("ke tabel pemetaan ulang agar tindakan itu dialihkan, atau pertahankan id itu dalam matriks")


# --- the catalog -----------------------------------------------------------------------------------------------


def test_catalog_issues_are_said_in_indonesian_with_pydantic_words_kept_inside():
    files = catalog_files("commitments")
    broken = {
        **files,
        "themes.yaml": files["themes.yaml"] + b"\n  - {id: zz, label: 3, description: d, confidence: I}\n",
        "commitments.yaml": files["commitments.yaml"].replace(b"themes: [", b"themes: [no-such-theme, ", 1),
    }
    del broken["members.yaml"]
    issues = catalog_from_files(broken).issues
    indonesian = said(issues)

    assert indonesian["catalog-missing-file"] == ["members.yaml: berkas katalog tidak ada; pulihkan dari repositori"]
    (schema,) = indonesian["catalog-schema"]
    assert schema.startswith("themes.yaml, baris ") and schema.endswith(
        " (entri 'zz'), label: Input should be a valid string; perbaiki nilainya dalam berkas katalog"
    )
    theme = next(m for m in indonesian["catalog-dangling-ref"] if "no-such-theme" in m)
    assert theme.endswith(
        ": ASC-1 merujuk ke tema 'no-such-theme', yang tidak ada dalam katalog; perbaiki id-nya atau tambahkan entri "
        "yang belum ada"
    )
    english = said(issues, None)
    assert english["catalog-missing-file"] == [
        "members.yaml: the catalog file is missing; restore it from the repository"
    ]
    assert english["catalog-schema"][0].endswith(
        " (entry 'zz'), label: Input should be a valid string; fix the value in the catalog file"
    )
    assert [i.message for i in issues] == [i.message_in(None) for i in issues]


# --- a diff's summary ------------------------------------------------------------------------------------------


def test_a_diff_summary_in_both_languages_and_a_kept_summary_said_again():
    added = pd.DataFrame({"action_id": [None] * 1234})
    changed = pd.DataFrame({"action_id": ["A", "A", "B"], "field": ["status"] * 3, "old": [""] * 3, "new": [""] * 3})
    diff = Diff(added=added, removed=added.iloc[:0], changed=changed)

    english = "1234 added, 0 removed, 3 field(s) changed in 2 action(s)"
    assert diff.summary() == english and diff.summary(language("en")) == english
    assert diff.summary(INDONESIAN) == "1.234 ditambahkan, 0 dihapus, 3 isian berubah pada 2 tindakan"
    assert summary_in(english, INDONESIAN) == diff.summary(INDONESIAN)
    assert summary_in(english) == english
    assert summary_in("3 changes", INDONESIAN) == "3 changes"  # a summary edited by hand is shown as it is


# --- why a reminder is not sent ---------------------------------------------------------------------------------


def test_skip_reasons_in_indonesian_while_the_reminders_stay_in_english(rounds, members):
    with time_machine.travel(NOW, tick=False):
        rounds.record_reminder("IDN", RSO, to=["a.idn@example.go.id"], sent=True)
    states = [state("IDN"), state("MYS"), state("THA", "updated"), state("VNM")]

    reminders, skipped = plan_reminders(
        current(rounds), states, ROLES, members, now=NOW, only=["IDN", "MYS", "THA", "VNM", "NZL"], lang=INDONESIAN
    )
    assert skipped == [
        f"NZL: tidak termasuk dalam cakupan putaran '{ROUND_NAME}'",
        "IDN (Indonesia): sudah diingatkan hari ini (30 November 2026, Asia/Bangkok); tidak dikirim dua kali sehari",
        "MYS (Malaysia): tidak ada alamat e-mail narahubung dalam _roles.yaml; tambahkan satu agar pengingat dapat "
        "dikirim",
        "THA (Thailand): diperbarui, tidak ada yang perlu diingatkan",
    ]
    (reminder,) = reminders
    assert reminder.subject.startswith("Reminder: ") and "We have not yet received an update" in reminder.body

    _, english = plan_reminders(current(rounds), states, ROLES, members, now=NOW, only=["THA"])
    assert english == ["THA (Thailand): updated, nothing to remind them of"]
    closed = replace(current(rounds), state="closed")
    assert plan_reminders(closed, states, ROLES, members, now=NOW, lang=INDONESIAN)[1] == [
        f"Putaran '{ROUND_NAME}' sudah ditutup; pengingat hanya dikirim selama putaran terbuka."
    ]


def test_the_round_page_says_why_a_member_is_skipped_in_indonesian(data_dir):
    open_round(data_dir)
    at = app(REVIEWER, "app_pages/round.py", ID)
    assert (
        "Dilewati: AUS (Australia): tidak ada alamat e-mail narahubung dalam _roles.yaml; tambahkan satu agar "
        "pengingat dapat dikirim"
    ) in [unescaped(c.value) for c in at.caption]


# --- the Review page's tables ----------------------------------------------------------------------------------


def test_the_decided_and_history_tables_in_indonesian(data_dir):
    focal = app(FOCAL_THA, "app_pages/submit.py")
    upload(focal, "THA.yaml", tha_with_change(data_dir), "application/yaml")
    focal.button(key="submit_send").click().run()

    at = app(REVIEWER, "app_pages/review.py", ID)
    (choice,) = at.selectbox(key="review_choice").options
    assert choice.endswith(" · 0 ditambahkan, 0 dihapus, 1 isian berubah pada 1 tindakan")
    at.text_area(key="review_note").input("Sesuai catatan RSO").run()
    at.button(key="review_approve").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == (
        "Kiriman THA disetujui dan diterbitkan: 0 ditambahkan, 0 dihapus, 1 isian berubah pada 1 tindakan."
    )

    decided = next(d.value for d in at.dataframe if "ditinjau oleh" in d.value.columns)
    assert list(decided.columns) == [
        "anggota",
        "berkas",
        "dikirim oleh",
        "dikirim pada",
        "ringkasan",
        "keadaan",
        "ditinjau oleh",
        "ditinjau pada",
        "catatan",
        "id perubahan",
    ]
    assert decided[["ringkasan", "keadaan"]].values.tolist() == [
        ["0 ditambahkan, 0 dihapus, 1 isian berubah pada 1 tindakan", "disetujui"]
    ]
    history = next(d.value for d in at.dataframe if "jenis" in d.value.columns)
    assert list(history.columns) == [
        "id perubahan",
        "waktu",
        "oleh",
        "anggota",
        "berkas",
        "jenis",
        "id tindakan",
        "isian",
        "semula",
        "menjadi",
    ]
    assert history[["jenis", "id tindakan", "isian", "semula", "menjadi"]].values.tolist() == [
        ["diubah", CHANGED_ID, "Status", "limited", "substantial"]
    ]


# --- helpers ---------------------------------------------------------------------------------------------------


def _bohol(catalog: Catalog) -> list[list[str]]:
    return [[c.id, c.parent or "", c.title, "", ""] for c in catalog.commitments_of("BWP")]


def _csv(rows: list[list[str]]) -> bytes:
    lines = ["ID,Parent,Title,Summary,Source", *(",".join(f'"{cell}"' for cell in row) for row in rows)]
    return "\n".join(lines).encode()
