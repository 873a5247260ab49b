"""The Compare page: its view functions against hand-counted figures, and the page in the app (AppTest).

The fixture: seven public actions and one confidential one, every figure below counted by hand. The bundled
catalog has 9 Adelaide top levels (ASC-1…ASC-8, ASC-CM) and 4 Bohol pillars (BWP-A…D), 6 themes; ASC-1 carries
following-the-money (so does its item ASC-1.1), ASC-6, ASC-6.2, BWP-B and BWP-B.1 carry victim-centred-protection,
ASC-2 carries business-civil-society. The suite's date is 28 Nov 2026.

=========  ======================  ============  ============  ================================================
action     cites                   status        last update   themes
=========  ======================  ============  ============  ================================================
IDN-001    ASC-1                   complete      2026-06-01    following-the-money
IDN-002    ASC-1.1; BWP-B          limited       2026-06-01    following-the-money, victim-centred (both fw.)
IDN-003    ASC-6                   discontinued  2025-01-10    victim-centred
IDN-004    BWP-B                   discontinued  2026-06-01    victim-centred
THA-001    BWP-B.1                 not started   2026-03-01    victim-centred
THA-002    ASC-1; ASC-6; ASC-6.2   substantial   2025-10-01    following-the-money, victim-centred
THA-003    ASC-3                   limited       2026-06-01    (confidential: never seen by a viewer)
AUS-001    ASC-2                   complete      2025-06-01    business-civil-society
=========  ======================  ============  ============  ================================================
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from loaders.catalog import load_catalog
from loaders.dataset import load_dataset
from tests.builders import action, dataset_of
from tests.chart_tables import open_chart_tables
from tests.make_fixtures import TODAY, write_yaml
from tracker.access import Role, User
from tracker.records.snapshots import Snapshots
from tracker.views import compare as cmp
from tracker.views.filters import Filters, apply_filters

ROOT = Path(__file__).resolve().parent.parent
ENTRY = str(ROOT / "dashboard.py")
PAGE = "app_pages/compare.py"
SECRET = "Sealed operation Kestrel"
ROWS = [
    action("IDN", 1, "ASC-1", "complete"),
    action("IDN", 2, "ASC-1.1; BWP-B", "limited"),
    action("IDN", 3, "ASC-6", "discontinued", last_updated=dt.date(2025, 1, 10)),
    action("IDN", 4, "BWP-B", "discontinued"),
    action("THA", 1, "BWP-B.1", "not_started", last_updated=dt.date(2026, 3, 1)),
    action("THA", 2, "ASC-1; ASC-6; ASC-6.2", "substantial", last_updated=dt.date(2025, 10, 1)),
    action("THA", 3, "ASC-3", "limited", title=SECRET, confidential=True),
    action("AUS", 1, "ASC-2", "complete", last_updated=dt.date(2025, 6, 1)),
]
STATUSES = ["not_started", "limited", "substantial", "complete", "discontinued"]
THEMES = [
    "forced-criminality",
    "maritime-smuggling",
    "following-the-money",
    "technology-enabled-crime",
    "victim-centred-protection",
    "business-civil-society",
]
REVIEWER = User("r", "Reviewer", Role.ADMIN)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def dataset(catalog):
    return dataset_of(catalog, ROWS)


def views_of(dataset, kind, subjects, filters=None, confidential=False):
    filters = filters or Filters()
    return {
        s: apply_filters(dataset, cmp.subject_filters(filters, kind, s), can_see_confidential=confidential)
        for s in subjects
    }


def rows_of(frame, *columns):
    return [tuple(r) for r in frame[list(columns)].itertuples(index=False, name=None)]


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) if isinstance(a, float) and math.isnan(a) else a == pytest.approx(b)


# --- the view functions, hand-counted -------------------------------------------------------------------------


def test_parse_subjects_keeps_known_ones_in_order_and_reports_the_rest():
    assert cmp.parse_subjects("THA,XXX,IDN,THA,", ["IDN", "THA"]) == (["THA", "IDN"], ["XXX"])
    assert cmp.parse_subjects(["IDN", "THA,IDN"], ["IDN", "THA"]) == (["THA", "IDN"], [])
    assert cmp.parse_subjects([], ["IDN"]) == ([], [])


def test_members_are_ordered_by_name_and_groups_as_defined(catalog):
    assert cmp.ordered_members(catalog, ["THA", "AUS", "IDN", "BTN"]) == ["AUS", "BTN", "IDN", "THA"]
    assert cmp.ordered_groups(["org", "asean"]) == ["asean", "org"]


@pytest.mark.parametrize(("count", "fine"), [(0, False), (1, False), (2, True), (4, True), (5, False)])
def test_two_to_four_subjects(count, fine):
    assert (cmp.subject_count_problem(count, "members") is None) is fine


def test_the_subject_replaces_the_member_filters_and_keeps_the_others():
    filters = Filters(framework="BWP", group="org", members=("AUS",), statuses=("limited",))
    assert cmp.subject_filters(filters, cmp.MEMBERS, "IDN") == Filters(
        framework="BWP", members=("IDN",), statuses=("limited",)
    )
    assert cmp.subject_filters(filters, cmp.GROUPS_KIND, "asean") == Filters(
        framework="BWP", group="asean", statuses=("limited",)
    )
    with pytest.raises(ValueError, match="snapshots"):
        cmp.subject_filters(filters, cmp.SNAPSHOTS, "x")


def test_status_mix_counts_and_shares(dataset):
    mix = cmp.status_mix(views_of(dataset, cmp.MEMBERS, ["IDN", "THA", "BTN"]))
    expected = {
        "IDN": ([0, 1, 0, 1, 2], [0, 0.25, 0, 0.25, 0.5]),
        "THA": ([1, 0, 1, 0, 0], [0.5, 0, 0.5, 0, 0]),  # THA-003 is confidential: not counted
        "BTN": ([0, 0, 0, 0, 0], [math.nan] * 5),  # no action: zeros, and a share of nothing is no share
    }
    for member, (counts, shares) in expected.items():
        part = mix[mix["subject"] == member]
        assert list(part["status"]) == STATUSES
        assert list(part["actions"]) == counts
        assert all(same(a, b) for a, b in zip(part["share"], shares, strict=True)), (member, list(part["share"]))


def test_coverage_of_each_frameworks_areas_and_pillars(dataset):
    coverage = cmp.coverage_by_framework(views_of(dataset, cmp.MEMBERS, ["IDN", "THA", "BTN"]))
    assert rows_of(coverage, "subject", "framework", "top_levels", "covered") == [
        ("IDN", "ASC", 9, 2),  # ASC-1 (IDN-001, and IDN-002 through ASC-1.1), ASC-6
        ("IDN", "BWP", 4, 1),  # BWP-B
        ("THA", "ASC", 9, 2),  # ASC-1, ASC-6 (ASC-3 only through the confidential THA-003)
        ("THA", "BWP", 4, 1),  # BWP-B through its item BWP-B.1
        ("BTN", "ASC", 9, 0),
        ("BTN", "BWP", 4, 0),
    ]
    assert list(coverage["share"]) == pytest.approx([2 / 9, 1 / 4, 2 / 9, 1 / 4, 0, 0])


def test_coverage_follows_the_framework_filter(dataset):
    coverage = cmp.coverage_by_framework(views_of(dataset, cmp.MEMBERS, ["IDN", "THA"], Filters(framework="BWP")))
    assert rows_of(coverage, "subject", "framework", "top_levels", "covered") == [
        ("IDN", "BWP", 4, 1),
        ("THA", "BWP", 4, 1),
    ]


def test_actions_by_area_side_by_side(dataset):
    table = cmp.actions_by_top_level(views_of(dataset, cmp.MEMBERS, ["IDN", "THA"]))
    rows = {r[0]: r[2:] for r in table.itertuples(index=False, name=None)}
    assert rows["ASC-1"] == (2, 1)  # IDN-001, IDN-002 (through ASC-1.1); THA-002
    assert rows["ASC-6"] == (1, 1)  # IDN-003; THA-002 once, though it cites the area and its item
    assert rows["BWP-B"] == (2, 1)
    assert rows["ASC-3"] == (0, 0)  # the confidential THA-003 is not there
    assert list(table.columns[2:]) == ["IDN", "THA"]


def test_dual_framework_share(dataset):
    dual = cmp.dual_framework_share(views_of(dataset, cmp.MEMBERS, ["IDN", "THA", "BTN"]))
    assert rows_of(dual, "subject", "actions", "dual_actions") == [("IDN", 4, 1), ("THA", 2, 0), ("BTN", 0, 0)]
    assert list(dual["dual_share"][:2]) == [0.25, 0.0]
    assert math.isnan(dual["dual_share"][2])


def test_freshness_of_members_and_groups(dataset):
    members = cmp.freshness_by_subject(views_of(dataset, cmp.MEMBERS, ["IDN", "THA", "AUS", "BTN"]), TODAY, 365)
    assert rows_of(members, "subject", "members", "members_reporting", "members_stale", "actions") == [
        ("IDN", 1, 1, 0, 4),
        ("THA", 1, 1, 0, 2),
        ("AUS", 1, 1, 1, 1),  # 545 days > 365
        ("BTN", 1, 0, 0, 0),
    ]
    # 1 Jun → 28 Nov 2026: 30+31+31+30+31+27; 1 Mar → 28 Nov: 272; 1 Jun 2025 → 28 Nov 2026: 365 + 180.
    assert list(members["days_since_update"][:3]) == [180, 272, 545]
    assert members["last_updated"][0] == dt.datetime(2026, 6, 1)
    assert members["days_since_update"].isna().tolist() == [False, False, False, True]

    groups = cmp.freshness_by_subject(views_of(dataset, cmp.GROUPS_KIND, ["asean", "other", "org"]), TODAY, 365)
    # 11 ASEAN members (Timor-Leste since 2025), 34 other states and territories, 4 organisations: 49 in all.
    assert rows_of(groups, "subject", "members", "members_reporting", "members_stale", "actions") == [
        ("asean", 11, 2, 0, 6),
        ("other", 34, 1, 1, 1),
        ("org", 4, 0, 0, 0),
    ]


def test_themes_covered(dataset):
    themes = cmp.themes_covered(views_of(dataset, cmp.MEMBERS, ["IDN", "THA"]))
    assert list(themes["theme"]) == THEMES * 2
    assert list(themes["actions"]) == [*[0, 0, 2, 0, 3, 0], *[0, 0, 1, 0, 2, 0]]
    assert list(themes["share"]) == pytest.approx([*[0, 0, 0.5, 0, 0.75, 0], *[0, 0, 0.5, 0, 1.0, 0]])


def test_groups_status_mix_and_coverage(dataset):
    views = views_of(dataset, cmp.GROUPS_KIND, ["asean", "other", "org"])
    mix = cmp.status_mix(views)
    assert list(mix[mix["subject"] == "asean"]["actions"]) == [1, 1, 1, 1, 2]
    assert list(mix[mix["subject"] == "other"]["actions"]) == [0, 0, 0, 1, 0]
    coverage = cmp.coverage_by_framework(views)
    assert list(coverage["covered"]) == [2, 1, 1, 0, 0, 0]  # asean ASC, BWP; other (ASC-2 only); org nothing


# --- the page (AppTest) ---------------------------------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    directory = tmp_path / "data"
    directory.mkdir()
    write_files(directory, ROWS)
    monkeypatch.setenv("TRACKER_DATA_DIR", str(directory))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield directory
    st.cache_data.clear()
    st.cache_resource.clear()


def write_files(directory: Path, rows) -> None:
    for member in ("IDN", "THA", "AUS"):
        write_yaml(directory / f"{member}.yaml", [r for r in rows if r["member"] == member], member=member)


def run(query: dict[str, str] | None = None, *, tables: bool = True) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=60)
    if query:
        at.query_params.update(query)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    # The tests read the tables under the charts, as a reader opening them (a rerun: without ``tables`` the page is
    # as first drawn, with its one-run notices).
    return open_chart_tables(at) if tables else at


def param(at: AppTest, key: str) -> str:
    """A query parameter's value (AppTest holds a list after a run: pitfalls I31)."""
    value = at.query_params[key]
    return value[-1] if isinstance(value, list) else value


