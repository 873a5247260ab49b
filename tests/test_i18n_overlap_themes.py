"""The ASEAN overlap and Themes pages in Bahasa Indonesia (issue 11): their text, their tables' headings and the
tracker's own words in the cells, and the overlap figures' axes, legends and hover text; English as before.

Official titles (frameworks, ASEAN bodies), ids and the records stay as they are in every language.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from loaders.dataset import Dataset, load_dataset
from loaders.i18n import language
from tests.test_i18n import ROOT, overview
from tracker.figures.overlap import crosswalk_matrix_figure, group_comparison_figure, overlap_sankey_figure
from tracker.views import overlap, themes
from tracker.views.filters import Filters, View, apply_filters

VC = "victim-centred-protection"


def page(path: str, lang: str | None, **query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.query_params.update({**({"lang": lang} if lang else {}), **query})
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def headings(at: AppTest) -> dict[str, str]:
    """The headings a grid's column configuration gives its columns (the frame keeps its ids)."""
    found: dict[str, str] = {}
    for grid in at.dataframe:
        config = json.loads(grid.proto.columns) if grid.proto.columns else {}
        found |= {column: c["label"] for column, c in config.items() if isinstance(c, dict) and c.get("label")}
    return found


# --- the pages -----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("fresh_caches")
def test_the_overlap_page_in_indonesian():
    at = page("app_pages/overlap.py", "id")

    assert at.title[0].value == "Tumpang tindih ASEAN: di mana kerja Bali Process bertemu dengan kerja ASEAN?"
    assert [h.value for h in at.main.header] == [
        "Pemetaan silang",
        "Tindakan melalui mekanisme ASEAN",
        "Laporkan sekali, terhitung untuk keduanya",
        "Kemungkinan duplikasi dan kerja yang saling melengkapi",
        "Negara anggota ASEAN dan anggota lain berdampingan",
    ]
    assert at.main.caption[0].value.startswith("Pemetaan silang yang menghubungkan komitmen Adelaide Strategy")
    assert (
        "**pemetaan editorial**" in at.main.caption[0].value and "**I**" in at.main.caption[0].value
    )  # the bold is kept
    (metric,) = at.metric
    assert metric.label == "Tindakan yang merujuk komitmen Adelaide sekaligus komitmen Bohol"
    assert " dari " in metric.value and "." in metric.value  # 455 dari 1.911 (the sample): the locale's numbers
    radio = at.radio(key="overlap_match")
    assert radio.label == "Cocokkan tindakan dengan tautan berdasarkan"
    assert radio.options == ["komitmen yang ditautkan saja", "bidang Adelaide dan pilar Bohol-nya"]
    assert [s["layout"]["title"]["text"] for s in chart_specs(at)] == [
        "Pemetaan silang: bidang Adelaide Strategy × mekanisme ASEAN",
        "Pemetaan silang: bidang Adelaide Strategy × pilar Bohol TIP Work Plan",
        "Tindakan per bidang Adelaide, mekanisme ASEAN, dan pilar Bohol",
        "Tindakan per kelompok anggota: Bohol, mekanisme ASEAN, selesai",
    ]
    matrix = chart_specs(at)[0]
    assert matrix["layout"]["xaxis"]["title"]["text"] == "Mekanisme ASEAN"
    assert matrix["layout"]["legend"]["title"]["text"] == "Hubungan terkuat"
    # The tables: headings in Indonesian, the tracker's flags and relations too; ids as they were.
    said = headings(at)
    assert (said["classification"], said["members_both"], said["dual_share"]) == (
        "Tanda",
        "Anggota di kedua sisi",
        "Persentase di bawah keduanya",
    )
    flags = next(g.value for g in at.dataframe if "classification" in g.value.columns)
    assert set(flags["classification"]) <= {
        "kemungkinan duplikasi",
        "tidak ada duplikasi yang ditandai",
        "kerja yang saling melengkapi",
    }
    assert set(flags["hubungan"]) <= {"setara", "tumpang tindih", "saling melengkapi"}  # the header said too
    assert flags["asc_id"].str.startswith("ASC-").all()  # ids never change
    groups = next(g.value for g in at.dataframe if "dual_share" in g.value.columns)
    assert list(groups["label"]) == ["Negara anggota ASEAN", "Negara dan wilayah lain", "Organisasi anggota"]


