"""The Themes page: its numbers against a small data set counted by hand, and the page in the app (AppTest).

Seven actions on real catalog commitments whose themes are listed here by hand (``THEMES_OF``; an item carries
its area's or pillar's themes too). THA-002 is confidential: a viewer never gets it.

=========  =================  ============  ============  ===========  ==========  =======================
action     cites              themes        status        started      updated     mechanisms
=========  =================  ============  ============  ===========  ==========  =======================
IDN-001    ASC-6.2            VC            complete      2026-07-01   2026-10-01  ACWC
IDN-002    BWP-B.3            VC, FC        limited       2024-01-01   2025-12-01  –
THA-001    ASC-1.3; BWP-B.1   FM, VC        substantial   2026-06-15   2026-09-15  SOMTC
THA-002    ASC-3.3            FC, TE        not started   2026-07-01   2026-08-01  – (confidential)
AUS-001    ASC-2.1            BC            complete      2025-01-01   2026-03-01  –
AUS-002    ASC-5.1            (none)        limited       2025-01-01   2026-03-01  –
IOM-001    ASC-6; BWP-C.2     VC, FC        discontinued  2024-01-01   2025-06-01  –
=========  =================  ============  ============  ===========  ==========  =======================

VC victim-centred-protection, FC forced-criminality, FM following-the-money, TE technology-enabled-crime,
BC business-civil-society; maritime-smuggling (MS) has no action at all.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from loaders.catalog import Catalog
from loaders.catalog_schema import WORKING_ITEM
from loaders.dataset import Dataset
from tests.builders import action, dataset_of
from tests.chart_tables import open_chart_tables
from tests.make_fixtures import TODAY, write_yaml
from tests.test_upload_page import AUTH
from tracker.views.filters import Filters, View, apply_filters, effective_themes
from tracker.views.overview import status_counts
from tracker.views.themes import (
    ACTIONS_ONLY,
    CROSSWALK_AND_ACTIONS,
    CROSSWALK_ONLY,
    action_themes,
    members_with_and_without_actions,
    status_by_group,
    theme_commitments,
    theme_mechanisms,
    theme_pairs,
    theme_sources,
    theme_view,
)
from ui.text import plain

ROOT = Path(__file__).resolve().parent.parent
ENTRY = str(ROOT / "dashboard.py")
PAGE = "app_pages/themes.py"

VC, FC, FM = "victim-centred-protection", "forced-criminality", "following-the-money"
TE, BC, MS = "technology-enabled-crime", "business-civil-society", "maritime-smuggling"
THEMES = [FC, MS, FM, TE, VC, BC]  # catalog order (commitments/themes.yaml)
SECRET = "Raid on a scam compound, not yet public"
REVIEWER = "reviewer@example.org"

ROWS: list[dict[str, Any]] = [
    action("IDN", 1, "ASC-6.2", "complete", start_date=dt.date(2026, 7, 1), last_updated=dt.date(2026, 10, 1),
           asean_mechanisms="ACWC"),
    action("IDN", 2, "BWP-B.3", "limited", start_date=dt.date(2024, 1, 1), last_updated=dt.date(2025, 12, 1)),
    action("THA", 1, "ASC-1.3; BWP-B.1", "substantial", start_date=dt.date(2026, 6, 15),
           last_updated=dt.date(2026, 9, 15), asean_mechanisms="SOMTC"),
    action("THA", 2, "ASC-3.3", "not_started", start_date=dt.date(2026, 7, 1), last_updated=dt.date(2026, 8, 1),
           confidential=True, title=SECRET),
    action("AUS", 1, "ASC-2.1", "complete", start_date=dt.date(2025, 1, 1), last_updated=dt.date(2026, 3, 1)),
    action("AUS", 2, "ASC-5.1", "limited", start_date=dt.date(2025, 1, 1), last_updated=dt.date(2026, 3, 1)),
    action("IOM", 1, "ASC-6; BWP-C.2", "discontinued", start_date=dt.date(2024, 1, 1),
           last_updated=dt.date(2025, 6, 1)),
]  # fmt: skip

# The premise, read off commitments.yaml by hand: each cited commitment's themes, its own and its area's.
THEMES_OF = {
    "ASC-6.2": {VC},
    "ASC-6": {VC},
    "BWP-B.3": {VC, FC},
    "ASC-1.3": {FM},
    "BWP-B.1": {VC},
    "ASC-3.3": {FC, TE},
    "ASC-2.1": {BC},
    "ASC-5.1": set(),
    "BWP-C.2": {FC},
}
STATUSES = ["not_started", "limited", "substantial", "complete", "discontinued"]  # the scale, in order


def long(counts: dict[str, list[int]]) -> pd.DataFrame:
    """``{group: [actions per status, scale order]}`` as the tidy frame the status charts draw."""
    rows = [(g, s, n) for g, row in counts.items() for s, n in zip(STATUSES, row, strict=True)]
    return pd.DataFrame(rows, columns=["group", "status", "actions"]).astype({"group": "str", "status": "str"})


# Victim-centred protection as a viewer sees it: IDN-001, IDN-002, THA-001, IOM-001. THA-001's ASC-1.3 and
# IOM-001's BWP-C.2 do not carry the theme, so THA-001 counts under Bohol only and IOM-001 under Adelaide only.
VC_BY_FRAMEWORK = {"ASC": [0, 0, 0, 1, 1], "BWP": [0, 1, 1, 0, 0]}  # ASC: IDN-001, IOM-001; BWP: IDN-002, THA-001
VC_BY_GROUP = {"asean": [0, 1, 1, 1, 0], "org": [0, 0, 0, 0, 1]}  # no action from the "other" group
# The 13 commitments carrying it, catalog order: (id, how, actions citing that very commitment).
VC_COMMITMENTS = [
    ("ASC-6", "tagged", 1),
    ("ASC-6.1", "through ASC-6", 0),
    ("ASC-6.2", "tagged", 1),
    ("ASC-6.3", "tagged", 0),
    ("ASC-7.1", "tagged", 0),
    ("BWP-B", "tagged", 0),
    ("BWP-B.1", "tagged", 1),
    ("BWP-B.2", "tagged", 0),
    ("BWP-B.3", "tagged", 1),
    ("BWP-B.4", "tagged", 0),
    ("BWP-B.5", "tagged", 0),
    ("BWP-B.6", "tagged", 0),
    ("BWP-C.5", "tagged", 0),
]
# Its mechanisms, catalog order: crosswalk.yaml links BWP-B to ACTIP, APA, ACWC, SOMSWD and ASC-6 to ACWC, ACMW;
# IDN-001 lists ACWC and THA-001 SOMTC.
VC_MECHANISMS = [
    ("ACTIP", "BWP-B (overlapping)", 0, CROSSWALK_ONLY),
    ("APA", "BWP-B (overlapping)", 0, CROSSWALK_ONLY),
    ("SOMTC", "", 1, ACTIONS_ONLY),
    ("ACWC", "ASC-6 (overlapping); BWP-B (overlapping)", 1, CROSSWALK_AND_ACTIONS),
    ("ACMW", "ASC-6 (complementary)", 0, CROSSWALK_ONLY),
    ("SOMSWD", "BWP-B (complementary)", 0, CROSSWALK_ONLY),
]
# Pairs of themes, viewer: IDN-001 {VC}, IDN-002 {VC, FC}, THA-001 {FM, VC}, AUS-001 {BC}, IOM-001 {VC, FC}.
PAIRS = {
    FC: [2, 0, 0, 0, 2, 0],
    MS: [0, 0, 0, 0, 0, 0],
    FM: [0, 0, 1, 0, 1, 0],
    TE: [0, 0, 0, 0, 0, 0],
    VC: [2, 0, 1, 0, 4, 0],
    BC: [0, 0, 0, 0, 0, 1],
}
# A reviewer also gets THA-002 {FC, TE}.
PAIRS_WITH_CONFIDENTIAL = {**PAIRS, FC: [3, 0, 0, 1, 2, 0], TE: [1, 0, 0, 1, 0, 0], VC: [2, 0, 1, 0, 4, 0]}


@pytest.fixture(scope="module")
def dataset(catalog: Catalog) -> Dataset:
    return dataset_of(catalog, ROWS)


def viewer(dataset: Dataset, filters: Filters | None = None) -> View:
    return apply_filters(dataset, filters or Filters())


# --- the premise -----------------------------------------------------------------------------------------------------


def test_the_catalog_still_tags_the_commitments_as_counted_here(catalog: Catalog):
    assert list(catalog.themes) == THEMES
    assert {c: effective_themes(catalog, c) for c in THEMES_OF} == THEMES_OF


# --- the view functions --------------------------------------------------------------------------------------------


def test_a_theme_view_holds_the_actions_on_its_commitments_and_only_their_links(dataset: Dataset):
    scope = theme_view(viewer(dataset), VC)

    assert sorted(scope.actions["action_id"]) == ["IDN-001", "IDN-002", "IOM-001", "THA-001"]
    links = scope.links.merge(scope.actions[["action_key", "action_id"]], on="action_key")
    assert sorted(zip(links["action_id"], links["commitment_id"], strict=True)) == [
        ("IDN-001", "ASC-6.2"),
        ("IDN-002", "BWP-B.3"),
        ("IOM-001", "ASC-6"),  # not BWP-C.2
        ("THA-001", "BWP-B.1"),  # not ASC-1.3
    ]
    assert scope.filters.themes == (VC,)


@pytest.mark.parametrize(("theme", "expected"), [(FC, ["IDN-002", "IOM-001"]), (TE, []), (MS, []), (BC, ["AUS-001"])])
def test_a_viewer_never_gets_a_confidential_action_under_a_theme(dataset: Dataset, theme: str, expected: list[str]):
    assert sorted(theme_view(viewer(dataset), theme).actions["action_id"]) == expected
    reviewer = theme_view(apply_filters(dataset, Filters(), can_see_confidential=True), theme)
    assert ("THA-002" in set(reviewer.actions["action_id"])) == (theme in (FC, TE))


def test_a_theme_view_narrows_the_sidebar_filters_never_widens_them(dataset: Dataset):
    bohol = theme_view(viewer(dataset, Filters(framework="BWP")), VC)
    assert sorted(bohol.actions["action_id"]) == ["IDN-002", "THA-001"]  # IOM-001 cites ASC-6 and BWP-C.2 (no VC)

    money = viewer(dataset, Filters(themes=(FM,)))
    both = theme_view(money, VC)
    assert both.commitment_ids == () and both.is_empty  # no commitment carries both themes
    assert both.filters == money.filters  # "FM and VC" is no sidebar filter: the filters are left as they were


@pytest.mark.parametrize("theme", THEMES)
def test_a_theme_view_is_what_the_sidebar_theme_filter_selects(dataset: Dataset, theme: str):
    by_page = theme_view(viewer(dataset), theme)
    by_sidebar = viewer(dataset, Filters(themes=(theme,)))
    assert sorted(by_page.actions["action_id"]) == sorted(by_sidebar.actions["action_id"])
    assert by_page.commitment_ids == by_sidebar.commitment_ids


def test_status_by_framework_and_by_member_group(dataset: Dataset):
    scope = theme_view(viewer(dataset), VC)
    pd.testing.assert_frame_equal(status_counts(scope, "framework"), long(VC_BY_FRAMEWORK))
    pd.testing.assert_frame_equal(status_by_group(scope), long(VC_BY_GROUP))


def test_commitments_of_a_theme_say_how_they_carry_it(dataset: Dataset):
    frame = theme_commitments(theme_view(viewer(dataset), VC), VC)
    assert list(zip(frame["commitment"], frame["carried"], frame["actions"], strict=True)) == VC_COMMITMENTS
    assert set(frame["framework"]) == {"Adelaide Strategy", "Bohol TIP Work Plan 2.0"}
    bohol_item = frame.set_index("commitment").loc["BWP-B.1", "title"]
    assert bohol_item == f"Victim identification {WORKING_ITEM}"  # a working item says so

    maritime = theme_commitments(theme_view(viewer(dataset), MS), MS)
    assert list(zip(maritime["commitment"], maritime["carried"], strict=True)) == [
        ("ASC-4", "tagged"),
        ("ASC-CM", "tagged"),
        ("ASC-4.1", "tagged"),
        ("ASC-4.2", "through ASC-4"),  # tagged FC and TE itself; maritime smuggling comes from area 4
        ("ASC-4.3", "tagged"),
    ]
    assert maritime["actions"].sum() == 0


def test_mechanisms_of_a_theme_say_whether_crosswalk_or_actions_found_them(dataset: Dataset):
    frame = theme_mechanisms(theme_view(viewer(dataset), VC))
    assert (
        list(frame[["mechanism", "crosswalk", "actions", "basis"]].itertuples(index=False, name=None)) == VC_MECHANISMS
    )
    assert frame.set_index("mechanism").loc["ACWC", "name"].startswith("ASEAN Commission on the Promotion")


def test_members_with_and_without_an_action_on_a_theme_alphabetical(dataset: Dataset):
    active, silent = members_with_and_without_actions(theme_view(viewer(dataset), VC))
    assert list(active["name"]) == ["Indonesia", "International Organization for Migration", "Thailand"]
    assert list(active["group"]) == ["ASEAN member states", "Member organisations", "ASEAN member states"]
    assert len(silent) == 46 and "AUS" in set(silent["member"])
    assert list(silent["name"]) == sorted(silent["name"])

    organisations = theme_view(viewer(dataset, Filters(group="org")), VC)
    active, silent = members_with_and_without_actions(organisations)
    assert list(active["member"]) == ["IOM"]
    assert list(silent["name"]) == [
        "International Labour Organization",
        "Office of the UN High Commissioner for Refugees",
        "UN Office on Drugs and Crime",
    ]


def test_actions_serving_each_pair_of_themes(dataset: Dataset):
    expected = pd.DataFrame([PAIRS[t] for t in THEMES], index=pd.Index(THEMES, name="theme"), columns=THEMES)
    pd.testing.assert_frame_equal(theme_pairs(viewer(dataset)), expected)

    seen_by_reviewer = theme_pairs(apply_filters(dataset, Filters(), can_see_confidential=True))
    assert seen_by_reviewer.loc[FC].tolist() == PAIRS_WITH_CONFIDENTIAL[FC]
    assert seen_by_reviewer.loc[TE].tolist() == PAIRS_WITH_CONFIDENTIAL[TE]


def test_action_themes_lists_each_pair_once(dataset: Dataset):
    served = action_themes(viewer(dataset)).merge(viewer(dataset).actions[["action_key", "action_id"]])
    assert sorted(zip(served["action_id"], served["theme"], strict=True)) == [
        ("AUS-001", BC),
        ("IDN-001", VC),
        ("IDN-002", FC),
        ("IDN-002", VC),
        ("IOM-001", FC),
        ("IOM-001", VC),
        ("THA-001", FM),
        ("THA-001", VC),
    ]


def test_theme_sources_are_the_cited_addresses(catalog: Catalog):
    frame = theme_sources(catalog, VC)
    assert list(frame["key"]) == ["S-WGTIP9", "S-TEGRR6", "S-ACWC-GL"]
    assert frame["address"].str.startswith("https://").all()


# --- the page in the app ---------------------------------------------------------------------------------------------


@pytest.fixture
def themed_data(tmp_path, monkeypatch):
    directory = tmp_path / "data"
    for member in ("IDN", "THA", "AUS", "IOM"):
        write_yaml(directory / f"{member}.yaml", [r for r in ROWS if r["member"] == member], member=member)
    (directory / "_roles.yaml").write_text(f"users:\n  - email: {REVIEWER}\n    role: reviewer\n", encoding="utf-8")
    monkeypatch.setenv("TRACKER_DATA_DIR", str(directory))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield directory
    st.cache_data.clear()
    st.cache_resource.clear()


def open_page(query: dict[str, str] | None = None, at: AppTest | None = None) -> AppTest:
    if at is None:  # not `at or …`: an AppTest that has not run yet is empty, hence false
        at = AppTest.from_file(ENTRY, default_timeout=60)
    if query:
        at.query_params.update(query)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return open_chart_tables(at)  # the tests read the tables under the charts, as a reader opening them


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table_with(at: AppTest, *columns: str) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]


def rendered(at: AppTest) -> str:
    """Every element the page rendered: as protobuf text (labels, values, chart specs), and every grid's cells."""
    protos = [str(node.proto) for node in at._tree if getattr(node, "proto", None) is not None]
    grids = [d.value.to_csv() for d in at.dataframe]  # a grid's cells travel as Arrow bytes in its protobuf
    return "\n".join([*protos, *grids])