def metrics(at: AppTest) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in at.metric:
        out.setdefault(m.label, []).append(m.value)
    return out


def charts(at: AppTest) -> dict[str, dict]:
    return {(spec := json.loads(c.proto.spec))["layout"]["title"]["text"]: spec for c in at.get("plotly_chart")}


def everything_shown(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "subheader", "info", "metric") for e in getattr(at, kind)]
    parts += [d.value.to_csv() for d in at.dataframe]
    parts += [c.proto.spec for c in at.get("plotly_chart")]
    return "\n".join(str(p) for p in parts)


def test_two_members_from_the_url_show_the_hand_counted_figures(data_dir):
    at = run({"cmp_members": "THA,IDN"})
    assert [h.value for h in at.subheader][:2] == ["Indonesia \\(IDN\\)", "Thailand \\(THA\\)"]  # A–Z, not as typed
    assert metrics(at) == {
        "Actions reported": ["4", "2"],
        "Areas and pillars with an action": ["3 of 13", "3 of 13"],
        "Latest update": ["01 Jun 2026", "01 Mar 2026"],
        "Under both frameworks": ["25%", "0%"],
        "Themes with an action": ["2 of 6", "2 of 6"],
    }
    status = next(d.value for d in at.dataframe if "Status (as reported)" in d.value.columns)
    assert list(status["Actions"]) == [0, 1, 0, 1, 2, 1, 0, 1, 0, 0]
    assert list(status["Compared"]) == ["Indonesia"] * 5 + ["Thailand"] * 5
    shown = charts(at)
    assert set(shown) >= {
        "Status of each one's actions (shares of its own actions)",
        "Areas and pillars with at least one action",
        "Actions reported under both frameworks",
        "Share of actions serving each theme",
        "Days since the latest update",
    }
    assert shown["Status of each one's actions (shares of its own actions)"]["layout"]["xaxis"]["range"] == [0, 1]
    coverage = shown["Areas and pillars with at least one action"]
    assert [t["name"] for t in coverage["data"]] == ["Indonesia", "Thailand"]  # one trace per subject: one scale
    assert coverage["layout"]["xaxis"]["range"][0] == 0 and coverage["layout"]["xaxis"]["range"][1] >= 1
    assert len(at.get("download_button")) >= 5  # every chart has its table's CSV


