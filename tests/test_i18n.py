"""Translations (issue 11): the catalogues are complete and in step with the code, formats follow the locale,
and the app speaks the language asked for in its URL.

The catalogue checks run over every shipped language, so a third one is held to the same rules the day its
``.po`` file is added.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from loaders.i18n import LOCALES_DIR, available, choose, language

pytestmark = pytest.mark.usefixtures("fresh_caches")  # AppTest runs read the files afresh

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [code for code in available() if code != "en"]
PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\(?[a-z_]*\)?[sd]")


def catalogue(code: str):
    with (LOCALES_DIR / code / "LC_MESSAGES" / "tracker.po").open("rb") as handle:
        return read_po(handle, locale=code)


def code_messages() -> set[str]:
    """Every message the code marks for translation, extracted as ``make translations`` does."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {"_": None, "N_": None, "say": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
    found = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_indonesian_is_shipped():
    assert available() == ["en", "id"]


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_has_a_translation_with_the_same_placeholders_and_none_is_fuzzy(code):
    messages = [m for m in catalogue(code) if m.id]
    assert len(messages) >= 40
    untranslated = [m.id for m in messages if not (m.string if isinstance(m.string, str) else all(m.string))]
    assert untranslated == []
    assert [m.id for m in messages if m.fuzzy] == []
    for message in messages:
        # A plural message (ngettext) has a tuple of forms on each side; every form keeps the singular's places.
        english = message.id[0] if isinstance(message.id, tuple) else message.id
        forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
        for form in forms:
            assert sorted(PLACEHOLDER.findall(english)) == sorted(PLACEHOLDER.findall(form)), message.id
            if "**" in english:  # the bold a sentence gives a figure is kept
                assert form.count("**") == english.count("**"), message.id


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_catalogue_is_in_step_with_the_code(code):
    """Every string the code marks is in the catalogue, and the catalogue holds nothing the code dropped
    (run ``make translations`` after changing a marked string, then translate what it adds)."""
    in_code = code_messages()
    in_catalogue = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue(code) if m.id}
    assert sorted(in_code - in_catalogue) == [], "marked in the code, missing from the catalogue"
    assert sorted(in_catalogue - in_code) == [], "in the catalogue, no longer in the code"


def test_numbers_percentages_and_dates_follow_the_locale():
    english, indonesian = language("en"), language("id")
    assert (english.number(1911), indonesian.number(1911)) == ("1,911", "1.911")
    assert (english.number(2.5, decimals=1), indonesian.number(2.5, decimals=1)) == ("2.5", "2,5")
    assert (english.percent(1 / 3), indonesian.percent(1 / 3)) == ("33%", "33%")
    day = dt.date(2026, 11, 30)
    assert (english.date(day), indonesian.date(day)) == ("30 November 2026", "30 November 2026")
    assert indonesian.date(dt.date(2026, 8, 5)) == "5 Agustus 2026"
    for month in range(1, 13):  # the short form is strftime's %d %b %Y in English, which the pages used before
        day = dt.date(2026, month, 1)
        assert english.short_date(day) == f"{day:%d %b %Y}"
    assert indonesian.short_date(dt.date(2026, 8, 1)) == "01 Agu 2026"
    assert indonesian.gettext("Overview") == "Ikhtisar" and english.gettext("Overview") == "Overview"


def test_the_language_comes_from_the_url_then_the_browser_then_english():
    assert choose("id") == "id" and choose("ID ") == "id"
    assert choose("th") == "en"  # not shipped (yet): English, not an error
    assert choose(None, "id-ID,id;q=0.9,en;q=0.8") == "id"
    assert choose(None, "fr-FR,fr;q=0.9") == "en"
    assert choose("en", "id-ID,id;q=0.9") == "en"  # the URL wins over the browser
    assert language("xx").code == "en"


# --- the app -------------------------------------------------------------------------------------------------


