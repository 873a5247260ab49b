"""Text is text: markup that members write into their records reaches no one as a link, an image or markup.

One small data set (``tests/hostile.py``) puts Markdown links and images, raw HTML, ``<script>``, LaTeX,
Streamlit directives and hostile evidence addresses into every free-text field. It goes through every page
(AppTest: the Markdown each element sends to the browser), every figure (plotly renders a subset of HTML in
its text), the briefing pack and the exports. The browser itself is checked in ``tests/e2e/test_browser.py``.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import html.parser
import io
import json
import re
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
import streamlit as st
from streamlit import config
from streamlit.testing.v1 import AppTest

from loaders.catalog import Catalog
from tests.builders import TODAY, dataset_of
from tests.hostile import (
    EVIL,
    HOSTILE,
    HOSTILE_EVIDENCE,
    LINK_AND_PIXEL,
    RAW_LINK,
    SAFE_EVIDENCE,
    hostile_rows,
    write_hostile_data,
)
from tracker.documents.brief import MAIN_CHARTS, brief_html, build_brief, chart_figure
from tracker.documents.exports import all_data_csv, view_workbook
from tracker.figures import text as figure_text
from tracker.figures.gaps import freshness_tiles_figure, gap_matrix_figure
from tracker.figures.overlap import crosswalk_matrix_figure, group_comparison_figure, overlap_sankey_figure
from tracker.figures.progress import plan_year_figure, timeline_figure
from tracker.figures.status import status_bar_figure
from tracker.views.action_table import evidence_url
from tracker.views.filters import Filters, View, apply_filters
from tracker.views.gaps import gap_matrix
from tracker.views.overlap import crosswalk_matrix, group_comparison, overlap_flows
from tracker.views.overview import freshness, status_counts
from tracker.views.progress import plan_year_summary, timeline_rows
from ui.text import EVIDENCE_LINK, WORD_JOINER, plain, plain_table

ROOT = Path(__file__).resolve().parent.parent
ENTRY = str(ROOT / "dashboard.py")
PUNCTUATION = set(string.punctuation)
# The figures' own markup: bold headings, line breaks, and the hover box's <extra>. Any other tag is data.
FIGURE_TAGS = {"b", "br", "extra"}
TAG = re.compile(r"<\s*/?\s*([A-Za-z][\w-]*)")
# RAW_LINK as plotly.js must receive it to draw it as text (written out, not computed with the code's helper).
RAW_LINK_FOR_PLOTLY = '&lt;a href="https://evil.example/a"&gt;Raw link&lt;/a&gt;'
# LINK_AND_PIXEL as Markdown that shows it as text, written out by hand.
LINK_AND_PIXEL_FOR_MARKDOWN = (
    r"See \[this\]\(https\:" "\u2060" r"\/\/evil\.example\/x\) \!\[p\]\(https\:" "\u2060" r"\/\/evil\.example\/p\.png\)"
)


# --- helpers -----------------------------------------------------------------------------------


def unescaped_markdown(text: str) -> list[str]:
    """ASCII punctuation in ``text`` that is not backslash-escaped (each would be read as Markdown)."""
    found, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in PUNCTUATION:
            i += 2
            continue
        if text[i] in PUNCTUATION:
            found.append(text[i])
        i += 1
    return found


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a nested JSON-like value (a figure as plotly serialises it)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


def figure_markup(spec: Any) -> list[str]:
    """Strings of a figure that hold a tag plotly.js would render, other than the figures' own."""
    return [s for s in strings_in(spec) if {t.lower() for t in TAG.findall(s)} - FIGURE_TAGS]


def figure_json(fig: go.Figure) -> Any:
    return json.loads(fig.to_json())