@pytest.mark.parametrize("theme", THEMES)
def test_the_page_renders_every_theme(themed_data, catalog: Catalog, theme: str):
    at = open_page({"theme_page": theme})
    assert at.title[0].value == "Themes"
    assert at.header[0].value == plain(catalog.themes[theme].label)  # catalog text goes to Markdown escaped
    assert at.selectbox(key="themes_theme").value == theme


def test_the_page_shows_the_hand_counted_figures(themed_data):
    assert dt.date(2026, 11, 28) == TODAY  # the date the movement below is counted from
    at = open_page({"theme_page": VC})

    assert metrics(at) == {
        "Actions under this theme": "4",
        "Members with an action on it": "3 of 49",
        # ASC-6, ASC-6.2, BWP-B.1, BWP-B.3, and BWP-B through its items: 5 of the 13.
        "Its commitments with an action": "5 of 13",
        # Since 2026-05-30 (six months before the suite's date): IDN-001 and THA-001 updated and started;
        # IDN-002 (limited, last updated 2025-12-01) stalled; IOM-001 discontinued, so not stalled.
        "Actions updated since then": "2",
        "Actions started since then": "2",
        "Open actions not updated since then": "1",
    }
    charts = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert charts == [
        "Status of actions on Victim-centred protection, by framework",
        "Status of actions on Victim-centred protection, by member group",
    ]
    by_framework, by_group = table_with(at, "group", "status", "actions")
    pd.testing.assert_frame_equal(by_framework.reset_index(drop=True), long(VC_BY_FRAMEWORK))
    pd.testing.assert_frame_equal(by_group.reset_index(drop=True), long(VC_BY_GROUP))
    active, silent = table_with(at, "member", "name", "group")
    assert list(active["member"]) == ["IDN", "IOM", "THA"]
    assert len(silent) == 46
    (commitments,) = table_with(at, "commitment", "carried")
    assert list(commitments["commitment"]) == [c for c, _, _ in VC_COMMITMENTS]
    (mechanisms,) = [t.value for t in at.table if t.value.index.name == "ASEAN mechanism"]
    assert list(zip(mechanisms.index, mechanisms["Found through"], strict=True)) == [
        (plain(m), plain(basis)) for m, _, _, basis in VC_MECHANISMS
    ]
    (pairs,) = [t.value for t in at.table if t.value.index.name == "Theme"]
    assert pairs.to_numpy().tolist() == [PAIRS[t] for t in THEMES]
    assert list(pairs.index)[THEMES.index(VC)] == f"**{plain('Victim-centred protection')}**"  # the chosen theme
    sources = next(m.value for m in at.markdown if m.value.startswith("**Sources**"))
    assert sources.count("- ") == 3 and "<https://asean.usmission.gov/" in sources  # addresses shown as links


