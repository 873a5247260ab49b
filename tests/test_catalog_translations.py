"""The catalog in Bahasa Indonesia (issue 11 §5): working translations of commitments, themes and mechanisms.

Three groups: the bundled catalog has a translation for every commitment, theme and mechanism (and cites the one
official Indonesian name it shows); ``Catalog.in_language`` shows them, keeping official titles as published;
the loader reports a translation it cannot use (an unknown language, an empty label, an official name without
its sources) with file and line; an import keeps a translation only while the words it translates stay.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from loaders.catalog import DEFAULT_CATALOG_DIR, Catalog, catalog_files, catalog_from_files, load_catalog
from loaders.catalog_schema import WORKING_ITEM
from loaders.i18n import language
from loaders.matrix import read_matrix
from tests.builders import action, dataset_of
from tests.test_catalog_import import HEADER, bohol_rows, workbook
from tracker.records.catalog_import import (
    COMMITMENTS_FILE,
    CROSSWALK_FILE,
    SOURCES_FILE,
    citations,
    edit_catalog,
    plan_import,
)

ID = "id"
OFFICIAL_NAMES = {"ACTIP": "Konvensi ASEAN Menentang Perdagangan Orang, Terutama Perempuan dan Anak"}
"""The mechanisms whose Indonesian name is a published one (cited), shown instead of ASEAN's English name."""


@pytest.fixture(scope="module")
def english() -> Catalog:
    return load_catalog(DEFAULT_CATALOG_DIR)


@pytest.fixture(scope="module")
def indonesian(english: Catalog) -> Catalog:
    return english.in_language(ID)


# --- 1. The bundled catalog is translated ------------------------------------------------------------------------


def test_every_commitment_has_an_indonesian_title_and_summary(english: Catalog) -> None:
    for c in english.commitments.values():
        translated = c.translations.get(ID)
        assert translated is not None, c.id
        assert translated.label and translated.label != c.title, c.id
        assert translated.description and translated.description != c.summary, c.id
    assert len(english.commitments) == 59


def test_every_theme_has_an_indonesian_label_and_description(english: Catalog) -> None:
    for t in english.themes.values():
        translated = t.translations.get(ID)
        assert translated is not None, t.id
        assert translated.label != t.label and translated.description not in (None, t.description), t.id


def test_every_mechanism_has_an_indonesian_name_and_only_cited_ones_are_official(english: Catalog) -> None:
    for m in english.mechanisms.values():
        translated = m.translations.get(ID)
        assert translated is not None and translated.label != m.name, m.id
        assert translated.official == (m.id in OFFICIAL_NAMES), m.id
    actip = english.mechanisms["ACTIP"].translations[ID]
    assert actip.label == OFFICIAL_NAMES["ACTIP"]
    assert actip.confidence == "P" and actip.confidence_note  # from memory, not read: never V
    (key,) = actip.sources
    source = english.sources[key]
    assert "12" in source.address and "2017" in source.address and source.accessed is None  # not read: no date


def test_the_glossary_terms_are_used(english: Catalog) -> None:
    words = " ".join(
        f"{t.label} {t.description}" for c in english.commitments.values() for t in c.translations.values()
    ).casefold()
    assert "perdagangan orang" in words and "penyelundupan manusia" in words
    assert "trafficking" not in words and "smuggling" not in words  # no English term left in the Indonesian


# --- 2. The catalog as an Indonesian page shows it -----------------------------------------------------------------


def test_own_words_titles_and_every_summary_are_shown_translated(english: Catalog, indonesian: Catalog) -> None:
    assert indonesian.language == ID and english.language == "en"
    for cid, shown in indonesian.commitments.items():
        original = english.commitments[cid]
        assert shown.summary == original.translations[ID].description, cid
        if original.official_title:
            assert shown.title == original.title, cid  # an official title stays as published
            assert not shown.title_is_translation(ID) and shown.translated_title(ID) == original.translations[ID].label
        else:
            assert shown.title == original.translations[ID].label and shown.title_is_translation(ID), cid
        assert shown.summary_is_translation(ID), cid
    assert indonesian.commitments["ASC-1"].title == "Law enforcement"
    assert indonesian.commitments["ASC-1"].translated_title(ID) == "Penegakan hukum"
    assert indonesian.commitments["BWP-C"].title == "Penegakan hukum dan penuntutan"