def test_the_sidebar_filters_apply_to_every_subject(data_dir):
    at = run({"cmp_members": "IDN,THA", "framework": "BWP"})
    shown = metrics(at)
    assert shown["Actions reported"] == ["2", "1"]  # IDN-002, IDN-004; THA-001
    assert shown["Areas and pillars with an action"] == ["1 of 4", "1 of 4"]
    assert param(at, "framework") == "BWP"  # the sidebar's key, untouched by the page's own


def test_groups(data_dir):
    at = run({"cmp_groups": "other,asean"})
    assert at.radio(key="compare_kind").value == cmp.GROUPS_KIND
    shown = metrics(at)
    assert shown["Actions reported"] == ["6", "1"]  # GROUPS order: ASEAN first
    assert shown["Members reporting"] == ["2 of 11", "1 of 34"]
    assert shown["Areas and pillars with an action"] == ["3 of 13", "1 of 13"]
    assert shown["Under both frameworks"] == ["17%", "0%"]  # IDN-002 of the six ASEAN actions


def test_snapshots_show_what_changed_between_consecutive_points(data_dir):
    Snapshots(data_dir).take(load_dataset(data_dir, load_catalog()), "SOM 1", REVIEWER)
    edited = [dict(r, status="limited") if r["action_id"] == "THA-001" else r for r in ROWS]
    write_files(data_dir, edited)
    Snapshots(data_dir).take(load_dataset(data_dir, load_catalog()), "SOM 2", REVIEWER)
    write_files(data_dir, [*edited, action("IDN", 5, "ASC-4", "not_started")])

    at = run({"cmp_snapshots": "today,som-1,som-2"})

    assert at.radio(key="compare_kind").value == cmp.SNAPSHOTS
    headings = [h.value for h in at.subheader]
    pairs = [h for h in headings if h.startswith("From")]  # by date, whatever the order in the URL
    assert len(pairs) == 2
    assert pairs[0].startswith("From SOM 1 \\(") and " to SOM 2 \\(" in pairs[0]
    assert pairs[1].startswith("From SOM 2 \\(") and " to Today \\(" in pairs[1]
    by_kind = metrics(at)
    # SOM 1 → SOM 2: THA-001 up, the six other public actions unchanged; SOM 2 → today: IDN-005 new.
    assert by_kind["Status up"] == ["1", "0"]
    assert by_kind["New"] == ["0", "1"]
    assert by_kind["Unchanged"] == ["6", "7"]
    assert by_kind["Status down"] == ["0", "0"] and by_kind["Removed"] == ["0", "0"]
    status = next(d.value for d in at.dataframe if "Status (as reported)" in d.value.columns)
    assert list(status["Actions"]) == [*[1, 1, 1, 2, 2], *[0, 2, 1, 2, 2], *[1, 2, 1, 2, 2]]
    assert SECRET not in everything_shown(at)