def overview(lang: str | None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_overview_in_indonesian_has_the_same_figures_in_indonesian_words():
    english, indonesian = overview(None), overview("id")

    assert indonesian.title[0].value == "Ikhtisar" and english.title[0].value == "Overview"
    assert [h.value for h in indonesian.sidebar.header] == ["Filter"]
    assert indonesian.sidebar.selectbox(key="ui_lang").value == "id"
    labels = [m.label for m in indonesian.metric]
    assert labels == [
        "Tindakan yang dilaporkan",
        "Anggota yang melapor",
        "Komitmen yang sudah ada tindakannya",
        "Tindakan yang dilaporkan selesai",
    ]
    # The same numbers: only the thousands separator and the words between them differ.
    for en, id_ in zip(english.metric, indonesian.metric, strict=True):
        assert re.findall(r"\d+", en.value.replace(",", "")) == re.findall(r"\d+", id_.value.replace(".", ""))
    assert "." in indonesian.metric[0].value and "," in english.metric[0].value  # 1.911 / 1,911 (the sample)
    assert indonesian.subheader[0].value == "Tentang data ini"
    # The catalog speaks too: members' names and the status scale, marked as a working translation.
    members = indonesian.sidebar.multiselect(key="flt_members").options
    assert "Filipina (PHL)" in members and "Selandia Baru (NZL)" in members
    assert "Philippines (PHL)" in english.sidebar.multiselect(key="flt_members").options
    statuses = indonesian.sidebar.multiselect(key="flt_statuses").options
    assert [s.split(" ", 1)[1] for s in statuses] == [
        "Belum dimulai",
        "Terbatas",
        "Substansial",
        "Selesai",
        "Dihentikan",
    ]
    assert any("Terjemahan kerja" in c.value and "bukan teks resmi" in c.value for c in indonesian.sidebar.caption)


def query(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) else value


def test_choosing_a_language_in_the_sidebar_puts_it_in_the_url_and_it_stays_across_pages():
    at = overview(None)
    assert query(at, "lang") is None  # English by default, and the address stays as it was

    at.sidebar.selectbox(key="ui_lang").set_value("id").run()

    assert query(at, "lang") == "id" and at.title[0].value == "Ikhtisar"
    del at.query_params["lang"]  # what a navigation link does to the query string
    at.switch_page("app_pages/overview.py").run()
    assert at.title[0].value == "Ikhtisar" and query(at, "lang") == "id"  # the session keeps it, and the URL again
    at.sidebar.selectbox(key="ui_lang").set_value("en").run()
    assert at.title[0].value == "Overview" and query(at, "lang") == "en"


# --- the focal point's flow in Indonesian --------------------------------------------------------------------


@pytest.fixture
def sample_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import shutil

    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(ROOT / "data" / "sample" / "THA.yaml", folder / "THA.yaml")
    monkeypatch.setenv("TRACKER_DATA_DIR", str(folder))
    monkeypatch.delenv("TRACKER_LOCAL_EDITING", raising=False)
    return folder


def test_cell_level_errors_are_said_in_each_language(catalog):
    from loaders.dataset import build_dataset
    from loaders.tables import read_member_bytes

    upload = read_member_bytes(
        "THA.yaml",
        b"member: THA\nactions:\n- commitments: ASC-1\n  title: T\n  status: hampir\n  last_updated: 2026-01-01\n",
    )
    (issue,) = [
        i for i in build_dataset(catalog, [upload], today=dt.date(2026, 11, 30)).issues if i.severity == "error"
    ]

    assert issue.message == (
        'THA.yaml, line 3, Status: "hampir" is not on the scale; use one of Not started, Limited, Substantial, '
        "Complete, Discontinued"
    )
    assert issue.message_in(language("id")) == (
        'THA.yaml, baris 3, Status: "hampir" tidak ada dalam skala; gunakan salah satu dari Belum dimulai, '
        "Terbatas, Substansial, Selesai, Dihentikan"
    )
    assert issue.in_language(language("id")).to_dict()["code"] == "unknown-status"  # codes never change
    assert issue.in_language(language("en")) is issue


def test_the_submit_page_in_indonesian_shows_the_errors_and_the_diff_in_indonesian(sample_copy: Path):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = "id"
    at.run()
    at.switch_page("app_pages/submit.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Kirim pembaruan"
    text = (sample_copy / "THA.yaml").read_text(encoding="utf-8")

    broken = text.replace("status: limited", "status: hampir", 1).encode()
    at.file_uploader(key="submit_upload").set_value(("THA.yaml", broken, "application/yaml")).run()

    table = next(df.value for df in at.dataframe if "Yang perlu diperbaiki" in df.value.columns)
    (message,) = list(table["Yang perlu diperbaiki"])
    assert re.fullmatch(
        r'THA\.yaml, baris \d+, Status: "hampir" tidak ada dalam skala; gunakan salah satu dari .*', message
    )
    assert at.error[0].value.startswith("1 masalah perlu diperbaiki di THA\\.yaml.")  # the name as text (plain)

    changed = text.replace("status: limited", "status: substantial", 1).encode()
    at.file_uploader(key="submit_upload").set_value(("THA.yaml", changed, "application/yaml")).run()

    diff = next(df.value for df in at.dataframe if "Menjadi" in df.value.columns)
    assert list(diff.columns) == ["ID tindakan", "Kolom", "Semula", "Menjadi"]
    assert (diff.iloc[0]["Kolom"], diff.iloc[0]["Semula"], diff.iloc[0]["Menjadi"]) == (
        "Status",
        "Terbatas",
        "Substansial",
    )
    assert [m.label for m in at.metric] == ["Tindakan ditambahkan", "Isian yang berubah", "Tindakan dihapus"]


def test_validate_speaks_the_language_asked_for_and_keeps_the_contract(tmp_path: Path, capsys):
    import json

    from tracker.cli import main

    path = tmp_path / "THA.yaml"
    path.write_text(
        "member: THA\nactions:\n- commitments: ASC-1\n  title: T\n  status: hampir\n  last_updated: 2026-01-01\n"
    )

    assert main(["validate", str(path), "--json", "--lang", "id"]) == 1
    (issue,) = json.loads(capsys.readouterr().out)["issues"]
    assert list(issue) == ["severity", "code", "file", "sheet", "row", "field", "message"]
    assert (issue["code"], issue["field"], issue["row"]) == ("unknown-status", "status", 3)
    assert issue["message"].startswith('THA.yaml, baris 3, Status: "hampir" tidak ada dalam skala')
    assert main(["validate", str(path), "--json"]) == 1  # English by default
    assert json.loads(capsys.readouterr().out)["issues"][0]["message"].startswith(
        'THA.yaml, line 3, Status: "hampir" is'
    )


def test_the_gaps_page_in_indonesian():
    at = overview("id")
    at.switch_page("app_pages/gaps.py").run()

    assert not at.exception, at.exception
    assert at.title[0].value == "Kesenjangan"
    assert [h.value for h in at.subheader][:2] == [
        "Tindakan di balik sebuah sel",
        "Komitmen yang belum dilaporkan siapa pun",
    ]
    assert at.selectbox(key="gaps_member").label == "Anggota"


def test_the_member_profile_in_indonesian_names_the_member_the_indonesian_way():
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params.update({"lang": "id", "m": "PHL"})
    at.run()
    at.switch_page("app_pages/member.py").run()

    assert not at.exception, at.exception
    assert at.title[0].value == "Profil anggota"
    assert at.header[0].value == "Filipina (PHL)"
    assert [m.label for m in at.metric][:4] == [  # then "What moved", not translated yet
        "Tindakan yang dilaporkan",
        "Komitmen yang ada tindakannya",
        "Tindakan yang dilaporkan selesai",
        "Pembaruan terakhir",
    ]
    assert at.caption[0].value.startswith("Negara · Anggota ASEAN sejak 1967")


# --- no English literal slips past the catalogue on a translated page ----------------------------------------

TRANSLATED = ["dashboard.py", "ui/sidebar.py", "app_pages/overview.py", "app_pages/gaps.py", "app_pages/member.py"]
TRANSLATED += ["app_pages/submit.py", "app_pages/progress.py", "ui/movement.py"]
"""The files already translated whole; a file joins the list when its page is done (README, Languages)."""
DISPLAY_CALLS = {
    "title", "header", "subheader", "caption", "markdown", "info", "warning", "error", "success", "text",
    "metric", "button", "selectbox", "multiselect", "number_input", "date_input", "file_uploader",
    "download_button", "expander", "segmented_control", "page_link", "radio", "checkbox", "text_input", "toggle",
}  # fmt: skip
SHOWN_KEYWORDS = {"label", "help", "placeholder", "caption", "title", "axis_title"}
ALLOWED = {"Language · Bahasa"}  # the language switch names itself in both languages


def _bare_literals(path: Path) -> list[str]:
    """``file:line text`` of each word-bearing string literal shown without ``_()``."""
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        shown = []
        if node.func.attr in DISPLAY_CALLS and node.args and node.func.attr != "page_link":  # its first is a path
            shown.append(node.args[0])
        shown += [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
        for value in shown:
            if isinstance(value, ast.JoinedStr):
                words = "".join(p.value for p in value.values if isinstance(p, ast.Constant))
            elif isinstance(value, ast.Constant) and isinstance(value.value, str):
                words = value.value
            else:
                continue  # a call (_("…")), a name or an expression: translated or data
            if re.search(r"[A-Za-z]{2,}", words) and words not in ALLOWED:
                found.append(f"{path.name}:{value.lineno} {words[:60]!r}")
    return found


@pytest.mark.parametrize("name", TRANSLATED)
def test_a_translated_page_shows_no_literal_without_the_catalogue(name):
    assert _bare_literals(ROOT / name) == []


def test_the_literal_check_finds_a_bare_label(tmp_path: Path):
    page = tmp_path / "page.py"
    page.write_text(
        'st.title("Overview")\nst.caption(_("ok"))\nst.metric(f"{n} actions", 3)\nx.button(label="Go")\nst.info("◐ ")\n'
    )
    assert _bare_literals(page) == ["page.py:1 'Overview'", "page.py:3 ' actions'", "page.py:4 'Go'"]


def test_the_progress_page_and_what_moved_in_indonesian():
    at = overview("id")
    at.switch_page("app_pages/progress.py").run()

    assert not at.exception, at.exception
    assert at.title[0].value == "Kemajuan"
    assert [h.value for h in at.main.header] == ["Terhadap tahun-tahun rencana", "Apa yang bergerak"]
    assert at.selectbox(key="progress_basis").label == "Bandingkan dengan"
    assert [m.label for m in at.metric][:3] == [
        "Tindakan yang diperbarui sejak itu",
        "Tindakan yang dimulai sejak itu",
        "Tindakan berjalan yang tidak diperbarui sejak itu",
    ]


def test_file_level_reading_messages_are_said_in_indonesian_too(catalog):
    import io

    import openpyxl

    from loaders.dataset import build_dataset
    from loaders.tables import read_member_bytes

    book = openpyxl.Workbook()
    book.active.title = "Tindakan"
    book.active.append(["ID komitmen", "Judul tindakan", "Status", "Terakhir diperbarui", "Warna"])  # no Member
    book.active.append(["ASC-1", "T", "Terbatas", dt.datetime(2026, 1, 1), "biru"])
    data = io.BytesIO()
    book.save(data)

    issues = build_dataset(
        catalog, [read_member_bytes("THA.xlsx", data.getvalue())], today=dt.date(2026, 11, 30)
    ).issues
    said = {i.code: i.message_in(language("id")) for i in issues}

    assert said["missing-column"] == (
        "THA.xlsx, lembar Tindakan: tidak ditemukan baris judul dengan kolom 'Anggota' dalam 10 baris pertama; "
        "tambahkan kolom berjudul 'Anggota' pada baris judul"
    )
    assert {i.code: i.message for i in issues}["missing-column"].startswith(
        "THA.xlsx, sheet Tindakan: no header row with the column 'Member' was found"
    )


def test_a_refusal_from_the_sandboxed_reader_is_said_in_indonesian():
    from loaders.untrusted import read_untrusted_bytes

    raw = read_untrusted_bytes("THA.xlsm", b"PK\x03\x04 not really a workbook")  # refused in the child process

    (issue,) = raw.issues
    assert issue.code == "macro-workbook-refused" and issue.said is not None  # the Text crossed the sandbox
    assert issue.message_in(language("id")).startswith("THA.xlsm: buku kerja bermakro (.xlsm) ditolak")