def test_a_working_item_says_so_in_the_pages_language(english: Catalog, indonesian: Catalog) -> None:
    item = indonesian.commitments["BWP-B.1"]
    assert item.shown_title == f"Identifikasi korban {language(ID).gettext(WORKING_ITEM)}"
    assert item.shown_title.endswith("(butir kerja, tidak resmi)")
    assert english.commitments["BWP-B.1"].shown_title == f"Victim identification {WORKING_ITEM}"


def test_themes_are_shown_translated(english: Catalog, indonesian: Catalog) -> None:
    for tid, shown in indonesian.themes.items():
        assert (shown.label, shown.description) == (
            english.themes[tid].translations[ID].label,
            english.themes[tid].translations[ID].description,
        )
        assert shown.label_is_translation(ID) and not english.themes[tid].label_is_translation("en")


def test_mechanisms_keep_aseans_name_unless_an_official_indonesian_one_is_cited(
    english: Catalog, indonesian: Catalog
) -> None:
    for mid, shown in indonesian.mechanisms.items():
        original = english.mechanisms[mid]
        if mid in OFFICIAL_NAMES:
            assert shown.name == OFFICIAL_NAMES[mid] and shown.official_name(ID) is not None
            assert shown.translated_name(ID) is None  # not a working translation: nothing to mark as unofficial
        else:
            assert shown.name == original.name, mid  # ASEAN's names are official titles
            assert shown.translated_name(ID) == original.translations[ID].label and shown.official_name(ID) is None
    somtc = indonesian.mechanisms["SOMTC"]
    assert somtc.translated_name(ID) == "Pertemuan Pejabat Senior tentang Kejahatan Lintas Negara"


def test_english_is_the_catalog_itself_and_is_left_unchanged(english: Catalog, indonesian: Catalog) -> None:
    assert english.in_language("en") is english and english.in_language(ID) is indonesian  # made once
    assert english.commitments["BWP-C"].title == "Law enforcement and prosecution"
    assert english.themes["following-the-money"].label == "Following the money"
    assert english.mechanisms["ACTIP"].name.startswith("ASEAN Convention Against Trafficking in Persons")
    assert indonesian.members["PHL"].name == "Filipina"  # the members' names, as before
    assert english.commitments["BWP-C"].title_in(ID) == "Penegakan hukum dan penuntutan"
    assert english.commitments["ASC-1"].title_in(ID) == "Law enforcement"
    assert english.commitments["ASC-1"].title_in("en") == "Law enforcement"


def test_an_entry_without_a_translation_is_shown_in_english(tmp_path: Path) -> None:
    catalog = _edited(tmp_path, "commitments.yaml", drop_block_of="BWP-A")
    shown = catalog.in_language(ID).commitments["BWP-A"]
    assert (shown.title, shown.summary) == (catalog.commitments["BWP-A"].title, catalog.commitments["BWP-A"].summary)
    assert not shown.title_is_translation(ID) and not shown.summary_is_translation(ID)
    assert shown.translated_title(ID) is None


# --- 3. Translations the loader cannot use -------------------------------------------------------------------------


def _edited(tmp_path: Path, file: str, old: str = "", new: str = "", drop_block_of: str | None = None) -> Catalog:
    """The bundled catalog with the first ``old`` in ``file`` replaced by ``new`` (or, with ``drop_block_of``,
    the translations block of that commitment removed)."""
    directory = tmp_path / "commitments"
    shutil.copytree(DEFAULT_CATALOG_DIR, directory, dirs_exist_ok=True)
    target = directory / file
    text = target.read_text(encoding="utf-8")
    if drop_block_of is not None:
        start = text.index(f"  - id: {drop_block_of}\n")
        begin = text.index("    translations:\n", start)
        end = text.index("    source_ref:", begin)
        text = text[:begin] + text[end:]
    else:
        assert old in text, f"fixture text not found in {file}; update the test"
        text = text.replace(old, new, 1)
    target.write_text(text, encoding="utf-8")
    return load_catalog(directory)


def _line_of(tmp_path: Path, file: str, entry: str) -> int:
    lines = (tmp_path / "commitments" / file).read_text(encoding="utf-8").splitlines()
    return lines.index(entry) + 1