def test_the_url_keeps_the_chosen_theme(themed_data):
    at = open_page({"theme_page": FM})
    assert at.query_params["theme_page"] == FM
    assert metrics(at)["Actions under this theme"] == "1"

    at.selectbox(key="themes_theme").select(BC).run()

    assert at.query_params["theme_page"] == BC
    assert at.header[0].value == plain("Partnership with business and civil society")
    assert metrics(at)["Actions under this theme"] == "1"
    assert metrics(at)["Members with an action on it"] == "1 of 49"


def test_without_a_theme_in_the_url_the_sidebar_theme_filter_chooses_it(themed_data):
    assert open_page().selectbox(key="themes_theme").value == THEMES[0]
    assert open_page({"theme": BC}).selectbox(key="themes_theme").value == BC


def test_a_sidebar_theme_filter_without_the_theme_is_said_and_narrows_to_both(themed_data):
    at = open_page({"theme_page": VC, "theme": FC})

    assert any("Theme filter (Forced criminality and scam centres) leaves this theme out" in i.value for i in at.info)
    assert metrics(at)["Actions under this theme"] == "1"  # IDN-002: BWP-B.3 is the one commitment carrying both


@pytest.mark.parametrize(("button", "title"), [("themes_to_gaps", "Gaps"), ("themes_to_progress", "Progress")])
def test_the_buttons_open_gaps_and_progress_with_the_theme_filter(themed_data, button: str, title: str):
    at = open_page({"theme_page": VC, "group": "asean"})
    assert at.sidebar.multiselect(key="flt_themes").value == []

    at.button(key=button).click().run()

    assert not at.exception, at.exception
    assert at.title[0].value == title
    assert at.sidebar.multiselect(key="flt_themes").value == [VC]
    assert at.query_params["theme"] == VC
    assert at.query_params["group"] == "asean"  # the other filters stay


