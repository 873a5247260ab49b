"""AppTest smoke and interaction tests for every page of the dashboard.

The bundled illustrative sample is the data. Clicks on charts need a real
browser (tests/e2e); here the drill-down is driven through its pickers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from tests import counted
from tests.chart_tables import open_chart_tables
from tracker.views import action_table
from ui import components

pytestmark = pytest.mark.usefixtures("fresh_caches")  # AppTest runs read the files afresh

PAGES = {
    "app_pages/overview.py": "Overview",
    "app_pages/progress.py": "Progress",
    "app_pages/gaps.py": "Gaps",
    "app_pages/overlap.py": "ASEAN overlap",
    "app_pages/member.py": "Member profile",
    "app_pages/method.py": "Method and data",
}
ROOT = Path(__file__).resolve().parent.parent
ENTRY = str(ROOT / "dashboard.py")
NOTHING = {"status": "discontinued", "member": "BTN"}  # BTN has no file in the sample


def run(page: str | None = None, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=60)
    if query:
        at.query_params.update(query)
    at.run()
    if page:
        at.switch_page(page).run()
    return open_chart_tables(at)  # the tests read the tables under the charts, as a reader opening them


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


@pytest.mark.parametrize(("page", "title"), PAGES.items())
def test_every_page_renders(page, title):
    at = run(page)
    assert not at.exception, at.exception
    assert title in at.title[0].value
    if page != "app_pages/method.py":
        assert at.get("plotly_chart"), f"{page} drew no chart"
        assert any("Illustrative sample data" in w.value for w in at.warning)


@pytest.mark.parametrize("page", [p for p in PAGES if p not in ("app_pages/member.py", "app_pages/method.py")])
def test_every_page_says_nothing_matches_instead_of_failing(page):
    at = run(page, query=NOTHING)
    assert not at.exception, at.exception
    messages = " ".join(i.value for i in at.info)
    assert "Nothing matches" in messages or "No member or commitment" in messages or "No action" in messages


def test_member_profile_of_a_member_without_actions():
    at = run("app_pages/member.py", query={"m": "BTN"})
    assert not at.exception
    assert metric(at, "Actions reported") == "0"
    assert metric(at, "Latest update") == "no update"


def test_filters_change_the_headline():
    at = run()
    everything = metric(at, "Actions reported")
    at.sidebar.selectbox(key="flt_group").select("org").run()
    organisations = metric(at, "Actions reported")
    assert organisations != everything
    assert metric(at, "Members reporting") == "4 of 4"
    assert at.query_params["group"] == "org"


def test_query_string_restores_filters():
    at = run(query={"member": "IDN", "framework": "ASC"})
    assert at.sidebar.multiselect(key="flt_members").value == ["IDN"]
    assert at.sidebar.selectbox(key="flt_framework").value == "ASC"
    assert metric(at, "Members reporting") == "1 of 1"
    by_hand = run()
    by_hand.sidebar.multiselect(key="flt_members").select("IDN").run()
    by_hand.sidebar.selectbox(key="flt_framework").select("ASC").run()
    assert metric(by_hand, "Actions reported") == metric(at, "Actions reported")


def test_reset_filters_clears_them_and_the_url():
    at = run(query={"member": "IDN"})
    at.sidebar.button(key="flt_reset").click().run()
    assert at.sidebar.multiselect(key="flt_members").value == []
    assert "member" not in at.query_params
    assert metric(at, "Members reporting").endswith("of 49")


def test_choosing_a_gap_cell_lists_its_actions():
    at = run("app_pages/gaps.py")
    at.selectbox(key="gaps_member").select("IDN").run()
    at.selectbox(key="gaps_commitment").select("ASC-6").run()
    table = at.dataframe[1].value  # [0] is the matrix's data table
    assert len(table) > 0
    assert set(table["Member"]) == {"IDN"}
    assert all("ASC-6" in c for c in table["Commitments"])
    at.selectbox(key="gaps_member").select("BTN").run()
    assert any("No action reported" in i.value for i in at.info)


def test_progress_charts_have_titles_and_tables():
    at = run("app_pages/progress.py")
    titles = chart_titles(at)
    assert "Status of actions by area and pillar" in titles
    assert "Actions started and due in each plan year" in titles
    assert len(at.get("download_button")) >= len(titles)


def test_member_profile_follows_the_url():
    at = run("app_pages/member.py", query={"m": "THA"})
    assert "Thailand (THA)" in [h.value for h in at.header]
    assert at.query_params["m"] == "THA"


def test_member_profile_lists_many_actions_in_a_grid_not_a_printable_table(monkeypatch: pytest.MonkeyPatch):
    printable = run("app_pages/member.py", query={"m": "THA"})
    monkeypatch.setattr(action_table, "PRINTED_ACTIONS_LIMIT", 5)
    many = run("app_pages/member.py", query={"m": "THA"})

    def listed(at: AppTest) -> list[str]:
        return [e.value for e in at.caption if "actions" in e.value and "print" in e.value]

    assert any(t.value.index.name == "Action ID" for t in printable.table)
    assert not any(t.value.index.name == "Action ID" for t in many.table)
    assert any(d.value.index.name == "Action ID" for d in many.dataframe)
    assert any("too many to print" in c for c in listed(many))
    assert not any("too many to print" in c for c in listed(printable))


def test_long_lists_send_their_first_rows_and_offer_all_as_csv(monkeypatch: pytest.MonkeyPatch):
    full = run("app_pages/progress.py")
    overdue = next(int(e.label.split()[1].replace(",", "")) for e in full.expander if "overdue action" in e.label)
    monkeypatch.setattr(components, "LISTED_ROWS_LIMIT", 3)

    at = run("app_pages/progress.py")

    assert not at.exception, at.exception
    assert overdue > 3
    frames = [d.value for d in at.dataframe]
    listed = [f for f in frames if len(f) == 3 and "Action ID" in f.columns]
    assert listed and all("Evidence link" in f.columns for f in listed)  # the listed rows keep their link column
    assert f"Showing the first 3 of {overdue:,} rows." in " ".join(c.value for c in at.caption)
    labels = [b.proto.label for b in at.get("download_button")]
    assert f"Download all {overdue:,} rows (CSV)" in labels
    assert not any("Showing the first" in c.value for c in full.caption)


def test_method_page_lists_the_scale_and_sources():
    at = run("app_pages/method.py")
    frames = [d.value for d in at.dataframe]
    scale = at.table[0].value
    assert "Complete" in set(scale["status"]) and "No action reported" in set(scale["status"])
    # A source is a web address, or a named document with no address (sources.yaml): every address is a web one.
    addresses = [f["address"][f["address"].fillna("") != ""] for f in frames if "address" in f.columns]
    assert addresses and all(a.str.startswith("http").all() and len(a) > 10 for a in addresses)


# --- against hand-counted figures (tests/counted.py), not against the code's own metrics ------------------------


@pytest.fixture
def counted_data(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_DATA_DIR", str(counted.write_counted_data(tmp_path / "data")))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_overview_shows_the_hand_counted_figures(counted_data):
    at = run(query=counted.QUERY)
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric} == counted.KEY_FIGURES
    notes = " ".join(m.proto.help for m in at.metric)
    assert all(note in notes for note in counted.KEY_FIGURE_NOTES.values())
    tables = [d.value for d in at.dataframe if "group" in d.value.columns]
    table = next(t for t in tables if set(t["group"]) == set(counted.BY_AREA))
    assert [(g, s, int(n)) for g, s, n in table.itertuples(index=False, name=None)] == [
        (area, status, n)
        for area, row in counted.BY_AREA.items()
        for status, n in zip(counted.STATUSES, row, strict=True)
    ]


def test_member_profile_shows_the_hand_counted_figures(counted_data):
    at = run("app_pages/member.py", query={**counted.QUERY, "m": "IDN"})
    assert not at.exception, at.exception
    shown = {m.label: m.value for m in at.metric}
    assert {label: shown[label] for label in counted.IDN_PROFILE} == counted.IDN_PROFILE


def test_method_page_sends_the_first_issues_and_offers_all_as_csv(tmp_path, monkeypatch):
    """A data directory with thousands of issues: the table holds ISSUES_SHOWN_LIMIT, the caption says how many more."""
    document = yaml.safe_load((ROOT / "data" / "sample" / "THA.yaml").read_text(encoding="utf-8"))
    action = {k: v for k, v in document["actions"][0].items() if k != "action_id"}
    total = components.ISSUES_SHOWN_LIMIT + 57
    document["actions"] = [{**action, "status": f"almost done {n}"} for n in range(total)]
    (tmp_path / "THA.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))

    at = run("app_pages/method.py")

    assert not at.exception, at.exception
    assert f"{total} error(s) and 0 warning(s) in 1 member file(s)" in " ".join(c.value for c in at.caption)
    (issues,) = [d.value for d in at.dataframe if "code" in d.value.columns]
    assert len(issues) == components.ISSUES_SHOWN_LIMIT
    assert f"… and 57 more, not shown here: the download lists all {total}." in [c.value for c in at.caption]
    assert f"Download all {total} issues (CSV)" in [b.proto.label for b in at.get("download_button")]


def test_the_dashboard_hands_the_gil_over_every_20_ms():
    """Sessions run in threads of one process; the switch interval is issue 12's measured tuning (RESULTS.md)."""
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        run()
        assert sys.getswitchinterval() == pytest.approx(0.02)
    finally:
        sys.setswitchinterval(before)