def hostile_catalog(catalog: Catalog) -> Catalog:
    """The catalog with markup in a member name, commitment titles and a mechanism name (catalog text is data too)."""
    members = dict(catalog.members)
    members["IDN"] = members["IDN"].model_copy(update={"name": RAW_LINK})
    commitments = dict(catalog.commitments)
    for cid in ("ASC-1", "BWP-B"):
        commitments[cid] = commitments[cid].model_copy(update={"title": HOSTILE["image with onerror"]})
    mechanisms = dict(catalog.mechanisms)
    mechanisms["ACTIP"] = mechanisms["ACTIP"].model_copy(update={"name": HOSTILE["styled span"]})
    return dataclasses.replace(catalog, members=members, commitments=commitments, mechanisms=mechanisms)


@pytest.fixture(scope="module")
def hostile_view(catalog) -> View:
    dataset = dataset_of(catalog, hostile_rows())
    return apply_filters(dataclasses.replace(dataset, catalog=hostile_catalog(catalog)), Filters())


# --- the helpers themselves --------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_plain_escapes_every_markdown_character_and_keeps_the_text(text):
    shown = plain(text)
    assert unescaped_markdown(shown) == []
    # Streamlit's own syntax: ":material/" is replaced before Markdown is parsed; "$" starts LaTeX.
    assert ":material/" not in shown and not re.search(r"(?<!\\)\$", shown)
    # The text once escapes are resolved: what Streamlit's autolink, emoji, icon and arrow plugins see.
    node = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", shown)
    assert not re.search(r"(?i)https?://|www\.|@[\w-]|:[\w+-]|[<>=~-]{2}", node)
    assert node.replace(WORD_JOINER, "") == text  # and the reader sees exactly the text


def test_plain_table_escapes_cells_and_links_only_web_evidence():
    frame = pd.DataFrame(
        {"Action": [LINK_AND_PIXEL, "Plain"], "Evidence": [SAFE_EVIDENCE, HOSTILE_EVIDENCE["javascript"]], "n": [1, 2]},
        index=pd.Index(["IDN-001", "IDN-002"], name="Action ID"),
    )
    table = plain_table(frame)
    assert table["Action"].tolist() == [LINK_AND_PIXEL_FOR_MARKDOWN, "Plain"]
    assert table["Evidence"].tolist() == [f"<{SAFE_EVIDENCE}>", "javascript\\:\u2060alert\\(document\\.cookie\\)"]
    assert table.index.tolist() == [r"IDN\-001", r"IDN\-002"]
    assert table["n"].tolist() == [1, 2] and table.index.name == "Action ID"


@pytest.mark.parametrize(
    "value",
    [
        *HOSTILE_EVIDENCE.values(),
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "ftp://files.example/report",
        "//evil.example/protocol-relative",
        "/relative/path",
        "https://",
        "https:\\\\evil.example",
        "https://evil.example/a b",
        'https://evil.example/x"onmouseover="alert(1)',
        "https://evil.example/<img>",
        "https://[::1",
        "Annual report 2025, p. 14",
        None,
        3.5,
    ],
)
def test_evidence_that_is_not_a_plain_web_address_is_never_a_link(value):
    assert evidence_url(value) is None


@pytest.mark.parametrize("value", [SAFE_EVIDENCE, "http://gov.example/a?b=1#c", "HTTPS://GOV.EXAMPLE/x"])
def test_a_web_address_is_a_link_showing_itself(value):
    assert evidence_url(value) == value
    assert evidence_url(f"  {value} ") == value


def test_figure_plain_escapes_what_plotly_reads_as_markup():
    assert figure_text.plain(RAW_LINK) == RAW_LINK_FOR_PLOTLY
    assert figure_text.plain("a & b <br>") == "a &amp; b &lt;br&gt;"


# --- figures -----------------------------------------------------------------------------------