def test_a_theme_without_actions_says_so(themed_data):
    at = open_page({"theme_page": MS})
    assert any("No action is reported under Maritime smuggling" in i.value for i in at.info)
    assert not at.get("plotly_chart")
    assert "Actions under this theme" not in metrics(at)
    (commitments,) = table_with(at, "commitment", "carried")  # what the theme is still shows
    assert list(commitments["commitment"]) == ["ASC-4", "ASC-CM", "ASC-4.1", "ASC-4.2", "ASC-4.3"]


def test_filters_that_match_nothing_say_so(themed_data):
    at = open_page({"theme_page": VC, "member": "BTN"})
    assert any("Nothing matches the current filters" in i.value for i in at.info)
    assert not at.get("plotly_chart")


@pytest.mark.parametrize("theme", [FC, TE])
def test_a_viewer_never_sees_a_confidential_action(themed_data, theme: str):
    at = open_page({"theme_page": theme})

    assert SECRET not in rendered(at)
    if theme == TE:  # its only action is confidential: for a viewer the theme has none
        assert "Actions under this theme" not in metrics(at)
        assert any(f"No action is reported under {plain('Technology-enabled crime')}" in i.value for i in at.info)


def test_a_reviewer_sees_the_confidential_action_the_viewer_does_not(themed_data):
    """The control for the test above: its check finds the title when the page shows it."""
    reviewer = AppTest.from_file(ENTRY, default_timeout=60)
    reviewer.secrets["auth"] = AUTH
    reviewer.user = {"is_logged_in": True, "email_verified": True, "name": "Some Reviewer", "email": REVIEWER}

    at = open_page({"theme_page": TE}, reviewer)

    assert SECRET in rendered(at)
    assert metrics(at)["Actions under this theme"] == "1"