@pytest.mark.usefixtures("fresh_caches")
def test_the_themes_page_in_indonesian():
    at = page("app_pages/themes.py", "id", theme_page=VC)

    assert at.title[0].value == "Tema"
    assert at.selectbox(key="themes_theme").label == "Tema"
    assert at.main.caption[0].value.startswith("Tema lintas sektor adalah klasifikasi editorial atas komitmen")
    assert at.main.caption[1].value.startswith("Tingkat keyakinan I: Disimpulkan — periksa sebelum dipublikasikan.")
    assert [h.value for h in at.subheader] == [
        "Komitmen yang memuat tema ini",
        "Mekanisme ASEAN yang terkait dengan tema ini",
        "Anggota dengan dan tanpa tindakan dalam tema ini",
    ]
    assert [h.value for h in at.main.header][1:] == [
        "Tindakan dalam tema ini",
        "Apa yang bergerak pada tema ini",
        "Keterkaitan antartema",
    ]
    assert [b.label for b in at.main.button][:2] == ["Kesenjangan pada tema ini", "Kemajuan pada tema ini"]
    labels = [m.label for m in at.metric][:3]
    assert labels == [
        "Tindakan dalam tema ini",
        "Anggota yang memiliki tindakan dalam tema ini",
        "Komitmen tema ini yang sudah ada tindakannya",
    ]
    assert " dari " in at.metric[1].value
    assert any(m.value.startswith("**Sumber**") for m in at.markdown)
    assert any(m.value.startswith("**Dengan sedikitnya satu tindakan (") for m in at.markdown)
    titles = [s["layout"]["title"]["text"] for s in chart_specs(at)]
    assert all(t.startswith("Status tindakan terkait ") for t in titles)
    assert [t.rsplit(", ", 1)[1] for t in titles] == ["per kerangka kerja", "per kelompok anggota"]
    assert chart_specs(at)[1]["layout"]["yaxis"]["title"]["text"] == "Kelompok anggota"
    said = headings(at)
    assert (said["carried"], said["group"]) == ("Memuat tema", "Kelompok anggota")
    carried = next(g.value for g in at.dataframe if "carried" in g.value.columns)["carried"]
    assert set(carried) <= {"langsung"} | {f"melalui {c}" for c in ("ASC-6", "BWP-B")} and "langsung" in set(carried)
    (mechanisms,) = [t.value for t in at.table if t.value.index.name == "Mekanisme ASEAN"]
    assert set(mechanisms["Ditemukan melalui"]) <= {
        "pemetaan silang dan tindakan",
        "hanya pemetaan silang",
        "hanya tindakan",
    }
    (pairs,) = [t.value for t in at.table if t.value.index.name == "Tema"]
    assert len(pairs) == len(pairs.columns)


@pytest.mark.usefixtures("fresh_caches")
def test_the_english_pages_read_as_before():
    overlap_page = overview(None)
    overlap_page.switch_page("app_pages/overlap.py").run()
    assert not overlap_page.exception, overlap_page.exception
    assert [h.value for h in overlap_page.main.header] == [
        "The crosswalk",
        "Actions through ASEAN mechanisms",
        "Report once, count for both",
        "Possible duplication and complementary work",
        "ASEAN member states and other members side by side",
    ]
    assert overlap_page.radio(key="overlap_match").options == [
        "the linked commitments only",
        "its Adelaide area and Bohol pillar",
    ]
    assert overlap_page.main.caption[-1].value == (
        "Three groups, no ranking of members. Reported complete is a share of the actions not discontinued."
    )
    flags = next(g.value for g in overlap_page.dataframe if "classification" in g.value.columns)
    assert set(flags["classification"]) <= set(overlap.CLASSIFICATIONS)
    assert headings(overlap_page)["classification"] == "Flag"

    themes_page = page("app_pages/themes.py", None, theme_page=VC)
    assert [h.value for h in themes_page.subheader] == [
        "Commitments that carry it",
        "ASEAN mechanisms that carry it",
        "Members with and without an action on it",
    ]
    assert [b.label for b in themes_page.main.button][:2] == ["Gaps on this theme", "Progress on this theme"]
    assert themes_page.main.caption[1].value.startswith("Confidence I: Inferred — check before publishing.")
    assert any(m.value.startswith("**With at least one action (") for m in themes_page.markdown)


# --- the views' words ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return load_dataset(ROOT / "data" / "sample")


@pytest.fixture(scope="module")
def view(sample: Dataset) -> View:
    return apply_filters(sample, Filters())