def test_choices_go_to_the_url_and_come_back_from_it(data_dir):
    at = run()
    assert "Pick 2 to 4 members" in " ".join(i.value for i in at.info)
    at.multiselect(key="compare_members").select("THA").select("AUS").run()
    assert param(at, "cmp_members") == "AUS,THA"
    at.radio(key="compare_kind").set_value(cmp.GROUPS_KIND).run()
    at.multiselect(key="compare_groups").select("org").select("asean").run()
    assert param(at, "cmp_groups") == "asean,org"
    assert "cmp_members" not in at.query_params

    again = run({"cmp_groups": param(at, "cmp_groups")})
    assert again.multiselect(key="compare_groups").value == ["asean", "org"]
    assert [h.value for h in again.subheader][:2] == ["ASEAN member states", "Member organisations"]
    assert metrics(again)["Actions reported"] == ["6", "0"]


@pytest.mark.parametrize(("members", "words"), [("IDN", "only one is chosen"), ("IDN,THA,AUS,BTN,MYS", "5 are chosen")])
def test_fewer_than_two_or_more_than_four_gives_a_message(data_dir, members, words):
    at = run({"cmp_members": members})
    assert any(words in i.value for i in at.info)
    assert not at.get("plotly_chart")
    assert not at.metric


def test_a_member_with_no_actions_shows_zeros(data_dir):
    at = run({"cmp_members": "BTN,IDN"})
    shown = metrics(at)
    assert shown["Actions reported"] == ["0", "4"]
    assert shown["Areas and pillars with an action"][0] == "0 of 13"
    assert shown["Latest update"][0] == "no update"
    assert shown["Under both frameworks"][0] == "–"
    assert any("Bhutan has no action in the current filters" in i.value for i in at.info)


def test_unknown_subjects_in_the_url_are_named_and_left_out(data_dir):
    at = run({"cmp_members": "IDN,XYZ,THA"}, tables=False)  # the notice is for the run that read the link
    assert any("XYZ" in c.value for c in at.caption)
    assert metrics(at)["Actions reported"] == ["4", "2"]


def test_a_viewer_never_sees_a_confidential_action(data_dir):
    at = run({"cmp_members": "IDN,THA"})
    assert SECRET not in everything_shown(at)
    assert "THA-003" not in everything_shown(at)
    by_area = next(d.value for d in at.dataframe if "Area or pillar" in d.value.columns)
    assert by_area.set_index("Area or pillar").loc["ASC-3", "Thailand"] == 0