@pytest.mark.parametrize(
    ("file", "old", "new", "entry", "owner", "code"),
    [
        pytest.param(
            "commitments.yaml",
            "    translations:\n      id:\n        label: Penegakan hukum\n",
            "    translations:\n      ind:\n        label: Penegakan hukum\n",
            "  - id: ASC-1",
            "ASC-1",
            "ind",
            id="commitment",
        ),
        pytest.param(
            "themes.yaml",
            "      id:\n        label: Menelusuri aliran uang\n",
            "      in:\n        label: Menelusuri aliran uang\n",
            "  - id: following-the-money",
            "following-the-money",
            "in",
            id="theme",
        ),
        pytest.param(
            "mechanisms.yaml",
            "    translations: {id: {label: Komite ASEAN tentang Perempuan}}\n",
            "    translations: {en: {label: Komite ASEAN tentang Perempuan}}\n",
            "  - id: ACW",
            "ACW",
            "en",
            id="mechanism",
        ),
        pytest.param(
            "members.yaml",
            "    translations: {id: {label: Filipina}}\n",
            "    translations: {fil: {label: Pilipinas}}\n",
            "  - id: PHL",
            "PHL",
            "fil",
            id="member",
        ),
    ],
)
def test_a_translation_into_a_language_the_tracker_does_not_ship_is_reported(
    tmp_path: Path, file: str, old: str, new: str, entry: str, owner: str, code: str
) -> None:
    catalog = _edited(tmp_path, file, old, new)
    line = _line_of(tmp_path, file, entry)

    (issue,) = [i for i in catalog.issues if i.code == "catalog-unknown-language"]

    assert (issue.file, issue.row, issue.field, issue.severity) == (file, line, "translations", "error")
    assert issue.message == (
        f"{file}, line {line}: {owner} has a translation under '{code}', which is not a language the tracker "
        "ships; use 'id' (a new language needs its catalogue under locales/ first)"
    )
    assert len(catalog.issues) == 1


@pytest.mark.parametrize(
    ("file", "old", "new", "entry", "field"),
    [
        pytest.param(
            "commitments.yaml",
            "        label: Penegakan hukum\n",
            '        label: ""\n',
            "  - id: ASC-1",
            "translations.id.label",
            id="empty-commitment-title",
        ),
        pytest.param(
            "themes.yaml",
            "        label: Menelusuri aliran uang\n",
            '        label: "   "\n',
            "  - id: following-the-money",
            "translations.id.label",
            id="blank-theme-label",
        ),
        pytest.param(
            "mechanisms.yaml",
            "    translations: {id: {label: Komite ASEAN tentang Perempuan}}\n",
            "    translations: {id: {label: ''}}\n",
            "  - id: ACW",
            "translations.id.label",
            id="empty-mechanism-name",
        ),
        pytest.param(
            "commitments.yaml",
            "    translations:\n      id:\n        label: Penegakan hukum\n",
            "    translations:\n      id:\n        description: Tanpa judul.\n",
            "  - id: ASC-1",
            "translations.id.label",
            id="missing-commitment-title",
        ),
        pytest.param(
            "mechanisms.yaml",
            "        sources: [S-UU12-2017]\n",
            "        sources: []\n",
            "  - id: ACTIP",
            "translations.id",
            id="official-name-without-sources",
        ),
        pytest.param(
            "mechanisms.yaml",
            "    translations: {id: {label: Komite ASEAN tentang Perempuan}}\n",
            "    translations: {id: {label: Komite ASEAN tentang Perempuan, sources: [S-MERL], confidence: P}}\n",
            "  - id: ACW",
            "translations.id",
            id="working-translation-with-sources",
        ),
        pytest.param(
            "commitments.yaml",
            "    translations:\n      id:\n        label: Penegakan hukum\n",
            "    translations:\n      id:\n        label: Penegakan hukum\n        official: true\n",
            "  - id: ASC-1",
            "translations.id.official",
            id="a-commitment-translation-is-never-official",
        ),
    ],
)
def test_a_translation_without_words_or_with_a_wrong_field_is_reported_on_its_entry(
    tmp_path: Path, file: str, old: str, new: str, entry: str, field: str
) -> None:
    catalog = _edited(tmp_path, file, old, new)
    line = _line_of(tmp_path, file, entry)

    found = [(i.code, i.file, i.row, i.field) for i in catalog.issues]

    assert ("catalog-schema", file, line, field) in found
    issue = next(i for i in catalog.issues if i.field == field)
    assert issue.message.startswith(f"{file}, line {line} (entry '{entry.split(': ')[1]}'), {field}: ")