def test_in_words_changes_only_the_trackers_words(view: View):
    flags = overlap.duplication_and_complement(view)
    pd.testing.assert_frame_equal(overlap.in_words(flags, language("en")), flags)  # English: the frame as it is

    said = overlap.in_words(flags, language("id"))

    assert list(said.columns) == list(flags.columns)
    words = {
        overlap.POSSIBLE_DUPLICATION: "kemungkinan duplikasi",
        overlap.NOTHING_FLAGGED: "tidak ada duplikasi yang ditandai",
        overlap.COMPLEMENTARY_WORK: "kerja yang saling melengkapi",
    }
    assert list(said["classification"]) == [words[c] for c in flags["classification"]]
    assert "kemungkinan duplikasi" in set(said["classification"])
    relations = {"equivalent": "setara", "overlapping": "tumpang tindih", "complementary": "saling melengkapi"}
    assert list(said["relation"]) == [relations[r] for r in flags["relation"]]
    unchanged = [c for c in flags.columns if c not in ("relation", "classification")]
    pd.testing.assert_frame_equal(said[unchanged], flags[unchanged])  # ids, member lists, notes, counts

    scope = themes.theme_view(view, VC)
    carried = themes.theme_commitments(scope, VC)["carried"]
    said_carried = themes.in_words(themes.theme_commitments(scope, VC), language("id"))["carried"]
    assert list(said_carried) == ["langsung" if c == "tagged" else c.replace("through ", "melalui ") for c in carried]
    assert {"tagged", "through ASC-6"} <= set(carried)  # both kinds are there to be said
    mechanisms = themes.in_words(themes.theme_mechanisms(scope), language("id"))
    assert "ASC-6 (tumpang tindih); BWP-B (tumpang tindih)" in set(mechanisms["crosswalk"])
    assert set(mechanisms["basis"]) <= {"pemetaan silang dan tindakan", "hanya pemetaan silang", "hanya tindakan"}


# --- the figures ---------------------------------------------------------------------------------------------


def test_the_overlap_figures_speak_indonesian(view: View, sample: Dataset):
    indonesian = language("id")
    matrix = overlap.crosswalk_matrix(view.catalog, cols="BWP")
    grid = crosswalk_matrix_figure(matrix, title="t", x_title="x", y_title="y", x_ticks="id_title", lang=indonesian)
    assert [t.name for t in grid.data[2:]] == ["≡ Setara", "◎ Tumpang tindih", "+ Saling melengkapi"]
    assert grid.layout.legend.title.text == "Hubungan terkuat"
    hover = [text for row in grid.data[0].text for text in row]
    assert any("Hubungan terkuat: Tumpang tindih (◎), 2 tautan" in h for h in hover)
    assert any("ASC-6.2 ↔ BWP-B.1 (tumpang tindih)" in h for h in hover)
    assert any("Tingkat keyakinan: I" in h for h in hover)
    assert any("Hubungan terkuat: tidak ada tautan pemetaan silang" in h for h in hover)
    assert not any("relation" in h or "link(s)" in h for h in hover)

    sankey = overlap_sankey_figure(overlap.overlap_flows(view), view.catalog, title="t", lang=indonesian)
    assert "tindakan</b>" in sankey.data[0].link.hovertemplate
    assert [a.text for a in sankey.layout.annotations] == [
        "<b>Bidang Adelaide</b>",
        "<b>Mekanisme ASEAN</b>",
        "<b>Pilar Bohol</b>",
    ]
    empty = overlap_sankey_figure(overlap.overlap_flows(view).iloc[0:0], view.catalog, title="t", lang=indonesian)
    assert empty.layout.annotations[0].text.startswith("Tidak ada tindakan yang menghubungkan")

    groups = group_comparison_figure(overlap.group_comparison(view), title="t", lang=indonesian)
    bohol = groups.data[0]
    assert list(bohol.y) == ["Negara anggota ASEAN", "Negara dan wilayah lain", "Organisasi anggota"]
    assert all(" dari " in t for t in bohol.text) and any("." in t.split("(")[1] for t in bohol.text)  # 1.234
    assert "Tindakan yang merujuk komitmen Bohol: %{customdata}" in bohol.hovertemplate
    assert groups.layout.xaxis3.title.text == "Persentase tindakan kelompok"
    assert groups.layout.yaxis2.title.text == "Kelompok anggota"
    org_only = overlap.group_comparison(apply_filters(sample, Filters(group="org")))
    assert list(group_comparison_figure(org_only, title="t", lang=indonesian).data[0].text)[:2] == [
        "tidak ada tindakan",
        "tidak ada tindakan",
    ]


def test_the_overlap_figures_default_to_english(view: View):
    matrix = overlap.crosswalk_matrix(view.catalog)
    english = crosswalk_matrix_figure(matrix, title="t", x_title="x", y_title="y")
    assert (
        english.to_json()
        == crosswalk_matrix_figure(matrix, title="t", x_title="x", y_title="y", lang=language("en")).to_json()
    )
    assert english.layout.legend.title.text == "Strongest relation"
    groups = group_comparison_figure(overlap.group_comparison(view), title="t")
    assert all(" of " in t for t in groups.data[0].text)