def every_figure(view: View) -> dict[str, go.Figure]:
    """Every figure builder, fed the hostile view (user text and catalog text) as the pages feed it."""
    catalog = view.catalog
    top = status_counts(view, "top_level")
    members = status_counts(view, "member")
    matrix = gap_matrix(view, "top_level")
    figures = {
        "status by area": status_bar_figure(
            top,
            catalog,
            labels={c: f"{c} {catalog.commitments[c].title}" for c in view.top_level_ids if c in set(top["group"])},
            title=f"Status {LINK_AND_PIXEL}",
            axis_title="Area",
        ),
        "status by member": status_bar_figure(
            members,
            catalog,
            labels={m: catalog.members[m].name for m in members["group"].unique()},
            title="Status by member",
            axis_title="Member",
            share=True,
        ),
        "gap matrix": gap_matrix_figure(
            matrix,
            catalog,
            member_labels={m: f"{catalog.members[m].name} ({m})" for m in view.member_ids},
            commitment_labels={c: c for c in view.top_level_ids},
            title="Gaps",
        ),
        "dense gap matrix": gap_matrix_figure(
            gap_matrix(view, "commitment"),
            catalog,
            member_labels={m: catalog.members[m].name for m in view.member_ids},
            commitment_labels={c: c for c in view.commitment_ids},
            title="Gaps",
        ),
        "freshness": freshness_tiles_figure(freshness(view, TODAY, 365), title="Fresh"),
        "plan years": plan_year_figure(plan_year_summary(view, TODAY), title="Plan"),
        "timeline": timeline_figure(timeline_rows(view, TODAY), catalog, title="Timeline", today=TODAY),
        "sankey": overlap_sankey_figure(overlap_flows(view), catalog, title="Flows"),
        "groups": group_comparison_figure(group_comparison(view), title="Groups"),
    }
    for cols, ticks in (("mechanisms", "id"), ("BWP", "id_title")):
        figures[f"crosswalk {cols}"] = crosswalk_matrix_figure(
            crosswalk_matrix(catalog, cols=cols), title="Crosswalk", x_title="x", y_title="y", x_ticks=ticks
        )
    for name in MAIN_CHARTS:
        figures[f"pack {name}"] = chart_figure(view, name, TODAY)
    return figures


def test_no_figure_holds_markup_from_the_records_or_the_catalog(hostile_view):
    figures = every_figure(hostile_view)
    found = {name: figure_markup(figure_json(fig)) for name, fig in figures.items()}
    assert {name: strings for name, strings in found.items() if strings} == {}


def test_the_timeline_shows_a_titles_markup_as_text(hostile_view):
    spec = figure_json(every_figure(hostile_view)["timeline"])
    escaped = RAW_LINK_FOR_PLOTLY
    labels = [label for trace in spec["data"] for label in trace["y"]]
    assert any(label.endswith(f"IDN-002 · {escaped}") for label in labels)  # the tick label
    hovers = [row[0] for trace in spec["data"] for row in trace["customdata"]]
    assert escaped in hovers  # and the hover box


def test_catalog_text_in_hover_ticks_and_sankey_labels_is_escaped(hostile_view):
    figures = every_figure(hostile_view)
    ticks = figure_json(figures["gap matrix"])["layout"]["yaxis"]["ticktext"]
    assert f"{RAW_LINK_FOR_PLOTLY} (IDN)" in ticks
    sankey = figure_json(figures["sankey"])["data"][0]["node"]
    styled = '&lt;span style="background:url(https://evil.example/bg.png)"&gt;styled&lt;/span&gt; '
    assert f"{styled}&lt;b&gt;bold&lt;/b&gt;&lt;br&gt;break" in sankey["customdata"]


# --- pages -------------------------------------------------------------------------------------

PAGES = {
    "app_pages/overview.py": {"member": "IDN"},
    "app_pages/progress.py": {"member": "IDN"},  # one member: the per-action timeline is drawn
    "app_pages/gaps.py": {},
    "app_pages/overlap.py": {},
    "app_pages/member.py": {"m": "IDN"},
    "app_pages/exports.py": {},
    "app_pages/method.py": {},
    "app_pages/submit.py": {},
}
# Element types whose text Streamlit does not render as Markdown (shown as typed), and those checked apart.
NOT_MARKDOWN = {"text", "code", "json", "table", "dataframe", "arrow_data_frame", "plotly_chart"}
MARKDOWN_FIELDS = {"body", "label", "help", "placeholder", "caption"}