def test_an_official_name_citing_a_missing_source_is_a_dangling_reference(tmp_path: Path) -> None:
    catalog = _edited(tmp_path, "mechanisms.yaml", "        sources: [S-UU12-2017]\n", "        sources: [S-NOPE]\n")
    line = _line_of(tmp_path, "mechanisms.yaml", "  - id: ACTIP")

    assert [(i.code, i.file, i.row, i.field) for i in catalog.issues] == [
        ("catalog-dangling-ref", "mechanisms.yaml", line, "source")
    ]


# --- 4. An import keeps a translation only while its words stay ---------------------------------------------------


def _imported(english: Catalog, rows: list[list[object]]) -> Catalog:
    files = catalog_files(DEFAULT_CATALOG_DIR)
    texts = {name: files[name].decode("utf-8") for name in (COMMITMENTS_FILE, CROSSWALK_FILE, SOURCES_FILE)}
    matrix = read_matrix("BWP-2.0-matrix.xlsx", workbook([HEADER, *rows]), "BWP")
    cited = citations(dataset_of(english, [action("THA", 1, "ASC-1", "limited")]))
    plan = plan_import(english, matrix, cited)
    assert plan.ok, plan.issues
    edit = edit_catalog(
        english, texts, matrix, plan, by="Secretariat", today=dt.date(2026, 11, 30), file_sha256="0" * 64
    )
    return catalog_from_files({**files, **{name: text.encode("utf-8") for name, text in edit.files.items()}})


def test_an_import_keeps_the_translations_of_entries_whose_words_are_unchanged(english: Catalog) -> None:
    new = _imported(english, bohol_rows(english))

    assert new.issues == []
    for c in english.commitments_of("BWP"):
        assert new.commitments[c.id].translations == c.translations, c.id
        assert new.commitments[c.id].official_title  # now official: its title stays English in Indonesian
        assert new.in_language(ID).commitments[c.id].title == c.title
    translated = english.commitments["BWP-B.1"].translations[ID]
    assert new.in_language(ID).commitments["BWP-B.1"].summary == translated.description


def test_an_import_drops_the_translation_of_a_retitled_or_reworded_entry_and_gives_a_new_one_none(
    english: Catalog,
) -> None:
    rows = bohol_rows(english)
    for row in rows:
        if row[0] == "BWP-B.1":
            row[2] = "Identification and referral of victims"
        if row[0] == "BWP-B.2":
            row[3] = "Shelter and care, as the official matrix words it."
    rows.append(["BWP-D.4", "BWP-D", "Monitoring and evaluation", "The work plan's own review.", "p. 30"])

    new = _imported(english, rows)

    assert new.issues == []
    assert new.commitments["BWP-B.1"].translations == {} and new.commitments["BWP-B.2"].translations == {}
    assert new.commitments["BWP-D.4"].translations == {}
    assert new.commitments["BWP-B.3"].translations == english.commitments["BWP-B.3"].translations  # the rest stay
    shown = new.in_language(ID).commitments["BWP-B.2"]
    assert shown.summary == "Shelter and care, as the official matrix words it."
    assert not shown.summary_is_translation(ID)


def test_the_scales_note_is_said_in_the_pages_language(english: Catalog, indonesian: Catalog) -> None:
    assert english.scale.note.startswith("Statuses are the members' own reports of how far each action has got")
    assert indonesian.scale.note.startswith("Status adalah laporan anggota sendiri tentang sejauh mana")
    assert "Open Government Partnership" in indonesian.scale.note  # a name stays as it is


def test_a_note_translated_into_an_unshipped_language_or_left_empty_is_reported(tmp_path: Path) -> None:
    unshipped = _edited(tmp_path / "a", "statuses.yaml", "note_translations:\n  id: >-", "note_translations:\n  th: >-")
    (issue,) = [i for i in unshipped.issues if i.code == "catalog-unknown-language"]
    assert "note has a translation under 'th'" in issue.message
    blank = "note_translations:\n  id: ''\n  x: >-"
    empty = _edited(tmp_path / "b", "statuses.yaml", "note_translations:\n  id: >-", blank)
    assert [i.code for i in empty.issues] == ["catalog-schema"]
    assert "a translated note must not be empty" in empty.issues[0].message
