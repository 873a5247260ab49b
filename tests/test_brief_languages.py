"""The briefing pack in Bahasa Indonesia: the same numbers as the English pack, in Indonesian words.

Each test builds the pack twice from the same records, once per language (issue 11: "a secretariat officer can
print the briefing pack in Indonesian, with numbers identical to the English one").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
from html import unescape

import pytest

from loaders.dataset import load_dataset
from loaders.i18n import language
from tests.builders import require_program
from tracker import settings
from tracker.access import Role, User
from tracker.cli import EXIT_MISUSE, EXIT_OK, main
from tracker.documents.brief import brief_html, brief_pdf, build_brief
from tracker.records.snapshots import Snapshots
from tracker.views.filters import Filters

TODAY = dt.date(2026, 11, 28)
MEETING = "19th AHG SOM, Dec 2025"


@pytest.fixture(scope="module")
def sample():
    return load_dataset(settings.SAMPLE_DATA_DIR)


def pack(dataset, code: str, filters: Filters = Filters(), since=None):  # noqa: B008 - a frozen dataclass
    """The pack in language ``code``, from the data set with its catalog in that language (as the app and CLI do)."""
    spoken = dataclasses.replace(dataset, catalog=dataset.catalog.in_language(code))
    return build_brief(spoken, filters, user_can_see_confidential=False, since=since, today=TODAY, lang=language(code))


def visible_text(html: str) -> str:
    """What a reader sees: no scripts, styles or tags."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", body).split()))


def text_runs(html: str) -> set[str]:
    """Each piece of text between tags, whitespace collapsed (a heading, a cell, a sentence)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return {unescape(" ".join(run.split())) for run in re.split(r"<[^>]+>", body) if run.strip()}


def numbers_of(html: str, code: str) -> list[str]:
    """Every number of the tables and tiles, written the English way (1,911) whatever the language."""
    cells = re.findall(r'<td class="num">(.*?)</td>|<div class="value">(.*?)</div>', html)
    values = [unescape(a or b) for a, b in cells]
    if code == "id":  # 1.911 -> 1,911; "46 dari 49" -> "46 of 49"
        values = [re.sub(r"(?<=\d)\.(?=\d{3}\b)", ",", v).replace(" dari ", " of ") for v in values]
    return [re.sub(r"\s+", " ", v) for v in values]


def test_the_indonesian_pack_has_the_english_packs_numbers(sample):
    english, indonesian = brief_html(pack(sample, "en")), brief_html(pack(sample, "id"))
    figures = numbers_of(english, "en")
    assert len(figures) > 100
    # The same numbers; only the order of members' rows may differ, as lists are A–Z by the name in each language.
    assert sorted(numbers_of(indonesian, "id")) == sorted(figures)
    tiles = r'<div class="value">(.*?)</div>'
    assert [v.replace(".", ",").replace(" dari ", " of ") for v in re.findall(tiles, indonesian)] == re.findall(
        tiles, english
    )
    assert "1.911 tindakan dilaporkan oleh" in visible_text(indonesian)  # the number written the Indonesian way
    assert "1,911 actions were reported by" in visible_text(english)


def test_the_indonesian_pack_is_in_indonesian_down_to_the_page_footer(sample):
    html = brief_html(pack(sample, "id"))
    text = visible_text(html)
    assert '<html lang="id">' in html
    for words in [
        "bahan pengarahan",  # the title
        "DATA CONTOH ILUSTRATIF",
        "Angka utama",
        "Yang bergerak dalam enam bulan terakhir",
        "Yang tersendat",
        "Sorotan tumpang tindih dengan ASEAN",
        "Catatan tentang angka",
        "Negara anggota ASEAN",  # a member group in a table
        "Belum dimulai",  # a status label
        "Filipina",  # a member's name
    ]:
        assert words in text, words
    assert '"Halaman " counter(page) " dari " counter(pages)' in html
    assert '"Page "' not in html


def test_no_english_sentence_is_left_in_the_indonesian_pack(sample):
    """A piece of text of four words or more that is the same in both packs must be an official title or the
    members' own words (an action's title)."""
    catalog = sample.catalog
    official = {c.title for c in catalog.commitments.values() if c.official_title} | set(sample.actions["title"])
    official |= {f.name for f in catalog.frameworks.values()} | {m.name for m in catalog.mechanisms.values()}
    for filters in (Filters(), Filters(members=("IDN",))):  # the members table, and a member profile
        english = text_runs(brief_html(pack(sample, "en", filters)))
        indonesian = text_runs(brief_html(pack(sample, "id", filters)))
        # Words, not ids: lists of member ids (BRN; KHM; …) are the same in every language.
        same = {run for run in indonesian & english if len(re.findall(r"\b[A-Za-z]*[a-z][A-Za-z]*\b", run)) >= 4}
        assert {run for run in same if not any(title in run for title in official)} == set()


def test_moves_since_a_snapshot_are_said_in_indonesian(sample_copy_dir):
    reviewer = User("r@example.org", "Rita", Role.REVIEWER)
    snapshots = Snapshots(sample_copy_dir)
    snapshots.take(load_dataset(sample_copy_dir), MEETING, reviewer)
    data = load_dataset(sample_copy_dir)
    text = visible_text(brief_html(pack(data, "id", since=snapshots.load(MEETING))))
    assert f"Yang bergerak sejak {MEETING}" in text
    assert f"0 tindakan naik pada skala sejak {MEETING}; 0 turun." in text
    assert "Status naik" in text and "Baru melewati tenggat" in text


def test_brief_lang_id_on_the_command_line(sample_copy_dir, tmp_path):
    out = tmp_path / "pack.html"
    args = ["brief", "--out", str(out), "--member", "PHL", "--data-dir", str(sample_copy_dir), "--lang", "id"]
    assert main(args) == EXIT_OK
    text = visible_text(out.read_text(encoding="utf-8"))
    assert "Profil anggota: Filipina (PHL)" in text
    assert "Tindakan rahasia tidak disertakan." in text


def test_an_unknown_language_is_misuse(sample_copy_dir, tmp_path, capsys):
    out = tmp_path / "pack.html"
    with pytest.raises(SystemExit) as stopped:
        main(["brief", "--out", str(out), "--data-dir", str(sample_copy_dir), "--lang", "xx"])
    assert stopped.value.code == EXIT_MISUSE
    assert "invalid choice: 'xx'" in capsys.readouterr().err
    assert not out.exists()


def test_the_indonesian_pdf_holds_the_indonesian_words_and_the_numbers(sample, tmp_path):
    brief = pack(sample, "id", Filters(framework="BWP", group="asean"))
    out = brief_pdf(brief_html(brief), tmp_path / "bahan.pdf")
    text = subprocess.run(
        [require_program("pdftotext"), "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    for figure in brief.key_figures:
        assert figure.value in text, figure
    assert "DATA CONTOH ILUSTRATIF" in text and "Halaman 2 dari" in text