def markdown_sources(at: AppTest) -> list[str]:
    """The Markdown every element of the run sends: bodies, labels, help texts (radio options too)."""

    def fields(message: Any, kind: str) -> Iterator[str]:
        for descriptor, value in message.ListFields():
            if descriptor.type == descriptor.TYPE_MESSAGE:
                for item in [value] if hasattr(value, "ListFields") else value:
                    yield from fields(item, kind)
            elif descriptor.type == descriptor.TYPE_STRING and (
                descriptor.name in MARKDOWN_FIELDS or (kind == "radio" and descriptor.name == "options")
            ):
                yield from [value] if isinstance(value, str) else value

    sources = []
    for node in at._tree:
        kind = getattr(node, "type", "")
        if kind in NOT_MARKDOWN or getattr(node, "proto", None) is None:
            continue
        sources += list(fields(node.proto, kind))
    return sources


def table_cells(at: AppTest) -> list[str]:
    """Text cells (and index values) of every st.table: Streamlit renders each as Markdown."""
    cells = []
    for table in at.table:
        frame = table.value
        cells += [v for v in frame.to_numpy().ravel() if isinstance(v, str)]
        cells += [v for v in frame.index if isinstance(v, str)]
    return cells


@pytest.fixture
def hostile_app(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_DATA_DIR", str(write_hostile_data(tmp_path / "data")))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def run_page(page: str, query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params.update(query)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page", PAGES)
def test_no_page_sends_the_records_markup_as_markdown(hostile_app, page):
    at = run_page(page, PAGES[page])
    if page == "app_pages/gaps.py":  # list a cell's actions too
        at.selectbox(key="gaps_member").select("IDN").run()
        at.selectbox(key="gaps_commitment").select("ASC-1").run()
    sources = markdown_sources(at) + table_cells(at)
    assert sources, "nothing collected: the walk over the page is broken"
    # Every hostile string names evil.example; escaped, its dot is "\." So the host never appears as is.
    assert not [s for s in sources if EVIL in s]
    assert not [s for s in sources if "**bold**" in s or "&lt;b&gt;" in s]
    charts = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert not [m for spec in charts for m in figure_markup(spec)]


def test_the_member_profile_lists_titles_as_escaped_text_and_web_evidence_as_links(hostile_app):
    at = run_page("app_pages/member.py", {"m": "IDN"})
    (actions,) = [t.value for t in at.table if t.value.index.name == "Action ID"]
    titles = dict(zip(actions.index, actions["Action"], strict=True))
    assert titles[r"IDN\-001"] == LINK_AND_PIXEL_FOR_MARKDOWN  # the defect: a link and a tracking pixel
    evidence = set(actions["Evidence"])
    assert f"<{SAFE_EVIDENCE}>" in evidence  # an autolink: the address is the text
    assert "javascript\\:\u2060alert\\(document\\.cookie\\)" in evidence


def test_action_lists_keep_the_text_and_link_only_web_evidence(hostile_app):
    at = run_page("app_pages/progress.py", {"member": "IDN"})
    overdue = next(d.value for d in at.dataframe if "Action" in d.value.columns)
    assert set(overdue["Action"]) <= {r["title"] for r in hostile_rows()}
    assert RAW_LINK in set(overdue["Action"])  # the grid shows text as text, unescaped
    links = set(overdue[EVIDENCE_LINK].dropna())
    assert links <= {SAFE_EVIDENCE}
    assert set(overdue["Evidence"]) >= {HOSTILE_EVIDENCE["javascript"]}  # as reported, in the text column


@contextlib.contextmanager
def local_editor(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run as the local editor (an admin): TRACKER_LOCAL_EDITING on a server bound to loopback."""
    monkeypatch.setenv("TRACKER_LOCAL_EDITING", "1")
    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    try:
        yield
    finally:
        config.set_option("server.address", before)


def test_a_snapshot_name_is_shown_as_text(hostile_app, monkeypatch):
    with local_editor(monkeypatch):
        at = run_page("app_pages/progress.py", {"member": "IDN"})
        at.text_input(key="progress_snapshot_name").input(LINK_AND_PIXEL).run()
        at.button(key="progress_snapshot_take").click().run()
        assert [m.value for m in at.success if LINK_AND_PIXEL_FOR_MARKDOWN in m.value]
        sources = markdown_sources(at)
        at.button(key="progress_snapshot_take").click().run()  # the same name again: refused, quoting it
        assert [m.value for m in at.error if LINK_AND_PIXEL_FOR_MARKDOWN in m.value]
        sources += markdown_sources(at)
        at.switch_page("app_pages/exports.py").run()  # offered as "what moved since" for the pack
        assert not at.exception, at.exception
        sources += markdown_sources(at)
    assert not [s for s in sources if EVIL in s]


# --- the briefing pack -------------------------------------------------------------------------


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def pack_figures(page: str) -> list[Any]:
    """The data and layout of every plotly figure embedded in the pack, decoded from its script."""
    decoder = json.JSONDecoder()
    specs = []
    for match in re.finditer(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*", page):
        data, end = decoder.raw_decode(page, match.end())
        comma = re.compile(r"\s*,\s*").match(page, end)
        assert comma, "the figure's layout does not follow its data"
        layout, _ = decoder.raw_decode(page, comma.end())
        specs.append({"data": data, "layout": layout})
    return specs


@pytest.fixture(scope="module")
def hostile_pack(catalog) -> str:
    dataset = dataclasses.replace(dataset_of(catalog, hostile_rows()), catalog=hostile_catalog(catalog))
    brief = build_brief(dataset, Filters(members=("IDN",)), user_can_see_confidential=False, since=None, today=TODAY)
    return brief_html(brief)


def test_the_pack_shows_the_records_markup_as_text(hostile_pack):
    parser = _Tags()
    parser.feed(hostile_pack)
    links = [attrs.get("href", "") for tag, attrs in parser.tags if tag == "a"]
    assert not [href for href in links if href and EVIL in href]
    assert not [tag for tag, _ in parser.tags if tag in ("img", "iframe", "object", "embed")]
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    assert len(scripts) == 1 + hostile_pack.count('class="plotly-graph-div"')  # plotly.js, then one per chart
    assert "&lt;a href=&#34;https://evil.example/a&#34;&gt;Raw link&lt;/a&gt;" in hostile_pack  # overdue list


def test_the_packs_charts_hold_no_markup_from_the_records(hostile_pack):
    specs = pack_figures(hostile_pack)
    assert len(specs) == hostile_pack.count('class="plotly-graph-div"') >= 3
    assert not [m for spec in specs for m in figure_markup(spec)]


# --- exports keep the text as written ----------------------------------------------------------


def test_exports_keep_the_records_text_literally(catalog):
    dataset = dataset_of(catalog, hostile_rows())
    view = apply_filters(dataset, Filters())
    rows = list(csv.DictReader(io.StringIO(all_data_csv(dataset, can_see_confidential=False).decode("utf-8-sig"))))
    assert [r["title"] for r in rows] == [r["title"] for r in hostile_rows()]
    assert {r["evidence"] for r in rows} >= set(HOSTILE_EVIDENCE.values())

    book = openpyxl.load_workbook(io.BytesIO(view_workbook(view, Filters(), data_as_of=None, today=TODAY)))
    titles = [row[2] for row in book["Actions"].iter_rows(min_row=4, values_only=True)]
    assert titles == [r["title"] for r in hostile_rows()]
